// The three verifiers of a draw proof agree: plugins/draw/web/verify-draw.js (the browser's,
// run here under Node 20 with its WebCrypto), tools/verify_draw.py and `xinjian verify`.
//
// usage: node verifiers_agree.mjs --cli PATH/TO/xinjian --source SOURCE_DIR [--keep]
//
// The proof folders: the specification's test vectors (docs/draw-v1/vectors), their public
// variants and copies without teams, and proof folders of tasks drawn by the real binary on a
// SQLite database (risk-stratified, by region, by label and not stratified; count and ratio
// rules; one department or a joint inspection; declared-relation conflicts; the entropy
// sources manual and none), each in its full and its public variant (`task proof --public`).
// Every folder must verify with all three, and then each tampered copy (a changed selection
// line, swapped ranks, another entropy, secret or commitment, a changed pool line, an edited
// assignment, an emptied conflicts file, a removed file, invalid JSON, hostile and oversized
// content, …) must get the same verdict from all three: the same "mismatch: …" text for the
// first difference (`xinjian verify --json` gives it as "mismatch"), or the same "verified".
// The task's clock is XINJIAN_NOW and its randomness a fixed seed (XJ_AGREE_SEED to change
// it): nothing depends on today's date or on the machine's speed.
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
const KEEP = args.includes('--keep');
if (!CLI || !SOURCE) {
  console.error('usage: node verifiers_agree.mjs --cli PATH/TO/xinjian --source SOURCE_DIR [--keep]');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const V = require(path.join(SOURCE, 'plugins/draw/web/verify-draw.js'));
const VERIFY_PY = path.join(SOURCE, 'tools/verify_draw.py');
const VECTORS = path.join(SOURCE, 'docs/draw-v1/vectors');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'xj-agree-'));
const NOT_CHECKED = [
  'that pool_hash is the hash of the pool with its strata, and so the stratum sizes',
  "that each stratum's selected subjects are those with its smallest tickets, and selection_hash"
];

// A deterministic generator (mulberry32).
let rngState = Number(process.env.XJ_AGREE_SEED || 20261123) >>> 0;
function rand() {
  rngState = (rngState + 0x6d2b79f5) >>> 0;
  let t = rngState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const between = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

// ---------------------------------------------------------------------------------------------
// Files, as bytes held in latin1 strings (one character per byte).

const has = (dir, name) => fs.existsSync(path.join(dir, name));
const readB = (dir, name) => fs.readFileSync(path.join(dir, name)).toString('latin1');
const writeB = (dir, name, s) => fs.writeFileSync(path.join(dir, name), Buffer.from(s, 'latin1'));
const utf8B = (s) => Buffer.from(s, 'utf8').toString('latin1');
const lines = (s) => s.split('\n').slice(0, -1);
const unlines = (ls) => ls.map((l) => l + '\n').join('');
function editLines(dir, name, fn) {
  writeB(dir, name, unlines(fn(lines(readB(dir, name)))));
}
function readProof(dir) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'proof.json'), 'utf8'));
}
function writeProof(dir, p) {
  fs.writeFileSync(path.join(dir, 'proof.json'), JSON.stringify(p, null, 2) + '\n');
}
function editProof(dir, fn) {
  const p = readProof(dir);
  fn(p);
  writeProof(dir, p);
}
function copyDir(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(to, f));
}
function sameFolder(a, b) {
  const fa = fs.readdirSync(a).sort();
  const fb = fs.readdirSync(b).sort();
  assert.deepEqual(fa, fb, `${a} and ${b} hold other files`);
  for (const f of fa) assert.ok(readB(a, f) === readB(b, f), `${a}/${f} differs from ${b}/${f}`);
}

// The public variant of a full proof folder, as docs/draw.md ("The proof folder") defines it.
function toPublic(from, to) {
  fs.mkdirSync(to, { recursive: true });
  const proof = readProof(from);
  const pool = lines(readB(from, 'pool.tsv')).map((l) => l.split('\t'));
  const sizes = {};
  const labels = [...new Set(pool.map((r) => r[1]))].sort();
  for (const l of labels) sizes[Buffer.from(l, 'latin1').toString('utf8')] = pool.filter((r) => r[1] === l).length;
  const out = {};
  for (const [k, v] of Object.entries(proof)) {
    if (k === 'withheld' || k === 'stratum_sizes') continue;
    if (k === 'allocation') out.stratum_sizes = sizes;
    out[k] = v;
    if (k === 'algorithm') out.withheld = ['stratum'];
  }
  writeProof(to, out);
  writeB(to, 'pool-public.tsv', unlines(pool.map((r) => r[0])));
  writeB(
    to,
    'selection-public.tsv',
    unlines(lines(readB(from, 'selection.tsv')).map((l) => {
      const f = l.split('\t');
      return [f[0], f[1], f[3]].join('\t');
    }))
  );
  for (const f of ['assignment.tsv', 'groups.tsv', 'conflicts.tsv'])
    if (has(from, f)) fs.copyFileSync(path.join(from, f), path.join(to, f));
}

// A copy without teams: what a draw without team assignment publishes.
function withoutTeams(from, to) {
  copyDir(from, to);
  for (const f of ['assignment.tsv', 'groups.tsv', 'conflicts.tsv']) if (has(to, f)) fs.unlinkSync(path.join(to, f));
  editProof(to, (p) => {
    p.slots = null;
    p.assignment_hash = null;
    p.conflicts_hash = null;
  });
}

// ---------------------------------------------------------------------------------------------
// Tasks drawn by the real binary.

function xj(db, cliArgs, opts = {}) {
  const r = spawnSync(CLI, ['--db', db, '--actor', 'agree', ...cliArgs], {
    cwd: work,
    env: { ...process.env, XINJIAN_NOW: '2026-03-02T09:00:00' },
    encoding: 'utf8',
    maxBuffer: 64 << 20
  });
  if (r.status !== 0 && !opts.mayFail) {
    throw new Error(`xinjian ${cliArgs.join(' ')}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
  return r;
}

function taskSpecs() {
  // The shapes to cover, with random parameters.
  const entropy = () => ({ source: 'manual', description: '一致性测试的公开随机数 / the agreement test' });
  const team = (n) => ({ slots: [{ group: 'SCJG', count: n }] });
  const conflicts = { declared_relations: true, previous_inspector: true, same_office: false };
  const base = (id, title) => ({
    id,
    title,
    department: 'SCJG',
    items: ['AGREE-SCJG'],
    filters: { regions: [pick(['3301', '3302', '3303', '3304'])] },
    exclusions: { same_item_within_days: 0, open_tasks: 'none' },
    conflicts,
    entropy: entropy()
  });
  return [
    { ...base('AGREE-RISK-RATIO', '按风险分类，比例 / risk classes, ratio'),
      strata: 'risk_class', rule: { ratio_percent: { '*': between(2, 9), A: between(1, 3), D: between(10, 40) },
        min: { C: 2 }, max: { B: between(3, 6) } }, team: team(2), due_date: '2026-12-31' },
    { ...base('AGREE-RISK-COUNT', '按风险分类，数量，联合 / risk classes, count, joint'), strata: 'risk_class',
      participants: ['WJW'], items: ['AGREE-SCJG', 'AGREE-WJW'], rule: { count: between(5, 30) },
      team: { slots: [{ group: 'SCJG', count: 1 }, { group: 'WJW', count: 1 }] }, entropy: { source: 'none' } },
    { ...base('AGREE-RISK-ONE', '按风险分类，一个 / risk classes, one'), strata: 'risk_class', rule: { count: 1 },
      team: team(3) },
    { ...base('AGREE-NONE-COUNT', '不分层，全省 / unstratified, the province'), filters: { regions: ['33'] },
      rule: { count: between(3, 40) }, team: team(between(2, 3)) },
    { ...base('AGREE-REGION', '按区县 / by county'), strata: 'region', region_digits: 6,
      rule: { ratio_percent: { '*': between(3, 12) } }, team: team(2) },
    { ...base('AGREE-LABEL', '按标签 / by label'), strata: 'label', strata_labels: ['食品经营', '特种设备'],
      rule: { count: between(4, 25) }, team: team(2), entropy: { source: 'none' } }
  ];
}

function drawTasks(dir) {
  const db = 'sqlite:' + path.join(work, 'agree.db');
  xj(db, ['demo', '--subjects', '2000']);
  const items = path.join(work, 'items.csv');
  fs.writeFileSync(
    items,
    'code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year,target_types,target_labels,qualification\n' +
      'AGREE-SCJG,一致性测试事项,SCJG,《企业信息公示暂行条例》第十四条,key,,,1,,,\n' +
      'AGREE-WJW,一致性测试事项（卫健）,WJW,《企业信息公示暂行条例》第十四条,key,,,1,,,\n'
  );
  xj(db, ['import', 'items', items]);
  // Declared relations between every subject of the province and a few officers of SCJG and
  // WJW, so that every team has conflicts to avoid (the subjects: a revealed probe's pool).
  const probe = { ...taskSpecs()[3], id: 'AGREE-PROBE', rule: { count: 1 } };
  fs.writeFileSync(path.join(work, 'probe.json'), JSON.stringify(probe));
  xj(db, ['task', 'create', '--spec', path.join(work, 'probe.json')]);
  xj(db, ['task', 'announce', 'AGREE-PROBE']);
  xj(db, ['task', 'draw', 'AGREE-PROBE', '--entropy', '1.2.3./']);
  xj(db, ['task', 'reveal', 'AGREE-PROBE', '--before-inspection', '--reason', '一致性测试 / the agreement test']);
  xj(db, ['task', 'proof', 'AGREE-PROBE', '--out', path.join(work, 'probe')]);
  const officers = fs.readFileSync(path.join(work, 'demo-data/inspectors.csv'), 'utf8').split('\n').slice(1)
    .map((l) => l.split(',')).filter((f) => f.length > 9 && f[9] === 'active' && f[8] === '0');
  const scjg = officers.filter((f) => f[2] === 'SCJG').slice(0, 3).map((f) => f[0]);
  const wjw = officers.filter((f) => f[2] === 'WJW').slice(0, 2).map((f) => f[0]);
  assert.ok(scjg.length === 3 && wjw.length === 2, 'the demo has no officers to relate');
  const related = lines(readB(path.join(work, 'probe'), 'pool.tsv')).map((l) => l.split('\t')[0]);
  let relations = 'inspector_id,uscc,relation\n';
  related.forEach((u, i) => {
    relations += `${scjg[i % 3]},${u},other\n`;
    if (i % 2 === 0) relations += `${wjw[i % 4 === 0 ? 0 : 1]},${u},relative\n`;
  });
  fs.writeFileSync(path.join(work, 'relations.csv'), relations);
  xj(db, ['import', 'relations', path.join(work, 'relations.csv')]);
  const folders = [];
  for (const spec of taskSpecs()) {
    const file = path.join(work, spec.id + '.json');
    fs.writeFileSync(file, JSON.stringify(spec));
    xj(db, ['task', 'create', '--spec', file]);
    xj(db, ['task', 'announce', spec.id]);
    if (spec.entropy.source === 'none') xj(db, ['task', 'draw', spec.id]);
    else xj(db, ['task', 'draw', spec.id, '--entropy', `${between(1, 9)}.${between(10, 19)}.${between(20, 33)}./`]);
    xj(db, ['task', 'reveal', spec.id, '--before-inspection', '--reason', '一致性测试 / the agreement test']);
    const full = path.join(dir, spec.id + '-full');
    const pub = path.join(dir, spec.id + '-public');
    xj(db, ['task', 'proof', spec.id, '--out', full]);
    xj(db, ['task', 'proof', spec.id, '--out', pub, '--public']);
    if (spec.strata === 'risk_class') {
      // The binary's public variant is the documented transformation of its full one.
      const mine = path.join(dir, spec.id + '-public-js');
      toPublic(full, mine);
      sameFolder(pub, mine);
      fs.rmSync(mine, { recursive: true });
      assert.ok(!has(pub, 'pool.tsv') && !has(pub, 'selection.tsv'), spec.id + ': the public variant has a stratum');
      const tier = spec.id === 'AGREE-RISK-ONE' ? 'some' : 'all';
      folders.push({ dir: full, tier }, { dir: pub, tier });
    } else {
      sameFolder(pub, full); // nothing withheld: everyone gets the full folder
      fs.rmSync(pub, { recursive: true });
      folders.push({ dir: full, tier: spec.id === 'AGREE-LABEL' ? 'all' : 'some' });
    }
  }
  return folders;
}

// ---------------------------------------------------------------------------------------------
// Tamperings. Each: [name, applies(base), edit(dir, base), mustFail(base) (default: yes)].

function describe(dir) {
  const pub = has(dir, 'pool-public.tsv');
  const sel = pub ? 'selection-public.tsv' : 'selection.tsv';
  const pool = pub ? 'pool-public.tsv' : 'pool.tsv';
  const selLines = lines(readB(dir, sel));
  const poolLines = lines(readB(dir, pool));
  const selected = new Set(selLines.map((l) => l.split('\t')[1]));
  const unselected = poolLines.map((l) => l.split('\t')[0]).find((u) => !selected.has(u));
  const teams = has(dir, 'assignment.tsv');
  const proof = readProof(dir);
  return {
    dir, pub, sel, pool, selLines, poolLines, unselected, teams, proof,
    conflicts: teams && has(dir, 'conflicts.tsv') ? lines(readB(dir, 'conflicts.tsv')) : [],
    groups: teams ? lines(readB(dir, 'groups.tsv')) : [],
    assignment: teams ? lines(readB(dir, 'assignment.tsv')) : []
  };
}

const setField = (line, i, value) => {
  const f = line.split('\t');
  f[i] = value;
  return f.join('\t');
};
const flipHex = (h) => h.slice(0, -1) + (h.endsWith('0') ? '1' : '0');
const rawProof = (dir, fn) => writeB(dir, 'proof.json', fn(readB(dir, 'proof.json')));

const TAMPERS = [
  ['selection: another subject on line 2', (b) => b.selLines.length >= 2 && b.unselected,
    (d, b) => editLines(d, b.sel, (ls) => { ls[1] = setField(ls[1], 1, b.unselected); return ls; })],
  ['selection: lines 1 and 2 swapped', (b) => b.selLines.length >= 2,
    (d, b) => editLines(d, b.sel, (ls) => [ls[1], ls[0], ...ls.slice(2)])],
  ['selection: ranks 1 and 2 swapped', (b) => b.selLines.length >= 2,
    (d, b) => editLines(d, b.sel, (ls) => { ls[0] = setField(ls[0], 0, '2'); ls[1] = setField(ls[1], 0, '1'); return ls; })],
  ['selection: line 1 removed', (b) => b.selLines.length >= 1, (d, b) => editLines(d, b.sel, (ls) => ls.slice(1))],
  ['selection: a line added', () => true, (d, b) => editLines(d, b.sel, (ls) => [...ls, ls.length ? ls[ls.length - 1] : '1'])],
  ['selection: no newline at the end', (b) => b.selLines.length >= 1, (d, b) => writeB(d, b.sel, readB(d, b.sel).slice(0, -1))],
  ['selection: CRLF line ends', (b) => b.selLines.length >= 1, (d, b) => writeB(d, b.sel, readB(d, b.sel).replace(/\n/g, '\r\n'))],
  ['selection: a 100 KB line 1', (b) => b.selLines.length >= 1, (d, b) => editLines(d, b.sel, (ls) => { ls[0] = 'x'.repeat(100000); return ls; })],
  ['selection: hostile bytes in line 1', (b) => b.selLines.length >= 1,
    (d, b) => editLines(d, b.sel, (ls) => { ls[0] = '\xff\xfe' + utf8B('\u202e\u200b"\\') + '\x00\x7f\xc3' + ls[0]; return ls; })],
  ['selection: a ticket changed', (b) => b.selLines.length >= 1,
    (d, b) => editLines(d, b.sel, (ls) => { const f = ls[0].split('\t'); f[f.length - 1] = flipHex(f[f.length - 1]); ls[0] = f.join('\t'); return ls; })],
  ['pool: the stratum of line 1 changed', (b) => !b.pub,
    (d, b) => editLines(d, b.pool, (ls) => { ls[0] = setField(ls[0], 1, ls[0].split('\t')[1] === 'B' ? 'C' : 'B'); return ls; })],
  ['pool: the uscc of line 1 changed', () => true,
    (d, b) => editLines(d, b.pool, (ls) => { ls[0] = '0' + ls[0].slice(1); return ls; }), (b) => !b.pub],
  ['pool: last line removed', () => true, (d, b) => editLines(d, b.pool, (ls) => ls.slice(0, -1))],
  ['pool: lines 1 and 2 swapped', (b) => b.poolLines.length >= 2, (d, b) => editLines(d, b.pool, (ls) => [ls[1], ls[0], ...ls.slice(2)])],
  ['pool: a 3-byte uscc at the end', () => true, (d, b) => editLines(d, b.pool, (ls) => [...ls, b.pub ? 'ZZZ' : 'ZZZ\tA']), (b) => !b.pub],
  ['pool: a control character in line 2', (b) => b.poolLines.length >= 2,
    (d, b) => editLines(d, b.pool, (ls) => { ls[1] = ls[1].slice(0, 5) + '\x01' + ls[1].slice(6); return ls; })],
  ['entropy changed', () => true, (d) => editProof(d, (p) => { p.entropy = p.entropy ? '9' + p.entropy.slice(1) : '1'; })],
  ['secret changed', () => true, (d) => editProof(d, (p) => { p.secret = flipHex(p.secret); })],
  ['secret not hexadecimal', () => true, (d) => editProof(d, (p) => { p.secret = 'zz' + p.secret.slice(2); })],
  ['commitment changed', () => true, (d) => editProof(d, (p) => { p.commitment = flipHex(p.commitment); })],
  ['seed changed', () => true, (d) => editProof(d, (p) => { p.seed = flipHex(p.seed); })],
  ['pool_hash changed', () => true, (d) => editProof(d, (p) => { p.pool_hash = flipHex(p.pool_hash); })],
  ['pool_hash in capitals', () => true, (d) => editProof(d, (p) => { p.pool_hash = p.pool_hash.toUpperCase(); })],
  ['selection_hash changed', () => true, (d) => editProof(d, (p) => { p.selection_hash = flipHex(p.selection_hash); }), (b) => !b.pub],
  ['pool_size off by one', () => true, (d) => editProof(d, (p) => { p.pool_size += 1; })],
  ['pool_size a string', () => true, (d) => editProof(d, (p) => { p.pool_size = String(p.pool_size); })],
  ['pool_size 1.5', () => true, (d) => editProof(d, (p) => { p.pool_size = 1.5; })],
  ['pool_size 2^53', () => true, (d) => editProof(d, (p) => { p.pool_size = 2 ** 53; })],
  ['pool_size -1', () => true, (d) => editProof(d, (p) => { p.pool_size = -1; })],
  ['pool_size written 20.0', () => true, (d) => rawProof(d, (t) => t.replace(/"pool_size": (\d+)/, '"pool_size": $1.0')), () => false],
  ['allocation changed', () => true, (d) => editProof(d, (p) => { const k = Object.keys(p.allocation)[0]; p.allocation[k] += 1; })],
  ['allocation with one more stratum', () => true, (d) => editProof(d, (p) => { p.allocation['城'] = 0; })],
  ['allocation malformed', () => true, (d) => editProof(d, (p) => { const k = Object.keys(p.allocation)[0]; p.allocation[k] = 'one'; })],
  ['rule: type unknown', () => true, (d) => editProof(d, (p) => { p.rule.type = 'lottery'; })],
  ['rule: no ratio for a stratum', () => true, (d) => editProof(d, (p) => { p.rule = { type: 'ratio', ppm: { 城: 1 }, min: {}, max: {} }; })],
  ['rule: ratio above 1000000', () => true, (d) => editProof(d, (p) => { p.rule = { type: 'ratio', ppm: { '*': 1000001 }, min: {}, max: {} }; })],
  ['rule: count changed', () => true, (d) => editProof(d, (p) => { p.rule = { type: 'count', count: 3 }; }), () => false],
  ['rule: a control character in a label', () => true, (d) => editProof(d, (p) => { p.rule = { type: 'ratio', ppm: { '*': 5000, 'A\u0001': 7 }, min: {}, max: {} }; })],
  ['algorithm changed', () => true, (d) => editProof(d, (p) => { p.algorithm = 'xj-draw-v2'; })],
  ['task_id with a control character', () => true, (d) => editProof(d, (p) => { p.task_id += '\u0007'; })],
  ['task_id missing', () => true, (d) => editProof(d, (p) => { delete p.task_id; })],
  ['entropy_source_name none with an entropy', () => true,
    (d) => editProof(d, (p) => { p.entropy_source_name = 'none'; if (!p.entropy) p.entropy = '1.2.3./'; })],
  ['withheld: ["risk"]', () => true, (d) => editProof(d, (p) => { p.withheld = ['risk']; })],
  ['withheld added to a full folder', (b) => !b.pub, (d) => editProof(d, (p) => { p.withheld = ['stratum']; })],
  ['withheld removed from a public folder', (b) => b.pub, (d) => editProof(d, (p) => { delete p.withheld; })],
  ['stratum_sizes removed', (b) => b.pub, (d) => editProof(d, (p) => { delete p.stratum_sizes; })],
  ['stratum_sizes: one more', (b) => b.pub, (d) => editProof(d, (p) => { const k = Object.keys(p.stratum_sizes)[0]; p.stratum_sizes[k] += 1; })],
  ['stratum_sizes: one moved', (b) => b.pub && Object.keys(b.proof.stratum_sizes).length >= 2,
    (d) => editProof(d, (p) => { const k = Object.keys(p.stratum_sizes); p.stratum_sizes[k[0]] += 1; p.stratum_sizes[k[1]] -= 1; }), () => false],
  ['stratum_sizes: a zero', (b) => b.pub, (d) => editProof(d, (p) => { p.stratum_sizes.ZZ = 0; })],
  ['slots missing', (b) => b.teams, (d) => editProof(d, (p) => { delete p.slots; })],
  ['slots malformed', (b) => b.teams, (d) => editProof(d, (p) => { p.slots = [['SCJG']]; })],
  ['slots: a thousand more', (b) => b.teams, (d) => editProof(d, (p) => { p.slots[0][1] += 1000; })],
  ['slots: a group nobody is in', (b) => b.teams, (d) => editProof(d, (p) => { p.slots.push(['NOBODY', 1]); }), (b) => b.selLines.length > 0],
  ['assignment_hash a number', (b) => b.teams, (d) => editProof(d, (p) => { p.assignment_hash = 7; })],
  ['assignment_hash changed', (b) => b.teams, (d) => editProof(d, (p) => { p.assignment_hash = flipHex(p.assignment_hash); })],
  ['conflicts_hash removed', (b) => b.teams, (d) => editProof(d, (p) => { delete p.conflicts_hash; })],
  ['assignment: lead and second swapped on line 1', (b) => b.teams && b.assignment.length && b.assignment[0].includes(','),
    (d) => editLines(d, 'assignment.tsv', (ls) => { const [u, t] = ls[0].split('\t'); const m = t.split(','); [m[0], m[1]] = [m[1], m[0]]; ls[0] = u + '\t' + m.join(','); return ls; })],
  ['assignment: line 2 removed', (b) => b.teams && b.assignment.length >= 2, (d) => editLines(d, 'assignment.tsv', (ls) => [ls[0], ...ls.slice(2)])],
  ['conflicts: emptied', (b) => b.teams && b.conflicts.length > 0, (d) => writeB(d, 'conflicts.tsv', '')],
  ['conflicts: a line added', (b) => b.teams, (d) => editLines(d, 'conflicts.tsv', (ls) => [...ls, '~~~\t~~~'])],
  ['conflicts: lines reversed', (b) => b.teams && b.conflicts.length >= 2, (d) => editLines(d, 'conflicts.tsv', (ls) => ls.reverse())],
  ['groups: lines 1 and 2 swapped', (b) => b.teams && b.groups.length >= 2, (d) => editLines(d, 'groups.tsv', (ls) => [ls[1], ls[0], ...ls.slice(2)])],
  ['groups: a member removed', (b) => b.teams && b.groups.length >= 3, (d) => editLines(d, 'groups.tsv', (ls) => ls.slice(1)), () => false],
  ['groups: an empty id', (b) => b.teams, (d) => editLines(d, 'groups.tsv', (ls) => [...ls, 'ZZZ\t'])],
  ['proof.json: truncated', () => true, (d) => rawProof(d, (t) => t.slice(0, 40))],
  ['proof.json: a byte order mark', () => true, (d) => rawProof(d, (t) => '\xef\xbb\xbf' + t)],
  ['proof.json: nested 5000 deep', () => true, (d) => rawProof(d, (t) => t.replace('{', '{"deep": ' + '['.repeat(5000) + ']'.repeat(5000) + ','))],
  ['proof.json: nested 21 deep', () => true, (d) => rawProof(d, (t) => t.replace('{', '{"deep": ' + '['.repeat(20) + ']'.repeat(20) + ','))],
  ['proof.json: nested 19 deep', () => true, (d) => rawProof(d, (t) => t.replace('{', '{"deep": ' + '['.repeat(18) + ']'.repeat(18) + ',')), () => false],
  ['proof.json: 1e400', () => true, (d) => rawProof(d, (t) => t.replace(/"pool_size": \d+/, '"pool_size": 1e400'))],
  ['proof.json: a 400-digit number', () => true, (d) => rawProof(d, (t) => t.replace(/"pool_size": \d+/, '"pool_size": ' + '7'.repeat(400)))],
  ['proof.json: NaN', () => true, (d) => rawProof(d, (t) => t.replace(/"pool_size": \d+/, '"pool_size": NaN'))],
  ['proof.json: a lone surrogate', () => true, (d) => rawProof(d, (t) => t.replace(/"task_id": "/, '"task_id": "\\ud800'))],
  ['proof.json: a surrogate pair', () => true, (d) => rawProof(d, (t) => t.replace(/"task_id": "/, '"task_id": "\\ud83d\\ude00'))],
  ['proof.json: invalid UTF-8', () => true, (d) => rawProof(d, (t) => t.replace(/"entropy": "/, '"entropy": "\xff'))],
  ['proof.json: an array', () => true, (d) => rawProof(d, (t) => '[' + t + ']')],
  ['proof.json: 2 MiB', () => true, (d) => rawProof(d, (t) => t.replace('{', '{' + ' '.repeat(2 << 20)))],
  ['proof.json: a duplicate key, the last one right', () => true,
    (d) => rawProof(d, (t) => t.replace(/"secret": /, '"secret": "00", "secret": ')), () => false],
  ['proof.json: a Chinese algorithm', () => true, (d) => editProof(d, (p) => { p.algorithm = '抽签\u202e"x"'; })]
];
// Removing each file in turn (conflicts.tsv: an absent list is the empty list).
for (const f of ['proof.json', 'pool.tsv', 'selection.tsv', 'pool-public.tsv', 'selection-public.tsv', 'assignment.tsv', 'groups.tsv', 'conflicts.tsv']) {
  TAMPERS.push([`${f} removed`, (b) => has(b.dir, f), (d) => fs.unlinkSync(path.join(d, f)),
    (b) => f !== 'conflicts.tsv' || b.conflicts.length > 0]);
}
// A public folder with the full files beside it still verifies as a public variant.
TAMPERS.push(['public folder with pool.tsv beside it', (b) => b.pub, (d) => writeB(d, 'pool.tsv', 'x\n'), () => false]);
const SOME = new Set(['selection: another subject on line 2', 'selection: ranks 1 and 2 swapped', 'entropy changed',
  'pool: last line removed', 'assignment: lead and second swapped on line 1', 'conflicts: emptied', 'groups.tsv removed',
  'stratum_sizes: one moved']);

// ---------------------------------------------------------------------------------------------
// The three verifiers.

function nodeReader(dir) {
  return async (name) => {
    const p = path.join(dir, name);
    return fs.existsSync(p) && fs.statSync(p).isFile() ? new Uint8Array(fs.readFileSync(p)) : null;
  };
}

function runPythonBatch(dirs) {
  const r = spawnSync('python3', [path.join(SOURCE, 'plugins/draw/tests/web/verify_many.py'), VERIFY_PY], {
    input: dirs.join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 256 << 20
  });
  if (r.status !== 0) throw new Error('verify_many.py failed: ' + r.stderr);
  const out = new Map();
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const j = JSON.parse(line);
    out.set(j.dir, j);
  }
  return out;
}

function runCli(dir) {
  return new Promise((resolve) => {
    const child = spawn(CLI, ['verify', dir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => { stdout += b; });
    child.stderr.on('data', (b) => { stderr += b; });
    child.on('close', (status) => {
      let json = null;
      try { json = JSON.parse(stdout); } catch (e) { json = null; }
      resolve({ status, json, stdout, stderr });
    });
  });
}

async function runAll(dirs, limit) {
  const results = new Map();
  let next = 0;
  async function worker() {
    while (next < dirs.length) {
      const d = dirs[next++];
      results.set(d, await runCli(d));
    }
  }
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  // The allocation vectors, in exact integers.
  const cases = JSON.parse(fs.readFileSync(path.join(VECTORS, 'allocation.json'), 'utf8')).cases;
  for (const c of cases) {
    const got = V.allocate(c.rule, c.sizes);
    if (c.error) assert.equal(got, null, c.name);
    else assert.deepEqual(got, c.allocation, c.name);
  }
  console.log(`allocation vectors: ${cases.length} cases`);

  const bases = path.join(work, 'bases');
  fs.mkdirSync(bases);
  const folders = [];
  for (const v of ['ratio', 'count', 'joint']) {
    copyDir(path.join(VECTORS, v), path.join(bases, 'vector-' + v));
    toPublic(path.join(VECTORS, v), path.join(bases, 'vector-' + v + '-public'));
    folders.push({ dir: path.join(bases, 'vector-' + v), tier: 'all' }, { dir: path.join(bases, 'vector-' + v + '-public'), tier: 'all' });
  }
  withoutTeams(path.join(VECTORS, 'joint'), path.join(bases, 'vector-joint-no-teams'));
  withoutTeams(path.join(bases, 'vector-ratio-public'), path.join(bases, 'vector-ratio-public-no-teams'));
  folders.push({ dir: path.join(bases, 'vector-joint-no-teams'), tier: 'some' },
    { dir: path.join(bases, 'vector-ratio-public-no-teams'), tier: 'some' });
  const drawn = drawTasks(bases);
  folders.push(...drawn);
  withoutTeams(drawn[0].dir, path.join(bases, 'drawn-no-teams'));
  folders.push({ dir: path.join(bases, 'drawn-no-teams'), tier: 'some' });
  for (const f of drawn) assert.ok(lines(readB(f.dir, 'conflicts.tsv')).length > 0, f.dir + ': no conflict to avoid');

  // Every folder verifies with all three; the real Python command prints what the batch does.
  const cases2 = [];
  for (const f of folders) {
    cases2.push({ dir: f.dir, name: 'untampered', base: f.dir, mustFail: false, mustPass: true });
    const py = spawnSync('python3', [VERIFY_PY, f.dir], { encoding: 'utf8' });
    const expect = has(f.dir, 'pool-public.tsv') ? ['verified (public variant: the strata are withheld)', ...NOT_CHECKED.map((n) => 'not checked: ' + n)] : ['verified'];
    assert.equal(py.stdout, expect.join('\n') + '\n', f.dir + ': ' + py.stdout);
    assert.equal(py.status, 0);
  }
  const tampered = path.join(work, 'tampered');
  fs.mkdirSync(tampered);
  let n = 0;
  for (const f of folders) {
    const b = describe(f.dir);
    for (const [name, applies, edit, mustFail] of TAMPERS) {
      if (f.tier !== 'all' && !SOME.has(name)) continue;
      if (!applies(b)) continue;
      const d = path.join(tampered, String(n++));
      copyDir(f.dir, d);
      edit(d, b);
      cases2.push({ dir: d, name, base: f.dir, mustFail: mustFail ? mustFail(b) : true });
    }
  }
  console.log(`${folders.length} proof folders, ${cases2.length} cases`);

  const python = runPythonBatch(cases2.map((c) => c.dir));
  const cli = await runAll(cases2.map((c) => c.dir), 2);
  const failures = [];
  const seen = new Map();
  for (const c of cases2) {
    const what = `${c.name} (${path.basename(c.base)}; ${c.dir})`;
    try {
      const js = await V.verifyProof(nodeReader(c.dir));
      const jsLines = V.verdictLines(js);
      const py = python.get(c.dir);
      const x = cli.get(c.dir);
      assert.equal(js.error, null, 'verify-draw.js could not run: ' + JSON.stringify(js.error));
      assert.deepEqual(py.lines, jsLines, 'Python and verify-draw.js differ');
      assert.ok(x.json, `xinjian verify printed no JSON (exit ${x.status}): ${x.stdout} ${x.stderr}`);
      assert.equal(x.json.verified, js.verified, 'xinjian verify differs: ' + x.stdout);
      if (js.verified) {
        assert.equal(py.status, 0);
        assert.equal(x.status, 0);
        assert.equal(x.json.variant, js.variant);
        assert.deepEqual(x.json.not_checked, js.notChecked.map((nc) => nc.en));
        assert.ok(!c.mustFail, 'verified, but it must not');
      } else {
        assert.equal(py.status, 1);
        assert.equal(x.json.mismatch, js.mismatch.en, 'xinjian verify names another mismatch: ' + x.stdout);
        const notAProof = /^proof\.json is (missing|larger than|not valid JSON|not a JSON object)/.test(js.mismatch.en);
        assert.equal(x.status, notAProof ? 1 : 3, 'xinjian verify exit status');
        assert.ok(!c.mustPass, 'not verified: ' + js.mismatch.en);
        seen.set(js.mismatch.en.replace(/line \d+/, 'line N').replace(/[0-9a-f]{64}/g, 'HEX').slice(0, 60), true);
      }
    } catch (e) {
      failures.push(what + ': ' + e.message);
    }
  }
  console.log(`${seen.size} kinds of mismatch named alike by the three verifiers`);
  if (failures.length) {
    for (const f of failures.slice(0, 40)) console.error('FAIL: ' + f);
    console.error(`${failures.length} of ${cases2.length} cases failed; the folders are kept in ${work}`);
    process.exit(1);
  }
  console.log(`the three verifiers agree on all ${cases2.length} cases`);
  if (!KEEP) fs.rmSync(work, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  console.error('the folders are kept in ' + work);
  process.exit(1);
});
