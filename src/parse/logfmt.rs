//! logfmt: `at=info method=GET path="/x y" status=503 service=812ms`.
//!
//! [`to_json`] converts one line into one strict JSON object:
//!
//! * **pairs** — `key=value`, keys from `[A-Za-z0-9_.\-/@\[\]]+`. A value is a JSON number
//!   when it is one exactly as written (`503`, `0.5`, `-3`, `1e3`; not `007`, `+1`, `812ms`),
//!   `true` / `false` as booleans, and a string otherwise. `key=` is `""`. A quoted value
//!   (`"…"`) may contain spaces and the escapes `\"` and `\\` (any other backslash is kept as
//!   text); an unterminated quote runs to the end of the line. A quoted value is always a
//!   string (`"503"` stays `"503"`).
//! * **other words** — the words before the first pair are read like a text prefix
//!   (`prefix::read_head`): a timestamp goes under `"time"`, a level word under
//!   `"level"` (a klog header also gives `"caller"`), the rest is joined with spaces under
//!   `"msg"`; words after the first pair
//!   are added to that message. When the line also has a `msg` pair, the joined words go
//!   under `"prefix"` instead.
//! * **order and duplicates** — `time`, `level`, `msg`/`prefix` first, then the pairs in line
//!   order. A key that appears again (including a pair named `time` or `level`) is written
//!   once, with its last value, at the place of its last occurrence.
//!
//! A line with fewer than two pairs is not logfmt: [`to_json`] returns false.

use std::borrow::Cow;

use super::json::write_json_str;
use super::prefix::{read_head, Head};

/// Members above this count use a hash map to drop duplicate keys (below, a linear scan).
const DEDUP_LINEAR_MAX: usize = 32;

/// Cheap check: does `line` have at least two `key=value` words (a key of logfmt key
/// characters right before an `=`)? Does not look at quoting.
pub fn sniff(line: &[u8]) -> bool {
    line.split(|c| c.is_ascii_whitespace())
        .filter(|w| pair_key_len(w).is_some())
        .take(2)
        .count()
        == 2
}

/// If the word starting `w` is `key=…`, the key's length.
fn pair_key_len(w: &[u8]) -> Option<usize> {
    let n = w.iter().take_while(|c| is_key_char(**c)).count();
    (n > 0 && w.get(n) == Some(&b'=')).then_some(n)
}

/// `[A-Za-z0-9_.\-/@\[\]]`.
pub(super) fn is_key_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'/' | b'@' | b'[' | b']')
}

/// A value as found in the line.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Val<'a> {
    /// Raw text written as a JSON string.
    Str(&'a [u8]),
    /// The inside of a quoted value: `\"` and `\\` are unescaped, then written as a string.
    Quoted(&'a [u8]),
    /// Text already checked to be a JSON number, written as is.
    Num(&'a [u8]),
    Bool(bool),
}

impl<'a> Val<'a> {
    /// An unquoted value: number, boolean or string.
    pub(super) fn bare(v: &'a [u8]) -> Val<'a> {
        match v {
            b"true" => Val::Bool(true),
            b"false" => Val::Bool(false),
            _ if is_json_number(v) => Val::Num(v),
            _ => Val::Str(v),
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Val::Str(s) => write_json_str(out, s),
            Val::Quoted(s) => write_json_str(out, &unescape(s)),
            Val::Num(s) => out.extend_from_slice(s),
            Val::Bool(true) => out.extend_from_slice(b"true"),
            Val::Bool(false) => out.extend_from_slice(b"false"),
        }
    }
}

/// `\"` → `"`, `\\` → `\`; every other byte as is.
fn unescape(s: &[u8]) -> Cow<'_, [u8]> {
    if !s.contains(&b'\\') {
        return Cow::Borrowed(s);
    }
    let mut v = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        match (c, s.get(i + 1)) {
            (b'\\', Some(&e @ (b'"' | b'\\'))) => {
                v.push(e);
                i += 2;
            }
            _ => {
                v.push(c);
                i += 1;
            }
        }
    }
    Cow::Owned(v)
}

/// Is `text` exactly a JSON number, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, and
/// finite as an `f64` (`serde_json` rejects `1e999` as out of range)?
pub(super) fn is_json_number(text: &[u8]) -> bool {
    has_number_grammar(text) && is_finite(text)
}

/// Does `text` (already known to be number-shaped ASCII) parse to a finite `f64`?
pub(super) fn is_finite(text: &[u8]) -> bool {
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse::<f64>().ok())
        .is_some_and(f64::is_finite)
}

fn has_number_grammar(s: &[u8]) -> bool {
    let s = s.strip_prefix(b"-").unwrap_or(s);
    let int = s.iter().take_while(|c| c.is_ascii_digit()).count();
    if int == 0 || (int > 1 && s.first() == Some(&b'0')) {
        return false;
    }
    let mut rest = s.get(int..).unwrap_or_default();
    if let Some(r) = rest.strip_prefix(b".") {
        let n = r.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = r.get(n..).unwrap_or_default();
    }
    match rest.split_first() {
        None => true,
        Some((b'e' | b'E', r)) => {
            let r = r
                .strip_prefix(b"+")
                .or_else(|| r.strip_prefix(b"-"))
                .unwrap_or(r);
            !r.is_empty() && r.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// One member to write.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Member<'a> {
    pub key: Cow<'a, [u8]>,
    pub val: Val<'a>,
}

/// Write `members` as one JSON object (appended to `out`), dropping every member whose key
/// appears again later (the last one wins, at its own place).
pub(super) fn write_object(out: &mut Vec<u8>, members: &[Member<'_>]) {
    let last: Option<rustc_hash::FxHashMap<&[u8], usize>> = (members.len() > DEDUP_LINEAR_MAX)
        .then(|| {
            members
                .iter()
                .enumerate()
                .map(|(i, m)| (m.key.as_ref(), i))
                .collect()
        });
    out.push(b'{');
    let mut first = true;
    for (i, m) in members.iter().enumerate() {
        let shadowed = match &last {
            Some(map) => map.get(m.key.as_ref()).is_some_and(|&j| j != i),
            None => members
                .get(i + 1..)
                .unwrap_or_default()
                .iter()
                .any(|n| n.key == m.key),
        };
        if shadowed {
            continue;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        write_json_str(out, &m.key);
        out.push(b':');
        m.val.write(out);
    }
    out.push(b'}');
}

/// One token of the line: a pair, or another word.
enum Token<'a> {
    Pair(Member<'a>),
    Word(&'a [u8]),
}

/// Read the token starting at `line[i]` (not whitespace); returns it and where it ends.
fn token(line: &[u8], i: usize) -> (Token<'_>, usize) {
    let rest = line.get(i..).unwrap_or_default();
    if let Some(k) = pair_key_len(rest) {
        let key = rest.get(..k).unwrap_or_default();
        let v = k + 1;
        if rest.get(v) == Some(&b'"') {
            let (inner, end) = quoted(rest, v + 1);
            let pair = Member {
                key: Cow::Borrowed(key),
                val: Val::Quoted(inner),
            };
            return (Token::Pair(pair), i + end);
        }
        let end = word_end(rest, v);
        let val = Val::bare(rest.get(v..end).unwrap_or_default());
        let pair = Member {
            key: Cow::Borrowed(key),
            val,
        };
        return (Token::Pair(pair), i + end);
    }
    let end = word_end(rest, 0);
    (Token::Word(rest.get(..end).unwrap_or_default()), i + end)
}

fn word_end(s: &[u8], from: usize) -> usize {
    from + s
        .get(from..)
        .unwrap_or_default()
        .iter()
        .take_while(|c| !c.is_ascii_whitespace())
        .count()
}

/// The inside of a quoted value starting at `s[from]` (after the opening quote), and the
/// offset after the closing quote (or the end of `s` when it never closes).
fn quoted(s: &[u8], from: usize) -> (&[u8], usize) {
    let mut j = from;
    while let Some(&c) = s.get(j) {
        match c {
            b'\\' => j += 2,
            b'"' => return (s.get(from..j).unwrap_or_default(), j + 1),
            _ => j += 1,
        }
    }
    (s.get(from..).unwrap_or_default(), s.len())
}

/// Convert one logfmt line into a JSON object in `out` (cleared first). Returns false (with
/// `out` in any state) when the line has fewer than two `key=value` pairs. Never panics;
/// linear in the line, plus a hash map when it has more than 32 pairs.
pub fn to_json(line: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let mut pairs: Vec<Member<'_>> = Vec::new();
    let mut leading: Vec<&[u8]> = Vec::new();
    let mut later: Vec<&[u8]> = Vec::new();
    let mut i = 0;
    while let Some(&c) = line.get(i) {
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let (tok, end) = token(line, i);
        i = end.max(i + 1);
        match tok {
            Token::Pair(m) => pairs.push(m),
            Token::Word(w) if pairs.is_empty() => leading.push(w),
            Token::Word(w) => later.push(w),
        }
    }
    if pairs.len() < 2 {
        return false;
    }
    let mut head = Head::default();
    read_head(&leading, &mut head);
    for w in later {
        head.push_msg(w);
    }
    head.trim_msg();
    let msg_key: &[u8] = if pairs.iter().any(|m| *m.key == *b"msg") {
        b"prefix"
    } else {
        b"msg"
    };
    let mut members = Vec::with_capacity(pairs.len() + 3);
    for (key, val) in [
        (&b"time"[..], &head.time),
        (b"level", &head.level),
        (b"caller", &head.caller),
        (msg_key, &head.msg),
    ] {
        if !val.is_empty() {
            members.push(Member {
                key: Cow::Borrowed(key),
                val: Val::Str(val),
            });
        }
    }
    members.extend(pairs);
    write_object(out, &members);
    true
}

// Native only: proptest does not build for wasm32 (the wasm tests live in src/wasm.rs).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn convert(line: &str) -> Value {
        crate::parse::converter_tests::convert(sniff, to_json, line)
    }

    fn text(line: &str) -> String {
        let mut out = Vec::new();
        assert!(to_json(line.as_bytes(), &mut out), "{line}");
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn klog_structured_line() {
        let line = r#"I1127 18:02:11.123456       1 handler.go:123] "request done" path="/api/x" latency="812ms" status=503"#;
        assert_eq!(
            convert(line),
            json!({"time": "1127 18:02:11.123456", "level": "INFO", "caller": "handler.go:123",
                   "msg": "request done", "path": "/api/x", "latency": "812ms", "status": 503})
        );
    }

    #[test]
    fn spec_example_exact_output() {
        let line = r#"at=info method=GET path="/x y" service=812ms status=503 msg="say \"hi\"""#;
        assert_eq!(
            text(line),
            r#"{"at":"info","method":"GET","path":"/x y","service":"812ms","status":503,"msg":"say \"hi\""}"#
        );
        assert_eq!(
            convert(line),
            json!({"at": "info", "method": "GET", "path": "/x y", "service": "812ms",
                   "status": 503, "msg": "say \"hi\""})
        );
    }

    #[test]
    fn heroku_router_line() {
        let line = r#"2026-11-27T18:02:11.123456+00:00 heroku[router]: at=error code=H12 desc="Request timeout" method=GET path="/api/score" host=app.example.com request_id=8601b555-6a76-4c13-9ede-3d5a0e1ec3a0 fwd="10.1.2.3" dyno=web.2 connect=1ms service=30001ms status=503 bytes=0 protocol=https"#;
        assert_eq!(
            convert(line),
            json!({
                "time": "2026-11-27T18:02:11.123456+00:00",
                "msg": "heroku[router]",
                "at": "error", "code": "H12", "desc": "Request timeout", "method": "GET",
                "path": "/api/score", "host": "app.example.com",
                "request_id": "8601b555-6a76-4c13-9ede-3d5a0e1ec3a0", "fwd": "10.1.2.3",
                "dyno": "web.2", "connect": "1ms", "service": "30001ms", "status": 503,
                "bytes": 0, "protocol": "https"
            })
        );
        assert!(text(line).starts_with(r#"{"time":"2026-11-27T18:02:11.123456+00:00","msg":"#));
    }

    #[test]
    fn value_types() {
        assert_eq!(
            convert(r#"a=503 b=0.5 c=-3 d=1e3 e=007 f=+1 g=true h=false i=null j="503" k= l=1."#),
            json!({"a": 503, "b": 0.5, "c": -3, "d": 1000.0, "e": "007", "f": "+1", "g": true,
                   "h": false, "i": "null", "j": "503", "k": "", "l": "1."})
        );
        assert_eq!(text("a=1e3 b=-0"), r#"{"a":1e3,"b":-0}"#);
        // Out of f64 range: serde_json would reject it as a number, so it stays text.
        assert_eq!(text("a=1e310 b=1e-400"), r#"{"a":"1e310","b":1e-400}"#);
    }

    #[test]
    fn quoted_values_and_escapes() {
        assert_eq!(
            convert(r#"a="x \\ y" b="C:\dir" c="tab	in" d="unterminated value"#),
            json!({"a": "x \\ y", "b": "C:\\dir", "c": "tab\tin", "d": "unterminated value"})
        );
        assert_eq!(convert(r#"a="" b="=""#), json!({"a": "", "b": "="}));
        assert_eq!(convert("q=a=b c=d"), json!({"q": "a=b", "c": "d"}));
    }

    #[test]
    fn key_characters() {
        assert_eq!(
            convert("heroku[router].at=1 a-b/c@d=2"),
            json!({"heroku[router].at": 1, "a-b/c@d": 2})
        );
    }

    #[test]
    fn prefix_words() {
        assert_eq!(
            convert("INFO starting up port=80 workers=4"),
            json!({"level": "INFO", "msg": "starting up", "port": 80, "workers": 4})
        );
        assert_eq!(
            convert("Nov 27 18:02:11 host app[web.1]: warn a=1 b=2"),
            json!({"time": "Nov 27 18:02:11", "msg": "host app[web.1]: warn", "a": 1, "b": 2})
        );
        assert_eq!(
            convert("2026-11-27 18:02:11,123 ERROR: a=1 b=2 trailing words"),
            json!({"time": "2026-11-27 18:02:11,123", "level": "ERROR",
                   "msg": "trailing words", "a": 1, "b": 2})
        );
        assert_eq!(
            convert(r#"web.1 started a=1 msg="hello""#),
            json!({"prefix": "web.1 started", "a": 1, "msg": "hello"})
        );
    }

    #[test]
    fn duplicates_keep_the_last() {
        assert_eq!(text("a=1 b=2 a=3"), r#"{"b":2,"a":3}"#);
        assert_eq!(
            text("INFO x level=debug a=1"),
            r#"{"msg":"x","level":"debug","a":1}"#
        );
        let many: String = (0..100).map(|i| format!("k{}={i} ", i % 10)).collect();
        let v = convert(&many);
        assert_eq!(v.as_object().map(|o| o.len()), Some(10));
        assert_eq!(v["k3"], json!(93));
    }

    #[test]
    fn fewer_than_two_pairs_is_not_logfmt() {
        let mut out = Vec::new();
        for line in ["", "a=1", "hello world", "INFO a=1 words", "=1 =2", "a==1"] {
            assert!(!to_json(line.as_bytes(), &mut out), "{line}");
        }
        assert!(!sniff(b"a=1"));
        assert!(!sniff(b"just some words = here"));
        assert!(sniff(b"x a=1 b=2"));
    }

    #[test]
    fn invalid_utf8_is_lossy() {
        let mut out = Vec::new();
        assert!(to_json(b"a=\xff b=\"x\xfey\"", &mut out));
        let v: Value = serde_json::from_slice(&out).unwrap_or_default();
        assert_eq!(v, json!({"a": "\u{fffd}", "b": "x\u{fffd}y"}));
    }

    #[test]
    fn json_number_grammar() {
        for ok in ["0", "-0", "12", "1.5", "-1.5e-3", "1E+9", "0.0"] {
            assert!(is_json_number(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "", "-", "01", "1.", ".5", "+1", "1e", "1e+", "0x1", "1_000", "NaN", "--1", "1e310",
            "-1e999",
        ] {
            assert!(!is_json_number(bad.as_bytes()), "{bad}");
        }
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn check(bytes: &[u8]) {
            let _ = sniff(bytes);
            let mut out = Vec::new();
            if to_json(bytes, &mut out) {
                let v: Value = serde_json::from_slice(&out).expect("valid JSON");
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
            fn never_panics_on_logfmt_like_text(s in r#"([a-z\[\]]{0,4}=("[a-z \\"=]{0,6}"?|[0-9a-z.\-]{0,5}) {1,2}|INFO |2026-11-27T18:02:11Z ){0,8}"#) {
                check(s.as_bytes());
            }
        }
    }
}
