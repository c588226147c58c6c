"""Where a name written in a sentence starts and ends.

``take_name`` reads forward from a reporting phrase ("передает ИА El.kz", "сообщили в
Министерстве энергетики Казахстана"), ``name_before`` backward from a verb ("the Kremlin said").
"""

from __future__ import annotations

import functools
import re

from bot.ingest.language import has_letter
from bot.ingest.lexicon import lexicon
from bot.ingest.names import agrees, case_of, is_genitive_word, is_person, lemma

__all__ = ["CLAUSE_RE", "name_before", "person_in", "take_name"]

_QUOTED_NAME_RE = re.compile(r"[«\"“„]([^«»\"“”„\n]{1,80})[»\"”“]")
_TOKEN_RE = re.compile(r"\S+")
_CYRILLIC_RE = re.compile(r"^[«\"]?[А-ЯЁа-яё]")
_CYR_LOWER_RE = re.compile(r"[а-яё]{3,}\s")
_CONNECTORS = frozenset(
    {"of", "the", "and", "for", "on", "de", "&", "и", "-", "–", "at", "по", "при"}
)
_ABBREVIATION_RE = re.compile(r"^(?:[A-ZА-ЯЁ]\.){2,}$")
_PRESS_SERVICE_RE = re.compile(r"^пресс-служб\w*", re.IGNORECASE)
_PRESS_SERVICE_TAIL_RE = re.compile(r"[^,.;:!?()\n]{1,80}")
_KEEP_PREFIX_NAMES = frozenset({"новости"})  # "РИА Новости" is a name, not "ИА" + "Новости"
_MAX_NAME_TOKENS = 12  # "Комитет по чрезвычайным ситуациям и гражданской обороне при …"
_NAME_MAX = 120  # characters: a ministry with its state, "… при Правительстве Республики …"
_WHEN_RE = re.compile(
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
)
_KK_STOPS = frozenset({"туралы", "бұл", "деп", "хабарлайды", "жазады", "мәлімдеді", "хабарлады"})
_KK_SUFFIX_RE = re.compile(r"-?(?:ға|ге|қа|ке|на|не|ның|нің|дың|дің|тың|тің)$")


@functools.cache
def _prefix_re() -> re.Pattern[str]:
    return re.compile(rf"(?:(?:{lexicon().name_prefixes}|(?-i:the))\s+)+", re.IGNORECASE)


def _accept_token(token: str) -> bool:
    core = token.strip('«»"“”()')
    if not core:
        return False
    if core[0].isupper() or core[0].isdigit():
        return True
    # Domains written in lower case ("tengrinews.kz") are names too.
    return "." in core.strip(".") and has_letter(core)


def _dependant(word: str, name: list[str], dative_run: bool) -> bool:
    """A lower-case word that belongs to the name being read: a genitive dependant of its head
    ("Министерство энергетики"), or the dative after "по" ("Комитет по чрезвычайным ситуациям")."""
    if not name or not _CYRILLIC_RE.match(name[0]):
        return False  # "Tengrinews.kz аким города": a Latin name takes no Russian dependants
    if is_genitive_word(word) or (dative_run and case_of(word, "datv")):
        return True
    return len(name) == 1 and agrees(name[0], word)


def _runs_on(low: str, name: list[str], nxt: str, dative_run: bool) -> bool:
    """A lower-case connector inside a name: "Агентство по регулированию и развитию …" ("и" goes
    on with a dative run), "Министерство энергетики и водных ресурсов" (a genitive after a
    genitive), "Комитет … при Правительстве"; "мэрия города по итогам конкурса" ends before
    "по" (an adverbial phrase, the lexicon's [names] po_phrase_stops)."""
    if low == "по":
        return nxt[:1].islower() and nxt.casefold() not in _po_stops()
    if low == "и":
        if dative_run and case_of(nxt, "datv"):
            return True
        # The head alone ("в мэрии и полиции") joins two bodies; a dependant after the head
        # ("министерстве экологии и природопользования") goes on with another.
        prev = name[-1] if len(name) >= 2 else ""
        return prev[:1].islower() and is_genitive_word(prev) and is_genitive_word(nxt)
    if low == "при":
        return nxt[:1].isupper() or case_of(nxt, "loct")
    return False


@functools.cache
def _po_stops() -> frozenset[str]:
    return frozenset(w.casefold() for w in lexicon().raw["names"]["po_phrase_stops"])


def _name_tokens(tokens: list[str]) -> list[str]:
    stops = lexicon().stop_words
    heads = lexicon().institution_heads
    name: list[str] = []
    dative_run = False  # inside "по ..." of a name
    for i, token in enumerate(tokens[:_MAX_NAME_TOKENS]):
        bare = token.rstrip('.,;:!?)»"”')
        low = bare.casefold()
        if low in _CONNECTORS and name:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if _WHEN_RE.match(nxt):
                break  # "told The Astana Times on Monday": the name ends before its time
            runs_on = _runs_on(low, name, nxt.rstrip(".,;:!?"), dative_run)
            if token == bare and (_accept_token(nxt) or runs_on):
                name.append(token)
                dative_run = dative_run or low == "по"
                continue
            break
        if not bare or low in stops:
            break
        institution = not name and lemma(low) in heads  # "департамент Комитета ..."
        # "при президенте": the prepositional case after "при" belongs to the name.
        governed = bool(name) and name[-1] == "при" and case_of(bare, "loct")
        if not (
            _accept_token(bare) or institution or governed or _dependant(bare, name, dative_run)
        ):
            break
        if dative_run and not case_of(bare, "datv"):
            dative_run = False
        if token.endswith(".") and _ABBREVIATION_RE.match(token):
            name.append(token)
            continue
        name.append(bare.strip('«»"“”('))
        if token != bare:
            break  # punctuation after the token ends the name
    if len(name) == 1 and name[0][:1].islower() and "." not in name[0]:
        return []  # "в министерстве": a bare head refers back, it names nobody
    return name


def take_name(text: str, pos: int) -> str:
    """The outlet/organisation name written at ``pos`` ("ИА El.kz", "«Интерфакс»", "the UN"),
    with the genitive dependants of a Russian head ("Министерстве энергетики Казахстана")."""
    prefix = _prefix_re().match(text, pos)
    start = prefix.end() if prefix else pos
    if prefix and (text[start : start + 3] == "по " or _CYR_LOWER_RE.match(text, start)):
        # "Агентства по регулированию …", "Агентство статистики при …": the type word heads
        # the name itself (a lower-case dependant follows it, no outlet's name).
        start = pos
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
    name = _name_tokens(_TOKEN_RE.findall(head))
    while name and name[-1].casefold() in _CONNECTORS:
        name.pop()
    result = " ".join(name).strip()
    if result.casefold() in _KEEP_PREFIX_NAMES and prefix_text.strip():
        result = f"{prefix_text.split()[-1]} {result}"
    return result if has_letter(result) and len(result) <= _NAME_MAX else ""


# "the Reuters news agency reported": the type words between the name and the verb.
_DESCRIPTOR_RE = re.compile(
    r"\s+(?:news\s+agency|agency|newspaper|news\s+website|website|broadcaster|daily|outlet)$"
)


def name_before(text: str, end: int, *, lowercase: bool = False) -> str:
    """The capitalised name right before ``end``: "the Kremlin said in a statement" -> Kremlin.
    ``lowercase`` also takes lower-case words (Kazakh names: "Денсаулық сақтау министрлігі")."""
    words = _DESCRIPTOR_RE.sub("", text[max(0, end - 100) : end]).split()
    if words and words[-1].startswith("(") and words[-1].endswith(")"):
        words.pop()  # "the Federal Statistical Office (Destatis)": the short form in brackets
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
        if lowercase and len(name) < 5 and bare.casefold() not in _KK_STOPS:
            name.append(bare)
            continue
        break
    while name and (
        name[-1].casefold() in _CONNECTORS or (name[-1][:1].islower() and not lowercase)
    ):
        name.pop()  # a leading "the" or a lower-case word before the name
    while name and name[0].casefold() in _CONNECTORS:
        name.pop(0)
    name.reverse()
    if name and name[0] in {"The", "A"} and len(name) > 1:
        name.pop(0)
    result = " ".join(name)
    return result if has_letter(result) and len(result) <= 80 else ""


CLAUSE_RE = re.compile(r"[^,.;:!?()\n«»\"]{2,100}")
_CAP_WORD_RE = re.compile(r"^[А-ЯЁӘҒҚҢӨҰҮҺІ][а-яёәғқңөұүһі]+(?:-[А-ЯЁ][а-яё]+)?$")


def person_in(words: list[str]) -> str:
    """The first "Имя Фамилия" pair among the words ("губернатор Приморья Олег Кожемяко" ->
    "Олег Кожемяко")."""
    for i in range(len(words) - 1):
        first, last = words[i], words[i + 1]
        if _CAP_WORD_RE.match(first) and _CAP_WORD_RE.match(last) and is_person(first, last):
            return f"{first} {last}"
    return ""
