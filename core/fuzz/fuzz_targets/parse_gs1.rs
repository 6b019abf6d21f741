//! Any text as a GS1 element string (with identifier, bracketed, or bare): never a panic,
//! and whatever is accepted survives a trip through its canonical pairs unchanged.

#![no_main]

use libfuzzer_sys::fuzz_target;
use suyuan_core::barcode::Gs1Data;
use suyuan_core::barcode::parse::parse_gs1;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for plain_ok in [false, true] {
        if let Some(parsed) = parse_gs1(&text, plain_ok) {
            assert_eq!(Gs1Data::from_pairs(parsed.pairs()), Some(parsed));
        }
    }
});
