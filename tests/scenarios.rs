//! Diagnosis end to end: generated logs with a known truth go through the `logdrop` binary
//! (`analyze --format json`), and the findings must name the cause — or nothing, when
//! nothing is wrong. Every summary sentence is read back: its numbers must agree with the
//! finding's fields and with the table (the groups).

mod common;

use common::*;
use logdrop::summary::{Finding, GroupSummary};
use logdrop::Summary;

fn run(name: &str, text: &str) -> Summary {
    let p = write_temp(name, text);
    let (s, _) = analyze_json(&p);
    for f in &s.findings {
        check_sentence(&s, f);
    }
    // Deterministic: the same input gives the same findings.
    let (again, _) = analyze_json(&p);
    assert_eq!(
        s.findings, again.findings,
        "findings differ between two runs"
    );
    assert_eq!(s.comparisons, again.comparisons);
    s
}

/// `logdrop analyze --format markdown FILE`: the report.
fn markdown_of(p: &std::path::Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_logdrop"))
        .args(["analyze", "--format", "markdown"])
        .arg(p)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn group<'a>(s: &'a Summary, key: &str) -> &'a GroupSummary {
    s.groups
        .iter()
        .find(|g| g.key == key)
        .unwrap_or_else(|| panic!("group {key}"))
}

fn top(s: &Summary) -> &Finding {
    s.findings
        .first()
        .unwrap_or_else(|| panic!("expected a finding; comparisons: {:#?}", s.comparisons))
}

// ---- reading numbers back out of a sentence ----

/// The number at the start of `s` and how many decimals it was written with.
fn leading_number(s: &str) -> Option<(f64, usize, &str)> {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let num = s[..end].trim_end_matches('.');
    let v: f64 = num.parse().ok()?;
    let decimals = num.split('.').nth(1).map_or(0, str::len);
    Some((v, decimals, &s[num.len()..]))
}

/// Half a unit of the last written digit, plus float slack.
fn tol(decimals: usize) -> f64 {
    0.5 * 10f64.powi(-(decimals as i32)) + 1e-9
}

/// `750 ms` / `1.25 s` → (ms, tolerance in ms, rest).
fn parse_ms(s: &str) -> (f64, f64, &str) {
    let (v, d, rest) = leading_number(s).unwrap_or_else(|| panic!("a latency at {s:?}"));
    if let Some(rest) = rest.strip_prefix(" ms") {
        (v, tol(d), rest)
    } else if let Some(rest) = rest.strip_prefix(" s") {
        (v * 1000.0, tol(d) * 1000.0, rest)
    } else {
        panic!("a latency unit at {rest:?}")
    }
}

/// `91%` → (0.91, tolerance, rest).
fn parse_pct(s: &str) -> (f64, f64, &str) {
    let (v, d, rest) = leading_number(s).unwrap_or_else(|| panic!("a percentage at {s:?}"));
    let rest = rest
        .strip_prefix('%')
        .unwrap_or_else(|| panic!("% at {rest:?}"));
    (v / 100.0, tol(d) / 100.0, rest)
}

/// `7.6×` → (7.6, tolerance, rest).
fn parse_ratio(s: &str) -> (f64, f64, &str) {
    let (v, d, rest) = leading_number(s).unwrap_or_else(|| panic!("a ratio at {s:?}"));
    let rest = rest
        .strip_prefix('×')
        .unwrap_or_else(|| panic!("× at {rest:?}"));
    (v, tol(d), rest)
}

fn after<'a>(s: &'a str, pat: &str) -> Option<&'a str> {
    s.find(pat).map(|i| &s[i + pat.len()..])
}

fn close(what: &str, written: f64, tolerance: f64, actual: f64, sentence: &str) {
    assert!(
        (written - actual).abs() <= tolerance,
        "{what}: the sentence says {written}, the data says {actual}\n  {sentence}"
    );
}

/// Every number in the sentence agrees with the finding and the table.
fn check_sentence(s: &Summary, f: &Finding) {
    let text = f.summary.as_str();
    // A finding on every request in a window of time (field `*`) starts with the window.
    let subject = match (f.field == logdrop::analysis::ALL_REQUESTS, &f.ended_at) {
        (true, None) => "Since ".to_string(),
        (true, Some(_)) => "From ".to_string(),
        (false, _) => format!("{}={}", f.field, f.value),
    };
    assert!(text.starts_with(&subject), "{text}");
    assert!(text.ends_with('.'), "{text}");
    let is_group = s.fields.group.as_deref() == Some(f.field.as_str()) && f.baseline.is_some();
    let table = is_group.then(|| group(s, &f.value));
    let base_table = f.baseline.as_deref().map(|b| group(s, b));
    // Findings and the table agree.
    if let (Some(g), Some(b)) = (table, base_table) {
        assert_eq!(f.requests, g.count, "{text}");
        assert_eq!(f.errors, g.errors, "{text}");
        assert_eq!(f.compared_requests, b.count, "{text}");
        assert!((f.error_rate - g.error_rate).abs() < 1e-12);
        assert!((f.compared_error_rate - b.error_rate).abs() < 1e-12);
        let (gl, bl) = (g.latency_ms.unwrap(), b.latency_ms.unwrap());
        let (fl, fb) = (f.latency_ms.unwrap(), f.compared_latency_ms.unwrap());
        assert_eq!((fl.p50, fl.p95, fl.p99), (gl.p50, gl.p95, gl.p99), "{text}");
        assert_eq!((fb.p50, fb.p95, fb.p99), (bl.p50, bl.p95, bl.p99), "{text}");
        assert_eq!(
            f.slow_threshold_ms,
            Some(bl.p95),
            "the slow threshold is the baseline's p95"
        );
    }
    // Ratios are the quotients of the latencies shown.
    if let (Some(a), Some(b)) = (f.latency_ms, f.compared_latency_ms) {
        for (r, x, y) in [
            (f.ratios.p50, a.p50, b.p50),
            (f.ratios.p95, a.p95, b.p95),
            (f.ratios.p99, a.p99, b.p99),
        ] {
            let r = r.expect("a ratio when both sides have latencies");
            assert!((r - x / y).abs() < 1e-9 * r.max(1.0), "{text}");
        }
    }
    assert!((0.0..=1.0).contains(&f.share_of_bad));
    assert!(f.bad_requests <= f.requests);
    assert!(
        f.errors <= f.bad_requests,
        "failed requests are bad requests"
    );

    // The latency clause: "is X× slower at p50 than B (A ms vs C ms)".
    if let Some(rest) = after(text, " slower at p50 than ") {
        let before = &text[..text.find(" slower at p50 than ").unwrap()];
        // "is X×", or "are X×" for the requests since a moment.
        let ratio_at = [("is ", 3), ("are ", 4), ("were ", 5)]
            .iter()
            .filter_map(|(w, n)| before.rfind(w).map(|i| i + n))
            .max()
            .expect("`is X×`");
        let (r, rt, _) = parse_ratio(&before[ratio_at..]);
        let (a, b) = (
            f.latency_ms.unwrap().p50,
            f.compared_latency_ms.unwrap().p50,
        );
        close("p50 ratio", r, rt, a / b, text);
        assert!(r > 1.0, "slower means a ratio above 1: {text}");
        let rest = after(rest, "(").expect("(A vs B)");
        let (x, xt, rest) = parse_ms(rest);
        let rest = rest.strip_prefix(" vs ").expect(" vs ");
        let (y, yt, _) = parse_ms(rest);
        close("p50", x, xt, a, text);
        close("compared p50", y, yt, b, text);
        // The written ratio and the written latencies agree with each other too.
        assert!(
            ((x / y) - r).abs() <= r * 0.05 + rt,
            "{x} / {y} is not {r}×: {text}"
        );
    }
    // The error clause: "N% of its requests … (B: M%)".
    if f.kind.contains("errors") {
        let at = [
            " of its requests timed out",
            " of its requests failed",
            " of its requests timing out",
            " of its requests failing",
            " of them timed out",
            " of them failed",
            " of them timing out",
            " of them failing",
        ]
        .iter()
        .find_map(|p| text.find(p))
        .expect("error clause");
        let num_start = text[..at].rfind(' ').map_or(0, |i| i + 1);
        let (p, pt, _) = parse_pct(&text[num_start..]);
        close("error rate", p, pt, f.error_rate, text);
        let paren = after(&text[at..], ": ").expect("(compared: M%)");
        let (q, qt, _) = parse_pct(paren);
        close("compared error rate", q, qt, f.compared_error_rate, text);
        if let Some(g) = table {
            close("error rate (table)", p, pt, g.error_rate, text);
        }
        assert!(p > q, "more errors than the compared side: {text}");
    }
    // The tail clause: "its p99 is X× (A vs B), S% of its requests take longer than …
    // (C: T%), while its p50 is Y×".
    if f.kind.contains("tail-latency") {
        let rest = after(text, "has a slower tail than ")
            .or_else(|| after(text, "have a slower tail than "))
            .or_else(|| after(text, "had a slower tail than "))
            .expect("tail clause");
        let rest = after(rest, ": its p")
            .or_else(|| after(rest, ": their p"))
            .expect("its pNN");
        let q = &rest[..2];
        let (r, rt, rest) = parse_ratio(after(rest, " is ").unwrap());
        let (a, b, want) = match q {
            "99" => (
                f.latency_ms.unwrap().p99,
                f.compared_latency_ms.unwrap().p99,
                f.ratios.p99.unwrap(),
            ),
            "95" => (
                f.latency_ms.unwrap().p95,
                f.compared_latency_ms.unwrap().p95,
                f.ratios.p95.unwrap(),
            ),
            other => panic!("p{other}"),
        };
        close("tail ratio", r, rt, want, text);
        let (x, xt, rest) = parse_ms(rest.strip_prefix(" (").unwrap());
        let (y, yt, rest) = parse_ms(rest.strip_prefix(" vs ").unwrap());
        close("tail latency", x, xt, a, text);
        close("compared tail latency", y, yt, b, text);
        let (sr, st, rest) = parse_pct(rest.strip_prefix("), ").unwrap());
        close("slow share", sr, st, f.slow_rate, text);
        let (cs, ct, rest) = parse_pct(after(rest, ": ").unwrap());
        close("compared slow share", cs, ct, f.compared_slow_rate, text);
        let rest = after(rest, "p95 of ").unwrap();
        let (thr, tt, rest) = parse_ms(rest);
        close(
            "slow threshold",
            thr,
            tt,
            f.slow_threshold_ms.unwrap(),
            text,
        );
        if let Some(b) = base_table {
            close(
                "threshold = baseline p95 (table)",
                thr,
                tt,
                b.latency_ms.unwrap().p95,
                text,
            );
        }
        let (p50r, p50t, _) = parse_ratio(after(rest, "p50 is ").unwrap());
        close("p50 ratio (tail)", p50r, p50t, f.ratios.p50.unwrap(), text);
    }
    // "accounts for S% of the slow or failed requests (lift L×)".
    if let Some(rest) = after(text, "accounts for ") {
        let (sh, st, rest) = parse_pct(rest);
        close("share of bad", sh, st, f.share_of_bad, text);
        if let Some(rest) = after(rest, "(lift ") {
            let (l, lt, _) = parse_ratio(rest);
            close("lift", l, lt, f.lift, text);
        }
    }
    // "since [about] HH:MM UTC", "since the start of the file (HH:MM UTC)",
    // "from HH:MM to HH:MM UTC": the times are `started_at` and `ended_at`.
    let hhmm = |t: &Option<String>| t.as_deref().map(|t| t[11..16].to_string());
    let written = [
        "since about ",
        "since the start of the file (",
        "since ",
        "from ",
        ", at ",
    ]
    .iter()
    .find_map(|p| after(text, p).filter(|r| r.as_bytes().get(2) == Some(&b':')));
    if let Some(r) = written {
        assert_eq!(Some(r[..5].to_string()), hhmm(&f.started_at), "{text}");
        if let Some(end) = after(r, " to ") {
            assert_eq!(Some(end[..5].to_string()), hhmm(&f.ended_at), "{text}");
        }
    }
    if f.started_at.is_none() {
        assert!(!text.contains(" UTC"), "a time without started_at: {text}");
    }
    // Too little data is said, and never with a claim of significance.
    if f.verdict == "too-little-data" {
        let (n, _, rest) = leading_number(after(text, "but ").unwrap()).unwrap();
        let (m, _, _) = leading_number(rest.strip_prefix(" vs ").unwrap()).unwrap();
        assert_eq!(
            (n as u64, m as u64),
            (f.requests, f.compared_requests),
            "{text}"
        );
        assert!(text.contains("too little data to be sure"), "{text}");
    } else {
        assert_eq!(f.verdict, "regression");
        assert!(f.p_value.unwrap() < 0.001, "{text}");
    }
    // No percentage above 100%.
    let mut rest = text;
    while let Some(i) = rest.find('%') {
        let start = rest[..i]
            .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
            .map_or(0, |j| j + 1);
        if let Ok(v) = rest[start..i].parse::<f64>() {
            assert!(v <= 100.0, "{text}");
        }
        rest = &rest[i + 1..];
    }
}

// ---- scenarios ----

#[test]
fn version_regression_is_found_with_when() {
    let s = run("version_regression.log", &version_regression());
    assert_eq!(s.fields.group.as_deref(), Some("version"));
    assert_eq!(s.baseline.as_deref(), Some("v1.2"));
    let f = top(&s);
    assert_eq!((f.field.as_str(), f.value.as_str()), ("version", "v1.3"));
    assert_eq!(f.kind, "latency+errors");
    assert_eq!(f.verdict, "regression");
    let r = f.ratios.p50.unwrap();
    assert!((6.0..9.5).contains(&r), "p50 ratio {r}");
    assert!((0.85..0.95).contains(&f.error_rate), "{}", f.error_rate);
    assert!(f.share_of_bad > 0.9, "{}", f.share_of_bad);
    assert!(f.effect_size.unwrap() > 0.9);
    assert_eq!(f.started_basis.as_deref(), Some("first-seen"));
    assert!(f
        .started_at
        .as_deref()
        .unwrap()
        .starts_with("2026-11-27T17:45"));
    assert!(f.summary.contains("since 17:45 UTC"), "{}", f.summary);
    assert!(f.summary.contains("timed out"), "{}", f.summary);
    assert!(f
        .symptoms
        .iter()
        .any(|x| x.field == "status" && x.value == "Timeout" && x.share > 0.99));
    // Nothing else: endpoints and tenants are spread evenly over both versions.
    assert_eq!(s.findings.len(), 1, "{:#?}", s.findings);
    let c = &s.comparisons[0];
    assert_eq!(
        (c.group.as_str(), c.verdict.as_str()),
        ("v1.3", "regression")
    );
    // The CLI prints it under the table.
    let text = analyze_text(&write_temp("version_regression.log", &version_regression()));
    assert!(text.contains("findings (strongest first):"), "{text}");
    assert!(text.contains(&f.summary), "{text}");
}

#[test]
fn tail_only_regression_of_a_canary() {
    let s = run("canary_tail.log", &canary_tail());
    assert_eq!(s.baseline.as_deref(), Some("v2.0"));
    let f = top(&s);
    assert_eq!((f.field.as_str(), f.value.as_str()), ("version", "v2.1"));
    assert_eq!(f.kind, "tail-latency");
    let p50 = f.ratios.p50.unwrap();
    assert!((0.9..1.15).contains(&p50), "p50 unchanged: {p50}");
    assert!(f.ratios.p99.unwrap() >= 1.5);
    assert!(f.slow_rate > 2.0 * f.compared_slow_rate);
    assert!(f.summary.contains("slower tail"), "{}", f.summary);
    assert!(f.summary.contains("since 17:30 UTC"), "{}", f.summary);
    assert_eq!(s.findings.len(), 1, "{:#?}", s.findings);
}

#[test]
fn errors_without_latency_change() {
    let s = run("errors_only.log", &errors_only());
    assert_eq!(s.baseline.as_deref(), Some("v1"));
    let f = top(&s);
    assert_eq!((f.field.as_str(), f.value.as_str()), ("version", "v2"));
    assert_eq!(f.kind, "errors");
    assert!(f.summary.contains("p50 latency unchanged"), "{}", f.summary);
    assert!(
        f.summary.starts_with("version=v2 has ")
            && f.summary.contains("% of its requests failing (v1: ")
            && f.summary.contains("), mostly with status=Error"),
        "{}",
        f.summary
    );
    assert_eq!(s.findings.len(), 1, "{:#?}", s.findings);
}

#[test]
fn slow_endpoint_shared_by_all_versions() {
    let s = run("slow_endpoint.log", &slow_endpoint());
    let f = top(&s);
    assert_eq!(
        (f.field.as_str(), f.value.as_str()),
        ("endpoint", "/export")
    );
    assert!(f.kind.starts_with("latency"), "{}", f.kind);
    assert!(f.baseline.is_none());
    assert_eq!(f.compared_with, "the other endpoint values");
    assert!(f.share_of_bad > 0.8, "{}", f.share_of_bad);
    assert!(f.lift > 3.0, "{}", f.lift);
    assert!(
        f.started_at.is_none(),
        "slow all along: no start in the file"
    );
    // No version is called a regression: v2 only sends more traffic to /export.
    assert!(
        s.findings.iter().all(|f| f.field != "version"),
        "{:#?}",
        s.findings
    );
    // v2 is worse than v1 (its p95 is several times v1's), but /export explains it.
    assert_eq!(s.comparisons.len(), 1);
    let c = &s.comparisons[0];
    assert_eq!(c.group, "v2");
    assert!(c.ratios.p95.unwrap() > 2.0, "{c:#?}");
    assert_eq!(c.verdict, "explained", "{c:#?}");
    assert_eq!(c.explained_by.as_deref(), Some("endpoint=/export"));
    let text = analyze_text(&write_temp("slow_endpoint.log", &slow_endpoint()));
    assert!(
        text.contains("note: v2 looks worse than v1 (tail-latency), but endpoint=/export explains"),
        "{text}"
    );
}

#[test]
fn one_slow_tenant() {
    let s = run("slow_tenant.log", &slow_tenant(0));
    let f = top(&s);
    assert_eq!((f.field.as_str(), f.value.as_str()), ("tenant", "wonka"));
    assert!(f.kind.starts_with("latency"), "{}", f.kind);
    let r = f.ratios.p50.unwrap();
    assert!((4.0..6.5).contains(&r), "{r}");
    assert_eq!(s.findings.len(), 1, "{:#?}", s.findings);
    assert!(
        s.comparisons.iter().all(|c| c.verdict == "no-change"),
        "{:#?}",
        s.comparisons
    );
    assert!(
        f.started_at.is_none(),
        "slow all along: no start in the file"
    );
}

#[test]
fn tenant_slow_from_18h_dates_from_the_file_timeline() {
    let s = run("slow_tenant_18h.log", &slow_tenant(hm(18, 0)));
    let f = top(&s);
    assert_eq!((f.field.as_str(), f.value.as_str()), ("tenant", "wonka"));
    assert_eq!(f.started_basis.as_deref(), Some("file-timeline"));
    let at = f.started_at.as_deref().unwrap();
    assert!(
        at.starts_with("2026-11-27T18:0") || at.starts_with("2026-11-27T17:5"),
        "{at}"
    );
    assert!(f.summary.contains("since about "), "{}", f.summary);
}

#[test]
fn one_failing_host_in_router_logs() {
    let s = run("failing_host.log", &failing_host());
    assert_eq!(s.fields.latency.as_deref(), Some("service"));
    let f = top(&s);
    assert_eq!(
        (f.field.as_str(), f.value.as_str()),
        ("dyno", "web.3"),
        "{:#?}",
        s.findings
    );
    assert!(f.kind.contains("errors"), "{}", f.kind);
    assert_eq!(s.findings.len(), 1, "{:#?}", s.findings);
    // The router's outcome fields are symptoms, never causes.
    for x in &s.findings {
        assert!(!["at", "code", "desc", "status"].contains(&x.field.as_str()));
    }
    assert!(
        f.symptoms
            .iter()
            .any(|x| x.value == "H12" || x.value == "503"),
        "{:#?}",
        f.symptoms
    );
    assert!(
        f.summary.contains("timed out") || f.summary.contains("timing out"),
        "{}",
        f.summary
    );
    // It started failing at 17:40, after the start of the file.
    if s.fields.time.is_some() {
        let at = f.started_at.as_deref().expect("a start time");
        assert!(
            at.starts_with("2026-11-27T17:4") || at.starts_with("2026-11-27T17:39"),
            "{at}"
        );
    }
}

#[test]
fn slow_route_is_found_though_every_request_names_its_own_id() {
    // Tens of thousands of distinct paths: counted per route, the order route stands out.
    let s = run("slow_route.log", &slow_route());
    let f = top(&s);
    assert_eq!(
        (f.field.as_str(), f.value.as_str()),
        ("path", "/api/orders/{id}")
    );
    assert!(f.kind.starts_with("latency"), "{}", f.kind);
    assert!(f.share_of_bad > 0.8, "{}", f.share_of_bad);
    let at = f.started_at.as_deref().unwrap();
    assert!(
        at.starts_with("2026-11-27T18:1") || at.starts_with("2026-11-27T18:0"),
        "{at}"
    );
    assert!(
        f.summary.starts_with("path=/api/orders/{id} "),
        "{}",
        f.summary
    );
    // No version in an access log: the table is per route.
    assert_eq!(s.fields.group.as_deref(), Some("path"));
    let mut keys: Vec<&str> = s.groups.iter().map(|g| g.key.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "/api/items",
            "/api/orders/{id}",
            "/api/users/{id}/cart",
            "/health"
        ]
    );
    assert_eq!(s.groups.iter().map(|g| g.count).sum::<u64>(), 20_000);
    // The healthy id route is one value too, and no finding names a raw id or query.
    let all = serde_json::to_string(&s.findings).unwrap();
    assert!(!all.contains("?expand"), "{all}");
    assert!(
        !s.findings
            .iter()
            .any(|f| f.value.bytes().any(|b| b.is_ascii_digit())),
        "{:#?}",
        s.findings
    );
}

#[test]
fn routes_side_by_side_are_compared_with_each_other_not_with_the_fastest() {
    // Routes serve side by side: the static file being 10× faster than the API is no
    // incident. Only the route that changed at 18:30 is a finding, against the other routes.
    let text = routes_side_by_side();
    let s = run("routes_side_by_side.log", &text);
    assert_eq!(s.fields.group.as_deref(), Some("path"));
    assert_eq!(s.baseline, None);
    assert!(s.comparisons.is_empty(), "{:#?}", s.comparisons);
    assert_eq!(s.findings.len(), 1, "{:#?}", s.findings);
    let f = top(&s);
    assert_eq!(
        (f.field.as_str(), f.value.as_str()),
        ("path", "/api/checkout")
    );
    assert_eq!(f.kind, "latency+errors");
    assert_eq!(f.compared_with, "the other path values");
    assert!(f.share_of_bad > 0.9, "{}", f.share_of_bad);
    // Its own timeline dates it (not the whole file's).
    assert_eq!(f.started_basis.as_deref(), Some("change-point"));
    let at = f.started_at.as_deref().unwrap();
    assert!(
        at.starts_with("2026-11-27T18:3") || at.starts_with("2026-11-27T18:29"),
        "{at}"
    );
    assert!(f.summary.contains(", since 18:"), "{}", f.summary);
    // As many 502s as 504s: the requests failed, they did not all time out.
    assert!(
        f.summary.contains("of its requests failed"),
        "{}",
        f.summary
    );
    assert!(!f.summary.contains("timed out"), "{}", f.summary);
    let codes: Vec<&str> = f.symptoms.iter().map(|x| x.value.as_str()).collect();
    assert!(
        codes.contains(&"502") && codes.contains(&"504"),
        "{codes:?}"
    );
    // The route's quantiles are the table's (its group histogram), not a coarser estimate.
    let table = group(&s, "/api/checkout").latency_ms.unwrap();
    let mine = f.latency_ms.unwrap();
    assert!(
        (mine.p50 - table.p50).abs() <= 1e-9 * table.p50,
        "{mine:?} vs {table:?}"
    );

    // The report compares with the other routes, and has no empty verdict column.
    let p = write_temp("routes_side_by_side_md.log", &text);
    let md = markdown_of(&p);
    assert!(md.contains("the p50 of the other path values"), "{md}");
    assert!(!md.contains("baseline's p50"), "{md}");
    assert!(
        md.contains("| group | requests | errors | p50 | p95 | p99 |\n"),
        "{md}"
    );
    // Alerts follow each route's own normal: search (usually 2× the others) does not fire
    // before checkout breaks at 18:30.
    assert!(md.contains("deviation from its own normal"), "{md}");
    // Checkout served from the start: its first request is no event in the Timeline.
    assert!(!md.contains("First request with"), "{md}");
    assert!(
        md.contains("would have fired at 18:30") || md.contains("would have fired at 18:29"),
        "{md}"
    );
    assert!(md.contains("(p95 of /api/checkout reached"), "{md}");
    assert!(
        md.contains("An alert on the thresholds above would have fired (p95 of /api/checkout"),
        "{md}"
    );

    // A baseline route named by the user is compared with, as for versions.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_logdrop"))
        .args(["analyze", "--format", "json", "--baseline", "/api/cart"])
        .arg(&p)
        .output()
        .unwrap();
    let s: Summary = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s.baseline.as_deref(), Some("/api/cart"));
    let c = s
        .comparisons
        .iter()
        .find(|c| c.group == "/api/checkout")
        .unwrap();
    assert_eq!(c.verdict, "regression", "{c:#?}");
}

/// The analysis of `text`, whose one finding must be on every request in a window of time
/// (field `*`), and its report.
fn whole_log_finding(name: &str, text: &str) -> (Summary, String) {
    let s = run(&format!("{name}.log"), text);
    assert_eq!(s.findings.len(), 1, "{:#?}", s.findings);
    assert_eq!(top(&s).field, logdrop::analysis::ALL_REQUESTS);
    let md = markdown_of(&write_temp(&format!("{name}_md.log"), text));
    (s, md)
}

#[test]
fn a_shared_dependency_degrading_is_found_on_the_whole_log() {
    // Every version, endpoint and tenant got slower at 18:20: no field value explains it,
    // and "nothing stands out" would be wrong. The finding is on every request since then.
    let (s, md) = whole_log_finding("shared_dependency", &shared_dependency());
    let f = top(&s);
    assert!(
        f.value.starts_with("2026-11-27T18:2") || f.value.starts_with("2026-11-27T18:19"),
        "{}",
        f.value
    );
    assert_eq!(f.started_at.as_deref(), Some(f.value.as_str()));
    assert!(
        f.kind.contains("latency") && f.kind.contains("errors"),
        "{}",
        f.kind
    );
    assert_eq!(f.compared_with, "the requests before");
    // The two sides are the requests before and after the moment: all of them.
    let total: u64 = s.groups.iter().map(|g| g.count).sum();
    assert_eq!(f.requests + f.compared_requests, total);
    let r = f.ratios.p50.unwrap();
    assert!((2.5..3.5).contains(&r), "{r}");
    assert!(f.summary.starts_with("Since 18:"), "{}", f.summary);
    assert!(f.summary.contains("timed out (before: "), "{}", f.summary);
    assert!(
        f.summary
            .ends_with("; no field value in the log explains it."),
        "{}",
        f.summary
    );

    assert!(
        md.starts_with("# Incident analysis: latency and errors since 18:"),
        "{md}"
    );
    assert!(md.contains("**Find what changed at 18:"), "{md}");
    assert!(md.contains("**Contain a shared dependency:**"), "{md}");
    assert!(
        md.contains("| before 18:") && md.contains("| since 18:"),
        "{md}"
    );
    for wrong in [
        "*=",
        "Isolate the requests",
        "**Roll back",
        "No action needed",
    ] {
        assert!(!md.contains(wrong), "{wrong:?} in {md}");
    }
}

#[test]
fn a_spike_that_passed_is_found_with_its_end() {
    // Six minutes of every request slow and timing out, then back to normal: a window of the
    // whole log, compared with the requests outside it.
    let (s, md) = whole_log_finding("transient_spike", &transient_spike());
    let f = top(&s);
    assert_eq!(f.value, "2026-11-27T18:10:00.000Z");
    assert_eq!(f.ended_at.as_deref(), Some("2026-11-27T18:16:00.000Z"));
    assert_eq!(f.lasted_ms, Some(6 * 60_000));
    assert_eq!(f.compared_with, "the requests outside that window");
    let r = f.ratios.p50.unwrap();
    assert!((3.5..4.5).contains(&r), "{r}");
    assert!(
        f.summary
            .starts_with("From 18:10 to 18:16 UTC, requests were "),
        "{}",
        f.summary
    );
    assert!(f.summary.contains("(outside: "), "{}", f.summary);

    assert!(
        md.starts_with("# Incident analysis: latency and errors from 18:10:00 to 18:16:00 UTC"),
        "{md}"
    );
    assert!(md.contains("| outside that window |"), "{md}");
    assert!(
        md.contains("Recovery: latency and errors are back to the level of the rest of the log."),
        "{md}"
    );
    assert!(md.contains("(1.5× the p95 outside that window)"), "{md}");
}

#[test]
fn healthy_file_has_no_findings() {
    let s = run("healthy.log", &healthy());
    assert_eq!(s.baseline.as_deref(), Some("v3.0"));
    assert!(s.findings.is_empty(), "{:#?}", s.findings);
    assert_eq!(s.comparisons.len(), 2);
    for c in &s.comparisons {
        assert_eq!(c.verdict, "no-change", "{c:#?}");
    }
    let text = analyze_text(&write_temp("healthy.log", &healthy()));
    assert!(text.contains("findings: none."), "{text}");
}

#[test]
fn seed_four_lines_say_what_they_can() {
    let p = format!(
        "{}/tests/fixtures/seed/seed.log",
        env!("CARGO_MANIFEST_DIR")
    );
    let (s, v) = analyze_json(std::path::Path::new(&p));
    assert_eq!(s.baseline.as_deref(), Some("v1.2"));
    assert_eq!(s.findings.len(), 1);
    let f = &s.findings[0];
    check_sentence(&s, f);
    assert_eq!(
        (f.field.as_str(), f.value.as_str()),
        ("modelVersion", "v1.3")
    );
    assert_eq!(f.verdict, "too-little-data");
    assert_eq!(f.kind, "latency+errors");
    assert!(f.p_value.unwrap() > 0.05, "2 vs 2 cannot be significant");
    assert_eq!(f.error_rate, 1.0);
    assert!(
        f.summary.contains("100% of its requests timed out"),
        "{}",
        f.summary
    );
    assert!(
        f.summary.contains("too little data to be sure"),
        "{}",
        f.summary
    );
    assert_eq!(s.comparisons[0].verdict, "too-little-data");
    // The JSON contract's field names.
    let j = &v["findings"][0];
    for k in [
        "field",
        "value",
        "kind",
        "verdict",
        "baseline",
        "ratios",
        "p_value",
        "effect_size",
        "share_of_bad",
        "lift",
        "started_at",
        "requests",
        "symptoms",
        "summary",
    ] {
        assert!(j.get(k).is_some(), "findings[0].{k} in {j}");
    }
}

#[test]
fn user_baseline_is_respected() {
    let p = write_temp("errors_only_b.log", &errors_only());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_logdrop"))
        .args(["analyze", "--format", "json", "--baseline", "v2"])
        .arg(&p)
        .output()
        .unwrap();
    let s: Summary = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s.baseline.as_deref(), Some("v2"));
    let c = &s.comparisons[0];
    assert_eq!(c.group, "v1");
    assert_eq!(c.verdict, "improvement", "{c:#?}");
    assert!(c.kinds.contains(&"fewer-errors".to_string()));
    assert!(s.findings.is_empty(), "{:#?}", s.findings);
}

/// `text` with each `"ts":"…Z"` written on the clock of `zone` instead: the same instants
/// with `+01:00` (for `Offset(60)`), or with no zone at all (`Unnamed`: the wall clock digits
/// of UTC, as a log that names no zone writes them).
fn rezoned(text: &str, zone: logdrop::units::Zone) -> String {
    use logdrop::units::{format_rfc3339_ms, parse_timestamp, Zone};
    text.lines()
        .map(|line| {
            let Some(at) = line.find(r#""ts":""#).map(|i| i + 6) else {
                return format!("{line}\n");
            };
            let end = at + 24;
            let ms = parse_timestamp(&line.as_bytes()[at..end]).unwrap();
            let local = format_rfc3339_ms(zone.local_ms(ms));
            let written = match zone {
                Zone::Unnamed => local[..23].to_string(),
                z => format!("{}{}", &local[..23], z.name()),
            };
            format!("{}{written}{}\n", &line[..at], &line[end..])
        })
        .collect()
}

#[test]
fn times_are_shown_on_the_clock_the_log_names() {
    use logdrop::units::Zone;
    // The spike of 18:10–18:16 UTC, written by a server at +01:00: the JSON keeps UTC
    // instants, and every time a person reads is on the log's clock, zone named.
    let text = rezoned(&transient_spike(), Zone::Offset(60));
    assert!(text.contains(r#""ts":"2026-11-27T19:10:00.000+01:00""#));
    let (s, md) = whole_log_finding("spike_at_plus_one", &text);
    assert_eq!(s.fields.time_zone.as_deref(), Some("+01:00"));
    let f = top(&s);
    assert_eq!(f.value, "2026-11-27T18:10:00.000Z");
    assert!(
        f.summary
            .starts_with("From 19:10 to 19:16 UTC+01:00, requests were "),
        "{}",
        f.summary
    );
    assert!(
        md.starts_with(
            "# Incident analysis: latency and errors from 19:10:00 to 19:16:00 UTC+01:00"
        ),
        "{md}"
    );
    assert!(!md.contains("18:1") && !md.contains(" UTC "), "{md}");
    // The log's span, the zone said once.
    assert!(md.contains("in the log (from 18:30:00 to 19:"), "{md}");
    assert!(!md.contains("18:30:00 UTC+01:00 to"), "{md}");
    // A share link carries the zone.
    let opts = logdrop::share::ShareOptions::default();
    let shown = logdrop::share::decode(&logdrop::share::encode(&s, &opts)).unwrap();
    assert_eq!(shown.fields.time_zone.as_deref(), Some("+01:00"));

    // Written with no zone: shown as written, no zone claimed.
    let text = rezoned(&transient_spike(), Zone::Unnamed);
    assert!(text.contains(r#""ts":"2026-11-27T18:10:00.000""#));
    let (s, md) = whole_log_finding("spike_no_zone", &text);
    assert_eq!(s.fields.time_zone.as_deref(), Some("none"));
    let f = top(&s);
    assert!(
        f.summary.starts_with("From 18:10 to 18:16, requests were "),
        "{}",
        f.summary
    );
    assert!(
        md.starts_with("# Incident analysis: latency and errors from 18:10:00 to 18:16:00\n"),
        "{md}"
    );
    assert!(!md.contains("UTC"), "{md}");

    // In UTC, as before.
    let (s, _) = whole_log_finding("spike_utc", &transient_spike());
    assert_eq!(s.fields.time_zone.as_deref(), Some("UTC"));
}
