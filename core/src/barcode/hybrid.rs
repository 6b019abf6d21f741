//! ZXing's hybrid binarizer for the 2D readers, bit for bit, computed a word at a time.
//!
//! rxing's own version sets the matrix one pixel at a time through bounds-checked calls, and
//! it ran on every photo: a quarter of a millisecond on a 240×240 image, as much as the QR
//! detector after it. The thresholds here are the same (8×8 blocks, each cut at the mean
//! black point of the 5×5 blocks around it), so the readers see the same bits.

use rxing::common::{BitArray, BitMatrix, GlobalHistogramBinarizer, LineOrientation, Result};
use rxing::{Binarizer, LuminanceSource};
use std::borrow::Cow;

const BLOCK: usize = 8;
/// Images smaller than five blocks either way have no 5×5 neighbourhood; ZXing then falls
/// back to one global threshold, and so does this.
const MIN_SIDE: usize = BLOCK * 5;
const MIN_DYNAMIC_RANGE: u8 = 24;

/// A [`Binarizer`] whose matrix is computed up front (the readers always ask for it).
pub(crate) struct Hybrid<LS: LuminanceSource> {
    global: GlobalHistogramBinarizer<LS>,
    matrix: Option<BitMatrix>,
}

impl<LS: LuminanceSource> Hybrid<LS> {
    pub(crate) fn new(source: LS) -> Self {
        let matrix = block_matrix(
            &source.get_matrix(),
            source.get_width(),
            source.get_height(),
        );
        Hybrid {
            global: GlobalHistogramBinarizer::new(source),
            matrix,
        }
    }
}

impl<LS: LuminanceSource> Binarizer for Hybrid<LS> {
    type Source = LS;

    fn get_luminance_source(&self) -> &LS {
        self.global.get_luminance_source()
    }

    fn get_black_row(&self, y: usize) -> Result<Cow<'_, BitArray>> {
        self.global.get_black_row(y)
    }

    fn get_black_row_from_matrix(&self, y: usize) -> Result<Cow<'_, BitArray>> {
        match &self.matrix {
            Some(m) => Ok(Cow::Owned(m.getRow(y as u32))),
            None => self.global.get_black_row_from_matrix(y),
        }
    }

    fn get_black_matrix(&self) -> Result<&BitMatrix> {
        match &self.matrix {
            Some(m) => Ok(m),
            None => self.global.get_black_matrix(),
        }
    }

    fn get_black_line(&self, l: usize, lt: LineOrientation) -> Result<Cow<'_, BitArray>> {
        self.global.get_black_line(l, lt)
    }

    fn create_binarizer(&self, source: LS) -> Self {
        Self::new(source)
    }

    fn get_width(&self) -> usize {
        self.global.get_width()
    }

    fn get_height(&self) -> usize {
        self.global.get_height()
    }
}

/// The hybrid matrix of a `w × h` luma buffer, or `None` when it is too small for blocks.
fn block_matrix(lum: &[u8], w: usize, h: usize) -> Option<BitMatrix> {
    if w < MIN_SIDE || h < MIN_SIDE || lum.len() < w * h {
        return None;
    }
    let (sub_w, sub_h) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    // The last block in each direction is pulled back inside the image, overlapping the one
    // before it; a pixel either block calls black is black.
    let origin = |i: usize, side: usize| (i * BLOCK).min(side - BLOCK);
    let row = |y: usize| &lum[y * w..(y + 1) * w];
    // Each band of eight rows is first reduced down the columns, a loop over whole rows
    // that vectorises; the blocks then only reduce eight columns each.
    let mut points = vec![0u32; sub_w * sub_h];
    let (mut col_min, mut col_max) = (vec![0u8; w], vec![0u8; w]);
    let mut col_sum = vec![0u16; w];
    for by in 0..sub_h {
        let y0 = origin(by, h);
        col_min.copy_from_slice(row(y0));
        col_max.copy_from_slice(row(y0));
        for (s, &p) in col_sum.iter_mut().zip(row(y0)) {
            *s = u16::from(p);
        }
        for y in y0 + 1..y0 + BLOCK {
            for (((lo, hi), s), &p) in col_min
                .iter_mut()
                .zip(col_max.iter_mut())
                .zip(col_sum.iter_mut())
                .zip(row(y))
            {
                *lo = (*lo).min(p);
                *hi = (*hi).max(p);
                *s += u16::from(p);
            }
        }
        for bx in 0..sub_w {
            let x0 = origin(bx, w);
            let min = col_min[x0..x0 + BLOCK]
                .iter()
                .copied()
                .fold(u8::MAX, u8::min);
            let max = col_max[x0..x0 + BLOCK].iter().copied().fold(0, u8::max);
            let sum: u32 = col_sum[x0..x0 + BLOCK].iter().map(|&s| u32::from(s)).sum();
            let mut point = sum >> 6;
            if max - min <= MIN_DYNAMIC_RANGE {
                // A flat block: paper, or the inside of a large dark module, told apart by
                // the neighbours already seen (ZXing's rule).
                point = u32::from(min) / 2;
                if by > 0 && bx > 0 {
                    let up = points[(by - 1) * sub_w + bx];
                    let left = points[by * sub_w + bx - 1];
                    let diag = points[(by - 1) * sub_w + bx - 1];
                    let neighbours = (up + 2 * left + diag) / 4;
                    if u32::from(min) < neighbours {
                        point = neighbours;
                    }
                }
            }
            points[by * sub_w + bx] = point;
        }
    }
    // Thresholds spread to one per column of the band (the higher of two overlapping
    // blocks), then whole rows compared and packed 64 pixels to a word.
    let bits = usize::BITS as usize;
    let words_per_row = w.div_ceil(bits);
    let mut words = vec![0usize; words_per_row * h];
    let mut thresholds = vec![0u8; w];
    for by in 0..sub_h {
        let y0 = origin(by, h);
        let top = by.clamp(2, sub_h - 3);
        thresholds.fill(0);
        for bx in 0..sub_w {
            let x0 = origin(bx, w);
            let left = bx.clamp(2, sub_w - 3);
            let sum: u32 = (top - 2..=top + 2)
                .map(|y| {
                    points[y * sub_w + left - 2..=y * sub_w + left + 2]
                        .iter()
                        .sum::<u32>()
                })
                .sum();
            let t = (sum / 25).min(255) as u8;
            for c in &mut thresholds[x0..x0 + BLOCK] {
                *c = (*c).max(t);
            }
        }
        for y in y0..y0 + BLOCK {
            let out = &mut words[y * words_per_row..(y + 1) * words_per_row];
            for (word, (px, ts)) in out
                .iter_mut()
                .zip(row(y).chunks(bits).zip(thresholds.chunks(bits)))
            {
                let mut packed = 0usize;
                let eights = px.chunks_exact(8).zip(ts.chunks_exact(8));
                for (i, (p8, t8)) in eights.enumerate() {
                    packed |= (at_most(p8, t8) as usize) << (8 * i);
                }
                let done = px.len() / 8 * 8;
                for (i, (&p, &t)) in px[done..].iter().zip(&ts[done..]).enumerate() {
                    packed |= usize::from(p <= t) << (done + i);
                }
                *word |= packed;
            }
        }
    }
    let mut matrix = BitMatrix::new(w as u32, h as u32).ok()?;
    let mut row = BitArray::with_size(w);
    for (y, chunk) in words.chunks(words_per_row).enumerate() {
        for (i, &word) in chunk.iter().enumerate() {
            row.setBulk(i * usize::BITS as usize, word);
        }
        matrix.setRow(y as u32, &row);
    }
    Some(matrix)
}

/// Eight pixels compared with their thresholds at once (`p <= t`, one bit each, first pixel
/// lowest), in a `u64`: the safe, portable way to have the compiler do eight at a time.
fn at_most(p: &[u8], t: &[u8]) -> u8 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("eight bytes"));
    let (t, p) = (word(t), word(p));
    // Per byte, t - p on the low seven bits with no borrow across bytes, then the high bits
    // decide where they differ (Hacker's Delight, "SWAR comparison").
    let low = (t | HIGH).wrapping_sub(p & !HIGH);
    let ge = ((t & !p) | (!(t ^ p) & low)) & HIGH;
    // Gather the eight flags into one byte.
    ((ge >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use rxing::Luma8Source;
    use rxing::common::HybridBinarizer;

    #[test]
    fn eight_comparisons_at_once() {
        let mut s = 99u64;
        for _ in 0..20_000 {
            let mut next = || {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (s >> 56) as u8
            };
            let p: Vec<u8> = (0..8).map(|_| next()).collect();
            let t: Vec<u8> = p
                .iter()
                .map(|&v| v.wrapping_add(next() % 3).wrapping_sub(1))
                .collect();
            let want = (0..8).fold(0u8, |m, i| m | (u8::from(p[i] <= t[i]) << i));
            assert_eq!(at_most(&p, &t), want, "{p:?} {t:?}");
        }
    }

    #[test]
    fn same_bits_as_rxing() {
        // Gradients, noise, flat areas and sizes that are not multiples of the block.
        for (w, h) in [(40, 40), (67, 45), (130, 97), (200, 41)] {
            let mut s = 12345u64;
            let lum: Vec<u8> = (0..w * h)
                .map(|i| {
                    s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
                    let (x, y) = (i % w, i / w);
                    let bars = if (x / 3 + y / 5) % 2 == 0 { 60 } else { 0 };
                    let noise = (s >> 60) as usize * 4;
                    match (x < w / 3, y < h / 2) {
                        // Flat paper above a flat dark area: the neighbour rule decides.
                        (true, true) => 200,
                        (true, false) => 30,
                        _ => (40 + x + bars + noise).min(255) as u8,
                    }
                })
                .collect();
            let ours = Hybrid::new(Luma8Source::new_with_slice(&lum, w as u32, h as u32).unwrap());
            let theirs = HybridBinarizer::new(
                Luma8Source::new_with_slice(&lum, w as u32, h as u32).unwrap(),
            );
            assert_eq!(
                ours.get_black_matrix().unwrap(),
                theirs.get_black_matrix().unwrap(),
                "{w}×{h}"
            );
        }
    }
}
