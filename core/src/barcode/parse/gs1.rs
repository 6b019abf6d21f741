//! GS1 element strings: as a scanner transmits them (symbology identifier, FNC1 sent as
//! ASCII 29) and in the human-readable bracket form `(01)…(17)…`.

use super::ai::{self, AiSpec, Length};
use crate::validate::gtin::{gtin_check_digit, is_valid_gtin};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// FNC1 as a scanner transmits it between fields: ASCII 29 (GS).
pub const GS: char = '\u{1d}';

/// Symbology identifiers that announce GS1 data: GS1-128, GS1 DataMatrix, GS1 QR, GS1 DataBar.
pub const GS1_IDENTIFIERS: [&str; 4] = ["]C1", "]d2", "]Q3", "]e0"];

/// The fields a GS1 code carries (from an element string or a Digital Link URI).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gs1Data {
    /// (01) GTIN, 14 digits, check digit verified.
    pub gtin: Option<String>,
    /// (10) batch or lot number (批号).
    pub batch: Option<String>,
    /// (11) production date (生产日期); a day of 00 is read as the month's last day.
    pub production_date: Option<NaiveDate>,
    /// (17) expiry date (限用日期/有效期至); a day of 00 is read as the month's last day.
    pub expiry: Option<NaiveDate>,
    /// (21) serial number (序列号).
    pub serial: Option<String>,
    /// Every other AI with its raw value, in the order found.
    pub other: Vec<(String, String)>,
}

impl Gs1Data {
    /// Builds the fields from `(ai, value)` pairs, checking what can be checked (GTIN/SSCC
    /// check digits, dates); `None` if anything is invalid or an AI repeats with a different
    /// value, since a half-trusted record is worse than none on a traceability ledger.
    pub fn from_pairs<I, A, V>(pairs: I) -> Option<Gs1Data>
    where
        I: IntoIterator<Item = (A, V)>,
        A: AsRef<str>,
        V: AsRef<str>,
    {
        let mut data = Gs1Data::default();
        let mut seen: Vec<(String, String)> = Vec::new();
        for (ai, value) in pairs {
            let (ai, value) = (ai.as_ref(), value.as_ref());
            let spec = ai::lookup(ai).filter(|s| s.ai_len == ai.len())?;
            if !ai::value_fits(spec, value) {
                return None;
            }
            if let Some((_, v)) = seen.iter().find(|(a, _)| a == ai) {
                if v != value {
                    return None;
                }
                continue;
            }
            seen.push((ai.to_owned(), value.to_owned()));
            match ai {
                "01" => data.gtin = Some(value.to_owned()).filter(|g| is_valid_gtin(g)),
                "10" => data.batch = Some(value.to_owned()),
                "11" => data.production_date = Some(gs1_date(value)?),
                "17" => data.expiry = Some(gs1_date(value)?),
                "21" => data.serial = Some(value.to_owned()),
                _ => {
                    let key = match ai {
                        "00" | "02" => Some(value),
                        "8006" => value.get(..14),
                        _ => None,
                    };
                    if key.is_some_and(|k| !check_digit_ok(k)) {
                        return None;
                    }
                    if matches!(ai, "13" | "15" | "16") {
                        gs1_date(value)?;
                    }
                    data.other.push((ai.to_owned(), value.to_owned()));
                }
            }
            if ai == "01" && data.gtin.is_none() {
                return None;
            }
        }
        (!seen.is_empty()).then_some(data)
    }

    /// The `(ai, value)` pairs in a canonical order: GTIN, dates, then batch and serial, then
    /// the rest. Dates are written back as YYMMDD with the real day.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut push = |ai: &str, v: Option<String>| {
            if let Some(v) = v {
                out.push((ai.to_owned(), v));
            }
        };
        push("01", self.gtin.clone());
        push("11", self.production_date.map(yymmdd));
        push("17", self.expiry.map(yymmdd));
        push("10", self.batch.clone());
        push("21", self.serial.clone());
        out.extend(self.other.iter().cloned());
        out
    }
}

fn check_digit_ok(key: &str) -> bool {
    let (data, check) = key.split_at(key.len().saturating_sub(1));
    gtin_check_digit(data).is_some_and(|d| check.as_bytes() == [b'0' + d])
}

/// GS1 puts dates as YYMMDD and picks the century with a sliding window around the current
/// year. The parse layer reads no clock, so the window is fixed around this year; it moves
/// one year per year, so this stays right for decades.
const CENTURY_WINDOW_YEAR: i32 = 2026;

/// A GS1 YYMMDD date; a day of 00 means the last day of the month.
pub fn gs1_date(yymmdd: &str) -> Option<NaiveDate> {
    if yymmdd.len() != 6 || !yymmdd.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| yymmdd[r].parse::<u32>().ok();
    let (yy, mm, dd) = (n(0..2)? as i32, n(2..4)?, n(4..6)?);
    let here = CENTURY_WINDOW_YEAR % 100;
    let century = CENTURY_WINDOW_YEAR - here
        + match yy - here {
            51..=99 => -100,
            -99..=-50 => 100,
            _ => 0,
        };
    let year = century + yy;
    if dd == 0 {
        let first = NaiveDate::from_ymd_opt(year, mm, 1)?;
        let next = if mm == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, mm + 1, 1)?
        };
        return Some(next.pred_opt().unwrap_or(first));
    }
    NaiveDate::from_ymd_opt(year, mm, dd)
}

fn yymmdd(d: NaiveDate) -> String {
    format!(
        "{:02}{:02}{:02}",
        d.year().rem_euclid(100),
        d.month(),
        d.day()
    )
}

/// Strips a GS1 symbology identifier (or a leading FNC1 sent as GS); `None` if `s` has
/// neither, i.e. nothing marks it as GS1 data.
pub fn strip_gs1_identifier(s: &str) -> Option<&str> {
    GS1_IDENTIFIERS
        .iter()
        .find_map(|id| s.strip_prefix(id))
        .or_else(|| s.strip_prefix(GS))
}

/// Splits an element string (identifier already stripped) into `(ai, value)` pairs.
/// `None` on an unknown AI, a value of the wrong length or characters, or trailing junk.
pub fn split_element_string(s: &str) -> Option<Vec<(String, String)>> {
    let mut rest = s;
    let mut out = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix(GS) {
            rest = r;
            continue;
        }
        let spec: AiSpec = ai::lookup(rest)?;
        let (ai, after) = rest.split_at(spec.ai_len);
        let (value, after) = match spec.length {
            Length::Fixed(n) => {
                if !after.is_char_boundary(n.min(after.len())) || after.len() < n {
                    return None;
                }
                after.split_at(n)
            }
            Length::Upto(_) => after.split_at(after.find(GS).unwrap_or(after.len())),
        };
        if !ai::value_fits(spec, value) {
            return None;
        }
        out.push((ai.to_owned(), value.to_owned()));
        rest = after;
    }
    (!out.is_empty()).then_some(out)
}

/// Splits the bracket form `(01)09521234543213(17)250101(10)ABC123` into pairs. A value
/// runs to the next `(` that opens a known AI, so values may themselves hold brackets.
pub fn split_bracketed(s: &str) -> Option<Vec<(String, String)>> {
    let mut rest = s.trim();
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (ai, after) = bracket_ai(rest)?;
        let mut end = after.len();
        for (i, c) in after.char_indices() {
            if c == '(' && bracket_ai(&after[i..]).is_some() {
                end = i;
                break;
            }
        }
        out.push((ai.to_owned(), after[..end].to_owned()));
        rest = &after[end..];
    }
    (!out.is_empty()).then_some(out)
}

/// `(ai)` at the start of `s`, with what follows it, if `ai` is a known AI.
fn bracket_ai(s: &str) -> Option<(&str, &str)> {
    let inner = s.strip_prefix('(')?;
    let close = inner.find(')')?;
    let ai = &inner[..close];
    let spec = ai::lookup(ai)?;
    (spec.ai_len == ai.len()).then(|| (ai, &inner[close + 1..]))
}

/// A GS1 element string in any accepted form: with a GS1 symbology identifier, in brackets,
/// or (when `plain_ok`) bare, as a scanner without identifiers sends it.
pub fn parse_gs1(text: &str, plain_ok: bool) -> Option<Gs1Data> {
    if let Some(body) = strip_gs1_identifier(text) {
        return Gs1Data::from_pairs(split_element_string(body)?);
    }
    if text.trim_start().starts_with('(') {
        return Gs1Data::from_pairs(split_bracketed(text)?);
    }
    if plain_ok {
        return Gs1Data::from_pairs(split_element_string(text)?);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates() {
        let cases = [
            ("250101", Some(d(2025, 1, 1))),
            ("261200", Some(d(2026, 12, 31))),
            ("240200", Some(d(2024, 2, 29))),
            ("230200", Some(d(2023, 2, 28))),
            ("991231", Some(d(1999, 12, 31))),
            ("760101", Some(d(2076, 1, 1))),
            ("770101", Some(d(1977, 1, 1))),
            ("251301", None),
            ("250230", None),
            ("25010", None),
            ("25010A", None),
        ];
        for (s, want) in cases {
            assert_eq!(gs1_date(s), want, "{s}");
        }
    }

    #[test]
    fn element_strings() {
        let gs = GS;
        let ok = [
            (
                format!("]C10106901234567892{gs}10ABC123"),
                Gs1Data {
                    gtin: Some("06901234567892".into()),
                    batch: Some("ABC123".into()),
                    ..Default::default()
                },
            ),
            (
                format!("]d201069012345678921725063010B-7{gs}21S99"),
                Gs1Data {
                    gtin: Some("06901234567892".into()),
                    expiry: Some(d(2025, 6, 30)),
                    batch: Some("B-7".into()),
                    serial: Some("S99".into()),
                    ..Default::default()
                },
            ),
            (
                format!("]Q301069012345678921125010031030001502409{gs}90X"),
                Gs1Data {
                    gtin: Some("06901234567892".into()),
                    production_date: Some(d(2025, 1, 31)),
                    other: vec![
                        ("3103".into(), "000150".into()),
                        ("240".into(), "9".into()),
                        ("90".into(), "X".into()),
                    ],
                    ..Default::default()
                },
            ),
            (
                "(01)09521234543213(17)250101(10)ABC(1)".into(),
                Gs1Data {
                    gtin: Some("09521234543213".into()),
                    expiry: Some(d(2025, 1, 1)),
                    batch: Some("ABC(1)".into()),
                    ..Default::default()
                },
            ),
        ];
        for (s, want) in ok {
            assert_eq!(parse_gs1(&s, false), Some(want), "{s:?}");
        }
        let bad = [
            "]C10106901234567893",                       // check digit
            "]C101069012345678",                         // short GTIN
            "]C10106901234567892172513",                 // short date
            "]C10106901234567892171301",                 // bad month
            "]C1230106901234567892",                     // unknown AI
            "]C110ABCDEFGHIJKLMNOPQRSTU",                // lot over 20
            "]C110AB CD",                                // space not in cset 82
            "]C10106901234567892\u{1d}0106901234567885", // repeated AI, other value
            "]C1",
            "(01)0690123456789",
            "(23)X",
            "()",
            "0106901234567892",
        ];
        for s in bad {
            assert_eq!(parse_gs1(s, false), None, "{s:?}");
        }
        assert!(parse_gs1("0106901234567892", true).is_some());
    }

    #[test]
    fn pairs_round_trip() {
        let data = parse_gs1(
            "(01)09521234543213(11)250100(17)270615(10)L1(21)7(400)PO",
            false,
        )
        .unwrap();
        assert_eq!(Gs1Data::from_pairs(data.pairs()), Some(data));
    }
}
