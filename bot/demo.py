"""``python -m bot demo``: the whole newsroom flow offline, step by step.

Starts the fake Bot API server on a free loopback port, a fresh database in a temporary folder
and the real bot against them (aiogram over HTTP, long polling), then plays an editor and an
admin and prints what each chat received.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from bot.limits import CAPTION_LIMIT, TEXT_LIMIT
from bot.web import wait_for_stop_signal
from fakegram.harness import (
    ADMIN_CHAT_ID,
    ADMIN_ID,
    CHANNEL_ID,
    CHANNEL_USERNAME,
    EDITOR_ID,
    STRANGER_ID,
    TOKEN,
    Sandbox,
)
from fakegram.methods.webapp import sign_init_data
from fakegram.server import FakeTelegram, SentMessage

TIMEOUT = 15.0
CHAT_NAMES = {
    EDITOR_ID: "editor Elena (private chat)",
    STRANGER_ID: "a stranger (private chat)",
    ADMIN_CHAT_ID: "admin chat",
    CHANNEL_ID: "channel @newsroom_demo",
}


def _print_message(message: SentMessage) -> None:
    name = CHAT_NAMES.get(message.chat_id, str(message.chat_id))
    photo = " [photo]" if message.photo else ""
    print(f"\n  → {name}, message {message.message_id}{photo}:")
    for line in message.visible.splitlines() or [""]:
        print(f"    │ {line}")
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    for row in rows:
        print("    │ " + "  ".join(f"[{button['text']}]" for button in row))


class Printer:
    """Prints each chat's new messages since the last call, in order."""

    def __init__(self, tg: FakeTelegram) -> None:
        self.tg = tg
        self.seen: dict[int, int] = {}

    def flush(self) -> None:
        for chat_id in CHAT_NAMES:
            messages = self.tg.messages(chat_id)
            for message in messages[self.seen.get(chat_id, 0) :]:
                _print_message(message)
            self.seen[chat_id] = len(messages)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _sample() -> str:
    return (resources.files("bot") / "samples" / "article_ru.txt").read_text(encoding="utf-8")


def _find_button(tg: FakeTelegram, chat_id: int, prefix: str) -> tuple[int, str] | None:
    """The newest message in the chat with a button whose callback data starts with prefix."""
    for message in reversed(tg.messages(chat_id)):
        if message.deleted:
            continue
        for row in message.button_data:
            for data in row:
                if data.startswith(prefix):
                    return message.message_id, data
    return None


async def press(tg: FakeTelegram, user_id: int, chat_id: int, prefix: str) -> None:
    """Wait until the button is shown, then press it as ``user_id`` would."""
    await tg.wait_for(lambda: _find_button(tg, chat_id, prefix) is not None, timeout=TIMEOUT)
    found = _find_button(tg, chat_id, prefix)
    assert found is not None
    tg.press_button(user_id, chat_id=chat_id, message_id=found[0], data=found[1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def calendar_address(sandbox: Sandbox) -> str:
    """The Mini App's local address with a demo sign-in: initData signed for the demo admin
    with the sandbox's token, as Telegram would hand it (only the demo can make one)."""
    app = sandbox.bot_app
    user = {
        "id": ADMIN_ID,
        "first_name": "Aigerim",
        "language_code": app.settings.default_language,
    }
    data = sign_init_data(TOKEN, user=user, auth_date=int(app.clock.now().timestamp()))
    return f"http://{app.settings.web_app_listen}/app#tgWebAppData={quote(data, safe='')}"


async def run_demo(article: Path | None = None, *, keep_calendar: bool = False) -> int:
    text = _read(article) if article else _sample()
    print("newsroom-bot demo: a fake Telegram on 127.0.0.1, a temporary database, the real bot.")
    # The demo's sign-in stays valid for a day: someone may look at the calendar for a while.
    sandbox = Sandbox(web_app_port=_free_port(), web_app_max_age_seconds=86_400)
    async with sandbox:
        calendar = await sandbox.bot_app.serve_web_app()
        try:
            await _steps(sandbox, text)
            address = calendar_address(sandbox)
            print(f"\nThe newsroom calendar (Mini App) as the demo admin: {address}")
            if keep_calendar:
                print("Open it in a browser; Ctrl-C stops the demo.", flush=True)
                await wait_for_stop_signal(asyncio.Event())
            else:
                print("(python -m bot demo --calendar keeps it open)")
        finally:
            if calendar is not None:
                await calendar.cleanup()
    print("\nDemo finished: every step went through the real bot over HTTP.")
    return 0


async def _steps(sandbox: Sandbox, text: str) -> None:
    """The editor's and the admin's steps, each chat's new messages printed after it."""
    tg = sandbox.tg
    out = Printer(tg)
    print(f"Fake Bot API at {tg.api_base}")

    print("\n== 1. A stranger writes to the bot")
    tg.send_text(STRANGER_ID, "/start")
    await tg.wait_for_message(STRANGER_ID, count=1, timeout=TIMEOUT)
    out.flush()

    print("\n== 2. The editor says /start")
    tg.send_text(EDITOR_ID, "/start")
    await tg.wait_for_message(EDITOR_ID, count=1, timeout=TIMEOUT)
    out.flush()

    print("\n== 3. The editor pastes an article")
    tg.send_text(EDITOR_ID, text)
    # The preview with the draft's buttons: one message, or the post and a header under it.
    await tg.wait_for(lambda: _find_button(tg, EDITOR_ID, "d:submit") is not None, timeout=TIMEOUT)
    out.flush()

    print("\n== 4. The editor sends a photo for it")
    tg.send_photo(EDITOR_ID, width=1280, height=853)
    await tg.wait_for(
        lambda: any(m.photo and not m.deleted for m in tg.messages(EDITOR_ID)),
        timeout=TIMEOUT,
    )
    await tg.wait_for(lambda: _find_button(tg, EDITOR_ID, "d:submit") is not None)
    out.flush()

    print("\n== 5. The editor submits it for review")
    await press(tg, EDITOR_ID, EDITOR_ID, "d:submit")
    await tg.wait_for(lambda: _find_button(tg, ADMIN_CHAT_ID, "r:publish") is not None)
    out.flush()

    print("\n== 6. An admin approves it: Publish now")
    await press(tg, ADMIN_ID, ADMIN_CHAT_ID, "r:publish")
    post = await tg.wait_for_message(CHANNEL_ID, count=1, timeout=TIMEOUT)
    # The author is told last, with the post's link: then everything has been delivered.
    link = f"t.me/{CHANNEL_USERNAME}/"
    await tg.wait_for(
        lambda: any(link in m.visible for m in tg.messages(EDITOR_ID)), timeout=TIMEOUT
    )
    await tg.wait_until_updates_consumed(timeout=TIMEOUT)
    out.flush()

    print("\n== The channel post, as subscribers see it")
    for index, message in enumerate(tg.messages(CHANNEL_ID), 1):
        limit = CAPTION_LIMIT if message.photo else TEXT_LIMIT
        kind = "photo with caption" if message.photo else "text"
        print(f"\n[{index}: {kind}, {len(message.visible)} of {limit} characters]")
        print(message.visible)
    del post


if __name__ == "__main__":  # pragma: no cover
    import asyncio

    sys.exit(asyncio.run(run_demo()))
