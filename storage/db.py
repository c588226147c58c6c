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

from storage.articles import ArticleRepo
from storage.audit import AuditRepo
from storage.channels import ChannelRepo
from storage.feeds import FeedRepo
from storage.messages import MessageRepo
from storage.prefs import PrefsRepo
from storage.publications import PublicationRepo
from storage.state import StateRepo
from storage.titles import band_keys_json, fold_title
from storage.users import UserRepo

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class StorageError(Exception):
    """The database cannot be used (read-only file, disk full, locked): a clear, loggable cause.

    ``kind`` is what the person and the log are told: ``"busy"`` (another process holds the
    write lock longer than the busy timeout: try again), ``"readonly"``, ``"full"`` (disk or
    ``max_page_count``), ``"io"`` (I/O error, corrupt or vanished file) or ``"other"``.
    """

    def __init__(self, message: str, kind: str = "other") -> None:
        super().__init__(message)
        self.kind = kind


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
        self.prefs = PrefsRepo(conn)


class Database:
    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path
        #: Why the last write failed; None once a write went through again (health reads it).
        self.write_error: StorageError | None = None

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
        # Repositories map rows by column name (row["status"]), never by position.
        conn.row_factory = aiosqlite.Row
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
        """Whether a transaction or read is running on the connection right now (for tests
        that move a fake clock only while the bot waits on nothing but the clock)."""
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
        """A write transaction: commits when the block ends, rolls back if it raises.

        A statement that fails because the database is unavailable (locked past the busy
        timeout, read-only, disk full, I/O error) rolls the whole transaction back and raises
        :class:`StorageError`: nothing of the block is kept.
        """
        async with self._lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._failed(exc, "cannot start a write") from exc
            try:
                yield UnitOfWork(self._conn)
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
        """Reads outside a transaction (each statement sees committed data only)."""
        async with self._lock:
            try:
                yield UnitOfWork(self._conn)
            except sqlite3.Error as exc:
                error = storage_error(exc, "cannot read")
                if error is None:
                    raise
                raise error from exc

    async def probe_write(self) -> bool:
        """Whether a write would go through now, without waiting on another process's lock.

        Writes a row larger than a page (so a full disk shows) in a transaction that is rolled
        back: nothing is kept. Updates :attr:`write_error`. For the health check, after a write
        failed: reads alone cannot tell that the cause went away.
        """
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
