"""Pure string helpers shared by ingest, compose and the bot's own messages.

One :func:`shorten` (cut at a word boundary, grapheme-safe, with an ellipsis) and one
:func:`escape` for Telegram's HTML parse mode. No imports from the rest of the package, so any
layer may use them without a cycle.
"""

from __future__ import annotations

import html
import unicodedata

__all__ = [
    "DANGLING",
    "ELLIPSIS",
    "INVISIBLE",
    "escape",
    "grapheme_prefix",
    "shorten",
    "shorten_line",
    "trim",
    "word_prefix",
]

# Invisible characters that must not dangle at either end of a part (a ZWJ before "…" would try
# to join it to the previous emoji).
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
ELLIPSIS = "…"
# What a cut must not end with: it would dangle before the ellipsis.
DANGLING = " ,;:-–—(«\"'"


def escape(text: str) -> str:
    """Text for Telegram HTML; most text has nothing to escape and is returned as it is."""
    return html.escape(text, quote=False) if ("&" in text or "<" in text or ">" in text) else text


def trim(text: str) -> str:
    while True:
        trimmed = text.strip().strip(INVISIBLE)
        if trimmed == text:
            return text
        text = trimmed


def word_prefix(text: str, max_len: int) -> str:
    """Longest prefix of at most max_len chars ending before whitespace (trimmed), or ""."""
    if len(text) <= max_len:
        return text
    if max_len <= 0:
        return ""
    i = max(text.rfind(" ", 0, max_len + 1), text.rfind("\n", 0, max_len + 1))
    return trim(text[:i]) if i > 0 else ""


def _is_ri(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def _splits_grapheme(text: str, p: int) -> bool:
    """Would cutting before text[p] split an (extended) grapheme cluster?"""
    ch, prev = text[p], text[p - 1]
    o = ord(ch)
    if prev == "\u200d" or ch == "\u200d":
        return True  # emoji ZWJ sequences
    if (
        0xFE00 <= o <= 0xFE0F  # variation selectors
        or 0xE0100 <= o <= 0xE01EF
        or 0x1F3FB <= o <= 0x1F3FF  # skin tones
        or 0xE0020 <= o <= 0xE007F  # emoji tag sequences (flags of regions)
        or 0x1160 <= o <= 0x11FF  # Hangul medial vowels and final consonants
        or 0xD7B0 <= o <= 0xD7FF
    ):
        return True
    if unicodedata.category(ch) in ("Mn", "Mc", "Me"):
        return True
    if unicodedata.combining(prev) == 9 and ch.isalpha():
        return True  # virama + consonant: an Indic conjunct
    if _is_ri(ch) and _is_ri(prev):
        run = 0
        q = p - 1
        while q >= 0 and _is_ri(text[q]):
            run += 1
            q -= 1
        return run % 2 == 1  # flags are pairs of regional indicators
    return False


def grapheme_prefix(text: str, max_len: int) -> str:
    if len(text) <= max_len:
        return text
    p = max_len
    while p > 0 and _splits_grapheme(text, p):
        p -= 1
    return trim(text[:p])


def shorten(text: str, max_len: int, *, hard: bool = True) -> str:
    """``text`` if it fits, else a prefix cut at a word boundary plus "…", within max_len.

    ``hard`` allows a grapheme-safe cut inside a word when there is no word boundary (a part
    that must keep something); otherwise the result is "" in that case.
    """
    if len(text) <= max_len:
        return text
    if max_len <= 0:
        return ""
    room = max_len - 1
    kept = word_prefix(text, room).rstrip(DANGLING)
    if not kept and hard:
        kept = grapheme_prefix(text, room).rstrip(DANGLING)
    if not kept:
        return ELLIPSIS if hard else ""
    return trim(kept) + ELLIPSIS


def shorten_line(text: str, limit: int) -> str:
    """:func:`shorten` of ``text`` made one line first (whitespace runs become one space)."""
    return shorten(" ".join(text.split()), limit)
