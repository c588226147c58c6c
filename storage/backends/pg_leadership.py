"""The long poller among instances: a PostgreSQL session advisory lock."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any, ClassVar

import asyncpg

from storage.backends.pg_common import CONNECT_TIMEOUT_S, LINK_ERRORS
from storage.core import Leadership

log = logging.getLogger(__name__)


class AdvisoryLeadership(Leadership):
    """A session advisory lock on a connection of its own: held while that session lives.

    An instance that dies (SIGKILL, a crash) closes its socket and the server frees the lock at
    once; a machine that vanishes without closing it is found by TCP keepalives within about
    nine seconds. The holder's ``still_held`` fails as soon as its session is gone, so two
    instances never both believe they lead for longer than one check.
    """

    KEEPALIVE: ClassVar[dict[str, str]] = {
        "tcp_keepalives_idle": "5",
        "tcp_keepalives_interval": "2",
    }
    CHECK_TIMEOUT_S = 5.0

    def __init__(self, url: str, name: str) -> None:
        self._url = url
        digest = hashlib.blake2b(f"newsroom:{name}".encode(), digest_size=8).digest()
        self._key = int.from_bytes(digest, "big", signed=True)
        self._conn: Any = None
        self._held = False

    async def try_acquire(self) -> bool:
        if self._held:
            return await self.still_held()
        try:
            if self._conn is None or self._conn.is_closed():
                self._conn = await asyncpg.connect(
                    self._url,
                    timeout=CONNECT_TIMEOUT_S,
                    server_settings={
                        "application_name": "newsroom-bot leader",
                        **self.KEEPALIVE,
                    },
                )
            self._held = bool(
                await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", self._key)
            )
        except (asyncpg.PostgresError, *LINK_ERRORS) as exc:
            log.warning("cannot ask for the lead: %s", exc)
            await self._drop()
        return self._held

    async def still_held(self) -> bool:
        if not self._held or self._conn is None:
            return False
        try:
            await asyncio.wait_for(self._conn.fetchval("SELECT 1"), self.CHECK_TIMEOUT_S)
        except (asyncpg.PostgresError, *LINK_ERRORS) as exc:
            log.warning("lost the lead (its database session is gone): %s", exc)
            await self._drop()
        return self._held

    async def release(self) -> None:
        await self._drop()

    async def _drop(self) -> None:
        """Closing the session frees the lock (there is nothing else to undo)."""
        self._held = False
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            try:
                await asyncio.wait_for(conn.close(), self.CHECK_TIMEOUT_S)
            except (asyncpg.PostgresError, *LINK_ERRORS):
                conn.terminate()
