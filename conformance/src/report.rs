//! The console summary: results by area and level, skips with reasons, verdict.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cucumber::gherkin;

use crate::verdict::{Level, ScenarioResult, Status, Verdict, area_of};

/// A scenario that was not run, and why.
#[derive(Clone, Debug)]
pub struct Skip {
    /// Area (feature file stem).
    pub area: String,
    /// Scenario name.
    pub name: String,
    /// Reason.
    pub reason: String,
    /// Its feature, without the feature's scenarios and rules (for the
    /// JUnit and JSON reports, see [`crate::skipped`]).
    pub feature: gherkin::Feature,
    /// Its rule, without the rule's scenarios.
    pub rule: Option<gherkin::Rule>,
    /// The scenario.
    pub scenario: gherkin::Scenario,
}

impl Skip {
    /// The scenario `s` of rule `r` in feature `f`, skipped for `reason`.
    pub fn new(
        f: &gherkin::Feature,
        r: Option<&gherkin::Rule>,
        s: &gherkin::Scenario,
        reason: String,
    ) -> Self {
        Self {
            area: area_of(f),
            name: s.name.clone(),
            reason,
            feature: gherkin::Feature {
                scenarios: Vec::new(),
                rules: Vec::new(),
                ..f.clone()
            },
            rule: r.map(|r| gherkin::Rule {
                scenarios: Vec::new(),
                ..r.clone()
            }),
            scenario: s.clone(),
        }
    }
}

/// Scenario counts of one area: MUST passed and failed, SHOULD passed and
/// failed, MAY passed and failed, advice followed and not, skipped.
pub type AreaCounts = [usize; 9];

/// The counts of every area, in area order, then the total.
pub fn counts_by_area(results: &[ScenarioResult], skips: &[Skip]) -> Vec<(String, AreaCounts)> {
    let mut by: BTreeMap<String, AreaCounts> = BTreeMap::new();
    for r in results {
        let c = by.entry(r.area.clone()).or_default();
        match r.status {
            Status::Passed => c[2 * r.level as usize] += 1,
            Status::Failed { .. } => c[2 * r.level as usize + 1] += 1,
            Status::Skipped(_) => {}
        }
    }
    for s in skips {
        by.entry(s.area.clone()).or_default()[8] += 1;
    }
    let mut total = AreaCounts::default();
    for n in by.values() {
        for (t, n) in total.iter_mut().zip(n) {
            *t += n;
        }
    }
    let mut rows: Vec<(String, AreaCounts)> = by.into_iter().collect();
    rows.push(("total".into(), total));
    rows
}

/// Renders the summary.
pub fn summary(
    results: &[ScenarioResult],
    skips: &[Skip],
    verdict: &Verdict,
    strict: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<22} {:^11} {:^11} {:^11} {:^11} {:>8}",
        "area", "MUST ok/✗", "SHOULD ok/!", "MAY ok/!", "ADVICE ok/·", "skipped"
    );
    for (a, n) in counts_by_area(results, skips) {
        let _ = writeln!(
            out,
            "{a:<22} {:>5}/{:<5} {:>5}/{:<5} {:>5}/{:<5} {:>5}/{:<5} {:>8}",
            n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8]
        );
    }
    if !skips.is_empty() {
        let _ = writeln!(out, "\nSkipped ({}):", skips.len());
        for line in skip_lines(skips) {
            let _ = writeln!(out, "{line}");
        }
    }
    let list = |out: &mut String, title: &str, items: &[String]| {
        if !items.is_empty() {
            let _ = writeln!(out, "\n{title} ({}):", items.len());
            for i in items {
                let _ = writeln!(out, "  {i}");
            }
        }
    };
    list(&mut out, "MUST failures", &verdict.must_failures);
    list(
        &mut out,
        if strict {
            "SHOULD/MAY failures (fatal: --strict)"
        } else {
            "Warnings (SHOULD/MAY failures)"
        },
        &verdict.warnings,
    );
    list(
        &mut out,
        "Advice not followed (no RFC requirement; never fails a run)",
        &verdict.advice,
    );
    list(
        &mut out,
        "Expected failures that failed again",
        &verdict.expected,
    );
    list(
        &mut out,
        "Expected failures that now PASS (update the expected-failures file)",
        &verdict.now_passing,
    );
    let ran = results.len();
    let _ = writeln!(
        out,
        "\n{}: {ran} scenarios run, {} skipped, {} MUST failure(s), {} warning(s)",
        if verdict.passed(strict) {
            "PASS"
        } else {
            "FAIL"
        },
        skips.len(),
        verdict.must_failures.len(),
        verdict.warnings.len()
    );
    out
}

/// Count of results at a level (for tests and reports).
/// Skipped scenarios for the console, one line per area and reason once
/// [`GROUP_SKIPS_FROM`] or more share them (a whole undeclared API or grant),
/// one line per scenario otherwise. In order of first appearance.
pub fn skip_lines(skips: &[Skip]) -> Vec<String> {
    group_skips(
        skips
            .iter()
            .map(|s| (s.area.as_str(), s.name.as_str(), s.reason.as_str())),
    )
}

/// [`skip_lines`] over `(area, name, reason)`.
fn group_skips<'a>(skips: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) -> Vec<String> {
    let mut groups: Vec<((&str, &str), Vec<&str>)> = Vec::new();
    for (area, name, reason) in skips {
        let key = (area, reason);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, names)) => names.push(name),
            None => groups.push((key, vec![name])),
        }
    }
    let mut lines = Vec::new();
    for ((area, reason), names) in groups {
        if names.len() >= GROUP_SKIPS_FROM {
            lines.push(format!(
                "  SKIP  {area}: {} scenarios — {reason}",
                names.len()
            ));
        } else {
            lines.extend(
                names
                    .iter()
                    .map(|n| format!("  SKIP  {area}: {n} — {reason}")),
            );
        }
    }
    lines
}

/// How many skips of one area with one reason make one line.
const GROUP_SKIPS_FROM: usize = 3;

pub fn count(results: &[ScenarioResult], level: Level) -> usize {
    results.iter().filter(|r| r.level == level).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_of_a_whole_area_for_one_reason_are_one_line() {
        let api = "target does not declare management_apis";
        let lines = group_skips([
            ("oauth_apps", "a", api),
            ("oauth_apps", "b", api),
            ("oauth_apps", "c", api),
            ("implicit", "x", "no implicit client"),
            ("implicit", "y", "no implicit client"),
            ("oauth_apps", "d", "other reason"),
        ]);
        assert_eq!(
            lines,
            [
                format!("  SKIP  oauth_apps: 3 scenarios — {api}"),
                "  SKIP  implicit: x — no implicit client".to_owned(),
                "  SKIP  implicit: y — no implicit client".to_owned(),
                "  SKIP  oauth_apps: d — other reason".to_owned(),
            ]
        );
    }
}
