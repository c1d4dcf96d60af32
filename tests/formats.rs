//! One fixture per input format, sniffed without a hint: what was read, which fields were
//! chosen and the per-group numbers are compared with a reviewed snapshot
//! (`<fixture>.expected.json`; `LOGDROP_BLESS=1 cargo test --test formats` rewrites them).
//! The JSON output is also read back into a `Summary` and must serialize identically.

mod common;

use common::FIXTURES;
use logdrop::{Analyzer, Options, Summary};
use serde_json::{json, Value};

fn dir() -> String {
    format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"))
}

/// The current time the fixtures are read at (timestamps without a year need one):
/// 2026-11-28T00:00:00Z, the day after the fixtures' day.
const NOW_MS: i64 = 1_795_824_000_000;

fn analyze(bytes: &[u8]) -> Summary {
    let mut a = Analyzer::new(Options {
        now_ms: Some(NOW_MS),
        ..Options::default()
    });
    a.push(bytes);
    a.finish()
}

/// The part of a summary a snapshot pins down.
fn projection(s: &Summary) -> Value {
    let groups: Vec<Value> = s
        .groups
        .iter()
        .map(|g| {
            json!({
                "key": g.key, "count": g.count, "errors": g.errors,
                "latency_ms": g.latency_ms.map(|l| json!({
                    "p50": l.p50, "p95": l.p95, "max": l.max, "min": l.min
                })),
                "first_seen": g.first_seen, "last_seen": g.last_seen,
            })
        })
        .collect();
    json!({
        "input": {
            "lines": s.input.lines, "records": s.input.records, "parsed": s.input.parsed,
            "recovered": s.input.recovered, "skipped": s.input.skipped,
            "skipped_reasons": s.input.skipped_reasons, "repairs": s.input.repairs,
            "formats": s.input.formats,
        },
        "fields": {
            "group": s.fields.group, "latency": s.fields.latency,
            "latency_unit": s.fields.latency_unit, "status": s.fields.status,
            "time": s.fields.time,
        },
        "groups": groups,
    })
}

#[test]
fn each_format_matches_its_snapshot() {
    let bless = std::env::var_os("LOGDROP_BLESS").is_some();
    let mut failures = Vec::new();
    for name in FIXTURES {
        let path = format!("{}/{name}", dir());
        let bytes = std::fs::read(&path).expect("fixture exists");
        let got = projection(&analyze(&bytes));
        let snap = format!("{path}.expected.json");
        if bless {
            let text = serde_json::to_string_pretty(&got).expect("serializes") + "\n";
            std::fs::write(&snap, text).expect("snapshot written");
            continue;
        }
        let want: Value = match std::fs::read_to_string(&snap) {
            Ok(t) => serde_json::from_str(&t).expect("snapshot is JSON"),
            Err(_) => {
                failures.push(format!("{name}: no snapshot (run with LOGDROP_BLESS=1)"));
                continue;
            }
        };
        if got != want {
            failures.push(format!(
                "{name}: differs from its snapshot\n got: {}\nwant: {}",
                serde_json::to_string_pretty(&got).unwrap_or_default(),
                serde_json::to_string_pretty(&want).unwrap_or_default()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn json_output_reads_back_to_the_same_summary() {
    for name in FIXTURES {
        let bytes = std::fs::read(format!("{}/{name}", dir())).expect("fixture exists");
        let s = analyze(&bytes);
        let text = serde_json::to_string(&s).expect("serializes");
        let back: Summary = serde_json::from_str(&text).expect("reads back");
        assert_eq!(
            serde_json::to_string(&back).expect("serializes"),
            text,
            "{name}"
        );
    }
}

#[test]
fn formats_are_sniffed_per_line() {
    let s = analyze(&std::fs::read(format!("{}/logfmt/heroku-router.log", dir())).unwrap());
    assert_eq!(s.input.formats.get("logfmt"), Some(&400));
    assert_eq!(s.fields.latency.as_deref(), Some("service"));
    assert_eq!(
        s.fields.group.as_deref(),
        Some("dyno"),
        "the field whose values differ most"
    );
    let s = analyze(&std::fs::read(format!("{}/access/nginx-combined.log", dir())).unwrap());
    assert_eq!(s.input.formats.get("access"), Some(&300));
    assert_eq!(s.fields.latency_unit.as_deref(), Some("s"));
    let s = analyze(&std::fs::read(format!("{}/text-json/app.log", dir())).unwrap());
    assert_eq!(s.input.formats.get("text+json"), Some(&300));
    assert_eq!(s.input.skipped_reasons.get("not_a_record"), Some(&9));
    let mut a = analyze(&std::fs::read(format!("{}/multiline/pretty.log", dir())).unwrap());
    let mut b = analyze(&std::fs::read(format!("{}/multiline/array.json", dir())).unwrap());
    // The evidence quotes each file's own text (indented differently); the numbers agree.
    for g in a.groups.iter_mut().chain(b.groups.iter_mut()) {
        g.evidence.clear();
    }
    assert_eq!(a.input.records, 20);
    assert_eq!(b.input.records, 20);
    assert_eq!(
        a.groups, b.groups,
        "pretty-printed objects and an array read the same"
    );
}
