//! Envoy and Istio access logs in their default text formats.
//!
//! ```text
//! [2026-11-27T18:02:11.123Z] "GET /api/x HTTP/1.1" 503 UF 0 91 812 811 "10.0.0.1" "curl/7.68.0" "req-id" "svc:8080" "10.0.0.2:8080"
//! [2026-11-27T18:02:11.123Z] "GET /api/x HTTP/1.1" 503 UF upstream_reset_before_response_started{connection_failure} - "-" 0 91 812 - "-" "curl/7.68.0" "req-id" "svc:8080" "10.0.0.2:8080" outbound|8080||svc.default.svc.cluster.local - 10.0.0.9:8080 10.0.0.1:41234 - default
//! ```
//!
//! The first is Envoy's default, the second Istio's (three more fields after the response
//! flags, and six after the upstream host; up to Istio 1.5, two quoted fields there). Either becomes one JSON object with,
//! in the line's order and each only when present and not `-`: `time` (`[…]`), `method`,
//! `path`, `protocol` (the request line, as in [`super::access`]), `status`,
//! `response_flags`, (Istio) `response_code_details`, `connection_termination_details`,
//! `upstream_transport_failure_reason`, then `bytes_received`, `bytes_sent`, `duration_ms`
//! (Envoy's `%DURATION%`, in milliseconds), `upstream_service_time_ms`
//! (`x-envoy-upstream-service-time`), `forwarded_for`, `user_agent`, `request_id`,
//! `authority`, `upstream_host`, and (Istio) `upstream_cluster`, `upstream_local_address`,
//! `downstream_local_address`, `downstream_remote_address`, `requested_server_name`,
//! `route_name`. Fields beyond those are `extra_N`. The layout is told apart by the number
//! of bare fields between the response flags and the first quoted one (four in Envoy's,
//! two in Istio's, none in Istio 1.5's, which has `mixer_status` first); any other layout
//! keeps the head and numbers the rest.

use std::borrow::Cow;

use super::access::{extra_name, request, Cursor, Token};
use super::logfmt::{write_object, Member};
use crate::units;

/// From `%BYTES_RECEIVED%` to `%UPSTREAM_HOST%`, then Istio's six more, in every layout.
const MIDDLE_AND_TAIL: [&str; 15] = [
    "bytes_received",
    "bytes_sent",
    "duration_ms",
    "upstream_service_time_ms",
    "forwarded_for",
    "user_agent",
    "request_id",
    "authority",
    "upstream_host",
    "upstream_cluster",
    "upstream_local_address",
    "downstream_local_address",
    "downstream_remote_address",
    "requested_server_name",
    "route_name",
];

/// Istio (1.6 on): three fields between the response flags and the bytes received.
const ISTIO: [&str; 3] = [
    "response_code_details",
    "connection_termination_details",
    "upstream_transport_failure_reason",
];

/// Istio up to 1.5: two quoted fields there.
const ISTIO_MIXER: [&str; 2] = ["mixer_status", "upstream_transport_failure_reason"];

/// The fixed head of an Envoy line: `[time] "request" status flags`.
struct Head<'a> {
    time: &'a [u8],
    req: &'a [u8],
    status: &'a [u8],
    flags: &'a [u8],
    /// Where the fields after the flags start.
    rest: usize,
}

/// The head of `line`, or `None` when it is not shaped so.
fn head(line: &[u8]) -> Option<Head<'_>> {
    if line.first() != Some(&b'[') {
        return None;
    }
    let mut c = Cursor { s: line, i: 0 };
    let time = c.bracketed()?;
    units::parse_timestamp(time)?;
    let Token::Quoted(req) = c.token()? else {
        return None;
    };
    let Token::Bare(status) = c.token()? else {
        return None;
    };
    // Envoy writes 0 when there was no response (a reset before any byte).
    let is_status = status == b"0"
        || (status.len() == 3 && status.iter().all(u8::is_ascii_digit) && status[0] != b'0');
    if !is_status {
        return None;
    }
    let Token::Bare(flags) = c.token()? else {
        return None;
    };
    Some(Head {
        time,
        req,
        status,
        flags,
        rest: c.i,
    })
}

/// Is `line` an Envoy or Istio access-log line (`[time] "request" status flags …`)? Reads
/// only its first four fields.
pub fn sniff(line: &[u8]) -> bool {
    head(line).is_some()
}

/// Convert one Envoy or Istio line into a JSON object in `out` (cleared first). Returns
/// false (with `out` in any state) when the line is not one. Never panics; linear in the
/// line.
pub fn to_json(line: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let Some(Head {
        time,
        req,
        status,
        flags,
        rest,
    }) = head(line)
    else {
        return false;
    };
    let mut c = Cursor { s: line, i: rest };
    let tokens: Vec<Token<'_>> = std::iter::from_fn(|| c.token()).collect();
    let bare_before_quote = tokens
        .iter()
        .take_while(|t| matches!(t, Token::Bare(_)))
        .count();
    let lead: &[&str] = match (bare_before_quote, tokens.get(1)) {
        (4, _) => &[],
        (2, _) => &ISTIO,
        (0, Some(Token::Quoted(_))) => &ISTIO_MIXER,
        _ => &[""],
    };
    let name = |i: usize| match i.checked_sub(lead.len()) {
        _ if lead == [""] => None,
        None => lead.get(i).copied(),
        Some(j) => MIDDLE_AND_TAIL.get(j).copied(),
    };
    let mut members: Vec<Member<'_>> = Vec::with_capacity(32);
    members.push(Member {
        key: Cow::Borrowed(b"time"),
        val: super::logfmt::Val::Str(time),
    });
    request(req, &mut members);
    for (key, tok) in [
        (&b"status"[..], Token::Bare(status)),
        (b"response_flags", Token::Bare(flags)),
    ] {
        if let Some(val) = tok.val() {
            members.push(Member {
                key: Cow::Borrowed(key),
                val,
            });
        }
    }
    for (i, tok) in tokens.into_iter().enumerate() {
        let Some(val) = tok.val() else {
            continue;
        };
        let key = match name(i) {
            Some(n) => Cow::Borrowed(n.as_bytes()),
            // After the status (1) and the flags (2).
            None => extra_name(i + 3),
        };
        members.push(Member { key, val });
    }
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

    #[test]
    fn envoy_default_format() {
        assert_eq!(
            convert(
                r#"[2026-11-27T18:02:11.123Z] "GET /api/x HTTP/1.1" 503 UF 0 1234 812 811 "10.0.0.1" "curl/7.68.0" "req-id" "svc" "10.0.0.2:8080""#
            ),
            json!({"time": "2026-11-27T18:02:11.123Z", "method": "GET", "path": "/api/x",
                   "protocol": "HTTP/1.1", "status": 503, "response_flags": "UF",
                   "bytes_received": 0, "bytes_sent": 1234, "duration_ms": 812,
                   "upstream_service_time_ms": 811, "forwarded_for": "10.0.0.1",
                   "user_agent": "curl/7.68.0", "request_id": "req-id", "authority": "svc",
                   "upstream_host": "10.0.0.2:8080"})
        );
        // No upstream time, flags or forwarded-for: `-`, left out.
        let v = convert(
            r#"[2026-11-27T18:02:11.123Z] "POST /x HTTP/2" 200 - 10 20 5 - "-" "ua" "id" "svc" "-""#,
        );
        assert_eq!(v.get("response_flags"), None);
        assert_eq!(v.get("upstream_service_time_ms"), None);
        assert_eq!(v["duration_ms"], json!(5));
    }

    #[test]
    fn istio_formats() {
        let v = convert(
            r#"[2026-11-27T18:02:11.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 "-" "curl/7.73.0-DEV" "84961386-6d84-929d-98bd-c5aee93b5c88" "httpbin:8000" "10.44.1.27:80" outbound|8000||httpbin.foo.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:46520 - default"#,
        );
        assert_eq!(v["response_code_details"], json!("via_upstream"));
        assert_eq!(v["duration_ms"], json!(4));
        assert_eq!(v["upstream_host"], json!("10.44.1.27:80"));
        assert_eq!(
            v["upstream_cluster"],
            json!("outbound|8000||httpbin.foo.svc.cluster.local")
        );
        assert_eq!(v["route_name"], json!("default"));
        let v = convert(
            r#"[2026-11-27T18:02:11.409Z] "GET /x HTTP/1.1" 503 UF "-" "connection failure" 0 91 30 - "-" "curl" "id" "svc" "10.0.0.3:80" outbound|80||svc - 10.0.0.9:80 10.0.0.1:5 - default"#,
        );
        assert_eq!(
            v["upstream_transport_failure_reason"],
            json!("connection failure")
        );
        assert_eq!(v["duration_ms"], json!(30));
        assert_eq!(v["downstream_local_address"], json!("10.0.0.9:80"));
    }

    #[test]
    fn unknown_layouts_keep_the_head() {
        let v = convert(r#"[2026-11-27T18:02:11Z] "GET /x HTTP/1.1" 200 - 1 2 3 "a""#);
        assert_eq!(v["status"], json!(200));
        assert_eq!(v["extra_3"], json!(1));
        assert_eq!(v["extra_6"], json!("a"));
        assert_eq!(v.get("duration_ms"), None);
    }

    #[test]
    fn not_envoy_lines() {
        crate::parse::converter_tests::assert_rejects(
            sniff,
            to_json,
            &[
                "",
                "[INFO] starting",
                r#"[2026-11-27T18:02:11Z] INFO "x" 200"#,
                r#"[yesterday] "GET / HTTP/1.1" 200 - 0 0 1 1"#,
                r#"[2026-11-27T18:02:11Z] "GET / HTTP/1.1" 2000 - 0 0 1 1"#,
                r#"[2026-11-27T18:02:11Z] "GET / HTTP/1.1" 200"#,
                r#"[2026-11-27T18:02:11Z] "GET / HTTP/1.1" 200 "-""#,
                r#"[2026-11-27T18:02:11Z] INFO {"a": 1}"#,
            ],
        );
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn check(bytes: &[u8]) {
            crate::parse::converter_tests::check_sniff_agrees(sniff, to_json, bytes);
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1000))]
            #[test]
            fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
                check(&bytes);
            }

            #[test]
            fn never_panics_on_envoy_like_text(
                s in r#"\[2026-11-27T18:02:11Z\] "[A-Z]{0,4} ?[/a-z\\"]{0,6} ?(HTTP/1.1)?"? [0-9]{1,3} [A-Z\-]{1,2}( ("[^"]{0,5}"?|[a-z|:0-9.\-]{1,6})){0,24}"#
            ) {
                check(s.as_bytes());
            }
        }
    }
}
