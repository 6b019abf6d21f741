//! Scan-line profiles to bars: one threshold per line (ZXing's histogram) or a local mean,
//! on profiles resampled to sub-pixel resolution.
//!
//! Edges found as peaks of the slope were tried for blurred codes and dropped: where blur
//! is as wide as a module, the peaks of a narrow bar's edges move outwards, consistently on
//! every line, and a blurred EAN-13 then reads as another valid number on dozens of lines,
//! which no vote can catch.

use rxing::common::BitArray;

/// How to turn a grey line into bars and spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binarize {
    /// One threshold per line from its histogram, after a light sharpen (ZXing's row
    /// binarizer): good on evenly lit codes.
    Histogram,
    /// Threshold at the local mean: copes with shadows and gradients along the line.
    LocalMean,
}

/// Bars as set bits; `None` if the line has too little contrast or too few edges to hold a
/// code (the quick exit that keeps blank lines cheap).
pub(crate) fn binarize(
    p: &[u8],
    method: Binarize,
    upsample: usize,
    min_transitions: usize,
) -> Option<BitArray> {
    let n = p.len();
    if n < 3 {
        return None;
    }
    let k = upsample.max(1);
    match method {
        Binarize::Histogram => {
            let mut buckets = [0u32; 32];
            for &v in p {
                buckets[(v >> 3) as usize] += 1;
            }
            let bp = black_point(&buckets)? as i32;
            // The -1 4 -1 sharpen of ZXing's row binarizer, at pixel resolution, doubled so
            // it stays in integers (the ends are the pixels themselves, doubled alike).
            let mut sharp = vec![0i32; n];
            sharp[0] = 2 * i32::from(p[0]);
            sharp[n - 1] = 2 * i32::from(p[n - 1]);
            for (s, w) in sharp[1..n - 1].iter_mut().zip(p.windows(3)) {
                let (l, c, r) = (i32::from(w[0]), i32::from(w[1]), i32::from(w[2]));
                *s = 4 * c - l - r;
            }
            sharp_bits(&sharp, 2 * bp, k, min_transitions)
        }
        Binarize::LocalMean => {
            let (min, max) = p
                .iter()
                .fold((255u8, 0u8), |(a, b), &v| (a.min(v), b.max(v)));
            if max - min < 24 {
                return None;
            }
            let r = (n / 24).clamp(6, 48);
            let mut prefix = vec![0u32; n + 1];
            for (i, &v) in p.iter().enumerate() {
                prefix[i + 1] = prefix[i] + u32::from(v);
            }
            // A floor on the local contrast keeps flat paper from turning into noise bars.
            let floor = (f32::from(max - min) / 8.0).min(8.0);
            let means: Vec<f32> = (0..n)
                .map(|x| {
                    let (a, b) = (x.saturating_sub(r), (x + r + 1).min(n));
                    (prefix[b] - prefix[a]) as f32 / (b - a) as f32 - floor
                })
                .collect();
            let vals: Vec<f32> = p.iter().map(|&v| f32::from(v)).collect();
            threshold(&vals, |x| means[x], k, min_transitions)
        }
    }
}

/// [`threshold`] for the histogram method, in integers: sample `j` of pixel `x` is black
/// when `k·s[x] + j·(s[x+1] − s[x]) < k·t`, exactly what the interpolated comparison says.
fn sharp_bits(s: &[i32], t: i32, k: usize, min_transitions: usize) -> Option<BitArray> {
    let transitions = s.windows(2).filter(|w| (w[0] < t) != (w[1] < t)).count();
    if transitions < min_transitions {
        return None;
    }
    let mut out = Packer::new(s.len() * k);
    let ki = k as i32;
    for (x, &a) in s.iter().enumerate() {
        let b = s.get(x + 1).copied().unwrap_or(a);
        let (base, step) = (ki * (a - t), b - a);
        for j in 0..ki {
            out.push(base + step * j < 0);
        }
    }
    Some(out.finish())
}

/// Bits pushed one at a time into a [`BitArray`], a word at a time.
struct Packer {
    bits: BitArray,
    word: usize,
    filled: usize,
    at: usize,
}

impl Packer {
    fn new(size: usize) -> Packer {
        Packer {
            bits: BitArray::with_size(size),
            word: 0,
            filled: 0,
            at: 0,
        }
    }

    fn push(&mut self, black: bool) {
        self.word |= usize::from(black) << self.filled;
        self.filled += 1;
        if self.filled == usize::BITS as usize {
            self.bits.setBulk(self.at, self.word);
            self.at += self.filled;
            (self.word, self.filled) = (0, 0);
        }
    }

    fn finish(mut self) -> BitArray {
        if self.filled > 0 {
            self.bits.setBulk(self.at, self.word);
        }
        self.bits
    }
}

/// Bars where `v`, interpolated to `k` samples per pixel, lies below the threshold `t`,
/// interpolated alike. Between two pixels both run straight, so the colour changes at most
/// once there, and the count of changes is known from the pixels alone: lines that cannot
/// hold a code are dropped before anything is upsampled, and the bits go straight into
/// words.
///
/// With `k` = 2 every other sample falls on a pixel boundary, where a one-pixel bar's edge
/// reads as either colour; `k` = 3 keeps samples off the boundaries, which is why the dense
/// level uses it (a label drawn at one pixel per module reads there). Centring the samples
/// for `k` = 2 as well was tried: it read labels at one pixel per module in the quick pass,
/// but lost codes at 1.5 pixels per module, the common case in downscaled camera frames.
fn threshold(
    v: &[f32],
    t: impl Fn(usize) -> f32,
    k: usize,
    min_transitions: usize,
) -> Option<BitArray> {
    let n = v.len();
    let mut transitions = 0;
    let mut was = v[0] < t(0);
    for (x, &vx) in v.iter().enumerate().skip(1) {
        let black = vx < t(x);
        transitions += usize::from(black != was);
        was = black;
    }
    if transitions < min_transitions {
        return None;
    }
    let mut out = Packer::new(n * k);
    for x in 0..n {
        let (a, ta) = (v[x], t(x));
        let (b, tb) = if x + 1 < n {
            (v[x + 1], t(x + 1))
        } else {
            (a, ta)
        };
        for j in 0..k {
            let (j, k) = (j as f32, k as f32);
            out.push(a + (b - a) * j / k < ta + (tb - ta) * j / k);
        }
    }
    Some(out.finish())
}

/// ZXing's black point from a 32-bucket histogram: the valley between the two main peaks.
fn black_point(buckets: &[u32; 32]) -> Option<u32> {
    let (mut first, mut first_size, mut max_count) = (0usize, 0u32, 0u32);
    for (x, &b) in buckets.iter().enumerate() {
        if b > first_size {
            first = x;
            first_size = b;
        }
        max_count = max_count.max(b);
    }
    let (mut second, mut second_score) = (0usize, 0u64);
    for (x, &b) in buckets.iter().enumerate() {
        let d = x.abs_diff(first) as u64;
        let score = u64::from(b) * d * d;
        if score > second_score {
            second = x;
            second_score = score;
        }
    }
    let (lo, hi) = if first > second {
        (second, first)
    } else {
        (first, second)
    };
    if hi - lo <= 2 {
        return None;
    }
    let (mut best, mut best_score) = (hi - 1, -1i64);
    for x in (lo + 1..=hi).rev() {
        let from_lo = (x - lo) as i64;
        let score = from_lo * from_lo * (hi - x) as i64 * i64::from(max_count - buckets[x]);
        if score > best_score {
            best = x;
            best_score = score;
        }
    }
    Some((best as u32) << 3)
}
