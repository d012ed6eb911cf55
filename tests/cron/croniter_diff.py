#!/usr/bin/python3
"""Differential test of the cron evaluator (`xinjian cron next --batch`) against oracles.

1. python3-croniter (Debian package) on random five-field expressions and start times: the
   next three fire times must agree. croniter differs from Vixie cron in how it decides that
   a day field is "restricted" for the day-of-month/day-of-week OR rule (it looks at the
   expanded set: "*/2" counts as restricted, "1-31" or "0-6" as unrestricted; Vixie looks at
   the first character, '*' or not). We implement Vixie's rule, so croniter is asked the
   question Vixie's rule poses: day_or=False when Vixie ANDs, and "* *" for the day fields
   when Vixie ORs with a field that covers every day.
   croniter's arithmetic is wrong across daylight-saving changes (it adds the offset change
   back in a way that moves monthly jobs by an hour, and does not skip or merge local times
   that do not exist or repeat), so in zones with DST croniter is only asked when no offset
   change lies between the start and the answers (same offset at both ends, less than 100
   days apart: these zones change at most twice a year, more than 100 days apart).
2. A zone walk written here with Python's zoneinfo (which also applies the TZ footer rule
   after 2037): for every case in a DST zone, a walk over local days applying the documented
   rule (a wall time that does not exist fires once at the end of the gap, a repeated one at
   its first occurrence). Field sets come from croniter's own parser.
3. Working-day schedules (@workdays, @workday-of-month) against a walk over the calendar
   files schemas/calendar/YYYY.json and the provisional years of the holiday law after them
   (tests/calendar/law_model.py), including the error past the last year with data.
4. Malformed expressions: where croniter raises, we must refuse too; the cases we refuse
   on purpose although croniter accepts them (a step not smaller than the field's span, such
   as "*/90" in the minute field) are counted and reported.

Usage: croniter_diff.py --cli build/bin/xinjian [--cases N] [--seed S]
Exit status 0 when everything agrees, 1 on a difference (the first ones are printed).
"""
import argparse
import bisect
import datetime as dt
import glob
import json
import os
import random
import subprocess
import sys
import time

try:
    from croniter import croniter
    from croniter.croniter import CroniterError, CroniterBadDateError
except ImportError:
    sys.exit("python3-croniter is needed (apt install python3-croniter)")
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc
FIXED_ZONES = ["Asia/Shanghai", "UTC", "Asia/Tokyo", "Asia/Kolkata", "Asia/Kathmandu", "Etc/GMT+5"]
DST_ZONES = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe", "America/Santiago"]
RANGES = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
SPAN = [60, 24, 31, 12, 7]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
          "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
STEPS = 3  # fire times compared per case
FIRST = dt.datetime(2000, 1, 1, tzinfo=UTC).timestamp()
LAST = dt.datetime(2045, 12, 31, tzinfo=UTC).timestamp()


# ----------------------------------------------------------------------------------------
# Random expressions

def rcase(rng, s):
    r = rng.random()
    return s.upper() if r < 0.4 else s if r < 0.8 else s.capitalize()


def value_text(rng, i, v, range_start=False):
    """v as a number or, sometimes, a name (Sunday sometimes as 7, but not to start a range)."""
    if i == 3 and rng.random() < 0.35:
        return rcase(rng, MONTHS[v - 1])
    if i == 4 and rng.random() < 0.35 and v <= 6:
        return rcase(rng, DAYS[v])
    if i == 4 and v == 0 and not range_start and rng.random() < 0.3:
        return "7"
    return str(v)


def rand_value(rng, i):
    lo, hi = RANGES[i]
    if i == 2 and rng.random() < 0.3:
        return rng.choice([28, 29, 30, 31])
    if i == 4:
        return rng.randint(0, 6)
    return rng.randint(lo, hi)


def rand_item(rng, i):
    lo, hi = RANGES[i]
    step = lambda: rng.randint(1, SPAN[i] - 1) if rng.random() < 0.6 else rng.randint(1, max(1, SPAN[i] // 3))
    r = rng.random()
    if r < 0.45:
        return value_text(rng, i, rand_value(rng, i))
    a, b = sorted([rand_value(rng, i), rand_value(rng, i)])
    if i == 4 and rng.random() < 0.15:
        b = 0  # "fri-sun", "5-0": up to Sunday
        a = rng.randint(1, 6)
    text = value_text(rng, i, a, True) + "-" + value_text(rng, i, b)
    if r < 0.75:
        return text
    if r < 0.9:
        return text + "/" + str(step())
    return value_text(rng, i, a, True) + "/" + str(step())


def rand_field(rng, i):
    r = rng.random()
    if r < 0.32:
        return "*"
    if r < 0.47:
        return "*/" + str(rng.randint(1, SPAN[i] - 1))
    if r < 0.80:
        return rand_item(rng, i)
    return ",".join(rand_item(rng, i) for _ in range(rng.randint(2, 4)))


def rand_expr(rng):
    if rng.random() < 0.03:
        return rcase(rng, rng.choice(list(MACROS)))
    f = [rand_field(rng, i) for i in range(5)]
    # Sparse minutes and hours make the day logic matter more often than the clock.
    if rng.random() < 0.5:
        f[0] = str(rng.randint(0, 59))
    if rng.random() < 0.4:
        f[1] = str(rng.randint(0, 23))
    sep = lambda: " " if rng.random() < 0.9 else rng.choice(["  ", "\t", " \t "])
    return sep().join(f) if rng.random() < 0.95 else "  " + " ".join(f) + " "


def rand_invalid(rng):
    """An expression croniter refuses too: (expression, what is wrong)."""
    f = [rand_field(rng, i) for i in range(5)]
    i = rng.randrange(5)
    kind = rng.choice(["high", "low", "name", "reversed", "empty", "step0", "fields", "letters"])
    lo, hi = RANGES[i]
    if kind == "high":
        f[i] = str(hi + rng.randint(1, 40))
    elif kind == "low":
        if lo == 0:
            kind, f[i] = "high", str(hi + 1)
        else:
            f[i] = "0"
    elif kind == "name":
        f[i] = rng.choice(["foo", "mond", "janu", "xyz"]) if i in (3, 4) else rng.choice(["jan", "mon"])
    elif kind == "reversed":
        low = lo + 1 if i == 4 else lo  # "5-0" is "5-7" in the day-of-week field
        a = rng.randint(low + 1, 6 if i == 4 else hi)
        f[i] = "%d-%d" % (a, rng.randint(low, a - 1))
    elif kind == "empty":
        f[i] = "1,,2" if rng.random() < 0.5 else "1,"
    elif kind == "step0":
        f[i] = "*/0"
    elif kind == "fields":
        f = f[:rng.choice([1, 2, 3, 4])]
    elif kind == "letters":
        f[i] = rng.choice(["1a", "a1-3", "*x"])
    return " ".join(f), kind


# ----------------------------------------------------------------------------------------
# What the OR rule means for croniter

EXPANDED = {}


def expand(fields):
    """croniter's parse of five fields (cached)."""
    key = " ".join(fields)
    if key not in EXPANDED:
        EXPANDED[key] = croniter.expand(key)[0]
    return EXPANDED[key]


def split_macro(expr):
    e = expr.strip().lower()
    return MACROS.get(e, expr).split()


def croniter_query(expr):
    """(expression, day_or) to ask croniter for Vixie's answer to `expr`."""
    fields = split_macro(expr)
    expanded = expand(fields)
    vixie_or = not fields[2].startswith("*") and not fields[4].startswith("*")
    if not vixie_or:
        return " ".join(fields), False
    if expanded[2] == ["*"] or expanded[4] == ["*"]:
        # OR with a field that covers every day: every day matches.
        return " ".join(fields[:2] + ["*", fields[3], "*"]), True
    return " ".join(fields), True


ITERATORS = {}


def croniter_next(query, day_or, start, zone, stats):
    """croniter's next time after `start`, or None when it finds none within 50 years."""
    def ask(q, d):
        # One croniter per expression (its constructor parses again, which costs the most).
        when = dt.datetime.fromtimestamp(start, zone)
        it = ITERATORS.get((q, d, zone.key))
        if it is None:
            if len(ITERATORS) > 1000:
                ITERATORS.clear()
            it = ITERATORS[(q, d, zone.key)] = croniter(q, when, day_or=d)
        try:
            return it.get_next(dt.datetime, start_time=when).timestamp()
        except CroniterBadDateError:
            return None
    t = ask(query, day_or)
    f = query.split()
    if t is None and day_or and f[2] != "*" and f[4] != "*":
        # croniter computes the OR as the earlier of the day-of-month-only and the
        # day-of-week-only answers, and gives up when either has none ("0 0 31 4 6": no
        # 31 April, but Saturdays in April). Ask for the two branches separately.
        stats["croniter_or_branches"] += 1
        branches = [ask(" ".join(f[:4] + ["*"]), True), ask(" ".join(f[:2] + ["*"] + f[3:]), True)]
        branches = [b for b in branches if b is not None]
        t = min(branches) if branches else None
    return t


def croniter_month_overshoot(expr, start, ours, zone):
    """Whether `ours` lies where croniter's month roll-over bug jumps over: in a later month
    than the start's, before (largest listed day - length of the month before)."""
    a = dt.datetime.fromtimestamp(start, zone)
    b = dt.datetime.fromtimestamp(ours, zone)
    if (b.year * 12 + b.month) - (a.year * 12 + a.month) < 1:
        return False
    doms = expand(split_macro(expr))[2]
    if doms == ["*"]:
        return False
    length = (b.replace(day=1) - dt.timedelta(days=1)).day  # of the month before ours
    return b.day <= max(int(d) for d in doms) - length


# ----------------------------------------------------------------------------------------
# The zone walk: the documented DST rule, on zoneinfo

def field_sets(expr):
    fields = split_macro(expr)
    expanded = expand(fields)
    sets = []
    for i, e in enumerate(expanded):
        lo, hi = RANGES[i]
        s = set(range(lo, hi + 1)) if e == ["*"] else set(int(x) for x in e)
        if i == 4:
            s = set(x % 7 for x in s)
        sets.append(s)
    vixie_or = not fields[2].startswith("*") and not fields[4].startswith("*")
    return sets, vixie_or


def resolve(naive, zone):
    """The instant of a local wall time under the documented rule."""
    a = naive.replace(tzinfo=zone, fold=0)
    b = naive.replace(tzinfo=zone, fold=1)
    ua, ub = a.timestamp(), b.timestamp()
    ok = [u for u in {ua, ub} if dt.datetime.fromtimestamp(u, zone).replace(tzinfo=None) == naive]
    if ok:
        return min(ok)
    # In a gap: the transition lies in (min, max]; find the first instant of the new offset.
    lo, hi = min(ua, ub), max(ua, ub)
    after = dt.datetime.fromtimestamp(hi, zone).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if dt.datetime.fromtimestamp(mid, zone).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return hi


def walk_next(sets, vixie_or, start, zone, max_days=366 * 30):
    minutes, hours, doms, months, dows = sets
    times = sorted((h, m) for h in hours for m in minutes)
    local = dt.datetime.fromtimestamp(start, zone).replace(tzinfo=None)
    early = local - dt.timedelta(hours=3)  # wall times before this map to instants before start
    day = local.date() - dt.timedelta(days=1)
    for _ in range(max_days):
        if day.month in months:
            by_dom = day.day in doms
            by_dow = day.isoweekday() % 7 in dows
            if (by_dom or by_dow) if vixie_or else (by_dom and by_dow):
                for h, m in times:
                    naive = dt.datetime(day.year, day.month, day.day, h, m)
                    if naive < early:
                        continue
                    u = resolve(naive, zone)
                    if u > start:
                        return u
        day += dt.timedelta(days=1)
    return None


# ----------------------------------------------------------------------------------------
# Working-day schedules against the calendar files

def load_calendar(source_dir):
    """The notice years and, after them, the provisional years of the holiday law
    (tests/calendar/law_model.py, with python3-lunardate)."""
    sys.path.insert(0, os.path.join(source_dir, "tests", "calendar"))
    import law_model
    years, off, make, _ = law_model.load(source_dir)
    return years, off, make


def working(d, cal):
    years, off, make = cal
    if d.year not in years:
        return None
    return d in make or (d.weekday() < 5 and d not in off)


def workday_next(kind, nths, times, start, zone, cal):
    """Next fire time, or "failed_precondition" when a year without data is reached."""
    day = dt.datetime.fromtimestamp(start, zone).date()
    for _ in range(800):
        if kind == "@workdays":
            w = working(day, cal)
            if w is None:
                return "failed_precondition"
            fire = w
        else:
            first = day.replace(day=1)
            nxt = (first + dt.timedelta(days=32)).replace(day=1)
            month_days = [first + dt.timedelta(days=k) for k in range((nxt - first).days)]
            flags = [working(x, cal) for x in month_days]
            if None in flags:
                return "failed_precondition"
            wd = [x for x, f in zip(month_days, flags) if f]
            targets = {wd[n - 1] if n > 0 else wd[n] for n in nths if abs(n) <= len(wd)}
            fire = day in targets
        if fire:
            for h, m in times:
                u = resolve(dt.datetime(day.year, day.month, day.day, h, m), zone)
                if u > start:
                    return u
        day += dt.timedelta(days=1)
    return None


# ----------------------------------------------------------------------------------------

def transitions(zone):
    """Instants at which the zone's offset changes, 2000-2045 (found day by day, bisected)."""
    out = []
    t = FIRST
    prev = dt.datetime.fromtimestamp(t, zone).utcoffset()
    while t < LAST:
        n = t + 86400
        cur = dt.datetime.fromtimestamp(n, zone).utcoffset()
        if cur != prev:
            lo, hi = t, n
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if dt.datetime.fromtimestamp(mid, zone).utcoffset() == cur:
                    hi = mid
                else:
                    lo = mid
            out.append(hi)
        prev, t = cur, n
    return out


def rand_start(rng, zone_name, trans):
    if zone_name in trans and trans[zone_name] and rng.random() < 0.5:
        t = rng.choice(trans[zone_name]) + rng.randint(-3 * 86400, 3 * 86400)
    else:
        t = rng.randint(int(FIRST), int(LAST))
    r = rng.random()
    if r < 0.3:
        t -= t % 60  # on a whole minute
    elif r < 0.4:
        t -= t % 3600
    elif r < 0.45:
        t = t - t % 60 - 1  # one second before a whole minute
    return t


def iso(t, zone):
    return dt.datetime.fromtimestamp(t, zone).isoformat()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True, help="the xinjian binary")
    ap.add_argument("--cases", type=int, default=12000, help="random valid five-field cases")
    ap.add_argument("--seed", type=int, default=20251122)
    ap.add_argument("--source-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    began = time.monotonic()
    zones = {z: ZoneInfo(z) for z in FIXED_ZONES + DST_ZONES}
    trans = {z: transitions(zones[z]) for z in DST_ZONES}

    cases = []  # (kind, zone, start, expr, extra)
    for _ in range(args.cases):
        zname = rng.choice(FIXED_ZONES) if rng.random() < 0.7 else rng.choice(DST_ZONES)
        cases.append(("cron", zname, rand_start(rng, zname, trans), rand_expr(rng), None))
    for _ in range(args.cases // 10):
        expr, what = rand_invalid(rng)
        cases.append(("invalid", "Asia/Shanghai", rand_start(rng, "", trans), expr, what))
    for _ in range(args.cases // 40):  # steps we refuse on purpose
        i = rng.randrange(5)
        f = ["0", "0", "*", "*", "*"]
        f[i] = "*/%d" % rng.randint(SPAN[i], SPAN[i] + 100)
        cases.append(("bigstep", "UTC", rand_start(rng, "", trans), " ".join(f), None))
    cal = load_calendar(args.source_dir)
    cal_first = dt.datetime(min(cal[0]), 1, 1, tzinfo=UTC).timestamp()
    cal_last = dt.datetime(max(cal[0]) + 1, 1, 10, tzinfo=UTC).timestamp()
    for _ in range(args.cases // 20):
        times = sorted({(rng.randint(0, 23), rng.choice([0, 0, 30, rng.randint(0, 59)])) for _ in range(rng.randint(1, 3))})
        ttext = ",".join("%02d:%02d" % t for t in times)
        if rng.random() < 0.5:
            expr, extra = "@workdays " + ttext, ("@workdays", None, times)
        else:
            nths = sorted({rng.choice([1, 2, 3, -1, -2, 5, 10, 22, 23, -23]) for _ in range(rng.randint(1, 2))})
            expr = "@workday-of-month %s %s" % (",".join(map(str, nths)), ttext)
            extra = ("@workday-of-month", nths, times)
        t = rng.randint(int(cal_first), int(cal_last))
        cases.append(("workday", "Asia/Shanghai", t - t % 60 if rng.random() < 0.3 else t, expr, extra))

    lines = "".join("%s\t%s\t%d\t%s\n" % (z, iso(t, zones.get(z) or ZoneInfo(z)), STEPS, e) for _, z, t, e, _ in cases)
    run_began = time.monotonic()
    proc = subprocess.run([args.cli, "cron", "next", "--batch"], input=lines, capture_output=True, text=True)
    ours_seconds = time.monotonic() - run_began
    if proc.returncode != 0:
        sys.exit("xinjian cron next --batch failed (%d): %s" % (proc.returncode, proc.stderr))
    out = proc.stdout.split("\n")
    if len(out) != len(cases) + 1:
        sys.exit("expected %d output lines, got %d" % (len(cases), len(out) - 1))

    stats = dict(croniter=0, walk=0, croniter_skipped_dst=0, invalid=0, bigstep=0, workday=0, workday_error=0, never=0,
                 croniter_or_branches=0, croniter_overshoot=0)
    failures = []

    def fail(case, msg):
        failures.append("%s [%s from %s]: %s" % (repr(case[3]), case[1], iso(case[2], zones.get(case[1])), msg))

    for case, line in zip(cases, out):
        kind, zname, start, expr, extra = case
        zone = zones[zname]
        cols = line.split("\t")
        if kind == "invalid":
            try:
                croniter(expr, dt.datetime.fromtimestamp(start, zone))
                accepted = True
            except (CroniterError, ValueError, KeyError, IndexError):
                accepted = False
            if accepted:
                continue  # not a case croniter refuses (a random field may repair it)
            stats["invalid"] += 1
            if cols[0] != "ERR" or cols[1] != "invalid_argument":
                fail(case, "croniter refuses it (%s), we said %s" % (extra, line))
            continue
        if kind == "bigstep":
            stats["bigstep"] += 1
            if cols[0] != "ERR" or cols[1] != "invalid_argument":
                fail(case, "a step not smaller than the field must be refused, we said %s" % line)
            continue
        if cols[0] != "OK" and kind == "cron":
            query, day_or = croniter_query(expr)
            if "never fires" in line and croniter_next(query, day_or, start, zone, stats) is None:
                stats["never"] += 1  # e.g. "0 0 31 9 *": no 31 September; croniter gives up too
            else:
                fail(case, "we said %s" % line)
            continue
        if cols[0] != "OK":
            if kind == "workday":
                # Some step of the three must reach a year without data.
                want, prev = None, start
                for _ in range(STEPS):
                    want = workday_next(extra[0], extra[1], extra[2], prev, zone, cal)
                    if want is None or isinstance(want, str):
                        break
                    prev = want
                if want == "failed_precondition" and cols[1] == "failed_precondition":
                    stats["workday_error"] += 1
                    continue
            fail(case, "we said %s" % line)
            continue
        ours = []
        for text in cols[1:]:
            d = dt.datetime.fromisoformat(text)
            ours.append(d.timestamp())
            if d.utcoffset() != dt.datetime.fromtimestamp(d.timestamp(), zone).utcoffset():
                fail(case, "%s: offset differs from zoneinfo's %s" % (text, iso(d.timestamp(), zone)))
        if len(ours) != STEPS:
            fail(case, "expected %d times, got %s" % (STEPS, line))
            continue
        prev = start
        if kind == "workday":
            for k in range(STEPS):
                want = workday_next(extra[0], extra[1], extra[2], prev, zone, cal)
                if want == "failed_precondition":
                    fail(case, "step %d: expected failed_precondition, got %s" % (k + 1, iso(ours[k], zone)))
                    break
                stats["workday"] += 1
                if want != ours[k]:
                    fail(case, "step %d: calendar walk %s, ours %s" % (k + 1, iso(want, zone), iso(ours[k], zone)))
                    break
                prev = want
            continue
        query, day_or = croniter_query(expr)
        sets = field_sets(expr) if zname in DST_ZONES else None
        for k in range(STEPS):
            theirs = croniter_next(query, day_or, prev, zone, stats)
            if zname in DST_ZONES:
                want = walk_next(sets[0], sets[1], prev, zone)
                stats["walk"] += 1
                if want != ours[k]:
                    fail(case, "step %d: zone walk %s, ours %s (croniter %s)" % (
                        k + 1, want and iso(want, zone), iso(ours[k], zone), theirs and iso(theirs, zone)))
                    break
                off = lambda t: dt.datetime.fromtimestamp(t, zone).utcoffset()
                if theirs is None or not (off(prev) == off(theirs) == off(ours[k]) and max(theirs, ours[k]) - prev < 100 * 86400):
                    stats["croniter_skipped_dst"] += 1
                    prev = ours[k]
                    continue
            stats["croniter"] += 1
            if theirs is not None and theirs > ours[k] and croniter_month_overshoot(expr, prev, ours[k], zone):
                # croniter skips the first days of a month after a month shorter than a listed
                # day ("0 0 1,31 * *" from 27 February gives 31 March): taichino/croniter#178,
                # fixed upstream in 2025 (pallets-eco/croniter#178), not in Debian 12's 1.3.5.
                # Ours must then be what the zone walk finds.
                sets = sets or field_sets(expr)
                if walk_next(sets[0], sets[1], prev, zone) == ours[k]:
                    stats["croniter_overshoot"] += 1
                    prev = ours[k]
                    continue
            if theirs != ours[k]:
                fail(case, "step %d: croniter(%r, day_or=%s) %s, ours %s" % (
                    k + 1, query, day_or, theirs and iso(theirs, zone), iso(ours[k], zone)))
                break
            prev = theirs

    n_cron = sum(1 for c in cases if c[0] == "cron")
    print("cron differential (seed %d): %d random expressions x start times, %d fire times compared with croniter, "
          "%d with the zone walk (DST zones; %d not asked of croniter across an offset change), "
          "%d working-day fire times with the calendar walk (+%d past the calendar's last year refused by both), "
          "%d malformed expressions refused by both, %d steps >= the field's span refused on purpose (croniter accepts), "
          "%d expressions that never fire (we refuse them, croniter finds no time), %d croniter OR answers asked "
          "branch by branch (croniter gives up when one branch never matches), %d of the compared times where "
          "croniter skips the first days of a month after a short month (its bug #178; the zone walk agrees with us)"
          % (args.seed, n_cron, stats["croniter"], stats["walk"], stats["croniter_skipped_dst"], stats["workday"],
             stats["workday_error"], stats["invalid"], stats["bigstep"], stats["never"], stats["croniter_or_branches"],
             stats["croniter_overshoot"]))
    print("xinjian cron next --batch: %s; total %.1f s" % (proc.stderr.strip(), time.monotonic() - began))
    if failures:
        print("%d DIFFERENCES; the first ones:" % len(failures))
        for f in failures[:25]:
            print("  " + f)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
