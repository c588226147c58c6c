"""Photo credits in their labelled, wire and slash-chain forms, split from the site's caption.

``Фото: X``, ``Photo by X``, ``© X``, ``Image source, Getty Images`` carry a label;
``... in Moscow, Dec 5, 2026. REUTERS/Name`` and ``(AP Photo/Name, File)`` end a caption;
``Name / Agency / Scanpix`` stands alone. The caption describes the site's photo, not ours: the
caller drops it with the credit line.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from bot.ingest.appeals import is_appeal
from bot.ingest.chrome import CHROME_LINE_MAX
from bot.ingest.dates import search_datetime
from bot.ingest.lexicon import alternation, lexicon
from bot.ingest.names import nominative

__all__ = ["Credit", "credit_of", "has_caption", "is_caption_label", "photo_agencies"]

_CREDIT_TRIM = " \t,;|·•—–-()©\ufe0f"  # U+FE0F: the emoji form of "©️"
_PRESS_SERVICE_RE = re.compile(r"^пресс-служб\w*", re.IGNORECASE)
_FROM_SITE_RE = re.compile(
    r"^(?:с|со|из)\s+(?:официального\s+)?(?:сайта|страницы|аккаунта|telegram-канала)\s+", re.I
)
_GIVEN_BY_RE = re.compile(r"^предоставлен[оаы]?\s+", re.IGNORECASE)
_SLASH_RE = re.compile(r"\s*/\s*")
_FILE_HEAD_RE = re.compile(r"^(?:file|архив|pool)\s*[:：]\s*", re.IGNORECASE)
_FILE_TAIL_RE = re.compile(r",\s*(?:file|архив|pool)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Credit:
    text: str  # the credit, without its label
    when: datetime | None  # a date printed on the same line
    caption: bool  # the line also carried the site's caption


@functools.cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    lex = lexicon()
    labels = lex.credit_labels
    label = re.compile(
        rf"^\(?\s*(?:{labels})\s*(?:[:：—–,]|-\s|©|\.{{2,}}|…)\s*(?P<credit>.+)$", re.IGNORECASE
    )
    phrase = re.compile(
        r"^\(?\s*(?:фото\s+(?P<ru>(?:пресс-служб\w+|из\s|с\s|со\s|предоставлен\w*|автора|"
        r"(?=[0-9][\w-]*\.[a-z]{2,6}$)|[A-ZА-ЯЁ«\"©]).+)|photo\s+(?:by|courtesy(?:\s+of)?)\s+(?P<en>.+)|"
        r"courtesy\s+(?:of\s+)?(?P<courtesy>.+)|(?:©|\(c\))\s*(?P<copy>.+))$",
        re.IGNORECASE,
    )
    # A caption sentence, then the labelled credit on the same line.
    trailing = re.compile(
        rf"^(?P<caption>.{{12,}}?[.!?…»\")])\s+\(?(?:{labels})\s*(?:[:：—–]|-\s|©)\s*"
        rf"(?P<credit>[^.!?]{{2,80}}?)\)?\.?$",
        re.IGNORECASE,
    )
    # "ANTARA FOTO/Name", "XYZ PHOTO/Name": an agency's own photo service by its capitals.
    photo_service = r"[A-Z]{2,}(?:\s[A-Z]{2,})?\s(?:FOTO|PHOTO)"
    marks = rf"{alternation(lex.wire_marks)}|{photo_service}"
    # "Name/AFP via Getty Images": the wire's picture distributed by a photo bank.
    via = rf"(?:\s+via\s+(?:{marks}))?"
    wire = re.compile(
        rf"(?:^|(?<=[\s(.]))\(?(?P<credit>(?:{marks})\s*/\s*[^/()\n]{{2,60}}?(?:\s*/\s*[^/()\n]"
        rf"{{2,40}}?)?)\)?\.?\s*$"
    )
    # "... near Midland, Texas. Brandon Bell/Getty Images": the agency after the name.
    word = r"(?:[A-ZА-ЯЁ][\w'’-]+|[A-ZА-ЯЁ]\.)"  # "Texas." ends a sentence, "J." is an initial
    name = rf"{word}(?:\s+{word}){{0,3}}"
    reverse = re.compile(
        rf"(?:^|(?<=[\s(.]))\(?(?P<credit>{name}\s*/\s*(?:{marks}){via}(?:\s*/\s*[^/()\n]{{2,40}})?)"
        r"\)?\.?\s*$"
    )
    # "... container trafficImage: Marcus Brandt/dpa": a label glued to the caption (DW).
    glued = re.compile(
        r"^(?P<caption>.{12,}?)(?:(?-i:Image|Photo|Picture|Фото)\s*:|(?-i:Credit)\s*(?:\.{2,}|…|:))"
        r"\s*(?P<credit>[^!?]{2,80})$"
    )
    # "Касым-Жомарт Токаев (фото: akorda.kz)": a labelled credit in brackets ends the caption.
    in_brackets = re.compile(
        rf"^(?P<caption>.{{12,}}?)\s*\((?:{labels})\s*(?:[:：—–]|-\s)\s*(?P<credit>[^()]{{2,80}})\)$",
        re.IGNORECASE,
    )
    # "... on December 3 [Chalinee Thirasupa/Reuters]": a bracketed credit ends the caption.
    bracket = re.compile(r"(?:^|\s)\[(?P<credit>[^\[\]/]{2,60}/[^\[\]]{2,60})\]\s*$")
    # "... on Saturday. (ABC News: Jane Doe)", "... Dec. 4, 2026. (AA Photo)", "... (Yonhap)": a
    # caption sentence closed by its credit in parentheses, an agency's own or "Outlet: Name".
    cap = r"[A-ZÀ-ÖØ-ÞА-ЯЁ][\w.&'’-]*"
    own = (
        rf"{cap}(?:\s{cap}){{0,3}}\s+Photo|{cap}(?:\s{cap}){{0,3}}:\s*{cap}(?:\s{cap}){{0,3}}|"
        r"Supplied|Handout|File\s+photo"
    )
    # The caption may end without its period before an own-form credit ("… (ABC News: Jane
    # Doe)"), and the credit may stand alone under the caption ("(AA Photo)").
    paren = re.compile(
        rf"^(?:(?P<caption>.{{12,}}?[.!?…»\"”])\s+\((?P<mark>{marks})\)|"
        rf"(?P<caption2>.{{12,}}?)\s*\((?P<own>{own})\)|\((?P<alone>{own})\))$"
    )
    # "… on Friday. (Jane Doe/The Harbor Press)", "… during a strike (AFP via Getty Images)": a
    # caption closed by a photographer/organisation or a wire picture's distributor.
    closing = re.compile(
        rf"^.{{12,}}?(?:[.!?…]\s+\((?P<slash>{name}\s*/\s*(?:The\s+)?{name})\)|"
        rf"\s\((?P<via>(?:{marks})\s+via\s+{name})\))$"
    )
    # "… the MMR vaccine. Getty Images", "… on Dec. 5, 2026. Jane Doe, AP": a caption sentence
    # closed by a bare photo agency, or a photographer and their agency after a comma.
    agencies = alternation(lex.raw["credits"]["photo_agencies"])
    bare = re.compile(
        rf"^(?P<caption>.{{12,}}?[.!?…»\"”])\s+(?P<credit>(?:{name},\s*)?(?:{agencies}))$"
    )
    return (
        label,
        phrase,
        trailing,
        wire,
        bracket,
        reverse,
        glued,
        in_brackets,
        paren,
        closing,
        bare,
    )


def _clean(raw: str, tz: zoneinfo.ZoneInfo, now: datetime | None) -> tuple[str, datetime | None]:
    """Credit text without the date/counter that sites print on the same line."""
    credit = raw.strip()
    when: datetime | None = None
    m = search_datetime(credit, tz=tz, now=now)
    if m is not None and m.start > 0:
        when = m.value
        credit = credit[: m.start]
    credit = _FILE_TAIL_RE.sub("", _FILE_HEAD_RE.sub("", credit.strip(_CREDIT_TRIM)))
    if credit.endswith(")") and "(" not in credit:
        credit = credit[:-1]
    # "Фото предоставлено пресс-службой акимата": the instrumental after "предоставлено".
    credit = _FROM_SITE_RE.sub("", credit)  # "Фото с сайта akorda.kz"
    given = _GIVEN_BY_RE.match(credit)
    if given is not None:
        credit = nominative(credit[given.end() :], "ablt")
    # Genitive after "Фото": "Фото пресс-службы МВД" credits "пресс-служба МВД".
    credit = _PRESS_SERVICE_RE.sub(_press_service, credit, count=1)
    credit = credit.strip(_CREDIT_TRIM)
    if _FINAL_PERIOD_RE.search(credit):
        credit = credit[:-1]  # "Иван МАКЕЕВ. Перейти в Фотобанк": the period ends a sentence
    return credit, when


def _press_service(m: re.Match[str]) -> str:
    """ "Пресс-службы" -> "Пресс-служба", "пресс-службы" -> "пресс-служба": the case as printed."""
    return "Пресс-служба" if m.group()[:1].isupper() else "пресс-служба"


# A period after a whole word (not an initial, "J.", nor an abbreviation, "Inc.", "Co.").
_FINAL_PERIOD_RE = re.compile(r"(?<![\w.])(?!(?:Inc|Ltd|Corp|Bros)\.$)[^\W\d_]{3,}\.$")


def _slash_chain(line: str) -> bool:
    """``Name / Agency / Scanpix``: short capitalised parts, one of them a known photo mark."""
    if len(line) > 90 or line.endswith((".", "!", "?")):
        return False
    parts = [p.strip() for p in _SLASH_RE.split(line)]
    if not 2 <= len(parts) <= 4 or any(not p or len(p.split()) > 4 for p in parts):
        return False
    if not all(p[0].isupper() or p[0].isdigit() for p in parts):
        return False
    # "Александр Авилов/Агентство «Москва»": a photographer's name, then whom they work for.
    return any(_known_mark(p) for p in parts) or (
        len(parts) == 2 and _PERSON_RE.fullmatch(parts[0]) is not None
    )


_PERSON_RE = re.compile(r"[A-ZА-ЯЁ][a-zа-яё'’-]+(?:\s+[A-ZА-ЯЁ]\.)?\s+[A-ZА-ЯЁ][a-zа-яё'’-]+")


@functools.cache
def _marks() -> frozenset[str]:
    lex = lexicon()
    names = {*lex.wire_marks, *lex.aliases.values(), *lex.domains.values(), *lex.domains}
    return frozenset(n.casefold() for n in names)


@functools.cache
def photo_agencies() -> frozenset[str]:
    """The lexicon's photo agencies, folded: a credit or "©" naming one is no outlet's mark."""
    return frozenset(a.casefold() for a in lexicon().raw["credits"]["photo_agencies"])


def _known_mark(part: str) -> bool:
    """A photo agency, wire or outlet name ("Scanpix", "Reuters", "Ведомости")."""
    return part.casefold() in _marks()


def is_caption_label(line: str) -> bool:
    """``Image caption, ...`` / ``Подпись: ...``: the site's caption, dropped."""
    return bool(lexicon().caption_label_re.match(line))


def has_caption(line: str) -> bool:
    """The line is a caption closed by its credit in parentheses ("… in Lismore. (ABC News:
    Jane Doe)"): the caption is on the credit's own line."""
    found = _raw_credit(line)
    paren, closing = _patterns()[-3:-1]
    return found is not None and found[1] and bool(paren.match(line) or closing.match(line))


def credit_of(line: str, tz: zoneinfo.ZoneInfo, now: datetime | None) -> Credit | None:
    """The photo credit a line carries, or None."""
    found = _raw_credit(line)
    if found is None:
        return None
    raw, caption = found
    text, when = _clean(raw, tz, now)
    return Credit(text, when, caption=caption) if text else None


@functools.lru_cache(maxsize=8192)
def _raw_credit(line: str) -> tuple[str, bool] | None:
    """(credit text before cleaning, whether a caption shares the line); cached, as the same
    lines come with every paste from a site, and most lines are no credit at all."""
    if len(line) > CHROME_LINE_MAX * 2 or line.endswith(("!", "?")):
        return None
    line = lexicon().credit_tails_re.sub("", line)
    short = len(line) <= CHROME_LINE_MAX
    found = _raw_credit_of(line, short)
    # "Фото и видео присылайте на WhatsApp редакции": an appeal to the reader, not a credit.
    return None if found is not None and is_appeal(line) else found


_LEAD_LABEL_RE = re.compile(
    r"^(?:иллюстрация|иллюстративное\s+фото|архив|коллаж|illustration|file|archive)\.\s+"
    r"(?=(?:фото|photo)\b)",
    re.IGNORECASE,
)


def _raw_credit_of(line: str, short: bool) -> tuple[str, bool] | None:
    label, phrase, trailing, wire, bracket, reverse, glued, in_brackets, paren, closing, bare = (
        _patterns()
    )
    # "Иллюстрация. Фото 24.kg": the picture's kind, then its credit.
    line = _LEAD_LABEL_RE.sub("", line)
    m = label.match(line) if short else None
    if m is not None:
        return m["credit"], False
    m = phrase.match(line) if short else None
    if m is not None:
        if m["copy"] and lexicon().copyright_re.match(line) and _is_footer(line):
            return None
        return (m["ru"] or m["en"] or m["courtesy"] or m["copy"] or ""), False
    if _slash_chain(line):
        return line.strip(), False
    if line.strip().casefold() in photo_agencies():
        return line.strip(), False  # "Shutterstock" alone under the headline
    m = wire.search(line) or bracket.search(line) or reverse.search(line)
    if m is not None:
        return m["credit"], m.start() > 0
    m = trailing.match(line) or glued.match(line) or in_brackets.match(line)
    if m is not None:
        return m["credit"], True
    m = closing.match(line) if len(line.split()) <= _PAREN_WORDS else None
    if m is not None:
        return m["slash"] or m["via"], True
    m = bare.match(line) if len(line.split()) <= _PAREN_MARK_WORDS else None
    if m is not None:
        return m["credit"], True
    m = paren.match(line)
    if m is None:
        return None
    if m["alone"]:
        return m["alone"], False
    # A bare agency in parentheses closes a wire paragraph too ("... said. (Reuters)"): only a
    # caption's length makes it a credit.
    words = len(line.split())
    if words <= (_PAREN_MARK_WORDS if m["mark"] else _PAREN_WORDS):
        return m["mark"] or m["own"], True
    return None


_PAREN_MARK_WORDS = 30
_PAREN_WORDS = 45


_FOOTER_RE = re.compile(
    r"все\s+права|all\s+rights|барлық\s+құқық|при\s+(?:полном|частичном|использовании|"
    r"копировании|цитировании)|(?:19|20)[0-9]{2}",
    re.IGNORECASE,
)


def _is_footer(line: str) -> bool:
    return bool(_FOOTER_RE.search(line))
