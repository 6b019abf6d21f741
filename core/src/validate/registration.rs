//! Cosmetics registration certificate and filing numbers (注册证号/备案号). The number tells
//! whether a product is a special (registered) or ordinary (filed) cosmetic and whether it is
//! domestic or imported, so the product's category is parsed from it rather than typed in.

use super::label::Label;
use crate::problem::Problem;
use serde::{Deserialize, Serialize};

/// The field label of a registration or filing number.
pub const REGISTRATION_LABEL: Label = Label::new("注册证号/备案号", "Registration / filing number");

/// Rule code for a number that matches none of the known patterns.
pub const RULE_REGISTRATION_FORMAT: &str = "registration.format";

/// Province short names (省级简称) used in filing numbers.
pub const PROVINCE_SHORT_NAMES: [&str; 31] = [
    "京", "津", "沪", "渝", "冀", "豫", "云", "辽", "黑", "湘", "皖", "鲁", "新", "苏", "浙", "赣",
    "鄂", "桂", "甘", "晋", "蒙", "陕", "吉", "闽", "贵", "粤", "青", "藏", "川", "宁", "琼",
];

/// Special cosmetics need registration (注册); ordinary ones only filing (备案).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 特殊化妆品 (hair dye, perm, whitening, sunscreen, anti-hair-loss, new efficacy).
    Special,
    /// 普通化妆品.
    Ordinary,
}

impl Category {
    /// Simplified Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Category::Special => "特殊化妆品",
            Category::Ordinary => "普通化妆品",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Category::Special => "Special cosmetic",
            Category::Ordinary => "Ordinary cosmetic",
        }
    }
}

/// Made in China or imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// 国产.
    Domestic,
    /// 进口.
    Imported,
}

impl Origin {
    /// Simplified Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Origin::Domestic => "国产",
            Origin::Imported => "进口",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Origin::Domestic => "Domestic",
            Origin::Imported => "Imported",
        }
    }
}

/// What a registration or filing number says about its product.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct RegistrationNumber {
    /// Special (registered) or ordinary (filed).
    pub category: Category,
    /// Domestic or imported.
    pub origin: Origin,
    /// Issued under a pattern no longer used for new numbers (卫妆…, 国妆备进字…); such
    /// numbers stay on old stock and must still be accepted.
    pub legacy: bool,
    /// Province short name (e.g. 浙) of the filing authority, or for imported filings of the
    /// domestic responsible person; `None` for national registrations.
    pub province: Option<String>,
    /// Year of issue, when the number carries one.
    pub year: Option<u16>,
}

/// The form numbers are matched in: whitespace removed, full-width brackets, digits and
/// Latin letters folded to ASCII, Latin letters uppercased.
pub fn normalise_registration(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            // Full-width ASCII block (！ to ～) maps onto ASCII by a fixed offset.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Parses a registration or filing number (see the module docs); `None` when it matches no
/// known pattern. Input is normalised with [`normalise_registration`] first.
pub fn parse_registration(s: &str) -> Option<RegistrationNumber> {
    let n = normalise_registration(s);
    let n = n.as_str();
    let make = |category, origin, legacy, province: Option<&str>, year| RegistrationNumber {
        category,
        origin,
        legacy,
        province: province.map(str::to_owned),
        year,
    };
    use Category::{Ordinary, Special};
    use Origin::{Domestic, Imported};

    // 浙G妆网备字2023001147
    if let Some((province, rest)) = split_province(n)
        && let Some(rest) = rest.strip_prefix("G妆网备字")
    {
        let year = year_then_digits(rest, 6)?;
        return Some(make(Ordinary, Domestic, false, Some(province), Some(year)));
    }
    // 国妆网备进字(沪)2020009314
    if let Some(rest) = n.strip_prefix("国妆网备进字(") {
        let (province, rest) = split_province(rest)?;
        let year = year_then_digits(rest.strip_prefix(')')?, 6)?;
        return Some(make(Ordinary, Imported, false, Some(province), Some(year)));
    }
    // 国妆特字G20190372; an 8-digit tail that does not start with a year is an older number.
    if let Some(rest) = n.strip_prefix("国妆特字G") {
        return eight_digits(rest).map(|year| make(Special, Domestic, year.is_none(), None, year));
    }
    // 国妆特进字J20190153
    if let Some(rest) = n.strip_prefix("国妆特进字J") {
        return eight_digits(rest).map(|year| make(Special, Imported, year.is_none(), None, year));
    }
    // 国妆备进字J20153255: imported ordinary filing before online filing (网备) began.
    if let Some(rest) = n.strip_prefix("国妆备进字J") {
        return eight_digits(rest).map(|year| make(Ordinary, Imported, true, None, year));
    }
    // Ministry of Health era: 卫妆特字(2005)第0123号, 卫妆特进字(…)…, 卫妆进字(…)…, 卫妆备进字(…)….
    for (prefix, category, origin) in [
        ("卫妆特字", Special, Domestic),
        ("卫妆特进字", Special, Imported),
        ("卫妆进字", Ordinary, Imported),
        ("卫妆备进字", Ordinary, Imported),
    ] {
        if let Some(rest) = n.strip_prefix(prefix) {
            let year = ministry_of_health_tail(rest)?;
            return Some(make(category, origin, true, None, Some(year)));
        }
    }
    None
}

/// Every problem with a registration or filing number (`registration.format`, error).
pub fn check_registration(field: &str, value: &str) -> Vec<Problem> {
    if parse_registration(value).is_some() {
        return Vec::new();
    }
    vec![REGISTRATION_LABEL.error(
        field,
        RULE_REGISTRATION_FORMAT,
        "格式不正确，应形如 浙G妆网备字2023001147、国妆网备进字（沪）2020009314、\
         国妆特字G20190372 或 国妆特进字J20190153",
        "is not a known format; expected e.g. 浙G妆网备字2023001147, \
         国妆网备进字（沪）2020009314, 国妆特字G20190372 or 国妆特进字J20190153",
    )]
}

/// Splits a leading province short name off `s`.
fn split_province(s: &str) -> Option<(&str, &str)> {
    let first = s.chars().next()?;
    let (head, rest) = s.split_at(first.len_utf8());
    PROVINCE_SHORT_NAMES.contains(&head).then_some((head, rest))
}

/// A plausible year of issue; numbers have carried years only since the 1980s.
fn plausible_year(digits: &str) -> Option<u16> {
    let y: u16 = digits.parse().ok()?;
    (1980..=2099).contains(&y).then_some(y)
}

fn all_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYY` followed by exactly `serial` digits; returns the year.
fn year_then_digits(s: &str, serial: usize) -> Option<u16> {
    if !all_digits(s, 4 + serial) {
        return None;
    }
    plausible_year(&s[..4])
}

/// Exactly eight digits; `Some(Some(year))` when they start with a plausible year.
fn eight_digits(s: &str) -> Option<Option<u16>> {
    all_digits(s, 8).then(|| plausible_year(&s[..4]))
}

/// `(YYYY)第N号` with one or more serial digits; returns the year.
fn ministry_of_health_tail(s: &str) -> Option<u16> {
    let rest = s.strip_prefix('(')?;
    let (year, rest) = rest.split_at_checked(4)?;
    let year = if all_digits(year, 4) {
        plausible_year(year)?
    } else {
        return None;
    };
    let serial = rest.strip_prefix(")第")?.strip_suffix('号')?;
    (!serial.is_empty() && serial.bytes().all(|b| b.is_ascii_digit())).then_some(year)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Category::{Ordinary, Special};
    use Origin::{Domestic, Imported};
    use proptest::prelude::*;

    fn rn(
        category: Category,
        origin: Origin,
        legacy: bool,
        province: Option<&str>,
        year: Option<u16>,
    ) -> Option<RegistrationNumber> {
        Some(RegistrationNumber {
            category,
            origin,
            legacy,
            province: province.map(str::to_owned),
            year,
        })
    }

    #[test]
    fn table_of_numbers() {
        let cases = [
            (
                "浙G妆网备字2023001147",
                rn(Ordinary, Domestic, false, Some("浙"), Some(2023)),
            ),
            (
                " 甘G妆网备字 2022000123 ",
                rn(Ordinary, Domestic, false, Some("甘"), Some(2022)),
            ),
            (
                "粤g妆网备字2021123456",
                rn(Ordinary, Domestic, false, Some("粤"), Some(2021)),
            ),
            (
                "国妆网备进字（沪）2020009314",
                rn(Ordinary, Imported, false, Some("沪"), Some(2020)),
            ),
            (
                "国妆网备进字(京)2021000001",
                rn(Ordinary, Imported, false, Some("京"), Some(2021)),
            ),
            (
                "国妆网备进字 （ 沪 ） 2020009314",
                rn(Ordinary, Imported, false, Some("沪"), Some(2020)),
            ),
            (
                "国妆特字G20190372",
                rn(Special, Domestic, false, None, Some(2019)),
            ),
            (
                "国妆特字Ｇ２０１９０３７２",
                rn(Special, Domestic, false, None, Some(2019)),
            ),
            ("国妆特字G09010372", rn(Special, Domestic, true, None, None)),
            (
                "国妆特进字J20190153",
                rn(Special, Imported, false, None, Some(2019)),
            ),
            (
                "国妆备进字J20153255",
                rn(Ordinary, Imported, true, None, Some(2015)),
            ),
            (
                "卫妆特字(2005)第0123号",
                rn(Special, Domestic, true, None, Some(2005)),
            ),
            (
                "卫妆特字（2005）第0123号",
                rn(Special, Domestic, true, None, Some(2005)),
            ),
            (
                "卫妆进字(2003)第1234号",
                rn(Ordinary, Imported, true, None, Some(2003)),
            ),
            (
                "卫妆特进字(2007)第0456号",
                rn(Special, Imported, true, None, Some(2007)),
            ),
            (
                "卫妆备进字(2008)第12345号",
                rn(Ordinary, Imported, true, None, Some(2008)),
            ),
            // Unknown province, wrong digit counts, missing parts, implausible years.
            ("港G妆网备字2023001147", None),
            ("浙G妆网备字202300114", None),
            ("浙G妆网备字20230011470", None),
            ("浙G妆网备字0023001147", None),
            ("浙妆网备字2023001147", None),
            ("国妆网备进字（港）2020009314", None),
            ("国妆网备进字沪2020009314", None),
            ("国妆网备进字（沪）202000931", None),
            ("国妆特字G2019037", None),
            ("国妆特字2019037", None),
            ("国妆特进字G20190153", None),
            ("国妆备进字J2015325", None),
            ("卫妆特字(2005)第号", None),
            ("卫妆特字(2005)0123号", None),
            ("卫妆特字(05)第0123号", None),
            ("卫妆特字(2005)第0123", None),
            ("", None),
            ("浙", None),
            ("2023001147", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_registration(s), want, "{s:?}");
            let ps = check_registration("registration_number", s);
            assert_eq!(ps.is_empty(), want.is_some(), "{s:?}");
            assert!(ps.iter().all(|p| p.rule == "registration.format"));
        }
    }

    #[test]
    fn every_province_parses() {
        for p in PROVINCE_SHORT_NAMES {
            let r = parse_registration(&format!("{p}G妆网备字2023001147")).unwrap();
            assert_eq!(r.province.as_deref(), Some(p));
            let r = parse_registration(&format!("国妆网备进字（{p}）2020009314")).unwrap();
            assert_eq!(r.province.as_deref(), Some(p));
        }
    }

    #[test]
    fn serde_uses_snake_case() {
        let r = parse_registration("国妆特进字J20190153").unwrap();
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "category": "special", "origin": "imported", "legacy": false,
                "province": null, "year": 2019
            })
        );
        let back: RegistrationNumber = serde_json::from_value(json).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn labels() {
        assert_eq!(Category::Special.label_zh(), "特殊化妆品");
        assert_eq!(Category::Ordinary.label_en(), "Ordinary cosmetic");
        assert_eq!(Origin::Imported.label_zh(), "进口");
        assert_eq!(Origin::Domestic.label_en(), "Domestic");
    }

    #[test]
    fn normalisation() {
        assert_eq!(
            normalise_registration(" 国妆网备进字 （沪） ２０２０009314\t"),
            "国妆网备进字(沪)2020009314"
        );
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,24}") {
            let _ = check_registration("r", &s);
        }
    }
}
