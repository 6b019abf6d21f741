//! What a decoded code means for traceability: a GTIN, GS1 data (element string or Digital
//! Link), a veterinary-drug trace code, a cosmetics registration/filing number, a URL or
//! plain text. Pure and total: every input gives an answer and nothing panics.

mod ai;
pub mod digital_link;
mod fields;
pub mod gs1;
pub mod trace_code;

pub use digital_link::parse_digital_link;
pub use fields::{CodeFields, CodeKind};
pub use gs1::{GS, GS1_IDENTIFIERS, Gs1Data, gs1_date, parse_gs1};
pub use trace_code::{TraceCode, parse_trace_code};

use super::Symbology;
use crate::validate::gtin::{is_valid_gtin, to_gtin14};
use crate::validate::registration::{
    PROVINCE_SHORT_NAMES, RegistrationNumber, normalise_registration, parse_registration,
};
use serde::{Deserialize, Serialize};

/// The meaning of a code's payload, most specific first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CodeMeaning {
    /// A retail barcode (EAN-13/8, UPC-A/E, ITF-14) with a verified check digit.
    Gtin {
        /// The GTIN left-padded to 14 digits (UPC-E expanded first).
        gtin14: String,
        /// The digits as printed under the bars.
        gtin_as_printed: String,
    },
    /// A GS1 element string (GS1-128, GS1 DataMatrix, GS1 QR, or the bracket form).
    Gs1(Gs1Data),
    /// A GS1 Digital Link URI.
    DigitalLink(Gs1Data),
    /// A 24-digit veterinary-drug trace code (兽药追溯码).
    TraceCode(TraceCode),
    /// A cosmetics registration or filing number (注册证号/备案号) found in the text.
    Registration {
        /// The number as found, normalised (spaces removed, full-width folded).
        number: String,
        /// What the number says about the product.
        parsed: RegistrationNumber,
    },
    /// A web address that is not a Digital Link.
    Url(String),
    /// Anything else.
    Text(String),
}

/// Classifies a payload. `text` may carry a GS1 symbology identifier (`]C1`, `]d2`, `]Q3`,
/// `]e0`) with FNC1 sent as ASCII 29, as a scanner transmits GS1 data.
pub fn parse_payload(text: &str, symbology: Symbology) -> CodeMeaning {
    if let Some(data) = parse_gs1(text, false) {
        return CodeMeaning::Gs1(data);
    }
    if let Some(gtin) = gtin_meaning(text, symbology) {
        return gtin;
    }
    if symbology.is_retail() {
        // A retail symbol whose digits fail the check is never reported as a product.
        return CodeMeaning::Text(text.to_owned());
    }
    // Scanners configured without identifiers still send GS1 data starting with (01).
    if text.starts_with("01")
        && let Some(data) = parse_gs1(text, true).filter(|d| d.gtin.is_some())
    {
        return CodeMeaning::Gs1(data);
    }
    if let Some(data) = parse_digital_link(text) {
        return CodeMeaning::DigitalLink(data);
    }
    if let Some(code) = parse_trace_code(text) {
        return CodeMeaning::TraceCode(code);
    }
    if let Some((number, parsed)) = find_registration(text) {
        return CodeMeaning::Registration { number, parsed };
    }
    if is_url(text) {
        return CodeMeaning::Url(text.trim().to_owned());
    }
    CodeMeaning::Text(text.to_owned())
}

/// The GTIN of a retail symbol, or of bare digits from a source that does not say.
fn gtin_meaning(text: &str, symbology: Symbology) -> Option<CodeMeaning> {
    let expanded;
    let digits = match (symbology, text.len()) {
        (Symbology::UpcE, 8) => {
            expanded = expand_upce(text)?;
            expanded.as_str()
        }
        (Symbology::UpcA, 12) | (Symbology::Ean13, 13) | (Symbology::Ean8, 8) => text,
        (Symbology::Itf, 14) => text,
        (Symbology::Unknown, 8 | 12 | 13 | 14) => text,
        _ => return None,
    };
    if !is_valid_gtin(digits) {
        return None;
    }
    Some(CodeMeaning::Gtin {
        gtin14: to_gtin14(digits)?,
        gtin_as_printed: text.to_owned(),
    })
}

/// UPC-E (number system 0 or 1, six digits, check digit) expanded to the UPC-A it stands
/// for; the check digit carries over unchanged.
pub fn expand_upce(upce: &str) -> Option<String> {
    let b = upce.as_bytes();
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) || !matches!(b[0], b'0' | b'1') {
        return None;
    }
    let d = |i: usize| char::from(b[i]);
    let (ns, check) = (d(0), d(7));
    let (d1, d2, d3, d4, d5, d6) = (d(1), d(2), d(3), d(4), d(5), d(6));
    let body: String = match b[6] {
        b'0'..=b'2' => [d1, d2, d6, '0', '0', '0', '0', d3, d4, d5]
            .iter()
            .collect(),
        b'3' => [d1, d2, d3, '0', '0', '0', '0', '0', d4, d5]
            .iter()
            .collect(),
        b'4' => [d1, d2, d3, d4, '0', '0', '0', '0', '0', d5]
            .iter()
            .collect(),
        _ => [d1, d2, d3, d4, d5, '0', '0', '0', '0', d6]
            .iter()
            .collect(),
    };
    Some(format!("{ns}{body}{check}"))
}

/// Longest registration numbers are ~25 characters; a little slack covers inner spaces.
const MAX_REGISTRATION_CHARS: usize = 40;

/// The first cosmetics registration or filing number inside `text` (e.g. a label's QR
/// content `产品：…备案号：浙G妆网备字2023001147`), normalised.
pub fn find_registration(text: &str) -> Option<(String, RegistrationNumber)> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(start, c)) in chars.iter().enumerate() {
        let mut buf = [0u8; 4];
        let may_start =
            c == '国' || c == '卫' || PROVINCE_SHORT_NAMES.contains(&&*c.encode_utf8(&mut buf));
        if !may_start {
            continue;
        }
        let last = (i + MAX_REGISTRATION_CHARS).min(chars.len());
        for j in (i + 1..=last).rev() {
            let end = chars.get(j).map_or(text.len(), |&(e, _)| e);
            // A number cut short of its digits would be another number.
            if chars
                .get(j)
                .is_some_and(|&(_, n)| n.is_ascii_digit() || ('０'..='９').contains(&n))
            {
                continue;
            }
            let candidate = &text[start..end];
            if let Some(parsed) = parse_registration(candidate) {
                return Some((normalise_registration(candidate), parsed));
            }
        }
    }
    None
}

/// An http(s) address without inner whitespace.
fn is_url(text: &str) -> bool {
    let t = text.trim();
    let lower = t.get(..8).unwrap_or(t).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && t.len() > 8
        && !t.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests;
