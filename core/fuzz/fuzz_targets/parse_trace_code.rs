//! Any text as a 24-digit veterinary-drug trace code: never a panic, and a code is always
//! the 24 digits it splits into.

#![no_main]

use libfuzzer_sys::fuzz_target;
use suyuan_core::barcode::parse::parse_trace_code;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(code) = parse_trace_code(&text) {
        assert_eq!(code.code.len(), 24);
        assert_eq!(
            format!("{}{}", &code.code[..13], code.random),
            code.code,
            "the random part is digits 14–24"
        );
        assert_eq!(code.enterprise, code.code[8..13]);
    }
});
