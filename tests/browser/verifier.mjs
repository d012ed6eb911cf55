// The browser verifier (plugins/draw/web/verify-draw.js) in Debian's Chromium, driven by
// playwright-core (pinned in tests/browser/package.json, installed under the build folder by
// ./xj; no browser is downloaded).
//
// usage: node tests/browser/verifier.mjs --source SOURCE_DIR --modules BUILD/node/node_modules
//          --out BUILD/e2e
//
// A small HTTP server serves, with the site's Content-Security-Policy (no 'unsafe-inline'),
// static test pages holding only <section id="xj-verifier" data-proof=…> and the script tag,
// the script itself, and proof folders: a test vector of the specification, its public variant,
// and a tampered copy. The test clicks each page's button and checks the ✓ on the good proofs
// and, on the tampered one, ✗ with the first mismatch exactly as tools/verify_draw.py names it;
// that the page fetched nothing from another origin and broke no CSP rule; and saves
// screenshots in OUT (verifier-*.png). The real server's task page is tested the same way by
// site_proof.mjs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const arg = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const SOURCE = arg('--source');
const MODULES = arg('--modules');
const OUT = arg('--out');
if (!SOURCE || !MODULES || !OUT) {
  console.error('usage: node verifier.mjs --source SOURCE_DIR --modules BUILD/node/node_modules --out BUILD/e2e');
  process.exit(2);
}
if (!fs.existsSync(path.join(MODULES, 'playwright-core'))) {
  console.error(`playwright-core is not installed in ${MODULES}: ./xj test (or ./xj build) installs it`);
  process.exit(1);
}
const require = createRequire(path.join(MODULES, 'x.js'));
const { chromium } = require('playwright-core');
fs.mkdirSync(OUT, { recursive: true });

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const SCRIPT = fs.readFileSync(path.join(SOURCE, 'plugins/draw/web/verify-draw.js'));
const VECTOR = path.join(SOURCE, 'docs/draw-v1/vectors/joint');

// The proof folders, in memory: name -> {file -> bytes}.
function folder(dir) {
  const out = {};
  for (const f of fs.readdirSync(dir)) out[f] = fs.readFileSync(path.join(dir, f));
  return out;
}
const lines = (b) => b.toString('latin1').split('\n').slice(0, -1);
const unlines = (ls) => Buffer.from(ls.map((l) => l + '\n').join(''), 'latin1');
const good = folder(VECTOR);
const tampered = { ...good };
{
  const ls = lines(good['selection.tsv']);
  [ls[0], ls[1]] = [ls[1], ls[0]];
  tampered['selection.tsv'] = unlines(ls);
}
// The public variant (docs/draw.md, "The public variant").
const pub = {};
{
  const proof = JSON.parse(good['proof.json'].toString('utf8'));
  const pool = lines(good['pool.tsv']).map((l) => l.split('\t'));
  const sizes = {};
  for (const [, s] of pool) sizes[s] = (sizes[s] || 0) + 1;
  const p = {};
  for (const [k, v] of Object.entries(proof)) {
    if (k === 'allocation') p.stratum_sizes = sizes;
    p[k] = v;
    if (k === 'algorithm') p.withheld = ['stratum'];
  }
  pub['proof.json'] = Buffer.from(JSON.stringify(p, null, 2) + '\n');
  pub['pool-public.tsv'] = unlines(pool.map((r) => r[0]));
  pub['selection-public.tsv'] = unlines(lines(good['selection.tsv']).map((l) => {
    const f = l.split('\t');
    return [f[0], f[1], f[3]].join('\t');
  }));
  for (const f of ['assignment.tsv', 'groups.tsv', 'conflicts.tsv']) pub[f] = good[f];
}
const proofs = { good, tampered, public: pub };

// What tools/verify_draw.py says of the tampered folder.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xj-browser-'));
for (const [f, b] of Object.entries(tampered)) fs.writeFileSync(path.join(tmp, f), b);
const py = spawnSync('python3', [path.join(SOURCE, 'tools/verify_draw.py'), tmp], { encoding: 'utf8' });
fs.rmSync(tmp, { recursive: true, force: true });
const expectedMismatch = py.stdout.trim();
assert.match(expectedMismatch, /^mismatch: selection\.tsv line 1: /);

const page = (proof, lang) =>
  '<!doctype html>\n<html lang="' + (lang === 'en' ? 'en' : 'zh-CN') + '"><head><meta charset="utf-8">' +
  '<title>抽取验证 / draw verifier</title></head>\n<body>\n<h1>抽取验证 / verify a draw</h1>\n' +
  `<section id="xj-verifier" data-proof="${proof}" data-lang="${lang}"></section>\n` +
  '<script src="/assets/draw/verify-draw.js"></script>\n</body></html>\n';

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const send = (status, type, body) => {
    res.writeHead(status, { 'Content-Type': type, 'Content-Security-Policy': CSP, 'Content-Length': body.length });
    res.end(body);
  };
  const m = url.pathname.match(/^\/proof\/([a-z]+)\/([A-Za-z0-9._-]+)$/);
  if (url.pathname === '/favicon.ico') return send(204, 'image/x-icon', Buffer.alloc(0));
  if (url.pathname === '/assets/draw/verify-draw.js') return send(200, 'application/javascript; charset=utf-8', SCRIPT);
  if (m && proofs[m[1]] && proofs[m[1]][m[2]]) {
    return send(200, m[2].endsWith('.json') ? 'application/json' : 'text/tab-separated-values; charset=utf-8', proofs[m[1]][m[2]]);
  }
  const pm = url.pathname.match(/^\/(good|tampered|public)(-en)?\.html$/);
  if (pm) return send(200, 'text/html; charset=utf-8', Buffer.from(page('/proof/' + pm[1], pm[2] ? 'en' : 'zh')));
  send(404, 'application/json', Buffer.from('{"error": {"code": "not_found", "message": "没有 / none"}}'));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync']
});
const failures = [];
try {
  for (const [name, want] of [['good', 'verified'], ['public', 'verified'], ['tampered', 'mismatch'], ['good-en', 'verified']]) {
    const p = await browser.newPage();
    const problems = [];
    const foreign = [];
    p.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    p.on('pageerror', (e) => problems.push(String(e)));
    p.on('request', (r) => {
      if (!r.url().startsWith(base)) foreign.push(r.url());
    });
    await p.goto(`${base}/${name}.html`);
    await p.click('#xj-verifier button.xj-verifier-run');
    // Awaited on its effect, with a generous bound: never on the machine's speed.
    await p.waitForSelector('#xj-verifier[data-state="verified"], #xj-verifier[data-state="mismatch"], #xj-verifier[data-state="error"]',
      { timeout: 120000 });
    const state = await p.getAttribute('#xj-verifier', 'data-state');
    const verdict = await p.textContent('.xj-verifier-verdict');
    const checks = await p.$$eval('.xj-verifier-checks li', (lis) => lis.map((li) => li.textContent));
    const notChecked = await p.$$eval('.xj-verifier-not-checked li', (lis) => lis.map((li) => li.textContent));
    await p.screenshot({ path: path.join(OUT, `verifier-${name}.png`), fullPage: true });
    try {
      assert.equal(state, want, `${name}: data-state`);
      assert.deepEqual(problems, [], `${name}: console errors or CSP violations`);
      assert.deepEqual(foreign, [], `${name}: requests to another origin`);
      if (want === 'verified') {
        assert.ok(verdict.includes('✓') && verdict.includes('verified'), `${name}: ${verdict}`);
        if (!name.endsWith('-en')) assert.ok(verdict.includes('已验证'), `${name}: ${verdict}`);
        else assert.ok(!/[\u4e00-\u9fff]/.test(verdict + checks.join('')), `${name}: Chinese on an English page`);
        assert.ok(checks.length >= 6, `${name}: checks ${checks}`);
        if (name === 'public') {
          assert.equal(notChecked.length, 2, `${name}: what could not be checked`);
          assert.ok(notChecked[0].includes('pool_hash'), notChecked[0]);
        } else {
          assert.equal(notChecked.length, 0, `${name}: nothing unchecked`);
        }
      } else {
        assert.ok(verdict.includes('✗'), `${name}: ${verdict}`);
        const mismatch = await p.textContent('.xj-verifier-mismatch code');
        assert.equal(mismatch, expectedMismatch, `${name}: the first mismatch`);
      }
    } catch (e) {
      failures.push(e.message);
    }
    await p.close();
  }
} finally {
  await browser.close();
  server.close();
}
if (failures.length) {
  for (const f of failures) console.error('FAIL: ' + f);
  process.exit(1);
}
console.log(`the verifier passed in Chromium; screenshots in ${OUT}`);
