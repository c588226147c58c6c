"""``python -m bot copy-db``: a SQLite newsroom copied into an empty PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import ArticleContent, ArticleStatus
from storage.copy import CopyError, copy_database
from storage.db import Database
from tests.backends import Backend

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
TABLES = (
    "users",
    "channels",
    "articles",
    "publications",
    "feeds",
    "feed_items",
    "audit_log",
    "bot_state",
    "article_messages",
    "article_channels",
    "editor_prefs",
    "title_keys",
)

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


async def _newsroom(path: Path) -> None:
    db = await Database.open(path)
    try:
        async with db.transaction() as uow:
            await uow.users.put(7_000_000_001, role="admin", now=NOW, added_by=None, name="A")
            channel = await uow.channels.ensure(
                "@news", now=NOW, chat_id=-1001234567890, is_default=True
            )
            for i in range(3):
                article = await uow.articles.create(
                    ArticleContent(title=f"Газпром снизил добычу {i}", body=("Текст.",)),
                    author_id=7_000_000_001,
                    origin="text",
                    now=NOW,
                )
                await uow.publications.schedule(
                    article_id=article.id, channel_id=channel.id, due_at=NOW, silent=False, now=NOW
                )
                await uow.messages.add(
                    article_id=article.id, kind="card", chat_id=-1001, message_id=i + 1, now=NOW
                )
                await uow.audit.append(
                    now=NOW, actor_id=1, article_id=article.id, action="created"
                )
            await uow.channels.toggle_chosen(article.id, channel.id)
            feed = await uow.feeds.add(
                "https://example.org/rss", mode="review", interval_s=60, added_by=1, now=NOW
            )
            assert feed is not None
            await uow.feeds.mark_seen(feed.id, "guid", article_id=article.id, now=NOW)
            await uow.state.set("paused", "0")
            await uow.prefs.set_default_source(7_000_000_001, "El.kz", now=NOW)
            # A gap in the ids: the copy keeps ids, and new ones go after the largest.
            await uow.articles.transition(
                article.id, allowed_from=(ArticleStatus.DRAFT,), to=ArticleStatus.DELETED, now=NOW
            )
    finally:
        await db.close()


async def _counts(db: Database) -> dict[str, int]:
    async with db.read() as uow:
        return {
            t: int((await uow.sql.one(f"SELECT COUNT(*) AS n FROM {t}"))["n"])  # type: ignore[index]
            for t in TABLES
        }


async def test_every_row_is_copied_and_new_ids_follow(backend: Backend, tmp_path: Path) -> None:
    path = tmp_path / "newsroom.sqlite3"
    await _newsroom(path)
    source = await Database.open(path)
    target = await Database.open(await backend.new("copy", empty=True))
    try:
        copied = await copy_database(source, target)
        expected = await _counts(source)
        assert {t: copied[t] for t in TABLES} == expected
        assert await _counts(target) == expected
        assert all(expected.values())  # every table had something to copy
        async with target.transaction() as uow:
            article = await uow.articles.create(
                ArticleContent(title="Газпром снизил добычу 2"),
                author_id=1,
                origin="text",
                now=NOW,
            )
            assert article.id == 4
            # The duplicate index came along: the copied look-alikes are found on PostgreSQL.
            found = await uow.articles.duplicate_candidates(
                canonical_url="", title=article.content.title, since=NOW, exclude_id=article.id
            )
            assert [c.id for c in found] == [2, 1]  # 3 is deleted
            channel = await uow.channels.by_ref("-1001234567890")
            assert channel is not None and channel.is_default
        # Not twice: the target is no longer empty.
        with pytest.raises(CopyError, match="not empty"):
            await copy_database(source, target)
    finally:
        await source.close()
        await target.close()


async def test_the_command_copies_and_says_what(backend: Backend, tmp_path: Path) -> None:
    path = tmp_path / "newsroom.sqlite3"
    await _newsroom(path)
    url = await backend.new("cli", empty=True)
    env = {**os.environ, "DATABASE_PATH": str(path), "DATABASE_URL": ""}
    code, out, err = await _bot("copy-db", url, env=env, cwd=tmp_path)
    assert code == 0, err
    assert "articles 3" in out and "audit_log 3" in out
    code, _out, err = await _bot("copy-db", "mysql://x/y", env=env, cwd=tmp_path)
    assert code == 2 and "postgresql://" in err


async def _bot(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()
