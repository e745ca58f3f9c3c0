//! A full disk never loses an acknowledged write (SQLite store).
//!
//! The database lives on a real, small tmpfs. The test fills the file system,
//! keeps writing (tokens, refresh rotations, revocations, management changes)
//! while writes fail, frees the room again, keeps writing, then reopens the
//! database: every write that was acknowledged must be there, and every write
//! that was not must have been answered with an error. Before the store discarded
//! its writer connection after a failed commit, every write after the first
//! failure was acknowledged and silently lost.
//!
//! Mounting a tmpfs needs root (CI runs as root). Elsewhere the test says why it
//! did not run and passes; `.ci/run` sets `OAUTH_REQUIRE_TMPFS=1` so that there a
//! missing mount is a failure, not a skip.

mod support;

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use oauth_server_reference::crypto::{TokenHash, random_token};
use oauth_server_reference::model::{GrantId, Millis, TokenKind, TokenRecord};
use oauth_server_reference::scope::ScopeSet;
use oauth_server_reference::store::{Consumed, SqliteStore, Store};
use support::TempDir;

const NOW: Millis = 1_800_000_000_000;
/// Room for the schema, a few hundred tokens and the WAL, and no more.
const TMPFS_SIZE: &str = "2m";

/// A tmpfs mounted for the test's life.
struct Tmpfs {
    dir: TempDir,
}

impl Tmpfs {
    fn mount() -> Result<Self, String> {
        let dir = TempDir::new();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={TMPFS_SIZE}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount -t tmpfs failed (needs root): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// Fills the file system with one file until it refuses another byte.
fn fill(path: &Path) -> PathBuf {
    let ballast = path.join("ballast");
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&ballast)
        .unwrap();
    let block = vec![0u8; 4096];
    loop {
        match f.write_all(&block) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::StorageFull || e.raw_os_error() == Some(28) => break,
            Err(e) => panic!("unexpected error filling the disk: {e}"),
        }
    }
    // Byte-sized writes take the last partial block too.
    while f.write_all(&[0]).is_ok() {}
    let _ = f.sync_all();
    ballast
}

fn token(kind: TokenKind, grant: GrantId) -> TokenRecord {
    TokenRecord {
        hash: TokenHash::of(&random_token()),
        kind,
        client_id: "demo-confidential".into(),
        username: Some("alice".into()),
        scope: ScopeSet::parse("api read_user").unwrap(),
        issued_at: NOW,
        expires_at: Some(NOW + 3_600_000),
        grant_id: grant,
        revoked: false,
    }
}

/// What the store acknowledged, to be found again after the reopen.
#[derive(Default)]
struct Acknowledged {
    tokens: Vec<TokenHash>,
    /// Refresh tokens retired by a rotation (must stay inactive).
    rotated_out: Vec<TokenHash>,
    revoked: Vec<TokenHash>,
    management: Option<String>,
    refused: usize,
}

impl Acknowledged {
    /// One round of every kind of write; each outcome recorded.
    async fn round(&mut self, store: &SqliteStore, n: usize) {
        let grant = GrantId::new();
        let access = token(TokenKind::Access, grant);
        match store.insert_token(access.clone()).await {
            Ok(()) => self.tokens.push(access.hash),
            Err(_) => self.refused += 1,
        }
        // A refresh token, then its rotation into a successor pair.
        let refresh = token(TokenKind::Refresh, grant);
        if store.insert_token(refresh.clone()).await.is_err() {
            self.refused += 1;
            return;
        }
        self.tokens.push(refresh.hash);
        let successors = vec![
            token(TokenKind::Access, grant),
            token(TokenKind::Refresh, grant),
        ];
        match store
            .rotate_refresh_token(&refresh.hash, successors.clone())
            .await
        {
            Ok(Consumed::Fresh(_)) => {
                self.rotated_out.push(refresh.hash);
                self.tokens.extend(successors.iter().map(|t| t.hash));
            }
            Ok(other) => panic!("a fresh refresh token rotated as {other:?}"),
            Err(_) => self.refused += 1,
        }
        match store.revoke_token(&access.hash).await {
            Ok(_) => self.revoked.push(access.hash),
            Err(_) => self.refused += 1,
        }
        let doc = format!(r#"{{"change":{n}}}"#);
        match store.save_management_records(&doc).await {
            Ok(()) => self.management = Some(doc),
            Err(_) => self.refused += 1,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_a_full_disk() {
    let fs = match Tmpfs::mount() {
        Ok(fs) => fs,
        Err(why) if std::env::var_os("OAUTH_REQUIRE_TMPFS").is_none() => {
            eprintln!("full_disk: not run: {why}");
            return;
        }
        Err(why) => panic!("{why}"),
    };
    let url = format!("sqlite://{}", fs.path().join("oauth.db").display());
    let mut acked = Acknowledged::default();
    {
        let store = SqliteStore::open(&url).await.expect("store opens");
        for n in 0..20 {
            acked.round(&store, n).await;
        }
        assert_eq!(acked.refused, 0, "writes fail before the disk is full");

        let ballast = fill(fs.path());
        for n in 20..220 {
            acked.round(&store, n).await;
        }
        assert!(
            acked.refused > 0,
            "no write failed on a full disk: the test did not fill it"
        );

        std::fs::remove_file(&ballast).unwrap();
        let refused_while_full = acked.refused;
        for n in 220..240 {
            acked.round(&store, n).await;
        }
        assert_eq!(
            acked.refused, refused_while_full,
            "writes still fail after the room was freed"
        );
        store.close().await;
    }

    let store = SqliteStore::open(&url).await.expect("store reopens");
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
    let mut lost = Vec::new();
    for hash in &acked.tokens {
        if store.token(hash).await.unwrap().is_none() {
            lost.push(*hash);
        }
    }
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged tokens lost",
        lost.len(),
        acked.tokens.len()
    );
    for hash in acked.revoked.iter().chain(&acked.rotated_out) {
        let t = store.token(hash).await.unwrap().expect("token kept");
        assert!(t.revoked, "an acknowledged revocation or rotation was lost");
    }
    assert_eq!(
        store.management_records().await.unwrap(),
        acked.management,
        "the last acknowledged management change was lost"
    );
}
