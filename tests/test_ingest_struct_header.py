"""The page's header: the headline over a photo credit, the masthead and sections over the
headline, a tagline naming the outlet's type (issue 13, fresh set). Made-up pages."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.domain import ArticleContent
from bot.ingest.kickers import is_kicker
from bot.ingest.text import parse_article

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
RU_COPY = (
    "Городские власти Петропавловска утвердили новый план ремонта дорог на следующий год, "
    "в него вошли сорок улиц.\n\n"
    "Работы начнутся в апреле и продлятся до конца октября.\n\n"
    "Подрядчиков выберут на открытом конкурсе."
)
EN_COPY = (
    "The county council voted on Thursday to close the old harbour bridge to heavy lorries "
    "from January, after an inspection found cracks.\n\n"
    "Cars and buses will still be allowed to cross.\n\n"
    "A replacement is planned for 2029."
)


def parse(text: str) -> ArticleContent:
    return parse_article(text, tz=ALMATY, now=NOW)


def test_headline_over_the_photo_credit_is_the_title_not_a_caption() -> None:
    art = parse(
        "Северный вестник\nНовости\nГород\n04.12.2026 10:15\n"
        "В Петропавловске отремонтируют сорок улиц\nФото: пресс-служба акимата\n" + RU_COPY
    )
    assert art.title == "В Петропавловске отремонтируют сорок улиц"
    assert art.body[0].startswith("Городские власти Петропавловска")


def test_caption_over_a_credit_under_the_headline_stays_a_caption() -> None:
    art = parse(
        "В Петропавловске отремонтируют сорок улиц\n04.12.2026 10:15\n"
        "Дорожная техника на улице города\nФото: пресс-служба акимата\n" + RU_COPY
    )
    assert art.title == "В Петропавловске отремонтируют сорок улиц"
    assert all("Дорожная техника" not in p for p in (art.lead, *art.body))


def test_masthead_and_sections_over_the_headline_are_navigation() -> None:
    art = parse(
        "Harbour Gazette\nU.K.\nWorld\nBusiness\nCommunity Desk\nLive\n"
        "Council shuts old harbour bridge to lorries\nBy Anna Reed\n"
        "December 4, 2026 10:15 AM\n" + EN_COPY
    )
    assert art.title == "Council shuts old harbour bridge to lorries"
    assert art.lead == ""
    assert all("Community Desk" not in p for p in art.body)


def test_short_line_over_a_date_stamp_is_a_section_not_the_title() -> None:
    art = parse(
        "Новости\nЭкономика\nПогода сегодня\n04.12.2026, 10:15\n"
        "В Петропавловске отремонтируют сорок улиц\n" + RU_COPY
    )
    assert art.title == "В Петропавловске отремонтируют сорок улиц"
    assert art.lead == ""


def test_short_headline_right_over_its_standfirst_is_kept() -> None:
    art = parse(
        "Ремонт сорока улиц\nГородские дороги обновят за один сезон строительства\n"
        "04.12.2026 10:15\n" + RU_COPY
    )
    assert art.title == "Ремонт сорока улиц"
    assert art.lead == "Городские дороги обновят за один сезон строительства"


def test_tagline_with_the_type_noun_before_the_place_is_a_kicker() -> None:
    assert is_kicker("Независимое информационное агентство Приишимья")
    assert is_kicker("Областная общественно-политическая газета Севера")
    assert not is_kicker("Агентство закрыло офис в Петропавловске")
    assert not is_kicker("Regional News Agency Closes Office")


KK_COPY = (
    "Петропавл қаласында биыл қырық көше жөнделеді. Бұл туралы қалалық әкімдіктің баспасөз "
    "қызметі хабарлады.\n\nЖұмыс сәуір айында басталады.\n\nМердігерлер конкурс арқылы таңдалады."
)


def test_short_kazakh_standfirst_ending_with_its_verb_is_the_lead() -> None:
    art = parse(
        "Қалада биыл қырық көше жөнделеді\nЖөндеу жоспары бекітілді\n04.12.2026 10:15\n" + KK_COPY
    )
    assert art.title == "Қалада биыл қырық көше жөнделеді"
    assert art.lead == "Жөндеу жоспары бекітілді"


def test_short_russian_standfirst_ending_with_its_verb_is_the_lead() -> None:
    art = parse(
        "В Петропавловске отремонтируют сорок улиц\nПлан ремонта уже утвердили\n"
        "04.12.2026 10:15\n" + RU_COPY
    )
    assert art.lead == "План ремонта уже утвердили"


def test_an_author_tag_under_the_headline_is_still_no_lead() -> None:
    art = parse(
        "В Петропавловске отремонтируют сорок улиц\nОтдел городских новостей\n"
        "04.12.2026 10:15\n" + RU_COPY
    )
    assert art.lead == ""
    assert all("Отдел городских" not in p for p in art.body)


def test_kazakh_first_paragraph_closing_reported_speech_is_no_lead() -> None:
    text = (
        "Қалада биыл қырық көше жөнделеді\n"
        "Петропавлда биыл қырық көше жөнделеді, деп хабарлады қалалық әкімдік.\n\n"
        "Жұмыс сәуір айында басталып, қазан айының соңына дейін жалғасады деп күтілуде.\n\n"
        "Мердігерлер ашық конкурс арқылы таңдалады."
    )
    art = parse(text)
    assert art.lead == ""
    assert art.body[0].startswith("Петропавлда биыл")
    said = parse(text.replace(", деп хабарлады қалалық әкімдік.", ", деді әкім орынбасары."))
    assert said.lead == ""


def test_byline_with_an_accented_name_over_the_stamp_is_no_related_link() -> None:
    art = parse(
        "Council shuts old harbour bridge to lorries for good\n"
        "Hauliers had warned of long detours if the bridge closed to heavy traffic.\n"
        "Éamon Dúnne\n5 Dec 2026, 6.09 PM\n"
        "The county council voted on Thursday to close the old harbour bridge to heavy lorries "
        "from January, after an inspection found cracks.\n\nCars may still cross."
    )
    assert art.lead == "Hauliers had warned of long detours if the bridge closed to heavy traffic."
    assert art.published_at is not None
    assert all("Éamon" not in p for p in art.body)


def test_short_headline_alone_over_its_date_stamp_is_no_navigation() -> None:
    art = parse(
        "Ремонт сорока улиц\n04.12.2026 10:15\n"
        "Городские дороги обновят за один сезон строительства\n" + RU_COPY
    )
    assert art.title == "Ремонт сорока улиц"


def test_lower_case_byline_under_the_headline_is_no_wrapped_tail() -> None:
    art = parse(
        "Council shuts the old harbour bridge to heavy lorries from January\n"
        "by Maria Stone - posted by the metro desk\n"
        "The county council voted on Thursday to close the old harbour bridge to heavy lorries "
        "from January, after an inspection found cracks.\n\nCars may still cross."
    )
    assert art.title == "Council shuts the old harbour bridge to heavy lorries from January"
    assert all("Maria Stone" not in p for p in art.body)


def test_short_headline_under_a_rubric_over_its_date_stays_the_headline() -> None:
    art = parse(
        "Новости\nРемонт сорока улиц\n04.12.2026 10:15\n"
        "Городские дороги обновят за один сезон строительства\n" + RU_COPY
    )
    assert art.title == "Ремонт сорока улиц"
    assert art.lead == "Городские дороги обновят за один сезон строительства"


def test_byline_and_stamp_glued_to_the_headline_are_cut_off() -> None:
    art = parse(
        "Council shuts old harbour bridge to lorries by Maria Stone - 12/03/26 10:15 PM ET\n"
        "The county council voted on Thursday to close the old harbour bridge to heavy lorries "
        "from January, after an inspection found cracks.\n\nCars may still cross."
    )
    assert art.title == "Council shuts old harbour bridge to lorries"
    assert art.published_at == datetime(2026, 12, 4, 3, 15, tzinfo=UTC)


def test_a_name_after_by_in_the_headline_stays() -> None:
    art = parse(
        "Harbour homes flooded by Storm Bert\n"
        "The county council voted on Thursday to close the old harbour bridge to heavy lorries "
        "from January, after an inspection found cracks.\n\nCars may still cross."
    )
    assert art.title == "Harbour homes flooded by Storm Bert"
