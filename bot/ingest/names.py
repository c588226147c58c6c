"""Names as a post prints them: the span a phrase names, in the nominative, in its normal form.

Russian organisation names are a head noun (with agreeing adjectives before it) followed by
dependants that keep their case: ``в Министерстве энергетики Казахстана`` names
``Министерство энергетики Казахстана``. pymorphy3 inflects the head and its adjectives; natasha
normalises person names (``Ивана Петрова`` -> ``Иван Петров``) from the sentence's morphology.
Both load lazily and every result is cached: the same names recur across pastes.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from bot.ingest.dawg_maps import mapped_dawgs
from bot.ingest.lexicon import lexicon

__all__ = ["canonical_outlet", "nominative"]

_CYR_WORD_RE = re.compile(r"^[А-Яа-яЁё][а-яё]+(?:-[а-яё]+)?$")
_KK_GENITIVE_RE = re.compile(r"(?<=\w)(?:-?(?:ның|нің|дың|дің|тың|тің))$")
# The ablative ("from"): "қызметінен" -> "қызметі" after the possessive, "әкімдіктен" -> "әкімдік".
_KK_ABLATIVE_RE = re.compile(r"(?<=[ыі])н(?:ан|ен)$|(?<=\w{4})(?:дан|ден|тан|тен)$")
_KK_LETTER_RE = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_CASES = {"gent": "gent", "datv": "datv", "accs": "accs", "loct": "loct", "ablt": "ablt"}


@functools.cache
def _morph() -> Any:
    import pymorphy3

    with mapped_dawgs():  # the dictionaries as pages of their files, not copies (issue 14)
        return pymorphy3.MorphAnalyzer()


@functools.cache
def _natasha() -> tuple[Any, Any, Any, Any]:
    # Loaded on first use: the embeddings and taggers take about a second.
    from natasha import (
        MorphVocab,
        NewsEmbedding,
        NewsMorphTagger,
        NewsNERTagger,
        Segmenter,
    )

    emb = NewsEmbedding()
    return Segmenter(), NewsMorphTagger(emb), NewsNERTagger(emb), MorphVocab()


@functools.lru_cache(maxsize=4096)
def _parse(word: str) -> tuple[Any, ...]:
    return tuple(_morph().parse(word))


def _pick(word: str, case: str) -> Any | None:
    """The reading of ``word`` in ``case`` (a noun or adjective), else None."""
    for p in _parse(word):
        if p.tag.POS in ("NOUN", "ADJF") and p.tag.case == case:
            return p
    return None


def case_of(word: str, case: str) -> bool:
    """A lower-case noun or adjective that can be read in ``case``."""
    return bool(_CYR_WORD_RE.match(word)) and _pick(word, case) is not None


def agrees(adjective: str, noun: str) -> bool:
    """``noun`` is the head an adjective before it agrees with ("Национальном банке")."""
    if not _CYR_WORD_RE.match(noun):
        return False
    adj_cases = {p.tag.case for p in _parse(adjective.lower()) if p.tag.POS == "ADJF"}
    return any(p.tag.POS == "NOUN" and p.tag.case in adj_cases for p in _parse(noun))


_SURNAME_ENDINGS = (
    "ов", "ев", "ёв", "ова", "ева", "ин", "ина", "ын", "ына", "ский", "ская", "цкий", "цкая",
    "ко", "швили", "дзе", "ян", "ұлы", "қызы", "улы", "кызы", "ий", "ый",
)  # fmt: skip


def is_surname(word: str) -> bool:
    return any("Surn" in p.tag for p in _parse(word)) or word.lower().endswith(_SURNAME_ENDINGS)


def is_person(first: str, last: str) -> bool:
    """ "Имя Фамилия": pymorphy3 knows the first name, or (a Kazakh name it has never seen) the
    second word has a surname's ending and the first has not."""
    if any("Name" in p.tag for p in _parse(first)):
        # "Фобос Михаил Леус": two first names in a row, the pair starts one word later.
        return is_surname(last) or not any("Name" in p.tag for p in _parse(last))
    return is_surname(last) and not is_surname(first)


def lemma(word: str) -> str:
    """The dictionary form of a Russian word ("департаменте" -> "департамент")."""
    parses = _parse(word.lower())
    return str(parses[0].normal_form) if parses else word.lower()


def is_genitive_word(word: str) -> bool:
    """A lower-case noun or adjective in the genitive: a dependant of a name's head."""
    if not _CYR_WORD_RE.match(word):
        return False
    return _pick(word, "gent") is not None


def _restore_case(original: str, new: str) -> str:
    if original[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


@functools.lru_cache(maxsize=4096)
def _person_nominative(text: str) -> str:
    """natasha's normal form of a person's name in any case ("Ивану Петрову" -> "Иван Петров")."""
    from natasha import Doc

    segmenter, morph_tagger, ner_tagger, vocab = _natasha()
    doc = Doc(text)
    doc.segment(segmenter)
    doc.tag_morph(morph_tagger)
    doc.tag_ner(ner_tagger)
    for span in doc.spans:
        if span.type == "PER" and span.start == 0 and span.stop == len(text):
            span.normalize(vocab)
            return str(span.normal)
    return text


@functools.lru_cache(maxsize=4096)
def nominative(name: str, case: str = "") -> str:
    """``name`` (read in ``case``, e.g. "loct" after "сообщили в") in the nominative."""
    words = name.split()
    head, dot, tail = words[0].partition(".") if words else ("", "", "")
    if len(words) == 1 and dot and _CYR_WORD_RE.match(head):
        return nominative(head, case) + dot + tail  # "Газете.Ru" -> "Газета.Ru"
    if not words or case not in _CASES or not _CYR_WORD_RE.match(words[0]):
        return name
    if _KK_LETTER_RE.search(name):
        return name  # "«Орал өңірі» газеті": Kazakh, which Russian morphology would mangle
    if words[0].casefold() in lexicon().indeclinable:
        return name  # "Минцифры" is not the genitive of "Минцифра"
    if len(words) in (2, 3) and all(w[:1].isupper() and _CYR_WORD_RE.match(w) for w in words):
        person = _person_nominative(name)
        if person != name:
            return person
    return " ".join(_inflect_head(words, case))


def _inflect_head(words: list[str], case: str) -> list[str]:
    """The adjectives and head noun opening ``words`` put in the nominative, the adjectives
    agreeing with the head's gender and number ("Национального банка" -> "Национальный банк");
    the dependants after the head keep their case."""
    out = list(words)
    adjectives: list[int] = []
    for i, word in enumerate(words):
        readings = [p for p in _parse(word.lower()) if p.tag.case == case]
        noun = next((p for p in readings if p.tag.POS == "NOUN"), None)
        nxt = words[i + 1].lower() if i + 1 < len(words) else ""
        before_noun = any(
            p.tag.POS == "NOUN" and p.tag.case == case for p in (_parse(nxt) if nxt else ())
        )
        if noun is not None and before_noun and any(p.tag.POS == "ADJF" for p in readings):
            noun = None  # "Московской биржи": an adjective (not the surname) before its noun
        if noun is None:
            if any(p.tag.POS == "ADJF" for p in readings):
                adjectives.append(i)
                continue
            return words  # no head in this case: leave the name as written
        form = noun.inflect({"nomn"})
        if form is None:
            return words
        out[i] = word if word.isupper() else _restore_case(word, form.word)
        agree = {noun.tag.number or "sing"} | ({noun.tag.gender} if noun.tag.gender else set())
        if "plur" in agree:
            agree = {"plur"}
        for j in adjectives:
            adj = next(
                (
                    p
                    for p in _parse(words[j].lower())
                    if p.tag.POS == "ADJF" and p.tag.case == case
                ),
                None,
            )
            adj_form = adj.inflect({"nomn", *agree}) if adj is not None else None
            if adj_form is not None:
                out[j] = _restore_case(words[j], adj_form.word)
        return out
    return words


def kazakh_nominative(name: str) -> str:
    """A Kazakh genitive name (``министрлігінің``) back to its base form."""
    words = name.split()
    if words:
        words[-1] = _KK_ABLATIVE_RE.sub("", _KK_GENITIVE_RE.sub("", words[-1]))
    return " ".join(words)


def canonical_outlet(name: str) -> str:
    """The outlet's normal name: a known domain or ALL-CAPS mark mapped, else as written."""
    lex = lexicon()
    key = name.strip().casefold()
    host = key.removeprefix("https://").removeprefix("http://").removeprefix("www.")
    host = host.split("/", 1)[0]
    if host in lex.domains:
        return lex.domains[host]
    known = lex.aliases.get(key)
    if known:
        return known
    bare = name.strip()
    if _lower_site_re().fullmatch(bare):
        return bare[:1].upper() + bare[1:]  # "ulysmedia.kz" is written "Ulysmedia.kz"
    return bare


@functools.cache
def _lower_site_re() -> re.Pattern[str]:
    return re.compile(rf"[a-zа-яё][\w-]{{1,30}}\.(?:{lexicon().tlds})")
