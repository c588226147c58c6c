"""Two bot instances on one database: each due publication is claimed by exactly one of them.

Each "instance" is its own :class:`Database` (its own connection or pool) on the same SQLite
file or PostgreSQL database, as two processes would have. The claim is one conditional UPDATE
(``PublicationRepo.claim``); on PostgreSQL the loser's UPDATE waits for the winner's row lock,
then re-checks its WHERE on the committed row and changes nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from bot.domain import ArticleContent, PublicationStatus
from storage.db import Database
from tests.backends import Backend

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
ROUNDS = 20


@pytest.fixture
async def instances(backend: Backend) -> AsyncIterator[tuple[Database, Database]]:
    target = await backend.new("shared")
    first = await Database.open(target)
    second = await Database.open(target)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def _due_publications(db: Database, count: int) -> list[int]:
    ids = []
    async with db.transaction() as uow:
        channel = await uow.channels.ensure("@news", now=NOW, is_default=True)
        for i in range(count):
            article = await uow.articles.create(
                ArticleContent(title=f"Item {i}", body=("Text.",)),
                author_id=1,
                origin="text",
                now=NOW,
            )
            pub = await uow.publications.schedule(
                article_id=article.id, channel_id=channel.id, due_at=NOW, silent=False, now=NOW
            )
            assert pub is not None
            ids.append(pub.id)
    return ids


async def _claim_all(db: Database, ids: list[int]) -> list[int]:
    won = []
    for pub_id in ids:
        async with db.transaction() as uow:
            if await uow.publications.claim(pub_id, now=NOW + timedelta(seconds=1)):
                won.append(pub_id)
        await asyncio.sleep(0)  # let the other instance in between claims
    return won


async def test_two_instances_racing_claim_each_publication_once(
    instances: tuple[Database, Database],
) -> None:
    first, second = instances
    ids = await _due_publications(first, ROUNDS)
    # Opposite orders too: the instances meet in the middle and contend on every row.
    won = await asyncio.gather(
        _claim_all(first, ids), _claim_all(second, ids), _claim_all(second, ids[::-1])
    )
    claimed = [pub_id for one in won for pub_id in one]
    assert sorted(claimed) == ids  # every one claimed, none twice
    async with second.read() as uow:
        for pub_id in ids:
            pub = await uow.publications.get(pub_id)
            assert pub is not None
            assert pub.status is PublicationStatus.PUBLISHING and pub.attempts == 1


async def _waiting_on_a_lock(url: str, *, budget_s: float = 10.0) -> None:
    """Until some session of this database waits on a lock (the second instance's UPDATE)."""
    observer = await asyncpg.connect(url)
    try:
        deadline = time.monotonic() + budget_s
        while not await observer.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ):
            assert time.monotonic() < deadline, "the second claim never waited on the lock"
            await asyncio.sleep(0.01)
    finally:
        await observer.close()


# Row locks between sessions are PostgreSQL's: SQLite's writers take the whole file in turn.
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_a_claim_waiting_on_the_winners_lock_loses_when_it_commits(
    backend: Backend, instances: tuple[Database, Database]
) -> None:
    first, second = instances
    [pub_id] = await _due_publications(first, 1)
    later = NOW + timedelta(seconds=1)
    async with first.transaction() as uow:
        assert await uow.publications.claim(pub_id, now=later) is not None

        async def second_claims() -> bool:
            async with second.transaction() as other:
                return await other.publications.claim(pub_id, now=later) is not None

        racing = asyncio.create_task(second_claims())
        await _waiting_on_a_lock(backend.created_url("shared"))
        assert not racing.done()
    # The first commits here: the waiting UPDATE re-checks ``status = 'scheduled'`` and loses.
    assert await racing is False
