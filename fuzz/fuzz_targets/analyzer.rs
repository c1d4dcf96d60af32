//! The whole analyzer (splitting, parsing, schema detection, aggregation, diagnosis, report):
//! no panic, and the counts add up, whatever the bytes, the chunking and the file boundaries.
#![no_main]
use libfuzzer_sys::fuzz_target;
use logdrop::{Analyzer, Options};

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, data)) = data.split_first() else {
        return;
    };
    let opts = Options {
        max_line_bytes: 512,
        detect_records: 16,
        ..Options::default()
    };
    let mut a = Analyzer::new(opts);
    for (k, c) in data.chunks(1 + (chunk & 0x7f) as usize).enumerate() {
        // With the high bit, some chunk boundaries are also file boundaries (several files
        // analysed together, each with its own encoding).
        if chunk & 0x80 != 0 && k % 3 == 1 {
            a.next_input();
        }
        a.push(c);
    }
    let s = a.finish();
    let i = &s.input;
    assert_eq!(i.parsed + i.recovered + i.skipped, i.records);
    assert_eq!(i.bytes, data.len() as u64);
    let _ = logdrop::check(&s);
    let _ = logdrop::render::report::markdown(&s);
    let link = logdrop::share::encode(&s, &Default::default());
    assert!(logdrop::share::decode(&link).is_ok());
});
