//! Redaction of log text before it leaves the page in a share link or a download.
//!
//! [`redact`] replaces, in one left-to-right pass:
//!
//! | what | example | becomes |
//! | --- | --- | --- |
//! | email addresses | `ana.lima+ops@example.co.uk` | `[email]` |
//! | IPv4 and IPv6 addresses (a port is kept) | `10.2.0.17:8443`, `2001:db8::1` | `[ip]:8443`, `[ip]` |
//! | the value of a secret-looking key (`password`, `secret`, `api_key`, `x-api-key`, `client_secret`, `private_key`, `credentials` …) | `api_key=sk_live_9f…` | `api_key=[secret]` |
//! | the value of a token-looking key (`token`, `access_token`, `authorization`, `auth`, `cookie`, `session_id`) | `"token": "abc"` | `"token": "[token]"` |
//! | bearer/basic credentials | `Authorization: Bearer abc.def` | `Authorization: Bearer [token]` |
//! | JSON web tokens | `eyJhbGciOi….eyJzdWIi….sig` | `[token]` |
//! | AWS access key ids | `AKIAIOSFODNN7EXAMPLE` | `[secret]` |
//! | long hex runs (≥ 24 digits) | `9f86d081884c7d659a2feaa0c55ad015` | `[hex]` |
//! | long base64-like runs (≥ 32 characters, with upper case, lower case and digits) | `dGhpcyBpcyBhIHNlY3JldCB0b2tlbjEyMzQ1Njc4OQ` | `[token]` |
//!
//! Everything else is kept verbatim, so an evidence line still shows its latency, status and
//! version. Key names are matched by suffix at a word boundary (`db_password`, `accessToken`,
//! `X-Api-Key`), not inside a word (`tokenizer`, `oauth_provider` and `max_tokens` are kept);
//! a numeric, `null`, `true` or `false` value of a token-looking key is kept (`"tokens": 812`
//! is a count, not a credential).
//!
//! The scanner is hand-written (no regex): every rule starts only where a maximal run of its
//! own character class starts, and checks that run once, so the work is linear in the length
//! of the text. Matches begin and end on ASCII bytes, so slicing never splits a UTF-8
//! character, and nothing in here panics.
//!
//! [`redact_summary`] applies it to every log-derived string of a [`Summary`].

use crate::summary::Summary;
use std::collections::BTreeMap;

/// Replaces emails, IP addresses, tokens, secrets and long hex/base64 runs in `text` with
/// `[email]`, `[ip]`, `[token]`, `[secret]` and `[hex]` (see the module docs).
pub fn redact(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    // Start of the bytes not yet copied to `out`.
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if !c.is_ascii() {
            i += 1;
            continue;
        }
        if let Some((end, rep)) = rule_at(b, i) {
            out.push_str(&text[copied..rep.start]);
            out.push_str(rep.marker);
            copied = end;
            i = end;
            continue;
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// A replacement: bytes `start..end` (end returned separately) become `marker`.
struct Rep {
    start: usize,
    marker: &'static str,
}

fn prev(b: &[u8], i: usize) -> Option<u8> {
    i.checked_sub(1).and_then(|p| b.get(p).copied())
}

fn run_end(b: &[u8], mut i: usize, class: impl Fn(u8) -> bool) -> usize {
    while i < b.len() && class(b[i]) {
        i += 1;
    }
    i
}

fn is_key_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}
/// Local part of an email; non-ASCII bytes too (`zoë@…`), though a match only starts on an
/// ASCII byte.
fn is_local_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c >= 0x80 || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
}
fn is_domain_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-')
}
/// Base64 (standard and URL-safe) without the `=` padding, which only ends a run.
fn is_b64_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'_' | b'-')
}
fn is_jwt_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}
fn is_ip6_char(c: u8) -> bool {
    c.is_ascii_hexdigit() || matches!(c, b':' | b'.')
}
fn is_cred_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'~' | b'+' | b'/' | b'=' | b'-')
}

/// The first rule that matches at `i`, as (end, replacement).
fn rule_at(b: &[u8], i: usize) -> Option<(usize, Rep)> {
    let p = prev(b, i);
    let c = b[i];
    // Key = value: the key's run starts here.
    if is_key_char(c) && !p.is_some_and(is_key_char) {
        if let Some(r) = key_value(b, i) {
            return Some(r);
        }
        if let Some(r) = scheme_credential(b, i) {
            return Some(r);
        }
    }
    if c == b'e' && !p.is_some_and(is_jwt_char) && b[i..].starts_with(b"eyJ") {
        let end = run_end(b, i, is_jwt_char);
        let dots = b[i..end].iter().filter(|&&c| c == b'.').count();
        if dots >= 2 && end - i >= 16 {
            return Some((
                end,
                Rep {
                    start: i,
                    marker: "[token]",
                },
            ));
        }
    }
    if is_local_char(c) && !p.is_some_and(is_local_char) {
        if let Some(r) = email(b, i) {
            return Some(r);
        }
    }
    if c.is_ascii_digit() && !p.is_some_and(|p| p.is_ascii_alphanumeric() || p == b'.') {
        if let Some(end) = ipv4(b, i) {
            return Some((
                end,
                Rep {
                    start: i,
                    marker: "[ip]",
                },
            ));
        }
    }
    if is_ip6_char(c) && !p.is_some_and(|p| p.is_ascii_alphanumeric() || p == b':' || p == b'.') {
        if let Some(end) = ipv6(b, i) {
            return Some((
                end,
                Rep {
                    start: i,
                    marker: "[ip]",
                },
            ));
        }
    }
    if c.is_ascii_alphanumeric() && !p.is_some_and(|p| p.is_ascii_alphanumeric()) {
        let end = run_end(b, i, |c| c.is_ascii_alphanumeric());
        let w = &b[i..end];
        if w.len() == 20
            && (w.starts_with(b"AKIA") || w.starts_with(b"ASIA"))
            && w.iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            return Some((
                end,
                Rep {
                    start: i,
                    marker: "[secret]",
                },
            ));
        }
    }
    if is_b64_char(c) && !p.is_some_and(is_b64_char) {
        let mut end = run_end(b, i, is_b64_char);
        if is_base64ish(&b[i..end]) {
            let pad = run_end(b, end, |c| c == b'=');
            if pad - end <= 2 {
                end = pad;
            }
            return Some((
                end,
                Rep {
                    start: i,
                    marker: "[token]",
                },
            ));
        }
    }
    if c.is_ascii_hexdigit() && !p.is_some_and(|p| p.is_ascii_hexdigit()) {
        let end = run_end(b, i, |c| c.is_ascii_hexdigit());
        let next_is_word = b.get(end).is_some_and(|c| c.is_ascii_alphanumeric());
        if end - i >= 24 && !next_is_word {
            return Some((
                end,
                Rep {
                    start: i,
                    marker: "[hex]",
                },
            ));
        }
    }
    None
}

/// Key suffixes whose value is a secret, and those whose value is a token.
const SECRET_KEYS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "secret_key",
    "secretkey",
    "secret-key",
    "private_key",
    "privatekey",
    "private-key",
    "access_key",
    "accesskey",
    "api_key",
    "apikey",
    "api-key",
    "credential",
    "credentials",
    "signature",
];
const TOKEN_KEYS: &[&str] = &[
    "token",
    "authorization",
    "auth",
    "cookie",
    "set-cookie",
    "session_id",
    "sessionid",
    "session-id",
];

/// Whether `key` ends with `suffix` at a word boundary: the whole key, after `_`/`-`/`.`/a
/// digit, or where a camelCase word starts (`accessToken`).
fn ends_with_word(key: &[u8], suffix: &str) -> bool {
    let s = suffix.as_bytes();
    if key.len() < s.len() || !key[key.len() - s.len()..].eq_ignore_ascii_case(s) {
        return false;
    }
    let at = key.len() - s.len();
    if at == 0 {
        return true;
    }
    let before = key[at - 1];
    !before.is_ascii_alphabetic() || (before.is_ascii_lowercase() && key[at].is_ascii_uppercase())
}

fn key_kind(key: &[u8]) -> Option<&'static str> {
    if SECRET_KEYS.iter().any(|s| ends_with_word(key, s)) {
        Some("[secret]")
    } else if TOKEN_KEYS.iter().any(|s| ends_with_word(key, s)) {
        Some("[token]")
    } else {
        None
    }
}

const SCHEMES: &[&str] = &["bearer", "basic", "digest", "negotiate", "token"];

/// `Bearer abc…` at `i` (a scheme word, one space, a credential of ≥ 8 characters).
fn scheme_credential(b: &[u8], i: usize) -> Option<(usize, Rep)> {
    let w_end = run_end(b, i, |c| c.is_ascii_alphabetic());
    let w = &b[i..w_end];
    if !SCHEMES[..2]
        .iter()
        .any(|s| w.eq_ignore_ascii_case(s.as_bytes()))
    {
        return None;
    }
    if b.get(w_end) != Some(&b' ') {
        return None;
    }
    let start = w_end + 1;
    let end = run_end(b, start, is_cred_char);
    (end - start >= 8).then_some((
        end,
        Rep {
            start,
            marker: "[token]",
        },
    ))
}

/// `key = value`, `"key": "value"`, `key: value` with a secret-looking key starting at `i`.
fn key_value(b: &[u8], i: usize) -> Option<(usize, Rep)> {
    let key_end = run_end(b, i, is_key_char);
    let marker = key_kind(&b[i..key_end])?;
    let mut j = key_end;
    // A closing quote of the key (possibly escaped), spaces, one separator, spaces.
    if b.get(j) == Some(&b'\\') && matches!(b.get(j + 1), Some(b'"')) {
        j += 2;
    } else if matches!(b.get(j), Some(b'"' | b'\'')) {
        j += 1;
    }
    j = run_end(b, j, |c| c == b' ' || c == b'\t');
    if !matches!(b.get(j), Some(b':' | b'=')) {
        return None;
    }
    j += 1;
    if matches!(b.get(j), Some(b'=' | b'/')) {
        return None; // `==`, `://`: not an assignment.
    }
    j = run_end(b, j, |c| c == b' ' || c == b'\t');
    // The value: quoted (with backslash escapes), or bare up to a delimiter.
    let (start, end) = match b.get(j) {
        Some(b'\\') if b.get(j + 1) == Some(&b'"') => {
            let start = j + 2;
            let mut k = start;
            while k < b.len() && !(b[k] == b'\\' && b.get(k + 1) == Some(&b'"')) {
                k += 1;
            }
            (start, k)
        }
        Some(&q @ (b'"' | b'\'')) => {
            let start = j + 1;
            let mut k = start;
            while k < b.len() && b[k] != q {
                k += if b[k] == b'\\' { 2 } else { 1 };
            }
            (start, k.min(b.len()))
        }
        Some(_) => {
            let end = run_end(b, j, |c| {
                !(c.is_ascii_whitespace() || matches!(c, b',' | b';' | b'&' | b'}' | b']' | b'"'))
            });
            (j, end)
        }
        None => return None,
    };
    let value = &b[start..end];
    if value.is_empty() || is_plain_literal(value, marker) {
        return None;
    }
    // Keep an authentication scheme word: `Bearer [token]`.
    let w_end = run_end(b, start, |c| c.is_ascii_alphabetic());
    let is_scheme = SCHEMES
        .iter()
        .any(|s| b[start..w_end].eq_ignore_ascii_case(s.as_bytes()));
    if is_scheme && b.get(w_end) == Some(&b' ') {
        let cred = w_end + 1;
        let cred_end = if end > w_end {
            end
        } else {
            run_end(b, cred, is_cred_char)
        };
        if cred_end > cred {
            return Some((
                cred_end,
                Rep {
                    start: cred,
                    marker: "[token]",
                },
            ));
        }
    }
    Some((end, Rep { start, marker }))
}

/// `null`, `true`, `false`, `-`, and numbers (for token-looking keys only: a password of
/// digits is still a password).
fn is_plain_literal(v: &[u8], marker: &str) -> bool {
    let lits: [&[u8]; 5] = [b"null", b"true", b"false", b"none", b"-"];
    if lits.iter().any(|l| v.eq_ignore_ascii_case(l)) {
        return true;
    }
    marker == "[token]"
        && v.iter()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E'))
        && v.iter().any(|c| c.is_ascii_digit())
}

/// `local@domain.tld` with the local part starting at `i`.
fn email(b: &[u8], i: usize) -> Option<(usize, Rep)> {
    let at = run_end(b, i, is_local_char);
    if at == i || b.get(at) != Some(&b'@') {
        return None;
    }
    let mut end = run_end(b, at + 1, is_domain_char);
    while end > at + 1 && matches!(b[end - 1], b'.' | b'-') {
        end -= 1;
    }
    let domain = &b[at + 1..end];
    let dot = domain.iter().rposition(|&c| c == b'.')?;
    let tld = &domain[dot + 1..];
    if dot == 0 || tld.len() < 2 || !tld.iter().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    Some((
        end,
        Rep {
            start: i,
            marker: "[email]",
        },
    ))
}

/// A dotted IPv4 address starting at `i`: its end (a `:port` after it is kept).
fn ipv4(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    for part in 0..4 {
        let d_end = run_end(b, j, |c| c.is_ascii_digit());
        let digits = &b[j..d_end];
        if digits.is_empty() || digits.len() > 3 {
            return None;
        }
        let v: u32 = digits.iter().fold(0, |a, &c| a * 10 + u32::from(c - b'0'));
        if v > 255 {
            return None;
        }
        j = d_end;
        if part < 3 {
            if b.get(j) != Some(&b'.') {
                return None;
            }
            j += 1;
        }
    }
    // Not part of a longer dotted number or word (`1.2.3.4.5`, `1.2.3.4a`).
    let next = b.get(j).copied();
    let after = b.get(j + 1).copied();
    if next.is_some_and(|c| c.is_ascii_alphanumeric())
        || (next == Some(b'.') && after.is_some_and(|c| c.is_ascii_digit()))
    {
        return None;
    }
    Some(j)
}

/// An IPv6 address (8 groups, or fewer with one `::`) starting at `i`: its end.
fn ipv6(b: &[u8], i: usize) -> Option<usize> {
    let mut end = run_end(b, i, is_ip6_char);
    while end > i && b[end - 1] == b'.' {
        end -= 1;
    }
    if b.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let s = &b[i..end];
    let colons = s.iter().filter(|&&c| c == b':').count();
    if !(2..=7).contains(&colons) {
        return None;
    }
    let double = s.windows(2).filter(|w| w == b"::").count();
    if double > 1 || s.windows(3).any(|w| w == b":::") {
        return None;
    }
    let mut groups = 0;
    let mut has_digit = false;
    let parts: Vec<&[u8]> = s.split(|&c| c == b':').collect();
    let last = parts.len() - 1;
    for (k, part) in parts.iter().enumerate() {
        if part.is_empty() {
            continue;
        }
        if part.contains(&b'.') {
            // An embedded IPv4 (`::ffff:10.0.0.1`) ends the address.
            if k != last || ipv4(part, 0) != Some(part.len()) {
                return None;
            }
            groups += 2;
            has_digit = true;
            continue;
        }
        if part.len() > 4 {
            return None;
        }
        has_digit |= part.iter().any(|c| c.is_ascii_digit());
        groups += 1;
    }
    let ok = if double == 1 {
        groups <= 7
    } else {
        groups == 8
    };
    (ok && has_digit).then_some(end)
}

/// A base64-like run: ≥ 32 characters, with a stretch of ≥ 20 letters and digits (between
/// `/`, `+`, `_`, `-`) that mixes upper case, lower case and at least 2 digits. Paths
/// (`/api/v1/customers/…`) and kebab-case names have short stretches and stay.
fn is_base64ish(run: &[u8]) -> bool {
    if run.len() < 32 {
        return false;
    }
    run.split(|&c| matches!(c, b'/' | b'+' | b'_' | b'-'))
        .any(|seg| {
            let digits = seg.iter().filter(|c| c.is_ascii_digit()).count();
            seg.len() >= 20
                && digits >= 2
                && seg.iter().filter(|c| c.is_ascii_uppercase()).count() >= 2
                && seg.iter().filter(|c| c.is_ascii_lowercase()).count() >= 2
        })
}

/// `s` with every log-derived string redacted: evidence and example lines through
/// [`redact`], and values that carry personal data (a group key, a dimension value, a status
/// value, a finding's value that is or contains an email, an IP address, a token …) replaced
/// consistently everywhere they appear (keys stay distinct: `[email]`, `[email] (2)`, …),
/// including the finding sentences.
pub fn redact_summary(s: &Summary) -> Summary {
    let mut s = s.clone();
    for e in &mut s.input.examples {
        e.text = redact(&e.text);
    }
    for g in &mut s.groups {
        for e in &mut g.evidence {
            e.text = redact(&e.text);
        }
    }
    // Values that need replacing, in the order first seen, and their replacements.
    let mut values: Vec<&str> = Vec::new();
    values.extend(s.groups.iter().map(|g| g.key.as_str()));
    for g in &s.groups {
        values.extend(g.status_counts.keys().map(String::as_str));
    }
    for d in &s.dimensions {
        values.extend(d.values.iter().map(|v| v.value.as_str()));
    }
    for f in &s.findings {
        values.push(f.value.as_str());
        values.extend(f.symptoms.iter().map(|x| x.value.as_str()));
    }
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    let mut used: BTreeMap<String, usize> = BTreeMap::new();
    for v in values {
        if map.contains_key(v) {
            continue;
        }
        let r = redact(v);
        if r == v {
            continue;
        }
        let n = used.entry(r.clone()).or_insert(0);
        *n += 1;
        let r = if *n == 1 { r } else { format!("{r} ({n})") };
        map.insert(v.to_string(), r);
    }
    let value = |v: &mut String| {
        if let Some(r) = map.get(v.as_str()) {
            *v = r.clone();
        }
    };
    // Longest first, so a value that contains another is replaced whole.
    let mut by_len: Vec<(&String, &String)> = map.iter().collect();
    by_len.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
    let text = |t: &mut String| {
        let mut x = t.clone();
        for (from, to) in &by_len {
            if !from.is_empty() && x.contains(from.as_str()) {
                x = x.replace(from.as_str(), to);
            }
        }
        *t = redact(&x);
    };

    let mut s2 = s;
    let s = &mut s2;
    for g in &mut s.groups {
        value(&mut g.key);
        g.status_counts = std::mem::take(&mut g.status_counts)
            .into_iter()
            .map(|(mut k, v)| {
                value(&mut k);
                (k, v)
            })
            .collect();
    }
    for ser in &mut s.timeline.series {
        value(&mut ser.group);
    }
    for d in &mut s.dimensions {
        for v in &mut d.values {
            value(&mut v.value);
        }
    }
    if let Some(b) = s.baseline.as_mut() {
        value(b);
    }
    for w in &mut s.warnings {
        text(w);
    }
    for f in &mut s.findings {
        value(&mut f.value);
        if let Some(b) = f.baseline.as_mut() {
            value(b);
        }
        text(&mut f.compared_with);
        for x in &mut f.symptoms {
            value(&mut x.value);
        }
        for a in &mut f.aliases {
            text(a);
        }
        text(&mut f.summary);
    }
    for c in &mut s.comparisons {
        value(&mut c.group);
        value(&mut c.baseline);
        if let Some(e) = c.explained_by.as_mut() {
            text(e);
        }
    }
    s2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        redact(s)
    }

    #[test]
    fn emails() {
        assert_eq!(
            r(r#"{"user":"ana.lima+ops@example.co.uk","status":"OK","responseTimeMs":120}"#),
            r#"{"user":"[email]","status":"OK","responseTimeMs":120}"#
        );
        assert_eq!(r("mail to bob@x.io."), "mail to [email].");
        assert_eq!(r("user=first-last@corp.example.com ok"), "user=[email] ok");
        // Not emails.
        assert_eq!(
            r("pkg@1.2.3 and @handle and a@b"),
            "pkg@1.2.3 and @handle and a@b"
        );
    }

    #[test]
    fn ip_addresses() {
        assert_eq!(
            r("10.2.0.17 - - [27/Nov/2026:18:02:11 +0000] \"GET /v1/score HTTP/1.1\" 200 512 0.120"),
            "[ip] - - [27/Nov/2026:18:02:11 +0000] \"GET /v1/score HTTP/1.1\" 200 512 0.120"
        );
        assert_eq!(
            r("upstream=192.168.1.20:8443 took 81ms"),
            "upstream=[ip]:8443 took 81ms"
        );
        assert_eq!(r("from 8.8.8.8."), "from [ip].");
        // Versions, out-of-range octets, longer dotted numbers and words stay.
        assert_eq!(
            r("v1.2.3.4 999.1.1.1 1.2.3.4.5 1.2.3"),
            "v1.2.3.4 999.1.1.1 1.2.3.4.5 1.2.3"
        );
        assert_eq!(r("client 2001:db8::8a2e:370:7334 ok"), "client [ip] ok");
        assert_eq!(r("peer=[fe80::1ff:fe23:4567:890a]:443"), "peer=[[ip]]:443");
        assert_eq!(r("::1 and ::ffff:10.0.0.1"), "[ip] and [ip]");
        assert_eq!(r("2001:0db8:85a3:0000:0000:8a2e:0370:7334"), "[ip]");
        // Times, MAC addresses and Rust paths stay.
        assert_eq!(
            r("at 18:02:11.123 mac 00:1a:2b:3c:4d:5e"),
            "at 18:02:11.123 mac 00:1a:2b:3c:4d:5e"
        );
        assert_eq!(r("in std::io::Error"), "in std::io::Error");
        assert_eq!(
            r(r#"{"ts":"2026-11-27T17:45:02.271Z","responseTimeMs":820}"#),
            r#"{"ts":"2026-11-27T17:45:02.271Z","responseTimeMs":820}"#
        );
    }

    #[test]
    fn keys_with_secrets() {
        assert_eq!(
            r(r#"{"password": "hunter2", "status":"OK"}"#),
            r#"{"password": "[secret]", "status":"OK"}"#
        );
        assert_eq!(
            r("GET /v1/score?api_key=sk_live_51Habc&tenant=acme 200"),
            "GET /v1/score?api_key=[secret]&tenant=acme 200"
        );
        assert_eq!(
            r("db_password=p4ss level=info"),
            "db_password=[secret] level=info"
        );
        assert_eq!(r(r#"X-Api-Key: abc123def"#), "X-Api-Key: [secret]");
        assert_eq!(
            r(r#"{"clientSecret":"s3cr3t"}"#),
            r#"{"clientSecret":"[secret]"}"#
        );
        assert_eq!(
            r(r#"{"accessToken":"opaque-value","token": "x y z"}"#),
            r#"{"accessToken":"[token]","token": "[token]"}"#
        );
        assert_eq!(r("session_id=8c1f2a user=7"), "session_id=[token] user=7");
        assert_eq!(
            r("pin: 1234 password: 1234"),
            "pin: 1234 password: [secret]"
        );
        // Counts and words that merely contain a keyword stay.
        assert_eq!(
            r(
                r#"{"prompt_tokens": 812, "tokenizer":"bpe", "token": 5, "oauth":"google", "token": null}"#
            ),
            r#"{"prompt_tokens": 812, "tokenizer":"bpe", "token": 5, "oauth":"google", "token": null}"#
        );
        // Escaped JSON inside a string.
        assert_eq!(
            r(r#"{"body":"{\"password\":\"hunter2\",\"ok\":true}"}"#),
            r#"{"body":"{\"password\":\"[secret]\",\"ok\":true}"}"#
        );
        // URLs are not assignments.
        assert_eq!(r("token://host/path"), "token://host/path");
    }

    #[test]
    fn bearer_and_authorization() {
        assert_eq!(
            r("Authorization: Bearer abcdefgh.ijklmnop-qrs status=401"),
            "Authorization: Bearer [token] status=401"
        );
        assert_eq!(
            r(r#"{"headers":{"authorization":"Basic dXNlcjpwYXNzd29yZA=="},"ms":12}"#),
            r#"{"headers":{"authorization":"Basic [token]"},"ms":12}"#
        );
        assert_eq!(r("sent bearer 0123456789abcdefXYZ"), "sent bearer [token]");
        assert_eq!(r("the bearer of bad news"), "the bearer of bad news");
    }

    #[test]
    fn jwt_aws_hex_base64() {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        assert_eq!(r(&format!("jwt={jwt} ok")), "jwt=[token] ok");
        assert_eq!(r(&format!("\"{jwt}\"")), "\"[token]\"");
        assert_eq!(r("key AKIAIOSFODNN7EXAMPLE used"), "key [secret] used");
        assert_eq!(
            r("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 done"),
            "sha256:[hex] done"
        );
        assert_eq!(
            r("trace 0x4bf92f3577b34da6a3ce929d0e0e4736"),
            "trace 0x[hex]"
        );
        assert_eq!(
            r("sig=dGhpcyBpcyBhIHNlY3JldCB0b2tlbjEyMzQ1Njc4OQ== ok"),
            "sig=[token] ok"
        );
        // Request ids, UUIDs, paths and kebab-case names stay.
        let keep = r#"{"requestId":"2f3fe6ac","trace":"550e8400-e29b-41d4-a716-446655440000","path":"/api/v1/customers/12345/orders/67890/items","tenant":"northwind-credit-union-production"}"#;
        assert_eq!(r(keep), keep);
    }

    #[test]
    fn keeps_the_evidence() {
        let line = r#"{responseTimeMs": 820, "status": "Timeout", "modelVersion": "v1.3", "user": "jo@example.com", "ip": "10.0.0.7"}"#;
        assert_eq!(
            r(line),
            r#"{responseTimeMs": 820, "status": "Timeout", "modelVersion": "v1.3", "user": "[email]", "ip": "[ip]"}"#
        );
        let logfmt = "at=info method=GET path=/v1/score host=api.example.com fwd=\"203.0.113.9\" dyno=web.1 service=812ms status=503 bytes=0";
        assert_eq!(
            r(logfmt),
            "at=info method=GET path=/v1/score host=api.example.com fwd=\"[ip]\" dyno=web.1 service=812ms status=503 bytes=0"
        );
    }

    #[test]
    fn utf8_and_edges_never_panic() {
        for s in [
            "",
            "@",
            "a@",
            "@b.c",
            "password=",
            "password",
            "token:",
            "\"token\": \"",
            "\"token\": \"abc\\",
            "Bearer",
            "Bearer ",
            "::",
            ":::",
            "1.2.3.",
            "255.255.255.255",
            "eyJ",
            "é@ü.de ñ 10.0.0.1 ü",
            "zoë@example.com",
            "日本語 token=秘密 ok",
        ] {
            let _ = r(s);
        }
        assert_eq!(r("café 10.0.0.1 ü"), "café [ip] ü");
        assert_eq!(r("token=秘密 ok"), "token=[token] ok");
        assert_eq!(r("mail zoë@example.com"), "mail [email]");
    }

    #[test]
    fn linear_on_long_runs() {
        let long = "a-".repeat(200_000);
        let t = std::time::Instant::now();
        assert_eq!(r(&long).len(), long.len());
        let ip = "1.".repeat(200_000);
        let _ = r(&ip);
        let colons = "a:".repeat(200_000);
        let _ = r(&colons);
        let keys = "token".repeat(100_000);
        let _ = r(&keys);
        assert!(t.elapsed().as_secs() < 5);
    }

    #[test]
    fn summary_values_are_replaced_consistently() {
        use crate::summary::*;
        let mut s = Summary::default();
        s.fields.group = Some("user".into());
        for key in ["a@x.com", "b@x.com", "v1.2"] {
            s.groups.push(GroupSummary {
                key: key.into(),
                count: 1,
                evidence: vec![Evidence {
                    text: format!("{{\"user\":\"{key}\",\"ip\":\"10.1.1.1\"}}"),
                    ..Default::default()
                }],
                ..Default::default()
            });
            s.timeline.series.push(TimelineSeries {
                group: key.into(),
                points: vec![],
            });
        }
        s.baseline = Some("a@x.com".into());
        s.findings.push(Finding {
            field: "user".into(),
            value: "b@x.com".into(),
            baseline: Some("a@x.com".into()),
            compared_with: "a@x.com".into(),
            summary: "user=b@x.com is 7.6× slower than a@x.com".into(),
            ..Default::default()
        });
        let r = redact_summary(&s);
        let keys: Vec<&str> = r.groups.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, ["[email]", "[email] (2)", "v1.2"]);
        assert_eq!(r.timeline.series[1].group, "[email] (2)");
        assert_eq!(r.baseline.as_deref(), Some("[email]"));
        assert_eq!(r.findings[0].value, "[email] (2)");
        assert_eq!(
            r.findings[0].summary,
            "user=[email] (2) is 7.6× slower than [email]"
        );
        assert_eq!(
            r.groups[2].evidence[0].text,
            "{\"user\":\"v1.2\",\"ip\":\"[ip]\"}"
        );
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("@x.com") && !json.contains("10.1.1.1"));
    }
}
