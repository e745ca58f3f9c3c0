//! One module per endpoint family, each with its own `router()`, merged here.

mod authorize;
mod introspect;
mod metadata;
pub(crate) mod par;
mod resource;
mod revoke;
mod token;
mod tokeninfo;
mod track;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, header};
use tower_http::sensitive_headers::SetSensitiveHeadersLayer;

use crate::state::AppState;

/// Headers that carry credentials, in requests and responses: marked sensitive,
/// so that `Debug` of them (a log line, a panic message) prints `Sensitive`.
const SENSITIVE: [HeaderName; 4] = [
    header::AUTHORIZATION,
    header::COOKIE,
    header::SET_COOKIE,
    HeaderName::from_static("dpop"),
];

fn sensitive_headers() -> SetSensitiveHeadersLayer {
    SetSensitiveHeadersLayer::new(SENSITIVE)
}

/// Every endpoint of every dialect (docs/dialects.md#endpoints), served at once.
pub(crate) fn router(state: AppState) -> Router {
    let limit = state.settings().max_body_bytes;
    Router::new()
        .merge(authorize::router())
        .merge(token::router())
        .merge(revoke::router())
        .merge(introspect::router())
        .merge(tokeninfo::router())
        .merge(metadata::router())
        .merge(par::router())
        .merge(resource::router())
        .merge(crate::management::router())
        .merge(track::router())
        .merge(crate::pages::router())
        .layer(DefaultBodyLimit::max(limit))
        .layer(sensitive_headers())
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{HeaderMap, HeaderValue, Request};
    use axum::routing::get;
    use tower::ServiceExt as _;

    #[tokio::test]
    async fn credential_headers_are_sensitive_both_ways() {
        let app = Router::new()
            .route(
                "/",
                get(|headers: HeaderMap| async move {
                    let seen: Vec<String> = ["authorization", "cookie", "dpop", "accept"]
                        .iter()
                        .map(|h| format!("{h}={}", headers[*h].is_sensitive()))
                        .collect();
                    let mut out = HeaderMap::new();
                    out.insert(header::SET_COOKIE, HeaderValue::from_static("s=1"));
                    (out, seen.join(" "))
                }),
            )
            .layer(sensitive_headers());
        let req = Request::get("/")
            .header("authorization", "Basic eDp5")
            .header("cookie", "s=1")
            .header("dpop", "eyJ.x.y")
            .header("accept", "*/*")
            .body(Body::empty())
            .unwrap();
        let resp = app.oneshot(req).await.unwrap();
        assert!(resp.headers()[header::SET_COOKIE].is_sensitive());
        let body = axum::body::to_bytes(resp.into_body(), 1024).await.unwrap();
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            "authorization=true cookie=true dpop=true accept=false"
        );
    }
}
