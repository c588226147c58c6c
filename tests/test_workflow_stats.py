"""The posts' statistics without Telegram: reaction counts, /stats figures, the weekly report job.

A real SQLite desk (``tests.workflow_fakes``); posts are publications finished the way the
publishing engine finishes them (claim, then message ids), so the lookups see what they see in
production.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain import Channel
from bot.workflow import drafts, stats
from tests.workflow_fakes import ADMIN_ID, AUTHOR_ID, World, content, world

# The tips and reactions rules hold on both backends (tests/backends.py).
pytestmark = pytest.mark.usefixtures("backend")

ALMATY = ZoneInfo("Asia/Almaty")  # UTC+5, no DST
CHAT_ID = -1005550001
# Wednesday 11 March 2026, 11:00 in Almaty.
WEDNESDAY = datetime(2026, 3, 11, 6, 0, tzinfo=UTC)


async def _channel(w: World) -> Channel:
    async with w.db.transaction() as uow:
        return await uow.channels.ensure(
            "@news", now=w.clock.now(), chat_id=CHAT_ID, username="news", is_default=True
        )


async def _post(
    w: World, channel: Channel, title: str, message_ids: tuple[int, ...], *, wait_min: int = 10
) -> int:
    """An article pasted now and published ``wait_min`` minutes later; its publication id."""
    created = await drafts.create_draft(
        w.desk, content(title), author_id=AUTHOR_ID, language="ru", origin="text"
    )
    w.clock.advance(minutes=wait_min)
    now = w.clock.now()
    async with w.db.transaction() as uow:
        pub = await uow.publications.schedule(
            article_id=created.article.id, channel_id=channel.id, due_at=now, silent=False, now=now
        )
        assert pub is not None
        assert await uow.publications.claim(pub.id, now=now) is not None
        link = f"https://t.me/news/{message_ids[0]}"
        assert await uow.publications.finish(pub.id, message_ids=message_ids, link=link, now=now)
    return pub.id


async def _counts(w: World, channel: Channel, message_id: int) -> dict[str, int] | None:
    async with w.db.read() as uow:
        found = await uow.reactions.get(channel.id, message_id)
    return dict(found.reactions) if found else None


def _at(seconds: int) -> datetime:
    return WEDNESDAY + timedelta(seconds=seconds)


async def test_counts_are_kept_per_message_and_a_late_update_does_not_win(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        w.clock.at = WEDNESDAY
        channel = await _channel(w)
        album = await _post(w, channel, "Альбом", (40, 41, 42))
        desk = w.desk
        kept = await stats.record_reactions(
            desk, chat_id=CHAT_ID, message_id=41, counts={"👍": 3, "🔥": 1}, counted_at=_at(60)
        )
        assert kept
        assert await _counts(w, channel, 41) == {"👍": 3, "🔥": 1}
        # Newer counts replace the list (a reaction taken back disappears from it).
        assert await stats.record_reactions(
            desk, chat_id=CHAT_ID, message_id=41, counts={"👍": 5, "🔥": 0}, counted_at=_at(120)
        )
        assert await _counts(w, channel, 41) == {"👍": 5}
        # A late update with an older date changes nothing.
        assert not await stats.record_reactions(
            desk, chat_id=CHAT_ID, message_id=41, counts={"👍": 1}, counted_at=_at(90)
        )
        assert await _counts(w, channel, 41) == {"👍": 5}
        async with w.db.read() as uow:
            row = await uow.reactions.get(channel.id, 41)
        assert row is not None and row.publication_id == album and row.total == 5


async def test_counts_for_messages_and_chats_that_are_not_ours_are_dropped(
    tmp_path: Path,
) -> None:
    async with world(tmp_path) as w:
        w.clock.at = WEDNESDAY
        channel = await _channel(w)
        await _post(w, channel, "Пост", (7,))
        desk = w.desk
        for chat_id, message_id in ((CHAT_ID, 8), (CHAT_ID, 70), (-1009999, 7), (CHAT_ID, -1)):
            assert not await stats.record_reactions(
                desk, chat_id=chat_id, message_id=message_id, counts={"👍": 2}, counted_at=_at(5)
            )
        async with w.db.read() as uow:
            assert await uow.reactions.count() == 0


async def test_stats_rank_posts_and_count_days_editors_and_the_wait(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        w.clock.at = WEDNESDAY - timedelta(days=1)  # Tuesday 11:00 local
        channel = await _channel(w)
        desk = w.desk
        quiet = await _post(w, channel, "Тихий пост", (1,), wait_min=30)
        w.clock.at = WEDNESDAY
        loud = await _post(w, channel, "Громкий пост", (2,), wait_min=10)
        middle = await _post(w, channel, "Средний пост", (3,), wait_min=20)
        for message_id, n in ((2, 9), (3, 4)):
            await stats.record_reactions(
                desk, chat_id=CHAT_ID, message_id=message_id, counts={"❤": n}, counted_at=_at(9e3)
            )
        week = await stats.newsroom_stats(desk, period="week")
        assert [p.publication_id for p in week.top] == [loud, middle]  # no reactions: not top
        assert [p.title for p in week.posts] == ["Тихий пост", "Громкий пост", "Средний пост"]
        assert week.total_reactions == 13
        assert week.median_to_post == timedelta(minutes=20)  # of 30, 10 and 20
        assert week.per_editor == ((str(AUTHOR_ID), 3),)
        days = {d.day: (d.posts, d.reactions) for d in week.per_day}
        assert len(week.per_day) == 7 and week.per_day[-1].day == date(2026, 3, 11)
        assert days[date(2026, 3, 10)] == (1, 0)
        assert days[date(2026, 3, 11)] == (2, 13)
        today = await stats.newsroom_stats(desk, period="day")
        assert [p.publication_id for p in today.posts] == [loud, middle]
        assert today.median_to_post == timedelta(minutes=15)
        assert quiet not in [p.publication_id for p in today.posts]


def test_the_window_is_local_days_ending_today() -> None:
    # 23:30 UTC on the 10th is 04:30 on the 11th in Almaty: "today" is the 11th there.
    now = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    start, end = stats.window("day", now, ALMATY)
    assert start == datetime(2026, 3, 10, 19, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 11, 19, 0, tzinfo=UTC)
    start, _end = stats.window("month", now, ALMATY)
    assert start.astimezone(ALMATY).date() == date(2026, 2, 10)


def test_the_report_week_turns_on_monday_morning_local() -> None:
    monday_0859 = datetime(2026, 3, 16, 3, 59, tzinfo=UTC)
    monday_0900 = datetime(2026, 3, 16, 4, 0, tzinfo=UTC)
    assert stats.due_week(monday_0859, ALMATY) == date(2026, 3, 2)
    assert stats.due_week(monday_0900, ALMATY) == date(2026, 3, 9)
    assert stats.next_report_at(WEDNESDAY, ALMATY) == monday_0900
    assert stats.next_report_at(monday_0900, ALMATY) == monday_0900 + timedelta(days=7)


@dataclass
class FakeReporter:
    refuse: bool = False
    sent: list[stats.Stats] = field(default_factory=list)

    async def weekly(self, report: stats.Stats) -> bool:
        if self.refuse:
            return False
        self.sent.append(report)
        return True


async def test_weekly_report_is_off_by_default_then_once_a_week(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        w.clock.at = WEDNESDAY
        channel = await _channel(w)
        await _post(w, channel, "Пост недели", (5,))
        reporter = FakeReporter()
        job = stats.WeeklyReports(w.desk, reporter)
        monday = datetime(2026, 3, 16, 4, 0, tzinfo=UTC)
        assert await job.run_due(monday) is None  # off: nothing, and nothing to wait for
        assert reporter.sent == []
        state = await stats.set_weekly_report(w.desk, True, actor_id=ADMIN_ID)
        assert state.on and state.next_at == monday
        assert await job.run_due(monday - timedelta(minutes=1)) == monday
        assert reporter.sent == []
        assert await job.run_due(monday) == monday + timedelta(days=7)
        [report] = reporter.sent
        assert [p.title for p in report.posts] == ["Пост недели"]
        assert report.start == datetime(2026, 3, 8, 19, 0, tzinfo=UTC)  # Monday 9th, 00:00
        # A second pass (a restart, another process) finds the week taken.
        fresh = stats.WeeklyReports(w.desk, reporter)
        assert await fresh.run_due(monday + timedelta(hours=3)) == monday + timedelta(days=7)
        assert len(reporter.sent) == 1
        assert "weekly_report" in await _setup_actions(w)


async def test_a_refused_weekly_report_is_tried_again(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        w.clock.at = WEDNESDAY
        await stats.set_weekly_report(w.desk, True, actor_id=ADMIN_ID)
        reporter = FakeReporter(refuse=True)
        job = stats.WeeklyReports(w.desk, reporter)
        monday = datetime(2026, 3, 16, 4, 0, tzinfo=UTC)
        assert await job.run_due(monday) == monday + stats.RETRY_AFTER
        reporter.refuse = False
        assert await job.run_due(monday + stats.RETRY_AFTER) == monday + timedelta(days=7)
        assert len(reporter.sent) == 1


async def _setup_actions(w: World) -> list[str]:
    """The audit entries that belong to no article (set-up changes)."""
    async with w.db.read() as uow:
        rows = await uow.sql.all(
            "SELECT action FROM audit_log WHERE article_id IS NULL ORDER BY id"
        )
    return [str(r["action"]) for r in rows]
