#!/usr/bin/env python3
"""Checks the inspection plugin's results API and downloads on a running `xinjian serve --listen`
(results_api.sh prepares the database and starts it).

usage: results_api_check.py first|second http://127.0.0.1:PORT TMPDIR

TMPDIR holds published.json (`xinjian notices results --json`: the oracle of what is published),
secret.txt (drawn subjects without a published result) and state.json (the validators the first
phase saw, for the second). "first" checks everything on the scenario's data; "second" runs after
one more publication and checks that the validators moved, the old copies are stale, and the
new result is there. Exits 1 naming every failed check.
"""
import csv
import datetime
import email.utils
import hashlib
import http.client
import io
import json
import os
import sys
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile

PHASE, BASE, TMP = sys.argv[1], sys.argv[2], sys.argv[3]
HOST = urllib.parse.urlparse(BASE)
failures = []

PUBLISHED = json.load(open(os.path.join(TMP, "published.json")))
SECRET_USCCS = [u for u in open(os.path.join(TMP, "secret.txt")).read().strip().split(",") if u]
PUBLISHED_USCCS = {r["uscc"] for r in PUBLISHED}
STATE_FILE = os.path.join(TMP, "state.json")

# Never in any byte served: the inspectors' ID numbers (whole and masked as the directory keeps
# them), the numbers typed into the findings, the case number, an unpublished result's text.
NEVER = ["33020319800101001X", "330205197506150024", "330212198808080031", "330203199202290040",
         "330225198511110051", "330203********001X", "330205********0024", "330212********0031",
         "330203********0040", "330225********0051", "33020319700707006X", "13912345678", "CASE-NO-SECRET-77",
         "risk_class", "SCJG001", "SCJG002", "SCJG003", "WJW001", "WJW002"]
if PHASE == "first":
    NEVER += ["UNPUBLISHED-MARKER", "未公示的检查情况"]
MASKED_FINDINGS = ("=cmd|' /C calc'!A0 负责人身份证330203********006X，电话139****5678；\n"
                   "\"冷藏柜\", 温度</title><script>alert(1)</script>\x01 \ue78d")

COLUMNS = ["task", "task_title", "uscc", "name", "department", "department_name", "item", "item_name", "result",
           "result_zh", "result_en", "problem", "method", "inspected_on", "findings", "follow_up",
           "follow_up_deadline", "follow_up_to_department", "published_on"]


def request(method, target, headers=None, raw=False):
    conn = http.client.HTTPConnection(HOST.hostname, HOST.port, timeout=60)
    if raw:
        conn.putrequest(method, target, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
    else:
        conn.request(method, target, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data


def check(name, ok, detail=""):
    if not ok:
        failures.append(f"{name}: {str(detail)[:600]}")
    return ok


served = []  # (target, text of every body), searched for what must never be served


def get(target, status=200, headers=None, raw=False):
    st, h, data = request("GET", target, headers=headers, raw=raw)
    check(f"GET {target} status", st == status, f"{st} != {status}: {data[:300]!r}")
    served.append((target, readable(h, data)))
    return st, h, data


def readable(headers, data):
    """The text of a body: an .xlsx unzipped, GB18030 decoded."""
    ctype = headers.get("content-type", "")
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if "gb18030" in ctype:
        return data.decode("gb18030", "replace")
    return data.decode("utf-8", "replace")


def expect_error(name, target, status, code):
    st, h, data = request("GET", target, raw=True)
    check(name + " status", st == status, f"{st} != {status}: {data[:300]!r}")
    try:
        err = json.loads(data)["error"]
        check(name + " code", err["code"] == code, f"{err} (expected {code})")
        check(name + " message", " / " in err["message"], f"not bilingual: {err['message']!r}")
        for word in ("SELECT", "sqlite", "postgres", "visit_items", "inspection_result_notices", "/tmp/", "std::"):
            check(name + " leaks nothing", word not in err["message"], err["message"])
    except (ValueError, KeyError, TypeError) as e:
        check(name + " JSON error", False, f"{e}: {data[:300]!r}")
    check(name + " JSON type", h.get("content-type", "").startswith("application/json"), h)


def flatten(notices):
    rows = []
    for n in notices:
        for it in n["items"]:
            rows.append({"task": n["task"], "task_title": n["task_title"], "uscc": n["uscc"], "name": n["name"],
                         "department": n["department"], "department_name": n["department_name"],
                         "item": it["item"], "item_name": it["item_name"], "result": it["result"],
                         "result_zh": it["result_text"]["zh"], "result_en": it["result_text"]["en"],
                         "problem": "true" if it["problem"] else "false", "method": it["method"],
                         "inspected_on": it["inspected_on"], "findings": it["findings"],
                         "follow_up": it["follow_up"]["kind"], "follow_up_deadline": it["follow_up"]["deadline"],
                         "follow_up_to_department": it["follow_up"]["to_department"],
                         "published_on": it["published_on"]})
    return rows


def all_notices(query=""):
    """Every notice, through pages of 1 (paging checked on the way)."""
    notices, offset = [], 0
    while True:
        sep = "&" if query else ""
        _, _, data = get(f"/api/v1/results?{query}{sep}limit=1&offset={offset}")
        page = json.loads(data)
        check("page size", len(page["items"]) <= 1 and page["limit"] == 1 and page["offset"] == offset, page)
        notices += page["items"]
        offset += 1
        if offset >= page["total"] or not page["items"]:
            return notices, page["total"]


def csv_rows(text):
    reader = list(csv.reader(io.StringIO(text, newline="")))
    header = reader[0]
    keys = [h.rsplit("/", 1)[1] for h in header]
    check("csv header keys", keys == COLUMNS, header)
    check("csv header zh/en", header[2] == "统一社会信用代码/uscc", header)

    def plain(cell):  # the OWASP prefix off again
        return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r") else cell
    return [dict(zip(keys, map(plain, r))) for r in reader[1:]]


def xlsx_rows(data):
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        check("xlsx zip", z.testzip() is None)
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
                shared.append("".join(t.text or "" for t in si.iter("{%s}t" % ns["m"])))
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    table = []
    for row in sheet.find("m:sheetData", ns):
        cells = {}
        for c in row:
            check("xlsx: no formula", c.find("m:f", ns) is None, ET.tostring(c))
            ref = "".join(ch for ch in c.get("r") if ch.isalpha())
            if c.get("t") == "s":
                cells[ref] = shared[int(c.find("m:v", ns).text)]
            else:
                check("xlsx: text cells", c.get("t") == "inlineStr", ET.tostring(c))
                cells[ref] = "".join(t.text or "" for t in c.iter("{%s}t" % ns["m"]))
        table.append(cells)
    letters = [chr(ord("A") + i) for i in range(len(COLUMNS))]
    header = [table[0].get(L, "") for L in letters]
    check("xlsx header", [h.rsplit("/", 1)[1] for h in header] == COLUMNS, header)
    return [{k: r.get(L, "") for k, L in zip(COLUMNS, letters)} for r in table[1:]]


def xlsx_text(s):
    """What a worksheet cell holds of `s`: C0 controls but tab and LF as U+FFFD."""
    return "".join("\ufffd" if ord(ch) < 0x20 and ch not in "\t\n" else ch for ch in s)


def http_date(text):
    return email.utils.parsedate_to_datetime(text)


def validators(target, expect_lm_between=None):
    """GET `target`: 200 with a strong ETag of its bytes and a Last-Modified; the conditional
    requests of RFC 9110 answered right. Returns (etag, last_modified, body)."""
    _, h, data = get(target)
    etag, lm = h.get("etag", ""), h.get("last-modified", "")
    check(f"{target}: strong ETag of the bytes", etag == '"' + hashlib.sha256(data).hexdigest() + '"', (etag, h))
    check(f"{target}: Last-Modified", bool(lm), h)
    check(f"{target}: cacheable, revalidated", h.get("cache-control") == "public, no-cache", h)
    if expect_lm_between and lm:
        lo, hi = expect_lm_between
        check(f"{target}: Last-Modified is the latest publication", lo <= http_date(lm) <= hi, lm)
    _, h2, data2 = get(target)
    check(f"{target}: the same bytes again", data2 == data and h2.get("etag") == etag, h2)
    for name, hdrs in (("If-None-Match", {"If-None-Match": etag}), ("weak If-None-Match", {"If-None-Match": "W/" + etag}),
                       ("If-None-Match list", {"If-None-Match": '"nope", ' + etag}),
                       ("If-Modified-Since", {"If-Modified-Since": lm})):
        st, h3, data3 = request("GET", target, headers=hdrs)
        check(f"{target}: {name} -> 304", st == 304 and data3 == b"", f"{st} {data3[:100]!r}")
        check(f"{target}: 304 keeps the validators", h3.get("etag") == etag and h3.get("last-modified") == lm, h3)
        check(f"{target}: 304 describes no body (no Content-Type, no Content-Length)",
              "content-type" not in h3 and "content-length" not in h3, h3)
    day_before = email.utils.format_datetime(http_date(lm) - datetime.timedelta(days=1), usegmt=True)
    st, _, _ = request("GET", target, headers={"If-Modified-Since": day_before})
    check(f"{target}: older If-Modified-Since -> 200", st == 200, st)
    st, _, _ = request("GET", target, headers={"If-None-Match": '"stale"', "If-Modified-Since": lm})
    check(f"{target}: If-None-Match wins over If-Modified-Since", st == 200, st)
    st, _, _ = request("GET", target, headers={"If-Modified-Since": "not a date"})
    check(f"{target}: a bad date is ignored", st == 200, st)
    return etag, lm, data


def utc(*a):
    return datetime.datetime(*a, tzinfo=datetime.timezone.utc)


# ---------------------------------------------------------------------------------------------
# The JSON API: exactly what the command line says is published.
notices, total = all_notices()
_, _, data = get("/api/v1/results?limit=500")
full = json.loads(data)
check("one page = the pages", full["items"] == notices and full["total"] == total == len(notices), full)
rows = flatten(notices)
api_set = sorted((r["task"], r["uscc"], r["item"], r["result"], r["inspected_on"], r["department"],
                  r["published_on"], r["name"], r["item_name"]) for r in rows)
cli_set = sorted((r["task_id"], r["uscc"], r["item"], r["result"], r["inspected_on"], r["department"],
                  r["published_on"], r["name"], r["item_name"]) for r in PUBLISHED)
check("only the published results, all of them", api_set == cli_set, f"api {api_set}\ncli {cli_set}")
check("newest first", [n["published_on"] for n in notices] == sorted((n["published_on"] for n in notices), reverse=True),
      [n["published_on"] for n in notices])
_, _, data = get("/api/v1/results?order=oldest&limit=500")
check("oldest first", json.loads(data)["items"] == list(reversed(notices)), data[:300])
for n in notices:
    check("notice keys", sorted(n) == sorted(["task", "task_title", "uscc", "name", "department", "department_name",
                                              "first_published_on", "published_on", "items"]), sorted(n))
    for it in n["items"]:
        check("item keys", sorted(it) == sorted(["item", "item_name", "result", "result_text", "problem", "method",
                                                  "method_text", "inspected_on", "findings", "follow_up",
                                                  "published_on"]), sorted(it))
scjg = [r for r in rows if r["task"] == "SCJG-2026-0001" and r["result"] == "corrected"]
check("the hostile findings, numbers masked", len(scjg) == 1 and scjg[0]["findings"] == MASKED_FINDINGS,
      scjg and scjg[0]["findings"])
check("task title", scjg and scjg[0]["task_title"] == '食品经营者抽查 "开放数据" <测试>', scjg)
check("follow-up", scjg and scjg[0]["follow_up"] == "correct" and scjg[0]["follow_up_deadline"] == "2026-12-07", scjg)
wjw = [r for r in rows if r["task"] == "WJW-2026-0001"]
check("the case filed", len(wjw) == 1 and wjw[0]["result"] == "case_filed" and wjw[0]["follow_up"] == "case"
      and wjw[0]["department_name"] == "宁波市卫生健康委员会", wjw)

# Filters.
for query, keep in (("department=WJW", lambda r: r["department"] == "WJW"),
                    ("task=SCJG-2026-0001", lambda r: r["task"] == "SCJG-2026-0001"),
                    ("item=WJW-2026-001", lambda r: r["item"] == "WJW-2026-001"),
                    ("result=corrected", lambda r: r["result"] == "corrected"),
                    ("result=" + urllib.parse.quote("发现问题已责令改正"), lambda r: r["result"] == "corrected"),
                    ("uscc=" + rows[0]["uscc"], lambda r: r["uscc"] == rows[0]["uscc"]),
                    ("published_from=2026-11-24", lambda r: r["published_on"] >= "2026-11-24"),
                    ("published_to=2026-11-23", lambda r: r["published_on"] <= "2026-11-23"),
                    ("published_from=2026-11-24&published_to=2026-11-24", lambda r: r["published_on"] == "2026-11-24"),
                    ("published_from=2030-01-01", lambda r: False)):
    _, _, data = get("/api/v1/results?limit=500&" + query)
    got = flatten(json.loads(data)["items"])
    check("filter " + query, got == [r for r in rows if keep(r)], got)

# One task's results, with its public summary and no selection.
_, _, data = get("/api/v1/results/SCJG-2026-0001")
task = json.loads(data)
check("task route", task["task"]["id"] == "SCJG-2026-0001" and task["task"]["state"] == "drawn"
      and flatten(task["items"]) == [r for r in rows if r["task"] == "SCJG-2026-0001"], task)
for key in ("selection", "secret", "seed", "team"):
    check("task route: no " + key, key not in task["task"] and key.encode() not in data, sorted(task["task"]))

# ---------------------------------------------------------------------------------------------
# Downloads: the same rows as the JSON API in every format.
st, h, data = get("/api/v1/results.csv")
check("csv type", h.get("content-type") == "text/csv; charset=utf-8; header=present", h)
check("csv attachment", h.get("content-disposition") == 'attachment; filename="results.csv"', h)
check("csv BOM", data[:3] == b"\xef\xbb\xbf", data[:10])
check("csv CRLF", b"\r\n" in data and data.endswith(b"\r\n"), data[-10:])
check("csv = API", csv_rows(data.decode("utf-8-sig")) == rows, data[:500])
check("csv formula prefixed", b"\"'=cmd|" in data, data[:800])

st, h, data = get("/api/v1/results.csv?encoding=gb18030")
check("gb18030 type", h.get("content-type") == "text/csv; charset=gb18030; header=present", h)
check("gb18030 attachment", h.get("content-disposition") == 'attachment; filename="results-gb18030.csv"', h)
check("gb18030 no BOM", data[:3] != b"\xef\xbb\xbf", data[:10])
check("gb18030 bytes", "统一社会信用代码".encode("gb18030") in data, data[:200])
gb_expected = [{k: v.replace("\ue78d", "&#xE78D;") for k, v in r.items()} for r in rows]
check("gb18030 = API (a private-use character as &#xE78D;)", csv_rows(data.decode("gb18030")) == gb_expected,
      data.decode("gb18030")[:500])

st, h, data = get("/api/v1/results.jsonl")
check("jsonl type", h.get("content-type") == "application/jsonl; charset=utf-8", h)
check("jsonl attachment", h.get("content-disposition") == 'attachment; filename="results.jsonl"', h)
lines = data.decode("utf-8").splitlines()
check("jsonl = API", [json.loads(line) for line in lines] == rows, data[:500])
check("jsonl key order", all(list(json.loads(line)) == COLUMNS for line in lines), lines[:1])

st, h, data = get("/api/v1/results.xlsx")
check("xlsx type", h.get("content-type") == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", h)
check("xlsx attachment", h.get("content-disposition") == 'attachment; filename="results.xlsx"', h)
check("xlsx = API", xlsx_rows(data) == [{k: xlsx_text(v) for k, v in r.items()} for r in rows], "")

_, h, data = get("/api/v1/results.csv?task=SCJG-2026-0001")
check("task download name", h.get("content-disposition") == 'attachment; filename="results-SCJG-2026-0001.csv"', h)

# Pages of a download: limit=1 and the Link to the next page, to the end.
paged, target = [], "/api/v1/results.jsonl?limit=1"
for _ in range(100):
    _, h, data = get(target)
    paged += [json.loads(line) for line in data.decode().splitlines()]
    link = h.get("link", "")
    if not link:
        break
    check("Link next", link.startswith("</api/v1/results.jsonl?") and link.endswith('>; rel="next"'), link)
    target = link[1:link.index(">")]
check("the pages of a download = the download", paged == rows, paged)
st, h, data = request("HEAD", "/api/v1/results.xlsx")
check("HEAD download", st == 200 and data == b"" and int(h.get("content-length", "0")) > 0, (st, h))

# ---------------------------------------------------------------------------------------------
# The feed of new notices.
_, h, data = get("/feeds/results.atom")
check("atom type", h.get("content-type") == "application/atom+xml; charset=utf-8", h)
A = "{http://www.w3.org/2005/Atom}"
feed = ET.fromstring(data)
entries = feed.findall(A + "entry")
check("atom entries = notices", len(entries) == len(notices), len(entries))
ids = [e.find(A + "id").text for e in entries]
check("atom ids unique and stable", len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids), ids)
check("atom newest first", [e.find(A + "updated").text for e in entries] ==
      sorted((e.find(A + "updated").text for e in entries), reverse=True), "")
titles = " ".join(e.find(A + "title").text for e in entries)
check("atom titles name the subjects", all(n["uscc"] in titles for n in notices), titles)
check("atom escapes", b"<script>" not in data, "")
_, _, data2 = get("/feeds/results.atom?department=WJW")
check("atom filter", len(ET.fromstring(data2).findall(A + "entry")) == len([n for n in notices if n["department"] == "WJW"]),
      data2[:300])

# ---------------------------------------------------------------------------------------------
# Validators, and what a new publication does to them.
TARGETS = ["/api/v1/results", "/api/v1/results?department=WJW", "/api/v1/results/SCJG-2026-0001",
           "/api/v1/results.csv", "/api/v1/results.csv?encoding=gb18030", "/api/v1/results.jsonl",
           "/api/v1/results.xlsx", "/feeds/results.atom", "/feeds/results.atom?department=WJW"]
CHANGED_BY_SECOND = [t for t in TARGETS if "WJW" not in t]


def minute(day):
    """10:00 on `day` of November 2026 in Beijing, when the scenario publishes (the process clock
    runs on from there: within the minute)."""
    return utc(2026, 11, day, 2, 0, 0), utc(2026, 11, day, 2, 0, 59)


if PHASE == "first":
    # The latest publication: SCJG's on the 23rd for its task, WJW's on the 24th for the others.
    state = {t: validators(t, minute(23 if t.startswith("/api/v1/results/SCJG") else 24))[:2] for t in TARGETS}
    json.dump(state, open(STATE_FILE, "w"))
else:
    state = json.load(open(STATE_FILE))
    window = minute(26)
    for t in TARGETS:
        old_etag, old_lm = state[t]
        st, _, _ = request("GET", t, headers={"If-None-Match": old_etag})
        st2, _, _ = request("GET", t, headers={"If-Modified-Since": old_lm})
        if t in CHANGED_BY_SECOND:
            check(f"{t}: the old ETag is stale", st == 200, st)
            check(f"{t}: changed since the old Last-Modified", st2 == 200, st2)
            etag, lm, _ = validators(t, window)
            check(f"{t}: new validators", etag != old_etag and http_date(lm) > http_date(old_lm), (etag, lm))
        else:
            check(f"{t}: another department's results are unchanged", st == 304 and st2 == 304, (st, st2))
    check("the new result", any(r["findings"] == "UNPUBLISHED-MARKER 未公示的检查情况" for r in rows), rows)

# ---------------------------------------------------------------------------------------------
# Hostile, malformed and oversized parameters: 400 (or 404 for a name that does not exist).
if PHASE == "first":
    q = urllib.parse.quote
    sqli = ["' OR '1'='1", "1; DROP TABLE visit_items; --", "x' UNION SELECT id_number_masked FROM inspectors --",
            "\" OR \"\"=\"", "%27", "SCJG'--", "<script>alert(1)</script>", "../../etc/passwd"]
    routes = ["/api/v1/results", "/api/v1/results.csv", "/api/v1/results.jsonl", "/api/v1/results.xlsx"]
    for route in routes:
        for name in ("department", "uscc", "item", "result", "published_from", "published_to", "order", "limit", "offset"):
            for value in sqli:
                expect_error(f"{route} {name}={value!r}", f"{route}?{name}={q(value)}", 400, "invalid_argument")
        for value in sqli:
            expect_error(f"{route} task={value!r}", f"{route}?task={q(value)}", 400, "invalid_argument")
        expect_error(f"{route} task=NOPE", f"{route}?task=NOPE-1", 404, "not_found")
        expect_error(f"{route} a draft", f"{route}?task=SCJG-2026-0002", 404, "not_found")
        expect_error(f"{route} department=NOPE", f"{route}?department=NOPE", 404, "not_found")
        expect_error(f"{route} item=NOPE", f"{route}?item=NOPE-1", 404, "not_found")
        for bad in ("limit=0", "limit=-1", "limit=abc", "limit=1e3", "limit=" + "9" * 30, "limit=99999999999",
                    "offset=-5", "offset=1.5", "offset=" + "9" * 13, "published_from=2026-02-30",
                    "published_from=2026/11/01", "published_from=1999-12-31", "published_to=99999-01-01",
                    "published_from=2026-11-25&published_to=2026-11-01", "order=random",
                    "uscc=91330200MA2AAAAA1", "uscc=91330200ma2aaaaa1x", "uscc=" + "9" * 18, "result=nothing",
                    "department=" + "A" * 100, "task=" + "T" * 101, "item=" + "I" * 200, "bogus=1",
                    "department=SCJG&department=WJW", "limit=1&limit=2", "LIMIT=1",
                    "department=" + "A" * 1500, "findings=x", "encoding=utf-16", "published_from=%00",
                    "department=%ff%fe", "limit=%zz"):
            expect_error(f"{route}?{bad[:60]}", f"{route}?{bad}", 400, "invalid_argument")
    for bad in ("limit=501", "limit=1&offset=1", "order=newest", "uscc=" + rows[0]["uscc"]):
        expect_error(f"feed {bad}", f"/feeds/results.atom?{bad}", 400, "invalid_argument")
    expect_error("feed limit 101", "/feeds/results.atom?limit=101", 400, "invalid_argument")
    expect_error("download over the bound", "/api/v1/results.csv?limit=20001", 400, "invalid_argument")
    expect_error("list over the bound", "/api/v1/results?limit=501", 400, "invalid_argument")
    expect_error("task route: a draft", "/api/v1/results/SCJG-2026-0002", 404, "not_found")
    expect_error("task route: none", "/api/v1/results/SCJG-2026-0099", 404, "not_found")
    expect_error("task route: injection", "/api/v1/results/" + q("x' OR '1'='1"), 404, "not_found")
    expect_error("task route: script", "/api/v1/results/" + q("<script>alert(1)</script>"), 404, "not_found")
    expect_error("task route: task filter", "/api/v1/results/SCJG-2026-0001?task=WJW-2026-0001", 400,
                 "invalid_argument")
    expect_error("task route: bad limit", "/api/v1/results/SCJG-2026-0001?limit=0", 400, "invalid_argument")
    expect_error("long target", "/api/v1/results.csv?department=" + "A" * 3000, 414, "invalid_argument")
    st, _, data = request("POST", "/api/v1/results.csv")
    check("POST to a download", st == 405, st)
    st, _, data = get("/api/v1/results?offset=1000000000")
    check("offset beyond the end", json.loads(data)["items"] == [], data[:200])
    st, h, data = get("/api/v1/results.csv?offset=1000000000")
    check("download beyond the end: the header only", data.decode("utf-8-sig").count("\r\n") == 1 and "link" not in h,
          data[:300])

# ---------------------------------------------------------------------------------------------
# Nothing served names what is not public.
for target, text in served:
    for word in NEVER:
        check(f"{target}: never serves {word!r}", word not in text, "")
    for uscc in SECRET_USCCS:
        if uscc not in PUBLISHED_USCCS:
            check(f"{target}: no drawn subject without a published result", uscc not in text, uscc)

if failures:
    for f in failures[:60]:
        print("FAIL:", f, file=sys.stderr)
    print(f"{len(failures)} checks failed", file=sys.stderr)
    sys.exit(1)
print(f"results API checks passed ({PHASE})")
