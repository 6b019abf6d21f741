//! The trace benchmark's workload for profilers and for checking that the output did not change.
//!
//! `cargo run --release -p suyuan-core --example trace_profile -- [ITERS] [registrant|whole] [movements|batch]`
//! traces the benchmark's batch ITERS times (default 4) and prints how long each trace took;
//! under `valgrind --tool=callgrind` instruction counts are repeatable whatever the machine's
//! load, so two runs with different ITERS give the cost of one trace.
//!
//! `... --example trace_profile -- --digest` prints a hash of the complete result (every field
//! of every node, edge, document and tree row) for each start and direction, so that an
//! optimisation can be checked to leave the output of the benchmark's data set as it was.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;
use suyuan_core::rules::trace::{
    Party, TraceDirection, TraceStart, movements_of, trace_batch, trace_movements,
};

#[path = "../benches/common/trace_network.rs"]
mod trace_network;
use trace_network::{BATCH, ent, network, product};

/// FNV-1a over whatever is written to it, so that a large `Debug` output need not be held.
struct Fnv(u64);

impl std::fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for b in s.bytes() {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        Ok(())
    }
}

/// The CPU time this thread has had, in nanoseconds, where Linux tells it: on a machine shared
/// with other work it varies far less than the wall time, which includes waiting for a core.
fn cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let docs = network();
    let movements = movements_of(&docs, product(), BATCH);
    let registrant = TraceStart::From(Party::Enterprise(ent(0)));

    if args.iter().any(|a| a == "--digest") {
        for (name, start) in [("registrant", &registrant), ("whole", &TraceStart::Whole)] {
            for direction in [
                TraceDirection::Both,
                TraceDirection::Forward,
                TraceDirection::Backward,
            ] {
                let t = trace_movements(&movements, product(), BATCH, start.clone(), direction);
                let mut h = Fnv(0xcbf2_9ce4_8422_2325);
                write!(h, "{t:?}").expect("hashing cannot fail");
                let rows = t.document_rows().count();
                println!(
                    "{name} {direction:?}: nodes={} edges={} documents={} tree={} rows={rows} digest={:016x}",
                    t.nodes.len(),
                    t.edges.len(),
                    t.documents.len(),
                    t.tree.len(),
                    h.0
                );
            }
        }
        return;
    }

    let iters: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(4);
    let start = match args.get(1).map(String::as_str) {
        Some("whole") => TraceStart::Whole,
        _ => registrant,
    };
    let batch = args.get(2).map(String::as_str) == Some("batch");
    println!("{} movements", movements.len());
    for _ in 0..iters {
        let (t0, c0) = (Instant::now(), cpu_ns());
        let documents = if batch {
            black_box(trace_batch(
                black_box(&docs),
                product(),
                BATCH,
                start.clone(),
                TraceDirection::Both,
            ))
            .documents
            .len()
        } else {
            black_box(trace_movements(
                black_box(&movements),
                product(),
                BATCH,
                start.clone(),
                TraceDirection::Both,
            ))
            .documents
            .len()
        };
        let wall = t0.elapsed().as_secs_f64() * 1e3;
        let cpu = match (c0, cpu_ns()) {
            (Some(a), Some(b)) => format!(" cpu {:.2} ms", (b - a) as f64 / 1e6),
            _ => String::new(),
        };
        println!("{documents} documents in {wall:.2} ms{cpu}");
    }
}
