"""The page's header, once its chrome is known: which line over the copy is the headline.

A page prints its masthead, navigation and time stamp over the headline, and a photo with its
caption and credit under it. Two shapes mislead a first-line reading:

* "06.12.2026 14:05 / <headline> / Фото: X / <copy>": the headline stands right over the photo
  credit, where a caption stands, but nothing of the article comes before it;
* "CBS News / U.S. / HealthWatch / <headline> / By ... / <date>": short section names left as
  copy above the headline. The headline is the headline-shaped line nearest the copy.
"""

from __future__ import annotations

import re

from bot.ingest.credits import photo_agencies
from bot.ingest.kickers import is_kicker
from bot.ingest.lines import Kind, Line

__all__ = ["settle_header"]

_SENTENCE_END_RE = re.compile(r"[.!?…;:][»\"”)’']*$")
_NAV_MAX = 40
_NAV_WORDS = 3
_META = (Kind.CHROME, Kind.READ_MORE, Kind.DATE, Kind.MASTHEAD, Kind.SOURCE, Kind.TAGS)


def _ends_sentence(text: str) -> bool:
    return _SENTENCE_END_RE.search(text[-_END_SPAN:]) is not None  # the end only: lines run long


_END_SPAN = 12


def _prose(text: str) -> bool:
    """A paragraph of copy: a sentence, longer than a headline runs."""
    return len(text) >= 80 and _ends_sentence(text)


def _headline_shaped(text: str) -> bool:
    return len(text) <= 200 and len(text.split()) >= 4 and not _ends_sentence(text)


def _nav_shaped(line: Line) -> bool:
    """ "CBS News", "U.S.", "Прямой эфир": a masthead or a section name left as copy."""
    text = line.text
    if line.kind is not Kind.CONTENT or text.endswith(("!", "?", ":", ";", "…")):
        return False
    return (len(text) <= _NAV_MAX and len(text.split()) <= _NAV_WORDS) or is_kicker(text)


def _restore_headline_caption(lines: list[Line]) -> None:
    """The first line of the article taken for a caption because a credit follows it is the
    headline when the copy (prose, not another headline) follows the credit: a caption belongs
    to a photo of an article whose headline stands above it."""
    first = next(
        (i for i, ln in enumerate(lines) if ln.kind not in _META and not _nav_shaped(ln)), None
    )
    if first is None or lines[first].kind is not Kind.CAPTION:
        return
    line = lines[first]
    if not _headline_shaped(line.text) or (first and lines[first - 1].kind is Kind.CONTENT):
        return  # a short line right over it may be the headline, this its photo's caption
    after = first + 1
    while after < len(lines) and lines[after].kind is Kind.CREDIT:
        after += 1
    if after == first + 1 or after >= len(lines):
        return  # no credit under it: a caption of its own
    nxt = lines[after]
    if nxt.kind is Kind.CONTENT and _prose(nxt.text):
        line.kind = Kind.CONTENT


def _drop_navigation(lines: list[Line]) -> None:
    """ "CBS News / U.S. / Live / <headline>": short lines over the headline, with chrome (a
    rubric, a date stamp) between them and it, are the masthead and the site's sections. The
    headline is the first headline-shaped line of the header (over the first paragraph); a
    short line right over it, with nothing between, may be a short headline or its kicker and
    is left to the title's rules."""
    end = next(
        (i for i, ln in enumerate(lines) if ln.kind is Kind.CONTENT and _prose(ln.text)), -1
    )
    if end <= 0:
        return
    head = next(
        (
            i
            for i in range(end)
            if lines[i].kind is Kind.CONTENT
            and _headline_shaped(lines[i].text)
            and not _nav_shaped(lines[i])
        ),
        None,
    )
    if head is None:
        return
    separated = False  # a chrome or meta line stands between the line and the headline
    drop = []
    for i in range(head - 1, -1, -1):
        ln = lines[i]
        if ln.kind is not Kind.CONTENT:
            separated = separated or ln.kind in _META
            continue
        if not _nav_shaped(ln):
            return  # copy over the headline: not a header of navigation
        if separated and _menu_item(ln.text) and _in_menu(lines, i):
            drop.append(ln)
    for ln in drop:
        ln.kind = Kind.CHROME


_MENU = (Kind.CHROME, Kind.READ_MORE, Kind.MASTHEAD)


def _menu_item(text: str) -> bool:
    """ "U.S.", "Курсы валют", "Manchester Evening News", a tagline: a section's or an outlet's
    name (one or two words, or every word capitalised); "Пожар в Алматы" is a short headline."""
    words = text.split()
    return len(words) <= 2 or all(w[:1].isupper() for w in words) or is_kicker(text)


def _in_menu(lines: list[Line], i: int) -> bool:
    """The line has a menu item beside it (a rubric, the masthead, another short line): a
    short headline over its date stamp alone is no navigation."""
    near = [lines[j] for j in (i - 1, i + 1) if 0 <= j < len(lines)]
    return any(ln.kind in _MENU or _nav_shaped(ln) for ln in near)


# "A nurse prepares a dose of the vaccine. Getty Images", "... on Monday. (AGENCY FOTO/Name)":
# a caption's sentence, then its credit: a few capitalised words (names, agencies, a slash
# chain) with no sentence end of their own.
_CREDIT_TAIL_RE = re.compile(r"[.!?…][»\"”’']?\s+(?P<tail>\(?[^\s.!?…][^.!?…]{1,60})$")
_CREDIT_TAIL_WORDS = 6


def _credited_caption(text: str) -> bool:
    if len(text) > _CAPTION_MAX or len(text.split()) > _CAPTION_WORDS:
        return False
    m = _CREDIT_TAIL_RE.search(text)
    if m is None:
        return False
    tail = m["tail"].strip()
    if tail.startswith("(") != tail.endswith(")"):
        return False
    chain = "/" in tail  # "AGENCY FOTO/Name Surname/ab": an editor's initials may close it
    bare = tail.strip("()")
    # A credit's marks: brackets, a slash chain, "Name, AGENCY", or a photo agency's name.
    if not (tail.startswith("(") or chain or "," in tail or bare.casefold() in photo_agencies()):
        return False
    words = bare.replace("/", " ").replace(",", " ").split()
    return 0 < len(words) <= _CREDIT_TAIL_WORDS and all(
        w[:1].isupper() or (chain and w.isalpha() and len(w) <= _INITIALS) for w in words
    )


_INITIALS = 4


_CAPTION_WORDS = 60
_CAPTION_MAX = 500


def _drop_credited_captions(lines: list[Line]) -> None:
    """A caption with its credit on one line, between the headline and the first paragraph,
    is the photo's caption: never the standfirst nor copy."""
    seen = False  # the headline came
    for ln in lines:
        if ln.kind is not Kind.CONTENT:
            continue
        if _prose(ln.text):
            return
        if seen and _credited_caption(ln.text):
            ln.kind = Kind.CAPTION
        seen = seen or not _nav_shaped(ln)


def settle_header(lines: list[Line], *, masthead_known: bool = False) -> None:
    """Correct the header's reading once the chrome is marked: the headline over a credit after
    the captions settled; the navigation once the masthead line is known (``masthead_known``)."""
    if masthead_known:
        _drop_navigation(lines)
    else:
        _restore_headline_caption(lines)
        _drop_credited_captions(lines)
