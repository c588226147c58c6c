"""Review decisions as plain Python: approve, reject, races, schedule, queue, embargo, breaking.

A real SQLite database under ``tmp_path`` and fake ports; no Telegram, no HTTP server.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain import ArticleStatus, PublicationStatus
from bot.workflow import drafts, review
from bot.workflow.results import DecisionKind, Outcome
from tests.workflow_fakes import ADMIN_ID, AUTHOR_ID, OTHER_ADMIN_ID, World, content, world

# The storage and workflow rules hold on both backends (tests/backends.py).
pytestmark = pytest.mark.usefixtures("backend")


async def pending(w: World, **kw: Any) -> int:
    """A submitted article waiting for review; returns its id."""
    created = await drafts.create_draft(
        w.desk, content(**kw), author_id=AUTHOR_ID, language="en", origin="text"
    )
    submitted = await drafts.submit(
        w.desk, created.article, actor_id=AUTHOR_ID, author_name="Elena"
    )
    assert submitted.outcome is Outcome.OK
    return created.article.id


async def publications(w: World, article_id: int) -> list[tuple[int, PublicationStatus, str]]:
    async with w.db.read() as uow:
        pubs = await uow.publications.for_article(article_id)
    return [(p.channel_id, p.status, p.due_at.isoformat()) for p in pubs]


async def test_publish_now_schedules_wakes_the_engine_tells_and_audits(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        channel = await w.channel("@news", default=True)
        article_id = await pending(w)

        result = await review.publish(w.desk, article_id, actor_id=ADMIN_ID, actor_name="Aigerim")

        assert result.outcome is Outcome.OK
        assert result.article is not None and result.article.status is ArticleStatus.SCHEDULED
        assert result.article.decided_by == ADMIN_ID
        assert await publications(w, article_id) == [
            (channel.id, PublicationStatus.SCHEDULED, w.clock.now().isoformat())
        ]
        assert w.schedule.wakes == 1
        decision = result.decision
        assert decision is not None
        assert decision.kind is DecisionKind.PUBLISH_NOW and decision.immediate
        assert decision.tell_author  # an admin decided someone else's article
        assert w.notifier.named("decided") == [(result.article, decision)]
        entry = (await w.audit(article_id))[-1]
        assert (entry.action, entry.actor_id) == ("publish_now", ADMIN_ID)
        assert entry.details["by"] == "Aigerim" and entry.details["channels"] == ["@news"]


async def test_two_admins_approving_at_once_one_wins_the_other_learns_who(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        await w.channel("@news", default=True)
        article_id = await pending(w)
        # Both press the review card's button: it decides a pending article only.
        first, second = await asyncio.gather(
            review.publish(
                w.desk,
                article_id,
                actor_id=ADMIN_ID,
                actor_name="Aigerim",
                from_statuses=(ArticleStatus.PENDING,),
            ),
            review.reject(
                w.desk,
                article_id,
                actor_id=OTHER_ADMIN_ID,
                actor_name="Daniyar",
                reason="duplicate",
                signed=False,
            ),
        )

        assert [first.outcome, second.outcome].count(Outcome.OK) == 1
        won, lost = (first, second) if first.outcome is Outcome.OK else (second, first)
        assert lost.outcome is Outcome.WRONG_STATE and lost.winner is not None
        assert won.decision is not None
        assert lost.winner.actor_id == won.decision.actor_id
        assert lost.winner.name == won.decision.actor_name
        # Exactly one decision was recorded and exactly one was told.
        decisions = [a for a in await w.actions(article_id) if a in ("publish_now", "rejected")]
        assert len(decisions) == 1
        assert len(w.notifier.named("decided")) == 1


async def test_the_loser_of_a_publish_race_hears_published_not_scheduled(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        await w.channel("@news", default=True)
        article_id = await pending(w)
        card = (ArticleStatus.PENDING,)
        await review.publish(
            w.desk, article_id, actor_id=ADMIN_ID, actor_name="Aigerim", from_statuses=card
        )
        w.clock.advance(seconds=2)

        late = await review.publish(
            w.desk, article_id, actor_id=OTHER_ADMIN_ID, actor_name="Daniyar", from_statuses=card
        )

        assert late.outcome is Outcome.WRONG_STATE and late.winner is not None
        assert late.winner.status is ArticleStatus.PUBLISHED  # what was decided, by name
        assert (late.winner.name, late.winner.actor_id) == ("Aigerim", ADMIN_ID)
        assert late.winner.at == w.clock.now() - timedelta(seconds=2)
        assert await w.actions(article_id) == ["created", "submitted", "publish_now"]


async def test_reject_records_the_reason_and_tells_the_author(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        article_id = await pending(w)

        result = await review.reject(
            w.desk,
            article_id,
            actor_id=ADMIN_ID,
            actor_name="Aigerim",
            reason="no source",
            signed=True,
        )

        assert result.outcome is Outcome.OK
        article = await w.article(article_id)
        assert article.status is ArticleStatus.REJECTED and article.reject_reason == "no source"
        assert result.decision is not None
        assert result.decision.signed and result.decision.tell_author
        entry = (await w.audit(article_id))[-1]
        assert entry.action == "rejected"
        assert entry.details == {"reason": "no source", "signed": True, "by": "Aigerim"}
        # A draft (not pending) cannot be rejected: nothing changes, nothing is told.
        again = await review.reject(
            w.desk, article_id, actor_id=ADMIN_ID, actor_name="Aigerim", reason="x", signed=False
        )
        assert again.outcome is Outcome.WRONG_STATE
        assert len(w.notifier.named("decided")) == 1


async def test_an_admin_publishing_their_own_article_is_not_told_about_it(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        await w.channel("@news", default=True)
        created = await drafts.create_draft(
            w.desk, content(), author_id=ADMIN_ID, language="ru", origin="text"
        )
        result = await review.publish(
            w.desk, created.article.id, actor_id=ADMIN_ID, actor_name="Aigerim"
        )
        assert result.decision is not None and not result.decision.tell_author


async def test_schedule_at_a_time_and_unschedule(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        channel = await w.channel("@news", default=True)
        article_id = await pending(w)
        later = w.clock.now() + timedelta(hours=3)

        result = await review.publish(
            w.desk, article_id, actor_id=ADMIN_ID, actor_name="Aigerim", when=later
        )

        assert result.decision is not None
        assert result.decision.kind is DecisionKind.SCHEDULED and not result.decision.immediate
        assert result.decision.due == later
        assert await publications(w, article_id) == [
            (channel.id, PublicationStatus.SCHEDULED, later.isoformat())
        ]
        assert (await w.actions(article_id))[-1] == "scheduled"

        undone = await review.unschedule(w.desk, article_id, actor_id=ADMIN_ID)
        assert undone.outcome is Outcome.OK
        assert (await w.article(article_id)).status is ArticleStatus.APPROVED
        assert [s for _c, s, _d in await publications(w, article_id)] == [
            PublicationStatus.CANCELLED
        ]
        assert (await w.actions(article_id))[-1] == "unscheduled"
        assert w.schedule.wakes == 2
        nothing = await review.unschedule(w.desk, article_id, actor_id=ADMIN_ID)
        assert nothing.outcome is Outcome.WRONG_STATE


async def test_queue_takes_the_next_free_slot_of_the_channel(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        # 11:00 in Almaty now: the 12:00 slot is the next one (06:00 UTC -> 07:00 UTC).
        await w.channel("@news", default=True, slots=("09:00", "12:00", "18:00"))
        first, second = await pending(w), await pending(w, title="Другая новость")

        a = await review.publish(w.desk, first, actor_id=ADMIN_ID, actor_name="A", queue=True)
        b = await review.publish(w.desk, second, actor_id=ADMIN_ID, actor_name="A", queue=True)

        assert a.decision is not None and b.decision is not None
        assert a.decision.kind is DecisionKind.QUEUED
        assert a.decision.due == w.clock.now() + timedelta(hours=1)
        assert b.decision.due == w.clock.now() + timedelta(hours=7)  # 18:00, 12:00 is taken
        assert (await w.actions(first))[-1] == "queued"


async def test_queue_without_slots_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        await w.channel("@news", default=True)
        article_id = await pending(w)

        result = await review.publish(
            w.desk, article_id, actor_id=ADMIN_ID, actor_name="A", queue=True
        )

        assert (result.outcome, result.detail) == (Outcome.NO_SLOT, "@news")
        assert (await w.article(article_id)).status is ArticleStatus.PENDING
        assert await publications(w, article_id) == []
        assert w.notifier.named("decided") == []


async def test_no_channel_at_all_is_refused(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        article_id = await pending(w)
        result = await review.publish(w.desk, article_id, actor_id=ADMIN_ID, actor_name="A")
        assert result.outcome is Outcome.NO_CHANNEL
        missing = await review.publish(w.desk, 999, actor_id=ADMIN_ID, actor_name="A")
        assert missing.outcome is Outcome.NOT_FOUND


async def test_embargo_holds_back_publish_now_and_the_queue(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        await w.channel("@news", default=True, slots=("12:00",))
        first, second = await pending(w), await pending(w, title="Другая новость")
        until = w.clock.now() + timedelta(days=1, hours=5)  # 16:00 tomorrow in Almaty
        async with w.db.transaction() as uow:  # the mark is set-up here (bot.workflow.flags)
            await uow.articles.set_embargo(first, until, now=w.clock.now())
            await uow.articles.set_embargo(second, until, now=w.clock.now())

        now = await review.publish(w.desk, first, actor_id=ADMIN_ID, actor_name="A")
        queued = await review.publish(
            w.desk, second, actor_id=ADMIN_ID, actor_name="A", queue=True
        )

        assert now.decision is not None
        assert now.decision.due == until and not now.decision.immediate
        # The queue skips tomorrow's 12:00 slot, which is still under embargo.
        assert queued.decision is not None
        assert queued.decision.due == w.clock.now() + timedelta(days=2, hours=1)


async def test_breaking_news_jumps_the_queue(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        await w.channel("@news", default=True, slots=("18:00",))
        article_id = await pending(w)
        async with w.db.transaction() as uow:
            await uow.articles.set_breaking(article_id, True, now=w.clock.now())

        queued = await review.publish(
            w.desk, article_id, actor_id=ADMIN_ID, actor_name="A", queue=True
        )

        assert queued.decision is not None and queued.decision.due == w.clock.now()
        assert queued.decision.kind is DecisionKind.QUEUED and not queued.decision.immediate


async def test_the_kill_switch_pauses_and_resumes_with_audit(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        await review.set_paused(w.desk, True, actor_id=ADMIN_ID)
        assert await review.is_paused(w.desk)
        await review.set_paused(w.desk, False, actor_id=ADMIN_ID)
        assert not await review.is_paused(w.desk)
        assert w.schedule.wakes == 2
        async with w.db.read() as uow:
            rows = await uow.sql.all(
                "SELECT action, actor_id FROM audit_log WHERE article_id IS NULL ORDER BY id"
            )
        assert [tuple(r) for r in rows] == [("paused", ADMIN_ID), ("resumed", ADMIN_ID)]
