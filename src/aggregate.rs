//! Aggregates: everything kept about the input, bounded by the number of groups and fields,
//! never by the number of records.
//!
//! Every aggregate has `merge`: [`Aggregates::merge`] of the aggregates of consecutive pieces
//! of an input equals the aggregates of the whole input read in one pass (the test
//! `tests/chunking.rs` checks it). Caps are chosen so this stays exact:
//! * group values are kept by *smallest hash* (bottom-k), the rest merged into `(other)`;
//! * a field stops being a dimension once it has more than `max_dim_values` distinct values
//!   (a URL path field: distinct routes, a pure function of each value);
//! * evidence lines are the `k` lines first in an order of hashes of their text;
//! * examples are the 5 smallest line numbers per reason;
//! * latency sums are integer nanoseconds; the timeline's bucket width is a function of the
//!   first and last timestamp only.

use crate::histogram::{CoarseHistogram, Histogram, Prepared};
use crate::parse::driver::{Format, Outcome, Unit};
use crate::parse::{eq_short, Fields, Repair, SkipReason, Val, ValRef};
use crate::schema::{self, LatencyUnit, Schema, StatusKind};
use crate::summary;
use crate::units;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use xxhash_rust::xxh3::xxh3_64;

/// Limits. Each bounds memory; see the module docs for what happens at the limit.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Limits {
    /// Distinct group values kept (default 500); the rest are merged into `(other)`.
    pub max_groups: usize,
    /// Groups listed in the summary (default 50); the rest are shown as `(other)`.
    pub shown_groups: usize,
    /// Distinct values for a field to count as a dimension (default 100).
    pub max_dim_values: usize,
    /// Distinct field names tracked as dimensions (default 128).
    pub max_fields: usize,
    /// Most timeline buckets (default 1 440: one day of minutes); wider buckets beyond.
    pub max_buckets: usize,
    /// Distinct status values counted per group (default 20); the rest under `(other)`.
    pub max_status_values: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_groups: 500,
            shown_groups: 50,
            max_dim_values: 100,
            max_fields: 128,
            max_buckets: 1440,
            max_status_values: 20,
        }
    }
}

/// Name of the group for records without the group field.
pub const NO_GROUP: &str = "(none)";
/// Name of the group that collects capped group values.
pub const OTHER: &str = "(other)";
/// Name of the single group when no group field is chosen.
pub const ALL: &str = "(all)";

const BASE_BUCKET_MS: i64 = 60_000;
const EXAMPLES_PER_REASON: usize = 5;
const EXAMPLE_BYTES: usize = 300;
const EVIDENCE_BYTES: usize = 500;
/// Evidence lines kept per group and kind (errors, successes, repaired lines).
pub const EVIDENCE_K: usize = 3;

/// Values kept by smallest hash, at most `cap`; the rest merged into `other`.
#[derive(Clone, Debug, PartialEq)]
pub struct HashCapped<V> {
    cap: usize,
    index: FxHashMap<Box<str>, usize>,
    items: Vec<(u64, Box<str>, V)>,
    other: Option<V>,
    /// Index of the item with the largest hash (valid when full).
    max_at: usize,
}

pub trait Merge: Default {
    fn merge_from(&mut self, other: &Self);
}

impl<V: Merge> HashCapped<V> {
    pub fn new(cap: usize) -> Self {
        HashCapped {
            cap: cap.max(1),
            index: FxHashMap::default(),
            items: Vec::new(),
            other: None,
            max_at: 0,
        }
    }

    #[inline]
    pub fn index_of(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    #[inline]
    pub fn at(&mut self, i: usize) -> &mut V {
        &mut self.items[i].2
    }

    /// [`slot`](Self::slot) of the key written `key` (the key is `key` as a `str`, or ""
    /// when it is not UTF-8), trying index `hint` first: a guess from an earlier call (any
    /// value; it is checked against the key, so a stale guess only costs the lookup).
    #[inline]
    pub fn slot_hint(&mut self, key: &[u8], hint: usize) -> (&mut V, usize) {
        if self
            .items
            .get(hint)
            .is_some_and(|it| eq_short(it.1.as_bytes(), key))
        {
            return (&mut self.items[hint].2, hint);
        }
        self.slot(std::str::from_utf8(key).unwrap_or_default())
    }

    /// The slot for `key`: its own, or `other` when the cap keeps it out.
    /// Returns (value, index or usize::MAX for other).
    pub fn slot(&mut self, key: &str) -> (&mut V, usize) {
        if let Some(&i) = self.index.get(key) {
            return (&mut self.items[i].2, i);
        }
        self.slot_new(key)
    }

    #[cold]
    fn slot_new(&mut self, key: &str) -> (&mut V, usize) {
        let h = xxh3_64(key.as_bytes());
        if self.items.len() < self.cap {
            self.items.push((h, key.into(), V::default()));
            let i = self.items.len() - 1;
            self.index.insert(key.into(), i);
            if self.items.len() == self.cap {
                self.recompute_max();
            }
            return (&mut self.items[i].2, i);
        }
        let (max_h, ref max_key) = (self.items[self.max_at].0, self.items[self.max_at].1.clone());
        if (h, key) < (max_h, &**max_key) {
            // Evict the largest hash into other and take its place.
            let i = self.max_at;
            let old = std::mem::take(&mut self.items[i].2);
            self.other.get_or_insert_with(V::default).merge_from(&old);
            self.index.remove(max_key);
            self.items[i] = (h, key.into(), V::default());
            self.index.insert(key.into(), i);
            self.recompute_max();
            return (&mut self.items[i].2, i);
        }
        (self.other.get_or_insert_with(V::default), usize::MAX)
    }

    fn recompute_max(&mut self) {
        self.max_at = self
            .items
            .iter()
            .enumerate()
            .max_by(|a, b| (a.1 .0, &a.1 .1).cmp(&(b.1 .0, &b.1 .1)))
            .map(|x| x.0)
            .unwrap_or(0);
    }

    pub fn merge(&mut self, other: &Self) {
        for (_, k, v) in &other.items {
            self.slot(k).0.merge_from(v);
        }
        if let Some(o) = &other.other {
            self.other.get_or_insert_with(V::default).merge_from(o);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.items.iter().map(|(_, k, v)| (&**k, v))
    }

    pub fn other(&self) -> Option<&V> {
        self.other.as_ref()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether any value was capped into `other`.
    pub fn is_capped(&self) -> bool {
        self.other.is_some()
    }
}

impl Merge for u64 {
    fn merge_from(&mut self, other: &Self) {
        *self += other;
    }
}

/// One evidence line.
#[derive(Clone, Debug, PartialEq)]
pub struct EvidenceLine {
    /// [`line_key`] and [`line_hash`] of the line's text: with `line_no`, its place in the
    /// sampling order.
    pub key: u64,
    pub hash: u64,
    pub line_no: u64,
    pub text: String,
    pub repairs: u16,
    pub is_error: bool,
    pub latency_ms: Option<f64>,
}

/// The `k` lines with the smallest (key, hash, line_no).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reservoir {
    pub lines: Vec<EvidenceLine>,
}

impl Reservoir {
    /// Offer the line whose [`line_key`] is `key`: `hash` gives its [`line_hash`], computed
    /// only when the key alone does not decide (a new line, or a tie with the last kept one).
    #[inline]
    fn offer(
        &mut self,
        k: usize,
        key: u64,
        line_no: u64,
        hash: impl FnOnce() -> u64,
        make: impl FnOnce(u64) -> EvidenceLine,
    ) {
        if self.lines.len() >= k {
            match self.lines.last() {
                Some(last) if key < last.key => {}
                Some(last) if key == last.key => {
                    let h = hash();
                    if (h, line_no) < (last.hash, last.line_no) {
                        self.insert(k, make(h));
                    }
                    return;
                }
                _ => return,
            }
        }
        self.insert(k, make(hash()));
    }

    #[cold]
    fn insert(&mut self, k: usize, e: EvidenceLine) {
        let order = |x: &EvidenceLine| (x.key, x.hash, x.line_no);
        let at = self.lines.partition_point(|x| order(x) < order(&e));
        if self.lines.get(at).map(order) == Some(order(&e)) {
            return;
        }
        self.lines.insert(at, e);
        self.lines.truncate(k);
    }

    fn merge(&mut self, k: usize, other: &Reservoir) {
        for e in &other.lines {
            self.offer(k, e.key, e.line_no, || e.hash, |_| e.clone());
        }
    }

    fn shift(&mut self, lines: u64) {
        for e in &mut self.lines {
            e.line_no += lines;
        }
    }
}

/// One timeline bucket.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bucket {
    pub count: u64,
    pub errors: u64,
    pub latency: CoarseHistogram,
}

impl Bucket {
    fn merge(&mut self, o: &Bucket) {
        self.count += o.count;
        self.errors += o.errors;
        self.latency.merge(&o.latency);
    }
}

/// Timeline buckets by start time (epoch ms), sorted. A vector, not a map: logs come in time
/// order, so the bucket wanted is almost always the last one (measured: a `BTreeMap` lookup
/// per record cost ~4% of a run).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timeline {
    buckets: Vec<(i64, Bucket)>,
}

impl Timeline {
    /// The bucket starting at `start`, created empty if missing.
    #[inline]
    pub fn entry(&mut self, start: i64) -> &mut Bucket {
        let n = self.buckets.len();
        if self.buckets.last().is_some_and(|(t, _)| *t == start) {
            return &mut self.buckets[n - 1].1;
        }
        self.entry_new(start)
    }

    /// [`entry`](Self::entry) of a bucket other than the last.
    #[cold]
    fn entry_new(&mut self, start: i64) -> &mut Bucket {
        let n = self.buckets.len();
        let at = match self.buckets.last() {
            Some((t, _)) if *t == start => n - 1,
            Some((t, _)) if *t < start => {
                self.buckets.push((start, Bucket::default()));
                n
            }
            None => {
                self.buckets.push((start, Bucket::default()));
                0
            }
            Some(_) => match self.buckets.binary_search_by_key(&start, |b| b.0) {
                Ok(i) => i,
                Err(i) => {
                    self.buckets.insert(i, (start, Bucket::default()));
                    i
                }
            },
        };
        &mut self.buckets[at].1
    }

    pub fn iter(&self) -> impl Iterator<Item = (&i64, &Bucket)> {
        self.buckets.iter().map(|(t, b)| (t, b))
    }

    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// Re-bucket into buckets `w` ms wide (a multiple of the current width).
    fn widen(&mut self, w: i64) {
        let old = std::mem::take(&mut self.buckets);
        for (t, b) in old {
            self.entry(t.div_euclid(w) * w).merge(&b);
        }
    }

    fn merge(&mut self, o: &Timeline) {
        for (t, b) in &o.buckets {
            self.entry(*t).merge(b);
        }
    }
}

impl<'a> IntoIterator for &'a Timeline {
    type Item = (&'a i64, &'a Bucket);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (i64, Bucket)>,
        fn(&'a (i64, Bucket)) -> (&'a i64, &'a Bucket),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.buckets.iter().map(|(t, b)| (t, b))
    }
}

/// Everything kept per group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupAgg {
    pub count: u64,
    pub errors: u64,
    pub latency: Histogram,
    pub first_ts: Option<i64>,
    pub last_ts: Option<i64>,
    pub status: Option<Box<HashCapped<u64>>>,
    /// Bucket start (epoch ms) → bucket.
    pub timeline: Timeline,
    pub errors_ev: Reservoir,
    pub ok_ev: Reservoir,
    pub recovered_ev: Reservoir,
}

impl Merge for GroupAgg {
    fn merge_from(&mut self, o: &Self) {
        self.count += o.count;
        self.errors += o.errors;
        self.latency.merge(&o.latency);
        self.first_ts = min_opt(self.first_ts, o.first_ts);
        self.last_ts = max_opt(self.last_ts, o.last_ts);
        match (&mut self.status, &o.status) {
            (Some(a), Some(b)) => a.merge(b),
            (None, Some(b)) => self.status = Some(b.clone()),
            _ => {}
        }
        self.timeline.merge(&o.timeline);
        self.errors_ev.merge(EVIDENCE_K, &o.errors_ev);
        self.ok_ev.merge(EVIDENCE_K, &o.ok_ev);
        self.recovered_ev.merge(EVIDENCE_K, &o.recovered_ev);
    }
}

/// Per value of a dimension field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ValueAgg {
    pub count: u64,
    pub errors: u64,
    /// Latency of the records that did not fail.
    pub ok_latency: CoarseHistogram,
    /// Latency of the failed records.
    pub err_latency: CoarseHistogram,
}

impl ValueAgg {
    fn merge(&mut self, o: &ValueAgg) {
        self.count += o.count;
        self.errors += o.errors;
        self.ok_latency.merge(&o.ok_latency);
        self.err_latency.merge(&o.err_latency);
    }
}

/// A field seen in the records: its role and, while it has few values, its value counts.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldAgg {
    pub name: Box<str>,
    /// More than `max_dim_values` distinct values (or non-scalar): not a dimension.
    pub overflowed: bool,
    pub present: u64,
    index: ValueTable,
    pub values: Vec<(Box<str>, ValueAgg)>,
    /// The value of the previous record, and whether it was the same as the one before.
    last: usize,
    repeats: bool,
    role: Role,
    /// Values are URL paths, counted per route ([`schema::route_of`]).
    pub route: bool,
    /// Per value (parallel to `values`): whether it means an error when it is the status,
    /// decided once per distinct value ([`ERR_STR_KNOWN`] …); a cache, empty when unused.
    err_flags: Vec<u8>,
}

/// The index of a field's values: open addressing over positions in `values`, with a short
/// multiplicative hash and [`eq_short`] to compare. Measured on the 220 MB clean NDJSON bench
/// file: the `FxHashMap<Box<str>, usize>` it replaces cost ~8% of a run (hashing the whole
/// value, probing, and a `memcmp` call per hit).
#[derive(Clone, Debug, Default, PartialEq)]
struct ValueTable {
    /// `tag << 32 | position in values` (`u64::MAX`: empty), the tag being the low half of
    /// the value's hash, so most probes that miss never touch `values`. The length is 0 or a
    /// power of two at least twice the number of values.
    slots: Vec<u64>,
}

impl ValueTable {
    /// A hash from at most three overlapping words of `v` (no copy into a padded buffer: that
    /// stalled on store forwarding for short values) and one 64-bit multiply.
    #[inline(always)]
    fn hash(v: &[u8]) -> u64 {
        let n = v.len();
        let w8 = |i: usize| u64::from_le_bytes(v[i..i + 8].try_into().unwrap_or([0; 8]));
        let w4 = |i: usize| u64::from(u32::from_le_bytes(v[i..i + 4].try_into().unwrap_or([0; 4])));
        let (a, b) = match n {
            0 => (0, 0),
            1..=3 => (
                u64::from(v[0]) | u64::from(v[n / 2]) << 8 | u64::from(v[n - 1]) << 16,
                0,
            ),
            4..=7 => (w4(0), w4(n - 4)),
            _ => (w8(0), w8(n - 8)),
        };
        let mid = if n > 16 { w8(n / 2 - 4) } else { 0 };
        let x = a ^ b.rotate_left(24) ^ mid.rotate_left(45) ^ (n as u64) << 56;
        // One 64-bit multiply, then the high half folded into the low (the tag) half. Not a
        // 64×64→128 multiply: in wasm32 that is a `__multi3` library call, which was ~4% of
        // the worker's time. Only slot positions depend on this hash, never a result.
        let h = (x ^ x >> 32 ^ 0x2D35_8DCC_AA6C_78A5).wrapping_mul(0x8BB8_4B93_962E_ACC9);
        h ^ h >> 32
    }

    #[inline(always)]
    fn get(&self, values: &[(Box<str>, ValueAgg)], key: &[u8]) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let h = Self::hash(key);
        let tag = h & 0xFFFF_FFFF;
        let mask = self.slots.len() - 1;
        let mut at = (h >> 32) as usize & mask;
        loop {
            let e = *self.slots.get(at)?;
            if e == u64::MAX {
                return None;
            }
            if e >> 32 == tag {
                let i = (e & 0xFFFF_FFFF) as usize;
                if values
                    .get(i)
                    .is_some_and(|(k, _)| eq_short(k.as_bytes(), key))
                {
                    return Some(i);
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// Add `values[i]` (not in the table yet).
    fn insert(&mut self, values: &[(Box<str>, ValueAgg)], i: usize) {
        if self.slots.len() < 2 * values.len().max(8) {
            let n = (2 * values.len().max(8)).next_power_of_two();
            self.slots = vec![u64::MAX; n];
            for j in 0..values.len() {
                self.place(values, j);
            }
        } else {
            self.place(values, i);
        }
    }

    fn place(&mut self, values: &[(Box<str>, ValueAgg)], i: usize) {
        let Some((k, _)) = values.get(i) else { return };
        let h = Self::hash(k.as_bytes());
        let mask = self.slots.len() - 1;
        let mut at = (h >> 32) as usize & mask;
        while self.slots[at] != u64::MAX {
            at = (at + 1) & mask;
        }
        self.slots[at] = (h & 0xFFFF_FFFF) << 32 | i as u64;
    }
}

/// `err_flags` bits: the decision for the value written as a JSON string, and as a number.
const ERR_STR_KNOWN: u8 = 1;
const ERR_STR: u8 = 2;
const ERR_NUM_KNOWN: u8 = 4;
const ERR_NUM: u8 = 8;
/// No value index: the member is not counted per value (overflowed field, array, null).
const NO_VALUE: u32 = u32::MAX;

/// A field's roles, as bits (one byte to test for "any role" per member).
type Role = u8;
const ROLE_LATENCY: Role = 1;
const ROLE_STATUS: Role = 2;
const ROLE_GROUP: Role = 4;
const ROLE_TIME: Role = 8;

impl FieldAgg {
    fn new(name: &str, schema: &Schema) -> Self {
        let is = |o: &Option<String>, r: Role| if o.as_deref() == Some(name) { r } else { 0 };
        let role = is(&schema.latency, ROLE_LATENCY)
            | is(&schema.status, ROLE_STATUS)
            | is(&schema.group, ROLE_GROUP)
            | is(&schema.time, ROLE_TIME);
        FieldAgg {
            name: name.into(),
            overflowed: role & (ROLE_LATENCY | ROLE_TIME) != 0,
            present: 0,
            index: ValueTable::default(),
            values: Vec::new(),
            last: 0,
            repeats: true,
            route: role & (ROLE_LATENCY | ROLE_STATUS | ROLE_TIME) == 0
                && schema.routes.iter().any(|r| r == name),
            role,
            err_flags: Vec::new(),
        }
    }

    /// The index of the value whose bytes are `value` in `values`, when it is there; for an
    /// overflowed field, [`NO_VALUE`]. `None`: a value not seen yet, for
    /// [`value_new`](Self::value_new). A value found has the bytes of a stored `str`, so they
    /// are that text (see [`Aggregates::extract`]). Counting happens in [`count`](Self::count).
    #[inline]
    fn value_hit(&mut self, value: &[u8]) -> Option<u32> {
        if self.overflowed {
            return Some(NO_VALUE);
        }
        // The previous value is tried first only while values repeat (`level`, `status`):
        // for fields whose value changes from record to record (`tenant`, `endpoint`) the
        // failed check cost ~2% of a run on the 220 MB clean NDJSON bench file.
        let last_hit = self.repeats
            && self
                .values
                .get(self.last)
                .is_some_and(|(k, _)| eq_short(k.as_bytes(), value));
        let i = if last_hit {
            self.last
        } else {
            self.index.get(&self.values, value)?
        };
        Some(self.found(i))
    }

    /// The index of `value`, which [`value_hit`](Self::value_hit) did not find: added (with
    /// zero counts), or [`NO_VALUE`] when the field becomes overflowed. For a
    /// [`route`](Self::route) field, the index of the value's route (`buf`: scratch).
    #[cold]
    fn value_new(&mut self, value: &str, cap: usize, buf: &mut String) -> u32 {
        if self.route {
            self.route_index(value, cap, buf)
        } else {
            self.new_value(value, cap)
        }
    }

    /// Value `i` was this record's: remember it for the next lookup.
    #[inline(always)]
    fn found(&mut self, i: usize) -> u32 {
        self.repeats = i == self.last;
        self.last = i;
        i as u32
    }

    /// [`value_new`](Self::value_new) of a route field's value not found as it is. Only
    /// routes are ever stored, and the route of a route is itself, so a value found as it is
    /// needed no rewriting (`/api/score` is looked up once per record, never scanned).
    #[cold]
    fn route_index(&mut self, value: &str, cap: usize, buf: &mut String) -> u32 {
        if !schema::route_of(value, buf) {
            return self.new_value(value, cap);
        }
        let i = match self.index.get(&self.values, buf.as_bytes()) {
            Some(i) => i,
            None => return self.new_value(buf, cap),
        };
        self.found(i)
    }

    #[cold]
    fn new_value(&mut self, value: &str, cap: usize) -> u32 {
        if self.values.len() >= cap || value.len() > 200 {
            self.overflow();
            return NO_VALUE;
        }
        self.values.push((value.into(), ValueAgg::default()));
        let i = self.values.len() - 1;
        self.index.insert(&self.values, i);
        self.last = i;
        i as u32
    }

    /// Count one member under its value `vi` from [`value_hit`](Self::value_hit) or
    /// [`value_new`](Self::value_new) (its presence is counted by the caller). Nothing for an
    /// index not (or no longer) in `values`: an overflowed field has none.
    #[inline]
    fn count(&mut self, vi: u32, is_error: bool, latency: Option<Prepared<4>>) {
        let Some((_, v)) = self.values.get_mut(vi as usize) else {
            return;
        };
        v.count += 1;
        if is_error {
            v.errors += 1;
        }
        if let Some(p) = latency {
            if is_error {
                v.err_latency.record_prepared(p);
            } else {
                v.ok_latency.record_prepared(p);
            }
        }
    }

    /// `kind.is_error(val())` of a member whose value is `v`, decided once per distinct value
    /// `vi` (string and number apart: `"false"` and `false` may differ) and cached.
    #[inline]
    fn is_error<'a>(
        &mut self,
        kind: StatusKind,
        v: Val,
        vi: u32,
        val: impl FnOnce() -> ValRef<'a>,
    ) -> bool {
        let (known, yes) = match v {
            Val::Str(_) => (ERR_STR_KNOWN, ERR_STR),
            Val::Num(_) => (ERR_NUM_KNOWN, ERR_NUM),
            _ => return kind.is_error(val()),
        };
        let vi = vi as usize;
        if vi >= self.values.len() {
            return kind.is_error(val());
        }
        if self.err_flags.len() < self.values.len() {
            self.err_flags.resize(self.values.len(), 0);
        }
        let Some(flags) = self.err_flags.get_mut(vi) else {
            return kind.is_error(val());
        };
        if *flags & known == 0 {
            *flags |= known;
            if kind.is_error(val()) {
                *flags |= yes;
            }
        }
        *flags & yes != 0
    }

    #[cold]
    fn overflow(&mut self) {
        self.overflowed = true;
        self.values = Vec::new();
        self.index = ValueTable::default();
        self.err_flags = Vec::new();
    }

    fn merge(&mut self, o: &FieldAgg, cap: usize) {
        self.present += o.present;
        if self.overflowed {
            return;
        }
        if o.overflowed {
            return self.overflow();
        }
        for (k, v) in &o.values {
            let i = match self.index.get(&self.values, k.as_bytes()) {
                Some(i) => i,
                None => {
                    if self.values.len() >= cap {
                        return self.overflow();
                    }
                    self.values.push((k.clone(), ValueAgg::default()));
                    self.index.insert(&self.values, self.values.len() - 1);
                    self.values.len() - 1
                }
            };
            self.values[i].1.merge(v);
        }
    }
}

/// Examples per (outcome, reason): the smallest line numbers.
type ExampleKey = (u8, u8);

/// All aggregates of (a piece of) one input.
#[derive(Clone, Debug)]
pub struct Aggregates {
    pub limits: Limits,
    pub schema: Schema,
    latency_unit: Option<LatencyUnit>,
    status_kind: Option<StatusKind>,
    pub bytes: u64,
    pub lines: u64,
    pub records: u64,
    pub parsed: u64,
    pub recovered: u64,
    pub skipped: u64,
    pub skipped_reasons: [u64; SkipReason::ALL.len()],
    pub repairs: [u64; Repair::ALL.len()],
    pub formats: [u64; Format::ALL.len()],
    pub invalid_utf8_lines: u64,
    pub examples: BTreeMap<ExampleKey, Vec<(u64, String)>>,
    pub groups: HashCapped<GroupAgg>,
    last_group: usize,
    pub fields: Vec<FieldAgg>,
    field_index: FxHashMap<Box<str>, usize>,
    /// Field index of the member at each position (< 64) of the previous records
    /// (`u32::MAX`: none).
    by_pos: [u32; 64],
    /// Bit `i`: `by_pos[i]` was resolved from the key at position `i` of the parser's
    /// key-shape generation `by_pos_gen` (0: none), so a member whose key the parser found
    /// equal to its shape needs no comparison here.
    by_pos_known: u64,
    /// The parser's key-shape generation `by_pos_known` is for.
    by_pos_gen: u64,
    /// The current record's members counted per value, as (field index, value index), from
    /// pass 1 for pass 2.
    resolved: Vec<(u32, u32)>,
    /// Group index last used for each value index of the group field (a checked guess).
    group_hint: Vec<u32>,
    /// Index in a group's status counts last used for each value index of the status field.
    status_hint: Vec<u32>,
    ts_cache: units::TimestampCache,
    /// Places timestamps written without a year (from the schema).
    year_ref: Option<units::YearRef>,
    /// The route of the current member's value, when it is not the value itself.
    route_buf: String,
    /// The current record's group key when the group field is a route field.
    group_buf: String,
    pub ts_min: Option<i64>,
    pub ts_max: Option<i64>,
    pub bucket_ms: i64,
    time_cache: TimeCache,
}

/// What [`Aggregates::add_time`] remembers from one record to the next (timestamps come in
/// order, so most records need neither a new bucket width nor a division).
#[derive(Clone, Debug)]
struct TimeCache {
    /// The `ts_min` and `bucket_ms` the rest is valid for.
    lo: i64,
    w: i64,
    /// A timestamp in `[lo, hi_limit)` keeps the width `w`.
    hi_limit: i64,
    /// The bucket `[start, end)` of width `w` of a recent timestamp (empty: none).
    start: i64,
    end: i64,
}

impl TimeCache {
    /// Valid for nothing (`bucket_ms` is never 0).
    const NONE: TimeCache = TimeCache {
        lo: 0,
        w: 0,
        hi_limit: i64::MIN,
        start: 0,
        end: 0,
    };
}

/// The order evidence lines are sampled in, after [`line_key`]: a hash of the line's text, so
/// it must be cheap on both targets. Four independent lanes of 64-bit
/// multiply-xor over the line's 8-byte words (the tail read as the last 8 bytes, overlapping),
/// folded and finished with murmur3's `fmix64`. Not xxh3: its 64×64→128-bit multiplies are a
/// `__multi3` libcall in wasm32 (≈ 13% of the worker's profile); natively the two cost the
/// same (≈ 18 ns for a 200-byte line). It needs no resistance to crafted input: a tie or a
/// collision only changes which equally valid line is quoted, and (hash, line number) orders
/// ties.
#[inline]
pub fn line_hash(b: &[u8]) -> u64 {
    let n = b.len();
    let mut acc = LANE_K;
    if n < 8 {
        let mut w = 0u64;
        for (i, &x) in b.iter().enumerate() {
            w |= (x as u64) << (8 * i);
        }
        acc[0] = (acc[0] ^ w).wrapping_mul(LANE_K[1]);
    } else {
        // Exact chunks: no bounds check per word (the same hash as word-by-word indexing).
        let mut blocks = b.chunks_exact(32);
        for blk in &mut blocks {
            for ((a, w), k) in acc.iter_mut().zip(blk.chunks_exact(8)).zip(LANE_K) {
                mix(a, w, k);
            }
        }
        let rest = blocks.remainder();
        let mut words = rest.chunks_exact(8);
        for ((a, w), k) in acc.iter_mut().zip(&mut words).zip(LANE_K) {
            mix(a, w, k);
        }
        if !words.remainder().is_empty() {
            acc[3] = (acc[3] ^ b.get(n - 8..).map_or(0, word)).wrapping_mul(LANE_K[0]);
        }
    }
    fold(acc, n)
}

/// An 8-byte little-endian word (0 for any other length).
#[inline(always)]
fn word(w: &[u8]) -> u64 {
    w.try_into().map_or(0, u64::from_le_bytes)
}

/// One word `w` into lane `a` with its constant `k`: the step of [`line_hash`] and
/// [`line_key`].
#[inline(always)]
fn mix(a: &mut u64, w: &[u8], k: u64) {
    *a = (*a ^ word(w)).wrapping_mul(k).rotate_left(29);
}

const LANE_K: [u64; 4] = [
    0x9E37_79B1_85EB_CA87,
    0xC2B2_AE3D_27D4_EB4F,
    0x1656_67B1_9E37_79F9,
    0x85EB_CA77_C2B2_AE63,
];

/// The four lanes of [`line_hash`] and [`line_key`] folded with the length, finished with
/// murmur3's `fmix64`.
#[inline(always)]
fn fold(acc: [u64; 4], n: usize) -> u64 {
    let mut h = acc[0] ^ acc[1].rotate_left(17) ^ acc[2].rotate_left(31) ^ acc[3].rotate_left(47);
    h ^= (n as u64).wrapping_mul(LANE_K[2]);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The first key of the order evidence lines are sampled in, computed for every line: of a
/// line of at most [`KEY_ALL_BYTES`] bytes, its [`line_hash`]; of a longer one, the same mixing
/// over ten of its words only (its first 32 bytes, the 16 around its middle, its last 32) and
/// its length. Lines alike in all of those are ordered by `line_hash` of every byte, computed
/// only for them (see [`Reservoir::offer`]). Measured on the clean bench NDJSON (~205-byte
/// lines): 46 fewer instructions a line than `line_hash` (cachegrind), ~2% of a one-thread run.
///
/// What it costs the sample: lines that agree in those 80 bytes and their length, and differ
/// between them, are one ticket in the draw (then drawn among by `line_hash`), where before
/// each was a ticket. Exact duplicates were one ticket already; a timestamp, an id or a latency
/// in the first or last 32 bytes sets nearly every line of real logs apart.
#[inline]
pub fn line_key(b: &[u8]) -> u64 {
    let n = b.len();
    if n <= KEY_ALL_BYTES {
        return line_hash(b);
    }
    // Fixed-size pieces: no bounds check per word.
    let (Some(head), Some(mid), Some(tail)) = (
        b.first_chunk::<32>(),
        b.get(n / 2 - 8..).and_then(|m| m.first_chunk::<16>()),
        b.last_chunk::<32>(),
    ) else {
        return line_hash(b);
    };
    let mut acc = LANE_K;
    for (piece, lanes) in [(&head[..], 0..4), (&mid[..], 0..2), (&tail[..], 0..4)] {
        for (j, w) in lanes.zip(piece.chunks_exact(8)) {
            mix(&mut acc[j], w, LANE_K[j]);
        }
    }
    fold(acc, n)
}

/// Lines up to this long are keyed by every byte ([`line_key`]).
const KEY_ALL_BYTES: usize = 80;

/// The index remembered for value index `vi` (`usize::MAX`: none).
#[inline]
fn hint_get(hints: &[u32], vi: u32) -> usize {
    hints.get(vi as usize).map_or(usize::MAX, |&h| h as usize)
}

/// Remember index `i` for value index `vi` (a value of a field below `max_dim_values`).
#[inline]
fn hint_set(hints: &mut Vec<u32>, vi: u32, i: usize) {
    if vi == NO_VALUE {
        return;
    }
    let vi = vi as usize;
    if hints.len() <= vi {
        hints.resize(vi + 1, u32::MAX);
    }
    hints[vi] = i.min(u32::MAX as usize) as u32;
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// What one record contributes, read from its members.
struct Extracted<'a> {
    latency: Option<f64>,
    is_error: bool,
    /// The status and group values as written (see [`Aggregates::extract`]: their text when
    /// UTF-8, else the text is "").
    status: Option<&'a [u8]>,
    group: Option<&'a [u8]>,
    ts: Option<i64>,
    /// `latency` prepared for the coarse histograms (timeline buckets, per value).
    coarse: Option<Prepared<4>>,
    /// Value indices of the status and group members in their fields ([`NO_VALUE`]: none).
    status_vi: u32,
    group_vi: u32,
    /// The group key is the route in `Aggregates::group_buf`, not `group`.
    group_routed: bool,
}

/// The bytes of a member value other than a string or a number (see `Fields::bytes`): an array's
/// text only for the status or group field, whose text is kept.
#[inline(never)]
fn other_bytes<'a>(fields: &'a Fields, src: &'a str, v: Val, role: Role) -> &'a [u8] {
    match v {
        Val::Bool(true) => b"true",
        Val::Bool(false) => b"false",
        Val::Raw(s) if role & (ROLE_STATUS | ROLE_GROUP) != 0 => fields.bytes(src, s),
        Val::Null => b"null",
        Val::Str(_) | Val::Num(_) | Val::Raw(_) => b"",
    }
}

/// A timestamp without a year placed by `year_ref` (none: not read).
#[cold]
fn yearless_ts(year_ref: Option<units::YearRef>, s: &str) -> Option<i64> {
    year_ref?.resolve(units::parse_yearless(s.as_bytes())?)
}

impl Aggregates {
    pub fn new(schema: Schema, limits: Limits) -> Self {
        let year_ref = schema.time_year_ref.map(units::YearRef);
        Aggregates {
            groups: HashCapped::new(limits.max_groups),
            latency_unit: schema.latency_unit,
            status_kind: schema.status_kind,
            schema,
            limits,
            bytes: 0,
            lines: 0,
            records: 0,
            parsed: 0,
            recovered: 0,
            skipped: 0,
            skipped_reasons: [0; SkipReason::ALL.len()],
            repairs: [0; Repair::ALL.len()],
            formats: [0; Format::ALL.len()],
            invalid_utf8_lines: 0,
            examples: BTreeMap::new(),
            last_group: usize::MAX,
            fields: Vec::new(),
            field_index: FxHashMap::default(),
            by_pos: [u32::MAX; 64],
            by_pos_known: 0,
            by_pos_gen: 0,
            resolved: Vec::new(),
            group_hint: Vec::new(),
            status_hint: Vec::new(),
            ts_cache: units::TimestampCache::default(),
            year_ref,
            route_buf: String::new(),
            group_buf: String::new(),
            ts_min: None,
            ts_max: None,
            bucket_ms: BASE_BUCKET_MS,
            time_cache: TimeCache::NONE,
        }
    }

    /// Count one record unit and, when it parsed, aggregate its members.
    #[inline]
    pub fn add(&mut self, unit: &Unit<'_>, outcome: Outcome, src: &str, fields: &Fields) {
        self.records += 1;
        if unit.is_lossy {
            self.invalid_utf8_lines += 1;
        }
        let repairs = match outcome {
            Outcome::Skipped(reason) => return self.add_skipped(unit, reason),
            Outcome::Parsed(f) => {
                self.parsed += 1;
                self.formats[f as usize] += 1;
                0
            }
            Outcome::Recovered(f, r) => {
                self.recovered += 1;
                self.formats[f as usize] += 1;
                self.add_recovered(unit, r.0);
                r.0
            }
        };
        let x = self.extract(src, fields);
        self.add_to_group(unit, &x, repairs);
        self.add_dims(&x);
    }

    #[cold]
    fn add_skipped(&mut self, unit: &Unit<'_>, reason: SkipReason) {
        self.skipped += 1;
        self.skipped_reasons[reason as usize] += 1;
        self.example((1, reason as u8), unit.line_no, unit.text);
    }

    #[cold]
    fn add_recovered(&mut self, unit: &Unit<'_>, repairs: u16) {
        for r in Repair::ALL {
            if repairs & (1 << r as u8) != 0 {
                self.repairs[r as usize] += 1;
                self.example((0, r as u8), unit.line_no, unit.text);
            }
        }
    }

    fn example(&mut self, key: ExampleKey, line_no: u64, text: &str) {
        let v = self.examples.entry(key).or_default();
        if v.len() >= EXAMPLES_PER_REASON && v.last().is_some_and(|l| l.0 < line_no) {
            return;
        }
        let at = v.partition_point(|x| x.0 < line_no);
        v.insert(at, (line_no, cut(text, EXAMPLE_BYTES)));
        v.truncate(EXAMPLES_PER_REASON);
    }

    /// Pass 1: resolve each member's field slot (cached by position) and, for fields still
    /// counted per value, its value index (kept in `resolved` for [`add_dims`](Self::add_dims),
    /// so a member's text is read once); read the roles.
    #[inline]
    fn extract<'a>(&mut self, src: &'a str, fields: &'a Fields) -> Extracted<'a> {
        let mut x = Extracted {
            latency: None,
            is_error: false,
            status: None,
            group: None,
            ts: None,
            coarse: None,
            status_vi: NO_VALUE,
            group_vi: NO_VALUE,
            group_routed: false,
        };
        let (latency_unit, status_kind) = (self.latency_unit, self.status_kind);
        let cap = self.limits.max_dim_values;
        self.resolved.clear();
        if self.by_pos_gen != fields.shape_gen {
            self.by_pos_gen = fields.shape_gen;
            self.by_pos_known = 0;
        }
        let known = fields.same_key & self.by_pos_known;
        // `1 << i` while i < 64, then 0.
        let mut bit = 1u64;
        for (i, m) in fields.list.iter().enumerate() {
            let slot = if known & bit != 0 {
                // The key at this position is the one resolved for this shape: not even read.
                self.by_pos[i & 63]
            } else {
                let s = self.slot_of(i, fields.text(src, m.key));
                if fields.same_key & bit != 0 {
                    self.by_pos_known |= bit;
                }
                s
            };
            bit <<= 1;
            let Some(f) = self.fields.get_mut(slot as usize) else {
                continue;
            };
            let role = f.role;
            let has_role = role != 0;
            f.present += 1;
            if f.overflowed && !has_role {
                // Only counted as present; its value is not even read.
                continue;
            }
            // The value's bytes, read without the char-boundary checks of `Fields::val`: used
            // where only a value that is a `str` can match (a stored value, the cached
            // timestamp, ASCII digits), else the value is read again by `Fields::val` — the
            // same text whenever these bytes are a `str`, and "" otherwise (bytes cut off the
            // source at a non-boundary are never UTF-8).
            let bytes: &[u8] = match m.val {
                // Strings and numbers first, without a jump table over the other kinds.
                Val::Str(s) | Val::Num(s) => fields.bytes(src, s),
                _ => other_bytes(fields, src, m.val, role),
            };
            let vi = match m.val {
                Val::Raw(_) | Val::Null => NO_VALUE,
                _ => match f.value_hit(bytes) {
                    Some(vi) => vi,
                    None => f.value_new(fields.val(src, m.val).text(), cap, &mut self.route_buf),
                },
            };
            if vi != NO_VALUE {
                self.resolved.push((slot, vi));
            }
            if !has_role {
                continue;
            }
            if role & ROLE_LATENCY != 0 {
                if let Some(u) = latency_unit {
                    // `to_ms`, with its plain-integer step read from the bytes (no
                    // `Fields::val`), and tried once.
                    let plain = match m.val {
                        Val::Num(_) => u.plain_ms(bytes),
                        _ => None,
                    };
                    x.latency = plain.or_else(|| u.to_ms_any(fields.val(src, m.val)));
                }
            }
            if role & (ROLE_STATUS | ROLE_GROUP) == 0 {
                if role & ROLE_TIME != 0 {
                    let hit = match m.val {
                        Val::Str(_) => units::parse_timestamp_cache_hit(bytes, &self.ts_cache),
                        _ => None,
                    };
                    x.ts = match hit {
                        Some(t) => Some(t),
                        None => self.timestamp(fields.val(src, m.val)),
                    };
                }
                continue;
            }
            let val = || fields.val(src, m.val);
            if role & ROLE_STATUS != 0 {
                if let Some(k) = status_kind {
                    x.is_error = f.is_error(k, m.val, vi, val);
                }
                x.status = Some(bytes);
                x.status_vi = vi;
            }
            if role & ROLE_GROUP != 0 {
                x.group = Some(bytes);
                x.group_vi = vi;
                if f.route {
                    // Grouped per route: the key is the route value index stored, else the
                    // route of the value (a field past `max_dim_values` routes).
                    x.group_routed = true;
                    match f.values.get(vi as usize) {
                        Some((v, _)) => {
                            self.group_buf.clear();
                            self.group_buf.push_str(v);
                        }
                        None => {
                            let v = val().text();
                            if !schema::route_of(v, &mut self.group_buf) {
                                self.group_buf.clear();
                                self.group_buf.push_str(v);
                            }
                        }
                    }
                }
            }
            if role & ROLE_TIME != 0 {
                x.ts = self.timestamp(val());
            }
        }
        x.coarse = x.latency.and_then(CoarseHistogram::prepare);
        x
    }

    /// The timestamp of the time field's value.
    #[inline]
    fn timestamp(&mut self, val: ValRef<'_>) -> Option<i64> {
        match val {
            ValRef::Str(s) => match units::parse_timestamp_cached(s.as_bytes(), &mut self.ts_cache)
            {
                None => yearless_ts(self.year_ref, s),
                t => t,
            },
            ValRef::Num(n) => units::parse_number(n.as_bytes()).and_then(units::epoch_number_to_ms),
            _ => None,
        }
    }

    #[inline]
    fn slot_of(&mut self, pos: usize, key: &str) -> u32 {
        if let Some(&s) = self.by_pos.get(pos) {
            if self
                .fields
                .get(s as usize)
                .is_some_and(|f| eq_short(f.name.as_bytes(), key.as_bytes()))
            {
                return s;
            }
        }
        let s = self.slot_lookup(key);
        if let Some(p) = self.by_pos.get_mut(pos) {
            *p = s;
            self.by_pos_known &= !(1u64 << pos);
        }
        s
    }

    #[cold]
    fn slot_lookup(&mut self, key: &str) -> u32 {
        if let Some(&i) = self.field_index.get(key) {
            return i as u32;
        }
        if self.fields.len() >= self.limits.max_fields {
            return u32::MAX;
        }
        self.fields.push(FieldAgg::new(key, &self.schema));
        let i = self.fields.len() - 1;
        self.field_index.insert(key.into(), i);
        i as u32
    }

    #[inline]
    fn add_to_group(&mut self, unit: &Unit<'_>, x: &Extracted<'_>, repairs: u16) {
        let routed = x.group_routed.then(|| std::mem::take(&mut self.group_buf));
        let key: &[u8] = match (&self.schema.group, x.group, &routed) {
            (_, _, Some(r)) => r.as_bytes(),
            (None, _, _) => ALL.as_bytes(),
            (Some(_), Some(g), _) => g,
            (Some(_), None, _) => NO_GROUP.as_bytes(),
        };
        // The group of the previous record, else the one last used for this group value
        // (both checked against the key), else a lookup.
        let last_ok = self
            .groups
            .items
            .get(self.last_group)
            .is_some_and(|it| eq_short(it.1.as_bytes(), key));
        let g = if last_ok {
            self.groups.at(self.last_group)
        } else {
            let hint = hint_get(&self.group_hint, x.group_vi);
            let (g, i) = self.groups.slot_hint(key, hint);
            self.last_group = i;
            hint_set(&mut self.group_hint, x.group_vi, i);
            g
        };
        g.count += 1;
        if x.is_error {
            g.errors += 1;
        }
        // `coarse` is `prepare` of the latency (None for the values `record` ignores).
        if let Some(p) = x.coarse {
            g.latency.record_prepared(p.to_precision());
        }
        if let Some(s) = x.status {
            let cap = self.limits.max_status_values;
            let st = g
                .status
                .get_or_insert_with(|| Box::new(HashCapped::new(cap)));
            let hint = hint_get(&self.status_hint, x.status_vi);
            let (n, i) = st.slot_hint(s, hint);
            *n += 1;
            if i != hint {
                hint_set(&mut self.status_hint, x.status_vi, i);
            }
        }
        if let Some(ts) = x.ts {
            g.first_ts = min_opt(g.first_ts, Some(ts));
            g.last_ts = max_opt(g.last_ts, Some(ts));
        }
        let k = EVIDENCE_K;
        let text = unit.text.as_bytes();
        let key = line_key(text);
        let hash = || line_hash(text);
        let make = |hash| EvidenceLine {
            key,
            hash,
            line_no: unit.line_no,
            text: cut(unit.text, EVIDENCE_BYTES),
            repairs,
            is_error: x.is_error,
            latency_ms: x.latency,
        };
        if repairs != 0 {
            g.recovered_ev.offer(k, key, unit.line_no, hash, make);
        } else if x.is_error {
            g.errors_ev.offer(k, key, unit.line_no, hash, make);
        } else {
            g.ok_ev.offer(k, key, unit.line_no, hash, make);
        }
        if let Some(r) = routed {
            self.group_buf = r;
        }
        if let Some(ts) = x.ts {
            self.add_time(ts, x);
        }
    }

    #[inline]
    fn add_time(&mut self, ts: i64, x: &Extracted<'_>) {
        let w = self.bucket_ms;
        let tc = &self.time_cache;
        if w == tc.w && self.ts_min == Some(tc.lo) && ts >= tc.lo && ts < tc.hi_limit {
            // Within the range the width was chosen for: a new largest timestamp keeps it.
            if self.ts_max.is_none_or(|m| ts > m) {
                self.ts_max = Some(ts);
            }
        } else {
            self.time_range(ts);
        }
        // `time_cache.w` is `bucket_ms` here (checked above, or just set).
        let tc = &self.time_cache;
        let start = if ts >= tc.start && ts < tc.end {
            tc.start
        } else {
            self.bucket_start(ts)
        };
        let g = if self.last_group == usize::MAX {
            match self.groups.other.as_mut() {
                Some(g) => g,
                None => return,
            }
        } else {
            self.groups.at(self.last_group)
        };
        let b = g.timeline.entry(start);
        b.count += 1;
        if x.is_error {
            b.errors += 1;
        }
        if let Some(p) = x.coarse {
            b.latency.record_prepared(p);
        }
    }

    /// Widen `ts_min`/`ts_max` to `ts` (and the buckets to fit), then remember in
    /// `time_cache` up to where a later timestamp keeps this width.
    #[cold]
    fn time_range(&mut self, ts: i64) {
        let (lo, hi) = (
            self.ts_min.map_or(ts, |m| m.min(ts)),
            self.ts_max.map_or(ts, |m| m.max(ts)),
        );
        if self.ts_min != Some(lo) || self.ts_max != Some(hi) {
            self.ts_min = Some(lo);
            self.ts_max = Some(hi);
            let w = width_for(self.bucket_ms, lo, hi, self.limits.max_buckets);
            if w != self.bucket_ms {
                self.rebucket(w);
            }
        }
        let w = self.bucket_ms;
        let max = self.limits.max_buckets.max(2) as i64;
        if self.time_cache.w != w {
            self.time_cache.start = 0;
            self.time_cache.end = 0;
        }
        self.time_cache.lo = lo;
        self.time_cache.w = w;
        // `width_for(w, lo, hi)` is `w` while `hi.div_euclid(w) - lo.div_euclid(w) < max`,
        // that is while `hi < (lo.div_euclid(w) + max) * w` (floor division, w ≥ 1).
        self.time_cache.hi_limit = if w >= 1 && max >= 2 {
            (i128::from(lo.div_euclid(w)) + i128::from(max))
                .checked_mul(i128::from(w))
                .map_or(i64::MAX, |l| {
                    l.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
                })
        } else {
            i64::MIN
        };
    }

    /// `ts`'s bucket start, remembered with the bucket's end in `time_cache`.
    #[cold]
    fn bucket_start(&mut self, ts: i64) -> i64 {
        let w = self.bucket_ms;
        let start = ts.div_euclid(w) * w;
        // Only an exact bucket (no overflow) is remembered: every timestamp in
        // [start, start + w) then has this start.
        let tc = &mut self.time_cache;
        match ts.div_euclid(w).checked_mul(w).zip(start.checked_add(w)) {
            Some((_, end)) if w >= 1 => {
                tc.start = start;
                tc.end = end;
            }
            _ => {
                tc.start = 0;
                tc.end = 0;
            }
        }
        start
    }

    #[cold]
    fn rebucket(&mut self, w: i64) {
        self.bucket_ms = w;
        let fix = |g: &mut GroupAgg| g.timeline.widen(w);
        for it in &mut self.groups.items {
            fix(&mut it.2);
        }
        if let Some(o) = self.groups.other.as_mut() {
            fix(o);
        }
    }

    /// Pass 2: count each member resolved by [`extract`](Self::extract) under its value.
    #[inline]
    fn add_dims(&mut self, x: &Extracted<'_>) {
        for &(slot, vi) in &self.resolved {
            if let Some(f) = self.fields.get_mut(slot as usize) {
                f.count(vi, x.is_error, x.coarse);
            }
        }
    }

    /// Combine with the aggregates of the input that comes right after this one.
    pub fn merge(&mut self, o: &Aggregates) {
        let line_shift = self.lines;
        self.bytes += o.bytes;
        self.lines += o.lines;
        self.records += o.records;
        self.parsed += o.parsed;
        self.recovered += o.recovered;
        self.skipped += o.skipped;
        for (a, b) in self.skipped_reasons.iter_mut().zip(o.skipped_reasons) {
            *a += b;
        }
        for (a, b) in self.repairs.iter_mut().zip(o.repairs) {
            *a += b;
        }
        for (a, b) in self.formats.iter_mut().zip(o.formats) {
            *a += b;
        }
        self.invalid_utf8_lines += o.invalid_utf8_lines;
        for (k, v) in &o.examples {
            for (line, text) in v {
                self.example(*k, line + line_shift, text);
            }
        }
        // Timeline widths first, so both sides use the final width.
        let lo = min_opt(self.ts_min, o.ts_min);
        let hi = max_opt(self.ts_max, o.ts_max);
        let mut w = self.bucket_ms.max(o.bucket_ms);
        if let (Some(lo), Some(hi)) = (lo, hi) {
            w = width_for(w, lo, hi, self.limits.max_buckets);
        }
        if w != self.bucket_ms {
            self.rebucket(w);
        }
        self.ts_min = lo;
        self.ts_max = hi;
        self.time_cache = TimeCache::NONE;
        let mut theirs = o.groups.clone();
        let shift_group = |g: &mut GroupAgg| {
            if o.bucket_ms != w {
                g.timeline.widen(w);
            }
            g.errors_ev.shift(line_shift);
            g.ok_ev.shift(line_shift);
            g.recovered_ev.shift(line_shift);
        };
        for it in &mut theirs.items {
            shift_group(&mut it.2);
        }
        if let Some(g) = theirs.other.as_mut() {
            shift_group(g);
        }
        self.groups.merge(&theirs);
        self.last_group = usize::MAX;
        self.group_hint.clear();
        self.status_hint.clear();
        for f in &o.fields {
            let i = self.slot_lookup(&f.name) as usize;
            if let Some(mine) = self.fields.get_mut(i) {
                mine.merge(f, self.limits.max_dim_values);
            }
        }
        self.by_pos = [u32::MAX; 64];
        self.by_pos_known = 0;
    }

    /// The JSON-contract summary of these aggregates.
    pub fn summary(&self) -> summary::Summary {
        let mut s = summary::Summary::default();
        let i = &mut s.input;
        i.bytes = self.bytes;
        i.lines = self.lines;
        i.records = self.records;
        i.parsed = self.parsed;
        i.recovered = self.recovered;
        i.skipped = self.skipped;
        i.invalid_utf8_lines = self.invalid_utf8_lines;
        for r in SkipReason::ALL {
            let n = self.skipped_reasons[r as usize];
            if n > 0 {
                i.skipped_reasons.insert(r.name().to_string(), n);
            }
        }
        for r in Repair::ALL {
            let n = self.repairs[r as usize];
            if n > 0 {
                i.repairs.insert(r.name().to_string(), n);
            }
        }
        for f in Format::ALL {
            let n = self.formats[f as usize];
            if n > 0 {
                i.formats.insert(f.name().to_string(), n);
            }
        }
        for ((outcome, reason), v) in &self.examples {
            let (outcome, reason) = if *outcome == 1 {
                let r = SkipReason::ALL.get(*reason as usize).copied();
                ("skipped", r.map(|r| r.name()).unwrap_or("?"))
            } else {
                let r = Repair::ALL.get(*reason as usize).copied();
                ("recovered", r.map(|r| r.name()).unwrap_or("?"))
            };
            for (line_no, text) in v {
                i.examples.push(summary::Example {
                    outcome: outcome.to_string(),
                    reason: reason.to_string(),
                    line_no: *line_no,
                    text: text.clone(),
                });
            }
        }

        let sc = &self.schema;
        s.fields = summary::FieldChoice {
            group: sc.group.clone(),
            latency: sc.latency.clone(),
            latency_unit: sc.latency_unit.map(|u| u.name().to_string()),
            status: sc.status.clone(),
            time: sc.time.clone(),
            time_zone: sc.time_zone.clone(),
            candidates: sc.candidates.clone(),
        };
        s.warnings = sc.warnings.clone();

        // Groups: by count, top `shown_groups`; the rest and the capped ones as (other).
        let mut groups: Vec<(&str, &GroupAgg)> = self.groups.iter().collect();
        groups.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
        let shown = self.limits.shown_groups.max(1);
        let mut other: Option<GroupAgg> = self.groups.other().cloned();
        for (_, g) in groups.iter().skip(shown) {
            other.get_or_insert_with(GroupAgg::default).merge_from(g);
        }
        let hidden = groups.len().saturating_sub(shown);
        groups.truncate(shown);
        if self.groups.is_capped() || hidden > 0 {
            s.warnings.push(format!(
                "the group field \"{}\" has many distinct values: {} are shown, the rest are \
                 counted together as {OTHER}",
                sc.group.as_deref().unwrap_or(""),
                groups.len()
            ));
        }
        let mut all: Vec<(String, &GroupAgg)> = groups
            .into_iter()
            .map(|(k, g)| (k.to_string(), g))
            .collect();
        if let Some(o) = other.as_ref() {
            all.push((OTHER.to_string(), o));
        }
        for (key, g) in &all {
            s.groups.push(group_summary(key, g));
        }
        s.groups
            .sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));

        // Timeline: the shown groups' series.
        s.timeline.bucket_ms = self.bucket_ms;
        for (key, g) in &all {
            if g.timeline.is_empty() {
                continue;
            }
            let points = g
                .timeline
                .iter()
                .map(|(t, b)| summary::TimelinePoint {
                    t: *t,
                    count: b.count,
                    errors: b.errors,
                    p50: b.latency.quantile(0.5),
                    p95: b.latency.quantile(0.95),
                })
                .collect();
            s.timeline.series.push(summary::TimelineSeries {
                group: key.clone(),
                points,
            });
        }

        // Dimensions: low-cardinality fields other than latency and time.
        for f in &self.fields {
            if f.overflowed || f.values.is_empty() {
                continue;
            }
            let mut values: Vec<summary::DimensionValue> = f
                .values
                .iter()
                .map(|(k, v)| {
                    let mut h = v.ok_latency.clone();
                    h.merge(&v.err_latency);
                    summary::DimensionValue {
                        value: k.to_string(),
                        count: v.count,
                        errors: v.errors,
                        p50: h.quantile(0.5),
                        p95: h.quantile(0.95),
                    }
                })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
            s.dimensions.push(summary::Dimension {
                field: f.name.to_string(),
                distinct: values.len() as u64,
                values,
            });
        }
        s.dimensions.sort_by(|a, b| a.field.cmp(&b.field));
        if sc.time.is_none() {
            s.warnings
                .push("no timestamp field found: the timeline is empty".to_string());
        }
        s
    }
}

fn group_summary(key: &str, g: &GroupAgg) -> summary::GroupSummary {
    let h = &g.latency;
    let latency_ms = (h.count() > 0).then(|| summary::LatencyStats {
        min: h.min().unwrap_or(0.0),
        mean: h.mean().unwrap_or(0.0),
        p50: h.quantile(0.5).unwrap_or(0.0),
        p90: h.quantile(0.9).unwrap_or(0.0),
        p95: h.quantile(0.95).unwrap_or(0.0),
        p99: h.quantile(0.99).unwrap_or(0.0),
        p999: h.quantile(0.999).unwrap_or(0.0),
        max: h.max().unwrap_or(0.0),
    });
    let mut status_counts = BTreeMap::new();
    if let Some(st) = &g.status {
        for (k, v) in st.iter() {
            status_counts.insert(k.to_string(), *v);
        }
        if let Some(o) = st.other() {
            status_counts.insert(OTHER.to_string(), *o);
        }
    }
    let mut evidence: Vec<summary::Evidence> = g
        .errors_ev
        .lines
        .iter()
        .chain(&g.ok_ev.lines)
        .chain(&g.recovered_ev.lines)
        .map(|e| summary::Evidence {
            line_no: e.line_no,
            text: e.text.clone(),
            repairs: Repair::ALL
                .iter()
                .filter(|r| e.repairs & (1 << **r as u8) != 0)
                .map(|r| r.name().to_string())
                .collect(),
            is_error: e.is_error,
            latency_ms: e.latency_ms,
        })
        .collect();
    evidence.sort_by_key(|e| e.line_no);
    summary::GroupSummary {
        key: key.to_string(),
        count: g.count,
        errors: g.errors,
        error_rate: if g.count > 0 {
            g.errors as f64 / g.count as f64
        } else {
            0.0
        },
        latency_ms,
        first_seen: g.first_ts.map(units::format_rfc3339_ms),
        last_seen: g.last_ts.map(units::format_rfc3339_ms),
        latency_count: h.count(),
        status_counts,
        cdf: h.cdf(200),
        evidence,
    }
}

/// The smallest width ≥ `current` (doubling from it) that puts [lo, hi] in ≤ `max` buckets.
fn width_for(current: i64, lo: i64, hi: i64, max: usize) -> i64 {
    let mut w = current.max(1);
    let max = max.max(2) as i64;
    while hi.div_euclid(w) - lo.div_euclid(w) >= max && w < i64::MAX / 4 {
        w *= 2;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eq_short_agrees_with_slice_equality_at_every_length() {
        for n in 0..=40usize {
            let a: Vec<u8> = (0..n as u8).map(|i| b'a' + i % 26).collect();
            assert!(eq_short(&a, &a.clone()));
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 0x20;
                assert!(!eq_short(&a, &b), "length {n}, differing at {at}");
            }
            assert!(!eq_short(&a, &a[..n.saturating_sub(1)]) || n == 0);
        }
    }

    #[test]
    fn line_hash_sees_every_byte_and_the_length() {
        let line: Vec<u8> = br#"{"ts":"2026-11-27T18:02:11.123Z","endpoint":"/api/score","modelVersion":"v1.3","responseTimeMs":820,"status":"Timeout","requestId":"req-97ea87f7e45c00a5","region":"us-east-1","tenant":"initech"}"#.to_vec();
        let mut seen = std::collections::HashSet::new();
        for n in 0..=line.len() {
            let base = line_hash(&line[..n]);
            assert!(seen.insert(base), "prefix of length {n} collides");
            for at in 0..n {
                let mut b = line[..n].to_vec();
                b[at] ^= 0x01;
                assert_ne!(
                    line_hash(&b),
                    base,
                    "length {n}: flipping byte {at} is not seen"
                );
            }
        }
        // Zero bytes of different lengths differ.
        assert_ne!(line_hash(&[0; 7]), line_hash(&[0; 8]));
        assert_ne!(line_hash(&[]), line_hash(&[0]));
    }

    #[test]
    fn line_key_sees_its_eighty_bytes_and_ties_fall_to_line_hash() {
        let line: Vec<u8> = (0..200u32).map(|i| b'a' + (i * 7 % 26) as u8).collect();
        assert_eq!(line_key(&line[..80]), line_hash(&line[..80]));
        let base = line_key(&line);
        let seen: Vec<usize> = (0..line.len())
            .filter(|&at| {
                let mut b = line.clone();
                b[at] ^= 1;
                line_key(&b) != base
            })
            .collect();
        let want: Vec<usize> = (0..32).chain(92..108).chain(168..200).collect();
        assert_eq!(seen, want);
        assert_ne!(line_key(&line[..199]), line_key(&line[1..]));

        // Lines alike in those bytes are kept in the order of `line_hash`, whatever the
        // order they come in, as one pass and as a merge.
        let lines: Vec<Vec<u8>> = (0..12u8)
            .map(|i| {
                let mut b = line.clone();
                b[50] = b'A' + i;
                b
            })
            .collect();
        let ev = |i: usize| EvidenceLine {
            key: line_key(&lines[i]),
            hash: line_hash(&lines[i]),
            line_no: i as u64 + 1,
            text: String::new(),
            repairs: 0,
            is_error: false,
            latency_ms: None,
        };
        let mut want: Vec<(u64, u64)> = (0..12)
            .map(|i| (line_hash(&lines[i]), i as u64 + 1))
            .collect();
        want.sort_unstable();
        want.truncate(4);
        let (mut one, mut a, mut b) = (
            Reservoir::default(),
            Reservoir::default(),
            Reservoir::default(),
        );
        for i in (0..12).rev() {
            let e = ev(i);
            one.offer(4, e.key, e.line_no, || line_hash(&lines[i]), |_| e.clone());
            let half = if i < 6 { &mut a } else { &mut b };
            half.offer(4, e.key, e.line_no, || line_hash(&lines[i]), |_| e.clone());
        }
        a.merge(4, &b);
        let got = |r: &Reservoir| {
            r.lines
                .iter()
                .map(|e| (e.hash, e.line_no))
                .collect::<Vec<_>>()
        };
        assert_eq!(got(&one), want);
        assert_eq!(got(&a), want);
    }

    #[test]
    fn line_hash_of_similar_lines_spreads_evenly() {
        // Lines that differ only in a counter: the top bit and the low byte are balanced,
        // as reservoir sampling needs (the smallest hashes must be a fair sample).
        let n = 20_000u32;
        let (mut top, mut low) = (0u32, [0u32; 16]);
        for i in 0..n {
            let h = line_hash(format!(r#"{{"id":{i},"status":"OK","ms":12}}"#).as_bytes());
            top += (h >> 63) as u32;
            low[(h & 15) as usize] += 1;
        }
        assert!(
            (n / 2 - 400..n / 2 + 400).contains(&top),
            "top bit set {top} of {n}"
        );
        for c in low {
            assert!(
                (n / 16 - 250..n / 16 + 250).contains(&c),
                "low nibble counts {low:?}"
            );
        }
    }

    #[test]
    fn value_table_finds_every_value() {
        let mut values: Vec<(Box<str>, ValueAgg)> = Vec::new();
        let mut t = ValueTable::default();
        let keys: Vec<String> = (0..300)
            .map(|i| format!("{}{i}", "tenant-".repeat(i % 4)))
            .collect();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.get(&values, k.as_bytes()), None);
            values.push((k.as_str().into(), ValueAgg::default()));
            t.insert(&values, i);
            for (j, k) in keys[..=i].iter().enumerate() {
                assert_eq!(t.get(&values, k.as_bytes()), Some(j));
            }
        }
        assert_eq!(t.get(&values, b""), None);
    }
}
