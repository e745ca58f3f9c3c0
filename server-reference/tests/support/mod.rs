//! Shared test support: a reference server on 127.0.0.1:0 and an HTTP client that
//! never follows redirects, so every hop can be asserted.
#![allow(dead_code, unreachable_pub)]

pub mod browser;

use std::net::SocketAddr;

use oauth_server_reference::{Config, ServerHandle, spawn};

/// Demo fixture values (SPEC §6).
pub const CONFIDENTIAL: (&str, &str) = ("demo-confidential", "demo-confidential-secret");
pub const CONFIDENTIAL_2: (&str, &str) = ("demo-confidential-2", "demo-confidential-2-secret");
pub const REDIRECT: &str = "http://127.0.0.1:9876/callback";

/// A running server plus a client.
pub struct TestServer {
    pub handle: ServerHandle,
    pub http: reqwest::Client,
}

impl TestServer {
    /// The demo fixture on a free loopback port.
    pub async fn demo() -> Self {
        Self::with_config(Config::demo()).await
    }

    pub async fn with_config(config: Config) -> Self {
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        let handle = spawn(config, addr).await.expect("server starts");
        Self {
            handle,
            http: client(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.handle.url(path)
    }

    /// POSTs a form to `path` with optional HTTP Basic credentials (sent raw:
    /// callers that need RFC 6749 §2.3.1 encoding pass it already encoded).
    pub async fn post_form(
        &self,
        path: &str,
        basic: Option<(&str, &str)>,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut req = self.http.post(self.url(path)).form(form);
        if let Some((id, secret)) = basic {
            req = req.basic_auth(id, Some(secret));
        }
        req.send().await.expect("request reaches the server")
    }
}

/// A cookie-less client that never follows redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Reads a JSON body, failing the test with the raw text if it is not JSON.
pub async fn json(resp: reqwest::Response) -> serde_json::Value {
    let text = resp.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}
