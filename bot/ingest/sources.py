"""The page's outlet and whom it cites, from the strongest evidence the parse found: the
wire mark, a "Источник:" line, the page's masthead, a reporting phrase, a credit."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.ingest.attribution import attribution
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
    strong = [n for n in (agency, meta.source_name, *meta.mastheads) if n]
    outlets = [n for n in found.outlets if n not in late]
    candidates = _distinct([*strong, *outlets, *meta.credit_outlets])
    source = candidates[0] if candidates else ""
    # "по оценкам Власти" on Vlast.kz: the outlet's own estimate cites nobody.
    originals = [o for o in found.originals if not _same_outlet(canonical_outlet(o), source)]
    original = meta.original_source or (originals[0] if originals else "")
    # A re-reported story: the page's outlet cites another outlet by a reporting phrase.
    if not original:
        cited = [n for n in found.outlets if not _same_outlet(n, source)]
        if cited and (strong or cited[0] in late):
            original = cited[0]
    return Attribution(source, original, candidates, unique(list(found.originals)))


_OPENING = 2  # the first paragraphs (and the standfirst), where a page names its own outlet


def _same_brand(masthead: str, credited: str) -> bool:
    """ "ABC News" over a photo credited to "ABC North Coast": one broadcaster, its acronym
    first (a shared common word, "The" or "News", says nothing)."""
    a, b = masthead.split(), credited.split()
    return len(a) > 1 and bool(b) and a[0] == b[0] and a[0].isupper() and len(a[0]) >= 2


def masthead_on_top(lines: list[Line], meta: Meta) -> None:
    """ "Комсомольская правда" over the rubric and the headline: the first line is the page's
    masthead when the copy names that outlet ("сообщили «Комсомольской правде»")."""
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
    if any(_same_outlet(first.text, n) or _same_brand(first.text, n) for n in names):
        first.kind = Kind.MASTHEAD
        meta.mastheads.insert(0, first.text)


_TITLE_TAIL_RE = re.compile(r"^(?P<title>.{20,}?)\s+[|—–-]\s+(?P<outlet>[^|—–-]{2,40})$")


def split_title_outlet(title: str) -> tuple[str, str]:
    """ "Headline | Steppe.kz", a browser tab's title: the headline and the outlet it names."""
    m = _TITLE_TAIL_RE.match(title)
    outlet = masthead_name(m["outlet"].strip()) if m is not None else ""
    return (m["title"], outlet) if m is not None and outlet else (title, "")
