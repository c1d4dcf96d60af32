//! A mergeable, log-bucketed latency histogram (HdrHistogram-style log-linear layout).
//!
//! All values are **milliseconds**. A value `v` is binned by its IEEE-754 bits: the bucket key
//! is the biased exponent followed by the top `SUB_BITS` mantissa bits, i.e.
//! `v.to_bits() >> (52 - SUB_BITS)`. Every octave `[2^e, 2^(e+1))` is therefore split into
//! `2^SUB_BITS` equal-width buckets, and a bucket's relative width is at most `2^-SUB_BITS`.
//! Reporting the arithmetic midpoint of a bucket gives a relative error of at most
//! `2^-(SUB_BITS+1)`: **0.39 %** for [`Histogram`] (`SUB_BITS = 7`) and **3.1 %** for
//! [`CoarseHistogram`] (`SUB_BITS = 4`).
//!
//! Range: values in `[0, 2^-10 ms)` (below ≈ 0.977 µs, including `0`) share one lowest bucket;
//! values above [`MAX_TRACKABLE_MS`] (`1e9` ms, ≈ 11.6 days) are clamped into the bucket that
//! holds `1e9`. `min`, `max` and the sum used by `mean` are always exact (not clamped).
//! NaN, infinite and negative values are ignored (never panic).
//!
//! Storage is a dense `Vec<u64>` covering only the bucket-index range actually touched
//! (grown at either end in whole octaves), so latencies spanning 3 octaves cost about
//! `3 × 128 × 8` bytes for [`Histogram`]. The full range is 40 octaves (≈ 41 KiB worst case
//! for [`Histogram`], ≈ 5 KiB for [`CoarseHistogram`]).
//!
//! `merge` is exact: counts, min, max and the integer nanosecond sum are combined with
//! commutative, associative operations, so merging chunks in any order equals one pass.

use serde::{Deserialize, Serialize};

/// Values above this (in ms, ≈ 11.6 days) are counted in the bucket that holds it.
pub const MAX_TRACKABLE_MS: f64 = 1e9;
/// Lower edge of the first log bucket, in ms (`2^-10` ≈ 0.000977 ms ≈ 0.977 µs). Smaller values
/// (and `0`) are counted in the lowest bucket `[0, LOWEST_TRACKABLE_MS)`.
pub const LOWEST_TRACKABLE_MS: f64 = 1.0 / 1024.0;
/// Biased IEEE-754 exponent of [`LOWEST_TRACKABLE_MS`] (2^-10).
const MIN_BIASED_EXP: u64 = 1023 - 10;
const SIGN_MASK: u64 = 1 << 63;

/// Fine histogram: ≤ 0.39 % relative quantile error (128 buckets per octave).
pub type Histogram = LogHistogram<7>;
/// Coarse histogram for per-minute time buckets and per-field-value stats: ≤ 3.1 % relative
/// error (16 buckets per octave), about 128 bytes per touched octave.
pub type CoarseHistogram = LogHistogram<4>;

/// Nearest-rank index (1-based) of quantile `q` among `n` values: `ceil(q·n)`, at least 1,
/// at most `n`. `q` is clamped to `[0, 1]` (NaN counts as 0). A product within `1e-9` of an
/// integer is taken as that integer, so `0.07 × 100` is rank 7, not 8, despite
/// floating-point noise. Returns 0 only when `n == 0`.
pub fn nearest_rank(q: f64, n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    let q = if q > 0.0 { q.min(1.0) } else { 0.0 };
    let x = q * n as f64;
    let r = x.round();
    let rank = if (x - r).abs() <= 1e-9 * r.max(1.0) {
        r
    } else {
        x.ceil()
    };
    (rank as u64).clamp(1, n)
}

/// A value ready to record into [`LogHistogram`]s of one precision; see
/// [`LogHistogram::prepare`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prepared<const SUB_BITS: u32> {
    ms: f64,
    idx: usize,
    ns: u128,
}

impl<const SUB_BITS: u32> Prepared<SUB_BITS> {
    /// The same value prepared for histograms of precision `B`: what
    /// `LogHistogram::<B>::prepare` returns for it (the nanoseconds are not computed again).
    #[inline]
    pub fn to_precision<const B: u32>(self) -> Prepared<B> {
        Prepared {
            ms: self.ms,
            idx: LogHistogram::<B>::index_of(self.ms),
            ns: self.ns,
        }
    }
}

/// A log-linear histogram of millisecond values with `2^SUB_BITS` buckets per octave.
///
/// See the [module documentation](self) for layout, range and error bounds.
/// `SUB_BITS` must be in `1..=12`.
#[derive(Clone, Debug)]
pub struct LogHistogram<const SUB_BITS: u32> {
    /// Bucket index of `counts[0]`.
    offset: usize,
    /// Dense counts for bucket indexes `offset .. offset + counts.len()`.
    counts: Vec<u64>,
    /// Number of recorded values (saturating).
    total: u64,
    /// Exact sum of the recorded values in whole nanoseconds (each value rounded half-up).
    sum_ns: u128,
    /// Exact minimum and maximum (ms); meaningless while `total == 0`.
    min: f64,
    max: f64,
}

impl<const SUB_BITS: u32> Default for LogHistogram<SUB_BITS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const SUB_BITS: u32> LogHistogram<SUB_BITS> {
    const CHECK: () = assert!(
        SUB_BITS >= 1 && SUB_BITS <= 12,
        "SUB_BITS must be in 1..=12"
    );
    const SHIFT: u32 = 52 - SUB_BITS;
    const SUB_COUNT: usize = 1 << SUB_BITS;
    /// Bucket key (`bits >> SHIFT`) of the first log bucket, which has index 1.
    const BASE_KEY: u64 = MIN_BIASED_EXP << SUB_BITS;
    /// Number of bucket indexes: the lowest bucket (0) plus every key up to that of `1e9`.
    const NUM_BUCKETS: usize =
        ((MAX_TRACKABLE_MS.to_bits() >> Self::SHIFT) - Self::BASE_KEY) as usize + 2;

    /// An empty histogram. Does not allocate.
    pub fn new() -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::CHECK;
        LogHistogram {
            offset: 0,
            counts: Vec::new(),
            total: 0,
            sum_ns: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Bucket index of a finite, non-negative value (sign bit ignored, so `-0.0` is `0`).
    #[inline(always)]
    fn index_of(ms: f64) -> usize {
        let v = if ms < MAX_TRACKABLE_MS {
            ms
        } else {
            MAX_TRACKABLE_MS
        };
        let key = (v.to_bits() & !SIGN_MASK) >> Self::SHIFT;
        // key < BASE_KEY → 0 (lowest bucket); key == BASE_KEY → 1; …
        (key + 1).saturating_sub(Self::BASE_KEY) as usize
    }

    /// `[low, high)` bounds in ms of bucket `index` (the lowest bucket is `[0, 2^-10)`).
    #[inline]
    fn bounds_of(index: usize) -> (f64, f64) {
        if index == 0 {
            return (0.0, LOWEST_TRACKABLE_MS);
        }
        let key = index as u64 - 1 + Self::BASE_KEY;
        (
            f64::from_bits(key << Self::SHIFT),
            f64::from_bits((key + 1) << Self::SHIFT),
        )
    }

    /// The value reported for bucket `index`: the arithmetic midpoint, clamped to `[min, max]`.
    #[inline]
    fn representative(&self, index: usize) -> f64 {
        let (lo, hi) = Self::bounds_of(index);
        (0.5 * (lo + hi)).clamp(self.min, self.max)
    }

    /// Records one value in milliseconds. NaN, infinite and negative values are ignored.
    /// See [`record_n`](Self::record_n).
    #[inline]
    pub fn record(&mut self, ms: f64) {
        if let Some(p) = Self::prepare(ms) {
            self.record_prepared(p);
        }
    }

    /// `ms` made ready for [`record_prepared`](Self::record_prepared) into any number of
    /// histograms of this precision: bucket and rounded nanoseconds computed once (the
    /// aggregates record each latency in up to ten coarse histograms). `None` for values
    /// `record` ignores.
    #[inline]
    pub fn prepare(ms: f64) -> Option<Prepared<SUB_BITS>> {
        // Also rejects NaN (comparisons with NaN are false).
        if !(0.0..f64::INFINITY).contains(&ms) {
            return None;
        }
        let ms = ms + 0.0; // -0.0 → 0.0, so min() never reports a negative zero
        Some(Prepared {
            ms,
            idx: Self::index_of(ms),
            ns: Self::round_ns(ms),
        })
    }

    /// Records one value prepared by [`prepare`](Self::prepare): the same as
    /// [`record`](Self::record) of that value.
    #[inline]
    pub fn record_prepared(&mut self, p: Prepared<SUB_BITS>) {
        match self.counts.get_mut(p.idx.wrapping_sub(self.offset)) {
            Some(c) => *c = c.saturating_add(1),
            None => self.grow_and_add(p.idx, 1),
        }
        self.total = self.total.saturating_add(1);
        self.sum_ns = self.sum_ns.saturating_add(p.ns);
        if p.ms < self.min {
            self.min = p.ms;
        }
        if p.ms > self.max {
            self.max = p.ms;
        }
    }

    /// `ms` (finite, ≥ 0) in whole nanoseconds, rounded half-up.
    #[inline(always)]
    fn round_ns(ms: f64) -> u128 {
        // The u64 conversion is a single instruction (f64 → u128 is a library call); values
        // ≥ 2^64 ns (≈ 213 days) take the slow path, where `as` saturates for enormous values.
        let ns_f = ms * 1e6 + 0.5;
        if ns_f < 18_446_744_073_709_549_568.0 {
            ns_f as u64 as u128
        } else {
            ns_f as u128
        }
    }

    /// Records `n` occurrences of a value in milliseconds. NaN, infinite and negative values
    /// and `n == 0` are ignored. Values below 2^-10 ms go in the lowest bucket, values above
    /// `1e9` ms in the top bucket; `min`, `max` and the sum stay exact. Counts saturate at
    /// `u64::MAX` instead of overflowing.
    #[inline]
    pub fn record_n(&mut self, ms: f64, n: u64) {
        // Also rejects NaN (comparisons with NaN are false).
        if !(0.0..f64::INFINITY).contains(&ms) || n == 0 {
            return;
        }
        let ms = ms + 0.0; // -0.0 → 0.0, so min() never reports a negative zero
        let idx = Self::index_of(ms);
        match self.counts.get_mut(idx.wrapping_sub(self.offset)) {
            Some(c) => *c = c.saturating_add(n),
            None => self.grow_and_add(idx, n),
        }
        self.total = self.total.saturating_add(n);
        let ns = Self::round_ns(ms);
        let add = if n == 1 {
            ns
        } else {
            ns.saturating_mul(n as u128)
        };
        self.sum_ns = self.sum_ns.saturating_add(add);
        if ms < self.min {
            self.min = ms;
        }
        if ms > self.max {
            self.max = ms;
        }
    }

    /// Slow path of `record_n`: extends `counts` (in whole octaves) to cover `idx`.
    #[cold]
    #[inline(never)]
    fn grow_and_add(&mut self, idx: usize, n: u64) {
        self.ensure_range(idx, idx + 1);
        let i = idx - self.offset;
        self.counts[i] = self.counts[i].saturating_add(n);
    }

    /// Makes `counts` cover bucket indexes `lo..hi` (`hi ≤ NUM_BUCKETS`), rounded out to
    /// octave boundaries.
    fn ensure_range(&mut self, lo: usize, hi: usize) {
        let mask = Self::SUB_COUNT - 1;
        let lo = lo & !mask;
        let hi = ((hi + mask) & !mask).min(Self::NUM_BUCKETS);
        if self.counts.is_empty() {
            self.offset = lo;
            self.counts = vec![0; hi - lo];
            return;
        }
        let cur_end = self.offset + self.counts.len();
        let new_lo = lo.min(self.offset);
        let new_end = hi.max(cur_end);
        if new_lo == self.offset && new_end == cur_end {
            return;
        }
        // Exact sizes: the range grows at most 40 times (once per octave), and the capacity
        // stays equal to the touched range.
        let mut counts = Vec::with_capacity(new_end - new_lo);
        counts.resize(self.offset - new_lo, 0);
        counts.extend_from_slice(&self.counts);
        counts.resize(new_end - new_lo, 0);
        self.counts = counts;
        self.offset = new_lo;
    }

    /// Adds every value of `other` to `self`. Exact: the result equals one pass over both
    /// inputs, whatever the merge order.
    pub fn merge(&mut self, other: &Self) {
        if other.total == 0 {
            return;
        }
        // Only the non-zero span of `other` matters.
        let first = other.counts.iter().position(|&c| c != 0);
        let last = other.counts.iter().rposition(|&c| c != 0);
        if let (Some(f), Some(l)) = (first, last) {
            self.ensure_range(other.offset + f, other.offset + l + 1);
            let base = other.offset - self.offset;
            for (i, &c) in other.counts[f..=l].iter().enumerate() {
                let dst = &mut self.counts[base + f + i];
                *dst = dst.saturating_add(c);
            }
        }
        self.total = self.total.saturating_add(other.total);
        self.sum_ns = self.sum_ns.saturating_add(other.sum_ns);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Number of recorded values.
    #[inline]
    pub fn count(&self) -> u64 {
        self.total
    }

    /// True when nothing has been recorded.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Exact smallest recorded value (ms), `None` when empty.
    pub fn min(&self) -> Option<f64> {
        (self.total > 0).then_some(self.min)
    }

    /// Exact largest recorded value (ms), `None` when empty.
    pub fn max(&self) -> Option<f64> {
        (self.total > 0).then_some(self.max)
    }

    /// Exact sum of the recorded values in whole nanoseconds (each value rounded half-up to
    /// a nanosecond before summing; saturates at `u128::MAX`).
    pub fn sum_ns(&self) -> u128 {
        self.sum_ns
    }

    /// Mean in ms, `None` when empty. Computed from the integer nanosecond sum, so it is
    /// bit-identical whatever order chunks were merged in. Clamped to `[min, max]` (which only
    /// matters for sub-nanosecond values).
    pub fn mean(&self) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let mean = self.sum_ns as f64 / self.total as f64 / 1e6;
        Some(mean.clamp(self.min, self.max))
    }

    /// Nearest-rank quantile in ms: the value of rank `ceil(q·n)` (see [`nearest_rank`];
    /// `q ≤ 0` → min, `q ≥ 1` → max), approximated by its bucket's midpoint clamped to
    /// `[min, max]`. Rank 1 and rank `n` return the exact min and max. `None` when empty.
    /// Relative error ≤ 2^-(SUB_BITS+1) for values in `[2^-10, 1e9]` ms.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let rank = nearest_rank(q, self.total);
        if rank <= 1 {
            return Some(self.min);
        }
        if rank >= self.total {
            return Some(self.max);
        }
        let mut cum = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            cum = cum.saturating_add(c);
            if cum >= rank {
                return Some(self.representative(self.offset + i));
            }
        }
        Some(self.max)
    }

    /// Number of recorded values `≥ ms`, at bucket resolution: all values of a bucket count
    /// when the bucket's representative (its midpoint clamped to `[min, max]`, the value
    /// [`quantile`](Self::quantile) reports) is `≥ ms`. So the answer can be off by the values
    /// of the one bucket that contains `ms`. `ms ≤ 0` → [`count`](Self::count); NaN → 0.
    pub fn count_at_or_above(&self, ms: f64) -> u64 {
        if self.total == 0 || ms.is_nan() {
            return 0;
        }
        if ms <= 0.0 {
            return self.total;
        }
        let mut n = 0u64;
        for (i, &c) in self.counts.iter().enumerate().rev() {
            if c == 0 {
                continue;
            }
            if self.representative(self.offset + i) >= ms {
                n = n.saturating_add(c);
            } else {
                break;
            }
        }
        n
    }

    /// Non-empty buckets in ascending order as `(low, high, count)`, bounds in ms: the bucket
    /// covers `[low, high)`. The lowest bucket is `[0, 2^-10)`; the top bucket's `high` is
    /// raised to `max` when clamped values above `1e9` ms were recorded.
    pub fn buckets(&self) -> impl Iterator<Item = (f64, f64, u64)> + '_ {
        let top = Self::NUM_BUCKETS - 1;
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, &c)| c != 0)
            .map(move |(i, &c)| {
                let idx = self.offset + i;
                let (lo, mut hi) = Self::bounds_of(idx);
                if idx == top && self.max > hi {
                    hi = self.max;
                }
                (lo, hi, c)
            })
    }

    /// At most `max_points` points `[latency_ms, cumulative_fraction]` for charts: one point
    /// per non-empty bucket at its upper bound (clamped to `[min, max]`, the last point is
    /// exactly `max`), thinned evenly when there are more buckets than points. Both
    /// coordinates are non-decreasing and the last fraction is exactly `1.0`. Empty when the
    /// histogram is empty or `max_points == 0`.
    pub fn cdf(&self, max_points: usize) -> Vec<[f64; 2]> {
        if self.total == 0 || max_points == 0 {
            return Vec::new();
        }
        let n = self.total as f64;
        let mut cum = 0u64;
        let mut all: Vec<[f64; 2]> = Vec::new();
        for (_, hi, c) in self.buckets() {
            cum = cum.saturating_add(c);
            let x = hi.clamp(self.min, self.max);
            all.push([x, (cum as f64 / n).min(1.0)]);
        }
        if let Some(last) = all.last_mut() {
            *last = [self.max, 1.0];
        }
        if all.len() <= max_points {
            return all;
        }
        if max_points == 1 {
            return vec![[self.max, 1.0]];
        }
        let len = all.len();
        let mut out: Vec<[f64; 2]> = Vec::with_capacity(max_points);
        let mut prev = usize::MAX;
        for k in 0..max_points {
            // Evenly spaced indexes, first and last included.
            let i = (k * (len - 1) + (max_points - 1) / 2) / (max_points - 1);
            if i != prev {
                out.push(all[i]);
                prev = i;
            }
        }
        out
    }

    /// Heap memory held by this histogram, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.counts.capacity() * std::mem::size_of::<u64>()
    }

    /// Count in bucket `index` (0 outside the stored range).
    #[inline]
    fn count_at(&self, index: usize) -> u64 {
        self.counts
            .get(index.wrapping_sub(self.offset))
            .copied()
            .unwrap_or(0)
    }
}

/// Logical equality: same counts per bucket, same count, sum, min and max, whatever range
/// of buckets each one happens to have allocated.
impl<const SUB_BITS: u32> PartialEq for LogHistogram<SUB_BITS> {
    fn eq(&self, other: &Self) -> bool {
        if self.total != other.total || self.sum_ns != other.sum_ns {
            return false;
        }
        if self.total == 0 {
            return true;
        }
        if self.min.to_bits() != other.min.to_bits() || self.max.to_bits() != other.max.to_bits() {
            return false;
        }
        let lo = self.offset.min(other.offset);
        let hi = (self.offset + self.counts.len()).max(other.offset + other.counts.len());
        (lo..hi).all(|i| self.count_at(i) == other.count_at(i))
    }
}

/// Plain serialized form: only the non-zero span of counts is stored. `sum_ns` is a decimal
/// string because it is a `u128` (JSON readers such as JavaScript lose precision above 2^53).
#[derive(Serialize, Deserialize)]
struct HistogramRepr {
    sub_bits: u32,
    offset: usize,
    counts: Vec<u64>,
    count: u64,
    sum_ns: String,
    min: Option<f64>,
    max: Option<f64>,
}

impl<const SUB_BITS: u32> Serialize for LogHistogram<SUB_BITS> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let first = self.counts.iter().position(|&c| c != 0).unwrap_or(0);
        let last = self
            .counts
            .iter()
            .rposition(|&c| c != 0)
            .map_or(0, |l| l + 1);
        let repr = HistogramRepr {
            sub_bits: SUB_BITS,
            offset: self.offset + first,
            counts: self.counts.get(first..last).unwrap_or(&[]).to_vec(),
            count: self.total,
            sum_ns: self.sum_ns.to_string(),
            min: self.min(),
            max: self.max(),
        };
        repr.serialize(serializer)
    }
}

impl<'de, const SUB_BITS: u32> Deserialize<'de> for LogHistogram<SUB_BITS> {
    /// Validates the data (layout, range, counts adding up, min ≤ max, finite) so that a
    /// deserialized histogram upholds every invariant `record` does.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let r = HistogramRepr::deserialize(deserializer)?;
        if r.sub_bits != SUB_BITS {
            return Err(D::Error::custom("histogram: sub_bits mismatch"));
        }
        if r.offset > Self::NUM_BUCKETS || Self::NUM_BUCKETS - r.offset < r.counts.len() {
            return Err(D::Error::custom("histogram: bucket range out of bounds"));
        }
        let total = r.counts.iter().fold(0u64, |a, &c| a.saturating_add(c));
        if total != r.count {
            return Err(D::Error::custom("histogram: counts do not add up"));
        }
        let sum_ns: u128 = r
            .sum_ns
            .parse()
            .map_err(|_| D::Error::custom("histogram: bad sum_ns"))?;
        let mut h = Self::new();
        match (r.min, r.max, total) {
            (None, None, 0) => return Ok(h),
            (Some(min), Some(max), t) if t > 0 && min >= 0.0 && min <= max && max.is_finite() => {
                h.min = min;
                h.max = max;
            }
            _ => return Err(D::Error::custom("histogram: bad min/max")),
        }
        h.offset = r.offset;
        h.counts = r.counts;
        h.total = total;
        h.sum_ns = sum_ns;
        Ok(h)
    }
}

// Native only: proptest does not build for wasm32 (the wasm tests live in src/wasm.rs).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn to_precision_is_prepare_at_that_precision() {
        for ms in [
            0.0, -0.0, 1e-9, 0.0009, 0.000977, 0.5, 1.0, 76.0, 99.99, 820.0, 1e6, 1e9, 2e9, 1e300,
        ] {
            let coarse = CoarseHistogram::prepare(ms).map(|p| p.to_precision::<7>());
            assert_eq!(coarse, Histogram::prepare(ms), "{ms}");
        }
    }

    #[test]
    fn record_prepared_equals_record() {
        let values = [
            0.0,
            -0.0,
            1e-12,
            0.5,
            1.0,
            7.25,
            126.0,
            999.999,
            1e9,
            2e9,
            1e300,
            -1.0,
            f64::NAN,
            f64::INFINITY,
        ];
        let (mut a, mut b) = (CoarseHistogram::new(), CoarseHistogram::new());
        let (mut c, mut d) = (Histogram::new(), Histogram::new());
        for &v in values.iter().chain(&values) {
            a.record(v);
            c.record(v);
            if let Some(p) = CoarseHistogram::prepare(v) {
                b.record_prepared(p);
            }
            if let Some(p) = Histogram::prepare(v) {
                d.record_prepared(p);
            }
            let e = (a.count(), a.min(), a.max(), a.mean(), a.quantile(0.5));
            assert_eq!(e, (b.count(), b.min(), b.max(), b.mean(), b.quantile(0.5)));
            assert_eq!(
                c.buckets().collect::<Vec<_>>(),
                d.buckets().collect::<Vec<_>>()
            );
        }
        assert_eq!(a, b);
        assert_eq!(c, d);
    }
    use proptest::prelude::*;

    fn exact_nearest_rank(sorted: &[f64], q: f64) -> f64 {
        let r = nearest_rank(q, sorted.len() as u64) as usize;
        sorted[r - 1]
    }

    fn from_values(values: &[f64]) -> Histogram {
        let mut h = Histogram::new();
        for &v in values {
            h.record(v);
        }
        h
    }

    #[test]
    fn empty_returns_none() {
        let h = Histogram::new();
        assert!(h.is_empty());
        assert_eq!(h.count(), 0);
        assert_eq!(h.min(), None);
        assert_eq!(h.max(), None);
        assert_eq!(h.mean(), None);
        assert_eq!(h.quantile(0.5), None);
        assert_eq!(h.count_at_or_above(1.0), 0);
        assert_eq!(h.buckets().count(), 0);
        assert!(h.cdf(10).is_empty());
        assert_eq!(h.heap_bytes(), 0);
        assert_eq!(h, Histogram::default());
    }

    #[test]
    fn single_value() {
        let mut h = Histogram::new();
        h.record(820.0);
        assert_eq!(h.count(), 1);
        assert_eq!(h.min(), Some(820.0));
        assert_eq!(h.max(), Some(820.0));
        assert_eq!(h.mean(), Some(820.0));
        for q in [0.0, 0.01, 0.5, 0.99, 1.0] {
            assert_eq!(h.quantile(q), Some(820.0));
        }
        assert_eq!(h.count_at_or_above(820.0), 1);
        assert_eq!(h.count_at_or_above(821.0), 0);
        let b: Vec<_> = h.buckets().collect();
        assert_eq!(b.len(), 1);
        assert!(b[0].0 <= 820.0 && 820.0 < b[0].1 && b[0].2 == 1);
        assert_eq!(h.cdf(5), vec![[820.0, 1.0]]);
        // One octave of 128 buckets.
        assert_eq!(h.heap_bytes(), 128 * 8);
    }

    #[test]
    fn nearest_rank_definition() {
        assert_eq!(nearest_rank(0.0, 10), 1);
        assert_eq!(nearest_rank(0.5, 10), 5);
        assert_eq!(nearest_rank(0.51, 10), 6);
        assert_eq!(nearest_rank(1.0, 10), 10);
        assert_eq!(nearest_rank(0.07, 100), 7);
        assert_eq!(nearest_rank(0.95, 20), 19);
        assert_eq!(nearest_rank(0.99, 1000), 990);
        assert_eq!(nearest_rank(f64::NAN, 10), 1);
        assert_eq!(nearest_rank(7.0, 10), 10);
        assert_eq!(nearest_rank(0.5, 0), 0);
    }

    #[test]
    fn known_quantiles() {
        let values: Vec<f64> = (1..=1000).map(|i| i as f64).collect();
        let h = from_values(&values);
        for (q, want) in [(0.5, 500.0), (0.95, 950.0), (0.99, 990.0), (0.999, 999.0)] {
            let got = h.quantile(q).unwrap();
            assert!((got - want).abs() / want <= 0.004, "q={q} got={got}");
        }
        assert_eq!(h.quantile(0.0), Some(1.0));
        assert_eq!(h.quantile(1.0), Some(1000.0));
        assert_eq!(h.mean(), Some(500.5));
    }

    #[test]
    fn extreme_values_never_panic() {
        let mut h = Histogram::new();
        let mut c = CoarseHistogram::new();
        let xs = [
            0.0,
            -0.0,
            1e-9,
            f64::MIN_POSITIVE,
            5e-324,
            1e12,
            f64::MAX,
            f64::NAN,
            -1.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e9,
            999_999_999.9,
        ];
        for &x in &xs {
            h.record(x);
            h.record_n(x, u64::MAX);
            c.record(x);
        }
        let valid = xs.iter().filter(|x| **x >= 0.0 && x.is_finite()).count() as u64;
        assert_eq!(c.count(), valid);
        assert_eq!(h.count(), u64::MAX); // saturated
        assert_eq!(h.min(), Some(0.0));
        assert_eq!(h.max(), Some(f64::MAX));
        assert!(h.mean().is_some());
        for q in [0.0, 0.1, 0.5, 0.9, 1.0, -1.0, 2.0, f64::NAN] {
            let v = h.quantile(q).unwrap();
            assert!((0.0..=f64::MAX).contains(&v));
        }
        assert!(h.count_at_or_above(1e8) > 0);
        let _ = h.count_at_or_above(f64::NAN);
        let _ = h.count_at_or_above(f64::INFINITY);
        let cdf = h.cdf(3);
        assert!(cdf.len() <= 3 && cdf.last().unwrap()[1] == 1.0);
        // Bounded memory: the whole range.
        assert!(h.heap_bytes() <= Histogram::NUM_BUCKETS.next_multiple_of(128) * 8);
        const { assert!(Histogram::NUM_BUCKETS == 39 * 128 + 110 + 2) };
        let top = h.buckets().last().unwrap();
        assert_eq!(top.1, f64::MAX);
        let mut m = h.clone();
        m.merge(&h);
        assert_eq!(m.count(), u64::MAX);
        // Sub-nanosecond values: mean still within [min, max].
        let mut t = Histogram::new();
        t.record(1e-9);
        assert_eq!(t.mean(), Some(1e-9));
        assert_eq!(t.quantile(0.5), Some(1e-9));
    }

    #[test]
    fn record_n_equals_repeated_record() {
        let mut a = Histogram::new();
        let mut b = Histogram::new();
        for (v, n) in [(0.25, 3u64), (17.5, 1), (4000.0, 5), (0.0, 2)] {
            a.record_n(v, n);
            for _ in 0..n {
                b.record(v);
            }
        }
        a.record_n(5.0, 0);
        assert_eq!(a, b);
        assert_eq!(a.count(), 11);
        assert_eq!(a.sum_ns(), 20_018_250_000);
        let mut z = Histogram::new();
        z.record(-0.0);
        assert!(z.min().unwrap().is_sign_positive());
    }

    #[test]
    fn merge_with_disjoint_and_overlapping_ranges() {
        let mut a = from_values(&[0.5, 1.0, 2.0]);
        let b = from_values(&[1e6, 3e6]);
        let c = from_values(&[1e-5]);
        a.merge(&b);
        a.merge(&c);
        let one = from_values(&[0.5, 1.0, 2.0, 1e6, 3e6, 1e-5]);
        assert_eq!(a, one);
        assert_eq!(a.count(), 6);
        assert_eq!(a.min(), Some(1e-5));
        assert_eq!(a.max(), Some(3e6));
        // Merging an empty histogram changes nothing.
        let before = a.clone();
        a.merge(&Histogram::new());
        assert_eq!(a, before);
    }

    #[test]
    fn equality_is_logical() {
        let mut a = Histogram::new();
        a.record(1e6);
        a.record(1.0);
        let mut b = Histogram::new();
        b.record(1.0);
        b.record(1e6);
        assert_eq!(a, b);
        // Different allocated ranges, same counts.
        let mut c = Histogram::new();
        c.record(1e-3);
        let mut wide = c.clone();
        wide.merge(&a);
        let mut narrow = a.clone();
        narrow.merge(&c);
        assert_eq!(wide, narrow);
        b.record(2.0);
        assert_ne!(a, b);
    }

    #[test]
    fn count_at_or_above_and_buckets() {
        let h = from_values(&[1.0, 10.0, 100.0, 100.0, 1000.0]);
        assert_eq!(h.count_at_or_above(0.0), 5);
        assert_eq!(h.count_at_or_above(1.0), 5);
        assert_eq!(h.count_at_or_above(50.0), 3);
        assert_eq!(h.count_at_or_above(100.0), 3);
        assert_eq!(h.count_at_or_above(101.0), 1);
        assert_eq!(h.count_at_or_above(1000.0), 1);
        assert_eq!(h.count_at_or_above(2000.0), 0);
        let b: Vec<_> = h.buckets().collect();
        assert_eq!(b.len(), 4);
        assert_eq!(b.iter().map(|x| x.2).sum::<u64>(), 5);
        assert!(b.windows(2).all(|w| w[0].1 <= w[1].0));
        for (lo, hi, _) in &b {
            assert!(lo < hi);
        }
    }

    #[test]
    fn cdf_thinning() {
        let values: Vec<f64> = (1..=5000).map(|i| i as f64 * 0.37).collect();
        let h = from_values(&values);
        for mp in [1, 2, 3, 10, 50, 100_000] {
            let c = h.cdf(mp);
            assert!(!c.is_empty() && c.len() <= mp, "mp={mp} len={}", c.len());
            assert_eq!(*c.last().unwrap(), [5000.0 * 0.37, 1.0]);
            assert!(c
                .windows(2)
                .all(|w| w[0][0] <= w[1][0] && w[0][1] <= w[1][1]));
        }
        assert_eq!(h.cdf(10).len(), 10);
    }

    #[test]
    fn coarse_error_bound() {
        let mut h = CoarseHistogram::new();
        let values: Vec<f64> = (0..2000).map(|i| 0.05 * 1.007f64.powi(i)).collect();
        for &v in &values {
            h.record(v);
        }
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.1, 0.25, 0.5, 0.75, 0.9, 0.99] {
            let want = exact_nearest_rank(&sorted, q);
            let got = h.quantile(q).unwrap();
            assert!((got - want).abs() / want <= 1.0 / 32.0, "q={q}");
        }
        // 2000 values over ~20 octaves: about 20 × 16 × 8 bytes.
        assert!(
            h.heap_bytes() <= 22 * 16 * 8,
            "{} {} {}",
            h.heap_bytes(),
            h.offset,
            h.counts.len()
        );
    }

    #[test]
    fn serde_round_trip_and_validation() {
        let h = from_values(&[0.3, 12.0, 12.5, 4e4]);
        let json = serde_json::to_string(&h).unwrap();
        let back: Histogram = serde_json::from_str(&json).unwrap();
        assert_eq!(back, h);
        assert_eq!(back.quantile(0.5), h.quantile(0.5));
        let e: Histogram =
            serde_json::from_str(&serde_json::to_string(&Histogram::new()).unwrap()).unwrap();
        assert!(e.is_empty());
        // Wrong layout or inconsistent data is rejected, not trusted.
        assert!(serde_json::from_str::<CoarseHistogram>(&json).is_err());
        let bad = json.replace("\"count\":4", "\"count\":5");
        assert!(serde_json::from_str::<Histogram>(&bad).is_err());
        let bad = r#"{"sub_bits":7,"offset":99999999,"counts":[1],"count":1,"sum_ns":"1","min":1.0,"max":1.0}"#;
        assert!(serde_json::from_str::<Histogram>(bad).is_err());
    }

    /// Values spanning 0.01 ms .. 1e7 ms, log-uniform.
    fn latency() -> impl Strategy<Value = f64> {
        (-2.0f64..7.0).prop_map(|e| 10f64.powf(e))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn quantiles_within_one_percent(
            values in prop::collection::vec(latency(), 1..400),
            qs in prop::collection::vec(0.0f64..=1.0, 1..20),
        ) {
            let h = from_values(&values);
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            for q in qs.into_iter().chain([0.0, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0]) {
                let want = exact_nearest_rank(&sorted, q);
                let got = h.quantile(q).unwrap();
                let err = (got - want).abs() / want;
                prop_assert!(err <= 0.0040, "q={} want={} got={} err={}", q, want, got, err);
            }
            prop_assert_eq!(h.min(), Some(sorted[0]));
            prop_assert_eq!(h.max(), Some(sorted[sorted.len() - 1]));
        }

        #[test]
        fn merge_equals_one_pass(
            a in prop::collection::vec(latency(), 0..100),
            b in prop::collection::vec(latency(), 0..100),
            c in prop::collection::vec(latency(), 0..100),
        ) {
            let (ha, hb, hc) = (from_values(&a), from_values(&b), from_values(&c));
            let all: Vec<f64> = a.iter().chain(&b).chain(&c).copied().collect();
            let one = from_values(&all);
            // (a ∪ b) ∪ c
            let mut ab_c = ha.clone();
            ab_c.merge(&hb);
            ab_c.merge(&hc);
            // a ∪ (b ∪ c)
            let mut bc = hb.clone();
            bc.merge(&hc);
            let mut a_bc = ha.clone();
            a_bc.merge(&bc);
            // c ∪ b ∪ a
            let mut cba = hc.clone();
            cba.merge(&hb);
            cba.merge(&ha);
            prop_assert_eq!(&ab_c, &one);
            prop_assert_eq!(&a_bc, &one);
            prop_assert_eq!(&cba, &one);
            // Mean is bit-identical whatever the order.
            prop_assert_eq!(ab_c.mean().map(f64::to_bits), one.mean().map(f64::to_bits));
            prop_assert_eq!(cba.mean().map(f64::to_bits), one.mean().map(f64::to_bits));
            prop_assert_eq!(a_bc.quantile(0.99), one.quantile(0.99));
            if !all.is_empty() {
                let exact: f64 = all.iter().sum::<f64>() / all.len() as f64;
                let m = one.mean().unwrap();
                prop_assert!((m - exact).abs() <= 1e-6 + exact * 1e-12);
            }
        }

        #[test]
        fn cdf_monotone_ends_at_one(
            values in prop::collection::vec(latency(), 1..300),
            max_points in 1usize..200,
        ) {
            let h = from_values(&values);
            let c = h.cdf(max_points);
            prop_assert!(!c.is_empty() && c.len() <= max_points);
            prop_assert!(c.windows(2).all(|w| w[0][0] <= w[1][0] && w[0][1] <= w[1][1]));
            prop_assert_eq!(c.last().unwrap()[1], 1.0);
        }

        #[test]
        fn arbitrary_f64_never_panics(bits in prop::collection::vec(any::<u64>(), 0..50)) {
            let mut h = CoarseHistogram::new();
            for b in bits {
                h.record(f64::from_bits(b));
            }
            let _ = (h.quantile(0.5), h.mean(), h.cdf(4), h.count_at_or_above(1.0));
            let n: u64 = h.buckets().map(|b| b.2).sum();
            prop_assert_eq!(n, h.count());
        }
    }

    /// Rough speed check: `cargo test --release -- --ignored --nocapture bench_record`.
    #[test]
    #[ignore]
    fn bench_record() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let values: Vec<f64> = (0..1_000_000)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                1.0 + (seed >> 11) as f64 / (1u64 << 53) as f64 * 3000.0
            })
            .collect();
        let mut h = Histogram::new();
        let rounds = 20;
        // `Instant` is fine here: this test never runs on wasm.
        let t = std::time::Instant::now();
        for _ in 0..rounds {
            for &v in &values {
                h.record(std::hint::black_box(v));
            }
        }
        let ns = t.elapsed().as_nanos() as f64 / (rounds * values.len()) as f64;
        println!("record: {ns:.2} ns/value (count {})", h.count());
    }
}
