// The draw's pages on the real site in Debian's Chromium, driven by playwright-core (pinned in
// tests/browser/package.json, installed under the build folder by ./xj; no browser download).
//
// usage: node tests/browser/site_proof.mjs --cli BUILD/bin/xinjian --source SOURCE_DIR
//          --modules BUILD/node/node_modules --out BUILD/e2e
//
// The real binary prepares a SQLite database (`xinjian demo`: a revealed task SCJG-DEMO-0001)
// and serves it (`xinjian serve --listen 127.0.0.1:0`). The test opens the home page, /tasks,
// the task's page and the page of a subject it drew, runs the verifier on the task's page and
// sees ✓; then a copy of the database whose stored commitment was altered with sqlite3, served
// by a second server, shows ✗ and the first mismatch exactly as tools/verify_draw.py names it
// for the proof that server publishes. Every page: no console error, no CSP violation, no
// request to another origin; at 375 px wide nothing is wider than the screen. Screenshots in
// OUT: home.png, tasks.png, task.png, subject.png, proof.png, proof-tampered.png, proof-en.png
// (desktop) and task-375.png, tasks-375.png (a phone).
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
const CLI = arg('--cli');
const SOURCE = arg('--source');
const MODULES = arg('--modules');
const OUT = arg('--out');
if (!CLI || !SOURCE || !MODULES || !OUT) {
  console.error('usage: node site_proof.mjs --cli XINJIAN --source SOURCE_DIR --modules BUILD/node/node_modules --out BUILD/e2e');
  process.exit(2);
}
if (!fs.existsSync(path.join(MODULES, 'playwright-core'))) {
  console.error(`playwright-core is not installed in ${MODULES}: ./xj test (or ./xj build) installs it`);
  process.exit(1);
}
const require = createRequire(path.join(MODULES, 'x.js'));
const { chromium } = require('playwright-core');
fs.mkdirSync(OUT, { recursive: true });

const TASK = 'SCJG-DEMO-0001';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xj-site-'));
const env = { ...process.env, XINJIAN_NOW: '2026-03-02T09:00:00' };  // never the wall clock
const run = (cmd, argv) => {
  const r = spawnSync(cmd, argv, { cwd: tmp, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')}: ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
};

// The database, prepared by the real binary; the tampered copy altered with sqlite3.
const db = path.join(tmp, 'site.db');
const tamperedDb = path.join(tmp, 'tampered.db');
run(CLI, ['--db', `sqlite:${db}`, '--actor', 'e2e', 'demo', '--subjects', '2000']);
const drawn = run('sqlite3', ['-batch', db, `SELECT uscc FROM draw_selection WHERE task_id = '${TASK}' ORDER BY rank LIMIT 1`]).trim();
assert.match(drawn, /^[0-9A-Z]{18}$/);
run('sqlite3', ['-batch', db, `.backup ${tamperedDb}`]);
run('sqlite3', ['-batch', tamperedDb, `UPDATE draw_tasks SET commitment = '${'0'.repeat(64)}' WHERE id = '${TASK}'`]);
// What tools/verify_draw.py says of the proof the tampered database publishes.
const tamperedProof = path.join(tmp, 'tampered-proof');
run(CLI, ['--db', `sqlite:${tamperedDb}`, 'task', 'proof', TASK, '--out', tamperedProof]);
const py = spawnSync('python3', [path.join(SOURCE, 'tools/verify_draw.py'), tamperedProof], { encoding: 'utf8' });
const expectedMismatch = py.stdout.trim();
assert.match(expectedMismatch, /^mismatch: commitment/);

// `xinjian serve` on a database; resolves to its address once it says where it listens.
const servers = [];
function serve(database) {
  const child = spawn(CLI, ['--db', `sqlite:${database}`, 'serve', '--no-scheduler', '--listen', '127.0.0.1:0'],
    { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
  servers.push(child);
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error('serve did not start within 60 s:\n' + log)), 60000);
    const onData = (d) => {
      log += d.toString();
      const m = log.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${log}`)));
  });
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync']
});
const failures = [];
const attempt = async (name, fn) => {
  try {
    await fn();
  } catch (e) {
    failures.push(`${name}: ${e.message}`);
  }
};

// A page with its console errors (CSP violations are console errors) and foreign requests.
async function open(base, target, viewport = { width: 1280, height: 900 }) {
  const p = await browser.newPage({ viewport });
  const problems = [];
  const foreign = [];
  // A 404 is a console error too: kept unless it is the browser's own /favicon.ico (the site has none).
  p.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const at = msg.location() && msg.location().url;
    if (msg.text().includes('404') && at && new URL(at).pathname === '/favicon.ico') return;
    problems.push(`${msg.text()} (${at})`);
  });
  p.on('pageerror', (e) => problems.push(String(e)));
  p.on('request', (r) => {
    if (!r.url().startsWith(base)) foreign.push(r.url());
  });
  const res = await p.goto(base + target);
  return { p, res, problems, foreign };
}
function clean(name, o) {
  assert.deepEqual(o.problems, [], `${name}: console errors or CSP violations`);
  assert.deepEqual(o.foreign, [], `${name}: requests to another origin`);
}
async function verify(o) {
  await o.p.click('#xj-verifier button.xj-verifier-run');
  // Awaited on its effect, with a generous bound: never on the machine's speed.
  await o.p.waitForSelector('#xj-verifier[data-state="verified"], #xj-verifier[data-state="mismatch"], #xj-verifier[data-state="error"]',
    { timeout: 120000 });
  return { state: await o.p.getAttribute('#xj-verifier', 'data-state'), verdict: await o.p.textContent('.xj-verifier-verdict') };
}

try {
  const base = await serve(db);
  const tamperedBase = await serve(tamperedDb);

  await attempt('home', async () => {
    const o = await open(base, '/');
    assert.equal(o.res.status(), 200);
    const heading = await o.p.textContent('#draw-tasks');
    assert.ok(heading.includes('最新抽查任务公告'), heading);
    assert.ok(await o.p.$(`a[href="/tasks/${TASK}"]`), 'home: a link to the task');
    assert.ok(await o.p.$('header a[href="/tasks"]'), 'home: the navigation link');
    await o.p.screenshot({ path: path.join(OUT, 'home.png'), fullPage: true });
    clean('home', o);
    await o.p.close();
  });

  await attempt('tasks', async () => {
    const o = await open(base, '/tasks');
    assert.equal(o.res.status(), 200);
    assert.ok(await o.p.$(`ul.cards a[href="/tasks/${TASK}"]`), 'tasks: the task listed');
    // The filter is a plain GET form.
    await o.p.selectOption('#state', 'revealed');
    await Promise.all([o.p.waitForNavigation(), o.p.click('form[action="/tasks"] button[type="submit"]')]);
    assert.ok(o.p.url().includes('state=revealed'), o.p.url());
    assert.ok(await o.p.$(`ul.cards a[href="/tasks/${TASK}"]`), 'tasks?state=revealed: the task listed');
    await o.p.screenshot({ path: path.join(OUT, 'tasks.png'), fullPage: true });
    clean('tasks', o);
    await o.p.close();
  });

  await attempt('task', async () => {
    const o = await open(base, `/tasks/${TASK}`);
    assert.equal(o.res.status(), 200);
    assert.ok(await o.p.$(`a[href="/subjects/${drawn}"]`), 'task: the drawn subject listed');
    const proofLink = await o.p.$(`a[href="/api/v1/tasks/${TASK}/proof/proof.json"]`);
    assert.ok(proofLink, 'task: the proof file linked');
    await o.p.screenshot({ path: path.join(OUT, 'task.png'), fullPage: true });
    const v = await verify(o);
    assert.equal(v.state, 'verified', v.verdict);
    assert.ok(v.verdict.includes('✓') && v.verdict.includes('已验证'), v.verdict);
    await o.p.locator('section[aria-labelledby="proof"]').screenshot({ path: path.join(OUT, 'proof.png') });
    clean('task', o);
    await o.p.close();
  });

  await attempt('task en', async () => {
    const o = await open(base, `/tasks/${TASK}?lang=en`);
    const h2 = await o.p.textContent('#proof');
    assert.ok(h2 === 'The proof', h2);
    const v = await verify(o);
    assert.equal(v.state, 'verified', v.verdict);
    assert.ok(v.verdict.includes('verified') && !/[\u4e00-\u9fff]/.test(v.verdict), v.verdict);
    await o.p.locator('section[aria-labelledby="proof"]').screenshot({ path: path.join(OUT, 'proof-en.png') });
    clean('task en', o);
    await o.p.close();
  });

  await attempt('subject', async () => {
    const o = await open(base, `/subjects/${drawn}`);
    assert.equal(o.res.status(), 200);
    assert.ok(await o.p.$(`#draw-drawn ~ ul a[href="/tasks/${TASK}"]`), 'subject: the task that drew it');
    await o.p.screenshot({ path: path.join(OUT, 'subject.png'), fullPage: true });
    clean('subject', o);
    await o.p.close();
  });

  await attempt('tampered', async () => {
    const o = await open(tamperedBase, `/tasks/${TASK}`);
    assert.equal(o.res.status(), 200);
    const v = await verify(o);
    assert.equal(v.state, 'mismatch', v.verdict);
    assert.ok(v.verdict.includes('✗'), v.verdict);
    const mismatch = await o.p.textContent('.xj-verifier-mismatch code');
    assert.equal(mismatch, expectedMismatch, 'tampered: the first mismatch');
    await o.p.locator('section[aria-labelledby="proof"]').screenshot({ path: path.join(OUT, 'proof-tampered.png') });
    clean('tampered', o);
    await o.p.close();
  });

  for (const [name, target] of [['task-375', `/tasks/${TASK}`], ['tasks-375', '/tasks']]) {
    await attempt(name, async () => {
      const o = await open(base, target, { width: 375, height: 812 });
      const wide = await o.p.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= 375, `${name}: the page is ${wide} px wide`);
      await o.p.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
      clean(name, o);
      await o.p.close();
    });
  }
} finally {
  await browser.close();
  for (const s of servers) s.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (failures.length) {
  for (const f of failures) console.error('FAIL: ' + f);
  process.exit(1);
}
console.log(`the draw's pages passed in Chromium; screenshots in ${OUT}`);
