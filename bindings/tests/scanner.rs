//! The scanner through the façade, and the GS1 DataMatrix photo the Kotlin tests scan: it is
//! drawn by the core's own encoder, so this test both checks the committed file's pixels
//! (not its bytes: the PNG compressor depends on the workspace's features) and, with
//! `SUYUAN_WRITE_FIXTURES=1`, rewrites it.

use suyuan_core::barcode::encode::{LabelPayload, encode, to_png};
use suyuan_core::barcode::{CodeKind, Symbology, load_luma};
use suyuan_ffi::App;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../android/shared/src/test/resources/gs1-datamatrix.png"
);

fn drawn() -> Vec<u8> {
    let payload = LabelPayload::Gs1(
        [("01", "06941234567898"), ("10", "B2611"), ("17", "291231")]
            .map(|(a, v)| (a.to_owned(), v.to_owned()))
            .to_vec(),
    );
    to_png(
        &encode(&payload, Symbology::DataMatrix).expect("encodes"),
        6,
        4,
    )
}

#[test]
fn the_kotlin_fixture_is_the_label_the_encoder_draws() {
    if std::env::var_os("SUYUAN_WRITE_FIXTURES").is_some() {
        std::fs::write(FIXTURE, drawn()).expect("write fixture");
    }
    let committed = load_luma(&std::fs::read(FIXTURE).expect("fixture present")).unwrap();
    assert!(
        committed == load_luma(&drawn()).unwrap(),
        "the fixture is not the label the encoder draws: rerun with SUYUAN_WRITE_FIXTURES=1"
    );
}

#[test]
fn a_photo_of_a_gs1_datamatrix_gives_gtin_batch_and_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(
        dir.path().join("phone.db").to_string_lossy().into_owned(),
        "http://127.0.0.1:9".into(),
    )
    .unwrap();
    let codes = app.decode_photo(drawn()).unwrap();
    assert_eq!(codes.len(), 1, "{codes:?}");
    let f = &codes[0].fields;
    assert_eq!(codes[0].symbology, Symbology::DataMatrix);
    assert_eq!(f.kind, CodeKind::Gs1);
    assert_eq!(
        (f.gtin.as_deref(), f.batch.as_deref()),
        (Some("06941234567898"), Some("B2611"))
    );
    assert_eq!(
        f.expiry.map(|d| d.to_string()).as_deref(),
        Some("2029-12-31")
    );
    assert!(codes[0].product.is_none(), "nothing in the library yet");
}

#[test]
fn a_damaged_photo_is_a_typed_error_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(
        dir.path().join("phone.db").to_string_lossy().into_owned(),
        "http://127.0.0.1:9".into(),
    )
    .unwrap();
    match app.decode_photo(b"\x89PNG\r\n\x1a\n broken".to_vec()) {
        Err(suyuan_ffi::ApiError::Invalid { problems, reason }) => {
            assert_eq!(problems[0].field, "image");
            assert!(reason.contains("图片"), "{reason}");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}
