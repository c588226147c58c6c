"""What every repository shares: statements on the unit of work's connection, never a commit.

``Database.transaction()`` owns BEGIN/COMMIT. Every status change is a conditional UPDATE on the
current status, so two admins (or two processes, or two instances on one PostgreSQL) racing
produce exactly one winner; the methods return ``None`` / ``False`` to the loser.

Repositories run SQL through :class:`Sql`, which SQLite (``storage.backends.sqlite``) and
PostgreSQL (``storage.backends.postgres``) implement. They write one portable dialect: ``?``
placeholders, ``INSERT ... ON CONFLICT ... DO NOTHING/UPDATE`` (never ``INSERT OR IGNORE/REPLACE``
in new code), 0/1 integers for flags, ISO-8601 text for times (``to_iso``), no SQLite-only
functions. The PostgreSQL side translates ``?`` to ``$n``, drops ``INDEXED BY`` hints and turns a
stray ``INSERT OR IGNORE`` into ``ON CONFLICT DO NOTHING``, once per distinct statement (cached).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Entity = TypeVar("Entity", bound="DataclassInstance")


class Row(Protocol):
    """A result row: by column name (what mappers use) or position, and iterable over values.
    Both ``sqlite3.Row`` and ``asyncpg.Record`` are one."""

    def __getitem__(self, key: Any, /) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...


class Sql(Protocol):
    """One connection of one backend, inside the unit of work's transaction (or a read)."""

    #: ``"sqlite"`` or ``"postgresql"``: for the rare statement that must differ.
    dialect: str

    async def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...
    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    async def exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; return the number of rows it changed."""
        ...

    async def insert(self, sql: str, params: Sequence[Any]) -> int | None:
        """Run an INSERT into a table with an ``id`` key; the new row's id, or None when an
        ``ON CONFLICT DO NOTHING`` kept the row out."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...


def to_iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not stored: pass an aware UTC datetime")
    return value.isoformat()


def from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def require_dt(value: Any) -> datetime:
    """A NOT NULL timestamp column as an aware datetime."""
    parsed = from_iso(value)
    if parsed is None:
        raise ValueError("expected a timestamp")
    return parsed


def placeholders(values: Sized) -> str:
    """``?,?,?`` for an ``IN (...)`` over ``values``: the values themselves stay parameters."""
    return ",".join("?" for _ in range(len(values)))


class Mapper(Generic[Entity]):
    """Rows of one table as ``entity``, whose fields are the table's columns (same names).

    ``converters``: the columns stored otherwise than the field holds them (timestamps, flags,
    enums, JSON), by name; the others are taken as they are. ``columns`` is the SELECT list, so
    the names are written once, in the entity.
    """

    def __init__(self, entity: type[Entity], **converters: Callable[[Any], Any]) -> None:
        self._entity = entity
        self._names = tuple(f.name for f in fields(entity))
        self._converters = converters
        self.columns = ", ".join(self._names)

    def __call__(self, row: Row) -> Entity:
        convert = self._converters
        values = {n: convert[n](row[n]) if n in convert else row[n] for n in self._names}
        return self._entity(**values)


class Repo:
    """Rows come back as :class:`Row` and every mapper reads columns by name, so a reordered
    SELECT cannot shift them. Repositories use only the helpers below (never the driver)."""

    def __init__(self, conn: Sql) -> None:
        self._conn = conn

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        return await self._conn.one(sql, params)

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return await self._conn.all(sql, params)

    async def _count(self, sql: str, params: Sequence[Any] = ()) -> int:
        """The ``n`` of a ``SELECT COUNT(*) AS n ...``."""
        row = await self._conn.one(sql, params)
        return int(row["n"]) if row is not None else 0

    async def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; return the number of rows it changed."""
        return await self._conn.exec(sql, params)

    async def _executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._conn.executemany(sql, rows)

    async def _insert(self, sql: str, params: Sequence[Any]) -> int:
        row_id = await self._conn.insert(sql, params)
        if row_id is None:
            raise RuntimeError("insert returned no row id")
        return row_id

    async def _insert_new(self, sql: str, params: Sequence[Any]) -> int | None:
        """An ``INSERT ... ON CONFLICT DO NOTHING``: the new id, or None if it existed."""
        return await self._conn.insert(sql, params)
