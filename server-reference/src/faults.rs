//! Deliberate faults (docs/faults.md), for proving that every conformance scenario can fail.
//!
//! A fault is honoured only when the crate is built with the `faults` feature; a
//! normal build refuses a configuration that names one, so a production server can
//! never run with a rule switched off.

use std::fmt;
use std::str::FromStr;

macro_rules! faults {
    ($($variant:ident = $name:literal : $rule:literal,)*) => {
        /// One protocol rule the server can be told to break.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Fault { $($variant,)* }

        impl Fault {
            /// Every fault, in declaration order.
            pub const ALL: &'static [Fault] = &[$(Fault::$variant,)*];

            /// The kebab-case name used in configuration and reports.
            pub fn name(self) -> &'static str {
                match self { $(Fault::$variant => $name,)* }
            }

            /// The rule this fault breaks, in words.
            pub fn rule(self) -> &'static str {
                match self { $(Fault::$variant => $rule,)* }
            }
        }

        impl FromStr for Fault {
            type Err = UnknownFault;
            fn from_str(s: &str) -> Result<Self, UnknownFault> {
                match s {
                    $($name => Ok(Fault::$variant),)*
                    _ => Err(UnknownFault(s.to_owned())),
                }
            }
        }
    };
}

faults! {
    TenantClientSecretReturned = "tenant-client-secret-returned":
        "a tenant OAuth client's secret is write-only, never returned (seed elasticio-oauth-clients)",
    TenantCrossTenantVisible = "tenant-cross-tenant-visible":
        "another tenant is indistinguishable from one that does not exist (seed elasticio-oauth-clients)",
    TenantDuplicateAllowed = "tenant-duplicate-allowed":
        "one OAuth client per component per tenant (seed elasticio-oauth-clients)",
    TenantDeleteWhileUsed = "tenant-delete-while-used":
        "an OAuth client cannot be deleted while a flow uses its component (seed elasticio-oauth-clients)",
    ServiceSecretReturned = "service-secret-returned":
        "a service secret is shown only at registration (seed hub-services)",
    UntrustedServiceResource = "untrusted-service-resource":
        "only a trusted service accesses Hub resources on behalf of itself (seed hub-services)",
    RedirectUriPrefixMatch = "redirect-uri-prefix-match":
        "redirect_uri must match a registered URI exactly (RFC 9700 §2.1)",
    RedirectUriUnregisteredRedirect = "redirect-to-unregistered-uri":
        "an unregistered redirect_uri gets an error page, never a redirect (RFC 6749 §4.1.2.1)",
    StateDropped = "state-dropped":
        "state is echoed in the authorization response (RFC 6749 §4.1.2)",
    StateDroppedOnError = "state-dropped-on-error":
        "state is echoed in error redirects (RFC 6749 §4.1.2.1)",
    IssMissing = "iss-missing":
        "authorization responses carry iss (RFC 9207 §2)",
    CodeReusable = "code-reusable":
        "an authorization code is single-use (RFC 6749 §4.1.2)",
    CodeNotBoundToClient = "code-not-bound-to-client":
        "a code is bound to the client it was issued to (RFC 6749 §4.1.3)",
    CodeRedirectUriUnchecked = "code-redirect-uri-unchecked":
        "the token request repeats the authorization redirect_uri (RFC 6749 §4.1.3)",
    CodeNeverExpires = "code-never-expires":
        "authorization codes expire (RFC 6749 §4.1.2)",
    PkceNotVerified = "pkce-not-verified":
        "the code_verifier must match the code_challenge (RFC 7636 §4.6)",
    PkceVerifierOptional = "pkce-verifier-optional":
        "a code issued with a challenge needs a verifier (RFC 9700 §2.1.1)",
    ClientSecretUnchecked = "client-secret-unchecked":
        "the client secret is verified (RFC 6749 §2.3.1)",
    BasicChallengeMissing = "basic-challenge-missing":
        "a failed Basic authentication answers 401 with WWW-Authenticate (RFC 6749 §5.2)",
    RefreshNotRotated = "refresh-not-rotated":
        "a used refresh token dies when rotated (RFC 9700 §4.14.2)",
    RefreshReplayKeepsFamily = "refresh-replay-keeps-family":
        "replaying a rotated refresh token revokes its family (RFC 9700 §4.14.2)",
    RevocationCrossClient = "revocation-cross-client":
        "a client cannot revoke another client's token (RFC 7009 §2.1)",
    RevocationUnknownTokenError = "revocation-unknown-token-error":
        "revoking an unknown token answers 200 (RFC 7009 §2.2)",
    NoStoreMissing = "no-store-missing":
        "token responses carry Cache-Control: no-store (RFC 6749 §5.1)",
    JwtAudienceUnchecked = "jwt-audience-unchecked":
        "a client assertion's aud must name this server (RFC 7523 §3)",
    JwtReplayAllowed = "jwt-replay-allowed":
        "a server MAY refuse a replayed client assertion (its jti), and this one does (RFC 7523 §3)",
    JwtExpiryUnchecked = "jwt-expiry-unchecked":
        "an expired client assertion is refused (RFC 7523 §3)",
    IntrospectionLeaksInactive = "introspection-leaks-inactive":
        "an inactive token SHOULD introspect as {\"active\":false} alone, revealing nothing more (RFC 7662 §2.2)",
    ImplicitRefreshToken = "implicit-refresh-token":
        "the implicit grant never issues a refresh token (RFC 6749 §4.2.2)",
    AppDeleteWithConnectedSource = "app-delete-with-connected-source":
        "a Segment OAuth app with a connected source cannot be deleted (seed segment-oauth-apps)",
    TrackEnforcementIgnored = "track-enforcement-ignored":
        "a source that enforces OAuth needs a Bearer token of its app at /v1/track (seed segment-oauth-apps)",
    TrackOtherAppToken = "track-other-app-token":
        "a source that enforces OAuth accepts only tokens of its connected app (seed segment-oauth-apps)",
    AppTokenRevocationIgnored = "app-token-revocation-ignored":
        "a token revoked by its value on its app's page stops working (seed segment-oauth-apps)",
    SegmentRolesIgnored = "segment-roles-ignored":
        "an account's Segment role decides what it may do with OAuth apps (seed segment-oauth-apps)",
    ParRequestUriReusable = "par-request-uri-reusable":
        "a pushed request's request_uri is used once (RFC 9126 §4)",
    ParRequestUriNotBoundToClient = "par-request-uri-not-bound-to-client":
        "a request_uri is bound to the client that pushed it (RFC 9126 §2.2)",
}

/// A fault name that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault {0:?}")]
pub struct UnknownFault(pub String);

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for f in Fault::ALL {
            assert_eq!(f.name().parse::<Fault>(), Ok(*f));
            assert!(seen.insert(f.name()));
            assert!(!f.rule().is_empty());
        }
        assert!(Fault::ALL.len() >= 15);
        assert!("nope".parse::<Fault>().is_err());
    }

    /// The two rules below MUST say their level as the suite tags their
    /// catchers (`@should` in features/introspection.feature, `@may` in
    /// features/jwt_assertions.feature), so no report calls them a MUST.
    #[test]
    fn rules_below_must_say_their_level() {
        assert!(Fault::IntrospectionLeaksInactive.rule().contains("SHOULD"));
        assert!(Fault::JwtReplayAllowed.rule().contains("MAY"));
        let features = concat!(env!("CARGO_MANIFEST_DIR"), "/../features/");
        let read = |f: &str| std::fs::read_to_string(format!("{features}{f}")).unwrap();
        let tagged = |text: &str, level: &str, scenario: &str| {
            let at = text.find(scenario).expect("the catcher exists");
            let tags = text[..at]
                .lines()
                .rev()
                .find(|l| l.trim_start().starts_with('@'));
            tags.is_some_and(|t| t.split_whitespace().any(|w| w == level))
        };
        assert!(tagged(
            &read("introspection.feature"),
            "@should",
            "Scenario: A revoked token is inactive and nothing more"
        ));
        assert!(tagged(
            &read("jwt_assertions.feature"),
            "@may",
            "Scenario: A replayed assertion is refused"
        ));
    }
}
