#!/usr/bin/python3
"""The machine listener of `xinjian serve --api-listen` with the real binary on SQLite (docs/web.md).

Good requests: the credit check and its batch answer as on the site's listener (same status,
same JSON, the security headers), HEAD and pipelined requests, /healthz; the site's other
routes are not served there (404 naming --listen). Hostile and malformed requests: a bad
request line, an unknown method or HTTP version, an oversized head, target or body, a bad or
missing Content-Length, Transfer-Encoding, dot segments, a client that stops mid-head (cut off
after web.request_timeout_ms): each gets its clear JSON error (or the connection closed), and
the listener goes on answering good requests. Bad command lines: exit 2 / 1 with a message.
A third argument is serve's --api-threads (1: the one-thread listener, without strands;
default: one per CPU).
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

CLI = os.environ.get("XJ_CLI") or sys.argv[1]
SRC = os.environ.get("XJ_SOURCE_DIR") or sys.argv[2]
tmp = tempfile.mkdtemp(prefix="xj-machine-")
ENV = {**os.environ, "XINJIAN_NOW": "2026-06-15T10:00:00"}
db = f"sqlite:{tmp}/x.db"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def run(args, ok=True):
    p = subprocess.run([CLI] + args, capture_output=True, text=True, env=ENV)
    if ok and p.returncode != 0:
        raise SystemExit(f"xinjian {' '.join(args)} exited {p.returncode}: {p.stderr}{p.stdout}")
    return p


run(["--db", db, "init"])
run(["--db", db, "import", "departments", os.path.join(SRC, "docs/examples/departments.csv")])
run(["--db", db, "gen", "subjects", "--count", "50", "--seed", "7", "-o", os.path.join(tmp, "s.csv")])
run(["--db", db, "import", "subjects", os.path.join(tmp, "s.csv")])
uscc = open(os.path.join(tmp, "s.csv"), encoding="utf-8").read().splitlines()[1].split(",")[0]
key = json.loads(run(["--db", db, "punishment", "keys", "add", "--name", "e2e", "--actions", "bidding", "--department",
                      "SCJG", "--json"]).stdout)["key"]

# Bad command lines.
p = run(["--db", db, "serve", "--api-listen", "127.0.0.1:0", "--run-seconds", "1"], ok=False)
check(p.returncode == 2 and "--listen" in p.stderr, f"--api-listen without --listen: exit 2 ({p.returncode}: {p.stderr.strip()[:120]})")
p = run(["--db", db, "serve", "--no-scheduler", "--listen", "127.0.0.1:0", "--api-listen", "not-an-address",
         "--run-seconds", "5"], ok=False)
check(p.returncode == 1 and "not-an-address" in p.stderr, f"a bad --api-listen address: exit 1 naming it ({p.returncode})")

log = open(os.path.join(tmp, "serve.log"), "w")
API_THREADS = sys.argv[3] if len(sys.argv) > 3 else "0"
serve = subprocess.Popen([CLI, "--db", db, "--set", "web.request_timeout_ms=800", "serve", "--no-scheduler", "--listen",
                          "127.0.0.1:0", "--api-listen", "127.0.0.1:0", "--api-threads", API_THREADS], env=ENV,
                         stdout=log, stderr=subprocess.STDOUT)


def address_of(marker):
    deadline = time.time() + 120  # a bound for a loaded machine
    while time.time() < deadline:
        if serve.poll() is not None:
            raise SystemExit("serve exited: " + open(log.name, encoding="utf-8").read())
        for line in open(log.name, encoding="utf-8"):
            if marker in line and "http://127.0.0.1:" in line:
                return int(line.split("http://127.0.0.1:")[1].split("/")[0])
        time.sleep(0.1)
    raise SystemExit("serve did not start: " + open(log.name, encoding="utf-8").read())


try:
    site = address_of("web site started")
    api = address_of("machine listener started")
    if API_THREADS != "0":
        started = [l for l in open(log.name, encoding="utf-8") if "machine listener started" in l]
        check(f"({API_THREADS} 个线程 / threads)" in started[0], f"the listener runs on {API_THREADS} thread(s): {started[0].strip()}")

    def raw(port, data, read_until_close=False, timeout=30):
        """Sends bytes, returns what came back (all of it when the server closes)."""
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        s.sendall(data)
        out = b""
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
                if not read_until_close and b"\r\n\r\n" in out:
                    head, _, body = out.partition(b"\r\n\r\n")
                    length = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
                    if length and len(body) >= int(length[0].split(b":")[1]):
                        break
        except socket.timeout:
            pass
        s.close()
        return out

    def get(port, path, headers=None):
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    auth = {"Authorization": "Bearer " + key}
    path = f"/api/v1/credit-check?uscc={uscc}&action=bidding"
    s1, h1, b1 = get(site, path, auth)
    s2, h2, b2 = get(api, path, auth)
    j1, j2 = json.loads(b1), json.loads(b2)
    check(s1 == s2 == 200, f"the check answers 200 on both listeners ({s1}, {s2})")
    for j in (j1, j2):
        j.pop("check_id")
        j.pop("checked_at")
    check(j1 == j2, "the same answer on both listeners")
    check(h2.get("X-Content-Type-Options") == "nosniff" and "frame-ancestors 'none'" in h2.get("Content-Security-Policy", ""),
          "the machine listener sends the security headers")
    check(h2.get("Cache-Control") == "no-store", "and Cache-Control: no-store")
    s1, _, b1 = get(site, path)
    s2, _, b2 = get(api, path)
    check(s1 == s2 == 401 and json.loads(b1) == json.loads(b2), f"no key: the same 401 on both ({s1}, {s2})")
    s, _, b = get(api, "/api/v1/measures")
    check(s == 404 and "--listen" in json.loads(b)["error"]["message"], f"a site route is not served there: 404 naming --listen ({s})")
    s, _, b = get(api, "/healthz")
    check(s == 200 and json.loads(b)["status"] == "ok", "/healthz answers on the machine listener")
    # The batch.
    body = json.dumps({"action": "bidding", "usccs": [uscc, "NOT-A-USCC"]}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{api}/api/v1/credit-check/batch", data=body,
                                 headers={**auth, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        results = json.load(r)["results"]
    check(len(results) == 2 and results[0]["answer"] == "allowed" and "error" in results[1], "the batch answers per item")
    # HEAD: the head of the GET, no body.
    out = raw(api, b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    check(out.startswith(b"HTTP/1.1 200") and out.endswith(b"\r\n\r\n") and b"Content-Length: " in out, "HEAD: a head, no body")
    # Pipelined: two requests in one write, two answers in order on the kept-alive connection.
    two = (f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n\r\n"
           f"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").encode()
    out = raw(api, two, read_until_close=True)
    check(out.count(b"HTTP/1.1 200") == 2 and out.index(b'"answer"') < out.index(b'"status":"ok"'),
          "two pipelined requests get two answers in order")

    # Hostile requests: each a clear error, the connection closed.
    def refused(data, status, what, needle=b""):
        out = raw(api, data, read_until_close=True)
        first = out.split(b"\r\n")[0]
        ok = first.startswith(b"HTTP/1.1 " + str(status).encode()) and b'"error"' in out and needle in out
        check(ok, f"{what}: {status} ({first.decode(errors='replace')[:60]})")

    refused(b"GARBAGE\r\n\r\n", 400, "a malformed request line")
    refused(b"GET / HTTP/2.0\r\n\r\n", 400, "an unsupported HTTP version")
    refused(b"PUT /healthz HTTP/1.1\r\n\r\n", 405, "an unknown method", b"Allow: GET, HEAD, POST")
    refused(b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", 431, "a head over 16 KiB")
    refused(b"GET /" + b"a" * 3000 + b" HTTP/1.1\r\n\r\n", 414, "a target over 2 KiB")
    refused(b"GET /api/../etc/passwd HTTP/1.1\r\n\r\n", 400, "dot segments")
    refused(b"GET /api/v1/credit-check?uscc=%zz HTTP/1.1\r\n\r\n", 400, "a bad percent-encoding")
    refused(b"POST /api/v1/credit-check/batch HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400, "a bad Content-Length")
    refused(b"POST /api/v1/credit-check/batch HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400,
            "two different Content-Lengths")
    refused(b"POST /api/v1/credit-check/batch HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411,
            "Transfer-Encoding")
    refused(b"POST /api/v1/credit-check/batch HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", 413, "a body over 1 MiB")
    refused(b"GET /healthz HTTP/1.1\r\nno colon here\r\n\r\n", 400, "a header without a colon")
    # A client that stops in the middle of its head is cut off after the request timeout.
    t0 = time.time()
    out = raw(api, b"GET /healthz HTTP/1.1\r\nHost: x\r\n", read_until_close=True, timeout=60)
    waited = time.time() - t0
    check(out == b"" and waited < 60, f"a slow client is cut off (after {waited:.1f} s, timeout 0.8 s)")
    # Through all of it the listener kept answering.
    s, _, b = get(api, path, auth)
    check(s == 200 and json.loads(b)["answer"] in ("allowed", "restricted", "denied"), "still answering good requests")
    serve.terminate()
    check(serve.wait(timeout=60) == 0, "serve stops cleanly")
    # Every check answered was logged, on either listener (the log's queue written at the stop):
    # site 1, machine 1, the batch's good item, the pipelined one, the last one.
    n = int(run(["--db", db, "bench", "credit-check-count"]).stdout.strip().split()[-1])
    check(n == 5, f"each answered check logged once ({n} of 5)")
finally:
    if serve.poll() is None:
        serve.kill()

if failures:
    print(f"machine listener: {len(failures)} failures")
    sys.exit(1)
print("machine listener: ok")
