//! Inputs that once broke something (from fuzzing or bug reports), replayed on every test
//! run: each file in tests/fixtures/regressions/ goes through the analyzer at several chunk
//! sizes, the report, and the share-link codec, and through the share decoder as a link.

use logdrop::{Analyzer, Options};

#[test]
fn regression_inputs_do_not_panic_and_counts_add_up() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("regressions folder") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) == Some("md") {
            continue;
        }
        let data = std::fs::read(&path).expect("readable");
        for chunk in [1, 7, 4096] {
            let mut a = Analyzer::new(Options {
                max_line_bytes: 512,
                detect_records: 16,
                ..Options::default()
            });
            for c in data.chunks(chunk) {
                a.push(c);
            }
            let s = a.finish();
            let i = &s.input;
            assert_eq!(i.parsed + i.recovered + i.skipped, i.records, "{path:?}");
            let _ = logdrop::render::report::markdown(&s);
            let link = logdrop::share::encode(&s, &Default::default());
            assert!(logdrop::share::decode(&link).is_ok(), "{path:?}");
        }
        let _ = logdrop::share::decode(&String::from_utf8_lossy(&data));
        n += 1;
    }
    assert!(n > 0, "the regression corpus is not empty");
}
