//! The share link: round trips on real summaries (every fixture, the example incident and a
//! generated 6-group log), the size budget, redaction by default, and damaged links.
//!
//! `cargo test --test share -- --nocapture` prints the measured link lengths.

use logdrop::share::{
    decode, encode, preview, ShareError, ShareOptions, CDF_FRACTION_ERROR, LATENCY_REL_ERROR,
    REAL_REL_ERROR,
};
mod common;

use common::FIXTURES;
use logdrop::summary::*;
use logdrop::{Analyzer, Options};
use std::fmt::Write as _;

/// The fragment with `#r=` must fit in this many characters (`r=` + the value).
const BUDGET: usize = 2000;

fn analyze(bytes: &[u8]) -> Summary {
    let mut a = Analyzer::new(Options::default());
    a.push(bytes);
    a.finish()
}

fn fixture(name: &str) -> Option<Summary> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).ok().map(|b| analyze(&b))
}

/// The scenario generators' PRNG, started at state `seed` (as the old local copy was).
fn rng(seed: u64) -> common::Rng {
    common::Rng::new(seed ^ 0x9e37_79b9_7f4a_7c15)
}

/// A 5 000-line incident over 4 hours with 6 versions: v2.4 (from 17:45) is slow and times
/// out; every line carries a user email and a client IP; some lines are malformed.
fn six_group_log() -> String {
    let versions = ["v2.0", "v2.1", "v2.2", "v2.3", "v2.4", "v2.5"];
    let endpoints = ["/v1/decision", "/v1/score", "/v1/explain", "/v1/limits"];
    let tenants = [
        "acme-lending",
        "harbor-finance",
        "summit-cu",
        "bluebird-loans",
    ];
    let mut rng = rng(7);
    let mut out = String::new();
    let start = 15 * 3_600_000u64;
    for k in 0..5000u64 {
        let ms = start + k * 4 * 3_600_000 / 5000 + rng.next_u64() % 1000;
        let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        let ts = format!("2026-11-27T{h:02}:{m:02}:{s:02}.{milli:03}Z");
        let late = ms >= 17 * 3_600_000 + 45 * 60_000;
        let v = if late && rng.unit() < 0.3 {
            4
        } else {
            [0, 1, 2, 3, 5][(rng.next_u64() % 5) as usize]
        };
        let (lat, status) = if v == 4 {
            let l = rng.lognormal(780.0, 0.2);
            (l, if rng.unit() < 0.75 { "Timeout" } else { "OK" })
        } else {
            let l = rng.lognormal(90.0 + 6.0 * v as f64, 0.25);
            (l, if rng.unit() < 0.006 { "Error" } else { "OK" })
        };
        let ep = endpoints[(rng.next_u64() % 4) as usize];
        let tenant = tenants[(rng.next_u64() % 4) as usize];
        let user = format!("user{}@example.com", rng.next_u64() % 300);
        let ip = format!(
            "10.{}.{}.{}",
            rng.next_u64() % 4,
            rng.next_u64() % 250,
            rng.next_u64() % 250
        );
        let level = if status == "OK" { "info" } else { "warn" };
        let req = format!("{:08x}", rng.next_u64() as u32);
        if k % 97 == 13 {
            // The seed's missing quote.
            let _ = writeln!(
                out,
                "{{responseTimeMs\": {lat:.0}, \"status\": \"{status}\", \"modelVersion\": \"{}\", \"ts\": \"{ts}\", \"level\": \"{level}\", \"endpoint\": \"{ep}\", \"tenant\": \"{tenant}\", \"user\": \"{user}\", \"clientIp\": \"{ip}\", \"requestId\": \"{req}\" }}",
                versions[v]
            );
        } else {
            let _ = writeln!(
                out,
                "{{\"ts\":\"{ts}\",\"level\":\"{level}\",\"endpoint\":\"{ep}\",\"tenant\":\"{tenant}\",\"user\":\"{user}\",\"clientIp\":\"{ip}\",\"modelVersion\":\"{}\",\"responseTimeMs\":{lat:.0},\"status\":\"{status}\",\"requestId\":\"{req}\"}}",
                versions[v]
            );
        }
    }
    out
}

/// Many groups (12 versions), to exercise the `(other)` summary.
fn many_group_log() -> String {
    let mut rng = rng(11);
    let mut out = String::new();
    for k in 0..4000u64 {
        let v = (rng.next_u64() % 12) as usize;
        let ms = 16 * 3_600_000 + k * 900;
        let (h, m, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        let lat = rng.lognormal(50.0 + 10.0 * v as f64, 0.3);
        let status = if v == 9 && rng.unit() < 0.5 {
            "Error"
        } else {
            "OK"
        };
        let _ = writeln!(
            out,
            "{{\"ts\":\"2026-11-27T{h:02}:{m:02}:{s:02}.{milli:03}Z\",\"version\":\"build-{v}\",\"latency_ms\":{lat:.1},\"status\":\"{status}\"}}"
        );
    }
    out
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    a == b || ((a - b) / b).abs() <= rel * 1.000_001
}

fn close_opt(a: Option<f64>, b: Option<f64>, rel: f64) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => close(a, b, rel),
        (None, None) => true,
        _ => false,
    }
}

/// Every number the page displays is the original's (exactly for counts, keys and
/// sentences; within the quantisation bound for latencies and rates).
fn assert_matches(name: &str, orig: &Summary, d: &Summary, opts: &ShareOptions) {
    let l = LATENCY_REL_ERROR;
    let r = REAL_REL_ERROR;
    let oi = &orig.input;
    let di = &d.input;
    assert_eq!(
        (
            oi.bytes,
            oi.lines,
            oi.records,
            oi.parsed,
            oi.recovered,
            oi.skipped
        ),
        (
            di.bytes,
            di.lines,
            di.records,
            di.parsed,
            di.recovered,
            di.skipped
        ),
        "{name}: input counts"
    );
    assert_eq!(oi.skipped_reasons, di.skipped_reasons, "{name}");
    assert_eq!(oi.repairs, di.repairs, "{name}");
    assert_eq!(oi.formats, di.formats, "{name}");
    assert_eq!(oi.invalid_utf8_lines, di.invalid_utf8_lines, "{name}");
    assert!(di.examples.len() <= 1, "{name}");
    let of = &orig.fields;
    let df = &d.fields;
    assert_eq!(
        (
            &of.group,
            &of.latency,
            &of.latency_unit,
            &of.status,
            &of.time
        ),
        (
            &df.group,
            &df.latency,
            &df.latency_unit,
            &df.status,
            &df.time
        ),
        "{name}: fields"
    );
    assert_eq!(orig.baseline, d.baseline, "{name}: baseline");

    // Groups: with few enough, every one by name, in order.
    if orig.groups.len() <= opts.max_groups {
        assert_eq!(orig.groups.len(), d.groups.len(), "{name}: groups");
        for (o, g) in orig.groups.iter().zip(&d.groups) {
            assert_eq!(o.key, g.key, "{name}");
            assert_eq!(
                (o.count, o.errors, o.latency_count),
                (g.count, g.errors, g.latency_count)
            );
            assert_eq!(o.error_rate, g.error_rate, "{name}: {} error rate", o.key);
            assert_eq!((&o.first_seen, &o.last_seen), (&g.first_seen, &g.last_seen));
            match (o.latency_ms, g.latency_ms) {
                (Some(a), Some(b)) => {
                    for (x, y) in [
                        (a.min, b.min),
                        (a.mean, b.mean),
                        (a.p50, b.p50),
                        (a.p90, b.p90),
                        (a.p95, b.p95),
                        (a.p99, b.p99),
                        (a.p999, b.p999),
                        (a.max, b.max),
                    ] {
                        assert!(close(y, x, l), "{name}: {} latency {x} → {y}", o.key);
                    }
                }
                (None, None) => {}
                other => panic!("{name}: {} latency {other:?}", o.key),
            }
            // The CDF: a subset of the original points, ends kept.
            assert!(g.cdf.len() <= opts.max_cdf_points.max(o.cdf.len().min(2)));
            for p in &g.cdf {
                assert!(
                    o.cdf.iter().any(|q| close(p[0], q[0], l)
                        && (p[1] - q[1]).abs() <= CDF_FRACTION_ERROR + 1e-12),
                    "{name}: {} cdf point {p:?}",
                    o.key
                );
            }
            if let (Some(a), Some(b)) = (o.cdf.last(), g.cdf.last()) {
                assert!(close(b[0], a[0], l));
            }
        }
    } else {
        assert!(d.groups.len() <= opts.max_groups + 1, "{name}");
        let other = d
            .groups
            .iter()
            .find(|g| g.key == "(other)")
            .expect("(other)");
        let kept: u64 = d.groups.iter().map(|g| g.count).sum();
        let all: u64 = orig.groups.iter().map(|g| g.count).sum();
        assert_eq!(kept, all, "{name}: every request counted once");
        let errors: u64 = d.groups.iter().map(|g| g.errors).sum();
        assert_eq!(errors, orig.groups.iter().map(|g| g.errors).sum::<u64>());
        assert!(other.latency_ms.is_some());
        for g in d.groups.iter().filter(|g| g.key != "(other)") {
            let o = orig
                .groups
                .iter()
                .find(|o| o.key == g.key)
                .expect("kept by name");
            assert_eq!((o.count, o.errors), (g.count, g.errors));
        }
        if let Some(b) = &orig.baseline {
            assert!(
                d.groups.iter().any(|g| &g.key == b),
                "{name}: baseline kept"
            );
        }
    }

    // Timeline: the same totals per series, at most max_points points, buckets aligned.
    assert!(d.timeline.bucket_ms >= orig.timeline.bucket_ms);
    if orig.timeline.bucket_ms > 0 {
        assert_eq!(d.timeline.bucket_ms % orig.timeline.bucket_ms, 0);
    }
    let total = |t: &Timeline| -> (u64, u64) {
        t.series
            .iter()
            .flat_map(|s| &s.points)
            .fold((0, 0), |a, p| (a.0 + p.count, a.1 + p.errors))
    };
    assert_eq!(
        total(&orig.timeline),
        total(&d.timeline),
        "{name}: timeline totals"
    );
    for ser in &d.timeline.series {
        assert!(
            ser.points.len() <= opts.max_points,
            "{name}: {} points",
            ser.points.len()
        );
        if orig.groups.len() <= opts.max_groups {
            let o = orig
                .timeline
                .series
                .iter()
                .find(|s| s.group == ser.group)
                .unwrap();
            let sum = |s: &TimelineSeries| {
                s.points
                    .iter()
                    .map(|p| (p.count, p.errors))
                    .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
            };
            assert_eq!(sum(o), sum(ser), "{name}: series {}", ser.group);
            if o.points.len() <= opts.max_points {
                for (a, b) in o.points.iter().zip(&ser.points) {
                    assert_eq!((a.t, a.count, a.errors), (b.t, b.count, b.errors));
                    assert!(close_opt(b.p50, a.p50, l) && close_opt(b.p95, a.p95, l));
                }
            }
        }
    }

    // Evidence: at most max_evidence lines, each (a prefix of) a real line of its group.
    let ev: Vec<(&str, &Evidence)> = d
        .groups
        .iter()
        .flat_map(|g| g.evidence.iter().map(move |e| (g.key.as_str(), e)))
        .collect();
    assert!(
        ev.len() <= opts.max_evidence,
        "{name}: {} evidence lines",
        ev.len()
    );
    for (key, e) in &ev {
        let o = orig.groups.iter().find(|g| g.key == *key).unwrap();
        let oe = o
            .evidence
            .iter()
            .find(|x| x.line_no == e.line_no)
            .expect("a real line");
        let shown = e.text.trim_end_matches('…');
        let src = if opts.redact {
            logdrop::redact::redact(&oe.text)
        } else {
            oe.text.clone()
        };
        assert!(src.starts_with(shown), "{name}: evidence {shown:?}");
        assert_eq!((oe.is_error, &oe.repairs), (e.is_error, &e.repairs));
        assert!(close_opt(e.latency_ms, oe.latency_ms, l));
    }
    let findings_with_groups = orig
        .findings
        .iter()
        .any(|f| Some(&f.field) == orig.fields.group.as_ref());
    if findings_with_groups && opts.max_evidence > 0 {
        assert!(!ev.is_empty(), "{name}: evidence for the finding");
    }

    // Findings: sentences verbatim, numbers within the bounds.
    assert!(d.findings.len() <= orig.findings.len());
    for (o, f) in orig.findings.iter().zip(&d.findings) {
        assert_eq!(
            (&o.field, &o.value, &o.kind, &o.verdict, &o.summary),
            (&f.field, &f.value, &f.kind, &f.verdict, &f.summary),
            "{name}"
        );
        assert_eq!(
            (&o.baseline, &o.compared_with),
            (&f.baseline, &f.compared_with)
        );
        assert_eq!(
            (o.requests, o.compared_requests, o.bad_requests, o.errors),
            (f.requests, f.compared_requests, f.bad_requests, f.errors)
        );
        for (a, b) in [
            (o.error_rate, f.error_rate),
            (o.compared_error_rate, f.compared_error_rate),
            (o.error_rate_diff, f.error_rate_diff),
            (o.slow_rate, f.slow_rate),
            (o.compared_slow_rate, f.compared_slow_rate),
            (o.share_of_bad, f.share_of_bad),
            (o.lift, f.lift),
        ] {
            assert!(close(b, a, r), "{name}: {a} → {b}");
        }
        for (a, b) in [
            (o.p_value, f.p_value),
            (o.effect_size, f.effect_size),
            (o.ratios.p50, f.ratios.p50),
            (o.ratios.p95, f.ratios.p95),
            (o.ratios.p99, f.ratios.p99),
            (o.tests.latency, f.tests.latency),
            (o.tests.tail, f.tests.tail),
            (o.tests.errors, f.tests.errors),
        ] {
            assert!(close_opt(b, a, r), "{name}: {a:?} → {b:?}");
        }
        assert!(close_opt(f.slow_threshold_ms, o.slow_threshold_ms, l));
        for (a, b) in [
            (o.latency_ms, f.latency_ms),
            (o.compared_latency_ms, f.compared_latency_ms),
        ] {
            match (a, b) {
                (Some(a), Some(b)) => {
                    assert!(
                        close(b.p50, a.p50, l) && close(b.p95, a.p95, l) && close(b.p99, a.p99, l)
                    );
                }
                (None, None) => {}
                other => panic!("{name}: {other:?}"),
            }
        }
        assert_eq!(
            (&o.started_at, &o.started_basis, &o.ended_at, o.lasted_ms),
            (&f.started_at, &f.started_basis, &f.ended_at, f.lasted_ms)
        );
        assert_eq!(o.aliases, f.aliases);
        assert_eq!(o.symptoms.len(), f.symptoms.len());
        for (a, b) in o.symptoms.iter().zip(&f.symptoms) {
            assert_eq!(
                (&a.field, &a.value, a.count, &a.scope),
                (&b.field, &b.value, b.count, &b.scope)
            );
            assert!(close(b.share, a.share, r));
        }
    }

    // Comparisons of the groups shown.
    for c in &d.comparisons {
        let o = orig
            .comparisons
            .iter()
            .find(|o| o.group == c.group)
            .expect("a real comparison");
        assert_eq!(
            (
                &o.baseline,
                o.count,
                o.baseline_count,
                &o.verdict,
                &o.kinds,
                &o.explained_by
            ),
            (
                &c.baseline,
                c.count,
                c.baseline_count,
                &c.verdict,
                &c.kinds,
                &c.explained_by
            )
        );
        assert!(close(c.error_rate, o.error_rate, r) && close_opt(c.effect_size, o.effect_size, r));
    }
}

/// Options that keep everything the fixtures have, to test exactness.
fn roomy() -> ShareOptions {
    ShareOptions {
        redact: false,
        max_chars: 0,
        max_points: 100_000,
        max_cdf_points: 100_000,
        ..ShareOptions::default()
    }
}

#[test]
fn round_trip_of_a_finding_on_the_whole_log() {
    // Field `*`: every request in a window of time (to the end of the log, or one that
    // ended), compared with the others.
    for (name, log) in [
        ("shared_dependency", common::shared_dependency()),
        ("transient_spike", common::transient_spike()),
    ] {
        let orig = analyze(log.as_bytes());
        assert_eq!(orig.findings[0].field, logdrop::analysis::ALL_REQUESTS);
        let opts = roomy();
        let link = encode(&orig, &opts);
        let d = decode(&link).unwrap();
        assert_matches(name, &orig, &d, &opts);
        let (a, b) = (&orig.findings[0], &d.findings[0]);
        assert_eq!((&b.field, &b.value), (&a.field, &a.value), "{name}");
        assert_eq!(b.ended_at, a.ended_at, "{name}");
        assert_eq!(b.summary, a.summary, "{name}");
    }
}

#[test]
fn round_trip_on_every_fixture() {
    for name in FIXTURES {
        let Some(s) = fixture(name) else {
            eprintln!("{name}: missing, skipped");
            continue;
        };
        for opts in [ShareOptions::default(), roomy()] {
            let frag = encode(&s, &opts);
            let d = decode(&frag).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                d,
                preview(&s, &opts),
                "{name}: preview is what the link carries"
            );
            let cmp = if opts.redact {
                logdrop::redact::redact_summary(&s)
            } else {
                s.clone()
            };
            assert_matches(name, &cmp, &d, &opts);
            // Encoding what was decoded gives the same link (the codec is stable).
            let again = encode(
                &d,
                &ShareOptions {
                    redact: opts.redact,
                    ..opts.clone()
                },
            );
            let d2 = decode(&again).unwrap();
            assert_eq!(d2, d, "{name}: re-encode");
        }
        let frag = encode(&s, &ShareOptions::default());
        println!(
            "{name}: {} groups, link {} characters (#r= + {})",
            s.groups.len(),
            frag.len() + 3,
            frag.len()
        );
    }
}

#[test]
fn exact_with_every_point_kept() {
    // With room for every CDF and timeline point, the series come back point for point.
    for name in ["seed/seed.log", "mixed/mixed.log", "text-json/app.log"] {
        let Some(s) = fixture(name) else { continue };
        let d = decode(&encode(&s, &roomy())).unwrap();
        for (o, g) in s.groups.iter().zip(&d.groups) {
            assert_eq!(o.cdf.len(), g.cdf.len(), "{name}");
        }
        for (o, g) in s.timeline.series.iter().zip(&d.timeline.series) {
            assert_eq!(o.points.len(), g.points.len(), "{name}");
        }
        assert_eq!(s.timeline.bucket_ms, d.timeline.bucket_ms);
    }
}

#[test]
fn example_incident_link_fits_and_keeps_the_story() {
    let Some(s) = fixture("example/friday-incident.log") else {
        eprintln!("example log missing, skipped");
        return;
    };
    let frag = encode(&s, &ShareOptions::default());
    println!(
        "example/friday-incident.log: link {} characters",
        frag.len() + 3
    );
    assert!(frag.len() + 2 <= BUDGET, "{} characters", frag.len() + 2);
    let d = decode(&frag).unwrap();
    assert_eq!(
        d.findings.first().map(|f| &f.summary),
        s.findings.first().map(|f| &f.summary)
    );
    let ev: usize = d.groups.iter().map(|g| g.evidence.len()).sum();
    assert!((1..=4).contains(&ev));
    // The link's timeline has wider buckets, but its chart marks the deploy at the same minute.
    use logdrop::render::charts::{latency_timeline, Theme};
    assert!(latency_timeline(&s, Theme::Light).contains("v1.3 from 17:45"));
    assert!(latency_timeline(&d, Theme::Light).contains("v1.3 from 17:45"));
    // Nor does the link's report have an alert fire before the first v1.3 request (17:45:02).
    let md = logdrop::render::report::markdown(&d);
    for line in md
        .lines()
        .filter(|l| l.contains("would have fired (p95 of v1.3"))
    {
        assert!(line.get(4..12).is_some_and(|t| t >= "17:45:02"), "{line}");
    }
}

#[test]
fn six_groups_fit_the_budget() {
    let log = six_group_log();
    let s = analyze(log.as_bytes());
    assert_eq!(
        s.groups.len(),
        6,
        "{:?}",
        s.groups.iter().map(|g| &g.key).collect::<Vec<_>>()
    );
    let opts = ShareOptions::default();
    let frag = encode(&s, &opts);
    let d = decode(&frag).unwrap();
    let ev: usize = d.groups.iter().map(|g| g.evidence.len()).sum();
    let points: Vec<usize> = d.timeline.series.iter().map(|s| s.points.len()).collect();
    let cdf: Vec<usize> = d.groups.iter().map(|g| g.cdf.len()).collect();
    println!(
        "6-group log ({} lines, {} findings): link {} characters; {} evidence lines, timeline points {:?} (bucket {} ms), cdf points {:?}",
        s.input.lines,
        s.findings.len(),
        frag.len() + 3,
        ev,
        points,
        d.timeline.bucket_ms,
        cdf
    );
    assert!(frag.len() + 2 <= BUDGET, "{} characters", frag.len() + 2);
    assert_eq!(ev, 4);
    assert!(d.groups.iter().all(|g| g.cdf.len() >= 10));
    assert!(points.iter().max().is_some_and(|&n| n >= 12));
    assert_matches("6 groups", &logdrop::redact::redact_summary(&s), &d, &opts);
    // Redaction is on by default: no email or client IP of the log is in the link.
    let json = serde_json::to_string(&d).unwrap();
    assert!(!json.contains("@example.com"), "{json}");
    assert!(!json.contains("\"10."), "{json}");
    assert!(json.contains("[email]"));
    // And off when asked.
    let plain = decode(&encode(
        &s,
        &ShareOptions {
            redact: false,
            ..opts
        },
    ))
    .unwrap();
    assert!(serde_json::to_string(&plain)
        .unwrap()
        .contains("@example.com"));
}

#[test]
fn many_groups_are_summarised() {
    let s = analyze(many_group_log().as_bytes());
    assert!(s.groups.len() > 6);
    let opts = ShareOptions::default();
    let frag = encode(&s, &opts);
    let d = decode(&frag).unwrap();
    println!(
        "12-group log: link {} characters, {} groups shown",
        frag.len() + 3,
        d.groups.len()
    );
    assert_eq!(d.groups.len(), 7);
    assert!(d.timeline.series.iter().any(|s| s.group == "(other)"));
    assert_matches("12 groups", &s, &d, &opts);
    assert!(frag.len() + 2 <= BUDGET);
}

#[test]
fn redaction_is_on_by_default() {
    let log = "{\"responseTimeMs\": 120, \"status\": \"OK\", \"modelVersion\": \"v1.2\", \"user\": \"ana@example.com\", \"ip\": \"192.168.7.20\", \"auth\": \"Bearer abcdefgh12345678\"}\n\
               {\"responseTimeMs\": 820, \"status\": \"Timeout\", \"modelVersion\": \"v1.3\", \"user\": \"bo@example.com\", \"api_key\": \"sk_live_123\"}\n";
    let s = analyze(log.as_bytes());
    assert!(s.groups.iter().any(|g| g
        .evidence
        .iter()
        .any(|e| e.text.contains("ana@example.com"))));
    let d = decode(&encode(&s, &ShareOptions::default())).unwrap();
    let text: Vec<&str> = d
        .groups
        .iter()
        .flat_map(|g| g.evidence.iter().map(|e| e.text.as_str()))
        .collect();
    assert!(!text.is_empty());
    for t in &text {
        for secret in ["@example.com", "192.168", "abcdefgh12345678", "sk_live"] {
            assert!(!t.contains(secret), "{t}");
        }
        assert!(t.contains("responseTimeMs") && t.contains("modelVersion"));
    }
    let json = serde_json::to_string(&d).unwrap();
    assert!(!json.contains("@example.com"));
}

#[test]
fn version_byte() {
    let s = fixture("seed/seed.log").unwrap_or_default();
    let frag = encode(&s, &ShareOptions::default());
    let mut b = base64_decode(&frag);
    assert_eq!(b[0], 1, "format version 1");
    b[0] = 2;
    let e = decode(&base64_encode(&b)).unwrap_err();
    assert_eq!(e, ShareError::NewerVersion(2));
    assert!(e.to_string().contains("newer version of logdrop"));
    b[0] = 0;
    assert_eq!(
        decode(&base64_encode(&b)),
        Err(ShareError::UnknownVersion(0))
    );
    // The page may pass the fragment with its prefix.
    assert!(decode(&format!("#r={frag}")).is_ok());
}

#[test]
fn every_truncation_is_an_error() {
    let s = fixture("mixed/mixed.log").unwrap_or_default();
    let frag = encode(&s, &ShareOptions::default());
    for n in 0..frag.len() {
        let e = decode(&frag[..n]).expect_err("a truncated link");
        assert!(
            matches!(e, ShareError::Damaged | ShareError::Empty),
            "{n}: {e:?}"
        );
    }
    assert!(decode(&frag).is_ok());
}

#[test]
fn corrupted_links_are_errors() {
    let s = fixture("seed/seed.log").unwrap_or_default();
    let frag = encode(&s, &ShareOptions::default());
    let b = base64_decode(&frag);
    // Every single bit flipped after the version byte: caught (checksum or structure), or
    // (a padding bit after deflate's last code) harmless: the same summary.
    let good = decode(&frag).unwrap();
    for i in 1..b.len() {
        for bit in 0..8 {
            let mut c = b.clone();
            c[i] ^= 1 << bit;
            if let Ok(d) = decode(&base64_encode(&c)) {
                assert_eq!(d, good, "byte {i} bit {bit}");
            }
        }
    }
    // Characters outside base64url, and a character replaced anywhere.
    assert!(decode(&format!("{frag}=")).is_err());
    assert!(decode(&frag.replace('A', "+")).is_err() || !frag.contains('A'));
}

#[test]
fn random_input_is_an_error() {
    let mut rng = rng(3);
    for len in 0..300usize {
        let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
        assert!(decode(&base64_encode(&bytes)).is_err());
        let text: String = (0..len)
            .map(|_| (b' ' + (rng.next_u64() % 95) as u8) as char)
            .collect();
        let _ = decode(&text);
    }
    assert_eq!(decode(&"A".repeat(600_000)), Err(ShareError::TooLarge));
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

#[test]
fn a_link_says_whether_its_evidence_was_redacted() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/seed/seed.log"
    ))
    .expect("seed");
    let mut a = logdrop::Analyzer::new(logdrop::Options::default());
    a.push(text.as_bytes());
    let s = a.finish();
    for redact in [true, false] {
        let opts = logdrop::share::ShareOptions {
            redact,
            ..Default::default()
        };
        let link =
            logdrop::share::decode_link(&logdrop::share::encode(&s, &opts)).expect("decodes");
        assert_eq!(link.redacted, redact);
    }
}
