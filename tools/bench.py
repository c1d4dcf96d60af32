#!/usr/bin/env python3
"""logdrop's native benchmark. Run it as `./build.sh bench [--size BYTES] [--runs N]`.

build.sh first runs `cargo build --release --bins --examples`; this script then

1. generates (once, cached in .cache/bench/) two NDJSON API logs with examples/gen_bench.rs:
   api-clean-<size>.ndjson (no malformed lines) and api-dirty-<size>.ndjson (1% malformed),
   keeping the generator's exact per-version counts beside each file (*.counts.json);
2. for each file times `wc -l`, the two serde_json references (examples/ref_serde.rs: the three
   fields the per-version numbers need; examples/ref_serde_issue.rs: the six issue #2 names) and
   `logdrop analyze --format json` with --threads 1 and --threads 2: one untimed warm-up run
   each (which also warms the page cache), then N timed rounds, each running the five commands
   once, in turn (in reverse order every other round), recording wall time, CPU time and the peak
   RSS of the whole process (getrusage of the child, through a small launcher: see
   ensure_launcher). A ratio against a reference is the median of the ratios within a round, so
   a slow spell of the host weighs on both sides of it;
3. checks the answers: on the clean file every program must report exactly the generator's
   records and errors per version; on both files --threads 1 and --threads 2 must agree.
   A wrong answer prints MISMATCH and the script exits 1, after writing the table;
4. prints one Markdown table per file, then issue #2's targets against them, and appends it all,
   dated, to bench/results/<YYYY-MM-DD>.md.

See bench/README.md for how to read the numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "bench"
RESULTS = ROOT / "bench" / "results"
RELEASE = ROOT / "target" / "release"
GEN = RELEASE / "examples" / "gen_bench"
GEN_SRC = ROOT / "examples" / "gen_bench.rs"
REF = RELEASE / "examples" / "ref_serde"
REF_ISSUE = RELEASE / "examples" / "ref_serde_issue"
LOGDROP = RELEASE / "logdrop"
BROWSER_BENCH = ROOT / "tests" / "browser" / "bench.mjs"
WASM_BENCH = ROOT / "tools" / "bench-wasm.mjs"

GIB = 1 << 30
SEED = 42
# (name, malformed fraction) of each generated file.
DATASETS = [("clean", 0.0), ("dirty", 0.01)]
VERSIONS = ["v1.2", "v1.3"]


@dataclass
class Timing:
    label: str
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    max_rss_kib: int = 0
    stdout: bytes = b""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def add(self, secs: float, cpu: float, rss_kib: int, stdout: bytes) -> None:
        """One timed run, as `run_once` returns it."""
        self.seconds.append(secs)
        self.cpu_seconds.append(cpu)
        self.max_rss_kib = max(self.max_rss_kib, rss_kib)
        self.stdout = stdout


@dataclass
class BrowserResult:
    """What tests/browser/bench.mjs reports for the wasm worker in headless chromium, per run."""

    # The references and `logdrop --threads 1` (keys as in `bench_file`'s commands), run again
    # right before each browser run (same round).
    runs: dict[str, Timing]
    mb_per_s: list[float] = field(default_factory=list)
    long_tasks_over_100ms: list[int] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.mb_per_s)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=parse_size, default=GIB,
                    help="bytes per generated file (k/m/g suffixes allowed; default 1g)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    ap.add_argument("--no-save", action="store_true", help="print only, do not append to bench/results/")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    for exe in (GEN, REF, REF_ISSUE, LOGDROP):
        if not exe.exists():
            sys.exit(f"bench.py: {exe.relative_to(ROOT)} is missing; run ./build.sh bench "
                     "(it builds the release binary and examples first)")

    ensure_launcher()
    started = dt.datetime.now(dt.timezone.utc)
    sections = [header(started, args.runs)]
    mismatches: list[str] = []
    measured: dict[str, tuple[int, dict[str, Timing]]] = {}
    for name, fraction in DATASETS:
        path, counts = ensure_dataset(name, fraction, args.size)
        text, problems, t = bench_file(path, counts, fraction, args.runs)
        measured[name] = (path.stat().st_size, t)
        sections.append(text)
        mismatches += problems
        print(text, flush=True)
    targets = issue_targets(measured)
    sections.append(targets)
    print(targets, flush=True)

    report = "\n".join(sections)
    if mismatches:
        report += "\n**MISMATCH** — these results are not valid:\n\n" + "".join(f"- {m}\n" for m in mismatches)
    if not args.no_save:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"{started:%Y-%m-%d}.md"
        with out.open("a") as f:
            f.write(report + "\n")
        print(f"appended to {out.relative_to(ROOT)}")
    if mismatches:
        bar = "!" * 72
        print(f"\n{bar}\nMISMATCH: wrong answers, see above\n" + "\n".join(mismatches) + f"\n{bar}",
              file=sys.stderr)
        return 1
    return 0


# --- inputs ----------------------------------------------------------------------------------------

def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+)\s*([kmg]?)i?b?\s*", text.lower())
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 50000000, 50m, 1g)")
    n = int(m.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30}[m.group(2)]
    if n <= 0:
        raise argparse.ArgumentTypeError("size must be positive")
    return n


def size_label(n: int) -> str:
    for unit, shift in (("g", 30), ("m", 20), ("k", 10)):
        if n % (1 << shift) == 0:
            return f"{n >> shift}{unit}"
    return str(n)


def ensure_dataset(name: str, fraction: float, size: int) -> tuple[Path, dict]:
    """The cached file and the generator's counts for it; regenerated when missing or stale."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"api-{name}-{size_label(size)}.ndjson"
    meta_path = path.with_name(path.stem + ".counts.json")
    want = {"size": size, "malformed_fraction": fraction, "seed": SEED}
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        fresh = (meta.get("args") == want
                 and meta_path.stat().st_mtime >= GEN_SRC.stat().st_mtime
                 and path.stat().st_size == meta["counts"]["bytes"])
        if fresh:
            return path, meta["counts"]
    print(f"generating {path.relative_to(ROOT)} ({size:,} bytes, {fraction:.0%} malformed)…", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run([str(GEN), str(path), str(size), str(fraction), str(SEED)],
                          stderr=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"bench.py: gen_bench failed:\n{proc.stderr}")
    line = next((ln for ln in reversed(proc.stderr.splitlines()) if ln.startswith('{"bytes":')), None)
    if line is None:
        sys.exit(f"bench.py: gen_bench printed no counts line:\n{proc.stderr}")
    counts = json.loads(line)
    meta_path.write_text(json.dumps({"args": want, "counts": counts}, indent=1) + "\n")
    print(f"  {time.perf_counter() - t0:.1f} s", flush=True)
    return path, counts


# --- measuring -------------------------------------------------------------------------------------

# A child forked from Python inherits Python's RSS high-water mark (~17 MiB) across exec, which
# would put a floor under every "peak RSS". So each command runs under this small launcher, built
# with rustc into .cache/bench/ on first use; its own floor (~2 MiB) is printed with the results.
LAUNCHER_SRC = r"""
// Runs a command; writes "<peak RSS KiB> <wall seconds> <exit code> <CPU seconds>" to the file
// named first.
use std::process::{exit, Command};
use std::time::Instant;

#[repr(C)]
struct Rusage { utime: [i64; 2], stime: [i64; 2], maxrss: i64, rest: [i64; 13] }
extern "C" { fn getrusage(who: i32, usage: *mut Rusage) -> i32; }
const RUSAGE_CHILDREN: i32 = -1;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 { eprintln!("usage: rusage-run <result-file> <command> [args...]"); exit(2); }
    let t0 = Instant::now();
    let status = match Command::new(&args[1]).args(&args[2..]).status() {
        Ok(s) => s,
        Err(e) => { eprintln!("rusage-run: {}: {e}", args[1]); exit(127); }
    };
    let secs = t0.elapsed().as_secs_f64();
    let mut ru = Rusage { utime: [0; 2], stime: [0; 2], maxrss: 0, rest: [0; 13] };
    if unsafe { getrusage(RUSAGE_CHILDREN, &mut ru) } != 0 { eprintln!("rusage-run: getrusage failed"); exit(1); }
    let code = status.code().unwrap_or(128 + 9);
    let cpu = (ru.utime[0] + ru.stime[0]) as f64 + (ru.utime[1] + ru.stime[1]) as f64 / 1e6;
    std::fs::write(&args[0], format!("{} {secs:.6} {code} {cpu:.6}\n", ru.maxrss)).expect("rusage-run: write failed");
    exit(code);
}
"""
LAUNCHER = CACHE / "rusage-run"


def ensure_launcher() -> None:
    src = CACHE / "rusage-run.rs"
    CACHE.mkdir(parents=True, exist_ok=True)
    if LAUNCHER.exists() and src.exists() and src.read_text() == LAUNCHER_SRC:
        return
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "aarch64"):
        sys.exit("bench.py: the RSS launcher assumes 64-bit Linux (struct rusage layout)")
    src.write_text(LAUNCHER_SRC)
    subprocess.run(["rustc", "-O", "-o", str(LAUNCHER), str(src)], check=True)


def run_once(cmd: list[str], out_path: Path) -> tuple[float, float, int, bytes]:
    """Runs cmd with stdout/stderr to files; returns (wall s, CPU s, peak RSS KiB, stdout)."""
    err_path = out_path.with_suffix(".stderr")
    res_path = out_path.with_suffix(".rusage")
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.run([str(LAUNCHER), str(res_path), *cmd], stdout=out, stderr=err,
                              stdin=subprocess.DEVNULL, check=False)
    if proc.returncode != 0:
        sys.exit(f"bench.py: `{' '.join(cmd)}` exited {proc.returncode}:\n"
                 f"{err_path.read_text(errors='replace')[-4000:]}")
    rss, secs, _, cpu = res_path.read_text().split()
    return float(secs), float(cpu), int(rss), out_path.read_bytes()


def measure(cmds: dict[str, tuple[str, list[str]]], runs: int) -> dict[str, Timing]:
    """Each command once untimed (page cache, CPU frequency, first-run costs), then `runs`
    rounds that run every command once, in turn: in the given order, then reversed, and so on.
    The host's speed drifts (other tenants of the machine) over seconds to minutes; in rounds,
    a slow spell slows every command of a round instead of all the runs of one of them."""
    out_path = CACHE / "last.stdout"
    timings = {key: Timing(label) for key, (label, _) in cmds.items()}
    print("  warm-up: " + ", ".join(label for label, _ in cmds.values()), flush=True)
    for _, cmd in cmds.values():
        run_once(cmd, out_path)
    keys = list(cmds)
    for r in range(runs):
        print(f"  round {r + 1}:", end="", flush=True)
        for key in keys if r % 2 == 0 else keys[::-1]:
            t = timings[key]
            t.add(*run_once(cmds[key][1], out_path))
            print(f" {t.label} {t.seconds[-1]:.2f}", end="", flush=True)
        print(flush=True)
    return timings


def round_ratio(ref: Timing, t: Timing) -> float:
    """How many times faster than `ref` `t` is: the median of the ratios within each round."""
    return statistics.median(r / x for r, x in zip(ref.seconds, t.seconds))


def bench_browser(path: Path, runs: int, before: dict[str, tuple[str, list[str]]]) -> BrowserResult | None:
    """The wasm analyzer in a worker, in headless chromium: `runs` runs of tests/browser/bench.mjs,
    each a fresh browser that picks the file and prints one JSON line
    {"mb_per_s": …, "long_tasks_over_100ms": …}. Each run is a round of its own, after one run
    of each command of `before` ((label, command) by key, as `measure` takes them), so the page
    is compared with them as in `measure`.
    None when that script does not exist.
    """
    if not BROWSER_BENCH.exists():
        return None
    result = BrowserResult({k: Timing(label) for k, (label, _) in before.items()})
    out_path = CACHE / "last.stdout"
    print(f"  browser rounds ({', '.join(label for label, _ in before.values())}, page):", end="", flush=True)
    for _ in range(runs):
        for k, (_, cmd) in before.items():
            result.runs[k].add(*run_once(cmd, out_path))
        proc = subprocess.run(["node", str(BROWSER_BENCH), str(path)], cwd=ROOT, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, check=False)
        if proc.returncode != 0:
            sys.exit(f"bench.py: {BROWSER_BENCH.relative_to(ROOT)} exited {proc.returncode}:\n{proc.stderr[-4000:]}")
        line = next((ln for ln in reversed(proc.stdout.splitlines()) if ln.lstrip().startswith("{")), None)
        if line is None:
            sys.exit(f"bench.py: {BROWSER_BENCH.relative_to(ROOT)} printed no JSON line:\n{proc.stdout[-4000:]}")
        raw = json.loads(line)
        result.mb_per_s.append(float(raw["mb_per_s"]))
        result.long_tasks_over_100ms.append(int(raw["long_tasks_over_100ms"]))
        print(" " + "/".join(f"{t.seconds[-1]:.2f}" for t in result.runs.values()) + f"/{raw['mb_per_s']:.0f} MB/s",
              end="", flush=True)
    print(flush=True)
    return result


def bench_wasm_node(path: Path) -> tuple[float, dict] | None:
    """The page's wasm module in Node over the file (the engine without the browser's reading):
    (MB/s, summary). None when www/pkg is not built."""
    if not (ROOT / "www" / "pkg" / "logdrop_bg.wasm").exists():
        return None
    proc = subprocess.run(["node", str(WASM_BENCH), str(path)], cwd=ROOT, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, check=False)
    if proc.returncode != 0:
        sys.exit(f"bench.py: {WASM_BENCH.relative_to(ROOT)} exited {proc.returncode}:\n{proc.stderr[-4000:]}")
    raw = json.loads(proc.stdout.strip().splitlines()[-1])
    return float(raw["mb_per_s"]), raw["summary"]


# --- answers ---------------------------------------------------------------------------------------

def logdrop_groups(stdout: bytes) -> dict[str, tuple[int, int]]:
    summary = json.loads(stdout)
    return {g["key"]: (g["count"], g["errors"]) for g in summary["groups"]}


def ref_groups(stdout: bytes) -> dict[str, tuple[int, int]]:
    groups = {}
    for line in stdout.decode().splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] in VERSIONS:
            groups[parts[0]] = (int(parts[1]), int(parts[2]))
    return groups


def expected(counts: dict, well_formed_only: bool) -> dict[str, tuple[int, int]]:
    rec, err = ("well_formed", "well_formed_errors") if well_formed_only else ("records", "errors")
    return {v: (g[rec], g[err]) for v, g in counts["groups"].items()}


def compare(what: str, got: dict, want: dict) -> list[str]:
    problems = []
    for v in VERSIONS:
        if got.get(v) != want.get(v):
            problems.append(f"{what}: {v} (count, errors) = {got.get(v)}, expected {want.get(v)}")
    return problems


def check_answers(path: Path, counts: dict, fraction: float, t: dict[str, Timing]) -> tuple[list[str], list[str]]:
    """Returns (notes for the table, mismatches)."""
    notes, bad = [], []
    name = path.name
    ld1, ld2 = logdrop_groups(t["ld1"].stdout), logdrop_groups(t["ld2"].stdout)
    ref = ref_groups(t["ref"].stdout)
    lines = int(t["wc"].stdout.split()[0])
    if lines != counts["lines"]:
        bad.append(f"{name}: wc -l counted {lines} lines, generator wrote {counts['lines']}")
    # The references skip every malformed line, so they must see exactly the well-formed records.
    bad += compare(f"{name}: ref_serde", ref, expected(counts, well_formed_only=True))
    bad += compare(f"{name}: ref_serde_issue", ref_groups(t["refi"].stdout),
                   expected(counts, well_formed_only=True))
    if ld1 != ld2:
        bad.append(f"{name}: --threads 1 gave {ld1}, --threads 2 gave {ld2}")
    if t["ld1"].stdout != t["ld2"].stdout:
        notes.append("JSON output of --threads 1 and --threads 2 differs beyond the group counts")
    if fraction == 0.0:
        bad += compare(f"{name}: logdrop", ld1, expected(counts, well_formed_only=False))
        if not bad:
            notes.append("answers checked: every program's per-version records and errors match the generator")
    else:
        # Every malformed line except stack traces still carries a record a lenient parser can keep.
        want = expected(counts, well_formed_only=False)
        for v in VERSIONS:
            got_n, want_n = ld1.get(v, (0, 0))[0], want[v][0]
            notes.append(f"logdrop kept {got_n:,} of {want_n:,} {v} records "
                         f"({want_n - counts['groups'][v]['well_formed']:,} of them on malformed lines; "
                         f"ref_serde keeps {ref.get(v, (0, 0))[0]:,})")
    return notes, bad


# --- report ----------------------------------------------------------------------------------------

def bench_file(path: Path, counts: dict, fraction: float, runs: int) -> tuple[str, list[str], dict[str, Timing]]:
    size = path.stat().st_size
    print(f"{path.name}: {size:,} bytes, {counts['lines']:,} lines, {runs} runs + 1 warm-up", flush=True)
    f = str(path)
    cmds = {
        "wc": ("wc -l", ["wc", "-l", f]),
        "ref": ("ref_serde", [str(REF), f]),
        "refi": ("ref_serde_issue", [str(REF_ISSUE), f]),
        "ld1": ("logdrop --threads 1", [str(LOGDROP), "analyze", "--format", "json", "--threads", "1", f]),
        "ld2": ("logdrop --threads 2", [str(LOGDROP), "analyze", "--format", "json", "--threads", "2", f]),
    }
    t = measure(cmds, runs)
    notes, problems = check_answers(path, counts, fraction, t)
    browser = bench_browser(path, runs, {k: cmds[k] for k in ("ref", "refi", "ld1")})
    wasm_node = bench_wasm_node(path)
    if wasm_node is not None:
        got = {g["key"]: (g["count"], g["errors"]) for g in wasm_node[1]["groups"]}
        want = {g["key"]: (g["count"], g["errors"]) for g in json.loads(t["ld1"].stdout)["groups"]}
        if got != want:
            problems.append(f"wasm in Node: groups {got} differ from logdrop --threads 1 {want}")

    rows = [
        "| command | median s | min–max s | MB/s | CPU s | peak RSS MiB | speed vs ref_serde "
        "| vs ref_serde_issue |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, cmd in (("wc", "`wc -l`"), ("ref", "`ref_serde` (serde_json, 3 fields, 1 thread)"),
                     ("refi", "`ref_serde_issue` (serde_json, the issue's 6 fields, 1 thread)"),
                     ("ld1", "`logdrop analyze --threads 1`"), ("ld2", "`logdrop analyze --threads 2`")):
        tm = t[key]
        rows.append(f"| {cmd} | {tm.median:.3f} | {min(tm.seconds):.3f}–{max(tm.seconds):.3f} "
                    f"| {size / tm.median / 1e6:,.0f} | {statistics.median(tm.cpu_seconds):.3f} "
                    f"| {tm.max_rss_kib / 1024:,.1f} | {round_ratio(t['ref'], tm):.2f}× "
                    f"| {round_ratio(t['refi'], tm):.2f}× |")
    if wasm_node is not None:
        secs = size / 1e6 / wasm_node[0]
        rows.append(f"| wasm in Node (the page's module, engine only, 1 run) | {secs:.3f} | – | {wasm_node[0]:,.0f} | – | – "
                    f"| {t['ref'].median / secs:.2f}×\\* | {t['refi'].median / secs:.2f}×\\* |")
    if browser is not None:
        secs = size / 1e6 / browser.median
        slow, fast = size / 1e6 / min(browser.mb_per_s), size / 1e6 / max(browser.mb_per_s)
        page = Timing("page", [size / 1e6 / x for x in browser.mb_per_s])
        rows.append(f"| browser: wasm worker, headless chromium ({len(browser.mb_per_s)} rounds) | {secs:.3f} "
                    f"| {fast:.3f}–{slow:.3f} | {browser.median:,.0f} | – | – "
                    f"| {round_ratio(browser.runs['ref'], page):.2f}× | {round_ratio(browser.runs['refi'], page):.2f}× |")
        notes.append("browser: MB/s per run " + ", ".join(f"{x:,.0f}" for x in browser.mb_per_s)
                     + f"; long tasks over 100 ms on the page's main thread: {max(browser.long_tasks_over_100ms)}"
                     " at most in a run")
        ref, refi, native = (browser.runs[k].seconds for k in ("ref", "refi", "ld1"))
        notes.append("browser rounds: each page run right after one run of `ref_serde`, one of `ref_serde_issue` "
                     "and one of `logdrop analyze --threads 1`, which took "
                     + ", ".join(f"{a:.2f}/{b:.2f}/{c:.2f}" for a, b, c in zip(ref, refi, native))
                     + " s; the page ran at " + f"{round_ratio(browser.runs['ld1'], page):.2f}"
                     + " of the native one-thread speed (median of the rounds)")

    notes.insert(0, "speed vs a reference: the median of the ratios within each round; \\* against the median "
                    "of the reference's runs in the rounds (the wasm row runs once, after them)")
    title = (f"### {path.name} — {size:,} bytes, {counts['lines']:,} lines, "
             f"{fraction:.0%} malformed")
    text = "\n".join([title, "", *rows, ""] + [f"- {n}" for n in notes] + [f"- **MISMATCH** {p}" for p in problems])
    return text + "\n", problems, t


def issue_targets(measured: dict[str, tuple[int, dict[str, Timing]]]) -> str:
    """Issue #2's targets, each against the figures above (one thread unless said)."""
    size, clean = measured["clean"]
    ld1 = clean["ld1"]
    mb_s = size / ld1.median / 1e6
    ratio = round_ratio(clean["refi"], ld1)
    rss = max(t.max_rss_kib for _, ts in measured.values() for k, t in ts.items() if k.startswith("ld")) / 1024
    lines = [
        "#### Issue #2's targets",
        "",
        "| target | measured | met |",
        "|---|---:|:---:|",
        f"| ≥ 750 MB/s on one thread, clean lines | {mb_s:,.0f} MB/s | {'yes' if mb_s >= 750 else '**no**'} |",
        f"| ≥ 1.4× the serde_json reference of the same fields (`ref_serde_issue`), same run "
        f"| {ratio:.2f}× | {'yes' if ratio >= 1.4 else '**no**'} |",
    ]
    if "dirty" in measured:
        dsize, dirty = measured["dirty"]
        # Per byte, since the two files differ a little in size.
        slower = (dirty["ld1"].median / dsize) / (ld1.median / size) - 1
        lines.append(f"| ≤ 20% slower with 1% malformed lines | {slower:+.0%} "
                     f"| {'yes' if slower <= 0.20 else '**no**'} |")
    lines.append(f"| peak RSS < 50 MB whatever the file size (any thread count) | {rss:,.1f} MiB "
                 f"| {'yes' if rss * 1.048576 < 50 else '**no**'} |")
    lines.append(f"| (for comparison) against `ref_serde`, 3 fields | {round_ratio(clean['ref'], ld1):.2f}× | – |")
    return "\n".join(lines) + "\n"


def header(started: dt.datetime, runs: int) -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                   if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                         check=False).stdout.strip() or "no commit"
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True, check=False).stdout.strip()
    floor_kib = run_once(["true"], CACHE / "floor.stdout")[2]
    return (f"## {started:%Y-%m-%d %H:%M} UTC — logdrop {rev}{' (uncommitted changes)' if dirty else ''}\n\n"
            f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, {rustc}. "
            f"Median of {runs} rounds (each command once per round, in turn) after 1 warm-up, page cache "
            f"warm; MB = 10^6 bytes; CPU = user + system time; "
            f"peak RSS of the whole process (floor: `true` shows {floor_kib / 1024:.1f} MiB).\n")


if __name__ == "__main__":
    sys.exit(main())
