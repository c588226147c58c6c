"""Review: publish now, schedule, queue, reject, unschedule; the kill switch.

The embargo and breaking-news policy lives in :func:`_due_times`; setting those marks is
``bot.workflow.flags``.

Every decision is one conditional status transition inside one unit of work, so two admins
pressing at once produce exactly one outcome; the loser learns who won (:class:`Winner`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain import PAUSED_KEY, Article, ArticleStatus, Channel
from bot.timeparse import next_free_slot, parse_slots
from bot.workflow.audit import record
from bot.workflow.ports import Desk
from bot.workflow.results import DECIDABLE, Decision, DecisionKind, Outcome, Result, Winner
from storage.db import UnitOfWork

# What each decision's audit entry says the article became: the article's status alone says
# "scheduled" for a "publish now" that the publisher has not finished yet.
_DECIDED_AS = {
    DecisionKind.PUBLISH_NOW: ArticleStatus.PUBLISHED,
    DecisionKind.SCHEDULED: ArticleStatus.SCHEDULED,
    DecisionKind.QUEUED: ArticleStatus.SCHEDULED,
    DecisionKind.REJECTED: ArticleStatus.REJECTED,
}


async def lost_race(desk: Desk, article_id: int) -> Result:
    """The answer to a decision that found the article already decided: who won, and how."""
    async with desk.db.read() as uow:
        current = await uow.articles.get(article_id)
        entries = await uow.audit.for_article(article_id)
    if current is None:
        return Result(Outcome.NOT_FOUND)
    winner = None
    if current.decided_by is not None and current.decided_at is not None:
        decided = next(
            (
                e
                for e in reversed(entries)
                if e.action in _DECIDED_AS and e.actor_id == current.decided_by
            ),
            None,
        )
        winner = Winner(
            status=_DECIDED_AS[DecisionKind(decided.action)] if decided else current.status,
            name=str(decided.details.get("by") or "") if decided else "",
            actor_id=current.decided_by,
            at=current.decided_at,
        )
    return Result(Outcome.WRONG_STATE, current, winner=winner)


async def _channels_for(
    uow: UnitOfWork, article_id: int, channel_ids: Sequence[int] | None
) -> list[Channel]:
    """The channels named, else the ones chosen for the article, else the default one."""
    if not channel_ids:
        channel_ids = await uow.channels.chosen_for(article_id)
    if channel_ids:
        return [c for c in await uow.channels.all() if c.id in channel_ids]
    default = await uow.channels.default()
    return [default] if default else []


async def _due_times(
    desk: Desk,
    uow: UnitOfWork,
    article: Article,
    channels: Sequence[Channel],
    *,
    when: datetime | None,
    queue: bool,
    now: datetime,
) -> dict[int, datetime] | Channel:
    """When the article goes out in each channel, or the channel whose queue has no free slot.

    The policy: a queued article takes its channel's next free slot, breaking news jumps the
    queue, and nothing goes out before its embargo ends.
    """
    due: dict[int, datetime] = {}
    for channel in channels:
        if queue:
            taken = await uow.publications.taken_times(
                channel_id=channel.id, since=now - timedelta(minutes=1)
            )
            slot = (
                next_free_slot(
                    parse_slots(" ".join(channel.slots)),
                    taken=taken,
                    now=now,
                    tz=desk.settings.tz,
                    not_before=article.embargo_until,
                )
                if channel.slots
                else None
            )
            if slot is None:
                return channel
            due[channel.id] = slot
        else:
            due[channel.id] = when or now
        if article.breaking and queue:
            due[channel.id] = now
        if article.embargo_until and due[channel.id] < article.embargo_until:
            due[channel.id] = article.embargo_until
    return due


async def publish(
    desk: Desk,
    article_id: int,
    *,
    actor_id: int,
    actor_name: str,
    when: datetime | None = None,
    queue: bool = False,
    channel_ids: Sequence[int] | None = None,
    from_statuses: Sequence[ArticleStatus] = DECIDABLE,
) -> Result:
    """Approve and publish now (``when`` None), at ``when``, or in the next queue slot."""
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        result = await publish_in(
            desk,
            uow,
            article_id,
            actor_id=actor_id,
            actor_name=actor_name,
            when=when,
            queue=queue,
            channel_ids=channel_ids,
            from_statuses=from_statuses,
            now=now,
        )
    return await settle(desk, article_id, result)


async def publish_in(
    desk: Desk,
    uow: UnitOfWork,
    article_id: int,
    *,
    actor_id: int,
    actor_name: str,
    now: datetime,
    when: datetime | None = None,
    queue: bool = False,
    channel_ids: Sequence[int] | None = None,
    from_statuses: Sequence[ArticleStatus] = DECIDABLE,
) -> Result:
    """:func:`publish` inside the caller's unit of work (a feed item's, with its draft), up to
    the commit: the decision taken (not yet told), or why not; WRONG_STATE (without the
    winner) for a lost race. The caller hands the result to :func:`settle` after the commit."""
    kind = (
        DecisionKind.QUEUED
        if queue
        else (DecisionKind.SCHEDULED if when else DecisionKind.PUBLISH_NOW)
    )
    article = await uow.articles.get(article_id)
    if article is None or article.status is ArticleStatus.DELETED:
        return Result(Outcome.NOT_FOUND)
    channels = await _channels_for(uow, article_id, channel_ids)
    if not channels:
        return Result(Outcome.NO_CHANNEL, article)
    due = await _due_times(desk, uow, article, channels, when=when, queue=queue, now=now)
    if not isinstance(due, dict):
        return Result(Outcome.NO_SLOT, article, detail=due.chat_ref)
    decided = await uow.articles.transition(
        article_id,
        allowed_from=from_statuses,
        to=ArticleStatus.SCHEDULED,
        now=now,
        actor_id=actor_id,
    )
    if decided is None:
        return Result(Outcome.WRONG_STATE, article)
    for channel in channels:
        await uow.publications.schedule(
            article_id=article_id,
            channel_id=channel.id,
            due_at=due[channel.id],
            silent=False,
            now=now,
        )
    await record(
        uow,
        kind.value,
        now=now,
        actor_id=actor_id,
        article_id=article_id,
        by=actor_name,
        channels=[c.chat_ref for c in channels],
        due=[d.isoformat() for d in due.values()],
    )
    first_due = min(due.values())
    decision = Decision(
        kind,
        actor_id,
        actor_name,
        now,
        due=first_due,
        immediate=when is None and not queue and first_due <= now,
        tell_author=actor_id != decided.author_id,
    )
    return Result(Outcome.OK, decided, decision=decision)


async def settle(desk: Desk, article_id: int, result: Result) -> Result:
    """After the commit of :func:`publish_in`: a lost race learns who won; a decision taken
    wakes the schedule and is told to whom it concerns."""
    if result.outcome is Outcome.WRONG_STATE:
        return await lost_race(desk, article_id)
    if result.article is None or result.decision is None:
        return result  # refused: nothing changed, nobody to tell
    desk.schedule.wake()
    return await _announce(desk, result.article, result.decision)


async def reject(
    desk: Desk, article_id: int, *, actor_id: int, actor_name: str, reason: str, signed: bool
) -> Result:
    """Send a pending article back to its author with a reason (signed: with the admin's name)."""
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        decided = await uow.articles.transition(
            article_id,
            allowed_from=(ArticleStatus.PENDING,),
            to=ArticleStatus.REJECTED,
            now=now,
            actor_id=actor_id,
            reason=reason,
        )
        if decided is not None:
            await record(
                uow,
                DecisionKind.REJECTED.value,
                now=now,
                actor_id=actor_id,
                article_id=article_id,
                reason=reason,
                signed=signed,
                by=actor_name,
            )
    if decided is None:
        return await lost_race(desk, article_id)
    decision = Decision(
        DecisionKind.REJECTED, actor_id, actor_name, now, reason=reason, signed=signed
    )
    return await _announce(desk, decided, decision)


async def _announce(desk: Desk, article: Article, decision: Decision) -> Result:
    """A decision taken and committed, told to whom it concerns (the card, the author)."""
    await desk.notifier.decided(article, decision)
    return Result(Outcome.OK, article, decision=decision)


async def unschedule(desk: Desk, article_id: int, *, actor_id: int) -> Result:
    """Take a scheduled article off the schedule; it stays approved."""
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        cancelled = await uow.publications.cancel_scheduled(article_id, now=now)
        if not cancelled:
            return Result(Outcome.WRONG_STATE)
        article = await uow.articles.transition(
            article_id,
            allowed_from=(ArticleStatus.SCHEDULED,),
            to=ArticleStatus.APPROVED,
            now=now,
        )
        await record(uow, "unscheduled", now=now, actor_id=actor_id, article_id=article_id)
    desk.schedule.wake()
    return Result(Outcome.OK, article)


async def set_paused(desk: Desk, paused: bool, *, actor_id: int | None) -> None:
    """The kill switch: stop (or restart) all publishing; what is due waits, nothing is lost."""
    async with desk.db.transaction() as uow:
        await uow.state.set(PAUSED_KEY, "1" if paused else "0")
        action = "paused" if paused else "resumed"
        await record(uow, action, now=desk.clock.now(), actor_id=actor_id)
    desk.schedule.wake()


async def is_paused(desk: Desk) -> bool:
    async with desk.db.read() as uow:
        return await uow.state.get(PAUSED_KEY) == "1"
