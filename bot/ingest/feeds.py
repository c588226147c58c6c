"""RSS/Atom polling: conditional GET through ``safe_fetch`` and pure parsing with feedparser.

feedparser is only ever given the bytes we fetched, wrapped in a stream: passed a ``str`` it
would download URLs itself, and passed ``bytes`` or ``str`` it first tries ``open()`` on them as a
*local file name* (a feed body of ``/etc/passwd`` would be read from disk). A ``BytesIO`` takes its
``.read()`` branch and nothing else.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, Final
from urllib.parse import unquote_plus, urlsplit, urlunsplit

import aiohttp
import feedparser

from bot.domain import ArticleContent, Mark, Photo
from bot.ingest.entities import carry_marks
from bot.ingest.web import FetchError, absolute_http_url, safe_fetch, split_lead
from bot.limits import ALBUM_MAX

__all__ = [
    "FEED_CONTENT_TYPES",
    "MAX_POLL_DELAY_S",
    "FeedError",
    "FeedFetchResult",
    "FeedItem",
    "FeedState",
    "discover_feed_links",
    "fetch_feed",
    "html_to_paragraphs",
    "next_poll_delay",
    "normalise_link",
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
_TRACKING_PARAM: Final = re.compile(r"^(?:utm_.*|fbclid|gclid|yclid)$", re.IGNORECASE)
_IMAGE_EXT: Final = re.compile(r"\.(?:jpe?g|png|gif|webp)(?:$|[?#])", re.IGNORECASE)
# ASCII whitespace only: no-break spaces (\xa0 in "2017\xa0года") are deliberate typography.
_SPACES: Final = re.compile(r"[ \t\n\r\f\v]+")
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


class FeedError(FetchError):
    """A feed that could not be polled; ``code`` is ``not_a_feed`` or a FetchError code."""


@dataclass(frozen=True, slots=True)
class FeedState:
    """What we remember about a feed between polls (validators for the conditional GET)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry; ``key`` identifies it across polls (guid, else normalised link, else hash)."""

    key: str
    content: ArticleContent
    link: str


@dataclass(frozen=True, slots=True)
class FeedFetchResult:
    not_modified: bool
    etag: str | None
    last_modified: str | None
    title: str
    items: tuple[FeedItem, ...]


# --- pure helpers --------------------------------------------------------------------------


def normalise_link(url: str) -> str:
    """A stable form of a link for de-duplication.

    Lowercases scheme and host, drops the default port, the fragment, tracking parameters
    (``utm_*``, ``fbclid``, ``gclid``, ``yclid``) and trailing slashes, and sorts the query.
    Query pairs are kept as written (not re-encoded), so the result is idempotent.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if parts.hostname is not None:
        host = parts.hostname  # already lowercase, IPv6 brackets removed
        if ":" in host:
            host = f"[{host}]"
        userinfo = netloc.rpartition("@")[0]
        netloc = (userinfo + "@" if userinfo else "") + host
        if port is not None and port != _DEFAULT_PORTS.get(scheme):
            netloc += f":{port}"
    pairs = [
        pair
        for pair in parts.query.split("&")
        if pair and not _TRACKING_PARAM.match(unquote_plus(pair.partition("=")[0]))
    ]
    pairs.sort(key=lambda pair: (unquote_plus(pair.partition("=")[0]), pair))
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "&".join(pairs), ""))


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


def _collapse_mapped(raw: str) -> tuple[str, list[int]]:
    """``_SPACES.sub(" ", raw).strip()`` and, per index of ``raw`` (and its end), the index in
    the result it lands on, so formatting spans survive the collapsing."""
    out: list[str] = []
    pos: list[int] = []
    space = False
    for ch in raw:
        if ch in " \t\n\r\f\v":
            pos.append(len(out))  # where the one space of this run goes, if any
            space = bool(out)
            continue
        if space:
            out.append(" ")
            space = False
        pos.append(len(out))
        out.append(ch)
    pos.append(len(out))
    text = "".join(out)
    # str.strip() also trims no-break and other Unicode spaces at the ends, as the fast path does.
    cut = len(text) - len(text.lstrip())
    text = text.strip()
    return text, [min(max(p - cut, 0), len(text)) for p in pos]


class _TextCollector(HTMLParser):
    """HTML → paragraphs of plain text with their inline formatting as marks.

    Block tags and <br> end a paragraph; character references are decoded; b/strong, i/em,
    u/ins, s/strike/del, code and http(s) links become :class:`Mark` spans of the paragraph.
    """

    _BLOCKS: Final = frozenset(
        {
            "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
            "blockquote", "pre", "table", "tr", "section", "article", "figure", "figcaption",
            "hr", "dd", "dt", "header", "footer",
        }
    )  # fmt: skip
    # Elements whose text is never article text (all have end tags: a void element here would
    # swallow the rest of the fragment).
    _SKIP: Final = frozenset(
        {"script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg"}
    )
    _INLINE: Final = {
        "b": "bold",
        "strong": "bold",
        "i": "italic",
        "em": "italic",
        "u": "underline",
        "ins": "underline",
        "s": "strikethrough",
        "strike": "strikethrough",
        "del": "strikethrough",
        "code": "code",
        "a": "text_link",
    }

    def __init__(self, base: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.paragraphs: list[str] = []
        self.marks: list[Mark] = []
        self.images: list[str] = []
        self._current: list[str] = []
        self._length = 0
        self._open: list[tuple[str, int, str, str | None]] = []  # tag, start, type, url
        self._spans: list[tuple[int, int, str, str | None]] = []
        self._skip_depth = 0

    def _flush(self) -> None:
        # A span still open runs on into the next paragraph (an <a> around two <p>s).
        self._spans.extend((start, self._length, kind, url) for _, start, kind, url in self._open)
        self._open = [(tag, 0, kind, url) for tag, _, kind, url in self._open]
        raw = "".join(self._current)
        if not self._spans:  # the common case: no per-character bookkeeping
            text = _SPACES.sub(" ", raw).strip()
            if text:
                self.paragraphs.append(text)
        elif (mapped := _collapse_mapped(raw))[0]:
            text, pos = mapped
            para = len(self.paragraphs)
            self.paragraphs.append(text)
            for start, end, kind, url in self._spans:
                a, b = pos[start], pos[end]
                if b > a and text[a:b].strip():
                    self.marks.append(Mark(para, a, b, kind, url))
        self._current = []
        self._spans = []
        self._length = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip_depth += 1
        elif tag in self._BLOCKS:
            self._flush()
        elif tag == "img":
            src = dict(attrs).get("src")
            if src:
                self.images.append(src)
        elif tag in self._INLINE:
            url = None
            if tag == "a":
                url = absolute_http_url(self.base, dict(attrs).get("href") or "") or None
                if url is None:
                    return  # an anchor, a mailto: or javascript: link: its text stays plain
            self._open.append((tag, self._length, self._INLINE[tag], url))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in self._BLOCKS:
            self._flush()
        elif tag in self._INLINE:
            for i in range(len(self._open) - 1, -1, -1):
                if self._open[i][0] == tag:
                    _, start, kind, url = self._open.pop(i)
                    self._spans.append((start, self._length, kind, url))
                    break

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self._current.append(data)
            self._length += len(data)

    def close(self) -> None:
        super().close()
        self._flush()


def html_to_paragraphs(html: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Pure: (paragraphs of text, image sources) of an HTML fragment."""
    paragraphs, _marks, images = html_to_rich(html)
    return paragraphs, images


def html_to_rich(
    html: str, *, base: str = ""
) -> tuple[tuple[str, ...], tuple[Mark, ...], tuple[str, ...]]:
    """Pure: (paragraphs, their formatting, image sources) of an HTML fragment."""
    collector = _TextCollector(base)
    collector.feed(html)
    collector.close()
    return tuple(collector.paragraphs), tuple(collector.marks), tuple(collector.images)


def _detail_paragraphs(
    value: str, detail: Mapping[str, Any] | None, base: str = ""
) -> tuple[list[str], tuple[Mark, ...], list[str]]:
    """Paragraphs, their formatting and images of a feedparser text construct."""
    kind = str((detail or {}).get("type") or "text/html")
    if "html" in kind:
        paragraphs, marks, images = html_to_rich(value, base=base)
        return list(paragraphs), marks, list(images)
    lines = (_SPACES.sub(" ", line).strip() for line in re.split(r"\n\s*\n|\r\n\s*\r\n", value))
    return [line for line in lines if line], (), []


def _text(value: str, detail: Mapping[str, Any] | None) -> str:
    return " ".join(_detail_paragraphs(value, detail)[0])


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


def _language(value: object) -> str:
    match = re.match(r"^([a-zA-Z]{2,3})(?:[-_]|$)", str(value or "").strip())
    return match.group(1).lower() if match else ""


def _item(entry: Mapping[str, Any], *, base: str, feed_title: str, language: str) -> FeedItem:
    title = _text(str(entry.get("title") or ""), entry.get("title_detail"))
    link = absolute_http_url(base, str(entry.get("link") or ""))
    summary, summary_marks, summary_images = _detail_paragraphs(
        str(entry.get("summary") or ""), entry.get("summary_detail"), base
    )
    body: list[str] = []
    body_marks: tuple[Mark, ...] = ()
    content_images: list[str] = []
    for content in entry.get("content") or ():
        body, body_marks, content_images = _detail_paragraphs(
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
        language=_language(entry.get("language")) or language,
    )
    return FeedItem(key=key, content=content, link=link)


def parse_feed(data: bytes, *, url: str) -> tuple[str, tuple[FeedItem, ...]]:
    """Pure: (feed title, items in feed order) of RSS/Atom bytes fetched from ``url``.

    Raises ``FeedError("not_a_feed")`` for HTML or garbage (no feed version and no entries).
    """
    parsed = feedparser.parse(
        io.BytesIO(data),
        # Base for relative links; feedparser only reads it, nothing is fetched.
        response_headers={"content-location": url},
        # Both are costly (two thirds of the parse time) and redundant: every HTML fragment is
        # reduced to plain text by html_to_paragraphs (scripts, styles and embeds dropped), and
        # image URLs are resolved by _photos.
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    entries = parsed.get("entries") or []
    if not parsed.get("version") and not entries:
        raise FeedError("not_a_feed", url=url)
    feed = parsed.get("feed") or {}
    title = _text(str(feed.get("title") or ""), feed.get("title_detail"))
    if not title:
        title = (urlsplit(url).hostname or "").removeprefix("www.")
    language = _language(feed.get("language"))
    # Relative references resolve against the feed document's URL (feedparser already did so
    # for entry links; image URLs inside HTML are left to _photos).
    base = url
    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in entries:
        item = _item(entry, base=base, feed_title=title, language=language)
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
