//! A scanned code's meaning flattened into the fields an app fills in and shows, whatever
//! kind of code it was: the phone's document form and the inspector read these.

use super::CodeMeaning;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Which kind of code was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    /// A retail barcode (EAN/UPC/ITF-14).
    Gtin,
    /// A GS1 element string (GS1-128, GS1 DataMatrix, GS1 QR).
    Gs1,
    /// A GS1 Digital Link URI.
    DigitalLink,
    /// A 24-digit veterinary-drug trace code (兽药追溯码).
    TraceCode,
    /// A cosmetics registration or filing number.
    Registration,
    /// Another web address.
    Url,
    /// Anything else.
    Text,
}

/// The fields of a code; each is `None` when the code does not carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeFields {
    /// Which kind of code it was.
    pub kind: CodeKind,
    /// GTIN, 14 digits.
    pub gtin: Option<String>,
    /// Batch or lot (批号).
    pub batch: Option<String>,
    /// Production date (生产日期).
    pub production_date: Option<NaiveDate>,
    /// Expiry date (有效期至).
    pub expiry: Option<NaiveDate>,
    /// Serial number (序列号).
    pub serial: Option<String>,
    /// The whole 24-digit trace code.
    pub trace_code: Option<String>,
    /// Registration or filing number (注册证号/备案号), normalised.
    pub registration_number: Option<String>,
    /// The address, for a URL that is not a Digital Link.
    pub url: Option<String>,
}

impl CodeMeaning {
    /// The meaning as flat fields.
    pub fn fields(&self) -> CodeFields {
        let mut f = CodeFields {
            kind: CodeKind::Text,
            gtin: None,
            batch: None,
            production_date: None,
            expiry: None,
            serial: None,
            trace_code: None,
            registration_number: None,
            url: None,
        };
        match self {
            CodeMeaning::Gtin { gtin14, .. } => {
                f.kind = CodeKind::Gtin;
                f.gtin = Some(gtin14.clone());
            }
            CodeMeaning::Gs1(d) | CodeMeaning::DigitalLink(d) => {
                f.kind = if matches!(self, CodeMeaning::Gs1(_)) {
                    CodeKind::Gs1
                } else {
                    CodeKind::DigitalLink
                };
                f.gtin = d.gtin.clone();
                f.batch = d.batch.clone();
                f.production_date = d.production_date;
                f.expiry = d.expiry;
                f.serial = d.serial.clone();
            }
            CodeMeaning::TraceCode(t) => {
                f.kind = CodeKind::TraceCode;
                f.trace_code = Some(t.code.clone());
            }
            CodeMeaning::Registration { number, .. } => {
                f.kind = CodeKind::Registration;
                f.registration_number = Some(number.clone());
            }
            CodeMeaning::Url(u) => {
                f.kind = CodeKind::Url;
                f.url = Some(u.clone());
            }
            CodeMeaning::Text(_) => {}
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::barcode::{Symbology, parse_payload};

    #[test]
    fn a_gs1_datamatrix_fills_gtin_batch_and_expiry() {
        let f = parse_payload(
            "]d2010694123456789810B2026A\u{1d}17271231",
            Symbology::DataMatrix,
        )
        .fields();
        assert_eq!(f.kind, CodeKind::Gs1);
        assert_eq!(f.gtin.as_deref(), Some("06941234567898"));
        assert_eq!(f.batch.as_deref(), Some("B2026A"));
        assert_eq!(f.expiry, NaiveDate::from_ymd_opt(2027, 12, 31));
    }

    #[test]
    fn an_ean13_fills_the_gtin_padded_to_14() {
        let f = parse_payload("6941234567898", Symbology::Ean13).fields();
        assert_eq!(f.kind, CodeKind::Gtin);
        assert_eq!(f.gtin.as_deref(), Some("06941234567898"));
        assert_eq!(f.batch, None);
    }

    #[test]
    fn a_trace_code_and_plain_text_keep_their_kind() {
        let f = parse_payload("202611300012345678901234", Symbology::QrCode).fields();
        assert_eq!(f.kind, CodeKind::TraceCode);
        assert_eq!(f.trace_code.as_deref(), Some("202611300012345678901234"));
        assert_eq!(
            parse_payload("hello", Symbology::QrCode).fields().kind,
            CodeKind::Text
        );
    }
}
