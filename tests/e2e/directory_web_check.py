#!/usr/bin/env python3
"""The public directory's checks (directory_web.sh runs them; Python 3 standard library only).

usage:
  directory_web_check.py --make-extra OUT.csv             the hand-written subjects
  directory_web_check.py --make-second GENERATED.csv OUT.csv   the second import (renamed + new)
  directory_web_check.py --check URL SUBJECTS.tsv          the API, pages, search, hostile input
  directory_web_check.py --follow URL OLD.tsv NEW.tsv      the index follows the second import
  directory_web_check.py --search-only URL SUBJECTS.tsv    the search against the oracle

SUBJECTS.tsv: uscc, name, type, region, registered_on, status, address, risk_class, industry,
labels per line, as the database holds them (the oracle). Exits 1 naming the failed checks.
"""
import csv
import html.parser
import http.client
import json
import random
import sys
import time
import urllib.parse

CAP = 500  # kSearchCap (plugins/directory/src/search_index.h)
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
PUBLIC_KEYS = {"uscc", "name", "type", "region", "registered_on", "status", "address"}
failures = []


def uscc(body17):
    s = sum(ALPHABET.index(c) * w for c, w in zip(body17, WEIGHTS))
    return body17 + ALPHABET[(31 - s % 31) % 31]


HEADER = "uscc,name,type,region,industry,registered_on,status,risk_class,labels,address"
# Written by hand: hostile names (the page must escape them, FTS5 must not parse them), ASCII
# names in both cases, an individual business with a risk class and labels.
EXTRA = [
    ("913302000000000A1", '<script>alert("x")</script>恶意名称有限公司', "enterprise", "A", "", "宁波市<b>海曙区</b>"),
    ("913302000000000A2", 'NEAR(测试 OR "公司")*^甬江贸易', "enterprise", "B", "", "宁波市江北区"),
    ("913302000000000A3", "ABC Trading 宁波有限公司", "enterprise", "C", "", ""),
    ("913302000000000A4", "abc trading 象山分公司", "enterprise", "D", "", "象山县"),
    ("913302000000000A5", "Xinjian Tech 3M 百分之百%_通配", "intermediary", "A", "", "宁波"),
    ("923302000000000A6", "宁波市海曙区王小二水果店", "individual", "D", "食品经营;网络交易", "宁波市海曙区某街 1 号"),
    ("913302000000000A7", "华为", "enterprise", "A", "", ""),
    ("913302000000000A8", "华", "enterprise", "B", "", ""),
    ("913302000000000A9", "'; DROP TABLE subjects; -- 有限公司", "enterprise", "C", "", ""),
    ("913302000000000AA", "他说\"你好\"；并且\\反斜杠", "enterprise", "A", "", ""),
    ("913302000000000AB", "Ｆｕｌｌ全角ＡＢＣ公司", "enterprise", "B", "", ""),
    ("913302000000000AC", "甬江\u3000空格 公司", "social_org", "C", "", ""),
]


def make_extra(out):
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER + "\n")
        w = csv.writer(f, lineterminator="\n")
        for body, name, typ, risk, labels, address in EXTRA:
            w.writerow([uscc(body), name, typ, "330203", "I6513", "2020-01-02", "active", risk, labels, address])


def make_second(generated, out):
    """20 generated subjects renamed, 30 new ones; all names carry 甲乙丙丁 (absent elsewhere)."""
    rows = list(csv.DictReader(open(generated, encoding="utf-8")))
    rng = random.Random(3)
    renamed = rng.sample(rows, 20)
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=HEADER.split(","), lineterminator="\n")
        w.writeheader()
        for i, r in enumerate(renamed):
            r = dict(r)
            r["name"] = f"甲乙丙丁更名{i}号有限公司"
            w.writerow(r)
        for i in range(30):
            body = "91330200000001" + "%03d" % i
            w.writerow({"uscc": uscc(body), "name": f"甲乙丙丁新设{i}号商行", "type": "enterprise", "region": "330203",
                        "industry": "F5292", "registered_on": "2026-03-01", "status": "active", "risk_class": "B",
                        "labels": "", "address": "宁波市海曙区新街 %d 号" % i})


def load(tsv):
    subjects = []
    for line in open(tsv, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        if len(f) < 10:
            continue
        subjects.append(dict(zip(["uscc", "name", "type", "region", "registered_on", "status", "address", "risk_class",
                                  "industry", "labels"], f)))
    return subjects


def fold(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def trim(q):
    return q.strip(" \u3000")


def oracle(subjects, q):
    """The matches of q, sorted by USCC: (mode, usccs)."""
    q = trim(q)
    if 2 <= len(q) <= 18 and q[0].isdigit() and all(c in ALPHABET for c in q.upper()) and q.isascii():
        p = q.upper()
        return "uscc_prefix", sorted(s["uscc"] for s in subjects if s["uscc"].startswith(p))
    k = fold(q)
    return "name", sorted(s["uscc"] for s in subjects if k in fold(s["name"]))


class Client:
    def __init__(self, base):
        u = urllib.parse.urlparse(base)
        self.host, self.port = u.hostname, u.port
        self.served = []  # every body, for the leak checks

    def get(self, target, raw=False):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        if raw:
            conn.putrequest("GET", target, skip_accept_encoding=True)
            conn.endheaders()
        else:
            conn.request("GET", target)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        self.served.append((target, body))
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def check(name, ok, detail=""):
    if not ok:
        failures.append(f"{name}: {detail}")
    return ok


def search(c, q, limit=100, offset=0):
    st, _, body = c.get("/api/v1/subjects?" + urllib.parse.urlencode({"q": q, "limit": limit, "offset": offset}))
    return st, body


def check_search(c, subjects, q, label):
    mode, want = oracle(subjects, q)
    st, body = search(c, q)
    if not check(f"search {label} {q!r}: status", st == 200, f"{st} {body[:200]!r}"):
        return
    r = json.loads(body)
    check(f"search {q!r}: mode", r["mode"] == mode, r["mode"])
    check(f"search {q!r}: index complete", r["index_complete"] is True, r)
    got = [s["uscc"] for s in r["items"]]
    for s in r["items"]:
        check(f"search {q!r}: public keys only", set(s) == PUBLIC_KEYS, sorted(s))
    if len(want) <= CAP:
        check(f"search {q!r}: total", r["total"] == len(want) and r["capped"] is False,
              f"total {r['total']} capped {r['capped']}, oracle {len(want)}")
        # Every page, in USCC order, is the oracle's list.
        pages, off = [], 0
        while off < r["total"]:
            st, body = search(c, q, 100, off)
            if not check(f"search {q!r} offset {off}", st == 200, st):
                return
            pages += [s["uscc"] for s in json.loads(body)["items"]]
            off += 100
        check(f"search {q!r}: the matches", pages == want,
              f"{len(pages)} vs {len(want)}; first difference "
              f"{next(((a, b) for a, b in zip(pages, want) if a != b), None)}")
    else:
        check(f"search {q!r}: capped", r["capped"] is True and r["total"] == CAP, f"{r['total']} {r['capped']}")
        check(f"search {q!r}: every answer matches", set(got) <= set(want), set(got) - set(want))
        check(f"search {q!r}: USCC order", got == sorted(got), got[:5])


def random_queries(subjects, rng, n_per_len=15):
    names = [s["name"] for s in subjects]
    out = []
    for length in (2, 3, 4):
        for _ in range(n_per_len):
            name = rng.choice(names)
            if len(name) < length:
                continue
            i = rng.randrange(0, len(name) - length + 1)
            out.append(name[i:i + length])
    # Rare and absent combinations of common characters.
    out += ["有限公司", "公司有限", "限公", "州市", "甬江", "华为", "格力", "宁波", "zz", "贸易有限", "服务部"]
    return out


def check_searches(c, subjects, seed=1):
    rng = random.Random(seed)
    for q in random_queries(subjects, rng):
        check_search(c, subjects, q, "name")
    # ASCII names, case-insensitive; whitespace at the ends trimmed.
    for q in ["abc", "ABC", "Abc Trading", "trading", "xinjian tech", "3M 百", "tech 3m", " ab ", "\u3000宁波\u3000",
              "百分之百%_", "%_", "NEAR(", 'OR "', "*^", "<script>", "DROP TABLE", "\\反", "\"你好\"", "Ｆｕｌｌ",
              "ＡＢＣ", "abc公司", "空格 公", "\u3000空格"]:
        check_search(c, subjects, q, "ascii/syntax")
    # USCC prefixes of 2 to 18 characters, and in lower case.
    for s in rng.sample(subjects, 8):
        for n in (2, 4, 8, 12, 17, 18):
            check_search(c, subjects, s["uscc"][:n], "uscc")
    check_search(c, subjects, subjects[0]["uscc"][:10].lower(), "uscc lower")
    check_search(c, subjects, "9133", "uscc wide")


def forbidden(subjects):
    """Strings that must be in no byte served: the internal fields' names and words (the values of
    a particular subject's labels and industry are checked on its page and API answer)."""
    return ['"risk_class"', "risk", "风险", '"industry"', '"labels"', "id_number", "certificate"]


def leaks(c, subjects):
    words = forbidden(subjects)
    for target, body in c.served:
        text = body.decode("utf-8", "replace")
        for w in words:
            check(f"{target}: no {w!r}", w not in text, text[:200])


class PageParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.ids, self.labels_for, self.inputs = [], set(), set(), []
        self.inline = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "label" and "for" in a:
            self.labels_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.inputs.append(a)
        if "style" in a or (tag == "script") or any(k.startswith("on") for k in a):
            self.inline.append((tag, a))

    def handle_data(self, data):
        self.text.append(data)


def check_page(c, target, status=200, contains=()):
    st, headers, body = c.get(target)
    check(f"page {target}: status", st == status, f"{st} {body[:200]!r}")
    check(f"page {target}: html", headers.get("content-type", "").startswith("text/html"), headers.get("content-type"))
    text = body.decode("utf-8")
    p = PageParser()
    p.feed(text)
    check(f"page {target}: lang", any(t == "html" and a.get("lang") for t, a in p.tags), "no <html lang>")
    check(f"page {target}: viewport (phones)", 'name="viewport"' in text, "")
    check(f"page {target}: no inline script or style", not p.inline, p.inline[:3])
    for i in p.inputs:
        check(f"page {target}: every input has a label", i.get("id") in p.labels_for, i)
    for s in contains:
        check(f"page {target}: contains {s!r}", s in text, text[:300])
    return text, p


def run_check(base, tsv):
    c = Client(base)
    subjects = load(tsv)
    by_uscc = {s["uscc"]: s for s in subjects}
    # One subject's public facts: exactly the public keys, the values as stored.
    for s in random.Random(2).sample(subjects, 20) + [by_uscc[uscc(b)] for b, *_ in EXTRA]:
        st, _, body = c.get("/api/v1/subjects/" + s["uscc"])
        if not check(f"subject {s['uscc']}", st == 200, f"{st} {body[:200]!r}"):
            continue
        j = json.loads(body)
        check(f"subject {s['uscc']}: keys", set(j) == PUBLIC_KEYS, sorted(j))
        for k in ("uscc", "name", "type", "region", "registered_on", "status"):
            check(f"subject {s['uscc']}: {k}", j[k] == s[k], f"{j[k]!r} != {s[k]!r}")
        check(f"subject {s['uscc']}: address", j["address"] == (s["address"] or None), j["address"])
    # Unknown (well-formed) and malformed codes.
    missing = uscc("91330200999999999")
    st, _, body = c.get("/api/v1/subjects/" + missing)
    check("unknown code: 404", st == 404 and json.loads(body)["error"]["code"] == "not_found", f"{st} {body!r}")
    for bad in ["9133", "91110000600037341M", "9111000060003734IL", "91110000600037341l", "x" * 18, "%E5%8D%8E" * 6]:
        st, _, body = c.get("/api/v1/subjects/" + bad, raw=True)
        check(f"malformed code {bad!r}: 400", st == 400, f"{st} {body[:200]!r}")
        if st == 400:
            check(f"malformed code {bad!r}: bilingual", " / " in json.loads(body)["error"]["message"], body)

    check_searches(c, subjects)

    # Queries refused (400) or answered right; never a 500. Then the oracle for the answered.
    hostile = ["华", "a", "", " ", "\u3000", "x" * 51, "华" * 51, "' OR 1=1 --", "\"", "*", "OR", "NEAR(", "^",
               "\")", "a\" OR \"b", "华为\"", "%", "_", "\\", "NOT 华为", "华为*", "^华为", "{华为}", "华为:",
               "col:华为", "-华为", "+华为", "(华为)", "AND", "..", "😀😀", "😀华为", "\ufeff华为"]
    for q in hostile:
        st, body = search(c, q)
        check(f"hostile {q!r}: 200 or 400", st in (200, 400), f"{st} {body[:200]!r}")
        if st == 200:
            check_search(c, subjects, q, "hostile")
    hw, yx, gl = (urllib.parse.quote(t) for t in ("华为", "有限", "格力"))
    for raw in ["q=%00%E5%8D%8E", "q=%FF%FE", "q=%E5%8D", "q=%C0%AF%C0%AF", "q=ab%0Acd", "q=" + "%E5%8D%8E" * 3000,
                "q=" + "a" * 10240, "q=%", "q=%zz", "q[]=" + hw, "limit=0&q=" + hw, "limit=101&q=" + hw,
                "offset=-1&q=" + hw, "offset=abc&q=" + hw, "offset=" + str(CAP) + "&q=" + yx, "q=" + hw + "&q=" + gl,
                "q=%22%20OR%20%22", "q=NEAR(%E5%8D%8E%E4%B8%BA", "q=%2A%5E", "q=%E5%8D%8E%00"]:
        st, _, body = c.get("/api/v1/subjects?" + raw, raw=True)
        check(f"raw ?{raw[:40]}: no 500", st in (200, 400, 414), f"{st} {body[:200]!r}")
        # A request head over 16 KiB is refused by CivetWeb itself (max_request_size), in plain text.
        if len(raw) < 16000:
            check(f"raw ?{raw[:40]}: JSON", body[:1] == b"{", body[:100])
    st, _, body = c.get("/api/v1/subjects")
    check("no q: 400", st == 400, st)

    # The item list.
    st, _, body = c.get("/api/v1/items")
    items = json.loads(body)
    check("items", st == 200 and items["total"] == 2 and len(items["items"]) == 2, body[:300])
    check("items: fields", set(items["items"][0]) == {"code", "name", "department", "department_name", "legal_basis",
                                                        "class", "ratio_min", "ratio_max", "frequency_per_year",
                                                        "target_types", "target_labels"}, sorted(items["items"][0]))
    st, _, body = c.get("/api/v1/items?department=WJW")
    check("items of WJW", st == 200 and [i["code"] for i in json.loads(body)["items"]] == ["WJW-2026-001"], body[:300])
    st, _, _ = c.get("/api/v1/items?department=NOPE")
    check("items of an unknown department: 404", st == 404, st)

    # Pages.
    text, p = check_page(c, "/subjects", contains=['action="/subjects"', 'for="q"'])
    text, p = check_page(c, "/subjects?q=" + urllib.parse.quote("宁波"), contains=["/subjects/"])
    check("search page: a result list", "class=\"cards\"" in text, text[:300])
    text, p = check_page(c, "/subjects?q=" + urllib.parse.quote("华"), status=400, contains=['aria-invalid="true"'])
    text, p = check_page(c, "/subjects?q=" + urllib.parse.quote("<script>"))
    check("search page: the query escaped", "<script>alert" not in text and "&lt;script&gt;" in text, "")
    evil = uscc("913302000000000A1")
    text, p = check_page(c, "/subjects/" + evil, contains=["&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;",
                                                           "宁波市&lt;b&gt;海曙区&lt;/b&gt;"])
    check("subject page: nothing unescaped", "<script>alert" not in text and "<b>海曙区" not in text, "")
    person = by_uscc[uscc("923302000000000A6")]
    text, p = check_page(c, "/subjects/" + person["uscc"], contains=[person["name"], "个体工商户"])
    for secret in ("食品经营", "网络交易", "I6513"):
        check(f"individual business page: no {secret}", secret not in text, "")
    st, _, body = c.get("/api/v1/subjects/" + person["uscc"])
    for secret in ("食品经营", "网络交易", "I6513"):
        check(f"individual business API: no {secret}", secret not in body.decode(), body)
    text, p = check_page(c, "/subjects/" + missing, status=404)
    text, p = check_page(c, "/subjects/not-a-code", status=400)
    text, p = check_page(c, "/items", contains=["SCJG-2026-001", "食品经营者经营活动的检查"])
    text, p = check_page(c, "/items?lang=en", contains=["Legal basis"])
    text, p = check_page(c, "/", contains=['href="/subjects"', 'href="/items"', 'action="/subjects"'])
    # Paging links of a long result list.
    text, p = check_page(c, "/subjects?q=" + urllib.parse.quote("有限公司"), contains=['rel="next"'])
    text, p = check_page(c, "/subjects?q=" + urllib.parse.quote("有限公司") + "&offset=20", contains=['rel="prev"'])

    leaks(c, subjects)


def run_follow(base, old_tsv, new_tsv):
    c = Client(base)
    old = {s["uscc"]: s for s in load(old_tsv)}
    new = load(new_tsv)
    renamed = [s for s in new if s["uscc"] in old and old[s["uscc"]]["name"] != s["name"]]
    added = [s for s in new if s["uscc"] not in old]
    check("second import: 20 renamed, 30 new", len(renamed) == 20 and len(added) == 30, (len(renamed), len(added)))
    want = sorted(s["uscc"] for s in renamed + added)
    deadline = time.time() + 60  # the server's event pump delivers within about a second
    got = None
    while time.time() < deadline:
        st, body = search(c, "甲乙丙丁")
        got = sorted(s["uscc"] for s in json.loads(body)["items"]) if st == 200 else None
        if got == want:
            break
        time.sleep(0.2)
    check("the index follows the second import", got == want, f"{len(got or [])} of {len(want)}")
    for s in renamed:
        st, body = search(c, old[s["uscc"]]["name"])
        if st != 200:
            continue
        found = [x["uscc"] for x in json.loads(body)["items"]]
        check(f"renamed {s['uscc']}: not under its old name", s["uscc"] not in found, found)
    check_searches(c, new, seed=5)


def run_search_only(base, tsv):
    c = Client(base)
    check_searches(c, load(tsv), seed=9)


def main():
    mode = sys.argv[1]
    if mode == "--make-extra":
        make_extra(sys.argv[2])
        return 0
    if mode == "--make-second":
        make_second(sys.argv[2], sys.argv[3])
        return 0
    if mode == "--check":
        run_check(sys.argv[2], sys.argv[3])
    elif mode == "--follow":
        run_follow(sys.argv[2], sys.argv[3], sys.argv[4])
    elif mode == "--search-only":
        run_search_only(sys.argv[2], sys.argv[3])
    if failures:
        for f in failures[:40]:
            print("FAIL", f, file=sys.stderr)
        print(f"{len(failures)} failed checks", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
