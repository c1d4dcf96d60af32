//! Tests of the wasm layer (`src/wasm.rs`) in headless Chromium:
//! `cd tests/wasm && cargo test --target wasm32-unknown-unknown` with wasm-bindgen-test-runner
//! (`./build.sh test` sets it up). Empty on other targets.
//!
//! A crate of its own (see Cargo.toml here): `--lib` on the main package would build every core
//! module's proptest tests for wasm32, and its integration tests would build the CLI.
#![cfg(all(test, target_arch = "wasm32"))]

use logdrop::wasm::*;
use logdrop::{Options, Summary};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SEED: &[u8] = b"{\"responseTimeMs\": 120, \"status\": \"OK\", \"modelVersion\": \"v1.2\" }\n\
{\"responseTimeMs\": 90, \"status\": \"OK\", \"modelVersion\": \"v1.2\" }\n\
{\"responseTimeMs\": 750, \"status\": \"Timeout\", \"modelVersion\": \"v1.3\" }\n\
{responseTimeMs\": 820, \"status\": \"Timeout\", \"modelVersion\": \"v1.3\" }\n";

fn run(opts: &str, chunks: &[&[u8]]) -> String {
    let mut a = Analyzer::new(opts).map_err(JsValue::from).unwrap();
    for c in chunks {
        a.push(c).map_err(JsValue::from).unwrap();
    }
    a.finish().map_err(JsValue::from).unwrap()
}

fn native(input: &[u8]) -> String {
    let mut a = logdrop::Analyzer::new(Options::default());
    a.push(input);
    serde_json::to_string(&a.finish()).unwrap()
}

#[wasm_bindgen_test]
fn seed_in_any_chunking_matches_the_core() {
    let whole = run("", &[SEED]);
    assert_eq!(whole, native(SEED));
    for size in [1usize, 2, 3, 7, 64] {
        let chunks: Vec<&[u8]> = SEED.chunks(size).collect();
        assert_eq!(run("", &chunks), whole, "chunk size {size}");
    }
    let s: Summary = serde_json::from_str(&whole).unwrap();
    assert_eq!(s.input.records, 4);
    assert_eq!(s.input.parsed + s.input.recovered, 4);
    assert_eq!(s.fields.group.as_deref(), Some("modelVersion"));
    assert_eq!(check(&whole), None);
}

#[wasm_bindgen_test]
fn files_analysed_together_match_the_core_and_each_has_its_encoding() {
    // The seed without its final newline, then the seed in UTF-16LE.
    let first = &SEED[..SEED.len() - 1];
    let wide: Vec<u8> = [0xFEFFu16]
        .into_iter()
        .chain(String::from_utf8_lossy(SEED).encode_utf16())
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut a = Analyzer::new("").map_err(JsValue::from).unwrap();
    a.push(first).map_err(JsValue::from).unwrap();
    a.next_input().map_err(JsValue::from).unwrap();
    for c in wide.chunks(5) {
        a.push(c).map_err(JsValue::from).unwrap();
    }
    let got = a.finish().map_err(JsValue::from).unwrap();
    let mut n = logdrop::Analyzer::new(Options::default());
    n.push(first);
    n.next_input();
    n.push(&wide);
    assert_eq!(got, serde_json::to_string(&n.finish()).unwrap());
    let s: Summary = serde_json::from_str(&got).unwrap();
    assert_eq!((s.input.records, s.input.skipped), (8, 0));
    assert!(a.next_input().is_err(), "after finish");
    assert!(memory_bytes() >= 65536.0);
}

#[wasm_bindgen_test]
fn text_beyond_ascii_is_kept_and_invalid_utf8_is_counted() {
    // Lines longer than the splitter's 64-byte blocks, so a line's bytes above 0x7F fall in
    // a block of its own or one it shares with an ASCII line, at every chunking.
    let mut log = Vec::new();
    for i in 0..40 {
        let who = ["café ünïcödé 東京", "plain-ascii-tenant", "naïve"][i % 3];
        let pad = "x".repeat(i * 3);
        let line = format!(
            "{{\"responseTimeMs\": {}, \"status\": \"OK\", \"who\": \"{who}\", \"pad\": \"{pad}\"}}\r\n",
            10 + i
        );
        log.extend_from_slice(line.as_bytes());
    }
    log.extend_from_slice(
        b"{\"responseTimeMs\": 99, \"status\": \"OK\", \"who\": \"bad\xff\xfebytes\"}\n",
    );
    let whole = run(r#"{"group_by":"who"}"#, &[&log]);
    for size in [1usize, 63, 64, 65, 1000] {
        let chunks: Vec<&[u8]> = log.chunks(size).collect();
        assert_eq!(
            run(r#"{"group_by":"who"}"#, &chunks),
            whole,
            "chunk size {size}"
        );
    }
    let s: Summary = serde_json::from_str(&whole).unwrap();
    assert_eq!((s.input.records, s.input.invalid_utf8_lines), (41, 1));
    let count = |k: &str| s.groups.iter().find(|g| g.key == k).map(|g| g.count);
    assert_eq!(count("café ünïcödé 東京"), Some(14));
    assert_eq!(count("naïve"), Some(13));
    assert_eq!(count("plain-ascii-tenant"), Some(13));
    assert_eq!(count("bad\u{fffd}\u{fffd}bytes"), Some(1));
}

#[wasm_bindgen_test]
fn options_override_fields_and_bad_options_are_errors() {
    let out = run(r#"{"group_by":"status"}"#, &[SEED]);
    let s: Summary = serde_json::from_str(&out).unwrap();
    assert_eq!(s.fields.group.as_deref(), Some("status"));
    assert!(s.groups.iter().any(|g| g.key == "Timeout"));
    assert!(Analyzer::new("{not json").is_err());
    assert!(Analyzer::new(r#"{"max_line_bytes": -1}"#).is_err());
}

#[wasm_bindgen_test]
fn misuse_is_an_error_not_a_panic() {
    let mut a = Analyzer::new("").map_err(JsValue::from).unwrap();
    a.push(b"").map_err(JsValue::from).unwrap();
    assert_eq!(a.bytes(), 0.0);
    assert!(a.finish().is_ok());
    assert!(a.finish().is_err());
    assert!(a.push(b"x").is_err());
    assert!(chart_latency_cdf("nope", false).is_err());
    assert!(chart_error_rate("{}", true).is_err());
    assert!(check("[]").is_some());
    assert_eq!(last_panic(), None);
}

#[wasm_bindgen_test]
fn check_explains_empty_binary_and_no_latency() {
    let empty = run("", &[]);
    assert!(check(&empty).unwrap().contains("empty"));
    let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    let msg = check(&run("", &[&binary])).unwrap();
    assert!(msg.contains("no line could be read"), "{msg}");
    let no_lat = run(
        "",
        &[b"{\"user\":\"a\",\"status\":\"OK\"}\n{\"user\":\"b\",\"status\":\"OK\"}\n"],
    );
    assert!(check(&no_lat).unwrap().contains("latency"));
}

#[wasm_bindgen_test]
fn charts_render_and_escape_log_text() {
    let log =
        b"{\"ts\":\"2026-11-27T16:00:00Z\",\"v\":\"<b>&x\",\"latency_ms\":10,\"status\":\"OK\"}\n\
{\"ts\":\"2026-11-27T16:05:00Z\",\"v\":\"<b>&x\",\"latency_ms\":20,\"status\":\"Error\"}\n";
    let json = run(r#"{"group_by":"v"}"#, &[log]);
    for dark in [false, true] {
        for svg in [
            chart_latency_cdf(&json, dark),
            chart_latency_timeline(&json, dark),
            chart_error_rate(&json, dark),
        ] {
            let svg = svg.map_err(JsValue::from).unwrap();
            assert!(svg.starts_with("<svg "));
            assert!(svg.contains("&lt;b&gt;&amp;x"), "{svg}");
            assert!(!svg.contains("<b>"));
        }
    }
    let empty = run("", &[]);
    assert!(chart_latency_timeline(&empty, true).is_ok());
    assert_eq!(series_color(0, false), "#0072b2");
    assert!(!version().is_empty());
}

// --- the report, downloads and share links (issue 5) -------------------------------------------

/// The message of a `JsError` (what the page shows).
fn message(e: wasm_bindgen::JsError) -> String {
    let v = JsValue::from(e);
    String::from(js_sys::Error::from(v).message())
}

/// A small incident with personal data in its slow, failing lines.
fn incident() -> Vec<u8> {
    let mut log = String::new();
    for i in 0..200 {
        let bad = i >= 100 && i % 2 == 0;
        log.push_str(&format!(
            "{{\"ts\":\"2026-11-27T16:{:02}:{:02}Z\",\"release\":\"{}\",\"latency_ms\":{},\"status\":\"{}\",\"user\":\"jo{}@example.com\",\"note\":\"<b>&x\"}}\n",
            i / 60,
            i % 60,
            if i < 100 { "r1" } else { "r2" },
            if bad { 900 + i % 7 } else { 100 + i % 9 },
            if bad { "Error" } else { "OK" },
            i
        ));
    }
    log.into_bytes()
}

#[wasm_bindgen_test]
fn report_exports_match_the_core_and_escape_log_text() {
    let log = incident();
    let json = run("", &[&log]);
    let s: Summary = serde_json::from_str(&json).unwrap();
    let md = report_markdown(&json).map_err(JsValue::from).unwrap();
    assert_eq!(md, logdrop::render::report::markdown(&s));
    for heading in [
        "## Summary",
        "## Root cause analysis",
        "## Immediate action",
        "## Prevention",
        "## Timeline",
        "## Retrospective notes",
        "## Appendix",
    ] {
        assert!(md.contains(heading), "{heading} in {md}");
    }
    for dark in [false, true] {
        let frag = report_html_fragment(&json, dark)
            .map_err(JsValue::from)
            .unwrap();
        assert!(frag.starts_with("<h1>"));
        assert_eq!(frag.matches("<svg ").count(), 3);
        assert!(
            frag.contains("&lt;b&gt;&amp;x") && !frag.contains("<b>"),
            "{frag}"
        );
        assert!(!frag.contains("<script"));
    }
    let slots = report_html_slots(&json).map_err(JsValue::from).unwrap();
    assert!(!slots.contains("<svg"));
    for name in ["cdf", "timeline", "errors"] {
        assert!(slots.contains(&format!(
            "<div class=\"report-chart\" data-chart=\"{name}\"></div>"
        )));
    }
    let doc = report_html_document(&json).map_err(JsValue::from).unwrap();
    assert!(doc.starts_with("<!doctype html>"));
    assert!(!doc.contains("<script"));
    assert_eq!(doc.matches("<svg ").count(), 3);
    assert!(
        doc.contains("#ffffff") || doc.contains("#FFFFFF"),
        "light charts"
    );
    // Redaction for downloads: the email goes, the numbers stay.
    let red = redact_summary(&json).map_err(JsValue::from).unwrap();
    assert!(json.contains("@example.com"));
    assert!(!red.contains("@example.com"));
    let red_md = report_markdown(&red).map_err(JsValue::from).unwrap();
    assert!(red_md.contains("[email]") && !red_md.contains("@example.com"));
    let rs: Summary = serde_json::from_str(&red).unwrap();
    assert_eq!(rs.groups.len(), s.groups.len());
    assert_eq!(rs.groups[0].count, s.groups[0].count);
}

#[wasm_bindgen_test]
fn share_exports_round_trip_redact_and_explain_bad_links() {
    let json = run("", &[&incident()]);
    let frag = share_encode(&json, "").map_err(JsValue::from).unwrap();
    assert!(frag.len() + 3 <= 2000, "{} characters", frag.len());
    assert!(frag
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    let preview = share_preview(&json, "").map_err(JsValue::from).unwrap();
    assert_eq!(share_decode(&frag).map_err(JsValue::from).unwrap(), preview);
    assert_eq!(
        share_decode(&format!("#r={frag}"))
            .map_err(JsValue::from)
            .unwrap(),
        preview
    );
    assert!(!preview.contains("@example.com"), "redacted by default");
    // Matches the core's codec exactly.
    let s: Summary = serde_json::from_str(&json).unwrap();
    let opts = logdrop::share::ShareOptions::default();
    assert_eq!(frag, logdrop::share::encode(&s, &opts));
    // Redaction off keeps the lines as written.
    let raw = share_preview(&json, r#"{"redact": false}"#)
        .map_err(JsValue::from)
        .unwrap();
    assert!(raw.contains("@example.com"));
    let raw_frag = share_encode(&json, r#"{"redact": false}"#)
        .map_err(JsValue::from)
        .unwrap();
    assert!(share_decode(&raw_frag).unwrap().contains("@example.com"));
    // Errors, never panics: bad options, bad summaries, damaged links.
    assert!(share_encode(&json, "{nope").is_err());
    assert!(share_encode("[]", "").is_err());
    assert!(share_preview("", "").is_err());
    assert!(report_markdown("{").is_err());
    assert!(report_html_document("null").is_err());
    assert!(redact_summary("1").is_err());
    let cut = &frag[..frag.len() / 2];
    assert!(message(share_decode(cut).unwrap_err()).contains("damaged or incomplete"));
    assert!(message(share_decode("<script>alert(1)</script>").unwrap_err()).contains("damaged"));
    assert!(message(share_decode("").unwrap_err()).contains("no report"));
    assert!(message(share_decode("#r=CQECAw").unwrap_err()).contains("newer version"));
    assert_eq!(last_panic(), None);
}
