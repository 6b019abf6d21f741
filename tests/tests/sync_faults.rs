//! A sync cut at any point loses nothing and duplicates nothing, on SQLite and PostgreSQL.
//!
//! A wholesaler's phone works offline, then syncs through a fault-injecting proxy: the push's
//! answer dropped or cut after the server committed, a 500 instead of the server, an answer
//! held past the client's timeout, the push delivered twice (in turn, or at once as a retry
//! overtaking a slow first delivery), the pull's answer cut, or the app killed between push
//! and acknowledgement. Then the network returns and a plain sync must leave the phone's
//! records, the server's records and both stock ledgers identical.
//! Each fault hits four rounds: the wholesaler's new records, then edits, submits and deletes
//! of synced ones; then the salon's offline confirmation of a sale (its inbound submitted at
//! once), and its offline acknowledgement and report of a recall of that batch.

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use suyuan_core::model::*;
use suyuan_core::rules::reconciliation::Confirmation;
use suyuan_core::store::{DocumentQuery, Store};
use suyuan_core::sync::client::{SyncClient, SyncError, install_crypto_provider, sync_now};
use suyuan_core::sync::wire::PushRequest;
use suyuan_e2e::fault_proxy::{Fault, FaultProxy};
use suyuan_e2e::loopback::{PASSWORD, Party, Server, register};
use suyuan_e2e::phone_records::{draft, product, today};

const PUSH: &str = "/api/v1/sync/push";
const PULL: &str = "/api/v1/sync/pull";

/// How a sync is cut.
#[derive(Debug, Clone, Copy)]
enum Cut {
    /// The proxy does this to the first request on the path.
    Proxy(&'static str, Fault),
    /// The app dies after its push reached the server, before the answer is stored.
    KilledAfterPush,
    /// The app dies after marking its changes sent, before the push leaves.
    KilledBeforePush,
}

/// The wholesaler's phone, syncing through the proxy.
struct Phone {
    me: Party,
    path: PathBuf,
    store: Store,
    client: SyncClient,
    token: String,
}

impl Phone {
    /// The app killed and started again: the store reopened from its file.
    fn restart(&mut self) {
        let fresh = Store::open_in_memory().expect("placeholder");
        drop(std::mem::replace(&mut self.store, fresh));
        self.store = Store::open(&self.path).expect("reopen store");
    }

    fn product(&mut self, name: &str) -> Product {
        let registration = format!("国妆特字G2021{:04}", name.len());
        self.store
            .save_product(product(self.me.id, name, &registration), &[])
            .expect("product offline")
    }

    /// A draft of one line, saved.
    fn save(
        &mut self,
        kind: TransactionKind,
        to: Option<&Party>,
        product: &Product,
        batch: &str,
        qty: u32,
    ) -> Transaction {
        let doc = draft(self.me.id, kind, to, product, batch, qty);
        self.store
            .save_draft(doc, &[], today())
            .expect("save draft")
    }

    fn edit_quantity(&mut self, id: TransactionId, qty: u32) {
        let mut doc = self.store.document(id).unwrap().expect("draft");
        doc.lines[0].quantity = qty;
        self.store
            .save_draft(doc, &[], today())
            .expect("edit draft");
    }

    fn submit(&mut self, id: TransactionId) {
        self.store
            .submit(id, None, &[], chrono::Utc::now())
            .expect("submit offline");
    }
}

/// What the server and the phone must both hold in the end.
#[derive(Default)]
struct Expected {
    documents: BTreeSet<TransactionId>,
    products: BTreeSet<ProductId>,
    stock: BTreeMap<(ProductId, String), i64>,
    sales: usize,
}

/// Applies `cut` to a sync of everything the phone has queued, and checks the fault happened.
fn cut_sync(phone: &mut Phone, proxy: &FaultProxy, cut: Cut, round: u32) {
    let queued = phone.store.pending_count().unwrap();
    let at = format!("{cut:?}, round {round}");
    match cut {
        Cut::KilledAfterPush | Cut::KilledBeforePush => {
            let batch = phone.store.next_push(500).unwrap().expect("changes");
            if matches!(cut, Cut::KilledAfterPush) {
                let answer = phone
                    .client
                    .push(&PushRequest {
                        client_id: batch.client_id,
                        changes: batch.changes,
                    })
                    .expect("the server applies the push");
                assert_eq!(answer.results.len() as u64, queued, "{at}");
            }
            phone.restart();
            assert_eq!(phone.store.pending_count().unwrap(), queued, "{at}");
        }
        Cut::Proxy(path, fault) => {
            proxy.inject(path, fault);
            let seen = proxy.served().len();
            // A stalled answer is given up on by a client with a short timeout.
            let mut hasty = SyncClient::new(proxy.url(), Duration::from_millis(1500)).unwrap();
            hasty.set_token(Some(phone.token.clone()));
            let client = if fault == Fault::Stall {
                &hasty
            } else {
                &phone.client
            };
            let result = sync_now(&mut phone.store, client);
            match (fault, &result) {
                (Fault::Duplicate | Fault::DuplicateAtOnce, Ok(r)) => {
                    assert_eq!(r.rejected, 0, "{at}")
                }
                (Fault::ServerError, Err(SyncError::Server { status: 500, .. })) => {}
                (
                    Fault::DropAnswer | Fault::CutAnswer | Fault::Stall,
                    Err(SyncError::Network(_)),
                ) => {}
                _ => panic!("{at}: unexpected {result:?}"),
            }
            let served = wait_for_fault(proxy, seen, fault);
            let forwarded = match fault {
                Fault::ServerError => vec![],
                Fault::Duplicate | Fault::DuplicateAtOnce => vec![200, 200],
                _ => vec![200],
            };
            assert_eq!(served.upstream, forwarded, "{at}: the server's answers");
            if path == PUSH && !matches!(fault, Fault::Duplicate | Fault::DuplicateAtOnce) {
                assert_eq!(
                    phone.store.pending_count().unwrap(),
                    queued,
                    "{at}: the phone never heard, so nothing left the outbox"
                );
            }
        }
    }
}

/// The request the fault was applied to, once the proxy is done with it (a stalled answer
/// is only logged after the server gave it, which may be after the client gave up).
fn wait_for_fault(
    proxy: &FaultProxy,
    seen: usize,
    fault: Fault,
) -> suyuan_e2e::fault_proxy::Served {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(s) = proxy.served()[seen..].iter().find(|s| s.fault == fault) {
            assert_eq!(proxy.pending(), 0);
            return s.clone();
        }
        assert!(
            Instant::now() < deadline,
            "the proxy never applied {fault:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Syncs with the network back, and checks the phone and the server agree on everything.
fn heal_and_compare(server: &Server, phone: &mut Phone, expected: &Expected, at: &str) {
    let report = sync_now(&mut phone.store, &phone.client).expect("sync with the network back");
    assert_eq!(report.rejected, 0, "{at}: {:?}", phone.store.rejections());
    assert_eq!(phone.store.pending_count().unwrap(), 0, "{at}");
    assert!(phone.store.rejections().unwrap().is_empty(), "{at}");

    let me = phone.me.id;
    let get = |path: &str| -> Vec<Value> {
        let page: Value = reqwest::blocking::Client::new()
            .get(format!("{}{path}", server.url))
            .bearer_auth(&phone.token)
            .send()
            .expect("REST call")
            .json()
            .expect("json");
        page["items"].as_array().expect("items").clone()
    };

    let mut on_server: Vec<Transaction> = get("/api/v1/transactions?per_page=500")
        .into_iter()
        .map(|v| serde_json::from_value(v).expect("document"))
        .collect();
    on_server.sort_by_key(|d| d.id);
    let mut on_phone: Vec<Transaction> = phone
        .store
        .documents(&DocumentQuery {
            limit: Some(500),
            ..DocumentQuery::default()
        })
        .unwrap()
        .into_iter()
        .filter(|d| d.enterprise_id == me)
        .collect();
    on_phone.sort_by_key(|d| d.id);
    let ids: BTreeSet<_> = on_server.iter().map(|d| d.id).collect();
    assert_eq!(
        ids.len(),
        on_server.len(),
        "{at}: a document twice on the server"
    );
    assert_eq!(ids, expected.documents, "{at}: documents on the server");
    assert_eq!(on_phone, on_server, "{at}: documents, phone against server");

    let mut on_server: Vec<Product> = get("/api/v1/products?per_page=500")
        .into_iter()
        .map(|v| serde_json::from_value(v["product"].clone()).expect("product"))
        .collect();
    on_server.sort_by_key(|p| p.id);
    let mut on_phone: Vec<Product> = phone.store.products("", 500).unwrap();
    on_phone.retain(|p| p.owner == me);
    on_phone.sort_by_key(|p| p.id);
    let ids: BTreeSet<_> = on_server.iter().map(|p| p.id).collect();
    assert_eq!(
        ids.len(),
        on_server.len(),
        "{at}: a product twice on the server"
    );
    assert_eq!(ids, expected.products, "{at}: products on the server");
    assert_eq!(on_phone, on_server, "{at}: products, phone against server");

    let on_server: BTreeMap<(ProductId, String), i64> = get("/api/v1/stock?per_page=500")
        .into_iter()
        .filter(|l| l["held"].as_i64() != Some(0))
        .map(|l| {
            let product = serde_json::from_value(l["product_id"].clone()).expect("id");
            let batch = l["batch"].as_str().expect("batch").to_owned();
            ((product, batch), l["held"].as_i64().expect("held"))
        })
        .collect();
    let on_phone: BTreeMap<(ProductId, String), i64> = phone
        .store
        .stock()
        .unwrap()
        .into_iter()
        .map(|l| ((l.product_id, l.batch), l.held))
        .collect();
    assert_eq!(on_server, expected.stock, "{at}: stock on the server");
    assert_eq!(on_phone, on_server, "{at}: stock, phone against server");

    let chain: Value = reqwest::blocking::Client::new()
        .get(format!("{}/api/v1/chain/verify", server.url))
        .bearer_auth(&phone.token)
        .send()
        .expect("verify")
        .json()
        .expect("json");
    assert_eq!(chain["ok"], true, "{at}: {chain}");
}

fn scenario(postgres: bool, cut: Cut) {
    install_crypto_provider();
    let server = Server::start(postgres);
    let proxy = FaultProxy::start(server.rt.handle(), &server.url);
    let dir = tempfile::tempdir().expect("temp dir");
    let http = reqwest::blocking::Client::new();
    let seller = register(
        &http,
        &server.url,
        31,
        "兰州美源化妆品批发有限公司",
        "wholesaler",
    );
    let salon = register(&http, &server.url, 32, "城关区丽人美容院", "beauty_salon");

    let mut client = SyncClient::new(proxy.url(), Duration::from_secs(10)).expect("client");
    let token = client.log_in(&seller.uscc, PASSWORD).expect("log in").token;
    let path = dir.path().join("seller.db");
    let mut store = Store::open(&path).expect("open store");
    store.log_in(seller.id).expect("local session");
    let mut phone = Phone {
        me: seller,
        path,
        store,
        client,
        token,
    };
    let mut expected = Expected::default();

    // Round 1, offline from the start: a product, 100 in and 30 sold, a draft saved and edited
    // before it ever left, a draft to delete in round 2, and one deleted before it left.
    let cream = phone.product("舒唯雅皮肤身体护肤霜");
    let inbound = phone.save(
        TransactionKind::FinishedGoodsInbound,
        None,
        &cream,
        "B2611",
        100,
    );
    phone.submit(inbound.id);
    let sale = phone.save(
        TransactionKind::SalesOutbound,
        Some(&salon),
        &cream,
        "B2611",
        30,
    );
    phone.submit(sale.id);
    let later = phone.save(
        TransactionKind::FinishedGoodsInbound,
        None,
        &cream,
        "B2612",
        10,
    );
    phone.edit_quantity(later.id, 12);
    let doomed = phone.save(
        TransactionKind::FinishedGoodsInbound,
        None,
        &cream,
        "B2613",
        5,
    );
    let never = phone.save(
        TransactionKind::FinishedGoodsInbound,
        None,
        &cream,
        "B2614",
        1,
    );
    phone
        .store
        .delete_draft(never.id)
        .expect("delete unsent draft");
    assert_eq!(phone.store.pending_count().unwrap(), 7);
    expected.products.insert(cream.id);
    expected
        .documents
        .extend([inbound.id, sale.id, later.id, doomed.id]);
    expected.stock.insert((cream.id, "B2611".into()), 70);
    expected.sales = 1;
    cut_sync(&mut phone, &proxy, cut, 1);
    heal_and_compare(&server, &mut phone, &expected, &format!("{cut:?}, round 1"));

    // Round 2, offline again: the synced draft edited and submitted, the other deleted, a
    // second product, a second sale, and a draft left as a draft.
    phone.edit_quantity(later.id, 15);
    phone.submit(later.id);
    phone
        .store
        .delete_draft(doomed.id)
        .expect("delete synced draft");
    let serum = phone.product("舒唯雅修护精华液");
    let second = phone.save(
        TransactionKind::SalesOutbound,
        Some(&salon),
        &cream,
        "B2611",
        20,
    );
    phone.submit(second.id);
    let kept = phone.save(
        TransactionKind::FinishedGoodsInbound,
        None,
        &serum,
        "S01",
        8,
    );
    assert_eq!(phone.store.pending_count().unwrap(), 7);
    expected.products.insert(serum.id);
    expected.documents.remove(&doomed.id);
    expected.documents.extend([second.id, kept.id]);
    expected.stock.insert((cream.id, "B2611".into()), 50);
    expected.stock.insert((cream.id, "B2612".into()), 15);
    expected.sales = 2;
    cut_sync(&mut phone, &proxy, cut, 2);
    heal_and_compare(&server, &mut phone, &expected, &format!("{cut:?}, round 2"));

    // The salon sees each sale once in its reconciliation inbox.
    let mut s_client = SyncClient::new(&server.url, Duration::from_secs(10)).expect("client");
    s_client.log_in(&salon.uscc, PASSWORD).expect("log in");
    let mut s = Store::open(&dir.path().join("salon.db")).expect("open store");
    s.log_in(salon.id).expect("local session");
    sync_now(&mut s, &s_client).expect("salon sync");
    let sources: Vec<TransactionId> = s
        .reconciliation_items()
        .unwrap()
        .iter()
        .map(|i| i.source)
        .collect();
    let distinct: BTreeSet<_> = sources.iter().copied().collect();
    assert_eq!(sources.len(), expected.sales, "{cut:?}: {sources:?}");
    assert_eq!(distinct, BTreeSet::from([sale.id, second.id]));

    // Round 3, the salon through the same cut: it confirms the first sale offline, which
    // submits its inbound at once.
    let mut client = SyncClient::new(proxy.url(), Duration::from_secs(10)).expect("client");
    let token = client.log_in(&salon.uscc, PASSWORD).expect("log in").token;
    drop(s);
    let path = dir.path().join("salon.db");
    let store = Store::open(&path).expect("open store");
    let mut shop = Phone {
        me: salon,
        path,
        store,
        client,
        token,
    };
    let item = shop
        .store
        .reconciliation_items()
        .unwrap()
        .into_iter()
        .find(|i| i.source == sale.id)
        .expect("the first sale's item");
    let from = Counterparty {
        partner_id: None,
        name: phone.me.name.clone(),
        uscc: Some(phone.me.uscc.clone()),
        enterprise_id: Some(phone.me.id),
    };
    let confirmation = Confirmation {
        document_id: TransactionId::random(),
        number: format!("RK-{}", sale.number),
        date: today(),
        counterparty: from,
        contact: "李四".into(),
        phone: "13900139000".into(),
        lines: None,
        reason: None,
    };
    let inbound = shop
        .store
        .confirm_reconciliation(item.id, confirmation, None, &[], chrono::Utc::now())
        .expect("confirm offline");
    let mut shop_expected = Expected::default();
    shop_expected.documents.insert(inbound.id);
    shop_expected.stock.insert((cream.id, "B2611".into()), 30);
    cut_sync(&mut shop, &proxy, cut, 3);
    heal_and_compare(
        &server,
        &mut shop,
        &shop_expected,
        &format!("{cut:?}, round 3"),
    );
    let state = shop
        .store
        .reconciliation_items()
        .unwrap()
        .into_iter()
        .find(|i| i.id == item.id)
        .expect("item")
        .state;
    assert!(
        matches!(&state, ReconciliationState::Confirmed { document, .. } if *document == inbound.id),
        "{cut:?}: {state:?}"
    );

    // Round 4: the seller recalls the batch; the salon acknowledges and reports offline.
    let started: Value = http
        .post(format!("{}/api/v1/recalls", server.url))
        .bearer_auth(&phone.token)
        .json(
            &json!({"product_id": cream.id, "batches": ["B2611"], "level": "two",
                      "reason": "包材破损", "scope": "全部销售渠道"}),
        )
        .send()
        .expect("start recall")
        .json()
        .expect("json");
    let recall: RecallId =
        serde_json::from_value(started["recall"]["id"].clone()).expect("recall id");
    sync_now(&mut shop.store, &shop.client).expect("the recall arrives");
    shop.store
        .acknowledge_recall(recall, chrono::Utc::now())
        .expect("acknowledge offline");
    shop.store
        .report_recall(recall, 10, 5, chrono::Utc::now())
        .expect("report offline");
    cut_sync(&mut shop, &proxy, cut, 4);
    heal_and_compare(
        &server,
        &mut shop,
        &shop_expected,
        &format!("{cut:?}, round 4"),
    );
    let seen: Value = http
        .get(format!("{}/api/v1/recalls/{recall}", server.url))
        .bearer_auth(&shop.token)
        .send()
        .expect("read recall")
        .json()
        .expect("json");
    let mine = &seen["mine"];
    assert!(!mine["acknowledged_at"].is_null(), "{cut:?}: {seen}");
    assert_eq!(
        (&mine["quantity_returned"], &mine["quantity_destroyed"]),
        (&json!(10), &json!(5)),
        "{cut:?}: {seen}"
    );
}

/// One test per database for each cut; a missing PostgreSQL fails, it does not skip.
macro_rules! on_both_databases {
    ($($name:ident: $cut:expr;)*) => {$(
        mod $name {
            use super::*;

            #[test]
            fn sqlite() {
                scenario(false, $cut);
            }

            #[test]
            fn postgres() {
                scenario(true, $cut);
            }
        }
    )*};
}

on_both_databases! {
    push_answer_dropped: Cut::Proxy(PUSH, Fault::DropAnswer);
    push_answer_cut_midway: Cut::Proxy(PUSH, Fault::CutAnswer);
    push_answered_500: Cut::Proxy(PUSH, Fault::ServerError);
    push_answer_past_timeout: Cut::Proxy(PUSH, Fault::Stall);
    push_delivered_twice: Cut::Proxy(PUSH, Fault::Duplicate);
    push_delivered_twice_at_once: Cut::Proxy(PUSH, Fault::DuplicateAtOnce);
    pull_answer_cut_midway: Cut::Proxy(PULL, Fault::CutAnswer);
    killed_after_push: Cut::KilledAfterPush;
    killed_before_push: Cut::KilledBeforePush;
}
