//! The JSON contract: what `logdrop analyze --format json` prints and what the page, the
//! report and the share link read. Field names are stable; new fields may be added.
//!
//! ```text
//! {"input":  {"bytes","lines","records","parsed","recovered","skipped","skipped_reasons":{reason:n},…},
//!  "fields": {"group","latency","latency_unit","status","time", "candidates": {…}},
//!  "groups": [{"key","count","errors","error_rate",
//!              "latency_ms": {"min","mean","p50","p90","p95","p99","p999","max"},
//!              "first_seen","last_seen", …}],
//!  "timeline": {…}, "warnings": […], "baseline", "findings": […], "comparisons": […]}
//! ```

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything logdrop knows about one input, after `finish()`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub input: InputStats,
    pub fields: FieldChoice,
    /// Sorted by `count` descending, then by `key`.
    pub groups: Vec<GroupSummary>,
    pub timeline: Timeline,
    /// Low-cardinality fields and their values, for root-cause ranking and display.
    #[serde(default)]
    pub dimensions: Vec<Dimension>,
    /// Things the user should know (a capped field, a guessed unit, no timestamps …).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The baseline group the others are compared with (filled by the analysis).
    #[serde(default)]
    pub baseline: Option<String>,
    /// Findings, strongest first (filled by the analysis; empty when nothing is wrong).
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// Each group compared with the baseline, in the order of `groups` (filled by the
    /// analysis; empty without a group field or with a single group).
    #[serde(default)]
    pub comparisons: Vec<Comparison>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InputStats {
    /// Bytes read (after gzip decompression).
    pub bytes: u64,
    /// Lines read, blank ones included.
    pub lines: u64,
    /// Record units: non-blank lines, except that a multi-line JSON object (pretty-printed,
    /// or an element of a JSON array) counts once. `parsed + recovered + skipped == records`.
    pub records: u64,
    pub parsed: u64,
    pub recovered: u64,
    pub skipped: u64,
    /// Skip reason name → count (only reasons that occurred).
    pub skipped_reasons: BTreeMap<String, u64>,
    /// Repair name → number of recovered records that needed it.
    pub repairs: BTreeMap<String, u64>,
    /// Format name (`json`, `text+json`, `logfmt`, `access`, `json-multiline`) → records.
    pub formats: BTreeMap<String, u64>,
    /// Lines whose bytes were not valid UTF-8 (decoded lossily).
    pub invalid_utf8_lines: u64,
    /// Up to 5 examples per skip reason and per repair, smallest line numbers first.
    pub examples: Vec<Example>,
}

/// One example line for a skip reason or a repair.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// `skipped` or `recovered`.
    pub outcome: String,
    /// The skip reason or repair name.
    pub reason: String,
    /// 1-based line number of the record's first line.
    pub line_no: u64,
    /// The line as read (lossily decoded, cut to 300 bytes).
    pub text: String,
}

/// Which field was used for what, and what else could have been.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldChoice {
    pub group: Option<String>,
    pub latency: Option<String>,
    /// `ms`, `s`, `us`, `ns`, or `text` (values like `"820ms"`, parsed one by one).
    pub latency_unit: Option<String>,
    pub status: Option<String>,
    pub time: Option<String>,
    /// The zone the timestamps name, which times are shown in: `UTC`, an offset (`+01:00`),
    /// or `none` (they name none: shown as written, with no zone). Null without a time field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Other fields that could fill each role, best first (for the override dropdowns).
    #[serde(default)]
    pub candidates: Candidates,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidates {
    pub group: Vec<String>,
    pub latency: Vec<String>,
    pub status: Vec<String>,
    pub time: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupSummary {
    pub key: String,
    pub count: u64,
    /// Requests whose status/outcome counts as an error (see `Outcome` in the README).
    pub errors: u64,
    /// `errors / count`, 0 when `count` is 0.
    pub error_rate: f64,
    /// Absent (null) when no record of the group had a latency.
    pub latency_ms: Option<LatencyStats>,
    /// RFC 3339 UTC, null without timestamps.
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Records of the group that had a latency value.
    pub latency_count: u64,
    /// Status value → count (top values; the rest under `(other)`).
    pub status_counts: BTreeMap<String, u64>,
    /// The latency CDF: `[latency_ms, fraction ≤ it]`, at most ~200 points, for charts.
    pub cdf: Vec<[f64; 2]>,
    /// A few real log lines of this group, as evidence (deterministic choice).
    pub evidence: Vec<Evidence>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencyStats {
    pub min: f64,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub line_no: u64,
    /// The line as read, verbatim (lossily decoded, cut to 500 bytes).
    pub text: String,
    /// Repairs applied, empty when the line parsed as is.
    pub repairs: Vec<String>,
    pub is_error: bool,
    pub latency_ms: Option<f64>,
}

/// Per-group time series, for the latency-over-time and error-rate charts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// Bucket width in milliseconds (60 000 unless the span forced wider buckets).
    pub bucket_ms: i64,
    pub series: Vec<TimelineSeries>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelineSeries {
    pub group: String,
    pub points: Vec<TimelinePoint>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelinePoint {
    /// Bucket start, epoch milliseconds (UTC).
    pub t: i64,
    pub count: u64,
    pub errors: u64,
    /// Latency percentiles of the bucket; null when it had no latency values.
    pub p50: Option<f64>,
    pub p95: Option<f64>,
}

/// A low-cardinality field and the outcome of each of its values.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    pub field: String,
    /// Distinct values seen (all kept: fields with more are not dimensions).
    pub distinct: u64,
    pub values: Vec<DimensionValue>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DimensionValue {
    pub value: String,
    pub count: u64,
    pub errors: u64,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
}

/// `p50`/`p95`/`p99` in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Quantiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

/// Latency ratios (this ÷ compared-with) at p50/p95/p99; null when either side has no
/// latency or the compared-with value is 0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Ratios {
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
}

/// Two-sided p-values of the tests behind a verdict; null when the test could not run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tests {
    /// Mann–Whitney U on the latency histograms (normal approximation with tie correction;
    /// exact distribution for small samples).
    pub latency: Option<f64>,
    /// Two-proportion test on the share of requests at or above the slow threshold.
    pub tail: Option<f64>,
    /// Two-proportion test on the error rates (Fisher's exact test for small counts).
    pub errors: Option<f64>,
}

/// What the failure looked like: a value of an outcome field (status, error code, …)
/// among the failed requests of a finding.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Symptom {
    pub field: String,
    pub value: String,
    /// Failed requests with this value (in the finding's scope, see `share`).
    pub count: u64,
    /// `count` ÷ the failed requests it is counted among: the group's (`scope` = `group`)
    /// or the whole file's (`scope` = `file`).
    pub share: f64,
    /// `group` (counted among the finding's own failed requests) or `file` (among all
    /// failed requests: shown only when the finding holds most of them).
    pub scope: String,
}

/// One `field=value` that explains slow or failed requests. See the module docs of
/// `logdrop::analysis` for how it is found and the thresholds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub field: String,
    pub value: String,
    /// `latency`, `tail-latency`, `errors`, or several joined by `+` (`latency+errors`).
    pub kind: String,
    /// `regression` (significant and large enough to matter) or `too-little-data` (large,
    /// but too few requests to be sure).
    pub verdict: String,
    /// The baseline group when `field` is the group field; null when the value is compared
    /// with the other values of its field.
    pub baseline: Option<String>,
    /// What it was compared with, in words (`v1.2`, `the other endpoint values`).
    pub compared_with: String,
    /// Requests with `field=value`.
    pub requests: u64,
    /// Requests it was compared with.
    pub compared_requests: u64,
    /// Requests with `field=value` that failed or were slower than `slow_threshold_ms`.
    pub bad_requests: u64,
    pub errors: u64,
    pub error_rate: f64,
    pub compared_error_rate: f64,
    /// `error_rate − compared_error_rate` (a fraction: 0.05 is 5 points).
    pub error_rate_diff: f64,
    /// The baseline's p95 (the whole file's without a baseline): requests slower than it
    /// count as slow. Null without latencies.
    pub slow_threshold_ms: Option<f64>,
    /// Share of requests (with a latency) slower than `slow_threshold_ms`.
    pub slow_rate: f64,
    pub compared_slow_rate: f64,
    pub latency_ms: Option<Quantiles>,
    pub compared_latency_ms: Option<Quantiles>,
    pub ratios: Ratios,
    /// The smallest p-value among the tests behind `kind`.
    pub p_value: Option<f64>,
    pub tests: Tests,
    /// Cliff's delta of the latencies, in [-1, 1]: P(this slower) − P(this faster).
    pub effect_size: Option<f64>,
    /// `bad_requests` ÷ all bad requests of the file.
    pub share_of_bad: f64,
    /// P(bad | field=value) ÷ P(bad) over the whole file.
    pub lift: f64,
    /// RFC 3339 UTC; null when unknown (no timestamps, or no change seen).
    pub started_at: Option<String>,
    /// How `started_at` was found: `first-seen` (the group appeared then), `change-point`
    /// (its own timeline shifted then), `file-timeline` (the whole file's timeline shifted
    /// then: approximate for a field other than the group field).
    pub started_basis: Option<String>,
    /// Last request of the group when it stopped before the end of the file, else null. For
    /// a finding on every request (`field` `*`): the end of its window of time, when it
    /// ended before the end of the file.
    pub ended_at: Option<String>,
    /// From `started_at` to `ended_at` (or the group's last request), in milliseconds.
    pub lasted_ms: Option<i64>,
    pub symptoms: Vec<Symptom>,
    /// Other `field=value` pairs with the same requests (e.g. a build id of the version).
    pub aliases: Vec<String>,
    /// One sentence for people; its numbers are the ones above, rounded.
    pub summary: String,
}

/// One group compared with the baseline.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub group: String,
    pub baseline: String,
    pub count: u64,
    pub baseline_count: u64,
    pub error_rate: f64,
    pub baseline_error_rate: f64,
    pub error_rate_diff: f64,
    pub slow_rate: f64,
    pub baseline_slow_rate: f64,
    pub ratios: Ratios,
    pub tests: Tests,
    /// Cliff's delta of the latencies (group vs baseline), in [-1, 1].
    pub effect_size: Option<f64>,
    /// `regression`, `improvement`, `no-change`, `too-little-data`, or `explained` (worse,
    /// but another field explains its slow or failed requests: see `explained_by`).
    pub verdict: String,
    /// What changed: `latency`, `tail-latency`, `errors` (worse) or `faster`, `fewer-errors`;
    /// for `too-little-data`, the large differences seen (not judged).
    pub kinds: Vec<String>,
    /// `field=value` that explains this group's bad requests better than the group does.
    pub explained_by: Option<String>,
}
