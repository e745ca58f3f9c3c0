//! A clean shutdown leaves the SQLite database file complete on its own: the
//! WAL is checkpointed into it, so copying the `.db` file alone is a backup.

mod support;

use std::sync::Arc;

use oauth_server_reference::Config;
use oauth_server_reference::crypto::TokenHash;
use oauth_server_reference::store::{SqliteStore, Store};
use support::{CONFIDENTIAL, TempDir, TestServer, json};

#[tokio::test]
async fn a_clean_shutdown_checkpoints_the_wal_into_the_database_file() {
    let dir = TempDir::new();
    let store = Arc::new(SqliteStore::open(&dir.sqlite_url()).await.unwrap());
    // The test keeps the store open, so nothing but the shutdown itself can
    // move the WAL into the file (closing the last connection would).
    let ts = TestServer::with_store(Config::demo(), store.clone()).await;
    let resp = ts
        .post_form(
            "/oauth/token",
            Some(CONFIDENTIAL),
            &[("grant_type", "client_credentials")],
        )
        .await;
    assert_eq!(resp.status(), 200);
    let token = json(resp).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    ts.handle.shutdown().await.unwrap();

    let wal = dir.path().join("db.sqlite-wal");
    let wal_len = std::fs::metadata(&wal).map_or(0, |m| m.len());
    assert_eq!(wal_len, 0, "the WAL is truncated");
    let copy = TempDir::new();
    std::fs::copy(dir.path().join("db.sqlite"), copy.path().join("db.sqlite")).unwrap();
    let restored = SqliteStore::open(&copy.sqlite_url()).await.unwrap();
    let record = restored.token(&TokenHash::of(&token)).await.unwrap();
    assert!(record.is_some(), "the copied file alone holds the token");
    drop(store);
}
