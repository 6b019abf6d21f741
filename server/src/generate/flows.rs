//! Day after day of transfers: registrants make batches (成品入库) every 30 days, wholesalers
//! order weekly from three registrants, shops and salons fortnightly from two wholesalers and
//! book their sales to consumers weekly. Most transfers are recorded by both sides (the buyer a day or two later),
//! some by the seller only (left in the buyer's inbox), a few by the buyer only; a few goods are
//! returned. A seller only ships what it holds, so every document passes the submit rules.

use super::{Catalog, Plan, Tier, catalog};
use chrono::{Days, Months, NaiveDate};
use std::collections::BTreeMap;
use suyuan_core::model::{
    Counterparty, RecordStatus, Transaction, TransactionId, TransactionKind, TransactionLine,
};

/// SplitMix64: small, fast and the same everywhere.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant for synthetic data.
    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n.max(1))) as u32
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(hi - lo + 1)
    }
}

/// One batch of one product.
#[derive(Debug, Clone)]
struct Lot {
    product: u32,
    produced: NaiveDate,
    batch: String,
}

/// Whether registrant `r` makes a batch of its `k`-th product on day `index` of the plan: on the
/// first day, then every 30 days, staggered.
pub fn makes_batch(r: u32, k: u32, index: u32) -> bool {
    index == 0 || (index + k * 3 + r).is_multiple_of(30)
}

/// The batch number of a product's batch made on `day` (the product's place `k` at its maker).
pub fn batch_number(day: NaiveDate, k: u32) -> String {
    format!("{}{k:02}", day.format("%Y%m%d"))
}

/// A document recorded on a later day, with the stock it brings its enterprise.
#[derive(Debug, Clone)]
enum Later {
    /// The buyer's purchase inbound (or the seller's sales return): its enterprise, and the
    /// lots and quantities it brings in.
    Inbound(Box<Transaction>, u32, Vec<(u32, u32)>),
    /// A buyer sends part of a lot back to its seller, if it still holds it then.
    Return {
        buyer: u32,
        seller: u32,
        lot: u32,
        quantity: u32,
    },
}

/// Yields a plan's documents day by day (see the module documentation).
#[derive(Debug, Clone)]
pub struct Generator {
    plan: Plan,
    catalog: Catalog,
    rng: Rng,
    day: NaiveDate,
    lines: u64,
    documents: u64,
    lots: Vec<Lot>,
    /// Per enterprise: lot → quantity held, as its own documents show it.
    held: Vec<BTreeMap<u32, u32>>,
    /// Per enterprise: whom it buys from.
    suppliers: Vec<Vec<u32>>,
    later: BTreeMap<NaiveDate, Vec<Later>>,
}

impl Generator {
    /// A generator at the plan's first day.
    pub fn new(plan: Plan) -> Generator {
        let catalog = catalog(&plan);
        let n = catalog.enterprises.len() as u32;
        let (r, w) = catalog.tiers;
        let mut rng = Rng(plan.seed);
        let suppliers = (0..n)
            .map(|e| match catalog.tier(e) {
                Tier::Registrant => vec![],
                Tier::Wholesaler => (0..3).map(|_| rng.below(r)).collect(),
                Tier::Retail => (0..2).map(|_| r + rng.below(w - r)).collect(),
            })
            .map(|mut s: Vec<u32>| {
                s.sort_unstable();
                s.dedup();
                s
            })
            .collect();
        Generator {
            plan,
            rng,
            day: plan.start,
            lines: 0,
            documents: 0,
            lots: vec![],
            held: vec![BTreeMap::new(); n as usize],
            suppliers,
            later: BTreeMap::new(),
            catalog,
        }
    }

    /// The enterprises, products and barcodes the documents refer to.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Lines yielded so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// The next day's documents, as drafts in the order they are submitted; `None` once the
    /// plan's line count is reached.
    pub fn next_day(&mut self) -> Option<(NaiveDate, Vec<Transaction>)> {
        if self.lines >= self.plan.lines {
            return None;
        }
        let day = self.day;
        let mut out = vec![];
        self.recorded_later(day, &mut out);
        self.production(day, &mut out);
        self.orders(day, &mut out);
        self.retail(day, &mut out);
        self.lines += out.iter().map(|d| d.lines.len() as u64).sum::<u64>();
        self.day = day + Days::new(1);
        Some((day, out))
    }

    fn recorded_later(&mut self, day: NaiveDate, out: &mut Vec<Transaction>) {
        let due: Vec<NaiveDate> = self.later.range(..=day).map(|(d, _)| *d).collect();
        for d in due {
            for later in self.later.remove(&d).unwrap_or_default() {
                match later {
                    Later::Inbound(doc, holder, adds) => {
                        for (lot, q) in adds {
                            *self.held[holder as usize].entry(lot).or_default() += q;
                        }
                        out.push(*doc);
                    }
                    Later::Return {
                        buyer,
                        seller,
                        lot,
                        quantity,
                    } => {
                        let held = self.held[buyer as usize].get(&lot).copied().unwrap_or(0);
                        if held < quantity {
                            continue;
                        }
                        self.take(buyer, lot, quantity);
                        let lines = vec![(lot, quantity)];
                        out.push(self.document(
                            buyer,
                            TransactionKind::PurchaseReturn,
                            Some(seller),
                            day,
                            &lines,
                        ));
                        let back = self.document(
                            seller,
                            TransactionKind::SalesReturn,
                            Some(buyer),
                            day + Days::new(1),
                            &lines,
                        );
                        self.schedule(
                            day + Days::new(1),
                            Later::Inbound(Box::new(back), seller, lines),
                        );
                    }
                }
            }
        }
    }

    /// Each product gets a new batch every 30 days (staggered), 20,000–40,000 units.
    fn production(&mut self, day: NaiveDate, out: &mut Vec<Transaction>) {
        let index = (day - self.plan.start).num_days() as u32;
        for r in 0..self.catalog.tiers.0 {
            let mut lines = vec![];
            for k in 0..super::PRODUCTS_PER_REGISTRANT {
                if !makes_batch(r, k, index) {
                    continue;
                }
                let product = r * super::PRODUCTS_PER_REGISTRANT + k;
                self.lots.push(Lot {
                    product,
                    produced: day,
                    batch: batch_number(day, k),
                });
                let lot = self.lots.len() as u32 - 1;
                let quantity = self.rng.between(20_000, 40_000);
                *self.held[r as usize].entry(lot).or_default() += quantity;
                lines.push((lot, quantity));
            }
            if !lines.is_empty() {
                out.push(self.document(
                    r,
                    TransactionKind::FinishedGoodsInbound,
                    None,
                    day,
                    &lines,
                ));
            }
        }
    }

    /// Wholesalers order from each supplier about weekly, retail about fortnightly.
    fn orders(&mut self, day: NaiveDate, out: &mut Vec<Transaction>) {
        let (r, _) = self.catalog.tiers;
        for buyer in r..self.catalog.enterprises.len() as u32 {
            let retail = self.catalog.tier(buyer) == Tier::Retail;
            let (every, lines, lo, hi) = if retail {
                (14, (3, 12), 2, 24)
            } else {
                (7, (5, 15), 20, 200)
            };
            for s in 0..self.suppliers[buyer as usize].len() {
                if self.rng.below(every) != 0 {
                    continue;
                }
                let seller = self.suppliers[buyer as usize][s];
                let n = self.rng.between(lines.0, lines.1);
                let picked = self.pick(seller, n, lo, hi);
                if !picked.is_empty() {
                    self.transfer(seller, buyer, day, picked, out);
                }
            }
            // Wholesalers now and then sell to an unregistered customer.
            if !retail && self.rng.below(30) == 0 {
                let n = self.rng.between(1, 3);
                let picked = self.pick(buyer, n, 5, 50);
                if !picked.is_empty() {
                    out.push(self.document(
                        buyer,
                        TransactionKind::SalesOutbound,
                        None,
                        day,
                        &picked,
                    ));
                }
            }
        }
    }

    /// Shops and salons book their sales to consumers about weekly, a line per batch sold.
    fn retail(&mut self, day: NaiveDate, out: &mut Vec<Transaction>) {
        for shop in self.catalog.tiers.1..self.catalog.enterprises.len() as u32 {
            if self.rng.below(7) != 0 {
                continue;
            }
            let n = self.rng.between(3, 10);
            let picked = self.pick(shop, n, 1, 6);
            if !picked.is_empty() {
                out.push(self.document(shop, TransactionKind::SalesOutbound, None, day, &picked));
            }
        }
    }

    /// Records one transfer: 95 % by both sides (the buyer one or two days later), 4 % by the
    /// seller only, 1 % by the buyer only; 1 % of both-sided ones are partly returned.
    fn transfer(
        &mut self,
        seller: u32,
        buyer: u32,
        day: NaiveDate,
        picked: Vec<(u32, u32)>,
        out: &mut Vec<Transaction>,
    ) {
        let how = self.rng.below(100);
        if how == 99 {
            // The seller never recorded it: its own stock, as its records show, is unchanged.
            for &(lot, q) in &picked {
                *self.held[seller as usize].entry(lot).or_default() += q;
            }
        } else {
            out.push(self.document(
                seller,
                TransactionKind::SalesOutbound,
                Some(buyer),
                day,
                &picked,
            ));
        }
        if (95..99).contains(&how) {
            return;
        }
        let late = day + Days::new(u64::from(self.rng.between(1, 2)) * u64::from(how < 99));
        let inbound = self.document(
            buyer,
            TransactionKind::PurchaseInbound,
            Some(seller),
            late,
            &picked,
        );
        if self.rng.below(100) == 0 {
            let (lot, q) = picked[0];
            let back = Later::Return {
                buyer,
                seller,
                lot,
                quantity: q.div_ceil(2),
            };
            self.schedule(late + Days::new(7), back);
        }
        self.schedule(late, Later::Inbound(Box::new(inbound), buyer, picked));
    }

    fn schedule(&mut self, day: NaiveDate, later: Later) {
        self.later.entry(day).or_default().push(later);
    }

    /// Up to `n` distinct lots `seller` holds, each with `lo..=hi` units or what is left, taken
    /// from its stock.
    fn pick(&mut self, seller: u32, n: u32, lo: u32, hi: u32) -> Vec<(u32, u32)> {
        let mut picked: Vec<(u32, u32)> = vec![];
        for _ in 0..n {
            let held = &self.held[seller as usize];
            let probe = self.rng.below(self.lots.len() as u32);
            let Some((&lot, &have)) = held.range(probe..).next().or_else(|| held.iter().next())
            else {
                break;
            };
            if picked.iter().any(|(l, _)| *l == lot) {
                continue;
            }
            let q = self.rng.between(lo, hi).min(have);
            self.take(seller, lot, q);
            picked.push((lot, q));
        }
        picked
    }

    fn take(&mut self, holder: u32, lot: u32, quantity: u32) {
        let held = &mut self.held[holder as usize];
        if let Some(have) = held.get_mut(&lot) {
            *have -= quantity;
            if *have == 0 {
                held.remove(&lot);
            }
        }
    }

    /// A draft of `holder` with `counterparty` (an enterprise of the catalog, or a consumer).
    fn document(
        &mut self,
        holder: u32,
        kind: TransactionKind,
        counterparty: Option<u32>,
        date: NaiveDate,
        lines: &[(u32, u32)],
    ) -> Transaction {
        self.documents += 1;
        let n = self.documents;
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.plan.seed.to_be_bytes());
        bytes[8..].copy_from_slice(&n.to_be_bytes());
        let prefix = match kind {
            TransactionKind::FinishedGoodsInbound => "CP",
            TransactionKind::PurchaseInbound => "CG",
            TransactionKind::PurchaseReturn => "CT",
            TransactionKind::SalesOutbound => "XS",
            TransactionKind::SalesReturn => "XT",
        };
        let me = &self.catalog.enterprises[holder as usize];
        let counterparty = match (kind, counterparty) {
            (TransactionKind::FinishedGoodsInbound, _) => None,
            (_, Some(c)) => {
                let c = &self.catalog.enterprises[c as usize];
                Some(Counterparty {
                    partner_id: None,
                    name: c.name.clone(),
                    uscc: Some(c.uscc.clone()),
                    enterprise_id: Some(c.id),
                })
            }
            (_, None) => Some(Counterparty {
                partner_id: None,
                name: "零售顾客".to_owned(),
                uscc: None,
                enterprise_id: None,
            }),
        };
        Transaction {
            id: TransactionId(uuid::Builder::from_random_bytes(bytes).into_uuid()),
            enterprise_id: me.id,
            kind,
            number: format!("{prefix}{}{n:08}", date.format("%Y%m%d")),
            counterparty,
            date,
            contact: me.contact.clone(),
            phone: me.phone.clone(),
            lines: lines.iter().map(|&(lot, q)| self.line(lot, q)).collect(),
            status: RecordStatus::Draft,
            corrects: None,
            reconciles: None,
            remarks: String::new(),
        }
    }

    fn line(&self, lot: u32, quantity: u32) -> TransactionLine {
        let lot = &self.lots[lot as usize];
        let product = &self.catalog.products[lot.product as usize];
        let unit = &self.catalog.barcodes[lot.product as usize * 2];
        TransactionLine {
            product_id: product.id,
            product_name: product.generic_name.clone(),
            gtin: Some(unit.gtin.clone()),
            quantity,
            unit: "瓶".to_owned(),
            batch: lot.batch.clone(),
            production_date: Some(lot.produced),
            expiry_date: lot
                .produced
                .checked_add_months(Months::new(36))
                .and_then(|d| d.pred_opt()),
        }
    }
}
