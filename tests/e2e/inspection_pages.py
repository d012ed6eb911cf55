#!/usr/bin/env python3
"""Checks the inspection plugin's pages on a running `xinjian serve --listen`
(inspection_pages.sh prepares the database and starts it).

usage: inspection_pages.py http://127.0.0.1:PORT TMPDIR

TMPDIR holds published.json (`xinjian notices results --json`: what is published), secret.txt
(drawn subjects without a published result), hostile.txt (the USCC of the subject with a hostile
name), for-SCJG001.json and for-WJW001.json (`xinjian visits for ID --json`: each inspector's open
visits), v1/v2/v3/w1/w2.json (`visit show --json` of the visits). Users: SCJG001 and WJW001
(inspectors), wang.sv (supervisor of SCJG) and li.sv (of WJW), password "correct horse battery".
Exits 1 naming every failed check.
"""
import http.client
import json
import os
import re
import sys
import urllib.parse

BASE, TMP = sys.argv[1], sys.argv[2]
HOST = urllib.parse.urlparse(BASE)
GOOD = "correct horse battery"
failures = []


def load(name):
    return json.load(open(os.path.join(TMP, name)))


PUBLISHED = load("published.json")
SECRET = [u for u in open(os.path.join(TMP, "secret.txt")).read().strip().split(",") if u]
HOSTILE = open(os.path.join(TMP, "hostile.txt")).read().strip()
VISITS = {k: load(f"{k}.json") for k in ("v1", "v2", "v3", "w1", "w2")}
FOR = {i: load(f"for-{i}.json") for i in ("SCJG001", "WJW001")}

# Never in any page or answer: the inspectors' ID numbers (whole and masked), numbers typed into
# findings, risk classes, an unpublished result's text (public pages).
ID_NUMBERS = ["33020319800101001X", "330205197506150024", "330212198808080031", "330203199202290040",
              "330225198511110051", "330203********001X", "330205********0024", "330212********0031",
              "330203********0040", "330225********0051", "33020319700707006X", "13912345678"]
NEVER_PUBLIC = ID_NUMBERS + ["risk_class", "UNPUBLISHED-MARKER", "未公示的检查情况"] + SECRET
HOSTILE_RAW = ['<script>alert("name")', "<img src=x", '<script>alert("insp")', "<script>alert(1)", "<b>测试</b>"]


def check(name, ok, detail=""):
    if not ok:
        failures.append(f"{name[:160]}: {str(detail)[:600]}")
    return ok


class Client:
    """A browser-like client: keeps the cookies the server sets."""

    def __init__(self):
        self.cookies = {}

    def request(self, method, target, body=None, headers=None):
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(HOST.hostname, HOST.port, timeout=60)
        conn.request(method, target, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        hdrs = {k.lower(): v for k, v in resp.getheaders()}
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return resp.status, hdrs, data

    def get(self, target, status=200):
        st, h, data = self.request("GET", target)
        check(f"GET {target} status", st == status, f"{st} != {status}: {data[:400]!r}")
        return st, h, data.decode("utf-8", "replace")

    def sign_in(self, login):
        _, _, data = self.request("GET", "/api/v1/session")
        token = json.loads(data)["csrf_token"]
        st, _, data = self.request("POST", "/api/v1/session", body=json.dumps({"login": login, "password": GOOD}),
                                   headers={"Content-Type": "application/json", "X-CSRF-Token": token})
        check(f"sign in {login}", st == 200, (st, data))
        return self


def main_of(page):
    """The content of a page: its <main>, without the layout (whose header names the user)."""
    m = re.search(r'<main id="main">(.*)</main>', page, re.S)
    return m.group(1) if m else ""


def page_checks(name, h, page):
    check(f"{name}: html", h.get("content-type", "").startswith("text/html"), h.get("content-type"))
    csp = h.get("content-security-policy", "")
    check(f"{name}: CSP", csp and "unsafe-inline" not in csp, csp)
    check(f"{name}: no inline script or style",
          "<script" not in page and "style=" not in page and "<style" not in page,
          re.findall(r".{40}(?:<script|style=|<style).{40}", page)[:3])
    for raw in HOSTILE_RAW:
        check(f"{name}: hostile text escaped ({raw})", raw not in page, raw)


def public_checks(name, text):
    for word in NEVER_PUBLIC:
        check(f"{name}: never {word}", word not in text, word)


def expect_json_error(c, target, status, code):
    st, h, data = c.request("GET", target)
    check(f"{target} status", st == status, f"{st} != {status}: {data[:300]!r}")
    try:
        err = json.loads(data)["error"]
        check(f"{target} code", err["code"] == code, err)
        check(f"{target} bilingual", " / " in err["message"], err)
    except (ValueError, KeyError, TypeError) as e:
        check(f"{target} JSON error", False, f"{e}: {data[:300]!r}")
    return data


def results_pages():
    c = Client()
    # The list: every published notice, newest first, zh.
    st, h, page = c.get("/results")
    page_checks("/results", h, page)
    public_checks("/results", page)
    body = main_of(page)
    check("/results: zh", "抽查检查结果公示" in body and '<html lang="zh-CN">' in page, body[:300])
    check("/results: nav link", '<a href="/results">检查结果</a>' in page, "")
    check("/results: no task list link for the public", "/my/visits" not in page and "/department/visits" not in page, "")
    notices = {(r["task_id"], r["uscc"], r["department"]) for r in PUBLISHED}
    check("published oracle", len(notices) >= 2, notices)
    for task, uscc, dept in notices:
        check(f"/results lists {uscc}", f'href="/subjects/{uscc}"' in body, uscc)
    check("/results: count", f"共 {len(notices)} 条检查结果公示" in body, body[:2000])
    pos = [body.find(f"/subjects/{r['uscc']}") for r in sorted(PUBLISHED, key=lambda r: r["published_on"], reverse=True)]
    check("/results: newest first", pos == sorted(pos), pos)
    check("/results: hostile name escaped", "恶意&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;&amp;amp;餐饮店" in body, "")
    check("/results: findings masked", "330203********006X" in body and "139****5678" in body, "")
    check("/results: downloads", all(x in body for x in ['href="/api/v1/results.csv"',
                                                         'href="/api/v1/results.csv?encoding=gb18030"',
                                                         'href="/api/v1/results.xlsx"', 'href="/api/v1/results.jsonl"',
                                                         'href="/feeds/results.atom"']), body[-1500:])
    check("/results: last changed", "<time>2026-11-24 10:00:00 +08:00</time>" in body, body[-1500:])
    # English.
    st, h, page = c.get("/results?lang=en")
    body = main_of(page)
    check("/results en", '<html lang="en">' in page and "Inspection results" in body and "no problem found" in body
          and "抽查检查结果公示" not in body, body[:500])
    check("/results en: count", f"{len(notices)} result notices." in body, "")
    c.get("/results?lang=zh")
    # Filters: task and department, and the download links follow them.
    st, h, page = c.get("/results?task=WJW-2026-0001")
    body = main_of(page)
    wjw = [r for r in PUBLISHED if r["task_id"] == "WJW-2026-0001"]
    check("/results?task", "共 1 条" in body and f"/subjects/{wjw[0]['uscc']}" in body and HOSTILE not in body, body[:1500])
    check("/results?task downloads", 'href="/api/v1/results.csv?task=WJW-2026-0001"' in body
          and 'href="/feeds/results.atom?task=WJW-2026-0001"' in body, "")
    st, h, page = c.get("/results?department=SCJG")
    body = main_of(page)
    check("/results?department", f"/subjects/{HOSTILE}" in body and f"/subjects/{wjw[0]['uscc']}" not in body
          and '<option value="SCJG" selected>' in body, body[:1500])
    # Paging: one a page.
    st, h, page = c.get("/results?limit=1")
    body = main_of(page)
    check("/results paging", 'rel="next"' in body and "第 1 / 2 页" in body and body.count('<li>\n<h3>') == 1, body[:2500])
    st, h, page = c.get("/results?limit=1&offset=1")
    body = main_of(page)
    check("/results page 2", 'rel="prev"' in body and "第 2 / 2 页" in body and 'rel="next"' not in body, "")
    # Refused queries: a page with the form and the reason, 400 (404 for what does not exist).
    for target, status, words in [
        ("/results?limit=0", 400, "limit"),
        ("/results?limit=101", 400, "limit"),
        ("/results?offset=-1", 400, "offset"),
        ("/results?task=a%20b", 400, "task"),
        ("/results?task=" + "A" * 101, 400, "task"),
        ("/results?department=" + "D" * 100, 400, "department"),
        ("/results?uscc=91330000000000000X", 400, "uscc"),
        ("/results?published_from=2026-02-30", 400, "published_from"),
        ("/results?LIMIT=5", 400, "LIMIT"),
        ("/results?task=SCJG-2026-0001&task=WJW-2026-0001", 400, "task"),
        ("/results?task=NOPE-1", 404, "NOPE-1"),
        ("/results?task=SCJG-2026-0002", 404, "SCJG-2026-0002"),  # a draft is not public
        ("/results?department=NOPE", 404, "NOPE"),
    ]:
        st, h, page = c.get(target, status)
        body = main_of(page)
        check(f"{target}: the reason on the page", 'class="error" role="alert"' in body and words in body
              and '<form method="get" action="/results"' in body, body[:800])
        check(f"{target}: no results listed", "/subjects/" not in body, "")
    st, h, page = c.get("/results?task=%3Cscript%3Ealert(1)%3C/script%3E", 400)
    page_checks("/results hostile task", h, page)
    st, h, _ = c.request("GET", "/results?q=%ff")
    check("invalid UTF-8 refused", st == 400, st)

    # One task.
    st, h, page = c.get("/results/SCJG-2026-0001")
    page_checks("/results/SCJG-2026-0001", h, page)
    public_checks("/results/SCJG-2026-0001", page)
    body = main_of(page)
    check("task page: title escaped", "<h1>食品经营者抽查 &quot;页面&quot; &lt;b&gt;测试&lt;/b&gt;</h1>" in body, body[:400])
    check("task page: facts", "SCJG-2026-001" in body and "宁波市市场监督管理局（SCJG）" in body and "<dd>3</dd>" in body, body[:1500])
    check("task page: its notice only", f"/subjects/{HOSTILE}" in body and f"/subjects/{wjw[0]['uscc']}" not in body, "")
    check("task page: downloads", 'href="/api/v1/results.csv?task=SCJG-2026-0001"' in body
          and 'href="/api/v1/results.xlsx?task=SCJG-2026-0001"' in body, "")
    for target, status in [("/results/SCJG-2026-0002", 404), ("/results/NOPE", 404), ("/results/" + "X" * 300, 404),
                           ("/results/SCJG-2026-0001?task=WJW-2026-0001", 400),
                           ("/results/SCJG-2026-0001?limit=abc", 400)]:
        st, h, page = c.get(target, status)
        check(f"{target}: a page", h.get("content-type", "").startswith("text/html"), h)
    st, h, page = c.get("/results/SCJG-2026-0001?lang=en")
    check("task page en", "Subjects drawn" in page and "Inspected on" in page, "")
    c.get("/results?lang=zh")

    # The home page's section and the subject page's.
    st, h, page = c.get("/")
    public_checks("/", page)
    page_checks("/", h, page)
    body = main_of(page)
    check("home section", "最新检查结果" in body and f"/subjects/{HOSTILE}" in body and 'href="/results"' in body, body[:2000])
    st, h, page = c.get(f"/subjects/{HOSTILE}")
    public_checks("subject page", page)
    page_checks("subject page", h, page)
    body = main_of(page)
    check("subject section", "双随机抽查检查结果" in body and "发现问题已责令改正" in body
          and 'href="/results/SCJG-2026-0001"' in body, body[-2500:])
    # A drawn subject without a published result: its page says nothing of the draw.
    for uscc in SECRET:
        st, h, page = c.get(f"/subjects/{uscc}")
        body = main_of(page)
        check(f"unpublished subject {uscc}", "暂无该主体已公示的抽查检查结果" in body and "SCJG-2026-0001" not in body
              and "WJW-2026-0001" not in body, body[-1500:])


def visit_ids(data):
    return sorted(v["id"] for v in data["items"])


def task_lists():
    anon = Client()
    for target in ("/my/visits", "/my/visits/SCJG-2026-0001-1", "/department/visits"):
        st, h, _ = anon.request("GET", target)
        check(f"anonymous {target}: to sign in", st == 303 and h.get("location") == "/login?next=" + target, (st, h))
    for target in ("/api/v1/my/visits", "/api/v1/my/visits/SCJG-2026-0001-1", "/api/v1/department/visits"):
        expect_json_error(anon, target, 401, "unauthenticated")
    st, h, page = anon.get("/")
    check("anonymous: no task-list links", "/my/visits" not in page and "/department/visits" not in page, "")

    scjg = Client().sign_in("SCJG001")
    wjw = Client().sign_in("WJW001")
    own = {"SCJG001": sorted(v["visit_id"] if "visit_id" in v else v["id"] for v in FOR["SCJG001"]),
           "WJW001": sorted(v["visit_id"] if "visit_id" in v else v["id"] for v in FOR["WJW001"])}
    check("oracle: both have visits", own["SCJG001"] and own["WJW001"], own)
    for login, c, other in (("SCJG001", scjg, "WJW001"), ("WJW001", wjw, "SCJG001")):
        st, h, page = c.get("/my/visits")
        page_checks(f"{login} /my/visits", h, page)
        for word in ID_NUMBERS:
            check(f"{login} /my/visits: no ID number {word}", word not in page, word)
        body = main_of(page)
        check(f"{login}: nav link", '<a href="/my/visits">我的检查</a>' in page, "")
        for vid in own[login]:
            check(f"{login} lists {vid}", f'href="/my/visits/{vid}"' in body, body[:1500])
        for vid in own[other]:
            check(f"{login} does not list {vid}", vid not in body, vid)
        # Sorted by due date: WJW's task is due 2026-12-15, SCJG's 2026-12-31.
        dues = re.findall(r"<dt>检查期限</dt><dd>([0-9-]+)</dd>", body)
        check(f"{login}: due dates in order", dues == sorted(dues) and len(dues) == len(own[login]), dues)
        if login == "SCJG001":
            check("SCJG001: the task due first heads the list", dues[0] == "2026-12-10" and dues[-1] == "2026-12-31"
                  and body.find("SCJG-2026-0003-1") < body.find("SCJG-2026-0001-2"), dues)
        api = json.loads(c.get("/api/v1/my/visits")[2])
        check(f"{login} API: own visits", visit_ids(api) == own[login], (visit_ids(api), own[login]))
        check(f"{login} API: team by name", all(set(m) == {"name", "lead", "you"} for v in api["items"] for m in v["team"])
              and all(any(m["you"] for m in v["team"]) for v in api["items"]), api["items"][:1])
        text = json.dumps(api, ensure_ascii=False)
        for word in ID_NUMBERS:
            check(f"{login} API: no ID number {word}", word not in text, word)
        # Every own visit opens; every other one is 404, exactly like one that does not exist.
        for vid in own[login]:
            st, h, page = c.get("/my/visits/" + urllib.parse.quote(vid))
            page_checks(f"{login} {vid}", h, page)
            check(f"{login} {vid}: items", "检查事项" in main_of(page) and "检查组" in main_of(page), "")
            one = json.loads(c.get("/api/v1/my/visits/" + urllib.parse.quote(vid))[2])
            check(f"{login} API {vid}", one["id"] == vid, one)
        _, _, missing_page = c.request("GET", "/my/visits/NOPE-2026-0001-1")
        missing_api = expect_json_error(c, "/api/v1/my/visits/NOPE-2026-0001-1", 404, "not_found")
        for vid in own[other]:
            st, h, data = c.request("GET", "/my/visits/" + urllib.parse.quote(vid))
            check(f"{login} cannot open {vid}", st == 404 and h.get("content-type", "").startswith("text/html"), st)
            page = data.decode()
            check(f"{login} {vid}: nothing of it", vid not in main_of(page)
                  and main_of(page) == main_of(missing_page.decode()), main_of(page)[:400])
            api_404 = expect_json_error(c, "/api/v1/my/visits/" + urllib.parse.quote(vid), 404, "not_found")
            check(f"{login} API {vid}: the same 404", api_404 == missing_api, (api_404, missing_api))
        # English.
        st, h, page = c.get("/my/visits?lang=en")
        check(f"{login} en", "My inspections" in main_of(page) and "Inspections due" in main_of(page)
              and "检查期限" not in main_of(page), main_of(page)[:400])
        c.get("/my/visits?lang=zh")
        # Malformed and oversized parameters.
        for target, status in [("/api/v1/my/visits?state=bogus", 400), ("/api/v1/my/visits?limit=0", 400),
                               ("/api/v1/my/visits?limit=501", 400), ("/api/v1/my/visits?offset=x", 400),
                               ("/api/v1/my/visits?limit=99999999999999999999", 400),
                               ("/api/v1/my/visits?inspector=" + other, 400),
                               ("/api/v1/my/visits?state=all&state=open", 400),
                               ("/api/v1/my/visits/" + "V" * 300, 404),
                               ("/api/v1/my/visits/SCJG-2026-0001-1?x=1", 400)]:
            expect_json_error(c, target, status, "invalid_argument" if status == 400 else "not_found")
        st, h, page = c.get("/my/visits?inspector=" + other, 400)
        check(f"{login}: a refused page is a page", h.get("content-type", "").startswith("text/html")
              and "inspector" in main_of(page), main_of(page)[:300])
        # The published ones too, on asking.
        api_all = json.loads(c.get("/api/v1/my/visits?state=all")[2])
        check(f"{login} state=all", set(own[login]) <= set(visit_ids(api_all)) and api_all["total"] >= api["total"], api_all["total"])
        # Not a supervisor.
        st, _, _ = c.request("GET", "/department/visits")
        check(f"{login}: /department/visits refused", st == 403, st)

    # The published SCJG visit is no longer open: listed only with state=all.
    v1 = VISITS["v1"]["id"]
    check("published visit not open", v1 not in own["SCJG001"], own)
    all_scjg = json.loads(scjg.get("/api/v1/my/visits?state=all")[2])
    check("published visit with state=all", v1 in visit_ids(all_scjg), visit_ids(all_scjg))

    # Supervisors: their department's visits; another department refused; no inspector list.
    sv = Client().sign_in("wang.sv")
    st, h, page = sv.get("/department/visits")
    page_checks("supervisor page", h, page)
    body = main_of(page)
    check("supervisor nav link", '<a href="/department/visits">本部门检查</a>' in page and "/my/visits" not in page, "")
    for vid in own["SCJG001"]:
        check(f"supervisor lists {vid}", vid in body, "")
    for vid in own["WJW001"]:
        check(f"supervisor does not list {vid}", vid not in body, "")
    for word in ID_NUMBERS:
        check(f"supervisor: no ID number {word}", word not in page, word)
    api = json.loads(sv.get("/api/v1/department/visits")[2])
    check("supervisor API", visit_ids(api) == own["SCJG001"] and api["department"] == "SCJG", api)
    sv.get("/department/visits?department=SCJG")
    expect_json_error(sv, "/api/v1/department/visits?department=WJW", 403, "permission_denied")
    st, h, page = sv.get("/department/visits?department=WJW", 403)
    check("other department page refused", "WJW-2026-0001" not in main_of(page), "")
    expect_json_error(sv, "/api/v1/department/visits?department=%3Cx%3E", 400, "invalid_argument")
    expect_json_error(sv, "/api/v1/my/visits", 403, "permission_denied")
    st, _, _ = sv.request("GET", "/my/visits")
    check("supervisor: /my/visits refused", st == 403, st)
    li = Client().sign_in("li.sv")
    api = json.loads(li.get("/api/v1/department/visits")[2])
    check("WJW supervisor API", visit_ids(api) == own["WJW001"], api)
    expect_json_error(li, "/api/v1/department/visits?department=SCJG", 403, "permission_denied")


if __name__ == "__main__":
    results_pages()
    task_lists()
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    if failures:
        sys.exit(1)
    print("inspection pages: ok")
