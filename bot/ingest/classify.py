"""Classifying the lines of a paste: chrome, credit, caption, date, tags, source line, copy."""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import datetime

from bot.ingest.chrome import (
    CHROME_LINE_MAX,
    SENTENCE_END,
    is_chrome,
    is_link,
    is_marker,
    is_rubric,
    read_more_kind,
)
from bot.ingest.credits import credit_of, has_caption, is_caption_label, photo_agencies
from bot.ingest.dates import clock_on_day, search_datetime
from bot.ingest.lexicon import alternation, lexicon
from bot.ingest.lines import Kind, Line, Meta, lines_of
from bot.ingest.mastheads import credit_outlet, domain_outlets, masthead_name
from bot.ingest.names import canonical_outlet
from bot.ingest.stamps import date_line

__all__ = ["Kind", "Line", "Meta", "classify", "lines_of", "mark_captions"]

TITLE_MAX = 200


@functools.cache
def _label_res() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """ "Теги: a, b" (tags on the line), "Теги" alone (tag links follow), "Источник: X": the
    labels are the lexicon's ([chrome] tag_labels, tag_block_labels, [outlets] source_labels)."""
    raw = lexicon().raw
    tags = alternation(raw["chrome"]["tag_labels"])
    block = alternation([*raw["chrome"]["tag_labels"], *raw["chrome"]["tag_block_labels"]])
    i = re.IGNORECASE
    return (
        re.compile(rf"^(?:{tags})\s*[:：]\s*(?P<tags>.+)$", i),
        re.compile(rf"^(?:{block})\s*[:：]?$", i),
        re.compile(
            rf"^(?:{alternation(raw['outlets']['source_labels'])})\s*[:：]\s*(?P<src>.+)$", i
        ),
    )


_HASHTAG_LINE_RE = re.compile(r"^(?:#\w[\w-]*[\s,;.|·•/]*)+$")
_HASHTAG_RE = re.compile(r"#(\w[\w-]*)")
_TAG_SPLIT_RE = re.compile(r"\s*[,;#|]\s*|\s{2,}")
_PR_SOURCE_RE = re.compile(r"^SOURCE\s+(?P<src>\S.{0,100})$")  # PR Newswire's closing line
_URL_RE = re.compile(r"^(?:https?://)?(?:www\.)?(?P<host>[\w-]+(?:\.[\w-]+)+)(?:[/?#]\S*)?$")
_AGENCIES_TAIL_RE = re.compile(
    r"\s+(?:and|with|и|с)\s+(?:news\s+)?(?:agencies|wires|агентства|агентствами)$", re.IGNORECASE
)
_SOURCE_TAIL_RE = re.compile(r"\s+[|—–]\s+|\s+-\s+(?=[A-ZА-ЯЁ])")
_CO_SOURCE_RE = re.compile(r"\s+(?:and|и|&)\s+[A-ZА-ЯЁ][\w.-]*(?:\s+[A-ZА-ЯЁ][\w.-]*)?$")
_BY_LINE_RE = re.compile(r"^(?:By|Автор:?|Текст:)\s+[A-ZА-ЯЁ]\S*\s+[A-ZА-ЯЁ]")
# "Posted 4h ago, updated 2h ago": the line opens with the first publication.
_PUBLISHED_FIRST_RE = re.compile(
    r"^\W*(?:posted|published|first\s+published|опубликовано|жарияланды)\b", re.IGNORECASE
)
_PUBLISHED_LATER_RE = re.compile(
    r"(?<=\S)\s*[|•·,;]?\s*(?:posted|published|first\s+published|опубликовано|жарияланды)\b",
    re.IGNORECASE,
)
_UPDATED_RE = re.compile(r"обновл|изменен|updated|modified|жаңарт", re.IGNORECASE)


def _split_tags(raw: str) -> list[str]:
    if "#" in raw:
        return _HASHTAG_RE.findall(raw)
    return [t.strip(" .") for t in _TAG_SPLIT_RE.split(raw) if t.strip(" .")]


def _source_from_line(raw: str, meta: Meta) -> None:
    # "Xinhua | Editor: Wang Jing": the source, then the page's other credits.
    src = _SOURCE_TAIL_RE.split(raw.strip(), maxsplit=1)[0]
    src = _AGENCIES_TAIL_RE.sub("", src.rstrip("."))
    src = _CO_SOURCE_RE.sub("", src)  # "Al Jazeera and Reuters": the page's own outlet first
    url = _URL_RE.match(src)
    if url is not None and "." in src and " " not in src:
        meta.source_url = meta.source_url or (src if "://" in src else "https://" + src)
        meta.source_name = meta.source_name or canonical_outlet(url["host"])
    else:
        meta.source_name = meta.source_name or canonical_outlet(src)


def _tags_or_swallow(line: Line, meta: Meta) -> bool:
    text = line.text
    tag_match = _label_res()[0].match(text) if len(text) <= 500 else None
    if tag_match is not None:
        line.kind = Kind.TAGS
        meta.tags.extend(_split_tags(tag_match["tags"]))
        return True
    if len(text) <= 500 and _HASHTAG_LINE_RE.match(text):
        # "#налоги #Минфин": links to the site's hashtag pages, its taxonomy, not the post's
        # tags (the channel's template sets those).
        line.kind = Kind.CHROME
        return True
    return False


def _photo_mark(text: str) -> bool:
    """ "© Reuters", "© Getty Images": a photo agency's mark, not the page's."""
    return text.lstrip("©(cC) ").strip(" .").casefold() in photo_agencies()


_EDITION_MAX = 100  # the line is short: "№ 48 от 3 декабря 2026"


def _edition_date(text: str, tz: zoneinfo.ZoneInfo, now: datetime | None) -> bool:
    """ "№ 48 от 3 декабря 2026", "Edition of 4 December 2026": the print issue's date."""
    return bool(lexicon().edition_date_re.match(text)) and bool(
        search_datetime(text, tz=tz, now=now)
    )


def _meta_line(
    line: Line, meta: Meta, tz: zoneinfo.ZoneInfo, now: datetime | None, *, late: bool
) -> bool:
    """Credit, caption, masthead, source and date lines; True when the line was one.
    ``late``: the line closes the paste, where "© X" is the page's mark."""
    text = line.text
    if late and text.startswith(("©", "(c)", "(C)")):
        name = masthead_name(text)
        if name:
            line.kind = Kind.MASTHEAD
            meta.mastheads.append(name)
            return True
    credit = credit_of(text, tz, now)
    if credit is not None:
        line.kind = Kind.CREDIT
        meta.credit = meta.credit or credit.text
        meta.credit_outlets.extend(domain_outlets(credit.text) or credit_outlet(credit.text))
        if credit.when is not None and meta.published is None:
            meta.published = credit.when
        return True
    if is_caption_label(text):
        line.kind = Kind.CAPTION
        return True
    name = masthead_name(text)
    if name:
        line.kind = Kind.MASTHEAD
        meta.mastheads.append(name)
        if "|" in text and meta.published is None:
            # "Source: Xinhua | Editor: Li Wen | 2026-12-05 16:12:30": the page's own stamp.
            found = search_datetime(text, tz=tz, now=now)
            meta.published = found.value if found is not None else None
        return True
    src = _label_res()[2].match(text) if len(text) <= CHROME_LINE_MAX else None
    pr_src = _PR_SOURCE_RE.match(text)
    if src is not None:
        line.kind = Kind.SOURCE
        _source_from_line(src["src"], meta)
        return True
    if pr_src is not None:
        line.kind = Kind.SOURCE
        meta.original_source = meta.original_source or pr_src["src"].strip()
        return True
    if len(text) <= _EDITION_MAX and _edition_date(text, tz, now):
        line.kind = Kind.CHROME  # the print issue's date, not the article's
        return True
    is_date, when = date_line(text, tz, now)
    if not is_date and _BY_LINE_RE.match(text) and len(text) <= 120:
        # "By Aibarshyn Akhmetkali in Nation on 5 December 2026": a byline with the date.
        found = search_datetime(text, tz=tz, now=now)
        is_date, when = (True, found.value) if found is not None else (False, None)
    if is_date:
        line.kind = Kind.DATE
        meta.dates += 1
        later = _PUBLISHED_LATER_RE.search(text)
        if when is not None and later is not None:
            # "Updated Dec 6 at 9:12 | Published Dec 6 at 6:00": the first publication wins.
            found = search_datetime(text[later.end() :], tz=tz, now=now)
            # "..., first published at 11.02am": the same day, another time.
            first = (
                found.value
                if found is not None
                else clock_on_day(text[later.end() :], when, tz=tz)
            )
            if first is not None and meta.published is None:
                meta.published = first
                meta.updated = meta.updated or when
                return True
        if when is not None:
            if _UPDATED_RE.search(text) and not _PUBLISHED_FIRST_RE.match(text):
                meta.updated = meta.updated or when
            else:
                meta.published = meta.published or when
        return True
    return False


_PHRASE_KINDS = {"label": Kind.READ_MORE, "line": Kind.CHROME, "content": Kind.CONTENT}


@functools.lru_cache(maxsize=8192)
def _phrase_kind(text: str) -> str:
    """ "label" (a bare read-more label), "line" (chrome) or "content", by phrase alone; cached:
    the same chrome lines come with every paste from a site."""
    more = read_more_kind(text)
    if more:
        return more
    return "line" if is_chrome(text) or is_marker(text) else "content"


_AD_LABEL_RE = re.compile(r"^(?:реклама|advertisement|жарнама)\W*$", re.IGNORECASE)
_MULTI_ABBR_RE = re.compile(r"^(?:\w{1,3}\.){2,}$")  # "п.п.", "т.д."
_ABBREVIATIONS = frozenset({"г.", "гг.", "руб.", "млн.", "млрд.", "тыс.", "долл.", "трлн.", "ст."})


def _swallowed(line: Line, label: Line, swallow_block: int) -> bool:
    """A headline under a bare "Читайте также" label: short, and no sentence (one ending in an
    abbreviation's period, "на 0,5 п.п.", only right under the label, in the same block)."""
    text = line.text
    if line.block != swallow_block or len(text) > TITLE_MAX or masthead_name(text):
        return False
    if not text.endswith(SENTENCE_END):
        return True
    last = text.split()[-1].casefold()
    abbreviation = bool(_MULTI_ABBR_RE.match(last)) or last in _ABBREVIATIONS
    return line.block == label.block and len(text) <= 100 and ". " not in text and abbreviation


def classify(lines: list[Line], tz: zoneinfo.ZoneInfo, now: datetime | None) -> Meta:
    meta = Meta()
    # Headline lines still to drop under a bare "Читайте также:" label, and the block they are in:
    # the label's own block when links follow it directly, else the next one.
    swallow = 0
    swallow_block = -1
    label = lines[0] if lines else Line("", 0)
    tag_block = -1  # the block after a bare "Теги" label: its short lines are tag links
    seen_copy = False  # a sentence of copy came before
    spaced = _spaced(lines)
    # The last line of prose: what comes after it is the page's foot, however long the foot.
    last_prose = max(
        (i for i, ln in enumerate(lines) if len(ln.text) >= 80 and ln.text.endswith(SENTENCE_END)),
        default=len(lines),
    )
    for i, line in enumerate(lines):
        text = line.text
        if not any(ch.isalnum() for ch in text):
            line.kind = Kind.CHROME  # separators, bullets, emoji rows
            continue
        if _tags_or_swallow(line, meta):
            continue
        if _label_res()[1].match(text):
            line.kind = Kind.CHROME
            tag_block = lines[i + 1].block if i + 1 < len(lines) else -1
            continue
        if (
            line.block == tag_block
            and len(text) <= 60
            and not text.endswith(SENTENCE_END)
            and _phrase_kind(text) != "label"
        ):
            # Links to tag pages: chrome, not the article's tags (those come as "Теги: a, b").
            line.kind = Kind.CHROME
            continue
        tag_block = -1
        if swallow and is_rubric(text):
            swallow = 0  # "Экономика" under the list: the page's own rubric, the headline next
        if swallow and _swallowed(line, label, swallow_block):
            line.kind = Kind.CHROME
            # A listed item's date under its headline is the item's, not ours, and takes no
            # headline's place in the count.
            if not date_line(text, tz, now)[0]:
                swallow -= 1
            if spaced and i + 1 < len(lines):
                swallow_block = lines[i + 1].block  # one item a block: the list goes on
            continue
        swallow = 0
        # "© X" closing the page is its mark; mid-copy it credits a photo ("© Reuters").
        closing = i >= len(lines) - 3 or i > last_prose
        late = closing or (i > len(lines) // 2 and "/" not in text and not _photo_mark(text))
        if _meta_line(line, meta, tz, now, late=late):
            continue
        more = _phrase_kind(text)
        if more == "label" and not seen_copy and _AD_LABEL_RE.match(text):
            more = "line"  # "Advertisement" over the headline: nothing under it to swallow
        line.kind = _PHRASE_KINDS[more]
        seen_copy = seen_copy or (more == "content" and text.endswith(SENTENCE_END))
        if more == "line" and is_link(text):
            meta.credit_outlets.extend(domain_outlets(text))  # "p.dw.com/p/4xyz"
        if more == "label" and i + 1 < len(lines):
            swallow, swallow_block, label = 3, lines[i + 1].block, line
    mark_captions(lines)
    return meta


_CAPTION_MAX_WORDS = 12


_CAPTION_SENTENCES_MAX_WORDS = 40
_BLOCK_CAPTION_WORDS = 25


def _caption_like(line: Line, *, sentences: bool = False) -> bool:
    """Short and no sentence end; ``sentences``: a caption of whole sentences may end with a
    period (it stands between the page's header lines and the credit it goes with)."""
    text = line.text
    if line.kind is not Kind.CONTENT:
        return False
    if sentences:
        return len(text.split()) <= _CAPTION_SENTENCES_MAX_WORDS and not text.endswith(
            ("!", "?", ":")
        )
    return len(text.split()) <= _CAPTION_MAX_WORDS and not text.rstrip('»"”)').endswith(
        (".", "!", "?", "…", ":")
    )


def _spaced(lines: list[Line]) -> bool:
    """Every line a block of its own: the site's elements came out blank-separated (some
    browsers copy so), and a blank line says nothing of what belongs together."""
    return len(lines) >= _SPACED_MIN_LINES and lines[-1].block == len(lines) - 1


_SPACED_MIN_LINES = 6


def _closes_caption(lines: list[Line], i: int, seen: int) -> bool:
    """ "(AA Photo)" alone under a line: a credit in parentheses closes the caption above it
    (the first line of copy only when it reads as a sentence: else it is the headline)."""
    text = lines[i].text
    if i == 0 or not (text.startswith("(") and text.endswith(")")):
        return False
    before = lines[i - 1]
    if before.kind is not Kind.CONTENT or before.block != lines[i].block:
        return False
    if len(before.text.split()) > _CAPTION_SENTENCES_MAX_WORDS:
        return False
    return seen >= 2 or before.text.endswith(SENTENCE_END)


def mark_captions(lines: list[Line], *, settled: bool = False) -> None:
    """The site's caption beside its photo credit: a short line with no sentence end right
    after the credit, or right before it when no headline line precedes it (a standfirst
    follows the headline directly). ``settled``: the header's chrome is known, so a short
    line between the standfirst and the credit is the caption too."""
    seen = 0  # content lines so far: the first is the headline, never a caption
    spaced = _spaced(lines)
    for i, line in enumerate(lines):
        if line.kind is not Kind.CREDIT:
            seen += line.kind is Kind.CONTENT
            continue
        if _closes_caption(lines, i, seen):
            lines[i - 1].kind = Kind.CAPTION
            continue
        if seen and i + 1 < len(lines) and _caption_like(lines[i + 1]):
            lines[i + 1].kind = Kind.CAPTION
        # A credit printed after its caption on one line has its caption: the line above is not.
        before = lines[i - 1] if i >= 2 and not has_caption(line.text) else None
        if (
            seen >= 2
            and before
            and lines[i - 2].kind is not Kind.CONTENT
            and (
                (
                    before.block == line.block
                    and _caption_like(
                        before, sentences=lines[i - 2].kind in (Kind.DATE, Kind.CHROME)
                    )
                )
                # Every line a block: only a short line with no sentence end is surely the
                # caption (a standfirst stands there too).
                or (spaced and _caption_like(before))
            )
        ):
            lines[i - 1].kind = Kind.CAPTION
        elif (
            settled
            and seen >= 3
            and before
            and lines[i - 2].kind is Kind.CONTENT
            and lines[i - 2].block == before.block == line.block
            and _caption_like(before)
        ):
            before.kind = Kind.CAPTION  # headline, standfirst, caption, credit
        elif (
            seen >= 2
            and before
            and before.block == line.block != lines[i - 2].block
            and (i + 1 >= len(lines) or lines[i + 1].block != line.block)
            and _caption_like(before, sentences=len(before.text.split()) <= _BLOCK_CAPTION_WORDS)
        ):
            before.kind = Kind.CAPTION  # a photo in the copy: its caption and credit, one block
