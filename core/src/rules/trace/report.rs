//! The trace proper: the walks from the start over the graph, and the result they select.

use super::graph::{self, Edge, Graph, Rec, Seeds, UNSEEN};
use super::{
    CounterpartyKey, DocumentRef, EdgeKind, TraceDirection, TraceEdge, TraceNode, TraceStart,
    TreeRow, tree,
};
use std::borrow::Cow;

/// What [`super::BatchTrace`] holds besides its labels.
#[derive(Default)]
pub(super) struct Report<'a> {
    pub nodes: Vec<TraceNode<'a>>,
    pub edges: Vec<TraceEdge>,
    pub documents: Vec<DocumentRef<'a>>,
    pub tree: Vec<TreeRow>,
}

impl<'a> Report<'a> {
    /// The trace of `g` from `start`; `out_edge` is a buffer for the output edge of each graph
    /// edge.
    pub(super) fn of(
        g: &Graph<'a>,
        start: &TraceStart,
        direction: TraceDirection,
        out_edge: &mut Vec<u32>,
    ) -> Report<'a> {
        let n = g.keys.len();
        let (fwd_seeds, bwd_seeds) = match start {
            TraceStart::Whole => (g.whole_seeds(true), g.whole_seeds(false)),
            TraceStart::From(party) => match g.find(CounterpartyKey::of_party(party)) {
                Some(s) => (Seeds::single(s), Seeds::single(s)),
                None => return Report::default(),
            },
        };
        let walk = |wanted: bool, seeds: &Seeds, forward: bool| {
            if wanted {
                g.bfs(seeds, forward)
            } else {
                vec![UNSEEN; n]
            }
        };
        let fdepth = walk(direction.forward(), &fwd_seeds, true);
        let bdepth = walk(direction.backward(), &bwd_seeds, false);

        let whole = matches!(start, TraceStart::Whole);
        let in_set: Vec<bool> = (0..n)
            .map(|i| whole || fdepth[i] != UNSEEN || bdepth[i] != UNSEEN)
            .collect();
        let included = |e: &Edge| {
            let (f, t) = (e.from as usize, e.to as usize);
            whole
                || match e.kind {
                    EdgeKind::Sale => fdepth[f] != UNSEEN || (bdepth[t] != UNSEEN && !g.origin[t]),
                    EdgeKind::Return => in_set[f] && in_set[t],
                }
        };
        let mut out_index = vec![u32::MAX; n];
        let mut kept = 0u32;
        let mut documents = 0;
        for (i, slot) in out_index.iter_mut().enumerate() {
            if in_set[i] {
                *slot = kept;
                kept += 1;
                documents += g.production(i).len();
            }
        }

        // Counted first, so that each part of the result is allocated once, at its size.
        out_edge.clear();
        out_edge.resize(g.edges.len(), u32::MAX);
        let (mut edges, mut fwd_rows, mut bwd_rows) = (0u32, 0, 0);
        for (e, slot) in g.edges.iter().zip(out_edge.iter_mut()) {
            if !included(e) {
                continue;
            }
            *slot = edges;
            edges += 1;
            documents += (e.end - e.start) as usize;
            // Each expanded party lists its included edges once, so these bound the rows.
            if whole || fdepth[e.from as usize] != UNSEEN {
                fwd_rows += 1;
            }
            if (whole || bdepth[e.to as usize] != UNSEEN) && !g.origin[e.to as usize] {
                bwd_rows += 1;
            }
        }

        let mut report = Report {
            nodes: Vec::with_capacity(kept as usize),
            edges: Vec::with_capacity(edges as usize),
            documents: Vec::with_capacity(documents),
            tree: Vec::with_capacity(
                if direction.forward() { fwd_rows } else { 0 }
                    + if direction.backward() { bwd_rows } else { 0 },
            ),
        };
        for (e, &slot) in g.edges.iter().zip(out_edge.iter()) {
            if slot == u32::MAX {
                continue;
            }
            let documents = report.extend_documents(g.edge_docs(e));
            report.edges.push(TraceEdge {
                from: out_index[e.from as usize],
                to: out_index[e.to as usize],
                kind: e.kind,
                sent: e.sent,
                received: e.received,
                documents,
            });
        }
        for i in (0..n).filter(|&i| in_set[i]) {
            let production = report.extend_documents(g.production(i));
            report
                .nodes
                .push(node(g, i, fdepth[i], bdepth[i], production));
        }
        if direction.forward() {
            tree::grow(g, out_edge, &fwd_seeds, true, &mut report.tree);
        }
        if direction.backward() {
            tree::grow(g, out_edge, &bwd_seeds, false, &mut report.tree);
        }
        report
    }

    /// Appends the documents of `docs`; returns their range.
    fn extend_documents(&mut self, docs: &[Rec<'a>]) -> std::ops::Range<u32> {
        let start = self.documents.len() as u32;
        self.documents.extend(docs.iter().map(Graph::document));
        start..self.documents.len() as u32
    }
}

fn node<'a>(
    g: &Graph<'a>,
    i: usize,
    fdepth: u32,
    bdepth: u32,
    production: std::ops::Range<u32>,
) -> TraceNode<'a> {
    let f = g.flows[i];
    let platform = g.keys[i].is_platform();
    let held = i128::from(f.produced) + i128::from(f.received) + i128::from(f.returns_in)
        - i128::from(f.passed_on)
        - i128::from(f.returned_out);
    let seen = |d: u32| (d != graph::UNSEEN).then_some(d);
    TraceNode {
        party: g.keys[i].to_party(),
        name: g.names[i].map(Cow::Borrowed),
        produced: f.produced,
        received: f.received,
        passed_on: f.passed_on,
        returned_out: f.returned_out,
        returns_in: f.returns_in,
        held: platform.then(|| held.clamp(i64::MIN.into(), i64::MAX.into()) as i64),
        depth_forward: seen(fdepth),
        depth_backward: seen(bdepth),
        production,
    }
}
