//! The `--html FILE` report: one self-contained page (inline CSS, no script,
//! nothing fetched) a vendor can open or attach to a bug. A summary by area
//! and level, then each failed or warned scenario with the sentence it cites,
//! the step and message that failed it, and the HTTP exchanges that decided
//! it (redacted when they were recorded, see `user_agent/record.rs`), then
//! the skips. Every text is HTML-escaped.

use std::fmt::Write as _;

use crate::report::{Skip, counts_by_area, skip_lines};
use crate::user_agent::Exchange;
use crate::verdict::{Level, ScenarioResult, Status, Verdict};

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}
td:first-child,th:first-child{text-align:left}.bad{background:#fdd}.warn{background:#ffe9b8}
section{border-left:.4em solid #c00;padding:.1em 1em;margin:1.5em 0}section.warn,section.advice{border-color:#d90;background:none}
section.advice{border-color:#888}blockquote{margin:.5em 0;padding:.3em 1em;background:#f4f4f4;border-left:3px solid #999}
pre{background:#f7f7f7;padding:.5em;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
summary{cursor:pointer;font-family:monospace}.pass{color:#070}.fail{color:#c00}";

/// The page for this run.
pub fn render(
    issuer: &str,
    results: &[ScenarioResult],
    skips: &[Skip],
    verdict: &Verdict,
    strict: bool,
) -> String {
    let mut out = String::new();
    let passed = verdict.passed(strict);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>OAuth 2.0 conformance report: {}</title><style>{STYLE}</style></head><body>\n\
         <h1>OAuth 2.0 conformance report</h1>\n<p>Server: <code>{}</code>. Verdict: \
         <strong class=\"{}\">{}</strong>. {} scenarios run, {} skipped, {} MUST failure(s), \
         {} warning(s), {} advice not followed{}.</p>\n",
        esc(issuer),
        esc(issuer),
        if passed { "pass" } else { "fail" },
        if passed { "PASS" } else { "FAIL" },
        results.len(),
        skips.len(),
        verdict.must_failures.len(),
        verdict.warnings.len(),
        verdict.advice.len(),
        if strict { " (--strict)" } else { "" },
    );
    summary_table(&mut out, results, skips);

    let mut failed: Vec<&ScenarioResult> = results
        .iter()
        .filter(|r| matches!(r.status, Status::Failed { .. }))
        .collect();
    failed.sort_by(|a, b| (a.level, &a.area, &a.name).cmp(&(b.level, &b.area, &b.name)));
    let _ = writeln!(
        out,
        "<h2>Failed and warned scenarios ({})</h2>",
        failed.len()
    );
    if failed.is_empty() {
        out.push_str("<p>None.</p>\n");
    }
    for r in failed {
        scenario(&mut out, r, verdict);
    }
    if !skips.is_empty() {
        let _ = writeln!(out, "<h2>Skipped ({})</h2>\n<ul>", skips.len());
        for line in skip_lines(skips) {
            let line = line.trim().trim_start_matches("SKIP").trim();
            let _ = writeln!(out, "<li>{}</li>", esc(line));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</body></html>\n");
    out
}

fn summary_table(out: &mut String, results: &[ScenarioResult], skips: &[Skip]) {
    out.push_str(
        "<h2>Summary by area and level</h2>\n<table><tr><th rowspan=\"2\">area</th>\
         <th colspan=\"2\">MUST</th><th colspan=\"2\">SHOULD</th><th colspan=\"2\">MAY</th>\
         <th colspan=\"2\">advice</th><th rowspan=\"2\">skipped</th></tr>\n<tr><th>ok</th>\
         <th>failed</th><th>ok</th><th>warned</th><th>ok</th><th>warned</th><th>ok</th>\
         <th>not followed</th></tr>\n",
    );
    for (area, n) in counts_by_area(results, skips) {
        let _ = write!(out, "<tr><td>{}</td>", esc(&area));
        for (i, v) in n.iter().enumerate() {
            let class = match (i, v) {
                (1, 1..) => " class=\"bad\"",
                (3 | 5, 1..) => " class=\"warn\"",
                _ => "",
            };
            let _ = write!(out, "<td{class}>{v}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

fn scenario(out: &mut String, r: &ScenarioResult, verdict: &Verdict) {
    let Status::Failed { step, message } = &r.status else {
        return;
    };
    let (class, mark) = match r.level {
        Level::Must => ("must", "FAIL"),
        Level::Should | Level::May => ("warn", "WARN"),
        Level::Advice => ("advice", "ADVICE NOT FOLLOWED"),
    };
    let expected = if verdict.expected.contains(&r.id()) {
        " (expected failure)"
    } else {
        ""
    };
    let _ = write!(
        out,
        "<section class=\"{class}\">\n<h3>{mark}{expected} [{} {}] {}</h3>\n",
        r.level.label(),
        esc(&r.sources().join(" ")),
        esc(&r.id()),
    );
    let evidence = r.evidence.clone().unwrap_or_default();
    match &evidence.cites {
        Some(c) => {
            let _ = writeln!(out, "<blockquote>{}</blockquote>", esc(c));
        }
        None => {
            let _ = writeln!(
                out,
                "<p>Source: {} (no sentence quoted above the scenario).</p>",
                esc(&r.sources().join(", "))
            );
        }
    }
    let _ = writeln!(
        out,
        "<p>Failed at <code>{}</code>:</p>\n<pre>{}</pre>",
        esc(step),
        esc(message)
    );
    let ex = &evidence.exchanges;
    if ex.kept.is_empty() {
        out.push_str("<p>No HTTP exchange was recorded.</p>\n");
    } else {
        let _ = writeln!(
            out,
            "<h4>HTTP exchanges ({}{}; secrets redacted)</h4>",
            ex.kept.len(),
            if ex.dropped > 0 {
                format!(", the last of {}", ex.kept.len() + ex.dropped)
            } else {
                String::new()
            }
        );
        let last = ex.kept.len() - 1;
        for (i, e) in ex.kept.iter().enumerate() {
            exchange(out, e, i == last);
        }
    }
    out.push_str("</section>\n");
}

fn exchange(out: &mut String, e: &Exchange, open: bool) {
    let answer = match (e.status, &e.error) {
        (Some(s), _) => format!("HTTP {s}"),
        (None, Some(_)) => "no answer".to_owned(),
        (None, None) => "?".to_owned(),
    };
    let _ = write!(
        out,
        "<details{}><summary>{} {} → {}</summary>\n<pre>",
        if open { " open" } else { "" },
        esc(&e.method),
        esc(&e.url),
        esc(&answer)
    );
    let _ = writeln!(out, "{} {}", esc(&e.method), esc(&e.url));
    for (k, v) in &e.request_headers {
        let _ = writeln!(out, "{}: {}", esc(k), esc(v));
    }
    if let Some(b) = &e.request_body {
        let _ = write!(out, "\n{}\n", esc(b));
    }
    out.push_str("</pre>\n<pre>");
    match (e.status, &e.error) {
        (Some(s), _) => {
            let _ = writeln!(out, "HTTP {s}");
            for (k, v) in &e.response_headers {
                let _ = writeln!(out, "{}: {}", esc(k), esc(v));
            }
            if !e.response_body.is_empty() {
                let _ = write!(out, "\n{}", esc(&e.response_body));
            }
        }
        (None, Some(err)) => {
            let _ = write!(out, "{}", esc(err));
        }
        (None, None) => {}
    }
    out.push_str("</pre></details>\n");
}

/// `s` escaped for HTML text and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::Evidence;
    use crate::user_agent::Exchanges;

    #[test]
    fn everything_is_escaped_and_nothing_is_fetched() {
        let r = ScenarioResult {
            area: "pkce".into(),
            name: "A <script> name".into(),
            tags: vec!["must".into(), "rfc7636-4.6".into()],
            level: Level::Must,
            status: Status::Failed {
                step: "Then it \"fails\"".into(),
                message: "got <b>HTML</b> & more".into(),
            },
            junit_name: String::new(),
            uri: None,
            line: 1,
            evidence: Some(Evidence {
                cites: Some("RFC 7636 §4.6: \"MUST be returned.\"".into()),
                exchanges: Exchanges {
                    kept: vec![Exchange {
                        method: "POST".into(),
                        url: "http://127.0.0.1:1/token".into(),
                        request_headers: vec![],
                        request_body: Some("a=<x>".into()),
                        status: Some(200),
                        response_headers: vec![("content-type".into(), "text/html".into())],
                        response_body: "<html><img src=\"http://example.com/x.png\"></html>".into(),
                        error: None,
                    }],
                    dropped: 2,
                },
            }),
        };
        let v = Verdict::decide(std::slice::from_ref(&r), &Default::default());
        let page = render("http://127.0.0.1:1", &[r], &[], &v, false);
        assert!(page.contains("A &lt;script&gt; name"), "{page}");
        assert!(page.contains("got &lt;b&gt;HTML&lt;/b&gt; &amp; more"));
        assert!(page.contains("&quot;MUST be returned.&quot;"));
        assert!(page.contains("the last of 3"));
        assert!(!page.contains("<img") && !page.contains("<script"));
        assert!(
            !page.contains("src=\"") && !page.contains("href="),
            "no asset"
        );
    }
}
