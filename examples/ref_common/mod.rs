//! What the two benchmark references share (`ref_serde`, `ref_serde_issue`): reading the file
//! in 1 MiB pieces, memchr lines, `serde_json::from_slice` of each line into the reference's
//! borrowed struct, and the per-version counts, errors and mean latency they print. Lines that
//! fail to parse are skipped (and counted): no lenient path, no schema detection, no
//! histograms. `logdrop analyze` does all of those, so each is a floor it is measured against.
//! An error is any `status` other than `"OK"`, as `gen_bench` counts them.
//!
//! Each reference is a binary of its own, built with only its struct: with both in one binary,
//! the three-field one ran ~10% slower (serde_json's code shared by two instantiations).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::env;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::process::ExitCode;

/// What a reference reads from a record.
pub trait Rec<'a>: Deserialize<'a> {
    fn latency(&self) -> Option<f64>;
    fn status(&self) -> Option<&'a str>;
    fn version(&self) -> Option<&'a str>;
    /// The lengths of the other fields read (0: none).
    fn other_bytes(&self) -> usize;
}

/// A reference's struct, for any borrow.
pub trait Fields {
    type R<'a>: Rec<'a>;
}

/// `reference!(Name { extra, … })`: the struct `Name` with the seed's three fields
/// (`responseTimeMs`, `status`, `modelVersion`) and the `extra` ones, each its own member (not
/// `#[serde(flatten)]`, which would buffer every record in a map), borrowed, their lengths
/// summed; its [`Rec`], and `Name::Fields` for [`main`].
macro_rules! reference {
    ($name:ident { $($extra:ident),* }) => {
        #[derive(serde::Deserialize)]
        struct $name<'a> {
            #[serde(rename = "responseTimeMs")]
            rt: Option<f64>,
            #[serde(borrow)]
            status: Option<&'a str>,
            #[serde(rename = "modelVersion", borrow)]
            v: Option<&'a str>,
            $(
                #[serde(borrow)]
                $extra: Option<&'a str>,
            )*
        }

        impl<'a> common::Rec<'a> for $name<'a> {
            fn latency(&self) -> Option<f64> {
                self.rt
            }
            fn status(&self) -> Option<&'a str> {
                self.status
            }
            fn version(&self) -> Option<&'a str> {
                self.v
            }
            fn other_bytes(&self) -> usize {
                0 $(+ self.$extra.map_or(0, str::len))*
            }
        }

        impl common::Fields for $name<'static> {
            type R<'a> = $name<'a>;
        }
    };
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
    other_bytes: usize,
    groups: BTreeMap<String, Group>,
}

impl Totals {
    fn line<'a, R: Rec<'a>>(&mut self, line: &'a [u8]) {
        self.lines += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Ok(r) = serde_json::from_slice::<R>(line) else {
            self.failed += 1;
            return;
        };
        self.other_bytes = self.other_bytes.wrapping_add(r.other_bytes());
        let key = r.version().unwrap_or("(none)");
        // Look up by &str first so the common case does not allocate.
        let g = match self.groups.get_mut(key) {
            Some(g) => g,
            None => self.groups.entry(key.to_owned()).or_default(),
        };
        g.count += 1;
        g.errors += u64::from(r.status().is_some_and(|s| s != "OK"));
        if let Some(rt) = r.latency() {
            g.latency_sum += rt;
            g.latency_count += 1;
        }
    }
}

/// The reference `name` with the struct of `F`: `name <file>`.
pub fn main<F: Fields>(name: &str) -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let [path] = args.as_slice() else {
        eprintln!("usage: {name} <file>");
        return ExitCode::from(2);
    };
    match run::<F>(path) {
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
            if t.other_bytes != 0 {
                println!("other fields: {} bytes", t.other_bytes);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{name}: {path}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run<F: Fields>(path: &str) -> io::Result<Totals> {
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
                    totals.line::<F::R<'_>>(&carry);
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
            totals.line::<F::R<'_>>(&buf[start..base + nl]);
            start = base + nl + 1;
        }
        carry.extend_from_slice(&buf[start..]);
        let n = buf.len();
        reader.consume(n);
    }
    if !carry.is_empty() {
        totals.line::<F::R<'_>>(&carry);
    }
    Ok(totals)
}
