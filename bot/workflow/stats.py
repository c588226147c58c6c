"""The posts' statistics: reaction counts from Telegram, /stats, and the weekly report.

The Bot API gives no view counts; the anonymous reaction counts of channel posts
(``message_reaction_count``) are what there is. Each update is stored against the publication
that sent the message (one for a message the bot never posted is dropped), the latest by the
update's date. /stats and the weekly report read the posts of a period in the newsroom's time
zone: the top posts by reactions, posts per day and per editor, and the median time from the
paste (the article's creation) to the post.

The weekly report is opt-in (``/weekly_report on``). The week it last covered is stored, and
claimed in one transaction before the report is sent, so a restart neither sends it twice nor
skips it (a report whose send failed is released and tried again).
"""

from __future__ import annotations

import logging
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain import Channel
from bot.timeparse import local_to_utc
from bot.workflow.audit import record, submitter_name
from bot.workflow.ports import Desk
from storage.reactions import PublishedPost

__all__ = [
    "PERIODS",
    "DayCount",
    "PublishedPost",
    "Reporter",
    "Stats",
    "WeeklyReports",
    "newsroom_stats",
    "record_reactions",
    "set_weekly_report",
    "summarise",
    "weekly_report_state",
]

log = logging.getLogger(__name__)

# How many local days each /stats period covers, today included.
PERIODS: Mapping[str, int] = {"day": 1, "week": 7, "month": 30}
DEFAULT_PERIOD = "week"
TOP_POSTS = 5

WEEKLY_ON_KEY = "weekly_report"  # "1" when the admins asked for it
WEEKLY_LAST_KEY = "weekly_report_week"  # the Monday (ISO date) of the last week reported
# Monday morning in the newsroom's zone, for the week that ended at Monday 00:00: a report at
# midnight would ring the admin chat in the night.
REPORT_TIME = time(9, 0)
RETRY_AFTER = timedelta(minutes=10)  # a report Telegram refused is tried again this much later


# --- reactions ----------------------------------------------------------------------------------


async def record_reactions(
    desk: Desk,
    *,
    chat_id: int,
    message_id: int,
    counts: Mapping[str, int],
    counted_at: datetime,
) -> bool:
    """Keep the counts of one channel message; False when the bot did not post it (or newer
    counts are stored already). Not audited: Telegram's numbers, no one's decision."""
    # Looked up in a read: most counts in a busy channel may be of posts not made by the bot,
    # and those need no write lock.
    async with desk.db.read() as uow:
        channel = await uow.channels.by_ref(str(chat_id))
        if channel is None or channel.chat_id != chat_id:
            log.debug("reaction counts for chat %s, not one of our channels", chat_id)
            return False
        publication_id = await uow.reactions.publication_of(channel.id, message_id)
    if publication_id is None:
        log.debug("reaction counts for %s/%s, not a post of ours", chat_id, message_id)
        return False
    async with desk.db.transaction() as uow:
        return await uow.reactions.record(
            channel_id=channel.id,
            message_id=message_id,
            publication_id=publication_id,
            reactions={k: v for k, v in counts.items() if v > 0},
            counted_at=counted_at,
            now=desk.clock.now(),
        )


# --- /stats -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date  # a local date in the newsroom's zone
    posts: int
    reactions: int  # of the posts published that day (their latest counts)


@dataclass(frozen=True, slots=True)
class Stats:
    period: str
    start: datetime  # aware UTC: the first local midnight of the period
    end: datetime  # aware UTC: the local midnight after it
    channel: Channel | None  # None: every channel
    channels: Mapping[int, Channel]
    posts: Sequence[PublishedPost]  # oldest first
    top: Sequence[PublishedPost]  # by reactions, most first
    per_day: Sequence[DayCount]  # every day of the period, in order
    per_editor: Sequence[tuple[str, int]]  # (name, posts), most first
    median_to_post: timedelta | None  # paste -> post; None without posts

    @property
    def total_reactions(self) -> int:
        return sum(p.reactions for p in self.posts)


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    # "shift": a zone whose clocks jump at midnight has no 00:00 that day; take the first minute.
    return local_to_utc(datetime.combine(day, time(0)), tz, nonexistent="shift")


def window(period: str, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC bounds of the last ``PERIODS[period]`` local days, today included."""
    today = now.astimezone(tz).date()
    first = today - timedelta(days=PERIODS[period] - 1)
    return _midnight(first, tz), _midnight(today + timedelta(days=1), tz)


def summarise(
    posts: Sequence[PublishedPost],
    *,
    period: str,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    names: Mapping[int, str],
    channel: Channel | None = None,
    channels: Mapping[int, Channel] | None = None,
) -> Stats:
    """The figures of a period from its posts (pure: the tests feed it plain values)."""
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    by_day: Counter[date] = Counter()
    reacted: Counter[date] = Counter()
    for post in posts:
        day = post.published_at.astimezone(tz).date()
        by_day[day] += 1
        reacted[day] += post.reactions
    editors: Counter[int] = Counter(p.author_id for p in posts)
    waits = [max(0.0, (p.published_at - p.created_at).total_seconds()) for p in posts]
    return Stats(
        period=period,
        start=start,
        end=end,
        channel=channel,
        channels=channels or {},
        posts=tuple(posts),
        # Ties: the earlier post first (it had the reactions first).
        top=tuple(sorted((p for p in posts if p.reactions > 0), key=lambda p: -p.reactions))[
            :TOP_POSTS
        ],
        per_day=tuple(DayCount(d, by_day[d], reacted[d]) for d in days),
        per_editor=tuple(
            (names.get(author, "") or str(author), n)
            for author, n in sorted(editors.items(), key=lambda item: (-item[1], item[0]))
        ),
        median_to_post=timedelta(seconds=statistics.median(waits)) if waits else None,
    )


async def _names(desk: Desk, posts: Sequence[PublishedPost]) -> dict[int, str]:
    """Editors' names: the stored one, else the name they submitted under (else none)."""
    names: dict[int, str] = {}
    first_article = {p.author_id: p.article_id for p in reversed(posts)}
    async with desk.db.read() as uow:
        for author in first_article:
            user = await uow.users.get(author)
            if user is not None and user.name:
                names[author] = user.name
    for author, article_id in first_article.items():
        if author not in names:
            names[author] = await submitter_name(desk.db, article_id)
    return names


async def newsroom_stats(
    desk: Desk,
    *,
    period: str = DEFAULT_PERIOD,
    channel: Channel | None = None,
    now: datetime | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Stats:
    """The statistics of ``period`` up to ``now`` (or of [start, end)), of one channel or all."""
    tz = desk.settings.tz
    if start is None or end is None:
        start, end = window(period, now or desk.clock.now(), tz)
    async with desk.db.read() as uow:
        posts = await uow.reactions.published_between(
            start, end, channel_id=channel.id if channel else None
        )
        channels = {c.id: c for c in await uow.channels.all()}
    return summarise(
        posts,
        period=period,
        start=start,
        end=end,
        tz=tz,
        names=await _names(desk, posts),
        channel=channel,
        channels=channels,
    )


# --- the weekly report --------------------------------------------------------------------------


class Reporter(Protocol):
    """Sends the weekly report (text and chart) to the admin chat."""

    async def weekly(self, stats: Stats) -> bool:
        """True once it is in the admin chat; False if Telegram refused it."""


def _monday(now: datetime, tz: ZoneInfo) -> date:
    local = now.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


def report_time(monday: date, tz: ZoneInfo) -> datetime:
    """When the report of the week before ``monday`` is due (aware UTC)."""
    return local_to_utc(datetime.combine(monday, REPORT_TIME), tz, nonexistent="shift")


def due_week(now: datetime, tz: ZoneInfo) -> date:
    """The Monday of the latest week whose report time has come."""
    monday = _monday(now, tz)
    if now < report_time(monday, tz):
        monday -= timedelta(days=7)
    return monday - timedelta(days=7)


def next_report_at(now: datetime, tz: ZoneInfo) -> datetime:
    monday = _monday(now, tz)
    at = report_time(monday, tz)
    return at if at > now else report_time(monday + timedelta(days=7), tz)


@dataclass(frozen=True, slots=True)
class WeeklyState:
    on: bool
    next_at: datetime  # the next report time (when on)


async def weekly_report_state(desk: Desk) -> WeeklyState:
    async with desk.db.read() as uow:
        on = await uow.state.get(WEEKLY_ON_KEY) == "1"
    return WeeklyState(on, next_report_at(desk.clock.now(), desk.settings.tz))


async def set_weekly_report(desk: Desk, on: bool, *, actor_id: int) -> WeeklyState:
    """Switch the weekly report; switched on, the first one covers the week now running."""
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        await uow.state.set(WEEKLY_ON_KEY, "1" if on else "0")
        if on:
            # The weeks already over count as reported: no report of the past on switching on.
            await uow.state.set(WEEKLY_LAST_KEY, due_week(now, desk.settings.tz).isoformat())
        await record(uow, "weekly_report", now=now, actor_id=actor_id, on=on)
    return WeeklyState(on, next_report_at(now, desk.settings.tz))


class WeeklyReports:
    """The background job: send the week's report once its time has come, exactly once."""

    def __init__(self, desk: Desk, reporter: Reporter) -> None:
        self.desk = desk
        self.reporter = reporter

    async def run_due(self, now: datetime) -> datetime | None:
        """Send the report if due; when to look again (None: off, nothing to wait for)."""
        desk = self.desk
        tz = desk.settings.tz
        if desk.settings.admin_chat_id is None:
            return None
        week = due_week(now, tz)
        async with desk.db.transaction() as uow:
            if await uow.state.get(WEEKLY_ON_KEY) != "1":
                return None
            last = await uow.state.get(WEEKLY_LAST_KEY)
            if last is not None and last >= week.isoformat():
                return next_report_at(now, tz)
            # Claimed before the send: a second pass (or process) finds it taken.
            await uow.state.set(WEEKLY_LAST_KEY, week.isoformat())
        stats = await newsroom_stats(
            desk,
            period="week",
            start=_midnight(week, tz),
            end=_midnight(week + timedelta(days=7), tz),
        )
        if await self.reporter.weekly(stats):
            log.info("weekly report of %s sent", week.isoformat())
            return next_report_at(now, tz)
        async with desk.db.transaction() as uow:
            if await uow.state.get(WEEKLY_LAST_KEY) == week.isoformat():
                await uow.state.set(WEEKLY_LAST_KEY, last or "")
        return now + RETRY_AFTER
