#!/usr/bin/env python3
"""Independent verifier of an xj-draw-v1 draw (信监 XinJian, 双随机、一公开).

Usage:  python3 tools/verify_draw.py DIR

Python 3 standard library only. DIR is a proof folder as published by the platform, in one of
two variants (docs/draw.md, "The proof folder", says every byte of both):

The full variant:
  proof.json      {"algorithm": "xj-draw-v1", "task_id": ..., "commitment": hex(H(secret)),
                   "secret": hex, "entropy": "7.8.11.17.19.25.46./", "pool_hash": hex,
                   "pool_size": n, "seed": hex,
                   "rule": {"type": "ratio", "ppm": {"A": 100000, "*": 50000},
                            "min": {"A": 1}, "max": {"A": 10}}
                        or {"type": "count", "count": 7},
                   "allocation": {"A": 1, ...}, "selection_hash": hex,
                   "slots": [["SCJG", 2], ...] or null,
                   "assignment_hash": hex or null, "conflicts_hash": hex or null}
  pool.tsv        "uscc<TAB>stratum" lines, sorted by uscc bytes
  selection.tsv   "rank<TAB>uscc<TAB>stratum<TAB>hex(ticket)" lines in draw order
  assignment.tsv  "uscc<TAB>id1,id2,..." lines in draw order      (when teams were assigned)
  groups.tsv      "group<TAB>inspector_id" lines, sorted by bytes  (when teams were assigned)
  conflicts.tsv   "uscc<TAB>inspector_id" lines, sorted by bytes   (optional; when absent the
                  conflict list is taken as empty, which must match conflicts_hash)

The public variant of a draw whose strata must not be published (risk classes): proof.json
has "withheld": ["stratum"] and "stratum_sizes": {"A": N_A, ...}, and pool.tsv and
selection.tsv are replaced by
  pool-public.tsv       "uscc" lines, sorted by uscc bytes
  selection-public.tsv  "rank<TAB>uscc<TAB>hex(ticket)" lines in draw order
Everything that does not need the strata is checked; the output names what could not be.

Every line ends with a newline. The verifier recomputes everything from these files alone,
following docs/draw-v1.md (the specification) and the order and messages of docs/draw.md
("Verifying a proof, step by step"), which `xinjian verify` and the browser's verify-draw.js
share: it prints "verified" (exit status 0; for a public variant, followed by the lines
"not checked: ..."), or "mismatch: <what>" naming the first difference found (exit status 1).
"""

import hashlib
import json
import os
import re
import sys

ALGORITHM = "xj-draw-v1"
MAX_PROOF_JSON = 1 << 20  # bytes
MAX_JSON_DEPTH = 20
QUOTE_MAX = 160  # bytes of a value shown in a message
SAFE_MAX = (1 << 53) - 1  # the largest whole number every verifier reads exactly

PUBLIC_VERDICT = "verified (public variant: the strata are withheld)"
NOT_CHECKED = [
    "that pool_hash is the hash of the pool with its strata, and so the stratum sizes",
    "that each stratum's selected subjects are those with its smallest tickets, and selection_hash",
]


class Mismatch(Exception):
    pass


def sha(data):
    return hashlib.sha256(data).digest()


def check(cond, what):
    if not cond:
        raise Mismatch(what)


# ---------------------------------------------------------------------------------------------
# Bytes and text.

def utf8_len(b, i):
    """The length of the well-formed UTF-8 sequence at b[i] (Unicode table 3-7), or 0."""
    c = b[i]
    if c < 0x80:
        return 1
    if 0xC2 <= c <= 0xDF:
        n, lo, hi = 2, 0x80, 0xBF
    elif c == 0xE0:
        n, lo, hi = 3, 0xA0, 0xBF
    elif 0xE1 <= c <= 0xEC or 0xEE <= c <= 0xEF:
        n, lo, hi = 3, 0x80, 0xBF
    elif c == 0xED:
        n, lo, hi = 3, 0x80, 0x9F
    elif c == 0xF0:
        n, lo, hi = 4, 0x90, 0xBF
    elif 0xF1 <= c <= 0xF3:
        n, lo, hi = 4, 0x80, 0xBF
    elif c == 0xF4:
        n, lo, hi = 4, 0x80, 0x8F
    else:
        return 0
    if i + n > len(b) or not lo <= b[i + 1] <= hi:
        return 0
    for k in range(2, n):
        if not 0x80 <= b[i + k] <= 0xBF:
            return 0
    return n


_ESCAPED = ((0x00, 0x1F), (0x7F, 0x9F), (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x2069), (0xFEFF, 0xFEFF))
_SHORT = {0x22: '\\"', 0x5C: "\\\\", 0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}


def q(b):
    """A byte string as messages show it: in double quotes, its first QUOTE_MAX bytes, then …
    when longer; \\" \\\\ \\t \\n \\r, \\uXXXX for other control and invisible characters,
    \\xNN for a byte that is not part of well-formed UTF-8."""
    if isinstance(b, str):
        b = b.encode("utf-8")
    cut = len(b) > QUOTE_MAX
    if cut:
        b = b[:QUOTE_MAX]
    out = ['"']
    i = 0
    while i < len(b):
        n = utf8_len(b, i)
        if n == 0:
            out.append("\\x%02x" % b[i])
            i += 1
            continue
        ch = b[i:i + n].decode("utf-8")
        cp = ord(ch)
        if cp in _SHORT:
            out.append(_SHORT[cp])
        elif any(lo <= cp <= hi for lo, hi in _ESCAPED):
            out.append("\\u%04x" % cp)
        else:
            out.append(ch)
        i += n
    out.append('"')
    if cut:
        out.append("\u2026")
    return "".join(out)


def valid_id(b, allow_empty=False):
    if not b and not allow_empty:
        return False
    if any(c < 0x20 or c == 0x7F for c in b):
        return False
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def whole(v):
    """A JSON number with a whole value from 0 to 2^53 - 1."""
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return 0 <= v <= SAFE_MAX
    if isinstance(v, float):
        return v.is_integer() and 0 <= v <= SAFE_MAX
    return False


# ---------------------------------------------------------------------------------------------
# Files.

def read_bytes(folder, name, required=True):
    path = os.path.join(folder, name)
    if not os.path.isfile(path):
        if required:
            raise Mismatch("%s is missing" % name)
        return None
    with open(path, "rb") as f:
        return f.read()


def split_lines(data, name, fields):
    """Splits a TSV file into rows of `fields` byte strings (each line's field count first)."""
    check(data == b"" or data.endswith(b"\n"), "%s: the last line does not end with a newline" % name)
    rows = []
    for n, line in enumerate(data.split(b"\n")[:-1], 1):
        parts = line.split(b"\t")
        if len(parts) != fields:
            raise Mismatch("%s line %d: expected 1 field (no tab)" % (name, n) if fields == 1 else
                           "%s line %d: expected %d tab-separated fields" % (name, n, fields))
        rows.append(parts)
    return rows


def check_canonical(data, rows, name):
    """Sorted by bytes, no line twice: every line greater than the one before."""
    lines = data.split(b"\n")[:-1]
    for n in range(1, len(rows)):
        check(lines[n - 1] < lines[n], "%s: not sorted by bytes or has a duplicate line" % name)


def first_difference(expected, actual, name):
    e = expected.split(b"\n")
    a = actual.split(b"\n")
    for n in range(max(len(e), len(a))):
        el = e[n] if n < len(e) else None
        al = a[n] if n < len(a) else None
        if el != al:
            return "%s line %d: expected %s, found %s" % (name, n + 1, "end of file" if el is None else q(el),
                                                          "end of file" if al is None else q(al))
    return "%s differs" % name


# ---------------------------------------------------------------------------------------------
# proof.json.

def too_deep(data):
    """True when arrays and objects nest deeper than MAX_JSON_DEPTH (outside strings)."""
    depth, in_string, escaped = 0, False, False
    for c in data:
        if in_string:
            if escaped:
                escaped = False
            elif c == 0x5C:
                escaped = True
            elif c == 0x22:
                in_string = False
        elif c == 0x22:
            in_string = True
        elif c == 0x5B or c == 0x7B:
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif c == 0x5D or c == 0x7D:
            depth -= 1
    return False


def _finite(x):
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError("a number out of range")
    return x


def _no_constant(name):
    raise ValueError("not JSON: " + name)


def _no_lone_surrogate(v):
    if isinstance(v, str):
        if any(0xD800 <= ord(c) <= 0xDFFF for c in v):
            raise ValueError("a lone surrogate")
    elif isinstance(v, list):
        for x in v:
            _no_lone_surrogate(x)
    elif isinstance(v, dict):
        for k, x in v.items():
            _no_lone_surrogate(k)
            _no_lone_surrogate(x)


def load_proof(folder):
    path = os.path.join(folder, "proof.json")
    if not os.path.isfile(path):
        raise Mismatch("proof.json is missing")
    check(os.path.getsize(path) <= MAX_PROOF_JSON, "proof.json is larger than 1 MiB")
    data = read_bytes(folder, "proof.json")
    check(len(data) <= MAX_PROOF_JSON, "proof.json is larger than 1 MiB")
    try:
        if too_deep(data):
            raise ValueError("nested too deep")
        proof = json.loads(data.decode("utf-8"), parse_constant=_no_constant,
                           parse_float=lambda s: _finite(float(s)),
                           parse_int=lambda s: int(s) if len(s) <= 300 else _finite(float(s)))
        _no_lone_surrogate(proof)
    except (ValueError, RecursionError):
        raise Mismatch("proof.json is not valid JSON")
    check(isinstance(proof, dict), "proof.json is not a JSON object")
    return proof


FIELDS = [("algorithm", str), ("task_id", str), ("commitment", str), ("secret", str), ("entropy", str),
          ("pool_hash", str), ("pool_size", int), ("seed", str), ("rule", dict), ("allocation", dict),
          ("selection_hash", str)]


def check_fields(proof):
    for key, kind in FIELDS:
        v = proof.get(key)
        if kind is str:
            check(isinstance(v, str), "proof.json: %s is missing or not a string" % key)
        elif kind is int:
            check(whole(v), "proof.json: %s is missing or not a whole number" % key)
        else:
            check(isinstance(v, dict), "proof.json: %s is missing or not an object" % key)


def label_map(obj, allow_none):
    """{label bytes: int} of a JSON object of whole numbers with valid labels, or None."""
    if obj is None and allow_none:
        return {}
    if not isinstance(obj, dict):
        return None
    out = {}
    for k, v in obj.items():
        if not valid_id(k.encode(), allow_empty=True) or not whole(v):
            return None
        out[k.encode()] = int(v)
    return out


def parse_rule(rule):
    kind = rule.get("type")
    if kind == "ratio":
        ppm = label_map(rule.get("ppm"), False)
        mins = label_map(rule.get("min"), True)
        maxs = label_map(rule.get("max"), True)
        check(ppm is not None and mins is not None and maxs is not None, "proof.json: rule is malformed")
        return ("ratio", ppm, mins, maxs)
    if kind == "count":
        check(whole(rule.get("count")), "proof.json: rule is malformed")
        return ("count", int(rule["count"]))
    raise Mismatch("proof.json: rule is malformed")


def allocate(rule, sizes):
    """rule: as proof.json has it, or parse_rule's; sizes: {label bytes: N_s}; returns
    {label bytes: k_s} (docs/draw-v1.md section 5)."""
    if isinstance(rule, dict):
        rule = parse_rule(rule)
    labels = sorted(sizes)
    if rule[0] == "ratio":
        _, ppm, mins, maxs = rule
        out = {}
        for label in labels:
            n = sizes[label]
            p = ppm.get(label, ppm.get(b"*"))
            check(p is not None, "rule: no ratio for stratum %s and no default" % q(label))
            check(p <= 1000000, "rule: ratio out of range")
            k = (n * p + 999999) // 1000000
            if label in mins:
                k = max(k, mins[label])
            if label in maxs:
                k = min(k, maxs[label])
            out[label] = min(k, n)
        return out
    total = sum(sizes.values())
    k = min(rule[1], total)
    out, rems, given = {}, [], 0
    for label in labels:
        n = sizes[label]
        if total == 0:
            out[label] = 0
            continue
        out[label] = k * n // total
        given += out[label]
        rems.append((-(k * n % total), label))
    rems.sort()
    for _, label in rems[: k - given]:
        out[label] += 1
    return out


def show_counts(counts):
    return "{" + ", ".join("%s: %d" % (q(k), v) for k, v in sorted(counts.items())) + "}"


# ---------------------------------------------------------------------------------------------
# Teams (docs/draw-v1.md section 7).

def assign(seed, selected, groups, slots, conflicts):
    """selected: uscc list in draw order; groups: {group: [ids]}; slots: [(group, count)];
    conflicts: set of (uscc, id). Returns the assignment file bytes."""
    streams = {}
    for g, members in groups.items():
        streams[g] = {"members": members, "order": [], "pos": 0, "round": 0, "deferred": []}

    def next_member(s, g):
        if s["pos"] >= len(s["order"]):
            r = str(s["round"]).encode()
            prefix = seed + b"\ninspector-round\n" + g + b"\n" + r + b"\n"
            s["order"] = sorted(s["members"], key=lambda m: (sha(prefix + m), m))
            s["round"] += 1
            s["pos"] = 0
        m = s["order"][s["pos"]]
        s["pos"] += 1
        return m

    out = []
    for u in selected:
        team = []

        def usable(m):
            return (u, m) not in conflicts and m not in team

        for g, count in slots:
            # A group without members has no line in groups.tsv.
            s = streams.setdefault(g, {"members": [], "order": [], "pos": 0, "round": 0, "deferred": []})
            available = sum(1 for m in s["members"] if usable(m))
            check(available >= count, "subject %s cannot be staffed from group %s" % (q(u), q(g)))
            filled = 0
            i = 0
            while filled < count and i < len(s["deferred"]):
                m = s["deferred"][i]
                if usable(m):
                    team.append(m)
                    filled += 1
                    del s["deferred"][i]
                else:
                    i += 1
            while filled < count:
                m = next_member(s, g)
                if usable(m):
                    team.append(m)
                    filled += 1
                else:
                    s["deferred"].append(m)
        out.append(u + b"\t" + b",".join(team) + b"\n")
    return b"".join(out)


def verify_teams(folder, proof, seed, selected):
    """Section 7: the groups, the conflicts and the assignment. False when no teams were drawn."""
    ah = proof.get("assignment_hash")
    if ah is None:
        return False
    check(isinstance(ah, str), "proof.json: assignment_hash is malformed")
    raw_slots = proof.get("slots")
    check(raw_slots is not None, "proof.json: slots are missing while assignment_hash is present")
    ok = isinstance(raw_slots, list) and all(
        isinstance(s, list) and len(s) == 2 and isinstance(s[0], str) and valid_id(s[0].encode()) and whole(s[1])
        for s in raw_slots)
    check(ok, "proof.json: slots are malformed")
    slots = [(g.encode(), int(c)) for g, c in raw_slots]
    check(isinstance(proof.get("conflicts_hash"), str), "proof.json: conflicts_hash is missing or not a string")

    groups_bytes = read_bytes(folder, "groups.tsv")
    rows = split_lines(groups_bytes, "groups.tsv", 2)
    check_canonical(groups_bytes, rows, "groups.tsv")
    groups = {}
    for n, (g, m) in enumerate(rows, 1):
        check(valid_id(g) and valid_id(m), "groups.tsv line %d: invalid id" % n)
        groups.setdefault(g, []).append(m)
    conflicts_bytes = read_bytes(folder, "conflicts.tsv", required=False)
    if conflicts_bytes is None:
        conflicts_bytes = b""
    crows = split_lines(conflicts_bytes, "conflicts.tsv", 2)
    check_canonical(conflicts_bytes, crows, "conflicts.tsv")
    check(sha(conflicts_bytes).hex() == proof["conflicts_hash"],
          "conflicts_hash: H(conflicts.tsv) = %s" % sha(conflicts_bytes).hex())
    conflicts = set(tuple(r) for r in crows)
    expected = assign(seed, selected, groups, slots, conflicts)
    actual = read_bytes(folder, "assignment.tsv")
    if actual != expected:
        raise Mismatch(first_difference(expected, actual, "assignment.tsv"))
    check(sha(expected).hex() == ah, "assignment_hash: H(assignment.tsv) = %s" % sha(expected).hex())
    return True


# ---------------------------------------------------------------------------------------------
# The proof.

def read_pool(folder, name, fields):
    """The pool file's rows, each line's ids valid, sorted by uscc with no uscc twice."""
    data = read_bytes(folder, name)
    rows = split_lines(data, name, fields)
    for n, row in enumerate(rows, 1):
        check(valid_id(row[0]) and (fields == 1 or valid_id(row[1], allow_empty=True)),
              "%s line %d: invalid id" % (name, n))
        if n > 1:
            check(rows[n - 2][0] < row[0], "%s line %d: not sorted by uscc or duplicate uscc" % (name, n))
    return data, rows


def verify(folder):
    """Returns None for a full proof, or the list of what could not be checked (public)."""
    proof = load_proof(folder)
    check_fields(proof)
    check(proof["algorithm"] == ALGORITHM, "algorithm: this verifier does not know %s" % q(proof["algorithm"]))
    task_id = proof["task_id"].encode()
    check(valid_id(task_id), "task_id is empty or has a control character")
    check(re.fullmatch(r"(?:[0-9a-fA-F]{2})*", proof["secret"]) is not None, "secret is not hexadecimal")
    secret = bytes.fromhex(proof["secret"])
    check(sha(secret).hex() == proof["commitment"], "commitment: H(secret) does not match the commitment")
    withheld = proof.get("withheld")
    check(withheld is None or withheld == ["stratum"], 'proof.json: withheld must be null or ["stratum"]')
    public = withheld is not None

    if not public:
        pool_bytes, pool = read_pool(folder, "pool.tsv", 2)
        pool_hash = sha(pool_bytes).hex()
        check(pool_hash == proof["pool_hash"], "pool_hash: H(pool.tsv) = %s" % pool_hash)
        check(len(pool) == proof["pool_size"], "pool_size: pool.tsv has %d subjects" % len(pool))
        sizes = {}
        for _, s in pool:
            sizes[s] = sizes.get(s, 0) + 1
    else:
        sizes = label_map(proof.get("stratum_sizes"), False)
        check(sizes is not None and all(n >= 1 for n in sizes.values()),
              "proof.json: stratum_sizes is missing or malformed")
        check(re.fullmatch(r"[0-9a-f]{64}", proof["pool_hash"]) is not None,
              "pool_hash: not 64 lowercase hexadecimal characters")
        _, pool = read_pool(folder, "pool-public.tsv", 1)
        check(len(pool) == proof["pool_size"], "pool_size: pool-public.tsv has %d subjects" % len(pool))
        total = sum(sizes.values())
        check(total == proof["pool_size"], "stratum_sizes add up to %d, not pool_size %d" % (total, proof["pool_size"]))

    # Entropy and seed.
    entropy = proof["entropy"].encode()
    check(proof.get("entropy_source_name") != "none" or entropy == b"",
          'entropy: the entropy source "none" gives another value than the proof\'s')
    seed = sha(b"xj-draw-v1\n" + task_id + b"\n" + proof["pool_hash"].encode() + b"\n" + secret.hex().encode() +
               b"\n" + entropy)
    check(seed.hex() == proof["seed"], "seed: recomputed %s" % seed.hex())

    # Allocation.
    rule = parse_rule(proof["rule"])
    alloc = allocate(rule, sizes)
    published = label_map(proof["allocation"], False)
    check(published is not None, "proof.json: allocation is malformed")
    check(alloc == published, "allocation: recomputed %s" % show_counts(alloc))

    # Selection.
    if not public:
        by_stratum = {}
        for u, s in pool:
            by_stratum.setdefault(s, []).append((sha(seed + u), u, s))
        chosen = []
        for s, members in by_stratum.items():
            members.sort()
            chosen.extend(members[: alloc[s]])
        chosen.sort()
        selection = b"".join(b"%d\t%s\t%s\t%s\n" % (i, u, s, t.hex().encode())
                             for i, (t, u, s) in enumerate(chosen, 1))
        actual = read_bytes(folder, "selection.tsv")
        if actual != selection:
            raise Mismatch(first_difference(selection, actual, "selection.tsv"))
        check(sha(selection).hex() == proof["selection_hash"], "selection_hash: H(selection.tsv) = %s" %
              sha(selection).hex())
        selected = [u for _, u, _ in chosen]
    else:
        name = "selection-public.tsv"
        rows = split_lines(read_bytes(folder, name), name, 3)
        in_pool = set(row[0] for row in pool)
        seen = set()
        previous = None
        for n, (rank, u, ticket) in enumerate(rows, 1):
            check(rank == str(n).encode(), "%s line %d: rank is not %d" % (name, n, n))
            check(u in in_pool, "%s line %d: %s is not in the pool" % (name, n, q(u)))
            check(u not in seen, "%s line %d: %s is selected twice" % (name, n, q(u)))
            seen.add(u)
            expected = sha(seed + u).hex().encode()
            check(ticket == expected, "%s line %d: ticket: expected %s, found %s" % (name, n, expected.decode(),
                                                                                   q(ticket)))
            check(previous is None or previous < ticket, "%s line %d: the tickets are not in ascending order" %
                  (name, n))
            previous = ticket
        wanted = sum(alloc.values())
        check(len(rows) == wanted, "%s: %d subjects, but the allocation adds up to %d" % (name, len(rows), wanted))
        selected = [row[1] for row in rows]

    verify_teams(folder, proof, seed, selected)
    return NOT_CHECKED if public else None


def run(folder):
    """The lines main() prints for `folder`, and its exit status."""
    try:
        not_checked = verify(folder)
    except Mismatch as e:
        return ["mismatch: %s" % e], 1
    if not_checked is None:
        return ["verified"], 0
    return [PUBLIC_VERDICT] + ["not checked: " + n for n in not_checked], 0


def main(argv):
    if len(argv) != 2:
        print("usage: python3 verify_draw.py DIR", file=sys.stderr)
        return 2
    lines, status = run(argv[1])
    # UTF-8 whatever the locale: a message may quote Chinese text.
    sys.stdout.buffer.write("".join(line + "\n" for line in lines).encode("utf-8"))
    sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
