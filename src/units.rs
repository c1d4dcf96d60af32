//! Units: durations → milliseconds, timestamps → epoch milliseconds (UTC), and back.
//!
//! Everything here is allocation-free except [`format_rfc3339_ms`], never panics on any input
//! (all functions take arbitrary bytes), and uses no clock, I/O or platform API, so it runs the
//! same natively and on `wasm32-unknown-unknown`.

/// A time unit for durations. Every conversion goes to milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// Nanoseconds.
    Ns,
    /// Microseconds.
    Us,
    /// Milliseconds.
    Ms,
    /// Seconds.
    S,
    /// Minutes.
    Min,
}

impl TimeUnit {
    /// Every unit, smallest first.
    pub const ALL: [TimeUnit; 5] = [
        TimeUnit::Ns,
        TimeUnit::Us,
        TimeUnit::Ms,
        TimeUnit::S,
        TimeUnit::Min,
    ];

    /// Milliseconds per one of this unit (`Ns` → `1e-6`, …, `Min` → `60000`).
    #[inline]
    pub fn ms_per_unit(self) -> f64 {
        match self {
            TimeUnit::Ns => 1e-6,
            TimeUnit::Us => 1e-3,
            TimeUnit::Ms => 1.0,
            TimeUnit::S => 1e3,
            TimeUnit::Min => 6e4,
        }
    }

    /// Converts `v` of this unit to milliseconds. Divides for `Ns`/`Us` (so `1500 µs` is
    /// exactly `1.5` ms), multiplies otherwise. NaN and infinities pass through.
    #[inline]
    pub fn to_ms(self, v: f64) -> f64 {
        match self {
            TimeUnit::Ns => v / 1e6,
            TimeUnit::Us => v / 1e3,
            TimeUnit::Ms => v,
            TimeUnit::S => v * 1e3,
            TimeUnit::Min => v * 6e4,
        }
    }

    /// Short name: `"ns"`, `"us"`, `"ms"`, `"s"`, `"min"`.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Ns => "ns",
            TimeUnit::Us => "us",
            TimeUnit::Ms => "ms",
            TimeUnit::S => "s",
            TimeUnit::Min => "min",
        }
    }

    /// Parses a unit name, ASCII case-insensitive. Accepts the short names of
    /// [`name`](Self::name) and common spellings: `nanos`, `nanoseconds`, `µs`/`μs`, `micros`,
    /// `microseconds`, `usec`, `millis`, `milliseconds`, `msec`, `sec`, `secs`, `seconds`,
    /// `m`, `mins`, `minute(s)`. Anything else → `None`.
    pub fn from_name(s: &str) -> Option<Self> {
        unit_word(s.as_bytes(), true)
    }
}

/// Unit word (ASCII case-insensitive) → unit. `allow_m`: whether a bare `m` means minutes
/// (true in duration text like `2m`, false in key names).
fn unit_word(w: &[u8], allow_m: bool) -> Option<TimeUnit> {
    const TABLE: &[(&str, TimeUnit)] = &[
        ("ns", TimeUnit::Ns),
        ("nanos", TimeUnit::Ns),
        ("nsec", TimeUnit::Ns),
        ("nsecs", TimeUnit::Ns),
        ("nanosecond", TimeUnit::Ns),
        ("nanoseconds", TimeUnit::Ns),
        ("us", TimeUnit::Us),
        ("\u{b5}s", TimeUnit::Us),
        ("\u{3bc}s", TimeUnit::Us),
        ("micros", TimeUnit::Us),
        ("usec", TimeUnit::Us),
        ("usecs", TimeUnit::Us),
        ("microsecond", TimeUnit::Us),
        ("microseconds", TimeUnit::Us),
        ("ms", TimeUnit::Ms),
        ("millis", TimeUnit::Ms),
        ("msec", TimeUnit::Ms),
        ("msecs", TimeUnit::Ms),
        ("millisecond", TimeUnit::Ms),
        ("milliseconds", TimeUnit::Ms),
        ("s", TimeUnit::S),
        ("sec", TimeUnit::S),
        ("secs", TimeUnit::S),
        ("second", TimeUnit::S),
        ("seconds", TimeUnit::S),
        ("min", TimeUnit::Min),
        ("mins", TimeUnit::Min),
        ("minute", TimeUnit::Min),
        ("minutes", TimeUnit::Min),
    ];
    if allow_m && w.eq_ignore_ascii_case(b"m") {
        return Some(TimeUnit::Min);
    }
    TABLE
        .iter()
        .find(|(name, _)| name.as_bytes().eq_ignore_ascii_case(w))
        .map(|&(_, u)| u)
}

/// Splits a key into words at `_ - . / : space` and camelCase boundaries (`responseTimeMs` →
/// `response`, `Time`, `Ms`; `durationNS` → `duration`, `NS`; `HTTPTimeMs` → `HTTP`, `Time`,
/// `Ms`). Keeps the last `N` words, in order; returns how many were found in total.
fn key_words<'a, const N: usize>(key: &'a str, out: &mut [&'a str; N]) -> usize {
    let b = key.as_bytes();
    let mut n = 0usize;
    let mut push = |w: &'a str| {
        if N > 0 {
            if n >= N {
                out.rotate_left(1);
                out[N - 1] = w;
            } else {
                out[n] = w;
            }
        }
        n += 1;
    };
    let mut start = 0usize;
    let mut i = 0usize;
    while i < b.len() {
        let c = b[i];
        if matches!(
            c,
            b'_' | b'-' | b'.' | b'/' | b':' | b' ' | b'@' | b'[' | b']'
        ) {
            if i > start {
                push(key.get(start..i).unwrap_or(""));
            }
            start = i + 1;
        } else if i > start && c.is_ascii_uppercase() {
            let prev = b[i - 1];
            let next_lower = b.get(i + 1).is_some_and(|x| x.is_ascii_lowercase());
            // aB → a|B ; ABc → A|Bc (end of an acronym); digits before capitals split too.
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                push(key.get(start..i).unwrap_or(""));
                start = i;
            }
        }
        i += 1;
    }
    if b.len() > start {
        push(key.get(start..).unwrap_or(""));
    }
    n
}

/// Unit implied by a key name, or `None` when the name says nothing.
///
/// The key is split into words (separators `_ - . / :` and camelCase), and the **last** word
/// decides: `ms`/`millis`/`msec`/`milliseconds` → `Ms` (`responseTimeMs`, `latency_ms`,
/// `duration_ms`, `elapsedMillis`); `s`/`sec`/`secs`/`seconds` → `S` (`elapsed_s`,
/// `duration_seconds`, `response_time_sec`); `us`/`µs`/`micros`/`usec` → `Us`
/// (`duration_micros`, `latency_us`); `ns`/`nanos`/`nsec` → `Ns` (`durationNanos`);
/// `mins`/`minutes` → `Min`. nginx's `request_time` and `upstream_*_time` are seconds.
///
/// To avoid false positives, the short words `s`, `us`, `ns` only count after another word
/// (a key named `ns` is more likely a namespace, `us` a region), and `min` / `m` are never
/// minutes (`latency_min` is a minimum). `duration`, `latency`, `elapsed` → `None`.
pub fn unit_from_key(key: &str) -> Option<TimeUnit> {
    let mut w: [&str; 3] = [""; 3];
    let n = key_words(key, &mut w);
    if n == 0 {
        return None;
    }
    let last = w[n.min(3) - 1].as_bytes();
    let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    // nginx: $request_time, $upstream_response_time, $upstream_connect_time,
    // $upstream_header_time are seconds with millisecond resolution.
    if n >= 2 && eq(w[n.min(3) - 1], "time") {
        let before = w[n.min(3) - 2];
        if eq(before, "request") && (n == 2 || !eq(w[0], "upstream")) {
            return Some(TimeUnit::S);
        }
        if n >= 3
            && eq(w[0], "upstream")
            && ["response", "connect", "header", "queue"]
                .iter()
                .any(|x| eq(before, x))
        {
            return Some(TimeUnit::S);
        }
    }
    // A word that ends in µs/μs without a separator (`latencyµs`).
    if n == 1 {
        for suffix in ["\u{b5}s", "\u{3bc}s"] {
            if key.len() > suffix.len() && key.ends_with(suffix) {
                return Some(TimeUnit::Us);
            }
        }
    }
    if last.eq_ignore_ascii_case(b"min") || last.eq_ignore_ascii_case(b"m") {
        return None;
    }
    let unit = unit_word(last, false)?;
    let short = last.len() <= 2;
    if short && n == 1 && !last.eq_ignore_ascii_case(b"ms") {
        return None;
    }
    Some(unit)
}

/// Parses an unsigned decimal `digits[.digits]` (also `.5`, `5.`) at the start of `s`.
/// Returns the value and the number of bytes used; `None` when no digit is there.
/// `comma` also accepts `,` as the decimal mark (ISO 8601 allows it).
#[inline]
fn parse_decimal_prefix(s: &[u8], comma: bool) -> Option<(f64, usize)> {
    let mut i = 0;
    let mut mant: u64 = 0;
    let mut digits = 0u32; // significant digits accumulated into `mant`
    let mut frac_digits = 0i32;
    let mut any = false;
    let mut exact = true;
    while let Some(&c) = s.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        any = true;
        if digits < 19 {
            mant = mant * 10 + u64::from(c - b'0');
            if mant != 0 {
                digits += 1;
            }
        } else {
            exact = false;
        }
        i += 1;
    }
    if let Some(&c) = s.get(i) {
        if c == b'.' || (comma && c == b',') {
            let frac_start = i + 1;
            let mut j = frac_start;
            while let Some(&d) = s.get(j) {
                if !d.is_ascii_digit() {
                    break;
                }
                if digits < 19 {
                    mant = mant * 10 + u64::from(d - b'0');
                    if mant != 0 {
                        digits += 1;
                    }
                    frac_digits += 1;
                } else {
                    exact = false;
                }
                j += 1;
            }
            if j > frac_start {
                any = true;
                i = j;
            } else if any {
                i = frac_start; // "5." is 5
            }
        }
    }
    if !any {
        return None;
    }
    // Exact when the mantissa and the power of ten are both exactly representable.
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    if exact && mant < (1u64 << 53) {
        if let Some(&p) = POW10.get(frac_digits as usize) {
            return Some((mant as f64 / p, i));
        }
    }
    // Rare (more than 15-16 significant digits): let the standard library round correctly.
    let text: String = s
        .get(..i)
        .unwrap_or(&[])
        .iter()
        .map(|&c| if c == b',' { '.' } else { c as char })
        .collect();
    text.parse::<f64>().ok().map(|v| (v, i))
}

/// A duration written as text → milliseconds. Returns `None` for anything else.
///
/// Accepted (units ASCII case-insensitive, surrounding whitespace ignored):
/// - number + unit, optionally separated by spaces, repeated (Go style): `820ms`, `820 ms`,
///   `1.2s`, `68 micros`, `68µs`, `68us`, `150ns`, `2m`, `1m30s`, `1h2m3.5s`, `1m 30s`,
///   `2 minutes`. Units: ns/us/µs/ms/s/m(in)/h(r)/d and their long spellings
///   (see [`TimeUnit::from_name`], plus `h`, `hr`, `hrs`, `hour(s)`, `d`, `day(s)`).
/// - ISO 8601 durations: `PT1.5S`, `PT2M`, `P0DT0H0M1.5S`, `P1W`, `P1DT2H`; `,` or `.` as
///   decimal mark. Years and months (`P1Y`, `P1M`) have no fixed length → `None`.
/// - clock form `h:mm:ss[.fff]`: `00:00:01.500` → 1500.
///
/// A bare number (`"820"`) is not duration text → `None`; so are negative durations, `-`,
/// empty strings and garbage.
pub fn parse_duration_text(s: &[u8]) -> Option<f64> {
    let s = s.trim_ascii();
    let first = *s.first()?;
    if first == b'P' || first == b'p' {
        return parse_iso8601_duration(s);
    }
    if !(first.is_ascii_digit() || first == b'.') {
        return None;
    }
    if s.contains(&b':') {
        return parse_clock_duration(s);
    }
    let mut total = 0.0f64;
    let mut i = 0usize;
    let mut groups = 0;
    while i < s.len() {
        let rest = s.get(i..)?;
        let (v, used) = parse_decimal_prefix(rest, false)?;
        i += used;
        while s.get(i) == Some(&b' ') {
            i += 1;
        }
        let unit_start = i;
        while let Some(&c) = s.get(i) {
            if c.is_ascii_digit() || c == b' ' || c == b'.' {
                break;
            }
            i += 1;
        }
        let factor = duration_unit_ms(s.get(unit_start..i)?)?;
        total += v * factor;
        groups += 1;
        while s.get(i) == Some(&b' ') {
            i += 1;
        }
    }
    (groups > 0 && total.is_finite()).then_some(total)
}

/// Milliseconds per unit word in duration text (includes hours and days).
fn duration_unit_ms(w: &[u8]) -> Option<f64> {
    if let Some(u) = unit_word(w, true) {
        return Some(u.ms_per_unit());
    }
    const HOURS: [&str; 5] = ["h", "hr", "hrs", "hour", "hours"];
    const DAYS: [&str; 3] = ["d", "day", "days"];
    if HOURS.iter().any(|h| h.as_bytes().eq_ignore_ascii_case(w)) {
        Some(3_600_000.0)
    } else if DAYS.iter().any(|d| d.as_bytes().eq_ignore_ascii_case(w)) {
        Some(86_400_000.0)
    } else {
        None
    }
}

/// `PnW`, `PnDTnHnMnS` (any subset, each component at most once and in order) → ms.
fn parse_iso8601_duration(s: &[u8]) -> Option<f64> {
    let mut i = 1usize; // after 'P'
    let mut in_time = false;
    let mut total = 0.0f64;
    let mut components = 0;
    // Order rank of the last component, to reject `PT1S2H` and repeats.
    let mut last_rank = 0u8;
    while i < s.len() {
        let c = *s.get(i)?;
        if c == b'T' || c == b't' {
            if in_time {
                return None;
            }
            in_time = true;
            i += 1;
            continue;
        }
        let (v, used) = parse_decimal_prefix(s.get(i..)?, true)?;
        i += used;
        let designator = s.get(i)?.to_ascii_uppercase();
        i += 1;
        let (rank, factor) = match (in_time, designator) {
            (false, b'W') => (1, 7.0 * 86_400_000.0),
            (false, b'D') => (2, 86_400_000.0),
            (true, b'H') => (3, 3_600_000.0),
            (true, b'M') => (4, 60_000.0),
            (true, b'S') => (5, 1000.0),
            _ => return None, // years, months, or misplaced designators
        };
        if rank <= last_rank {
            return None;
        }
        last_rank = rank;
        total += v * factor;
        components += 1;
    }
    (components > 0 && total.is_finite()).then_some(total)
}

/// `h:mm:ss[.fff]` → ms (hours any number of digits, minutes and seconds below 60).
fn parse_clock_duration(s: &[u8]) -> Option<f64> {
    let mut parts = s.splitn(3, |&c| c == b':');
    let h = parts.next()?;
    let m = parts.next()?;
    let sec = parts.next()?;
    if h.is_empty() || !h.iter().all(u8::is_ascii_digit) || h.len() > 9 {
        return None;
    }
    if m.len() != 2 || !m.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let hours = h.iter().fold(0u64, |a, &c| a * 10 + u64::from(c - b'0'));
    let minutes = u64::from(m[0] - b'0') * 10 + u64::from(m[1] - b'0');
    let (seconds, used) = parse_decimal_prefix(sec, false)?;
    if used != sec.len() || minutes >= 60 || seconds >= 60.0 || sec.len() < 2 {
        return None;
    }
    Some((hours * 60 + minutes) as f64 * 60_000.0 + seconds * 1000.0)
}

/// Fast JSON-number → f64. An optional sign and up to 18 digits are parsed by hand; anything
/// longer or with a fraction/exponent goes through `str::parse::<f64>` (correctly rounded).
/// Slightly lenient (`+5`, `.5`, `5.` are accepted); `NaN`, `inf`, hex, empty and other
/// non-numbers → `None`, and so do results that overflow to infinity (`1e400`).
#[inline]
pub fn parse_number(s: &[u8]) -> Option<f64> {
    let (neg, digits) = match s.first()? {
        b'-' => (true, s.get(1..)?),
        b'+' => (false, s.get(1..)?),
        _ => (false, s),
    };
    if !digits.is_empty() && digits.len() <= 18 {
        let mut v: u64 = 0;
        let mut all_digits = true;
        for &c in digits {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                all_digits = false;
                break;
            }
            v = v * 10 + u64::from(d);
        }
        if all_digits {
            // u64 → f64 rounds to nearest, like the decimal parser would.
            let f = v as f64;
            return Some(if neg { -f } else { f });
        }
    }
    parse_number_slow(s, digits)
}

#[cold]
fn parse_number_slow(s: &[u8], digits: &[u8]) -> Option<f64> {
    // The standard parser also accepts "inf", "NaN", "infinity": require a digit or a dot.
    match digits.first() {
        Some(c) if c.is_ascii_digit() || *c == b'.' => {}
        _ => return None,
    }
    let v: f64 = std::str::from_utf8(s).ok()?.parse().ok()?;
    v.is_finite().then_some(v)
}

// ---------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, UTC), after Howard Hinnant's
// "chrono-Compatible Low-Level Date Algorithms".

const MS_PER_DAY: i64 = 86_400_000;

/// Days since 1970-01-01 of a civil date (`m` in 1..=12, `d` in 1..=31), any year.
#[inline]
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 }; // March = 0
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// Civil date `(year, month 1..=12, day 1..=31)` of a day count since 1970-01-01.
#[inline]
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32; // [1, 12]
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// True for Gregorian leap years.
#[inline]
pub fn is_leap_year(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Days in month `m` (1..=12) of year `y`; 0 for an invalid month.
#[inline]
fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Epoch ms of 0000-01-01T00:00:00.000Z and of 9999-12-31T23:59:59.999Z.
const MIN_FORMAT_MS: i64 = -62_167_219_200_000;
const MAX_FORMAT_MS: i64 = 253_402_300_799_999;

/// The zone a log's timestamps are shown in: the one they name (UTC, or a fixed offset), or
/// none when they name none (the log's own clock, shown as written and labelled with no zone).
/// Timestamps are read as epoch ms in UTC either way (a time without a zone read as if UTC), so
/// only the display shifts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Zone {
    #[default]
    Utc,
    /// Minutes east of UTC (never 0: that is `Utc`).
    Offset(i32),
    /// The timestamps name no zone.
    Unnamed,
}

impl Zone {
    /// From the summary's `fields.time_zone` (`UTC`, `+01:00`, `none`); absent (an older
    /// summary, or no time field): UTC, as before zones were shown.
    pub fn from_name(name: Option<&str>) -> Zone {
        match name {
            Some("none") => Zone::Unnamed,
            Some(n) => parse_zone(n.as_bytes())
                .filter(|&ms| ms != 0)
                .map_or(Zone::Utc, |ms| Zone::Offset((ms / 60_000) as i32)),
            None => Zone::Utc,
        }
    }

    /// The summary's `fields.time_zone`: `UTC`, `+01:00`, `-07:00`, `+05:45`, or `none`.
    pub fn name(self) -> String {
        match self {
            Zone::Utc => "UTC".into(),
            Zone::Offset(m) => {
                let sign = if m < 0 { '-' } else { '+' };
                format!("{sign}{:02}:{:02}", m.abs() / 60, m.abs() % 60)
            }
            Zone::Unnamed => "none".into(),
        }
    }

    /// What follows a time shown in this zone: ` UTC`, ` UTC+01:00`, or nothing.
    pub fn suffix(self) -> String {
        match self {
            Zone::Utc => " UTC".into(),
            Zone::Offset(_) => format!(" UTC{}", self.name()),
            Zone::Unnamed => String::new(),
        }
    }

    /// Epoch ms of `ms` on this zone's clock (what [`format_rfc3339_ms`] of it shows).
    pub fn local_ms(self, ms: i64) -> i64 {
        match self {
            Zone::Offset(m) => ms.saturating_add(i64::from(m) * 60_000),
            Zone::Utc | Zone::Unnamed => ms,
        }
    }
}

/// The zone timestamp text names, when it is one [`parse_timestamp`] reads: `Some(Zone::Utc)`
/// for `Z`, `UTC`, `GMT`, `+00:00` or an epoch number; `Some(Zone::Offset(60))` for `+01:00`,
/// `+0100` or `+01`; `Some(Zone::Unnamed)` for a time with none (`2026-11-27 18:02:11,123`);
/// `None` when it is not a timestamp.
pub fn written_zone(s: &[u8]) -> Option<Zone> {
    parse_timestamp(s)?;
    let s = s.trim_ascii();
    let s = s.strip_prefix(b"[").unwrap_or(s);
    let s = s.strip_suffix(b"]").unwrap_or(s);
    if s.iter().all(|b| b.is_ascii_digit() || *b == b'.') {
        return Some(Zone::Utc);
    }
    // A zone follows the time of day (a `:`), never a bare date (`2026-11-07` is no `-07`).
    for k in [7, 6, 5, 4, 3, 1] {
        let Some(at) = s.len().checked_sub(k) else {
            continue;
        };
        let (time, zone) = s.split_at(at);
        let starts_a_zone = matches!(
            zone.first(),
            Some(b' ' | b'+' | b'-' | b'Z' | b'z' | b'U' | b'u' | b'G' | b'g')
        );
        if !time.contains(&b':') || !starts_a_zone {
            continue;
        }
        if let Some(ms) = parse_zone(zone) {
            return Some(match ms / 60_000 {
                0 => Zone::Utc,
                m => Zone::Offset(m as i32),
            });
        }
    }
    Some(Zone::Unnamed)
}

/// Epoch milliseconds → `"2026-11-27T18:02:11.123Z"`: always UTC, always 3 decimals, always
/// 24 bytes. Values before year 0 or after year 9999 are clamped to
/// `0000-01-01T00:00:00.000Z` / `9999-12-31T23:59:59.999Z` (never panics).
pub fn format_rfc3339_ms(ms: i64) -> String {
    let ms = ms.clamp(MIN_FORMAT_MS, MAX_FORMAT_MS);
    let days = ms.div_euclid(MS_PER_DAY);
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    let mut buf = [0u8; 24];
    let mut put = |pos: usize, v: i64, width: usize| {
        let mut v = v;
        for k in (0..width).rev() {
            buf[pos + k] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, y, 4);
    put(5, i64::from(mo), 2);
    put(8, i64::from(d), 2);
    put(11, h, 2);
    put(14, mi, 2);
    put(17, s, 2);
    put(20, milli, 3);
    buf[4] = b'-';
    buf[7] = b'-';
    buf[10] = b'T';
    buf[13] = b':';
    buf[16] = b':';
    buf[19] = b'.';
    buf[23] = b'Z';
    buf.iter().map(|&c| c as char).collect()
}

// Epoch-number ranges: 1990-01-01T00:00:00Z (631152000 s) ≤ t < 2200-01-01T00:00:00Z
// (7258118400 s), in each unit. The ranges are a factor ≈ 11.5 wide, so they never overlap.
const EPOCH_S_LO: f64 = 631_152_000.0;
const EPOCH_S_HI: f64 = 7_258_118_400.0;

/// An epoch number → epoch ms, with the unit guessed from the magnitude. Accepted when the
/// instant is in `[1990-01-01, 2200-01-01)` UTC:
/// seconds `6.3e8 ..< 7.3e9` (fractions allowed), milliseconds `6.3e11 ..< 7.3e12`,
/// microseconds `6.3e14 ..< 7.3e15`, nanoseconds `6.3e17 ..< 7.3e18`. Anything else
/// (including NaN, negative numbers and the gaps between the ranges) → `None`.
/// Sub-millisecond parts are truncated (floor), like the fraction of an RFC 3339 timestamp.
pub fn epoch_number_to_ms(n: f64) -> Option<i64> {
    if !n.is_finite() || n < EPOCH_S_LO {
        return None;
    }
    if n < EPOCH_S_HI {
        // Seconds. The small epsilon absorbs the binary representation of decimal
        // fractions (1764266531.123 s × 1000 = …122.9998) without moving real truncation.
        return Some((n * 1000.0 + 5e-4).floor() as i64);
    }
    if (EPOCH_S_LO * 1e3..EPOCH_S_HI * 1e3).contains(&n) {
        return Some(n.floor() as i64);
    }
    if (EPOCH_S_LO * 1e6..EPOCH_S_HI * 1e6).contains(&n) {
        // Below 2^53: integral values are exact, so divide as integers.
        return Some(if n.fract() == 0.0 {
            (n as i64).div_euclid(1000)
        } else {
            (n / 1e3).floor() as i64
        });
    }
    if (EPOCH_S_LO * 1e9..EPOCH_S_HI * 1e9).contains(&n) {
        return Some((n as i64).div_euclid(1_000_000));
    }
    None
}

/// Integer epoch (all digits) → ms, exact; same ranges as [`epoch_number_to_ms`].
fn epoch_integer_to_ms(v: u64) -> Option<i64> {
    const S_LO: u64 = 631_152_000;
    const S_HI: u64 = 7_258_118_400;
    let v = v as i128;
    let (lo, hi) = (i128::from(S_LO), i128::from(S_HI));
    for (scale, to_ms_div, to_ms_mul) in [
        (1i128, 1i128, 1000i128),
        (1000, 1, 1),
        (1_000_000, 1000, 1),
        (1_000_000_000, 1_000_000, 1),
    ] {
        if v >= lo * scale && v < hi * scale {
            return i64::try_from(v * to_ms_mul / to_ms_div).ok();
        }
    }
    None
}

/// Two ASCII digits at `s[i..i+2]` → value, or `None`.
#[inline(always)]
fn d2(s: &[u8], i: usize) -> Option<u32> {
    let a = s.get(i)?.wrapping_sub(b'0');
    let b = s.get(i + 1)?.wrapping_sub(b'0');
    (a <= 9 && b <= 9).then(|| u32::from(a) * 10 + u32::from(b))
}

/// Four ASCII digits at `s[i..i+4]` → value, or `None`.
#[inline(always)]
fn d4(s: &[u8], i: usize) -> Option<u32> {
    Some(d2(s, i)? * 100 + d2(s, i + 2)?)
}

/// Validated civil date-time → epoch ms (UTC), before the zone offset.
#[inline]
fn civil_to_ms(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32, milli: u32) -> Option<i64> {
    // Second 60 is accepted (leap second) and lands on the next minute's :00.
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(i64::from(y), mo) {
        return None;
    }
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(i64::from(y), mo, d);
    Some(
        days * MS_PER_DAY
            + i64::from(h) * 3_600_000
            + i64::from(mi) * 60_000
            + i64::from(s) * 1000
            + i64::from(milli),
    )
}

/// Parses a zone designator that must make up all of `z`: empty (→ UTC), `Z`, `UTC`, `GMT`,
/// `±HH`, `±HHMM`, `±HH:MM`, optionally after one space. Returns the offset east of UTC in
/// ms (to be subtracted from local time).
#[inline]
fn parse_zone(z: &[u8]) -> Option<i64> {
    let z = match z.first() {
        Some(b' ') => z.get(1..)?,
        _ => z,
    };
    match z.len() {
        0 => return Some(0),
        1 if z[0] == b'Z' || z[0] == b'z' => return Some(0),
        3 if z.eq_ignore_ascii_case(b"UTC") || z.eq_ignore_ascii_case(b"GMT") => return Some(0),
        _ => {}
    }
    let sign = match z.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hh = d2(z, 1)?;
    let mm = match z.len() {
        3 => 0,
        5 => d2(z, 3)?,
        6 if z[3] == b':' => d2(z, 4)?,
        _ => return None,
    };
    if hh > 23 || mm > 59 {
        return None;
    }
    Some(sign * (i64::from(hh) * 3_600_000 + i64::from(mm) * 60_000))
}

/// Timestamp text → epoch milliseconds, UTC. `None` when it is not a timestamp.
///
/// Accepted (surrounding whitespace, quotes and `[...]` brackets ignored):
/// - RFC 3339 / ISO 8601: `2026-11-27T18:02:11Z`, `2026-11-27T18:02:11.123456+05:30`,
///   `2026-11-27 18:02:11,123` (comma decimals), fraction of any length (truncated to ms),
///   seconds optional (`2026-11-27T18:02Z`), date only (`2026-11-27` → midnight), `T`, `t`
///   or space separator, `/` date separators (`2026/11/27 18:02:11`, Go's log package).
///   Zone: `Z`, `+05:30`, `+0530`, `-07`, ` UTC`/` GMT`, optionally after one space; no
///   zone → UTC. Leap second `:60` → next minute's `:00`.
/// - Common log format: `27/Nov/2026:18:02:11 +0000` (month names case-insensitive).
/// - An epoch number written as a string: `"1764266531"`, `"1764266531.123"`,
///   `"1764266531123"`, µs and ns too (see [`epoch_number_to_ms`]; integers are exact).
///
/// Syslog (`Nov 27 18:02:11`) and klog (`1127 18:02:11.123456`) have no year and are **not**
/// accepted (→ `None`): see [`parse_yearless`] and [`YearRef`]. Years are 4 digits (0000–9999).
#[inline]
pub fn parse_timestamp(s: &[u8]) -> Option<i64> {
    // Fast path: the common RFC 3339 shape, already trimmed.
    if s.len() >= 10 && s.get(4) == Some(&b'-') {
        if let Some(t) = parse_iso(s) {
            return Some(t);
        }
    }
    parse_timestamp_slow(s)
}

#[cold]
fn parse_timestamp_slow(s: &[u8]) -> Option<i64> {
    let mut s = s.trim_ascii();
    if let [b'"' | b'\'', inner @ .., b'"' | b'\''] = s {
        s = inner.trim_ascii();
    }
    if let [b'[', inner @ .., b']'] = s {
        s = inner.trim_ascii();
    }
    if s.len() >= 10 && matches!(s.get(4), Some(b'-' | b'/')) {
        return parse_iso(s);
    }
    if s.len() >= 20 && s.get(2) == Some(&b'/') && s.get(6) == Some(&b'/') {
        return parse_clf(s);
    }
    let first = *s.first()?;
    if first.is_ascii_digit() {
        // An epoch number as text.
        if s.len() <= 19 && s.iter().all(u8::is_ascii_digit) {
            let v = s.iter().fold(0u64, |a, &c| a * 10 + u64::from(c - b'0'));
            return epoch_integer_to_ms(v);
        }
        return epoch_number_to_ms(parse_number(s)?);
    }
    None
}

/// `YYYY-MM-DD[(T| )HH:MM[:SS[(.|,)frac]]][zone]` (or `/` date separators).
#[inline]
fn parse_iso(s: &[u8]) -> Option<i64> {
    if s.len() == 10 {
        let sep = *s.get(4)?;
        if s.get(7) != Some(&sep) {
            return None;
        }
        return civil_to_ms(d4(s, 0)?, d2(s, 5)?, d2(s, 8)?, 0, 0, 0, 0);
    }
    iso_rest(s, iso_minute(s)?)
}

/// `s[..16]` of an ISO timestamp longer than a date (`YYYY-MM-DD(T| )HH:MM`) → the epoch ms
/// of that minute, local time, validated.
#[inline]
fn iso_minute(s: &[u8]) -> Option<i64> {
    let sep = *s.get(4)?;
    if s.get(7) != Some(&sep) {
        return None;
    }
    let y = d4(s, 0)?;
    let mo = d2(s, 5)?;
    let d = d2(s, 8)?;
    if !matches!(s.get(10), Some(b'T' | b't' | b' ')) || s.get(13) != Some(&b':') {
        return None;
    }
    let h = d2(s, 11)?;
    let mi = d2(s, 14)?;
    civil_to_ms(y, mo, d, h, mi, 0, 0)
}

/// The rest of an ISO timestamp after its minute (`[:SS[(.|,)frac]][zone]` from `s[16..]`),
/// added to `minute` (from [`iso_minute`]) → epoch ms, UTC.
#[inline]
fn iso_rest(s: &[u8], minute: i64) -> Option<i64> {
    let mut i = 16;
    let mut sec = 0;
    let mut milli = 0;
    if s.get(16) == Some(&b':') {
        sec = d2(s, 17)?;
        i = 19;
        if let Some(b'.' | b',') = s.get(19) {
            i = 20;
            let start = i;
            while let Some(c) = s.get(i) {
                if !c.is_ascii_digit() {
                    break;
                }
                if i - start < 3 {
                    milli = milli * 10 + u32::from(c - b'0');
                }
                i += 1;
            }
            let n = i - start;
            if n == 0 {
                return None;
            }
            for _ in n..3 {
                milli *= 10;
            }
        }
    }
    // Second 60 is accepted (leap second), as in `civil_to_ms`.
    if sec > 60 {
        return None;
    }
    let local = minute + i64::from(sec) * 1000 + i64::from(milli);
    let offset = parse_zone(s.get(i..)?)?;
    Some(local - offset)
}

/// [`iso_rest`] of the most common shape, `:SS.mmmZ` (exactly), else `None` (then
/// `iso_rest` decides): no loop over the fraction, no zone parser.
#[inline(always)]
fn iso_rest_ms_z(s: &[u8], minute: i64) -> Option<i64> {
    let t: [u8; 8] = s.get(16..)?.try_into().ok()?;
    let w = u64::from_le_bytes(t);
    // Bytes 0, 3 and 7: `:`, `.` and `Z`.
    const SEP_MASK: u64 = 0xFF00_0000_FF00_00FF;
    const SEPS: u64 = (b'Z' as u64) << 56 | (b'.' as u64) << 24 | b':' as u64;
    if w & SEP_MASK != SEPS {
        return None;
    }
    // Bytes 1, 2, 4, 5 and 6: digits, i.e. each `^ b'0'` at most 9 (only `'0'..='9'` are).
    // A byte above 9 sets its bit 7 in `(its low 7 bits + 0x76) | itself` (no carry between
    // bytes: at most 0x7F + 0x76).
    const DIGITS: u64 = 0x00FF_FFFF_00FF_FF00;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let d = (w ^ 0x3030_3030_3030_3030) & DIGITS;
    if (((d & LOW7) + 0x7676_7676_7676_7676) | d) & HIGH != 0 {
        return None;
    }
    let b = |i: u32| (d >> (8 * i)) as u32 & 0xFF;
    let sec = b(1) * 10 + b(2);
    // Second 60 is accepted (leap second), as in `iso_rest`.
    if sec > 60 {
        return None;
    }
    Some(minute + i64::from(sec * 1000 + b(4) * 100 + b(5) * 10 + b(6)))
}

/// [`parse_timestamp_cached`] of its most common case only, without touching the cache: the
/// minute cached and the tail `:SS.mmmZ`; `None` otherwise (then ask
/// `parse_timestamp_cached`). Some only for 24 ASCII bytes (the cached prefix was read
/// by [`iso_minute`], which accepts ASCII digits and separators only).
#[inline]
pub fn parse_timestamp_cache_hit(s: &[u8], cache: &TimestampCache) -> Option<i64> {
    let m = cache.minute?;
    if s.get(..16)? != cache.prefix {
        return None;
    }
    iso_rest_ms_z(s, m)
}

/// The minute of the last RFC 3339 timestamp read by [`parse_timestamp_cached`]: log lines
/// come in time order, so most share it and skip the calendar arithmetic (measured on the
/// 220 MB clean NDJSON bench file: −3% of a run).
#[derive(Clone, Debug, Default)]
pub struct TimestampCache {
    prefix: [u8; 16],
    minute: Option<i64>,
}

/// [`parse_timestamp`], remembering the minute of the last timestamp in `cache`. Always the
/// same result as `parse_timestamp(s)`.
#[inline]
pub fn parse_timestamp_cached(s: &[u8], cache: &mut TimestampCache) -> Option<i64> {
    if s.len() > 10 && s.get(4) == Some(&b'-') {
        if let Some(Ok(p)) = s.get(..16).map(<[u8; 16]>::try_from) {
            let minute = if cache.minute.is_some() && p == cache.prefix {
                cache.minute
            } else {
                let m = iso_minute(s);
                if m.is_some() {
                    cache.prefix = p;
                    cache.minute = m;
                }
                m
            };
            if let Some(m) = minute {
                if let Some(t) = iso_rest_ms_z(s, m) {
                    return Some(t);
                }
                return iso_rest(s, m).or_else(|| parse_timestamp_slow(s));
            }
        }
    }
    parse_timestamp(s)
}

/// Month abbreviation (ASCII case-insensitive, 3 letters) → 1..=12.
#[inline]
fn month_from_abbr(m: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    MONTHS
        .iter()
        .position(|x| x.eq_ignore_ascii_case(m))
        .map(|i| i as u32 + 1)
}

/// Common log format: `DD/Mon/YYYY:HH:MM:SS[ zone]`.
fn parse_clf(s: &[u8]) -> Option<i64> {
    let d = d2(s, 0)?;
    let mo = month_from_abbr(s.get(3..6)?)?;
    let y = d4(s, 7)?;
    if s.get(11) != Some(&b':') || s.get(14) != Some(&b':') || s.get(17) != Some(&b':') {
        return None;
    }
    let h = d2(s, 12)?;
    let mi = d2(s, 15)?;
    let sec = d2(s, 18)?;
    let local = civil_to_ms(y, mo, d, h, mi, sec, 0)?;
    Some(local - parse_zone(s.get(20..)?)?)
}

/// A timestamp written without a year: month, day and the time of day (UTC after its zone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Yearless {
    /// 1..=12.
    pub month: u32,
    /// 1..=31 (whether the day exists depends on the year).
    pub day: u32,
    /// Milliseconds into the day, the zone offset already subtracted (may be negative or
    /// past one day for a zone other than UTC).
    pub ms: i64,
}

/// Reads a timestamp that has no year, or `None`:
/// - klog (Kubernetes, glog): `1127 18:02:11.123456` (`MMDD`, the level letter already
///   removed, as [`crate::parse`]'s prefix reader keeps it);
/// - syslog (RFC 3164): `Nov 27 18:02:11`, `Nov  7 18:02:11.123` (month names
///   case-insensitive).
///
/// Each optionally followed by a zone (`Z`, `UTC`, `+0100`, …; none → UTC). A year comes
/// from elsewhere: see [`YearRef`].
pub fn parse_yearless(s: &[u8]) -> Option<Yearless> {
    let s = s.trim_ascii();
    let (month, day, rest) = if s.first()?.is_ascii_digit() {
        // klog: MMDD then one or more spaces.
        if s.get(4) != Some(&b' ') {
            return None;
        }
        (d2(s, 0)?, d2(s, 2)?, s.get(5..)?)
    } else {
        let month = month_from_abbr(s.get(..3)?)?;
        let rest = s.get(3..)?;
        let n = rest.iter().take_while(|&&c| c == b' ').count();
        let rest = rest.get(n..)?;
        if n == 0 {
            return None;
        }
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        let day = match digits {
            1 => u32::from(*rest.first()? - b'0'),
            2 => d2(rest, 0)?,
            _ => return None,
        };
        if rest.get(digits) != Some(&b' ') {
            return None;
        }
        (month, day, rest.get(digits + 1..)?)
    };
    let n = rest.iter().take_while(|&&c| c == b' ').count();
    let t = rest.get(n..)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if t.get(2) != Some(&b':') || t.get(5) != Some(&b':') {
        return None;
    }
    let (h, mi, sec) = (d2(t, 0)?, d2(t, 3)?, d2(t, 6)?);
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut i = 8;
    let mut milli = 0u32;
    if let Some(b'.' | b',') = t.get(8) {
        i = 9;
        while let Some(c) = t.get(i).filter(|c| c.is_ascii_digit()) {
            if i < 12 {
                milli = milli * 10 + u32::from(c - b'0');
            }
            i += 1;
        }
        if i == 9 {
            return None;
        }
        for _ in i.min(12)..12 {
            milli *= 10;
        }
    }
    let offset = parse_zone(t.get(i..)?)?;
    let ms = i64::from(h) * 3_600_000
        + i64::from(mi) * 60_000
        + i64::from(sec) * 1000
        + i64::from(milli)
        - offset;
    Some(Yearless { month, day, ms })
}

/// Where timestamps without a year ([`Yearless`]) are placed: the instant the first of them
/// was read as. Every other one goes in the year that puts it from 31 days before that
/// instant to 334 days after it, so a log that runs past New Year (`1231 23:59:59` then
/// `0101 00:00:01`) moves on to the next year instead of jumping back eleven months, and
/// every chunk of an input reads the same instants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearRef(pub i64);

impl YearRef {
    /// The reference for `first`, the first timestamp without a year, read in the latest
    /// year that does not put it more than a day after `now_ms` (the current time: a log is
    /// not written in the future). `None` when `first` is not a date of any recent year.
    pub fn new(first: Yearless, now_ms: i64) -> Option<YearRef> {
        let (now_year, _, _) = civil_from_days(now_ms.div_euclid(MS_PER_DAY));
        (now_year - 4..=now_year)
            .rev()
            .filter_map(|y| yearless_in(first, y))
            .find(|&t| t <= now_ms + MS_PER_DAY)
            .map(YearRef)
    }

    /// `t` in the year chosen by this reference → epoch ms, UTC; `None` for a day that does
    /// not exist in that year (29 February of a common year).
    pub fn resolve(self, t: Yearless) -> Option<i64> {
        let (y, _, _) = civil_from_days(self.0.div_euclid(MS_PER_DAY));
        let lo = self.0 - 31 * MS_PER_DAY;
        let hi = self.0 + 334 * MS_PER_DAY;
        [y, y + 1, y - 1]
            .into_iter()
            .filter_map(|y| yearless_in(t, y))
            .find(|t| (lo..hi).contains(t))
    }
}

/// `t` in year `y` → epoch ms, or `None` when that day does not exist in `y`.
fn yearless_in(t: Yearless, y: i64) -> Option<i64> {
    if t.day > days_in_month(y, t.month) {
        return None;
    }
    Some(days_from_civil(y, t.month, t.day) * MS_PER_DAY + t.ms)
}

// Native only: proptest does not build for wasm32 (the wasm tests live in src/wasm.rs).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn written_zone_names_what_the_text_names() {
        let z = |t: &str| written_zone(t.as_bytes());
        assert_eq!(z("2026-11-27T18:02:11Z"), Some(Zone::Utc));
        assert_eq!(z("2026-11-27T18:02:11.123+00:00"), Some(Zone::Utc));
        assert_eq!(z("2026-11-27 18:02:11 UTC"), Some(Zone::Utc));
        assert_eq!(z("27/Nov/2026:18:02:11 +0000"), Some(Zone::Utc));
        assert_eq!(z("1764266531123"), Some(Zone::Utc));
        assert_eq!(z("2026-11-27T18:02:11.123+01:00"), Some(Zone::Offset(60)));
        assert_eq!(z("2026-11-27T18:02:11+0530"), Some(Zone::Offset(330)));
        assert_eq!(z("[27/Nov/2026:18:02:11 -0700]"), Some(Zone::Offset(-420)));
        assert_eq!(z("2026-11-27T18:02-07"), Some(Zone::Offset(-420)));
        assert_eq!(z("2026-11-27 18:02:11,123"), Some(Zone::Unnamed));
        assert_eq!(z("2026-11-27T18:02:11"), Some(Zone::Unnamed));
        assert_eq!(z("2026-11-07"), Some(Zone::Unnamed));
        assert_eq!(z("not a time"), None);
    }

    #[test]
    fn zones_round_trip_their_names_and_shift_only_the_display() {
        let zones = [
            Zone::Utc,
            Zone::Offset(60),
            Zone::Offset(-420),
            Zone::Offset(345),
            Zone::Unnamed,
        ];
        for zone in zones {
            assert_eq!(Zone::from_name(Some(&zone.name())), zone);
        }
        assert_eq!(Zone::from_name(None), Zone::Utc);
        assert_eq!(Zone::from_name(Some("+00:00")), Zone::Utc);
        assert_eq!(Zone::Offset(-420).name(), "-07:00");
        assert_eq!(Zone::Offset(60).suffix(), " UTC+01:00");
        assert_eq!(Zone::Unnamed.suffix(), "");
        let t = parse_timestamp(b"2026-11-27T17:40:00+01:00").unwrap_or(0);
        assert_eq!(
            format_rfc3339_ms(Zone::Offset(60).local_ms(t)),
            "2026-11-27T17:40:00.000Z"
        );
    }

    #[test]
    fn iso_rest_ms_z_reads_its_shape_only() {
        let m = 1_795_802_520_000; // 2026-11-27T18:02Z
        for base in [
            &b"2026-11-27T18:02:59.123Z"[..],
            b"2026-11-27T18:02:00.000Z",
        ] {
            assert_eq!(iso_rest_ms_z(base, m), iso_rest(base, m));
            assert!(iso_rest_ms_z(base, m).is_some());
            for at in 16..24 {
                for c in 0..=255u8 {
                    let mut s = base.to_vec();
                    s[at] = c;
                    let want = match at {
                        16 => c == b':',
                        19 => c == b'.',
                        23 => c == b'Z',
                        17 => (b'0'..=b'6').contains(&c) && (c < b'6' || s[18] == b'0'),
                        _ => c.is_ascii_digit(),
                    };
                    let got = iso_rest_ms_z(&s, m);
                    assert_eq!(got.is_some(), want, "{:?}", String::from_utf8_lossy(&s));
                    if want {
                        assert_eq!(got, iso_rest(&s, m));
                    }
                }
            }
        }
        assert_eq!(iso_rest_ms_z(b"2026-11-27T18:02:59.123Z ", m), None);
        assert_eq!(iso_rest_ms_z(b"2026-11-27T18:02:59.123", m), None);
    }

    #[test]
    fn cached_timestamps_equal_uncached() {
        let cases = [
            "2026-11-27T18:02:11Z",
            "2026-11-27T18:02:11.123Z",
            "2026-11-27T18:02:60.999Z",
            "2026-11-27T18:02:61.000Z",
            "2026-11-27T18:02:11.12aZ",
            "2026-11-27T18:02:1a.123Z",
            "2026-11-27T18:02:11.123z",
            "2026-11-27T18:02:11,123Z",
            "2026-11-27T18:02:11.1234",
            "2026-11-27T18:02:11.123Z ",
            "2026-11-27T18:02:59.999999+05:30",
            "2026-11-27T18:02:60Z",
            "2026-11-27T18:02:61Z",
            "2026-11-27T18:02:1Z",
            "2026-11-27T18:02:11.Z",
            "2026-11-27T18:02:11 x",
            "2026-11-27T18:02",
            "2026-11-27T18:02Z",
            "2026-11-27T18:0",
            "2026-11-27 18:02:11,5 UTC",
            "2026-11-27",
            "2026-11-27T24:00:00Z",
            "2026-02-30T10:00:00Z",
            "2026/11/27 18:02:11",
            "1764266531",
            "27/Nov/2026:18:02:11 +0000",
            " 2026-11-27T18:02:11Z",
            "2026-11-27T18:02:11Z ",
            "",
        ];
        let mut cache = TimestampCache::default();
        for round in 0..3 {
            for (i, a) in cases.iter().enumerate() {
                for b in &cases[i..] {
                    for s in [a, b, a] {
                        assert_eq!(
                            parse_timestamp_cached(s.as_bytes(), &mut cache),
                            parse_timestamp(s.as_bytes()),
                            "{s:?} (round {round})"
                        );
                    }
                }
            }
        }
    }

    fn ts(s: &str) -> Option<i64> {
        parse_timestamp(s.as_bytes())
    }
    fn dur(s: &str) -> Option<f64> {
        parse_duration_text(s.as_bytes())
    }
    const T0: i64 = 1_795_802_531_000; // 2026-11-27T18:02:11Z

    #[test]
    fn time_unit_basics() {
        assert_eq!(TimeUnit::Ns.to_ms(1_500_000.0), 1.5);
        assert_eq!(TimeUnit::Us.to_ms(1500.0), 1.5);
        assert_eq!(TimeUnit::Ms.to_ms(1.5), 1.5);
        assert_eq!(TimeUnit::S.to_ms(1.5), 1500.0);
        assert_eq!(TimeUnit::Min.to_ms(1.5), 90_000.0);
        for u in TimeUnit::ALL {
            assert_eq!(TimeUnit::from_name(u.name()), Some(u));
            assert_eq!(u.to_ms(1.0), u.ms_per_unit());
        }
        assert_eq!(TimeUnit::from_name("MS"), Some(TimeUnit::Ms));
        assert_eq!(TimeUnit::from_name("µs"), Some(TimeUnit::Us));
        assert_eq!(TimeUnit::from_name("seconds"), Some(TimeUnit::S));
        assert_eq!(TimeUnit::from_name("parsec"), None);
        assert_eq!(TimeUnit::from_name(""), None);
    }

    #[test]
    fn units_from_keys() {
        use TimeUnit::*;
        let cases: &[(&str, Option<TimeUnit>)] = &[
            ("responseTimeMs", Some(Ms)),
            ("latency_ms", Some(Ms)),
            ("duration_ms", Some(Ms)),
            ("elapsedMillis", Some(Ms)),
            ("ResponseTimeMS", Some(Ms)),
            ("http.server.duration_ms", Some(Ms)),
            ("ms", Some(Ms)),
            ("elapsed_s", Some(S)),
            ("duration_seconds", Some(S)),
            ("http_request_duration_seconds", Some(S)),
            ("request_time", Some(S)),
            ("requestTime", Some(S)),
            ("nginx.request_time", Some(S)),
            ("response_time_sec", Some(S)),
            ("upstream_response_time", Some(S)),
            ("upstream_connect_time", Some(S)),
            ("latency_us", Some(Us)),
            ("durationMicros", Some(Us)),
            ("duration_micros", Some(Us)),
            ("latencyµs", Some(Us)),
            ("latency_µs", Some(Us)),
            ("duration_ns", Some(Ns)),
            ("durationNanos", Some(Ns)),
            ("timeout_minutes", Some(Min)),
            ("duration", None),
            ("latency", None),
            ("elapsed", None),
            ("response_time", None),
            ("latency_min", None),
            ("ns", None),
            ("us", None),
            ("s", None),
            ("status", None),
            ("requests", None),
            ("", None),
            ("__", None),
            ("ÄÖÜ", None),
        ];
        for (k, want) in cases {
            assert_eq!(unit_from_key(k), *want, "{k}");
        }
    }

    #[test]
    fn durations() {
        let cases: &[(&str, f64)] = &[
            ("820ms", 820.0),
            ("820 ms", 820.0),
            (" 820MS ", 820.0),
            ("1.2s", 1200.0),
            ("1.2 S", 1200.0),
            ("68 micros", 0.068),
            ("68µs", 0.068),
            ("68μs", 0.068),
            ("68us", 0.068),
            ("150ns", 0.00015),
            ("2m", 120_000.0),
            ("2 min", 120_000.0),
            ("1m30s", 90_000.0),
            ("1m 30s", 90_000.0),
            ("1h2m3.5s", 3_723_500.0),
            ("1h", 3_600_000.0),
            ("1.5 hours", 5_400_000.0),
            ("1d", 86_400_000.0),
            (".5s", 500.0),
            ("3 seconds", 3000.0),
            ("12 milliseconds", 12.0),
            ("PT1.5S", 1500.0),
            ("pt1,5s", 1500.0),
            ("PT2M", 120_000.0),
            ("P0DT0H0M1.5S", 1500.0),
            ("PT1H2M3S", 3_723_000.0),
            ("P1D", 86_400_000.0),
            ("P1W", 604_800_000.0),
            ("P1DT1S", 86_401_000.0),
            ("00:00:01.500", 1500.0),
            ("1:02:03", 3_723_000.0),
            ("00:01:00", 60_000.0),
        ];
        for (s, want) in cases {
            let got = dur(s).unwrap_or_else(|| panic!("{s}"));
            assert!(
                (got - want).abs() <= 1e-9 * want.max(1.0),
                "{s}: {got} != {want}"
            );
        }
        for bad in [
            "",
            "-",
            "820",
            "1.5",
            "ms",
            "-5ms",
            "5 parsecs",
            "5ms5",
            "P",
            "PT",
            "P1Y",
            "P1M",
            "PT1S2H",
            "PT1S1S",
            "P1H",
            "1:2",
            "00:60:00",
            "00:00:61",
            "00:0a:00",
            "1..2s",
            "abc",
            "1e3ms",
            "5 ms ms",
            "null",
            "1:02:3",
        ] {
            assert_eq!(dur(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number(b"0"), Some(0.0));
        assert_eq!(parse_number(b"820"), Some(820.0));
        assert_eq!(parse_number(b"-820"), Some(-820.0));
        assert_eq!(parse_number(b"+7"), Some(7.0));
        assert_eq!(parse_number(b"1.25"), Some(1.25));
        assert_eq!(parse_number(b"-1.5e3"), Some(-1500.0));
        assert_eq!(parse_number(b"1E-3"), Some(0.001));
        assert_eq!(
            parse_number(b"123456789012345678"),
            Some(123456789012345678.0)
        );
        assert_eq!(
            parse_number(b"12345678901234567890123"),
            Some(12345678901234567890123.0)
        );
        assert_eq!(parse_number(b".5"), Some(0.5));
        for bad in [
            &b""[..],
            b"-",
            b"+",
            b"NaN",
            b"nan",
            b"inf",
            b"-Infinity",
            b"0x10",
            b"1.2.3",
            b"12a",
            b" 1",
            b"1e400",
            b"--1",
            b"\xff",
        ] {
            assert_eq!(parse_number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn rfc3339_and_iso() {
        assert_eq!(ts("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(ts("2026-11-27T18:02:11Z"), Some(T0));
        assert_eq!(ts("2026-11-27T18:02:11.123Z"), Some(T0 + 123));
        assert_eq!(ts("2026-11-27T18:02:11.1Z"), Some(T0 + 100));
        assert_eq!(ts("2026-11-27T18:02:11.123456789Z"), Some(T0 + 123));
        assert_eq!(ts("2026-11-27T18:02:11.9999999999999Z"), Some(T0 + 999));
        assert_eq!(ts("2026-11-27t18:02:11z"), Some(T0));
        assert_eq!(ts("2026-11-27 18:02:11"), Some(T0));
        assert_eq!(ts("2026-11-27 18:02:11,123"), Some(T0 + 123));
        assert_eq!(ts("2026-11-27T18:02:11"), Some(T0));
        assert_eq!(ts("2026/11/27 18:02:11"), Some(T0));
        assert_eq!(ts("2026-11-27T18:02Z"), Some(T0 - 11_000));
        assert_eq!(
            ts("2026-11-27"),
            Some(T0 - (18 * 3600 + 2 * 60 + 11) * 1000)
        );
        // Offsets.
        let ist = ts("2026-11-27T18:02:11+05:30");
        assert_eq!(ist, ts("2026-11-27T12:32:11Z"));
        assert_eq!(ist, Some(T0 - 5 * 3_600_000 - 30 * 60_000));
        assert_eq!(ts("2026-11-27T18:02:11+0530"), ist);
        assert_eq!(ts("2026-11-27T18:02:11 +05:30"), ist);
        assert_eq!(ts("2026-11-27T18:02:11-07"), Some(T0 + 7 * 3_600_000));
        assert_eq!(
            ts("2026-11-27T18:02:11.5-07:00"),
            Some(T0 + 7 * 3_600_000 + 500)
        );
        assert_eq!(ts("2026-11-27T18:02:11+00:00"), Some(T0));
        assert_eq!(ts("2026-11-27 18:02:11 UTC"), Some(T0));
        assert_eq!(ts("2026-11-27T18:02:11GMT"), Some(T0));
        // Leap second rolls over.
        assert_eq!(ts("2016-12-31T23:59:60Z"), ts("2017-01-01T00:00:00Z"));
        // Surrounding noise.
        assert_eq!(ts("  2026-11-27T18:02:11Z\n"), Some(T0));
        assert_eq!(ts("\"2026-11-27T18:02:11Z\""), Some(T0));
        assert_eq!(ts("[2026-11-27T18:02:11Z]"), Some(T0));
        // Invalid.
        for bad in [
            "2026-13-01T00:00:00Z",
            "2026-00-01T00:00:00Z",
            "2026-02-29T00:00:00Z",
            "2026-04-31",
            "2026-11-27T24:00:00Z",
            "2026-11-27T18:60:00Z",
            "2026-11-27T18:02:61Z",
            "2026-11-27T18:02:11.Z",
            "2026-11-27T18:02:11+25:00",
            "2026-11-27T18:02:11+05:3",
            "2026-11-27T18:02:11 Z junk",
            "2026-11-27X18:02:11Z",
            "2026-11/27",
            "2026-1-27",
            "20261127",
            "",
            "-",
            "Nov 27 18:02:11",
            "Nov  7 18:02:11",
            "yesterday",
        ] {
            assert_eq!(ts(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn leap_years() {
        assert!(is_leap_year(2024) && is_leap_year(2000) && is_leap_year(0));
        assert!(!is_leap_year(2026) && !is_leap_year(1900) && !is_leap_year(2100));
        assert!(ts("2024-02-29T00:00:00Z").is_some());
        assert!(ts("2000-02-29T00:00:00Z").is_some());
        assert_eq!(ts("1900-02-29T00:00:00Z"), None);
        assert_eq!(ts("2100-02-29T00:00:00Z"), None);
        assert_eq!(
            ts("2024-03-01T00:00:00Z").unwrap() - ts("2024-02-28T00:00:00Z").unwrap(),
            2 * MS_PER_DAY
        );
        assert_eq!(
            ts("2026-03-01T00:00:00Z").unwrap() - ts("2026-02-28T00:00:00Z").unwrap(),
            MS_PER_DAY
        );
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(civil_from_days(-719_468), (0, 3, 1));
        // Every day of 0000..=9999 round-trips.
        let mut z = days_from_civil(0, 1, 1);
        for y in 0..=9999i64 {
            for m in 1..=12 {
                for d in 1..=days_in_month(y, m) {
                    assert_eq!(days_from_civil(y, m, d), z);
                    assert_eq!(civil_from_days(z), (y, m, d));
                    z += 1;
                }
            }
        }
    }

    #[test]
    fn yearless_timestamps() {
        let yl = |s: &str| parse_yearless(s.as_bytes());
        let day = T0 - T0.rem_euclid(MS_PER_DAY);
        let at = |month, d, ms| Some(Yearless { month, day: d, ms });
        let t = T0 - day; // 18:02:11 into the day
        assert_eq!(yl("1127 18:02:11"), at(11, 27, t));
        assert_eq!(yl("1127 18:02:11.123456"), at(11, 27, t + 123));
        assert_eq!(yl("1127   18:02:11.1"), at(11, 27, t + 100));
        assert_eq!(yl("Nov 27 18:02:11"), at(11, 27, t));
        assert_eq!(yl("nov 27 18:02:11,5"), at(11, 27, t + 500));
        assert_eq!(yl("Nov  7 18:02:11"), at(11, 7, t));
        assert_eq!(yl("Nov 7 18:02:11"), at(11, 7, t));
        assert_eq!(yl("Nov 27 18:02:11 +0100"), at(11, 27, t - 3_600_000));
        assert_eq!(yl("Nov 27 18:02:11 UTC"), at(11, 27, t));
        for bad in [
            "",
            "1327 18:02:11",
            "1100 18:02:11",
            "1127 24:02:11",
            "1127 18:02",
            "1127 18:02:11.",
            "1127 18:02:11 junk",
            "11270 18:02:11",
            "Foo 27 18:02:11",
            "Nov 127 18:02:11",
            "Nov27 18:02:11",
            "2026-11-27 18:02:11",
            "Nov 27",
        ] {
            assert_eq!(yl(bad), None, "{bad:?}");
        }
        // Never in the future: read in the year of `now`, or the year before.
        let now = T0 + MS_PER_DAY; // 2026-11-28
        let first = yl("1127 18:02:11").unwrap_or(Yearless {
            month: 0,
            day: 0,
            ms: 0,
        });
        let r = YearRef::new(first, now);
        assert_eq!(r, Some(YearRef(T0)));
        let dec = yl("1231 23:00:00").and_then(|f| YearRef::new(f, now));
        assert_eq!(dec.map(|r| r.0), ts("2025-12-31T23:00:00Z"));
        // A log that runs past New Year moves on to the next year, and back a little.
        let dec = dec.unwrap_or(YearRef(0));
        let res = |s: &str| yl(s).and_then(|t| dec.resolve(t));
        assert_eq!(res("0101 00:00:01"), ts("2026-01-01T00:00:01Z"));
        assert_eq!(res("1231 22:59:00"), ts("2025-12-31T22:59:00Z"));
        assert_eq!(res("1215 10:00:00"), ts("2025-12-15T10:00:00Z"));
        assert_eq!(res("1101 10:00:00"), ts("2026-11-01T10:00:00Z"));
        // 29 February only in a leap year.
        let leap = YearRef(ts("2028-02-01T00:00:00Z").unwrap_or(0));
        assert_eq!(
            yl("0229 12:00:00").and_then(|t| leap.resolve(t)),
            ts("2028-02-29T12:00:00Z")
        );
        assert_eq!(yl("0229 12:00:00").and_then(|t| dec.resolve(t)), None);
        assert_eq!(
            yl("0229 12:00:00").and_then(|t| YearRef::new(t, now)),
            ts("2024-02-29T12:00:00Z").map(YearRef)
        );
    }

    #[test]
    fn common_log_format() {
        assert_eq!(ts("27/Nov/2026:18:02:11 +0000"), Some(T0));
        assert_eq!(ts("[27/Nov/2026:18:02:11 +0000]"), Some(T0));
        assert_eq!(ts("27/nov/2026:18:02:11"), Some(T0));
        assert_eq!(ts("27/Nov/2026:23:32:11 +0530"), Some(T0));
        assert_eq!(ts("27/Nov/2026:11:02:11 -0700"), Some(T0));
        assert_eq!(ts("27/Foo/2026:18:02:11 +0000"), None);
        assert_eq!(ts("31/Nov/2026:18:02:11 +0000"), None);
        assert_eq!(ts("27/Nov/2026 18:02:11 +0000"), None);
    }

    #[test]
    fn epoch_numbers() {
        assert_eq!(ts("1795802531"), Some(T0));
        assert_eq!(ts("1795802531.123"), Some(T0 + 123));
        assert_eq!(ts("1795802531123"), Some(T0 + 123));
        assert_eq!(ts("1795802531123456"), Some(T0 + 123));
        assert_eq!(ts("1795802531123999999"), Some(T0 + 123));
        assert_eq!(ts("1795802531123000000"), Some(T0 + 123));
        assert_eq!(epoch_number_to_ms(1_795_802_531.0), Some(T0));
        assert_eq!(epoch_number_to_ms(1_795_802_531.123), Some(T0 + 123));
        assert_eq!(epoch_number_to_ms(1_795_802_531.999_9), Some(T0 + 999));
        assert_eq!(epoch_number_to_ms(1_795_802_531_123.0), Some(T0 + 123));
        assert_eq!(epoch_number_to_ms(1_795_802_531_123.9), Some(T0 + 123));
        assert_eq!(epoch_number_to_ms(1_795_802_531_123_456.0), Some(T0 + 123));
        assert_eq!(epoch_number_to_ms(1.795_802_531_123_456e18), Some(T0 + 123));
        assert_eq!(epoch_number_to_ms(631_152_000.0), Some(631_152_000_000));
        for bad in [
            0.0,
            -1.0,
            1e3,
            631_151_999.0, // 1989
            7_258_118_400.0,
            1e10, // between seconds and ms
            1e13,
            1e20,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert_eq!(epoch_number_to_ms(bad), None, "{bad}");
        }
        assert_eq!(ts("123"), None);
        assert_eq!(ts("99999999999999999999"), None);
        assert_eq!(ts("1795802531x"), None);
    }

    #[test]
    fn formatting() {
        assert_eq!(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_rfc3339_ms(T0 + 123), "2026-11-27T18:02:11.123Z");
        assert_eq!(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(
            format_rfc3339_ms(ts("2024-02-29T12:00:00.007Z").unwrap()),
            "2024-02-29T12:00:00.007Z"
        );
        assert_eq!(format_rfc3339_ms(i64::MIN), "0000-01-01T00:00:00.000Z");
        assert_eq!(format_rfc3339_ms(i64::MAX), "9999-12-31T23:59:59.999Z");
        assert_eq!(ts(&format_rfc3339_ms(MAX_FORMAT_MS)), Some(MAX_FORMAT_MS));
        assert_eq!(ts(&format_rfc3339_ms(MIN_FORMAT_MS)), Some(MIN_FORMAT_MS));
    }

    proptest! {
        #[test]
        fn round_trip_1990_2100(ms in 631_152_000_000i64..4_102_444_800_000) {
            let s = format_rfc3339_ms(ms);
            prop_assert_eq!(s.len(), 24);
            prop_assert_eq!(parse_timestamp(s.as_bytes()), Some(ms));
            // Same instant through the epoch-number paths.
            prop_assert_eq!(parse_timestamp(ms.to_string().as_bytes()), Some(ms));
            prop_assert_eq!(epoch_number_to_ms(ms as f64), Some(ms));
            prop_assert_eq!(epoch_number_to_ms(ms as f64 / 1000.0), Some(ms));
            prop_assert_eq!(parse_timestamp(format!("{}", ms * 1000 + 999).as_bytes()), Some(ms));
        }

        #[test]
        fn round_trip_any_year(ms in MIN_FORMAT_MS..=MAX_FORMAT_MS) {
            let s = format_rfc3339_ms(ms);
            prop_assert_eq!(parse_timestamp(s.as_bytes()), Some(ms));
        }

        #[test]
        fn offsets_agree(ms in 631_152_000_000i64..4_102_444_800_000, off_min in -(23 * 60 + 59)..(23 * 60 + 59i64)) {
            // Writing local time with its offset gives back the same instant.
            let local = format_rfc3339_ms(ms + off_min * 60_000);
            let sign = if off_min < 0 { '-' } else { '+' };
            let a = off_min.abs();
            let text = format!("{}{}{:02}:{:02}", &local[..23], sign, a / 60, a % 60);
            prop_assert_eq!(parse_timestamp(text.as_bytes()), Some(ms));
        }

        #[test]
        fn garbage_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
            let _ = parse_timestamp(&bytes);
            let _ = parse_yearless(&bytes);
            let _ = parse_duration_text(&bytes);
            let _ = parse_number(&bytes);
            if let Ok(s) = std::str::from_utf8(&bytes) {
                let _ = unit_from_key(s);
                let _ = TimeUnit::from_name(s);
            }
        }

        #[test]
        fn near_miss_text_never_panics(s in "[0-9PTMSHDWmsuµnhd:.,+\\-/ Z]{0,30}") {
            let _ = parse_timestamp(s.as_bytes());
            if let Some(v) = parse_duration_text(s.as_bytes()) {
                prop_assert!(v.is_finite() && v >= 0.0);
            }
            let _ = parse_number(s.as_bytes());
            let _ = unit_from_key(&s);
        }

        #[test]
        fn any_number_never_panics(n in any::<f64>(), ms in any::<i64>(), bits in any::<u64>()) {
            let _ = epoch_number_to_ms(n);
            let _ = epoch_number_to_ms(f64::from_bits(bits));
            prop_assert_eq!(format_rfc3339_ms(ms).len(), 24);
        }

        #[test]
        fn integers_parse_exactly(v in any::<i64>()) {
            prop_assert_eq!(parse_number(v.to_string().as_bytes()), Some(v as f64));
        }

        #[test]
        fn decimals_match_std(v in any::<f64>().prop_filter("finite", |v| v.is_finite())) {
            let s = v.to_string();
            prop_assert_eq!(parse_number(s.as_bytes()), Some(v));
        }
    }

    /// Rough speed check: `cargo test --release -- --ignored --nocapture bench_parse`.
    #[test]
    #[ignore]
    fn bench_parse_timestamp() {
        let lines: Vec<String> = (0..100_000i64)
            .map(|i| {
                let s = format_rfc3339_ms(T0 + i * 7_919);
                if i % 2 == 0 {
                    s
                } else {
                    format!("{}+05:30", &s[..23])
                }
            })
            .collect();
        let rounds = 50;
        let mut acc = 0i64;
        let t = std::time::Instant::now();
        for _ in 0..rounds {
            for l in &lines {
                acc = acc
                    .wrapping_add(parse_timestamp(std::hint::black_box(l.as_bytes())).unwrap_or(0));
            }
        }
        let ns = t.elapsed().as_nanos() as f64 / (rounds * lines.len()) as f64;
        println!("parse_timestamp: {ns:.2} ns/call ({acc})");
        let nums: Vec<String> = (0..100_000).map(|i| (i * 37 % 5000).to_string()).collect();
        let t = std::time::Instant::now();
        let mut sum = 0.0;
        for _ in 0..rounds {
            for n in &nums {
                sum += parse_number(std::hint::black_box(n.as_bytes())).unwrap_or(0.0);
            }
        }
        let ns = t.elapsed().as_nanos() as f64 / (rounds * nums.len()) as f64;
        println!("parse_number (integers): {ns:.2} ns/call ({sum})");
    }
}
