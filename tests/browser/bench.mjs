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
  const t0 = performance.now();
  await page.setInputFiles('#file-input', path);
  const outcome = await waitForOutcome(page, 30 * 60_000);
  const seconds = (performance.now() - t0) / 1000;
  if (outcome !== 'results') {
    throw new Error(`the page showed a problem: ${await page.locator('#problem-text').textContent()}`);
  }
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
