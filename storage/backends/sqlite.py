"""SQLite: one aiosqlite connection per process (the embedded default).

The unit of work owns the transaction: repositories only execute statements on the connection
they are given and never commit. ``transaction()`` serialises writers with an asyncio lock
because one connection cannot hold two transactions at once, and uses ``BEGIN IMMEDIATE`` so
that a second *process* (a backup, a crashed twin) makes us wait on the busy timeout instead of
failing half-way through a transaction.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from storage.base import Row
from storage.core import Database, StorageError, UnitOfWork
from storage.schema import SQLITE, Migration, load_migrations
from storage.titles import band_keys_json, fold_title

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
_T = TypeVar("_T")

# Primary SQLite result codes (https://sqlite.org/rescode.html) that mean "the database cannot
# be used right now", not "this statement is wrong": they become a StorageError. Constraint
# violations and misuse stay sqlite3 errors (bugs, or a caller's own conditions).
_UNAVAILABLE = {
    5: "busy",  # SQLITE_BUSY: another connection holds the lock past the busy timeout
    6: "busy",  # SQLITE_LOCKED: a conflict on a shared cache
    8: "readonly",  # SQLITE_READONLY: read-only file, directory, mount, or query_only
    10: "io",  # SQLITE_IOERR
    11: "io",  # SQLITE_CORRUPT
    13: "full",  # SQLITE_FULL: disk full, or max_page_count reached
    14: "io",  # SQLITE_CANTOPEN: e.g. the -wal file cannot be created
    15: "busy",  # SQLITE_PROTOCOL: a WAL locking race that persisted
    26: "io",  # SQLITE_NOTADB
}
_EXPLAIN = {
    "busy": "the database is locked by another process",
    "readonly": "the database is read-only",
    "full": "the disk is full (or the database reached its size limit)",
    "io": "the database file cannot be read or written",
}


def storage_error(exc: sqlite3.Error, doing: str) -> StorageError | None:
    """The StorageError for ``exc`` when it means the database is unavailable, else None."""
    code = getattr(exc, "sqlite_errorcode", None)
    kind = _UNAVAILABLE.get(code & 0xFF) if isinstance(code, int) else None
    if kind is None:
        return None
    return StorageError(f"{_EXPLAIN[kind]} ({doing}: {exc})", kind)


def _one(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> Row | None:
    cur = conn.execute(sql, params)
    try:
        row: Row | None = cur.fetchone()
        return row
    finally:
        cur.close()


def _all(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[Row]:
    cur = conn.execute(sql, params)
    try:
        return list(cur.fetchall())
    finally:
        cur.close()


def _exec(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> int:
    cur = conn.execute(sql, params)
    try:
        return cur.rowcount
    finally:
        cur.close()


def _insert(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> int | None:
    cur = conn.execute(sql, params)
    try:
        # rowcount 0: ON CONFLICT DO NOTHING kept it out (lastrowid is then stale).
        return cur.lastrowid if cur.rowcount > 0 else None
    finally:
        cur.close()


class SqliteSql:
    """:class:`storage.base.Sql` on an aiosqlite connection: the statements go as they are.

    Each statement is one trip to aiosqlite's worker thread (execute, fetch and close there
    together), not three (execute, fetch, close each awaited): every trip is a queue put, a
    wake-up of the event loop through its self-pipe and a loop turn, which made the trips a
    large share of a paste's CPU (issue 14).
    """

    dialect = SQLITE

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.raw = conn

    async def _run(
        self, fn: Callable[[sqlite3.Connection, str, Sequence[Any]], _T], sql: str, params: Any
    ) -> _T:
        # aiosqlite's own queue (the one its public methods use), so statements keep their order
        # with those the unit of work or the migrations send through the public API.
        raw = self.raw
        result: _T = await raw._execute(lambda: fn(raw._conn, sql, params))  # type: ignore[no-untyped-call]
        return result

    async def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await self._run(_one, sql, params)

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return await self._run(_all, sql, params)

    async def exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        return await self._run(_exec, sql, params)

    async def insert(self, sql: str, params: Sequence[Any]) -> int | None:
        return await self._run(_insert, sql, params)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self.raw.executemany(sql, rows)


class SqliteDatabase(Database):
    dialect = SQLITE

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        super().__init__(path)
        self._conn = conn
        self._sql = SqliteSql(conn)
        self._lock = asyncio.Lock()

    @classmethod
    async def connect(cls, path: str) -> SqliteDatabase:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves (the unit of work owns them).
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open database {path}: {exc}") from exc
        # Repositories map rows by column name (row["status"]), never by position.
        conn.row_factory = aiosqlite.Row
        db = cls(conn, path)
        try:
            await db._configure()
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
            # Migration 0007 backfills the duplicate index with the code the repository writes
            # it with.
            await self._conn.create_function("fold_title", 1, fold_title, deterministic=True)
            await self._conn.create_function(
                "band_keys_json", 1, band_keys_json, deterministic=True
            )
        except sqlite3.Error as exc:
            raise StorageError(f"cannot configure database {self.path}: {exc}") from exc

    @property
    def in_use(self) -> bool:
        return self._lock.locked()

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
            "SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations"
        ) as cur:
            row = await cur.fetchone()
        return int(row["version"]) if row else 0

    async def migrate(self, *, target: int | None = None) -> int:
        async with self._lock:
            current = await self._schema_version()
            for migration in self.pending(load_migrations(), current, target):
                await self._apply(migration)
                current = migration.version
            return current

    async def _apply(self, migration: Migration) -> None:
        log.info("applying migration %04d_%s", migration.version, migration.name)
        # executescript() would COMMIT first and run outside our transaction; run statement by
        # statement so a failing migration leaves the database at the previous version.
        await self._conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in migration.statements(SQLITE):
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
        async with self._lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._failed(exc, "cannot start a write") from exc
            try:
                yield UnitOfWork(self._sql, self._conn)
            except sqlite3.Error as exc:
                await self._rollback()
                error = storage_error(exc, "cannot write")
                if error is None:
                    raise
                self.write_error = error
                raise error from exc
            except BaseException:
                await self._rollback()
                raise
            try:
                await self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                await self._rollback()
                raise self._failed(exc, "cannot save changes") from exc
            self.write_error = None

    def _failed(self, exc: sqlite3.Error, doing: str) -> StorageError:
        error = storage_error(exc, doing) or StorageError(f"{doing}: {exc}")
        self.write_error = error
        return error

    async def _rollback(self) -> None:
        # SQLite may already have rolled back by itself (SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY
        # can end the transaction); a second ROLLBACK would then raise "no transaction is
        # active" and hide the error that matters.
        if not self._conn.in_transaction:
            return
        try:
            await self._conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            log.warning("rollback failed: %s", exc)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[UnitOfWork]:
        async with self._lock:
            try:
                yield UnitOfWork(self._sql, self._conn)
            except sqlite3.Error as exc:
                error = storage_error(exc, "cannot read")
                if error is None:
                    raise
                raise error from exc

    async def probe_write(self) -> bool:
        """Writes a row larger than a page (so a full disk shows) in a transaction that is
        rolled back, without waiting on another process's lock (busy_timeout 0)."""
        async with self._lock:
            async with self._conn.execute("PRAGMA busy_timeout") as cur:
                row = await cur.fetchone()
            timeout = int(row["timeout"]) if row else BUSY_TIMEOUT_MS
            try:
                await self._conn.execute("PRAGMA busy_timeout = 0")
                try:
                    await self._conn.execute("BEGIN IMMEDIATE")
                    await self._conn.execute(
                        "INSERT OR REPLACE INTO bot_state (key, value)"
                        " VALUES ('health_probe', zeroblob(16384))"
                    )
                finally:
                    await self._rollback()
                    await self._conn.execute(f"PRAGMA busy_timeout = {timeout}")
            except sqlite3.Error as exc:
                self.write_error = storage_error(exc, "write probe") or StorageError(str(exc))
                return False
            self.write_error = None
            return True

    async def backup(self, target: str | Path) -> None:
        """A consistent online copy (SQLite backup API) while the bot keeps running."""
        async with self._lock:
            dest = await aiosqlite.connect(str(target))
            try:
                await self._conn.backup(dest)
            finally:
                await dest.close()
