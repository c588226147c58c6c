"""parse_article on the reference article, varied sample articles and random input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import ArticleContent
from bot.ingest.text import derive_title, detect_language, normalize_text, parse_article, shorten

FIXTURES = Path(__file__).parent / "fixtures"
ALMATY = ZoneInfo("Asia/Almaty")
UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2022, 11, 15, 6, 0, tzinfo=UTC)  # 12:00 in Almaty

OECD_TITLE = "ОЭСР проверила уровень добропорядочности госорганов Казахстана"
OECD_LEAD = (
    "В ходе визита эксперты обсудили вопросы взаимодействия госорганов с гражданским обществом"
)


def read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def oecd_body() -> tuple[str, ...]:
    """The ten paragraphs as they stand in the fixture, between the credit and share lines."""
    lines = read("oecd_kazakhstan_integrity.txt").split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Группа экспертов ОЭСР"))
    end = lines.index("Поделитесь:")
    return tuple(ln for ln in lines[start:end] if ln.strip())


# --- the reference article -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "expected_utc"),
    [
        (ALMATY, datetime(2022, 11, 14, 7, 33, tzinfo=UTC)),
        (UTC_ZONE, datetime(2022, 11, 14, 13, 33, tzinfo=UTC)),
    ],
)
def test_oecd_reference_article(zone: ZoneInfo, expected_utc: datetime) -> None:
    art = parse_article(read("oecd_kazakhstan_integrity.txt"), tz=zone)
    body = oecd_body()
    assert len(body) == 10
    assert body[0].startswith("Группа экспертов ОЭСР")
    assert body[-1].endswith("свободной рыночной экономики.")
    assert art == ArticleContent(
        title=OECD_TITLE,
        lead=OECD_LEAD,
        body=body,
        photo_credit="t.me/antikornews",
        source_name="El.kz",
        original_source="Антикор РК",
        published_at=expected_utc,
        language="ru",
    )
    assert art.published_at is not None and art.published_at.tzinfo is UTC
    # The attribution sentence stays in the body as written.
    assert "передает ИА El.kz со ссылкой на Антикор РК." in art.body[0]
    # A paragraph with a stray space before its period is kept as it was typed.
    assert any(p.endswith("подотчетности обществу .") for p in art.body)


def test_oecd_chrome_is_gone() -> None:
    art = parse_article(read("oecd_kazakhstan_integrity.txt"), tz=ALMATY)
    everything = "\n".join([art.title, art.lead, *art.body, art.photo_credit, *art.tags])
    for chrome in ("Лента новостей", "Поделитесь", "Telegram", "Подпишитесь", "1091", "Фото:"):
        assert chrome not in everything
    assert everything.count(OECD_TITLE) == 1


def test_oecd_survives_windows_endings_and_invisible_characters() -> None:
    text = read("oecd_kazakhstan_integrity.txt")
    messy = "\ufeff" + text.replace("\n", "  \r\n").replace(
        "ОЭСР проверила", "ОЭСР\u200b проверила"
    )
    art = parse_article(messy, tz=ALMATY)
    clean = parse_article(text, tz=ALMATY)
    assert art == clean


def test_oecd_without_blank_lines() -> None:
    # Pasted with single line breaks only: each line is a paragraph, the result is the same.
    text = "\n".join(ln for ln in read("oecd_kazakhstan_integrity.txt").split("\n") if ln.strip())
    art = parse_article(text, tz=ALMATY)
    assert art == parse_article(read("oecd_kazakhstan_integrity.txt"), tz=ALMATY)


# --- varied sample articles ------------------------------------------------------------------

SAMPLES: dict[str, dict[str, object]] = {
    "articles_ru_tass_wire.txt": {
        "title": "В Госдуме предложили продлить программу льготной ипотеки до 2025 года",
        "lead": "",
        "body_len": 3,
        "body_first": "Комитет Госдумы",
        "source_name": "ТАСС",
        "original_source": "",
        "photo_credit": "",
        "published_at": datetime(2022, 11, 14, 7, 33, tzinfo=UTC),
        "tags": ("ипотека", "Госдума", "строительство"),
        "language": "ru",
        "absent": ("Политика", "Читайте также", "Центробанк сохранил", "Теги"),
    },
    "articles_en_reuters_wire.txt": {
        "title": "Russia's central bank holds key rate at 7.5% as inflation slows",
        "lead": "",
        "body_len": 3,
        "body_first": "Russia's central bank kept",
        "source_name": "Reuters",
        "original_source": "",
        "photo_credit": "",
        "published_at": datetime(2022, 11, 14, 10, 33, tzinfo=UTC),  # GMT+3 on the page
        "tags": (),
        "language": "en",
        "absent": ("World", "Europe", "By Jane Doe", "Reporting by", "Our Standards", "Updated"),
    },
    "articles_en_press_release.txt": {
        "title": "Acme Corp Announces Record Third-Quarter Results",
        "lead": "",
        "body_len": 4,
        "body_first": "Acme Corp",
        "source_name": "PRNewswire",
        "original_source": "Acme Corp",
        "photo_credit": "",
        "published_at": datetime(2022, 11, 13, 18, 0, tzinfo=UTC),  # date only: local midnight
        "tags": (),
        "language": "en",
        "absent": ("PRESS RELEASE", "SOURCE Acme"),
    },
    "articles_ru_no_title.txt": {
        "title": "В Алматы в понедельник выпал первый снег, движение на нескольких улицах "
        "было затруднено",
        "lead": "",
        "body_len": 3,
        "body_first": "В Алматы в понедельник выпал первый снег",
        "source_name": "",
        "original_source": "",
        "photo_credit": "",
        "published_at": None,
        "tags": (),
        "language": "ru",
        "absent": (),
    },
    "articles_ru_no_blank_lines.txt": {
        "title": "Снегопад парализовал движение в Алматы",
        "lead": "",
        "body_len": 3,
        "body_first": "Утром в городе выпал снег",
        "source_name": "",
        "original_source": "департамент полиции",  # "По данным департамента полиции"
        "photo_credit": "",
        "published_at": datetime(2022, 11, 15, 2, 15, tzinfo=UTC),  # "Сегодня, 08:15"
        "tags": (),  # "#Алматы #погода": the site's hashtag links, chrome
        "language": "ru",
        "absent": ("Реклама", "Поделиться", "WhatsApp", "Подпишитесь", "2 345", "#"),
    },
    "articles_en_html_looking.txt": {
        "title": "<b>Apple</b> & Samsung race to ship foldable phones",
        "lead": "",
        "body_len": 2,
        "body_first": "Tech giants are racing to bring foldable phones to market, with prices "
        "expected to fall below <i>$1,000</i> next year.",
        "source_name": "",
        "original_source": "",
        "photo_credit": "AP Photo/Evan Vucci",
        "published_at": None,
        "tags": (),
        "language": "en",
        "absent": ("Home >", "Read more", "Share this", "Facebook"),
    },
    "articles_ru_press_service.txt": {
        "title": "В Алматы задержали группу мошенников, выдававших себя за сотрудников банков",
        "lead": "",
        "body_len": 2,
        "body_first": "Полицейские задержали четырёх подозреваемых",
        "source_name": "",
        "original_source": "пресс-служба МВД РК",  # "сообщили в пресс-службе МВД РК"
        "photo_credit": "пресс-служба МВД РК",
        "published_at": datetime(2022, 11, 14, 12, 40, tzinfo=UTC),  # "Вчера, 18:40"
        "tags": (),
        "language": "ru",
        "absent": ("Происшествия", "Нашли ошибку", "Вчера"),
    },
    "articles_en_no_attribution.txt": {
        "title": "Astronomers spot the most distant galaxy yet",
        "lead": "A faint smudge of light dates back to just 350 million years after the Big Bang",
        "body_len": 2,
        "body_first": "Astronomers have identified",
        "source_name": "",
        "original_source": "",
        "photo_credit": "Getty Images",
        "published_at": datetime(2022, 11, 14, 7, 33, tzinfo=UTC),
        "tags": ("astronomy", "galaxies", "telescopes"),
        "language": "en",
        "absent": ("Science", "Related", "Telescope mirror", "Black hole", "cookies", "Tags"),
    },
    "articles_ru_site_chrome.txt": {
        "title": "Минздрав: число заболевших гриппом выросло на 20%",
        # A short paragraph above the photo credit reads as the lead.
        "lead": "Эпидсезон начался на две недели раньше обычного, пишет РБК.",
        "body_len": 2,
        "body_first": "По данным Минздрава, за неделю",
        "source_name": "РБК",  # the explicit "Источник:" line (rbc.ru), as the outlet is named
        "original_source": "Минздрав",  # "По данным Минздрава", in the nominative
        "photo_credit": "РИА Новости / Иван Иванов",
        "published_at": datetime(2022, 11, 14, 7, 33, tzinfo=UTC),
        "tags": (),
        "language": "ru",
        "absent": ("Главная", "Просмотров", "5 120", "Источник", "Все права", "13:33"),
    },
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_articles(name: str) -> None:
    exp = SAMPLES[name]
    art = parse_article(read(name), tz=ALMATY, now=NOW)
    assert art.title == exp["title"]
    assert art.lead == exp["lead"]
    assert len(art.body) == exp["body_len"], art.body
    assert art.body[0].startswith(str(exp["body_first"]))
    assert art.source_name == exp["source_name"]
    assert art.original_source == exp["original_source"]
    assert art.photo_credit == exp["photo_credit"]
    assert art.published_at == exp["published_at"]
    assert art.tags == exp["tags"]
    assert art.language == exp["language"]
    everything = "\n".join([art.title, art.lead, *art.body])
    for chrome in exp["absent"]:  # type: ignore[attr-defined]
        assert chrome not in everything, chrome
    # Body paragraphs are the pasted text, unchanged.
    source = read(name)
    for para in art.body:
        for line in para.split("\n"):
            assert line in source


def test_sample_source_url_from_source_line() -> None:
    art = parse_article(read("articles_ru_site_chrome.txt"), tz=ALMATY)
    assert art.source_url == "https://www.rbc.ru/society/14/11/2022/12345"


def test_wire_without_title_derives_it_after_the_dateline() -> None:
    text = (
        "MOSCOW, Nov 14 (Reuters) - Russia's central bank kept its key rate at 7.5% on Monday. "
        "It said inflation was slowing.\n\nAnalysts had expected the move."
    )
    art = parse_article(text, tz=ALMATY, now=NOW)
    assert art.title == "Russia's central bank kept its key rate at 7.5% on Monday"
    # The body keeps the paragraph, the dateline (attribution) taken off.
    assert art.body[0] == text.split("\n\n")[0].removeprefix("MOSCOW, Nov 14 (Reuters) - ")
    assert len(art.body) == 2
    assert art.source_name == "Reuters"
    assert art.published_at == datetime(2022, 11, 13, 18, 0, tzinfo=UTC)  # yearless: now's year
    assert parse_article(text, tz=ALMATY).published_at is None  # no now, no year: unknown


def test_ria_dateline() -> None:
    text = (
        "Курс рубля укрепился\n\n"
        "МОСКВА, 14 ноя — РИА Новости. Рубль на открытии торгов укрепился к доллару и евро."
    )
    art = parse_article(text, tz=ZoneInfo("Europe/Moscow"), now=NOW)
    assert art.source_name == "РИА Новости"
    assert art.published_at == datetime(2022, 11, 13, 21, 0, tzinfo=UTC)


# --- attribution, credits, chrome, dates, tags -----------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "source_name", "original_source"),
    [
        ("Цены выросли на 5%, сообщает «Интерфакс».", "Интерфакс", ""),
        ("Как сообщает агентство Reuters, сделка закрыта.", "Reuters", ""),
        ("В городе прошёл митинг, передает корреспондент Tengrinews.kz.", "Tengrinews.kz", ""),
        ("Рубль укрепился, передает РИА Новости.", "РИА Новости", ""),
        ("Об этом пишет газета «Коммерсантъ» со ссылкой на источники.", "Коммерсантъ", ""),
        ("Об этом сообщает пресс-служба акимата Алматы.", "", "пресс-служба акимата Алматы"),
        ("По информации ДЧС, пожар потушен.", "", "ДЧС"),
        (
            "Сделка закрыта, пишет ИА «Казинформ» со ссылкой на Минфин РК.",
            "Kazinform",  # the outlet's own spelling of its name
            "Минфин РК",
        ),
        (
            "The deal closed on Monday, according to the Ministry of Health.",
            "",
            "Ministry of Health",
        ),
        ("The Kremlin said in a statement.", "", "Kremlin"),
        ("The merger was approved, Bloomberg reported on Monday.", "Bloomberg", ""),
        ("Prices rose sharply (via Reuters).", "Reuters", ""),
        ("The deal closed, reports The New York Times.", "The New York Times", ""),
        ("Prices rose 5% in October, officials said.", "", ""),
        ("По данным опроса, цены выросли.", "", ""),  # lower case: not a name
        ("Он пишет книги и сообщает новости друзьям.", "", ""),  # no attribution position
    ],
)
def test_attribution_forms(sentence: str, source_name: str, original_source: str) -> None:
    art = parse_article(f"Заголовок новости\n\n{sentence}\n\nВторой абзац.", tz=ALMATY)
    assert (art.source_name, art.original_source) == (source_name, original_source)
    assert sentence in art.body  # attribution stays in the text


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        ("Фото: Reuters", "Reuters"),
        ("Фото: © РИА Новости / Иван Иванов", "РИА Новости / Иван Иванов"),
        ("Фото пресс-службы акимата Алматы", "пресс-служба акимата Алматы"),
        ("(Фото: Vlast.kz)", "Vlast.kz"),
        ("Photo: AP Photo/Evan Vucci", "AP Photo/Evan Vucci"),
        ("Photo by Jane Doe/Reuters", "Jane Doe/Reuters"),
        ("Image: Getty Images", "Getty Images"),
        ("© Shutterstock", "Shutterstock"),
        ("Фото: t.me/antikornews 14.11.2022 13:33 1091", "t.me/antikornews"),
        ("Фото — Иван Петров", "Иван Петров"),
    ],
)
def test_credit_forms(line: str, credit: str) -> None:
    text = f"Заголовок новости\n\n{line}\n\nПервый абзац текста.\n\nВторой абзац."
    art = parse_article(text, tz=ALMATY)
    assert art.photo_credit == credit
    assert art.body == ("Первый абзац текста.", "Второй абзац.")


@pytest.mark.parametrize(
    "chrome",
    [
        "Читайте также: Власти объявили о новых мерах",
        "Read more: Why prices keep rising",
        "Поделиться",
        "Share this article",
        "Facebook Twitter WhatsApp",
        "Telegram",
        "VK",
        "Реклама",
        "Advertisement",
        "Просмотров: 1 024",
        "1091",
        "👁 2 345",
        "Мы используем файлы cookie, чтобы сайт работал лучше. Продолжая, вы соглашаетесь.",
        "We use cookies to improve your experience on our site.",
        "Главная / Новости / Политика",
        "Home › World › Europe",
        "Подпишитесь на наш Telegram-канал",
        "Следите за нами в VK",
        "Больше новостей в нашем Telegram",
        "Нашли ошибку? Выделите текст и нажмите Ctrl+Enter",
        "Автор: Иван Петров",
        "By Jane Doe",
        "© 2022 Acme Media. All rights reserved.",
        "* * *",
    ],
)
def test_chrome_lines_are_dropped(chrome: str) -> None:
    text = f"Заголовок новости\n\nПервый абзац текста.\n\n{chrome}\n\nВторой абзац."
    art = parse_article(text, tz=ALMATY)
    assert art.body == ("Первый абзац текста.", "Второй абзац.")
    assert art.title == "Заголовок новости"


def test_bare_read_more_label_swallows_linked_headlines() -> None:
    text = (
        "Заголовок новости\n\nПервый абзац текста.\n\nЧитайте также:\n"
        "Другая новость без точки\nЕщё одна ссылка\n\nВторой абзац."
    )
    art = parse_article(text, tz=ALMATY)
    assert art.body == ("Первый абзац текста.", "Второй абзац.")


@pytest.mark.parametrize(
    "line",
    [
        "14.11.2022, 13:33",
        "2022-11-14T13:33:00+06:00",
        "Опубликовано: 14 ноября 2022, 13:33",
        "Published: Nov 14, 2022 1:33 PM",
        "Политика | 14.11.2022 13:33",
        "Иван Петров, 14 ноября 2022, 13:33",
        "13:33 14.11.2022 2 345",
    ],
)
def test_date_lines(line: str) -> None:
    text = f"Заголовок новости\n\n{line}\n\nПервый абзац текста.\n\nВторой абзац."
    art = parse_article(text, tz=ALMATY)
    assert art.published_at == datetime(2022, 11, 14, 7, 33, tzinfo=UTC)
    assert art.body == ("Первый абзац текста.", "Второй абзац.")


def test_a_date_inside_a_headline_is_not_a_date_line() -> None:
    art = parse_article("Выборы 14 ноября\n\nПервый абзац текста.", tz=ALMATY, now=NOW)
    assert art.title == "Выборы 14 ноября"
    assert art.published_at is None


def test_body_dates_are_not_publication_dates() -> None:
    text = "Заголовок новости\n\nСоглашение подписали 1 марта 2021 года в Астане."
    assert parse_article(text, tz=ALMATY).published_at is None


@pytest.mark.parametrize(
    ("line", "tags"),
    [
        ("Теги: политика, экономика", ("политика", "экономика")),
        ("Tags: AI; chips; Nvidia", ("AI", "chips", "Nvidia")),
        ("Темы: #выборы #Алматы", ("выборы", "Алматы")),
    ],
)
def test_tags(line: str, tags: tuple[str, ...]) -> None:
    for text in (
        f"{line}\n\nЗаголовок новости\n\nПервый абзац текста.",  # leading hashtag line
        f"Заголовок новости\n\nПервый абзац текста.\n\n{line}",
    ):
        art = parse_article(text, tz=ALMATY)
        assert art.tags == tags
        assert art.title == "Заголовок новости"
        assert art.body == ("Первый абзац текста.",)


@pytest.mark.parametrize("line", ["#Казахстан #ОЭСР #коррупция", "#налоги | #Минфин · #ИПН"])
def test_hashtag_lines_are_the_sites_chrome_not_the_posts_tags(line: str) -> None:
    # A line of hashtags links to the site's hashtag pages: its taxonomy, not the channel's
    # tags (the template sets those), and never copy.
    for text in (
        f"{line}\n\nЗаголовок новости\n\nПервый абзац текста.",
        f"Заголовок новости\n\nПервый абзац текста.\n\n{line}",
    ):
        art = parse_article(text, tz=ALMATY)
        assert art.tags == ()
        assert art.title == "Заголовок новости"
        assert art.body == ("Первый абзац текста.",)


# --- structure -------------------------------------------------------------------------------


def test_title_repeated_later_is_dropped_and_kicker_is_rubric() -> None:
    text = (
        "Коррупция\n\nЧиновника задержали при получении взятки\n\n"
        "Чиновника задержали при получении взятки\n\nПервый абзац текста."
    )
    art = parse_article(text, tz=ALMATY)
    assert art.title == "Чиновника задержали при получении взятки"
    assert art.body == ("Первый абзац текста.",)


def test_subtitle_without_period_is_lead() -> None:
    text = "Заголовок новости\n\nПодзаголовок без точки в конце\n\nПервый абзац.\n\nВторой."
    art = parse_article(text, tz=ALMATY)
    assert art.lead == "Подзаголовок без точки в конце"
    assert art.body == ("Первый абзац.", "Второй.")


def test_first_paragraph_with_period_is_not_lead_without_meta_line() -> None:
    text = "Заголовок новости\n\nПервый абзац с точкой.\n\nВторой абзац."
    art = parse_article(text, tz=ALMATY)
    assert art.lead == ""
    assert art.body == ("Первый абзац с точкой.", "Второй абзац.")


def test_lines_of_one_block_stay_one_paragraph() -> None:
    text = (
        "Заголовок новости\n\n"
        "В список вошли:\nКазахстан\nУзбекистан\n\n"
        "Центральный банк сохранил базовую ставку на прежнем уровне, несмотря на\n"
        "ускорение инфляции в октябре.\n\nПоследний абзац."
    )
    art = parse_article(text, tz=ALMATY)
    assert art.body == (
        "В список вошли:\nКазахстан\nУзбекистан",
        "Центральный банк сохранил базовую ставку на прежнем уровне, несмотря на "
        "ускорение инфляции в октябре.",
        "Последний абзац.",
    )


def test_no_blank_lines_each_line_is_a_paragraph() -> None:
    text = "Заголовок новости\nПервая строка.\nвторая строка с маленькой буквы.\nТретья."
    art = parse_article(text, tz=ALMATY)
    assert art.body == ("Первая строка.", "вторая строка с маленькой буквы.", "Третья.")


def test_no_title_long_first_sentence_is_shortened() -> None:
    first = " ".join(["слово"] * 60) + "."
    art = parse_article(f"{first}\n\nВторой абзац.", tz=ALMATY)
    assert 0 < len(art.title) <= 120
    assert art.title.endswith("…")
    assert art.body == (first, "Второй абзац.")


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t\n", "\u200b\ufeff", "\r\n \r\n"])
def test_empty_input(text: str) -> None:
    assert parse_article(text, tz=ALMATY) == ArticleContent()


def test_single_huge_line() -> None:
    text = ("Очень длинный текст без разбивки на абзацы, " * 2000).strip()
    art = parse_article(text, tz=ALMATY)
    assert art.body == (text,)
    assert 0 < len(art.title) <= 120
    assert art.language == "ru"


def test_nbsp_and_trailing_spaces() -> None:
    text = "Заголовок\u00a0новости \u00a0\n\nАбзац\u00a0с неразрывным пробелом.   \n"
    art = parse_article(text, tz=ALMATY)
    assert art.title == "Заголовок\u00a0новости"
    assert art.body == ("Абзац\u00a0с неразрывным пробелом.",)


def test_only_chrome_still_gives_a_title() -> None:
    art = parse_article("Поделиться\nTelegram", tz=ALMATY)
    assert art.title == "Поделиться"
    assert art.body == ()


# --- helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("ОЭСР проверила уровень добропорядочности госорганов Казахстана", "ru"),
        ("Russia's central bank holds key rate", "en"),
        (
            "The central bank said on Monday that it was keeping the rate unchanged "
            "for the third time in a row.",
            "en",
        ),
        (
            "Die Zentralbank hat am Montag beschlossen, den Leitzins unverändert "
            "zu lassen, teilte die Bank mit.",
            "",
        ),
        ("Қазақстан Республикасының Үкіметі жаңа бағдарламаны қабылдады", "kk"),
        ("Україна отримала нову програму підтримки від партнерів", ""),
        ("12345 !!!", ""),
        ("", ""),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_shorten_and_derive_title() -> None:
    assert shorten("короткий", 120) == "короткий"
    assert shorten("a" * 300, 120) == "a" * 119 + "…"
    # The one shorten (bot.strings) keeps a word that ends exactly where the room does.
    assert shorten("слово " * 50, 30) == "слово слово слово слово слово…"
    assert derive_title("Первое предложение тут. Второе предложение.") == "Первое предложение тут"
    # A "sentence" shorter than 20 characters is an abbreviation or a fragment: read on.
    assert derive_title("Т. е. коротко. Дальше идёт текст.") == "Т. е. коротко. Дальше идёт текст"


def test_normalize_text() -> None:
    assert normalize_text("a\r\nb\rc\u2028d\u2029e\u200bf\ufeff") == "a\nb\nc\nd\n\nef"


# --- properties ------------------------------------------------------------------------------


def _collapse(text: str) -> str:
    return " ".join(text.split())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_random_unicode_never_raises(text: str) -> None:
    art = parse_article(text, tz=ALMATY, now=NOW)
    norm = _collapse(normalize_text(text))
    for para in art.body:
        assert para and para == para.strip()
        assert _collapse(para) in norm
    if any(ch.isalpha() for ch in normalize_text(text)):
        assert art.title
    assert art.published_at is None or art.published_at.tzinfo is UTC
    assert all(art.tags)


_LINE = st.text(
    alphabet=st.sampled_from(list("абвгд АБВГД abcXYZ.,:!?0123456789#©-—|/")),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, max_size=25), st.sampled_from(["\n", "\n\n", "\r\n", "\n \n"]))
def test_article_like_input_keeps_paragraphs_verbatim(lines: list[str], sep: str) -> None:
    text = sep.join(lines)
    art = parse_article(text, tz=ALMATY, now=NOW)
    collapsed = _collapse(text)
    for para in art.body:
        assert _collapse(para) in collapsed
        for line in para.split("\n"):
            assert line in text
    if any(ch.isalpha() for ch in text):
        assert art.title
