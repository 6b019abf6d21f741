//! Write transactions. SQLite has one writer: connections that race for its lock wait in its
//! busy handler, which sleeps in steps of up to 100 ms and wakes nobody when the lock frees, so
//! under load a write waits far longer than the writes ahead of it take. Writers therefore
//! queue first on a fair in-process gate, then open `BEGIN IMMEDIATE`, which takes the write
//! lock at once. PostgreSQL locks rows, so its writers only take the enterprise row locks.

use super::{Backend, Db, DbError};
use sqlx::{Any, AnyConnection, AnyPool, Transaction};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use suyuan_core::model::EnterpriseId;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Where SQLite writers queue (FIFO, so no writer starves) and the connection they write on.
#[derive(Debug, Clone)]
pub(super) struct WriteGate {
    queue: Arc<Mutex<()>>,
    writer: Option<AnyPool>,
}

impl WriteGate {
    /// A gate in front of `writer` (SQLite), or none (PostgreSQL).
    pub(super) fn new(writer: Option<AnyPool>) -> WriteGate {
        WriteGate {
            queue: Arc::default(),
            writer,
        }
    }
}

/// An open write transaction; on SQLite it holds the write gate until it ends. Dropped
/// without a commit (an error, a refusal), it rolls back at once in a task of its own and
/// only then opens the gate, so the next writer never finds the database still locked.
#[derive(Debug)]
pub struct WriteTx {
    // `None` only once `commit` or `drop` took it.
    tx: Option<Transaction<'static, Any>>,
    backend: Backend,
    gate: Option<OwnedMutexGuard<()>>,
}

impl Db {
    /// Opens a write transaction: on SQLite after the writes queued before it.
    pub async fn begin_write(&self) -> Result<WriteTx, DbError> {
        let (gate, tx) = match &self.gate.writer {
            Some(writer) => {
                let gate = self.gate.queue.clone().lock_owned().await;
                (Some(gate), writer.begin_with("BEGIN IMMEDIATE").await?)
            }
            None => (None, self.pool.begin().await?),
        };
        Ok(WriteTx {
            tx: Some(tx),
            backend: self.backend,
            gate,
        })
    }
}

impl WriteTx {
    /// Which database the transaction runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Locks the rows of `enterprises` in id order, so two writers touching the same pair
    /// (a seller's submit, the buyer's confirm) queue instead of deadlocking. On SQLite the
    /// whole database is already this transaction's, so there is nothing to lock.
    pub(super) async fn lock_enterprises(&mut self, ids: &[EnterpriseId]) -> Result<(), DbError> {
        if self.backend == Backend::Sqlite {
            return Ok(());
        }
        super::journal::lock_enterprises(self, ids).await
    }

    /// Commits, then lets the next writer in.
    pub async fn commit(mut self) -> Result<(), DbError> {
        if let Some(tx) = self.tx.take() {
            tx.commit().await?;
        }
        Ok(())
    }

    /// Rolls back, then lets the next writer in.
    pub async fn rollback(mut self) -> Result<(), DbError> {
        if let Some(tx) = self.tx.take() {
            tx.rollback().await?;
        }
        Ok(())
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        let (Some(tx), gate) = (self.tx.take(), self.gate.take()) else {
            return;
        };
        // Outside a runtime the transaction's own drop queues the rollback instead.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                // A failed rollback leaves a broken connection, which the pool discards.
                let _ = tx.rollback().await;
                drop(gate);
            });
        }
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        self.tx
            .as_deref()
            .expect("a write transaction is open until it ends")
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.tx
            .as_deref_mut()
            .expect("a write transaction is open until it ends")
    }
}
