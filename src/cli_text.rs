//! The CLI's text output: aligned tables a person reads in a terminal.

use logdrop::units::{format_rfc3339_ms, parse_timestamp, Zone};
use logdrop::Summary;
use std::io::{self, Write};

fn ms(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.1}s", v / 1000.0)
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn pct(r: f64) -> String {
    if r == 0.0 {
        "0%".into()
    } else if r < 0.001 {
        format!("{:.3}%", r * 100.0)
    } else {
        format!("{:.1}%", r * 100.0)
    }
}

/// Terminal-safe text: control characters (escape sequences from a log) are shown escaped.
fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

pub fn write_table(out: &mut impl Write, s: &Summary) -> io::Result<()> {
    let f = &s.fields;
    let show = |o: &Option<String>| o.as_deref().map(safe).unwrap_or_else(|| "—".into());
    // Times on the clock the log's timestamps name, as in the sentences (the JSON keeps UTC).
    let zone = Zone::from_name(f.time_zone.as_deref());
    let shown = |t: &Option<String>| match t.as_deref().and_then(|t| parse_timestamp(t.as_bytes()))
    {
        Some(ms) => format_rfc3339_ms(zone.local_ms(ms))
            .get(..19)
            .unwrap_or_default()
            .replace('T', " "),
        None => "—".into(),
    };
    writeln!(
        out,
        "fields: group={}  latency={}{}  status={}  time={}{}",
        show(&f.group),
        show(&f.latency),
        f.latency_unit
            .as_deref()
            .map(|u| format!(" ({u})"))
            .unwrap_or_default(),
        show(&f.status),
        show(&f.time),
        match (&f.time, zone) {
            (None, _) => String::new(),
            (Some(_), Zone::Unnamed) => " (no zone written: times as in the log)".into(),
            (Some(_), z) => format!(" (times in{})", z.suffix()),
        }
    )?;
    let i = &s.input;
    write!(
        out,
        "input:  {} lines, {} records: {} parsed, {} repaired, {} skipped",
        i.lines, i.records, i.parsed, i.recovered, i.skipped
    )?;
    if !i.skipped_reasons.is_empty() {
        let r: Vec<String> = i
            .skipped_reasons
            .iter()
            .map(|(k, v)| format!("{v} {}", k.replace('_', " ")))
            .collect();
        write!(out, " ({})", r.join(", "))?;
    }
    writeln!(out)?;
    if !i.repairs.is_empty() {
        let r: Vec<String> = i
            .repairs
            .iter()
            .map(|(k, v)| format!("{v} {}", k.replace('_', " ")))
            .collect();
        writeln!(out, "repairs: {}", r.join(", "))?;
    }
    writeln!(out)?;

    let header = [
        "group",
        "count",
        "errors",
        "err%",
        "p50",
        "p90",
        "p95",
        "p99",
        "max",
        "first seen",
        "last seen",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    for g in &s.groups {
        let l = g.latency_ms;
        let q = |f: fn(&logdrop::summary::LatencyStats) -> f64| {
            l.as_ref().map(|l| ms(f(l))).unwrap_or_else(|| "—".into())
        };
        let mut key = safe(&g.key);
        if s.baseline.as_deref() == Some(g.key.as_str()) {
            key.push_str(" *");
        }
        rows.push(vec![
            key,
            g.count.to_string(),
            g.errors.to_string(),
            pct(g.error_rate),
            q(|l| l.p50),
            q(|l| l.p90),
            q(|l| l.p95),
            q(|l| l.p99),
            q(|l| l.max),
            shown(&g.first_seen),
            shown(&g.last_seen),
        ]);
    }
    let cols = header.len();
    let width: Vec<usize> = (0..cols)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for (n, r) in rows.iter().enumerate() {
        let mut line = String::new();
        for c in 0..cols {
            let cell = &r[c];
            let pad = width[c] - cell.chars().count();
            if c == 0 || c >= 9 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
            line.push_str("  ");
        }
        writeln!(out, "{}", line.trim_end())?;
        if n == 0 {
            writeln!(
                out,
                "{}",
                "-".repeat(width.iter().sum::<usize>() + 2 * (cols - 1))
            )?;
        }
    }
    writeln!(out, "latency in ms")?;
    for w in &s.warnings {
        writeln!(out, "note: {}", safe(w))?;
    }
    write_findings(out, s)
}

/// A p-value for people: `p < 0.001`, `p = 0.03`, `p = 0.33`.
fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {:.2}", p)
    }
}

/// The findings (strongest first) and the groups whose difference another field explains.
pub fn write_findings(out: &mut impl Write, s: &Summary) -> io::Result<()> {
    writeln!(out)?;
    if s.findings.is_empty() {
        let judged = s.comparisons.len();
        if judged > 0 {
            writeln!(
                out,
                "findings: none. No group is significantly and materially worse than the \
                 baseline {}, and no field value explains the slow or failed requests.",
                safe(s.baseline.as_deref().unwrap_or(""))
            )?;
        } else if s.fields.latency.is_none() {
            // Only errors could be judged: "slow" would claim what was not looked at.
            writeln!(
                out,
                "findings: none. No field value explains the failed requests (without a \
                 latency field, slow requests could not be judged)."
            )?;
        } else {
            writeln!(
                out,
                "findings: none. No field value explains the slow or failed requests."
            )?;
        }
    } else {
        writeln!(out, "findings (strongest first):")?;
    }
    for (n, f) in s.findings.iter().enumerate() {
        writeln!(out, "{:>3}. {}", n + 1, safe(&f.summary))?;
        let mut facts: Vec<String> = Vec::new();
        facts.push(if f.verdict == "regression" {
            format!("{} regression", f.kind)
        } else {
            format!("{} (too little data)", f.kind)
        });
        if let Some(p) = f.p_value {
            facts.push(p_text(p));
        }
        if let Some(d) = f.effect_size {
            facts.push(format!("Cliff's delta {d:+.2}"));
        }
        facts.push(format!(
            "{} of the bad requests, lift {:.1}×",
            pct(f.share_of_bad),
            f.lift
        ));
        writeln!(out, "     {}", facts.join("; "))?;
        if !f.symptoms.is_empty() {
            let sy: Vec<String> = f
                .symptoms
                .iter()
                .map(|x| format!("{}={} ({})", safe(&x.field), safe(&x.value), pct(x.share)))
                .collect();
            writeln!(out, "     looked like: {}", sy.join(", "))?;
        }
        if !f.aliases.is_empty() {
            let a: Vec<String> = f.aliases.iter().map(|x| safe(x)).collect();
            writeln!(out, "     same requests as: {}", a.join(", "))?;
        }
    }
    for c in s.comparisons.iter().filter(|c| c.verdict == "explained") {
        writeln!(
            out,
            "note: {} looks worse than {} ({}), but {} explains its slow or failed \
             requests: it sends more traffic there, or is slower only there (the aggregates \
             cannot tell which).",
            safe(&c.group),
            safe(&c.baseline),
            safe(&c.kinds.join("+")),
            safe(c.explained_by.as_deref().unwrap_or(""))
        )?;
    }
    Ok(())
}
