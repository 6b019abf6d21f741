//! The life of one sales unit's code: issued → applied → in stock at X → in transit X→Y → in
//! stock at Y → sold/used | destroyed | recalled | lost, as one pure transition function.
//!
//! Uploads arrive in any order from many holders, so a move that does not fit the unit's
//! state is refused with the reason, never forced. A refusal where the code turns up at an
//! enterprise other than the one the records place it with is *suspicious*: the same code at
//! two holders is how a copied (counterfeit) code shows.

use crate::Problem;
use crate::model::EnterpriseId;
use serde::{Deserialize, Serialize};

/// Where a unit is, as its records say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UnitState {
    /// Issued to the enterprise that applied for it (已申请), not yet on a package.
    Issued {
        /// The applicant.
        to: EnterpriseId,
    },
    /// Printed on a package (已赋码) by its applicant, not yet taken into stock.
    Applied {
        /// The applicant.
        by: EnterpriseId,
    },
    /// In an enterprise's stock (在库).
    InStock {
        /// The holder.
        at: EnterpriseId,
    },
    /// Shipped and not yet received (在途).
    InTransit {
        /// The sender.
        from: EnterpriseId,
        /// The addressee.
        to: EnterpriseId,
    },
    /// Sold to a consumer or used (已售出/已使用): the end of its trade.
    Sold {
        /// The last holder.
        by: EnterpriseId,
    },
    /// Destroyed (已销毁).
    Destroyed {
        /// The last holder.
        by: EnterpriseId,
    },
    /// Withdrawn from the market by a recall (已召回).
    Recalled {
        /// The holder that withdrew it.
        by: EnterpriseId,
    },
    /// Reported lost (已丢失).
    Lost {
        /// The holder that reported it.
        by: EnterpriseId,
    },
}

impl UnitState {
    /// The enterprise that physically has the unit, if any does.
    pub fn holder(self) -> Option<EnterpriseId> {
        match self {
            UnitState::Applied { by } => Some(by),
            UnitState::InStock { at } => Some(at),
            _ => None,
        }
    }

    /// Whether the unit's trade has ended (no move can follow).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            UnitState::Sold { .. }
                | UnitState::Destroyed { .. }
                | UnitState::Recalled { .. }
                | UnitState::Lost { .. }
        )
    }

    /// The enterprise the records last place the unit with: its holder, its sender while in
    /// transit, its applicant, or where its trade ended.
    pub fn last_seen_at(self) -> EnterpriseId {
        match self {
            UnitState::Issued { to } => to,
            UnitState::Applied { by } | UnitState::InStock { at: by } => by,
            UnitState::InTransit { from, .. } => from,
            UnitState::Sold { by }
            | UnitState::Destroyed { by }
            | UnitState::Recalled { by }
            | UnitState::Lost { by } => by,
        }
    }
}

/// One scanned move of a unit, by the enterprise that uploads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "move", rename_all = "snake_case")]
pub enum UnitMove {
    /// The applicant printed the code on a package.
    Apply {
        /// The applicant.
        by: EnterpriseId,
    },
    /// Taken into stock (入库): from production when `from` is none, else from a sender.
    Receive {
        /// The receiver.
        at: EnterpriseId,
        /// The sender named on the inbound, if any.
        from: Option<EnterpriseId>,
    },
    /// Shipped (出库) to another enterprise.
    Ship {
        /// The sender.
        from: EnterpriseId,
        /// The addressee.
        to: EnterpriseId,
    },
    /// Sold to a consumer or used.
    Sell {
        /// The holder.
        by: EnterpriseId,
    },
    /// Destroyed.
    Destroy {
        /// The holder.
        by: EnterpriseId,
    },
    /// Withdrawn by a recall.
    Recall {
        /// The holder.
        by: EnterpriseId,
    },
    /// Reported lost, in stock or (by its sender) in transit.
    Lose {
        /// The holder or sender.
        by: EnterpriseId,
    },
}

impl UnitMove {
    /// The move's name in histories: apply, receive, ship, sell, destroy, recall, lose.
    pub fn action(self) -> &'static str {
        match self {
            UnitMove::Apply { .. } => "apply",
            UnitMove::Receive { .. } => "receive",
            UnitMove::Ship { .. } => "ship",
            UnitMove::Sell { .. } => "sell",
            UnitMove::Destroy { .. } => "destroy",
            UnitMove::Recall { .. } => "recall",
            UnitMove::Lose { .. } => "lose",
        }
    }

    /// The enterprise that reports the move.
    pub fn actor(self) -> EnterpriseId {
        match self {
            UnitMove::Apply { by }
            | UnitMove::Sell { by }
            | UnitMove::Destroy { by }
            | UnitMove::Recall { by }
            | UnitMove::Lose { by } => by,
            UnitMove::Receive { at, .. } => at,
            UnitMove::Ship { from, .. } => from,
        }
    }
}

/// Why a move was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum RefusalReason {
    /// The platform never issued this code.
    NeverIssued,
    /// The code was issued to another enterprise.
    IssuedToAnother,
    /// The code is already on a package.
    AlreadyApplied,
    /// The unit is already in this enterprise's stock.
    AlreadyReceived,
    /// The unit was not shipped to this enterprise.
    NotShippedHere,
    /// The unit is not in this enterprise's stock.
    NotHeld,
    /// The unit is already on its way.
    AlreadyShipped,
    /// A shipment to oneself.
    ShippedToSelf,
    /// The unit's trade has ended (sold, destroyed, recalled or lost).
    Ended,
}

/// A refused move: the reason, the state the unit stays in, and whether it is a counterfeit
/// signal for the regulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// Why.
    pub reason: RefusalReason,
    /// The unit's state, unchanged (none for a code never issued).
    pub state: Option<UnitState>,
    /// The code turned up where its records do not place it.
    pub suspicious: bool,
}

impl Refusal {
    /// The refusal as a problem of `field`, in both languages.
    pub fn problem(&self, field: &str) -> Problem {
        let (zh, en) = match self.reason {
            RefusalReason::NeverIssued => {
                ("平台未发放该追溯码", "The platform never issued this code")
            }
            RefusalReason::IssuedToAnother => (
                "该追溯码发放给其他企业",
                "This code was issued to another enterprise",
            ),
            RefusalReason::AlreadyApplied => {
                ("该追溯码已赋码", "This code is already on a package")
            }
            RefusalReason::AlreadyReceived => (
                "该产品已在本企业库存中，不能重复入库",
                "This unit is already in your stock; it cannot be received twice",
            ),
            RefusalReason::NotShippedHere => (
                "该产品未发往本企业",
                "This unit was not shipped to your enterprise",
            ),
            RefusalReason::NotHeld => ("该产品不在本企业库存中", "This unit is not in your stock"),
            RefusalReason::AlreadyShipped => ("该产品已出库在途", "This unit is already shipped"),
            RefusalReason::ShippedToSelf => {
                ("不能出库给本企业", "A unit cannot be shipped to yourself")
            }
            RefusalReason::Ended => (
                "该产品已售出、销毁、召回或丢失",
                "This unit was already sold, destroyed, recalled or lost",
            ),
        };
        let rule = match self.reason {
            RefusalReason::NeverIssued => "unit.never_issued",
            RefusalReason::IssuedToAnother => "unit.issued_to_another",
            RefusalReason::AlreadyApplied => "unit.already_applied",
            RefusalReason::AlreadyReceived => "unit.already_received",
            RefusalReason::NotShippedHere => "unit.not_shipped_here",
            RefusalReason::NotHeld => "unit.not_held",
            RefusalReason::AlreadyShipped => "unit.already_shipped",
            RefusalReason::ShippedToSelf => "unit.shipped_to_self",
            RefusalReason::Ended => "unit.ended",
        };
        Problem::error(field, rule, zh, en)
    }
}

fn refuse(reason: RefusalReason, state: UnitState, actor: EnterpriseId) -> Refusal {
    // Both ends of a shipment may act on it: the addressee too early is an error, not a fake.
    let expected = match state {
        UnitState::InTransit { from, to } => actor == from || actor == to,
        _ => state.last_seen_at() == actor,
    };
    Refusal {
        reason,
        state: Some(state),
        suspicious: !expected,
    }
}

/// The state after `mv`, or why the move cannot happen. `state` is none for a code the
/// platform never issued.
pub fn next_state(state: Option<UnitState>, mv: UnitMove) -> Result<UnitState, Refusal> {
    use RefusalReason as R;
    use UnitState as S;
    let Some(state) = state else {
        return Err(Refusal {
            reason: R::NeverIssued,
            state: None,
            suspicious: true,
        });
    };
    let actor = mv.actor();
    if state.is_final() {
        return Err(refuse(R::Ended, state, actor));
    }
    match (mv, state) {
        (UnitMove::Apply { by }, S::Issued { to }) if by == to => Ok(S::Applied { by }),
        (UnitMove::Apply { .. }, S::Issued { .. }) => Err(refuse(R::IssuedToAnother, state, actor)),
        (UnitMove::Apply { .. }, _) => Err(refuse(R::AlreadyApplied, state, actor)),

        // A production inbound also proves the code was applied: printing is not scanned.
        (UnitMove::Receive { at, from: None }, S::Issued { to: a } | S::Applied { by: a })
            if at == a =>
        {
            Ok(S::InStock { at })
        }
        (UnitMove::Receive { from: None, .. }, S::Issued { .. } | S::Applied { .. }) => {
            Err(refuse(R::IssuedToAnother, state, actor))
        }
        // The addressee takes it in; the sender takes back a delivery the addressee refused.
        (UnitMove::Receive { at, .. }, S::InTransit { from, to }) if at == to || at == from => {
            Ok(S::InStock { at })
        }
        (UnitMove::Receive { at, .. }, S::InStock { at: held }) if at == held => {
            Err(refuse(R::AlreadyReceived, state, actor))
        }
        (UnitMove::Receive { .. }, _) => Err(refuse(R::NotShippedHere, state, actor)),

        (UnitMove::Ship { from, to }, _) if from == to => {
            Err(refuse(R::ShippedToSelf, state, actor))
        }
        (UnitMove::Ship { from, to }, S::InStock { at }) if at == from => {
            Ok(S::InTransit { from, to })
        }
        (UnitMove::Ship { from, .. }, S::InTransit { from: sender, .. }) if sender == from => {
            Err(refuse(R::AlreadyShipped, state, actor))
        }
        (UnitMove::Ship { .. }, _) => Err(refuse(R::NotHeld, state, actor)),

        (UnitMove::Lose { by }, S::InTransit { from, .. }) if from == by => Ok(S::Lost { by }),
        (
            UnitMove::Sell { by }
            | UnitMove::Destroy { by }
            | UnitMove::Recall { by }
            | UnitMove::Lose { by },
            S::InStock { at },
        ) if at == by => Ok(match mv {
            UnitMove::Sell { .. } => S::Sold { by },
            UnitMove::Destroy { .. } => S::Destroyed { by },
            UnitMove::Recall { .. } => S::Recalled { by },
            _ => S::Lost { by },
        }),
        (_, _) => Err(refuse(R::NotHeld, state, actor)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn e(n: u128) -> EnterpriseId {
        EnterpriseId(Uuid::from_u128(n))
    }

    #[test]
    fn a_unit_goes_from_its_maker_to_a_shop_and_is_sold() {
        let (maker, shop) = (e(1), e(2));
        let mut s = UnitState::Issued { to: maker };
        for mv in [
            UnitMove::Apply { by: maker },
            UnitMove::Receive {
                at: maker,
                from: None,
            },
            UnitMove::Ship {
                from: maker,
                to: shop,
            },
            UnitMove::Receive {
                at: shop,
                from: Some(maker),
            },
            UnitMove::Sell { by: shop },
        ] {
            s = next_state(Some(s), mv).unwrap();
        }
        assert_eq!(s, UnitState::Sold { by: shop });
    }

    #[test]
    fn every_refusal_names_its_reason_and_whether_it_is_suspicious() {
        use RefusalReason as R;
        use UnitMove as M;
        use UnitState as S;
        let (x, y, z) = (e(1), e(2), e(3));
        // (state, move, reason, suspicious)
        let cases: Vec<(Option<S>, M, R, bool)> = vec![
            (None, M::Receive { at: x, from: None }, R::NeverIssued, true),
            (
                Some(S::Issued { to: x }),
                M::Apply { by: y },
                R::IssuedToAnother,
                true,
            ),
            (
                Some(S::Issued { to: x }),
                M::Receive { at: y, from: None },
                R::IssuedToAnother,
                true,
            ),
            (
                Some(S::Applied { by: x }),
                M::Apply { by: x },
                R::AlreadyApplied,
                false,
            ),
            (
                Some(S::InStock { at: x }),
                M::Receive { at: x, from: None },
                R::AlreadyReceived,
                false,
            ),
            (
                Some(S::InStock { at: x }),
                M::Receive {
                    at: y,
                    from: Some(x),
                },
                R::NotShippedHere,
                true,
            ),
            (
                Some(S::InTransit { from: x, to: y }),
                M::Receive {
                    at: z,
                    from: Some(x),
                },
                R::NotShippedHere,
                true,
            ),
            (
                Some(S::InStock { at: x }),
                M::Ship { from: y, to: z },
                R::NotHeld,
                true,
            ),
            (
                Some(S::Applied { by: x }),
                M::Ship { from: x, to: y },
                R::NotHeld,
                false,
            ),
            (
                Some(S::InTransit { from: x, to: y }),
                M::Ship { from: x, to: y },
                R::AlreadyShipped,
                false,
            ),
            (
                Some(S::InStock { at: x }),
                M::Ship { from: x, to: x },
                R::ShippedToSelf,
                false,
            ),
            (
                Some(S::Sold { by: y }),
                M::Receive {
                    at: z,
                    from: Some(y),
                },
                R::Ended,
                true,
            ),
            (Some(S::Sold { by: y }), M::Sell { by: y }, R::Ended, false),
            (
                Some(S::InTransit { from: x, to: y }),
                M::Sell { by: y },
                R::NotHeld,
                false,
            ),
            (
                Some(S::InTransit { from: x, to: y }),
                M::Sell { by: z },
                R::NotHeld,
                true,
            ),
        ];
        for (state, mv, reason, suspicious) in cases {
            let r = next_state(state, mv).unwrap_err();
            assert_eq!(
                (r.reason, r.suspicious),
                (reason, suspicious),
                "{state:?} {mv:?}"
            );
            assert_eq!(r.state, state);
            let p = r.problem("lines[0].code");
            assert!(p.rule.starts_with("unit.") && !p.message_zh.is_empty());
        }
    }

    #[test]
    fn a_refused_delivery_returns_to_its_sender_and_transit_losses_are_the_senders() {
        let (x, y) = (e(1), e(2));
        let transit = UnitState::InTransit { from: x, to: y };
        assert_eq!(
            next_state(Some(transit), UnitMove::Receive { at: x, from: None }),
            Ok(UnitState::InStock { at: x })
        );
        assert_eq!(
            next_state(Some(transit), UnitMove::Lose { by: x }),
            Ok(UnitState::Lost { by: x })
        );
        assert!(next_state(Some(transit), UnitMove::Lose { by: y }).is_err());
    }
}
