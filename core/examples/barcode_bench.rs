//! Barcode reading benchmark over a folder of sample photos, scored as in
//! shared/bench/barcode/README.md so the figures compare with the peers' baseline.
//!
//! `cargo run --release -p suyuan-core --example barcode_bench -- DIR [--by-set] [--verbose]
//! [--all] [--runs=N] [--only=FORMAT_OR_SET]` (`--verbose` lists misses, `--all` every image)
//! `cargo run --release -p suyuan-core --example barcode_bench -- DIR --frames`

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;
use suyuan_core::barcode::{
    DecodeOptions, LumaImage, Symbology, decode_frame, decode_luma, load_luma,
};

const FORMATS: [&str; 5] = ["ean13", "upca", "code128", "qrcode", "datamatrix"];
const IMAGE_EXT: [&str; 7] = ["png", "jpg", "jpeg", "gif", "bmp", "webp", "tif"];

/// The format set the peers were asked for.
fn project_options() -> DecodeOptions {
    DecodeOptions {
        formats: vec![
            Symbology::Ean13,
            Symbology::UpcA,
            Symbology::UpcE,
            Symbology::Code128,
            Symbology::QrCode,
            Symbology::DataMatrix,
        ],
    }
}

struct Row {
    format: String,
    set: String,
    correct: bool,
    wrong: bool,
    ms: f64,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let Some(dir) = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
    else {
        eprintln!("usage: barcode_bench DIR [--by-set] [--verbose] [--frames]");
        std::process::exit(2);
    };
    if flag("--frames") {
        frames(&dir);
        return;
    }
    let only: Option<String> = args
        .iter()
        .find_map(|a| a.strip_prefix("--only=").map(str::to_owned));
    let runs: usize = args
        .iter()
        .find_map(|a| a.strip_prefix("--runs=").and_then(|n| n.parse().ok()))
        .unwrap_or(3);
    let list = if flag("--all") {
        List::All
    } else if flag("--verbose") {
        List::Misses
    } else {
        List::None
    };
    let rows = run(&dir, list, only.as_deref(), runs);
    if rows.is_empty() {
        eprintln!("no images under {}", dir.display());
        std::process::exit(1);
    }
    for f in FORMATS {
        report(f, rows.iter().filter(|r| r.format == f));
    }
    if flag("--by-set") {
        let sets: BTreeMap<(usize, String), ()> = rows
            .iter()
            .map(|r| {
                (
                    (
                        FORMATS.iter().position(|f| *f == r.format).unwrap_or(9),
                        r.set.clone(),
                    ),
                    (),
                )
            })
            .collect();
        for (_, set) in sets.keys() {
            report(set, rows.iter().filter(|r| &r.set == set));
        }
    }
}

/// Which images to list as they are decoded.
#[derive(Clone, Copy, PartialEq)]
enum List {
    None,
    Misses,
    All,
}

fn run(dir: &Path, list: List, only: Option<&str>, runs: usize) -> Vec<Row> {
    let opts = project_options();
    let mut rows = Vec::new();
    for format in FORMATS {
        let fdir = dir.join(format);
        for set in sorted_entries(&fdir).into_iter().filter(|p| p.is_dir()) {
            let set_name = file_name(&set);
            if only.is_some_and(|o| o != set_name && o != format) {
                continue;
            }
            for path in sorted_entries(&set) {
                let ext = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if !IMAGE_EXT.contains(&ext.as_str()) {
                    continue;
                }
                let Some(expected) = expected_text(&path) else {
                    continue;
                };
                let bytes = std::fs::read(&path).expect("readable image");
                let (texts, ms) = match load_luma(&bytes) {
                    Ok(img) => time_decode(&img, &opts, runs),
                    Err(e) => {
                        eprintln!("{}: {e}", path.display());
                        (Vec::new(), 0.0)
                    }
                };
                let norm = |s: &str| normalise(format, s);
                let correct = texts.iter().any(|t| norm(t) == norm(&expected));
                let wrong = !texts.is_empty() && !correct;
                if list == List::All || (list == List::Misses && !correct) {
                    println!(
                        "{} {}: expected {:?} got {:?} ({ms:.2} ms)",
                        if wrong {
                            "WRONG"
                        } else if correct {
                            "ok   "
                        } else {
                            "miss "
                        },
                        path.display(),
                        expected,
                        texts
                    );
                }
                rows.push(Row {
                    format: format.to_owned(),
                    set: set_name.clone(),
                    correct,
                    wrong,
                    ms,
                });
            }
        }
    }
    rows
}

/// Decode time: the call only, minimum of `runs` runs (three for the reported figures).
fn time_decode(img: &LumaImage, opts: &DecodeOptions, runs: usize) -> (Vec<String>, f64) {
    let mut best = f64::MAX;
    let mut texts = Vec::new();
    for _ in 0..runs.max(1) {
        let t0 = Instant::now();
        let codes = decode_luma(img, opts);
        best = best.min(t0.elapsed().as_secs_f64() * 1000.0);
        texts = codes.into_iter().map(|c| c.text).collect();
    }
    (texts, best)
}

/// A UPC-A read as a 13-digit EAN starting with 0 counts as the 12-digit UPC-A.
fn normalise(format: &str, s: &str) -> String {
    if matches!(format, "ean13" | "upca")
        && s.len() == 13
        && s.starts_with('0')
        && s.bytes().all(|b| b.is_ascii_digit())
    {
        s[1..].to_owned()
    } else {
        s.to_owned()
    }
}

/// `NAME.txt` as UTF-8, else `NAME.bin` as ISO-8859-1 (ZXing's blackbox convention).
fn expected_text(img: &Path) -> Option<String> {
    if let Ok(bytes) = std::fs::read(img.with_extension("txt")) {
        return String::from_utf8(bytes).ok();
    }
    let bytes = std::fs::read(img.with_extension("bin")).ok()?;
    Some(bytes.iter().map(|&b| char::from(b)).collect())
}

fn report<'a>(name: &str, rows: impl Iterator<Item = &'a Row>) {
    let rows: Vec<&Row> = rows.collect();
    if rows.is_empty() {
        return;
    }
    let correct = rows.iter().filter(|r| r.correct).count();
    let wrong = rows.iter().filter(|r| r.wrong).count();
    let mut ms: Vec<f64> = rows.iter().map(|r| r.ms).collect();
    ms.sort_by(f64::total_cmp);
    println!(
        "{name} correct={correct} total={} wrong={wrong} median_ms={:.2} p95_ms={:.2}",
        rows.len(),
        median(&ms),
        percentile(&ms, 95.0)
    );
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Nearest-rank percentile, as peers.py computes it.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_owned()
}

/// Camera-frame and large-photo timings on synthetic input.
fn frames(dir: &Path) {
    use rxing::{BarcodeFormat, MultiFormatWriter, Writer};
    let (w, h) = (1280usize, 720usize);
    for (name, format, content, cw, ch) in [
        (
            "frame_ean13_1280x720",
            BarcodeFormat::EAN_13,
            "6901234567892",
            380,
            200,
        ),
        (
            "frame_qr_1280x720",
            BarcodeFormat::QR_CODE,
            "https://id.gs1.org/01/06901234567892/10/A1",
            300,
            300,
        ),
    ] {
        let m = MultiFormatWriter
            .encode(content, &format, cw, ch)
            .expect("writer encodes the sample");
        let mut frame = noisy_frame(w, h, 7);
        let (mw, mh) = (m.getWidth() as usize, m.getHeight() as usize);
        let (ox, oy) = ((w - mw) / 2, (h - mh) / 2);
        for y in 0..mh {
            for x in 0..mw {
                let v = if m.get(x as u32, y as u32) { 40 } else { 215 };
                let i = (oy + y) * w + ox + x;
                frame[i] = (i32::from(frame[i]) - 128 + v).clamp(0, 255) as u8;
            }
        }
        let mut times = Vec::new();
        let mut ok = true;
        for _ in 0..21 {
            let t0 = Instant::now();
            let codes = decode_frame(&frame, w as u32, h as u32, w as u32).expect("valid frame");
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
            ok &= codes.iter().any(|c| c.text == content);
        }
        times.sort_by(f64::total_cmp);
        println!("{name} decoded={ok} median_ms={:.2}", median(&times));
    }
    // A 12 MP photo: a sample photo enlarged to 4000×3000.
    let sample = dir.join("ean13/ean13-1/1.png");
    let expected = expected_text(&sample).unwrap_or_default();
    let small = image::open(&sample).expect("sample photo").into_luma8();
    let big = image::imageops::resize(&small, 4000, 3000, image::imageops::FilterType::Triangle);
    let img = LumaImage::new(4000, 3000, big.into_raw()).expect("12 MP buffer");
    let mut times = Vec::new();
    let mut ok = true;
    for _ in 0..5 {
        let t0 = Instant::now();
        let codes = decode_luma(&img, &DecodeOptions::default());
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
        ok &= codes
            .iter()
            .any(|c| normalise("ean13", &c.text) == normalise("ean13", &expected));
    }
    times.sort_by(f64::total_cmp);
    println!(
        "photo_12mp_4000x3000 decoded={ok} median_ms={:.2}",
        median(&times)
    );
}

/// A mid-grey frame with sensor-like noise (a fixed-seed LCG keeps runs comparable).
fn noisy_frame(w: usize, h: usize, seed: u64) -> Vec<u8> {
    let mut s = seed;
    (0..w * h)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (128 + ((s >> 33) % 17) as i32 - 8) as u8
        })
        .collect()
}
