//! Data Matrix (ECC 200) data in ASCII encodation only, on rxing's error correction and
//! module placement.
//!
//! rxing's own high-level encoders are not used: its minimal encoder (the one that writes
//! FNC1 and ECIs) ends some symbols in C40/EDIFACT without leaving that mode, so the pad
//! codewords read back as extra text in every reader (zxing-cpp too), and it panics on other
//! inputs. ASCII encodation packs digit pairs into one codeword, which suits GS1 data, and
//! every reader decodes it.

use super::{CodeMatrix, EncodeError};
use crate::barcode::Symbology;
use rxing::datamatrix::encoder::{
    DefaultPlacement, SymbolInfoLookup, SymbolShapeHint, error_correction,
};

/// FNC1: GS1 data when first, a field separator elsewhere.
const FNC1: u8 = 232;
/// Upper shift: the next codeword is a byte of 128–255.
const UPPER_SHIFT: u8 = 235;
/// ECI designator; 27 (ECI 26 + 1) selects UTF-8.
const ECI: u8 = 241;
const ECI_UTF8: u8 = 27;
/// The first pad codeword; later ones are scrambled (ISO/IEC 16022 5.2.3).
const PAD: u8 = 129;

/// The ASCII-encodation codewords for `text`; in GS1 mode a leading FNC1 is written and
/// every GS (ASCII 29) becomes FNC1.
fn codewords(text: &str, gs1: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() + 2);
    if gs1 {
        out.push(FNC1);
    } else if !text.is_ascii() {
        out.extend([ECI, ECI_UTF8]);
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match bytes.get(i + 1) {
            Some(&next) if b.is_ascii_digit() && next.is_ascii_digit() => {
                out.push(130 + (b - b'0') * 10 + (next - b'0'));
                i += 2;
                continue;
            }
            _ => {}
        }
        if gs1 && b == 0x1d {
            out.push(FNC1);
        } else if b >= 128 {
            out.extend([UPPER_SHIFT, b - 127]);
        } else {
            out.push(b + 1);
        }
        i += 1;
    }
    out
}

/// The 253-state scrambled pad for the codeword at 1-based `position`.
fn pad(position: usize) -> u8 {
    let pseudo = (149 * position) % 253 + 1;
    let v = usize::from(PAD) + pseudo;
    (if v <= 254 { v } else { v - 254 }) as u8
}

/// The smallest square symbol holding `text`.
pub(crate) fn encode(text: &str, gs1: bool) -> Result<CodeMatrix, EncodeError> {
    let mut data = codewords(text, gs1);
    let writer = |e: rxing::Exceptions| EncodeError::Writer(e.to_string());
    let lookup = SymbolInfoLookup::new();
    let info = lookup
        .lookup_with_codewords_shape_size_fail(
            data.len() as u32,
            SymbolShapeHint::FORCE_SQUARE,
            &None,
            &None,
            true,
        )
        .map_err(writer)?
        .ok_or_else(|| EncodeError::Writer("no Data Matrix size holds it".to_owned()))?;
    let capacity = info.getDataCapacity() as usize;
    if data.len() < capacity {
        data.push(PAD);
    }
    while data.len() < capacity {
        data.push(pad(data.len() + 1));
    }
    // rxing passes codewords around as one char per codeword.
    let as_chars: String = data.iter().map(|&b| char::from(b)).collect();
    let with_ecc = error_correction::encodeECC200(&as_chars, info).map_err(writer)?;
    let (data_w, data_h) = (
        info.getSymbolDataWidth().map_err(writer)? as usize,
        info.getSymbolDataHeight().map_err(writer)? as usize,
    );
    let (w, h) = (
        info.getSymbolWidth().map_err(writer)? as usize,
        info.getSymbolHeight().map_err(writer)? as usize,
    );
    let mut placement = DefaultPlacement::new(with_ecc, data_w, data_h);
    placement.place().map_err(writer)?;
    // Each data region has a finder pattern: solid left and bottom edges, alternating top
    // and right edges. The region counts follow from the sizes with and without them.
    let (regions_x, regions_y) = ((w - data_w) / 2, (h - data_h) / 2);
    let (region_w, region_h) = (data_w / regions_x, data_h / regions_y);
    let mut modules = vec![false; w * h];
    for y in 0..h {
        let (ry, iy) = (y / (region_h + 2), y % (region_h + 2));
        for x in 0..w {
            let (rx, ix) = (x / (region_w + 2), x % (region_w + 2));
            modules[y * w + x] = if iy == region_h + 1 || ix == 0 {
                true
            } else if iy == 0 {
                ix % 2 == 0
            } else if ix == region_w + 1 {
                iy % 2 == 1
            } else {
                placement.getBit(rx * region_w + ix - 1, ry * region_h + iy - 1)
            };
        }
    }
    Ok(CodeMatrix {
        symbology: Symbology::DataMatrix,
        width: w,
        height: h,
        modules,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_encodation() {
        assert_eq!(codewords("123a", false), vec![130 + 12, b'3' + 1, b'a' + 1]);
        assert_eq!(
            codewords("01\u{1d}1", true),
            vec![FNC1, 131, FNC1, b'1' + 1]
        );
        assert_eq!(
            codewords("é", false),
            vec![ECI, ECI_UTF8, 235, 0xC3 - 127, 235, 0xA9 - 127]
        );
        // ISO/IEC 16022 5.2.3: 149 × 2 mod 253 + 1 = 46, and 129 + 46 stays under 254.
        assert_eq!(pad(2), 175);
        assert_eq!(pad(5), (129 + 149 * 5 % 253 + 1 - 254) as u8);
    }

    #[test]
    fn finder_pattern() {
        let m = encode("TRACE", false).unwrap();
        let (w, h) = (m.width(), m.height());
        assert_eq!((w, h), (12, 12));
        for i in 0..w {
            assert!(m.get(0, i), "left edge solid");
            assert!(m.get(i, h - 1), "bottom edge solid");
            assert_eq!(m.get(i, 0), i % 2 == 0, "top edge alternates");
            assert_eq!(m.get(w - 1, i), i % 2 == 1, "right edge alternates");
        }
    }
}
