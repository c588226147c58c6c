"""Issue 13, the failure kinds met on outlets the parser never saw: legal tails and taglines in
mastheads, taglines and kickers over the headline, parenthesised caption credits, Kazakh titles
and cases, outlets cited further down, print-edition and zoned dates, and the widgets' chrome."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.ingest.attribution import attribution
from bot.ingest.mastheads import masthead_name
from bot.ingest.text import parse_article, parse_article_report
from tests.corpus_score import post_text

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
ALMATY = ZoneInfo("Asia/Almaty")
MELBOURNE = ZoneInfo("Australia/Melbourne")

RU_BODY = (
    "Городские власти Алматы закроют на ремонт три подземных перехода в центре города "
    "с понедельника, сообщили в акимате.",
    "Работы продлятся до конца февраля, пешеходов направят по временным переходам.",
    "Подрядчик обещает завершить ремонт досрочно, если позволит погода.",
)
RU_TITLE = "Три подземных перехода закроют на ремонт в Алматы"
EN_BODY = (
    "Residents of three towns in western Victoria have been told to leave immediately as a "
    "fast-moving bushfire burns towards them.",
    "The fire has burnt through more than 12,000 hectares.",
    "Temperatures are expected to reach 41 degrees on Sunday.",
)
EN_TITLE = "Bushfire forces evacuations in Victoria's west"


def _ru(head: str = "", tail: str = "") -> str:
    return "\n\n".join(p for p in (head, "\n\n".join(RU_BODY), tail) if p)


def _en(head: str = "", tail: str = "") -> str:
    return "\n\n".join(p for p in (head, "\n\n".join(EN_BODY), tail) if p)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("© The Economist Newspaper Limited 2026. All rights reserved.", "The Economist"),
        ("© 2026 The Irish Times DAC", "The Irish Times"),
        (
            "Copyright © 2026 South China Morning Post Publishers Ltd. All rights reserved.",
            "South China Morning Post",
        ),
        ("© 2026 BFM.ru — Деловой портал", "BFM.ru"),
        ("BFM.ru — Деловой портал", "BFM.ru"),
        ("© 1997–2026 Телекомпания НТВ", "НТВ"),
        ("© 2026 АО «Телекомпания НТВ»", "НТВ"),
        ("Xinhua | Editor: Wang Jing", "Xinhua"),
        ("«Жетісу» газеті", "Жетісу"),
        ("Все права защищены © 2026 Lada.kz", "Lada.kz"),
        ("Copyright © 2026 The Star Media Group Berhad (10894D)", "The Star"),
        ("Published in Dawn, December 6th, 2026", "Dawn"),
        ("ⓒ Hankyoreh Media Company. All rights reserved.", ""),  # normalised first, below
    ],
)
def test_masthead_is_the_outlet_not_its_company_or_tagline(line: str, name: str) -> None:
    assert masthead_name(line) == name


def test_circled_copyright_sign_names_the_outlet() -> None:
    art = parse_article(
        _en(EN_TITLE, "ⓒ Hankyoreh Media Company. All rights reserved."), tz=MELBOURNE, now=NOW
    )
    assert art.source_name == "Hankyoreh"


@pytest.mark.parametrize(
    "header",
    [
        "Kazinform\nНациональное информационное агентство\nПолитика",
        "Новости Актау и Мангистау",
        "«Жетісу» газеті",
        "Облыстық қоғамдық-саяси газет",
        "Политика",
    ],
)
def test_taglines_and_rubrics_over_the_headline_are_not_the_title(header: str) -> None:
    art = parse_article(_ru(f"{header}\n{RU_TITLE}"), tz=ALMATY, now=NOW)
    assert art.title == RU_TITLE
    assert art.lead == ""
    assert art.body == RU_BODY


@pytest.mark.parametrize("kicker", ["Hong Kong", "Chiang Mai"])
def test_a_place_kicker_over_the_headline_is_not_the_title(kicker: str) -> None:
    art = parse_article(_en(f"{kicker}\n{EN_TITLE}"), tz=MELBOURNE, now=NOW)
    assert (art.title, art.lead) == (EN_TITLE, "")


def test_a_two_word_headline_is_still_the_title() -> None:
    text = "Заголовок новости\n\nПодзаголовок без точки в конце\n\nПервый абзац.\n\nВторой."
    assert parse_article(text, tz=ALMATY).title == "Заголовок новости"


@pytest.mark.parametrize(
    ("caption", "credit", "source"),
    [
        ("A blaze near Dimboola Saturday. (ABC News: Jane Doe)", "ABC News: Jane Doe", "ABC News"),
        ("A blaze near Dimboola on Saturday (ABC News: Jo Ng)", "ABC News: Jo Ng", "ABC News"),
        ("A blaze near Dimboola on Saturday. (Reuters: John Smith)", "Reuters: John Smith", ""),
        ("A train waits at a station in Istanbul, Dec. 4, 2026. (AA Photo)", "AA Photo", ""),
        ("A blaze near Dimboola on Saturday.\n(AA Photo)", "AA Photo", ""),
        ("Members of the union at a rally on Dec. 3. (Yonhap)", "Yonhap", ""),
        ("A blaze near Dimboola on Saturday. (Supplied)", "Supplied", ""),
    ],
)
def test_a_caption_with_its_credit_in_parentheses_is_dropped(
    caption: str, credit: str, source: str
) -> None:
    for text in (_en(f"{EN_TITLE}\n{caption}"), _en(f"{caption}\n\n{EN_TITLE}")):
        art = parse_article(text, tz=MELBOURNE, now=NOW)
        assert (art.title, art.lead, art.body) == (EN_TITLE, "", EN_BODY)
        assert art.photo_credit == credit
        assert art.source_name == source


def test_a_wire_paragraph_closed_by_its_agency_stays_copy() -> None:
    long_para = " ".join(["The ministry said the new rules would apply from January."] * 6)
    text = _en(EN_TITLE, f"{long_para} (Reuters)")
    art = parse_article(text, tz=MELBOURNE, now=NOW)
    assert art.body[-1].endswith("(Reuters)")
    assert art.photo_credit == ""


@pytest.mark.parametrize(
    ("para", "original"),
    [
        (
            "Аурухана ашылды. Бұл туралы қала әкімдігінің баспасөз қызметінен хабарлады.",
            "қала әкімдігінің баспасөз қызметі",
        ),
        (
            "Бұл туралы облыстық денсаулық сақтау басқармасының басшысы Асқар Нұрланов хабарлады.",
            "Асқар Нұрланов",
        ),
        ("Бұл туралы ҚР Энергетика министрі Ерлан Аққенженов мәлімдеді.", "Ерлан Аққенженов"),
        (
            "Жол жабылды, деп хабарлады облыс полиция департаментінің бастығы Марат Жақсылықов.",
            "Марат Жақсылықов",
        ),
        (
            "Жол жабылды. Бұл туралы Ақмола облыстық полиция департаментінен хабарлады.",
            "Ақмола облыстық полиция департаменті",
        ),
        (
            "Бұл туралы Алматы облысы полиция департаментінен хабарланды.",
            "Алматы облысы полиция департаменті",
        ),
        (
            "Алматы облысы полиция департаментінен алынған ақпаратқа сәйкес, жол жабылды.",
            "Алматы облысы полиция департаменті",
        ),
        (
            "Жол жабылды, деп хабарлайды Алматы облысы полиция департаментінен.",
            "Алматы облысы полиция департаменті",
        ),
    ],
)
def test_kazakh_titles_and_ablative_bodies(para: str, original: str) -> None:
    assert attribution([para]).originals == [original]


@pytest.mark.parametrize(
    ("tail", "source", "original"),
    [
        ("Компания может сократить выпуск в Китае, сообщает Bloomberg.", "", "Bloomberg"),
        ("Как пишет Financial Times, компания может сократить выпуск.", "", "Financial Times"),
        (
            "Компания может сократить выпуск, сообщает Bloomberg.\n\n© Финмаркет 2026",
            "Финмаркет",
            "Bloomberg",
        ),
    ],
)
def test_an_outlet_reporting_further_down_is_cited_not_the_source(
    tail: str, source: str, original: str
) -> None:
    head = "Акции Tesla упали на 5%\n\nАкции Tesla подешевели на 5% на торгах в пятницу."
    text = f"{head}\n\nСнижение стало самым сильным с марта.\n\n{tail}"
    art = parse_article(text, tz=ALMATY, now=NOW)
    assert (art.source_name, art.original_source) == (source, original)


@pytest.mark.parametrize(
    "tail",
    [
        "Подробности рассказал корреспонденту Tengrinews.kz аким района.",
        "Работы начнутся в понедельник, передает корреспондент Tengrinews.kz.",
    ],
)
def test_an_outlet_told_or_reporting_by_its_correspondent_is_the_pages_own(tail: str) -> None:
    art = parse_article(_ru(RU_TITLE, tail), tz=ALMATY, now=NOW)
    assert art.source_name == "Tengrinews.kz"


@pytest.mark.parametrize(
    ("stamp", "when"),
    [
        ("Posted on : 2026-12-04 06:00 KST", datetime(2026, 12, 3, 21, 0, tzinfo=UTC)),
        ("2026.12.04 06:00", datetime(2026, 12, 3, 19, 0, tzinfo=UTC)),
        ("Posted 4h ago, updated 2h ago", datetime(2026, 12, 5, 8, 0, tzinfo=UTC)),
        ("Updated 35m ago", datetime(2026, 12, 5, 11, 25, tzinfo=UTC)),
        ("4 желтоқсан 2026 ж. 10:20", datetime(2026, 12, 3, 23, 20, tzinfo=UTC)),
        ("Edition of 4 December 2026", None),
        ("Print edition: 4 December 2026", None),
        ("From the print edition | Dec 4th 2026", None),
        ("Published: 6:00am, 5 Dec 2026", datetime(2026, 12, 4, 19, 0, tzinfo=UTC)),
        ("Date: 05/12/2026", datetime(2026, 12, 4, 13, 0, tzinfo=UTC)),
        ("06:00 / 04.12.2026", datetime(2026, 12, 3, 19, 0, tzinfo=UTC)),
        ("05.12.2026 в 06:00 по Москве", datetime(2026, 12, 5, 3, 0, tzinfo=UTC)),
    ],
)
def test_page_dates(stamp: str, when: datetime | None) -> None:
    art = parse_article(_en(f"{EN_TITLE}\n{stamp}"), tz=MELBOURNE, now=NOW)
    assert art.published_at == when
    assert stamp not in "\n".join([art.lead, *art.body])


def test_the_print_issue_date_is_not_the_articles() -> None:
    head = f"{RU_TITLE}\n№ 48 от 3 декабря 2026\n05.12.2026 12:40"
    art = parse_article(_ru(head), tz=ALMATY, now=NOW)
    assert art.published_at == datetime(2026, 12, 5, 7, 40, tzinfo=UTC)
    assert "№ 48" not in "\n".join(art.body)


CHROME = [
    "Қаралды: 674",
    "Оқылды: 1 234",
    "Просмотров: 1 234",
    "Views: 5,678",
    "Do you like the content of this article?",
    "Did you find this article useful?",
    "Есть история? Напишите нам",
    "Save time by listening to our audio articles",
    "Listen to this article",
    "#налоги | #Минфин",
    "Share this article",
    "Share on WhatsApp",
    "Rate this article",
    "★★★★☆ 4.2 (15 votes)",
    "Рейтинг: 4.5/5",
    "👍 12 👎 3",
    "Story continues below advertisement",
    "Прослушать статью",
    "Мақаланы тыңдау",
    "Gift this article",
]


def test_a_stock_photo_site_in_the_credit_is_not_the_outlet() -> None:
    art = parse_article(_ru(f"{RU_TITLE}\nФото: pixabay.com"), tz=ALMATY, now=NOW)
    assert (art.photo_credit, art.source_name) == ("pixabay.com", "")


@pytest.mark.parametrize("chrome", CHROME)
def test_widget_chrome_never_reaches_the_post(chrome: str) -> None:
    for text in (
        _ru(f"{RU_TITLE}\n{chrome}"),
        _ru(RU_TITLE, chrome),
        f"{RU_TITLE}\n\n{RU_BODY[0]}\n\n{chrome}\n\n" + "\n\n".join(RU_BODY[1:]),
    ):
        art, report = parse_article_report(text, tz=ALMATY, now=NOW)
        assert art.body == RU_BODY
        assert chrome not in "\n".join([art.title, art.lead, post_text(art)])
        assert art.source_name == ""  # "Есть история? Напишите нам" names no outlet
        assert report.source_candidates == ()


def test_the_mastheads_acronym_over_a_regional_credit_is_the_source() -> None:
    caption = "A car drives through floodwater near Lismore. (ABC North Coast: John Smith)"
    art = parse_article(_en(f"ABC News\nHomepage\n{EN_TITLE}\n{caption}"), tz=MELBOURNE, now=NOW)
    assert (art.title, art.source_name) == (EN_TITLE, "ABC News")
    assert art.photo_credit == "ABC North Coast: John Smith"


def test_a_promo_question_closing_the_copy_is_chrome() -> None:
    promo = "Do you have questions about the biggest topics? Get the answers with SCMP Knowledge."
    art = parse_article(_en(EN_TITLE, promo), tz=MELBOURNE, now=NOW)
    assert art.body == EN_BODY


def test_a_summary_list_under_the_headline_is_not_the_standfirst() -> None:
    head = f"{EN_TITLE}\nKey points:\nUp to 200mm of rain is forecast for the Northern Rivers"
    art = parse_article(_en(head), tz=MELBOURNE, now=NOW)
    assert art.lead == ""
    assert art.body[0].startswith("Up to 200mm of rain")


@pytest.mark.parametrize(
    ("foot", "source"),
    [
        (
            "© 2005–2026 ООО «НТВ.Ру»\nСетевое издание «НТВ.ру» зарегистрировано Роскомнадзором. "
            "Свидетельство Эл № ФС77-12345 от 01.01.2010.\nТелефон: +7 (495) 725-11-11",
            "НТВ.Ру",
        ),
        (
            "Собственник: ТОО «Lada Media». Свидетельство о постановке на учет СМИ № 12345-ИА.\n"
            "Перепечатка материалов без ссылки на источник запрещена.\n© 2026 Lada.kz",
            "Lada.kz",
        ),
        (
            "The Irish Times DAC, 24-28 Tara Street, Dublin 2. Registered in Ireland, "
            "company number 12345.\n© 2026 The Irish Times DAC",
            "The Irish Times",
        ),
    ],
)
def test_the_publishers_legal_footer_is_chrome(foot: str, source: str) -> None:
    art = parse_article(_ru(RU_TITLE, foot), tz=ALMATY, now=NOW)
    assert (art.body, art.source_name) == (RU_BODY, source)


def test_a_wire_sites_byline_stamp_and_its_subscription_note() -> None:
    head = f"{EN_TITLE}\nAhmet Yilmaz |05.12.2026 - Update : 05.12.2026"
    note = (
        "Anadolu Agency website contains only a portion of the news stories offered to "
        "subscribers in the AA News Broadcasting System (HAS), and in summarized form. "
        "Please contact us for subscription options."
    )
    art = parse_article(_en(head, note), tz=ZoneInfo("Europe/Istanbul"), now=NOW)
    assert (art.lead, art.body, art.source_name) == ("", EN_BODY, "Anadolu")
    assert art.published_at == datetime(2026, 12, 4, 21, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("Телекомпания НТВ", "НТВ"),
        ("Информационное агентство «Регион»", "Регион"),
        ("Газета «Правда» закрылась", ""),
        ("Газета сообщила", ""),
    ],
)
def test_a_broadcasters_type_and_name_alone_is_its_masthead(line: str, name: str) -> None:
    assert masthead_name(line) == name
