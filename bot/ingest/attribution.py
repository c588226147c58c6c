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

from bot.ingest.language import has_letter
from bot.ingest.lexicon import alternation, lexicon
from bot.ingest.names import canonical_outlet, is_genitive_word, kazakh_nominative, nominative

__all__ = ["Attribution", "attribution"]


@dataclass(slots=True)
class Attribution:
    outlets: list[str] = field(default_factory=list)  # in order of mention, deduplicated
    originals: list[str] = field(default_factory=list)

    def add(self, kind: str, name: str) -> None:
        target = self.outlets if kind == "outlet" else self.originals
        if name and name.casefold() not in {n.casefold() for n in target}:
            target.append(name)


_QUOTED_NAME_RE = re.compile(r"[«\"“„]([^«»\"“”„\n]{1,80})[»\"”“]")
_TOKEN_RE = re.compile(r"\S+")
_CONNECTORS = frozenset({"of", "the", "and", "for", "on", "de", "&", "и", "-", "–", "at", "по"})
_ABBREVIATION_RE = re.compile(r"^(?:[A-ZА-ЯЁ]\.){2,}$")
_PRESS_SERVICE_RE = re.compile(r"^пресс-служб\w*", re.IGNORECASE)
_PRESS_SERVICE_TAIL_RE = re.compile(r"[^,.;:!?()\n]{1,80}")
_KEEP_PREFIX_NAMES = frozenset({"новости"})  # "РИА Новости" is a name, not "ИА" + "Новости"
_MAX_NAME_TOKENS = 7
_KK_SUFFIX_RE = re.compile(r"-?(?:ға|ге|қа|ке|на|не|ның|нің|дың|дің|тың|тің)$")


@functools.cache
def _res() -> dict[str, re.Pattern[str]]:
    rep = lexicon().reporting
    prefixes = lexicon().name_prefixes
    i = re.IGNORECASE
    return {
        "prefix": re.compile(rf"(?:(?:{prefixes}|(?-i:the))\s+)+", i),
        "ru_outlet": re.compile(
            r"(?:^|[,—–(:]\s*|\b(?:как|об\s+этом|о\s+ч[её]м|это)\s+)"
            rf"(?:{alternation(rep['ru_outlet_verbs'])})\s+(?!в\s|во\s|на\s)",
            i,
        ),
        "ru_citing": re.compile(rf"\b(?:{alternation(rep['ru_citing'])})\s+", i),
        "ru_said_in": re.compile(
            rf"\b(?:{alternation(rep['ru_said_in_verbs'])})\s+(?:в|во)\s+(?=[А-ЯЁA-Z«\"]|пресс)", i
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
        "en_told": re.compile(
            rf"\b(?:{alternation(rep['en_told'])})\s+(?-i:(?=(?:the\s)?[A-Z]))", i
        ),
    }


def _accept_token(token: str) -> bool:
    core = token.strip('«»"“”()')
    if not core:
        return False
    if core[0].isupper() or core[0].isdigit():
        return True
    # Domains written in lower case ("tengrinews.kz") are names too.
    return "." in core.strip(".") and has_letter(core)


def take_name(text: str, pos: int) -> str:
    """The outlet/organisation name written at ``pos`` ("ИА El.kz", "«Интерфакс»", "the UN"),
    with the genitive dependants of a Russian head ("Министерстве энергетики Казахстана")."""
    prefix = _res()["prefix"].match(text, pos)
    start = prefix.end() if prefix else pos
    prefix_text = text[pos:start]
    head = text[start : start + 120]
    press = _PRESS_SERVICE_RE.match(head)
    if press is not None:
        tail = _PRESS_SERVICE_TAIL_RE.match(head, press.end())
        rest = tail.group().strip() if tail else ""
        return f"{press.group()} {rest}".strip() if rest else ""
    quoted = _QUOTED_NAME_RE.match(head)
    if quoted is not None:
        return quoted.group(1).strip()
    stops = lexicon().stop_words
    tokens = _TOKEN_RE.findall(head)
    name: list[str] = []
    for i, token in enumerate(tokens[:_MAX_NAME_TOKENS]):
        bare = token.rstrip('.,;:!?)»"”')
        low = bare.casefold()
        if low in _CONNECTORS and name:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if token == bare and (_accept_token(nxt) or (low == "по" and nxt[:1].islower())):
                name.append(token)
                continue
            break
        if not bare or low in stops:
            break
        dependant = bool(name) and (is_genitive_word(bare) or name[-1] == "по")
        if not _accept_token(bare) and not dependant:  # "Комитет по чрезвычайным ситуациям"
            break
        if token.endswith(".") and _ABBREVIATION_RE.match(token):
            name.append(token)
            continue
        name.append(bare.strip('«»"“”('))
        if token != bare:
            break  # punctuation after the token ends the name
    while name and name[-1].casefold() in _CONNECTORS:
        name.pop()
    result = " ".join(name).strip()
    if result.casefold() in _KEEP_PREFIX_NAMES and prefix_text.strip():
        result = f"{prefix_text.split()[-1]} {result}"
    return result if has_letter(result) and len(result) <= 80 else ""


def name_before(text: str, end: int, *, lowercase: bool = False) -> str:
    """The capitalised name right before ``end``: "the Kremlin said in a statement" -> Kremlin.
    ``lowercase`` also takes lower-case words (Kazakh names: "Денсаулық сақтау министрлігі")."""
    words = text[max(0, end - 100) : end].split()
    name: list[str] = []
    for word in reversed(words):
        bare = word.strip('«»"“”(),')
        if word != word.rstrip(",;:.") or not bare:
            break
        if bare[0].isupper() or bare[0].isdigit():
            name.append(bare)
            continue
        if bare.casefold() in _CONNECTORS and name:
            name.append(bare)
            continue
        if lowercase and len(name) < 5 and bare.casefold() not in {"туралы", "бұл", "деп"}:
            name.append(bare)
            continue
        break
    while name and (name[-1].casefold() in _CONNECTORS or name[-1][:1].islower()):
        name.pop()  # a leading "the" or a lower-case word before the name
    while name and name[0].casefold() in _CONNECTORS:
        name.pop(0)
    name.reverse()
    if name and name[0] in {"The", "A"} and len(name) > 1:
        name.pop(0)
    result = " ".join(name)
    return result if has_letter(result) and len(result) <= 80 else ""


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
        k in low for k in ("переда", "сообща", "пишет", "пишут", "информир", "писал", "отмеча")
    ):
        for m in res["ru_outlet"].finditer(para):
            name = take_name(para, m.end())
            if name.startswith("пресс-служб"):
                found.append((m.start(), "original", name))
            elif name:
                found.append((m.start(), "outlet", name))
    if any(
        k in low for k in ("рассказ", "сообщил", "заявил", "поясн", "подтверд", "сказал", "уточн")
    ):
        for m in res["ru_told"].finditer(para):
            name = take_name(para, m.end())
            quoted = para[m.end() : m.end() + 1] in '«"“'
            known = canonical_outlet(name) != name or "." in name
            if name and (m["obj"] or quoted or known):
                found.append((m.start(), "outlet", nominative(name, "datv")))


def _kk(para: str, low: str, found: list[tuple[int, str, str]]) -> None:
    res = _res()
    if any(k in low for k in ("хабарла", "жаз", "мәлімде", "жеткіз")):
        for m in res["kk_outlet"].finditer(para):
            name = take_name(para, m.end())
            if name:
                found.append((m.start(), "outlet", name))
    if any(
        k in low for k in ("сілтеме", "мәліметі", "дерегі", "хабарлауы", "мәлімдеуі", "ақпараты")
    ):
        for m in res["kk_citing"].finditer(para):
            name = name_before(para, m.start(), lowercase=True)
            if name:
                words = name.split()
                words[-1] = _KK_SUFFIX_RE.sub("", words[-1])
                found.append((m.start(), "original", kazakh_nominative(" ".join(words))))


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
            name = take_name(para, m.end())
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
