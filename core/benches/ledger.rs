//! Ledger build throughput: `Ledger::from_documents` over 1,000,000 submitted lines
//! (100,000 documents × 10 lines, 2,000 enterprises each dealing in 20 of 500 products,
//! 5 live batches each: about 200,000 stock rows, so rows repeat as stock moves in and out).

use chrono::{DateTime, NaiveDate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use suyuan_core::model::*;
use suyuan_core::rules::ledger::Ledger;
use uuid::Uuid;

const DOCS: usize = 100_000;
const LINES_PER_DOC: usize = 10;

/// A small deterministic generator, so every run measures the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// `spread`: when true, products and batches are drawn from the whole range, so almost every
/// line creates a new stock row (the worst case for the ledger's maps).
fn documents(spread: bool) -> Vec<Transaction> {
    let mut rng = Lcg(42);
    let at = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let batches: Vec<String> = (0..20).map(|b| format!("B2026{b:04}")).collect();
    (0..DOCS)
        .map(|i| {
            let kind = TransactionKind::ALL[rng.next(5) as usize];
            let enterprise = rng.next(2_000);
            Transaction {
                id: TransactionId(Uuid::from_u128(i as u128)),
                enterprise_id: EnterpriseId(Uuid::from_u128(enterprise as u128)),
                kind,
                number: format!("D{i}"),
                counterparty: None,
                date: day,
                contact: String::new(),
                phone: String::new(),
                lines: (0..LINES_PER_DOC)
                    .map(|_| TransactionLine {
                        product_id: ProductId(Uuid::from_u128(
                            1_000_000
                                + if spread {
                                    rng.next(500)
                                } else {
                                    (enterprise * 7 + rng.next(20) * 25) % 500
                                } as u128,
                        )),
                        product_name: String::new(),
                        gtin: None,
                        quantity: 1 + rng.next(50) as u32,
                        unit: "瓶".into(),
                        batch: batches[rng.next(if spread { 20 } else { 5 }) as usize].clone(),
                        production_date: None,
                        expiry_date: Some(day),
                    })
                    .collect(),
                status: RecordStatus::Submitted { at },
                corrects: None,
                reconciles: None,
                remarks: String::new(),
            }
        })
        .collect()
}

fn ledger_build(c: &mut Criterion) {
    let docs = documents(false);
    let spread = documents(true);
    let mut group = c.benchmark_group("ledger");
    group.throughput(Throughput::Elements((DOCS * LINES_PER_DOC) as u64));
    group.sample_size(20);
    group.bench_function("from_documents/1M_lines", |b| {
        b.iter(|| black_box(Ledger::from_documents(black_box(&docs), &[])))
    });
    group.bench_function("from_documents/1M_lines_mostly_new_rows", |b| {
        b.iter(|| black_box(Ledger::from_documents(black_box(&spread), &[])))
    });
    group.finish();
}

criterion_group!(benches, ledger_build);
criterion_main!(benches);
