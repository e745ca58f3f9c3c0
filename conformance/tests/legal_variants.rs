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

/// A variant left out of `--variant all` (`Variants::NOT_IN_ALL`): the areas
/// it is run against (the protocol suites; Segment's and Hub's documented
/// token requests carry no scope) and the scenarios that see its answer.
const PROTOCOL_ONLY: &[(&str, &[(&str, &str)])] = &[(
    "require_scope",
    &[(
        "scope",
        "A request without scope gets the default scope or invalid_scope",
    )],
)];

/// The tag filter for the protocol suites: not the management APIs (a
/// management scenario left in would fail, so a wrong filter shows).
const PROTOCOL_SUITES: &str =
    "not @oauth_apps and not @service_registration and not @tenant_oauth_clients";

#[test]
fn every_variant_of_the_server_has_its_proof() {
    let proven: HashSet<&str> = PROOFS.iter().map(|p| p.0).collect();
    let alone: HashSet<&str> = PROTOCOL_ONLY.iter().map(|p| p.0).collect();
    assert_eq!(
        alone,
        Variants::NOT_IN_ALL.iter().copied().collect(),
        "each variant left out of `all` is run on its own"
    );
    let proven: HashSet<&str> = proven.union(&alone).copied().collect();
    for name in Variants::NAMES {
        assert!(
            proven.contains(name),
            "variant {name} has no scenario here that sees its answer"
        );
    }
    for (name, scenarios) in PROOFS.iter().chain(PROTOCOL_ONLY) {
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
    problems.extend(unproven(&run, PROOFS));
    assert!(
        problems.is_empty(),
        "{}\n\nstdout:\n{}\nstderr:\n{}",
        problems.join("\n"),
        run.stdout,
        run.stderr
    );
}

#[test]
fn the_protocol_suites_pass_a_server_that_requires_scope() {
    for (variant, _) in PROTOCOL_ONLY {
        let run = support::run(variant, &["--variant", variant, "-t", PROTOCOL_SUITES]);
        let mut problems = unproven(&run, PROTOCOL_ONLY);
        let bad: Vec<String> = run
            .failed()
            .into_iter()
            .chain(run.skipped())
            .map(|s| format!("{}: {}", s.area, s.name))
            .collect();
        if run.code != Some(0) || !bad.is_empty() {
            problems.push(format!(
                "variant {variant}: exit {:?}, failed or skipped: {bad:#?}",
                run.code
            ));
        }
        assert!(
            problems.is_empty(),
            "{}\n\nstdout:\n{}",
            problems.join("\n"),
            run.stdout
        );
    }
}

/// Each scenario of `proofs` that did not run and pass in `run`.
fn unproven(run: &support::Run, proofs: &[(&str, &[(&str, &str)])]) -> Vec<String> {
    let mut problems = Vec::new();
    for (variant, scenarios) in proofs {
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
    problems
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
