//! Barcode reading (扫码): photos and camera frames in, every code found out, each with what
//! it means for traceability (GTIN, GS1 data, Digital Link, trace code, registration number).
//!
//! Reading is built on rxing. The hard rule is *no wrong reads*: a code that is not read is
//! a retry for the user, a code read wrong is a wrong product on a ledger. So linear codes
//! are accepted only when several scan lines agree, and anything doubtful is dropped.
//!
//! - [`decode_image`]: JPEG/PNG/WebP/BMP bytes (EXIF orientation honoured, size-limited).
//! - [`decode_luma`]: pixels already decoded (what the benchmark times).
//! - [`decode_frame`]: a camera preview luma plane, centre first.
//! - [`parse_payload`]: the meaning of a payload, with no image involved.
//! - [`encode`](mod@encode): labels to print (QR, Data Matrix, Code 128, EAN-13; GS1 too) as
//!   SVG or PNG, and A4 label sheets.

mod binarize;
mod decode;
pub mod encode;
mod error;
mod frame;
mod hybrid;
mod linear;
mod load;
mod luma;
mod matrix;
pub mod parse;
#[cfg(test)]
mod tests;
mod vote;

pub use decode::{DecodeOptions, decode_luma};
pub use error::DecodeError;
pub use frame::decode_frame;
pub use load::{MAX_PIXELS, MAX_SIDE, decode_image, load_luma};
pub use luma::LumaImage;
pub use parse::{CodeFields, CodeKind, CodeMeaning, Gs1Data, TraceCode, parse_payload};

use serde::{Deserialize, Serialize};

/// The barcode symbologies Suyuan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Symbology {
    /// EAN-13 (China's retail barcode, prefixes 690–699).
    Ean13,
    /// EAN-8, for small packs.
    Ean8,
    /// UPC-A (12 digits; an EAN-13 starting with 0).
    UpcA,
    /// UPC-E (zero-suppressed UPC-A).
    UpcE,
    /// ITF-14 on shipping cartons.
    Itf,
    /// Code 128, and GS1-128 when it starts with FNC1.
    Code128,
    /// QR Code.
    QrCode,
    /// Data Matrix, and GS1 DataMatrix when it starts with FNC1.
    DataMatrix,
    /// Text from a source that does not say (typed in, a hardware scanner).
    Unknown,
}

impl Symbology {
    /// Every symbology the image decoders can look for.
    pub const ALL: [Symbology; 8] = [
        Symbology::Ean13,
        Symbology::Ean8,
        Symbology::UpcA,
        Symbology::UpcE,
        Symbology::Itf,
        Symbology::Code128,
        Symbology::QrCode,
        Symbology::DataMatrix,
    ];

    /// Retail symbols that carry a GTIN with a check digit.
    pub fn is_retail(self) -> bool {
        matches!(
            self,
            Symbology::Ean13 | Symbology::Ean8 | Symbology::UpcA | Symbology::UpcE | Symbology::Itf
        )
    }

    /// Linear (1D) symbols, read line by line.
    pub fn is_linear(self) -> bool {
        self.is_retail() || self == Symbology::Code128
    }
}

/// A point in the (oriented) image, in pixels from the top-left corner.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Pixels from the left edge.
    pub x: f32,
    /// Pixels from the top edge.
    pub y: f32,
}

/// One code found in an image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodedCode {
    /// Which symbology it is.
    pub symbology: Symbology,
    /// The payload as text; GS1 field separators (FNC1) are ASCII 29, the symbology
    /// identifier is not included.
    pub text: String,
    /// The AIM symbology identifier when the reader reports one (e.g. `]C1` for GS1-128).
    pub symbology_identifier: Option<String>,
    /// The raw codewords or bytes as the reader returns them (empty for EAN/UPC).
    pub raw: Vec<u8>,
    /// Corners (2D codes) or the ends of the scan line (1D codes), in the pixel coordinates
    /// of the image after EXIF orientation.
    pub corners: Vec<Point>,
    /// What the payload means.
    pub meaning: CodeMeaning,
}
