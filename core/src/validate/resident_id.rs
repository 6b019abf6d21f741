//! Citizen identity numbers (公民身份号码), GB 11643-1999: 6 digits of region, 8 of birth
//! date, 3 of sequence and a check character (0-9 or X).
//!
//! Only the 18-character form is accepted: the 15-digit first-generation cards stopped being
//! valid in 2013.

use super::label::Label;
use super::region::is_province_prefix;
use crate::problem::Problem;
use chrono::NaiveDate;

/// The field label of an identity number.
pub const ID_NUMBER_LABEL: Label = Label::new("身份证号", "ID card number");

/// Rule code for an identity number of the wrong shape or region.
pub const RULE_ID_FORMAT: &str = "id_number.format";
/// Rule code for an identity number whose birth date is impossible.
pub const RULE_ID_BIRTH_DATE: &str = "id_number.birth_date";
/// Rule code for an identity number whose check character does not match.
pub const RULE_ID_CHECKSUM: &str = "id_number.checksum";

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_MAP: &[u8; 11] = b"10X98765432";

/// Earliest birth date accepted; anything before is certainly a typo.
const EARLIEST_BIRTH: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date");

/// The check character for the first 17 digits, or `None` unless `first17` is 17 ASCII digits.
pub fn resident_id_check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(char::from(CHECK_MAP[(sum % 11) as usize]))
}

/// The birth date in positions 7-14, when the number is long enough and they form a real date.
pub fn birth_date_of(id_number: &str) -> Option<NaiveDate> {
    let digits = id_number.trim().get(6..14)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| digits[r].parse::<u32>().ok();
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(4..6)?, num(6..8)?)
}

/// Every problem with an identity number: shape and region (`id_number.format`), birth date
/// (`id_number.birth_date`: a real date, from 1900 on, not after `today`) and check character
/// (`id_number.checksum`). All are errors. The value is trimmed and `x` uppercased first.
pub fn check_resident_id(field: &str, value: &str, today: NaiveDate) -> Vec<Problem> {
    let id = value.trim().to_uppercase();
    let b = id.as_bytes();
    let shape_ok = b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X');
    if !shape_ok {
        return vec![ID_NUMBER_LABEL.error(
            field,
            RULE_ID_FORMAT,
            "应为 18 位：前 17 位为数字，最后一位为数字或 X",
            "must be 18 characters: 17 digits followed by a digit or X",
        )];
    }

    let mut problems = Vec::new();
    // Taiwan residents' residence permits use 83, which GB/T 2260 itself does not list.
    if !is_province_prefix(&id) && &id[..2] != "83" {
        problems.push(ID_NUMBER_LABEL.error(
            field,
            RULE_ID_FORMAT,
            format!("前两位 {} 不是有效的省级行政区划代码", &id[..2]),
            format!("the first two digits {} are not a province code", &id[..2]),
        ));
    }

    match birth_date_of(&id) {
        None => problems.push(ID_NUMBER_LABEL.error(
            field,
            RULE_ID_BIRTH_DATE,
            format!("第 7 至 14 位出生日期 {} 不是有效日期", &id[6..14]),
            format!(
                "characters 7 to 14 ({}) are not a valid birth date",
                &id[6..14]
            ),
        )),
        Some(born) if born > today => problems.push(ID_NUMBER_LABEL.error(
            field,
            RULE_ID_BIRTH_DATE,
            format!("出生日期 {born} 晚于今天"),
            format!("birth date {born} is in the future"),
        )),
        Some(born) if born < EARLIEST_BIRTH => problems.push(ID_NUMBER_LABEL.error(
            field,
            RULE_ID_BIRTH_DATE,
            format!("出生日期 {born} 早于 1900 年"),
            format!("birth date {born} is before 1900"),
        )),
        Some(_) => {}
    }

    if let Some(expected) = resident_id_check_char(&id[..17])
        && char::from(b[17]) != expected
    {
        problems.push(ID_NUMBER_LABEL.error(
            field,
            RULE_ID_CHECKSUM,
            format!("校验位错误：应为 {expected}"),
            format!("check character is wrong, expected {expected}"),
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
    }

    fn rules(ps: &[Problem]) -> Vec<&str> {
        ps.iter().map(|p| p.rule.as_str()).collect()
    }

    #[test]
    fn check_chars() {
        let cases = [
            ("11010519491231002", Some('X')),
            ("62010219900307001", Some('8')),
            ("44030420000229123", Some('6')),
            ("1101051949123100", None),
            ("1101051949123100X", None),
        ];
        for (first17, want) in cases {
            assert_eq!(resident_id_check_char(first17), want, "{first17}");
        }
    }

    #[test]
    fn table_of_numbers() {
        let cases: &[(&str, &[&str])] = &[
            ("11010519491231002X", &[]),
            ("11010519491231002x", &[]),
            (" 620102199003070018 ", &[]),
            ("440304200002291236", &[]),
            ("830000199001010012", &[]),
            ("110105194912310021", &["id_number.checksum"]),
            ("11010519491231002", &["id_number.format"]),
            ("110105194912310X2X", &["id_number.format"]),
            ("", &["id_number.format"]),
            ("110105490101001", &["id_number.format"]),
            // 1900 was not a leap year.
            (
                "110105190002290011",
                &["id_number.birth_date", "id_number.checksum"],
            ),
            (
                "110105203001010011",
                &["id_number.birth_date", "id_number.checksum"],
            ),
            (
                "110105189912310011",
                &["id_number.birth_date", "id_number.checksum"],
            ),
            (
                "990105194912310021",
                &["id_number.format", "id_number.checksum"],
            ),
        ];
        for (value, want) in cases {
            let ps = check_resident_id("authorised_person.id_number", value, today());
            assert_eq!(rules(&ps), *want, "{value:?}: {ps:?}");
            assert!(ps.iter().all(|p| p.field == "authorised_person.id_number"));
        }
    }

    #[test]
    fn birth_dates() {
        assert_eq!(
            birth_date_of("11010519491231002X"),
            NaiveDate::from_ymd_opt(1949, 12, 31)
        );
        assert_eq!(birth_date_of("110105194913310021"), None);
        assert_eq!(birth_date_of("1101"), None);
        assert_eq!(birth_date_of("110105一九四九1231"), None);
    }

    #[test]
    fn born_today_is_fine() {
        let first17 = "62010220250601001";
        let id = format!("{first17}{}", resident_id_check_char(first17).unwrap());
        assert_eq!(check_resident_id("id", &id, today()), vec![]);
    }

    fn valid_first17() -> impl Strategy<Value = String> {
        (
            proptest::sample::select(vec!["11", "31", "44", "62", "65"]),
            0u32..10_000,
            1900i32..2025,
            1u32..=365,
            0u32..1000,
        )
            .prop_map(|(prov, rest, year, ord, seq)| {
                let day = NaiveDate::from_yo_opt(year, ord).unwrap();
                format!("{prov}{rest:04}{}{seq:03}", day.format("%Y%m%d"))
            })
    }

    proptest! {
        #[test]
        fn appending_the_check_char_gives_a_clean_number(first17 in valid_first17()) {
            let id = format!("{first17}{}", resident_id_check_char(&first17).unwrap());
            prop_assert_eq!(check_resident_id("id", &id, today()), vec![]);
        }

        #[test]
        fn changing_one_digit_is_caught(
            first17 in valid_first17(),
            pos in 0usize..17,
            digit in 0u8..10,
        ) {
            let mut b = format!("{first17}{}", resident_id_check_char(&first17).unwrap()).into_bytes();
            prop_assume!(b[pos] != b'0' + digit);
            b[pos] = b'0' + digit;
            let id = String::from_utf8(b).unwrap();
            prop_assert!(!check_resident_id("id", &id, today()).is_empty());
        }

        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = check_resident_id("id", &s, today());
            let _ = birth_date_of(&s);
        }
    }
}
