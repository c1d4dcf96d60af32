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

/// Installs the panic hook once (idempotent; every export that can panic calls it first, so
/// a panic in any of them, in any worker, leaves its message for [`last_panic`]).
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

/// The size of this module's linear memory in bytes (it only grows): for error reports and
/// the memory checks of the browser tests.
#[wasm_bindgen]
pub fn memory_bytes() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64
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
        let mut opts = parse_options(options_json).map_err(|e| JsError::new(&e))?;
        // Timestamps without a year (klog, syslog) are placed relative to the current time.
        opts.now_ms.get_or_insert(js_sys::Date::now() as i64);
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

    /// The current file ends here and another follows (several files analysed together):
    /// its last line ends, and the next file's encoding is detected from its own first bytes.
    #[wasm_bindgen(js_name = nextInput)]
    pub fn next_input(&mut self) -> Result<(), JsError> {
        let a = self
            .inner
            .as_mut()
            .ok_or_else(|| JsError::new("nextInput after finish: create a new Analyzer"))?;
        a.next_input();
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
    install_panic_hook();
    match parse_summary(summary_json) {
        Ok(s) => crate::check(&s).err().map(|p| p.to_string()),
        Err(e) => Some(e),
    }
}

/// The latency distribution chart (SVG) of a summary.
#[wasm_bindgen]
pub fn chart_latency_cdf(summary_json: &str, dark: bool) -> Result<String, JsError> {
    install_panic_hook();
    let s = parse_summary(summary_json).map_err(|e| JsError::new(&e))?;
    Ok(charts::latency_cdf(&s, Theme::from_dark(dark)))
}

/// The latency-over-time chart (SVG) of a summary.
#[wasm_bindgen]
pub fn chart_latency_timeline(summary_json: &str, dark: bool) -> Result<String, JsError> {
    install_panic_hook();
    let s = parse_summary(summary_json).map_err(|e| JsError::new(&e))?;
    Ok(charts::latency_timeline(&s, Theme::from_dark(dark)))
}

/// The error-rate chart (SVG) of a summary.
#[wasm_bindgen]
pub fn chart_error_rate(summary_json: &str, dark: bool) -> Result<String, JsError> {
    install_panic_hook();
    let s = parse_summary(summary_json).map_err(|e| JsError::new(&e))?;
    Ok(charts::error_rate(&s, Theme::from_dark(dark)))
}

/// The colour of the group at `index` (rank by count) in the charts, as `#rrggbb`, so the
/// page's table can show the same swatches.
#[wasm_bindgen]
pub fn series_color(index: u32, dark: bool) -> String {
    install_panic_hook();
    Theme::from_dark(dark)
        .series_hex(index as usize)
        .to_string()
}

// --- the incident report, downloads and share links (issue 5) ---------------------------------
//
// All of these take the summary as JSON (what `Analyzer::finish` returns) and hand back
// strings. Log text in the outputs is escaped by the core's writers (`render::report`,
// `render::charts`), so the page may insert the HTML fragments as markup.

/// The chart of `name` (`cdf`, `timeline`, `errors`) for the report, or None.
fn report_chart(s: &Summary, name: &str, theme: Theme) -> Option<String> {
    match name {
        "cdf" => Some(charts::latency_cdf(s, theme)),
        "timeline" => Some(charts::latency_timeline(s, theme)),
        "errors" => Some(charts::error_rate(s, theme)),
        _ => None,
    }
}

fn parse_share_options(json: &str) -> Result<crate::share::ShareOptions, JsError> {
    let json = json.trim();
    if json.is_empty() {
        return Ok(crate::share::ShareOptions::default());
    }
    serde_json::from_str(json).map_err(|e| JsError::new(&format!("invalid share options: {e}")))
}

fn summary_arg(summary_json: &str) -> Result<Summary, JsError> {
    parse_summary(summary_json).map_err(|e| JsError::new(&e))
}

fn to_json(s: &Summary) -> Result<String, JsError> {
    serde_json::to_string(s).map_err(|e| JsError::new(&e.to_string()))
}

/// The incident report as Markdown (the same text as `logdrop analyze --format markdown`).
#[wasm_bindgen]
pub fn report_markdown(summary_json: &str) -> Result<String, JsError> {
    install_panic_hook();
    Ok(crate::render::report::markdown(&summary_arg(summary_json)?))
}

/// The incident report as an HTML fragment (no `<html>`), the charts inlined as SVG in the
/// dark or light theme. Every log-derived string in it is escaped.
#[wasm_bindgen]
pub fn report_html_fragment(summary_json: &str, dark: bool) -> Result<String, JsError> {
    install_panic_hook();
    let s = summary_arg(summary_json)?;
    let theme = Theme::from_dark(dark);
    Ok(crate::render::report::build(&s).to_html(&|name| report_chart(&s, name, theme)))
}

/// The incident report as an HTML fragment with an empty slot
/// `<div class="report-chart" data-chart="NAME"></div>` where each chart goes, for a page
/// that draws the charts itself (in the screen and the print theme).
#[wasm_bindgen]
pub fn report_html_slots(summary_json: &str) -> Result<String, JsError> {
    install_panic_hook();
    let s = summary_arg(summary_json)?;
    Ok(
        crate::render::report::build(&s).to_html(&|name| match name {
            "cdf" | "timeline" | "errors" => Some(format!(
                "<div class=\"report-chart\" data-chart=\"{name}\"></div>"
            )),
            _ => None,
        }),
    )
}

/// The incident report as a self-contained HTML document (the same as `logdrop analyze
/// --format html`): inline styles, light-theme charts inlined as SVG, no script.
#[wasm_bindgen]
pub fn report_html_document(summary_json: &str) -> Result<String, JsError> {
    install_panic_hook();
    let s = summary_arg(summary_json)?;
    Ok(crate::render::report::html_document(&s, &|name| {
        report_chart(&s, name, Theme::Light)
    }))
}

/// The summary with every log-derived string redacted (for downloads and copies), as JSON.
#[wasm_bindgen]
pub fn redact_summary(summary_json: &str) -> Result<String, JsError> {
    install_panic_hook();
    to_json(&crate::redact::redact_summary(&summary_arg(summary_json)?))
}

/// The share-link fragment value for a summary (the page adds `#r=`). `options_json`: `""`
/// or a JSON object like `{"redact": false}` (every key optional; redaction is on by default).
#[wasm_bindgen]
pub fn share_encode(summary_json: &str, options_json: &str) -> Result<String, JsError> {
    install_panic_hook();
    let opts = parse_share_options(options_json)?;
    Ok(crate::share::encode(&summary_arg(summary_json)?, &opts))
}

/// Exactly what a link made by [`share_encode`] with the same options will show, as summary
/// JSON.
#[wasm_bindgen]
pub fn share_preview(summary_json: &str, options_json: &str) -> Result<String, JsError> {
    install_panic_hook();
    let opts = parse_share_options(options_json)?;
    to_json(&crate::share::preview(&summary_arg(summary_json)?, &opts))
}

/// The summary in a share link's fragment (with or without `#r=`), as JSON; a damaged,
/// truncated, foreign or newer link is an error whose message is a sentence for the user.
#[wasm_bindgen]
pub fn share_decode(fragment: &str) -> Result<String, JsError> {
    install_panic_hook();
    let s = crate::share::decode(fragment).map_err(|e| JsError::new(&e.to_string()))?;
    to_json(&s)
}

/// Whether the evidence in a share link was redacted when it was made (the page's banner
/// says so, or warns that the lines are as written).
#[wasm_bindgen]
pub fn share_link_redacted(fragment: &str) -> Result<bool, JsError> {
    install_panic_hook();
    crate::share::decode_link(fragment)
        .map(|l| l.redacted)
        .map_err(|e| JsError::new(&e.to_string()))
}
