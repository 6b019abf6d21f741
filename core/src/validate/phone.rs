//! Mainland phone numbers: mobiles `1[3-9]` + 9 digits (an optional `+86`/`86` country code
//! is tolerated because people paste it) and landlines `0` + 2–3 digit area code, an optional
//! hyphen, 7–8 digits and an optional `-extension`.

use super::label::Label;
use crate::problem::Problem;

/// The field label of a contact phone.
pub const PHONE_LABEL: Label = Label::new("联系电话", "Contact phone");

/// Rule code for a phone number that is neither a mobile nor a landline.
pub const RULE_PHONE_FORMAT: &str = "phone.format";

/// Longest extension accepted after a landline.
const MAX_EXTENSION: usize = 6;

/// Whether `s` is a mainland mobile number, `1[3-9]\d{9}`, optionally after `+86`/`86`.
pub fn is_mobile(s: &str) -> bool {
    let s = s.trim();
    let s = ["+86-", "+86 ", "+86", "0086", "86"]
        .iter()
        .find_map(|p| s.strip_prefix(p).filter(|rest| rest.len() == 11))
        .unwrap_or(s);
    let b = s.as_bytes();
    b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
}

/// Whether `s` is a landline, `0\d{2,3}-?\d{7,8}` with an optional `-\d{1,6}` extension.
pub fn is_landline(s: &str) -> bool {
    let parts: Vec<&str> = s.trim().split('-').collect();
    let (number_ok, ext) = match parts.as_slice() {
        [area, number] if is_area_code(area) => (is_subscriber(number), None),
        [area, number, ext] if is_area_code(area) => (is_subscriber(number), Some(*ext)),
        [combined] => (is_combined(combined), None),
        [combined, ext] => (is_combined(combined), Some(*ext)),
        _ => (false, None),
    };
    number_ok && ext.is_none_or(|e| (1..=MAX_EXTENSION).contains(&e.len()) && all_digits(e))
}

fn all_digits(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_digit())
}

/// `0` plus 2–3 digits.
fn is_area_code(s: &str) -> bool {
    (3..=4).contains(&s.len()) && s.starts_with('0') && all_digits(s)
}

/// 7–8 digits.
fn is_subscriber(s: &str) -> bool {
    (7..=8).contains(&s.len()) && all_digits(s)
}

/// Area code and subscriber number written together: 10–12 digits starting with 0, which any
/// split into 3–4 plus 7–8 digits accounts for.
fn is_combined(s: &str) -> bool {
    (10..=12).contains(&s.len()) && s.starts_with('0') && all_digits(s)
}

/// Every problem with a phone number (`phone.format`, error). A blank value has none: whether
/// the phone is required is the record's business.
pub fn check_phone(field: &str, label: Label, value: &str) -> Vec<Problem> {
    if value.trim().is_empty() || is_mobile(value) || is_landline(value) {
        return Vec::new();
    }
    vec![label.error(
        field,
        RULE_PHONE_FORMAT,
        "格式不正确，应为 11 位手机号或区号加号码的固定电话（如 0931-7617990）",
        "must be an 11-digit mobile number or a landline with area code (e.g. 0931-7617990)",
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_of_numbers() {
        let cases = [
            ("13812345678", true),
            ("19912345678", true),
            (" 15012345678 ", true),
            ("+8613812345678", true),
            ("+86 13812345678", true),
            ("8613812345678", true),
            ("12812345678", false),
            ("1381234567", false),
            ("138123456789", false),
            ("0931-7617990", true),
            ("09317617990", true),
            ("010-12345678", true),
            ("01012345678", true),
            ("0931-7618101-123", true),
            ("0931-7618101-1234567", false),
            ("0931-7618101-", false),
            ("010-123456", false),
            ("010-123456789", false),
            ("09317618101-123", true),
            ("931-7617990", false),
            ("0931-761799012", false),
            ("0931--7617990", false),
            ("0931-7617990a", false),
            ("400-810-8888", false),
            ("电话", false),
            ("", true),
            ("   ", true),
        ];
        for (value, ok) in cases {
            let ps = check_phone("phone", PHONE_LABEL, value);
            assert_eq!(ps.is_empty(), ok, "{value:?}");
            assert!(
                ps.iter()
                    .all(|p| p.rule == "phone.format" && p.field == "phone")
            );
        }
    }

    #[test]
    fn message_names_the_field() {
        let label = Label::new("法定授权人联系电话", "Authorised person's phone");
        let ps = check_phone("authorised_person.phone", label, "12345");
        assert!(ps[0].message_zh.starts_with("法定授权人联系电话格式不正确"));
        assert!(ps[0].message_en.starts_with("Authorised person's phone: "));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,20}") {
            let _ = check_phone("phone", PHONE_LABEL, &s);
        }
    }
}
