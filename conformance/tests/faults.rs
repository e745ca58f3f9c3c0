//! Proof of power (docs/faults.md): the reference server is started once per
//! deliberate fault, and the suite must report a failure of the scenario that
//! checks the broken rule, tagged with that rule's RFC section. The clean
//! server must pass everything.

mod support;

use std::collections::HashMap;

use oauth_server_reference::Fault;

/// Each fault and the scenario (`area`, name) that must catch it.
const CATCHERS: &[(&str, &str, &str)] = &[
    (
        "redirect-uri-prefix-match",
        "authorization_endpoint",
        "A redirect_uri that differs from the registered one by a path suffix is refused",
    ),
    (
        "redirect-to-unregistered-uri",
        "authorization_endpoint",
        "An unregistered redirect_uri gets an error page, never a redirect",
    ),
    (
        "state-dropped",
        "state",
        "The state \"simple\" comes back byte for byte",
    ),
    (
        "state-dropped-on-error",
        "state",
        "The state comes back with an unsupported response_type error",
    ),
    (
        "iss-missing",
        "authorization_endpoint",
        "A successful response names the issuer",
    ),
    (
        "code-reusable",
        "code_lifecycle",
        "A code can be redeemed only once",
    ),
    (
        "code-not-bound-to-client",
        "code_lifecycle",
        "Another client cannot redeem the code",
    ),
    (
        "code-redirect-uri-unchecked",
        "code_lifecycle",
        "The redirect_uri at the token endpoint must equal the one of the request",
    ),
    (
        "code-never-expires",
        "code_lifecycle",
        "An expired code is refused",
    ),
    (
        "pkce-not-verified",
        "pkce",
        "A wrong code_verifier is refused",
    ),
    (
        "pkce-verifier-optional",
        "pkce",
        "A code issued with a challenge needs the verifier",
    ),
    (
        "client-secret-unchecked",
        "token_endpoint",
        "A wrong Basic secret gets 401 with a Basic challenge",
    ),
    (
        "basic-challenge-missing",
        "token_endpoint",
        "A wrong Basic secret gets 401 with a Basic challenge",
    ),
    (
        "refresh-not-rotated",
        "refresh",
        "A used refresh token dies when rotated",
    ),
    (
        "refresh-replay-keeps-family",
        "refresh",
        "Replaying a rotated-out refresh token revokes the family",
    ),
    (
        "revocation-cross-client",
        "revocation",
        "A client cannot revoke another client's token",
    ),
    (
        "revocation-unknown-token-error",
        "revocation",
        "Revoking an unknown token answers 200",
    ),
    (
        "no-store-missing",
        "transport",
        "A token response carries Cache-Control no-store",
    ),
    (
        "jwt-audience-unchecked",
        "jwt_assertions",
        "A wrong audience is refused",
    ),
    (
        "jwt-replay-allowed",
        "jwt_assertions",
        "A replayed assertion is refused",
    ),
    (
        "jwt-expiry-unchecked",
        "jwt_assertions",
        "An assertion that expired 5 minutes ago is refused",
    ),
    (
        "introspection-leaks-inactive",
        "introspection",
        "A revoked token is inactive and nothing more",
    ),
    (
        "implicit-refresh-token",
        "implicit",
        "The implicit grant never issues a refresh token",
    ),
    (
        "tenant-client-secret-returned",
        "tenant_oauth_clients",
        "The client secret is write-only",
    ),
    (
        "tenant-cross-tenant-visible",
        "tenant_oauth_clients",
        "Another tenant's OAuth clients look exactly like a tenant that does not exist",
    ),
    (
        "tenant-duplicate-allowed",
        "tenant_oauth_clients",
        "A second OAuth client for the same component is refused",
    ),
    (
        "tenant-delete-while-used",
        "tenant_oauth_clients",
        "An OAuth client cannot be deleted while a flow uses its component",
    ),
    (
        "service-secret-returned",
        "service_registration",
        "The service secret is shown only at registration",
    ),
    (
        "untrusted-service-resource",
        "service_registration",
        "Only a trusted service reaches Hub's resource server on its own behalf",
    ),
    (
        "app-delete-with-connected-source",
        "oauth_apps",
        "An app with a connected source cannot be deleted",
    ),
    (
        "track-enforcement-ignored",
        "oauth_apps",
        "An enforcing source needs a Bearer token of its app",
    ),
    (
        "track-other-app-token",
        "oauth_apps",
        "An enforcing source refuses a token of another app",
    ),
    (
        "app-token-revocation-ignored",
        "oauth_apps",
        "A token revoked by its value is refused by the tracking API",
    ),
    (
        "segment-roles-ignored",
        "oauth_apps",
        "A role that may not manage OAuth apps is refused",
    ),
    (
        "par-request-uri-reusable",
        "par",
        "A request_uri is used only once",
    ),
    (
        "par-request-uri-not-bound-to-client",
        "par",
        "A request_uri is bound to the client that pushed it",
    ),
];

/// `"... (RFC 6749 §4.1.2)"` → `rfc6749-4.1.2`; a rule from a seed document,
/// `"... (seed hub-services)"`, → `hub-services`.
fn rule_tag(rule: &str) -> String {
    if !rule.contains("(RFC ") {
        let start = rule.rfind('(').expect("a rule names its source") + 1;
        let inner = rule[start..].trim_end_matches(')');
        let inner = inner.strip_prefix("seed ").unwrap_or(inner);
        return inner.to_ascii_lowercase().replace(' ', "-");
    }
    let start = rule.rfind("(RFC ").expect("a rule names its RFC") + 5;
    let inner = rule[start..].trim_end_matches(')');
    let (rfc, section) = inner.split_once(" §").expect("RFC n §s");
    format!("rfc{rfc}-{section}")
}

#[test]
fn rule_tags_parse() {
    assert_eq!(
        rule_tag("codes are single-use (RFC 6749 §4.1.2)"),
        "rfc6749-4.1.2"
    );
    assert_eq!(
        rule_tag("secrets are write-only (seed hub-services)"),
        "hub-services"
    );
}

#[test]
fn every_fault_has_a_catcher() {
    let known: HashMap<&str, _> = CATCHERS.iter().map(|c| (c.0, c)).collect();
    for f in Fault::ALL {
        assert!(
            known.contains_key(f.name()),
            "no scenario is declared to catch fault {}",
            f.name()
        );
    }
    for (name, ..) in CATCHERS {
        assert!(
            name.parse::<Fault>().is_ok(),
            "{name} is not a server fault"
        );
    }
}

#[test]
fn each_fault_is_caught_by_name_and_the_clean_server_passes() {
    let mut jobs: Vec<(String, Vec<String>)> = vec![("clean".into(), vec![])];
    for f in Fault::ALL {
        let tag = rule_tag(f.rule());
        jobs.push((
            f.name().into(),
            vec![
                "--fault".into(),
                f.name().into(),
                "-t".into(),
                format!("@{tag}"),
            ],
        ));
    }
    // A few processes at a time: each one starts its own server.
    let mut results = Vec::new();
    for chunk in jobs.chunks(4) {
        let handles: Vec<_> = chunk
            .iter()
            .cloned()
            .map(|(label, args)| {
                std::thread::spawn(move || {
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    (label.clone(), support::run(&label, &args))
                })
            })
            .collect();
        results.extend(handles.into_iter().map(|h| h.join().expect("run thread")));
    }
    let mut problems = Vec::new();
    for (label, run) in &results {
        if label == "clean" {
            if let Some(why) = run.not_clean() {
                problems.push(format!("clean server: {why}\n{}", run.stdout));
            }
            continue;
        }
        let fault: Fault = label.parse().expect("fault name");
        let (_, area, name) = CATCHERS.iter().find(|c| c.0 == label).expect("catcher");
        let tag = rule_tag(fault.rule());
        match run.find(area, name) {
            Some(s) if s.failed && s.tags.contains(&tag) => {}
            Some(s) => problems.push(format!(
                "fault {label}: scenario {area}: {name} did not fail (failed={}, tags={:?})",
                s.failed, s.tags
            )),
            None => problems.push(format!(
                "fault {label}: scenario {area}: {name} did not run\n{}",
                run.stdout
            )),
        }
        // Only a MUST catcher fails the run; a SHOULD or MAY one warns.
        let must = run
            .find(area, name)
            .is_some_and(|s| s.tags.iter().any(|t| t == "must"));
        if must && run.code == Some(0) {
            problems.push(format!(
                "fault {label}: the run passed (exit 0) although a MUST rule is broken"
            ));
        }
        if !must && run.code != Some(0) {
            problems.push(format!(
                "fault {label}: a rule below MUST is broken, yet the run failed (exit {:?})\n{}",
                run.code, run.stdout
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
