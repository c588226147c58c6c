"""Applying an editor's field edit to an article (pure: text in, new content or an error out)."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.domain import ArticleContent, Photo

FIELDS = ("title", "lead", "body", "credit", "source", "source_url", "tags", "photo")
# Russian and short aliases editors actually type.
ALIASES = {
    "заголовок": "title",
    "лид": "lead",
    "подзаголовок": "lead",
    "текст": "body",
    "фото": "photo",
    "кредит": "credit",
    "photo_credit": "credit",
    "источник": "source",
    "ссылка": "source_url",
    "url": "source_url",
    "теги": "tags",
    "хештеги": "tags",
}
_URL = re.compile(r"https?://\S+", re.IGNORECASE)


class EditError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # unknown_field | empty | bad_url | too_long


def normalise_field(name: str) -> str | None:
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    return key if key in FIELDS else None


def split_paragraphs(text: str) -> tuple[str, ...]:
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    if len(blocks) == 1:
        blocks = text.split("\n")
    return tuple(" ".join(b.split()) for b in blocks if b.strip())


def apply_edit(content: ArticleContent, field: str, value: str) -> ArticleContent:
    """Return ``content`` with ``field`` set from ``value``; ``-`` clears optional fields."""
    key = normalise_field(field)
    if key is None:
        raise EditError("unknown_field")
    value = value.strip()
    clear = value in ("-", "—")
    if not value:
        raise EditError("empty")
    if len(value) > 20_000:
        raise EditError("too_long")
    if key == "title":
        if clear:
            raise EditError("empty")
        return replace(content, title=" ".join(value.split()))
    if key == "lead":
        return replace(content, lead="" if clear else " ".join(value.split()))
    if key == "body":
        return replace(content, body=() if clear else split_paragraphs(value), marks=())
    if key == "credit":
        return replace(content, photo_credit="" if clear else " ".join(value.split()))
    if key == "source":
        if clear:
            return replace(content, source_name="", source_url="", original_source="")
        match = _URL.search(value)
        url = match.group(0) if match else content.source_url
        name = _URL.sub("", value).strip(" ,;—-") if match else value
        return replace(content, source_name=" ".join(name.split()), source_url=url)
    if key == "source_url":
        if clear:
            return replace(content, source_url="")
        if not _URL.fullmatch(value):
            raise EditError("bad_url")
        return replace(content, source_url=value)
    if key == "tags":
        if clear:
            return replace(content, tags=())
        tags = [t.strip().lstrip("#") for t in re.split(r"[,\s]+", value)]
        return replace(content, tags=tuple(dict.fromkeys(t for t in tags if t)))
    # photo: a public URL typed in (photos sent as photos attach through the photo handler)
    if clear:
        return replace(content, photos=())
    if not _URL.fullmatch(value):
        raise EditError("bad_url")
    return replace(content, photos=(Photo(ref=value, is_url=True),))
