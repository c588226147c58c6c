"""The paste as lines: each line's kind (copy, chrome, credit, ...), its blank-separated block,
and what the non-copy lines told (:class:`Meta`); small helpers over them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

__all__ = ["Kind", "Line", "Meta", "content_indices", "lines_of", "unique"]


class Kind(Enum):
    CONTENT = "content"
    CHROME = "chrome"
    READ_MORE = "read_more"  # chrome that also swallows the headline lines under it
    CREDIT = "credit"
    CAPTION = "caption"  # the site's photo caption: dropped, never the lead
    DATE = "date"
    TAGS = "tags"
    SOURCE = "source"
    MASTHEAD = "masthead"  # a line naming the outlet of the page ("© ТАСС")


@dataclass(slots=True)
class Line:
    text: str
    block: int  # index of the blank-line-separated block the line belongs to
    kind: Kind = Kind.CONTENT


@dataclass(slots=True)
class Meta:
    """What the non-content lines told us."""

    credit: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    dates: int = 0  # date lines seen
    tags: list[str] = field(default_factory=list)
    source_name: str = ""
    source_url: str = ""
    original_source: str = ""
    mastheads: list[str] = field(default_factory=list)  # outlets named by masthead lines
    credit_outlets: list[str] = field(default_factory=list)  # outlets named in credits


def lines_of(text: str) -> tuple[list[Line], bool]:
    lines: list[Line] = []
    block = 0
    saw_blank = False
    pending_blank = False
    for raw in text.split("\n"):
        stripped = raw.strip()
        if not stripped:
            pending_blank = bool(lines)
            continue
        if pending_blank:  # only blanks *between* lines count: a final newline is no separator
            block += 1
            saw_blank = True
            pending_blank = False
        lines.append(Line(stripped, block))
    return lines, saw_blank


def content_indices(lines: list[Line]) -> list[int]:
    """Positions of the lines still taken for copy."""
    return [i for i, ln in enumerate(lines) if ln.kind is Kind.CONTENT]


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Non-empty values in order, each once whatever its case."""
    seen: set[str] = set()
    out: list[str] = []
    for v in values:
        key = v.casefold()
        if v and key not in seen:
            seen.add(key)
            out.append(v)
    return tuple(out)
