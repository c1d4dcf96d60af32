//! Schema: which field is the latency, the status, the group and the timestamp.
//!
//! Chosen from the first records (by default 2 000 records or 4 MiB) by key name and by
//! value shape, then fixed for the whole input so that every chunk of it is read the same
//! way. Every choice can be overridden; the choice and the alternatives are reported.

use crate::parse::ValRef;
use crate::units::{self, TimeUnit};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// How latency values are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LatencyUnit {
    /// Numbers in this unit (text values like `"820ms"` are still read with their unit).
    Unit(TimeUnitName),
    /// Text with a unit on every value (`"820ms"`, `"1.2s"`); bare numbers read as ms.
    Text,
}

/// Serializable mirror of [`TimeUnit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnitName {
    Ns,
    Us,
    Ms,
    S,
    Min,
}

impl From<TimeUnit> for TimeUnitName {
    fn from(u: TimeUnit) -> Self {
        match u {
            TimeUnit::Ns => TimeUnitName::Ns,
            TimeUnit::Us => TimeUnitName::Us,
            TimeUnit::Ms => TimeUnitName::Ms,
            TimeUnit::S => TimeUnitName::S,
            TimeUnit::Min => TimeUnitName::Min,
        }
    }
}

impl From<TimeUnitName> for TimeUnit {
    fn from(u: TimeUnitName) -> Self {
        match u {
            TimeUnitName::Ns => TimeUnit::Ns,
            TimeUnitName::Us => TimeUnit::Us,
            TimeUnitName::Ms => TimeUnit::Ms,
            TimeUnitName::S => TimeUnit::S,
            TimeUnitName::Min => TimeUnit::Min,
        }
    }
}

impl LatencyUnit {
    pub fn name(self) -> &'static str {
        match self {
            LatencyUnit::Text => "text",
            LatencyUnit::Unit(u) => TimeUnit::from(u).name(),
        }
    }

    /// A latency value in milliseconds, or None when the value is not a duration.
    #[inline]
    pub fn to_ms(self, v: ValRef<'_>) -> Option<f64> {
        if let ValRef::Num(n) = v {
            if let Some(ms) = self.plain_ms(n.as_bytes()) {
                return Some(ms);
            }
        }
        self.to_ms_any(v)
    }

    /// [`to_ms`](Self::to_ms) of a number written `n`, when it is a plain integer of
    /// milliseconds (`76`): what `to_ms_any` returns for it (`parse_number` reads up to 18
    /// digits exactly; the result is finite and ≥ 0). `None`: not that case, ask `to_ms`.
    #[inline]
    pub fn plain_ms(self, n: &[u8]) -> Option<f64> {
        if self != LatencyUnit::Unit(TimeUnitName::Ms) || n.is_empty() || n.len() > 18 {
            return None;
        }
        // At most 18 digits: below 10^18, no overflow, and `i64 → f64` (one instruction)
        // rounds as `parse_number`'s `u64 → f64` does.
        let mut x: i64 = 0;
        for &c in n {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return None;
            }
            x = x * 10 + i64::from(d);
        }
        Some(x as f64)
    }

    /// [`to_ms`](Self::to_ms) of any value, without its [`plain_ms`](Self::plain_ms) step.
    #[inline(never)]
    pub(crate) fn to_ms_any(self, v: ValRef<'_>) -> Option<f64> {
        let ms = match v {
            ValRef::Num(n) => {
                let x = units::parse_number(n.as_bytes())?;
                match self {
                    LatencyUnit::Unit(u) => TimeUnit::from(u).to_ms(x),
                    LatencyUnit::Text => x,
                }
            }
            ValRef::Str(s) => match units::parse_duration_text(s.as_bytes()) {
                Some(ms) => ms,
                None => {
                    let x = units::parse_number(s.trim().as_bytes())?;
                    match self {
                        LatencyUnit::Unit(u) => TimeUnit::from(u).to_ms(x),
                        LatencyUnit::Text => x,
                    }
                }
            },
            _ => return None,
        };
        (ms.is_finite() && ms >= 0.0).then_some(ms)
    }
}

/// How status values are judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    /// HTTP status codes: ≥ 500, 408 and 504 are errors.
    Http,
    /// Outcome words: OK/success vs Error/Timeout/failure…
    Outcome,
    /// A log level: error, fatal, critical (and worse) are errors; as a number, pino's and
    /// bunyan's levels (50 error, 60 fatal).
    Level,
    /// A boolean flag named like `error`/`failed` (true = error).
    ErrorFlag,
    /// A boolean flag named like `success`/`ok` (false = error).
    SuccessFlag,
}

impl StatusKind {
    /// Whether this status value means the request failed.
    #[inline]
    pub fn is_error(self, v: ValRef<'_>) -> bool {
        match (self, v) {
            (StatusKind::ErrorFlag, ValRef::Bool(b)) => b,
            (StatusKind::SuccessFlag, ValRef::Bool(b)) => !b,
            (StatusKind::Level, ValRef::Num(n)) => {
                units::parse_number(n.as_bytes()).is_some_and(|l| l >= 50.0)
            }
            (_, ValRef::Num(n)) => http_is_error(n),
            (_, ValRef::Str(s)) => word_is_error(s),
            _ => false,
        }
    }
}

#[inline]
fn http_is_error(n: &str) -> bool {
    match units::parse_number(n.as_bytes()) {
        Some(c) => (500.0..600.0).contains(&c) || c == 408.0,
        None => false,
    }
}

/// `x` with three significant digits, as a person writes it (`0.103`, `2.5`, `0.00082`), not
/// the 17 digits of a float.
fn three_digits(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{x}");
    }
    let decimals = (2 - x.abs().log10().floor() as i64).clamp(0, 12) as usize;
    let t = format!("{x:.decimals$}");
    if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    }
}

/// Outcome words, levels and HTTP codes written as text.
pub fn word_is_error(s: &str) -> bool {
    let s = s.trim();
    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()) {
        return http_is_error(s);
    }
    if s.len() > 40 {
        return false;
    }
    let mut buf = [0u8; 40];
    let lower = &mut buf[..s.len()];
    lower.copy_from_slice(s.as_bytes());
    lower.make_ascii_lowercase();
    let w: &[u8] = lower;
    matches!(
        w,
        b"error"
            | b"err"
            | b"fail"
            | b"failed"
            | b"failure"
            | b"timeout"
            | b"timed_out"
            | b"timedout"
            | b"timed out"
            | b"deadline_exceeded"
            | b"exception"
            | b"fatal"
            | b"crit"
            | b"critical"
            | b"alert"
            | b"emerg"
            | b"emergency"
            | b"panic"
            | b"5xx"
            | b"aborted"
            | b"unavailable"
            | b"internal"
            | b"rejected"
            | b"ko"
            | b"nok"
            | b"false"
    ) || contains(w, b"error")
        || contains(w, b"fail")
        || contains(w, b"timeout")
        || contains(w, b"exception")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn is_outcome_word(s: &str) -> bool {
    let l = s.trim().to_ascii_lowercase();
    word_is_error(&l)
        || matches!(
            l.as_str(),
            "ok" | "success"
                | "succeeded"
                | "successful"
                | "pass"
                | "passed"
                | "done"
                | "completed"
                | "complete"
                | "true"
                | "2xx"
                | "accepted"
                | "cancelled"
                | "canceled"
        )
}

/// pino's and bunyan's numeric levels (10 trace … 60 fatal), every value of the field.
fn is_numeric_level(nums: &[f64], present: u32) -> bool {
    !nums.is_empty()
        && nums.len() as u32 >= present.min(4096)
        && nums
            .iter()
            .all(|&l| [10.0, 20.0, 30.0, 40.0, 50.0, 60.0].contains(&l))
}

fn is_level_word(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "trace"
            | "debug"
            | "info"
            | "information"
            | "notice"
            | "warn"
            | "warning"
            | "error"
            | "err"
            | "fatal"
            | "crit"
            | "critical"
            | "alert"
            | "emerg"
            | "panic"
    )
}

/// The fields chosen for each role.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    pub latency: Option<String>,
    pub latency_unit: Option<LatencyUnit>,
    pub status: Option<String>,
    pub status_kind: Option<StatusKind>,
    pub group: Option<String>,
    pub time: Option<String>,
    /// For a time field written without a year (klog `1127 18:02:11.123456`, syslog `Nov 27
    /// 18:02:11`): the epoch ms its first value was read as ([`units::YearRef`]), which
    /// places every other one in its year. `None` otherwise.
    #[serde(default)]
    pub time_year_ref: Option<i64>,
    /// The zone the time field's values name, most of them ([`units::written_zone`]): what
    /// times are shown in. `None` without a time field.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// The records are JSON lines whose `log` string holds the record (Docker's json-file
    /// driver): read it ([`crate::parse::Parser::inner_log`]).
    #[serde(default)]
    pub inner_log: bool,
    /// Fields whose values are URL paths or URLs: counted per route ([`route_of`]), so the
    /// diagnosis sees `/api/users/{id}` where each request names another user.
    #[serde(default)]
    pub routes: Vec<String>,
    /// Alternatives per role, best first.
    pub candidates: crate::summary::Candidates,
    /// What the user should know about these choices.
    pub warnings: Vec<String>,
}

/// User overrides (field names). Empty strings are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Overrides {
    pub group_by: Option<String>,
    pub latency: Option<String>,
    /// `ms`, `s`, `us`, `ns`, `min` or `text`.
    pub latency_unit: Option<String>,
    pub status: Option<String>,
    pub time: Option<String>,
}

const MAX_VALUES: usize = 256;
/// Distinct zones counted per field (a log names one, or two across a change of daylight
/// saving time).
const MAX_ZONES: usize = 8;

/// Median of a unitless latency field's whole values from which they are read as
/// nanoseconds: 10⁶ is 1 ms as nanoseconds, 1 s as microseconds, and 17 minutes as
/// milliseconds.
const NS_MEDIAN: f64 = 1e6;

/// What detection saw of one field.
#[derive(Debug, Default, Clone)]
struct Obs {
    present: u32,
    nums: Vec<f64>,
    strs: u32,
    bools: u32,
    dur_text: u32,
    ts_text: u32,
    epoch_num: u32,
    /// Timestamps without a year ([`units::parse_yearless`]), and the first of them.
    yearless: u32,
    first_yearless: Option<units::Yearless>,
    /// How many timestamp values name each zone (at most [`MAX_ZONES`] zones).
    zones: Vec<(units::Zone, u32)>,
    http_like: u32,
    /// String values that are URL paths (`/…`) or URLs (`https://host/…`).
    paths: u32,
    /// Counts per route of those values ([`route_of`]), while at most [`MAX_VALUES`].
    routes: FxHashMap<String, u32>,
    too_many_routes: bool,
    outcome_words: u32,
    level_words: u32,
    values: FxHashMap<String, u32>,
    too_many_values: bool,
    order: usize,
}

impl Obs {
    /// Its values are URL paths or URLs (80% of those seen): read per route.
    fn is_paths(&self) -> bool {
        self.paths as f64 >= 0.8 * self.present.max(1) as f64
    }
}

/// Collects observations from the first records, then decides.
#[derive(Debug, Default)]
pub struct Detector {
    fields: FxHashMap<String, Obs>,
    records: u32,
    /// (field values of the record as text, latency-candidate values) kept for the group
    /// fallback, which needs per-value latency. Bounded by the detection sample.
    rows: Vec<Vec<(u16, String)>>,
    names: Vec<String>,
    /// The current time (epoch ms), which places timestamps written without a year.
    now_ms: Option<i64>,
}

impl Detector {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn records(&self) -> u32 {
        self.records
    }

    /// The current time (epoch ms): timestamps written without a year (klog, syslog) are read
    /// in the latest year that does not put them in the future ([`units::YearRef`]).
    /// Without it such timestamps are not read.
    pub fn set_now(&mut self, now_ms: Option<i64>) {
        self.now_ms = now_ms;
    }

    /// Observe one record's members.
    pub fn observe<'a>(&mut self, members: impl Iterator<Item = (&'a str, ValRef<'a>)>) {
        self.records += 1;
        let mut row = Vec::new();
        for (key, v) in members {
            let n = self.fields.len();
            let obs = match self.fields.get_mut(key) {
                Some(o) => o,
                None => {
                    if n >= 512 {
                        continue;
                    }
                    self.names.push(key.to_string());
                    self.fields.entry(key.to_string()).or_insert(Obs {
                        order: n,
                        ..Obs::default()
                    })
                }
            };
            obs.present += 1;
            let text = v.text();
            match v {
                ValRef::Num(n) => {
                    if let Some(x) = units::parse_number(n.as_bytes()) {
                        if obs.nums.len() < 4096 {
                            obs.nums.push(x);
                        }
                        if x.fract() == 0.0 && (100.0..600.0).contains(&x) {
                            obs.http_like += 1;
                        }
                        if units::epoch_number_to_ms(x).is_some() {
                            obs.epoch_num += 1;
                        }
                    }
                }
                ValRef::Str(s) => {
                    obs.strs += 1;
                    if units::parse_duration_text(s.as_bytes()).is_some() {
                        obs.dur_text += 1;
                    }
                    if let Some(z) = units::written_zone(s.as_bytes()) {
                        obs.ts_text += 1;
                        let full = obs.zones.len() >= MAX_ZONES;
                        match obs.zones.iter_mut().find(|(k, _)| *k == z) {
                            Some((_, n)) => *n += 1,
                            None if !full => obs.zones.push((z, 1)),
                            None => {}
                        }
                    } else if let Some(t) = units::parse_yearless(s.as_bytes()) {
                        obs.yearless += 1;
                        obs.first_yearless.get_or_insert(t);
                    }
                    if is_outcome_word(s) {
                        obs.outcome_words += 1;
                    }
                    if is_level_word(s) {
                        obs.level_words += 1;
                    }
                    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()) {
                        obs.http_like += 1;
                    }
                    if is_url_path(s) {
                        obs.paths += 1;
                        if !obs.too_many_routes {
                            let mut r = String::new();
                            let route = if route_of(s, &mut r) {
                                r
                            } else {
                                s.to_string()
                            };
                            if obs.routes.len() < MAX_VALUES || obs.routes.contains_key(&route) {
                                *obs.routes.entry(route).or_insert(0) += 1;
                            } else {
                                obs.too_many_routes = true;
                                obs.routes = FxHashMap::default();
                            }
                        }
                    }
                }
                ValRef::Bool(_) => obs.bools += 1,
                _ => {}
            }
            if !obs.too_many_values && !matches!(v, ValRef::Raw(_) | ValRef::Null) {
                if obs.values.len() < MAX_VALUES || obs.values.contains_key(text) {
                    *obs.values.entry(text.to_string()).or_insert(0) += 1;
                } else {
                    obs.too_many_values = true;
                    obs.values = FxHashMap::default();
                }
            }
            if text.len() <= 200 {
                row.push((obs.order as u16, text.to_string()));
            }
        }
        self.rows.push(row);
    }

    /// Decide the schema, honouring `ov`.
    pub fn decide(&self, ov: &Overrides) -> Schema {
        let mut schema = Schema::default();
        let n = self.records.max(1) as f64;
        let mut names: Vec<&String> = self.names.iter().collect();
        names.sort_by_key(|k| self.fields.get(*k).map(|o| o.order).unwrap_or(0));

        // Time.
        let mut time: Vec<(f64, &String)> = names
            .iter()
            .filter_map(|k| {
                let o = self.fields.get(*k)?;
                let yearless = if self.now_ms.is_some() { o.yearless } else { 0 };
                let share = (o.ts_text + o.epoch_num + yearless) as f64 / o.present.max(1) as f64;
                if share < 0.8 || o.present as f64 / n < 0.5 {
                    return None;
                }
                Some((time_name_score(k) + share, *k))
            })
            .collect();
        sort_desc(&mut time);

        // Latency.
        let mut lat: Vec<(f64, &String)> = names
            .iter()
            .filter_map(|k| {
                let o = self.fields.get(*k)?;
                let numeric = o.nums.len() as f64 / o.present.max(1) as f64;
                let text = o.dur_text as f64 / o.present.max(1) as f64;
                let name = latency_name_score(k);
                if o.epoch_num as f64 > 0.5 * o.present as f64 && name < 2.0 {
                    return None;
                }
                let nonneg = o.nums.iter().all(|x| *x >= 0.0);
                let fit = if text >= 0.8 {
                    1.0
                } else if numeric >= 0.8 && nonneg {
                    0.5
                } else {
                    return None;
                };
                if name <= 0.0 && text < 0.8 {
                    return None;
                }
                Some((name + fit, *k))
            })
            .collect();
        sort_desc(&mut lat);

        // Status.
        let mut status: Vec<(f64, &String, StatusKind)> = names
            .iter()
            .filter_map(|k| {
                let o = self.fields.get(*k)?;
                let p = o.present.max(1) as f64;
                let name = status_name_score(k);
                let lk = k.to_ascii_lowercase();
                let kind = if o.bools as f64 / p >= 0.8 {
                    if lk.contains("error") || lk.contains("fail") || lk.contains("timeout") {
                        StatusKind::ErrorFlag
                    } else if lk.contains("success") || lk == "ok" {
                        StatusKind::SuccessFlag
                    } else {
                        return None;
                    }
                } else if o.http_like as f64 / p >= 0.8 && name > 0.0 {
                    StatusKind::Http
                } else if o.outcome_words as f64 / p >= 0.5
                    && o.level_words as f64 / p < 0.5
                    && o.values.len() <= 64
                {
                    StatusKind::Outcome
                } else if o.level_words as f64 / p >= 0.8
                    || (name == 1.0 && is_numeric_level(&o.nums, o.present))
                {
                    StatusKind::Level
                } else {
                    return None;
                };
                let bonus = match kind {
                    StatusKind::Level => -1.5,
                    _ => 0.0,
                };
                Some((name + bonus + 1.0, *k, kind))
            })
            .collect();
        status.sort_by(|a, b| b.0.total_cmp(&a.0));

        schema.candidates.time = time.iter().map(|x| x.1.clone()).collect();
        schema.candidates.latency = lat.iter().map(|x| x.1.clone()).collect();
        schema.candidates.status = status.iter().map(|x| x.1.clone()).collect();

        // Apply overrides / first choices.
        schema.time = pick(&ov.time, &schema.candidates.time);
        self.year_ref(&mut schema, &names);
        schema.time_zone = schema.time.as_ref().map(|k| self.zone_of(k).name());
        schema.latency = pick(&ov.latency, &schema.candidates.latency);
        schema.status = pick(&ov.status, &schema.candidates.status);
        schema.status_kind = schema.status.as_ref().map(|s| {
            status
                .iter()
                .find(|x| x.1 == s)
                .map(|x| x.2)
                .unwrap_or_else(|| self.guess_status_kind(s))
        });

        schema.latency_unit = schema.latency.as_ref().map(|k| {
            if let Some(u) = ov.latency_unit.as_deref().and_then(parse_unit_override) {
                return u;
            }
            self.guess_unit(k, &mut schema.warnings)
        });

        // Group.
        let taken: Vec<&String> = [&schema.latency, &schema.status, &schema.time]
            .into_iter()
            .flatten()
            .collect();
        let mut group: Vec<(f64, &String)> = names
            .iter()
            .filter(|k| !taken.contains(k))
            .filter_map(|k| {
                let o = self.fields.get(*k)?;
                if o.too_many_values || o.values.is_empty() {
                    return None;
                }
                // Docker's and Kubernetes' `stream` (stdout/stderr) follows the failure.
                if o.values.keys().all(|v| v == "stdout" || v == "stderr") {
                    return None;
                }
                let name = group_name_score(k);
                let d = o.values.len();
                if name > 0.0 && d <= 200 {
                    return Some((10.0 + name, *k));
                }
                if is_outcome_field(k) || !(2..=20).contains(&d) || (o.present as f64) / n < 0.5 {
                    return None;
                }
                if o.is_paths() {
                    // URL paths are grouped per route: a candidate by its routes (below).
                    return None;
                }
                if o.level_words as f64 / o.present.max(1) as f64 >= 0.5 {
                    return None;
                }
                Some((
                    self.latency_spread(k, schema.latency.as_deref(), &schema),
                    *k,
                ))
            })
            .collect();
        sort_desc(&mut group);
        schema.candidates.group = group.iter().map(|x| x.1.clone()).collect();

        // Routes: fields of URL paths, counted per route (in the diagnosis, and as groups).
        let routes: Vec<&String> = names
            .iter()
            .filter(|k| !taken.contains(k))
            .filter(|k| self.fields.get(**k).is_some_and(Obs::is_paths))
            .copied()
            .collect();
        // A path field with a few routes (`/api/orders/{id}`, `/health`) is a group too, after
        // every other candidate: an access log without versions is read per route.
        for k in &routes {
            let Some(o) = self.fields.get(*k) else {
                continue;
            };
            if !o.too_many_routes
                && (2..=50).contains(&o.routes.len())
                && o.present as f64 / n >= 0.5
                && !schema.candidates.group.contains(k)
            {
                schema.candidates.group.push((*k).clone());
            }
        }
        schema.group = pick(&ov.group_by, &schema.candidates.group);
        schema.routes = routes.into_iter().cloned().collect();

        for (role, o, chosen) in [
            ("group", &ov.group_by, &schema.group),
            ("latency", &ov.latency, &schema.latency),
            ("status", &ov.status, &schema.status),
            ("time", &ov.time, &schema.time),
        ] {
            if let (Some(name), Some(_)) = (o.as_deref().filter(|s| !s.is_empty()), chosen) {
                if !self.fields.contains_key(name) {
                    schema.warnings.push(format!(
                        "the {role} field \"{name}\" was not seen in the first {} records",
                        self.records
                    ));
                }
            }
        }
        schema
    }

    /// Timestamps without a year in the chosen time field: the reference that places them,
    /// or a warning that they cannot be placed.
    fn year_ref(&self, schema: &mut Schema, names: &[&String]) {
        let yearless = |o: &Obs| o.yearless > o.ts_text + o.epoch_num;
        let Some(now) = self.now_ms else {
            let k = names.iter().find(|k| {
                self.fields.get(**k).is_some_and(|o| {
                    yearless(o) && o.yearless as f64 >= 0.8 * o.present.max(1) as f64
                })
            });
            if let (Some(k), None) = (k, &schema.time) {
                schema.warnings.push(format!(
                    "the timestamps of \"{k}\" have no year and the current time is not known \
                     to place them: the timeline is empty"
                ));
            }
            return;
        };
        let Some(o) = schema.time.as_ref().and_then(|k| self.fields.get(k)) else {
            return;
        };
        let Some(first) = o.first_yearless.filter(|_| yearless(o)) else {
            return;
        };
        let Some(r) = units::YearRef::new(first, now) else {
            return;
        };
        schema.time_year_ref = Some(r.0);
        let (year, _, _) = units::civil_from_days(r.0.div_euclid(86_400_000));
        schema.warnings.push(format!(
            "the timestamps of \"{}\" have no year: read from {year} on (the latest year that \
             does not put them in the future), in UTC",
            schema.time.as_deref().unwrap_or_default()
        ));
    }

    /// The zone most of `key`'s timestamp strings name; UTC for epoch numbers, `Unnamed` for
    /// timestamps without a year (syslog, klog: read as UTC, shown as written).
    fn zone_of(&self, key: &str) -> units::Zone {
        let Some(o) = self.fields.get(key) else {
            return units::Zone::Utc;
        };
        let most = o
            .zones
            .iter()
            .max_by_key(|(z, n)| (*n, *z == units::Zone::Utc));
        match most {
            Some(&(z, n)) if n >= o.epoch_num => z,
            _ if o.epoch_num > 0 => units::Zone::Utc,
            _ if o.yearless > 0 => units::Zone::Unnamed,
            _ => units::Zone::Utc,
        }
    }

    fn guess_status_kind(&self, key: &str) -> StatusKind {
        let Some(o) = self.fields.get(key) else {
            return StatusKind::Outcome;
        };
        if o.bools > 0 {
            let lk = key.to_ascii_lowercase();
            if lk.contains("success") || lk == "ok" {
                return StatusKind::SuccessFlag;
            }
            return StatusKind::ErrorFlag;
        }
        if status_name_score(key) == 1.0 && is_numeric_level(&o.nums, o.present) {
            StatusKind::Level
        } else if o.http_like * 2 > o.present {
            StatusKind::Http
        } else if o.level_words * 2 > o.present {
            StatusKind::Level
        } else {
            StatusKind::Outcome
        }
    }

    /// The unit of latency field `key`: from its name, else from its values (text
    /// durations; fractions below 10 are seconds; whole numbers with a median of at least
    /// [`NS_MEDIAN`] are nanoseconds; anything else milliseconds), with a warning that says
    /// what was assumed.
    fn guess_unit(&self, key: &str, warnings: &mut Vec<String>) -> LatencyUnit {
        if let Some(u) = units::unit_from_key(key) {
            return LatencyUnit::Unit(u.into());
        }
        let Some(o) = self.fields.get(key) else {
            return LatencyUnit::Unit(TimeUnitName::Ms);
        };
        if o.dur_text * 2 >= o.present {
            return LatencyUnit::Text;
        }
        let mut v = o.nums.clone();
        v.sort_by(f64::total_cmp);
        let median = v.get(v.len() / 2).copied().unwrap_or(0.0);
        let fractional = v.iter().filter(|x| x.fract() != 0.0).count();
        if median < 10.0 && fractional * 2 > v.len() {
            warnings.push(format!(
                "\"{key}\" has no unit in its name and values around {}: read as seconds \
                 (use --latency-unit ms if that is wrong)",
                three_digits(median)
            ));
            LatencyUnit::Unit(TimeUnitName::S)
        } else if median >= NS_MEDIAN && fractional * 2 <= v.len() {
            // Whole numbers in the millions: as milliseconds a typical request would take
            // over a quarter of an hour; they are nanoseconds (Go's time.Duration, as
            // Traefik's `Duration` writes it).
            warnings.push(format!(
                "\"{key}\" has no unit in its name and whole values around {}: read as \
                 nanoseconds (use --latency-unit ms or us if that is wrong)",
                three_digits(median)
            ));
            LatencyUnit::Unit(TimeUnitName::Ns)
        } else {
            warnings.push(format!(
                "\"{key}\" has no unit in its name: read as milliseconds \
                 (use --latency-unit s if that is wrong)"
            ));
            LatencyUnit::Unit(TimeUnitName::Ms)
        }
    }

    /// For the group fallback: ratio between the slowest and fastest value's median latency.
    fn latency_spread(&self, key: &str, latency: Option<&str>, schema: &Schema) -> f64 {
        let (Some(lat), Some(unit)) = (latency, schema.latency_unit) else {
            return 0.0;
        };
        let (Some(ko), Some(lo)) = (self.fields.get(key), self.fields.get(lat)) else {
            return 0.0;
        };
        let (ki, li) = (ko.order as u16, lo.order as u16);
        let mut per: FxHashMap<&str, Vec<f64>> = FxHashMap::default();
        for row in &self.rows {
            let k = row.iter().find(|x| x.0 == ki);
            let l = row.iter().find(|x| x.0 == li);
            if let (Some(k), Some(l)) = (k, l) {
                let v = if l.1.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                    ValRef::Num(&l.1)
                } else {
                    ValRef::Str(&l.1)
                };
                if let Some(ms) = unit.to_ms(v) {
                    per.entry(&k.1).or_default().push(ms);
                }
            }
        }
        let mut medians: Vec<f64> = per
            .values_mut()
            .filter(|v| v.len() >= 5)
            .map(|v| {
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            })
            .collect();
        medians.sort_by(f64::total_cmp);
        match (medians.first(), medians.last()) {
            (Some(&lo), Some(&hi)) if lo > 0.0 => (hi / lo).min(1000.0) / 1000.0,
            _ => 0.0,
        }
    }
}

/// A URL path (`/api/users/17`) or a URL with a scheme (`https://host/path`).
fn is_url_path(s: &str) -> bool {
    let b = s.as_bytes();
    (b.len() >= 2 && b[0] == b'/' && b[1] != b'/' && !b.contains(&b' '))
        || ((s.starts_with("https://") || s.starts_with("http://")) && !b.contains(&b' '))
}

/// Whether one path segment names a thing rather than a route: all digits (`8812`), or at
/// least 8 bytes of letters, digits and `-_.:~` with at least two digits (UUIDs, hashes,
/// request ids, dates such as `2026-11-27`). Short mixed segments (`v2`, `page2`) and words
/// stay.
fn is_id_segment(seg: &[u8]) -> bool {
    if seg.is_empty() {
        return false;
    }
    let digits = seg.iter().filter(|b| b.is_ascii_digit()).count();
    digits == seg.len()
        || (seg.len() >= 8
            && digits >= 2
            && seg.iter().all(|&b| {
                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'~')
            }))
}

/// The route of a URL path or URL: its query and fragment dropped and each id segment
/// ([`is_id_segment`]) replaced by `{id}`, so that `/api/users/8812?full=1` and
/// `/api/users/17` are both `/api/users/{id}`. The scheme and host of a URL are kept as
/// they are. Writes the route to `out` and returns `true` when it differs from `value`;
/// `false` (and `out` untouched) when `value` is its own route, the common case, found
/// without writing anything.
pub fn route_of(value: &str, out: &mut String) -> bool {
    let b = value.as_bytes();
    if !b
        .iter()
        .any(|&c| c.is_ascii_digit() || c == b'?' || c == b'#')
    {
        return false;
    }
    let end = b
        .iter()
        .position(|&c| c == b'?' || c == b'#')
        .unwrap_or(b.len());
    // The path starts after `scheme://host`.
    let path_start = match value[..end].find("://") {
        Some(i) => b[i + 3..end]
            .iter()
            .position(|&c| c == b'/')
            .map_or(end, |j| i + 3 + j),
        None => 0,
    };
    let path = &b[path_start..end];
    if end == b.len() && !path.split(|&c| c == b'/').any(is_id_segment) {
        return false;
    }
    out.clear();
    out.push_str(&value[..path_start]);
    for (i, seg) in path.split(|&c| c == b'/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if is_id_segment(seg) {
            out.push_str("{id}");
        } else {
            // Segments are cut at ASCII bytes, so each is whole UTF-8.
            out.push_str(std::str::from_utf8(seg).unwrap_or_default());
        }
    }
    true
}

fn parse_unit_override(s: &str) -> Option<LatencyUnit> {
    if s.eq_ignore_ascii_case("text") {
        return Some(LatencyUnit::Text);
    }
    TimeUnit::from_name(&s.to_ascii_lowercase()).map(|u| LatencyUnit::Unit(u.into()))
}

fn pick(ov: &Option<String>, cands: &[String]) -> Option<String> {
    match ov.as_deref() {
        Some("") | None => cands.first().cloned(),
        Some("-") | Some("none") => None,
        Some(name) => Some(name.to_string()),
    }
}

fn sort_desc(v: &mut [(f64, &String)]) {
    v.sort_by(|a, b| b.0.total_cmp(&a.0));
}

/// Lowercased with `_`, `-`, `.` and `@` removed.
fn norm(k: &str) -> String {
    k.chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | '@' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

fn last_segment(k: &str) -> &str {
    k.rsplit('.').next().unwrap_or(k)
}

fn latency_name_score(k: &str) -> f64 {
    let n = norm(last_segment(k));
    let full = norm(k);
    if n.contains("timestamp") || n == "time" || n == "ts" || n == "date" {
        return -5.0;
    }
    let strong = [
        "responsetime",
        "latency",
        "duration",
        "elapsed",
        "requesttime",
        "servicetime",
        "timetaken",
        "took",
        "processingtime",
        "ttfb",
        "resptime",
        "totaltime",
        "upstreamresponsetime",
    ];
    if strong.iter().any(|s| n.contains(s)) {
        let mut s = 3.0;
        if full.contains("upstream") || full.contains("connect") || full.contains("queue") {
            s -= 1.0;
        }
        return s;
    }
    if n == "service" || n == "rt" || n == "time" || n == "timems" || n == "ms" {
        return 2.0;
    }
    if units::unit_from_key(k).is_some() && (n.contains("time") || n.ends_with("ms")) {
        return 1.5;
    }
    if n == "connect" || n.contains("wait") || n.contains("queue") {
        return 0.5;
    }
    0.0
}

fn status_name_score(k: &str) -> f64 {
    let n = norm(last_segment(k));
    match n.as_str() {
        "status" | "outcome" | "result" | "statuscode" | "httpstatus" | "responsestatus" => 3.0,
        "state" | "code" | "httpcode" | "responsecode" | "resultcode" => 2.0,
        "level" | "severity" | "lvl" | "loglevel" => 1.0,
        "error" | "success" | "ok" | "failed" | "iserror" | "timeout" | "timedout" => 1.5,
        _ => {
            if n.contains("status") {
                2.0
            } else {
                0.0
            }
        }
    }
}

fn time_name_score(k: &str) -> f64 {
    let n = norm(k);
    match n.as_str() {
        "ts" | "time" | "timestamp" | "datetime" | "date" | "timelocal" | "eventtime"
        | "loggedat" | "logtime" | "at" => 2.0,
        _ if n.contains("time") || n.ends_with("at") => 1.0,
        _ => 0.0,
    }
}

fn group_name_score(k: &str) -> f64 {
    let n = norm(last_segment(k));
    let exact = [
        "modelversion",
        "version",
        "release",
        "build",
        "deploy",
        "deployment",
        "appversion",
        "serviceversion",
        "gitsha",
        "gitcommit",
        "commit",
        "sha",
        "revision",
        "rev",
        "buildid",
        "releaseid",
        "deployid",
        "variant",
        "canary",
        "imagetag",
        "image",
    ];
    if exact.contains(&n.as_str()) {
        return 3.0;
    }
    if n.ends_with("version") || n.contains("release") || n.contains("deploy") {
        return 2.0;
    }
    0.0
}

/// Fields that describe the result, not a cause.
fn is_outcome_field(k: &str) -> bool {
    let n = norm(last_segment(k));
    matches!(
        n.as_str(),
        "status"
            | "outcome"
            | "result"
            | "level"
            | "severity"
            | "msg"
            | "message"
            | "desc"
            | "error"
            | "code"
            | "err"
            | "statuscode"
            | "at"
            | "lvl"
            | "loglevel"
    ) || n.contains("error")
        || n.contains("status")
        || n.ends_with("flags")
        || n.ends_with("details")
        || n.ends_with("reason")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_fast_path_agrees_with_the_general_reader() {
        let unit = LatencyUnit::Unit(TimeUnitName::Ms);
        for n in [
            "0",
            "7",
            "76",
            "820",
            "-5",
            "+5",
            "1.5",
            "1e3",
            "",
            "12a",
            "999999999999999999",
            "1000000000000000000",
            "18446744073709551616",
            "00012",
            "-0",
        ] {
            assert_eq!(
                unit.to_ms(ValRef::Num(n)),
                unit.to_ms_any(ValRef::Num(n)),
                "{n:?}"
            );
        }
    }

    #[test]
    fn numbers_in_notes_have_three_significant_digits() {
        for (x, want) in [
            (0.10301990584622432, "0.103"),
            (2.5, "2.5"),
            (0.00082, "0.00082"),
            (9.999, "10"),
            (0.0, "0"),
        ] {
            assert_eq!(three_digits(x), want, "{x}");
        }
    }

    fn route(v: &str) -> String {
        let mut out = String::from("(untouched)");
        if route_of(v, &mut out) {
            out
        } else {
            assert_eq!(out, "(untouched)", "{v}: nothing written when unchanged");
            v.to_string()
        }
    }

    #[test]
    fn routes_replace_id_segments_and_drop_queries() {
        for (value, want) in [
            ("/api/score", "/api/score"),
            ("/api/v2/users", "/api/v2/users"),
            ("/api/users/8812", "/api/users/{id}"),
            ("/api/users/8812/cart/", "/api/users/{id}/cart/"),
            ("/api/orders/17?expand=items", "/api/orders/{id}"),
            ("/search?q=42", "/search"),
            ("/docs#part-2", "/docs"),
            (
                "/files/3f2a9c1e-07b4-4c1a-9d6e-2b1f0c9e8a77/raw",
                "/files/{id}/raw",
            ),
            ("/r/req-97ea87f7e45c00a5", "/r/{id}"),
            ("/reports/2026-11-27", "/reports/{id}"),
            ("/page2/index2.html", "/page2/index2.html"),
            ("/v1.3/score", "/v1.3/score"),
            (
                "https://10.0.0.7:8443/api/users/12?x=1",
                "https://10.0.0.7:8443/api/users/{id}",
            ),
            ("http://shop.example.com", "http://shop.example.com"),
            ("http://shop.example.com?utm=1", "http://shop.example.com"),
            ("/ä/123/ö", "/ä/{id}/ö"),
            ("/api/users/{id}", "/api/users/{id}"),
            // A URL in the query is not the value's own scheme and host.
            ("/r/123?to=http://x.example/9", "/r/{id}"),
            ("/login?next=https://a.example", "/login"),
            ("https://a.example/p?u=http://b/1", "https://a.example/p"),
            ("http://", "http://"),
            ("https://h:1", "https://h:1"),
        ] {
            assert_eq!(route(value), want, "{value}");
            // A route is its own route: the aggregator relies on it.
            assert_eq!(route(want), want, "route of {want}");
        }
    }

    #[test]
    fn pino_numeric_levels() {
        let mut d = Detector::new();
        for i in 0..100 {
            let level = if i % 10 == 0 { "50" } else { "30" };
            let ms = format!("{}", 10 + i);
            let members = [
                ("level", ValRef::Num(level)),
                ("responseTime", ValRef::Num(&ms)),
            ];
            d.observe(members.into_iter());
        }
        let s = d.decide(&Overrides::default());
        assert_eq!(s.status.as_deref(), Some("level"));
        assert_eq!(s.status_kind, Some(StatusKind::Level));
        let k = StatusKind::Level;
        assert!(k.is_error(ValRef::Num("50")) && k.is_error(ValRef::Num("60")));
        assert!(!k.is_error(ValRef::Num("30")) && !k.is_error(ValRef::Num("40")));
        assert!(k.is_error(ValRef::Str("error")));
        // A number that is not a pino level is not a level.
        assert!(!is_numeric_level(&[30.0, 35.0], 2));
        assert!(!is_numeric_level(&[], 0));
    }

    #[test]
    fn unitless_durations_get_their_unit_from_their_values() {
        let unit_of = |values: &dyn Fn(u32) -> String| {
            let mut d = Detector::new();
            for i in 0..200 {
                let v = values(i);
                d.observe([("Duration", ValRef::Num(&v))].into_iter());
            }
            let s = d.decide(&Overrides::default());
            assert_eq!(s.latency.as_deref(), Some("Duration"));
            (s.latency_unit, s.warnings)
        };
        // Fractions below 10: seconds (Caddy's `duration`).
        let (u, _) = unit_of(&|i| format!("0.{:03}", 40 + i));
        assert_eq!(u, Some(LatencyUnit::Unit(TimeUnitName::S)));
        // Whole numbers in the tens of millions: nanoseconds (Traefik's `Duration`).
        let (u, w) = unit_of(&|i| format!("{}", 51_380_241 + 7_919 * i));
        assert_eq!(u, Some(LatencyUnit::Unit(TimeUnitName::Ns)));
        assert!(w.iter().any(|w| w.contains("read as nanoseconds")), "{w:?}");
        // Hundreds: milliseconds; and one long request among them changes nothing.
        let (u, _) = unit_of(&|i| format!("{}", if i == 7 { 90_000_000 } else { 80 + i }));
        assert_eq!(u, Some(LatencyUnit::Unit(TimeUnitName::Ms)));
    }

    #[test]
    fn timestamps_without_a_year_need_the_current_time() {
        let observe = |d: &mut Detector| {
            for i in 0..100 {
                let time = format!("1127 18:{:02}:11.123456", i % 60);
                let ms = format!("{}", 10 + i);
                let members = [
                    ("time", ValRef::Str(&time)),
                    ("latency_ms", ValRef::Num(&ms)),
                ];
                d.observe(members.into_iter());
            }
        };
        let mut d = Detector::new();
        observe(&mut d);
        let s = d.decide(&Overrides::default());
        assert_eq!(s.time, None);
        assert_eq!(s.time_year_ref, None);
        assert!(s.warnings.iter().any(|w| w.contains("no year")), "{s:?}");
        let mut d = Detector::new();
        d.set_now(units::parse_timestamp(b"2026-11-28T00:00:00Z"));
        observe(&mut d);
        let s = d.decide(&Overrides::default());
        assert_eq!(s.time.as_deref(), Some("time"));
        assert_eq!(
            s.time_year_ref,
            units::parse_timestamp(b"2026-11-27T18:00:11.123Z")
        );
        // In January, a log of late November is last year's.
        let mut d = Detector::new();
        d.set_now(units::parse_timestamp(b"2027-01-03T00:00:00Z"));
        observe(&mut d);
        let s = d.decide(&Overrides::default());
        assert_eq!(
            s.time_year_ref,
            units::parse_timestamp(b"2026-11-27T18:00:11.123Z")
        );
    }

    #[test]
    fn url_path_fields_are_routes_and_others_are_not() {
        let mut d = Detector::new();
        for i in 0..300 {
            let path = format!("/api/users/{i}");
            let url = format!("https://shop.example.com/p/{i}?ref=mail");
            let ms = format!("{}", 10 + i % 90);
            let members = [
                ("path", ValRef::Str(&path)),
                ("referer", ValRef::Str(&url)),
                ("host", ValRef::Str("shop.example.com")),
                ("comment", ValRef::Str("a /slash in text")),
                ("version", ValRef::Str(if i % 2 == 0 { "v1" } else { "v2" })),
                ("latency_ms", ValRef::Num(&ms)),
            ];
            d.observe(members.into_iter());
        }
        let s = d.decide(&Overrides::default());
        assert_eq!(s.routes, ["path", "referer"]);
        assert_eq!(s.group.as_deref(), Some("version"));
        // One route each: not offered as groups (a group of one says nothing).
        assert!(!s.candidates.group.iter().any(|g| g == "path"));
        // Chosen as the group, a path field is grouped per route too.
        let s = d.decide(&Overrides {
            group_by: Some("path".into()),
            ..Overrides::default()
        });
        assert_eq!(s.group.as_deref(), Some("path"));
        assert_eq!(s.routes, ["path", "referer"]);
    }
}
