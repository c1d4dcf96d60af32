//! Lines: bytes in chunks of any size → complete lines.
//!
//! [`Splitter`] alone owns the partial last line of a chunk. It strips `\r` before `\n` and a
//! UTF-8 byte-order mark at the start of input, caps overlong lines (their bytes are counted,
//! never buffered past the cap), and decodes invalid UTF-8 lossily (counted). Each new chunk is
//! read once, 64 bytes at a time, for its newlines and for bytes above 0x7F together
//! ([`Newlines`]): a line of ASCII needs no other check; the first other one has the rest of
//! the chunk's lines checked as UTF-8 in one call (each on its own when that fails). A carried
//! tail is never rescanned.
//!
//! UTF-16 input (Windows tools write it: PowerShell's `>`, `Out-File`, some event-log exports)
//! is decoded transparently: the [`Encoding`] is chosen from the first four bytes (a UTF-16
//! byte-order mark, or ASCII text with a NUL after or before every character), and the rest is
//! transcoded to UTF-8 in bounded pieces before splitting. A code unit cut between two chunks,
//! or a surrogate pair cut between them, is carried over; an unpaired surrogate or a final odd
//! byte becomes U+FFFD and the line counts as lossily decoded.
//!
//! ```
//! use logdrop::lines::{Splitter, LineEvent};
//! let mut s = Splitter::new(1 << 20);
//! let mut got = Vec::new();
//! let mut sink = |ev: LineEvent<'_>| if let LineEvent::Line(l) = ev { got.push(l.text.to_string()) };
//! s.push(b"{\"a\":1}\r\n{\"a\"", &mut sink);
//! s.push(b":2}", &mut sink);
//! s.finish(&mut sink);
//! assert_eq!(got, ["{\"a\":1}", "{\"a\":2}"]);
//! ```

/// One complete line, without its terminator.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// The text, valid UTF-8 (lossily decoded when the input was not).
    pub text: &'a str,
    /// 1-based line number.
    pub line_no: u64,
    /// Byte offset of the line's first byte from the start of input (of the UTF-8 text it
    /// was transcoded to, when the input was UTF-16).
    pub abs_offset: u64,
    /// The input bytes were not valid UTF-8 and were decoded lossily.
    pub is_lossy: bool,
}

/// What the splitter hands to its sink.
#[derive(Debug, Clone, Copy)]
pub enum LineEvent<'a> {
    Line(Line<'a>),
    /// A line longer than `max_line_bytes`: skipped, only its first bytes kept for display.
    TooLong {
        line_no: u64,
        abs_offset: u64,
        /// The first bytes of the line (at most [`TOO_LONG_PREFIX`]).
        prefix: &'a [u8],
        /// Total length of the line in bytes.
        len: u64,
    },
}

/// How many bytes of an overlong line are kept to show it.
pub const TOO_LONG_PREFIX: usize = 300;

/// The text encoding of the input, chosen from its first bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (with or without a byte-order mark), and anything that is not UTF-16: bytes that
    /// are not UTF-8 are decoded lossily, line by line.
    #[default]
    Utf8,
    /// UTF-16 little-endian (BOM `FF FE`, or `x 00 y 00` at the start).
    Utf16Le,
    /// UTF-16 big-endian (BOM `FE FF`, or `00 x 00 y` at the start).
    Utf16Be,
}

impl Encoding {
    /// A name for messages: `UTF-8`, `UTF-16LE`, `UTF-16BE`.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        }
    }

    /// The encoding that the first bytes of an input announce, and the length of its
    /// byte-order mark to drop (a UTF-8 BOM is left to the line stage). `head` is the first
    /// [`SNIFF_BYTES`] bytes, or the whole input when it is shorter.
    pub fn sniff(head: &[u8]) -> (Encoding, usize) {
        let ascii = |b: u8| (1..0x80).contains(&b);
        match head {
            [0xFF, 0xFE, ..] => (Encoding::Utf16Le, 2),
            [0xFE, 0xFF, ..] => (Encoding::Utf16Be, 2),
            [a, 0, b, 0, ..] if ascii(*a) && ascii(*b) => (Encoding::Utf16Le, 0),
            [0, a, 0, b, ..] if ascii(*a) && ascii(*b) => (Encoding::Utf16Be, 0),
            _ => (Encoding::Utf8, 0),
        }
    }
}

/// Bytes read before the encoding is chosen (fewer only when the input is shorter).
pub const SNIFF_BYTES: usize = 4;

/// UTF-16 input is transcoded in pieces of at most this many bytes (bounds the buffer).
const UTF16_PIECE: usize = 1 << 16;

/// Where the bytes of a chunk go before splitting.
#[derive(Debug)]
enum Decode {
    /// The first bytes, held until there are [`SNIFF_BYTES`] of them (or the input ends).
    Sniff(Vec<u8>),
    Utf8,
    Utf16 {
        big_endian: bool,
        /// The first byte of a code unit cut by the end of a chunk.
        odd: Option<u8>,
        /// A high surrogate waiting for its low half.
        high: Option<u16>,
        /// The UTF-8 of the current piece (reused).
        out: Vec<u8>,
    },
}

/// Written for a code unit that is not a character (an unpaired surrogate, a lone final
/// byte): not UTF-8, so the line stage decodes it as U+FFFD and counts the line as lossy.
const NOT_UTF8: u8 = 0xFF;

/// Splits chunks into lines. See the module docs.
#[derive(Debug)]
pub struct Splitter {
    decode: Decode,
    encoding: Encoding,
    /// Input bytes received (before any transcoding).
    raw_bytes: u64,
    max_line_bytes: usize,
    /// Bytes of the current unfinished line carried from earlier chunks.
    tail: Vec<u8>,
    /// Set while skipping the rest of an overlong line: (its start offset, length so far).
    skipping: Option<(u64, u64)>,
    /// The first bytes of the overlong line being skipped.
    long_prefix: Vec<u8>,
    /// Absolute offset of the first byte of `tail`.
    tail_start: u64,
    /// Absolute offset of the next (UTF-8) byte that `split` will receive.
    offset: u64,
    /// Number of the next line to be emitted (1-based).
    next_line_no: u64,
    lossy: String,
}

impl Splitter {
    /// `max_line_bytes`: a line longer than this (terminator excluded) is reported as
    /// [`LineEvent::TooLong`] and its bytes are not kept. 0 is treated as 1.
    pub fn new(max_line_bytes: usize) -> Self {
        Splitter {
            decode: Decode::Sniff(Vec::new()),
            encoding: Encoding::Utf8,
            raw_bytes: 0,
            max_line_bytes: max_line_bytes.max(1),
            tail: Vec::new(),
            skipping: None,
            long_prefix: Vec::new(),
            tail_start: 0,
            offset: 0,
            next_line_no: 1,
            lossy: String::new(),
        }
    }

    /// Continue numbering as if `line_no - 1` lines and `abs_offset` bytes came before. A
    /// splitter that does not start at the beginning reads UTF-8 (no encoding is sniffed).
    pub fn starting_at(mut self, line_no: u64, abs_offset: u64) -> Self {
        self.next_line_no = line_no.max(1);
        self.offset = abs_offset;
        self.raw_bytes = abs_offset;
        if line_no > 1 || abs_offset > 0 {
            self.decode = Decode::Utf8;
        }
        self
    }

    /// The input's encoding, as far as known (UTF-8 until the first bytes have been seen).
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Lines emitted so far.
    pub fn lines(&self) -> u64 {
        self.next_line_no - 1
    }

    /// Bytes received so far.
    pub fn bytes(&self) -> u64 {
        self.raw_bytes
    }

    /// Feed the next chunk; complete lines go to `sink` in order.
    pub fn push<F: FnMut(LineEvent<'_>)>(&mut self, chunk: &[u8], sink: &mut F) {
        self.raw_bytes += chunk.len() as u64;
        match &mut self.decode {
            Decode::Utf8 => self.split(chunk, sink),
            Decode::Utf16 { .. } => self.transcode(chunk, sink),
            Decode::Sniff(head) if head.len() + chunk.len() < SNIFF_BYTES => {
                head.extend_from_slice(chunk)
            }
            Decode::Sniff(_) => self.choose_encoding(chunk, sink),
        }
    }

    /// End of input: a last line without a newline is emitted now.
    pub fn finish<F: FnMut(LineEvent<'_>)>(&mut self, sink: &mut F) {
        if let Decode::Sniff(_) = self.decode {
            self.choose_encoding(&[], sink);
        }
        if let Decode::Utf16 { odd, high, out, .. } = &mut self.decode {
            // A final odd byte that is a newline is a line break added by a reader that
            // joins files (the CLI ends an input that lacks one with `\n`): the line ends.
            let odd = odd.take().filter(|&b| b != b'\n');
            if odd.is_some() || high.take().is_some() {
                let mut out = std::mem::take(out);
                out.clear();
                out.push(NOT_UTF8);
                self.split(&out, sink);
                if let Decode::Utf16 { out: o, .. } = &mut self.decode {
                    *o = out;
                }
            }
        }
        if self.skipping.is_some() || !self.tail.is_empty() {
            self.end_carried(sink);
        }
    }

    /// The end of one input of several read as one stream (files analysed together): its
    /// last line ends here even without a newline, and the next input's encoding is sniffed
    /// from its own first bytes (a UTF-16 file after a UTF-8 one is decoded too). Line
    /// numbers and offsets continue.
    pub fn next_input<F: FnMut(LineEvent<'_>)>(&mut self, sink: &mut F) {
        self.finish(sink);
        self.decode = Decode::Sniff(Vec::new());
    }

    /// Choose the encoding from the held first bytes and `chunk` (the held bytes and `chunk`
    /// together are at least [`SNIFF_BYTES`] long, or the input has ended), then feed both.
    #[cold]
    fn choose_encoding<F: FnMut(LineEvent<'_>)>(&mut self, chunk: &[u8], sink: &mut F) {
        let head = match std::mem::replace(&mut self.decode, Decode::Utf8) {
            Decode::Sniff(h) => h,
            other => {
                self.decode = other;
                return;
            }
        };
        let mut first = [0u8; SNIFF_BYTES];
        let n = head.len().min(SNIFF_BYTES);
        first[..n].copy_from_slice(&head[..n]);
        let m = (SNIFF_BYTES - n).min(chunk.len());
        first[n..n + m].copy_from_slice(&chunk[..m]);
        let (encoding, bom) = Encoding::sniff(&first[..n + m]);
        self.encoding = encoding;
        if encoding != Encoding::Utf8 {
            self.decode = Decode::Utf16 {
                big_endian: encoding == Encoding::Utf16Be,
                odd: None,
                high: None,
                out: Vec::new(),
            };
        }
        let from_head = bom.min(head.len());
        let from_chunk = (bom - from_head).min(chunk.len());
        for part in [&head[from_head..], &chunk[from_chunk..]] {
            match self.decode {
                Decode::Utf16 { .. } => self.transcode(part, sink),
                _ => self.split(part, sink),
            }
        }
    }

    /// UTF-16 → UTF-8, in pieces of at most [`UTF16_PIECE`] bytes, each split into lines.
    fn transcode<F: FnMut(LineEvent<'_>)>(&mut self, chunk: &[u8], sink: &mut F) {
        for piece in chunk.chunks(UTF16_PIECE) {
            let Decode::Utf16 {
                big_endian,
                odd,
                high,
                out,
            } = &mut self.decode
            else {
                return;
            };
            let mut out = std::mem::take(out);
            out.clear();
            let big_endian = *big_endian;
            let unit = |a: u8, b: u8| {
                if big_endian {
                    u16::from_be_bytes([a, b])
                } else {
                    u16::from_le_bytes([a, b])
                }
            };
            let mut bytes = piece;
            if let Some(a) = odd.take() {
                match bytes.split_first() {
                    Some((&b, rest)) => {
                        push_unit(unit(a, b), high, &mut out);
                        bytes = rest;
                    }
                    None => *odd = Some(a),
                }
            }
            let mut pairs = bytes.chunks_exact(2);
            for p in &mut pairs {
                if let [a, b] = *p {
                    push_unit(unit(a, b), high, &mut out);
                }
            }
            if let [a] = *pairs.remainder() {
                *odd = Some(a);
            }
            self.split(&out, sink);
            if let Decode::Utf16 { out: o, .. } = &mut self.decode {
                *o = out;
            }
        }
    }

    /// Split UTF-8 (or lossy) bytes into lines.
    fn split<F: FnMut(LineEvent<'_>)>(&mut self, chunk: &[u8], sink: &mut F) {
        let chunk_start = self.offset;
        self.offset += chunk.len() as u64;
        let mut newlines = Newlines::new(chunk);
        let mut start = 0;

        // Finish whatever was carried: an overlong line being skipped, or a tail.
        if self.skipping.is_some() || !self.tail.is_empty() {
            let Some((nl, _)) = newlines.next() else {
                self.carry(chunk, chunk_start);
                return;
            };
            self.carry(&chunk[..nl], chunk_start);
            self.end_carried(sink);
            start = nl + 1;
        }
        // The first line that may not be ASCII has the rest of the chunk's complete lines
        // checked as UTF-8 in one call (`valid_to`: where that valid text ends): on a log with
        // text beyond ASCII on every line, one call per line ran 1.5–2% slower than the one
        // region check before `Newlines`, this as fast. When the region is not valid, each
        // line that may not be ASCII is checked on its own (and the bad ones decoded lossily).
        let mut valid_to = 0;
        let mut region_checked = false;
        for (nl, maybe_not_ascii) in newlines {
            let line = &chunk[start..nl];
            let off = chunk_start + start as u64;
            if maybe_not_ascii && nl > valid_to && !region_checked {
                region_checked = true;
                let end = memchr::memrchr(b'\n', &chunk[nl..]).map_or(nl, |i| nl + i);
                if simdutf8::basic::from_utf8(&chunk[start..end]).is_ok() {
                    valid_to = end;
                }
            }
            if line.len() > self.max_line_bytes {
                self.emit_too_long(off, line, line.len() as u64, sink);
            } else if !maybe_not_ascii || nl <= valid_to {
                // SAFETY: either every byte of `line` is below 0x80 (`Newlines` saw no other in
                // the blocks it spans), and ASCII text is UTF-8; or `line` lies within the
                // region checked as UTF-8 above (from the start of a line to `valid_to`) and
                // starts and ends at line boundaries of it (after a `\n`, at a `\n`), never
                // inside a multi-byte character.
                let text = unsafe { std::str::from_utf8_unchecked(line) };
                self.emit_str(text, off, sink);
            } else {
                self.emit(line, off, sink);
            }
            start = nl + 1;
        }
        self.carry(&chunk[start..], chunk_start + start as u64);
    }

    /// Append bytes of an unfinished line, switching to skip mode past the cap.
    fn carry(&mut self, bytes: &[u8], bytes_off: u64) {
        if bytes.is_empty() {
            return;
        }
        if let Some((_, len)) = self.skipping.as_mut() {
            *len += bytes.len() as u64;
            let room = TOO_LONG_PREFIX.saturating_sub(self.long_prefix.len());
            self.long_prefix
                .extend_from_slice(&bytes[..room.min(bytes.len())]);
            return;
        }
        if self.tail.is_empty() {
            self.tail_start = bytes_off;
        }
        if self.tail.len() + bytes.len() > self.max_line_bytes {
            let start = self.tail_start;
            let len = (self.tail.len() + bytes.len()) as u64;
            self.long_prefix.clear();
            self.long_prefix
                .extend(self.tail.iter().chain(bytes).take(TOO_LONG_PREFIX));
            self.tail = Vec::new();
            self.skipping = Some((start, len));
        } else {
            self.tail.extend_from_slice(bytes);
        }
    }

    fn end_carried<F: FnMut(LineEvent<'_>)>(&mut self, sink: &mut F) {
        if let Some((start, len)) = self.skipping.take() {
            let prefix = std::mem::take(&mut self.long_prefix);
            self.emit_too_long(start, &prefix, len, sink);
            self.long_prefix = prefix;
        } else {
            let tail = std::mem::take(&mut self.tail);
            self.emit(&tail, self.tail_start, sink);
            self.tail = tail;
            self.tail.clear();
        }
    }

    #[cold]
    fn emit_too_long<F: FnMut(LineEvent<'_>)>(
        &mut self,
        abs_offset: u64,
        line: &[u8],
        len: u64,
        sink: &mut F,
    ) {
        let line_no = self.next_line_no;
        self.next_line_no += 1;
        let prefix = &line[..line.len().min(TOO_LONG_PREFIX)];
        sink(LineEvent::TooLong {
            line_no,
            abs_offset,
            prefix,
            len,
        });
    }

    #[inline]
    fn emit<F: FnMut(LineEvent<'_>)>(&mut self, line: &[u8], abs_offset: u64, sink: &mut F) {
        let line_no = self.next_line_no;
        self.next_line_no += 1;
        let mut line = line;
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        // A UTF-8 BOM starts the first line of each file, and files joined with `cat` (or
        // analysed together) carry theirs into later lines: dropped wherever a line starts.
        if let [0xEF, 0xBB, 0xBF, rest @ ..] = line {
            line = rest;
        }
        match simdutf8::basic::from_utf8(line) {
            Ok(text) => sink(LineEvent::Line(Line {
                text,
                line_no,
                abs_offset,
                is_lossy: false,
            })),
            Err(_) => self.emit_lossy(line, line_no, abs_offset, sink),
        }
    }

    /// [`emit`](Self::emit) for a line already known to be valid UTF-8.
    #[inline]
    fn emit_str<F: FnMut(LineEvent<'_>)>(&mut self, line: &str, abs_offset: u64, sink: &mut F) {
        let line_no = self.next_line_no;
        self.next_line_no += 1;
        let mut text = line.strip_suffix('\r').unwrap_or(line);
        if text.as_bytes().first() == Some(&0xEF) {
            text = text.strip_prefix('\u{feff}').unwrap_or(text);
        }
        sink(LineEvent::Line(Line {
            text,
            line_no,
            abs_offset,
            is_lossy: false,
        }));
    }

    #[cold]
    fn emit_lossy<F: FnMut(LineEvent<'_>)>(
        &mut self,
        line: &[u8],
        line_no: u64,
        abs_offset: u64,
        sink: &mut F,
    ) {
        self.lossy.clear();
        self.lossy.push_str(&String::from_utf8_lossy(line));
        sink(LineEvent::Line(Line {
            text: &self.lossy,
            line_no,
            abs_offset,
            is_lossy: true,
        }));
    }
}

/// The newlines of a chunk, in order, each with whether the line it ends may hold a byte above
/// 0x7F (that is, whether it must be checked as UTF-8). One pass, 64 bytes at a time, finds
/// both; it replaced a memchr search for the newlines and a SIMD UTF-8 check of all the chunk's
/// complete lines, which read every byte a second time: -4.5% of a one-thread run on the 207 MB
/// clean bench NDJSON (task-clock, medians of 9 interleaved runs); the wasm module in Node ran
/// at the same speed as before (448–464 MB/s against 429–459).
///
/// The flag is per 64-byte block: a line is flagged when a block it touches (from the one
/// holding the previous newline to the one holding its own) has such a byte, so an ASCII line
/// beside a non-ASCII one may be checked for nothing, never the other way round.
struct Newlines<'a> {
    chunk: &'a [u8],
    /// Where the next block starts.
    next: usize,
    /// Where the current block starts.
    base: usize,
    /// The current block's newlines not handed out yet (bit `i`: byte `base + i`).
    bits: u64,
    /// The current block has a byte above 0x7F.
    high: bool,
    /// A block touched since the last newline handed out had a byte above 0x7F.
    dirty: bool,
}

impl<'a> Newlines<'a> {
    fn new(chunk: &'a [u8]) -> Self {
        Newlines {
            chunk,
            next: 0,
            base: 0,
            bits: 0,
            high: false,
            dirty: false,
        }
    }
}

impl Iterator for Newlines<'_> {
    /// (the newline's position, the line it ends may not be ASCII)
    type Item = (usize, bool);

    #[inline]
    fn next(&mut self) -> Option<(usize, bool)> {
        while self.bits == 0 {
            let rest = self.chunk.get(self.next..).filter(|r| !r.is_empty())?;
            let (bits, high) = match rest.first_chunk::<64>() {
                Some(block) => block_bits(block),
                None => {
                    // The last bytes, padded with zeros (neither a newline nor above 0x7F).
                    let mut block = [0u8; 64];
                    block[..rest.len()].copy_from_slice(rest);
                    block_bits(&block)
                }
            };
            self.base = self.next;
            self.next += 64;
            self.bits = bits;
            self.high = high;
            self.dirty |= high;
        }
        let at = self.base + self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        let dirty = self.dirty;
        // The next line starts in this block (or the next one, which will add its own).
        self.dirty = self.high;
        Some((at, dirty))
    }
}

/// The newlines of a 64-byte block as bits (bit `i`: byte `i`), and whether any byte is above
/// 0x7F. SSE2 (the x86_64 baseline) or wasm simd128 where the target has them, else a loop.
#[inline(always)]
fn block_bits(b: &[u8; 64]) -> (u64, bool) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of the x86_64 baseline, and the four unaligned loads read
        // exactly the 64 bytes of `b`.
        unsafe {
            let p = b.as_ptr();
            let v = [
                _mm_loadu_si128(p.cast()),
                _mm_loadu_si128(p.add(16).cast()),
                _mm_loadu_si128(p.add(32).cast()),
                _mm_loadu_si128(p.add(48).cast()),
            ];
            let nl = _mm_set1_epi8(b'\n' as i8);
            let mut bits = 0u64;
            for (i, x) in v.iter().enumerate() {
                bits |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(*x, nl)) as u16) << (16 * i);
            }
            let any = _mm_or_si128(_mm_or_si128(v[0], v[1]), _mm_or_si128(v[2], v[3]));
            (bits, _mm_movemask_epi8(any) != 0)
        }
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use core::arch::wasm32::{u8x16_bitmask, u8x16_eq, u8x16_splat, v128, v128_load, v128_or};
        // SAFETY: each load reads 16 of the 64 bytes of `b`; wasm loads need no alignment.
        let load = |i: usize| unsafe { v128_load(b.as_ptr().add(16 * i).cast::<v128>()) };
        let v = [load(0), load(1), load(2), load(3)];
        let nl = u8x16_splat(b'\n');
        let mut bits = 0u64;
        for (i, x) in v.iter().enumerate() {
            bits |= u64::from(u8x16_bitmask(u8x16_eq(*x, nl))) << (16 * i);
        }
        let any = v128_or(v128_or(v[0], v[1]), v128_or(v[2], v[3]));
        (bits, u8x16_bitmask(any) != 0)
    }
    #[cfg(not(any(
        target_arch = "x86_64",
        all(target_arch = "wasm32", target_feature = "simd128")
    )))]
    {
        let mut bits = 0u64;
        for (i, &x) in b.iter().enumerate() {
            bits |= u64::from(x == b'\n') << i;
        }
        (bits, b.iter().any(|&x| x >= 0x80))
    }
}

/// Append one UTF-16 code unit to `out` as UTF-8, pairing surrogates through `high`.
#[inline]
fn push_unit(u: u16, high: &mut Option<u16>, out: &mut Vec<u8>) {
    let c = match (high.take(), u) {
        (Some(h), 0xDC00..=0xDFFF) => {
            char::from_u32(0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(u) - 0xDC00))
        }
        (h, _) => {
            if h.is_some() {
                out.push(NOT_UTF8);
            }
            match u {
                0xD800..=0xDBFF => {
                    *high = Some(u);
                    return;
                }
                _ => char::from_u32(u32::from(u)),
            }
        }
    };
    match c {
        Some(c) if c.is_ascii() => out.push(c as u8),
        Some(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        None => out.push(NOT_UTF8),
    }
}

// Native only: proptest does not build for wasm32 (the wasm tests live in src/wasm.rs).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Eq, Clone)]
    enum Ev {
        L(String, u64, u64, bool),
        Long(u64, u64, u64, Vec<u8>),
    }

    fn split_with(input: &[u8], cuts: &[usize], max: usize) -> Vec<Ev> {
        let mut s = Splitter::new(max);
        let mut out = Vec::new();
        let mut sink = |e: LineEvent<'_>| match e {
            LineEvent::Line(l) => {
                out.push(Ev::L(l.text.into(), l.line_no, l.abs_offset, l.is_lossy))
            }
            LineEvent::TooLong {
                line_no,
                abs_offset,
                prefix,
                len,
            } => out.push(Ev::Long(line_no, abs_offset, len, prefix.to_vec())),
        };
        let mut prev = 0;
        for &c in cuts {
            let c = c.min(input.len()).max(prev);
            s.push(&input[prev..c], &mut sink);
            prev = c;
        }
        s.push(&input[prev..], &mut sink);
        s.finish(&mut sink);
        out
    }

    fn whole(input: &[u8], max: usize) -> Vec<Ev> {
        split_with(input, &[], max)
    }

    #[test]
    fn empty_input_has_no_lines() {
        assert!(whole(b"", 10).is_empty());
        assert_eq!(whole(b"\n", 10), vec![Ev::L("".into(), 1, 0, false)]);
    }

    #[test]
    fn final_line_without_newline() {
        assert_eq!(
            whole(b"a\nbc", 10),
            vec![
                Ev::L("a".into(), 1, 0, false),
                Ev::L("bc".into(), 2, 2, false)
            ]
        );
    }

    #[test]
    fn crlf_and_bom_are_stripped_at_every_split() {
        let input = b"\xEF\xBB\xBFab\r\ncd\r\n";
        let expect = vec![
            Ev::L("ab".into(), 1, 0, false),
            Ev::L("cd".into(), 2, 7, false),
        ];
        for i in 0..=input.len() {
            assert_eq!(split_with(input, &[i], 100), expect, "cut at {i}");
            for j in i..=input.len() {
                assert_eq!(split_with(input, &[i, j], 100), expect, "cuts {i} {j}");
            }
        }
    }

    #[test]
    fn bom_is_dropped_at_the_start_of_any_line() {
        // Files joined with `cat`, or analysed together, carry their BOMs into later lines;
        // one inside a line is text.
        let out = whole(b"\xEF\xBB\xBFx\n\xEF\xBB\xBFy\xEF\xBB\xBF\n", 100);
        assert_eq!(out[0], Ev::L("x".into(), 1, 0, false));
        assert_eq!(out[1], Ev::L("y\u{feff}".into(), 2, 5, false));
    }

    #[test]
    fn invalid_utf8_is_lossy_and_flagged() {
        assert_eq!(
            whole(b"a\xffb\n", 100),
            vec![Ev::L("a\u{fffd}b".into(), 1, 0, true)]
        );
    }

    #[test]
    fn one_byte_chunks() {
        let input = b"{\"a\":1}\n\n{\"b\":2}\r\nlast";
        let cuts: Vec<usize> = (0..input.len()).collect();
        assert_eq!(split_with(input, &cuts, 100), whole(input, 100));
        assert_eq!(whole(input, 100).len(), 4);
    }

    #[test]
    fn too_long_lines_are_reported_not_buffered() {
        let mut input = b"ok\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 50));
        input.extend(b"\nafter\n");
        let expect = vec![
            Ev::L("ok".into(), 1, 0, false),
            Ev::Long(2, 3, 50, vec![b'x'; 50]),
            Ev::L("after".into(), 3, 54, false),
        ];
        for i in 0..=input.len() {
            for j in (i..=input.len()).step_by(7) {
                assert_eq!(split_with(&input, &[i, j], 10), expect, "cuts {i} {j}");
            }
        }
        // A line exactly at the cap is kept.
        assert_eq!(
            whole(b"0123456789\n", 10),
            vec![Ev::L("0123456789".into(), 1, 0, false)]
        );
        // An overlong last line without newline.
        assert_eq!(
            whole(b"01234567890", 10),
            vec![Ev::Long(1, 0, 11, b"01234567890".to_vec())]
        );
    }

    #[test]
    fn tail_is_bounded_by_cap() {
        let mut s = Splitter::new(16);
        let mut n = 0;
        let mut sink = |_: LineEvent<'_>| n += 1;
        for _ in 0..1000 {
            s.push(&[b'y'; 1000], &mut sink);
            assert!(s.tail.capacity() <= 1 << 12);
        }
        s.finish(&mut sink);
        assert_eq!(n, 1);
    }

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
        for u in units {
            out.extend(if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn each_input_ends_its_last_line_and_has_its_own_encoding() {
        // UTF-8 without a final newline, then UTF-16BE with a BOM cut mid-unit, then UTF-16LE
        // without a BOM, then UTF-8 again.
        let inputs: Vec<Vec<u8>> = vec![
            b"a1\na2".to_vec(),
            utf16("b1\nb2\n", true, true),
            utf16("c1", false, false),
            b"d1\n".to_vec(),
        ];
        let mut s = Splitter::new(100);
        let mut got = Vec::new();
        let mut sink = |e: LineEvent<'_>| {
            if let LineEvent::Line(l) = e {
                got.push((l.text.to_string(), l.line_no, l.is_lossy));
            }
        };
        for (k, input) in inputs.iter().enumerate() {
            if k > 0 {
                s.next_input(&mut sink);
            }
            for piece in input.chunks(3) {
                s.push(piece, &mut sink);
            }
        }
        s.finish(&mut sink);
        let texts: Vec<&str> = got.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(texts, ["a1", "a2", "b1", "b2", "c1", "d1"]);
        assert!(got.iter().all(|x| !x.2), "nothing lossy: {got:?}");
        assert_eq!(
            got.iter().map(|x| x.1).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6]
        );
        assert_eq!(
            s.bytes(),
            inputs.iter().map(|i| i.len() as u64).sum::<u64>()
        );
    }

    fn encoding_of(input: &[u8]) -> Encoding {
        let mut s = Splitter::new(100);
        s.push(input, &mut |_| {});
        s.finish(&mut |_| {});
        s.encoding()
    }

    #[test]
    fn utf16_is_decoded_at_every_split() {
        // ASCII, CRLF, a blank line, a 2- and a 3-byte character, a surrogate pair (😀).
        let text = "{\"a\":\"é\"}\r\n\n{\"b\":\"中😀\"}\nlast";
        let expect = whole(text.as_bytes(), 100);
        assert_eq!(expect.len(), 4);
        for (big_endian, bom) in [(false, true), (true, true), (false, false), (true, false)] {
            let input = utf16(text, big_endian, bom);
            let want = if big_endian {
                Encoding::Utf16Be
            } else {
                Encoding::Utf16Le
            };
            assert_eq!(encoding_of(&input), want, "be {big_endian} bom {bom}");
            for i in 0..=input.len() {
                for j in i..=input.len() {
                    assert_eq!(
                        split_with(&input, &[i, j], 100),
                        expect,
                        "be {big_endian} bom {bom} cuts {i} {j}"
                    );
                }
            }
            let cuts: Vec<usize> = (0..input.len()).collect();
            assert_eq!(split_with(&input, &cuts, 100), expect, "1-byte chunks");
        }
    }

    #[test]
    fn utf16_counts_raw_bytes_and_caps_decoded_lines() {
        let input = utf16("ok\nxxxxxxxxxxxx\nafter\n", false, true);
        let mut s = Splitter::new(10);
        let mut got = Vec::new();
        s.push(&input, &mut |e| {
            got.push(match e {
                LineEvent::Line(l) => l.text.to_string(),
                LineEvent::TooLong { len, .. } => format!("too long {len}"),
            })
        });
        s.finish(&mut |_| {});
        assert_eq!(s.bytes(), input.len() as u64);
        assert_eq!(got, ["ok", "too long 12", "after"]);
    }

    #[test]
    fn utf16_unpaired_surrogates_and_odd_bytes_are_lossy() {
        // A lone high surrogate before 'x', a lone low surrogate, then a final odd byte.
        // (Offsets are in the transcoded UTF-8, where each bad unit is one byte.)
        let mut input = vec![0xFF, 0xFE, b'a', 0, 0x3D, 0xD8, b'x', 0, b'\n', 0];
        input.extend([0x00, 0xDC, b'\n', 0, b'z', 0, b'!']);
        let got = whole(&input, 100);
        assert_eq!(
            got,
            vec![
                Ev::L("a\u{fffd}x".into(), 1, 0, true),
                Ev::L("\u{fffd}".into(), 2, 4, true),
                Ev::L("z\u{fffd}".into(), 3, 6, true),
            ]
        );
        // A final odd `\n` (the CLI ends each input with one) only ends the line.
        assert_eq!(
            whole(&[0xFF, 0xFE, b'q', 0, b'\n', 0, b'r', 0, b'\n'], 100),
            vec![
                Ev::L("q".into(), 1, 0, false),
                Ev::L("r".into(), 2, 2, false)
            ]
        );
        // A high surrogate cut off by the end of input.
        assert_eq!(
            whole(&[0xFE, 0xFF, 0, b'q', 0xD8, 0x3D], 100),
            vec![Ev::L("q\u{fffd}".into(), 1, 0, true)]
        );
    }

    #[test]
    fn what_is_not_utf16_stays_utf8() {
        assert_eq!(
            encoding_of(&[0; 1000]),
            Encoding::Utf8,
            "NUL bytes are binary"
        );
        assert_eq!(encoding_of(b"{\"a\":1}\n"), Encoding::Utf8);
        assert_eq!(encoding_of(b"\xEF\xBB\xBF{}"), Encoding::Utf8);
        assert_eq!(encoding_of(b"a\0"), Encoding::Utf8, "too short to tell");
        assert_eq!(encoding_of(b"a\0\xC3\0"), Encoding::Utf8, "not ASCII");
        assert_eq!(encoding_of(b""), Encoding::Utf8);
        assert_eq!(encoding_of(b"\xFF\xFE"), Encoding::Utf16Le);
        assert!(whole(b"\xFF\xFE", 10).is_empty());
        // Short inputs held while sniffing still come out.
        assert_eq!(whole(b"\r", 10), vec![Ev::L("".into(), 1, 0, false)]);
        assert_eq!(whole(b"ab", 10), vec![Ev::L("ab".into(), 1, 0, false)]);
        // A splitter that starts mid-input does not sniff.
        let mut s = Splitter::new(10).starting_at(3, 40);
        s.push(b"a\0b\0", &mut |_| {});
        assert_eq!(s.encoding(), Encoding::Utf8);
        assert_eq!(s.bytes(), 44);
    }

    proptest::proptest! {
        #[test]
        fn utf16_any_split_gives_the_utf8_lines(
            text in "[abc\r\n é中😀\u{feff}]{0,60}",
            mut cuts in proptest::collection::vec(0usize..300, 0..6),
            max in 1usize..40,
            big_endian: bool,
        ) {
            cuts.sort_unstable();
            let input = utf16(&text, big_endian, true);
            proptest::prop_assert_eq!(
                split_with(&input, &cuts, max),
                whole(text.as_bytes(), max)
            );
        }

        #[test]
        fn newlines_are_found_and_non_ascii_lines_flagged(
            input in proptest::collection::vec(proptest::prop_oneof![
                8 => b' '..=b'~', 2 => proptest::strategy::Just(b'\n'), 1 => 0x80u8..=0xFF], 0..400),
        ) {
            let got: Vec<(usize, bool)> = Newlines::new(&input).collect();
            let want: Vec<usize> = (0..input.len()).filter(|&i| input[i] == b'\n').collect();
            proptest::prop_assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), want);
            let mut start = 0;
            for (nl, flagged) in got {
                // Never unflagged when the line holds a byte above 0x7F.
                proptest::prop_assert!(flagged || input[start..nl].is_ascii(), "line {start}..{nl}");
                start = nl + 1;
            }
        }

        #[test]
        fn lines_are_the_text_between_newlines(
            input in proptest::collection::vec(proptest::prop_oneof![
                6 => b' '..=b'~', 2 => proptest::strategy::Just(b'\n'),
                1 => proptest::strategy::Just(b'\r'), 1 => 0x80u8..=0xFF,
                1 => proptest::strategy::Just(0xC3u8), 1 => proptest::strategy::Just(0xA9u8)], 0..400),
            mut cuts in proptest::collection::vec(0usize..400, 0..6),
        ) {
            cuts.sort_unstable();
            // Starting with an ASCII byte: never taken for UTF-16 (`FF FE`, `FE FF`).
            let input = [&b"x"[..], &input].concat();
            let mut pieces: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
            if pieces.last().is_some_and(|l| l.is_empty()) {
                pieces.pop();
            }
            let mut offset = 0u64;
            let want: Vec<Ev> = pieces
                .iter()
                .enumerate()
                .map(|(i, line)| {
                    let off = offset;
                    offset += line.len() as u64 + 1;
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
                    let lossy = std::str::from_utf8(line).is_err();
                    Ev::L(String::from_utf8_lossy(line).into(), i as u64 + 1, off, lossy)
                })
                .collect();
            proptest::prop_assert_eq!(split_with(&input, &cuts, 1 << 20), want);
        }

        #[test]
        fn any_split_gives_the_same_lines(
            input in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just(b'\n'), proptest::strategy::Just(b'\r'),
                proptest::strategy::Just(0xEFu8), proptest::strategy::Just(0xBB),
                proptest::strategy::Just(0xBF), 0u8..=255u8, b'a'..=b'c'], 0..200),
            mut cuts in proptest::collection::vec(0usize..200, 0..6),
            max in 1usize..40,
        ) {
            cuts.sort_unstable();
            proptest::prop_assert_eq!(split_with(&input, &cuts, max), whole(&input, max));
        }
    }
}
