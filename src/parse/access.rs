//! Access logs: Apache / nginx "common" and "combined" formats, optionally with extras.
//!
//! ```text
//! 127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://ref/" "Mozilla/5.0" 0.123
//! ```
//!
//! becomes one JSON object with, in this order and each only when present and not `-`:
//!
//! | key | from | JSON type |
//! | --- | --- | --- |
//! | `remote_addr` | `%h` / `$remote_addr` | string |
//! | `ident` | `%l` (almost always `-`) | string |
//! | `remote_user` | `%u` / `$remote_user` | string |
//! | `time` | `[…]`, as written, brackets removed | string |
//! | `method`, `path`, `protocol` | the request line `"GET /x HTTP/1.1"` split on spaces | strings |
//! | `request` | a request line that is not `METHOD PATH [PROTOCOL]` (e.g. TLS bytes) | string |
//! | `status` | three digits, 100 to 999 | number |
//! | `bytes` | `%b` / `$body_bytes_sent` | number (string if not a number) |
//! | `referer`, `user_agent` | the combined format's two quoted fields | strings |
//! | `forwarded_for` | a third quoted field (nginx's default `main` format) | string |
//! | `request_time` | the first bare number after those (nginx `$request_time`, seconds) | number |
//! | any `key=value` extra | `rt=0.123`, `upstream_response_time=0.120` (logfmt rules) | number or string |
//! | `extra_N` | any other trailing word or quoted field, or an unterminated quote and the rest of the line (`N` = its field number after the status, `bytes` being 1) | number or string |
//!
//! `request_time` is named so that its unit is later inferred as seconds, as nginx writes
//! it. Quoted fields unescape `\"` and `\\`; other backslashes are kept as text. A key that
//! appears twice keeps its last value.

use std::borrow::Cow;

use super::logfmt::{is_json_number, is_key_char, write_object, Member, Val};

/// The fixed head of an access-log line.
struct Head<'a> {
    remote_addr: &'a [u8],
    ident: &'a [u8],
    remote_user: &'a [u8],
    time: &'a [u8],
    request: &'a [u8],
    status: &'a [u8],
    /// Where the fields after the status start.
    rest: usize,
}

/// A small cursor over the line (also used by the [`super::alb`] and [`super::envoy`]
/// readers).
pub(super) struct Cursor<'a> {
    pub s: &'a [u8],
    pub i: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn skip_spaces(&mut self) {
        while self.s.get(self.i).is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    pub(super) fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }

    /// The next whitespace-delimited word (empty at the end).
    pub(super) fn word(&mut self) -> &'a [u8] {
        self.skip_spaces();
        let start = self.i;
        while self.s.get(self.i).is_some_and(|c| !c.is_ascii_whitespace()) {
            self.i += 1;
        }
        self.s.get(start..self.i).unwrap_or_default()
    }

    /// `[…]`: the inside, or `None` when the next word does not start with `[` or never
    /// closes.
    pub(super) fn bracketed(&mut self) -> Option<&'a [u8]> {
        self.skip_spaces();
        if self.s.get(self.i) != Some(&b'[') {
            return None;
        }
        let start = self.i + 1;
        let len = self.s.get(start..)?.iter().position(|&c| c == b']')?;
        self.i = start + len + 1;
        self.s.get(start..start + len)
    }

    /// `"…"` with `\"` escapes: the raw inside, or `None` when the next byte is not `"` or
    /// the quote never closes.
    pub(super) fn quoted(&mut self) -> Option<&'a [u8]> {
        self.skip_spaces();
        if self.s.get(self.i) != Some(&b'"') {
            return None;
        }
        let start = self.i + 1;
        let mut j = start;
        loop {
            match self.s.get(j)? {
                b'\\' => j += 2,
                b'"' => break,
                _ => j += 1,
            }
        }
        self.i = j + 1;
        self.s.get(start..j)
    }
}

/// Read `addr ident user [time] "request" status`; `None` when the line is not shaped so.
fn head(line: &[u8]) -> Option<Head<'_>> {
    let mut c = Cursor { s: line, i: 0 };
    let remote_addr = c.word();
    let ident = c.word();
    let remote_user = c.word();
    if remote_addr.is_empty() || ident.is_empty() || remote_user.is_empty() {
        return None;
    }
    let time = c.bracketed().filter(|t| !t.is_empty())?;
    let request = c.quoted()?;
    let status = c.word();
    let valid_status =
        status.len() == 3 && status.iter().all(u8::is_ascii_digit) && status.first() != Some(&b'0');
    if !valid_status {
        return None;
    }
    Some(Head {
        remote_addr,
        ident,
        remote_user,
        time,
        request,
        status,
        rest: c.i,
    })
}

/// Is `line` an access-log line: `addr ident user [time] "request" status …`? Reads only the
/// fixed head of the line, allocates nothing.
pub fn sniff(line: &[u8]) -> bool {
    head(line).is_some()
}

/// Convert one access-log line into a JSON object in `out` (cleared first). Returns false
/// (with `out` in any state) when the line does not have the common-format head. See the
/// module docs for the keys. Never panics; linear in the line.
pub fn to_json(line: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let Some(h) = head(line) else {
        return false;
    };
    let mut members: Vec<Member<'_>> = Vec::with_capacity(16);
    for (key, v) in [
        (&b"remote_addr"[..], h.remote_addr),
        (b"ident", h.ident),
        (b"remote_user", h.remote_user),
        (b"time", h.time),
    ] {
        if v != b"-" {
            members.push(Member {
                key: Cow::Borrowed(key),
                val: Val::Str(v),
            });
        }
    }
    request(h.request, &mut members);
    members.push(Member {
        key: Cow::Borrowed(b"status"),
        val: Val::Num(h.status),
    });
    extras(line, h.rest, &mut members);
    write_object(out, &members);
    true
}

/// Split the request line into method, path and protocol (or keep it whole as `request`).
pub(super) fn request<'a>(req: &'a [u8], members: &mut Vec<Member<'a>>) {
    let parts: Vec<&[u8]> = req
        .split(|&c| c == b' ')
        .filter(|p| !p.is_empty())
        .collect();
    let is_method = |m: &[u8]| !m.is_empty() && m.iter().all(u8::is_ascii_uppercase);
    match parts.as_slice() {
        [m, p] | [m, p, _] if is_method(m) => {
            members.push(Member {
                key: Cow::Borrowed(b"method"),
                val: Val::Str(m),
            });
            members.push(Member {
                key: Cow::Borrowed(b"path"),
                val: Val::Quoted(p),
            });
            if let [_, _, proto] = parts.as_slice() {
                members.push(Member {
                    key: Cow::Borrowed(b"protocol"),
                    val: Val::Str(proto),
                });
            }
        }
        _ if req.is_empty() || req == b"-" => {}
        _ => members.push(Member {
            key: Cow::Borrowed(b"request"),
            val: Val::Quoted(req),
        }),
    }
}

/// Fields after the status: bytes, referer, user agent, forwarded-for, request time and any
/// other extras.
fn extras<'a>(line: &'a [u8], from: usize, members: &mut Vec<Member<'a>>) {
    let mut c = Cursor { s: line, i: from };
    let mut quoted_seen = 0;
    let mut request_time = false;
    let mut position = 1;
    let bytes = c.word();
    if !bytes.is_empty() && bytes != b"-" {
        members.push(Member {
            key: Cow::Borrowed(b"bytes"),
            val: Val::bare(bytes),
        });
    }
    loop {
        c.skip_spaces();
        if c.at_end() {
            break;
        }
        position += 1;
        if c.s.get(c.i) == Some(&b'"') {
            match c.quoted() {
                Some(q) => {
                    quoted_seen += 1;
                    let key: Cow<'_, [u8]> = match quoted_seen {
                        1 => Cow::Borrowed(b"referer"),
                        2 => Cow::Borrowed(b"user_agent"),
                        3 => Cow::Borrowed(b"forwarded_for"),
                        _ => extra_name(position),
                    };
                    if q != b"-" {
                        members.push(Member {
                            key,
                            val: Val::Quoted(q),
                        });
                    }
                }
                None => {
                    // An unterminated quote: the rest of the line is one field.
                    let rest = line.get(c.i..).unwrap_or_default();
                    c.i = line.len();
                    members.push(Member {
                        key: extra_name(position),
                        val: Val::Str(rest),
                    });
                }
            }
            continue;
        }
        let w = c.word();
        if w == b"-" {
            continue;
        }
        if let Some(m) = key_value(w) {
            members.push(m);
        } else if !request_time && is_json_number(w) {
            request_time = true;
            members.push(Member {
                key: Cow::Borrowed(b"request_time"),
                val: Val::Num(w),
            });
        } else {
            members.push(Member {
                key: extra_name(position),
                val: Val::bare(w),
            });
        }
    }
}

/// `key=value` with a logfmt key, as a member (quotes around the value removed).
fn key_value(w: &[u8]) -> Option<Member<'_>> {
    let k = w.iter().take_while(|c| is_key_char(**c)).count();
    if k == 0 || w.get(k) != Some(&b'=') {
        return None;
    }
    let key = w.get(..k)?;
    let v = w.get(k + 1..)?;
    let val = match v.strip_prefix(b"\"").and_then(|v| v.strip_suffix(b"\"")) {
        Some(inner) => Val::Quoted(inner),
        None => Val::bare(v),
    };
    Some(Member {
        key: Cow::Borrowed(key),
        val,
    })
}

/// One space-separated field of a line: a quoted one (`"GET / HTTP/1.1"`, its inside), a bare
/// word, or an unterminated quote and the rest of the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Token<'a> {
    Quoted(&'a [u8]),
    Bare(&'a [u8]),
    Rest(&'a [u8]),
}

impl<'a> Token<'a> {
    /// Its text (the inside of a quoted field).
    pub(super) fn text(self) -> &'a [u8] {
        match self {
            Token::Quoted(t) | Token::Bare(t) | Token::Rest(t) => t,
        }
    }

    /// As a member value (`None` for `-`, which means "no value" in every access log).
    pub(super) fn val(self) -> Option<Val<'a>> {
        match self {
            _ if self.text() == b"-" || self.text().is_empty() => None,
            Token::Quoted(t) => Some(Val::Quoted(t)),
            Token::Bare(t) => Some(Val::bare(t)),
            Token::Rest(t) => Some(Val::Str(t)),
        }
    }
}

impl<'a> Cursor<'a> {
    /// The next field, or `None` at the end of the line.
    pub(super) fn token(&mut self) -> Option<Token<'a>> {
        self.skip_spaces();
        if self.at_end() {
            return None;
        }
        if self.s.get(self.i) == Some(&b'"') {
            return Some(match self.quoted() {
                Some(q) => Token::Quoted(q),
                None => {
                    let rest = self.s.get(self.i..).unwrap_or_default();
                    self.i = self.s.len();
                    Token::Rest(rest)
                }
            });
        }
        Some(Token::Bare(self.word()))
    }
}

/// The key for a trailing field that has no name: `extra_N`, `N` its position from 1.
pub(super) fn extra_name(position: usize) -> Cow<'static, [u8]> {
    Cow::Owned(format!("extra_{position}").into_bytes())
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
    fn spec_example_exact_output() {
        let line = r#"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://ref/" "Mozilla/5.0" 0.123"#;
        assert_eq!(
            text(line),
            r#"{"remote_addr":"127.0.0.1","remote_user":"frank","time":"10/Oct/2000:13:55:36 -0700","method":"GET","path":"/apache_pb.gif","protocol":"HTTP/1.0","status":200,"bytes":2326,"referer":"http://ref/","user_agent":"Mozilla/5.0","request_time":0.123}"#
        );
    }

    #[test]
    fn common_format() {
        assert_eq!(
            convert(
                r#"10.0.0.1 - - [27/Nov/2026:18:02:11 +0000] "POST /api/score HTTP/1.1" 503 -"#
            ),
            json!({"remote_addr": "10.0.0.1", "time": "27/Nov/2026:18:02:11 +0000",
                   "method": "POST", "path": "/api/score", "protocol": "HTTP/1.1", "status": 503})
        );
    }

    #[test]
    fn nginx_main_format_with_dashes() {
        assert_eq!(
            convert(
                r#"::1 - - [27/Nov/2026:18:02:11 +0000] "GET / HTTP/2.0" 200 612 "-" "curl/8.0" "-""#
            ),
            json!({"remote_addr": "::1", "time": "27/Nov/2026:18:02:11 +0000", "method": "GET",
                   "path": "/", "protocol": "HTTP/2.0", "status": 200, "bytes": 612,
                   "user_agent": "curl/8.0"})
        );
        assert_eq!(
            convert(r#"1.2.3.4 - - [t] "GET / HTTP/1.1" 200 1 "-" "ua" "9.9.9.9, 10.0.0.1""#)
                ["forwarded_for"],
            json!("9.9.9.9, 10.0.0.1")
        );
    }

    #[test]
    fn trailing_key_value_extras() {
        assert_eq!(
            convert(
                r#"1.2.3.4 - - [t] "GET /x HTTP/1.1" 200 5 "-" "ua" rt=0.123 upstream_response_time=0.120 uct="0.001" cache=HIT"#
            ),
            json!({"remote_addr": "1.2.3.4", "time": "t", "method": "GET", "path": "/x",
                   "protocol": "HTTP/1.1", "status": 200, "bytes": 5, "user_agent": "ua",
                   "rt": 0.123, "upstream_response_time": 0.120, "uct": "0.001",
                   "cache": "HIT"})
        );
    }

    #[test]
    fn other_trailing_fields_are_numbered() {
        assert_eq!(
            convert(
                r#"1.2.3.4 - - [t] "GET / HTTP/1.1" 200 5 "r" "u" 0.5 0.25 host.example "q" "z""#
            ),
            json!({"remote_addr": "1.2.3.4", "time": "t", "method": "GET", "path": "/",
                   "protocol": "HTTP/1.1", "status": 200, "bytes": 5, "referer": "r",
                   "user_agent": "u", "request_time": 0.5, "extra_5": 0.25,
                   "extra_6": "host.example", "forwarded_for": "q", "extra_8": "z"})
        );
    }

    #[test]
    fn odd_request_lines() {
        let v = convert(r#"1.2.3.4 - - [t] "\x16\x03\x01" 400 0"#);
        assert_eq!(v["request"], json!("\\x16\\x03\\x01"));
        assert_eq!(v.get("method"), None);
        let v = convert(r#"1.2.3.4 - - [t] "-" 408 0"#);
        assert_eq!(v.get("request"), None);
        let v = convert(r#"1.2.3.4 - - [t] "GET /a\"b" 200 0"#);
        assert_eq!((&v["method"], &v["path"]), (&json!("GET"), &json!("/a\"b")));
        assert_eq!(v.get("protocol"), None);
    }

    #[test]
    fn unterminated_trailing_quote() {
        let v = convert(r#"1.2.3.4 - - [t] "GET / HTTP/1.1" 200 5 "ref" "Mozilla (broken"#);
        assert_eq!(v["referer"], json!("ref"));
        assert_eq!(v["extra_3"], json!("\"Mozilla (broken"));
    }

    #[test]
    fn duplicate_extras_keep_the_last() {
        let v = convert(r#"1.2.3.4 - - [t] "GET / HTTP/1.1" 200 5 rt=1 rt=2"#);
        assert_eq!(v["rt"], json!(2));
        assert_eq!(
            text(r#"1.2.3.4 - - [t] "GET / HTTP/1.1" 200 5 rt=1 rt=2"#)
                .matches("\"rt\"")
                .count(),
            1
        );
    }

    #[test]
    fn not_access_logs() {
        crate::parse::converter_tests::assert_rejects(
            sniff,
            to_json,
            &[
                "",
                "hello world",
                "at=info method=GET status=200",
                r#"1.2.3.4 - - [t "GET / HTTP/1.1" 200 5"#,
                r#"1.2.3.4 - - [t] GET / HTTP/1.1 200 5"#,
                r#"1.2.3.4 - - [t] "GET / HTTP/1.1" OK 5"#,
                r#"1.2.3.4 - - [t] "GET / HTTP/1.1"#,
                r#"1.2.3.4 - - [] "GET /" 200"#,
                r#"2026-11-27T18:02:11Z INFO [worker] "x" 200"#,
            ],
        );
    }

    #[test]
    fn invalid_utf8_is_lossy() {
        let mut out = Vec::new();
        assert!(to_json(
            b"1.2.3.4 - - [t] \"GET /\xff HTTP/1.1\" 200 1 \"-\" \"\xfe\"",
            &mut out
        ));
        let v: Value = serde_json::from_slice(&out).unwrap_or_default();
        assert_eq!(v["path"], json!("/\u{fffd}"));
        assert_eq!(v["user_agent"], json!("\u{fffd}"));
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn check(bytes: &[u8]) {
            crate::parse::converter_tests::check_sniff_agrees(sniff, to_json, bytes);
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            #[test]
            fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
                check(&bytes);
            }

            #[test]
            fn never_panics_on_access_like_text(
                s in r#"[0-9.:]{1,5} [a-z\-]{1,3} [a-z\-]{1,3} \[[^\]]{0,8}\] "[A-Z]{0,4} ?[/a-z\\"]{0,6} ?(HTTP/1.1)?" [0-9]{3}( [0-9\-]{1,4})?( ("[^"]{0,5}"?|[a-z=0-9.\-]{1,6})){0,6}"#
            ) {
                check(s.as_bytes());
            }
        }
    }
}
