"""Body paragraphs with their formatting: built from the article, cut to a budget, chunked.

Cuts fall on sentence ends, else word boundaries (whitespace, which never splits a grapheme
cluster); only a piece with no usable boundary falls back to a grapheme-safe cut. Formatting
spans are clipped with the text they cover, so the HTML stays well formed whatever is cut.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from bot.compose import marks
from bot.compose.cleaning import clean_mapped, clean_paragraphs, http_url, is_trimmed
from bot.compose.marks import Span
from bot.domain import Mark
from bot.strings import DANGLING, ELLIPSIS, grapheme_prefix, word_prefix

__all__ = [
    "Para",
    "chunk_spans",
    "chunks",
    "cut_body",
    "make_para",
    "rich_paragraphs",
    "slice_para",
]


_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”’)\]]*(?=\s)|[。！？]+")


def _last_sentence_end(text: str, max_len: int) -> int:
    """Length of the longest prefix of at most max_len that ends a sentence, or 0."""
    best = 0
    for m in _SENTENCE_END.finditer(text, 0, max_len + 1):
        end = m.end()
        if end > max_len:
            break
        start = m.start()
        # "А. Иванов", "г. Астана", "т.е. ": a single letter before the dot is an initial or an
        # abbreviation, not the end of a sentence.
        if (
            text[start] == "."
            and start > 0
            and text[start - 1].isalpha()
            and (start < 2 or not text[start - 2].isalpha())
        ):
            continue
        best = end
    return best


class Para(NamedTuple):
    """A cleaned body paragraph with its formatting spans and Telegram's own entities in it."""

    text: str
    spans: tuple[Span, ...] = ()
    auto: int = 0  # links, mentions and hashtags Telegram will detect (see marks.auto_entities)

    @property
    def entities(self) -> int:
        return len(self.spans) + self.auto


def make_para(text: str, spans: tuple[Span, ...] = ()) -> Para:
    return Para(text, spans, marks.auto_entities(text))


def slice_para(p: Para, start: int, end: int, suffix: str = "") -> Para:
    """``p.text[start:end] + suffix``, keeping the formatting of the part kept."""
    return make_para(p.text[start:end] + suffix, marks.clip(p.spans, start, end))


def cut_body(paras: list[Para], budget: int) -> tuple[list[Para], int]:
    """The start of a body that does not fit: whole paragraphs, then a sentence, else words.

    Returns the paragraphs to show (the last one ending with an ellipsis) and how many body
    characters they keep, all within ``budget`` visible characters (with the "\\n\\n" between
    paragraphs).
    """
    kept: list[Para] = []
    used = 0
    chars = 0
    for para in paras:
        sep = 2 if kept else 0
        size = len(para.text)
        # A whole paragraph is taken only with room left for the " …" that ends the cut body.
        if used + sep + size + 2 <= budget:
            kept.append(para)
            used += sep + size
            chars += size
            continue
        room = budget - used - sep
        end = _last_sentence_end(para.text, room - 2) if room > 2 else 0
        if end:
            kept.append(slice_para(para, 0, end, " " + ELLIPSIS))
            chars += end
        elif kept:
            last = kept[-1]
            kept[-1] = Para(last.text + " " + ELLIPSIS, last.spans, last.auto)
        else:
            prefix = word_prefix(para.text, room - 1).rstrip(DANGLING) if room > 1 else ""
            if prefix:
                kept.append(slice_para(para, 0, len(prefix), ELLIPSIS))
                chars += len(prefix)
        return kept, chars
    return kept, chars  # only reached when the whole body fitted after all


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``text[start:end]`` without the ends :func:`trim` would strip."""
    while start < end and is_trimmed(text[start]):
        start += 1
    while end > start and is_trimmed(text[end - 1]):
        end -= 1
    return start, end


def chunk_spans(text: str, limit: int) -> list[tuple[int, int]]:
    """Where to split a paragraph longer than ``limit``: at sentences, else words."""
    out: list[tuple[int, int]] = []
    pos, n = _trim_span(text, 0, len(text))
    while n - pos > limit:
        rest = text[pos:n]
        end = _last_sentence_end(rest, limit)
        if end < limit // 2:
            word = word_prefix(rest, limit)
            end = len(word) if word else 0
            if end < limit // 4:
                # No usable boundary (one enormous token): cut between graphemes.
                end = len(grapheme_prefix(rest, limit)) or limit
        start, stop = _trim_span(text, pos, pos + end)
        if stop > start:
            out.append((start, stop))
        pos, n = _trim_span(text, pos + end, n)
    if n > pos:
        out.append((pos, n))
    return out


def chunks(text: str, limit: int) -> list[str]:
    """Split a paragraph longer than ``limit`` into pieces, at sentences, else words."""
    return [text[a:b] for a, b in chunk_spans(text, limit)]


def _spans(marks_of_para: list[Mark], length: int) -> tuple[Span, ...]:
    spans: list[Span] = []
    for m in marks_of_para:
        tag = marks.tag_of(m.type)
        url = None
        if tag == "a":
            url = http_url(m.url or "")
            if url is None:
                continue  # a link Telegram would refuse (tg://, javascript:): keep the text
        if tag is not None:
            spans.append(Span(m.start, m.end, tag, url))
    return marks.nest(spans, length)


def rich_paragraphs(body: tuple[str, ...], body_marks: tuple[Mark, ...]) -> tuple[Para, ...]:
    """The cleaned body paragraphs with their formatting mapped through the cleaning."""
    if not body_marks:
        return tuple(map(make_para, clean_paragraphs(body)))
    by_para: dict[int, list[Mark]] = {}
    for m in body_marks:
        by_para.setdefault(m.para, []).append(m)
    out: list[Para] = []
    for i, raw in enumerate(body):
        mapped = clean_mapped(raw) if i in by_para else None
        if mapped is None:
            out.extend(map(make_para, clean_paragraphs((raw,))))
            continue
        text, pos = mapped
        if not text:
            continue
        last = len(raw)
        moved = [
            Mark(
                m.para,
                pos[min(max(m.start, 0), last)],
                pos[min(max(m.end, 0), last)],
                m.type,
                m.url,
            )
            for m in by_para[i]
        ]
        out.append(make_para(text, _spans(moved, len(text))))
    return tuple(out)
