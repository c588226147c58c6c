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

from bot.ingest.lexicon import alternation, lexicon
from bot.ingest.names import canonical_outlet, case_of, kazakh_nominative, lemma, nominative
from bot.ingest.spans import name_before, take_name

__all__ = ["Attribution", "attribution"]


@dataclass(slots=True)
class Attribution:
    outlets: list[str] = field(default_factory=list)  # in order of mention, deduplicated
    originals: list[str] = field(default_factory=list)

    def add(self, kind: str, name: str) -> None:
        target = self.outlets if kind == "outlet" else self.originals
        if name and name.casefold() not in {n.casefold() for n in target}:
            target.append(name)


_KK_SUFFIX_RE = re.compile(r"-?(?:ға|ге|қа|ке|на|не|ның|нің|дың|дің|тың|тің)$")


@functools.cache
def _res() -> dict[str, re.Pattern[str]]:
    rep = lexicon().reporting
    i = re.IGNORECASE
    return {
        "ru_outlet": re.compile(
            r"(?:^|[,—–(:]\s*|\b(?:как|об\s+этом|о\s+ч[её]м|это)\s+)"
            rf"(?:{alternation(rep['ru_outlet_verbs'])})\s+(?!в\s|во\s|на\s)",
            i,
        ),
        "ru_citing": re.compile(rf"\b(?:{alternation(rep['ru_citing'])})\s+", i),
        "ru_said_in": re.compile(
            rf"\b(?:{alternation(rep['ru_said_in_verbs'])})\s+(?:[^\s,.]+\s+){{0,3}}?(?:в|во)\s+"
            r"(?=[А-ЯЁA-Z«\"]|пресс)",
            i,
        ),
        "ru_told": re.compile(
            rf"\b(?:{alternation(rep['ru_told_verbs'])})\s+"
            rf"(?:(?P<obj>{alternation(rep['ru_told_objects'])})\s+)?",
            i,
        ),
        "kk_outlet": re.compile(
            rf"(?:^|[,—–]\s*|\bдеп\s+)(?:{alternation(rep['kk_outlet_verbs'])})\s+", i
        ),
        "kk_citing": re.compile(rf"\s(?:{alternation(rep['kk_citing'])})(?=[\s,.])", i),
        "en_citing": re.compile(rf"\b(?:{alternation(rep['en_citing'])})\s+", i),
        "en_via": re.compile(r"(?:^|[(\[,;—–]\s*|\s-\s)via\s+", i),
        "en_reports_fwd": re.compile(
            rf",\s*(?:{alternation(rep['en_outlet_back'])})\s+(?-i:(?=[A-Z]))", i
        ),
        "en_back": re.compile(
            rf"\s(?P<verb>{alternation(rep['en_outlet_back'] + rep['en_original_back'])})"
            r"(?=\s*(?:[.,;]|$|\son\s|\slate\s|\searlier\s|\son\w*day|\sthat\s))",
            i,
        ),
        "en_said": re.compile(
            r"\s(?:said|says|confirmed|announced)(?=\s*(?:[.,;]|$|\s(?:on|that|in|late|earlier|"
            r"this|last|today|yesterday)\b|\son\w*day))",
            i,
        ),
        "en_told": re.compile(
            rf"\b(?:{alternation(rep['en_told'])})\s+(?-i:(?=(?:the\s)?[A-Z]))", i
        ),
    }


# (regex key, role, case of the name for the nominative, keywords gating the regex)
_FORWARD: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("ru_citing", "original", "", ("ссылк", "ссылая", "данны", "информаци", "сообщени", "слова")),
    ("ru_said_in", "original", "loct", (" в ", " во ")),
    ("en_citing", "original", "", ("according", "citing", "quoting", "reported by")),
    ("en_via", "outlet", "", ("via",)),
    ("en_reports_fwd", "outlet", "", ("report", "wrote", "writes")),
)
_CITING_CASES = {"со ссылкой на": "accs", "ссылаясь на": "accs"}


def _citing_case(match: str) -> str:
    low = " ".join(match.casefold().split())
    return next((c for k, c in _CITING_CASES.items() if low.startswith(k)), "gent")


def _ru(para: str, low: str, found: list[tuple[int, str, str]]) -> None:
    res = _res()
    if any(
        k in low
        for k in ("переда", "сообща", "сообщил", "пишет", "пишут", "информир", "писал", "отмеча")
    ):
        for m in res["ru_outlet"].finditer(para):
            name = take_name(para, m.end())
            if name[:1].islower():  # "сообщает пресс-служба ...", "сообщает департамент ..."
                found.append((m.start(), "original", _institution(name)))
            elif name:
                found.append((m.start(), "outlet", name))
            else:
                person = _person_after(para, m.end())
                if person:
                    found.append((m.start(), "original", person))
    if any(
        k in low for k in ("рассказ", "сообщил", "заявил", "поясн", "подтверд", "сказал", "уточн")
    ):
        for m in res["ru_told"].finditer(para):
            name = take_name(para, m.end())
            quoted = para[m.end() : m.end() + 1] in '«"“'
            known = canonical_outlet(name) != name or "." in name
            outlet = nominative(name, "datv") if name else ""
            known = known or canonical_outlet(outlet) != outlet
            if name and (m["obj"] or quoted or known):
                found.append((m.start(), "outlet", outlet))
                subject = _subject_after(para, m.end(), name)
                if subject:
                    found.append((m.start() + 1, "original", subject))


def _kk(para: str, low: str, found: list[tuple[int, str, str]]) -> None:
    res = _res()
    if any(k in low for k in ("хабарла", "жаз", "мәлімде", "жеткіз")):
        for m in res["kk_outlet"].finditer(para):
            kind, name = _kk_subject(para, m.end())
            if name:
                found.append((m.start(), kind, name))
    if any(
        k in low for k in ("сілтеме", "мәліметі", "дерегі", "хабарлауы", "мәлімдеуі", "ақпараты")
    ):
        for m in res["kk_citing"].finditer(para):
            name = name_before(para, m.start(), lowercase=True)
            # "Қала әкімдігінің мәліметінше" refers back to a body already named; a proper name
            # has a capital past its first word ("ҚР Денсаулық сақтау министрлігі") or runs longer.
            # A generic reference is one or two words; a full name runs longer.
            words = name.split()
            if name and (len(words) >= 3 or any(w[:1].isupper() for w in words[1:])):
                words = name.split()
                words[-1] = _KK_SUFFIX_RE.sub("", words[-1])
                found.append((m.start(), "original", kazakh_nominative(" ".join(words))))


_KK_CLAUSE_RE = re.compile(r"[^,.;!?()\n]{2,100}")
_KK_CORRESPONDENT_RE = re.compile(r"\s+(?:тілшісі|тілшілері|сайты|порталы)$")


def _kk_subject(para: str, pos: int) -> tuple[str, str]:
    """After "деп хабарлайды": the outlet ("Tengrinews.kz тілшісі") or, for a ministry or its
    press service ("Денсаулық сақтау министрлігінің баспасөз қызметі"), the original."""
    m = _KK_CLAUSE_RE.match(para, pos)
    if m is None:
        return "", ""
    text = _KK_CORRESPONDENT_RE.sub("", m.group().strip())
    if not text or len(text.split()) > 8 or not text[:1].isupper():
        return "", ""
    low = text.casefold()
    if any(w in low for w in lexicon().reporting["kk_press_words"]):
        return "original", text
    return "outlet", take_name(text, 0) or text


def _en(para: str, low: str, found: list[tuple[int, str, str]]) -> None:
    res = _res()
    if any(
        k in low
        for k in ("report", "wrote", "writes", "said in a", "said on", "told", "announced")
    ):
        outlet_verbs = set(lexicon().reporting["en_outlet_back"])
        for m in res["en_back"].finditer(para):
            name = name_before(para, m.start())
            if name:
                verb = " ".join(m["verb"].casefold().split())
                found.append((m.start(), "outlet" if verb in outlet_verbs else "original", name))
    if "told" in low or "said to" in low:
        listeners = lexicon().reporting["en_told_not_outlet"]
        for m in res["en_told"].finditer(para):
            name = take_name(para, m.end())
            person = name.startswith(("Mr", "Ms"))
            if name and name.casefold() not in listeners and not person:
                found.append((m.start(), "outlet", name))
                teller = name_before(para, m.start())
                if _is_org(teller):
                    found.append((m.start() - 1, "original", teller))
    if "said" in low or "says" in low or "confirmed" in low or "announced" in low:
        for m in res["en_said"].finditer(para):
            name = name_before(para, m.start())
            if _is_org(name):
                found.append((m.start(), "original", name))


def _is_org(name: str) -> bool:
    """An organisation's name ("Ministry of Trade and Integration"), not a person's."""
    words = lexicon().en_org_words
    return bool(name) and any(w.strip("'’s") in words or w in words for w in name.split())


_PERSON_RE = re.compile(
    r"(?:[а-яё-]+\s+){0,4}?(?P<name>[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?)"
    r"(?=[\s,.;:]|$)"
)


def _person_after(para: str, pos: int) -> str:
    """ "сообщил мэр столицы Сергей Собянин": the person after a title, as the original."""
    m = _PERSON_RE.match(para, pos)
    if m is None:
        return ""
    skipped = para[pos : m.start("name")].split()
    if any(w.casefold() in lexicon().stop_words for w in skipped):
        return ""  # "написал в своем канале ...": a place, not a title
    return m["name"]


_CLAUSE_RE = re.compile(r"[^,.;:!?()\n«»\"]{2,80}")


def _subject_after(para: str, pos: int, told: str) -> str:
    """ "сообщил "Интерфаксу" источник в экстренных службах": who told the outlet, when the
    subject follows it (a noun in the nominative opening the rest of the clause)."""
    at = para.find(told, pos)
    if at < 0:
        return ""
    rest = para[at + len(told) :].lstrip('»"” ')
    m = _CLAUSE_RE.match(rest)
    if m is None:
        return ""
    words = m.group().split()
    if not words or len(words) > 6 or words[0].casefold() in lexicon().stop_words:
        return ""
    if not (words[0][:1].isupper() or lemma(words[0]) in lexicon().institution_heads):
        return ""
    if words[0][:1].islower() and not case_of(words[0], "nomn"):
        return ""
    return " ".join(words)


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
    "сілтеме|мәліметі|дерегі|ақпараты|report|wrote|writes|said|told|announced|according|"
    "citing|quoting|via"
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
    _kk(para, low, found)
    _en(para, low, found)
    for key, kind, case, keys in _FORWARD:
        if not any(k in low for k in keys):
            continue
        for m in res[key].finditer(para):
            at = m.end()
            if key == "en_citing":  # "according to figures from the X"
                filler = lexicon().en_citing_fillers_re.match(para, at)
                at = filler.end() if filler else at
            name = take_name(para, at)
            if not name:
                continue
            if kind == "original" and key.startswith("ru"):
                name = nominative(name, case or _citing_case(m.group()))
            found.append((m.start(), kind, name))
    out: list[tuple[str, str]] = []
    for _, kind, name in sorted(found):
        if name.startswith("пресс-служб"):
            kind, name = "original", _press_service(name)
        out.append((kind, canonical_outlet(name) if kind == "outlet" else name))
    return tuple(out)


def attribution(paragraphs: list[str]) -> Attribution:
    """Outlets and original sources named in the copy, earliest mention first."""
    out = Attribution()
    for para in paragraphs:
        for kind, name in _mentions(para):
            out.add(kind, name)
    return out
