//! The SQLite store's one writer: a task that owns the only read-write
//! connection and runs every write, in arrival order.
//!
//! # A failed write poisons its connection
//! After a failed statement or `COMMIT` (a full disk, an I/O error) SQLite may or
//! may not have rolled the transaction back, and the driver's idea of whether a
//! transaction is open may no longer match SQLite's. A connection in that state
//! once answered every later write with success while keeping it inside a
//! transaction that never committed: acknowledged and lost. So the task drops the
//! connection after any such failure and opens a fresh one for the next write,
//! which starts with no transaction. A write is acknowledged only after the
//! `COMMIT` that holds it returned on a connection that had failed nothing before.
//!
//! # Group commit
//! An `fsync` costs milliseconds, and SQLite does one per commit. So every write
//! waiting when the task looks (up to [`MAX_BATCH`]) shares one transaction, each
//! in a savepoint of its own, and every caller is answered after that one
//! commit. A code exchange (consume the code, store the tokens) and a refresh
//! rotation cost a share of one `fsync`, not one each.
//!
//! A write refused by a constraint (a duplicate key) is a clean, statement-level
//! failure: its savepoint is rolled back, its caller is told, and its neighbours
//! go on. Any other failure (I/O, a full disk, a failed `COMMIT`) ends the whole
//! batch: nothing in it was committed, every caller in it is told so, and the
//! connection is dropped.
//!
//! Because the task, not the caller, runs each write, a request whose client
//! went away cannot leave a write half-done.

use std::future::Future;
use std::pin::Pin;

use sqlx::error::ErrorKind;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::{mpsc, oneshot};

use super::db;
use crate::store::StoreError;

/// The most writes committed in one transaction.
const MAX_BATCH: usize = 256;

/// A write's future, borrowing the writer connection.
pub(super) type WriteFuture<'c, T> =
    Pin<Box<dyn Future<Output = Result<T, sqlx::Error>> + Send + 'c>>;

/// Answers a caller once the fate of the transaction holding its write is known:
/// `Ok` after the commit, the error otherwise.
type Deliver = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// How a write ran inside the batch's transaction.
enum Ran {
    /// It succeeded; its caller is answered when the batch commits.
    Done(Deliver),
    /// It failed cleanly (a constraint), and its caller was told.
    Refused,
    /// It failed in a way that leaves the transaction in doubt; the caller was told.
    Poisoned,
}

/// A write: runs on the connection (inside the batch's transaction, or alone).
type Job = Box<
    dyn for<'c> FnOnce(&'c mut SqliteConnection) -> Pin<Box<dyn Future<Output = Ran> + Send + 'c>>
        + Send,
>;

enum Op {
    /// Shares the batch transaction.
    Grouped(Job),
    /// Runs outside any transaction (`PRAGMA wal_checkpoint` cannot run in one).
    Alone(Job),
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

/// A constraint refusal is a statement-level failure that leaves the transaction
/// usable; anything else may not.
fn is_clean(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if !matches!(d.kind(), ErrorKind::Other))
}

impl Writer {
    /// Starts the task on `connection` (already migrated); `options` open its
    /// replacements.
    pub(super) fn start(options: SqliteConnectOptions, connection: SqliteConnection) -> Self {
        let (ops, queue) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(serve(options, Some(connection), queue));
        Self { ops }
    }

    /// Runs `write` on the writer connection, in a savepoint of the transaction it
    /// shares with the other waiting writes, and answers after that transaction
    /// committed. `write` may open nested transactions (savepoints) of its own.
    pub(super) async fn run<T, F>(&self, write: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> WriteFuture<'c, T> + Send + 'static,
    {
        self.submit(write, Op::Grouped).await
    }

    /// Runs `write` on its own, outside any transaction.
    pub(super) async fn run_alone<T, F>(&self, write: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> WriteFuture<'c, T> + Send + 'static,
    {
        self.submit(write, Op::Alone).await
    }

    async fn submit<T, F>(&self, write: F, op: fn(Job) -> Op) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> WriteFuture<'c, T> + Send + 'static,
    {
        let (answer, done) = oneshot::channel::<Result<T, StoreError>>();
        let job: Job = Box::new(move |conn| {
            Box::pin(async move {
                match write(conn).await {
                    Ok(value) => Ran::Done(Box::new(move |fate: Result<(), StoreError>| {
                        let _ = answer.send(fate.map(|()| value));
                    })),
                    Err(e) => {
                        let clean = is_clean(&e);
                        let _ = answer.send(Err(db(e)));
                        if clean { Ran::Refused } else { Ran::Poisoned }
                    }
                }
            })
        });
        self.ops.send(op(job)).await.map_err(|_| stopped())?;
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
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut ops, MAX_BATCH).await > 0 {
        for op in ops.drain(..) {
            match op {
                Op::Grouped(job) => batch.push(job),
                Op::Alone(job) => {
                    commit_batch(&mut conn, &options, &mut batch).await;
                    match connection(&mut conn, &options).await {
                        Ok(c) => match job(c).await {
                            Ran::Done(deliver) => deliver(Ok(())),
                            Ran::Refused => {}
                            Ran::Poisoned => discard(&mut conn).await,
                        },
                        // The job is dropped unrun; its caller sees the answer
                        // channel close and reports a storage failure.
                        Err(e) => tracing::error!(error = %e, "sqlite: cannot reopen the writer"),
                    }
                }
                Op::Close(closed) => {
                    commit_batch(&mut conn, &options, &mut batch).await;
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
        commit_batch(&mut conn, &options, &mut batch).await;
    }
}

/// Runs the waiting writes in one transaction, each in its own savepoint, and
/// answers each caller once the commit's outcome is known.
async fn commit_batch(
    slot: &mut Option<SqliteConnection>,
    options: &SqliteConnectOptions,
    batch: &mut Vec<Job>,
) {
    if batch.is_empty() {
        return;
    }
    let mut done: Vec<Deliver> = Vec::with_capacity(batch.len());
    let outcome = run_batch(slot, options, batch, &mut done).await;
    if outcome.is_err() {
        discard(slot).await;
    }
    let outcome = outcome
        .map_err(|e| e.unwrap_or_else(|| db("an earlier write in the same transaction failed")));
    for deliver in done {
        deliver(match &outcome {
            Ok(()) => Ok(()),
            Err(e) => Err(StoreError(e.0.clone())),
        });
    }
}

/// `Err(None)` when a write poisoned the transaction (its caller already knows
/// why); `Err(Some(_))` when the transaction itself failed.
async fn run_batch(
    slot: &mut Option<SqliteConnection>,
    options: &SqliteConnectOptions,
    batch: &mut Vec<Job>,
    done: &mut Vec<Deliver>,
) -> Result<(), Option<StoreError>> {
    let conn = match connection(slot, options).await {
        Ok(c) => c,
        Err(e) => {
            // Dropping the jobs unrun closes their answer channels: each caller
            // reports that the write did not run.
            tracing::error!(error = %e, "sqlite: cannot reopen the writer");
            batch.clear();
            return Err(Some(db(e)));
        }
    };
    let mut tx = match conn.begin().await {
        Ok(tx) => tx,
        Err(e) => {
            batch.clear();
            return Err(Some(db(e)));
        }
    };
    let mut jobs = batch.drain(..);
    for job in jobs.by_ref() {
        let mut savepoint = match tx.begin().await {
            Ok(sp) => sp,
            Err(e) => return Err(Some(db(e))),
        };
        match job(&mut savepoint).await {
            Ran::Done(deliver) => {
                done.push(deliver);
                if let Err(e) = savepoint.commit().await {
                    return Err(Some(db(e)));
                }
            }
            Ran::Refused => {
                if let Err(e) = savepoint.rollback().await {
                    return Err(Some(db(e)));
                }
            }
            Ran::Poisoned => return Err(None),
        }
    }
    tx.commit().await.map_err(|e| Some(db(e)))
}
