"""Shape rules for outlets the lexicon never saw (issue 13, round 3): site headers over the
navigation, wire datelines closed by a period, wire bylines, bio and subscribe lines naming the
outlet, wire credits distributed by a photo bank, outlets named by their type noun, documents
"seen by" an outlet, page time zones. The examples are made up; none is a corpus page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.domain import ArticleContent
from bot.ingest.attribution import attribution
from bot.ingest.credits import credit_of
from bot.ingest.datelines import dateline
from bot.ingest.dates import find_datetime
from bot.ingest.mastheads import masthead_name
from bot.ingest.text import parse_article

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
EN_BODY = "A second paragraph of the story that names no source at all."


def parse(text: str) -> ArticleContent:
    return parse_article(text, tz=ALMATY, now=NOW)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("© 2026 АО «Степной край». Все права защищены.", "Степной край"),
        ("Подписывайтесь на «Степной край»", "Степной край"),
        ("Olga Ivanova is a senior correspondent at The Steppe Herald.", "The Steppe Herald"),
        ("By Ivan Petrov – Steppe:", "Steppe"),
        ("By The Steppe Herald with AA", "The Steppe Herald"),
        ("Steppe News relies on readers like you. Donate today.", "Steppe News"),
        ("Support Independent Journalism", ""),
    ],
)
def test_masthead_lines_give_the_outlets_name(line: str, name: str) -> None:
    assert masthead_name(line) == name


@pytest.mark.parametrize(
    ("para", "agency", "when"),
    [
        ("ASTANA, Kazakhstan, Dec. 5. The government approved the plan.", "", "Dec. 5"),
        ("ASTANA - The government approved the plan.", "", ""),
        ("Ташкент (Дунё) — Правительство одобрило план.", "Дунё", ""),
        ("Минск, 5 декабря /Корр. БЕЛТА/. Правительство одобрило план.", "БелТА", "5 декабря"),
    ],
)
def test_wire_marks_are_taken_off_the_first_paragraph(para: str, agency: str, when: str) -> None:
    mark = dateline(para)
    assert mark is not None and (mark.agency, mark.when) == (agency, when)
    assert para[mark.length :].startswith(("The", "Правительство"))


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("(Photo by Ivan Petrov/AFP via Getty Images)", "Ivan Petrov/AFP via Getty Images"),
        ("The new bridge over the river. | Ivan Petrov/AFP via Getty Images", None),
        ("Суретті түсірген: Ерлан Омаров", "Ерлан Омаров"),
        ("Фото ©️ Depositphotos", "Depositphotos"),
        ("Yonhap", "Yonhap"),
    ],
)
def test_credit_forms(line: str, credit: str | None) -> None:
    found = credit_of(line, ALMATY, NOW)
    assert found is not None
    assert found.text == (credit or "Ivan Petrov/AFP via Getty Images")


@pytest.mark.parametrize(
    ("para", "outlets", "originals"),
    [
        ("Rates were kept on hold, the newspaper Steppe Daily said.", ["Steppe Daily"], []),
        ("The minister resigned, broadcaster STV reported.", ["STV"], []),
        ("The plan is ready, according to a draft seen by POLITICO.", ["POLITICO"], []),
        ("Output will fall, the Steppe business daily reported.", ["Steppe"], []),
        ("Prices rose, Yonhap News Agency reported, citing officials.", ["Yonhap"], []),
        (
            "Exports rose, Trend reports with reference to the Ministry of Energy.",
            ["Trend"],
            ["Ministry of Energy"],
        ),
        (
            "Стоимость выросла, сообщили «Газете.Ru» в пресс-службе ведомства.",
            ["Газета.Ru"],
            ["пресс-служба ведомства"],
        ),
        ("Министр рассказал «Коммерсанту» о планах.", ["Коммерсантъ"], []),
        (
            "The line opens next year, the spokesman Ivan Petrov told Trend.",
            ["Trend"],
            ["Ivan Petrov"],
        ),
    ],
)
def test_reporting_phrases(para: str, outlets: list[str], originals: list[str]) -> None:
    found = attribution([para])
    assert (found.outlets, found.originals) == (outlets, originals)


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("Dec 5, 2026 | 11:02 AM KST", 9),
        ("5 December 2026 14:20 EET", 2),
        ("Published Dec. 5, 2026, 7:45 p.m. EST", -5),
    ],
)
def test_page_time_zones(text: str, offset: int) -> None:
    when = find_datetime(text, tz=ALMATY, now=NOW)
    assert when is not None
    local = when.astimezone(timezone(timedelta(hours=offset)))
    assert local.day == 5


def test_a_site_header_over_the_navigation_is_no_headline() -> None:
    text = "Steppe Herald\nNews\nRegions\nAstana opens its new airport terminal on Monday\n\n"
    art = parse(text + "The terminal will handle eight million passengers a year.\n\n" + EN_BODY)
    assert art.title == "Astana opens its new airport terminal on Monday"


def test_a_title_over_a_share_button_is_kept() -> None:
    text = "Astana opens its new airport terminal\nShare\nNew terminal for the capital city\n\n"
    art = parse(text + "The terminal will handle eight million passengers a year.\n\n" + EN_BODY)
    assert art.title == "Astana opens its new airport terminal"


def test_a_related_items_date_is_not_the_articles() -> None:
    text = (
        "Популярное\nНацбанк сохранил ставку\n03 декабря 2026, 11:45\nЭкономика\n"
        "Цены на жилье в Астане выросли за год\n05 декабря 2026, 12:30\n\n"
        "Стоимость жилья выросла на 9%, говорится в сообщении Бюро национальной статистики.\n\n"
        "Второй абзац статьи, в котором ничего не сказано об источниках."
    )
    art = parse(text)
    assert art.published_at == datetime(2026, 12, 5, 7, 30, tzinfo=UTC)
    assert art.title == "Цены на жилье в Астане выросли за год"
