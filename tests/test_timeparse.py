from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.timeparse import (
    WhenError,
    format_local,
    in_quiet_hours,
    next_free_slot,
    parse_quiet_hours,
    parse_slots,
    parse_when,
)

ALMATY = ZoneInfo("Asia/Almaty")  # UTC+5 all year (no DST since 2024)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def clock() -> FakeClock:
    # Friday 2026-11-27 17:00 in Almaty.
    return FakeClock(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))


def local(tz: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    """The UTC instant of wall time ``args`` (year, month, day, hour, minute[, second]) in tz."""
    return datetime(*args[:6], tzinfo=tz, fold=fold).astimezone(UTC)  # type: ignore[arg-type,misc]


def when(text: str, clock: FakeClock, tz: ZoneInfo = ALMATY) -> datetime:
    return parse_when(text, now=clock.now(), tz=tz)


# --- absolute and calendar forms --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28 09:00", (2026, 11, 28, 9, 0)),
        ("2026-11-28T09:00", (2026, 11, 28, 9, 0)),
        ("2026-11-28t09:00:30", (2026, 11, 28, 9, 0, 30)),
        ("  2026-11-28   9:00 ", (2026, 11, 28, 9, 0)),
        ("28.11 09:00", (2026, 11, 28, 9, 0)),
        ("28.11.2026 09:00", (2026, 11, 28, 9, 0)),
        ("28.11.26 09:00", (2026, 11, 28, 9, 0)),
        ("28.11 в 09:00", (2026, 11, 28, 9, 0)),
        ("1.12 7:05", (2026, 12, 1, 7, 5)),
        ("18:00", (2026, 11, 27, 18, 0)),  # still ahead today (now is 17:00 local)
        ("09:00", (2026, 11, 28, 9, 0)),  # passed today: tomorrow
        ("9:00", (2026, 11, 28, 9, 0)),
        ("17:00", (2026, 11, 28, 17, 0)),  # exactly now is not "still ahead"
        ("today 18:00", (2026, 11, 27, 18, 0)),
        ("Сегодня 18:00", (2026, 11, 27, 18, 0)),
        ("tomorrow 09:00", (2026, 11, 28, 9, 0)),
        ("TOMORROW at 9:00", (2026, 11, 28, 9, 0)),
        ("завтра 09:00", (2026, 11, 28, 9, 0)),
        ("завтра в 9:00", (2026, 11, 28, 9, 0)),
        ("9:00 завтра", (2026, 11, 28, 9, 0)),
        ("послезавтра 10:00", (2026, 11, 29, 10, 0)),
        ("05.01 10:00", (2027, 1, 5, 10, 0)),  # yearless, months behind: next January
    ],
)
def test_calendar_forms(clock: FakeClock, text: str, expected: tuple[int, ...]) -> None:
    assert when(text, clock) == local(ALMATY, *expected)


def test_explicit_offset_is_honoured(clock: FakeClock) -> None:
    assert when("2026-11-28T09:00Z", clock) == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    assert when("2026-11-28T09:00+03:00", clock) == datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def test_result_is_utc(clock: FakeClock) -> None:
    result = when("tomorrow 09:00", clock)
    assert result.tzinfo is UTC
    assert result == datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


# --- relative forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("+30m", timedelta(minutes=30)),
        ("+2h", timedelta(hours=2)),
        ("+1d", timedelta(days=1)),
        ("+1h30m", timedelta(hours=1, minutes=30)),
        ("+1h 30m", timedelta(hours=1, minutes=30)),
        ("+ 45 min", timedelta(minutes=45)),
        ("in 2h", timedelta(hours=2)),
        ("in 2 hours", timedelta(hours=2)),
        ("In 1 day 2 hours", timedelta(days=1, hours=2)),
        ("через 2ч", timedelta(hours=2)),
        ("через 2 часа", timedelta(hours=2)),
        ("через 1 час 30 минут", timedelta(hours=1, minutes=30)),
        ("через 10 мин", timedelta(minutes=10)),
        ("через 3 дня", timedelta(days=3)),
        ("+0m", timedelta(0)),
        ("now", timedelta(0)),
        ("Сейчас", timedelta(0)),
    ],
)
def test_relative_forms(clock: FakeClock, text: str, delta: timedelta) -> None:
    assert when(text, clock) == clock.now() + delta


async def test_relative_follows_the_clock(clock: FakeClock) -> None:
    before = when("+30m", clock)
    await clock.advance(600)
    assert when("+30m", clock) - before == timedelta(minutes=10)


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-27 16:59",
        "27.11 16:00",
        "27.11.2026 08:00",
        "today 09:00",
        "сегодня 16:59",
        "2026-11-27T11:59Z",
        "01.01.2020 10:00",
    ],
)
def test_past_is_rejected(clock: FakeClock, text: str) -> None:
    with pytest.raises(WhenError) as info:
        when(text, clock)
    assert info.value.code == "in_past"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "tomorrow",
        "завтра",
        "25:00",
        "12:60",
        "31.02 10:00",
        "2026-13-01 10:00",
        "2026-11-28",
        "+",
        "+5",
        "+5x",
        "+1h1h",
        "+2hours3",
        "in",
        "через",
        "через полчаса",
        "today tomorrow 10:00",
        "today 10:00 tomorrow",
        "-1h",
        "+99999999999d",
        "9999-12-31T23:59-05:00",  # overflows when converted to UTC
        "0001-01-01 00:00",
        "10:00:61",
        "٣:٠٠",  # Arabic-Indic digits are not accepted
        "hello",
        "x" * 500,
    ],
)
def test_malformed(clock: FakeClock, text: str) -> None:
    with pytest.raises(WhenError) as info:
        when(text, clock)
    assert info.value.code == "malformed"


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError) as info:
        parse_when("10:00", now=datetime(2026, 1, 1), tz=ALMATY)  # noqa: DTZ001 - the point
    assert not isinstance(info.value, WhenError)


@settings(max_examples=400, deadline=None)
@given(text=st.text(max_size=40))
def test_fuzz_only_when_error(text: str) -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    for tz in (ALMATY, BERLIN):
        try:
            result = parse_when(text, now=now, tz=tz)
        except WhenError as exc:
            assert exc.code in {"malformed", "in_past", "nonexistent"}
        else:
            assert result.tzinfo is UTC
            assert result >= now


@settings(max_examples=300, deadline=None)
@given(
    text=st.from_regex(
        r"\A(\+|in |через |завтра |today |)[0-9]{1,3}[:.]?[0-9]{0,2}(h|m|d|ч|мин| |:00)?\Z"
    )
)
def test_fuzz_near_valid_inputs(text: str) -> None:
    now = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    try:
        result = parse_when(text, now=now, tz=BERLIN)
    except WhenError:
        return
    assert result >= now


# --- daylight saving time ---------------------------------------------------------------------


def test_dst_gap_is_nonexistent() -> None:
    # 2026-03-29: Berlin jumps from 02:00 CET to 03:00 CEST; 02:30 never happens.
    now = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    for text in ("2026-03-29 02:30", "29.03 02:30", "tomorrow 02:30", "02:30"):
        with pytest.raises(WhenError) as info:
            parse_when(text, now=now, tz=BERLIN)
        assert info.value.code == "nonexistent", text
    # Either side of the gap is fine.
    assert parse_when("2026-03-29 01:59", now=now, tz=BERLIN) == datetime(
        2026, 3, 29, 0, 59, tzinfo=UTC
    )
    assert parse_when("2026-03-29 03:00", now=now, tz=BERLIN) == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )


def test_dst_fold_takes_first_occurrence() -> None:
    # 2026-10-25: Berlin goes back from 03:00 CEST to 02:00 CET; 02:30 happens twice.
    now = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST (+02:00)
    assert parse_when("2026-10-25 02:30", now=now, tz=BERLIN) == first
    assert parse_when("25.10 02:30", now=now, tz=BERLIN) == first
    assert parse_when("завтра 02:30", now=now, tz=BERLIN) == first


def test_tomorrow_is_calendar_plus_one_day_is_elapsed() -> None:
    # On the night clocks go forward, "tomorrow, same time" is 23 hours away, "+1d" is 24.
    now = local(BERLIN, 2026, 3, 28, 12, 0)
    assert parse_when("tomorrow 12:00", now=now, tz=BERLIN) - now == timedelta(hours=23)
    assert parse_when("+1d", now=now, tz=BERLIN) - now == timedelta(hours=24)


def test_time_only_rolls_over_to_tomorrow_across_dst() -> None:
    now = local(BERLIN, 2026, 10, 24, 22, 0)
    assert parse_when("09:00", now=now, tz=BERLIN) == local(BERLIN, 2026, 10, 25, 9, 0)
    assert parse_when("09:00", now=now, tz=BERLIN) - now == timedelta(hours=12)


# --- slots ------------------------------------------------------------------------------------


def test_parse_slots_sorts_and_dedupes() -> None:
    assert parse_slots("18:00 09:00, 12:00;15:00 9:00") == (
        time(9),
        time(12),
        time(15),
        time(18),
    )


@pytest.mark.parametrize("text", ["", "  ", "9", "09:00 noon", "24:00", "12:5", "09:00-10:00"])
def test_parse_slots_rejects(text: str) -> None:
    with pytest.raises(WhenError) as info:
        parse_slots(text)
    assert info.value.code == "malformed"


SLOTS = (time(9), time(12), time(15), time(18))


def test_next_free_slot_basic(clock: FakeClock) -> None:
    now = clock.now()  # 17:00 local
    assert next_free_slot(SLOTS, taken=[], now=now, tz=ALMATY) == local(
        ALMATY, 2026, 11, 27, 18, 0
    )
    taken = [local(ALMATY, 2026, 11, 27, 18, 0), local(ALMATY, 2026, 11, 28, 9, 0)]
    assert next_free_slot(SLOTS, taken=taken, now=now, tz=ALMATY) == local(
        ALMATY, 2026, 11, 28, 12, 0
    )


def test_next_free_slot_taken_matches_by_minute(clock: FakeClock) -> None:
    taken = [local(ALMATY, 2026, 11, 27, 18, 0) + timedelta(seconds=30)]
    assert next_free_slot(SLOTS, taken=taken, now=clock.now(), tz=ALMATY) == local(
        ALMATY, 2026, 11, 28, 9, 0
    )


def test_next_free_slot_is_strictly_after_now() -> None:
    now = local(ALMATY, 2026, 11, 27, 18, 0)
    assert next_free_slot(SLOTS, taken=[], now=now, tz=ALMATY) == local(ALMATY, 2026, 11, 28, 9, 0)


def test_next_free_slot_not_before(clock: FakeClock) -> None:
    embargo = local(ALMATY, 2026, 12, 1, 12, 0)
    assert (
        next_free_slot(SLOTS, taken=[], now=clock.now(), tz=ALMATY, not_before=embargo) == embargo
    )  # >= not_before: the slot at the embargo instant itself is allowed
    embargo = local(ALMATY, 2026, 12, 1, 12, 1)
    assert next_free_slot(
        SLOTS, taken=[], now=clock.now(), tz=ALMATY, not_before=embargo
    ) == local(ALMATY, 2026, 12, 1, 15, 0)


def test_next_free_slot_horizon_exhausted(clock: FakeClock) -> None:
    now = clock.now()
    taken = [
        local(ALMATY, 2026, 11, 27, 9, 0) + timedelta(days=d, hours=h)
        for d in range(5)
        for h in (0, 3, 6, 9)
    ]
    assert next_free_slot(SLOTS, taken=taken, now=now, tz=ALMATY, horizon_days=3) is None
    assert next_free_slot(SLOTS, taken=taken, now=now, tz=ALMATY, horizon_days=10) == local(
        ALMATY, 2026, 12, 2, 9, 0
    )
    assert next_free_slot((), taken=[], now=now, tz=ALMATY) is None


def test_next_free_slot_dst_gap_shifts_forward() -> None:
    now = local(BERLIN, 2026, 3, 28, 12, 0)
    slots = (time(2, 30), time(3, 30), time(10, 0))
    # 02:30 on 29.03 does not exist: shifted to 03:30 CEST (01:30 UTC); 03:30 is the same
    # instant, so it is taken once that one is.
    first = next_free_slot(slots, taken=[], now=now, tz=BERLIN)
    assert first == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    second = next_free_slot(slots, taken=[first], now=now, tz=BERLIN)
    assert second == local(BERLIN, 2026, 3, 29, 10, 0)


def test_next_free_slot_dst_fold_first_occurrence() -> None:
    now = local(BERLIN, 2026, 10, 24, 12, 0)
    slot = next_free_slot((time(2, 30),), taken=[], now=now, tz=BERLIN)
    assert slot == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


# --- quiet hours and formatting -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23:00-07:00", (time(23), time(7))),
        ("23:00 - 7:00", (time(23), time(7))),
        ("13:00–14:30", (time(13), time(14, 30))),
        ("off", None),
        ("выкл", None),
        ("", None),
    ],
)
def test_parse_quiet_hours(text: str, expected: tuple[time, time] | None) -> None:
    assert parse_quiet_hours(text) == expected


@pytest.mark.parametrize("text", ["23:00", "23:00-", "7-9", "10:00-10:00", "23:00-25:00"])
def test_parse_quiet_hours_rejects(text: str) -> None:
    with pytest.raises(WhenError):
        parse_quiet_hours(text)


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [(23, 0, True), (2, 0, True), (6, 59, True), (7, 0, False), (12, 0, False), (22, 59, False)],
)
def test_in_quiet_hours_across_midnight(hour: int, minute: int, quiet: bool) -> None:
    at = local(ALMATY, 2026, 11, 27, hour, minute)
    assert in_quiet_hours(at, (time(23), time(7)), ALMATY) is quiet


def test_in_quiet_hours_same_day_range_and_none() -> None:
    span = (time(13), time(14))
    assert in_quiet_hours(local(ALMATY, 2026, 11, 27, 13, 30), span, ALMATY)
    assert not in_quiet_hours(local(ALMATY, 2026, 11, 27, 14, 0), span, ALMATY)
    assert not in_quiet_hours(local(ALMATY, 2026, 11, 27, 13, 30), None, ALMATY)


def test_in_quiet_hours_reads_wall_time_in_zone() -> None:
    at = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # 01:00 in Almaty, 21:00 in Berlin
    assert in_quiet_hours(at, (time(23), time(7)), ALMATY)
    assert not in_quiet_hours(at, (time(23), time(7)), BERLIN)


def test_format_local() -> None:
    at = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)
    assert format_local(at, ALMATY) == "2026-11-28 09:00 (Asia/Almaty)"
    assert format_local(at, BERLIN) == "2026-11-28 05:00 (Europe/Berlin)"
