"""Normalising pasted text and telling its language (Russian, Kazakh, English)."""

from __future__ import annotations

import re

__all__ = ["detect_language", "fold", "has_letter", "normalize_text"]

# Invisible characters that come along with copy from web pages and break matching: zero-width
# space, word joiner, BOM, soft hyphen, bidi marks and embeddings. ZWJ/ZWNJ are kept: emoji
# sequences and some scripts need them.
_INVISIBLE_RE = re.compile(
    "[\u200b\u2060\ufeff\u00ad\u180e\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
# Everything str.splitlines() treats as a line break becomes "\n"; U+2029 separates paragraphs.
_LINE_BREAK_RE = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028]")


def normalize_text(text: str) -> str:
    """Unify line breaks and drop invisible characters; visible text is left as it is."""
    text = _INVISIBLE_RE.sub("", text)
    text = _LINE_BREAK_RE.sub("\n", text)
    text = text.replace("\u2029", "\n\n")
    # "ⓒ" (a circled c, Korean and Japanese sites' copyright sign) is "©".
    return text.replace("\u24d2", "©") if "\u24d2" in text else text


def fold(text: str) -> str:
    """Comparison key: case and spacing insensitive, trailing period ignored."""
    return " ".join(text.casefold().split()).rstrip(".")


def has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


# Runs, not single characters: summing run lengths allocates one string per word, not per letter.
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]+")
_LATIN_RE = re.compile("[A-Za-z\u00c0-\u024f]+")
# Letters of Kazakh, Ukrainian, Belarusian... that Russian does not use: a text full of them is
# not Russian, even if it is Cyrillic. The Kazakh ones decide between Kazakh and "unknown".
_NON_RUSSIAN_CYRILLIC_RE = re.compile("[әғқңөұүһіїєґўӘҒҚҢӨҰҮҺІЇЄҐЎ]+")
_KAZAKH_RE = re.compile("[әғқңөұүһӘҒҚҢӨҰҮҺ]+")
_EN_WORD_RE = re.compile(
    r"\b(?:the|and|of|to|in|is|was|for|on|that|with|said|by|from|at|it|as|are)\b", re.IGNORECASE
)
_WORD_RE = re.compile(r"\w+")


def _letters(rx: re.Pattern[str], text: str) -> int:
    return sum(map(len, rx.findall(text)))


def detect_language(text: str) -> str:
    """``"ru"``, ``"kk"``, ``"en"`` or ``""`` by script, Kazakh letters and English words."""
    sample = text[:6000]  # enough to decide; keeps a huge paste cheap
    cyr = _letters(_CYRILLIC_RE, sample)
    lat = _letters(_LATIN_RE, sample)
    if cyr + lat < 3:
        return ""
    if cyr >= lat:
        other = _letters(_NON_RUSSIAN_CYRILLIC_RE, sample)
        if other * 50 > cyr:
            # Kazakh writes ә ғ қ ң ө ұ ү һ; Ukrainian and Belarusian do not.
            return "kk" if _letters(_KAZAKH_RE, sample) * 2 >= other else ""
        return "ru"
    words = len(_WORD_RE.findall(sample))
    if words < 12:
        return "en"  # a headline alone has too few words to judge; Latin script means English here
    return "en" if len(_EN_WORD_RE.findall(sample)) * 20 >= words else ""
