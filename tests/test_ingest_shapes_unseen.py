"""General rules for outlets the parser never saw (issue 13, round 3): rights notices, publisher
companies in copyright lines, donation imperatives, contributor and print-edition tails, widget
labels closing the copy, mastheads over the navigation. Every example is made up here."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import ArticleContent
from bot.ingest.appeals import is_appeal
from bot.ingest.chrome import is_chrome, is_marker
from bot.ingest.credits import credit_of
from bot.ingest.mastheads import masthead_name
from bot.ingest.stamps import date_line
from bot.ingest.text import parse_article

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
RU_BODY = (
    "Второй абзац заметки рассказывает подробности и не называет никаких источников вовсе, "
    "как и положено обычному тексту."
)
EN_BODY = "A second paragraph of the story goes into detail and names no source at all."


def parse(text: str) -> ArticleContent:
    return parse_article(text, tz=ALMATY, now=NOW)


def post_text(article: ArticleContent) -> str:
    return "\n".join([article.title, article.lead, *article.body])


@pytest.mark.parametrize(
    "line",
    [
        "Ссылка на источник обязательна.",
        "Все права на материалы сайта принадлежат ООО «Северный город».",
        "Материалдарды сілтемесіз көшіруге тыйым салынады.",
        "«Дала үні» сайтының материалдарын пайдаланғанда гиперсілтеме міндетті.",
        "Coast FM acknowledges the Traditional Custodians of the land on which we broadcast.",
    ],
)
def test_rights_notices_are_chrome(line: str) -> None:
    assert is_chrome(line)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("© 2026 АО «Издательский дом «Северная звезда». Все права защищены.", "Северная звезда"),
        ("Шұғыла ұлттық арнасының жаңалықтарын Telegram-нан оқыңыз", "Шұғыла"),
        ("Copyright © 2026 Harlow & Company, Inc. All Rights Reserved.", ""),
        ("Есть новость? Пишите нам в Telegram", ""),
        ("Support local journalism — donate to Harbor Radio today.", ""),
    ],
)
def test_masthead_names_from_notices(line: str, name: str) -> None:
    assert masthead_name(line) == name


@pytest.mark.parametrize(
    ("line", "chrome"),
    [
        ("Keep local news alive — donate to Harbor Radio today.", True),
        ("Please donate now and double your impact.", True),
        ("Officials urged residents to donate to the relief fund.", False),
    ],
)
def test_donation_imperatives(line: str, chrome: bool) -> None:
    assert is_chrome(line) is chrome


@pytest.mark.parametrize(
    ("line", "marker"),
    [
        ("Write to Jane Porter at jane.porter@example.com", True),
        ("Write to Jane Porter and Omar Diaz", True),
        ("Appeared in the March 3, 2026, print edition as 'Ports Stand Idle'.", True),
        ("Heard on Morning Report", True),
        ("Write to your senator about the bill, she urged.", False),
    ],
)
def test_contributor_and_edition_tails(line: str, marker: bool) -> None:
    assert is_marker(line) is marker


def test_a_widget_label_with_a_colon_closes_the_copy() -> None:
    text = (
        "В Костанае открыли новый каток под открытым небом\n\n"
        "Каток на центральной площади будет работать каждый день до конца февраля, рассказали "
        "в городском отделе спорта.\n\n"
        f"{RU_BODY}\n\n"
        "Тема:\nЗима в городе\n\nВыбор редакции\n"
    )
    article = parse(text)
    post = post_text(article)
    assert "Тема:" not in post and "Зима в городе" not in post and "Выбор редакции" not in post
    assert article.body[-1] == RU_BODY


def test_a_list_announced_by_a_sentence_stays() -> None:
    text = (
        "В Костанае открыли новый каток под открытым небом\n\n"
        "Каток на центральной площади будет работать каждый день до конца февраля.\n\n"
        f"{RU_BODY}\n\n"
        "Билеты можно купить в трех местах:\nв кассе катка\nна сайте акимата\n"
    )
    assert "в кассе катка" in post_text(parse(text))


def test_masthead_over_the_navigation_named_by_the_credit() -> None:
    text = (
        "Steppewire\nНовости\nРасследования\n"
        "Аудиторы нашли нарушения при закупке школьных автобусов\n"
        "5 декабря 2026, 10:15\n"
        "Фото: Арман Нурланов / Steppewire\n\n"
        "Аудиторы областной ревизионной комиссии нашли нарушения при закупке сорока школьных "
        "автобусов, следует из отчета комиссии.\n\n"
        f"{RU_BODY}\n"
    )
    article = parse(text)
    assert article.source_name == "Steppewire"
    assert "Steppewire" not in article.title


def test_wsj_style_tail_and_publisher_copyright() -> None:
    text = (
        "Port Operators Weigh Cuts as Shipping Slows\n"
        "By Jane Porter\n\n"
        "Port operators across northern Europe are preparing to cut shifts as container volumes "
        "fall for a third month.\n\n"
        "A spokesman for one operator told The Wall Street Journal that no decision was final.\n\n"
        f"{EN_BODY}\n\n"
        "Write to Jane Porter at jane.porter@example.com\n\n"
        "Appeared in the December 6, 2026, print edition as 'Ports Weigh Cuts'.\n\n"
        "Copyright ©2026 Harlow & Company, Inc. All Rights Reserved.\n"
    )
    article = parse(text)
    post = post_text(article)
    assert "Write to" not in post and "print edition" not in post
    assert article.source_name == "The Wall Street Journal"
    assert article.original_source == ""


@pytest.mark.parametrize(
    ("line", "appeal"),
    [
        ("«Степной вестник» живет на ваши пожертвования. Поддержите нас сегодня.", True),
        ("«Поддержите нас», — сказал директор приюта журналистам.", False),
        ("— Напишите нам, если что-то узнаете, — попросил следователь.", False),
    ],
)
def test_an_appeal_is_read_outside_the_quotes(line: str, appeal: bool) -> None:
    assert is_appeal(line) is appeal


@pytest.mark.parametrize(
    ("line", "chrome"),
    [
        ("Like what you read? Click here to subscribe today. Only $3 a week.", True),
        ("The council voted on Monday. Share prices rose. Traders were calm.", False),
    ],
)
def test_a_pitch_of_short_sentences_with_a_button(line: str, chrome: bool) -> None:
    assert is_chrome(line) is chrome


def _tailed(last: str) -> str:
    return (
        "Harbor Towns Brace for a Stormy Weekend\n"
        "By Jane Porter\n\n"
        "Coastal towns are filling sandbags ahead of the storm, the harbor master told Harbor "
        "Radio on Friday.\n\n"
        f"{EN_BODY}\n\n"
        f"{last}\n"
    )


def test_the_outlets_note_on_itself_closes_the_copy() -> None:
    note = "Harbor Radio is committed to fair and independent reporting on the coast."
    article = parse(_tailed(note))
    assert note not in post_text(article)
    assert article.source_name == "Harbor Radio"


def test_a_persons_commitment_at_the_end_is_copy() -> None:
    last = "Tom Reed is committed to staying in town until the storm has passed, he said."
    assert last in post_text(parse(_tailed(last)))


def test_a_badge_in_title_case_under_the_byline_is_no_lead() -> None:
    text = (
        "Harbor Towns Brace for a Stormy Weekend\n"
        "By Jane Porter\n"
        "Harbor Radio Is A Trust Project Member\n"
        "Published Dec 05, 2026 at 08:00 AM EST\n\n"
        "Coastal towns are filling sandbags ahead of the storm, officials said on Friday.\n\n"
        f"{EN_BODY}\n"
    )
    article = parse(text)
    assert article.lead == ""
    assert "Trust Project" not in post_text(article)


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("Иллюстрация. Фото 12news.kz", "12news.kz"),
        ("Архив. Фото: Марат Ахметов", "Марат Ахметов"),
        ("Фото: Ольга СМИРНОВА. Перейти в Фотобанк", "Ольга СМИРНОВА"),
        ("Photo: J. Smith/AP", "J. Smith/AP"),
        ("Фото и видео присылайте в WhatsApp нашей редакции", None),
        ("Фото 3 из 12", None),
    ],
)
def test_credit_forms(line: str, credit: str | None) -> None:
    found = credit_of(line, ALMATY, NOW)
    assert (found.text if found is not None else None) == credit


@pytest.mark.parametrize(
    ("sentence", "source", "original"),
    [
        (
            "Маңғыстауда жаңа көпір салынады, деп хабарлайды Dalanews.kz Xinhua агенттігіне "
            "сілтеме жасап.",
            "Dalanews.kz",
            "Xinhua",
        ),
        (
            "Маңғыстауда жаңа көпір салынады, деп хабарлайды «Дала үні» Zakon.kz порталына "
            "сілтеме жасап.",
            "Дала үні",
            "Zakon.kz",
        ),
    ],
)
def test_kazakh_cited_outlet_named_by_its_type_word(
    sentence: str, source: str, original: str
) -> None:
    text = f"Маңғыстауда жаңа көпір салынады\n\n{sentence}\n\nКөпір құрылысы екі жылға созылады.\n"
    article = parse(text)
    assert (article.source_name, article.original_source) == (source, original)


def test_a_source_and_editor_line_carries_the_pages_stamp() -> None:
    text = (
        "Rail freight volumes hit a record in November\n"
        "Source: Harbor Wire | Editor: li wen | 2026-12-04 09:30:15\n\n"
        "Rail freight volumes reached a record in November, the national railway said on "
        "Thursday.\n\n"
        f"{EN_BODY}\n"
    )
    article = parse(text)
    assert article.source_name == "Harbor Wire"
    assert article.published_at == datetime(2026, 12, 4, 9, 30, 15, tzinfo=ALMATY)


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        (
            "Snow blankets a road near Kelowna on Friday. (Ann Lee/The Valley Courier)",
            "Ann Lee/The Valley Courier",
        ),
        ("Fishermen mend nets at the old harbour (AFP via Getty Images)", "AFP via Getty Images"),
        ("The plan was approved on Friday (the council said in a statement)", None),
    ],
)
def test_a_caption_closed_by_its_credit_in_parentheses(line: str, credit: str | None) -> None:
    found = credit_of(line, ALMATY, NOW)
    assert (found.text if found is not None else None) == credit


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("By Harborwire with AP", "Harborwire"),
        ("By The Valley Courier with Reuters", "The Valley Courier"),
        ("By Jane Porter with AP", ""),
    ],
)
def test_by_outlet_with_the_wires_is_not_a_reporter(line: str, name: str) -> None:
    assert masthead_name(line).startswith(name) if name else masthead_name(line) == ""


def test_a_reporters_byline_with_the_wire_and_an_embed_label_are_chrome() -> None:
    text = (
        "Ferry crews in the north strike for two days\n"
        "By Jane Porter with AP\n\n"
        "Ferry crews in the northern ports began a two-day strike on Saturday, the union said.\n\n"
        f"{EN_BODY}\n\n"
        "Copy/paste the article video embed link below:\nCopy\n"
    )
    article = parse(text)
    post = post_text(article)
    assert "Jane Porter" not in post and "embed link" not in post
    assert article.lead == "" and article.source_name != "Jane Porter"


def test_published_wins_over_updated_on_one_line() -> None:
    text = (
        "Harbor Towns Brace for a Stormy Weekend\n"
        "Updated December 4, 2026 at 3:40 p.m. EST | "
        "Published December 4, 2026 at 7:05 a.m. EST\n\n"
        "Coastal towns are filling sandbags ahead of the storm, officials said on Friday.\n\n"
        f"{EN_BODY}\n"
    )
    published = parse(text).published_at
    assert published is not None
    assert published.astimezone(UTC) == datetime(2026, 12, 4, 12, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "is_date"),
    [
        ("Nov 28th 2026|KOSTANAY", True),
        ("28 ноября 2026 | КОСТАНАЙ", True),
        ("Nov 28th 2026 KOSTANAY CITY FLOODS", False),
    ],
)
def test_a_stamp_with_the_place_it_was_filed_from(line: str, is_date: bool) -> None:
    assert date_line(line, ALMATY, NOW)[0] is is_date


def test_a_weather_service_said_in_its_statement_is_the_original() -> None:
    text = (
        "Heavy snow expected across the northern valleys\n\n"
        "Up to 40 centimetres of snow could fall in the northern valleys by Monday, Meteo "
        "Nord said in a special weather statement.\n\n"
        f"{EN_BODY}\n"
    )
    assert parse(text).original_source == "Meteo Nord"
