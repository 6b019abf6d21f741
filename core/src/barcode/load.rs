//! From file bytes to an upright grey image: format sniffing, size limits checked from the
//! header before any pixel is decoded, EXIF orientation, transparency flattened on white.

use super::decode::{DecodeOptions, decode_luma};
use super::luma::LumaImage;
use super::{DecodeError, DecodedCode};
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use std::io::Cursor;
use std::panic::AssertUnwindSafe;

/// Largest image accepted, in pixels (a 12 MP phone photo is well inside).
pub const MAX_PIXELS: u64 = 40_000_000;

/// Longest side accepted, in pixels.
pub const MAX_SIDE: u32 = 20_000;

/// Every code in a JPEG, PNG, WebP or BMP photo, looked for in all supported symbologies.
/// Corner points are in the pixel coordinates of the image as shown (EXIF orientation
/// applied). An image without codes gives an empty list, not an error.
pub fn decode_image(bytes: &[u8]) -> Result<Vec<DecodedCode>, DecodeError> {
    let img = load_luma(bytes)?;
    Ok(decode_luma(&img, &DecodeOptions::default()))
}

/// Decodes the file to an upright luma image, refusing oversized or damaged input.
pub fn load_luma(bytes: &[u8]) -> Result<LumaImage, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::UnsupportedFormat);
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DecodeError::Corrupt(e.to_string()))?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Bmp) => {}
        _ => return Err(DecodeError::UnsupportedFormat),
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    // Room for the largest accepted image at 16 bits per RGBA channel, and no more.
    limits.max_alloc = Some(MAX_PIXELS * 8 + (64 << 20));
    reader.limits(limits);
    // The format decoders are third-party parsers fed untrusted bytes; one that panics
    // (zune-jpeg's debug assertions do, on a crafted JPEG the fuzzer found) must cost the
    // upload, not the server thread or a phone app behind an FFI boundary.
    let decoded = std::panic::catch_unwind(AssertUnwindSafe(move || {
        let mut decoder = reader.into_decoder().map_err(map_error)?;
        let (width, height) = decoder.dimensions();
        if width == 0
            || height == 0
            || width > MAX_SIDE
            || height > MAX_SIDE
            || u64::from(width) * u64::from(height) > MAX_PIXELS
        {
            return Err(DecodeError::TooLarge { width, height });
        }
        // A damaged EXIF block should not cost the photo: upright is the best guess then.
        let orientation = decoder
            .orientation()
            .unwrap_or(image::metadata::Orientation::NoTransforms);
        let img = DynamicImage::from_decoder(decoder).map_err(map_error)?;
        Ok((img, orientation))
    }));
    let (mut img, orientation) = decoded.unwrap_or_else(|_| {
        Err(DecodeError::Corrupt(
            "the image decoder failed on this file".to_owned(),
        ))
    })?;
    img.apply_orientation(orientation);
    to_luma(img)
}

fn map_error(e: ImageError) -> DecodeError {
    match e {
        ImageError::Unsupported(_) => DecodeError::UnsupportedFormat,
        ImageError::Limits(_) => DecodeError::TooLarge {
            width: 0,
            height: 0,
        },
        other => DecodeError::Corrupt(other.to_string()),
    }
}

/// Grey levels with transparent pixels shown on white, as a label would be printed.
fn to_luma(img: DynamicImage) -> Result<LumaImage, DecodeError> {
    let (w, h) = (img.width(), img.height());
    let data = if img.color().has_alpha() {
        img.to_luma_alpha8()
            .pixels()
            .map(|p| {
                let [l, a] = p.0;
                let (l, a) = (u32::from(l), u32::from(a));
                ((l * a + 255 * (255 - a)) / 255) as u8
            })
            .collect()
    } else {
        img.into_luma8().into_raw()
    };
    LumaImage::new(w, h, data)
}
