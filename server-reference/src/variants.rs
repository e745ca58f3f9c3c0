//! Legal variants: answers the RFCs allow besides the one this server gives by
//! default, chosen in `[settings.variants]`.
//!
//! These are not faults. Each one is a behaviour a correct server may have,
//! with the sentence that allows it quoted on its field. They exist so that a
//! conformance suite can be run against "the other legal answer" and shown to
//! accept it (`conformance/tests/legal_variants.rs`): an assertion narrowed
//! back to one answer then fails that test. Every field defaults to the
//! server's usual behaviour, so a configuration without the table is
//! unchanged.
//!
//! The decision points call in here (`Variants::narrowed_scope`,
//! `missing_verifier`, …), so the variant logic lives in this file.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::{ErrorCode, OAuthError};
use crate::model::Client;
use crate::scope::ScopeSet;

/// The `state` limit `max_state_chars` gets from [`Variants::enable`].
pub const STATE_LIMIT: usize = 1024;

/// Which of the allowed answers the server gives. Default: none of the
/// alternatives (today's behaviour).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Variants {
    /// Scopes a new grant asks for but the client may not have are dropped
    /// instead of refused with `invalid_scope`, at the authorization and token
    /// endpoints; when none is left the client's default scope is granted, as
    /// for a request without `scope`. A refresh asking beyond the original
    /// grant gets the part within it. The granted scope is always in the
    /// response's `scope` member.
    ///
    /// RFC 6749 §3.3: "The authorization server MAY fully or partially ignore
    /// the scope requested by the client, based on the authorization server
    /// policy or the resource owner's instructions. If the issued access token
    /// scope is different from the one requested by the client, the
    /// authorization server MUST include the "scope" response parameter to
    /// inform the client of the actual scope granted."
    pub ignore_unknown_scope: bool,

    /// A refresh ignores the requested `scope` altogether and grants the
    /// original scope again (stated in `scope`).
    ///
    /// RFC 6749 §3.3 as above ("MAY fully or partially ignore the scope
    /// requested"); §6 only forbids granting more than the original scope.
    pub refresh_ignores_requested_scope: bool,

    /// A token request without `code_verifier` for a code issued with a
    /// `code_challenge` is `invalid_request` (a missing parameter) instead of
    /// `invalid_grant`.
    ///
    /// RFC 6749 §5.2: invalid_request "The request is missing a required
    /// parameter"; RFC 7636 §4.6 names `invalid_grant` only for a verifier
    /// that does not match, and RFC 9700 §2.1.1 only says the server "MUST
    /// enforce the correct usage of code_verifier".
    pub missing_verifier_invalid_request: bool,

    /// A `code_verifier` sent for a code issued without a `code_challenge` is
    /// `invalid_request` instead of `invalid_grant`.
    ///
    /// RFC 9700 §2.1.1: the server must ensure "that a token request
    /// containing a code_verifier parameter is accepted only if a
    /// code_challenge parameter was present in the authorization request";
    /// it names no error code, and RFC 6749 §5.2 invalid_request covers a
    /// request that "includes an unsupported parameter value ... or is
    /// otherwise malformed".
    pub unexpected_verifier_invalid_request: bool,

    /// `invalid_client` for a request that did not try HTTP Basic (no
    /// credentials, credentials in the body, a bad client assertion) is HTTP
    /// 400 without `WWW-Authenticate`, at the token, revocation and
    /// introspection endpoints. A failed Basic attempt stays 401 with the
    /// Basic challenge, as the RFC requires.
    ///
    /// RFC 6749 §5.2 invalid_client: "The authorization server MAY return an
    /// HTTP 401 (Unauthorized) status code to indicate which HTTP
    /// authentication schemes are supported. If the client attempted to
    /// authenticate via the "Authorization" request header field, the
    /// authorization server MUST respond with an HTTP 401".
    pub invalid_client_400: bool,

    /// The metadata document leaves out `grant_types_supported`.
    ///
    /// RFC 8414 §2: grant_types_supported "OPTIONAL. ... If omitted, the
    /// default value is ["authorization_code", "implicit"]." (Both are
    /// supported here, so the default tells no lie.)
    pub omit_grant_types_supported: bool,

    /// Revocation ignores a `token_type_hint` it does not know instead of
    /// answering `unsupported_token_type`.
    ///
    /// RFC 7009 §2.1: token_type_hint "OPTIONAL. A hint about the type of the
    /// token submitted for revocation. ... An authorization server MAY ignore
    /// this parameter".
    pub ignore_unknown_token_type_hint: bool,

    /// An authorization request whose `state` is longer than this many
    /// characters is refused with `invalid_request` (the state echoed
    /// unchanged in the error response) instead of carried through.
    ///
    /// RFC 6749 sets no length for `state`; §4.1.2.1 invalid_request covers a
    /// request that "is otherwise malformed", and the error response carries
    /// the state: "REQUIRED if a "state" parameter was present in the client
    /// authorization request." What may never happen is a truncated state
    /// (§4.1.2: "The exact value received from the client").
    pub max_state_chars: Option<usize>,

    /// A request without `scope` (or with an empty one) for a new grant is
    /// refused with `invalid_scope` instead of given the client's default
    /// scope, at the authorization and token endpoints.
    ///
    /// RFC 6749 §3.3: "If the client omits the scope parameter when
    /// requesting authorization, the authorization server MUST either process
    /// the request using a pre-defined default value or fail the request
    /// indicating an invalid scope."
    ///
    /// Not part of [`Variants::all`]: the token requests of Segment's and
    /// Hub's documented flows carry no scope, so with it this server no
    /// longer speaks those dialects (their management suites fail).
    pub require_scope: bool,
}

impl Variants {
    /// The TOML key of every variant, as [`Variants::enable`] takes them.
    pub const NAMES: &'static [&'static str] = &[
        "ignore_unknown_scope",
        "refresh_ignores_requested_scope",
        "missing_verifier_invalid_request",
        "unexpected_verifier_invalid_request",
        "invalid_client_400",
        "omit_grant_types_supported",
        "ignore_unknown_token_type_hint",
        "max_state_chars",
        "require_scope",
    ];

    /// Variants left out of [`Variants::all`] because they break a seed
    /// dialect (see each one's doc).
    pub const NOT_IN_ALL: &'static [&'static str] = &["require_scope"];

    /// Every alternative the served dialects allow on (`max_state_chars` =
    /// [`STATE_LIMIT`]; none of [`Variants::NOT_IN_ALL`]).
    pub fn all() -> Self {
        let mut v = Self::default();
        for name in Self::NAMES.iter().filter(|n| !Self::NOT_IN_ALL.contains(n)) {
            v.enable(name).expect("every listed name is a variant");
        }
        v
    }

    /// Turns on the variant `name` (a TOML key, or `all`).
    pub fn enable(&mut self, name: &str) -> Result<(), String> {
        match name {
            "all" => *self = Self::all(),
            "ignore_unknown_scope" => self.ignore_unknown_scope = true,
            "refresh_ignores_requested_scope" => self.refresh_ignores_requested_scope = true,
            "missing_verifier_invalid_request" => self.missing_verifier_invalid_request = true,
            "unexpected_verifier_invalid_request" => {
                self.unexpected_verifier_invalid_request = true;
            }
            "invalid_client_400" => self.invalid_client_400 = true,
            "omit_grant_types_supported" => self.omit_grant_types_supported = true,
            "ignore_unknown_token_type_hint" => self.ignore_unknown_token_type_hint = true,
            "max_state_chars" => self.max_state_chars = Some(STATE_LIMIT),
            "require_scope" => self.require_scope = true,
            other => {
                return Err(format!(
                    "unknown variant {other:?}; known: all, {}",
                    Self::NAMES.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The scope of a new grant when `requested` (parsed, not empty) is not
    /// within what `client` may have: `None` (refuse with `invalid_scope`)
    /// unless `ignore_unknown_scope`, then the allowed part, or the client's
    /// default scope when nothing is left.
    pub fn narrowed_scope(&self, requested: &ScopeSet, client: &Client) -> Option<ScopeSet> {
        if !self.ignore_unknown_scope {
            return None;
        }
        let kept = intersection(requested, &client.scopes);
        Some(if kept.is_empty() {
            client.default_scope.clone()
        } else {
            kept
        })
    }

    /// The scope of a new grant whose request names none: the client's
    /// default scope, or under `require_scope` the reason to refuse it
    /// (`invalid_scope`).
    pub fn omitted_scope(&self, client: &Client) -> Result<ScopeSet, &'static str> {
        if self.require_scope {
            return Err("scope is required");
        }
        Ok(client.default_scope.clone())
    }

    /// The scope of a refresh asking for `requested` beyond the `original`
    /// grant: `None` (refuse) unless `ignore_unknown_scope`, then the part
    /// within the original grant, or all of it when nothing is left.
    pub fn narrowed_refresh_scope(
        &self,
        requested: &ScopeSet,
        original: &ScopeSet,
    ) -> Option<ScopeSet> {
        if !self.ignore_unknown_scope {
            return None;
        }
        let kept = intersection(requested, original);
        Some(if kept.is_empty() {
            original.clone()
        } else {
            kept
        })
    }

    /// The `scope` parameter of a refresh request as the server reads it:
    /// dropped under `refresh_ignores_requested_scope`.
    pub fn refresh_scope_param<'a>(&self, param: Option<&'a str>) -> Option<&'a str> {
        param.filter(|_| !self.refresh_ignores_requested_scope)
    }

    /// The answer to a code issued with a challenge redeemed without a verifier.
    pub fn missing_verifier(&self) -> OAuthError {
        pkce_error(
            self.missing_verifier_invalid_request,
            "code_verifier is required",
        )
    }

    /// The answer to a verifier sent for a code issued without a challenge.
    pub fn unexpected_verifier(&self) -> OAuthError {
        pkce_error(
            self.unexpected_verifier_invalid_request,
            "code_verifier sent, but the authorization request had no code_challenge",
        )
    }

    /// The response to an error of the token, revocation or introspection
    /// endpoints: `e.into_response()`, except that under `invalid_client_400`
    /// an `invalid_client` not caused by a Basic attempt is 400, no challenge.
    pub fn client_error_response(&self, e: OAuthError) -> Response {
        let plain_400 =
            self.invalid_client_400 && e.code == ErrorCode::InvalidClient && !e.basic_attempted;
        let mut r = e.into_response();
        if plain_400 {
            *r.status_mut() = StatusCode::BAD_REQUEST;
            r.headers_mut().remove(header::WWW_AUTHENTICATE);
        }
        r
    }

    /// The metadata document as this server sends it.
    pub fn shape_metadata(&self, body: &mut serde_json::Value) {
        if self.omit_grant_types_supported
            && let Some(m) = body.as_object_mut()
        {
            m.remove("grant_types_supported");
        }
    }

    /// Whether revocation refuses a `token_type_hint` it does not know.
    pub fn refuses_unknown_token_type_hint(&self) -> bool {
        !self.ignore_unknown_token_type_hint
    }

    /// Why an authorization request's `state` is refused, if it is.
    pub fn state_refusal(&self, state: Option<&str>) -> Option<String> {
        let limit = self.max_state_chars?;
        let n = state?.chars().count();
        (n > limit).then(|| format!("state is {n} characters long; at most {limit} are accepted"))
    }
}

/// `invalid_request` or the default `invalid_grant`, saying `why`.
fn pkce_error(invalid_request: bool, why: &'static str) -> OAuthError {
    if invalid_request {
        OAuthError::invalid_request(why)
    } else {
        OAuthError::invalid_grant(why)
    }
}

/// The scopes of `a` that are also in `b`.
fn intersection(a: &ScopeSet, b: &ScopeSet) -> ScopeSet {
    a.iter().filter(|s| b.contains(s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(s: &str) -> ScopeSet {
        ScopeSet::parse(s).unwrap()
    }

    #[test]
    fn the_default_is_todays_behaviour() {
        let v = Variants::default();
        assert_eq!(v.narrowed_refresh_scope(&set("a x"), &set("a b")), None);
        assert_eq!(v.refresh_scope_param(Some("a")), Some("a"));
        assert_eq!(v.missing_verifier().code, ErrorCode::InvalidGrant);
        assert_eq!(v.unexpected_verifier().code, ErrorCode::InvalidGrant);
        let r = v.client_error_response(OAuthError::invalid_client("no"));
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(v.refuses_unknown_token_type_hint());
        assert_eq!(v.state_refusal(Some(&"s".repeat(5000))), None);
        let mut body = serde_json::json!({"grant_types_supported": ["authorization_code"]});
        v.shape_metadata(&mut body);
        assert!(body.get("grant_types_supported").is_some());
    }

    #[test]
    fn every_name_turns_one_variant_on_and_all_turns_on_every_one() {
        for name in Variants::NAMES {
            let mut v = Variants::default();
            v.enable(name).unwrap();
            assert_ne!(v, Variants::default(), "{name} changes nothing");
        }
        let all = Variants::all();
        let toml_all: Variants = toml::from_str(
            "ignore_unknown_scope = true\nrefresh_ignores_requested_scope = true\n\
             missing_verifier_invalid_request = true\nunexpected_verifier_invalid_request = true\n\
             invalid_client_400 = true\nomit_grant_types_supported = true\n\
             ignore_unknown_token_type_hint = true\nmax_state_chars = 1024\n",
        )
        .unwrap();
        assert_eq!(all, toml_all);
        assert!(Variants::default().enable("no_such_variant").is_err());
        assert!(toml::from_str::<Variants>("no_such_variant = true").is_err());
    }

    #[test]
    fn a_refresh_keeps_within_the_original_grant() {
        let v = Variants::all();
        assert_eq!(
            v.narrowed_refresh_scope(&set("a x"), &set("a b")),
            Some(set("a"))
        );
        assert_eq!(
            v.narrowed_refresh_scope(&set("x"), &set("a b")),
            Some(set("a b"))
        );
        assert_eq!(v.refresh_scope_param(Some("a")), None);
    }

    #[test]
    fn only_an_invalid_client_without_basic_becomes_400() {
        let v = Variants::all();
        let r = v.client_error_response(OAuthError::invalid_client("no"));
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert!(!r.headers().contains_key(header::WWW_AUTHENTICATE));
        let r = v.client_error_response(OAuthError::invalid_client("no").with_basic(true));
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.headers().contains_key(header::WWW_AUTHENTICATE));
        let r = v.client_error_response(OAuthError::invalid_grant("no"));
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn a_long_state_is_refused_whole_never_cut() {
        let v = Variants::all();
        assert_eq!(v.state_refusal(None), None);
        assert_eq!(v.state_refusal(Some(&"é".repeat(STATE_LIMIT))), None);
        assert!(
            v.state_refusal(Some(&"s".repeat(STATE_LIMIT + 1)))
                .is_some()
        );
    }
}
