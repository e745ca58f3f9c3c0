//! Which registered client plays a role in this scenario. A target may list
//! several clients per role (`[[clients.extra]]`), each registered for its own
//! grants and authentication method; the first step that needs a grant picks
//! a client that may use it, and the scenario keeps that client for as long
//! as it fits, so a code or refresh token is redeemed by the client it was
//! issued to.

use super::*;

/// The target-file name of a role (`[clients.<name>]`, `role = "<name>"`).
pub(super) fn role_name(role: ClientRole) -> &'static str {
    match role {
        ClientRole::Confidential => "confidential",
        ClientRole::Second => "confidential2",
        ClientRole::Public => "public",
        ClientRole::Implicit => "implicit",
        ClientRole::Jwt => "jwt",
    }
}

impl OAuthWorld {
    /// Picks the client that plays `role` for `grant` (and, when given,
    /// authenticates with `method`), unless the one already playing it fits.
    pub(crate) fn choose_client(&mut self, role: ClientRole, grant: &str, method: Option<&str>) {
        let current = self
            .chosen
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, c)| *c);
        if current.is_some_and(|c| c.may_use(grant) && method.is_none_or(|m| c.auth_method == m)) {
            return;
        }
        let Some(c) = self.target.choose_client(role_name(role), grant, method) else {
            return;
        };
        self.chosen.retain(|(r, _)| *r != role);
        self.chosen.push((role, c));
    }

    /// The client chosen for `role` in this scenario, if one was.
    pub(crate) fn chosen_client(&self, role: ClientRole) -> Option<&'static ClientConfig> {
        self.chosen
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, c)| *c)
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::config::Target;

    fn target(extra: &str) -> Target {
        let text = format!(
            r#"
[server]
issuer = "http://127.0.0.1:1"
[capabilities]
grants = ["authorization_code", "client_credentials", "refresh_token"]
auth_methods = ["client_secret_basic", "client_secret_post"]
[clients.confidential]
id = "web"
secret = "s"
grants = ["authorization_code", "refresh_token"]
redirect_uris = ["http://127.0.0.1:9876/callback"]
{extra}
[users.user]
username = "u"
password = "p"
"#
        );
        Target::parse(&text, PathBuf::new()).expect("target parses")
    }

    /// Two client-credentials services standing in for the confidential
    /// client, one per authentication method.
    const SERVICES: &str = r#"
[[clients.extra]]
role = "confidential"
id = "service"
secret = "s"
scope = "api"
grants = ["client_credentials"]
[[clients.extra]]
role = "confidential"
id = "service-post"
secret = "s"
scope = "api read"
auth_method = "client_secret_post"
grants = ["client_credentials"]
"#;

    #[test]
    fn an_extra_client_stands_in_for_a_grant_its_role_lacks() {
        let t = target(SERVICES);
        let pick = |g, m| t.choose_client("confidential", g, m).unwrap().id.as_str();
        assert_eq!(pick("authorization_code", None), "web");
        assert_eq!(pick("client_credentials", None), "service");
        assert_eq!(
            pick("client_credentials", Some("client_secret_post")),
            "service-post"
        );
        assert_eq!(
            pick("password", None),
            "web",
            "nobody fits: the role's own client"
        );
        assert_eq!(
            t.missing_capability(&["needs-client-credentials".to_string()]),
            None
        );
    }

    #[test]
    fn a_scenario_keeps_its_client_while_it_fits() {
        use crate::parameters::{AuthMode, ClientRole, Grant};
        let t: &'static Target = Box::leak(Box::new(target(SERVICES)));
        let mut w = super::OAuthWorld::with_target(t);
        let role = ClientRole::Confidential;
        w.start_authorization(role, "code").unwrap();
        assert_eq!(w.client(role).unwrap().id, "web");
        w.choose_client(role, "refresh_token", None);
        assert_eq!(
            w.client(role).unwrap().id,
            "web",
            "the code's client refreshes"
        );
        w.prepare_token_request(role, Grant::ClientCredentials)
            .unwrap();
        assert_eq!(w.client(role).unwrap().id, "service");
        w.set_token_auth(AuthMode::Post).unwrap();
        assert_eq!(w.client(role).unwrap().id, "service-post");
        let scope = w
            .token_req
            .as_ref()
            .unwrap()
            .params
            .iter()
            .find(|p| p.0 == "scope");
        assert_eq!(scope.unwrap().1, "api read", "the scope follows the client");
        w.set_token_auth(AuthMode::Both).unwrap();
        assert_eq!(
            w.client(role).unwrap().id,
            "service-post",
            "no method: kept"
        );
    }

    #[test]
    fn a_role_without_a_client_for_the_grant_skips_its_scenarios() {
        let t = target("");
        let why = t
            .missing_capability(&["needs-client-credentials".to_string()])
            .expect("no confidential client may use client_credentials");
        assert!(why.contains("client_credentials"), "{why}");
    }

    #[test]
    fn an_extra_client_needs_a_known_role() {
        let text = target("").clients.confidential.id.clone();
        assert_eq!(text, "web");
        let bad = r#"
[server]
issuer = "http://127.0.0.1:1"
[clients.confidential]
id = "web"
redirect_uris = ["http://127.0.0.1:9876/callback"]
[[clients.extra]]
role = "service"
id = "svc"
[users.user]
username = "u"
password = "p"
"#;
        let err = Target::parse(bad, PathBuf::new()).unwrap_err().to_string();
        assert!(err.contains("svc") && err.contains("\"service\""), "{err}");
    }
}
