//! The target file (docs/target-file.md): which server to test, what it supports, and how
//! the user agent gets through its login and consent pages.
//!
//! Every table is documented in `conformance/targets/reference.toml`.
//!
//! - [`schema`]: the tables and keys, as serde reads them (unknown keys refused);
//! - [`validate`]: what a file must hold beyond its types (one clear error each);
//! - [`urls`]: endpoint paths resolved against the issuer (or its origin);
//! - `clients.rs`: which client plays a role for a grant, rotation per client
//!   type; `pages.rs`: forms, buttons and links of scripted pages.
//!
//! What a scenario may run against the target (its `@needs-*` tags) is
//! decided in `crate::capability`.

use std::fmt;
use std::path::{Path, PathBuf};

mod clients;
mod pages;
mod schema;
mod urls;
mod validate;

pub use pages::{FormChoice, PathBase};
pub use schema::*;
pub use urls::Endpoint;

/// Errors while loading a target file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read target file {path}: {source}")]
    Read {
        /// File that failed.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The TOML is malformed or a field has the wrong type.
    #[error("invalid target file: {0}")]
    Toml(#[from] toml::de::Error),
    /// A value is present but unusable.
    #[error("invalid target file: {0}")]
    Invalid(String),
}

impl Target {
    /// Reads and validates a target file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::parse(&text, base)
    }

    /// Parses target TOML; relative key paths resolve against `base_dir`.
    pub fn parse(text: &str, base_dir: PathBuf) -> Result<Self, ConfigError> {
        let mut target: Target = toml::from_str(text)?;
        target.base_dir = base_dir;
        target.validate()?;
        Ok(target)
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("issuer", &self.server.issuer.as_str())
            .field("capabilities", &self.capabilities)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference_text() -> String {
        std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("targets/reference.toml"),
        )
        .unwrap()
    }

    fn reference() -> Target {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("targets");
        Target::load(&dir.join("reference.toml")).expect("reference.toml parses")
    }

    #[test]
    fn shipped_targets_parse() {
        let t = reference();
        assert_eq!(t.clients.confidential.id, "demo-confidential");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("targets");
        let g = Target::load(&dir.join("gitlab-example.toml")).expect("gitlab example parses");
        assert!(
            g.missing_capability(&["needs-private-key-jwt".to_string()])
                .is_some()
        );
        assert!(
            g.missing_capability(&["needs-service-registration".to_string()])
                .unwrap()
                .contains("hub_admin")
        );
        assert!(
            g.missing_capability(&["needs-segment-oauth-apps".to_string()])
                .unwrap()
                .contains("[management.segment]")
        );
        assert!(
            t.missing_capability(&["needs-other-tenant-source".to_string()])
                .unwrap()
                .contains("other_tenant_source"),
            "a standalone demo server has no source in another tenant"
        );
        for need in [
            "tenant-oauth-clients",
            "service-registration",
            "other-tenant",
            "segment-oauth-apps",
            "segment-member",
            "segment-reader",
        ] {
            assert_eq!(t.missing_capability(&[format!("needs-{need}")]), None);
        }
    }

    #[test]
    fn interop_target_parses_and_describes_oidc_provider() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("interop");
        let t = Target::load(&dir.join("oidc-provider.toml")).expect("oidc-provider.toml parses");
        assert_eq!(t.endpoint(Endpoint::Token).path(), "/token");
        assert_eq!(t.metadata_url().path(), "/.well-known/openid-configuration");
        let service = t
            .choose_client("confidential", "client_credentials", None)
            .unwrap();
        assert_eq!(service.id, "conformance-service");
        assert!(t.rotates_refresh_tokens(true) && !t.rotates_refresh_tokens(false));
        assert_eq!(
            t.clients.confidential.wider_scope.as_deref(),
            Some("openid api read")
        );
        let consent = t
            .interaction
            .pages
            .iter()
            .find(|p| p.kind == "consent")
            .unwrap();
        assert!(consent.submit.name.is_empty() && consent.deny.as_ref().unwrap().link.is_some());
    }

    #[test]
    fn origin_paths_skip_the_issuer_path() {
        let text = reference_text().replace(
            "issuer = \"http://127.0.0.1:8080\"",
            "issuer = \"http://127.0.0.1:8080/realms/demo\"",
        );
        let t = Target::parse(&text, PathBuf::new()).unwrap();
        assert_eq!(
            t.endpoint(Endpoint::Token).path(),
            "/realms/demo/oauth/token"
        );
        let t = Target::parse(
            &text.replacen(
                "\n[server.endpoints]\n",
                "\npaths = \"origin\"\n[server.endpoints]\n",
                1,
            ),
            PathBuf::new(),
        )
        .unwrap();
        assert_eq!(t.endpoint(Endpoint::Token).path(), "/oauth/token");
        assert_eq!(t.url("api/v4/user").path(), "/realms/demo/api/v4/user");
    }

    #[test]
    fn bad_page_scripts_and_concurrency_are_clear_errors() {
        let text = reference_text();
        let both = text.replace(
            "deny = { name = \"decision\", value = \"deny\" }",
            "deny = { name = \"decision\", link = \"Cancel\" }",
        );
        let err = Target::parse(&both, PathBuf::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("deny") && err.contains("link"), "{err}");
        let form = text.replace(
            "submit = { name = \"decision\", value = \"allow\" }",
            "form = { id = \"f\", index = 0 }\nsubmit = { name = \"decision\", value = \"allow\" }",
        );
        let err = Target::parse(&form, PathBuf::new())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("exactly one of id, index or action_contains"),
            "{err}"
        );
        let zero = text.replacen("\n[server]\n", "\nconcurrency = 0\n[server]\n", 1);
        let err = Target::parse(&zero, PathBuf::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("concurrency"), "{err}");
        let ok = text.replacen("\n[server]\n", "\nconcurrency = 4\n[server]\n", 1);
        assert_eq!(
            Target::parse(&ok, PathBuf::new()).unwrap().concurrency,
            Some(4)
        );
    }

    #[test]
    fn endpoints_resolve_against_issuer() {
        let t = reference();
        assert_eq!(t.endpoint(Endpoint::Token).path(), "/oauth/token");
        assert_eq!(
            t.metadata_url().path(),
            "/.well-known/oauth-authorization-server"
        );
    }

    #[test]
    fn capability_tags_gate_scenarios() {
        let mut t = reference();
        assert_eq!(t.missing_capability(&["needs-password".to_string()]), None);
        t.capabilities.grants.retain(|g| g != "password");
        let why = t.missing_capability(&["must".to_string(), "needs-password".to_string()]);
        assert!(why.unwrap().contains("password grant"));
        assert!(
            t.missing_capability(&["needs-nonsense".to_string()])
                .unwrap()
                .contains("unknown")
        );
    }

    #[test]
    fn bad_mode_is_a_clear_error() {
        let text = reference_text().replace("mode = \"scripted\"", "mode = \"telepathy\"");
        let err = Target::parse(&text, PathBuf::new()).unwrap_err();
        assert!(err.to_string().contains("telepathy"), "{err}");
    }

    #[test]
    fn segment_needs_two_key_pairs_and_a_source() {
        let text = reference_text().replace(
            "sources = [{ id = \"demo-source\", write_key = \"demo-write-key\" }]",
            "sources = []",
        );
        let err = Target::parse(&text, PathBuf::new()).unwrap_err();
        assert!(err.to_string().contains("[management.segment]"), "{err}");
    }

    #[test]
    fn debug_hides_secrets() {
        let t = reference();
        let s = format!("{:?}", t.clients.confidential);
        assert!(!s.contains("demo-confidential-secret"), "{s}");
    }
}
