"""End to end over HTTP: /start and /help by role and language; strangers are refused."""

from __future__ import annotations

from fakegram.harness import ADMIN_ID, EDITOR_ID, STRANGER_ID, Sandbox


async def test_editor_start_in_russian(sandbox: Sandbox) -> None:
    tg = sandbox.tg
    tg.send_text(EDITOR_ID, "/start")
    reply = await tg.wait_for_message(EDITOR_ID)
    assert "Elena" in reply.visible
    assert "/submit N" in reply.visible
    assert "/publish" not in reply.visible  # an admin command
    assert "редактор" in reply.visible.lower()


async def test_admin_help_in_english_lists_admin_commands(sandbox: Sandbox) -> None:
    tg = sandbox.tg
    tg.add_user(ADMIN_ID, "Aigerim", language_code="en-US")
    tg.send_text(ADMIN_ID, "/help")
    reply = await tg.wait_for_message(ADMIN_ID)
    assert "You are an admin" in reply.visible
    assert "/publish N" in reply.visible
    assert "/schedule N WHEN" in reply.visible


async def test_stranger_is_refused_and_nothing_is_stored(sandbox: Sandbox) -> None:
    tg = sandbox.tg
    tg.send_text(STRANGER_ID, "/start")
    reply = await tg.wait_for_message(STRANGER_ID)
    assert "only for the newsroom's editors" in reply.visible
    tg.send_text(STRANGER_ID, "A whole article pasted by someone who should not.\n\nBody.")
    await tg.wait_for_message(STRANGER_ID, count=2)
    app = sandbox.bot_app
    async with app.db.read() as uow:
        _items, total = await uow.articles.page()
        users = await uow.users.all()
    assert total == 0
    assert users == []
    assert tg.messages(-1009000000001) == []  # nothing forwarded to the admin chat
