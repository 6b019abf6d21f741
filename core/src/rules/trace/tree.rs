//! The report tree: documents laid out depth-first under the party they lead from.

use super::graph::{Graph, Seeds};
use super::{EdgeKind, RowDirection, TraceEdge, TreeRow};

/// A party being expanded: its remaining adjacent edges and the depth of their rows.
struct Frame<'g> {
    edges: std::slice::Iter<'g, u32>,
    depth: u32,
}

/// What the trees grow from: the graph, and the output edges, whose documents are filled in
/// as the trees reach them.
pub(super) struct Grower<'x, 'a> {
    pub graph: &'x Graph<'a>,
    pub edges: &'x mut [TraceEdge<'a>],
    /// The output edge of each graph edge; `u32::MAX` for edges left out.
    pub out_edge: &'x [u32],
}

impl<'a> Grower<'_, 'a> {
    /// Appends the forward (downstream) or backward (upstream) tree from `seeds` to `rows`.
    ///
    /// Each party is expanded once; a later row leading to it is marked `repeat`, which is what
    /// keeps cycles and diamonds finite. Return rows are listed but never expanded, and backward
    /// trees do not expand origins. The walk keeps its own stack, as chains can be arbitrarily
    /// long.
    pub(super) fn grow(&mut self, seeds: &Seeds, forward: bool, rows: &mut Vec<TreeRow<'a>>) {
        let g = self.graph;
        let direction = if forward {
            RowDirection::Forward
        } else {
            RowDirection::Backward
        };
        let mut expanded = vec![false; g.keys.len()];
        let mut stack: Vec<Frame<'_>> = Vec::new();
        for &seed in seeds.roots.iter().chain(&seeds.rest) {
            if expanded[seed as usize] || (!forward && g.origin[seed as usize]) {
                continue;
            }
            expanded[seed as usize] = true;
            stack.push(Frame {
                edges: g.adjacent(seed, forward).iter(),
                depth: 0,
            });
            while let Some(top) = stack.last_mut() {
                let Some(&e) = top.edges.next() else {
                    stack.pop();
                    continue;
                };
                let depth = top.depth;
                let Some(out) = self.edges.get_mut(self.out_edge[e as usize] as usize) else {
                    continue;
                };
                let edge = &g.edges[e as usize];
                if out.documents.is_empty() {
                    out.documents = g.edge_docs(edge).iter().map(|d| d.to_ref()).collect();
                }
                let target = if forward { edge.to } else { edge.from } as usize;
                let repeat = expanded[target];
                let (from, to) = (out.from, out.to);
                rows.extend(out.documents.iter().map(|d| TreeRow {
                    depth,
                    direction,
                    date: d.date,
                    document: d.id,
                    number: d.number.clone(),
                    kind: d.kind,
                    from,
                    to,
                    quantity: d.quantity,
                    recorded_by: d.recorded_by,
                    repeat,
                }));
                if edge.kind == EdgeKind::Sale && !repeat && (forward || !g.origin[target]) {
                    expanded[target] = true;
                    stack.push(Frame {
                        edges: g.adjacent(target as u32, forward).iter(),
                        depth: depth + 1,
                    });
                }
            }
        }
    }
}
