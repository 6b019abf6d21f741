//! The 24-digit unit code (追溯码) of the veterinary-drug regime: digits 1–8 the application
//! date YYYYMMDD, 9–13 the platform's enterprise identifier (企业标识), 14–24 random digits.

use crate::Problem;
use crate::barcode::parse::parse_trace_code;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashSet;
use std::fmt;

/// Random digits at the end of a code.
const RANDOM_DIGITS: u32 = 11;
const RANDOM_SPAN: u64 = 10u64.pow(RANDOM_DIGITS);
/// Codes one application may ask for: the random part would otherwise run too thin to draw
/// from without many retries (10¹¹ values per enterprise and day).
pub const MAX_CODES_PER_APPLICATION: u32 = 10_000_000;

/// The platform's 5-digit identifier of an enterprise inside its codes (00000–99999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EnterpriseCode(u32);

impl EnterpriseCode {
    /// The identifier `n`, if it has at most five digits.
    pub fn new(n: u32) -> Option<EnterpriseCode> {
        (n < 100_000).then_some(EnterpriseCode(n))
    }

    /// Its number.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for EnterpriseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:05}", self.0)
    }
}

/// One 24-digit unit code, held as its number (it fits in 80 bits) so millions of them are
/// cheap to keep, hash and sort; it reads and writes as its 24 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitCode(u128);

impl UnitCode {
    /// The code of `date`, `enterprise` and `random` (below 10¹¹).
    pub fn from_parts(date: NaiveDate, enterprise: EnterpriseCode, random: u64) -> UnitCode {
        assert!(random < RANDOM_SPAN, "random part has 11 digits");
        let ymd = u128::from(date.year() as u32) * 10_000
            + u128::from(date.month()) * 100
            + u128::from(date.day());
        UnitCode(
            (ymd * 100_000 + u128::from(enterprise.0)) * u128::from(RANDOM_SPAN)
                + u128::from(random),
        )
    }

    /// Reads a scanned or typed code (surrounding whitespace ignored), or says why not.
    pub fn parse(field: &str, s: &str) -> Result<UnitCode, Problem> {
        let t = parse_trace_code(s).ok_or_else(|| {
            Problem::error(
                field,
                "unit_code.format",
                "追溯码应为24位数字：8位申请日期、5位企业标识、11位随机码",
                "A unit code is 24 digits: an 8-digit application date, a 5-digit enterprise \
                 identifier and 11 random digits",
            )
        })?;
        let enterprise = EnterpriseCode(t.enterprise.parse().expect("five digits"));
        let random = t.random.parse().expect("eleven digits");
        Ok(UnitCode::from_parts(t.date, enterprise, random))
    }

    /// The application date (digits 1–8).
    pub fn date(self) -> NaiveDate {
        let ymd = (self.0 / u128::from(RANDOM_SPAN) / 100_000) as u32;
        NaiveDate::from_ymd_opt((ymd / 10_000) as i32, ymd / 100 % 100, ymd % 100)
            .expect("built from a date")
    }

    /// The enterprise identifier (digits 9–13).
    pub fn enterprise(self) -> EnterpriseCode {
        EnterpriseCode((self.0 / u128::from(RANDOM_SPAN) % 100_000) as u32)
    }

    /// The random part (digits 14–24).
    pub fn random(self) -> u64 {
        (self.0 % u128::from(RANDOM_SPAN)) as u64
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:024}", self.0)
    }
}

impl Serialize for UnitCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for UnitCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<UnitCode, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        UnitCode::parse("code", &s).map_err(|p| serde::de::Error::custom(p.message_en))
    }
}

/// Why an application for codes is refused.
pub fn check_application(count: u32) -> Result<(), Problem> {
    if count == 0 || count > MAX_CODES_PER_APPLICATION {
        return Err(Problem::error(
            "quantity",
            "unit_code.count",
            format!("申请数量应为 1 至 {MAX_CODES_PER_APPLICATION}"),
            format!("Apply for 1 to {MAX_CODES_PER_APPLICATION} codes"),
        ));
    }
    Ok(())
}

/// Draws `count` distinct codes for `enterprise` applying on `date`, none of them in `taken`
/// (codes the store already holds for that enterprise and day). `random` is the caller's
/// cryptographic source of 64-bit words; the store's unique constraint stays the last word,
/// since another application may take a code between this call and the write.
pub fn issue_codes(
    date: NaiveDate,
    enterprise: EnterpriseCode,
    count: u32,
    taken: &dyn Fn(UnitCode) -> bool,
    random: &mut dyn FnMut() -> u64,
) -> Vec<UnitCode> {
    // Rejection sampling keeps the 11 digits uniform: a plain `% 10¹¹` would favour low values.
    let limit = u64::MAX - u64::MAX % RANDOM_SPAN;
    let mut seen = HashSet::with_capacity(count as usize);
    let mut codes = Vec::with_capacity(count as usize);
    while codes.len() < count as usize {
        let word = random();
        if word >= limit {
            continue;
        }
        let code = UnitCode::from_parts(date, enterprise, word % RANDOM_SPAN);
        if !taken(code) && seen.insert(code) {
            codes.push(code);
        }
    }
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    #[test]
    fn parts_round_trip_through_the_24_digits() {
        let code = UnitCode::from_parts(day(), EnterpriseCode::new(123).unwrap(), 45_678_901_234);
        assert_eq!(code.to_string(), "202612010012345678901234");
        let back = UnitCode::parse("code", " 202612010012345678901234 ").unwrap();
        assert_eq!(back, code);
        assert_eq!(back.date(), day());
        assert_eq!(back.enterprise().to_string(), "00123");
        assert_eq!(back.random(), 45_678_901_234);
        let zero = UnitCode::from_parts(day(), EnterpriseCode::new(0).unwrap(), 7);
        assert_eq!(zero.to_string(), "202612010000000000000007");
        assert_eq!(
            serde_json::to_string(&zero).unwrap(),
            "\"202612010000000000000007\""
        );
        let read: UnitCode = serde_json::from_str("\"202612010000000000000007\"").unwrap();
        assert_eq!(read, zero);
    }

    #[test]
    fn malformed_codes_are_refused_by_rule() {
        for bad in ["20261301001234567890123", "202613010012345678901234", "x"] {
            let p = UnitCode::parse("lines[0].code", bad).unwrap_err();
            assert_eq!(
                (p.field.as_str(), p.rule.as_str()),
                ("lines[0].code", "unit_code.format")
            );
        }
        assert!(serde_json::from_str::<UnitCode>("\"12\"").is_err());
        assert!(EnterpriseCode::new(100_000).is_none());
    }

    #[test]
    fn issuance_never_repeats_and_skips_taken_codes() {
        // A source that keeps returning few values forces both repeats and taken codes.
        let mut n = 0u64;
        let mut random = || {
            n += 1;
            n % 7
        };
        let e = EnterpriseCode::new(42).unwrap();
        let taken = UnitCode::from_parts(day(), e, 3);
        let codes = issue_codes(day(), e, 6, &|c| c == taken, &mut random);
        assert_eq!(codes.len(), 6);
        let distinct: HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), 6);
        assert!(!codes.contains(&taken));
        assert!(
            codes
                .iter()
                .all(|c| c.date() == day() && c.enterprise() == e)
        );
    }

    #[test]
    fn words_past_the_last_full_span_are_drawn_again() {
        let mut words = vec![5, u64::MAX].into_iter();
        let e = EnterpriseCode::new(1).unwrap();
        let codes = issue_codes(day(), e, 1, &|_| false, &mut || words.next_back().unwrap());
        assert_eq!(codes[0].random(), 5);
    }

    #[test]
    fn application_counts_are_bounded() {
        assert!(check_application(1).is_ok());
        assert!(check_application(MAX_CODES_PER_APPLICATION).is_ok());
        assert_eq!(check_application(0).unwrap_err().rule, "unit_code.count");
        assert!(check_application(MAX_CODES_PER_APPLICATION + 1).is_err());
    }
}
