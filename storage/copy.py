"""Copy a SQLite database into an empty PostgreSQL one (``python -m bot copy-db URL``).

For moving an embedded install to PostgreSQL: stop the bot, copy, point ``DATABASE_URL`` at
the copy, start the instances. Both databases are first brought to the same (latest) schema
version; every table the SQLite file has (those of migrations added later too) is copied by
column name, parents before children (foreign keys), in one PostgreSQL transaction: a copy
that fails leaves the target empty. The identity sequences then continue after the copied ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from storage.base import Sql
from storage.core import Database

BATCH = 1000
_SKIPPED = ("schema_migrations",)


class CopyError(Exception):
    """The copy cannot be made (wrong backends, versions differ, target not empty)."""


async def copy_database(source: Database, target: Database) -> dict[str, int]:
    """Copy every row of ``source`` (SQLite) into ``target`` (PostgreSQL); rows per table."""
    if source.dialect != "sqlite" or target.dialect != "postgresql":
        raise CopyError("copies a SQLite database into a PostgreSQL one")
    version = await source.migrate()
    if await target.migrate() != version:
        raise CopyError("the two databases are at different schema versions")
    tables = await _tables_in_order(source)
    copied: dict[str, int] = {}
    async with target.transaction() as out:
        for table in tables:
            rows = await out.sql.one(f"SELECT COUNT(*) AS n FROM {table}")
            if rows is not None and rows["n"]:
                raise CopyError(f"the target is not empty: {table} has rows")
        async with source.read() as src:
            for table in tables:
                columns = await _shared_columns(src.conn, out.sql, table)
                names = ", ".join(columns)
                insert = (
                    f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})"
                )
                copied[table] = 0
                async with src.conn.execute(f"SELECT {names} FROM {table}") as cur:
                    while batch := await cur.fetchmany(BATCH):
                        await out.sql.executemany(insert, [tuple(r) for r in batch])
                        copied[table] += len(batch)
        for table in tables:
            await _continue_identity(out.sql, table)
    return copied


async def _tables_in_order(db: Database) -> list[str]:
    """The SQLite file's tables, each after the tables it references."""
    async with db.read() as uow:
        rows = await uow.sql.all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
        names = [str(r["name"]) for r in rows if r["name"] not in _SKIPPED]
        parents = {
            name: {
                str(fk["table"]) for fk in await uow.sql.all(f"PRAGMA foreign_key_list({name})")
            }
            for name in names
        }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] - {n} <= set(ordered) | {""}]
        if not ready:
            raise CopyError(f"foreign keys form a cycle among {sorted(set(names) - set(ordered))}")
        ordered.extend(ready)
    return ordered


async def _shared_columns(source: Any, target: Sql, table: str) -> list[str]:
    """The SQLite table's columns (``source``: its aiosqlite connection), all of which the
    PostgreSQL table must have."""
    wanted = [str(r["name"]) for r in await source.execute_fetchall(f"PRAGMA table_info({table})")]
    found = await target.all(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ?",
        (table,),
    )
    present = {str(r["column_name"]) for r in found}
    missing = [c for c in wanted if c not in present]
    if missing:
        raise CopyError(f"{table}: the target has no column {', '.join(missing)}")
    return wanted


async def _continue_identity(sql: Sql, table: str) -> None:
    """After explicit ids, the next generated id follows the largest copied one."""
    row = await sql.one(
        "SELECT pg_get_serial_sequence(CAST(? AS TEXT), 'id') AS seq"
        " FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = ? AND column_name = 'id'",
        (table, table),
    )
    if row is None or row["seq"] is None:
        return
    await sql.one(
        f"SELECT setval(CAST(CAST(? AS TEXT) AS regclass),"
        f" COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)",
        (row["seq"],),
    )


def summary(copied: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{table} {count}" for table, count in copied)
