"""Shared fixtures: a whole sandbox newsroom (fake Bot API + fresh DB + the real bot), and the
storage backends (``backend``: SQLite, and PostgreSQL when a server is given; see
tests/backends.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from fakegram.harness import Sandbox
from tests import backends

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def oecd_text() -> str:
    return (FIXTURES / "oecd_kazakhstan_integrity.txt").read_text(encoding="utf-8")


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with Sandbox(workdir=tmp_path) as world:
        yield world


@pytest.fixture(params=backends.BACKENDS)
async def backend(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[backends.Backend]:
    """Runs the test once per storage backend; ``backends.ACTIVE`` names it meanwhile."""
    dialect = str(request.param)
    server = (
        backends.server_url(backends.POSTGRES_ENV, "PostgreSQL") if dialect != "sqlite" else ""
    )
    chosen = backends.Backend(dialect, tmp_path, server)
    backends.ACTIVE = chosen
    try:
        yield chosen
    finally:
        backends.ACTIVE = None
        await chosen.drop_all()


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_template() -> Iterator[None]:
    yield
    backends.drop_template()
