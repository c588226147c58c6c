"""Shape rules for outlets the lexicon never saw (issue 13, round 2): copyright lines cleaned to
the outlet's name, oblique-case names, captions over their credits, appeals closing the copy,
rubric kickers, stacked standfirsts, and reporting phrases with the told outlet in the middle.
The examples are made up; none is a copy of a corpus page."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import ArticleContent
from bot.ingest.appeals import is_appeal
from bot.ingest.datelines import dateline
from bot.ingest.mastheads import masthead_name
from bot.ingest.text import parse_article

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
BODY = "Второй абзац статьи, в котором ничего не сказано об источниках."
EN_BODY = "A second paragraph of the story that names no source at all."


def parse(text: str) -> ArticleContent:
    return parse_article(text, tz=ALMATY, now=NOW)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("©2026 Bloomberg L.P. All Rights Reserved.", "Bloomberg"),
        ("Copyright The Financial Times Limited 2026. All rights reserved.", "Financial Times"),
        ("© 2026 Cable News Network. A Warner Bros. Discovery Company.", "CNN"),
        ("© Steppe.kz, 2026", "Steppe.kz"),
        ("© Вечерний Город 2026", "Вечерний Город"),
        ("© 2001–2026 «Ведомости»", "Ведомости"),
        ("Новости и материалы «Газеты.Ru» в Telegram", "Газета.Ru"),
        ("Steppe.kz © 2026. Все права защищены.", "Steppe.kz"),
        ("Copyright © 2026 The Diplomat", "The Diplomat"),
        ("© 2026, Медуза", "Медуза"),
        ("Subscribe to Steppe's newsletter", "Steppe"),
        ("Новости Steppe в Telegram", "Steppe"),
        ("Скачайте приложение Steppe.kz", "Steppe.kz"),
        ("Steppe.kz қосымшасын жүктеп алыңыз", "Steppe.kz"),
        ("При использовании материалов ссылка на steppe.kz обязательна", "Steppe.kz"),
    ],
)
def test_masthead_lines_give_the_outlets_name(line: str, name: str) -> None:
    assert masthead_name(line) == name


def test_a_city_then_a_known_mark_is_a_dateline() -> None:
    mark = dateline("Seoul CNN — Prices rose sharply.")
    assert mark is not None and mark.agency == "CNN"


def test_a_rubric_over_the_headline_is_a_kicker() -> None:
    art = parse("Новости Региона\nВ Караганде открыли новый мост через реку Букпа\n\n" + BODY)
    assert art.title == "В Караганде открыли новый мост через реку Букпа"


@pytest.mark.parametrize(
    "text",
    [
        "Заметили ошибку? Выделите фрагмент и нажмите Ctrl+Enter.",
        "Хотите рассказать свою историю? Пишите нам в WhatsApp.",
        "Поддержать редакцию: Kaspi 4400 1111 2222 3333",
        "Aigerim Sadykova in Almaty at asadykova@example.com",
        "Жаңалығыңыз болса, бізге WhatsApp арқылы жазыңыз.",
        "If you value our journalism, please consider a donation.",
    ],
)
def test_appeals_to_the_reader(text: str) -> None:
    assert is_appeal(text)


@pytest.mark.parametrize(
    "text",
    [
        "Напомним, ранее в городе закрыли два моста на ремонт.",
        "«Если вы хотите жить здесь, стройте дома сами», — сказал аким.",
        "Media contact: press@example.com",
        "The ministry said it would tell us more next week.",
        "Если вы почувствовали запах газа, звоните 104.",
        "Проверить статус заявки вы можете на портале eGov.",
    ],
)
def test_copy_is_no_appeal(text: str) -> None:
    assert not is_appeal(text)


def test_appeals_closing_the_copy_are_dropped() -> None:
    appeal = "Если вы стали свидетелем ДТП, напишите нам в Telegram."
    head = "Заголовок новости о дорогах города"
    art = parse(f"{head}\n\n{BODY}\n\nТретий абзац текста.\n\n{appeal}")
    assert appeal not in art.body
    assert "Третий абзац текста." in art.body


def test_caption_of_whole_sentences_over_its_credit() -> None:
    text = (
        "World\nSnow closes roads across the north of the country\nBy Jane Doe\n"
        "Updated 6:14 AM EST, Sat December 5, 2026\nA snowplough on a road near the coast.\n"
        "John Smith/Getty Images\n\n" + EN_BODY
    )
    art = parse(text)
    assert art.lead == ""
    assert art.photo_credit == "John Smith/Getty Images"
    assert not any("snowplough" in p for p in art.body)


def test_standfirst_caption_credit_under_the_headline() -> None:
    text = (
        "Город\nВ Павлодаре отремонтируют три школы до сентября\n"
        "Больше всего денег уйдет на кровлю и окна\nРабочие на крыше школы\n"
        "Фото: Иван Петров / «Вестник»\n\n" + BODY
    )
    art = parse(text)
    assert art.lead == "Больше всего денег уйдет на кровлю и окна"
    assert art.photo_credit == "Иван Петров / «Вестник»"
    assert "Рабочие на крыше школы" not in "\n".join(art.body)


def test_stacked_standfirst_is_the_lead() -> None:
    text = (
        "Uzbekistan: Tashkent bans cash fares on buses\nRiders must now pay by card or phone.\n\n"
        + EN_BODY
        + "\n\nA third paragraph."
    )
    assert parse(text).lead == "Riders must now pay by card or phone."


def test_photographer_for_an_outlet_names_it() -> None:
    text = (
        "Floods Hit the Valley as Rivers Rise\n"
        "Photo: Anna Lee for The New York Times\n\n" + EN_BODY
    )
    art = parse(text)
    assert art.photo_credit == "Anna Lee for The New York Times"
    assert art.source_name == "The New York Times"


@pytest.mark.parametrize(
    ("para", "original"),
    [
        (
            "В управлении образования Костанайской области Вестнику сообщили, что школы откроют.",
            "управление образования Костанайской области",
        ),
        (
            "Цены выросли, по данным Агентства по регулированию и развитию финансового рынка.",
            "Агентство по регулированию и развитию финансового рынка",
        ),
        (
            "Қостанай облыстық полиция департаменті Вестникке жолдар жабылғанын мәлімдеді.",
            "Қостанай облыстық полиция департаменті",
        ),
    ],
)
def test_the_body_told_before_the_verb(para: str, original: str) -> None:
    art = parse(f"Заголовок новости о городе и области\n\n{para}\n\n{BODY}")
    assert art.original_source == original


@pytest.mark.parametrize(
    ("para", "source"),
    [
        ("Об этом «Курсиву» сообщили в пресс-службе Минфина.", "Курсив"),
        ("Об этом Steppe.kz рассказали в акимате.", "Steppe.kz"),
        ("Об этом Путину сообщили в МИД.", ""),
    ],
)
def test_the_outlet_told_before_the_verb(para: str, source: str) -> None:
    assert parse(f"Заголовок новости о сделке и рынке\n\n{para}\n\n{BODY}").source_name == source


@pytest.mark.parametrize(
    ("para", "when"),
    [("TASHKENT, Uzbekistan — Prices rose.", ""), ("BISHKEK, Dec. 5 — Prices rose.", "Dec. 5")],
)
def test_a_city_mark_with_a_country_or_a_date_is_stripped(para: str, when: str) -> None:
    mark = dateline(para)
    assert mark is not None and mark.agency == "" and mark.when == when
    assert para[mark.length :] == "Prices rose."


def test_a_photo_inside_the_copy_takes_its_caption_along() -> None:
    text = (
        "Заголовок новости о стройке в городе\n\n"
        + BODY
        + "\n\nВторой абзац статьи о стройке и сроках.\n\n"
        + "Workers at the site in Astana, on Dec. 4, 2026.\nPhoto: John Smith/Reuters\n\n"
        + "Третий абзац статьи о стройке."
    )
    art = parse(text)
    assert art.photo_credit == "John Smith/Reuters"
    second, third = "Второй абзац статьи о стройке и сроках.", "Третий абзац статьи о стройке."
    assert art.body[-2:] == (second, third)


@pytest.mark.parametrize(
    ("credit", "text", "source"),
    [
        (
            "Photo: Jane Doe for The Washington Post",
            "Jane Doe for The Washington Post",
            "The Washington Post",
        ),
        ("Photo: Jane Doe for AFP", "Jane Doe for AFP", ""),
        ("Иллюстративное фото: Depositphotos", "Depositphotos", ""),
    ],
)
def test_credit_forms(credit: str, text: str, source: str) -> None:
    art = parse(f"Заголовок новости о стройке в городе\n{credit}\n\n{BODY}\n\nТретий абзац.")
    assert (art.photo_credit, art.source_name) == (text, source)


def test_a_dated_headline_inside_the_copy_is_a_link() -> None:
    text = (
        "Заголовок новости о стройке в городе\n5 декабря 2026, 10:00\n\n"
        + BODY
        + "\n\nЦены на бензин заморозят до конца зимы\n4 декабря, 18:02\n\n"
        + "Третий абзац статьи о стройке."
    )
    art = parse(text)
    assert art.lead == ""
    assert art.body == (BODY, "Третий абзац статьи о стройке.")
    assert art.published_at == datetime(2026, 12, 5, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("para", "source"),
    [
        ("Prices rose, an aide said in an interview with The Steppe Times.", "The Steppe Times"),
        ("Prices rose, the minister told The Steppe Times on Monday.", "The Steppe Times"),
    ],
)
def test_english_outlets_told(para: str, source: str) -> None:
    art = parse(f"A headline about prices and markets here\n\n{para}\n\n{EN_BODY}")
    assert art.source_name == source


@pytest.mark.parametrize(
    ("para", "source", "original"),
    [
        (
            "Бұл туралы Steppe.kz тілшісіне Алматы қаласы әкімдігі мәлімдеді.",
            "Steppe.kz",
            "Алматы қаласы әкімдігі",
        ),
        (
            "Бұл туралы Steppe.kz-ке Ішкі істер министрлігі хабарлады.",
            "Steppe.kz",
            "Ішкі істер министрлігі",
        ),
    ],
)
def test_kazakh_outlet_told_in_the_dative(para: str, source: str, original: str) -> None:
    art = parse(f"Алматыда жаңа мектеп ашылды және баға өсті\n\n{para}\n\n{BODY}")
    assert (art.source_name, art.original_source) == (source, original)


@pytest.mark.parametrize(
    "head",
    [
        "Айгуль Серикова\nВ Астане построят новый мост через Есиль",
        "Общество, 5 декабря 2026\nВ Астане построят новый мост через Есиль",
        "В Астане построят новый мост через Есиль | Steppe.kz",
    ],
)
def test_headline_under_an_author_or_a_dated_rubric_or_over_a_tab_suffix(head: str) -> None:
    art = parse(f"{head}\n\n{BODY}\n\nТретий абзац.")
    assert art.title == "В Астане построят новый мост через Есиль"
    assert art.lead == ""


@pytest.mark.parametrize(
    ("para", "source", "original"),
    [
        ("Об этом говорится в Telegram-канале акимата Алматы.", "", "акимат Алматы"),
        ("Об этом сообщается на сайте Министерства финансов.", "", "Министерство финансов"),
        (
            "Информацию Steppe.kz подтвердили в Министерстве транспорта.",
            "Steppe.kz",
            "Министерство транспорта",
        ),
    ],
)
def test_russian_citing_forms(para: str, source: str, original: str) -> None:
    art = parse(f"Заголовок новости о сделке и рынке\n\n{para}\n\n{BODY}")
    assert (art.source_name, art.original_source) == (source, original)
