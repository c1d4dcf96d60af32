//! The share link codec: a [`Summary`] in a URL fragment (`#r=…`), so the hosted static page
//! can show the report and its charts without the log and without a server.
//!
//! ```
//! use logdrop::share::{decode, encode, preview, ShareOptions};
//! let mut a = logdrop::Analyzer::new(logdrop::Options::default());
//! a.push(b"{\"responseTimeMs\": 120, \"status\": \"OK\", \"modelVersion\": \"v1.2\", \"user\": \"jo@example.com\"}\n");
//! let s = a.finish();
//! let opts = ShareOptions::default();
//! let fragment = encode(&s, &opts); // the page puts it after `#r=`
//! let shown = decode(&fragment).unwrap();
//! assert_eq!(shown, preview(&s, &opts)); // what the page shows before sharing
//! assert_eq!(shown.groups[0].count, 1);
//! assert!(!format!("{shown:?}").contains("jo@example.com")); // redacted by default
//! ```
//!
//! # Format (version 1)
//!
//! ```text
//! fragment = base64url, no padding ( version byte 0x01 ‖ zlib(deflate level 9, body) )
//! ```
//!
//! The zlib wrapper's Adler-32 checksum catches a damaged link. `body` is a hand-rolled
//! binary layout: integers are LEB128 varints (signed ones zigzag), strings a varint byte
//! length then UTF-8, lists a varint count then items, and, in this order:
//!
//! 1. `flags` (bit 0: redacted; bit 1: `fields.time_zone` is written), the time base (epoch ms)
//!    every timestamp is relative to;
//! 2. `input`: the counts, skip reasons, repairs, formats, and at most one repaired example;
//! 3. `fields`: the five chosen fields, the time zone (flag bit 1), and (when room) the
//!    candidates; `warnings`; `baseline`;
//! 4. `groups`: key, count, errors, latency count, the 8 latency stats, first/last seen,
//!    status counts, the CDF, the evidence lines (`error_rate` is recomputed: errors ÷ count);
//! 5. `timeline`: bucket width, then per series its points `(Δt in buckets, count, errors,
//!    p50, p95)`;
//! 6. `dimensions` (top values), `findings` (all fields, sentence verbatim), `comparisons`.
//!
//! Numbers are quantised for size:
//!
//! * **latency** (ms) → `2 + round(ln(x / 1e-6 ms) / ln 1.005)` (0 = null, 1 = zero): the
//!   decoded value is within ±0.25 % of the original ([`LATENCY_REL_ERROR`]). Sorted series
//!   (the stats, a CDF, a timeline) store differences of consecutive codes.
//! * **other reals** (rates, ratios, p-values, effect sizes) → a signed log code with step
//!   1.005 (±0.25 %, [`REAL_REL_ERROR`]): two bytes for 1.4e-9 ≤ |x| ≤ 7e8, three for any
//!   other finite value (a p-value of 1e-300 stays 1e-300); 0 exact; ±∞ and NaN raw.
//! * **CDF fractions** → multiples of 1/1000 (±0.0005).
//! * **timestamps** written by logdrop (`2026-11-27T18:02:11.123Z`) → ms from the time base;
//!   any other text is kept as text.
//!
//! And reduced, most detailed first, until the link fits in [`ShareOptions::max_chars`]:
//!
//! * **groups**: the baseline, the groups named by findings, then the largest, up to
//!   [`ShareOptions::max_groups`]; the rest become one `(other)` group whose counts are exact
//!   sums and whose latency quantiles come from the count-weighted mixture of their CDFs.
//! * **timeline**: buckets merged by doubling the bucket width (as the analyzer does) until
//!   no series has more than `max_points` (48) points. Counts and errors of merged buckets
//!   are exact sums; the p50 (p95) of a merged bucket is the *count-weighted choice* among
//!   the merged buckets' p50s (p95s): sorted by value, the first one at which the running
//!   count reaches 50 % (95 %) of the total. It is always one of the real bucket values, and
//!   a slow minute in a merged bucket still shows in its p95.
//! * **CDF**: at most `max_cdf_points` (24) of the original points per group, chosen by
//!   greedy insertion of the point farthest from the line so far (log latency × fraction).
//! * **evidence**: at most `max_evidence` (4) real lines in the whole link — one bad line of
//!   each group a finding names (a repaired error line first, as the seed report quotes),
//!   one good line of the baseline, then more — cut to a few hundred bytes.
//!
//! [`decode`] never panics: the base64 text, the decompressed size (1 MiB), every count and
//! string length are capped, strings must be UTF-8, and trailing bytes are an error.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

use crate::redact::redact_summary;
use crate::summary::*;
use crate::units::{format_rfc3339_ms, parse_timestamp};

/// The format version written in the first byte.
pub const VERSION: u8 = 1;
/// Largest body a link may decompress to.
pub const MAX_DECODED_BYTES: usize = 1 << 20;
/// Longest fragment [`decode`] reads, in characters.
pub const MAX_FRAGMENT_CHARS: usize = 512 * 1024;
/// Largest relative error of a decoded latency (ms): √1.005 − 1.
pub const LATENCY_REL_ERROR: f64 = 0.0025;
/// Largest relative error of a decoded real (rate, ratio, p-value …): √1.005 − 1.
pub const REAL_REL_ERROR: f64 = 0.0025;
/// Largest absolute error of a decoded CDF fraction.
pub const CDF_FRACTION_ERROR: f64 = 0.0005;

/// What goes into a link. Every field has a default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShareOptions {
    /// Redact emails, IP addresses, tokens and secrets in evidence lines and values
    /// (default true; see [`crate::redact`]).
    pub redact: bool,
    /// Real log lines in the link, at most (default 4).
    pub max_evidence: usize,
    /// Groups kept by name (default 6); the rest are summarised as one `(other)` group.
    pub max_groups: usize,
    /// Timeline points per series, at most (default 48).
    pub max_points: usize,
    /// CDF points per group, at most (default 24).
    pub max_cdf_points: usize,
    /// Target length of the fragment `r=…` in characters (default 2 000; 0: no target).
    /// Detail is reduced step by step until the link fits; if even the least detailed link
    /// is longer, that one is returned.
    pub max_chars: usize,
}

impl Default for ShareOptions {
    fn default() -> Self {
        ShareOptions {
            redact: true,
            max_evidence: 4,
            max_groups: 6,
            max_points: 48,
            max_cdf_points: 24,
            max_chars: 2000,
        }
    }
}

/// Why a link cannot be opened. `Display` is a sentence for the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// The fragment is empty.
    Empty,
    /// Not base64url, bad checksum, cut short, or not a valid body.
    Damaged,
    /// Written by a newer logdrop (the version byte is larger than [`VERSION`]).
    NewerVersion(u8),
    /// An unknown version byte (0): not a logdrop report link.
    UnknownVersion(u8),
    /// Longer than [`MAX_FRAGMENT_CHARS`] or decompresses to more than [`MAX_DECODED_BYTES`].
    TooLarge,
}

impl fmt::Display for ShareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShareError::Empty => write!(f, "this link has no report in it"),
            ShareError::Damaged => write!(
                f,
                "this link is damaged or incomplete — ask for it again, or copy the whole link"
            ),
            ShareError::NewerVersion(v) => write!(
                f,
                "this link is from a newer version of logdrop (format {v}): open it with the \
                 latest logdrop page"
            ),
            ShareError::UnknownVersion(v) => write!(
                f,
                "this link is not a logdrop report link (unknown format {v})"
            ),
            ShareError::TooLarge => write!(
                f,
                "this link holds more data than logdrop reads — ask for a new link"
            ),
        }
    }
}

impl std::error::Error for ShareError {}

/// The fragment value for `s` (base64url, no padding; the page adds `#r=`).
pub fn encode(s: &Summary, opts: &ShareOptions) -> String {
    pack(&reduced(s, opts), opts.redact)
}

/// Exactly what a link made with `opts` will show: `decode(&encode(s, opts))`.
pub fn preview(s: &Summary, opts: &ShareOptions) -> Summary {
    let r = reduced(s, opts);
    decode(&pack(&r, opts.redact)).unwrap_or(r)
}

/// The summary in a fragment made by [`encode`] (a leading `#` or `r=` is ignored).
pub fn decode(fragment: &str) -> Result<Summary, ShareError> {
    decode_link(fragment).map(|l| l.summary)
}

/// A decoded link: the summary and what the link says about itself.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub summary: Summary,
    /// The evidence lines were redacted when the link was made.
    pub redacted: bool,
}

/// Like [`decode`], with the link's own flags.
pub fn decode_link(fragment: &str) -> Result<Link, ShareError> {
    let f = fragment.trim();
    let f = f.strip_prefix('#').unwrap_or(f);
    let f = f.strip_prefix("r=").unwrap_or(f);
    if f.is_empty() {
        return Err(ShareError::Empty);
    }
    if f.len() > MAX_FRAGMENT_CHARS {
        return Err(ShareError::TooLarge);
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(f.as_bytes())
        .map_err(|_| ShareError::Damaged)?;
    let (&version, rest) = bytes.split_first().ok_or(ShareError::Damaged)?;
    match version {
        VERSION => {}
        0 => return Err(ShareError::UnknownVersion(0)),
        v => return Err(ShareError::NewerVersion(v)),
    }
    let body = inflate(rest)?;
    let mut r = Reader {
        b: &body,
        pos: 0,
        flags: 0,
    };
    let s = read_summary(&mut r)?;
    if r.pos != body.len() {
        return Err(ShareError::Damaged);
    }
    Ok(Link {
        summary: s,
        redacted: r.flags & 1 != 0,
    })
}

// --- levels of detail ------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
struct Detail {
    /// Timeline points over all series (each series gets its share, 8 ..= `max_points`).
    points: usize,
    /// CDF points over all groups (each group gets its share, 8 ..= `max_cdf_points`).
    cdf: usize,
    evidence: usize,
    evidence_bytes: usize,
    dim_values: usize,
    candidates: bool,
    status_values: usize,
    findings: usize,
    comparisons: bool,
}

const fn level(
    points: usize,
    cdf: usize,
    evidence: usize,
    evidence_bytes: usize,
    status_values: usize,
    findings: usize,
) -> Detail {
    Detail {
        points,
        cdf,
        evidence,
        evidence_bytes,
        dim_values: 0,
        candidates: false,
        status_values,
        findings,
        comparisons: true,
    }
}

/// From the most detailed to the least; the first whose link fits is used.
const LEVELS: [Detail; 8] = [
    Detail {
        dim_values: 6,
        candidates: true,
        ..level(usize::MAX, usize::MAX, usize::MAX, 300, 8, 8)
    },
    level(usize::MAX, usize::MAX, usize::MAX, 300, 4, 8),
    level(240, 120, 4, 240, 4, 8),
    level(180, 100, 4, 200, 3, 6),
    Detail {
        comparisons: false,
        ..level(144, 84, 4, 180, 2, 5)
    },
    Detail {
        comparisons: false,
        ..level(108, 72, 3, 160, 2, 4)
    },
    Detail {
        comparisons: false,
        ..level(72, 60, 2, 140, 1, 3)
    },
    Detail {
        comparisons: false,
        ..level(48, 48, 1, 120, 1, 2)
    },
];

/// The most detailed reduction of `s` whose link fits `opts.max_chars`.
fn reduced(s: &Summary, opts: &ShareOptions) -> Summary {
    let base = if opts.redact {
        redact_summary(s)
    } else {
        s.clone()
    };
    let mut best: Option<Summary> = None;
    for d in LEVELS {
        let d = Detail {
            evidence: d.evidence.min(opts.max_evidence),
            ..d
        };
        let r = reduce(&base, opts, d);
        if opts.max_chars == 0 || pack(&r, opts.redact).len() + 2 <= opts.max_chars {
            return r;
        }
        best = Some(r);
    }
    best.unwrap_or(base)
}

fn reduce(s: &Summary, opts: &ShareOptions, d: Detail) -> Summary {
    let mut out = Summary {
        input: InputStats {
            examples: Vec::new(),
            ..s.input.clone()
        },
        fields: s.fields.clone(),
        warnings: s.warnings.iter().take(10).map(|w| cut(w, 300)).collect(),
        baseline: s.baseline.clone(),
        ..Summary::default()
    };
    if !d.candidates {
        out.fields.candidates = Candidates::default();
    }

    // Groups: which keep their name.
    let max_groups = opts.max_groups.max(1);
    let group_field = s.fields.group.as_deref();
    let is_other = |k: &str| k == crate::aggregate::OTHER;
    let mut keep: Vec<usize> = Vec::new();
    let want = |key: &str, keep: &mut Vec<usize>| {
        if let Some(i) = s.groups.iter().position(|g| g.key == key) {
            if !keep.contains(&i) && !is_other(key) && keep.len() < max_groups {
                keep.push(i);
            }
        }
    };
    if s.groups.len() > max_groups {
        if let Some(b) = s.baseline.as_deref() {
            want(b, &mut keep);
        }
        for f in &s.findings {
            if Some(f.field.as_str()) == group_field {
                want(&f.value, &mut keep);
            }
        }
    }
    for g in &s.groups {
        want(&g.key, &mut keep);
    }
    keep.sort_unstable();
    let rest: Vec<usize> = (0..s.groups.len()).filter(|i| !keep.contains(i)).collect();

    // Evidence, chosen among the kept groups.
    let chosen = choose_evidence(s, &keep, d.evidence);
    let shown = keep.len() + usize::from(!rest.is_empty());
    let share = |total: usize, cap: usize| (total / shown.max(1)).max(8).min(cap.max(2));
    let cdf_points = share(d.cdf, opts.max_cdf_points);
    let max_points = share(d.points, opts.max_points);
    for &i in &keep {
        let g = &s.groups[i];
        let mut g2 = GroupSummary {
            evidence: Vec::new(),
            cdf: reduce_cdf(&g.cdf, cdf_points),
            status_counts: top_counts(&g.status_counts, d.status_values),
            ..g.clone()
        };
        for &(gi, ei) in &chosen {
            if gi == i {
                let mut e = g.evidence[ei].clone();
                e.text = cut(&e.text, d.evidence_bytes);
                g2.evidence.push(e);
            }
        }
        g2.evidence.sort_by_key(|e| e.line_no);
        out.groups.push(g2);
    }
    if !rest.is_empty() {
        let mut o = match rest.as_slice() {
            // A lone `(other)` is kept as it is (so a decoded link encodes the same again).
            [i] if is_other(&s.groups[*i].key) => GroupSummary {
                evidence: Vec::new(),
                ..s.groups[*i].clone()
            },
            _ => merge_groups(rest.iter().map(|&i| &s.groups[i])),
        };
        o.cdf = reduce_cdf(&o.cdf, cdf_points);
        o.status_counts = top_counts(&o.status_counts, d.status_values);
        out.groups.push(o);
    }
    out.groups
        .sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));

    // The repaired example the parsing summary quotes: a chosen evidence line that needed a
    // repair, else the first repaired example when there is room for one more line.
    let repaired = out
        .groups
        .iter()
        .flat_map(|g| &g.evidence)
        .filter(|e| !e.repairs.is_empty())
        .min_by_key(|e| e.line_no);
    if let Some(e) = repaired {
        out.input.examples.push(Example {
            outcome: "recovered".into(),
            reason: e.repairs[0].clone(),
            line_no: e.line_no,
            text: e.text.clone(),
        });
    } else if chosen.len() < d.evidence {
        if let Some(x) = s.input.examples.iter().find(|x| x.outcome == "recovered") {
            out.input.examples.push(Example {
                text: cut(&x.text, d.evidence_bytes),
                ..x.clone()
            });
        }
    }

    // Timeline: kept series as they are, the rest merged, then re-bucketed.
    let kept_keys: Vec<&str> = keep.iter().map(|&i| s.groups[i].key.as_str()).collect();
    let mut series: Vec<TimelineSeries> = Vec::new();
    let mut other: BTreeMap<i64, Vec<TimelinePoint>> = BTreeMap::new();
    let mut has_other = false;
    for ser in &s.timeline.series {
        if kept_keys.contains(&ser.group.as_str()) {
            series.push(ser.clone());
        } else {
            has_other = true;
            for p in &ser.points {
                other.entry(p.t).or_default().push(*p);
            }
        }
    }
    if has_other {
        series.push(TimelineSeries {
            group: crate::aggregate::OTHER.to_string(),
            points: other.values().map(|ps| merge_points(ps)).collect(),
        });
    }
    out.timeline = rebucket(s.timeline.bucket_ms, series, max_points);

    // Dimensions: the top values of each.
    if d.dim_values > 0 {
        out.dimensions = s
            .dimensions
            .iter()
            .take(32)
            .map(|dim| Dimension {
                field: dim.field.clone(),
                distinct: dim.distinct,
                values: dim.values.iter().take(d.dim_values).cloned().collect(),
            })
            .collect();
    }
    out.findings = s.findings.iter().take(d.findings).cloned().collect();
    let names: Vec<&str> = out.groups.iter().map(|g| g.key.as_str()).collect();
    out.comparisons = s
        .comparisons
        .iter()
        .filter(|c| d.comparisons && names.contains(&c.group.as_str()))
        .cloned()
        .collect();
    out
}

/// `s` cut to at most `max` bytes at a character boundary, with `…` when cut.
fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// The `n` largest counts, the rest summed under `(other)`.
fn top_counts(m: &BTreeMap<String, u64>, n: usize) -> BTreeMap<String, u64> {
    if m.len() <= n.max(1) {
        return m.clone();
    }
    let mut v: Vec<(&String, &u64)> = m.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut out: BTreeMap<String, u64> = BTreeMap::new();
    for (k, c) in v.iter().take(n) {
        out.insert((*k).clone(), **c);
    }
    let rest: u64 = v.iter().skip(n).map(|(_, c)| **c).sum();
    if rest > 0 {
        *out.entry(crate::aggregate::OTHER.to_string()).or_insert(0) += rest;
    }
    out
}

/// Which evidence lines go into the link: (group index, evidence index), at most `max`.
fn choose_evidence(s: &Summary, keep: &[usize], max: usize) -> Vec<(usize, usize)> {
    let group_field = s.fields.group.as_deref();
    let index = |key: &str| keep.iter().copied().find(|&i| s.groups[i].key == key);
    let mut bad_groups: Vec<usize> = Vec::new();
    for f in &s.findings {
        if Some(f.field.as_str()) == group_field || s.groups.len() == 1 {
            let i = if s.groups.len() == 1 {
                keep.first().copied()
            } else {
                index(&f.value)
            };
            if let Some(i) = i {
                if !bad_groups.contains(&i) {
                    bad_groups.push(i);
                }
            }
        }
    }
    let base = s.baseline.as_deref().and_then(index);
    // Bad lines: a repaired error first (as the seed report quotes), then errors, then slow.
    let bad_rank = |e: &Evidence| {
        (
            !e.is_error || e.repairs.is_empty(),
            !e.is_error,
            e.repairs.is_empty(),
            std::cmp::Reverse(OrdF(e.latency_ms.unwrap_or(0.0))),
            e.line_no,
        )
    };
    let good_rank = |e: &Evidence| (e.is_error, !e.repairs.is_empty(), e.line_no);
    let sorted = |i: usize, bad: bool| -> Vec<usize> {
        let ev = &s.groups[i].evidence;
        let mut idx: Vec<usize> = (0..ev.len()).collect();
        if bad {
            idx.sort_by_key(|&k| bad_rank(&ev[k]));
        } else {
            idx.sort_by_key(|&k| good_rank(&ev[k]));
        }
        idx
    };
    // Queues in turn order: finding groups (bad lines), the baseline (good lines), others.
    let mut queues: Vec<(usize, Vec<usize>)> = Vec::new();
    for &i in &bad_groups {
        queues.push((i, sorted(i, true)));
    }
    if let Some(b) = base.filter(|b| !bad_groups.contains(b)) {
        queues.push((b, sorted(b, false)));
    }
    for &i in keep {
        if !queues.iter().any(|(q, _)| *q == i) {
            queues.push((i, sorted(i, bad_groups.is_empty() && base.is_none())));
        }
    }
    let mut chosen = Vec::new();
    let mut round = 0;
    while chosen.len() < max {
        let mut any = false;
        for (gi, q) in &queues {
            // Other groups only get lines after the finding groups and the baseline had two.
            let is_main = bad_groups.contains(gi) || Some(*gi) == base;
            let start = if !is_main && (!bad_groups.is_empty() || base.is_some()) {
                2
            } else {
                0
            };
            if round < start {
                continue;
            }
            if let Some(&ei) = q.get(round - start) {
                any = true;
                if chosen.len() < max {
                    chosen.push((*gi, ei));
                }
            }
        }
        if !any && round >= 2 {
            break;
        }
        round += 1;
        if round > 64 {
            break;
        }
    }
    chosen
}

/// Total order on f64 for sorting.
#[derive(Clone, Copy)]
struct OrdF(f64);
impl PartialEq for OrdF {
    fn eq(&self, o: &Self) -> bool {
        self.0.total_cmp(&o.0).is_eq()
    }
}
impl Eq for OrdF {}
impl PartialOrd for OrdF {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for OrdF {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

/// At most `max` points of a CDF: the first, the last, and greedily the point farthest (in
/// log latency × fraction, both scaled to [0, 1]) from the polyline through those chosen.
fn reduce_cdf(cdf: &[[f64; 2]], max: usize) -> Vec<[f64; 2]> {
    let max = max.max(2);
    if cdf.len() <= max {
        return cdf.to_vec();
    }
    let xs: Vec<f64> = cdf.iter().map(|p| p[0].max(1e-6).ln()).collect();
    let (lo, hi) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let span = if hi > lo { hi - lo } else { 1.0 };
    let pt = |i: usize| ((xs[i] - lo) / span, cdf[i][1]);
    let mut chosen = vec![0, cdf.len() - 1];
    while chosen.len() < max {
        let mut best: Option<(f64, usize)> = None;
        for w in chosen.windows(2) {
            let (a, b) = (w[0], w[1]);
            let (ax, ay) = pt(a);
            let (bx, by) = pt(b);
            for k in a + 1..b {
                let (x, y) = pt(k);
                let t = if bx > ax { (x - ax) / (bx - ax) } else { 0.5 };
                let (lx, ly) = (ax + t * (bx - ax), ay + t * (by - ay));
                let dist = (x - lx).abs() + (y - ly).abs();
                if dist.is_finite() && best.is_none_or(|(bd, _)| dist > bd) {
                    best = Some((dist, k));
                }
            }
        }
        let Some((_, k)) = best else { break };
        let at = chosen.partition_point(|&c| c < k);
        chosen.insert(at, k);
    }
    chosen.iter().map(|&i| cdf[i]).collect()
}

/// The value at which the running weight reaches `q` of the total, values sorted ascending
/// (the count-weighted choice; a weight of 0 counts as 1 so empty buckets still vote).
fn weighted_choice(vals: &mut [(f64, u64)], q: f64) -> Option<f64> {
    if vals.is_empty() {
        return None;
    }
    vals.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = vals.iter().map(|v| v.1.max(1) as f64).sum();
    let mut run = 0.0;
    for v in vals.iter() {
        run += v.1.max(1) as f64;
        if run >= q * total {
            return Some(v.0);
        }
    }
    vals.last().map(|v| v.0)
}

/// Buckets with the same start merged (see the module docs).
fn merge_points(ps: &[TimelinePoint]) -> TimelinePoint {
    let mut p50: Vec<(f64, u64)> = ps
        .iter()
        .filter_map(|p| p.p50.map(|v| (v, p.count)))
        .collect();
    let mut p95: Vec<(f64, u64)> = ps
        .iter()
        .filter_map(|p| p.p95.map(|v| (v, p.count)))
        .collect();
    TimelinePoint {
        t: ps.first().map_or(0, |p| p.t),
        count: ps.iter().fold(0u64, |a, p| a.saturating_add(p.count)),
        errors: ps.iter().fold(0u64, |a, p| a.saturating_add(p.errors)),
        p50: weighted_choice(&mut p50, 0.5),
        p95: weighted_choice(&mut p95, 0.95),
    }
}

/// Series re-bucketed to the smallest width `bucket_ms · 2^k` that leaves every series at
/// most `max` points (bucket starts stay multiples of the width, as in the analyzer).
fn rebucket(bucket_ms: i64, series: Vec<TimelineSeries>, max: usize) -> Timeline {
    let max = max.max(2);
    let buckets_at = |w: i64| {
        series
            .iter()
            .map(|s| {
                let mut n = 0usize;
                let mut last = None;
                for p in &s.points {
                    let b = p.t.div_euclid(w);
                    if last != Some(b) {
                        n += 1;
                        last = Some(b);
                    }
                }
                n
            })
            .max()
            .unwrap_or(0)
    };
    let longest = series.iter().map(|s| s.points.len()).max().unwrap_or(0);
    if longest <= max || bucket_ms <= 0 {
        let series = series
            .into_iter()
            .map(|s| TimelineSeries {
                points: s
                    .points
                    .into_iter()
                    .take(max.max(longest.min(max)))
                    .collect(),
                ..s
            })
            .collect();
        return Timeline { bucket_ms, series };
    }
    let mut w = bucket_ms;
    while buckets_at(w) > max && w < i64::MAX / 4 {
        w *= 2;
    }
    let series = series
        .into_iter()
        .map(|s| {
            let mut points: Vec<TimelinePoint> = Vec::new();
            let mut group: Vec<TimelinePoint> = Vec::new();
            for p in s.points {
                let start = p.t.div_euclid(w) * w;
                if group
                    .first()
                    .is_some_and(|g| g.t.div_euclid(w) * w != start)
                {
                    let mut m = merge_points(&group);
                    m.t = group[0].t.div_euclid(w) * w;
                    points.push(m);
                    group.clear();
                }
                group.push(p);
            }
            if !group.is_empty() {
                let mut m = merge_points(&group);
                m.t = group[0].t.div_euclid(w) * w;
                points.push(m);
            }
            TimelineSeries {
                group: s.group,
                points,
            }
        })
        .collect();
    Timeline {
        bucket_ms: w,
        series,
    }
}

/// Several groups as one `(other)` group: exact counts, latency from the mixture of CDFs.
fn merge_groups<'a>(groups: impl Iterator<Item = &'a GroupSummary>) -> GroupSummary {
    let groups: Vec<&GroupSummary> = groups.collect();
    let mut o = GroupSummary {
        key: crate::aggregate::OTHER.to_string(),
        ..Default::default()
    };
    for g in &groups {
        o.count = o.count.saturating_add(g.count);
        o.errors = o.errors.saturating_add(g.errors);
        o.latency_count = o.latency_count.saturating_add(g.latency_count);
        for (k, v) in &g.status_counts {
            let e = o.status_counts.entry(k.clone()).or_insert(0);
            *e = e.saturating_add(*v);
        }
        o.first_seen = min_opt(o.first_seen.take(), g.first_seen.clone(), true);
        o.last_seen = min_opt(o.last_seen.take(), g.last_seen.clone(), false);
    }
    o.error_rate = if o.count > 0 {
        o.errors as f64 / o.count as f64
    } else {
        0.0
    };
    // The mixture CDF at every latency of every group's CDF.
    let with: Vec<(&GroupSummary, &LatencyStats)> = groups
        .iter()
        .filter_map(|g| g.latency_ms.as_ref().map(|l| (*g, l)))
        .collect();
    let weight = |g: &GroupSummary| g.latency_count.max(1) as f64;
    let total: f64 = with.iter().map(|(g, _)| weight(g)).sum();
    if with.is_empty() || total <= 0.0 {
        return o;
    }
    let mut xs: Vec<f64> = with
        .iter()
        .flat_map(|(g, _)| g.cdf.iter().map(|p| p[0]))
        .filter(|x| x.is_finite())
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let mut ptr = vec![0usize; with.len()];
    let mut cdf: Vec<[f64; 2]> = Vec::with_capacity(xs.len());
    for &x in &xs {
        let mut f = 0.0;
        for (k, (g, _)) in with.iter().enumerate() {
            while ptr[k] < g.cdf.len() && g.cdf[ptr[k]][0] <= x {
                ptr[k] += 1;
            }
            let fk = if ptr[k] == 0 {
                0.0
            } else {
                g.cdf[ptr[k] - 1][1]
            };
            f += weight(g) * fk;
        }
        cdf.push([x, (f / total).clamp(0.0, 1.0)]);
    }
    let min = with
        .iter()
        .map(|(_, l)| l.min)
        .fold(f64::INFINITY, f64::min);
    let max = with
        .iter()
        .map(|(_, l)| l.max)
        .fold(f64::NEG_INFINITY, f64::max);
    let q = |p: f64| {
        cdf.iter()
            .find(|c| c[1] >= p)
            .map_or(max, |c| c[0])
            .clamp(min, max)
    };
    o.latency_ms = Some(LatencyStats {
        min,
        mean: with.iter().map(|(g, l)| weight(g) * l.mean).sum::<f64>() / total,
        p50: q(0.5),
        p90: q(0.9),
        p95: q(0.95),
        p99: q(0.99),
        p999: q(0.999),
        max,
    });
    o.cdf = cdf;
    o
}

fn min_opt(a: Option<String>, b: Option<String>, smaller: bool) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if (a <= b) == smaller { a } else { b }),
        (a, b) => a.or(b),
    }
}

// --- bytes -------------------------------------------------------------------------------------

fn pack(s: &Summary, redacted: bool) -> String {
    let mut w = Writer {
        // Bit 1: the time zone follows the five fields (absent in links made before it was).
        flags: u64::from(redacted) | u64::from(s.fields.time_zone.is_some()) << 1,
        ..Writer::default()
    };
    write_summary(&mut w, s);
    let z = miniz_oxide::deflate::compress_to_vec_zlib(&w.b, 9);
    let mut bytes = Vec::with_capacity(z.len() + 1);
    bytes.push(VERSION);
    bytes.extend_from_slice(&z);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// zlib-inflates `data` to at most [`MAX_DECODED_BYTES`]; the stream must end exactly at the
/// end of `data` and its checksum must match.
fn inflate(data: &[u8]) -> Result<Vec<u8>, ShareError> {
    use miniz_oxide::inflate::core::inflate_flags::{
        TINFL_FLAG_PARSE_ZLIB_HEADER, TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
    };
    use miniz_oxide::inflate::core::{decompress, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;
    let flags = TINFL_FLAG_PARSE_ZLIB_HEADER | TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let mut d = Box::<DecompressorOxide>::default();
    let mut out = vec![0u8; (data.len() * 4).clamp(1024, MAX_DECODED_BYTES)];
    let mut in_pos = 0;
    let mut out_pos = 0;
    loop {
        let input = data.get(in_pos..).ok_or(ShareError::Damaged)?;
        let (status, used_in, used_out) = decompress(&mut d, input, &mut out, out_pos, flags);
        in_pos += used_in;
        out_pos += used_out;
        match status {
            TINFLStatus::Done => {
                if in_pos != data.len() {
                    return Err(ShareError::Damaged);
                }
                out.truncate(out_pos);
                return Ok(out);
            }
            TINFLStatus::HasMoreOutput => {
                if out.len() >= MAX_DECODED_BYTES {
                    return Err(ShareError::TooLarge);
                }
                let n = (out.len() * 2).min(MAX_DECODED_BYTES);
                out.resize(n, 0);
            }
            _ => return Err(ShareError::Damaged),
        }
    }
}

#[derive(Default)]
struct Writer {
    b: Vec<u8>,
    base_ms: i64,
    /// Bit 0: the evidence was redacted.
    flags: u64,
}

impl Writer {
    fn u(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.b.push(byte);
                return;
            }
            self.b.push(byte | 0x80);
        }
    }
    fn i(&mut self, v: i64) {
        self.u(((v << 1) ^ (v >> 63)) as u64);
    }
    fn len(&mut self, n: usize) {
        self.u(n as u64);
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.b.extend_from_slice(s.as_bytes());
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.u(0),
            Some(s) => {
                self.u(s.len() as u64 + 1);
                self.b.extend_from_slice(s.as_bytes());
            }
        }
    }
    fn strs(&mut self, v: &[String]) {
        self.len(v.len());
        for s in v {
            self.str(s);
        }
    }
    fn map(&mut self, m: &BTreeMap<String, u64>) {
        self.len(m.len());
        for (k, v) in m {
            self.str(k);
            self.u(*v);
        }
    }
    /// A latency code (see the module docs).
    fn lat(&mut self, v: Option<f64>) {
        self.u(u64::from(lat_code(v)));
    }
    /// Latency codes as differences from the previous one.
    fn lat_delta(&mut self, prev: &mut u32, v: Option<f64>) {
        let c = lat_code(v);
        self.i(i64::from(c) - i64::from(*prev));
        *prev = c;
    }
    fn real(&mut self, v: Option<f64>) {
        match v {
            None => self.u(0),
            Some(0.0) => self.u(1),
            Some(x) => {
                let m = (x.abs().ln() / REAL_STEP_LN).round();
                if x.is_finite() && m.abs() <= REAL_MAX_M {
                    let m = m as i64;
                    let zz = ((m << 1) ^ (m >> 63)) as u64;
                    self.u(3 + ((zz << 1) | u64::from(x < 0.0)));
                } else {
                    self.u(2);
                    self.b.extend_from_slice(&x.to_le_bytes());
                }
            }
        }
    }
    fn time(&mut self, s: Option<&str>) {
        match s {
            None => self.u(0),
            Some(t) => match canonical_ms(t) {
                Some(ms) => {
                    self.u(2);
                    self.i(ms.wrapping_sub(self.base_ms));
                }
                None => {
                    self.u(1);
                    self.str(t);
                }
            },
        }
    }
}

/// Epoch ms of a timestamp that formats back to exactly the same text.
fn canonical_ms(t: &str) -> Option<i64> {
    let ms = parse_timestamp(t.as_bytes())?;
    (format_rfc3339_ms(ms) == t).then_some(ms)
}

const LAT_MIN_MS: f64 = 1e-6;
const LAT_STEP_LN: f64 = 0.004_987_541_511_038_968; // ln 1.005
const LAT_MAX_CODE: u32 = 20_000;
const REAL_STEP_LN: f64 = 0.004_987_541_511_038_968; // ln 1.005
/// |ln x| / ln 1.005 of the largest and smallest finite f64 (subnormals included) fit.
const REAL_MAX_M: f64 = 150_000.0;

fn lat_code(v: Option<f64>) -> u32 {
    match v {
        None => 0,
        Some(x) if x.is_nan() => 0,
        Some(x) if x <= 0.0 => 1,
        Some(x) => {
            let q = ((x / LAT_MIN_MS).ln() / LAT_STEP_LN).round();
            2 + q.clamp(0.0, f64::from(LAT_MAX_CODE - 2)) as u32
        }
    }
}

fn lat_value(c: u64) -> Result<Option<f64>, ShareError> {
    match c {
        0 => Ok(None),
        1 => Ok(Some(0.0)),
        c if c <= u64::from(LAT_MAX_CODE) => {
            Ok(Some(LAT_MIN_MS * ((c - 2) as f64 * LAT_STEP_LN).exp()))
        }
        _ => Err(ShareError::Damaged),
    }
}

fn write_summary(w: &mut Writer, s: &Summary) {
    // The time base: the first timeline bucket, else the first group's first request.
    w.base_ms = s
        .timeline
        .series
        .iter()
        .filter_map(|ser| ser.points.first().map(|p| p.t))
        .min()
        .or_else(|| {
            s.groups
                .iter()
                .filter_map(|g| g.first_seen.as_deref().and_then(canonical_ms))
                .min()
        })
        .unwrap_or(0);
    let base = w.base_ms;
    w.u(w.flags); // flags: bit 0 = evidence redacted, bit 1 = a time zone is written
    w.i(base);

    let i = &s.input;
    for v in [
        i.bytes,
        i.lines,
        i.records,
        i.parsed,
        i.recovered,
        i.skipped,
        i.invalid_utf8_lines,
    ] {
        w.u(v);
    }
    w.map(&i.skipped_reasons);
    w.map(&i.repairs);
    w.map(&i.formats);
    w.len(i.examples.len());
    for e in &i.examples {
        w.str(&e.outcome);
        w.str(&e.reason);
        w.u(e.line_no);
        w.str(&e.text);
    }

    let f = &s.fields;
    for v in [&f.group, &f.latency, &f.latency_unit, &f.status, &f.time] {
        w.opt_str(v.as_deref());
    }
    if let Some(z) = &f.time_zone {
        w.str(z);
    }
    let c = &f.candidates;
    for v in [&c.group, &c.latency, &c.status, &c.time] {
        w.strs(v);
    }
    w.strs(&s.warnings);
    w.opt_str(s.baseline.as_deref());

    w.len(s.groups.len());
    for g in &s.groups {
        w.str(&g.key);
        w.u(g.count);
        w.u(g.errors);
        w.u(g.latency_count);
        match &g.latency_ms {
            None => w.u(0),
            Some(l) => {
                w.u(1);
                let mut prev = 0;
                for v in [l.min, l.p50, l.p90, l.p95, l.p99, l.p999, l.max] {
                    w.lat_delta(&mut prev, Some(v));
                }
                w.lat(Some(l.mean));
            }
        }
        w.time(g.first_seen.as_deref());
        w.time(g.last_seen.as_deref());
        w.map(&g.status_counts);
        // Column by column (latencies, then fractions): deflate codes each column better.
        w.len(g.cdf.len());
        let mut prev_lat = 0u32;
        for p in &g.cdf {
            w.lat_delta(&mut prev_lat, Some(p[0]));
        }
        // Fractions never decrease along a CDF: unsigned steps of 1/1000.
        let mut prev_f = 0u64;
        for p in &g.cdf {
            let fc = if p[1].is_finite() {
                (p[1].clamp(0.0, 1.0) * 1000.0).round() as u64
            } else {
                0
            };
            let fc = fc.max(prev_f);
            w.u(fc - prev_f);
            prev_f = fc;
        }
        w.len(g.evidence.len());
        for e in &g.evidence {
            w.u(e.line_no);
            w.str(&e.text);
            w.strs(&e.repairs);
            w.u(u64::from(e.is_error));
            w.lat(e.latency_ms);
        }
    }

    let t = &s.timeline;
    w.i(t.bucket_ms);
    let aligned = t.bucket_ms > 0
        && t.series.iter().all(|ser| {
            ser.points
                .iter()
                .all(|p| p.t.wrapping_sub(base).rem_euclid(t.bucket_ms) == 0)
        });
    w.u(u64::from(aligned));
    let unit = if aligned { t.bucket_ms } else { 1 };
    w.len(t.series.len());
    for ser in &t.series {
        w.str(&ser.group);
        // Column by column: bucket steps, counts, errors, p50s, p95s.
        w.len(ser.points.len());
        let mut prev_t = base;
        for p in &ser.points {
            w.i(p.t.wrapping_sub(prev_t) / unit);
            prev_t = p.t;
        }
        for p in &ser.points {
            w.u(p.count);
        }
        for p in &ser.points {
            w.u(p.errors);
        }
        let mut prev = 0u32;
        for p in &ser.points {
            w.lat_delta(&mut prev, p.p50);
        }
        let mut prev = 0u32;
        for p in &ser.points {
            w.lat_delta(&mut prev, p.p95);
        }
    }

    w.len(s.dimensions.len());
    for d in &s.dimensions {
        w.str(&d.field);
        w.u(d.distinct);
        w.len(d.values.len());
        for v in &d.values {
            w.str(&v.value);
            w.u(v.count);
            w.u(v.errors);
            w.lat(v.p50);
            w.lat(v.p95);
        }
    }

    w.len(s.findings.len());
    for f in &s.findings {
        write_finding(w, f);
    }

    w.len(s.comparisons.len());
    for c in &s.comparisons {
        w.str(&c.group);
        w.str(&c.baseline);
        w.u(c.count);
        w.u(c.baseline_count);
        for v in [
            c.error_rate,
            c.baseline_error_rate,
            c.error_rate_diff,
            c.slow_rate,
            c.baseline_slow_rate,
        ] {
            w.real(Some(v));
        }
        write_ratios(w, &c.ratios);
        write_tests(w, &c.tests);
        w.real(c.effect_size);
        w.str(&c.verdict);
        w.strs(&c.kinds);
        w.opt_str(c.explained_by.as_deref());
    }
}

fn write_ratios(w: &mut Writer, r: &Ratios) {
    w.real(r.p50);
    w.real(r.p95);
    w.real(r.p99);
}

fn write_tests(w: &mut Writer, t: &Tests) {
    w.real(t.latency);
    w.real(t.tail);
    w.real(t.errors);
}

fn write_quantiles(w: &mut Writer, q: &Option<Quantiles>) {
    match q {
        None => w.u(0),
        Some(q) => {
            w.u(1);
            let mut prev = 0;
            for v in [q.p50, q.p95, q.p99] {
                w.lat_delta(&mut prev, Some(v));
            }
        }
    }
}

fn write_finding(w: &mut Writer, f: &Finding) {
    w.str(&f.field);
    w.str(&f.value);
    w.str(&f.kind);
    w.str(&f.verdict);
    w.opt_str(f.baseline.as_deref());
    w.str(&f.compared_with);
    for v in [f.requests, f.compared_requests, f.bad_requests, f.errors] {
        w.u(v);
    }
    for v in [f.error_rate, f.compared_error_rate, f.error_rate_diff] {
        w.real(Some(v));
    }
    w.lat(f.slow_threshold_ms);
    w.real(Some(f.slow_rate));
    w.real(Some(f.compared_slow_rate));
    write_quantiles(w, &f.latency_ms);
    write_quantiles(w, &f.compared_latency_ms);
    write_ratios(w, &f.ratios);
    w.real(f.p_value);
    write_tests(w, &f.tests);
    w.real(f.effect_size);
    w.real(Some(f.share_of_bad));
    w.real(Some(f.lift));
    w.time(f.started_at.as_deref());
    w.opt_str(f.started_basis.as_deref());
    w.time(f.ended_at.as_deref());
    match f.lasted_ms {
        None => w.u(0),
        Some(ms) => {
            w.u(1);
            w.i(ms);
        }
    }
    w.len(f.symptoms.len());
    for x in &f.symptoms {
        w.str(&x.field);
        w.str(&x.value);
        w.u(x.count);
        w.real(Some(x.share));
        w.str(&x.scope);
    }
    w.strs(&f.aliases);
    w.str(&f.summary);
}

// --- reading -----------------------------------------------------------------------------------

/// Caps on decoded counts (each item also needs at least one byte of the body).
const MAX_ITEMS: usize = 4096;
const MAX_STR: usize = 64 * 1024;

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
    /// The flags read from the body (bit 0: evidence redacted).
    flags: u64,
}

type R<T> = Result<T, ShareError>;
const BAD: ShareError = ShareError::Damaged;

impl Reader<'_> {
    fn byte(&mut self) -> R<u8> {
        let v = *self.b.get(self.pos).ok_or(BAD)?;
        self.pos += 1;
        Ok(v)
    }
    fn u(&mut self) -> R<u64> {
        let mut v: u64 = 0;
        for k in 0..10 {
            let byte = self.byte()?;
            let bits = u64::from(byte & 0x7f);
            if k == 9 && bits > 1 {
                return Err(BAD);
            }
            v |= bits << (7 * k);
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(BAD)
    }
    fn i(&mut self) -> R<i64> {
        let z = self.u()?;
        Ok(((z >> 1) as i64) ^ -((z & 1) as i64))
    }
    fn bool(&mut self) -> R<bool> {
        match self.u()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(BAD),
        }
    }
    fn remaining(&self) -> usize {
        self.b.len().saturating_sub(self.pos)
    }
    /// A count of items, each at least one byte long.
    fn count(&mut self, cap: usize) -> R<usize> {
        let n = self.u()?;
        if n > cap as u64 || n > self.remaining() as u64 {
            return Err(BAD);
        }
        Ok(n as usize)
    }
    fn bytes(&mut self, n: usize) -> R<&[u8]> {
        let end = self.pos.checked_add(n).ok_or(BAD)?;
        let s = self.b.get(self.pos..end).ok_or(BAD)?;
        self.pos = end;
        Ok(s)
    }
    fn str_of(&mut self, n: usize) -> R<String> {
        if n > MAX_STR {
            return Err(BAD);
        }
        let b = self.bytes(n)?;
        std::str::from_utf8(b).map(str::to_string).map_err(|_| BAD)
    }
    fn str(&mut self) -> R<String> {
        let n = self.u()?;
        self.str_of(usize::try_from(n).map_err(|_| BAD)?)
    }
    fn opt_str(&mut self) -> R<Option<String>> {
        match self.u()? {
            0 => Ok(None),
            n => Ok(Some(self.str_of(usize::try_from(n - 1).map_err(|_| BAD)?)?)),
        }
    }
    fn strs(&mut self) -> R<Vec<String>> {
        let n = self.count(MAX_ITEMS)?;
        (0..n).map(|_| self.str()).collect()
    }
    fn map(&mut self) -> R<BTreeMap<String, u64>> {
        let n = self.count(MAX_ITEMS)?;
        let mut m = BTreeMap::new();
        for _ in 0..n {
            let k = self.str()?;
            let v = self.u()?;
            m.insert(k, v);
        }
        Ok(m)
    }
    fn lat(&mut self) -> R<Option<f64>> {
        let c = self.u()?;
        lat_value(c)
    }
    fn lat_delta(&mut self, prev: &mut u32) -> R<Option<f64>> {
        let d = self.i()?;
        let c = i64::from(*prev).checked_add(d).ok_or(BAD)?;
        let c = u32::try_from(c).map_err(|_| BAD)?;
        *prev = c;
        lat_value(u64::from(c))
    }
    fn lat_some(&mut self, prev: &mut u32) -> R<f64> {
        self.lat_delta(prev)?.ok_or(BAD)
    }
    fn real(&mut self) -> R<Option<f64>> {
        match self.u()? {
            0 => Ok(None),
            1 => Ok(Some(0.0)),
            2 => {
                let b: [u8; 8] = self.bytes(8)?.try_into().map_err(|_| BAD)?;
                Ok(Some(f64::from_le_bytes(b)))
            }
            v => {
                let v = v - 3;
                let zz = v >> 1;
                let m = ((zz >> 1) as i64) ^ -((zz & 1) as i64);
                if m.unsigned_abs() as f64 > REAL_MAX_M {
                    return Err(BAD);
                }
                let x = (m as f64 * REAL_STEP_LN).exp();
                Ok(Some(if v & 1 == 1 { -x } else { x }))
            }
        }
    }
    fn real_some(&mut self) -> R<f64> {
        self.real()?.ok_or(BAD)
    }
    fn time(&mut self, base: i64) -> R<Option<String>> {
        match self.u()? {
            0 => Ok(None),
            1 => Ok(Some(self.str()?)),
            2 => Ok(Some(format_rfc3339_ms(base.wrapping_add(self.i()?)))),
            _ => Err(BAD),
        }
    }
}

fn read_summary(r: &mut Reader<'_>) -> R<Summary> {
    let mut s = Summary::default();
    r.flags = r.u()?;
    let base = r.i()?;

    let i = &mut s.input;
    i.bytes = r.u()?;
    i.lines = r.u()?;
    i.records = r.u()?;
    i.parsed = r.u()?;
    i.recovered = r.u()?;
    i.skipped = r.u()?;
    i.invalid_utf8_lines = r.u()?;
    i.skipped_reasons = r.map()?;
    i.repairs = r.map()?;
    i.formats = r.map()?;
    let n = r.count(64)?;
    for _ in 0..n {
        i.examples.push(Example {
            outcome: r.str()?,
            reason: r.str()?,
            line_no: r.u()?,
            text: r.str()?,
        });
    }

    let f = &mut s.fields;
    f.group = r.opt_str()?;
    f.latency = r.opt_str()?;
    f.latency_unit = r.opt_str()?;
    f.status = r.opt_str()?;
    f.time = r.opt_str()?;
    if r.flags & 2 != 0 {
        f.time_zone = Some(r.str()?);
    }
    f.candidates.group = r.strs()?;
    f.candidates.latency = r.strs()?;
    f.candidates.status = r.strs()?;
    f.candidates.time = r.strs()?;
    s.warnings = r.strs()?;
    s.baseline = r.opt_str()?;

    let n = r.count(256)?;
    for _ in 0..n {
        let mut g = GroupSummary {
            key: r.str()?,
            count: r.u()?,
            errors: r.u()?,
            latency_count: r.u()?,
            ..Default::default()
        };
        g.error_rate = if g.count > 0 {
            g.errors as f64 / g.count as f64
        } else {
            0.0
        };
        if r.bool()? {
            let mut prev = 0;
            let min = r.lat_some(&mut prev)?;
            let p50 = r.lat_some(&mut prev)?;
            let p90 = r.lat_some(&mut prev)?;
            let p95 = r.lat_some(&mut prev)?;
            let p99 = r.lat_some(&mut prev)?;
            let p999 = r.lat_some(&mut prev)?;
            let max = r.lat_some(&mut prev)?;
            let mean = r.lat()?.ok_or(BAD)?;
            g.latency_ms = Some(LatencyStats {
                min,
                mean,
                p50,
                p90,
                p95,
                p99,
                p999,
                max,
            });
        }
        g.first_seen = r.time(base)?;
        g.last_seen = r.time(base)?;
        g.status_counts = r.map()?;
        let n = r.count(MAX_ITEMS)?;
        let mut prev_lat = 0u32;
        for _ in 0..n {
            let x = r.lat_some(&mut prev_lat)?;
            g.cdf.push([x, 0.0]);
        }
        let mut prev_f = 0u64;
        for p in &mut g.cdf {
            prev_f = prev_f.checked_add(r.u()?).ok_or(BAD)?;
            if prev_f > 1000 {
                return Err(BAD);
            }
            p[1] = prev_f as f64 / 1000.0;
        }
        let n = r.count(256)?;
        for _ in 0..n {
            g.evidence.push(Evidence {
                line_no: r.u()?,
                text: r.str()?,
                repairs: r.strs()?,
                is_error: r.bool()?,
                latency_ms: r.lat()?,
            });
        }
        s.groups.push(g);
    }

    let t = &mut s.timeline;
    t.bucket_ms = r.i()?;
    let aligned = r.bool()?;
    if aligned && t.bucket_ms <= 0 {
        return Err(BAD);
    }
    let unit = if aligned { t.bucket_ms } else { 1 };
    let n = r.count(256)?;
    for _ in 0..n {
        let mut ser = TimelineSeries {
            group: r.str()?,
            points: Vec::new(),
        };
        let m = r.count(MAX_ITEMS)?;
        let mut prev_t = base;
        for _ in 0..m {
            let dt = r.i()?.checked_mul(unit).ok_or(BAD)?;
            prev_t = prev_t.checked_add(dt).ok_or(BAD)?;
            ser.points.push(TimelinePoint {
                t: prev_t,
                ..Default::default()
            });
        }
        for p in &mut ser.points {
            p.count = r.u()?;
        }
        for p in &mut ser.points {
            p.errors = r.u()?;
        }
        let mut prev = 0u32;
        for p in &mut ser.points {
            p.p50 = r.lat_delta(&mut prev)?;
        }
        let mut prev = 0u32;
        for p in &mut ser.points {
            p.p95 = r.lat_delta(&mut prev)?;
        }
        t.series.push(ser);
    }

    let n = r.count(MAX_ITEMS)?;
    for _ in 0..n {
        let mut d = Dimension {
            field: r.str()?,
            distinct: r.u()?,
            values: Vec::new(),
        };
        let m = r.count(MAX_ITEMS)?;
        for _ in 0..m {
            d.values.push(DimensionValue {
                value: r.str()?,
                count: r.u()?,
                errors: r.u()?,
                p50: r.lat()?,
                p95: r.lat()?,
            });
        }
        s.dimensions.push(d);
    }

    let n = r.count(256)?;
    for _ in 0..n {
        s.findings.push(read_finding(r, base)?);
    }

    let n = r.count(256)?;
    for _ in 0..n {
        s.comparisons.push(Comparison {
            group: r.str()?,
            baseline: r.str()?,
            count: r.u()?,
            baseline_count: r.u()?,
            error_rate: r.real_some()?,
            baseline_error_rate: r.real_some()?,
            error_rate_diff: r.real_some()?,
            slow_rate: r.real_some()?,
            baseline_slow_rate: r.real_some()?,
            ratios: read_ratios(r)?,
            tests: read_tests(r)?,
            effect_size: r.real()?,
            verdict: r.str()?,
            kinds: r.strs()?,
            explained_by: r.opt_str()?,
        });
    }
    Ok(s)
}

fn read_ratios(r: &mut Reader<'_>) -> R<Ratios> {
    Ok(Ratios {
        p50: r.real()?,
        p95: r.real()?,
        p99: r.real()?,
    })
}

fn read_tests(r: &mut Reader<'_>) -> R<Tests> {
    Ok(Tests {
        latency: r.real()?,
        tail: r.real()?,
        errors: r.real()?,
    })
}

fn read_quantiles(r: &mut Reader<'_>) -> R<Option<Quantiles>> {
    if !r.bool()? {
        return Ok(None);
    }
    let mut prev = 0;
    Ok(Some(Quantiles {
        p50: r.lat_some(&mut prev)?,
        p95: r.lat_some(&mut prev)?,
        p99: r.lat_some(&mut prev)?,
    }))
}

fn read_finding(r: &mut Reader<'_>, base: i64) -> R<Finding> {
    let mut f = Finding {
        field: r.str()?,
        value: r.str()?,
        kind: r.str()?,
        verdict: r.str()?,
        baseline: r.opt_str()?,
        compared_with: r.str()?,
        requests: r.u()?,
        compared_requests: r.u()?,
        bad_requests: r.u()?,
        errors: r.u()?,
        error_rate: r.real_some()?,
        compared_error_rate: r.real_some()?,
        error_rate_diff: r.real_some()?,
        slow_threshold_ms: r.lat()?,
        slow_rate: r.real_some()?,
        compared_slow_rate: r.real_some()?,
        latency_ms: read_quantiles(r)?,
        compared_latency_ms: read_quantiles(r)?,
        ratios: read_ratios(r)?,
        p_value: r.real()?,
        tests: read_tests(r)?,
        effect_size: r.real()?,
        share_of_bad: r.real_some()?,
        lift: r.real_some()?,
        started_at: r.time(base)?,
        started_basis: r.opt_str()?,
        ended_at: r.time(base)?,
        ..Default::default()
    };
    f.lasted_ms = if r.bool()? { Some(r.i()?) } else { None };
    let n = r.count(256)?;
    for _ in 0..n {
        f.symptoms.push(Symptom {
            field: r.str()?,
            value: r.str()?,
            count: r.u()?,
            share: r.real_some()?,
            scope: r.str()?,
        });
    }
    f.aliases = r.strs()?;
    f.summary = r.str()?;
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_codes_round_trip() {
        let mut w = Writer::default();
        let ints = [0u64, 1, 127, 128, 300, u64::MAX];
        for v in ints {
            w.u(v);
        }
        let signed = [0i64, -1, 1, i64::MIN, i64::MAX];
        for v in signed {
            w.i(v);
        }
        let reals = [
            0.0,
            1.0,
            -0.5,
            0.0054,
            7.6,
            1e-20,
            1e-300,
            5e-324,
            f64::INFINITY,
            123456.0,
        ];
        for v in reals {
            w.real(Some(v));
        }
        let mut r = Reader {
            b: &w.b,
            pos: 0,
            flags: 0,
        };
        for v in ints {
            assert_eq!(r.u().unwrap(), v);
        }
        for v in signed {
            assert_eq!(r.i().unwrap(), v);
        }
        for v in reals {
            let d = r.real_some().unwrap();
            if v == 0.0 || !v.is_finite() {
                assert_eq!(d, v);
            } else {
                assert!(((d - v) / v).abs() <= REAL_REL_ERROR, "{v} → {d}");
            }
        }
        assert_eq!(r.remaining(), 0);
        // An 11-byte varint and a 10th byte with too many bits are damaged.
        let mut r = Reader {
            b: &[0xff; 11],
            pos: 0,
            flags: 0,
        };
        assert!(r.u().is_err());
        let mut r = Reader {
            b: &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],
            pos: 0,
            flags: 0,
        };
        assert!(r.u().is_err());
    }

    #[test]
    fn latency_codes_are_within_the_bound() {
        let mut x = 1e-5;
        while x < 1e9 {
            let d = lat_value(u64::from(lat_code(Some(x)))).unwrap().unwrap();
            assert!(((d - x) / x).abs() <= LATENCY_REL_ERROR, "{x} → {d}");
            x *= 1.37;
        }
        assert_eq!(
            lat_value(u64::from(lat_code(Some(0.0)))).unwrap(),
            Some(0.0)
        );
        assert_eq!(lat_value(u64::from(lat_code(None))).unwrap(), None);
        assert!(lat_value(u64::from(LAT_MAX_CODE) + 1).is_err());
    }

    #[test]
    fn cdf_reduction_keeps_ends_and_shape() {
        let cdf: Vec<[f64; 2]> = (1..=200)
            .map(|i| [f64::from(i) * 5.0, f64::from(i) / 200.0])
            .collect();
        let r = reduce_cdf(&cdf, 24);
        assert_eq!(r.len(), 24);
        assert_eq!(r[0], cdf[0]);
        assert_eq!(r[23], cdf[199]);
        assert!(r.windows(2).all(|w| w[0][0] < w[1][0]));
        assert_eq!(reduce_cdf(&cdf[..3], 24), cdf[..3].to_vec());
    }

    #[test]
    fn weighted_choice_picks_real_values() {
        let mut v = vec![(100.0, 10), (900.0, 10), (110.0, 10)];
        assert_eq!(weighted_choice(&mut v, 0.5), Some(110.0));
        assert_eq!(weighted_choice(&mut v, 0.95), Some(900.0));
        assert_eq!(weighted_choice(&mut [], 0.5), None);
    }

    #[test]
    fn rebucket_sums_counts_exactly() {
        let points: Vec<TimelinePoint> = (0..200)
            .map(|k| TimelinePoint {
                t: 1_764_259_200_000 + k * 60_000,
                count: 10 + k as u64 % 7,
                errors: k as u64 % 3,
                p50: Some(100.0 + k as f64),
                p95: (k % 5 != 0).then_some(200.0),
            })
            .collect();
        let total: u64 = points.iter().map(|p| p.count).sum();
        let errors: u64 = points.iter().map(|p| p.errors).sum();
        let t = rebucket(
            60_000,
            vec![TimelineSeries {
                group: "a".into(),
                points,
            }],
            48,
        );
        assert_eq!(t.bucket_ms, 480_000);
        let p = &t.series[0].points;
        assert!(p.len() <= 48);
        assert_eq!(p.iter().map(|p| p.count).sum::<u64>(), total);
        assert_eq!(p.iter().map(|p| p.errors).sum::<u64>(), errors);
        assert!(p.iter().all(|p| p.t % 480_000 == 0));
    }

    #[test]
    fn errors_read_well() {
        assert_eq!(
            ShareError::NewerVersion(2).to_string(),
            "this link is from a newer version of logdrop (format 2): open it with the latest \
             logdrop page"
        );
        assert!(ShareError::Damaged
            .to_string()
            .contains("damaged or incomplete"));
        assert_eq!(decode(""), Err(ShareError::Empty));
        assert_eq!(decode("#r="), Err(ShareError::Empty));
        assert_eq!(decode("AA"), Err(ShareError::UnknownVersion(0)));
        assert_eq!(decode("Ag"), Err(ShareError::NewerVersion(2)));
        assert_eq!(decode("AQ"), Err(ShareError::Damaged));
        assert_eq!(decode("!!!"), Err(ShareError::Damaged));
    }

    #[test]
    fn decompression_is_capped() {
        let big = vec![0u8; MAX_DECODED_BYTES + 10];
        let z = miniz_oxide::deflate::compress_to_vec_zlib(&big, 9);
        let mut b = vec![VERSION];
        b.extend_from_slice(&z);
        assert_eq!(
            decode(&URL_SAFE_NO_PAD.encode(&b)),
            Err(ShareError::TooLarge)
        );
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        let frag = encode(&Summary::default(), &ShareOptions::default());
        let mut b = URL_SAFE_NO_PAD.decode(frag.as_bytes()).unwrap();
        assert!(decode(&frag).is_ok());
        b.push(0);
        assert_eq!(
            decode(&URL_SAFE_NO_PAD.encode(&b)),
            Err(ShareError::Damaged)
        );
        // A body with a byte too many, recompressed with a valid checksum.
        let mut w = Writer::default();
        write_summary(&mut w, &Summary::default());
        w.b.push(0);
        let mut b = vec![VERSION];
        b.extend_from_slice(&miniz_oxide::deflate::compress_to_vec_zlib(&w.b, 9));
        assert_eq!(
            decode(&URL_SAFE_NO_PAD.encode(&b)),
            Err(ShareError::Damaged)
        );
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn decode_never_panics_on_text(s in "\\PC{0,400}") {
            let _ = decode(&s);
        }

        #[test]
        fn decode_never_panics_on_base64(b in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = decode(&URL_SAFE_NO_PAD.encode(&b));
            let mut v = vec![VERSION];
            v.extend_from_slice(&b);
            let _ = decode(&URL_SAFE_NO_PAD.encode(&v));
        }

        /// Valid zlib around random bodies: reaches the binary reader.
        #[test]
        fn decode_never_panics_on_random_bodies(b in proptest::collection::vec(any::<u8>(), 0..800)) {
            let mut v = vec![VERSION];
            v.extend_from_slice(&miniz_oxide::deflate::compress_to_vec_zlib(&b, 1));
            let _ = decode(&URL_SAFE_NO_PAD.encode(&v));
        }

        #[test]
        fn redact_never_panics(s in "\\PC{0,300}") {
            let _ = crate::redact::redact(&s);
        }
    }
}
