// End-to-end tests of the page in headless chromium (node --test; ./build.sh test runs them
// after building www/). Each test opens a fresh page; every test checks that the page asked
// for nothing but its own files.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  setup, openPage, waitForOutcome, readTable, cliSummary, screenshotPath, foreignRequests,
  EXAMPLE, ROOT, WWW,
  assertSameTable,
} from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const TMP = mkdtempSync(join(tmpdir(), 'logdrop-e2e-'));


/** Drops files (given as {name, bytes: base64}) on the page, as a real drag and drop does. */
async function dropFiles(page, files) {
  await page.evaluate((files) => {
    const dt = new DataTransfer();
    for (const f of files) {
      const bin = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bin], f.name));
    }
    const target = document.querySelector('#dropzone');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, files.map((f) => ({ name: f.name, b64: Buffer.from(f.bytes).toString('base64') })));
}

function assertOwnFilesOnly(page) {
  assert.deepEqual(foreignRequests(page, env.url), [], 'requests outside the page\'s own files');
  assert.deepEqual(page.errors.filter((e) => !/favicon/.test(e)), [], 'console errors');
}

test('the example button shows the Friday incident, and the page loads only its own files', async () => {
  const page = await openPage(env.browser, env.url);
  await page.click('#try-example');
  assert.equal(await waitForOutcome(page), 'results');
  const rows = await readTable(page);
  assertSameTable(rows, cliSummary(EXAMPLE));
  assert.deepEqual(rows.slice(0, 2).map((r) => r.key), ['v1.2', 'v1.3']);
  assert.ok(Number(rows[1].p50) > 5 * Number(rows[0].p50), 'v1.3 is several times slower');
  assert.equal(await page.locator('#groups tr.baseline').count() <= 1, true);
  // Three charts, each an inline SVG with the group names.
  for (const id of ['#chart-cdf', '#chart-timeline', '#chart-errors']) {
    const text = await page.locator(`${id} svg`).textContent();
    assert.match(text, /v1\.3/);
  }
  assert.match(await page.locator('#chart-timeline svg').textContent(), /v1\.3 from 17:45/);
  // The parsing summary names the repairs and shows the seed-style line.
  const parsing = await page.locator('#parsing').textContent();
  assert.match(parsing, /repaired/i);
  assert.match(parsing, /\{responseTimeMs"/);
  await page.locator('#parsing details summary').first().click();
  assert.match(await page.locator('#parsing details[open]').first().textContent(), /line \d/);
  // Downloads are the chart SVGs.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#chart-cdf [data-download]')]);
  assert.equal(dl.suggestedFilename(), 'latency-distribution.svg');
  const saved = readFileSync(await dl.path(), 'utf8');
  assert.match(saved, /^<svg /);
  await page.screenshot({ path: screenshotPath('results.png'), fullPage: true });
  // What the page loads, plus what the service worker precaches in the background (the site's
  // other files: sw-register.js, sw.js, the manifest, the icons), and nothing else. (blob: URLs,
  // like the worker's file reader, are not requests.)
  const paths = new Set(page.requests.filter((u) => !/^(blob|data):/.test(u)).map((u) => new URL(u).pathname));
  for (const p of ['/', '/app.js', '/example.log', '/pkg/logdrop.js', '/pkg/logdrop_bg.wasm', '/style.css', '/worker.js', '/reader.js']) {
    assert.ok(paths.has(p), `${p} was loaded`);
  }
  const own = new Set(['/', ...readdirSync(WWW, { recursive: true }).map((f) => `/${f.replaceAll('\\', '/')}`)]);
  assert.deepEqual([...paths].filter((p) => !own.has(p)), [], 'requests for files the site does not have');
  assertOwnFilesOnly(page);
  await page.context().close();
});

test('dark mode and a narrow window render the results', async () => {
  for (const [name, opts] of [
    ['results-dark.png', { colorScheme: 'dark' }],
    ['results-narrow.png', { viewport: { width: 640, height: 900 } }],
  ]) {
    const page = await openPage(env.browser, env.url, opts);
    await page.click('#try-example');
    assert.equal(await waitForOutcome(page), 'results');
    if (opts.colorScheme === 'dark') {
      // The charts use the dark palette (light text on a dark background).
      const svg = await page.locator('#chart-cdf svg').innerHTML();
      assert.match(svg, /#1b1e24/i);
    }
    // Nothing wider than the window except inside the scrollable table.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the window`);
    await page.screenshot({ path: screenshotPath(name), fullPage: true });
    assertOwnFilesOnly(page);
    await page.context().close();
  }
});

test('dropping several files, one gzipped, one UTF-16, matches the CLI on the same files', async () => {
  const seed = join(ROOT, 'tests/fixtures/seed/seed.log');
  const gz = join(TMP, 'friday.log.gz');
  writeFileSync(gz, gzipSync(readFileSync(EXAMPLE)));
  // A UTF-16LE copy of the seed without its final newline: its encoding is detected on its
  // own, after a UTF-8 file, and its last line ends with it.
  const wide = join(TMP, 'seed-utf16.log');
  const seedText = readFileSync(seed, 'utf8').replace(/\n$/, '');
  writeFileSync(wide, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(seedText, 'utf16le')]));
  const page = await openPage(env.browser, env.url);
  await dropFiles(page, [
    { name: 'seed.log', bytes: readFileSync(seed) },
    { name: 'friday.log.gz', bytes: readFileSync(gz) },
    { name: 'seed-utf16.log', bytes: readFileSync(wide) },
  ]);
  assert.equal(await waitForOutcome(page), 'results');
  const cli = cliSummary(seed, [gz, wide]);
  const plain = cliSummary(seed, [gz, seed]);
  assert.deepEqual([cli.input.parsed, cli.input.skipped], [plain.input.parsed, plain.input.skipped],
    'the UTF-16 copy reads like the UTF-8 seed');
  assertSameTable(await readTable(page), cli);
  assert.match(await page.locator('#overview').textContent(), /3 files/);
  assert.match(await page.locator('#parsing-text').textContent(), new RegExp(cli.input.lines.toLocaleString('en-US')));
  assertOwnFilesOnly(page);
  await page.context().close();
});

test('an Envoy access log and a klog file (dates without a year) match the CLI', async () => {
  // The page reads klog's dates with its own clock, as the CLI does with the machine's.
  for (const rel of ['tests/fixtures/envoy/envoy.log', 'tests/fixtures/klog/klog.log']) {
    const file = join(ROOT, rel);
    const page = await openPage(env.browser, env.url);
    await dropFiles(page, [{ name: rel.split('/').pop(), bytes: readFileSync(file) }]);
    assert.equal(await waitForOutcome(page), 'results');
    const cli = cliSummary(file);
    assert.ok(cli.groups.every((g) => g.first_seen), `${rel}: the CLI read every group's time`);
    assertSameTable(await readTable(page), cli);
    assertOwnFilesOnly(page);
    await page.context().close();
  }
});

test('dropping one file matches the CLI', async () => {
  const page = await openPage(env.browser, env.url);
  await dropFiles(page, [{ name: 'friday-incident.log', bytes: readFileSync(EXAMPLE) }]);
  assert.equal(await waitForOutcome(page), 'results');
  assertSameTable(await readTable(page), cliSummary(EXAMPLE));
  assertOwnFilesOnly(page);
  await page.context().close();
});

test('times are shown on the clock the log names: an offset, or none', async () => {
  // Two versions at +01:00: the JSON keeps UTC instants, the page shows the log's clock.
  const lines = (stamp) => Array.from({ length: 40 }, (_, i) => JSON.stringify({
    ts: stamp(i), version: i % 2 ? 'v2' : 'v1', latency_ms: 50 + i, status: 'OK',
  })).join('\n') + '\n';
  const at = (i) => `2026-11-27T18:${String(i).padStart(2, '0')}:00`;
  const page = await openPage(env.browser, env.url);
  await dropFiles(page, [{ name: 'plus-one.log', bytes: Buffer.from(lines((i) => `${at(i)}+01:00`)) }]);
  assert.equal(await waitForOutcome(page), 'results');
  const v1 = (await readTable(page)).find((r) => r.key === 'v1');
  assert.equal(v1.first_seen, '2026-11-27T17:00:00.000Z');
  assert.equal(v1.first_seen_text, '2026-11-27 18:00:00');
  assert.match(await page.locator('#groups-caption').textContent(), /times in UTC\+01:00/);
  assert.match(await page.locator('#chart-timeline').innerHTML(), /time \(UTC\+01:00\)/);

  // No zone written: shown as written, and no zone claimed.
  await page.goto(env.url);
  await page.waitForSelector('html[data-ready="true"]');
  await dropFiles(page, [{ name: 'no-zone.log', bytes: Buffer.from(lines((i) => `${at(i)}.000`)) }]);
  assert.equal(await waitForOutcome(page), 'results');
  const row = (await readTable(page)).find((r) => r.key === 'v1');
  assert.equal(row.first_seen_text, '2026-11-27 18:00:00');
  assert.match(await page.locator('#groups-caption').textContent(), /times as written in the log/);
  assertOwnFilesOnly(page);
  await page.context().close();
});

test('the drop overlay covers the window while dragging', async () => {
  const page = await openPage(env.browser, env.url);
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['x'], 'x.log'));
    document.body.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  const box = await page.locator('#drop-overlay').boundingBox();
  assert.ok(box && box.width >= 1280 && box.height >= 900, 'overlay covers the viewport');
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['x'], 'x.log'));
    document.body.dispatchEvent(new DragEvent('dragleave', { dataTransfer: dt, bubbles: true, relatedTarget: null }));
  });
  assert.equal(await page.locator('#drop-overlay').isVisible(), false);
  await page.context().close();
});

test('paste anywhere and the paste box analyse the text', async () => {
  const text = readFileSync(join(ROOT, 'tests/fixtures/seed/seed.log'), 'utf8');
  const page = await openPage(env.browser, env.url);
  await page.evaluate((text) => {
    const dt = new DataTransfer();
    dt.setData('text/plain', text);
    document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  }, text);
  assert.equal(await waitForOutcome(page), 'results');
  const rows = await readTable(page);
  assert.deepEqual(rows.map((r) => [r.key, r.count]), [['v1.2', '2'], ['v1.3', '2']]);
  assert.match(await page.locator('#parsing-text').textContent(), /repaired 1 line like/i);

  // The paste box, after starting over.
  await page.goto(env.url);
  await page.waitForSelector('html[data-ready="true"]');
  await page.click('#paste-box summary');
  await page.fill('#paste-text', 'latency=12ms status=ok version=a\nlatency=900ms status=error version=b\n');
  await page.click('#paste-go');
  assert.equal(await waitForOutcome(page), 'results');
  assert.deepEqual((await readTable(page)).map((r) => r.key).sort(), ['a', 'b']);
  assertOwnFilesOnly(page);
  await page.context().close();
});

test('overriding a field re-runs the analysis with it, as the CLI does', async () => {
  const page = await openPage(env.browser, env.url);
  await page.click('#try-example');
  assert.equal(await waitForOutcome(page), 'results');
  const options = await page.$$eval('#field-group option', (os) => os.map((o) => o.value));
  assert.ok(options.includes('endpoint'), `group candidates: ${options}`);
  await page.selectOption('#field-group', 'endpoint');
  await page.waitForFunction(() => document.querySelector('#groups tbody tr')?.dataset.key?.startsWith('/v1/'));
  assertSameTable(await readTable(page), cliSummary(EXAMPLE, ['--group-by', 'endpoint']));
  assert.equal(await page.inputValue('#field-group'), 'endpoint');
  // Sorting by p95 (descending first), then ascending.
  await page.click('#groups th[data-key="p95"] button');
  let rows = (await readTable(page)).filter((r) => r.p95 !== null);
  const p95 = rows.map((r) => Number(r.p95));
  assert.deepEqual(p95, [...p95].sort((a, b) => b - a));
  await page.click('#groups th[data-key="p95"] button');
  rows = (await readTable(page)).filter((r) => r.p95 !== null);
  assert.deepEqual(rows.map((r) => Number(r.p95)), [...p95].sort((a, b) => a - b));
  assert.equal(await page.getAttribute('#groups th[data-key="p95"]', 'aria-sort'), 'ascending');
  assertOwnFilesOnly(page);
  await page.context().close();
});

test('cancel stops a 200 MB analysis within a second', async () => {
  const page = await openPage(env.browser, env.url);
  let closedAt = null;
  let readerClosedAt = null;
  const watch = (w) => {
    if (w.url().endsWith('/worker.js')) w.on('close', () => { closedAt ??= Date.now(); });
    if (w.url().endsWith('/reader.js')) w.on('close', () => { readerClosedAt ??= Date.now(); });
  };
  page.workers().forEach(watch);
  page.on('worker', watch);
  // ~200 MB built in the page from one repeated 1 MB chunk.
  await page.evaluate(() => {
    const line = '{"ts":"2026-11-27T18:00:00Z","responseTimeMs":812,"status":"Timeout","modelVersion":"v1.3"}\n';
    const chunk = line.repeat(Math.ceil((1 << 20) / line.length));
    const file = new File(Array(200).fill(chunk), 'big.log');
    const dt = new DataTransfer();
    dt.items.add(file);
    document.querySelector('#dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.waitForSelector('#progress:not([hidden])');
  await page.waitForFunction(() => Number(document.querySelector('#progress-bar').value) > 5e6);
  const text = await page.locator('#progress-text').textContent();
  assert.match(text, /MB of 2\d\d\.\d MB · [\d.]+ MB\/s/);
  const t0 = Date.now();
  await page.click('#cancel');
  await page.waitForSelector('#start:not([hidden])', { timeout: 1000 });
  // The worker thread has ended (terminated, not just ignored) within a second.
  while ((closedAt === null || readerClosedAt === null) && Date.now() - t0 < 1500) await new Promise((ok) => setTimeout(ok, 20));
  assert.ok(closedAt !== null && closedAt - t0 < 1000, `worker ended ${closedAt === null ? 'never' : closedAt - t0 + ' ms'} after cancel`);
  assert.ok(readerClosedAt !== null && readerClosedAt - t0 < 1000,
    `its file reader ended ${readerClosedAt === null ? 'never' : readerClosedAt - t0 + ' ms'} after cancel`);
  const bar = await page.locator('#progress-bar').evaluate((b) => b.value);
  await page.waitForTimeout(300);
  assert.equal(await page.locator('#progress-bar').evaluate((b) => b.value), bar, 'no progress after cancel');
  assert.equal(await page.locator('#results').isVisible(), false);
  // The page still works afterwards, with a fresh worker.
  await page.click('#try-example');
  assert.equal(await waitForOutcome(page), 'results');
  assertOwnFilesOnly(page);
  await page.context().close();
});

test('a binary file, an empty file and a log without latency say what is wrong', async () => {
  const page = await openPage(env.browser, env.url);
  const binary = Buffer.alloc(64 << 10);
  for (let i = 0; i < binary.length; i++) binary[i] = (i * 7919 + (i >> 7)) % 256;
  const bin = join(TMP, 'image.bin');
  writeFileSync(bin, binary);
  await page.setInputFiles('#file-input', bin);
  assert.equal(await waitForOutcome(page), 'problem');
  assert.match(await page.locator('#problem-title').textContent(), /does not look like a log/);
  assert.match(await page.locator('#problem-text').textContent(), /No line could be read as a log record/);

  const empty = join(TMP, 'empty.log');
  writeFileSync(empty, '');
  await page.click('#problem-back');
  await page.setInputFiles('#file-input', empty);
  assert.equal(await waitForOutcome(page), 'problem');
  assert.match(await page.locator('#problem-title').textContent(), /empty/);
  assert.match(await page.locator('#problem-text').textContent(), /The input is empty/);

  // No latency field: the message says so, and the latency dropdown fixes it.
  const nolat = join(TMP, 'nolat.log');
  writeFileSync(nolat, Array.from({ length: 50 }, (_, i) =>
    JSON.stringify({ user: `u${i % 3}`, items: 1 + (i % 4), status: i % 5 ? 'OK' : 'Error' })).join('\n') + '\n');
  await page.click('#problem-back');
  await page.setInputFiles('#file-input', nolat);
  assert.equal(await waitForOutcome(page), 'problem');
  assert.match(await page.locator('#problem-text').textContent(), /latency/);
  assert.ok(await page.locator('#field-latency').isVisible(), 'the latency field can be picked');
  await page.selectOption('#field-latency', 'items');
  await page.waitForSelector('#table-wrap:not([hidden]) #groups tbody tr');
  assert.equal(await waitForOutcome(page), 'results');
  assertOwnFilesOnly(page);
  await page.context().close();
});

test('keyboard: the drop zone is focusable and Enter opens the file picker', async () => {
  const page = await openPage(env.browser, env.url);
  await page.focus('#dropzone');
  // Listen first: the chooser is intercepted only once Playwright has enabled it.
  const chooserP = page.waitForEvent('filechooser');
  await page.waitForTimeout(200);
  await page.keyboard.press('Enter');
  const chooser = await chooserP;
  assert.ok(chooser.isMultiple());
  await chooser.setFiles(EXAMPLE);
  assert.equal(await waitForOutcome(page), 'results');
  // Every button can be reached with Tab.
  const tabbable = await page.$$eval('button:not([hidden])', (bs) => bs.filter((b) => b.offsetParent && b.tabIndex >= 0).length);
  assert.ok(tabbable >= 5);
  await page.context().close();
});
