//! The vote that turns single-line readings into results, and the geometric checks on
//! accepted linear codes (where their bars end, whether bars go on past a short symbol).

use super::Point;
use super::Symbology;
use super::linear::{LineHit, Mapping};
use super::luma::LumaImage;
use super::matrix::RawHit;
use std::collections::HashSet;

/// The outcome of a vote.
#[derive(Debug, Default)]
pub(crate) struct Vote {
    /// Codes read on enough lines with no strong rival.
    pub accepted: Vec<RawHit>,
    /// Whether a short symbol (UPC-E, EAN-8) was accepted: it may yet turn out to be part
    /// of a longer code seen from another angle, so the search should run its course.
    pub short: bool,
    /// Whether some reading is still in doubt (too few lines, or contested) away from
    /// the accepted codes: a reason to keep looking.
    pub unsettled: bool,
}

/// The vote: readings grouped by content; a group is reported when at least `min_lines`
/// (one more for short symbols, see [`needed_lines`])
/// distinct lines read it and no rival reading of the same spot is nearly as strong.
pub(crate) fn vote(hits: &[LineHit], min_lines: usize) -> Vote {
    struct Group<'a> {
        first: &'a LineHit,
        lines: HashSet<(i32, i32)>,
        bbox: (f32, f32, f32, f32),
    }
    let mut groups: Vec<Group> = Vec::new();
    for h in hits {
        let g = match groups
            .iter_mut()
            .find(|g| g.first.hit.symbology == h.hit.symbology && g.first.hit.text == h.hit.text)
        {
            Some(g) => g,
            None => {
                groups.push(Group {
                    first: h,
                    lines: HashSet::new(),
                    bbox: (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
                });
                groups.last_mut().expect("just pushed")
            }
        };
        g.lines.insert(h.line);
        for p in [h.start, h.end] {
            g.bbox = (
                g.bbox.0.min(p.x),
                g.bbox.1.min(p.y),
                g.bbox.2.max(p.x),
                g.bbox.3.max(p.y),
            );
        }
    }
    let overlaps = |a: (f32, f32, f32, f32), b: (f32, f32, f32, f32)| {
        a.0 <= b.2 && b.0 <= a.2 && a.1 <= b.3 && b.1 <= a.3
    };
    let mut out = Vote::default();
    let mut accepted_boxes = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        if g.lines.len() < needed_lines(g.first.hit.symbology, min_lines) {
            continue;
        }
        // A rival in the same place with a third of our votes or more makes both doubtful.
        // A short symbol (UPC-E, EAN-8) can be the left half of an EAN-13 read by a line
        // that leaves the bars early, so any longer reading of the same spot beats it.
        let short = is_short(g.first.hit.symbology);
        let contested = groups.iter().enumerate().any(|(j, o)| {
            j != i
                && overlaps(g.bbox, o.bbox)
                && (o.lines.len() * 3 >= g.lines.len()
                    || (short && !is_short(o.first.hit.symbology)))
        });
        if contested {
            out.unsettled = true;
            continue;
        }
        let mut hit = g.first.hit.clone();
        hit.corners = outline(hits, g.first);
        accepted_boxes.push(g.bbox);
        out.short |= short;
        out.accepted.push(hit);
    }
    out.unsettled |= groups.iter().any(|g| {
        g.lines.len() < needed_lines(g.first.hit.symbology, min_lines)
            && !accepted_boxes.iter().any(|&b| overlaps(b, g.bbox))
    });
    out
}

/// The rectangle, aligned with the scan lines, that holds every reading of `like`'s code:
/// the bars that were read, in image coordinates.
pub(crate) fn outline(hits: &[LineHit], like: &LineHit) -> Vec<Point> {
    let a = (like.line.0 as f32 / 10.0).to_radians();
    let (d, n) = ((a.cos(), a.sin()), (-a.sin(), a.cos()));
    let (mut s0, mut s1, mut t0, mut t1) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
    for h in hits.iter().filter(|h| {
        h.line.0 == like.line.0
            && h.hit.symbology == like.hit.symbology
            && h.hit.text == like.hit.text
    }) {
        for p in [h.start, h.end] {
            let (s, t) = (p.x * d.0 + p.y * d.1, p.x * n.0 + p.y * n.1);
            (s0, s1, t0, t1) = (s0.min(s), s1.max(s), t0.min(t), t1.max(t));
        }
    }
    [(s0, t0), (s1, t0), (s1, t1), (s0, t1)]
        .iter()
        .map(|&(s, t)| Point {
            x: s * d.0 + t * n.0,
            y: s * d.1 + t * n.1,
        })
        .collect()
}

/// Lines a reading needs. Neighbouring lines see nearly the same pixels, so two of them
/// agreeing on noise is not rare, and an EAN-8 or UPC-E has only a check digit and 8 digits
/// to refuse it with: on a blurred EAN-13 turned 30°, two lines once read an EAN-8 that
/// was not there. Short symbols therefore need one line more.
fn needed_lines(s: Symbology, min_lines: usize) -> usize {
    if is_short(s) {
        min_lines + 1
    } else {
        min_lines
    }
}

/// Symbols short enough to hide inside an EAN-13.
fn is_short(s: Symbology) -> bool {
    matches!(s, Symbology::UpcE | Symbology::Ean8)
}

/// `quad` (an outline from [`outline`], in original coordinates) grown across the bars for
/// as long as the bars go on: lines beyond the read ones that still look like the middle
/// line belong to the same code. `img` is the scanned image, `map` its mapping.
pub(crate) fn grow_across_bars(img: &LumaImage, map: &Mapping, quad: &[Point]) -> Vec<Point> {
    if quad.len() != 4 {
        return quad.to_vec();
    }
    let local: Vec<Point> = quad.iter().map(|&p| map.invert(p)).collect();
    let (a, b, d) = (local[0], local[1], local[3]);
    let along = (b.x - a.x, b.y - a.y);
    let len = (along.0 * along.0 + along.1 * along.1).sqrt();
    if len < 8.0 {
        return quad.to_vec();
    }
    let n = (-along.1 / len, along.0 / len);
    // One sample per pixel: coarser sampling aliases against the bars.
    let samples = len.ceil() as usize;
    let sample_line = |offset: f32| -> Vec<f32> {
        (0..samples)
            .map(|i| {
                let f = i as f32 / (samples - 1) as f32;
                let (x, y) = (
                    a.x + along.0 * f + n.0 * offset,
                    a.y + along.1 * f + n.1 * offset,
                );
                img.sample(x, y)
            })
            .collect()
    };
    // Which way the outline's second side lies along the normal, and how far.
    let width = (d.x - a.x) * n.0 + (d.y - a.y) * n.1;
    // Each line is compared with its neighbour, not with the middle: bars drift sideways
    // under perspective and curvature.
    let step = (len / 96.0).clamp(1.0, 4.0);
    let grow = |dir: f32, from: f32| -> f32 {
        let mut edge = from;
        let mut previous = sample_line(edge);
        while (edge - from).abs() < len {
            let next = edge + dir * step;
            let line = sample_line(next);
            if correlation(&previous, &line) < 0.7 {
                break;
            }
            edge = next;
            previous = line;
        }
        edge
    };
    let (lo, hi) = if width >= 0.0 {
        (0.0, width)
    } else {
        (width, 0.0)
    };
    let lo = grow(-1.0, lo);
    let hi = grow(1.0, hi);
    let at = |s: Point, t: f32| {
        map.apply(Point {
            x: s.x + n.0 * t,
            y: s.y + n.1 * t,
        })
    };
    vec![at(a, lo), at(b, lo), at(b, hi), at(a, hi)]
}

fn correlation(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len()) as f32;
    if n < 2.0 {
        return 0.0;
    }
    let (ma, mb) = (a.iter().sum::<f32>() / n, b.iter().sum::<f32>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (dx, dy) = (x - ma, y - mb);
        sab += dx * dy;
        saa += dx * dx;
        sbb += dy * dy;
    }
    if saa < 1e-3 || sbb < 1e-3 {
        return 0.0;
    }
    sab / (saa * sbb).sqrt()
}

/// Whether bars go on past either end of a short symbol's reading on lines beside it: the
/// mark of the left half of an EAN-13 read by a line that left the bars early. A real
/// UPC-E or EAN-8 has quiet zones on both sides along its whole height.
pub(crate) fn bars_beyond_ends(img: &LumaImage, map: &Mapping, quad: &[Point]) -> bool {
    if quad.len() != 4 {
        return false;
    }
    let local: Vec<Point> = quad.iter().map(|&p| map.invert(p)).collect();
    let (a, b, d) = (local[0], local[1], local[3]);
    let along = (b.x - a.x, b.y - a.y);
    let len = (along.0 * along.0 + along.1 * along.1).sqrt();
    if len < 8.0 {
        return false;
    }
    let u = (along.0 / len, along.1 / len);
    let n = (-u.1, u.0);
    let width = (d.x - a.x) * n.0 + (d.y - a.y) * n.1;
    let module = len / 50.0;
    let (mut lo, mut hi) = (255f32, 0f32);
    let at = |s: f32, t: f32| img.sample(a.x + u.0 * s + n.0 * t, a.y + u.1 * s + n.1 * t);
    for i in 0..=20 {
        let v = at(len * i as f32 / 20.0, width / 2.0);
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let contrast = hi - lo;
    if contrast < 10.0 {
        return false;
    }
    // Outside the guards, 2 to 9 modules out, on lines up to a third of the length aside.
    for k in -4..=4 {
        let t = width / 2.0 + k as f32 * len / 12.0;
        for (from, to) in [
            (-9.0 * module, -2.0 * module),
            (len + 2.0 * module, len + 9.0 * module),
        ] {
            let steps = ((to - from) / 0.5).ceil().max(2.0) as usize;
            let vals: Vec<f32> = (0..=steps)
                .map(|i| at(from + (to - from) * i as f32 / steps as f32, t))
                .collect();
            let mean = vals.iter().sum::<f32>() / vals.len() as f32;
            let crossings = vals
                .windows(2)
                .filter(|w| (w[0] < mean - contrast / 4.0) != (w[1] < mean - contrast / 4.0))
                .count();
            let (vmin, vmax) = vals
                .iter()
                .fold((255f32, 0f32), |(p, q), &v| (p.min(v), q.max(v)));
            if vmax - vmin > contrast / 2.0 && crossings >= 4 {
                return true;
            }
        }
    }
    false
}
