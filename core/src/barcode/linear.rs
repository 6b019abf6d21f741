//! Linear codes (EAN/UPC, ITF-14, Code 128) read along scan lines at any angle, and the vote
//! that turns single-line reads into results.
//!
//! rxing's row readers see one line at a time; a blurred or scratched line can decode to a
//! different number that still passes the check digit. So every line is kept as a vote, and
//! a code is reported only when enough lines agree and no rival reading of the same place
//! comes close (zxing-cpp likewise asks for two equal lines).

use super::Point;
use super::Symbology;
use super::binarize::{Binarize, binarize};
use super::luma::LumaImage;
use super::matrix::RawHit;
use rxing::common::BitArray;
use rxing::oned::{Code128Reader, ITFReader, MultiFormatUPCEANReader, OneDReader};
use rxing::{BarcodeFormat, DecodeHints, RXingResult};
use std::collections::HashSet;

/// One pass of scan lines over an image.
#[derive(Debug, Clone)]
pub(crate) struct LinePlan {
    /// Line directions in degrees (0 = left to right, 90 = top to bottom).
    pub angles: Vec<f32>,
    /// Distance between neighbouring lines, in pixels.
    pub spacing: f32,
    /// Lines are averaged over ±`band` pixels across, which smooths noise along bars.
    pub band: i32,
    /// Binarizers to try on every line.
    pub methods: Vec<Binarize>,
    /// Lines are interpolated to this many samples per pixel before thresholding, so that
    /// edges fall between pixels and narrow bars keep their true widths.
    pub upsample: usize,
    /// From the scanned image's pixels to the original image's.
    pub map: Mapping,
}

/// A scale then a shift: how a downscaled copy or a crop sits in the original image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Mapping {
    pub scale: f32,
    pub dx: f32,
    pub dy: f32,
}

impl Mapping {
    pub(crate) const IDENTITY: Mapping = Mapping {
        scale: 1.0,
        dx: 0.0,
        dy: 0.0,
    };

    /// From original-image pixels back to the scanned image's.
    pub(crate) fn invert(&self, p: Point) -> Point {
        Point {
            x: (p.x - self.dx) / self.scale,
            y: (p.y - self.dy) / self.scale,
        }
    }

    pub(crate) fn apply(&self, p: Point) -> Point {
        Point {
            x: p.x * self.scale + self.dx,
            y: p.y * self.scale + self.dy,
        }
    }
}

/// A single line's reading, kept as a vote.
#[derive(Debug, Clone)]
pub(crate) struct LineHit {
    pub hit: RawHit,
    /// Which family of parallel lines (angle in tenths of a degree) and which line in it.
    pub line: (i32, i32),
    /// Ends of the code on the line, in image coordinates.
    pub start: Point,
    pub end: Point,
}

/// The row readers for the requested linear formats.
pub(crate) struct LinearReader {
    upcean: Option<MultiFormatUPCEANReader>,
    code128: bool,
    itf: bool,
    hints: DecodeHints,
    /// Lines with fewer black/white changes hold no code we look for.
    min_transitions: usize,
    /// The most grey-level reversals seen on one line so far (see [`swings`]).
    pub max_swings: usize,
}

/// Fewer black/white changes than this cannot be a retail code (UPC-E has 33).
const MIN_RETAIL_TRANSITIONS: usize = 30;

/// The shortest Code 128 (start, one symbol, check, stop) has 26.
const MIN_CODE128_TRANSITIONS: usize = 26;

impl LinearReader {
    pub(crate) fn new(formats: &[Symbology]) -> LinearReader {
        let mut retail = HashSet::new();
        for f in formats {
            match f {
                Symbology::Ean13 => retail.insert(BarcodeFormat::EAN_13),
                Symbology::Ean8 => retail.insert(BarcodeFormat::EAN_8),
                Symbology::UpcA => retail.insert(BarcodeFormat::UPC_A),
                Symbology::UpcE => retail.insert(BarcodeFormat::UPC_E),
                _ => false,
            };
        }
        let hints = DecodeHints {
            // FNC1 must survive as GS, or GS1-128 fields cannot be split.
            AssumeGs1: Some(true),
            AllowedLengths: Some(vec![14]),
            PossibleFormats: Some(retail.clone()),
            ..Default::default()
        };
        LinearReader {
            upcean: (!retail.is_empty()).then(|| MultiFormatUPCEANReader::new(&hints)),
            code128: formats.contains(&Symbology::Code128),
            itf: formats.contains(&Symbology::Itf),
            hints,
            min_transitions: if formats.contains(&Symbology::Code128) {
                MIN_CODE128_TRANSITIONS
            } else {
                MIN_RETAIL_TRANSITIONS
            },
            max_swings: 0,
        }
    }

    /// Whether some line scanned so far reversed its grey level as often as the shortest
    /// symbol looked for has edges: without that, denser lines in the same directions find
    /// nothing either.
    pub(crate) fn saw_enough_edges(&self) -> bool {
        self.max_swings >= self.min_transitions
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.upcean.is_none() && !self.code128 && !self.itf
    }

    /// Scans `img` along the plan's lines, adding every single-line reading to `out`.
    pub(crate) fn scan(&mut self, img: &LumaImage, plan: &LinePlan, out: &mut Vec<LineHit>) {
        if self.is_empty() {
            return;
        }
        let mut profile = Vec::new();
        for &angle in &plan.angles {
            let family = (angle * 10.0).round() as i32;
            let geo = LineGeometry::new(img, angle);
            let reach = (geo.t_max / plan.spacing).floor() as i32;
            // Centre line first, then outwards: codes are usually near the middle.
            for k in 0..=2 * reach {
                let i = if k % 2 == 0 { k / 2 } else { -(k + 1) / 2 };
                let t = i as f32 * plan.spacing;
                let Some(s0) = geo.profile(img, t, plan.band, &mut profile) else {
                    continue;
                };
                // Once one line has shown enough edges the question is settled; until then
                // every line is counted (it costs about what binarizing it does).
                if !self.saw_enough_edges() {
                    self.max_swings = self.max_swings.max(swings(&profile));
                }
                for &method in &plan.methods {
                    let Some(bits) =
                        binarize(&profile, method, plan.upsample, self.min_transitions)
                    else {
                        continue;
                    };
                    for reversed in [false, true] {
                        let mut bits = bits.clone();
                        if reversed {
                            bits.reverse();
                        }
                        self.read_line(&bits, &mut |r: RXingResult| {
                            let Some(hit) = RawHit::from_rxing(&r) else {
                                return;
                            };
                            let pts = r.getPoints();
                            let (x0, x1) = match pts {
                                [a, b, ..] => (a.x, b.x),
                                _ => return,
                            };
                            let n = bits.get_size() as f32;
                            let (x0, x1) = if reversed {
                                (n - 1.0 - x0, n - 1.0 - x1)
                            } else {
                                (x0, x1)
                            };
                            let k = plan.upsample.max(1) as f32;
                            let (x0, x1) = (x0 / k, x1 / k);
                            let start = plan.map.apply(geo.point(t, s0 + x0));
                            let end = plan.map.apply(geo.point(t, s0 + x1));
                            // Lines are told apart by where they lie in the original
                            // image, so one physical line read twice is one vote.
                            let t_orig = (t + geo.centre_offset(&plan.map)) * plan.map.scale;
                            out.push(LineHit {
                                hit: RawHit {
                                    corners: vec![start, end],
                                    ..hit
                                },
                                line: (family, (t_orig / 2.0).round() as i32),
                                start,
                                end,
                            });
                        });
                    }
                }
            }
        }
    }

    /// Every code on one binarized line, left to right: after each find, what lies before
    /// its end is blanked and the line read again.
    fn read_line(&mut self, bits: &BitArray, found: &mut dyn FnMut(RXingResult)) {
        let mut bits = std::borrow::Cow::Borrowed(bits);
        for _ in 0..3 {
            let Some(r) = self.read_once(&bits) else {
                return;
            };
            let end = r.getPoints().get(1).map_or(0.0, |p| p.x).max(0.0) as usize;
            found(r);
            if end + 60 >= bits.get_size() {
                return;
            }
            let owned = bits.to_mut();
            for x in 0..=end {
                owned.unset(x);
            }
        }
    }

    fn read_once(&mut self, bits: &BitArray) -> Option<RXingResult> {
        if let Some(r) = &mut self.upcean
            && let Ok(res) = r.decode_row(0, bits, &self.hints)
        {
            return Some(res);
        }
        if self.code128
            && let Ok(res) = Code128Reader.decode_row(0, bits, &self.hints)
        {
            return Some(res);
        }
        if self.itf
            && let Ok(res) = ITFReader::default().decode_row(0, bits, &self.hints)
        {
            return Some(res);
        }
        None
    }
}

/// A family of parallel lines across an image.
struct LineGeometry {
    d: (f32, f32),
    n: (f32, f32),
    c: (f32, f32),
    t_max: f32,
    w: f32,
    h: f32,
    axis: Option<bool>,
}

impl LineGeometry {
    fn new(img: &LumaImage, angle: f32) -> LineGeometry {
        let a = angle.to_radians();
        let d = (a.cos(), a.sin());
        let n = (-d.1, d.0);
        let (w, h) = (img.w() as f32, img.h() as f32);
        let c = ((w - 1.0) / 2.0, (h - 1.0) / 2.0);
        let corners = [
            (0.0, 0.0),
            (w - 1.0, 0.0),
            (0.0, h - 1.0),
            (w - 1.0, h - 1.0),
        ];
        let ts = corners.map(|(x, y)| (x - c.0) * n.0 + (y - c.1) * n.1);
        let t_max = ts.iter().copied().fold(f32::MIN, f32::max);
        let axis = if angle.rem_euclid(360.0) == 0.0 {
            Some(true)
        } else if angle.rem_euclid(360.0) == 90.0 {
            Some(false)
        } else {
            None
        };
        LineGeometry {
            d,
            n,
            c,
            t_max,
            w,
            h,
            axis,
        }
    }

    /// How far (along the normal, in scanned pixels) this image's centre lies from the
    /// original image's origin, so line positions compare across crops.
    fn centre_offset(&self, map: &Mapping) -> f32 {
        let cx = self.c.0 + map.dx / map.scale;
        let cy = self.c.1 + map.dy / map.scale;
        cx * self.n.0 + cy * self.n.1
    }

    fn point(&self, t: f32, s: f32) -> Point {
        Point {
            x: self.c.0 + t * self.n.0 + s * self.d.0,
            y: self.c.1 + t * self.n.1 + s * self.d.1,
        }
    }

    /// Samples line `t` into `out` (band-averaged on axis-parallel lines); returns where it
    /// starts (`s`), or `None` if it barely touches the image.
    fn profile(&self, img: &LumaImage, t: f32, band: i32, out: &mut Vec<u8>) -> Option<f32> {
        out.clear();
        match self.axis {
            Some(true) => {
                let y = (self.c.1 + t).round() as i32;
                let rows: Vec<&[u8]> = (y - band..=y + band)
                    .filter(|&r| r >= 0 && r < img.h() as i32)
                    .map(|r| img.row(r as usize))
                    .collect();
                if let [a, b, c] = rows[..] {
                    // The usual band of three, as one loop over whole rows that vectorises.
                    out.extend(a.iter().zip(b).zip(c).map(|((&a, &b), &c)| {
                        ((u32::from(a) + u32::from(b) + u32::from(c)) / 3) as u8
                    }));
                    return Some(-self.c.0);
                }
                if rows.is_empty() {
                    return None;
                }
                let k = rows.len() as u32;
                out.extend(
                    (0..img.w())
                        .map(|x| (rows.iter().map(|r| u32::from(r[x])).sum::<u32>() / k) as u8),
                );
                Some(-self.c.0)
            }
            Some(false) => {
                // Lines run top to bottom at x = c.x - t (the normal points to -x).
                let x = (self.c.0 - t).round() as i32;
                let cols: Vec<usize> = (x - band..=x + band)
                    .filter(|&c| c >= 0 && c < img.w() as i32)
                    .map(|c| c as usize)
                    .collect();
                if cols.is_empty() {
                    return None;
                }
                if let [a, _, c] = cols[..] {
                    let w = img.w();
                    out.extend(img.pixels()[a..].chunks(w).map(|row| {
                        let band = &row[..=c - a];
                        ((u32::from(band[0]) + u32::from(band[1]) + u32::from(band[2])) / 3) as u8
                    }));
                    return Some(-self.c.1);
                }
                let k = cols.len() as u32;
                out.extend((0..img.h()).map(|y| {
                    let row = img.row(y);
                    (cols.iter().map(|&c| u32::from(row[c])).sum::<u32>() / k) as u8
                }));
                Some(-self.c.1)
            }
            None => {
                // Where the line enters and leaves the image rectangle.
                let base = (self.c.0 + t * self.n.0, self.c.1 + t * self.n.1);
                let mut lo = f32::MIN;
                let mut hi = f32::MAX;
                for (p, dir, max) in [
                    (base.0, self.d.0, self.w - 1.0),
                    (base.1, self.d.1, self.h - 1.0),
                ] {
                    if dir.abs() < 1e-6 {
                        if p < 0.0 || p > max {
                            return None;
                        }
                        continue;
                    }
                    let (a, b) = ((0.0 - p) / dir, (max - p) / dir);
                    lo = lo.max(a.min(b));
                    hi = hi.min(a.max(b));
                }
                if hi - lo < 40.0 {
                    return None;
                }
                let len = (hi - lo).floor() as usize;
                // Bilinear sampling already averages four pixels, so oblique lines skip the
                // band average: it would triple the cost of the slowest lines.
                let p0 = self.point(t, lo);
                let (w, h) = (img.w(), img.h());
                let px = img.pixels();
                for i in 0..len {
                    let x = (p0.x + self.d.0 * i as f32).clamp(0.0, (w - 1) as f32);
                    let y = (p0.y + self.d.1 * i as f32).clamp(0.0, (h - 1) as f32);
                    let (x0, y0) = (x as usize, y as usize);
                    let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
                    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
                    let at = |x: usize, y: usize| f32::from(px[y * w + x]);
                    let top = at(x0, y0) + (at(x1, y0) - at(x0, y0)) * fx;
                    let bottom = at(x0, y1) + (at(x1, y1) - at(x0, y1)) * fx;
                    out.push((top + (bottom - top) * fy) as u8);
                }
                Some(lo)
            }
        }
    }
}

/// Reversals of the grey level along a line by at least 15 % of its range (6 to 16 grey
/// levels): each bar and space of a code gives one, blurred or not, whatever threshold a
/// binarizer would pick. A line with fewer than a symbol has edges cannot hold it.
pub(crate) fn swings(p: &[u8]) -> usize {
    if p.is_empty() {
        return 0;
    }
    let (min, max) = p
        .iter()
        .fold((255u8, 0u8), |(a, b), &v| (a.min(v), b.max(v)));
    let amp = (u16::from(max - min) * 3 / 20).clamp(6, 16) as u8;
    let mut count = 0;
    let Some(start) = p.iter().position(|&v| v.abs_diff(p[0]) >= amp) else {
        return 0;
    };
    // The extreme reached since the last reversal, and which way the level is going.
    let mut rising = p[start] > p[0];
    let mut extreme = p[start];
    for &v in &p[start + 1..] {
        if rising {
            if v > extreme {
                extreme = v;
            } else if extreme - v >= amp {
                count += 1;
                rising = false;
                extreme = v;
            }
        } else if v < extreme {
            extreme = v;
        } else if v - extreme >= amp {
            count += 1;
            rising = true;
            extreme = v;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::swings;

    #[test]
    fn swings_count_reversals_not_noise() {
        // Five bars on paper: ten edges, nine reversals after the first.
        let mut bars = vec![200u8; 10];
        for _ in 0..5 {
            bars.extend([40, 40, 200, 200]);
        }
        assert_eq!(swings(&bars), 9);
        // Sensor noise of ±2 on flat paper, and a slow shadow, are no edges.
        let flat: Vec<u8> = (0..200).map(|i| 148 + (i * 3 % 5) as u8).collect();
        assert_eq!(swings(&flat), 0);
        let shadow: Vec<u8> = (0..200).map(|i| 60 + i as u8 / 2).collect();
        assert_eq!(swings(&shadow), 0);
        assert_eq!(swings(&[]), 0);
    }
}
