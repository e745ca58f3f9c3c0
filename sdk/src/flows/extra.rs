//! Parameters beyond the ones a flow sets itself: resource indicators
//! ([RFC 8707](https://www.rfc-editor.org/rfc/rfc8707)), `audience`, `prompt`,
//! `login_hint`, and any other by name.
//!
//! Builders take them without a `Result` so calls chain; the first invalid one
//! is kept and returned by `build()` or `send()`.

use url::Url;

use crate::error::{Error, Result};

/// The `prompt` values of OpenID Connect Core §3.1.2.1 (and `create`, from
/// Initiating User Registration 1.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Prompt {
    /// `none`: no page may be shown; fail if the user must interact.
    None,
    /// `login`: ask the user to sign in again.
    Login,
    /// `consent`: ask for consent even if it was given before.
    Consent,
    /// `select_account`: let the user choose an account.
    SelectAccount,
    /// `create`: show the sign-up page.
    Create,
}

impl Prompt {
    /// The parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            Prompt::None => "none",
            Prompt::Login => "login",
            Prompt::Consent => "consent",
            Prompt::SelectAccount => "select_account",
            Prompt::Create => "create",
        }
    }
}

/// Parameters the SDK sets itself in some request; [`ExtraParams::param`]
/// refuses them, so an application cannot override `state` or PKCE by accident.
/// The typed ones (`resource`, `audience`, `prompt`, `login_hint`) have methods.
const RESERVED: &[&str] = &[
    "response_type",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "redirect_uri",
    "scope",
    "state",
    "code",
    "code_challenge",
    "code_challenge_method",
    "code_verifier",
    "grant_type",
    "refresh_token",
    "username",
    "password",
    "assertion",
    "resource",
    "audience",
    "prompt",
    "login_hint",
];

/// Extra parameters of one request, validated as they are added.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExtraParams {
    pairs: Vec<(String, String)>,
    invalid: Option<(String, String)>,
}

impl ExtraParams {
    fn refuse(&mut self, name: &str, reason: String) {
        if self.invalid.is_none() {
            self.invalid = Some((name.to_owned(), reason));
        }
    }

    /// A resource indicator: an absolute URI without a fragment (RFC 8707 §2).
    /// Repeatable.
    pub(crate) fn resource(&mut self, uri: &str) {
        match Url::parse(uri) {
            Ok(u) if u.fragment().is_some() => self.refuse(
                "resource",
                format!("`{uri}` has a fragment; RFC 8707 §2 forbids one"),
            ),
            Ok(_) => self.pairs.push(("resource".into(), uri.to_owned())),
            Err(e) => self.refuse(
                "resource",
                format!("`{uri}` is not an absolute URI ({e}); RFC 8707 §2 requires one"),
            ),
        }
    }

    /// A repeatable typed parameter.
    pub(crate) fn push(&mut self, name: &'static str, value: String) {
        self.pairs.push((name.into(), value));
    }

    /// A typed parameter given at most once: a later call replaces it.
    pub(crate) fn set(&mut self, name: &'static str, value: String) {
        self.pairs.retain(|(n, _)| n != name);
        self.pairs.push((name.into(), value));
    }

    /// Any other parameter by name; refuses the ones the SDK sets itself and
    /// repeated names.
    pub(crate) fn param(&mut self, name: &str, value: &str) {
        if name.is_empty() {
            self.refuse(name, "a parameter needs a name".into());
        } else if RESERVED.contains(&name) {
            self.refuse(
                name,
                format!("`{name}` is set by the SDK itself (or has its own method) and cannot be overridden"),
            );
        } else if self.pairs.iter().any(|(n, _)| n == name) {
            self.refuse(name, format!("`{name}` was given twice (RFC 6749 §3.1)"));
        } else {
            self.pairs.push((name.to_owned(), value.to_owned()));
        }
    }

    /// The parameters, or the first invalid one.
    pub(crate) fn pairs(&self) -> Result<&[(String, String)]> {
        match &self.invalid {
            Some((name, reason)) => Err(Error::InvalidParameter {
                name: name.clone(),
                reason: reason.clone(),
            }),
            None => Ok(&self.pairs),
        }
    }
}

/// `resource`, `audience` and `param` on a request builder with an
/// `extra: ExtraParams` field.
macro_rules! extra_param_methods {
    () => {
        /// Adds a resource indicator
        /// ([RFC 8707 §2](https://www.rfc-editor.org/rfc/rfc8707#section-2)): an
        /// absolute URI without a fragment, naming where the token will be used.
        /// Repeatable. An invalid one fails `build()`/`send()` naming it.
        pub fn resource(mut self, uri: impl AsRef<str>) -> Self {
            self.extra.resource(uri.as_ref());
            self
        }

        /// Adds an `audience` (a logical name of the target service, as some
        /// servers and RFC 8693 use it). Repeatable.
        pub fn audience(mut self, audience: impl Into<String>) -> Self {
            self.extra.push("audience", audience.into());
            self
        }

        /// Adds any other parameter. Names the SDK sets itself (`state`,
        /// `redirect_uri`, PKCE, `grant_type`, credentials...) and the typed
        /// ones above are refused: `build()`/`send()` then fails naming it.
        pub fn param(mut self, name: &str, value: &str) -> Self {
            self.extra.param(name, value);
            self
        }
    };
}

/// `prompt` and `login_hint` on an authorization request builder.
macro_rules! user_param_methods {
    () => {
        /// Sets `prompt` (OpenID Connect Core §3.1.2.1).
        pub fn prompt(mut self, prompt: $crate::flows::extra::Prompt) -> Self {
            self.extra.set("prompt", prompt.as_str().to_owned());
            self
        }

        /// Sets `login_hint`: the account the user will likely sign in with.
        pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
            self.extra.set("login_hint", hint.into());
            self
        }
    };
}

pub(crate) use {extra_param_methods, user_param_methods};

#[cfg(test)]
mod tests {
    use super::*;

    fn first_error(e: &ExtraParams) -> String {
        e.pairs().unwrap_err().to_string()
    }

    #[test]
    fn resources_are_absolute_without_fragment_and_repeatable() {
        let mut e = ExtraParams::default();
        e.resource("https://api.example.com/");
        e.resource("urn:example:calendar");
        assert_eq!(e.pairs().unwrap().len(), 2);
        e.resource("https://api.example.com/#frag");
        assert!(first_error(&e).contains("fragment"), "{}", first_error(&e));
        let mut e = ExtraParams::default();
        e.resource("/relative");
        assert!(first_error(&e).contains("`/relative` is not an absolute URI"));
    }

    #[test]
    fn protocol_parameters_cannot_be_overridden() {
        for name in [
            "state",
            "code_challenge",
            "redirect_uri",
            "grant_type",
            "resource",
        ] {
            let mut e = ExtraParams::default();
            e.param(name, "x");
            let msg = first_error(&e);
            assert!(
                msg.contains(name) && msg.contains("set by the SDK"),
                "{msg}"
            );
        }
        let mut e = ExtraParams::default();
        e.param("ui_locales", "de");
        e.param("ui_locales", "fr");
        assert!(first_error(&e).contains("twice"));
        let mut e = ExtraParams::default();
        e.param("ui_locales", "de");
        e.set("prompt", Prompt::Consent.as_str().into());
        e.set("prompt", Prompt::Login.as_str().into());
        assert_eq!(
            e.pairs().unwrap(),
            [
                ("ui_locales".into(), "de".into()),
                ("prompt".into(), "login".into())
            ]
        );
    }
}
