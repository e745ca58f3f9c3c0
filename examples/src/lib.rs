//! Plumbing for the runnable examples in `examples/examples/`; no SDK call
//! lives here.
//!
//! Each example is one readable file: a `Run with:` header, a one-line
//! `main`, and `pub async fn run(t: Target)` holding every SDK call from
//! `Provider` to the result. `tests/run_examples.rs` includes each file as a
//! module (`#[path = "../examples/NAME.rs"] mod NAME;`) and calls its `run`
//! against a fresh embedded server, so `cargo test` runs the very code a
//! reader sees, with no second copy and no child processes.
//!
//! What lives here is what an application has anyway and the examples need
//! only to run anywhere: where the server is and which credentials to use
//! ([`Target`]), a stand-in for the user's browser ([`browser::Browser`]),
//! and plain HTTP sends ([`send`], [`track`]).

pub mod browser;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::ExitCode;

use oauth_server_reference::{Config, ServerHandle, spawn};
use url::Url;

/// The README's SDK program, compiled as a doc-test of this crate (it needs
/// a network, so it is built, not run): the code a user pastes stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// Any error an example can end with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the examples return.
pub type Outcome = Result<(), BoxError>;

/// A file of the reference server's demo fixture (the demo app's key pair):
/// the default of the key-file settings on the embedded server.
#[macro_export]
macro_rules! demo_file {
    ($name:literal) => {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../server-reference/fixtures/",
            $name
        )
    };
}

/// The server an example talks to and the settings it was given.
///
/// Without `--issuer URL` it is the reference server, started in-process on
/// `127.0.0.1:0` with the demo fixture, and the credentials are the demo
/// accounts. With `--issuer URL` every credential comes from a flag
/// (`--client-id ID`) or the environment (`OAUTH_CLIENT_ID`), never from
/// the demo fixture, which a real server does not have.
#[derive(Debug)]
pub struct Target {
    issuer: Url,
    _server: Option<ServerHandle>,
    flags: BTreeMap<String, String>,
    env: fn(&str) -> Option<String>,
}

impl Target {
    /// The target of this process's command line and environment.
    pub async fn from_args() -> Result<Self, BoxError> {
        Self::parse(std::env::args().skip(1), |k| std::env::var(k).ok()).await
    }

    /// Starts the reference server with the demo fixture on `127.0.0.1:0`.
    pub async fn embedded() -> Result<Self, BoxError> {
        Self::parse(std::iter::empty(), |_| None).await
    }

    /// Reads `--NAME VALUE` pairs; `--issuer` names the server, the others
    /// are settings. `env` looks up `OAUTH_NAME` variables.
    pub async fn parse(
        args: impl IntoIterator<Item = String>,
        env: fn(&str) -> Option<String>,
    ) -> Result<Self, BoxError> {
        let mut flags = BTreeMap::new();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let name = arg
                .strip_prefix("--")
                .filter(|n| !n.is_empty())
                .ok_or_else(|| format!("unexpected argument `{arg}`; flags are --NAME VALUE"))?;
            let value = args
                .next()
                .ok_or_else(|| format!("--{name} needs a value"))?;
            flags.insert(name.to_owned(), value);
        }
        let (issuer, server) = match flags.remove("issuer") {
            Some(url) => (url.parse()?, None),
            None => {
                let addr: SocketAddr = "127.0.0.1:0".parse()?;
                let server = spawn(Config::demo(), addr).await?;
                (server.base_url().clone(), Some(server))
            }
        };
        Ok(Self {
            issuer,
            _server: server,
            flags,
            env,
        })
    }

    /// The server's issuer URL (its base URL for the presets).
    pub fn issuer(&self) -> &Url {
        &self.issuer
    }

    /// A credential (a client id, a secret, a user's password...): the demo
    /// value on the embedded server; with `--issuer`, `--NAME` or `OAUTH_NAME`
    /// and an error naming both when neither is set.
    pub fn credential(&self, name: &str, demo: &str) -> Result<String, BoxError> {
        self.optional_credential(name, demo)?.ok_or_else(|| {
            format!(
                "--{name} (or {}) is needed with --issuer: the demo accounts exist only on the embedded server",
                env_name(name)
            )
            .into()
        })
    }

    /// Like [`credential`](Self::credential), but `None` when a server given
    /// by `--issuer` was given none.
    pub fn optional_credential(&self, name: &str, demo: &str) -> Result<Option<String>, BoxError> {
        if self._server.is_some() {
            if self.flags.contains_key(name) {
                return Err(format!(
                    "--{name} needs --issuer: the embedded server has only its demo accounts"
                )
                .into());
            }
            return Ok(Some(demo.to_owned()));
        }
        Ok(self.setting(name))
    }

    /// A setting that is not a credential (a scope, a component name):
    /// `--NAME`, then `OAUTH_NAME`, then `default`, on any server.
    pub fn option(&self, name: &str, default: &str) -> String {
        self.setting(name).unwrap_or_else(|| default.to_owned())
    }

    fn setting(&self, name: &str) -> Option<String> {
        self.flags
            .get(name)
            .cloned()
            .or_else(|| (self.env)(&env_name(name)))
    }
}

/// `client-id` -> `OAUTH_CLIENT_ID`.
fn env_name(flag: &str) -> String {
    format!("OAUTH_{}", flag.replace('-', "_").to_ascii_uppercase())
}

/// An example's `main`: runs `run` on the target of the command line; prints
/// the error and exits with 1 on failure.
pub async fn main<F, Fut>(run: F) -> ExitCode
where
    F: FnOnce(Target) -> Fut,
    Fut: Future<Output = Outcome>,
{
    let result = match Target::from_args().await {
        Ok(t) => run(t).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Sends a request the example built (and the SDK authorized) over plain
/// HTTP; returns the body of a 2xx answer, and an error naming any other
/// status.
pub async fn send(req: oauth_sdk::http::Request<Vec<u8>>) -> Result<String, BoxError> {
    let resp = reqwest::Client::new()
        .execute(reqwest::Request::try_from(req)?)
        .await?;
    let status = resp.status();
    let body = resp.text().await?;
    if !status.is_success() {
        return Err(format!("the API answered {status}: {body}").into());
    }
    Ok(body)
}

/// `POST /v1/track` (Segment's tracking API) with `write_key` in the body and
/// `bearer` as the access token, if any; returns the status.
pub async fn track(base: &Url, write_key: &str, bearer: Option<&str>) -> Result<u16, BoxError> {
    let event = format!(
        r#"{{"writeKey":"{write_key}","type":"track","event":"Example Ran","userId":"u1"}}"#
    );
    let mut req = reqwest::Client::new()
        .post(base.join("/v1/track")?)
        .header("content-type", "application/json")
        .body(event);
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    Ok(req.send().await?.status().as_u16())
}

/// The values of parameter `name` in a form body or a URL query
/// (`application/x-www-form-urlencoded`): what a request is about to send.
pub fn form_values(form: &[u8], name: &str) -> Vec<String> {
    url::form_urlencoded::parse(form)
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[tokio::test]
    async fn a_given_issuer_takes_credentials_from_flags_then_the_environment() {
        let t = Target::parse(
            args(&[
                "--issuer",
                "https://auth.example.com",
                "--client-id",
                "mine",
            ]),
            |k| (k == "OAUTH_CLIENT_SECRET").then(|| "from-env".to_owned()),
        )
        .await
        .unwrap();
        assert_eq!(
            t.credential("client-id", "demo-confidential").unwrap(),
            "mine"
        );
        assert_eq!(
            t.credential("client-secret", "demo-secret").unwrap(),
            "from-env"
        );
        let missing = t
            .credential("password", "alice-password")
            .unwrap_err()
            .to_string();
        assert!(
            missing.contains("--password") && missing.contains("OAUTH_PASSWORD"),
            "{missing}"
        );
        assert_eq!(t.optional_credential("username", "alice").unwrap(), None);
        assert_eq!(t.option("scope", "api"), "api");
    }

    #[tokio::test]
    async fn the_embedded_server_uses_only_the_demo_accounts() {
        let t = Target::parse(std::iter::empty(), |_| Some("from-env".to_owned()))
            .await
            .unwrap();
        assert_eq!(
            t.credential("client-id", "demo-confidential").unwrap(),
            "demo-confidential"
        );
        assert_eq!(t.issuer(), t._server.as_ref().unwrap().base_url());
        let t = Target::parse(args(&["--client-id", "mine"]), |_| None)
            .await
            .unwrap();
        let err = t
            .credential("client-id", "demo-confidential")
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs --issuer"), "{err}");
    }

    #[tokio::test]
    async fn malformed_command_lines_are_refused() {
        for bad in [&["positional"][..], &["--client-id"], &["--", "x"]] {
            assert!(Target::parse(args(bad), |_| None).await.is_err(), "{bad:?}");
        }
    }
}
