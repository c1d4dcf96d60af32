// Issue 6, "Nothing leaves the browser": every request recorded — what the browser reports
// (context 'request' events: the page, its analysis worker and its service worker) and what the
// server itself received — across every flow of the published site (dist/site/):
//   page load and the service worker's install · the example · dropping a file · the results
//   (a field override, a chart download) · the report (copy, download .md and .html, the
//   redaction toggle) · sharing (make and copy the link; open it in a fresh browser context) ·
//   offline (reload with the network off, drop a file, the report).
// Only the site's own static files may be requested, and none at all from the moment a file is
// dropped until the end of that flow. The files the app loads lazily are listed in LAZY with the
// reason; anything else fails the test with the list of unexpected requests.
// On its own: ./build.sh dist && node --test tests/browser/network.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHROMIUM_ARGS, ROOT, EXAMPLE, assertSameTable, cliSummary, ownPaths, readTable, serveRecorded, waitForOutcome,
} from './helpers.mjs';

const SITE = join(ROOT, 'dist/site');
const FIXTURE = join(ROOT, 'tests/fixtures/logfmt/heroku-router.log');

// What the page loads on its own (index.html's scripts, style and manifest; worker.js and the
// wasm, and the file reader reader.js, started at load so the first drop does not wait), and
// what the service worker precaches
// on the first visit (every file of the site: sw.js's PRECACHE). Everything here is one of the
// site's files; nothing else may appear at all.
const AT_LOAD = ['/', '/app.js', '/sw-register.js', '/style.css', '/manifest.webmanifest', '/worker.js',
  '/reader.js', '/pkg/logdrop.js', '/pkg/logdrop_bg.wasm', '/sw.js'];
// Loaded only when asked for, with why. (The worker is started at page load, not on the first
// drop, so dropping a file loads nothing.)
const LAZY = {
  '/example.log': 'the example, fetched when "Try the example" is clicked (from the cache once the service worker has it)',
};

let browser;
let site;
let own;
before(async () => {
  for (const f of ['sw.js', 'index.html', 'pkg/logdrop_bg.wasm']) {
    if (!existsSync(join(SITE, f))) throw new Error(`dist/site/${f} is missing: run ./build.sh dist first`);
  }
  own = ownPaths(SITE);
  site = await serveRecorded(SITE);
  browser = await chromium.launch({ executablePath: process.env.LOGDROP_CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await site?.close();
});

/**
 * The recording: every request as {phase, from, url}, `from` being 'server' (the server's own
 * log), 'page', 'worker' or 'service worker' (the browser's events), and failed ones too.
 */
function recorder() {
  const log = [];
  let phase = 'start';
  let serverSeen = 0;
  const rec = {
    log,
    set phase(p) {
      rec.syncServer();
      phase = p;
    },
    get phase() { return phase; },
    /** Moves what the server received since the last call into the log, under the current phase. */
    syncServer() {
      for (; serverSeen < site.served.length; serverSeen++) log.push({ phase, from: 'server', url: site.served[serverSeen].url });
    },
    watch(context, name) {
      context.on('request', (r) => {
        const from = r.serviceWorker() ? 'service worker' : r.frame?.() ? 'page' : 'worker';
        log.push({ phase, from: `${name} ${from}`, url: r.url(), method: r.method() });
      });
      context.on('requestfailed', (r) => log.push({ phase, from: `${name} failed`, url: r.url(), error: r.failure()?.errorText }));
      context.on('page', (p) => p.on('websocket', (ws) => log.push({ phase, from: `${name} websocket`, url: ws.url() })));
    },
  };
  return rec;
}

/** Local only: blob: and data: URLs never touch the network (downloads, the report's charts). */
const local = (url) => url.startsWith('blob:') || url.startsWith('data:');

/** The entries that are not one of the site's own files (wrong origin, unknown path, not GET). */
function foreign(entries) {
  const origin = new URL(site.url).origin;
  return entries.filter((e) => {
    if (local(e.url)) return false;
    if (e.from === 'server') return !own.has(new URL(e.url, site.url).pathname);
    if (e.error) return true; // a failed request is an attempt nobody should have made
    if (e.method && e.method !== 'GET') return true;
    const u = new URL(e.url);
    return u.origin !== origin || !own.has(u.pathname);
  });
}

function list(entries) {
  return entries.map((e) => `  [${e.phase}] ${e.from}: ${e.method ?? ''} ${e.url}${e.error ? ` (${e.error})` : ''}`).join('\n');
}

/** Fails loudly with every unexpected request of `entries`. */
function assertOwnOnly(entries, what) {
  const bad = foreign(entries);
  if (bad.length) assert.fail(`${what}: requests for something other than the site's own files:\n${list(bad)}`);
}

/** Fails loudly with any request at all (but blob:/data:) in `entries`. */
function assertNone(entries, what) {
  const any = entries.filter((e) => !local(e.url));
  if (any.length) assert.fail(`${what}: no request may be made, but there were ${any.length}:\n${list(any)}`);
}

/** Lets in-flight requests land (browser and server) before the log is read. */
async function settle(page, rec, ms = 500) {
  await page.waitForTimeout(ms);
  rec.syncServer();
}

async function dropFile(page, file, name) {
  await page.evaluate(({ b64, name }) => {
    const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bin], name));
    const target = document.querySelector('#dropzone');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
  }, { b64: readFileSync(file).toString('base64'), name });
}

async function newContext(rec, name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(site.url).origin });
  rec.watch(context, name);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  return { context, page };
}

async function ready(page) {
  await page.waitForSelector('html[data-ready="true"]');
}

/** After a drop: the results, then everything the report view and the share panel can do. */
async function useResults(page, file, { share = true } = {}) {
  assert.equal(await waitForOutcome(page), 'results');
  assertSameTable(await readTable(page), cliSummary(file));
  await page.waitForSelector('#report-body h1');
  // A chart download and the report: copy, .md, .html (each a blob: link), the redaction toggle.
  await Promise.all([page.waitForEvent('download'), page.click('#chart-cdf [data-download]')]);
  await page.click('#report-copy');
  await page.waitForFunction(() => /Copied/.test(document.querySelector('#report-status').textContent));
  await Promise.all([page.waitForEvent('download'), page.click('#report-md')]);
  await Promise.all([page.waitForEvent('download'), page.click('#report-html')]);
  await page.click('#report-redact');
  await page.click('#report-redact');
  let link = null;
  if (share) {
    await page.click('#report-share');
    await page.waitForFunction(() => document.querySelector('#share-link').value.includes('#r='));
    await page.click('#share-copy');
    link = await page.inputValue('#share-link');
  }
  // A field override re-reads the same File: still nothing to fetch.
  const group = await page.locator('#field-group').inputValue();
  const other = await page.$$eval('#field-group option', (os, g) => os.map((o) => o.value).find((v) => v !== g && v !== '-'), group);
  if (other) {
    await page.selectOption('#field-group', other);
    await page.waitForFunction((g) => document.querySelector('#overview')?.textContent.includes(`by ${g}`), other);
    await page.selectOption('#field-group', group);
    await page.waitForFunction((g) => document.querySelector('#overview')?.textContent.includes(`by ${g}`), group);
  }
  return link;
}

test('nothing leaves the browser: load, example, drop, report, share, shared link, offline', async () => {
  const rec = recorder();
  const origin = new URL(site.url).origin;

  // 1. First visit: the page, its worker and wasm, and the service worker's precache.
  rec.phase = 'page load';
  const a = await newContext(rec, 'A');
  await a.page.goto(site.url);
  await ready(a.page);
  await a.page.waitForSelector('html[data-offline="ready"]', { timeout: 30_000 });
  await a.page.waitForFunction(() => /^v\d/.test(document.querySelector('#version').textContent));
  await settle(a.page, rec);
  const loaded = new Set(rec.log.filter((e) => e.phase === 'page load' && !local(e.url)).map((e) => new URL(e.url, site.url).pathname));
  for (const p of AT_LOAD) assert.ok(loaded.has(p), `${p} is loaded with the page`);

  // 2. The example (a lazily loaded file of the site's own).
  rec.phase = 'example';
  await a.page.click('#try-example');
  assert.equal(await waitForOutcome(a.page), 'results');
  await settle(a.page, rec);
  const example = rec.log.filter((e) => e.phase === 'example' && !local(e.url));
  assert.ok(example.length > 0 && example.every((e) => new URL(e.url, site.url).pathname in LAZY),
    `the example loads example.log and nothing else:\n${list(example)}`);

  // 3. A dropped file, its results, report and share link: not one request.
  rec.phase = 'drop, results, report, share';
  await dropFile(a.page, FIXTURE, 'heroku-router.log');
  const link = await useResults(a.page, FIXTURE);
  await settle(a.page, rec);
  assertNone(rec.log.filter((e) => e.phase === rec.phase), 'after dropping a file');
  assert.ok(link.startsWith(`${site.url}#r=`), link);

  // 4. The link in a fresh browser context: the page's own files only, never the fragment, no
  // log file; once it shows the shared report, nothing more.
  rec.phase = 'open the share link';
  const b = await newContext(rec, 'B');
  await b.page.goto(link);
  await ready(b.page);
  assert.equal(await waitForOutcome(b.page), 'results');
  await b.page.waitForSelector('#report-body h1');
  assert.ok(await b.page.locator('#shared-banner').isVisible());
  await b.page.waitForSelector('html[data-offline="ready"]', { timeout: 30_000 }); // its precache is done
  await settle(b.page, rec);
  const opened = rec.log.filter((e) => e.phase === rec.phase && !local(e.url));
  assert.ok(opened.length > 0, 'the fresh context loaded the page');
  // (The service worker precaches example.log on this first visit, as every file of the site;
  // the page itself fetches no log.)
  const sent = opened.filter((e) => /[#?&]r=|%23r%3D/i.test(e.url) ||
    (/\.log$/.test(new URL(e.url, site.url).pathname) && !/service worker|server/.test(e.from)));
  if (sent.length) assert.fail(`the share fragment was sent, or the page requested a log file:\n${list(sent)}`);
  rec.phase = 'shared report: report actions';
  await b.page.click('#report-copy');
  await b.page.waitForFunction(() => /Copied/.test(document.querySelector('#report-status').textContent));
  await Promise.all([b.page.waitForEvent('download'), b.page.click('#report-md')]);
  await Promise.all([b.page.waitForEvent('download'), b.page.click('#report-html')]);
  await settle(b.page, rec);
  assertNone(rec.log.filter((e) => e.phase === rec.phase), 'in the shared report');
  assert.deepEqual(b.page.errors, [], 'console errors (context B)');
  await b.context.close();

  // 5. Offline: the network off, reload (from the service worker), drop a file, the report.
  rec.phase = 'offline reload';
  await a.context.setOffline(true);
  await a.page.reload();
  await ready(a.page);
  assert.ok(await a.page.evaluate(() => !!navigator.serviceWorker.controller), 'the service worker serves the page');
  await a.page.waitForFunction(() => /^v\d/.test(document.querySelector('#version').textContent));
  // The browser's service worker update check (GET sw.js, made by the browser itself at a
  // navigation and at register(), which sw-register.js calls on load) is the one request that
  // context.setOffline does not stop: it reaches the server here (with a real network off it
  // fails quietly). It is one of the site's files and carries nothing; wait for it now, so that
  // "nothing after the drop" below stays exact.
  const t0 = Date.now();
  while (!site.served.slice(-10).some((r) => r.url === '/sw.js') && Date.now() - t0 < 10_000) await a.page.waitForTimeout(100);
  await settle(a.page, rec);
  const offlineServer = rec.log.filter((e) => e.phase === rec.phase && e.from === 'server' && e.url !== '/sw.js');
  if (offlineServer.length) assert.fail(`offline, the server still received requests:\n${list(offlineServer)}`);
  rec.phase = 'offline: drop, results, report';
  await dropFile(a.page, FIXTURE, 'heroku-router.log');
  await useResults(a.page, FIXTURE, { share: true });
  await settle(a.page, rec);
  assertNone(rec.log.filter((e) => e.phase === rec.phase), 'offline, after dropping a file');
  rec.phase = 'offline: example';
  await a.page.click('#try-example-top');
  await a.page.waitForFunction(() => /friday-incident/.test(document.querySelector('#overview')?.textContent ?? ''));
  assertSameTable(await readTable(a.page), cliSummary(EXAMPLE));
  await settle(a.page, rec);
  assert.deepEqual(rec.log.filter((e) => e.phase === rec.phase && e.from === 'server'), [], 'offline: the example came from the cache');
  assert.deepEqual(a.page.errors, [], 'console errors (context A)');
  await a.context.close();

  // The whole recording: the site's own files only, from its own origin, all GETs.
  assertOwnOnly(rec.log, 'the whole run');
  const byPhase = {};
  for (const e of rec.log) {
    if (local(e.url)) continue;
    const key = `${e.phase} (${e.from.replace(/^[AB] /, '')})`;
    (byPhase[key] ??= new Set()).add(new URL(e.url, origin).pathname);
  }
  for (const [k, v] of Object.entries(byPhase)) console.log(`# ${k}: ${[...v].sort().join(' ')}`);
  console.log(`# ${rec.log.filter((e) => !local(e.url)).length} requests recorded, ` +
    `${rec.log.filter((e) => e.from === 'server').length} of them by the server; lazily loaded: ${Object.keys(LAZY).join(', ')}`);
});
