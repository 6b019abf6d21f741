//! Any text as a GS1 Digital Link URI: never a panic, and a link always names a GTIN.

#![no_main]

use libfuzzer_sys::fuzz_target;
use suyuan_core::barcode::parse::parse_digital_link;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(link) = parse_digital_link(&text) {
        assert!(link.gtin.is_some());
    }
});
