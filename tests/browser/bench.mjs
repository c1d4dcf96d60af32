#!/usr/bin/env node
// Browser benchmark: the page's wasm worker on FILE in headless chromium, through the normal
// file path (the file input). Prints one JSON line:
//   {"mb_per_s": …, "long_tasks_over_100ms": …, "seconds": …, "bytes": …, "records": …,
//    "longest_task_ms": …}
// mb_per_s counts FILE's bytes (1 MB = 10^6 bytes) over the time from choosing the file to the
// results being shown. Long tasks are the main thread's, seen by a PerformanceObserver.
//
//   node tests/browser/bench.mjs FILE        (tools/bench.py calls it; needs ./build.sh build)

import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { setup, openPage, waitForOutcome } from './helpers.mjs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node tests/browser/bench.mjs FILE');
  process.exit(2);
}
const path = resolve(file);
const bytes = statSync(path).size;

const env = await setup();
try {
  const page = await openPage(env.browser, env.url);
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: 'longtask' });
  });
  // Wait for the worker's wasm to be ready (the page starts it on load and shows the version).
  await page.waitForFunction(() => document.querySelector('#version').textContent !== '', null, { timeout: 30_000 });
  // A person takes a moment between the page appearing and dropping a file; the analysis
  // worker warms up its wasm in that moment (worker.js, warmUp).
  await page.waitForTimeout(Number(process.env.BENCH_SETTLE_MS ?? 1000));
  // Timed in the page, from the file input's change event to the frame after the results (or
  // a problem) are shown. Timing from here around `waitForOutcome` measured Playwright's polling
  // too: past its first tries it polls every 500 ms, so every run came out as ~2.35, ~2.87 or
  // ~3.39 s (456, 374 or 317 MB/s) while the worker's own time went smoothly from 2.2 to 2.7 s.
  await page.evaluate(() => {
    const outcome = ['#results', '#problem'].map((s) => document.querySelector(s));
    window.__picked = null;
    window.__shown = null;
    document.querySelector('#file-input').addEventListener('change', () => {
      window.__picked = performance.now();
    }, { capture: true, once: true });
    new MutationObserver((_, observer) => {
      if (window.__picked === null || outcome.every((el) => el.hidden)) return;
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => { window.__shown = performance.now(); }, 0));
    }).observe(document.body, { attributes: true, attributeFilter: ['hidden'], subtree: true });
  });
  await page.setInputFiles('#file-input', path);
  const outcome = await waitForOutcome(page, 30 * 60_000);
  if (outcome !== 'results') {
    throw new Error(`the page showed a problem: ${await page.locator('#problem-text').textContent()}`);
  }
  await page.waitForFunction(() => window.__shown !== null, null, { timeout: 10_000 });
  const seconds = await page.evaluate(() => (window.__shown - window.__picked) / 1000);
  const tasks = await page.evaluate(() => window.__longTasks);
  const records = await page.$$eval('#groups tbody tr', (rows) =>
    rows.reduce((n, tr) => n + Number(tr.querySelector('[data-col="count"]')?.dataset.value ?? 0), 0));
  console.log(JSON.stringify({
    mb_per_s: Math.round((bytes / 1e6 / seconds) * 10) / 10,
    long_tasks_over_100ms: tasks.filter((d) => d > 100).length,
    longest_task_ms: Math.round(Math.max(0, ...tasks)),
    seconds: Math.round(seconds * 100) / 100,
    bytes,
    records,
  }));
} finally {
  await env.close();
}
