// Offline use (issue 5): the service worker on the published folder (dist/site/), the web app
// manifest, and the single file (dist/logdrop.html) opened from file://. `./build.sh test` runs
// `dist` before these; on their own: ./build.sh dist && node --test tests/browser/offline.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CHROMIUM_ARGS, assertSameTable, EXAMPLE, ROOT, cliSummary, readTable, screenshotPath, serveRecorded, waitForOutcome,
} from './helpers.mjs';

const SITE = join(ROOT, 'dist/site');
const SINGLE = join(ROOT, 'dist/logdrop.html');
const FIXTURE = join(ROOT, 'tests/fixtures/logfmt/heroku-router.log');

let browser;
before(async () => {
  for (const f of [join(SITE, 'sw.js'), join(SITE, 'index.html'), SINGLE]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run ./build.sh dist first`);
  }
  browser = await chromium.launch({ executablePath: process.env.LOGDROP_CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
});
after(async () => { await browser?.close(); });

/** A fresh context and page with every request and console error recorded. */
async function newPage(opts = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...opts });
  const page = await context.newPage();
  page.requests = [];
  page.errors = [];
  page.failed = [];
  // Requests started before `page.failed` was last cleared (`clearFailed`): a request of the
  // previous document that the browser ends when a reload tears it down is not a request that
  // failed offline (the analysis worker's wasm fetch, on a busy machine, ended as ERR_ABORTED
  // after the reload).
  page.started = new Set();
  page.earlier = new Set();
  page.clearFailed = () => {
    page.failed.length = 0;
    page.earlier = new Set(page.started);
  };
  context.on('request', (r) => {
    page.requests.push(r.url());
    page.started.add(r);
  });
  context.on('requestfailed', (r) => {
    if (!page.earlier.has(r)) page.failed.push(`${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  return { context, page };
}

async function ready(page) {
  await page.waitForSelector('html[data-ready="true"]');
}


async function dropFile(page, file, name) {
  await page.evaluate(({ b64, name }) => {
    const bin = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bin], name));
    document.querySelector('#dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { b64: readFileSync(file).toString('base64'), name });
}

/** When the other half of issue 5 (the report view) is in the page, it shows a report. */
async function assertReportIfAny(page) {
  if (await page.locator('#report-body').count() === 0) return;
  await page.waitForFunction(() => document.querySelector('#report-body')?.textContent.trim().length > 200, null, { timeout: 10_000 });
  assert.match(await page.locator('#report-body').textContent(), /root cause|summary/i);
}

/** The version written into dist/site/sw.js by ./build.sh build. */
function swVersion(dir = SITE) {
  return /const VERSION = '([0-9a-f]{16})';/.exec(readFileSync(join(dir, 'sw.js'), 'utf8'))?.[1];
}

test('sw.js is filled in by the build and its source keeps the placeholders', () => {
  const built = readFileSync(join(SITE, 'sw.js'), 'utf8');
  assert.ok(swVersion(), 'a 16-hex-digit version');
  assert.doesNotMatch(built, /__LOGDROP_/);
  const list = JSON.parse(/const PRECACHE = (\[.*\]);/.exec(built)[1].replaceAll("'", '"'));
  for (const f of ['./', 'app.js', 'worker.js', 'reader.js', 'style.css', 'pkg/logdrop.js', 'pkg/logdrop_bg.wasm', 'example.log',
    'manifest.webmanifest', 'icons/icon-192.png', 'icons/icon-512.png', 'sw-register.js']) {
    assert.ok(list.includes(f), `${f} is precached`);
    assert.ok(existsSync(join(SITE, f === './' ? 'index.html' : f)), `${f} is in dist/site`);
  }
  assert.ok(!list.includes('sw.js') && !list.includes('sw.src.js') && !list.includes('index.html'));
  assert.equal(existsSync(join(SITE, 'sw.src.js')), false, 'the source is not published');
  const source = readFileSync(join(ROOT, 'www/sw.src.js'), 'utf8');
  assert.match(source, /'__LOGDROP_VERSION__'/);
  assert.match(source, /\[\/\* __LOGDROP_PRECACHE__ \*\/\]/);
});

test('after one visit the page works offline: reload, drop a file, get the results', async () => {
  const site = await serveRecorded(SITE);
  const { context, page } = await newPage();
  try {
    await page.goto(site.url);
    await ready(page);
    // First visit: the worker precaches everything, takes the page and says so, once.
    await page.waitForSelector('#sw-notice', { timeout: 20_000 });
    assert.match(await page.locator('#sw-notice').textContent(), /ready to work offline/i);
    assert.equal(await page.getAttribute('html', 'data-offline'), 'ready');
    const caches = await page.evaluate(async () => {
      const out = {};
      for (const name of await caches.keys()) out[name] = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
      return out;
    });
    assert.deepEqual(Object.keys(caches), [`logdrop-${swVersion()}`], 'one cache, named by the version');
    assert.ok(caches[`logdrop-${swVersion()}`].includes('/pkg/logdrop_bg.wasm'));
    await page.screenshot({ path: screenshotPath('offline-ready.png') });

    // Network off (and the server gone): reload.
    await context.setOffline(true);
    await site.close();
    site.served.length = 0;
    page.clearFailed();
    await page.reload();
    await ready(page);
    assert.ok(await page.evaluate(() => !!navigator.serviceWorker.controller), 'the page is served by the worker');
    assert.equal(await page.locator('#sw-notice').count(), 0, 'the offline notice is said once, not on every visit');
    // The footer shows the version once the worker's wasm has started (after data-ready).
    await page.waitForFunction(() => /^v\d/.test(document.querySelector('#version')?.textContent ?? ''), null, { timeout: 30_000 });

    await dropFile(page, FIXTURE, 'heroku-router.log');
    assert.equal(await waitForOutcome(page), 'results');
    assertSameTable(await readTable(page), cliSummary(FIXTURE));
    await assertReportIfAny(page);

    // The example comes from the cache too.
    await page.click('#try-example-top');
    await page.waitForFunction(() => /friday-incident/.test(document.querySelector('#overview')?.textContent ?? ''));
    assertSameTable(await readTable(page), cliSummary(EXAMPLE));
    await page.screenshot({ path: screenshotPath('offline.png'), fullPage: false });

    assert.deepEqual(site.served.map((r) => r.url), [], 'no request reached the server while offline');
    assert.deepEqual(page.failed, [], 'no request failed while offline');
    assert.deepEqual(page.errors, [], 'console errors');
  } finally {
    await context.close();
    await site.close().catch(() => {});
  }
});

test('a new version waits while an analysis runs, is offered when idle, and replaces the old cache', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logdrop-site-'));
  cpSync(SITE, dir, { recursive: true });
  const site = await serveRecorded(dir);
  const { context, page } = await newPage();
  try {
    await page.goto(site.url);
    await ready(page);
    await page.waitForSelector('html[data-offline="ready"]', { timeout: 20_000 });
    const oldVersion = swVersion(dir);

    // A new build: a changed file, so a new version in sw.js.
    writeFileSync(join(dir, 'example.log'), readFileSync(join(dir, 'example.log'), 'utf8') + '\n');
    const newVersion = 'feedfacecafebeef';
    writeFileSync(join(dir, 'sw.js'), readFileSync(join(dir, 'sw.js'), 'utf8').replace(oldVersion, newVersion));
    await page.reload();
    await ready(page);
    // The new worker installs and waits; the page, idle, offers it.
    await page.waitForSelector('#sw-notice-action', { timeout: 20_000 });
    assert.match(await page.locator('#sw-notice').textContent(), /new version/i);
    await page.screenshot({ path: screenshotPath('update-offer.png') });
    assert.ok(await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration()).waiting));

    // While an analysis runs, the offer is hidden and the old worker stays in charge.
    await page.evaluate(() => {
      const line = '{"ts":"2026-11-27T18:00:00Z","responseTimeMs":812,"status":"Timeout","modelVersion":"v1.3"}\n';
      const chunk = line.repeat(Math.ceil((1 << 20) / line.length));
      const dt = new DataTransfer();
      dt.items.add(new File(Array(300).fill(chunk), 'big.log'));
      document.querySelector('#dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.waitForSelector('#progress:not([hidden])');
    assert.equal(await page.locator('#sw-notice').isVisible(), false, 'no update offer mid-analysis');
    assert.ok(await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration()).waiting), 'the new worker still waits');
    await page.click('#cancel');
    await page.waitForSelector('#sw-notice:not([hidden])');

    // Reload → the new version takes over, and only its cache is left.
    await Promise.all([page.waitForEvent('load'), page.click('#sw-notice-action')]);
    await ready(page);
    const version = await page.evaluate(() => new Promise((ok) => {
      navigator.serviceWorker.addEventListener('message', (e) => ok(e.data.version), { once: true });
      navigator.serviceWorker.controller.postMessage({ type: 'version' });
    }));
    assert.equal(version, newVersion);
    assert.deepEqual(await page.evaluate(() => caches.keys()), [`logdrop-${newVersion}`]);
    assert.deepEqual(page.errors, [], 'console errors');
  } finally {
    await context.close();
    await site.close();
  }
});

test('the web app manifest is served, valid and has the icons', async () => {
  const site = await serveRecorded(SITE);
  const { context, page } = await newPage();
  try {
    await page.goto(site.url);
    await ready(page);
    const cdp = await context.newCDPSession(page);
    const { url, errors, data } = await cdp.send('Page.getAppManifest');
    assert.equal(url, `${site.url}manifest.webmanifest`);
    assert.deepEqual(errors, [], 'chromium finds no error in the manifest');
    const manifest = JSON.parse(data);
    assert.equal(manifest.short_name, 'logdrop');
    assert.equal(manifest.display, 'standalone');
    assert.equal(manifest.start_url, './');
    assert.match(manifest.theme_color, /^#[0-9a-f]{6}$/i);
    const sizes = new Set();
    for (const icon of manifest.icons) {
      const res = await fetch(new URL(icon.src, url));
      assert.equal(res.status, 200, icon.src);
      assert.equal(res.headers.get('content-type'), 'image/png');
      const png = Buffer.from(await res.arrayBuffer());
      assert.equal(png.subarray(1, 4).toString(), 'PNG');
      const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
      assert.equal(icon.sizes, `${w}x${h}`, `${icon.src} is ${w}x${h}`);
      sizes.add(icon.sizes);
    }
    assert.ok(sizes.has('192x192') && sizes.has('512x512'));
    assert.ok(manifest.icons.some((i) => i.purpose === 'maskable'));
    assert.equal(await page.locator('meta[name="theme-color"]').count(), 2);
  } finally {
    await context.close();
    await site.close();
  }
});

test('the single file works from file:// with no request at all, and matches the CLI', async () => {
  const html = readFileSync(SINGLE, 'utf8');
  assert.doesNotMatch(html, /type="module"|<script[^>]+src=|<link[^>]+stylesheet/, 'classic inline scripts only');
  const { context, page } = await newPage();
  try {
    const url = pathToFileURL(SINGLE).href;
    await page.goto(url);
    await ready(page);
    await page.setInputFiles('#file-input', FIXTURE);
    assert.equal(await waitForOutcome(page), 'results');
    assertSameTable(await readTable(page), cliSummary(FIXTURE));
    await assertReportIfAny(page);

    await page.click('#try-example-top');
    await page.waitForFunction(() => /friday-incident/.test(document.querySelector('#overview')?.textContent ?? ''));
    assertSameTable(await readTable(page), cliSummary(EXAMPLE));
    for (const id of ['#chart-cdf', '#chart-timeline', '#chart-errors']) {
      assert.match(await page.locator(`${id} svg`).textContent(), /v1\.3/);
    }
    await page.screenshot({ path: screenshotPath('single-file.png') });
    await page.screenshot({ path: screenshotPath('single-file-full.png'), fullPage: true });

    const network = page.requests.filter((r) => r !== url && !r.startsWith('blob:') && !r.startsWith('data:'));
    assert.deepEqual(network, [], 'requests other than the file itself');
    assert.deepEqual(page.errors, [], 'console errors (CSP violations included)');
    assert.equal(await page.evaluate(() => navigator.serviceWorker?.controller ?? null), null);
  } finally {
    await context.close();
  }
});
