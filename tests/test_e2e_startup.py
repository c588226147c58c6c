"""Start-up checks: token, channel rights and the admin chat, each failure one clear line."""

from __future__ import annotations

from fakegram.harness import ADMIN_CHAT_ID, CHANNEL_ID, Sandbox


async def test_all_good_sets_command_menus(sandbox: Sandbox) -> None:
    problems = await sandbox.bot_app.startup_checks()
    assert problems == []
    scopes = {(r.scope.get("type"), r.language_code) for r in sandbox.tg.commands}
    assert ("default", "ru") in scopes and ("default", "en") in scopes
    assert ("chat", "ru") in scopes  # the admin chat's review menu
    admin_menu = next(r for r in sandbox.tg.commands if r.scope.get("type") == "chat")
    names = {c["command"] for c in admin_menu.commands}
    assert {"publish", "schedule", "reject", "queue"} <= names
    editor_menu = next(r for r in sandbox.tg.commands if r.scope.get("type") == "default")
    assert "publish" not in {c["command"] for c in editor_menu.commands}


async def test_missing_channel_rights_are_reported_in_the_admin_chat(sandbox: Sandbox) -> None:
    sandbox.tg.set_channel_rights(CHANNEL_ID, can_edit=False)
    problems = await sandbox.bot_app.startup_checks()
    assert len(problems) == 1
    assert "@newsroom_demo" in problems[0] and "edit" in problems[0]
    alert = await sandbox.tg.wait_for_message(ADMIN_CHAT_ID)
    assert "@newsroom_demo" in alert.visible
