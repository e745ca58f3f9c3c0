//! Capability skips in the JUnit XML and Cucumber JSON reports (a skip is reported with its reason:
//! docs/target-file.md#capabilities).
//!
//! A scenario that needs a capability the target does not declare is removed
//! by the run's filter, so cucumber never runs it and its writers never see
//! it. The two report files are therefore completed after cucumber has written
//! them: [`junit`] adds a `<testcase>` holding `<skipped message="reason"/>` to
//! its feature's `<testsuite>` (or to a new one) and sets the suite's `tests`
//! and `skipped` counts; [`json`] adds a scenario element whose steps are all
//! `skipped`, with the reason as its `description`. Completing the files
//! rather than feeding cucumber's writers made-up events keeps every entry
//! cucumber wrote, works when no scenario ran at all, and can carry the reason
//! (cucumber's JUnit writer has no place for one). Names follow cucumber's
//! writers, so a CI shows skipped and run scenarios side by side.

use std::path::Path;
use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use cucumber::gherkin;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer};
use serde_json::{Value, json};

use crate::report::Skip;

/// A scenario that failed at a level that does not fail a run (SHOULD, MAY,
/// advice): its JUnit `<testcase>` name and the message its `<failure>` is
/// replaced with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warned {
    /// The `<testcase>` name (see [`case_name`]).
    pub case: String,
    /// `warning (SHOULD): …` or `advice: …`.
    pub message: String,
}

/// Adds `skips` to the report files of this run (those that were asked for),
/// and in JUnit turns the failures of `warned` into `<skipped>` warnings.
pub fn complete_reports(
    junit_file: Option<&Path>,
    json_file: Option<&Path>,
    skips: &[Skip],
    warned: &[Warned],
) -> Result<(), String> {
    if let Some(path) = junit_file {
        let timestamp = rfc3339(SystemTime::now());
        rewrite(path, |xml| junit(xml, skips, warned, &timestamp))?;
    }
    if let Some(path) = json_file {
        rewrite(path, |report| json(report, skips))?;
    }
    Ok(())
}

fn rewrite(path: &Path, edit: impl FnOnce(&str) -> Result<String, String>) -> Result<(), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = edit(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The JUnit report `xml` with `skips` added, each as a `<testcase>` holding
/// `<skipped message="reason"/>` in its feature's `<testsuite>`; a feature
/// none of whose scenarios ran gets a suite of its own, started at
/// `timestamp`. Every suite's `tests` and `skipped` counts include them.
///
/// The `<failure>` of each testcase named in `warned` (a SHOULD, MAY or
/// advice scenario that did not hold) becomes `<skipped message="warning
/// (SHOULD): …"/>`, and its suite's `failures` count drops by one: a CI that
/// counts failures counts only what fails the run, and can still tell the
/// warnings apart by their message.
pub fn junit(
    xml: &str,
    skips: &[Skip],
    warned: &[Warned],
    timestamp: &str,
) -> Result<String, String> {
    // An empty file: cucumber never finished its report; start an empty one.
    let xml = if xml.trim().is_empty() {
        r#"<?xml version="1.0" encoding="utf-8"?><testsuites/>"#
    } else {
        xml
    };
    match add_testcases(xml, skips, warned, timestamp) {
        Ok(Some(xml)) => Ok(xml),
        Ok(None) => Err("not a JUnit report: no complete <testsuites> element".into()),
        Err(e) => Err(format!("not a JUnit report: {e}")),
    }
}

/// [`junit`]'s work; `None` when `xml` has no complete `<testsuites>`.
fn add_testcases(
    xml: &str,
    skips: &[Skip],
    warned: &[Warned],
    timestamp: &str,
) -> Result<Option<String>, quick_xml::Error> {
    // Skips by suite name, in the order the filter met them.
    let mut pending: Vec<(String, Vec<&Skip>)> = Vec::new();
    for s in skips {
        let name = suite_name(&s.feature);
        match pending.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => v.push(s),
            None => pending.push((name, vec![s])),
        }
    }
    let mut out = Suites {
        w: Writer::new(Vec::new()),
        count: 0,
        warned,
    };
    let mut reader = Reader::from_str(xml);
    // The `<testsuite>` being read: its start tag and what it holds.
    let mut suite: Option<(BytesStart<'static>, Vec<Event<'static>>)> = None;
    // Whether `</testsuites>` (or `<testsuites/>`) was met.
    let mut root = false;
    loop {
        let ev = reader.read_event()?;
        if ev == Event::Eof {
            break;
        }
        if let Some((start, mut body)) = suite.take() {
            if matches!(&ev, Event::End(e) if e.name().as_ref() == b"testsuite") {
                let skips = take_group(&mut pending, &start)?;
                out.suite(&start, &body, &skips)?;
            } else {
                body.push(ev.into_owned());
                suite = Some((start, body));
            }
            continue;
        }
        match ev {
            Event::Start(e) if e.name().as_ref() == b"testsuite" => {
                suite = Some((e.into_owned(), Vec::new()));
            }
            Event::Empty(e) if e.name().as_ref() == b"testsuite" => {
                let skips = take_group(&mut pending, &e)?;
                out.suite(&e, &[], &skips)?;
            }
            // Cucumber's suites come first, then those of features that did not run.
            Event::End(e) if e.name().as_ref() == b"testsuites" => {
                root = true;
                out.new_suites(&pending, timestamp)?;
                out.w.write_event(Event::End(e))?;
            }
            Event::Empty(e) if e.name().as_ref() == b"testsuites" => {
                root = true;
                out.w.write_event(Event::Start(e.borrow()))?;
                out.new_suites(&pending, timestamp)?;
                out.w.write_event(Event::End(e.to_end()))?;
            }
            ev => out.w.write_event(ev)?,
        }
    }
    Ok(root.then(|| String::from_utf8_lossy(&out.w.into_inner()).into_owned()))
}

/// The skips of the suite that starts with `start` (none if it has none),
/// taken out of `pending`.
fn take_group<'s>(
    pending: &mut Vec<(String, Vec<&'s Skip>)>,
    start: &BytesStart<'_>,
) -> Result<Vec<&'s Skip>, quick_xml::Error> {
    let name = match start.try_get_attribute("name")? {
        Some(a) => a.normalized_value(quick_xml::XmlVersion::Explicit1_0)?,
        None => return Ok(Vec::new()),
    };
    Ok(match pending.iter().position(|(n, _)| *n == name) {
        Some(i) => pending.remove(i).1,
        None => Vec::new(),
    })
}

/// The JUnit document being written, how many suites it has so far, and the
/// failures to write as warnings.
struct Suites<'w> {
    w: Writer<Vec<u8>>,
    count: usize,
    warned: &'w [Warned],
}

/// `body` with the `<failure>` of every testcase named in `warned` replaced
/// by a `<skipped>` carrying the warning.
fn demote_warnings(
    body: &[Event<'_>],
    warned: &[Warned],
) -> Result<Vec<Event<'static>>, quick_xml::Error> {
    let mut out = Vec::with_capacity(body.len());
    // The warning of the testcase being read, if it is one.
    let mut case: Option<&Warned> = None;
    // Depth inside a `<failure>` being dropped.
    let mut dropping = 0usize;
    for ev in body {
        if dropping > 0 {
            match ev {
                Event::Start(_) => dropping += 1,
                Event::End(_) => dropping -= 1,
                _ => {}
            }
            continue;
        }
        let name = |e: &BytesStart<'_>| -> Result<Option<String>, quick_xml::Error> {
            Ok(match e.try_get_attribute("name")? {
                Some(a) => Some(
                    a.normalized_value(quick_xml::XmlVersion::Explicit1_0)?
                        .into_owned(),
                ),
                None => None,
            })
        };
        match ev {
            Event::Start(e) if e.name().as_ref() == b"testcase" => {
                let n = name(e)?;
                case = warned.iter().find(|w| Some(&w.case) == n.as_ref());
            }
            Event::End(e) if e.name().as_ref() == b"testcase" => case = None,
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"failure" => {
                if let Some(w) = case {
                    if matches!(ev, Event::Start(_)) {
                        dropping = 1;
                    }
                    out.push(Event::Empty(
                        BytesStart::new("skipped")
                            .with_attributes([("message", w.message.as_str())])
                            .into_owned(),
                    ));
                    continue;
                }
            }
            _ => {}
        }
        out.push(ev.clone().into_owned());
    }
    Ok(out)
}

impl Suites<'_> {
    /// A `<testsuite>` as cucumber wrote it (`start`, `body`), with `skips`
    /// added at its end and its `tests` and `skipped` counts set.
    fn suite(
        &mut self,
        start: &BytesStart<'_>,
        body: &[Event<'_>],
        skips: &[&Skip],
    ) -> Result<(), quick_xml::Error> {
        let body = &demote_warnings(body, self.warned)?[..];
        let count = |tag: &[u8]| {
            skips.len()
                + body
                    .iter()
                    .filter(|e| matches!(e, Event::Start(x) | Event::Empty(x) if x.name().as_ref() == tag))
                    .count()
        };
        let tests = count(b"testcase").to_string();
        let skipped = count(b"skipped").to_string();
        let failures = (count(b"failure") - skips.len()).to_string();
        let mut tag = BytesStart::new("testsuite");
        for a in start.attributes() {
            let a = a?;
            match a.key.as_ref() {
                b"tests" => tag.push_attribute(("tests", tests.as_str())),
                b"failures" => tag.push_attribute(("failures", failures.as_str())),
                b"skipped" => {}
                _ => tag.push_attribute(a),
            }
        }
        tag.push_attribute(("skipped", skipped.as_str()));
        self.count += 1;
        if body.is_empty() && skips.is_empty() {
            self.w.write_event(Event::Empty(tag))?;
            return Ok(());
        }
        self.w.write_event(Event::Start(tag.borrow()))?;
        for e in body {
            self.w.write_event(e.borrow())?;
        }
        for s in skips {
            self.w
                .create_element("testcase")
                .with_attributes([
                    (
                        "name",
                        case_name(&s.feature, s.rule.as_ref(), &s.scenario).as_str(),
                    ),
                    ("time", "0"),
                ])
                .write_inner_content(|w| {
                    w.create_element("skipped")
                        .with_attributes([("message", s.reason.as_str())])
                        .write_empty()
                        .map(drop)
                })?;
        }
        self.w.write_event(Event::End(tag.to_end()))?;
        Ok(())
    }

    /// A suite for each feature in `pending`, with the attributes cucumber's
    /// JUnit writer gives a suite.
    fn new_suites(
        &mut self,
        pending: &[(String, Vec<&Skip>)],
        timestamp: &str,
    ) -> Result<(), quick_xml::Error> {
        for (name, skips) in pending {
            let (id, package) = (self.count.to_string(), format!("testsuite/{name}"));
            let start = BytesStart::new("testsuite").with_attributes([
                ("id", id.as_str()),
                ("name", name),
                ("package", &package),
                ("tests", "0"),
                ("errors", "0"),
                ("failures", "0"),
                ("hostname", "localhost"),
                ("timestamp", timestamp),
                ("time", "0"),
            ]);
            self.suite(&start, &[], skips)?;
        }
        Ok(())
    }
}

/// The Cucumber JSON report `report` with `skips` added under their features,
/// each as a scenario element whose steps are all `skipped` and whose
/// `description` gives the reason. (Its objects' keys come back sorted.)
pub fn json(report: &str, skips: &[Skip]) -> Result<String, String> {
    let mut features: Vec<Value> = if report.trim().is_empty() {
        Vec::new()
    } else {
        serde_json::from_str(report).map_err(|e| format!("not a Cucumber JSON report: {e}"))?
    };
    for s in skips {
        let f = &s.feature;
        let uri = json!(report_path(f));
        let at = match features
            .iter()
            .position(|x| x["uri"] == uri && x["name"] == f.name.as_str())
        {
            Some(at) => at,
            None => {
                features.push(json!({
                    "uri": uri,
                    "keyword": f.keyword,
                    "name": f.name,
                    "tags": tags(&f.tags, f.position.line),
                    "elements": [],
                }));
                features.len() - 1
            }
        };
        match &mut features[at]["elements"] {
            Value::Array(elements) => elements.push(element(s)),
            other => *other = json!([element(s)]),
        }
    }
    serde_json::to_string(&features).map_err(|e| e.to_string())
}

/// A skipped scenario as cucumber's JSON writer shapes a scenario.
fn element(s: &Skip) -> Value {
    let (sc, rule) = (&s.scenario, s.rule.as_ref());
    let step = |keyword: &str, line: usize, name: &str| {
        json!({
            "keyword": keyword,
            "line": line,
            "name": name,
            "result": { "status": "skipped", "duration": 0 },
        })
    };
    let mut steps: Vec<Value> = sc
        .steps
        .iter()
        .map(|st| step(&st.keyword, st.position.line, &st.value))
        .collect();
    if steps.is_empty() {
        steps.push(step("", sc.position.line, &s.reason));
    }
    json!({
        "keyword": sc.keyword,
        "type": "scenario",
        "id": format!(
            "{}{}/{}",
            kebab(&s.feature.name),
            rule.map(|r| format!("/{}", kebab(&r.name))).unwrap_or_default(),
            kebab(&sc.name),
        ),
        "line": sc.position.line,
        "name": format!("{}{}", rule.map(|r| format!("{} ", r.name)).unwrap_or_default(), sc.name),
        "description": format!("Skipped: {}", s.reason),
        "tags": tags(&sc.tags, sc.position.line),
        "steps": steps,
    })
}

fn tags(tags: &[String], line: usize) -> Value {
    tags.iter()
        .map(|t| json!({ "name": t, "line": line }))
        .collect()
}

/// `The state "x" comes back` → `the-state-x-comes-back`, as cucumber's ids.
fn kebab(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// A feature's `<testsuite>` name, as cucumber's JUnit writer gives it.
fn suite_name(f: &gherkin::Feature) -> String {
    let path = report_path(f).map(|p| format!(": {p}"));
    format!("Feature: {}{}", f.name, path.unwrap_or_default())
}

/// A scenario's `<testcase>` name, as cucumber's JUnit writer gives it.
pub fn case_name(f: &gherkin::Feature, r: Option<&gherkin::Rule>, s: &gherkin::Scenario) -> String {
    let rule = r.map(|r| format!("Rule: {}: ", r.name));
    let path = report_path(f).map(|p| format!("{p}:"));
    format!(
        "{}Scenario: {}: {}{}:{}",
        rule.unwrap_or_default(),
        s.name,
        path.unwrap_or_default(),
        s.position.line,
        s.position.col,
    )
}

/// A feature's path as cucumber's writers print it: without the leading
/// `CARGO_WORKSPACE_DIR`, `CARGO_MANIFEST_DIR` or working directory (as
/// cucumber's private `writer::basic::trim_path` does).
pub(crate) fn report_path(f: &gherkin::Feature) -> Option<&str> {
    static BASE: LazyLock<String> = LazyLock::new(|| {
        std::env::var("CARGO_WORKSPACE_DIR")
            .or_else(|_| std::env::var("CARGO_MANIFEST_DIR"))
            .unwrap_or_else(|_| {
                std::env::current_dir()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            })
    });
    let path = f.path.as_ref()?.to_str()?;
    Some(
        path.trim_start_matches(BASE.as_str())
            .trim_start_matches('/')
            .trim_start_matches('\\'),
    )
}

/// `t` in RFC 3339, UTC, to the second (a JUnit `timestamp`).
fn rfc3339(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's `civil_from_days`, for days since 1970-01-01.
    let era = (days + 719_468) / 146_097;
    let doe = days + 719_468 - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEATURE: &str = "\
@password
Feature: Password grant
  @must
  Scenario: Valid credentials give tokens
    When the client asks
    Then it works

  Rule: Refusals
    @should
    Scenario: A wrong password is refused
      When the client asks wrongly
";

    /// The skips of every scenario of [`FEATURE`] (at `path`), for `reason`.
    fn skips(path: &str, reason: &str) -> Vec<Skip> {
        let mut f =
            gherkin::Feature::parse(FEATURE, gherkin::GherkinEnv::default()).expect("a feature");
        f.path = Some(path.into());
        let rule = &f.rules[0];
        vec![
            Skip::new(&f, None, &f.scenarios[0], reason.into()),
            Skip::new(&f, Some(rule), &rule.scenarios[0], reason.into()),
        ]
    }

    /// Suites of a JUnit report: name, `tests`, `skipped`, and each case's
    /// name with its `<skipped>` message.
    type Suite = (String, String, String, Vec<(String, Option<String>)>);

    fn parse(xml: &str) -> Vec<Suite> {
        let value = |e: &BytesStart<'_>, key: &str| {
            e.try_get_attribute(key)
                .expect("attributes")
                .map(|a| {
                    a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                        .expect("escaped")
                        .into_owned()
                })
                .unwrap_or_default()
        };
        let mut reader = Reader::from_str(xml);
        let mut suites: Vec<Suite> = Vec::new();
        loop {
            let ev = reader.read_event().expect("well-formed XML");
            let (Event::Start(e) | Event::Empty(e)) = &ev else {
                if ev == Event::Eof {
                    return suites;
                }
                continue;
            };
            let suite = suites.last_mut();
            match (e.name().as_ref(), suite) {
                (b"testsuite", _) => suites.push((
                    value(e, "name"),
                    value(e, "tests"),
                    value(e, "skipped"),
                    Vec::new(),
                )),
                (b"testcase", Some(s)) => s.3.push((value(e, "name"), None)),
                (b"skipped", Some(s)) => {
                    s.3.last_mut().expect("a case").1 = Some(value(e, "message"));
                }
                _ => {}
            }
        }
    }

    const REASON: &str = r#"target lacks <this> & "that""#;

    #[test]
    fn junit_adds_a_suite_for_a_feature_that_did_not_run() {
        for empty in ["", r#"<?xml version="1.0" encoding="utf-8"?><testsuites/>"#] {
            let xml =
                junit(empty, &skips("features/p.feature", REASON), &[], "T").expect("a report");
            let suites = parse(&xml);
            let cases = vec![
                (
                    "Scenario: Valid credentials give tokens: features/p.feature:4:3".to_owned(),
                    Some(REASON.to_owned()),
                ),
                (
                    "Rule: Refusals: Scenario: A wrong password is refused: features/p.feature:10:5"
                        .to_owned(),
                    Some(REASON.to_owned()),
                ),
            ];
            assert_eq!(
                suites,
                vec![(
                    "Feature: Password grant: features/p.feature".to_owned(),
                    "2".to_owned(),
                    "2".to_owned(),
                    cases
                )],
                "{xml}"
            );
            assert!(
                xml.contains(r#"id="0""#) && xml.contains(r#"timestamp="T""#),
                "{xml}"
            );
        }
    }

    #[test]
    fn junit_extends_the_suite_of_a_feature_that_ran() {
        let name = "Feature: Password grant: features/p.feature";
        let xml = format!(
            r#"<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite id="0" name="Feature: Other: o.feature" tests="0"/><testsuite id="1" name="{name}" tests="2" failures="1"><testcase name="a" time="1"><failure message="m"/></testcase><testcase name="b"><skipped/><system-out><![CDATA[x < y]]></system-out></testcase></testsuite></testsuites>"#
        );
        let out = junit(&xml, &skips("features/p.feature", REASON), &[], "T").expect("a report");
        let suites = parse(&out);
        assert_eq!(suites.len(), 2, "{out}");
        assert_eq!(
            (&suites[0].1[..], &suites[0].2[..], suites[0].3.len()),
            ("0", "0", 0)
        );
        let (n, tests, skipped, cases) = &suites[1];
        assert_eq!(
            (&n[..], &tests[..], &skipped[..]),
            (name, "4", "3"),
            "{out}"
        );
        assert_eq!(cases[0], ("a".to_owned(), None));
        assert!(cases[2..].iter().all(|c| c.1.as_deref() == Some(REASON)));
        assert!(
            out.contains(r#"<failure message="m"/>"#) && out.contains("<![CDATA[x < y]]>"),
            "cucumber's own entries are kept: {out}"
        );
    }

    #[test]
    fn junit_counts_should_failures_as_warnings_not_failures() {
        let xml = r#"<?xml version="1.0"?><testsuites><testsuite id="0" name="Feature: I" tests="3" errors="0" failures="2"><testcase name="must"><failure message="m1"><![CDATA[x]]></failure></testcase><testcase name="should"><failure message="m2"><![CDATA[y]]></failure><system-out>out</system-out></testcase><testcase name="ok"/></testsuite></testsuites>"#;
        let warned = [Warned {
            case: "should".into(),
            message: "warning (SHOULD): m2".into(),
        }];
        let out = junit(xml, &[], &warned, "T").expect("a report");
        let suites = parse(&out);
        let cases = &suites[0].3;
        assert_eq!(cases[0], ("must".to_owned(), None), "{out}");
        assert_eq!(
            cases[1],
            ("should".to_owned(), Some("warning (SHOULD): m2".to_owned())),
            "{out}"
        );
        assert!(
            out.contains(r#"failures="1""#) && out.contains(r#"skipped="1""#),
            "{out}"
        );
        assert!(out.contains("<system-out>out</system-out>"), "{out}");
        assert_eq!(out.matches("<failure").count(), 1, "{out}");
    }

    #[test]
    fn junit_refuses_what_is_not_a_report() {
        for bad in ["<html/>", "<testsuites><testsuite>", "not xml <"] {
            assert!(junit(bad, &[], &[], "T").is_err(), "{bad}");
        }
    }

    #[test]
    fn json_adds_skipped_elements_under_their_feature() {
        let ran = r#"[{"uri":"features/p.feature","keyword":"Feature","name":"Password grant","tags":[],"elements":[{"name":"ran"}]}]"#;
        for (report, elements) in [("", 2), ("[]", 2), (ran, 3)] {
            let out = json(report, &skips("features/p.feature", REASON)).expect("JSON");
            let out: Value = serde_json::from_str(&out).expect("JSON");
            let features = out.as_array().expect("features");
            assert_eq!(features.len(), 1, "{out}");
            let f = &features[0];
            assert_eq!(
                (&f["uri"], &f["name"]),
                (&json!("features/p.feature"), &json!("Password grant"))
            );
            let els = f["elements"].as_array().expect("elements");
            assert_eq!(els.len(), elements, "{out}");
            let skipped = &els[elements - 1];
            assert_eq!(skipped["name"], "Refusals A wrong password is refused");
            assert_eq!(
                skipped["id"],
                "password-grant/refusals/a-wrong-password-is-refused"
            );
            assert_eq!(skipped["description"], format!("Skipped: {REASON}"));
            assert_eq!(skipped["tags"][0]["name"], "should");
            assert_eq!(skipped["steps"][0]["name"], "the client asks wrongly");
            assert_eq!(skipped["steps"][0]["result"]["status"], "skipped");
        }
        assert!(json("{", &[]).is_err());
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        for (secs, want) in [
            (0, "1970-01-01T00:00:00Z"),
            (1_709_168_461, "2024-02-29T01:01:01Z"),
            (1_795_000_000, "2026-11-18T11:06:40Z"),
        ] {
            let t = UNIX_EPOCH + std::time::Duration::from_secs(secs);
            assert_eq!(rfc3339(t), want);
        }
    }
}
