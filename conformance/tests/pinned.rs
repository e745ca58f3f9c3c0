//! `--expected-verdicts` through the binary, against the embedded reference
//! server: a file that pins what happens passes; one moved verdict fails the
//! run and is printed; `--write-verdicts` writes what happened.

mod support;

const METADATA: &[&str] = &[
    "The metadata document is JSON",
    "The metadata issuer is the issuer",
    "The required members are present",
    "The advertised endpoints are the ones in use",
    "The advertised grants include the authorization code",
    "The metadata announces the iss parameter",
];

fn pinned(first: &str) -> String {
    let mut s = String::from("# the metadata suite on the reference server\n");
    for (i, name) in METADATA.iter().enumerate() {
        let verdict = if i == 0 { first } else { "pass" };
        s.push_str(&format!("{verdict} | metadata: {name}\n"));
    }
    s
}

#[test]
fn pinned_verdicts_pass_when_equal_and_name_every_difference() {
    let file = support::tmp("pinned-metadata.expected");
    std::fs::write(&file, pinned("pass")).unwrap();
    let written = support::tmp("pinned-metadata.written");
    let args = |f: &std::path::Path| {
        vec![
            "-t".to_string(),
            "@metadata".to_string(),
            "--expected-verdicts".to_string(),
            f.display().to_string(),
            "--write-verdicts".to_string(),
            written.display().to_string(),
        ]
    };
    let a = args(&file);
    let run = support::run(
        "pinned-equal",
        &a.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert!(
        run.stdout.contains("PINNED: all 6 verdicts as expected"),
        "{}",
        run.stdout
    );
    let text = std::fs::read_to_string(&written).unwrap();
    for name in METADATA {
        assert!(
            text.contains(&format!("pass | metadata: {name}\n")),
            "{text}"
        );
    }

    std::fs::write(&file, pinned("warn")).unwrap();
    let err = std::process::Command::new(env!("CARGO_BIN_EXE_oauth-conformance"))
        .args(&a)
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&err.stderr);
    assert_eq!(
        err.status.code(),
        Some(2),
        "a warn without its reason is refused: {stderr}"
    );
    assert!(
        stderr.contains("line 2") && stderr.contains("reason"),
        "{stderr}"
    );

    std::fs::write(
        &file,
        pinned("warn").replacen(
            "warn | metadata: The metadata document is JSON",
            "warn | metadata: The metadata document is JSON | pretend it fails",
            1,
        ),
    )
    .unwrap();
    let moved = support::run(
        "pinned-moved",
        &a.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(moved.code, Some(1), "{}", moved.stdout);
    assert!(
        moved
            .stdout
            .contains("metadata: The metadata document is JSON: pinned warn, now pass"),
        "{}",
        moved.stdout
    );
}
