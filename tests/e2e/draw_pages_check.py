"""The draw's public pages and open data (draw_pages.sh runs them; Python 3 standard library only).

usage:
  draw_pages_check.py --make-subjects OUT.csv        subjects with hostile names, label xjtest
  draw_pages_check.py --check URL DRAWN_CODES.txt PASSWORD   the pages, downloads and feed
                                                   (PASSWORD: of the users scjg.sv and wjw.sv)

DRAWN_CODES.txt: the codes task WEB-DRAWN-2 drew (not revealed), from the database: none of
them may appear anywhere the public reads, unless a revealed task drew it too. Exits 1 naming the failed checks.
"""
import csv
import email.utils
import html.parser
import http.client
import io
import json
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
failures = []


def uscc(body17):
    s = sum(ALPHABET.index(c) * w for c, w in zip(body17, WEIGHTS))
    return body17 + ALPHABET[(31 - s % 31) % 31]


HOSTILE = [
    (uscc("913302000000000H1"), "<script>alert(1)</script>", "A", "宁波市<b>海曙区</b>"),
    (uscc("913302000000000H2"), "\"&amp;'<img src=x onerror=alert(2)>有限公司", "D", ""),
]
HOSTILE_TITLE = '<script>alert(1)</script> 恶意标题 & "quotes"'
REVEALED = ["SCJG-DEMO-0001", "HOSTILE-1", "WEB-RISK-1"]
PUBLIC_IDS = REVEALED + ["WEB-DRAWN-2", "WEB-ANNOUNCED-3"]


def make_subjects(out):
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write("uscc,name,type,region,industry,registered_on,status,risk_class,labels,address\n")
        w = csv.writer(f, lineterminator="\n")
        for code, name, risk, address in HOSTILE:
            w.writerow([code, name, "enterprise", "330203", "I6513", "2020-01-02", "active", risk, "xjtest", address])


def check(name, ok, detail=""):
    if not ok:
        failures.append(f"{name}: {detail}"[:600])


class Client:
    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port

    def get(self, target, headers=None, cookies=None, method="GET", body=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            if cookies:
                conn.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
            if body is not None:
                conn.putheader("Content-Type", "application/json")
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            r = conn.getresponse()
            if cookies is not None:
                for k, v in r.getheaders():
                    if k.lower() == "set-cookie":
                        name, _, rest = v.partition("=")
                        cookies[name] = rest.split(";")[0]
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def sign_in(self, login, password):
        """The cookies of a session of `login` (docs/web.md: CSRF double-submit, then POST)."""
        cookies = {}
        _, _, data = self.get("/api/v1/session", cookies=cookies)
        csrf = json.loads(data)["csrf_token"]
        st, _, data = self.get("/api/v1/session", {"X-CSRF-Token": csrf}, cookies, "POST",
                               json.dumps({"login": login, "password": password}).encode())
        check("sign in " + login, st == 200 and "xj_session" in cookies, f"{st} {data[:200]!r}")
        return cookies


class Parser(html.parser.HTMLParser):
    """Collects links, script tags, inline styles and the main element's text."""

    def __init__(self):
        super().__init__()
        self.links, self.scripts, self.styles, self.texts = [], [], [], []
        self.in_script = False
        self.inline_script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "script":
            self.scripts.append(a.get("src"))
            self.in_script = True
        if "style" in a:
            self.styles.append(tag)
        if tag == "style":
            self.styles.append("style")
        for k in a:
            if k.startswith("on"):
                self.styles.append(f"{tag} {k}")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.inline_script = True
        self.texts.append(data)


def page(c, target, status=200):
    st, headers, body = c.get(target)
    check(f"page {target}: status", st == status, f"{st} {body[:300]!r}")
    check(f"page {target}: html", headers.get("content-type", "").startswith("text/html"), headers.get("content-type"))
    text = body.decode("utf-8")
    p = Parser()
    p.feed(text)
    check(f"page {target}: no inline script", not p.inline_script and None not in p.scripts, p.scripts)
    check(f"page {target}: no inline style or handler", not p.styles, p.styles)
    check(f"page {target}: CSP", "unsafe-inline" not in headers.get("content-security-policy", "x unsafe-inline"),
          headers.get("content-security-policy"))
    return text, p


def main_part(text):
    m = re.search(r"<main[^>]*>(.*)</main>", text, re.S)
    return m.group(1) if m else text


def api_error(c, target, status, words=()):
    st, headers, body = c.get(target)
    check(f"{target}: status", st == status, f"{st} {body[:300]!r}")
    text = body.decode("utf-8", "replace")
    if headers.get("content-type", "").startswith("application/json"):
        try:
            err = json.loads(text)["error"]
            check(f"{target}: message", " / " in err["message"], err)
            text = err["message"]
        except (ValueError, KeyError) as e:
            check(f"{target}: JSON error", False, f"{e} {text[:200]}")
    else:
        check(f"{target}: escaped", "<script>alert" not in text, text[:300])
    for w in words:
        check(f"{target}: says {w}", w in text, text[:400])
    return text


def conditional(c, target):
    st, headers, body = c.get(target)
    check(f"{target}: 200", st == 200, st)
    etag, modified = headers.get("etag"), headers.get("last-modified")
    check(f"{target}: validators", etag and modified, headers)
    if not etag or not modified:
        return body
    st2, _, body2 = c.get(target, {"If-None-Match": etag})
    check(f"{target}: If-None-Match 304", st2 == 304 and body2 == b"", st2)
    st3, _, _ = c.get(target, {"If-Modified-Since": modified})
    check(f"{target}: If-Modified-Since 304", st3 == 304, st3)
    older = email.utils.formatdate(email.utils.parsedate_to_datetime(modified).timestamp() - 3600, usegmt=True)
    st4, _, _ = c.get(target, {"If-Modified-Since": older})
    check(f"{target}: older If-Modified-Since 200", st4 == 200, st4)
    st5, _, _ = c.get(target, {"If-None-Match": '"not-this-one"'})
    check(f"{target}: other ETag 200", st5 == 200, st5)
    return body


def run_checks(url, drawn_view, password):
    c = Client(url)
    drawn_codes = open(drawn_view, encoding="utf-8").read().split()
    # The codes only the unrevealed task drew (a subject drawn by a revealed task too is public).
    public_codes = set()
    for i in REVEALED:
        st, _, body = c.get(f"/api/v1/tasks/{i}")
        check(f"/api/v1/tasks/{i}", st == 200, st)
        public_codes |= {s["uscc"] for s in json.loads(body).get("selection", [])}
    secret_codes = [code for code in drawn_codes if code not in public_codes]
    check("the unrevealed task has a selection to hide", len(secret_codes) > 0, drawn_codes)
    served = []  # every public body, searched for the unrevealed selection at the end

    # ---- /tasks
    text, p = page(c, "/tasks")
    served.append(text)
    main = main_part(text)
    check("/tasks: heading zh", "抽查任务公告" in main, main[:200])
    for i in PUBLIC_IDS:
        check(f"/tasks: lists {i}", f'href="/tasks/{i}"' in main, "")
    check("/tasks: no draft", "WEB-DRAFT-4" not in text and "草稿不公开" not in text, "")
    check("/tasks: nav link", 'href="/tasks"' in text, "")
    check("/tasks: hostile title escaped", "&lt;script&gt;alert(1)&lt;/script&gt; 恶意标题 &amp; &quot;quotes&quot;" in main, "")
    check("/tasks: no raw hostile title", "<script>alert(1)" not in text, "")
    text, _ = page(c, "/tasks?lang=en")
    served.append(text)
    check("/tasks en", "Draw tasks" in main_part(text) and "抽查任务公告" not in main_part(text), main_part(text)[:300])
    text, _ = page(c, "/tasks?state=revealed")
    served.append(text)
    m = main_part(text)
    check("/tasks?state=revealed", all(f"/tasks/{i}\"" in m for i in REVEALED) and "WEB-DRAWN-2" not in m
          and "WEB-ANNOUNCED-3" not in m, m[:300])
    text, _ = page(c, "/tasks?department=SCJG&limit=2")
    served.append(text)
    m = main_part(text)
    check("/tasks paged", m.count('<li><a href="/tasks/') == 2 and 'rel="next"' in m, m[-800:])
    text, _ = page(c, "/tasks?department=SCJG&limit=2&offset=4")
    m = main_part(text)
    check("/tasks last page", m.count('<li><a href="/tasks/') == 1 and 'rel="prev"' in m and 'rel="next"' not in m, m[-600:])
    api_error(c, "/tasks?state=draft", 400, ["state"])
    api_error(c, "/tasks?state=%3Cscript%3Ealert(1)%3C/script%3E", 400, ["state"])
    api_error(c, "/tasks?department=NOPE", 404, ["NOPE"])
    api_error(c, "/tasks?department=%3Cscript%3Ealert(1)%3C%2Fscript%3E", 404)
    api_error(c, "/tasks?department=" + "A" * 100, 400, ["department"])
    api_error(c, "/tasks?limit=0", 400, ["limit"])
    api_error(c, "/tasks?limit=101", 400, ["limit"])
    api_error(c, "/tasks?offset=-1", 400, ["offset"])
    api_error(c, "/tasks?offset=99999999999999999999", 400, ["offset"])
    api_error(c, "/tasks?department=%01", 400)

    # ---- /tasks/{id}
    for i in ["WEB-DRAFT-4", "NOPE-404"]:
        api_error(c, f"/tasks/{i}", 404, [i])
    api_error(c, "/tasks/%3Cscript%3Ealert(1)%3C%2Fscript%3E", 404)
    api_error(c, "/tasks/" + "A" * 150, 404)
    api_error(c, "/tasks/..%2F..%2Fetc%2Fpasswd", 400)  # a .. segment, encoded or not: refused before any route
    st, _, _ = c.get("/tasks/" + "A" * 3000)
    check("/tasks/{3000 characters}: 414", st == 414, st)

    text, p = page(c, "/tasks/HOSTILE-1")
    served.append(text)
    m = main_part(text)
    check("HOSTILE-1: title escaped", "<h1>&lt;script&gt;alert(1)&lt;/script&gt; 恶意标题 &amp; &quot;quotes&quot;</h1>" in m, m[:300])
    check("HOSTILE-1: no raw script", "<script>alert" not in text and "<img src=x" not in text, "")
    for code, name, _, _ in HOSTILE:
        check(f"HOSTILE-1: lists {code}", f'href="/subjects/{code}"' in m, "")
        escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")
        check(f"HOSTILE-1: {code} name escaped", escaped in m, escaped)
    check("HOSTILE-1: no risk class", "risk" not in m.lower() and "风险" not in m, "")
    check("HOSTILE-1: verifier", 'id="xj-verifier" data-proof="/api/v1/tasks/HOSTILE-1/proof" data-lang="zh"' in m, "")
    check("HOSTILE-1: verifier script", "/assets/draw/verify-draw.js" in p.scripts, p.scripts)
    check("HOSTILE-1: full proof files", "/api/v1/tasks/HOSTILE-1/proof/pool.tsv" in p.links, p.links)
    check("HOSTILE-1: early reveal", "提前揭示" in m, "")
    for href in [h for h in p.links if h.startswith("/api/v1/tasks/HOSTILE-1/proof/")]:
        st, _, _ = c.get(href)
        check(f"HOSTILE-1: proof link {href}", st == 200, st)

    text, p = page(c, "/tasks/WEB-RISK-1")
    served.append(text)
    m = main_part(text)
    check("WEB-RISK-1: withheld statement", "风险分类不公开" in m and "无法验证" in m, "")
    check("WEB-RISK-1: public files", "/api/v1/tasks/WEB-RISK-1/proof/pool-public.tsv" in p.links
          and "/api/v1/tasks/WEB-RISK-1/proof/pool.tsv" not in p.links, p.links)
    for href in [h for h in p.links if h.startswith("/api/v1/tasks/WEB-RISK-1/proof/")]:
        st, _, _ = c.get(href)
        check(f"WEB-RISK-1: proof link {href}", st == 200, st)
    text, _ = page(c, "/tasks/WEB-RISK-1?lang=en")
    served.append(text)
    m = main_part(text)
    check("WEB-RISK-1 en", "stratified by risk class" in m and "cannot verify" in m and 'data-lang="en"' in m, "")
    check("WEB-RISK-1 en: English labels", "The notice" in m and "任务公告" not in m, "")

    text, _ = page(c, "/tasks/WEB-DRAWN-2")
    served.append(text)
    m = main_part(text)
    check("WEB-DRAWN-2: confidential until the reveal", "揭示前保密" in m and "2026-12-31" in m, m[-1500:])
    check("WEB-DRAWN-2: the entropy sentence in Chinese", "抽取使用公开随机源 “端到端测试 / e2e” 的值" in m
          and "The draw uses" not in m, "")
    check("WEB-DRAWN-2: no verifier", "xj-verifier" not in m and "verify-draw.js" not in text, "")
    text, _ = page(c, "/tasks/WEB-DRAWN-2?lang=en")
    served.append(text)
    m = main_part(text)
    check("WEB-DRAWN-2 en", "stay confidential until" in m, "")
    check("WEB-DRAWN-2 en: the entropy sentence in English", "The draw uses the value of the public source" in m
          and "抽取使用公开随机源" not in m, m)
    st, _, body = c.get("/api/v1/tasks/WEB-DRAWN-2")
    check("/api/v1/tasks/WEB-DRAWN-2: no selection", st == 200 and b'"selection"' not in body, body[:300])
    served.append(body.decode("utf-8"))
    text, _ = page(c, "/tasks/WEB-ANNOUNCED-3")
    served.append(text)
    check("WEB-ANNOUNCED-3: not drawn yet", "尚未抽取" in main_part(text), "")

    # ---- home and subject pages
    text, _ = page(c, "/")
    served.append(text)
    m = main_part(text)
    check("home: latest notices", "最新抽查任务公告" in m and 'href="/tasks/WEB-RISK-1"' in m, m[:500])
    check("home: no draft", "WEB-DRAFT-4" not in text, "")
    text, _ = page(c, "/?lang=en")
    served.append(text)
    check("home en", "Latest draw tasks" in main_part(text), "")
    for code, _, _, _ in HOSTILE:
        text, _ = page(c, f"/subjects/{code}")
        m = main_part(text)
        check(f"subject {code}: not listed for WEB-DRAWN-2", "WEB-DRAWN-2" not in text, "")
        check(f"subject {code}: drawn in HOSTILE-1", 'href="/tasks/HOSTILE-1"' in m and "双随机抽查记录" in m, m[-800:])
        check(f"subject {code}: escaped", "<script>alert" not in text and "<img src=x" not in text, "")
    for code in secret_codes:
        text, _ = page(c, f"/subjects/{code}")  # holds its own code: not in `served`
        check(f"subject {code}: not listed for WEB-DRAWN-2", "WEB-DRAWN-2" not in text, "")

    # ---- downloads and the feed
    body = conditional(c, "/api/v1/tasks.csv")
    served.append(body.decode("utf-8", "replace"))
    check("tasks.csv: BOM", body.startswith(b"\xef\xbb\xbf"), body[:10])
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    ids = [r["任务编号/id"] for r in rows]
    check("tasks.csv: ids", sorted(ids) == sorted(PUBLIC_IDS), ids)
    hostile = [r for r in rows if r["任务编号/id"] == "HOSTILE-1"]
    check("tasks.csv: hostile title", hostile and hostile[0]["任务名称/title"] == HOSTILE_TITLE, hostile)
    body = conditional(c, "/api/v1/tasks.csv?encoding=gb18030")
    served.append(body.decode("gb18030", "replace"))
    check("tasks.csv gb18030", "任务编号/id" in body.decode("gb18030") and not body.startswith(b"\xef\xbb\xbf"), body[:40])
    body = conditional(c, "/api/v1/tasks.jsonl")
    served.append(body.decode("utf-8"))
    lines = [json.loads(l) for l in body.decode("utf-8").splitlines()]
    check("tasks.jsonl", sorted(l["id"] for l in lines) == sorted(PUBLIC_IDS), lines[:1])
    check("tasks.jsonl: public fields", all("secret" not in l and "selection" not in l for l in lines), lines[:1])
    drawn = [l for l in lines if l["id"] == "WEB-DRAWN-2"]
    check("tasks.jsonl: drawn state", drawn and drawn[0]["state"] == "drawn" and drawn[0]["entropy"] == "3.14.15./", drawn)
    body = conditional(c, "/api/v1/tasks.xlsx")
    try:
        z = zipfile.ZipFile(io.BytesIO(body))
        shared = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/") and n.endswith(".xml"))
        served.append(shared)
        check("tasks.xlsx: holds the tasks", all(i in shared for i in PUBLIC_IDS) and "WEB-DRAFT-4" not in shared, "")
    except (zipfile.BadZipFile, KeyError) as e:
        check("tasks.xlsx: a workbook", False, e)
    st, headers, _ = c.get("/api/v1/tasks.csv?limit=2")
    check("tasks.csv?limit=2: Link next", st == 200 and "rel=\"next\"" in headers.get("link", ""), headers.get("link"))
    body = conditional(c, "/feeds/tasks.atom")
    served.append(body.decode("utf-8"))
    try:
        root = ET.fromstring(body)
        ns = {"a": "http://www.w3.org/2005/Atom"}
        entries = root.findall("a:entry", ns)
        links = [e.find("a:link", ns).get("href") for e in entries]
        check("tasks.atom: entries", sorted(links) == sorted(f"/tasks/{i}" for i in PUBLIC_IDS), links)
        titles = [e.find("a:title", ns).text for e in entries]
        check("tasks.atom: hostile title as text", any(t.startswith(HOSTILE_TITLE) for t in titles), titles)
    except ET.ParseError as e:
        check("tasks.atom: XML", False, e)
    body = conditional(c, "/feeds/tasks.atom?state=revealed&department=SCJG")
    check("tasks.atom filtered", body.count(b"<entry>") == len(REVEALED), body.count(b"<entry>"))
    api_error(c, "/api/v1/tasks.csv?encoding=latin1", 400, ["encoding"])
    api_error(c, "/api/v1/tasks.csv?bogus=1", 400, ["bogus"])
    api_error(c, "/api/v1/tasks.csv?state=revealed&state=drawn", 400, ["state"])
    api_error(c, "/api/v1/tasks.jsonl?state=draft", 400, ["state"])
    api_error(c, "/api/v1/tasks.xlsx?department=NOPE", 404, ["NOPE"])
    api_error(c, "/feeds/tasks.atom?limit=1000", 400, ["limit"])
    api_error(c, "/feeds/tasks.atom?offset=1", 400, ["offset"])
    # The JSON list keeps its answer (it shares the notices' query).
    st, _, body = c.get("/api/v1/tasks?state=revealed")
    data = json.loads(body)
    check("/api/v1/tasks", st == 200 and data["total"] == len(REVEALED)
          and set(data["items"][0]) == {"id", "title", "department", "state", "announce_date", "draw_date", "due_date",
                                          "pool_size", "items"}, data)
    api_error(c, "/api/v1/tasks?department=NOPE", 404, ["NOPE"])

    # ---- the task's department sees the selection before the reveal (as in the JSON API); another does not
    mine = c.sign_in("scjg.sv", password)
    st, _, body = c.get("/tasks/WEB-DRAWN-2", cookies=mine)
    m = main_part(body.decode("utf-8"))
    check("WEB-DRAWN-2 for its department: the selection", st == 200 and all(f"/subjects/{code}" in m for code in drawn_codes)
          and "尚未公开" in m and "xj-verifier" not in m, m[-1200:])
    other = c.sign_in("wjw.sv", password)
    st, _, body = c.get("/tasks/WEB-DRAWN-2", cookies=other)
    m = main_part(body.decode("utf-8"))
    check("WEB-DRAWN-2 for another department: no selection", st == 200 and not any(code in m for code in secret_codes)
          and "揭示前保密" in m, m[-800:])
    for target in ["/tasks", "/", "/api/v1/tasks.csv", "/feeds/tasks.atom"]:
        st, _, body = c.get(target, cookies=mine)
        leaked = [code for code in secret_codes if code.encode() in body]
        check(f"{target} for the department: no selection", st == 200 and not leaked, leaked)

    # ---- nothing served names the unrevealed selection
    everything = "\n".join(served)
    leaked = [code for code in secret_codes if code in everything]
    check("the unrevealed selection never served", not leaked, leaked)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--make-subjects":
        make_subjects(sys.argv[2])
        return 0
    if len(sys.argv) == 5 and sys.argv[1] == "--check":
        run_checks(sys.argv[2], sys.argv[3], sys.argv[4])
        for f in failures:
            print("FAIL " + f, file=sys.stderr)
        if failures:
            return 1
        print("draw pages: all checks passed")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
