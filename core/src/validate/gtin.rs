//! GTIN check digits (GS1 General Specifications §7.9.1) for GTIN-8, -12, -13 and -14.
//! Prefixes 690–699 are GS1 China's; nothing here depends on the prefix.

use super::label::Label;
use crate::problem::Problem;

/// The field label of a barcode number.
pub const GTIN_LABEL: Label = Label::new("条形码", "Barcode (GTIN)");

/// Rule code for a GTIN of the wrong length or with non-digits.
pub const RULE_GTIN_FORMAT: &str = "gtin.format";
/// Rule code for a GTIN whose check digit does not match.
pub const RULE_GTIN_CHECK_DIGIT: &str = "gtin.check_digit";

/// The lengths a GTIN may have.
const LENGTHS: [usize; 4] = [8, 12, 13, 14];

/// The GS1 check digit of `data` (the digits before the check digit): weights 3, 1, 3, 1, …
/// from the rightmost digit; `None` when `data` is empty or not all ASCII digits. Works for
/// any GS1 key length (GTIN, GLN, SSCC).
pub fn gtin_check_digit(data: &str) -> Option<u8> {
    if data.is_empty() || !data.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = data
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    Some(((10 - sum % 10) % 10) as u8)
}

/// Whether `value` (trimmed) is a GTIN of a valid length with a correct check digit.
pub fn is_valid_gtin(value: &str) -> bool {
    check_gtin("", value).is_empty()
}

/// The 14-digit form used in GS1 element strings `(01)` and Digital Link URIs: the GTIN
/// left-padded with zeros, which leaves the check digit unchanged. `None` unless the value
/// is a valid GTIN, so a mistyped code never reaches a label or a link.
pub fn to_gtin14(value: &str) -> Option<String> {
    let v = value.trim();
    is_valid_gtin(v).then(|| format!("{v:0>14}"))
}

/// Every problem with a GTIN: length and digits (`gtin.format`) and, when those are right,
/// the check digit (`gtin.check_digit`). Both are errors. The value is trimmed first.
pub fn check_gtin(field: &str, value: &str) -> Vec<Problem> {
    check_gtin_labelled(field, GTIN_LABEL, value)
}

/// [`check_gtin`] for a field with its own label, e.g. the GTIN of the level below.
pub fn check_gtin_labelled(field: &str, label: Label, value: &str) -> Vec<Problem> {
    let v = value.trim();
    let mut problems = Vec::new();
    if !v.chars().all(|c| c.is_ascii_digit()) {
        problems.push(label.error(
            field,
            RULE_GTIN_FORMAT,
            "只能包含数字",
            "must contain digits only",
        ));
    }
    let len = v.chars().count();
    if !LENGTHS.contains(&len) {
        problems.push(label.error(
            field,
            RULE_GTIN_FORMAT,
            format!("长度应为 8、12、13 或 14 位，实际为 {len} 位"),
            format!("must be 8, 12, 13 or 14 digits long, got {len}"),
        ));
    }
    if problems.is_empty() {
        let (data, check) = v.split_at(v.len() - 1);
        if let Some(expected) = gtin_check_digit(data)
            && check.as_bytes()[0] != b'0' + expected
        {
            problems.push(label.error(
                field,
                RULE_GTIN_CHECK_DIGIT,
                format!("校验位错误：应为 {expected}"),
                format!("check digit is wrong, expected {expected}"),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn check_digits() {
        let cases = [
            ("629104150021", Some(3)),
            ("690123456789", Some(2)),
            ("1234567", Some(0)),
            ("0", Some(0)),
            ("1", Some(7)),
            ("", None),
            ("69012345678a", None),
            ("６９０", None),
        ];
        for (data, want) in cases {
            assert_eq!(gtin_check_digit(data), want, "{data:?}");
        }
    }

    #[test]
    fn table_of_codes() {
        let cases: &[(&str, &[&str])] = &[
            ("6291041500213", &[]),
            ("6901234567892", &[]),
            ("6920202888883", &[]),
            ("6902083881405", &[]),
            ("6903148042441", &[]),
            ("12345670", &[]),
            ("036000291452", &[]),
            ("16901234567899", &[]),
            (" 6901234567892 ", &[]),
            ("6901234567893", &["gtin.check_digit"]),
            ("690123456789", &["gtin.check_digit"]),
            ("690123456", &["gtin.format"]),
            ("", &["gtin.format"]),
            ("69012345678X2", &["gtin.format"]),
            ("6901-234567892", &["gtin.format"]),
            ("6901-234567", &["gtin.format", "gtin.format"]),
        ];
        for (value, want) in cases {
            let ps = check_gtin("gtin", value);
            let got: Vec<&str> = ps.iter().map(|p| p.rule.as_str()).collect();
            assert_eq!(got, *want, "{value:?}: {ps:?}");
        }
    }

    #[test]
    fn check_digit_message() {
        let ps = check_gtin("lines[0].gtin", "6901234567893");
        assert_eq!(ps[0].field, "lines[0].gtin");
        assert_eq!(ps[0].message_zh, "条形码校验位错误：应为 2");
        assert_eq!(
            ps[0].message_en,
            "Barcode (GTIN): check digit is wrong, expected 2"
        );
    }

    #[test]
    fn padding_to_14() {
        let cases = [
            ("6901234567892", Some("06901234567892")),
            ("12345670", Some("00000012345670")),
            ("036000291452", Some("00036000291452")),
            ("16901234567899", Some("16901234567899")),
            ("6901234567893", None),
            ("abc", None),
        ];
        for (value, want) in cases {
            assert_eq!(to_gtin14(value).as_deref(), want, "{value}");
        }
    }

    fn valid_gtin() -> impl Strategy<Value = String> {
        proptest::sample::select(vec![7usize, 11, 12, 13]).prop_flat_map(|n| {
            proptest::collection::vec(0u8..10, n).prop_map(|ds| {
                let data: String = ds.iter().map(|d| char::from(b'0' + d)).collect();
                let check = gtin_check_digit(&data).unwrap();
                format!("{data}{check}")
            })
        })
    }

    proptest! {
        #[test]
        fn computed_check_digit_validates(gtin in valid_gtin()) {
            prop_assert_eq!(check_gtin("gtin", &gtin), vec![]);
            let g14 = to_gtin14(&gtin).unwrap();
            prop_assert_eq!(g14.len(), 14);
            prop_assert!(is_valid_gtin(&g14));
        }

        #[test]
        fn changing_one_digit_fails_the_check(
            gtin in valid_gtin(),
            pos in 0usize..14,
            digit in 0u8..10,
        ) {
            let mut b = gtin.into_bytes();
            let pos = pos % b.len();
            prop_assume!(b[pos] != b'0' + digit);
            b[pos] = b'0' + digit;
            let changed = String::from_utf8(b).unwrap();
            let ps = check_gtin("gtin", &changed);
            prop_assert_eq!(ps.len(), 1);
            prop_assert_eq!(ps[0].rule.as_str(), "gtin.check_digit");
        }

        #[test]
        fn never_panics(s in "\\PC{0,16}") {
            let _ = check_gtin("gtin", &s);
            let _ = to_gtin14(&s);
        }
    }
}
