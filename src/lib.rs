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
                parser: Parser::new(opts.max_depth),
                state: State::Detecting {
                    detector: Detector::new(),
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

    /// Bytes pushed so far.
    pub fn bytes(&self) -> u64 {
        self.splitter.bytes()
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
        let Analyzer {
            splitter,
            assembler,
            core,
        } = self;
        splitter.finish(&mut |ev| assembler.push(ev, &mut |u| core.unit(&u)));
        assembler.finish(&mut |u| core.unit(&u));
        core.decide();
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
        let schema = detector.decide(&self.opts.overrides);
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
    /// Nothing was read.
    Empty,
    /// No line could be read as a record.
    NoRecords(String),
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
            Problem::NoRecords(found) => write!(
                f,
                "no line could be read as a log record ({found}). logdrop reads JSON lines, \
                 text followed by JSON, logfmt (key=value) and access logs"
            ),
            Problem::NoLatency(fields) => write!(
                f,
                "no latency field found among the fields {fields}: choose the field that \
                 holds the request duration (in the page: the Latency menu; on the command \
                 line: --latency FIELD, and --latency-unit ms|s|us if its name has no unit)"
            ),
        }
    }
}

/// Whether the summary can be used, or what is missing.
pub fn check(s: &Summary) -> Result<(), Problem> {
    if s.input.bytes == 0 || s.input.records == 0 {
        return Err(Problem::Empty);
    }
    if s.input.parsed + s.input.recovered == 0 {
        let found = s
            .input
            .skipped_reasons
            .iter()
            .map(|(k, v)| format!("{v} {}", k.replace('_', " ")))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Problem::NoRecords(found));
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
