//! The SQLite store's one writer: a task that owns the only read-write
//! connection and runs every write, in arrival order.
//!
//! # A failed write poisons its connection
//! After a failed statement or `COMMIT` (a full disk, an I/O error) SQLite may or
//! may not have rolled the transaction back, and the driver's idea of whether a
//! transaction is open may no longer match SQLite's. A connection in that state
//! once answered every later write with success while keeping it inside a
//! transaction that never committed: acknowledged and lost. So the task drops the
//! connection after *any* failed write and opens a fresh one for the next, which
//! starts with no transaction. A write is acknowledged only after its own
//! `COMMIT` returned on a connection that had failed nothing before it.
//!
//! # Group commit
//! An `fsync` costs milliseconds, and SQLite does one per commit. Token inserts,
//! the token endpoint's hot path, are batched: every insert waiting when the task
//! looks (up to [`MAX_BATCH`]) shares one transaction, and each caller is
//! answered after that commit. Other writes are jobs run one at a time, each in
//! its own transaction; a job runs after every insert queued before it.
//!
//! Because the task, not the caller, runs each write, a request whose client
//! went away cannot leave a write half-done.

use std::future::Future;
use std::pin::Pin;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::{mpsc, oneshot};

use super::{db, insert_token_in};
use crate::model::TokenRecord;
use crate::store::StoreError;

/// The most token inserts committed in one transaction.
const MAX_BATCH: usize = 256;

/// A write's future, borrowing the writer connection.
pub(super) type WriteFuture<'c, T> =
    Pin<Box<dyn Future<Output = Result<T, sqlx::Error>> + Send + 'c>>;

/// A job: runs on the connection, answers its caller itself, says whether it
/// succeeded (the connection is dropped when it did not).
type Job = Box<
    dyn for<'c> FnOnce(&'c mut SqliteConnection) -> Pin<Box<dyn Future<Output = bool> + Send + 'c>>
        + Send,
>;

type Ack = oneshot::Sender<Result<(), StoreError>>;

enum Op {
    Insert(Vec<TokenRecord>, Ack),
    Job(Job),
    Close(oneshot::Sender<()>),
}

/// The handle to the writer task; cheap to clone.
#[derive(Debug, Clone)]
pub(super) struct Writer {
    ops: mpsc::Sender<Op>,
}

fn stopped() -> StoreError {
    StoreError("sqlite: the writer has stopped".into())
}

impl Writer {
    /// Starts the task on `connection` (already migrated); `options` open its
    /// replacements.
    pub(super) fn start(options: SqliteConnectOptions, connection: SqliteConnection) -> Self {
        let (ops, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(serve(options, Some(connection), queue));
        Self { ops }
    }

    /// Stores `tokens` in one transaction (shared with other waiting inserts).
    pub(super) async fn insert(&self, tokens: Vec<TokenRecord>) -> Result<(), StoreError> {
        let (ack, done) = oneshot::channel();
        self.ops
            .send(Op::Insert(tokens, ack))
            .await
            .map_err(|_| stopped())?;
        done.await.map_err(|_| stopped())?
    }

    /// Runs `write` on the writer connection. `write` opens its own transaction
    /// when it makes more than one statement.
    pub(super) async fn run<T, F>(&self, write: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> WriteFuture<'c, T> + Send + 'static,
    {
        let (answer, done) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            Box::pin(async move {
                let result = write(conn).await;
                let ok = result.is_ok();
                let _ = answer.send(result.map_err(db));
                ok
            })
        });
        self.ops.send(Op::Job(job)).await.map_err(|_| stopped())?;
        done.await.map_err(|_| {
            StoreError(
                "sqlite: the write did not run (the writer connection cannot be opened)".into(),
            )
        })?
    }

    /// Finishes every queued write, checkpoints the WAL into the database file
    /// (so a copy of the `.db` file alone is complete) and closes the connection.
    /// Later writes fail.
    pub(super) async fn close(&self) {
        let (closed, done) = oneshot::channel();
        if self.ops.send(Op::Close(closed)).await.is_ok() {
            let _ = done.await;
        }
    }
}

/// The connection, reopened when the last one was dropped after a failure.
async fn connection<'a>(
    slot: &'a mut Option<SqliteConnection>,
    options: &SqliteConnectOptions,
) -> Result<&'a mut SqliteConnection, sqlx::Error> {
    if slot.is_none() {
        *slot = Some(options.connect().await?);
    }
    Ok(slot.as_mut().expect("just filled"))
}

/// Drops a connection whose state can no longer be trusted.
async fn discard(slot: &mut Option<SqliteConnection>) {
    if let Some(conn) = slot.take() {
        let _ = conn.close().await;
    }
}

async fn serve(
    options: SqliteConnectOptions,
    mut conn: Option<SqliteConnection>,
    mut queue: mpsc::Receiver<Op>,
) {
    let mut ops = Vec::with_capacity(MAX_BATCH);
    let mut inserts = Vec::new();
    while queue.recv_many(&mut ops, MAX_BATCH).await > 0 {
        for op in ops.drain(..) {
            match op {
                Op::Insert(tokens, ack) => inserts.push((tokens, ack)),
                Op::Job(job) => {
                    flush(&mut conn, &options, &mut inserts).await;
                    match connection(&mut conn, &options).await {
                        Ok(c) => {
                            if !job(c).await {
                                discard(&mut conn).await;
                            }
                        }
                        // The job is dropped unrun; its caller sees the writer's
                        // answer channel close and reports a storage failure.
                        Err(e) => tracing::error!(error = %e, "sqlite: cannot reopen the writer"),
                    }
                }
                Op::Close(closed) => {
                    flush(&mut conn, &options, &mut inserts).await;
                    if let Ok(c) = connection(&mut conn, &options).await {
                        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                            .execute(&mut *c)
                            .await;
                    }
                    discard(&mut conn).await;
                    let _ = closed.send(());
                    return;
                }
            }
        }
        flush(&mut conn, &options, &mut inserts).await;
    }
}

/// Commits the waiting inserts in one transaction and answers each.
async fn flush(
    conn: &mut Option<SqliteConnection>,
    options: &SqliteConnectOptions,
    inserts: &mut Vec<(Vec<TokenRecord>, Ack)>,
) {
    if inserts.is_empty() {
        return;
    }
    let all: Vec<&TokenRecord> = inserts.iter().flat_map(|(t, _)| t).collect();
    match commit(conn, options, &all).await {
        Ok(()) => {
            for (_, ack) in inserts.drain(..) {
                let _ = ack.send(Ok(()));
            }
        }
        // One bad record (a duplicate hash) must not fail its neighbours: retry
        // each caller's tokens on their own so every caller gets its own answer.
        Err(_) if inserts.len() > 1 => {
            for (tokens, ack) in inserts.drain(..) {
                let mine: Vec<&TokenRecord> = tokens.iter().collect();
                let _ = ack.send(commit(conn, options, &mine).await.map_err(db));
            }
        }
        Err(e) => {
            for (_, ack) in inserts.drain(..) {
                let _ = ack.send(Err(db(&e)));
            }
        }
    }
}

/// One transaction inserting `tokens`; `Ok` only once its commit returned. A
/// failure discards the connection.
async fn commit(
    slot: &mut Option<SqliteConnection>,
    options: &SqliteConnectOptions,
    tokens: &[&TokenRecord],
) -> Result<(), sqlx::Error> {
    let result = async {
        let conn = connection(slot, options).await?;
        let mut tx = conn.begin().await?;
        for t in tokens {
            insert_token_in(&mut tx, t).await?;
        }
        tx.commit().await
    }
    .await;
    if result.is_err() {
        discard(slot).await;
    }
    result
}
