//! The WebAssembly boundary: the only file that knows wasm-bindgen (compiled for `wasm32`
//! only; `lib.rs` declares it under `cfg(target_arch = "wasm32")`).
//!
//! Calls are coarse: bytes in, strings out. The worker creates an [`Analyzer`] with the
//! options as JSON, pushes `Uint8Array` chunks of any size, and `finish()` returns the
//! summary as JSON (the same contract as `logdrop analyze --format json`). The page renders
//! the charts from that JSON with the `chart_*` calls (SVG strings) and asks [`check`]
//! whether the summary answers the question at all.
//!
//! No export panics on its arguments: bad JSON, a finished analyzer or odd numbers come back
//! as a `JsError` (a thrown `Error` in JS). Should the core still panic, the hook installed
//! on first use records the message, and [`last_panic`] gives it to the worker, which tells
//! the page where the input stopped.

use std::cell::RefCell;
use wasm_bindgen::prelude::*;

use crate::render::charts::{self, Theme};
use crate::{Options, Summary};

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs the panic hook once (idempotent; every constructor calls it).
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
                (*s).to_string()
            } else if let Some(s) = info.payload().downcast_ref::<String>() {
                s.clone()
            } else {
                "unknown panic".to_string()
            };
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let text = format!("{msg}{at}");
            // try_borrow_mut: a panic while the cell is borrowed must not panic again.
            LAST_PANIC.with(|p| {
                if let Ok(mut p) = p.try_borrow_mut() {
                    *p = Some(text);
                }
            });
        }));
    });
}

/// The message of the last panic inside the module (after a `RuntimeError: unreachable`),
/// or `undefined`.
#[wasm_bindgen]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.with(|p| p.try_borrow().ok().and_then(|p| p.clone()))
}

/// The crate version, shown in the page footer.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The streaming analyzer: `new Analyzer(optionsJson)`, `push(chunk)` …, `finish()`.
#[wasm_bindgen]
pub struct Analyzer {
    inner: Option<crate::Analyzer>,
    bytes: u64,
}

#[wasm_bindgen]
impl Analyzer {
    /// `options_json`: `""` or a JSON object like `{"group_by":"modelVersion",
    /// "latency":"responseTimeMs","latency_unit":"ms","status":"status","time":"ts",
    /// "baseline":"v1.2"}` (every key optional).
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<Analyzer, JsError> {
        install_panic_hook();
        let opts = parse_options(options_json).map_err(|e| JsError::new(&e))?;
        Ok(Analyzer {
            inner: Some(crate::Analyzer::new(opts)),
            bytes: 0,
        })
    }

    /// Feeds the next chunk (any size, any split: lines may cross chunks).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsError> {
        let a = self
            .inner
            .as_mut()
            .ok_or_else(|| JsError::new("push after finish: create a new Analyzer"))?;
        a.push(chunk);
        self.bytes += chunk.len() as u64;
        Ok(())
    }

    /// Bytes pushed so far (a JS number: exact up to 2^53 bytes).
    pub fn bytes(&self) -> f64 {
        self.bytes as f64
    }

    /// Ends the input and returns the summary as JSON. The analyzer cannot be used again.
    pub fn finish(&mut self) -> Result<String, JsError> {
        let a = self
            .inner
            .take()
            .ok_or_else(|| JsError::new("finish called twice: create a new Analyzer"))?;
        serde_json::to_string(&a.finish()).map_err(|e| JsError::new(&e.to_string()))
    }
}

/// Options from JSON; `""` gives the defaults. `"-"` for a field means "none" (the core's
/// convention), passed through as is.
fn parse_options(json: &str) -> Result<Options, String> {
    let json = json.trim();
    if json.is_empty() {
        return Ok(Options::default());
    }
    serde_json::from_str::<Options>(json).map_err(|e| format!("invalid analysis options: {e}"))
}

fn parse_summary(json: &str) -> Result<Summary, String> {
    serde_json::from_str::<Summary>(json).map_err(|e| format!("invalid summary JSON: {e}"))
}

/// Why the summary cannot answer the question (empty input, no records, no latency
/// field), as a sentence for the page; `undefined` when it is usable.
#[wasm_bindgen]
pub fn check(summary_json: &str) -> Option<String> {
    match parse_summary(summary_json) {
        Ok(s) => crate::check(&s).err().map(|p| p.to_string()),
        Err(e) => Some(e),
    }
}

/// The latency distribution chart (SVG) of a summary.
#[wasm_bindgen]
pub fn chart_latency_cdf(summary_json: &str, dark: bool) -> Result<String, JsError> {
    let s = parse_summary(summary_json).map_err(|e| JsError::new(&e))?;
    Ok(charts::latency_cdf(&s, Theme::from_dark(dark)))
}

/// The latency-over-time chart (SVG) of a summary.
#[wasm_bindgen]
pub fn chart_latency_timeline(summary_json: &str, dark: bool) -> Result<String, JsError> {
    let s = parse_summary(summary_json).map_err(|e| JsError::new(&e))?;
    Ok(charts::latency_timeline(&s, Theme::from_dark(dark)))
}

/// The error-rate chart (SVG) of a summary.
#[wasm_bindgen]
pub fn chart_error_rate(summary_json: &str, dark: bool) -> Result<String, JsError> {
    let s = parse_summary(summary_json).map_err(|e| JsError::new(&e))?;
    Ok(charts::error_rate(&s, Theme::from_dark(dark)))
}

/// The colour of the group at `index` (rank by count) in the charts, as `#rrggbb`, so the
/// page's table can show the same swatches.
#[wasm_bindgen]
pub fn series_color(index: u32, dark: bool) -> String {
    Theme::from_dark(dark)
        .series_hex(index as usize)
        .to_string()
}
