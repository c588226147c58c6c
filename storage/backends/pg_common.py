"""What the PostgreSQL backend's parts share: error causes, URLs, client programs."""

from __future__ import annotations

import asyncio
import os
import shutil
from glob import glob
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from storage.core import StorageError

CONNECT_TIMEOUT_S = 10.0

# SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html) that mean "the
# database cannot be used right now"; by full code first, then by class (first two chars).
_BY_CODE = {
    "25006": "readonly",  # read_only_sql_transaction (a standby, default_transaction_read_only)
    "53300": "busy",  # too_many_connections
    "55P03": "busy",  # lock_not_available (lock_timeout)
    "57014": "busy",  # query_canceled (statement_timeout)
    "40P01": "busy",  # deadlock_detected
    "40001": "busy",  # serialization_failure
}
_BY_CLASS = {
    "08": "io",  # connection exception
    "53": "full",  # insufficient resources: disk_full, out_of_memory
    "57": "io",  # operator intervention: admin shutdown, cannot connect now
    "58": "io",  # system error: I/O error
    "XX": "io",  # internal error: data corrupted
}
_EXPLAIN = {
    "busy": "the database is busy (locks, connections)",
    "readonly": "the database is read-only",
    "full": "the database server is out of disk or memory",
    "io": "the database server cannot be reached or read",
}
# Raised by the driver or the network rather than by the server.
# InternalClientError: the driver's state machine on a connection the server just ended.
LINK_ERRORS = (OSError, asyncio.TimeoutError, asyncpg.InterfaceError, asyncpg.InternalClientError)


def storage_error(exc: BaseException, doing: str) -> StorageError | None:
    """The StorageError for ``exc`` when it means the database is unavailable, else None."""
    kind: str | None
    if isinstance(exc, asyncpg.PostgresError):
        code = str(getattr(exc, "sqlstate", "") or "")
        kind = _BY_CODE.get(code) or _BY_CLASS.get(code[:2])
    elif isinstance(exc, LINK_ERRORS):
        kind = "io"
    else:
        kind = None
    if kind is None:
        return None
    return StorageError(f"{_EXPLAIN[kind]} ({doing}: {exc})", kind)


def redacted(url: str) -> str:
    """The URL without its password (for logs and ``Database.path``)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def find_pg_tool(name: str) -> str:
    """A PostgreSQL client program: on PATH, else the newest /usr/lib/postgresql/N/bin."""
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True):
        if os.access(candidate, os.X_OK):
            return candidate
    raise StorageError(f"{name} not found: install the PostgreSQL client (postgresql-client)")
