//! Schema detection: whatever records are observed and whatever field names are forced,
//! `decide` returns without panicking, only ever names fields it saw (or the user forced),
//! and every unit it reports is one the core knows. Routes of URL paths are routes of
//! themselves.
#![no_main]
use libfuzzer_sys::fuzz_target;
use logdrop::parse::{Outcome, Parser, Unit};
use logdrop::schema::{route_of, Detector, Overrides};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, data)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    // The first line, split on '|', names the overrides; an empty piece leaves that role to detection.
    let head: Vec<&str> = lines.next().unwrap_or("").split('|').collect();
    let pick = |i: usize, bit: u8| -> Option<String> {
        (flags & bit != 0).then(|| head.get(i).copied().unwrap_or("").to_string())
    };
    let ov = Overrides {
        group_by: pick(0, 1),
        latency: pick(1, 2),
        latency_unit: pick(2, 4),
        status: pick(3, 8),
        time: pick(4, 16),
    };
    let mut parser = Parser::new(16);
    let mut det = Detector::new();
    let mut seen: Vec<String> = Vec::new();
    for line in lines {
        let unit = Unit::line(line.trim(), 1);
        if matches!(parser.parse(&unit), Outcome::Skipped(_)) {
            continue;
        }
        let src = parser.source(unit.text);
        let f = &parser.fields;
        for i in 0..f.len() {
            if let Some((k, _)) = f.get(src, i) {
                seen.push(k.to_string());
            }
        }
        det.observe((0..f.len()).filter_map(|i| f.get(src, i)));
    }
    let schema = det.decide(&ov);
    let known = |name: &Option<String>, forced: &Option<String>| {
        if let Some(n) = name {
            let forced_here = forced.as_deref() == Some(n.as_str());
            assert!(
                forced_here || seen.iter().any(|s| s == n),
                "schema chose {n:?}, which no record has and no override named"
            );
        }
    };
    known(&schema.latency, &ov.latency);
    known(&schema.status, &ov.status);
    known(&schema.group, &ov.group_by);
    known(&schema.time, &ov.time);
    for r in &schema.routes {
        assert!(
            seen.iter().any(|s| s == r),
            "route field {r:?} was never seen"
        );
    }
    // Every line read as a URL path: its route is a route of itself (the aggregator stores only
    // routes and looks a value up as it is first, which relies on it).
    let mut out = String::new();
    let mut again = String::new();
    for line in text.split('\n') {
        let route = if route_of(line, &mut out) {
            out.as_str()
        } else {
            line
        };
        let twice = if route_of(route, &mut again) {
            again.as_str()
        } else {
            route
        };
        assert_eq!(twice, route, "the route of {line:?} is not its own route");
    }
});
