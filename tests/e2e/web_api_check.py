#!/usr/bin/env python3
"""Checks a running `xinjian serve --listen` (web_api.sh starts it on the demo data).

usage: web_api_check.py http://127.0.0.1:PORT USCC,USCC,...

The USCCs are the selection of WEB-DRAWN-1, drawn but not revealed: no answer may contain one.
Exits 1 naming the first failed check.
"""
import http.client
import json
import sys
import urllib.parse

BASE = sys.argv[1]
SECRET_USCCS = [u for u in sys.argv[2].split(",") if u]
HOST = urllib.parse.urlparse(BASE)
failures = []


def request(method, target, body=None, headers=None, raw=False):
    conn = http.client.HTTPConnection(HOST.hostname, HOST.port, timeout=30)
    if raw:  # the target as given, not re-encoded
        conn.putrequest(method, target, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
    else:
        conn.request(method, target, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data


def check(name, ok, detail=""):
    if not ok:
        failures.append(f"{name}: {detail}")


def expect_error(name, method, target, status, code, **kw):
    st, headers, data = request(method, target, **kw)
    check(name + " status", st == status, f"{st} != {status}: {data[:300]!r}")
    if method == "HEAD":
        return headers
    try:
        err = json.loads(data)["error"]
        check(name + " code", err["code"] == code, f"{err} (expected {code})")
        check(name + " message", " / " in err["message"], f"not bilingual: {err['message']!r}")
        for word in ("SELECT", "sqlite", "postgres", "/tmp/", "Traceback", "std::"):
            check(name + " leaks nothing", word not in err["message"], err["message"])
    except (ValueError, KeyError, TypeError) as e:
        check(name + " JSON error", False, f"{e}: {data[:300]!r}")
    check(name + " JSON type", headers.get("content-type", "").startswith("application/json"), headers)
    return headers


# The health check, and the headers every answer carries.
st, headers, data = request("GET", "/healthz")
check("healthz", st == 200 and json.loads(data) == {"status": "ok", "database": "ok"}, f"{st} {data!r}")
csp = headers.get("content-security-policy", "")
check("CSP", "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, csp)
check("nosniff", headers.get("x-content-type-options") == "nosniff", headers)
check("referrer", headers.get("referrer-policy") == "same-origin", headers)
check("content-length", headers.get("content-length") == str(len(data)), headers)
expect_error("POST /healthz", "POST", "/healthz", 405, "invalid_argument")

# The task list: the announced tasks, newest first, with paging.
st, headers, data = request("GET", "/api/v1/tasks")
check("tasks", st == 200, f"{st} {data[:300]!r}")
tasks = json.loads(data)
ids = [t["id"] for t in tasks["items"]]
check("tasks: the drawn task", "WEB-DRAWN-1" in ids, ids)
check("tasks: the demo task", any(t["state"] == "revealed" for t in tasks["items"]), ids)
check("tasks: no draft", "WEB-DRAFT-1" not in ids, ids)
check("tasks: total", tasks["total"] == len(ids) and tasks["limit"] == 50 and tasks["offset"] == 0, tasks)
check("tasks: items", all(isinstance(t["items"], list) and t["items"] for t in tasks["items"]), tasks)
st, _, data = request("GET", "/api/v1/tasks?limit=1")
one = json.loads(data)
check("limit=1", st == 200 and len(one["items"]) == 1 and one["total"] == tasks["total"], one)
st, _, data = request("GET", "/api/v1/tasks?offset=1000000")
check("offset beyond", st == 200 and json.loads(data)["items"] == [], data[:200])
st, _, data = request("GET", "/api/v1/tasks?state=drawn")
check("state=drawn", st == 200 and [t["id"] for t in json.loads(data)["items"]] == ["WEB-DRAWN-1"], data[:300])
for bad in ("limit=0", "limit=-1", "limit=abc", "limit=501", "limit=" + "9" * 30, "offset=-5", "offset=1.5",
            "state=bogus", "state=draft", "limit=%zz", "limit=%", "state=%00", "state=%ff%fe"):
    expect_error("tasks?" + bad, "GET", "/api/v1/tasks?" + bad, 400, "invalid_argument", raw=True)
expect_error("unknown department", "GET", "/api/v1/tasks?department=NOPE", 404, "not_found")
expect_error("hostile department", "GET",
             "/api/v1/tasks?department=" + urllib.parse.quote("SCJG' OR '1'='1"), 404, "not_found")
expect_error("oversized department", "GET", "/api/v1/tasks?department=" + "A" * 100, 400, "invalid_argument")

# One task: the notice, without the selection before the reveal.
st, _, data = request("GET", "/api/v1/tasks/WEB-DRAWN-1")
check("drawn task", st == 200, f"{st} {data[:300]!r}")
drawn = json.loads(data)
check("drawn: state", drawn.get("state") == "drawn", drawn.get("state"))
for key in ("selection", "secret", "seed"):
    check("drawn: no " + key, key not in drawn, sorted(drawn))
check("drawn: commitment", len(drawn.get("commitment", "")) == 64, drawn.get("commitment"))
revealed_id = next(t["id"] for t in tasks["items"] if t["state"] == "revealed")
st, _, data = request("GET", "/api/v1/tasks/" + urllib.parse.quote(revealed_id))
revealed = json.loads(data)
check("revealed task", st == 200 and revealed["selection"] and len(revealed["secret"]) == 64, data[:300])
expect_error("draft", "GET", "/api/v1/tasks/WEB-DRAFT-1", 404, "not_found")
expect_error("missing", "GET", "/api/v1/tasks/NOPE-1", 404, "not_found")
expect_error("hostile id", "GET", "/api/v1/tasks/" + urllib.parse.quote("x' OR '1'='1"), 404, "not_found")
expect_error("script in the path", "GET", "/api/v1/tasks/" + urllib.parse.quote("<script>alert(1)</script>"), 404,
             "not_found")

# Malformed, hostile and oversized requests.
# The server decodes the path itself and refuses dot segments, encoded or not: 400.
st, h, data = request("GET", "/api/v1/tasks/..%2F..%2F..%2Fetc%2Fpasswd", raw=True)
check("traversal", st == 400 and b"root:" not in data and h.get("content-type", "").startswith("application/json"),
      f"{st} {h} {data[:200]!r}")
for target in ("/../../etc/passwd", "/api/v1/../../etc/passwd", "/api/v1/tasks/%00", "/api/v1/tasks/%ff%fe"):
    st, _, data = request("GET", target, raw=True)
    check("hostile path " + target, st in (400, 404) and b"root:" not in data, f"{st} {data[:200]!r}")
expect_error("long path", "GET", "/api/v1/tasks/" + "A" * 3000, 414, "invalid_argument", raw=True)
expect_error("unknown path", "GET", "/api/v1/nothing-here", 404, "not_found")
h = expect_error("POST to a GET route", "POST", "/api/v1/tasks", 405, "invalid_argument", body=b"{}")
check("Allow", h.get("allow") == "GET, HEAD", h)
expect_error("DELETE a task", "DELETE", "/api/v1/tasks/WEB-DRAWN-1", 405, "invalid_argument")
st, _, data = request("BREW", "/api/v1/tasks")
check("unknown method", st in (400, 405, 501) and b"WEB-DRAWN-1" not in data, f"{st} {data[:200]!r}")
expect_error("2 MiB body", "POST", "/api/v1/tasks", 413, "invalid_argument", body=b"x" * (2 * 1024 * 1024))
st, headers, data = request("HEAD", "/api/v1/tasks")
check("HEAD", st == 200 and data == b"" and int(headers.get("content-length", "0")) > 0, f"{st} {headers}")
st, _, data = request("GET", "/healthz", headers={"X-Big": "a" * 20000}, raw=True)
check("oversized header", st in (400, 413, 431), f"{st} {data[:200]!r}")

# No answer of this run named a subject drawn but not revealed.
for target in ("/api/v1/tasks", "/api/v1/tasks/WEB-DRAWN-1", "/api/v1/tasks?state=drawn"):
    _, _, data = request("GET", target)
    for uscc in SECRET_USCCS:
        check("selection before the reveal: " + target, uscc.encode() not in data, uscc)

if failures:
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    sys.exit(1)
print("web API checks passed")
