"""Date stamps (issue 13, fresh set): zone abbreviations as data, stamps with short labels set off
by spaced hyphens, "first published at" a clock time. Made-up stamps."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.ingest.dates import clock_on_day, find_datetime
from bot.ingest.stamps import date_line
from bot.ingest.text import parse_article

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 December 2026 08:30 WIB", datetime(2026, 12, 3, 1, 30, tzinfo=UTC)),
        ("3 December 2026 08:30 WITA", datetime(2026, 12, 3, 0, 30, tzinfo=UTC)),
        ("Dec 3, 2026 18:00 PHT", datetime(2026, 12, 3, 10, 0, tzinfo=UTC)),
        ("03.12.2026 18:00 ACDT", datetime(2026, 12, 3, 7, 30, tzinfo=UTC)),
        # A region's name follows daylight time: Sydney in December is UTC+11.
        ("Dec 3, 2026 9:00 AM AET", datetime(2026, 12, 2, 22, 0, tzinfo=UTC)),
        ("June 3, 2026 9:00 AM MT", datetime(2026, 6, 3, 15, 0, tzinfo=UTC)),
        ("03.12.2026 10:00 BRT", datetime(2026, 12, 3, 13, 0, tzinfo=UTC)),
        ("3 December 2026 10:00 MMT", datetime(2026, 12, 3, 3, 30, tzinfo=UTC)),
    ],
)
def test_zone_abbreviations_of_the_table(text: str, expected: datetime) -> None:
    assert find_datetime(text, tz=ALMATY, now=NOW) == expected


@pytest.mark.parametrize(
    "line",
    [
        "by Maria Stone - 12/03/26 10:15 PM ET",
        "HARBOUR WIRE - Dec 3, 2026 - 14:32 | World, Asia",
        "Metro Desk - 03.12.2026 14:32",
    ],
)
def test_stamps_with_short_labels_set_off_by_spaced_hyphens(line: str) -> None:
    is_date, when = date_line(line, ALMATY, NOW)
    assert is_date and when is not None


@pytest.mark.parametrize(
    "line",
    [
        "Fire crews were called out - 03.12.2026 14:32 - after the alarm went off in town",
        "Council votes on the budget - Dec 3, 2026 - 14:32 | City news, more to come",
    ],
)
def test_a_clause_beside_a_stamp_is_no_stamp(line: str) -> None:
    assert date_line(line, ALMATY, NOW) == (False, None)


def test_clock_on_the_day_of_another_stamp() -> None:
    sydney = ZoneInfo("Australia/Sydney")
    day = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # 14:00 in Sydney
    got = clock_on_day(" at 9.40am", day, tz=sydney)
    assert got == datetime(2026, 12, 2, 22, 40, tzinfo=UTC)
    assert clock_on_day(" today", day, tz=sydney) is None


def test_first_published_clock_after_the_updated_stamp_wins() -> None:
    sydney = ZoneInfo("Australia/Sydney")
    art = parse_article(
        "Storm cuts power to thousands of homes across the coast\n"
        "Updated December 3, 2026 — 4.10pm, first published at 9.40am\n"
        "Strong winds brought down power lines across the coast overnight, the energy "
        "company said on Thursday morning.\n\nCrews expect to restore supply by Friday.",
        tz=sydney,
        now=datetime(2026, 12, 3, 8, 0, tzinfo=UTC),
    )
    assert art.published_at == datetime(2026, 12, 2, 22, 40, tzinfo=UTC)
