"""Wire datelines and agency marks at the head of a paragraph: attribution, not body text.

``МОСКВА, 5 декабря. /ТАСС/.``, ``АСТАНА. КАЗИНФОРМ —``, ``Астана. 5 декабря. INTERFAX.KZ —``,
``МОСКВА, 5 дек — РИА Новости.``, ``LONDON, Dec 5 (Reuters) -``, ``NAIROBI, Kenya (AP) —``,
``/Корр. КазТАГ/``: :func:`dateline` says how long the mark is, whose it is and when.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from bot.ingest.lexicon import alternation, lexicon

__all__ = ["Dateline", "canonical_agency", "dateline"]

_DASH = r"(?:--|[-–—])"
_RU_DATE = r"[0-9]{1,2}\s+[а-яёәғқңөұүһі]{3,9}\.?(?:\s+[0-9]{4}(?:\s*(?:г\.|года?))?)?"
_EN_DATE = r"(?:[A-Z][a-z]{2,8}\.?\s+[0-9]{1,2}|[0-9]{1,2}\s+[A-Z][a-z]{2,8}\.?)(?:,?\s+[0-9]{4})?"
_NUM_DATE = r"[0-9]{1,2}[./][0-9]{1,2}[./](?:[0-9]{4}|[0-9]{2})"  # "05.12.2026"
_DATE = rf"(?:{_NUM_DATE}|{_RU_DATE}|{_EN_DATE})"
_COUNTRY = r"[A-ZА-ЯЁ][a-zа-яё]+(?:\s[A-ZА-ЯЁ][a-zа-яё]+)?"
_CAPS_MARK = r"[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9.-]{1,30}(?:\s[A-ZА-ЯЁ][A-ZА-ЯЁ.-]{1,20})?"


@dataclass(frozen=True, slots=True)
class Dateline:
    length: int  # characters of the paragraph the mark takes, separator included
    agency: str  # the agency's normal name ("" when the mark names none)
    when: str  # the date text of the mark ("" when it has none)


@functools.cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    raw = lexicon().raw["dateline"]
    caps, title = raw["city_caps_re"], raw["city_title_re"]
    city = rf"(?:{caps}|{title})"
    corr = raw["correspondent_re"]
    # Marks in their own spelling ("КазТАГ", "Kazinform") besides ALL-CAPS ones.
    known = alternation({*raw["marks"].values(), *raw["marks"].keys()})
    # "ҚазАқпарат", "КазТАГ": one word with two capitals, the way agencies write themselves.
    camel = r"[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][a-zа-яёәғқңөұүһі]*[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][\wәғқңөұүһі.-]*"
    mark = rf"(?:{known}|{_CAPS_MARK}|{camel})"
    # "ИА PrimaMedia", "НИАТ «Ховар»": the agency's type word before its name.
    kind = alternation(raw["agency_types"])
    # One grammar: CITY [, Country] [, date] then the agency's mark, in brackets or slashes
    # ("(Reuters)", "/ТАСС/", "/НИАТ «Ховар»/"), after "ИА" ("ИА PrimaMedia."), or after a
    # dash and closed by a period ("— РИА Новости."); then a dash, a period or just a space.
    bracketed = r"\((?P<agency>[^()\n]{2,40})\)|/(?P<agency2>[^/\n]{2,40})/"
    typed = rf"(?-i:{kind})\s+(?P<agency3>[^.,\n]{{2,40}}?)\.(?!\w)"
    dashed = rf"{_DASH}\s*(?P<agency4>[^.\n]{{2,40}}?)\.(?!\w)"
    quoted = r"«(?P<agency5>[^«»\n]{2,40})»\.(?!\w)"  # "ТАШКЕНТ, 7 декабря, «Имя»."
    return (
        # LONDON, Dec 5 (Reuters) -   NAIROBI, Kenya (AP) —   NEW YORK, Nov. 14 /PRNewswire/ --
        # Taipei, Dec. 7 (CNA) A ...   ДУШАНБЕ, 05.12.2026 /АВЕСТА/. ...
        re.compile(
            rf"^{city}(?:,\s*(?P<when>[^()/\n]{{1,40}}?))?[.,]?\s*(?:{bracketed})"
            rf"(?:\s*(?:{_DASH}|:)\s*|\.?\s+(?=\S)(?P<nodash>))"
        ),
        # /НИАТ «Ховар»/ В ...: the mark in slashes with no city before it.
        re.compile(rf"^/(?P<agency2>[^/\n]{{2,40}})/\.?\s*(?:{_DASH}\s*)?"),
        # МОСКВА, 5 декабря. /ТАСС/.   МОСКВА, 5 дек — РИА Новости.   ВЛАДИВОСТОК, 7 декабря, ИА X.
        re.compile(
            rf"^{city},\s*(?P<when>{_DATE})\s*"
            rf"(?:{dashed}|[.,]?\s*(?:{typed}|{quoted}|{bracketed})\.?)"
            rf"\s*(?:{_DASH}\s*)?"
        ),
        # Астана. 5 декабря. /Корр. КазТАГ/ –   /Корр. КазТАГ/ -
        re.compile(
            rf"^(?:{city}[.,]\s*(?:(?P<when>{_DATE})[.,]?\s*)?)?{corr}\s*(?:{_DASH}\s*)?",
            re.IGNORECASE,
        ),
        # АСТАНА. КАЗИНФОРМ —   Астана. 5 декабря. INTERFAX.KZ —
        re.compile(
            rf"^{city}[.,]\s*(?:(?P<when>{_DATE})[.,]?\s*)?(?P<agency>{mark})\s*{_DASH}\s*"
        ),
        # Tokyo CNN — : a city, then a known agency's mark with no brackets.
        re.compile(rf"^{city}\s+(?P<agency>(?-i:{known}))\s*{_DASH}\s+"),
        # (Reuters) - ...
        re.compile(rf"^\((?P<agency>[A-Z][A-Za-z. ]{{1,20}})\)\s*{_DASH}\s*"),
        # ASTANA – ... : a city mark with no agency, stripped all the same.
        # TASHKENT, Uzbekistan — ...   ALMATY, Dec. 5 — ...: with a country or a date.
        # BAKU, Azerbaijan, Dec. 5. ...  TOKYO - ...: a date closed by its period, a spaced hyphen.
        re.compile(
            rf"^(?P<city>[A-ZА-ЯЁ]{{3,}}(?:[ -][A-ZА-ЯЁ]{{2,}})?)(?:,\s*{_COUNTRY}(?=[,\s]))?"
            rf"(?:(?:,\s*(?P<when>{_DATE}))?\s+{_DASH}\s+|,\s*(?P<when2>{_DATE})\.\s+)"
        ),
        # KARACHI: ...   NEW DELHI: ...: a Latin city in capitals and a colon (South Asian papers).
        # Dubai: ...  Abu Dhabi: ...: the same in title case (Gulf papers).
        re.compile(
            r"^(?P<city>(?!(?i:breaking|update|updated|watch|live|note|editor|video|photo|warning|"
            r"analysis|opinion|comment|exclusive|correction|summary|background|context)\b)"
            r"(?:[A-Z]{3,}(?:[ -][A-Z]{2,})?|[A-Z][a-z]{2,}(?:[ -][A-Z][a-z]{2,})?)):\s+"
        ),
    )


_AGENCY_GROUPS = ("agency", "agency2", "agency3", "agency4", "agency5")


def _known(agency: str) -> bool:
    key = agency.strip().casefold()
    return key in lexicon().marks or key in lexicon().aliases


def _dated(when: str) -> bool:
    return any(ch.isdigit() for ch in when)


@functools.cache
def _agency_type_re() -> re.Pattern[str]:
    kinds = alternation(lexicon().raw["dateline"]["agency_types"])
    return re.compile(rf"^(?:{kinds})\s+(?=\S)")


_QUOTED_RE = re.compile(r"[«\"“](?P<q>[^»\"”]{2,40})[»\"”]")


def canonical_agency(raw: str) -> str:
    """The agency's normal name: ``KAZINFORM`` -> ``Kazinform``; unknown marks as written."""
    text = " ".join(raw.strip(" .,/").split())
    text = re.sub(r"^(?:корр\.?|корреспондент|собкор|спецкор)\s+", "", text, flags=re.I)
    # "НИАТ «Ховар»", "ИА «Регион»", "ИА PrimaMedia": the name, without its type word.
    quoted = _QUOTED_RE.search(text)
    text = quoted["q"].strip() if quoted is not None else _agency_type_re().sub("", text)
    lex = lexicon()
    known = lex.marks.get(text.casefold()) or lex.aliases.get(text.casefold())
    if known:
        return known
    # "/Корр. ТАСС Иван Петров/": the agency, then its correspondent's name.
    first = text.split()[0].casefold() if text.split() else ""
    return lex.marks.get(first) or lex.aliases.get(first) or text


def dateline(para: str) -> Dateline | None:
    """The wire mark that opens ``para``, or None."""
    if len(para) < 8:
        return None
    for rx in _patterns():
        m = rx.match(para)
        if m is None:
            continue
        groups = m.groupdict()
        agency = next((groups[k] for k in _AGENCY_GROUPS if groups.get(k)), "").strip()
        if groups.get("city"):
            agency = ""
        elif not agency or not any(ch.isalpha() for ch in agency):
            continue
        if groups.get("nodash") is not None and not _dated(groups.get("when") or ""):
            continue  # "Moscow (Russia) The ...": with no dash only a dated mark is a dateline
        if agency and not (agency[:1].isupper() or agency[:1] in '«"' or _known(agency)):
            continue  # "Омск, 5 декабря (в пятницу) ...": an aside, no agency's name
        rest = para[m.end() :]
        if not rest or not (rest[0].isupper() or rest[0].isdigit() or rest[0] in '«"“('):
            continue  # the mark must open a sentence
        when = groups.get("when") or groups.get("when2") or ""
        return Dateline(m.end(), canonical_agency(agency), when.strip())
    return None
