//! logdrop: drop a log, get per-version latency and error statistics, a diagnosis and an
//! incident report — in the browser (WebAssembly) or on the command line.
//!
//! # The pipeline
//!
//! ```text
//! bytes ─► lines ─► records ─► aggregates ─► summary (JSON contract)
//!          lines    parse      aggregate     summary
//!                   schema
//! ```
//!
//! * [`lines`] splits chunks of any size into lines (one owner of the partial line).
//! * [`parse`] turns each line (or multi-line JSON object) into *parsed*, *recovered* or
//!   *skipped*; JSON, text + JSON, logfmt and access logs.
//! * [`schema`] picks the latency, status, group and time fields from the first records.
//! * [`aggregate`] keeps per-group histograms, timelines, evidence and per-field value
//!   counts; everything merges exactly.
//! * [`summary`] is the JSON contract read by the CLI, the page and the report.
//!
//! The core has no I/O: the CLI (`src/main.rs`) and the wasm layer (`src/wasm.rs`) feed it.
//!
//! ```
//! use logdrop::{Analyzer, Options};
//! let mut a = Analyzer::new(Options::default());
//! a.push(b"{\"responseTimeMs\": 120, \"status\": \"OK\", \"modelVersion\": \"v1.2\"}\n{respon");
//! a.push(b"seTimeMs\": 820, \"status\": \"Timeout\", \"modelVersion\": \"v1.3\"}\n");
//! let s = a.finish();
//! assert_eq!(s.input.parsed, 1);
//! assert_eq!(s.input.recovered, 1);
//! assert_eq!(s.fields.group.as_deref(), Some("modelVersion"));
//! ```
//!
//! # Invariants
//!
//! * No input makes the core panic, hang, or grow memory with the size of the input.
//! * `parsed + recovered + skipped == records`; nothing is dropped silently.
//! * The same input gives the same summary read whole, in chunks of any size, or as pieces
//!   merged with [`aggregate::Aggregates::merge`].

pub mod aggregate;
pub mod analysis;
pub mod histogram;
pub mod lines;
pub mod parse;
pub mod redact;
pub mod render;
pub mod schema;
pub mod share;
pub mod summary;
pub mod units;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

use aggregate::{Aggregates, Limits};
use lines::Splitter;
use parse::driver::{Assembler, Parser, Unit};
use parse::SkipReason;
use schema::{Detector, Overrides, Schema};
pub use summary::Summary;

/// Options for one analysis. Every field has a default; see each for its unit and limit.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Options {
    /// Field choices made by the user (empty: detected).
    #[serde(flatten)]
    pub overrides: Overrides,
    /// The group to compare the others with (default: chosen by the analysis).
    pub baseline: Option<String>,
    /// Longest line kept, in bytes (default 1 MiB). Longer lines are skipped as too long.
    pub max_line_bytes: usize,
    /// Deepest JSON nesting read (default 64). Deeper records are skipped as too deep.
    pub max_depth: usize,
    /// Records read before the schema is chosen (default 2 000).
    pub detect_records: usize,
    /// Bytes of records read before the schema is chosen, at most (default 4 MiB).
    pub detect_bytes: usize,
    /// The current time, epoch ms: timestamps written without a year (klog, syslog) are read
    /// in the latest year that does not put them in the future. `None` (the default; the core
    /// has no clock, the CLI and the page pass it): such timestamps are not read.
    pub now_ms: Option<i64>,
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            overrides: Overrides::default(),
            baseline: None,
            max_line_bytes: 1 << 20,
            max_depth: 64,
            detect_records: 2000,
            detect_bytes: 4 << 20,
            now_ms: None,
            limits: Limits::default(),
        }
    }
}

/// A record unit kept while the schema is not chosen yet.
#[derive(Debug)]
struct HeldUnit {
    text: String,
    line_no: u64,
    is_lossy: bool,
    is_multiline: bool,
    forced: Option<SkipReason>,
}

#[derive(Debug)]
enum State {
    Detecting {
        detector: Detector,
        held: Vec<HeldUnit>,
        held_bytes: usize,
    },
    Running(Box<Aggregates>),
}

/// Everything behind the splitter and assembler (split out for the borrow checker).
#[derive(Debug)]
struct Core {
    opts: Options,
    parser: Parser,
    state: State,
    saw_multiline: bool,
}

/// The streaming analyzer: `push` chunks of any size, then `finish`.
#[derive(Debug)]
pub struct Analyzer {
    splitter: Splitter,
    assembler: Assembler,
    core: Core,
}

impl Analyzer {
    /// A new analyzer that chooses the schema from the first records.
    pub fn new(opts: Options) -> Self {
        let max_line = opts.max_line_bytes.clamp(1, u32::MAX as usize / 2);
        Analyzer {
            splitter: Splitter::new(max_line),
            assembler: Assembler::new(max_line),
            core: Core {
                parser: {
                    let mut p = Parser::new(opts.max_depth);
                    // Looks for records inside `log` strings while detecting.
                    p.inner_log = true;
                    p
                },
                state: State::Detecting {
                    detector: {
                        let mut d = Detector::new();
                        d.set_now(opts.now_ms);
                        d
                    },
                    held: Vec::new(),
                    held_bytes: 0,
                },
                opts,
                saw_multiline: false,
            },
        }
    }

    /// A new analyzer for a piece of an input whose schema is already known (parallel
    /// chunks: merge their [`Aggregates`] in input order).
    pub fn with_schema(opts: Options, schema: Schema) -> Self {
        let mut a = Analyzer::new(opts);
        a.core.parser.inner_log = schema.inner_log;
        a.core.state = State::Running(Box::new(Aggregates::new(
            schema,
            a.core.opts.limits.clone(),
        )));
        a
    }

    /// Feed the next chunk of input.
    pub fn push(&mut self, chunk: &[u8]) {
        let Analyzer {
            splitter,
            assembler,
            core,
        } = self;
        splitter.push(chunk, &mut |ev| assembler.push(ev, &mut |u| core.unit(&u)));
    }

    /// The current input ends here and another follows (several files analysed as one):
    /// its last line and any open multi-line object end, and the next input's encoding is
    /// detected from its own first bytes. Counts and line numbers continue.
    pub fn next_input(&mut self) {
        let Analyzer {
            splitter,
            assembler,
            core,
        } = self;
        splitter.next_input(&mut |ev| assembler.push(ev, &mut |u| core.unit(&u)));
        assembler.finish(&mut |u| core.unit(&u));
    }

    /// Bytes pushed so far.
    pub fn bytes(&self) -> u64 {
        self.splitter.bytes()
    }

    /// The input's text encoding, chosen from its first bytes (UTF-16 is decoded
    /// transparently; see [`lines`]). Input in UTF-16 cannot be cut at any `\n` byte.
    pub fn encoding(&self) -> lines::Encoding {
        self.splitter.encoding()
    }

    /// Whether a multi-line JSON object was seen (such input cannot be cut at any newline).
    pub fn saw_multiline(&self) -> bool {
        self.core.saw_multiline
    }

    /// Whether the schema is chosen: by the records seen so far (as one pass over the input
    /// would choose it), or by [`schema`](Self::schema).
    pub fn schema_chosen(&self) -> bool {
        matches!(self.core.state, State::Running(_))
    }

    /// The schema, choosing it now from what was seen if detection is still running.
    pub fn schema(&mut self) -> Schema {
        self.core.decide();
        match &self.core.state {
            State::Running(a) => a.schema.clone(),
            State::Detecting { .. } => Schema::default(),
        }
    }

    fn end(&mut self) {
        // The last input ends as every input does (the encoding it re-arms is never used).
        self.next_input();
        self.core.decide();
    }

    /// End of input: the aggregates of everything pushed.
    pub fn into_aggregates(mut self) -> Aggregates {
        self.end();
        let lines = self.splitter.lines();
        let bytes = self.splitter.bytes();
        match self.core.state {
            State::Running(mut a) => {
                a.lines = lines;
                a.bytes = bytes;
                *a
            }
            // Unreachable: `decide` always moves to Running.
            State::Detecting { .. } => Aggregates::new(Schema::default(), Limits::default()),
        }
    }

    /// End of input: the summary (the JSON contract), with the diagnosis.
    pub fn finish(self) -> Summary {
        let baseline = self.core.opts.baseline.clone();
        summarize(&self.into_aggregates(), baseline.as_deref())
    }
}

impl Core {
    #[inline]
    fn unit(&mut self, u: &Unit<'_>) {
        self.saw_multiline |= u.is_multiline;
        match &mut self.state {
            State::Running(agg) => {
                let outcome = self.parser.parse(u);
                agg.add(u, outcome, self.parser.source(u.text), &self.parser.fields);
            }
            State::Detecting {
                detector,
                held,
                held_bytes,
            } => {
                let outcome = self.parser.parse(u);
                if !matches!(outcome, parse::Outcome::Skipped(_)) {
                    let src = self.parser.source(u.text);
                    let f = &self.parser.fields;
                    detector.observe((0..f.len()).filter_map(|i| f.get(src, i)));
                }
                *held_bytes += u.text.len();
                held.push(HeldUnit {
                    text: u.text.to_string(),
                    line_no: u.line_no,
                    is_lossy: u.is_lossy,
                    is_multiline: u.is_multiline,
                    forced: u.forced,
                });
                if detector.records() as usize >= self.opts.detect_records
                    || *held_bytes >= self.opts.detect_bytes
                {
                    self.decide();
                }
            }
        }
    }

    /// Choose the schema and replay the held records.
    fn decide(&mut self) {
        let State::Detecting { detector, held, .. } = &mut self.state else {
            return;
        };
        let mut schema = detector.decide(&self.opts.overrides);
        schema.inner_log = self.parser.unwrapped > 0;
        self.parser.inner_log = schema.inner_log;
        let held = std::mem::take(held);
        self.state = State::Running(Box::new(Aggregates::new(schema, self.opts.limits.clone())));
        for h in &held {
            let u = Unit {
                text: &h.text,
                line_no: h.line_no,
                is_lossy: h.is_lossy,
                is_multiline: h.is_multiline,
                forced: h.forced,
            };
            self.unit(&u);
        }
    }
}

/// The summary of `agg` with the analysis (baseline and findings) filled in.
pub fn summarize(agg: &Aggregates, baseline: Option<&str>) -> Summary {
    let mut s = agg.summary();
    analysis::diagnose(agg, baseline, &mut s);
    s
}

/// Why a summary cannot answer the user's question, with what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Nothing was read (0 bytes, or a byte-order mark alone).
    Empty,
    /// Lines, but every one of them blank (spaces, tabs, line breaks).
    Blank { lines: u64 },
    /// No record, and the lines look like UTF-16 (or UTF-32) text that was not recognised as
    /// such: a NUL byte beside every character (no byte-order mark, or not at the start).
    Utf16,
    /// No record, and the lines are mostly NUL or control bytes. `found`: the skip reasons.
    Binary { found: String },
    /// No line could be read as a record. `found`: the skip reasons; `hint`: what to do
    /// about the most common one (may be empty).
    NoRecords { found: String, hint: &'static str },
    /// Records, but no field that looks like a latency.
    NoLatency(String),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::Empty => write!(
                f,
                "the input is empty: give a log file with one record per line"
            ),
            Problem::Blank { lines } => write!(
                f,
                "the input is empty: its {lines} line{} {} blank (only spaces, tabs or line \
                 breaks). Give a log file with one record per line",
                if *lines == 1 { "" } else { "s" },
                if *lines == 1 { "is" } else { "are all" }
            ),
            Problem::Utf16 => write!(
                f,
                "no line could be read as a log record: the input looks like UTF-16 text \
                 without a byte-order mark at its start (a NUL byte beside every character), \
                 which logdrop could not decode. Convert it to UTF-8, e.g. `iconv -f UTF-16LE \
                 -t UTF-8 app.log > app.utf8.log` (UTF-16BE if the result is garbled), and \
                 analyze that"
            ),
            Problem::Binary { found } => write!(
                f,
                "no line could be read as a log record: the input looks binary, not a text \
                 log; its lines are mostly NUL or control bytes ({found}). Is it compressed \
                 with something other than gzip (decompress it first), a database or core \
                 file, or text in UTF-32 (convert it with `iconv -t UTF-8`)? logdrop reads \
                 text logs"
            ),
            Problem::NoRecords { found, hint } => {
                write!(
                    f,
                    "no line could be read as a log record ({found}). logdrop reads JSON \
                     lines, text followed by JSON, logfmt (key=value) and access logs"
                )?;
                if !hint.is_empty() {
                    write!(f, ". {hint}")?;
                }
                Ok(())
            }
            Problem::NoLatency(fields) => write!(
                f,
                "no latency field found among the fields {fields}: choose the field that \
                 holds the request duration (in the page: the Latency menu; on the command \
                 line: --latency FIELD, and --latency-unit ms|s|us if its name has no unit)"
            ),
        }
    }
}

/// What to do when most records were skipped for `reason`.
fn skip_hint(reason: &str) -> &'static str {
    match reason {
        "too_long" => {
            "Lines longer than the limit (1 MiB unless set) are skipped without being read: \
             raise it with --max-line-bytes N if the records really are that long, or check \
             that the file has line breaks (lines ending in a lone \\r, or one big JSON \
             document, read as one line)"
        }
        "too_deep" => {
            "Records nested more than 64 levels deep are skipped: a log record is a flat or \
             shallow object; check that this file is a log and not a data dump"
        }
        "not_an_object" => {
            "The lines are JSON, but not objects: each record must be an object, \
             {\"field\": value, …}"
        }
        "bad_json" => "The JSON is damaged beyond repair; `logdrop repair` lists each bad line",
        "truncated" => {
            "A multi-line JSON object never closed: the file may have been cut off while \
             being written or copied"
        }
        _ => "",
    }
}

/// Mostly NUL or other control bytes (tab, CR and LF aside), as the parser's binary test.
fn looks_binary(text: &str) -> bool {
    let n = text.chars().count();
    let bad = text
        .chars()
        .filter(|&c| (c < ' ' && !matches!(c, '\t' | '\r' | '\n')) || c == '\u{7f}')
        .count();
    n > 0 && bad * 10 > n
}

/// ASCII with a NUL before or after every character: UTF-16 (or UTF-32) read as bytes. The
/// line may start on either byte of a code unit (a line after the first starts with the
/// NUL that followed the previous `\n`).
fn looks_utf16(text: &str) -> bool {
    let b: Vec<char> = text.chars().take(64).collect();
    if b.len() < 8 {
        return false;
    }
    let ascii = |c: &char| matches!(c, ' '..='~');
    (0..2).any(|phase| {
        let (mut nul, mut text, mut pairs) = (0, 0, 0);
        for pair in b[phase..].chunks_exact(2) {
            pairs += 1;
            nul += usize::from(pair[1] == '\0');
            text += usize::from(ascii(&pair[0]));
        }
        pairs >= 4 && nul * 10 >= pairs * 9 && text * 10 >= pairs * 9
    })
}

/// Whether the summary can be used, or what is missing.
pub fn check(s: &Summary) -> Result<(), Problem> {
    let inp = &s.input;
    if inp.bytes == 0 || inp.lines == 0 {
        // (No lines from some bytes: a byte-order mark alone.)
        return Err(Problem::Empty);
    }
    if inp.records == 0 {
        return Err(Problem::Blank { lines: inp.lines });
    }
    if inp.parsed + inp.recovered == 0 {
        let found = inp
            .skipped_reasons
            .iter()
            .map(|(k, v)| format!("{v} {}", k.replace('_', " ")))
            .collect::<Vec<_>>()
            .join(", ");
        let skipped = |e: &&summary::Example| e.outcome == "skipped";
        if inp
            .examples
            .iter()
            .filter(skipped)
            .any(|e| looks_utf16(&e.text))
        {
            return Err(Problem::Utf16);
        }
        // Binary: the parser said so for most lines, or the lines too long to read start
        // with binary bytes (a NUL file bigger than the line limit is one long line).
        let count = |reason: &str| inp.skipped_reasons.get(reason).copied().unwrap_or(0);
        let mut long = inp
            .examples
            .iter()
            .filter(|e| e.reason == "too_long")
            .peekable();
        let long_binary = long.peek().is_some() && long.all(|e| looks_binary(&e.text));
        let binary = count("binary") + if long_binary { count("too_long") } else { 0 };
        if binary * 2 >= inp.records {
            return Err(Problem::Binary { found });
        }
        let top = inp
            .skipped_reasons
            .iter()
            .max_by_key(|(_, v)| **v)
            .map_or("", |(k, _)| k.as_str());
        return Err(Problem::NoRecords {
            found,
            hint: skip_hint(top),
        });
    }
    if s.fields.latency.is_none() {
        let mut names: Vec<&str> = s.dimensions.iter().map(|d| d.field.as_str()).collect();
        names.truncate(12);
        let list = if names.is_empty() {
            "seen".to_string()
        } else {
            names.join(", ")
        };
        return Err(Problem::NoLatency(list));
    }
    if s.groups.iter().all(|g| g.latency_count == 0) {
        return Err(Problem::NoLatency(format!(
            "(\"{}\" was chosen but no value of it is a duration)",
            s.fields.latency.as_deref().unwrap_or("")
        )));
    }
    Ok(())
}
