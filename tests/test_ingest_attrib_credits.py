"""Credit forms (issue 13, attrib): an agency's photo service "AGENCY FOTO/Name", a caption
closed by a bare photo agency or "Name, AGENCY", the credit's own capital kept, an agency's logo
over the paste taken for no credit. Examples are made up."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import ArticleContent
from bot.ingest.credits import credit_of
from bot.ingest.text import parse_article

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def parse(text: str) -> ArticleContent:
    return parse_article(text, tz=ALMATY, now=NOW)


@pytest.mark.parametrize(
    ("line", "credit"),
    [
        (
            "The minister speaks to reporters in Hilo on Monday. (HNA FOTO/Keanu Kalani/abc)",
            "HNA FOTO/Keanu Kalani/abc",
        ),
        ("A ferry leaves the harbour in Hilo on Friday. Getty Images", "Getty Images"),
        ("A ferry leaves the harbour in Hilo on Dec. 4, 2026. Jane Moana, AP", "Jane Moana, AP"),
        ("Фото: Пресс-служба Омского горсовета", "Пресс-служба Омского горсовета"),
        ("Фото пресс-службы Омского горсовета", "пресс-служба Омского горсовета"),
        ("Кадр из видео: МЧС Омской области", "МЧС Омской области"),
    ],
)
def test_credit_forms(line: str, credit: str) -> None:
    found = credit_of(line, ALMATY, NOW)
    assert found is not None and found.text == credit


def test_sentence_naming_an_agency_is_no_credit() -> None:
    assert credit_of("The figures were first published by Getty Images", ALMATY, NOW) is None


def test_agency_logo_over_the_paste_is_no_credit() -> None:
    art = parse(
        "KYODO NEWS\n"
        "Ferries halted as storm hits the coast\n"
        "A ferry waits in the harbour in Hilo on Dec. 7, 2026. (Kyodo)\n"
        "HILO - Ferries across the bay were halted on Monday as a storm hit the coast, the "
        "coast guard said.\n\n"
        "The service is expected to resume on Wednesday when the winds ease.\n"
    )
    assert art.photo_credit == "Kyodo"
    assert art.source_name == "Kyodo News"
