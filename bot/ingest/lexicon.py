"""The parser's vocabulary (``lexicon.toml``) loaded once and turned into patterns.

The words live in data so that adding an outlet, a verb form or a chrome label is an edit of the
TOML file, not of the code. :func:`lexicon` is cached: the file is read and the patterns are
compiled on first use, once per process.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["Lexicon", "alternation", "lexicon", "phrase_patterns"]


def alternation(words: Iterable[str]) -> str:
    """A regex alternative of literal ``words``, longest first, spaces matching any spacing."""
    unique = sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in unique)


_LIST_RE = re.compile(r"<<(\w+)>>")


def phrase_patterns(templates: dict[str, str]) -> dict[str, re.Pattern[str]]:
    """Case-insensitive patterns from templates where ``<<key>>`` stands for the alternation of
    the lexicon's ``reporting.key`` list: the verbs stay data, the grammar around them code."""
    rep = lexicon().reporting
    return {
        name: re.compile(_LIST_RE.sub(lambda m: alternation(rep[m[1]]), t), re.IGNORECASE)
        for name, t in templates.items()
    }


def _words(table: dict[str, Any], *keys: str) -> list[str]:
    out: list[str] = []
    for key in keys:
        out.extend(str(v) for v in table.get(key, []))
    return out


def _starts(words: Iterable[str]) -> re.Pattern[str]:
    """Matches a line that begins with one of ``words`` as whole words."""
    return re.compile(rf"^(?:{alternation(words)})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Lexicon:
    raw: dict[str, Any]
    # chrome
    whole_lines: frozenset[str]
    social_words: frozenset[str]
    messengers: str  # regex alternation of the platforms a page invites its reader to
    share_re: re.Pattern[str]
    subscribe_re: re.Pattern[str]
    donation_re: re.Pattern[str]
    donation_any_re: re.Pattern[str]
    legal_any_re: re.Pattern[str]
    read_more_re: re.Pattern[str]
    read_more_any_re: re.Pattern[str]
    ads_re: re.Pattern[str]
    chrome_starts_re: re.Pattern[str]
    counter_words: str
    # markers
    byline_re: re.Pattern[str]
    updated_re: re.Pattern[str]
    reading_time_re: re.Pattern[str]
    edition_date_re: re.Pattern[str]
    listen: frozenset[str]
    contributors_re: re.Pattern[str]
    # credits
    credit_labels: str
    caption_label_re: re.Pattern[str]
    wire_marks: tuple[str, ...]
    credit_tails_re: re.Pattern[str]
    # outlets
    marks: dict[str, str]  # ALL-CAPS agency mark -> normal form
    aliases: dict[str, str]  # casefolded spelling -> normal form
    domains: dict[str, str]  # domain -> outlet name
    tlds: str  # regex alternation of the sites' top-level domains
    copyright_re: re.Pattern[str]
    legal_tail_re: re.Pattern[str]
    legal_head_re: re.Pattern[str]
    type_head_re: re.Pattern[str]
    read_us_re: re.Pattern[str]
    other_masthead_res: tuple[re.Pattern[str], ...]
    not_names: tuple[str, ...]
    # reporting
    reporting: dict[str, list[str]]
    name_prefixes: str
    stop_words: frozenset[str]
    indeclinable: frozenset[str]
    institution_heads: frozenset[str]
    en_org_words: frozenset[str]
    en_citing_fillers_re: re.Pattern[str]


@functools.cache
def lexicon() -> Lexicon:
    """The lexicon, read from the package data once per process."""
    text = resources.files("bot.ingest").joinpath("lexicon.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    chrome = raw["chrome"]
    markers = raw["markers"]
    credits = raw["credits"]
    outlets = raw["outlets"]
    masthead = raw["masthead"]
    marks = {k.casefold(): v for k, v in raw["dateline"]["marks"].items()}
    aliases = dict(marks)
    aliases.update({k.casefold(): v for k, v in outlets["aliases"].items()})
    names = raw["names"]
    return Lexicon(
        raw=raw,
        whole_lines=frozenset(w.casefold() for w in chrome["whole_lines"]),
        social_words=frozenset(w.casefold() for w in chrome["social_words"]),
        messengers=alternation(chrome["messengers"]),
        share_re=_starts(chrome["share"]),
        subscribe_re=_starts(chrome["subscribe"]),
        donation_re=_starts(chrome["donation"]),
        donation_any_re=re.compile(alternation(chrome["donation_any"]), re.IGNORECASE),
        legal_any_re=re.compile(alternation(chrome["legal_any"]), re.IGNORECASE),
        read_more_re=_starts(chrome["read_more"]),
        read_more_any_re=_starts(chrome["read_more_any"]),
        ads_re=re.compile(rf"^(?:{alternation(chrome['ads'])})", re.IGNORECASE),
        chrome_starts_re=re.compile(rf"^\W*(?:{alternation(chrome['starts'])})", re.IGNORECASE),
        counter_words=alternation(chrome["counter_words"]),
        byline_re=re.compile(
            rf"^(?:{alternation(markers['bylines'])})\s*[:：—–-]?\s+\S", re.IGNORECASE
        ),
        updated_re=re.compile(rf"^(?:{alternation(markers['updated'])})\b", re.IGNORECASE),
        reading_time_re=re.compile(markers["reading_time_re"], re.IGNORECASE),
        edition_date_re=re.compile(markers["edition_date_re"], re.IGNORECASE),
        listen=frozenset(w.casefold() for w in markers["listen"]),
        contributors_re=re.compile(markers["contributors_re"], re.IGNORECASE),
        credit_labels=alternation(credits["labels"]),
        caption_label_re=re.compile(
            rf"^(?:{alternation(credits['caption_labels'])})\s*[,:：—–-]\s*", re.IGNORECASE
        ),
        wire_marks=tuple(credits["wire_marks"]),
        credit_tails_re=re.compile(credits["credit_tails_re"], re.IGNORECASE),
        marks=marks,
        aliases=aliases,
        domains={k.casefold(): v for k, v in outlets["domains"].items()},
        tlds=alternation(outlets["tlds"]),
        copyright_re=re.compile(masthead["copyright_re"], re.IGNORECASE),
        legal_tail_re=re.compile(masthead["legal_tail_re"]),
        legal_head_re=re.compile(masthead["legal_head_re"]),
        type_head_re=re.compile(masthead["type_head_re"]),
        read_us_re=re.compile(
            f"{masthead['read_us_re']}|{masthead['kk_read_us_re']}", re.IGNORECASE
        ),
        other_masthead_res=tuple(
            re.compile(masthead[k], re.IGNORECASE)
            for k in (
                "print_re",
                "channel_re",
                "support_re",
                "role_re",
                "bio_re",
                "wire_byline_re",
                "subscribe_name_re",
                "kk_news_re",
                "in_app_re",
                "edition_re",
                "link_required_re",
                "appeal_name_re",
                "copyright_after_re",
                "app_re",
                "newsletter_re",
                "type_name_re",
                "print_note_re",
                "editor_re",
                "portion_re",
            )
        ),
        not_names=tuple(w.casefold() for w in masthead["not_names"]),
        reporting={k: [str(x) for x in v] for k, v in raw["reporting"].items()},
        name_prefixes=alternation(_words(names, "ru_prefixes", "en_prefixes")),
        stop_words=frozenset(w.casefold() for w in names["stop_words"]),
        institution_heads=frozenset(names["ru_institution_heads"]),
        indeclinable=frozenset(w.casefold() for w in raw["reporting"]["ru_indeclinable"]),
        en_org_words=frozenset(raw["reporting"]["en_org_words"]),
        en_citing_fillers_re=re.compile(raw["reporting"]["en_citing_fillers_re"], re.IGNORECASE),
    )
