"""Lines that name the outlet of the page: mastheads, copyright lines, subscribe appeals,
role lines, a known outlet's name alone, a site written as its domain, credits and links."""

from __future__ import annotations

import functools
import re

from bot.ingest.chrome import CHROME_LINE_MAX
from bot.ingest.credits import photo_agencies
from bot.ingest.language import has_letter
from bot.ingest.lexicon import alternation, lexicon
from bot.ingest.names import canonical_outlet, nominative

__all__ = ["credit_outlet", "domain_outlets", "masthead_name"]


@functools.cache
def _domain_in_re() -> re.Pattern[str]:
    return re.compile(
        r"(?<![\w@.])(?:https?://)?(?:www\.)?"
        rf"(?P<host>(?:[\w-]+\.)+(?:{lexicon().tlds}))(?![\w.-]*@)\b",
        re.IGNORECASE,
    )


_KK_GENITIVE_RE = re.compile(r"-?(?:ның|нің|дың|дің|тың|тің)$")
_KK_TYPE_RE = re.compile(
    r"(?:\s+(?:ақпарат|ақпараттық|ұлттық|республикалық|облыстық))?"
    r"\s+(?:газеті|газетінің|сайты|сайтының|агенттігі|агенттігінің|порталы|порталының|арнасы|"
    r"арнасының|телеарнасы|телеарнасының)$"
)
# "Dow Jones & Company, Inc.": a publishing company, whose name is no outlet's masthead.
_COMPANY_RE = re.compile(r"\s&\s*(?:Co\b|Company\b|Sons\b)|\s&$")
# "Издательский дом «Комсомольская правда»" inside the copyright's quotes: the outlet's name.
# "АО «Телерадиокомпания «Степь»»": any type words in the outer quotes, the name in the inner.
_NESTED_TYPE_RE = re.compile(r"^«[^«»]{2,40}?\s+«(?=[^«»]{2,40}»)")


@functools.lru_cache(maxsize=8192)
def masthead_name(line: str) -> str:
    """The outlet a masthead line names: "© ТАСС", "Читайте РБК в Telegram", "Газета
    "Коммерсантъ" №226", "... в Telegram-канале «Известий»", "Support the Guardian"."""
    if len(line) > CHROME_LINE_MAX:
        return ""
    lex = lexicon()
    line = _RIGHTS_HEAD_RE.sub("", line)  # "Все права защищены © 2026 Lada.kz"
    m = lex.copyright_re.match(line) or lex.read_us_re.match(line)
    if m is None:
        # A channel named in a sentence is copy; only an appeal to subscribe is a masthead.
        appeal = lex.subscribe_re.match(line) is not None
        res = [rx for i, rx in enumerate(lex.other_masthead_res) if i != 1 or appeal]
        m = next((r for r in (rx.search(line) for rx in res) if r), None)
    by_outlet = _by_outlet_re().match(line)  # "By Euronews with AP": the outlet signs the copy
    if m is None and by_outlet is not None and _signs_as_outlet(by_outlet["name"]):
        return canonical_outlet(by_outlet["name"])
    if m is None:
        return _bare_name(line)
    groups = m.groupdict()
    raw = (groups.get("name") or groups.get("name2") or groups.get("kkname") or "").strip()
    raw = _TAGLINE_RE.split(raw, maxsplit=1)[0]  # "BFM.ru — Деловой портал": the tagline goes
    raw = lex.legal_head_re.sub("", lex.legal_tail_re.sub("", raw.strip(" .,")))
    raw = lex.type_head_re.sub("", raw)  # "Телекомпания НТВ": the outlet's name, not its type
    if _COMPANY_RE.search(raw):
        return ""
    raw = _NESTED_TYPE_RE.sub("«", raw)
    quoted = _QUOTED_RE.search(raw)
    if quoted is not None and quoted.group() != raw.strip():
        # "Новости и материалы «Газеты.Ru» в Telegram": the quoted name depends on a noun.
        raw = nominative(quoted["q"], "gent")
    name = _KK_GENITIVE_RE.sub("", _KK_TYPE_RE.sub("", raw.strip(' «»"“”.,')).strip(' «»"“”'))
    if raw.startswith(("«", '"')) and "канале" in line.casefold():
        name = nominative(name, "gent")  # "в Telegram-канале «Известий»"
    elif raw.startswith(("«", '"')) and (
        lex.subscribe_re.match(line) or _ACCUSATIVE_RE.search(line)
    ):
        name = nominative(name, "accs")  # "Подписывайтесь на «Газету.Ru»", "Читайте «Правду»"
    head, _, rest = name.partition(" ")
    if rest and head.casefold() in _GENERIC_HEADS:
        name = rest  # "Новости Steppe в Telegram": the outlet's news, the outlet's name
    name = lex.type_head_re.sub("", name)  # "АО «Телекомпания НТВ»"
    low = name.casefold()
    if not has_letter(name) or any(w in low for w in lex.not_names) or len(name.split()) > 5:
        return ""
    if any(p in name for p in ("? ", "! ")) or name.endswith(("?", "!")):
        # "Есть история? Напишите нам в Telegram": an appeal's sentences, not a name.
        return ""
    return canonical_outlet(name)


def _signs_as_outlet(name: str) -> bool:
    """ "By Euronews with AP", "By The Brussels Times with Reuters": one word, "The …" or a
    known outlet; "By Jane Porter with AP" is a reporter's byline with the wire's help."""
    key = name.casefold()
    words = name.split()
    return (
        len(words) == 1 or words[0] == "The" or key in lexicon().aliases or key in _outlet_names()
    )


def _bare_name(line: str) -> str:
    """A line that is just a known outlet's name ("Русская служба Би-би-си" under a byline), or
    the site's name written as its domain ("ФОНТАНКА.ру"), its tagline after it or not
    ("BFM.ru — Деловой портал")."""
    lex = lexicon()
    bare = line.strip(" .«»")
    known = bare.casefold() in lex.aliases or bare.casefold() in _outlet_names()
    if known and len(line.split()) <= 5:
        return canonical_outlet(bare)
    whole = line.strip(" .")
    typed = lex.type_head_re.match(whole)  # "Телекомпания НТВ" alone: the broadcaster's masthead
    rest = whole[typed.end() :].strip() if typed is not None else ""
    quoted = _QUOTED_RE.fullmatch(rest)
    words = rest.split()
    named = len(words) <= 3 and all(w[:1].isupper() or w[:1].isdigit() for w in words)
    if rest and (quoted or named) and not rest.endswith(_SENTENCE_END):
        return canonical_outlet(quoted["q"] if quoted else rest)
    parts = _TAGLINE_RE.split(bare, maxsplit=1)
    if len(parts) == 2 and len(parts[1].split()) <= 6 and not parts[1].endswith(_SENTENCE_END):
        bare = parts[0].strip(" .«»")
    return _domain_name(bare) if _site_name_re().fullmatch(bare) else ""


_SENTENCE_END = (".", "!", "?", "…")
# "Читайте «X» в Дзене", "ссылка на «X» обязательна": the quoted name in the accusative.
_ACCUSATIVE_RE = re.compile(r"^(?:читайте|смотрите)\s+«|ссылка\s+на\s+«", re.IGNORECASE)
_RIGHTS_HEAD_RE = re.compile(
    r"^(?:все\s+права\s+защищены|all\s+rights\s+reserved|барлық\s+құқықтар\s+қорғалған)"
    r"[.,:]?\s*(?=©|\(c\)|copyright)",
    re.IGNORECASE,
)
_TAGLINE_RE = re.compile(r"\s+[—–|-]\s+")
_GENERIC_HEADS = frozenset({"новости", "материалы", "news", "жаңалықтары", "видео"})
_QUOTED_RE = re.compile(r"[«\"“](?P<q>[^»\"”]{2,40})[»\"”]")


@functools.cache
def _site_name_re() -> re.Pattern[str]:
    return re.compile(rf"[A-Za-zА-Яа-яЁё][\w-]{{1,30}}\.(?:{lexicon().tlds})", re.IGNORECASE)


@functools.cache
def _outlet_names() -> frozenset[str]:
    """Every known outlet's name and domain, folded."""
    lex = lexicon()
    return frozenset({*lex.domains, *(v.casefold() for v in lex.domains.values())})


@functools.cache
def _by_outlet_re() -> re.Pattern[str]:
    """ "By Euronews with AP", "By Daily Sabah with AA": the outlet, then the wires it used
    (every agency and wire mark of the lexicon)."""
    lex = lexicon()
    wires = alternation(
        {*lex.raw["credits"]["photo_agencies"], *lex.marks.values(), "agencies", "wires"}
    )
    return re.compile(
        r"^By\s+(?P<name>(?:The\s)?[A-Z][\w.-]*(?:\s[A-Z][\w.-]*){0,2})\s+(?:with|and)\s+"
        rf"(?:{wires})$"
    )


def _domain_name(name: str) -> str:
    """A site's name as written, an ALL-CAPS name part in title case ("ФОНТАНКА.ру")."""
    known = canonical_outlet(name)
    if known != name:
        return known
    head, dot, tail = name.partition(".")
    # "ФОНТАНКА.ру" and "inbusiness.kz" are written "Фонтанка.ру" and "Inbusiness.kz"; a short
    # all-caps head is an acronym, written so ("BFM.ru", "NEWS.am").
    acronym = head.isupper() and len(head) <= _ACRONYM_MAX
    return (head.capitalize() if (head.isupper() and not acronym) or head.islower() else head) + (
        dot + tail
    )


_ACRONYM_MAX = 4


def credit_outlet(text: str) -> list[str]:
    """The outlet a credit names: a known outlet that is no photo agency ("Хабар 24"), or a
    site written as its domain ("Михаил Огнев / «Фонтанка.ру»")."""
    lex = lexicon()
    key = text.strip().casefold()
    agencies = photo_agencies()
    if key not in agencies and key in lex.aliases:
        return [canonical_outlet(text)]
    # "Daro Sulakauri for The New York Times": the photographer, then whom they work for.
    parts = [p.strip(' «»"') for p in re.split(r"[/,]|\s+for\s+", text)]
    names = {*lex.aliases, *_outlet_names()}
    known = [
        canonical_outlet(p)
        for p in parts
        if p.casefold() not in agencies and p.casefold() in names
    ]
    # "Kenny Holston/The New York Times": the photographer of the page's own outlet.
    sites = [
        _domain_name(p)
        for p in parts
        if _site_name_re().fullmatch(p) and p.casefold() not in agencies  # "pixabay.com"
    ]
    hired = _FOR_OUTLET_RE.search(text)  # "Jane Doe for The Washington Post": commissioned
    if not (known or sites) and hired is not None and hired["name"].casefold() not in agencies:
        return [canonical_outlet(hired["name"])]
    staff = _STAFF_RE.match(text)  # "ABC News: Jane Doe": the outlet's own photographer
    if not (known or sites) and staff is not None and staff["org"].casefold() not in agencies:
        return [canonical_outlet(staff["org"])]
    return known or sites


_STAFF_RE = re.compile(
    r"^(?P<org>[A-ZА-ЯЁ][\w.&'’-]*(?:\s[A-ZА-ЯЁ][\w.&'’-]*){0,3}):\s*[A-ZА-ЯЁ][\w'’.-]+"
    r"(?:\s[A-ZА-ЯЁ][\w'’.-]+){1,3}$"
)
_FOR_OUTLET_RE = re.compile(r"\sfor\s+(?P<name>[A-ZА-ЯЁ«\"][^/,;()]{1,40}?)\s*$")


def domain_outlets(text: str) -> list[str]:
    """Known outlets whose domain a line mentions ("tengrinews.kz", "https://www.rbc.ru/...")."""
    domains = lexicon().domains
    out: list[str] = []
    for m in _domain_in_re().finditer(text):
        labels = m["host"].casefold().split(".")
        # "p.dw.com" -> "dw.com": subdomains of a known outlet are the outlet.
        hosts = [".".join(labels[i:]) for i in range(len(labels) - 1)]
        known = next((domains[h] for h in hosts if h in domains), "")
        if known:
            out.append(known)
    return out
