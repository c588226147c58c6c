"""Wire datelines as one grammar (issue 13, attrib): CITY [, date] then the agency's mark in
brackets or slashes, after a type word ("ИА", "НИАТ «…»"), with or without a dash; and the
page's own spelling of its outlet ("Степь" over a logo's "СТЕПЬ"). Examples are made up."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import ArticleContent
from bot.ingest.datelines import dateline
from bot.ingest.text import parse_article

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def parse(text: str) -> ArticleContent:
    return parse_article(text, tz=ALMATY, now=NOW)


@pytest.mark.parametrize(
    ("para", "agency", "when", "rest"),
    [
        ("ОМСК, 04.12.2026 /СИБВЕСТЬ/. Мост закрыли на ремонт.", "СИБВЕСТЬ", "04.12.2026", "Мост"),
        ("ТАРАЗ, 3.12.26 /НИА «Степной ветер»/. Мост.", "Степной ветер", "3.12.26", "Мост"),
        ("ОМСК, 4 декабря, ИА Сибвесть. Мост закрыли на ремонт.", "Сибвесть", "4 декабря", "Мост"),
        ("Hilo, Dec. 4 (HNS) A bridge was closed for repairs.", "HNS", "Dec. 4", "A bridge"),
        ("Hilo (HNS) - A bridge was closed for repairs.", "HNS", "", "A bridge"),
        ("HILO, Dec 4 (HNS): A bridge was closed for repairs.", "HNS", "Dec 4", "A bridge"),
        ("/НИА «Степной ветер»/ Мост закрыли на ремонт.", "Степной ветер", "", "Мост"),
        ("ОМСК, 4 декабря, «Сибвесть». Мост закрыли на ремонт.", "Сибвесть", "4 декабря", "Мост"),
    ],
)
def test_dateline_grammar(para: str, agency: str, when: str, rest: str) -> None:
    mark = dateline(para)
    assert mark is not None
    assert (mark.agency, mark.when) == (agency, when)
    assert para[mark.length :].startswith(rest)


@pytest.mark.parametrize(
    "para",
    [
        "Hilo (Hawaii) The bridge was closed for repairs on Friday.",  # no dash, no date
        "Омск, который (по словам мэра) закрыл мост, ждёт ремонта.",
        "Омск, 5 декабря (в пятницу) Мост закрыли на ремонт до весны.",
    ],
)
def test_no_dateline(para: str) -> None:
    mark = dateline(para)
    assert mark is None or mark.agency == ""


def test_city_dash_names_no_agency() -> None:
    mark = dateline("HILO - A bridge was closed for repairs on Friday.")
    assert mark is not None and mark.agency == ""


def test_wire_mark_gives_source_and_strips_dateline() -> None:
    art = parse(
        "Мост в Омске закрыли на ремонт\n"
        "ОМСК, 04.12.2026 /СИБВЕСТЬ/. Мост через Иртыш закрыли на ремонт до весны, сообщили "
        "в мэрии Омска.\n\n"
        "Объезд организован по соседнему мосту, движение там усилено.\n"
    )
    assert art.source_name == "СИБВЕСТЬ"
    assert art.body[0].startswith("Мост через Иртыш")


def test_mixed_case_spelling_wins_over_logo_capitals() -> None:
    art = parse(
        "Мост в Омске закрыли на ремонт\n"
        "ОМСК, 04.12.2026 /СИБВЕСТЬ/. Мост через Иртыш закрыли на ремонт до весны.\n\n"
        "Объезд организован по соседнему мосту, движение там усилено.\n\n"
        "© 2026 Информационное агентство «Сибвесть»\n"
    )
    assert art.source_name == "Сибвесть"
