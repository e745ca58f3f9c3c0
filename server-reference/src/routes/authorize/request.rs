//! Validating an authorization request in the order of RFC 6749 §4.1.2.1: first
//! what decides whether the redirect can be trusted (client, redirect_uri) —
//! failures there get the error page — then everything else, answered by redirect.

use std::sync::Arc;

use crate::error::ErrorCode;
use crate::faults::Fault;
use crate::model::{ChallengeMethod, Client, GrantType};
use crate::params::{Params, printable};
use crate::scope::ScopeSet;
use crate::session::{AuthorizationRequest, MAX_REDIRECT_URI_BYTES, MAX_STATE_BYTES, ResponseKind};
use crate::state::AppState;

use super::redirect::{self, Mode};

/// Which path the request came in on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// `/oauth/authorize`, `/api/rest/oauth2/auth`.
    Generic,
    /// `/oauthserver/auth/`: `response_type=code` only.
    Phabricator,
}

impl Dialect {
    pub(crate) fn of_path(path: &str) -> Self {
        if path.starts_with("/oauthserver/") {
            Dialect::Phabricator
        } else {
            Dialect::Generic
        }
    }
}

/// Where an authorization response goes: error redirects and, once the request
/// is valid, the successful response too.
#[derive(Clone, Debug)]
pub(crate) struct ErrorTarget {
    pub(crate) redirect_uri: String,
    pub(crate) mode: Mode,
    pub(crate) state: Option<String>,
}

/// Why a request was refused.
#[derive(Debug)]
pub(crate) enum Rejection {
    /// The redirect cannot be trusted: show the error page (RFC 6749 §4.1.2.1).
    Page {
        error: &'static str,
        description: String,
    },
    /// Tell the client through its redirect_uri.
    Redirect {
        to: ErrorTarget,
        code: ErrorCode,
        description: String,
    },
    /// The store failed before the redirect was known.
    Unavailable,
}

fn page(error: &'static str, description: impl Into<String>) -> Rejection {
    Rejection::Page {
        error,
        description: description.into(),
    }
}

/// Validates `params` and returns the client and the normalised request.
pub(crate) async fn validate(
    state: &AppState,
    params: &Params,
    dialect: Dialect,
) -> Result<(Arc<Client>, AuthorizationRequest), Rejection> {
    let client_id = params
        .get("client_id")
        .ok_or_else(|| page("invalid_request", "The request has no client_id."))?;
    let client = match state.store().client(client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            return Err(page(
                "invalid_client",
                format!("Unknown client {}.", printable(client_id)),
            ));
        }
        Err(e) => {
            tracing::error!(error = %e, "storage failure");
            return Err(Rejection::Unavailable);
        }
    };

    let response_type = params.get("response_type");
    let implicit = response_type == Some("token") && dialect == Dialect::Generic;
    let mode = if implicit {
        Mode::Fragment
    } else {
        Mode::Query
    };
    let state_param = params.get("state").map(str::to_owned);

    let redirect_param = params.get("redirect_uri");
    let redirect_uri = match redirect_param {
        Some(uri) if uri.len() > MAX_REDIRECT_URI_BYTES => {
            return Err(page(
                "invalid_request",
                format!("The redirect_uri is longer than {MAX_REDIRECT_URI_BYTES} bytes."),
            ));
        }
        Some(uri) => {
            let prefix_fault = state.fault(Fault::RedirectUriPrefixMatch);
            if redirect::is_allowed(
                client.redirect_policy,
                client.is_public(),
                &client.redirect_uris,
                uri,
                prefix_fault,
            ) {
                uri.to_owned()
            } else if state.fault(Fault::RedirectUriUnregisteredRedirect)
                && url::Url::parse(uri).is_ok()
            {
                return Err(Rejection::Redirect {
                    to: ErrorTarget {
                        redirect_uri: uri.to_owned(),
                        mode,
                        state: state_param,
                    },
                    code: ErrorCode::InvalidRequest,
                    description: "redirect_uri is not registered".into(),
                });
            } else {
                return Err(page(
                    "invalid_request",
                    "The redirect_uri is not registered for this client.",
                ));
            }
        }
        None => match client.redirect_uris.as_slice() {
            [only] => only.clone(),
            [] => {
                return Err(page(
                    "invalid_request",
                    "This client has no registered redirect_uri.",
                ));
            }
            _ => {
                return Err(page(
                    "invalid_request",
                    "The request has no redirect_uri and this client registered several.",
                ));
            }
        },
    };

    let to = ErrorTarget {
        redirect_uri: redirect_uri.clone(),
        mode,
        state: state_param.clone(),
    };
    let fail = |code: ErrorCode, description: &str| Rejection::Redirect {
        to: to.clone(),
        code,
        description: description.to_owned(),
    };

    // Requests wait in memory for a login or consent: `state` is bounded, and an
    // over-long one refused (never truncated). It is still echoed, as RFC 6749
    // §4.1.2.1 requires, since the answer is not kept.
    if state_param
        .as_ref()
        .is_some_and(|s| s.len() > MAX_STATE_BYTES)
    {
        return Err(fail(
            ErrorCode::InvalidRequest,
            &format!("state is longer than {MAX_STATE_BYTES} bytes"),
        ));
    }
    let variants = &state.settings().variants;
    if let Some(why) = variants.state_refusal(state_param.as_deref()) {
        return Err(fail(ErrorCode::InvalidRequest, &why));
    }

    let kind = match response_type {
        None => {
            return Err(fail(
                ErrorCode::InvalidRequest,
                "missing parameter response_type",
            ));
        }
        Some("code") => ResponseKind::Code,
        Some("token") if implicit => ResponseKind::Token,
        Some(_) => {
            return Err(fail(
                ErrorCode::UnsupportedResponseType,
                "response_type must be code or token (code only on this endpoint)",
            ));
        }
    };
    let grant = match kind {
        ResponseKind::Code => GrantType::AuthorizationCode,
        ResponseKind::Token => GrantType::Implicit,
    };
    if !client.allows_grant(grant) {
        return Err(fail(
            ErrorCode::UnauthorizedClient,
            "this client may not use this response_type",
        ));
    }

    let omitted = || {
        variants
            .omitted_scope(&client)
            .map_err(|why| fail(ErrorCode::InvalidScope, why))
    };
    let scope = match params.get("scope") {
        None => omitted()?,
        Some(raw) => match ScopeSet::parse(raw) {
            Ok(s) if s.is_empty() => omitted()?,
            Ok(s) if s.is_subset(&client.scopes) => s,
            Ok(s) => variants.narrowed_scope(&s, &client).ok_or_else(|| {
                fail(
                    ErrorCode::InvalidScope,
                    "the requested scope is unknown or not allowed for this client",
                )
            })?,
            Err(_) => return Err(fail(ErrorCode::InvalidScope, "the scope is malformed")),
        },
    };

    let challenge = match kind {
        ResponseKind::Code => {
            pkce(&client, params).map_err(|d| fail(ErrorCode::InvalidRequest, d))?
        }
        // The implicit grant has no token request to bind a challenge to.
        ResponseKind::Token => None,
    };

    Ok((
        client,
        AuthorizationRequest {
            client_id: client_id.to_owned(),
            kind,
            redirect_uri,
            redirect_uri_param: redirect_param.map(str::to_owned),
            scope,
            state: state_param,
            challenge,
        },
    ))
}

/// RFC 7636 §4.3 request checks, and this server's PKCE policy.
fn pkce(
    client: &Client,
    params: &Params,
) -> Result<Option<(String, ChallengeMethod)>, &'static str> {
    let method = match params.get("code_challenge_method") {
        None | Some("plain") => ChallengeMethod::Plain,
        Some("S256") => ChallengeMethod::S256,
        Some(_) => return Err("code_challenge_method must be S256"),
    };
    let explicit_method = params.contains("code_challenge_method");
    let Some(challenge) = params.get("code_challenge") else {
        if explicit_method {
            return Err("code_challenge_method without code_challenge");
        }
        if client.pkce_required() {
            return Err("this client must use PKCE: code_challenge is required");
        }
        return Ok(None);
    };
    if method == ChallengeMethod::Plain && !client.allow_plain_pkce {
        return Err("code_challenge_method must be S256 (plain is not allowed)");
    }
    let valid_char = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    if !(43..=128).contains(&challenge.len()) || !challenge.bytes().all(valid_char) {
        return Err("code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]");
    }
    Ok(Some((challenge.to_owned(), method)))
}
