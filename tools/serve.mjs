#!/usr/bin/env node
// A tiny static file server for the page and its tests. No dependencies.
//
//   node tools/serve.mjs <dir> <port> [--host 127.0.0.1]
//
// Serves <dir> on http://127.0.0.1:<port>/ (port 0 picks a free one) with `Cache-Control: no-cache`,
// the MIME types the page needs (`.wasm` must be application/wasm for streaming compilation) and
// index.html for directories. Anything outside <dir> is a 404, as is anything missing. It binds to
// the loopback interface only: logs stay on this machine, and so does this server.
//
// Tests import it:  const { server, url } = await startServer('www', 0);  ...  server.close();

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.ndjson': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.gz': 'application/gzip',
};

// Loopback only, whatever the caller asks: the brief for this server is "never on the network".
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Serve `dir` on `host:port` (port 0 = a free port).
 * Resolves to { server, url } once listening; `url` ends with '/'.
 */
export async function startServer(dir, port = 0, { host = '127.0.0.1', log = false } = {}) {
  if (!LOOPBACK.has(host)) throw new Error(`serve.mjs binds to loopback only, not ${host}`);
  const root = resolve(dir);
  const rootStat = await stat(root).catch(() => null);
  if (!rootStat?.isDirectory()) throw new Error(`not a directory: ${root}`);

  const server = createServer((req, res) => {
    handle(root, req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, `500 ${err.message}\n`);
      else res.destroy(err);
    });
    if (log) res.on('finish', () => console.log(`${res.statusCode} ${req.method} ${req.url}`));
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const { port: bound } = server.address();
  const shown = host.includes(':') ? `[${host}]` : host;
  return { server, url: `http://${shown}:${bound}/` };
}

async function handle(root, req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, '405 method not allowed\n');
  }
  let path;
  try {
    path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  } catch {
    return send(res, 400, '400 bad request\n');
  }
  // Resolve against the root and refuse anything that lands outside it (`..`, encoded or not),
  // and NUL bytes, which the file system APIs reject anyway.
  let file = resolve(root, '.' + path);
  if (path.includes('\0') || (file !== root && !file.startsWith(root + sep))) {
    return send(res, 404, '404 not found\n');
  }
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    if (!path.endsWith('/')) {
      res.setHeader('Location', path + '/');
      return send(res, 301, '');
    }
    file = join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return send(res, 404, '404 not found\n');

  res.writeHead(200, {
    'Content-Type': MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') return res.end();
  await new Promise((ok, fail) => {
    const stream = createReadStream(file);
    stream.on('error', fail);
    res.on('close', ok);
    stream.pipe(res);
  });
}

function send(res, status, body) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache',
  });
  res.end(body);
}

// Run as a program: node tools/serve.mjs <dir> <port> [--host 127.0.0.1] [--log]
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opts = { host: '127.0.0.1', log: false };
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--host') opts.host = args[++i];
    else if (args[i] === '--log') opts.log = true;
    else positional.push(args[i]);
  }
  const [dir, portArg = '8080'] = positional;
  const port = Number(portArg);
  if (!dir || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('usage: node tools/serve.mjs <dir> <port> [--host 127.0.0.1] [--log]');
    process.exit(2);
  }
  try {
    const { url } = await startServer(dir, port, opts);
    console.log(`serving ${resolve(dir)} at ${url}  (Ctrl-C to stop)`);
  } catch (err) {
    console.error(`serve.mjs: ${err.message}`);
    process.exit(1);
  }
}
