//! Keeping the risk warnings current: right after a write commits, a refresh of the warnings
//! it could change; and a periodic full refresh for what only the passing of time changes
//! (expiry, overdue reconciliation).

use crate::db::warnings::Narrow;
use crate::db::{self, Db, china_today};
use chrono::Utc;
use std::time::Duration;
use suyuan_core::model::{EnterpriseId, ProductId, ReconciliationItem, Transaction, TransactionId};
use suyuan_core::serial::UploadResult;

/// Enterprises refreshed together after a recall or listing.
const CHUNK: usize = 200;

/// Recomputes the warnings a committed write could change. A failure is logged and
/// swallowed: the user's write stands, and the next refresh (periodic or after another write)
/// brings the warnings up to date.
pub async fn after_change(db: &Db, scope: &Narrow) {
    let now = Utc::now();
    if let Err(e) = db::warnings::refresh_narrow(db, scope, china_today(now), now).await {
        tracing::error!(error = %e, "warning refresh after a write failed");
    }
}

/// Recomputes every warning of `enterprises` after a committed write that may change any of
/// them (a product's registration, a partner's licence). Failures are logged as in
/// [`after_change`].
pub async fn after_write(db: &Db, enterprises: &[EnterpriseId]) {
    let now = Utc::now();
    if let Err(e) = db::warnings::refresh_enterprises(db, enterprises, china_today(now), now).await
    {
        tracing::error!(error = %e, "warning refresh after a write failed");
    }
}

/// Recomputes the warnings about `product` of every enterprise whose records moved it, after
/// a recall or nonconforming listing of it was created or changed. Failures are logged as in
/// [`after_change`].
pub async fn after_blocking(db: &Db, product: ProductId) {
    match db::warnings::enterprises_moving(db, product).await {
        Ok(ids) => {
            for chunk in ids.chunks(CHUNK) {
                let scope = Narrow {
                    enterprises: chunk.to_vec(),
                    products: vec![product],
                    ..Narrow::default()
                };
                after_change(db, &scope).await;
            }
        }
        Err(e) => tracing::error!(error = %e, "warning refresh after a recall or listing failed"),
    }
}

/// What a submitted document can change: its enterprise's warnings about its products (and
/// those of the document it corrects), the warnings about it, and the warnings about the
/// reconciliation items it raised or superseded, which name its registered counterparty.
pub fn touched_by(doc: &Transaction) -> Narrow {
    let mut enterprises = vec![doc.enterprise_id];
    enterprises.extend(doc.counterparty.as_ref().and_then(|c| c.enterprise_id));
    Narrow {
        enterprises,
        documents: vec![doc.id],
        ..Narrow::default()
    }
}

/// What a unit upload can change: the batch document it was recorded as, when it made one.
pub fn touched_by_upload(uploader: EnterpriseId, result: &UploadResult) -> Narrow {
    match &result.document {
        Some(d) if d.derived => Narrow {
            enterprises: std::iter::once(uploader)
                .chain(d.counterparty_id.map(EnterpriseId))
                .collect(),
            documents: vec![TransactionId(d.id)],
            ..Narrow::default()
        },
        _ => Narrow::default(),
    }
}

/// What confirming or disputing an item can change: the warnings about the item (both sides'),
/// and, for a confirmation, what the confirming document changes.
pub fn touched_by_item(item: &ReconciliationItem, confirming: Option<&Transaction>) -> Narrow {
    let mut scope = confirming.map(touched_by).unwrap_or_default();
    scope.enterprises.extend([item.to, item.from]);
    scope.items.push(item.id);
    scope
}

/// Runs the full refresh every `every` (the first one at once), for as long as the process
/// lives. Each run's failure is logged; the next run tries again.
pub fn spawn_periodic(db: Db, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let now = Utc::now();
            let started = std::time::Instant::now();
            match db::warnings::refresh_all(&db, None, china_today(now), now).await {
                Ok(r) => tracing::info!(
                    enterprises = r.enterprises,
                    raised = r.raised,
                    reopened = r.reopened,
                    resolved = r.resolved,
                    ms = started.elapsed().as_millis() as u64,
                    "warnings refreshed"
                ),
                Err(e) => tracing::error!(error = %e, "periodic warning refresh failed"),
            }
        }
    })
}
