#!/usr/bin/env python3
"""Generate schemas/calendar/statutory-dates.json: the lunar and solar-term festival dates.

For every Gregorian year in [--first, --last] (default 2024-2050) it computes, in China
Standard Time (UTC+8), the dates of

  chuxi     除夕    the last day of the 12th month of the previous lunar year
  chunjie   春节    正月初一, the first day of the 1st lunar month
  qingming  清明    the day the sun's apparent geocentric longitude reaches 15 degrees
  duanwu    端午节  五月初五 (the 5th day of the 5th month, never of a leap 5th month)
  zhongqiu  中秋节  八月十五 (the 15th day of the 8th month, never of a leap 8th month)

Python 3 standard library only. Nothing is looked up in a calendar table: every date is
computed astronomically, so that a table-based library (python3-lunardate, used by
tests/calendar/check_statutory_dates.py) can serve as an independent check.

Rules (GB/T 33661-2017《农历的编算和颁行》):
  * a month begins on the day (UTC+8) of the astronomical new moon;
  * the month containing the winter solstice (冬至, solar longitude 270 degrees) is month 11;
  * when 13 months begin between two successive month-11 starts (from the month containing one
    winter solstice up to, not including, the month containing the next), the first of them
    that contains no principal term (中气, solar longitude a multiple of 30 degrees) is a leap
    month and takes the number of the month before it.  This is what puts the leap month of
    2033 after month 11 (闰十一月).

Astronomy (Jean Meeus, Astronomical Algorithms, 2nd ed., 1998):
  * new moons: chapter 49, mean phase with all periodic and all 14 planetary corrections; the
    result is in Terrestrial Time (TT);
  * the sun's apparent longitude: chapter 25's higher-accuracy method, i.e. the Earth's
    heliocentric longitude from the truncated VSOP87 series of chapter 32 / Appendix III (all
    L0-L5 terms printed there), the conversion to FK5, nutation in longitude (chapter 22; the
    IAU 1980 terms larger than 0.01") and aberration (-20.4898"/R).  The instant of a given
    longitude is found by iteration;
  * ΔT = TT - UT from the Espenak-Meeus polynomials (NASA, "Polynomial expressions for Delta T")
    for 2005-2050 and 2050-2150.

Compared with JPL DE405 over 2022-2052 these new moons agree within 16 s and these solar terms
within 12 s; the ΔT extrapolation adds seconds now and perhaps a minute or two by 2050.  So a
date is uncertain when an instant lies close to midnight UTC+8.  The script refuses to write
(exit status 1, naming the year and the instant) when an output date depends on a new moon,
winter solstice, principal term or 清明 within MARGIN_MINUTES of midnight UTC+8: every such
instant is moved across midnight in turn (and in every combination), and if any date changes
the year is refused, unless the instant is listed in REVIEWED_NEAR_MIDNIGHT with the evidence
that its date was confirmed against an ephemeris.  Each run lists the instants within the margin.

Usage:
  gen_statutory_dates.py [--first 2024] [--last 2050] [--out PATH]   write the file
  gen_statutory_dates.py --check [--out PATH]     compare with the file; exit 1 on a difference
"""

import argparse
import datetime
import itertools
import json
import math
import pathlib
import sys

MARGIN_MINUTES = 10
CST_HOURS = 8
J2000 = 2451545.0
JD_OF_ORDINAL_0 = 1721424.5  # the JD of 0h on a date is date.toordinal() + JD_OF_ORDINAL_0
FIELDS = ("chuxi", "chunjie", "qingming", "duanwu", "zhongqiu")
SOURCE_DIR = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_OUT = SOURCE_DIR / "schemas/calendar/statutory-dates.json"


class Refusal(Exception):
    """An output date depends on an instant too close to midnight UTC+8."""


# --- time scales ----------------------------------------------------------------------------

def delta_t_seconds(jde):
    """TT - UT in seconds (Espenak-Meeus polynomials)."""
    y = 2000.0 + (jde - J2000) / 365.25
    if 2005.0 <= y < 2050.0:
        t = y - 2000.0
        return 62.92 + 0.32217 * t + 0.005589 * t * t
    if 2050.0 <= y <= 2150.0:
        return -20.0 + 32.0 * ((y - 1820.0) / 100.0) ** 2 - 0.5628 * (2150.0 - y)
    raise ValueError("no ΔT polynomial for year %.1f (this script covers 2005-2150)" % y)


def cst_day(jde):
    """The UTC+8 civil date of a TT instant and the minutes after midnight UTC+8."""
    days = jde - delta_t_seconds(jde) / 86400.0 + CST_HOURS / 24.0 - JD_OF_ORDINAL_0
    ordinal = math.floor(days)
    return datetime.date.fromordinal(ordinal), (days - ordinal) * 1440.0


def jde_of_date(date):
    """JDE of 0h TT on a Gregorian date (precise enough for a first guess)."""
    return date.toordinal() + JD_OF_ORDINAL_0


# --- new moon (Meeus chapter 49) -------------------------------------------------------------

def new_moon_jde(k):
    """JDE (TT) of new moon number k; k = 0 is the new moon of 2000 January 6."""
    t = k / 1236.85
    jde = (2451550.09766 + 29.530588861 * k + 0.00015437 * t ** 2
           - 0.000000150 * t ** 3 + 0.00000000073 * t ** 4)
    e = 1.0 - 0.002516 * t - 0.0000074 * t ** 2
    m = math.radians(2.5534 + 29.10535670 * k - 0.0000014 * t ** 2 - 0.00000011 * t ** 3)
    mp = math.radians(201.5643 + 385.81693528 * k + 0.0107582 * t ** 2
                      + 0.00001238 * t ** 3 - 0.000000058 * t ** 4)
    f = math.radians(160.7108 + 390.67050284 * k - 0.0016118 * t ** 2
                     - 0.00000227 * t ** 3 + 0.000000011 * t ** 4)
    om = math.radians(124.7746 - 1.56375588 * k + 0.0020672 * t ** 2 + 0.00000215 * t ** 3)
    periodic = (
        (-0.40720, 1, mp), (0.17241, e, m), (0.01608, 1, 2 * mp), (0.01039, 1, 2 * f),
        (0.00739, e, mp - m), (-0.00514, e, mp + m), (0.00208, e * e, 2 * m),
        (-0.00111, 1, mp - 2 * f), (-0.00057, 1, mp + 2 * f), (0.00056, e, 2 * mp + m),
        (-0.00042, 1, 3 * mp), (0.00042, e, m + 2 * f), (0.00038, e, m - 2 * f),
        (-0.00024, e, 2 * mp - m), (-0.00017, 1, om), (-0.00007, 1, mp + 2 * m),
        (0.00004, 1, 2 * mp - 2 * f), (0.00004, 1, 3 * m), (0.00003, 1, mp + m - 2 * f),
        (0.00003, 1, 2 * mp + 2 * f), (-0.00003, 1, mp + m + 2 * f),
        (0.00003, 1, mp - m + 2 * f), (-0.00002, 1, mp - m - 2 * f),
        (-0.00002, 1, 3 * mp + m), (0.00002, 1, 4 * mp),
    )
    jde += sum(coef * factor * math.sin(arg) for coef, factor, arg in periodic)
    planetary = (
        (0.000325, 299.77 + 0.107408 * k - 0.009173 * t ** 2), (0.000165, 251.88 + 0.016321 * k),
        (0.000164, 251.83 + 26.651886 * k), (0.000126, 349.42 + 36.412478 * k),
        (0.000110, 84.66 + 18.206239 * k), (0.000062, 141.74 + 53.303771 * k),
        (0.000060, 207.14 + 2.453732 * k), (0.000056, 154.84 + 7.306860 * k),
        (0.000047, 34.52 + 27.261239 * k), (0.000042, 207.19 + 0.121824 * k),
        (0.000040, 291.34 + 1.844379 * k), (0.000037, 161.72 + 24.198154 * k),
        (0.000035, 239.56 + 25.513099 * k), (0.000023, 331.55 + 3.592518 * k),
    )
    jde += sum(coef * math.sin(math.radians(arg)) for coef, arg in planetary)
    return jde


# --- the sun's apparent longitude (Meeus chapters 22, 25, 32 and Appendix III) ----------------

# Earth's heliocentric longitude, VSOP87 as truncated in Meeus Appendix III: terms A, B, C give
# A * cos(B + C * tau) in 1e-8 radian, tau in Julian millennia from J2000.0 (TT).
EARTH_L = (
    (  # L0
        (175347046, 0, 0), (3341656, 4.6692568, 6283.0758500), (34894, 4.6261, 12566.1517),
        (3497, 2.7441, 5753.3849), (3418, 2.8289, 3.5231), (3136, 3.6277, 77713.7715),
        (2676, 4.4181, 7860.4194), (2343, 6.1352, 3930.2097), (1324, 0.7425, 11506.7698),
        (1273, 2.0371, 529.6910), (1199, 1.1096, 1577.3435), (990, 5.233, 5884.927),
        (902, 2.045, 26.298), (857, 3.508, 398.149), (780, 1.179, 5223.694),
        (753, 2.533, 5507.553), (505, 4.583, 18849.228), (492, 4.205, 775.523),
        (357, 2.920, 0.067), (317, 5.849, 11790.629), (284, 1.899, 796.298),
        (271, 0.315, 10977.079), (243, 0.345, 5486.778), (206, 4.806, 2544.314),
        (205, 1.869, 5573.143), (202, 2.458, 6069.777), (156, 0.833, 213.299),
        (132, 3.411, 2942.463), (126, 1.083, 20.775), (115, 0.645, 0.980),
        (103, 0.636, 4694.003), (102, 0.976, 15720.839), (102, 4.267, 7.114),
        (99, 6.21, 2146.17), (98, 0.68, 155.42), (86, 5.98, 161000.69), (85, 1.30, 6275.96),
        (85, 3.67, 71430.70), (80, 1.81, 17260.15), (79, 3.04, 12036.46), (75, 1.76, 5088.63),
        (74, 3.50, 3154.69), (74, 4.68, 801.82), (70, 0.83, 9437.76), (62, 3.98, 8827.39),
        (61, 1.82, 7084.90), (57, 2.78, 6286.60), (56, 4.39, 14143.50), (56, 3.47, 6279.55),
        (52, 0.19, 12139.55), (52, 1.33, 1748.02), (51, 0.28, 5856.48), (49, 0.49, 1194.45),
        (41, 5.37, 8429.24), (41, 2.40, 19651.05), (39, 6.17, 10447.39), (37, 6.04, 10213.29),
        (37, 2.57, 1059.38), (36, 1.71, 2352.87), (36, 1.78, 6812.77), (33, 0.59, 17789.85),
        (30, 0.44, 83996.85), (30, 2.74, 1349.87), (25, 3.16, 4690.48),
    ),
    (  # L1
        (628331966747, 0, 0), (206059, 2.678235, 6283.075850), (4303, 2.6351, 12566.1517),
        (425, 1.590, 3.523), (119, 5.796, 26.298), (109, 2.966, 1577.344), (93, 2.59, 18849.23),
        (72, 1.14, 529.69), (68, 1.87, 398.15), (67, 4.41, 5507.55), (59, 2.89, 5223.69),
        (56, 2.17, 155.42), (45, 0.40, 796.30), (36, 0.47, 775.52), (29, 2.65, 7.11),
        (21, 5.34, 0.98), (19, 1.85, 5486.78), (19, 4.97, 213.30), (17, 2.99, 6275.96),
        (16, 0.03, 2544.31), (16, 1.43, 2146.17), (15, 1.21, 10977.08), (12, 2.83, 1748.02),
        (12, 3.26, 5088.63), (12, 5.27, 1194.45), (12, 2.08, 4694.00), (11, 0.77, 553.57),
        (10, 1.30, 6286.60), (10, 4.24, 1349.87), (9, 2.70, 242.73), (9, 5.64, 951.72),
        (8, 5.30, 2352.87), (6, 2.65, 9437.76), (6, 4.67, 4690.48),
    ),
    (  # L2
        (52919, 0, 0), (8720, 1.0721, 6283.0758), (309, 0.867, 12566.152), (27, 0.05, 3.52),
        (16, 5.19, 26.30), (16, 3.68, 155.42), (10, 0.76, 18849.23), (9, 2.06, 77713.77),
        (7, 0.83, 775.52), (5, 4.66, 1577.34), (4, 1.03, 7.11), (4, 3.44, 5573.14),
        (3, 5.14, 796.30), (3, 6.05, 5507.55), (3, 1.19, 242.73), (3, 6.12, 529.69),
        (3, 0.31, 398.15), (3, 2.28, 553.57), (2, 4.38, 5223.69), (2, 3.75, 0.98),
    ),
    (  # L3
        (289, 5.844, 6283.076), (35, 0, 0), (17, 5.49, 12566.15), (3, 5.20, 155.42),
        (1, 4.72, 3.52), (1, 5.30, 18849.23), (1, 5.97, 242.73),
    ),
    ((114, 3.142, 0), (8, 4.13, 6283.08), (1, 3.84, 12566.15)),  # L4
    ((1, 3.14, 0),),  # L5
)

# Earth's radius vector, the terms of Appendix III's R0 and R1 above 1e-5 AU.  R only enters
# the aberration, where 1e-5 AU changes the longitude by 0.0002".
EARTH_R = (
    ((100013989, 0, 0), (1670700, 3.0984635, 6283.0758500), (13956, 3.05525, 12566.15170),
     (3084, 5.1985, 77713.7715), (1628, 1.1739, 5753.3849), (1576, 2.8469, 7860.4194)),
    ((103019, 1.107490, 6283.075850), (1721, 1.0644, 12566.1517)),
)

# Nutation in longitude, IAU 1980 (Meeus Table 22.A), the terms larger than 0.01": multiples
# of D, M, M', F, Omega, then the sine coefficient in 0.0001" as a + b * T.
NUTATION_LONGITUDE = (
    ((0, 0, 0, 0, 1), -171996, -174.2), ((-2, 0, 0, 2, 2), -13187, -1.6),
    ((0, 0, 0, 2, 2), -2274, -0.2), ((0, 0, 0, 0, 2), 2062, 0.2), ((0, 1, 0, 0, 0), 1426, -3.4),
    ((0, 0, 1, 0, 0), 712, 0.1), ((-2, 1, 0, 2, 2), -517, 1.2), ((0, 0, 0, 2, 1), -386, -0.4),
    ((0, 0, 1, 2, 2), -301, 0), ((-2, -1, 0, 2, 2), 217, -0.5), ((-2, 0, 1, 0, 0), -158, 0),
    ((-2, 0, 0, 2, 1), 129, 0.1), ((0, 0, -1, 2, 2), 123, 0),
)


def vsop(series, tau):
    return sum(sum(a * math.cos(b + c * tau) for a, b, c in terms) * tau ** power
               for power, terms in enumerate(series)) / 1e8


def nutation_in_longitude_arcsec(t):
    """Δψ in arcseconds, t in Julian centuries from J2000.0 (TT)."""
    args = (
        297.85036 + 445267.111480 * t - 0.0019142 * t ** 2 + t ** 3 / 189474,   # D
        357.52772 + 35999.050340 * t - 0.0001603 * t ** 2 - t ** 3 / 300000,    # M
        134.96298 + 477198.867398 * t + 0.0086972 * t ** 2 + t ** 3 / 56250,    # M'
        93.27191 + 483202.017538 * t - 0.0036825 * t ** 2 + t ** 3 / 327270,    # F
        125.04452 - 1934.136261 * t + 0.0020708 * t ** 2 + t ** 3 / 450000,     # Omega
    )
    return sum((a + b * t) * math.sin(math.radians(sum(n * x for n, x in zip(mult, args))))
               for mult, a, b in NUTATION_LONGITUDE) / 1e4


def sun_apparent_longitude(jde):
    """The sun's apparent geocentric longitude in degrees, 0 <= result < 360."""
    tau = (jde - J2000) / 365250.0
    t = tau * 10.0
    geometric = math.degrees(vsop(EARTH_L, tau)) + 180.0
    fk5 = -0.09033 / 3600.0
    nutation = nutation_in_longitude_arcsec(t) / 3600.0
    aberration = -20.4898 / 3600.0 / vsop(EARTH_R, tau)
    return (geometric + fk5 + nutation + aberration) % 360.0


def solar_longitude_jde(year, longitude):
    """JDE (TT) at which the sun's apparent longitude reaches `longitude` (a multiple of 15
    degrees) within Gregorian `year`."""
    tropical_year = 365.2422
    # The March equinox falls near day 79 of the year; go round from there.
    days = (79.0 + longitude / 360.0 * tropical_year) % tropical_year
    jde = jde_of_date(datetime.date(year, 1, 1)) + days
    for _ in range(20):
        error = (longitude - sun_apparent_longitude(jde) + 180.0) % 360.0 - 180.0
        jde += error / 360.0 * tropical_year
        if abs(error) < 1e-8:
            return jde
    raise RuntimeError("solar longitude %g in %d did not converge" % (longitude, year))


# --- the lunar calendar (GB/T 33661-2017) -----------------------------------------------------

# Instants within MARGIN_MINUTES of midnight UTC+8 on which an output date depends, whose date
# was confirmed by hand against JPL DE405 (Debian's casacore-data-jpl-de405: apparent geocentric
# longitudes with light time, aberration, IAU 1976 precession and DE405's nutation, the same ΔT).
# Over 2022-2052 this script's new moons differ from DE405 by at most 16 s and its solar terms by
# at most 12 s.  ΔT from the polynomial was 4.6 s larger than the IERS value of September 2023
# (69.08 s, in the data of Debian's python3-skyfield 1.45), which makes these instants a few
# seconds later in UT, not minutes.  Keys are the
# names the script gives the instants; an instant that moves to another date no longer matches.
REVIEWED_NEAR_MIDNIGHT = {
    "new moon 2027-02-06": "DE405 gives 23:56:01 UTC+8; 正月初一 of 2027 is 6 February",
    "new moon 2030-02-03": "DE405 gives 00:07:23 UTC+8; 正月初一 of 2030 is 3 February",
}


class LunarYear:
    """The dates of one Gregorian year, optionally with the named near-midnight instants moved
    to the other side of midnight; remembers every instant it used."""

    def __init__(self, year, moved=frozenset()):
        self.moved = moved
        self.instants = []         # (minutes to midnight, description) of every instant used
        self.near_midnight = {}    # name -> description, for those within MARGIN_MINUTES
        self.dates = self.compute(year)

    def day(self, jde, what):
        """The UTC+8 date of an instant the dates depend on."""
        date, minutes = cst_day(jde)
        name = "%s %s" % (what, date)
        margin = min(minutes, 1440.0 - minutes)
        seconds = round(minutes * 60)
        description = "%s at %02d:%02d:%02d UTC+8, %.1f min from midnight" % (
            name, seconds // 3600 % 24, seconds // 60 % 60, seconds % 60, margin)
        self.instants.append((margin, description))
        if margin < MARGIN_MINUTES:
            self.near_midnight[name] = description
            if name in self.moved:
                date += datetime.timedelta(days=1 if minutes > 720 else -1)
        return date

    def months(self, year):
        """The months from the month 11 before lunar year `year` to the next month 11:
        a list of (first day, month number, is leap), ending with the next month 11."""
        solstice_before = self.day(solar_longitude_jde(year - 1, 270), "winter solstice")
        solstice_after = self.day(solar_longitude_jde(year, 270), "winter solstice")
        # The last new moon on or before the first solstice (found without recording it),
        # then every new moon up to and including the first one after the second solstice.
        k = math.floor((jde_of_date(solstice_before) - new_moon_jde(0)) / 29.530588861) + 1
        while cst_day(new_moon_jde(k))[0] > solstice_before:
            k -= 1
        starts = [self.day(new_moon_jde(k), "new moon")]
        while starts[-1] <= solstice_after:
            k += 1
            starts.append(self.day(new_moon_jde(k), "new moon"))
        starts.pop()  # starts[-1] is now the first day of the next month 11
        leap = None
        if len(starts) == 14:  # 13 months between the two month-11 starts
            terms = [self.day(solar_longitude_jde(year, lon), "principal term %d°" % lon)
                     for lon in range(0, 360, 30) if lon != 270]
            leap = next(i for i in range(1, 13)
                        if not any(starts[i] <= d < starts[i + 1] for d in terms))
        elif len(starts) != 13:
            raise RuntimeError("%d months between the winter solstices of %d and %d"
                               % (len(starts) - 1, year - 1, year))
        months, number = [], 10
        for i, start in enumerate(starts):
            if i != leap:
                number = number % 12 + 1
            months.append((start, number, i == leap))
        return months

    def compute(self, year):
        def first_day(number):
            return next(start for start, n, is_leap in months if n == number and not is_leap)

        months = self.months(year)
        chunjie = first_day(1)
        qingming = self.day(solar_longitude_jde(year, 15), "qingming")
        return {
            "year": year,
            "chuxi": (chunjie - datetime.timedelta(days=1)).isoformat(),
            "chunjie": chunjie.isoformat(),
            "qingming": qingming.isoformat(),
            "duanwu": (first_day(5) + datetime.timedelta(days=4)).isoformat(),
            "zhongqiu": (first_day(8) + datetime.timedelta(days=14)).isoformat(),
        }


def lunar_year(year):
    """The LunarYear of `year`, after making sure its dates are certain: the year is computed
    again with every combination of its unreviewed near-midnight instants moved across
    midnight, and Refusal is raised if any of them changes a date.  An instant no date depends
    on (say a new moon starting month 6 of a year without a leap month) is let through."""
    found = LunarYear(year)
    doubtful = sorted(set(found.near_midnight) - set(REVIEWED_NEAR_MIDNIGHT))
    for count in range(1, len(doubtful) + 1):
        for moved in itertools.combinations(doubtful, count):
            other = LunarYear(year, frozenset(moved))
            changed = [f for f in FIELDS if other.dates[f] != found.dates[f]]
            if changed or set(other.near_midnight) - set(found.near_midnight):
                raise Refusal(
                    "refusing to write: year %d depends on %s, closer to midnight than the %d min "
                    "safety margin (moving it across midnight changes %s)" % (
                        year, "; ".join(found.near_midnight[name] for name in moved),
                        MARGIN_MINUTES, ", ".join(changed) or "the instants used"))
    return found


# --- output -----------------------------------------------------------------------------------

def render(first, last, years):
    header = {
        "format": "xj-statutory-dates/1",
        "generated_by": "tools/gen_statutory_dates.py",
        "method_zh": "按GB/T 33661-2017《农历的编算和颁行》的规则在北京时间（UTC+8）下推算：朔用"
                     "Meeus《Astronomical Algorithms》（第2版）第49章含全部修正项的算法，太阳视黄经"
                     "用该书第25章高精度法（VSOP87截断级数加章动与光行差）迭代求节气时刻，ΔT用"
                     "Espenak–Meeus多项式。",
        "method_en": "Computed in China Standard Time (UTC+8) by the rules of GB/T 33661-2017: new "
                     "moons by Meeus, Astronomical Algorithms (2nd ed.), chapter 49 with all "
                     "corrections; solar-term instants by iterating the sun's apparent longitude "
                     "from chapter 25's higher-accuracy method (truncated VSOP87 with nutation and "
                     "aberration); ΔT from the Espenak–Meeus polynomials.",
        "first_year": first,
        "last_year": last,
    }
    lines = ["{"]
    lines += ["  %s: %s," % (json.dumps(key), json.dumps(value, ensure_ascii=False))
              for key, value in header.items()]
    lines.append('  "years": [')
    lines += ["    %s%s" % (json.dumps(y, ensure_ascii=False), "," if i < len(years) - 1 else "")
              for i, y in enumerate(years)]
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def first_difference(expected, path):
    """A description of the first difference between the text `expected` and the file."""
    try:
        actual = path.read_text(encoding="utf-8")
    except OSError as e:
        return "cannot read %s: %s" % (path, e)
    if actual == expected:
        return None
    want, have = json.loads(expected), None
    try:
        have = json.loads(actual)
    except ValueError as e:
        return "%s is not valid JSON: %s" % (path, e)
    have_years = {y.get("year"): y for y in have.get("years", []) if isinstance(y, dict)}
    for y in want["years"]:
        if have_years.get(y["year"]) != y:
            return "first differing year: %d (expected %s, file has %s)" % (
                y["year"], json.dumps(y, ensure_ascii=False),
                json.dumps(have_years.get(y["year"]), ensure_ascii=False))
    for key in want:
        if key != "years" and want[key] != have.get(key):
            return "field %r differs" % key
    return "the years agree but the text differs (extra years, key order or layout)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--first", type=int, help="first year (default 2024; with --check, "
                        "the file's first_year)")
    parser.add_argument("--last", type=int, help="last year (default 2050; with --check, the "
                        "file's last_year)")
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true",
                        help="compare with the existing file instead of writing it")
    args = parser.parse_args()
    defaults = {"first_year": 2024, "last_year": 2050}
    if args.check:
        try:
            existing = json.loads(args.out.read_text(encoding="utf-8"))
            defaults = {key: int(existing[key]) for key in defaults}
        except (OSError, ValueError, KeyError, TypeError) as e:
            print("gen_statutory_dates: cannot read first_year and last_year from %s: %s"
                  % (args.out, e), file=sys.stderr)
            return 1
    args.first = defaults["first_year"] if args.first is None else args.first
    args.last = defaults["last_year"] if args.last is None else args.last
    if not 2006 <= args.first <= args.last <= 2149:
        parser.error("need 2006 <= --first <= --last <= 2149 (the range of the ΔT polynomials)")

    try:
        found = [lunar_year(y) for y in range(args.first, args.last + 1)]
    except Refusal as e:
        print("gen_statutory_dates: %s" % e, file=sys.stderr)
        return 1
    text = render(args.first, args.last, [f.dates for f in found])

    if args.check:
        difference = first_difference(text, args.out)
        if difference:
            print("gen_statutory_dates: %s is not what the script makes: %s"
                  % (args.out, difference), file=sys.stderr)
            return 1
        print("%s is up to date (%d-%d)" % (args.out, args.first, args.last))
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print("wrote %s (%d-%d)" % (args.out, args.first, args.last))
    print("closest instant to midnight UTC+8: %s" % min(i for f in found for i in f.instants)[1])
    near = {}
    for f in found:
        near.update(f.near_midnight)
    for name in sorted(near, key=lambda n: n.split()[-1]):
        print("within %d min of midnight, %s: %s" % (
            MARGIN_MINUTES, "reviewed (%s)" % REVIEWED_NEAR_MIDNIGHT[name]
            if name in REVIEWED_NEAR_MIDNIGHT else "no date depends on it", near[name]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
