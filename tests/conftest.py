"""Shared fixtures: a whole sandbox newsroom (fake Bot API + fresh DB + the real bot)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fakegram.harness import Sandbox

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def oecd_text() -> str:
    return (FIXTURES / "oecd_kazakhstan_integrity.txt").read_text(encoding="utf-8")


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with Sandbox(workdir=tmp_path) as world:
        yield world
