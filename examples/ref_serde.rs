//! The benchmark's reference: the obvious fast Rust program for "count, errors and mean latency
//! per version" over an NDJSON log, one thread.
//!
//! ```text
//! cargo run --release --example ref_serde -- <file>
//! ```
//!
//! A 1 MiB `BufReader`, lines split with memchr, each line deserialized with
//! `serde_json::from_slice` into a borrowed struct holding only the three fields it needs. Lines
//! that fail to parse are skipped (and counted): no lenient path, no schema detection, no
//! histograms. `logdrop analyze` does all of those, so this is the floor it is measured against.
//! An error is any `status` other than `"OK"`, as `gen_bench` counts them.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::env;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::process::ExitCode;

#[derive(Deserialize)]
struct R<'a> {
    #[serde(rename = "responseTimeMs")]
    rt: Option<f64>,
    #[serde(borrow)]
    status: Option<&'a str>,
    #[serde(rename = "modelVersion", borrow)]
    v: Option<&'a str>,
}

#[derive(Default)]
struct Group {
    count: u64,
    errors: u64,
    latency_sum: f64,
    latency_count: u64,
}

#[derive(Default)]
struct Totals {
    lines: u64,
    failed: u64,
    groups: BTreeMap<String, Group>,
}

impl Totals {
    fn line(&mut self, line: &[u8]) {
        self.lines += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Ok(r) = serde_json::from_slice::<R>(line) else {
            self.failed += 1;
            return;
        };
        let key = r.v.unwrap_or("(none)");
        // Look up by &str first so the common case does not allocate.
        let g = match self.groups.get_mut(key) {
            Some(g) => g,
            None => self.groups.entry(key.to_owned()).or_default(),
        };
        g.count += 1;
        g.errors += u64::from(r.status.is_some_and(|s| s != "OK"));
        if let Some(rt) = r.rt {
            g.latency_sum += rt;
            g.latency_count += 1;
        }
    }
}

fn main() -> ExitCode {
    let Some(path) = env::args().nth(1) else {
        eprintln!("usage: ref_serde <file>");
        return ExitCode::from(2);
    };
    match run(&path) {
        Ok(t) => {
            println!(
                "lines {} parsed {} failed {}",
                t.lines,
                t.lines - t.failed,
                t.failed
            );
            println!("version  count      errors     mean_ms");
            for (k, g) in &t.groups {
                let mean = g.latency_sum / g.latency_count.max(1) as f64;
                println!("{k:<8} {:<10} {:<10} {mean:.1}", g.count, g.errors);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ref_serde: {path}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(path: &str) -> io::Result<Totals> {
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut totals = Totals::default();
    // The unfinished last line of a buffer, completed by the next read.
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let mut start = 0;
        if !carry.is_empty() {
            match memchr::memchr(b'\n', buf) {
                Some(nl) => {
                    carry.extend_from_slice(&buf[..nl]);
                    totals.line(&carry);
                    carry.clear();
                    start = nl + 1;
                }
                None => {
                    carry.extend_from_slice(buf);
                    let n = buf.len();
                    reader.consume(n);
                    continue;
                }
            }
        }
        let base = start;
        for nl in memchr::memchr_iter(b'\n', &buf[base..]) {
            totals.line(&buf[start..base + nl]);
            start = base + nl + 1;
        }
        carry.extend_from_slice(&buf[start..]);
        let n = buf.len();
        reader.consume(n);
    }
    if !carry.is_empty() {
        totals.line(&carry);
    }
    Ok(totals)
}
