//! The report tree: edges laid out depth-first under the party they lead from.

use super::graph::{Graph, Seeds};
use super::{EdgeKind, RowDirection, TreeRow};

/// A party being expanded: its remaining adjacent edges and the depth of their rows.
struct Frame<'g> {
    edges: std::slice::Iter<'g, u32>,
    depth: u32,
}

/// Appends the forward (downstream) or backward (upstream) tree from `seeds` to `rows`;
/// `out_edge` gives the output edge of each graph edge (`u32::MAX` for edges left out, which
/// the tree skips).
///
/// Each party is expanded once; a later row leading to it is marked `repeat`, which is what
/// keeps cycles and diamonds finite. Return rows are listed but never expanded, and backward
/// trees do not expand origins. The walk keeps its own stack, as chains can be arbitrarily long.
pub(super) fn grow(
    g: &Graph<'_>,
    out_edge: &[u32],
    seeds: &Seeds,
    forward: bool,
    rows: &mut Vec<TreeRow>,
) {
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
            let out = out_edge[e as usize];
            if out == u32::MAX {
                continue;
            }
            let edge = &g.edges[e as usize];
            let target = if forward { edge.to } else { edge.from } as usize;
            let repeat = expanded[target];
            rows.push(TreeRow {
                depth,
                direction,
                edge: out,
                repeat,
            });
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
