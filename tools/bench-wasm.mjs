#!/usr/bin/env node
// The page's wasm analyzer (www/pkg, as built) in Node, over FILE: the engine alone, without the
// browser's file reading, beside the page's figure in `./build.sh bench`. Node reads FILE in
// 16 MiB pieces and pushes them 1 MiB at a time, as the worker does. Prints one JSON line:
//   {"mb_per_s": …, "seconds": …, "bytes": …, "summary": {…}}   (summary: the JSON contract)
//
//   node tools/bench-wasm.mjs FILE        (tools/bench.py calls it; needs ./build.sh build)

import { openSync, readSync, closeSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const file = process.argv[2];
if (!file) {
  console.error('usage: node tools/bench-wasm.mjs FILE');
  process.exit(2);
}
const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', 'www', 'pkg');
const wasm = await import(join(pkg, 'logdrop.js'));
wasm.initSync({ module: readFileSync(join(pkg, 'logdrop_bg.wasm')) });

const bytes = statSync(file).size;
const buf = Buffer.allocUnsafe(16 << 20);
const fd = openSync(file, 'r');
const t0 = performance.now();
const analyzer = new wasm.Analyzer('{}');
for (;;) {
  const n = readSync(fd, buf, 0, buf.length, null);
  if (n === 0) break;
  for (let at = 0; at < n; at += 1 << 20) analyzer.push(buf.subarray(at, Math.min(n, at + (1 << 20))));
}
const summary = JSON.parse(analyzer.finish());
const seconds = (performance.now() - t0) / 1000;
closeSync(fd);
console.log(JSON.stringify({ mb_per_s: bytes / 1e6 / seconds, seconds, bytes, summary }));
