//! Administrative division codes (行政区划代码), GB/T 2260: two digits of province, two of
//! prefecture, two of county. Regulators see the records of their own division, so scopes
//! are compared by code prefix.

use super::label::Label;
use crate::problem::Problem;

/// The field label of a region code.
pub const REGION_LABEL: Label = Label::new("所属地区", "Region code");

/// Rule code for a region code that is not six digits of a known province.
pub const RULE_REGION_FORMAT: &str = "region.format";

/// Province-level codes of GB/T 2260, including Taiwan (71), Hong Kong (81) and Macao (82).
const PROVINCES: [&str; 34] = [
    "110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000",
    "320000", "330000", "340000", "350000", "360000", "370000", "410000", "420000", "430000",
    "440000", "450000", "460000", "500000", "510000", "520000", "530000", "540000", "610000",
    "620000", "630000", "640000", "650000", "710000", "810000", "820000",
];

/// Whether the first two characters of `code` are a GB/T 2260 province.
pub fn is_province_prefix(code: &str) -> bool {
    code.len() >= 2
        && PROVINCES
            .iter()
            .any(|p| p.as_bytes()[..2] == code.as_bytes()[..2])
}

/// Whether `code` is a well-formed GB/T 2260 code (see [`check_region`]).
pub fn is_region_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 6
        && b.iter().all(u8::is_ascii_digit)
        && is_province_prefix(code)
        // A county never hangs directly under a province without a prefecture part.
        && !(&b[2..4] == b"00" && &b[4..6] != b"00")
}

/// The province-level code (`62xxxx` → `620000`) of a well-formed region code.
pub fn province_of(code: &str) -> Option<&'static str> {
    if !is_region_code(code) {
        return None;
    }
    PROVINCES
        .iter()
        .copied()
        .find(|p| p.as_bytes()[..2] == code.as_bytes()[..2])
}

/// Whether `code` lies inside `region_scope`: a province scope (`620000`) covers `62xxxx`, a
/// prefecture scope (`620100`) covers `6201xx`, and a county scope only itself. Malformed
/// codes are inside nothing, so a typo never widens what a regulator sees.
pub fn within(region_scope: &str, code: &str) -> bool {
    if !is_region_code(region_scope) || !is_region_code(code) {
        return false;
    }
    let scope = region_scope.as_bytes();
    let significant = if &scope[2..6] == b"0000" {
        2
    } else if &scope[4..6] == b"00" {
        4
    } else {
        6
    };
    scope[..significant] == code.as_bytes()[..significant]
}

/// Every problem with a region code (`region.format`, errors). The value is trimmed first.
pub fn check_region(field: &str, value: &str) -> Vec<Problem> {
    let code = value.trim();
    let b = code.as_bytes();
    if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) {
        return vec![REGION_LABEL.error(
            field,
            RULE_REGION_FORMAT,
            "应为 6 位数字的行政区划代码",
            "must be a 6-digit administrative division code",
        )];
    }
    let mut problems = Vec::new();
    if !is_province_prefix(code) {
        problems.push(REGION_LABEL.error(
            field,
            RULE_REGION_FORMAT,
            format!("前两位 {} 不是有效的省级代码", &code[..2]),
            format!("the first two digits {} are not a province", &code[..2]),
        ));
    }
    if &b[2..4] == b"00" && &b[4..6] != b"00" {
        problems.push(REGION_LABEL.error(
            field,
            RULE_REGION_FORMAT,
            "地级代码为 00 时县级代码也应为 00",
            "the county digits must be 00 when the prefecture digits are 00",
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_of_codes() {
        let cases: &[(&str, usize)] = &[
            ("620000", 0),
            ("620100", 0),
            ("620102", 0),
            (" 110105 ", 0),
            ("469001", 0),
            ("820000", 0),
            ("", 1),
            ("62010", 1),
            ("6201020", 1),
            ("62010A", 1),
            ("６２０１０２", 1),
            ("160000", 1),
            ("000000", 1),
            ("620012", 1),
            ("990012", 2),
        ];
        for (value, n) in cases {
            let ps = check_region("region_code", value);
            assert_eq!(ps.len(), *n, "{value:?}: {ps:?}");
            assert!(ps.iter().all(|p| p.rule == "region.format"));
            assert_eq!(is_region_code(value.trim()), *n == 0, "{value:?}");
        }
    }

    #[test]
    fn every_listed_province_first_digits_is_accepted() {
        let firsts = [
            11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50,
            51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
        ];
        for n in 10..100 {
            let code = format!("{n}0000");
            assert_eq!(is_region_code(&code), firsts.contains(&n), "{code}");
        }
    }

    #[test]
    fn province_of_codes() {
        let cases = [
            ("620102", Some("620000")),
            ("620000", Some("620000")),
            ("110105", Some("110000")),
            ("160102", None),
            ("62010", None),
        ];
        for (code, want) in cases {
            assert_eq!(province_of(code), want, "{code}");
        }
    }

    #[test]
    fn scopes_cover_by_level() {
        let cases = [
            ("620000", "620000", true),
            ("620000", "620102", true),
            ("620000", "629001", true),
            ("620000", "630102", false),
            ("620100", "620100", true),
            ("620100", "620102", true),
            ("620100", "620202", false),
            ("620102", "620102", true),
            ("620102", "620103", false),
            ("620102", "620100", false),
            ("620100", "620000", false),
            ("62", "620102", false),
            ("620000", "62xxxx", false),
            ("", "", false),
        ];
        for (scope, code, want) in cases {
            assert_eq!(within(scope, code), want, "{scope} ⊇ {code}");
        }
    }
}
