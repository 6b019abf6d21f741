//! Keeping the risk warnings current: a refresh of the enterprises a write touched, right after
//! it commits, and a periodic full refresh for what only the passing of time changes (expiry,
//! overdue reconciliation).

use crate::db::{self, Db, china_today};
use chrono::Utc;
use std::time::Duration;
use suyuan_core::model::{EnterpriseId, ProductId};

/// Recomputes the warnings of `enterprises` after a committed write. A failure is logged and
/// swallowed: the user's write stands, and the next refresh (periodic or after another write)
/// brings the warnings up to date.
pub async fn after_write(db: &Db, enterprises: &[EnterpriseId]) {
    let now = Utc::now();
    if let Err(e) = db::warnings::refresh_enterprises(db, enterprises, china_today(now), now).await
    {
        tracing::error!(error = %e, "warning refresh after a write failed");
    }
}

/// Recomputes the warnings of every enterprise whose records moved `product`, after a recall
/// or nonconforming listing of it was created. Failures are logged as in [`after_write`].
pub async fn after_blocking(db: &Db, product: ProductId) {
    match db::warnings::enterprises_moving(db, product).await {
        Ok(ids) => after_write(db, &ids).await,
        Err(e) => tracing::error!(error = %e, "warning refresh after a recall or listing failed"),
    }
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

/// The enterprises whose warnings a submitted document can change: its own (stock, sales,
/// counterparties) and its registered counterparty's (the reconciliation item addressed to it,
/// or superseded by a correction).
pub fn touched_by(doc: &suyuan_core::model::Transaction) -> Vec<EnterpriseId> {
    let mut ids = vec![doc.enterprise_id];
    ids.extend(doc.counterparty.as_ref().and_then(|c| c.enterprise_id));
    ids
}
