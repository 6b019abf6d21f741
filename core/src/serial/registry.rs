//! Codes with their packaging (parent/child aggregation, 关联关系) and states, in memory: the
//! rules of packing and of moving whole packages. The server loads the codes an action
//! concerns into a registry, applies the action here, and writes back what changed.

use super::code::UnitCode;
use super::state::{Refusal, UnitMove, UnitState, next_state};
use crate::Problem;
use crate::model::{EnterpriseId, PackagingLevel, ProductId};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// What the platform knows of one issued code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRecord {
    /// The code.
    pub code: UnitCode,
    /// The package it marks: a sales unit, or a box or case holding other codes.
    pub level: PackagingLevel,
    /// The product.
    pub product: ProductId,
    /// The batch (批号).
    pub batch: String,
    /// Where the package is.
    pub state: UnitState,
    /// The package it is packed in, if any.
    pub parent: Option<UnitCode>,
}

/// One code's state change, for the caller to store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The code.
    pub code: UnitCode,
    /// Its state before.
    pub before: UnitState,
    /// Its state after.
    pub after: UnitState,
}

/// A refused scan: the code inside the scanned package that could not move, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanRefusal {
    /// The scanned code or one inside it.
    pub code: UnitCode,
    /// Why it could not move.
    pub refusal: Refusal,
}

/// Codes, their packaging and states.
#[derive(Debug, Clone, Default)]
pub struct UnitRegistry {
    codes: HashMap<UnitCode, CodeRecord>,
    children: HashMap<UnitCode, Vec<UnitCode>>,
}

fn rank(level: PackagingLevel) -> u8 {
    match level {
        PackagingLevel::Unit => 0,
        PackagingLevel::Box => 1,
        PackagingLevel::Case => 2,
        PackagingLevel::Pallet => 3,
    }
}

fn pack_problem(field: String, rule: &str, zh: &str, en: &str) -> Problem {
    Problem::error(field, rule, zh, en)
}

impl UnitRegistry {
    /// An empty registry.
    pub fn new() -> UnitRegistry {
        UnitRegistry::default()
    }

    /// Adds a code as loaded or just issued; its parent, if any, must be added too.
    pub fn insert(&mut self, record: CodeRecord) {
        if let Some(p) = record.parent {
            self.children.entry(p).or_default().push(record.code);
        }
        self.codes.insert(record.code, record);
    }

    /// The record of `code`.
    pub fn get(&self, code: UnitCode) -> Option<&CodeRecord> {
        self.codes.get(&code)
    }

    /// Every record, in no particular order.
    pub fn records(&self) -> impl Iterator<Item = &CodeRecord> {
        self.codes.values()
    }

    /// The codes packed directly in `code`.
    pub fn children(&self, code: UnitCode) -> &[UnitCode] {
        self.children.get(&code).map_or(&[], Vec::as_slice)
    }

    /// `code` and every code packed in it, at any depth, parents before their children.
    pub fn contents(&self, code: UnitCode) -> Vec<UnitCode> {
        let mut out = vec![code];
        let mut i = 0;
        while i < out.len() {
            out.extend_from_slice(self.children(out[i]));
            i += 1;
        }
        out
    }

    /// The sales units in `code` (itself, if it is one).
    pub fn units_in(&self, code: UnitCode) -> Vec<UnitCode> {
        self.contents(code)
            .into_iter()
            .filter(|c| self.codes.get(c).map(|r| r.level) == Some(PackagingLevel::Unit))
            .collect()
    }

    /// Applies a scanned move to `code` and everything packed in it, all or nothing: scanning
    /// a case ships every unit inside. A package scanned on its own is taken out of the one it
    /// was packed in (that package has been opened).
    pub fn apply(&mut self, code: UnitCode, mv: UnitMove) -> Result<Vec<Change>, ScanRefusal> {
        if !self.codes.contains_key(&code) {
            return Err(ScanRefusal {
                code,
                refusal: next_state(None, mv).expect_err("a code never issued cannot move"),
            });
        }
        let mut changes = Vec::new();
        for c in self.contents(code) {
            let before = self.codes[&c].state;
            let after =
                next_state(Some(before), mv).map_err(|refusal| ScanRefusal { code: c, refusal })?;
            changes.push(Change {
                code: c,
                before,
                after,
            });
        }
        for ch in &changes {
            self.codes.get_mut(&ch.code).expect("loaded").state = ch.after;
        }
        self.detach(code);
        Ok(changes)
    }

    fn detach(&mut self, code: UnitCode) {
        let Some(parent) = self.codes.get_mut(&code).and_then(|r| r.parent.take()) else {
            return;
        };
        if let Some(kids) = self.children.get_mut(&parent) {
            kids.retain(|k| *k != code);
            if kids.is_empty() {
                self.children.remove(&parent);
            }
        }
    }

    /// Packs `children` into `parent` at `actor`'s site (装箱): every code issued, of the
    /// parent's product and batch, one packaging level or more below it, not packed elsewhere,
    /// and in the same state as the parent in `actor`'s hands. Every problem is reported; on
    /// any, nothing changes.
    pub fn pack(
        &mut self,
        parent: UnitCode,
        children: &[UnitCode],
        actor: EnterpriseId,
    ) -> Result<(), Vec<Problem>> {
        let Some(p) = self.codes.get(&parent) else {
            return Err(vec![pack_problem(
                "parent".into(),
                "unit.never_issued",
                "平台未发放该追溯码",
                "The platform never issued this code",
            )]);
        };
        let mut problems = Vec::new();
        if p.state.holder() != Some(actor) {
            problems.push(pack_problem(
                "parent".into(),
                "unit.not_held",
                "该包装不在本企业手中",
                "This package is not in your hands",
            ));
        }
        let mut seen = HashSet::new();
        for (i, &c) in children.iter().enumerate() {
            let field = format!("children[{i}]");
            let Some(r) = self.codes.get(&c) else {
                problems.push(pack_problem(
                    field,
                    "unit.never_issued",
                    "平台未发放该追溯码",
                    "The platform never issued this code",
                ));
                continue;
            };
            if !seen.insert(c) {
                problems.push(pack_problem(
                    field,
                    "packaging.repeated",
                    "同一追溯码重复装入",
                    "The same code is packed twice",
                ));
            } else if rank(r.level) >= rank(p.level) {
                problems.push(pack_problem(
                    field,
                    "packaging.level",
                    "只能装入比外包装更小的包装级别",
                    "Only a smaller packaging level fits in this package",
                ));
            } else if r.parent.is_some() {
                problems.push(pack_problem(
                    field,
                    "packaging.already_packed",
                    "该追溯码已装入其他包装，请先拆包",
                    "This code is already packed in another package; unpack it first",
                ));
            } else if (r.product, &r.batch) != (p.product, &p.batch) {
                problems.push(pack_problem(
                    field,
                    "packaging.mixed",
                    "只能装入同一产品同一批号",
                    "Only the same product and batch can be packed together",
                ));
            } else if r.state != p.state {
                problems.push(pack_problem(
                    field,
                    "packaging.state",
                    "该追溯码与外包装不在同一处",
                    "This code is not where the package is",
                ));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        for &c in children {
            self.codes.get_mut(&c).expect("checked").parent = Some(parent);
        }
        self.children
            .entry(parent)
            .or_default()
            .extend_from_slice(children);
        Ok(())
    }

    /// Takes everything out of `parent` at `actor`'s site (拆包); returns what was in it.
    pub fn unpack(
        &mut self,
        parent: UnitCode,
        actor: EnterpriseId,
    ) -> Result<Vec<UnitCode>, Problem> {
        let held = self.codes.get(&parent).map(|r| r.state.holder());
        if held != Some(Some(actor)) {
            return Err(Problem::error(
                "parent",
                "unit.not_held",
                "该包装不在本企业手中",
                "This package is not in your hands",
            ));
        }
        let kids = self.children.remove(&parent).unwrap_or_default();
        for k in &kids {
            self.codes.get_mut(k).expect("loaded").parent = None;
        }
        Ok(kids)
    }
}
