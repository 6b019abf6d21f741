//! The 24-digit veterinary-drug trace code (兽药产品追溯码, MARA notice of 2019): digits 1–8
//! the application date YYYYMMDD, 9–13 the enterprise id (企业标识), 14–24 random digits.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A 24-digit serialised trace code, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceCode {
    /// The whole code, 24 digits.
    pub code: String,
    /// Application date (申请日期), digits 1–8.
    pub date: NaiveDate,
    /// Enterprise id (企业标识), digits 9–13.
    pub enterprise: String,
    /// Random part (随机位), digits 14–24.
    pub random: String,
}

/// Reads `s` (surrounding whitespace ignored) as a trace code; `None` unless it is exactly
/// 24 ASCII digits whose first eight are a real calendar date.
pub fn parse_trace_code(s: &str) -> Option<TraceCode> {
    let s = s.trim();
    if s.len() != 24 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(4..6)?, num(6..8)?)?;
    Some(TraceCode {
        code: s.to_owned(),
        date,
        enterprise: s[8..13].to_owned(),
        random: s[13..].to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        let t = parse_trace_code(" 201905240012345678901234\n").unwrap();
        assert_eq!(t.date, NaiveDate::from_ymd_opt(2019, 5, 24).unwrap());
        assert_eq!(t.enterprise, "00123");
        assert_eq!(t.random, "45678901234");
        assert_eq!(t.code.len(), 24);
        for bad in [
            "201902300012345678901234",  // 30 February
            "201913010012345678901234",  // month 13
            "20190524001234567890123",   // 23 digits
            "2019052400123456789012345", // 25 digits
            "20190524001234567890123X",
            "２０１９05240012345678901234",
            "",
        ] {
            assert_eq!(parse_trace_code(bad), None, "{bad}");
        }
    }
}
