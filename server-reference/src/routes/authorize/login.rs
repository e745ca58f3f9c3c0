//! The login form: username, password and, for two-factor users, a TOTP code
//! (RFC 6238: SHA-1, 6 digits, 30 s steps, one step of drift either way).
//!
//! CSRF: double-submit cookie. `GET /oauth/login` sets `oauth_login_csrf` and puts
//! the same value in the hidden `csrf_token`; the POST must carry both, equal.
//!
//! A failed login answers **401** with the form again and one message for every
//! cause (unknown user, wrong password, missing or wrong code).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::Response;

use crate::bounded::Full;
use crate::crypto::{ct_eq, random_token};
use crate::model::User;
use crate::pages;
use crate::params::Params;
use crate::state::AppState;
use crate::throttle::Refusal;

use super::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie, see_other, set_cookie};

const FAILED: &str = "Invalid username, password or one-time code.";
const EXPIRED: &str = "The form expired or was not sent from this site; please sign in again.";

/// `GET /oauth/login?next=…`
pub(super) async fn form(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let Ok(params) = Params::parse(uri.query().unwrap_or("").as_bytes()) else {
        return pages::error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "A parameter is repeated.",
        );
    };
    let next = params.get("next").unwrap_or("");
    let (csrf, fresh) = match cookie(&headers, LOGIN_CSRF_COOKIE).filter(|c| well_formed(c)) {
        Some(existing) => (existing.to_owned(), false),
        None => (random_token(), true),
    };
    let client_name = asking_client(&state, next).await;
    let mut response = pages::login_page(
        StatusCode::OK,
        &pages::Login {
            csrf_token: &csrf,
            next,
            username: "",
            client_name: client_name.as_deref(),
            message: None,
        },
    );
    if fresh {
        add_cookie(
            &mut response,
            &set_cookie(&state, LOGIN_CSRF_COOKIE, &csrf, None),
        );
    }
    response
}

/// `POST /oauth/login`
pub(super) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = Params::parse(&body).unwrap_or_default();
    let next = params.get("next").unwrap_or("");
    let username = params.get("username").unwrap_or("");
    let presented = params.get("csrf_token").unwrap_or("");
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).filter(|c| well_formed(c));
    let Some(expected) = expected.filter(|e| ct_eq(e.as_bytes(), presented.as_bytes())) else {
        let csrf = random_token();
        let mut response = form_again(
            &state,
            StatusCode::FORBIDDEN,
            &csrf,
            next,
            username,
            EXPIRED,
        )
        .await;
        add_cookie(
            &mut response,
            &set_cookie(&state, LOGIN_CSRF_COOKIE, &csrf, None),
        );
        return response;
    };

    // Admitted among the bounded password checks first (past the queue, 503
    // before the username is counted), then RFC 6749 §4.3.2's brute-force
    // protection, shared with the password grant: the attempt is counted before
    // the password is checked (a wrong one-time code counts as a failure too).
    let (admission, attempt) = match state
        .throttle()
        .admit_and_reserve(state.passwords(), username, || state.now())
        .await
    {
        Ok(both) => both,
        Err(Refusal::Locked(secs)) => {
            let message = format!("Too many failed sign-ins for this user; try again in {secs} s.");
            return form_again(
                &state,
                StatusCode::TOO_MANY_REQUESTS,
                expected,
                next,
                username,
                &message,
            )
            .await;
        }
        Err(Refusal::Full | Refusal::Pending) => return busy(),
    };
    let user = match state.store().user(username).await {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(error = %e, "storage failure");
            None
        }
    };
    let password = params.get("password").unwrap_or("").to_owned();
    // An unknown user costs the same check as a known one.
    let verified = admission
        .verify(user.as_ref().map(|u| u.password.clone()), password)
        .await;
    let checked = match &user {
        Some(u) if verified => {
            second_factor(u, params.get("otp").unwrap_or(""), state.now() / 1000)
        }
        _ => SecondFactor::Refused,
    };
    let ok = match checked {
        SecondFactor::NotNeeded => true,
        // RFC 6238 §5.2: a one-time code is accepted once; a later login must
        // present a code of a later time step.
        SecondFactor::Step(step) => {
            match state.sessions().use_otp_step(username, step, state.now()) {
                Ok(first_use) => first_use,
                Err(Full) => return busy(),
            }
        }
        SecondFactor::Refused => false,
    };

    let Some(user) = user.filter(|_| ok) else {
        attempt.failed(state.now());
        return form_again(
            &state,
            StatusCode::UNAUTHORIZED,
            expected,
            next,
            username,
            FAILED,
        )
        .await;
    };
    attempt.succeeded();
    let Ok(session) = state.sessions().create(&user.username, state.now()) else {
        return busy();
    };
    if let Some(old) = cookie(&headers, SESSION_COOKIE) {
        state.sessions().remove(old);
    }
    let mut response = match safe_next(next) {
        Some(next) => see_other(next),
        None => see_other("/oauth/login/done"),
    };
    add_cookie(
        &mut response,
        &set_cookie(&state, SESSION_COOKIE, &session, None),
    );
    add_cookie(
        &mut response,
        &set_cookie(&state, LOGIN_CSRF_COOKIE, "", Some(0)),
    );
    response
}

/// `GET /oauth/login/done`: where a login without `next` lands.
pub(super) async fn done(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match super::current_session(&state, &headers) {
        Some((_, s)) => pages::signed_in_page(&s.username),
        None => see_other("/oauth/login"),
    }
}

/// The form again after a refused attempt, with `message` and the username
/// kept. The client's name is looked up only here: a sign-in that succeeds
/// never shows it.
async fn form_again(
    state: &AppState,
    status: StatusCode,
    csrf_token: &str,
    next: &str,
    username: &str,
    message: &str,
) -> Response {
    let client_name = asking_client(state, next).await;
    pages::login_page(
        status,
        &pages::Login {
            csrf_token,
            next,
            username,
            client_name: client_name.as_deref(),
            message: Some(message),
        },
    )
}

/// The registered name of the client a login continues to, so the page can say
/// who asks: the `client_id` of an authorization request in `next`, or of the
/// request parked under `next`'s `request_id`. Only a registered client's name
/// is shown (never text from the URL), and only as the page's heading.
async fn asking_client(state: &AppState, next: &str) -> Option<String> {
    let (path, query) = next.split_once('?')?;
    let params = Params::parse(query.as_bytes()).ok()?;
    let client_id = if path == "/oauth/authorize/resume" {
        state
            .sessions()
            .parked_client(params.get("request_id")?, state.now())?
    } else {
        params.get("client_id")?.to_owned()
    };
    match state.store().client(&client_id).await {
        Ok(client) => client.map(|c| c.name.clone()),
        Err(e) => {
            tracing::error!(error = %e, "storage failure");
            None
        }
    }
}

/// Only a local path: `/…` but not `//…` or `/\…` (no open redirect), printable ASCII
/// (browsers drop tabs and newlines, which could turn `/\t/` into `//`).
fn safe_next(next: &str) -> Option<&str> {
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    let printable = next.bytes().all(|b| (0x21..=0x7e).contains(&b));
    (local && printable).then_some(next)
}

fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The outcome of the one-time-code check, after a correct password.
#[derive(Debug, PartialEq)]
enum SecondFactor {
    /// The user has no second factor.
    NotNeeded,
    /// The code is right for this RFC 6238 time step (not yet checked for reuse).
    Step(u64),
    Refused,
}

/// RFC 6238: SHA-1, six digits, 30 s steps, one step of drift either way.
fn second_factor(user: &User, otp: &str, now_secs: u64) -> SecondFactor {
    const STEP: u64 = 30;
    let Some(secret) = &user.totp_secret else {
        return SecondFactor::NotNeeded;
    };
    let Ok(bytes) = totp_rs::Secret::Encoded(secret.0.clone()).to_bytes() else {
        return SecondFactor::Refused;
    };
    if otp.len() != 6 {
        return SecondFactor::Refused;
    }
    // new_unchecked: the seed's demo secret is 80 bits, below totp-rs's 128-bit floor.
    let totp = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 0, STEP, bytes);
    let now = now_secs / STEP;
    // Every candidate is compared (constant time each), so timing does not tell
    // which step matched.
    let mut matched = None;
    for step in [now.saturating_sub(1), now, now + 1] {
        if ct_eq(totp.generate(step * STEP).as_bytes(), otp.as_bytes()) {
            matched = Some(step);
        }
    }
    matched.map_or(SecondFactor::Refused, SecondFactor::Step)
}

/// 503 with `Retry-After`: too many password checks are running and waiting,
/// or a session table is full.
fn busy() -> Response {
    let mut response = pages::error_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        "Too many sign-ins are being handled; please try again in a moment.",
    );
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(crate::hashing::RETRY_AFTER_SECS),
    );
    response
}

fn add_cookie(response: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::PasswordDigest;
    use crate::model::TotpSecret;

    fn two_factor_user(secret_base32: &str) -> User {
        User {
            username: "bob".into(),
            name: "Bob".into(),
            email: String::new(),
            password: PasswordDigest::from_phc(String::new()),
            totp_secret: Some(TotpSecret(secret_base32.into())),
        }
    }

    #[test]
    fn totp_is_rfc6238_sha1_six_digits_with_one_step_of_drift() {
        // RFC 6238 Appendix B: ASCII "12345678901234567890", T = 59 s → 94287082.
        let user = two_factor_user("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(second_factor(&user, "287082", 59), SecondFactor::Step(1));
        assert_eq!(
            second_factor(&user, "287082", 59 + 30),
            SecondFactor::Step(1)
        );
        assert_eq!(second_factor(&user, "287082", 29), SecondFactor::Step(1));
        for (otp, at) in [
            ("287082", 59 + 90),
            ("94287082", 59),
            ("", 59),
            ("287083", 59),
        ] {
            assert_eq!(
                second_factor(&user, otp, at),
                SecondFactor::Refused,
                "{otp} at {at}"
            );
        }
        let mut plain = user;
        plain.totp_secret = None;
        assert_eq!(second_factor(&plain, "", 59), SecondFactor::NotNeeded);
    }

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("xoauth_session=no; oauth_session=yes; other=1"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("yes"));
        assert_eq!(cookie(&h, LOGIN_CSRF_COOKIE), None);
    }

    #[test]
    fn next_must_be_a_local_path() {
        for ok in [
            "/oauth/authorize?client_id=x&a=%2F",
            "/",
            "/oauth/authorize?state=a\\b",
        ] {
            assert_eq!(safe_next(ok), Some(ok));
        }
        for bad in [
            "",
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "evil",
            "/a b",
            "/a\r\nSet-Cookie:x",
            "/\t/evil.example",
        ] {
            assert_eq!(safe_next(bad), None, "{bad:?}");
        }
    }
}
