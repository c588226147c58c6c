"""Prompts: a new command abandons an open prompt instead of being taken as its answer."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey

from bot.domain import ArticleContent
from bot.workflow import drafts, queries
from bot.workflow.queries import QueuePage
from fakegram.harness import ADMIN_CHAT_ID, ADMIN_ID, EDITOR_ID, SECOND_ADMIN_ID, Sandbox


async def test_a_command_closes_the_reject_prompt(sandbox: Sandbox) -> None:
    tg, app = sandbox.tg, sandbox.bot_app
    created = await drafts.create_draft(
        app.desk,
        ArticleContent(title="Prompted", body=("Text.",)),
        author_id=EDITOR_ID,
        language="en",
        origin="text",
    )
    article = created.article
    await drafts.submit(app.desk, article, actor_id=EDITOR_ID, author_name="Elena")
    card = next(m for m in tg.messages(ADMIN_CHAT_ID) if m.button_data)
    reject = next(d for row in card.button_data for d in row if d.startswith("r:reject"))
    tg.press_button(ADMIN_ID, chat_id=ADMIN_CHAT_ID, message_id=card.message_id, data=reject)
    prompt = await tg.wait_for_message(ADMIN_CHAT_ID, count=len(tg.messages(ADMIN_CHAT_ID)) + 1)
    assert "#1" in prompt.visible
    key = StorageKey(bot_id=app.bot.id, chat_id=ADMIN_CHAT_ID, user_id=ADMIN_ID)
    assert await app.dp.fsm.storage.get_state(key) is not None

    before = len(tg.messages(ADMIN_CHAT_ID))
    tg.send_text(ADMIN_ID, "/queue", chat_id=ADMIN_CHAT_ID)
    reply = await tg.wait_for_message(ADMIN_CHAT_ID, count=before + 1)
    assert "#1" in reply.visible  # the queue lists the pending article
    assert await app.dp.fsm.storage.get_state(key) is None
    current = await drafts.get_live(app.db, article.id)
    assert current is not None and current.status.value == "pending"


async def test_an_unexpected_error_gets_a_polite_answer_in_the_users_language(
    sandbox: Sandbox, monkeypatch: object
) -> None:
    import pytest

    from storage.db import StorageError

    tg = sandbox.tg

    async def broken(*_args: object) -> QueuePage:
        raise RuntimeError("a bug")

    async def unavailable(*_args: object) -> QueuePage:
        raise StorageError("disk I/O error")

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(queries, "queue_page", broken)
    tg.send_text(EDITOR_ID, "/queue")  # the editor speaks Russian
    reply = await tg.wait_for_message(EDITOR_ID)
    assert "ничего не потеряно" in reply.visible
    monkeypatch.setattr(queries, "queue_page", unavailable)
    tg.send_text(SECOND_ADMIN_ID, "/queue")  # an admin whose Telegram speaks English
    reply = await tg.wait_for_message(SECOND_ADMIN_ID)
    assert "database is unavailable" in reply.visible
