//! The embedded reference server: started in-process on a free loopback port
//! with the demo fixture, described by `targets/reference.toml`.

use std::path::PathBuf;

use crate::config::{ConfigError, SourceConfig, Target};

/// Code lifetime the embedded server is configured with, so the expiry
/// scenario waits seconds, not minutes.
pub const CODE_TTL_SECS: u64 = 5;

/// `request_uri` lifetime of the embedded server (RFC 9126), for the same reason.
pub const PAR_TTL_SECS: u64 = 5;

/// Scenarios run at once against the embedded server unless `--concurrency`
/// says otherwise (see [`reference_target`]).
pub const EMBEDDED_CONCURRENCY: usize = 16;

/// The tenant the embedded server adds, invisible to every demo account.
pub const OTHER_TENANT: &str = "other-tenant";

/// A source of the other tenant (`[management.segment].other_tenant_source`).
pub const OTHER_TENANT_SOURCE: &str = "other-source";

/// Sources the embedded server adds to the demo tenant, so that this many
/// Segment scenarios can each hold a source of their own at once.
pub const EXTRA_SOURCES: usize = 6;

/// The shipped reference target file.
pub const REFERENCE_TARGET: &str = include_str!("../targets/reference.toml");

/// Starts the reference server with the demo fixture and returns it with the
/// target that describes it. `faults` names rules to break (needs the server's
/// `faults` feature; a clean build refuses any).
pub async fn start(
    faults: &[String],
) -> Result<(oauth_server_reference::ServerHandle, Target), String> {
    start_with(faults, &[]).await
}

/// [`start`] with the server's legal `variants` on (names of its
/// `[settings.variants]` keys, or `all`): other answers the RFCs allow, which
/// the suite must accept as well (`tests/legal_variants.rs`).
pub async fn start_with(
    faults: &[String],
    variants: &[String],
) -> Result<(oauth_server_reference::ServerHandle, Target), String> {
    let mut config = if faults.is_empty() {
        oauth_server_reference::Config::demo()
    } else {
        // Through the validating parser, so that a build without the server's
        // `faults` feature refuses instead of silently running clean.
        let text = oauth_server_reference::config::DEMO_TOML.replacen(
            "[settings]\n",
            &format!("[settings]\nfaults = {faults:?}\n"),
            1,
        );
        oauth_server_reference::Config::from_toml_str(&text).map_err(|e| e.to_string())?
    };
    config.settings.code_ttl_secs = CODE_TTL_SECS;
    config.settings.par_ttl_secs = PAR_TTL_SECS;
    for name in variants {
        config.settings.variants.enable(name)?;
    }
    let source = |id: String| oauth_server_reference::config::SourceConfig {
        write_key: format!("{id}-write-key"),
        id,
        kind: "http-api".to_owned(),
    };
    if let Some(demo) = config.tenants.iter_mut().find(|t| t.id == "demo-tenant") {
        demo.sources
            .extend((1..=EXTRA_SOURCES).map(|i| source(format!("conformance-source-{i}"))));
    }
    // A tenant no demo account can see, for the isolation scenarios
    // (`[management].other_tenant`).
    config
        .tenants
        .push(oauth_server_reference::config::TenantConfig {
            id: OTHER_TENANT.into(),
            components: vec![oauth_server_reference::config::ComponentConfig {
                id: "salesforce".into(),
                visible: true,
            }],
            flows: Vec::new(),
            sources: vec![source(OTHER_TENANT_SOURCE.into())],
        });
    let addr = "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?;
    let handle = oauth_server_reference::spawn(config, addr)
        .await
        .map_err(|e| format!("cannot start the reference server: {e}"))?;
    let target = reference_target(handle.base_url().as_str()).map_err(|e| e.to_string())?;
    Ok((handle, target))
}

/// `targets/reference.toml` with the issuer replaced and the embedded lifetimes.
pub fn reference_target(issuer: &str) -> Result<Target, ConfigError> {
    let text = REFERENCE_TARGET
        .replace(
            "issuer = \"http://127.0.0.1:8080\"",
            &format!("issuer = \"{}\"", issuer.trim_end_matches('/')),
        )
        .replace(
            "code_lifetime_secs = 60 ",
            &format!("code_lifetime_secs = {CODE_TTL_SECS} "),
        )
        .replace(
            "request_uri_lifetime_secs = 60 ",
            &format!("request_uri_lifetime_secs = {PAR_TTL_SECS} "),
        );
    let mut target = Target::parse(
        &text,
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("targets"),
    )?;
    // Nearly every scenario signs in as the same user, and the server checks at
    // most five passwords of one user at a time, one per core, letting the
    // others wait up to 10 s before answering 503: on a busy two-core machine
    // cucumber's default of 64 scenarios at once can exceed that.
    target.concurrency.get_or_insert(EMBEDDED_CONCURRENCY);
    if let Some(seg) = target.management.as_mut().and_then(|m| m.segment.as_mut()) {
        seg.sources
            .extend((1..=EXTRA_SOURCES).map(|i| SourceConfig {
                id: format!("conformance-source-{i}"),
                write_key: format!("conformance-source-{i}-write-key"),
            }));
        seg.other_tenant_source = Some(OTHER_TENANT_SOURCE.into());
    }
    Ok(target)
}
