//! Pathological inputs (issue #6): one 500 MB line, 10^6 distinct group values, JSON nested
//! 10^5 levels deep, NUL bytes, UTF-16, empty, CRLF-only, a lone `\r`, only whitespace.
//!
//! Each goes through the streaming [`Analyzer`] (pushed chunk by chunk, never held whole) and,
//! where it is cheap, through the `logdrop` binary. For each: no panic, `parsed + recovered +
//! skipped == records`, the counts and reasons expected, bounded memory where the input is
//! large, and a message from [`logdrop::check`] / the CLI's stderr that says what is wrong and
//! what to do.
//!
//! Memory is measured with a counting allocator that tracks the heap of the current thread
//! only (tests run in parallel), so "peak heap during the analysis" is exact for the analyzer,
//! and with the child's peak RSS (`VmHWM`, polled) for the CLI on Linux.
//!
//! The whole file takes about 25 s in a debug `cargo test` (the 500 MB line and the 10^6
//! records through the debug CLI are the slow parts, and run in parallel).

use logdrop::{check, Analyzer, Options, Problem, Summary};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// --- a per-thread counting allocator ----------------------------------------------------------

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn track(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let v = live.get() + delta;
        live.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = System.alloc(l);
        if !p.is_null() {
            track(l.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(l);
        if !p.is_null() {
            track(l.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l);
        track(-(l.size() as isize));
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = System.realloc(p, l, new);
        if !q.is_null() {
            track(new as isize - l.size() as isize);
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// `f()` and the most heap this thread held above what it held before, while `f` ran.
fn peak_heap<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let r = f();
    let peak = PEAK.with(Cell::get);
    (r, (peak - base).max(0) as usize)
}

const MIB: usize = 1 << 20;

// --- helpers ------------------------------------------------------------------------------------

/// A record the schema detector reads as latency, status and group.
fn record(ms: u64, version: &str) -> String {
    format!("{{\"responseTimeMs\": {ms}, \"status\": \"OK\", \"modelVersion\": \"{version}\"}}\n")
}

/// Analyze what `gen` writes, pushing it in chunks of about `chunk` bytes. `gen` is called
/// with a buffer to fill (cleared each time) until it returns false.
fn analyze_stream(
    opts: Options,
    chunk: usize,
    mut gen: impl FnMut(&mut Vec<u8>) -> bool,
) -> Summary {
    let mut a = Analyzer::new(opts);
    let mut buf = Vec::with_capacity(chunk);
    loop {
        buf.clear();
        let more = gen(&mut buf);
        for c in buf.chunks(chunk) {
            a.push(c);
        }
        if !more {
            break;
        }
    }
    a.finish()
}

fn analyze_chunks(input: &[u8], chunk: usize) -> Summary {
    let mut a = Analyzer::new(Options::default());
    for c in input.chunks(chunk.max(1)) {
        a.push(c);
    }
    a.finish()
}

/// The invariants every summary keeps.
fn assert_counts(s: &Summary) {
    let i = &s.input;
    assert_eq!(
        i.parsed + i.recovered + i.skipped,
        i.records,
        "parsed + recovered + skipped == records: {i:?}"
    );
    assert_eq!(
        i.skipped_reasons.values().sum::<u64>(),
        i.skipped,
        "every skip has a reason: {i:?}"
    );
    assert!(i.records <= i.lines, "{i:?}");
    assert!(
        i.examples.iter().all(|e| e.text.len() <= 310),
        "examples are cut short"
    );
}

fn reasons(s: &Summary) -> Vec<(&str, u64)> {
    s.input
        .skipped_reasons
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect()
}

fn problem(s: &Summary) -> (Problem, String) {
    let p = check(s).expect_err("check reports a problem");
    let msg = p.to_string();
    (p, msg)
}

fn json(s: &Summary) -> String {
    serde_json::to_string_pretty(s).expect("summary serializes")
}

/// The summary without the byte count (which differs between encodings of one text).
fn without_bytes(s: &Summary) -> String {
    let mut s = s.clone();
    s.input.bytes = 0;
    json(&s)
}

/// What the CLI did with an input streamed to its stdin.
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
    /// Peak resident memory of the process in KiB, polled (Linux only, else 0).
    peak_rss_kib: u64,
    elapsed: Duration,
}

impl Run {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is JSON ({e}); stderr: {}\n{}",
                self.stderr,
                String::from_utf8_lossy(&self.stdout[..self.stdout.len().min(2000)])
            )
        })
    }
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run `logdrop args…` with stdin written by `gen` (called until it returns false) from
/// another thread, so no input is ever held whole.
fn cli(args: &[&str], mut gen: impl FnMut(&mut Vec<u8>) -> bool + Send + 'static) -> Run {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_logdrop"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("logdrop runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let more = gen(&mut buf);
            if stdin.write_all(&buf).is_err() || !more {
                break;
            }
        }
    });
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let pid = child.id();
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = vm_hwm_kib(pid) {
            peak = peak.max(kib);
        }
        match child.try_wait().expect("wait for logdrop") {
            Some(st) => break st,
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    let _ = writer.join();
    Run {
        code: status.code(),
        stdout: out_t.join().expect("stdout reader"),
        stderr: String::from_utf8_lossy(&err_t.join().expect("stderr reader")).into_owned(),
        peak_rss_kib: peak,
        elapsed: start.elapsed(),
    }
}

/// `cli` with a fixed input.
fn cli_bytes(args: &[&str], input: Vec<u8>) -> Run {
    let mut input = Some(input);
    cli(args, move |buf| {
        if let Some(i) = input.take() {
            *buf = i;
        }
        false
    })
}

// --- 1. one 500 MB line -------------------------------------------------------------------------

/// Bytes of the long line: 500 MB. Skipping it is a memchr scan: ~17 s in a debug build
/// on a busy 2-core machine, run in parallel with the other tests.
const LONG_LINE: u64 = 500_000_000;

/// One record, a `len`-byte line that starts like a JSON record (so it would be parsed if it
/// were kept), then two records. Written in 1 MiB chunks.
fn long_line_input(len: u64) -> impl FnMut(&mut Vec<u8>) -> bool + Send + 'static {
    let head = "{\"responseTimeMs\": 5, \"status\": \"OK\", \"modelVersion\": \"v1\", \"pad\": \"";
    let mut step = 0u32;
    let mut left = len;
    move |buf| {
        match step {
            0 => {
                buf.extend_from_slice(record(100, "v1").as_bytes());
                buf.extend_from_slice(head.as_bytes());
                left -= head.len() as u64;
                step = 1;
            }
            1 => {
                let n = left.min(MIB as u64) as usize;
                buf.resize(n, b'x');
                left -= n as u64;
                if left == 0 {
                    step = 2;
                }
            }
            _ => {
                buf.extend_from_slice(b"\n");
                buf.extend_from_slice(record(200, "v1").as_bytes());
                buf.extend_from_slice(record(300, "v2").as_bytes());
                return false;
            }
        }
        true
    }
}

#[test]
fn a_500_mb_line_is_skipped_and_never_buffered() {
    let len = LONG_LINE;
    let start = Instant::now();
    let (s, peak) = peak_heap(|| analyze_stream(Options::default(), MIB, long_line_input(len)));
    let took = start.elapsed();
    assert_counts(&s);
    let i = &s.input;
    let short = record(100, "v1").len() as u64;
    assert_eq!(i.bytes, len + 1 + 3 * short, "every byte counted");
    assert_eq!((i.lines, i.records), (4, 4));
    assert_eq!((i.parsed, i.recovered, i.skipped), (3, 0, 1));
    assert_eq!(reasons(&s), [("too_long", 1)]);
    let ex = &i.examples[0];
    assert_eq!((ex.reason.as_str(), ex.line_no), ("too_long", 2));
    assert!(ex.text.starts_with("{\"responseTimeMs\": 5"), "{}", ex.text);
    // The records on both sides of the long line are intact: the 5 ms of the long line
    // is not among the latencies.
    assert_eq!(check(&s), Ok(()));
    let count: u64 = s.groups.iter().map(|g| g.count).sum();
    assert_eq!(count, 3);
    let v1 = s.groups.iter().find(|g| g.key == "v1").expect("group v1");
    assert_eq!(v1.count, 2);
    let lat = v1.latency_ms.as_ref().expect("v1 has latencies");
    assert!(lat.min >= 99.0 && lat.max <= 201.0, "{lat:?}");
    // Not buffered: the carried line is capped at max_line_bytes (1 MiB), the summary is
    // small. 500 MB (or 64 MiB) would show here.
    assert!(
        peak < 8 * MIB,
        "peak heap {peak} bytes for a {len}-byte line"
    );
    eprintln!(
        "long line: {len} bytes through the analyzer in {took:?}, peak heap {} KiB",
        peak >> 10
    );
}

/// The heap meter sees a buffered line (so the bound above means something).
#[test]
fn the_heap_meter_sees_a_buffered_line() {
    let opts = Options {
        max_line_bytes: 64 * MIB,
        ..Options::default()
    };
    let (s, peak) = peak_heap(|| analyze_stream(opts, MIB, long_line_input(16 * MIB as u64)));
    assert_counts(&s);
    // Kept (under this cap) and read as one, repaired, record: 16 MiB held at least once.
    assert_eq!(s.input.skipped_reasons.get("too_long"), None);
    assert!(peak >= 16 * MIB, "peak heap {peak}");
}

#[test]
fn a_500_mb_line_through_the_cli_stdin() {
    let len = LONG_LINE;
    let run = cli(&["analyze", "--format", "json", "-"], long_line_input(len));
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let s = run.json();
    assert_eq!(s["input"]["records"], 4);
    assert_eq!(s["input"]["parsed"], 3);
    assert_eq!(s["input"]["skipped_reasons"]["too_long"], 1);
    assert_eq!(s["input"]["examples"][0]["line_no"], 2);
    if cfg!(target_os = "linux") {
        assert!(
            run.peak_rss_kib > 0 && run.peak_rss_kib < 64 << 10,
            "peak RSS {} KiB for a {len}-byte line",
            run.peak_rss_kib
        );
    }
    eprintln!(
        "long line: {len} bytes through the CLI in {:?}, peak RSS {} KiB",
        run.elapsed, run.peak_rss_kib
    );
}

#[test]
fn only_an_overlong_line_says_to_raise_the_limit() {
    // 3 MiB, no newline at all: the whole input is one line over the cap.
    let mut input = b"{\"responseTimeMs\": 1, \"pad\": \"".to_vec();
    input.resize(3 * MIB, b'x');
    let s = analyze_chunks(&input, 64 << 10);
    assert_counts(&s);
    assert_eq!(reasons(&s), [("too_long", 1)]);
    let (p, msg) = problem(&s);
    assert!(matches!(p, Problem::NoRecords { .. }), "{p:?}");
    assert!(msg.contains("1 too long"), "{msg}");
    assert!(msg.contains("--max-line-bytes"), "says what to do: {msg}");

    let run = cli_bytes(&["analyze", "-"], input);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("--max-line-bytes"), "{}", run.stderr);
    // With the limit raised, the same line is a record.
    let mut input = b"{\"responseTimeMs\": 1, \"pad\": \"".to_vec();
    input.resize(3 * MIB, b'x');
    input.extend_from_slice(b"\"}\n");
    let run = cli_bytes(
        &[
            "analyze",
            "--format",
            "json",
            "--max-line-bytes",
            "4000000",
            "-",
        ],
        input,
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.json()["input"]["parsed"], 1);
}

// --- 2. 10^6 distinct group values --------------------------------------------------------------

const MANY: u64 = 1_000_000;

/// `n` records, `per` per call; record `i` has `requestId` `req-i` (all distinct) and a
/// `version` that takes 100 values in the first 2 000 records (what the detector sees) and
/// a new value in every record after.
fn many_groups(n: u64, per: u64) -> impl FnMut(&mut Vec<u8>) -> bool + Send + 'static {
    let mut i = 0u64;
    move |buf| {
        let end = (i + per).min(n);
        while i < end {
            let version = if i < 2000 { i % 100 } else { i };
            let status = if i % 10 == 0 { "Error" } else { "OK" };
            let _ = writeln!(
                buf,
                "{{\"responseTimeMs\": {}, \"status\": \"{status}\", \"requestId\": \"req-{i:07}\", \"version\": \"v{version}\"}}",
                50 + (i * 7919) % 500
            );
            i += 1;
        }
        i < n
    }
}

fn assert_capped_groups(s: &Summary, field: &str) {
    assert_counts(s);
    let i = &s.input;
    assert_eq!((i.records, i.parsed, i.skipped), (MANY, MANY, 0));
    assert_eq!(s.fields.group.as_deref(), Some(field));
    let shown = logdrop::aggregate::Limits::default().shown_groups;
    assert!(s.groups.len() <= shown + 1, "{} groups", s.groups.len());
    assert!(s.groups.iter().any(|g| g.key == "(other)"));
    assert_eq!(s.groups.iter().map(|g| g.count).sum::<u64>(), MANY);
    assert_eq!(s.groups.iter().map(|g| g.errors).sum::<u64>(), MANY / 10);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains(field) && w.contains("many distinct values")),
        "a warning names the capped field: {:?}",
        s.warnings
    );
    // No dimension lists a million values.
    for d in &s.dimensions {
        assert!(
            d.values.len() <= 101,
            "{}: {} values",
            d.field,
            d.values.len()
        );
    }
    assert_eq!(check(s), Ok(()));
}

#[test]
fn a_million_group_values_chosen_by_the_user_stay_capped() {
    let opts = Options {
        overrides: logdrop::schema::Overrides {
            group_by: Some("requestId".into()),
            ..Default::default()
        },
        ..Options::default()
    };
    // Two chunkings, on two threads (each measures its own heap).
    let run = |chunk: usize| {
        let opts = opts.clone();
        std::thread::spawn(move || {
            peak_heap(|| analyze_stream(opts, chunk, many_groups(MANY, 20_000)))
        })
    };
    let (a, b) = (run(MIB), run(4093));
    let ((a, peak_a), (b, peak_b)) = (a.join().expect("1 MiB"), b.join().expect("4093 B"));
    assert_capped_groups(&a, "requestId");
    assert_eq!(json(&a), json(&b), "the same summary for any chunking");
    // Memory grows with groups and fields, and both are capped: ~90 MB of input, 10^6 ids.
    for peak in [peak_a, peak_b] {
        assert!(peak < 48 * MIB, "peak heap {peak} bytes");
    }
    eprintln!(
        "10^6 requestId groups: peak heap {} / {} KiB",
        peak_a >> 10,
        peak_b >> 10
    );
}

#[test]
fn a_million_values_of_a_detected_group_field_stay_capped() {
    // "version" is detected as the group from the first 2 000 records (100 values), then
    // takes ~998 000 more.
    let (s, peak) =
        peak_heap(|| analyze_stream(Options::default(), MIB, many_groups(MANY, 20_000)));
    assert_capped_groups(&s, "version");
    assert!(peak < 48 * MIB, "peak heap {peak} bytes");

    // When every value is distinct from the start, it is not taken as the group at all.
    let mut i = 0u64;
    let s = analyze_stream(Options::default(), MIB, |buf| {
        for _ in 0..10_000 {
            let _ = writeln!(buf, "{{\"responseTimeMs\": 5, \"version\": \"v{i}\"}}");
            i += 1;
        }
        i < 100_000
    });
    assert_counts(&s);
    assert_eq!(s.fields.group, None);
    assert_eq!(s.groups.len(), 1, "{:?}", s.groups.first().map(|g| &g.key));
    assert_eq!(s.groups[0].count, 100_000);
}

#[test]
fn a_million_group_values_through_the_cli() {
    let run = cli(
        &[
            "analyze",
            "--format",
            "json",
            "--group-by",
            "requestId",
            "-",
        ],
        many_groups(MANY, 20_000),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let s = run.json();
    assert_eq!(s["input"]["parsed"], MANY);
    assert!(s["groups"].as_array().is_some_and(|g| g.len() <= 51));
    assert!(s["warnings"].to_string().contains("many distinct values"));
    if cfg!(target_os = "linux") {
        assert!(
            run.peak_rss_kib < 96 << 10,
            "peak RSS {} KiB",
            run.peak_rss_kib
        );
    }
    eprintln!(
        "10^6 groups through the CLI in {:?}, peak RSS {} KiB",
        run.elapsed, run.peak_rss_kib
    );
}

// --- 3. JSON nested 10^5 levels ---------------------------------------------------------------

const DEEP: usize = 100_000;

/// Run `f` on a thread with the default test stack (2 MiB), not a bigger one.
fn on_small_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("thread starts")
        .join()
        .expect("no stack overflow, no panic")
}

fn deep_inputs() -> Vec<(&'static str, Vec<u8>)> {
    let obj = |close: bool| {
        let mut s = "{\"a\":".repeat(DEEP);
        s.push('1');
        if close {
            s.push_str(&"}".repeat(DEEP));
        }
        s
    };
    let arr = |close: bool| {
        let mut s = "[".repeat(DEEP);
        if close {
            s.push_str(&"]".repeat(DEEP));
        }
        s
    };
    let mut pretty = String::from("{\n");
    for _ in 0..DEEP / 10 {
        pretty.push_str("  \"a\": {\n");
    }
    pretty.push_str("  \"b\": 1\n");
    for _ in 0..=DEEP / 10 {
        pretty.push_str("}\n");
    }
    vec![
        ("object", obj(true)),
        ("object, never closed", obj(false)),
        ("array", arr(true)),
        ("array, never closed", arr(false)),
        (
            "deep value in a record",
            format!("{{\"responseTimeMs\": 5, \"a\": {}}}", arr(true)),
        ),
        (
            "text prefix + deep object",
            format!("2026-11-27T18:02:11Z INFO api done {}", obj(true)),
        ),
        ("pretty-printed, 10^4 lines deep", pretty),
    ]
    .into_iter()
    .map(|(n, s)| (n, s.into_bytes()))
    .collect()
}

#[test]
fn deeply_nested_json_is_skipped_without_overflowing_the_stack() {
    on_small_stack(|| {
        for (name, input) in deep_inputs() {
            for chunk in [input.len(), 4096] {
                let mut input = input.clone();
                input.push(b'\n');
                input.extend_from_slice(record(120, "v1").as_bytes());
                let s = analyze_chunks(&input, chunk);
                assert_counts(&s);
                assert_eq!(s.input.parsed, 1, "{name}: the record after it is read");
                assert_eq!(s.input.skipped, 1, "{name}: {:?}", s.input);
                let (reason, _) = reasons(&s)[0];
                // Objects and arrays alike: the message names the depth, not "not a record".
                assert_eq!(reason, "too_deep", "{name}");
                assert_eq!(check(&s), Ok(()), "{name}");
            }
        }
    });
}

#[test]
fn only_deeply_nested_json_says_so() {
    let (s, msg) = on_small_stack(|| {
        let mut input = Vec::new();
        for (_, i) in deep_inputs().into_iter().take(2) {
            input.extend_from_slice(&i);
            input.push(b'\n');
        }
        let s = analyze_chunks(&input, 1 << 16);
        let (_, msg) = problem(&s);
        (s, msg)
    });
    assert_counts(&s);
    assert_eq!(reasons(&s), [("too_deep", 2)]);
    assert!(msg.contains("2 too deep"), "{msg}");
    assert!(msg.contains("64 levels"), "{msg}");

    let input = deep_inputs().swap_remove(0).1;
    let run = cli_bytes(&["analyze", "--format", "json", "-"], input);
    assert_eq!(run.code, Some(1));
    assert_eq!(run.json()["input"]["skipped_reasons"]["too_deep"], 1);
    assert!(run.stderr.contains("too deep"), "{}", run.stderr);
}

// --- 4. NUL bytes, UTF-16, empty, CRLF-only, a lone CR, whitespace -----------------------------

#[test]
fn nul_bytes_are_called_binary() {
    // 1 MB: one line under the 1 MiB cap, read and found binary. 3 MiB: over the cap, too
    // long, and its first bytes say binary.
    for (len, reason) in [(1_000_000, "binary"), (3 * MIB, "too_long")] {
        let input = vec![0u8; len];
        let s = analyze_chunks(&input, 1 << 16);
        assert_counts(&s);
        assert_eq!((s.input.records, s.input.skipped), (1, 1));
        assert_eq!(reasons(&s), [(reason, 1)]);
        let (p, msg) = problem(&s);
        assert!(matches!(p, Problem::Binary { .. }), "{len}: {p:?}");
        assert!(msg.contains("looks binary"), "{msg}");
        assert!(msg.contains("decompress"), "says what to do: {msg}");
    }
    let run = cli_bytes(&["analyze", "-"], vec![0u8; 1_000_000]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("looks binary"), "{}", run.stderr);
    // NUL lines among records are skipped as binary, the records are read.
    let mut input = record(100, "v1").into_bytes();
    input.extend_from_slice(&[0; 5000]);
    input.extend_from_slice(b"\n");
    input.extend_from_slice(record(110, "v1").as_bytes());
    let s = analyze_chunks(&input, 777);
    assert_counts(&s);
    assert_eq!((s.input.parsed, s.input.skipped), (2, 1));
    assert_eq!(reasons(&s), [("binary", 1)]);
    assert_eq!(check(&s), Ok(()));
}

/// A small log with a non-ASCII value and a character outside the BMP.
fn small_log() -> String {
    let mut s = String::new();
    for i in 0..40u64 {
        let v = if i % 2 == 0 { "v1.2" } else { "v1.3-é😀" };
        s.push_str(&format!(
            "{{\"responseTimeMs\": {}, \"status\": \"{}\", \"modelVersion\": \"{v}\"}}\r\n",
            100 + i * (1 + i % 2) * 10,
            if i % 5 == 0 { "Timeout" } else { "OK" }
        ));
    }
    s
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
    units
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

#[test]
fn utf16_is_read_like_utf8() {
    let text = small_log();
    let want = analyze_chunks(text.as_bytes(), MIB);
    assert_counts(&want);
    assert_eq!(want.input.parsed, 40);
    assert_eq!(check(&want), Ok(()));
    for (big_endian, bom) in [(false, true), (true, true), (false, false)] {
        let input = utf16(&text, big_endian, bom);
        for chunk in [1, 3, 4096, MIB] {
            let got = analyze_chunks(&input, chunk);
            assert_eq!(got.input.bytes, input.len() as u64, "raw bytes counted");
            assert_eq!(got.input.invalid_utf8_lines, 0);
            assert_eq!(
                without_bytes(&got),
                without_bytes(&want),
                "be {big_endian} bom {bom} chunk {chunk}"
            );
        }
        let mut a = Analyzer::new(Options::default());
        a.push(&input);
        let want_enc = if big_endian {
            logdrop::lines::Encoding::Utf16Be
        } else {
            logdrop::lines::Encoding::Utf16Le
        };
        assert_eq!(a.encoding(), want_enc);
    }
    // The CLI (which ends an input without a final `\n` byte with one) gives the same.
    let utf8 = cli_bytes(
        &["analyze", "--format", "json", "-"],
        text.clone().into_bytes(),
    );
    for big_endian in [false, true] {
        let run = cli_bytes(
            &["analyze", "--format", "json", "-"],
            utf16(&text, big_endian, true),
        );
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        let (mut a, mut b) = (run.json(), utf8.json());
        a["input"]["bytes"] = 0.into();
        b["input"]["bytes"] = 0.into();
        assert_eq!(a, b, "be {big_endian}");
    }
}

#[test]
fn utf16_that_is_not_recognised_says_how_to_convert_it() {
    // UTF-16 after a blank UTF-8 line (as when the CLI reads a UTF-8 file then a UTF-16
    // one): not at the start, so not decoded; the message says what it is and what to do.
    let mut input = b"\n".to_vec();
    input.extend(utf16(&small_log(), false, false));
    let s = analyze_chunks(&input, 100);
    assert_counts(&s);
    assert_eq!(s.input.parsed + s.input.recovered, 0);
    let (p, msg) = problem(&s);
    assert_eq!(p, Problem::Utf16, "{msg}");
    assert!(msg.contains("UTF-16") && msg.contains("iconv"), "{msg}");
}

#[test]
fn empty_and_blank_inputs_say_what_is_missing() {
    // A UTF-16 byte-order mark alone: no lines, so empty.
    for bom in [[0xFF, 0xFE], [0xFE, 0xFF]] {
        let s = analyze_chunks(&bom, 1);
        assert_eq!((s.input.bytes, s.input.lines), (2, 0));
        assert_eq!(check(&s), Err(Problem::Empty));
    }
    let crlf = b"\r\n".repeat(100_000);
    let ws = b" \t \n\n   \r\n\t\x0b\x0c  ".to_vec();
    let cases: [(&str, Vec<u8>, u64); 4] = [
        ("0 bytes", Vec::new(), 0),
        ("CRLF x 10^5", crlf, 100_000),
        ("a lone CR", b"\r".to_vec(), 1),
        ("whitespace", ws, 4),
    ];
    for (name, input, lines) in cases {
        for chunk in [1, 7, MIB] {
            let s = analyze_chunks(&input, chunk);
            assert_counts(&s);
            let i = &s.input;
            assert_eq!(i.bytes, input.len() as u64, "{name}");
            assert_eq!((i.lines, i.records), (lines, 0), "{name} chunk {chunk}");
            let (p, msg) = problem(&s);
            if input.is_empty() {
                assert_eq!(p, Problem::Empty);
                assert!(msg.contains("empty"), "{msg}");
            } else {
                assert_eq!(p, Problem::Blank { lines }, "{name}");
                assert!(msg.contains("blank"), "{msg}");
            }
            assert!(
                msg.contains("one record per line"),
                "says what to give: {msg}"
            );
        }
        let run = cli_bytes(&["analyze", "-"], input);
        assert_eq!(run.code, Some(1), "{name}");
        let want = if lines == 0 { "empty" } else { "blank" };
        assert!(run.stderr.contains(want), "{name}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}
