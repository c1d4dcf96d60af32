//! Strict JSON objects: the hot path.
//!
//! [`parse_object`] reads one JSON object and records each member as a [`Field`] of spans.
//! Strings without escapes borrow from the input; escaped strings and the dotted keys of
//! nested objects (`res.statusCode`) go to one scratch buffer reused from line to line, so a
//! typical line allocates nothing. Arrays are kept as raw JSON text. Anything that is not
//! strictly valid JSON is an error here; the lenient path (`lenient.rs`) repairs such lines
//! into strict JSON and comes back through this scanner.

use super::eq_short;

/// Where a key or value lives: in the input line, or in [`Fields`]' scratch buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    pub in_scratch: bool,
}

/// A member value. Strings are unescaped; numbers keep their JSON text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Val {
    Str(Span),
    Num(Span),
    Bool(bool),
    Null,
    /// An array, as its raw JSON text.
    Raw(Span),
}

/// One member of the (flattened) object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub key: Span,
    pub val: Val,
}

/// The members of the current record, reused from record to record.
#[derive(Debug, Default)]
pub struct Fields {
    pub list: Vec<Field>,
    scratch: Vec<u8>,
    /// The dotted path of the object being read (`res.` while inside `"res": {…}`).
    path: Vec<u8>,
    /// The key shape: the top-level keys seen at each member position (< 64), each with its
    /// closing quote (empty: none). Logs from one emitter repeat their keys in one order, so
    /// a key is first compared with the one at its position, and scanned only when it differs.
    shape: Vec<Vec<u8>>,
    /// Parallel to `shape`: each key as the bytes a compact member starts with, for one
    /// masked compare (see [`KeyProbe`]).
    probe: Vec<KeyProbe>,
    /// Names the shape's content: a new number, unique in the process, whenever it changes.
    pub shape_gen: u64,
    /// Bit `i`: member `i`'s key is `shape[i]` of `shape_gen` (so a consumer that resolved
    /// that key once for this generation may reuse its answer without reading the key).
    pub same_key: u64,
}

/// A shape key as a compact member starts: `"key":`, up to 24 bytes, held as three
/// little-endian words and the masks of the bytes that count, so that a member's key is checked
/// with three masked word compares instead of a length dispatch and two byte checks.
#[derive(Clone, Copy, Debug, Default)]
struct KeyProbe {
    words: [u64; 3],
    masks: [u64; 3],
    /// The length of `"key":` (0: the key is too long for a probe, or there is none).
    len: usize,
}

impl KeyProbe {
    fn new(key: &[u8]) -> KeyProbe {
        let len = key.len() + 3;
        let mut p = KeyProbe::default();
        if len > 24 {
            return p;
        }
        let mut bytes = [0u8; 24];
        let mut mask = [0u8; 24];
        bytes[0] = b'"';
        bytes[1..=key.len()].copy_from_slice(key);
        bytes[key.len() + 1] = b'"';
        bytes[key.len() + 2] = b':';
        mask[..len].fill(0xff);
        for (k, (b, m)) in bytes.chunks_exact(8).zip(mask.chunks_exact(8)).enumerate() {
            p.words[k] = u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
            p.masks[k] = u64::from_le_bytes(m.try_into().unwrap_or([0; 8]));
        }
        p.len = len;
        p
    }

    /// Whether `w` (24 bytes of input or more) starts with this probe's `"key":`.
    #[inline(always)]
    fn matches(&self, w: &[u8; 24]) -> bool {
        let word = |k: usize| {
            let b = [
                w[8 * k],
                w[8 * k + 1],
                w[8 * k + 2],
                w[8 * k + 3],
                w[8 * k + 4],
                w[8 * k + 5],
                w[8 * k + 6],
                w[8 * k + 7],
            ];
            (u64::from_le_bytes(b) ^ self.words[k]) & self.masks[k]
        };
        word(0) | word(1) | word(2) == 0
    }
}

/// Shape generations, unique in the process so that no two `Fields` ever share one.
static SHAPE_GEN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A value resolved against its source.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ValRef<'a> {
    Str(&'a str),
    Num(&'a str),
    Bool(bool),
    Null,
    Raw(&'a str),
}

impl<'a> ValRef<'a> {
    /// The value as text: strings unquoted, numbers as written, `true`, `false`, `null`.
    pub fn text(self) -> &'a str {
        match self {
            ValRef::Str(s) | ValRef::Num(s) | ValRef::Raw(s) => s,
            ValRef::Bool(true) => "true",
            ValRef::Bool(false) => "false",
            ValRef::Null => "null",
        }
    }
}

impl Fields {
    pub fn clear(&mut self) {
        self.list.clear();
        self.scratch.clear();
        self.path.clear();
        self.same_key = 0;
    }

    /// Whether member `i`'s key is the shape's key at `i` (see [`same_key`](Self::same_key)).
    #[inline]
    pub fn is_same_key(&self, i: usize) -> bool {
        i < 64 && self.same_key >> i & 1 == 1
    }

    /// Record that position `p` held the key `span` (a top-level key just scanned).
    #[cold]
    fn learn_key(&mut self, p: usize, span: Span, src: &[u8]) {
        // An escaped key (unescaped into scratch) is never compared: no shape at `p`.
        let key = (!span.in_scratch)
            .then(|| src.get(span.start as usize..span.end as usize))
            .flatten();
        if self.shape.len() <= p {
            self.shape.resize(p + 1, Vec::new());
            self.probe.resize(p + 1, KeyProbe::default());
        }
        let Some(slot) = self.shape.get_mut(p) else {
            return;
        };
        let same = match key {
            None => slot.is_empty(),
            Some(k) => slot.len() == k.len() + 1 && slot.starts_with(k),
        };
        if same {
            return;
        }
        slot.clear();
        if let Some(k) = key {
            slot.extend_from_slice(k);
            slot.push(b'"');
        }
        if let Some(probe) = self.probe.get_mut(p) {
            *probe = key.map(KeyProbe::new).unwrap_or_default();
        }
        self.shape_gen = SHAPE_GEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The text of `span`, read from `src` (the parsed input) or the scratch buffer.
    #[inline(always)]
    pub fn text<'a>(&'a self, src: &'a str, span: Span) -> &'a str {
        let range = span.start as usize..span.end as usize;
        if span.in_scratch {
            // Scratch holds whole UTF-8 strings copied or unescaped from valid input.
            self.scratch
                .get(range)
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default()
        } else {
            src.get(range).unwrap_or_default()
        }
    }

    /// The bytes of `span`, `b""` when out of range. Unlike [`text`](Self::text), a span of
    /// `src` is not checked to be on char boundaries: for lookups of bytes against stored
    /// text, where a match is that text. (A span of scratch goes through `text`: written so,
    /// the record loop ran 0.8% fewer instructions than with a plain `get`.)
    #[inline(always)]
    pub fn bytes<'a>(&'a self, src: &'a str, span: Span) -> &'a [u8] {
        if span.in_scratch {
            self.text(src, span).as_bytes()
        } else {
            src.as_bytes()
                .get(span.start as usize..span.end as usize)
                .unwrap_or_default()
        }
    }

    /// Member `i` as (key, value).
    #[inline]
    pub fn get<'a>(&'a self, src: &'a str, i: usize) -> Option<(&'a str, ValRef<'a>)> {
        let f = self.list.get(i)?;
        Some((self.text(src, f.key), self.val(src, f.val)))
    }

    #[inline(always)]
    pub fn val<'a>(&'a self, src: &'a str, v: Val) -> ValRef<'a> {
        match v {
            Val::Str(s) => ValRef::Str(self.text(src, s)),
            Val::Num(s) => ValRef::Num(self.text(src, s)),
            Val::Raw(s) => ValRef::Raw(self.text(src, s)),
            Val::Bool(b) => ValRef::Bool(b),
            Val::Null => ValRef::Null,
        }
    }

    /// The value of the last member named `key`.
    pub fn find<'a>(&'a self, src: &'a str, key: &str) -> Option<ValRef<'a>> {
        self.list
            .iter()
            .rev()
            .find(|f| self.text(src, f.key) == key)
            .map(|f| self.val(src, f.val))
    }
}

/// Why strict parsing failed. Small and `Copy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonError {
    /// Valid JSON, but not an object.
    NotAnObject,
    /// Not valid JSON at byte `at`.
    Syntax { at: u32 },
    /// Nested deeper than the limit.
    TooDeep,
}

/// Bytes that end the fast string loop: `"`, `\`, and control characters.
static STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// High bit set in each byte of `w` (little-endian) that is a [`STOP`] byte: `"`, `\\` or
/// below 0x20. Bytes above the lowest flagged one may be flagged falsely (a borrow runs up),
/// so only the lowest set bit is meaningful; it is exact.
#[inline(always)]
fn stop_mask(w: u64) -> u64 {
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let quote = zero(w ^ (ONES * b'"' as u64));
    let bslash = zero(w ^ (ONES * b'\\' as u64));
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    quote | bslash | control
}

/// Bit `i` set when byte `i` of `b` is a [`STOP`] byte (every bit exact). One 16-byte SIMD
/// compare where the target has it (SSE2 is in the x86_64 baseline; the page's wasm is built
/// with simd128), else [`stop_bits16_swar`].
#[inline(always)]
fn stop_bits16(b: &[u8; 16]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of the x86_64 baseline, and the unaligned load reads exactly
        // the 16 bytes of `b`.
        unsafe {
            let v = _mm_loadu_si128(b.as_ptr().cast());
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let bslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            // Below 0x20: min(v, 0x1f) == v.
            let control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, bslash), control)) as u32
        }
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::{
            u8x16_bitmask, u8x16_eq, u8x16_lt, u8x16_splat, v128_load, v128_or,
        };
        // SAFETY: the load reads exactly the 16 bytes of `b`; wasm loads need no alignment.
        let v = unsafe { v128_load(b.as_ptr().cast()) };
        let quote = u8x16_eq(v, u8x16_splat(b'"'));
        let bslash = u8x16_eq(v, u8x16_splat(b'\\'));
        let control = u8x16_lt(v, u8x16_splat(0x20));
        u32::from(u8x16_bitmask(v128_or(v128_or(quote, bslash), control)))
    }
    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )))]
    {
        stop_bits16_swar(b)
    }
}

/// [`stop_bits16`] without SIMD, exact in every bit: for the targets that have none here.
#[cfg_attr(
    any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    ),
    allow(dead_code)
)]
#[inline(always)]
fn stop_bits16_swar(b: &[u8; 16]) -> u32 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // High bit of each byte that is zero / below 0x20, exactly (no carry between bytes).
    let zero = |x: u64| !(((x & LOW7) + LOW7) | x | LOW7);
    let below_space = |x: u64| !(((x & LOW7) + 0x6060_6060_6060_6060) | x | LOW7);
    // The eight high bits gathered into one byte.
    let gather = |m: u64| ((m >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u32;
    let word = |w: u64| {
        gather(zero(w ^ (ONES * b'"' as u64)) | zero(w ^ (ONES * b'\\' as u64)) | below_space(w))
    };
    let (lo, hi) = b.split_at(8);
    let lo = u64::from_le_bytes(lo.try_into().unwrap_or([0; 8]));
    let hi = u64::from_le_bytes(hi.try_into().unwrap_or([0; 8]));
    word(lo) | word(hi) << 8
}

/// The end of the JSON number that starts at `i`, or the position of the byte that makes it
/// not one. An index either way, so that the flat path gets it back in a register (a
/// `Result<Val, _>` came back through the stack); [`Scanner::number`] reads numbers with it too.
#[inline]
fn number_end(src: &[u8], mut i: usize) -> Result<usize, usize> {
    let digits = |mut i: usize| {
        while let Some(b'0'..=b'9') = src.get(i) {
            i += 1;
        }
        i
    };
    if src.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match src.get(i) {
        Some(b'0') => i + 1,
        Some(b'1'..=b'9') => digits(i + 1),
        _ => return Err(i),
    };
    if src.get(i) == Some(&b'.') {
        if !matches!(src.get(i + 1), Some(b'0'..=b'9')) {
            return Err(i + 1);
        }
        i = digits(i + 1);
    }
    if let Some(b'e' | b'E') = src.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = src.get(i) {
            i += 1;
        }
        if !matches!(src.get(i), Some(b'0'..=b'9')) {
            return Err(i);
        }
        i = digits(i);
    }
    Ok(i)
}

/// Where [`Scanner::flat_members`] stopped.
enum Flat {
    /// The object is read, its `}` included.
    Done,
    /// At the start of the first member (or the `}` of an empty object): nothing recorded.
    AtStart,
    /// At the start of a member after `,`: the members before it are recorded.
    AtMember,
}

struct Scanner<'s> {
    src: &'s [u8],
    pos: usize,
    max_depth: usize,
}

/// Parse `src` as exactly one JSON object (surrounding whitespace allowed), appending its
/// members to `fields` (cleared first). Nested objects are flattened with dotted keys.
/// `max_depth` bounds nesting (objects and arrays); deeper input is [`JsonError::TooDeep`].
pub fn parse_object(src: &str, fields: &mut Fields, max_depth: usize) -> Result<(), JsonError> {
    fields.clear();
    if src.len() >= u32::MAX as usize {
        return Err(JsonError::Syntax { at: 0 });
    }
    let mut s = Scanner {
        src: src.as_bytes(),
        pos: 0,
        max_depth: max_depth.max(1),
    };
    s.ws();
    match s.peek() {
        Some(b'{') => {}
        Some(b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9') => {
            return Err(s.not_object());
        }
        _ => return Err(s.err()),
    }
    s.pos += 1;
    s.object_body(fields, 1)?;
    s.ws();
    if s.pos != s.src.len() {
        return Err(s.err());
    }
    Ok(())
}

impl<'s> Scanner<'s> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    #[cold]
    fn err(&self) -> JsonError {
        JsonError::Syntax {
            at: self.pos as u32,
        }
    }

    /// A value that is valid JSON but not an object is `NotAnObject`, anything else Syntax.
    #[cold]
    fn not_object(&mut self) -> JsonError {
        let mut scratch = Fields::default();
        let ok = match self.value_skip(&mut scratch, 1) {
            Err(JsonError::TooDeep) => return JsonError::TooDeep,
            r => {
                r.is_ok() && {
                    self.ws();
                    self.pos == self.src.len()
                }
            }
        };
        if ok {
            JsonError::NotAnObject
        } else {
            self.err()
        }
    }

    /// After `{`: members until the matching `}`.
    fn object_body(&mut self, fields: &mut Fields, depth: usize) -> Result<(), JsonError> {
        if fields.path.is_empty() {
            match self.flat_members(fields) {
                Flat::Done => return Ok(()),
                Flat::AtMember => return self.members(fields, depth),
                Flat::AtStart => {}
            }
        }
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        self.members(fields, depth)
    }

    /// The common record, read in one tight loop: compact (no whitespace), flat members whose
    /// keys are the shape's, with plain strings (no escape), numbers, `true`, `false` or
    /// `null` as values. At anything else it stops at the start of that member, having
    /// recorded exactly what [`members`](Self::members) would have recorded before it, and
    /// that loop reads the rest. What it saves is the general loop's whitespace checks and
    /// error plumbing around every token: 526.6 M → 485.2 M instructions for the whole run on
    /// 20 MB of the clean bench NDJSON (cachegrind), -9.7% per byte past the detection.
    #[inline]
    fn flat_members(&mut self, fields: &mut Fields) -> Flat {
        let src = self.src;
        let start = self.pos;
        let mut i = start;
        loop {
            // `i`: the start of a member (its key's opening quote).
            let member = i;
            let stop = if member == start {
                Flat::AtStart
            } else {
                Flat::AtMember
            };
            let p = fields.list.len();
            let Some(exp) = fields.shape.get(p) else {
                self.pos = member;
                return stop;
            };
            // `n`: the key's length with its closing quote.
            let n = exp.len();
            let probe = fields.probe.get(p).filter(|k| k.len != 0);
            let window = src
                .get(i..i + 24)
                .and_then(|w| <&[u8; 24]>::try_from(w).ok());
            let key_ok = match (probe, window) {
                (Some(probe), Some(w)) => probe.matches(w),
                _ => {
                    n != 0
                        && src.get(i) == Some(&b'"')
                        && src
                            .get(i + 1..i + 1 + n)
                            .is_some_and(|got| eq_short(got, exp))
                        && src.get(i + 1 + n) == Some(&b':')
                }
            };
            if !key_ok {
                self.pos = member;
                return stop;
            }
            let key = Span {
                start: (i + 1) as u32,
                end: (i + n) as u32,
                in_scratch: false,
            };
            i += n + 2;
            // The member ends at `i` with `,` (read on) or `}` (done): record it. Written out in
            // each value's branch, so that a string's span is stored straight from registers (a
            // shared tail kept the value in stack slots: 2 loads and a store per byte of padding).
            macro_rules! finish {
                ($val:expr) => {{
                    let next = match src.get(i) {
                        Some(b',') => false,
                        Some(b'}') => true,
                        _ => {
                            self.pos = member;
                            return stop;
                        }
                    };
                    // `p < 64`: the shape holds positions below 64 only.
                    fields.same_key |= 1 << p;
                    fields.list.push(Field { key, val: $val });
                    i += 1;
                    if next {
                        self.pos = i;
                        return Flat::Done;
                    }
                    continue;
                }};
            }
            let val = match src.get(i) {
                Some(b'"') => {
                    let s = i + 1;
                    let mut j = s;
                    // The first stop byte: 16 bytes at a time; with fewer left, the line's
                    // last 16 bytes (their bits before `j` shifted out); in a line shorter
                    // than 16 bytes, byte by byte.
                    loop {
                        if let Some(w) = src.get(j..j + 16).and_then(|w| w.try_into().ok()) {
                            let m = stop_bits16(w);
                            if m != 0 {
                                j += m.trailing_zeros() as usize;
                                break;
                            }
                            j += 16;
                        } else if let Some(last) = src.len().checked_sub(16) {
                            let w = src.get(last..).and_then(|w| w.try_into().ok());
                            let m = w.map_or(0, stop_bits16) >> (j - last);
                            j = if m != 0 {
                                j + m.trailing_zeros() as usize
                            } else {
                                src.len()
                            };
                            break;
                        } else {
                            while src.get(j).is_some_and(|&b| !STOP[b as usize]) {
                                j += 1;
                            }
                            break;
                        }
                    }
                    if src.get(j) != Some(&b'"') {
                        self.pos = member;
                        return stop;
                    }
                    i = j + 1;
                    finish!(Val::Str(Span {
                        start: s as u32,
                        end: j as u32,
                        in_scratch: false,
                    }))
                }
                Some(b'-' | b'0'..=b'9') => {
                    let Ok(end) = number_end(src, i) else {
                        self.pos = member;
                        return stop;
                    };
                    let s = i;
                    i = end;
                    finish!(Val::Num(Span {
                        start: s as u32,
                        end: end as u32,
                        in_scratch: false,
                    }))
                }
                Some(b't') if src.get(i..i + 4) == Some(b"true") => {
                    i += 4;
                    Val::Bool(true)
                }
                Some(b'f') if src.get(i..i + 5) == Some(b"false") => {
                    i += 5;
                    Val::Bool(false)
                }
                Some(b'n') if src.get(i..i + 4) == Some(b"null") => {
                    i += 4;
                    Val::Null
                }
                _ => {
                    self.pos = member;
                    return stop;
                }
            };
            finish!(val);
        }
    }

    /// Members (after `{` and any members before them) until the matching `}`.
    fn members(&mut self, fields: &mut Fields, depth: usize) -> Result<(), JsonError> {
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.err());
            }
            self.pos += 1;
            let (raw_key, key) = if fields.path.is_empty() {
                let k = self.top_key(fields)?;
                (k, k)
            } else {
                let k = self.string(fields)?;
                (k, Self::prefixed(fields, k, self.src))
            };
            self.ws();
            if self.peek() != Some(b':') {
                return Err(self.err());
            }
            self.pos += 1;
            self.ws();
            let val = match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    Val::Str(self.string(fields)?)
                }
                Some(b'{') => {
                    if depth >= self.max_depth {
                        return Err(JsonError::TooDeep);
                    }
                    self.pos += 1;
                    // No member takes this key's position: it goes to the first nested one.
                    if let Some(bit) = 1u64.checked_shl(fields.list.len() as u32) {
                        fields.same_key &= !bit;
                    }
                    let outer = fields.path.len();
                    let (a, b) = (raw_key.start as usize, raw_key.end as usize);
                    if raw_key.in_scratch {
                        fields.path.extend_from_slice(&fields.scratch[a..b]);
                    } else {
                        fields.path.extend_from_slice(&self.src[a..b]);
                    }
                    fields.path.push(b'.');
                    let r = self.object_body(fields, depth + 1);
                    fields.path.truncate(outer);
                    r?;
                    self.after_member()?;
                    if self.done_object() {
                        return Ok(());
                    }
                    continue;
                }
                _ => self.value_skip(fields, depth)?,
            };
            fields.list.push(Field { key, val });
            self.after_member()?;
            if self.done_object() {
                return Ok(());
            }
        }
    }

    /// After the opening quote of a top-level key: compared with the shape's key at this
    /// member position (the bytes up to and including the closing quote), scanned otherwise.
    /// A shape key holds no quote, backslash or control byte (it was scanned and borrowed), so
    /// equal bytes followed by its closing quote are the same string.
    #[inline]
    fn top_key(&mut self, fields: &mut Fields) -> Result<Span, JsonError> {
        let p = fields.list.len();
        if let Some(exp) = fields.shape.get(p) {
            let n = exp.len();
            if n != 0
                && self
                    .src
                    .get(self.pos..self.pos + n)
                    .is_some_and(|got| eq_short(got, exp))
            {
                let start = self.pos;
                self.pos += n;
                fields.same_key |= 1 << p;
                return Ok(Span {
                    start: start as u32,
                    end: (start + n - 1) as u32,
                    in_scratch: false,
                });
            }
        }
        let k = self.string(fields)?;
        if p < 64 {
            fields.learn_key(p, k, self.src);
        }
        Ok(k)
    }

    /// After a member: `,` (more follow) or `}` (consumed by `done_object`).
    #[inline]
    fn after_member(&mut self) -> Result<(), JsonError> {
        self.ws();
        match self.peek() {
            Some(b',') | Some(b'}') => Ok(()),
            _ => Err(self.err()),
        }
    }

    #[inline]
    fn done_object(&mut self) -> bool {
        let end = self.peek() == Some(b'}');
        self.pos += 1;
        end
    }

    /// Copy `path` + key into scratch and return the span of the dotted key.
    fn prefixed(fields: &mut Fields, key: Span, src: &[u8]) -> Span {
        let start = fields.scratch.len();
        let path_len = fields.path.len();
        fields.scratch.extend_from_slice(&fields.path[..path_len]);
        if key.in_scratch {
            let (s, e) = (key.start as usize, key.end as usize);
            fields.scratch.extend_from_within(s..e);
        } else {
            fields
                .scratch
                .extend_from_slice(&src[key.start as usize..key.end as usize]);
        }
        Span {
            start: start as u32,
            end: fields.scratch.len() as u32,
            in_scratch: true,
        }
    }

    /// A scalar or array value (objects are handled by the caller).
    fn value_skip(&mut self, fields: &mut Fields, depth: usize) -> Result<Val, JsonError> {
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                Ok(Val::Str(self.string(fields)?))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal(b"true", Val::Bool(true)),
            Some(b'f') => self.literal(b"false", Val::Bool(false)),
            Some(b'n') => self.literal(b"null", Val::Null),
            Some(b'[') | Some(b'{') => {
                let start = self.pos;
                self.skip_container(fields, depth)?;
                Ok(Val::Raw(Span {
                    start: start as u32,
                    end: self.pos as u32,
                    in_scratch: false,
                }))
            }
            _ => Err(self.err()),
        }
    }

    #[inline]
    fn literal(&mut self, word: &[u8], v: Val) -> Result<Val, JsonError> {
        if self.src.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.err())
        }
    }

    /// A JSON number per RFC 8259.
    #[inline]
    fn number(&mut self) -> Result<Val, JsonError> {
        let start = self.pos;
        match number_end(self.src, start) {
            Ok(end) => {
                self.pos = end;
                Ok(Val::Num(Span {
                    start: start as u32,
                    end: end as u32,
                    in_scratch: false,
                }))
            }
            Err(at) => {
                self.pos = at;
                Err(self.err())
            }
        }
    }

    /// After the opening quote: the string's content, borrowed when it has no escapes.
    #[inline]
    fn string(&mut self, fields: &mut Fields) -> Result<Span, JsonError> {
        let start = self.pos;
        let src = self.src;
        let mut i = start;
        // Eight bytes at a time while they hold no stop byte, then byte by byte from the
        // first one. Measured on the 220 MB clean NDJSON bench file: the byte loop alone was
        // 14% of a run; this word loop cut the whole run by ~10%. (Measured slower: taking the
        // stop byte out of the word instead of loading it again, 6%; 16-byte steps, 20%; a
        // 16-byte SSE2 compare before the word loop, +5% instructions and +5% CPU time.)
        while let Some(w) = src.get(i..i + 8) {
            let w = u64::from_le_bytes(w.try_into().unwrap_or([b'"'; 8]));
            let m = stop_mask(w);
            if m != 0 {
                i += (m.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        while let Some(&b) = src.get(i) {
            if STOP[b as usize] {
                if b == b'"' {
                    self.pos = i + 1;
                    return Ok(Span {
                        start: start as u32,
                        end: i as u32,
                        in_scratch: false,
                    });
                }
                if b == b'\\' {
                    self.pos = i;
                    return self.string_escaped(fields, start);
                }
                self.pos = i;
                return Err(self.err());
            }
            i += 1;
        }
        self.pos = i;
        Err(self.err())
    }

    /// The slow path: a string with escapes, unescaped into scratch.
    #[cold]
    fn string_escaped(&mut self, fields: &mut Fields, start: usize) -> Result<Span, JsonError> {
        let out_start = fields.scratch.len();
        fields.scratch.extend_from_slice(&self.src[start..self.pos]);
        loop {
            let Some(b) = self.peek() else {
                return Err(self.err());
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    return Ok(Span {
                        start: out_start as u32,
                        end: fields.scratch.len() as u32,
                        in_scratch: true,
                    });
                }
                b'\\' => {
                    self.pos += 1;
                    let Some(e) = self.peek() else {
                        return Err(self.err());
                    };
                    self.pos += 1;
                    let c = match e {
                        b'"' => b'"',
                        b'\\' => b'\\',
                        b'/' => b'/',
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            let ch = self.unicode_escape()?;
                            let mut buf = [0u8; 4];
                            fields
                                .scratch
                                .extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                            continue;
                        }
                        _ => return Err(self.err()),
                    };
                    fields.scratch.push(c);
                }
                0..=0x1f => return Err(self.err()),
                _ => {
                    fields.scratch.push(b);
                    self.pos += 1;
                }
            }
        }
    }

    /// After `\u`: four hex digits, combining a surrogate pair; lone surrogates become U+FFFD
    /// (as serde_json's lossy readers do, rather than failing the line).
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) {
            if self.src.get(self.pos..self.pos + 2) == Some(b"\\u") {
                let save = self.pos;
                self.pos += 2;
                let lo = self.hex4()?;
                if (0xDC00..0xE000).contains(&lo) {
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
                }
                self.pos = save;
            }
            return Ok('\u{fffd}');
        }
        Ok(char::from_u32(hi).unwrap_or('\u{fffd}'))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.err()),
            };
            v = v * 16 + d as u32;
            self.pos += 1;
        }
        Ok(v)
    }

    /// Skip a whole array or object (string-aware), validating it, with a depth limit.
    fn skip_container(&mut self, fields: &mut Fields, depth: usize) -> Result<(), JsonError> {
        if depth >= self.max_depth {
            return Err(JsonError::TooDeep);
        }
        let open = self.peek();
        self.pos += 1;
        self.ws();
        let close = if open == Some(b'[') { b']' } else { b'}' };
        if self.peek() == Some(close) {
            self.pos += 1;
            return Ok(());
        }
        let mark = fields.scratch.len();
        loop {
            self.ws();
            if close == b'}' {
                if self.peek() != Some(b'"') {
                    return Err(self.err());
                }
                self.pos += 1;
                self.string(fields)?;
                self.ws();
                if self.peek() != Some(b':') {
                    return Err(self.err());
                }
                self.pos += 1;
                self.ws();
            }
            self.value_skip(fields, depth + 1)?;
            fields.scratch.truncate(mark);
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.err()),
            }
        }
    }
}

/// Append `s` to `out` as a JSON string literal, quotes included. Invalid UTF-8 is replaced
/// by U+FFFD; control characters are escaped; `<`, `>` and `&` are left as is (escaping
/// for HTML happens at render time).
pub fn write_json_str(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    let text = String::from_utf8_lossy(s);
    for &b in text.as_bytes() {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f | 0x7f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 0xf) as usize]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

// Native only: proptest does not build for wasm32 (the wasm tests live in src/wasm.rs).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn members(src: &str) -> Result<Vec<(String, String)>, JsonError> {
        let mut f = Fields::default();
        parse_object(src, &mut f, 64)?;
        Ok((0..f.len())
            .filter_map(|i| f.get(src, i))
            .map(|(k, v)| (k.to_string(), v.text().to_string()))
            .collect())
    }

    #[test]
    fn key_shape_marks_repeated_keys_and_only_those() {
        let mut f = Fields::default();
        parse_object(
            r#"{"ts":"a","ms":1,"res":{"code":200},"v":"x"}"#,
            &mut f,
            64,
        )
        .unwrap();
        assert_eq!(f.same_key, 0, "nothing to compare the first record with");
        let gen = f.shape_gen;
        parse_object(
            r#"{"ts":"b","ms":22,"res":{"code":500},"v":"y"}"#,
            &mut f,
            64,
        )
        .unwrap();
        // ts, ms and v; the nested res.code is not marked (its position held "res").
        assert_eq!(f.same_key, 0b1011);
        assert_eq!(f.shape_gen, gen, "an unchanged shape keeps its generation");
        parse_object(r#"{"ts":"c","latency":3}"#, &mut f, 64).unwrap();
        assert_eq!(f.same_key, 0b01);
        assert_ne!(f.shape_gen, gen, "a changed key makes a new generation");
        // A key that merely starts with the shape's key is not the same key.
        parse_object(r#"{"tsx":"d"}"#, &mut f, 64).unwrap();
        assert_eq!(f.same_key, 0);
        assert_eq!(f.get(r#"{"tsx":"d"}"#, 0).map(|m| m.0), Some("tsx"));
    }

    fn kv(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn seed_line() {
        let src = r#"{"responseTimeMs": 120, "status": "OK", "modelVersion": "v1.2" }"#;
        assert_eq!(
            members(src).unwrap(),
            kv(&[
                ("responseTimeMs", "120"),
                ("status", "OK"),
                ("modelVersion", "v1.2")
            ])
        );
    }

    #[test]
    fn borrowed_strings_allocate_nothing() {
        let src = r#"{"a":"x","b":1}"#;
        let mut f = Fields::default();
        parse_object(src, &mut f, 64).unwrap();
        assert!(f.list.iter().all(|m| !m.key.in_scratch));
        assert!(f.scratch.is_empty());
    }

    #[test]
    fn nested_objects_flatten_with_dots() {
        let src = r#"{"res":{"statusCode":503,"h":{"x":"y"}},"after":true,"arr":[1,{"a":2}]}"#;
        assert_eq!(
            members(src).unwrap(),
            kv(&[
                ("res.statusCode", "503"),
                ("res.h.x", "y"),
                ("after", "true"),
                ("arr", r#"[1,{"a":2}]"#)
            ])
        );
    }

    #[test]
    fn escapes_are_decoded() {
        let src = r#"{"k\"ey":"a\nb\u00e9\ud83d\ude00","x":"\/"}"#;
        assert_eq!(
            members(src).unwrap(),
            kv(&[("k\"ey", "a\nbé😀"), ("x", "/")])
        );
    }

    #[test]
    fn rejects_what_serde_rejects() {
        for bad in [
            r#"{responseTimeMs": 820}"#,
            r#"{"a":1,}"#,
            r#"{"a":1"#,
            r#"{'a':1}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":tru}"#,
            "{\"a\":\"x\ty\"}",
            r#"{"a":1} x"#,
            r#"{"a" 1}"#,
            r#"{"a":NaN}"#,
        ] {
            assert!(members(bad).is_err(), "{bad}");
            assert!(
                serde_json::from_str::<serde_json::Value>(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn numbers_are_what_json_calls_numbers() {
        // Every string of up to five bytes over the bytes a number is made of, and another: a
        // whole number exactly when serde_json reads one (no 9, so that no exponent goes past
        // what serde_json's f64 takes), and what comes before the end a number too.
        let alphabet = b"-+.eE01x";
        let mut text = Vec::new();
        for len in 0..=5u32 {
            for mut code in 0..alphabet.len().pow(len) {
                text.clear();
                for _ in 0..len {
                    text.push(alphabet[code % alphabet.len()]);
                    code /= alphabet.len();
                }
                let shown = String::from_utf8_lossy(&text);
                let json = serde_json::from_slice::<serde_json::Number>(&text).is_ok();
                let got = number_end(&text, 0);
                assert_eq!(got == Ok(text.len()), json, "{shown:?}: {got:?}");
                if let Ok(end) = got {
                    let head = serde_json::from_slice::<serde_json::Number>(&text[..end]);
                    assert!(head.is_ok(), "{shown:?}: a number up to {end}");
                }
            }
        }
        // Where a number breaks off: the byte that no number can go on with.
        for (text, want) in [
            ("", Err(0)),
            ("x", Err(0)),
            ("-", Err(1)),
            ("-x", Err(1)),
            ("1.", Err(2)),
            ("1.x", Err(2)),
            ("1e", Err(2)),
            ("1e+", Err(3)),
            ("1.5E-x", Err(5)),
            ("01", Ok(1)),
            ("-0.25e+3,", Ok(8)),
        ] {
            assert_eq!(number_end(text.as_bytes(), 0), want, "{text:?}");
        }
    }

    #[test]
    fn stop_bits16_flags_exactly_the_stop_bytes() {
        // Every byte value at every position, among bytes of every kind (stop bytes, high bytes,
        // the bytes next to the compared ones).
        let filler = [
            b'a', 0, b'"', 0x7f, 0xff, b'\\', 0x1f, b' ', 0x80, b'!', b'[', b']', 0x21,
        ];
        for stop in 0u8..=255 {
            for at in 0..16 {
                for shift in 0..filler.len() {
                    let mut b = [0u8; 16];
                    for (j, x) in b.iter_mut().enumerate() {
                        *x = filler[(j + shift) % filler.len()];
                    }
                    b[at] = stop;
                    let want = (0..16)
                        .filter(|&j| STOP[b[j] as usize])
                        .fold(0u32, |m, j| m | 1 << j);
                    assert_eq!(stop_bits16(&b), want, "{b:?}");
                    assert_eq!(stop_bits16_swar(&b), want, "{b:?}");
                }
            }
        }
    }

    #[test]
    fn flat_strings_end_anywhere_near_the_end_of_the_line() {
        // The flat path reads a line's last bytes as one window ending at the line's end.
        for n in 0..40 {
            for tail in ["", " ", "  "] {
                let v = "x".repeat(n);
                let line = format!(r#"{{"a":"{v}","b":"{v}"}}{tail}"#);
                let mut f = Fields::default();
                // Twice: the second read takes the flat path with the learned keys.
                for _ in 0..2 {
                    parse_object(&line, &mut f, 8).unwrap();
                    assert_eq!(f.get(&line, 1), Some(("b", ValRef::Str(&v))), "{line}");
                }
                for bad in [format!(r#"{{"a":"{v}"#), format!("{{\"a\":\"{v}\u{1}\"}}")] {
                    assert!(parse_object(&bad, &mut f, 8).is_err(), "{bad:?}");
                }
            }
        }
    }

    #[test]
    fn stop_mask_finds_the_first_stop_byte() {
        for stop in 0u8..=255 {
            for at in 0..8 {
                let mut b = [b'a'; 8];
                b[at] = stop;
                // Bytes after the stop byte are arbitrary, including other stop bytes.
                for (j, x) in b.iter_mut().enumerate().skip(at + 1) {
                    *x = [0u8, b'"', 0x7f, 0xff, b'\\', 0x1f, b' '][j % 7];
                }
                let w = u64::from_le_bytes(b);
                let m = stop_mask(w);
                let first = b.iter().position(|&c| STOP[c as usize]);
                let got = (m != 0).then(|| (m.trailing_zeros() / 8) as usize);
                assert_eq!(got, first, "{b:?}");
            }
        }
    }

    #[test]
    fn not_an_object() {
        assert_eq!(members("[1,2]"), Err(JsonError::NotAnObject));
        assert_eq!(members("\"x\""), Err(JsonError::NotAnObject));
        assert_eq!(members("12"), Err(JsonError::NotAnObject));
    }

    #[test]
    fn depth_is_bounded() {
        let deep = format!(
            "{}{}",
            r#"{"a":"#.repeat(100),
            "1".to_string() + &"}".repeat(100)
        );
        let mut f = Fields::default();
        assert_eq!(parse_object(&deep, &mut f, 64), Err(JsonError::TooDeep));
        let arr = format!("{{\"a\":{}{}}}", "[".repeat(100), "]".repeat(100));
        assert_eq!(parse_object(&arr, &mut f, 64), Err(JsonError::TooDeep));
        assert!(parse_object(&deep, &mut f, 200).is_ok());
    }

    fn flatten(v: &serde_json::Value, prefix: &str, out: &mut Vec<(String, String)>) {
        if let serde_json::Value::Object(m) = v {
            for (k, v) in m {
                let key = format!("{prefix}{k}");
                match v {
                    serde_json::Value::Object(_) => flatten(v, &format!("{key}."), out),
                    serde_json::Value::String(s) => out.push((key, s.clone())),
                    other => out.push((key, other.to_string())),
                }
            }
        }
    }

    proptest::proptest! {
        /// The strict scanner accepts exactly what serde_json accepts (for objects) and
        /// reads the same members.
        #[test]
        fn agrees_with_serde_json(s in r#"\{("[a-c\\"]{0,3}" ?: ?(-?[0-9]{1,3}(\.[0-9])?|"[a-z\\ "]{0,4}"|true|null|\{"x":1\}|\[1,"a"\]),? ?){0,4}\}"#) {
            let ours = members(&s);
            let theirs = serde_json::from_str::<serde_json::Value>(&s);
            proptest::prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{}", s);
            if let (Ok(ours), Ok(v)) = (ours, theirs) {
                let mut exp = Vec::new();
                flatten(&v, "", &mut exp);
                let keys: std::collections::BTreeSet<_> = ours.iter().map(|x| &x.0).collect();
                if keys.len() == ours.len() && ours.iter().all(|(k, _)| !k.contains('.')) {
                    // Unique keys: the same members, values equal as JSON text or numbers.
                    let mut ours = ours.clone();
                    ours.sort();
                    exp.sort();
                    proptest::prop_assert_eq!(ours.len(), exp.len(), "{}", s);
                    for ((k1, v1), (k2, v2)) in ours.iter().zip(&exp) {
                        proptest::prop_assert_eq!(k1, k2);
                        let same = v1 == v2
                            || v1.parse::<f64>().ok() == v2.parse::<f64>().ok() && v1.parse::<f64>().is_ok()
                            || serde_json::from_str::<serde_json::Value>(v1).ok()
                                == serde_json::from_str::<serde_json::Value>(v2).ok();
                        proptest::prop_assert!(same, "{} {} vs {}", s, v1, v2);
                    }
                }
            }
        }

        /// Reading a sequence of records with one `Fields` (whose key shape carries over from
        /// record to record) gives each record exactly the members a fresh `Fields` gives, and
        /// `same_key` marks exactly the members whose key equals the previous shape's.
        #[test]
        fn key_shape_changes_nothing(lines in proptest::collection::vec(
            proptest::sample::select(vec![
                r#"{"ts":"a","ms":1,"v":"x"}"#,
                r#"{"ts":"b","ms":2,"v":"y"}"#,
                r#"{"ms":3,"ts":"c","v":"x"}"#,
                r#"{"ts":"d","res":{"ms":4,"v":"z"},"v":"x"}"#,
                r#"{"ts":"e","re\u0073":{"ms":5},"ms":6}"#,
                r#"{"t\u0073":"f","ms":7,"v":"x"}"#,
                r#"{"ts" : "g", "ms" :8}"#,
                r#"{"ts":"h","ms":9,"v":"x","extra":[1,2]}"#,
                r#"{"ts":"i","ms":10,"v":"x","extra":{}}"#,
                r#"{"tsx":"j","ms":11}"#,
                r#"{"ts":"k""#,
                r#"{"":"l","ts":"m"}"#,
                r#"{"ts":"n","ms":12,"v":"x"}"#,
            ]), 1..40)) {
            let mut shared = Fields::default();
            // What a consumer relies on: within one shape generation, every member marked at
            // position i has the same key.
            let mut seen: std::collections::HashMap<(u64, usize), String> = Default::default();
            for line in &lines {
                let ours = parse_object(line, &mut shared, 64);
                let fresh = members(line);
                proptest::prop_assert_eq!(ours.is_ok(), fresh.is_ok(), "{}", line);
                if ours.is_err() {
                    continue;
                }
                let got: Vec<(String, String)> = (0..shared.len())
                    .filter_map(|i| shared.get(line, i))
                    .map(|(k, v)| (k.to_string(), v.text().to_string()))
                    .collect();
                proptest::prop_assert_eq!(&got, fresh.as_ref().unwrap(), "{}", line);
                for (i, (k, _)) in got.iter().enumerate() {
                    if shared.is_same_key(i) {
                        let before = seen.entry((shared.shape_gen, i)).or_insert_with(|| k.clone());
                        proptest::prop_assert_eq!(&*before, k, "{}", line);
                    }
                }
            }
        }

        /// The flat fast path (taken once a shape is known) reads every record, valid or not,
        /// exactly as the general loop does from a fresh `Fields`: the same members, the same
        /// value kinds, the same error at the same byte.
        #[test]
        fn flat_path_reads_as_the_general_loop(lines in proptest::collection::vec(
            r#"\{ ?("(ts|ms|v|res|t\\u0073)"( ?: ?|x|)("[a-z\\ "]{0,4}"|-?(0|[1-9][0-9]{0,2})(\.[0-9])?|01|-|1\.|true|tru|null|\{"x":1\}|\[1\]),? ?){0,5}\}?"#,
            1..12)) {
            let mut shared = Fields::default();
            for line in &lines {
                let ours = parse_object(line, &mut shared, 64);
                let mut fresh = Fields::default();
                let theirs = parse_object(line, &mut fresh, 64);
                proptest::prop_assert_eq!(ours, theirs, "{}", line);
                if ours.is_err() {
                    continue;
                }
                let read = |f: &Fields| -> Vec<(String, String)> {
                    (0..f.len())
                        .filter_map(|i| f.get(line, i))
                        .map(|(k, v)| (k.to_string(), format!("{v:?}")))
                        .collect()
                };
                proptest::prop_assert_eq!(read(&shared), read(&fresh), "{}", line);
            }
        }

        #[test]
        fn never_panics(s in ".{0,200}") {
            let mut f = Fields::default();
            let _ = parse_object(&s, &mut f, 8);
        }
    }
}
