//! The `logdrop` command-line tool: arguments → core → stdout. Thin by design.

use clap::{Parser as ClapParser, Subcommand, ValueEnum};
use logdrop::aggregate::Aggregates;
use logdrop::parse::{driver, Outcome, Parser};
use logdrop::{Analyzer, Options};
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

mod cli_text;

#[derive(ClapParser, Debug)]
#[command(
    name = "logdrop",
    version,
    about = "Per-version latency and error statistics from a log file, and what explains them.",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Analyze logs: latency and errors per group (version), as a table or JSON.
    Analyze {
        /// Files to read (gzip is detected by content); `-` or nothing reads stdin.
        files: Vec<String>,
        /// text: a table; json: the JSON contract; markdown/html: the incident report.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        fields: FieldArgs,
        /// The group to compare the others with (default: the healthy, longest-running,
        /// highest-traffic group).
        #[arg(long)]
        baseline: Option<String>,
        /// Worker threads (chunks analysed in parallel and merged; same result).
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// Longest line read, in bytes; longer lines are skipped and counted.
        #[arg(long, default_value_t = 1 << 20)]
        max_line_bytes: usize,
    },
    /// Write every readable record as one strict JSON object per line (NDJSON);
    /// skipped lines go to stderr with their line number and reason.
    Repair {
        /// Files to read (gzip is detected by content); `-` or nothing reads stdin.
        files: Vec<String>,
        #[arg(long, default_value_t = 1 << 20)]
        max_line_bytes: usize,
    },
}

#[derive(clap::Args, Debug, Clone, Default)]
struct FieldArgs {
    /// Field to group by (default: detected, e.g. modelVersion, version, release).
    #[arg(long)]
    group_by: Option<String>,
    /// Latency field (default: detected, e.g. responseTimeMs, latency_ms, duration).
    #[arg(long)]
    latency: Option<String>,
    /// Unit of bare latency numbers: ms, s, us, ns, min (default: from the field name).
    #[arg(long)]
    latency_unit: Option<String>,
    /// Status/outcome field (default: detected, e.g. status, outcome, level).
    #[arg(long)]
    status: Option<String>,
    /// Timestamp field (default: detected, e.g. ts, time, timestamp).
    #[arg(long)]
    time: Option<String>,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// An aligned table for a terminal.
    Text,
    /// The JSON contract (see README).
    Json,
    /// The incident report, as Markdown.
    Markdown,
    /// The incident report as one self-contained HTML file (charts inlined, opens offline).
    Html,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.cmd {
        Cmd::Analyze {
            files,
            format,
            fields,
            baseline,
            threads,
            max_line_bytes,
        } => {
            let opts = Options {
                overrides: logdrop::schema::Overrides {
                    group_by: fields.group_by,
                    latency: fields.latency,
                    latency_unit: fields.latency_unit,
                    status: fields.status,
                    time: fields.time,
                },
                max_line_bytes,
                baseline,
                ..Options::default()
            };
            analyze(&files, format, opts, threads.max(1))
        }
        Cmd::Repair {
            files,
            max_line_bytes,
        } => repair(&files, max_line_bytes),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("logdrop: {e}");
            ExitCode::from(2)
        }
    }
}

type BoxError = Box<dyn std::error::Error>;

/// Open each input (gzip detected by magic bytes), in order, as one stream.
/// An input's name (for messages) and its decompressed bytes.
type Input = (String, Box<dyn Read>);

fn open_inputs(files: &[String]) -> Result<Vec<Input>, BoxError> {
    let names: Vec<String> = if files.is_empty() {
        vec!["-".to_string()]
    } else {
        files.to_vec()
    };
    let mut out = Vec::new();
    for name in names {
        let raw: Box<dyn Read> = if name == "-" {
            Box::new(io::stdin().lock())
        } else {
            let f = std::fs::File::open(&name).map_err(|e| {
                format!("cannot read {name}: {e} (check the path and that the file is readable)")
            })?;
            Box::new(f)
        };
        let mut r = io::BufReader::with_capacity(1 << 20, raw);
        let head = io::BufRead::fill_buf(&mut r).map_err(|e| format!("cannot read {name}: {e}"))?;
        let is_gzip = head.starts_with(&[0x1f, 0x8b]);
        let reader: Box<dyn Read> = if is_gzip {
            Box::new(flate2::read::MultiGzDecoder::new(r))
        } else {
            Box::new(r)
        };
        out.push((name, reader));
    }
    Ok(out)
}

/// Read all inputs in chunks, calling `f` for each; a newline is inserted between files
/// that do not end with one.
fn for_each_chunk(
    files: &[String],
    chunk: usize,
    mut f: impl FnMut(&[u8]) -> Result<(), BoxError>,
) -> Result<(), BoxError> {
    let mut buf = vec![0u8; chunk];
    for (name, mut r) in open_inputs(files)? {
        let mut last = b'\n';
        loop {
            let n = match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("cannot read {name}: {e}").into()),
            };
            last = buf[n - 1];
            f(&buf[..n])?;
        }
        if last != b'\n' {
            f(b"\n")?;
        }
    }
    Ok(())
}

fn analyze(
    files: &[String],
    format: Format,
    opts: Options,
    threads: usize,
) -> Result<ExitCode, BoxError> {
    let baseline = opts.baseline.clone();
    let agg = if threads > 1 {
        analyze_parallel(files, opts, threads)?
    } else {
        let mut a = Analyzer::new(opts);
        for_each_chunk(files, 1 << 20, |c| {
            a.push(c);
            Ok(())
        })?;
        a.into_aggregates()
    };
    let summary = logdrop::summarize(&agg, baseline.as_deref());
    let problem = logdrop::check(&summary);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &summary)?;
            writeln!(out)?;
        }
        Format::Text => cli_text::write_table(&mut out, &summary)?,
        Format::Markdown => {
            out.write_all(logdrop::render::report::markdown(&summary).as_bytes())?
        }
        Format::Html => {
            use logdrop::render::charts::{self, Theme};
            let chart = |name: &str| match name {
                "cdf" => Some(charts::latency_cdf(&summary, Theme::Light)),
                "timeline" => Some(charts::latency_timeline(&summary, Theme::Light)),
                "errors" => Some(charts::error_rate(&summary, Theme::Light)),
                _ => None,
            };
            let doc = logdrop::render::report::html_document(&summary, &chart);
            out.write_all(doc.as_bytes())?
        }
    }
    out.flush()?;
    match problem {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(p) => {
            eprintln!("logdrop: {p}");
            Ok(ExitCode::from(1))
        }
    }
}

/// Worker threads that analyse blocks with a fixed schema; results merged in input order.
struct Pool {
    tx: Option<std::sync::mpsc::SyncSender<(usize, Vec<u8>)>>,
    results: std::sync::mpsc::Receiver<(usize, Aggregates)>,
    workers: Vec<std::thread::JoinHandle<()>>,
    sent: usize,
    next: usize,
    pending: std::collections::BTreeMap<usize, Aggregates>,
    merged: Option<Aggregates>,
}

impl Pool {
    fn new(threads: usize, opts: &Options, schema: &logdrop::schema::Schema) -> Pool {
        use std::sync::{mpsc, Arc, Mutex};
        let (tx, rx) = mpsc::sync_channel::<(usize, Vec<u8>)>(threads);
        let rx = Arc::new(Mutex::new(rx));
        let (rtx, results) = mpsc::channel();
        let workers = (0..threads)
            .map(|_| {
                let (rx, rtx) = (rx.clone(), rtx.clone());
                let (opts, schema) = (opts.clone(), schema.clone());
                std::thread::spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    let Ok((i, data)) = job else { return };
                    let mut a = Analyzer::with_schema(opts.clone(), schema.clone());
                    a.push(&data);
                    if rtx.send((i, a.into_aggregates())).is_err() {
                        return;
                    }
                })
            })
            .collect();
        Pool {
            tx: Some(tx),
            results,
            workers,
            sent: 0,
            next: 0,
            pending: Default::default(),
            merged: None,
        }
    }

    fn send(&mut self, block: Vec<u8>) -> Result<(), BoxError> {
        let tx = self.tx.as_ref().ok_or("the worker pool is closed")?;
        tx.send((self.sent, block))
            .map_err(|_| "a worker thread stopped")?;
        self.sent += 1;
        while let Ok((i, a)) = self.results.try_recv() {
            self.take(i, a);
        }
        Ok(())
    }

    fn take(&mut self, i: usize, a: Aggregates) {
        self.pending.insert(i, a);
        while let Some(a) = self.pending.remove(&self.next) {
            match self.merged.as_mut() {
                Some(m) => m.merge(&a),
                None => self.merged = Some(a),
            }
            self.next += 1;
        }
    }

    fn finish(mut self) -> Result<Option<Aggregates>, BoxError> {
        self.tx = None;
        while self.next < self.sent {
            let (i, a) = self
                .results
                .recv()
                .map_err(|_| "a worker thread stopped before finishing")?;
            self.take(i, a);
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
        Ok(self.merged.take())
    }
}

/// Blocks cut at newlines, analysed on `threads` workers with the schema chosen from the
/// head, merged in order: the same result as one pass.
fn analyze_parallel(
    files: &[String],
    opts: Options,
    threads: usize,
) -> Result<Aggregates, BoxError> {
    const BLOCK: usize = 4 << 20;
    let mut head = Vec::new();
    let mut detector = Some(Analyzer::new(opts.clone()));
    let mut single: Option<Analyzer> = None;
    let mut pool: Option<Pool> = None;
    let mut carry: Vec<u8> = Vec::new();
    let mut schema = None;

    for_each_chunk(files, BLOCK, |c| {
        if let Some(a) = single.as_mut() {
            a.push(c);
            return Ok(());
        }
        if let Some(d) = detector.as_mut() {
            head.extend_from_slice(c);
            d.push(c);
            if head.len() < opts.detect_bytes {
                return Ok(());
            }
            if d.saw_multiline() {
                // Multi-line JSON cannot be cut at any newline: read it in one pass.
                let mut a = Analyzer::new(opts.clone());
                a.push(&head);
                single = Some(a);
                return Ok(());
            }
            let s = d.schema();
            pool = Some(Pool::new(threads, &opts, &s));
            schema = Some(s);
            detector = None;
            carry = std::mem::take(&mut head);
        } else {
            carry.extend_from_slice(c);
        }
        if carry.len() >= BLOCK {
            let cut = memchr::memrchr(b'\n', &carry).map_or(carry.len(), |i| i + 1);
            let rest = carry.split_off(cut);
            let block = std::mem::replace(&mut carry, rest);
            if let Some(p) = pool.as_mut() {
                p.send(block)?;
            }
        }
        Ok(())
    })?;
    if let Some(a) = single {
        return Ok(a.into_aggregates());
    }
    let (Some(mut pool), Some(schema)) = (pool, schema) else {
        // Smaller than the detection window: one pass.
        let mut a = Analyzer::new(opts);
        a.push(&head);
        return Ok(a.into_aggregates());
    };
    if !carry.is_empty() {
        pool.send(carry)?;
    }
    Ok(pool
        .finish()?
        .unwrap_or_else(|| Aggregates::new(schema, opts.limits.clone())))
}

fn repair(files: &[String], max_line_bytes: usize) -> Result<ExitCode, BoxError> {
    use logdrop::lines::Splitter;
    let mut splitter = Splitter::new(max_line_bytes);
    let mut assembler = driver::Assembler::new(max_line_bytes);
    let mut parser = Parser::new(64);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let stderr = io::stderr();
    let mut err = BufWriter::new(stderr.lock());
    let (mut good, mut bad) = (0u64, 0u64);
    let mut io_err: Option<io::Error> = None;
    let mut on_unit = |u: driver::Unit<'_>| {
        let outcome = parser.parse(&u);
        let r = match outcome {
            Outcome::Skipped(reason) => {
                bad += 1;
                writeln!(err, "line {}: skipped: {}", u.line_no, reason.describe())
            }
            _ => {
                good += 1;
                let text = parser.canonical(u.text);
                if u.is_multiline {
                    // One object per line: re-serialize without the newlines.
                    match serde_json::from_str::<serde_json::Value>(text) {
                        Ok(v) => writeln!(out, "{v}"),
                        Err(_) => writeln!(out, "{}", text.replace('\n', " ")),
                    }
                } else {
                    writeln!(out, "{text}")
                }
            }
        };
        if let Err(e) = r {
            io_err.get_or_insert(e);
        }
    };
    for_each_chunk(files, 1 << 20, |c| {
        splitter.push(c, &mut |ev| assembler.push(ev, &mut on_unit));
        Ok(())
    })?;
    splitter.finish(&mut |ev| assembler.push(ev, &mut on_unit));
    assembler.finish(&mut on_unit);
    if let Some(e) = io_err {
        if e.kind() != io::ErrorKind::BrokenPipe {
            return Err(e.into());
        }
    }
    out.flush()?;
    writeln!(
        err,
        "logdrop repair: {good} records written, {bad} lines skipped"
    )?;
    err.flush()?;
    Ok(if good == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
