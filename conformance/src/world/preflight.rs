//! `--check`: probes the live server with the target file before any
//! scenario runs, so a configuration mistake shows as one line (which key,
//! what was seen, what to change) instead of dozens of failed scenarios after
//! a long run. Nothing here judges conformance; it only asks whether the
//! target file describes the server well enough for the scenarios to mean
//! anything.

use std::fmt;

use super::*;
use crate::config::Endpoint;
use crate::parameters::{Grant, UserRole};
use crate::user_agent::{self, Decision, PageKind, RawRequest};

/// One configuration problem found by `--check`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The target-file key (`[clients.confidential].secret`, …).
    pub key: String,
    /// What the server did.
    pub seen: String,
    /// What to change.
    pub fix: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} — {}", self.key, self.seen, self.fix)
    }
}

fn problem(key: impl Into<String>, seen: impl Into<String>, fix: impl Into<String>) -> Problem {
    Problem {
        key: key.into(),
        seen: seen.into(),
        fix: fix.into(),
    }
}

/// Every client of the target with the key it is written under.
fn clients(target: &Target) -> Vec<(ClientRole, String, &ClientConfig)> {
    let c = &target.clients;
    let mut out = vec![(
        ClientRole::Confidential,
        "[clients.confidential]".to_string(),
        &c.confidential,
    )];
    let own = [
        (ClientRole::Second, "confidential2", &c.confidential2),
        (ClientRole::Public, "public", &c.public),
        (ClientRole::Implicit, "implicit", &c.implicit),
        (ClientRole::Jwt, "jwt", &c.jwt),
    ];
    for (role, name, client) in own {
        if let Some(client) = client {
            out.push((role, format!("[clients.{name}]"), client));
        }
    }
    for (i, e) in c.extra.iter().enumerate() {
        let role = match e.role.as_deref() {
            Some("confidential2") => ClientRole::Second,
            Some("public") => ClientRole::Public,
            Some("implicit") => ClientRole::Implicit,
            Some("jwt") => ClientRole::Jwt,
            _ => ClientRole::Confidential,
        };
        out.push((role, format!("[[clients.extra]] #{} ({})", i + 1, e.id), e));
    }
    out
}

/// Probes the server `target` describes; an empty list means it is ready.
pub async fn preflight(target: &'static Target) -> Vec<Problem> {
    let mut problems = Vec::new();
    if target.capabilities.metadata {
        problems.extend(metadata(target).await);
    }
    for (role, key, client) in clients(target) {
        if let Some(p) = credentials(target, role, &key, client).await {
            problems.push(p);
        }
    }
    problems.extend(drive(target).await);
    problems
}

async fn metadata(target: &'static Target) -> Vec<Problem> {
    let url = target.metadata_url();
    let key = "[server].metadata_url";
    let r = match user_agent::send(&RawRequest::get(url.clone())).await {
        Ok(r) => r,
        Err(e) => {
            return vec![problem(
                "[server].issuer",
                format!("{url} cannot be reached: {e}"),
                "start the server, or fix the issuer's host and port",
            )];
        }
    };
    let Some(m) = r
        .json()
        .filter(|m| r.status == 200 && m.get("issuer").is_some_and(|i| i.is_string()))
    else {
        return vec![problem(
            key,
            format!("{url} gave no metadata document: {}", r.describe()),
            "point metadata_url at the metadata document (OpenID providers: /.well-known/openid-configuration), or set [capabilities].metadata = false",
        )];
    };
    let mut out = Vec::new();
    let iss = m.get("issuer").and_then(|v| v.as_str()).unwrap_or("");
    if iss.trim_end_matches('/') != target.audience() {
        out.push(problem(
            "[server].issuer",
            format!("the metadata names the issuer {iss:?}"),
            format!("set issuer = {iss:?} if that is the server's issuer"),
        ));
    }
    let endpoints = [
        (
            Endpoint::Authorization,
            "authorization",
            "authorization_endpoint",
        ),
        (Endpoint::Token, "token", "token_endpoint"),
        (Endpoint::Revocation, "revocation", "revocation_endpoint"),
        (
            Endpoint::Introspection,
            "introspection",
            "introspection_endpoint",
        ),
    ];
    for (which, name, member) in endpoints {
        let used = matches!(which, Endpoint::Authorization | Endpoint::Token)
            || which == Endpoint::Revocation && target.capabilities.revocation
            || which == Endpoint::Introspection && target.capabilities.introspection;
        let Some(adv) = m.get(member).and_then(|v| v.as_str()) else {
            continue;
        };
        let mine = target.endpoint(which);
        if used && Url::parse(adv).is_ok_and(|a| a != mine) {
            out.push(problem(
                format!("[server.endpoints].{name}"),
                format!("the suite would use {mine}, the metadata advertises {adv}"),
                format!("set {name} = {adv:?}"),
            ));
        }
    }
    if let Some(list) = m.get("grant_types_supported").and_then(|v| v.as_array()) {
        for g in &target.capabilities.grants {
            if !list.iter().any(|v| v.as_str() == Some(g)) {
                out.push(problem(
                    "[capabilities].grants",
                    format!("{g} is declared but grant_types_supported does not list it"),
                    format!("remove {g:?} unless the server supports it anyway"),
                ));
            }
        }
    }
    out
}

/// Whether one client's credentials work: a client credentials request when
/// it may use that grant, else a made-up code, which must fail with anything
/// but `invalid_client`.
async fn credentials(
    target: &'static Target,
    role: ClientRole,
    key: &str,
    client: &'static ClientConfig,
) -> Option<Problem> {
    if client.auth_method == "none" {
        return None;
    }
    let mut w = OAuthWorld::with_target(target);
    w.chosen.push((role, client));
    let cc = client.may_use("client_credentials")
        && target
            .capabilities
            .grants
            .iter()
            .any(|g| g == "client_credentials");
    let sent = if cc {
        w.prepare_token_request(role, Grant::ClientCredentials)
    } else {
        w.code = Some("conformance-preflight-code".into());
        w.start_authorization(role, "code")
            .and_then(|()| w.prepare_token_request(role, Grant::AuthorizationCode))
    };
    if let Err(e) = sent {
        return Some(problem(key, e, "complete the client's entry"));
    }
    w.chosen = vec![(role, client)];
    if let Err(e) = w.send_token_request().await {
        return Some(problem(
            "[server.endpoints].token",
            e,
            "check the token endpoint's URL",
        ));
    }
    let r = w.last.as_ref()?;
    let error = r.member("error");
    let ok = if cc {
        r.status == 200
    } else {
        error.as_deref().is_some_and(|e| e != "invalid_client")
    };
    if ok {
        return None;
    }
    let what = if cc {
        "a client credentials request"
    } else {
        "a token request with a made-up code (anything but invalid_client means the credentials work)"
    };
    let fix = match (error.as_deref(), cc) {
        (Some("invalid_client"), _) => format!(
            "check id, secret and auth_method ({}) against the server's registration",
            client.auth_method
        ),
        (Some("unauthorized_client" | "unsupported_grant_type"), true) => {
            "the client may not use client_credentials: list its real `grants`".into()
        }
        _ => "check the client's registration and the token endpoint".into(),
    };
    Some(problem(key, format!("{what} got {}", r.describe()), fix))
}

/// A full login (and consent) drive with the confidential client's own
/// scope, the code exchanged, the access token shown to the resource probe;
/// then the consent scope, denied. The consent scope is never approved here:
/// a server that remembers consent would otherwise skip the consent page in
/// every scenario after this check.
async fn drive(target: &'static Target) -> Vec<Problem> {
    let mut out = Vec::new();
    if target.interaction.mode == "manual" {
        return out;
    }
    let role = ClientRole::Confidential;
    let key = "[clients.confidential]";
    let consent = target.interaction.mode == "scripted"
        && target.clients.confidential.consent_scope.is_some();
    let mut w = OAuthWorld::with_target(target);
    if let Err(e) = w.start_authorization(role, "code") {
        out.push(problem(key, e, "complete the client's entry"));
        return out;
    }
    if let Err(e) = w.authorize(UserRole::User, Decision::Allow).await {
        out.push(problem(
            "[[interaction.pages]]",
            e,
            "make the page scripts match the server's login and consent pages",
        ));
        return out;
    }
    match w.outcome.clone() {
        Some(Outcome::Page(p)) => {
            let forms = user_agent::parse_forms(&p.body).len();
            out.push(problem(
                "[[interaction.pages]]",
                format!(
                    "the drive stopped at a page no script recognises: HTTP {} at {} ({forms} form(s))",
                    p.status, p.url
                ),
                "add a page script whose url_contains and body_contains match it (or fix the request it answers)",
            ));
            return out;
        }
        Some(Outcome::Redirect(_)) if w.code.is_none() => {
            let error = w.callback_param("error").ok().flatten().unwrap_or_default();
            out.push(problem(
                format!("{key}.scope"),
                format!("the authorization request came back with error={error:?}"),
                "use a scope, redirect_uris entry and [capabilities].pkce the server accepts for this client",
            ));
            return out;
        }
        _ => {}
    }
    let exchanged = match w.prepare_token_request(role, Grant::AuthorizationCode) {
        Ok(()) => w
            .send_token_request()
            .await
            .and_then(|()| w.expect_token_success()),
        Err(e) => Err(e),
    };
    if let Err(e) = exchanged {
        out.push(problem(
            key,
            format!("the code exchange failed: {e}"),
            "check the client's secret, auth_method and redirect_uris",
        ));
        return out;
    }
    if let Some(r) = &target.resource {
        let token = w
            .issued
            .last()
            .map(|i| i.access_token.clone())
            .unwrap_or_default();
        let seen = match w.call_resource(&token, false).await {
            Ok(()) => w.last.as_ref().map(|l| (l.status, l.describe())),
            Err(e) => Some((0, e)),
        };
        if let Some((status, what)) = seen.filter(|(s, _)| *s != r.ok_status) {
            out.push(problem(
                "[resource].url",
                format!("a fresh access token got HTTP {status}: {what}"),
                format!(
                    "point url at a resource that accepts the client's tokens (scope {:?}) with ok_status {}, or leave [resource] out",
                    target.clients.confidential.scope, r.ok_status
                ),
            ));
        } else if w
            .call_resource("conformance-preflight-bad-token", false)
            .await
            .is_ok()
            && w.last.as_ref().is_some_and(|l| l.status == r.ok_status)
        {
            out.push(problem(
                "[resource].url",
                "a made-up token is accepted too".to_string(),
                "point url at a resource that requires a valid token",
            ));
        }
    }
    if consent {
        out.extend(deny(target).await);
    }
    out
}

async fn deny(target: &'static Target) -> Vec<Problem> {
    let mut w = OAuthWorld::with_target(target);
    let role = ClientRole::Confidential;
    if w.start_authorization(role, "code")
        .and_then(|()| w.use_consent_scope())
        .is_err()
    {
        return Vec::new();
    }
    let key = "[[interaction.pages]] (consent).deny";
    if let Err(e) = w.authorize(UserRole::User, Decision::Deny).await {
        return vec![problem(
            key,
            e,
            "name the consent page's deny button, or its link (`deny = { link = \"Cancel\" }`)",
        )];
    }
    if !w.ua.hops.iter().any(|h| h.page == Some(PageKind::Consent)) {
        return vec![problem(
            "[clients.confidential].consent_scope",
            format!(
                "no consent page was shown for it ({})",
                w.outcome.as_ref().map(describe_outcome).unwrap_or_default()
            ),
            "choose a scope the user has not approved (the page must show), or leave consent_scope out so the consent scenarios are skipped",
        )];
    }
    match w.callback_param("error") {
        Ok(Some(_)) => Vec::new(),
        _ => vec![problem(
            key,
            format!(
                "denying did not send the client an error ({})",
                w.outcome.as_ref().map(describe_outcome).unwrap_or_default()
            ),
            "check that `deny` names the control that refuses consent",
        )],
    }
}
