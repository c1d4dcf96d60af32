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
// Messages in (from app.js, once): {port: MessagePort}  the analysis worker's channel
// On the port, in (from worker.js):
//   {read: seq, file: File|Blob}  read `file` from its start, in order; replaces any earlier read
//   {credit: seq}                 one slice of read `seq` was taken: one more may be read ahead
//   {stop: seq}                   read `seq` is no longer wanted (its job ended early)
// On the port, out:
//   {seq, buf: ArrayBuffer}       the next slice, transferred (not copied)
//   {seq, end: true}              the file is done
//   {seq, error: {name, message}} the read failed (e.g. NotReadableError: the file changed)
// The page terminates this worker with the analysis worker (Cancel, a failure, Start over).

'use strict';

// Slices of 16 MiB: reading alone in a worker, headless chromium, 200 MB file: 1 MiB slices
// 236 MB/s, 4 MiB 435 MB/s, 16 MiB 655 MB/s, 64 MiB 714 MB/s.
const SLICE_BYTES = 16 << 20;
// Slices read ahead of the one being analysed: two keep the analysis fed when one read is slow,
// with at most 3 × 16 MiB of file in memory between the two workers.
const AHEAD = 2;

let port = null;
let current = null; // the read in progress: {seq, file, credits, stopped, wake}

self.onmessage = (event) => {
  const p = event.data?.port;
  if (!p || port) return;
  port = p;
  port.onmessage = (e) => receive(e.data ?? {});
};

function receive(msg) {
  if (Number.isInteger(msg.read)) {
    stop();
    current = { seq: msg.read, file: msg.file, credits: AHEAD, stopped: false, wake: null };
    read(current);
  } else if (Number.isInteger(msg.credit)) {
    if (current?.seq !== msg.credit) return;
    current.credits++;
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

async function read(job) {
  const { seq, file } = job;
  try {
    const size = file?.size ?? 0;
    let at = 0;
    while (at < size) {
      while (job.credits === 0 && !job.stopped) await new Promise((ok) => { job.wake = ok; });
      job.wake = null;
      if (job.stopped) return;
      job.credits--;
      const buf = await file.slice(at, at + SLICE_BYTES).arrayBuffer();
      if (job.stopped) return;
      if (buf.byteLength === 0) break; // the file shrank while being read
      at += buf.byteLength;
      port.postMessage({ seq, buf }, [buf]);
    }
    if (!job.stopped) port.postMessage({ seq, end: true });
  } catch (err) {
    if (!job.stopped) port.postMessage({ seq, error: { name: err?.name ?? 'Error', message: err?.message ?? String(err) } });
  } finally {
    if (current === job) current = null;
  }
}
