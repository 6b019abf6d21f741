//! The GS1 Application Identifiers Suyuan reads, with the length rules an element string
//! needs to be split (GS1 General Specifications §3.2, gs1-syntax-dictionary).

/// How long the value of an AI is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Length {
    /// Exactly this many characters.
    Fixed(usize),
    /// One up to this many characters, ended by FNC1 (GS) unless last.
    Upto(usize),
}

/// What a value may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charset {
    /// Digits only.
    Numeric,
    /// GS1 AI encodable character set 82.
    Cset82,
}

/// One AI as found at the start of an element string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AiSpec {
    /// Number of digits of the AI itself (2, 3 or 4).
    pub ai_len: usize,
    /// Length of the value.
    pub length: Length,
    /// Allowed characters of the value.
    pub charset: Charset,
}

const fn spec(ai_len: usize, length: Length, charset: Charset) -> AiSpec {
    AiSpec {
        ai_len,
        length,
        charset,
    }
}

use Charset::{Cset82, Numeric};
use Length::{Fixed, Upto};

/// The AI that `s` starts with, if it is one we know. Unknown AIs are not guessed at: their
/// length is unknowable, so splitting past them could only produce wrong fields.
pub(crate) fn lookup(s: &str) -> Option<AiSpec> {
    let b = s.as_bytes();
    let digits = |n: usize| b.len() >= n && b[..n].iter().all(u8::is_ascii_digit);
    if !digits(2) {
        return None;
    }
    let two = &s[..2];
    let found = match two {
        "00" => Some(spec(2, Fixed(18), Numeric)),
        "01" | "02" => Some(spec(2, Fixed(14), Numeric)),
        "10" | "21" | "22" => Some(spec(2, Upto(20), Cset82)),
        "11" | "12" | "13" | "15" | "16" | "17" => Some(spec(2, Fixed(6), Numeric)),
        "20" => Some(spec(2, Fixed(2), Numeric)),
        "30" | "37" => Some(spec(2, Upto(8), Numeric)),
        "90" => Some(spec(2, Upto(30), Cset82)),
        "91" | "92" | "93" | "94" | "95" | "96" | "97" | "98" | "99" => {
            Some(spec(2, Upto(90), Cset82))
        }
        // Trade measures 31nn–36nn: four-digit AIs (the last digit places the decimal point).
        "31" | "32" | "33" | "34" | "35" | "36" if digits(4) => Some(spec(4, Fixed(6), Numeric)),
        _ => None,
    };
    if found.is_some() {
        return found;
    }
    if digits(3) {
        let three = match &s[..3] {
            "240" | "241" | "250" | "251" | "400" | "401" | "403" => {
                Some(spec(3, Upto(30), Cset82))
            }
            "253" => Some(spec(3, Upto(30), Cset82)),
            "254" | "420" => Some(spec(3, Upto(20), Cset82)),
            "402" => Some(spec(3, Fixed(17), Numeric)),
            "410" | "411" | "412" | "413" | "414" | "415" | "416" | "417" => {
                Some(spec(3, Fixed(13), Numeric))
            }
            "421" => Some(spec(3, Upto(12), Cset82)),
            "422" => Some(spec(3, Fixed(3), Numeric)),
            _ => None,
        };
        if three.is_some() {
            return three;
        }
    }
    if digits(4) {
        return match &s[..4] {
            "7003" => Some(spec(4, Fixed(10), Numeric)),
            "8003" | "8004" => Some(spec(4, Upto(30), Cset82)),
            "8006" => Some(spec(4, Fixed(18), Numeric)),
            "8008" => Some(spec(4, Upto(12), Numeric)),
            "8012" => Some(spec(4, Upto(20), Cset82)),
            "8020" => Some(spec(4, Upto(25), Cset82)),
            _ => None,
        };
    }
    None
}

/// Whether `c` is in GS1 AI encodable character set 82.
pub(crate) fn is_cset82(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c)
}

/// Whether `value` is a valid value for `spec` (length and characters).
pub(crate) fn value_fits(spec: AiSpec, value: &str) -> bool {
    let len = value.len();
    let len_ok = match spec.length {
        Fixed(n) => len == n,
        Upto(n) => (1..=n).contains(&len),
    };
    len_ok
        && match spec.charset {
            Numeric => value.bytes().all(|b| b.is_ascii_digit()),
            Cset82 => value.chars().all(is_cset82),
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        let cases = [
            ("0106901234567892", Some((2, Fixed(14)))),
            ("10ABC", Some((2, Upto(20)))),
            ("3103000150", Some((4, Fixed(6)))),
            ("3", None),
            ("240X", Some((3, Upto(30)))),
            ("4150123", Some((3, Fixed(13)))),
            ("7003", Some((4, Fixed(10)))),
            ("8020", Some((4, Upto(25)))),
            ("99", Some((2, Upto(90)))),
            ("23", None),
            ("7001", None),
            ("AB", None),
        ];
        for (s, want) in cases {
            assert_eq!(lookup(s).map(|a| (a.ai_len, a.length)), want, "{s}");
        }
    }

    #[test]
    fn values() {
        let gtin = lookup("01").unwrap();
        assert!(value_fits(gtin, "06901234567892"));
        assert!(!value_fits(gtin, "0690123456789"));
        let lot = lookup("10").unwrap();
        assert!(value_fits(lot, "AB-12/3"));
        assert!(!value_fits(lot, "AB 12"));
        assert!(!value_fits(lot, ""));
        assert!(!value_fits(lot, "批号"));
    }
}
