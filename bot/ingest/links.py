"""Pure link helpers shared by page extraction and feed parsing."""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

__all__ = ["absolute_http_url", "normalise_link"]

_TRACKING_PARAM: Final = re.compile(r"^(?:utm_.*|fbclid|gclid|yclid)$", re.IGNORECASE)
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def absolute_http_url(base: str, link: str) -> str:
    """``link`` resolved against ``base`` when the result is http(s); else ""."""
    if not link:
        return ""
    try:
        absolute = urljoin(base, link.strip())
    except ValueError:
        return ""
    return absolute if urlsplit(absolute).scheme in ("http", "https") else ""


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
