//! An 8-bit grey image and the few transforms the decoders need (crop, downscale, quarter
//! turns, contrast stretch). Kept free of the `image` crate so camera frames need no copy
//! into another type.

use super::{DecodeError, Point};

/// A packed 8-bit luma image (one byte per pixel, rows back to back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LumaImage {
    width: u32,
    height: u32,
    data: Vec<u8>,
}

impl LumaImage {
    /// Wraps packed luma bytes; the length must be `width * height`.
    pub fn new(width: u32, height: u32, data: Vec<u8>) -> Result<Self, DecodeError> {
        if width == 0 || height == 0 || data.len() as u64 != u64::from(width) * u64::from(height) {
            return Err(DecodeError::BadBuffer {
                len: data.len(),
                width,
                height,
                stride: width,
            });
        }
        Ok(LumaImage {
            width,
            height,
            data,
        })
    }

    /// Copies a strided plane (a camera frame's Y plane) into a packed image.
    pub fn from_strided(
        plane: &[u8],
        width: u32,
        height: u32,
        row_stride: u32,
    ) -> Result<Self, DecodeError> {
        let bad = || DecodeError::BadBuffer {
            len: plane.len(),
            width,
            height,
            stride: row_stride,
        };
        if width == 0 || height == 0 || row_stride < width {
            return Err(bad());
        }
        let (w, h, s) = (width as usize, height as usize, row_stride as usize);
        // The last row may stop at `width`: camera planes often omit the final padding.
        let needed = (h - 1)
            .checked_mul(s)
            .and_then(|n| n.checked_add(w))
            .ok_or_else(bad)?;
        if plane.len() < needed {
            return Err(bad());
        }
        let mut data = Vec::with_capacity(w * h);
        for y in 0..h {
            data.extend_from_slice(&plane[y * s..y * s + w]);
        }
        Self::new(width, height, data)
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The packed pixels, row by row.
    pub fn pixels(&self) -> &[u8] {
        &self.data
    }

    pub(crate) fn w(&self) -> usize {
        self.width as usize
    }

    pub(crate) fn h(&self) -> usize {
        self.height as usize
    }

    pub(crate) fn row(&self, y: usize) -> &[u8] {
        let w = self.w();
        &self.data[y * w..(y + 1) * w]
    }

    pub(crate) fn at(&self, x: usize, y: usize) -> u8 {
        self.data[y * self.w() + x]
    }

    /// The part inside `x, y, w, h` (clamped to the image).
    pub(crate) fn crop(&self, x: usize, y: usize, w: usize, h: usize) -> LumaImage {
        let x = x.min(self.w() - 1);
        let y = y.min(self.h() - 1);
        let w = w.clamp(1, self.w() - x);
        let h = h.clamp(1, self.h() - y);
        let mut data = Vec::with_capacity(w * h);
        for row in y..y + h {
            data.extend_from_slice(&self.row(row)[x..x + w]);
        }
        LumaImage {
            width: w as u32,
            height: h as u32,
            data,
        }
    }

    /// Box-filter downscale by an integer factor: averaging is what a camera focused
    /// farther away would see, and it also averages sensor noise out.
    pub(crate) fn downscale(&self, factor: usize) -> LumaImage {
        if factor <= 1 {
            return self.clone();
        }
        let (w, h) = (self.w() / factor, self.h() / factor);
        if w == 0 || h == 0 {
            return self.downscale_partial(factor);
        }
        // Every block is whole here, so the loops run over exact chunks, which the compiler
        // vectorises: this runs on every photo with a linear code, before the 2D readers.
        let area = (factor * factor) as u32;
        let mut sums = vec![0u32; w];
        let mut data = Vec::with_capacity(w * h);
        for oy in 0..h {
            sums.iter_mut().for_each(|s| *s = 0);
            for y in oy * factor..(oy + 1) * factor {
                let row = &self.row(y)[..w * factor];
                if factor == 2 {
                    for (s, px) in sums.iter_mut().zip(row.chunks_exact(2)) {
                        *s += u32::from(px[0]) + u32::from(px[1]);
                    }
                } else {
                    for (s, px) in sums.iter_mut().zip(row.chunks_exact(factor)) {
                        *s += px.iter().map(|&p| u32::from(p)).sum::<u32>();
                    }
                }
            }
            if factor == 2 {
                data.extend(sums.iter().map(|&s| (s >> 2) as u8));
            } else {
                data.extend(sums.iter().map(|&s| (s / area) as u8));
            }
        }
        LumaImage {
            width: w as u32,
            height: h as u32,
            data,
        }
    }

    /// [`downscale`](Self::downscale) of an image smaller than one block on some side: a
    /// single row or column of averaged, partial blocks.
    fn downscale_partial(&self, factor: usize) -> LumaImage {
        let (w, h) = ((self.w() / factor).max(1), (self.h() / factor).max(1));
        let mut sums = vec![0u32; w];
        let mut data = Vec::with_capacity(w * h);
        let area = (factor * factor) as u32;
        for oy in 0..h {
            sums.iter_mut().for_each(|s| *s = 0);
            for y in oy * factor..((oy + 1) * factor).min(self.h()) {
                let row = self.row(y);
                for (ox, s) in sums.iter_mut().enumerate() {
                    let start = ox * factor;
                    let end = (start + factor).min(row.len());
                    *s += row[start..end].iter().map(|&p| u32::from(p)).sum::<u32>();
                }
            }
            data.extend(sums.iter().map(|&s| (s / area) as u8));
        }
        LumaImage {
            width: w as u32,
            height: h as u32,
            data,
        }
    }

    /// Bilinear resize to `w × h`.
    #[cfg(test)]
    pub(crate) fn resize(&self, w: usize, h: usize) -> LumaImage {
        let (w, h) = (w.max(1), h.max(1));
        let sx = self.w() as f32 / w as f32;
        let sy = self.h() as f32 / h as f32;
        let mut data = Vec::with_capacity(w * h);
        for y in 0..h {
            let fy = ((y as f32 + 0.5) * sy - 0.5).max(0.0);
            for x in 0..w {
                let fx = ((x as f32 + 0.5) * sx - 0.5).max(0.0);
                data.push(self.sample(fx, fy).round() as u8);
            }
        }
        LumaImage {
            width: w as u32,
            height: h as u32,
            data,
        }
    }

    /// Bilinear sample; coordinates outside are clamped to the border.
    pub(crate) fn sample(&self, x: f32, y: f32) -> f32 {
        let maxx = (self.w() - 1) as f32;
        let maxy = (self.h() - 1) as f32;
        let x = x.clamp(0.0, maxx);
        let y = y.clamp(0.0, maxy);
        let (x0, y0) = (x as usize, y as usize);
        let (x1, y1) = ((x0 + 1).min(self.w() - 1), (y0 + 1).min(self.h() - 1));
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let p = |x, y| f32::from(self.at(x, y));
        let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
        let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
        top * (1.0 - fy) + bottom * fy
    }

    /// The image turned a quarter clockwise `quarters` times.
    #[cfg(test)]
    pub(crate) fn rotate(&self, quarters: u8) -> LumaImage {
        let (w, h) = (self.w(), self.h());
        match quarters % 4 {
            0 => self.clone(),
            2 => LumaImage {
                width: self.width,
                height: self.height,
                data: self.data.iter().rev().copied().collect(),
            },
            q => {
                let mut data = vec![0u8; w * h];
                // New image is h wide and w high.
                for y in 0..h {
                    for x in 0..w {
                        let (nx, ny) = if q == 1 {
                            (h - 1 - y, x)
                        } else {
                            (y, w - 1 - x)
                        };
                        data[ny * h + nx] = self.at(x, y);
                    }
                }
                LumaImage {
                    width: self.height,
                    height: self.width,
                    data,
                }
            }
        }
    }

    /// Paints the convex quadrilateral `quad`, grown by `margin` pixels, white.
    pub(crate) fn blank(&mut self, quad: &[Point], margin: f32) {
        if quad.len() != 4 {
            return;
        }
        let cx = quad.iter().map(|p| p.x).sum::<f32>() / 4.0;
        let cy = quad.iter().map(|p| p.y).sum::<f32>() / 4.0;
        // Push every corner away from the centre by the margin.
        let q: Vec<(f32, f32)> = quad
            .iter()
            .map(|p| {
                let (vx, vy) = (p.x - cx, p.y - cy);
                let len = (vx * vx + vy * vy).sqrt().max(1e-3);
                (p.x + vx / len * margin, p.y + vy / len * margin)
            })
            .collect();
        let x0 = q
            .iter()
            .map(|p| p.0)
            .fold(f32::MAX, f32::min)
            .floor()
            .max(0.0) as usize;
        let y0 = q
            .iter()
            .map(|p| p.1)
            .fold(f32::MAX, f32::min)
            .floor()
            .max(0.0) as usize;
        let x1 = (q
            .iter()
            .map(|p| p.0)
            .fold(f32::MIN, f32::max)
            .ceil()
            .max(0.0) as usize)
            .min(self.w());
        let y1 = (q
            .iter()
            .map(|p| p.1)
            .fold(f32::MIN, f32::max)
            .ceil()
            .max(0.0) as usize)
            .min(self.h());
        let w = self.w();
        // Twice the signed area: which side of each edge the inside lies on.
        let area: f32 = (0..4)
            .map(|i| {
                let (a, b) = (q[i], q[(i + 1) % 4]);
                a.0 * b.1 - b.0 * a.1
            })
            .sum();
        if area.abs() < 1e-3 {
            return;
        }
        let sign = area.signum();
        // Each row meets a convex polygon in one run of pixels, found edge by edge: testing
        // every pixel of the bounding box cost as much as the 2D readers that follow.
        for y in y0..y1 {
            let (mut lo, mut hi) = (x0 as f32, x1 as f32 - 1.0);
            for i in 0..4 {
                let (a, b) = (q[i], q[(i + 1) % 4]);
                // Cross product (b - a) × (p - a) = k - d·x on this row.
                let d = b.1 - a.1;
                let k = (b.0 - a.0) * (y as f32 - a.1) + d * a.0;
                if d == 0.0 {
                    if sign * k < 0.0 {
                        hi = lo - 1.0;
                    }
                } else if sign * d > 0.0 {
                    hi = hi.min(k / d);
                } else {
                    lo = lo.max(k / d);
                }
            }
            if hi < lo {
                continue;
            }
            let (from, to) = (lo.ceil() as usize, (hi.floor() as usize + 1).min(x1));
            if from < to {
                self.data[y * w + from..y * w + to].fill(255);
            }
        }
    }

    /// Stretches the 1st–99th percentile range to 0–255: a dim or washed-out photo then
    /// gives binarizers the contrast they expect.
    pub(crate) fn stretch_contrast(&self) -> Option<LumaImage> {
        let mut hist = [0usize; 256];
        for &p in &self.data {
            hist[p as usize] += 1;
        }
        let n = self.data.len();
        let cut = n / 100;
        let mut acc = 0;
        let lo = hist.iter().position(|&c| {
            acc += c;
            acc > cut
        })?;
        acc = 0;
        let hi = 255
            - hist.iter().rev().position(|&c| {
                acc += c;
                acc > cut
            })?;
        if hi <= lo + 8 || (lo < 16 && hi > 240) {
            return None;
        }
        let span = (hi - lo) as f32;
        let lut: Vec<u8> = (0..256)
            .map(|v| (((v as f32 - lo as f32) / span) * 255.0).clamp(0.0, 255.0) as u8)
            .collect();
        Some(LumaImage {
            width: self.width,
            height: self.height,
            data: self.data.iter().map(|&p| lut[p as usize]).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img() -> LumaImage {
        LumaImage::new(3, 2, vec![1, 2, 3, 4, 5, 6]).unwrap()
    }

    #[test]
    fn quarter_turns() {
        assert_eq!(img().rotate(1).pixels(), &[4, 1, 5, 2, 6, 3]);
        assert_eq!(img().rotate(3).pixels(), &[3, 6, 2, 5, 1, 4]);
        assert_eq!(img().rotate(2).pixels(), &[6, 5, 4, 3, 2, 1]);
        assert_eq!(img().rotate(1).rotate(3), img());
    }

    #[test]
    fn buffers_are_checked() {
        assert!(LumaImage::new(3, 2, vec![0; 5]).is_err());
        assert!(LumaImage::new(0, 0, vec![]).is_err());
        assert!(LumaImage::from_strided(&[0; 7], 3, 2, 4).is_ok());
        assert!(LumaImage::from_strided(&[0; 6], 3, 2, 4).is_err());
        assert!(LumaImage::from_strided(&[0; 8], 3, 2, 2).is_err());
        let s = LumaImage::from_strided(&[1, 2, 3, 9, 4, 5, 6], 3, 2, 4).unwrap();
        assert_eq!(s, img());
    }

    #[test]
    fn crop_and_scale() {
        assert_eq!(img().crop(1, 0, 5, 5).pixels(), &[2, 3, 5, 6]);
        let big = LumaImage::new(4, 4, (0..16).collect()).unwrap();
        assert_eq!(big.downscale(2).pixels(), &[2, 4, 10, 12]);
        assert_eq!(big.resize(4, 4), big);
    }
}
