"""Hashtags for channel posts: normalisation to what Telegram renders, and channel tag matching.

Telegram turns ``#word`` into a clickable hashtag only while the characters are letters, decimal
digits or underscores, and only when at least one of them is a letter (``#2022`` stays plain
text). So a tag is reduced to exactly those characters; anything else separates words, which are
joined CamelCase (``Central Asia`` -> ``#CentralAsia``) so a multi-word tag stays one hashtag.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.domain import ArticleContent, ChannelTemplate

__all__ = ["MAX_HASHTAG_CHARS", "collect_hashtags", "normalize_hashtag"]

# Telegram recognises long hashtags, but a hashtag longer than this is a pasted sentence, and
# capping keeps the tags line from eating a caption.
MAX_HASHTAG_CHARS = 64

_LETTER = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo"})
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Endings stripped before stem matching: Russian nouns inflect by swapping a final vowel or soft
# sign (Россия/России/Россию, Москва/Москве), consonant-final ones by appending (Казахстан/-а/-е).
_RU_ENDINGS = "аеёиоуыэюяйь"
_CAMEL = re.compile(r"(?<=[a-zа-яё])(?=[A-ZА-ЯЁ])")


def _is_tag_char(ch: str) -> bool:
    if ch == "_":
        return True
    category = unicodedata.category(ch)
    return category in _LETTER or category == "Nd"


def _words(tag: str) -> list[str]:
    """Split on every character a hashtag cannot hold (NFC first, so é is one letter)."""
    text = unicodedata.normalize("NFC", tag)
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        if _is_tag_char(ch):
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def normalize_hashtag(tag: str) -> str | None:
    """``"#Казахстан"`` -> ``"#Казахстан"``, ``"Central Asia"`` -> ``"#CentralAsia"``.

    Returns None when nothing Telegram would render as a hashtag remains (empty, punctuation only,
    digits and underscores only).
    """
    words = _words(tag)
    if not words:
        return None
    body = words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])
    body = body[:MAX_HASHTAG_CHARS]
    if not any(unicodedata.category(ch) in _LETTER for ch in body):
        return None
    return "#" + body


def _fold(text: str) -> str:
    # ё is written as е in most Russian news text; match either way.
    return text.lower().replace("ё", "е")


def _word_pattern(word: str) -> str:
    lowered = _fold(word)
    letters = sum(1 for ch in lowered if unicodedata.category(ch) in _LETTER)
    if letters >= 5 and _CYRILLIC.search(lowered):
        # Bonus for Russian: match inflected forms by stem (at most two ending letters swapped
        # for at most three), so the tag "Казахстан" finds "Казахстана", "Россия" finds "России".
        stem = lowered
        for _ in range(2):
            if len(stem) > 4 and stem[-1] in _RU_ENDINGS:
                stem = stem[:-1]
        return re.escape(stem) + r"[а-яё]{0,3}"
    if letters >= 5:
        return re.escape(lowered) + r"(?:'s|s|es)?"
    return re.escape(lowered)


@lru_cache(maxsize=2048)
def _tag_regex(tag: str) -> re.Pattern[str] | None:
    words: list[str] = []
    for word in _words(tag):
        words.extend(w for w in _CAMEL.split(word) if w)
    if not words:
        return None
    # Words of a phrase tag may be separated by anything that is not a letter (or nothing, for a
    # CamelCase tag matching a compound); the whole match must sit on word boundaries.
    body = r"[\W_]*".join(_word_pattern(w) for w in words)
    return re.compile(r"(?<!\w)" + body + r"(?!\w)")


def collect_hashtags(article: ArticleContent, template: ChannelTemplate) -> tuple[str, ...]:
    """Editor tags, then the channel's tags that occur in the title, lead or body.

    De-duplicated case-insensitively (Telegram's hashtag search ignores case), first spelling
    wins, order stable.
    """
    out: list[str] = []
    seen: set[str] = set()

    def add(tag: str | None) -> None:
        if tag is not None and (key := tag.casefold()) not in seen:
            seen.add(key)
            out.append(tag)

    for tag in article.tags:
        add(normalize_hashtag(tag))
    if template.tag_list:
        text = _fold(
            unicodedata.normalize("NFC", "\n".join((article.title, article.lead, *article.body)))
        )
        for tag in template.tag_list:
            normalized = normalize_hashtag(tag)
            if normalized is None or normalized.casefold() in seen:
                continue
            pattern = _tag_regex(tag)
            if pattern is not None and pattern.search(text):
                add(normalized)
    return tuple(out)
