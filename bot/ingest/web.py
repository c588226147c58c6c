"""Fetch a web page safely and turn a news article page into :class:`ArticleContent`.

``safe_fetch`` is the only way ingest code reaches the network. Editors paste arbitrary URLs and
feeds name arbitrary hosts, so every request is treated as potentially hostile (SSRF):

* only ``http``/``https``;
* the host is resolved by us and *every* address it resolves to must be public (private,
  loopback, link-local, multicast, reserved, unspecified, shared/CGNAT, and the IPv4 addresses
  hidden inside IPv4-mapped, 6to4, Teredo and NAT64 IPv6 addresses are refused);
* the connection then goes to the address we validated (the URL is rewritten to the IP literal,
  with the original ``Host`` header and TLS SNI/certificate name), so a DNS answer that changes
  between our check and aiohttp's connect (DNS rebinding) cannot redirect the request;
* redirects are followed by hand, re-checking scheme and addresses on every hop;
* the whole operation runs under one deadline, the body is streamed under a size cap (counted
  after decompression, so a gzip bomb is cut off too) and the content type is checked before the
  body is read.

Residual risks, documented rather than solved: a session configured with an HTTP proxy
(``trust_env``/``proxy=``) makes the proxy connect, so the proxy must itself be trusted; a
link-local IPv6 address needing a zone id cannot be reached even with ``allow_private``.

``extract_article`` is pure: it parses bytes already fetched (trafilatura never sees a URL it could
download, only the parsed tree; ``url`` is metadata for resolving relative links).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
import socket
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

import aiohttp
import trafilatura
from multidict import CIMultiDict, CIMultiDictProxy
from trafilatura.utils import load_html
from yarl import URL

from bot.domain import ArticleContent, Photo

__all__ = [
    "FetchError",
    "FetchedPage",
    "extract_article",
    "import_url",
    "is_blocked_address",
    "parse_datetime",
    "safe_fetch",
    "split_lead",
]

HTML_CONTENT_TYPES: Final = ("text/html", "application/xhtml+xml")
USER_AGENT: Final = "Mozilla/5.0 (compatible; newsroom-bot/0.1)"
_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
_CHUNK: Final = 64 * 1024
# Headers that carry credentials: never forwarded to another origin on a redirect.
_SECRET_HEADERS: Final = frozenset({"authorization", "cookie", "proxy-authorization"})

# Ranges the ipaddress flags miss on Python 3.11: NAT64 (64:ff9b::/96) embeds an IPv4 address
# that must be checked on its own, like IPv4-mapped ones.
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# An lxml.html element; lxml ships no type stubs here, and we only call iter/get/findtext.
HtmlElement = Any


class FetchError(Exception):
    """A fetch that failed for a reason the editor should see.

    ``code`` is stable and translated by the UI: ``bad_scheme``, ``blocked_address``, ``dns``,
    ``unreachable``, ``timeout``, ``too_large``, ``not_html`` (wrong content type),
    ``http_status``, ``too_many_redirects``, and ``no_content`` (``import_url`` found no article).
    ``params`` holds the details the message may show (``status``, ``content_type``, ``host`` ...).
    """

    def __init__(self, code: str, message: str = "", **params: str | int) -> None:
        super().__init__(message or code)
        self.code = code
        self.params: dict[str, str | int] = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.params!r})"


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A successful response: final URL after redirects, and the (capped) body."""

    url: str
    status: int
    content_type: str  # media type only, lowercase ("text/html")
    body: bytes
    headers: Mapping[str, str] = field(hash=False)  # case-insensitive
    charset: str | None = None


def is_blocked_address(address: str | IPAddress) -> bool:
    """True when ``address`` is not a public unicast address we may connect to.

    Covers private, loopback, link-local, multicast, reserved, unspecified and shared (CGNAT)
    space in IPv4 and IPv6, and checks the IPv4 address embedded in IPv4-mapped, 6to4, Teredo
    and NAT64 addresses (``::ffff:127.0.0.1`` is loopback in disguise).
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return True
        embedded: list[ipaddress.IPv4Address] = []
        if ip.ipv4_mapped is not None:
            embedded.append(ip.ipv4_mapped)
        if ip.sixtofour is not None:
            embedded.append(ip.sixtofour)
        if ip.teredo is not None:
            embedded.extend(ip.teredo)
        if ip in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if any(is_blocked_address(inner) for inner in embedded):
            return True
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _check_url(url: URL) -> URL:
    if url.scheme not in ("http", "https") or not url.raw_host:
        raise FetchError("bad_scheme", scheme=url.scheme, url=str(url))
    # Credentials in the URL would be sent as Basic auth to whatever host it names: drop them.
    return url.with_user(None).with_fragment(None)


async def _resolve(host: str, port: int, *, allow_private: bool) -> list[IPAddress]:
    """Resolve ``host`` with the loop's resolver and validate every address it returns.

    Refusing when *any* address is private (not only the first) stops a name with one public
    and one private record from being used to reach the private one on a retry.
    """
    try:
        addresses: list[IPAddress] = [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
        except (OSError, UnicodeError) as exc:  # socket.gaierror is an OSError
            raise FetchError("dns", str(exc), host=host) from exc
        addresses = []
        for family, _type, _proto, _canon, sockaddr in infos:
            if family not in (socket.AF_INET, socket.AF_INET6):
                continue
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if ip not in addresses:
                addresses.append(ip)
    if not addresses:
        raise FetchError("dns", "no addresses", host=host)
    if not allow_private:
        for ip in addresses:
            if is_blocked_address(ip):
                raise FetchError("blocked_address", host=host, address=str(ip))
    return addresses


def _media_type(value: str) -> tuple[str, str | None]:
    media, _, rest = value.partition(";")
    charset = None
    match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", rest, re.IGNORECASE)
    if match:
        charset = match.group(1).lower()
    return media.strip().lower(), charset


def _same_origin(a: URL, b: URL) -> bool:
    return (a.scheme, a.raw_host, a.port) == (b.scheme, b.raw_host, b.port)


async def _open(
    session: aiohttp.ClientSession,
    url: URL,
    addresses: list[IPAddress],
    headers: Mapping[str, str],
) -> aiohttp.ClientResponse:
    """Send one GET to the validated addresses in turn (the first that accepts a connection)."""
    host = url.raw_host or ""
    is_literal = len(addresses) == 1 and host.strip("[]") == str(addresses[0])
    request_headers = CIMultiDict(headers)
    # The Host header keeps virtual hosting working although the URL names an IP literal.
    request_headers["Host"] = url.host_port_subcomponent or host
    server_hostname = None if is_literal or url.scheme != "https" else host.rstrip(".")
    last_error: aiohttp.ClientError | None = None
    for ip in addresses:
        target = url.with_host(str(ip))
        try:
            return await session.get(
                target,
                headers=request_headers,
                allow_redirects=False,
                raise_for_status=False,
                server_hostname=server_hostname,
            )
        except TimeoutError:
            raise  # aiohttp's own timeouts are ClientErrors too: report them as "timeout"
        except aiohttp.ClientConnectorError as exc:
            last_error = exc  # try the next address (e.g. ::1 refused, 127.0.0.1 listening)
        except aiohttp.ClientError as exc:
            raise FetchError("unreachable", str(exc), host=host, reason="http") from exc
    reason = "tls" if isinstance(last_error, aiohttp.ClientSSLError) else "connect"
    raise FetchError("unreachable", str(last_error), host=host, reason=reason)


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        raise FetchError("too_large", max_bytes=max_bytes, size=declared)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.content.iter_chunked(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError("too_large", max_bytes=max_bytes)
            chunks.append(chunk)
    except TimeoutError:
        raise
    except aiohttp.ClientError as exc:
        raise FetchError("unreachable", str(exc), reason="http") from exc
    return b"".join(chunks)


async def safe_fetch(
    session: aiohttp.ClientSession,
    url: str,
    *,
    allow_private: bool = False,
    max_bytes: int = 2_000_000,
    timeout: float = 15.0,  # noqa: ASYNC109 - one deadline for all hops, not per call
    accept: tuple[str, ...] = HTML_CONTENT_TYPES,
    extra_headers: Mapping[str, str] | None = None,
    max_redirects: int = 5,
    pass_not_modified: bool = False,
) -> FetchedPage:
    """GET ``url`` with the SSRF, size, type and time guards described in the module docstring.

    ``accept`` lists media types (lowercase, no parameters); ``""`` in it accepts a response
    without Content-Type. With ``pass_not_modified`` a 304 is returned (empty body) instead of
    raising ``http_status``, for conditional GETs. Raises :class:`FetchError`.
    """
    try:
        current = _check_url(URL(url.strip()))
    except ValueError as exc:
        raise FetchError("bad_scheme", str(exc), url=url) from exc
    accept_header = ", ".join([t for t in accept if t] + ["*/*;q=0.1"])
    headers: dict[str, str] = {"User-Agent": USER_AGENT, "Accept": accept_header}
    headers.update(extra_headers or {})
    origin = current
    try:
        async with asyncio.timeout(timeout):
            for _hop in range(max_redirects + 1):
                hop_headers = headers
                if not _same_origin(origin, current):
                    hop_headers = {
                        k: v for k, v in headers.items() if k.lower() not in _SECRET_HEADERS
                    }
                port = current.port or (443 if current.scheme == "https" else 80)
                addresses = await _resolve(
                    current.raw_host or "", port, allow_private=allow_private
                )
                response = await _open(session, current, addresses, hop_headers)
                try:
                    if response.status in _REDIRECT_STATUSES:
                        location = response.headers.get("Location")
                        if not location:
                            raise FetchError("http_status", status=response.status)
                        try:
                            current = _check_url(current.join(URL(location)))
                        except ValueError as exc:
                            raise FetchError("bad_scheme", str(exc), url=location) from exc
                        continue
                    return await _finish(
                        response, current, accept, max_bytes, pass_not_modified=pass_not_modified
                    )
                finally:
                    response.release()
            raise FetchError("too_many_redirects", max_redirects=max_redirects)
    except TimeoutError as exc:
        raise FetchError("timeout", seconds=int(timeout) or 1) from exc


async def _finish(
    response: aiohttp.ClientResponse,
    url: URL,
    accept: tuple[str, ...],
    max_bytes: int,
    *,
    pass_not_modified: bool,
) -> FetchedPage:
    headers = CIMultiDictProxy(CIMultiDict(response.headers))
    content_type, charset = _media_type(response.headers.get("Content-Type", ""))
    if response.status == 304 and pass_not_modified:
        return FetchedPage(str(url), 304, content_type, b"", headers, charset)
    if not 200 <= response.status < 300:
        raise FetchError("http_status", status=response.status)
    if content_type not in accept:
        raise FetchError("not_html", content_type=content_type or "-")
    body = await _read_capped(response, max_bytes)
    return FetchedPage(str(url), response.status, content_type, body, headers, charset)


# --- extraction ---------------------------------------------------------------------------

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
_CREDIT_RE: Final = re.compile(
    r"^\s*(?:фото|photo|foto|credit|image|изображение)\s*[:：—–-]\s*(.+)$", re.IGNORECASE
)
_LANG_RE: Final = re.compile(r"^([a-zA-Z]{2,3})(?:[-_].*)?$")
# ASCII whitespace only: no-break spaces ("2017\xa0года") are deliberate typography.
_SPACES: Final = re.compile(r"[ \t\n\r\f\v]+")
_ANY_SPACES: Final = re.compile(r"\s+")


def _meta(tree: HtmlElement) -> dict[str, list[str]]:
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


def _first(meta: Mapping[str, list[str]], keys: tuple[str, ...]) -> str:
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


def _ld_value(tree: HtmlElement, key: str) -> str:
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


def absolute_http_url(base: str, link: str) -> str:
    """``link`` resolved against ``base`` when the result is http(s); else ""."""
    if not link:
        return ""
    try:
        absolute = urljoin(base, link.strip())
    except ValueError:
        return ""
    return absolute if urlsplit(absolute).scheme in ("http", "https") else ""


def _language(tree: HtmlElement, meta: Mapping[str, list[str]], fallback: str | None) -> str:
    candidates = (
        tree.get("lang") or "",
        _first(meta, ("og:locale", "content-language", "language")),
        fallback or "",
    )
    for candidate in candidates:
        match = _LANG_RE.match(candidate.strip())
        if match:
            return match.group(1).lower()
    return ""


def _canonical(tree: HtmlElement) -> str:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            return (link.get("href") or "").strip()
    return ""


def _photo_credit(tree: HtmlElement) -> str:
    """Credit line of the first figure caption written as "Фото: ..." / "Photo: ..."."""
    for caption in tree.iter("figcaption"):
        match = _CREDIT_RE.match(_SPACES.sub(" ", caption.text_content()))
        if match:
            return match.group(1).strip()
    return ""


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
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    tree = load_html(html) if html else None
    if tree is None:
        return ArticleContent(source_name=host, source_url=url)
    meta = _meta(tree)
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
    title = _first(meta, ("og:title", "twitter:title")) or (doc.title if doc else "") or ""
    if not title:
        title = (tree.findtext(".//title") or "").strip()
    title = _SPACES.sub(" ", title).strip()
    description = _first(meta, ("og:description", "description", "twitter:description"))
    if not description and doc is not None:
        description = doc.description or ""
    paragraphs = []
    for line in ((doc.text or "") if doc is not None else "").splitlines():
        paragraph = _SPACES.sub(" ", line).strip()
        if paragraph and _norm(paragraph) != _norm(title):
            paragraphs.append(paragraph)
    lead, body = split_lead(description, paragraphs)

    canonical = absolute_http_url(url, _canonical(tree) or _first(meta, ("og:url",)))
    image = absolute_http_url(url, _first(meta, _IMAGE_META))
    # og:image:width/height describe the og:image only, not a JSON-LD or trafilatura fallback.
    width = _int(_first(meta, ("og:image:width",))) if image else 0
    height = _int(_first(meta, ("og:image:height",))) if image else 0
    image = image or absolute_http_url(url, _ld_value(tree, "image"))
    if not image and doc is not None:
        image = absolute_http_url(url, doc.image or "")
    published = None
    for raw in (_first(meta, _DATE_META), _ld_value(tree, "datePublished")):
        published = parse_datetime(raw)
        if published is not None:
            break
    if published is None and doc is not None and doc.date:
        published = parse_datetime(doc.date)  # date only: midnight UTC
    site = _first(meta, ("og:site_name", "application-name"))
    if not site and doc is not None:
        site = doc.sitename or ""
    tags = meta.get("article:tag") or (list(doc.tags or []) if doc is not None else [])
    return ArticleContent(
        title=title,
        lead=lead,
        body=body,
        photos=(Photo(ref=image, is_url=True, width=width, height=height),) if image else (),
        photo_credit=_photo_credit(tree) if image else "",
        source_name=site.strip() or host,
        source_url=canonical or url,
        canonical_url=canonical,
        published_at=published,
        tags=tuple(dict.fromkeys(t.strip() for t in tags if t.strip())),
        language=_language(tree, meta, doc.language if doc is not None else None),
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
