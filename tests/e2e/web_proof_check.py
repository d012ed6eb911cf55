#!/usr/bin/env python3
"""Checks the proof routes of a running `xinjian serve --listen` (web_proof.sh starts it).

usage: web_proof_check.py http://127.0.0.1:PORT PROOFS_DIR SOURCE_DIR PASSWORD

PROOFS_DIR holds what `task proof` wrote: risk-full/ and risk-public/ (WEB-RISK-1, stratified
by risk class, revealed) and demo/ (SCJG-DEMO-0001, not stratified, revealed). WEB-DRAWN-2 is
drawn and due 2026-12-31, WEB-ANNOUNCED-3 announced, WEB-DRAFT-4 a draft. The users scjg.sv
(supervisor of SCJG), wjw.sv (supervisor of WJW) and audit.au (auditor) have PASSWORD. Exits 1
naming every failed check.
"""
import http.client
import json
import os
import re
import subprocess
import sys
import urllib.parse

BASE = sys.argv[1]
PROOFS = sys.argv[2]
SOURCE = sys.argv[3]
PASSWORD = sys.argv[4]
HOST = urllib.parse.urlparse(BASE)
failures = []
served = {}  # target -> body, of every answer about WEB-RISK-1


def request(method, target, headers=None, body=None, cookies=None):
    conn = http.client.HTTPConnection(HOST.hostname, HOST.port, timeout=30)
    conn.putrequest(method, target, skip_accept_encoding=True)  # the target as given
    for k, v in (headers or {}).items():
        conn.putheader(k, v)
    if cookies:
        conn.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if body is not None:
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    headers_out = {k.lower(): v for k, v in resp.getheaders()}
    if cookies is not None:
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                cookies[name] = rest.split(";")[0]
    return resp.status, headers_out, data


def sign_in(login):
    """The cookies of a session of `login` (docs/web.md: CSRF double-submit, then POST)."""
    cookies = {}
    st, _, data = request("GET", "/api/v1/session", cookies=cookies)
    csrf = json.loads(data)["csrf_token"]
    st, _, data = request("POST", "/api/v1/session", {"X-CSRF-Token": csrf},
                          json.dumps({"login": login, "password": PASSWORD}).encode(), cookies)
    check("sign in " + login, st == 200 and "xj_session" in cookies, f"{st} {data[:200]!r}")
    return cookies


def check(name, ok, detail=""):
    if not ok:
        failures.append(f"{name}: {detail}")


def read(folder, name):
    with open(os.path.join(PROOFS, folder, name), "rb") as f:
        return f.read()


def expect_error(name, target, statuses, code=None, words=(), cookies=None, page_ok=False):
    """An error: JSON (or with `page_ok` the site's error page, for a target the server
    normalises to a path outside /api/ and /assets/), never a file from the disk."""
    st, headers, data = request("GET", target, cookies=cookies)
    if "WEB-RISK-1" in target:
        served[target] = data
    check(name + " status", st in statuses, f"{st} not in {statuses}: {data[:300]!r}")
    check(name + " nothing from the disk", b"root:" not in data and b"[boot" not in data, data[:200])
    if page_ok and headers.get("content-type", "").startswith("text/html"):
        return
    try:
        err = json.loads(data)["error"]
        if code:
            check(name + " code", err["code"] == code, f"{err} (expected {code})")
        check(name + " message", " / " in err["message"], f"not bilingual: {err['message']!r}")
        for word in words:
            check(name + " says " + word, word in err["message"], err["message"])
        for word in ("SELECT", "sqlite", "postgres", "/tmp/", "Traceback", "std::"):
            check(name + " leaks nothing", word not in err["message"], err["message"])
    except (ValueError, KeyError, TypeError) as e:
        check(name + " JSON error", False, f"{e}: {data[:300]!r}")
    check(name + " JSON type", headers.get("content-type", "").startswith("application/json"), headers)


def expect_file(name, target, expected, content_type, public=True, cookies=None):
    st, headers, data = request("GET", target, cookies=cookies)
    if "WEB-RISK-1" in target and public:
        served[target] = data
    check(name + " status", st == 200, f"{st}: {data[:300]!r}")
    check(name + " bytes", data == expected, f"{len(data)} bytes served, {len(expected)} written by task proof")
    check(name + " type", headers.get("content-type") == content_type, headers.get("content-type"))
    check(name + " length", headers.get("content-length") == str(len(data)), headers)
    check(name + " CSP", "unsafe-inline" not in headers.get("content-security-policy", "x unsafe-inline"), headers)
    etag = headers.get("etag", "")
    check(name + " ETag", re.fullmatch(r'"[0-9a-f]{32}"', etag) is not None, etag)
    cache = headers.get("cache-control", "")
    check(name + " cache", ("public" in cache and "max-age" in cache) if public else "no-store" in cache, cache)
    if etag:
        st2, _, body2 = request("GET", target, {"If-None-Match": etag}, cookies=cookies)
        check(name + " 304", st2 == 304 and body2 == b"", f"{st2} {body2[:100]!r}")
    return data


TSV = "text/tab-separated-values; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"

# ---------------------------------------------------------------------------------------------
# A risk-stratified task: the public variant to everyone, byte for byte what task proof --public
# writes; the full files only to a signed-in caller of its departments or an auditor.
risk = "/api/v1/tasks/WEB-RISK-1/proof"
proof_bytes = expect_file("risk proof", risk, read("risk-public", "proof.json"), JSON_TYPE)
expect_file("risk proof.json", risk + "/proof.json", read("risk-public", "proof.json"), JSON_TYPE)
proof = json.loads(proof_bytes or b"{}")
check("risk: withheld", proof.get("withheld") == ["stratum"], proof.get("withheld"))
check("risk: stratum sizes", isinstance(proof.get("stratum_sizes"), dict) and
      sum(proof["stratum_sizes"].values()) == proof.get("pool_size"), proof.get("stratum_sizes"))
public_files = sorted(os.listdir(os.path.join(PROOFS, "risk-public")))
check("risk: the public files", public_files == ["assignment.tsv", "conflicts.tsv", "groups.tsv", "pool-public.tsv",
                                                 "proof.json", "selection-public.tsv"], public_files)
for name in public_files:
    if name.endswith(".tsv"):
        expect_file("risk " + name, risk + "/" + name, read("risk-public", name), TSV)
for name in ("pool.tsv", "selection.tsv"):
    expect_error("risk " + name + " withheld", risk + "/" + name, (404,), "not_found", ("pool-public.tsv",))
for target in (risk.replace("/proof", "/proof-full"), risk.replace("/proof", "/proof-full") + "/pool.tsv",
               risk.replace("/proof", "/proof-full") + "/proof.json"):
    expect_error("full proof, anonymous: " + target, target, (401,), "unauthenticated")

# No risk class in any byte served about the task: the full pool says each subject's class.
classes = {}
for line in read("risk-full", "pool.tsv").split(b"\n")[:-1]:
    uscc, stratum = line.split(b"\t")
    classes[uscc] = stratum
check("risk: classes to look for", len(classes) > 100 and len(set(classes.values())) >= 3, len(classes))
for target in ("/api/v1/tasks/WEB-RISK-1", "/api/v1/tasks?limit=500"):
    st, _, data = request("GET", target)
    check("notice " + target, st == 200, st)
    served[target] = data
notice = json.loads(served["/api/v1/tasks/WEB-RISK-1"])
check("notice: the selection after the reveal", len(notice.get("selection", [])) > 0, sorted(notice))
for row in notice.get("selection", []):
    check("notice: a selection row has no stratum", set(row) <= {"rank", "uscc", "name", "address", "ticket", "team",
                                                                 "lead"}, sorted(row))
for target, body in served.items():
    for uscc, stratum in classes.items():
        at = body.find(uscc)
        while at >= 0:
            after = body[at + len(uscc):at + len(uscc) + 40]
            check("no class in " + target,
                  not re.match(rb'(\t|",\s*"[a-z_]+":\s*")' + re.escape(stratum) + rb'(\t|\n|")', after),
                  f"{uscc!r} is followed by {after!r}")
            at = body.find(uscc, at + 1)
pool_public = served.get(risk + "/pool-public.tsv", b"")
check("pool-public.tsv: the usccs only", pool_public == b"".join(u + b"\n" for u in sorted(classes)), len(pool_public))
for line in served.get(risk + "/selection-public.tsv", b"").split(b"\n")[:-1]:
    f = line.split(b"\t")
    check("selection-public.tsv: rank, uscc, ticket",
          len(f) == 3 and f[0].isdigit() and f[1] in classes and re.fullmatch(rb"[0-9a-f]{64}", f[2]), line)
check("proof.json: no uscc", not any(u in proof_bytes for u in classes), "a uscc in proof.json")
for name in ("assignment.tsv", "groups.tsv", "conflicts.tsv"):
    for line in served.get(risk + "/" + name, b"").split(b"\n")[:-1]:
        f = line.split(b"\t")
        check(name + ": no class field", not (set(f[1:]) & set(classes.values())), line)

# ---------------------------------------------------------------------------------------------
# A task not stratified by risk: everyone gets the full folder.
demo = "/api/v1/tasks/SCJG-DEMO-0001/proof"
demo_proof = expect_file("demo proof", demo, read("demo", "proof.json"), JSON_TYPE)
check("demo: nothing withheld", "withheld" not in json.loads(demo_proof or b"{}"), demo_proof[:200])
for name in sorted(os.listdir(os.path.join(PROOFS, "demo"))):
    if name.endswith(".tsv"):
        expect_file("demo " + name, demo + "/" + name, read("demo", name), TSV)
expect_error("demo pool-public.tsv", demo + "/pool-public.tsv", (404,), "not_found", ("pool.tsv",))
expect_error("demo full, anonymous", "/api/v1/tasks/SCJG-DEMO-0001/proof-full/pool.tsv", (401,), "unauthenticated")

# ---------------------------------------------------------------------------------------------
# Before the reveal: a 404 saying when the proof appears (with the due date the task has).
for target in ("/api/v1/tasks/WEB-DRAWN-2/proof", "/api/v1/tasks/WEB-DRAWN-2/proof/selection-public.tsv",
               "/api/v1/tasks/WEB-DRAWN-2/proof/proof.json"):
    expect_error("drawn: " + target, target, (404,), "not_found", ("2026-12-31", "揭示", "revealed", "results"))
expect_error("announced", "/api/v1/tasks/WEB-ANNOUNCED-3/proof", (404,), "not_found", ("not drawn yet", "revealed"))
expect_error("draft", "/api/v1/tasks/WEB-DRAFT-4/proof", (404,), "not_found", ("no announced draw task",))
expect_error("no such task", "/api/v1/tasks/NOPE-9/proof/pool.tsv", (404,), "not_found")
expect_error("drawn, full, anonymous", "/api/v1/tasks/WEB-DRAWN-2/proof-full/pool.tsv", (401,), "unauthenticated")

# ---------------------------------------------------------------------------------------------
# Signed in: the full proof for the task's department and auditors, not another department.
full = risk.replace("/proof", "/proof-full")
for login in ("scjg.sv", "audit.au"):
    c = sign_in(login)
    expect_file(login + " full proof.json", full, read("risk-full", "proof.json"), JSON_TYPE, False, c)
    for name in sorted(os.listdir(os.path.join(PROOFS, "risk-full"))):
        if name.endswith(".tsv"):
            expect_file(login + " full " + name, full + "/" + name, read("risk-full", name), TSV, False, c)
    expect_error(login + " full pool-public.tsv", full + "/pool-public.tsv", (404,), "not_found", cookies=c)
    expect_file(login + " public pool-public.tsv", risk + "/pool-public.tsv", read("risk-public", "pool-public.tsv"),
                TSV, True, c)
    expect_error(login + " full before the reveal", "/api/v1/tasks/WEB-DRAWN-2/proof-full/proof.json", (404,),
                 "not_found", ("2026-12-31",), cookies=c)
c = sign_in("wjw.sv")
for target in (full, full + "/pool.tsv", full + "/selection.tsv"):
    expect_error("another department: " + target, target, (403,), "permission_denied", ("auditors",), cookies=c)
expect_file("another department, nothing withheld", "/api/v1/tasks/SCJG-DEMO-0001/proof-full/pool.tsv",
            read("demo", "pool.tsv"), TSV, False, c)

# ---------------------------------------------------------------------------------------------
# Hostile names: a JSON error, never a file.
for target in (risk + "/..%2f..%2f..%2fetc%2fpasswd", risk + "/%2e%2e", risk + "/%2e%2e%2fproof.json",
               risk + "/..", risk + "/pool.tsv%00", risk + "/pool.tsv%00.json", risk + "/%ff%fe",
               risk + "/proof.json.bak", risk + "/POOL-PUBLIC.TSV", risk + "/pool-public.tsv%20",
               risk + "/" + urllib.parse.quote("<script>alert(1)</script>"), risk + "/%5c..%5cetc%5cpasswd",
               risk + "/pool-public.tsv/extra", "/api/v1/tasks/%2e%2e/proof", "/api/v1/tasks/..%2f..%2fetc/proof",
               "/api/v1/tasks/" + "A" * 300 + "/proof",
               "/api/v1/tasks/" + urllib.parse.quote("x' OR '1'='1") + "/proof/pool.tsv",
               "/assets/draw/../../etc/passwd", "/assets/draw/VERIFY-DRAW.JS"):
    expect_error("hostile " + target, target, (400, 404), page_ok=True)
# A %00 in the path: the web server (webui/, CivetWeb's decoded URI) cuts the path at the NUL
# before any route sees it, so the answer is that of the path before the NUL. Never a file
# from disk; a 400 once the server refuses it. Until then, say so.
for target in ("/api/v1/tasks/WEB-RISK-1%00/proof", "/assets/draw/verify-draw.js%00",
               risk + "/pool-public.tsv%00.bak"):
    st, headers, data = request("GET", target)
    served[target] = data
    if st in (400, 404):
        expect_error("NUL " + target, target, (400, 404), page_ok=True)
        continue
    st2, _, data2 = request("GET", target[:target.index("%00")])
    check("NUL " + target + " is the path before it", (st, data) == (st2, data2), f"{st} {data[:100]!r}")
    print(f"NOTE: the server answers {target} as {target[:target.index('%00')]} (it cuts the path at %00)",
          file=sys.stderr)
expect_error("a long file name", risk + "/" + "a" * 3000, (414,))
st, _, data = request("GET", risk + "/pool-public.tsv?file=../../etc/passwd")
check("a query is ignored", st == 200 and data == read("risk-public", "pool-public.tsv"), st)
st, headers, _ = request("POST", risk + "/pool-public.tsv")
check("POST", st == 405 and "GET" in headers.get("allow", ""), (st, headers.get("allow")))
st, headers, data = request("HEAD", risk + "/pool-public.tsv")
check("HEAD", st == 200 and data == b"" and headers.get("content-length") == str(len(read("risk-public",
                                                                                               "pool-public.tsv"))),
      (st, headers))

# ---------------------------------------------------------------------------------------------
# The browser verifier: served from the plugin, as the file in the source.
with open(os.path.join(SOURCE, "plugins/draw/web/verify-draw.js"), "rb") as f:
    script = f.read()
st, headers, data = request("GET", "/assets/draw/verify-draw.js")
check("verify-draw.js", st == 200 and data == script, f"{st}, {len(data)} bytes")
check("verify-draw.js type", headers.get("content-type") == "application/javascript; charset=utf-8", headers)
cache = headers.get("cache-control", "")
m = re.search(r"max-age=(\d+)", cache)
check("verify-draw.js cached long", "public" in cache and m is not None and int(m.group(1)) >= 86400, cache)
etag = headers.get("etag", "")
check("verify-draw.js ETag", re.fullmatch(r'"[0-9a-f]{32}"', etag) is not None, etag)
st, _, data = request("GET", "/assets/draw/verify-draw.js", {"If-None-Match": etag})
check("verify-draw.js 304", st == 304 and data == b"", st)
st, _, data = request("GET", "/assets/draw/verify-draw.js", {"If-None-Match": '"stale"'})
check("verify-draw.js stale ETag", st == 200 and data == script, st)

# verify-draw.js, under Node with its fetch, verifies the served proofs.
node = """
const V = require(process.argv[1]);
(async () => {
  for (const base of process.argv.slice(2)) {
    const v = await V.verifyProof(V.fetchReader(base));
    console.log(JSON.stringify({base, lines: V.verdictLines(v), checks: v.checks.length}));
  }
})();
"""
r = subprocess.run(["node", "-e", node, os.path.join(SOURCE, "plugins/draw/web/verify-draw.js"), BASE + risk,
                    BASE + demo, BASE + "/api/v1/tasks/WEB-DRAWN-2/proof"], capture_output=True, text=True,
                   timeout=300)
out = [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]
check("verify-draw.js ran", r.returncode == 0 and len(out) == 3, r.stderr[-500:])
if len(out) == 3:
    check("verify-draw.js: the risk task", out[0]["lines"][0] == "verified (public variant: the strata are withheld)"
          and len(out[0]["lines"]) == 3, out[0])
    check("verify-draw.js: the demo task", out[1]["lines"] == ["verified"] and out[1]["checks"] >= 6, out[1])
    check("verify-draw.js: before the reveal", len(out[2]["lines"]) == 1 and out[2]["lines"][0].startswith("error: ")
          and "revealed" in out[2]["lines"][0], out[2])

if failures:
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    sys.exit(1)
print("proof route checks passed")
