"""English reporting phrases: "X reported" / "X said in a statement" (an outlet, or an
organisation as the original), "told X" / "speaking to X" (the outlet told), "the newspaper X
said" (an outlet by its type noun), "the agency said" (the sentence's subject)."""

from __future__ import annotations

import functools
import re

from bot.ingest.lexicon import alternation, lexicon, phrase_patterns
from bot.ingest.names import canonical_outlet
from bot.ingest.spans import name_before, take_name

__all__ = ["english_mentions", "is_org"]

# <<list>> stands for the alternation of that lexicon list (reporting.*).
_TEMPLATES = {
    "en_back": (
        r"\s(?P<verb><<en_outlet_back>>|<<en_original_back>>)"
        r"(?=\s*(?:[.,;]|$|\son\s|\slate\s|\searlier\s|\son\w*day|\sthat\s|"
        r"\swith\s+reference\s|\sciting\s|\squoting\s))"
    ),
    "en_said": (
        r"\s(?:(?:has|have|had)\s+)?(?:said|says|confirmed|announced|warned|warns)"
        r"(?=\s*(?:[.,;]|$|\s(?:on|that|in|late|earlier|this|last|today|yesterday|"
        r"(?-i:[A-Z][a-z]+day))\b|\son\w*day))"
    ),
    "en_told": r"\b(?:<<en_told>>)\s+(?-i:(?=(?:the\s)?[A-Z]))",
}


@functools.cache
def _res() -> dict[str, re.Pattern[str]]:
    return phrase_patterns(_TEMPLATES)


def english_mentions(para: str, low: str, found: list[tuple[int, str, str]]) -> None:
    """(position, role, name) of the English reporting phrases of ``para`` into ``found``."""
    res = _res()
    if any(
        k in low
        for k in ("report", "wrote", "writes", "said in a", "said on", "told", "announced")
    ):
        outlet_verbs = set(lexicon().reporting["en_outlet_back"])
        for m in res["en_back"].finditer(para):
            name = name_before(para, m.start())
            typed = _name_before_type(para, m.start()) if not name else ""
            if typed:
                found.append((m.start(), "outlet", typed))  # "the Nikkei business daily reported"
            elif name:
                verb = " ".join(m["verb"].casefold().split())
                # "the Ministry of Transport reported": an organisation reports as a source;
                # "Yonhap News Agency reported" is an outlet for all its "Agency".
                introduced = _outlet_noun_before(para, m.start(), name)
                known = canonical_outlet(name) != name or introduced
                outlet = verb in outlet_verbs and (known or not is_org(name))
                # "news agency ANI reported": a page introduces another outlet by its type
                # noun, never itself; the outlet it re-reports is the original.
                kind = (
                    "introduced" if outlet and introduced else "outlet" if outlet else "original"
                )
                found.append((m.start(), kind, name))
    if (
        "told" in low
        or "said to" in low
        or "interview with" in low
        or "speaking to" in low
        or "comments to" in low
    ):
        listeners = lexicon().reporting["en_told_not_outlet"]
        for m in res["en_told"].finditer(para):
            name = take_name(para, m.end())
            person = name.startswith(("Mr", "Ms"))
            if name and name.casefold() not in listeners and not person:
                found.append((m.start(), "told", name))
                teller = name_before(para, m.start())
                # "the metro's spokesman Bakhtiyar Mammadov told Trend": a person told it too.
                if is_org(teller) or _EN_PERSON_RE.fullmatch(teller):
                    found.append((m.start() - 1, "original", teller))
    if any(k in low for k in ("said", "says", "confirmed", "announced", "warn")):
        for m in res["en_said"].finditer(para):
            name = name_before(para, m.start())
            if not name and _ANAPHOR_RE.search(para, 0, m.start()):
                # "Nasa has pushed back ..., the agency said": the sentence's subject.
                name = _sentence_subject(para, m.start())
            if name and _outlet_noun_before(para, m.start(), name):
                found.append((m.start(), "outlet", name))  # "the newspaper JoongAng Ilbo said"
            elif is_org(name) or (name and _ANAPHOR_RE.search(para, 0, m.start())):
                found.append((m.start(), "original", name))


_EN_PERSON_RE = re.compile(r"[A-Z][a-z'’-]+(?:\s[A-Z]\.)?(?:\s[A-Z][a-z'’-]+){1,2}")
_ANAPHOR_RE = re.compile(
    r"\bthe\s+(?:agency|ministry|company|regulator|department|office|bank|service|government|"
    r"forecaster|authority|organisation|organization|council|commission)$"
)
_SUBJECT_RE = re.compile(
    r"(?:^|(?<=[.!?]\s))(?P<name>[A-Z][\w&.'’-]*(?:\s+(?:of\s+)?[A-Z][\w&.'’-]*){0,4})"
    r"\s+(?:has|have|had|is|was|will|said|says|[a-z]+ed)\b"
)


def _sentence_subject(para: str, end: int) -> str:
    """The capitalised subject opening the sentence that ends at ``end``."""
    start = max(para.rfind(". ", 0, end) + 2, 0)
    m = _SUBJECT_RE.match(para, start if start > 1 else 0)
    return m["name"] if m else ""


@functools.cache
def _outlet_nouns_re() -> re.Pattern[str]:
    nouns = alternation(lexicon().raw["names"]["en_outlet_nouns"])
    return re.compile(rf"\b(?:{nouns})\s*,?\s*$", re.IGNORECASE)


@functools.cache
def _type_after_re() -> re.Pattern[str]:
    nouns = alternation(lexicon().raw["names"]["en_outlet_nouns"])
    return re.compile(rf"(?:\s+(?-i:[a-z]+))?\s+(?:{nouns})\s*$", re.IGNORECASE)


def _name_before_type(para: str, end: int) -> str:
    """ "the Nikkei business daily", "the Asahi newspaper": the name before an outlet's type
    noun (and one word qualifying it) that ends at ``end``."""
    m = _type_after_re().search(para, max(0, end - 60), end)
    return name_before(para, m.start()) if m is not None else ""


def _outlet_noun_before(para: str, end: int, name: str) -> bool:
    """The name follows an outlet's type noun: "the newspaper JoongAng Ilbo", "broadcaster
    KBS"."""
    at = para.rfind(name, 0, end)
    if at < 0:
        return False
    return _outlet_nouns_re().search(para, max(0, at - 40), at) is not None


def is_org(name: str) -> bool:
    """An organisation's name ("Ministry of Trade and Integration"), not a person's."""
    words = lexicon().en_org_words
    return bool(name) and any(w.strip("'’s") in words or w in words for w in name.split())
