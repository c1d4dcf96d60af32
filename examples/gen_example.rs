//! Writes the bundled example log: a Friday-evening incident like the one in the seed
//! analysis. `cargo run --example gen_example [OUT]` (default
//! `tests/fixtures/example/friday-incident.log`). Deterministic: the same bytes on every run
//! (a fixed-seed SplitMix64, no `rand` crate), so the committed file can be regenerated.
//!
//! The story, 2026-11-27 (a Friday) 16:00–19:30 UTC, NDJSON with `ts`, `level`, `endpoint`,
//! `tenant`, `modelVersion`, `responseTimeMs`, `status`, `requestId`:
//!
//! * `v1.2` serves everything until 17:45: ~100 ms, `OK`, a rare `Error`.
//! * `v1.3` is deployed at 17:45 and takes ~85 % of the traffic: ~7× slower, mostly
//!   `Timeout`; its logger sometimes drops the opening quote of the first key (the seed's
//!   `{responseTimeMs": 820, …` line, which also appears verbatim).
//! * A few other faults people really see: trailing commas, a line cut by a crash, and a
//!   Python stack trace printed into the same stream.

use std::fmt::Write as _;

/// SplitMix64: tiny, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Log-normal with the given median and shape (Box–Muller).
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        let u1 = self.unit().max(1e-12);
        let u2 = self.unit();
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        median * (sigma * z).exp()
    }
}

const ENDPOINTS: [&str; 3] = ["/v1/score", "/v1/decision", "/v1/explain"];
const TENANTS: [&str; 5] = [
    "acme-lending",
    "northwind-credit",
    "bluebird-loans",
    "harbor-finance",
    "summit-cu",
];
const START_MIN: u32 = 16 * 60;
const END_MIN: u32 = 19 * 60 + 30;
const DEPLOY_MIN: u32 = 17 * 60 + 45;

fn ts(ms_of_day: u32) -> String {
    let (h, m, s, ms) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000,
    );
    format!("2026-11-27T{h:02}:{m:02}:{s:02}.{ms:03}Z")
}

const TRACEBACK: &str = "Traceback (most recent call last):
  File \"/srv/model/serve.py\", line 212, in predict
    scores = self.model.run(batch, timeout=0.75)
  File \"/srv/model/runtime.py\", line 88, in run
    raise InferenceTimeout(f\"model {self.version} exceeded {timeout}s\")
runtime.InferenceTimeout: model v1.3 exceeded 0.75s
";

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/example/friday-incident.log"
        )
        .to_string()
    });
    let mut rng = Rng(0x1f2d_2026_1127_1745);
    let mut log = String::with_capacity(600 << 10);
    let mut n_lines = 0u32;
    for minute in START_MIN..END_MIN {
        // Traffic grows a little into the evening.
        let per_min = 11 + (minute - START_MIN) / 60 + rng.below(5) as u32;
        let mut offsets: Vec<u32> = (0..per_min).map(|_| rng.below(60_000) as u32).collect();
        offsets.sort_unstable();
        for off in offsets {
            let t = minute * 60_000 + off;
            let is_new = minute >= DEPLOY_MIN && rng.unit() < 0.85;
            let (version, ms, status) = if is_new {
                if rng.unit() < 0.78 {
                    ("v1.3", rng.lognormal(790.0, 0.12), "Timeout")
                } else {
                    ("v1.3", rng.lognormal(640.0, 0.10), "OK")
                }
            } else if rng.unit() < 0.006 {
                ("v1.2", rng.lognormal(160.0, 0.3), "Error")
            } else {
                ("v1.2", rng.lognormal(100.0, 0.22), "OK")
            };
            let ms = ms.round().max(1.0) as u32;
            let level = match status {
                "OK" => "info",
                "Timeout" => "warn",
                _ => "error",
            };
            let endpoint = ENDPOINTS[rng.below(ENDPOINTS.len() as u64) as usize];
            let tenant = TENANTS[rng.below(TENANTS.len() as u64) as usize];
            let id = rng.next_u64() as u32;
            let fault = rng.unit();
            let line = if is_new && fault < 0.03 {
                // v1.3's logger drops the first quote, as in the seed.
                format!(
                    "{{responseTimeMs\": {ms}, \"status\": \"{status}\", \"modelVersion\": \"{version}\", \"ts\": \"{}\", \"level\": \"{level}\", \"endpoint\": \"{endpoint}\", \"tenant\": \"{tenant}\", \"requestId\": \"{id:08x}\" }}",
                    ts(t)
                )
            } else {
                let comma = if fault > 0.997 { "," } else { "" };
                format!(
                    "{{\"ts\":\"{}\",\"level\":\"{level}\",\"endpoint\":\"{endpoint}\",\"tenant\":\"{tenant}\",\"modelVersion\":\"{version}\",\"responseTimeMs\":{ms},\"status\":\"{status}\",\"requestId\":\"{id:08x}\"{comma}}}",
                    ts(t)
                )
            };
            log.push_str(&line);
            log.push('\n');
            n_lines += 1;
        }
        match minute {
            // The seed's line, verbatim.
            m if m == DEPLOY_MIN + 12 => {
                log.push_str(
                    "{responseTimeMs\": 820, \"status\": \"Timeout\", \"modelVersion\": \"v1.3\" }\n",
                );
                n_lines += 1;
            }
            // A worker crashes: its last line is cut, then the traceback.
            m if m == DEPLOY_MIN + 31 => {
                let _ = writeln!(
                    log,
                    "{{\"ts\":\"{}\",\"level\":\"warn\",\"endpoint\":\"/v1/sco",
                    ts(m * 60_000 + 59_412)
                );
                log.push_str(TRACEBACK);
                n_lines += 1 + TRACEBACK.lines().count() as u32;
            }
            _ => {}
        }
    }
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir).expect("create the output folder");
    }
    std::fs::write(&out, &log).expect("write the example log");
    eprintln!("{out}: {n_lines} lines, {} bytes", log.len());
}
