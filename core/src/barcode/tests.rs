//! Image-level tests: the ZXing sample photos (read from shared/ beside the repository),
//! synthetic codes from rxing's writers, transformed copies, and hostile input.

use super::*;
use proptest::prelude::*;
use rxing::{BarcodeFormat, EncodeHints, MultiFormatWriter, Writer};
use std::path::PathBuf;

fn samples_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/barcode/images");
    assert!(
        dir.is_dir(),
        "sample images missing: expected {} (shared/ must sit beside the repository)",
        dir.display()
    );
    dir
}

fn sample(rel: &str) -> (Vec<u8>, String) {
    let path = samples_dir().join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let expected = std::fs::read_to_string(path.with_extension("txt")).expect("expected text");
    (bytes, expected)
}

/// A UPC-A read as EAN-13 with a leading 0 is the same code.
fn same_code(got: &str, want: &str) -> bool {
    let norm = |s: &str| {
        if s.len() == 13 && s.starts_with('0') {
            s[1..].to_owned()
        } else {
            s.to_owned()
        }
    };
    norm(got) == norm(want)
}

fn texts(codes: &[DecodedCode]) -> Vec<&str> {
    codes.iter().map(|c| c.text.as_str()).collect()
}

#[test]
fn sample_photos_decode() {
    let cases = [
        "ean13/ean13-1/1.png",
        "ean13/ean13-3/01.png",
        "ean13/ean13-3/10.png",
        "upca/upca-2/02.png",
        "upca/upca-5/03.png",
        "code128/code128-1/1.png",
        "code128/code128-2/10.png",
        "qrcode/qrcode-3/01.png",
        "qrcode/qrcode-5/01.png",
        "datamatrix/datamatrix-2/01.png",
        "datamatrix/datamatrix-1/abcd-52x52.png",
    ];
    for rel in cases {
        let (bytes, want) = sample(rel);
        let codes = decode_image(&bytes).expect("sample decodes as an image");
        assert!(
            codes.iter().any(|c| same_code(&c.text, &want)),
            "{rel}: want {want:?}, got {:?}",
            texts(&codes)
        );
        for c in &codes {
            assert!(!c.corners.is_empty(), "{rel}: no corners");
        }
    }
}

fn luma_of(rel: &str) -> (LumaImage, String) {
    let (bytes, want) = sample(rel);
    (load_luma(&bytes).expect("sample loads"), want)
}

/// The image turned by any angle about its centre, on a white canvas large enough.
fn rotate_any(img: &LumaImage, degrees: f32) -> LumaImage {
    let (w, h) = (img.w() as f32, img.h() as f32);
    let a = degrees.to_radians();
    let (c, s) = (a.cos(), a.sin());
    let nw = (w * c.abs() + h * s.abs()).ceil() as usize;
    let nh = (w * s.abs() + h * c.abs()).ceil() as usize;
    let mut data = Vec::with_capacity(nw * nh);
    for y in 0..nh {
        for x in 0..nw {
            let (dx, dy) = (x as f32 - nw as f32 / 2.0, y as f32 - nh as f32 / 2.0);
            let (sx, sy) = (c * dx + s * dy + w / 2.0, -s * dx + c * dy + h / 2.0);
            let inside = sx >= 0.0 && sy >= 0.0 && sx <= w - 1.0 && sy <= h - 1.0;
            data.push(if inside {
                img.sample(sx, sy) as u8
            } else {
                255
            });
        }
    }
    LumaImage::new(nw as u32, nh as u32, data).expect("rotated buffer")
}

fn box_blur(img: &LumaImage) -> LumaImage {
    let (w, h) = (img.w(), img.h());
    let mut data = Vec::with_capacity(w * h);
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0u32;
            let mut n = 0u32;
            for yy in y.saturating_sub(1)..(y + 2).min(h) {
                for xx in x.saturating_sub(1)..(x + 2).min(w) {
                    acc += u32::from(img.at(xx, yy));
                    n += 1;
                }
            }
            data.push((acc / n) as u8);
        }
    }
    LumaImage::new(w as u32, h as u32, data).expect("blurred buffer")
}

fn assert_reads(img: &LumaImage, want: &str, what: &str) {
    let codes = decode_luma(img, &DecodeOptions::default());
    assert!(
        codes.iter().any(|c| same_code(&c.text, want)),
        "{what}: want {want:?}, got {:?}",
        texts(&codes)
    );
}

/// `img` as a pinhole camera sees it printed on a plane tilted by `degrees` about the
/// horizontal axis (`vertical_axis`: about the vertical one): the far side shrinks and its rows
/// crowd together, as on a package photographed at an angle. The photo is first framed with a
/// white margin so the near side, which grows, stays in the picture.
fn tilt(img: &LumaImage, degrees: f32, vertical_axis: bool) -> LumaImage {
    let img = &pad(img, img.w().max(img.h()) * 3 / 10);
    let (w, h) = (img.w() as f32, img.h() as f32);
    let (sin, cos) = (degrees.to_radians().sin(), degrees.to_radians().cos());
    // Focal length and distance alike, so the plane's centre keeps its scale.
    let f = w.max(h) * 1.2;
    let mut data = Vec::with_capacity(img.w() * img.h());
    for y in 0..img.h() {
        for x in 0..img.w() {
            let (px, py) = (x as f32 - w / 2.0, y as f32 - h / 2.0);
            // The image coordinate across the tilt axis is `b`, along it `a`.
            let (a, b) = if vertical_axis { (py, px) } else { (px, py) };
            let denom = f * cos - b * sin;
            let sample = if denom <= 0.0 {
                None
            } else {
                let bb = b * f / denom;
                let aa = a * (f + bb * sin) / f;
                let (sx, sy) = if vertical_axis { (bb, aa) } else { (aa, bb) };
                let (sx, sy) = (sx + w / 2.0, sy + h / 2.0);
                (sx >= 0.0 && sy >= 0.0 && sx <= w - 1.0 && sy <= h - 1.0)
                    .then(|| img.sample(sx, sy) as u8)
            };
            data.push(sample.unwrap_or(255));
        }
    }
    LumaImage::new(w as u32, h as u32, data).expect("tilted buffer")
}

/// `img` with a white margin of `m` pixels on every side.
fn pad(img: &LumaImage, m: usize) -> LumaImage {
    let (w, h) = (img.w() + 2 * m, img.h() + 2 * m);
    let mut data = vec![255u8; w * h];
    for y in 0..img.h() {
        for x in 0..img.w() {
            data[(y + m) * w + x + m] = img.at(x, y);
        }
    }
    LumaImage::new(w as u32, h as u32, data).expect("padded buffer")
}

#[test]
fn tilted_photos_still_decode() {
    // The held-out photos include packages shot at an angle: perspective, not just rotation.
    for rel in [
        "ean13/ean13-1/1.png",
        "upca/upca-5/03.png",
        "qrcode/qrcode-3/01.png",
        "code128/code128-1/2.png",
        "datamatrix/datamatrix-1/0123456789.png",
    ] {
        let (img, want) = luma_of(rel);
        for (deg, vertical) in [(30.0, false), (-30.0, false), (30.0, true), (-30.0, true)] {
            let axis = if vertical { "vertical" } else { "horizontal" };
            assert_reads(
                &tilt(&img, deg, vertical),
                &want,
                &format!("{rel} tilted {deg}° about the {axis} axis"),
            );
        }
    }
}

#[test]
fn rotated_scaled_and_blurred_photos_still_decode() {
    // Quarter turns and scales of every photo; oblique angles and blur where the bars are
    // three pixels or wider. ean13-3/01 has 2.1-pixel modules: turning it by 20–70° with
    // bilinear resampling (and our bilinear scan lines on top) or a 3×3 blur leaves its
    // narrow bars a ripple of a few grey levels, which no threshold separates (zxing-cpp
    // reads none of those copies either); synthetic codes at two pixels per module do
    // read at every angle (`oblique_synthetic_codes`).
    let oblique: &[f32] = &[30.0, 45.0, 160.0];
    for (rel, angles, blur) in [
        ("ean13/ean13-3/01.png", &[10.0, 80.0][..], false),
        ("ean13/ean13-1/1.png", oblique, true),
        ("upca/upca-5/03.png", &[20.0, 135.0, 250.0][..], true),
        ("qrcode/qrcode-3/01.png", oblique, true),
        ("code128/code128-1/2.png", oblique, true),
        ("code128/code128-3/1.png", &[60.0, 200.0][..], true),
    ] {
        let (img, want) = luma_of(rel);
        for q in 1..4 {
            assert_reads(&img.rotate(q), &want, &format!("{rel} turned {q}×90°"));
        }
        let (w, h) = (img.w(), img.h());
        assert_reads(
            &img.resize(w * 3 / 2, h * 3 / 2),
            &want,
            &format!("{rel} ×1.5"),
        );
        assert_reads(
            &img.resize(w * 4 / 5, h * 4 / 5),
            &want,
            &format!("{rel} ×0.8"),
        );
        for &deg in angles {
            assert_reads(
                &rotate_any(&img, deg),
                &want,
                &format!("{rel} turned {deg}°"),
            );
        }
        if blur {
            assert_reads(&box_blur(&img), &want, &format!("{rel} blurred"));
        }
    }
}

#[test]
fn oblique_synthetic_codes() {
    // EAN-13 at two pixels per module and Code 128 (four bar widths to tell apart) at
    // three: every angle reads. Blurred as well, the narrow bars may be lost, but never
    // misread: anything returned must be the code itself.
    for (text, format, px) in [
        ("9780764544200", BarcodeFormat::EAN_13, 2),
        ("TRACE-2024-0042", BarcodeFormat::CODE_128, 3),
    ] {
        let m = MultiFormatWriter.encode(text, &format, 0, 0).unwrap();
        let (cw, ch) = (m.getWidth() as usize * px + 40, 60 * px);
        let mut canvas = vec![235u8; cw * ch];
        for y in 10..ch - 10 {
            for x in 0..m.getWidth() as usize {
                if m.get(x as u32, 0) {
                    let at = y * cw + 20 + px * x;
                    canvas[at..at + px].fill(20);
                }
            }
        }
        let img = LumaImage::new(cw as u32, ch as u32, canvas).unwrap();
        for deg in [20.0, 45.0, 100.0, 200.0] {
            let turned = rotate_any(&img, deg);
            assert_reads(&turned, text, &format!("{text} turned {deg}°"));
            for blurred in [box_blur(&turned), box_blur(&box_blur(&turned))] {
                let codes = decode_luma(&blurred, &DecodeOptions::default());
                assert!(
                    codes.iter().all(|c| c.text == text),
                    "{text} turned {deg}° and blurred: misread as {:?}",
                    texts(&codes)
                );
            }
        }
    }
}

/// A white canvas with the writer's symbol pasted at (x, y).
fn paste(canvas: &mut [u8], cw: usize, m: &rxing::common::BitMatrix, x: usize, y: usize) {
    for yy in 0..m.getHeight() as usize {
        for xx in 0..m.getWidth() as usize {
            if m.get(xx as u32, yy as u32) {
                canvas[(y + yy) * cw + x + xx] = 20;
            }
        }
    }
}

fn synthetic(content: &str, format: BarcodeFormat, w: i32, h: i32) -> LumaImage {
    synthetic_with(content, format, w, h, &EncodeHints::default())
}

fn synthetic_with(
    content: &str,
    format: BarcodeFormat,
    w: i32,
    h: i32,
    hints: &EncodeHints,
) -> LumaImage {
    let m = MultiFormatWriter
        .encode_with_hints(content, &format, w, h, hints)
        .expect("writer encodes");
    let (cw, ch) = (m.getWidth() as usize + 80, m.getHeight() as usize + 80);
    let mut canvas = vec![235u8; cw * ch];
    paste(&mut canvas, cw, &m, 40, 40);
    LumaImage::new(cw as u32, ch as u32, canvas).expect("canvas")
}

#[test]
fn synthetic_codes_carry_their_meaning() {
    let cases: Vec<(LumaImage, Symbology, &str, &str)> = vec![
        (
            synthetic("6901234567892", BarcodeFormat::EAN_13, 300, 120),
            Symbology::Ean13,
            "6901234567892",
            "gtin",
        ),
        (
            synthetic("12345670", BarcodeFormat::EAN_8, 200, 100),
            Symbology::Ean8,
            "12345670",
            "gtin",
        ),
        (
            synthetic("04252614", BarcodeFormat::UPC_E, 200, 100),
            Symbology::UpcE,
            "04252614",
            "gtin",
        ),
        (
            synthetic("16901234567899", BarcodeFormat::ITF, 360, 120),
            Symbology::Itf,
            "16901234567899",
            "gtin",
        ),
        (
            synthetic(
                "https://id.gs1.org/01/06901234567892/10/B7?17=261231",
                BarcodeFormat::QR_CODE,
                200,
                200,
            ),
            Symbology::QrCode,
            "https://id.gs1.org/01/06901234567892/10/B7?17=261231",
            "dl",
        ),
        (
            synthetic(
                "202106300123456789012345",
                BarcodeFormat::DATA_MATRIX,
                120,
                120,
            ),
            Symbology::DataMatrix,
            "202106300123456789012345",
            "trace",
        ),
        (
            synthetic(
                "备案号：浙G妆网备字2023001147",
                BarcodeFormat::QR_CODE,
                200,
                200,
            ),
            Symbology::QrCode,
            "备案号：浙G妆网备字2023001147",
            "reg",
        ),
    ];
    for (img, sym, text, kind) in cases {
        let codes = decode_luma(&img, &DecodeOptions::default());
        let c = codes
            .iter()
            .find(|c| c.symbology == sym)
            .unwrap_or_else(|| panic!("{sym:?} {text:?} not read: {:?}", texts(&codes)));
        if !text.is_empty() {
            assert_eq!(c.text, text);
        }
        let got = match &c.meaning {
            CodeMeaning::Gtin { .. } => "gtin",
            CodeMeaning::Gs1(g) => {
                assert_eq!(g.gtin.as_deref(), Some("06901234567892"));
                assert_eq!(g.batch.as_deref(), Some("A"));
                assert_eq!(c.text, "010690123456789210A");
                assert_eq!(c.symbology_identifier.as_deref(), Some("]C1"));
                "gs1"
            }
            CodeMeaning::DigitalLink(_) => "dl",
            CodeMeaning::TraceCode(_) => "trace",
            CodeMeaning::Registration { .. } => "reg",
            CodeMeaning::Url(_) => "url",
            CodeMeaning::Text(_) => "text",
        };
        assert_eq!(got, kind, "{text:?}");
    }
}

#[test]
fn several_codes_in_one_photo() {
    let ean = MultiFormatWriter
        .encode("6901234567892", &BarcodeFormat::EAN_13, 300, 120)
        .unwrap();
    let qr = MultiFormatWriter
        .encode(
            "https://suyuan.example/t/1",
            &BarcodeFormat::QR_CODE,
            160,
            160,
        )
        .unwrap();
    let (cw, ch) = (640usize, 360usize);
    let mut canvas = vec![240u8; cw * ch];
    paste(&mut canvas, cw, &ean, 20, 100);
    paste(&mut canvas, cw, &qr, 420, 80);
    let img = LumaImage::new(cw as u32, ch as u32, canvas).unwrap();
    let codes = decode_luma(&img, &DecodeOptions::default());
    let mut got = texts(&codes);
    got.sort_unstable();
    assert_eq!(got, vec!["6901234567892", "https://suyuan.example/t/1"]);
}

#[test]
fn camera_frames() {
    let m = MultiFormatWriter
        .encode("6920202888883", &BarcodeFormat::EAN_13, 380, 200)
        .unwrap();
    let (w, h, stride) = (1280usize, 720usize, 1344usize);
    let mut plane = vec![128u8; stride * h];
    let (ox, oy) = (
        (w - m.getWidth() as usize) / 2,
        (h - m.getHeight() as usize) / 2,
    );
    for y in 0..m.getHeight() as usize {
        for x in 0..m.getWidth() as usize {
            plane[(oy + y) * stride + ox + x] = if m.get(x as u32, y as u32) { 30 } else { 220 };
        }
    }
    let codes = decode_frame(&plane, w as u32, h as u32, stride as u32).unwrap();
    assert_eq!(texts(&codes), vec!["6920202888883"]);
    // Points are in the frame's own pixels, around the code.
    let c = &codes[0].corners;
    assert!(
        c.iter()
            .all(|p| p.x > ox as f32 - 20.0 && p.x < (ox + m.getWidth() as usize) as f32 + 20.0)
    );
    assert!(decode_frame(&plane, w as u32, h as u32, 100).is_err());
    assert!(decode_frame(&plane[..1000], w as u32, h as u32, stride as u32).is_err());
    assert!(decode_frame(&[], 0, 0, 0).is_err());
    assert!(decode_frame(&plane, w as u32, h as u32, stride as u32 + 1).is_err());
}

/// CRC-32 (ISO-HDLC) for hand-made PNG chunks.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc32(&ihdr).to_be_bytes());
    png
}

/// A 24-bit BMP header with no pixels: enough for the decoder to report its size.
fn bmp_header(width: u32, height: u32) -> Vec<u8> {
    let mut b = b"BM".to_vec();
    b.extend((54 + width * height * 3).to_le_bytes());
    b.extend([0, 0, 0, 0]);
    b.extend(54u32.to_le_bytes());
    b.extend(40u32.to_le_bytes());
    b.extend(width.to_le_bytes());
    b.extend(height.to_le_bytes());
    b.extend(1u16.to_le_bytes());
    b.extend(24u16.to_le_bytes());
    b.extend([0u8; 24]);
    b
}

#[test]
fn hostile_input_is_an_error_not_a_crash() {
    assert_eq!(decode_image(&[]), Err(DecodeError::UnsupportedFormat));
    assert_eq!(
        decode_image(b"hello, not an image"),
        Err(DecodeError::UnsupportedFormat)
    );
    assert_eq!(
        decode_image(b"GIF89a\x01\x00\x01\x00"),
        Err(DecodeError::UnsupportedFormat)
    );
    // A decompression bomb: the header alone says 30000×30000.
    assert!(matches!(
        decode_image(&png_header(30_000, 30_000)),
        Err(DecodeError::TooLarge { .. })
    ));
    assert_eq!(
        decode_image(&bmp_header(10_000, 5_000)),
        Err(DecodeError::TooLarge {
            width: 10_000,
            height: 5_000
        })
    );
    let (bytes, _) = sample("qrcode/qrcode-3/01.png");
    for cut in [8, 40, bytes.len() / 2] {
        assert!(decode_image(&bytes[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn fuzz_regressions() {
    // Found by the decode_image fuzz target: a damaged baseline JPEG on which zune-jpeg
    // 0.4.21 trips a debug assertion (`bits_left >= n`); it must be an error, not a panic.
    let jpeg = include_bytes!("../../fuzz/regressions/decode_image-zune-jpeg-drop-bits.jpg");
    if let Ok(codes) = decode_image(jpeg) {
        assert!(codes.is_empty());
    }
}

/// A JPEG of `img` with an EXIF APP1 segment carrying `orientation`.
fn jpeg_with_orientation(img: &LumaImage, orientation: u16) -> Vec<u8> {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 95)
        .encode(
            img.pixels(),
            img.width(),
            img.height(),
            image::ExtendedColorType::L8,
        )
        .expect("jpeg encodes");
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08\x00\x01".to_vec();
    tiff.extend([0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]);
    tiff.extend(orientation.to_be_bytes());
    tiff.extend([0, 0, 0, 0, 0, 0]);
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

#[test]
fn exif_orientation_is_honoured() {
    let img = synthetic("6901234567892", BarcodeFormat::EAN_13, 300, 120);
    // Stored turned a quarter anticlockwise, with orientation 6 telling viewers to turn
    // it back clockwise.
    let stored = img.rotate(3);
    let bytes = jpeg_with_orientation(&stored, 6);
    let upright = load_luma(&bytes).unwrap();
    assert_eq!(
        (upright.width(), upright.height()),
        (img.width(), img.height())
    );
    let codes = decode_image(&bytes).unwrap();
    assert_eq!(texts(&codes), vec!["6901234567892"]);
    // Corners are in the upright image: the code is wider than tall there.
    let xs: Vec<f32> = codes[0].corners.iter().map(|p| p.x).collect();
    let ys: Vec<f32> = codes[0].corners.iter().map(|p| p.y).collect();
    let span = |v: &[f32]| {
        v.iter().copied().fold(f32::MIN, f32::max) - v.iter().copied().fold(f32::MAX, f32::min)
    };
    assert!(span(&xs) > span(&ys));
}

#[test]
fn other_formats_load() {
    let img = synthetic("https://suyuan.example/x", BarcodeFormat::QR_CODE, 150, 150);
    let gray =
        image::GrayImage::from_raw(img.width(), img.height(), img.pixels().to_vec()).unwrap();
    for format in [
        image::ImageFormat::Png,
        image::ImageFormat::Bmp,
        image::ImageFormat::WebP,
    ] {
        let mut bytes = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageLuma8(gray.clone())
            .to_rgb8()
            .write_to(&mut bytes, format)
            .expect("encodes");
        let codes = decode_image(bytes.get_ref()).unwrap();
        assert_eq!(
            texts(&codes),
            vec!["https://suyuan.example/x"],
            "{format:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic(
        prefix in proptest::sample::select(vec![&b""[..], b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"BM", b"RIFF\x00\x00\x00\x00WEBPVP8 "]),
        rest in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let mut bytes = prefix.to_vec();
        bytes.extend(rest);
        let _ = decode_image(&bytes);
    }

    #[test]
    fn arbitrary_frames_never_panic(
        w in 0u32..64,
        h in 0u32..64,
        extra in 0u32..8,
        data in proptest::collection::vec(any::<u8>(), 0..5000),
    ) {
        let _ = decode_frame(&data, w, h, w + extra);
    }
}
