//! Symbols as pixels: a 1-bit PNG (black on white) for printing, and a luma image for
//! previews and read-back checks.

use super::CodeMatrix;
use crate::barcode::LumaImage;

/// The symbol as pixels, `module_px` per module, with `quiet_zone` light modules around:
/// 0 for dark, 255 for light.
pub fn rasterize(matrix: &CodeMatrix, module_px: u32, quiet_zone: usize) -> LumaImage {
    let px = module_px.max(1) as usize;
    let (w, h) = dims(matrix, px, quiet_zone);
    let mut data = vec![255u8; w * h];
    for_each_dark(matrix, px, quiet_zone, |y, x0, x1| {
        data[y * w + x0..y * w + x1].fill(0);
    });
    LumaImage::new(w as u32, h as u32, data).expect("a symbol is never empty")
}

/// The symbol as a 1-bit greyscale PNG, `module_px` pixels per module, `quiet_zone` light
/// modules on every side. Label printers take 1-bit images as they are, without dithering.
pub fn to_png(matrix: &CodeMatrix, module_px: u32, quiet_zone: usize) -> Vec<u8> {
    let px = module_px.max(1) as usize;
    let (w, h) = dims(matrix, px, quiet_zone);
    let stride = w.div_ceil(8);
    // In a 1-bit greyscale PNG a set bit is white.
    let mut data = vec![0xffu8; stride * h];
    for_each_dark(matrix, px, quiet_zone, |y, x0, x1| {
        for x in x0..x1 {
            data[y * stride + x / 8] &= !(0x80 >> (x % 8));
        }
    });
    let mut out = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut out, w as u32, h as u32);
    encoder.set_color(::png::ColorType::Grayscale);
    encoder.set_depth(::png::BitDepth::One);
    encoder.set_compression(::png::Compression::High);
    // Writing to memory fails only on a size the caller cannot have built.
    let mut writer = encoder.write_header().expect("PNG header to memory");
    writer.write_image_data(&data).expect("PNG data to memory");
    writer.finish().expect("PNG end to memory");
    out
}

fn dims(matrix: &CodeMatrix, px: usize, quiet_zone: usize) -> (usize, usize) {
    (
        (matrix.width() + 2 * quiet_zone) * px,
        (matrix.height() + 2 * quiet_zone) * px,
    )
}

/// Calls `paint(y, x0, x1)` for every pixel row span that is dark.
fn for_each_dark(
    matrix: &CodeMatrix,
    px: usize,
    quiet_zone: usize,
    mut paint: impl FnMut(usize, usize, usize),
) {
    for my in 0..matrix.height() {
        let row = matrix.row(my);
        let mut x = 0;
        while x < row.len() {
            if !row[x] {
                x += 1;
                continue;
            }
            let start = x;
            while x < row.len() && row[x] {
                x += 1;
            }
            let (x0, x1) = ((start + quiet_zone) * px, (x + quiet_zone) * px);
            for y in (my + quiet_zone) * px..(my + quiet_zone + 1) * px {
                paint(y, x0, x1);
            }
        }
    }
}
