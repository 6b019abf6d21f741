//! Camera preview frames: the luma plane straight from the camera (Android YUV_420_888 Y
//! plane, iOS 420f/420v plane 0), no JPEG round trip. Tuned for a user pointing at one code:
//! the centre is read first, the whole frame only if that finds nothing.

use super::decode::{DecodeOptions, Session};
use super::linear::Mapping;
use super::luma::LumaImage;
use super::{DecodeError, DecodedCode};

/// Frames are read no larger than this on their longest side; preview codes fill a good
/// part of the frame, so this costs nothing in reach and keeps a frame within budget.
const FRAME_SIDE: usize = 960;

/// Every code in a camera frame; `row_stride` is the plane's bytes per row (≥ `width`).
pub fn decode_frame(
    luma: &[u8],
    width: u32,
    height: u32,
    row_stride: u32,
) -> Result<Vec<DecodedCode>, DecodeError> {
    let img = LumaImage::from_strided(luma, width, height, row_stride)?;
    let factor = img.w().max(img.h()).div_ceil(FRAME_SIDE).max(1);
    let (work, scale) = if factor > 1 {
        (img.downscale(factor), factor as f32)
    } else {
        (img, 1.0)
    };
    let opts = DecodeOptions::default();
    // The middle half in each direction: where the viewfinder tells the user to aim.
    let (w, h) = (work.w(), work.h());
    let (cx, cy) = (w / 4, h / 4);
    let centre = work.crop(cx, cy, w / 2, h / 2);
    let mut session = Session::new(&opts);
    let centre_map = Mapping {
        scale,
        dx: cx as f32 * scale,
        dy: cy as f32 * scale,
    };
    session.quick(&centre, centre_map);
    if session.found() {
        return Ok(session.finish());
    }
    session.quick(
        &work,
        Mapping {
            scale,
            dx: 0.0,
            dy: 0.0,
        },
    );
    Ok(session.finish())
}
