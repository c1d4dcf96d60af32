//! The incident report: its sections, its figures against the table, the healthy case, and
//! log text that tries to become markup.

mod common;

use logdrop::render::report::{html_document, markdown};
use logdrop::{Analyzer, Options, Summary};

fn summary(text: &str) -> Summary {
    let mut a = Analyzer::new(Options::default());
    a.push(text.as_bytes());
    a.finish()
}

fn sections(md: &str) -> Vec<&str> {
    md.lines().filter_map(|l| l.strip_prefix("## ")).collect()
}

#[test]
fn version_regression_report_has_every_section_and_the_table_numbers() {
    let s = summary(&common::version_regression());
    let md = markdown(&s);
    assert_eq!(
        sections(&md),
        [
            "Summary",
            "Root cause analysis",
            "Immediate action",
            "Prevention",
            "Timeline",
            "Retrospective notes",
            "Appendix: how the log was read"
        ],
        "{md}"
    );
    let f = &s.findings[0];
    assert!(
        md.contains(&f.summary),
        "the summary sentence is quoted as is"
    );
    assert!(
        md.contains("**Roll back** `version=v1.3` **to** `v1.2`"),
        "{md}"
    );
    // Every group's table row matches the JSON.
    for g in &s.groups {
        let l = g.latency_ms.expect("latency");
        let row = format!(
            "| {} | {} | {} | {} | {} | {} |",
            g.key,
            g.count,
            logdrop::analysis::text::fmt_pct(g.error_rate),
            logdrop::analysis::text::fmt_ms(l.p50),
            logdrop::analysis::text::fmt_ms(l.p95),
            logdrop::analysis::text::fmt_ms(l.p99)
        );
        assert!(md.contains(&row), "row {row} in\n{md}");
    }
    // Quoted evidence is real log lines of the culprit.
    let culprit = s.groups.iter().find(|g| g.key == "v1.3").expect("v1.3");
    assert!(culprit.evidence.iter().any(|e| md.contains(&e.text)));
    // The canary gate is computed from the baseline's p95.
    let base = s.groups.iter().find(|g| g.key == "v1.2").expect("v1.2");
    let gate = logdrop::analysis::text::fmt_ms(base.latency_ms.expect("p95").p95 * 1.5);
    assert!(md.contains(&format!("p95 > {gate}")), "{md}");
    assert!(md.contains("would have fired at"), "{md}");
    // Timed from the new version's first request: its deploy.
    assert!(
        md.contains("after the first version=v1.3 request")
            || md.contains("within a minute of the first version=v1.3 request"),
        "{md}"
    );
}

#[test]
fn seed_report_says_the_evidence_is_thin() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seed/seed.log"
    ))
    .expect("seed");
    let s = summary(&text);
    let md = markdown(&s);
    assert!(md.contains("too few requests"), "{md}");
    assert!(md.contains("Roll back"), "{md}");
    // The repaired seed line is quoted verbatim, as the hand-written report did.
    assert!(
        md.contains(r#"`{responseTimeMs": 820, "status": "Timeout", "modelVersion": "v1.3" }`"#),
        "{md}"
    );
}

#[test]
fn failing_host_gets_drained_not_rolled_back() {
    let s = summary(&common::failing_host());
    let md = markdown(&s);
    assert!(md.contains("out of rotation"), "{md}");
    assert!(!md.contains("Roll back"), "{md}");
}

#[test]
fn slow_endpoint_is_investigated() {
    let s = summary(&common::slow_endpoint());
    let md = markdown(&s);
    assert!(md.contains("**Investigate** `endpoint=/export`"), "{md}");
}

#[test]
fn slow_route_of_an_access_log_speaks_of_routes_not_versions() {
    // Grouped per route: no version in the log, so no rollback, canary or deploy.
    let s = summary(&common::slow_route());
    assert_eq!(s.fields.group.as_deref(), Some("path"));
    let md = markdown(&s);
    assert!(
        md.contains("**Investigate** `path=/api/orders/{id}`"),
        "{md}"
    );
    assert!(md.contains("**A budget per route:**"), "{md}");
    // Routes serve side by side: each is alerted on against its own usual p95.
    assert!(
        md.contains("page when a route's p95 over one minute exceeds 1.5× its usual p95"),
        "{md}"
    );
    assert!(!md.contains("after the first path="), "{md}");
    for word in [
        "version",
        "Roll back",
        "rollback",
        "Canary",
        "deploy",
        "Deployment",
    ] {
        assert!(!md.contains(word), "{word}: {md}");
    }
    // The version report keeps them.
    let v = markdown(&summary(&common::version_regression()));
    for word in [
        "Roll back",
        "Canary release",
        "any version's p95",
        "(deploy or first appearance)",
    ] {
        assert!(v.contains(word), "{word}: {v}");
    }
}

#[test]
fn healthy_file_gets_a_short_report() {
    let s = summary(&common::healthy());
    assert!(s.findings.is_empty());
    let md = markdown(&s);
    assert!(
        md.starts_with("# Log analysis: no significant regression found"),
        "{md}"
    );
    assert!(md.contains("No action needed"));
    assert!(!md.contains("Roll back"));
    assert!(!md.contains("## Prevention"));
    assert!(!md.contains("## Retrospective"));
}

#[test]
fn log_text_cannot_become_markup() {
    let mut log = String::new();
    let evil = [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "![x](http://evil.example/x.png)",
        "<img src=x onerror=alert(1)>",
        "`</code><script>alert(1)</script>`",
    ];
    for i in 0..200 {
        let v = evil[i % evil.len()];
        let slow = i % evil.len() == 0;
        log.push_str(&format!(
            "{{\"version\":{},\"latency_ms\":{},\"status\":\"{}\"}}\n",
            serde_json::to_string(v).expect("json"),
            if slow { 900 + i } else { 100 + i % 7 },
            if slow { "Timeout" } else { "OK" }
        ));
    }
    let s = summary(&log);
    let md = markdown(&s);
    // Rendered by a real CommonMark renderer, the report has no raw HTML, link or image.
    let mut rendered = String::new();
    let parser = pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES);
    let mut raw = Vec::new();
    let events: Vec<_> = parser
        .inspect(|e| match e {
            pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) => {
                raw.push(h.to_string())
            }
            pulldown_cmark::Event::Start(
                pulldown_cmark::Tag::Link { .. } | pulldown_cmark::Tag::Image { .. },
            ) => raw.push(format!("{e:?}")),
            _ => {}
        })
        .collect();
    pulldown_cmark::html::push_html(&mut rendered, events.into_iter());
    assert!(raw.is_empty(), "raw HTML or links: {raw:?}\n{md}");
    assert!(!rendered.contains("<script"), "{rendered}");
    assert!(!rendered.contains("<img"), "{rendered}");
    assert!(rendered.contains("&lt;script&gt;"), "{rendered}");
    let doc = html_document(&s, &|_| None);
    assert!(!doc.contains("<script"), "{doc}");
    assert!(!doc.contains("<img"), "{doc}");
    assert!(doc.contains("&lt;script&gt;"));
}
