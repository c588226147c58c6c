"""The HTTP side: the webhook endpoint (aiogram's aiohttp helpers) and ``GET /healthz``.

Webhook requests must carry ``X-Telegram-Bot-Api-Secret-Token``; aiogram's
``SimpleRequestHandler`` answers 401 and processes nothing without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.webapp import WebAppContext, add_webapp
from storage.db import Database

HealthInfo = Callable[[], Awaitable[dict[str, Any]]]


async def database_ok(db: Database) -> bool:
    """Reads work, and writes do: a read-only, full or locked database still answers reads.

    Writes are only probed after one failed (:attr:`Database.write_error`): the probe writes
    nothing that stays, but it does take the write lock for a moment.
    """
    try:
        async with db.read() as uow:
            if not await uow.ping():
                return False
    except Exception:  # any failure means "not healthy"; the details go to the log
        return False
    return db.write_error is None or await db.probe_write()


def health_payload(
    *,
    database: bool,
    scheduler: bool,
    last_api_success: datetime | None,
    backend: str = "",
    dialogs: str = "",
    role: str = "",
) -> tuple[int, dict[str, Any]]:
    """``backend``: ``sqlite`` or ``postgresql``; ``dialogs``: where dialog state lives
    (``memory`` or ``redis``); ``role``: ``poller``, ``standby`` or ``webhook`` -- what an
    operator checks on each replica."""
    healthy = database and scheduler
    body = {
        "status": "ok" if healthy else "degraded",
        "database": database,
        "scheduler": scheduler,
        "last_api_success": last_api_success.isoformat() if last_api_success else None,
        "backend": backend,
        "dialogs": dialogs,
        "role": role,
    }
    return (200 if healthy else 503), body


def make_web_app(
    health: HealthInfo,
    *,
    dispatcher: Dispatcher | None = None,
    bot: Bot | None = None,
    webhook_path: str | None = None,
    secret: str | None = None,
    webapp: WebAppContext | None = None,
    **workflow: Any,
) -> web.Application:
    app = web.Application()
    if webapp is not None:
        add_webapp(app, webapp)

    async def healthz(request: web.Request) -> web.Response:
        info = await health()
        status, body = health_payload(**info)
        return web.json_response(body, status=status)

    app.router.add_get("/healthz", healthz)
    if dispatcher is not None and bot is not None and webhook_path is not None:
        # Answered once handled (aiogram moves a handler past 55 s to the background): an
        # instance killed mid-update never said 200, so Telegram delivers the update again,
        # through the balancer, to a replica that lives. Answering first would lose it.
        SimpleRequestHandler(
            dispatcher=dispatcher, bot=bot, secret_token=secret, handle_in_background=False
        ).register(app, path=webhook_path)
        setup_application(app, dispatcher, bot=bot, **workflow)
    return app


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


def split_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


async def serve(app: web.Application, listen: str) -> web.AppRunner:
    runner = web.AppRunner(app)
    await runner.setup()
    host, port = split_listen(listen)
    await web.TCPSite(runner, host, port).start()
    return runner


async def wait_for_stop_signal(stop: asyncio.Event) -> None:
    """Until SIGINT/SIGTERM (or ``stop`` is set by the caller)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
