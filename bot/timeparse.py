"""Parse and format the times editors type: schedules, slots, quiet hours.

Pure functions: no clock (``now`` is a parameter), no I/O, no aiogram. All results are aware
UTC datetimes; all input is read as wall time in the newsroom's zone ``tz``.

Daylight saving time, decided once here so every caller behaves the same:

* An *ambiguous* local time (the repeated hour when clocks go back) means its **first**
  occurrence (``fold=0``, still on summer time): an editor who writes "02:30" on that night
  most likely means the earlier one, and an earlier post is easier to fix than a missed one.
* A *nonexistent* local time (the hour skipped when clocks go forward) typed by an editor is
  an error, ``WhenError("nonexistent")``: guessing would publish at a time nobody asked for,
  and the editor is right there to pick another. Publication *slots* are different (nobody is
  there to ask): a slot that falls in the gap is shifted forward by the gap's length
  (02:30 becomes 03:30), which is what ``zoneinfo`` does with ``fold=0``.
* Relative times (``+1d``, ``in 2h``) are elapsed time: ``+1d`` is 24 hours from now, which
  differs from "tomorrow, same time" by an hour on the two switch nights. ``tomorrow 09:00``
  is the calendar form.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

__all__ = [
    "WhenError",
    "format_local",
    "in_quiet_hours",
    "local_to_utc",
    "next_free_slot",
    "parse_quiet_hours",
    "parse_slots",
    "parse_when",
]


class WhenError(ValueError):
    """Input the user can fix. ``code`` is stable (the UI translates it), the text is for logs.

    Codes: ``malformed`` (not a time we understand, or an impossible date such as 31.02),
    ``in_past``, ``nonexistent`` (a local time skipped by a daylight-saving switch).
    """

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


# --- vocabulary ------------------------------------------------------------------------------

_NOW_WORDS = frozenset({"now", "сейчас", "немедленно", "asap"})
_DAY_WORDS: dict[str, int] = {
    "today": 0,
    "сегодня": 0,
    "tomorrow": 1,
    "завтра": 1,
    "послезавтра": 2,
}
# Longest alternatives first inside each group so the regex does not stop at a prefix.
_UNITS: dict[str, tuple[str, ...]] = {
    "d": ("days", "day", "d", "дней", "дня", "день", "сутки", "суток", "д"),
    "h": ("hours", "hour", "hrs", "hr", "h", "часов", "часа", "час", "ч"),
    "m": (
        "minutes",
        "minute",
        "mins",
        "min",
        "m",
        "минуты",
        "минуту",
        "минут",
        "мин",
        "м",
    ),
}
_UNIT_OF = {word: unit for unit, words in _UNITS.items() for word in words}
_UNIT_ALT = "|".join(sorted(_UNIT_OF, key=len, reverse=True))
_SECONDS = {"d": 86400, "h": 3600, "m": 60}

# re.ASCII: \d and \s must not accept other scripts' digits ("٣") or exotic spaces.
_FLAGS = re.ASCII | re.IGNORECASE
_RELATIVE = re.compile(r"^(?:\+|in\s+|через\s+)\s*(?P<body>.+)$", re.IGNORECASE)
# The unit group is non-ASCII for Russian words, so it must not be compiled with re.ASCII
# case-insensitivity quirks: lowercasing happens before matching instead.
_DURATION_PART = re.compile(rf"\s*([0-9]{{1,6}})\s*({_UNIT_ALT})(?![a-zа-яё])")

_TIME = r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?"
_ISO = re.compile(
    rf"^(?P<year>[0-9]{{4}})-(?P<month>[0-9]{{1,2}})-(?P<day>[0-9]{{1,2}})(?:t|\s+){_TIME}"
    r"(?P<offset>z|[+-][0-9]{2}:?[0-9]{2})?$",
    _FLAGS,
)
_DOTTED = re.compile(
    rf"^(?P<day>[0-9]{{1,2}})\.(?P<month>[0-9]{{1,2}})(?:\.(?P<year>[0-9]{{2}}|[0-9]{{4}}))?"
    rf"\s+(?:(?:at|в)\s+)?{_TIME}$",
    re.IGNORECASE,
)
_DAY_WORD_ALT = "|".join(_DAY_WORDS)
_CLOCK = re.compile(
    rf"^(?:(?P<word>{_DAY_WORD_ALT})\s+(?:(?:at|в)\s+)?)?(?:(?:at|в)\s+)?{_TIME}"
    rf"(?:\s+(?P<word2>{_DAY_WORD_ALT}))?$",
    re.IGNORECASE,
)
_HHMM = re.compile(r"^([0-9]{1,2}):([0-9]{2})$", re.ASCII)

# A yearless date ("05.01 09:00") more than this far in the past means next year's date
# (typed in late December); closer than that it is a mistake to report, not a post to
# schedule eleven months away.
_YEARLESS_ROLLOVER = timedelta(days=183)


# --- conversions -----------------------------------------------------------------------------


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        # A programming error, not user input: a plain ValueError, not WhenError.
        raise ValueError(f"{name} must be timezone-aware")


def _exists(local: datetime, tz: tzinfo) -> bool:
    """Whether a naive wall time occurs in ``tz`` (false inside a spring-forward gap)."""
    aware = local.replace(tzinfo=tz, fold=0)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local


def local_to_utc(local: datetime, tz: tzinfo, *, nonexistent: str = "raise") -> datetime:
    """A naive wall time in ``tz`` as aware UTC.

    Ambiguous times resolve to their first occurrence. A nonexistent time raises
    ``WhenError("nonexistent")`` when ``nonexistent="raise"``, or is shifted forward by the
    length of the gap when ``nonexistent="shift"``.
    """
    if local.tzinfo is not None:
        raise ValueError("local_to_utc expects a naive wall time")
    if not _exists(local, tz):
        if nonexistent == "raise":
            raise WhenError("nonexistent", local.isoformat(sep=" ", timespec="minutes"))
        if nonexistent != "shift":
            raise ValueError(f"unknown nonexistent policy {nonexistent!r}")
    # fold=0 is the earlier instant of a repeated hour, and for a skipped hour it applies the
    # offset from before the switch: 02:30 CET == 03:30 CEST, i.e. shifted forward by the gap.
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def format_local(at: datetime, tz: ZoneInfo) -> str:
    """``2026-11-28 09:00 (Asia/Almaty)``: the wall time editors think in, and its zone."""
    _require_aware(at, "at")
    local = at.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} ({tz.key or local.tzname()})"


# --- parse_when ------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).lower()


def _clock_time(match: re.Match[str]) -> time:
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"]) if match["second"] else 0
    if hour > 23 or minute > 59 or second > 59:
        raise WhenError("malformed", "time out of range")
    return time(hour, minute, second)


def _parse_duration(body: str) -> timedelta | None:
    pos, total, seen = 0, 0, set()
    while pos < len(body):
        part = _DURATION_PART.match(body, pos)
        if part is None:
            return None
        unit = _UNIT_OF[part[2]]
        if unit in seen:  # "+1h2h" is a typo, not three hours
            return None
        seen.add(unit)
        total += int(part[1]) * _SECONDS[unit]
        pos = part.end()
    return timedelta(seconds=total) if seen else None


def _ahead(result: datetime, now: datetime) -> datetime:
    if result < now:
        raise WhenError("in_past", result.isoformat())
    return result


def _parse_offset(raw: str) -> tzinfo:
    if raw == "z":
        return UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise WhenError("malformed", "offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_when(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """Parse a publication time typed by an editor; return aware UTC.

    Accepted (case-insensitive, English and Russian):

    * ``2026-11-28 09:00``, ``2026-11-28T09:00`` (optionally ``:ss`` and ``Z``/``+05:00``);
    * ``28.11 09:00``, ``28.11.2026 09:00``, ``28.11.26 09:00``;
    * ``09:00`` / ``9:00``: the next occurrence (today if still ahead, else tomorrow);
    * ``today 18:00`` / ``сегодня 18:00``, ``tomorrow 09:00`` / ``завтра в 9:00``,
      ``послезавтра 10:00``, and the word after the time (``9:00 tomorrow``);
    * ``+30m``, ``+2h``, ``+1d``, ``+1h30m``, ``in 2h``, ``in 2 hours``, ``через 2ч``,
      ``через 1 час 30 минут`` (elapsed time from ``now``);
    * ``now`` / ``сейчас``.

    Raises ``WhenError`` with code ``malformed``, ``in_past`` or ``nonexistent``.
    """
    _require_aware(now, "now")
    now = now.astimezone(UTC)
    s = _normalise(text)
    if not s or len(s) > 100:
        raise WhenError("malformed", "empty or too long")
    try:
        return _parse_when(s, now=now, tz=tz)
    except (OverflowError, ValueError) as exc:
        # datetime(2026, 2, 31), timedelta(days=10**9), year 10000...: the user's input.
        if isinstance(exc, WhenError):
            raise
        raise WhenError("malformed", str(exc)) from exc


def _parse_when(s: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    if s in _NOW_WORDS:
        return now

    if (rel := _RELATIVE.match(s)) is not None:
        duration = _parse_duration(rel["body"])
        if duration is None:
            raise WhenError("malformed", "bad duration")
        return now + duration

    local_now = now.astimezone(tz)

    if (m := _ISO.match(s)) is not None:
        naive = datetime.combine(
            date(int(m["year"]), int(m["month"]), int(m["day"])), _clock_time(m)
        )
        if m["offset"]:
            return _ahead(naive.replace(tzinfo=_parse_offset(m["offset"])).astimezone(UTC), now)
        return _ahead(local_to_utc(naive, tz), now)

    if (m := _DOTTED.match(s)) is not None:
        at = _clock_time(m)
        day, month = int(m["day"]), int(m["month"])
        if m["year"]:
            year = int(m["year"])
            year += 2000 if year < 100 else 0
            return _ahead(local_to_utc(datetime.combine(date(year, month, day), at), tz), now)
        this_year = datetime.combine(date(local_now.year, month, day), at)
        if this_year < local_now.replace(tzinfo=None) - _YEARLESS_ROLLOVER:
            # Checked on wall times before conversion: 29.02 may exist in only one of them.
            this_year = datetime.combine(date(local_now.year + 1, month, day), at)
        return _ahead(local_to_utc(this_year, tz), now)

    if (m := _CLOCK.match(s)) is not None:
        if m["word"] and m["word2"]:
            raise WhenError("malformed", "two day words")
        at = _clock_time(m)
        word = m["word"] or m["word2"]
        if word is not None:
            target = local_now.date() + timedelta(days=_DAY_WORDS[word])
            return _ahead(local_to_utc(datetime.combine(target, at), tz), now)
        today = local_now.date()
        candidate = datetime.combine(today, at)
        # "Still ahead" is judged on the wall clock so that a time skipped tonight by DST
        # is reported as nonexistent rather than silently moved to tomorrow.
        if candidate <= local_now.replace(tzinfo=None):
            candidate = datetime.combine(today + timedelta(days=1), at)
        return _ahead(local_to_utc(candidate, tz), now)

    raise WhenError("malformed", "unrecognised")


# --- slots -----------------------------------------------------------------------------------


def _parse_hhmm(token: str) -> time:
    m = _HHMM.match(token)
    if m is None:
        raise WhenError("malformed", f"not HH:MM: {token!r}")
    hour, minute = int(m[1]), int(m[2])
    if hour > 23 or minute > 59:
        raise WhenError("malformed", f"out of range: {token!r}")
    return time(hour, minute)


def parse_slots(text: str) -> tuple[time, ...]:
    """``"09:00 12:00, 15:00;18:00"`` -> sorted unique times. Empty input is malformed."""
    tokens = [t for t in re.split(r"[\s,;]+", text.strip()) if t]
    if not tokens:
        raise WhenError("malformed", "no slots")
    return tuple(sorted({_parse_hhmm(t) for t in tokens}))


def _minute(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(second=0, microsecond=0)


def next_free_slot(
    slots: Sequence[time],
    *,
    taken: Collection[datetime],
    now: datetime,
    tz: ZoneInfo,
    not_before: datetime | None = None,
    horizon_days: int = 60,
) -> datetime | None:
    """The earliest slot instant (UTC) after ``now``, at or after ``not_before``, not taken.

    A slot is taken when any instant in ``taken`` falls in the same minute (a post scheduled by
    hand for 09:00:30 occupies the 09:00 slot). Days are searched from the local date of
    ``max(now, not_before)`` for ``horizon_days`` days; ``None`` if every slot is taken. Slots
    in a DST gap are shifted forward (see the module docstring); two slots that land on the
    same instant that way count once.
    """
    _require_aware(now, "now")
    if not_before is not None:
        _require_aware(not_before, "not_before")
    if not slots:
        return None
    occupied = {_minute(t) for t in taken}
    ordered = sorted(set(slots))
    start = max(now, not_before) if not_before is not None else now
    first_day = start.astimezone(tz).date()
    for offset in range(horizon_days + 1):
        day = first_day + timedelta(days=offset)
        for slot in ordered:
            at = local_to_utc(
                datetime.combine(day, slot.replace(tzinfo=None)), tz, nonexistent="shift"
            )
            if at <= now or (not_before is not None and at < not_before):
                continue
            if _minute(at) in occupied:
                continue
            return at
    return None


# --- quiet hours -----------------------------------------------------------------------------

_OFF_WORDS = frozenset({"", "off", "none", "no", "-", "выкл", "нет"})
_RANGE = re.compile(r"^(\S+)\s*[-–—]\s*(\S+)$")


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """``"23:00-07:00"`` -> ``(23:00, 07:00)``; ``off``/``none``/``выкл``/empty -> ``None``.

    The range is half-open, start included; it may cross midnight. Equal ends are malformed
    (quiet all day or never is not a schedule anyone means to type).
    """
    s = _normalise(text)
    if s in _OFF_WORDS:
        return None
    m = _RANGE.match(s)
    if m is None:
        raise WhenError("malformed", "expected HH:MM-HH:MM")
    start, end = _parse_hhmm(m[1]), _parse_hhmm(m[2])
    if start == end:
        raise WhenError("malformed", "empty range")
    return start, end


def in_quiet_hours(at: datetime, quiet: tuple[time, time] | None, tz: ZoneInfo) -> bool:
    """Whether ``at`` falls in the quiet range, read as wall time in ``tz``."""
    if quiet is None:
        return False
    _require_aware(at, "at")
    start, end = quiet
    local = at.astimezone(tz).time().replace(tzinfo=None)
    if start < end:
        return start <= local < end
    return local >= start or local < end  # crosses midnight: 23:00-07:00
