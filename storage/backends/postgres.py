"""PostgreSQL through asyncpg: a connection pool, shared by any number of bot instances.

Transactions run at READ COMMITTED. That keeps today's guarantees because every decision is a
conditional UPDATE on the current status (``storage.base``): a second instance's UPDATE of the
same row waits for the first to commit, then re-checks its WHERE on the new row version and
changes nothing -- exactly one winner, across processes and machines, with no retry loop.
Migrations take an advisory lock, so instances starting together apply each version once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from storage.backends.pg_common import (
    CONNECT_TIMEOUT_S,
    LINK_ERRORS,
    find_pg_tool,
    redacted,
    storage_error,
)
from storage.backends.pg_leadership import AdvisoryLeadership
from storage.backends.pg_listen import Listener
from storage.base import Row
from storage.core import Database, Leadership, StorageError, UnitOfWork
from storage.schema import POSTGRESQL, Migration, load_migrations, query_to_postgres

log = logging.getLogger(__name__)

POOL_SIZE = 10
# Any constant of our own: pg_advisory_lock keys are one bigint per database.
_MIGRATION_LOCK = 0x6E_65_77_73  # "news"
# Look-alike titles from a GIN trigram index (``ArticleRepo.duplicate_candidates``). Set up at
# start-up, not by a migration: a server without the contrib package, or a role that may not
# create extensions, still runs (on the portable band keys, with one warning).
_TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS articles_title_trgm ON articles"
    " USING gin (title_folded gin_trgm_ops) WHERE title_folded <> ''"
)
_trigram_warned = False


def _rowcount(status: str) -> int:
    """The row count of a command status: ``UPDATE 3``, ``INSERT 0 1``, ``DELETE 0``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class PgSql:
    """:class:`storage.base.Sql` on an asyncpg connection; statements translated once each."""

    dialect = POSTGRESQL

    def __init__(self, conn: Any, *, trigram: bool = False) -> None:
        self.raw = conn
        #: pg_trgm and ``articles_title_trgm`` are there: duplicate candidates come from them.
        self.trigram = trigram

    async def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        row: Row | None = await self.raw.fetchrow(query_to_postgres(sql), *params)
        return row

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self.raw.fetch(query_to_postgres(sql), *params))

    async def exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        return _rowcount(await self.raw.execute(query_to_postgres(sql), *params))

    async def insert(self, sql: str, params: Sequence[Any]) -> int | None:
        row_id = await self.raw.fetchval(query_to_postgres(sql, returning_id=True), *params)
        return None if row_id is None else int(row_id)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self.raw.executemany(query_to_postgres(sql), list(rows))


class PostgresDatabase(Database):
    dialect = POSTGRESQL

    def __init__(self, pool: Any, url: str) -> None:
        super().__init__(redacted(url))
        self._pool = pool
        self._url = url
        self._active = 0
        self.trigram = False  # set by migrate() once the schema is current (_setup_trigram)

    @classmethod
    async def connect(cls, url: str) -> PostgresDatabase:
        try:
            pool = await asyncpg.create_pool(
                url,
                min_size=1,
                max_size=POOL_SIZE,
                timeout=CONNECT_TIMEOUT_S,
                # Dynamic IN (...) lists make a few hundred distinct statements.
                statement_cache_size=1024,
                server_settings={"application_name": "newsroom-bot"},
            )
        except (asyncpg.PostgresError, *LINK_ERRORS) as exc:
            raise StorageError(f"cannot open database {redacted(url)}: {exc}", "io") from exc
        return cls(pool, url)

    @property
    def in_use(self) -> bool:
        return self._active > 0

    async def close(self) -> None:
        try:
            await asyncio.wait_for(self._pool.close(), timeout=CONNECT_TIMEOUT_S)
        except TimeoutError:
            self._pool.terminate()

    async def schema_version(self) -> int:
        async with self._pool.acquire() as conn:
            return await self._schema_version(conn)

    @staticmethod
    async def _schema_version(conn: Any) -> int:
        exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
        if not exists:
            return 0
        return int(await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))

    async def migrate(self, *, target: int | None = None) -> int:
        async with self._pool.acquire() as conn:
            # Two instances starting together: the second waits here, then finds it done.
            await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
            try:
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                current = await self._schema_version(conn)
                migrations = load_migrations()
                for migration in self.pending(migrations, current, target):
                    await self._apply(conn, migration)
                    current = migration.version
                if migrations and current == migrations[-1].version:
                    self.trigram = await _setup_trigram(conn)
                return current
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)

    @staticmethod
    async def _apply(conn: Any, migration: Migration) -> None:
        log.info("applying migration %04d_%s", migration.version, migration.name)
        # DDL is transactional in PostgreSQL: a failing migration leaves the previous version.
        async with conn.transaction():
            for statement in migration.statements(POSTGRESQL):
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                migration.version,
                migration.name,
                datetime.now(UTC).isoformat(),
            )

    @asynccontextmanager
    async def _connection(self, doing: str) -> AsyncIterator[Any]:
        self._active += 1
        try:
            try:
                conn = await self._pool.acquire()
            except (asyncpg.PostgresError, *LINK_ERRORS) as exc:
                error = storage_error(exc, doing) or StorageError(f"{doing}: {exc}")
                raise error from exc
            try:
                yield conn
            finally:
                # A connection left inside a transaction (a cancelled block) is rolled back or
                # closed by the pool on release.
                await self._pool.release(conn)
        finally:
            self._active -= 1

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[UnitOfWork]:
        async with self._connection("cannot start a write") as conn:
            tx = conn.transaction()
            try:
                await tx.start()
            except (asyncpg.PostgresError, *LINK_ERRORS) as exc:
                raise self._failed(exc, "cannot start a write") from exc
            try:
                yield UnitOfWork(PgSql(conn, trigram=self.trigram), conn)
            except (asyncpg.PostgresError, *LINK_ERRORS) as exc:
                await _rollback(tx)
                error = storage_error(exc, "cannot write")
                if error is None:
                    raise
                self.write_error = error
                raise error from exc
            except BaseException:
                await _rollback(tx)
                raise
            try:
                await tx.commit()
            except (asyncpg.PostgresError, *LINK_ERRORS) as exc:
                await _rollback(tx)
                raise self._failed(exc, "cannot save changes") from exc
            self.write_error = None

    def _failed(self, exc: BaseException, doing: str) -> StorageError:
        error = storage_error(exc, doing) or StorageError(f"{doing}: {exc}")
        self.write_error = error
        return error

    @asynccontextmanager
    async def read(self) -> AsyncIterator[UnitOfWork]:
        async with self._connection("cannot read") as conn:
            try:
                yield UnitOfWork(PgSql(conn, trigram=self.trigram), conn)
            except (asyncpg.PostgresError, *LINK_ERRORS) as exc:
                error = storage_error(exc, "cannot read")
                if error is None:
                    raise
                raise error from exc

    async def probe_write(self) -> bool:
        """A 16 KiB write rolled back, waiting at most half a second on another's lock."""
        try:
            async with self._connection("write probe") as conn:
                tx = conn.transaction()
                await tx.start()
                try:
                    await conn.execute("SET LOCAL lock_timeout = '500ms'")
                    await conn.execute(
                        "INSERT INTO bot_state (key, value)"
                        " VALUES ('health_probe', repeat('x', 16384))"
                        " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
                    )
                finally:
                    await _rollback(tx)
        except (StorageError, asyncpg.PostgresError, *LINK_ERRORS) as exc:
            if isinstance(exc, StorageError):
                self.write_error = exc
            else:
                self.write_error = storage_error(exc, "write probe") or StorageError(str(exc))
            return False
        self.write_error = None
        return True

    def leadership(self, name: str) -> Leadership:
        return AdvisoryLeadership(self._url, name)

    async def notify(self, channel: str) -> None:
        """``pg_notify`` outside any transaction: sent at once (callers notify after their
        change committed). A failure is logged: listeners still wake on their own timers."""
        try:
            async with self._connection("notify") as conn:
                await conn.execute("SELECT pg_notify($1, '')", channel)
        except (StorageError, asyncpg.PostgresError, *LINK_ERRORS) as exc:
            log.warning("cannot notify %s: %s", channel, exc)

    async def listen(
        self, channel: str, wake: Callable[[], None]
    ) -> Callable[[], Awaitable[None]]:
        listener = Listener(self._url, channel, wake)
        await listener.start()
        return listener.stop

    async def backup(self, target: str | Path) -> None:
        """``pg_dump --format=custom`` of the whole database (restore with ``pg_restore``):
        one consistent snapshot, taken while the bot keeps running."""
        pg_dump = find_pg_tool("pg_dump")
        proc = await asyncio.create_subprocess_exec(
            pg_dump,
            "--format=custom",
            "--no-owner",
            f"--file={target}",
            f"--dbname={self._url}",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await proc.communicate()
        if proc.returncode != 0:
            raise StorageError(f"pg_dump failed: {err.decode(errors='replace').strip()}", "io")


async def _setup_trigram(conn: Any) -> bool:
    """pg_trgm and the title index, each made only when missing (under the migration lock:
    instances starting together build it once); False, with one warning per process, when the
    extension cannot be had or gives non-ASCII titles no trigrams (a database whose LC_CTYPE is
    C: Cyrillic letters would not count as word characters)."""
    global _trigram_warned
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"):
            await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        if not await conn.fetchval("SELECT cardinality(show_trgm('ёж')) > 0"):
            raise _NoTrigrams("non-ASCII letters make no trigrams (LC_CTYPE C?)")
        if await conn.fetchval("SELECT to_regclass('articles_title_trgm')") is None:
            # A plain build: it blocks writes to articles while it runs, once, at the first
            # start of a version that has it (CONCURRENTLY could leave an invalid index that
            # IF NOT EXISTS would then keep).
            await conn.execute(_TRIGRAM_INDEX)
    except (asyncpg.PostgresError, _NoTrigrams) as exc:
        if not _trigram_warned:
            _trigram_warned = True
            log.warning("pg_trgm unavailable, duplicate titles by band keys instead: %s", exc)
        return False
    return True


class _NoTrigrams(Exception):
    pass


async def _rollback(tx: Any) -> None:
    try:
        await tx.rollback()
    except (asyncpg.PostgresError, *LINK_ERRORS) as exc:
        log.warning("rollback failed: %s", exc)
