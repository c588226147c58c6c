"""The storage backends the storage and workflow tests run on: SQLite always, PostgreSQL on the
server named by ``NEWSROOM_TEST_POSTGRES_URL`` (a throwaway database per test, created from a
migrated template, dropped after).

Without that variable the PostgreSQL half is skipped with the reason; with
``NEWSROOM_REQUIRE_SERVERS=1`` (CI) it fails instead, so a CI run cannot pass without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from storage.db import Database

if TYPE_CHECKING:
    from bot.app import App

POSTGRES_ENV = "NEWSROOM_TEST_POSTGRES_URL"
REDIS_ENV = "NEWSROOM_TEST_REDIS_URL"
REQUIRE_ENV = "NEWSROOM_REQUIRE_SERVERS"
BACKENDS = ("sqlite", "postgresql")

_names = itertools.count(1)
_template: str | None = None


def require_servers() -> bool:
    return os.environ.get(REQUIRE_ENV, "") == "1"


def server_url(env: str, what: str) -> str:
    """The test server's URL from ``env``; skips (or, when servers are required, fails)."""
    url = os.environ.get(env, "").strip()
    if url:
        return url
    reason = f"{env} is not set: the {what} tests need a server (see docs/SCALE_OUT.md)"
    if require_servers():
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}")
    pytest.skip(reason)


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def _admin(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(with_database(url, "postgres"))


async def _ensure_template(url: str) -> str:
    """A database migrated to the current version, created once per test session."""
    global _template
    if _template is None:
        name = f"nwt_template_{os.getpid()}"
        conn = await _admin(url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        finally:
            await conn.close()
        db = await Database.open(with_database(url, name))
        await db.close()
        _template = name
    return _template


def drop_template() -> None:
    """At the end of the session (no event loop runs then)."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if _template is None or not url:
        return

    async def drop() -> None:
        conn = await _admin(url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{_template}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(drop())


@dataclass
class Backend:
    """Where a test's databases go: ``await backend.new("name")`` is a path or a URL."""

    dialect: str
    tmp_path: Path
    server: str = ""
    created: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    def created_url(self, name: str) -> str:
        """The URL ``new(name)`` returned last (PostgreSQL)."""
        return with_database(self.server, self.names[name])

    async def new(self, name: str = "db", *, empty: bool = False) -> str:
        """A fresh database: migrated (fast, from the template), or ``empty`` (no schema)."""
        if self.dialect == "sqlite":
            return str(self.tmp_path / f"{name}.sqlite3")
        template = "template0" if empty else await _ensure_template(self.server)
        db_name = f"nwt_{os.getpid()}_{next(_names)}"
        conn = await _admin(self.server)
        try:
            await conn.execute(f'CREATE DATABASE "{db_name}" TEMPLATE "{template}"')
        finally:
            await conn.close()
        self.created.append(db_name)
        self.names[name] = db_name
        return with_database(self.server, db_name)

    async def drop_all(self) -> None:
        if not self.created:
            return
        conn = await _admin(self.server)
        try:
            for name in self.created:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
        self.created.clear()


#: The backend of the running test, for helpers that open their own database
#: (``tests.workflow_fakes.world``); None outside the parametrised tests (SQLite then).
ACTIVE: Backend | None = None


async def stop_polling(app: App, polling: asyncio.Task[Any]) -> None:
    """Stop an app's polling task for good: aiogram's ``stop_polling`` raises when the task
    has not taken its lock yet (it would then poll forever), so cancel it in that case."""
    try:
        await asyncio.wait_for(app.dp.stop_polling(), 10)
    except (RuntimeError, TimeoutError):
        polling.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(polling, 10)
