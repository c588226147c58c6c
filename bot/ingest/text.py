"""Parsing article copy that an editor pasted from a news site or a wire (ru, kk, en).

``parse_article`` turns the paste into an :class:`~bot.domain.ArticleContent` draft: title, lead,
body paragraphs, photo credit, publication time, source attribution and tags, with the site chrome
dropped. ``parse_article_report`` also says what the parser was not sure of.

It is a pure function of the text, the editor's time zone and ``now`` (only used for dates
written without a year or relative to today). The work is line based:

* every non-blank line is classified (:mod:`.classify`: chrome by phrase, credit, caption, date,
  tags, source and masthead lines, copy), then chrome by shape and position (:mod:`.structure`);
* the title is the first content line that reads like a headline, a one-word kicker above it
  being a rubric; without one the title is derived from the first sentence;
* the lead is the standfirst: the short line right after the title when a credit/date line
  separates it from the body, or when it has no final period (a subtitle);
* body paragraphs are the remaining content, with a wire dateline (:mod:`.datelines`) taken off
  the first one; attribution comes from datelines, source and masthead lines, credits and
  reporting phrases (:mod:`.attribution`).

HTML-looking text is kept literally: escaping belongs to the composer.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime

from rapidfuzz import fuzz

from bot.domain import ArticleContent
from bot.ingest.appeals import drop_tail_appeals
from bot.ingest.attribution import attribution
from bot.ingest.chrome import is_summary_label
from bot.ingest.classify import classify, mark_captions
from bot.ingest.datelines import dateline
from bot.ingest.dates import find_datetime
from bot.ingest.header import settle_header
from bot.ingest.kickers import ends_with_verb, is_kicker
from bot.ingest.language import detect_language, fold, has_letter, normalize_text
from bot.ingest.lexicon import lexicon
from bot.ingest.lines import Kind, Line, content_indices, lines_of, unique
from bot.ingest.names import is_person
from bot.ingest.report import ParseReport, ParseWarning
from bot.ingest.sources import attribute, masthead_on_top, split_title_outlet
from bot.ingest.stamps import date_line
from bot.ingest.structure import drop_structural_chrome
from bot.strings import shorten_line as shorten

__all__ = [
    "derive_title",
    "detect_language",
    "normalize_text",
    "parse_article",
    "parse_article_report",
    "shorten",
]

TITLE_MAX = 200  # a longer line without a final period is a paragraph, not a headline
DERIVED_TITLE_MAX = 120
LEAD_MAX = 400
SUBTITLE_MAX = 250
LEAD_MIN_WORDS = 5
_KICKER_SEP_RE = re.compile(r"\s[/|»>]\s|\|")  # "Технологии / Интернет" over the headline
_SENTENCE_END = (".", "!", "?", "…", ";")
_SENTENCE_BREAK_RE = re.compile(r"(?<=[.!?…])[\"»”)]*\s+(?=[\"«“(\[A-ZА-ЯЁ0-9—–-])")
_MIN_SENTENCE = 20


def derive_title(paragraph: str, limit: int = DERIVED_TITLE_MAX) -> str:
    """A draft title from the first sentence of a paragraph (dateline and final period dropped)."""
    mark = dateline(paragraph)
    text = paragraph[mark.length if mark else 0 :].strip() or paragraph.strip()
    sentence = text
    for m in _SENTENCE_BREAK_RE.finditer(text):
        if m.start() >= _MIN_SENTENCE:
            sentence = text[: m.start()]
            break
    sentence = sentence.strip()
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]
    return shorten(sentence, limit)


def _is_title_like(text: str) -> bool:
    if len(text) > TITLE_MAX or not has_letter(text):
        return False
    bare = text.rstrip("»\"”)' ")
    return not bare.endswith((".", "…", ":", ";", ","))


def _starts_lowercase(text: str) -> bool:
    return bool(text) and text[0].isalpha() and text[0].islower()


def _is_wrap(prev: str, nxt: str) -> bool:
    """``nxt`` continues ``prev`` mid-sentence: a hard-wrapped paragraph."""
    return len(prev) >= 40 and not prev.endswith((*_SENTENCE_END, ":")) and _starts_lowercase(nxt)


def _paragraphs(items: list[Line], blank_separated: bool) -> list[str]:
    """Merge consecutive content lines of one block into paragraphs."""
    out: list[str] = []
    prev: Line | None = None
    for item in items:
        if item.kind is not Kind.CONTENT:
            prev = None
            continue
        if blank_separated and prev is not None and prev.block == item.block and out:
            joiner = " " if _is_wrap(prev.text, item.text) else "\n"
            out[-1] = out[-1] + joiner + item.text
        else:
            out.append(item.text)
        prev = item
    return out


def _take_title(lines: list[Line]) -> str:
    """The headline line (consumed), a one-word kicker above it being a rubric."""
    idx = content_indices(lines)
    if not idx:
        return ""
    first = lines[idx[0]]
    second = lines[idx[1]] if len(idx) > 1 else None
    if (
        second is not None
        and len(first.text) <= 50
        and len(first.text.split()) <= 6
        and (
            len(first.text.split()) == 1
            or _KICKER_SEP_RE.search(first.text) is not None
            or _rubric_like(first.text)
            or is_kicker(first.text)
        )
        and _is_title_like(second.text)
        and len(second.text.split()) >= 4
    ):
        first.kind = Kind.CHROME
        idx.pop(0)
        first, second = second, (lines[idx[1]] if len(idx) > 1 else None)
    if second is not None and _LOWER_BYLINE_RE.match(second.text) and len(second.text) <= 120:
        second.kind = Kind.CHROME  # "by Jane Roe - 12/05/26": the byline, not the title's tail
    wraps = (
        second is not None
        and second.kind is Kind.CONTENT
        and second.block == first.block
        and idx[1] == idx[0] + 1
        and _is_wrap(first.text, second.text)
    )
    if not _is_title_like(first.text) or wraps:
        return ""
    first.kind = Kind.CHROME  # consumed
    # A repeat of the title further down (sites print it again under the lead, sometimes with
    # other quotes or a final period) is chrome.
    key = fold(first.text)
    for i in content_indices(lines):
        if _same_headline(key, fold(lines[i].text)):
            lines[i].kind = Kind.CHROME
    return first.text


_LOWER_BYLINE_RE = re.compile(
    r"^by\s+[A-ZÀ-ÖØ-Þ][\w'’-]+\s+[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s*$|\s*[-|,—–])"
)


# "Senate passes stopgap bill by Jane Roe - 12/05/26 11:48 PM ET": the byline and the stamp
# glued to the headline's line.
_GLUED_BYLINE_RE = re.compile(
    r"^(?P<title>.{20,}?)\s+(?:by|By|BY)\s+[A-ZÀ-ÖØ-Þ][\w'’.-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’.-]+){1,2}"
    r"\s*(?:[-|,—–]\s*(?P<stamp>.+))?$"
)


def _unglue_byline(
    title: str, tz: zoneinfo.ZoneInfo, now: datetime | None
) -> tuple[str, datetime | None]:
    """The headline without a byline glued to its end, and the stamp after the byline (the
    byline must close the line or stand before a date: "… hit by Storm Bert" keeps its name)."""
    m = _GLUED_BYLINE_RE.match(title) if " by " in title.casefold() else None
    if m is None:
        return title, None
    if m["stamp"] is None:
        return title, None  # "Homes flooded by Storm Bert Jones"? no stamp, no proof: keep it
    is_date, when = date_line(m["stamp"], tz, now)
    return (m["title"], when) if is_date else (title, None)


def _rubric_like(text: str) -> bool:
    """ "Новости Мира", "Общество, 5 декабря 2026": a short rubric opening with a rubric word;
    "Айгуль Серикова": the author's name over the headline."""
    words = text.split()
    if text.endswith(_SENTENCE_END):
        return False
    if len(words) == 2 and all(_CAP_WORD_RE.match(w) for w in words) and is_person(*words):
        return True
    dated = any(ch.isdigit() for ch in text)
    return (
        len(words) <= (5 if dated else 3)
        and words[0].strip(",:|").casefold() in lexicon().whole_lines
    )


_CAP_WORD_RE = re.compile(r"^[А-ЯЁӘҒҚҢӨҰҮҺІ][а-яёәғқңөұүһі]+$")


_REPEAT_SIMILARITY = 95.0  # percent: "«Аэрофлот» отменит рейсы" ~ "\"Аэрофлот\" отменит рейсы"


def _same_headline(key: str, other: str) -> bool:
    if key == other:
        return True
    if abs(len(key) - len(other)) > 3 or len(key) < 20:
        return False
    return fuzz.ratio(key, other) >= _REPEAT_SIMILARITY


def _take_lead(lines: list[Line], title_block: int = -1) -> str:
    """The standfirst under the title (consumed), or "". ``title_block``: the headline's block
    (a standfirst printed in it, over copy in blocks of its own, is one whatever its end)."""
    idx = content_indices(lines)
    if not idx:
        return ""
    cand_pos = idx[0]
    cand = lines[cand_pos].text
    next_pos = idx[1] if len(idx) > 1 else len(lines)
    between = lines[cand_pos + 1 : next_pos]
    before = lines[:cand_pos]
    if before and is_summary_label(before[-1].text):
        return ""  # "Key points:" over a list: the page's summary, no standfirst
    # The site's caption sits next to its credit; a standfirst comes before the photo.
    # (A caption over its own credit is the photo under the standfirst.)
    captioned = bool(between) and between[0].kind is Kind.CAPTION
    if captioned and len(between) > 1 and between[1].kind is Kind.CREDIT:
        captioned = False
    if captioned or (
        before
        and before[-1].kind in (Kind.CREDIT, Kind.CAPTION)
        and any(ln.kind is Kind.CONTENT for ln in lines[next_pos:])
        and len(cand) <= SUBTITLE_MAX
        and not _is_title_like(cand)
        and _credit_led(lines, cand_pos)
    ):
        return ""
    meta_follows = any(ln.kind in (Kind.CREDIT, Kind.DATE, Kind.CAPTION) for ln in between)
    same_block_wrap = (
        next_pos < len(lines)
        and next_pos == cand_pos + 1
        and lines[next_pos].block == lines[cand_pos].block
        and _is_wrap(cand, lines[next_pos].text)
    )
    is_subtitle = len(cand) <= SUBTITLE_MAX and _is_title_like(cand) and len(idx) > 1
    stacked = (
        lines[cand_pos].block == title_block
        and next_pos < len(lines)
        and lines[next_pos].block != title_block
        and len(cand) <= SUBTITLE_MAX
        and dateline(cand) is None  # a wire's first paragraph opens with its mark
        and len(cand) < len(lines[next_pos].text)  # shorter than the copy under it
        and not _reports(cand)  # a first paragraph names its source, a standfirst seldom
    )
    is_subtitle = is_subtitle or stacked
    # "Новые правила ..., сообщили в МВД." over "АСТАНА, 5 дек — Sputnik. ...": the wire copy
    # starts at its dateline, so what stands above it is the standfirst.
    wire_follows = (
        next_pos < len(lines)
        and dateline(lines[next_pos].text) is not None
        and dateline(cand) is None
    )
    meta_follows = meta_follows or wire_follows
    few = len(cand.split()) < LEAD_MIN_WORDS
    words = cand.split()
    if few and len(words) >= 3 and any(w[:1].islower() for w in words) and ends_with_verb(cand):
        few = False  # "Итоги конкурса уже подведены": a clause, however short
    if few or cand.startswith(("— ", "– ", "- ")):
        return ""  # a name ("Нино Нариманишвили"), a label, a line of dialogue
    if not same_block_wrap and len(cand) <= LEAD_MAX and (meta_follows or is_subtitle):
        lines[cand_pos].kind = Kind.CHROME  # consumed
        return cand
    return ""


# "..., деп хабарлады облыс әкімдігі.", "..., деді басқарма басшысы.": Kazakh closes reported
# speech with "деп" + a verb of saying or with "деді" after a comma, whoever is named after it.
_KK_REPORTED_RE = re.compile(r",\s+(?:деп\s+[а-яёәғқңөұүһі]+|деді)(?![а-яёәғқңөұүһі])", re.I)


def _reports(text: str) -> bool:
    if _KK_REPORTED_RE.search(text):
        return True
    found = attribution([text])
    return bool(found.outlets or found.originals)


def _credit_led(lines: list[Line], pos: int) -> bool:
    """The credit line before ``pos`` is the first non-chrome line after the title."""
    for ln in reversed(lines[:pos]):
        if ln.kind is Kind.CREDIT:
            continue
        return ln.kind is not Kind.DATE
    return True


def parse_article_report(
    text: str, *, tz: zoneinfo.ZoneInfo, now: datetime | None = None
) -> tuple[ArticleContent, ParseReport]:
    """``parse_article`` and what it was not sure of."""
    norm = normalize_text(text)
    if not any(ch.isalnum() for ch in norm):
        return ArticleContent(), ParseReport(warnings=(ParseWarning.NO_BODY,))
    lines, blank_separated = lines_of(norm)
    meta = classify(lines, tz, now)
    drop_structural_chrome(lines)
    drop_tail_appeals(lines, meta.mastheads)
    mark_captions(lines, settled=True)  # again: a widget line over the caption is chrome only now
    settle_header(lines)
    masthead_on_top(lines, meta)
    settle_header(lines, masthead_known=True)
    title, tab_outlet = split_title_outlet(_take_title(lines))
    if tab_outlet:
        meta.mastheads.append(tab_outlet)
    title, stamp = _unglue_byline(title, tz, now)
    if stamp is not None and meta.published is None:
        meta.published = stamp
    title_block = next((ln.block for ln in lines if title and ln.text.startswith(title)), -1)
    lead = _take_lead(lines, title_block) if title else ""
    body = _paragraphs(lines, blank_separated)

    # Wire dateline of the first paragraph: agency and (often yearless) date, off the text.
    agency, when = "", ""
    for where in ("lead", 0, 1):  # the lead or one of the first two paragraphs
        if where == "lead":
            para = lead
        else:
            para = body[where] if isinstance(where, int) and len(body) > where else ""
        mark = dateline(para) if para else None
        if mark is not None:
            agency, when = mark.agency, mark.when
            stripped = para[mark.length :]
            if isinstance(where, int):
                body[where] = stripped
            else:
                lead = stripped
            break
    attr = attribute(lead, body, agency, meta)
    published = meta.published or meta.updated
    if published is None and when:
        published = find_datetime(when, tz=tz, now=now)

    warnings: list[str] = []
    if not title:
        warnings.append(ParseWarning.DERIVED_TITLE)
        title = next((derive_title(p) for p in body if has_letter(p)), "")
    if not title:
        # Everything looked like chrome: a draft still needs a title to show the editor.
        title = next(
            (shorten(ln.text, DERIVED_TITLE_MAX) for ln in lines if has_letter(ln.text)), ""
        )
    if not attr.source:
        warnings.append(ParseWarning.NO_SOURCE)
    elif len(attr.candidates) > 1:
        warnings.append(ParseWarning.SOURCE_CANDIDATES)
    if published is None:
        warnings.append(ParseWarning.NO_DATE)
    if not body:
        warnings.append(ParseWarning.NO_BODY)

    language = detect_language("\n".join([title, lead, *body]))
    article = ArticleContent(
        title=title,
        lead=lead,
        body=tuple(body),
        photo_credit=meta.credit,
        source_name=attr.source,
        source_url=meta.source_url,
        original_source=attr.original,
        published_at=published,
        tags=unique(meta.tags),
        language=language,
    )
    report = ParseReport(tuple(warnings), attr.candidates, attr.originals)
    return article, report


def parse_article(
    text: str, *, tz: zoneinfo.ZoneInfo, now: datetime | None = None
) -> ArticleContent:
    """Parse pasted article copy into a draft. Empty or blank input gives ``ArticleContent()``."""
    return parse_article_report(text, tz=tz, now=now)[0]
