//! Pinned verdicts (`--expected-verdicts FILE`): every scenario's verdict on a
//! server, checked in, so any change to the suite or the server that moves a
//! verdict fails until the file is updated on purpose.
//!
//! One line per scenario, `verdict | area: scenario name | why`, where the
//! verdict is `pass`, `fail` (a MUST failed), `warn` (a SHOULD or MAY failed)
//! or `skip`. `fail` and `warn` lines must say why: the RFC sentence the
//! server does not meet, or that the suite is wrong there. `#` starts a
//! comment line. Scenario names cannot hold `|` (Gherkin table cells cannot).

use std::collections::BTreeMap;

use crate::report::Skip;
use crate::verdict::{Level, ScenarioResult, Status};

/// A scenario's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Every step passed.
    Pass,
    /// A MUST scenario failed.
    Fail,
    /// A SHOULD or MAY scenario failed.
    Warn,
    /// Not run (an undeclared capability).
    Skip,
}

impl Verdict {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pass" => Self::Pass,
            "fail" => Self::Fail,
            "warn" => Self::Warn,
            "skip" => Self::Skip,
            _ => return None,
        })
    }

    /// The word used in the file.
    pub fn word(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Warn => "warn",
            Self::Skip => "skip",
        }
    }

    /// The verdict of one result.
    pub fn of(r: &ScenarioResult) -> Self {
        match (&r.status, r.level) {
            (Status::Passed, _) => Self::Pass,
            (Status::Failed { .. }, Level::Must) => Self::Fail,
            (Status::Failed { .. }, _) => Self::Warn,
            (Status::Skipped(_), _) => Self::Skip,
        }
    }
}

/// The pinned verdicts of a file: `area: name` → (verdict, why).
#[derive(Clone, Debug, Default)]
pub struct Pinned {
    /// In file order.
    pub entries: Vec<(String, Verdict, String)>,
}

impl Pinned {
    /// Parses a file; an error names the line and what to write instead.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut entries: Vec<(String, Verdict, String)> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut cols = line.splitn(3, '|').map(str::trim);
            let (word, id) = (cols.next().unwrap_or(""), cols.next().unwrap_or(""));
            let why = cols.next().unwrap_or("").to_owned();
            let verdict = Verdict::parse(word).ok_or_else(|| {
                format!(
                    "line {}: {word:?} is not a verdict; write `pass | area: name`, `skip | …`, or `fail | … | why` / `warn | … | why`",
                    n + 1
                )
            })?;
            if !id.contains(": ") {
                return Err(format!(
                    "line {}: {id:?} is not `area: scenario name`",
                    n + 1
                ));
            }
            if matches!(verdict, Verdict::Fail | Verdict::Warn)
                && (why.is_empty() || why.starts_with("TODO"))
            {
                return Err(format!(
                    "line {}: a {} verdict needs its reason after a second `|` (the RFC sentence not met, or the suite's mistake)",
                    n + 1,
                    verdict.word()
                ));
            }
            if entries.iter().any(|(i, _, _)| i == id) {
                return Err(format!("line {}: {id} is pinned twice", n + 1));
            }
            entries.push((id.to_owned(), verdict, why));
        }
        Ok(Self { entries })
    }

    /// Differences between the pinned verdicts and a run, one line each.
    pub fn compare(&self, results: &[ScenarioResult], skips: &[Skip]) -> Vec<String> {
        let actual = actual(results, skips);
        let mut out = Vec::new();
        for (id, want, _) in &self.entries {
            match actual.get(id) {
                None => out.push(format!("{id}: pinned {}, but it did not run", want.word())),
                Some(got) if got != want => {
                    out.push(format!("{id}: pinned {}, now {}", want.word(), got.word()))
                }
                Some(_) => {}
            }
        }
        for (id, got) in &actual {
            if !self.entries.iter().any(|(i, _, _)| i == id) {
                out.push(format!("{id}: {} but not pinned", got.word()));
            }
        }
        out
    }

    /// The file for a run: its verdicts, keeping the reasons pinned here and
    /// marking new failures `TODO` (which `parse` refuses until written).
    pub fn render(&self, results: &[ScenarioResult], skips: &[Skip]) -> String {
        let mut s = String::from(
            "# Pinned verdicts: `verdict | area: scenario name | why` (see conformance/README.md).\n",
        );
        for (id, v) in actual(results, skips) {
            let why = self
                .entries
                .iter()
                .find(|(i, w, _)| *i == id && *w == v)
                .map(|(_, _, why)| why.clone())
                .unwrap_or_else(|| "TODO: the RFC sentence not met, or the suite's mistake".into());
            match v {
                Verdict::Fail | Verdict::Warn => {
                    s.push_str(&format!("{} | {id} | {why}\n", v.word()))
                }
                _ => s.push_str(&format!("{} | {id}\n", v.word())),
            }
        }
        s
    }
}

fn actual(results: &[ScenarioResult], skips: &[Skip]) -> BTreeMap<String, Verdict> {
    let mut m = BTreeMap::new();
    for r in results {
        m.insert(r.id(), Verdict::of(r));
    }
    for s in skips {
        m.insert(format!("{}: {}", s.area, s.name), Verdict::Skip);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, level: Level, status: Status) -> ScenarioResult {
        ScenarioResult {
            area: "a".into(),
            name: name.into(),
            tags: Vec::new(),
            level,
            status,
            junit_name: String::new(),
            uri: None,
            line: 0,
            evidence: None,
        }
    }

    fn failed() -> Status {
        Status::Failed {
            step: "s".into(),
            message: "m".into(),
        }
    }

    #[test]
    fn every_difference_is_named() {
        let p = Pinned::parse(
            "# comment\npass | a: one\nfail | a: two | RFC 6749 §5.1 Pragma\nwarn | a: three | SHOULD\nskip | a: gone\n",
        )
        .unwrap();
        let run = [
            result("one", Level::Must, failed()),
            result("two", Level::Must, failed()),
            result("three", Level::Should, Status::Passed),
            result("new", Level::May, failed()),
        ];
        let d = p.compare(&run, &[]);
        assert_eq!(
            d,
            vec![
                "a: one: pinned pass, now fail",
                "a: three: pinned warn, now pass",
                "a: gone: pinned skip, but it did not run",
                "a: new: warn but not pinned",
            ]
        );
    }

    #[test]
    fn a_matching_run_has_no_difference() {
        let p = Pinned::parse("pass | a: one\nwarn | a: two | SHOULD only\n").unwrap();
        let run = [
            result("one", Level::Must, Status::Passed),
            result("two", Level::May, failed()),
        ];
        assert!(p.compare(&run, &[]).is_empty());
    }

    #[test]
    fn a_failure_without_its_reason_is_refused() {
        let err = Pinned::parse("pass | a: one\nfail | a: two\n").unwrap_err();
        assert!(err.contains("line 2") && err.contains("reason"), "{err}");
        let err = Pinned::parse("fail | a: two | TODO: the RFC sentence").unwrap_err();
        assert!(err.contains("reason"), "{err}");
        let err = Pinned::parse("passed | a: one").unwrap_err();
        assert!(err.contains("not a verdict"), "{err}");
        let err = Pinned::parse("pass | a: one\npass | a: one").unwrap_err();
        assert!(err.contains("twice"), "{err}");
    }

    #[test]
    fn render_keeps_reasons_and_marks_new_failures() {
        let p = Pinned::parse("fail | a: two | the reason\n").unwrap();
        let run = [
            result("two", Level::Must, failed()),
            result("three", Level::Must, failed()),
            result("one", Level::Must, Status::Passed),
        ];
        let text = p.render(&run, &[]);
        assert!(text.contains("fail | a: two | the reason\n"), "{text}");
        assert!(text.contains("fail | a: three | TODO"), "{text}");
        assert!(text.contains("pass | a: one\n"), "{text}");
        assert!(
            Pinned::parse(&text).is_err(),
            "a TODO must be written first"
        );
    }
}
