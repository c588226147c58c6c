"""Relative times written in words ("три часа назад", "an hour ago", "час назад"), read by
dateparser: the one place it beats the rules in :mod:`bot.ingest.dates`, which read the numeric
forms ("3 hours ago") and every written calendar form the corpus has. It is loaded lazily and
only asked about short lines that say "ago" in one of our languages.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, tzinfo
from typing import Any

__all__ = ["worded_ago"]

_AGO_RE = re.compile(r"\b(?:ago|назад|бұрын)\b", re.IGNORECASE)
_LABEL_RE = re.compile(
    r"^(?:updated|published|posted|обновлено|опубликовано|жаңартылды|жарияланды)\s*[:：]?\s*",
    re.IGNORECASE,
)
_MAX_LINE = 60


@functools.cache
def _dateparser() -> Any:
    import dateparser  # heavy import, needed only for these rare lines

    return dateparser


@functools.lru_cache(maxsize=1024)
def _parse(text: str, now: datetime) -> datetime | None:
    settings = {
        "RELATIVE_BASE": now.astimezone(UTC).replace(tzinfo=None),
        "PREFER_DATES_FROM": "past",
        "TIMEZONE": "UTC",
        "RETURN_AS_TIMEZONE_AWARE": True,
    }
    value = _dateparser().parse(text, languages=["ru", "kk", "en"], settings=settings)
    return value.astimezone(UTC) if isinstance(value, datetime) else None


def worded_ago(line: str, *, tz: tzinfo, now: datetime | None) -> datetime | None:
    """The instant "три часа назад" means at ``now``, or None for anything else."""
    del tz  # an offset from now is the same instant in every zone
    if now is None or len(line) > _MAX_LINE or _AGO_RE.search(line) is None:
        return None
    text = _LABEL_RE.sub("", line.strip())
    if len(text.split()) > 4:
        return None  # a sentence that mentions the past, not a timestamp
    value = _parse(text, now)
    return value if value is not None and value <= now else None
