"""Every change an admin makes over Telegram is on record: flags on an article show in its
/history, set-up changes are in the audit log, a held publication's cancel is recorded once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.callbacks import HeldAction
from bot.domain import PublicationStatus
from fakegram.harness import ADMIN_CHAT_ID, ADMIN_ID
from tests.test_e2e_roles import _held_notice, pending_article, press
from tests.test_e2e_workflow import Desk, open_desk


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    async with open_desk(tmp_path) as d:
        yield d


async def _set_up_entries(desk: Desk) -> list[tuple[str, int]]:
    """(action, actor) of the audit entries that belong to no article, oldest first."""
    async with (
        desk.sb.bot_app.db.read() as uow,
        uow.conn.execute(
            "SELECT action, actor_id FROM audit_log WHERE article_id IS NULL ORDER BY id"
        ) as cursor,
    ):
        return [(str(r[0]), int(r[1])) for r in await cursor.fetchall()]


async def test_embargo_and_breaking_are_in_the_history(desk: Desk) -> None:
    article_id, _card = await pending_article(desk)
    await desk.say(ADMIN_ID, f"/embargo {article_id} +3h")
    await desk.say(ADMIN_ID, f"/embargo {article_id} off")
    await desk.say(ADMIN_ID, f"/breaking {article_id}")
    [history] = await desk.say(ADMIN_ID, f"/history {article_id}")
    entries = [line.split(" · ")[1:] for line in history.visible.splitlines()[1:]]
    assert entries[-3:] == [["embargo", str(ADMIN_ID)]] * 2 + [["breaking", str(ADMIN_ID)]]


async def test_set_up_changes_are_audited_and_refusals_are_not(desk: Desk) -> None:
    for line in (
        "/slots 09:00 12:00",
        "/quiet 23:00-07:00",
        "/template language en",
        "/editors add 4242",
        "/editors remove 4242",
        "/slots 25:00",  # refused: nothing changes, nothing is recorded
        "/feed_remove 99",  # no such feed
        "/pause",
        "/resume",
    ):
        await desk.say(ADMIN_ID, line)
    assert await _set_up_entries(desk) == [
        ("channel_slots", ADMIN_ID),
        ("channel_quiet", ADMIN_ID),
        ("channel_template", ADMIN_ID),
        ("editor_add", ADMIN_ID),
        ("editor_remove", ADMIN_ID),
        ("paused", ADMIN_ID),
        ("resumed", ADMIN_ID),
    ]


async def test_cancelling_a_held_publication_is_recorded_once(desk: Desk) -> None:
    article_id, _card = await pending_article(desk)
    pub_id, notice_id = await _held_notice(desk, article_id)
    cancel = HeldAction(action="cancel", publication_id=pub_id).pack()
    first = await press(desk, ADMIN_ID, ADMIN_CHAT_ID, notice_id, cancel)
    assert not first.show_alert
    late = await press(desk, ADMIN_ID, ADMIN_CHAT_ID, notice_id, cancel)
    assert late.show_alert  # "already handled"
    await desk.settle()
    async with desk.sb.bot_app.db.read() as uow:
        pub = await uow.publications.get(pub_id)
        history = await uow.audit.for_article(article_id)
    assert pub is not None and pub.status is PublicationStatus.CANCELLED
    assert [(e.action, e.actor_id) for e in history if e.action.startswith("held")] == [
        ("held_cancelled", ADMIN_ID)
    ]
