"""Short lines over the headline that are not it: a place or section kicker ("Hong Kong",
"Chiang Mai") and the site's tagline ("Национальное информационное агентство", "Новости Атырау
и Атырауской области", "Облыстық қоғамдық-саяси газет").

Told by shape, with the lexicon's descriptor words ([chrome] tagline_heads, tagline_words) as
data: a tagline opens with a head word or ends with the site's type noun, and has no verb
(pymorphy3 reads the Russian words); a kicker is one or two capitalised words. The caller only
asks about the line right above a headline-like line.
"""

from __future__ import annotations

import functools
import re

from bot.ingest.lexicon import lexicon
from bot.ingest.names import _parse

__all__ = ["ends_with_verb", "is_kicker"]

_TAGLINE_MAX_WORDS = 6
_TAGLINE_MAX = 60
_KICKER_MAX = 30
_WORD_RE = re.compile(r"[\w'’-]+")
_CAP_RE = re.compile(r"^[A-ZÀ-ÖØ-ÞА-ЯЁӘҒҚҢӨҰҮҺІ][\w'’.-]*$")
_RU_WORD_RE = re.compile(r"^[а-яё-]+$")
# Words a descriptor in Title Case may keep in lower case ("The Voice of the Nation").
_FUNCTION_WORDS = frozenset({"of", "the", "and", "for", "in", "on", "a", "an", "&", "и", "в"})
_VERB_POS = frozenset({"VERB", "INFN", "PRTS", "GRND"})


@functools.cache
def _tagline_words() -> frozenset[str]:
    return frozenset(w.casefold() for w in lexicon().raw["chrome"]["tagline_words"])


def _has_verb(words: list[str]) -> bool:
    """A Russian word pymorphy3 knows as a verb form: a headline's, never a tagline's."""
    for word in words:
        low = word.casefold()
        if not _RU_WORD_RE.match(low):
            continue
        parses = _parse(low)
        if parses and parses[0].tag.POS in _VERB_POS and parses[0].is_known:
            return True
    return False


def _is_tagline(text: str, words: list[str]) -> bool:
    if len(words) > _TAGLINE_MAX_WORDS or len(text) > _TAGLINE_MAX:
        return False
    heads = lexicon().raw["chrome"]["tagline_heads"]
    opens = any(text.casefold().startswith(h + " ") for h in heads)
    latin = all(w.isascii() for w in words)
    # "Национальное информационное агентство Таджикистана": the type noun may stand before
    # the place it serves (the verb test below still tells a headline).
    typed = words[-1].casefold() in _tagline_words() or (
        not latin and any(w.casefold() in _tagline_words() for w in words[1:])
    )
    if not opens and not typed:
        return False
    if latin:
        # An English descriptor is in Title Case ("Thailand's Leading Newspaper"); a headline
        # in sentence case ("Fake news law passed") is a headline.
        return all(_CAP_RE.match(w) or w.casefold() in _FUNCTION_WORDS for w in words)
    return not _has_verb(words)


@functools.lru_cache(maxsize=4096)
def is_kicker(text: str) -> bool:
    """A place/section kicker or the site's tagline, over a headline."""
    if text.rstrip('»"”)').endswith((".", "!", "?", "…", ":", ";", ",")):
        return False
    if any(ch.isdigit() for ch in text):
        return False
    words = _WORD_RE.findall(text)
    if not words:
        return False
    if len(words) == 2 and len(text) <= _KICKER_MAX and all(_CAP_RE.match(w) for w in words):
        return True  # "Hong Kong", "Chiang Mai", "Ак Жайык"
    return _is_tagline(text, words)


# Kazakh puts the verb last: a line closing with a finite verb ("... жарияланды", "... келеді",
# "... жүргізілуде") is a clause, a standfirst, never a name or a place.
_KK_LETTER_RE = re.compile("[әғқңөұүһі]", re.IGNORECASE)
_KK_VERB_END_RE = re.compile(
    r"\w{2,}(?:ды|ді|ты|ті|ады|еді|йды|йді|уда|уде|ған|ген|қан|кен|мақ|мек)$", re.IGNORECASE
)


@functools.lru_cache(maxsize=4096)
def ends_with_verb(text: str) -> bool:
    """The line closes with a verb: a clause (a headline, a standfirst), not a name or a tag."""
    words = text.rstrip(' .!?»"”').split()
    if not words:
        return False
    last = words[-1]
    if _KK_LETTER_RE.search(text) and _KK_VERB_END_RE.match(last):
        return True
    return _has_verb([last.casefold()])
