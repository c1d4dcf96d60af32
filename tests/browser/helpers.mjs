// Shared set-up for the browser tests and the bench: headless Debian chromium driven by
// playwright-core, the page served from www/ by tools/serve.mjs on a free loopback port,
// and every request the page makes recorded.

import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../../tools/serve.mjs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const WWW = join(ROOT, 'www');
export const RESULTS = join(ROOT, 'test-results');
export const EXAMPLE = join(ROOT, 'tests/fixtures/example/friday-incident.log');
export const CLI = join(ROOT, 'target/release/logdrop');

// The machine's network is closed: these keep chromium from trying (and logging) anyway.
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function requireBuilt() {
  for (const f of ['pkg/logdrop.js', 'pkg/logdrop_bg.wasm', 'example.log', 'index.html']) {
    if (!existsSync(join(WWW, f))) throw new Error(`www/${f} is missing: run ./build.sh build first`);
  }
}

/** Starts the server and a browser; returns {browser, url, close}. */
export async function setup() {
  requireBuilt();
  const { server, url } = await startServer(WWW, 0);
  const browser = await chromium.launch({
    executablePath: process.env.LOGDROP_CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  return {
    browser,
    url,
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/**
 * A new page on `url` with the request log (`page.requests`: every URL requested, workers
 * included) and console errors (`page.errors`). Waits until the app is wired.
 */
export async function openPage(browser, url, {
  colorScheme = 'light', viewport = { width: 1280, height: 900 },
  contextOptions = {}, // more browser.newContext options, e.g. {serviceWorkers: 'block'}
  beforeGoto = null, // async (context) => …: e.g. context.route(…) before the page loads
} = {}) {
  const context = await browser.newContext({ colorScheme, viewport, acceptDownloads: true, ...contextOptions });
  const page = await context.newPage();
  page.requests = [];
  page.errors = [];
  context.on('request', (r) => page.requests.push(r.url()));
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  if (beforeGoto) await beforeGoto(context);
  await page.goto(url);
  await page.waitForSelector('html[data-ready="true"]');
  return page;
}

/** Waits for the results (or a problem) after starting an analysis. */
export async function waitForOutcome(page, timeout = 60_000) {
  await page.waitForSelector('#results:not([hidden]), #problem:not([hidden])', { timeout });
  return (await page.locator('#problem').isVisible()) ? 'problem' : 'results';
}

/** The table as [{key, count, errors, error_rate, p50, …}] from the cells' data-value. */
export async function readTable(page) {
  return page.$$eval('#groups tbody tr', (rows) => rows.map((tr) => {
    const out = { key: tr.dataset.key };
    for (const cell of tr.querySelectorAll('[data-col]')) {
      const v = cell.dataset.value;
      out[cell.dataset.col] = v === undefined ? null : v;
      out[`${cell.dataset.col}_text`] = cell.textContent;
    }
    return out;
  }));
}

/** `logdrop analyze --format json FILE` as an object (the CLI built in release mode). */
export function cliSummary(file, args = []) {
  if (!existsSync(CLI)) throw new Error('target/release/logdrop is missing: run ./build.sh build first');
  let out;
  try {
    out = execFileSync(CLI, ['analyze', '--format', 'json', ...args, file], { maxBuffer: 64 << 20 });
  } catch (e) {
    out = e.stdout; // exit code 1 still prints the summary (a problem with the input)
  }
  return JSON.parse(out.toString());
}

export function screenshotPath(name) {
  mkdirSync(RESULTS, { recursive: true });
  return join(RESULTS, name);
}

/** Only the page's own files: same origin, nothing else (blob:/data: are not requests). */
export function foreignRequests(page, url) {
  const origin = new URL(url).origin;
  return page.requests.filter((r) => !r.startsWith(origin + '/') && !r.startsWith('blob:') && !r.startsWith('data:'));
}

/** The page's table equals the CLI's groups (same numbers in CLI and browser). */
export function assertSameTable(rows, summary) {
  assert.equal(rows.length, Math.min(summary.groups.length, 200), 'one row per group');
  summary.groups.forEach((g, i) => {
    const r = rows[i];
    assert.equal(r.key, g.key);
    assert.equal(r.count, String(g.count), `${g.key} count`);
    assert.equal(r.errors, String(g.errors), `${g.key} errors`);
    assert.equal(r.error_rate, String(g.error_rate), `${g.key} error rate`);
    for (const p of ['p50', 'p90', 'p95', 'p99', 'max']) {
      const want = g.latency_ms ? String(g.latency_ms[p]) : null;
      assert.equal(r[p], want, `${g.key} ${p}`);
    }
    assert.equal(r.first_seen, g.first_seen ?? null, `${g.key} first seen`);
    assert.equal(r.last_seen, g.last_seen ?? null, `${g.key} last seen`);
  });
}

/**
 * Serves `dir` on a free loopback port and logs every request the server receives, in order
 * (`served`: [{url, at}]). For tests that must prove what reached the server, not just what the
 * browser says it asked for.
 */
export async function serveRecorded(dir) {
  const { server, url } = await startServer(dir, 0);
  const served = [];
  server.on('request', (req) => served.push({ url: req.url, at: Date.now() }));
  return {
    url,
    served,
    async close() {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    },
  };
}

/** The URL paths of the files a static folder serves ('/' for index.html included). */
export function ownPaths(dir) {
  const paths = new Set(['/']);
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!f.isFile()) continue;
    const rel = join(f.parentPath ?? f.path, f.name).slice(dir.length).replaceAll('\\', '/');
    paths.add(rel.startsWith('/') ? rel : `/${rel}`);
  }
  return paths;
}

/**
 * Tracks the page's analysis workers (or, with `pattern`, other workers: /\/reader\.js$/ for
 * their file readers): {all: [Worker], closed: Map<Worker, ms when it ended>}.
 */
export function trackWorkers(page, pattern = /\/worker\.js$/) {
  const t = { all: [], closed: new Map() };
  const watch = (w) => {
    if (!pattern.test(w.url())) return;
    t.all.push(w);
    w.on('close', () => t.closed.set(w, Date.now()));
  };
  page.workers().forEach(watch);
  page.on('worker', watch);
  return t;
}

/** Waits until `cond()` (polled every 25 ms) is true; throws naming `what` after `ms`. */
export async function until(cond, what, ms = 5000) {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 25));
  }
}
