"""Kazakh reporting phrases: "деп хабарлайды X" (the outlet, or a press service as the
original), "деп мәлімдеді X" (a speaker), "Бұл туралы X хабарлады", "X мәліметінше" and
"X-ға сілтеме жасап" (the cited body)."""

from __future__ import annotations

import functools
import re

from bot.ingest.lexicon import lexicon, phrase_patterns
from bot.ingest.names import kazakh_nominative
from bot.ingest.spans import CLAUSE_RE, name_before, person_in, take_name

__all__ = ["kazakh_mentions"]

_KK_SUFFIX_RE = re.compile(r"-?(?:ға|ге|қа|ке|на|не|ның|нің|дың|дің|тың|тің)$")


# <<list>> stands for the alternation of that lexicon list (reporting.*).
_TEMPLATES = {
    "kk_outlet": r"(?:^|[,—–]\s*|\bдеп\s+)(?:<<kk_outlet_verbs>>)\s+",
    "kk_speech": r"(?:^|[,—–]\s*|\bдеп\s+)(?:<<kk_speech_verbs>>)\s+",
    "kk_back": r"\s(?:<<kk_back_verbs>>)(?=[\s,.]|$)",
    "kk_citing": r"\s(?:<<kk_citing>>)(?=[\s,.])",
}


@functools.cache
def _res() -> dict[str, re.Pattern[str]]:
    return phrase_patterns(_TEMPLATES)


def kazakh_mentions(para: str, low: str, found: list[tuple[int, str, str]]) -> None:
    res = _res()
    if any(k in low for k in ("хабарла", "жаз", "мәлімде", "жеткіз")):
        for m in res["kk_outlet"].finditer(para):
            for kind, name in _kk_subject(para, m.end()):
                found.append((m.start(), kind, name))
    if "мәлім" in low or "деді" in low or "айтты" in low or "атап" in low or "түсінд" in low:
        for m in res["kk_speech"].finditer(para):
            outlet, at = _told_at(para, m.end())
            if outlet:
                # "деді «Қостанай таңына» … басшысы Серік Жақыпов": the outlet told, then who.
                found.append((m.start() - 1, "told", outlet))
            clause = CLAUSE_RE.match(para, at)
            text = clause.group().strip() if clause else ""
            words = text.split()[:8]
            name = (
                _titled_person(text)
                or person_in(words)
                or (" ".join(words) if words[:1] and words[0][:1].isupper() else "")
            )
            if name:
                found.append((m.start(), "original", name))
    if "мәлім" in low or "хабарла" in low or "айтты" in low:
        _told_outlet(para, found)
    if "туралы" in low:
        for m in res["kk_back"].finditer(para):
            start = _about_start(para, m.start())
            outlet, at = _told_at(para, start) if start >= 0 else ("", start)
            rest = para[at : m.start()].strip()
            if outlet and rest and not _KK_CITING_TAIL_RE.search(" " + rest):
                # "Бұл туралы «Жайық таңы» газетіне облыс әкімдігі хабарлады".
                found.append((m.start() - 1, "told", outlet))
                found.append((m.start(), "original", _titled_person(rest) or _base(rest)))
                continue
            name = _after_about(para, m.start()) or name_before(para, m.start(), lowercase=True)
            cited = _KK_CITING_TAIL_RE.search(name)
            if cited is not None:
                # "Бұл туралы Kazinform агенттігіне сілтеме жасап хабарлайды": whom the page
                # cites, in the dative before "сілтеме жасап".
                for kind, who in _cited_in_dative(name[: cited.start()]):
                    found.append((m.start(), kind, who))
                continue
            outlet, name = _split_told(name)
            if outlet:
                found.append((m.start() - 1, "told", outlet))
            if name:
                found.append((m.start(), "original", _titled_person(name) or _base(name)))
    if any(
        k in low
        for k in ("сілтеме", "мәліметі", "дерегі", "хабарлауы", "мәлімдеуі", "ақпараты", "сәйкес")
    ):
        for m in res["kk_citing"].finditer(para):
            name = name_before(para, m.start(), lowercase=True)
            # "Қала әкімдігінің мәліметінше" refers back to a body already named; a proper name
            # has a capital past its first word ("ҚР Денсаулық сақтау министрлігі") or runs longer.
            # A generic reference is one or two words; a full name runs longer.
            words = name.split()
            typed = _TYPED_GENITIVE_RE.fullmatch(name)
            if typed is not None:
                # "Bloomberg агенттігінің мәліметінше": an outlet by its type word.
                found.append((m.start(), "original", typed["name"].strip('«»"')))
            elif name and (len(words) >= 3 or any(w[:1].isupper() for w in words[1:])):
                words = name.split()
                words[-1] = _KK_SUFFIX_RE.sub("", words[-1])
                found.append((m.start(), "original", kazakh_nominative(" ".join(words))))


# "Ақтөбе облыстық полиция департаменті Азаттыққа ... мәлімдеді": the body, then the outlet it
# told in the dative, then the verb closing the sentence.
_TOLD_OUTLET_RE = re.compile(
    r"(?:^|(?<=[.!?]\s))(?P<subj>[^.,;:!?«»\"]{5,80}?)\s+"
    r"(?P<outlet>[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w.-]*?-?(?:ға|ге|қа|ке|на|не))\s+[^.!?]*?"
    r"(?:мәлімдеді|хабарлады|айтты|түсіндірді)[.!]"
)


_KK_NAME_WORDS = 12
_DATIVE = r"(?:на|не|ға|ге|қа|ке)"
_TOLD_TYPE = r"(?:тілшісіне|тілшілеріне|порталына|сайтына|агенттігіне|газетіне|арнасына)"
# The outlet told, in the dative: "«Қостанай таңына»" (its stem kept), "«Жайық таңы» газетіне",
# "Steppe.kz тілшісіне", "Steppe.kz-ке", "Steppe тілшісіне".
_TOLD_AT_RE = re.compile(
    rf"(?:«(?P<dat>[^»]{{1,40}}?)(?P<stem>[ыі]?){_DATIVE}»"
    rf"|«(?P<typed>[^»]{{1,40}})»\s+{_TOLD_TYPE}"
    rf"|(?P<site>[A-Za-zА-Яа-яЁё][\w-]*\.[a-z]{{2,6}})(?:-?{_DATIVE})?(?:\s+{_TOLD_TYPE})?"
    rf"|(?P<word>[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\w-]+)\s+{_TOLD_TYPE})\s+"
)


def _told_at(para: str, pos: int) -> tuple[str, int]:
    """The outlet told at ``pos`` and where the words after it start, or ("", pos)."""
    m = _TOLD_AT_RE.match(para, pos)
    if m is None:
        return "", pos
    outlet = (m["dat"] + m["stem"]) if m["dat"] else m["typed"] or m["site"] or m["word"]
    return outlet, m.end()


def _about_start(para: str, end: int) -> int:
    starts = [m.end() for m in _ABOUT_RE.finditer(para, 0, end)]
    return starts[-1] if starts else -1


# "Bloomberg агенттігінің", "«Егемен» газетінің": an outlet's name, then its type word.
_TYPED_GENITIVE_RE = re.compile(
    r"(?P<name>[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ«][^\s]*(?:\s+[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][^\s]*){0,2})\s+"
    r"(?:ақпарат\s+)?(?:агенттігінің|газетінің|порталының|сайтының|телеарнасының|арнасының)"
)
_ABOUT_RE = re.compile(r"(?:^|(?<=[.!?]\s))Бұл\s+туралы\s+", re.IGNORECASE)


def _after_about(para: str, end: int) -> str:
    """ "Бұл туралы облыстық … басқармасынан хабарлады": everything between "Бұл туралы" and
    the verb, when it is one lower-case clause of a name's length."""
    starts = [m.end() for m in _ABOUT_RE.finditer(para, 0, end)]
    if not starts:
        return ""
    span = para[starts[-1] : end].strip()
    if not span or any(ch in span for ch in ',.;:!?()«»"') or len(span.split()) > _KK_NAME_WORDS:
        return ""
    # Only a lower-case body's name ("облыстық … басқармасынан"): a capitalised one, an outlet
    # told among them, is read back from the verb.
    return span if span.islower() else ""


def _base(name: str) -> str:
    """ "қала әкімдігінің баспасөз қызметінен хабарлады": the body the news came from, its last
    word out of the ablative (the genitive before it is the name's own)."""
    words = name.split()
    if words and _KK_ABLATIVE_END_RE.search(words[-1]):
        return kazakh_nominative(name)
    return name


_KK_ABLATIVE_END_RE = re.compile(r"(?:нан|нен|дан|ден|тан|тен)$")


def _titled_person(name: str) -> str:
    """ "… басқармасының басшысы Асқар Нұрланов": a person after their title (the lexicon's
    kk_titles) is named without it."""
    words = name.split()
    titles = _kk_titles()
    for i in range(len(words) - 2, 0, -1):
        if words[i - 1].casefold() in titles:
            person = words[i:]
            if 2 <= len(person) <= 3 and all(w[:1].isupper() for w in person):
                return " ".join(person)
            break
    return ""


@functools.cache
def _kk_titles() -> frozenset[str]:
    return frozenset(w.casefold() for w in lexicon().reporting["kk_titles"])


def _told_outlet(para: str, found: list[tuple[int, str, str]]) -> None:
    for m in _TOLD_OUTLET_RE.finditer(para):
        subj = m["subj"].strip()
        low = subj.casefold()
        if any(w in low for w in lexicon().reporting["kk_press_words"]):
            found.append((m.start(), "original", subj))


# "Steppe.kz тілшісіне", "Steppe.kz порталына", "Steppe.kz-ке": the outlet told, in the dative.
_TOLD_WORD_RE = re.compile(
    r"(?:тілшісіне|тілшілеріне|порталына|сайтына|агенттігіне|газетіне|арнасына)$"
)
_SITE_DATIVE_RE = re.compile(r"^(?P<site>[\w-]+\.[a-z]{2,6})-(?:ке|ге|қа|ға|на|не)$")


def _split_told(name: str) -> tuple[str, str]:
    """ "Steppe.kz тілшісіне Алматы қаласы әкімдігі" -> the outlet told and the body telling."""
    words = name.split()
    for i, word in enumerate(words):
        site = _SITE_DATIVE_RE.match(word)
        if site is not None:
            return site["site"], " ".join(words[:i] + words[i + 1 :])
        if i and _TOLD_WORD_RE.search(word) and words[i - 1][:1].isupper():
            return words[i - 1], " ".join(words[: i - 1] + words[i + 1 :])
    return "", name


_KKCLAUSE_RE = re.compile(r"(?:[^,.;!?()\n]|\.(?=\w)){2,100}")  # "Abai.kz" stays whole
_KK_CORRESPONDENT_RE = re.compile(r"\s+(?:тілшісі|тілшілері|сайты|порталы)$")


@functools.cache
def _site_re() -> re.Pattern[str]:
    return re.compile(rf"[A-Za-zА-Яа-яЁё][\w-]{{1,30}}\.(?:{lexicon().tlds})", re.I)


_KK_TOKEN_RE = re.compile(r"«[^»]{1,40}»|\S+")


def _proper(token: str) -> bool:
    return token[:1] in '«"' or token[:1].isupper() or _site_re().fullmatch(token) is not None


def _cited_by_type(text: str) -> list[tuple[str, str]] | None:
    """ "Qamshy.kz Reuters агенттігіне", "«Дала үні» Nur.kz порталына" (before "сілтеме
    жасап"): the page's outlet, then the cited one named by its type word in the dative; the
    type word is no part of the name."""
    tokens = _KK_TOKEN_RE.findall(text)
    if len(tokens) not in (2, 3) or not _TOLD_WORD_RE.search(tokens[-1]):
        return None
    names = tokens[:-1]
    if not all(_proper(t) for t in names):
        return None
    found = [("original", names[-1].strip('«»"'))]
    if len(names) == 2:
        found.insert(0, ("outlet", names[0].strip('«»"')))
    return found


_KK_CITING_TAIL_RE = re.compile(r"\s+сілтеме\s+жасап$", re.IGNORECASE)


def _cited_in_dative(text: str) -> list[tuple[str, str]]:
    """ "Kazinform агенттігіне", "облыстық білім басқармасына": the cited outlet by its type
    word, or the body whose last word is in the dative."""
    typed = _cited_by_type(text)
    if typed is not None:
        return typed
    words = text.split()
    if not words or not _KK_SUFFIX_RE.search(words[-1]):
        return []
    words[-1] = _KK_SUFFIX_RE.sub("", words[-1])
    return [("original", " ".join(words).strip('«»"'))]


def _kk_subject(para: str, pos: int) -> list[tuple[str, str]]:
    """After "деп хабарлайды": the outlet ("Tengrinews.kz тілшісі") or, for a ministry or its
    press service ("Денсаулық сақтау министрлігінің баспасөз қызметі"), the original; "Хабар 24
    облыстық басқармасына сілтеме жасап" names both (the cited body in the dative)."""
    m = _KKCLAUSE_RE.match(para, pos)
    if m is None:
        return []
    own = _KK_CORRESPONDENT_RE.search(m.group().strip()) is not None  # the outlet's reporter
    text = _KK_CORRESPONDENT_RE.sub("", m.group().strip())
    person = _titled_person(text)  # "деп хабарлады ... бастығы Марат Жақсылықов": who spoke
    if person:
        return [("original", person)]
    cited = _KK_CITING_TAIL_RE.search(text)
    typed = _cited_by_type(text[: cited.start()]) if cited is not None else None
    if typed is not None:
        return typed
    low = text.casefold()
    press = any(w in low for w in lexicon().reporting["kk_press_words"])
    if text and text[:1].islower() and press and len(text.split()) <= _KK_NAME_WORDS:
        return [("original", _base(text))]  # "деп хабарлады облыс әкімінің баспасөз қызметі"
    if not text or len(text.split()) > 10 or not text[:1].isupper():
        return []
    if cited is not None:
        words = text[: cited.start()].split()
        # The cited body ends the clause in the dative: from its first lower-case word
        # ("Хабар 24 облыстық ... басқармасына"), or its last word ("Abai.kz Ақордаға").
        start = next((i for i, w in enumerate(words) if i and w[:1].islower()), len(words) - 1)
        if words and _site_re().fullmatch(words[0]):
            start = 1  # "Nur.kz Алматы қаласы ... департаментіне": a site's name is one word
        if 0 < start < len(words):
            rest = words[start:]
            rest[-1] = _KK_SUFFIX_RE.sub("", rest[-1])
            return [("outlet", " ".join(words[:start])), ("original", " ".join(rest))]
        text = " ".join(words)
    low = text.casefold()
    if any(w in low for w in lexicon().reporting["kk_press_words"]):
        return [("original", _base(text))]
    return [("told" if own else "outlet", take_name(text, 0) or text)]
