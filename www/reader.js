// logdrop file reader (a classic worker; app.js starts and ends it with worker.js).
//
// Reads plain files in 16 MiB slices and hands them to the analysis worker over a
// MessagePort, transferred (not copied), a few slices ahead of the analysis. Reading happens
// here and not in the analysis worker because a read started there only moves while that
// worker is idle (it is in wasm most of the time), so reading and analysis took turns;
// here they overlap. Measured in headless chromium on the 1 GiB bench file: see
// bench/results/.
//
// Messages in (from app.js), one per analysis: {files: [File|Blob, …], port: MessagePort}
// (the analysis worker holds the port's other end; each analysis has its own port)
// On the port, in: {read: i}   read file i from its start (the analysis worker asks for each
//                              plain file in turn; gzip files it streams itself)
//                  {credit: n} n more slices may be sent (one per slice taken)
// On the port, out: {i, buf: ArrayBuffer} the next slice of file i, in order
//                   {i, end: true}        file i is done
//                   {i, error: {name, message}} reading file i failed (e.g. NotReadableError)
// The page terminates this worker with the analysis worker (a failure, Cancel).

'use strict';

const SLICE_BYTES = 16 << 20;
// Slices in flight beyond the one being analysed: two keep the reader a slice ahead even
// when a read is slow, with at most ~48 MiB held.
const AHEAD = 2;

self.onmessage = (event) => {
  const { files, port } = event.data ?? {};
  if (!port || !Array.isArray(files)) return;
  let credits = AHEAD;
  let wake = null;
  let reading = Promise.resolve();
  port.onmessage = (e) => {
    const msg = e.data ?? {};
    if (typeof msg.credit === 'number') {
      credits += msg.credit;
      wake?.();
    } else if (Number.isInteger(msg.read)) {
      const i = msg.read;
      reading = reading.then(() => readFile(i));
    }
  };

  const credit = () => (credits > 0 ? Promise.resolve() : new Promise((ok) => { wake = ok; }));

  async function readFile(i) {
    const file = files[i];
    try {
      const size = file?.size ?? 0;
      let at = 0;
      while (at < size) {
        await credit();
        wake = null;
        credits--;
        const buf = await file.slice(at, at + SLICE_BYTES).arrayBuffer();
        if (buf.byteLength === 0) break; // the file shrank while being read
        at += buf.byteLength;
        port.postMessage({ i, buf }, [buf]);
      }
      port.postMessage({ i, end: true });
    } catch (err) {
      port.postMessage({ i, error: { name: err?.name ?? 'Error', message: err?.message ?? String(err) } });
    }
  }
};
