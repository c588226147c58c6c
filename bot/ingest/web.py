"""Turn a news article page into :class:`ArticleContent`.

``extract_article`` is pure: it parses bytes already fetched (trafilatura never sees a URL it could
download, only the parsed tree; ``url`` is metadata for resolving relative links). ``import_url``
fetches through :func:`bot.ingest.fetch.safe_fetch`, whose docstring lists the SSRF guards.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Final
from urllib.parse import urlsplit

import aiohttp

from bot.domain import ArticleContent, Photo
from bot.ingest.fetch import FetchError, safe_fetch
from bot.ingest.links import absolute_http_url
from bot.ingest.page_meta import (
    canonical_href,
    first_value,
    ld_value,
    meta_values,
    page_language,
    parse_datetime,
    photo_credit,
)

__all__ = ["extract_article", "import_url", "split_lead"]

_DATE_META: Final = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date.issued",
    "dcterms.created",
    "date",
)
_IMAGE_META: Final = ("og:image:secure_url", "og:image:url", "og:image", "twitter:image")
# ASCII whitespace only: no-break spaces ("2017\xa0года") are deliberate typography.
_SPACES: Final = re.compile(r"[ \t\n\r\f\v]+")
_ANY_SPACES: Final = re.compile(r"\s+")


def _int(value: str) -> int:
    return int(value) if value.strip().isdigit() else 0


def _norm(text: str) -> str:
    return _ANY_SPACES.sub(" ", text).strip().casefold()


def split_lead(description: str, paragraphs: list[str]) -> tuple[str, tuple[str, ...]]:
    """Choose the lead and the remaining body paragraphs.

    The description (og:description / summary) is usually the lead, but sites often set it to
    the first paragraph, whole or cut with an ellipsis: then the full first paragraph is the
    lead and is not repeated in the body. Without a description the first paragraph leads.
    """
    description = _SPACES.sub(" ", description).strip()
    if not description:
        return (paragraphs[0], tuple(paragraphs[1:])) if paragraphs else ("", ())
    stem = _norm(description).rstrip(" .…").removesuffix("...").rstrip()
    if paragraphs and stem and _norm(paragraphs[0]).startswith(stem):
        return paragraphs[0], tuple(paragraphs[1:])
    return description, tuple(p for p in paragraphs if _norm(p) != _norm(description))


def extract_article(html: bytes | str, *, url: str) -> ArticleContent:
    """Pure: the article in an already fetched page (``url`` is the final URL, for metadata).

    Never raises on bad HTML: returns what could be found (possibly only the source fields).
    """
    # trafilatura (with lxml, htmldate, justext, courlan) is ~12 MB resident: imported on the
    # first page import, not at start-up, as most processes never import a URL (issue 14).
    import trafilatura
    from trafilatura.utils import load_html

    host = (urlsplit(url).hostname or "").removeprefix("www.")
    tree = load_html(html) if html else None
    if tree is None:
        return ArticleContent(source_name=host, source_url=url)
    meta = meta_values(tree)
    # trafilatura gets the parsed tree, never the URL to download; date search limited to
    # markup (no "extensive" text scan, which misdates pages quoting other dates).
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        favor_precision=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    doc: Any = document  # a trafilatura Document or None
    title = first_value(meta, ("og:title", "twitter:title")) or (doc.title if doc else "") or ""
    if not title:
        title = (tree.findtext(".//title") or "").strip()
    title = _SPACES.sub(" ", title).strip()
    description = first_value(meta, ("og:description", "description", "twitter:description"))
    if not description and doc is not None:
        description = doc.description or ""
    paragraphs = []
    for line in ((doc.text or "") if doc is not None else "").splitlines():
        paragraph = _SPACES.sub(" ", line).strip()
        if paragraph and _norm(paragraph) != _norm(title):
            paragraphs.append(paragraph)
    lead, body = split_lead(description, paragraphs)

    canonical = absolute_http_url(url, canonical_href(tree) or first_value(meta, ("og:url",)))
    image = absolute_http_url(url, first_value(meta, _IMAGE_META))
    # og:image:width/height describe the og:image only, not a JSON-LD or trafilatura fallback.
    width = _int(first_value(meta, ("og:image:width",))) if image else 0
    height = _int(first_value(meta, ("og:image:height",))) if image else 0
    image = image or absolute_http_url(url, ld_value(tree, "image"))
    if not image and doc is not None:
        image = absolute_http_url(url, doc.image or "")
    published = None
    for raw in (first_value(meta, _DATE_META), ld_value(tree, "datePublished")):
        published = parse_datetime(raw)
        if published is not None:
            break
    if published is None and doc is not None and doc.date:
        published = parse_datetime(doc.date)  # date only: midnight UTC
    site = first_value(meta, ("og:site_name", "application-name"))
    if not site and doc is not None:
        site = doc.sitename or ""
    tags = meta.get("article:tag") or (list(doc.tags or []) if doc is not None else [])
    return ArticleContent(
        title=title,
        lead=lead,
        body=body,
        photos=(Photo(ref=image, is_url=True, width=width, height=height),) if image else (),
        photo_credit=photo_credit(tree) if image else "",
        source_name=site.strip() or host,
        source_url=canonical or url,
        canonical_url=canonical,
        published_at=published,
        tags=tuple(dict.fromkeys(t.strip() for t in tags if t.strip())),
        language=page_language(tree, meta, doc.language if doc is not None else None),
    )


async def import_url(
    session: aiohttp.ClientSession,
    url: str,
    *,
    allow_private: bool = False,
    max_bytes: int = 2_000_000,
    timeout: float = 15.0,  # noqa: ASYNC109 - passed on to safe_fetch's single deadline
) -> ArticleContent:
    """Fetch ``url`` safely and extract its article; ``FetchError("no_content")`` if empty."""
    page = await safe_fetch(
        session, url, allow_private=allow_private, max_bytes=max_bytes, timeout=timeout
    )
    html: bytes | str = page.body
    if page.charset:
        try:
            html = page.body.decode(page.charset)
        except (LookupError, UnicodeDecodeError):
            html = page.body  # let trafilatura guess from the bytes
    # Extraction is CPU-bound (lxml + heuristics, tens of ms): keep the event loop responsive.
    article = await asyncio.to_thread(extract_article, html, url=page.url)
    if not article.title and not article.lead and not article.body:
        raise FetchError("no_content", url=page.url)
    return article
