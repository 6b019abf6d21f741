//! The regulator's figures (issue 5) over a generated provincial data set: 20,000 enterprises
//! and 10,000,000 document lines by default (`suyuan_server::generate`).
//!
//! `cargo run --release -p suyuan-server --example regulator_bench -- generate [--enterprises N]
//! [--lines N] [--data-dir DIR | --database-url URL]` writes it: into `DIR/regulator-bench.sqlite`
//! (default DIR `target/regulator-bench`), or into the schema `regulator_bench` of the
//! PostgreSQL at URL. Either is replaced if it exists.
//!
//! `… -- run [--enterprises N] [--samples N] [--no-warnings] [same place flags]` then measures: the trace of one
//! batch (whole network, both ways), a recall's impact (every holder of a batch), the full
//! warning recomputation of a province, and the incremental warning update after one submit.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{NaiveDate, Utc};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use suyuan_core::model::{
    Counterparty, ProductId, RecordStatus, Transaction, TransactionId, TransactionKind,
    TransactionLine,
};
use suyuan_core::rules::trace::TraceDirection;
use suyuan_server::db::regulator::{RegionScope, trace_report};
use suyuan_server::db::{
    self, Db, StockFilter, SubmitOptions, batch_holders, china_today, submit_transaction,
};
use suyuan_server::generate::{self, Plan, Tier, catalog};
use suyuan_server::{AppState, app};
use tower::ServiceExt;
use uuid::Uuid;

const SCHEMA: &str = "regulator_bench";

struct Args {
    command: String,
    plan: Plan,
    samples: usize,
    /// Whether `run` recomputes the province's warnings (minutes on PostgreSQL).
    warnings: bool,
    data_dir: PathBuf,
    url: Option<String>,
}

fn args() -> Args {
    let mut it = std::env::args().skip(1);
    let command = it.next().unwrap_or_default();
    let mut a = Args {
        command,
        plan: Plan::benchmark(),
        samples: 50,
        warnings: true,
        data_dir: PathBuf::from("target/regulator-bench"),
        url: None,
    };
    while let Some(flag) = it.next() {
        let mut value = || it.next().expect("a value after the flag");
        match flag.as_str() {
            "--enterprises" => a.plan.enterprises = value().parse().expect("a number"),
            "--lines" => a.plan.lines = value().parse().expect("a number"),
            "--samples" => a.samples = value().parse().expect("a number"),
            "--data-dir" => a.data_dir = value().into(),
            "--no-warnings" => a.warnings = false,
            "--database-url" => a.url = Some(value()),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

/// The benchmark's database: a SQLite file, or the `regulator_bench` schema at the URL.
async fn open(a: &Args, fresh: bool) -> Db {
    match &a.url {
        None => {
            std::fs::create_dir_all(&a.data_dir).expect("data dir");
            let file = a.data_dir.join("regulator-bench.sqlite");
            if fresh {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
                }
            }
            let db = Db::connect(&suyuan_server::config::sqlite_url(&file))
                .await
                .expect("open SQLite");
            db.migrate().await.expect("migrate");
            db
        }
        Some(base) => {
            if fresh {
                let admin = Db::connect(base).await.expect("connect");
                for sql in [
                    format!("DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"),
                    format!("CREATE SCHEMA {SCHEMA}"),
                ] {
                    // A constant schema name, never input.
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&admin.pool)
                        .await
                        .expect("schema");
                }
                admin.pool.close().await;
            }
            let sep = if base.contains('?') { '&' } else { '?' };
            let db = Db::connect(&format!("{base}{sep}options=-c%20search_path%3D{SCHEMA}"))
                .await
                .expect("connect schema");
            db.migrate().await.expect("migrate");
            db
        }
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "{cores} cores, {cpu}, load {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50, p90 and the maximum of `times`, in ms.
fn summary(times: &mut [Duration]) -> String {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    format!(
        "p50 {:.1} ms, p90 {:.1} ms, max {:.1} ms ({} samples)",
        ms(at(0.5)),
        ms(at(0.9)),
        ms(at(1.0)),
        times.len()
    )
}

/// `n` batches spread over the makers' products, from the makers' own stock lists: every
/// batch made, oldest (widest history) to newest.
async fn sample_batches(db: &Db, plan: &Plan, n: usize) -> Vec<(ProductId, String, String)> {
    let c = catalog(plan);
    let mut all = vec![];
    for maker in c.enterprises.iter().take(c.tiers.0 as usize) {
        let (rows, _) = db::list_stock(db, maker.id, &StockFilter::default(), (1000, 0))
            .await
            .expect("stock");
        for r in rows {
            let product: Uuid = r.product_id.parse().expect("a product id");
            all.push((
                ProductId(product),
                r.product_name.unwrap_or_default(),
                r.batch,
            ));
        }
    }
    assert!(!all.is_empty(), "no data: run `generate` first");
    (0..n)
        .map(|i| all[(i * 7919) % all.len()].clone())
        .collect()
}

async fn run(a: &Args) {
    let db = open(a, false).await;
    println!("machine: {}", machine());
    let scope = RegionScope::of("620000").expect("Gansu");
    let batches = sample_batches(&db, &a.plan, a.samples).await;

    // Each batch twice: first as the pages of its lines may lie on disk or only in the OS
    // cache (the data set outgrows the database caches), then again with them in cache.
    for round in ["first touch", "again"] {
        let (mut times, mut sizes) = (vec![], vec![]);
        for (product, name, batch) in &batches {
            let t = Instant::now();
            let report = trace_report(
                &db,
                *product,
                Some(name.clone()),
                batch,
                None,
                TraceDirection::Both,
                &scope,
            )
            .await
            .expect("trace");
            times.push(t.elapsed());
            sizes.push((report.edges.len(), report.nodes.len()));
        }
        sizes.sort();
        let mid = sizes[sizes.len() / 2];
        println!(
            "trace of one batch ({round}; whole network, both ways, graph and tree): {} — median batch {} edges, {} holders; largest {} edges — target p50 ≤ 50 ms",
            summary(&mut times),
            mid.0,
            mid.1,
            sizes.iter().map(|s| s.0).max().unwrap_or(0)
        );
    }

    let (mut times, mut holders) = (vec![], vec![]);
    for (product, _, batch) in &batches {
        let t = Instant::now();
        let h = batch_holders(&db, *product, std::slice::from_ref(batch))
            .await
            .expect("impact");
        times.push(t.elapsed());
        holders.push(h.len());
    }
    holders.sort();
    println!(
        "recall impact (every holder of one batch with its quantities; after the traces): {} — median {} holders — target ≤ 100 ms",
        summary(&mut times),
        holders[holders.len() / 2]
    );

    let now = Utc::now();
    let today = china_today(now);
    let rounds: &[&str] = if a.warnings { &["first", "again"] } else { &[] };
    for round in rounds {
        let t = Instant::now();
        let r = db::warnings::refresh_all(&db, Some(&scope), today, now)
            .await
            .expect("refresh");
        println!(
            "full warning recomputation of Gansu ({round}): {:.1} s — {} enterprises, {} raised, {} updated, {} resolved — target ≤ 60 s",
            t.elapsed().as_secs_f64(),
            r.enterprises,
            r.raised,
            r.updated,
            r.resolved
        );
    }

    pages(&db, a, &batches[0]).await;

    let (submits, refreshes) = incremental(&db, a, today).await;
    let (mut submits, mut refreshes) = (submits, refreshes);
    println!(
        "one submit (a wholesaler's sales outbound to a shop): {}",
        summary(&mut submits)
    );
    println!(
        "incremental warning update after that submit: {} — target ≤ 20 ms",
        summary(&mut refreshes)
    );
}

/// A GET through the router; its status and time.
async fn timed_get(state: &AppState, token: &str, path: &str) -> (StatusCode, Duration) {
    let req = Request::builder()
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let t = Instant::now();
    let res = app(state.clone()).oneshot(req).await.expect("response");
    let status = res.status();
    axum::body::to_bytes(res.into_body(), 1 << 28)
        .await
        .expect("body");
    (status, t.elapsed())
}

async fn log_in(state: &AppState, login: &str) -> String {
    let body = serde_json::json!({"login": login, "password": generate::PASSWORD}).to_string();
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/auth/login")
        .header("content-type", "application/json")
        .body(Body::from(body))
        .expect("request");
    let res = app(state.clone()).oneshot(req).await.expect("response");
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
        .await
        .expect("body");
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    v["token"].as_str().expect("a token").to_owned()
}

/// What the web pages ask the API for when they open (first page of 20, a keyword search, a
/// deep page), as a maker, a wholesaler and Gansu's regulator: the slowest of 5 calls each.
async fn pages(db: &Db, a: &Args, sample: &(ProductId, String, String)) {
    let c = catalog(&a.plan);
    let state = AppState::new(db.clone());
    let first = "page=1&per_page=20";
    let enterprise_paths = [
        format!("/api/v1/transactions?{first}"),
        format!("/api/v1/transactions?{first}&q=%E9%9D%A2%E9%9C%9C"),
        "/api/v1/transactions?page=500&per_page=20".to_owned(),
        format!("/api/v1/stock?{first}"),
        format!("/api/v1/reconciliation/inbox?{first}"),
        format!("/api/v1/products?{first}"),
        format!("/api/v1/customers?{first}"),
        format!("/api/v1/recalls?{first}"),
    ];
    let regulator_paths = [
        format!("/api/v1/regulator/enterprises?{first}"),
        format!("/api/v1/regulator/enterprises?{first}&q=%E7%BE%8E%E5%AE%B9"),
        "/api/v1/regulator/statistics".to_owned(),
        format!("/api/v1/regulator/warnings?{first}"),
        format!("/api/v1/regulator/recalls?{first}"),
        format!(
            "/api/v1/regulator/trace?product_id={}&batch={}",
            sample.0, sample.2
        ),
    ];
    let who = [
        (generate::enterprise_login(0), &enterprise_paths[..]),
        (
            generate::enterprise_login(c.tiers.0 as usize),
            &enterprise_paths[..],
        ),
        (generate::regulator_login("62"), &regulator_paths[..]),
    ];
    let mut slowest = (Duration::ZERO, String::new());
    for (login, paths) in who {
        let token = log_in(&state, &login).await;
        for path in paths {
            let mut times = vec![];
            for _ in 0..5 {
                let (status, t) = timed_get(&state, &token, path).await;
                assert_eq!(status, StatusCode::OK, "{login} {path}");
                times.push(t);
            }
            let worst = times.iter().max().copied().unwrap_or_default();
            println!(
                "  page data {login} {path}: median {:.1} ms, max {:.1} ms",
                ms(summary_median(&mut times)),
                ms(worst)
            );
            if worst > slowest.0 {
                slowest = (worst, format!("{login} {path}"));
            }
        }
    }
    println!(
        "slowest page data call: {:.1} ms ({}) — target ≤ 1 s",
        ms(slowest.0),
        slowest.1
    );
}

fn summary_median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Submits one sales outbound per sample wholesaler (of a batch it holds, to one of its
/// shops) and times the submit and the warning update it triggers.
async fn incremental(db: &Db, a: &Args, today: NaiveDate) -> (Vec<Duration>, Vec<Duration>) {
    let c = catalog(&a.plan);
    let (mut submits, mut refreshes) = (vec![], vec![]);
    let wholesalers: Vec<usize> = (0..c.enterprises.len() as u32)
        .filter(|n| c.tier(*n) == Tier::Wholesaler)
        .map(|n| n as usize)
        .collect();
    let shop = &c.enterprises[c.tiers.1 as usize];
    for i in 0..a.samples.min(wholesalers.len()) {
        let seller = &c.enterprises[wholesalers[(i * 31) % wholesalers.len()]];
        let (stock, _) = db::list_stock(db, seller.id, &StockFilter::default(), (20, 0))
            .await
            .expect("stock");
        let Some(row) = stock.iter().find(|s| s.held > 0) else {
            continue;
        };
        let product: Uuid = row.product_id.parse().expect("a product id");
        let now = Utc::now();
        let id = TransactionId(Uuid::new_v4());
        let draft = Transaction {
            id,
            enterprise_id: seller.id,
            kind: TransactionKind::SalesOutbound,
            number: format!("BENCH{}", id.0.simple()),
            counterparty: Some(Counterparty {
                partner_id: None,
                name: shop.name.clone(),
                uscc: Some(shop.uscc.clone()),
                enterprise_id: Some(shop.id),
            }),
            date: today,
            contact: seller.contact.clone(),
            phone: seller.phone.clone(),
            lines: vec![TransactionLine {
                product_id: ProductId(product),
                product_name: row.product_name.clone().unwrap_or_default(),
                gtin: None,
                quantity: 1,
                unit: "瓶".into(),
                batch: row.batch.clone(),
                production_date: None,
                expiry_date: row.expiry_date,
            }],
            status: RecordStatus::Draft,
            corrects: None,
            reconciles: None,
            remarks: String::new(),
        };
        let login = generate::enterprise_login(wholesalers[(i * 31) % wholesalers.len()]);
        let account = generate::account_id(&login);
        db::create_draft(db, draft, account, None, now)
            .await
            .expect("draft");
        let t = Instant::now();
        let written = submit_transaction(
            db,
            seller.id,
            id,
            account,
            &SubmitOptions::default(),
            None,
            now,
        )
        .await
        .expect("submit");
        submits.push(t.elapsed());
        let db::Written::Done(doc) = written else {
            panic!("a first submit");
        };
        let scope = suyuan_server::warnings::touched_by(&doc.document);
        let t = Instant::now();
        db::warnings::refresh_narrow(db, &scope, today, now)
            .await
            .expect("refresh");
        refreshes.push(t.elapsed());
    }
    (submits, refreshes)
}

#[tokio::main]
async fn main() {
    let a = args();
    match a.command.as_str() {
        "generate" => {
            let db = open(&a, true).await;
            println!("machine: {}", machine());
            let t = Instant::now();
            let stats = generate::load(&db, a.plan, |day, s| {
                if day.format("%d").to_string().ends_with('1') {
                    eprintln!(
                        "{day}: {} documents, {} lines, {:.0} s",
                        s.documents,
                        s.lines,
                        t.elapsed().as_secs_f64()
                    );
                }
            })
            .await
            .expect("generate");
            println!(
                "generated {} enterprises: {} documents, {} lines, {} items confirmed, {} pending, {} stock rows in {:.0} s",
                a.plan.enterprises,
                stats.documents,
                stats.lines,
                stats.items_confirmed,
                stats.items_pending,
                stats.stock_rows,
                t.elapsed().as_secs_f64()
            );
        }
        "run" => run(&a).await,
        other => panic!("say `generate` or `run`, not {other:?}"),
    }
}
