"""What an editor must fix or accept before submitting: problems as codes, never prose.

The UI translates ``Problem.code`` (with ``params``) to the editor's language, so nothing here is
worded for people.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bot.compose.cleaning import clean_inline, clean_paragraphs, http_url
from bot.domain import ArticleContent, ChannelTemplate, Layout, Post
from bot.limits import (
    ALBUM_MAX,
    MAX_PHOTO_ASPECT,
    MAX_PHOTO_BYTES_UPLOAD,
    MAX_PHOTO_BYTES_URL,
    MAX_PHOTO_SIDES,
)

__all__ = [
    "ERROR",
    "WARNING",
    "Problem",
    "check",
]

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    severity: str  # ERROR | WARNING
    params: Mapping[str, str | int] = field(default_factory=lambda: MappingProxyType({}))


def _problem(code: str, severity: str, **params: str | int) -> Problem:
    return Problem(code, severity, MappingProxyType(params))


def check(article: ArticleContent, post: Post, template: ChannelTemplate) -> tuple[Problem, ...]:
    """Problems of ``article`` as composed into ``post`` for a channel with ``template``.

    Errors: empty article, no title, a link that is not http(s), a photo Telegram will refuse.
    Warnings: no photo, no source, more than ``template.max_body_cut_ratio`` of the body cut.
    """
    out: list[Problem] = []
    title = clean_inline(article.title)
    has_text = bool(title or clean_inline(article.lead) or clean_paragraphs(article.body))
    if not has_text and not article.photos:
        out.append(_problem("empty", ERROR))
    elif not title:
        out.append(_problem("no_title", ERROR))

    if not article.photos:
        out.append(_problem("no_photo", WARNING))
    elif len(article.photos) > ALBUM_MAX:
        count = len(article.photos)
        out.append(_problem("too_many_photos", WARNING, count=count, limit=ALBUM_MAX))
    for index, photo in enumerate(article.photos):
        if photo.is_url and http_url(photo.ref) is None:
            out.append(_problem("bad_link", ERROR, field="photo", index=index))
        limit = MAX_PHOTO_BYTES_URL if photo.is_url else MAX_PHOTO_BYTES_UPLOAD
        if photo.file_size > limit:
            out.append(
                _problem("photo_too_large", ERROR, index=index, size=photo.file_size, limit=limit)
            )
        w, h = photo.width, photo.height
        known = w > 0 and h > 0
        if known and (w + h > MAX_PHOTO_SIDES or max(w, h) > MAX_PHOTO_ASPECT * min(w, h)):
            out.append(_problem("photo_bad_shape", ERROR, index=index, width=w, height=h))

    if not (
        clean_inline(article.source_name)
        or clean_inline(article.original_source)
        or http_url(article.source_url)
    ):
        out.append(_problem("no_source", WARNING))
    for name, url in (
        ("source_url", article.source_url),
        ("original_url", article.original_url),
        ("canonical_url", article.canonical_url),
    ):
        if url.strip() and http_url(url) is None:
            out.append(_problem("bad_link", ERROR, field=name))
    if template.signature_url.strip() and http_url(template.signature_url) is None:
        # The channel's setting, not the editor's: worth knowing, not worth blocking a post.
        out.append(_problem("bad_link", WARNING, field="signature_url"))

    total, kept = post.body_chars_total, post.body_chars_kept
    if total > 0 and (total - kept) / total > template.max_body_cut_ratio:
        percent = round(100 * (total - kept) / total)
        out.append(_problem("body_shortened", WARNING, kept=kept, total=total, percent=percent))
    over = [n.removeprefix("rich_over_") for n in post.notes if n.startswith("rich_over_")]
    if over and post.layout is not Layout.RICH:
        # Issue 15: the channel wants one rich post, but this article breaks a rich limit; it
        # goes out in ordinary messages, and the editor should know why (and can shorten it).
        out.append(_problem("rich_too_large", WARNING, limit=",".join(over)))
    if not post.messages and not any(p.code == "empty" for p in out):
        out.append(_problem("empty", ERROR))
    return tuple(out)
