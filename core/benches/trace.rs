//! Batch trace over a synthetic national supply network of one batch: 100,000 transfer lines
//! across 10,000 enterprises. Target: forward + backward in at most 10 ms (median) from the
//! movements a server reads off its index (`trace_movements`); `trace_batch` adds the walk over
//! whole documents, for comparison.

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use std::hint::black_box;
use suyuan_core::rules::trace::{
    Party, TraceDirection, TraceStart, movements_of, trace_batch, trace_movements,
};

#[path = "common/trace_network.rs"]
mod trace_network;
use trace_network::{BATCH, ent, network, product};

fn bench(c: &mut Criterion) {
    let docs = network();
    let starts = [
        (
            "both_from_registrant",
            TraceStart::From(Party::Enterprise(ent(0))),
        ),
        ("whole", TraceStart::Whole),
    ];

    // What the server holds after its index query: the batch's movements, built untimed.
    let movements = movements_of(&docs, product(), BATCH);
    let mut group = c.benchmark_group("trace_movements");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(50);
    for (name, start) in &starts {
        group.bench_function(*name, |b| {
            b.iter(|| {
                trace_movements(
                    black_box(&movements),
                    product(),
                    BATCH,
                    start.clone(),
                    TraceDirection::Both,
                )
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("trace_batch");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(50);
    for (name, start) in &starts {
        group.bench_function(*name, |b| {
            b.iter(|| {
                trace_batch(
                    black_box(&docs),
                    product(),
                    BATCH,
                    start.clone(),
                    TraceDirection::Both,
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
