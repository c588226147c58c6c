"""Pure readers of a parsed page's metadata: <meta> tags, JSON-LD, <link rel=canonical>,
the language and a photo credit, and the date formats they use."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final

__all__ = [
    "HtmlElement",
    "canonical_href",
    "first_value",
    "ld_value",
    "meta_values",
    "page_language",
    "parse_datetime",
    "photo_credit",
]

# An lxml.html element; lxml ships no type stubs here, and we only call iter/get/findtext.
HtmlElement = Any

_CREDIT_RE: Final = re.compile(
    r"^\s*(?:фото|photo|foto|credit|image|изображение)\s*[:：—–-]\s*(.+)$", re.IGNORECASE
)
_LANG_RE: Final = re.compile(r"^([a-zA-Z]{2,3})(?:[-_].*)?$")
# ASCII whitespace only: no-break spaces ("2017\xa0года") are deliberate typography.
_SPACES: Final = re.compile(r"[ \t\n\r\f\v]+")


def meta_values(tree: HtmlElement) -> dict[str, list[str]]:
    """All <meta> values keyed by lowercased property/name/itemprop, in document order."""
    found: dict[str, list[str]] = {}
    for element in tree.iter("meta"):
        content = (element.get("content") or "").strip()
        if not content:
            continue
        for attribute in ("property", "name", "itemprop"):
            key = (element.get(attribute) or "").strip().lower()
            if key:
                found.setdefault(key, []).append(content)
    return found


def first_value(meta: Mapping[str, list[str]], keys: tuple[str, ...]) -> str:
    """The first value of the first of ``keys`` present in ``meta`` (keys in priority order)."""
    for key in keys:
        values = meta.get(key)
        if values:
            return values[0]
    return ""


def _json_ld(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON object in the page's JSON-LD blocks (including @graph members)."""
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack: list[Any] = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                stack.extend(v for k, v in item.items() if k == "@graph")


def ld_value(tree: HtmlElement, key: str) -> str:
    """The first non-empty JSON-LD ``key`` as text (a list's first item, an object's url/@id)."""
    for item in _json_ld(tree):
        value = item.get(key)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, dict):
            value = value.get("url") or value.get("@id")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def parse_datetime(value: str) -> datetime | None:
    """ISO 8601 or RFC 2822 text → aware UTC datetime; naive values are taken as UTC."""
    text = value.strip()
    if not text:
        return None
    parsed: datetime | None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def page_language(tree: HtmlElement, meta: Mapping[str, list[str]], fallback: str | None) -> str:
    """Two- or three-letter language code: <html lang>, then meta tags, then ``fallback``."""
    candidates = (
        tree.get("lang") or "",
        first_value(meta, ("og:locale", "content-language", "language")),
        fallback or "",
    )
    for candidate in candidates:
        match = _LANG_RE.match(candidate.strip())
        if match:
            return match.group(1).lower()
    return ""


def canonical_href(tree: HtmlElement) -> str:
    """The href of <link rel="canonical">, as written (not resolved)."""
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            return (link.get("href") or "").strip()
    return ""


def photo_credit(tree: HtmlElement) -> str:
    """Credit line of the first figure caption written as "Фото: ..." / "Photo: ..."."""
    for caption in tree.iter("figcaption"):
        match = _CREDIT_RE.match(_SPACES.sub(" ", caption.text_content()))
        if match:
            return match.group(1).strip()
    return ""
