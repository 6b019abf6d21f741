//! The trace benchmark's data set, shared by `benches/trace.rs` and `examples/trace_profile.rs`:
//! a synthetic national supply network of one batch, 100,000 transfer lines across 10,000
//! enterprises, generated deterministically.

use chrono::{DateTime, Days, NaiveDate};
use suyuan_core::model::{
    Counterparty, EnterpriseId, ProductId, RecordStatus, Transaction, TransactionId,
    TransactionKind, TransactionLine,
};
use uuid::Uuid;

const REGISTRANTS: u32 = 5;
const ENTERPRISES: u32 = 10_000;
const WHOLESALERS: u32 = 100;
const SUB_WHOLESALERS: u32 = 1_000;
const BATCH_LINES: usize = 100_000;
pub const BATCH: &str = "B20260115";

/// A deterministic generator (PCG-style LCG), so every run traces the same network.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n)) as u32
    }
}

pub fn ent(n: u32) -> EnterpriseId {
    EnterpriseId(Uuid::from_u128(
        0x5EED_0000_0000_0000_0000_0000_0000_0000 + u128::from(n),
    ))
}

pub fn product() -> ProductId {
    ProductId(Uuid::from_u128(0xC05_0001))
}

struct Gen {
    rng: Lcg,
    docs: Vec<Transaction>,
    lines: usize,
}

impl Gen {
    fn push(
        &mut self,
        holder: u32,
        kind: TransactionKind,
        counterparty: Option<Counterparty>,
        day: u32,
        qty: u32,
    ) {
        let n = self.docs.len();
        let line = |batch: &str, p: ProductId, q: u32| TransactionLine {
            product_id: p,
            product_name: "舒唯雅皮肤身体护肤霜".into(),
            gtin: Some("06901234567892".into()),
            quantity: q,
            unit: "瓶".into(),
            batch: batch.into(),
            production_date: NaiveDate::from_ymd_opt(2026, 1, 15),
            expiry_date: NaiveDate::from_ymd_opt(2029, 1, 14),
        };
        let mut lines = vec![line(BATCH, product(), qty)];
        // Real documents carry other batches and products too; the trace must skip them.
        match self.rng.below(10) {
            0..=1 => lines.push(line("B20251101", product(), qty)),
            2 => lines.insert(0, line(BATCH, ProductId(Uuid::from_u128(0xC05_0002)), qty)),
            _ => {}
        }
        let prefix = match kind {
            TransactionKind::FinishedGoodsInbound => "CP",
            TransactionKind::PurchaseInbound => "CG",
            TransactionKind::PurchaseReturn => "CT",
            TransactionKind::SalesOutbound => "XS",
            TransactionKind::SalesReturn => "XT",
        };
        self.docs.push(Transaction {
            id: TransactionId(Uuid::from_u128(0xD0C0_0000_0000_0000 + n as u128)),
            enterprise_id: ent(holder),
            kind,
            number: format!("{prefix}2026{n:07}"),
            counterparty,
            date: NaiveDate::from_ymd_opt(2026, 1, 15).unwrap() + Days::new(u64::from(day)),
            contact: "王经理".into(),
            phone: "13800138000".into(),
            lines,
            status: RecordStatus::Submitted {
                at: DateTime::from_timestamp(1_780_000_000, 0).unwrap(),
            },
            corrects: None,
            reconciles: None,
            remarks: String::new(),
        });
        if kind != TransactionKind::FinishedGoodsInbound {
            self.lines += 1;
        }
    }
}

fn platform(n: u32) -> Option<Counterparty> {
    Some(Counterparty {
        partner_id: None,
        name: format!("企业{n}"),
        uscc: None,
        enterprise_id: Some(ent(n)),
    })
}

fn external(rng: &mut Lcg) -> Option<Counterparty> {
    let k = rng.below(500);
    Some(Counterparty {
        partner_id: None,
        name: format!("散客{k}"),
        uscc: k.is_multiple_of(2).then(|| format!("92440300MA5F{k:05}X")),
        enterprise_id: None,
    })
}

/// Registrants → wholesalers → sub-wholesalers → shops and salons. Each buyer keeps a few
/// suppliers in the tier above. Most transfers are recorded by both sides, some by one only;
/// a few are returned; some goods go to external customers, a few come from an external importer.
pub fn network() -> Vec<Transaction> {
    let mut g = Gen {
        rng: Lcg(20_260_115),
        docs: Vec::with_capacity(BATCH_LINES + 64),
        lines: 0,
    };
    let w0 = REGISTRANTS;
    let s0 = w0 + WHOLESALERS;
    let r0 = s0 + SUB_WHOLESALERS;
    for r in 0..REGISTRANTS {
        for k in 0..3 {
            g.push(r, TransactionKind::FinishedGoodsInbound, None, k, 200_000);
        }
    }
    while g.lines < BATCH_LINES {
        let roll = g.rng.below(1000);
        let buyer = match roll {
            0..=19 => w0 + g.rng.below(WHOLESALERS),
            20..=219 => s0 + g.rng.below(SUB_WHOLESALERS),
            _ => r0 + g.rng.below(ENTERPRISES - r0),
        };
        let (lo, span, tier) = if buyer < s0 {
            (0, REGISTRANTS, 0)
        } else if buyer < r0 {
            (w0, WHOLESALERS, 1)
        } else if g.rng.below(10) == 0 {
            (w0, WHOLESALERS, 2)
        } else {
            (s0, SUB_WHOLESALERS, 2)
        };
        let seller = lo + (buyer.wrapping_mul(2_654_435_761) % span + g.rng.below(3)) % span;
        let day = tier * 30 + g.rng.below(120);
        let qty = 1 + g.rng.below(if tier == 0 { 2_000 } else { 60 });
        let how = g.rng.below(100);
        if how < 3 {
            // An unregistered customer: only the seller records it.
            let cp = external(&mut g.rng);
            g.push(buyer, TransactionKind::SalesOutbound, cp, day, qty);
            continue;
        }
        if how == 3 && tier == 0 {
            let importer = Some(Counterparty {
                partner_id: None,
                name: "某进口贸易有限公司".into(),
                uscc: Some("91310000MA1FL0001X".into()),
                enterprise_id: None,
            });
            g.push(buyer, TransactionKind::PurchaseInbound, importer, day, qty);
            continue;
        }
        if !(88..96).contains(&how) {
            g.push(
                seller,
                TransactionKind::SalesOutbound,
                platform(buyer),
                day,
                qty,
            );
        }
        if how < 96 {
            let late = day + 1 + g.rng.below(3);
            g.push(
                buyer,
                TransactionKind::PurchaseInbound,
                platform(seller),
                late,
                qty,
            );
        }
        if how < 6 {
            let back = 1 + qty / 10;
            g.push(
                buyer,
                TransactionKind::PurchaseReturn,
                platform(seller),
                day + 20,
                back,
            );
            g.push(
                seller,
                TransactionKind::SalesReturn,
                platform(buyer),
                day + 21,
                back,
            );
        }
    }
    g.docs
}
