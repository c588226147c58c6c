"""Article text as Telegram will count it: cleaned once, up front, before anything is measured.

After cleaning, the code-point length of a raw string is exactly what Telegram counts for it
(see :mod:`bot.compose.composer`), so lengths can be summed while the HTML is built.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from bot.strings import INVISIBLE, trim

__all__ = [
    "clean_inline",
    "clean_mapped",
    "clean_paragraphs",
    "http_url",
    "is_trimmed",
]


# tdlib's clean_input_string turns C0 controls into spaces, drops \r, U+2028..U+202E and the
# combining marks U+030A, U+0333, U+033F. We remove them first so our count is Telegram's (and
# line/paragraph separators become spaces rather than vanishing between two words). Lone
# surrogates cannot be encoded as UTF-8 at all.
_BAD_CHARS = re.compile("[\x00-\x09\x0b-\x1f\u2028-\u202e\u030a\u0333\u033f\ud800-\udfff]")
# Whitespace runs collapse to one space, except the non-breaking spaces typographers put on
# purpose (and we never cut at those).
# The pattern leaves single plain spaces alone, so typical text is scanned and not rebuilt.
_INLINE_WS = re.compile(r"[^\S\xa0\u2007\u202f]{2,}|[^\S \xa0\u2007\u202f]")
_KEPT_SPACES = "\xa0\u2007\u202f"


def _bad_replacement(ch: str) -> str:
    return " " if ch in "\t\u2028\u2029" or (ch < " " and ch != "\r") else ""


def _replace_bad(m: re.Match[str]) -> str:
    return _bad_replacement(m.group())


def _clean_line(text: str) -> str:
    """Clean, collapse whitespace, trim; the common case costs a few C-level scans."""
    # isprintable() is False for every control, separator, format character and surrogate, so
    # ordinary text skips both regexes; only the three combining marks need their own look.
    printable = text.isprintable()
    if not printable or "\u030a" in text or "\u0333" in text or "\u033f" in text:
        text = _BAD_CHARS.sub(_replace_bad, text)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        # NFC also turns a + U+030A into å before the bare mark is removed.
        text = _BAD_CHARS.sub(_replace_bad, unicodedata.normalize("NFC", text))
    if not printable or "  " in text:
        text = _INLINE_WS.sub(" ", text)
    return trim(text)


def clean_inline(text: str) -> str:
    """One line of article text as it will be counted: cleaned, whitespace collapsed, trimmed."""
    return _clean_line(text) if text else ""


def clean_paragraphs(body: tuple[str, ...]) -> tuple[str, ...]:
    """Body paragraphs: cleaned, line breaks inside a paragraph kept, blank lines split it."""
    out: list[str] = []
    for raw in body:
        if "\n" not in raw:
            if cleaned := _clean_line(raw):
                out.append(cleaned)
            continue
        lines: list[str] = []
        # \r\n and a lone \r are line breaks too (tdlib drops \r; we keep the break).
        for line in raw.replace("\r\n", "\n").split("\n"):
            cleaned = _clean_line(line)
            if cleaned:
                lines.append(cleaned)
            elif lines:
                out.append("\n".join(lines))
                lines = []
        if lines:
            out.append("\n".join(lines))
    return tuple(out)


def is_trimmed(ch: str) -> bool:
    return ch.isspace() or ch in INVISIBLE


def clean_mapped(raw: str) -> tuple[str, list[int]] | None:
    """Clean one paragraph like :func:`clean_paragraphs` and map positions through it.

    Returns the cleaned text and, for every index ``i`` of ``raw`` (and ``len(raw)``), how many
    cleaned characters come from ``raw[:i]``, so a span ``[s, e)`` of ``raw`` becomes
    ``[m[s], m[e])``. None when the cleaning does not keep the text a subsequence of ``raw``
    (NFC recomposition, a blank line splitting it): formatting is then dropped, never misplaced.
    """
    if not raw.isascii() and not unicodedata.is_normalized("NFC", raw):
        return None
    out: list[str] = []
    pos = [0] * (len(raw) + 1)
    line_start = 0  # index in out where the current line starts
    pending_space = blank = False
    for i, ch in enumerate(raw):
        if ch == "\n":
            while len(out) > line_start and is_trimmed(out[-1]):
                out.pop()
            pos[i] = len(out)
            if len(out) > line_start:
                out.append("\n")
            else:
                blank = bool(out)  # text after a blank line would be another paragraph
            line_start = len(out)
            pending_space = False
            continue
        pos[i] = len(out)
        if _BAD_CHARS.match(ch) is not None:
            ch = _bad_replacement(ch)
            if not ch:
                continue
        if ch.isspace() and ch not in _KEPT_SPACES:
            pending_space = len(out) > line_start
            continue
        if pending_space:
            out.append(" ")
            pending_space = False
            pos[i] = len(out)
        if len(out) == line_start and is_trimmed(ch):
            continue  # a line's leading invisible characters and no-break spaces are trimmed
        if blank:
            return None
        out.append(ch)
    while out and is_trimmed(out[-1]):
        out.pop()
    text = "".join(out)
    if clean_paragraphs((raw,)) != ((text,) if text else ()):
        return None
    pos[len(raw)] = len(out)
    # Characters trimmed at a line's end were counted before they were removed: a backward
    # running minimum maps them to where the kept text resumes.
    for i in range(len(raw) - 1, -1, -1):
        pos[i] = min(pos[i], pos[i + 1])
    return text, pos


_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\s\ud800-\udfff]")


def http_url(url: str) -> str | None:
    """The URL when it is an http(s) URL Telegram will accept as a link, else None."""
    url = url.strip()
    if not url or len(url) > 2048 or _URL_FORBIDDEN.search(url) is not None:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. a malformed IPv6 literal
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return url
