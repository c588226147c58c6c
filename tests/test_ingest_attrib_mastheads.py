"""The page's masthead over its rubric (issue 13, attrib): an English paper's "The …", a name the
page's chrome writes again, a paper's name over its print-issue line; the masthead over a
parent company's copyright. Examples are made up."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import ArticleContent
from bot.ingest.mastheads import masthead_name
from bot.ingest.text import parse_article

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
EN_BODY = (
    "Bus fares across the county will stay at two pounds until 2028, the county council said.\n\n"
    "The cap applies to all routes run by the three operators in the county.\n\n"
    "Daily tickets will also stay at five pounds under the same scheme.\n"
)


def parse(text: str) -> ArticleContent:
    return parse_article(text, tz=ALMATY, now=NOW)


def test_the_paper_over_its_publisher() -> None:
    art = parse(
        "The Fenland Courier\nNews\nTransport\nBus fares frozen for another two years\n"
        + EN_BODY
        + "\nCopyright 2026 Marsh Media Holdings Inc. All rights reserved.\n"
    )
    assert art.source_name == "The Fenland Courier"


def test_first_line_named_again_in_the_chrome() -> None:
    art = parse(
        "Fenland Evening Post\nNews\nTransport\nBus fares frozen for another two years\n"
        "A bus in the town centre (Image: Fenland Evening Post)\n" + EN_BODY
    )
    assert art.source_name == "Fenland Evening Post"


def test_rubric_named_in_the_copy_is_no_masthead() -> None:
    art = parse(
        "Marsh Valley\nBus fares frozen for another two years\n"
        "Bus fares will stay at two pounds until 2028, Marsh Valley Council said on Friday.\n\n"
        "The cap applies to all routes run by the three operators in the county.\n\n"
        "Daily tickets will also stay at five pounds under the same scheme.\n"
    )
    assert art.source_name != "Marsh Valley"


def test_paper_name_over_print_issue_line() -> None:
    art = parse(
        "Фото: Иван Петров\n"
        "В Павлодаре открыли новый мост через Иртыш\n"
        "Степная правда\n"
        "№ 48 (12 345) от 3 декабря 2026 г.\n"
        "Общество\n"
        "Движение по новому мосту открыли в среду, сообщили в акимате города.\n\n"
        "Мост длиной 900 метров строили три года, он рассчитан на четыре полосы.\n\n"
        "Старый мост закроют на ремонт весной следующего года.\n"
    )
    assert art.source_name == "Степная правда"


def test_acronym_over_the_menu_is_the_logo() -> None:
    art = parse(
        "HBC\nLatest\nIsland\nWorld\nSport\nBus fares frozen for another two years\n" + EN_BODY
    )
    assert art.source_name == "HBC"


def test_acronym_rubric_over_the_headline_is_no_logo() -> None:
    art = parse("UAE\nBus fares frozen for another two years\n" + EN_BODY)
    assert art.source_name == ""


def test_the_rubric_yields_to_an_outlets_copyright() -> None:
    art = parse(
        "The Latest\nBus fares frozen for another two years\n"
        + EN_BODY
        + "\n© 2026 Fenland Courier\n"
    )
    assert art.source_name == "Fenland Courier"


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Читайте «Степную правду» в Дзене", "Степная правда"),
        ("При использовании материалов ссылка на «Степную правду» обязательна", "Степная правда"),
        ("Следите за новостями «Степной правды» в Telegram", "Степная правда"),
        ("Материалды көшіріп басқанда «Жайық өңірі» газетіне сілтеме міндетті", "Жайық өңірі"),
        ("Материал көшірілгенде Steppe.kz сайтына сілтеме міндетті", "Steppe.kz"),
        ("Следите за новостями в Telegram", ""),
        ("© АО «Телерадиокомпания «Степь»»", "Степь"),
    ],
)
def test_appeal_and_link_lines_name_the_outlet(line: str, name: str) -> None:
    assert masthead_name(line) == name
