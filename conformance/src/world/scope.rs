//! Scope (RFC 6749 §3.3): what a server granted, and whether it said so.
//!
//! "The authorization server MAY fully or partially ignore the scope
//! requested by the client, based on the authorization server policy or the
//! resource owner's instructions. If the issued access token scope is
//! different from the one requested by the client, the authorization server
//! MUST include the "scope" response parameter to inform the client of the
//! actual scope granted." So an unknown or extra scope may be refused
//! (`invalid_scope`), narrowed or ignored; what the server may not do is
//! grant something else without saying so. When the target offers
//! introspection, a response without `scope` is checked against it.

use std::collections::BTreeSet;

use super::*;
use crate::parameters::{Grant, TokenKind, Which};

/// The space-separated values of a scope string.
fn set(s: &str) -> BTreeSet<String> {
    s.split(' ')
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

impl OAuthWorld {
    /// The scope the first token response of the scenario granted: its
    /// `scope` member, else what was requested (RFC 6749 §5.1: `scope` is
    /// "OPTIONAL, if identical to the scope requested by the client").
    fn original_scope(&self) -> Result<Option<BTreeSet<String>>, String> {
        let i = self.issued.first().ok_or("no token was issued")?;
        Ok(i.body
            .get("scope")
            .and_then(|v| v.as_str())
            .map(String::from)
            .or_else(|| i.requested_scope.clone())
            .map(|s| set(&s)))
    }

    /// After a successful token response: when it has no `scope` member the
    /// server granted what was asked (RFC 6749 §3.3); with introspection the
    /// suite checks that it did.
    pub async fn expect_scope_stated_if_changed(&mut self) -> Check {
        self.expect_token_success()?;
        if self.last()?.member("scope").is_some() {
            return Ok(());
        }
        self.introspection_agrees_with_request().await
    }

    /// The latest issued token (which stated no scope) introspects with the
    /// scope that was requested, if the target offers introspection and a
    /// scope was requested.
    async fn introspection_agrees_with_request(&mut self) -> Check {
        let i = self.issued.last().ok_or("no token was issued")?;
        let (role, token) = (i.role, i.access_token.clone());
        let Some(requested) = i.requested_scope.clone() else {
            return Ok(());
        };
        if !self.target.capabilities.introspection {
            return Ok(());
        }
        let introspector = if self.client(role)?.secret.is_some() {
            role
        } else {
            crate::parameters::ClientRole::Confidential
        };
        self.introspect(Some(introspector), token).await?;
        let body = self.last()?.json().unwrap_or_default();
        introspection_agrees(&requested, body.get("scope").and_then(|v| v.as_str()))
    }

    /// A token request with an unknown scope: `invalid_scope`, or a success
    /// that says which scope it granted if that is not the requested one.
    pub async fn expect_invalid_scope_or_honest(&mut self) -> Check {
        if self.last()?.status == 200 {
            return self.expect_scope_stated_if_changed().await;
        }
        expect_oauth_error(self.last()?, &["invalid_scope"])
    }

    /// An authorization request with an unknown scope: an `invalid_scope`
    /// error, or a code (token, for implicit) whose scope is stated when it is
    /// not the requested one (the code is exchanged to see).
    pub async fn expect_auth_invalid_scope_or_honest(&mut self) -> Check {
        // A refusal: `invalid_scope`, or `access_denied` from a server that
        // ignored the unknown scope (§3.3 "MAY fully … ignore") and then had
        // nothing left to grant ("the … authorization server denied the
        // request", §4.1.2.1).
        if self.callback_param("error")?.is_some() {
            return self.expect_auth_error(&["invalid_scope", "access_denied"]);
        }
        if self.is_implicit() {
            self.expect_fragment_token()?;
            if self.callback_param("scope")?.is_some() {
                return Ok(());
            }
            return self.introspection_agrees_with_request().await;
        }
        self.expect_code()?;
        let role = self
            .auth
            .as_ref()
            .map_or(ClientRole::Confidential, |a| a.role);
        self.prepare_token_request(role, Grant::AuthorizationCode)?;
        self.send_token_request().await?;
        if let Some(i) = self.issued.last_mut() {
            // The scope was requested at the authorization endpoint.
            i.requested_scope = self
                .auth
                .as_ref()
                .and_then(|a| a.param("scope").map(String::from));
        }
        self.expect_scope_stated_if_changed().await
    }

    /// A refresh grants no scope beyond the original grant (RFC 6749 §6: "The
    /// requested scope MUST NOT include any scope not originally granted by
    /// the resource owner, and if omitted is treated as equal to the scope
    /// originally granted"); a narrower one must be stated (§3.3).
    pub fn expect_scope_within_original(&self) -> Check {
        self.expect_token_success()?;
        let Some(original) = self.original_scope()? else {
            return Ok(());
        };
        let requested = self
            .token_req
            .as_ref()
            .and_then(|t| t.params.iter().find(|(k, _)| k == "scope"))
            .map(|(_, v)| v.clone());
        granted_within(
            &original,
            self.last()?.member("scope").as_deref(),
            requested.as_deref(),
        )
    }

    /// A refresh asking for more than the original grant: `invalid_scope`,
    /// or a success whose stated scope stays within the original grant.
    pub fn expect_invalid_scope_or_within_original(&self) -> Check {
        let r = self.last()?;
        if r.status == 200 {
            return self.expect_scope_within_original();
        }
        expect_oauth_error(r, &["invalid_scope"])
    }

    /// A request without scope (RFC 6749 §3.3): "the authorization server
    /// MUST either process the request using a pre-defined default value or
    /// fail the request indicating an invalid scope".
    pub fn expect_default_scope_or_invalid(&self) -> Check {
        let r = self.last()?;
        if r.status == 200 {
            return self.expect_token_success();
        }
        expect_oauth_error(r, &["invalid_scope"])
    }

    /// RFC 9700 §4.14.2 for a public client's refresh: rotated (observed), or
    /// sender-constrained as the target declares (the suite cannot observe it).
    pub async fn expect_rotated_or_sender_constrained(&mut self) -> Check {
        let rotated = self.refresh_was_rotated().await;
        rotation_verdict(rotated, self.target.capabilities.refresh_sender_constrained)
    }

    /// The latest refresh token, used by the public client, was rotated: a
    /// new one came back and the old one no longer works.
    pub async fn refresh_was_rotated(&mut self) -> Check {
        let first = self.token(Which::First, TokenKind::Refresh)?;
        let latest = self
            .last()?
            .member("refresh_token")
            .ok_or("the refresh response carries no new refresh_token")?;
        if latest == first {
            return Err("the refresh response returned the same refresh token".into());
        }
        self.probe_refresh_dead(Which::First).await
    }
}

/// A token response without `scope` means the requested scope was granted
/// (RFC 6749 §5.1); `introspected` is what introspection says was granted.
fn introspection_agrees(requested: &str, introspected: Option<&str>) -> Check {
    match introspected {
        Some(granted) if set(granted) != set(requested) => Err(format!(
            "the token was issued for scope {granted:?} while {requested:?} was requested, and the token response has no `scope` member: RFC 6749 §3.3 says the server \"MUST include the \"scope\" response parameter\" when they differ"
        )),
        _ => Ok(()),
    }
}

/// The scope a refresh granted (`stated` in the response, else the
/// `requested` one, else the original) stays within the `original` grant.
fn granted_within(
    original: &BTreeSet<String>,
    stated: Option<&str>,
    requested: Option<&str>,
) -> Check {
    let granted = match (stated, requested) {
        (Some(s), _) | (None, Some(s)) => set(s),
        (None, None) => original.clone(),
    };
    if !granted.is_subset(original) {
        let extra: Vec<&String> = granted.difference(original).collect();
        return Err(format!(
            "the refresh granted {extra:?}, beyond the original grant {original:?} (RFC 6749 §6)"
        ));
    }
    Ok(())
}

/// RFC 9700 §4.14.2: "Refresh tokens for public clients MUST be
/// sender-constrained or use refresh token rotation". `rotated` is what was
/// observed; declaring sender-constraining is the only other way to pass, so
/// declaring "no rotation" alone fails.
fn rotation_verdict(rotated: Check, sender_constrained: bool) -> Check {
    match rotated {
        Ok(()) => Ok(()),
        Err(_) if sender_constrained => Ok(()),
        Err(e) => Err(format!(
            "{e}: RFC 9700 §4.14.2 says refresh tokens for public clients \"MUST be sender-constrained or use refresh token rotation\", and the target declares no sender-constraining (refresh_sender_constrained)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_ignored_silently_is_caught_by_introspection() {
        assert!(introspection_agrees("api", Some("api")).is_ok());
        assert!(
            introspection_agrees("b a", Some("a b")).is_ok(),
            "order does not matter"
        );
        assert!(
            introspection_agrees("api", None).is_ok(),
            "nothing to compare"
        );
        let e = introspection_agrees("api unknown", Some("api")).unwrap_err();
        assert!(e.contains("RFC 6749 §3.3"), "{e}");
    }

    #[test]
    fn a_refresh_may_narrow_but_never_widen() {
        let original = set("api read_user");
        // Narrowed, stated or not; omitted (treated as the original).
        assert!(granted_within(&original, Some("api"), Some("api read_user")).is_ok());
        assert!(granted_within(&original, None, Some("api")).is_ok());
        assert!(granted_within(&original, None, None).is_ok());
        // The server ignored the extra scope and said so: legal (RFC 6749 §3.3).
        assert!(
            granted_within(
                &original,
                Some("api read_user"),
                Some("api read_user offline")
            )
            .is_ok()
        );
        // Granted the wider scope, stated or silently.
        assert!(granted_within(&original, Some("api offline"), None).is_err());
        assert!(granted_within(&original, None, Some("api read_user offline")).is_err());
    }

    #[test]
    fn declaring_no_rotation_does_not_silence_rfc9700_4_14_2() {
        let not_rotated =
            || Err::<(), _>("the refresh response returned the same refresh token".into());
        assert!(rotation_verdict(Ok(()), false).is_ok());
        assert!(
            rotation_verdict(not_rotated(), true).is_ok(),
            "sender-constrained"
        );
        let e = rotation_verdict(not_rotated(), false).unwrap_err();
        assert!(
            e.contains("MUST be sender-constrained or use refresh token rotation"),
            "{e}"
        );
    }
}
