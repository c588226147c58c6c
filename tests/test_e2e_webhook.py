"""Webhook mode over HTTP: Telegram's secret header is required; /healthz reports the parts."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import App, create_app
from bot.config import Settings
from fakegram.harness import ADMIN_CHAT_ID, EDITOR_ID, TOKEN
from fakegram.server import FakeTelegram

SECRET = "s3cret-webhook-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def webhook_app(tmp_path: Path) -> AsyncIterator[tuple[FakeTelegram, App, str]]:
    import asyncio

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    async with FakeTelegram(token=TOKEN) as tg:
        tg.add_user(EDITOR_ID, "Elena", language_code="en")
        tg.add_channel(-1001234567890, username="newsroom_demo", title="Demo")
        tg.add_group(ADMIN_CHAT_ID, "Admins")
        settings = Settings(
            _env_file=None,
            bot_token=TOKEN,
            telegram_api_url=tg.api_base,
            channel_id="@newsroom_demo",
            admin_chat_id=ADMIN_CHAT_ID,
            admin_ids=(1,),
            editor_ids=(EDITOR_ID,),
            database_path=tmp_path / "db.sqlite3",
            webhook_url=f"{base}/telegram/webhook",
            webhook_secret=SECRET,
            webhook_listen=f"127.0.0.1:{port}",
        )
        app = await create_app(settings)
        task = asyncio.create_task(app.run_webhook(handle_signals=False))
        try:
            await tg.wait_for(lambda: tg.webhook_url.endswith("/telegram/webhook"))
            yield tg, app, base
        finally:
            app.stop_event.set()
            await task
            await app.close()


async def test_updates_arrive_by_webhook_with_the_secret(
    webhook_app: tuple[FakeTelegram, App, str],
) -> None:
    tg, _app, _base = webhook_app
    tg.send_text(EDITOR_ID, "/help")
    reply = await tg.wait_for_message(EDITOR_ID)
    assert "You are an editor" in reply.visible


async def test_requests_without_the_secret_are_refused(
    webhook_app: tuple[FakeTelegram, App, str],
) -> None:
    tg, app, base = webhook_app
    update = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": EDITOR_ID, "type": "private"},
            "from": {"id": EDITOR_ID, "is_bot": False, "first_name": "Forger"},
            "text": "A forged article\n\nthat must not become a draft.",
        },
    }
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with session.post(
                f"{base}/telegram/webhook", json=update, headers=headers
            ) as response:
                assert response.status == 401
    async with app.db.read() as uow:
        _items, total = await uow.articles.page()
    assert total == 0
    assert tg.messages(EDITOR_ID) == []


async def test_healthz(webhook_app: tuple[FakeTelegram, App, str]) -> None:
    tg, _app, base = webhook_app
    tg.send_text(EDITOR_ID, "/help")
    await tg.wait_for_message(EDITOR_ID)
    async with aiohttp.ClientSession() as session, session.get(f"{base}/healthz") as response:
        body = await response.json()
    assert response.status == 200
    assert body["status"] == "ok" and body["database"] and body["scheduler"]
    assert body["last_api_success"] is not None
