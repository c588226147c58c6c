"""The forms issue 13 lists, one by one: datelines and agency marks, reporting phrases (source
vs original, nominative names), photo credits and captions, Kazakh copy, structural chrome, the
parse report and ``preview --json``."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain import ArticleContent
from bot.ingest.datelines import dateline
from bot.ingest.lexicon import lexicon
from bot.ingest.names import nominative
from bot.ingest.report import ParseWarning
from bot.ingest.text import parse_article, parse_article_report

ROOT = Path(__file__).resolve().parent.parent
ALMATY = ZoneInfo("Asia/Almaty")
MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
BODY = "Второй абзац статьи, в котором ничего не сказано об источниках."


def parse(*paragraphs: str, tz: ZoneInfo = ALMATY) -> ArticleContent:
    return parse_article("\n\n".join(paragraphs), tz=tz, now=NOW)


# --- datelines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("para", "agency", "rest"),
    [
        ("МОСКВА, 5 декабря. /ТАСС/. Цены выросли.", "ТАСС", "Цены выросли."),
        ("АСТАНА. КАЗИНФОРМ — Цены выросли.", "Kazinform", "Цены выросли."),
        ("Астана. 5 декабря. INTERFAX.KZ — Цены выросли.", "Интерфакс-Казахстан", "Цены выросли."),
        ("МОСКВА, 5 дек — РИА Новости. Цены выросли.", "РИА Новости", "Цены выросли."),
        ("LONDON, Dec 5 (Reuters) - Prices rose.", "Reuters", "Prices rose."),
        ("NAIROBI, Kenya (AP) — Prices rose.", "AP", "Prices rose."),
        ("Алматы. 5 декабря. /Корр. КазТАГ/ – Цены выросли.", "КазТАГ", "Цены выросли."),
        ("Шымкент. КазТАГ – Цены выросли.", "КазТАГ", "Цены выросли."),
        ("ЛОНДОН, 5 декабря. /Корр. ТАСС Иван Петров/. Цены выросли.", "ТАСС", "Цены выросли."),
        ("Washington (CNN) — Prices rose.", "CNN", "Prices rose."),
        ("BEIJING, Dec. 5 (Xinhua) -- Prices rose.", "Xinhua", "Prices rose."),
        ("Астана. ҚазАқпарат - Бағалар өсті.", "ҚазАқпарат", "Бағалар өсті."),
        ("ЕКАТЕРИНБУРГ,  5 декабря.  /ТАСС/.  Цены выросли.", "ТАСС", "Цены выросли."),
    ],
)
def test_datelines_are_attribution_not_body(para: str, agency: str, rest: str) -> None:
    mark = dateline(para)
    assert mark is not None and mark.agency == agency
    assert para[mark.length :] == rest
    art = parse("Заголовок новости о ценах", para, BODY)
    assert art.source_name == agency
    assert art.body[0] == rest


@pytest.mark.parametrize(
    "para",
    ["Москва, Лондон и Пекин договорились о ценах.", "США. Цены растут — это факт.", "Коротко"],
)
def test_sentences_are_not_datelines(para: str) -> None:
    assert dateline(para) is None


def test_yearless_dateline_date_is_the_latest_not_in_the_future() -> None:
    art = parse("Заголовок новости о ценах", "МОСКВА, 30 декабря. /ТАСС/. Цены выросли.", BODY)
    assert art.published_at == datetime(2025, 12, 29, 19, 0, tzinfo=UTC)  # midnight in Almaty


# --- reporting phrases -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "source", "original"),
    [
        ("Цены выросли, сообщили РБК в пресс-службе ведомства.", "РБК", "пресс-служба ведомства"),
        (
            "Цены выросли, рассказал корреспонденту Tengrinews.kz аким города.",
            "Tengrinews.kz",
            "аким города",  # who told the correspondent
        ),
        ("Курс вырос, следует из данных Московской биржи.", "", "Московская биржа"),
        ("Цены выросли, заявили «Ведомостям» в Минфине.", "Ведомости", "Минфин"),
        (
            "Цены выросли, как сообщили в Министерстве энергетики Казахстана.",
            "",
            "Министерство энергетики Казахстана",
        ),
        ("Цены выросли, по данным Национального банка.", "", "Национальный банк"),
        (
            "Цены выросли, сообщили в Департаменте по чрезвычайным ситуациям Алматы.",
            "",
            "Департамент по чрезвычайным ситуациям Алматы",
        ),
        ("Цены выросли, сообщил губернатор области Олег Петров.", "", "Олег Петров"),
        ("По данным Минцифры, цены выросли.", "", "Минцифры"),  # indeclinable, not "Минцифра"
        ("Цены выросли, по словам Ивана Петрова.", "", "Иван Петров"),  # natasha, a person
        ("Цены выросли. По материалам ТАСС.", "", "ТАСС"),
        ("Prices rose, the Ministry of Health told the BBC.", "BBC", "Ministry of Health"),
        ("Prices rose, the central bank said in a statement.", "", ""),  # no name: anaphora
        (
            "Prices rose, according to data from the Office for National Statistics.",
            "",
            "Office for National Statistics",
        ),
        ("Prices rose, the Met Office has warned.", "", "Met Office"),
        ("Бағалар өсті, деп хабарлайды Tengrinews.kz тілшісі.", "Tengrinews.kz", ""),
        ("Цены выросли, рассказал корреспонденту newsite.kz аким.", "Newsite.kz", "аким"),
        ("Бағалар өсті, деп хабарлайды Abai.kz Ақордаға сілтеме жасап.", "Abai.kz", "Ақорда"),
        (
            "Бағалар өсті, деп мәлімдеді Ұлттық экономика министрлігі.",
            "",
            "Ұлттық экономика министрлігі",
        ),
    ],
)
def test_reporting_phrases(sentence: str, source: str, original: str) -> None:
    art = parse("Заголовок новости о ценах", sentence, BODY)
    assert (art.source_name, art.original_source) == (source, original)
    assert sentence in art.body  # attribution stays in the text


def test_re_reported_story_keeps_both_outlets() -> None:
    art = parse(
        "Nvidia ведет переговоры о заводе",
        "МОСКВА, 5 дек — РИА Новости. Nvidia обсуждает завод, пишет Bloomberg со ссылкой на "
        "источники.",
        BODY,
    )
    assert (art.source_name, art.original_source) == ("РИА Новости", "Bloomberg")


@pytest.mark.parametrize(
    ("name", "case", "nominative_form"),
    [
        ("Министерстве энергетики Казахстана", "loct", "Министерство энергетики Казахстана"),
        ("Национальном банке Казахстана", "loct", "Национальный банк Казахстана"),
        ("пресс-службы акимата Алматы", "gent", "пресс-служба акимата Алматы"),
        ("Ведомостям", "datv", "Ведомости"),
        ("ТАСС", "gent", "ТАСС"),
        ("Tengrinews.kz", "datv", "Tengrinews.kz"),
    ],
)
def test_names_in_the_nominative(name: str, case: str, nominative_form: str) -> None:
    assert nominative(name, case) == nominative_form


@pytest.mark.parametrize(
    ("masthead", "source"),
    [
        ("© ТАСС", "ТАСС"),
        ("Читайте РБК в Telegram", "РБК"),
        ("Подпишитесь на Telegram-канал Tengrinews.kz", "Tengrinews.kz"),
        ("Следите за главными новостями в Telegram-канале «Известий»", "Известия"),
        ("Support the Guardian", "The Guardian"),
        ("Хабар 24 жаңалықтарын Telegram арнасынан оқыңыз", "Хабар 24"),
        ("При цитировании ссылка на Zakon.kz обязательна", "Zakon.kz"),
        ("© 2026 The Associated Press. All rights reserved.", "AP"),
    ],
)
def test_the_page_outlet_from_its_masthead(masthead: str, source: str) -> None:
    art = parse("Заголовок новости о ценах", "Цены выросли на пять процентов.", BODY, masthead)
    assert art.source_name == source
    assert masthead not in "\n".join(art.body)


# --- credits and captions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "credit"),
    [
        (["A man walks past a bank in Lagos, Dec 3, 2026. REUTERS/Jane Doe"], "REUTERS/Jane Doe"),
        (
            ["Protesters march in Nairobi. (AP Photo/Brian Inganga, File)"],
            "AP Photo/Brian Inganga",
        ),
        (
            ["Image source, Getty Images", "Image caption, Flood water covers a road"],
            "Getty Images",
        ),
        (["Янис Лайзанс / Reuters / Scanpix"], "Янис Лайзанс / Reuters / Scanpix"),
        (
            ["Residents wade through water in Hat Yai [Chalinee Thirasupa/Reuters]"],
            "Chalinee Thirasupa/Reuters",
        ),
        (["Ветряки у побережья Йоркшира. Фото: Иван Петров"], "Иван Петров"),
        (["Фото - пресс-служба акимата"], "пресс-служба акимата"),
        (["Фото предоставлено пресс-службой акимата Алматы"], "пресс-служба акимата Алматы"),
        (["Фото с сайта akorda.kz"], "akorda.kz"),
        (["Shutterstock"], "Shutterstock"),
        (["Касым-Жомарт Токаев на форуме в Астане (фото: akorda.kz)"], "akorda.kz"),
    ],
)
def test_credit_forms_and_their_captions(lines: list[str], credit: str) -> None:
    art = parse(
        "Заголовок новости о ценах", "\n".join(lines), "Цены выросли на пять процентов.", BODY
    )
    assert art.photo_credit == credit
    assert art.lead == ""  # the caption is never the lead
    post = "\n".join([art.title, art.lead, *art.body])
    for line in lines:
        assert line not in post


def test_caption_under_a_credit_is_dropped_but_a_standfirst_stays() -> None:
    text = (
        "«Аэрофлот» отменит часть рейсов в Азию\n"
        "Компания перераспределит флот на внутренние направления этой зимой\n"
        "Фото: Андрей Любимов / РБК\n"
        "Самолет «Аэрофлота» в аэропорту Шереметьево\n"
        "5 декабря 2026, 12:30\n"
        "«Аэрофлот» сократит частоту рейсов во Вьетнам, сообщили РБК в пресс-службе.\n"
        "Второй абзац статьи."
    )
    art = parse_article(text, tz=MOSCOW, now=NOW)
    assert art.lead == "Компания перераспределит флот на внутренние направления этой зимой"
    assert art.photo_credit == "Андрей Любимов / РБК"
    assert "Самолет «Аэрофлота» в аэропорту Шереметьево" not in art.body


# --- leads, dates, language ------------------------------------------------------------------


def test_wire_header_lines_are_never_the_lead() -> None:
    text = (
        "Nigeria's central bank holds rate at 26.5%\n"
        "By Jane Doe\n"
        "December 5, 2026 3:42 PM GMT+1 Updated 2 hours ago\n"
        "Listen to this article\n"
        "3 min read\n"
        "LAGOS, Dec 5 (Reuters) - Nigeria's central bank kept its rate unchanged on Friday.\n"
        "Analysts had expected the decision."
    )
    art = parse_article(text, tz=ZoneInfo("Africa/Lagos"), now=NOW)
    assert art.lead == ""
    assert art.published_at == datetime(2026, 12, 5, 14, 42, tzinfo=UTC)
    assert art.body[0].startswith("Nigeria's central bank kept")
    assert not any("Listen" in p or "min read" in p or "By Jane" in p for p in art.body)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("05 Желтоқсан 2026 11:30", datetime(2026, 12, 5, 6, 30, tzinfo=UTC)),
        ("Бүгін, 09:15", datetime(2026, 12, 5, 4, 15, tzinfo=UTC)),
        ("Кеше, 17:30", datetime(2026, 12, 4, 12, 30, tzinfo=UTC)),
        ("Fri 5 Dec 2026 09.30 GMT", datetime(2026, 12, 5, 9, 30, tzinfo=UTC)),
        ("Updated 10:41 AM EST, December 5, 2026", datetime(2026, 12, 5, 15, 41, tzinfo=UTC)),
        ("Dec 5, 2026, 10:14 AM ET", datetime(2026, 12, 5, 15, 14, tzinfo=UTC)),  # EST in winter
        ("First published on Fri 5 Dec 2026 09.30 GMT", datetime(2026, 12, 5, 9, 30, tzinfo=UTC)),
        ("Жарияланған уақыты: 05.12.2026 09:30", datetime(2026, 12, 5, 4, 30, tzinfo=UTC)),
        ("5 Dec 2026 • 3 min read", datetime(2026, 12, 4, 19, 0, tzinfo=UTC)),
        ("Joanna Lillis Dec 5, 2026", datetime(2026, 12, 4, 19, 0, tzinfo=UTC)),
        ("3 сағат бұрын", datetime(2026, 12, 5, 9, 0, tzinfo=UTC)),
        ("три часа назад", datetime(2026, 12, 5, 9, 0, tzinfo=UTC)),  # dateparser: worded
        ("Updated an hour ago", datetime(2026, 12, 5, 11, 0, tzinfo=UTC)),
        ("2026 жылғы 4 желтоқсан, 10:30", datetime(2026, 12, 4, 5, 30, tzinfo=UTC)),
    ],
)
def test_written_and_relative_dates(line: str, expected: datetime) -> None:
    art = parse("Заголовок новости о ценах", line, "Цены выросли на пять процентов.", BODY)
    assert art.published_at == expected


def test_a_sentence_about_the_past_is_no_date() -> None:
    art = parse("Заголовок новости о ценах", "Это было давно, много лет назад.", BODY)
    assert art.published_at is None
    assert "Это было давно, много лет назад." in art.body


def test_the_articles_own_date_wins_over_related_items() -> None:
    art = parse(
        "Заголовок новости о ценах\n5 декабря 2026, 10:40",
        "Цены выросли на пять процентов.",
        "Читайте также\nДругая новость дня\n4 декабря 2026, 19:15",
    )
    assert art.published_at == datetime(2026, 12, 5, 5, 40, tzinfo=UTC)


def test_kazakh_copy_is_detected() -> None:
    art = parse("Астанада қар жауды", "Астанада түні бойы қар жауды, жолдар тазаланып жатыр.")
    assert art.language == "kk"


# --- chrome by structure ---------------------------------------------------------------------


def test_unseen_sites_chrome_goes_by_shape_and_position() -> None:
    text = (
        "Главная\nРегионы\n"
        "Власти города открыли новую ледовую арену для детей\n"
        "Мария Иванова\n"
        "Новая арена на 500 мест открылась в субботу, она бесплатна для школьников.\n"
        "Строительство заняло два года и обошлось бюджету в 3 млрд тенге.\n"
        "Спорт детям\nЛедовые арены\nhttps://example.kz/sport/arena\n"
    )
    art = parse_article(text, tz=ALMATY, now=NOW)
    assert art.title == "Власти города открыли новую ледовую арену для детей"
    assert art.body == (
        "Новая арена на 500 мест открылась в субботу, она бесплатна для школьников.",
        "Строительство заняло два года и обошлось бюджету в 3 млрд тенге.",
    )


def test_an_ad_block_goes_with_its_label() -> None:
    art = parse(
        "Заголовок новости о ценах",
        "Цены выросли на пять процентов.",
        "Реклама\nООО «Ромашка», erid: 2VtzqvXyz\nКупите коньки со скидкой 30%",
        BODY,
        "Подпишитесь на наш канал в Дзен",
    )
    assert art.body == ("Цены выросли на пять процентов.", BODY)
    assert art.source_name == ""


def test_a_list_closing_the_article_is_copy() -> None:
    art = parse(
        "Заголовок новости о премии",
        "Премию получили три журналиста.",
        "В список победителей вошли:\nАйгерим Тулеева\nИван Петров\nДана Омарова",
    )
    assert (
        art.body[-1] == "В список победителей вошли:\nАйгерим Тулеева\nИван Петров\nДана Омарова"
    )


def test_an_interview_keeps_its_short_answers() -> None:
    art = parse("Заголовок интервью", "— Вы довольны итогами года?", "— Да.", "— Почему?", BODY)
    assert art.body == ("— Вы довольны итогами года?", "— Да.", "— Почему?", BODY)


def test_the_headline_printed_again_with_other_quotes_is_dropped() -> None:
    art = parse(
        "«Аэрофлот» отменит часть рейсов в Азию",
        '"Аэрофлот" отменит часть рейсов в Азию',
        "Компания сократит рейсы во Вьетнам.",
        BODY,
    )
    assert art.body == ("Компания сократит рейсы во Вьетнам.", BODY)


def test_a_short_real_last_paragraph_is_kept() -> None:
    art = parse("Заголовок новости о ценах", "Цены выросли на пять процентов.", "Так и есть.")
    assert art.body[-1] == "Так и есть."


# --- the report and preview ------------------------------------------------------------------


def test_a_site_named_by_its_domain_over_a_section_label() -> None:
    text = (
        "ФОНТАНКА.ру\nНовости Петербурга\nСегодня, 11:20\n"
        "В Петербурге закроют на ремонт станцию метро «Горьковская»\n"
        "Станцию закроют на три месяца с 10 января\n"
        "Вестибюль станции закроют на ремонт с 10 января, сообщили в метрополитене.\n"
        "Пассажиров попросят пользоваться соседними станциями."
    )
    art = parse_article(text, tz=MOSCOW, now=NOW)
    assert art.title == "В Петербурге закроют на ремонт станцию метро «Горьковская»"
    assert art.lead == "Станцию закроют на три месяца с 10 января"
    assert art.source_name == "Фонтанка.ру"


def test_the_paper_s_name_over_its_rubric_is_the_masthead() -> None:
    text = (
        "Новая газета\nОбщество\nСуд оштрафовал журналиста за репост\n"
        "Штраф составил 50 тысяч рублей за одну публикацию\n5 декабря 2026 · 14:20\n"
        "Суд оштрафовал журналиста, рассказал «Новой газете» его адвокат Петр Смирнов.\n"
        "Защита намерена обжаловать решение."
    )
    art = parse_article(text, tz=MOSCOW, now=NOW)
    assert art.title == "Суд оштрафовал журналиста за репост"
    assert art.lead == "Штраф составил 50 тысяч рублей за одну публикацию"
    assert (art.source_name, art.original_source) == ("Новая газета", "Петр Смирнов")


def test_a_photo_agency_mark_mid_copy_is_a_credit_not_the_page() -> None:
    art = parse(
        "Заголовок новости о ценах",
        "Цены выросли на пять процентов.",
        "Второй абзац о ценах на продукты.",
        "© Reuters",
        "Третий абзац о ценах на бензин.",
        "Четвертый абзац о ценах на хлеб.",
        "Пятый абзац о ценах на молоко.",
    )
    assert art.source_name == ""
    assert art.photo_credit == "Reuters"


def test_one_outlet_spelled_two_ways_is_one_candidate() -> None:
    text = (
        "В Петербурге закроют станцию метро на ремонт\n"
        "Фото: Михаил Огнев / «Фонтанка.ру»\n"
        "Станцию закроют с 10 января, сообщили «Фонтанке» в пресс-службе метрополитена.\n"
        "Второй абзац статьи."
    )
    art, report = parse_article_report(text, tz=MOSCOW, now=NOW)
    assert art.source_name == "Фонтанка.ру"
    assert art.original_source == "пресс-служба метрополитена"
    assert report.source_candidates == ("Фонтанка.ру",)
    assert ParseWarning.SOURCE_CANDIDATES not in report.warnings


def test_unseen_wire_shapes() -> None:
    sputnik = (
        "В Казахстане изменят правила выдачи прав\n"
        "10:15 05.12.2026\n"
        "© Sputnik / Абдулла Абдуллаев\n"
        "Новые правила вступят в силу с 1 марта, сообщили в Министерстве внутренних дел.\n"
        "АСТАНА, 5 дек — Sputnik. Казахстанцы смогут сдавать экзамен на родном языке.\n"
        "Поправки внесены в правила проведения экзаменов.\n"
        "Sputnik Казахстан в Telegram"
    )
    art = parse_article(sputnik, tz=ALMATY, now=NOW)
    assert art.lead.startswith("Новые правила")  # the standfirst above the dateline
    assert art.body[0] == "Казахстанцы смогут сдавать экзамен на родном языке."
    assert art.source_name == "Sputnik Казахстан"  # the page's fuller name of the mark
    assert art.original_source == "Министерство внутренних дел"
    euronews = (
        "EU agrees new sanctions package against Russia\n"
        "By Euronews with AP\n"
        "Published on 05/12/2026 - 14:30 GMT+1\n"
        "•Updated 15:02\n"
        "EU ambassadors agreed on a new package of sanctions on Friday, diplomats said.\n"
        "It still needs formal approval by ministers next week."
    )
    art = parse_article(euronews, tz=ALMATY, now=NOW)
    assert art.source_name == "Euronews"
    assert art.published_at == datetime(2026, 12, 5, 13, 30, tzinfo=UTC)
    assert not any("Updated" in p for p in art.body)


def test_a_paper_whose_page_names_it_only_in_a_credit() -> None:
    text = (
        "Advertisement\nSKIP ADVERTISEMENT\nSupported by\n"
        "Fed Signals It Will Hold Rates Steady Into Next Year\n"
        "Officials said inflation was cooling but remained above their target.\n"
        "Listen to this article · 5:12 min Learn more\n"
        "Jerome H. Powell at a news conference on Wednesday."
        "Credit...Kenny Holston/The New York Times\n"
        "By Jeanna Smialek\nReporting from Washington\nDec. 5, 2026\n"
        "Federal Reserve officials signaled on Friday that they would keep rates unchanged.\n"
        "The minutes showed that policymakers were divided.\n"
        "Jeanna Smialek covers the Federal Reserve and the economy for The Times.\n"
        "See more on: Federal Reserve System"
    )
    art = parse_article(text, tz=ZoneInfo("America/New_York"), now=NOW)
    assert art.title == "Fed Signals It Will Hold Rates Steady Into Next Year"
    assert art.lead == "Officials said inflation was cooling but remained above their target."
    assert art.photo_credit == "Kenny Holston/The New York Times"
    assert art.source_name == "The New York Times"
    assert art.body == (
        "Federal Reserve officials signaled on Friday that they would keep rates unchanged.",
        "The minutes showed that policymakers were divided.",
    )


def test_american_clock_reads_the_date_month_first() -> None:
    art = parse("Заголовок новости о ценах", "12/05/2026 06:12 PM EST", "Цены выросли.", BODY)
    assert art.published_at == datetime(2026, 12, 5, 23, 12, tzinfo=UTC)


def test_report_says_what_is_missing() -> None:
    _, report = parse_article_report("Заголовок новости\n\nТекст без даты и источника.", tz=ALMATY)
    assert ParseWarning.NO_SOURCE in report.warnings
    assert ParseWarning.NO_DATE in report.warnings


def test_report_lists_two_source_candidates() -> None:
    text = "Заголовок новости о ценах\n\nЦены выросли, пишет «Коммерсантъ».\n\n© ТАСС"
    art, report = parse_article_report(text, tz=ALMATY, now=NOW)
    assert art.source_name == "ТАСС" and art.original_source == "Коммерсантъ"
    assert ParseWarning.SOURCE_CANDIDATES in report.warnings
    assert report.source_candidates == ("ТАСС", "Коммерсантъ")


def test_lexicon_is_package_data() -> None:
    lex = lexicon()
    assert lex is lexicon()  # loaded once
    assert lex.marks["kazinform"] == "Kazinform"
    assert lex.domains["tengrinews.kz"] == "Tengrinews.kz"


def test_preview_json_has_the_article_and_warnings(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text(
        "Курс рубля укрепился\n\nМОСКВА, 5 дек — РИА Новости. Рубль укрепился к доллару.\n\n"
        "Второй абзац.",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "preview", str(src), "--json"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "TIMEZONE": "Europe/Moscow"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    article = data["article"]
    assert article["title"] == "Курс рубля укрепился"
    assert article["source_name"] == "РИА Новости"
    assert article["body"][0] == "Рубль укрепился к доллару."
    assert article["language"] == "ru"
    published = datetime.fromisoformat(article["published_at"])
    assert published.utcoffset() is not None and (published.month, published.day) == (12, 5)
    assert "no_source" not in data["warnings"]
    assert data["source_candidates"] == ["РИА Новости"]
    assert data["original_candidates"] == []
    assert data["messages"]  # the messages are still there
