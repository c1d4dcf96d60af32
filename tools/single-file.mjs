#!/usr/bin/env node
// Writes dist/logdrop.html: the whole page in one file that works when opened from file://.
// No dependencies; `./build.sh dist` runs it.
//
//   node tools/single-file.mjs <site dir> <no-modules pkg dir> <out.html>
//
// file:// pages cannot load module scripts, fetch files or register a service worker, so:
// - the stylesheet is inlined as <style>, and the page's ES modules (app.js and whatever it
//   imports from ./) become one classic inline <script>: each module is wrapped in a function
//   and its import/export lines are turned into plain bindings (see `bundle`);
// - the analysis worker (worker.js and its imports) becomes a classic worker started from a
//   blob: URL. Its `import … from './pkg/logdrop.js'` is bound to the wasm-bindgen
//   `--target no-modules` glue (a global `wasm_bindgen`), and the wasm, gzipped and base64'd,
//   is decompressed and compiled with the asynchronous `WebAssembly.compile` (Chromium refuses
//   synchronous compiles of modules this size on the main thread, and it keeps the worker
//   responsive) before being passed to the glue's init;
// - the file reader worker (reader.js, already a classic script) is started from a blob: URL too;
// - the example log is inlined the same way (gzip + base64, ~65 KB for 540 KB of log);
// - app.js finds all of that in `globalThis.logdropEmbedded` ({worker(), reader(), example()}), which only
//   this file defines; the hosted site never has it;
// - sw-register.js, the manifest and the touch icon are left out (no service worker on file://);
// - the Content-Security-Policy allows exactly this: the inline script and style by sha256 hash,
//   blob: workers, 'wasm-unsafe-eval', data:/blob: images, and no origin at all.
//
// Large payloads (the worker source with the wasm, the reader, the example) sit in non-executed
// <script type="text/plain"> blocks that the embedded script reads, so no megabyte string is
// part of a hashed, parsed script.

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve } from 'node:path';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';

const [siteArg, pkgArg, outArg] = process.argv.slice(2);
if (!siteArg || !pkgArg || !outArg) {
  console.error('usage: node tools/single-file.mjs <site dir> <no-modules pkg dir> <out.html>');
  process.exit(2);
}
const SITE = resolve(siteArg);
const PKG = resolve(pkgArg);

function fail(message) {
  console.error(`single-file.mjs: ${message}`);
  process.exit(1);
}

const read = (file) => readFileSync(file, 'utf8');
const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const gzBase64 = (bytes) => gzipSync(bytes, { level: 9 }).toString('base64');

// --- ES modules → one classic script --------------------------------------------------------

// `import … from './x.js';` (possibly over several lines) and `import './x.js';`.
// The clause holds no quote or semicolon, so a match never runs on into the next statement.
const IMPORT = /^import\s+(?:([^'";]*?)\s+from\s+)?(['"])([^'"]+)\2\s*;?[ \t]*$/gm;
// `export function|async function|function*|class|const|let|var name`.
const EXPORT_DECL = /^export\s+((?:async\s+)?function\*?|class|const|let|var)\s+([A-Za-z_$][\w$]*)/gm;
// `export { a, b as c };`
const EXPORT_LIST = /^export\s*\{([^}]*)\}\s*;?[ \t]*$/gm;

/**
 * The module at `entry` and everything it imports from relative paths, as one classic script:
 * every module a function run once in dependency order, returning its exports. `virtual` maps
 * a resolved path to a JS expression that stands for that module's namespace (for the wasm glue).
 * `import.meta.url` becomes `document.baseURI` (only used where the embedded hooks are absent).
 */
function bundle(entry, virtual = {}) {
  const order = [];
  const ids = new Map();
  const visiting = new Set();

  function visit(file) {
    if (ids.has(file)) return ids.get(file);
    if (file in virtual) {
      const id = `__virtual${ids.size}`;
      ids.set(file, id);
      order.push({ id, code: `const ${id} = ${virtual[file]};` });
      return id;
    }
    if (visiting.has(file)) fail(`${relative(SITE, file)}: circular imports are not supported`);
    visiting.add(file);
    let code = read(file);
    const bindings = [];
    code = code.replace(IMPORT, (_, clause, _q, spec) => {
      if (!spec.startsWith('./') && !spec.startsWith('../')) fail(`${relative(SITE, file)}: cannot inline import of '${spec}'`);
      const dep = visit(resolve(dirname(file), spec));
      if (clause) bindings.push(...importBindings(clause.trim(), dep, file));
      return '';
    });
    const exports = [];
    code = code.replace(EXPORT_DECL, (_, kind, name) => {
      exports.push([name, name]);
      return `${kind} ${name}`;
    });
    code = code.replace(EXPORT_LIST, (_, list) => {
      for (const item of list.split(',').map((s) => s.trim()).filter(Boolean)) {
        const m = /^([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(item);
        if (!m) fail(`${relative(SITE, file)}: cannot read export { ${item} }`);
        exports.push([m[1], m[2] ?? m[1]]);
      }
      return '';
    });
    if (/^export\b/m.test(code)) fail(`${relative(SITE, file)}: an export form this bundler does not handle (default, *, several declarators)`);
    code = code.replaceAll('import.meta.url', 'document.baseURI');
    if (/\bimport\s*\.\s*meta\b|^\s*import\b|\bimport\s*\(/m.test(code)) fail(`${relative(SITE, file)}: an import this bundler does not handle (dynamic import(), import.meta)`);
    visiting.delete(file);
    const id = `__module${ids.size}`;
    ids.set(file, id);
    const getters = exports.map(([local, exported]) => `get ${exported}() { return ${local}; }`).join(', ');
    order.push({
      id,
      code: `// ${posix.normalize(relative(SITE, file))}\nconst ${id} = (() => {\n'use strict';\n${bindings.join('\n')}\n${code}\nreturn { ${getters} };\n})();`,
    });
    return id;
  }

  visit(resolve(entry));
  const out = `(() => {\n'use strict';\n${order.map((m) => m.code).join('\n\n')}\n})();\n`;
  try {
    new vm.Script(out, { filename: relative(SITE, entry) }); // a syntax check as a classic script
  } catch (err) {
    fail(`the classic version of ${relative(SITE, entry)} does not compile: ${err.message}`);
  }
  return out;
}

/** `a`, `* as ns`, `{ a, b as c }`, `a, { b }`, `a, * as ns` → const bindings to module `dep`. */
function importBindings(clause, dep, file) {
  const out = [];
  let rest = clause;
  const def = /^([\w$]+)\s*(?:,\s*|$)/.exec(rest);
  if (def && !rest.startsWith('{') && !rest.startsWith('*')) {
    out.push(`const ${def[1]} = ${dep}.default;`);
    rest = rest.slice(def[0].length);
  }
  if (!rest) return out;
  let m;
  if ((m = /^\*\s+as\s+([\w$]+)$/.exec(rest))) {
    out.push(`const ${m[1]} = ${dep};`);
  } else if ((m = /^\{([\s\S]*)\}$/.exec(rest))) {
    const names = m[1].split(',').map((s) => s.trim()).filter(Boolean).map((item) => {
      const n = /^([\w$]+)(?:\s+as\s+([\w$]+))?$/.exec(item);
      if (!n) fail(`${relative(SITE, file)}: cannot read import { ${item} }`);
      return n[2] ? `${n[1]}: ${n[2]}` : n[1];
    });
    out.push(`const { ${names.join(', ')} } = ${dep};`);
  } else {
    fail(`${relative(SITE, file)}: cannot read import ${clause}`);
  }
  return out;
}

// --- the worker -----------------------------------------------------------------------------

const glue = read(join(PKG, 'logdrop.js'));
if (!/^let wasm_bindgen = /m.test(glue)) fail(`${PKG}/logdrop.js is not wasm-bindgen --target no-modules output`);
const wasmBytes = readFileSync(join(PKG, 'logdrop_bg.wasm'));

// What `import init, * as wasm from './pkg/logdrop.js'` means in the worker: the glue's
// exports, and an init that compiles the inlined wasm.
const WASM_NAMESPACE = `Object.assign(Object.create(null), wasm_bindgen, {
  default: () => logdropWasmModule().then((module) => wasm_bindgen({ module_or_path: module })),
})`;

const workerSource = [
  '// logdrop analysis worker (single-file build: a classic worker from a blob: URL).',
  glue,
  `const LOGDROP_WASM_GZ = '${gzBase64(wasmBytes)}';`,
  `async function logdropWasmModule() {
  const gz = base64Bytes(LOGDROP_WASM_GZ);
  const bytes = await new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
  return WebAssembly.compile(bytes);
}`,
  base64Bytes.toString(),
  bundle(join(SITE, 'worker.js'), { [join(SITE, 'pkg/logdrop.js')]: WASM_NAMESPACE }),
].join('\n');

// The file reader: a classic worker as it is.
const readerSource = read(join(SITE, 'reader.js'));
try {
  new vm.Script(readerSource, { filename: 'reader.js' });
} catch (err) {
  fail(`reader.js does not compile as a classic script: ${err.message}`);
}

function base64Bytes(text) {
  if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text);
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// --- the page -------------------------------------------------------------------------------

const exampleFile = join(SITE, 'example.log');
let example = null;
try {
  example = readFileSync(exampleFile);
} catch {
  console.warn('single-file.mjs: no example.log in the site: the example button will say so');
}

// The hooks app.js looks for. A function's source, so that it is checked by the syntax check
// below like the rest.
const embedded = `(() => {
'use strict';
${base64Bytes.toString()}
const urls = {};
const blobUrl = (id) => (urls[id] ??= URL.createObjectURL(new Blob([document.getElementById(id).textContent], { type: 'text/javascript' })));
globalThis.logdropEmbedded = {
  /** A new classic analysis worker (one blob: URL for all of them). */
  worker() {
    return new Worker(blobUrl('logdrop-worker'), { name: 'logdrop analysis' });
  },
  /** A new file reader worker (reader.js). */
  reader() {
    return new Worker(blobUrl('logdrop-reader'), { name: 'logdrop reader' });
  },
  /** The example log as a Blob (inlined gzipped). */
  async example() {
    const data = document.getElementById('logdrop-example');
    if (!data) throw new Error('this file was built without the example');
    const gz = new Blob([base64Bytes(data.textContent.trim())]);
    return new Response(gz.stream().pipeThrough(new DecompressionStream('gzip'))).blob();
  },
};
})();
`;

const app = bundle(join(SITE, 'app.js'));
const css = read(join(SITE, 'style.css'));
for (const [name, text] of [['embedded script', embedded], ['app', app], ['style', css]]) {
  if (/<\/(script|style)|<!--/i.test(text)) fail(`the ${name} contains </script>, </style> or <!--, which would end or confuse its inline element`);
}
try {
  new vm.Script(embedded);
} catch (err) {
  fail(`the embedded script does not compile: ${err.message}`);
}

/** A non-executed data block; its text must not end the element early. */
function dataBlock(id, text) {
  return `<script type="text/plain" id="${id}">${text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--')}</script>`;
}
// The worker source is JS: `<\/script` inside it is still the same string or regex. `<!--`
// would not be, so refuse it instead of rewriting it.
if (/<!--/.test(workerSource)) fail('the worker source contains <!--');
if (/<!--/.test(readerSource)) fail('reader.js contains <!--');

const csp = [
  "default-src 'none'",
  `script-src ${sha256(embedded)} ${sha256(app)} 'wasm-unsafe-eval'`,
  'worker-src blob:',
  `style-src ${sha256(css)}`,
  'img-src data: blob:',
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

let html = read(join(SITE, 'index.html'));
const replaceOnce = (pattern, by, what) => {
  let n = 0;
  html = html.replace(pattern, (...m) => { n++; return typeof by === 'function' ? by(...m) : by; });
  if (n !== 1) fail(`index.html: expected one ${what}, found ${n}`);
};
replaceOnce(/<meta http-equiv="Content-Security-Policy"[^>]*>/, () =>
  `<meta http-equiv="Content-Security-Policy"\n        content="${csp}">`, 'CSP meta tag');
replaceOnce(/[ \t]*<link rel="stylesheet" href="style\.css">/, () => `  <style>${css}</style>`, 'stylesheet link');
replaceOnce(/[ \t]*<script type="module" src="app\.js"><\/script>\n/, '', 'app.js script');
replaceOnce(/[ \t]*<script type="module" src="sw-register\.js"><\/script>\n/, '', 'sw-register.js script');
replaceOnce(/[ \t]*<link rel="manifest"[^>]*>\n/, '', 'manifest link');
html = html.replace(/[ \t]*<link rel="apple-touch-icon"[^>]*>\n/, '');
html = html.replace(/[ \t]*<!-- Installable and offline[^>]*-->\n/, '');
html = html.replaceAll('href="./"', 'href=""'); // "home" is this file, not its folder
replaceOnce(/<\/body>/, () => [
  dataBlock('logdrop-worker', workerSource),
  dataBlock('logdrop-reader', readerSource),
  example ? dataBlock('logdrop-example', gzBase64(example)) : '',
  `<script>${embedded}</script>`,
  `<script>${app}</script>`,
  '</body>',
].filter(Boolean).join('\n'), '</body>');
html = html.replace('<html lang="en">', '<html lang="en">\n<!-- logdrop in one file (./build.sh dist): works from file://, loads nothing, uploads nothing. -->');

// Nothing may point at a file next to the page (there is none); data: is fine.
const strip = html.replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1>/g, '');
for (const m of strip.matchAll(/\b(?:src|href)="([^"]*)"/g)) {
  const url = m[1];
  if (url === '' || url.startsWith('#') || url.startsWith('data:')) continue;
  fail(`index.html still refers to ${url}, which the single file cannot load`);
}

writeFileSync(outArg, html);
console.log(`single-file.mjs: ${outArg} (${html.length.toLocaleString('en-US')} characters; wasm ${wasmBytes.length.toLocaleString('en-US')} bytes inlined gzipped${example ? ', example inlined' : ''})`);
