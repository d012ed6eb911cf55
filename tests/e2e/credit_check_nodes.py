#!/usr/bin/python3
"""The credit check on two `xinjian serve` nodes sharing one PostgreSQL database (issue 16).

A subject is checked on both nodes (allowed), put on the serious-illegal list with the real
commands (proposed, reviewed and decided by three people), then checked again on both nodes
until each answers "denied" with the listing and the measure behind it; the listing ends and
both nodes answer "allowed" again. Each node's in-memory index must follow the database. The
test waits on the effect with a generous bound (never a fixed short sleep) and prints how long
each node took; docs/punishment.md states the target (within a second).

XINJIAN_TEST_PG_URL (set by ./xj test) names the server; without it the test is skipped.
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

CLI = os.environ.get("XJ_CLI") or sys.argv[1]
SRC = os.environ.get("XJ_SOURCE_DIR") or sys.argv[2]
PG = os.environ.get("XINJIAN_TEST_PG_URL", "")
if not PG:
    print("skipped: XINJIAN_TEST_PG_URL is not set")
    sys.exit(0)
tmp = tempfile.mkdtemp(prefix="xj-check-")
ENV = {**os.environ, "XINJIAN_NOW": "2026-06-15T10:00:00"}


def run(args):
    p = subprocess.run([CLI] + args, capture_output=True, text=True, env=ENV)
    if p.returncode != 0:
        raise SystemExit(f"xinjian {' '.join(args)} exited {p.returncode}: {p.stderr}{p.stdout}")
    return p.stdout


name = "xjc_" + uuid.uuid4().hex[:12]
subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", PG, "-c", f"CREATE DATABASE {name}"], check=True,
               capture_output=True)
db = PG[: PG.rfind("/") + 1] + name
nodes = []
try:
    run(["--db", db, "init"])
    run(["--db", db, "import", "departments", os.path.join(SRC, "docs/examples/departments.csv")])
    run(["--db", db, "gen", "subjects", "--count", "200", "--seed", "7", "-o", os.path.join(tmp, "s.csv")])
    run(["--db", db, "import", "subjects", os.path.join(tmp, "s.csv")])
    subjects = [l.split(",")[0] for l in open(os.path.join(tmp, "s.csv"), encoding="utf-8").read().splitlines()[1:]]
    measures = [{"code": "e2e_deny_bidding", "name_zh": "禁止参加招标投标", "name_en": "barred from bidding",
                 "kind": "punishment", "department": "SCJG", "legal_basis": "《招标投标法实施条例》",
                 "lists": ["serious_illegal"], "actions": ["bidding"], "effect": "deny", "published_on": "2025-01-01"}]
    memoranda = [{"code": "e2e_memo", "title": "联合惩戒备忘录（测试）", "departments": ["SCJG"], "signed_on": "2025-06-01",
                  "entries": [{"list": "serious_illegal", "measures": ["e2e_deny_bidding"]}]}]
    for fname, data in (("m.json", measures), ("memo.json", memoranda)):
        with open(os.path.join(tmp, fname), "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
    run(["--db", db, "punishment", "measures", "import", os.path.join(tmp, "m.json"), "--role", "admin"])
    run(["--db", db, "punishment", "memoranda", "import", os.path.join(tmp, "memo.json"), "--role", "admin"])
    key = json.loads(run(["--db", db, "punishment", "keys", "add", "--name", "e2e", "--actions", "bidding",
                          "--department", "SCJG", "--json"]))["key"]

    # The first node answers on its site's listener, the second on its machine listener
    # (--api-listen: the event-driven one): both follow the database.
    for i in range(2):
        log = open(os.path.join(tmp, f"node{i}.log"), "w")
        extra = ["--api-listen", "127.0.0.1:0"] if i == 1 else []
        nodes.append((subprocess.Popen([CLI, "--db", db, "serve", "--listen", "127.0.0.1:0"] + extra, env=ENV,
                                       stdout=log, stderr=subprocess.STDOUT, text=True), log.name))
    addresses = []
    for i, (proc, logname) in enumerate(nodes):
        deadline = time.time() + 120
        address = ""
        marker = ("machine listener started: " if i == 1 else "web site started: ") + "http://127.0.0.1:"
        while not address and time.time() < deadline:
            if proc.poll() is not None:
                raise SystemExit("serve exited: " + open(logname, encoding="utf-8").read())
            text = open(logname, encoding="utf-8").read()
            at = text.find(marker)
            if at >= 0:
                at += len(marker) - len("http://127.0.0.1:")
                end = at + len("http://127.0.0.1:")
                while end < len(text) and text[end].isdigit():
                    end += 1
                address = text[at:end]
            else:
                time.sleep(0.1)
        if not address:
            raise SystemExit("serve did not start: " + open(logname, encoding="utf-8").read())
        addresses.append(address)

    uscc = subjects[0]

    def check(address):
        req = urllib.request.Request(f"{address}/api/v1/credit-check?uscc={uscc}&action=bidding",
                                     headers={"Authorization": "Bearer " + key})
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.load(r)

    def wait_for(answer):
        """Seconds until every node answers `answer` (a bound for a loaded machine: 120 s)."""
        started = time.time()
        pending = set(addresses)
        took = {}
        while pending and time.time() - started < 120:
            for a in sorted(pending):
                if check(a)["answer"] == answer:
                    took[a] = time.time() - started
                    pending.discard(a)
            time.sleep(0.02)
        if pending:
            raise SystemExit(f"nodes {sorted(pending)} never answered {answer}")
        return took

    for a in addresses:
        assert check(a)["answer"] == "allowed", check(a)
    # The listing, through the real commands, three people.
    out = run(["--db", db, "lists", "propose", "--list", "serious_illegal", "--uscc", uscc, "--ground", "heavy_penalty",
               "--reason", "受到较重行政处罚", "--department", "SCJG", "--actor", "alice", "--json"])
    lid = json.loads(out)["id"]
    run(["--db", db, "lists", "review", lid, "--approve", "--department", "SCJG", "--actor", "bob"])
    run(["--db", db, "lists", "decide", lid, "--approve", "--decision-no", "甬市监信〔2026〕1号", "--department", "SCJG",
         "--actor", "carol"])
    took_in = wait_for("denied")
    for a in addresses:
        got = check(a)
        assert [l["id"] for l in got["listings"]] == [lid], got
        assert [m["code"] for m in got["measures"]] == ["e2e_deny_bidding"], got
    run(["--db", db, "lists", "end", lid, "--exit", "revoked", "--note", "撤销", "--department", "SCJG"])
    took_out = wait_for("allowed")
    # Another subject was never listed.
    uscc = subjects[1]
    for a in addresses:
        assert check(a)["answer"] == "allowed"
    print("listing in force answered by every node after (s):", {k: round(v, 3) for k, v in took_in.items()})
    print("listing ended answered by every node after (s):", {k: round(v, 3) for k, v in took_out.items()})
    print("credit check nodes: ok")
finally:
    for proc, _ in nodes:
        proc.terminate()
    for proc, _ in nodes:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    subprocess.run(["psql", "-q", "-X", PG, "-c", f"DROP DATABASE IF EXISTS {name}"], capture_output=True)
