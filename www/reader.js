// logdrop file reader (a classic worker). app.js starts it beside the analysis worker
// (worker.js) and gives each one end of a MessageChannel; the two live and end together.
//
// Why a worker of its own: a File read started in the analysis worker only makes progress
// while that worker is idle, and it is in wasm most of the time, so reading and analysis took
// turns (1 GiB file: ≈245 MB/s for the page against ≈383 MB/s for the wasm engine alone).
// Here the reads run while the analysis runs (same file: ≈310 MB/s). The page starts it, not
// the analysis worker: with a worker nested in the analysis worker, Chromium did not finish
// about one termination of the analysis worker in ten (its memory stayed in use, and DevTools
// kept it listed, until the page closed).
// Gzip files are not read here: the analysis worker streams them through DecompressionStream.
// Decompressing here instead was measured no faster (200 MB of text gzipped to 22.6 MB, headless
// chromium: 1.36–1.43 s against 1.37 s): the gzip stream itself, ≈150 MB/s of text, is the
// slower part wherever it runs.
//
// How: a BYOB ("bring your own buffer") reader of File.stream() fills a few buffers that go back
// and forth between the two workers, so no memory is allocated per read. Reading alone in a
// worker, headless chromium, the 1 GiB bench file, CPU time of all processes: slices of 16 MiB
// (Blob.slice().arrayBuffer(), a new buffer each) 2.3 core-seconds at 710 MB/s; File.stream()
// with its own chunks 1.9 core-s at 930 MB/s; BYOB into 1–16 MiB buffers 1.3–1.4 core-s at
// 1,260–1,640 MB/s. On two cores the reader's CPU time is taken from the analysis. Where
// File.stream() has no BYOB reader, the file is read in slices of SLICE_BYTES as before.
//
// Messages in (from app.js, once): {port: MessagePort}  the analysis worker's channel
// On the port, in (from worker.js):
//   {read: seq, file: File|Blob}  read `file` from its start, in order; replaces any earlier read
//   {credit: seq, buf?}           one piece of read `seq` was analysed (`buf`: its buffer, given
//                                 back to be filled again): one more may be read ahead
//   {stop: seq}                   read `seq` is no longer wanted (its job ended early)
// On the port, out:
//   {seq, buf: ArrayBuffer, len}  the next piece, its first `len` bytes of `buf` (transferred,
//                                 not copied; `len` absent: all of it)
//   {seq, end: true}              the file is done
//   {seq, error: {name, message}} the read failed (e.g. NotReadableError: the file changed)
// The page terminates this worker with the analysis worker (Cancel, a failure, Start over).

'use strict';

// BYOB reads: buffers of this size, this many of them (one analysed while the others fill).
const BUFFER_BYTES = 4 << 20;
const BUFFERS = 4;
// A file changed on disk is noticed within this many buffers (see readByob).
const VERIFY_EVERY = 8;
// Without a BYOB reader: slices of 16 MiB (reading alone in a worker, headless chromium,
// 200 MB file: 1 MiB slices 236 MB/s, 4 MiB 435 MB/s, 16 MiB 655 MB/s, 64 MiB 714 MB/s), this
// many at a time: one analysed while two are read ahead, 3 × 16 MiB of file in memory at most.
const SLICE_BYTES = 16 << 20;
const SLICES = 3;

let port = null;
let current = null; // the read in progress: {seq, file, credits, free, stopped, wake}

self.onmessage = (event) => {
  const p = event.data?.port;
  if (!p || port) return;
  port = p;
  port.onmessage = (e) => receive(e.data ?? {});
};

function receive(msg) {
  if (Number.isInteger(msg.read)) {
    stop();
    current = { seq: msg.read, file: msg.file, credits: 0, free: [], stopped: false, wake: null };
    read(current);
  } else if (Number.isInteger(msg.credit)) {
    if (current?.seq !== msg.credit) return;
    current.credits++;
    if (msg.buf instanceof ArrayBuffer && msg.buf.byteLength === BUFFER_BYTES) current.free.push(msg.buf);
    current.wake?.();
  } else if (Number.isInteger(msg.stop)) {
    if (current?.seq === msg.stop) stop();
  }
}

/** Ends the current read (its file is let go). */
function stop() {
  const job = current;
  if (!job) return;
  current = null;
  job.stopped = true;
  job.wake?.();
}

/** Waits until `job` may read one more piece: false when it was stopped meanwhile. */
async function credit(job) {
  while (job.credits === 0 && !job.stopped) await new Promise((ok) => { job.wake = ok; });
  job.wake = null;
  if (job.stopped) return false;
  job.credits--;
  return true;
}

async function read(job) {
  const { seq, file } = job;
  try {
    // A credit per piece that may be in memory at once; each comes back once its piece is
    // analysed.
    const byob = byobReader(file);
    job.credits = byob ? BUFFERS : SLICES;
    if (byob) await readByob(job, byob);
    else await readSlices(job);
    if (!job.stopped) port.postMessage({ seq, end: true });
  } catch (err) {
    if (!job.stopped) port.postMessage({ seq, error: { name: err?.name ?? 'Error', message: err?.message ?? String(err) } });
  } finally {
    if (current === job) current = null;
  }
}

/** A BYOB reader of `file`'s bytes, or null where File.stream() has none. */
function byobReader(file) {
  try {
    return file.stream().getReader({ mode: 'byob' });
  } catch {
    return null;
  }
}

/**
 * The file through `reader`, each buffer filled before it is sent (the last one: as far as it
 * goes). A stream does not notice that its file changed on disk while it was read (Chromium: it
 * reads on, old and new bytes mixed), a slice read does (NotReadableError): one byte is read as
 * a slice every VERIFY_EVERY buffers and after the last, so a file changed while read fails as
 * it did when it was read in slices, never giving results of mixed contents.
 */
async function readByob(job, reader) {
  const { seq, file } = job;
  const verify = () => file.slice(0, 1).arrayBuffer();
  let sent = 0;
  try {
    for (;;) {
      if (!await credit(job)) return;
      let buf = job.free.pop() ?? new ArrayBuffer(BUFFER_BYTES);
      let len = 0;
      let done = false;
      while (len < BUFFER_BYTES) {
        const got = await reader.read(new Uint8Array(buf, len, BUFFER_BYTES - len));
        if (got.value) buf = got.value.buffer; // the same memory, handed back by the read
        if (got.done) {
          done = true;
          break;
        }
        len += got.value.byteLength;
        if (job.stopped) return;
      }
      if (job.stopped) return;
      if (len > 0) port.postMessage({ seq, buf, len }, [buf]);
      if (done || ++sent % VERIFY_EVERY === 0) await verify();
      if (done) return;
    }
  } finally {
    // Lets the file go (a read stopped early); nothing to do after the end.
    reader.cancel().catch(() => {});
  }
}

async function readSlices(job) {
  const { seq, file } = job;
  const size = file?.size ?? 0;
  let at = 0;
  while (at < size) {
    if (!await credit(job)) return;
    const buf = await file.slice(at, at + SLICE_BYTES).arrayBuffer();
    if (job.stopped) return;
    if (buf.byteLength === 0) break; // the file shrank while being read
    at += buf.byteLength;
    port.postMessage({ seq, buf }, [buf]);
  }
}
