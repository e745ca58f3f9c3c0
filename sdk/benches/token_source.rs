//! `cargo bench -p oauth-sdk --bench token_source`: the cost of a cached
//! `TokenSource::access_token()` (docs/performance.md: under a microsecond).

use std::time::{Duration, SystemTime};

use criterion::{Criterion, criterion_group, criterion_main};
use oauth_sdk::{
    AccessToken, Client, ClientId, Provider, RefreshToken, Token, TokenSource, TokenType,
};

fn cached_access_token(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let provider = Provider::new("http://127.0.0.1:1/token".parse().unwrap());
    let client = Client::builder(provider, ClientId::new("bench"))
        .build()
        .unwrap();
    let token = Token::new(AccessToken::new("a".repeat(43)), TokenType::Bearer)
        .with_refresh_token(Some(RefreshToken::new("r")))
        .with_expires_at(Some(SystemTime::now() + Duration::from_secs(3600)));
    let source = rt
        .block_on(TokenSource::refreshing(client).token(token).build())
        .unwrap();
    c.bench_function("cached access_token()", |b| {
        b.iter(|| rt.block_on(source.access_token()).unwrap())
    });
    c.bench_function("cached token() (Arc clone)", |b| {
        b.iter(|| rt.block_on(source.token()).unwrap())
    });
}

criterion_group!(benches, cached_access_token);
criterion_main!(benches);
