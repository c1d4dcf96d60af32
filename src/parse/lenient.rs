//! Lenient JSON: repair a line that the strict scanner rejected into one strict JSON object.
//!
//! [`repair`] is a single forward pass of a hand-written tokenizer and a state machine with an
//! explicit container stack (no recursion on input depth). It writes canonical, compact JSON
//! (no whitespace between tokens, key order and nesting as in the source) and records every
//! fault it fixed as a [`Repair`] in the returned [`Repairs`]. It repairs exactly this list:
//!
//! | fault | example | becomes | recorded as |
//! | --- | --- | --- | --- |
//! | key or string missing a quote | `{a": 1}`, `{"a: 1}`, `{"s": "OK}` | `{"a":1}`, `{"s":"OK"}` | [`Repair::MissingQuote`] |
//! | unescaped `"` inside a string | `{"m": "say "hi" now"}` | `{"m":"say \"hi\" now"}` | [`Repair::MissingQuote`] |
//! | single quotes | `{'a': 'b'}` | `{"a":"b"}` | [`Repair::SingleQuotes`] |
//! | unquoted key | `{a: 1}` | `{"a":1}` | [`Repair::UnquotedKey`] |
//! | trailing comma | `{"a": [1,],}` | `{"a":[1]}` | [`Repair::TrailingComma`] |
//! | missing `}` / `]` (also nested, also a missing `{`) | `{"a": [1` | `{"a":[1]}` | [`Repair::MissingClose`] |
//! | comments | `{"a": 1 /* x */} // y` | `{"a":1}` | [`Repair::Comment`] |
//! | Python / JS literals | `True`, `False`, `None`, `undefined` | `true`, `false`, `null` | [`Repair::PythonLiteral`] |
//! | non-finite numbers | `NaN`, `Infinity`, `-Infinity`, `inf`, `nan`, `1e999` | `null` | [`Repair::NonFiniteNumber`] |
//! | raw control characters in strings | a tab inside `"…"` | `\t` | [`Repair::ControlChar`] |
//! | missing comma between members | `{"a":1 "b":2}` | `{"a":1,"b":2}` | [`Repair::MissingComma`] |
//! | bare string value | `{"status": Timeout}` | `{"status":"Timeout"}` | [`Repair::BareValue`] |
//! | invalid UTF-8 | `\xff` | U+FFFD | [`Repair::InvalidUtf8`] |
//!
//! Also, silently (no fault recorded, the value is unchanged): numbers in a form JSON does not
//! allow are normalised when that is cheap (`+1` → `1`, `.5` → `0.5`, `1.` → `1`); other
//! number-like words (`0x1f`, `007`) become bare strings. An invalid escape (`\x`) keeps its
//! backslash as text (`\\x`), `\'` becomes `'`, and a lone UTF-16 surrogate escape becomes
//! `\ufffd`, so the output is always accepted by `serde_json`. A leading UTF-8 byte-order mark
//! is dropped. A truncated member keeps its key: `{"a":1,"b":` becomes `{"a":1,"b":null}`.
//!
//! # Where a quote is missing
//!
//! The structure decides. A quote that closes a *key* must be followed by `:`; one that closes
//! a *value* by `,`, `}`, `]`, another string, or the end of the line. When the quote found
//! does not fit, the string is cut at the first `:` (keys) or the last `,` (values, when what
//! follows looks like the next key, `"b":`) and the tokenizer resumes there; when nothing fits,
//! the quote is taken as text and escaped. A string with no closing quote at all ends before the
//! closing brackets at the end of the line (`{"status": "OK}` → `"OK"`). A word followed
//! directly by a quote that fits (`{responseTimeMs": 820}`, `{"s": Timeout"}`) is a string that
//! lost its opening quote. When the opening `{` itself is missing (`"a": 1}`), the object is
//! opened implicitly and [`Repair::MissingClose`] is recorded.
//!
//! # Failures
//!
//! * [`SkipReason::TooDeep`] — more than `max_depth` containers open at once (the top-level
//!   object counts as one, as in the strict scanner; `max_depth` 0 is treated as 1).
//! * [`SkipReason::NotAnObject`] — an array, or one valid JSON scalar (`42`, `"x"`, `true`).
//! * [`SkipReason::BadJson`] — anything else that does not fit the list above: a missing
//!   colon, a stray `:` or `,`, a container where a key belongs (`{{{{`), text after the
//!   object, or the (linear) work budget exhausted. `out` is left empty on failure.
//!
//! # Cost
//!
//! Linear in the line: tokens only move forward, except that a string cut at a `,`/`:` makes
//! the tokenizer re-read the bytes after the cut once. A work budget of
//! `BUDGET_PER_BYTE` steps per input byte bounds string scanning, so no input can make it
//! slower than a small constant number of passes.

use std::borrow::Cow;

use super::json::write_json_str;
use super::logfmt::is_finite;
use super::{Repair, Repairs, SkipReason};

/// String-scanning steps allowed per input byte before giving up with `BadJson`.
const BUDGET_PER_BYTE: usize = 8;
/// Steps allowed on top of the per-byte budget (short lines).
const BUDGET_BASE: usize = 256;

/// A container on the explicit stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Obj,
    Arr,
}

/// One open container and whether it has written a member yet (for commas).
#[derive(Clone, Copy, Debug)]
struct Frame {
    kind: Kind,
    has_items: bool,
}

/// What the state machine expects next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Right after `{`: a key or `}`.
    KeyOrEnd,
    /// After `,` in an object: a key (a `}` here is a trailing comma).
    Key,
    /// After a key: `:`.
    Colon,
    /// After `:` or after `,` in an array: a value.
    Value,
    /// Right after `[`: a value or `]`.
    ValueOrEnd,
    /// After a value: `,` or a closer.
    After,
}

/// Whether a string or word is read as a key or as a value (changes the quote heuristics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    Key,
    Value,
}

/// One token. String and word contents are byte ranges of the (lossily decoded) source.
#[derive(Clone, Copy, Debug)]
enum Tok {
    Open(Kind),
    Close(Kind),
    Colon,
    Comma,
    /// A quoted string; `repaired` when a quote was missing or an inner quote was unescaped.
    Str {
        start: usize,
        end: usize,
        quote: u8,
        repaired: bool,
    },
    /// An unquoted word (or words); `closed` when it ended with a lone closing quote.
    Bare {
        start: usize,
        end: usize,
        closed: bool,
    },
    Eof,
}

/// How a quote met while scanning a string is read.
#[derive(Clone, Copy, Debug)]
enum Decision {
    /// It closes the string.
    Close,
    /// The string really ended at this earlier `,` or `:`; resume there.
    Split(usize),
    /// It is text inside the string.
    Content,
}

/// Repair one line that looks like a JSON object into strict JSON in `out` (cleared first).
///
/// `line` should be trimmed; invalid UTF-8 is decoded lossily ([`Repair::InvalidUtf8`]).
/// Returns the repairs applied (possibly none, when the input was already valid or only
/// needed silent normalisation), or why the line cannot be turned into an object; see the
/// module documentation for the exact list. Never panics; time is linear in `line.len()`.
pub fn repair(line: &[u8], out: &mut Vec<u8>, max_depth: usize) -> Result<Repairs, SkipReason> {
    out.clear();
    let mut repairs = Repairs::default();
    let text = String::from_utf8_lossy(line);
    if let Cow::Owned(_) = text {
        repairs.add(Repair::InvalidUtf8);
    }
    let bytes = text.as_bytes();
    let src = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let result = {
        let mut r = Repairer {
            src,
            pos: 0,
            out: &mut *out,
            repairs,
            stack: Vec::new(),
            n_obj: 0,
            n_arr: 0,
            max_depth: max_depth.max(1),
            budget: src
                .len()
                .saturating_mul(BUDGET_PER_BYTE)
                .saturating_add(BUDGET_BASE),
        };
        r.run().map(|()| r.repairs)
    };
    if result.is_err() {
        out.clear();
    }
    result
}

/// The single-pass repairer: tokenizer position, output and container stack.
struct Repairer<'a> {
    src: &'a [u8],
    pos: usize,
    out: &'a mut Vec<u8>,
    repairs: Repairs,
    stack: Vec<Frame>,
    n_obj: usize,
    n_arr: usize,
    max_depth: usize,
    budget: usize,
}

#[inline]
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// Bytes that end an unquoted word (besides whitespace). `:` ends a key word only.
#[inline]
fn is_word(c: u8, ctx: Ctx) -> bool {
    !is_ws(c)
        && !matches!(c, b'{' | b'}' | b'[' | b']' | b',' | b'"' | b'\'')
        && (c != b':' || ctx == Ctx::Value)
}

impl Repairer<'_> {
    /// Drive the state machine until the top-level object is closed, then check the rest.
    fn run(&mut self) -> Result<(), SkipReason> {
        let mut state = self.start()?;
        while !self.stack.is_empty() {
            let tok = self.next_token(self.ctx(state))?;
            state = self.step(state, tok)?;
        }
        self.finish()
    }

    /// The first token: `{`, or a key that lost its `{`, or not an object at all.
    fn start(&mut self) -> Result<State, SkipReason> {
        match self.next_token(Ctx::Key)? {
            Tok::Open(Kind::Obj) => {
                self.push(Kind::Obj)?;
                Ok(State::KeyOrEnd)
            }
            Tok::Open(Kind::Arr) => Err(SkipReason::NotAnObject),
            tok @ (Tok::Str { .. } | Tok::Bare { .. }) => {
                self.skip_ws();
                if self.src.get(self.pos) == Some(&b':') {
                    self.repairs.add(Repair::MissingClose);
                    self.push(Kind::Obj)?;
                    self.key(tok);
                    Ok(State::Colon)
                } else if self.pos >= self.src.len() && self.is_json_scalar(tok) {
                    Err(SkipReason::NotAnObject)
                } else {
                    Err(bad())
                }
            }
            _ => Err(bad()),
        }
    }

    /// Is `tok` (the whole input) one strictly valid JSON scalar?
    #[cold]
    fn is_json_scalar(&self, tok: Tok) -> bool {
        match tok {
            Tok::Str {
                start,
                end,
                quote,
                repaired,
            } => {
                quote == b'"'
                    && !repaired
                    && end == self.src.len().saturating_sub(1)
                    && self
                        .src
                        .get(start..end)
                        .is_some_and(|s| !s.iter().any(|&c| c < 0x20))
            }
            Tok::Bare {
                start,
                end,
                closed: false,
            } => {
                let s = self.src.get(start..end).unwrap_or_default();
                let mut tmp = Vec::new();
                matches!(s, b"true" | b"false" | b"null")
                    || (normalize_number(s, &mut tmp) && tmp == s && is_finite(s))
            }
            _ => false,
        }
    }

    /// After the top-level object: only whitespace, comments and one trailing comma.
    fn finish(&mut self) -> Result<(), SkipReason> {
        self.skip_ws();
        if self.src.get(self.pos) == Some(&b',') {
            self.repairs.add(Repair::TrailingComma);
            self.pos += 1;
            self.skip_ws();
        }
        if self.pos < self.src.len() {
            return Err(bad());
        }
        Ok(())
    }

    /// How strings and words are read in `state`.
    fn ctx(&self, state: State) -> Ctx {
        match state {
            State::KeyOrEnd | State::Key => Ctx::Key,
            State::After if self.top() == Some(Kind::Obj) => Ctx::Key,
            _ => Ctx::Value,
        }
    }

    fn top(&self) -> Option<Kind> {
        self.stack.last().map(|f| f.kind)
    }

    /// One transition. Returns the next state; the stack empties when the object closes.
    fn step(&mut self, state: State, tok: Tok) -> Result<State, SkipReason> {
        use State as S;
        match (state, tok) {
            (_, Tok::Eof) => {
                self.at_eof(state);
                Ok(S::After)
            }
            (S::KeyOrEnd | S::Key, Tok::Str { .. } | Tok::Bare { .. }) => {
                self.key(tok);
                Ok(S::Colon)
            }
            (S::Colon, Tok::Colon) => {
                self.out.push(b':');
                Ok(S::Value)
            }
            (S::Value | S::ValueOrEnd, Tok::Str { .. } | Tok::Bare { .. }) => {
                self.value(tok);
                Ok(S::After)
            }
            (S::Value | S::ValueOrEnd, Tok::Open(kind)) => self.open(kind),
            (S::After, Tok::Str { .. } | Tok::Bare { .. }) => {
                self.repairs.add(Repair::MissingComma);
                if self.top() == Some(Kind::Obj) {
                    self.key(tok);
                    Ok(S::Colon)
                } else {
                    self.value(tok);
                    Ok(S::After)
                }
            }
            (S::After, Tok::Open(kind)) if self.top() == Some(Kind::Arr) => {
                self.repairs.add(Repair::MissingComma);
                self.open(kind)
            }
            (S::After, Tok::Comma) => Ok(if self.top() == Some(Kind::Obj) {
                S::Key
            } else {
                S::Value
            }),
            (S::After | S::KeyOrEnd | S::ValueOrEnd, Tok::Close(kind)) => self.close(kind),
            (S::Key, Tok::Close(kind)) => {
                self.repairs.add(Repair::TrailingComma);
                self.close(kind)
            }
            (S::Value, Tok::Close(kind)) if self.top() == Some(Kind::Arr) => {
                self.repairs.add(Repair::TrailingComma);
                self.close(kind)
            }
            _ => Err(bad()),
        }
    }

    /// The line ended: finish a truncated member and close everything still open.
    fn at_eof(&mut self, state: State) {
        match state {
            State::Key => self.repairs.add(Repair::TrailingComma),
            State::Value if self.top() == Some(Kind::Arr) => {
                self.repairs.add(Repair::TrailingComma)
            }
            State::Value => self.out.extend_from_slice(b"null"),
            State::Colon => self.out.extend_from_slice(b":null"),
            _ => {}
        }
        if !self.stack.is_empty() {
            self.repairs.add(Repair::MissingClose);
        }
        while self.pop().is_some() {}
    }

    /// Open a nested container as a value.
    fn open(&mut self, kind: Kind) -> Result<State, SkipReason> {
        self.begin_value();
        self.push(kind)?;
        Ok(match kind {
            Kind::Obj => State::KeyOrEnd,
            Kind::Arr => State::ValueOrEnd,
        })
    }

    fn push(&mut self, kind: Kind) -> Result<(), SkipReason> {
        if self.stack.len() >= self.max_depth {
            return Err(SkipReason::TooDeep);
        }
        self.stack.push(Frame {
            kind,
            has_items: false,
        });
        match kind {
            Kind::Obj => {
                self.n_obj += 1;
                self.out.push(b'{');
            }
            Kind::Arr => {
                self.n_arr += 1;
                self.out.push(b'[');
            }
        }
        Ok(())
    }

    fn pop(&mut self) -> Option<Kind> {
        let frame = self.stack.pop()?;
        match frame.kind {
            Kind::Obj => {
                self.n_obj -= 1;
                self.out.push(b'}');
            }
            Kind::Arr => {
                self.n_arr -= 1;
                self.out.push(b']');
            }
        }
        Some(frame.kind)
    }

    /// A closer: pops to the nearest container of its kind, closing the ones in between
    /// ([`Repair::MissingClose`]). A closer with no open container of its kind is `BadJson`.
    fn close(&mut self, kind: Kind) -> Result<State, SkipReason> {
        let open = match kind {
            Kind::Obj => self.n_obj,
            Kind::Arr => self.n_arr,
        };
        if open == 0 {
            return Err(bad());
        }
        while let Some(k) = self.pop() {
            if k == kind {
                break;
            }
            self.repairs.add(Repair::MissingClose);
        }
        Ok(State::After)
    }

    /// Comma bookkeeping before a value: only array elements need one (object members get
    /// theirs before the key).
    fn begin_value(&mut self) {
        if let Some(frame) = self.stack.last_mut() {
            if frame.kind == Kind::Arr {
                if frame.has_items {
                    self.out.push(b',');
                }
                frame.has_items = true;
            }
        }
    }

    /// Write a key (with the comma before it when needed).
    fn key(&mut self, tok: Tok) {
        if let Some(frame) = self.stack.last_mut() {
            if frame.has_items {
                self.out.push(b',');
            }
            frame.has_items = true;
        }
        match tok {
            Tok::Str { .. } => self.string(tok),
            Tok::Bare { start, end, closed } => {
                self.repairs.add(if closed {
                    Repair::MissingQuote
                } else {
                    Repair::UnquotedKey
                });
                let s = self.src.get(start..end).unwrap_or_default();
                write_json_str(self.out, s);
            }
            _ => {}
        }
    }

    /// Write a scalar value.
    fn value(&mut self, tok: Tok) {
        self.begin_value();
        match tok {
            Tok::Str { .. } => self.string(tok),
            Tok::Bare { start, end, closed } => self.bare_value(start, end, closed),
            _ => {}
        }
    }

    /// Write a quoted string token, re-escaped as strict JSON.
    fn string(&mut self, tok: Tok) {
        let Tok::Str {
            start,
            end,
            quote,
            repaired,
        } = tok
        else {
            return;
        };
        if quote == b'\'' {
            self.repairs.add(Repair::SingleQuotes);
        }
        if repaired {
            self.repairs.add(Repair::MissingQuote);
        }
        let s = self.src.get(start..end).unwrap_or_default();
        if emit_quoted(self.out, s) {
            self.repairs.add(Repair::ControlChar);
        }
    }

    /// An unquoted value: literal, number, non-finite number, or bare string.
    fn bare_value(&mut self, start: usize, end: usize, closed: bool) {
        let s = self.src.get(start..end).unwrap_or_default();
        if closed {
            self.repairs.add(Repair::MissingQuote);
            write_json_str(self.out, s);
            return;
        }
        let (text, repair): (&[u8], Option<Repair>) = match s {
            b"true" | b"false" | b"null" => (s, None),
            b"True" => (b"true", Some(Repair::PythonLiteral)),
            b"False" => (b"false", Some(Repair::PythonLiteral)),
            b"None" | b"undefined" => (b"null", Some(Repair::PythonLiteral)),
            b"NaN" | b"-NaN" | b"+NaN" | b"nan" | b"-nan" | b"Infinity" | b"-Infinity"
            | b"+Infinity" | b"inf" | b"-inf" | b"+inf" => (b"null", Some(Repair::NonFiniteNumber)),
            _ => {
                let mark = self.out.len();
                if !normalize_number(s, self.out) {
                    self.out.truncate(mark);
                    self.repairs.add(Repair::BareValue);
                    write_json_str(self.out, s);
                } else if !is_finite(self.out.get(mark..).unwrap_or_default()) {
                    // `1e999`: a number out of f64 range, which serde_json rejects.
                    self.out.truncate(mark);
                    self.out.extend_from_slice(b"null");
                    self.repairs.add(Repair::NonFiniteNumber);
                }
                return;
            }
        };
        self.out.extend_from_slice(text);
        if let Some(r) = repair {
            self.repairs.add(r);
        }
    }

    // ---- tokenizer ----

    /// Skip whitespace and comments (`//` to the end of the line, `/* */`).
    fn skip_ws(&mut self) {
        loop {
            while self.src.get(self.pos).is_some_and(|&c| is_ws(c)) {
                self.pos += 1;
            }
            match (self.src.get(self.pos), self.src.get(self.pos + 1)) {
                (Some(b'/'), Some(b'/')) => {
                    self.repairs.add(Repair::Comment);
                    let rest = self.src.get(self.pos..).unwrap_or_default();
                    self.pos += rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
                }
                (Some(b'/'), Some(b'*')) => {
                    self.repairs.add(Repair::Comment);
                    let rest = self.src.get(self.pos + 2..).unwrap_or_default();
                    self.pos += 2 + rest
                        .windows(2)
                        .position(|w| w == b"*/")
                        .map_or(rest.len(), |p| p + 2);
                }
                _ => return,
            }
        }
    }

    /// The next token; `ctx` decides how strings and words are read.
    fn next_token(&mut self, ctx: Ctx) -> Result<Tok, SkipReason> {
        self.skip_ws();
        let Some(&c) = self.src.get(self.pos) else {
            return Ok(Tok::Eof);
        };
        let tok = match c {
            b'{' => Tok::Open(Kind::Obj),
            b'[' => Tok::Open(Kind::Arr),
            b'}' => Tok::Close(Kind::Obj),
            b']' => Tok::Close(Kind::Arr),
            b':' => Tok::Colon,
            b',' => Tok::Comma,
            b'"' | b'\'' => return self.scan_string(c, ctx),
            _ => return Ok(self.scan_bare(ctx)),
        };
        self.pos += 1;
        Ok(tok)
    }

    fn spend(&mut self, n: usize) -> Result<(), SkipReason> {
        match self.budget.checked_sub(n) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => Err(bad()),
        }
    }

    /// The first byte after whitespace from `j`, or `None` at the end of the line or at a
    /// comment (both end a value the same way).
    fn follower(&self, mut j: usize) -> Option<u8> {
        while self.src.get(j).is_some_and(|&c| is_ws(c)) {
            j += 1;
        }
        match (self.src.get(j), self.src.get(j + 1)) {
            (Some(b'/'), Some(b'/' | b'*')) => None,
            (c, _) => c.copied(),
        }
    }

    /// Does a quote at `q` close a word that lost its opening quote (`abc"` then `:`/`,`/…)?
    fn closes_word(&self, q: usize) -> bool {
        matches!(self.src.get(q), Some(b'"' | b'\''))
            && matches!(self.follower(q + 1), None | Some(b':' | b',' | b'}' | b']'))
    }

    /// The end of the word starting at `j`.
    fn word_end(&self, mut j: usize, ctx: Ctx) -> usize {
        while self.src.get(j).is_some_and(|&c| is_word(c, ctx)) {
            j += 1;
        }
        j
    }

    /// An unquoted word. As a key or an array element, one word; as a member value, words
    /// separated by blanks up to a structural byte, a comment, a quote, or a later word
    /// ending in `:` (read as the next key after a missing comma: `{a: 1 b: 2}`), with
    /// apostrophes inside words (`don't`). A quote right after the word that fits the
    /// structure (followed by `:`, `,`, `}`, `]` or the end) closes it: the word lost its
    /// opening quote.
    fn scan_bare(&mut self, ctx: Ctx) -> Tok {
        let start = self.pos;
        let mut end = self.word_end(start, ctx);
        if ctx == Ctx::Value && self.top() != Some(Kind::Arr) {
            loop {
                if let Some(&q @ (b'"' | b'\'')) = self.src.get(end) {
                    if !self.closes_word(end)
                        && q == b'\''
                        && self
                            .src
                            .get(end + 1)
                            .is_some_and(|&c| is_word(c, Ctx::Value))
                    {
                        // An apostrophe inside a word: `don't`.
                        end = self.word_end(end + 1, ctx);
                        continue;
                    }
                    break;
                }
                let mut j = end;
                while self.src.get(j).is_some_and(|&c| is_ws(c)) {
                    j += 1;
                }
                if j == end || self.follower(j).is_none() {
                    break;
                }
                match self.src.get(j) {
                    Some(&c) if is_word(c, ctx) => {
                        let k = self.word_end(j, ctx);
                        if k > j + 1 && self.src.get(k - 1) == Some(&b':') {
                            break;
                        }
                        end = k;
                    }
                    _ => break,
                }
            }
        }
        let closed = self.closes_word(end);
        self.pos = if closed { end + 1 } else { end };
        Tok::Bare { start, end, closed }
    }

    /// A quoted string starting at `self.pos` (its quote is `q`). See the module docs for how
    /// a missing or unescaped quote is decided.
    fn scan_string(&mut self, q: u8, ctx: Ctx) -> Result<Tok, SkipReason> {
        let start = self.pos + 1;
        let mut i = start;
        let mut first_colon = None;
        let mut last_comma = None;
        let mut inner = false;
        loop {
            self.spend(1)?;
            let Some(&c) = self.src.get(i) else {
                return Ok(self.unterminated(start, q, ctx, first_colon));
            };
            if c == q {
                match self.decide(i, ctx, first_colon, last_comma)? {
                    Decision::Close => {
                        self.pos = i + 1;
                        return Ok(Tok::Str {
                            start,
                            end: i,
                            quote: q,
                            repaired: inner,
                        });
                    }
                    Decision::Split(at) => return Ok(self.split(start, q, at, ctx)),
                    Decision::Content => inner = true,
                }
            } else if c == b'\\' {
                i += 1;
            } else if c == b':' && first_colon.is_none() {
                first_colon = Some(i);
            } else if c == b',' {
                last_comma = Some(i);
            }
            i += 1;
        }
    }

    /// A string that really ended at `at` (a `,`, a `:` or the next key's quote); the
    /// tokenizer resumes there. A value also gives back the closing brackets right before
    /// `at` (at most one per open container below the top-level object), so that
    /// `{"b": {"c": "d}, "e": 2}` closes the inner object.
    fn split(&mut self, start: usize, q: u8, at: usize, ctx: Ctx) -> Tok {
        let mut at = self.trim_end(start, at);
        if ctx == Ctx::Value {
            let mut closers = 0;
            while closers + 1 < self.stack.len()
                && at > start
                && matches!(self.src.get(at - 1), Some(b'}' | b']'))
            {
                closers += 1;
                at = self.trim_end(start, at - 1);
            }
        }
        self.pos = at;
        Tok::Str {
            start,
            end: at,
            quote: q,
            repaired: true,
        }
    }

    /// `at` moved back over trailing whitespace, not before `start`.
    fn trim_end(&self, start: usize, mut at: usize) -> usize {
        while at > start && self.src.get(at - 1).is_some_and(|&c| is_ws(c)) {
            at -= 1;
        }
        at
    }

    /// A quote at `i` inside a string: does it close it, or was the string cut earlier?
    fn decide(
        &mut self,
        i: usize,
        ctx: Ctx,
        first_colon: Option<usize>,
        last_comma: Option<usize>,
    ) -> Result<Decision, SkipReason> {
        let f = self.follower(i + 1);
        Ok(match ctx {
            Ctx::Key => match (f, first_colon) {
                (None | Some(b':'), _) => Decision::Close,
                (_, Some(c)) => Decision::Split(c),
                (Some(b',' | b'}' | b']'), None) => Decision::Close,
                _ => Decision::Content,
            },
            Ctx::Value => match f {
                None | Some(b',' | b'}' | b']' | b'"' | b'\'' | b'{' | b'[') => Decision::Close,
                Some(b':') => last_comma.map_or(Decision::Close, Decision::Split),
                // The quote opens the next key: this string lost its closing quote, and
                // maybe its comma (then it ends right here).
                _ if self.key_follows(i + 1)? => Decision::Split(last_comma.unwrap_or(i)),
                _ => Decision::Content,
            },
        })
    }

    /// Does a key start at `j`: a word then `"`/`'` then `:`, or a word then `:` and a blank?
    fn key_follows(&mut self, j: usize) -> Result<bool, SkipReason> {
        let k = self.word_end(j, Ctx::Key);
        self.spend(k - j)?;
        if k == j {
            return Ok(false);
        }
        Ok(match self.src.get(k) {
            Some(b'"' | b'\'') => self.follower(k + 1) == Some(b':'),
            Some(b':') => self.src.get(k + 1).is_none_or(|&c| is_ws(c)),
            _ => false,
        })
    }

    /// A string with no closing quote before the end of the line. A key ends at its first
    /// `:`; otherwise the string ends before the closing brackets (at most one per open
    /// container) and whitespace at the end of the line.
    #[cold]
    fn unterminated(&mut self, start: usize, q: u8, ctx: Ctx, first_colon: Option<usize>) -> Tok {
        if let (Ctx::Key, Some(c)) = (ctx, first_colon) {
            return self.split(start, q, c, ctx);
        }
        let mut end = self.src.len();
        let mut closers = 0;
        while end > start {
            match self.src.get(end - 1) {
                Some(&c) if is_ws(c) => end -= 1,
                Some(b'}' | b']') if closers < self.stack.len() => {
                    closers += 1;
                    end -= 1;
                }
                _ => break,
            }
        }
        self.pos = end;
        Tok::Str {
            start,
            end: self.trim_end(start, end),
            quote: q,
            repaired: true,
        }
    }
}

#[cold]
fn bad() -> SkipReason {
    SkipReason::BadJson
}

/// Append the JSON string literal for the raw string contents `s`, keeping valid escapes,
/// fixing invalid ones and escaping inner quotes and control characters. Returns whether a
/// raw control character was escaped.
fn emit_quoted(out: &mut Vec<u8>, s: &[u8]) -> bool {
    let mut control = false;
    out.push(b'"');
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        i += 1;
        match c {
            b'\\' => i = emit_escape(out, s, i),
            b'"' => out.extend_from_slice(b"\\\""),
            0..=0x1f => {
                control = true;
                push_control(out, c);
            }
            _ => out.push(c),
        }
    }
    out.push(b'"');
    control
}

/// After a backslash (at `i - 1`): write a valid escape and return where to go on.
fn emit_escape(out: &mut Vec<u8>, s: &[u8], i: usize) -> usize {
    match s.get(i) {
        Some(&c @ (b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't')) => {
            out.push(b'\\');
            out.push(c);
            i + 1
        }
        Some(b'\'') => {
            out.push(b'\'');
            i + 1
        }
        Some(b'u') => match hex4(s, i + 1) {
            Some(cp) if !(0xD800..0xE000).contains(&cp) => {
                out.extend_from_slice(s.get(i - 1..i + 5).unwrap_or(b"\\ufffd"));
                i + 5
            }
            Some(hi) if hi < 0xDC00 => {
                let pair = s.get(i + 5) == Some(&b'\\')
                    && s.get(i + 6) == Some(&b'u')
                    && hex4(s, i + 7).is_some_and(|lo| (0xDC00..0xE000).contains(&lo));
                if pair {
                    out.extend_from_slice(s.get(i - 1..i + 11).unwrap_or(b"\\ufffd"));
                    i + 11
                } else {
                    out.extend_from_slice(b"\\ufffd");
                    i + 5
                }
            }
            Some(_) => {
                out.extend_from_slice(b"\\ufffd");
                i + 5
            }
            None => {
                out.extend_from_slice(b"\\\\");
                i
            }
        },
        _ => {
            out.extend_from_slice(b"\\\\");
            i
        }
    }
}

/// Four hex digits at `s[i..i + 4]` as a number.
fn hex4(s: &[u8], i: usize) -> Option<u32> {
    let digits = s.get(i..i + 4)?;
    let mut v = 0u32;
    for &d in digits {
        v = v * 16 + (d as char).to_digit(16)?;
    }
    Some(v)
}

/// Escape one control character.
fn push_control(out: &mut Vec<u8>, c: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match c {
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        _ => {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(c >> 4)]);
            out.push(HEX[usize::from(c & 0xf)]);
        }
    }
}

/// Append `s` as a JSON number if it is one, normalising a leading `+`, a missing integer
/// part (`.5`) and an empty fraction (`1.`). Leading zeros (`007`), hex and anything else
/// return false (what was appended must then be discarded by the caller).
fn normalize_number(s: &[u8], out: &mut Vec<u8>) -> bool {
    let (neg, rest) = match s.split_first() {
        Some((b'-', r)) => (true, r),
        Some((b'+', r)) => (false, r),
        _ => (false, s),
    };
    let int_len = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    let (int, rest) = rest.split_at(int_len);
    let (frac, rest) = match rest.split_first() {
        Some((b'.', r)) => {
            let n = r.iter().take_while(|c| c.is_ascii_digit()).count();
            r.split_at(n)
        }
        _ => (&[][..], rest),
    };
    if int.is_empty() && frac.is_empty() || int.len() > 1 && int.first() == Some(&b'0') {
        return false;
    }
    let exp_ok = match rest.split_first() {
        None => true,
        Some((b'e' | b'E', r)) => {
            let digits = match r.split_first() {
                Some((b'+' | b'-', d)) => d,
                _ => r,
            };
            !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    };
    if !exp_ok {
        return false;
    }
    if neg {
        out.push(b'-');
    }
    if int.is_empty() {
        out.push(b'0');
    }
    out.extend_from_slice(int);
    if !frac.is_empty() {
        out.push(b'.');
        out.extend_from_slice(frac);
    }
    out.extend_from_slice(rest);
    true
}

// Native only: proptest does not build for wasm32 (the wasm tests live in src/wasm.rs).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// Repair `line`, check the output is a valid JSON object, return it and the repairs.
    fn fix(line: &str) -> (Value, Vec<Repair>) {
        fix_bytes(line.as_bytes())
    }

    fn fix_bytes(line: &[u8]) -> (Value, Vec<Repair>) {
        let mut out = Vec::new();
        let r = repair(line, &mut out, 64)
            .unwrap_or_else(|e| panic!("{:?} failed: {e:?}", String::from_utf8_lossy(line)));
        let v: Value = serde_json::from_slice(&out).unwrap_or_else(|e| {
            panic!(
                "invalid output {:?} for {:?}: {e}",
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(line)
            )
        });
        assert!(v.is_object(), "not an object: {v}");
        (v, r.iter().collect())
    }

    fn err(line: &str) -> SkipReason {
        let mut out = Vec::new();
        let e = repair(line.as_bytes(), &mut out, 64).expect_err(line);
        assert!(out.is_empty());
        e
    }

    /// The output text itself (compact, canonical).
    fn text(line: &str) -> String {
        let mut out = Vec::new();
        repair(line.as_bytes(), &mut out, 64).expect(line);
        String::from_utf8(out).expect("utf8")
    }

    use Repair::*;

    #[test]
    fn key_missing_opening_quote_from_real_logs() {
        let line = r#"{responseTimeMs": 820, "status": "Timeout", "modelVersion": "v1.3" }"#;
        assert_eq!(
            text(line),
            r#"{"responseTimeMs":820,"status":"Timeout","modelVersion":"v1.3"}"#
        );
        assert_eq!(fix(line).1, vec![MissingQuote]);
    }

    #[test]
    fn key_missing_closing_quote() {
        assert_eq!(fix(r#"{"a: 1}"#), (json!({"a": 1}), vec![MissingQuote]));
        assert_eq!(
            fix(r#"{"a: 1, "b": 2}"#),
            (json!({"a": 1, "b": 2}), vec![MissingQuote])
        );
        assert_eq!(
            fix(r#"{"a: "x", "b": 2}"#),
            (json!({"a": "x", "b": 2}), vec![MissingQuote])
        );
    }

    #[test]
    fn value_missing_closing_quote_before_next_key() {
        assert_eq!(
            fix(r#"{"a": "x, "b": 2}"#),
            (json!({"a": "x", "b": 2}), vec![MissingQuote])
        );
        assert_eq!(
            fix(r#"{"a": "x, b": 2}"#),
            (json!({"a": "x", "b": 2}), vec![MissingQuote])
        );
        assert_eq!(
            fix(r#"{"err": "timeout after 30s, retrying, "attempt": 2}"#),
            (
                json!({"err": "timeout after 30s, retrying", "attempt": 2}),
                vec![MissingQuote]
            )
        );
        // Closing brackets before the cut close the inner containers.
        assert_eq!(
            fix(r#"{"a": 1, "b": {"c": "d}, "e": 2}"#),
            (json!({"a": 1, "b": {"c": "d"}, "e": 2}), vec![MissingQuote])
        );
        // No comma either: the string ends at the next key's quote.
        assert_eq!(
            fix(r#"{"a": "x "b": 2}"#),
            (json!({"a": "x", "b": 2}), vec![MissingQuote, MissingComma])
        );
    }

    #[test]
    fn value_missing_closing_quote_before_brace() {
        assert_eq!(
            fix(r#"{"status": "OK}"#),
            (json!({"status": "OK"}), vec![MissingQuote])
        );
        assert_eq!(
            fix(r#"{"a": {"status": "OK}}"#),
            (json!({"a": {"status": "OK"}}), vec![MissingQuote])
        );
        // More closers than open containers: the extra one is text.
        assert_eq!(
            fix(r#"{"status": "OK}}"#),
            (json!({"status": "OK}"}), vec![MissingQuote])
        );
        // And at the very end of a truncated line.
        assert_eq!(
            fix(r#"{"a": 1, "msg": "hello wor"#),
            (
                json!({"a": 1, "msg": "hello wor"}),
                vec![MissingQuote, MissingClose]
            )
        );
    }

    #[test]
    fn value_missing_opening_quote() {
        assert_eq!(
            fix(r#"{"status": Timeout", "x": 1}"#),
            (json!({"status": "Timeout", "x": 1}), vec![MissingQuote])
        );
        assert_eq!(
            fix(r#"{"msg": hello world"}"#),
            (json!({"msg": "hello world"}), vec![MissingQuote])
        );
        assert_eq!(
            fix(r#"{"n": 12"}"#),
            (json!({"n": "12"}), vec![MissingQuote])
        );
    }

    #[test]
    fn unescaped_inner_quotes() {
        assert_eq!(
            fix(r#"{"msg": "he said "hi" to me", "b": 1}"#),
            (
                json!({"msg": "he said \"hi\" to me", "b": 1}),
                vec![MissingQuote]
            )
        );
        assert_eq!(
            fix(r#"{'msg': 'it's fine'}"#),
            (
                json!({"msg": "it's fine"}),
                vec![MissingQuote, SingleQuotes]
            )
        );
    }

    #[test]
    fn single_quotes() {
        assert_eq!(
            fix(r#"{'a': 'b', 'c': "d's", 'e': 'say "x"'}"#),
            (
                json!({"a": "b", "c": "d's", "e": "say \"x\""}),
                vec![SingleQuotes]
            )
        );
        assert_eq!(
            fix(r#"{'a': 'don\'t'}"#),
            (json!({"a": "don't"}), vec![SingleQuotes])
        );
    }

    #[test]
    fn unquoted_keys() {
        assert_eq!(
            fix("{a: 1, b_c: 'x', $d: true}"),
            (
                json!({"a": 1, "b_c": "x", "$d": true}),
                vec![SingleQuotes, UnquotedKey]
            )
        );
        assert_eq!(
            fix("{a: {b: [1, 2]}}"),
            (json!({"a": {"b": [1, 2]}}), vec![UnquotedKey])
        );
    }

    #[test]
    fn trailing_commas() {
        assert_eq!(
            fix(r#"{"a": [1, 2,], "b": {"c": 1,},}"#),
            (json!({"a": [1, 2], "b": {"c": 1}}), vec![TrailingComma])
        );
        assert_eq!(fix(r#"{"a": 1},"#), (json!({"a": 1}), vec![TrailingComma]));
    }

    #[test]
    fn missing_closers() {
        assert_eq!(fix(r#"{"a": 1"#), (json!({"a": 1}), vec![MissingClose]));
        assert_eq!(
            fix(r#"{"a": {"b": [1, {"c": 2"#),
            (json!({"a": {"b": [1, {"c": 2}]}}), vec![MissingClose])
        );
        assert_eq!(
            fix(r#"{"a": [1, 2}"#),
            (json!({"a": [1, 2]}), vec![MissingClose])
        );
        assert_eq!(
            fix(r#"{"a": 1, "b":"#),
            (json!({"a": 1, "b": null}), vec![MissingClose])
        );
        assert_eq!(
            fix(r#"{"a": 1, "b""#),
            (json!({"a": 1, "b": null}), vec![MissingClose])
        );
        assert_eq!(
            fix(r#"{"a": 1,"#),
            (json!({"a": 1}), vec![TrailingComma, MissingClose])
        );
        assert_eq!(
            fix(r#"{"a": [1,"#),
            (json!({"a": [1]}), vec![TrailingComma, MissingClose])
        );
        assert_eq!(fix("{"), (json!({}), vec![MissingClose]));
    }

    #[test]
    fn missing_opening_brace() {
        assert_eq!(
            fix(r#""a": 1, "b": "x"}"#),
            (json!({"a": 1, "b": "x"}), vec![MissingClose])
        );
        assert_eq!(
            fix(r#"a": 1}"#),
            (json!({"a": 1}), vec![MissingQuote, MissingClose])
        );
        assert_eq!(
            fix(r#"'a': 1"#),
            (json!({"a": 1}), vec![SingleQuotes, MissingClose])
        );
    }

    #[test]
    fn comments() {
        assert_eq!(
            fix("{\"a\": 1, // one\n \"b\": /* two */ 2} // end"),
            (json!({"a": 1, "b": 2}), vec![Comment])
        );
        assert_eq!(
            fix(r#"{"url": "http://x/y", "b": http://z/w}"#),
            (
                json!({"url": "http://x/y", "b": "http://z/w"}),
                vec![BareValue]
            )
        );
        assert_eq!(
            fix(r#"{"a": 1 /* never closed"#),
            (json!({"a": 1}), vec![MissingClose, Comment])
        );
    }

    #[test]
    fn python_literals_and_non_finite() {
        assert_eq!(
            fix("{'a': True, 'b': False, 'c': None, 'd': undefined}"),
            (
                json!({"a": true, "b": false, "c": null, "d": null}),
                vec![SingleQuotes, PythonLiteral]
            )
        );
        assert_eq!(
            fix(r#"{"a": NaN, "b": Infinity, "c": -Infinity, "d": [inf, 1e999, -1E400]}"#),
            (
                json!({"a": null, "b": null, "c": null, "d": [null, null, null]}),
                vec![NonFiniteNumber]
            )
        );
    }

    #[test]
    fn control_chars() {
        assert_eq!(
            fix("{\"a\": \"x\ty\u{1}\", \"b\": \"line\nbreak\"}"),
            (
                json!({"a": "x\ty\u{1}", "b": "line\nbreak"}),
                vec![ControlChar]
            )
        );
    }

    #[test]
    fn missing_commas() {
        assert_eq!(
            fix(r#"{"a":1 "b":2}"#),
            (json!({"a": 1, "b": 2}), vec![MissingComma])
        );
        assert_eq!(
            fix(r#"{"a":"x" "b":true "c":{"d":1} "e":[1]}"#),
            (
                json!({"a": "x", "b": true, "c": {"d": 1}, "e": [1]}),
                vec![MissingComma]
            )
        );
        assert_eq!(
            fix("{a: 1 b: 2}"),
            (json!({"a": 1, "b": 2}), vec![UnquotedKey, MissingComma])
        );
        assert_eq!(
            fix(r#"{"a": [1 2 true]}"#),
            (json!({"a": [1, 2, true]}), vec![MissingComma])
        );
        assert_eq!(
            fix(r#"{"a": ["x" "y" {"z": 1}]}"#),
            (json!({"a": ["x", "y", {"z": 1}]}), vec![MissingComma])
        );
    }

    #[test]
    fn bare_values() {
        assert_eq!(
            fix(r#"{"status": Timeout}"#),
            (json!({"status": "Timeout"}), vec![BareValue])
        );
        assert_eq!(
            fix(r#"{"msg": request failed - don't retry, "at": 12:30:01}"#),
            (
                json!({"msg": "request failed - don't retry", "at": "12:30:01"}),
                vec![BareValue]
            )
        );
        // A later word ending in `:` is read as the next key after a missing comma.
        assert_eq!(
            fix(r#"{"msg": request failed: timeout}"#),
            (
                json!({"msg": "request", "failed": "timeout"}),
                vec![UnquotedKey, MissingComma, BareValue]
            )
        );
        assert_eq!(
            fix(r#"{"a": 0x1f, "b": 007, "c": NULL}"#),
            (
                json!({"a": "0x1f", "b": "007", "c": "NULL"}),
                vec![BareValue]
            )
        );
        assert_eq!(
            fix(r#"{"p": C:\dir\file}"#),
            (json!({"p": "C:\\dir\\file"}), vec![BareValue])
        );
    }

    #[test]
    fn numbers_are_normalised() {
        assert_eq!(
            text(r#"{"a": +1, "b": .5, "c": 1., "d": -.25e3, "e": 1.5E-7, "f": -0}"#),
            r#"{"a":1,"b":0.5,"c":1,"d":-0.25e3,"e":1.5E-7,"f":-0}"#
        );
        let (_, repairs) = fix(r#"{"a": +1}"#);
        assert!(repairs.is_empty());
    }

    #[test]
    fn escapes_are_kept_valid() {
        assert_eq!(
            text(r#"{"a": "x\qy\"z\u00e9\n", "b": "\ud83d\ude00", "c": "\ud800x", "d": "\u12"}"#),
            r#"{"a":"x\\qy\"z\u00e9\n","b":"\ud83d\ude00","c":"\ufffdx","d":"\\u12"}"#
        );
        let (v, _) = fix(r#"{"a": "x\qy", "b": "\ud83d\ude00"}"#);
        assert_eq!(v, json!({"a": "x\\qy", "b": "😀"}));
        // A backslash at the very end of an unterminated string.
        let (v, _) = fix(r#"{"a": "C:\"#);
        assert_eq!(v, json!({"a": "C:\\"}));
    }

    #[test]
    fn invalid_utf8_is_lossy() {
        let (v, r) = fix_bytes(b"{\"a\": \"x\xffy\", \"b\xfe\": 1}");
        assert_eq!(v, json!({"a": "x\u{fffd}y", "b\u{fffd}": 1}));
        assert_eq!(r, vec![InvalidUtf8]);
    }

    #[test]
    fn valid_input_passes_through_unchanged() {
        let line = r#"{ "a" : [ 1 , { "b" : null } ] , "c" : "\"q\"" , "d" : -1.5e3 }"#;
        assert_eq!(text(line), r#"{"a":[1,{"b":null}],"c":"\"q\"","d":-1.5e3}"#);
        assert!(fix(line).1.is_empty());
        assert_eq!(text("\u{feff}{}"), "{}");
    }

    #[test]
    fn key_order_and_duplicates_kept() {
        assert_eq!(text("{z: 1, a: 2, z: 3}"), r#"{"z":1,"a":2,"z":3}"#);
    }

    #[test]
    fn depth_limit() {
        let mut out = Vec::new();
        assert_eq!(
            repair(br#"{"a":{"b":1}}"#, &mut out, 1),
            Err(SkipReason::TooDeep)
        );
        assert!(repair(br#"{"a":{"b":1}}"#, &mut out, 2).is_ok());
        assert_eq!(
            repair(br#"{"a":[[1]]}"#, &mut out, 2),
            Err(SkipReason::TooDeep)
        );
        let deep = "[".repeat(100_000);
        let line = format!("{{\"a\":{deep}");
        assert_eq!(
            repair(line.as_bytes(), &mut out, 128),
            Err(SkipReason::TooDeep)
        );
        // max_depth 0 behaves as 1.
        assert!(repair(b"{\"a\":1}", &mut out, 0).is_ok());
    }

    #[test]
    fn not_an_object() {
        assert_eq!(err("[1, 2]"), SkipReason::NotAnObject);
        assert_eq!(err("[1, 2"), SkipReason::NotAnObject);
        assert_eq!(err("42"), SkipReason::NotAnObject);
        assert_eq!(err("\"text\""), SkipReason::NotAnObject);
        assert_eq!(err("true"), SkipReason::NotAnObject);
    }

    #[test]
    fn bad_json() {
        for line in [
            "{{{{",
            "}",
            "",
            "{\"a\" 1}",
            "{\"a\": 1}}",
            "{\"a\": 1} trailing",
            "{\"a\":: 1}",
            "{,}",
            "{\"a\": }",
            "hello world",
            "{\"a\": 1, ,\"b\": 2}",
            "{\"a\": [1]]}",
            "{\"a\": {\"b\": 1]}",
        ] {
            assert_eq!(err(line), SkipReason::BadJson, "{line}");
        }
    }

    #[test]
    fn ambiguous_input_never_gives_garbage() {
        let mut out = Vec::new();
        for line in [
            r#"{"a" "b" "c"}"#,
            r#"{"a": "x "b": 2}"#,
            r#"{"msg": "time "12:30" now"}"#,
            r#"{"a"b": 1}"#,
            r#"{": 1}"#,
            r#"{'a': 'b"}"#,
            r#"{"a": "b', 'c': 'd'}"#,
            "{\"a\": \"\\",
            "{\"a\": 'x",
            "{a\"b\": 1}",
        ] {
            if repair(line.as_bytes(), &mut out, 64).is_ok() {
                let v: Value = serde_json::from_slice(&out).expect(line);
                assert!(v.is_object(), "{line}");
            } else {
                assert!(out.is_empty());
            }
        }
    }

    #[test]
    fn pathological_input_is_linear() {
        // Many candidate quotes and commas: must finish quickly (budget or success).
        let line = format!("{{\"a\": \"{}", "x, \"k: \"k: ".repeat(20_000));
        let mut out = Vec::new();
        let t = std::time::Instant::now();
        let _ = repair(line.as_bytes(), &mut out, 64);
        assert!(t.elapsed().as_secs() < 5);
        let line = format!("{{{}", "\"a\":\"b, \"c".repeat(20_000));
        let _ = repair(line.as_bytes(), &mut out, 64);
        assert!(t.elapsed().as_secs() < 5);
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn check(bytes: &[u8]) {
            let mut out = Vec::new();
            if repair(bytes, &mut out, 16).is_ok() {
                let v: Value = serde_json::from_slice(&out).expect("valid JSON");
                assert!(v.is_object());
            } else {
                assert!(out.is_empty());
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            #[test]
            fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
                check(&bytes);
            }

            #[test]
            fn damaged_real_lines_give_objects_or_a_reason(
                seed in 0usize..4,
                edits in proptest::collection::vec((0usize..120, 0usize..4, any::<u8>()), 1..4),
            ) {
                const LINES: [&str; 4] = [
                    r#"{"responseTimeMs": 820, "status": "Timeout", "modelVersion": "v1.3"}"#,
                    r#"{"ts": "2026-11-27T18:02:11Z", "req": {"path": "/a b", "ms": 1.5e2}, "tags": ["x", 'y', null]}"#,
                    r#"{'level': 'info', msg: "it's \"ok\"\\n", n: -0.5, ok: True}"#,
                    r#"{"a": [1, 2, {"b": [3, {"c": "\u00e9\ud83d\ude00"}]}], "d": {}}"#,
                ];
                let mut line = LINES[seed].as_bytes().to_vec();
                for (at, op, byte) in edits {
                    let at = at % (line.len() + 1);
                    match op {
                        0 if at < line.len() => {
                            line.remove(at);
                        }
                        1 => line.insert(at, byte),
                        2 => line.insert(at, b"\"{}[]:,' "[usize::from(byte) % 9]),
                        _ => line.truncate(at),
                    }
                }
                check(&line);
            }

            #[test]
            fn never_panics_on_json_like_text(s in r#"[{}\[\]:,"' a-z0-9.+\-\\/*\t\n]{0,80}"#) {
                check(s.as_bytes());
                check(format!("{{{s}").as_bytes());
            }
        }
    }
}
