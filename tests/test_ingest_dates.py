"""find_datetime / search_datetime: numeric, written, relative and ISO forms (ru and en)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ingest.dates import find_datetime, search_datetime

ALMATY = ZoneInfo("Asia/Almaty")  # UTC+6 in 2022 (UTC+5 since March 2024)
MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2022, 11, 15, 6, 0, tzinfo=UTC)  # 12:00 in Almaty


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14.11.2022 13:33", utc(2022, 11, 14, 7, 33)),
        ("14.11.2022, 13:33", utc(2022, 11, 14, 7, 33)),
        ("2022-11-14 13:33", utc(2022, 11, 14, 7, 33)),
        ("14/11/2022", utc(2022, 11, 13, 18, 0)),  # midnight in Almaty
        ("14 ноября 2022, 13:33", utc(2022, 11, 14, 7, 33)),
        ("14 ноября 2022 г.", utc(2022, 11, 13, 18, 0)),
        ("14 ноября 2022 г. в 13:33", utc(2022, 11, 14, 7, 33)),
        ("14 нояб. 2022 13:33", utc(2022, 11, 14, 7, 33)),
        ("1 сентября 2022 года, 09:00", utc(2022, 9, 1, 3, 0)),
        ("Nov 14, 2022 1:33 PM", utc(2022, 11, 14, 7, 33)),
        ("Nov. 14, 2022, 12:05 a.m.", utc(2022, 11, 13, 18, 5)),
        ("14 November 2022 13:33", utc(2022, 11, 14, 7, 33)),
        ("November 14, 2022", utc(2022, 11, 13, 18, 0)),
        ("Monday, November 14th, 2022 at 1:33 pm", utc(2022, 11, 14, 7, 33)),
        ("13:33, 14 ноября 2022", utc(2022, 11, 14, 7, 33)),
        ("13:33 14.11.2022", utc(2022, 11, 14, 7, 33)),
        ("14.11.22", utc(2022, 11, 13, 18, 0)),
        ("11/14/2022", utc(2022, 11, 13, 18, 0)),  # impossible month: US order
        ("2022-11-14T13:33:00+03:00", utc(2022, 11, 14, 10, 33)),
        ("2022-11-14T13:33:00Z", utc(2022, 11, 14, 13, 33)),
        ("2022-11-14T13:33:00.123+0600", utc(2022, 11, 14, 7, 33)),
        ("Nov 14, 2022 1:33 PM GMT+3", utc(2022, 11, 14, 10, 33)),
        ("14 ноября 2022, 13:33 МСК", utc(2022, 11, 14, 10, 33)),
        ("Опубликовано: 14.11.2022 | 13:33", utc(2022, 11, 14, 7, 33)),
    ],
)
def test_absolute_forms(text: str, expected: datetime) -> None:
    assert find_datetime(text, tz=ALMATY) == expected


def test_result_is_aware_utc_and_tz_matters() -> None:
    value = find_datetime("14.11.2022 13:33", tz=ZoneInfo("UTC"))
    assert value == utc(2022, 11, 14, 13, 33)
    assert value is not None and value.tzinfo is UTC
    assert find_datetime("14.11.2022 13:33", tz=MOSCOW) == utc(2022, 11, 14, 10, 33)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Сегодня, 13:33", utc(2022, 11, 15, 7, 33)),
        ("сегодня в 09:05", utc(2022, 11, 15, 3, 5)),
        ("Вчера, 13:33", utc(2022, 11, 14, 7, 33)),
        ("Yesterday at 1:33 PM", utc(2022, 11, 14, 7, 33)),
        ("Today, 13:33", utc(2022, 11, 15, 7, 33)),
        ("5 минут назад", utc(2022, 11, 15, 5, 55)),
        ("2 hours ago", utc(2022, 11, 15, 4, 0)),
        ("14 ноября, 13:33", utc(2022, 11, 14, 7, 33)),
        ("Nov 14", utc(2022, 11, 13, 18, 0)),
    ],
)
def test_relative_and_yearless_use_now(text: str, expected: datetime) -> None:
    assert find_datetime(text, tz=ALMATY, now=NOW) == expected


def test_relative_day_is_the_local_day() -> None:
    # 20:00 UTC on the 14th is already 02:00 on the 15th in Almaty.
    late = datetime(2022, 11, 14, 20, 0, tzinfo=UTC)
    assert find_datetime("Сегодня, 01:00", tz=ALMATY, now=late) == utc(2022, 11, 14, 19, 0)
    assert find_datetime("Вчера, 23:00", tz=ALMATY, now=late) == utc(2022, 11, 14, 17, 0)


def test_yearless_date_after_now_is_last_year() -> None:
    jan = datetime(2023, 1, 2, 9, 0, tzinfo=UTC)
    assert find_datetime("31 декабря, 18:00", tz=ALMATY, now=jan) == utc(2022, 12, 31, 12, 0)
    assert find_datetime("1 января, 18:00", tz=ALMATY, now=jan) == utc(2023, 1, 1, 12, 0)


def test_unresolvable_without_now() -> None:
    assert find_datetime("Вчера, 13:33", tz=ALMATY) is None
    assert find_datetime("14 ноября, 13:33", tz=ALMATY) is None
    # ...but the span is still known, so a date line can be recognised as one.
    m = search_datetime("Вчера, 13:33", tz=ALMATY)
    assert m is not None and (m.start, m.end, m.value) == (0, 12, None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no date here",
        "31.11.2022",  # no such day
        "30 февраля 2022",
        "14.13.2022 10:00",  # no such month in either order
        "version 1.2.3",
        "25:61 14.11.2022",  # not a time: the date alone is found, see below
        "сегодня прошло собрание",  # "сегодня" without a time is prose
        "Счёт 3:1 в пользу хозяев",
    ],
)
def test_not_dates(text: str) -> None:
    value = find_datetime(text, tz=ALMATY, now=NOW)
    if text.startswith("25:61"):
        assert value == utc(2022, 11, 13, 18, 0)
    else:
        assert value is None


def test_first_date_in_text_wins_and_span_is_exact() -> None:
    text = "Фото: t.me/antikornews 14.11.2022 13:33 1091 (обновлено 15.11.2022 10:00)"
    m = search_datetime(text, tz=ALMATY)
    assert m is not None
    assert text[m.start : m.end] == "14.11.2022 13:33"
    assert m.value == utc(2022, 11, 14, 7, 33)


def test_counter_after_time_is_not_seconds() -> None:
    m = search_datetime("14.11.2022 13:33 1091", tz=ALMATY)
    assert m is not None and m.end == len("14.11.2022 13:33")


def test_pm_and_am_edges() -> None:
    assert find_datetime("Nov 14, 2022 12:00 PM", tz=ZoneInfo("UTC")) == utc(2022, 11, 14, 12)
    assert find_datetime("Nov 14, 2022 12:30 AM", tz=ZoneInfo("UTC")) == utc(2022, 11, 14, 0, 30)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.none() | st.just(NOW))
def test_never_raises(text: str, now: datetime | None) -> None:
    value = find_datetime(text, tz=ALMATY, now=now)
    assert value is None or value.tzinfo is UTC


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2000, 2099),
    st.integers(1, 12),
    st.integers(1, 28),
    st.integers(0, 23),
    st.integers(0, 59),
)
def test_numeric_roundtrip(year: int, month: int, day: int, hour: int, minute: int) -> None:
    text = f"{day:02d}.{month:02d}.{year} {hour:02d}:{minute:02d}"
    expected = datetime(year, month, day, hour, minute, tzinfo=MOSCOW).astimezone(UTC)
    assert find_datetime(text, tz=MOSCOW) == expected


@pytest.mark.parametrize(
    "text",
    [
        "14.11.2022" + " " * 3000 + "x",  # cubic before the separators were made possessive
        "14 ноября 2022" + "\t" * 3000 + "x",
        "14.11.2022 " * 500,
        "1:2" * 2000,
        "1." * 3000,
    ],
)
def test_pathological_input_finishes(text: str) -> None:
    # No timing assertion: a backtracking regression makes this run for minutes, not fail.
    assert find_datetime(text, tz=ALMATY, now=NOW) in (None, utc(2022, 11, 13, 18, 0))
