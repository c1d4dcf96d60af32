// logdrop page (UI thread). No framework; the analysis runs in worker.js.
//
// Three ways in, one loader: drop (anywhere in the window), pick (button or the focusable
// drop zone) and paste (Ctrl/Cmd+V anywhere, or the paste box) all call `load(files)`; the
// example button fetches ./example.log and does the same. Field overrides re-run `load` on
// the same files.
//
// Talks to the worker through `Engine` (messages listed at the top of worker.js). Each analysis
// worker has a file reader worker beside it (reader.js), started and ended with it: the page
// only connects the two with a MessageChannel, the slices go from one to the other directly.
//   engine.analyze(files, options, dark, onProgress) → {summary, problem, charts, colors}
//   engine.charts(summaryJson, dark)           → {charts, colors}
//   engine.cancel()                            terminates the worker; the next call starts a fresh one
//   engine.call({type: 'report' | 'report-document' | 'share' | 'open-share', …})  the incident
//                                              report and share links: see the section at the end
// When the worker breaks (a wasm trap, out of memory, a script that did not load, an `error` or
// `messageerror` event), every job of it is rejected with an Error whose `fatal` is true and
// `kind` is 'crash' | 'memory' | 'load', and the worker is terminated: the next call starts a
// fresh one. The page shows that as a failure with "Try again" (showFailure), never as a
// progress bar that waits forever. A worker that hangs without failing (a loop that never ends,
// a read that never resolves) is caught by the stall watchdog: after STALL_MS without progress
// the page says so and offers "Keep waiting" or "Stop and start over".
//
// Every log-derived string reaches the DOM through textContent or an attribute set with
// setAttribute; chart SVG (escaped by the Rust renderer) is parsed inert and kept to the SVG
// elements that draw, without event-handler or link attributes (svg.js).

import { svgNode } from './svg.js';

const $ = (sel) => document.querySelector(sel);

// --- the worker bridge ------------------------------------------------------------------------

class Engine {
  constructor() {
    this.worker = null;
    this.jobs = new Map();
    this.seq = 0;
    this.answered = false; // the current worker has sent a message (so it did load)
    this.reader = null; // the current worker's file reader (reader.js), if it runs
  }

  start() {
    if (this.worker) return this.worker;
    // The single file (dist/logdrop.html, tools/single-file.mjs) has no worker.js to load: it
    // defines `logdropEmbedded`, which starts a classic worker from a blob: URL instead.
    const w = globalThis.logdropEmbedded?.worker()
      ?? new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.answered = false;
    this.startReader(w);
    w.onmessage = (e) => {
      if (this.worker !== w) return; // a message of a worker that was replaced
      this.answered = true;
      this.receive(e.data);
    };
    // `error`: the script or one of its imports did not load (a plain Event, before any answer),
    // or an exception escaped the worker (an ErrorEvent with a message).
    w.onerror = (e) => {
      e.preventDefault?.();
      if (this.worker !== w) return;
      const loaded = this.answered || (typeof ErrorEvent === 'function' && e instanceof ErrorEvent && !!e.message);
      this.failAll(loaded ? 'crash' : 'load', loaded
        ? `the analysis worker crashed (${e.message || 'no details'})`
        : 'the analysis worker did not load (worker.js or one of its files could not be fetched or run)');
    };
    w.onmessageerror = () => {
      if (this.worker !== w) return;
      this.failAll('crash', 'a message from the analysis worker could not be read');
    };
    this.worker = w;
    return w;
  }

  /**
   * Starts the file reader of analysis worker `w` and gives each one end of a channel. The page
   * owns the reader (not `w`): with a worker nested in `w`, Chromium sometimes never finished
   * `w.terminate()` (w's memory stayed in use until the page closed); this way both are plain
   * workers of the page and end with `reset()`. Without a reader (it cannot start, or fails
   * to load), `w` reads the files itself, only slower.
   */
  startReader(w) {
    let r;
    try {
      r = globalThis.logdropEmbedded?.reader?.()
        ?? new Worker(new URL('./reader.js', import.meta.url), { name: 'logdrop reader' });
    } catch {
      return;
    }
    const channel = new MessageChannel();
    r.postMessage({ port: channel.port1 }, [channel.port1]);
    w.postMessage({ type: 'reader', port: channel.port2 }, [channel.port2]);
    const lost = (e) => {
      e?.preventDefault?.();
      if (this.reader !== r) return;
      this.reader = null;
      r.terminate();
      w.postMessage({ type: 'reader-lost' });
    };
    // `error`: reader.js did not load, or an exception escaped it.
    r.onerror = lost;
    r.onmessageerror = lost;
    this.reader = r;
  }

  call(msg, onProgress) {
    const id = ++this.seq;
    const w = this.start();
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { resolve, reject, onProgress });
      w.postMessage({ ...msg, id });
    });
  }

  analyze(files, options, dark, onProgress) {
    return this.call({ type: 'analyze', files, options, dark }, onProgress);
  }

  charts(summary, dark) {
    return this.call({ type: 'charts', summary, dark });
  }

  version() {
    return this.call({ type: 'version' });
  }

  receive(msg) {
    if (msg?.type === 'fatal') {
      this.failAll(msg.kind ?? 'crash', msg.message ?? 'the analysis worker failed');
      return;
    }
    const job = this.jobs.get(msg?.id);
    if (!job) return;
    if (msg.type === 'progress') {
      job.onProgress?.(msg);
      return;
    }
    this.jobs.delete(msg.id);
    if (msg.type === 'error') {
      const err = new Error(msg.message);
      err.bytes = msg.bytes;
      err.fatal = msg.fatal === true;
      err.kind = msg.kind ?? null;
      err.memory = msg.memory ?? null;
      // The wasm instance cannot be trusted after a trap: end this worker, and every other job
      // it had, now (the next call starts a fresh one).
      if (err.fatal) this.failAll(err.kind ?? 'crash', msg.message);
      job.reject(err);
    } else {
      job.resolve(msg);
    }
  }

  /** Ends the worker and rejects all its jobs with a fatal Error of `kind`. */
  failAll(kind, message) {
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    this.reset();
    for (const j of jobs) {
      const err = new Error(message);
      err.fatal = true;
      err.kind = kind;
      err.bytes = null;
      err.memory = null;
      j.reject(err);
    }
  }

  reset() {
    this.worker?.terminate();
    this.worker = null;
    this.reader?.terminate();
    this.reader = null;
  }

  /** Stops whatever runs now: terminate (the only sure way to stop wasm mid-loop). */
  cancel() {
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    this.reset();
    for (const j of jobs) {
      const err = new Error('cancelled');
      err.name = 'AbortError';
      j.reject(err);
    }
  }
}

// --- state --------------------------------------------------------------------------------------

const engine = new Engine();
const dark = matchMedia('(prefers-color-scheme: dark)');
const state = {
  files: [], // the File/Blob objects of the current analysis
  options: {}, // field overrides
  summaryJson: null,
  summary: null,
  charts: null, // {cdf, timeline, errors}
  colors: [],
  sort: { key: null, dir: 'descending' },
  running: false,
  failed: false, // the problem shown is a failure of the analyzer itself (showFailure)
  shared: null, // {fragment} while showing a report opened from a share link (#r=…)
};

const fmtInt = new Intl.NumberFormat('en-US');

// --- loading ------------------------------------------------------------------------------------

/** The one loader: analyse `files` (File or Blob with a name) with `options`. */
async function load(files, options = {}) {
  files = [...files].filter(Boolean);
  if (files.length === 0) return;
  if (state.running) engine.cancel();
  state.files = files;
  state.options = options;
  leaveShared(); // a file replaces a shared report (and its #r= in the address bar)
  state.running = true;
  show('progress');
  const names = files.map((f) => f.name || 'pasted text');
  $('#progress-name').textContent = names.length > 3
    ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`
    : names.join(', ');
  const total = files.reduce((n, f) => n + f.size, 0);
  const t0 = performance.now();
  updateProgress({ bytes: 0, total }, t0);
  $('#cancel').focus({ preventScroll: true });
  const watch = watchStall(names.length === 1 ? names[0] : `${names.length} files`, total);
  try {
    const res = await engine.analyze(files, options, dark.matches, (p) => {
      stallProgress(watch, p);
      updateProgress(p, t0);
    });
    unwatchStall(watch);
    state.running = false;
    if (!$('#version').textContent) showVersion(); // it failed with an earlier worker
    showResults(res, files, performance.now() - t0);
  } catch (err) {
    unwatchStall(watch);
    state.running = false;
    if (err.name === 'AbortError') return;
    if (err.fatal) showFailure(err, files);
    else showProblem('The analysis stopped', sentence(err.message), { retry: true });
  }
}

function updateProgress({ bytes, total }, t0) {
  const bar = $('#progress-bar');
  bar.max = Math.max(total, 1);
  bar.value = Math.min(bytes, bar.max);
  const secs = (performance.now() - t0) / 1000;
  const rate = secs > 0.05 ? bytes / secs : 0;
  const parts = [`${fmtBytes(bytes)} of ${fmtBytes(total)}`];
  if (rate > 0) {
    parts.push(`${(rate / 1e6).toFixed(rate >= 1e8 ? 0 : 1)} MB/s`);
    const left = (total - bytes) / rate;
    if (bytes < total && Number.isFinite(left)) parts.push(`${fmtDuration(left)} left`);
  }
  $('#progress-text').textContent = parts.join(' · ');
}

function cancel() {
  if (!state.running) return;
  engine.cancel();
  unwatchStall();
  state.running = false;
  if (state.summary) {
    show('results');
  } else {
    show('start');
  }
  announce('Analysis cancelled.');
}

// --- the stall watchdog -------------------------------------------------------------------------
//
// While an analysis runs, the worker posts progress every 100 ms (worker.js PROGRESS_EVERY_MS,
// after each stream chunk it pushes). If none has arrived for STALL_MS, the page says so next to
// the progress bar — the analysis may be stuck (a loop in the wasm that never ends, a read that
// never resolves) or just slow (a file on a sleeping network drive) — with "Keep waiting" (hides
// the notice; it comes back after another STALL_MS without progress) and "Stop and start over"
// (like Cancel: the worker is terminated and a fresh one started, back to the start page). The
// notice goes away by itself as soon as progress arrives again.
//
// 10 s: the longest silence of a healthy analysis is far below it. Measured in headless Chromium
// on a busy 2-core machine: gaps between progress messages while reading ≤ 125 ms (1 GiB, and
// 512 MiB with 260,000 distinct user ids); from the last progress (all bytes read) to the
// result, i.e. finish() + charts, ≤ 100 ms for 1 GiB (the work there does not grow with the file:
// groups are capped at 50 + "other"); from the drop to the first progress, with a fresh worker
// after Cancel, ≤ 30 ms (the compiled wasm is cached). A device 10× slower and a first-ever wasm
// compile still stay within a few seconds. 10 s is also about as long as people watch a bar
// that does not move before they wonder whether it is broken, so the notice comes when they start
// to doubt, not while the page is merely busy, and a false alarm costs one click.
//
// The threshold can be lowered for tests only: <html data-stall-ms="…"> (set by the test through
// the DOM before an analysis starts; nothing from a log or a URL reaches that attribute).
const STALL_MS = 10_000;

const stall = {
  job: 0, // the analysis watched now (watchStall's token)
  timer: 0,
  ms: STALL_MS,
  every: 1000, // the check interval
  since: 0, // performance.now() of the last progress (or of the start)
  armed: 0, // …or of "Keep waiting" / a pause of the page itself: the count runs from here
  tick: 0, // the last check
  what: '', // "big.log" or "3 files"
  bytes: 0,
  total: 0,
};

function stallThreshold() {
  const v = Number(document.documentElement.dataset.stallMs);
  return Number.isFinite(v) && v >= 100 && v <= 3_600_000 ? v : STALL_MS;
}

/** Starts watching a new analysis (ends any earlier watch); returns its token. */
function watchStall(what, total) {
  unwatchStall();
  const now = performance.now();
  stall.job++;
  stall.ms = stallThreshold();
  stall.every = Math.min(1000, Math.max(50, stall.ms / 4));
  stall.since = stall.armed = stall.tick = now;
  stall.what = what;
  stall.bytes = 0;
  stall.total = total;
  stall.timer = setInterval(stallTick, stall.every);
  return stall.job;
}

/** Stops watching (only `job`, when given: a newer analysis keeps its watch). */
function unwatchStall(job = stall.job) {
  if (job !== stall.job) return;
  clearInterval(stall.timer);
  stall.timer = 0;
  hideStall();
}

function stallProgress(job, { bytes }) {
  if (job !== stall.job) return;
  stall.since = stall.armed = performance.now();
  stall.bytes = bytes;
  hideStall(); // progress resumed
}

function stallTick() {
  const now = performance.now();
  // A check that comes much later than asked means the page itself was paused (the computer
  // slept, a background tab was throttled): the worker's messages may be queued behind this
  // check, so count again from now rather than blame the worker.
  const late = now - stall.tick > stall.every + 2000;
  stall.tick = now;
  if (!$('#stall').hidden) return;
  if (late) {
    stall.armed = now;
    return;
  }
  if (now - stall.armed >= stall.ms) showStall(now);
}

function showStall(now) {
  const secs = Math.max(1, Math.round((now - stall.since) / 1000));
  const span = secs < 90 ? `${secs} ${secs === 1 ? 'second' : 'seconds'}` : `${Math.round(secs / 60)} minutes`;
  const all = stall.total > 0 && stall.bytes >= stall.total;
  $('#stall-title').textContent = `The analysis has made no progress for ${span}.`;
  $('#stall-text').textContent = (all
    ? `All ${fmtBytes(stall.total)} of ${stall.what} were read, but the results have not come yet. `
    : `It has read ${fmtBytes(stall.bytes)} of ${fmtBytes(stall.total)} of ${stall.what} and has not moved since. `) +
    'A slow or sleeping drive can do this, or logdrop may be stuck. You can keep waiting, or stop and start over.';
  $('#stall').hidden = false;
  // The rate and time left under the bar were true before the stall, not now.
  $('#progress-text').textContent = `${fmtBytes(stall.bytes)} of ${fmtBytes(stall.total)}`;
}

function hideStall() {
  const box = $('#stall');
  if (box.hidden) return;
  const focused = box.contains(document.activeElement);
  box.hidden = true;
  if (focused && !$('#progress').hidden) $('#cancel').focus({ preventScroll: true });
}

/** "Keep waiting": hides the notice; it comes back after another STALL_MS without progress. */
function keepWaiting() {
  stall.armed = performance.now();
  hideStall();
}

/** "Stop and start over": like Cancel, then the start page, with a fresh worker warmed up. */
function stopAndStartOver() {
  engine.cancel(); // terminates the worker (the only sure way to stop a loop in wasm)
  unwatchStall();
  state.running = false;
  state.summary = null;
  state.summaryJson = null;
  state.files = [];
  state.options = {};
  showVersion(); // the fresh worker (and its wasm compile), now
  show('start');
  $('#dropzone').focus();
}

function loadText(text, name = 'pasted text') {
  if (!text) return;
  const file = new File([text], name, { type: 'text/plain' });
  load([file]);
}

async function loadExample() {
  try {
    let blob;
    if (globalThis.logdropEmbedded) {
      blob = await globalThis.logdropEmbedded.example(); // the single file carries it inside
    } else {
      const res = await fetch('example.log');
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      blob = await res.blob();
    }
    load([new File([blob], 'friday-incident.log', { type: 'text/plain' })]);
  } catch (err) {
    showProblem('The example could not be loaded', `example.log did not load (${err.message}). Run ./build.sh build, which copies it next to the page.`);
  }
}

// --- views --------------------------------------------------------------------------------------

function show(id) {
  for (const s of ['start', 'progress', 'problem', 'results']) $(`#${s}`).hidden = s !== id;
}

function showProblem(title, text, { retry = false, summary = null, failure = null } = {}) {
  $('#problem-title').textContent = title;
  $('#problem-text').textContent = text;
  $('#problem-retry').hidden = !retry;
  // The parts only a failure of the analyzer itself has (showFailure).
  state.failed = !!failure;
  $('#problem').classList.toggle('failure', !!failure);
  $('#problem-safe').hidden = !failure;
  const steps = $('#problem-steps');
  // A step is a string, or [text, code, text, …] with the odd parts shown as code.
  steps.replaceChildren(...(failure?.steps ?? []).map((step) => {
    const li = document.createElement('li');
    (Array.isArray(step) ? step : [step]).forEach((part, i) => {
      if (i % 2 === 0) {
        li.append(part);
      } else {
        const code = document.createElement('code');
        code.textContent = part;
        li.append(code);
      }
    });
    return li;
  }));
  $('#problem-next').hidden = !failure;
  $('#problem-details').hidden = !failure;
  $('#problem-details').open = false;
  $('#problem-detail').textContent = failure?.detail ?? '';
  show('problem');
  if (summary) {
    // Let the user pick a field (e.g. the latency) right here.
    $('#results').hidden = false;
    for (const id of ['#overview', '#findings', '#table-wrap', '#warnings', '.charts']) $(id).hidden = true;
  }
  $('#problem').focus?.();
}

function showResults(res, files, ms) {
  const summary = JSON.parse(res.summary);
  state.summaryJson = res.summary;
  state.summary = summary;
  state.charts = res.charts;
  state.colors = res.colors;
  state.sort = { key: null, dir: 'descending' };
  renderFields(summary);
  renderParsing(summary, files);
  showReportFor(res); // the incident report section (below), or the shared-report banner
  if (res.problem) {
    showProblem(problemTitle(summary), capitalize(res.problem) + '.', { summary });
    $('#results-title').textContent = 'What was found';
    return;
  }
  show('results');
  for (const id of ['#overview', '#table-wrap', '.charts']) $(id).hidden = false;
  $('#results-title').textContent = 'Results';
  renderOverview(summary, files, ms);
  renderFindings(summary);
  renderTable(summary);
  renderWarnings(summary);
  renderCharts(res);
  if (dark.matches !== res.dark) refreshCharts();
  $('#results-title').focus?.();
}

/**
 * The analyzer itself failed (a fatal Error from the Engine: a crash, out of memory, or the
 * worker did not load). Says what happened, that nothing was uploaded and what to do; "Try
 * again" and "Start over" both get a fresh worker (the broken one is already terminated).
 */
function showFailure(err, files) {
  const names = files.map((f) => f.name || 'pasted text');
  const what = names.length === 1 ? names[0] : `${names.length} files`;
  const read = err.bytes > 0 ? `after reading ${fmtBytes(err.bytes)} of ${what}` : `while reading ${what}`;
  const using = err.memory ? ` (it was using ${fmtBytes(err.memory)})` : '';
  const report = 'If it fails again, please report a bug to the logdrop maintainers: copy the technical details below and, ' +
    'if you can share them, the first lines of the file (remove anything private first).';
  let title;
  let text;
  let steps;
  if (err.kind === 'load') {
    title = 'The analyzer could not be started';
    text = `logdrop's analysis engine (worker.js and its WebAssembly module) did not load, so ${what} was not read.`;
    steps = [
      'Check your network connection, then press Try again (or reload the page).',
      'To use logdrop without a network, open it once while online: it then keeps a copy of itself in the browser.',
      report,
    ];
  } else if (err.kind === 'memory') {
    title = 'The analyzer ran out of memory';
    text = `logdrop's analyzer stopped ${read}: it could not get more memory${using}. ` +
      'Its memory grows with the number of distinct groups and field values, not with the size of the file, ' +
      'so this happens with logs that have very many distinct values, or when the browser is short of memory. No results are shown: they would be incomplete.';
    steps = [
      'Close other tabs and windows, then press Try again.',
      ['If it stops again, the command-line tool reads the same logs without the browser\'s limits: ', 'logdrop analyze FILE', '.'],
      report,
    ];
  } else {
    title = 'The analyzer crashed';
    text = `logdrop's analyzer stopped with an internal error ${read}. ` +
      'This is a bug in logdrop: no file should make it crash. No results are shown: they would be incomplete.';
    steps = [
      'Press Try again: it starts a fresh analyzer and reads the file again from the start.',
      report,
    ];
  }
  const detail = [
    `Error: ${err.message}`,
    err.bytes > 0 ? `Stopped at byte: ${fmtInt.format(err.bytes)} of ${fmtInt.format(files.reduce((n, f) => n + f.size, 0))}` : null,
    err.memory ? `WebAssembly memory: ${fmtInt.format(err.memory)} bytes` : null,
    `Kind: ${err.kind ?? 'crash'}`,
    `logdrop: ${$('#version').textContent || 'version unknown'}`,
    `Browser: ${navigator.userAgent}`,
  ].filter(Boolean).join('\n');
  showProblem(title, text, { retry: files.length > 0, failure: { steps, detail } });
}

function problemTitle(s) {
  if (!s.input.bytes || !s.input.records) return 'The input is empty';
  if (s.input.parsed + s.input.recovered === 0) return 'This does not look like a log';
  return 'No latency field was found';
}

function renderOverview(s, files, ms) {
  const inp = s.input;
  const what = files.length === 1 ? (files[0].name || 'pasted text') : `${files.length} files`;
  const groups = s.groups.length;
  const secs = ms / 1000;
  const rate = secs > 0 ? inp.bytes / secs / 1e6 : 0;
  $('#overview').textContent =
    `${fmtInt.format(inp.records)} records from ${what} (${fmtBytes(inp.bytes)}, read in ${secs.toFixed(secs < 10 ? 1 : 0)} s` +
    (secs >= 1 ? `, ${rate.toFixed(0)} MB/s` : '') + `), ${groups} ${groups === 1 ? 'group' : 'groups'}` +
    (s.fields.group ? ` by ${s.fields.group}` : '') + '.';
}

function renderFindings(s) {
  const ul = $('#findings');
  ul.replaceChildren();
  const findings = Array.isArray(s.findings) ? s.findings : [];
  for (const f of findings.slice(0, 8)) {
    const li = document.createElement('li');
    const main = document.createElement('span');
    main.textContent = typeof f === 'string' ? f : (f.summary ?? JSON.stringify(f));
    li.append(main);
    // Field `*`: every request in a window of time, from `value` to `ended_at` (or the end of
    // the log), that no field value explains.
    const tz = s.fields?.time_zone;
    const minute = (t) => localTime(t, tz).slice(0, 16);
    const subject = f.field === '*' && typeof f.value === 'string'
      ? (f.ended_at
        ? `all requests from ${minute(f.value)} to ${minute(f.ended_at).slice(11)}${zoneSuffix(tz)}`
        : `all requests since ${minute(f.value)}${zoneSuffix(tz)}`)
      : f.field && f.value !== undefined ? `${f.field} = ${f.value}` : f.field;
    const meta = [f.kind, subject]
      .filter((x) => x !== undefined && x !== null && x !== '');
    if (meta.length) {
      const m = document.createElement('span');
      m.className = 'meta';
      m.textContent = meta.join(' · ');
      li.append(m);
    }
    ul.append(li);
  }
  ul.hidden = ul.children.length === 0;
}

function renderWarnings(s) {
  const ul = $('#warnings');
  ul.replaceChildren();
  for (const w of s.warnings ?? []) {
    const li = document.createElement('li');
    li.textContent = w;
    ul.append(li);
  }
  ul.hidden = ul.children.length === 0;
}

// --- field overrides ----------------------------------------------------------------------------

const ROLES = [
  { role: 'group_by', key: 'group', select: '#field-group' },
  { role: 'latency', key: 'latency', select: '#field-latency' },
  { role: 'status', key: 'status', select: '#field-status' },
  { role: 'time', key: 'time', select: '#field-time' },
];
const UNITS = [['', 'auto'], ['ms', 'ms'], ['s', 's'], ['us', 'µs'], ['ns', 'ns'], ['min', 'min'], ['text', 'text ("820ms")']];

function renderFields(s) {
  const all = [...new Set([
    ...Object.values(s.fields.candidates ?? {}).flat(),
    ...(s.dimensions ?? []).map((d) => d.field),
  ])];
  for (const { role, key, select } of ROLES) {
    const el = $(select);
    el.replaceChildren();
    const chosen = s.fields[key] ?? null;
    const cands = s.fields.candidates?.[key] ?? [];
    const names = [...new Set([...(chosen ? [chosen] : []), ...cands, ...(role === 'latency' || role === 'group_by' ? all : [])])];
    if (!chosen) el.append(option('-', '(none found)'));
    for (const n of names) el.append(option(n, n));
    if (chosen) el.append(option('-', '(none)'));
    el.value = chosen ?? '-';
    el.dataset.initial = el.value;
  }
  const unit = $('#field-unit');
  unit.replaceChildren();
  const have = s.fields.latency_unit;
  for (const [v, label] of UNITS) unit.append(option(v, v === '' && have ? `auto (${have})` : label));
  unit.value = state.options.latency_unit ?? '';
  unit.dataset.initial = unit.value;
}

function option(value, label) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = label;
  return o;
}

function onFieldChange(e) {
  const el = e.target;
  if (!(el instanceof HTMLSelectElement)) return;
  const role = el.dataset.role;
  const options = { ...state.options };
  if (el.value === '' && role === 'latency_unit') delete options.latency_unit;
  else options[role] = el.value;
  if (state.files.length) load(state.files, options);
}

// --- the table ----------------------------------------------------------------------------------

const COLUMNS = [
  { key: 'key', label: 'Group', get: (g) => g.key, text: true },
  { key: 'count', label: 'Requests', get: (g) => g.count, fmt: fmtInt.format },
  { key: 'errors', label: 'Errors', get: (g) => g.errors, fmt: fmtInt.format },
  { key: 'error_rate', label: 'Error rate', get: (g) => g.error_rate, fmt: fmtPct },
  { key: 'p50', label: 'p50', get: (g) => g.latency_ms?.p50 ?? null, fmt: fmtMs },
  { key: 'p90', label: 'p90', get: (g) => g.latency_ms?.p90 ?? null, fmt: fmtMs },
  { key: 'p95', label: 'p95', get: (g) => g.latency_ms?.p95 ?? null, fmt: fmtMs },
  { key: 'p99', label: 'p99', get: (g) => g.latency_ms?.p99 ?? null, fmt: fmtMs },
  { key: 'max', label: 'max', get: (g) => g.latency_ms?.max ?? null, fmt: fmtMs },
  { key: 'first_seen', label: 'First seen', get: (g) => g.first_seen ?? null, fmt: fmtTime, text: true },
  { key: 'last_seen', label: 'Last seen', get: (g) => g.last_seen ?? null, fmt: fmtTime, text: true },
];
const MAX_ROWS = 200;

function renderTable(s) {
  const head = $('#groups thead tr');
  head.replaceChildren();
  for (const c of COLUMNS) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.dataset.key = c.key;
    if (state.sort.key === c.key) th.setAttribute('aria-sort', state.sort.dir);
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = c.label;
    b.addEventListener('click', () => sortBy(c));
    th.append(b);
    head.append(th);
  }
  const rows = s.groups.map((g, i) => ({ g, i }));
  if (state.sort.key) {
    const c = COLUMNS.find((x) => x.key === state.sort.key);
    const dir = state.sort.dir === 'ascending' ? 1 : -1;
    rows.sort((a, b) => dir * compare(c.get(a.g), c.get(b.g)) || a.i - b.i);
  }
  const body = $('#groups tbody');
  body.replaceChildren();
  const baseline = s.baseline ?? null;
  const worst = Math.max(...s.groups.map((g) => g.error_rate || 0));
  for (const { g, i } of rows.slice(0, MAX_ROWS)) {
    const tr = document.createElement('tr');
    tr.dataset.key = g.key;
    if (g.key === baseline) tr.className = 'baseline';
    for (const c of COLUMNS) {
      const td = document.createElement(c.key === 'key' ? 'th' : 'td');
      const v = c.get(g);
      td.dataset.col = c.key;
      if (v !== null && v !== undefined) td.dataset.value = String(v);
      if (c.key === 'key') {
        td.scope = 'row';
        td.className = 'key';
        td.title = g.key;
        if (i < 8 && state.colors[i]) {
          const sw = document.createElement('span');
          sw.className = 'swatch';
          sw.style.background = state.colors[i];
          sw.setAttribute('aria-hidden', 'true');
          td.append(sw);
        }
        td.append(document.createTextNode(g.key));
        if (g.key === baseline) {
          const b = document.createElement('span');
          b.className = 'badge';
          b.textContent = 'baseline';
          td.append(b);
        }
      } else {
        td.textContent = v === null || v === undefined ? '—' : c.fmt(v);
        if (c.key === 'error_rate' && v > 0.05 && v >= worst * 0.5) td.classList.add('bad');
        if (c.key.endsWith('_seen')) {
          td.classList.add('time');
          if (v) td.title = v;
        }
      }
      tr.append(td);
    }
    body.append(tr);
  }
  const more = s.groups.length - MAX_ROWS;
  $('#groups-caption').textContent =
    `Latency and errors per group (latency in ms${s.fields.latency ? `, from ${s.fields.latency}` : ''}` +
    `${s.fields.time ? `; times ${s.fields.time_zone === 'none' ? 'as written in the log' : `in${zoneSuffix(s.fields.time_zone)}`}` : ''}). ` +
    'Select a column heading to sort.' +
    (more > 0 ? ` The ${fmtInt.format(more)} smallest groups are not shown.` : '');
}

function compare(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1; // missing values last either way
  if (b === null || b === undefined) return -1;
  return typeof a === 'string' ? a.localeCompare(b) : a - b;
}

function sortBy(c) {
  const same = state.sort.key === c.key;
  state.sort = {
    key: c.key,
    dir: same ? (state.sort.dir === 'ascending' ? 'descending' : 'ascending') : (c.text ? 'ascending' : 'descending'),
  };
  renderTable(state.summary);
  $(`#groups th[data-key="${c.key}"] button`)?.focus();
}

// --- parsing summary ----------------------------------------------------------------------------

const REASONS = {
  missing_quote: 'a key or value was missing a quote',
  trailing_comma: 'a trailing comma',
  missing_close: 'the closing brace was missing',
  single_quotes: 'single quotes instead of double',
  unquoted_keys: 'keys without quotes',
  not_a_record: 'not a log record',
  truncated: 'cut short',
};

function describe(name) {
  return REASONS[name] ?? name.replaceAll('_', ' ');
}

function renderParsing(s, files) {
  const inp = s.input;
  const formats = Object.entries(inp.formats ?? {}).sort((a, b) => b[1] - a[1]).map(([k]) => k);
  const parts = [
    `${fmtInt.format(inp.lines)} lines (${fmtBytes(inp.bytes)}${files.length > 1 ? ` in ${files.length} files` : ''})` +
      (formats.length ? `, read as ${formats.join(' and ')}` : '') + ':',
    `${fmtInt.format(inp.parsed)} parsed,`,
    `${fmtInt.format(inp.recovered)} repaired,`,
    `${fmtInt.format(inp.skipped)} skipped.`,
  ];
  if (inp.invalid_utf8_lines) parts.push(`${fmtInt.format(inp.invalid_utf8_lines)} lines had invalid UTF-8 (read with replacement characters).`);
  const firstRepair = (inp.examples ?? []).find((e) => e.outcome === 'recovered');
  if (firstRepair && inp.recovered) {
    parts.push(`We repaired ${fmtInt.format(inp.recovered)} ${inp.recovered === 1 ? 'line' : 'lines'} like`);
  }
  const p = $('#parsing-text');
  p.replaceChildren(document.createTextNode(parts.join(' ')));
  if (firstRepair && inp.recovered) {
    const code = document.createElement('code');
    code.textContent = clip(firstRepair.text, 48);
    p.append(' ', code, '.');
  }
  const box = $('#parsing-details');
  box.replaceChildren();
  const sections = [
    ['recovered', 'Repaired', inp.repairs ?? {}],
    ['skipped', 'Skipped', inp.skipped_reasons ?? {}],
  ];
  for (const [outcome, verb, counts] of sections) {
    for (const [reason, n] of Object.entries(counts).sort((a, b) => b[1] - a[1])) {
      const d = document.createElement('details');
      const sum = document.createElement('summary');
      sum.textContent = `${verb} ${fmtInt.format(n)} ${n === 1 ? 'line' : 'lines'}: ${describe(reason)}`;
      d.append(sum);
      const ol = document.createElement('ol');
      for (const ex of (inp.examples ?? []).filter((e) => e.outcome === outcome && e.reason === reason)) {
        const li = document.createElement('li');
        const ln = document.createElement('span');
        ln.className = 'ln';
        ln.textContent = `line ${fmtInt.format(ex.line_no)}`;
        const pre = document.createElement('pre');
        pre.textContent = ex.text;
        li.append(ln, pre);
        ol.append(li);
      }
      if (ol.children.length) d.append(ol);
      box.append(d);
    }
  }
}

// --- charts -------------------------------------------------------------------------------------

const CHARTS = [
  ['cdf', '#chart-cdf'],
  ['timeline', '#chart-timeline'],
  ['errors', '#chart-errors'],
];

function renderCharts({ charts, colors }) {
  state.charts = charts;
  state.colors = colors;
  for (const [k, sel] of CHARTS) {
    const box = $(`${sel} .svg`);
    box.replaceChildren();
    const node = svgNode(charts[k]);
    if (node) box.append(node);
  }
  for (const sw of document.querySelectorAll('#groups .swatch')) {
    const i = Number(sw.closest('tr') && state.summary.groups.findIndex((g) => g.key === sw.closest('tr').dataset.key));
    if (colors[i]) sw.style.background = colors[i];
  }
}

async function refreshCharts() {
  if (!state.summaryJson || state.running) return;
  try {
    const res = await engine.charts(state.summaryJson, dark.matches);
    renderCharts(res);
  } catch {
    /* keep the charts we have */
  }
}

function download(name, key) {
  const svg = state.charts?.[key];
  if (!svg) return;
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `${name}.svg`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// --- formatting ---------------------------------------------------------------------------------

function fmtBytes(n) {
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

function fmtDuration(s) {
  if (s < 1) return 'under a second';
  if (s < 90) return `${Math.round(s)} s`;
  return `${Math.round(s / 60)} min`;
}

/** Latency in ms as in the CLI table: whole ms from 10 up, one decimal below. */
export function fmtMs(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v >= 10 ? fmtInt.format(Math.round(v)) : v.toFixed(1);
}

export function fmtPct(r) {
  if (!Number.isFinite(r)) return '—';
  const p = r * 100;
  if (p === 0) return '0%';
  return `${p < 10 ? p.toFixed(1) : p.toFixed(0)}%`;
}

// The zone the log's timestamps name (the summary's `fields.time_zone`: `UTC`, `+01:00`, or
// `none`), as the core shows it: its offset in minutes east of UTC, and what follows a time.
function zoneOffsetMin(tz) {
  const m = /^([+-])(\d\d):(\d\d)$/.exec(tz ?? '');
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

function zoneSuffix(tz) {
  if (tz === 'none') return '';
  return zoneOffsetMin(tz) === 0 ? ' UTC' : ` UTC${tz}`;
}

// An RFC 3339 UTC time of the summary on the log's clock: 2026-11-27 18:45:02.
function localTime(iso, tz) {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return String(iso);
  return new Date(ms + zoneOffsetMin(tz) * 60000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}

function fmtTime(iso) {
  if (!iso) return '—';
  return localTime(iso, state.summary?.fields?.time_zone);
}

function clip(s, n) {
  return s.length > n ? `${s.slice(0, n)} …` : s;
}

function capitalize(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** "the file could not be read" → "The file could not be read." */
function sentence(s) {
  const t = capitalize(String(s ?? '').trim());
  return /[.!?)]$/.test(t) ? t : `${t}.`;
}

function announce(text) {
  $('#progress-text').textContent = text;
}

// --- wiring -------------------------------------------------------------------------------------

/** Starts the worker if there is none (and the wasm compile), and shows the version. */
function showVersion() {
  engine.version().then(
    (r) => { $('#version').textContent = r.version ? `v${r.version}` : ''; },
    () => {},
  );
}

function pickFiles() {
  $('#file-input').click();
}

function wire() {
  const input = $('#file-input');
  input.addEventListener('change', () => {
    const files = [...input.files];
    input.value = '';
    load(files);
  });
  $('#open-files').addEventListener('click', pickFiles);
  $('#pick').addEventListener('click', (e) => { e.stopPropagation(); pickFiles(); });
  $('#try-example').addEventListener('click', (e) => { e.stopPropagation(); loadExample(); });
  $('#try-example-top').addEventListener('click', loadExample);
  const zone = $('#dropzone');
  zone.addEventListener('click', (e) => { if (e.target === zone || e.target.closest('h1, p:not(.row)')) pickFiles(); });
  zone.addEventListener('keydown', (e) => {
    if (e.target === zone && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      pickFiles();
    }
  });
  $('#cancel').addEventListener('click', cancel);
  $('#stall-wait').addEventListener('click', keepWaiting);
  $('#stall-stop').addEventListener('click', stopAndStartOver);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && state.running) cancel(); });
  $('#paste-go').addEventListener('click', () => loadText($('#paste-text').value));
  $('#problem-retry').addEventListener('click', () => load(state.files, state.options));
  $('#problem-back').addEventListener('click', () => {
    state.summary = null;
    state.summaryJson = null;
    state.options = {};
    if (state.failed) {
      // After a failure of the analyzer: a fresh worker, warmed up now (the broken one was
      // terminated when it failed; reset() again in case a job was still racing it).
      state.failed = false;
      engine.reset();
      showVersion();
    }
    show('start');
    $('#dropzone').focus();
  });
  $('#fields').addEventListener('change', onFieldChange);
  $('#fields').addEventListener('submit', (e) => e.preventDefault());
  for (const b of document.querySelectorAll('[data-download]')) {
    const key = { 'latency-distribution': 'cdf', 'latency-over-time': 'timeline', 'error-rate': 'errors' }[b.dataset.download];
    b.addEventListener('click', () => download(b.dataset.download, key));
  }

  // Paste anywhere (except into a text field, which keeps its normal paste).
  document.addEventListener('paste', (e) => {
    const t = e.target;
    if (t instanceof HTMLTextAreaElement || t instanceof HTMLInputElement || t?.isContentEditable) return;
    const dt = e.clipboardData;
    if (!dt) return;
    const files = [...dt.files];
    if (files.length) {
      e.preventDefault();
      load(files);
      return;
    }
    const text = dt.getData('text/plain');
    if (text) {
      e.preventDefault();
      loadText(text);
    }
  });

  // Drag and drop anywhere: the overlay covers the window while files are over it.
  const overlay = $('#drop-overlay');
  let depth = 0;
  const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    overlay.hidden = false;
  });
  window.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    overlay.hidden = false;
  });
  window.addEventListener('dragleave', (e) => {
    if (!hasFiles(e)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0 || e.relatedTarget === null) overlay.hidden = true;
  });
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    overlay.hidden = true;
    const files = [...(e.dataTransfer?.files ?? [])];
    if (files.length) load(files);
  });

  dark.addEventListener('change', refreshCharts);

  // Start the worker (and the wasm compile) now, so the first analysis does not wait for it.
  showVersion();
  document.documentElement.dataset.ready = 'true';
}

wire();

// --- the incident report and share links (issue 5) ----------------------------------------------
//
// After every analysis (and for a report opened from a link) the worker writes the report:
//   engine.call({type: 'report', summary, redact, dark})      → {markdown, html, charts, printCharts}
//   engine.call({type: 'report-document', summary, redact})   → {document}   (Download .html)
//   engine.call({type: 'share', summary, redact})             → {fragment, preview}
//   engine.call({type: 'open-share', fragment, dark})         → like an analysis' result
// With the redaction toggle on (the default), what is shown, copied, downloaded and shared is
// the redacted summary. Opening the page with #r=… (or a later hashchange) decodes the link in
// the worker and shows the same results view without any file; a bad link shows why.
//
// Everything that comes from a log or a link reaches the DOM as textContent, as chart SVG
// through svgNode(), or as the report fragment written by the Rust report writer, which escapes
// every log-derived string; that fragment is also parsed inert and filtered to a few plain tags.

const report = {
  seq: 0, // the latest report render; older answers are dropped
  ready: null, // promise of the latest {markdown, …}
  shareSeq: 0,
  statusTimer: 0,
};

function redactOn() {
  return $('#report-redact').checked;
}

/** Called by showResults for every result: banner, fields and the report section. */
function showReportFor(res) {
  const shared = !!state.shared;
  $('#shared-banner').hidden = !shared;
  $('#fields').hidden = shared; // no file to re-run on
  $('#report').hidden = !!res.problem;
  closeShare();
  setStatus('');
  $('#report-fallback').hidden = true;
  if (!res.problem) renderReport();
}

/** Writes the report of the current summary (redacted per the toggle) into #report-body. */
function renderReport() {
  const summary = state.summaryJson;
  if (!summary) return null;
  const seq = ++report.seq;
  const redact = redactOn();
  report.ready = engine.call({ type: 'report', summary, redact, dark: dark.matches }).then((res) => {
    if (seq === report.seq) fillReport(res);
    return res;
  });
  report.ready.catch((err) => {
    if (seq !== report.seq || err.name === 'AbortError') return;
    const p = document.createElement('p');
    p.className = 'bad';
    p.textContent = `The report could not be written: ${err.message}`;
    $('#report-body').replaceChildren(p);
  });
  return report.ready;
}

/** The latest report, written for the current toggle state (waits for a render under way). */
async function currentReport() {
  if (!report.ready) renderReport();
  return report.ready;
}

const REPORT_TAGS = new Set(['H1', 'H2', 'H3', 'H4', 'P', 'UL', 'OL', 'LI', 'STRONG', 'CODE',
  'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'FIGURE', 'DIV']);

/**
 * The report fragment (from the Rust writer, which escapes all log text) as DOM nodes. Parsed
 * with DOMParser (an inert document: no script runs, nothing loads) and kept to plain tags and
 * the class and data-chart attributes, so not even a writer bug could make log text active.
 */
function reportNodes(html) {
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${html}`, 'text/html');
  const clean = (el) => {
    for (const child of [...el.children]) {
      if (!REPORT_TAGS.has(child.tagName)) {
        child.remove();
        continue;
      }
      for (const a of [...child.attributes]) {
        if (a.name !== 'class' && a.name !== 'data-chart') child.removeAttribute(a.name);
      }
      clean(child);
    }
  };
  clean(doc.body);
  return [...doc.body.childNodes].map((n) => document.importNode(n, true));
}

function fillReport(res) {
  const body = $('#report-body');
  body.replaceChildren(...reportNodes(res.html));
  for (const slot of body.querySelectorAll('.report-chart[data-chart]')) {
    const name = slot.dataset.chart;
    const screen = svgNode(res.charts?.[name]);
    if (screen) slot.append(screen);
    // In dark mode the page also keeps light charts, which only the print stylesheet shows.
    const print = res.printCharts ? svgNode(res.printCharts[name]) : null;
    if (print) {
      screen?.classList.add('screen-only');
      print.classList.add('print-only');
      slot.append(print);
    }
  }
}

function setStatus(text, { good = false } = {}) {
  const el = $('#report-status');
  el.textContent = text;
  el.classList.toggle('good', good);
  clearTimeout(report.statusTimer);
  if (text && good) report.statusTimer = setTimeout(() => { el.textContent = ''; }, 6000);
}

/** Copies `text`: the clipboard API, else execCommand, else a selected text box to copy by hand. */
async function copyText(text, what, button) {
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    ok = legacyCopy(text);
  }
  if (ok) {
    setStatus(`Copied ${what} to the clipboard.`, { good: true });
    if (button) {
      const label = button.dataset.label ?? button.textContent;
      button.dataset.label = label;
      button.textContent = 'Copied ✓';
      setTimeout(() => { button.textContent = label; }, 2000);
    }
    return true;
  }
  return false;
}

function legacyCopy(text) {
  const active = document.activeElement;
  const ta = document.createElement('textarea');
  ta.value = text;
  ta.setAttribute('readonly', '');
  ta.className = 'offscreen';
  document.body.append(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  active?.focus?.({ preventScroll: true });
  return ok;
}

async function copyMarkdown() {
  const button = $('#report-copy');
  try {
    const { markdown } = await currentReport();
    if (await copyText(markdown, 'the report as Markdown', button)) {
      $('#report-fallback').hidden = true;
      return;
    }
    // No clipboard at all: show the Markdown selected, to copy by hand.
    const box = $('#report-fallback');
    box.value = markdown;
    box.hidden = false;
    box.focus();
    box.select();
    setStatus('The clipboard is not available here: the Markdown is selected below, press Ctrl+C (⌘C) to copy it.');
  } catch (err) {
    setStatus(`The report could not be copied: ${err.message}`);
  }
}

/** Saves `text` as a file through a temporary blob: link (nothing leaves the machine). */
function saveText(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function reportFileName(ext) {
  const s = state.summary;
  const f = s?.findings?.[0];
  const what = !f ? 'no-regression' : f.field === '*' ? `since-${f.value}` : `${f.field}-${f.value}`;
  const slug = what.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `incident-report-${slug || 'logdrop'}.${ext}`;
}

async function downloadMarkdown() {
  try {
    const { markdown } = await currentReport();
    saveText(reportFileName('md'), markdown, 'text/markdown;charset=utf-8');
    setStatus(`Saved ${reportFileName('md')}.`, { good: true });
  } catch (err) {
    setStatus(`The report could not be saved: ${err.message}`);
  }
}

async function downloadHtml() {
  if (!state.summaryJson) return;
  try {
    const res = await engine.call({ type: 'report-document', summary: state.summaryJson, redact: redactOn() });
    saveText(reportFileName('html'), res.document, 'text/html;charset=utf-8');
    setStatus(`Saved ${reportFileName('html')} (one file, charts included, opens offline).`, { good: true });
  } catch (err) {
    setStatus(`The report could not be saved: ${err.message}`);
  }
}

async function printReport() {
  try {
    await currentReport();
  } catch {
    /* print what is there */
  }
  window.print();
}

// --- the share panel ---

function pageAddress() {
  // location.origin is "null" on file:// (the single-file build): keep the whole address then.
  return location.origin === 'null' ? location.href.split('#')[0] : location.origin + location.pathname;
}

function toggleShare() {
  if ($('#share-panel').hidden) openShare();
  else closeShare();
}

async function openShare() {
  const panel = $('#share-panel');
  panel.hidden = false;
  $('#report-share').setAttribute('aria-expanded', 'true');
  await renderShare();
  if (!panel.hidden) {
    $('#share-link').focus();
    $('#share-link').select();
  }
}

function closeShare() {
  $('#share-panel').hidden = true;
  $('#report-share').setAttribute('aria-expanded', 'false');
  report.shareSeq++;
}

async function renderShare() {
  const summary = state.summaryJson;
  if (!summary) return;
  const seq = ++report.shareSeq;
  const redact = $('#share-redact').checked;
  $('#share-link').value = '';
  $('#share-length').textContent = 'Writing the link…';
  $('#share-contents').textContent = '';
  $('#share-evidence').replaceChildren();
  try {
    const res = await engine.call({ type: 'share', summary, redact });
    if (seq !== report.shareSeq) return;
    const link = `${pageAddress()}#r=${res.fragment}`;
    $('#share-link').value = link;
    $('#share-length').textContent =
      `${fmtInt.format(link.length)} characters (${fmtInt.format(res.fragment.length + 3)} after the #).`;
    renderSharePreview(JSON.parse(res.preview), redact);
  } catch (err) {
    if (seq !== report.shareSeq || err.name === 'AbortError') return;
    $('#share-length').textContent = `The link could not be written: ${err.message}`;
  }
}

/** What the link will carry, from share_preview (exactly what the link decodes to). */
function renderSharePreview(p, redact) {
  const groups = p.groups ?? [];
  const names = groups.slice(0, 6).map((g) => g.key).join(', ');
  const lines = [];
  for (const g of groups) {
    for (const e of g.evidence ?? []) lines.push({ label: `${g.key}, line ${fmtInt.format(e.line_no)}`, text: e.text });
  }
  for (const e of p.input?.examples ?? []) {
    if (lines.some((l) => l.text === e.text)) continue; // a quoted line that is also the repair example
    lines.push({ label: `${e.outcome === 'recovered' ? 'repaired' : e.outcome} line ${fmtInt.format(e.line_no)}`, text: e.text });
  }
  const findings = (p.findings ?? []).length;
  $('#share-contents').textContent =
    `The numbers of ${groups.length} ${groups.length === 1 ? 'group' : 'groups'} (${names}), ` +
    `${findings} ${findings === 1 ? 'finding' : 'findings'}, the chart series, the parsing counts, and ` +
    (lines.length ? `these ${lines.length} log ${lines.length === 1 ? 'line' : 'lines'}` : 'no log lines') +
    (redact ? ', redacted:' : ' — redaction is OFF, so they go into the link exactly as written:');
  const ol = $('#share-evidence');
  ol.replaceChildren();
  for (const l of lines) {
    const li = document.createElement('li');
    const label = document.createElement('span');
    label.className = 'ln';
    label.textContent = l.label;
    const code = document.createElement('code');
    code.textContent = l.text;
    li.append(label, code);
    ol.append(li);
  }
}

function setRedact(on) {
  $('#report-redact').checked = on;
  $('#share-redact').checked = on;
  if (!state.summaryJson || $('#report').hidden) return;
  renderReport();
  if (!$('#share-panel').hidden) renderShare();
}

// --- opening a share link ---

function fragmentOf(hash) {
  return hash.startsWith('#r=') ? hash.slice(3) : null;
}

/** Leaves a shared report: drops #r= from the address without a reload or a hashchange. */
function leaveShared() {
  state.shared = null;
  if (fragmentOf(location.hash) !== null) {
    history.replaceState(history.state, '', location.href.split('#')[0]);
  }
}

async function openShared(fragment) {
  if (state.running) engine.cancel();
  state.running = false;
  state.files = [];
  state.options = {};
  state.shared = { fragment };
  show(null); // no flash of the start page while the link is decoded
  try {
    const res = await engine.call({ type: 'open-share', fragment, dark: dark.matches });
    if (state.shared?.fragment !== fragment) return; // another link or a file came first
    showResults(res, [], 0);
    if (res.problem) return;
    const s = state.summary;
    $('#results-title').textContent = 'Shared report';
    $('#shared-redaction').textContent = res.redacted
      ? 'evidence redacted'
      : 'evidence NOT redacted: quoted log lines are as written';
    const groups = s.groups.length;
    $('#overview').textContent =
      `${fmtInt.format(s.input.records)} records in the shared summary, ${groups} ${groups === 1 ? 'group' : 'groups'}` +
      (s.fields.group ? ` by ${s.fields.group}` : '') + '.';
  } catch (err) {
    if (err.name === 'AbortError' || state.shared?.fragment !== fragment) return;
    state.summary = null;
    state.summaryJson = null;
    const msg = capitalize(err.message || 'the link could not be read');
    showProblem('This shared link cannot be opened', /[.!?]$/.test(msg) ? msg : `${msg}.`);
  }
}

function backToStart() {
  state.shared = null;
  state.summary = null;
  state.summaryJson = null;
  state.files = [];
  state.options = {};
  if (fragmentOf(location.hash) !== null) history.pushState(null, '', location.href.split('#')[0]);
  show('start');
  $('#dropzone').focus();
}

function onHashChange() {
  const f = fragmentOf(location.hash);
  if (f !== null) {
    if (f !== state.shared?.fragment || !state.summary) openShared(f);
  } else if (location.hash === '' && state.shared) {
    backToStart();
  }
}

function wireReport() {
  $('#report-copy').addEventListener('click', copyMarkdown);
  $('#report-md').addEventListener('click', downloadMarkdown);
  $('#report-html').addEventListener('click', downloadHtml);
  $('#report-print').addEventListener('click', printReport);
  $('#report-share').addEventListener('click', toggleShare);
  $('#report-redact').addEventListener('change', (e) => setRedact(e.target.checked));
  $('#share-redact').addEventListener('change', (e) => setRedact(e.target.checked));
  $('#share-copy').addEventListener('click', () => {
    const link = $('#share-link').value;
    if (link) copyText(link, 'the link', $('#share-copy'));
  });
  $('#share-panel').addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      closeShare();
      $('#report-share').focus();
    }
  });
  $('#shared-back').addEventListener('click', backToStart);
  $('#problem-back').addEventListener('click', () => { if (state.shared || fragmentOf(location.hash) !== null) leaveShared(); });
  dark.addEventListener('change', () => { if (state.summaryJson && !$('#report').hidden) renderReport(); });
  window.addEventListener('hashchange', onHashChange);
  const f = fragmentOf(location.hash);
  if (f !== null) openShared(f);
}

wireReport();
