"""Choosing channels, corrections with an "Updated" mark, unpublishing, review reminders."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import ArticleContent
from bot.workflow import drafts
from bot.workflow.reminders import remind_pending
from fakegram.harness import ADMIN_CHAT_ID, ADMIN_ID, CHANNEL_ID, EDITOR_ID, Sandbox

SECOND = -1002222222222


async def _second_channel(sandbox: Sandbox) -> int:
    sandbox.tg.add_channel(SECOND, username="second_news", title="Second News")
    app = sandbox.bot_app
    async with app.db.transaction() as uow:
        channel = await uow.channels.ensure(
            "@second_news",
            now=app.clock.now(),
            chat_id=SECOND,
            username="second_news",
            title="Second News",
        )
    return channel.id


async def _draft(sandbox: Sandbox, title: str = "Channels") -> int:
    created = await drafts.create_draft(
        sandbox.bot_app.desk,
        ArticleContent(title=title, body=("One sentence.",), source_name="Wire"),
        author_id=EDITOR_ID,
        language="en",
        origin="text",
    )
    return created.article.id


def _button(sandbox: Sandbox, chat_id: int, prefix: str) -> tuple[int, str] | None:
    for message in reversed(sandbox.tg.messages(chat_id)):
        for row in message.button_data:
            for data in row:
                if data.startswith(prefix):
                    return message.message_id, data
    return None


async def test_editor_chooses_channels_with_buttons(sandbox: Sandbox) -> None:
    tg, app = sandbox.tg, sandbox.bot_app
    second = await _second_channel(sandbox)
    article_id = await _draft(sandbox)
    tg.send_text(EDITOR_ID, f"/show {article_id}")
    await tg.wait_for(lambda: _button(sandbox, EDITOR_ID, "d:channels") is not None)
    found = _button(sandbox, EDITOR_ID, "d:channels")
    assert found is not None
    tg.press_button(EDITOR_ID, chat_id=EDITOR_ID, message_id=found[0], data=found[1])
    await tg.wait_for(
        lambda: _button(sandbox, EDITOR_ID, f"d:chan:{article_id}:{second}") is not None
    )
    toggle = _button(sandbox, EDITOR_ID, f"d:chan:{article_id}:{second}")
    assert toggle is not None
    tg.press_button(EDITOR_ID, chat_id=EDITOR_ID, message_id=toggle[0], data=toggle[1])
    await tg.wait_for(
        lambda: any("✅ @second_news" in str(m.reply_markup) for m in tg.messages(EDITOR_ID))
    )
    async with app.db.read() as uow:
        assert await uow.channels.chosen_for(article_id) == [second]
    # Publishing now goes to the chosen channel only.
    tg.send_text(ADMIN_ID, f"/publish {article_id}", chat_id=ADMIN_CHAT_ID)
    post = await tg.wait_for_message(SECOND)
    assert post.visible.startswith("Channels")
    assert tg.messages(CHANNEL_ID) == []


async def test_publish_to_named_channels_then_correct_with_mark_and_unpublish(
    sandbox: Sandbox,
) -> None:
    tg = sandbox.tg
    await _second_channel(sandbox)
    article_id = await _draft(sandbox, "Two channels")
    tg.send_text(
        ADMIN_ID, f"/publish {article_id} @newsroom_demo @second_news", chat_id=ADMIN_CHAT_ID
    )
    first = await tg.wait_for_message(CHANNEL_ID)
    second = await tg.wait_for_message(SECOND)
    assert first.visible.startswith("Two channels") and second.visible.startswith("Two channels")
    # Both posts are told in the admin chat (in one digest when they end in one batch).
    links = [
        f"t.me/newsroom_demo/{first.message_id}",
        f"t.me/second_news/{second.message_id}",
    ]
    await tg.wait_for(
        lambda: all(any(link in m.visible for m in tg.messages(ADMIN_CHAT_ID)) for link in links)
    )

    tg.send_text(ADMIN_ID, f"/edit {article_id} title Two channels, corrected --updated")
    await tg.wait_for(
        lambda: all(
            tg.messages(chat)[0].visible.startswith("Two channels, corrected")
            for chat in (CHANNEL_ID, SECOND)
        )
    )
    for chat in (CHANNEL_ID, SECOND):
        text = tg.messages(chat)[0].visible
        assert "Обновлено" in text or "Updated" in text
        assert tg.messages(chat)[0].edits  # edited in place, not sent again

    before = len(tg.messages(ADMIN_CHAT_ID))
    tg.send_text(ADMIN_ID, f"/unpublish {article_id}", chat_id=ADMIN_CHAT_ID)
    await tg.wait_for_message(ADMIN_CHAT_ID, count=before + 1)
    assert all(m.deleted for m in tg.messages(CHANNEL_ID) + tg.messages(SECOND))
    article = await drafts.get_live(sandbox.bot_app.db, article_id)
    assert article is not None  # the article is kept


async def test_unknown_channel_is_named(sandbox: Sandbox) -> None:
    tg = sandbox.tg
    article_id = await _draft(sandbox)
    tg.send_text(ADMIN_ID, f"/publish {article_id} @nowhere_news", chat_id=ADMIN_CHAT_ID)
    reply = await tg.wait_for_message(ADMIN_CHAT_ID)
    assert "@nowhere_news" in reply.visible
    assert tg.messages(CHANNEL_ID) == []


async def test_pending_article_is_reminded_once(sandbox: Sandbox) -> None:
    tg, ports = sandbox.tg, sandbox.bot_app.desk
    article_id = await _draft(sandbox, "Waiting")
    article = await drafts.get_live(ports.db, article_id)
    assert article is not None
    await drafts.submit(ports, article, actor_id=EDITOR_ID, author_name="Elena")
    later = ports.clock.now() + timedelta(minutes=ports.settings.review_reminder_minutes + 1)
    assert await remind_pending(ports, ports.clock.now()) == 0  # not yet due
    assert await remind_pending(ports, later) == 1
    assert await remind_pending(ports, later) == 0  # once only
    await tg.wait_for(lambda: any("⏰" in m.visible for m in tg.messages(ADMIN_CHAT_ID)))


async def test_queue_is_paginated(sandbox: Sandbox) -> None:
    from bot.domain import ArticleStatus

    tg, app = sandbox.tg, sandbox.bot_app
    now = app.clock.now()
    async with app.db.transaction() as uow:
        for n in range(20):
            article = await uow.articles.create(
                ArticleContent(title=f"Pending {n:02d}"),
                author_id=EDITOR_ID,
                origin="text",
                now=now,
            )
            await uow.articles.transition(
                article.id,
                allowed_from=(ArticleStatus.DRAFT,),
                to=ArticleStatus.PENDING,
                now=now,
            )
    tg.send_text(ADMIN_ID, "/queue", chat_id=ADMIN_CHAT_ID)
    first = await tg.wait_for_message(ADMIN_CHAT_ID)
    assert "(20)" in first.visible
    assert "Pending 19" in first.visible and "Pending 00" not in first.visible
    assert first.button_data == [["p:queue:1"]]
    tg.press_button(ADMIN_ID, chat_id=ADMIN_CHAT_ID, message_id=first.message_id, data="p:queue:1")
    await tg.wait_for(lambda: "Pending 00" in tg.messages(ADMIN_CHAT_ID)[0].visible)
    assert tg.messages(ADMIN_CHAT_ID)[0].button_data == [["p:queue:0"]]
