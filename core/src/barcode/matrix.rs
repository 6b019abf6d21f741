//! 2D codes (QR, Data Matrix) through rxing's readers. Their Reed–Solomon error correction
//! already rules out misreads, so a single successful decode is trusted.

use super::hybrid::Hybrid;
use super::luma::LumaImage;
use super::parse::GS;
use super::{Point, Symbology};
use rxing::datamatrix::DataMatrixReader;
use rxing::multi::MultipleBarcodeReader;
use rxing::qrcode::QRCodeReader;
use rxing::qrcode::cpp_port::QrReader;
use rxing::{
    BarcodeFormat, BinaryBitmap, DecodeHints, Luma8Source, RXingResult, RXingResultMetadataType,
    RXingResultMetadataValue, Reader,
};
use std::collections::HashSet;

/// A code as one reader returned it, before the meaning is attached.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawHit {
    pub symbology: Symbology,
    pub text: String,
    pub identifier: Option<String>,
    pub raw: Vec<u8>,
    pub corners: Vec<Point>,
}

impl RawHit {
    /// From an rxing result; `None` for formats we did not ask for.
    pub(crate) fn from_rxing(r: &RXingResult) -> Option<RawHit> {
        let symbology = match r.getBarcodeFormat() {
            BarcodeFormat::QR_CODE => Symbology::QrCode,
            BarcodeFormat::DATA_MATRIX => Symbology::DataMatrix,
            BarcodeFormat::EAN_13 => Symbology::Ean13,
            BarcodeFormat::EAN_8 => Symbology::Ean8,
            BarcodeFormat::UPC_A => Symbology::UpcA,
            BarcodeFormat::UPC_E => Symbology::UpcE,
            BarcodeFormat::ITF => Symbology::Itf,
            BarcodeFormat::CODE_128 => Symbology::Code128,
            _ => return None,
        };
        let identifier = match r
            .getRXingResultMetadata()
            .get(&RXingResultMetadataType::SYMBOLOGY_IDENTIFIER)
        {
            Some(RXingResultMetadataValue::SymbologyIdentifier(s)) => Some(s.clone()),
            _ => None,
        };
        let mut text = r.getText().to_owned();
        // Code 128 is read with AssumeGs1 so that FNC1 survives as GS; the identifier then
        // also leads the text. Outside GS1 data an FNC1 means nothing and is dropped, as
        // every scanner does.
        if symbology == Symbology::Code128 {
            match text.strip_prefix("]C1") {
                Some(rest) => text = rest.to_owned(),
                None => text.retain(|c| c != GS),
            }
        }
        while text.ends_with(GS) {
            text.pop();
        }
        Some(RawHit {
            symbology,
            text,
            identifier,
            raw: r.getRawBytes().to_vec(),
            corners: r
                .getPoints()
                .iter()
                .map(|p| Point { x: p.x, y: p.y })
                .collect(),
        })
    }
}

/// Which 2D formats to look for, and how hard.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MatrixPlan {
    pub qr: bool,
    pub datamatrix: bool,
    pub try_harder: bool,
    pub inverted: bool,
}

/// Every QR / Data Matrix code rxing finds in `img`.
pub(crate) fn read_matrix(img: &LumaImage, plan: MatrixPlan) -> Vec<RawHit> {
    let mut hits = Vec::new();
    if !plan.qr && !plan.datamatrix {
        return hits;
    }
    let Ok(source) = Luma8Source::new_with_slice(img.pixels(), img.width(), img.height()) else {
        return hits;
    };
    let mut bitmap = BinaryBitmap::new(Hybrid::new(source));
    if plan.inverted {
        bitmap.invert();
    }
    let mut hints = DecodeHints {
        TryHarder: Some(plan.try_harder),
        ..Default::default()
    };
    if plan.qr {
        hints.PossibleFormats = Some(HashSet::from([BarcodeFormat::QR_CODE]));
        if let Ok(found) = QrReader.decode_multiple_with_hints(&mut bitmap, &hints) {
            hits.extend(found.iter().filter_map(RawHit::from_rxing));
        }
        // ZXing's older QR detector reads little the newer one misses and costs as much
        // again on every photo with no QR code in it, so only the harder pass runs it.
        if hits.is_empty()
            && plan.try_harder
            && let Ok(r) = QRCodeReader.decode_with_hints(&mut bitmap, &hints)
        {
            hits.extend(RawHit::from_rxing(&r));
        }
    }
    if plan.datamatrix {
        hints.PossibleFormats = Some(HashSet::from([BarcodeFormat::DATA_MATRIX]));
        if let Ok(r) = DataMatrixReader.decode_with_hints(&mut bitmap, &hints) {
            hits.extend(RawHit::from_rxing(&r));
        }
    }
    hits
}
