//! Printable A4 label sheets: a grid of labels per page, each a symbol with human-readable
//! lines under it, as SVG in millimetres (print at 100 %, "actual size").

use super::svg::{escape_xml, num, push_rects};
use super::{EncodeError, LabelPayload, encode};
use crate::barcode::Symbology;
use std::fmt::Write;

/// A4 portrait, in millimetres.
const PAGE_MM: (f64, f64) = (210.0, 297.0);

/// Fonts that hold Chinese on Linux, Windows and macOS, then whatever the viewer has.
const FONT_FAMILY: &str = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, \
                           sans-serif";

/// Smallest module printed: below this, office printers smear bars and cells together.
const MIN_MODULE_MM: f64 = 0.25;

/// Largest module drawn: a bigger symbol only takes room from the text.
const MAX_MODULE_MM: f64 = 1.0;

/// One label: a symbol and the lines printed under it (e.g. product name, batch, date).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The symbology to draw.
    pub symbology: Symbology,
    /// What the symbol carries.
    pub payload: LabelPayload,
    /// Human-readable lines under the symbol, top to bottom.
    pub caption_lines: Vec<String>,
}

/// Where labels sit on the page, all lengths in millimetres.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetLayout {
    /// Labels across the page.
    pub columns: u32,
    /// Labels down the page.
    pub rows: u32,
    /// Page margin above the first row.
    pub margin_top_mm: f64,
    /// Page margin below the last row.
    pub margin_bottom_mm: f64,
    /// Page margin left of the first column.
    pub margin_left_mm: f64,
    /// Page margin right of the last column.
    pub margin_right_mm: f64,
    /// Gap between neighbouring columns.
    pub gap_x_mm: f64,
    /// Gap between neighbouring rows.
    pub gap_y_mm: f64,
    /// Blank border inside each label, so a die-cut that is slightly off cuts no bars.
    pub padding_mm: f64,
    /// Caption text size (the em box).
    pub font_size_mm: f64,
    /// Thin grey label outlines, for cutting plain paper.
    pub outlines: bool,
}

impl Default for SheetLayout {
    /// The common 3 × 8 A4 sheet of 70 × 36 mm labels.
    fn default() -> Self {
        SheetLayout {
            columns: 3,
            rows: 8,
            margin_top_mm: 4.5,
            margin_bottom_mm: 4.5,
            margin_left_mm: 0.0,
            margin_right_mm: 0.0,
            gap_x_mm: 0.0,
            gap_y_mm: 0.0,
            padding_mm: 2.5,
            font_size_mm: 2.8,
            outlines: false,
        }
    }
}

impl SheetLayout {
    /// Labels per page.
    pub fn per_page(&self) -> usize {
        self.columns as usize * self.rows as usize
    }

    /// The size of one label, or why the layout does not fit on A4.
    fn cell(&self) -> Result<(f64, f64), EncodeError> {
        let bad = |m: &str| Err(EncodeError::Layout(m.to_owned()));
        let lengths = [
            self.margin_top_mm,
            self.margin_bottom_mm,
            self.margin_left_mm,
            self.margin_right_mm,
            self.gap_x_mm,
            self.gap_y_mm,
            self.padding_mm,
        ];
        if lengths.iter().any(|v| !v.is_finite() || *v < 0.0) {
            return bad("lengths must be finite and not negative");
        }
        if !(self.font_size_mm.is_finite() && self.font_size_mm > 0.0) {
            return bad("the font size must be positive");
        }
        if self.columns == 0 || self.rows == 0 || self.columns > 50 || self.rows > 50 {
            return bad("columns and rows must be between 1 and 50");
        }
        let (c, r) = (f64::from(self.columns), f64::from(self.rows));
        let w =
            (PAGE_MM.0 - self.margin_left_mm - self.margin_right_mm - (c - 1.0) * self.gap_x_mm)
                / c;
        let h =
            (PAGE_MM.1 - self.margin_top_mm - self.margin_bottom_mm - (r - 1.0) * self.gap_y_mm)
                / r;
        if w - 2.0 * self.padding_mm <= 0.0 || h - 2.0 * self.padding_mm <= 0.0 {
            return bad("the margins, gaps and padding leave no room for labels");
        }
        Ok((w, h))
    }
}

/// One SVG document per A4 page (210 × 297 mm), `layout.per_page()` labels a page in rows,
/// each symbol as large as its label allows and centred above its caption lines.
pub fn label_sheet_svg(labels: &[Label], layout: &SheetLayout) -> Result<Vec<String>, EncodeError> {
    let (cell_w, cell_h) = layout.cell()?;
    let mut pages = Vec::new();
    for (page_no, chunk) in labels.chunks(layout.per_page()).enumerate() {
        let mut s = String::new();
        let _ = write!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{}mm\" \
             height=\"{}mm\" viewBox=\"0 0 {} {}\">\
             <rect width=\"{}\" height=\"{}\" fill=\"#fff\"/>",
            PAGE_MM.0, PAGE_MM.1, PAGE_MM.0, PAGE_MM.1, PAGE_MM.0, PAGE_MM.1
        );
        for (i, label) in chunk.iter().enumerate() {
            let index = page_no * layout.per_page() + i;
            let (col, row) = (i % layout.columns as usize, i / layout.columns as usize);
            let x = layout.margin_left_mm + col as f64 * (cell_w + layout.gap_x_mm);
            let y = layout.margin_top_mm + row as f64 * (cell_h + layout.gap_y_mm);
            if layout.outlines {
                let _ = write!(
                    s,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" \
                     stroke=\"#bbb\" stroke-width=\"0.1\"/>",
                    num(x),
                    num(y),
                    num(cell_w),
                    num(cell_h)
                );
            }
            draw_label(&mut s, label, layout, (x, y, cell_w, cell_h)).map_err(|e| {
                EncodeError::Label {
                    index,
                    error: Box::new(e),
                }
            })?;
        }
        s.push_str("</svg>\n");
        pages.push(s);
    }
    Ok(pages)
}

/// Draws one label into the cell `(x, y, w, h)`.
fn draw_label(
    s: &mut String,
    label: &Label,
    layout: &SheetLayout,
    (x, y, w, h): (f64, f64, f64, f64),
) -> Result<(), EncodeError> {
    let m = encode(&label.payload, label.symbology)?;
    let pad = layout.padding_mm;
    let (bx, by, bw) = (x + pad, y + pad, w - 2.0 * pad);
    let line_h = layout.font_size_mm * 1.25;
    let text_h = line_h * label.caption_lines.len() as f64;
    let bh = h - 2.0 * pad - text_h;
    let linear = label.symbology.is_linear();
    let qz = m.quiet_zone() as f64;
    let (mw, mh) = (m.width() as f64 + 2.0 * qz, m.height() as f64);
    // Linear symbols need their quiet zone across only, and their bars may be shortened to
    // the room left; 2D symbols are square and need it all round.
    let module = if linear {
        (bw / mw).min(MAX_MODULE_MM)
    } else {
        (bw / mw).min(bh / (mh + 2.0 * qz)).min(MAX_MODULE_MM)
    };
    let min_bars = if linear { mh * 0.4 * module } else { 0.0 };
    if module < MIN_MODULE_MM || bh <= min_bars {
        return Err(EncodeError::Layout(format!(
            "the label is too small for this {:?} symbol and {} caption lines",
            label.symbology,
            label.caption_lines.len()
        )));
    }
    // Linear bars are shortened to the room left; 2D symbols keep their quiet zone above
    // and below, clear of the text.
    let (sym_w, bar_scale, block_h, sym_dy) = if linear {
        let bars = (mh * module).min(bh);
        (m.width() as f64 * module, bars / mh, bars, 0.0)
    } else {
        let side = m.width() as f64 * module;
        let q = qz * module;
        (side, module, mh * module + 2.0 * q, q)
    };
    let gap = if linear && !label.caption_lines.is_empty() {
        layout.font_size_mm * 0.4
    } else {
        0.0
    };
    // The symbol and its lines as one block, centred in the label.
    let top = by + (h - 2.0 * pad - (block_h + gap + text_h)).max(0.0) / 2.0;
    let sx = bx + (bw - sym_w) / 2.0;
    push_rects(s, &m, (sx, top + sym_dy), (module, bar_scale));
    let cx = x + w / 2.0;
    let text_top = top + block_h + gap;
    for (i, line) in label.caption_lines.iter().enumerate() {
        let baseline = text_top + line_h * i as f64 + layout.font_size_mm;
        // A line too long for the label is squeezed to fit rather than cut or overflowing
        // into the next label.
        let fit = if text_width(line, layout.font_size_mm) > bw {
            format!(
                " textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\"",
                num(bw)
            )
        } else {
            String::new()
        };
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-family=\"{FONT_FAMILY}\" font-size=\"{}\" \
             text-anchor=\"middle\" fill=\"#000\"{fit}>{}</text>",
            num(cx),
            num(baseline),
            num(layout.font_size_mm),
            escape_xml(line)
        );
    }
    Ok(())
}

/// A generous estimate of a line's width: CJK and full-width characters a full em, the rest
/// about six tenths.
fn text_width(line: &str, em: f64) -> f64 {
    line.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 1.0 } else { 0.6 })
        .sum::<f64>()
        * em
}
