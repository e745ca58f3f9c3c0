//! Reports and robustness: JUnit XML parses back, Cucumber JSON is valid, and a
//! target file with a wrong client secret gives clear failures, not a crash.

mod support;

use quick_xml::events::{BytesStart, Event};

/// A `<testsuite>` of a JUnit report: its counts as stated and its cases.
#[derive(Debug)]
struct Suite {
    name: String,
    tests: usize,
    skipped: Option<usize>,
    cases: Vec<Case>,
}

#[derive(Debug)]
struct Case {
    name: String,
    failed: bool,
    /// `<skipped message="…"/>`: the message.
    skipped: Option<String>,
}

fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.try_get_attribute(key)
        .expect("well-formed attributes")
        .map(|a| {
            a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                .expect("escaped value")
                .into_owned()
        })
}

/// Parses a JUnit report back; panics unless it is well-formed XML.
fn junit_suites(xml: &str) -> Vec<Suite> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut suites: Vec<Suite> = Vec::new();
    loop {
        let event = reader.read_event().expect("well-formed JUnit XML");
        let (Event::Start(e) | Event::Empty(e)) = event else {
            if event == Event::Eof {
                break;
            }
            continue;
        };
        let suite = suites.last_mut();
        match (e.name().as_ref(), suite) {
            (b"testsuite", _) => suites.push(Suite {
                name: attr(&e, "name").expect("a suite name"),
                tests: attr(&e, "tests").map_or(0, |n| n.parse().expect("a count")),
                skipped: attr(&e, "skipped").map(|n| n.parse().expect("a count")),
                cases: Vec::new(),
            }),
            (b"testcase", Some(suite)) => suite.cases.push(Case {
                name: attr(&e, "name").expect("a case name"),
                failed: false,
                skipped: None,
            }),
            (b"failure" | b"error", Some(suite)) => {
                suite.cases.last_mut().expect("inside a testcase").failed = true;
            }
            (b"skipped", Some(suite)) => {
                suite.cases.last_mut().expect("inside a testcase").skipped =
                    Some(attr(&e, "message").unwrap_or_default());
            }
            _ => {}
        }
    }
    suites
}

fn junit_counts(xml: &str) -> (usize, usize) {
    let cases: Vec<Case> = junit_suites(xml)
        .into_iter()
        .flat_map(|s| s.cases)
        .collect();
    let failures = cases.iter().filter(|c| c.failed).count();
    (cases.len(), failures)
}

#[test]
fn junit_parses_back_and_json_is_valid() {
    let junit = support::tmp("state.xml");
    let run = support::run(
        "state-junit",
        &[
            "-t",
            "@state",
            "--junit",
            junit.to_str().expect("utf-8 path"),
        ],
    );
    let xml = std::fs::read_to_string(&junit).expect("JUnit file written");
    let (cases, failures) = junit_counts(&xml);
    assert_eq!(cases, run.scenarios.len(), "one testcase per scenario");
    assert!(
        cases >= 5,
        "the state suite has at least 5 scenarios, got {cases}"
    );
    assert_eq!(
        failures,
        run.failed().len(),
        "JUnit and JSON agree on failures"
    );
    assert!(
        run.json.as_array().is_some_and(|a| !a.is_empty()),
        "JSON lists the features"
    );
    assert!(run.scenarios.iter().all(|s| {
        s.tags
            .iter()
            .any(|t| t == "must" || t == "should" || t == "may")
    }));
}

#[test]
fn a_wrong_client_secret_gives_clear_failures_not_a_crash() {
    let text = oauth_conformance::embedded::REFERENCE_TARGET.replace(
        "secret = \"demo-confidential-secret\"",
        "secret = \"not-the-secret\"",
    );
    let target = support::tmp("wrong-secret.toml");
    // The server: an embedded one in this process, described by the edited file.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (handle, _) = rt
        .block_on(oauth_conformance::embedded::start(&[]))
        .expect("server starts");
    let text = text
        .replace(
            "http://127.0.0.1:8080",
            handle.base_url().as_str().trim_end_matches('/'),
        )
        .replace(
            "../../server-reference",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../server-reference"),
        );
    std::fs::write(&target, text).expect("write target");
    let run = support::run(
        "wrong-secret",
        &[
            "--target",
            target.to_str().expect("utf-8"),
            "-t",
            "@client_credentials",
        ],
    );
    drop(handle);
    assert_eq!(
        run.code,
        Some(1),
        "a failed MUST run exits 1, not a crash\n{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        !run.stderr.contains("panicked at"),
        "no panic: {}",
        run.stderr
    );
    assert!(
        run.stdout.contains("invalid_client") || run.stdout.contains("HTTP 401"),
        "the failure says why:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("FAIL: "),
        "the summary gives the verdict:\n{}",
        run.stdout
    );
}

#[test]
fn an_unreadable_target_file_is_a_clear_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_oauth-conformance"))
        .args(["--target", "/nonexistent/target.toml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read target file"), "{err}");
}

/// A copy of the reference target pointing at a server of this process.
fn reference_target_for(
    base: &str,
    edit: impl Fn(String) -> String,
    name: &str,
) -> std::path::PathBuf {
    let text = oauth_conformance::embedded::REFERENCE_TARGET
        .replace("http://127.0.0.1:8080", base.trim_end_matches('/'))
        .replace(
            "../../server-reference",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../server-reference"),
        );
    let path = support::tmp(name);
    std::fs::write(&path, edit(text)).expect("write target");
    path
}

#[test]
fn undeclared_capabilities_skip_with_a_reason_and_expected_failures_are_enforced() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (handle, _) = rt
        .block_on(oauth_conformance::embedded::start(&[]))
        .expect("server starts");
    let base = handle.base_url().to_string();

    // The password grant is not declared: its suite, and the token endpoint's
    // scenario that needs it, are skipped with the reason, on the console and
    // in both reports.
    let no_password = reference_target_for(
        &base,
        |t| t.replace("\"implicit\", \"password\",", "\"implicit\","),
        "no-password.toml",
    );
    let (run, suites) = run_with_junit("skips", &no_password, "@password or @state or @token");
    let reason = "target does not declare the password grant";
    // A whole area skipped for one reason is one console line.
    assert!(
        run.stdout
            .contains(&format!("SKIP  password: 5 scenarios — {reason}")),
        "the area's skips are one line with their reason:\n{}",
        run.stdout
    );
    skips_are_reported(&run, &suites, reason);

    // Nothing runs at all: both reports are still written, with every skip.
    let (run, suites) = run_with_junit("only-skips", &no_password, "@password");
    assert_eq!((run.skipped().len(), run.scenarios.len()), (5, 5));
    assert_eq!(suites.len(), 1, "{suites:#?}");
    assert_eq!((suites[0].tests, suites[0].skipped), (5, Some(5)));

    // An expected failure that now passes fails the run; so does a regression.
    let expected = support::tmp("expected.txt");
    std::fs::write(
        &expected,
        "# known\nstate: Without a state the flow succeeds and no state comes back\n",
    )
    .expect("write");
    let target = reference_target_for(&base, |t| t, "reference.toml");
    let run = support::run(
        "expected",
        &[
            "--target",
            target.to_str().expect("utf-8"),
            "-t",
            "@state",
            "--expected-failures",
            expected.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    assert!(
        run.stdout.contains("Expected failures that now PASS"),
        "{}",
        run.stdout
    );
    drop(handle);
}

/// Runs the suites tagged `tags` against `target` and requires a passing
/// run; gives the run and its JUnit report.
fn run_with_junit(label: &str, target: &std::path::Path, tags: &str) -> (support::Run, Vec<Suite>) {
    let junit = support::tmp(&format!("{label}.xml"));
    let run = support::run(
        label,
        &[
            "--target",
            target.to_str().expect("utf-8"),
            "-t",
            tags,
            "--junit",
            junit.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let xml = std::fs::read_to_string(&junit).expect("JUnit file written");
    (run, junit_suites(&xml))
}

/// The JSON and JUnit reports (`suites`) of `run` list every skip of its console summary
/// (5 password scenarios, one token endpoint scenario), each with `reason`.
fn skips_are_reported(run: &support::Run, suites: &[Suite], reason: &str) {
    let grant = "A grant the client may not use gets unauthorized_client";
    // Each report lists every skip of the console summary, with its reason.
    let agree = |report: &str, reasons: Vec<&str>| {
        assert_eq!(
            reasons.len(),
            run.summary_skips(),
            "{report} and the console agree on skips"
        );
        assert!(
            reasons.iter().all(|r| r.contains(reason)),
            "each skip in {report} says why: {reasons:#?}"
        );
    };
    assert_eq!(run.skipped().len(), 6, "{:#?}", run.skipped());
    agree(
        "JSON",
        run.skipped()
            .iter()
            .filter_map(|s| s.skipped.as_deref())
            .collect(),
    );
    assert!(
        run.scenarios
            .iter()
            .filter(|s| s.area == "password")
            .all(|s| s.skipped.is_some()),
        "password scenarios did not run"
    );
    for (area, name) in [
        ("password", "Valid credentials give tokens"),
        ("token_endpoint", grant),
    ] {
        let s = run
            .find(area, name)
            .unwrap_or_else(|| panic!("{area}: {name} in JSON"));
        assert!(s.skipped.is_some() && !s.failed, "{s:?}");
        assert!(s.tags.iter().any(|t| t == "must"), "tags are kept: {s:?}");
    }
    assert!(
        run.find("token_endpoint", "The token endpoint refuses GET")
            .is_some_and(|s| s.skipped.is_none()),
        "the token endpoint suite also ran: {:#?}",
        run.scenarios
    );

    for s in suites {
        let skips = s.cases.iter().filter(|c| c.skipped.is_some()).count();
        assert_eq!(
            s.tests,
            s.cases.len(),
            "tests=\"{}\" counts {}",
            s.tests,
            s.name
        );
        assert_eq!(s.skipped, Some(skips), "skipped=\"…\" counts {}", s.name);
    }
    let cases: Vec<&Case> = suites.iter().flat_map(|s| &s.cases).collect();
    assert_eq!(cases.len(), run.scenarios.len(), "JUnit and JSON agree");
    agree(
        "JUnit",
        cases.iter().filter_map(|c| c.skipped.as_deref()).collect(),
    );
    let suite = |file: &str| {
        suites
            .iter()
            .find(|s| s.name.starts_with("Feature: ") && s.name.ends_with(file))
            .unwrap_or_else(|| panic!("a testsuite for {file}: {suites:#?}"))
    };
    let password = suite("password.feature");
    assert_eq!(password.cases.len(), 5, "{password:#?}");
    assert!(
        password.cases.iter().all(|c| c.skipped.is_some()),
        "{password:#?}"
    );
    assert!(
        password.cases.iter().any(|c| {
            c.name
                .starts_with("Scenario: Valid credentials give tokens: ")
                && c.name.contains("password.feature:")
        }),
        "named as cucumber names a run scenario: {password:#?}"
    );
    let token = suite("token_endpoint.feature");
    assert_eq!(token.skipped, Some(1), "{token:#?}");
    assert!(
        token.cases.len() > 1
            && token
                .cases
                .iter()
                .any(|c| c.skipped.is_some() && c.name.starts_with(&format!("Scenario: {grant}: "))),
        "the skipped scenario joins its feature's run scenarios: {token:#?}"
    );
}

#[cfg(feature = "faults")]
#[test]
fn junit_marks_should_failures_as_warnings_not_failures() {
    // The fault breaks only the SHOULD NOT of RFC 7662 §2.2 (extra members in
    // an inactive introspection); the run passes and JUnit counts no failure,
    // while the warning stays visible as a `<skipped>` with its level.
    let junit = support::tmp("warnings.xml");
    let run = support::run(
        "warnings",
        &[
            "--fault",
            "introspection-leaks-inactive",
            "-t",
            "@introspection",
            "--junit",
            junit.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    let name = "A revoked token is inactive and nothing more";
    assert!(
        run.find("introspection", name).is_some_and(|s| s.failed),
        "the fault is seen: {}",
        run.stdout
    );
    let xml = std::fs::read_to_string(&junit).expect("JUnit file written");
    let (cases, failures) = junit_counts(&xml);
    assert!(cases > 0);
    assert_eq!(
        failures, 0,
        "a SHOULD failure is not a JUnit failure:\n{xml}"
    );
    assert!(
        !xml.contains(r#"failures="1""#),
        "no suite counts it as a failure:\n{xml}"
    );
    let case = junit_suites(&xml)
        .into_iter()
        .flat_map(|s| s.cases)
        .find(|c| c.name.starts_with(&format!("Scenario: {name}: ")))
        .expect("the scenario's testcase");
    let message = case.skipped.expect("marked as a warning");
    assert!(message.starts_with("warning (SHOULD): "), "{message}");
}

#[test]
fn an_unknown_capability_tag_stops_the_run_with_exit_2() {
    let dir = support::tmp("misspelled-features");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("typo.feature"),
        "@state\nFeature: Typo\n  @must @needs-refresh-rotaton\n  Scenario: Rotation\n    Given the confidential client starts an authorization code request\n",
    )
    .expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_oauth-conformance"))
        .args(["--features", dir.to_str().expect("utf-8")])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("typo.feature:4") && err.contains("\"refresh-rotaton\""),
        "the error names the file, line and tag: {err}"
    );
}

#[test]
fn a_deny_step_without_a_consent_page_fails_saying_consent_was_skipped() {
    // demo-trusted is a trusted client: the server never asks for consent.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (handle, _) = rt
        .block_on(oauth_conformance::embedded::start(&[]))
        .expect("server starts");
    let target = reference_target_for(
        handle.base_url().as_str(),
        |t| {
            t.replacen("id = \"demo-confidential\"", "id = \"demo-trusted\"", 1)
                .replacen(
                    "secret = \"demo-confidential-secret\"",
                    "secret = \"demo-trusted-secret\"",
                    1,
                )
                .replacen(
                    "consent_scope = \"offline_access\"",
                    "consent_scope = \"api\"",
                    1,
                )
        },
        "trusted.toml",
    );
    let run = support::run(
        "consent-skipped",
        &[
            "--target",
            target.to_str().expect("utf-8"),
            "-n",
            "denies|consent page cannot be framed",
        ],
    );
    drop(handle);
    for name in [
        "A user who denies sends the client access_denied with the state",
        "The consent page cannot be framed",
    ] {
        assert!(
            run.find("authorization_endpoint", name)
                .is_some_and(|s| s.failed),
            "{name} must fail, not pass:\n{}",
            run.stdout
        );
    }
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    assert!(
        run.stdout.contains("consent was skipped"),
        "the message says consent was skipped:\n{}",
        run.stdout
    );
}

/// Every secret value of the demo fixture (client secrets, passwords, TOTP
/// seeds, API keys, write keys), and the Basic credentials made of them.
#[cfg(feature = "faults")]
fn demo_fixture_secrets() -> Vec<String> {
    fn walk(v: &toml::Value, id: Option<&str>, out: &mut Vec<String>) {
        match v {
            toml::Value::Table(t) => {
                let id = t.get("id").and_then(|v| v.as_str()).or(id);
                for (k, v) in t {
                    match (k.as_str(), v.as_str()) {
                        (
                            "password" | "secret" | "totp_secret" | "api_key" | "write_key",
                            Some(s),
                        ) => {
                            out.push(s.to_owned());
                            if let (Some(id), "secret") = (id, k.as_str()) {
                                use base64::Engine as _;
                                out.push(
                                    base64::engine::general_purpose::STANDARD
                                        .encode(format!("{id}:{s}")),
                                );
                            }
                        }
                        _ => walk(v, id, out),
                    }
                }
            }
            toml::Value::Array(a) => a.iter().for_each(|v| walk(v, id, out)),
            _ => {}
        }
    }
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../server-reference/fixtures/demo.toml"
    ))
    .expect("demo fixture");
    let mut out = Vec::new();
    let table: toml::Table = toml::from_str(&text).expect("TOML");
    walk(&toml::Value::Table(table), None, &mut out);
    assert!(out.len() > 10, "the fixture's secrets were found: {out:?}");
    out
}

#[cfg(feature = "faults")]
#[test]
fn html_and_json_reports_show_the_evidence_of_a_failure_without_secrets() {
    // The server accepts a code twice: the scenario that redeems it twice
    // fails, after a login (password posted), a code in a redirect, and two
    // token responses (Basic credentials sent, tokens received).
    let html = support::tmp("evidence.html");
    let run = support::run(
        "evidence",
        &[
            "--fault",
            "code-reusable",
            "-n",
            "redeemed only once",
            "--html",
            html.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    let name = "A code can be redeemed only once";
    assert!(run.find("code_lifecycle", name).is_some_and(|s| s.failed));
    let page = std::fs::read_to_string(&html).expect("HTML written");
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains(&format!("code_lifecycle: {name}")), "{page}");
    assert!(
        page.contains("RFC 6749 §4.1.2: &quot;If an authorization code is used more than once"),
        "the cited sentence, escaped: {page}"
    );
    assert!(
        page.contains("<details")
            && page.contains("POST http://127.0.0.1:")
            && page.contains("HTTP 200"),
        "an exchange is shown: {page}"
    );
    assert!(
        page.contains("Basic [redacted]"),
        "the credentials were sent and hidden"
    );
    assert!(page.contains("[redacted sha256:"), "tokens keep a digest");
    assert!(
        !page.contains("<script") && !page.contains(" src=") && !page.contains("<link"),
        "self-contained"
    );

    // The JSON report carries the same evidence on the scenario's element.
    let element = run
        .json
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["elements"].as_array().into_iter().flatten())
        .find(|e| e["name"] == name)
        .expect("the scenario's element");
    let ev = &element["evidence"];
    assert_eq!(ev["level"], "MUST", "{ev}");
    assert!(
        ev["cites"]
            .as_str()
            .is_some_and(|c| c.starts_with("RFC 6749 §4.1.2:")),
        "{ev}"
    );
    let exchanges = ev["exchanges"].as_array().expect("exchanges");
    assert!(
        exchanges
            .iter()
            .any(|x| x["status"] == 200 && x["url"].as_str().is_some_and(|u| u.contains("/token"))),
        "{ev}"
    );
    for x in exchanges {
        if let Some(body) = x["response_body"].as_str()
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(body)
            && let Some(at) = v["access_token"].as_str()
        {
            assert!(at.starts_with("[redacted"), "{body}");
        }
    }
    let json = run.json.to_string();
    for secret in demo_fixture_secrets() {
        assert!(!page.contains(&secret), "{secret} in the HTML report");
        assert!(!json.contains(&secret), "{secret} in the JSON report");
    }
}

#[test]
fn a_verifier_for_a_code_without_a_challenge_is_skipped_when_pkce_is_required() {
    // With PKCE required for every client no code is issued without a
    // challenge: the scenario would pass on the refused authorization request
    // without ever sending its verifier. It is skipped, saying why.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (handle, _) = rt
        .block_on(oauth_conformance::embedded::start(&[]))
        .expect("server starts");
    let target = reference_target_for(
        handle.base_url().as_str(),
        |t| t.replacen("pkce = \"public\"", "pkce = \"required\"", 1),
        "pkce-required.toml",
    );
    let run = support::run(
        "pkce-required",
        &[
            "--target",
            target.to_str().expect("utf-8"),
            "-n",
            "without a challenge|A wrong code_verifier",
        ],
    );
    drop(handle);
    let skipped = run
        .find(
            "pkce",
            "A verifier sent for a code issued without a challenge is refused",
        )
        .and_then(|s| s.skipped.clone());
    assert!(
        skipped
            .as_deref()
            .is_some_and(|r| r.contains("pkce = \"required\"")),
        "skipped with the reason: {skipped:?}\n{}",
        run.stdout
    );
    assert!(
        run.find("pkce", "A wrong code_verifier is refused")
            .is_some_and(|s| s.skipped.is_none() && !s.failed),
        "{}",
        run.stdout
    );
}
