"""Date lines of the page: a line that is the article's time stamp, with its labels ("Опубликовано
14.11.2022, 13:33", "Politics | 14.11.2022 13:33", "Joanna Lillis Dec 5, 2026"), told from a
headline or a sentence that merely contains a date."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime

from bot.ingest.dates import search_datetime
from bot.ingest.language import has_letter
from bot.ingest.relative import worded_ago

__all__ = ["date_line"]

_DATE_HINT_RE = re.compile(
    r"[0-9]|сегодня|вчера|позавчера|today|yesterday|бүгін|кеше|ago|назад|бұрын", re.I
)
_DATE_LABEL_RE = re.compile(
    r"\b(?:опубликовано|опубликован[ао]?|обновлено|обновлен[ао]?|изменено|дата\s+публикации|"
    r"дата|date|update|published|updated|last\s+updated|last|first|posted|modified|on|at|в|от|жарияланды|am|"
    r"pm|жарияланған|жаңартылған|уақыты|күні|min|mins|read|мин|чтения|время|about|около|"
    r"жаңартылды|gmt|utc|msk|мск|bst|est|edt|cet|pst|et|mon|tue|wed|thu|fri|sat|sun|monday|"
    r"tuesday|wednesday|thursday|friday|saturday|sunday|пн|вт|ср|чт|пт|сб|вс|понедельник|"
    r"вторник|среда|четверг|пятница|суббота|воскресенье)\b|"
    r"\b(?:просмотр\w*|views?)\b|[0-9]+",
    re.IGNORECASE,
)
_DATE_SEPARATOR_RE = re.compile(r"[,|·•—–/]")
_FILED_FROM_RE = re.compile(r"^\s*[|·•—–]\s*[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][A-ZА-ЯЁӘҒҚҢӨҰҮҺІ .'-]{1,30}$")
_YEAR_RE = re.compile(r"(?:19|20)[0-9]{2}")
# A hyphen with spaces round it sets a label off as a dash does ("by Jane Roe - 12/05/26").
_SPACED_DASH_END_RE = re.compile(r"\s-\s*$")
_SPACED_DASH_START_RE = re.compile(r"^\s*-\s")
_LABEL_SPLIT_RE = re.compile(r"\s+-\s+|\s*[|·•—–/]\s*")
_LABELS_MAX = 2  # label segments beside the stamp
_LABEL_WORDS = 3


def _short_labels(before: str, after: str) -> bool:
    """Every label beside the stamp is short (up to three words, no sentence end), and there
    are at most two of them."""
    parts = [p.strip(" ,") for p in _LABEL_SPLIT_RE.split(before + " | " + after)]
    labels = [p for p in parts if has_letter(p)]
    return (
        0 < len(labels) <= _LABELS_MAX
        and all(len(p.split()) <= _LABEL_WORDS and len(p) <= 30 for p in labels)
        and not any(p.endswith((".", "!", "?", ";", ":")) for p in labels)
    )


def date_line(
    line: str, tz: zoneinfo.ZoneInfo, now: datetime | None
) -> tuple[bool, datetime | None]:
    """Whether the line is a dateline of the page (and its value, when it can be resolved)."""
    if len(line) > 120 or not _DATE_HINT_RE.search(line):
        return False, None
    m = search_datetime(line, tz=tz, now=now)
    if m is None:
        worded = worded_ago(line, tz=tz, now=now)
        return (True, worded) if worded is not None else (False, None)
    before, after = line[: m.start], line[m.end :]
    # "November 14, 2022 1:33 PM Updated 2 hours ago": further dates on the line are labels too.
    for _ in range(2):
        extra = search_datetime(after, tz=tz, now=now)
        if extra is None:
            break
        after = after[: extra.start] + " " + after[extra.end :]
    rest = _DATE_LABEL_RE.sub(" ", before + " " + after)
    if not has_letter(rest):
        return True, m.value
    # "Иван Петров, 14 ноября 2022" or "Политика | 14.11.2022 13:33": a short label set off by a
    # separator, next to a full date. "Выборы 14 ноября" stays a headline.
    words = [w for w in rest.split() if has_letter(w)]  # separators are no words
    span = line[m.start : m.end]
    full = any(ch.isdigit() for ch in span) and (
        ":" in span or len([c for c in span if c.isdigit()]) >= 6
    )
    separated = bool(
        _DATE_SEPARATOR_RE.search(before[-3:] + after[:3])
        or _SPACED_DASH_END_RE.search(before)
        or _SPACED_DASH_START_RE.match(after)
    )
    if full and separated and len(words) <= 3 and len(" ".join(words)) <= 40:
        return True, m.value
    # "KYODO NEWS - Dec 7, 2026 - 14:32 | Japan, All": short labels on either side, each set
    # off by a separator (the outlet, the section), none of them a clause.
    if full and separated and _short_labels(before, after):
        return True, m.value
    # "Dec 3rd 2026 | ALMATY": the stamp, then the place it was filed from, in capitals.
    if not before.strip() and _FILED_FROM_RE.match(after) and _YEAR_RE.search(span):
        return True, m.value
    # "Joanna Lillis Dec 5, 2026": the author's name before a dated stamp.
    named = 2 <= len(words) <= 3 and all(w[:1].isupper() and w.isalpha() for w in words)
    if named and not after.strip() and re.search(r"(?:19|20)[0-9]{2}", span):
        return True, m.value
    return False, None
