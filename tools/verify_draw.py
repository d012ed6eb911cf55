#!/usr/bin/env python3
"""Independent verifier of an xj-draw-v1 draw (信监 XinJian, 双随机、一公开).

Usage:  python3 tools/verify_draw.py DIR

Python 3 standard library only. DIR is a proof folder as published by the platform:

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

Every line ends with a newline. The verifier recomputes everything from these files alone,
following docs/draw-v1.md (the specification), and prints "verified" (exit status 0), or prints
"mismatch: <what>" naming the first difference found and exits with status 1.
"""

import hashlib
import json
import os
import sys

ALGORITHM = "xj-draw-v1"


class Mismatch(Exception):
    pass


def sha(data):
    return hashlib.sha256(data).digest()


def check(cond, what):
    if not cond:
        raise Mismatch(what)


def read_bytes(folder, name, required=True):
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        if required:
            raise Mismatch("%s is missing" % name)
        return None
    with open(path, "rb") as f:
        return f.read()


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


def split_lines(data, name, fields):
    """Splits a canonical TSV file into rows of `fields` byte strings."""
    check(data == b"" or data.endswith(b"\n"), "%s: the last line does not end with a newline" % name)
    rows = []
    for n, line in enumerate(data.split(b"\n")[:-1], 1):
        parts = line.split(b"\t")
        check(len(parts) == fields, "%s line %d: expected %d tab-separated fields" % (name, n, fields))
        rows.append(parts)
    return rows


def pair_file(rows):
    return b"".join(a + b"\t" + b + b"\n" for a, b in rows)


def allocate(rule, sizes):
    """sizes: {label bytes: N_s}; returns {label bytes: k_s}."""
    kind = rule.get("type")
    if kind == "ratio":
        ppm = {k.encode(): int(v) for k, v in rule.get("ppm", {}).items()}
        mins = {k.encode(): int(v) for k, v in (rule.get("min") or {}).items()}
        maxs = {k.encode(): int(v) for k, v in (rule.get("max") or {}).items()}
        out = {}
        for label, n in sizes.items():
            p = ppm.get(label, ppm.get(b"*"))
            check(p is not None, "rule: no ratio for stratum %r and no default" % label.decode())
            check(0 <= p <= 1000000, "rule: ratio out of range")
            k = (n * p + 999999) // 1000000
            if label in mins:
                k = max(k, mins[label])
            if label in maxs:
                k = min(k, maxs[label])
            out[label] = min(k, n)
        return out
    if kind == "count":
        total = sum(sizes.values())
        k = min(int(rule["count"]), total)
        out, rems, given = {}, [], 0
        for label, n in sizes.items():
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
    raise Mismatch("rule: unknown type %r" % kind)


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
            check(available >= count, "subject %s cannot be staffed from group %s" % (u.decode(), g.decode()))
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


def first_difference(expected, actual, name):
    e = expected.split(b"\n")
    a = actual.split(b"\n")
    for n in range(max(len(e), len(a))):
        el = e[n] if n < len(e) else b"<end of file>"
        al = a[n] if n < len(a) else b"<end of file>"
        if el != al:
            return "%s line %d: expected %r, found %r" % (name, n + 1, el.decode(errors="replace"),
                                                          al.decode(errors="replace"))
    return "%s differs" % name


def verify(folder):
    try:
        proof = json.loads(read_bytes(folder, "proof.json").decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise Mismatch("proof.json is not valid JSON: %s" % e)
    check(proof.get("algorithm") == ALGORITHM, "algorithm is %r, not %s" % (proof.get("algorithm"), ALGORITHM))
    task_id = proof["task_id"].encode()
    check(valid_id(task_id), "task_id is empty or has a control character")
    try:
        secret = bytes.fromhex(proof["secret"])
    except ValueError:
        raise Mismatch("secret is not hexadecimal")
    check(sha(secret).hex() == proof["commitment"], "commitment: H(secret) does not match the commitment")
    entropy = proof["entropy"].encode()

    # Pool.
    pool_bytes = read_bytes(folder, "pool.tsv")
    pool = split_lines(pool_bytes, "pool.tsv", 2)
    for n, (u, s) in enumerate(pool, 1):
        check(valid_id(u) and valid_id(s, allow_empty=True), "pool.tsv line %d: invalid id" % n)
        if n > 1:
            check(pool[n - 2][0] < u, "pool.tsv line %d: not sorted by uscc or duplicate uscc" % n)
    pool_hash = sha(pool_bytes).hex()
    check(pool_hash == proof["pool_hash"], "pool_hash: H(pool.tsv) = %s" % pool_hash)
    check(len(pool) == proof["pool_size"], "pool_size: pool.tsv has %d subjects" % len(pool))

    # Seed.
    seed = sha(b"xj-draw-v1\n" + task_id + b"\n" + pool_hash.encode() + b"\n" + secret.hex().encode() + b"\n" +
               entropy)
    check(seed.hex() == proof["seed"], "seed: recomputed %s" % seed.hex())

    # Allocation.
    sizes = {}
    for _, s in pool:
        sizes[s] = sizes.get(s, 0) + 1
    sizes = dict(sorted(sizes.items()))
    alloc = allocate(proof["rule"], sizes)
    published = {k.encode(): int(v) for k, v in proof["allocation"].items()}
    check(alloc == published, "allocation: recomputed %s" % {k.decode(): v for k, v in alloc.items()})

    # Selection.
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

    # Team assignment.
    if proof.get("assignment_hash") is None:
        return
    check(proof.get("slots") is not None, "slots are missing while assignment_hash is present")
    slots = [(g.encode(), int(c)) for g, c in proof["slots"]]
    groups_bytes = read_bytes(folder, "groups.tsv")
    rows = split_lines(groups_bytes, "groups.tsv", 2)
    check(pair_file(sorted(set(tuple(r) for r in rows))) == groups_bytes,
          "groups.tsv: not sorted by bytes or has a duplicate line")
    groups = {}
    for g, m in rows:
        check(valid_id(g) and valid_id(m), "groups.tsv: invalid id")
        groups.setdefault(g, []).append(m)
    conflicts_bytes = read_bytes(folder, "conflicts.tsv", required=False)
    if conflicts_bytes is None:
        conflicts_bytes = b""
    crows = split_lines(conflicts_bytes, "conflicts.tsv", 2)
    check(pair_file(sorted(set(tuple(r) for r in crows))) == conflicts_bytes,
          "conflicts.tsv: not sorted by bytes or has a duplicate line")
    check(sha(conflicts_bytes).hex() == proof["conflicts_hash"],
          "conflicts_hash: H(conflicts.tsv) = %s" % sha(conflicts_bytes).hex())
    conflicts = set(tuple(r) for r in crows)
    expected = assign(seed, [u for _, u, _ in chosen], groups, slots, conflicts)
    actual = read_bytes(folder, "assignment.tsv")
    if actual != expected:
        raise Mismatch(first_difference(expected, actual, "assignment.tsv"))
    check(sha(expected).hex() == proof["assignment_hash"], "assignment_hash: H(assignment.tsv) = %s" %
          sha(expected).hex())


def main(argv):
    if len(argv) != 2:
        print("usage: python3 verify_draw.py DIR", file=sys.stderr)
        return 2
    try:
        verify(argv[1])
    except Mismatch as e:
        print("mismatch: %s" % e)
        return 1
    except (KeyError, TypeError, AttributeError) as e:
        print("mismatch: proof.json is missing or has a malformed field: %s" % e)
        return 1
    print("verified")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
