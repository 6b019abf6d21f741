//! The decoding strategy over an image already in memory: cheap passes first, harder ones
//! only while nothing is found, and every linear reading put to the vote.

use super::binarize::Binarize;
use super::linear::{LineHit, LinePlan, LinearReader, Mapping};
use super::luma::LumaImage;
use super::matrix::{MatrixPlan, RawHit, read_matrix};
use super::parse::GS1_IDENTIFIERS;
use super::vote::{Vote, bars_beyond_ends, grow_across_bars, vote};
use super::{DecodedCode, Point, Symbology, parse_payload};
use std::borrow::Cow;

/// What to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Symbologies to report; others are not even looked for.
    pub formats: Vec<Symbology>,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            formats: Symbology::ALL.to_vec(),
        }
    }
}

/// Linear codes must be read on this many distinct lines to be reported.
pub(crate) const MIN_LINES: usize = 2;

/// Photos are first looked at no larger than this (longest side): phone photos of a code
/// hold it large enough, and the full image is the fallback.
const WORKING_SIDE: usize = 1280;

/// Largest image (longest side) whose quick lines, 24 across, are trusted to have crossed
/// any linear code in it: about 16 pixels apart.
const EVIDENCE_SIDE: usize = 400;

/// Every code in a decoded image (see the module docs of [`crate::barcode`]).
pub fn decode_luma(img: &LumaImage, opts: &DecodeOptions) -> Vec<DecodedCode> {
    let mut session = Session::new(opts);
    let longest = img.w().max(img.h());
    let factor = longest.div_ceil(WORKING_SIDE);
    if factor > 1 {
        let small = img.downscale(factor);
        let map = Mapping {
            scale: factor as f32,
            dx: 0.0,
            dy: 0.0,
        };
        session.quick(&small, map);
        if session.found() {
            return session.finish();
        }

        session.thorough(&small, map);
        if session.found() {
            return session.finish();
        }
        // Small codes in a big photo: look again at full resolution, tile by tile.
        for (tile, map) in tiles(img, WORKING_SIDE) {
            session.quick(&tile, map);
        }
        return session.finish();
    }
    session.quick(img, Mapping::IDENTITY);
    if !session.found() {
        session.thorough(img, Mapping::IDENTITY);
    }
    session.finish()
}

/// Overlapping tiles of at most `side` pixels covering `img`.
fn tiles(img: &LumaImage, side: usize) -> Vec<(LumaImage, Mapping)> {
    let step = side * 3 / 4;
    let mut out = Vec::new();
    let starts = |len: usize| -> Vec<usize> {
        if len <= side {
            return vec![0];
        }
        let mut v: Vec<usize> = (0..len - side).step_by(step).collect();
        v.push(len - side);
        v
    };
    for y in starts(img.h()) {
        for x in starts(img.w()) {
            let map = Mapping {
                scale: 1.0,
                dx: x as f32,
                dy: y as f32,
            };
            out.push((img.crop(x, y, side, side), map));
        }
    }
    out
}

/// The state of one decode: readers, linear votes so far, 2D results so far.
pub(crate) struct Session {
    formats: Vec<Symbology>,
    linear: LinearReader,
    votes: Vec<LineHit>,
    /// Short-symbol readings found to be parts of longer codes; never reported.
    rejected: Vec<(Symbology, String)>,
    matrix: Vec<RawHit>,
    qr: bool,
    datamatrix: bool,
}

impl Session {
    pub(crate) fn new(opts: &DecodeOptions) -> Session {
        let linear_formats: Vec<Symbology> = opts
            .formats
            .iter()
            .copied()
            .filter(|f| f.is_linear())
            .collect();
        Session {
            formats: opts.formats.clone(),
            linear: LinearReader::new(&linear_formats),
            votes: Vec::new(),
            rejected: Vec::new(),
            matrix: Vec::new(),
            qr: opts.formats.contains(&Symbology::QrCode),
            datamatrix: opts.formats.contains(&Symbology::DataMatrix),
        }
    }

    /// Whether something has been found and nothing else half-read is waiting for a
    /// closer look.
    pub(crate) fn found(&self) -> bool {
        let v = self.vote();
        (!self.matrix.is_empty() || !v.accepted.is_empty()) && !v.unsettled && !v.short
    }

    pub(crate) fn matrix_pass(
        &mut self,
        img: &LumaImage,
        map: Mapping,
        try_harder: bool,
        inverted: bool,
    ) {
        let plan = MatrixPlan {
            qr: self.qr,
            datamatrix: self.datamatrix,
            try_harder,
            inverted,
        };
        self.matrix_plan(img, map, plan);
    }

    pub(crate) fn matrix_plan(&mut self, img: &LumaImage, map: Mapping, plan: MatrixPlan) {
        for mut hit in read_matrix(img, plan) {
            hit.corners = hit.corners.iter().map(|&p| map.apply(p)).collect();
            self.matrix.push(hit);
        }
    }

    pub(crate) fn linear_pass(&mut self, img: &LumaImage, plan: &LinePlan) {
        self.linear.scan(img, plan, &mut self.votes);
        for hit in vote(&self.votes, MIN_LINES).accepted {
            let short = matches!(hit.symbology, Symbology::UpcE | Symbology::Ean8);
            if short && bars_beyond_ends(img, &plan.map, &hit.corners) {
                self.rejected.push((hit.symbology, hit.text));
            }
        }
    }

    /// The vote, without the readings found to be parts of longer codes: they neither
    /// count nor contest the longer code's own reading.
    fn vote(&self) -> Vote {
        if self.rejected.is_empty() {
            return vote(&self.votes, MIN_LINES);
        }
        let kept: Vec<LineHit> = self
            .votes
            .iter()
            .filter(|h| {
                !self
                    .rejected
                    .iter()
                    .any(|(s, t)| *s == h.hit.symbology && *t == h.hit.text)
            })
            .cloned()
            .collect();
        let mut v = vote(&kept, MIN_LINES);
        v.unsettled = true;
        v
    }

    /// Sparse lines along both axes and both 2D readers: finds well-taken codes in about a
    /// millisecond.
    pub(crate) fn quick(&mut self, img: &LumaImage, map: Mapping) {
        let spacing = (img.w().max(img.h()) as f32 / 24.0).max(4.0);
        self.linear_pass(
            img,
            &lines(&[0.0, 90.0], spacing, &[Binarize::Histogram], 2, map),
        );
        // Bars look like finder patterns to the 2D detectors and cost them dearly, so the
        // codes already read are painted out first.
        let accepted = self.vote().accepted;
        // Once a linear code is read the user has been served; a second, 2D code in the
        // same photo is looked for at half size, which still holds the usual label QR. The
        // bars are painted out of that smaller copy, not of a full-size one.
        let half = !accepted.is_empty() && img.w().min(img.h()) >= 320;
        let (mut for_2d, map_2d, margin) = if half {
            let map2 = Mapping {
                scale: map.scale * 2.0,
                ..map
            };
            (Cow::Owned(img.downscale(2)), map2, 2.0)
        } else {
            (Cow::Borrowed(img), map, 4.0)
        };
        for hit in &accepted {
            let grown = grow_across_bars(img, &map, &hit.corners);
            let quad: Vec<Point> = grown.iter().map(|&p| map_2d.invert(p)).collect();
            for_2d.to_mut().blank(&quad, margin);
        }
        // Data Matrix's second detector is slow on busy photos; it waits for `thorough`.
        let plan = MatrixPlan {
            qr: self.qr,
            datamatrix: self.datamatrix,
            try_harder: false,
            inverted: false,
        };
        self.matrix_plan(&for_2d, map_2d, plan);
    }

    /// Harder and harder looks, stopping at the first that finds something: dense lines,
    /// diagonals, a second binarizer, a half-size copy for blurred codes, then 2D readers
    /// trying harder on inverted and contrast-stretched copies.
    ///
    /// In a small image whose quick lines showed nothing like the edges of a code, the line
    /// levels are skipped: those lines lie close enough together to cross any code worth
    /// reading, and a photo too blurred to show its bars would otherwise cost ten times
    /// what a successful read does, for nothing.
    pub(crate) fn thorough(&mut self, img: &LumaImage, map: Mapping) {
        use Binarize::{Histogram, LocalMean};
        let hopeless = img.w().max(img.h()) <= EVIDENCE_SIDE && !self.linear.saw_enough_edges();
        let levels: [&dyn Fn(&mut Session); 7] = [
            &|s| s.linear_pass(img, &lines(&[0.0, 90.0], 4.0, &[Histogram], 3, map)),
            &|s| s.linear_pass(img, &lines(&[0.0, 90.0], 3.0, &[LocalMean], 2, map)),
            &|s| s.linear_pass(img, &lines(&[45.0, 135.0], 4.0, &[Histogram], 2, map)),
            &|s| s.linear_pass(img, &lines(&[45.0, 135.0], 4.0, &[LocalMean], 2, map)),
            &|s| {
                let angles = [22.5, 67.5, 112.5, 157.5];
                s.linear_pass(img, &lines(&angles, 4.0, &[Histogram, LocalMean], 2, map));
            },
            &|s| {
                if img.w().min(img.h()) >= 200 {
                    let half = img.downscale(2);
                    let map2 = Mapping {
                        scale: map.scale * 2.0,
                        ..map
                    };
                    let angles = [0.0, 90.0, 45.0, 135.0];
                    s.linear_pass(
                        &half,
                        &lines(&angles, 2.0, &[Histogram, LocalMean], 3, map2),
                    );
                }
            },
            &|s| {
                s.matrix_pass(img, map, true, false);
                if let Some(stretched) = img.stretch_contrast() {
                    s.matrix_pass(&stretched, map, true, false);
                }
                s.matrix_pass(img, map, true, true);
            },
        ];
        let skip = if hopeless { levels.len() - 1 } else { 0 };
        for level in &levels[skip..] {
            level(self);
            if self.found() {
                return;
            }
        }
    }

    /// The codes found, each once, with their meaning; retail symbols whose digits fail the
    /// check are dropped here as a last guard.
    pub(crate) fn finish(self) -> Vec<DecodedCode> {
        let mut out: Vec<DecodedCode> = Vec::new();
        let linear = self.vote().accepted;
        for hit in self.matrix.into_iter().chain(linear) {
            if !self.formats.contains(&hit.symbology) {
                continue;
            }
            let is_gs1 = hit
                .identifier
                .as_deref()
                .is_some_and(|id| GS1_IDENTIFIERS.contains(&id));
            let meaning = if is_gs1 {
                let id = hit.identifier.as_deref().unwrap_or_default();
                parse_payload(&format!("{id}{}", hit.text), hit.symbology)
            } else {
                parse_payload(&hit.text, hit.symbology)
            };
            if hit.symbology.is_retail() && !matches!(meaning, super::CodeMeaning::Gtin { .. }) {
                continue;
            }
            let duplicate = out.iter().any(|c| {
                c.symbology == hit.symbology && c.text == hit.text && near(&c.corners, &hit.corners)
            });
            if duplicate {
                continue;
            }
            out.push(DecodedCode {
                symbology: hit.symbology,
                text: hit.text,
                symbology_identifier: hit.identifier,
                raw: hit.raw,
                corners: hit.corners,
                meaning,
            });
        }
        out
    }
}

/// A plan of parallel scan lines.
fn lines(
    angles: &[f32],
    spacing: f32,
    methods: &[Binarize],
    upsample: usize,
    map: Mapping,
) -> LinePlan {
    LinePlan {
        angles: angles.to_vec(),
        spacing,
        band: 1,
        methods: methods.to_vec(),
        upsample,
        map,
    }
}

/// Whether two outlines describe the same code (their centres lie within each other's
/// extent), so one code found by two passes is reported once.
fn near(a: &[Point], b: &[Point]) -> bool {
    let bounds = |ps: &[Point]| {
        ps.iter().fold(
            (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
            |(x0, y0, x1, y1), p| (x0.min(p.x), y0.min(p.y), x1.max(p.x), y1.max(p.y)),
        )
    };
    if a.is_empty() || b.is_empty() {
        return true;
    }
    let (ba, bb) = (bounds(a), bounds(b));
    let centre = |b: (f32, f32, f32, f32)| ((b.0 + b.2) / 2.0, (b.1 + b.3) / 2.0);
    let inside = |c: (f32, f32), b: (f32, f32, f32, f32)| {
        let pad = 8.0;
        c.0 >= b.0 - pad && c.0 <= b.2 + pad && c.1 >= b.1 - pad && c.1 <= b.3 + pad
    };
    inside(centre(ba), bb) || inside(centre(bb), ba)
}
