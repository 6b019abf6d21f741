//! Unified social credit code (统一社会信用代码), GB 32100-2015.
//!
//! A wrong shape is an error, but a failed checksum is only a warning: some early pilot codes
//! from Fujian (e.g. 91350100M0001TGQXM) fail the checksum and are nevertheless lawful.

use super::label::Label;
use crate::problem::Problem;

/// The field label of a USCC.
pub const USCC_LABEL: Label = Label::new("统一社会信用代码", "Unified social credit code");

/// Rule code for a USCC of the wrong length or with characters outside the code's alphabet.
pub const RULE_USCC_FORMAT: &str = "uscc.format";
/// Rule code for a USCC whose check character does not match (a warning).
pub const RULE_USCC_CHECKSUM: &str = "uscc.checksum";

/// The 31 characters of the code, in value order; I, O, Z, S and V are left out because they
/// are easily mistaken for digits.
const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Length of a code.
const LEN: usize = 18;

/// Value of a code character (already uppercase), or `None` outside the alphabet.
fn value_of(c: char) -> Option<u32> {
    CHARSET.find(c).map(|i| i as u32)
}

/// The trimmed, uppercased form codes are stored and compared in.
pub fn normalise_uscc(value: &str) -> String {
    value.trim().to_uppercase()
}

/// The check character (position 18) for the first 17 characters of a code, or `None` when
/// `first17` is not 17 characters of the code's alphabet. Lowercase letters are accepted.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut weight = 1u32;
    let mut count = 0usize;
    for c in first17.chars() {
        let v = value_of(c.to_ascii_uppercase())?;
        sum += v * weight;
        weight = weight * 3 % 31;
        count += 1;
    }
    if count != LEN - 1 {
        return None;
    }
    let check = (31 - sum % 31) % 31;
    CHARSET.chars().nth(check as usize)
}

/// Every problem with a USCC: its shape (errors, `uscc.format`) and, when the shape is right,
/// its check character (warning, `uscc.checksum`). The value is trimmed and uppercased first.
pub fn check_uscc(field: &str, value: &str) -> Vec<Problem> {
    let code = normalise_uscc(value);
    let chars: Vec<char> = code.chars().collect();
    let mut problems = Vec::new();

    if chars.len() != LEN {
        problems.push(USCC_LABEL.error(
            field,
            RULE_USCC_FORMAT,
            format!("长度应为 {LEN} 位，实际为 {} 位", chars.len()),
            format!("must be {LEN} characters long, got {}", chars.len()),
        ));
    }

    let mut bad: Vec<char> = Vec::new();
    for &c in &chars {
        if value_of(c).is_none() && !bad.contains(&c) {
            bad.push(c);
        }
    }
    if !bad.is_empty() {
        let list_zh = bad
            .iter()
            .map(char::to_string)
            .collect::<Vec<_>>()
            .join("、");
        let list_en = bad
            .iter()
            .map(char::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        problems.push(USCC_LABEL.error(
            field,
            RULE_USCC_FORMAT,
            format!("含有不允许的字符 {list_zh}（只能使用数字和除 I、O、Z、S、V 以外的大写字母）"),
            format!(
                "contains characters that are not allowed: {list_en} \
                 (only digits and capital letters other than I, O, Z, S, V)"
            ),
        ));
    }

    // Positions 3-8 carry the GB/T 2260 region code, so they are digits in every real code.
    if chars
        .iter()
        .skip(2)
        .take(6)
        .any(|c| !c.is_ascii_digit() && value_of(*c).is_some())
    {
        problems.push(USCC_LABEL.error(
            field,
            RULE_USCC_FORMAT,
            "第 3 至 8 位（行政区划码）应为数字",
            "characters 3 to 8 (the region code) must be digits",
        ));
    }

    if problems.is_empty() {
        let (first17, last) = code.split_at(code.len() - 1);
        if let Some(expected) = uscc_check_char(first17)
            && !last.starts_with(expected)
        {
            problems.push(USCC_LABEL.warning(
                field,
                RULE_USCC_CHECKSUM,
                format!("校验位错误：应为 {expected}"),
                format!("check character is wrong, expected {expected}"),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Severity;
    use proptest::prelude::*;

    fn rules(ps: &[Problem]) -> Vec<(&str, Severity)> {
        ps.iter().map(|p| (p.rule.as_str(), p.severity)).collect()
    }

    #[test]
    fn check_char_of_known_codes() {
        let cases = [
            ("91350100M000100Y4", Some('3')),
            ("91512081MA62K0260", Some('E')),
            ("91350100M0001TGQX", Some('1')),
            ("91512081ma62k0260", Some('E')),
            ("91350100M000100Y", None),
            ("91350100M000100Y43", None),
            ("91350100M000100YI", None),
            ("", None),
        ];
        for (first17, want) in cases {
            assert_eq!(uscc_check_char(first17), want, "{first17}");
        }
    }

    #[test]
    fn table_of_codes() {
        use Severity::{Error, Warning};
        let cases: &[(&str, &[(&str, Severity)])] = &[
            ("91350100M000100Y43", &[]),
            ("91512081MA62K0260E", &[]),
            ("  91512081ma62k0260e ", &[]),
            // Lawful early Fujian code that fails the checksum: warn only.
            ("91350100M0001TGQXM", &[("uscc.checksum", Warning)]),
            ("91350100M000100Y44", &[("uscc.checksum", Warning)]),
            ("91350100M000100Y4", &[("uscc.format", Error)]),
            ("", &[("uscc.format", Error)]),
            ("91350100M000100YO3", &[("uscc.format", Error)]),
            (
                "9135010IM000100Y4",
                &[("uscc.format", Error), ("uscc.format", Error)],
            ),
            ("913501A0M000100Y43", &[("uscc.format", Error)]),
            (
                "91A350100M000100YO3",
                &[
                    ("uscc.format", Error),
                    ("uscc.format", Error),
                    ("uscc.format", Error),
                ],
            ),
        ];
        for (value, want) in cases {
            let ps = check_uscc("uscc", value);
            assert_eq!(rules(&ps), *want, "{value:?}: {ps:?}");
            assert!(ps.iter().all(|p| p.field == "uscc"));
        }
    }

    #[test]
    fn checksum_message_names_field_and_expected_char() {
        let ps = check_uscc("uscc", "91350100M000100Y49");
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].message_zh, "统一社会信用代码校验位错误：应为 3");
        assert_eq!(
            ps[0].message_en,
            "Unified social credit code: check character is wrong, expected 3"
        );
    }

    #[test]
    fn forbidden_chars_are_named() {
        let ps = check_uscc("partner.uscc", "91350100M0S010SZ43");
        assert_eq!(ps.len(), 1);
        assert!(ps[0].message_zh.contains("S、Z"), "{}", ps[0].message_zh);
        assert!(ps[0].message_en.contains("S, Z"), "{}", ps[0].message_en);
        assert_eq!(ps[0].field, "partner.uscc");
    }

    fn code_char() -> impl Strategy<Value = char> {
        proptest::sample::select(CHARSET.chars().collect::<Vec<_>>())
    }

    fn valid_first17() -> impl Strategy<Value = String> {
        (
            proptest::collection::vec(code_char(), 2),
            proptest::collection::vec(proptest::char::range('0', '9'), 6),
            proptest::collection::vec(code_char(), 9),
        )
            .prop_map(|(a, b, c)| a.into_iter().chain(b).chain(c).collect())
    }

    proptest! {
        #[test]
        fn appending_the_check_char_gives_a_clean_code(first17 in valid_first17()) {
            let check = uscc_check_char(&first17).unwrap();
            let code = format!("{first17}{check}");
            prop_assert_eq!(check_uscc("uscc", &code), vec![]);
        }

        #[test]
        fn any_single_substitution_is_caught(
            first17 in valid_first17(),
            pos in 0usize..18,
            replacement in code_char(),
        ) {
            let mut chars: Vec<char> = first17.chars().collect();
            chars.push(uscc_check_char(&first17).unwrap());
            prop_assume!(chars[pos] != replacement);
            chars[pos] = replacement;
            let code: String = chars.into_iter().collect();
            // 31 is prime and no weight is 0 mod 31, so every substitution changes the sum.
            prop_assert!(!check_uscc("uscc", &code).is_empty());
        }

        #[test]
        fn never_panics(s in "\\PC{0,24}") {
            let _ = check_uscc("uscc", &s);
            let _ = uscc_check_char(&s);
        }
    }
}
