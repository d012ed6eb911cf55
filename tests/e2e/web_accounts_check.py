#!/usr/bin/env python3
"""Checks sign-in, sessions, CSRF and throttling of running `xinjian serve --listen` nodes.

usage: web_accounts_check.py BASE_A BASE_B PHASE

BASE_A and BASE_B are two nodes on one database (web_accounts.sh starts them). The users
wang.sv (supervisor of SCJG) and zhao.sv exist with the password "correct horse battery"; a
third, gone.sv, was disabled. PHASE "main" runs every check and writes the session cookie of
wang.sv to stdout's last line; PHASE "expired COOKIE" checks that the cookie is refused (the
node runs 31 minutes later). Exits 1 naming each failed check.
"""
import http.client
import json
import sys
import urllib.parse

GOOD = "correct horse battery"
failures = []


def check(name, ok, detail=""):
    if not ok:
        failures.append(f"{name}: {detail}")


class Client:
    """A browser-like client of one node: keeps the cookies the server sets."""

    def __init__(self, base, cookies=None):
        u = urllib.parse.urlparse(base)
        self.host, self.port = u.hostname, u.port
        self.cookies = dict(cookies or {})

    def request(self, method, target, body=None, headers=None, json_body=None):
        h = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            h.setdefault("Content-Type", "application/json")
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        conn.request(method, target, body=body, headers=h)
        resp = conn.getresponse()
        data = resp.read()
        set_cookies = [v for k, v in resp.getheaders() if k.lower() == "set-cookie"]
        headers_out = {k.lower(): v for k, v in resp.getheaders()}
        conn.close()
        for c in set_cookies:
            name, _, rest = c.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in c:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return resp.status, headers_out, data, set_cookies

    def session(self):
        st, _, data, _ = self.request("GET", "/api/v1/session")
        check("GET session status", st == 200, st)
        return json.loads(data)


def error_code(data):
    try:
        e = json.loads(data)["error"]
        check("error is bilingual", " / " in e["message"], e)
        return e["code"]
    except (ValueError, KeyError, TypeError):
        return None


def main_phase(a_base, b_base):
    a = Client(a_base)
    s = a.session()
    check("anonymous", s["signed_in"] is False and len(s["csrf_token"]) == 43, s)
    csrf = s["csrf_token"]
    check("csrf cookie set", a.cookies.get("xj_csrf") == csrf, a.cookies)
    # Same token on the next call (the cookie is reused, not replaced).
    check("csrf stable", a.session()["csrf_token"] == csrf, a.cookies)

    login = {"login": "wang.sv", "password": GOOD}
    # CSRF: none, a wrong one, another site's Origin.
    st, _, data, _ = a.request("POST", "/api/v1/session", json_body=login)
    check("sign-in without CSRF", st == 403 and error_code(data) == "permission_denied", (st, data))
    st, _, data, _ = a.request("POST", "/api/v1/session", json_body=login, headers={"X-CSRF-Token": "x" * 43})
    check("sign-in with a wrong CSRF", st == 403, (st, data))
    st, _, data, _ = a.request("POST", "/api/v1/session", json_body=login,
                               headers={"X-CSRF-Token": csrf, "Origin": "http://evil.example"})
    check("sign-in from another origin", st == 403, (st, data))
    # A cookie-less client (no double-submit cookie) with a token it made up.
    bare = Client(a_base)
    st, _, data, _ = bare.request("POST", "/api/v1/session", json_body=login, headers={"X-CSRF-Token": csrf})
    check("sign-in with a token but no cookie", st == 403, (st, data))

    hdr = {"X-CSRF-Token": csrf}
    # Malformed, hostile and oversized sign-ins.
    for name, body, status in [
        ("not JSON", b"{login", 400),
        ("JSON array", b"[]", 400),
        ("number login", json.dumps({"login": 5, "password": GOOD}).encode(), 400),
        ("SQL in login", json.dumps({"login": "' OR 1=1 --", "password": GOOD}).encode(), 400),
        ("huge password", json.dumps({"login": "wang.sv", "password": "p" * 5000}).encode(), 400),
        ("2 MiB body", b"x" * (2 * 1024 * 1024), 413),
    ]:
        st, _, data, _ = a.request("POST", "/api/v1/session", body=body,
                                   headers=dict(hdr, **{"Content-Type": "application/json"}))
        check(f"sign-in {name}", st == status, (st, data[:200]))
    st, _, data, _ = a.request("PUT", "/api/v1/session", json_body=login, headers=hdr)
    check("PUT session", st == 405, (st, data[:200]))

    # Wrong password, unknown and disabled users: one answer.
    answers = set()
    for who, pw in [("wang.sv", "wrong password!"), ("nobody.here", GOOD), ("gone.sv", GOOD)]:
        st, _, data, _ = a.request("POST", "/api/v1/session", json_body={"login": who, "password": pw}, headers=hdr)
        check(f"sign-in {who} refused", st == 401, (st, data))
        answers.add(data)
    check("one answer for every refusal", len(answers) == 1, answers)

    # The right password, as JSON.
    st, headers, data, set_cookies = a.request("POST", "/api/v1/session", json_body=login, headers=hdr)
    check("sign-in", st == 200, (st, data))
    me = json.loads(data)
    check("signed in as", me["signed_in"] and me["login"] == "wang.sv" and me["department"] == "SCJG"
          and me["roles"] == ["supervisor"], me)
    cookie = next((c for c in set_cookies if c.startswith("xj_session=")), "")
    check("session cookie flags", "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
          and "Secure" not in cookie, cookie)  # a loopback site: plain http
    check("no token in the body", a.cookies.get("xj_session", "") not in data.decode(), data)
    check("new CSRF token", me["csrf_token"] != csrf and len(me["csrf_token"]) == 43, me)
    session_csrf = me["csrf_token"]

    # The other node knows the session.
    b = Client(b_base, {"xj_session": a.cookies["xj_session"]})
    s = b.session()
    check("node B sees the session", s.get("signed_in") and s.get("login") == "wang.sv", s)
    # The anonymous CSRF token is not the session's: refused once signed in.
    st, _, data, _ = b.request("DELETE", "/api/v1/session", headers={"X-CSRF-Token": csrf})
    check("sign-out with the old token", st == 403, (st, data))
    check("still signed in", b.session().get("signed_in") is True, "")

    # A form sign-in (the pages' way) works too, for zhao.sv, on node B.
    z = Client(b_base)
    zc = z.session()["csrf_token"]
    form = urllib.parse.urlencode({"login": "zhao.sv", "password": GOOD, "csrf_token": zc}).encode()
    st, _, data, _ = z.request("POST", "/api/v1/session", body=form,
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    check("form sign-in", st == 200 and json.loads(data)["login"] == "zhao.sv", (st, data))

    # Sign out on node B with the session's token; node A no longer knows the session.
    kept = a.cookies["xj_session"]
    st, _, data, set_cookies = b.request("DELETE", "/api/v1/session", headers={"X-CSRF-Token": session_csrf})
    check("sign-out", st == 200 and any(c.startswith("xj_session=;") and "Max-Age=0" in c for c in set_cookies),
          (st, set_cookies))
    gone = Client(a_base, {"xj_session": kept})
    s = gone.session()
    check("ended session is anonymous on A", s.get("signed_in") is False, s)

    # A burst of wrong passwords locks the account on every node, the right one included.
    t = Client(a_base)
    tc = t.session()["csrf_token"]
    statuses = []
    for i in range(5):
        st, _, _, _ = t.request("POST", "/api/v1/session", json_body={"login": "zhao.sv", "password": f"wrong {i}"},
                                headers={"X-CSRF-Token": tc})
        statuses.append(st)
    check("five wrong passwords", statuses == [401] * 5, statuses)
    u = Client(b_base)
    uc = u.session()["csrf_token"]
    st, headers, data, _ = u.request("POST", "/api/v1/session", json_body={"login": "zhao.sv", "password": GOOD},
                                     headers={"X-CSRF-Token": uc})
    check("locked on node B", st == 429 and error_code(data) == "resource_exhausted", (st, data))
    # 30 s from the failure on node A; the nodes' test clocks (XINJIAN_NOW, set as each started)
    # differ by the seconds between their starts.
    check("Retry-After", headers.get("retry-after", "").isdigit() and 0 < int(headers["retry-after"]) <= 90, headers)

    # Sign in again for the expiry phase, and hand the cookie over.
    c = Client(a_base)
    cc = c.session()["csrf_token"]
    st, _, data, _ = c.request("POST", "/api/v1/session", json_body=login, headers={"X-CSRF-Token": cc})
    check("sign-in again", st == 200, (st, data))
    return c.cookies.get("xj_session", "")


def pages_phase(base):
    """The site's own pages: home, language switch, sign-in form, errors as pages, the style sheet."""
    p = Client(base)
    st, h, data, _ = p.request("GET", "/")
    page = data.decode()
    check("home", st == 200 and h.get("content-type") == "text/html; charset=utf-8" and "双随机、一公开" in page, st)
    check("home: zh first", '<html lang="zh-CN">' in page and "登录" in page, page[:300])
    check("home: CSP", "unsafe-inline" not in h.get("content-security-policy", "x unsafe-inline"), h)
    check("home: no inline script or style", "<script>" not in page and "style=" not in page and "<style" not in page, "")
    check("home: a CSRF cookie", len(p.cookies.get("xj_csrf", "")) == 43, p.cookies)
    st, _, data, _ = p.request("GET", "/?lang=en")
    check("English", st == 200 and '<html lang="en">' in data.decode() and "Sign in" in data.decode(), st)
    st, _, data, _ = p.request("GET", "/")
    check("English remembered", '<html lang="en">' in data.decode(), p.cookies)
    st, _, data, _ = p.request("GET", "/?lang=zh")
    check("back to Chinese", '<html lang="zh-CN">' in data.decode(), "")
    # The style sheet, cached by its ETag.
    st, h, data, _ = p.request("GET", "/assets/site.css")
    check("css", st == 200 and h.get("content-type", "").startswith("text/css") and b"@media print" in data, st)
    st, _, _, _ = p.request("GET", "/assets/site.css", headers={"If-None-Match": h.get("etag", "")})
    check("css 304", st == 304, st)
    # An unknown page is a page, the path escaped in it.
    st, h, data, _ = p.request("GET", "/nope%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    check("404 page", st == 404 and h.get("content-type", "").startswith("text/html"), (st, h))
    check("404 escaped", b"<script>alert" not in data and b"&lt;script&gt;" in data, data[-400:])
    check("API 404 stays JSON", p.request("GET", "/api/v1/nope")[1].get("content-type", "").startswith("application/json"), "")
    # The sign-in form.
    st, _, data, _ = p.request("GET", "/login?next=//evil.example/x")
    form = data.decode()
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0] if 'name="csrf_token"' in form else ""
    check("login form", st == 200 and token == p.cookies.get("xj_csrf") and 'value="/"' in form, form[-600:])
    body = urllib.parse.urlencode({"login": "wang.sv", "password": "wrong password!", "csrf_token": token}).encode()
    ct = {"Content-Type": "application/x-www-form-urlencoded"}
    st, _, data, _ = p.request("POST", "/login", body=body, headers=ct)
    check("login form: wrong password", st == 401 and "用户名或密码错误" in data.decode() and 'role="alert"' in data.decode(), st)
    body_nocsrf = urllib.parse.urlencode({"login": "xss.sv", "password": GOOD}).encode()
    st, _, _, _ = p.request("POST", "/login", body=body_nocsrf, headers=ct)
    check("login form without CSRF", st == 403, st)
    body = urllib.parse.urlencode({"login": "xss.sv", "password": GOOD, "csrf_token": token,
                                   "next": "//evil.example/steal"}).encode()
    st, h, _, _ = p.request("POST", "/login", body=body, headers=ct)
    check("login form: signed in, never sent off-site", st == 303 and h.get("location") == "/", (st, h))
    st, _, data, _ = p.request("GET", "/")
    page = data.decode()
    check("the name is escaped", "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page,
          page[:1500])
    session_token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    check("the page carries the session's CSRF token", session_token != token and len(session_token) == 43, "")
    st, h, _, _ = p.request("POST", "/logout", body=urllib.parse.urlencode({"csrf_token": token}).encode(), headers=ct)
    check("logout with the old token", st == 403, st)
    st, h, _, _ = p.request("POST", "/logout", body=urllib.parse.urlencode({"csrf_token": session_token}).encode(),
                            headers=ct)
    check("logout", st == 303 and "xj_session" not in p.cookies, (st, p.cookies))
    st, _, data, _ = p.request("GET", "/")
    check("signed out", "/login" in data.decode() and "退出" not in data.decode(), "")


def expired_phase(base, cookie):
    c = Client(base, {"xj_session": cookie})
    st, _, data, set_cookies = c.request("GET", "/api/v1/session")
    s = json.loads(data)
    check("idle session ended", st == 200 and s.get("signed_in") is False, s)
    check("its cookie is cleared", any(x.startswith("xj_session=;") for x in set_cookies), set_cookies)


if __name__ == "__main__":
    if sys.argv[3] == "main":
        out = main_phase(sys.argv[1], sys.argv[2])
        pages_phase(sys.argv[2])
    else:
        out = ""
        expired_phase(sys.argv[1], sys.argv[4])
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    if failures:
        sys.exit(1)
    print(out)
