//! The splitter: any bytes, cut anywhere, give the same lines as one push, each of them UTF-8.
#![no_main]
use libfuzzer_sys::fuzz_target;
use logdrop::lines::{LineEvent, Splitter};

fn lines(data: &[u8], cut: usize, max: usize) -> Vec<(u64, u64, String)> {
    let mut s = Splitter::new(max);
    let mut out = Vec::new();
    let mut sink = |e: LineEvent<'_>| match e {
        LineEvent::Line(l) => {
            // The splitter hands out ASCII lines without a UTF-8 check: the text must be
            // UTF-8 whatever the input bytes were (decoded lossily when they were not).
            assert!(std::str::from_utf8(l.text.as_bytes()).is_ok());
            out.push((l.line_no, l.abs_offset, l.text.to_string()))
        }
        LineEvent::TooLong {
            line_no,
            abs_offset,
            len,
            ..
        } => out.push((line_no, abs_offset, format!("<{len}>"))),
    };
    let cut = cut.min(data.len());
    s.push(&data[..cut], &mut sink);
    s.push(&data[cut..], &mut sink);
    s.finish(&mut sink);
    out
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (cfg, data) = data.split_at(2);
    let max = 1 + cfg[0] as usize;
    let cut = cfg[1] as usize * data.len() / 256;
    assert_eq!(lines(data, cut, max), lines(data, 0, max));
});
