"""One message being fitted: the article's parts prepared once, measured and rendered together.

:func:`measure_part` computes the visible length, the entities and the HTML of a part side by
side, so the length arithmetic and the HTML cannot drift apart.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.compose import marks
from bot.compose.cleaning import clean_inline, http_url
from bot.compose.hashtags import collect_hashtags
from bot.compose.paragraphs import Para, rich_paragraphs
from bot.domain import ArticleContent, ChannelTemplate, Part
from bot.strings import escape, trim

__all__ = [
    "BODY",
    "TIGHT",
    "UPDATED",
    "Draft",
    "Prepared",
    "assemble",
    "draft_size",
    "link_html",
    "measure_part",
    "new_draft",
    "prepare",
]


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

UPDATED = "updated"  # pseudo-part: the "Обновлено" mark, always last
TIGHT = frozenset({Part.CREDIT.value, Part.SOURCE.value})  # one line apart, not a blank line
BODY = Part.BODY.value


@dataclass(frozen=True, slots=True)
class Prepared:
    """Cleaned article strings and the template's choices; parts not shown are blank."""

    labels: _Labels
    parts: tuple[str, ...]
    title: str
    lead: str
    paras: tuple[Para, ...]
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
class Draft:
    """One message being fitted: the mutable copy of the parts it still shows."""

    title: str
    lead: str
    paras: list[Para]
    credit: str
    source_name: str
    original: str
    tags: list[str]
    signature: str
    updated: bool
    read_more: bool = False  # in-text "read more" link after the body
    body_kept: int = 0
    shrunk: list[str] = field(default_factory=list)  # notes: what else had to give


def prepare(
    article: ArticleContent, template: ChannelTemplate, updated: bool, has_photo: bool
) -> Prepared:
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
        credit = trim(_CREDIT_PREFIX.sub("", credit)) or credit
    signature = clean_inline(template.signature)
    return Prepared(
        labels=labels,
        parts=parts,
        title=clean_inline(article.title) if "title" in shown else "",
        lead=clean_inline(article.lead) if "lead" in shown else "",
        paras=rich_paragraphs(article.body, article.marks) if BODY in shown else (),
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


def new_draft(c: Prepared, *, body: bool = True) -> Draft:
    paras = list(c.paras) if body else []
    return Draft(
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


def link_html(text: str, url: str | None) -> str:
    if url is None:
        return escape(text)
    return f'<a href="{html.escape(url, quote=True)}">{escape(text)}</a>'


def _source_part(d: Draft, c: Prepared, render: bool) -> tuple[int, int, int, str]:
    """The attribution: "Source: name via original", each linked when it has a URL."""
    labels = c.labels
    name, original = d.source_name, d.original
    if not name and not original:
        return 0, 0, 0, ""
    size = len(labels.source) + 2
    ents = auto = 0
    out = f"{escape(labels.source)}: " if render else ""
    if name:
        size += len(name)
        # A linked name is one entity; a bare one may hold a link Telegram detects ("El.kz").
        if c.source_url is not None:
            ents += 1
        else:
            auto += marks.auto_entities_cached(name)
        if render:
            out += link_html(name, c.source_url)
    if original:
        if name:
            size += len(labels.via) + 2
            if render:
                out += f" {escape(labels.via)} "
        size += len(original)
        if c.original_url is not None:
            ents += 1
        else:
            auto += marks.auto_entities_cached(original)
        if render:
            out += link_html(original, c.original_url)
    return size, ents, auto, out


def measure_part(d: Draft, c: Prepared, part: str, render: bool) -> tuple[int, int, int, str]:
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
        return len(d.title), 1, auto, f"<b>{escape(d.title)}</b>" if render else ""
    if part == "lead":
        if not d.lead:
            return 0, 0, 0, ""
        auto = marks.auto_entities_cached(d.lead)
        return len(d.lead), 1, auto, f"<i>{escape(d.lead)}</i>" if render else ""
    if part == BODY:
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
            out += ("\n" if d.paras else "") + link_html(labels.read_more, c.read_more_url)
        return size, ents, auto, out
    if part == "credit":
        if not d.credit:
            return 0, 0, 0, ""
        size = len(labels.photo) + 2 + len(d.credit)
        auto = marks.auto_entities_cached(d.credit)  # "Фото: t.me/antikornews" is a link
        return size, 0, auto, f"{escape(labels.photo)}: {escape(d.credit)}" if render else ""
    if part == "source":
        return _source_part(d, c, render)
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
        return len(d.signature), ents, 0, link_html(d.signature, c.signature_url) if render else ""
    if part == UPDATED:
        if not d.updated:
            return 0, 0, 0, ""
        return len(labels.updated), 1, 0, f"<i>{escape(labels.updated)}</i>" if render else ""
    return 0, 0, 0, ""


def assemble(d: Draft, c: Prepared, render: bool) -> tuple[int, int, int, str]:
    """(visible length, formatting entities, detected entities, html) of the whole message."""
    total = ents = tags = 0
    pieces: list[str] = []
    prev = ""
    for part in (*c.parts, UPDATED):
        size, e, h, out = measure_part(d, c, part, render)
        if not size:
            continue
        if prev:
            tight = prev in TIGHT and part in TIGHT
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


def draft_size(d: Draft, c: Prepared) -> tuple[int, int]:
    total, ents, tags, _ = assemble(d, c, False)
    return total, ents + tags
