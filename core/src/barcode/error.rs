//! Why an image could not be looked at. Finding no code is not an error: it is an empty list.

use thiserror::Error;

/// An image that could not be read at all.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// No bytes, or not a JPEG, PNG, WebP or BMP file.
    #[error("not a supported image (JPEG, PNG, WebP or BMP)")]
    UnsupportedFormat,
    /// The file is cut short or damaged.
    #[error("the image file is damaged or incomplete: {0}")]
    Corrupt(String),
    /// Larger than the decoder accepts (a guard against decompression bombs).
    #[error("the image is too large: {width}×{height} pixels")]
    TooLarge {
        /// Width the header claims.
        width: u32,
        /// Height the header claims.
        height: u32,
    },
    /// A pixel buffer whose size does not match its stated dimensions.
    #[error("pixel buffer of {len} bytes does not hold {width}×{height} with stride {stride}")]
    BadBuffer {
        /// Bytes given.
        len: usize,
        /// Stated width.
        width: u32,
        /// Stated height.
        height: u32,
        /// Stated row stride.
        stride: u32,
    },
}
