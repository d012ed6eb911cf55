#!/usr/bin/env python3
"""schemas/openapi.json checked against the registered routes and the running server.

usage: openapi_check.py OPENAPI_JSON ROUTES_JSON BASE_URL USCC

1. The description is well formed: OpenAPI 3.0, every $ref resolves, every operation has a
   unique operationId and responses, every {parameter} of a path is declared as a required path
   parameter and no other path parameter is.
2. It describes exactly the API: the JSON API and feed routes the plugins registered (the
   patterns under /api/ and /feeds/ of `xinjian plugins routes --json`) and the host's own
   (/healthz, /api/v1/session), no more and no less.
3. Every GET answers on the demo data, anonymously, with a status it documents; a 200 with a
   content type it documents; an error with the JSON error shape; a documented limit out of
   range with 400.
"""
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

spec_path, routes_path, base, uscc = sys.argv[1:5]
spec = json.load(open(spec_path, encoding="utf-8"))
routes = json.load(open(routes_path, encoding="utf-8"))
failures = []


def fail(msg):
    failures.append(msg)


def resolve(node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            fail(f"external $ref {ref}")
            return {}
        cur = spec
        for part in ref[2:].split("/"):
            if not isinstance(cur, dict) or part not in cur:
                fail(f"unresolved $ref {ref}")
                return {}
            cur = cur[part]
        node = cur
    return node


def walk_refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            resolve(node)
        for v in node.values():
            walk_refs(v)
    elif isinstance(node, list):
        for v in node:
            walk_refs(v)


# 1. Well formed.
if not str(spec.get("openapi", "")).startswith("3.0."):
    fail("openapi is not 3.0.x")
for key in ("title", "version"):
    if not spec.get("info", {}).get(key):
        fail(f"info.{key} missing")
walk_refs(spec)
METHODS = {"get", "post", "put", "patch", "delete"}
documented = set()
op_ids = set()
for path, item in spec.get("paths", {}).items():
    if not path.startswith("/"):
        fail(f"path {path} does not start with /")
    template = set(re.findall(r"\{([^}]+)\}", path))
    for method, op in item.items():
        if method not in METHODS:
            fail(f"{path}: unknown key {method}")
            continue
        documented.add((method.upper(), path))
        oid = op.get("operationId")
        if not oid or oid in op_ids:
            fail(f"{method} {path}: operationId missing or repeated ({oid})")
        op_ids.add(oid)
        if not op.get("responses"):
            fail(f"{method} {path}: no responses")
        for code in op.get("responses", {}):
            if not re.fullmatch(r"[1-5][0-9][0-9]|default", code):
                fail(f"{method} {path}: response code {code}")
        declared = set()
        for prm in op.get("parameters", []):
            prm = resolve(prm)
            if prm.get("in") not in ("query", "path", "header", "cookie"):
                fail(f"{method} {path}: parameter {prm.get('name')} in {prm.get('in')}")
            if prm.get("in") == "path":
                declared.add(prm["name"])
                if prm.get("required") is not True:
                    fail(f"{method} {path}: path parameter {prm['name']} not required")
        if declared != template:
            fail(f"{method} {path}: path parameters {sorted(declared)} but the path has {sorted(template)}")

# 2. Exactly the API routes.
HOST = {("GET", "/healthz"), ("GET", "/api/v1/session"), ("POST", "/api/v1/session"), ("DELETE", "/api/v1/session")}
registered = {(r["method"], r["pattern"]) for r in routes if r["pattern"].startswith(("/api/", "/feeds/"))} | HOST
if not any(p == "/api/v1/tasks/{id}" for _, p in registered):
    fail("the routes list lacks the draw plugin's /api/v1/tasks/{id}: were the plugins loaded?")
for m, p in sorted(registered - documented):
    fail(f"registered but not described in openapi.json: {m} {p}")
for m, p in sorted(documented - registered):
    fail(f"described in openapi.json but not registered: {m} {p}")

# 3. Every GET against the server.
EXAMPLES = {"id": "SCJG-DEMO-0001", "code": "serious_illegal", "task": "SCJG-DEMO-0001", "file": "proof.json", "uscc": uscc, "visit": "none"}
REQUIRED_QUERY = {"q": "有限"}


def get(url):
    req = urllib.request.Request(url, headers={"Accept": "*/*"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


checked = 0
for path, item in spec["paths"].items():
    op = item.get("get")
    if not op:
        continue
    url_path = re.sub(r"\{([^}]+)\}", lambda m: urllib.parse.quote(EXAMPLES.get(m.group(1), "x"), safe=""), path)
    params = [resolve(p) for p in op.get("parameters", [])]
    query = {p["name"]: REQUIRED_QUERY.get(p["name"], "x") for p in params if p.get("in") == "query" and p.get("required")}
    url = base + url_path + ("?" + urllib.parse.urlencode(query) if query else "")
    status, ctype, body = get(url)
    checked += 1
    responses = op["responses"]
    if str(status) not in responses:
        fail(f"GET {url}: status {status} not documented ({sorted(responses)})")
        continue
    resp = resolve(responses[str(status)])
    media = set(resp.get("content", {}).keys())
    got = ctype.split(";")[0].strip()
    if media and got not in media:
        fail(f"GET {url}: {status} Content-Type {got} not documented ({sorted(media)})")
    if status >= 400:
        try:
            err = json.loads(body)["error"]
            assert isinstance(err["code"], str) and isinstance(err["message"], str)
        except Exception:
            fail(f"GET {url}: {status} without the JSON error shape: {body[:200]!r}")
    # A documented limit out of range is a 400 with the error shape.
    limit = next((p for p in params if p.get("name") == "limit" and p.get("in") == "query"), None)
    if limit is not None and status == 200:
        q2 = dict(query, limit=str(limit["schema"].get("maximum", 500) + 1))
        s2, _, b2 = get(base + url_path + "?" + urllib.parse.urlencode(q2))
        if s2 != 400 or "error" not in json.loads(b2 or b"{}"):
            fail(f"GET {path} with limit over its maximum: {s2}")

if checked < 10:
    fail(f"only {checked} GET operations checked")
if failures:
    print("\n".join("FAIL: " + f for f in failures), file=sys.stderr)
    sys.exit(1)
print(f"openapi: {len(documented)} operations described, {len(registered)} registered, {checked} GETs answered as described")
