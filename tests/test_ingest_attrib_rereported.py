"""Re-reported stories (issue 13, attrib): a "Источник:" line on a page whose masthead names
another outlet, an outlet introduced by its type noun ("news agency X reported"): the page is
the source, the named outlet the original. Examples are made up."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.domain import ArticleContent
from bot.ingest.attribution import attribution
from bot.ingest.text import parse_article

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def parse(text: str) -> ArticleContent:
    return parse_article(text, tz=ALMATY, now=NOW)


def test_source_line_on_another_outlets_page_names_the_original() -> None:
    art = parse(
        "Степной вестник\n"
        "Новости\n"
        "Источник: Омская правда\n"
        "Омский завод купил конкурента\n"
        "Омский завод шин договорился о покупке конкурента, сообщает «Омская правда» со "
        "ссылкой на два источника.\n\n"
        "Сумма сделки не раскрывается, стороны от комментариев отказались.\n\n"
        "© 2026 Степной вестник\n"
    )
    assert (art.source_name, art.original_source) == ("Степной вестник", "Омская правда")


def test_source_line_alone_names_the_source() -> None:
    art = parse(
        "Омский завод купил конкурента\n"
        "Источник: Омская правда\n"
        "Омский завод шин договорился о покупке конкурента за миллиард рублей.\n\n"
        "Сумма сделки не раскрывается, стороны от комментариев отказались.\n"
    )
    assert art.source_name == "Омская правда"


def test_outlet_by_its_type_noun_is_the_original() -> None:
    found = attribution(
        ["Ferries will resume on Monday, news agency HNS reported, citing port officials."]
    )
    assert found.introduced == ["HNS"]
    art = parse(
        "Ferries to resume on Monday\n"
        "Ferries across the bay will resume on Monday, news agency HNS reported, citing port "
        "officials.\n\n"
        "The service was halted on Friday when a storm hit the coast with strong winds.\n"
    )
    assert (art.source_name, art.original_source) == ("", "HNS")
