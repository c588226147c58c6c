"""What both backends share: the Database interface, the unit of work, StorageError.

Import :class:`Database` from ``storage.db``, which registers the backends with it.

``storage.db`` describes the whole; this module holds no backend of its own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, ClassVar

from storage.articles import ArticleRepo
from storage.audit import AuditRepo
from storage.base import Sql
from storage.channels import ChannelRepo
from storage.feeds import FeedRepo
from storage.instances import InstanceRepo
from storage.messages import MessageRepo
from storage.prefs import PrefsRepo
from storage.publications import PublicationRepo
from storage.reactions import ReactionRepo
from storage.schema import POSTGRESQL, SQLITE, Migration
from storage.state import StateRepo
from storage.tips import TipRepo
from storage.users import UserRepo


class StorageError(Exception):
    """The database cannot be used (read-only, disk full, locked, unreachable): a clear,
    loggable cause.

    ``kind`` is what the person and the log are told: ``"busy"`` (another process holds the
    write lock longer than the busy timeout: try again), ``"readonly"``, ``"full"`` (disk or
    ``max_page_count``), ``"io"`` (I/O error, corrupt or vanished file, server unreachable) or
    ``"other"``.
    """

    def __init__(self, message: str, kind: str = "other") -> None:
        super().__init__(message)
        self.kind = kind


def parse_database_url(target: str | Path) -> tuple[str, str]:
    """``(dialect, where)`` for a ``DATABASE_URL`` or a plain path.

    ``sqlite:///data/x.sqlite3`` is the relative path ``data/x.sqlite3``, ``sqlite:////srv/x``
    the absolute ``/srv/x`` (SQLAlchemy's spelling); ``postgresql://`` and ``postgres://``
    URLs go to asyncpg as they are; anything else without a scheme is a SQLite file path.
    """
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        return POSTGRESQL, text
    if text.startswith("sqlite://"):
        path = text.removeprefix("sqlite://")
        if not path.startswith("/") or path == "/":
            raise ValueError("expected sqlite:///relative/path or sqlite:////absolute/path")
        return SQLITE, path[1:]
    if "://" in text:
        raise ValueError("expected sqlite:///path or postgresql://user@host/dbname")
    return SQLITE, text


class UnitOfWork:
    """Repositories bound to one connection inside one transaction (or one read)."""

    def __init__(self, sql: Sql, raw: Any) -> None:
        self.sql = sql
        #: The driver's own connection (aiosqlite or asyncpg): only for backend-specific tests
        #: and benches; the bot goes through the repositories.
        self.conn = raw
        self.articles = ArticleRepo(sql)
        self.publications = PublicationRepo(sql)
        self.users = UserRepo(sql)
        self.channels = ChannelRepo(sql)
        self.feeds = FeedRepo(sql)
        self.audit = AuditRepo(sql)
        self.state = StateRepo(sql)
        self.messages = MessageRepo(sql)
        self.prefs = PrefsRepo(sql)
        self.tips = TipRepo(sql)
        self.reactions = ReactionRepo(sql)
        self.instances = InstanceRepo(sql)

    async def ping(self) -> bool:
        """Whether a trivial statement answers (the health check)."""
        row = await self.sql.one("SELECT 1 AS ok")
        return row is not None and row["ok"] == 1


class Leadership(ABC):
    """One holder at a time among the instances sharing the database (the long poller).

    ``try_acquire`` never waits; a holder checks ``still_held`` now and then and stops its work
    when it is False (its database session died, so another instance may hold it now).
    """

    @abstractmethod
    async def try_acquire(self) -> bool: ...

    @abstractmethod
    async def still_held(self) -> bool: ...

    @abstractmethod
    async def release(self) -> None: ...


class ProcessLeadership(Leadership):
    """SQLite: one process owns the file, so it always leads."""

    def __init__(self) -> None:
        self._held = False

    async def try_acquire(self) -> bool:
        self._held = True
        return True

    async def still_held(self) -> bool:
        return self._held

    async def release(self) -> None:
        self._held = False


Connect = Callable[[str], Awaitable["Database"]]
# Filled by storage.db (backends import this module, so it cannot import them).
_CONNECT: dict[str, Connect] = {}


def register_backend(dialect: str, connect: Connect) -> None:
    _CONNECT[dialect] = connect


class Database(ABC):
    """What the bot uses; :meth:`open` returns the backend's subclass."""

    #: ``"sqlite"`` or ``"postgresql"`` (health reports it).
    dialect: ClassVar[str] = ""

    def __init__(self, where: str) -> None:
        #: The SQLite file, or the PostgreSQL URL without its password.
        self.path = where
        #: Why the last write failed; None once a write went through again (health reads it).
        self.write_error: StorageError | None = None

    @classmethod
    async def open(cls, target: str | Path, *, migrate: bool = True) -> Database:
        try:
            dialect, where = parse_database_url(target)
        except ValueError as exc:
            raise StorageError(f"DATABASE_URL: {exc}") from exc
        db = await _CONNECT[dialect](where)
        if migrate:
            try:
                await db.migrate()
            except BaseException:
                await db.close()
                raise
        return db

    @staticmethod
    def pending(
        migrations: Sequence[Migration], current: int, target: int | None
    ) -> Iterator[Migration]:
        """The migrations above ``current``, up to ``target``, in order."""
        for migration in migrations:
            if migration.version <= current:
                continue
            if target is not None and migration.version > target:
                break
            yield migration

    @property
    @abstractmethod
    def in_use(self) -> bool:
        """Whether a transaction or read is running right now (for tests that move a fake
        clock only while the bot waits on nothing but the clock)."""
        ...

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def schema_version(self) -> int: ...

    @abstractmethod
    async def migrate(self, *, target: int | None = None) -> int:
        """Apply every migration above the recorded version (up to ``target``); return it."""
        ...

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """A write transaction: commits when the block ends, rolls back if it raises."""
        ...

    @abstractmethod
    def read(self) -> AbstractAsyncContextManager[UnitOfWork]:
        """Reads outside a transaction (each statement sees committed data only)."""
        ...

    @abstractmethod
    async def probe_write(self) -> bool:
        """Whether a write would go through now, without waiting on another's lock.

        Nothing is kept. Updates :attr:`write_error`. For the health check, after a write
        failed: reads alone cannot tell that the cause went away.
        """
        ...

    async def notify(self, channel: str) -> None:
        """Tell every instance listening on ``channel`` (PostgreSQL ``NOTIFY``). With SQLite
        there is no other instance: nothing to do."""
        return

    async def listen(
        self, channel: str, wake: Callable[[], None]
    ) -> Callable[[], Awaitable[None]]:
        """Call ``wake`` whenever any instance notifies ``channel``; returns the stop function.
        With SQLite nobody else notifies: nothing to listen to."""

        async def stop() -> None:
            return None

        return stop

    def leadership(self, name: str) -> Leadership:
        """Who among the instances sharing this database does ``name`` (one at a time)."""
        return ProcessLeadership()

    @abstractmethod
    async def backup(self, target: str | Path) -> None:
        """A consistent online copy while the bot keeps running."""
        ...
