"""The working-day calendar as the tests model it, independently of the C++ code.

Years with a State Council notice come from schemas/calendar/YYYY.json. Every later year up to
the last year of schemas/calendar/statutory-dates.json (only its range is read, not its dates)
is built from the holiday law (国务院令第795号): the statutory days, with the lunar dates from
python3-lunardate and 清明 from the 寿星通式 formula, and each festival's statutory days on a
Saturday or Sunday (or shared with another festival) given back on the first Monday-to-Friday
after it that is not already off; no make-up working days.

Used by tests/e2e/calendar.sh and tests/cron/croniter_diff.py (Debian's /usr/bin/python3 with
python3-lunardate).
"""
import datetime as dt
import glob
import json
import os

from lunardate import LunarDate

DAY = dt.timedelta(days=1)


def qingming(year):
    y = year % 100
    return dt.date(year, 4, int(y * 0.2422 + 4.81) - y // 4)


def statutory_festivals(year):
    """The 2024 law's statutory days, one list per festival, in date order."""
    chunjie = LunarDate(year, 1, 1).toSolarDate()
    return sorted([
        [dt.date(year, 1, 1)],
        [chunjie - DAY + i * DAY for i in range(4)],
        [qingming(year)],
        [dt.date(year, 5, 1), dt.date(year, 5, 2)],
        [LunarDate(year, 5, 5).toSolarDate()],
        [LunarDate(year, 8, 15).toSolarDate()],
        [dt.date(year, 10, d) for d in (1, 2, 3)],
    ])


def provisional_days_off(year):
    fests = statutory_festivals(year)
    statutory = {d for f in fests for d in f}
    taken, given = set(), set()
    for f in fests:
        owed = 0
        for d in f:
            owed += d.weekday() >= 5 or d in taken
            taken.add(d)
        d = f[-1]
        while owed:
            d += DAY
            if d.weekday() < 5 and d not in statutory and d not in given:
                given.add(d)
                owed -= 1
    return statutory | given


def load(source_dir, last_year=None):
    """(years, days_off, makeup_days, notice_years) as sets of ints and datetime.date."""
    years, off, make = set(), set(), set()
    for path in glob.glob(os.path.join(source_dir, "schemas", "calendar", "[0-9][0-9][0-9][0-9].json")):
        with open(path, encoding="utf-8") as f:
            j = json.load(f)
        years.add(j["year"])
        for h in j["holidays"]:
            off.update(dt.date.fromisoformat(d) for d in h["days_off"])
            make.update(dt.date.fromisoformat(d) for d in h["makeup_workdays"])
    notice_years = set(years)
    if last_year is None:
        with open(os.path.join(source_dir, "schemas", "calendar", "statutory-dates.json"), encoding="utf-8") as f:
            last_year = json.load(f)["last_year"]
    for y in range(max(notice_years) + 1, last_year + 1):
        years.add(y)
        off.update(provisional_days_off(y))
    return years, off, make, notice_years
