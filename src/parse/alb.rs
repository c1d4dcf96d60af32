//! AWS load balancer access logs: Application Load Balancer (ALB) and Classic (CLB/ELB).
//!
//! ```text
//! https 2026-11-27T18:02:11.123456Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.812 0.000 503 503 34 366 "GET https://api.example.com:443/api/x HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:…:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "api.example.com" "arn:aws:acm:…" 0 2026-11-27T18:02:10.311000Z "forward" "-" "-" "10.0.0.1:80" "503" "-" "-"
//! ```
//!
//! becomes one JSON object whose keys are AWS's field names, in the line's order, each only
//! when present and not `-`: `type`, `time`, `elb`, `client` and `target` (`ip:port`),
//! `request_processing_time`, `target_processing_time`, `response_processing_time`
//! (seconds; `-1` when the load balancer could not reach a target), `elb_status_code`,
//! `target_status_code`, `received_bytes`, `sent_bytes`, the request line split as in
//! [`super::access`] (`method`, `path` (here a URL), `protocol`), `user_agent`, `ssl_cipher`,
//! `ssl_protocol`, `target_group_arn`, `trace_id`, `domain_name`, `chosen_cert_arn`,
//! `matched_rule_priority`, `request_creation_time`, `actions_executed`, `redirect_url`,
//! `error_reason`, `target_port_list`, `target_status_code_list`, `classification`,
//! `classification_reason`, `conn_trace_id`; fields AWS may add later are `extra_N`.
//!
//! One key is computed: `request_time`, the three processing times added up (what the load
//! balancer measured from the first byte of the request to the last byte of the response),
//! written before them, only when none of them is `-1`. Its name gives its unit (seconds,
//! as nginx's `$request_time`) and makes it the latency chosen.
//!
//! A Classic Load Balancer line has no `type` and starts with the time; its fields are read
//! with the same names (`target` for the backend).

use std::borrow::Cow;

use super::access::{extra_name, request, Cursor, Token};
use super::logfmt::{write_object, Member, Val};
use crate::units;

/// The connection types an ALB line starts with.
const TYPES: [&[u8]; 6] = [b"http", b"https", b"h2", b"grpcs", b"ws", b"wss"];

/// Field names after `type` (ALB) or from the start (CLB), in the line's order.
const NAMES: [&str; 29] = [
    "time",
    "elb",
    "client",
    "target",
    "request_processing_time",
    "target_processing_time",
    "response_processing_time",
    "elb_status_code",
    "target_status_code",
    "received_bytes",
    "sent_bytes",
    "request",
    "user_agent",
    "ssl_cipher",
    "ssl_protocol",
    "target_group_arn",
    "trace_id",
    "domain_name",
    "chosen_cert_arn",
    "matched_rule_priority",
    "request_creation_time",
    "actions_executed",
    "redirect_url",
    "error_reason",
    "target_port_list",
    "target_status_code_list",
    "classification",
    "classification_reason",
    "conn_trace_id",
];

/// The first 12 fields (after `type`), checked: time, load balancer, client `ip:port`,
/// target `ip:port` or `-`, three numbers, the load balancer's status code, the target's
/// status code or `-`, two byte counts, and the quoted request line.
struct Head<'a> {
    /// `type`, when an ALB line.
    kind: Option<&'a [u8]>,
    fields: [Token<'a>; 12],
    rest: usize,
}

fn head(line: &[u8]) -> Option<Head<'_>> {
    let mut c = Cursor { s: line, i: 0 };
    let first = c.token()?;
    let kind = match first {
        Token::Bare(w) if TYPES.contains(&w) => Some(w),
        _ => None,
    };
    let mut fields = [Token::Bare(b""); 12];
    let mut k = 0;
    if kind.is_none() {
        fields[0] = first;
        k = 1;
    }
    while k < 12 {
        fields[k] = c.token()?;
        k += 1;
    }
    let bare = |i: usize| match fields[i] {
        Token::Bare(w) => Some(w),
        _ => None,
    };
    let time = bare(0)?;
    if time.last() != Some(&b'Z') || units::parse_timestamp(time).is_none() {
        return None;
    }
    let addr = |w: &[u8]| w == b"-" || w.contains(&b':') || w.contains(&b'.');
    let status = |w: &[u8]| w.len() == 3 && w.iter().all(u8::is_ascii_digit);
    let number = |w: &[u8]| units::parse_number(w).is_some();
    let ok = addr(bare(2)?)
        && addr(bare(3)?)
        && (4..7).all(|i| bare(i).is_some_and(number))
        && status(bare(7)?)
        && bare(8).is_some_and(|w| w == b"-" || status(w))
        && (9..11).all(|i| bare(i).is_some_and(|w| w == b"-" || number(w)))
        && matches!(fields[11], Token::Quoted(_));
    ok.then_some(Head {
        kind,
        fields,
        rest: c.i,
    })
}

/// Is `line` an AWS load balancer access-log line? Reads only its first 12 or 13 fields.
pub fn sniff(line: &[u8]) -> bool {
    head(line).is_some()
}

/// Convert one load balancer line into a JSON object in `out` (cleared first). Returns false
/// (with `out` in any state) when the line is not one. Never panics; linear in the line.
pub fn to_json(line: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    let Some(h) = head(line) else {
        return false;
    };
    let mut total = Some(0.0f64);
    for i in 4..7 {
        let v = units::parse_number(h.fields[i].text()).filter(|v| *v >= 0.0);
        total = total.zip(v).map(|(a, b)| a + b);
    }
    let total = total.map(|t| {
        // Three millisecond (CLB: microsecond) values: six decimals are exact.
        let s = format!("{t:.6}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    });
    let mut members: Vec<Member<'_>> = Vec::with_capacity(40);
    if let Some(kind) = h.kind {
        members.push(Member {
            key: Cow::Borrowed(b"type"),
            val: Val::Str(kind),
        });
    }
    let mut c = Cursor { s: line, i: h.rest };
    let rest = std::iter::from_fn(|| c.token());
    for (i, tok) in h.fields.into_iter().chain(rest).enumerate() {
        if i == 4 {
            if let Some(t) = &total {
                members.push(Member {
                    key: Cow::Borrowed(b"request_time"),
                    val: Val::Num(t.as_bytes()),
                });
            }
        }
        if i == 11 {
            request(tok.text(), &mut members);
            continue;
        }
        let Some(val) = tok.val() else {
            continue;
        };
        let key = match NAMES.get(i) {
            Some(n) => Cow::Borrowed(n.as_bytes()),
            // Numbered by its place in the line.
            None => extra_name(i + 1 + usize::from(h.kind.is_some())),
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

    const ALB: &str = r#"http 2026-11-27T18:02:11.123456Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.812 0.001 503 503 34 366 "GET http://www.example.com:80/api/x?id=7 HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2026-11-27T18:02:10.311000Z "forward" "-" "-" "10.0.0.1:80" "503" "-" "-""#;

    #[test]
    fn alb_line() {
        assert_eq!(
            convert(ALB),
            json!({"type": "http", "time": "2026-11-27T18:02:11.123456Z",
                   "elb": "app/my-lb/50dc6c495c0c9188", "client": "192.168.131.39:2817",
                   "target": "10.0.0.1:80", "request_time": 0.813,
                   "request_processing_time": 0.000, "target_processing_time": 0.812,
                   "response_processing_time": 0.001, "elb_status_code": 503,
                   "target_status_code": 503, "received_bytes": 34, "sent_bytes": 366,
                   "method": "GET", "path": "http://www.example.com:80/api/x?id=7",
                   "protocol": "HTTP/1.1", "user_agent": "curl/7.46.0",
                   "target_group_arn": "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067",
                   "trace_id": "Root=1-58337262-36d228ad5d99923122bbe354",
                   "matched_rule_priority": 0,
                   "request_creation_time": "2026-11-27T18:02:10.311000Z",
                   "actions_executed": "forward", "target_port_list": "10.0.0.1:80",
                   "target_status_code_list": "503"})
        );
        // The key order puts the total first: it wins the latency choice.
        let mut out = Vec::new();
        to_json(ALB.as_bytes(), &mut out);
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.contains(
                r#""target":"10.0.0.1:80","request_time":0.813,"request_processing_time":0.000"#
            ),
            "{text}"
        );
    }

    #[test]
    fn unreachable_target_has_no_total() {
        let line = ALB.replace("0.000 0.812 0.001 503 503", "-1 -1 -1 504 -");
        let v = convert(&line);
        assert_eq!(v.get("request_time"), None);
        assert_eq!(v["target_processing_time"], json!(-1));
        assert_eq!(v["elb_status_code"], json!(504));
        assert_eq!(v.get("target_status_code"), None);
    }

    #[test]
    fn classic_load_balancer_and_later_fields() {
        let v = convert(
            r#"2026-11-27T18:02:11.123456Z my-lb 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -"#,
        );
        assert_eq!(v["elb"], json!("my-lb"));
        assert_eq!(v["request_time"], json!(0.001178));
        assert_eq!(v.get("type"), None);
        let v = convert(&format!("{ALB} \"TID_1234\" extra"));
        assert_eq!(v["conn_trace_id"], json!("TID_1234"));
        assert_eq!(v["extra_31"], json!("extra"));
    }

    #[test]
    fn not_load_balancer_lines() {
        crate::parse::converter_tests::assert_rejects(
            sniff,
            to_json,
            &[
                "",
                "http",
                "http 2026-11-27T18:02:11Z",
                &ALB.replace("503 503", "OK 503"),
                &ALB.replace("0.812", "slow"),
                &ALB.replace("2026-11-27T18:02:11.123456Z", "yesterday"),
                &ALB.replace(
                    "\"GET http://www.example.com:80/api/x?id=7 HTTP/1.1\"",
                    "GET",
                ),
                r#"10.0.0.1 - - [27/Nov/2026:18:02:11 +0000] "GET / HTTP/1.1" 200 5"#,
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
            fn never_panics_on_alb_like_text(
                s in r#"(https? )?2026-11-27T18:02:11Z [a-z/]{1,4} [0-9.:\-]{1,6} [0-9.:\-]{1,6} (-1|[0-9.]{1,5}) (-1|[0-9.]{1,5}) [0-9.\-]{1,5} [0-9]{3} [0-9\-]{1,3} [0-9\-]{1,3} [0-9\-]{1,3} "[A-Z]{0,4} ?[/a-z\\"]{0,6} ?(HTTP/1.1)?"?( ("[^"]{0,5}"?|[a-z=0-9.\-]{1,6})){0,20}"#
            ) {
                check(s.as_bytes());
            }
        }
    }
}
