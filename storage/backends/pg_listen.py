"""Wake-ups across instances: PostgreSQL ``LISTEN``/``NOTIFY`` on a connection of its own."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from storage.backends.pg_common import CONNECT_TIMEOUT_S, LINK_ERRORS
from storage.backends.pg_leadership import AdvisoryLeadership

log = logging.getLogger(__name__)

CHECK_S = 5.0


class Listener:
    """Calls ``wake`` on every notification of ``channel`` from any instance.

    The connection is checked every ``CHECK_S``; when it died (server restart, network) it is
    opened again and ``wake`` is called once, since notifications sent meanwhile are lost.
    """

    def __init__(self, url: str, channel: str, wake: Callable[[], None]) -> None:
        self._url = url
        self._channel = channel
        self._wake = wake
        self._conn: Any = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._connect()
        self._task = asyncio.create_task(self._watch(), name=f"listen {self._channel}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._drop()

    def _notified(self, _conn: Any, _pid: int, _channel: str, _payload: str) -> None:
        self._wake()

    async def _connect(self) -> bool:
        try:
            self._conn = await asyncpg.connect(
                self._url,
                timeout=CONNECT_TIMEOUT_S,
                server_settings={
                    "application_name": "newsroom-bot listener",
                    **AdvisoryLeadership.KEEPALIVE,
                },
            )
            await self._conn.add_listener(self._channel, self._notified)
        except (asyncpg.PostgresError, *LINK_ERRORS) as exc:
            log.warning("cannot listen for %s: %s", self._channel, exc)
            await self._drop()
            return False
        return True

    async def _alive(self) -> bool:
        if self._conn is None or self._conn.is_closed():
            return False
        try:
            await asyncio.wait_for(self._conn.fetchval("SELECT 1"), CHECK_S)
        except (asyncpg.PostgresError, *LINK_ERRORS):
            return False
        return True

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(CHECK_S)
            if await self._alive():
                continue
            await self._drop()
            if await self._connect():
                log.info("listening for %s again", self._channel)
                self._wake()  # what was notified while the connection was down is lost

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            try:
                await asyncio.wait_for(conn.close(), CHECK_S)
            except (asyncpg.PostgresError, *LINK_ERRORS):
                conn.terminate()
