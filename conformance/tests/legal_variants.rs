//! The suite accepts every answer the RFC allows, shown on a server that gives
//! the other one. The reference server is started with all of its legal
//! variants on (`[settings.variants]`, `server-reference/src/variants.rs`:
//! unknown scopes ignored and the granted scope stated, a missing verifier
//! answered `invalid_request`, `invalid_client` as 400 without a challenge,
//! metadata without `grant_types_supported`, …). The run must pass as a clean
//! one does, and each scenario whose assertion a variant exercises must have
//! run and passed: an assertion narrowed back to the default answer fails here.
//! That each variant really changes the server's answer is proven by
//! `server-reference/tests/legal_variants.rs`.

mod support;

use std::collections::HashSet;

use oauth_server_reference::variants::Variants;

/// Each variant and the scenarios (`area`, name) that see its answer in a run
/// with every variant on.
const PROOFS: &[(&str, &[(&str, &str)])] = &[
    (
        "ignore_unknown_scope",
        &[
            ("scope", "An unknown scope is refused or narrowed openly"),
            (
                "scope",
                "An unknown scope at the authorization endpoint is refused or ignored openly",
            ),
            (
                "state",
                "The state comes back whether an unknown scope is refused or ignored",
            ),
            (
                "implicit",
                "An unknown scope in the implicit grant is refused in the fragment or ignored openly",
            ),
        ],
    ),
    (
        // With every variant on, this one decides the refresh scenarios.
        "refresh_ignores_requested_scope",
        &[
            ("refresh", "A wider scope is refused or not granted"),
            (
                "refresh",
                "A narrower scope is granted within the original grant",
            ),
        ],
    ),
    (
        "missing_verifier_invalid_request",
        &[("pkce", "A code issued with a challenge needs the verifier")],
    ),
    (
        "unexpected_verifier_invalid_request",
        &[(
            "pkce",
            "A verifier sent for a code issued without a challenge is refused",
        )],
    ),
    (
        "invalid_client_400",
        &[
            (
                "token_endpoint",
                "A confidential client without authentication gets invalid_client",
            ),
            (
                "token_endpoint",
                "A wrong secret in the body gets invalid_client",
            ),
            (
                "token_endpoint",
                "A public client that leaves out client_id is refused",
            ),
            ("revocation", "Revocation needs client authentication"),
            (
                "introspection",
                "Introspection needs an authenticated caller",
            ),
            ("jwt_assertions", "A wrong audience is refused"),
        ],
    ),
    (
        "omit_grant_types_supported",
        &[(
            "metadata",
            "The advertised grants include the authorization code",
        )],
    ),
    (
        "ignore_unknown_token_type_hint",
        &[(
            "revocation",
            "An unknown token_type_hint is ignored or refused with unsupported_token_type",
        )],
    ),
    (
        "max_state_chars",
        &[(
            "state",
            "A long state is returned intact or refused, never truncated",
        )],
    ),
];

#[test]
fn every_variant_of_the_server_has_its_proof() {
    let proven: HashSet<&str> = PROOFS.iter().map(|p| p.0).collect();
    for name in Variants::NAMES {
        assert!(
            proven.contains(name),
            "variant {name} has no scenario here that sees its answer"
        );
    }
    for (name, scenarios) in PROOFS {
        assert!(Variants::NAMES.contains(name), "{name} is not a variant");
        assert!(!scenarios.is_empty(), "{name} names no scenario");
    }
}

#[test]
fn the_suite_passes_a_server_giving_every_other_legal_answer() {
    let run = support::run("legal-variants", &["--variant", "all"]);
    let mut problems = Vec::new();
    // As for the clean server: every scenario runs and none fails, whatever
    // its level (the variants are legal, so nothing should even warn).
    problems.extend(run.not_clean());
    for (variant, scenarios) in PROOFS {
        for (area, name) in *scenarios {
            match run.find(area, name) {
                Some(s) if !s.failed && s.skipped.is_none() => {}
                Some(s) => problems.push(format!(
                    "variant {variant}: {area}: {name} did not pass (failed={}, skipped={:?})",
                    s.failed, s.skipped
                )),
                None => problems.push(format!(
                    "variant {variant}: {area}: {name} did not run (renamed or removed?)"
                )),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n\nstdout:\n{}\nstderr:\n{}",
        problems.join("\n"),
        run.stdout,
        run.stderr
    );
}

#[test]
fn an_unknown_variant_stops_the_run() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_oauth-conformance"))
        .args(["--variant", "no_such_variant"])
        .env_remove("CUCUMBER_FILTER_TAGS")
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no_such_variant") && stderr.contains("ignore_unknown_scope"),
        "the message names the variant and the known ones: {stderr}"
    );
}
