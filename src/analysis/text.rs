//! The one-sentence summary of a finding. Every number in it is a field of the finding,
//! formatted one way everywhere: ratios `7.6×` (`12×` from 10 on), rates `91%` (one
//! decimal below 10% and above 99%, `100%` only when every request), latencies `750 ms` /
//! `1.25 s`, times `17:45 UTC` in the zone the log's timestamps name (`17:45 UTC+01:00`, or
//! `17:45` when they name none; with the date when the file spans several days there).

use super::Kind;
use crate::summary::Finding;
use crate::units::Zone;

/// What the sentence needs beyond the finding itself.
pub(crate) struct Facts<'a> {
    pub kinds: &'a [Kind],
    /// The compared side in parentheses: the baseline group or `the rest`.
    pub compared_short: &'a str,
    pub is_group: bool,
    pub baseline: Option<&'a str>,
    pub file_start: Option<i64>,
    pub file_end: Option<i64>,
    /// The zone the log's timestamps name.
    pub zone: Zone,
    pub bucket_ms: i64,
    pub started: Option<i64>,
    pub ended: Option<i64>,
}

/// `7.6×`, `12×`.
pub fn fmt_ratio(r: f64) -> String {
    if !r.is_finite() {
        "—".to_string()
    } else if r >= 9.95 {
        format!("{r:.0}×")
    } else {
        format!("{r:.1}×")
    }
}

/// `0%`, `0.05%`, `6.1%`, `91%`, `99.6%`, `100%` (only for exactly 1).
pub fn fmt_pct(f: f64) -> String {
    if f.is_nan() || f <= 0.0 {
        return "0%".to_string();
    }
    if f >= 1.0 {
        return "100%".to_string();
    }
    let p = f * 100.0;
    if p >= 99.0 {
        // Never round up to 100%.
        format!("{:.1}%", (p * 10.0).floor() / 10.0)
    } else if p >= 9.95 {
        format!("{p:.0}%")
    } else if p >= 0.995 {
        format!("{p:.1}%")
    } else if p >= 0.01 {
        format!("{p:.2}%")
    } else {
        "<0.01%".to_string()
    }
}

/// `0.120 ms`, `4.5 ms`, `90 ms`, `750 ms`, `1.25 s`, `30.0 s`.
pub fn fmt_ms(v: f64) -> String {
    if !v.is_finite() {
        "—".to_string()
    } else if v >= 10_000.0 {
        format!("{:.1} s", v / 1000.0)
    } else if v >= 1000.0 {
        format!("{:.2} s", v / 1000.0)
    } else if v >= 10.0 {
        format!("{v:.0} ms")
    } else if v >= 1.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.3} ms")
    }
}

/// How times are shown: on the clock of the zone the log's timestamps name, with the date
/// when the file spans more than one date on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    pub zone: Zone,
    pub days: bool,
}

impl Clock {
    /// For a file from `first` to `last` (epoch ms).
    pub fn new(zone: Zone, first: Option<i64>, last: Option<i64>) -> Clock {
        let date = |ms: i64| zone.local_ms(ms).div_euclid(86_400_000);
        let days = matches!((first, last), (Some(a), Some(b)) if date(a) != date(b));
        Clock { zone, days }
    }

    /// `from to until` of two times shown on this clock, its zone said once: `17:20 to 17:26
    /// UTC`.
    pub fn span(self, from: &str, until: &str) -> String {
        let suffix = self.zone.suffix();
        let from = from.strip_suffix(suffix.as_str()).unwrap_or(from);
        format!("{from} to {until}")
    }
}

/// `17:45 UTC` (`17:45 UTC+01:00`, `17:45`: see [`Zone::suffix`]), or `2026-11-27 17:45 UTC`
/// when the file spans more than one date.
pub fn fmt_time(ms: i64, c: Clock) -> String {
    let s = crate::units::format_rfc3339_ms(c.zone.local_ms(ms));
    let (date, hm) = (s.get(0..10).unwrap_or(""), s.get(11..16).unwrap_or(""));
    if c.days {
        format!("{date} {hm}{}", c.zone.suffix())
    } else {
        format!("{hm}{}", c.zone.suffix())
    }
}

/// `17:20 to 17:26 UTC` (the zone said once).
fn span(a: i64, b: i64, c: Clock) -> String {
    c.span(&fmt_time(a, c), &fmt_time(b, c))
}

fn is_timeout(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    l.contains("timeout") || l.contains("timed out") || l.contains("time out") || {
        matches!(l.as_str(), "504" | "408" | "h12")
    }
}

fn join(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [a] => a.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The finding's `summary` sentence.
pub(crate) fn sentence(f: &Finding, t: &Facts) -> String {
    let cmp = &f.compared_with;
    let short = t.compared_short;
    let r = &f.ratios;
    let has = |k: Kind| t.kinds.contains(&k);
    // Every request from a moment on: "requests are … slower", "of them".
    let all = f.field == super::ALL_REQUESTS;
    let (is, has_, its, of_its) = if all && t.ended.is_some() {
        ("were", "had", "their", "of them")
    } else if all {
        ("are", "have", "their", "of them")
    } else {
        ("is", "has", "its", "of its requests")
    };
    let mut clauses: Vec<String> = Vec::new();
    if has(Kind::Latency) {
        if let (Some(x), Some(a), Some(b)) = (r.p50, f.latency_ms, f.compared_latency_ms) {
            clauses.push(format!(
                "{is} {} slower at p50 than {cmp} ({} vs {})",
                fmt_ratio(x),
                fmt_ms(a.p50),
                fmt_ms(b.p50)
            ));
        }
    }
    if has(Kind::Tail) {
        if let (Some(a), Some(b)) = (f.latency_ms, f.compared_latency_ms) {
            let use99 = r.p99.unwrap_or(0.0) >= r.p95.unwrap_or(0.0);
            let (name, x, qa, qb) = if use99 {
                ("p99", r.p99, a.p99, b.p99)
            } else {
                ("p95", r.p95, a.p95, b.p95)
            };
            let mut c = format!(
                "{has_} a slower tail than {cmp}: {its} {name} is {} ({} vs {})",
                x.map(fmt_ratio).unwrap_or_else(|| "—".into()),
                fmt_ms(qa),
                fmt_ms(qb)
            );
            if let Some(thr) = f.slow_threshold_ms {
                let whose = match t.baseline {
                    Some(b) => format!("{b}'s p95"),
                    None => "the file's p95".to_string(),
                };
                c.push_str(&format!(
                    ", {} {of_its} ({short}: {}) take longer than {whose} of {}",
                    fmt_pct(f.slow_rate),
                    fmt_pct(f.compared_slow_rate),
                    fmt_ms(thr)
                ));
            }
            if let Some(p50) = r.p50 {
                c.push_str(&format!(", while {its} p50 is {}", fmt_ratio(p50)));
            }
            clauses.push(c);
        }
    }
    if has(Kind::Errors) {
        // "Timed out" only when timeouts are (nearly) all of the failures in one symptom
        // field: 504 beside as many 502s is "failed".
        let timed_out = f.symptoms.iter().any(|a| {
            let timeouts: f64 = f
                .symptoms
                .iter()
                .filter(|s| s.field == a.field && is_timeout(&s.value))
                .map(|s| s.share)
                .sum();
            timeouts >= 0.8
        });
        let mostly = f
            .symptoms
            .iter()
            .find(|s| s.share >= 0.6)
            .filter(|_| !timed_out)
            .map(|s| format!(", mostly with {}={}", s.field, s.value))
            .unwrap_or_default();
        // First clause: a verb phrase ("has 5.0% of its requests failing"); after another
        // clause: "and 90% of its requests timed out".
        let lead = format!("{has_} ");
        let (lead, verb) = match (clauses.is_empty(), timed_out) {
            (true, true) => (lead.as_str(), "timing out"),
            (true, false) => (lead.as_str(), "failing"),
            (false, true) => ("", "timed out"),
            (false, false) => ("", "failed"),
        };
        let mut c = format!(
            "{lead}{} {of_its} {verb} ({short}: {}){mostly}",
            fmt_pct(f.error_rate),
            fmt_pct(f.compared_error_rate)
        );
        if !has(Kind::Latency) && !has(Kind::Tail) {
            if let Some(x) = r.p50.filter(|x| (0.9..=1.1).contains(x)) {
                c.push_str(&format!(", with p50 latency unchanged ({})", fmt_ratio(x)));
            }
        }
        clauses.push(c);
    }
    let subject = format!("{}={}", f.field, f.value);
    let clock = Clock::new(t.zone, t.file_start, t.file_end);
    if all {
        let since = match (t.started, t.ended) {
            (Some(a), Some(b)) => format!("From {}, requests", span(a, b, clock)),
            (Some(a), None) => format!("Since {}, requests", fmt_time(a, clock)),
            _ => "Requests".to_string(),
        };
        return format!(
            "{since} {}; no field value in the log explains it.",
            join(&clauses)
        );
    }
    let mut s = if t.is_group {
        format!("{subject} {}", join(&clauses))
    } else {
        format!(
            "{subject} accounts for {} of the slow or failed requests (lift {}): it {}",
            fmt_pct(f.share_of_bad),
            fmt_ratio(f.lift),
            join(&clauses)
        )
    };
    if let Some(start) = t.started {
        let at = fmt_time(start, clock);
        match (f.started_basis.as_deref(), t.ended) {
            (Some("file-timeline"), _) => s.push_str(&format!(
                ", since about {at} (from the whole file's timeline)"
            )),
            (_, Some(end)) => {
                if fmt_time(end, clock) == at {
                    s.push_str(&format!(", at {at}"))
                } else {
                    s.push_str(&format!(", from {}", span(start, end, clock)))
                }
            }
            _ if t
                .file_start
                .is_some_and(|f0| start - f0 < t.bucket_ms.max(1)) =>
            {
                s.push_str(&format!(", since the start of the file ({at})"))
            }
            _ => s.push_str(&format!(", since {at}")),
        }
    }
    if f.verdict == "too-little-data" {
        s.push_str(&format!(
            ", but {} vs {} requests are too little data to be sure",
            f.requests, f.compared_requests
        ));
    } else if t.is_group {
        s.push_str(&format!(
            "; it accounts for {} of the slow or failed requests",
            fmt_pct(f.share_of_bad)
        ));
    }
    s.push('.');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(fmt_ratio(7.58), "7.6×");
        assert_eq!(fmt_ratio(12.4), "12×");
        assert_eq!(fmt_pct(0.0), "0%");
        assert_eq!(fmt_pct(1.0), "100%");
        assert_eq!(fmt_pct(0.9996), "99.9%");
        assert_eq!(fmt_pct(0.912), "91%");
        assert_eq!(fmt_pct(0.061), "6.1%");
        assert_eq!(fmt_pct(0.0005), "0.05%");
        assert_eq!(fmt_ms(750.0), "750 ms");
        assert_eq!(fmt_ms(90.0), "90 ms");
        assert_eq!(fmt_ms(1250.0), "1.25 s");
        assert_eq!(fmt_ms(30001.0), "30.0 s");
        let utc = Clock::default();
        assert_eq!(fmt_time(0, utc), "00:00 UTC");
        assert_eq!(
            fmt_time(0, Clock { days: true, ..utc }),
            "1970-01-01 00:00 UTC"
        );
        // In the log's zone, the date taken on its clock: 23:00 UTC is the next day at +01:00.
        let paris = Clock::new(Zone::Offset(60), Some(0), Some(3_600_000 * 23));
        assert!(paris.days);
        assert_eq!(fmt_time(0, paris), "1970-01-01 01:00 UTC+01:00");
        let same = Clock::new(Zone::Offset(60), Some(0), Some(3_600_000 * 22));
        assert!(!same.days);
        assert_eq!(span(0, 3_600_000, same), "01:00 to 02:00 UTC+01:00");
        let naive = Clock::new(Zone::Unnamed, Some(0), Some(60_000));
        assert_eq!(span(0, 60_000, naive), "00:00 to 00:01");
        assert!(is_timeout("Timeout") && is_timeout("Request timeout") && is_timeout("H12"));
        assert!(!is_timeout("Error"));
    }
}
