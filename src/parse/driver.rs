//! The record stage's driver: multi-line assembly and format dispatch.

use super::json::{parse_object, write_json_str, Fields, JsonError, ValRef};
use super::{access, alb, envoy, lenient, logfmt, prefix, Repair, Repairs, SkipReason};
use crate::lines::{Line, LineEvent};

/// The format a record was read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Json,
    /// A text prefix (time, level, message) followed by a JSON object.
    TextJson,
    Logfmt,
    Access,
    /// A JSON object spanning several lines (pretty-printed, or an element of a JSON array).
    JsonMultiline,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Json,
        Format::TextJson,
        Format::Logfmt,
        Format::Access,
        Format::JsonMultiline,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::TextJson => "text+json",
            Format::Logfmt => "logfmt",
            Format::Access => "access",
            Format::JsonMultiline => "json-multiline",
        }
    }
}

/// How one record unit ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Parsed(Format),
    Recovered(Format, Repairs),
    Skipped(SkipReason),
}

/// One record unit: a non-blank line, or a whole multi-line JSON object.
#[derive(Clone, Copy, Debug)]
pub struct Unit<'a> {
    pub text: &'a str,
    /// 1-based number of the unit's first line.
    pub line_no: u64,
    /// The text was decoded lossily from invalid UTF-8.
    pub is_lossy: bool,
    /// Assembled from several lines.
    pub is_multiline: bool,
    /// Already known to be skipped (too long, truncated).
    pub forced: Option<SkipReason>,
}

impl<'a> Unit<'a> {
    /// One ordinary line: valid UTF-8, not assembled, nothing decided yet.
    pub fn line(text: &'a str, line_no: u64) -> Self {
        Unit {
            text,
            line_no,
            is_lossy: false,
            is_multiline: false,
            forced: None,
        }
    }
}

#[derive(Debug, Default)]
enum Mode {
    #[default]
    Lines,
    /// Inside a pretty-printed object: brace depth and string state.
    Object,
    /// Inside a top-level JSON array; `buf` holds the current element when depth > 1.
    Array,
}

/// Groups lines into record units: single lines, pretty-printed objects, array elements.
#[derive(Debug)]
pub struct Assembler {
    mode: Mode,
    buf: String,
    start_line: u64,
    is_lossy: bool,
    depth: u32,
    in_str: bool,
    esc: bool,
    max_bytes: usize,
}

impl Assembler {
    /// `max_bytes` caps a multi-line object; a larger one is skipped as too long.
    pub fn new(max_bytes: usize) -> Self {
        Assembler {
            mode: Mode::Lines,
            buf: String::new(),
            start_line: 0,
            is_lossy: false,
            depth: 0,
            in_str: false,
            esc: false,
            max_bytes,
        }
    }

    /// True while a multi-line object or array is open.
    pub fn is_open(&self) -> bool {
        !matches!(self.mode, Mode::Lines)
    }

    /// Feed one line event; complete units go to `sink`.
    pub fn push<F: FnMut(Unit<'_>)>(&mut self, ev: LineEvent<'_>, sink: &mut F) {
        match ev {
            LineEvent::Line(line) => self.line(line, sink),
            LineEvent::TooLong {
                line_no, prefix, ..
            } => {
                self.abort(sink);
                let text = String::from_utf8_lossy(prefix);
                sink(Unit {
                    text: &text,
                    line_no,
                    is_lossy: false,
                    is_multiline: false,
                    forced: Some(SkipReason::TooLong),
                });
            }
        }
    }

    /// End of input: an unclosed multi-line object is skipped as truncated.
    pub fn finish<F: FnMut(Unit<'_>)>(&mut self, sink: &mut F) {
        self.abort(sink);
    }

    #[inline]
    fn line<F: FnMut(Unit<'_>)>(&mut self, line: Line<'_>, sink: &mut F) {
        match self.mode {
            Mode::Lines => {
                let t = trim(line.text);
                if t.is_empty() {
                    return;
                }
                match t.as_bytes()[0] {
                    b'{' if opens_multiline(t) => self.start(Mode::Object, line, sink),
                    b'[' if opens_array(t) => self.start(Mode::Array, line, sink),
                    _ => sink(Unit {
                        text: t,
                        line_no: line.line_no,
                        is_lossy: line.is_lossy,
                        is_multiline: false,
                        forced: None,
                    }),
                }
            }
            Mode::Object => {
                // A new object starting at column 0 means the open one was cut short.
                if line.text.starts_with('{') && self.depth > 0 {
                    self.abort(sink);
                    return self.line(line, sink);
                }
                self.is_lossy |= line.is_lossy;
                self.buf.push('\n');
                self.feed_object(line.text, sink);
            }
            Mode::Array => {
                self.is_lossy |= line.is_lossy;
                self.feed_array(line.text, line.line_no, sink);
            }
        }
    }

    #[cold]
    fn start<F: FnMut(Unit<'_>)>(&mut self, mode: Mode, line: Line<'_>, sink: &mut F) {
        self.buf.clear();
        self.depth = 0;
        self.in_str = false;
        self.esc = false;
        self.start_line = line.line_no;
        self.is_lossy = line.is_lossy;
        match mode {
            Mode::Object => {
                self.mode = Mode::Object;
                self.feed_object(line.text, sink);
            }
            _ => {
                self.mode = Mode::Array;
                self.feed_array(line.text, line.line_no, sink);
            }
        }
    }

    fn feed_object<F: FnMut(Unit<'_>)>(&mut self, text: &str, sink: &mut F) {
        for (i, c) in text.char_indices() {
            if self.track(c) && self.depth == 0 {
                self.buf.push_str(&text[..=i]);
                let rest = text[i + 1..].trim();
                self.emit_buf(sink);
                self.mode = Mode::Lines;
                if !rest.is_empty() {
                    sink(Unit {
                        text: rest,
                        line_no: self.start_line,
                        is_lossy: false,
                        is_multiline: false,
                        forced: Some(SkipReason::NotARecord),
                    });
                }
                return;
            }
        }
        self.buf.push_str(text);
        if self.buf.len() > self.max_bytes {
            self.give_up(SkipReason::TooLong, sink);
        }
    }

    fn feed_array<F: FnMut(Unit<'_>)>(&mut self, text: &str, line_no: u64, sink: &mut F) {
        let mut elem_start: Option<usize> = if self.depth > 1 { Some(0) } else { None };
        for (i, c) in text.char_indices() {
            let was_depth = self.depth;
            let closed = self.track(c);
            if !self.in_str && c == '{' && was_depth == 1 {
                elem_start = Some(i);
                self.buf.clear();
                self.start_line = line_no;
            }
            if closed && self.depth == 1 {
                if let Some(s) = elem_start.take() {
                    self.buf.push_str(&text[s..=i]);
                    self.emit_buf(sink);
                }
            }
            if closed && self.depth == 0 {
                self.mode = Mode::Lines;
                self.buf.clear();
                return;
            }
        }
        if let Some(s) = elem_start {
            if self.depth > 1 {
                self.buf.push_str(&text[s..]);
                self.buf.push('\n');
                if self.buf.len() > self.max_bytes {
                    self.give_up(SkipReason::TooLong, sink);
                }
            }
        }
    }

    /// Update brace depth and string state for one character; true when it closed a level.
    #[inline]
    fn track(&mut self, c: char) -> bool {
        if self.in_str {
            if self.esc {
                self.esc = false;
            } else if c == '\\' {
                self.esc = true;
            } else if c == '"' {
                self.in_str = false;
            }
            return false;
        }
        match c {
            '"' => self.in_str = true,
            '{' | '[' => self.depth += 1,
            '}' | ']' => {
                self.depth = self.depth.saturating_sub(1);
                return true;
            }
            _ => {}
        }
        false
    }

    fn emit_buf<F: FnMut(Unit<'_>)>(&mut self, sink: &mut F) {
        sink(Unit {
            text: &self.buf,
            line_no: self.start_line,
            is_lossy: self.is_lossy,
            is_multiline: true,
            forced: None,
        });
        self.buf.clear();
    }

    #[cold]
    fn give_up<F: FnMut(Unit<'_>)>(&mut self, reason: SkipReason, sink: &mut F) {
        let shown: String = self.buf.chars().take(300).collect();
        sink(Unit {
            text: &shown,
            line_no: self.start_line,
            is_lossy: self.is_lossy,
            is_multiline: true,
            forced: Some(reason),
        });
        self.buf.clear();
        self.mode = Mode::Lines;
        self.depth = 0;
        self.in_str = false;
    }

    fn abort<F: FnMut(Unit<'_>)>(&mut self, sink: &mut F) {
        match self.mode {
            Mode::Lines => {}
            Mode::Object => self.give_up(SkipReason::Truncated, sink),
            Mode::Array => {
                if self.depth > 1 && !self.buf.is_empty() {
                    self.give_up(SkipReason::Truncated, sink);
                }
                self.mode = Mode::Lines;
                self.buf.clear();
                self.depth = 0;
            }
        }
    }
}

/// A line that opens an object continued on the next lines: `{`, or a line that ends
/// inside the object with `{`, `[`, `,` or `:` (a cut-off line ending in a value is a single,
/// truncated record, repaired by the lenient path).
fn opens_multiline(t: &str) -> bool {
    if t == "{" {
        return true;
    }
    if !matches!(t.as_bytes().last(), Some(b'{' | b'[' | b',' | b':')) {
        return false;
    }
    let mut a = Assembler::new(usize::MAX);
    t.chars().for_each(|c| {
        a.track(c);
    });
    a.depth > 0 && !a.in_str
}

/// A line that starts a JSON array: `[`, `[{…`, `[ ]`. Not a bracketed prefix like `[INFO]`.
fn opens_array(t: &str) -> bool {
    let rest = t[1..].trim_start();
    rest.is_empty() || rest.starts_with('{') || rest.starts_with(']')
}

/// Parses record units, dispatching on format. Reused from record to record.
#[derive(Debug)]
pub struct Parser {
    pub fields: Fields,
    /// Canonical JSON of a converted or repaired record; the fields then point into it.
    scratch: String,
    tmp: Vec<u8>,
    members: Vec<u8>,
    uses_scratch: bool,
    max_depth: usize,
    /// Read the record held in a JSON line's `log` string (Docker's json-file driver:
    /// `{"log":"{\"latency_ms\":812}\n","stream":"stdout","time":"…"}`), see
    /// [`Parser::unwrap_log`]. Off by default; the analyzer turns it on to detect such lines
    /// and keeps it on when it found them.
    pub inner_log: bool,
    /// Records read from a `log` string so far.
    pub unwrapped: u64,
}

impl Parser {
    pub fn new(max_depth: usize) -> Self {
        Parser {
            fields: Fields::default(),
            scratch: String::new(),
            tmp: Vec::new(),
            members: Vec::new(),
            uses_scratch: false,
            max_depth,
            inner_log: false,
            unwrapped: 0,
        }
    }

    /// The text that `self.fields` refers to after `parse(text)` parsed or recovered it.
    #[inline]
    pub fn source<'a>(&'a self, text: &'a str) -> &'a str {
        if self.uses_scratch {
            &self.scratch
        } else {
            text
        }
    }

    /// The canonical JSON of the last parsed or recovered record (for `logdrop repair`).
    pub fn canonical<'a>(&'a self, text: &'a str) -> &'a str {
        self.source(text)
    }

    /// Parse one unit. On `Parsed`/`Recovered` the members are in `self.fields`, resolved
    /// against `self.source(unit.text)`.
    #[inline]
    pub fn parse(&mut self, unit: &Unit<'_>) -> Outcome {
        if let Some(reason) = unit.forced {
            return Outcome::Skipped(reason);
        }
        let outcome = self.parse_text(unit.text, unit.is_multiline);
        if unit.is_lossy {
            return match outcome {
                Outcome::Parsed(f) => {
                    let mut r = Repairs::default();
                    r.add(Repair::InvalidUtf8);
                    Outcome::Recovered(f, r)
                }
                Outcome::Recovered(f, mut r) => {
                    r.add(Repair::InvalidUtf8);
                    Outcome::Recovered(f, r)
                }
                skipped => skipped,
            };
        }
        outcome
    }

    #[inline]
    fn parse_text(&mut self, t: &str, multiline: bool) -> Outcome {
        self.uses_scratch = false;
        let json_format = if multiline {
            Format::JsonMultiline
        } else {
            Format::Json
        };
        if t.starts_with('{') {
            return match parse_object(t, &mut self.fields, self.max_depth) {
                Ok(()) if self.inner_log => self.unwrap_log(t, json_format),
                Ok(()) => Outcome::Parsed(json_format),
                Err(JsonError::TooDeep) => Outcome::Skipped(SkipReason::TooDeep),
                Err(_) => self.repair(t, json_format),
            };
        }
        self.parse_other(t)
    }

    /// A JSON line parsed into `self.fields` whose `log` member is a string holding a record
    /// of its own (any format logdrop reads; Docker's json-file driver wraps every line a
    /// container writes so): that record's members, then the line's other members (`stream`,
    /// `time`) unless the record has a member of the same name. The outcome is the inner
    /// record's (recovered when it needed repairs), in the line's format. A `log` that is not
    /// a record (`"Starting server\n"`) is not a record when only Docker's members are around
    /// it (`stream`, `time`, `attrs.*`), as that text would be on its own; otherwise, and
    /// for a line without a `log` string, the line is as parsed.
    #[cold]
    fn unwrap_log(&mut self, t: &str, format: Format) -> Outcome {
        let Some(ValRef::Str(inner)) = self.fields.find(t, "log") else {
            return Outcome::Parsed(format);
        };
        let inner = inner.trim().to_string();
        if inner.is_empty() {
            return Outcome::Parsed(format);
        }
        let mut outer: Vec<(String, Vec<u8>)> = Vec::new();
        for i in 0..self.fields.len() {
            let Some((k, v)) = self.fields.get(t, i) else {
                continue;
            };
            if k == "log" {
                continue;
            }
            let mut json = Vec::new();
            match v {
                ValRef::Str(s) => write_json_str(&mut json, s.as_bytes()),
                v => json.extend_from_slice(v.text().as_bytes()),
            }
            outer.push((k.to_string(), json));
        }
        self.inner_log = false;
        let outcome = self.parse_text(&inner, false);
        self.inner_log = true;
        let combined = match outcome {
            Outcome::Skipped(_) => None,
            _ => {
                let src = self.source(&inner);
                let keys: Vec<&str> = (0..self.fields.len())
                    .filter_map(|i| self.fields.get(src, i).map(|(k, _)| k))
                    .collect();
                src.trim_end().strip_suffix('}').map(|body| {
                    let mut out = body.as_bytes().to_vec();
                    let mut empty = body.trim_end().ends_with('{');
                    for (k, v) in outer.iter().filter(|(k, _)| !keys.contains(&k.as_str())) {
                        if !empty {
                            out.push(b',');
                        }
                        empty = false;
                        write_json_str(&mut out, k.as_bytes());
                        out.push(b':');
                        out.extend_from_slice(v);
                    }
                    out.push(b'}');
                    out
                })
            }
        };
        let Some(combined) = combined else {
            // Not a record inside. Only Docker's members around it (a line of text the
            // program wrote): not a record, as that line would be on its own.
            let wrapper = ["stream", "time", "attrs."];
            if outer
                .iter()
                .all(|(k, _)| wrapper.iter().any(|w| k.starts_with(w)))
            {
                return Outcome::Skipped(SkipReason::NotARecord);
            }
            // Otherwise the line as it is.
            self.uses_scratch = false;
            return match parse_object(t, &mut self.fields, self.max_depth) {
                Ok(()) => Outcome::Parsed(format),
                Err(_) => Outcome::Skipped(SkipReason::BadJson),
            };
        };
        self.tmp = combined;
        match self.reparse_tmp() {
            Ok(()) => {
                self.unwrapped += 1;
                match outcome {
                    Outcome::Recovered(_, r) => Outcome::Recovered(format, r),
                    _ => Outcome::Parsed(format),
                }
            }
            Err(_) => {
                self.uses_scratch = false;
                match parse_object(t, &mut self.fields, self.max_depth) {
                    Ok(()) => Outcome::Parsed(format),
                    Err(_) => Outcome::Skipped(SkipReason::BadJson),
                }
            }
        }
    }

    #[cold]
    fn repair(&mut self, t: &str, format: Format) -> Outcome {
        match lenient::repair(t.as_bytes(), &mut self.tmp, self.max_depth) {
            Ok(repairs) => match self.reparse_tmp() {
                Ok(()) => Outcome::Recovered(format, repairs),
                Err(reason) => Outcome::Skipped(reason),
            },
            Err(reason) => Outcome::Skipped(reason),
        }
    }

    /// Parse the canonical JSON in `tmp` (moved to `scratch`).
    fn reparse_tmp(&mut self) -> Result<(), SkipReason> {
        self.scratch.clear();
        match std::str::from_utf8(&self.tmp) {
            Ok(s) => self.scratch.push_str(s),
            Err(_) => return Err(SkipReason::BadJson),
        }
        self.uses_scratch = true;
        match parse_object(&self.scratch, &mut self.fields, self.max_depth) {
            Ok(()) => Ok(()),
            Err(JsonError::TooDeep) => Err(SkipReason::TooDeep),
            Err(JsonError::NotAnObject) => Err(SkipReason::NotAnObject),
            Err(JsonError::Syntax { .. }) => Err(SkipReason::BadJson),
        }
    }

    #[cold]
    fn parse_other(&mut self, t: &str) -> Outcome {
        let b = t.as_bytes();
        if let Some(at) = prefix::split(b, &mut self.members) {
            return self.text_json(t, at);
        }
        if access::sniff(b) && access::to_json(b, &mut self.tmp) {
            return match self.reparse_tmp() {
                Ok(()) => Outcome::Parsed(Format::Access),
                Err(r) => Outcome::Skipped(r),
            };
        }
        if alb::to_json(b, &mut self.tmp) || envoy::to_json(b, &mut self.tmp) {
            return match self.reparse_tmp() {
                Ok(()) => Outcome::Parsed(Format::Access),
                Err(r) => Outcome::Skipped(r),
            };
        }
        if logfmt::sniff(b) && logfmt::to_json(b, &mut self.tmp) {
            return match self.reparse_tmp() {
                Ok(()) => Outcome::Parsed(Format::Logfmt),
                Err(r) => Outcome::Skipped(r),
            };
        }
        if looks_like_json_members(t) {
            return self.repair(t, Format::Json);
        }
        if t.starts_with('[') || t.starts_with('"') {
            let mut probe = Fields::default();
            match parse_object(t, &mut probe, self.max_depth) {
                Err(JsonError::NotAnObject) => return Outcome::Skipped(SkipReason::NotAnObject),
                Err(JsonError::TooDeep) => return Outcome::Skipped(SkipReason::TooDeep),
                _ => {}
            }
        }
        if is_binary(b) {
            return Outcome::Skipped(SkipReason::Binary);
        }
        Outcome::Skipped(SkipReason::NotARecord)
    }

    /// `prefix {json}`: the prefix members and the object's members in one object.
    fn text_json(&mut self, t: &str, at: usize) -> Outcome {
        let json = &t[at..];
        let mut repairs = None;
        let body: &str = match parse_object(json, &mut self.fields, self.max_depth) {
            Ok(()) => json,
            Err(JsonError::TooDeep) => return Outcome::Skipped(SkipReason::TooDeep),
            Err(_) => match lenient::repair(json.as_bytes(), &mut self.tmp, self.max_depth) {
                Ok(r) => {
                    repairs = Some(r);
                    match std::str::from_utf8(&self.tmp) {
                        Ok(s) => s,
                        Err(_) => return Outcome::Skipped(SkipReason::BadJson),
                    }
                }
                Err(reason) => return Outcome::Skipped(reason),
            },
        };
        let inner = body.trim().strip_prefix('{').unwrap_or(body).trim_start();
        let mut combined = String::with_capacity(self.members.len() + body.len() + 2);
        combined.push('{');
        combined.push_str(&String::from_utf8_lossy(&self.members));
        if !inner.starts_with('}') {
            combined.push(',');
        }
        combined.push_str(inner);
        self.tmp.clear();
        self.tmp.extend_from_slice(combined.as_bytes());
        match self.reparse_tmp() {
            Ok(()) => match repairs {
                Some(r) => Outcome::Recovered(Format::TextJson, r),
                None => Outcome::Parsed(Format::TextJson),
            },
            Err(reason) => Outcome::Skipped(reason),
        }
    }
}

/// `"key": value, …}` — an object that lost its opening brace.
fn looks_like_json_members(t: &str) -> bool {
    let b = t.as_bytes();
    matches!(b.first(), Some(b'"' | b'\''))
        && (t.contains("\":") || t.contains("\" :") || t.contains("':"))
        && t.trim_end().ends_with('}')
}

/// Mostly control bytes (NUL and friends other than tab), or U+FFFD replacement characters.
fn is_binary(b: &[u8]) -> bool {
    let bad = b
        .iter()
        .filter(|&&c| (c < 0x20 && c != b'\t') || c == 0x7f)
        .count();
    let replacement = b.windows(3).filter(|w| w == b"\xEF\xBF\xBD").count();
    (bad + replacement) * 10 > b.len().max(1)
}

/// `str::trim`, with a shortcut for the usual line that starts and ends with a visible ASCII
/// byte (the Unicode-aware trim decodes characters from both ends: ~1% of a run).
#[inline]
fn trim(s: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x7f);
    if visible(s.as_bytes().first()) && visible(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parse `line` with `inner_log`; the outcome and the members as `key=value` text.
    fn parse(line: &str) -> (Outcome, Vec<String>, u64) {
        let mut p = Parser::new(64);
        p.inner_log = true;
        let outcome = p.parse(&Unit::line(line, 1));
        let src = p.source(line);
        let members = (0..p.fields.len())
            .filter_map(|i| p.fields.get(src, i))
            .map(|(k, v)| format!("{k}={}", v.text()))
            .collect();
        (outcome, members, p.unwrapped)
    }

    #[test]
    fn docker_json_file_lines_are_read_inside() {
        let (o, m, n) = parse(
            r#"{"log":"{\"level\":\"info\",\"latency_ms\":812,\"req\":{\"path\":\"/x\"}}\n","stream":"stdout","time":"2026-11-27T18:02:11.123456789Z"}"#,
        );
        assert_eq!(o, Outcome::Parsed(Format::Json));
        assert_eq!(
            m,
            [
                "level=info",
                "latency_ms=812",
                "req.path=/x",
                "stream=stdout",
                "time=2026-11-27T18:02:11.123456789Z"
            ]
        );
        assert_eq!(n, 1);
        // The record's own time wins over Docker's.
        let (_, m, _) = parse(
            r#"{"log":"{\"time\":\"2026-11-27T18:02:10Z\",\"ms\":1}","stream":"stderr","time":"2026-11-27T18:02:11Z"}"#,
        );
        assert_eq!(m, ["time=2026-11-27T18:02:10Z", "ms=1", "stream=stderr"]);
    }

    #[test]
    fn docker_lines_of_other_formats_and_repairs() {
        let (o, m, _) = parse(
            r#"{"log":"at=info service=812ms status=503\n","stream":"stdout","time":"2026-11-27T18:02:11Z"}"#,
        );
        assert_eq!(o, Outcome::Parsed(Format::Json));
        assert_eq!(
            m,
            [
                "at=info",
                "service=812ms",
                "status=503",
                "stream=stdout",
                "time=2026-11-27T18:02:11Z"
            ]
        );
        let (o, m, _) = parse(r#"{"log":"{'ms': 5, 'ok': True}","stream":"stdout"}"#);
        assert!(matches!(o, Outcome::Recovered(Format::Json, _)), "{o:?}");
        assert_eq!(m, ["ms=5", "ok=true", "stream=stdout"]);
        let (_, m, _) = parse(r#"{"log":"{}","stream":"stdout"}"#);
        assert_eq!(m, ["stream=stdout"]);
    }

    #[test]
    fn lines_without_a_record_inside_stay_as_they_are() {
        let (o, _, _) = parse(
            r#"{"log":"Starting server on :8080\n","stream":"stdout","time":"2026-11-27T18:02:11Z"}"#,
        );
        assert_eq!(o, Outcome::Skipped(SkipReason::NotARecord));
        for line in [
            r#"{"log":"Starting server on :8080\n","stream":"stdout","user":"x"}"#,
            r#"{"log":"","stream":"stdout"}"#,
            r#"{"log":5,"stream":"stdout"}"#,
            r#"{"log":"{\"log\":\"{\\\"a\\\":1}\"}","stream":"stdout"}"#,
            r#"{"level":"info","latency_ms":5}"#,
        ] {
            let (o, m, _) = parse(line);
            assert_eq!(o, Outcome::Parsed(Format::Json), "{line}");
            let mut want = Parser::new(64);
            want.parse(&Unit::line(line, 1));
            if line.contains(r#"\"log\""#) {
                // A record inside a record is read once: its own `log` is a member.
                assert!(m.iter().any(|x| x.starts_with("log=")), "{m:?}");
            } else {
                assert_eq!(m.len(), want.fields.len(), "{line}");
            }
        }
    }
}
