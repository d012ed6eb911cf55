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


def expired_phase(base, cookie):
    c = Client(base, {"xj_session": cookie})
    st, _, data, set_cookies = c.request("GET", "/api/v1/session")
    s = json.loads(data)
    check("idle session ended", st == 200 and s.get("signed_in") is False, s)
    check("its cookie is cleared", any(x.startswith("xj_session=;") for x in set_cookies), set_cookies)


if __name__ == "__main__":
    if sys.argv[3] == "main":
        out = main_phase(sys.argv[1], sys.argv[2])
    else:
        out = ""
        expired_phase(sys.argv[1], sys.argv[4])
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    if failures:
        sys.exit(1)
    print(out)
