// logdrop page (UI thread). No framework; the analysis runs in worker.js.
//
// Three ways in, one loader: drop (anywhere in the window), pick (button or the focusable
// drop zone) and paste (Ctrl/Cmd+V anywhere, or the paste box) all call `load(files)`; the
// example button fetches ./example.log and does the same. Field overrides re-run `load` on
// the same files.
//
// Talks to the worker through `Engine` (messages listed at the top of worker.js):
//   engine.analyze(files, options, dark, onProgress) → {summary, problem, charts, colors}
//   engine.charts(summaryJson, dark)           → {charts, colors}
//   engine.cancel()                            terminates the worker; the next call starts a fresh one
//
// Every log-derived string reaches the DOM through textContent or an attribute set with
// setAttribute; chart SVG (escaped by the Rust renderer) is parsed as XML, stripped of
// anything active, and imported as nodes.

const $ = (sel) => document.querySelector(sel);

// --- the worker bridge ------------------------------------------------------------------------

class Engine {
  constructor() {
    this.worker = null;
    this.jobs = new Map();
    this.seq = 0;
  }

  start() {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    w.onmessage = (e) => this.receive(e.data);
    w.onerror = (e) => {
      e.preventDefault?.();
      this.failAll(`the analysis worker failed to start or crashed (${e.message || 'no details'})`);
    };
    this.worker = w;
    return w;
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
      err.fatal = /stopped at byte/.test(msg.message);
      if (err.fatal) this.reset(); // the wasm instance is dead after a trap
      job.reject(err);
    } else {
      job.resolve(msg);
    }
  }

  failAll(message) {
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    this.reset();
    for (const j of jobs) j.reject(new Error(message));
  }

  reset() {
    this.worker?.terminate();
    this.worker = null;
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
  try {
    const res = await engine.analyze(files, options, dark.matches, (p) => updateProgress(p, t0));
    state.running = false;
    showResults(res, files, performance.now() - t0);
  } catch (err) {
    state.running = false;
    if (err.name === 'AbortError') return;
    showProblem('The analysis stopped', err.message, { retry: true });
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
  state.running = false;
  if (state.summary) {
    show('results');
  } else {
    show('start');
  }
  announce('Analysis cancelled.');
}

function loadText(text, name = 'pasted text') {
  if (!text) return;
  const file = new File([text], name, { type: 'text/plain' });
  load([file]);
}

async function loadExample() {
  try {
    const res = await fetch('example.log');
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const blob = await res.blob();
    load([new File([blob], 'friday-incident.log', { type: 'text/plain' })]);
  } catch (err) {
    showProblem('The example could not be loaded', `example.log did not load (${err.message}). Run ./build.sh build, which copies it next to the page.`);
  }
}

// --- views --------------------------------------------------------------------------------------

function show(id) {
  for (const s of ['start', 'progress', 'problem', 'results']) $(`#${s}`).hidden = s !== id;
}

function showProblem(title, text, { retry = false, summary = null } = {}) {
  $('#problem-title').textContent = title;
  $('#problem-text').textContent = text;
  $('#problem-retry').hidden = !retry;
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
    const meta = [f.kind, f.field && f.value !== undefined ? `${f.field} = ${f.value}` : f.field]
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
    `Latency and errors per group (latency in ms${s.fields.latency ? `, from ${s.fields.latency}` : ''}). Select a column heading to sort.` +
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

/** SVG text (from the Rust renderer) → an inert SVG element, or null. */
function svgNode(text) {
  if (typeof text !== 'string') return null;
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const svg = doc.documentElement;
  if (!svg || svg.nodeName !== 'svg' || doc.querySelector('parsererror')) return null;
  for (const el of svg.querySelectorAll('script, foreignObject, iframe, a, use')) el.remove();
  for (const el of [svg, ...svg.querySelectorAll('*')]) {
    for (const a of [...el.attributes]) {
      if (/^on/i.test(a.name) || /href$/i.test(a.name)) el.removeAttribute(a.name);
    }
  }
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  return document.importNode(svg, true);
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

function fmtTime(iso) {
  if (!iso) return '—';
  // 2026-11-27T17:45:02.271Z → 2026-11-27 17:45:02
  return iso.replace('T', ' ').replace(/\.\d+/, '').replace(/Z$/, '');
}

function clip(s, n) {
  return s.length > n ? `${s.slice(0, n)} …` : s;
}

function capitalize(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

function announce(text) {
  $('#progress-text').textContent = text;
}

// --- wiring -------------------------------------------------------------------------------------

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
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape' && state.running) cancel(); });
  $('#paste-go').addEventListener('click', () => loadText($('#paste-text').value));
  $('#problem-retry').addEventListener('click', () => load(state.files, state.options));
  $('#problem-back').addEventListener('click', () => {
    state.summary = null;
    state.summaryJson = null;
    state.options = {};
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
  engine.version().then(
    (r) => { $('#version').textContent = r.version ? `v${r.version}` : ''; },
    () => {},
  );
  document.documentElement.dataset.ready = 'true';
}

wire();
