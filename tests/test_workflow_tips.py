"""Reader tips in the workflow (issue 15): intake limits, the decisions, races and the audit.

A real SQLite desk under ``tmp_path`` and a fake of Telegram's side (the ``SuggestedPosts``
port) that records what it was asked and can refuse; no aiogram.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.domain import ArticleStatus, Photo
from bot.tips import IncomingTip, Tip, TipKind, TipStatus
from bot.workflow import drafts, setup
from bot.workflow import tips as workflow
from bot.workflow.results import Outcome
from bot.workflow.tips import DECLINE_COMMENT_MAX, Intake
from tests.workflow_fakes import ADMIN_ID, OTHER_ADMIN_ID, World, world

# The tips and reactions rules hold on both backends (tests/backends.py).
pytestmark = pytest.mark.usefixtures("backend")

SENDER = 777
TEXT = (
    "На улице Абая прорвало трубу\n\n"
    "Вода затопила три двора, жители ждут аварийную службу с утра, передает Tengrinews."
)


@dataclass
class FakeTelegram:
    """The ``SuggestedPosts`` port: records calls; ``refuse`` answers every call with it;
    ``gate`` holds each call until set (to race two admins)."""

    calls: list[tuple[str, int, Any]] = field(default_factory=list)
    refuse: str | None = None
    gate: asyncio.Event | None = None

    async def _call(self, name: str, tip: Tip, arg: Any) -> str | None:
        if self.gate is not None:
            await self.gate.wait()
        self.calls.append((name, tip.id, arg))
        return self.refuse

    async def approve(self, tip: Tip, send_at: datetime | None) -> str | None:
        return await self._call("approve", tip, send_at)

    async def decline(self, tip: Tip, comment: str) -> str | None:
        return await self._call("decline", tip, comment)

    async def reply(self, tip: Tip, text: str) -> str | None:
        return await self._call("reply", tip, text)


@pytest.fixture
async def w(tmp_path: Path) -> AsyncIterator[World]:
    async with world(tmp_path, tips_per_hour=3, tip_max_chars=500) as made:
        channel = await made.channel("@news", default=True)
        await setup.set_tips(made.desk, channel, True, actor_id=ADMIN_ID)
        yield made


def incoming(message_id: int, *, kind: TipKind = TipKind.SUGGESTED, **kw: Any) -> IncomingTip:
    values: dict[str, Any] = {
        "kind": kind,
        "chat_id": -100500,
        "message_id": message_id,
        "sender_id": SENDER,
        "sender_name": "Reader One",
        "text": TEXT,
        "topic_id": SENDER,
        "channel_id": 1,
    }
    values.update(kw)
    return IncomingTip(**values)


async def audit(w: World) -> list[tuple[str, dict[str, Any]]]:
    async with w.db.read() as uow:
        rows = await uow.sql.all("SELECT action, details FROM audit_log ORDER BY id")
    return [(r["action"], json.loads(r["details"])) for r in rows]


async def stored(w: World) -> list[Tip]:
    async with w.db.read() as uow:
        return await uow.tips.all()


async def new_tip(w: World, message_id: int = 1, **kw: Any) -> Tip:
    received = await workflow.receive(w.desk, incoming(message_id, **kw))
    assert received.intake is Intake.STORED and received.tip is not None
    return received.tip


async def test_channel_setting_is_kept_and_audited(w: World) -> None:
    channel = await w.channel("@news")
    assert workflow.tips_enabled(channel)
    assert (await workflow.channel_for_tips(w.db, -1)) is None  # no channel with that id
    await setup.set_tips(w.desk, channel, False, actor_id=ADMIN_ID)
    assert not workflow.tips_enabled(await w.channel("@news"))
    assert [d["on"] for a, d in await audit(w) if a == "channel_tips"] == [True, False]


async def test_nothing_a_tip_can_be_made_of_is_refused_and_not_stored(w: World) -> None:
    assert (await workflow.receive(w.desk, incoming(1, text=" \n"))).intake is Intake.EMPTY
    long = "x" * 501
    assert (await workflow.receive(w.desk, incoming(2, text=long))).intake is Intake.TOO_LONG
    assert await stored(w) == []
    # A photo alone is a tip.
    photo = Photo(ref="AgAC-photo", width=1280, height=720, file_size=1000)
    tip = await new_tip(w, 3, text="", photo=photo)
    assert tip.photo == (photo,)


async def test_per_sender_limit_tells_once_and_counts_the_window(w: World) -> None:
    for n in range(1, 4):
        await new_tip(w, n)
    assert (await workflow.receive(w.desk, incoming(4))).intake is Intake.LIMITED
    assert (await workflow.receive(w.desk, incoming(5))).intake is Intake.LIMITED_AGAIN
    # Another sender is not limited by this one.
    await new_tip(w, 6, sender_id=SENDER + 1)
    rows = await stored(w)
    assert [t.status for t in rows].count(TipStatus.REFUSED) == 1
    refused = next(t for t in rows if t.status is TipStatus.REFUSED)
    assert refused.text == "" and refused.sender_name == ""  # a mark, no content kept
    w.clock.advance(hours=1, seconds=1)
    await new_tip(w, 7)


async def test_a_redelivered_message_is_one_tip(w: World) -> None:
    await new_tip(w, 1)
    assert (await workflow.receive(w.desk, incoming(1))).intake is Intake.DUPLICATE
    assert len(await stored(w)) == 1


async def test_take_as_draft_parses_and_attributes_to_the_reader(w: World) -> None:
    tip = await new_tip(w, 1)
    result = await workflow.take_as_draft(
        w.desk, tip.id, actor_id=ADMIN_ID, actor_name="Aigerim", author_language="ru"
    )
    assert result.ok and result.article is not None and result.tip is not None
    article = await w.article(result.article.id)
    assert article.status is ArticleStatus.DRAFT and article.origin == "tip"
    assert article.author_id == ADMIN_ID
    assert article.content.title == "На улице Абая прорвало трубу"
    assert article.content.source_name == "Читатель"
    assert article.content.original_source == "Tengrinews.kz"  # as the parser names it
    assert "no_source" not in article.doubts.warnings
    assert result.tip.status is TipStatus.DRAFTED and result.tip.article_id == article.id
    assert await w.actions(article.id) == ["created", "tip_drafted"]
    # The draft goes through the normal review.
    submitted = await drafts.submit(w.desk, article, actor_id=ADMIN_ID, author_name="Aigerim")
    assert submitted.ok and w.notifier.named("submitted")


async def test_publish_as_suggested_now_at_a_time_and_not_past_30_days(w: World) -> None:
    telegram = FakeTelegram()
    first = await new_tip(w, 1)
    done = await workflow.approve(
        w.desk, telegram, first.id, actor_id=ADMIN_ID, actor_name="Aigerim"
    )
    assert done.ok and done.tip is not None and done.tip.status is TipStatus.APPROVED
    assert done.tip.send_at == w.clock.now()
    second = await new_tip(w, 2)
    too_far = w.clock.now() + timedelta(days=30, minutes=1)
    refused = await workflow.approve(
        w.desk, telegram, second.id, actor_id=ADMIN_ID, actor_name="A", send_at=too_far
    )
    assert refused.outcome is Outcome.INVALID and refused.detail == "too_far"
    assert len(telegram.calls) == 1  # Telegram was not asked
    later = w.clock.now() + timedelta(days=2)
    timed = await workflow.approve(
        w.desk, telegram, second.id, actor_id=ADMIN_ID, actor_name="A", send_at=later
    )
    assert timed.ok and timed.tip is not None and timed.tip.send_at == later
    assert telegram.calls == [("approve", first.id, None), ("approve", second.id, later)]
    approvals = [d for a, d in await audit(w) if a == "tip_approved"]
    assert [d["tip"] for d in approvals] == [first.id, second.id]
    assert approvals[1]["send_at"] == later.isoformat()


async def test_only_suggested_posts_are_published_or_declined(w: World) -> None:
    telegram = FakeTelegram()
    tip = await new_tip(w, 1, kind=TipKind.DIRECT)
    approve = await workflow.approve(w.desk, telegram, tip.id, actor_id=ADMIN_ID, actor_name="A")
    decline = await workflow.decline(w.desk, telegram, tip.id, actor_id=ADMIN_ID, actor_name="A")
    assert approve.detail == decline.detail == "not_suggested" and telegram.calls == []
    dismissed = await workflow.dismiss(w.desk, tip.id, actor_id=ADMIN_ID, actor_name="A")
    assert dismissed.ok and dismissed.tip is not None
    assert dismissed.tip.status is TipStatus.DISMISSED
    assert [a for a, _d in await audit(w) if a.startswith("tip_")][-1] == "tip_dismissed"


async def test_decline_comment_is_checked_before_telegram(w: World) -> None:
    telegram = FakeTelegram()
    tip = await new_tip(w, 1)
    long = "ж" * (DECLINE_COMMENT_MAX + 1)
    refused = await workflow.decline(
        w.desk, telegram, tip.id, actor_id=ADMIN_ID, actor_name="A", comment=long
    )
    assert refused.detail == "too_long" and telegram.calls == []
    exact = "ж" * DECLINE_COMMENT_MAX
    done = await workflow.decline(
        w.desk, telegram, tip.id, actor_id=ADMIN_ID, actor_name="A", comment=exact
    )
    assert done.ok and done.tip is not None and done.tip.comment == exact
    assert telegram.calls == [("decline", tip.id, exact)]
    assert [d["comment"] for a, d in await audit(w) if a == "tip_declined"] == [exact]


async def test_a_telegram_refusal_leaves_the_tip_open_and_is_audited(w: World) -> None:
    telegram = FakeTelegram(refuse="Bad Request: not enough rights")
    tip = await new_tip(w, 1)
    result = await workflow.approve(w.desk, telegram, tip.id, actor_id=ADMIN_ID, actor_name="A")
    assert result.detail == "telegram" and result.error == "Bad Request: not enough rights"
    assert result.tip is not None and result.tip.status is TipStatus.NEW
    assert [a for a, _d in await audit(w)][-1] == "tip_approved_refused"
    telegram.refuse = None
    again = await workflow.approve(w.desk, telegram, tip.id, actor_id=ADMIN_ID, actor_name="A")
    assert again.ok


async def test_two_admins_racing_on_one_tip_one_wins(w: World) -> None:
    telegram = FakeTelegram(gate=asyncio.Event())
    tip = await new_tip(w, 1)
    approving = asyncio.create_task(
        workflow.approve(w.desk, telegram, tip.id, actor_id=ADMIN_ID, actor_name="Aigerim")
    )
    # Wait until the first admin holds the tip (its call to Telegram is held at the gate).
    for _ in range(200):
        current = await workflow.get(w.db, tip.id)
        if current is not None and current.status is TipStatus.DECIDING:
            break
        await asyncio.sleep(0)
    drafting = await workflow.take_as_draft(
        w.desk, tip.id, actor_id=OTHER_ADMIN_ID, actor_name="Daniyar", author_language="en"
    )
    declining = await workflow.decline(
        w.desk, telegram, tip.id, actor_id=OTHER_ADMIN_ID, actor_name="Daniyar"
    )
    assert telegram.gate is not None
    telegram.gate.set()
    won = await approving
    assert won.ok
    for lost in (drafting, declining):
        assert lost.outcome is Outcome.WRONG_STATE and lost.tip is not None
        assert lost.tip.decided_name == "Aigerim"
    assert [c[0] for c in telegram.calls] == ["approve"]
    async with w.db.read() as uow:
        _articles, total = await uow.articles.page()
    assert total == 0  # the loser's draft was not made


async def test_concurrent_drafts_make_one_article(w: World) -> None:
    tip = await new_tip(w, 1)
    results = await asyncio.gather(
        *(
            workflow.take_as_draft(
                w.desk, tip.id, actor_id=a, actor_name=str(a), author_language="ru"
            )
            for a in (ADMIN_ID, OTHER_ADMIN_ID)
        )
    )
    assert sorted(r.outcome for r in results) == sorted([Outcome.OK, Outcome.WRONG_STATE])
    assert [a for a, _d in await audit(w)].count("tip_drafted") == 1


async def test_reply_is_audited_and_counted(w: World) -> None:
    telegram = FakeTelegram()
    tip = await new_tip(w, 1)
    assert (
        await workflow.reply(w.desk, telegram, tip.id, actor_id=ADMIN_ID, text=" ")
    ).detail == ("empty")
    done = await workflow.reply(w.desk, telegram, tip.id, actor_id=ADMIN_ID, text="Спасибо!")
    assert done.ok and done.tip is not None and done.tip.replies == 1
    assert telegram.calls == [("reply", tip.id, "Спасибо!")]
    assert [d["text"] for a, d in await audit(w) if a == "tip_replied"] == ["Спасибо!"]


async def test_unknown_tips_and_refusal_marks_are_not_found(w: World) -> None:
    telegram = FakeTelegram()
    for n in range(1, 5):
        await workflow.receive(w.desk, incoming(n))
    mark = next(t for t in await stored(w) if t.status is TipStatus.REFUSED)
    for tip_id in (mark.id, 999):
        assert (
            await workflow.approve(w.desk, telegram, tip_id, actor_id=1, actor_name="")
        ).outcome is (Outcome.NOT_FOUND)
        draft = await workflow.take_as_draft(
            w.desk, tip_id, actor_id=1, actor_name="", author_language="ru"
        )
        assert draft.outcome is Outcome.NOT_FOUND
    assert telegram.calls == []


async def test_a_tip_left_deciding_by_a_crash_is_taken_again_later(w: World) -> None:
    """The process died between the claim and Telegram's answer: the tip is not stuck."""
    telegram = FakeTelegram()
    tip = await new_tip(w, 1)
    async with w.db.transaction() as uow:
        held = await uow.tips.claim(
            tip.id,
            allowed_from=(TipStatus.NEW,),
            to=TipStatus.DECIDING,
            actor_id=ADMIN_ID,
            actor_name="Aigerim",
            now=w.clock.now(),
        )
    assert held is not None
    soon = await workflow.approve(
        w.desk, telegram, tip.id, actor_id=OTHER_ADMIN_ID, actor_name="Daniyar"
    )
    assert soon.outcome is Outcome.WRONG_STATE and telegram.calls == []
    w.clock.advance(minutes=11)
    later = await workflow.approve(
        w.desk, telegram, tip.id, actor_id=OTHER_ADMIN_ID, actor_name="Daniyar"
    )
    assert later.ok and later.tip is not None and later.tip.decided_name == "Daniyar"
