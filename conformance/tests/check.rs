//! `--check`: against the embedded reference server, the shipped target has
//! no problem; a target with deliberate mistakes gets one line per mistake,
//! naming the key to change.

use oauth_conformance::config::Target;
use oauth_conformance::embedded;
use oauth_conformance::world::{Problem, preflight};

fn leak(t: Target) -> &'static Target {
    Box::leak(Box::new(t))
}

fn page<'a>(t: &'a mut Target, kind: &str) -> &'a mut oauth_conformance::config::PageScript {
    t.interaction
        .pages
        .iter_mut()
        .find(|p| p.kind == kind)
        .unwrap_or_else(|| panic!("the reference target scripts a {kind} page"))
}

fn keys(problems: &[Problem]) -> Vec<&str> {
    problems.iter().map(|p| p.key.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_target_passes_and_each_mistake_is_named() {
    let (_server, target) = embedded::start(&[]).await.expect("reference server starts");

    let clean = preflight(leak(target.clone())).await;
    assert!(
        clean.is_empty(),
        "the shipped target has problems: {clean:#?}"
    );

    // A wrong secret, metadata somewhere else, a login page script that does
    // not match the login page.
    let mut broken = target.clone();
    broken.clients.confidential.secret = Some("not-the-secret".into());
    broken.server.metadata_url = Some("/.well-known/not-here".into());
    page(&mut broken, "login").url_contains = "/users/sign_in".into();
    let problems = preflight(leak(broken)).await;
    let k = keys(&problems);
    assert!(k.contains(&"[server].metadata_url"), "{problems:#?}");
    assert!(k.contains(&"[clients.confidential]"), "{problems:#?}");
    let stopped = problems
        .iter()
        .find(|p| p.key == "[[interaction.pages]]")
        .unwrap_or_else(|| panic!("the login page is not reported: {problems:#?}"));
    assert!(
        stopped.seen.contains("no script recognises") && stopped.seen.contains("/oauth/login"),
        "the line names the page the drive stopped at: {stopped}"
    );
    let secret = problems
        .iter()
        .find(|p| p.key == "[clients.confidential]")
        .unwrap();
    assert!(secret.seen.contains("invalid_client"), "{secret}");
    assert!(
        !secret.to_string().contains("not-the-secret"),
        "the secret is never printed: {secret}"
    );

    // A resource probe that is not there, a deny button that is not either,
    // a second client whose secret is wrong.
    let mut broken = target.clone();
    broken
        .resource
        .as_mut()
        .expect("the reference target has a resource")
        .url = "/api/v4/not-here".into();
    page(&mut broken, "consent")
        .deny
        .as_mut()
        .expect("a deny button")
        .value = "refuse".into();
    broken.clients.confidential2.as_mut().unwrap().secret = Some("wrong".into());
    let problems = preflight(leak(broken)).await;
    let k = keys(&problems);
    assert!(k.contains(&"[resource].url"), "{problems:#?}");
    assert!(k.contains(&"[clients.confidential2]"), "{problems:#?}");
    assert!(
        k.contains(&"[[interaction.pages]] (consent).deny"),
        "{problems:#?}"
    );
    assert_eq!(problems.len(), 3, "nothing else is reported: {problems:#?}");
}
