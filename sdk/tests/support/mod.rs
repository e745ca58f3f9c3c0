//! Shared helpers for the SDK's integration tests.
#![allow(dead_code, unreachable_pub)]

use oauth_sdk::{Client, ClientAuth, ClientId, Provider};
use url::Url;

/// A GitLab-dialect client at `base` with the given authentication.
pub fn gitlab_client(base: &str, id: &str, auth: impl ClientAuth + 'static) -> Client {
    let provider = Provider::gitlab(&Url::parse(base).unwrap()).unwrap();
    Client::builder(provider, ClientId::new(id))
        .auth(auth)
        .build()
        .unwrap()
}

/// `token.json` in a new directory under the system's temporary one.
pub fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "oauth-sdk-test-{}-{name}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("token.json")
}

/// The form body of a request, as text.
pub fn body(req: &http::Request<Vec<u8>>) -> String {
    String::from_utf8(req.body().clone()).unwrap()
}

/// The decoded form body as ordered pairs.
pub fn form(req: &http::Request<Vec<u8>>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(req.body())
        .into_owned()
        .collect()
}

pub const RSA_PRIVATE: &[u8] = include_bytes!("../fixtures/rsa-private.pem");
pub const RSA_PUBLIC: &[u8] = include_bytes!("../fixtures/rsa-public.pem");
pub const EC_PRIVATE: &[u8] = include_bytes!("../fixtures/ec-private.pem");
pub const EC_PUBLIC: &[u8] = include_bytes!("../fixtures/ec-public.pem");
