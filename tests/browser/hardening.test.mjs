// Issue 6, "No crash, no hang, nothing lost", in the browser:
// - a trap in the worker's wasm (what a Rust panic becomes with panic = "abort", or an
//   allocation that fails) and a worker that does not load are reported in the page as a
//   failure with "Try again" / "Start over", never as a progress bar that waits forever; the
//   broken worker is terminated and the next analysis works;
// - a 3 GiB file, generated in the page (not stored anywhere), streams through with memory that
//   does not grow with the file.
//
// The traps are real: the test serves a modified copy of the wasm-bindgen glue (www/pkg/
// logdrop.js) to the worker, whose Analyzer.push makes the analyzer's own wasm instance trap on
// its 4th 1 MiB batch, mid-file: with a malloc request no allocator can meet (wasm-bindgen's
// malloc aborts: `RuntimeError: unreachable`, exactly what an out-of-memory abort is) or with a
// length past the end of wasm memory (`RuntimeError: memory access out of bounds`). The page
// itself has no hook for this.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import {
  setup, openPage, waitForOutcome, readTable, cliSummary, screenshotPath, foreignRequests,
  assertSameTable, trackWorkers, until, EXAMPLE, WWW,
} from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const GLUE = readFileSync(join(WWW, 'pkg/logdrop.js'), 'utf8');
const PUSH_MALLOC = 'const ptr0 = passArray8ToWasm0(chunk, wasm.__wbindgen_malloc);';
const PUSH_CALL = 'const ret = wasm.analyzer_push(this.__wbg_ptr, ptr0, len0);';

/** The glue with a push that traps, for real, in the analyzer's wasm on the `at`-th call. */
function trappingGlue(how, at = 4) {
  assert.ok(GLUE.includes(PUSH_MALLOC) && GLUE.includes(PUSH_CALL),
    'www/pkg/logdrop.js: Analyzer.push is not as this test expects (wasm-bindgen output changed?)');
  const count = `(globalThis.__testPushes = (globalThis.__testPushes ?? 0) + 1) >= ${at}`;
  if (how === 'unreachable') {
    // wasm-bindgen's malloc with an impossible size aborts: `unreachable`, as an OOM does.
    return GLUE.replace(PUSH_MALLOC,
      `const ptr0 = passArray8ToWasm0(chunk, (n, a) => wasm.__wbindgen_malloc(${count} ? 0xFFFFFFF0 : n, a));`);
  }
  // A length far past the end of memory: the analyzer reads out of bounds and traps.
  return GLUE.replace(PUSH_CALL,
    `const ret = wasm.analyzer_push(this.__wbg_ptr, ptr0, ${count} ? 0x7ff00000 : len0);`);
}

/** Drops `mib` MiB of valid log lines (v1.2 and v1.3, 1 MiB blocks), built in the page. */
async function dropGenerated(page, mib, name = 'big.log') {
  return page.evaluate(({ mib, name }) => {
    const lines = [];
    for (let i = 0, size = 0; size < (1 << 20) - 200; i++, size += lines[lines.length - 1].length) {
      const v = i % 3 === 0 ? 'v1.3' : 'v1.2';
      lines.push(`{"ts":"2026-11-27T18:${String(i % 60).padStart(2, '0')}:00Z","responseTimeMs":${v === 'v1.3' ? 800 + (i % 97) : 90 + (i % 13)},"status":"${i % 11 === 0 ? 'Timeout' : 'OK'}","modelVersion":"${v}"}\n`);
    }
    const block = new Blob([lines.join('')]);
    const file = new File(Array(mib).fill(block), name);
    const dt = new DataTransfer();
    dt.items.add(file);
    document.querySelector('#dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    return { lines: lines.length * mib, bytes: file.size };
  }, { mib, name });
}

/** The failure view is up, with everything it must say; returns its texts. */
async function assertFailureShown(page, title) {
  await page.waitForSelector('#problem:not([hidden])', { timeout: 30_000 });
  assert.equal(await page.locator('#progress').isVisible(), false, 'the progress bar is gone');
  assert.equal(await page.locator('#results').isVisible(), false, 'no (partial) results');
  const texts = {
    title: await page.locator('#problem-title').textContent(),
    text: await page.locator('#problem-text').textContent(),
    safe: await page.locator('#problem-safe').textContent(),
    steps: await page.locator('#problem-steps').textContent(),
    detail: await page.locator('#problem-detail').textContent(),
  };
  assert.match(texts.title, title);
  assert.ok(await page.locator('#problem-safe').isVisible(), 'says the file was not uploaded');
  assert.match(texts.safe, /not uploaded/);
  assert.match(texts.steps, /Try again/);
  assert.match(texts.steps, /report a bug/i);
  assert.match(texts.steps, /first lines of the file/);
  assert.ok(await page.locator('#problem-retry').isVisible(), 'a Try again button');
  assert.ok(await page.locator('#problem-back').isVisible(), 'a Start over button');
  // The details are there for a bug report, folded away.
  assert.equal(await page.locator('#problem-details').getAttribute('open'), null);
  assert.equal(await page.locator('#problem-title *, #problem-text *, #problem-steps li :not(code), #problem-steps code *, #problem-detail *').count(), 0,
    'text only (and code spans in the steps)');
  return texts;
}

for (const [how, title, detail] of [
  ['unreachable', /ran out of memory/, /RuntimeError|unreachable/],
  ['out of bounds', /crashed/, /memory access out of bounds/],
]) {
  test(`a wasm trap mid-file (${how}) shows a failure, ends the worker, and the next analysis works`, async () => {
    const page = await openPage(env.browser, env.url, {
      contextOptions: { serviceWorkers: 'block' }, // page.route sees every request, none answered by sw.js
      beforeGoto: (context) => context.route('**/pkg/logdrop.js', (route) =>
        route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: trappingGlue(how) })),
    });
    const workers = trackWorkers(page);
    const readers = trackWorkers(page, /\/reader\.js$/);
    await until(() => workers.all.length === 1 && readers.all.length === 1, 'the first worker and its reader');
    const first = workers.all[0];
    const { bytes, lines } = await dropGenerated(page, 12);
    await page.waitForSelector('#progress:not([hidden])');
    const texts = await assertFailureShown(page, title);
    // Mid-file: three batches went in, the fourth trapped (batch sizes follow the stream's
    // chunks: 1 MiB, or a whole chunk when the stream gives more).
    assert.match(texts.detail, detail);
    const at = /Stopped at byte: ([\d,]+) of ([\d,]+)/.exec(texts.detail);
    assert.ok(at, texts.detail);
    const [stopped, total] = [Number(at[1].replaceAll(',', '')), Number(at[2].replaceAll(',', ''))];
    assert.equal(total, bytes);
    assert.ok(stopped >= 1 << 20 && stopped < total, `stopped mid-file at byte ${stopped}`);
    assert.match(texts.text, new RegExp(`after reading ${(stopped / 1e6).toFixed(1).replace('.', '\\.')} MB of big\\.log`));
    assert.match(texts.detail, /Browser: /);
    if (how === 'unreachable') assert.match(texts.detail, /WebAssembly memory: [\d,]+ bytes/);
    // The broken worker is terminated at once, not left to be reused, and its reader with it.
    await until(() => workers.closed.has(first), 'the broken worker to end');
    await until(() => readers.closed.has(readers.all[0]), 'its reader to end');
    assert.ok(await page.evaluate(() => document.activeElement?.id === 'problem'), 'focus moves to the message');
    await page.screenshot({ path: screenshotPath(`failure-${how.replaceAll(' ', '-')}.png`) });
    if (how === 'out of bounds') {
      // The details open (keyboard: the summary is focusable), in dark mode too.
      await page.locator('#problem-details summary').focus();
      await page.keyboard.press('Enter');
      assert.match(await page.locator('#problem-detail').innerText(), /memory access out of bounds/);
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: screenshotPath('failure-crash-dark.png') });
      await page.emulateMedia({ colorScheme: 'light' });
    }

    if (how === 'unreachable') {
      // Start over, by keyboard: a fresh worker, and the example works (with the same trapping
      // glue: the example is one batch, so the fresh worker never reaches the 4th push).
      await page.locator('#problem-back').focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('#start:not([hidden])');
      await until(() => workers.all.length === 2, 'a fresh worker after Start over');
      await page.click('#try-example');
      assert.equal(await waitForOutcome(page), 'results');
      assertSameTable(await readTable(page), cliSummary(EXAMPLE));
      assert.equal(workers.closed.has(workers.all[1]), false, 'the fresh worker did the work');
    } else {
      // Try again (by keyboard, from the message: Tab to the button) with the normal glue: the
      // same file, read from the start by a fresh worker, completes.
      await page.context().unroute('**/pkg/logdrop.js');
      for (let i = 0; i < 6 && !(await page.evaluate(() => document.activeElement?.id === 'problem-retry')); i++) {
        await page.keyboard.press('Tab');
      }
      assert.ok(await page.evaluate(() => document.activeElement?.id === 'problem-retry'), 'Tab reaches Try again');
      await page.keyboard.press('Enter');
      assert.equal(await waitForOutcome(page), 'results');
      const rows = await readTable(page);
      assert.equal(rows.reduce((n, r) => n + Number(r.count), 0), lines, 'every line counted');
      assert.equal(await recordsShown(page), lines);
      assert.equal(workers.all.length, 2);
    }
    assert.equal(await page.locator('#problem').isVisible(), false);
    assert.deepEqual(foreignRequests(page, env.url), []);
    assert.deepEqual(page.errors, [], 'console errors');
    await page.context().close();
  });
}

/** The records the last analysis counted (from the overview line). */
async function recordsShown(page) {
  const text = await page.locator('#overview').textContent();
  return Number(/^([\d,]+) records/.exec(text)[1].replaceAll(',', ''));
}

for (const [what, path] of [['worker.js', '**/worker.js'], ['the wasm', '**/pkg/logdrop_bg.wasm']]) {
  test(`when ${what} does not load (HTTP 500), the page says so, and Try again works once it loads`, async () => {
    let failing = true;
    const page = await openPage(env.browser, env.url, {
      contextOptions: { serviceWorkers: 'block' },
      beforeGoto: (context) => context.route(path, (route) => (failing
        ? route.fulfill({ status: 500, contentType: 'text/plain', body: 'server error' })
        : route.continue())),
    });
    const workers = trackWorkers(page);
    const { lines } = await dropGenerated(page, 2, 'app.log');
    const texts = await assertFailureShown(page, /could not be started/);
    assert.match(texts.text, /did not load, so app\.log was not read/);
    assert.match(texts.steps, /connection/);
    assert.match(texts.detail, what === 'worker.js' ? /did not load/ : /could not start/);
    assert.ok(workers.all.every((w) => workers.closed.has(w)) || workers.all.length === 0, 'no broken worker left running');
    if (what === 'worker.js') {
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: screenshotPath('failure-load-dark.png') });
      await page.emulateMedia({ colorScheme: 'light' });
    }
    // The server is back: Try again starts a fresh worker and reads the same file.
    failing = false;
    await page.click('#problem-retry');
    assert.equal(await waitForOutcome(page), 'results');
    assert.equal(await recordsShown(page), lines);
    // And the next input works too.
    await page.click('#try-example-top');
    await page.waitForFunction(() => /friday-incident/.test(document.querySelector('#overview')?.textContent ?? ''));
    assertSameTable(await readTable(page), cliSummary(EXAMPLE));
    assert.deepEqual(foreignRequests(page, env.url), []);
    // The only console errors are the failed loads themselves.
    assert.deepEqual(page.errors.filter((e) => !/500|Failed to (load|fetch)|WebAssembly|Internal Server Error/i.test(e)), [], 'console errors');
    await page.context().close();
  });
}

test('an exception that escapes the worker\'s handlers ends the job with a failure, not a frozen progress bar', async () => {
  const source = readFileSync(join(WWW, 'worker.js'), 'utf8');
  const call = '    analyze(msg);\n';
  assert.ok(source.includes(call), 'www/worker.js: the analyze dispatch is not as this test expects');
  for (const [how, body] of [
    // A rejected promise nobody handles (the worker reports it as 'fatal')…
    ['a rejection', source.replace(call, '    throw new TypeError(\'escaped the handler\');\n')],
    // …and an exception thrown from a task of its own (the Worker's `error` event).
    ['an uncaught exception', source.replace(call, '    setTimeout(() => { throw new TypeError(\'escaped the handler\'); });\n')],
  ]) {
    const page = await openPage(env.browser, env.url, {
      contextOptions: { serviceWorkers: 'block' },
      beforeGoto: (context) => context.route('**/worker.js', (route) =>
        route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body })),
    });
    const workers = trackWorkers(page);
    await dropGenerated(page, 2, 'app.log');
    const texts = await assertFailureShown(page, /crashed/);
    assert.match(texts.detail, /escaped the handler/, how);
    await until(() => workers.all.length > 0 && workers.all.every((w) => workers.closed.has(w)), 'the worker to end');
    await page.context().close();
  }
});

// --- a worker that hangs: the stall watchdog ----------------------------------------------------
//
// A hang is not a failure: nothing throws, the worker just stops sending progress. The page
// notices after STALL_MS without progress (app.js; 10 s, lowered here through the test-only
// <html data-stall-ms>) and says so, with "Keep waiting" and "Stop and start over". The hangs are
// real: a glue whose Analyzer.push runs an endless loop in a (tiny) wasm module on its 4th call,
// so the worker never yields again and only terminate() ends it; and a worker.js whose stream
// read stays pending for a while mid-file, then resumes.

const STALL_TEST_MS = 2000;
// (module (func (export "spin") (loop (br 0)))): a loop in wasm that never ends.
const SPIN_WASM = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0,
  7, 8, 1, 4, 0x73, 0x70, 0x69, 0x6e, 0, 0, 0x0a, 9, 1, 7, 0, 3, 0x40, 0x0c, 0, 0x0b, 0x0b];

/** The glue with a push that loops forever inside wasm on the `at`-th call. */
function hangingGlue(at = 4) {
  assert.ok(GLUE.includes(PUSH_CALL), 'www/pkg/logdrop.js: Analyzer.push is not as this test expects');
  const spin = `new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array([${SPIN_WASM}]))).exports.spin()`;
  return GLUE.replace(PUSH_CALL,
    `if ((globalThis.__testPushes = (globalThis.__testPushes ?? 0) + 1) >= ${at}) ${spin};\n        ${PUSH_CALL}`);
}

/**
 * Sets the test threshold and records, in the page, when the stall notice appears and when
 * the progress bar last moved: window.__stall = {shown: [ms], hidden: [ms], progress: ms}.
 */
async function watchStallNotice(page, ms = STALL_TEST_MS) {
  await page.evaluate((ms) => {
    document.documentElement.dataset.stallMs = String(ms);
    const rec = { shown: [], hidden: [], progress: performance.now() };
    window.__stall = rec;
    const box = document.querySelector('#stall');
    new MutationObserver(() => (box.hidden ? rec.hidden : rec.shown).push(performance.now()))
      .observe(box, { attributes: true, attributeFilter: ['hidden'] });
    new MutationObserver(() => { rec.progress = performance.now(); })
      .observe(document.querySelector('#progress-bar'), { attributes: true, attributeFilter: ['value'] });
  }, ms);
}

const stallRecord = (page) => page.evaluate(() => window.__stall);

/** The notice is up, with what it must say and do; returns its text. */
async function assertStallShown(page) {
  await page.waitForSelector('#stall:not([hidden])', { timeout: 30_000 });
  assert.ok(await page.locator('#progress').isVisible(), 'next to the progress bar, which stays');
  const text = await page.locator('#stall').innerText();
  assert.match(text, /no progress for \d+ seconds?/);
  assert.match(text, /Nothing was uploaded/);
  assert.ok(await page.locator('#stall-wait').isVisible(), 'a Keep waiting button');
  assert.ok(await page.locator('#stall-stop').isVisible(), 'a Stop and start over button');
  assert.equal(await page.locator('#stall-wait').textContent(), 'Keep waiting');
  assert.equal(await page.locator('#stall-stop').textContent(), 'Stop and start over');
  // Announced politely (a live region that was there before the notice), not as an alert.
  assert.equal(await page.locator('#stall').evaluate((el) => el.closest('[aria-live]')?.getAttribute('aria-live')), 'polite');
  assert.equal(await page.locator('#stall').evaluate((el) => !!el.closest('[role="alert"], [aria-live="assertive"]')), false);
  assert.equal(await page.locator('#stall-title *, #stall-text *').count(), 0, 'text only');
  return text;
}

test('a worker that hangs in wasm mid-file: the page says so after the threshold; Keep waiting, then Stop and start over', async () => {
  const page = await openPage(env.browser, env.url, {
    contextOptions: { serviceWorkers: 'block' },
    beforeGoto: (context) => context.route('**/pkg/logdrop.js', (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: hangingGlue() })),
  });
  const workers = trackWorkers(page);
  await until(() => workers.all.length === 1, 'the first worker');
  await watchStallNotice(page);
  const { bytes } = await dropGenerated(page, 12);
  await page.waitForSelector('#progress:not([hidden])');
  const text = await assertStallShown(page);
  // (The last progress message may be a little behind the 4th push: they come every 100 ms.)
  assert.match(text, /It has read [\d.]+ (kB|MB) of 12\.\d MB of big\.log and has not moved since/);
  let rec = await stallRecord(page);
  const after = rec.shown[0] - rec.progress;
  assert.ok(after >= STALL_TEST_MS - 50 && after < STALL_TEST_MS + 3000,
    `the notice came ${Math.round(after)} ms after the last progress (threshold ${STALL_TEST_MS} ms)`);
  const bar = await page.locator('#progress-bar').evaluate((b) => b.value);
  assert.ok(bar > 0 && bar < bytes, `stuck mid-file at ${bar} of ${bytes}`);
  assert.equal(workers.closed.has(workers.all[0]), false, 'the hung worker runs until the user decides');
  await page.screenshot({ path: screenshotPath('stall-notice.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: screenshotPath('stall-notice-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });

  // Keep waiting, by keyboard (Tab from Cancel, where the focus is during an analysis): the
  // notice goes, focus returns to Cancel, and the notice comes back after another threshold.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'cancel');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'stall-wait', 'Tab from Cancel reaches Keep waiting');
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#stall').isVisible(), false, 'Keep waiting hides the notice');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'cancel', 'focus goes back to Cancel');
  await page.waitForSelector('#stall:not([hidden])', { timeout: 30_000 });
  rec = await stallRecord(page);
  assert.equal(rec.shown.length, 2);
  assert.equal(rec.hidden.length, 1);
  const again = rec.shown[1] - rec.hidden[0];
  assert.ok(again >= STALL_TEST_MS - 50, `it came back ${Math.round(again)} ms after Keep waiting`);
  const secs = Number(/no progress for (\d+) seconds/.exec(await page.locator('#stall-title').textContent())?.[1]);
  assert.ok(secs >= (2 * STALL_TEST_MS) / 1000 - 1, `the count goes on from the last progress (${secs} s)`);
  assert.equal(await page.locator('#progress-bar').evaluate((b) => b.value), bar, 'still no progress');

  // Stop and start over, by keyboard: the hung worker is terminated, a fresh one starts, the
  // start page is back.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'stall-stop');
  const stopped = Date.now();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#start:not([hidden])');
  assert.equal(await page.locator('#progress').isVisible(), false);
  assert.equal(await page.locator('#stall').isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'dropzone');
  await until(() => workers.closed.has(workers.all[0]), 'the hung worker to end', 10_000);
  console.log(`# the worker looping in wasm ended ${Date.now() - stopped} ms after Stop and start over`);
  await until(() => workers.all.length === 2, 'a fresh worker after Stop and start over');

  // A normal analysis (the example: one batch, so the same glue never reaches its 4th push),
  // with the same short threshold: no notice, during or after it.
  await page.evaluate(() => { window.__stall.shown = []; });
  await page.click('#try-example');
  assert.equal(await waitForOutcome(page), 'results');
  assertSameTable(await readTable(page), cliSummary(EXAMPLE));
  await new Promise((ok) => setTimeout(ok, STALL_TEST_MS + 500));
  assert.deepEqual((await stallRecord(page)).shown, [], 'no stall notice for a normal analysis');
  assert.equal(workers.closed.has(workers.all[1]), false, 'the fresh worker did the work');
  assert.deepEqual(foreignRequests(page, env.url), []);
  assert.deepEqual(page.errors, [], 'console errors');
  await page.context().close();
});

/**
 * A plain-file read that stays pending for `pause` ms at the third read (of 1 MiB at most), in
 * the reader worker (reader.js: its BYOB read, or its slices where `slices` is set) or, when
 * reader.js does not load, in the analysis worker itself: the routes for beforeGoto.
 */
function pendingRead(where, pause, { slices = false } = {}) {
  const size = 'const SLICE_BYTES = 16 << 20;';
  const held = (read) => `((globalThis.__reads = (globalThis.__reads ?? 0) + 1) === 3 ` +
    `? new Promise((ok) => setTimeout(ok, ${pause})).then(() => ${read}) : ${read})`;
  const serve = (body) => (route) => route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body });
  if (where === 'reader.js') {
    let body = readFileSync(join(WWW, 'reader.js'), 'utf8');
    const edit = (from, to) => {
      assert.ok(body.includes(from), `www/reader.js: the file read is not as this test expects (${from})`);
      body = body.replace(from, to);
    };
    if (slices) {
      // As where File.stream() has no BYOB reader.
      edit("return file.stream().getReader({ mode: 'byob' });", 'return null;');
      const read = 'file.slice(at, at + SLICE_BYTES).arrayBuffer()';
      edit(size, 'const SLICE_BYTES = 1 << 20;');
      edit(`const buf = await ${read};`, `const buf = await ${held(read)};`);
    } else {
      const read = 'reader.read(new Uint8Array(buf, len, BUFFER_BYTES - len))';
      edit('const BUFFER_BYTES = 4 << 20;', 'const BUFFER_BYTES = 1 << 20;');
      edit(`const got = await ${read};`, `const got = await ${held(read)};`);
    }
    return async (context) => { await context.route('**/reader.js', serve(body)); };
  }
  // The analysis worker's own read (slices, one ahead), with no reader to hand it to.
  const source = readFileSync(join(WWW, 'worker.js'), 'utf8');
  const read = 'const buf = await next;';
  assert.ok(source.includes(read) && source.includes(size), 'www/worker.js: the file read is not as this test expects');
  const body = source.replace(size, 'const SLICE_BYTES = 1 << 20;').replace(read, `const buf = await ${held('next')};`);
  return async (context) => {
    await context.route('**/reader.js', (route) => route.fulfill({ status: 500, contentType: 'text/plain', body: 'server error' }));
    await context.route('**/worker.js', serve(body));
  };
}

for (const [where, slices] of [['reader.js', false], ['reader.js', true], ['worker.js', false]]) {
  const how = slices ? `${where}, in slices` : where;
  test(`a read that stays pending mid-file (in ${how}): the notice comes, and goes by itself when progress resumes`, async () => {
    const page = await openPage(env.browser, env.url, {
      contextOptions: { serviceWorkers: 'block' },
      beforeGoto: pendingRead(where, STALL_TEST_MS + 2500, { slices }),
    });
    await watchStallNotice(page);
    const { lines } = await dropGenerated(page, 6, 'slow.log');
    await assertStallShown(page);
    assert.match(await page.locator('#stall-text').textContent(), /of 6\.\d MB of slow\.log/);
    // Progress resumes: the notice goes away without anyone touching it, and the analysis ends
    // with every line counted.
    assert.equal(await waitForOutcome(page), 'results');
    const rec = await stallRecord(page);
    assert.equal(rec.shown.length, 1);
    assert.equal(rec.hidden.length, 1, 'hidden again');
    assert.equal(await page.locator('#stall').isVisible(), false);
    assert.equal(await recordsShown(page), lines);
    // (Without a reader, the only console error is reader.js not loading.)
    assert.deepEqual(page.errors.filter((e) => where === 'reader.js' || !/500|Failed to (load|fetch)|Internal Server Error/i.test(e)), [], 'console errors');
    await page.context().close();
  });
}

// A stream does not notice that its file changed on disk (Chromium reads on, old and new bytes
// mixed); reader.js checks with a slice read, which does. A log still being written to (append)
// and one replaced (rewrite) both end in "could not be read", never in results.
for (const [slices, change] of [[false, 'appended to'], [false, 'rewritten'], [true, 'rewritten']]) {
  test(`a file ${change} on disk while it is read${slices ? ' (in slices)' : ''}: the page says so, with no results`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logdrop-changed-'));
    try {
      const path = join(dir, 'live.log');
      const text = Array.from({ length: 80_000 }, (_, i) =>
        `{"ts":"2026-11-27T18:00:00Z","responseTimeMs":${100 + (i % 50)},"status":"OK","modelVersion":"v1.2"}\n`).join('');
      writeFileSync(path, text);
      const page = await openPage(env.browser, env.url, {
        contextOptions: { serviceWorkers: 'block' },
        beforeGoto: pendingRead('reader.js', 2500, { slices }),
      });
      await page.setInputFiles('#file-input', path);
      // The third read is held for 2.5 s: change the file meanwhile.
      await page.waitForSelector('#progress:not([hidden])');
      await new Promise((ok) => setTimeout(ok, 800));
      if (change === 'appended to') appendFileSync(path, text.slice(0, 100_000));
      else writeFileSync(path, text.replaceAll('v1.2', 'v9.9'));
      assert.equal(await waitForOutcome(page), 'problem');
      assert.match(await page.locator('#problem-text').textContent(), /could not be read .*moved or changed/);
      assert.equal(await page.locator('#overview').isVisible(), false, 'no results');
      await page.context().close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a normal analysis with the default threshold shows no stall notice', async () => {
  const page = await openPage(env.browser, env.url, { contextOptions: { serviceWorkers: 'block' } });
  await page.evaluate(() => {
    window.__shown = 0;
    const box = document.querySelector('#stall');
    new MutationObserver(() => { if (!box.hidden) window.__shown++; }).observe(box, { attributes: true });
  });
  await page.click('#try-example');
  assert.equal(await waitForOutcome(page), 'results');
  const { lines } = await dropGenerated(page, 64, 'bigger.log');
  await page.waitForFunction(() => /bigger\.log/.test(document.querySelector('#overview')?.textContent ?? ''), null, { timeout: 120_000 });
  assert.equal(await recordsShown(page), lines);
  assert.equal(await page.evaluate(() => window.__shown), 0);
  await page.context().close();
});

// --- a file larger than memory ------------------------------------------------------------------

const GiB = 2 ** 30;

/** Chromium's processes started by this test process: [{pid, type, rss, hwm}] (kB → bytes). */
function chromiumMemory() {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const mine = (pid) => {
    for (let p = pid, n = 0; p > 1 && n < 20; p = parent.get(p), n++) if (p === process.pid) return true;
    return false;
  };
  const out = [];
  for (const pid of parent.keys()) {
    if (pid === process.pid || !mine(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!/chrom/i.test(cmd)) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
      out.push({ pid, type: /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser', rss: kb('VmRSS'), hwm: kb('VmHWM') });
    } catch { /* gone */ }
  }
  return out;
}

/** The analysis worker's wasm memory in bytes (the glue's init returns the instance's exports). */
async function wasmMemory(page) {
  const worker = page.workers().find((w) => /\/worker\.js$/.test(w.url()));
  return worker.evaluate(async () => {
    const glue = await import(new URL('pkg/logdrop.js', self.location.href).href);
    return (await glue.default()).memory.buffer.byteLength;
  });
}

test('a 3 GiB file generated in the page streams through in bounded memory, with the exact counts', async () => {
  const page = await openPage(env.browser, env.url, { contextOptions: { serviceWorkers: 'block' } });
  let crashed = false;
  page.on('crash', () => { crashed = true; });
  // Eight distinct ~1 MiB blocks of whole lines (three versions, varying latency, status and
  // time: a seeded generator), kept in the page; a File of N parts that reference them is a
  // 3 GiB stream that exists nowhere (Chromium's blobs hold references, not copies).
  const plan = await page.evaluate((GiB) => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const blocks = [];
    for (let b = 0; b < 8; b++) {
      let text = '';
      let lines = 0;
      while (text.length < (1 << 20) - 300) {
        const v = rnd() < 0.2 + b * 0.05 ? 'v1.3' : rnd() < 0.5 ? 'v1.2' : 'v1.1';
        const slow = v === 'v1.3' ? 6 : 1;
        const ms = Math.round((20 + rnd() * 200 + (rnd() < 0.02 ? 3000 : 0)) * slow);
        const status = rnd() < (v === 'v1.3' ? 0.08 : 0.01) ? 'Timeout' : 'OK';
        const t = `2026-11-27T${17 + (b >> 2)}:${String((b % 4) * 15 + Math.floor(rnd() * 15)).padStart(2, '0')}:${String(Math.floor(rnd() * 60)).padStart(2, '0')}Z`;
        text += `{"ts":"${t}","responseTimeMs":${ms},"status":"${status}","modelVersion":"${v}","endpoint":"/api/${['search', 'cart', 'pay'][Math.floor(rnd() * 3)]}"}\n`;
        lines++;
      }
      blocks.push({ blob: new Blob([text]), lines });
    }
    const once = blocks.reduce((n, b) => n + b.blob.size, 0);
    const reps = Math.ceil((3 * GiB) / once); // every block the same number of times
    const parts = [];
    for (let r = 0; r < reps; r++) for (const b of blocks) parts.push(b.blob);
    window.__test = {
      small: new File(blocks.map((b) => b.blob), 'once.log'),
      big: new File(parts, 'huge.log'),
    };
    return { reps, lines: blocks.reduce((n, b) => n + b.lines, 0), smallBytes: once, bigBytes: window.__test.big.size };
  }, GiB);
  assert.ok(plan.bigBytes >= 3 * GiB, `${plan.bigBytes} bytes`);
  const drop = (which) => page.evaluate((which) => {
    const dt = new DataTransfer();
    dt.items.add(window.__test[which]);
    document.querySelector('#dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, which);

  // The reference: every block once.
  await drop('small');
  assert.equal(await waitForOutcome(page), 'results');
  const small = await readTable(page);
  assert.equal(small.reduce((n, r) => n + Number(r.count), 0), plan.lines);
  const memSmall = await wasmMemory(page);
  const before = chromiumMemory();

  // The big one: each block `reps` times.
  const t0 = Date.now();
  await drop('big');
  await page.waitForSelector('#progress:not([hidden])');
  let peakRenderer = 0;
  let samples = 0;
  const sampler = setInterval(() => {
    samples++;
    for (const p of chromiumMemory()) if (p.type === 'renderer') peakRenderer = Math.max(peakRenderer, p.rss);
  }, 500);
  let outcome;
  try {
    outcome = await waitForOutcome(page, 20 * 60_000);
  } finally {
    clearInterval(sampler);
  }
  const secs = (Date.now() - t0) / 1000;
  assert.equal(crashed, false, 'the renderer did not crash');
  assert.equal(outcome, 'results', outcome === 'problem' ? await page.locator('#problem-text').textContent() : '');

  // Exact counts: every line of every block, `reps` times; the same distribution as once.
  const big = await readTable(page);
  assert.equal(big.length, small.length);
  for (const s of small) {
    const b = big.find((r) => r.key === s.key);
    assert.ok(b, s.key);
    assert.equal(Number(b.count), Number(s.count) * plan.reps, `${s.key} count`);
    assert.equal(Number(b.errors), Number(s.errors) * plan.reps, `${s.key} errors`);
    assert.equal(b.error_rate, s.error_rate, `${s.key} error rate`);
    for (const q of ['p50', 'p90', 'p95', 'p99', 'max']) assert.equal(b[q], s[q], `${s.key} ${q}`);
    assert.equal(b.first_seen, s.first_seen);
    assert.equal(b.last_seen, s.last_seen);
  }
  assert.equal(await recordsShown(page), plan.lines * plan.reps);
  assert.match(await page.locator('#overview').textContent(), /huge\.log \(3\.\d\d GB/);

  // Bounded memory: the wasm memory did not grow with the file (it never shrinks, so this is its
  // peak), and no chromium process came anywhere near the file's size.
  const memBig = await wasmMemory(page);
  const after = chromiumMemory();
  const peakAll = Math.max(...after.map((p) => p.hwm));
  const mb = (n) => `${(n / 2 ** 20).toFixed(0)} MiB`;
  console.log(`# 3 GiB stream: ${plan.bigBytes} bytes, ${plan.lines * plan.reps} lines in ${secs.toFixed(1)} s ` +
    `(${(plan.bigBytes / secs / 1e6).toFixed(0)} MB/s); wasm memory ${mb(memSmall)} after 8 MiB, ${mb(memBig)} after 3 GiB; ` +
    `renderer RSS peak ${mb(peakRenderer)} (${samples} samples); peak RSS of any chromium process ${mb(peakAll)} ` +
    `(before: ${before.map((p) => `${p.type} ${mb(p.hwm)}`).join(', ')})`);
  assert.ok(memBig - memSmall <= 64 * 2 ** 20, `wasm memory grew from ${mb(memSmall)} to ${mb(memBig)}`);
  assert.ok(samples > 0 && peakRenderer > 0, 'the renderer was measured');
  assert.ok(peakRenderer < GiB, `renderer RSS peaked at ${mb(peakRenderer)}`);
  assert.ok(peakAll < 1.5 * GiB, `a chromium process peaked at ${mb(peakAll)}`);
  assert.deepEqual(foreignRequests(page, env.url), []);
  assert.deepEqual(page.errors, [], 'console errors');
  await page.context().close();
});
