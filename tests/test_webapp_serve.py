"""``python -m bot`` serves the Mini App in both modes: long polling (a server of its own on
WEB_APP_HOST:WEB_APP_PORT) and webhook (the webhook's server when it is the same address);
and the settings that decide it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import create_app
from bot.config import ConfigError, Settings, load_settings
from fakegram.harness import ADMIN_CHAT_ID, ADMIN_ID, TOKEN
from fakegram.server import FakeTelegram
from tests.webapp_support import auth, free_port


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN) as server:
        server.add_user(ADMIN_ID, "Aigerim", language_code="en")
        server.add_channel(-1001234567890, username="newsroom_demo", title="Demo")
        server.add_group(ADMIN_CHAT_ID, "Admins")
        yield server


def _settings(tg: FakeTelegram, tmp_path: Path, **extra: Any) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=TOKEN,
        telegram_api_url=tg.api_base,
        channel_id="@newsroom_demo",
        admin_chat_id=ADMIN_CHAT_ID,
        admin_ids=(ADMIN_ID,),
        database_path=tmp_path / "db.sqlite3",
        **extra,
    )


async def _served(base: str, ready: Callable[[], bool]) -> tuple[int, int, int]:
    """The page, the queue signed in, and the queue without a sign-in, once serving."""
    async with aiohttp.ClientSession() as http:
        async with asyncio.timeout(15):
            while True:
                try:
                    async with http.get(f"{base}/app") as page:
                        break
                except aiohttp.ClientConnectionError:
                    assert not ready(), "the bot stopped before serving"
                    await asyncio.sleep(0.05)  # polling the port with a deadline
        headers = auth(ADMIN_ID, at=datetime.now(UTC))
        async with (
            http.get(f"{base}/app/api/queue", headers=headers) as signed,
            http.get(f"{base}/app/api/queue") as anonymous,
        ):
            return page.status, signed.status, anonymous.status


async def test_polling_mode_serves_the_mini_app_on_its_port(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    port = free_port()
    app = await create_app(_settings(tg, tmp_path, web_app_port=port))
    task = asyncio.create_task(app.run_polling(handle_signals=False, polling_timeout=1))
    try:
        statuses = await _served(f"http://127.0.0.1:{port}", task.done)
    finally:
        await app.dp.stop_polling()
        await task
        await app.close()
    assert statuses == (200, 200, 401)


async def test_webhook_mode_serves_it_on_the_webhook_server(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = _settings(
        tg,
        tmp_path,
        webhook_url=f"{base}/telegram/webhook",
        webhook_secret="s3cret-webhook-token",
        webhook_listen=f"127.0.0.1:{port}",
        web_app_port=port,
    )
    app = await create_app(settings)
    task = asyncio.create_task(app.run_webhook(handle_signals=False))
    try:
        statuses = await _served(base, task.done)
    finally:
        app.stop_event.set()
        await task
        await app.close()
    assert statuses == (200, 200, 401)


def test_the_mini_app_settings() -> None:
    bare = load_settings(_env_file=None)
    assert bare.web_app_listen is None  # the default port alone takes no port
    assert load_settings(_env_file=None, web_app_port=9000).web_app_listen == "127.0.0.1:9000"
    public = load_settings(_env_file=None, web_app_url="https://news.example.org/app")
    assert public.web_app_listen == "127.0.0.1:8080"
    assert load_settings(_env_file=None, web_app_port="").web_app_listen is None
    empty_port = load_settings(
        _env_file=None, web_app_port="", web_app_url="https://n.example/app"
    )
    assert empty_port.web_app_listen == "127.0.0.1:8080"
    v6 = load_settings(_env_file=None, web_app_host="::1", web_app_port=9000)
    assert v6.web_app_listen == "[::1]:9000"
    with pytest.raises(ConfigError, match="WEB_APP_URL: must start with https://"):
        load_settings(_env_file=None, web_app_url="http://news.example.org/app")
    with pytest.raises(ConfigError, match="WEB_APP_PORT"):
        load_settings(_env_file=None, web_app_port=70000)
