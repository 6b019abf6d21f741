//! Unit codes from the phone, against the real server on loopback, on SQLite and PostgreSQL:
//! a manufacturer's phone scans its production inbound and an outbound to a wholesaler with
//! no signal; after its sync the server has audited both, recorded them as batch documents,
//! and the phone shows the audits, the documents and the stock; the wholesaler's phone scans
//! the receipt, which matches the 勾兑 item; a bad scan is refused on the phone itself; the
//! online lookup shows a unit's holders.

use serde_json::{Value, json};
use std::time::Duration;
use suyuan_core::serial::{UnitCode, UploadKind, UploadRequest};
use suyuan_core::store::{DocumentQuery, Store, StoreError, UnitUpload};
use suyuan_core::sync::client::{SyncClient, install_crypto_provider, sync_now};
use suyuan_e2e::loopback::{PASSWORD, Party, Server, register};
use suyuan_e2e::phone_records::{product, today};
use uuid::Uuid;

fn phone(server: &Server, who: &Party, dir: &std::path::Path) -> (Store, SyncClient, String) {
    let mut client = SyncClient::new(&server.url, Duration::from_secs(10)).expect("client");
    let logged = client.log_in(&who.uscc, PASSWORD).expect("log in");
    let mut store = Store::open(&dir.join(format!("{}.db", who.uscc))).expect("open store");
    store.log_in(who.id).expect("local session");
    (store, client, logged.token)
}

fn request(kind: UploadKind, number: &str, to: Option<&Party>, codes: &[String]) -> UploadRequest {
    UploadRequest {
        id: Uuid::new_v4(),
        kind,
        number: number.into(),
        date: today(),
        counterparty_uscc: to.map(|p| p.uscc.clone()),
        codes: codes.to_vec(),
    }
}

fn audited(store: &Store, id: Uuid) -> suyuan_core::serial::UploadResult {
    match store
        .unit_uploads()
        .unwrap()
        .into_iter()
        .find(|u| u.id() == id)
        .expect("the upload is kept")
    {
        UnitUpload::Audited(r) => r,
        UnitUpload::Queued(q) => panic!("still queued: {q:?}"),
    }
}

fn scenario(postgres: bool) {
    install_crypto_provider();
    let server = Server::start(postgres);
    let dir = tempfile::tempdir().expect("temp dir");
    let http = reqwest::blocking::Client::new();
    let maker = register(
        &http,
        &server.url,
        41,
        "兰州舒唯雅化妆品厂",
        "registrant_manufacturer",
    );
    let seller = register(
        &http,
        &server.url,
        42,
        "兰州美源化妆品批发有限公司",
        "wholesaler",
    );
    let (mut m, m_client, m_token) = phone(&server, &maker, dir.path());
    let (mut w, w_client, _) = phone(&server, &seller, dir.path());

    // The product reaches the server, then codes are applied for (online, at the office).
    let cream = m
        .save_product(
            product(maker.id, "舒唯雅皮肤身体护肤霜", "国妆特字G20210001"),
            &[],
        )
        .expect("product");
    sync_now(&mut m, &m_client).expect("sync product");
    let app: Value = http
        .post(format!("{}/api/v1/unit-codes/applications", server.url))
        .bearer_auth(&m_token)
        .json(&json!({"product_id": cream.id, "batch": "SN01", "quantity": 5}))
        .send()
        .expect("apply")
        .json()
        .expect("json");
    let csv = http
        .get(format!(
            "{}/api/v1/unit-codes/applications/{}/codes.csv",
            server.url,
            app["id"].as_str().expect("id")
        ))
        .bearer_auth(&m_token)
        .send()
        .expect("codes")
        .text()
        .expect("text");
    let codes: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 5);

    // No signal: the scans are kept and queued; a bad scan is refused on the phone.
    let bad = m
        .upload_units(request(
            UploadKind::Outbound,
            "CK-X",
            None,
            &["12345".into()],
        ))
        .unwrap_err();
    let StoreError::Invalid(problems) = bad else {
        panic!("{bad:?}")
    };
    let rules: Vec<&str> = problems.iter().map(|p| p.rule.as_str()).collect();
    assert_eq!(rules, ["required", "unit_code.format"]);
    let inbound = m
        .upload_units(request(UploadKind::Inbound, "RK-1", None, &codes))
        .unwrap();
    let outbound = m
        .upload_units(request(
            UploadKind::Outbound,
            "CK-1",
            Some(&seller),
            &codes[..3],
        ))
        .unwrap();
    assert!(matches!(
        m.unit_uploads().unwrap()[0],
        UnitUpload::Queued(_)
    ));

    // The sync: both audited, both recorded as batch documents, stock 2 on the phone.
    let report = sync_now(&mut m, &m_client).expect("sync");
    assert_eq!(report.rejected, 0);
    let r = audited(&m, inbound);
    assert_eq!((r.accepted, r.refused), (5, 0));
    assert_eq!(r.document.as_ref().map(|d| d.derived), Some(true));
    let r = audited(&m, outbound);
    assert_eq!(r.accepted, 3);
    let numbers: Vec<String> = m
        .documents(&DocumentQuery::default())
        .unwrap()
        .into_iter()
        .map(|d| d.number)
        .collect();
    assert!(
        numbers.contains(&"RK-1".to_owned()) && numbers.contains(&"CK-1".to_owned()),
        "{numbers:?}"
    );
    let held: i64 = m.stock().unwrap().iter().map(|l| l.held).sum();
    assert_eq!(held, 2);

    // The wholesaler's phone scans the receipt offline; its sync matches the 勾兑 item.
    sync_now(&mut w, &w_client).expect("pull the item");
    assert_eq!(
        w.reconciliation_items()
            .unwrap()
            .iter()
            .filter(|i| i.is_open())
            .count(),
        1
    );
    let receipt = w
        .upload_units(request(
            UploadKind::Inbound,
            "RK-9",
            Some(&maker),
            &codes[..3],
        ))
        .unwrap();
    sync_now(&mut w, &w_client).expect("sync receipt");
    let r = audited(&w, receipt);
    assert_eq!(r.accepted, 3, "{r:?}");
    assert!(
        w.reconciliation_items()
            .unwrap()
            .iter()
            .all(|i| !i.is_open()),
        "the item is confirmed"
    );
    let held: i64 = w.stock().unwrap().iter().map(|l| l.held).sum();
    assert_eq!(held, 3);

    // Online, a scan shows the unit's holders; a code the wholesaler never had is not shown.
    let unit = UnitCode::parse("code", &codes[0]).unwrap();
    let view = w_client
        .look_up_unit(&unit)
        .expect("lookup")
        .expect("known");
    let actions: Vec<&str> = view.history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["issue", "receive", "ship", "receive"]);
    let never_here = UnitCode::parse("code", &codes[4]).unwrap();
    assert!(
        w_client
            .look_up_unit(&never_here)
            .expect("lookup")
            .is_none()
    );
}

#[test]
fn phone_unit_uploads_on_sqlite() {
    scenario(false);
}

#[test]
fn phone_unit_uploads_on_postgres() {
    scenario(true);
}
