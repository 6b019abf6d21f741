//! Any bytes as an uploaded photo: an error or a list of codes, never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use suyuan_core::barcode::decode_image;

fuzz_target!(|data: &[u8]| {
    let _ = decode_image(data);
});
