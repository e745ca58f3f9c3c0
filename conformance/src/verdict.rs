//! Verdicts: a cucumber `Writer` that records every scenario's outcome, forwards
//! events to the optional JUnit and JSON writers, and decides the exit code by
//! requirement level (`@must`, `@should`, `@may`, `@advice`) and the expected
//! failures.

use std::collections::BTreeSet;
use std::fs::File;
use std::sync::{Arc, Mutex};

use cucumber::event::{self, Cucumber, Feature, Rule, Scenario, Step};
use cucumber::{Event, Writer, cli, gherkin, parser, writer};

/// Requirement level of a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `@must`: a failure fails the run.
    Must,
    /// `@should`: a failure warns (fails with `--strict`).
    Should,
    /// `@may`: informative (a failure warns; fails with `--strict`).
    May,
    /// `@advice`: good practice with no RFC sentence behind it. A failure is
    /// printed as advice and never fails a run, not even with `--strict`.
    Advice,
}

impl Level {
    /// From a scenario's tags; untagged scenarios count as MUST.
    pub fn of(tags: &[String]) -> Self {
        if tags.iter().any(|t| t == "should") {
            Self::Should
        } else if tags.iter().any(|t| t == "may") {
            Self::May
        } else if tags.iter().any(|t| t == "advice") {
            Self::Advice
        } else {
            Self::Must
        }
    }

    /// Upper-case label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Must => "MUST",
            Self::Should => "SHOULD",
            Self::May => "MAY",
            Self::Advice => "ADVICE",
        }
    }
}

/// How a scenario ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Every step passed.
    Passed,
    /// A step failed.
    Failed {
        /// The step text.
        step: String,
        /// Why.
        message: String,
    },
    /// Not run, with the reason.
    Skipped(String),
}

/// One scenario's result.
#[derive(Clone, Debug)]
pub struct ScenarioResult {
    /// Area: the feature file's stem (e.g. `state`).
    pub area: String,
    /// Scenario name.
    pub name: String,
    /// Tags, without `@`, feature tags included.
    pub tags: Vec<String>,
    /// Level.
    pub level: Level,
    /// Outcome.
    pub status: Status,
    /// Its `<testcase>` name in the JUnit report.
    pub junit_name: String,
    /// Its feature file as the Cucumber JSON report names it (`uri`).
    pub uri: Option<String>,
    /// Its line in that file (an outline's: its example row's).
    pub line: usize,
    /// For a failed scenario: the sentence it cites and the exchanges that
    /// decided it.
    pub evidence: Option<crate::evidence::Evidence>,
}

impl ScenarioResult {
    /// `area: name`, the key of the expected-failures file.
    pub fn id(&self) -> String {
        format!("{}: {}", self.area, self.name)
    }

    /// Source tags (`rfc6749-4.1.2`, …).
    pub fn sources(&self) -> Vec<&str> {
        self.tags
            .iter()
            .filter(|t| t.starts_with("rfc") || t.starts_with("oauch"))
            .map(String::as_str)
            .collect()
    }
}

/// Results shared between the writer and the code that runs cucumber.
pub type Results = Arc<Mutex<Vec<ScenarioResult>>>;

/// The writer: records results, prints failures as they happen, and feeds
/// JUnit / Cucumber JSON when asked.
pub struct Recorder<W> {
    results: Results,
    junit: Option<cucumber::writer::JUnit<W, File>>,
    json: Option<cucumber::writer::Json<File>>,
    verbose: bool,
    failure: Option<(String, String)>,
    /// The exchanges of the failed scenario, taken from its world.
    exchanges: Option<crate::user_agent::Exchanges>,
    sources: crate::evidence::Sources,
}

impl<W> std::fmt::Debug for Recorder<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("verbose", &self.verbose)
            .finish_non_exhaustive()
    }
}

impl<W: std::fmt::Debug> Recorder<W> {
    /// A recorder writing JUnit and/or JSON to the given files.
    pub fn new(results: Results, junit: Option<File>, json: Option<File>, verbose: bool) -> Self {
        Self {
            results,
            junit: junit.map(|f| cucumber::writer::JUnit::raw(f, 0)),
            json: json.map(cucumber::writer::Json::raw),
            verbose,
            failure: None,
            exchanges: None,
            sources: crate::evidence::Sources::default(),
        }
    }
}

/// Area: the feature file's stem (e.g. `state`), or the feature's name.
pub(crate) fn area_of(f: &gherkin::Feature) -> String {
    f.path
        .as_ref()
        .and_then(|p| p.file_stem())
        .map_or_else(|| f.name.clone(), |s| s.to_string_lossy().into_owned())
}

/// A scenario's tags with its feature's and rule's.
pub(crate) fn tags_of(
    f: &gherkin::Feature,
    r: Option<&gherkin::Rule>,
    s: &gherkin::Scenario,
) -> Vec<String> {
    f.tags
        .iter()
        .chain(r.iter().flat_map(|r| &r.tags))
        .chain(&s.tags)
        .cloned()
        .collect()
}

/// The message of a failed step.
fn step_error(e: &event::StepError) -> String {
    match e {
        event::StepError::Panic(info) => info
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| info.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "step panicked".into()),
        other => other.to_string(),
    }
}

impl<W: cucumber::World + std::fmt::Debug + crate::evidence::Evident> Recorder<W> {
    fn on_scenario(
        &mut self,
        f: &gherkin::Feature,
        r: Option<&gherkin::Rule>,
        s: &gherkin::Scenario,
        ev: &Scenario<W>,
    ) {
        let step_ev = match ev {
            Scenario::Started => {
                self.failure = None;
                self.exchanges = None;
                return;
            }
            Scenario::Step(st, e) | Scenario::Background(st, e) => Some((st, e)),
            Scenario::Hook(_, event::Hook::Failed(world, info)) => {
                if self.exchanges.is_none() {
                    self.exchanges = world.as_ref().map(|w| w.exchanges());
                }
                let msg = info
                    .downcast_ref::<String>()
                    .cloned()
                    .unwrap_or_else(|| "hook failed".into());
                self.failure.get_or_insert(("(hook)".into(), msg));
                None
            }
            Scenario::Finished => {
                let tags = tags_of(f, r, s);
                let status = match self.failure.take() {
                    None => Status::Passed,
                    Some((step, message)) => Status::Failed { step, message },
                };
                let evidence =
                    matches!(status, Status::Failed { .. }).then(|| crate::evidence::Evidence {
                        cites: f
                            .path
                            .as_ref()
                            .and_then(|p| self.sources.cited(p, s.position.line)),
                        exchanges: self.exchanges.take().unwrap_or_default(),
                    });
                let res = ScenarioResult {
                    area: area_of(f),
                    name: s.name.clone(),
                    level: Level::of(&tags),
                    tags,
                    status,
                    junit_name: crate::skipped::case_name(f, r, s),
                    uri: crate::skipped::report_path(f).map(str::to_owned),
                    line: s.position.line,
                    evidence,
                };
                print_live(&res, self.verbose);
                self.results.lock().expect("results lock").push(res);
                return;
            }
            _ => None,
        };
        if let Some((st, e)) = step_ev {
            let text = format!("{} {}", st.keyword.trim(), st.value);
            match e {
                Step::Failed(_, _, world, err) => {
                    if self.failure.is_none() {
                        self.exchanges = world.as_ref().map(|w| w.exchanges());
                    }
                    // A message may quote a body a server echoed: the
                    // target's secrets never reach the console or a report.
                    let message = step_error(err);
                    let message = match world {
                        Some(w) => w.redact(&message),
                        None => message,
                    };
                    self.failure.get_or_insert((text, message));
                }
                Step::Skipped => {
                    self.failure
                        .get_or_insert((text, "no step definition matches this step".into()));
                }
                _ => {}
            }
        }
    }
}

fn print_live(r: &ScenarioResult, verbose: bool) {
    match &r.status {
        Status::Passed if verbose => println!("  ok    [{}] {}", r.level.label(), r.id()),
        Status::Failed { step, message } => {
            let mark = match r.level {
                Level::Must => "FAIL",
                Level::Should | Level::May => "WARN",
                Level::Advice => "NOTE",
            };
            println!(
                "  {mark}  [{} {}] {}\n        at: {step}\n        {message}",
                r.level.label(),
                r.sources().join(" "),
                r.id()
            );
        }
        _ => {}
    }
}

impl<W: cucumber::World + std::fmt::Debug + crate::evidence::Evident> Writer<W> for Recorder<W> {
    type Cli = cli::Empty;

    async fn handle_event(&mut self, event: parser::Result<Event<Cucumber<W>>>, _: &Self::Cli) {
        if let Some(j) = &mut self.junit {
            j.handle_event(event.clone(), &cucumber::writer::junit::Cli::default())
                .await;
        }
        if let Some(j) = &mut self.json {
            j.handle_event(event.clone(), &cli::Empty).await;
        }
        match event {
            Err(e) => {
                let res = ScenarioResult {
                    area: "(parser)".into(),
                    name: e.to_string(),
                    tags: Vec::new(),
                    level: Level::Must,
                    status: Status::Failed {
                        step: "(parsing)".into(),
                        message: e.to_string(),
                    },
                    junit_name: String::new(),
                    uri: None,
                    line: 0,
                    evidence: None,
                };
                print_live(&res, self.verbose);
                self.results.lock().expect("results lock").push(res);
            }
            Ok(ev) => {
                if let Cucumber::Feature(f, fe) = ev.value {
                    match fe {
                        Feature::Scenario(s, ev) => self.on_scenario(&f, None, &s, &ev.event),
                        Feature::Rule(r, Rule::Scenario(s, ev)) => {
                            self.on_scenario(&f, Some(&r), &s, &ev.event)
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

impl<W> writer::NonTransforming for Recorder<W> {}

/// The expected-failures file: one `area: scenario name` per line, `#` comments.
#[derive(Clone, Debug, Default)]
pub struct ExpectedFailures(pub BTreeSet<String>);

impl ExpectedFailures {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Self {
        Self(
            text.lines()
                .map(|l| l.split_once(" #").map_or(l, |(a, _)| a).trim())
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from)
                .collect(),
        )
    }
}

/// The run's verdict.
#[derive(Clone, Debug, Default)]
pub struct Verdict {
    /// MUST failures not listed as expected.
    pub must_failures: Vec<String>,
    /// SHOULD/MAY failures not listed as expected.
    pub warnings: Vec<String>,
    /// `@advice` scenarios that did not hold: printed, never fatal.
    pub advice: Vec<String>,
    /// Listed failures that failed again.
    pub expected: Vec<String>,
    /// Listed failures that now pass: the list must be updated.
    pub now_passing: Vec<String>,
}

impl Verdict {
    /// Decides from the results.
    pub fn decide(results: &[ScenarioResult], expected: &ExpectedFailures) -> Self {
        let mut v = Self::default();
        for r in results {
            let listed = expected.0.contains(&r.id());
            match (&r.status, listed) {
                (Status::Failed { .. }, true) => v.expected.push(r.id()),
                (Status::Failed { .. }, false) if r.level == Level::Advice => v.advice.push(r.id()),
                (Status::Failed { .. }, false) if r.level == Level::Must => {
                    v.must_failures.push(r.id())
                }
                (Status::Failed { .. }, false) => v.warnings.push(r.id()),
                (Status::Passed, true) => v.now_passing.push(r.id()),
                _ => {}
            }
        }
        v
    }

    /// Whether the run passes.
    pub fn passed(&self, strict: bool) -> bool {
        self.must_failures.is_empty()
            && self.now_passing.is_empty()
            && (!strict || self.warnings.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(area: &str, name: &str, level: Level, ok: bool) -> ScenarioResult {
        ScenarioResult {
            area: area.into(),
            name: name.into(),
            tags: vec![],
            level,
            status: if ok {
                Status::Passed
            } else {
                Status::Failed {
                    step: "s".into(),
                    message: "m".into(),
                }
            },
            junit_name: String::new(),
            uri: None,
            line: 0,
            evidence: None,
        }
    }

    #[test]
    fn advice_never_fails_a_run() {
        let r = vec![res("a", "x", Level::Advice, false)];
        let v = Verdict::decide(&r, &ExpectedFailures::default());
        assert!(v.passed(false) && v.passed(true), "{v:?}");
        assert_eq!((v.advice.len(), v.warnings.len()), (1, 0));
        assert_eq!(Level::of(&["advice".into()]), Level::Advice);
    }

    #[test]
    fn levels_decide_the_exit() {
        let r = vec![
            res("a", "x", Level::Must, true),
            res("a", "y", Level::Should, false),
        ];
        let v = Verdict::decide(&r, &ExpectedFailures::default());
        assert!(v.passed(false));
        assert!(!v.passed(true), "a SHOULD failure fails a strict run");
        let r = vec![res("a", "x", Level::Must, false)];
        assert!(!Verdict::decide(&r, &ExpectedFailures::default()).passed(false));
    }

    #[test]
    fn expected_failures_cover_regressions_and_fixes() {
        let list = ExpectedFailures::parse("# known\na: x   # server bug 12\n\na: z\n");
        assert_eq!(list.0.len(), 2);
        let r = vec![
            res("a", "x", Level::Must, false),
            res("a", "y", Level::Must, false),
        ];
        let v = Verdict::decide(&r, &list);
        assert_eq!(v.expected, vec!["a: x"]);
        assert_eq!(
            v.must_failures,
            vec!["a: y"],
            "an unlisted failure is a regression"
        );
        let r = vec![res("a", "z", Level::Must, true)];
        let v = Verdict::decide(&r, &list);
        assert!(
            !v.passed(false),
            "an expected failure that now passes fails the run"
        );
    }

    #[test]
    fn untagged_scenarios_count_as_must() {
        assert_eq!(Level::of(&[]), Level::Must);
        assert_eq!(Level::of(&["should".into()]), Level::Should);
        assert_eq!(Level::of(&["may".into()]), Level::May);
    }
}
