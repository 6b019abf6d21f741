//! The handling of a nonconforming listing (不合格化妆品处置): open → handling → closed, or
//! revoked as a mistake from any state but revoked. A closed listing keeps its batches
//! nonconforming; a revoked one frees them.

use crate::model::NonconformingStatus;
use crate::problem::Problem;

/// Rule code: a handling state the listing cannot move to from where it is.
pub const RULE_LISTING_STEP: &str = "nonconforming.state";

fn code(s: NonconformingStatus) -> &'static str {
    match s {
        NonconformingStatus::Open => "open",
        NonconformingStatus::Handling => "handling",
        NonconformingStatus::Closed => "closed",
        NonconformingStatus::Revoked => "revoked",
    }
}

/// Whether a listing may move from `from` to `to`; the problem says why not.
pub fn check_listing_step(
    from: NonconformingStatus,
    to: NonconformingStatus,
) -> Result<(), Problem> {
    use NonconformingStatus::*;
    let allowed = matches!(
        (from, to),
        (Open, Handling) | (Open | Handling, Closed) | (Open | Handling | Closed, Revoked)
    );
    if allowed {
        Ok(())
    } else {
        Err(Problem::error(
            "state",
            RULE_LISTING_STEP,
            format!("不合格信息不能从 {} 改为 {}", code(from), code(to)),
            format!("A listing cannot go from {} to {}", code(from), code(to)),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use NonconformingStatus::*;

    #[test]
    fn a_listing_moves_forward_or_is_revoked() {
        for (from, to) in [
            (Open, Handling),
            (Open, Closed),
            (Handling, Closed),
            (Closed, Revoked),
            (Open, Revoked),
        ] {
            assert_eq!(check_listing_step(from, to), Ok(()), "{from:?} -> {to:?}");
        }
        for (from, to) in [
            (Handling, Open),
            (Closed, Handling),
            (Revoked, Open),
            (Revoked, Closed),
            (Open, Open),
        ] {
            let p = check_listing_step(from, to).unwrap_err();
            assert_eq!(
                (p.field.as_str(), p.rule.as_str()),
                ("state", RULE_LISTING_STEP)
            );
        }
    }
}
