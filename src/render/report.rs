//! The incident report (stage 7): a pure function of the [`Summary`].
//!
//! The report is built once as a small document tree ([`Report`]: headings, paragraphs,
//! lists, tables, quoted log lines) and then written out as Markdown or as HTML. Log text
//! only ever enters the tree as *text*, and each writer escapes it for its own target, so a
//! log line cannot inject Markdown links, images or raw HTML into the report.
//!
//! Every figure comes from the summary — the findings' own numbers and the per-group
//! table — and is formatted by the same functions the findings' sentences use, so the
//! report never contradicts itself or the table. A healthy file gets a short "no
//! significant regression found" report, not a made-up incident.

use crate::analysis::text::{fmt_ms, fmt_pct, fmt_ratio, Clock};
use crate::analysis::{serves_side_by_side, subject_of, Subject, ALL_REQUESTS};
use crate::summary::{Finding, GroupSummary, Summary};
use crate::units::{format_rfc3339_ms, Zone};

/// An inline run of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Strong(String),
    /// Shown in a monospace font; log text and field names.
    Code(String),
}

/// A block of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Heading(u8, String),
    Para(Vec<Inline>),
    List(Vec<Vec<Inline>>),
    /// Header cells, then rows; the first column is left-aligned, the others right-aligned.
    Table(Vec<String>, Vec<Vec<String>>),
    /// Verbatim log lines.
    Quote(Vec<String>),
    /// Where a chart goes in the HTML report (`cdf`, `timeline`, `errors`).
    Chart(&'static str),
}

/// The report as a document tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub title: String,
    pub blocks: Vec<Block>,
}

fn t(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}
fn b(s: impl Into<String>) -> Inline {
    Inline::Strong(s.into())
}
fn c(s: impl Into<String>) -> Inline {
    Inline::Code(s.into())
}

/// Whether the groups are versions (releases, builds…): only then do deploys, canaries and
/// rollbacks belong in the report.
fn groups_are_versions(s: &Summary) -> bool {
    s.fields
        .group
        .as_deref()
        .is_some_and(|g| subject_of(g, true) == Subject::Version)
}

/// What one group is, for sentences such as "when any version's p95…".
fn group_noun(s: &Summary) -> String {
    match s.fields.group.as_deref() {
        None => "group".into(),
        Some(g) => match subject_of(g, true) {
            Subject::Version => "version".into(),
            Subject::Host => "host".into(),
            Subject::Tenant => "tenant".into(),
            Subject::Endpoint => "route".into(),
            Subject::Region => "region".into(),
            Subject::Other => format!("{g} value"),
        },
    }
}

/// The first and last request of the file (RFC 3339 text), when it has timestamps.
fn file_bounds(s: &Summary) -> (Option<&str>, Option<&str>) {
    let first = s
        .groups
        .iter()
        .filter_map(|g| g.first_seen.as_deref())
        .min();
    let last = s.groups.iter().filter_map(|g| g.last_seen.as_deref()).max();
    (first, last)
}

/// How the report shows times: in the zone the log's timestamps name, with the date when the
/// file spans more than one date there.
fn clock_of(s: &Summary) -> Clock {
    let (first, last) = file_bounds(s);
    Clock::new(
        Zone::from_name(s.fields.time_zone.as_deref()),
        first.and_then(parse_rfc),
        last.and_then(parse_rfc),
    )
}

/// `17:45:03 UTC` (in the log's zone, with the date when the file spans days) from the RFC 3339
/// text of the summary.
fn when(rfc: &str, clock: Clock) -> String {
    match parse_rfc(rfc) {
        Some(ms) => when_ms(ms, clock),
        None => rfc.to_string(),
    }
}

fn when_ms(ms: i64, clock: Clock) -> String {
    let rfc = format_rfc3339_ms(clock.zone.local_ms(ms));
    let date = rfc.get(0..10).unwrap_or("");
    let time = rfc.get(11..19).unwrap_or(&rfc);
    let zone = clock.zone.suffix();
    if clock.days {
        format!("{date} {time}{zone}")
    } else {
        format!("{time}{zone}")
    }
}

fn parse_rfc(s: &str) -> Option<i64> {
    crate::units::parse_timestamp(s.as_bytes())
}

fn duration(ms: i64) -> String {
    let m = ms / 60_000;
    if ms < 60_000 {
        format!("{} s", ms / 1000)
    } else if m < 120 {
        format!("{m} min")
    } else {
        format!("{} h {} min", m / 60, m % 60)
    }
}

fn group<'a>(s: &'a Summary, key: &str) -> Option<&'a GroupSummary> {
    s.groups.iter().find(|g| g.key == key)
}

fn p(g: &GroupSummary, q: fn(&crate::summary::LatencyStats) -> f64) -> String {
    g.latency_ms
        .as_ref()
        .map(|l| fmt_ms(q(l)))
        .unwrap_or_else(|| "—".into())
}

/// `1652 requests, 0.54% failed, p50 100 ms, p95 146 ms` — a group's line in the evidence.
fn group_line(g: &GroupSummary) -> String {
    format!(
        "{} requests, {} failed, p50 {}, p95 {}",
        g.count,
        fmt_pct(g.error_rate),
        p(g, |l| l.p50),
        p(g, |l| l.p95)
    )
}

/// Canary gates from the baseline: (p95 limit ms, error-rate limit, requests to judge).
fn canary_gates(base: &GroupSummary, f: Option<&Finding>) -> (Option<f64>, f64, u64) {
    let p95 = base.latency_ms.map(|l| (l.p95 * 1.5).max(l.p95 + 1.0));
    let e0 = base.error_rate;
    let err = (e0 * 2.0).max(e0 + 0.02).min(1.0);
    // Requests needed to tell `err` from `e0` (two-proportion z, α = 0.001 two-sided,
    // power 0.8): n = (zα·√(2·p̄(1−p̄)) + zβ·√(p0(1−p0) + p1(1−p1)))² / (p1 − p0)².
    let p1 = f.map(|f| f.error_rate.max(err)).unwrap_or(err).min(0.999);
    let (za, zb) = (3.2905_f64, 0.8416_f64);
    let pbar = (e0 + p1) / 2.0;
    let num =
        za * (2.0 * pbar * (1.0 - pbar)).sqrt() + zb * (e0 * (1.0 - e0) + p1 * (1.0 - p1)).sqrt();
    let n = (num / (p1 - e0).max(1e-3)).powi(2);
    let n = ((n / 50.0).ceil() * 50.0).clamp(100.0, 20_000.0) as u64;
    (p95, err, n)
}

/// The usual p95 of `group` for an alert on its own normal: the median of its one-minute
/// p95s (buckets with ≥ 10 requests) before `before`, or over the whole log without it.
fn usual_p95(s: &Summary, group: &str, before: Option<i64>) -> Option<f64> {
    let series = s.timeline.series.iter().find(|x| x.group == group)?;
    let mut v: Vec<f64> = series
        .points
        .iter()
        .filter(|p| p.count >= 10 && before.is_none_or(|b| p.t < b))
        .filter_map(|p| p.p95)
        .collect();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// An alert limit 1.5× above a usual p95 (and at least 1 ms above it).
fn above_usual(u: f64) -> f64 {
    (u * 1.5).max(u + 1.0)
}

/// Whether `f` is about every request from a moment on (no field value explains it).
fn is_all(f: &Finding) -> bool {
    f.field == ALL_REQUESTS
}

/// `f`'s subject in words: `path=/api/x`, or `requests since 17:15 UTC`.
fn subject_words(f: &Finding, clock: Clock) -> String {
    if is_all(f) {
        format!("requests {}", window_words(f, clock).0)
    } else {
        format!("{}={}", f.field, f.value)
    }
}

/// For a finding on every request in a window: the window and the rest, in words
/// (`since 17:15 UTC` and `before 17:15 UTC`, or `from 17:20 to 17:26 UTC` and `outside
/// that window` for a window that ended).
fn window_words(f: &Finding, clock: Clock) -> (String, String) {
    let from = when(&f.value, clock);
    match f.ended_at.as_deref() {
        Some(end) => (
            format!("from {}", clock.span(&from, &when(end, clock))),
            "outside that window".to_string(),
        ),
        None => (format!("since {from}"), format!("before {from}")),
    }
}

/// Whether `f` is on a group that serves side by side with no baseline (routes, hosts…):
/// held to its own normal, as one route's usual p95 is another's incident.
fn own_normal(s: &Summary, f: &Finding) -> bool {
    s.baseline.is_none()
        && s.fields.group.as_deref() == Some(f.field.as_str())
        && serves_side_by_side(&f.field)
}

/// The group whose thresholds the alert starts from: the baseline, else the largest group
/// other than `f`'s.
fn alert_base<'a>(s: &'a Summary, f: &Finding) -> Option<&'a GroupSummary> {
    s.baseline
        .as_deref()
        .and_then(|k| group(s, k))
        .or_else(|| s.groups.iter().find(|g| g.key != f.value))
}

/// The alert the report proposes for finding `f`: a p95 limit and an error-rate limit.
struct Alert {
    /// The p95 limit of every group (from the baseline's gates).
    p95: Option<f64>,
    err: f64,
    /// Each group held to its own usual p95 instead ([`usual_p95`] before `onset`): groups
    /// that serve side by side (routes, hosts…) with no baseline, where one route's usual p95
    /// is another's incident.
    own: bool,
    onset: Option<i64>,
}

impl Alert {
    /// For `f`, with the thresholds of `base` (the baseline, else the largest other group).
    fn new(s: &Summary, f: &Finding, base: &GroupSummary) -> Alert {
        let (mut p95, mut err, _) = canary_gates(base, Some(f));
        if is_all(f) {
            // From the log before the change: the requests then were all healthy.
            p95 = f.compared_latency_ms.map(|q| above_usual(q.p95));
            let e0 = f.compared_error_rate;
            err = (e0 * 2.0).max(e0 + 0.02).min(1.0);
        }
        Alert {
            p95,
            err,
            own: own_normal(s, f),
            onset: f.started_at.as_deref().and_then(parse_rfc),
        }
    }

    fn limit(&self, s: &Summary, group: &str) -> Option<f64> {
        if self.own {
            usual_p95(s, group, self.onset).map(above_usual)
        } else {
            self.p95
        }
    }

    /// When it would first have fired, and why.
    fn fires_at(&self, s: &Summary) -> Option<(i64, String)> {
        alert_fires_at(s, &|g| self.limit(s, g), self.err)
    }
}

/// Failed requests a bucket needs before the error-rate alert fires: one failure among a
/// dozen requests is noise, not an incident (it made the example "fire" on v1.2's noise).
const MIN_ALERT_ERRORS: u64 = 5;

/// When an alert on `p95 > limit` (any shown group with ≥ 10 requests in a bucket) or
/// `error rate > err` (all groups together, at least [`MIN_ALERT_ERRORS`] failures) would
/// first have fired, from the timeline.
fn alert_fires_at(
    s: &Summary,
    p95_limit: &dyn Fn(&str) -> Option<f64>,
    err: f64,
) -> Option<(i64, String)> {
    let mut times: Vec<i64> = s
        .timeline
        .series
        .iter()
        .flat_map(|x| x.points.iter().map(|p| p.t))
        .collect();
    times.sort_unstable();
    times.dedup();
    for t in times {
        let (mut n, mut e) = (0u64, 0u64);
        let mut slow = None;
        for series in &s.timeline.series {
            if let Some(pt) = series.points.iter().find(|p| p.t == t) {
                n += pt.count;
                e += pt.errors;
                if let (Some(limit), Some(v)) = (p95_limit(&series.group), pt.p95) {
                    if pt.count >= 10 && v > limit && slow.is_none() {
                        let why = format!("p95 of {} reached {}", series.group, fmt_ms(v));
                        slow = Some((series.group.as_str(), why));
                    }
                }
            }
        }
        if let Some((group, why)) = slow {
            // Not before the group's first request: a wide bucket (a share link's timeline)
            // starts earlier than the traffic in it.
            let first = s
                .groups
                .iter()
                .find(|g| g.key == group)
                .and_then(|g| g.first_seen.as_deref())
                .and_then(parse_rfc)
                .filter(|&f| f > t && f - t < s.timeline.bucket_ms.max(1));
            return Some((first.unwrap_or(t), why));
        }
        if n >= 10 && e >= MIN_ALERT_ERRORS && e as f64 / n as f64 > err {
            return Some((
                t,
                format!("error rate reached {}", fmt_pct(e as f64 / n as f64)),
            ));
        }
    }
    None
}

/// Quoted evidence: up to `n` lines of a group, errors first for a culprit, successes
/// first for a baseline, and a repaired line when there is one.
fn evidence(g: &GroupSummary, culprit: bool, n: usize) -> Vec<String> {
    let mut lines: Vec<&crate::summary::Evidence> = g.evidence.iter().collect();
    lines.sort_by_key(|e| (e.is_error != culprit, !e.repairs.is_empty(), e.line_no));
    let mut out: Vec<String> = lines.iter().take(n).map(|e| e.text.clone()).collect();
    // The culprit's quotes include a repaired line when there is one, as the seed's did.
    if culprit {
        if let Some(r) = g
            .evidence
            .iter()
            .find(|e| !e.repairs.is_empty() && e.is_error)
        {
            if !out.contains(&r.text) {
                out.pop();
                out.push(r.text.clone());
            }
        }
    }
    out
}

/// Build the report for `s`.
pub fn build(s: &Summary) -> Report {
    let clock = clock_of(s);
    let top = s.findings.iter().find(|f| f.verdict == "regression");
    let top = top.or_else(|| s.findings.first());
    let total: u64 = s.groups.iter().map(|g| g.count).sum();
    let errors: u64 = s.groups.iter().map(|g| g.errors).sum();
    let mut blocks = Vec::new();

    let title = match top {
        Some(f) if is_all(f) => format!(
            "Incident analysis: {} {}",
            kind_words(&f.kind),
            window_words(f, clock).0
        ),
        Some(f) => format!(
            "Incident analysis: {} on {}={}",
            kind_words(&f.kind),
            f.field,
            f.value
        ),
        None => "Log analysis: no significant regression found".to_string(),
    };

    // 1. Summary.
    blocks.push(Block::Heading(2, "Summary".into()));
    let span = file_span(s, clock);
    match top {
        Some(f) => {
            blocks.push(Block::Para(vec![t(f.summary.clone())]));
            let mut impact = vec![
                b("Impact: "),
                t(if is_all(f) {
                    format!(
                        "{} of the {} {} were slow or failed",
                        f.bad_requests,
                        f.requests,
                        subject_words(f, clock)
                    )
                } else {
                    format!(
                        "{} of {} requests with {}={} were slow or failed",
                        f.bad_requests, f.requests, f.field, f.value
                    )
                }),
            ];
            impact.push(t(format!(
                "; {} of all {} requests in the log{} failed ({}).",
                errors,
                total,
                span,
                fmt_pct(if total > 0 {
                    errors as f64 / total as f64
                } else {
                    0.0
                })
            )));
            blocks.push(Block::Para(impact));
            if f.verdict != "regression" {
                blocks.push(Block::Para(vec![
                    b("Confidence: "),
                    t(
                        "low — there are too few requests to be sure; the direction is clear, \
                       the size is not. Collect more of the log before acting on it alone.",
                    ),
                ]));
            }
        }
        None => {
            blocks.push(Block::Para(vec![t(format!(
                "No significant regression found in {} requests across {} group{}{}: no group \
                 is slower or failing more than {} by a margin that matters.",
                total,
                s.groups.len(),
                if s.groups.len() == 1 { "" } else { "s" },
                span,
                s.baseline.as_deref().unwrap_or("the others")
            ))]));
        }
    }

    // 2. Root cause analysis.
    blocks.push(Block::Heading(2, "Root cause analysis".into()));
    if let Some(f) = top {
        root_cause(s, f, clock, &mut blocks);
    } else {
        blocks.push(Block::Para(vec![t(
            "Nothing stands out: the per-group comparison below shows no regression.",
        )]));
        blocks.push(comparison_table(s));
        blocks.push(Block::Chart("cdf"));
    }

    // 3. Immediate action.
    blocks.push(Block::Heading(2, "Immediate action".into()));
    blocks.push(Block::Para(immediate_action(s, top)));

    if let Some(f) = top {
        // 4. Prevention.
        blocks.push(Block::Heading(2, "Prevention".into()));
        prevention(s, f, clock, &mut blocks);
        // 5. Timeline.
        blocks.push(Block::Heading(2, "Timeline".into()));
        blocks.push(timeline(s, f, clock));
        blocks.push(Block::Chart("timeline"));
        blocks.push(Block::Chart("errors"));
        // 6. Retrospective notes.
        blocks.push(Block::Heading(2, "Retrospective notes".into()));
        blocks.push(Block::List(retrospective(s, f)));
    }

    // 7. Appendix.
    blocks.push(Block::Heading(2, "Appendix: how the log was read".into()));
    appendix(s, &mut blocks);
    Report { title, blocks }
}

fn kind_words(kind: &str) -> String {
    let words: Vec<&str> = kind
        .split('+')
        .map(|k| match k {
            "latency" => "latency",
            "tail-latency" => "tail latency",
            "errors" => "errors",
            other => other,
        })
        .collect();
    match words.as_slice() {
        [] => "a regression".into(),
        [a] => a.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// ` (from 17:00:00 to 17:59:59 UTC)`: the log's first and last request, the zone said once.
fn file_span(s: &Summary, clock: Clock) -> String {
    match file_bounds(s) {
        (Some(a), Some(b)) => format!(" (from {})", clock.span(&when(a, clock), &when(b, clock))),
        _ => String::new(),
    }
}

fn comparison_table(s: &Summary) -> Block {
    let mut head = [
        "group", "requests", "errors", "p50", "p95", "p99", "verdict",
    ]
    .map(String::from)
    .to_vec();
    let mut rows: Vec<Vec<String>> = s
        .groups
        .iter()
        .take(8)
        .map(|g| {
            let verdict = if s.baseline.as_deref() == Some(g.key.as_str()) {
                "baseline".to_string()
            } else {
                s.comparisons
                    .iter()
                    .find(|c| c.group == g.key)
                    .map(|c| c.verdict.replace('-', " "))
                    .unwrap_or_default()
            };
            vec![
                g.key.clone(),
                g.count.to_string(),
                fmt_pct(g.error_rate),
                p(g, |l| l.p50),
                p(g, |l| l.p95),
                p(g, |l| l.p99),
                verdict,
            ]
        })
        .collect();
    // Groups that serve side by side have no baseline and no verdicts: no empty column.
    if rows.iter().all(|r| r.last().is_none_or(|v| v.is_empty())) {
        head.pop();
        for r in &mut rows {
            r.pop();
        }
    }
    Block::Table(head, rows)
}

fn root_cause(s: &Summary, f: &Finding, clock: Clock, blocks: &mut Vec<Block>) {
    if is_all(f) {
        return root_cause_all(s, f, clock, blocks);
    }
    let is_group = s.fields.group.as_deref() == Some(f.field.as_str());
    let mut what = vec![
        b("What is causing it? "),
        t("The slow and failed requests are explained by "),
        c(format!("{}={}", f.field, f.value)),
    ];
    if let (true, Some(base)) = (is_group, &f.baseline) {
        what.push(t(if groups_are_versions(s) {
            ", compared with the last healthy "
        } else {
            ", compared with the healthy "
        }));
        what.push(c(f.field.clone()));
        what.push(t(", "));
        what.push(c(base.clone()));
    } else {
        what.push(t(format!(
            ": it carries {} of the slow or failed requests, {} its share of all requests",
            fmt_pct(f.share_of_bad),
            fmt_ratio(f.lift)
        )));
    }
    what.push(t("."));
    blocks.push(Block::Para(what));
    symptoms(f, blocks);
    blocks.push(Block::Para(vec![b("Supporting evidence from the logs:")]));
    blocks.push(comparison_table(s));
    blocks.push(Block::Chart("cdf"));

    // Quoted lines: the baseline's (healthy) and the culprit's, as the seed report does.
    if is_group {
        if let Some(base) = f.baseline.as_deref().and_then(|k| group(s, k)) {
            let lines = evidence(base, false, 2);
            if !lines.is_empty() {
                blocks.push(Block::Para(vec![
                    b(format!("Stable ({}): ", base.key)),
                    t(format!("{}.", group_line(base))),
                ]));
                blocks.push(Block::Quote(lines));
            }
        }
        if let Some(g) = group(s, &f.value) {
            let lines = evidence(g, true, 3);
            if !lines.is_empty() {
                let mut para = vec![b(format!("Degraded ({}): ", g.key)), t(group_line(g))];
                if let Some(r) = f.ratios.p50 {
                    para.push(t(match f.baseline {
                        Some(_) => format!(" — {} the baseline's p50", fmt_ratio(r)),
                        None => format!(" — {} the p50 of {}", fmt_ratio(r), f.compared_with),
                    }));
                }
                para.push(t("."));
                blocks.push(Block::Para(para));
                blocks.push(Block::Quote(lines));
                if g.evidence.iter().any(|e| !e.repairs.is_empty()) {
                    blocks.push(Block::Para(vec![t(
                        "A quoted line was malformed in the log and repaired to be read; it is \
                         shown as written.",
                    )]));
                }
            }
        }
    }
    let others: Vec<&Finding> = s
        .findings
        .iter()
        .filter(|o| !std::ptr::eq(*o, f))
        .take(4)
        .collect();
    if !others.is_empty() {
        blocks.push(Block::Para(vec![b("Other findings:")]));
        blocks.push(Block::List(
            others.iter().map(|o| vec![t(o.summary.clone())]).collect(),
        ));
    }
    let explained: Vec<Vec<Inline>> = s
        .comparisons
        .iter()
        .filter_map(|cmp| {
            cmp.explained_by.as_ref().map(|by| {
                vec![
                    c(cmp.group.clone()),
                    t(" looks worse than the baseline, but "),
                    c(by.clone()),
                    t(" explains its slow or failed requests better (its traffic mix differs)."),
                ]
            })
        })
        .collect();
    if !explained.is_empty() {
        blocks.push(Block::List(explained));
    }
}

/// "What the failure looked like": the finding's symptoms, when it has any.
fn symptoms(f: &Finding, blocks: &mut Vec<Block>) {
    if f.symptoms.is_empty() {
        return;
    }
    let mut looks = vec![b("What the failure looked like: ")];
    for (i, sy) in f.symptoms.iter().take(4).enumerate() {
        if i > 0 {
            looks.push(t(", "));
        }
        looks.push(c(format!("{}={}", sy.field, sy.value)));
        looks.push(t(format!(" ({})", fmt_pct(sy.share))));
    }
    looks.push(t("."));
    blocks.push(Block::Para(looks));
}

/// [`root_cause`] of a finding on every request from a moment on.
fn root_cause_all(s: &Summary, f: &Finding, clock: Clock, blocks: &mut Vec<Block>) {
    let at = when(&f.value, clock);
    let (inside, outside) = window_words(f, clock);
    let noun = group_noun(s);
    blocks.push(Block::Para(vec![
        b("What is causing it? "),
        t(format!(
            "No field of the log explains it: the requests of every {noun} got worse together \
             at {at}. That points to something they all share — a database, a cache, an \
             upstream service, the network or the hosts — or to a change made at that time."
        )),
    ]));
    symptoms(f, blocks);
    blocks.push(Block::Para(vec![b("Supporting evidence from the logs:")]));
    let row = |name: String, n: u64, e: f64, q: Option<crate::summary::Quantiles>| {
        let ms = |x: Option<f64>| x.map(fmt_ms).unwrap_or_else(|| "—".into());
        vec![
            name,
            n.to_string(),
            fmt_pct(e),
            ms(q.map(|q| q.p50)),
            ms(q.map(|q| q.p95)),
            ms(q.map(|q| q.p99)),
        ]
    };
    blocks.push(Block::Table(
        ["period", "requests", "errors", "p50", "p95", "p99"]
            .map(String::from)
            .to_vec(),
        vec![
            row(
                outside,
                f.compared_requests,
                f.compared_error_rate,
                f.compared_latency_ms,
            ),
            row(inside.clone(), f.requests, f.error_rate, f.latency_ms),
        ],
    ));
    blocks.push(Block::Para(vec![t(format!(
        "Every {noun}, over the whole log:"
    ))]));
    blocks.push(comparison_table(s));
    // One slow or failed line from each of the largest groups (the timeline chart, which
    // shows the window, comes with the Timeline below).
    let lines: Vec<String> = s
        .groups
        .iter()
        .filter_map(|g| evidence(g, true, 1).into_iter().next())
        .take(3)
        .collect();
    if !lines.is_empty() {
        blocks.push(Block::Para(vec![
            b(format!("Degraded (requests {inside}): ")),
            t(format!("a slow or failed line of the busiest {noun}s.")),
        ]));
        blocks.push(Block::Quote(lines));
    }
}

fn immediate_action(s: &Summary, top: Option<&Finding>) -> Vec<Inline> {
    let Some(f) = top else {
        return if groups_are_versions(s) {
            vec![b("No action needed. "), t("Keep the current versions.")]
        } else {
            vec![b("No action needed.")]
        };
    };
    let is_group = s.fields.group.as_deref() == Some(f.field.as_str());
    let base = s.baseline.as_deref().and_then(|k| group(s, k));
    let mut out = Vec::new();
    if is_all(f) {
        out.push(b(format!(
            "Find what changed at {} ",
            when(&f.value, clock_of(s))
        )));
        out.push(t(format!(
            "that every {} depends on: deploys and configuration changes, the database, \
             caches and upstream services, the network. Roll back or fail over that change; \
             the log does not name it.",
            group_noun(s)
        )));
        return out;
    }
    match subject_of(&f.field, is_group) {
        Subject::Version => {
            out.push(b("Roll back "));
            out.push(c(format!("{}={}", f.field, f.value)));
            match base {
                Some(bg) if is_group => {
                    out.push(b(" to "));
                    out.push(c(bg.key.clone()));
                    out.push(t(format!(
                        ", the last version that is healthy in this log ({} requests, {} failed, \
                         p95 {}). Then confirm that p95 returns under {} and errors under {}.",
                        bg.count,
                        fmt_pct(bg.error_rate),
                        p(bg, |l| l.p95),
                        p(bg, |l| l.p95),
                        fmt_pct((bg.error_rate * 2.0).max(bg.error_rate + 0.01))
                    )));
                }
                _ => out.push(t(" to the last version known to be healthy.")),
            }
        }
        Subject::Host => {
            out.push(b("Take "));
            out.push(c(format!("{}={}", f.field, f.value)));
            out.push(b(" out of rotation"));
            out.push(t(
                " (drain it from the load balancer) and restart or replace it; the other values \
                 of the field are healthy.",
            ));
        }
        Subject::Tenant => {
            out.push(b("Throttle or isolate "));
            out.push(c(format!("{}={}", f.field, f.value)));
            out.push(t(
                " (rate-limit it or move it to its own capacity) so that the other tenants \
                 recover, then find out what changed in its traffic.",
            ));
        }
        Subject::Endpoint => {
            out.push(b("Investigate "));
            out.push(c(format!("{}={}", f.field, f.value)));
            if groups_are_versions(s) && !is_group {
                out.push(t(
                    ": it is slow or failing on every version, so a rollback will not help.",
                ));
            } else {
                out.push(t(
                    ": what it depends on (its queries, downstream calls, the data it reads) \
                     changed or is overloaded.",
                ));
            }
            out.push(t(
                " Protect the rest of the service (a tighter timeout, a feature flag, or \
                 shedding that route) while it is fixed.",
            ));
        }
        Subject::Region => {
            out.push(b("Shift traffic away from "));
            out.push(c(format!("{}={}", f.field, f.value)));
            out.push(t(" and check that region's dependencies."));
        }
        Subject::Other => {
            out.push(b("Isolate the requests with "));
            out.push(c(format!("{}={}", f.field, f.value)));
            out.push(t(" and find out what they have in common."));
        }
    }
    if f.verdict != "regression" {
        out.push(t(
            " The evidence is thin (too few requests): confirm on more of the log first if the \
             action is risky.",
        ));
    }
    out
}

fn prevention(s: &Summary, f: &Finding, clock: Clock, blocks: &mut Vec<Block>) {
    let Some(base) = alert_base(s, f) else {
        blocks.push(Block::Para(vec![t(
            "Alert on deviations from a baseline: with a single group there is none to compute \
             thresholds from.",
        )]));
        return;
    };
    let (p95, err, n) = canary_gates(base, Some(f));
    let is_group = s.fields.group.as_deref() == Some(f.field.as_str());
    let subject = subject_of(&f.field, is_group);
    if subject != Subject::Version {
        let what = c(format!("{}={}", f.field, f.value));
        let para =
            match subject {
                Subject::Endpoint => Some(vec![
                b("A budget per route: "),
                t("give "),
                what,
                t(" its own timeout and latency objective, and load-test it with production-like \
                   data before releases, so that one slow route is caught before it holds \
                   connections the others need."),
            ]),
                Subject::Host => Some(vec![
                b("Automatic health checks: "),
                t("take a host out of rotation by itself when its p95 or error rate leaves its \
                   usual range (the thresholds below), as "),
                what,
                t(" should have been."),
            ]),
                Subject::Tenant => Some(vec![
                    b("Per-tenant limits: "),
                    t("quotas and rate limits, so that the traffic of one tenant such as "),
                    what,
                    t(" cannot slow the others down."),
                ]),
                Subject::Region => Some(vec![
                    b("Regional failover: "),
                    t("health-check each region and shift traffic away automatically, as from "),
                    what,
                    t(" here."),
                ]),
                Subject::Other if is_all(f) => Some(vec![
                    b("Contain a shared dependency: "),
                    t(format!(
                        "timeouts, circuit breakers and bulkheads around what every {} \
                         calls (database, caches, upstream services), so that one of them \
                         degrading fails fast instead of slowing all requests.",
                        group_noun(s)
                    )),
                ]),
                Subject::Version | Subject::Other => None,
            };
        if let Some(para) = para {
            blocks.push(Block::Para(para));
        }
    }
    let mut gate = vec![
        b("Canary release with automatic gates: "),
        t("send 1–5% of traffic to a new version first and fail it automatically if, over its first "),
        b(format!("{n} requests")),
        t(", "),
    ];
    if let Some(p95) = p95 {
        gate.push(b(format!("p95 > {}", fmt_ms(p95))));
        gate.push(t(" or "));
    }
    gate.push(b(format!("the error rate > {}", fmt_pct(err))));
    gate.push(t(format!(
        " (the baseline {} has p95 {} and {} errors). ",
        base.key,
        p(base, |l| l.p95),
        fmt_pct(base.error_rate)
    )));
    if let Some(g) = group(s, &f.value) {
        gate.push(t(format!(
            "{} would have failed this gate: p95 {}, {} errors.",
            g.key,
            p(g, |l| l.p95),
            fmt_pct(g.error_rate)
        )));
    }
    if subject == Subject::Version {
        blocks.push(Block::Para(gate));
    }
    // Groups side by side (routes, hosts…) without a baseline: each against its own normal,
    // as one route's usual p95 is another's incident.
    let rule = Alert::new(s, f, base);
    let noun = group_noun(s);
    let mut alert = if rule.own {
        let mut a = vec![
            b(format!(
                "Alert on each {noun}'s deviation from its own normal: "
            )),
            t(format!(
                "page when a {noun}'s p95 over one minute exceeds 1.5× its usual p95"
            )),
        ];
        if let Some(u) = usual_p95(s, &f.value, rule.onset) {
            let since = match rule.onset {
                Some(at) => format!(" before {}", when_ms(at, clock)),
                None => String::new(),
            };
            a.push(t(format!(" ({} was {}{since}: ", f.value, fmt_ms(u))));
            a.push(b(fmt_ms(above_usual(u))));
            a.push(t(")"));
        }
        a
    } else {
        let (heading, fallback) = if is_all(f) {
            (
                "Alert on deviation from the log's normal: ",
                "1.5× its usual p95",
            )
        } else {
            (
                "Alert on deviation from the baseline: ",
                "1.5× the baseline",
            )
        };
        let mut a = vec![
            b(heading),
            t(format!(
                "page when any {noun}'s p95 over one minute exceeds "
            )),
            b(rule.p95.map(fmt_ms).unwrap_or_else(|| fallback.into())),
        ];
        if is_all(f) {
            a.push(t(format!(" (1.5× the p95 {})", window_words(f, clock).1)));
        }
        a
    };
    alert.push(t(" or the error rate exceeds "));
    alert.push(b(fmt_pct(rule.err)));
    alert.push(t(format!(
        " (with at least {MIN_ALERT_ERRORS} failed requests)"
    )));
    match rule.fires_at(s) {
        Some((at, why)) => {
            let mut tail = format!(
                ". Here it would have fired at {} ({why})",
                when_ms(at, clock)
            );
            // How long after the deploy: only versions are deployed.
            if let Some(first) = group(s, &f.value)
                .filter(|_| subject == Subject::Version)
                .and_then(|g| g.first_seen.as_deref())
                .and_then(parse_rfc)
            {
                if at - first >= 60_000 {
                    tail.push_str(&format!(
                        ", {} after the first {}={} request",
                        duration(at - first),
                        f.field,
                        f.value
                    ));
                } else if at + 60_000 > first {
                    tail.push_str(&format!(
                        ", within a minute of the first {}={} request",
                        f.field, f.value
                    ));
                }
            }
            tail.push('.');
            alert.push(t(tail));
        }
        None => alert.push(t(".")),
    }
    blocks.push(Block::Para(alert));
}

fn timeline(s: &Summary, f: &Finding, clock: Clock) -> Block {
    let mut events: Vec<(String, Vec<Inline>)> = Vec::new();
    let first = s.groups.iter().filter_map(|g| g.first_seen.clone()).min();
    let last = s.groups.iter().filter_map(|g| g.last_seen.clone()).max();
    if let Some(a) = &first {
        events.push((a.clone(), vec![t("First request in the log.")]));
    }
    // A group's first request is an event when it came later than the log's: a version's
    // (deploy or first appearance), or a host that joined — not a host, route or tenant that
    // served from the log's first bucket on.
    let from_start = |at: &str| {
        let (a, b) = (first.as_deref().and_then(parse_rfc), parse_rfc(at));
        !groups_are_versions(s)
            && a.zip(b)
                .is_some_and(|(a, b)| b - a < s.timeline.bucket_ms.max(1))
    };
    if let Some(g) = group(s, &f.value) {
        if let Some(at) = &g.first_seen {
            if first.as_ref() != Some(at) && !from_start(at) {
                events.push((
                    at.clone(),
                    vec![
                        t("First request with "),
                        c(format!("{}={}", f.field, f.value)),
                        t(if groups_are_versions(s) {
                            " (deploy or first appearance)."
                        } else {
                            " (first appearance)."
                        }),
                    ],
                ));
            }
        }
    }
    if let Some(at) = &f.started_at {
        let basis = match f.started_basis.as_deref() {
            Some("change-point") => "latency or errors shifted",
            Some("file-timeline") => "the whole log's latency or errors shifted",
            _ => "degradation starts",
        };
        events.push((
            at.clone(),
            vec![t(format!("Onset: {basis} ({}).", kind_words(&f.kind)))],
        ));
    }
    // Without a baseline, only groups side by side (each on its own normal) and the whole
    // log (on its normal outside the window) have an alert.
    let rule = alert_base(s, f)
        .map(|bg| Alert::new(s, f, bg))
        .filter(|a| s.baseline.is_some() || a.own || is_all(f));
    if let Some(rule) = rule {
        if let Some((at, why)) = rule.fires_at(s) {
            events.push((
                format_rfc3339_ms(at),
                vec![t(format!(
                    "An alert on the thresholds above would have fired ({why})."
                ))],
            ));
        }
    }
    if let Some(end) = &f.ended_at {
        events.push((
            end.clone(),
            if is_all(f) {
                vec![t(format!(
                    "Recovery: {} {} back to the level of the rest of the log.",
                    kind_words(&f.kind),
                    if f.kind.contains('+') || f.kind == "errors" {
                        "are"
                    } else {
                        "is"
                    }
                ))]
            } else {
                vec![
                    c(format!("{}={}", f.field, f.value)),
                    t(" stops appearing."),
                ]
            },
        ));
    }
    if let Some(b) = &last {
        events.push((b.clone(), vec![t("Last request in the log.")]));
    }
    events.sort_by(|a, b| a.0.cmp(&b.0));
    if events.is_empty() {
        return Block::Para(vec![t(
            "The log has no timestamps, so there is no timeline.",
        )]);
    }
    Block::List(
        events
            .into_iter()
            .map(|(at, mut what)| {
                let mut item = vec![b(format!("{} — ", when(&at, clock)))];
                item.append(&mut what);
                item
            })
            .collect(),
    )
}

fn retrospective(s: &Summary, f: &Finding) -> Vec<Vec<Inline>> {
    let mut notes = Vec::new();
    let is_group = s.fields.group.as_deref() == Some(f.field.as_str());
    let total: u64 = s.groups.iter().map(|g| g.count).sum();
    if is_group && subject_of(&f.field, is_group) == Subject::Version {
        let share = if total > 0 {
            f.requests as f64 / total as f64
        } else {
            0.0
        };
        notes.push(vec![
            b("Deployment process: "),
            t(format!(
                "{}={} served {} of the requests in this log while {} of them failed or were slow. \
                 Why did it reach that share of traffic before anyone noticed? Review the \
                 pre-deployment checklist and load testing.",
                f.field,
                f.value,
                fmt_pct(share),
                fmt_pct(if f.requests > 0 {
                    f.bad_requests as f64 / f.requests as f64
                } else {
                    0.0
                })
            )),
        ]);
    } else if is_all(f) {
        notes.push(vec![
            b("Blast radius: "),
            t(format!(
                "every {} was hit at once. What do they all depend on, and what keeps one slow \
                 dependency from slowing everything?",
                group_noun(s)
            )),
        ]);
    } else {
        notes.push(vec![
            b("Blast radius: "),
            t(format!(
                "{}={} alone carried {} of the slow or failed requests. What isolates one {} from \
                 the others, and why did it not here?",
                f.field,
                f.value,
                fmt_pct(f.share_of_bad),
                f.field
            )),
        ]);
    }
    let mut monitoring = format!(
        "The error rate went from {} to {}",
        fmt_pct(f.compared_error_rate),
        fmt_pct(f.error_rate)
    );
    if let (Some(a), Some(bq)) = (f.latency_ms, f.compared_latency_ms) {
        monitoring.push_str(&format!(
            " and p95 from {} to {}",
            fmt_ms(bq.p95),
            fmt_ms(a.p95)
        ));
    }
    let follow = if is_all(f) {
        "the log's normal".to_string()
    } else if own_normal(s, f) {
        format!("each {}'s own normal", group_noun(s))
    } else {
        "the baseline".to_string()
    };
    monitoring.push_str(&format!(
        ". Did an alert fire, and how long did it take a person to look? Alerts should follow \
         {follow}, as in Prevention above."
    ));
    notes.push(vec![b("Monitoring and alerting: "), t(monitoring)]);
    if matches!(subject_of(&f.field, is_group), Subject::Version) {
        notes.push(vec![
            b("Rollback procedure: "),
            t(
                "Is rolling back documented, automated and fast enough for any engineer on call \
               to do in under five minutes?",
            ),
        ]);
    }
    if s.input.recovered + s.input.skipped > 0 {
        notes.push(vec![
            b("Log quality: "),
            t(format!(
                "{} of {} log records were malformed ({} repaired, {} unreadable). Which writer \
                 produces them? Broken logs hide evidence during an incident.",
                s.input.recovered + s.input.skipped,
                s.input.records,
                s.input.recovered,
                s.input.skipped
            )),
        ]);
    }
    if f.verdict != "regression" {
        notes.push(vec![
            b("Evidence: "),
            t(format!(
                "the conclusion rests on {} vs {} requests. Keep more of the logs around \
                 incidents so the next analysis can be sure.",
                f.requests, f.compared_requests
            )),
        ]);
    }
    notes
}

fn appendix(s: &Summary, blocks: &mut Vec<Block>) {
    let i = &s.input;
    let mut read = vec![t(format!(
        "{} lines, {} records: {} parsed, {} repaired, {} skipped.",
        i.lines, i.records, i.parsed, i.recovered, i.skipped
    ))];
    if !i.repairs.is_empty() {
        read.push(t(" Repairs: "));
        read.push(t(list_counts(&i.repairs)));
        read.push(t("."));
    }
    if !i.skipped_reasons.is_empty() {
        read.push(t(" Skipped: "));
        read.push(t(list_counts(&i.skipped_reasons)));
        read.push(t("."));
    }
    blocks.push(Block::Para(read));
    let f = &s.fields;
    let mut fields = vec![t("Fields used: ")];
    for (i, (role, name)) in [
        ("group", &f.group),
        ("latency", &f.latency),
        ("status", &f.status),
        ("time", &f.time),
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            fields.push(t(", "));
        }
        fields.push(t(format!("{role} ")));
        match name {
            Some(n) => fields.push(c(n.clone())),
            None => fields.push(t("none")),
        }
        if role == "latency" {
            if let Some(u) = &f.latency_unit {
                fields.push(t(format!(" ({u})")));
            }
        }
    }
    fields.push(t("."));
    blocks.push(Block::Para(fields));
    let examples: Vec<String> = i
        .examples
        .iter()
        .filter(|e| e.outcome == "recovered")
        .take(2)
        .map(|e| e.text.clone())
        .collect();
    if !examples.is_empty() {
        blocks.push(Block::Para(vec![t("Repaired lines look like:")]));
        blocks.push(Block::Quote(examples));
    }
    if !s.warnings.is_empty() {
        blocks.push(Block::List(
            s.warnings.iter().map(|w| vec![t(w.clone())]).collect(),
        ));
    }
}

fn list_counts(m: &std::collections::BTreeMap<String, u64>) -> String {
    m.iter()
        .map(|(k, v)| format!("{v} {}", k.replace('_', " ")))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------
// Writers.

/// Escape text for Markdown: every character that could start inline markup is
/// backslashed and `<` / `&` become entities, so a log value renders as itself and never as
/// a link, an image, emphasis or raw HTML. Block markers (`#`, `-`, `1.`) only matter at
/// the start of a line, and every block the writer emits starts with its own text.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (i, ch) in s.char_indices() {
        match ch {
            // `>` only quotes at the start of a line.
            '>' if i == 0 => out.push_str("\\>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '&' => out.push_str("&amp;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A code span that holds `s` verbatim, whatever backticks it contains.
fn md_code(s: &str) -> String {
    let s: String = s
        .chars()
        .map(|c| {
            if c == '\n' || c == '\r' || c.is_control() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for ch in s.chars() {
        if ch == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.starts_with(' ') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

fn md_inlines(v: &[Inline]) -> String {
    v.iter()
        .map(|i| match i {
            Inline::Text(s) => md_text(s),
            Inline::Strong(s) => {
                // `** x**` is not emphasis in CommonMark: keep the spaces outside.
                let lead = if s.starts_with(' ') { " " } else { "" };
                format!("{lead}**{}**{}", md_text(s.trim()), trailing_space(s))
            }
            Inline::Code(s) => md_code(s),
        })
        .collect()
}

fn trailing_space(s: &str) -> &'static str {
    if s.ends_with(' ') {
        " "
    } else {
        ""
    }
}

impl Report {
    /// The report as Markdown (CommonMark + tables).
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n\n", md_text(&self.title));
        for block in &self.blocks {
            match block {
                Block::Heading(level, s) => out.push_str(&format!(
                    "{} {}\n\n",
                    "#".repeat(*level as usize),
                    md_text(s)
                )),
                Block::Para(v) => {
                    out.push_str(&md_inlines(v));
                    out.push_str("\n\n");
                }
                Block::List(items) => {
                    for item in items {
                        out.push_str(&format!("- {}\n", md_inlines(item)));
                    }
                    out.push('\n');
                }
                Block::Table(head, rows) => {
                    let cells =
                        |r: &[String]| r.iter().map(|c| md_text(c)).collect::<Vec<_>>().join(" | ");
                    out.push_str(&format!("| {} |\n", cells(head)));
                    let align: Vec<&str> = (0..head.len())
                        .map(|i| if i == 0 { ":---" } else { "---:" })
                        .collect();
                    out.push_str(&format!("| {} |\n", align.join(" | ")));
                    for r in rows {
                        out.push_str(&format!("| {} |\n", cells(r)));
                    }
                    out.push('\n');
                }
                Block::Quote(lines) => {
                    for l in lines {
                        out.push_str(&format!("- {}\n", md_code(l)));
                    }
                    out.push('\n');
                }
                Block::Chart(_) => {}
            }
        }
        out.trim_end().to_string() + "\n"
    }

    /// The report as an HTML fragment (no `<html>`): every text escaped. `chart` returns the
    /// SVG for a chart name, or None to leave it out; the SVG must come from logdrop's own
    /// chart renderer, which escapes its text.
    pub fn to_html(&self, chart: &dyn Fn(&str) -> Option<String>) -> String {
        let mut out = format!("<h1>{}</h1>\n", html(&self.title));
        for block in &self.blocks {
            match block {
                Block::Heading(level, s) => {
                    let l = (*level).clamp(1, 6);
                    out.push_str(&format!("<h{l}>{}</h{l}>\n", html(s)))
                }
                Block::Para(v) => out.push_str(&format!("<p>{}</p>\n", html_inlines(v))),
                Block::List(items) => {
                    out.push_str("<ul>\n");
                    for item in items {
                        out.push_str(&format!("<li>{}</li>\n", html_inlines(item)));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Table(head, rows) => {
                    out.push_str("<table>\n<thead><tr>");
                    for h in head {
                        out.push_str(&format!("<th>{}</th>", html(h)));
                    }
                    out.push_str("</tr></thead>\n<tbody>\n");
                    for r in rows {
                        out.push_str("<tr>");
                        for (i, cell) in r.iter().enumerate() {
                            let class = if i == 0 { "" } else { " class=\"num\"" };
                            out.push_str(&format!("<td{class}>{}</td>", html(cell)));
                        }
                        out.push_str("</tr>\n");
                    }
                    out.push_str("</tbody>\n</table>\n");
                }
                Block::Quote(lines) => {
                    out.push_str("<ul class=\"evidence\">\n");
                    for l in lines {
                        out.push_str(&format!("<li><code>{}</code></li>\n", html(l)));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Chart(name) => {
                    if let Some(svg) = chart(name) {
                        out.push_str(&format!("<figure class=\"chart\">{svg}</figure>\n"));
                    }
                }
            }
        }
        out
    }
}

fn html_inlines(v: &[Inline]) -> String {
    v.iter()
        .map(|i| match i {
            Inline::Text(s) => html(s),
            Inline::Strong(s) => format!("<strong>{}</strong>", html(s)),
            Inline::Code(s) => format!("<code>{}</code>", html(s)),
        })
        .collect()
}

/// Escape text for HTML element content and attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The report as Markdown.
pub fn markdown(s: &Summary) -> String {
    build(s).to_markdown()
}

/// A self-contained HTML document: inline styles (print-friendly), charts inlined as SVG,
/// no script and no external request, so it opens offline and anywhere.
pub fn html_document(s: &Summary, chart: &dyn Fn(&str) -> Option<String>) -> String {
    let r = build(s);
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n{}</main>\n\
         <footer>Written by logdrop from the log itself; figures are computed, not typed.</footer>\n\
         </body>\n</html>\n",
        html(&r.title),
        REPORT_CSS,
        r.to_html(chart)
    )
}

const REPORT_CSS: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fff}\
main{max-width:52rem;margin:2rem auto;padding:0 1rem}h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de}\
table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.25rem .6rem;border-bottom:1px solid #e5e7eb;text-align:left}\
td.num{text-align:right;font-variant-numeric:tabular-nums}code{font:13px ui-monospace,monospace;background:#f3f4f6;padding:0 .2rem;border-radius:3px;overflow-wrap:anywhere}\
ul.evidence{list-style:none;padding-left:0}ul.evidence li{margin:.25rem 0}figure.chart{margin:1rem 0}figure.chart svg{max-width:100%;height:auto}\
footer{max-width:52rem;margin:2rem auto;padding:0 1rem;color:#57606a;font-size:.85rem}\
@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}code{background:#161b22}th,td{border-color:#30363d}h2{border-color:#30363d}}\
@media print{body{font-size:11pt}main{margin:0;max-width:none}figure.chart{break-inside:avoid}h2{break-after:avoid}}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_log_text() {
        assert_eq!(
            md_text("[x](javascript:alert(1))"),
            "\\[x\\](javascript:alert(1))"
        );
        assert_eq!(
            md_text("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)>"
        );
        assert_eq!(md_text("> quote"), "\\> quote");
        assert_eq!(md_text("v1.3 *bold* _x_"), "v1.3 \\*bold\\* \\_x\\_");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x`"), "`` `x` ``");
        assert_eq!(html("<script>\"'&"), "&lt;script&gt;&quot;&#39;&amp;");
    }

    #[test]
    fn empty_summary_gives_a_short_report() {
        let md = markdown(&Summary::default());
        assert!(md.contains("no significant regression found"), "{md}");
        assert!(md.contains("No action needed"));
        let doc = html_document(&Summary::default(), &|_| None);
        assert!(doc.starts_with("<!doctype html>"));
        assert!(!doc.contains("<script"));
    }

    #[test]
    fn subjects() {
        assert_eq!(subject_of("modelVersion", true), Subject::Version);
        assert_eq!(subject_of("dyno", true), Subject::Host);
        assert_eq!(subject_of("tenant", false), Subject::Tenant);
        assert_eq!(subject_of("endpoint", false), Subject::Endpoint);
        assert_eq!(subject_of("res.route", false), Subject::Endpoint);
        assert_eq!(subject_of("color", false), Subject::Other);
    }
}
