#!/usr/bin/python3
"""Independent check of schemas/calendar/statutory-dates.json.

Usage:  /usr/bin/python3 tests/calendar/check_statutory_dates.py SOURCE_DIR

The file is made by tools/gen_statutory_dates.py, which computes the dates astronomically.
This test checks them against sources that share nothing with that computation:

  * python3-lunardate (Debian), a table-driven Chinese calendar, for 除夕, 春节 (and 初二,
    初三), 端午节 and 中秋节;
  * for 清明, the empirical "寿星通式" formula and the 清明 dates of the State Council notices
    shipped in schemas/calendar/YYYY.json;
  * the festival days of those notices, which must be among each festival's days off.

It also checks the file's format, runs the generator with --check to prove that the file is
exactly what the script makes, and finally damages copies of the data to prove that the
checks can fail.  It prints one summary line and exits 0, or lists every failure and exits 1.
"""

import copy
import datetime
import json
import pathlib
import re
import subprocess
import sys

try:
    from lunardate import LunarDate
except ImportError:
    print("check_statutory_dates: cannot import lunardate: install python3-lunardate "
          "(apt-get install python3-lunardate) and run this with /usr/bin/python3",
          file=sys.stderr)
    sys.exit(1)

FORMAT = "xj-statutory-dates/1"
FIELDS = ("chuxi", "chunjie", "qingming", "duanwu", "zhongqiu")
ONE_DAY = datetime.timedelta(days=1)

# 清明 in the years covered by the State Council notices shipped in schemas/calendar/
# (2024.json: 国办发明电〔2023〕7号; 2025.json and 2026.json: the notices named in those files).
# Each notice gives the 清明节 holiday as 4月4日至6日; the festival day inside it is 4 April in
# 2024 (Thursday) and 2025 (Friday) and 5 April in 2026 (Sunday).  check_notices() also
# requires these days to be among the notices' days off.
NOTICE_QINGMING = {
    2024: datetime.date(2024, 4, 4),
    2025: datetime.date(2025, 4, 4),
    2026: datetime.date(2026, 4, 5),
}

# Festivals whose day must be among the days off of the holiday of that name in a notice.
NOTICE_FESTIVALS = (("chunjie", "春节"), ("qingming", "清明节"), ("duanwu", "端午节"),
                    ("zhongqiu", "中秋节"))


def qingming_formula(year):
    """清明 by the "寿星通式" (universal Shouxing formula) of Chinese almanac references:
    day of April = [Y*D + C] - L with Y = year % 100, D = 0.2422, C = 4.81 (the 21st-century
    constant for 清明) and L = [Y/4], [] being the integer part.  It is an empirical fit, not an
    ephemeris, so it is independent of the generator.  Its published exceptions are for other
    solar terms; for 清明 it agreed with the generator for every year 2006-2099 and with JPL
    DE405 for 2006-2059 when this test was written, so no year is treated as an exception.
    Integer arithmetic (D and C times 10000) avoids rounding at the integer boundaries."""
    y = year % 100
    return datetime.date(year, 4, (y * 2422 + 48100) // 10000 - y // 4)


def parse_date(value):
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("not a YYYY-MM-DD string: %r" % (value,))
    return datetime.date.fromisoformat(value)


def check_year(year, dates):
    """Failures of one year's dates (field -> date, for the fields that parsed)."""
    failures = []

    def fail(field, message):
        failures.append("%d %s: %s" % (year, field, message))

    def lunar(month, day):
        return LunarDate(year, month, day).toSolarDate()

    chunjie = dates.get("chunjie")
    if chunjie:
        if chunjie != lunar(1, 1):
            fail("chunjie", "%s, but lunardate gives 正月初一 = %s" % (chunjie, lunar(1, 1)))
        for day, name in ((2, "初二"), (3, "初三")):
            if lunar(1, day) != chunjie + (day - 1) * ONE_DAY:
                fail("chunjie", "lunardate gives %s = %s, not %s + %d day(s)"
                     % (name, lunar(1, day), chunjie, day - 1))
    chuxi = dates.get("chuxi")
    if chuxi:
        found = LunarDate.fromSolarDate(chuxi.year, chuxi.month, chuxi.day)
        if ((found.year, found.month, found.isLeapMonth) != (year - 1, 12, False)
                or found.day not in (29, 30)):
            fail("chuxi", "%s is %s per lunardate, not 12/29 or 12/30 of lunar year %d"
                 % (chuxi, found, year - 1))
        if chunjie and chuxi + ONE_DAY != chunjie:
            fail("chuxi", "%s is not the day before chunjie %s" % (chuxi, chunjie))
    for field, month, day, name in (("duanwu", 5, 5, "五月初五"), ("zhongqiu", 8, 15, "八月十五")):
        if dates.get(field) and dates[field] != lunar(month, day):
            fail(field, "%s, but lunardate gives %s = %s" % (dates[field], name, lunar(month, day)))
    qingming = dates.get("qingming")
    if qingming:
        if year in NOTICE_QINGMING and qingming != NOTICE_QINGMING[year]:
            fail("qingming", "%s, but the State Council notice's 清明 is %s"
                 % (qingming, NOTICE_QINGMING[year]))
        if qingming != qingming_formula(year):
            fail("qingming", "%s, but the 寿星通式 gives %s" % (qingming, qingming_formula(year)))
    return failures


def check_data(data):
    """Every failure found in the parsed file, each naming the year and field."""
    if not isinstance(data, dict):
        return ["the file is not a JSON object"]
    failures = []
    if data.get("format") != FORMAT:
        failures.append("format is %r, not %r" % (data.get("format"), FORMAT))
    first, last, years = data.get("first_year"), data.get("last_year"), data.get("years")
    if not isinstance(first, int) or first > 2024:
        failures.append("first_year is %r, not a year <= 2024" % (first,))
    if not isinstance(last, int) or last < 2050:
        failures.append("last_year is %r, not a year >= 2050" % (last,))
    if not isinstance(years, list) or not all(isinstance(entry, dict) for entry in years):
        return failures + ["years is not a list of objects"]
    listed = [entry.get("year") for entry in years]
    if isinstance(first, int) and isinstance(last, int) and listed != list(range(first, last + 1)):
        failures.append("years are not exactly %r..%r in order: %s" % (first, last, listed))
    for entry in years:
        year = entry.get("year")
        if not isinstance(year, int):
            failures.append("an entry has no integer year: %r" % (entry,))
            continue
        extra = sorted(set(entry) - set(FIELDS) - {"year"})
        if extra:
            failures.append("%d: unexpected field(s) %s" % (year, ", ".join(extra)))
        dates = {}
        for field in FIELDS:
            if field not in entry:
                failures.append("%d %s: missing" % (year, field))
                continue
            try:
                dates[field] = parse_date(entry[field])
            except ValueError as e:
                failures.append("%d %s: %s" % (year, field, e))
                continue
            if dates[field].year != year:
                failures.append("%d %s: %s is not in %d" % (year, field, dates[field], year))
                del dates[field]
        failures += check_year(year, dates)
    return failures


def check_notices(source_dir, data):
    """The festival days must be days off in the State Council notices that are shipped."""
    failures = []
    for entry in data.get("years", []):
        path = source_dir / ("schemas/calendar/%s.json" % entry.get("year"))
        if not path.exists():
            continue
        holidays = json.loads(path.read_text(encoding="utf-8"))["holidays"]
        for field, name in NOTICE_FESTIVALS:
            days_off = [day for h in holidays if name in h["name_zh"] for day in h["days_off"]]
            if entry.get(field) not in days_off:
                failures.append("%s %s: %s is not among the %s days off in %s"
                                % (entry["year"], field, entry.get(field), name, path.name))
    for year in NOTICE_QINGMING:
        if not (source_dir / ("schemas/calendar/%d.json" % year)).exists():
            failures.append("%d qingming: schemas/calendar/%d.json, the notice cited for the "
                            "hard-coded 清明, is missing" % (year, year))
    return failures


def check_generator(source_dir, path):
    """The file must be exactly what tools/gen_statutory_dates.py makes."""
    run = subprocess.run(
        [sys.executable, str(source_dir / "tools/gen_statutory_dates.py"), "--check",
         "--out", str(path)], capture_output=True, text=True, encoding="utf-8")
    if run.returncode != 0:
        return ["gen_statutory_dates.py --check failed (exit status %d): %s"
                % (run.returncode, (run.stderr + run.stdout).strip())]
    return []


def self_test(data):
    """Damage copies of the data; each damage must be reported, naming its year and field."""
    damages = ((2031, "zhongqiu", 1), (2034, "chunjie", -30), (2026, "qingming", -1),
               (2041, "chuxi", 1), (2036, "duanwu", 29))
    failures = []
    for year, field, days in damages:
        damaged = copy.deepcopy(data)
        entry = next(e for e in damaged["years"] if e["year"] == year)
        entry[field] = (parse_date(entry[field]) + days * ONE_DAY).isoformat()
        prefix = "%d %s:" % (year, field)
        if not any(f.startswith(prefix) for f in check_data(damaged)):
            failures.append("self-test: moving %d's %s by %+d day(s) was not detected"
                            % (year, field, days))
    damaged = copy.deepcopy(data)
    del damaged["years"][5]["duanwu"]
    if not any(f.endswith("duanwu: missing") for f in check_data(damaged)):
        failures.append("self-test: a missing duanwu was not detected")
    return failures, len(damages) + 1


def main():
    if len(sys.argv) != 2:
        print("usage: %s SOURCE_DIR" % sys.argv[0], file=sys.stderr)
        return 2
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(encoding="utf-8")
    source_dir = pathlib.Path(sys.argv[1]).resolve()
    path = source_dir / "schemas/calendar/statutory-dates.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        print("check_statutory_dates: cannot read %s: %s" % (path, e), file=sys.stderr)
        return 1

    failures = check_data(data)
    if not failures:  # the rest assumes a well-formed file
        failures += check_notices(source_dir, data)
        self_failures, damages = self_test(data)
        failures += self_failures
    failures += check_generator(source_dir, path)
    if failures:
        for failure in failures:
            print("FAIL %s" % failure, file=sys.stderr)
        print("statutory dates: %d failure(s) in %s" % (len(failures), path), file=sys.stderr)
        return 1
    print("statutory dates %d–%d: %d years checked against python3-lunardate and the 清明 "
          "formula; the generator reproduces the file; %d damaged copies were rejected"
          % (data["first_year"], data["last_year"], len(data["years"]), damages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
