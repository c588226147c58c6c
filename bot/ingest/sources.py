"""The page's outlet and whom it cites, from the strongest evidence the parse found: the
wire mark, a "Источник:" line, the page's masthead, a reporting phrase, a credit."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.ingest.attribution import attribution
from bot.ingest.credits import credit_of
from bot.ingest.lexicon import lexicon
from bot.ingest.lines import Kind, Line, Meta, content_indices, unique
from bot.ingest.mastheads import masthead_name
from bot.ingest.names import canonical_outlet

__all__ = ["Attribution", "attribute", "masthead_on_top", "split_title_outlet"]

_SENTENCE_END = (".", "!", "?", "…", ";")


@dataclass(slots=True)
class Attribution:
    source: str
    original: str
    candidates: tuple[str, ...]
    originals: tuple[str, ...]


def _same_outlet(a: str, b: str) -> bool:
    """ "Фонтанка" and "Фонтанка.ру", "Sputnik" and "Sputnik Казахстан", "The Telegraph" and
    "Telegraph": one outlet."""
    x, y = _THE_RE.sub("", a.casefold()), _THE_RE.sub("", b.casefold())
    short, long = sorted((x, y), key=len)
    return short == long or long.startswith((short + ".", short + " "))


def _same_site(a: str, b: str) -> bool:
    """ "Власть" and "Vlast.kz"-style spellings of one name, not a body named after the same
    place ("Маңғыстау облыстық полиция департаменті" on the paper "Маңғыстау")."""
    x, y = _THE_RE.sub("", a.casefold()), _THE_RE.sub("", b.casefold())
    short, long = sorted((x, y), key=len)
    return short == long or long.startswith(short + ".")


_THE_RE = re.compile(r"^the\s+")


def _better(name: str, than: str) -> bool:
    """Of two spellings of one outlet, the page's own: the fuller one ("Фонтанка.ру"), the one
    keeping its "The", and the mixed-case one over a logo's capitals ("Звезда" over "ЗВЕЗДА")."""
    if name.casefold() == than.casefold():
        return than.isupper() and not name.isupper()
    if _THE_RE.sub("", name.casefold()) == _THE_RE.sub("", than.casefold()):
        return len(name) > len(than)
    return len(name) > len(than)


def _distinct(names: list[str]) -> tuple[str, ...]:
    """Outlets in order, each once: a better spelling replaces the other in its place."""
    out: list[str] = []
    for name in names:
        same = next((i for i, o in enumerate(out) if _same_outlet(o, name)), None)
        if same is None:
            out.append(name)
        elif _better(name, out[same]):
            out[same] = name
    return tuple(out)


def attribute(lead: str, body: list[str], agency: str, meta: Meta) -> Attribution:
    """Source = the outlet of the copy; original = whom it cites. Strongest evidence first:
    the wire mark, a "Источник:" line, the page's masthead, a reporting phrase, a credit; the
    page's own fuller spelling of the chosen outlet wins ("Sputnik Казахстан", "Фонтанка.ру")."""
    paragraphs = ([lead] if lead else []) + body
    found = attribution(paragraphs)
    # An outlet that first reports further down ("…, сообщает Bloomberg" in the third
    # paragraph) is cited, not the page's; one that was told something is the page's own.
    opening_paras = ([lead] if lead else []) + body[:_OPENING]
    named = found.outlets and len(opening_paras) < len(paragraphs)
    opening = {n.casefold() for n in attribution(opening_paras).outlets} if named else set()
    told = {n.casefold() for n in found.told}
    late = [n for n in found.outlets if n.casefold() not in opening | told] if named else []
    # "Источник: The Bell" on a page whose masthead names another outlet: the page re-reports
    # the outlet its source line names, which is the original.
    relayed = _relayed(meta)
    own_source = "" if relayed else meta.source_name
    strong = [n for n in (agency, own_source, *meta.mastheads) if n]
    introduced = [n for n in found.introduced if n.casefold() not in told]
    outlets = [
        n
        for n in found.outlets
        if n not in late and n not in introduced and not _same_outlet(n, relayed)
    ]
    candidates = _distinct([*strong, *outlets, *meta.credit_outlets])
    source = candidates[0] if candidates else ""
    # "по оценкам Власти" on Vlast.kz: the outlet's own estimate cites nobody.
    # Whom the opening cites: a body named only further down is not the story's original.
    early = _opening(lead, body)
    cited = attribution(early).originals if len(early) < len(paragraphs) else found.originals
    originals = [o for o in cited if not _same_site(canonical_outlet(o), source)]
    if _own_reporting(paragraphs):
        originals = []
    original = meta.original_source or relayed or (originals[0] if originals else "")
    if not original and introduced and not _same_outlet(introduced[0], source):
        original = introduced[0]  # "news agency ANI reported": the outlet re-reported
    # A re-reported story: the page's outlet cites another outlet by a reporting phrase.
    if not original:
        cited = [n for n in found.outlets if not _same_outlet(n, source)]
        if cited and (strong or cited[0] in late):
            original = cited[0]
    return Attribution(source, original, candidates, unique(list(found.originals)))


_OPENING = 2  # the first paragraphs (and the standfirst), where a page names its own outlet


def _relayed(meta: Meta) -> str:
    """The outlet a "Источник:" line names when the page's masthead names another one (a
    link as the source, "Источник: https://…", says the copy is that page's: no relay)."""
    src = meta.source_name
    if not src or meta.source_url or not any(not _same_outlet(m, src) for m in meta.mastheads):
        return ""
    return src


def _opening(lead: str, body: list[str]) -> list[str]:
    """The standfirst and the first two paragraphs of the story, whose citations name its
    original (a short line left over from the page, "Log in to save", is no paragraph)."""
    out = [lead] if lead else []
    real = 0
    for para in body:
        out.append(para)
        real += len(para.split()) >= _PARAGRAPH_WORDS
        if real >= _OPENING:
            break
    return out


_PARAGRAPH_WORDS = 12


def _own_reporting(paragraphs: list[str]) -> bool:
    """The first paragraph that attributes anything is the outlet's own reporting ("передает
    корреспондент X", "told the X") and cites nobody: bodies quoted further down are sources
    of the outlet's story, not an original it re-reports."""
    for para in paragraphs:
        found = attribution([para])
        if found.originals:
            return False
        if found.told:
            return True
        if found.outlets:
            return False
    return False


def _same_brand(masthead: str, credited: str) -> bool:
    """ "ABC News" over a photo credited to "ABC North Coast": one broadcaster, its acronym
    first (a shared common word, "The" or "News", says nothing)."""
    a, b = masthead.split(), credited.split()
    return len(a) > 1 and bool(b) and a[0] == b[0] and a[0].isupper() and len(a[0]) >= 2


def masthead_on_top(lines: list[Line], meta: Meta) -> None:
    """ "Комсомольская правда" over the rubric and the headline: the first line is the page's
    masthead when the copy names that outlet ("сообщили «Комсомольской правде»"), writes its
    name again in a longer line, or it is an English paper's "The …"; a short name over the
    print issue's line is one too."""
    masthead_over_edition(lines, meta)
    _logo_not_credit(lines, meta)
    idx = content_indices(lines)
    if len(idx) < 2:
        return
    first = lines[idx[0]]
    if lines and lines[0].kind is Kind.CHROME and idx[0] > 0:
        # "Kloop / Новости / <headline>": the masthead went with the navigation under it.
        first, idx = lines[0], [0, *idx]
    if len(first.text.split()) > 4 or first.text.endswith(_SENTENCE_END):
        return
    named = attribution([lines[i].text for i in idx[1:12]]).outlets
    # "Фото: Name / Kloop" under the masthead "Kloop": the outlet's own photographer.
    credited = [meta.credit.rsplit("/", 1)[1].strip()] if "/" in meta.credit else []
    names = [*named, *meta.mastheads, *meta.credit_outlets, *credited]
    if any(_same_outlet(first.text, n) or _same_brand(first.text, n) for n in names) or (
        _english_masthead(first.text) and _publishers_only(lines)
    ):
        first.kind = Kind.MASTHEAD
        meta.mastheads.insert(0, first.text)
    elif (
        _english_masthead(first.text)
        or _named_again(first, lines)
        or _logo_over_menu(first, lines)
    ):
        # Weaker evidence (a rubric can recur in the chrome too): after any copyright line.
        first.kind = Kind.MASTHEAD
        meta.mastheads.append(first.text)


_NAME_WORD_RE = re.compile(r"^[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9][\w.&'’-]*$")
_THE_MASTHEAD_RE = re.compile(r"^The(?:\s[A-Z][\w.&'’-]*){1,4}$")


def _name_like(text: str, *, capitalised: bool = True) -> bool:
    """A logo's text: two to five words, each capitalised (or only the first: "Степная
    правда"), no sentence end."""
    words = text.split()
    named = words[:1] if not capitalised else words
    return (
        2 <= len(words) <= 5
        and all(_NAME_WORD_RE.match(w) for w in named)
        and all(w.isalpha() for w in words[1:] if not capitalised)
        and not text.endswith(_SENTENCE_END)
    )


_LEGAL_FORM_RE = re.compile(
    r"\b(?:Inc|Ltd|LLC|Limited|PLC|Corp|Corporation|Group|Holdings?|GmbH|Pty|Pvt|LP)\b\.?"
)


def _publishers_only(lines: list[Line]) -> bool:
    """Every masthead line further down names a company by its legal form ("Copyright 2026
    X Media Inc."), a publisher whose paper's name the page's top line gives."""
    return all(_LEGAL_FORM_RE.search(ln.text) for ln in lines[1:] if ln.kind is Kind.MASTHEAD)


def _english_masthead(text: str) -> bool:
    """ "The Scotsman", "The Sydney Morning Herald" heading the paste: an English paper's name
    with its article; a rubric over the headline is a plain noun ("Business", "World News")."""
    return _THE_MASTHEAD_RE.match(text) is not None


_ACRONYM_RE = re.compile(r"^[A-ZА-ЯЁ][A-ZА-ЯЁ0-9.&-]{1,7}$")
_MENU_ITEMS = 3


def _logo_over_menu(first: Line, lines: list[Line]) -> bool:
    """An acronym ("ABC") over the site's menu (three or more short items before the headline):
    the logo's text; a rubric in capitals ("UAE") stands right over the headline."""
    if first is not lines[0] or not _ACRONYM_RE.match(first.text):
        return False
    menu = lines[1 : 1 + _MENU_ITEMS]
    return len(menu) == _MENU_ITEMS and all(
        len(ln.text.split()) <= 2 and not ln.text.endswith(_SENTENCE_END) for ln in menu
    )


def _named_again(first: Line, lines: list[Line]) -> bool:
    """The first line's name, written the same way, stands inside a longer line of the page's
    chrome further down ("Subscribe to X for unlimited access", "X Bureau", "(Image: X)"): the
    page's own name (a place in the copy, "Chiang Mai Provincial Office", says nothing)."""
    if not _name_like(first.text) or first.text.casefold() in lexicon().whole_lines:
        return False
    rx = re.compile(rf"(?<![\w-]){re.escape(first.text)}(?![\w-])")
    return any(
        ln is not first
        and ln.kind is not Kind.CONTENT
        and len(ln.text) > len(first.text) + 3
        and rx.search(ln.text)
        for ln in lines[1:]
    )


def _logo_not_credit(lines: list[Line], meta: Meta) -> None:
    """ "KYODO NEWS" opening the paste, an agency's bare name that the credit rules took for a
    photo credit: with a credit of a photo further down, the first line is the logo."""
    if not lines or lines[0].kind is not Kind.CREDIT or lines[0].text.strip() != meta.credit:
        return
    later = (credit_of(ln.text, _UTC, None) for ln in lines[1:] if ln.kind is Kind.CREDIT)
    credit = next((c for c in later if c is not None), None)
    if credit is not None:
        lines[0].kind = Kind.MASTHEAD
        meta.mastheads.insert(0, canonical_outlet(lines[0].text.strip()))
        meta.credit = credit.text


_UTC = ZoneInfo("UTC")


def masthead_over_edition(lines: list[Line], meta: Meta) -> None:
    """ "Газета X" over "№ 140 (23 415) от 4 декабря 2026 г.": a short name right above the
    print issue's line is the paper's masthead."""
    for above, below in itertools.pairwise(lines):
        if above.kind not in (Kind.CONTENT, Kind.CHROME):
            continue
        if not _name_like(above.text, capitalised=False):
            continue
        if lexicon().edition_date_re.match(below.text):
            above.kind = Kind.MASTHEAD
            meta.mastheads.insert(0, above.text)
            return


_TITLE_TAIL_RE = re.compile(r"^(?P<title>.{20,}?)\s+[|—–-]\s+(?P<outlet>[^|—–-]{2,40})$")


def split_title_outlet(title: str) -> tuple[str, str]:
    """ "Headline | Steppe.kz", a browser tab's title: the headline and the outlet it names."""
    m = _TITLE_TAIL_RE.match(title)
    outlet = masthead_name(m["outlet"].strip()) if m is not None else ""
    return (m["title"], outlet) if m is not None and outlet else (title, "")
