/*
 * verify-draw.js: checks an xj-draw-v1 proof folder in the browser (信监 XinJian, 双随机、一公开).
 *
 * Plain JavaScript, no build step, no dependencies: a classic script for a page, and a module
 * for Node 20 (module.exports) for the tests. It recomputes the draw from the published files
 * with WebCrypto (crypto.subtle.digest('SHA-256')) following docs/draw-v1.md, in the order and
 * with the messages of docs/draw.md ("Verifying a proof, step by step"), which
 * tools/verify_draw.py and `xinjian verify` share: the first difference is reported as the same
 * "mismatch: <what>" text by all three.
 *
 * On a page, every <section id="xj-verifier" data-proof="/api/v1/tasks/ID/proof" data-lang="zh">
 * gets a button that fetches data-proof + "/proof.json" and the other files from
 * data-proof + "/" + name, and shows ✓ 已验证 / verified, or ✗ with the first mismatch, with the
 * list of what was checked (and for a public variant what could not be). No inline script or
 * style is needed (the site's Content-Security-Policy has no 'unsafe-inline'); the result has
 * classes (xj-verifier-ok, xj-verifier-fail, …) for the site's style sheet. Nothing outside the
 * page's own origin is fetched.
 *
 * API (window.XJVerifyDraw, or require('./verify-draw.js')):
 *   verifyProof(read) -> Promise<verdict>, read(name) -> Promise<Uint8Array | null> (null: the
 *     file is absent). verdict = {verified, variant ("full" | "public" | null), checks: [{id,
 *     zh, en}], notChecked: [{zh, en}], mismatch: {en, zh} | null, error: {en, zh} | null};
 *     `mismatch.en` is the text after "mismatch: ". `error` is a failure to read (a network
 *     error, WebCrypto missing), not a finding about the proof.
 *   fetchReader(base) -> read over fetch(base + "/" + name): a 404 is an absent file, except for
 *     proof.json, whose 404 is an error with the server's message (no proof there yet).
 *   attach(section) binds one section (done for #xj-verifier when the page has loaded).
 *   verdictLines(verdict) -> the lines tools/verify_draw.py prints for the same folder.
 */
(function (root) {
  'use strict';

  var ALGORITHM = 'xj-draw-v1';
  var MAX_PROOF_JSON = 1 << 20;
  var MAX_JSON_DEPTH = 20;
  var QUOTE_MAX = 160;
  var BATCH = 2048; // digests awaited together
  var PUBLIC_VERDICT = 'verified (public variant: the strata are withheld)';
  var NOT_CHECKED = [
    {
      en: 'that pool_hash is the hash of the pool with its strata, and so the stratum sizes',
      zh: 'pool_hash 是否为含分层的对象池的哈希（因而各层规模是否属实）'
    },
    {
      en: "that each stratum's selected subjects are those with its smallest tickets, and selection_hash",
      zh: '各层抽中的是否恰为该层签最小的对象，以及 selection_hash'
    }
  ];

  // ---------------------------------------------------------------------------------------------
  // Failures.

  function Mismatch(en, zh) {
    this.en = en;
    this.zh = zh || en;
  }
  function fail(en, zh) {
    throw new Mismatch(en, zh);
  }
  function check(cond, en, zh) {
    if (!cond) fail(en, zh);
  }
  function ReadError(en, zh) {
    this.en = en;
    this.zh = zh || en;
  }

  // ---------------------------------------------------------------------------------------------
  // Byte strings. A byte string is held as a JavaScript string of one character per byte
  // (codes 0–255), so that < and === compare bytes, and it can key a Map.

  function bin(u8, start, end) {
    var s = '';
    for (var i = start; i < end; i += 8192) {
      s += String.fromCharCode.apply(null, u8.subarray(i, Math.min(end, i + 8192)));
    }
    return s;
  }
  function utf8(str) {
    var u8 = new TextEncoder().encode(str);
    return bin(u8, 0, u8.length);
  }
  function bytesOf(s) {
    var u8 = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) u8[i] = s.charCodeAt(i);
    return u8;
  }
  var HEX = [];
  for (var h = 0; h < 256; h++) HEX.push((h < 16 ? '0' : '') + h.toString(16));
  function hexOf(s) {
    var out = '';
    for (var i = 0; i < s.length; i++) out += HEX[s.charCodeAt(i)];
    return out;
  }

  function subtle() {
    var c = root.crypto;
    if (!c || !c.subtle) {
      throw new ReadError(
        'WebCrypto is not available (the page must be served over https)',
        '浏览器的 WebCrypto 不可用（页面须通过 https 访问）'
      );
    }
    return c.subtle;
  }
  // SHA-256 of a byte string, as a byte string.
  function sha(s) {
    return subtle()
      .digest('SHA-256', bytesOf(s))
      .then(function (d) {
        var u8 = new Uint8Array(d);
        return bin(u8, 0, u8.length);
      });
  }
  // SHA-256 of prefix + each item, in batches.
  async function shaAll(prefix, items) {
    var out = new Array(items.length);
    for (var i = 0; i < items.length; i += BATCH) {
      var part = items.slice(i, i + BATCH);
      var ds = await Promise.all(
        part.map(function (x) {
          return sha(prefix + x);
        })
      );
      for (var k = 0; k < ds.length; k++) out[i + k] = ds[k];
    }
    return out;
  }

  // The length of the well-formed UTF-8 sequence at s[i] (Unicode table 3-7), or 0.
  function utf8Len(s, i) {
    var c = s.charCodeAt(i);
    var n, lo, hi;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 2; lo = 0x80; hi = 0xbf;
    } else if (c === 0xe0) {
      n = 3; lo = 0xa0; hi = 0xbf;
    } else if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) {
      n = 3; lo = 0x80; hi = 0xbf;
    } else if (c === 0xed) {
      n = 3; lo = 0x80; hi = 0x9f;
    } else if (c === 0xf0) {
      n = 4; lo = 0x90; hi = 0xbf;
    } else if (c >= 0xf1 && c <= 0xf3) {
      n = 4; lo = 0x80; hi = 0xbf;
    } else if (c === 0xf4) {
      n = 4; lo = 0x80; hi = 0x8f;
    } else {
      return 0;
    }
    if (i + n > s.length) return 0;
    var c1 = s.charCodeAt(i + 1);
    if (c1 < lo || c1 > hi) return 0;
    for (var k = 2; k < n; k++) {
      var ck = s.charCodeAt(i + k);
      if (ck < 0x80 || ck > 0xbf) return 0;
    }
    return n;
  }
  function codePoint(s, i, n) {
    var c = s.charCodeAt(i);
    if (n === 1) return c;
    var cp = c & (n === 2 ? 0x1f : n === 3 ? 0x0f : 0x07);
    for (var k = 1; k < n; k++) cp = (cp << 6) | (s.charCodeAt(i + k) & 0x3f);
    return cp;
  }

  var ESCAPED = [[0x00, 0x1f], [0x7f, 0x9f], [0x200b, 0x200f], [0x2028, 0x202e], [0x2060, 0x2069], [0xfeff, 0xfeff]];
  var SHORT = { 0x22: '\\"', 0x5c: '\\\\', 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r' };

  // A byte string as messages show it (docs/draw.md): in double quotes, its first 160 bytes,
  // then … when longer; \" \\ \t \n \r, \uXXXX for other control and invisible characters,
  // \xNN for a byte that is not part of well-formed UTF-8.
  function quote(s) {
    var cut = s.length > QUOTE_MAX;
    if (cut) s = s.slice(0, QUOTE_MAX);
    var out = '"';
    for (var i = 0; i < s.length; ) {
      var n = utf8Len(s, i);
      if (n === 0) {
        out += '\\x' + HEX[s.charCodeAt(i)];
        i += 1;
        continue;
      }
      var cp = codePoint(s, i, n);
      if (SHORT[cp] !== undefined) {
        out += SHORT[cp];
      } else if (
        ESCAPED.some(function (r) {
          return cp >= r[0] && cp <= r[1];
        })
      ) {
        out += '\\u' + ('000' + cp.toString(16)).slice(-4);
      } else {
        out += String.fromCodePoint(cp);
      }
      i += n;
    }
    return out + '"' + (cut ? '\u2026' : '');
  }

  // An identifier of docs/draw-v1.md: well-formed UTF-8, no byte below 0x20 nor 0x7F.
  function validId(s, allowEmpty) {
    if (s.length === 0) return !!allowEmpty;
    for (var i = 0; i < s.length; ) {
      var c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x7f) return false;
      var n = utf8Len(s, i);
      if (n === 0) return false;
      i += n;
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // JSON values (as Python's json module reads them: see whole()).

  function own(o, k) {
    return Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
  }
  function isNone(v) {
    return v === undefined || v === null;
  }
  function isObject(v) {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
  // A JSON number with a whole value from 0 to 2^53 - 1.
  function whole(v) {
    return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Files.

  function splitLines(data, name, fields) {
    check(
      data.length === 0 || data.charCodeAt(data.length - 1) === 10,
      name + ': the last line does not end with a newline',
      name + '：最后一行没有以换行符结尾'
    );
    var rows = [];
    var lines = data.split('\n');
    lines.pop();
    for (var n = 0; n < lines.length; n++) {
      var parts = lines[n].split('\t');
      if (parts.length !== fields) {
        if (fields === 1) fail(name + ' line ' + (n + 1) + ': expected 1 field (no tab)', name + ' 第 ' + (n + 1) + ' 行：应只有 1 列（不含制表符）');
        fail(
          name + ' line ' + (n + 1) + ': expected ' + fields + ' tab-separated fields',
          name + ' 第 ' + (n + 1) + ' 行：应有 ' + fields + ' 个以制表符分隔的字段'
        );
      }
      rows.push(parts);
    }
    return rows;
  }

  function checkCanonical(data, rows, name) {
    var lines = data.split('\n');
    for (var n = 1; n < rows.length; n++) {
      check(lines[n - 1] < lines[n], name + ': not sorted by bytes or has a duplicate line', name + '：未按字节排序或有重复行');
    }
  }

  function firstDifference(expected, actual, name) {
    var e = expected.split('\n');
    var a = actual.split('\n');
    for (var n = 0; n < Math.max(e.length, a.length); n++) {
      var el = n < e.length ? e[n] : null;
      var al = n < a.length ? a[n] : null;
      if (el !== al) {
        return new Mismatch(
          name + ' line ' + (n + 1) + ': expected ' + (el === null ? 'end of file' : quote(el)) + ', found ' +
            (al === null ? 'end of file' : quote(al)),
          name + ' 第 ' + (n + 1) + ' 行：重算应为 ' + (el === null ? '文件结尾' : quote(el)) + '，实为 ' +
            (al === null ? '文件结尾' : quote(al))
        );
      }
    }
    return new Mismatch(name + ' differs', name + ' 不同');
  }

  async function readBytes(read, name, required) {
    var u8 = await read(name);
    if (u8 === null || u8 === undefined) {
      if (required !== false) fail(name + ' is missing', '证明目录缺少 ' + name);
      return null;
    }
    return u8;
  }

  // ---------------------------------------------------------------------------------------------
  // proof.json.

  function tooDeep(u8) {
    var depth = 0;
    var inString = false;
    var escaped = false;
    for (var i = 0; i < u8.length; i++) {
      var c = u8[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) {
        inString = true;
      } else if (c === 0x5b || c === 0x7b) {
        depth += 1;
        if (depth > MAX_JSON_DEPTH) return true;
      } else if (c === 0x5d || c === 0x7d) {
        depth -= 1;
      }
    }
    return false;
  }

  function lone(str) {
    for (var i = 0; i < str.length; i++) {
      var c = str.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        var d = i + 1 < str.length ? str.charCodeAt(i + 1) : 0;
        if (d >= 0xdc00 && d <= 0xdfff) {
          i++;
          continue;
        }
        return true;
      }
      if (c >= 0xdc00 && c <= 0xdfff) return true;
    }
    return false;
  }
  // JSON that Python's json module and nlohmann::json read the same way: no number beyond a
  // double's range, no lone surrogate (docs/draw.md).
  function portable(v) {
    var stack = [v];
    while (stack.length) {
      var x = stack.pop();
      if (typeof x === 'number') {
        if (!isFinite(x)) return false;
      } else if (typeof x === 'string') {
        if (lone(x)) return false;
      } else if (Array.isArray(x)) {
        for (var i = 0; i < x.length; i++) stack.push(x[i]);
      } else if (x !== null && typeof x === 'object') {
        var keys = Object.keys(x);
        for (var k = 0; k < keys.length; k++) {
          if (lone(keys[k])) return false;
          stack.push(x[keys[k]]);
        }
      }
    }
    return true;
  }

  async function loadProof(read) {
    var data = await read('proof.json');
    if (data === null || data === undefined) fail('proof.json is missing', '证明目录缺少 proof.json');
    check(data.length <= MAX_PROOF_JSON, 'proof.json is larger than 1 MiB', 'proof.json 超过 1 MiB');
    var proof;
    var ok = false;
    if (!tooDeep(data)) {
      try {
        proof = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data));
        ok = portable(proof);
      } catch (e) {
        ok = false;
      }
    }
    check(ok, 'proof.json is not valid JSON', 'proof.json 不是有效的 JSON');
    check(isObject(proof), 'proof.json is not a JSON object', 'proof.json 不是 JSON 对象');
    return proof;
  }

  var FIELDS = [
    ['algorithm', 's'], ['task_id', 's'], ['commitment', 's'], ['secret', 's'], ['entropy', 's'],
    ['pool_hash', 's'], ['pool_size', 'n'], ['seed', 's'], ['rule', 'o'], ['allocation', 'o'],
    ['selection_hash', 's']
  ];

  function checkFields(proof) {
    FIELDS.forEach(function (f) {
      var v = own(proof, f[0]);
      if (f[1] === 's') {
        check(typeof v === 'string', 'proof.json: ' + f[0] + ' is missing or not a string', 'proof.json：缺少字符串字段 ' + f[0]);
      } else if (f[1] === 'n') {
        check(whole(v), 'proof.json: ' + f[0] + ' is missing or not a whole number', 'proof.json：缺少整数字段 ' + f[0]);
      } else {
        check(isObject(v), 'proof.json: ' + f[0] + ' is missing or not an object', 'proof.json：缺少对象字段 ' + f[0]);
      }
    });
  }

  // Map(label byte string -> BigInt) of a JSON object of whole numbers with valid labels, or null.
  function labelMap(obj, allowNone) {
    if (isNone(obj) && allowNone) return new Map();
    if (!isObject(obj)) return null;
    var out = new Map();
    var keys = Object.keys(obj);
    for (var i = 0; i < keys.length; i++) {
      var label = utf8(keys[i]);
      if (!validId(label, true) || !whole(obj[keys[i]])) return null;
      out.set(label, BigInt(obj[keys[i]]));
    }
    return out;
  }

  function parseRule(rule) {
    var kind = own(rule, 'type');
    if (kind === 'ratio') {
      var ppm = labelMap(own(rule, 'ppm'), false);
      var mins = labelMap(own(rule, 'min'), true);
      var maxs = labelMap(own(rule, 'max'), true);
      check(ppm !== null && mins !== null && maxs !== null, 'proof.json: rule is malformed', 'proof.json：rule 格式无效');
      return { type: 'ratio', ppm: ppm, min: mins, max: maxs };
    }
    if (kind === 'count') {
      check(whole(own(rule, 'count')), 'proof.json: rule is malformed', 'proof.json：rule 格式无效');
      return { type: 'count', count: BigInt(rule.count) };
    }
    fail('proof.json: rule is malformed', 'proof.json：rule 格式无效');
  }

  function byBytes(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  // docs/draw-v1.md section 5, in exact integers. sizes: Map(label -> BigInt).
  function allocate(rule, sizes) {
    var labels = Array.from(sizes.keys()).sort(byBytes);
    var out = new Map();
    if (rule.type === 'ratio') {
      labels.forEach(function (label) {
        var n = sizes.get(label);
        var p = rule.ppm.has(label) ? rule.ppm.get(label) : rule.ppm.get('*');
        check(p !== undefined, 'rule: no ratio for stratum ' + quote(label) + ' and no default', '规则：分层 ' + quote(label) + ' 没有比例，也没有默认值');
        check(p <= 1000000n, 'rule: ratio out of range', '规则：比例超出范围');
        var k = (n * p + 999999n) / 1000000n;
        if (rule.min.has(label) && rule.min.get(label) > k) k = rule.min.get(label);
        if (rule.max.has(label) && rule.max.get(label) < k) k = rule.max.get(label);
        out.set(label, k < n ? k : n);
      });
      return out;
    }
    var total = 0n;
    sizes.forEach(function (n) {
      total += n;
    });
    var k = rule.count < total ? rule.count : total;
    var rems = [];
    var given = 0n;
    labels.forEach(function (label) {
      var n = sizes.get(label);
      if (total === 0n) {
        out.set(label, 0n);
        return;
      }
      var base = (k * n) / total;
      out.set(label, base);
      given += base;
      rems.push({ rem: (k * n) % total, label: label });
    });
    rems.sort(function (a, b) {
      if (a.rem !== b.rem) return a.rem > b.rem ? -1 : 1;
      return byBytes(a.label, b.label);
    });
    for (var i = 0; BigInt(i) < k - given; i++) out.set(rems[i].label, out.get(rems[i].label) + 1n);
    return out;
  }

  function showCounts(counts) {
    return (
      '{' +
      Array.from(counts.keys())
        .sort(byBytes)
        .map(function (k) {
          return quote(k) + ': ' + counts.get(k).toString();
        })
        .join(', ') +
      '}'
    );
  }

  function sameCounts(a, b) {
    if (a.size !== b.size) return false;
    var same = true;
    a.forEach(function (v, k) {
      if (!b.has(k) || b.get(k) !== v) same = false;
    });
    return same;
  }

  // ---------------------------------------------------------------------------------------------
  // Teams (docs/draw-v1.md section 7).

  async function assign(seed, selected, groups, slots, conflicts) {
    var streams = new Map();
    function stream(g) {
      if (!streams.has(g)) {
        streams.set(g, { members: groups.has(g) ? groups.get(g) : [], order: [], pos: 0, round: 0, deferred: [] });
      }
      return streams.get(g);
    }
    async function nextMember(s, g) {
      if (s.pos >= s.order.length) {
        var prefix = seed + '\ninspector-round\n' + g + '\n' + String(s.round) + '\n';
        var ds = await shaAll(prefix, s.members);
        var keyed = s.members.map(function (m, i) {
          return { d: ds[i], m: m };
        });
        keyed.sort(function (a, b) {
          return byBytes(a.d, b.d) || byBytes(a.m, b.m);
        });
        s.order = keyed.map(function (x) {
          return x.m;
        });
        s.round += 1;
        s.pos = 0;
      }
      return s.order[s.pos++];
    }

    var out = '';
    for (var si = 0; si < selected.length; si++) {
      var u = selected[si];
      var team = [];
      var usable = function (m) {
        return !conflicts.has(u + '\t' + m) && team.indexOf(m) < 0;
      };
      for (var k = 0; k < slots.length; k++) {
        var g = slots[k][0];
        var count = slots[k][1];
        var s = stream(g);
        var available = 0;
        for (var j = 0; j < s.members.length; j++) if (usable(s.members[j])) available++;
        check(
          available >= count,
          'subject ' + quote(u) + ' cannot be staffed from group ' + quote(g),
          '对象 ' + quote(u) + ' 无法由组 ' + quote(g) + ' 配齐检查人员'
        );
        var filled = 0;
        var i = 0;
        while (filled < count && i < s.deferred.length) {
          var m = s.deferred[i];
          if (usable(m)) {
            team.push(m);
            filled++;
            s.deferred.splice(i, 1);
          } else {
            i++;
          }
        }
        while (filled < count) {
          var next = await nextMember(s, g);
          if (usable(next)) {
            team.push(next);
            filled++;
          } else {
            s.deferred.push(next);
          }
        }
      }
      out += u + '\t' + team.join(',') + '\n';
    }
    return out;
  }

  async function verifyTeams(read, proof, seed, selected, checks) {
    var ah = own(proof, 'assignment_hash');
    if (isNone(ah)) {
      checks.push({ id: 'teams', en: 'no teams were assigned (nothing to check)', zh: '未分配检查组（无需核对）' });
      return;
    }
    check(typeof ah === 'string', 'proof.json: assignment_hash is malformed', 'proof.json：assignment_hash 格式无效');
    var rawSlots = own(proof, 'slots');
    check(!isNone(rawSlots), 'proof.json: slots are missing while assignment_hash is present', 'proof.json：有 assignment_hash 却缺少 slots');
    var ok =
      Array.isArray(rawSlots) &&
      rawSlots.every(function (s) {
        return Array.isArray(s) && s.length === 2 && typeof s[0] === 'string' && validId(utf8(s[0]), false) && whole(s[1]);
      });
    check(ok, 'proof.json: slots are malformed', 'proof.json：slots 格式无效');
    var slots = rawSlots.map(function (s) {
      return [utf8(s[0]), s[1]];
    });
    check(
      typeof own(proof, 'conflicts_hash') === 'string',
      'proof.json: conflicts_hash is missing or not a string',
      'proof.json：缺少字符串字段 conflicts_hash'
    );

    var groupsU8 = await readBytes(read, 'groups.tsv');
    var groupsText = bin(groupsU8, 0, groupsU8.length);
    var rows = splitLines(groupsText, 'groups.tsv', 2);
    checkCanonical(groupsText, rows, 'groups.tsv');
    var groups = new Map();
    rows.forEach(function (r, n) {
      check(validId(r[0]) && validId(r[1]), 'groups.tsv line ' + (n + 1) + ': invalid id', 'groups.tsv 第 ' + (n + 1) + ' 行：编号无效');
      if (!groups.has(r[0])) groups.set(r[0], []);
      groups.get(r[0]).push(r[1]);
    });
    var conflictsU8 = await readBytes(read, 'conflicts.tsv', false);
    var conflictsText = conflictsU8 === null ? '' : bin(conflictsU8, 0, conflictsU8.length);
    var crows = splitLines(conflictsText, 'conflicts.tsv', 2);
    checkCanonical(conflictsText, crows, 'conflicts.tsv');
    var ch = hexOf(await sha(conflictsText));
    check(ch === proof.conflicts_hash, 'conflicts_hash: H(conflicts.tsv) = ' + ch, 'conflicts_hash：H(conflicts.tsv) = ' + ch);
    var conflicts = new Set(
      crows.map(function (r) {
        return r[0] + '\t' + r[1];
      })
    );
    var expected = await assign(seed, selected, groups, slots, conflicts);
    var actualU8 = await readBytes(read, 'assignment.tsv');
    var actual = bin(actualU8, 0, actualU8.length);
    if (actual !== expected) throw firstDifference(expected, actual, 'assignment.tsv');
    var eh = hexOf(await sha(expected));
    check(eh === ah, 'assignment_hash: H(assignment.tsv) = ' + eh, 'assignment_hash：H(assignment.tsv) = ' + eh);
    checks.push({
      id: 'teams',
      en:
        'assignment.tsv: ' + selected.length + ' teams recomputed byte for byte from groups.tsv, the slots and ' +
        'conflicts.tsv; conflicts_hash and assignment_hash match',
      zh: '检查组 assignment.tsv：由 groups.tsv、名额与 conflicts.tsv 逐字节重算 ' + selected.length + ' 个检查组一致；conflicts_hash、assignment_hash 一致'
    });
  }

  // ---------------------------------------------------------------------------------------------
  // The proof.

  async function readPool(read, name, fields) {
    var u8 = await readBytes(read, name);
    var data = bin(u8, 0, u8.length);
    var rows = splitLines(data, name, fields);
    for (var n = 0; n < rows.length; n++) {
      var row = rows[n];
      check(
        validId(row[0]) && (fields === 1 || validId(row[1], true)),
        name + ' line ' + (n + 1) + ': invalid id',
        name + ' 第 ' + (n + 1) + ' 行：编号无效'
      );
      if (n > 0) {
        check(
          rows[n - 1][0] < row[0],
          name + ' line ' + (n + 1) + ': not sorted by uscc or duplicate uscc',
          name + ' 第 ' + (n + 1) + ' 行：未按统一社会信用代码升序排列或重复'
        );
      }
    }
    return { data: data, rows: rows };
  }

  async function run(read, checks, state) {
    var proof = await loadProof(read);
    checkFields(proof);
    check(proof.algorithm === ALGORITHM, 'algorithm: this verifier does not know ' + quote(utf8(proof.algorithm)), '算法：本验证程序不认识 ' + quote(utf8(proof.algorithm)));
    checks.push({ id: 'algorithm', en: 'algorithm: xj-draw-v1', zh: '算法：xj-draw-v1' });
    var taskId = utf8(proof.task_id);
    check(validId(taskId), 'task_id is empty or has a control character', 'task_id 为空或含有控制字符');
    check(/^(?:[0-9a-fA-F]{2})*$/.test(proof.secret), 'secret is not hexadecimal', 'secret 不是十六进制');
    var secret = '';
    for (var i = 0; i < proof.secret.length; i += 2) secret += String.fromCharCode(parseInt(proof.secret.substr(i, 2), 16));
    check(hexOf(await sha(secret)) === proof.commitment, 'commitment: H(secret) does not match the commitment', '承诺值：H(secret) 与承诺值不符');
    checks.push({ id: 'commitment', en: 'H(secret) equals the commitment announced before the draw', zh: 'H(秘密值) 等于抽取前公告的承诺值' });
    var withheld = own(proof, 'withheld');
    var isPublic = !isNone(withheld);
    check(
      !isPublic || (Array.isArray(withheld) && withheld.length === 1 && withheld[0] === 'stratum'),
      'proof.json: withheld must be null or ["stratum"]',
      'proof.json：withheld 只能为 null 或 ["stratum"]'
    );
    state.variant = isPublic ? 'public' : 'full';

    var sizes;
    var pool;
    if (!isPublic) {
      var full = await readPool(read, 'pool.tsv', 2);
      pool = full.rows;
      var poolHash = hexOf(await sha(full.data));
      check(poolHash === proof.pool_hash, 'pool_hash: H(pool.tsv) = ' + poolHash, 'pool_hash：H(pool.tsv) = ' + poolHash);
      check(pool.length === proof.pool_size, 'pool_size: pool.tsv has ' + pool.length + ' subjects', 'pool_size：pool.tsv 有 ' + pool.length + ' 个对象');
      sizes = new Map();
      pool.forEach(function (r) {
        sizes.set(r[1], (sizes.get(r[1]) || 0n) + 1n);
      });
      checks.push({
        id: 'pool',
        en: 'pool.tsv: ' + pool.length + ' subjects, canonical, hashes to pool_hash',
        zh: '对象池 pool.tsv：' + pool.length + ' 个对象，格式规范，哈希等于 pool_hash'
      });
    } else {
      sizes = labelMap(own(proof, 'stratum_sizes'), false);
      var positive = sizes !== null;
      if (positive) {
        sizes.forEach(function (n) {
          if (n < 1n) positive = false;
        });
      }
      check(positive, 'proof.json: stratum_sizes is missing or malformed', 'proof.json：stratum_sizes 缺失或格式无效');
      check(/^[0-9a-f]{64}$/.test(proof.pool_hash), 'pool_hash: not 64 lowercase hexadecimal characters', 'pool_hash：不是 64 位小写十六进制');
      pool = (await readPool(read, 'pool-public.tsv', 1)).rows;
      check(
        pool.length === proof.pool_size,
        'pool_size: pool-public.tsv has ' + pool.length + ' subjects',
        'pool_size：pool-public.tsv 有 ' + pool.length + ' 个对象'
      );
      var total = 0n;
      sizes.forEach(function (n) {
        total += n;
      });
      check(
        total === BigInt(proof.pool_size),
        'stratum_sizes add up to ' + total + ', not pool_size ' + proof.pool_size,
        '各层规模之和为 ' + total + '，不是 pool_size ' + proof.pool_size
      );
      checks.push({
        id: 'pool',
        en: 'pool-public.tsv: ' + pool.length + ' subjects, canonical; the stratum sizes add up to them',
        zh: '对象池名单 pool-public.tsv：' + pool.length + ' 个对象，格式规范；各层规模之和与之相符'
      });
    }

    // Entropy and seed.
    var entropy = utf8(proof.entropy);
    check(
      own(proof, 'entropy_source_name') !== 'none' || entropy === '',
      'entropy: the entropy source "none" gives another value than the proof\'s',
      '公开随机数：随机源 "none" 给出的值与证明中的不同'
    );
    if (own(proof, 'entropy_source_name') === 'none') {
      checks.push({ id: 'entropy', en: 'the entropy is empty, as the entropy source "none" gives', zh: '公开随机数为空，与随机源 none 一致' });
    }
    var seed = await sha('xj-draw-v1\n' + taskId + '\n' + utf8(proof.pool_hash) + '\n' + hexOf(secret) + '\n' + entropy);
    check(hexOf(seed) === proof.seed, 'seed: recomputed ' + hexOf(seed), '种子：重算为 ' + hexOf(seed));
    checks.push({
      id: 'seed',
      en: 'seed = H("xj-draw-v1", task_id, pool_hash, secret, entropy)',
      zh: '种子由算法名、任务编号、pool_hash、秘密值与公开随机数重算一致'
    });

    // Allocation.
    var rule = parseRule(proof.rule);
    var alloc = allocate(rule, sizes);
    var published = labelMap(proof.allocation, false);
    check(published !== null, 'proof.json: allocation is malformed', 'proof.json：allocation 格式无效');
    check(sameCounts(alloc, published), 'allocation: recomputed ' + showCounts(alloc), '分配：按规则重算为 ' + showCounts(alloc));
    checks.push({
      id: 'allocation',
      en: 'allocation recomputed from the rule and the stratum sizes: ' + showCounts(alloc),
      zh: '按规则与各层规模重算各层抽取数：' + showCounts(alloc)
    });
    var wanted = 0n;
    alloc.forEach(function (k) {
      wanted += k;
    });

    // Selection.
    var selected;
    if (!isPublic) {
      var tickets = await shaAll(seed, pool.map(function (r) {
        return r[0];
      }));
      var byStratum = new Map();
      pool.forEach(function (r, i) {
        if (!byStratum.has(r[1])) byStratum.set(r[1], []);
        byStratum.get(r[1]).push({ t: tickets[i], u: r[0], s: r[1] });
      });
      var order = function (a, b) {
        return byBytes(a.t, b.t) || byBytes(a.u, b.u);
      };
      var chosen = [];
      byStratum.forEach(function (members, s) {
        members.sort(order);
        chosen = chosen.concat(members.slice(0, Number(alloc.get(s))));
      });
      chosen.sort(order);
      var parts = [];
      chosen.forEach(function (c, i) {
        parts.push(String(i + 1) + '\t' + c.u + '\t' + c.s + '\t' + hexOf(c.t) + '\n');
      });
      var selection = parts.join('');
      var actualU8 = await readBytes(read, 'selection.tsv');
      var actual = bin(actualU8, 0, actualU8.length);
      if (actual !== selection) throw firstDifference(selection, actual, 'selection.tsv');
      var sh = hexOf(await sha(selection));
      check(sh === proof.selection_hash, 'selection_hash: H(selection.tsv) = ' + sh, 'selection_hash：H(selection.tsv) = ' + sh);
      selected = chosen.map(function (c) {
        return c.u;
      });
      checks.push({
        id: 'selection',
        en: 'selection.tsv: the ' + selected.length + ' subjects with the smallest tickets of their strata, byte for byte; selection_hash matches',
        zh: '抽中名单 selection.tsv：各层签最小的 ' + selected.length + ' 个对象，逐字节一致；selection_hash 一致'
      });
    } else {
      var name = 'selection-public.tsv';
      var selU8 = await readBytes(read, name);
      var rows = splitLines(bin(selU8, 0, selU8.length), name, 3);
      var inPool = new Set(pool.map(function (r) {
        return r[0];
      }));
      var seen = new Set();
      var previous = null;
      for (var start = 0; start < rows.length; start += BATCH) {
        var chunk = rows.slice(start, start + BATCH);
        var ds = await shaAll(seed, chunk.map(function (r) {
          return r[1];
        }));
        for (var c = 0; c < chunk.length; c++) {
          var n = start + c + 1;
          var rank = chunk[c][0];
          var u = chunk[c][1];
          var ticket = chunk[c][2];
          check(rank === String(n), name + ' line ' + n + ': rank is not ' + n, name + ' 第 ' + n + ' 行：名次不是 ' + n);
          check(inPool.has(u), name + ' line ' + n + ': ' + quote(u) + ' is not in the pool', name + ' 第 ' + n + ' 行：' + quote(u) + ' 不在对象池中');
          check(!seen.has(u), name + ' line ' + n + ': ' + quote(u) + ' is selected twice', name + ' 第 ' + n + ' 行：' + quote(u) + ' 被抽中两次');
          seen.add(u);
          var expected = hexOf(ds[c]);
          check(
            ticket === expected,
            name + ' line ' + n + ': ticket: expected ' + expected + ', found ' + quote(ticket),
            name + ' 第 ' + n + ' 行：签应为 ' + expected + '，实为 ' + quote(ticket)
          );
          check(
            previous === null || previous < ticket,
            name + ' line ' + n + ': the tickets are not in ascending order',
            name + ' 第 ' + n + ' 行：签未按升序排列'
          );
          previous = ticket;
        }
      }
      check(
        BigInt(rows.length) === wanted,
        name + ': ' + rows.length + ' subjects, but the allocation adds up to ' + wanted,
        name + '：有 ' + rows.length + ' 个对象，而分配之和为 ' + wanted
      );
      selected = rows.map(function (r) {
        return r[1];
      });
      checks.push({
        id: 'selection',
        en:
          'selection-public.tsv: ' + selected.length + ' subjects of the pool, each ticket = H(seed ‖ uscc), ' +
          'in ascending ticket order, as many as the allocation',
        zh: '抽中名单 selection-public.tsv：' + selected.length + ' 个对象均在池中，签 = H(种子 ‖ 代码)，按签升序，数目与分配之和一致'
      });
    }

    await verifyTeams(read, proof, seed, selected, checks);
  }

  async function verifyProof(read) {
    var checks = [];
    var state = { variant: null };
    var verdict = { verified: false, variant: null, checks: checks, notChecked: [], mismatch: null, error: null };
    try {
      await run(read, checks, state);
      verdict.verified = true;
      if (state.variant === 'public') verdict.notChecked = NOT_CHECKED.slice();
    } catch (e) {
      if (e instanceof Mismatch) verdict.mismatch = { en: e.en, zh: e.zh };
      else if (e instanceof ReadError) verdict.error = { en: e.en, zh: e.zh };
      else verdict.error = { en: 'the verifier failed: ' + String(e), zh: '验证程序出错：' + String(e) };
    }
    verdict.variant = state.variant;
    return verdict;
  }

  // The lines tools/verify_draw.py prints for the same folder.
  function verdictLines(v) {
    if (v.mismatch) return ['mismatch: ' + v.mismatch.en];
    if (v.error) return ['error: ' + v.error.en];
    if (v.variant === 'public') {
      return [PUBLIC_VERDICT].concat(
        v.notChecked.map(function (n) {
          return 'not checked: ' + n.en;
        })
      );
    }
    return ['verified'];
  }

  // read() over fetch: base + "/" + name from the page's own site; a 404 is an absent file.
  function fetchReader(base) {
    return function (name) {
      return root.fetch(base + '/' + encodeURIComponent(name), { credentials: 'same-origin' }).then(
        function (res) {
          if (res.status === 404 && name === 'proof.json') {
            // No proof here (yet): the server says why ("中文 / English"), e.g. before the reveal.
            return res.text().then(function (text) {
              var message = '';
              try {
                message = JSON.parse(text).error.message || '';
              } catch (e) {
                message = '';
              }
              var cut = message.indexOf(' / ');
              if (cut < 0) throw new ReadError('no proof at ' + base + ' (HTTP 404)', '此处没有抽取证明（HTTP 404）');
              throw new ReadError(message.slice(cut + 3), message.slice(0, cut));
            });
          }
          if (res.status === 404) return null;
          if (!res.ok) {
            throw new ReadError('cannot fetch ' + name + ': HTTP ' + res.status, '无法取得 ' + name + '：HTTP ' + res.status);
          }
          return res.arrayBuffer().then(function (b) {
            return new Uint8Array(b);
          });
        },
        function (e) {
          throw new ReadError('cannot fetch ' + name + ': ' + String(e), '无法取得 ' + name + '：' + String(e));
        }
      );
    };
  }

  // ---------------------------------------------------------------------------------------------
  // The page.

  function el(doc, tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // "中文 / English" (data-lang="zh", the default) or "English" (data-lang="en").
  function say(lang, zh, en) {
    return lang === 'en' ? en : zh + ' / ' + en;
  }

  function render(doc, out, v, lang) {
    out.textContent = '';
    var head;
    if (v.verified) {
      head = el(doc, 'p', 'xj-verifier-verdict xj-verifier-ok', say(lang, '✓ 已验证', '✓ verified'));
    } else if (v.mismatch) {
      head = el(doc, 'p', 'xj-verifier-verdict xj-verifier-fail', say(lang, '✗ 未通过：第一处不一致', '✗ not verified: the first mismatch'));
    } else {
      head = el(doc, 'p', 'xj-verifier-verdict xj-verifier-error', say(lang, '✗ 无法完成验证', '✗ the check could not run'));
    }
    out.appendChild(head);
    if (v.mismatch || v.error) {
      var m = v.mismatch || v.error;
      var detail = el(doc, 'div', 'xj-verifier-mismatch');
      if (lang !== 'en') detail.appendChild(el(doc, 'p', 'xj-verifier-zh', m.zh));
      var en = el(doc, 'p', 'xj-verifier-en');
      en.appendChild(el(doc, 'code', null, (v.mismatch ? 'mismatch: ' : 'error: ') + m.en));
      detail.appendChild(en);
      out.appendChild(detail);
    }
    if (v.variant === 'public') {
      out.appendChild(
        el(doc, 'p', 'xj-verifier-variant', say(lang, '公开版本：各对象的分层（风险分类）不公开', 'public variant: the stratum (risk class) of each subject is withheld'))
      );
    }
    if (v.checks.length) {
      out.appendChild(el(doc, 'h3', 'xj-verifier-heading', say(lang, '已核对', 'checked')));
      var ul = el(doc, 'ul', 'xj-verifier-checks');
      v.checks.forEach(function (c) {
        ul.appendChild(el(doc, 'li', 'xj-verifier-check', say(lang, c.zh, c.en)));
      });
      out.appendChild(ul);
    }
    if (v.notChecked.length) {
      out.appendChild(el(doc, 'h3', 'xj-verifier-heading', say(lang, '无法核对（未公开分层）', 'not checked (the strata are withheld)')));
      var nl = el(doc, 'ul', 'xj-verifier-not-checked');
      v.notChecked.forEach(function (c) {
        nl.appendChild(el(doc, 'li', 'xj-verifier-check', say(lang, c.zh, c.en)));
      });
      out.appendChild(nl);
    }
  }

  function attach(section) {
    if (!section || section.getAttribute('data-xj-verifier-bound') === '1') return;
    section.setAttribute('data-xj-verifier-bound', '1');
    var doc = section.ownerDocument;
    var lang = section.getAttribute('data-lang') === 'en' ? 'en' : 'zh';
    var base = (section.getAttribute('data-proof') || '').replace(/\/+$/, '');
    var button = section.querySelector('button.xj-verifier-run');
    if (!button) {
      button = el(doc, 'button', 'xj-verifier-run', say(lang, '在本机验证这次抽取', 'verify this draw on this computer'));
      button.type = 'button';
      section.appendChild(button);
    }
    var out = el(doc, 'div', 'xj-verifier-result');
    out.setAttribute('role', 'status');
    out.setAttribute('aria-live', 'polite');
    section.appendChild(out);
    button.addEventListener('click', function () {
      button.disabled = true;
      out.textContent = say(lang, '正在验证……', 'verifying…');
      section.setAttribute('data-state', 'running');
      verifyProof(fetchReader(base)).then(function (v) {
        render(doc, out, v, lang);
        section.setAttribute('data-state', v.verified ? 'verified' : v.mismatch ? 'mismatch' : 'error');
        button.disabled = false;
      });
    });
  }

  var api = {
    ALGORITHM: ALGORITHM,
    verifyProof: verifyProof,
    verdictLines: verdictLines,
    fetchReader: fetchReader,
    attach: attach,
    quote: function (u8) {
      return quote(bin(u8, 0, u8.length));
    },
    // For the tests (docs/draw-v1/vectors/allocation.json): k_s of a rule in the form of
    // proof.json for stratum sizes {label: N_s}, or null where the rule is invalid.
    allocate: function (ruleJson, sizesJson) {
      try {
        var sizes = labelMap(sizesJson, false);
        var alloc = allocate(parseRule(ruleJson), sizes);
        var out = {};
        alloc.forEach(function (k, label) {
          out[new TextDecoder().decode(bytesOf(label))] = Number(k);
        });
        return out;
      } catch (e) {
        if (e instanceof Mismatch) return null;
        throw e;
      }
    }
  };

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = api;
    // node verify-draw.js DIR: prints what tools/verify_draw.py prints (exit 0 or 1).
    if (typeof require !== 'undefined' && require.main === module) {
      var fs = require('fs');
      var path = require('path');
      var dir = process.argv[2];
      verifyProof(function (name) {
        var p = path.join(dir, name);
        return Promise.resolve(fs.existsSync(p) && fs.statSync(p).isFile() ? new Uint8Array(fs.readFileSync(p)) : null);
      }).then(function (v) {
        process.stdout.write(verdictLines(v).join('\n') + '\n');
        process.exitCode = v.verified ? 0 : v.mismatch ? 1 : 2;
      });
    }
  } else {
    root.XJVerifyDraw = api;
  }
  if (typeof document !== 'undefined' && document.addEventListener) {
    var init = function () {
      var s = document.getElementById('xj-verifier');
      if (s) attach(s);
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
    else init();
  }
})(typeof globalThis !== 'undefined' ? globalThis : this);
