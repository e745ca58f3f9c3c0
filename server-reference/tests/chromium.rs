//! The browser tier: the reference server's real login, consent and error pages,
//! driven in headless Chromium through WebDriver (chromedriver).
//!
//! WebDriver client: `fantoccini`. It is async on tokio (the runtime the server
//! and every other test here already use, so the server, the client's callback
//! listener and the browser run in one test), it is maintained and widely used,
//! and it speaks W3C WebDriver, the protocol chromedriver implements. Built with
//! its `rustls-tls` feature only: no OpenSSL (it talks plain HTTP to
//! chromedriver on loopback anyway).
//!
//! One Chromium session runs every scenario in turn (starting a browser costs
//! more than all the scenarios together); each scenario names itself in its
//! failures. Every wait is bounded ([`WAIT`]); a field that never shows fails
//! with its selector and the page's URL. Screenshots of each page, at desktop
//! and phone widths, land in `target/browser-screenshots/`.
//!
//! Without `chromium` and `chromedriver` on `PATH` the tier prints one line
//! saying how to install them and passes as skipped, unless
//! `OAUTH_REQUIRE_BROWSER=1` (set by `.ci/run`), which makes that a failure.
//! Chromium reaches loopback only: every host name fails to resolve, and the
//! test's servers are addressed as `127.0.0.1`.

mod support;

use std::ffi::OsStr;
use std::io::Write as _;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::Uri;
use axum::response::Html;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use oauth_server_reference::Config;
use serde_json::{Value, json};
use url::Url;

use support::browser::{BOB_TOTP_SECRET, authorize_url, totp_now};
use support::{CONFIDENTIAL, TempDir, TestServer};

/// The longest any one wait lasts: a page to show a field, a driver to start.
const WAIT: Duration = Duration::from_secs(10);

/// Desktop and phone viewports for the screenshots.
const SIZES: [(&str, u32, u32); 2] = [("desktop", 1280, 800), ("phone", 390, 844)];

/// The install hint, printed when the browser is missing.
const INSTALL: &str = "apt-get install -y chromium chromium-driver";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_in_chromium() {
    let binaries = match find_binaries(std::env::var_os("PATH").as_deref()) {
        Ok(b) => b,
        Err(reason) => {
            if std::env::var("OAUTH_REQUIRE_BROWSER").as_deref() == Ok("1") {
                panic!("OAUTH_REQUIRE_BROWSER=1 but {reason}");
            }
            // Straight to stderr: the test harness captures `eprintln!` of a
            // passing test, and this line must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "browser tier skipped: {reason} (OAUTH_REQUIRE_BROWSER=1 makes this a failure)"
            );
            return;
        }
    };

    let app = ClientApp::start().await;
    let mut config = Config::demo();
    for client in &mut config.clients {
        if client.id == "demo-confidential" || client.id == "demo-confidential-2" {
            client.redirect_uris.push(app.callback());
        }
    }
    let server = TestServer::with_config(config).await;
    app.set_server(&server.url(""));
    let driver = Driver::start(&binaries).await;
    let profile = TempDir::new();
    let tab = Tab::open(&driver, &binaries, &profile, &server).await;

    code_flow_with_login_and_consent(&tab, &app, &server).await;
    remembered_consent_skips_the_consent_page(&tab, &app).await;
    deny_returns_access_denied(&tab, &app).await;
    two_factor_login_with_a_totp_code(&tab, &app).await;
    error_pages_escape_hostile_input(&tab, &app).await;
    a_field_that_never_shows_times_out_naming_it(&tab).await;
    framing_from_another_origin_is_refused(&tab, &app, &server).await;

    tab.client.close().await.expect("the browser closes");
    drop(driver);
    assert_eq!(
        app.callbacks().len(),
        4,
        "one callback per flow that ends at the client: {:?}",
        app.callbacks()
    );
}

/// Login page (naming the client), consent page (each scope described), Allow:
/// the browser ends at the client's redirect_uri with a code and the state,
/// and the code is good at the token endpoint.
async fn code_flow_with_login_and_consent(tab: &Tab, app: &ClientApp, server: &TestServer) {
    let state = "s <&> \"1\"";
    tab.goto(&app.authorize("demo-confidential", "api read_user", state))
        .await;
    tab.wait_for("form[action=\"/oauth/login\"]").await;
    assert_eq!(
        tab.text("h1").await,
        "Sign in to continue to Demo confidential client"
    );
    // Each field has a real label and the autocomplete hint a password manager
    // needs; the stylesheet loaded under the CSP (the button is styled).
    let fields = tab
        .script(
            "return ['username', 'password', 'otp'].map(id => { \
               const l = document.querySelector(`label[for=${id}]`); \
               return [id, l && l.control ? l.control.name : null, \
                       document.getElementById(id).autocomplete]; })",
        )
        .await;
    assert_eq!(
        fields,
        json!([
            ["username", "username", "username"],
            ["password", "password", "current-password"],
            ["otp", "otp", "one-time-code"]
        ])
    );
    let button = tab.wait_for("button[name=action][value=login]").await;
    assert_eq!(
        button.css_value("background-color").await.unwrap(),
        "rgba(29, 78, 216, 1)",
        "the stylesheet applies"
    );
    assert_eq!(
        tab.script("return document.querySelector('meta[name=viewport]').content")
            .await,
        "width=device-width, initial-scale=1"
    );
    tab.shoot("login").await;

    tab.fill("#username", "alice").await;
    tab.fill("#password", "alice-password").await;
    tab.click("button[name=action][value=login]").await;

    tab.wait_for("form[action=\"/oauth/authorize/decision\"]")
        .await;
    assert_eq!(
        tab.text("h1").await,
        "Allow Demo confidential client to use your account?"
    );
    let scopes = tab.text("#scopes").await;
    assert!(
        scopes.contains("Read and change everything your account can, through the API")
            && scopes.contains("See your profile: username, name and email address"),
        "{scopes}"
    );
    tab.shoot("consent").await;
    tab.click("button[name=decision][value=allow]").await;

    let back = tab.callback().await;
    assert_eq!(back.path(), "/callback");
    let code = param(&back, "code").expect("a code");
    assert_eq!(param(&back, "state").as_deref(), Some(state));
    assert_eq!(app.callbacks().len(), 1, "the client received it");

    let token = server
        .post_form(
            "/oauth/token",
            Some(CONFIDENTIAL),
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", &app.callback()),
            ],
        )
        .await;
    assert_eq!(token.status(), 200, "the code is good: {:?}", token);
}

/// Consent is remembered: the same client asking for a scope already granted
/// goes straight back (the consent page would stop the browser short of the
/// callback).
async fn remembered_consent_skips_the_consent_page(tab: &Tab, app: &ClientApp) {
    tab.goto(&app.authorize("demo-confidential", "api", "again"))
        .await;
    let back = tab.callback().await;
    assert!(param(&back, "code").is_some(), "{back}");
    assert_eq!(param(&back, "state").as_deref(), Some("again"));
}

/// Deny on the consent page: back to the client with `access_denied`, no code.
async fn deny_returns_access_denied(tab: &Tab, app: &ClientApp) {
    tab.goto(&app.authorize("demo-confidential-2", "whoami", "no"))
        .await;
    tab.wait_for("form[action=\"/oauth/authorize/decision\"]")
        .await;
    assert_eq!(
        tab.text("h1").await,
        "Allow Second demo confidential client to use your account?"
    );
    tab.click("button[name=decision][value=deny]").await;
    let back = tab.callback().await;
    assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&back, "code"), None);
    assert_eq!(param(&back, "state").as_deref(), Some("no"));
}

/// A two-factor user: a wrong one-time code shows the form again with one
/// message; the current TOTP code signs in.
async fn two_factor_login_with_a_totp_code(tab: &Tab, app: &ClientApp) {
    tab.sign_out().await;
    tab.goto(&app.authorize("demo-confidential", "whoami", "2fa"))
        .await;
    tab.wait_for("#username").await;
    let right = totp_now(BOB_TOTP_SECRET);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    tab.fill("#username", "bob").await;
    tab.fill("#password", "bob-password").await;
    tab.fill("#otp", &wrong).await;
    tab.click("button[name=action][value=login]").await;
    let message = tab.wait_for("#message").await;
    assert_eq!(
        message.text().await.unwrap(),
        "Invalid username, password or one-time code."
    );
    tab.shoot("login-failed").await;

    // The username is kept; the password and the code are typed again.
    tab.fill("#password", "bob-password").await;
    tab.fill("#otp", &totp_now(BOB_TOTP_SECRET)).await;
    tab.click("button[name=action][value=login]").await;
    tab.wait_for("form[action=\"/oauth/authorize/decision\"]")
        .await;
    assert_eq!(tab.text("#username").await, "bob");
    tab.click("button[name=decision][value=allow]").await;
    let back = tab.callback().await;
    assert!(param(&back, "code").is_some(), "{back}");
}

/// A redirect_uri that is not registered, and a client_id that is not known,
/// both carrying markup (as does `state`): the error page says what went
/// wrong and what to do, runs none of the markup, and stays on this server.
async fn error_pages_escape_hostile_input(tab: &Tab, app: &ClientApp) {
    let hostile_redirect = format!("{}\"><script>alert(1)</script>", app.callback());
    let cases = [
        (
            "error-redirect-uri",
            vec![
                ("client_id", "demo-confidential"),
                ("response_type", "code"),
                ("redirect_uri", hostile_redirect.as_str()),
                ("state", "<script>alert(2)</script>"),
            ],
            "invalid_request",
            "This sign-in request cannot be completed",
        ),
        (
            "error-unknown-client",
            vec![
                (
                    "client_id",
                    "<img src=x onerror=alert(3)><script>alert(4)</script>",
                ),
                ("response_type", "code"),
                ("redirect_uri", hostile_redirect.as_str()),
            ],
            "invalid_client",
            "This application is not known here",
        ),
    ];
    for (name, params, error, headline) in cases {
        let url = tab.server_url(&authorize_url(&params));
        tab.goto(&url).await;
        assert_eq!(tab.text("#error").await, error, "{name}");
        assert_eq!(tab.text("h1").await, headline, "{name}");
        assert!(
            tab.text("#advice").await.contains("Go back"),
            "{name}: the page says what to do"
        );
        assert_eq!(
            tab.script("return document.querySelectorAll('script, img, iframe').length")
                .await,
            0,
            "{name}: no markup from the request became an element"
        );
        assert!(
            tab.client.get_alert_text().await.is_err(),
            "{name}: no script ran"
        );
        let at = tab.client.current_url().await.unwrap();
        assert!(
            at.as_str().starts_with(&tab.server_url("/oauth/authorize")),
            "{name}: never redirected, at {at}"
        );
        tab.shoot(name).await;
    }
}

/// The harness's own bad input: a selector that never matches fails in
/// bounded time with the selector and the URL in the message.
async fn a_field_that_never_shows_times_out_naming_it(tab: &Tab) {
    let at = tab.client.current_url().await.unwrap();
    let err = tab
        .wait_within("#no-such-field", Duration::from_millis(300))
        .await
        .expect_err("nothing matches");
    assert!(
        err.contains("#no-such-field") && err.contains(at.as_str()),
        "{err}"
    );
}

/// A page on another origin frames the login page: Chromium refuses it (the
/// pages' `frame-ancestors 'none'` and `X-Frame-Options: DENY`), so the frame
/// holds Chromium's error document instead of the form. A control frame of a
/// resource without those headers, from the same server, loads: the check can
/// tell a refused frame from a loaded one.
async fn framing_from_another_origin_is_refused(tab: &Tab, app: &ClientApp, server: &TestServer) {
    tab.goto(&app.url("/frame")).await;
    let frames = tab.client.find_all(Locator::Css("iframe")).await.unwrap();
    assert_eq!(frames.len(), 2);

    let deadline = Instant::now() + WAIT;
    let (login, control) = loop {
        let login = tab.in_frame(0, FRAME_PROBE).await;
        let control = tab.in_frame(1, FRAME_PROBE).await;
        let loaded = |v: &Value| v["href"] != "about:blank" && v["ready"] == "complete";
        if loaded(&login) && loaded(&control) {
            break (login, control);
        }
        assert!(
            Instant::now() < deadline,
            "the frames did not finish loading within {WAIT:?}: {login} {control}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        control["href"],
        server.url("/assets/pages.css"),
        "the control frame loads"
    );
    assert!(
        control["text"].as_str().unwrap_or("").contains("main {"),
        "{control}"
    );
    assert_eq!(
        login["forms"], 0,
        "the login form must not render inside another origin's frame: {login}"
    );
    assert!(
        !login["href"]
            .as_str()
            .unwrap_or("")
            .starts_with(&server.url("/")),
        "the framed document is not the login page: {login}"
    );
    tab.shoot("framing-refused").await;
}

/// Run inside a frame: where it is, whether it finished, what it holds.
const FRAME_PROBE: &str = "return { href: location.href, ready: document.readyState, \
     forms: document.forms.length, text: document.body ? document.body.innerText : '' }";

/// The query parameter `name` of `url`.
fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

// ---------------------------------------------------------------------------
// The harness: binaries, chromedriver, the browser session, the client app.
// ---------------------------------------------------------------------------

/// Where the browser and its driver are.
#[derive(Debug)]
struct Binaries {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// Looks both programs up on `path` (Debian's `chromium` and `chromedriver`,
/// from the `chromium` and `chromium-driver` packages); the reason, with the
/// install command, when one is missing.
fn find_binaries(path: Option<&OsStr>) -> Result<Binaries, String> {
    let dirs: Vec<PathBuf> = path
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    let find = |name: &str| dirs.iter().map(|d| d.join(name)).find(|p| p.is_file());
    let missing = |what: &str| format!("no `{what}` on PATH; install it with `{INSTALL}`");
    let chromium = find("chromium")
        .or_else(|| find("chromium-browser"))
        .ok_or_else(|| missing("chromium"))?;
    let chromedriver = find("chromedriver").ok_or_else(|| missing("chromedriver"))?;
    Ok(Binaries {
        chromium,
        chromedriver,
    })
}

#[test]
fn a_missing_browser_names_the_install_command() {
    let empty = TempDir::new();
    let reason = find_binaries(Some(empty.path().as_os_str())).expect_err("nothing there");
    assert!(
        reason.contains("chromium") && reason.contains(INSTALL),
        "{reason}"
    );
    assert!(find_binaries(None).is_err());
}

/// chromedriver on a free loopback port, in a process group of its own, so
/// that dropping it ends the driver and every browser process it started,
/// whatever state the test failed in.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    async fn start(binaries: &Binaries) -> Self {
        use std::os::unix::process::CommandExt as _;
        // A free port: bind port 0, read it, release it for the driver.
        let port = StdListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let child = Command::new(&binaries.chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .arg("--log-level=WARNING")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("{} does not start: {e}", binaries.chromedriver.display()));
        let driver = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let deadline = Instant::now() + WAIT;
        while tokio::net::TcpStream::connect(addr).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {addr} within {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: the driver and the browser it started (no orphans
        // if the test failed before closing the session).
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The one browser session, bound to the server under test.
struct Tab {
    client: Client,
    server_base: String,
    shots: PathBuf,
}

impl Tab {
    async fn open(
        driver: &Driver,
        binaries: &Binaries,
        profile: &TempDir,
        server: &TestServer,
    ) -> Self {
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-quic".to_owned(),
            // No network but loopback: nothing resolves but 127.0.0.1 (the test's
            // servers are IP literals).
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1".to_owned(),
            "--window-size=1280,800".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": binaries.chromium, "args": args },
            "timeouts": { "pageLoad": WAIT.as_millis() as u64, "script": WAIT.as_millis() as u64 },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object")
        };
        let client = ClientBuilder::rustls()
            .expect("rustls connector")
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "chromedriver at {} starts no Chromium session: {e}",
                    driver.url
                )
            });
        let shots = screenshot_dir();
        std::fs::create_dir_all(&shots).expect("the screenshot directory is writable");
        Self {
            client,
            server_base: server.url("").trim_end_matches('/').to_owned(),
            shots,
        }
    }

    fn server_url(&self, path: &str) -> String {
        format!("{}{path}", self.server_base)
    }

    async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("cannot open {url}: {e}"));
    }

    /// The first element matching `css`, waiting at most `limit` for it.
    async fn wait_within(&self, css: &str, limit: Duration) -> Result<Element, String> {
        match self
            .client
            .wait()
            .at_most(limit)
            .every(Duration::from_millis(50))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => Ok(e),
            Err(e) => {
                let at = self
                    .client
                    .current_url()
                    .await
                    .map_or_else(|_| "(unknown URL)".to_owned(), |u| u.to_string());
                Err(format!(
                    "`{css}` did not show on {at} within {limit:?}: {e}"
                ))
            }
        }
    }

    async fn wait_for(&self, css: &str) -> Element {
        self.wait_within(css, WAIT)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    async fn text(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.unwrap()
    }

    async fn fill(&self, css: &str, value: &str) {
        let field = self.wait_for(css).await;
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    async fn click(&self, css: &str) {
        self.wait_for(css).await.click().await.unwrap();
    }

    async fn script(&self, js: &str) -> Value {
        self.client
            .execute(js, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// Runs `js` inside the `index`-th frame of the page, then comes back.
    async fn in_frame(&self, index: u16, js: &str) -> Value {
        self.client.enter_frame(index).await.unwrap();
        let v = self.client.execute(js, vec![]).await;
        self.client.enter_parent_frame().await.unwrap();
        v.unwrap_or_else(|e| panic!("script in frame {index} failed: {e}"))
    }

    /// Waits for the client's callback page; the URL the browser ended at.
    async fn callback(&self) -> Url {
        self.wait_for("#callback").await;
        self.client.current_url().await.unwrap()
    }

    /// Forgets the server's cookies (cookies are per host, not per port: the
    /// client app's origin shares them, so this works from either).
    async fn sign_out(&self) {
        self.client.delete_all_cookies().await.unwrap();
    }

    /// `<name>-desktop.png` and `<name>-phone.png`.
    async fn shoot(&self, name: &str) {
        for (label, width, height) in SIZES {
            self.client.set_window_size(width, height).await.unwrap();
            let png = self.client.screenshot().await.unwrap();
            let path = self.shots.join(format!("{name}-{label}.png"));
            std::fs::write(&path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
        let (_, width, height) = SIZES[0];
        self.client.set_window_size(width, height).await.unwrap();
    }
}

/// `<target dir>/browser-screenshots`: the test binary is
/// `<target dir>/<profile>/deps/<name>`, which holds whatever the target
/// directory is (`CARGO_TARGET_DIR` or the workspace's `target/`).
fn screenshot_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let target = exe
        .ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from))
        .expect("a target directory");
    target.join("browser-screenshots")
}

/// The client application on another loopback port (so another origin): its
/// redirect_uri `/callback` records every hit, and `/frame` is a page that
/// tries to frame the server's login page.
struct ClientApp {
    addr: SocketAddr,
    state: AppState,
}

#[derive(Clone)]
struct AppState {
    hits: Arc<Mutex<Vec<String>>>,
    server: Arc<Mutex<String>>,
}

impl ClientApp {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().unwrap();
        let state = AppState {
            hits: Arc::default(),
            server: Arc::default(),
        };
        let router = axum::Router::new()
            .route("/callback", axum::routing::get(callback))
            .route("/frame", axum::routing::get(frame))
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { addr, state }
    }

    /// The server under test, once it runs (its configuration needs this
    /// app's redirect_uri first).
    fn set_server(&self, base: &str) {
        *self.state.server.lock().unwrap() = base.trim_end_matches('/').to_owned();
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn callback(&self) -> String {
        self.url("/callback")
    }

    /// The server's authorization URL for a code, back to this app.
    fn authorize(&self, client_id: &str, scope: &str, state: &str) -> String {
        let path = authorize_url(&[
            ("client_id", client_id),
            ("response_type", "code"),
            ("redirect_uri", &self.callback()),
            ("scope", scope),
            ("state", state),
        ]);
        format!("{}{path}", self.state.server.lock().unwrap())
    }

    fn callbacks(&self) -> Vec<String> {
        self.state.hits.lock().unwrap().clone()
    }
}

async fn callback(State(state): State<AppState>, uri: Uri) -> Html<&'static str> {
    state.hits.lock().unwrap().push(uri.to_string());
    Html(
        "<!DOCTYPE html><html lang=\"en\"><title>Client callback</title>\
         <h1 id=\"callback\">The application received the callback</h1></html>",
    )
}

async fn frame(State(state): State<AppState>) -> Html<String> {
    let base = state.server.lock().unwrap().clone();
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><title>Another origin</title>\
         <h1>Another origin framing the login page</h1>\
         <iframe id=\"login\" src=\"{base}/oauth/login\" width=\"600\" height=\"400\"></iframe>\
         <iframe id=\"control\" src=\"{base}/assets/pages.css\" width=\"600\" height=\"200\"></iframe>\
         </html>"
    ))
}
