"""Organisation names in Russian copy (issue 13, attrib): a genitive chain through "и", a name
ending before an adverbial "по итогам", the story's original named in its opening only, own
reporting citing nobody. Examples are made up."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import ArticleContent
from bot.ingest.attribution import attribution
from bot.ingest.text import parse_article

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
FILLER = (
    "Движение по объездной дороге будет организовано до весны, автобусы пойдут по новым "
    "маршрутам через соседний мост."
)


def parse(text: str) -> ArticleContent:
    return parse_article(text, tz=ALMATY, now=NOW)


@pytest.mark.parametrize(
    ("para", "original"),
    [
        (
            "Мост закроют на ремонт, сообщили в министерстве культуры и информационного "
            "развития Омской области.",
            "министерство культуры и информационного развития Омской области",
        ),
        (
            "Подрядчика выбрали, сообщили в мэрии Омска по итогам конкурса.",
            "мэрия Омска",
        ),
        (
            "Ремонт начнётся в марте, сообщили в Комитете по делам молодёжи Омской области.",
            "Комитет по делам молодёжи Омской области",
        ),
    ],
)
def test_organisation_span(para: str, original: str) -> None:
    assert attribution([para]).originals[:1] == [original]


@pytest.mark.parametrize(
    ("para", "original"),
    [
        (
            "Урожай зерна вырос на десятую часть, сообщает Агентство статистики при "
            "правительстве Омской области.",
            "Агентство статистики при правительстве Омской области",
        ),
        (
            "Турнир пройдёт в марте, сообщает Комитет по делам молодёжи и спорта при "
            "Правительстве Республики Омск.",
            "Комитет по делам молодёжи и спорта при Правительстве Республики Омск",
        ),
    ],
)
def test_institution_as_subject_is_the_original(para: str, original: str) -> None:
    found = attribution([para])
    assert found.originals[:1] == [original]
    assert found.outlets == []


def test_body_cited_only_further_down_is_no_original() -> None:
    art = parse(
        "В Омске закрыли мост через Иртыш\n"
        "Мост через Иртыш в Омске закрыли на ремонт в пятницу утром, движение перекрыто "
        "полностью на всех полосах.\n\n"
        + FILLER
        + "\n\nРемонт продлится до мая, движение на мосту откроют поэтапно по мере готовности "
        "каждой из полос.\n\n"
        "По данным министерства транспорта Омской области, ремонт обойдётся в миллиард.\n"
    )
    assert art.original_source == ""


def test_own_correspondent_cites_nobody() -> None:
    art = parse(
        "В Омске закрыли мост через Иртыш\n"
        "Мост через Иртыш в Омске закрыли на ремонт, передает корреспондент Omsk.kz.\n\n"
        "Ок.\n\n"
        "В министерстве транспорта Омской области пояснили, что ремонт продлится до мая.\n"
    )
    assert art.original_source == ""


def test_speaker_with_a_long_title_after_the_outlet_told() -> None:
    found = attribution(
        [
            "Закон приняли в четверг, сообщил «Степной газете» один из авторов документа, "
            "первый заместитель председателя комитета по транспорту и связи Иван Петров."
        ]
    )
    assert found.told == ["Степная газета"]
    assert found.originals == ["Иван Петров"]


def test_two_bodies_joined_by_and_are_not_one_name() -> None:
    assert (
        "мэрия и полиции"
        not in attribution(["Мост закроют, сообщили в мэрии и полиции."]).originals
    )
