"""Finding the publication date in pasted news copy (Russian and English forms).

Pure functions: the caller passes the editor's time zone and, for dates written without a year or
relative to today ("Вчера, 13:33"), the current time. Results are aware datetimes in UTC.

Every pattern uses ``[0-9]`` rather than ``\\d`` on purpose: ``\\d`` also matches other scripts'
digits, which then turn into absurd years and make ``datetime()`` raise far from the cause.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from bot.ingest.lexicon import alternation, lexicon

__all__ = ["DateMatch", "clock_on_day", "find_datetime", "search_datetime"]

_DATES = lexicon().raw["dates"]

# Month names by stem (the lexicon's [dates] tables; Kazakh months with the Russian, written with
# the same Cyrillic-letter regex): one regex alternative per language, longest forms first so
# that "сентября" is not cut to "сен" and the rest left dangling.
_RU_MONTHS: dict[str, int] = {k: int(v) for k, v in _DATES["ru_months"].items()}
_EN_MONTHS: dict[str, int] = {k: int(v) for k, v in _DATES["en_months"].items()}


def _alternation(words: Mapping[str, object]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


# Russian month stems take an optional case ending (ноябр-я, январ-ь) and abbreviations a dot.
_RU_MONTH = rf"(?P<rumon>(?:{_alternation(_RU_MONTHS)})[а-яёәғқңөұүһі]{{0,3}}\.?)"
_EN_MONTH = rf"(?P<enmon>(?:{_alternation(_EN_MONTHS)})\.?)"

# Zone abbreviations news sites print, as hours from UTC, and zones in words ("в 06:00 по
# Москве"): the lexicon's [dates] tables; the regexes below and _zone read them. Region names
# ("ET") follow daylight time.
_NAMED_ZONES: dict[str, float] = {k.upper(): float(v) for k, v in _DATES["zones"].items()}
_WORDED_ZONES: dict[str, float] = {k: float(v) for k, v in _DATES["worded_zones"].items()}
_NAMED_ZONES.update({k.upper().replace(" ", ""): v for k, v in _WORDED_ZONES.items()})
_US_ZONES = frozenset(
    {"EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "ET", "PT", "CT", "MT"}
)
_REGION_ZONES: dict[str, str] = {k.upper(): str(v) for k, v in _DATES["region_zones"].items()}
_ZONE_NAMES = "|".join(
    [
        rf"(?i:{alternation(_WORDED_ZONES)})",
        _alternation({**_NAMED_ZONES, **_REGION_ZONES, "мск": 0}),
    ]
)
_OFFSET = r"(?:UTC|GMT)?\s?[+-][0-9]{1,2}(?::?[0-9]{2})?"

# A clock time, optionally with seconds, a 12-hour marker and a zone (UTC offset or a name
# that news sites print). The negative lookaheads keep "13:33 1091" from eating the counter and
# "14.11" of a following "14.11.2022" from reading as 14:11; the ranges make an impossible time
# simply not part of the match, so the date before it survives.
_TIME = (
    r"(?<![0-9])(?P<hh>[01]?[0-9]|2[0-3])[:.](?P<mi>[0-5][0-9])(?![.][0-9])"
    r"(?::(?P<ss>[0-5][0-9]))?(?![0-9])"
    r"(?:\s*+(?P<ampm>[AaPp]\.?\s?[Mm]\.?)(?![A-Za-z]))?"
    rf"(?:\s*+\(?(?P<zone>{_OFFSET}|{_ZONE_NAMES})(?![\w])\)?)?"
)
# Separator between a date and its time: "14.11.2022, 13:33", "14 ноября 2022 г. в 13:33",
# "Nov 14, 2022 at 1:33 PM", "14.11.2022 | 13:33".
_DT_SEP = r"(?:\s*+(?:,|\||·|•|/|-|–|—)?\s*+(?:в|at|@)?\s*+)"
_YEAR_SUFFIX = r"(?:\s*+(?:г\.|года?|гг?\.?|ж\.|жылы|жылғы)(?![а-яёәғқңөұүһі]))?"

# "13:33, 14.11.2022": a time before the date; ", 2022 13:33": the optional year, then a time.
_TIME_FIRST = (
    r"(?:(?<![0-9])(?P<th>[01]?[0-9]|2[0-3]):(?P<tm>[0-5][0-9])(?![0-9])\s*+[,|/·•]?\s*+)?"
)
_YEAR_TIME = rf"(?:,?\s++(?P<y>[0-9]{{4}})(?![0-9]))?(?:{_DT_SEP}{_TIME})?"
_YEAR_TIME_RU = rf"(?:,?\s++(?P<y>[0-9]{{4}})(?![0-9]){_YEAR_SUFFIX})?(?:{_DT_SEP}{_TIME})?"

_ISO_RE = re.compile(
    # "2026.12.04 06:00", "2026/12/04": the year first with dots or slashes too (East Asia).
    r"(?<![0-9])(?P<y>[0-9]{4})(?P<isep>[-./])(?P<m>[0-9]{2})(?P=isep)(?P<d>[0-9]{2})"
    r"(?:[T ](?P<hh>[0-9]{2}):(?P<mi>[0-9]{2})(?::(?P<ss>[0-9]{2})(?:[.,][0-9]{1,9})?)?"
    r"(?:\s?(?P<zone>Z|[+-][0-9]{2}(?::?[0-9]{2})?)"
    # "2026-12-04 06:00 KST": a zone's name after the clock.
    rf"|\s+(?P<zname>{_ZONE_NAMES})(?![\w]))?)?(?![0-9])"
)
_NUMERIC_RE = re.compile(
    rf"{_TIME_FIRST}"
    rf"(?<![0-9.])(?P<d>[0-9]{{1,2}})(?P<sep>[./-])(?P<m>[0-9]{{1,2}})(?P=sep)"
    rf"(?P<y>[0-9]{{4}}|[0-9]{{2}})(?![0-9])(?!\.[0-9])"
    rf"{_YEAR_SUFFIX}(?:{_DT_SEP}{_TIME})?"
)
_RU_WRITTEN_RE = re.compile(
    rf"{_TIME_FIRST}"
    rf"(?<![0-9])(?P<d>[0-9]{{1,2}})\s*+{_RU_MONTH}(?![а-яёәғқңөұүһі])"
    rf"{_YEAR_TIME_RU}",
    re.IGNORECASE,
)
# Kazakh puts the year first: "2026 жылғы 5 желтоқсан, 10:30".
_KK_YEAR_FIRST_RE = re.compile(
    rf"(?<![0-9])(?P<y>[0-9]{{4}})\s*+ж(?:ылғы|ылы|\.)?\s++(?P<d>[0-9]{{1,2}})\s*+{_RU_MONTH}"
    rf"(?![а-яёәғқңөұүһі])(?:{_DT_SEP}{_TIME})?",
    re.IGNORECASE,
)
_EN_DAY = (
    rf"(?<![0-9])(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?\s++(?:of\s++)?{_EN_MONTH}(?![a-z])"
    rf"{_YEAR_TIME}"
)
_EN_DAY_FIRST_RE = re.compile(_EN_DAY, re.IGNORECASE)
# "6:00am, 5 Dec 2026" (SCMP) puts the time first: a regex of its own, as an optional prefix
# would slow the scan of every line for the common form.
_EN_TIME_DAY_RE = re.compile(
    r"(?<![0-9])(?P<th>[01]?[0-9]|2[0-3]):(?P<tm>[0-5][0-9])(?![0-9])"
    rf"(?:\s*+(?P<tampm>[AaPp]\.?\s?[Mm]\.?))?\s*+,?\s*+{_EN_DAY}",
    re.IGNORECASE,
)
_EN_MONTH_FIRST_RE = re.compile(
    # "3:12 PM GMT+3, December 5, 2026" (AP) puts the time first.
    rf"(?:(?<![0-9])(?P<th>[01]?[0-9]|2[0-3]):(?P<tm>[0-5][0-9])(?![0-9])"
    rf"(?:\s*+(?P<tampm>[AaPp]\.?\s?[Mm]\.?))?(?:\s*+(?P<tzone>(?:UTC|GMT)\s?[+-][0-9]{{1,2}}"
    rf"(?::?[0-9]{{2}})?|{_ZONE_NAMES}))?\s*+,?\s*+"
    rf"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s++)?)?"
    rf"(?<![a-z]){_EN_MONTH}(?![a-z])\s*+(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?(?![0-9])"
    rf"{_YEAR_TIME}",
    re.IGNORECASE,
)
_RELATIVE_DAY_RE = re.compile(
    rf"(?<![\w])(?P<rel>сегодня|вчера|позавчера|today|yesterday|бүгін|кеше|алдыңғы\s+күні)(?![\w])"
    rf"(?:{_DT_SEP}{_TIME})?",
    re.IGNORECASE,
)
_AGO_RE = re.compile(
    r"(?<![0-9])(?P<n>[0-9]{1,3})\s*+(?P<unit>минут[уы]?|мин\.?|час(?:а|ов)?|ч\.|сағат|"
    r"minutes?|mins?|hours?|hrs?|days?|дн(?:я|ей)|день|күн|[hmd](?=\s))\s++(?:назад|ago|бұрын)(?![\w])",
    re.IGNORECASE,
)

_RELATIVE_DAYS = {
    "сегодня": 0, "today": 0, "бүгін": 0,
    "вчера": 1, "yesterday": 1, "кеше": 1,
    "позавчера": 2, "алдыңғы күні": 2,
}  # fmt: skip
_ANY_DIGIT_RE = re.compile("[0-9]")
# Cheap tests for what each written date needs: a Russian or Kazakh one a day's digits, then its
# month's word (a letter), an English one its month's Latin letters (the same class and flags
# as the month in the regexes above: anything those match, these match). Not the month words
# themselves: a case-blind alternation scans slower than the regexes it would spare.
_RU_MONTH_PROBE = re.compile(r"[0-9]\s*+[^\W\d]")
_EN_MONTH_PROBE = re.compile("[a-z]", re.IGNORECASE)
_MIN_YEAR = 1970
_MAX_YEAR = 2100


@dataclass(frozen=True, slots=True)
class DateMatch:
    """Where a date was written in the text and what it means.

    ``value`` is None when the text plainly is a date but cannot be resolved without ``now``
    (``Вчера, 13:33`` or ``14 ноября``): callers that strip date lines still want the span.
    """

    start: int
    end: int
    value: datetime | None


# Longest stems first, so that "сентября" resolves through "сентябр" rather than "сен".
_RU_STEMS = tuple(sorted(_RU_MONTHS, key=len, reverse=True))
_EN_STEMS = tuple(sorted(_EN_MONTHS, key=len, reverse=True))


def _month_number(token: str, table: dict[str, int], stems: tuple[str, ...]) -> int | None:
    key = token.lower().rstrip(".")
    # Exact form first, then the longest known stem it starts with ("ноября" -> "ноябр").
    if key in table:
        return table[key]
    for stem in stems:
        if key.startswith(stem):
            return table[stem]
    return None


def _zone(raw: str | None, default: tzinfo) -> tzinfo:
    if not raw:
        return default
    text = raw.strip().upper().replace(" ", "")
    if text in _NAMED_ZONES:
        return timezone(timedelta(hours=_NAMED_ZONES[text]))
    if text in _REGION_ZONES:  # "ET" is EST or EDT by the date: the region's zone decides
        return ZoneInfo(_REGION_ZONES[text])
    for prefix in ("UTC", "GMT"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    sign = -1 if text.startswith("-") else 1
    digits = text[1:].replace(":", "")
    if not digits.isascii() or not digits.isdigit():
        return default
    if len(digits) <= 2:
        hours, minutes = int(digits), 0
    else:
        hours, minutes = int(digits[:-2]), int(digits[-2:])
    if hours > 14 or minutes >= 60:
        return default
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _clock(m: re.Match[str]) -> tuple[int, int, int, tzinfo | None] | None:
    """Hour, minute, second and explicit zone of the time groups; None when out of range."""
    groups = m.groupdict()
    if groups.get("hh") is not None:
        hour, minute = int(groups["hh"]), int(groups["mi"])
        second = int(groups["ss"]) if groups.get("ss") else 0
        ampm = (groups.get("ampm") or "").lower().replace(".", "").replace(" ", "")
        if ampm:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if ampm == "pm" else 0)
        zone = groups.get("zone")
        return (hour, minute, second, _zone(zone, UTC) if zone else None)
    if groups.get("th") is not None:  # time written before the date: "13:33, 14.11.2022"
        hour = int(groups["th"])
        ampm = (groups.get("tampm") or "").lower().replace(".", "").replace(" ", "")
        if ampm:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if ampm == "pm" else 0)
        zone_raw = groups.get("tzone")
        return (hour, int(groups["tm"]), 0, _zone(zone_raw, UTC) if zone_raw else None)
    return (0, 0, 0, None)


def _build(
    year: int | None, month: int, day: int, m: re.Match[str], tz: tzinfo, now: datetime | None
) -> datetime | None:
    """Assemble a UTC datetime, or None when a field is out of range or the year is unknown."""
    clock = _clock(m)
    if clock is None:
        return None
    hour, minute, second, zone = clock
    if hour > 23 or minute > 59 or second > 59 or not 1 <= month <= 12:
        return None
    local_zone = zone or tz
    if year is None:
        if now is None:
            return None
        # A date without a year is the latest such date not (much) after now: a paste on
        # 2 January of "31 декабря" means last year's.
        today = now.astimezone(local_zone).date()
        year = today.year
        try:
            if date(year, month, day) > today + timedelta(days=2):
                year -= 1
        except ValueError:
            return None
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    try:
        local = datetime(year, month, day, hour, minute, second, tzinfo=local_zone)
    except ValueError:
        return None
    return local.astimezone(UTC)


def _full_year(raw: str) -> int:
    year = int(raw)
    return year + 2000 if len(raw) == 2 else year


def _candidates(text: str, tz: tzinfo, now: datetime | None) -> Iterator[DateMatch]:
    # Every form below needs an ASCII digit (a day, a year or a clock; "сегодня" alone is
    # skipped): most lines of copy have none, and nine scans of each cost a paste (issue 14).
    if _ANY_DIGIT_RE.search(text) is None:
        return
    for m in _ISO_RE.finditer(text):
        named = m["zone"] or m["zname"]
        zone = _zone(named, tz) if named else tz
        value: datetime | None = None
        try:
            local = datetime(
                int(m["y"]),
                int(m["m"]),
                int(m["d"]),
                int(m["hh"] or 0),
                int(m["mi"] or 0),
                int(m["ss"] or 0),
                tzinfo=zone,
            )
            if _MIN_YEAR <= local.year <= _MAX_YEAR:
                value = local.astimezone(UTC)
        except ValueError:
            value = None
        if value is not None:
            yield DateMatch(m.start(), m.end(), value)

    for m in _NUMERIC_RE.finditer(text):
        first, second = int(m["d"]), int(m["m"])
        # Day first is the Russian and European order; an impossible month ("11/14/2022") or
        # an American clock ("12/05/2026 06:12 PM EST") switches to the US order.
        us_clock = bool(m["ampm"]) or (m["zone"] or "").upper() in _US_ZONES
        us = m["sep"] == "/" and (second > 12 >= first or (us_clock and second <= 31))
        day, month = (second, first) if us and first <= 12 else (first, second)
        value = _build(_full_year(m["y"]), month, day, m, tz, now)
        if value is not None:
            yield DateMatch(m.start(), m.end(), value)

    # A written date needs its month's word: a probe for each language skips the scans that
    # cannot match (the month-first English one alone cost ~50 us a line of copy, issue 14).
    russian = _RU_MONTH_PROBE.search(text) is not None
    english = _EN_MONTH_PROBE.search(text) is not None
    for rx, table, stems, group, probed in (
        (_RU_WRITTEN_RE, _RU_MONTHS, _RU_STEMS, "rumon", russian),
        (_KK_YEAR_FIRST_RE, _RU_MONTHS, _RU_STEMS, "rumon", russian),
        (_EN_DAY_FIRST_RE, _EN_MONTHS, _EN_STEMS, "enmon", english),
        (_EN_TIME_DAY_RE, _EN_MONTHS, _EN_STEMS, "enmon", english),
        (_EN_MONTH_FIRST_RE, _EN_MONTHS, _EN_STEMS, "enmon", english),
    ):
        if not probed:
            continue
        for m in rx.finditer(text):
            month_no = _month_number(m[group], table, stems)
            if month_no is None:
                continue
            year = int(m["y"]) if m["y"] else None
            day = int(m["d"])
            if not 1 <= day <= 31:
                continue
            value = _build(year, month_no, day, m, tz, now)
            if value is None and (year is not None or now is not None):
                continue  # an impossible date (31 ноября 2022) is not a date at all
            # A yearless date without ``now`` is kept with no value: it still marks a date line.
            yield DateMatch(m.start(), m.end(), value)

    for m in _RELATIVE_DAY_RE.finditer(text):
        if m["hh"] is None:
            continue  # "сегодня" alone is prose, not a timestamp
        value = None
        if now is not None:
            local_now = now.astimezone(tz)
            day_value = local_now.date() - timedelta(
                days=_RELATIVE_DAYS[" ".join(m["rel"].lower().split())]
            )
            value = _build(day_value.year, day_value.month, day_value.day, m, tz, now)
            if value is None:
                continue
        yield DateMatch(m.start(), m.end(), value)

    for m in _AGO_RE.finditer(text):
        value = None
        if now is not None:
            unit = m["unit"].lower()
            amount = int(m["n"])
            if unit.startswith(("мин", "min")) or unit == "m":
                delta = timedelta(minutes=amount)
            elif unit.startswith(("d", "дн", "ден", "күн")):
                delta = timedelta(days=amount)
            else:
                delta = timedelta(hours=amount)
            value = (now - delta).astimezone(UTC)
        yield DateMatch(m.start(), m.end(), value)


def _earliest(cands: Iterator[DateMatch]) -> DateMatch | None:
    """The earliest match; the longest reading on a tie."""
    return min(cands, key=lambda c: (c.start, -c.end), default=None)


def search_datetime(text: str, *, tz: tzinfo, now: datetime | None = None) -> DateMatch | None:
    """The first date written in ``text`` (earliest start; the longest reading on a tie)."""
    return _earliest(_candidates(text, tz, now))


def find_datetime(text: str, *, tz: tzinfo, now: datetime | None = None) -> datetime | None:
    """The first resolvable date(time) in ``text`` as an aware UTC datetime, or None.

    Dates without a time are midnight in ``tz``. Dates without a year and relative ones
    ("Сегодня, 13:33", "5 минут назад") need ``now``; without it they are skipped.
    """
    best = _earliest(c for c in _candidates(text, tz, now) if c.value is not None)
    return best.value if best else None


_CLOCK_RE = re.compile(_TIME, re.IGNORECASE)


def clock_on_day(text: str, day: datetime, *, tz: tzinfo) -> datetime | None:
    """The first clock time in ``text`` ("first published at 11.02am") on the local day of
    ``day`` (in the clock's zone, else ``tz``), in UTC; None without a clock."""
    m = _CLOCK_RE.search(text)
    if m is None:
        return None
    clock = _clock(m)
    if clock is None:
        return None
    hour, minute, second, zone = clock
    local_zone = zone or tz
    local_day = day.astimezone(local_zone).date()
    local = datetime(
        local_day.year, local_day.month, local_day.day, hour, minute, second, tzinfo=local_zone
    )
    return local.astimezone(UTC)
