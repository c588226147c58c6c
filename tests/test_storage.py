"""Storage: migrations (stairway), pragmas, repositories and the unit of work, on SQLite and
PostgreSQL (the ``backend`` fixture; tests/backends.py)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.domain import ArticleContent, ArticleStatus, Photo, PublicationStatus
from storage.backends.pg_common import find_pg_tool
from storage.db import Database, load_migrations
from tests.backends import Backend

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)

_SQLITE_SCHEMA = (
    "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index', 'trigger')"
    " AND name NOT LIKE 'sqlite_%' ORDER BY name"
)
# Columns (in order, with type, nullability and default), indexes and triggers.
_POSTGRES_SCHEMA = (
    "SELECT table_name || '.' || lpad(ordinal_position::text, 3, '0') || '.' || column_name,"
    " data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '')"
    " FROM information_schema.columns WHERE table_schema = 'public'"
    " UNION ALL SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
    " UNION ALL SELECT trigger_name || '.' || event_manipulation, action_statement"
    " FROM information_schema.triggers WHERE trigger_schema = 'public'"
    " UNION ALL SELECT conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)"
    " FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1"
)


async def _tables(db: Database) -> dict[str, str]:
    query = _SQLITE_SCHEMA if db.dialect == "sqlite" else _POSTGRES_SCHEMA
    async with db.read() as uow:
        return {row[0]: row[1] for row in await uow.sql.all(query)}


async def test_migrations_apply_to_empty_db_and_from_every_older_version(
    backend: Backend,
) -> None:
    migrations = load_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    fresh = await Database.open(await backend.new("fresh", empty=True))
    try:
        assert await fresh.schema_version() == len(migrations)
        reference = await _tables(fresh)
        assert "articles" in str(reference) and "audit_log" in str(reference)
    finally:
        await fresh.close()
    for start in range(len(migrations)):
        db = await Database.open(await backend.new(f"from{start}", empty=True), migrate=False)
        try:
            assert await db.migrate(target=start) == start
            assert await db.migrate() == len(migrations)
            assert await _tables(db) == reference
            # Applying again is a no-op.
            assert await db.migrate() == len(migrations)
        finally:
            await db.close()


async def test_pragmas(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "p.sqlite3")
    try:
        async with db.read() as uow:
            for pragma, expected in (
                ("journal_mode", "wal"),
                ("foreign_keys", 1),
                ("synchronous", 1),
                ("busy_timeout", 5000),
            ):
                async with uow.conn.execute(f"PRAGMA {pragma}") as cur:
                    row = await cur.fetchone()
                assert row is not None and row[0] == expected, pragma
    finally:
        await db.close()


@pytest.fixture
async def db(backend: Backend) -> Database:
    database = await Database.open(await backend.new("t"))
    yield database  # type: ignore[misc]
    await database.close()


CONTENT = ArticleContent(
    title="Title <b>&",
    lead="Lead",
    body=("One.", "Two."),
    photos=(Photo(ref="abc", width=10, height=20, file_size=30),),
    source_name="El.kz",
    tags=("a", "b"),
    published_at=NOW,
    language="ru",
)


async def test_article_roundtrip_and_conditional_transitions(db: Database) -> None:
    async with db.transaction() as uow:
        article = await uow.articles.create(CONTENT, author_id=7, origin="text", now=NOW)
    assert article.content == CONTENT
    assert article.status is ArticleStatus.DRAFT
    async with db.transaction() as uow:
        first = await uow.articles.transition(
            article.id,
            allowed_from=(ArticleStatus.DRAFT,),
            to=ArticleStatus.PENDING,
            now=NOW,
        )
        second = await uow.articles.transition(
            article.id,
            allowed_from=(ArticleStatus.DRAFT,),
            to=ArticleStatus.PENDING,
            now=NOW,
        )
    assert first is not None and first.status is ArticleStatus.PENDING
    assert first.submitted_at == NOW
    assert second is None


async def test_racing_decisions_have_one_winner(db: Database) -> None:
    async with db.transaction() as uow:
        article = await uow.articles.create(
            CONTENT, author_id=1, origin="text", now=NOW, status=ArticleStatus.PENDING
        )

    async def decide(actor: int, to: ArticleStatus) -> bool:
        async with db.transaction() as uow:
            won = await uow.articles.transition(
                article.id,
                allowed_from=(ArticleStatus.PENDING,),
                to=to,
                now=NOW,
                actor_id=actor,
            )
        return won is not None

    results = await asyncio.gather(
        decide(10, ArticleStatus.SCHEDULED), decide(11, ArticleStatus.REJECTED)
    )
    assert sorted(results) == [False, True]


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as uow:
            await uow.articles.create(CONTENT, author_id=1, origin="text", now=NOW)
            raise RuntimeError("boom")
    async with db.read() as uow:
        items, total = await uow.articles.page()
    assert total == 0 and items == []


async def test_publication_claim_is_exactly_once(db: Database) -> None:
    async with db.transaction() as uow:
        article = await uow.articles.create(CONTENT, author_id=1, origin="text", now=NOW)
        channel = await uow.channels.ensure("@news", now=NOW, is_default=True)
        pub = await uow.publications.schedule(
            article_id=article.id, channel_id=channel.id, due_at=NOW, silent=False, now=NOW
        )
    assert pub is not None
    async with db.transaction() as uow:
        assert await uow.publications.next_due_at() == NOW
        early = await uow.publications.claim(pub.id, now=NOW - timedelta(seconds=1))
        claimed = await uow.publications.claim(pub.id, now=NOW)
        again = await uow.publications.claim(pub.id, now=NOW)
    assert early is None
    assert claimed is not None and claimed.status is PublicationStatus.PUBLISHING
    assert again is None
    async with db.transaction() as uow:
        assert await uow.publications.finish(pub.id, message_ids=[5, 6], link="l", now=NOW)
        # A published row cannot be re-armed by scheduling again.
        assert (
            await uow.publications.schedule(
                article_id=article.id, channel_id=channel.id, due_at=NOW, silent=False, now=NOW
            )
            is None
        )
        done = await uow.publications.get(pub.id)
    assert done is not None and done.message_ids == (5, 6)


async def test_audit_log_is_append_only(db: Database) -> None:
    async with db.transaction() as uow:
        await uow.audit.append(now=NOW, actor_id=1, article_id=None, action="x")
    refused = (sqlite3.IntegrityError, asyncpg.RaiseError)
    with pytest.raises(refused, match="append-only"):
        async with db.transaction() as uow:
            await uow.sql.exec("UPDATE audit_log SET action = 'y'")
    with pytest.raises(refused, match="append-only"):
        async with db.transaction() as uow:
            await uow.sql.exec("DELETE FROM audit_log")
    async with db.read() as uow:
        entries = await uow.sql.all("SELECT action FROM audit_log")
    assert [e["action"] for e in entries] == ["x"]


async def test_feed_items_are_seen_once(db: Database) -> None:
    async with db.transaction() as uow:
        feed = await uow.feeds.add(
            "https://example.org/rss", mode="review", interval_s=60, added_by=1, now=NOW
        )
        assert feed is not None
        assert (
            await uow.feeds.add(
                "https://example.org/rss", mode="review", interval_s=60, added_by=1, now=NOW
            )
            is None
        )
        assert await uow.feeds.mark_seen(feed.id, "guid-1", article_id=None, now=NOW)
        assert not await uow.feeds.mark_seen(feed.id, "guid-1", article_id=None, now=NOW)


async def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="naive"):
        async with db.transaction() as uow:
            await uow.articles.create(
                CONTENT,
                author_id=1,
                origin="text",
                now=datetime(2026, 1, 1),  # noqa: DTZ001
            )


async def test_backup_is_a_consistent_copy(db: Database, backend: Backend, tmp_path: Path) -> None:
    async with db.transaction() as uow:
        await uow.articles.create(CONTENT, author_id=1, origin="text", now=NOW)
    target = tmp_path / "backup.dump"
    await db.backup(target)
    if db.dialect == "sqlite":
        restored = str(target)
    else:  # a pg_dump archive: restored into an empty database with pg_restore
        restored = await backend.new("restored", empty=True)
        proc = await asyncio.create_subprocess_exec(
            find_pg_tool("pg_restore"), "--no-owner", f"--dbname={restored}", str(target)
        )
        assert await proc.wait() == 0
    copy = await Database.open(restored, migrate=False)
    try:
        assert await copy.schema_version() == len(load_migrations())
        async with copy.read() as uow:
            _items, total = await uow.articles.page()
        assert total == 1
    finally:
        await copy.close()
