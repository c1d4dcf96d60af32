// End-to-end tests of the incident report and the share link in the page (issue 5), in headless
// chromium (node --test; ./build.sh test runs them after building www/). The report is checked
// against the CLI on the same input: `logdrop analyze --format json|markdown|html`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  setup, openPage, waitForOutcome, readTable, cliSummary, screenshotPath, foreignRequests,
  EXAMPLE, CLI,
} from './helpers.mjs';

let env;
before(async () => { env = await setup(); });
after(async () => { await env?.close(); });

const TMP = mkdtempSync(join(tmpdir(), 'logdrop-report-'));

const SECTIONS = ['Summary', 'Root cause analysis', 'Immediate action', 'Prevention', 'Timeline',
  'Retrospective notes', 'Appendix: how the log was read'];

/** `logdrop analyze --format FORMAT FILE` as text (exit code 1 still prints the report). */
function cli(format, file) {
  try {
    return execFileSync(CLI, ['analyze', '--format', format, file], { maxBuffer: 64 << 20 }).toString();
  } catch (e) {
    return e.stdout.toString();
  }
}

/** A healthy log: three versions, the same latencies, no errors. */
function healthyLog() {
  const lines = [];
  const t0 = Date.parse('2026-11-20T09:00:00Z');
  for (let i = 0; i < 600; i++) {
    const version = ['v2.0', 'v2.1', 'v2.2'][i % 3];
    const ts = new Date(t0 + i * 6000).toISOString();
    lines.push(JSON.stringify({ ts, service: 'api', version, latency_ms: 80 + ((i * 37) % 41), status: 200 }));
  }
  const file = join(TMP, 'healthy.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** A log whose slow, failing lines carry an email, an IP address and a bearer token. */
function piiLog() {
  const lines = [];
  const t0 = Date.parse('2026-11-27T16:00:00Z');
  for (let i = 0; i < 400; i++) {
    const bad = i >= 200 && i % 2 === 0;
    lines.push(JSON.stringify({
      ts: new Date(t0 + i * 10_000).toISOString(),
      release: i < 200 ? 'r41' : 'r42',
      latency_ms: bad ? 900 + (i % 50) : 100 + (i % 30),
      status: bad ? 'Error' : 'OK',
      user: `ana.lima+${i}@example.com`,
      client: '10.2.0.17',
      auth: 'Bearer abc123def456ghi789',
    }));
  }
  const file = join(TMP, 'pii.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function analyzeFile(page, file) {
  await page.setInputFiles('#file-input', file);
  assert.equal(await waitForOutcome(page), 'results');
  await page.waitForSelector('#report-body h1');
}

async function analyzeExample(page) {
  await page.click('#try-example');
  assert.equal(await waitForOutcome(page), 'results');
  await page.waitForSelector('#report-body h1');
}

/** The report's headings, tables (as rows of cell text) and full text. */
async function readReport(page) {
  return page.$eval('#report-body', (el) => ({
    title: el.querySelector('h1')?.textContent,
    sections: [...el.querySelectorAll('h2')].map((h) => h.textContent),
    rows: [...el.querySelectorAll('table tbody tr')].map((tr) => [...tr.cells].map((c) => c.textContent)),
    evidence: [...el.querySelectorAll('ul.evidence code')].map((c) => c.textContent),
    charts: el.querySelectorAll('.report-chart svg').length,
    text: el.textContent,
  }));
}

/** The report's group table must carry the CLI's groups: key, requests, error rate. */
function assertReportTable(rep, summary) {
  for (const g of summary.groups) {
    const row = rep.rows.find((r) => r[0] === g.key);
    assert.ok(row, `a report row for ${g.key}`);
    assert.equal(row[1], String(g.count), `${g.key} requests`);
  }
}

function assertClean(page) {
  assert.deepEqual(foreignRequests(page, env.url), [], 'requests outside the page\'s own files');
  assert.deepEqual(page.errors.filter((e) => !/favicon/.test(e)), [], 'console errors');
}

/** Opens the share panel and returns {link, fragment, preview text, evidence lines}. */
async function shareLink(page) {
  if (await page.locator('#share-panel').isHidden()) await page.click('#report-share');
  await page.waitForFunction(() => document.querySelector('#share-link').value.includes('#r='));
  const link = await page.inputValue('#share-link');
  return {
    link,
    fragment: link.slice(link.indexOf('#r=') + 3),
    contents: await page.locator('#share-contents').textContent(),
    evidence: await page.locator('#share-evidence code').allTextContents(),
    length: await page.locator('#share-length').textContent(),
  };
}

test('the example\'s report: every section, the table\'s numbers, the top finding; Copy and Download match the CLI', async () => {
  const page = await openPage(env.browser, env.url);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(env.url).origin });
  await analyzeExample(page);
  const summary = cliSummary(EXAMPLE);
  const rep = await readReport(page);
  assert.match(rep.title, /v1\.3/);
  assert.deepEqual(rep.sections, SECTIONS);
  assertReportTable(rep, summary);
  // The page's table and the report agree with the CLI.
  const table = await readTable(page);
  assert.deepEqual(table.map((r) => [r.key, r.count]), summary.groups.map((g) => [g.key, String(g.count)]));
  assert.ok(rep.text.includes(summary.findings[0].summary), 'the top finding\'s sentence is in the report');
  assert.ok(rep.evidence.some((l) => l.startsWith('{responseTimeMs"')), 'a repaired malformed line is quoted verbatim');
  assert.match(rep.text, /Roll back/);
  assert.equal(rep.charts, 3, 'three charts in the report');

  // Copy Markdown: the clipboard holds exactly the CLI's Markdown, and the page says so.
  const markdown = cli('markdown', EXAMPLE);
  await page.click('#report-copy');
  await page.waitForFunction(() => /Copied/.test(document.querySelector('#report-status').textContent));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), markdown);
  assert.equal(await page.locator('#report-copy').textContent(), 'Copied ✓');

  // Download .md and .html: the CLI's Markdown, and its self-contained HTML (no script, SVG charts).
  const [md] = await Promise.all([page.waitForEvent('download'), page.click('#report-md')]);
  assert.match(md.suggestedFilename(), /^incident-report-modelversion-v1\.3\.md$/);
  assert.equal(readFileSync(await md.path(), 'utf8'), markdown);
  const [html] = await Promise.all([page.waitForEvent('download'), page.click('#report-html')]);
  assert.match(html.suggestedFilename(), /\.html$/);
  const doc = readFileSync(await html.path(), 'utf8');
  assert.match(doc, /^<!doctype html>/);
  assert.doesNotMatch(doc, /<script/i);
  assert.equal((doc.match(/<svg /g) ?? []).length, 3, 'three inline SVG charts');
  assert.equal(doc, cli('html', EXAMPLE), 'the same document as logdrop analyze --format html');

  // Keyboard: Share opens the panel with the link selected; Escape closes it, focus goes back.
  await page.focus('#report-share');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.id === 'share-link' && document.activeElement.value);
  assert.equal(await page.getAttribute('#report-share', 'aria-expanded'), 'true');
  await page.keyboard.press('Escape');
  assert.ok(await page.locator('#share-panel').isHidden());
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'report-share');

  await page.locator('#report').screenshot({ path: screenshotPath('report.png') });
  // Print: only the report and its charts; no controls, drop zone, progress or dashboard.
  await page.emulateMedia({ media: 'print' });
  for (const sel of ['.bar', '#start', '#progress', '.report-bar', '#fields', '#table-wrap', '.charts', '.foot']) {
    assert.ok(await page.locator(sel).first().isHidden(), `${sel} is hidden in print`);
  }
  assert.ok(await page.locator('#report-body h1').isVisible());
  assert.equal(await page.locator('#report-body .report-chart svg:visible').count(), 3);
  await page.screenshot({ path: screenshotPath('report-print.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  assertClean(page);
  await page.context().close();
});

test('dark mode: the report follows the theme on screen and prints with light charts; a narrow window fits', async () => {
  const page = await openPage(env.browser, env.url, { colorScheme: 'dark', viewport: { width: 640, height: 900 } });
  await analyzeExample(page);
  const visibleSvgs = () => page.$$eval('#report-body .report-chart svg', (svgs) =>
    svgs.filter((s) => s.getBoundingClientRect().width > 0).map((s) => s.outerHTML));
  let shown = await visibleSvgs();
  assert.equal(shown.length, 3);
  for (const svg of shown) assert.match(svg, /#1b1e24/i, 'dark charts on screen');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the window`);
  await page.emulateMedia({ media: 'print' });
  shown = await visibleSvgs();
  assert.equal(shown.length, 3);
  for (const svg of shown) assert.doesNotMatch(svg, /#1b1e24/i, 'light charts in print');
  await page.emulateMedia({ media: 'screen' });
  await page.locator('#report').screenshot({ path: screenshotPath('report-dark-narrow.png') });
  assertClean(page);
  await page.context().close();
});

test('a healthy file gets a short "no significant regression" report, equal to the CLI\'s', async () => {
  const file = healthyLog();
  const page = await openPage(env.browser, env.url);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(env.url).origin });
  await analyzeFile(page, file);
  const summary = cliSummary(file);
  assert.equal(summary.findings.length, 0);
  const rep = await readReport(page);
  assert.match(rep.text, /no significant regression found/);
  assert.match(rep.text, /No action needed/);
  assert.doesNotMatch(rep.text, /Roll back/);
  assert.ok(rep.sections.includes('Summary') && rep.sections.includes('Appendix: how the log was read'), rep.sections.join(' | '));
  assertReportTable(rep, summary);
  assert.deepEqual((await readTable(page)).map((r) => r.count), summary.groups.map((g) => String(g.count)));
  await page.click('#report-copy');
  await page.waitForFunction(() => /Copied/.test(document.querySelector('#report-status').textContent));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), cli('markdown', file));
  assertClean(page);
  await page.context().close();
});

test('share: the link opens in a fresh browser with the same table, findings, charts and report', async () => {
  const page = await openPage(env.browser, env.url);
  await analyzeExample(page);
  const original = {
    table: await readTable(page),
    findings: await page.locator('#findings li > span:first-child').allTextContents(),
    legend: await page.locator('#chart-cdf svg text').allTextContents(),
    timeline: await page.locator('#chart-timeline svg text').allTextContents(),
    report: await readReport(page),
  };
  const share = await shareLink(page);
  console.log(`# share link for the example log: ${share.link.length} characters (fragment ${share.fragment.length + 3})`);
  assert.ok(share.link.length <= 2000, `the link is ${share.link.length} characters`);
  assert.match(share.length, new RegExp(`^${share.link.length.toLocaleString('en-US')} characters`));
  assert.ok(share.evidence.length >= 1 && share.evidence.length <= 5, `${share.evidence.length} lines in the preview`);
  assert.match(share.contents, /redacted:$/);
  await page.locator('#report').screenshot({ path: screenshotPath('share-panel.png') });
  assertClean(page);
  await page.context().close();

  // A fresh context: no file, nothing but the link.
  const fresh = await openPage(env.browser, share.link);
  assert.equal(await waitForOutcome(fresh), 'results');
  await fresh.waitForSelector('#report-body h1');
  assert.ok(await fresh.locator('#shared-banner').isVisible());
  assert.match(await fresh.locator('#shared-banner').textContent(), /Shared report — no log file was loaded; evidence redacted/);
  assert.ok(await fresh.locator('#fields').isHidden(), 'no field overrides without a file');
  assert.ok(!(await fresh.evaluate(() => performance.getEntriesByType('resource').some((e) => /\.log$/.test(e.name)))),
    'the page fetched no log file');
  assert.ok(!fresh.requests.some((u) => u.includes('r=')), 'the fragment is never sent');
  const table = await readTable(fresh);
  assert.deepEqual(table.map((r) => [r.key, r.count, r.errors]), original.table.map((r) => [r.key, r.count, r.errors]));
  for (const [i, r] of table.entries()) {
    for (const p of ['p50', 'p95', 'p99']) {
      if (r[p] === null) continue;
      const want = Number(original.table[i][p]);
      assert.ok(Math.abs(Number(r[p]) - want) <= want * 0.003, `${r.key} ${p}: ${r[p]} vs ${want}`);
    }
  }
  assert.deepEqual(await fresh.locator('#findings li > span:first-child').allTextContents(), original.findings);
  // Chart series: the same legend entries and annotations (group names, "v1.3 from 17:45").
  const legend = await fresh.locator('#chart-cdf svg text').allTextContents();
  for (const key of original.table.map((r) => r.key).filter((k) => k.startsWith('v'))) {
    assert.ok(legend.some((t) => t.includes(key)), `${key} in the CDF legend`);
    assert.equal(legend.filter((t) => t.includes(key)).length, original.legend.filter((t) => t.includes(key)).length);
  }
  const timeline = await fresh.locator('#chart-timeline svg text').allTextContents();
  assert.ok(timeline.some((t) => /v1\.3 from 17:45/.test(t)));
  assert.deepEqual(timeline.filter((t) => /from|v1\./.test(t)), original.timeline.filter((t) => /from|v1\./.test(t)));
  // The report: the same sections, finding and table counts.
  const rep = await readReport(fresh);
  assert.deepEqual(rep.sections, original.report.sections);
  assert.equal(rep.title, original.report.title);
  assert.ok(rep.text.includes(original.findings[0]));
  for (const row of original.report.rows.filter((r) => r.length === 7)) {
    const same = rep.rows.find((r) => r[0] === row[0] && r.length === 7);
    assert.deepEqual(same?.slice(0, 3), row.slice(0, 3), `report row ${row[0]}`);
  }
  assert.equal(rep.charts, 3);
  await fresh.screenshot({ path: screenshotPath('shared.png'), fullPage: true });
  assert.deepEqual(foreignRequests(fresh, env.url), []);
  assert.deepEqual(fresh.errors, []);

  // The way back: the start page, and the link gone from the address bar.
  await fresh.click('#shared-back');
  assert.ok(await fresh.locator('#start').isVisible());
  assert.equal(await fresh.evaluate(() => location.hash), '');
  // Browser Back returns to the shared report (hashchange).
  await fresh.goBack();
  await fresh.waitForSelector('#results:not([hidden]) #shared-banner:not([hidden])');
  await fresh.context().close();
});

test('redaction: an email, an IP and a token in the evidence stay out of the preview, the link and its report', async () => {
  const file = piiLog();
  const raw = cli('markdown', file);
  assert.match(raw, /ana\.lima\+\d+@example\.com/, 'the unredacted report quotes the email');
  const page = await openPage(env.browser, env.url);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(env.url).origin });
  await analyzeFile(page, file);
  const SECRETS = /@example\.com|10\.2\.0\.17|abc123def456ghi789/;
  // On by default: the shown report, the copy, the preview and the link are redacted.
  assert.ok(await page.locator('#report-redact').isChecked());
  assert.doesNotMatch((await readReport(page)).text, SECRETS);
  await page.click('#report-copy');
  await page.waitForFunction(() => /Copied/.test(document.querySelector('#report-status').textContent));
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.doesNotMatch(copied, SECRETS);
  assert.match(copied, /\[email\]/);
  const share = await shareLink(page);
  assert.ok(share.evidence.length > 0);
  for (const line of share.evidence) assert.doesNotMatch(line, SECRETS);
  assert.ok(share.evidence.some((l) => l.includes('[email]')));
  // Off: the preview says so and shows the lines as written; the report follows the toggle.
  await page.uncheck('#share-redact');
  await page.waitForFunction(() => /OFF/.test(document.querySelector('#share-contents').textContent));
  const open = await shareLink(page);
  assert.ok(open.evidence.some((l) => /@example\.com/.test(l)));
  assert.ok(!(await page.locator('#report-redact').isChecked()), 'one toggle for report and link');
  await page.waitForFunction(() => /@example\.com/.test(document.querySelector('#report-body').textContent));
  await page.check('#report-redact');
  await page.waitForFunction(() => /redacted:$/.test(document.querySelector('#share-contents').textContent));
  const again = await shareLink(page);
  assert.equal(again.link, share.link);
  await page.context().close();

  // A link made with redaction off says so in its banner.
  const plain = await openPage(env.browser, open.link);
  assert.equal(await waitForOutcome(plain), 'results');
  assert.match(await plain.locator('#shared-banner').textContent(), /evidence NOT redacted/);
  await plain.context().close();

  const fresh = await openPage(env.browser, share.link);
  assert.equal(await waitForOutcome(fresh), 'results');
  await fresh.waitForSelector('#report-body h1');
  assert.doesNotMatch(await fresh.locator('main').textContent(), SECRETS);
  assert.doesNotMatch(await fresh.locator('#report-body').innerHTML(), SECRETS);
  assert.deepEqual(fresh.errors, []);
  await fresh.context().close();
});

test('a damaged, truncated or crafted link shows a clear message and runs nothing', async () => {
  const page = await openPage(env.browser, env.url);
  await analyzeExample(page);
  const { fragment } = await shareLink(page);
  await page.context().close();
  const mid = Math.floor(fragment.length / 2);
  const flip = (s, i) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  const b64 = (bytes) => Buffer.from(bytes).toString('base64url');
  const cases = [
    ['truncated', fragment.slice(0, mid), /damaged or incomplete/],
    ['one character changed', flip(fragment, mid), /damaged or incomplete/],
    ['characters flipped at both ends', flip(flip(fragment, 5), fragment.length - 3), /damaged or incomplete/],
    ['not base64', '<script>alert(1)</script>', /damaged or incomplete/],
    ['markup, URL-encoded', encodeURIComponent('"><img src=x onerror=alert(1)>'), /damaged or incomplete/],
    ['empty', '', /no report in it/],
    ['a newer format', b64([9, 1, 2, 3]), /newer version/],
    ['version 0', b64([0, 1, 2, 3]), /not a logdrop|unknown|version/i],
  ];
  const dialogs = [];
  for (const [name, frag, want] of cases) {
    const p = await openPage(env.browser, `${env.url}#r=${frag}`);
    p.on('dialog', (d) => { dialogs.push(`${name}: ${d.message()}`); d.dismiss(); });
    assert.equal(await waitForOutcome(p), 'problem', name);
    assert.equal(await p.locator('#problem-title').textContent(), 'This shared link cannot be opened', name);
    assert.match(await p.locator('#problem-text').textContent(), want, name);
    assert.equal(await p.locator('#problem-text *').count(), 0, `${name}: the message is text only`);
    assert.equal(await p.locator('img, script:not([src])').count(), 0, `${name}: nothing injected`);
    if (name === 'truncated') await p.screenshot({ path: screenshotPath('shared-damaged.png') });
    assert.deepEqual(p.errors, [], `${name}: console errors`);
    await p.context().close();
  }
  assert.deepEqual(dialogs, []);

  // hashchange: a bad link, then a good one, in the same page.
  const p = await openPage(env.browser, env.url);
  await p.evaluate(() => { location.hash = '#r=AAAA-broken'; });
  await p.waitForSelector('#problem:not([hidden])');
  await p.evaluate((f) => { location.hash = `#r=${f}`; }, fragment);
  await p.waitForSelector('#results:not([hidden]) #shared-banner:not([hidden])');
  await p.waitForSelector('#report-body h1');
  // "Start over" leaves the shared report and clears the link.
  await p.evaluate(() => { location.hash = '#r=x'; });
  await p.waitForSelector('#problem:not([hidden])');
  await p.click('#problem-back');
  assert.ok(await p.locator('#start').isVisible());
  assert.equal(await p.evaluate(() => location.hash), '');
  assert.deepEqual(p.errors, []);
  await p.context().close();
});
