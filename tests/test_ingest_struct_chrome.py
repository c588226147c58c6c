"""Widget and sign-off lines (issue 13, fresh set): contributors' lines, account buttons, a
caption glued to its credit under the headline, a widget's thanks closing the copy. Made-up
lines."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import ArticleContent
from bot.ingest.appeals import is_appeal
from bot.ingest.chrome import is_chrome
from bot.ingest.text import parse_article

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
COPY = (
    "The county council voted on Thursday to close the old harbour bridge to heavy lorries "
    "from January, after an inspection found cracks.\n\n"
    "Cars and buses will still be allowed to cross the bridge until the works begin.\n\n"
    "A replacement is planned for 2029, the council's transport chief said."
)


def parse(text: str) -> ArticleContent:
    return parse_article(text, tz=LONDON, now=NOW)


@pytest.mark.parametrize(
    "line",
    [
        "Contributing: Reuters",
        "Contributing: Jane Roe and Tom Poe",
        "Log in, register or subscribe to read the comments.",
        "Sign in or register to follow this author",
        "Войдите или зарегистрируйтесь, чтобы оставить комментарий.",
        "Add Harbour Gazette on Google",
    ],
)
def test_widget_and_contributor_lines_are_chrome(line: str) -> None:
    assert is_chrome(line)


@pytest.mark.parametrize(
    "line",
    [
        "Contributing factors included the cold weather and the late harvest.",
        "Registered voters can cast their ballot until 10pm on Thursday evening.",
        "Adding to the pressure, the council said the bridge had not been inspected since 2019.",
    ],
)
def test_sentences_with_those_words_are_copy(line: str) -> None:
    assert not is_chrome(line)


@pytest.mark.parametrize(
    "caption",
    [
        "Lorries queue at the bridge on Wednesday. Anna Reed, PA",
        "Lorries queue at the bridge on Wednesday. Getty Images",
        "Lorries queue at the bridge on Wednesday (December 2). (HARBOUR PHOTO/Anna Reed/ab)",
    ],
)
def test_caption_with_its_credit_under_the_headline_is_no_lead(caption: str) -> None:
    art = parse(
        "Council shuts old harbour bridge to lorries\nDecember 4, 2026 10:15\n"
        + caption
        + "\n"
        + COPY
    )
    assert art.title == "Council shuts old harbour bridge to lorries"
    assert art.lead == ""
    assert art.body[0].startswith("The county council voted")
    assert all("Lorries queue" not in p for p in art.body)


def test_standfirst_of_two_sentences_is_still_the_lead() -> None:
    art = parse(
        "Council shuts old harbour bridge to lorries\n"
        "Cracks were found last month. Buses may still cross\n"
        "December 4, 2026 10:15\n" + COPY
    )
    assert art.lead == "Cracks were found last month. Buses may still cross"


@pytest.mark.parametrize(
    "line", ["Thank you for subscribing!", "Спасибо за подписку!", "You're all set!"]
)
def test_a_widget_thanking_the_reader_is_an_appeal(line: str) -> None:
    assert is_appeal(line)


def test_an_exclamation_of_copy_is_no_appeal() -> None:
    assert not is_appeal("The bridge is finally closed!")


def test_desk_codes_and_a_disclaimer_closing_a_wire_story_are_chrome() -> None:
    art = parse(
        "Council shuts old harbour bridge to lorries\n"
        + COPY
        + "\n\nHWS KLM TR\nDisclaimer: This copy came from an automated wire feed."
    )
    assert art.body[-1].startswith("A replacement is planned")
    assert not any("HWS" in p or "Disclaimer" in p for p in art.body)


def test_capitalised_tokens_over_more_prose_stay() -> None:
    first, second, third = COPY.split("\n\n")
    art = parse(
        "Council shuts old harbour bridge to lorries\n"
        + "\n\n".join([first, second, "NATO EU UN", third])
    )
    assert "NATO EU UN" in art.body
    assert is_chrome("Disclaimer: the views are the author's own.")


def test_standfirst_closing_with_a_name_is_no_credited_caption() -> None:
    art = parse(
        "Council shuts old harbour bridge to lorries\nDecember 4, 2026 10:15\n"
        "The bridge is closing. Mayor Tom Poe\n" + COPY
    )
    assert art.lead == "The bridge is closing. Mayor Tom Poe"


@pytest.mark.parametrize(
    "line",
    ["Photo 2 of 8", "3 of 12", "Фото 1 из 5", "Skip to main content", "Следующая статья"],
)
def test_gallery_counters_pagers_and_skip_links_are_chrome(line: str) -> None:
    assert is_chrome(line)


def test_a_count_in_a_sentence_is_copy() -> None:
    assert not is_chrome("Photo 2 of 8 shows the bridge before the cracks were found.")
