// logdrop analysis worker (a module worker; app.js starts it). It runs the wasm Analyzer on
// the files it is given, reading them as streams, and renders the charts from the summary.
//
// Messages in (from app.js), one job at a time, each with a numeric `id`:
//   {type: 'analyze', id, files: [File|Blob, …], options: {group_by?, latency?, …}, dark}
//   {type: 'charts',  id, summary: string (JSON), dark: boolean}
// Messages out:
//   {type: 'progress', id, bytes, total, file}        bytes read of total (compressed sizes)
//   {type: 'done', id, summary, problem, charts, colors}
//        summary: the Summary JSON string (same contract as `logdrop analyze --format json`)
//        problem: a sentence when the summary cannot answer (empty, no records, no latency), or null
//        charts: {cdf, timeline, errors} SVG strings; colors: the group colours of the charts
//   {type: 'charts', id, charts, colors}
//   {type: 'error', id, message, bytes}               bytes: where the input stopped
// The incident report and share-link messages ('report', 'report-document', 'share',
// 'open-share') are listed in their own section below.
// Cancel is `worker.terminate()` on the page side (the only sure way to stop wasm mid-loop);
// a new worker is started for the next job.
//
// The wasm module is initialised once; every job awaits that one promise first, so no early
// message is lost. `createHandler(wasm)` holds all the logic so that a later classic-worker
// build can pass in the same exports without ES module imports.

import init, * as wasm from './pkg/logdrop.js';

const ready = init();

self.onmessage = async (event) => {
  await ready.catch(() => {});
  handler ??= createHandler(wasm, ready);
  handler(event.data);
};

let handler = null;

export function createHandler(wasm, ready) {
  const post = (msg) => self.postMessage(msg);
  const PROGRESS_EVERY_MS = 100;

  async function analyze({ id, files, options, dark }) {
    let pushed = 0;
    let analyzer;
    try {
      await ready;
      analyzer = new wasm.Analyzer(JSON.stringify(options ?? {}));
    } catch (err) {
      post({ type: 'error', id, message: `the analyzer could not start: ${text(err)}`, bytes: 0 });
      return;
    }
    const total = files.reduce((n, f) => n + (f.size ?? 0), 0);
    let done = 0; // compressed bytes read, of all files
    let lastPost = 0;
    // Stream chunks (64 KiB from File.stream()) are gathered into one batch before `push`:
    // each push crosses into wasm and copies into its memory, and at 64 KiB that overhead
    // cost ~25% of the throughput (bench: node tests/browser/bench.mjs). Results do not
    // depend on how the input is chunked (tests/chunking.rs).
    const batch = new Uint8Array(BATCH_BYTES);
    let fill = 0;
    const flush = () => {
      if (fill === 0) return;
      analyzer.push(batch.subarray(0, fill));
      pushed += fill;
      fill = 0;
    };
    const add = (bytes) => {
      if (fill + bytes.byteLength > BATCH_BYTES) flush();
      if (bytes.byteLength >= BATCH_BYTES) {
        analyzer.push(bytes);
        pushed += bytes.byteLength;
      } else {
        batch.set(bytes, fill);
        fill += bytes.byteLength;
      }
    };
    try {
      for (let i = 0; i < files.length; i++) {
        const file = files[i];
        const before = done;
        const gz = await isGzip(file);
        let stream = file.stream();
        if (gz) {
          // Count the compressed bytes for progress, then decompress.
          stream = stream
            .pipeThrough(new TransformStream({
              transform(chunk, ctl) { done += chunk.byteLength; ctl.enqueue(chunk); },
            }))
            .pipeThrough(new DecompressionStream('gzip'));
        }
        const reader = stream.getReader();
        let last = 10; // the last byte pushed of this file ('\n' when none)
        for (;;) {
          const { value, done: end } = await reader.read();
          if (end) break;
          if (!value || value.byteLength === 0) continue;
          add(value);
          last = value[value.byteLength - 1];
          if (!gz) done += value.byteLength;
          const now = performance.now();
          if (now - lastPost >= PROGRESS_EVERY_MS) {
            lastPost = now;
            post({ type: 'progress', id, bytes: done, total, file: i });
            // Back to the event loop now and then: chromium ends a terminated worker at
            // its next task, but only after ~2 s if it never yields (cancel must be < 1 s).
            await yieldToEventLoop();
          }
        }
        // Files are read as one stream: keep the last line of one apart from the next.
        if (last !== 10) add(NEWLINE);
        done = before + (file.size ?? 0);
      }
      flush();
      post({ type: 'progress', id, bytes: total, total, file: files.length - 1 });
      const summary = analyzer.finish();
      analyzer.free();
      const problem = wasm.check(summary) ?? null;
      post({ type: 'done', id, summary, problem, ...renderCharts(summary, !!dark) });
    } catch (err) {
      post({ type: 'error', id, message: failure(err, pushed), bytes: pushed });
    }
  }

  function renderCharts(summary, dark) {
    const charts = {
      cdf: wasm.chart_latency_cdf(summary, dark),
      timeline: wasm.chart_latency_timeline(summary, dark),
      errors: wasm.chart_error_rate(summary, dark),
    };
    const colors = [];
    for (let i = 0; i < 8; i++) colors.push(wasm.series_color(i, dark));
    return { charts, colors, dark };
  }

  function failure(err, pushed) {
    const panic = safe(() => wasm.last_panic());
    if (panic || err instanceof WebAssembly.RuntimeError) {
      return `the analyzer stopped at byte ${pushed.toLocaleString('en-US')}: ${panic ?? text(err)}`;
    }
    if (err?.name === 'NotReadableError' || err?.name === 'NotFoundError') {
      return `the file could not be read (${text(err)}); it may have been moved or changed`;
    }
    if (err instanceof TypeError && /decompress|gzip|invalid/i.test(text(err))) {
      return `the gzip data is damaged after byte ${pushed.toLocaleString('en-US')} of decompressed text (${text(err)})`;
    }
    return `reading stopped at byte ${pushed.toLocaleString('en-US')}: ${text(err)}`;
  }

  return (msg) => {
    if (msg?.type === 'analyze') {
      analyze(msg);
    } else if (msg?.type === 'charts') {
      try {
        post({ type: 'charts', id: msg.id, ...renderCharts(msg.summary, !!msg.dark) });
      } catch (err) {
        post({ type: 'error', id: msg.id, message: `the charts could not be drawn: ${text(err)}`, bytes: 0 });
      }
    } else if (msg?.type === 'version') {
      post({ type: 'version', id: msg.id, version: safe(() => wasm.version()) ?? '' });
    } else if (REPORT_MESSAGES.has(msg?.type)) {
      reportMessage(wasm, post, renderCharts, msg);
    }
  };
}

// --- the incident report and share links (issue 5) ---------------------------------------------
//
// Messages in:
//   {type: 'report', id, summary, redact, dark}   the report of a summary (redacted when `redact`)
//        → {type: 'report', id, markdown, html, charts, printCharts}
//          html: the report as an HTML fragment with empty chart slots
//          (<div class="report-chart" data-chart="cdf|timeline|errors">), every log string escaped
//          by the Rust writer; charts: the SVGs for the slots in the screen theme; printCharts:
//          the light-theme SVGs when `dark` (for printing), else null
//   {type: 'report-document', id, summary, redact} → {type: 'report-document', id, document}
//          the self-contained HTML file (light charts inlined, no script)
//   {type: 'share', id, summary, redact}           → {type: 'share', id, fragment, preview}
//          fragment: the value after '#r='; preview: the summary JSON the link carries
//   {type: 'open-share', id, fragment, dark}       → like 'done' of 'analyze':
//          {type: 'open-share', id, summary, problem, charts, colors, dark}
//          or {type: 'error', id, message, bytes: 0, share: true} (message: why the link is unusable)

const REPORT_MESSAGES = new Set(['report', 'report-document', 'share', 'open-share']);

function reportMessage(wasm, post, renderCharts, msg) {
  const { id } = msg;
  const source = (summary, redact) => (redact ? wasm.redact_summary(summary) : summary);
  const chartsOf = (summary, dark) => ({
    cdf: wasm.chart_latency_cdf(summary, dark),
    timeline: wasm.chart_latency_timeline(summary, dark),
    errors: wasm.chart_error_rate(summary, dark),
  });
  try {
    if (msg.type === 'report') {
      const s = source(msg.summary, msg.redact !== false);
      post({
        type: 'report',
        id,
        markdown: wasm.report_markdown(s),
        html: wasm.report_html_slots(s),
        charts: chartsOf(s, !!msg.dark),
        printCharts: msg.dark ? chartsOf(s, false) : null,
      });
    } else if (msg.type === 'report-document') {
      post({ type: 'report-document', id, document: wasm.report_html_document(source(msg.summary, msg.redact !== false)) });
    } else if (msg.type === 'share') {
      const options = JSON.stringify({ redact: msg.redact !== false });
      post({
        type: 'share',
        id,
        fragment: wasm.share_encode(msg.summary, options),
        preview: wasm.share_preview(msg.summary, options),
      });
    } else if (msg.type === 'open-share') {
      let summary;
      try {
        summary = wasm.share_decode(String(msg.fragment ?? ''));
      } catch (err) {
        post({ type: 'error', id, message: text(err), bytes: 0, share: true });
        return;
      }
      const problem = wasm.check(summary) ?? null;
      const redacted = wasm.share_link_redacted(String(msg.fragment ?? ''));
      post({ type: 'open-share', id, summary, problem, redacted, ...renderCharts(summary, !!msg.dark) });
    }
  } catch (err) {
    post({ type: 'error', id, message: `the report could not be written: ${text(err)}`, bytes: 0 });
  }
}

const NEWLINE = new Uint8Array([10]);
const BATCH_BYTES = 1 << 20;

const channel = new MessageChannel();
const yields = [];
channel.port1.onmessage = () => yields.shift()?.();
/** Resolves from a new task (a message, not a clamped timer). */
function yieldToEventLoop() {
  return new Promise((ok) => {
    yields.push(ok);
    channel.port2.postMessage(0);
  });
}

/** gzip by magic bytes (1f 8b), not by name. */
async function isGzip(file) {
  if ((file.size ?? 0) < 2) return false;
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  return head[0] === 0x1f && head[1] === 0x8b;
}

function safe(f) {
  try { return f(); } catch { return undefined; }
}

function text(err) {
  return (err && (err.message || String(err))) || 'unknown error';
}
