//! The `Store` contract, checked against every store in the same run: each test
//! below is one generic function, called once per store by `contract!`.

mod support;

use std::sync::Arc;

use oauth_server_reference::Config;
use oauth_server_reference::crypto::{PasswordDigest, TokenHash, random_token};
use oauth_server_reference::model::{
    AuthCode, ChallengeMethod, GrantId, Millis, TokenKind, TokenRecord, TotpSecret, User,
};
use oauth_server_reference::scope::ScopeSet;
use oauth_server_reference::state::client_from_config;
use oauth_server_reference::store::{Consumed, MemoryStore, PostgresStore, SqliteStore, Store};
use support::TempDir;

/// One test per store: `<test>::memory`, `<test>::sqlite` and `<test>::postgres`
/// (a schema of its own in the test binary's cluster; see `support::postgres`).
macro_rules! contract {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn memory() {
                super::$name(super::memory()).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let (store, _dir) = super::sqlite().await;
                super::$name(store).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(store) = super::postgres(stringify!($name)).await {
                    super::$name(store).await
                }
            }
        }
    )*};
}

contract!(
    clients_round_trip_and_upsert,
    users_round_trip_and_upsert,
    codes_are_single_use_under_concurrency,
    reading_a_code_does_not_consume_it,
    refresh_tokens_rotate_once_with_their_successors,
    revoking_a_grant_covers_later_tokens,
    revoking_one_token,
    jti_replay_is_detected,
    any_jti_string_is_recorded_as_itself,
    consent_is_remembered_and_replaced,
    purge_drops_only_expired_records,
    management_records_are_replaced_whole,
);

fn memory() -> Arc<dyn Store> {
    Arc::new(MemoryStore::new())
}

async fn sqlite() -> (Arc<dyn Store>, TempDir) {
    let dir = TempDir::new();
    let store = SqliteStore::open(&dir.sqlite_url())
        .await
        .expect("sqlite store opens");
    (Arc::new(store), dir)
}

async fn postgres(test: &str) -> Option<Arc<dyn Store>> {
    if !support::postgres::wanted(test) {
        return None;
    }
    let url = support::postgres::cluster().fresh_schema().await;
    let store = PostgresStore::open(&url)
        .await
        .expect("postgres store opens");
    Some(Arc::new(store))
}

const NOW: Millis = 1_800_000_000_000;
const CONCURRENCY: usize = 16;

fn scope(s: &str) -> ScopeSet {
    ScopeSet::parse(s).unwrap()
}

fn code(grant: &GrantId) -> AuthCode {
    AuthCode {
        hash: TokenHash::of(&random_token()),
        client_id: "demo-public".into(),
        username: "alice".into(),
        redirect_uri: Some("http://127.0.0.1:9876/callback?x=1".into()),
        scope: scope("api read_user"),
        challenge: Some((
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            ChallengeMethod::S256,
        )),
        expires_at: NOW + 60_000,
        grant_id: *grant,
    }
}

fn token(kind: TokenKind, grant: &GrantId, expires_at: Option<Millis>) -> TokenRecord {
    TokenRecord {
        hash: TokenHash::of(&random_token()),
        kind,
        client_id: "demo-confidential".into(),
        username: Some("alice".into()),
        scope: scope("api offline_access"),
        issued_at: NOW,
        expires_at,
        grant_id: *grant,
        revoked: false,
    }
}

fn assert_same_token(got: &TokenRecord, want: &TokenRecord) {
    assert_eq!(got.hash, want.hash);
    assert_eq!(got.kind, want.kind);
    assert_eq!(got.client_id, want.client_id);
    assert_eq!(got.username, want.username);
    assert_eq!(got.scope, want.scope);
    assert_eq!(got.issued_at, want.issued_at);
    assert_eq!(got.expires_at, want.expires_at);
    assert_eq!(got.grant_id, want.grant_id);
}

/// Runs `op` from `CONCURRENCY` tasks at once and returns every outcome.
async fn race<T, F, Fut>(op: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T> + Send + 'static,
{
    let barrier = Arc::new(tokio::sync::Barrier::new(CONCURRENCY));
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let barrier = barrier.clone();
            let fut = op();
            tokio::spawn(async move {
                barrier.wait().await;
                fut.await
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task does not panic"));
    }
    out
}

async fn clients_round_trip_and_upsert(store: Arc<dyn Store>) {
    let config = Config::demo();
    for c in &config.clients {
        store
            .put_client(client_from_config(c).unwrap())
            .await
            .unwrap();
    }
    // A restart loads the fixture again: an upsert, never a duplicate or an error.
    for c in &config.clients {
        store
            .put_client(client_from_config(c).unwrap())
            .await
            .unwrap();
    }
    for c in &config.clients {
        let want = client_from_config(c).unwrap();
        let got = store.client(&c.id).await.unwrap().expect("client stored");
        assert_eq!(got.id, want.id);
        assert_eq!(got.name, want.name);
        assert_eq!(got.secret, want.secret);
        assert_eq!(got.auth_methods, want.auth_methods);
        assert_eq!(got.grants, want.grants);
        assert_eq!(got.redirect_uris, want.redirect_uris);
        assert_eq!(got.redirect_policy, want.redirect_policy);
        assert_eq!(got.scopes, want.scopes);
        assert_eq!(got.default_scope, want.default_scope);
        assert_eq!(got.pkce, want.pkce);
        assert_eq!(got.allow_plain_pkce, want.allow_plain_pkce);
        assert_eq!(got.trusted, want.trusted);
        assert_eq!(got.access_token_ttl_secs, want.access_token_ttl_secs);
        assert_eq!(got.keys.len(), want.keys.len());
        for (g, w) in got.keys.iter().zip(&want.keys) {
            assert_eq!(
                (&g.kid, g.alg, &g.public_key_pem),
                (&w.kid, w.alg, &w.public_key_pem)
            );
        }
    }
    assert!(
        config.clients.iter().any(|c| !c.keys.is_empty()),
        "the fixture exercises stored keys"
    );
    let mut renamed = client_from_config(&config.clients[0]).unwrap();
    renamed.name = "Renamed".into();
    renamed.trusted = !renamed.trusted;
    store.put_client(renamed.clone()).await.unwrap();
    let got = store.client(&renamed.id).await.unwrap().unwrap();
    assert_eq!(
        (got.name.as_str(), got.trusted),
        ("Renamed", renamed.trusted)
    );
    assert!(store.client("no-such-client").await.unwrap().is_none());
}

async fn users_round_trip_and_upsert(store: Arc<dyn Store>) {
    let digest = PasswordDigest::hash("bob-password");
    let bob = User {
        username: "bob".into(),
        name: "Bob".into(),
        email: "bob@example.com".into(),
        password: digest.clone(),
        totp_secret: Some(TotpSecret("JBSWY3DPEHPK3PXP".into())),
    };
    store.put_user(bob.clone()).await.unwrap();
    let got = store.user("bob").await.unwrap().expect("user stored");
    assert_eq!(got.name, "Bob");
    assert_eq!(got.email, "bob@example.com");
    assert_eq!(got.password.as_phc(), digest.as_phc());
    assert!(got.password.verify("bob-password"));
    assert_eq!(
        got.totp_secret.as_ref().map(|t| t.0.as_str()),
        Some("JBSWY3DPEHPK3PXP")
    );

    let mut changed = bob;
    changed.email = "bob@example.org".into();
    changed.totp_secret = None;
    store.put_user(changed).await.unwrap();
    let got = store.user("bob").await.unwrap().unwrap();
    assert_eq!(got.email, "bob@example.org");
    assert!(!got.has_two_factor());
    assert!(store.user("carol").await.unwrap().is_none());
}

async fn codes_are_single_use_under_concurrency(store: Arc<dyn Store>) {
    let grant = GrantId::new();
    let issued = code(&grant);
    let hash = issued.hash;
    store.insert_code(issued.clone()).await.unwrap();

    let outcomes = race(|| {
        let store = store.clone();
        async move { store.consume_code(&hash).await.unwrap() }
    })
    .await;
    let fresh: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            Consumed::Fresh(c) => Some(c),
            _ => None,
        })
        .collect();
    assert_eq!(fresh.len(), 1, "exactly one redemption wins");
    let used = outcomes
        .iter()
        .filter(|o| matches!(o, Consumed::AlreadyUsed(c) if c.grant_id == grant))
        .count();
    assert_eq!(
        used,
        CONCURRENCY - 1,
        "every other one sees a replay of the grant"
    );

    let got = fresh[0];
    assert_eq!(got.hash, issued.hash);
    assert_eq!(got.client_id, issued.client_id);
    assert_eq!(got.username, issued.username);
    assert_eq!(got.redirect_uri, issued.redirect_uri);
    assert_eq!(got.scope, issued.scope);
    assert_eq!(got.challenge, issued.challenge);
    assert_eq!(got.expires_at, issued.expires_at);

    // A replay still names the client and the grant to revoke (a store may drop
    // the rest of a used code).
    match store.consume_code(&hash).await.unwrap() {
        Consumed::AlreadyUsed(c) => {
            assert_eq!(
                (c.client_id, c.grant_id),
                (issued.client_id.clone(), issued.grant_id)
            );
        }
        other => panic!("expected AlreadyUsed, got {other:?}"),
    }
    let unknown = TokenHash::of("never-issued");
    assert!(matches!(
        store.consume_code(&unknown).await.unwrap(),
        Consumed::Missing
    ));

    // No redirect_uri and no PKCE round-trip as absent.
    let mut bare = code(&GrantId::new());
    bare.redirect_uri = None;
    bare.challenge = None;
    store.insert_code(bare.clone()).await.unwrap();
    match store.consume_code(&bare.hash).await.unwrap() {
        Consumed::Fresh(c) => assert_eq!((c.redirect_uri, c.challenge), (None, None)),
        other => panic!("expected Fresh, got {other:?}"),
    }
}

async fn reading_a_code_does_not_consume_it(store: Arc<dyn Store>) {
    let issued = code(&GrantId::new());
    store.insert_code(issued.clone()).await.unwrap();
    for _ in 0..2 {
        let read = store.code(&issued.hash).await.unwrap().expect("the code");
        assert_eq!(read.client_id, issued.client_id);
        assert_eq!(read.grant_id, issued.grant_id);
    }
    assert!(matches!(
        store.consume_code(&issued.hash).await.unwrap(),
        Consumed::Fresh(_)
    ));
    assert!(store.code(&issued.hash).await.unwrap().is_some());
    assert!(
        store
            .code(&TokenHash::of("never-issued"))
            .await
            .unwrap()
            .is_none()
    );
}

async fn refresh_tokens_rotate_once_with_their_successors(store: Arc<dyn Store>) {
    let grant = GrantId::new();
    let refresh = token(TokenKind::Refresh, &grant, None);
    let hash = refresh.hash;
    store.insert_token(refresh.clone()).await.unwrap();

    // Every racer brings its own successor pair; only the winner's is stored.
    let outcomes = race(|| {
        let store = store.clone();
        let successors = vec![
            token(TokenKind::Access, &grant, Some(NOW + 3_600_000)),
            token(TokenKind::Refresh, &grant, None),
        ];
        async move {
            let outcome = store
                .rotate_refresh_token(&hash, successors.clone())
                .await
                .unwrap();
            (outcome, successors)
        }
    })
    .await;
    let fresh: Vec<_> = outcomes
        .iter()
        .filter_map(|(o, successors)| match o {
            Consumed::Fresh(t) => Some((t, successors)),
            _ => None,
        })
        .collect();
    assert_eq!(fresh.len(), 1, "exactly one rotation wins");
    assert_same_token(fresh[0].0, &refresh);
    assert!(!fresh[0].0.revoked, "the winner sees the token as it was");
    for (outcome, successors) in &outcomes {
        let stored = matches!(outcome, Consumed::Fresh(_));
        for t in successors {
            let found = store.token(&t.hash).await.unwrap();
            assert_eq!(
                found.is_some(),
                stored,
                "successors stored iff the rotation won"
            );
            if let Some(found) = found {
                assert_same_token(&found, t);
            }
        }
    }
    assert_eq!(
        outcomes
            .iter()
            .filter(|(o, _)| matches!(o, Consumed::AlreadyUsed(_)))
            .count(),
        CONCURRENCY - 1
    );
    // Still readable (for the replay's grant revocation), and inactive from now on.
    let stored = store.token(&hash).await.unwrap().expect("still stored");
    assert_same_token(&stored, &refresh);
    assert!(stored.revoked, "a rotated-out refresh token is inactive");

    // A revoked refresh token is reported as used, never fresh.
    let other = token(TokenKind::Refresh, &GrantId::new(), Some(NOW + 1000));
    store.insert_token(other.clone()).await.unwrap();
    assert!(store.revoke_token(&other.hash).await.unwrap());
    match store
        .rotate_refresh_token(&other.hash, vec![])
        .await
        .unwrap()
    {
        Consumed::AlreadyUsed(t) => assert!(t.revoked),
        o => panic!("expected AlreadyUsed, got {o:?}"),
    }
    assert!(matches!(
        store
            .rotate_refresh_token(&TokenHash::of("never-issued"), vec![])
            .await
            .unwrap(),
        Consumed::Missing
    ));
}

async fn revoking_a_grant_covers_later_tokens(store: Arc<dyn Store>) {
    let grant = GrantId::new();
    let bystander_grant = GrantId::new();
    let before = token(TokenKind::Access, &grant, Some(NOW + 3_600_000));
    let bystander = token(TokenKind::Access, &bystander_grant, Some(NOW + 3_600_000));
    store.insert_token(before.clone()).await.unwrap();
    store.insert_token(bystander.clone()).await.unwrap();

    store.revoke_grant(&grant).await.unwrap();
    store.revoke_grant(&grant).await.unwrap(); // idempotent

    assert!(store.token(&before.hash).await.unwrap().unwrap().revoked);
    assert!(!store.token(&bystander.hash).await.unwrap().unwrap().revoked);

    // A racing exchange that inserts after the revocation cannot outlive it.
    let later_access = token(TokenKind::Access, &grant, Some(NOW + 3_600_000));
    let later_refresh = token(TokenKind::Refresh, &grant, None);
    store.insert_token(later_access.clone()).await.unwrap();
    store.insert_token(later_refresh.clone()).await.unwrap();
    let got = store.token(&later_access.hash).await.unwrap().unwrap();
    assert!(got.revoked);
    assert!(!got.is_active(NOW));
    match store
        .rotate_refresh_token(&later_refresh.hash, vec![])
        .await
        .unwrap()
    {
        Consumed::AlreadyUsed(t) => assert!(t.revoked),
        o => panic!("a refresh token of a revoked grant must not rotate: {o:?}"),
    }
}

async fn revoking_one_token(store: Arc<dyn Store>) {
    let grant = GrantId::new();
    let a = token(TokenKind::Access, &grant, Some(NOW + 1000));
    let b = token(TokenKind::Access, &grant, Some(NOW + 1000));
    store.insert_token(a.clone()).await.unwrap();
    store.insert_token(b.clone()).await.unwrap();
    assert!(store.revoke_token(&a.hash).await.unwrap());
    assert!(store.revoke_token(&a.hash).await.unwrap(), "still exists");
    assert!(
        !store
            .revoke_token(&TokenHash::of("never-issued"))
            .await
            .unwrap()
    );
    assert!(store.token(&a.hash).await.unwrap().unwrap().revoked);
    let b_now = store.token(&b.hash).await.unwrap().unwrap();
    assert!(!b_now.revoked);
    assert!(b_now.is_active(NOW));
    assert!(!b_now.is_active(NOW + 1000), "expiry is exclusive");
    assert!(
        store
            .token(&TokenHash::of("never-issued"))
            .await
            .unwrap()
            .is_none()
    );
}

async fn jti_replay_is_detected(store: Arc<dyn Store>) {
    let exp = NOW + 300_000;
    assert!(
        store
            .record_jti("demo-jwt", "jti-1", exp, NOW)
            .await
            .unwrap()
    );
    assert!(
        !store
            .record_jti("demo-jwt", "jti-1", exp, NOW)
            .await
            .unwrap()
    );
    assert!(
        store
            .record_jti("other-client", "jti-1", exp, NOW)
            .await
            .unwrap(),
        "jti is scoped to its client"
    );
    let outcomes = race(|| {
        let store = store.clone();
        async move {
            store
                .record_jti("demo-jwt", "jti-race", exp, NOW)
                .await
                .unwrap()
        }
    })
    .await;
    assert_eq!(outcomes.iter().filter(|fresh| **fresh).count(), 1);
}

/// An assertion's `jti` is any JSON string: a NUL or a backslash must neither
/// fail the store nor make two ids collide.
async fn any_jti_string_is_recorded_as_itself(store: Arc<dyn Store>) {
    let exp = NOW + 300_000;
    for jti in ["a\0b", "a\\0b", "a\\\0b", "\0"] {
        assert!(
            store.record_jti("demo-jwt", jti, exp, NOW).await.unwrap(),
            "{jti:?} is new"
        );
    }
    for jti in ["a\0b", "a\\0b", "a\\\0b", "\0"] {
        assert!(
            !store.record_jti("demo-jwt", jti, exp, NOW).await.unwrap(),
            "{jti:?} is a replay"
        );
    }
    assert!(store.client("demo\0").await.unwrap().is_none());
    assert!(store.user("alice\0").await.unwrap().is_none());
}

async fn consent_is_remembered_and_replaced(store: Arc<dyn Store>) {
    assert_eq!(
        store.consent("alice", "demo-confidential").await.unwrap(),
        None
    );
    store
        .put_consent("alice", "demo-confidential", &scope("api read_user"))
        .await
        .unwrap();
    assert_eq!(
        store.consent("alice", "demo-confidential").await.unwrap(),
        Some(scope("read_user api"))
    );
    assert_eq!(
        store.consent("alice", "demo-confidential-2").await.unwrap(),
        None
    );
    assert_eq!(
        store.consent("bob", "demo-confidential").await.unwrap(),
        None
    );
    store
        .put_consent("alice", "demo-confidential", &scope("whoami"))
        .await
        .unwrap();
    assert_eq!(
        store.consent("alice", "demo-confidential").await.unwrap(),
        Some(scope("whoami"))
    );
}

async fn purge_drops_only_expired_records(store: Arc<dyn Store>) {
    let grant = GrantId::new();
    let mut old_code = code(&grant);
    old_code.expires_at = NOW - 1;
    let live_code = code(&grant);
    let old_token = token(TokenKind::Access, &grant, Some(NOW));
    let live_token = token(TokenKind::Access, &grant, Some(NOW + 1));
    let forever = token(TokenKind::Refresh, &grant, None);
    store.insert_code(old_code.clone()).await.unwrap();
    store.insert_code(live_code.clone()).await.unwrap();
    for t in [&old_token, &live_token, &forever] {
        store.insert_token(t.clone()).await.unwrap();
    }
    assert!(
        store
            .record_jti("demo-jwt", "old", NOW - 5, NOW)
            .await
            .unwrap()
    );
    assert!(
        store
            .record_jti("demo-jwt", "live", NOW + 5, NOW)
            .await
            .unwrap()
    );

    assert_eq!(store.purge_expired(NOW).await.unwrap(), 3);
    assert_eq!(
        store.purge_expired(NOW).await.unwrap(),
        0,
        "nothing left to purge"
    );

    assert!(matches!(
        store.consume_code(&old_code.hash).await.unwrap(),
        Consumed::Missing
    ));
    assert!(matches!(
        store.consume_code(&live_code.hash).await.unwrap(),
        Consumed::Fresh(_)
    ));
    assert!(store.token(&old_token.hash).await.unwrap().is_none());
    assert!(store.token(&live_token.hash).await.unwrap().is_some());
    assert!(store.token(&forever.hash).await.unwrap().is_some());
    assert!(
        store
            .record_jti("demo-jwt", "old", NOW + 300, NOW)
            .await
            .unwrap(),
        "a purged jti may be seen again"
    );
    assert!(
        !store
            .record_jti("demo-jwt", "live", NOW + 300, NOW)
            .await
            .unwrap()
    );
}

async fn management_records_are_replaced_whole(store: Arc<dyn Store>) {
    assert_eq!(store.management_records().await.unwrap(), None);
    store
        .save_management_records(r#"{"tenants":{"a":{}}}"#)
        .await
        .unwrap();
    store
        .save_management_records(r#"{"tenants":{"b":{}}}"#)
        .await
        .unwrap();
    assert_eq!(
        store.management_records().await.unwrap().as_deref(),
        Some(r#"{"tenants":{"b":{}}}"#)
    );
}

/// SQLite only: what was acknowledged is there after the store is closed and reopened.
#[tokio::test]
async fn sqlite_keeps_records_across_reopen() {
    let dir = TempDir::new();
    let grant = GrantId::new();
    let t = token(TokenKind::Refresh, &grant, None);
    let c = code(&grant);
    {
        let store = SqliteStore::open(&dir.sqlite_url()).await.unwrap();
        store.insert_token(t.clone()).await.unwrap();
        store.insert_code(c.clone()).await.unwrap();
        store
            .put_consent("alice", "demo-trusted", &scope("api"))
            .await
            .unwrap();
        store.close().await;
    }
    let store = SqliteStore::open(&dir.sqlite_url()).await.unwrap();
    assert_same_token(&store.token(&t.hash).await.unwrap().unwrap(), &t);
    assert!(matches!(
        store.consume_code(&c.hash).await.unwrap(),
        Consumed::Fresh(_)
    ));
    assert_eq!(
        store.consent("alice", "demo-trusted").await.unwrap(),
        Some(scope("api"))
    );
    assert_eq!(store.integrity_check().await.unwrap(), "ok");
}

/// SQLite only: writes waiting together share one transaction (group commit).
/// One refused by a constraint (a token hash stored twice) fails alone: every
/// other write of its batch is acknowledged and there after a reopen.
#[tokio::test]
async fn sqlite_a_refused_write_does_not_fail_its_batch() {
    const WRITES: usize = 64;
    let dir = TempDir::new();
    let grant = GrantId::new();
    let taken = token(TokenKind::Access, &grant, None);
    let store = Arc::new(SqliteStore::open(&dir.sqlite_url()).await.unwrap());
    store.insert_token(taken.clone()).await.unwrap();

    let writes: Vec<_> = (0..WRITES)
        .map(|i| {
            let store = store.clone();
            let (t, c) = if i == WRITES / 2 {
                (taken.clone(), None)
            } else {
                (token(TokenKind::Access, &grant, None), Some(code(&grant)))
            };
            tokio::spawn(async move {
                let stored = store.insert_token(t.clone()).await;
                if let Some(c) = &c {
                    store.insert_code(c.clone()).await.unwrap();
                }
                (stored, t, c)
            })
        })
        .collect();
    let mut acknowledged = Vec::new();
    let mut refused = 0;
    for w in writes {
        match w.await.unwrap() {
            (Ok(()), t, c) => acknowledged.push((t, c.expect("only the duplicate has no code"))),
            (Err(_), t, _) => {
                assert_eq!(t.hash, taken.hash, "only the duplicate is refused");
                refused += 1;
            }
        }
    }
    assert_eq!((refused, acknowledged.len()), (1, WRITES - 1));
    store.close().await;

    let store = SqliteStore::open(&dir.sqlite_url()).await.unwrap();
    for (t, c) in &acknowledged {
        assert_same_token(
            &store.token(&t.hash).await.unwrap().expect("acknowledged"),
            t,
        );
        assert!(store.code(&c.hash).await.unwrap().is_some());
    }
}

/// Memory only: the `jti` table is bounded by bytes. Live entries fill it and a
/// new one is refused (the assertion is then refused, never a panic); expired
/// ones make room again.
#[tokio::test]
async fn the_memory_jti_table_is_bounded_and_expired_entries_make_room() {
    let store = MemoryStore::with_max_jti_bytes(10 * 130);
    let mut recorded = 0;
    let refused = loop {
        match store
            .record_jti("demo-jwt", &format!("jti-{recorded:04}"), NOW + 1_000, NOW)
            .await
        {
            Ok(fresh) => {
                assert!(fresh);
                recorded += 1;
            }
            Err(e) => break e,
        }
        assert!(recorded < 100, "the table never filled");
    };
    assert!((5..=15).contains(&recorded), "{recorded} entries fit");
    assert!(refused.to_string().contains("full"), "{refused}");
    // A replay of a recorded jti is still recognised while full.
    assert!(
        !store
            .record_jti("demo-jwt", "jti-0000", NOW + 1_000, NOW)
            .await
            .unwrap()
    );
    // Once they have expired, they make room.
    assert!(
        store
            .record_jti("demo-jwt", "later", NOW + 9_000, NOW + 2_000)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn sqlite_refuses_in_memory_urls() {
    let err = SqliteStore::open("sqlite::memory:").await.unwrap_err();
    assert!(err.to_string().contains("in-memory"), "{err}");
}
