"""Fetch a web page safely: ``safe_fetch`` is the only way ingest code reaches the network.

Editors paste arbitrary URLs and feeds name arbitrary hosts, so every request is treated as
potentially hostile (SSRF):

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
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

__all__ = [
    "HTML_CONTENT_TYPES",
    "USER_AGENT",
    "FetchError",
    "FetchedPage",
    "IPAddress",
    "is_blocked_address",
    "safe_fetch",
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
