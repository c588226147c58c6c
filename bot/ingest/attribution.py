"""Who the copy is from: the outlet (source) and whom it cites (original source).

Reporting phrases in Russian, Kazakh and English, with the outlet as subject (``передает ИА
El.kz``, ``Bloomberg reported``) or object (``рассказал корреспонденту Tengrinews.kz``, ``told
the BBC``), and citing phrases for the original (``со ссылкой на``, ``according to``,
``мәліметінше``). Every regex is built from the lexicon and runs only on paragraphs that contain
one of its keywords: most paragraphs attribute nothing and should cost a few ``in`` checks.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from bot.ingest.attribution_en import english_mentions
from bot.ingest.attribution_kk import kazakh_mentions
from bot.ingest.lexicon import alternation, lexicon, phrase_patterns
from bot.ingest.names import (
    canonical_outlet,
    case_of,
    lemma,
    nominative,
)
from bot.ingest.spans import CLAUSE_RE, name_before, person_in, take_name

__all__ = ["Attribution", "attribution"]


@dataclass(slots=True)
class Attribution:
    outlets: list[str] = field(default_factory=list)  # in order of mention, deduplicated
    originals: list[str] = field(default_factory=list)
    # Outlets the copy says were told or shown something ("told the BBC", "рассказал
    # корреспонденту Tengrinews.kz"): the page's own reporting wherever it stands.
    told: list[str] = field(default_factory=list)
    # Outlets the copy introduces by their type noun ("news agency ANI reported"): a page never
    # names itself so, they are outlets it re-reports.
    introduced: list[str] = field(default_factory=list)

    def add(self, kind: str, name: str) -> None:
        if kind == "told":
            _add_once(self.told, name)
        if kind == "introduced":
            _add_once(self.introduced, name)
        outlet = kind in ("outlet", "told", "introduced")
        _add_once(self.outlets if outlet else self.originals, name)


def _add_once(target: list[str], name: str) -> None:
    if name and name.casefold() not in {n.casefold() for n in target}:
        target.append(name)


# <<list>> stands for the alternation of that lexicon list (reporting.*).
_TEMPLATES = {
    "ru_outlet": (
        r"(?:^|[,—–(:]\s*|\b(?:как|об\s+этом|о\s+ч[её]м|это)\s+)"
        r"(?:<<ru_outlet_verbs>>)\s+(?!в\s|во\s|на\s)"
    ),
    "ru_citing": r"\b(?:<<ru_citing>>)\s+",
    # Up to three words between ("сообщили «Газете.Ru» в ..."): a dot inside a word (a site's
    # name) is no sentence end.
    "ru_said_in": (
        r"\b(?:<<ru_said_in_verbs>>)\s+(?:[^\s,.]+(?:\.[^\s,.]+)*\s+){0,3}?(?:в|во)\s+"
        r"(?=[А-ЯЁA-Z«\"]|пресс)"
    ),
    "ru_told": r"\b(?:<<ru_told_verbs>>)\s+(?:(?P<obj><<ru_told_objects>>)\s+)?",
    "en_citing": r"\b(?:<<en_citing>>)\s+",
    "en_seen_by": r"\b(?:<<en_seen_by>>)\s+(?-i:(?=(?:the\s)?[A-Z]))",
    "en_via": r"(?:^|[(\[,;—–]\s*|\s-\s)via\s+",
    "en_reports_fwd": r",\s*(?:<<en_outlet_back>>)\s+(?-i:(?=[A-Z]))",
}


@functools.cache
def _res() -> dict[str, re.Pattern[str]]:
    return phrase_patterns(_TEMPLATES)


# (regex key, role, case of the name for the nominative, keywords gating the regex)
_FORWARD: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (
        "ru_citing",
        "original",
        "",
        (
            "ссылк",
            "ссылая",
            "данны",
            "информаци",
            "сообщени",
            "слова",
            "материал",
            "сведени",
            "оценк",
            "подсчет",
            "подсчёт",
            "следует",
            "говорится",
            "сообщается",
        ),
    ),
    ("ru_said_in", "original", "loct", (" в ", " во ")),
    ("en_citing", "original", "", ("en_citing",)),
    ("en_seen_by", "told", "", ("en_seen_by",)),
    ("en_via", "outlet", "", ("via",)),
    ("en_reports_fwd", "outlet", "", ("report", "wrote", "writes")),
)
_CITING_CASES = {"со ссылкой на": "accs", "ссылаясь на": "accs"}


def _citing_case(match: str) -> str:
    low = " ".join(match.casefold().split())
    return next((c for k, c in _CITING_CASES.items() if low.startswith(k)), "gent")


@functools.cache
def _platforms() -> frozenset[str]:
    return frozenset(w.casefold() for w in lexicon().reporting["ru_platforms"])


def _past_verb(match: str) -> bool:
    """The phrase's verb is in the past ("сообщили"), which takes the outlet in the dative."""
    verb = match.split()[-1].casefold() if match.split() else ""
    return verb.endswith(("л", "ла", "ло", "ли"))


@functools.cache
def _gate_words(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The words gating a forward regex: a one-item tuple naming a lexicon list stands for
    that list's phrases (so a phrase added to the data gates its regex too)."""
    reporting = lexicon().reporting
    if len(keys) == 1 and keys[0] in reporting:
        return tuple(w.casefold() for w in reporting[keys[0]])
    return keys


@functools.cache
def _stems(key: str) -> tuple[str, ...]:
    """Five-letter stems of a verb list: a cheap ``in`` gate before the regex."""
    return tuple(sorted({w.casefold()[:5] for w in lexicon().reporting[key]}))


def _ru(para: str, low: str, found: list[tuple[int, str, str]]) -> None:
    res = _res()
    if any(k in low for k in _stems("ru_outlet_verbs")):
        for m in res["ru_outlet"].finditer(para):
            name = take_name(para, m.end())
            if name[:1].islower() or _institution_head(name):
                # "сообщает пресс-служба ...", "сообщает Министерство энергетики ...": a body
                # that put out the news, the original, not an outlet.
                found.append((m.start(), "original", _institution(name)))
            elif name and nominative(name, "datv") != name and _past_verb(m.group()):
                continue  # "сообщили «Фонтанке»": the dative, whom it was told (below)
            elif name:
                # "передает корреспондент Tengrinews.kz": the outlet's own reporter.
                own = _CORRESPONDENT_RE.match(para, m.end()) is not None
                found.append((m.start(), "told" if own else "outlet", name))
            else:
                person = _person_after(para, m.end())
                if person:
                    found.append((m.start(), "original", person))
    if "в " in low:
        _ru_in_said(para, found)
    if "об этом" in low or "как " in low or "это " in low or "информацию" in low:
        _ru_told_first(para, found)
    if any(k in low for k in _stems("ru_told_verbs")):
        for m in res["ru_told"].finditer(para):
            name = take_name(para, m.end())
            quoted = para[m.end() : m.end() + 1] in '«"“'
            known = canonical_outlet(name) != name or "." in name
            outlet = nominative(name, "datv") if name else ""
            known = known or canonical_outlet(outlet) != outlet
            if name and (m["obj"] or quoted or known):
                found.append((m.start(), "told", outlet))
                subject = _subject_after(para, m.end(), name)
                if subject:
                    found.append((m.start() + 1, "original", subject))
            elif not name:
                person = _person_after(para, m.end())  # "как заявил вице-премьер Марат Хуснуллин"
                if person:
                    found.append((m.start(), "original", person))


_CORRESPONDENT_RE = re.compile(r"(?:корреспондент|собкор|спецкор|журналист)\w*\s", re.I)


@functools.cache
def _in_said_re() -> re.Pattern[str]:
    verbs = alternation([v for v in lexicon().reporting["ru_said_in_verbs"] if v.endswith("ли")])
    return re.compile(
        r"(?:^|(?<=[.!?]\s))(?:В|Во)\s+(?P<name>[^,.;:!?«»\"]{3,100}?)\s+"
        rf"(?:(?P<outlet>(?-i:[A-ZА-ЯЁ])[\w.-]+)\s+)?(?:{verbs})\b"
    )


@functools.cache
def _told_first_re() -> re.Pattern[str]:
    told = [v for v in lexicon().reporting["ru_told_verbs"] if v.endswith(("л", "ла", "ли"))]
    return re.compile(
        r"(?:^|(?<=[.!?]\s))(?:Об\s+этом|Как|Это|Информацию|Эту\s+информацию)\s+(?P<outlet>«[^»]{2,40}»|\"[^\"]{2,40}\"|"
        rf"(?-i:[A-ZА-ЯЁ])[\w.-]{{1,30}})\s+(?:{alternation(told)})\b"
    )


def _ru_told_first(para: str, found: list[tuple[int, str, str]]) -> None:
    """ "Об этом «Курсиву» сообщили в …", "Об этом Tengrinews.kz рассказал аким": the outlet
    told, in the dative, before the verb."""
    lex = lexicon()
    known = {*(v.casefold() for v in lex.domains.values()), *lex.aliases}
    for m in _told_first_re().finditer(para):
        name = m["outlet"].strip('«»"')
        outlet = nominative(name, "datv")
        # A person told ("Об этом Путину сообщили") is no outlet: quotes, a site or a known name.
        if m["outlet"][0] in '«"' or "." in name or outlet.casefold() in known:
            found.append((m.start(), "told", outlet))


def _ru_in_said(para: str, found: list[tuple[int, str, str]]) -> None:
    """ "В акимате Алматинской области Азаттыку сообщили": the body told, in the prepositional
    case before the verb (the outlet told, in the dative, between them)."""
    for m in _in_said_re().finditer(para):
        name = take_name(m["name"], 0)
        if name and len(name) >= len(m["name"]) - 1:
            found.append((m.start(), "original", nominative(name, "loct")))


def _person_after(para: str, pos: int) -> str:
    """ "сообщил мэр столицы Сергей Собянин": the person after a title, as the original."""
    m = CLAUSE_RE.match(para, pos)
    if m is None:
        return ""
    words = m.group().split()[:8]
    if not words or words[0].casefold() in lexicon().stop_words:
        return ""  # "написал в своем канале ...": a place, not a title
    return person_in(words)


# Words after the outlet told where the speaker's name may stand: "… один из авторов документа,
# первый зампред комитета по строительству и ЖКХ Олег Дроздов" runs long.
_SUBJECT_WORDS = 16


def _subject_after(para: str, pos: int, told: str) -> str:
    """ "сообщил "Интерфаксу" источник в экстренных службах": who told the outlet, when the
    subject follows it (a person, or a noun in the nominative opening the rest of the clause)."""
    at = para.find(told, pos)
    if at < 0:
        return ""
    rest = para[at + len(told) :].lstrip('»"” ')
    sentence = re.split(r"[.;!?]", rest, maxsplit=1)[0].split()
    person = person_in([w.strip('«»",') for w in sentence[:_SUBJECT_WORDS]])
    if person:
        return person  # "ведущий специалист центра «Фобос» Михаил Леус"
    m = CLAUSE_RE.match(rest)
    if m is None:
        return ""
    words = m.group().split()
    if not words or words[0].casefold() in lexicon().stop_words:
        return ""
    person = person_in(words[:10])
    if person:
        return person
    if len(words) > 6:
        return ""
    if words[0][:1].islower() and not case_of(words[0], "nomn"):
        return ""
    return " ".join(words)


def _institution_head(name: str) -> bool:
    """A Russian name headed by an institution's noun ("Агентство статистики при …",
    "Комитет по …") followed by its dependants: no outlet's name."""
    words = name.split()
    return (
        len(words) > 1
        and words[0][:1].isupper()
        and lemma(words[0]) in lexicon().institution_heads
        and words[1][:1].islower()
    )


def _institution(name: str) -> str:
    """A lower-case institution's name with its head in the nominative."""
    return _press_service(name)


def _press_service(name: str) -> str:
    """ "пресс-службе/-ы/-у ..." in whatever case the phrase put it -> "пресс-служба ..."."""
    head, _, rest = name.partition(" ")
    for case in ("loct", "gent", "accs", "datv", "ablt"):
        norm = nominative(head, case)
        if norm != head:
            return f"{norm} {rest}".strip()
    return name


_GATE_RE = re.compile(
    "переда|сообща|пишет|пишут|информир|писал|отмеча|рассказ|сообщил|заявил|поясн|подтверд|"
    "сказал|уточн|ссылк|ссылая|данны|информаци|сообщени|слова|хабарла|жаз|мәлімде|жеткіз|"
    "сілтеме|мәліметі|дерегі|ақпараты|сәйкес|мәлім|report|wrote|writes|said|told|announced|according|"
    "citing|quoting|via|объясн|отмет|подчерк|говорит|призна|деді|айтты|атап|түсінд|туралы|"
    "warned|confirmed|says|материал|сведени|оценк|подсч|следует|говорится|reporting|seen by|"
    "reviewed by|obtained by|viewed by|examined by|verified by|shared with|provided to|"
    "reference to|referring to"
)


@functools.lru_cache(maxsize=2048)
def _mentions(para: str) -> tuple[tuple[str, str], ...]:
    """(role, name) of every attribution in one paragraph, in order; cached, as copy repeats
    across pastes (and the name normalisation behind it is the costly part)."""
    low = para.casefold()
    if _GATE_RE.search(low) is None:
        return ()
    res = _res()
    found: list[tuple[int, str, str]] = []
    _ru(para, low, found)
    kazakh_mentions(para, low, found)
    english_mentions(para, low, found)
    for key, kind, case, keys in _FORWARD:
        if not any(k in low for k in _gate_words(keys)):
            continue
        for m in res[key].finditer(para):
            at = m.end()
            if key == "en_citing":  # "according to figures from the X"
                filler = lexicon().en_citing_fillers_re.match(para, at)
                at = filler.end() if filler else at
            name = take_name(para, at)
            if key == "ru_said_in" and name.casefold() in _platforms():
                # "Зиверт сообщила в Instagram": the one who posted, before the verb.
                name = name_before(para, m.start())
            if not name:
                continue
            if kind == "original" and key.startswith("ru"):
                name = nominative(name, case or _citing_case(m.group()))
            found.append((m.start(), kind, name))
    out: list[tuple[str, str]] = []
    for _, kind, name in sorted(found):
        if name.startswith("пресс-служб"):
            kind, name = "original", _press_service(name)
        outlet = kind in ("outlet", "told", "introduced")
        out.append((kind, canonical_outlet(name) if outlet else name))
    return tuple(out)


def attribution(paragraphs: list[str]) -> Attribution:
    """Outlets and original sources named in the copy, earliest mention first."""
    out = Attribution()
    for para in paragraphs:
        for kind, name in _mentions(para):
            out.add(kind, name)
    return out
