"""One feedparser entry → :class:`FeedItem`: its text, photos, date, language and stable key."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from bot.domain import ArticleContent, Mark, Photo
from bot.ingest.entities import carry_marks
from bot.ingest.feed_text import detail_paragraphs, detail_text
from bot.ingest.links import absolute_http_url, normalise_link
from bot.ingest.web import split_lead
from bot.limits import ALBUM_MAX

__all__ = ["FeedItem", "entry_item", "language_code"]

_IMAGE_EXT: Final = re.compile(r"\.(?:jpe?g|png|gif|webp)(?:$|[?#])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry; ``key`` identifies it across polls (guid, else normalised link, else hash)."""

    key: str
    content: ArticleContent
    link: str


def _int(value: object) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else 0


def _photos(entry: Mapping[str, Any], content_images: Iterable[str], base: str) -> list[Photo]:
    """Enclosure and media:content images; media:thumbnail or inline <img> only as fallbacks."""
    photos: dict[str, Photo] = {}

    def add(url: str, *, width: object = 0, height: object = 0, size: object = 0) -> None:
        url = absolute_http_url(base, url)
        if url and url not in photos:
            photos[url] = Photo(
                ref=url, is_url=True, width=_int(width), height=_int(height), file_size=_int(size)
            )

    for enclosure in entry.get("enclosures") or ():
        kind = str(enclosure.get("type") or "")
        href = str(enclosure.get("href") or enclosure.get("url") or "")
        if kind.startswith("image/") or (not kind and _IMAGE_EXT.search(href)):
            add(href, size=enclosure.get("length"))
    for media in entry.get("media_content") or ():
        kind = str(media.get("type") or "")
        url = str(media.get("url") or "")
        medium = str(media.get("medium") or "")
        if medium == "image" or kind.startswith("image/") or (not kind and _IMAGE_EXT.search(url)):
            add(
                url,
                width=media.get("width"),
                height=media.get("height"),
                size=media.get("fileSize"),
            )
    if not photos:
        for thumb in entry.get("media_thumbnail") or ():
            add(str(thumb.get("url") or ""), width=thumb.get("width"), height=thumb.get("height"))
    if not photos:
        for src in content_images:
            add(src)
            break
    return list(photos.values())[:ALBUM_MAX]


def _published(entry: Mapping[str, Any]) -> datetime | None:
    # feedparser normalises *_parsed to a UTC struct_time.
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                year, month, day, hour, minute, second = (int(v) for v in parsed[:6])
                # struct_time allows a leap second (60) that datetime refuses.
                return datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
            except (TypeError, ValueError):
                continue
    return None


def language_code(value: object) -> str:
    """The two- or three-letter language of an RFC 5646 tag ("en-US" → "en"), else ""."""
    match = re.match(r"^([a-zA-Z]{2,3})(?:[-_]|$)", str(value or "").strip())
    return match.group(1).lower() if match else ""


def entry_item(entry: Mapping[str, Any], *, base: str, feed_title: str, language: str) -> FeedItem:
    """One entry as a :class:`FeedItem`: relative links resolve against ``base``; the feed's
    title names the source and its language stands in for an entry without one."""
    title = detail_text(str(entry.get("title") or ""), entry.get("title_detail"))
    link = absolute_http_url(base, str(entry.get("link") or ""))
    summary, summary_marks, summary_images = detail_paragraphs(
        str(entry.get("summary") or ""), entry.get("summary_detail"), base
    )
    body: list[str] = []
    body_marks: tuple[Mark, ...] = ()
    content_images: list[str] = []
    for content in entry.get("content") or ():
        body, body_marks, content_images = detail_paragraphs(
            str(content.get("value") or ""), content, base
        )
        if body:
            break
    if not body:
        # Only a summary/description: its first paragraph leads, the rest is the body.
        lead, rest = split_lead("", summary)
        body, body_marks = summary, summary_marks
    elif body[: len(summary)] == summary:
        # feedparser copies an Atom <content> into a missing <summary>: do not repeat it.
        lead, rest = split_lead("", body)
    else:
        lead, rest = split_lead(" ".join(summary), body)
    published = _published(entry)
    guid = str(entry.get("id") or "").strip()
    if guid:
        key = guid
    elif link:
        key = normalise_link(link)
    else:
        stamp = published.isoformat() if published else str(entry.get("published") or "")
        digest = hashlib.sha256(f"{title}\x00{stamp}\x00{lead}".encode()).hexdigest()
        key = f"sha256:{digest[:32]}"
    tags = (
        str(tag.get("term") or tag.get("label") or "").strip() for tag in entry.get("tags") or ()
    )
    content = ArticleContent(
        title=title,
        lead=lead,
        body=rest,
        marks=carry_marks(body, body_marks, rest),
        photos=tuple(_photos(entry, content_images + summary_images, base)),
        source_name=feed_title,
        source_url=link,
        canonical_url=normalise_link(link) if link else "",
        published_at=published,
        tags=tuple(dict.fromkeys(tag for tag in tags if tag)),
        language=language_code(entry.get("language")) or language,
    )
    return FeedItem(key=key, content=content, link=link)
