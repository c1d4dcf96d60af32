//! Benchmark input: a realistic NDJSON API log with a bad release in it.
//!
//! ```text
//! cargo run --release --example gen_bench -- <out> <bytes> <malformed_fraction> [seed]
//! ```
//!
//! Writes about `<bytes>` bytes (`-` as `<out>` writes to stdout; `<bytes>` takes a `k`, `m` or
//! `g` suffix, binary) of ~200-byte lines like
//! `{"ts":"2026-11-27T17:02:11.123Z","level":"info","endpoint":"/api/score",…,"region":"eu-west-1"}`:
//!
//! - timestamps rise evenly over six hours from 2026-11-27T12:00:00Z;
//! - `v1.2` serves everything for the first two thirds of the file, then `v1.3` takes ~40% of the
//!   traffic. `v1.2` latency is lognormal around 100 ms with ~0.5% `"Error"`; `v1.3` is ~7× slower
//!   and ~90% of its requests end in `"Timeout"`;
//! - 8 endpoints, 20 tenants (a few large, many small), 3 regions, a unique `requestId`;
//! - `<malformed_fraction>` of the lines (0 to 1) are broken the way real logs are: a key missing
//!   its opening quote (`{responseTimeMs": 820, …`), single quotes, a trailing comma, a missing
//!   closing brace (all four still carry a record), or a stack-trace text line (no record).
//!
//! The output is a pure function of the arguments (own xorshift PRNG, default seed 42). At the end
//! the exact counts go to stderr, as a table and as one JSON line starting with `{"bytes":`, so a
//! benchmark can check its answers: per version, `records` (every line that carries a record,
//! repaired or not), `errors` (status other than `"OK"`) and the same two for well-formed lines only.

use std::env;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: gen_bench <out|-> <bytes[k|m|g]> <malformed_fraction 0..1> [seed]";

const START_MS: u64 = 1_795_780_800_000; // 2026-11-27T12:00:00Z
const SPAN_MS: u64 = 6 * 3600 * 1000;
/// Where in the file (fraction of bytes) v1.3 starts taking traffic, and how much it takes.
const ROLLOUT_AT: f64 = 2.0 / 3.0;
const ROLLOUT_SHARE: f64 = 0.4;

const VERSIONS: [&str; 2] = ["v1.2", "v1.3"];
/// Endpoints with relative weights: scoring dominates, as on a real model API.
const ENDPOINTS: [(&str, u32); 8] = [
    ("/api/score", 40),
    ("/api/score/batch", 15),
    ("/api/explain", 10),
    ("/api/features", 10),
    ("/api/models", 8),
    ("/api/feedback", 7),
    ("/api/users/lookup", 6),
    ("/api/health", 4),
];
const TENANTS: [&str; 20] = [
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "stark",
    "wayne",
    "wonka",
    "tyrell",
    "cyberdyne",
    "soylent",
    "massive",
    "aperture",
    "oscorp",
    "vandelay",
    "gringotts",
    "monarch",
    "nakatomi",
    "duff",
    "prestige",
];
const REGIONS: [&str; 3] = ["eu-west-1", "us-east-1", "ap-southeast-2"];
const STACK_LINES: [&str; 6] = [
    "java.net.SocketTimeoutException: Read timed out",
    "\tat com.acme.scoring.ModelClient.invoke(ModelClient.java:214)",
    "\tat com.acme.scoring.ScoreHandler.handle(ScoreHandler.java:88)",
    "Caused by: io.grpc.StatusRuntimeException: DEADLINE_EXCEEDED: deadline exceeded after 4.999s",
    "\tat io.grpc.stub.ClientCalls.toStatusRuntimeException(ClientCalls.java:268)",
    "\t... 42 more",
];

/// The ways a line is broken, in the order they are drawn and reported.
const MALFORMED: [&str; 5] = [
    "missing_key_quote",
    "single_quotes",
    "trailing_comma",
    "missing_brace",
    "stack_trace",
];
const STACK_TRACE: usize = 4;

/// xorshift64* — small, fast, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 of the seed, so seed 0 and neighbouring seeds give unrelated streams.
        Rng(mix(seed.wrapping_add(0x9E37_79B9_7F4A_7C15)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in 0..n (n small).
    fn below(&mut self, n: usize) -> usize {
        (((self.next() >> 32) * n as u64) >> 32) as usize
    }

    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit(); // (0, 1]
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// splitmix64's finalizer: a bijection on u64, so distinct inputs give distinct request ids.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Default, Clone, Copy)]
struct Counts {
    records: u64,
    errors: u64,
    well_formed: u64,
    well_formed_errors: u64,
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    if args.len() < 3 || args.len() > 4 {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let target = match parse_size(&args[1]) {
        Some(n) if n > 0 => n,
        _ => return usage_error("<bytes> must be a positive size like 1073741824 or 1g"),
    };
    let fraction = match args[2].parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => f,
        _ => return usage_error("<malformed_fraction> must be a number from 0 to 1"),
    };
    let seed = match args.get(3).map(|s| s.parse::<u64>()) {
        None => 42,
        Some(Ok(s)) => s,
        Some(Err(_)) => return usage_error("[seed] must be a non-negative integer"),
    };
    let out: Box<dyn Write> = if args[0] == "-" {
        Box::new(io::stdout().lock())
    } else {
        match File::create(&args[0]) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("gen_bench: cannot create {}: {e}", args[0]);
                return ExitCode::FAILURE;
            }
        }
    };
    match generate(out, target, fraction, seed) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_bench: write failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("gen_bench: {msg}\n{USAGE}");
    ExitCode::from(2)
}

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim().to_ascii_lowercase();
    let (digits, unit) = match s.as_bytes().last()? {
        b'k' => (&s[..s.len() - 1], 1u64 << 10),
        b'm' => (&s[..s.len() - 1], 1 << 20),
        b'g' => (&s[..s.len() - 1], 1 << 30),
        _ => (&s[..], 1),
    };
    digits.parse::<u64>().ok()?.checked_mul(unit)
}

fn generate(out: Box<dyn Write>, target: u64, fraction: f64, seed: u64) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let mut rng = Rng::new(seed);
    let id_salt = mix(seed);
    let endpoint_total: u32 = ENDPOINTS.iter().map(|e| e.1).sum();

    let mut counts = [Counts::default(); 2];
    let mut malformed = [0u64; MALFORMED.len()];
    let mut written = 0u64;
    let mut lines = 0u64;
    let mut line = Vec::with_capacity(512);
    let mut ts_cache = TsCache::default();

    while written < target {
        let progress = written as f64 / target as f64;
        let ts = START_MS + (SPAN_MS as f64 * progress) as u64;
        let v = usize::from(progress >= ROLLOUT_AT && rng.unit() < ROLLOUT_SHARE);
        let (latency, status) = if v == 0 {
            let ms = (100f64.ln() + 0.45 * rng.normal()).exp();
            (ms, if rng.unit() < 0.005 { "Error" } else { "OK" })
        } else {
            let ms = (700f64.ln() + 0.5 * rng.normal()).exp();
            (ms, if rng.unit() < 0.9 { "Timeout" } else { "OK" })
        };
        let level = match status {
            "OK" => "info",
            "Timeout" => "warn",
            _ => "error",
        };
        let mut pick = rng.below(endpoint_total as usize) as u32;
        let endpoint = ENDPOINTS
            .iter()
            .find(|e| {
                let hit = pick < e.1;
                pick = pick.saturating_sub(e.1);
                hit
            })
            .map_or(ENDPOINTS[0].0, |e| e.0);
        // Squaring a uniform skews towards the first tenants: a few large, many small.
        let u = rng.unit();
        let tenant = TENANTS[((u * u) * TENANTS.len() as f64) as usize];
        let region = REGIONS[rng.below(REGIONS.len())];
        let request_id = mix(lines.wrapping_add(id_salt));

        line.clear();
        line.extend_from_slice(b"{\"ts\":\"");
        ts_cache.write(&mut line, ts);
        line.extend_from_slice(b"\",\"level\":\"");
        line.extend_from_slice(level.as_bytes());
        line.extend_from_slice(b"\",\"endpoint\":\"");
        line.extend_from_slice(endpoint.as_bytes());
        line.extend_from_slice(b"\",\"tenant\":\"");
        line.extend_from_slice(tenant.as_bytes());
        line.extend_from_slice(b"\",\"modelVersion\":\"");
        line.extend_from_slice(VERSIONS[v].as_bytes());
        line.extend_from_slice(b"\",\"responseTimeMs\":");
        push_uint(&mut line, latency.round().max(1.0) as u64);
        line.extend_from_slice(b",\"status\":\"");
        line.extend_from_slice(status.as_bytes());
        line.extend_from_slice(b"\",\"requestId\":\"req-");
        push_hex16(&mut line, request_id);
        line.extend_from_slice(b"\",\"region\":\"");
        line.extend_from_slice(region.as_bytes());
        line.extend_from_slice(b"\"}");

        let broken = (fraction > 0.0 && rng.unit() < fraction).then(|| rng.below(MALFORMED.len()));
        if let Some(kind) = broken {
            malformed[kind] += 1;
            match kind {
                0 => {
                    // Drop the opening quote of one key; values hold no commas, so the k-th
                    // comma is the k-th separator.
                    let k = rng.below(9);
                    let at = if k == 0 {
                        1
                    } else {
                        line.iter()
                            .enumerate()
                            .filter(|b| *b.1 == b',')
                            .nth(k - 1)
                            .map_or(1, |b| b.0 + 1)
                    };
                    line.remove(at);
                }
                1 => line
                    .iter_mut()
                    .filter(|b| **b == b'"')
                    .for_each(|b| *b = b'\''),
                2 => line.insert(line.len() - 1, b','),
                3 => {
                    line.pop();
                }
                _ => {
                    line.clear();
                    line.extend_from_slice(STACK_LINES[rng.below(STACK_LINES.len())].as_bytes());
                }
            }
        }
        if broken != Some(STACK_TRACE) {
            let c = &mut counts[v];
            let is_error = status != "OK";
            c.records += 1;
            c.errors += u64::from(is_error);
            if broken.is_none() {
                c.well_formed += 1;
                c.well_formed_errors += u64::from(is_error);
            }
        }
        line.push(b'\n');
        out.write_all(&line)?;
        written += line.len() as u64;
        lines += 1;
    }
    out.flush()?;
    drop(out);

    report(written, lines, &counts, &malformed);
    Ok(())
}

fn report(bytes: u64, lines: u64, counts: &[Counts; 2], malformed: &[u64; MALFORMED.len()]) {
    let records: u64 = counts.iter().map(|c| c.records).sum();
    eprintln!("gen_bench: {bytes} bytes, {lines} lines, {records} records");
    eprintln!("version  records    errors     well_formed  well_formed_errors");
    for (name, c) in VERSIONS.iter().zip(counts) {
        eprintln!(
            "{name:<8} {:<10} {:<10} {:<12} {}",
            c.records, c.errors, c.well_formed, c.well_formed_errors
        );
    }
    let broken: Vec<String> = MALFORMED
        .iter()
        .zip(malformed)
        .map(|(name, n)| format!("\"{name}\":{n}"))
        .collect();
    let groups: Vec<String> = VERSIONS
        .iter()
        .zip(counts)
        .map(|(name, c)| {
            format!(
                "\"{name}\":{{\"records\":{},\"errors\":{},\"well_formed\":{},\"well_formed_errors\":{}}}",
                c.records, c.errors, c.well_formed, c.well_formed_errors
            )
        })
        .collect();
    eprintln!(
        "{{\"bytes\":{bytes},\"lines\":{lines},\"records\":{records},\"malformed\":{{{}}},\"groups\":{{{}}}}}",
        broken.join(","),
        groups.join(",")
    );
}

/// Formats epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`, redoing the calendar only when the
/// day changes.
#[derive(Default)]
struct TsCache {
    day: Option<u64>,
    date: [u8; 11], // "YYYY-MM-DDT"
}

impl TsCache {
    fn write(&mut self, out: &mut Vec<u8>, epoch_ms: u64) {
        let day = epoch_ms / 86_400_000;
        if self.day != Some(day) {
            let (y, m, d) = civil_from_days(day as i64);
            let mut date = Vec::with_capacity(11);
            push_padded(&mut date, y as u64, 4);
            date.push(b'-');
            push_padded(&mut date, m as u64, 2);
            date.push(b'-');
            push_padded(&mut date, d as u64, 2);
            date.push(b'T');
            self.date.copy_from_slice(&date);
            self.day = Some(day);
        }
        out.extend_from_slice(&self.date);
        let ms_of_day = epoch_ms % 86_400_000;
        let secs = ms_of_day / 1000;
        push_padded(out, secs / 3600, 2);
        out.push(b':');
        push_padded(out, secs / 60 % 60, 2);
        out.push(b':');
        push_padded(out, secs % 60, 2);
        out.push(b'.');
        push_padded(out, ms_of_day % 1000, 3);
        out.push(b'Z');
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn push_padded(out: &mut Vec<u8>, mut n: u64, width: usize) {
    let start = out.len();
    for _ in 0..width {
        out.push(b'0' + (n % 10) as u8);
        n /= 10;
    }
    out[start..].reverse();
}

fn push_uint(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

fn push_hex16(out: &mut Vec<u8>, n: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for shift in (0..16).rev() {
        out.push(HEX[(n >> (shift * 4)) as usize & 0xf]);
    }
}
