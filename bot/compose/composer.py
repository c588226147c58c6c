"""Articles become the exact Telegram messages a channel receives: pure functions, no I/O.

Lengths are counted while the HTML is built, never by re-parsing it. That works because every
piece of article text is cleaned once up front (see :func:`clean_inline`): after cleaning, the
code-point length of the raw string is exactly what Telegram counts for it, since escapes
(``&amp;`` …) and tags cost nothing after entity parsing, and no part starts or ends with
whitespace Telegram would trim.

Cuts happen on the raw strings before escaping, so they can never split an escape sequence, a
tag or an entity; they fall on sentence or word boundaries (whitespace), which never splits a
grapheme cluster; only a part that must keep *something* (a title with no spaces, say) falls back
to a grapheme-safe cut.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urlsplit

from bot.compose import marks
from bot.compose.hashtags import collect_hashtags
from bot.compose.marks import Span
from bot.domain import (
    ArticleContent,
    ChannelTemplate,
    Layout,
    Mark,
    OutMessage,
    Part,
    Photo,
    Post,
    UrlButton,
)
from bot.limits import ALBUM_MAX, ALBUM_MIN, CAPTION_LIMIT, ENTITY_LIMIT, TEXT_LIMIT

__all__ = [
    "ALBUM_MAX",
    "CAPTION_LIMIT",
    "ENTITY_LIMIT",
    "TEXT_LIMIT",
    "clean_inline",
    "compose",
    "http_url",
]

# A body block carrying more entities than this has its formatting dropped (it is sent alone).
_BLOCK_ENTITIES = ENTITY_LIMIT

# In auto layout, an article that fits one text message but not a caption is shortened into the
# caption only when the reader loses at most this share of the body (and nothing but the body):
# a second message for a paragraph or two is noisier than the cut. Longer overflows are split,
# so the channel carries the whole text. The template's max_body_cut_ratio caps it further, so
# auto never produces a post that check() flags as "body_shortened".
AUTO_CAPTION_MAX_CUT = 0.2


# --------------------------------------------------------------------------- cleaning


# tdlib's clean_input_string turns C0 controls into spaces, drops \r, U+2028..U+202E and the
# combining marks U+030A, U+0333, U+033F. We remove them first so our count is Telegram's (and
# line/paragraph separators become spaces rather than vanishing between two words). Lone
# surrogates cannot be encoded as UTF-8 at all.
_BAD_CHARS = re.compile("[\x00-\x09\x0b-\x1f\u2028-\u202e\u030a\u0333\u033f\ud800-\udfff]")
# Whitespace runs collapse to one space, except the non-breaking spaces typographers put on
# purpose (and we never cut at those).
# The pattern leaves single plain spaces alone, so typical text is scanned and not rebuilt.
_INLINE_WS = re.compile(r"[^\S\xa0\u2007\u202f]{2,}|[^\S \xa0\u2007\u202f]")
# Invisible characters that must not dangle at either end of a part (a ZWJ before "…" would try
# to join it to the previous emoji).
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_KEPT_SPACES = "\xa0\u2007\u202f"


def _bad_replacement(ch: str) -> str:
    return " " if ch in "\t\u2028\u2029" or (ch < " " and ch != "\r") else ""


def _replace_bad(m: re.Match[str]) -> str:
    return _bad_replacement(m.group())


def _clean_line(text: str) -> str:
    """Clean, collapse whitespace, trim; the common case costs a few C-level scans."""
    # isprintable() is False for every control, separator, format character and surrogate, so
    # ordinary text skips both regexes; only the three combining marks need their own look.
    printable = text.isprintable()
    if not printable or "\u030a" in text or "\u0333" in text or "\u033f" in text:
        text = _BAD_CHARS.sub(_replace_bad, text)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        # NFC also turns a + U+030A into å before the bare mark is removed.
        text = _BAD_CHARS.sub(_replace_bad, unicodedata.normalize("NFC", text))
    if not printable or "  " in text:
        text = _INLINE_WS.sub(" ", text)
    return _trim(text)


def _trim(text: str) -> str:
    while True:
        trimmed = text.strip().strip(_INVISIBLE)
        if trimmed == text:
            return text
        text = trimmed


def clean_inline(text: str) -> str:
    """One line of article text as it will be counted: cleaned, whitespace collapsed, trimmed."""
    return _clean_line(text) if text else ""


def clean_paragraphs(body: tuple[str, ...]) -> tuple[str, ...]:
    """Body paragraphs: cleaned, line breaks inside a paragraph kept, blank lines split it."""
    out: list[str] = []
    for raw in body:
        if "\n" not in raw:
            if cleaned := _clean_line(raw):
                out.append(cleaned)
            continue
        lines: list[str] = []
        # \r\n and a lone \r are line breaks too (tdlib drops \r; we keep the break).
        for line in raw.replace("\r\n", "\n").split("\n"):
            cleaned = _clean_line(line)
            if cleaned:
                lines.append(cleaned)
            elif lines:
                out.append("\n".join(lines))
                lines = []
        if lines:
            out.append("\n".join(lines))
    return tuple(out)


def _is_trimmed(ch: str) -> bool:
    return ch.isspace() or ch in _INVISIBLE


def _clean_mapped(raw: str) -> tuple[str, list[int]] | None:
    """Clean one paragraph like :func:`clean_paragraphs` and map positions through it.

    Returns the cleaned text and, for every index ``i`` of ``raw`` (and ``len(raw)``), how many
    cleaned characters come from ``raw[:i]``, so a span ``[s, e)`` of ``raw`` becomes
    ``[m[s], m[e])``. None when the cleaning does not keep the text a subsequence of ``raw``
    (NFC recomposition, a blank line splitting it): formatting is then dropped, never misplaced.
    """
    if not raw.isascii() and not unicodedata.is_normalized("NFC", raw):
        return None
    out: list[str] = []
    pos = [0] * (len(raw) + 1)
    line_start = 0  # index in out where the current line starts
    pending_space = blank = False
    for i, ch in enumerate(raw):
        if ch == "\n":
            while len(out) > line_start and _is_trimmed(out[-1]):
                out.pop()
            pos[i] = len(out)
            if len(out) > line_start:
                out.append("\n")
            else:
                blank = bool(out)  # text after a blank line would be another paragraph
            line_start = len(out)
            pending_space = False
            continue
        pos[i] = len(out)
        if _BAD_CHARS.match(ch) is not None:
            ch = _bad_replacement(ch)
            if not ch:
                continue
        if ch.isspace() and ch not in _KEPT_SPACES:
            pending_space = len(out) > line_start
            continue
        if pending_space:
            out.append(" ")
            pending_space = False
            pos[i] = len(out)
        if len(out) == line_start and _is_trimmed(ch):
            continue  # a line's leading invisible characters and no-break spaces are trimmed
        if blank:
            return None
        out.append(ch)
    while out and _is_trimmed(out[-1]):
        out.pop()
    text = "".join(out)
    if clean_paragraphs((raw,)) != ((text,) if text else ()):
        return None
    pos[len(raw)] = len(out)
    # Characters trimmed at a line's end were counted before they were removed: a backward
    # running minimum maps them to where the kept text resumes.
    for i in range(len(raw) - 1, -1, -1):
        pos[i] = min(pos[i], pos[i + 1])
    return text, pos


_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\s\ud800-\udfff]")


def http_url(url: str) -> str | None:
    """The URL when it is an http(s) URL Telegram will accept as a link, else None."""
    url = url.strip()
    if not url or len(url) > 2048 or _URL_FORBIDDEN.search(url) is not None:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. a malformed IPv6 literal
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return url


# --------------------------------------------------------------------------- cutting

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


def _word_prefix(text: str, max_len: int) -> str:
    """Longest prefix of at most max_len chars ending before whitespace (trimmed), or ""."""
    if len(text) <= max_len:
        return text
    if max_len <= 0:
        return ""
    i = max(text.rfind(" ", 0, max_len + 1), text.rfind("\n", 0, max_len + 1))
    return _trim(text[:i]) if i > 0 else ""


def _is_ri(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def _splits_grapheme(text: str, p: int) -> bool:
    """Would cutting before text[p] split an (extended) grapheme cluster?"""
    ch, prev = text[p], text[p - 1]
    o = ord(ch)
    if prev == "\u200d" or ch == "\u200d":
        return True  # emoji ZWJ sequences
    if (
        0xFE00 <= o <= 0xFE0F  # variation selectors
        or 0xE0100 <= o <= 0xE01EF
        or 0x1F3FB <= o <= 0x1F3FF  # skin tones
        or 0xE0020 <= o <= 0xE007F  # emoji tag sequences (flags of regions)
        or 0x1160 <= o <= 0x11FF  # Hangul medial vowels and final consonants
        or 0xD7B0 <= o <= 0xD7FF
    ):
        return True
    if unicodedata.category(ch) in ("Mn", "Mc", "Me"):
        return True
    if unicodedata.combining(prev) == 9 and ch.isalpha():
        return True  # virama + consonant: an Indic conjunct
    if _is_ri(ch) and _is_ri(prev):
        run = 0
        q = p - 1
        while q >= 0 and _is_ri(text[q]):
            run += 1
            q -= 1
        return run % 2 == 1  # flags are pairs of regional indicators
    return False


def _grapheme_prefix(text: str, max_len: int) -> str:
    if len(text) <= max_len:
        return text
    p = max_len
    while p > 0 and _splits_grapheme(text, p):
        p -= 1
    return _trim(text[:p])


_ELLIPSIS = "…"
_DANGLING = " ,;:-–—(«\"'"


def shorten(text: str, max_len: int, *, hard: bool = True) -> str:
    """``text`` if it fits, else a prefix cut at a word boundary plus "…", within max_len.

    ``hard`` allows a grapheme-safe cut inside a word when there is no word boundary (a part
    that must keep something); otherwise the result is "" in that case.
    """
    if len(text) <= max_len:
        return text
    if max_len <= 0:
        return ""
    room = max_len - 1
    kept = _word_prefix(text, room).rstrip(_DANGLING)
    if not kept and hard:
        kept = _grapheme_prefix(text, room).rstrip(_DANGLING)
    if not kept:
        return _ELLIPSIS if hard else ""
    return _trim(kept) + _ELLIPSIS


class _Para(NamedTuple):
    """A cleaned body paragraph with its formatting spans and Telegram's own entities in it."""

    text: str
    spans: tuple[Span, ...] = ()
    auto: int = 0  # links, mentions and hashtags Telegram will detect (see marks.auto_entities)

    @property
    def entities(self) -> int:
        return len(self.spans) + self.auto


def _para(text: str, spans: tuple[Span, ...] = ()) -> _Para:
    return _Para(text, spans, marks.auto_entities(text))


def _slice(p: _Para, start: int, end: int, suffix: str = "") -> _Para:
    """``p.text[start:end] + suffix``, keeping the formatting of the part kept."""
    return _para(p.text[start:end] + suffix, marks.clip(p.spans, start, end))


def _cut_body(paras: list[_Para], budget: int) -> tuple[list[_Para], int]:
    """The start of a body that does not fit: whole paragraphs, then a sentence, else words.

    Returns the paragraphs to show (the last one ending with an ellipsis) and how many body
    characters they keep, all within ``budget`` visible characters (with the "\\n\\n" between
    paragraphs).
    """
    kept: list[_Para] = []
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
            kept.append(_slice(para, 0, end, " " + _ELLIPSIS))
            chars += end
        elif kept:
            last = kept[-1]
            kept[-1] = _Para(last.text + " " + _ELLIPSIS, last.spans, last.auto)
        else:
            prefix = _word_prefix(para.text, room - 1).rstrip(_DANGLING) if room > 1 else ""
            if prefix:
                kept.append(_slice(para, 0, len(prefix), _ELLIPSIS))
                chars += len(prefix)
        return kept, chars
    return kept, chars  # only reached when the whole body fitted after all


def _trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``text[start:end]`` without the ends :func:`_trim` would strip."""
    while start < end and _is_trimmed(text[start]):
        start += 1
    while end > start and _is_trimmed(text[end - 1]):
        end -= 1
    return start, end


def _chunk_spans(text: str, limit: int) -> list[tuple[int, int]]:
    """Where to split a paragraph longer than ``limit``: at sentences, else words."""
    out: list[tuple[int, int]] = []
    pos, n = _trim_span(text, 0, len(text))
    while n - pos > limit:
        rest = text[pos:n]
        end = _last_sentence_end(rest, limit)
        if end < limit // 2:
            word = _word_prefix(rest, limit)
            end = len(word) if word else 0
            if end < limit // 4:
                # No usable boundary (one enormous token): cut between graphemes.
                end = len(_grapheme_prefix(rest, limit)) or limit
        start, stop = _trim_span(text, pos, pos + end)
        if stop > start:
            out.append((start, stop))
        pos, n = _trim_span(text, pos + end, n)
    if n > pos:
        out.append((pos, n))
    return out


def _chunks(text: str, limit: int) -> list[str]:
    """Split a paragraph longer than ``limit`` into pieces, at sentences, else words."""
    return [text[a:b] for a, b in _chunk_spans(text, limit)]


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


def rich_paragraphs(body: tuple[str, ...], body_marks: tuple[Mark, ...]) -> tuple[_Para, ...]:
    """The cleaned body paragraphs with their formatting mapped through the cleaning."""
    if not body_marks:
        return tuple(map(_para, clean_paragraphs(body)))
    by_para: dict[int, list[Mark]] = {}
    for m in body_marks:
        by_para.setdefault(m.para, []).append(m)
    out: list[_Para] = []
    for i, raw in enumerate(body):
        mapped = _clean_mapped(raw) if i in by_para else None
        if mapped is None:
            out.extend(map(_para, clean_paragraphs((raw,))))
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
        out.append(_para(text, _spans(moved, len(text))))
    return tuple(out)


# --------------------------------------------------------------------------- drafts


@dataclass(frozen=True, slots=True)
class _Labels:
    photo: str
    source: str
    via: str
    read_more: str
    updated: str


_LABELS: dict[str, _Labels] = {
    "ru": _Labels("Фото", "Источник", "со ссылкой на", "Читать далее", "Обновлено"),
    "en": _Labels("Photo", "Source", "via", "Read more", "Updated"),
}
# An editor's "Фото: ТАСС" must not become "Фото: Фото: ТАСС".
_CREDIT_PREFIX = re.compile(r"^(?:фото|photo|foto)(?:\s+by)?\b\s*[:\-—–]?\s*", re.IGNORECASE)

_UPDATED = "updated"  # pseudo-part: the "Обновлено" mark, always last
_TIGHT = frozenset({Part.CREDIT.value, Part.SOURCE.value})  # one line apart, not a blank line
_BODY = Part.BODY.value


@dataclass(frozen=True, slots=True)
class _Prepared:
    """Cleaned article strings and the template's choices; parts not shown are blank."""

    labels: _Labels
    parts: tuple[str, ...]
    title: str
    lead: str
    paras: tuple[_Para, ...]
    credit: str
    source_name: str
    source_url: str | None
    original: str
    original_url: str | None
    tags: tuple[str, ...]
    signature: str
    signature_url: str | None
    read_more_url: str | None
    updated: bool


@dataclass(slots=True)
class _Draft:
    """One message being fitted: the mutable copy of the parts it still shows."""

    title: str
    lead: str
    paras: list[_Para]
    credit: str
    source_name: str
    original: str
    tags: list[str]
    signature: str
    updated: bool
    read_more: bool = False  # in-text "read more" link after the body
    body_kept: int = 0
    shrunk: list[str] = field(default_factory=list)  # notes: what else had to give


def _prepare(
    article: ArticleContent, template: ChannelTemplate, updated: bool, has_photo: bool
) -> _Prepared:
    labels = _LABELS.get(template.language.split("-")[0].lower(), _LABELS["en"])
    parts = tuple(dict.fromkeys(str(p) for p in template.parts))
    shown = frozenset(parts)

    source_url = http_url(article.source_url)
    name = clean_inline(article.source_name)
    if not name and source_url is not None:
        name = (urlsplit(source_url).hostname or "").removeprefix("www.")
    original = clean_inline(article.original_source)
    if name and original.casefold() == name.casefold():
        original = ""
    credit = clean_inline(article.photo_credit)
    if credit:
        credit = _trim(_CREDIT_PREFIX.sub("", credit)) or credit
    signature = clean_inline(template.signature)
    return _Prepared(
        labels=labels,
        parts=parts,
        title=clean_inline(article.title) if "title" in shown else "",
        lead=clean_inline(article.lead) if "lead" in shown else "",
        paras=rich_paragraphs(article.body, article.marks) if _BODY in shown else (),
        # A credit without a photo in the post would credit nothing.
        credit=credit if "credit" in shown and has_photo else "",
        source_name=name if "source" in shown else "",
        source_url=source_url,
        original=original if "source" in shown else "",
        original_url=http_url(article.original_url),
        tags=collect_hashtags(article, template) if "tags" in shown else (),
        signature=signature if "signature" in shown else "",
        signature_url=http_url(template.signature_url) if signature else None,
        read_more_url=source_url,
        updated=updated,
    )


def _draft(c: _Prepared, *, body: bool = True) -> _Draft:
    paras = list(c.paras) if body else []
    return _Draft(
        title=c.title,
        lead=c.lead,
        paras=paras,
        credit=c.credit,
        source_name=c.source_name,
        original=c.original,
        tags=list(c.tags),
        signature=c.signature,
        updated=c.updated,
        body_kept=sum(len(p.text) for p in paras),
    )


_esc = marks.escape


def _link(text: str, url: str | None) -> str:
    if url is None:
        return _esc(text)
    return f'<a href="{html.escape(url, quote=True)}">{_esc(text)}</a>'


def _part(d: _Draft, c: _Prepared, part: str, render: bool) -> tuple[int, int, int, str]:
    """(visible length, formatting entities, detected entities, html) of one part.

    Length 0 means the part is absent. Detected entities are the ones Telegram adds by itself
    (hashtags, links and mentions in the text): they count towards the cap of 100 but are not
    in our HTML. The length arithmetic and the HTML live side by side here so they cannot
    drift apart.
    """
    labels = c.labels
    if part == "title":
        if not d.title:
            return 0, 0, 0, ""
        auto = marks.auto_entities_cached(d.title)
        return len(d.title), 1, auto, f"<b>{_esc(d.title)}</b>" if render else ""
    if part == "lead":
        if not d.lead:
            return 0, 0, 0, ""
        auto = marks.auto_entities_cached(d.lead)
        return len(d.lead), 1, auto, f"<i>{_esc(d.lead)}</i>" if render else ""
    if part == _BODY:
        size = 2 * (len(d.paras) - 1) if d.paras else 0
        ents = auto = 0
        for p in d.paras:
            size += len(p.text)
            ents += len(p.spans)
            auto += p.auto
        if d.read_more and c.read_more_url is not None:
            size += (1 if d.paras else 0) + len(labels.read_more)
            ents += 1
        if not render or not size:
            return size, ents, auto, ""
        out = "\n\n".join(marks.render(p.text, p.spans) for p in d.paras)
        if d.read_more and c.read_more_url is not None:
            out += ("\n" if d.paras else "") + _link(labels.read_more, c.read_more_url)
        return size, ents, auto, out
    if part == "credit":
        if not d.credit:
            return 0, 0, 0, ""
        size = len(labels.photo) + 2 + len(d.credit)
        auto = marks.auto_entities_cached(d.credit)  # "Фото: t.me/antikornews" is a link
        return size, 0, auto, f"{_esc(labels.photo)}: {_esc(d.credit)}" if render else ""
    if part == "source":
        name, original = d.source_name, d.original
        if not name and not original:
            return 0, 0, 0, ""
        size = len(labels.source) + 2
        ents = auto = 0
        out = f"{_esc(labels.source)}: " if render else ""
        if name:
            size += len(name)
            # A linked name is one entity; a bare one may hold a link Telegram detects ("El.kz").
            if c.source_url is not None:
                ents += 1
            else:
                auto += marks.auto_entities_cached(name)
            if render:
                out += _link(name, c.source_url)
        if original:
            if name:
                size += len(labels.via) + 2
                if render:
                    out += f" {_esc(labels.via)} "
            size += len(original)
            if c.original_url is not None:
                ents += 1
            else:
                auto += marks.auto_entities_cached(original)
            if render:
                out += _link(original, c.original_url)
        return size, ents, auto, out
    if part == "tags":
        if not d.tags:
            return 0, 0, 0, ""
        size = sum(map(len, d.tags)) + len(d.tags) - 1
        # Hashtags are plain text (only letters, digits, "_" and "#"): nothing to escape.
        return size, 0, len(d.tags), " ".join(d.tags) if render else ""
    if part == "signature":
        if not d.signature:
            return 0, 0, 0, ""
        ents = int(c.signature_url is not None)
        return len(d.signature), ents, 0, _link(d.signature, c.signature_url) if render else ""
    if part == _UPDATED:
        if not d.updated:
            return 0, 0, 0, ""
        return len(labels.updated), 1, 0, f"<i>{_esc(labels.updated)}</i>" if render else ""
    return 0, 0, 0, ""


def _assemble(d: _Draft, c: _Prepared, render: bool) -> tuple[int, int, int, str]:
    """(visible length, formatting entities, detected entities, html) of the whole message."""
    total = ents = tags = 0
    pieces: list[str] = []
    prev = ""
    for part in (*c.parts, _UPDATED):
        size, e, h, out = _part(d, c, part, render)
        if not size:
            continue
        if prev:
            tight = prev in _TIGHT and part in _TIGHT
            total += 1 if tight else 2
            if render:
                pieces.append("\n" if tight else "\n\n")
        total += size
        ents += e
        tags += h
        prev = part
        if render:
            pieces.append(out)
    return total, ents, tags, "".join(pieces)


def _size(d: _Draft, c: _Prepared) -> tuple[int, int]:
    total, ents, tags, _ = _assemble(d, c, False)
    return total, ents + tags


def _fit(
    d: _Draft, c: _Prepared, limit: int, *, read_more_in_text: bool, lead_to_text: bool = False
) -> str:
    """Shrink the draft until it fits ``limit`` and the entity cap. Returns a lead moved out.

    What gives, in order: the body (sentence, then word boundary), hashtags from the end, the
    in-text read-more link, the credit, the lead (shortened, or moved to the follow-up text in
    the split layout), the title, the "updated" mark, and only then the attribution and the
    signature, which are shortened but never dropped.
    """
    n, ents = _size(d, c)
    if ents > ENTITY_LIMIT and d.tags:
        # Hashtags are entities too (Telegram detects them): they go first.
        keep = max(0, len(d.tags) - (ents - ENTITY_LIMIT))
        del d.tags[keep:]
        d.shrunk.append("tags_dropped")
        n, ents = _size(d, c)
    if ents > ENTITY_LIMIT and any(p.spans for p in d.paras):
        # Then the body's formatting: its words matter more than its bold.
        d.paras = [p._replace(spans=()) for p in d.paras]
        d.shrunk.append("formatting_dropped")
        n, ents = _size(d, c)
    if n <= limit:
        return ""

    if d.paras:
        full = d.paras
        # Measure everything else with a one-character body to learn the body's budget.
        d.paras = [_Para("x")]
        d.read_more = read_more_in_text
        n, _ = _size(d, c)
        d.paras, d.body_kept = _cut_body(full, limit - (n - 1))
        n, _ = _size(d, c)
        if n <= limit:
            return ""

    if d.tags:
        while d.tags and n > limit:
            d.tags.pop()
            n, _ = _size(d, c)
        d.shrunk.append("tags_dropped")
        if n <= limit:
            return ""

    if d.read_more:
        d.read_more = False
        d.shrunk.append("read_more_dropped")
        n, _ = _size(d, c)
        if n <= limit:
            return ""

    moved = ""
    steps = ("credit", "lead", "title", _UPDATED, "original", "source_name", "signature")
    if lead_to_text:
        # Moving the lead to the follow-up text loses nothing, so it goes before the credit.
        steps = ("lead", "credit", *steps[2:])
    for step in steps:
        excess = n - limit
        if excess <= 0:
            break
        if step == "credit" and d.credit:
            d.credit = ""
            d.shrunk.append("credit_dropped")
        elif step == "lead" and d.lead:
            if lead_to_text:
                moved, d.lead = d.lead, ""
                d.shrunk.append("lead_moved")
            else:
                short = shorten(d.lead, len(d.lead) - excess, hard=False)
                # A lead cut to a word or two says nothing: drop it instead.
                d.lead = short if len(short) >= min(12, len(d.lead)) else ""
                d.shrunk.append("lead_shortened")
        elif step == "title" and d.title:
            d.title = shorten(d.title, len(d.title) - excess)
            d.shrunk.append("title_shortened")
        elif step == _UPDATED and d.updated:
            d.updated = False
            d.shrunk.append("updated_dropped")
        elif step == "original" and d.original:
            d.original = shorten(d.original, len(d.original) - excess)
            d.shrunk.append("source_shortened")
        elif step == "source_name" and d.source_name:
            d.source_name = shorten(d.source_name, len(d.source_name) - excess)
            d.shrunk.append("source_shortened")
        elif step == "signature" and d.signature:
            d.signature = shorten(d.signature, len(d.signature) - excess)
            d.shrunk.append("signature_shortened")
        else:
            continue
        n, _ = _size(d, c)
    return moved


# --------------------------------------------------------------------------- messages


class _Block(NamedTuple):
    """A unit of a text message that is never split across messages."""

    part: str
    html: str
    length: int
    entities: int
    detected: int = 0  # hashtags, links and mentions Telegram detects by itself


def _text_block(part: str, text: str, tag: str = "") -> _Block:
    inner = _esc(text)
    html_ = f"<{tag}>{inner}</{tag}>" if tag else inner
    return _Block(part, html_, len(text), 1 if tag else 0, marks.auto_entities(text))


def _single_part_block(d: _Draft, c: _Prepared, part: str) -> _Block | None:
    """One non-body part on its own, shrunk to a text message when (absurdly) longer."""
    only = _Draft(
        title=d.title if part == "title" else "",
        lead="",
        paras=[],
        credit=d.credit if part == "credit" else "",
        source_name=d.source_name if part == "source" else "",
        original=d.original if part == "source" else "",
        tags=list(d.tags) if part == "tags" else [],
        signature=d.signature if part == "signature" else "",
        updated=d.updated if part == _UPDATED else False,
    )
    _fit(only, c, TEXT_LIMIT, read_more_in_text=False)
    d.shrunk.extend(only.shrunk)
    size, ents, tags, out = _assemble(only, c, True)
    return _Block(part, out, size, ents, tags) if size else None


def _body_blocks(paras: list[_Para] | tuple[_Para, ...], lead: str = "") -> list[_Block]:
    blocks = [_text_block(_BODY, piece, "i") for piece in _chunks(lead, TEXT_LIMIT)]
    for para in paras:
        if len(para.text) <= TEXT_LIMIT and not para.spans:
            blocks.append(_Block(_BODY, _esc(para.text), len(para.text), 0, para.auto))
            continue
        pieces = (
            [para]
            if len(para.text) <= TEXT_LIMIT
            else [_slice(para, a, b) for a, b in _chunk_spans(para.text, TEXT_LIMIT)]
        )
        for piece in pieces:
            if piece.entities > _BLOCK_ENTITIES:
                # Formatting so dense it would not fit one message: the text matters more.
                piece = piece._replace(spans=())
            text = piece.text
            rendered = marks.render(text, piece.spans)
            blocks.append(_Block(_BODY, rendered, len(text), len(piece.spans), piece.auto))
    return blocks


def _pack(blocks: list[_Block]) -> list[tuple[str, int, int]]:
    """Greedily fill text messages (≤ 4096 visible, ≤ 100 entities) with whole blocks."""
    out: list[tuple[str, int, int]] = []
    pieces: list[str] = []
    length = ents = tags = 0
    prev = ""
    for b in blocks:
        tight = prev in _TIGHT and b.part in _TIGHT
        sep = (1 if tight else 2) if pieces else 0
        if pieces and (
            length + sep + b.length > TEXT_LIMIT
            or ents + tags + b.entities + b.detected > ENTITY_LIMIT
        ):
            out.append(("".join(pieces), length, ents))
            pieces, length, ents, tags, sep = [], 0, 0, 0, 0
        if sep:
            pieces.append("\n" if tight else "\n\n")
        pieces.append(b.html)
        length += sep + b.length
        ents += b.entities
        tags += b.detected
        prev = b.part
    if pieces:
        out.append(("".join(pieces), length, ents))
    return out


def _buttons(c: _Prepared, template: ChannelTemplate) -> tuple[UrlButton, ...]:
    if template.read_more_button and c.read_more_url is not None:
        return (UrlButton(c.labels.read_more, c.read_more_url),)
    return ()


def _media_message(
    d: _Draft,
    c: _Prepared,
    photos: tuple[Photo, ...],
    buttons: tuple[UrlButton, ...],
    silent: bool,
) -> OutMessage:
    size, ents, _, out = _assemble(d, c, True)
    album = len(photos) >= ALBUM_MIN
    return OutMessage(
        kind="album" if album else "photo",
        html=out,
        visible_length=size,
        entity_count=ents,
        photos=photos,
        buttons=() if album else buttons,  # albums cannot carry a keyboard
        disable_notification=silent,
    )


def _texts(
    packed: list[tuple[str, int, int]],
    buttons: tuple[UrlButton, ...],
    silent: bool,
    *,
    first_is_followup: bool = False,
) -> list[OutMessage]:
    """Text messages; the button goes on the last one, and only the first may notify."""
    last = len(packed) - 1
    return [
        OutMessage(
            kind="text",
            html=out,
            visible_length=size,
            entity_count=ents,
            buttons=buttons if i == last else (),
            # One notification per post: follow-up messages arrive silently.
            disable_notification=silent or i > 0 or first_is_followup,
        )
        for i, (out, size, ents) in enumerate(packed)
    ]


def compose(
    article: ArticleContent, template: ChannelTemplate, *, updated_mark: bool = False
) -> Post:
    """The messages a channel receives for ``article``, laid out per ``template``.

    Every message parses in Telegram's HTML mode, holds at most 1024 (caption) or 4096 (text)
    visible characters and at most 100 entities (hashtags included); see the module docstring
    for how lengths stay exact and ``_fit`` for what gives when space runs out.
    """
    # Only http(s) URL photos can be sent by URL; anything else is reported by check().
    usable = tuple(p for p in article.photos if not p.is_url or http_url(p.ref) is not None)
    photos = usable[:ALBUM_MAX]
    notes: list[str] = []
    if len(usable) > ALBUM_MAX:
        notes.append("photos_truncated")
    if len(usable) < len(article.photos):
        notes.append("photos_unusable")
    c = _prepare(article, template, updated_mark, bool(photos))
    body_total = sum(len(p.text) for p in c.paras)
    buttons = _buttons(c, template)
    silent = template.silent

    def post(messages: list[OutMessage], layout: Layout, kept: int, d: _Draft) -> Post:
        return Post(
            messages=tuple(messages),
            layout=layout,
            body_chars_total=body_total,
            body_chars_kept=kept,
            notes=tuple(dict.fromkeys((*notes, *d.shrunk))),
        )

    def single(limit: int) -> _Draft:
        d = _draft(c)
        # The in-text link is for readers who get no button: albums, or buttons turned off.
        in_text = not buttons or (limit == CAPTION_LIMIT and len(photos) >= ALBUM_MIN)
        _fit(d, c, limit, read_more_in_text=in_text)
        return d

    def as_caption() -> tuple[Post, _Draft]:
        d = single(CAPTION_LIMIT)
        message = _media_message(d, c, photos, buttons, silent)
        return post([message], Layout.CAPTION, d.body_kept, d), d

    def as_preview() -> Post:
        d = single(TEXT_LIMIT)
        size, ents, _, out = _assemble(d, c, True)
        message = OutMessage(
            kind="text",
            html=out,
            visible_length=size,
            entity_count=ents,
            link_preview_url=photos[0].ref,
            buttons=buttons,
            disable_notification=silent,
        )
        return post([message], Layout.PREVIEW, d.body_kept, d)

    def as_split() -> Post:
        d = _draft(c, body=False)
        moved = _fit(d, c, CAPTION_LIMIT, read_more_in_text=False, lead_to_text=True)
        follow = _pack(_body_blocks(c.paras, moved))
        first = _media_message(d, c, photos, () if follow else buttons, silent)
        rest = _texts(follow, buttons, silent, first_is_followup=True)
        return post([first, *rest], Layout.SPLIT, body_total, d)

    if not photos:
        notes.append("text_only")
        if template.layout is Layout.CAPTION:
            d = single(TEXT_LIMIT)
            size, ents, _, out = _assemble(d, c, True)
            messages = _texts([(out, size, ents)], buttons, silent) if size else []
            return post(messages, Layout.CAPTION, d.body_kept, d)
        d = _draft(c)
        # Other formatting in one message is at most 7 entities; keep the hashtags under the cap
        # with them so the tags line is not pushed into a message of its own.
        if len(d.tags) > ENTITY_LIMIT - 8:
            del d.tags[ENTITY_LIMIT - 8 :]
            d.shrunk.append("tags_dropped")
        blocks: list[_Block] = []
        for part in (*c.parts, _UPDATED):
            if part == _BODY:
                blocks.extend(_body_blocks(d.paras))
            elif part == "lead":
                blocks.extend(_text_block("lead", p, "i") for p in _chunks(d.lead, TEXT_LIMIT))
            elif (block := _single_part_block(d, c, part)) is not None:
                blocks.append(block)
        return post(_texts(_pack(blocks), buttons, silent), Layout.SPLIT, body_total, d)

    layout = template.layout
    preview_ok = photos[0].is_url
    if layout is Layout.PREVIEW and not preview_ok:
        notes.append("preview_unavailable")
        layout = Layout.AUTO
    full = _draft(c)
    full_len, full_ents = _size(full, c)
    if (full_len <= CAPTION_LIMIT and full_ents <= ENTITY_LIMIT) or layout is Layout.CAPTION:
        return as_caption()[0]
    if layout is Layout.SPLIT:
        return as_split()
    if layout is Layout.PREVIEW:
        return as_preview()
    # Auto. Several photos stay an album (a preview shows one); a single public photo with a
    # text that fits one message becomes a large preview above it.
    if full_len <= TEXT_LIMIT and full_ents <= ENTITY_LIMIT:
        if preview_ok and len(photos) == 1:
            return as_preview()
        max_cut = min(AUTO_CAPTION_MAX_CUT, template.max_body_cut_ratio)
        # The caption must lose at least the overflow from the body: skip hopeless candidates.
        if body_total and full_len - CAPTION_LIMIT <= max_cut * body_total:
            candidate, d = as_caption()
            cut = 1 - candidate.body_chars_kept / body_total
            if not d.shrunk and cut <= max_cut:
                return candidate
    return as_split()
