//! Conformance harness for OAuth 2.0 authorization servers (conformance/README.md, docs/target-file.md).
//!
//! - [`run`] starts the embedded reference server (or reads a target file),
//!   runs the suites in `features/` with cucumber, and decides the verdict.
//! - [`config`]: the target file. [`user_agent`]: the browser and raw HTTP.
//! - [`world`]: per-scenario state and protocol actions; [`steps`]: the Gherkin
//!   vocabulary, each step a few lines calling the world.
//! - [`verdict`] and [`report`]: levels, expected failures, summary, exit code;
//!   [`evidence`] and [`html`]: what decided each failure, in the JSON and
//!   HTML reports.
//!   [`skipped`]: the scenarios the target's capabilities rule out, added to
//!   the JUnit and JSON reports.
//!
//! Every protocol message is built here from raw HTTP; this crate does not use
//! the SDK, so the two cannot agree on the same misreading of an RFC.

pub mod capability;
pub mod cli;
pub mod config;
pub mod embedded;
pub mod evidence;
pub mod html;
pub mod parameters;
pub mod pinned;
pub mod report;
pub mod skipped;
pub mod steps;
pub mod user_agent;
pub mod verdict;
pub mod world;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use cucumber::tag::Ext as _;
use cucumber::{World as _, WriterExt as _};

pub use config::Target;
pub use world::OAuthWorld;

static TARGET: OnceLock<Target> = OnceLock::new();

/// The target of this run (set once by [`run`]).
pub fn target() -> &'static Target {
    TARGET
        .get()
        .expect("the target is configured before any scenario runs")
}

/// Runs the suites; `Ok(true)` when the run passes.
pub async fn run(mut opts: cli::Opts) -> Result<bool, String> {
    let custom = opts.custom.clone();
    let features = custom
        .features
        .clone()
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../features")));
    // Every tag is parsed before anything starts: a misspelled `@needs-…` or
    // level tag would otherwise skip or misgrade its scenario silently.
    capability::check_features(&features)?;
    let (_server, target) = match &custom.target {
        Some(path) => (None, Target::load(path).map_err(|e| e.to_string())?),
        None => {
            let (h, t) = embedded::start_with(&custom.fault, &custom.variant).await?;
            println!("embedded reference server at {}", h.base_url());
            (Some(h), t)
        }
    };
    TARGET
        .set(target)
        .map_err(|_| "run() may be called once per process".to_string())?;
    let target = self::target();
    if custom.check {
        let problems = world::preflight(target).await;
        for p in &problems {
            println!("  PROBLEM  {p}");
        }
        if problems.is_empty() {
            println!(
                "CHECK: the target file describes {} well enough to run the suites",
                target.server.issuer
            );
        } else {
            println!("CHECK: {} problem(s) in the target file", problems.len());
        }
        return Ok(problems.is_empty());
    }
    if opts.runner.concurrency.is_none() {
        opts.runner.concurrency = target.concurrency;
    }

    let pinned = match &custom.expected_verdicts {
        Some(p) => Some(
            pinned::Pinned::parse(
                &std::fs::read_to_string(p)
                    .map_err(|e| format!("cannot read {}: {e}", p.display()))?,
            )
            .map_err(|e| format!("{}: {e}", p.display()))?,
        ),
        None => None,
    };
    let expected = match &custom.expected_failures {
        Some(p) => verdict::ExpectedFailures::parse(
            &std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?,
        ),
        None => verdict::ExpectedFailures::default(),
    };
    let create = |p: &Option<PathBuf>| {
        p.as_ref()
            .map(|p| {
                std::fs::File::create(p).map_err(|e| format!("cannot write {}: {e}", p.display()))
            })
            .transpose()
    };
    let results: verdict::Results = Arc::default();
    let recorder = verdict::Recorder::new(
        results.clone(),
        create(&custom.junit)?,
        create(&custom.json)?,
        custom.verbose,
    );

    let skips: Arc<Mutex<Vec<report::Skip>>> = Arc::default();
    // Both filters are applied here, so capability gating also holds with them
    // (cucumber skips the custom filter when either is given).
    let tags_filter = opts.tags_filter.take();
    let name_filter = opts.re_filter.take();
    let skips_in = skips.clone();
    let filter = move |f: &cucumber::gherkin::Feature,
                       r: Option<&cucumber::gherkin::Rule>,
                       s: &cucumber::gherkin::Scenario| {
        let tags = verdict::tags_of(f, r, s);
        if tags_filter.as_ref().is_some_and(|t| !t.eval(tags.iter()))
            || name_filter.as_ref().is_some_and(|re| !re.is_match(&s.name))
        {
            return false;
        }
        match target.missing_capability(&tags) {
            None => true,
            Some(reason) => {
                let skip = report::Skip::new(f, r, s, reason);
                skips_in.lock().expect("skips lock").push(skip);
                false
            }
        }
    };

    OAuthWorld::cucumber()
        // Whatever happened, a leased Segment source is reset and given back
        // here: a failed scenario's world outlives it inside the report.
        .after(|_, _, _, _, world| {
            Box::pin(async move {
                if let Some(w) = world {
                    w.release_source().await;
                }
            })
        })
        .with_writer(recorder.normalized())
        .with_cli(opts)
        .filter_run(features, filter)
        .await;

    let results = results.lock().expect("results lock").clone();
    let skips = skips.lock().expect("skips lock").clone();
    for line in report::skip_lines(&skips) {
        println!("{line}");
    }
    for (grant, why) in [
        (
            "implicit",
            "implicit grant enabled: deprecated by RFC 9700 §2.1.2",
        ),
        (
            "password",
            "password grant enabled: RFC 9700 §2.4 says MUST NOT",
        ),
    ] {
        if target.capabilities.grants.iter().any(|g| g == grant) {
            println!("  NOTE  {why}");
        }
    }
    let v = verdict::Verdict::decide(&results, &expected);
    print!("{}", report::summary(&results, &skips, &v, custom.strict));
    let warned: Vec<skipped::Warned> = results
        .iter()
        .filter_map(|r| match &r.status {
            verdict::Status::Failed { message, .. } if r.level != verdict::Level::Must => {
                let kind = match r.level {
                    verdict::Level::Advice => "advice".to_owned(),
                    l => format!("warning ({})", l.label()),
                };
                Some(skipped::Warned {
                    case: r.junit_name.clone(),
                    message: format!("{kind}: {message}"),
                })
            }
            _ => None,
        })
        .collect();
    skipped::complete_reports(
        custom.junit.as_deref(),
        custom.json.as_deref(),
        &skips,
        &warned,
    )?;
    if let Some(path) = &custom.json {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let text = evidence::add_to_json(&text, &results)?;
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(path) = &custom.html {
        let page = html::render(
            target.server.issuer.as_str(),
            &results,
            &skips,
            &v,
            custom.strict,
        );
        std::fs::write(path, page).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if results.is_empty() && skips.is_empty() {
        return Err("no scenario ran (check --features and the tag filter)".into());
    }
    if let Some(path) = &custom.write_verdicts {
        let text = pinned.clone().unwrap_or_default().render(&results, &skips);
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(pinned) = &pinned {
        let diffs = pinned.compare(&results, &skips);
        if diffs.is_empty() {
            println!("PINNED: all {} verdicts as expected", pinned.entries.len());
        } else {
            println!(
                "PINNED: {} verdict(s) differ from the expected file:",
                diffs.len()
            );
            for d in &diffs {
                println!("  {d}");
            }
        }
        return Ok(diffs.is_empty());
    }
    Ok(v.passed(custom.strict))
}
