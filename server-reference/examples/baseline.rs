//! The benchmark's baseline: an axum handler that reads the request body and returns
//! a fixed token-shaped JSON body, so `bench/run.sh` can report the reference
//! server as a fraction of what the HTTP stack alone does on this machine.
//!
//! Run with: `cargo run --release -p oauth-server-reference --example baseline -- 127.0.0.1:8091`
//! It prints `baseline listening on http://ADDR` and serves `POST /oauth/token`.

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;

const BODY: &str = r#"{"access_token":"q7Yv0d3cXh9QfJ2mWk8sLr4tNpB6uZaE1oGiHjKlMnO","token_type":"Bearer","expires_in":7200,"scope":"api"}"#;

async fn token(_form: Bytes) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        BODY,
    )
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8091".to_owned());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("baseline listening on http://{}", listener.local_addr()?);
    axum::serve(listener, Router::new().route("/oauth/token", post(token))).await
}
