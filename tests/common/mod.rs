//! Scenario generators with known truth, for `tests/scenarios.rs`. Deterministic: one tiny
//! PRNG (SplitMix64), no `rand`. Every scenario is a day of 2026-11-27 (UTC), so times are
//! written from milliseconds of the day.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

/// The fixture logs under tests/fixtures/, one per input format plus the bundled example.
pub const FIXTURES: &[&str] = &[
    "seed/seed.log",
    "mixed/mixed.log",
    "logfmt/heroku-router.log",
    "access/nginx-combined.log",
    "text-json/app.log",
    "multiline/pretty.log",
    "multiline/array.json",
    "json/elapsed-us.log",
    "klog/klog.log",
    "alb/alb.log",
    "envoy/envoy.log",
    "docker/docker.log",
    "json/pino-levels.log",
    "example/friday-incident.log",
];

/// SplitMix64: tiny, fast, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-300);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Log-normal with the given median and log-space sigma.
    pub fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }

    /// Index chosen with the given weights.
    pub fn weighted(&mut self, w: &[f64]) -> usize {
        let total: f64 = w.iter().sum();
        let mut x = self.unit() * total;
        for (i, v) in w.iter().enumerate() {
            if x < *v {
                return i;
            }
            x -= v;
        }
        w.len() - 1
    }
}

/// `2026-11-27T17:45:03.120Z` for a millisecond of the day.
pub fn ts(ms_of_day: u64) -> String {
    let ms_of_day = ms_of_day % 86_400_000;
    let (h, m, s, ms) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000,
    );
    format!("2026-11-27T{h:02}:{m:02}:{s:02}.{ms:03}Z")
}

/// Milliseconds of the day of `hh:mm`.
pub const fn hm(h: u64, m: u64) -> u64 {
    (h * 60 + m) * 60_000
}

/// One generated JSON-lines request.
pub struct Req<'a> {
    pub t: u64,
    pub version: &'a str,
    pub endpoint: &'a str,
    pub tenant: &'a str,
    pub latency_ms: f64,
    pub status: &'a str,
}

pub fn json_line(out: &mut String, id: u64, r: &Req) {
    let _ = writeln!(
        out,
        r#"{{"ts":"{}","requestId":"req-{id:08x}","version":"{}","endpoint":"{}","tenant":"{}","latency_ms":{:.1},"status":"{}"}}"#,
        ts(r.t),
        r.version,
        r.endpoint,
        r.tenant,
        r.latency_ms,
        r.status
    );
}

pub const ENDPOINTS: [&str; 5] = ["/score", "/quote", "/apply", "/status", "/export"];
pub const TENANTS: [&str; 12] = [
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
    "oscorp",
];

/// Requests evenly spaced from `from` to `to` (ms of day), `n` of them.
pub fn times(n: u64, from: u64, to: u64) -> impl Iterator<Item = u64> {
    let step = (to - from) / n.max(1);
    (0..n).map(move |i| from + i * step)
}

/// The seed's version regression: v1.2 alone from 17:00; v1.3 deployed at 17:45 takes 60%
/// of the traffic, ~7.6× slower at p50, 90% of its requests time out.
pub fn version_regression() -> String {
    let mut r = Rng::new(1);
    let mut out = String::new();
    for (i, t) in times(24_000, hm(17, 0), hm(19, 0)).enumerate() {
        let new = t >= hm(17, 45) && r.chance(0.6);
        let (version, latency, status) = if new {
            let timeout = r.chance(0.9);
            (
                "v1.3",
                r.lognormal(760.0, 0.25),
                if timeout { "Timeout" } else { "OK" },
            )
        } else {
            (
                "v1.2",
                r.lognormal(100.0, 0.3),
                if r.chance(0.002) { "Error" } else { "OK" },
            )
        };
        let req = Req {
            t,
            version,
            endpoint: ENDPOINTS[r.below(5) as usize],
            tenant: TENANTS[r.below(12) as usize],
            latency_ms: latency,
            status,
        };
        json_line(&mut out, i as u64, &req);
    }
    out
}

/// A 5% canary (v2.1 from 17:30) whose p50 is unchanged but 12% of its requests are ~4×
/// slower: a tail-only regression.
pub fn canary_tail() -> String {
    let mut r = Rng::new(2);
    let mut out = String::new();
    for (i, t) in times(40_000, hm(17, 0), hm(19, 0)).enumerate() {
        let canary = t >= hm(17, 30) && r.chance(0.05);
        let base = r.lognormal(120.0, 0.3);
        let latency = if canary && r.chance(0.12) {
            base * 4.0
        } else {
            base
        };
        let req = Req {
            t,
            version: if canary { "v2.1" } else { "v2.0" },
            endpoint: ENDPOINTS[r.below(5) as usize],
            tenant: TENANTS[r.below(12) as usize],
            latency_ms: latency,
            status: if r.chance(0.003) { "Error" } else { "OK" },
        };
        json_line(&mut out, i as u64, &req);
    }
    out
}

/// v2 (from 17:30, half the traffic) fails 5% of its requests vs 0.3% on v1, with the
/// same latency.
pub fn errors_only() -> String {
    let mut r = Rng::new(3);
    let mut out = String::new();
    for (i, t) in times(20_000, hm(17, 0), hm(19, 0)).enumerate() {
        let v2 = t >= hm(17, 30) && r.chance(0.5);
        let fail = r.chance(if v2 { 0.05 } else { 0.003 });
        let req = Req {
            t,
            version: if v2 { "v2" } else { "v1" },
            endpoint: ENDPOINTS[r.below(5) as usize],
            tenant: TENANTS[r.below(12) as usize],
            latency_ms: r.lognormal(80.0, 0.35),
            status: if fail { "Error" } else { "OK" },
        };
        json_line(&mut out, i as u64, &req);
    }
    out
}

/// `/export` is ~8× slower than the other endpoints on every version. v2 sends 25% of its
/// traffic there, v1 3%: v2's tail looks much worse only through its traffic mix.
pub fn slow_endpoint() -> String {
    let mut r = Rng::new(4);
    let mut out = String::new();
    for (i, t) in times(24_000, hm(17, 0), hm(19, 0)).enumerate() {
        let v2 = r.chance(0.5);
        let export = r.chance(if v2 { 0.25 } else { 0.03 });
        let endpoint = if export {
            "/export"
        } else {
            ENDPOINTS[r.below(4) as usize]
        };
        let latency = if export {
            r.lognormal(800.0, 0.3)
        } else {
            r.lognormal(100.0, 0.3)
        };
        let req = Req {
            t,
            version: if v2 { "v2" } else { "v1" },
            endpoint,
            tenant: TENANTS[r.below(12) as usize],
            latency_ms: latency,
            status: if r.chance(0.003) { "Error" } else { "OK" },
        };
        json_line(&mut out, i as u64, &req);
    }
    out
}

/// Tenant `wonka` (4% of the traffic) is 5× slower on every version and endpoint from
/// `since` (ms of the day) on.
pub fn slow_tenant(since: u64) -> String {
    let mut r = Rng::new(5);
    let mut out = String::new();
    for (i, t) in times(24_000, hm(17, 0), hm(19, 0)).enumerate() {
        let wonka = r.chance(0.04);
        let slow = wonka && t >= since;
        let tenant = if wonka {
            "wonka"
        } else {
            let others: Vec<&str> = TENANTS.iter().copied().filter(|t| *t != "wonka").collect();
            others[r.below(others.len() as u64) as usize]
        };
        let base = r.lognormal(90.0, 0.3);
        let req = Req {
            t,
            version: if r.chance(0.5) { "v7" } else { "v8" },
            endpoint: ENDPOINTS[r.below(5) as usize],
            tenant,
            latency_ms: if slow { base * 5.0 } else { base },
            status: if r.chance(0.003) { "Error" } else { "OK" },
        };
        json_line(&mut out, i as u64, &req);
    }
    out
}

/// Heroku router logs (logfmt after a syslog-ish prefix). Dyno `web.3` starts failing at
/// 17:40: from then on 60% of its requests end in `at=error code=H12 desc="Request
/// timeout"` after 30 s, `status=503`.
pub fn failing_host() -> String {
    let mut r = Rng::new(6);
    let mut out = String::new();
    let paths = [
        "/api/items",
        "/api/cart",
        "/api/checkout",
        "/api/search",
        "/",
    ];
    for (i, t) in times(18_000, hm(17, 0), hm(19, 0)).enumerate() {
        let dyno = 1 + r.below(6);
        let fails = dyno == 3 && t >= hm(17, 40) && r.chance(0.6);
        let path = paths[r.below(5) as usize];
        let method = if r.chance(0.8) { "GET" } else { "POST" };
        let fwd = format!(
            "{}.{}.{}.{}",
            10 + r.below(200),
            r.below(256),
            r.below(256),
            r.below(256)
        );
        let stamp = ts(t).replace('Z', "000+00:00");
        let connect = r.below(3);
        if fails {
            let _ = writeln!(
                out,
                "{stamp} heroku[router]: at=error code=H12 desc=\"Request timeout\" method={method} path=\"{path}\" host=shop.herokuapp.com request_id={:032x} fwd=\"{fwd}\" dyno=web.{dyno} connect={connect}ms service=30001ms status=503 bytes=0 protocol=https",
                r.next_u64() as u128 * 7919 + i as u128,
            );
        } else {
            let service = r.lognormal(45.0, 0.4).round().max(1.0);
            let status = if r.chance(0.002) { 500 } else { 200 };
            let _ = writeln!(
                out,
                "{stamp} heroku[router]: at=info method={method} path=\"{path}\" host=shop.herokuapp.com request_id={:032x} fwd=\"{fwd}\" dyno=web.{dyno} connect={connect}ms service={service}ms status={status} bytes={} protocol=https",
                r.next_u64() as u128 * 7919 + i as u128,
                200 + r.below(5000),
            );
        }
    }
    out
}

/// One nginx access line (combined format plus `$request_time`) at `t` ms of the day, from a
/// random client of `10.{net}.0.0/16` with `agent`, of up to `max_bytes` bytes.
fn access_line(
    out: &mut String,
    r: &mut Rng,
    (net, agent, max_bytes): (u8, &str, u64),
    t: u64,
    path: &str,
    status: u16,
    secs: f64,
) {
    let (h, m, s) = (t / 3_600_000, t / 60_000 % 60, t / 1000 % 60);
    let _ = writeln!(
        out,
        "10.{net}.{}.{} - - [27/Nov/2026:{h:02}:{m:02}:{s:02} +0000] \"GET {path} HTTP/1.1\" {status} {} \"-\" \"{agent}\" {secs:.3}",
        r.below(4),
        1 + r.below(250),
        200 + r.below(max_bytes),
    );
}

/// An nginx access log (combined format plus `$request_time`): every request names its own
/// order or user by id (`/api/orders/48213?expand=items`), and from 18:10 the order route
/// (`/api/orders/{id}`) is 8× slower and a fifth of its requests end in 504 after 5 s.
pub fn slow_route() -> String {
    let mut r = Rng::new(8);
    let mut out = String::new();
    for t in times(20_000, hm(17, 30), hm(18, 50)) {
        let (path, orders) = match r.below(5) {
            0 => (format!("/api/orders/{}", 10_000 + r.below(90_000)), true),
            1 => (
                format!("/api/orders/{}?expand=items", 10_000 + r.below(90_000)),
                true,
            ),
            2 => (format!("/api/users/{}/cart", 1 + r.below(50_000)), false),
            3 => ("/api/items".to_string(), false),
            _ => ("/health".to_string(), false),
        };
        let slow = orders && t >= hm(18, 10);
        let base = r.lognormal(40.0, 0.3);
        let (status, secs) = if slow && r.chance(0.2) {
            (504, 5.0)
        } else if r.chance(0.002) {
            (500, base / 1000.0)
        } else {
            (200, if slow { base * 8.0 } else { base } / 1000.0)
        };
        let agent = "Mozilla/5.0 (X11; Linux x86_64)";
        access_line(&mut out, &mut r, (1, agent, 4000), t, &path, status, secs);
    }
    out
}

/// An nginx access log of routes that are normally fast and slow side by side (a static
/// file at ~5 ms, the API at ~50 ms, search at ~100 ms), no version: from 18:30 the checkout
/// route is 8× slower and a quarter of its requests fail, as many with 502 as with 504.
pub fn routes_side_by_side() -> String {
    let mut r = Rng::new(11);
    let mut out = String::new();
    let routes = [
        ("/static/app.js", 5.0),
        ("/", 50.0),
        ("/api/cart", 50.0),
        ("/api/checkout", 50.0),
        ("/api/search", 100.0),
    ];
    for t in times(30_000, hm(18, 0), hm(19, 0)) {
        let (path, median) = routes[r.below(routes.len() as u64) as usize];
        let broken = path == "/api/checkout" && t >= hm(18, 30);
        let mut ms = r.lognormal(median, 0.4);
        let mut status = 200;
        if broken {
            ms *= 8.0;
            if r.chance(0.25) {
                status = if r.chance(0.5) { 502 } else { 504 };
            }
        }
        access_line(
            &mut out,
            &mut r,
            (0, "Mozilla/5.0", 5000),
            t,
            path,
            status,
            ms / 1000.0,
        );
    }
    out
}

/// Two versions side by side all along (no rollout in the log), five endpoints, twelve
/// tenants: from 18:20 something every request uses degrades (a shared database), so every
/// version, endpoint and tenant alike gets 3× slower and 8% of requests fail with a timeout.
pub fn shared_dependency() -> String {
    all_degraded(
        12,
        24_000,
        (hm(17, 40), hm(19, 0)),
        hm(18, 20)..u64::MAX,
        (3.0, 0.08),
    )
}

/// Like [`shared_dependency`], but it passes: from 18:10 to 18:16 every request is 4×
/// slower and 10% time out, then all is as before until 19:00.
pub fn transient_spike() -> String {
    all_degraded(
        13,
        27_000,
        (hm(17, 30), hm(19, 0)),
        hm(18, 10)..hm(18, 16),
        (4.0, 0.1),
    )
}

/// `n` requests from `span.0` to `span.1` on two versions side by side; those at a time
/// within `bad` are `slower`× slower and fail (time out) with probability `fail`.
fn all_degraded(
    seed: u64,
    n: u64,
    span: (u64, u64),
    bad: std::ops::Range<u64>,
    (slower, fail): (f64, f64),
) -> String {
    let mut r = Rng::new(seed);
    let mut out = String::new();
    for (i, t) in times(n, span.0, span.1).enumerate() {
        let in_bad = bad.contains(&t);
        let failed = r.chance(if in_bad { fail } else { 0.003 });
        let latency = r.lognormal(90.0, 0.35) * if in_bad { slower } else { 1.0 };
        let req = Req {
            t,
            version: ["v4.1", "v4.2"][r.below(2) as usize],
            endpoint: ENDPOINTS[r.below(5) as usize],
            tenant: TENANTS[r.below(12) as usize],
            latency_ms: latency,
            status: if failed { "Timeout" } else { "OK" },
        };
        json_line(&mut out, i as u64, &req);
    }
    out
}

/// Three versions rolled out one after another, all alike: nothing is wrong.
pub fn healthy() -> String {
    let mut r = Rng::new(7);
    let mut out = String::new();
    // Endpoints differ a little (≤ 1.15×), as real ones do.
    let endpoint_scale = [1.0, 1.05, 0.95, 1.1, 1.15];
    for (i, t) in times(30_000, hm(17, 0), hm(19, 0)).enumerate() {
        let version = if t < hm(17, 40) {
            "v3.0"
        } else if t < hm(18, 20) {
            ["v3.0", "v3.1"][r.below(2) as usize]
        } else {
            ["v3.0", "v3.1", "v3.2"][r.below(3) as usize]
        };
        let e = r.below(5) as usize;
        let req = Req {
            t,
            version,
            endpoint: ENDPOINTS[e],
            tenant: TENANTS[r.below(12) as usize],
            latency_ms: r.lognormal(110.0 * endpoint_scale[e], 0.35),
            status: if r.chance(0.005) { "Error" } else { "OK" },
        };
        json_line(&mut out, i as u64, &req);
    }
    out
}

/// Write `text` to a fresh file under the target directory and return its path.
pub fn write_temp(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("scenarios");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write scenario");
    p
}

/// `logdrop analyze --format json FILE`, parsed into the JSON contract.
pub fn analyze_json(path: &std::path::Path) -> (logdrop::Summary, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_logdrop"))
        .args(["analyze", "--format", "json"])
        .arg(path)
        .output()
        .expect("logdrop runs");
    assert!(
        out.status.success(),
        "logdrop failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    let s: logdrop::Summary = serde_json::from_value(v.clone()).expect("the JSON contract");
    (s, v)
}

/// `logdrop analyze FILE` (the text table and findings).
pub fn analyze_text(path: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_logdrop"))
        .args(["analyze"])
        .arg(path)
        .output()
        .expect("logdrop runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
