"""The database: which backend (from ``DATABASE_URL``), migrations, and the unit of work.

``Database.open(target)`` takes a path or ``sqlite:///path`` (SQLite, one process: the
embedded default) or ``postgresql://...`` (asyncpg: any number of instances share it). Both
backends run the same repositories (``storage.base``) and the same migration history
(``storage.schema``); ``storage.backends.sqlite`` and ``storage.backends.postgres`` hold what
differs (connections, locking, error causes, backups), ``storage.core`` what they share.

The unit of work owns the transaction: repositories only execute statements on the connection
they are given and never commit. ``transaction()`` commits when the block ends and rolls back if
it raises; a statement that fails because the database is unavailable (locked past the busy
timeout, read-only, disk full, I/O error, server gone) rolls the whole transaction back and
raises :class:`StorageError`: nothing of the block is kept.
"""

from __future__ import annotations

from storage.backends.sqlite import SqliteDatabase
from storage.core import Database, StorageError, UnitOfWork, parse_database_url, register_backend
from storage.schema import POSTGRESQL, SQLITE, Migration, load_migrations

__all__ = [
    "Database",
    "Migration",
    "SqliteDatabase",
    "StorageError",
    "UnitOfWork",
    "load_migrations",
    "parse_database_url",
]


async def _connect_postgres(url: str) -> Database:
    # Imported on first use: an embedded (SQLite) bot does not load asyncpg (~2.5 MB RSS).
    from storage.backends.postgres import PostgresDatabase

    return await PostgresDatabase.connect(url)


register_backend(SQLITE, SqliteDatabase.connect)
register_backend(POSTGRESQL, _connect_postgres)
