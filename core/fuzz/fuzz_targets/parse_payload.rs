//! Any text under any symbology: a meaning, never a panic; retail symbols only ever mean a
//! GTIN whose check digit holds, or plain text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use suyuan_core::barcode::{CodeMeaning, Symbology, parse_payload};

const ALL: [Symbology; 9] = [
    Symbology::Ean13,
    Symbology::Ean8,
    Symbology::UpcA,
    Symbology::UpcE,
    Symbology::Itf,
    Symbology::Code128,
    Symbology::QrCode,
    Symbology::DataMatrix,
    Symbology::Unknown,
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let symbology = ALL[usize::from(pick) % ALL.len()];
    let meaning = parse_payload(&text, symbology);
    if let CodeMeaning::Gtin { gtin14, .. } = &meaning {
        assert_eq!(gtin14.len(), 14);
        assert!(gtin14.bytes().all(|b| b.is_ascii_digit()));
    }
});
