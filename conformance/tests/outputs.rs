//! Reports and robustness: JUnit XML parses back, Cucumber JSON is valid, and a
//! target file with a wrong client secret gives clear failures, not a crash.

mod support;

use quick_xml::events::Event;

fn junit_counts(xml: &str) -> (usize, usize) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader.read_event().expect("well-formed JUnit XML") {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"testcase" => cases += 1,
                b"failure" | b"error" => failures += 1,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    (cases, failures)
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

    // The password grant is not declared: its suite is skipped, with the reason.
    let no_password = reference_target_for(
        &base,
        |t| t.replace("\"implicit\", \"password\",", "\"implicit\","),
        "no-password.toml",
    );
    let run = support::run(
        "skips",
        &[
            "--target",
            no_password.to_str().expect("utf-8"),
            "-t",
            "@password or @state",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert!(
        run.scenarios.iter().all(|s| s.area == "state"),
        "password scenarios did not run"
    );
    assert!(
        run.stdout.contains("SKIP  password: Valid credentials give tokens — target does not declare the password grant"),
        "every skip prints its reason:\n{}",
        run.stdout
    );

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
