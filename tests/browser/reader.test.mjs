// The file reader worker (www/reader.js): app.js starts it beside the analysis worker, and it
// reads plain files while the analysis runs: through a BYOB reader of File.stream() into 4 MiB
// buffers that go back and forth, or, where there is no BYOB reader, in 16 MiB slices (both
// tested here). These pin what that must not change:
// - files of several slices, with a gzip file (read by the analysis worker itself) between
//   plain ones, give the CLI's numbers, on the hosted page and in the single file (file://);
// - the reader ends with the analysis worker (Cancel while it is slices ahead);
// - without a reader (reader.js does not load) or when it fails mid-file, the analysis worker
//   reads the rest itself and the numbers are still exact.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  setup, openPage, waitForOutcome, readTable, cliSummary, foreignRequests, assertSameTable,
  trackWorkers, until, EXAMPLE, ROOT, WWW,
} from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const TMP = mkdtempSync(join(tmpdir(), 'logdrop-reader-'));
const MiB = 1 << 20;
const SLICE = 16 * MiB;
const BUFFER = 4 * MiB;

/**
 * reader.js as served; with `slices`, as where File.stream() has no BYOB reader (it reads in
 * slices of SLICE bytes).
 */
function readerSource(slices) {
  const source = readFileSync(join(WWW, 'reader.js'), 'utf8');
  if (!slices) return source;
  const byob = "return file.stream().getReader({ mode: 'byob' });";
  assert.ok(source.includes(byob), 'www/reader.js: the BYOB reader is not as this test expects');
  return source.replace(byob, 'return null;');
}

/**
 * A log of about `mib` MiB written to TMP: JSON lines of three versions with varying latency,
 * status and time, one line in 500 damaged the way people see it (a key missing its quote), and
 * no final newline (the last line ends with the file). Seeded, so the same every run.
 */
function writeLog(name, mib, seed) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const parts = [];
  let size = 0;
  for (let i = 0; size < mib * MiB; i++) {
    const v = rnd() < 0.15 ? 'v1.3' : rnd() < 0.5 ? 'v1.2' : 'v1.1';
    const ms = Math.round((15 + rnd() * 180 + (rnd() < 0.01 ? 2500 : 0)) * (v === 'v1.3' ? 5 : 1));
    const status = rnd() < (v === 'v1.3' ? 0.06 : 0.01) ? 'Timeout' : 'OK';
    const t = `2026-11-27T${String(17 + Math.floor(i / 200_000) % 6).padStart(2, '0')}:${String(Math.floor(rnd() * 60)).padStart(2, '0')}:${String(Math.floor(rnd() * 60)).padStart(2, '0')}Z`;
    const line = i % 500 === 7
      ? `{"ts":"${t}",responseTimeMs": ${ms},"status":"${status}","modelVersion":"${v}"}`
      : `{"ts":"${t}","responseTimeMs":${ms},"status":"${status}","modelVersion":"${v}","route":"/api/${['search', 'cart', 'pay'][i % 3]}"}`;
    parts.push(line);
    size += line.length + 1;
  }
  const path = join(TMP, name);
  writeFileSync(path, parts.join('\n'));
  return { path, lines: parts.length };
}

const big = writeLog('big.log', 40, 7); // three slices and a part
const second = writeLog('second.log', 17, 11); // one slice and a part
const gz = join(TMP, 'friday.log.gz');
writeFileSync(gz, gzipSync(readFileSync(EXAMPLE)));

/** reader.js as served, counting the slices it posts in `self.__slices` (read with evaluate). */
function countingReader(source = readerSource(false)) {
  return `const __post = MessagePort.prototype.postMessage;
MessagePort.prototype.postMessage = function (msg, transfer) {
  if (msg && msg.buf) self.__slices = (self.__slices || 0) + 1;
  return __post.call(this, msg, transfer);
};
${source}`;
}

const records = async (page) => Number(/^([\d,]+) records/.exec(await page.locator('#overview').textContent())[1].replaceAll(',', ''));

for (const slices of [false, true]) {
  const how = slices ? 'in slices' : 'through its BYOB reader';
  test(`plain files of several pieces, with a gzip file between them, are read by the reader (${how}) and match the CLI`, async () => {
    const page = await openPage(env.browser, env.url, {
      contextOptions: { serviceWorkers: 'block' },
      beforeGoto: (context) => context.route('**/reader.js', (route) =>
        route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: countingReader(readerSource(slices)) })),
    });
    const readers = trackWorkers(page, /\/reader\.js$/);
    await until(() => readers.all.length === 1, 'the reader worker, started with the page');
    await page.setInputFiles('#file-input', [big.path, gz, second.path]);
    assert.equal(await waitForOutcome(page, 120_000), 'results');
    const cli = cliSummary(second.path, [big.path, gz]);
    assertSameTable(await readTable(page), cli);
    assert.equal(await records(page), cli.input.records);
    assert.match(await page.locator('#overview').textContent(), /3 files/);
    // Every piece of the two plain files came from the reader (the gzip file is streamed by the
    // analysis worker), each full but the last of a file; the reader stays up for the next
    // analysis.
    const piece = slices ? SLICE : BUFFER;
    const pieces = Math.ceil(readFileSync(big.path).length / piece) + Math.ceil(readFileSync(second.path).length / piece);
    assert.equal(await readers.all[0].evaluate(() => self.__slices), pieces);
    assert.equal(readers.closed.size, 0);
    assert.deepEqual(foreignRequests(page, env.url), []);
    assert.deepEqual(page.errors, [], 'console errors');
    await page.context().close();
  });
}

test('Cancel while the reader is slices ahead ends both workers within a second; the next analysis is exact', async () => {
  const page = await openPage(env.browser, env.url);
  const analysers = trackWorkers(page, /\/worker\.js$/);
  const readers = trackWorkers(page, /\/reader\.js$/);
  await until(() => analysers.all.length === 1 && readers.all.length === 1, 'the workers');
  // ~512 MiB built in the page from one repeated 1 MiB block: far more than the reader's slices.
  await page.evaluate(() => {
    const line = '{"ts":"2026-11-27T18:00:00Z","responseTimeMs":812,"status":"Timeout","modelVersion":"v1.3"}\n';
    const block = new Blob([line.repeat(Math.ceil((1 << 20) / line.length))]);
    const dt = new DataTransfer();
    dt.items.add(new File(Array(512).fill(block), 'huge.log'));
    document.querySelector('#dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction((n) => Number(document.querySelector('#progress-bar').value) > n, 40 * MiB);
  const t0 = Date.now();
  await page.click('#cancel');
  await page.waitForSelector('#start:not([hidden])', { timeout: 1000 });
  await until(() => analysers.closed.size === 1 && readers.closed.size === 1, 'both workers to end', 1500);
  for (const [w, at] of [...analysers.closed, ...readers.closed]) {
    assert.ok(at - t0 < 1000, `${w.url()} ended ${at - t0} ms after Cancel`);
  }
  // A fresh pair reads the next file, and gets every line.
  await page.setInputFiles('#file-input', big.path);
  assert.equal(await waitForOutcome(page, 120_000), 'results');
  assertSameTable(await readTable(page), cliSummary(big.path));
  assert.equal(analysers.all.length, 2);
  assert.equal(readers.all.length, 2);
  assert.deepEqual(page.errors, [], 'console errors');
  await page.context().close();
});

test('when reader.js does not load, the analysis worker reads the files itself, with the same numbers', async () => {
  const page = await openPage(env.browser, env.url, {
    contextOptions: { serviceWorkers: 'block' },
    beforeGoto: (context) => context.route('**/reader.js', (route) =>
      route.fulfill({ status: 500, contentType: 'text/plain', body: 'server error' })),
  });
  await page.setInputFiles('#file-input', [big.path, gz]);
  assert.equal(await waitForOutcome(page, 120_000), 'results');
  assertSameTable(await readTable(page), cliSummary(gz, [big.path]));
  assert.equal(await page.locator('#problem').isVisible(), false);
  assert.deepEqual(page.errors.filter((e) => !/500|Failed to (load|fetch)|Internal Server Error/i.test(e)), [], 'console errors');
  await page.context().close();
});

for (const slices of [false, true]) {
  const how = slices ? ' (in slices)' : '';
  test(`when the reader fails mid-file${how}, the analysis worker reads the rest from where it stopped`, async () => {
    // A reader that throws (an uncaught exception: the page's `error` event) instead of posting
    // its third piece, mid-way through big.log, and does nothing more.
    const source = readerSource(slices);
    const post = slices ? 'port.postMessage({ seq, buf }, [buf]);' : 'if (len > 0) port.postMessage({ seq, buf, len }, [buf]);';
    assert.ok(source.includes(post), 'www/reader.js: the piece post is not as this test expects');
    const body = countingReader(source.replace(post,
      `if ((self.__reads = (self.__reads || 0) + 1) === 3) { setTimeout(() => { throw new Error('the reader broke'); }); await new Promise(() => {}); }\n      ${post}`));
    const page = await openPage(env.browser, env.url, {
      contextOptions: { serviceWorkers: 'block' },
      beforeGoto: (context) => context.route('**/reader.js', (route) =>
        route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body })),
    });
    const readers = trackWorkers(page, /\/reader\.js$/);
    await until(() => readers.all.length === 1, 'the reader worker');
    await page.setInputFiles('#file-input', [big.path, second.path]);
    assert.equal(await waitForOutcome(page, 120_000), 'results');
    assertSameTable(await readTable(page), cliSummary(second.path, [big.path]));
    await until(() => readers.closed.size === 1, 'the broken reader to be ended by the page');
    assert.equal(await page.locator('#problem').isVisible(), false);
    assert.deepEqual(page.errors.filter((e) => !/the reader broke/.test(e)), [], 'console errors');
    await page.context().close();
  });
}

test('the single file (file://) reads through its reader too and matches the CLI', async () => {
  const single = join(ROOT, 'dist/logdrop.html');
  if (!existsSync(single)) throw new Error('dist/logdrop.html is missing: run ./build.sh dist first');
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const url = pathToFileURL(single).href;
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]');
  await until(() => page.workers().length === 2, 'the analysis worker and its reader');
  await page.setInputFiles('#file-input', [big.path, gz]);
  assert.equal(await waitForOutcome(page, 120_000), 'results');
  assertSameTable(await readTable(page), cliSummary(gz, [big.path]));
  // The reader is the embedded reader.js, given its channel (a classic worker from a blob: URL).
  const names = await Promise.all(page.workers().map((w) => w.evaluate(() => self.name)));
  const reader = page.workers()[names.indexOf('logdrop reader')];
  assert.ok(reader, `a reader worker (workers: ${names.join(', ')})`);
  assert.equal(await reader.evaluate(() => typeof port === 'object' && port !== null), true, 'the reader has its channel');
  assert.deepEqual(requests.filter((r) => r !== url && !r.startsWith('blob:') && !r.startsWith('data:')), []);
  assert.deepEqual(errors, [], 'console errors (CSP violations included)');
  await context.close();
});
