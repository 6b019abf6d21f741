//! Symbols as SVG: one rectangle per run of dark modules, runs merged down the rows, in a
//! module-unit coordinate system so the drawing scales without blurring edges.

use super::CodeMatrix;
use std::collections::HashMap;
use std::fmt::Write;

/// A rectangle of dark modules: x, y, width, height in modules.
pub(crate) type Rect = (usize, usize, usize, usize);

/// The dark modules as rectangles: each row's runs, and a run repeated on the rows below
/// grown into one taller rectangle (a linear symbol becomes one rectangle per bar).
pub(crate) fn rects(m: &CodeMatrix) -> Vec<Rect> {
    let mut done = Vec::new();
    // Rectangles that the previous row may still extend, by their run (x, width).
    let mut open: HashMap<(usize, usize), Rect> = HashMap::new();
    for y in 0..m.height() {
        let row = m.row(y);
        let mut runs = Vec::new();
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
            runs.push((start, x - start));
        }
        let mut next = HashMap::with_capacity(runs.len());
        for run in runs {
            let r = match open.remove(&run) {
                Some((rx, ry, rw, rh)) => (rx, ry, rw, rh + 1),
                None => (run.0, y, run.1, 1),
            };
            next.insert(run, r);
        }
        done.extend(open.into_values());
        open = next;
    }
    done.extend(open.into_values());
    // Sorted so the same symbol always gives the same file.
    done.sort_unstable_by_key(|&(x, y, _, _)| (y, x));
    done
}

/// The symbol as a standalone SVG document: `module_px` pixels per module (its nominal
/// size; it scales cleanly), `quiet_zone` light modules on every side.
pub fn to_svg(matrix: &CodeMatrix, module_px: u32, quiet_zone: usize) -> String {
    let (w, h) = (
        matrix.width() + 2 * quiet_zone,
        matrix.height() + 2 * quiet_zone,
    );
    let px = module_px.max(1) as usize;
    let mut s = String::with_capacity(64 * matrix.height() + 256);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{}\" height=\"{}\" \
         viewBox=\"0 0 {w} {h}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>",
        w * px,
        h * px
    );
    push_rects(
        &mut s,
        matrix,
        (quiet_zone as f64, quiet_zone as f64),
        (1.0, 1.0),
    );
    s.push_str("</svg>\n");
    s
}

/// Appends the symbol's dark modules as one black `<path>` of rectangles, with its top-left
/// corner at `at` and `module` (across, down) user units per module: linear symbols are
/// drawn to the height the label has room for.
pub(crate) fn push_rects(s: &mut String, matrix: &CodeMatrix, at: (f64, f64), module: (f64, f64)) {
    s.push_str("<path fill=\"#000\" d=\"");
    for (rx, ry, rw, rh) in rects(matrix) {
        let w = num(rw as f64 * module.0);
        let _ = write!(
            s,
            "M{} {}h{w}v{}h-{w}z",
            num(at.0 + rx as f64 * module.0),
            num(at.1 + ry as f64 * module.1),
            num(rh as f64 * module.1),
        );
    }
    s.push_str("\"/>");
}

/// A coordinate with at most three decimals and no trailing zeros (a tenth of a micron at
/// millimetre units: far below any printer's dot).
pub(crate) fn num(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// Text made safe for SVG element content and attribute values.
pub(crate) fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters even as references.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}
