//! The `logdrop` command-line tool: arguments → core → stdout. Thin by design.

use clap::{Parser as ClapParser, Subcommand, ValueEnum};
use logdrop::aggregate::Aggregates;
use logdrop::lines::Encoding;
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
        /// Worker threads (chunks analysed in parallel and merged; same result). 0, the
        /// default: one per core, at most 4 (past that the reading thread is the limit).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        #[command(flatten)]
        read: ReadArgs,
    },
    /// Write every readable record as one strict JSON object per line (NDJSON);
    /// skipped lines go to stderr with their line number and reason.
    Repair {
        /// Files to read (gzip is detected by content); `-` or nothing reads stdin.
        files: Vec<String>,
        #[command(flatten)]
        read: ReadArgs,
    },
}

/// How the inputs are read (both commands).
#[derive(clap::Args, Debug, Clone)]
struct ReadArgs {
    /// Longest line read, in bytes; longer lines are skipped and counted.
    #[arg(long, default_value_t = 1 << 20)]
    max_line_bytes: usize,
    /// Read files with read(2), not through a memory map. Use it for a log that may be
    /// truncated while it is read (logrotate `copytruncate`): a mapped file that shrinks
    /// stops logdrop (exit status 2, with a message).
    #[arg(long)]
    no_mmap: bool,
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
            read,
        } => {
            let opts = Options {
                overrides: logdrop::schema::Overrides {
                    group_by: fields.group_by,
                    latency: fields.latency,
                    latency_unit: fields.latency_unit,
                    status: fields.status,
                    time: fields.time,
                },
                max_line_bytes: read.max_line_bytes,
                baseline,
                // Timestamps without a year (klog, syslog) are placed relative to now.
                now_ms: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .ok()
                    .and_then(|d| i64::try_from(d.as_millis()).ok()),
                ..Options::default()
            };
            let threads = match threads {
                0 => std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
                n => n,
            };
            analyze(&files, format, opts, threads, !read.no_mmap)
        }
        Cmd::Repair { files, read } => repair(&files, read.max_line_bytes, !read.no_mmap),
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

/// An input's name (for messages), its decompressed bytes, and whether they are UTF-16
/// (such input cannot be cut into blocks at `\n` bytes).
struct Input {
    name: String,
    src: Src,
    utf16: bool,
}

/// Where an input's bytes come from.
enum Src {
    /// A plain (uncompressed) file, mapped: its bytes are handed on without a copy. `at`: the
    /// bytes already handed on.
    Mapped {
        map: std::sync::Arc<memmap2::Mmap>,
        at: usize,
    },
    /// Anything else: stdin, a pipe, gzip, or a file that could not be mapped.
    Reader(Box<dyn io::BufRead>),
}

impl Input {
    /// Copy the next bytes into `buf`: how many, 0 at the end.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.src {
            Src::Mapped { map, at } => {
                let rest = map.get(*at..).unwrap_or_default();
                let n = rest.len().min(buf.len());
                buf[..n].copy_from_slice(&rest[..n]);
                *at += n;
                Ok(n)
            }
            Src::Reader(r) => r.read(buf),
        }
    }
}

/// A memory map of the plain file `f`, when it is one that can be mapped (not empty, not a
/// pipe or a special file).
fn map_file(f: &std::fs::File) -> Option<memmap2::Mmap> {
    let meta = f.metadata().ok()?;
    if !meta.is_file() || meta.len() == 0 {
        return None;
    }
    // SAFETY: the map is only read, as bytes, and every byte sequence is valid input (the
    // core validates UTF-8 itself and never panics on any bytes). What a map cannot promise is
    // that the file stays the same: lines appended while it is read are not seen (the map
    // covers the length at open), and a file truncated while it is read (logrotate's
    // `copytruncate`) raises SIGBUS, as in other tools that map files (ripgrep); logdrop then
    // says what happened (`explain_sigbus`). `--no-mmap` reads with read(2) instead.
    let map = unsafe { memmap2::Mmap::map(f) }.ok()?;
    explain_sigbus();
    Some(map)
}

/// Reading a mapped file that shrank (truncated while logdrop reads it) raises SIGBUS: say
/// what happened and what to do, and exit with status 2, instead of dying with "Bus error".
fn explain_sigbus() {
    #[cfg(unix)]
    {
        extern "C" fn on_sigbus(_: libc::c_int) {
            const MSG: &[u8] = b"logdrop: a file shrank while it was read (rotated with \
                copytruncate?). Read it again with --no-mmap, or on stdin.\n";
            // SAFETY: write(2) and _exit(2) are async-signal-safe; MSG is static.
            unsafe {
                libc::write(2, MSG.as_ptr().cast(), MSG.len());
                libc::_exit(2);
            }
        }
        static INSTALLED: std::sync::Once = std::sync::Once::new();
        INSTALLED.call_once(|| {
            // SAFETY: a zeroed `sigaction` is a valid value to fill in; the handler only calls
            // async-signal-safe functions.
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = on_sigbus as extern "C" fn(libc::c_int) as usize;
                libc::sigemptyset(&mut sa.sa_mask);
                libc::sigaction(libc::SIGBUS, &sa, std::ptr::null_mut());
            }
        });
    }
}

/// Drop `range` of `map`, read, from this process's resident memory, so that a mapped file
/// does not count in the process's RSS after it has been analysed (the page cache keeps it).
fn release(map: &memmap2::Mmap, range: std::ops::Range<usize>) {
    #[cfg(unix)]
    // SAFETY: `map` is a shared read-only mapping of a file (`Mmap::map`). MADV_DONTNEED only
    // takes its pages out of this process's page tables; a later read of them faults the same
    // bytes in again from the file, so no slice of the map ever reads anything else.
    let _ = unsafe {
        map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, range.start, range.len())
    };
    #[cfg(not(unix))]
    let _ = (map, range);
}

/// Open each input, in order: gzip detected by magic bytes, the text encoding sniffed from
/// the first (decompressed) bytes. A plain file is mapped unless `mmap` is false.
fn open_inputs(files: &[String], mmap: bool) -> Result<Vec<Input>, BoxError> {
    let names: Vec<String> = if files.is_empty() {
        vec!["-".to_string()]
    } else {
        files.to_vec()
    };
    let mut out = Vec::new();
    for name in names {
        let cant = |e: io::Error| format!("cannot read {name}: {e}");
        let raw: Box<dyn Read> = if name == "-" {
            Box::new(io::stdin().lock())
        } else {
            let f = std::fs::File::open(&name).map_err(|e| {
                format!("cannot read {name}: {e} (check the path and that the file is readable)")
            })?;
            match mmap.then(|| map_file(&f)).flatten() {
                Some(map) if !map.starts_with(&[0x1f, 0x8b]) => {
                    let utf16 = Encoding::sniff(&map[..map.len().min(1 << 20)]).0 != Encoding::Utf8;
                    out.push(Input {
                        name,
                        src: Src::Mapped {
                            map: std::sync::Arc::new(map),
                            at: 0,
                        },
                        utf16,
                    });
                    continue;
                }
                _ => Box::new(f),
            }
        };
        let mut r = io::BufReader::with_capacity(1 << 20, raw);
        let is_gzip = io::BufRead::fill_buf(&mut r)
            .map_err(cant)?
            .starts_with(&[0x1f, 0x8b]);
        let mut reader: Box<dyn io::BufRead> = if is_gzip {
            Box::new(io::BufReader::with_capacity(
                1 << 20,
                flate2::read::MultiGzDecoder::new(r),
            ))
        } else {
            Box::new(r)
        };
        // The encoding of the (decompressed) text, from its first bytes.
        let head = reader.fill_buf().map_err(cant)?;
        let utf16 = Encoding::sniff(head).0 != Encoding::Utf8;
        out.push(Input {
            name,
            src: Src::Reader(reader),
            utf16,
        });
    }
    Ok(out)
}

/// What [`for_each_chunk`] hands on: the next bytes of an input, or the start of the next.
enum Piece<'a> {
    Bytes(&'a [u8]),
    NextInput,
}

/// Read the inputs in order, in chunks of at most `size` bytes, with a
/// [`Piece::NextInput`] between two inputs. A mapped input's chunks are slices of its map.
fn for_each_chunk(
    inputs: Vec<Input>,
    size: usize,
    mut f: impl FnMut(Piece<'_>) -> Result<(), BoxError>,
) -> Result<(), BoxError> {
    let mut buf = Vec::new();
    for (k, mut input) in inputs.into_iter().enumerate() {
        if k > 0 {
            f(Piece::NextInput)?;
        }
        if let Src::Mapped { map, .. } = &input.src {
            for (i, c) in map.chunks(size).enumerate() {
                f(Piece::Bytes(c))?;
                release(map, i * size..i * size + c.len());
            }
            continue;
        }
        buf.resize(size, 0);
        loop {
            let n = match input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("cannot read {}: {e}", input.name).into()),
            };
            f(Piece::Bytes(&buf[..n]))?;
        }
    }
    Ok(())
}

fn analyze(
    files: &[String],
    format: Format,
    opts: Options,
    threads: usize,
    mmap: bool,
) -> Result<ExitCode, BoxError> {
    let baseline = opts.baseline.clone();
    let inputs = open_inputs(files, mmap)?;
    // UTF-16 cannot be cut into blocks at `\n` bytes: such input is read in one pass.
    let agg = if threads > 1 && !inputs.iter().any(|i| i.utf16) {
        analyze_parallel(inputs, opts, threads)?
    } else {
        let mut a = Analyzer::new(opts);
        for_each_chunk(inputs, 1 << 20, |p| {
            match p {
                Piece::Bytes(c) => a.push(c),
                Piece::NextInput => a.next_input(),
            }
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

/// A block of input for a worker: `data[..len]` are whole lines; `data` is reused.
struct Block {
    data: Vec<u8>,
    len: usize,
}

/// What a worker analyses: a block read into a buffer, or whole lines of a mapped file,
/// handed on without a copy.
enum Job {
    Read(Block),
    Mapped(std::sync::Arc<memmap2::Mmap>, std::ops::Range<usize>),
}

/// Worker threads that analyse blocks with a fixed schema; results merged in input order.
/// Blocks go back to the reader once analysed, so at most `threads + 2` exist at a time and
/// memory stays bounded whatever the input size (no allocation per block either).
struct Pool {
    tx: Option<std::sync::mpsc::SyncSender<(usize, Job)>>,
    results: std::sync::mpsc::Receiver<(usize, Aggregates)>,
    free: std::sync::mpsc::Receiver<Block>,
    workers: Vec<std::thread::JoinHandle<()>>,
    /// Blocks made so far (each lives until the end, cycling through `free`).
    blocks: usize,
    max_blocks: usize,
    sent: usize,
    next: usize,
    pending: std::collections::BTreeMap<usize, Aggregates>,
    merged: Option<Aggregates>,
}

impl Pool {
    fn new(threads: usize, opts: &Options, schema: &logdrop::schema::Schema) -> Pool {
        use std::sync::{mpsc, Arc, Mutex};
        let (tx, rx) = mpsc::sync_channel::<(usize, Job)>(1);
        let rx = Arc::new(Mutex::new(rx));
        let (rtx, results) = mpsc::channel();
        let (ftx, free) = mpsc::channel();
        let workers = (0..threads)
            .map(|_| {
                let (rx, rtx, ftx) = (rx.clone(), rtx.clone(), ftx.clone());
                let (opts, schema) = (opts.clone(), schema.clone());
                std::thread::spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    let Ok((i, job)) = job else { return };
                    let mut a = Analyzer::with_schema(opts.clone(), schema.clone());
                    match job {
                        Job::Read(block) => {
                            a.push(block.data.get(..block.len).unwrap_or_default());
                            let _ = ftx.send(block);
                        }
                        Job::Mapped(map, range) => {
                            a.push(map.get(range.clone()).unwrap_or_default());
                            release(&map, range);
                        }
                    }
                    if rtx.send((i, a.into_aggregates())).is_err() {
                        return;
                    }
                })
            })
            .collect();
        Pool {
            tx: Some(tx),
            results,
            free,
            workers,
            blocks: 0,
            max_blocks: threads + 2,
            sent: 0,
            next: 0,
            pending: Default::default(),
            merged: None,
        }
    }

    /// An empty block of `size` bytes: a new one while fewer than `max_blocks` exist, else
    /// the next one a worker gives back (merging results while waiting).
    fn block(&mut self, size: usize) -> Result<Block, BoxError> {
        loop {
            self.take_done();
            if let Ok(b) = self.free.try_recv() {
                return Ok(b);
            }
            if self.blocks < self.max_blocks {
                self.blocks += 1;
                return Ok(Block {
                    data: vec![0; size],
                    len: 0,
                });
            }
            let (i, a) = self.results.recv().map_err(|_| "a worker thread stopped")?;
            self.take(i, a);
        }
    }

    fn send(&mut self, job: Job) -> Result<(), BoxError> {
        // A mapped job never waits in `block`, where results are otherwise merged.
        self.take_done();
        let tx = self.tx.as_ref().ok_or("the worker pool is closed")?;
        tx.send((self.sent, job))
            .map_err(|_| "a worker thread stopped")?;
        self.sent += 1;
        Ok(())
    }

    /// The aggregates of the next piece, analysed by the caller instead of a worker.
    fn add_own(&mut self, a: Aggregates) {
        self.take(self.sent, a);
        self.sent += 1;
    }

    /// Merge the results the workers have sent so far (without waiting).
    fn take_done(&mut self) {
        while let Ok((i, a)) = self.results.try_recv() {
            self.take(i, a);
        }
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

/// All inputs as one stream of bytes (a newline inserted after an input that does not end
/// with one, so its last line ends there as [`Analyzer::next_input`] ends it), read straight
/// into the caller's buffers. Only for UTF-8 inputs: UTF-16 is read in one pass.
struct Stream {
    inputs: std::vec::IntoIter<Input>,
    cur: Option<Input>,
    /// Last byte read from the current input.
    last: u8,
    /// Bytes after the last newline of the previous block: the start of the next one.
    tail: Vec<u8>,
    /// Newlines put after inputs that did not end with one (counted out of the bytes read).
    inserted: u64,
}

/// How [`Stream::fill`] left a buffer.
enum Filled {
    /// `buf[..n]` are whole lines, or the last bytes of the input (`n == 0`: the end).
    Lines(usize),
    /// The buffer is full and holds no newline: part of a line longer than the buffer.
    NoNewline,
}

impl Stream {
    fn new(inputs: Vec<Input>) -> Stream {
        Stream {
            inputs: inputs.into_iter(),
            cur: None,
            last: b'\n',
            tail: Vec::new(),
            inserted: 0,
        }
    }

    /// Read into `buf[at..]`: the number of bytes, 0 only at the end of all inputs.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, BoxError> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let Some(input) = self.current() else {
                return Ok(0);
            };
            match input.read(buf) {
                Ok(0) => {
                    let missing_newline = self.last != b'\n';
                    self.cur = None;
                    if missing_newline {
                        self.last = b'\n';
                        self.inserted += 1;
                        buf[0] = b'\n';
                        return Ok(1);
                    }
                }
                Ok(n) => {
                    self.last = buf[n - 1];
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("cannot read {}: {e}", input.name).into()),
            }
        }
    }

    /// The input being read, the next one when there is none (`None`: all are read).
    fn current(&mut self) -> Option<&mut Input> {
        if self.cur.is_none() {
            self.cur = Some(self.inputs.next()?);
            self.last = b'\n';
        }
        self.cur.as_mut()
    }

    /// The next whole lines of the current input, at most `max` bytes, as a range of its map,
    /// when it is mapped (a carried tail is its last bytes read: they are read again from the
    /// map). At the end of a mapped input, the next input. None: read with [`fill`] instead
    /// (the input is not mapped, or its next line is longer than `max`).
    ///
    /// [`fill`]: Self::fill
    fn mapped_lines(
        &mut self,
        max: usize,
    ) -> Option<(std::sync::Arc<memmap2::Mmap>, std::ops::Range<usize>)> {
        loop {
            self.current()?;
            let Some(Input {
                src: Src::Mapped { map, at },
                ..
            }) = self.cur.as_mut()
            else {
                return None;
            };
            if !self.tail.is_empty() {
                *at = at.checked_sub(self.tail.len())?;
                self.tail.clear();
            }
            let len = map.len();
            if *at >= len {
                // Its last line ended with the previous block (a worker ends a block's last
                // line as the end of input does).
                self.cur = None;
                continue;
            }
            let start = *at;
            let end = if len - start <= max {
                len
            } else {
                let window = map.get(start..start + max)?;
                start + memchr::memrchr(b'\n', window)? + 1
            };
            *at = end;
            self.last = b'\n';
            return Some((map.clone(), start..end));
        }
    }

    /// Fill `buf` with the carried tail and then new input, up to its length or the end of
    /// input, and carry what follows its last newline over to the next call.
    fn fill(&mut self, buf: &mut [u8]) -> Result<Filled, BoxError> {
        let mut n = self.tail.len().min(buf.len());
        buf[..n].copy_from_slice(&self.tail[..n]);
        self.tail.drain(..n);
        while n < buf.len() {
            let got = self.read(&mut buf[n..])?;
            if got == 0 {
                return Ok(Filled::Lines(n));
            }
            n += got;
        }
        match memchr::memrchr(b'\n', buf) {
            Some(i) => {
                self.tail.extend_from_slice(&buf[i + 1..]);
                Ok(Filled::Lines(i + 1))
            }
            None => Ok(Filled::NoNewline),
        }
    }
}

/// Blocks cut at newlines, analysed on `threads` workers with the schema chosen from the
/// head, merged in order: the same result as one pass.
fn analyze_parallel(
    inputs: Vec<Input>,
    opts: Options,
    threads: usize,
) -> Result<Aggregates, BoxError> {
    let mut input = Stream::new(inputs);
    let mut agg = analyze_stream(&mut input, opts, threads)?;
    // The newlines the stream put after inputs that did not end with one are not input.
    agg.bytes = agg.bytes.saturating_sub(input.inserted);
    Ok(agg)
}

/// [`analyze_parallel`] of the inputs of `input`.
fn analyze_stream(
    input: &mut Stream,
    opts: Options,
    threads: usize,
) -> Result<Aggregates, BoxError> {
    // Measured on a 230 MB gen_bench file with 2 threads (median wall of 5): 4 MiB blocks
    // were within noise of 1 MiB ones (0.26 s vs 0.29 s) at twice the peak RSS (24 vs 12 MB);
    // 256 KiB blocks were slower (0.32 s).
    const BLOCK: usize = 1 << 20;
    let mut buf = vec![0u8; BLOCK];

    // The head, on this thread, until the schema is chosen exactly as one pass chooses it.
    // Its aggregates are the first piece.
    let mut head = Analyzer::new(opts.clone());
    loop {
        let at_newline = match input.fill(&mut buf)? {
            Filled::Lines(0) => return Ok(head.into_aggregates()),
            Filled::Lines(n) => {
                head.push(&buf[..n]);
                true
            }
            Filled::NoNewline => {
                head.push(&buf);
                false
            }
        };
        if head.saw_multiline() {
            // Multi-line JSON cannot be cut at any newline: read it in one pass.
            return one_pass(head, input, &mut buf);
        }
        if at_newline && head.schema_chosen() {
            break;
        }
    }
    let schema = head.schema();
    let mut pool = Pool::new(threads, &opts, &schema);
    pool.add_own(head.into_aggregates());
    drop(buf);
    loop {
        if let Some((map, range)) = input.mapped_lines(BLOCK) {
            pool.send(Job::Mapped(map, range))?;
            continue;
        }
        let mut block = pool.block(BLOCK)?;
        match input.fill(&mut block.data)? {
            Filled::Lines(0) => break,
            Filled::Lines(n) => {
                block.len = n;
                pool.send(Job::Read(block))?;
            }
            Filled::NoNewline => {
                // A line longer than a block: this thread reads it to its end as one piece.
                let mut a = Analyzer::with_schema(opts.clone(), schema.clone());
                a.push(&block.data);
                loop {
                    match input.fill(&mut block.data)? {
                        Filled::NoNewline => a.push(&block.data),
                        Filled::Lines(n) => {
                            a.push(&block.data[..n]);
                            break;
                        }
                    }
                }
                pool.add_own(a.into_aggregates());
                // This block is not coming back from a worker.
                pool.blocks -= 1;
            }
        }
    }
    Ok(pool
        .finish()?
        .unwrap_or_else(|| Aggregates::new(schema, opts.limits.clone())))
}

/// The rest of the input through `a`, in one pass.
fn one_pass(mut a: Analyzer, input: &mut Stream, buf: &mut [u8]) -> Result<Aggregates, BoxError> {
    loop {
        match input.fill(buf)? {
            Filled::Lines(0) => break,
            Filled::Lines(n) => a.push(&buf[..n]),
            Filled::NoNewline => a.push(buf),
        }
    }
    Ok(a.into_aggregates())
}

fn repair(files: &[String], max_line_bytes: usize, mmap: bool) -> Result<ExitCode, BoxError> {
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
    for_each_chunk(open_inputs(files, mmap)?, 1 << 20, |p| {
        match p {
            Piece::Bytes(c) => splitter.push(c, &mut |ev| assembler.push(ev, &mut on_unit)),
            Piece::NextInput => {
                splitter.next_input(&mut |ev| assembler.push(ev, &mut on_unit));
                assembler.finish(&mut on_unit);
            }
        }
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
