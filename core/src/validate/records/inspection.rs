//! Field inspections (现场检查).

use super::{BATCH_LABEL, required_id};
use crate::model::Inspection;
use crate::problem::Problem;
use crate::rules::verdict::{Outcome, Verdict};
use crate::validate::dates::check_not_future;
use crate::validate::label::{Label, indexed, join, required};
use chrono::NaiveDate;
use std::collections::HashSet;

const ENTERPRISE_LABEL: Label = Label::new("被检查单位", "Inspected enterprise");
const DATE_LABEL: Label = Label::new("检查日期", "Inspection date");
const FINDINGS_LABEL: Label = Label::new("检查情况", "Findings");
const CODE_LABEL: Label = Label::new("扫描码", "Scanned code");
const VERDICT_LABEL: Label = Label::new("检查结论", "Verdict");
const INSPECTOR_LABEL: Label = Label::new("检查人员", "Inspector");
const PHOTO_LABEL: Label = Label::new("照片", "Photo");

/// Most photos one inspection keeps.
pub const MAX_PHOTOS: usize = 50;
/// Most items one inspection records.
pub const MAX_ITEMS: usize = 1000;
/// Largest photo an inspection keeps, in bytes (the server's upload limit).
pub const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
/// Longest photo file name, in characters.
const MAX_FILE_NAME_CHARS: usize = 255;
const FILE_NAME_LABEL: Label = Label::new("照片文件名", "Photo file name");

/// The image type of a photo's bytes, from the bytes each format starts with: JPEG, PNG or
/// WebP, the types the server keeps as inspection photos.
pub fn photo_type(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if data.starts_with(b"RIFF") && data.get(8..12) == Some(b"WEBP".as_slice()) {
        Some("image/webp")
    } else {
        None
    }
}

/// Every problem with one photo at `field` (e.g. `photos[0]`): a file name of at most 255
/// characters, and a JPEG, PNG or WebP image of at most [`MAX_PHOTO_BYTES`].
pub fn validate_photo(field: &str, file_name: &str, data: &[u8]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let name_field = join(field, "file_name");
    problems.extend(required(&name_field, FILE_NAME_LABEL, file_name));
    if file_name.chars().count() > MAX_FILE_NAME_CHARS {
        problems.push(FILE_NAME_LABEL.error(
            &name_field,
            "too_long",
            format!("不能超过 {MAX_FILE_NAME_CHARS} 个字符"),
            format!("must not exceed {MAX_FILE_NAME_CHARS} characters"),
        ));
    }
    let data_field = join(field, "data");
    if data.len() > MAX_PHOTO_BYTES {
        problems.push(PHOTO_LABEL.error(
            &data_field,
            "upload.too_large",
            format!("不能超过 {} MB", MAX_PHOTO_BYTES / (1024 * 1024)),
            format!("must not exceed {} MB", MAX_PHOTO_BYTES / (1024 * 1024)),
        ));
    }
    if photo_type(data).is_none() {
        problems.push(PHOTO_LABEL.error(
            &data_field,
            "photo.type",
            "应为 JPEG、PNG 或 WebP 图片",
            "must be a JPEG, PNG or WebP image",
        ));
    }
    problems
}

/// The outcome a verdict's checks add up to: any failure fails, else any unknown is unknown.
fn worst(v: &Verdict) -> Outcome {
    if v.checks.iter().any(|c| c.outcome == Outcome::Fail) {
        Outcome::Fail
    } else if v.checks.iter().any(|c| c.outcome == Outcome::Unknown) {
        Outcome::Unknown
    } else {
        Outcome::Pass
    }
}

fn check_verdict(field: &str, v: &Verdict) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (i, c) in v.checks.iter().enumerate() {
        if !seen.insert(c.item) {
            problems.push(VERDICT_LABEL.error(
                &indexed(&join(field, "checks"), i),
                "verdict.duplicate_check",
                "中同一检查项出现了两次",
                "lists the same check twice",
            ));
        }
    }
    if v.overall != worst(v) {
        problems.push(VERDICT_LABEL.error(
            &join(field, "overall"),
            "verdict.overall",
            "与各检查项结果不符（任一项不合格即不合格，否则任一项无法判断即无法判断）",
            "does not match its checks (any fail fails; otherwise any unknown is unknown)",
        ));
    }
    problems
}

/// Every problem with an inspection: the enterprise, a visit date not after `today`, the
/// findings, each item's code, batch (when given) and a verdict whose overall outcome is the
/// worst of its checks, no blank inspector name, and at most [`MAX_PHOTOS`] distinct photos.
pub fn validate_inspection(r: &Inspection, today: NaiveDate) -> Vec<Problem> {
    let mut problems = Vec::new();
    problems.extend(required_id(
        "enterprise_id",
        ENTERPRISE_LABEL,
        r.enterprise_id.0,
    ));
    problems.extend(check_not_future("date", DATE_LABEL, r.date, today));
    problems.extend(required("findings", FINDINGS_LABEL, &r.findings));
    for (i, name) in r.inspectors.iter().enumerate() {
        problems.extend(required(&indexed("inspectors", i), INSPECTOR_LABEL, name));
    }
    if r.items.len() > MAX_ITEMS {
        problems.push(Problem::error(
            "items",
            "inspection.too_many_items",
            format!("一次检查最多记录 {MAX_ITEMS} 件产品"),
            format!("An inspection records at most {MAX_ITEMS} items"),
        ));
    }
    for (i, item) in r.items.iter().enumerate() {
        let at = indexed("items", i);
        problems.extend(required(&join(&at, "code"), CODE_LABEL, &item.code));
        if let Some(b) = &item.batch {
            problems.extend(required(&join(&at, "batch"), BATCH_LABEL, b));
        }
        problems.extend(check_verdict(&join(&at, "verdict"), &item.verdict));
    }
    if r.photos.len() > MAX_PHOTOS {
        problems.push(Problem::error(
            "photos",
            "inspection.too_many_photos",
            format!("一次检查最多附 {MAX_PHOTOS} 张照片"),
            format!("An inspection keeps at most {MAX_PHOTOS} photos"),
        ));
    }
    let mut seen = HashSet::new();
    for (i, p) in r.photos.iter().enumerate() {
        if !seen.insert(*p) {
            problems.push(PHOTO_LABEL.error(
                &indexed("photos", i),
                "inspection.duplicate_photo",
                "重复",
                "is listed twice",
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{d, pairs, summary, today};
    use super::*;
    use crate::model::{AttachmentId, EnterpriseId, InspectedItem, InspectionId, ProductId};
    use crate::rules::verdict::{Check, CheckItem};
    use uuid::Uuid;

    fn check(item: CheckItem, outcome: Outcome) -> Check {
        Check {
            item,
            outcome,
            message_zh: String::new(),
            message_en: String::new(),
        }
    }

    fn sample() -> Inspection {
        Inspection {
            id: InspectionId(Uuid::from_u128(1)),
            enterprise_id: EnterpriseId(Uuid::from_u128(2)),
            date: today(),
            inspectors: vec!["李检查".into()],
            items: vec![InspectedItem {
                code: "(01)06901234567892(10)A1".into(),
                product_id: Some(ProductId(Uuid::from_u128(3))),
                product_name: "护肤霜".into(),
                batch: Some("A1".into()),
                verdict: Verdict {
                    overall: Outcome::Fail,
                    checks: vec![
                        check(CheckItem::Registration, Outcome::Pass),
                        check(CheckItem::Recall, Outcome::Fail),
                        check(CheckItem::Expiry, Outcome::Unknown),
                    ],
                },
                note: String::new(),
            }],
            findings: "货架上发现召回批次".into(),
            photos: vec![AttachmentId(Uuid::from_u128(4))],
        }
    }

    #[test]
    fn sample_is_clean() {
        assert_eq!(validate_inspection(&sample(), today()), vec![]);
    }

    #[test]
    fn table_of_breakages() {
        type Edit = fn(&mut Inspection);
        let cases: &[(Edit, &[(&str, &str)])] = &[
            (
                |r| r.enterprise_id = EnterpriseId(Uuid::nil()),
                &[("enterprise_id", "required")],
            ),
            (|r| r.date = d(2025, 6, 2), &[("date", "date.future")]),
            (|r| r.findings = " ".into(), &[("findings", "required")]),
            (
                |r| r.inspectors.push(String::new()),
                &[("inspectors[1]", "required")],
            ),
            (
                |r| r.items[0].code.clear(),
                &[("items[0].code", "required")],
            ),
            (
                |r| r.items[0].batch = Some(" ".into()),
                &[("items[0].batch", "required")],
            ),
            (|r| r.items[0].batch = None, &[]),
            (
                |r| r.items[0].verdict.overall = Outcome::Pass,
                &[("items[0].verdict.overall", "verdict.overall")],
            ),
            (
                |r| {
                    r.items[0].verdict.checks.remove(1);
                },
                &[("items[0].verdict.overall", "verdict.overall")],
            ),
            (
                |r| {
                    r.items[0].verdict.checks.remove(1);
                    r.items[0].verdict.overall = Outcome::Unknown;
                },
                &[],
            ),
            (
                |r| {
                    let again = r.items[0].verdict.checks[0].clone();
                    r.items[0].verdict.checks.push(again);
                },
                &[("items[0].verdict.checks[3]", "verdict.duplicate_check")],
            ),
            (
                |r| r.photos.push(r.photos[0]),
                &[("photos[1]", "inspection.duplicate_photo")],
            ),
            (|r| r.items.clear(), &[]),
        ];
        for (edit, want) in cases {
            let mut r = sample();
            edit(&mut r);
            assert_eq!(
                summary(&validate_inspection(&r, today())),
                pairs(want),
                "{r:?}"
            );
        }
    }

    #[test]
    fn a_photo_is_a_named_image_within_the_size_limit() {
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
        let webp = *b"RIFF\0\0\0\0WEBPVP8 ";
        assert_eq!(photo_type(&png), Some("image/png"));
        assert_eq!(photo_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(photo_type(&webp), Some("image/webp"));
        assert_eq!(photo_type(b"RIFF\0\0\0\0WAVE"), None);
        assert_eq!(photo_type(b"%PDF-1.4"), None);
        assert!(validate_photo("photos[0]", "shelf.png", &png).is_empty());
        let mut big = png.to_vec();
        big.resize(MAX_PHOTO_BYTES + 1, 0);
        type Case<'a> = (&'a str, &'a [u8], &'a [(&'a str, &'a str)]);
        let cases: [Case; 4] = [
            (" ", &png, &[("photos[0].file_name", "required")]),
            (
                &"长".repeat(256),
                &png,
                &[("photos[0].file_name", "too_long")],
            ),
            ("a.pdf", b"%PDF-1.4", &[("photos[0].data", "photo.type")]),
            ("big.png", &big, &[("photos[0].data", "upload.too_large")]),
        ];
        for (name, data, want) in cases {
            assert_eq!(
                summary(&validate_photo("photos[0]", name, data)),
                pairs(want),
                "{name}"
            );
        }
    }

    #[test]
    fn messages_are_bilingual() {
        let mut r = sample();
        r.items[0].verdict.overall = Outcome::Pass;
        let p = &validate_inspection(&r, today())[0];
        assert!(p.message_zh.starts_with("检查结论"), "{}", p.message_zh);
        assert!(p.message_en.starts_with("Verdict"), "{}", p.message_en);
    }
}
