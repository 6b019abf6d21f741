//! Labels read back by our own reader: every symbology written, random payloads, drawn as a
//! PNG and decoded from it, must give the same text and the same meaning.

use super::*;
use crate::barcode::{CodeMeaning, DecodeOptions, decode_image, decode_luma};
use proptest::prelude::*;

/// Writes `payload`, draws it at `module_px`, reads the PNG back, and checks that exactly
/// one code comes back with the expected text and meaning.
fn round_trip(payload: &LabelPayload, symbology: Symbology, module_px: u32) {
    let m = encode(payload, symbology).expect("payload encodes");
    let png = to_png(&m, module_px, m.quiet_zone());
    let codes = decode_image(&png).expect("our PNG loads");
    let mut want_text = payload.scanned_text(symbology);
    let mut want_sym = symbology;
    let mut want_meaning = payload.meaning(symbology);
    // An EAN-13 starting with 0 is a UPC-A, and is reported as one.
    if symbology == Symbology::Ean13 && want_text.starts_with('0') {
        want_text.remove(0);
        want_sym = Symbology::UpcA;
        want_meaning = parse_payload(&want_text, Symbology::UpcA);
    }
    let got: Vec<(Symbology, &str)> = codes
        .iter()
        .map(|c| (c.symbology, c.text.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![(want_sym, want_text.as_str())],
        "{payload:?} as {symbology:?} at {module_px} px"
    );
    assert_eq!(codes[0].meaning, want_meaning);
}

fn with_check_digit(body: &str) -> String {
    format!("{body}{}", gtin_check_digit(body).expect("digits"))
}

fn gtin14() -> impl Strategy<Value = String> {
    "[0-9]{13}".prop_map(|b| with_check_digit(&b))
}

/// A GS1 date, sometimes with day 00 (the month's last day).
fn yymmdd() -> impl Strategy<Value = String> {
    (0u32..100, 1u32..13, 0u32..29).prop_map(|(y, m, d)| format!("{y:02}{m:02}{d:02}"))
}

/// (01) GTIN, (10) lot, (17) expiry, (21) serial in one of the orders labels use.
fn gs1_fields(max_len: usize) -> impl Strategy<Value = LabelPayload> {
    let cset82 = || {
        proptest::string::string_regex(&format!(
            "[A-Za-z0-9!\"%&'()*+,\\-./:;<=>?_]{{1,{max_len}}}"
        ))
        .expect("regex")
    };
    (gtin14(), cset82(), yymmdd(), cset82(), any::<bool>()).prop_map(
        |(gtin, lot, expiry, serial, lot_first)| {
            let mut pairs = vec![("01".to_owned(), gtin)];
            let (lot, expiry) = (("10".to_owned(), lot), ("17".to_owned(), expiry));
            if lot_first {
                pairs.extend([lot, expiry]);
            } else {
                pairs.extend([expiry, lot]);
            }
            pairs.push(("21".to_owned(), serial));
            LabelPayload::Gs1(pairs)
        },
    )
}

/// A 24-digit veterinary-drug trace code with a real date.
fn trace_code() -> impl Strategy<Value = String> {
    (2015u32..2040, 1u32..13, 1u32..29, "[0-9]{16}")
        .prop_map(|(y, m, d, rest)| format!("{y}{m:02}{d:02}{rest}"))
}

fn qr_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 中文追溯码批号生产日期有效期：，。/?=&]{1,60}",
        "\\PC{1,40}",
        trace_code(),
        "产品：[\\PC]{1,10}\n备案号：浙G妆网备字20[0-9]{2}00[0-9]{4}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn ean13_round_trip(body in "[0-9]{12}", px in 2u32..5, check in any::<bool>()) {
        let text = if check { with_check_digit(&body) } else { body };
        round_trip(&LabelPayload::Text(text), Symbology::Ean13, px);
    }

    #[test]
    fn code128_round_trip(text in "[ -~]{1,40}", px in 2u32..5) {
        prop_assume!(!text.starts_with("]C1"));
        round_trip(&LabelPayload::Text(text), Symbology::Code128, px);
    }

    #[test]
    fn gs1_128_round_trip(payload in gs1_fields(9), px in 2u32..5) {
        round_trip(&payload, Symbology::Code128, px);
    }

    #[test]
    fn gs1_datamatrix_round_trip(payload in gs1_fields(20), px in 2u32..5) {
        round_trip(&payload, Symbology::DataMatrix, px);
    }

    #[test]
    fn datamatrix_round_trip(text in "[ -~]{1,80}", px in 2u32..5) {
        round_trip(&LabelPayload::Text(text), Symbology::DataMatrix, px);
    }

    #[test]
    fn qr_round_trip(text in qr_text(), px in 2u32..5) {
        round_trip(&LabelPayload::Text(text), Symbology::QrCode, px);
    }

    #[test]
    fn gs1_qr_round_trip(payload in gs1_fields(20), px in 2u32..5) {
        round_trip(&payload, Symbology::QrCode, px);
    }
}

#[test]
fn gs1_payloads_carry_fnc1() {
    let pairs = |v: &[(&str, &str)]| {
        LabelPayload::Gs1(
            v.iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
        )
    };
    let p = pairs(&[
        ("01", "06901234567892"),
        ("10", "B7"),
        ("17", "261231"),
        ("21", "S1"),
    ]);
    // A separator only after the variable-length lot, none at the end.
    assert_eq!(
        p.scanned_text(Symbology::Code128),
        "010690123456789210B7\u{1d}1726123121S1"
    );
    let CodeMeaning::Gs1(data) = p.meaning(Symbology::Code128) else {
        panic!("GS1 meaning expected");
    };
    assert_eq!(data.batch.as_deref(), Some("B7"));
    // Invalid GS1 data is refused, not written.
    for bad in [
        pairs(&[("01", "06901234567893")]),
        pairs(&[("10", "批号")]),
        pairs(&[("23", "X")]),
        pairs(&[]),
    ] {
        assert!(matches!(
            encode(&bad, Symbology::DataMatrix),
            Err(EncodeError::InvalidPayload(_))
        ));
    }
    assert!(encode(&p, Symbology::Ean13).is_err());
}

#[test]
fn unreadable_payloads_are_refused() {
    let text = |s: &str| LabelPayload::text(s);
    let refused = [
        (text("690123456789"), Symbology::Ean8),
        (text("6901234567893"), Symbology::Ean13),
        (text("69012345678"), Symbology::Ean13),
        (text("69O1234567892"), Symbology::Ean13),
        (text("批号"), Symbology::Code128),
        (text("]C1abc"), Symbology::Code128),
        (text(""), Symbology::QrCode),
        (text("a\u{1d}b"), Symbology::DataMatrix),
        (text(&"x".repeat(81)), Symbology::Code128),
        (text(&"x".repeat(8000)), Symbology::QrCode),
    ];
    for (payload, sym) in refused {
        assert!(encode(&payload, sym).is_err(), "{payload:?} {sym:?}");
    }
    let long_gs1 = LabelPayload::Gs1(vec![
        ("01".into(), "06901234567892".into()),
        ("10".into(), "ABCDEFGHIJKLMNOPQRST".into()),
        ("21".into(), "ABCDEFGHIJKLMNOPQRST".into()),
    ]);
    assert!(encode(&long_gs1, Symbology::Code128).is_err());
    assert!(encode(&long_gs1, Symbology::DataMatrix).is_ok());
}

#[test]
fn gs1_128_reads_back_at_every_width() {
    // Drawn at 1–4 px per module and then resampled to widths in between, as a label
    // printed at one size and photographed at another.
    let payload = LabelPayload::Gs1(vec![
        ("01".into(), "06901234567892".into()),
        ("17".into(), "270615".into()),
        ("10".into(), "L2024-07".into()),
        ("21".into(), "000123".into()),
    ]);
    let m = encode(&payload, Symbology::Code128).unwrap();
    let want = payload.scanned_text(Symbology::Code128);
    let base = rasterize(&m, 1, m.quiet_zone());
    let mut failed = Vec::new();
    for px in 1..=3 {
        let codes = decode_luma(
            &rasterize(&m, px, m.quiet_zone()),
            &DecodeOptions::default(),
        );
        let texts: Vec<&str> = codes.iter().map(|c| c.text.as_str()).collect();
        if texts != vec![want.as_str()] {
            failed.push((px as usize, format!("at {px} px/module {texts:?}")));
        }
    }
    for width in (base.w() * 3 / 2..=base.w() * 4).step_by(base.w() / 8) {
        let height = base.h() * width / base.w();
        let img = base.resize(width, height);
        let codes = decode_luma(&img, &DecodeOptions::default());
        let texts: Vec<&str> = codes.iter().map(|c| c.text.as_str()).collect();
        if texts != vec![want.as_str()] {
            failed.push((width, format!("{texts:?}")));
        }
    }
    assert!(failed.is_empty(), "{} modules: {failed:?}", base.w());
}

#[test]
fn svg_is_crisp_and_merged() {
    let m = encode(&LabelPayload::text("6901234567892"), Symbology::Ean13).unwrap();
    let svg = to_svg(&m, 3, 11);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("shape-rendering=\"crispEdges\""));
    assert!(svg.contains("viewBox=\"0 0 117 91\""));
    assert!(svg.contains("width=\"351\" height=\"273\""));
    // EAN-13 has 30 bars; each is one rectangle the full height.
    assert_eq!(svg.matches('M').count(), 30);
    assert_eq!(svg.matches("v69h").count(), 30);

    let qr = encode(
        &LabelPayload::text("https://suyuan.example/t/1"),
        Symbology::QrCode,
    )
    .unwrap();
    let rects = svg::rects(&qr);
    let dark: usize = rects.iter().map(|r| r.2 * r.3).sum();
    let expected = (0..qr.height())
        .flat_map(|y| (0..qr.width()).map(move |x| (x, y)))
        .filter(|&(x, y)| qr.get(x, y))
        .count();
    assert_eq!(dark, expected);
    for &(x, y, w, h) in &rects {
        for yy in y..y + h {
            for xx in x..x + w {
                assert!(qr.get(xx, yy));
            }
        }
    }
}

#[test]
fn png_is_one_bit() {
    let m = encode(&LabelPayload::text("TRACE-42"), Symbology::DataMatrix).unwrap();
    let png = to_png(&m, 4, 2);
    let decoder = ::png::Decoder::new(std::io::Cursor::new(&png));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    assert_eq!(info.bit_depth, ::png::BitDepth::One);
    assert_eq!(info.color_type, ::png::ColorType::Grayscale);
    assert_eq!(info.width as usize, (m.width() + 4) * 4);
    let img = crate::barcode::load_luma(&png).unwrap();
    assert_eq!(img, rasterize(&m, 4, 2));
}

fn label(sym: Symbology, payload: LabelPayload, lines: &[&str]) -> Label {
    Label {
        symbology: sym,
        payload,
        caption_lines: lines.iter().map(|s| (*s).to_owned()).collect(),
    }
}

#[test]
fn label_sheets() {
    let gs1 = LabelPayload::Gs1(vec![
        ("01".into(), "06901234567892".into()),
        ("10".into(), "B7".into()),
    ]);
    let mut labels = Vec::new();
    for i in 0..30 {
        let (sym, payload) = match i % 4 {
            0 => (Symbology::Ean13, LabelPayload::text("690123456789")),
            1 => (Symbology::Code128, gs1.clone()),
            2 => (Symbology::DataMatrix, gs1.clone()),
            _ => (
                Symbology::QrCode,
                LabelPayload::text(format!("https://s.example/{i}")),
            ),
        };
        labels.push(label(sym, payload, &["有机大米 5kg", "批号 B7 <A&B>"]));
    }
    let pages = label_sheet_svg(&labels, &SheetLayout::default()).unwrap();
    assert_eq!(pages.len(), 2);
    assert!(pages[0].contains("width=\"210mm\" height=\"297mm\" viewBox=\"0 0 210 297\""));
    assert_eq!(pages[0].matches("<path").count(), 24);
    assert_eq!(pages[1].matches("<path").count(), 6);
    assert_eq!(pages[0].matches("<text").count(), 48);
    assert!(pages[0].contains("批号 B7 &lt;A&amp;B&gt;"));
    assert!(pages[0].contains("font-family=\"Noto Sans CJK SC"));
    assert!(!pages[0].contains("<A&B>"));

    let long = label(
        Symbology::QrCode,
        LabelPayload::text("x"),
        &["一行很长很长很长很长很长很长很长很长很长很长很长很长的说明文字"],
    );
    let page = &label_sheet_svg(&[long], &SheetLayout::default()).unwrap()[0];
    assert!(page.contains("lengthAdjust=\"spacingAndGlyphs\""));

    assert!(
        label_sheet_svg(&[], &SheetLayout::default())
            .unwrap()
            .is_empty()
    );
    let bad_layouts = [
        SheetLayout {
            columns: 0,
            ..SheetLayout::default()
        },
        SheetLayout {
            margin_left_mm: 120.0,
            margin_right_mm: 100.0,
            ..SheetLayout::default()
        },
        SheetLayout {
            padding_mm: f64::NAN,
            ..SheetLayout::default()
        },
    ];
    for layout in bad_layouts {
        assert!(matches!(
            label_sheet_svg(&labels, &layout),
            Err(EncodeError::Layout(_))
        ));
    }
    // 10 × 20 labels of 21 mm: too narrow for an EAN-13 at a printable module size.
    let tiny = SheetLayout {
        columns: 10,
        rows: 20,
        ..SheetLayout::default()
    };
    assert!(matches!(
        label_sheet_svg(&labels, &tiny),
        Err(EncodeError::Label { index: 0, .. })
    ));
}

#[test]
fn sheet_labels_read_back() {
    // The sheet draws the same rectangles as the symbol: rasterising one label's path at
    // its module size must give the symbol back. Checked through the rects it is built from.
    let payload = LabelPayload::text("追溯码 202106300123456789012345");
    let m = encode(&payload, Symbology::QrCode).unwrap();
    let mut s = String::new();
    svg::push_rects(&mut s, &m, (10.0, 20.0), (0.5, 0.5));
    assert!(s.starts_with("<path fill=\"#000\" d=\"M"));
    assert_eq!(s.matches('M').count(), svg::rects(&m).len());
    let codes = decode_luma(&rasterize(&m, 3, 4), &DecodeOptions::default());
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].text, payload.scanned_text(Symbology::QrCode));
    // Twelve digits are a number to a QR code, not an EAN-13 missing its check digit.
    let digits = LabelPayload::text("690123456789");
    assert_eq!(digits.scanned_text(Symbology::QrCode), "690123456789");
    assert_eq!(digits.scanned_text(Symbology::Ean13), "6901234567892");
}
