//! Label encoding (打码): QR, Data Matrix (GS1 DataMatrix too), Code 128 (GS1-128 too) and
//! EAN-13 as module matrices, drawn as SVG or PNG, and A4 label sheets.
//!
//! QR, Code 128 and EAN-13 come from rxing's writers, Data Matrix from our own ASCII
//! encodation on rxing's error correction (see `datamatrix.rs` for why). This layer decides
//! what goes into a symbol (FNC1 for GS1 data, UTF-8 with an ECI for Chinese text) and
//! refuses payloads that readers would not give back unchanged: a label that scans as
//! something else is worse than none. Every symbology written is read back by
//! [`decode_luma`](crate::barcode::decode_luma) in the tests, payload for payload.

mod datamatrix;
mod png;
mod sheet;
mod svg;
#[cfg(test)]
mod tests;

pub use png::{rasterize, to_png};
pub use sheet::{Label, SheetLayout, label_sheet_svg};
pub use svg::to_svg;

use super::Symbology;
use super::parse::{CodeMeaning, GS, Gs1Data, parse_payload};
use crate::validate::gtin::{gtin_check_digit, is_valid_gtin};
use rxing::common::BitMatrix;
use rxing::oned::{Code128Writer, EAN13Writer, OneDimensionalCodeWriter};
use rxing::{BarcodeFormat, EncodeHints, MultiFormatWriter, Writer};
use thiserror::Error;

/// Why a payload could not be made into a symbol.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// The symbology is read but not written (EAN-8, UPC, ITF).
    #[error("{0:?} labels are not written; use EAN-13, Code 128, QR or Data Matrix")]
    Unsupported(Symbology),
    /// The payload cannot be carried by this symbology, or would not read back unchanged.
    #[error("invalid payload: {0}")]
    InvalidPayload(String),
    /// The writer refused it (usually: too much data for the symbology).
    #[error("the symbol could not be built: {0}")]
    Writer(String),
    /// A sheet layout that leaves no room for labels.
    #[error("invalid sheet layout: {0}")]
    Layout(String),
    /// One label of a sheet failed.
    #[error("label {index}: {error}")]
    Label {
        /// Position of the label in the list given.
        index: usize,
        /// What went wrong with it.
        error: Box<EncodeError>,
    },
}

/// What a label's code carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelPayload {
    /// Text as it should scan: 12 or 13 digits for EAN-13 (the check digit is added or
    /// verified), printable ASCII for Code 128, any UTF-8 for QR and Data Matrix.
    Text(String),
    /// GS1 `(ai, value)` pairs, written with FNC1 (GS1-128, GS1 DataMatrix, GS1 QR).
    Gs1(Vec<(String, String)>),
}

impl LabelPayload {
    /// A text payload.
    pub fn text(s: impl Into<String>) -> LabelPayload {
        LabelPayload::Text(s.into())
    }

    /// A GS1 payload from parsed fields, in their canonical order.
    pub fn gs1(data: &Gs1Data) -> LabelPayload {
        LabelPayload::Gs1(data.pairs())
    }

    /// The text a reader returns for this payload in `symbology`: GS1 fields joined with GS
    /// (ASCII 29) where FNC1 separates them, without the symbology identifier; an EAN-13
    /// given as 12 digits with its check digit.
    pub fn scanned_text(&self, symbology: Symbology) -> String {
        match self {
            LabelPayload::Text(t) => {
                if symbology == Symbology::Ean13
                    && let Some(check) = (t.len() == 12).then(|| gtin_check_digit(t)).flatten()
                {
                    return format!("{t}{check}");
                }
                t.clone()
            }
            LabelPayload::Gs1(pairs) => element_string(pairs, GS),
        }
    }

    /// What a reader makes of this payload in `symbology` (see [`parse_payload`]).
    pub fn meaning(&self, symbology: Symbology) -> CodeMeaning {
        let text = self.scanned_text(symbology);
        match self {
            LabelPayload::Text(_) => parse_payload(&text, symbology),
            LabelPayload::Gs1(_) => {
                let id = match symbology {
                    Symbology::Code128 => "]C1",
                    Symbology::DataMatrix => "]d2",
                    _ => "]Q3",
                };
                parse_payload(&format!("{id}{text}"), symbology)
            }
        }
    }
}

/// A symbol as modules (dark = `true`), without quiet zone; linear symbols have every row
/// alike and a nominal bar height.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeMatrix {
    symbology: Symbology,
    width: usize,
    height: usize,
    modules: Vec<bool>,
}

impl CodeMatrix {
    /// Which symbology it draws.
    pub fn symbology(&self) -> Symbology {
        self.symbology
    }

    /// Width in modules.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in modules.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Whether the module at (`x`, `y`) is dark; outside the symbol is light.
    pub fn get(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.modules[y * self.width + x]
    }

    /// The quiet zone the symbology's specification asks for, in modules (EAN-13 needs 11
    /// on the left, so that is used on both sides).
    pub fn quiet_zone(&self) -> usize {
        match self.symbology {
            Symbology::Ean13 => 11,
            Symbology::Code128 => 10,
            Symbology::QrCode => 4,
            _ => 2,
        }
    }

    /// One row of the symbol.
    pub(crate) fn row(&self, y: usize) -> &[bool] {
        &self.modules[y * self.width..(y + 1) * self.width]
    }

    fn from_bars(symbology: Symbology, bars: Vec<bool>, height: usize) -> CodeMatrix {
        let width = bars.len();
        let mut modules = Vec::with_capacity(width * height);
        for _ in 0..height {
            modules.extend_from_slice(&bars);
        }
        CodeMatrix {
            symbology,
            width,
            height,
            modules,
        }
    }

    fn from_bits(symbology: Symbology, m: &BitMatrix) -> CodeMatrix {
        let (width, height) = (m.getWidth() as usize, m.getHeight() as usize);
        let mut modules = Vec::with_capacity(width * height);
        for y in 0..height {
            modules.extend((0..width).map(|x| m.get(x as u32, y as u32)));
        }
        CodeMatrix {
            symbology,
            width,
            height,
            modules,
        }
    }
}

/// EAN-13 bars are nominally 22.85 mm high at a 0.33 mm module.
const EAN13_HEIGHT: usize = 69;

/// GS1-128 holds at most 48 data characters (GS1 General Specifications 5.4.1); plain Code
/// 128 is left to the writer's limit of 80.
const GS1_128_MAX_CHARS: usize = 48;

/// The symbol for `payload` in `symbology`, one module per cell.
pub fn encode(payload: &LabelPayload, symbology: Symbology) -> Result<CodeMatrix, EncodeError> {
    let invalid = |m: &str| Err(EncodeError::InvalidPayload(m.to_owned()));
    if let LabelPayload::Gs1(pairs) = payload
        && Gs1Data::from_pairs(pairs.iter().map(|(a, v)| (a, v))).is_none()
    {
        return invalid("GS1 fields with an unknown AI, a bad value or a bad check digit");
    }
    let writer_error = |e: rxing::Exceptions| EncodeError::Writer(e.to_string());
    match (symbology, payload) {
        (Symbology::Ean13, LabelPayload::Text(t)) => {
            let digits = payload.scanned_text(symbology);
            if !(t.len() == 12 || t.len() == 13) || digits.len() != 13 || !is_valid_gtin(&digits) {
                return invalid("EAN-13 needs 12 digits, or 13 with a valid check digit");
            }
            let bars = EAN13Writer.encode_oned(&digits).map_err(writer_error)?;
            Ok(CodeMatrix::from_bars(symbology, bars, EAN13_HEIGHT))
        }
        (Symbology::Ean13, LabelPayload::Gs1(_)) => invalid("EAN-13 carries a GTIN, not GS1 data"),
        (Symbology::Code128, _) => {
            let contents = match payload {
                LabelPayload::Text(t) => {
                    if t.is_empty() || !t.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                        return invalid("Code 128 labels take printable ASCII text");
                    }
                    // Readers send GS1-128 data with this prefix: the label would scan as GS1.
                    if t.starts_with("]C1") {
                        return invalid("Code 128 text may not start with ]C1");
                    }
                    t.clone()
                }
                LabelPayload::Gs1(pairs) => {
                    format!("{FNC1_128}{}", element_string(pairs, FNC1_128))
                }
            };
            let gs1 = matches!(payload, LabelPayload::Gs1(_));
            if gs1 && contents.chars().filter(|&c| c != FNC1_128).count() > GS1_128_MAX_CHARS {
                return invalid("more than 48 characters for GS1-128; use GS1 DataMatrix");
            }
            let hints = EncodeHints {
                Code128Compact: Some(true),
                ..Default::default()
            };
            let bars = Code128Writer
                .encode_oned_with_hints(&contents, &hints)
                .map_err(writer_error)?;
            // GS1-128 asks for bars at least 32 modules high; taller bars forgive more tilt.
            let height = (bars.len() / 4).max(32);
            Ok(CodeMatrix::from_bars(symbology, bars, height))
        }
        (Symbology::DataMatrix, LabelPayload::Text(t)) => {
            check_free_text(t)?;
            datamatrix::encode(t, false)
        }
        (Symbology::DataMatrix, LabelPayload::Gs1(pairs)) => {
            datamatrix::encode(&element_string(pairs, GS), true)
        }
        (Symbology::QrCode, _) => {
            let mut hints = EncodeHints {
                Margin: Some("0".to_owned()),
                ErrorCorrection: Some("M".to_owned()),
                ..Default::default()
            };
            let contents = match payload {
                LabelPayload::Text(t) => {
                    check_free_text(t)?;
                    if !t.is_ascii() {
                        // Without an ECI readers guess the charset, and guess Chinese wrong.
                        hints.CharacterSet = Some("UTF-8".to_owned());
                    }
                    t.clone()
                }
                LabelPayload::Gs1(pairs) => {
                    hints.Gs1Format = Some(true);
                    element_string(pairs, GS)
                }
            };
            let m = MultiFormatWriter
                .encode_with_hints(&contents, &BarcodeFormat::QR_CODE, 0, 0, &hints)
                .map_err(writer_error)?;
            Ok(CodeMatrix::from_bits(symbology, &m))
        }
        (other, _) => Err(EncodeError::Unsupported(other)),
    }
}

/// Code 128's FNC1 as rxing's writer takes it.
const FNC1_128: char = '\u{f1}';

/// Free text for QR / Data Matrix: not empty, and no control characters but tab and line
/// breaks (GS would read back as a GS1 separator, and readers drop a trailing one).
fn check_free_text(t: &str) -> Result<(), EncodeError> {
    if t.is_empty() {
        return Err(EncodeError::InvalidPayload("empty text".to_owned()));
    }
    if t.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(EncodeError::InvalidPayload(
            "control characters other than tab and line breaks".to_owned(),
        ));
    }
    Ok(())
}

/// AIs whose first two digits fix their length in every reader's table, so no FNC1 needs to
/// follow them (GS1 General Specifications, figure 7.8.5-2).
const PREDEFINED_LENGTH: [&str; 22] = [
    "00", "01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20", "31",
    "32", "33", "34", "35", "36", "41",
];

/// The element string with `sep` after every field whose length a reader cannot know.
fn element_string(pairs: &[(String, String)], sep: char) -> String {
    let mut s = String::new();
    for (i, (ai, value)) in pairs.iter().enumerate() {
        s.push_str(ai);
        s.push_str(value);
        let fixed = ai.get(..2).is_some_and(|p| PREDEFINED_LENGTH.contains(&p));
        if !fixed && i + 1 < pairs.len() {
            s.push(sep);
        }
    }
    s
}
