"""RSS/Atom polling: conditional GET through ``safe_fetch`` and pure parsing with feedparser.

feedparser is only ever given the bytes we fetched, wrapped in a stream: passed a ``str`` it
would download URLs itself, and passed ``bytes`` or ``str`` it first tries ``open()`` on them as a
*local file name* (a feed body of ``/etc/passwd`` would be read from disk). A ``BytesIO`` takes its
``.read()`` branch and nothing else.
"""

from __future__ import annotations

import asyncio
import io
import random
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Final
from urllib.parse import urlsplit

import aiohttp

from bot.ingest.feed_entries import FeedItem, entry_item, language_code
from bot.ingest.feed_text import detail_text
from bot.ingest.fetch import FetchError, safe_fetch
from bot.ingest.links import absolute_http_url

__all__ = [
    "FEED_CONTENT_TYPES",
    "MAX_POLL_DELAY_S",
    "FeedError",
    "FeedFetchResult",
    "FeedState",
    "discover_feed_links",
    "fetch_feed",
    "next_poll_delay",
    "parse_feed",
]

# RSS/Atom/XML media types, plus text/html only so that a page URL gets "not_a_feed" (with any
# feed links it advertises) instead of a content-type error; text/plain and a missing type are
# common misconfigurations of real feeds, so feedparser decides for those.
FEED_CONTENT_TYPES: Final = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/x-rss+xml",
    "application/x-atom+xml",
    "text/plain",
    "text/html",
    "application/xhtml+xml",
    "",
)
MAX_POLL_DELAY_S: Final = 6 * 3600.0


class FeedError(FetchError):
    """A feed that could not be polled; ``code`` is ``not_a_feed`` or a FetchError code."""


@dataclass(frozen=True, slots=True)
class FeedState:
    """What we remember about a feed between polls (validators for the conditional GET)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FeedFetchResult:
    not_modified: bool
    etag: str | None
    last_modified: str | None
    title: str
    items: tuple[FeedItem, ...]


# --- pure helpers --------------------------------------------------------------------------


def next_poll_delay(*, interval_s: float, failures: int, rng: random.Random) -> float:
    """Seconds until the next poll of a feed.

    Healthy feeds poll every ``interval_s`` ±10 % (jitter spreads many feeds over time instead
    of polling them in lock step). After ``failures`` consecutive failures the delay doubles
    each time with ±20 % jitter, capped at ``MAX_POLL_DELAY_S`` (or at ``interval_s`` when that
    is longer: backoff never polls *more* often than configured).
    """
    if interval_s <= 0:
        raise ValueError("interval_s must be positive")
    cap = max(MAX_POLL_DELAY_S, interval_s)
    if failures <= 0:
        return min(cap, interval_s * rng.uniform(0.9, 1.1))
    base = min(cap, interval_s * 2.0 ** min(failures, 32))
    return max(interval_s, min(cap, base * rng.uniform(0.8, 1.2)))


def parse_feed(data: bytes, *, url: str) -> tuple[str, tuple[FeedItem, ...]]:
    """Pure: (feed title, items in feed order) of RSS/Atom bytes fetched from ``url``.

    Raises ``FeedError("not_a_feed")`` for HTML or garbage (no feed version and no entries).
    """
    import feedparser  # ~1 MB resident: loaded on the first feed poll, not at start-up (issue 14)

    parsed = feedparser.parse(
        io.BytesIO(data),
        # Base for relative links; feedparser only reads it, nothing is fetched.
        response_headers={"content-location": url},
        # Both are costly (two thirds of the parse time) and redundant: every HTML fragment is
        # reduced to plain text by html_to_paragraphs (scripts, styles and embeds dropped), and
        # image URLs are resolved by feed_entries._photos.
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    entries = parsed.get("entries") or []
    if not parsed.get("version") and not entries:
        raise FeedError("not_a_feed", url=url)
    feed = parsed.get("feed") or {}
    title = detail_text(str(feed.get("title") or ""), feed.get("title_detail"))
    if not title:
        title = (urlsplit(url).hostname or "").removeprefix("www.")
    language = language_code(feed.get("language"))
    # Relative references resolve against the feed document's URL (feedparser already did so
    # for entry links; image URLs inside HTML are left to feed_entries._photos).
    base = url
    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in entries:
        item = entry_item(entry, base=base, feed_title=title, language=language)
        if item.key not in seen:  # duplicated guids happen; the first copy wins
            seen.add(item.key)
            items.append(item)
    return title, tuple(items)


class _FeedLinkFinder(HTMLParser):
    _TYPES: Final = frozenset({"application/rss+xml", "application/atom+xml"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {name: (value or "") for name, value in attrs}
        rel = values.get("rel", "").lower().split()
        if "alternate" in rel and values.get("type", "").lower() in self._TYPES:
            self.links.append(values.get("href", ""))


def discover_feed_links(html: bytes, *, url: str) -> tuple[str, ...]:
    """Pure: absolute feed URLs a web page advertises with <link rel="alternate">."""
    finder = _FeedLinkFinder()
    finder.feed(html.decode("utf-8", "replace"))
    finder.close()
    links = (absolute_http_url(url, href) for href in finder.links)
    return tuple(dict.fromkeys(link for link in links if link))


# --- fetching ------------------------------------------------------------------------------


async def fetch_feed(
    session: aiohttp.ClientSession,
    state: FeedState,
    *,
    allow_private: bool = False,
    max_bytes: int = 5_000_000,
    timeout: float = 20.0,  # noqa: ASYNC109 - safe_fetch applies it as one overall deadline
) -> FeedFetchResult:
    """Poll one feed with a conditional GET; a 304 gives ``not_modified=True`` and no items.

    Raises :class:`FeedError` with ``not_a_feed`` (a web page: ``params["feed_url"]`` names the
    first feed it advertises, if any) or the :class:`FetchError` code.
    """
    headers = {
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
        "text/xml;q=0.9, */*;q=0.1"
    }
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    try:
        page = await safe_fetch(
            session,
            state.url,
            allow_private=allow_private,
            max_bytes=max_bytes,
            timeout=timeout,
            accept=FEED_CONTENT_TYPES,
            extra_headers=headers,
            pass_not_modified=True,
        )
    except FetchError as exc:
        code = "not_a_feed" if exc.code == "not_html" else exc.code
        raise FeedError(code, str(exc), **exc.params) from exc
    etag = page.headers.get("ETag") or None
    last_modified = page.headers.get("Last-Modified") or None
    if page.status == 304:
        # A 304 may omit the validators; keep the ones that produced it.
        return FeedFetchResult(
            not_modified=True,
            etag=etag or state.etag,
            last_modified=last_modified or state.last_modified,
            title="",
            items=(),
        )
    try:
        # feedparser takes milliseconds per feed; off the loop so polling many stays responsive.
        title, items = await asyncio.to_thread(parse_feed, page.body, url=page.url)
    except FeedError as exc:
        if page.content_type in ("text/html", "application/xhtml+xml"):
            found = discover_feed_links(page.body, url=page.url)
            if found:
                exc.params["feed_url"] = found[0]
        raise
    return FeedFetchResult(
        not_modified=False, etag=etag, last_modified=last_modified, title=title, items=items
    )
