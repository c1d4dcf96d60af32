//! The record parsers (strict and lenient JSON, logfmt, access, text + JSON): never panic,
//! and whatever parses or is repaired is strict JSON with the members the scanner read.
#![no_main]
use libfuzzer_sys::fuzz_target;
use logdrop::parse::{Outcome, Parser, Unit};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut p = Parser::new(16);
    for line in text.split('\n') {
        let unit = Unit {
            text: line.trim(),
            line_no: 1,
            is_lossy: false,
            is_multiline: false,
            forced: None,
        };
        match p.parse(&unit) {
            Outcome::Skipped(_) => {}
            Outcome::Parsed(_) | Outcome::Recovered(..) => {
                let src = p.canonical(unit.text);
                let v: serde_json::Value = serde_json::from_str(src)
                    .unwrap_or_else(|e| panic!("canonical JSON must parse ({e}): {src:?} from {line:?}"));
                assert!(v.is_object());
            }
        }
    }
});
