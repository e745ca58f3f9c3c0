//! The evidence behind a failed or warned scenario: the sentence it cites
//! (the comment above it in its feature file, and its source tags) and the
//! HTTP exchanges that decided it, already redacted by the recorder
//! (`user_agent/record.rs`). The `--html` report shows it; [`add_to_json`]
//! puts the same evidence into the Cucumber JSON report.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use crate::user_agent::Exchanges;
use crate::verdict::{ScenarioResult, Status};

/// What a reader needs to judge a verdict.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The RFC sentence quoted above the scenario (comment lines joined),
    /// if there is one.
    pub cites: Option<String>,
    /// The scenario's exchanges, the last ones kept.
    pub exchanges: Exchanges,
}

/// Implemented by the world, so that the verdict writer can take the
/// exchanges of a scenario that failed.
pub trait Evident {
    /// What the scenario sent and received so far.
    fn exchanges(&self) -> Exchanges;

    /// `text` without the target's secret values (for failure messages).
    fn redact(&self, text: &str) -> String;
}

impl Evident for crate::OAuthWorld {
    fn exchanges(&self) -> Exchanges {
        self.http.exchanges()
    }

    fn redact(&self, text: &str) -> String {
        self.http.redact(text)
    }
}

/// The feature files read so far, by path (each read once per run).
#[derive(Debug, Default)]
pub struct Sources(HashMap<PathBuf, Vec<String>>);

impl Sources {
    /// The comment above the scenario that starts at or above `line` (an
    /// outline's example sits below its scenario line) in `path`.
    pub fn cited(&mut self, path: &Path, line: usize) -> Option<String> {
        let lines = self
            .0
            .entry(path.to_owned())
            .or_insert_with(|| match std::fs::read_to_string(path) {
                Ok(text) => text.lines().map(str::to_owned).collect(),
                Err(_) => Vec::new(),
            });
        cited(lines, line)
    }
}

/// The comment lines just above the tags of the scenario whose
/// `Scenario:` (or `Scenario Outline:`, `Example:`) line is the last one at
/// or above the 1-based `line`, joined into one text.
pub fn cited(lines: &[String], line: usize) -> Option<String> {
    let mut at = line.min(lines.len()).checked_sub(1)?;
    loop {
        let l = lines[at].trim_start();
        if l.starts_with("Scenario") || l.starts_with("Example:") {
            break;
        }
        at = at.checked_sub(1)?;
    }
    let mut comment = Vec::new();
    while let Some(up) = at.checked_sub(1) {
        at = up;
        let l = lines[at].trim();
        if l.starts_with('@') {
            continue;
        }
        match l.strip_prefix('#') {
            Some(c) => comment.push(c.trim()),
            None => break,
        }
    }
    comment.reverse();
    let text = comment.join(" ");
    (!text.is_empty()).then_some(text)
}

/// The Cucumber JSON report `report` with an `evidence` member added to the
/// element of each failed or warned scenario of `results`: its level, source
/// tags, cited sentence, failed step and message, and exchanges.
pub fn add_to_json(report: &str, results: &[ScenarioResult]) -> Result<String, String> {
    let mut features: Vec<Value> = if report.trim().is_empty() {
        return Ok(report.to_owned());
    } else {
        serde_json::from_str(report).map_err(|e| format!("not a Cucumber JSON report: {e}"))?
    };
    for r in results {
        let (Status::Failed { step, message }, Some(ev), Some(uri)) =
            (&r.status, &r.evidence, &r.uri)
        else {
            continue;
        };
        let element = features
            .iter_mut()
            .filter(|f| f["uri"].as_str() == Some(uri.as_str()))
            .flat_map(|f| f["elements"].as_array_mut().into_iter().flatten())
            .find(|e| e["line"].as_u64() == Some(r.line as u64));
        if let Some(Value::Object(e)) = element {
            e.insert(
                "evidence".into(),
                json!({
                    "level": r.level.label(),
                    "sources": r.sources(),
                    "cites": ev.cites,
                    "step": step,
                    "message": message,
                    "exchanges": ev.exchanges.kept,
                    "exchanges_dropped": ev.exchanges.dropped,
                }),
            );
        }
    }
    serde_json::to_string(&features).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEATURE: &str = "@pkce
Feature: PKCE

  # RFC 7636 §4.6: \"If the values are not equal, an error response
  # indicating \"invalid_grant\" ... MUST be returned.\"
  @must @rfc7636-4.6
  Scenario: A wrong code_verifier is refused
    When x

  @must
  Scenario: Uncommented
    When y

  # RFC 7636 §4.1: the outline.
  @advice
  Scenario Outline: A verifier that is <problem> is refused
    When z
    Examples:
      | problem |
      | short   |
      | long    |
";

    #[test]
    fn the_comment_above_a_scenario_is_its_citation() {
        let lines: Vec<String> = FEATURE.lines().map(str::to_owned).collect();
        assert_eq!(
            cited(&lines, 7).as_deref(),
            Some(
                "RFC 7636 §4.6: \"If the values are not equal, an error response indicating \"invalid_grant\" ... MUST be returned.\""
            )
        );
        assert_eq!(cited(&lines, 11), None, "no comment, no citation");
        // An outline's example rows cite the outline's comment.
        assert_eq!(
            cited(&lines, 21).as_deref(),
            Some("RFC 7636 §4.1: the outline.")
        );
    }
}
