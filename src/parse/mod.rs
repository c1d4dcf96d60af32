//! Records: one input unit (a line, or a multi-line JSON object) becomes exactly one of
//! *parsed*, *recovered* (with the repairs made) or *skipped* (with the reason).
//!
//! # The format contract
//!
//! Every input format is one file in this folder with the same shape:
//!
//! * **sniff** — a cheap check on the raw bytes that says "this line may be mine";
//! * **parse** — strict JSON ([`json`]) borrows from the line and fills a [`Fields`] list of
//!   spans without allocating. Every other format ([`lenient`], [`logfmt`], [`access`],
//!   [`alb`], [`envoy`], [`prefix`]) *converts* the line into one canonical strict JSON object written into a
//!   reused scratch buffer, which the strict scanner then reads. One field model, one hot path;
//! * **explain** — a failure is a small `Copy` [`SkipReason`]; the sentence a person reads is
//!   built only when it is shown ([`SkipReason::describe`]).
//!
//! The lenient path repairs a fixed, enumerated list of faults ([`Repair`]) and records which
//! ones it applied; it never tries edits until something happens to parse.

pub mod access;
pub mod alb;
pub mod envoy;
pub mod json;
pub mod lenient;
pub mod logfmt;
pub mod prefix;

pub mod driver;
pub use driver::{Format, Outcome, Parser, Unit};
pub use json::{Field, Fields, Span, Val, ValRef};

use serde::{Deserialize, Serialize};

/// Equality for the short keys and values of log records, inlined: a `memcmp` call costs
/// more than the comparison itself at these lengths (measured: 11% of a run in `memcmp`).
#[inline(always)]
pub fn eq_short(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    // Overlapping loads instead of a loop with a byte tail (measured on the 220 MB clean
    // NDJSON bench file: the loop's byte tail was ~3% of a run, mispredicted on every length).
    let w8 = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().unwrap_or([0; 8]));
    let w4 = |s: &[u8], i: usize| u32::from_le_bytes(s[i..i + 4].try_into().unwrap_or([0; 4]));
    match n {
        0 => true,
        1..=3 => (a[0] == b[0]) & (a[n / 2] == b[n / 2]) & (a[n - 1] == b[n - 1]),
        4..=8 => (w4(a, 0) == w4(b, 0)) & (w4(a, n - 4) == w4(b, n - 4)),
        9..=16 => (w8(a, 0) == w8(b, 0)) & (w8(a, n - 8) == w8(b, n - 8)),
        17..=32 => {
            (w8(a, 0) == w8(b, 0))
                & (w8(a, 8) == w8(b, 8))
                & (w8(a, n - 16) == w8(b, n - 16))
                & (w8(a, n - 8) == w8(b, n - 8))
        }
        _ => a == b,
    }
}

/// One kind of fault the lenient JSON path knows how to repair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum Repair {
    /// A key or string value missing its opening or closing quote (`{responseTimeMs": 820`).
    MissingQuote = 0,
    /// Strings or keys in single quotes (`{'a': 'b'}`).
    SingleQuotes = 1,
    /// Bare keys (`{a: 1}`).
    UnquotedKey = 2,
    /// A comma before `}` or `]`.
    TrailingComma = 3,
    /// A missing `}` or `]` at the end of the line.
    MissingClose = 4,
    /// `//` or `/* */` comments.
    Comment = 5,
    /// `True`, `False`, `None` (Python) or `undefined`.
    PythonLiteral = 6,
    /// `NaN`, `Infinity`, `-Infinity` (written as null).
    NonFiniteNumber = 7,
    /// Raw control characters (tab, newline…) inside a string.
    ControlChar = 8,
    /// A missing comma between members (`{"a":1 "b":2}`).
    MissingComma = 9,
    /// Bytes that are not UTF-8, decoded lossily.
    InvalidUtf8 = 10,
    /// A line that is not JSON, read as logfmt / access log / prefix + JSON is *parsed*, not
    /// recovered; this marks an unquoted bare string value (`{"a": ok}`).
    BareValue = 11,
}

impl Repair {
    pub const ALL: [Repair; 12] = [
        Repair::MissingQuote,
        Repair::SingleQuotes,
        Repair::UnquotedKey,
        Repair::TrailingComma,
        Repair::MissingClose,
        Repair::Comment,
        Repair::PythonLiteral,
        Repair::NonFiniteNumber,
        Repair::ControlChar,
        Repair::MissingComma,
        Repair::InvalidUtf8,
        Repair::BareValue,
    ];

    /// The stable name used in JSON output (`missing_quote`, …).
    pub fn name(self) -> &'static str {
        match self {
            Repair::MissingQuote => "missing_quote",
            Repair::SingleQuotes => "single_quotes",
            Repair::UnquotedKey => "unquoted_key",
            Repair::TrailingComma => "trailing_comma",
            Repair::MissingClose => "missing_close",
            Repair::Comment => "comment",
            Repair::PythonLiteral => "python_literal",
            Repair::NonFiniteNumber => "non_finite_number",
            Repair::ControlChar => "control_char",
            Repair::MissingComma => "missing_comma",
            Repair::InvalidUtf8 => "invalid_utf8",
            Repair::BareValue => "bare_value",
        }
    }

    /// What was wrong, in words, for the page and the report.
    pub fn describe(self) -> &'static str {
        match self {
            Repair::MissingQuote => "a key or string was missing a quote",
            Repair::SingleQuotes => "single quotes instead of double quotes",
            Repair::UnquotedKey => "a key without quotes",
            Repair::TrailingComma => "a trailing comma",
            Repair::MissingClose => "a missing closing brace or bracket",
            Repair::Comment => "a comment inside the JSON",
            Repair::PythonLiteral => "True/False/None instead of true/false/null",
            Repair::NonFiniteNumber => "NaN or Infinity (kept as null)",
            Repair::ControlChar => "a raw control character inside a string",
            Repair::MissingComma => "a missing comma between members",
            Repair::InvalidUtf8 => "bytes that are not UTF-8",
            Repair::BareValue => "a string value without quotes",
        }
    }
}

/// The set of repairs applied to one record (a bit set over [`Repair`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Repairs(pub u16);

impl Repairs {
    pub fn add(&mut self, r: Repair) {
        self.0 |= 1 << (r as u8);
    }
    pub fn has(self, r: Repair) -> bool {
        self.0 & (1 << (r as u8)) != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Repair> {
        Repair::ALL.into_iter().filter(move |r| self.has(*r))
    }
}

/// Why a record was skipped. Small and `Copy`; the text is built only when shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Text that is not a record in any known format (a banner, a stack-trace line).
    NotARecord,
    /// JSON that starts like an object but cannot be repaired.
    BadJson,
    /// JSON that is valid but not an object (a bare number, string or array of scalars).
    NotAnObject,
    /// A line longer than `max_line_bytes`.
    TooLong,
    /// Nesting deeper than `max_depth`.
    TooDeep,
    /// Mostly non-text bytes (NUL, control characters).
    Binary,
    /// A multi-line object that never closed before the input ended.
    Truncated,
}

impl SkipReason {
    pub const ALL: [SkipReason; 7] = [
        SkipReason::NotARecord,
        SkipReason::BadJson,
        SkipReason::NotAnObject,
        SkipReason::TooLong,
        SkipReason::TooDeep,
        SkipReason::Binary,
        SkipReason::Truncated,
    ];

    /// The stable name used in JSON output (`not_a_record`, …).
    pub fn name(self) -> &'static str {
        match self {
            SkipReason::NotARecord => "not_a_record",
            SkipReason::BadJson => "bad_json",
            SkipReason::NotAnObject => "not_an_object",
            SkipReason::TooLong => "too_long",
            SkipReason::TooDeep => "too_deep",
            SkipReason::Binary => "binary",
            SkipReason::Truncated => "truncated",
        }
    }

    /// What was wrong and what the user can do about it.
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::NotARecord => {
                "not a record in any known format (JSON, logfmt, access log, text + JSON)"
            }
            SkipReason::BadJson => "JSON too damaged to repair",
            SkipReason::NotAnObject => "JSON but not an object",
            SkipReason::TooLong => "line longer than the limit (raise --max-line-bytes)",
            SkipReason::TooDeep => "nested deeper than the limit",
            SkipReason::Binary => "binary data, not text",
            SkipReason::Truncated => "a multi-line JSON object that never closed",
        }
    }
}

/// Test helpers shared by the line converters that have a `sniff` and a `to_json` (access,
/// alb, envoy, logfmt).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod converter_tests {
    use serde_json::Value;

    type Sniff = fn(&[u8]) -> bool;
    type ToJson = fn(&[u8], &mut Vec<u8>) -> bool;

    /// `line` as the JSON that `to_json` writes, `sniff` and `to_json` both accepting it.
    pub(super) fn convert(sniff: Sniff, to_json: ToJson, line: &str) -> Value {
        let mut out = Vec::new();
        assert!(sniff(line.as_bytes()), "sniff {line}");
        assert!(to_json(line.as_bytes(), &mut out), "to_json {line}");
        serde_json::from_slice(&out)
            .unwrap_or_else(|e| panic!("{}: {e}", String::from_utf8_lossy(&out)))
    }

    /// Neither `sniff` nor `to_json` takes any of `lines`.
    pub(super) fn assert_rejects(sniff: Sniff, to_json: ToJson, lines: &[&str]) {
        let mut out = Vec::new();
        for line in lines {
            assert!(!sniff(line.as_bytes()), "sniff {line}");
            assert!(!to_json(line.as_bytes(), &mut out), "to_json {line}");
        }
    }

    /// Any bytes: `sniff` says what `to_json` does, and what it writes is a JSON object.
    pub(super) fn check_sniff_agrees(sniff: Sniff, to_json: ToJson, bytes: &[u8]) {
        let mut out = Vec::new();
        let ok = to_json(bytes, &mut out);
        assert_eq!(sniff(bytes), ok);
        if ok {
            let v: Value = serde_json::from_slice(&out).expect("valid JSON");
            assert!(v.is_object());
        }
    }
}
