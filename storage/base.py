"""What every repository shares: statements on the unit of work's connection, never a commit.

``Database.transaction()`` owns BEGIN/COMMIT. Every status change is a conditional UPDATE on the
current status, so two admins (or two processes) racing produce exactly one winner; the methods
return ``None`` / ``False`` to the loser.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence, Sized
from dataclasses import fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import aiosqlite

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Entity = TypeVar("Entity", bound="DataclassInstance")


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

    ``converters``: the columns SQLite stores otherwise than the field holds them (timestamps,
    flags, enums, JSON), by name; the others are taken as they are. ``columns`` is the SELECT
    list, so the names are written once, in the entity.
    """

    def __init__(self, entity: type[Entity], **converters: Callable[[Any], Any]) -> None:
        self._entity = entity
        self._names = tuple(f.name for f in fields(entity))
        self._converters = converters
        self.columns = ", ".join(self._names)

    def __call__(self, row: sqlite3.Row) -> Entity:
        convert = self._converters
        values = {n: convert[n](row[n]) if n in convert else row[n] for n in self._names}
        return self._entity(**values)


class Repo:
    """Rows come back as :class:`sqlite3.Row` (``Database.open`` sets the connection's row
    factory), so every mapper reads columns by name and a reordered SELECT cannot shift them."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        async with self._conn.execute(sql, params) as cur:
            return await cur.fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        async with self._conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def _count(self, sql: str, params: Sequence[Any] = ()) -> int:
        """The ``n`` of a ``SELECT COUNT(*) AS n ...``."""
        row = await self._one(sql, params)
        return int(row["n"]) if row is not None else 0

    async def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; return the number of rows it changed."""
        async with self._conn.execute(sql, params) as cur:
            return cur.rowcount

    async def _insert(self, sql: str, params: Sequence[Any]) -> int:
        async with self._conn.execute(sql, params) as cur:
            if cur.lastrowid is None:  # pragma: no cover - sqlite always sets it for INSERT
                raise RuntimeError("insert returned no row id")
            return cur.lastrowid
