//! The phone's offline store and sync client against the real server on loopback, on SQLite
//! and on PostgreSQL: a wholesaler works offline and syncs; the salon sees nothing until its
//! own sync; an answer lost on the way back duplicates nothing; the salon confirms the inbound
//! and acts on a recall offline, and the server has both after its sync.

use serde_json::{Value, json};
use std::time::Duration;
use suyuan_core::model::*;
use suyuan_core::rules::reconciliation::Confirmation;
use suyuan_core::store::{DocumentQuery, Store};
use suyuan_core::sync::client::{SyncClient, install_crypto_provider, sync_now};
use suyuan_core::sync::wire::PushRequest;
use suyuan_e2e::loopback::{PASSWORD, Party, Server, register};
use suyuan_e2e::phone_records::{draft, product, today};

/// A phone of `who`, logged in on the server and locally.
fn phone(server: &Server, who: &Party, dir: &std::path::Path) -> (Store, SyncClient) {
    let mut client = SyncClient::new(&server.url, Duration::from_secs(10)).expect("client");
    let logged = client.log_in(&who.uscc, PASSWORD).expect("log in");
    assert_eq!(logged.enterprise_id, Some(who.id));
    let mut store = Store::open(&dir.join(format!("{}.db", who.uscc))).expect("open store");
    store.log_in(who.id).expect("local session");
    (store, client)
}

/// Documents the server holds for the caller, drafts included.
fn server_documents(server: &Server, token: &str) -> u64 {
    let http = reqwest::blocking::Client::new();
    let page: Value = http
        .get(format!("{}/api/v1/transactions?per_page=100", server.url))
        .bearer_auth(token)
        .send()
        .expect("list")
        .json()
        .expect("json");
    page["total"]
        .as_u64()
        .unwrap_or_else(|| panic!("a total in {page}"))
}

fn scenario(postgres: bool) {
    install_crypto_provider();
    let server = Server::start(postgres);
    let dir = tempfile::tempdir().expect("temp dir");
    let http = reqwest::blocking::Client::new();
    let seller = register(
        &http,
        &server.url,
        21,
        "兰州美源化妆品批发有限公司",
        "wholesaler",
    );
    let salon = register(&http, &server.url, 22, "城关区丽人美容院", "beauty_salon");
    let (mut w, mut w_client) = phone(&server, &seller, dir.path());
    let (mut s, s_client) = phone(&server, &salon, dir.path());

    // Offline, the wholesaler adds a product, takes 100 in and sells 30 to the salon.
    let product = w
        .save_product(
            product(seller.id, "舒唯雅皮肤身体护肤霜", "国妆特字G20210001"),
            &[],
        )
        .expect("product offline");
    let inbound = draft(
        seller.id,
        TransactionKind::FinishedGoodsInbound,
        None,
        &product,
        "B2611",
        100,
    );
    w.save_draft(inbound.clone(), &[], today())
        .expect("save inbound");
    w.submit(inbound.id, None, &[], chrono::Utc::now())
        .expect("submit inbound");
    let sale = draft(
        seller.id,
        TransactionKind::SalesOutbound,
        Some(&salon),
        &product,
        "B2611",
        30,
    );
    w.save_draft(sale.clone(), &[], today()).expect("save sale");
    w.submit(sale.id, None, &[], chrono::Utc::now())
        .expect("submit sale");
    assert_eq!(w.pending_count().unwrap(), 5);

    // The salon, not yet synced, sees nothing.
    assert!(s.documents(&DocumentQuery::default()).unwrap().is_empty());

    let report = sync_now(&mut w, &w_client).expect("wholesaler sync");
    assert_eq!(
        (report.pushed, report.rejected),
        (5, 0),
        "{:?}",
        w.rejections().unwrap()
    );
    assert_eq!(w.pending_count().unwrap(), 0);
    let token = w_client_token(&mut w_client, &seller);
    assert_eq!(server_documents(&server, &token), 2);
    let stock = w.stock().unwrap();
    assert_eq!(
        stock[0].held, 70,
        "the phone's ledger after the pull agrees"
    );

    // The salon's sync brings the seller's outbound into its reconciliation inbox.
    let report = sync_now(&mut s, &s_client).expect("salon sync");
    assert!(report.pulled >= 1);
    let inbox = s.reconciliation_items().expect("inbox");
    assert_eq!(inbox.len(), 1, "one item from the seller's outbound");
    assert_eq!(
        (inbox[0].source, inbox[0].from, inbox[0].to),
        (sale.id, seller.id, salon.id)
    );
    assert_eq!(inbox[0].lines[0].quantity, 30);
    assert!(inbox[0].is_open());

    // An answer lost on the way back: the server applied the push, the phone never heard.
    let again = draft(
        seller.id,
        TransactionKind::FinishedGoodsInbound,
        None,
        &product,
        "B2612",
        10,
    );
    w.save_draft(again.clone(), &[], today()).expect("save");
    w.submit(again.id, None, &[], chrono::Utc::now())
        .expect("submit");
    let pending = w.next_push(100).unwrap().expect("pending");
    w_client
        .push(&PushRequest {
            client_id: pending.client_id,
            changes: pending.changes,
        })
        .expect("applied on the server");
    assert_eq!(
        w.pending_count().unwrap(),
        2,
        "still queued: the answer was lost"
    );
    let report = sync_now(&mut w, &w_client).expect("resync");
    assert_eq!((report.pushed, report.rejected), (2, 0));
    assert_eq!(
        server_documents(&server, &token),
        3,
        "the resent changes created nothing new"
    );
    let held: i64 = w.stock().unwrap().iter().map(|l| l.held).sum();
    assert_eq!(held, 80);

    confirm_and_recall_offline(
        &server,
        (&seller, &mut w_client),
        (&salon, &mut s, &s_client),
    );
}

/// The salon confirms the seller's outbound offline and syncs: the server shows the item
/// confirmed and the salon's inbound submitted. The seller then recalls the batch; the salon
/// acknowledges and reports offline, and after its sync the seller sees its figures.
fn confirm_and_recall_offline(
    server: &Server,
    (seller, w_client): (&Party, &mut SyncClient),
    (salon, s, s_client): (&Party, &mut Store, &SyncClient),
) {
    let item = s.reconciliation_items().unwrap().remove(0);
    let inbound_id = TransactionId::random();
    let inbound = s
        .confirm_reconciliation(
            item.id,
            Confirmation {
                document_id: inbound_id,
                number: "CGRK-APP-1".into(),
                date: today(),
                counterparty: Counterparty {
                    partner_id: None,
                    name: seller.name.clone(),
                    uscc: Some(seller.uscc.clone()),
                    enterprise_id: Some(seller.id),
                },
                contact: "李店长".into(),
                phone: "13900139000".into(),
                lines: None,
                reason: None,
            },
            None,
            &[],
            chrono::Utc::now(),
        )
        .expect("confirm offline");
    assert!(inbound.status.is_submitted());
    assert_eq!(s.stock().unwrap()[0].held, 30, "counted offline at once");
    assert!(!s.reconciliation_items().unwrap()[0].is_open());

    let report = sync_now(s, s_client).expect("salon sync after confirming");
    assert_eq!(
        (report.pushed, report.rejected),
        (1, 0),
        "{:?}",
        s.rejections().unwrap()
    );
    let salon_token = w_client_token(
        &mut SyncClient::new(&server.url, Duration::from_secs(10)).unwrap(),
        salon,
    );
    let http = reqwest::blocking::Client::new();
    let get = |token: &str, path: &str| -> Value {
        let res = http
            .get(format!("{}{path}", server.url))
            .bearer_auth(token)
            .send()
            .expect("get");
        assert_eq!(res.status().as_u16(), 200, "{path}");
        res.json().expect("json")
    };
    let on_server = get(
        &salon_token,
        &format!("/api/v1/reconciliation/inbox/{}", item.id),
    );
    assert_eq!(on_server["state"]["state"], "confirmed", "{on_server}");
    assert_eq!(on_server["state"]["document"], inbound_id.to_string());
    let doc = get(&salon_token, &format!("/api/v1/transactions/{inbound_id}"));
    assert_eq!(doc["status"]["state"], "submitted", "{doc}");
    assert_eq!(doc["reconciles"], item.id.to_string());
    // The pull after the push brought the server's copies back, counted once.
    let mirrored = s
        .document(inbound_id)
        .unwrap()
        .expect("inbound on the phone");
    assert!(mirrored.status.is_submitted());
    assert_eq!(s.stock().unwrap()[0].held, 30);
    assert!(!s.reconciliation_items().unwrap()[0].is_open());

    // The seller recalls its own product; the salon's sync brings the recall.
    let seller_token = w_client_token(w_client, seller);
    let batch = &inbound.lines[0].batch;
    let res = http
        .post(format!("{}/api/v1/recalls", server.url))
        .bearer_auth(&seller_token)
        .json(
            &json!({"product_id": inbound.lines[0].product_id, "batches": [batch],
                      "level": "two", "reason": "包装密封不良", "scope": "甘肃省"}),
        )
        .send()
        .expect("start recall");
    assert_eq!(res.status().as_u16(), 201);
    let created: Value = res.json().expect("json");
    let recall_id: RecallId =
        serde_json::from_value(created["recall"]["id"].clone()).expect("recall id");
    sync_now(s, s_client).expect("salon sync brings the recall");
    let recall = s
        .recalls()
        .unwrap()
        .into_iter()
        .find(|r| r.id == recall_id)
        .expect("recall on the phone");
    assert_eq!(recall.progress.len(), 1, "the salon's own progress");
    assert_eq!(recall.progress[0].quantity_held, 30);

    // Offline: acknowledged, then 20 returned and 10 destroyed; more than held is refused here.
    s.acknowledge_recall(recall_id, chrono::Utc::now())
        .expect("acknowledge offline");
    let over = s
        .report_recall(recall_id, 25, 10, chrono::Utc::now())
        .unwrap_err();
    assert_eq!(over.problems()[0].rule, "recall.report_exceeds_held");
    s.report_recall(recall_id, 20, 10, chrono::Utc::now())
        .expect("report offline");
    assert_eq!(s.pending_count().unwrap(), 2);
    let report = sync_now(s, s_client).expect("salon sync after the report");
    assert_eq!((report.pushed, report.rejected), (2, 0));

    let view = get(&seller_token, &format!("/api/v1/recalls/{recall_id}"));
    let row = view["holders"]
        .as_array()
        .expect("holders")
        .iter()
        .find(|h| h["enterprise_id"] == salon.id.to_string())
        .expect("the salon's row");
    assert!(row["acknowledged_at"].is_string(), "{row}");
    assert_eq!(
        (
            row["quantity_returned"].as_u64(),
            row["quantity_destroyed"].as_u64()
        ),
        (Some(20), Some(10))
    );
    let mine = s.recalls().unwrap().remove(0).progress.remove(0);
    assert_eq!(
        (mine.quantity_returned, mine.quantity_destroyed),
        (20, 10),
        "the server's copy after the sync agrees"
    );
}

/// A fresh token of `who` for the REST checks (the phone's own is inside its client).
fn w_client_token(client: &mut SyncClient, who: &Party) -> String {
    client.log_in(&who.uscc, PASSWORD).expect("log in").token
}

#[test]
fn the_phone_syncs_with_the_server_on_sqlite() {
    scenario(false);
}

#[test]
fn the_phone_syncs_with_the_server_on_postgres() {
    scenario(true);
}
