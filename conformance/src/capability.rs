//! Typed capabilities: the `@needs-*` tags of the feature files and the
//! capability names of a target file, parsed into enums when the run starts.
//!
//! A misspelled tag used to skip its scenario silently (an unknown need was
//! just "missing"), and a misspelled grant or method name was simply never
//! matched; both left a run that printed PASS. Now [`check_features`] reads
//! every feature file before cucumber starts and [`validate`] reads the
//! target's `[capabilities]`: anything unknown is an error naming it, and the
//! binary exits 2.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use cucumber::gherkin;

use crate::config::{ConfigError, Target};

/// Declares a string-backed enum: variants, their names, `ALL`, `FromStr`
/// (an unknown name lists the known ones) and `Display`.
macro_rules! named {
    ($(#[$m:meta])* $name:ident, $what:literal { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$v),+];

            /// The name used in feature files and target files.
            pub fn name(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($s => Ok(Self::$v),)+
                    other => Err(format!(
                        concat!("unknown ", $what, " {:?} (known: {})"),
                        other,
                        Self::ALL.iter().map(|x| x.name()).collect::<Vec<_>>().join(", ")
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

named! {
    /// What a scenario needs (`@needs-<name>`).
    Need, "capability tag" {
        Implicit = "implicit",
        Password = "password",
        ClientCredentials = "client-credentials",
        Refresh = "refresh",
        RefreshRotation = "refresh-rotation",
        Revocation = "revocation",
        Introspection = "introspection",
        TokenInfo = "token-info",
        Metadata = "metadata",
        Iss = "iss",
        LoopbackAnyPort = "loopback-any-port",
        PrivateKeyJwt = "private-key-jwt",
        JwtPublicKey = "jwt-public-key",
        ClientSecretBasic = "client-secret-basic",
        ClientSecretPost = "client-secret-post",
        SecondClient = "second-client",
        PublicClient = "public-client",
        TwoFactorUser = "two-factor-user",
        Resource = "resource",
        InsufficientScope = "insufficient-scope",
        MultipleRedirectUris = "multiple-redirect-uris",
        /// The confidential client gets a code without a PKCE challenge
        /// (`pkce` is not `required`).
        CodeWithoutPkce = "code-without-pkce",
        /// The user agent drives a login form it can observe (scripted).
        LoginPage = "login-page",
        ConsentPage = "consent-page",
        /// A consent page whose deny the user agent can press.
        ConsentDeny = "consent-deny",
        /// A consent page the user agent recognises by script (so its headers
        /// can be checked without approving or denying).
        ConsentScript = "consent-script",
        TenantOauthClients = "tenant-oauth-clients",
        ReadOnlyAccount = "read-only-account",
        HiddenComponent = "hidden-component",
        UsedComponent = "used-component",
        OtherTenant = "other-tenant",
        ServiceRegistration = "service-registration",
        SegmentOauthApps = "segment-oauth-apps",
        OtherTenantSource = "other-tenant-source",
        SegmentMember = "segment-member",
        SegmentReader = "segment-reader",
        /// Pushed authorization requests (RFC 9126): `[server.endpoints].par`.
        Par = "par",
        /// A `request_uri` lifetime short enough to wait out
        /// (`[timing].request_uri_lifetime_secs`, at most [`MAX_PAR_WAIT_SECS`]).
        ParExpiry = "par-expiry",
    }
}

named! {
    /// `[capabilities].grants`.
    GrantType, "grant type" {
        AuthorizationCode = "authorization_code",
        Implicit = "implicit",
        Password = "password",
        ClientCredentials = "client_credentials",
        RefreshToken = "refresh_token",
        JwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer",
        DeviceCode = "urn:ietf:params:oauth:grant-type:device_code",
    }
}

named! {
    /// `[capabilities].auth_methods` and a client's `auth_method`.
    AuthMethod, "client authentication method" {
        ClientSecretBasic = "client_secret_basic",
        ClientSecretPost = "client_secret_post",
        PrivateKeyJwt = "private_key_jwt",
        ClientSecretJwt = "client_secret_jwt",
        TlsClientAuth = "tls_client_auth",
        SelfSignedTlsClientAuth = "self_signed_tls_client_auth",
        None = "none",
    }
}

named! {
    /// `[capabilities].pkce`.
    PkcePolicy, "pkce policy" {
        Required = "required",
        Public = "public",
        Optional = "optional",
    }
}

named! {
    /// `[capabilities].management_apis`.
    ManagementApi, "management API" {
        TenantOauthClients = "tenant-oauth-clients",
        HubServices = "hub-services",
        SegmentOauthApps = "segment-oauth-apps",
    }
}

named! {
    /// A scenario's requirement level tag.
    LevelTag, "level tag" {
        Must = "must",
        Should = "should",
        May = "may",
        Advice = "advice",
    }
}

/// The longest `request_uri` lifetime the expiry scenario waits out.
pub const MAX_PAR_WAIT_SECS: u64 = 10;

/// Parses every capability name of the target file; the first unknown one is
/// an error naming its key.
pub fn validate(t: &Target) -> Result<(), ConfigError> {
    let bad = |key: &str, e: String| ConfigError::Invalid(format!("{key}: {e}"));
    let c = &t.capabilities;
    for g in &c.grants {
        g.parse::<GrantType>()
            .map_err(|e| bad("[capabilities].grants", e))?;
    }
    for m in &c.auth_methods {
        m.parse::<AuthMethod>()
            .map_err(|e| bad("[capabilities].auth_methods", e))?;
    }
    c.pkce
        .parse::<PkcePolicy>()
        .map_err(|e| bad("[capabilities].pkce", e))?;
    for a in &c.management_apis {
        a.parse::<ManagementApi>()
            .map_err(|e| bad("[capabilities].management_apis", e))?;
    }
    let cl = &t.clients;
    for (key, client) in [
        ("[clients.confidential]", Some(&cl.confidential)),
        ("[clients.confidential2]", cl.confidential2.as_ref()),
        ("[clients.public]", cl.public.as_ref()),
        ("[clients.implicit]", cl.implicit.as_ref()),
        ("[clients.jwt]", cl.jwt.as_ref()),
    ] {
        if let Some(client) = client {
            client
                .auth_method
                .parse::<AuthMethod>()
                .map_err(|e| bad(&format!("{key} auth_method"), e))?;
        }
    }
    Ok(())
}

impl Target {
    /// Whether `[capabilities].grants` lists `g`.
    pub fn has_grant(&self, g: GrantType) -> bool {
        self.capabilities.grants.iter().any(|x| x == g.name())
    }

    /// Whether `[capabilities].auth_methods` lists `m`.
    pub fn has_auth_method(&self, m: AuthMethod) -> bool {
        self.capabilities.auth_methods.iter().any(|x| x == m.name())
    }

    /// `[capabilities].pkce` (validated when the file was loaded).
    pub fn pkce_policy(&self) -> PkcePolicy {
        self.capabilities
            .pkce
            .parse()
            .unwrap_or(PkcePolicy::Optional)
    }

    fn has_management_api(&self, a: ManagementApi) -> bool {
        self.capabilities
            .management_apis
            .iter()
            .any(|x| x == a.name())
    }

    fn has_page_script(&self, kind: &str) -> bool {
        self.interaction.mode == "scripted" && self.interaction.pages.iter().any(|p| p.kind == kind)
    }

    /// Why a scenario with these tags cannot run against this target, if it
    /// cannot. Tags of the form `needs-*` name capabilities; an unknown one
    /// is reported as such (the run refuses to start on one, see
    /// [`check_features`]).
    pub fn missing_capability<'a>(
        &self,
        tags: impl IntoIterator<Item = &'a String>,
    ) -> Option<String> {
        tags.into_iter().find_map(|t| {
            let need = t.strip_prefix("needs-")?;
            match need.parse::<Need>() {
                Ok(n) => self.lacks(n),
                Err(e) => Some(e),
            }
        })
    }

    /// Why this target cannot serve `need`, if it cannot.
    pub fn lacks(&self, need: Need) -> Option<String> {
        let c = &self.capabilities;
        let grant = |g| self.has_grant(g);
        let method = |m| self.has_auth_method(m);
        let mgmt = self.management.as_ref();
        let consent_page = self.interaction.mode != "auto-approve"
            && self.clients.confidential.consent_scope.is_some();
        let (ok, why) = match need {
            Need::Implicit => (
                grant(GrantType::Implicit) && self.clients.implicit.is_some(),
                "the implicit grant and [clients.implicit]",
            ),
            Need::Password => (grant(GrantType::Password), "the password grant"),
            Need::ClientCredentials => (
                grant(GrantType::ClientCredentials)
                    && self.role_may_use("confidential", "client_credentials"),
                "the client_credentials grant (and a confidential client registered for it)",
            ),
            Need::Refresh => (grant(GrantType::RefreshToken), "the refresh_token grant"),
            Need::RefreshRotation => (
                grant(GrantType::RefreshToken)
                    && (c.refresh_rotation || !c.refresh_rotation_for.is_empty()),
                "refresh token rotation (refresh_rotation = true or refresh_rotation_for)",
            ),
            Need::Revocation => (c.revocation, "token revocation (revocation = true)"),
            Need::Introspection => (c.introspection, "introspection (introspection = true)"),
            Need::TokenInfo => (c.token_info, "the token info endpoint (token_info = true)"),
            Need::Metadata => (c.metadata, "RFC 8414 metadata (metadata = true)"),
            Need::Iss => (
                c.iss_parameter,
                "the RFC 9207 iss parameter (iss_parameter = true)",
            ),
            Need::LoopbackAnyPort => (
                c.loopback_any_port && self.clients.public.is_some(),
                "loopback redirects on any port (loopback_any_port = true) and [clients.public]",
            ),
            Need::PrivateKeyJwt => (
                method(AuthMethod::PrivateKeyJwt) && self.clients.jwt.is_some(),
                "private_key_jwt and [clients.jwt]",
            ),
            Need::JwtPublicKey => (
                self.clients
                    .jwt
                    .as_ref()
                    .is_some_and(|j| j.public_key.is_some()),
                "[clients.jwt].public_key",
            ),
            Need::ClientSecretBasic => {
                (method(AuthMethod::ClientSecretBasic), "client_secret_basic")
            }
            Need::ClientSecretPost => (method(AuthMethod::ClientSecretPost), "client_secret_post"),
            Need::SecondClient => (
                self.clients.confidential2.is_some(),
                "[clients.confidential2]",
            ),
            Need::PublicClient => (self.clients.public.is_some(), "[clients.public]"),
            Need::TwoFactorUser => (
                self.users
                    .two_factor
                    .as_ref()
                    .is_some_and(|u| u.totp_secret.is_some()),
                "[users.two_factor] with a totp_secret",
            ),
            Need::Resource => (self.resource.is_some(), "a [resource] probe"),
            Need::InsufficientScope => (
                self.resource
                    .as_ref()
                    .is_some_and(|r| r.insufficient_scope.is_some()),
                "[resource].insufficient_scope",
            ),
            Need::MultipleRedirectUris => (
                self.clients.confidential.redirect_uris.len() > 1,
                "two registered redirect_uris on [clients.confidential]",
            ),
            Need::CodeWithoutPkce => (
                self.pkce_policy() != PkcePolicy::Required,
                "codes issued without a PKCE challenge (pkce = \"public\" or \"optional\"; with pkce = \"required\" no code is issued without one, so a verifier sent for such a code cannot be tried)",
            ),
            Need::LoginPage => (
                self.has_page_script("login"),
                "a login page the user agent drives (scripted interaction with a kind = \"login\" page)",
            ),
            Need::ConsentPage => (
                consent_page,
                "a consent page (scripted or manual interaction and [clients.confidential].consent_scope)",
            ),
            Need::ConsentDeny => (
                consent_page
                    && (self.interaction.mode == "manual"
                        || self
                            .interaction
                            .pages
                            .iter()
                            .any(|p| p.kind == "consent" && p.deny.is_some())),
                "a consent page with a deny button (a kind = \"consent\" page with `deny`, and [clients.confidential].consent_scope)",
            ),
            Need::ConsentScript => (
                consent_page && self.has_page_script("consent"),
                "a consent page the user agent recognises (scripted interaction with a kind = \"consent\" page, and [clients.confidential].consent_scope)",
            ),
            Need::TenantOauthClients => (
                mgmt.is_some() && self.has_management_api(ManagementApi::TenantOauthClients),
                "the tenant OAuth-client API (management_apis = [\"tenant-oauth-clients\"] and [management])",
            ),
            Need::ReadOnlyAccount => (
                mgmt.is_some_and(|m| m.reader.is_some()),
                "[management].reader",
            ),
            Need::HiddenComponent => (
                mgmt.is_some_and(|m| m.hidden_component.is_some()),
                "[management].hidden_component",
            ),
            Need::UsedComponent => (
                mgmt.is_some_and(|m| m.creates_components || m.used_component.is_some()),
                "[management].used_component or creates_components = true",
            ),
            Need::OtherTenant => (
                mgmt.is_some_and(|m| m.other_tenant.is_some()),
                "[management].other_tenant",
            ),
            Need::ServiceRegistration => (
                self.has_management_api(ManagementApi::HubServices)
                    && mgmt.is_some_and(|m| m.hub_admin.is_some()),
                "Hub service registration (management_apis = [\"hub-services\"] and [management].hub_admin)",
            ),
            Need::SegmentOauthApps => (
                self.has_management_api(ManagementApi::SegmentOauthApps)
                    && self.segment().is_some(),
                "Segment OAuth apps (management_apis = [\"segment-oauth-apps\"] and [management.segment])",
            ),
            Need::OtherTenantSource => (
                mgmt.is_some_and(|m| m.other_tenant.is_some())
                    && self
                        .segment()
                        .is_some_and(|s| s.other_tenant_source.is_some()),
                "[management].other_tenant and [management.segment].other_tenant_source",
            ),
            Need::SegmentMember => (
                self.segment().is_some_and(|s| s.member.is_some()),
                "[management.segment].member",
            ),
            Need::SegmentReader => (
                self.segment().is_some_and(|s| s.reader.is_some()),
                "[management.segment].reader",
            ),
            Need::Par => (
                self.server.endpoints.par.is_some(),
                "a pushed authorization request endpoint ([server.endpoints].par)",
            ),
            Need::ParExpiry => (
                self.server.endpoints.par.is_some()
                    && self
                        .timing
                        .request_uri_lifetime_secs
                        .is_some_and(|s| s <= MAX_PAR_WAIT_SECS),
                "[server.endpoints].par and a request_uri lifetime of at most 10 s ([timing].request_uri_lifetime_secs)",
            ),
        };
        (!ok).then(|| format!("target does not declare {why}"))
    }
}

/// The tags of every scenario in `dir`'s `.feature` files, checked: each
/// `@needs-*` names a known [`Need`] and each scenario carries exactly one
/// level tag. Returns the number of scenarios (examples of an outline
/// counted one by one), or every problem, each naming its file, line and tag.
pub fn check_features(dir: &Path) -> Result<usize, String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "feature"))
        .collect();
    files.sort();
    let mut problems = Vec::new();
    let mut count = 0;
    for path in files {
        let f = gherkin::Feature::parse_path(&path, gherkin::GherkinEnv::default())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let scenarios = f.scenarios.iter().map(|s| (None, s)).chain(
            f.rules
                .iter()
                .flat_map(|r| r.scenarios.iter().map(move |s| (Some(r), s))),
        );
        for (rule, s) in scenarios {
            let tags = crate::verdict::tags_of(&f, rule, s);
            let at = format!("{}:{}", path.display(), s.position.line);
            problems.extend(
                tag_problems(&tags)
                    .into_iter()
                    .map(|p| format!("{at}: {p}")),
            );
            count += s
                .examples
                .iter()
                .map(|e| {
                    e.table
                        .as_ref()
                        .map_or(0, |t| t.rows.len().saturating_sub(1))
                })
                .sum::<usize>()
                .max(1);
        }
    }
    if problems.is_empty() {
        Ok(count)
    } else {
        Err(problems.join("\n"))
    }
}

/// What is wrong with one scenario's tags (feature and rule tags included).
pub fn tag_problems(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = tags
        .iter()
        .filter_map(|t| t.strip_prefix("needs-"))
        .filter_map(|n| n.parse::<Need>().err())
        .map(|e| format!("@needs-…: {e}"))
        .collect();
    let levels: Vec<&String> = tags
        .iter()
        .filter(|t| t.parse::<LevelTag>().is_ok())
        .collect();
    if levels.len() != 1 {
        out.push(format!(
            "a scenario needs exactly one level tag (@must, @should, @may or @advice), has {levels:?}"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_need_round_trips_and_unknown_tags_are_named() {
        for n in Need::ALL {
            assert_eq!(n.name().parse::<Need>(), Ok(*n));
        }
        let err = "refresh-rotaton".parse::<Need>().unwrap_err();
        assert!(
            err.contains("\"refresh-rotaton\"") && err.contains("refresh-rotation"),
            "{err}"
        );
    }

    #[test]
    fn tag_problems_name_the_tag_and_the_level() {
        let t = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(tag_problems(&t(&["must", "needs-refresh"])).is_empty());
        let p = tag_problems(&t(&["must", "needs-refesh"]));
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("refesh"), "{p:?}");
        assert_eq!(tag_problems(&t(&["shuold"])).len(), 1, "no level tag");
        assert_eq!(
            tag_problems(&t(&["must", "may"])).len(),
            1,
            "two level tags"
        );
    }

    #[test]
    fn the_shipped_features_parse_and_are_counted() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../features");
        let n = check_features(&dir).expect("every shipped tag is known");
        assert!(n > 150, "{n}");
    }

    #[test]
    fn a_misspelled_tag_in_a_feature_file_is_an_error_naming_it() {
        let dir = std::env::temp_dir().join(format!("capability-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("x.feature"),
            "Feature: X\n  @must @needs-pasword\n  Scenario: s\n    Given a\n",
        )
        .unwrap();
        let err = check_features(&dir).unwrap_err();
        assert!(
            err.contains("x.feature:3") && err.contains("pasword"),
            "{err}"
        );
    }

    #[test]
    fn capability_names_are_validated() {
        let text = crate::embedded::REFERENCE_TARGET.replace(
            "\"client_credentials\", \"refresh_token\"",
            "\"client_credential\", \"refresh_token\"",
        );
        let err = Target::parse(&text, std::path::PathBuf::new())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("[capabilities].grants") && err.contains("client_credential"),
            "{err}"
        );
        let text =
            crate::embedded::REFERENCE_TARGET.replace("pkce = \"public\"", "pkce = \"sometimes\"");
        let err = Target::parse(&text, std::path::PathBuf::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("sometimes"), "{err}");
    }
}
