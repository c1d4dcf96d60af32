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
