//! Runs the `oauth-conformance` binary and reads its Cucumber JSON report.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;
use std::process::Command;

/// One scenario as the Cucumber JSON report gives it.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub area: String,
    pub name: String,
    pub tags: Vec<String>,
    pub failed: bool,
    /// Not run: every step is `skipped` and the element's description says why.
    pub skipped: Option<String>,
}

/// What a run produced.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub scenarios: Vec<Scenario>,
    pub json: serde_json::Value,
}

impl Run {
    pub fn failed(&self) -> Vec<&Scenario> {
        self.scenarios.iter().filter(|s| s.failed).collect()
    }

    pub fn skipped(&self) -> Vec<&Scenario> {
        self.scenarios
            .iter()
            .filter(|s| s.skipped.is_some())
            .collect()
    }

    /// The number of skips the console summary's last line gives.
    pub fn summary_skips(&self) -> usize {
        self.stdout
            .lines()
            .find_map(|l| {
                let (_, rest) = l.split_once(" scenarios run, ")?;
                rest.split_once(" skipped")?.0.parse().ok()
            })
            .unwrap_or_else(|| panic!("no summary line:\n{}", self.stdout))
    }

    pub fn find(&self, area: &str, name: &str) -> Option<&Scenario> {
        self.scenarios
            .iter()
            .find(|s| s.area == area && s.name == name)
    }

    /// Why this run is not a whole clean pass, if it is not: exit 0, every
    /// scenario of the shipped `features/` run (the total counted by
    /// `capability::check_features`, so a scenario lost to a tag or filter
    /// mistake shows), none skipped and none failed, at any level (failures
    /// of @advice scenarios never fail a run, but the reference server follows
    /// the advice too).
    pub fn not_clean(&self) -> Option<String> {
        let features = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../features");
        let total = oauth_conformance::capability::check_features(&features)
            .expect("the shipped features parse");
        let failed: Vec<String> = self
            .failed()
            .iter()
            .map(|s| format!("{}: {}", s.area, s.name))
            .collect();
        let skipped: Vec<String> = self
            .skipped()
            .iter()
            .map(|s| format!("{}: {} — {:?}", s.area, s.name, s.skipped))
            .collect();
        let clean = self.code == Some(0)
            && failed.is_empty()
            && skipped.is_empty()
            && self.scenarios.len() == total;
        (!clean).then(|| {
            format!(
                "exit {:?}, {} of {total} scenarios, failed: {failed:#?}, skipped: {skipped:#?}",
                self.code,
                self.scenarios.len()
            )
        })
    }
}

pub fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("oauth-conformance-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// Runs the binary with `args` plus `--json FILE` and parses the report.
pub fn run(label: &str, args: &[&str]) -> Run {
    let json_path = tmp(&format!("{label}.json"));
    let out = Command::new(env!("CARGO_BIN_EXE_oauth-conformance"))
        .args(args)
        .arg("--json")
        .arg(&json_path)
        .env_remove("CUCUMBER_FILTER_TAGS")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let text = std::fs::read_to_string(&json_path).unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!("{label}: the JSON report is not JSON ({e})\nstdout:\n{stdout}\nstderr:\n{stderr}")
    });
    let scenarios = parse(&json);
    Run {
        code: out.status.code(),
        stdout,
        stderr,
        scenarios,
        json,
    }
}

fn parse(json: &serde_json::Value) -> Vec<Scenario> {
    let mut out = Vec::new();
    for f in json.as_array().expect("a JSON array of features") {
        let uri = f["uri"].as_str().unwrap_or("");
        let area = std::path::Path::new(uri)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for e in f["elements"].as_array().into_iter().flatten() {
            let tags = e["tags"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t["name"].as_str())
                .map(|t| t.trim_start_matches('@').to_owned())
                .chain(
                    f["tags"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|t| t["name"].as_str())
                        .map(|t| t.trim_start_matches('@').to_owned()),
                )
                .collect();
            let skipped = e["description"]
                .as_str()
                .filter(|_| every_step_is(e, "skipped"))
                .map(str::to_owned);
            out.push(Scenario {
                area: area.clone(),
                name: e["name"].as_str().unwrap_or("").to_owned(),
                tags,
                failed: skipped.is_none() && !every_step_is(e, "passed"),
                skipped,
            });
        }
    }
    out
}

fn every_step_is(element: &serde_json::Value, status: &str) -> bool {
    element["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|s| s["result"]["status"].as_str() == Some(status))
}
