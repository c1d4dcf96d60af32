//! One input, every way of reading it, one answer: whole, in chunks of 1..=64 bytes, at
//! random split points, and as pieces analysed separately and merged.

use logdrop::aggregate::Aggregates;
use logdrop::{summarize, Analyzer, Options};
use proptest::prelude::*;

fn fixtures() -> Vec<(&'static str, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut out = Vec::new();
    for name in ["seed/seed.log", "mixed/mixed.log"] {
        let bytes = std::fs::read(format!("{dir}/{name}")).expect("fixture exists");
        out.push((name, bytes));
    }
    out
}

fn small_detect() -> Options {
    // A detection window smaller than the fixtures, so the replay path is exercised too.
    Options {
        detect_records: 50,
        ..Options::default()
    }
}

fn json(s: &logdrop::Summary) -> String {
    serde_json::to_string_pretty(s).expect("summary serializes")
}

fn whole(input: &[u8], opts: &Options) -> String {
    let mut a = Analyzer::new(opts.clone());
    a.push(input);
    json(&a.finish())
}

fn chunked(input: &[u8], size: usize, opts: &Options) -> String {
    let mut a = Analyzer::new(opts.clone());
    for c in input.chunks(size) {
        a.push(c);
    }
    json(&a.finish())
}

fn split_at(input: &[u8], cuts: &[usize], opts: &Options) -> String {
    let mut a = Analyzer::new(opts.clone());
    let mut prev = 0;
    for &c in cuts {
        let c = c.clamp(prev, input.len());
        a.push(&input[prev..c]);
        prev = c;
    }
    a.push(&input[prev..]);
    json(&a.finish())
}

/// Pieces cut after a newline at (or after) each cut, analysed apart with one schema.
fn merged(input: &[u8], cuts: &[usize], opts: &Options) -> String {
    let mut detect = Analyzer::new(opts.clone());
    detect.push(input);
    let schema = detect.schema();
    let mut bounds = vec![0];
    for &c in cuts {
        let c = c.min(input.len());
        let at = match memchr::memchr(b'\n', &input[c..]) {
            Some(i) => c + i + 1,
            None => input.len(),
        };
        if at > *bounds.last().unwrap_or(&0) {
            bounds.push(at);
        }
    }
    bounds.push(input.len());
    let mut total: Option<Aggregates> = None;
    for w in bounds.windows(2) {
        let mut a = Analyzer::with_schema(opts.clone(), schema.clone());
        a.push(&input[w[0]..w[1]]);
        let piece = a.into_aggregates();
        match total.as_mut() {
            Some(t) => t.merge(&piece),
            None => total = Some(piece),
        }
    }
    let total = total.expect("at least one piece");
    json(&summarize(&total, None))
}

#[test]
fn chunk_sizes_1_to_64_match_one_pass() {
    for opts in [Options::default(), small_detect()] {
        for (name, input) in fixtures() {
            let one = whole(&input, &opts);
            for size in 1..=64 {
                assert_eq!(
                    chunked(&input, size, &opts),
                    one,
                    "{name} at chunk size {size}"
                );
            }
        }
    }
}

#[test]
fn merged_pieces_match_one_pass() {
    for opts in [Options::default(), small_detect()] {
        for (name, input) in fixtures() {
            let one = whole(&input, &opts);
            assert_pieces_merge_to(name, &input, &opts, &one);
        }
    }
}

/// `input` cut into 2, 3, 7 and 16 even pieces, analysed apart and merged, is `one`.
fn assert_pieces_merge_to(name: &str, input: &[u8], opts: &Options, one: &str) {
    let n = input.len();
    for parts in [2, 3, 7, 16] {
        let cuts: Vec<usize> = (1..parts).map(|i| i * n / parts).collect();
        assert_eq!(merged(input, &cuts, opts), one, "{name} in {parts} pieces");
    }
}

/// Formats whose reading is decided at detection and handed to every piece by the schema:
/// klog timestamps without a year (placed by the first one) and Docker lines whose `log`
/// string holds the record.
#[test]
fn schema_decided_formats_merge_exactly() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let opts = Options {
        now_ms: Some(1_795_824_000_000), // 2026-11-28
        ..small_detect()
    };
    for name in ["klog/klog.log", "docker/docker.log"] {
        let input = std::fs::read(format!("{dir}/{name}")).expect("fixture exists");
        let one = whole(&input, &opts);
        assert!(!one.contains("\"first_seen\": null"), "{name}: times read");
        for size in [1, 7, 64] {
            assert_eq!(chunked(&input, size, &opts), one, "{name} at {size}");
        }
        assert_pieces_merge_to(name, &input, &opts, &one);
    }
}

/// Many distinct group values and field values, with small caps: the capped aggregates
/// (bottom-k groups, overflowing dimensions, `(other)`) still merge exactly.
#[test]
fn capped_aggregates_merge_exactly() {
    let mut input = String::new();
    for i in 0..3000u64 {
        let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
        input.push_str(&format!(
            "{{\"ts\":{},\"release\":\"r{}\",\"tenant\":\"t{}\",\"path\":\"/api/{}/{}?page={}\",\"url\":\"/u{}/{}\",\"latency_ms\":{},\"status\":{}}}\n",
            1_764_266_400 + i * 7,
            h % 300,
            h % 30,
            ["users", "orders", "items"][(h % 3) as usize],
            h,
            i,
            h % 40,
            i,
            5 + h % 700,
            if h % 13 == 0 { 503 } else { 200 }
        ));
    }
    let mut opts = Options::default();
    opts.overrides.group_by = Some("release".into());
    opts.limits.max_groups = 40;
    opts.limits.shown_groups = 10;
    opts.limits.max_dim_values = 25;
    opts.limits.max_status_values = 1;
    opts.limits.max_buckets = 16;
    let input = input.as_bytes();
    let one = whole(input, &opts);
    assert!(one.contains("(other)"));
    for parts in [2, 5, 13] {
        let cuts: Vec<usize> = (1..parts).map(|i| i * input.len() / parts).collect();
        assert_eq!(merged(input, &cuts, &opts), one, "{parts} pieces");
        assert_eq!(split_at(input, &cuts, &opts), one, "{parts} splits");
    }
    let s: logdrop::Summary = serde_json::from_str(&one).unwrap();
    assert_eq!(s.groups.len(), 11);
    assert_eq!(s.groups.iter().map(|g| g.count).sum::<u64>(), 3000);
    assert!(s.timeline.bucket_ms > 60_000, "the timeline was coarsened");
    assert!(s.timeline.series.iter().all(|x| x.points.len() <= 16));
    // 30 tenants, 300 releases and 40 routes of `url` are over the cap of 25: not
    // dimensions; status is, and so is `path`: 3000 distinct paths, 3 routes.
    let mut fields: Vec<&str> = s.dimensions.iter().map(|d| d.field.as_str()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["path", "status"]);
    let path = s.dimensions.iter().find(|d| d.field == "path").unwrap();
    let mut routes: Vec<&str> = path.values.iter().map(|v| v.value.as_str()).collect();
    routes.sort_unstable();
    assert_eq!(
        routes,
        ["/api/items/{id}", "/api/orders/{id}", "/api/users/{id}"]
    );
}

/// Grouped per route (thousands of raw paths, a few dozen routes), the path field past the
/// dimension cap: merged pieces give the one-pass answer.
#[test]
fn route_groups_merge_exactly() {
    let mut input = String::new();
    for i in 0..2000u64 {
        let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
        let path = match h % 4 {
            0 => format!("/api/orders/{h}?expand=items&back=https://shop.example/{i}"),
            1 => format!("/api/users/{}/cart", h % 977),
            2 => format!("/r{}/x", i / 100),
            _ => "/health".to_string(),
        };
        input.push_str(&format!(
            "{{\"ts\":{},\"path\":\"{path}\",\"latency_ms\":{},\"status\":{}}}\n",
            1_764_266_400 + i * 7,
            5 + h % 700,
            if h % 13 == 0 { 503 } else { 200 }
        ));
    }
    let mut opts = Options::default();
    opts.overrides.group_by = Some("path".into());
    opts.limits.max_dim_values = 12;
    let input = input.as_bytes();
    let one = whole(input, &opts);
    for parts in [2, 3, 7] {
        let cuts: Vec<usize> = (1..parts).map(|i| i * input.len() / parts).collect();
        assert_eq!(merged(input, &cuts, &opts), one, "{parts} pieces");
        assert_eq!(split_at(input, &cuts, &opts), one, "{parts} splits");
    }
    let s: logdrop::Summary = serde_json::from_str(&one).unwrap();
    assert_eq!(s.groups.iter().map(|g| g.count).sum::<u64>(), 2000);
    let mut keys: Vec<&str> = s.groups.iter().map(|g| g.key.as_str()).collect();
    keys.sort_unstable();
    // 20 `/rN/x` routes (`r7` is a word, not an id) and three more.
    assert_eq!(keys.len(), 23, "{keys:?}");
    assert_eq!(
        keys[..4],
        [
            "/api/orders/{id}",
            "/api/users/{id}/cart",
            "/health",
            "/r0/x"
        ]
    );
}

#[test]
fn mixed_fixture_counts_add_up() {
    let input = &fixtures()[1].1;
    let mut a = Analyzer::new(Options::default());
    a.push(input);
    let s = a.finish();
    let i = &s.input;
    assert_eq!(i.parsed + i.recovered + i.skipped, i.records);
    assert_eq!(i.lines, 600);
    assert!(i.records < 600, "blank lines are not records");
    assert_eq!(s.fields.group.as_deref(), Some("modelVersion"));
    assert_eq!(s.fields.latency.as_deref(), Some("responseTimeMs"));
    assert_eq!(s.fields.time.as_deref(), Some("ts"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_splits_match_one_pass(cuts in proptest::collection::vec(0usize..70_000, 0..12)) {
        for (name, input) in fixtures() {
            let opts = small_detect();
            let mut cuts = cuts.iter().map(|c| c % (input.len() + 1)).collect::<Vec<_>>();
            cuts.sort_unstable();
            let one = whole(&input, &opts);
            prop_assert_eq!(&split_at(&input, &cuts, &opts), &one, "{} split", name);
            prop_assert_eq!(&merged(&input, &cuts, &opts), &one, "{} merged", name);
        }
    }

    /// No input makes the analyzer panic, and the counts always add up.
    #[test]
    fn arbitrary_bytes_never_panic(
        input in proptest::collection::vec(any::<u8>(), 0..2000),
        size in 1usize..300,
    ) {
        let mut a = Analyzer::new(Options { max_line_bytes: 200, ..Options::default() });
        for c in input.chunks(size) {
            a.push(c);
        }
        let s = a.finish();
        prop_assert_eq!(s.input.parsed + s.input.recovered + s.input.skipped, s.input.records);
        prop_assert_eq!(s.input.bytes, input.len() as u64);
    }

    /// Text that looks like logs (braces, quotes, separators) never panics either.
    #[test]
    fn log_like_text_never_panics(input in r#"([{}\[\]"':,= a-z0-9\\\n\r.-]|true|null|ms){0,300}"#) {
        let mut a = Analyzer::new(Options::default());
        a.push(input.as_bytes());
        let s = a.finish();
        prop_assert_eq!(s.input.parsed + s.input.recovered + s.input.skipped, s.input.records);
    }
}
