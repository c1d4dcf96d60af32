//! Text prefix + JSON: `2026-11-27T18:02:11Z INFO api request done {"responseTimeMs": 120}`.
//!
//! [`split`] finds the `{` that starts the trailing JSON object and turns the text before it
//! into JSON members (`"time":…,"level":…,"msg":…`); the driver joins those with the object's
//! own members. The words of the prefix are read by `read_head`, which the logfmt reader
//! also uses for the words before its first `key=value` pair:
//!
//! * **time** — the first timestamp, if it comes before any message word: RFC 3339 / ISO 8601
//!   in one word (`2026-11-27T18:02:11.123+00:00`, `…Z`), a date and a time of day in two
//!   words (`2026-11-27 18:02:11,123`, `2026/11/27 18:02:11.123`), syslog style
//!   (`Nov 27 18:02:11`), each optionally in brackets (`[2026-11-27 18:02:11,123]`) and
//!   followed by a zone word (`Z`, `UTC`, `GMT`, `+0000`, `-07:00`). Kept as written, with
//!   the words joined by one space and the brackets removed.
//! * **klog** — a Kubernetes / glog header, `I1127 18:02:11.123456   1 handler.go:123]`,
//!   gives the time without its year (`1127 18:02:11.123456`), the level of its letter
//!   (`I W E F` → `INFO WARNING ERROR FATAL`) and `caller` (`handler.go:123`); a message in
//!   quotes (klog's structured `"request done"`) loses its quotes.
//! * **level** — the first of TRACE, DEBUG, INFO, WARN, WARNING, ERROR, FATAL, CRITICAL (any
//!   case before the first message word; later only in capitals or in brackets), also as
//!   `[INFO]`, `INFO:` or `level=INFO` (`lvl=`, `severity=`). Kept as written.
//! * **msg** — every other word (a logger or module name, the message), joined by one
//!   space; standalone separators (`-`, `--`, `|`, `:`) are dropped and a trailing `:` or `-`
//!   is removed.

use super::json::write_json_str;

/// Split `line` into a text prefix and a trailing JSON object.
///
/// Returns the byte offset of the `{` that starts the object and writes the prefix as JSON
/// members without braces into `members` (cleared first), e.g.
/// `"time":"2026-11-27T18:02:11Z","level":"INFO","msg":"api request done"`. The `{` is the
/// first one outside a double-quoted string of the prefix, not right after `=` (a logfmt
/// value), and followed by something that can start an object member (`"`, `'`, `}` or a
/// word then `:` or a quote). Returns `None` when there is no such `{`, the prefix is empty,
/// or the prefix has neither a timestamp nor a level word (arbitrary text with a `{` in it
/// is not this format). When `Some` is returned, `members` is never empty and is valid JSON
/// once wrapped in `{…}`. Cheap when the line has no `{` (one `memchr`).
pub fn split(line: &[u8], members: &mut Vec<u8>) -> Option<usize> {
    members.clear();
    memchr::memchr(b'{', line)?;
    let at = object_start(line)?;
    let prefix = line.get(..at)?;
    let words: Vec<&[u8]> = prefix
        .split(|c| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return None;
    }
    let mut head = Head::default();
    read_head(&words, &mut head);
    if head.time.is_empty() && head.level.is_empty() {
        return None;
    }
    head.write_members(members, b"msg");
    Some(at)
}

/// The offset of the first `{` outside double quotes that can start a trailing object.
fn object_start(line: &[u8]) -> Option<usize> {
    let mut in_quotes = false;
    let mut i = 0;
    while let Some(&c) = line.get(i) {
        match c {
            b'\\' if in_quotes => i += 1,
            b'"' => in_quotes = !in_quotes,
            b'{' if !in_quotes => {
                let after_eq = i > 0 && line.get(i - 1) == Some(&b'=');
                if !after_eq && opens_member(line.get(i + 1..).unwrap_or_default()) {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Can `rest` (after a `{`) start an object: `"`, `'`, `}`, or a word then `:` or a quote?
fn opens_member(rest: &[u8]) -> bool {
    let rest = trim_start(rest);
    match rest.first() {
        Some(b'"' | b'\'' | b'}') => true,
        Some(c) if is_ident(*c) => {
            let n = rest.iter().take_while(|c| is_ident(**c)).count();
            let after = trim_start(rest.get(n..).unwrap_or_default());
            matches!(after.first(), Some(b':' | b'"' | b'\''))
        }
        _ => false,
    }
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'$' | b'.' | b'@')
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
    s.get(n..).unwrap_or_default()
}

/// What the words before a record's fields say: time, level and message. Each is empty
/// when absent.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Head {
    pub time: Vec<u8>,
    pub level: Vec<u8>,
    /// The source file and line of a klog header (`handler.go:123`).
    pub caller: Vec<u8>,
    pub msg: Vec<u8>,
}

impl Head {
    /// Append the message words `w` (separated by one space).
    pub(super) fn push_msg(&mut self, w: &[u8]) {
        if !self.msg.is_empty() {
            self.msg.push(b' ');
        }
        self.msg.extend_from_slice(w);
    }

    /// Remove a trailing `:` or `-` separator (and the space before it) from the message.
    pub(super) fn trim_msg(&mut self) {
        while let Some(b':' | b'-' | b' ') = self.msg.last() {
            self.msg.pop();
        }
    }

    /// Write the non-empty parts as JSON members (no braces), the message under `msg_key`.
    /// Returns whether anything was written.
    pub(super) fn write_members(&self, out: &mut Vec<u8>, msg_key: &[u8]) -> bool {
        let mut first = true;
        for (key, val) in [
            (&b"time"[..], &self.time),
            (b"level", &self.level),
            (b"caller", &self.caller),
            (msg_key, &self.msg),
        ] {
            if val.is_empty() {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            write_json_str(out, key);
            out.push(b':');
            write_json_str(out, val);
        }
        !first
    }
}

/// Read time, level and message from whitespace-separated `words` into `head` (appending to
/// its message; time and level are only set when still empty). See the module docs.
pub(super) fn read_head(words: &[&[u8]], head: &mut Head) {
    let mut i = 0;
    let klog = head.time.is_empty() && head.level.is_empty() && head.msg.is_empty();
    let klog = klog && klog_header(words, head).inspect(|&n| i = n).is_some();
    while let Some(&w) = words.get(i) {
        let leading = head.msg.is_empty();
        if leading && head.time.is_empty() {
            if let Some(n) = timestamp(words.get(i..).unwrap_or_default(), &mut head.time) {
                i += n;
                continue;
            }
        }
        i += 1;
        if head.level.is_empty() {
            if let Some(level) = level_word(w, leading) {
                head.level.extend_from_slice(level);
                continue;
            }
        }
        if !matches!(w, b"-" | b"--" | b"|" | b":") {
            head.push_msg(w);
        }
    }
    head.trim_msg();
    if klog {
        // klog's structured message is quoted: `"request done" path="/x"`.
        if let [b'"', inner @ .., b'"'] = head.msg.as_slice() {
            if !inner.contains(&b'"') {
                head.msg = inner.to_vec();
            }
        }
    }
}

/// A klog (Kubernetes, glog) header at `words[0]`: `Lmmdd hh:mm:ss.uuuuuu threadid
/// file:line]`, `L` one of `I W E F`. Sets the time (`mmdd hh:mm:ss.uuuuuu`: no year, see
/// [`crate::units::parse_yearless`]), the level (`INFO`, `WARNING`, `ERROR`, `FATAL`) and the
/// caller (`file:line`); returns how many words it used.
fn klog_header(words: &[&[u8]], head: &mut Head) -> Option<usize> {
    let (&first, &clock) = (words.first()?, words.get(1)?);
    let [letter, date @ ..] = first else {
        return None;
    };
    let level: &[u8] = match letter {
        b'I' => b"INFO",
        b'W' => b"WARNING",
        b'E' => b"ERROR",
        b'F' => b"FATAL",
        _ => return None,
    };
    let two = |i: usize| {
        date.get(i..i + 2)
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| (d[0] - b'0') * 10 + (d[1] - b'0'))
    };
    let (month, day) = (two(0)?, two(2)?);
    if date.len() != 4 || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // hh:mm:ss.frac (klog always writes the microseconds).
    let is_clock = clock.len() > 9
        && is_time_of_day(clock)
        && clock.get(5) == Some(&b':')
        && clock.get(8) == Some(&b'.')
        && clock
            .get(9..)
            .is_some_and(|f| f.iter().all(u8::is_ascii_digit));
    if !is_clock {
        return None;
    }
    head.time.extend_from_slice(date);
    head.time.push(b' ');
    head.time.extend_from_slice(clock);
    head.level.extend_from_slice(level);
    let thread = words.get(2).filter(|w| w.iter().all(u8::is_ascii_digit));
    let caller = words.get(3).and_then(|w| w.strip_suffix(b"]"));
    match (thread, caller) {
        (Some(_), Some(c)) if !c.is_empty() => {
            head.caller.extend_from_slice(c);
            Some(4)
        }
        _ => Some(2),
    }
}

/// The level in `w` (`INFO`, `[info]`, `INFO:`, `level=INFO`), if it is one. Lower or mixed
/// case counts only when `any_case` (no message word seen yet) or in brackets.
fn level_word(w: &[u8], any_case: bool) -> Option<&[u8]> {
    for key in [&b"level="[..], b"lvl=", b"severity="] {
        if let Some(v) = strip_prefix_ci(w, key) {
            let v = trim_quotes(v);
            return is_level(v).then_some(v);
        }
    }
    let bracketed = w.first() == Some(&b'[') && w.last() == Some(&b']');
    let core = if bracketed {
        w.get(1..w.len() - 1).unwrap_or_default()
    } else {
        w.strip_suffix(b":").unwrap_or(w)
    };
    let capitals = core.iter().all(|c| !c.is_ascii_lowercase());
    (is_level(core) && (any_case || bracketed || capitals)).then_some(core)
}

/// `s` without a leading `prefix` (ASCII case-insensitive).
fn strip_prefix_ci<'a>(s: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

fn trim_quotes(v: &[u8]) -> &[u8] {
    v.strip_prefix(b"\"")
        .and_then(|v| v.strip_suffix(b"\""))
        .unwrap_or(v)
}

/// Is `w` a level name (any case)?
pub(super) fn is_level(w: &[u8]) -> bool {
    const LEVELS: [&[u8]; 8] = [
        b"TRACE",
        b"DEBUG",
        b"INFO",
        b"WARN",
        b"WARNING",
        b"ERROR",
        b"FATAL",
        b"CRITICAL",
    ];
    LEVELS.iter().any(|l| l.eq_ignore_ascii_case(w))
}

/// If a timestamp starts at `words[0]`, append its text to `time` and return how many words
/// it used. See the module docs for the forms recognised.
pub(super) fn timestamp(words: &[&[u8]], time: &mut Vec<u8>) -> Option<usize> {
    let first = *words.first()?;
    let bracketed = first.first() == Some(&b'[');
    let first = if bracketed { first.get(1..)? } else { first };
    let mut parts: Vec<&[u8]> = Vec::with_capacity(4);
    if is_date_time(first.strip_suffix(b"]").unwrap_or(first)) {
        parts.push(first);
    } else if is_date(first) {
        parts.extend([
            first,
            *words.get(1).filter(|w| is_time_of_day(strip_close(w)))?,
        ]);
    } else if is_month(first) {
        let day = *words.get(1)?;
        let clock = *words.get(2)?;
        if !(1..=2).contains(&day.len())
            || !day.iter().all(u8::is_ascii_digit)
            || !is_time_of_day(strip_close(clock))
        {
            return None;
        }
        parts.extend([first, day, clock]);
    } else {
        return None;
    }
    let last_closed = parts.last().is_some_and(|p| p.ends_with(b"]"));
    if !last_closed {
        if let Some(zone) = words.get(parts.len()).filter(|w| is_zone(strip_close(w))) {
            parts.push(zone);
        }
    }
    let used = parts.len();
    for (k, p) in parts.into_iter().enumerate() {
        if k > 0 {
            time.push(b' ');
        }
        let p = if bracketed { strip_close(p) } else { p };
        time.extend_from_slice(p);
    }
    Some(used)
}

fn strip_close(w: &[u8]) -> &[u8] {
    w.strip_suffix(b"]").unwrap_or(w)
}

fn digits(s: &[u8], range: std::ops::Range<usize>) -> bool {
    s.get(range)
        .is_some_and(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))
}

/// `YYYY-MM-DD` or `YYYY/MM/DD`, exactly.
fn is_date(s: &[u8]) -> bool {
    s.len() == 10 && date_prefix(s)
}

fn date_prefix(s: &[u8]) -> bool {
    let sep = s.get(4).copied();
    matches!(sep, Some(b'-' | b'/'))
        && digits(s, 0..4)
        && s.get(7).copied() == sep
        && digits(s, 5..7)
        && digits(s, 8..10)
}

/// A date, `T` (or `t`, `_`), and a time of day with optional fraction and zone, in one word.
fn is_date_time(s: &[u8]) -> bool {
    date_prefix(s)
        && matches!(s.get(10), Some(b'T' | b't' | b'_'))
        && s.get(11..).is_some_and(is_time_of_day)
}

/// `HH:MM[:SS[.,fraction]][Z|±HH[:]MM]`.
fn is_time_of_day(s: &[u8]) -> bool {
    digits(s, 0..2)
        && s.get(2) == Some(&b':')
        && digits(s, 3..5)
        && s.get(5..).is_some_and(|rest| {
            rest.iter()
                .all(|c| c.is_ascii_digit() || matches!(c, b':' | b'.' | b',' | b'+' | b'-'))
                || rest.strip_suffix(b"Z").is_some_and(|r| {
                    r.iter()
                        .all(|c| c.is_ascii_digit() || matches!(c, b':' | b'.' | b','))
                })
        })
}

/// `Z`, `UTC`, `GMT`, `+0000`, `-07:00`.
fn is_zone(s: &[u8]) -> bool {
    match s {
        b"Z" | b"UTC" | b"GMT" => true,
        [b'+' | b'-', rest @ ..] => match rest {
            [a, b, c, d] => [a, b, c, d].iter().all(|x| x.is_ascii_digit()),
            [a, b, b':', c, d] => [a, b, c, d].iter().all(|x| x.is_ascii_digit()),
            _ => false,
        },
        _ => false,
    }
}

/// A three-letter English month name (`Nov`, any case).
fn is_month(s: &[u8]) -> bool {
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    MONTHS.iter().any(|m| m.eq_ignore_ascii_case(s))
}

// Native only: proptest does not build for wasm32 (the wasm tests live in src/wasm.rs).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// Split `line`; return the offset and the members wrapped in braces, parsed.
    fn split_ok(line: &str) -> (usize, Value) {
        let mut members = Vec::new();
        let at = split(line.as_bytes(), &mut members).unwrap_or_else(|| panic!("{line}"));
        assert!(!members.is_empty());
        let mut obj = b"{".to_vec();
        obj.extend_from_slice(&members);
        obj.push(b'}');
        let v: Value = serde_json::from_slice(&obj).unwrap_or_else(|e| {
            panic!("{}: {e}", String::from_utf8_lossy(&obj));
        });
        assert_eq!(line.as_bytes().get(at), Some(&b'{'));
        (at, v)
    }

    fn none(line: &str) {
        let mut members = b"junk".to_vec();
        assert_eq!(split(line.as_bytes(), &mut members), None, "{line}");
    }

    #[test]
    fn rfc3339_level_and_message() {
        let line =
            r#"2026-11-27T18:02:11Z INFO api request done {"responseTimeMs": 120, "status": "ok"}"#;
        let (at, v) = split_ok(line);
        assert_eq!(at, line.find('{').unwrap_or_default());
        assert_eq!(
            v,
            json!({"time": "2026-11-27T18:02:11Z", "level": "INFO", "msg": "api request done"})
        );
        let mut members = Vec::new();
        split(line.as_bytes(), &mut members);
        assert_eq!(
            String::from_utf8_lossy(&members),
            r#""time":"2026-11-27T18:02:11Z","level":"INFO","msg":"api request done""#
        );
    }

    #[test]
    fn timestamp_forms() {
        let cases = [
            (
                "2026-11-27T18:02:11.123+01:00 DEBUG x {\"a\":1}",
                "2026-11-27T18:02:11.123+01:00",
            ),
            (
                "2026-11-27 18:02:11,123 WARN x {\"a\":1}",
                "2026-11-27 18:02:11,123",
            ),
            (
                "2026-11-27 18:02:11.123 ERROR x {\"a\":1}",
                "2026-11-27 18:02:11.123",
            ),
            (
                "[2026-11-27T18:02:11Z] [INFO] x {\"a\":1}",
                "2026-11-27T18:02:11Z",
            ),
            (
                "[2026-11-27 18:02:11,123] INFO x {\"a\":1}",
                "2026-11-27 18:02:11,123",
            ),
            (
                "Nov 27 18:02:11 host app[web.1]: {\"a\":1}",
                "Nov 27 18:02:11",
            ),
            ("Nov  7 18:02:11 host app: {\"a\":1}", "Nov 7 18:02:11"),
            (
                "2026-11-27 18:02:11 +0000 request {\"a\":1}",
                "2026-11-27 18:02:11 +0000",
            ),
            (
                "2026/11/27 18:02:11 request {\"a\":1}",
                "2026/11/27 18:02:11",
            ),
        ];
        for (line, time) in cases {
            let (_, v) = split_ok(line);
            assert_eq!(v["time"], json!(time), "{line}");
        }
    }

    #[test]
    fn klog_header() {
        let (_, v) = split_ok(
            r#"E1127 18:02:11.123456       1 handler.go:123] "request failed" {"latency_ms": 812}"#,
        );
        assert_eq!(
            v,
            json!({"time": "1127 18:02:11.123456", "level": "ERROR", "caller": "handler.go:123",
                   "msg": "request failed"})
        );
        let (_, v) = split_ok(r#"W0101 00:00:01.000001 42 x.go:1] slow request {"a": 1}"#);
        assert_eq!(v["level"], json!("WARNING"));
        assert_eq!(v["msg"], json!("slow request"));
        // Not klog: a level letter without a valid date or clock is just a word.
        for line in [
            r#"I1327 18:02:11.123456 1 x.go:1] "m" {"a": 1}"#,
            r#"X1127 18:02:11.123456 1 x.go:1] "m" {"a": 1}"#,
            r#"I1127 18:02:11 1 x.go:1] "m" {"a": 1}"#,
        ] {
            none(line);
        }
    }

    #[test]
    fn syslog_prefix_keeps_host_and_app_as_message() {
        let (_, v) = split_ok(r#"Nov 27 18:02:11 host app[web.1]: {"a": 1}"#);
        assert_eq!(
            v,
            json!({"time": "Nov 27 18:02:11", "msg": "host app[web.1]"})
        );
    }

    #[test]
    fn level_forms() {
        for (line, level) in [
            ("[INFO] request done {\"a\":1}", "INFO"),
            ("level=warn request done {\"a\":1}", "warn"),
            ("error: request failed {\"a\":1}", "error"),
            ("myapp.api WARNING slow {\"a\":1}", "WARNING"),
            ("myapp.api [debug] slow {\"a\":1}", "debug"),
        ] {
            let (_, v) = split_ok(line);
            assert_eq!(v["level"], json!(level), "{line}");
        }
        // A lower-case level word in the middle of a message is prose, not the level.
        none("request error happened {\"a\":1}");
    }

    #[test]
    fn message_separators_trimmed() {
        let (_, v) =
            split_ok(r#"2026-11-27T18:02:11Z INFO - api.handler - request done: {"a": 1}"#);
        assert_eq!(
            v,
            json!({"time": "2026-11-27T18:02:11Z", "level": "INFO", "msg": "api.handler request done"})
        );
        let (_, v) = split_ok(r#"INFO {"a": 1}"#);
        assert_eq!(v, json!({"level": "INFO"}));
    }

    #[test]
    fn json_special_characters_in_prefix_are_escaped() {
        let (_, v) = split_ok(r#"INFO said "hi\there" {"a": 1}"#);
        assert_eq!(v, json!({"level": "INFO", "msg": "said \"hi\\there\""}));
    }

    #[test]
    fn brace_inside_quotes_or_after_equals_is_skipped() {
        let line = r#"INFO msg="{not json}" {"a": 1}"#;
        let (at, _) = split_ok(line);
        assert_eq!(at, line.rfind('{').unwrap_or_default());
        none(r#"INFO msg="{not json}""#);
        none(r#"level=info data={"a":1}"#);
    }

    #[test]
    fn rejects_what_is_not_this_format() {
        none(r#"{"a": 1}"#);
        none("2026-11-27T18:02:11Z INFO no json here");
        none(r#"some text {"a": 1}"#);
        none("INFO took {elapsed} ms");
        none("");
        none("INFO {");
    }

    #[test]
    fn accepts_damaged_objects_for_the_lenient_path() {
        let (_, v) = split_ok(r#"INFO done {responseTimeMs": 820}"#);
        assert_eq!(v, json!({"level": "INFO", "msg": "done"}));
        let (_, v) = split_ok("INFO done {a: 1}");
        assert_eq!(v, json!({"level": "INFO", "msg": "done"}));
    }

    #[test]
    fn head_reader_pieces() {
        assert!(is_time_of_day(b"18:02:11.123Z"));
        assert!(is_time_of_day(b"18:02"));
        assert!(!is_time_of_day(b"18:0x"));
        assert!(is_date_time(b"2026-11-27T18:02:11+00:00"));
        assert!(!is_date_time(b"2026-11-27Tfoo"));
        assert!(is_zone(b"-07:00") && is_zone(b"+0000") && !is_zone(b"+00"));
        let mut t = Vec::new();
        assert_eq!(timestamp(&[b"Nov", b"27"], &mut t), None);
        assert_eq!(timestamp(&[b"2026-11-27", b"x"], &mut t), None);
        assert!(t.is_empty());
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn check(bytes: &[u8]) {
            let mut members = Vec::new();
            if let Some(at) = split(bytes, &mut members) {
                assert_eq!(bytes.get(at), Some(&b'{'));
                assert!(!members.is_empty());
                let mut obj = b"{".to_vec();
                obj.extend_from_slice(&members);
                obj.push(b'}');
                let v: Value = serde_json::from_slice(&obj).expect("valid JSON members");
                assert!(v.is_object());
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            #[test]
            fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
                check(&bytes);
            }

            #[test]
            fn never_panics_on_prefix_like_text(
                s in r#"(\[?(2026-11-27[T ]18:02:11(\.123)?Z?|Nov 27 18:02:11)\]? )?(\[?(INFO|warn|level=error)\]?:? )?[a-z \-:|"\\\[\]=]{0,30}\{"?[a-z]{0,5}"?: ?1?\}?"#
            ) {
                check(s.as_bytes());
            }
        }
    }
}
