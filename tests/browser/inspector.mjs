// The inspector's task list on a phone, in Debian's Chromium driven by playwright-core (pinned in
// tests/browser/package.json, installed under the build folder by ./xj; no browser is downloaded).
//
// usage: node tests/browser/inspector.mjs --cli BUILD/bin/xinjian --source SOURCE_DIR
//          --modules BUILD/node/node_modules --out BUILD/e2e
//
// The command line makes a database (the example departments, inspectors and items, 2,000
// generated subjects, a task of SCJG and one of WJW drawn, one result published) and the users
// SCJG001 and WJW001 (inspectors); the real `xinjian serve --listen 127.0.0.1:0` serves it. At a
// 375×812 viewport the test opens /my/visits, is sent to the sign-in form, signs in there as
// SCJG001 and lands on its task list: SCJG001's visits are listed (as `xinjian visits for` says),
// WJW001's are not and open as 404; one visit's page opens. Then the public results page. On
// every page: no horizontal scrolling (the document is at most 375 pixels wide), no console error
// and no CSP violation. Screenshots: OUT/inspector.png (the list on the phone),
// OUT/inspector-visit.png, OUT/results.png.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const arg = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const abs = (p) => (p ? path.resolve(p) : p);
const CLI = abs(arg('--cli'));
const SOURCE = abs(arg('--source'));
const MODULES = abs(arg('--modules'));
const OUT = abs(arg('--out'));
if (!CLI || !SOURCE || !MODULES || !OUT) {
  console.error('usage: node inspector.mjs --cli BUILD/bin/xinjian --source SOURCE_DIR --modules BUILD/node/node_modules --out BUILD/e2e');
  process.exit(2);
}
if (!fs.existsSync(path.join(MODULES, 'playwright-core'))) {
  console.error(`playwright-core is not installed in ${MODULES}: ./xj test (or ./xj build) installs it`);
  process.exit(1);
}
const require = createRequire(path.join(MODULES, 'x.js'));
const { chromium } = require('playwright-core');
fs.mkdirSync(OUT, { recursive: true });

const GOOD = 'correct horse battery';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xj-inspector-'));
const db = `sqlite:${path.join(tmp, 'x.db')}`;
const env = { ...process.env, XINJIAN_NOW: '2026-11-23T09:00:00' };
const examples = path.join(SOURCE, 'docs/examples');

function x(cliArgs, input) {
  const r = spawnSync(CLI, ['--db', db, '--actor', 'browser-test', ...cliArgs], { env, input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`xinjian ${cliArgs.join(' ')}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

// The data.
x(['init']);
x(['import', 'departments', path.join(examples, 'departments.csv')]);
x(['gen', 'subjects', '--count', '2000', '--seed', '1', '-o', path.join(tmp, 'subjects.csv')]);
x(['import', 'subjects', path.join(tmp, 'subjects.csv')]);
x(['import', 'inspectors', path.join(examples, 'inspectors.csv')]);
x(['import', 'items', path.join(examples, 'items.csv')]);
const spec = (title, dept, item, due, extra = {}) => {
  const file = path.join(tmp, `${dept}.json`);
  fs.writeFileSync(file, JSON.stringify({
    title, department: dept, items: [item], rule: { count: 3 }, team: { slots: [{ group: dept, count: 2 }] },
    entropy: { source: 'none' }, due_date: due, ...extra
  }));
  return file;
};
x(['task', 'create', '--spec', spec('食品经营者抽查', 'SCJG', 'SCJG-2026-001', '2026-12-31')]);
x(['task', 'announce', 'SCJG-2026-0001']);
x(['task', 'draw', 'SCJG-2026-0001']);
x(['task', 'create', '--spec', spec('公共场所卫生抽查', 'WJW', 'WJW-2026-001', '2026-12-15', { exclusions: { open_tasks: false } })]);
x(['task', 'announce', 'WJW-2026-0001']);
x(['task', 'draw', 'WJW-2026-0001']);
x(['visit', 'result', 'SCJG-2026-0001-1', '--item', 'SCJG-2026-001', '--code', 'corrected', '--date', '2026-11-23',
  '--method', 'on_site', '--by', 'SCJG001', '--follow-up', 'correct', '--follow-up-deadline', '2026-12-07',
  '--findings', '冷藏柜温度记录不全，已责令整改']);
x(['visit', 'review', 'SCJG-2026-0001-1', '--department', 'SCJG', '--approve']);
x(['visit', 'publish', 'SCJG-2026-0001-1', '--department', 'SCJG']);
x(['users', 'add', 'SCJG001', '--name', '王晓明', '--role', 'inspector', '--department', 'SCJG', '--password-stdin'], GOOD + '\n');
x(['users', 'add', 'WJW001', '--name', '张伟', '--role', 'inspector', '--department', 'WJW', '--password-stdin'], GOOD + '\n');
const mine = JSON.parse(x(['visits', 'for', 'SCJG001', '--json'])).map((v) => v.id);
const theirs = JSON.parse(x(['visits', 'for', 'WJW001', '--json'])).map((v) => v.id);
assert.ok(mine.length >= 2 && theirs.length >= 2, `visits: ${mine} / ${theirs}`);

// The real server.
const serve = spawn(CLI, ['--db', db, 'serve', '--no-scheduler', '--listen', '127.0.0.1:0'], {
  env: { ...env, XINJIAN_NOW: '2026-11-25T09:00:00' }, stdio: ['ignore', 'pipe', 'pipe']
});
let log = '';
serve.stdout.on('data', (d) => { log += d; });
serve.stderr.on('data', (d) => { log += d; });
const base = await new Promise((resolve, reject) => {
  const started = Date.now();
  const poll = setInterval(() => {
    const m = log.match(/http:\/\/127\.0\.0\.1:\d+/);
    if (m) {
      clearInterval(poll);
      resolve(m[0]);
    } else if (serve.exitCode !== null || Date.now() - started > 60000) {
      clearInterval(poll);
      reject(new Error('serve did not start:\n' + log));
    }
  }, 100);
});

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync']
});
const failures = [];
const postOrigins = [];
const soft = (fn) => {
  try {
    fn();
  } catch (e) {
    failures.push(e.message);
  }
};
try {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const problems = [];
  const foreign = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) problems.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('request', (r) => {
    if (!r.url().startsWith(base)) foreign.push(r.url());
  });
  const width = async (name) => {
    const w = await page.evaluate(() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth));
    soft(() => assert.ok(w <= 375, `${name}: the page is ${w} pixels wide: it scrolls sideways on a 375-pixel phone`));
  };

  // The sign-in form posts as a browser does: with the site's own Origin, which the host's
  // CSRF check requires (a Referrer-Policy of no-referrer made Chromium send "Origin: null",
  // and the real form failed; the site sends same-origin). Nothing is rewritten here.
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url() === `${base}/login`) postOrigins.push(request.headers().origin);
  });

  // Anonymous: sent to the sign-in form, and back after signing in.
  await page.goto(`${base}/my/visits`);
  soft(() => assert.match(page.url(), /\/login\?next=%2Fmy%2Fvisits$|\/login\?next=\/my\/visits$/, `sent to sign in: ${page.url()}`));
  await width('the sign-in form');
  await page.fill('#login', 'SCJG001');
  await page.fill('#password', GOOD);
  await Promise.all([page.waitForURL(`${base}/my/visits`, { timeout: 60000 }).catch(async (e) => { throw new Error(e.message + '\n' + (await page.content()).slice(0, 2000)); }), page.click('form.stack button[type=submit]')]);
  const list = await page.textContent('main');
  for (const id of mine) soft(() => assert.ok(list.includes(id), `SCJG001's visit ${id} is listed`));
  for (const id of theirs) soft(() => assert.ok(!list.includes(id), `WJW001's visit ${id} is not listed`));
  soft(() => assert.ok(list.includes('我的检查任务') && list.includes('检查期限') && list.includes('王晓明'), 'the list in Chinese'));
  const navOk = await page.locator('header nav a[href="/my/visits"]').count();
  soft(() => assert.equal(navOk, 1, 'the navigation links the task list'));
  await width('/my/visits');
  await page.screenshot({ path: path.join(OUT, 'inspector.png'), fullPage: true });

  // One visit's page, from the list.
  await Promise.all([page.waitForURL(`${base}/my/visits/${mine[0]}`), page.click(`main a[href="/my/visits/${mine[0]}"]`)]);
  const visit = await page.textContent('main');
  soft(() => assert.ok(visit.includes('检查事项') && visit.includes(mine[0]), 'the visit page'));
  await width(`/my/visits/${mine[0]}`);
  await page.screenshot({ path: path.join(OUT, 'inspector-visit.png'), fullPage: true });

  // Another inspector's visit: not found, like one that does not exist.
  // (Asked with the context's cookies outside the page: a 404 page would log a console error.)
  const other = await page.request.get(`${base}/my/visits/${theirs[0]}`);
  soft(() => assert.equal(other.status(), 404, `${theirs[0]} is 404 for SCJG001`));
  // (The header's language switch links the path asked for: only the content counts.)
  const otherMain = ((await other.text()).match(/<main id="main">([\s\S]*)<\/main>/) || ['', ''])[1];
  soft(() => assert.ok(otherMain.includes('没有这条检查记录') && !otherMain.includes(theirs[0]), `nothing of the other visit: ${otherMain}`));

  // English.
  await page.goto(`${base}/my/visits?lang=en`);
  const en = await page.textContent('main');
  soft(() => assert.ok(en.includes('My inspections') && en.includes('Inspections due'), 'the list in English'));
  await width('/my/visits?lang=en');
  await page.goto(`${base}/my/visits?lang=zh`);

  // The public results page on the phone.
  await page.goto(`${base}/results`);
  const results = await page.textContent('main');
  soft(() => assert.ok(results.includes('发现问题已责令改正') && results.includes('CSV'), 'the results page'));
  await width('/results');
  await page.screenshot({ path: path.join(OUT, 'results.png'), fullPage: true });

  soft(() => assert.deepEqual(problems, [], 'console errors or CSP violations'));
  soft(() => assert.deepEqual(foreign, [], 'requests to another origin'));
  soft(() => assert.ok(postOrigins.length > 0 && postOrigins.every((o) => o === base),
    `the sign-in form posts with the site's Origin: ${JSON.stringify(postOrigins)}`));
  await context.close();
} finally {
  await browser.close();
  serve.kill();
  await new Promise((resolve) => (serve.exitCode !== null ? resolve() : serve.on('exit', resolve)));
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (failures.length) {
  for (const f of failures) console.error('FAIL: ' + f);
  process.exit(1);
}
console.log(`the inspector's task list passed in Chromium at 375×812; screenshots in ${OUT}`);
