"""One aiosqlite connection per process, versioned migrations, and the unit of work.

The unit of work owns the transaction: repositories only execute statements on the connection
they are given and never commit. ``Database.transaction()`` serialises writers with an asyncio
lock because one connection cannot hold two transactions at once, and uses ``BEGIN IMMEDIATE``
so that a second *process* (a backup, a crashed twin) makes us wait on the busy timeout instead of
failing half-way through a transaction.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import aiosqlite

from storage.repos import (
    ArticleRepo,
    AuditRepo,
    ChannelRepo,
    FeedRepo,
    MessageRepo,
    PublicationRepo,
    StateRepo,
    UserRepo,
)

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class StorageError(Exception):
    """The database cannot be used (read-only file, disk full, locked): a clear, loggable cause."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> tuple[Migration, ...]:
    """The numbered SQL files shipped in ``storage/migrations``, in order."""
    found: list[Migration] = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..N without gaps, found {versions}")
    return tuple(found)


class UnitOfWork:
    """Repositories bound to one connection inside one transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.articles = ArticleRepo(conn)
        self.publications = PublicationRepo(conn)
        self.users = UserRepo(conn)
        self.channels = ChannelRepo(conn)
        self.feeds = FeedRepo(conn)
        self.audit = AuditRepo(conn)
        self.state = StateRepo(conn)
        self.messages = MessageRepo(conn)


class Database:
    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path

    @classmethod
    async def open(cls, path: str | Path, *, migrate: bool = True) -> Database:
        path_str = str(path)
        if path_str != ":memory:":
            Path(path_str).parent.mkdir(parents=True, exist_ok=True)
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves (the unit of work owns them).
            conn = await aiosqlite.connect(path_str, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open database {path_str}: {exc}") from exc
        db = cls(conn, path_str)
        try:
            await db._configure()
            if migrate:
                await db.migrate()
        except BaseException:
            await conn.close()
            raise
        return db

    async def _configure(self) -> None:
        try:
            await self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await self._conn.execute("PRAGMA journal_mode = WAL")
            await self._conn.execute("PRAGMA synchronous = NORMAL")
            await self._conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise StorageError(f"cannot configure database {self.path}: {exc}") from exc

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    async def schema_version(self) -> int:
        async with self._lock:
            return await self._schema_version()

    async def _schema_version(self) -> int:
        await self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        async with self._conn.execute(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self, *, target: int | None = None) -> int:
        """Apply every migration above the recorded version (up to ``target``); return it."""
        async with self._lock:
            current = await self._schema_version()
            for migration in load_migrations():
                if migration.version <= current:
                    continue
                if target is not None and migration.version > target:
                    break
                await self._apply(migration)
                current = migration.version
            return current

    async def _apply(self, migration: Migration) -> None:
        log.info("applying migration %04d_%s", migration.version, migration.name)
        # executescript() would COMMIT first and run outside our transaction; run statement by
        # statement so a failing migration leaves the database at the previous version.
        await self._conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split_sql(migration.sql):
                await self._conn.execute(statement)
            await self._conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, datetime.now(UTC).isoformat()),
            )
            await self._conn.execute("COMMIT")
        except BaseException:
            await self._conn.execute("ROLLBACK")
            raise

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        """A write transaction: commits when the block ends, rolls back if it raises."""
        async with self._lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StorageError(f"database unavailable: {exc}") from exc
            try:
                yield UnitOfWork(self._conn)
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            try:
                await self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                await self._conn.execute("ROLLBACK")
                raise StorageError(f"cannot save changes: {exc}") from exc

    @asynccontextmanager
    async def read(self) -> AsyncIterator[UnitOfWork]:
        """Reads outside a transaction (each statement sees committed data only)."""
        async with self._lock:
            yield UnitOfWork(self._conn)

    async def backup(self, target: str | Path) -> None:
        """A consistent online copy (SQLite backup API) while the bot keeps running."""
        async with self._lock:
            dest = await aiosqlite.connect(str(target))
            try:
                await self._conn.backup(dest)
            finally:
                await dest.close()


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements; trigger bodies (BEGIN ... END;) stay whole."""
    statements: list[str] = []
    buffer: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if not buffer and (not stripped or stripped.startswith("--")):
            continue
        buffer.append(line)
        candidate = "\n".join(buffer)
        if stripped.endswith(";") and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            buffer = []
    if buffer and "\n".join(buffer).strip():
        statements.append("\n".join(buffer))
    return statements
