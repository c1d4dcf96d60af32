//! Analysis (stage 6): pure functions of the aggregates. It chooses the baseline group,
//! compares every group with it, ranks the `field=value` pairs that explain the slow or
//! failed requests, finds when it started, and writes the findings a person reads.
//! No second pass over the input: everything here reads [`Aggregates`] only.
//!
//! # What is computed
//!
//! * **Baseline** (of the group field): the user's choice when it names a group; otherwise
//!   the *healthy* group (not clearly worse than the best group in error rate, p50 or p95:
//!   the regression thresholds below, without the tests) that
//!   has at least a tenth of the largest healthy group's traffic and appeared first, then
//!   the one with most requests. `(none)` is a baseline only as a last resort.
//!   Groups that serve side by side — a group field named like a host, tenant, route or
//!   region ([`subject_of`]) — get no baseline unless the user names one: one route being
//!   slower than another is not a regression. Their values are then ranked as causes like
//!   any other field's (below), each dated by its group's own timeline and described with
//!   the group's own quantiles.
//! * **Slow threshold**: the baseline's p95 (the whole file's p95 without a baseline). A
//!   request is *bad* when it failed or was slower than that (at histogram-bucket
//!   resolution: ≤ 0.4% for groups, ≤ 3.1% for field values).
//! * **Per-group comparison** with the baseline (`Summary::comparisons`): p50/p95/p99 ratios,
//!   the Mann–Whitney U test on the two latency histograms (values in the same bucket are
//!   ties: ½ each, tie-corrected normal approximation; the exact distribution when
//!   `n₁·n₂ ≤ 2500`), Cliff's delta as the effect size, a two-proportion test on the error
//!   rates and one on the share of slow requests (Fisher's exact test when an expected cell
//!   count is below 5), and a verdict.
//! * **Root-cause ranking**, in the spirit of Honeycomb's BubbleUp: every value of every
//!   low-cardinality field that could be a cause is compared, with the same tests and
//!   thresholds, against the other values of its field, and over the whole file:
//!   `share_of_bad` = its bad requests ÷ all bad requests, `lift` = P(bad | value) ÷ P(bad).
//!   Not candidates: the latency and time fields (and other duration/time-like fields),
//!   fields with too many distinct values (request ids, client addresses: the aggregator
//!   marks them overflowed), and *outcome* fields — the status field, the log level, error
//!   codes and descriptions (`level`, `code`, `desc`, `error…`, `message`, `msg`, `at`,
//!   `reason`, `outcome`, `result`, …). Those are reported as `symptoms`: what the failure
//!   looked like.
//! * **Traffic mix**: a group that is worse than the baseline is *explained* by another
//!   field's value (verdict `explained`, no finding) when that value accounts for more
//!   excess bad requests than the group and the group's bad rate is no higher than the
//!   value's — exactly what a different share of traffic to a slow endpoint produces. The
//!   aggregates hold no group × value cross-table, so "this version sends more traffic to
//!   the slow endpoint" and "this version is slow only on that endpoint" cannot be told
//!   apart; the comparison says so instead of calling the version a regression.
//! * **When**: a group's `started_at` is the change point of its own per-bucket timeline
//!   (the split that maximises a two-rate Bernoulli likelihood) when there is one, else the
//!   moment it first took traffic. For another field it is the change point of the whole
//!   file's timeline (`started_basis` = `file-timeline`: an approximation, there are no
//!   per-value timelines), or null.
//!
//! * **The whole log**: when no group and no field value is a finding (nor a group that is
//!   worse than the others without being over-represented, as under a baseline the user
//!   chose), the whole log's timeline is searched for the window of time with a higher error
//!   rate or share of slow requests than the rest ([`stats::elevated_window`]: a step up that
//!   lasts to the end, or a spike that passed), held to the change-point thresholds below.
//!   The requests in it are compared with the others by the same tests and thresholds: a
//!   finding on [`ALL_REQUESTS`] (`*`; its value the window's start, `ended_at` its end). A
//!   shared dependency that degrades hits every route alike, and "nothing stands out" would
//!   be wrong.
//!
//! # Thresholds
//!
//! A finding needs **both** statistical significance and a practical effect, so that a 2%
//! shift on a million requests (significant, harmless) is not an incident:
//!
//! | kind | significance | practical effect |
//! |---|---|---|
//! | `latency` | Mann–Whitney p < 0.001 | p50 ratio ≥ 1.5 |
//! | `tail-latency` | slow-share two-proportion p < 0.001 | p95 or p99 ratio ≥ 1.5, and the share of requests slower than the slow threshold ≥ 2× and ≥ 2 points above the compared side's |
//! | `errors` | two-proportion p < 0.001 | error rate ≥ 2× and ≥ 2 points above the compared side's |
//!
//! Improvements (`faster`, `fewer-errors`) mirror these (p50 ratio ≤ 1/1.5; error rate ≤ ½
//! and ≥ 2 points lower). Either side with fewer than 30 requests (30 latencies for the
//! latency tests) is **too little data**: it is never called a regression, but when the
//! effect is large — p50 ratio ≥ 2 with Cliff's delta ≥ 0.8 (nearly every request slower
//! than nearly every compared one), or an error rate ≥ 50%, ≥ 2× and ≥ 25 points higher —
//! it is still reported, as a finding with verdict `too-little-data`. A root-cause value must also be
//! over-represented among the bad requests (`lift` ≥ 1.5) and have at least 10 of them.
//! A change point counts when twice its log-likelihood ratio is ≥ 25 and the rate after is
//! ≥ 1.5× and ≥ 2 points above the rate before.
//!
//! Findings are ordered by *excess bad requests* (bad requests beyond what the compared
//! side's rate predicts), so the top finding is the value that explains most of the bad
//! requests, whichever field it belongs to; `too-little-data` findings come last.

mod stats;
pub mod text;

use crate::aggregate::{Aggregates, FieldAgg, GroupAgg, ValueAgg, NO_GROUP, OTHER};
use crate::summary::{Comparison, Finding, Quantiles, Ratios, Summary, Symptom, Tests};
use stats::{Buckets, MannWhitney};
use std::collections::{BTreeMap, HashMap};

/// The `field` of a finding about every request in a window of time (its `value` the
/// window's start, RFC 3339; `ended_at` its end, or null to the end of the log), when no
/// field value explains what changed then.
pub const ALL_REQUESTS: &str = "*";

/// Significance level of every test (two-sided p-value below it).
pub const ALPHA: f64 = 0.001;
/// Fewer requests than this on either side: too little data to judge.
pub const MIN_REQUESTS: u64 = 30;
/// p50 ratio for a latency regression (p95/p99 ratio for a tail regression).
pub const LATENCY_RATIO: f64 = 1.5;
/// Slow-share ratio for a tail regression.
pub const TAIL_SHARE_RATIO: f64 = 2.0;
/// Slow-share difference (fraction) for a tail regression.
pub const TAIL_SHARE_DIFF: f64 = 0.02;
/// Error-rate difference (fraction: 0.02 is 2 points) for an error regression.
pub const ERROR_DIFF: f64 = 0.02;
/// Error-rate ratio for an error regression.
pub const ERROR_RATIO: f64 = 2.0;
/// p50 ratio reported for a too-little-data group.
pub const SPARSE_LATENCY_RATIO: f64 = 2.0;
/// Cliff's delta reported for a too-little-data group (with the p50 ratio): nearly every
/// request slower than nearly every compared one.
pub const SPARSE_EFFECT: f64 = 0.8;
/// Error-rate difference reported for a too-little-data group.
pub const SPARSE_ERROR_DIFF: f64 = 0.25;
/// Error rate reported for a too-little-data group (with the difference and the ratio).
pub const SPARSE_ERROR_RATE: f64 = 0.5;
/// Lowest lift for a root-cause value.
pub const MIN_LIFT: f64 = 1.5;
/// Fewest bad requests for a root-cause value.
pub const MIN_BAD: u64 = 10;
/// Twice the log-likelihood ratio for a change point.
pub const CHANGE_LLR2: f64 = 25.0;
/// Rate increase (fraction: 0.02 is 2 points) for a change point.
pub const CHANGE_DIFF: f64 = 0.02;
/// Rate ratio for a change point.
pub const CHANGE_RATIO: f64 = 1.5;

/// What got worse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    Latency,
    Tail,
    Errors,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Latency => "latency",
            Kind::Tail => "tail-latency",
            Kind::Errors => "errors",
        }
    }
}

/// The kind of thing a field names: for the immediate action in the report, and here for
/// whether the groups run one after another (versions) or side by side (hosts, tenants,
/// routes, regions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Version,
    Host,
    Tenant,
    Endpoint,
    Region,
    Other,
}

pub fn subject_of(field: &str, is_group_field: bool) -> Subject {
    let n: String = field
        .rsplit('.')
        .next()
        .unwrap_or(field)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
    if has(&[
        "version", "release", "build", "deploy", "commit", "sha", "revision", "image", "canary",
    ]) {
        Subject::Version
    } else if has(&[
        "host",
        "dyno",
        "instance",
        "pod",
        "node",
        "server",
        "machine",
        "container",
        "worker",
    ]) {
        Subject::Host
    } else if has(&[
        "tenant", "customer", "account", "org", "client", "user", "team", "project",
    ]) {
        Subject::Tenant
    } else if has(&[
        "endpoint",
        "path",
        "route",
        "url",
        "uri",
        "handler",
        "operation",
        "method",
        "api",
    ]) {
        Subject::Endpoint
    } else if has(&["region", "zone", "az", "datacenter", "dc", "cluster"]) {
        Subject::Region
    } else if is_group_field {
        Subject::Version
    } else {
        Subject::Other
    }
}

/// Whether the groups of `group_field` serve side by side (hosts, tenants, routes, regions)
/// rather than one after another (versions, and any field not named like those four).
pub fn serves_side_by_side(group_field: &str) -> bool {
    matches!(
        subject_of(group_field, true),
        Subject::Host | Subject::Tenant | Subject::Endpoint | Subject::Region
    )
}

fn kinds_name(k: &[Kind]) -> String {
    k.iter().map(|k| k.name()).collect::<Vec<_>>().join("+")
}

/// One side of a comparison.
#[derive(Clone, Debug, Default)]
pub(crate) struct Side {
    pub count: u64,
    pub errors: u64,
    pub lat: Buckets,
    pub lat_count: u64,
    pub q: Option<Quantiles>,
    /// Latencies slower than the slow threshold (failed requests included).
    pub slow: u64,
    /// Failed, or not failed and slower than the slow threshold.
    pub bad: u64,
}

impl Side {
    fn error_rate(&self) -> f64 {
        frac(self.errors, self.count)
    }
    fn slow_rate(&self) -> f64 {
        frac(self.slow, self.lat_count)
    }
    fn bad_rate(&self) -> f64 {
        frac(self.bad, self.count)
    }
}

fn frac(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        (a as f64 / b as f64).clamp(0.0, 1.0)
    }
}

/// `a / b` when both are finite and `b` is above the histograms' zero bucket (< 2^-10 ms
/// reads as 0: a ratio to it would be meaningless).
fn ratio(a: f64, b: f64) -> Option<f64> {
    let r = a / b;
    (b >= crate::histogram::LOWEST_TRACKABLE_MS && a >= 0.0 && r.is_finite()).then_some(r)
}

/// The outcome of comparing side `a` with side `b`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Judgement {
    pub tests: Tests,
    pub mw: Option<MannWhitney>,
    pub ratios: Ratios,
    /// Either side below [`MIN_REQUESTS`].
    pub sparse: bool,
    /// Significant and large enough (empty when sparse).
    pub worse: Vec<Kind>,
    /// `faster`, `fewer-errors`.
    pub better: Vec<&'static str>,
    /// Sparse, but large enough to mention.
    pub indicated: Vec<Kind>,
}

fn judge(a: &Side, b: &Side, has_thr: bool) -> Judgement {
    let mut j = Judgement::default();
    if let (Some(x), Some(y)) = (a.q, b.q) {
        j.ratios = Ratios {
            p50: ratio(x.p50, y.p50),
            p95: ratio(x.p95, y.p95),
            p99: ratio(x.p99, y.p99),
        };
    }
    j.mw = stats::mann_whitney(&a.lat, &b.lat);
    j.tests.latency = j.mw.map(|m| m.p);
    if has_thr {
        j.tests.tail = stats::two_proportions(a.slow, a.lat_count, b.slow, b.lat_count);
    }
    j.tests.errors = stats::two_proportions(a.errors, a.count, b.errors, b.count);
    let (ea, eb) = (a.error_rate(), b.error_rate());
    let errors_worse = ea - eb >= ERROR_DIFF && ea >= ERROR_RATIO * eb;
    let errors_better = eb - ea >= ERROR_DIFF && ea * ERROR_RATIO <= eb;
    let sig = |p: Option<f64>| p.is_some_and(|p| p < ALPHA);
    j.sparse = a.count < MIN_REQUESTS || b.count < MIN_REQUESTS;
    if j.sparse {
        let separated = j.mw.is_some_and(|m| m.delta >= SPARSE_EFFECT);
        if separated && j.ratios.p50.is_some_and(|r| r >= SPARSE_LATENCY_RATIO) {
            j.indicated.push(Kind::Latency);
        }
        if ea - eb >= SPARSE_ERROR_DIFF && ea >= ERROR_RATIO * eb && ea >= SPARSE_ERROR_RATE {
            j.indicated.push(Kind::Errors);
        }
        return j;
    }
    let lat_ok = a.lat_count >= MIN_REQUESTS && b.lat_count >= MIN_REQUESTS;
    let delta = j.mw.map_or(0.0, |m| m.delta);
    if lat_ok && sig(j.tests.latency) {
        if let Some(r) = j.ratios.p50 {
            if r >= LATENCY_RATIO && delta > 0.0 {
                j.worse.push(Kind::Latency);
            } else if r * LATENCY_RATIO <= 1.0 && delta < 0.0 {
                j.better.push("faster");
            }
        }
    }
    if lat_ok && !j.worse.contains(&Kind::Latency) && sig(j.tests.tail) {
        let tail_ratio = j.ratios.p95.unwrap_or(0.0).max(j.ratios.p99.unwrap_or(0.0));
        let (sa, sb) = (a.slow_rate(), b.slow_rate());
        if tail_ratio >= LATENCY_RATIO && sa >= TAIL_SHARE_RATIO * sb && sa - sb >= TAIL_SHARE_DIFF
        {
            j.worse.push(Kind::Tail);
        }
    }
    if sig(j.tests.errors) {
        if errors_worse {
            j.worse.push(Kind::Errors);
        } else if errors_better {
            j.better.push("fewer-errors");
        }
    }
    j
}

fn quantiles_of<const S: u32>(h: &crate::histogram::LogHistogram<S>) -> Option<Quantiles> {
    Some(Quantiles {
        p50: h.quantile(0.5)?,
        p95: h.quantile(0.95)?,
        p99: h.quantile(0.99)?,
    })
}

fn bucket_quantiles(b: &[(f64, f64, u64)]) -> Option<Quantiles> {
    Some(Quantiles {
        p50: stats::quantile(b, 0.5)?,
        p95: stats::quantile(b, 0.95)?,
        p99: stats::quantile(b, 0.99)?,
    })
}

/// Values slower than `thr` (strictly: the bucket that holds `thr` itself is not counted).
fn slower<const S: u32>(h: &crate::histogram::LogHistogram<S>, thr: f64) -> u64 {
    h.count_at_or_above(thr + thr.abs() * 1e-9 + f64::MIN_POSITIVE)
}

/// Bad requests among a value's: failed, or not failed and slower than `thr`.
fn value_bad(v: &ValueAgg, thr: Option<f64>) -> u64 {
    let slow_ok = thr.map_or(0, |t| slower(&v.ok_latency, t));
    v.errors.saturating_add(slow_ok).min(v.count)
}

/// A side of `count` requests, `errors` of them failed, with the latencies in `h` and
/// `bad` bad requests (`None` without per-value counts: the failed requests are assumed to
/// be among those slower than `thr`).
fn hist_side<const S: u32>(
    h: &crate::histogram::LogHistogram<S>,
    count: u64,
    errors: u64,
    thr: Option<f64>,
    bad: Option<u64>,
) -> Side {
    let slow = thr.map_or(0, |t| slower(h, t));
    Side {
        count,
        errors: errors.min(count),
        lat: h.buckets().collect(),
        lat_count: h.count(),
        q: quantiles_of(h),
        slow,
        bad: bad.unwrap_or_else(|| errors.max(slow).min(count)),
    }
}

fn group_side(g: &GroupAgg, thr: Option<f64>, fv: Option<&ValueAgg>) -> Side {
    let bad = fv.map(|v| value_bad(v, thr));
    hist_side(&g.latency, g.count, g.errors, thr, bad)
}

fn value_side(v: &ValueAgg, thr: Option<f64>) -> Side {
    let mut h = v.ok_latency.clone();
    h.merge(&v.err_latency);
    hist_side(&h, v.count, v.errors, thr, Some(value_bad(v, thr)))
}

/// `total` minus `part` (a subset of it).
fn rest_side(total: &Side, part: &Side) -> Side {
    let lat = stats::subtract(&total.lat, &part.lat);
    Side {
        count: total.count.saturating_sub(part.count),
        errors: total.errors.saturating_sub(part.errors),
        lat_count: stats::total(&lat),
        q: bucket_quantiles(&lat),
        slow: total.slow.saturating_sub(part.slow),
        bad: total.bad.saturating_sub(part.bad),
        lat,
    }
}

/// Normalised field name: lowercased, without `_ - . @` and spaces; last dotted segment.
fn norm(name: &str) -> String {
    let last = name.rsplit('.').next().unwrap_or(name);
    last.chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | '@' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a field describes the outcome (a symptom) rather than a possible cause: status,
/// level, error codes and descriptions, messages.
pub fn is_symptom_field(name: &str) -> bool {
    let n = norm(name);
    matches!(
        n.as_str(),
        "status"
            | "statuscode"
            | "httpstatus"
            | "outcome"
            | "result"
            | "level"
            | "lvl"
            | "loglevel"
            | "severity"
            | "msg"
            | "message"
            | "desc"
            | "description"
            | "code"
            | "err"
            | "at"
            | "reason"
            | "exception"
            | "exc"
            | "fault"
            | "success"
            | "ok"
            | "failed"
    ) || n.contains("error")
        || n.contains("exception")
        // `elb_status_code`, `target_status_code_list`, `upstream_status`.
        || n.contains("status")
        // Envoy's `response_flags` and `response_code_details`, `failure_reason`.
        || n.ends_with("flags")
        || n.ends_with("details")
        || n.ends_with("reason")
}

/// Whether the values are output streams (`stdout`, `stderr`: Docker's and Kubernetes'
/// `stream`): a program writes its errors to stderr, so the stream follows the failure.
fn is_output_stream<'a>(values: impl IntoIterator<Item = &'a str>) -> bool {
    let mut any = false;
    values.into_iter().all(|v| {
        any = true;
        matches!(v, "stdout" | "stderr")
    }) && any
}

/// Whether every value looks like a duration or a time (`12ms`, `0.5s`, `2026-…T…`): such
/// fields measure the request, they do not cause it.
fn is_measure_like<'a>(values: impl IntoIterator<Item = &'a str>) -> bool {
    let mut any = false;
    values.into_iter().all(|v| {
        any = true;
        let v = v.trim();
        let num_end = v
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .unwrap_or(v.len());
        let (num, unit) = v.split_at(num_end);
        let timed = !num.is_empty()
            && num.chars().any(|c| c.is_ascii_digit())
            && matches!(unit, "ms" | "s" | "us" | "µs" | "ns" | "m" | "min" | "h");
        let stamp = v.len() >= 19 && v.as_bytes().get(10) == Some(&b'T');
        timed || stamp
    }) && any
}

/// A group and everything kept for it.
struct GroupRef<'a> {
    key: &'a str,
    agg: &'a GroupAgg,
    side: Side,
}

/// A candidate finding before ranking.
struct Cand<'a> {
    field: String,
    value: String,
    /// The group, for a group-field finding: its own timeline and status counts.
    group: Option<&'a GroupAgg>,
    /// Compared with the baseline group (else with the rest of its field).
    vs_baseline: bool,
    /// For a finding on [`ALL_REQUESTS`]: the window of the timeline it is about, from its
    /// first bucket to the first bucket after it (`None`: to the end of the log).
    window: Option<(i64, Option<i64>)>,
    baseline: Option<String>,
    compared_with: String,
    /// Short name of the compared side for parentheses: the baseline or `the rest`.
    compared_short: String,
    a: Side,
    b: Side,
    j: Judgement,
    sparse: bool,
    kinds: Vec<Kind>,
    share_of_bad: f64,
    lift: f64,
    excess: f64,
    aliases: Vec<String>,
}

/// Everything the analysis needs, read once from the aggregates.
struct Ctx<'a> {
    agg: &'a Aggregates,
    thr: Option<f64>,
    file_count: u64,
    file_bad: u64,
    file_errors: u64,
    baseline_key: Option<String>,
    /// The group field is ranked with the cause fields (its groups serve side by side and
    /// there is no baseline group).
    group_as_cause: bool,
}

/// Fill `summary.baseline`, `summary.comparisons` and `summary.findings` from `agg`.
/// `baseline` is the user's choice of baseline group (ignored, with a warning, when no
/// group has that name).
pub fn diagnose(agg: &Aggregates, baseline: Option<&str>, summary: &mut Summary) {
    summary.findings.clear();
    summary.comparisons.clear();
    let has_group_field = agg.schema.group.is_some();
    let group_field = agg.schema.group.clone().unwrap_or_default();
    let all_groups: HashMap<&str, &GroupAgg> = agg.groups.iter().collect();
    let group_fa: Option<&FieldAgg> = agg
        .fields
        .iter()
        .find(|f| has_group_field && *f.name == *group_field && !f.overflowed);
    let group_value = |key: &str| -> Option<&ValueAgg> {
        group_fa.and_then(|f| f.values.iter().find(|(k, _)| &**k == key).map(|(_, v)| v))
    };

    // The groups shown in the table (the capped (other) is not compared).
    let shown: Vec<(&str, &GroupAgg)> = summary
        .groups
        .iter()
        .filter(|g| g.key != OTHER)
        .filter_map(|g| {
            all_groups
                .get_key_value(g.key.as_str())
                .map(|(k, v)| (*k, *v))
        })
        .collect();

    // Hosts, tenants, routes and regions serve side by side: a route slower than another
    // one is not a regression of it. Without a baseline named by the user, their values are
    // ranked as causes like any other field's (against the rest of the field), each over its
    // own timeline.
    let side_by_side = has_group_field && serves_side_by_side(&group_field);

    // Baseline.
    let base_key: Option<&str> = if !has_group_field {
        None
    } else if side_by_side {
        let wanted = baseline.filter(|w| !w.is_empty());
        let found = wanted.and_then(|w| shown.iter().find(|(k, _)| *k == w).map(|x| x.0));
        if let (Some(w), None) = (wanted, found) {
            summary.warnings.push(format!(
                "the baseline \"{w}\" is not one of the groups: each {group_field} value is \
                 compared with the others"
            ));
        }
        found
    } else {
        choose_baseline(&shown, baseline, &mut summary.warnings)
    };
    summary.baseline = base_key.map(str::to_string);

    // Slow threshold: the baseline's p95, else the whole file's.
    let thr = base_key
        .and_then(|k| all_groups.get(k))
        .and_then(|g| g.latency.quantile(0.95))
        .or_else(|| {
            let mut h = crate::histogram::Histogram::default();
            for (_, g) in agg.groups.iter() {
                h.merge(&g.latency);
            }
            if let Some(o) = agg.groups.other() {
                h.merge(&o.latency);
            }
            h.quantile(0.95)
        })
        .filter(|t| t.is_finite());

    let mut file_count = 0u64;
    let mut file_errors = 0u64;
    let mut approx_bad = 0u64;
    for g in agg.groups.iter().map(|x| x.1).chain(agg.groups.other()) {
        file_count = file_count.saturating_add(g.count);
        file_errors = file_errors.saturating_add(g.errors);
        let slow = thr.map_or(0, |t| slower(&g.latency, t));
        approx_bad = approx_bad.saturating_add(g.errors.max(slow).min(g.count));
    }
    let file_bad = file_bad(agg, thr, file_count).unwrap_or(approx_bad);
    let ctx = Ctx {
        agg,
        thr,
        file_count,
        file_bad,
        file_errors,
        baseline_key: base_key.map(str::to_string),
        group_as_cause: side_by_side && base_key.is_none(),
    };

    // Per-group comparisons.
    let groups: Vec<GroupRef> = shown
        .iter()
        .map(|(k, g)| GroupRef {
            key: k,
            agg: g,
            side: group_side(g, thr, group_value(k)),
        })
        .collect();
    let base = base_key.and_then(|k| groups.iter().find(|g| g.key == k));
    let mut group_cands: Vec<Cand> = Vec::new();
    let mut comparisons: Vec<(Comparison, Option<usize>)> = Vec::new();
    if let Some(base) = base {
        for g in groups.iter().filter(|g| g.key != base.key) {
            let j = judge(&g.side, &base.side, thr.is_some());
            let verdict = if j.sparse {
                "too-little-data"
            } else if !j.worse.is_empty() {
                "regression"
            } else if !j.better.is_empty() {
                "improvement"
            } else {
                "no-change"
            };
            let mut kinds: Vec<String> = j.worse.iter().map(|k| k.name().to_string()).collect();
            kinds.extend(j.better.iter().map(|s| s.to_string()));
            if j.sparse {
                kinds.extend(j.indicated.iter().map(|k| k.name().to_string()));
            }
            let c = Comparison {
                group: g.key.to_string(),
                baseline: base.key.to_string(),
                count: g.side.count,
                baseline_count: base.side.count,
                error_rate: g.side.error_rate(),
                baseline_error_rate: base.side.error_rate(),
                error_rate_diff: g.side.error_rate() - base.side.error_rate(),
                slow_rate: g.side.slow_rate(),
                baseline_slow_rate: base.side.slow_rate(),
                ratios: j.ratios,
                tests: j.tests,
                effect_size: j.mw.map(|m| m.delta),
                verdict: verdict.to_string(),
                kinds,
                explained_by: None,
            };
            let kinds = if j.sparse {
                j.indicated.clone()
            } else {
                j.worse.clone()
            };
            let idx = if kinds.is_empty() {
                None
            } else {
                let rest = Side {
                    count: file_count.saturating_sub(g.side.count),
                    bad: file_bad.saturating_sub(g.side.bad),
                    ..Side::default()
                };
                let (share, lift, excess) = ctx.bubble(&g.side, &rest);
                group_cands.push(Cand {
                    field: group_field.clone(),
                    value: g.key.to_string(),
                    group: Some(g.agg),
                    vs_baseline: true,
                    window: None,
                    baseline: Some(base.key.to_string()),
                    compared_with: base.key.to_string(),
                    compared_short: base.key.to_string(),
                    a: g.side.clone(),
                    b: base.side.clone(),
                    sparse: j.sparse,
                    j,
                    kinds,
                    share_of_bad: share,
                    lift,
                    excess,
                    aliases: Vec::new(),
                });
                Some(group_cands.len() - 1)
            };
            comparisons.push((c, idx));
        }
    }

    // Root-cause ranking over the other fields.
    let mut field_cands = root_cause_candidates(&ctx, MIN_LIFT);

    // Aliases: a field value with the same requests as a group finding (or an earlier one).
    let same = |a: &Cand, b: &Cand| {
        let close = |x: u64, y: u64| x.abs_diff(y) as f64 <= 0.005 * x.max(y) as f64;
        close(a.a.count, b.a.count) && close(a.a.bad, b.a.bad) && close(a.a.errors, b.a.errors)
    };
    let mut kept: Vec<Cand> = Vec::new();
    for c in field_cands.drain(..) {
        if let Some(g) = group_cands.iter_mut().find(|g| !g.sparse && same(g, &c)) {
            g.aliases.push(format!("{}={}", c.field, c.value));
        } else if let Some(k) = kept.iter_mut().find(|k| same(k, &c)) {
            k.aliases.push(format!("{}={}", c.field, c.value));
        } else {
            kept.push(c);
        }
    }
    let field_cands = kept;

    // Traffic mix: a worse group whose bad requests another value explains better.
    let mut explained: Vec<bool> = vec![false; group_cands.len()];
    for (c, idx) in comparisons.iter_mut() {
        let Some(i) = *idx else { continue };
        let g = &group_cands[i];
        if g.sparse {
            continue;
        }
        let by = field_cands
            .iter()
            .filter(|x| x.excess > g.excess && g.a.bad_rate() <= x.a.bad_rate())
            .max_by(|x, y| x.excess.total_cmp(&y.excess));
        if let Some(x) = by {
            explained[i] = true;
            c.verdict = "explained".to_string();
            c.explained_by = Some(format!("{}={}", x.field, x.value));
        }
    }
    summary.comparisons = comparisons.into_iter().map(|x| x.0).collect();

    // Rank: significant findings by excess bad requests, then too-little-data ones.
    let mut all: Vec<Cand> = group_cands
        .into_iter()
        .zip(explained)
        .filter(|(_, e)| !e)
        .map(|(c, _)| c)
        .chain(field_cands)
        .collect();
    // Nothing explains it by field, but the whole log changed at one moment (a shared
    // database or upstream degrading hits every route alike): say so, rather than "nothing".
    // Not when a group explains it, though it was not a finding: a baseline the user chose
    // (`--baseline v2`: the errors of v2 are its normal) or a group within its noise.
    if !all.iter().any(|c| !c.sparse) {
        let by_group = Ctx {
            group_as_cause: has_group_field,
            baseline_key: None,
            ..ctx
        };
        // Any group significantly and materially worse than the others (over-represented
        // among the bad requests or not).
        let explained = root_cause_candidates(&by_group, 0.0)
            .iter()
            .any(|c| c.field == group_field);
        if let Some(c) = ctx.file_change().filter(|_| !explained) {
            all.push(c);
        }
    }
    all.sort_by(|x, y| {
        x.sparse
            .cmp(&y.sparse)
            .then(y.excess.total_cmp(&x.excess))
            .then(y.share_of_bad.total_cmp(&x.share_of_bad))
            .then(y.vs_baseline.cmp(&x.vs_baseline))
            .then(x.field.cmp(&y.field))
            .then(x.value.cmp(&y.value))
    });
    summary.findings = all.iter().map(|c| ctx.finding(c)).collect();
}

/// The healthy, earliest, busiest group (see the module docs), or the user's choice.
fn choose_baseline<'a>(
    groups: &[(&'a str, &GroupAgg)],
    wanted: Option<&str>,
    warnings: &mut Vec<String>,
) -> Option<&'a str> {
    if let Some(w) = wanted.filter(|w| !w.is_empty()) {
        if let Some((k, _)) = groups.iter().find(|(k, _)| *k == w) {
            return Some(k);
        }
        warnings.push(format!(
            "the baseline \"{w}\" is not one of the groups: the baseline was chosen automatically"
        ));
    }
    let mut cands: Vec<(&str, &GroupAgg)> = groups
        .iter()
        .filter(|(k, g)| g.count > 0 && *k != NO_GROUP)
        .copied()
        .collect();
    if cands.is_empty() {
        cands = groups
            .iter()
            .filter(|(_, g)| g.count > 0)
            .copied()
            .collect();
    }
    if cands.len() <= 1 {
        return cands.first().map(|x| x.0);
    }
    let enough: Vec<&(&str, &GroupAgg)> = cands
        .iter()
        .filter(|(_, g)| g.count >= MIN_REQUESTS)
        .collect();
    let pool: Vec<&(&str, &GroupAgg)> = if enough.is_empty() {
        cands.iter().collect()
    } else {
        enough
    };
    let rate = |g: &GroupAgg| frac(g.errors, g.count);
    let best_err = pool
        .iter()
        .map(|(_, g)| rate(g))
        .fold(f64::INFINITY, f64::min);
    let best = |q: f64| {
        pool.iter()
            .filter_map(|(_, g)| g.latency.quantile(q))
            .fold(f64::INFINITY, f64::min)
    };
    let (best_p50, best_p95) = (best(0.5), best(0.95));
    let healthy = |g: &GroupAgg| {
        let e = rate(g);
        let bad_err = e - best_err >= ERROR_DIFF && e >= ERROR_RATIO * best_err;
        let worse = |q: f64, b: f64| {
            g.latency
                .quantile(q)
                .is_some_and(|p| b.is_finite() && p >= LATENCY_RATIO * b && p > 0.0)
        };
        !bad_err && !worse(0.5, best_p50) && !worse(0.95, best_p95)
    };
    let mut ok: Vec<(&str, &GroupAgg)> =
        cands.iter().filter(|(_, g)| healthy(g)).copied().collect();
    if ok.is_empty() {
        ok = cands;
    }
    let max_count = ok.iter().map(|(_, g)| g.count).max().unwrap_or(0);
    ok.retain(|(_, g)| g.count.saturating_mul(10) >= max_count);
    ok.sort_by(|a, b| {
        let t = |g: &GroupAgg| g.first_ts.map_or(i64::MAX, |t| t.div_euclid(60_000));
        t(a.1)
            .cmp(&t(b.1))
            .then(b.1.count.cmp(&a.1.count))
            .then((a.0 == OTHER).cmp(&(b.0 == OTHER)))
            .then(a.0.cmp(b.0))
    });
    ok.first().map(|x| x.0)
}

/// Bad requests in the whole file, from the field that covers most records (exact when a
/// field is present in every record, scaled up otherwise). `None` without such a field.
fn file_bad(agg: &Aggregates, thr: Option<f64>, file_count: u64) -> Option<u64> {
    let f = agg
        .fields
        .iter()
        .filter(|f| !f.overflowed && !f.values.is_empty())
        .max_by(|a, b| {
            let c = |f: &FieldAgg| f.values.iter().map(|v| v.1.count).sum::<u64>();
            c(a).cmp(&c(b)).then(b.name.cmp(&a.name))
        })?;
    let covered: u64 = f.values.iter().map(|v| v.1.count).sum();
    let bad: u64 = f.values.iter().map(|v| value_bad(&v.1, thr)).sum();
    if covered == 0 {
        return None;
    }
    if covered >= file_count {
        return Some(bad);
    }
    let extra = (file_count - covered) as f64 * bad as f64 / covered as f64;
    Some(bad + extra.round() as u64)
}

impl<'a> Ctx<'a> {
    /// Every request in the window of the whole log's timeline with the most elevated error
    /// rate or share of slow requests, compared with the others: a finding on
    /// [`ALL_REQUESTS`] when that is a regression by the same tests and thresholds as any
    /// other.
    fn file_change(&self) -> Option<Cand<'a>> {
        let groups = every_group(self.agg);
        // The strongest qualifying window of the error rate or of the share of slow requests:
        // a step up that lasts to the end of the log, or a spike that ended.
        let mut best: Option<(f64, i64, Option<i64>)> = None;
        for (kind, cut) in [(Kind::Errors, None), (Kind::Tail, self.thr)] {
            if kind == Kind::Tail && cut.is_none() {
                continue;
            }
            let s = self.series(groups.iter().copied(), kind, cut);
            let pairs: Vec<(u64, u64)> = s.iter().map(|x| (x.1, x.2)).collect();
            let Some(w) = stats::elevated_window(&pairs) else {
                continue;
            };
            let ok = w.llr2 >= CHANGE_LLR2
                && w.rate_in - w.rate_out >= CHANGE_DIFF
                && w.rate_in >= CHANGE_RATIO * w.rate_out;
            if ok && best.is_none_or(|b| w.llr2 > b.0) {
                if let Some(start) = s.get(w.start) {
                    best = Some((w.llr2, start.0, s.get(w.end).map(|x| x.0)));
                }
            }
        }
        let (_, from, until) = best?;
        let inside = |t: i64| t >= from && until.is_none_or(|u| t < u);
        let (mut hin, mut hout) = (
            crate::histogram::CoarseHistogram::default(),
            crate::histogram::CoarseHistogram::default(),
        );
        let (mut nin, mut ein, mut nout, mut eout) = (0u64, 0u64, 0u64, 0u64);
        for g in &groups {
            for (t, b) in &g.timeline {
                let (h, n, e) = if inside(*t) {
                    (&mut hin, &mut nin, &mut ein)
                } else {
                    (&mut hout, &mut nout, &mut eout)
                };
                h.merge(&b.latency);
                *n = n.saturating_add(b.count);
                *e = e.saturating_add(b.errors.min(b.count));
            }
        }
        let (a, b) = (
            hist_side(&hin, nin, ein, self.thr, None),
            hist_side(&hout, nout, eout, self.thr, None),
        );
        let j = judge(&a, &b, self.thr.is_some());
        if j.sparse || j.worse.is_empty() || a.bad < MIN_BAD {
            return None;
        }
        let (share_of_bad, lift, excess) = self.bubble(&a, &b);
        let (compared_with, compared_short) = match until {
            None => ("the requests before", "before"),
            Some(_) => ("the requests outside that window", "outside"),
        };
        Some(Cand {
            field: ALL_REQUESTS.to_string(),
            value: crate::units::format_rfc3339_ms(from),
            group: None,
            vs_baseline: false,
            window: Some((from, until)),
            baseline: None,
            compared_with: compared_with.to_string(),
            compared_short: compared_short.to_string(),
            kinds: j.worse.clone(),
            a,
            b,
            j,
            sparse: false,
            share_of_bad,
            lift,
            excess,
            aliases: Vec::new(),
        })
    }

    /// `(share_of_bad, lift, excess)` of side `a`, given the rest of its field `rest`.
    fn bubble(&self, a: &Side, rest: &Side) -> (f64, f64, f64) {
        let share = frac(a.bad, self.file_bad);
        let overall = frac(self.file_bad, self.file_count);
        let lift = if overall > 0.0 {
            a.bad_rate() / overall
        } else {
            0.0
        };
        let excess = a.bad as f64 - a.count as f64 * rest.bad_rate();
        (share, lift, excess)
    }
}

/// Every group, the capped `(other)` included: the whole log.
fn every_group(agg: &Aggregates) -> Vec<&GroupAgg> {
    agg.groups
        .iter()
        .map(|x| x.1)
        .chain(agg.groups.other())
        .collect()
}

/// Values of cause-like fields that are worse than the rest of their field. `min_lift`:
/// [`MIN_LIFT`], or 0 to have every value that is worse than the rest.
fn root_cause_candidates<'a>(ctx: &Ctx<'a>, min_lift: f64) -> Vec<Cand<'a>> {
    let agg = ctx.agg;
    let sc = &agg.schema;
    let is_group = |n: &str| sc.group.as_deref() == Some(n);
    let is_role = |n: &str| {
        [&sc.latency, &sc.time, &sc.status]
            .iter()
            .any(|r| r.as_deref() == Some(n))
            || (is_group(n) && !ctx.group_as_cause)
            || sc.candidates.latency.iter().any(|c| c == n)
            || sc.candidates.time.iter().any(|c| c == n)
    };
    let mut out = Vec::new();
    for f in &agg.fields {
        if f.overflowed || f.values.len() < 2 || is_role(&f.name) || is_symptom_field(&f.name) {
            continue;
        }
        if is_measure_like(f.values.iter().map(|(k, _)| &**k))
            || is_output_stream(f.values.iter().map(|(k, _)| &**k))
        {
            continue;
        }
        let sides: Vec<(&str, Side)> = f
            .values
            .iter()
            .map(|(k, v)| (&**k, value_side(v, ctx.thr)))
            .collect();
        let mut total = Side::default();
        for (_, s) in &sides {
            total.count += s.count;
            total.errors += s.errors;
            total.slow += s.slow;
            total.bad += s.bad;
            total.lat = stats::merge(&total.lat, &s.lat);
        }
        total.lat_count = stats::total(&total.lat);
        for (value, mut a) in sides {
            if a.count < MIN_REQUESTS || a.bad < MIN_BAD {
                continue;
            }
            let b = rest_side(&total, &a);
            let group = if is_group(&f.name) {
                agg.groups.iter().find(|(k, _)| *k == value).map(|x| x.1)
            } else {
                None
            };
            if let Some(g) = group {
                // The group's own quantiles (≤ 0.4%, as in the table), not the value's.
                a.q = quantiles_of(&g.latency).or(a.q);
            }
            let (share, lift, excess) = ctx.bubble(&a, &b);
            if lift < min_lift {
                continue;
            }
            let j = judge(&a, &b, ctx.thr.is_some());
            if j.sparse || j.worse.is_empty() {
                continue;
            }
            out.push(Cand {
                field: f.name.to_string(),
                value: value.to_string(),
                group,
                vs_baseline: false,
                window: None,
                baseline: None,
                compared_with: format!("the other {} values", f.name),
                compared_short: "the rest".to_string(),
                kinds: j.worse.clone(),
                a,
                b,
                sparse: false,
                j,
                share_of_bad: share,
                lift,
                excess,
                aliases: Vec::new(),
            });
        }
    }
    out.sort_by(|x, y| {
        y.excess
            .total_cmp(&x.excess)
            .then(x.field.cmp(&y.field))
            .then(x.value.cmp(&y.value))
    });
    out
}

/// When a finding started: `(started_at ms, basis, ended_at ms, lasted ms)`.
type When = (Option<i64>, Option<&'static str>, Option<i64>, Option<i64>);

impl Ctx<'_> {
    /// Per-bucket `(trials, hits)` of one kind, summed over `groups`.
    fn series<'g>(
        &self,
        groups: impl Iterator<Item = &'g GroupAgg>,
        kind: Kind,
        lat_cut: Option<f64>,
    ) -> Vec<(i64, u64, u64)> {
        let mut m: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
        for g in groups {
            for (t, b) in &g.timeline {
                let e = m.entry(*t).or_default();
                match kind {
                    Kind::Errors => {
                        e.0 += b.count;
                        e.1 += b.errors.min(b.count);
                    }
                    Kind::Latency | Kind::Tail => {
                        if let Some(c) = lat_cut {
                            e.0 += b.latency.count();
                            e.1 += slower(&b.latency, c);
                        }
                    }
                }
            }
        }
        m.into_iter().map(|(t, (n, k))| (t, n, k)).collect()
    }

    /// The strongest qualifying change point over the kinds of `c`: in a group's own
    /// timeline a latency shift is the share above the compared p50; in the whole file's
    /// (where the value is diluted) it is the share of slow requests.
    fn change(&self, c: &Cand, groups: &[&GroupAgg]) -> Option<i64> {
        let mut best: Option<(f64, i64)> = None;
        for &k in &c.kinds {
            let cut = match k {
                Kind::Latency if c.group.is_some() => c.b.q.map(|q| q.p50),
                Kind::Latency | Kind::Tail => self.thr,
                Kind::Errors => None,
            };
            let s = self.series(groups.iter().copied(), k, cut);
            let pairs: Vec<(u64, u64)> = s.iter().map(|x| (x.1, x.2)).collect();
            if let Some(cp) = stats::change_point(&pairs) {
                let ok = cp.llr2 >= CHANGE_LLR2
                    && cp.rate_after - cp.rate_before >= CHANGE_DIFF
                    && cp.rate_after >= CHANGE_RATIO * cp.rate_before;
                if ok && best.is_none_or(|b| cp.llr2 > b.0) {
                    best = s.get(cp.at).map(|x| (cp.llr2, x.0));
                }
            }
        }
        best.map(|b| b.1)
    }

    fn when(&self, c: &Cand) -> When {
        let agg = self.agg;
        let (Some(ts_min), Some(ts_max)) = (agg.ts_min, agg.ts_max) else {
            return (None, None, None, None);
        };
        let bucket = agg.bucket_ms.max(1);
        if let Some((from, until)) = c.window {
            let lasted = until.unwrap_or(ts_max).saturating_sub(from).max(0);
            return (Some(from), Some("file-timeline"), until, Some(lasted));
        }
        if let Some(g) = c.group {
            let (Some(first), Some(last)) = (g.first_ts, g.last_ts) else {
                return (None, None, None, None);
            };
            let (start, basis) = match self.change(c, &[g]) {
                Some(t) if t > first => (t.max(first), "change-point"),
                _ => (first, "first-seen"),
            };
            let ended = (last < ts_max.saturating_sub(bucket)).then_some(last);
            let lasted = last.saturating_sub(start).max(0);
            (Some(start), Some(basis), ended, Some(lasted))
        } else {
            match self.change(c, &every_group(agg)) {
                Some(t) => (
                    Some(t.max(ts_min)),
                    Some("file-timeline"),
                    None,
                    Some(ts_max.saturating_sub(t.max(ts_min)).max(0)),
                ),
                None => (None, None, None, None),
            }
        }
    }

    fn symptoms(&self, c: &Cand) -> Vec<Symptom> {
        let agg = self.agg;
        let status = agg.schema.status.as_deref();
        let mut out: Vec<Symptom> = Vec::new();
        if c.a.errors == 0 || !c.kinds.contains(&Kind::Errors) {
            return out;
        }
        let is_error_value = |field: &str, value: &str| {
            agg.fields
                .iter()
                .find(|f| &*f.name == field)
                .and_then(|f| f.values.iter().find(|(k, _)| &**k == value))
                .is_some_and(|(_, v)| v.errors > 0)
        };
        if let (Some(g), Some(st), Some(name)) =
            (c.group, c.group.and_then(|g| g.status.as_ref()), status)
        {
            let mut v: Vec<Symptom> = st
                .iter()
                .filter(|(k, _)| is_error_value(name, k))
                .map(|(k, n)| Symptom {
                    field: name.to_string(),
                    value: k.to_string(),
                    count: *n,
                    share: frac(*n, g.errors),
                    scope: "group".to_string(),
                })
                .collect();
            v.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
            v.truncate(3);
            out.extend(v);
        }
        // File-wide symptom values, when this finding holds most of the file's failures.
        if c.a.errors.saturating_mul(2) < self.file_errors {
            return out;
        }
        let mut fields: Vec<&FieldAgg> = agg
            .fields
            .iter()
            .filter(|f| {
                !f.overflowed
                    && (Some(&*f.name) == status || is_symptom_field(&f.name))
                    && !(c.group.is_some() && Some(&*f.name) == status)
            })
            .collect();
        fields.sort_by(|a, b| {
            (Some(&*b.name) == status)
                .cmp(&(Some(&*a.name) == status))
                .then(a.name.cmp(&b.name))
        });
        for f in fields {
            let mut v: Vec<Symptom> = f
                .values
                .iter()
                // Values seen mostly on failed requests (not `at=info`, not a constant).
                .filter(|(_, v)| v.errors > 0 && v.errors.saturating_mul(2) >= v.count)
                .map(|(k, v)| Symptom {
                    field: f.name.to_string(),
                    value: k.to_string(),
                    count: v.errors,
                    share: frac(v.errors, self.file_errors),
                    scope: "file".to_string(),
                })
                .collect();
            v.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
            v.truncate(3);
            out.extend(v);
        }
        out
    }

    fn finding(&self, c: &Cand) -> Finding {
        let (started, basis, ended, lasted) = self.when(c);
        let fmt_ts = |t: Option<i64>| t.map(crate::units::format_rfc3339_ms);
        let tests = c.j.tests;
        let p_value = c
            .kinds
            .iter()
            .filter_map(|k| match k {
                Kind::Latency => tests.latency,
                Kind::Tail => tests.tail,
                Kind::Errors => tests.errors,
            })
            .reduce(f64::min);
        let mut f = Finding {
            field: c.field.clone(),
            value: c.value.clone(),
            kind: kinds_name(&c.kinds),
            verdict: if c.sparse {
                "too-little-data"
            } else {
                "regression"
            }
            .to_string(),
            baseline: c.baseline.clone(),
            compared_with: c.compared_with.clone(),
            requests: c.a.count,
            compared_requests: c.b.count,
            bad_requests: c.a.bad,
            errors: c.a.errors,
            error_rate: c.a.error_rate(),
            compared_error_rate: c.b.error_rate(),
            error_rate_diff: c.a.error_rate() - c.b.error_rate(),
            slow_threshold_ms: self.thr,
            slow_rate: c.a.slow_rate(),
            compared_slow_rate: c.b.slow_rate(),
            latency_ms: c.a.q,
            compared_latency_ms: c.b.q,
            ratios: c.j.ratios,
            p_value,
            tests,
            effect_size: c.j.mw.map(|m| m.delta),
            share_of_bad: c.share_of_bad,
            lift: c.lift,
            started_at: fmt_ts(started),
            started_basis: basis.map(str::to_string),
            ended_at: fmt_ts(ended),
            lasted_ms: lasted,
            symptoms: self.symptoms(c),
            aliases: c.aliases.clone(),
            summary: String::new(),
        };
        let t = text::Facts {
            kinds: &c.kinds,
            compared_short: &c.compared_short,
            is_group: c.vs_baseline,
            baseline: self.baseline_key.as_deref(),
            file_start: self.agg.ts_min,
            file_end: self.agg.ts_max,
            zone: crate::units::Zone::from_name(self.agg.schema.time_zone.as_deref()),
            bucket_ms: self.agg.bucket_ms,
            started,
            ended,
        };
        f.summary = text::sentence(&f, &t);
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::Limits;
    use crate::schema::Schema;

    #[test]
    fn status_codes_flags_and_reasons_are_symptoms() {
        for name in [
            "status",
            "res.statusCode",
            "elb_status_code",
            "target_status_code",
            "target_status_code_list",
            "upstream_status",
            "response_flags",
            "response_code_details",
            "upstream_transport_failure_reason",
            "error_reason",
        ] {
            assert!(is_symptom_field(name), "{name}");
        }
        for name in [
            "target",
            "upstream_host",
            "version",
            "path",
            "region",
            "stream",
        ] {
            assert!(!is_symptom_field(name), "{name}");
        }
    }

    #[test]
    fn output_streams_are_not_causes() {
        assert!(is_output_stream(["stdout", "stderr"]));
        assert!(!is_output_stream(["stdout", "web"]));
        assert!(!is_output_stream([]));
    }

    #[test]
    fn empty_aggregates_do_not_panic() {
        let agg = Aggregates::new(Schema::default(), Limits::default());
        let mut s = agg.summary();
        diagnose(&agg, None, &mut s);
        assert!(s.findings.is_empty());
        assert!(s.comparisons.is_empty());
        diagnose(&agg, Some("nope"), &mut s);
        assert!(s.findings.is_empty());
    }

    /// Small random inputs of every awkward shape: no panic, no NaN (the JSON reads back),
    /// and the numbers stay in range.
    #[test]
    fn random_inputs_never_panic() {
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n.max(1)
        };
        for _ in 0..300 {
            let lines = next(120);
            let groups = 1 + next(4);
            let mut text = String::new();
            for i in 0..lines {
                let mut m: Vec<String> = Vec::new();
                if next(10) > 0 {
                    m.push(format!("\"version\":\"v{}\"", next(groups)));
                }
                match next(6) {
                    0 => {}
                    1 => m.push("\"latency_ms\":0".into()),
                    2 => m.push(format!("\"latency_ms\":{}", next(5) * 1000)),
                    _ => m.push(format!("\"latency_ms\":{}", 1 + next(300))),
                }
                match next(5) {
                    0 => {}
                    1 => m.push("\"status\":\"Error\"".into()),
                    _ => m.push("\"status\":\"OK\"".into()),
                }
                if next(4) > 0 {
                    m.push(format!(
                        "\"ts\":\"2026-11-27T{:02}:{:02}:00Z\"",
                        17 + next(2),
                        next(60)
                    ));
                }
                m.push(format!("\"endpoint\":\"/e{}\"", next(3)));
                m.push(format!("\"id\":\"{i}\""));
                text.push('{');
                text.push_str(&m.join(","));
                text.push_str("}\n");
            }
            let mut a = crate::Analyzer::new(crate::Options::default());
            a.push(text.as_bytes());
            let s = a.finish();
            let json = serde_json::to_string(&s).unwrap();
            let back: Summary = serde_json::from_str(&json).unwrap();
            // (A NaN would be written as null and fail to read back as a number.)
            assert_eq!(back.findings.len(), s.findings.len(), "{text}");
            assert_eq!(back.comparisons.len(), s.comparisons.len(), "{text}");
            for f in &s.findings {
                assert!((0.0..=1.0).contains(&f.share_of_bad), "{f:?}");
                assert!(f.p_value.is_none_or(|p| (0.0..=1.0).contains(&p)));
                assert!(f.bad_requests <= f.requests);
                assert!(!f.summary.is_empty());
            }
        }
    }

    #[test]
    fn symptom_fields() {
        for n in [
            "status",
            "level",
            "code",
            "desc",
            "error",
            "errorMessage",
            "msg",
            "at",
        ] {
            assert!(is_symptom_field(n), "{n}");
        }
        for n in [
            "endpoint", "path", "tenant", "dyno", "host", "region", "method",
        ] {
            assert!(!is_symptom_field(n), "{n}");
        }
    }

    fn side(count: u64, errors: u64, lat: &[(f64, u64)]) -> Side {
        let lat: Buckets = lat.iter().map(|&(v, c)| (v, v * 1.01, c)).collect();
        let lat_count = stats::total(&lat);
        Side {
            count,
            errors,
            q: bucket_quantiles(&lat),
            lat,
            lat_count,
            slow: 0,
            bad: errors,
        }
    }

    #[test]
    fn practical_effect_is_required() {
        // A 2% shift on a million requests: significant but not an incident.
        let a = side(1_000_000, 10_200, &[(100.0, 1_000_000)]);
        let b = side(1_000_000, 10_000, &[(100.0, 1_000_000)]);
        let j = judge(&a, &b, false);
        assert!(j.worse.is_empty());
        // A large, significant error increase is.
        let a = side(10_000, 600, &[(100.0, 10_000)]);
        let b = side(10_000, 50, &[(100.0, 10_000)]);
        assert_eq!(judge(&a, &b, false).worse, vec![Kind::Errors]);
    }

    #[test]
    fn sparse_is_indicated_not_judged() {
        let a = side(2, 2, &[(750.0, 1), (820.0, 1)]);
        let b = side(2, 0, &[(90.0, 1), (120.0, 1)]);
        let j = judge(&a, &b, false);
        assert!(j.sparse);
        assert!(j.worse.is_empty());
        assert_eq!(j.indicated, vec![Kind::Latency, Kind::Errors]);
    }

    #[test]
    fn measure_like_fields() {
        assert!(is_measure_like(["1ms", "0ms", "12ms"]));
        assert!(is_measure_like(["2026-11-27T17:45:00Z"]));
        assert!(!is_measure_like(["web.1", "web.2"]));
        assert!(!is_measure_like(["1", "2"]));
        assert!(!is_measure_like([]));
    }
}
