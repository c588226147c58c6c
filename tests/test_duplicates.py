"""Duplicate detection from indexes (issue 14): what a new draft is said to repeat, and the
band keys of folded titles staying in step with the articles table, and look-alikes found across
instances (pg_trgm on PostgreSQL). Real SQLite files and PostgreSQL databases."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from bot.domain import ArticleContent, ArticleStatus
from bot.workflow import drafts
from storage.db import Database, load_migrations
from storage.titles import band_keys, fold_title
from tests.backends import Backend, with_database
from tests.workflow_fakes import AUTHOR_ID, World, content, world

# The storage and workflow rules hold on both backends (tests/backends.py).
pytestmark = pytest.mark.usefixtures("backend")

TITLE = "Правительство утвердило новую программу развития туризма до 2030 года"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


async def _paste(w: World, title: str, **kw: str) -> drafts.Created:
    return await drafts.create_draft(
        w.desk, content(title, **kw), author_id=AUTHOR_ID, language="ru", origin="text"
    )


def test_fold_title_drops_case_quotes_punctuation_and_yo() -> None:
    assert fold_title("«ЁЛКИ» — в Парке!  Don't…") == "елки в парке don t"
    assert fold_title("  \u00a0 ") == ""
    assert band_keys("ab") == []


def test_band_keys_are_shared_by_look_alikes_only() -> None:
    keys = set(band_keys(fold_title(TITLE)))
    near = set(band_keys(fold_title(TITLE.replace("утвердило", "одобрило"))))
    other = set(band_keys(fold_title("Снегопад парализовал движение на трассе Алматы — Бишкек")))
    assert len(keys) > 8 and len(keys & near) >= 3
    assert not keys & other


async def test_same_canonical_url_is_found_whatever_the_title_and_age(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        url = "https://el.kz/news/2026/11/28/school"
        first = await _paste(w, TITLE, canonical_url=url)
        w.clock.advance(days=30)  # the URL is the same story however old
        again = await _paste(w, "Совсем другой заголовок", canonical_url=url)
        other = await _paste(w, "Совсем другой заголовок", canonical_url=url + "?page=2")
        assert [d.id for d in again.duplicates] == [first.article.id]
        assert [d.id for d in other.duplicates] == [again.article.id]


@pytest.mark.parametrize(
    "variant",
    [
        "«Правительство» утвердило новую программу развития туризма до 2030 года!",
        "ПРАВИТЕЛЬСТВО УТВЕРДИЛО НОВУЮ ПРОГРАММУ РАЗВИТИЯ ТУРИЗМА ДО 2030 ГОДА.",
        "Правительство утвердило новую программу — развития туризма до 2030 года",
    ],
)
async def test_same_folded_title_is_found(tmp_path: Path, variant: str) -> None:
    async with world(tmp_path) as w:
        first = await _paste(w, TITLE)
        again = await _paste(w, variant)
        assert [d.id for d in again.duplicates] == [first.article.id]


async def test_short_titles_match_exactly_though_they_have_no_trigram(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        first = await _paste(w, "ЁЖ!")
        again = await _paste(w, "«Еж»")
        other = await _paste(w, "Уж")
        assert [d.id for d in again.duplicates] == [first.article.id]
        assert other.duplicates == []


async def test_one_word_changed_is_found_inside_the_window_only(tmp_path: Path) -> None:
    near = TITLE.replace("утвердило", "одобрило")
    async with world(tmp_path) as w:
        first = await _paste(w, TITLE)
        w.clock.advance(days=2, hours=23)
        inside = await _paste(w, near)
        assert [d.id for d in inside.duplicates] == [first.article.id]
        w.clock.advance(days=3, hours=2)  # both earlier ones are now out of the window
        outside = await _paste(w, TITLE.replace("2030", "2035").replace("новую", "свою"))
        assert outside.duplicates == []


async def test_paraphrase_and_translation_are_not_matched(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        await _paste(w, TITLE)
        paraphrase = await _paste(
            w, "Кабмин принял план по поддержке туристической отрасли на ближайшие годы"
        )
        english = await _paste(
            w, "The government approved a new tourism development programme until 2030"
        )
        assert paraphrase.duplicates == [] and english.duplicates == []


async def test_newest_three_of_many_look_alikes_and_deleted_ones_skipped(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        ids = [(await _paste(w, f"{TITLE} {n}")).article.id for n in range(6)]
        async with w.db.transaction() as uow:
            await uow.articles.transition(
                ids[-1], allowed_from=(ArticleStatus.DRAFT,), to=ArticleStatus.DELETED, now=NOW
            )
        again = await _paste(w, TITLE)
        assert [d.id for d in again.duplicates] == ids[-2:-5:-1]


# --- the index ----------------------------------------------------------------------------------


async def _indexed(db: Database, title: str) -> list[int]:
    """Article ids sharing a band key with ``title``, after checking that every article's keys
    are exactly those of its stored title."""
    async with db.read() as uow:
        articles = await uow.sql.all("SELECT id, title, title_folded FROM articles")
        keys = await uow.sql.all("SELECT key, article_id FROM title_keys")
        stored = {(int(k), int(a)) for k, a in keys}
    assert all(folded == fold_title(title) for _id, title, folded in articles)
    assert stored == {(k, int(i)) for i, _t, folded in articles for k in band_keys(folded)}
    wanted = set(band_keys(fold_title(title)))
    return sorted({a for k, a in stored if k in wanted})


async def test_index_follows_insert_update_and_delete(backend: Backend) -> None:
    db = await Database.open(await backend.new("index"))
    try:
        async with db.transaction() as uow:
            article = await uow.articles.create(
                ArticleContent(title="Ёлки в парке"), author_id=1, origin="text", now=NOW
            )
        assert await _indexed(db, "Ёлки в парке!") == [article.id]
        async with db.transaction() as uow:
            await uow.articles.update_content(
                article.id, ArticleContent(title="Снег на дорогах"), now=NOW
            )
        assert await _indexed(db, "Ёлки в парке!") == []
        assert await _indexed(db, "снег на дорогах") == [article.id]
        async with db.transaction() as uow:
            await uow.sql.exec("DELETE FROM articles WHERE id = ?", (article.id,))
        assert await _indexed(db, "снег на дорогах") == []
    finally:
        await db.close()


# PostgreSQL databases start at the index's version or later: nothing to backfill (0007).
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_migration_backfills_articles_written_before_it(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = await Database.open(path, migrate=False)
    try:
        # The version just before the title index, whatever number it lands under.
        await db.migrate(target=[m.name for m in load_migrations()].index("title_index"))
        async with db.transaction() as uow:
            await uow.conn.execute(
                "INSERT INTO articles (title, author_id, created_at, updated_at)"
                " VALUES ('«Старый» заголовок, Ёж', 1, ?, ?)",
                (NOW.isoformat(), NOW.isoformat()),
            )
        await db.migrate()
        assert await _indexed(db, "старый заголовок еж") == [1]
        async with db.read() as uow:
            found = await uow.articles.duplicate_candidates(
                canonical_url="", title="Старый заголовок ёж", since=NOW, exclude_id=0
            )
        assert [a.id for a in found] == [1]
    finally:
        await db.close()


# --- across instances, and pg_trgm ----------------------------------------------------------


async def test_two_instances_see_each_others_titles(backend: Backend, tmp_path: Path) -> None:
    """Each instance's own Database on one SQLite file or PostgreSQL database: a look-alike
    pasted on one is found among the titles the other stored."""
    shared = {"database_url": await backend.new("shared")} if backend.dialect != "sqlite" else {}
    async with world(tmp_path, **shared) as first, world(tmp_path, **shared) as second:
        if backend.dialect != "sqlite":  # the trigram index is what finds them there
            assert getattr(first.db, "trigram", None) is True
            assert getattr(second.db, "trigram", None) is True
        second.clock.at = first.clock.at
        one = await _paste(first, TITLE)
        two = await _paste(second, TITLE.replace("утвердило", "одобрило"))
        three = await _paste(first, TITLE.replace("2030", "2035"))
        assert [d.id for d in two.duplicates] == [one.article.id]
        assert [d.id for d in three.duplicates] == [two.article.id, one.article.id]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_without_usable_trigrams_postgresql_falls_back_to_band_keys(
    backend: Backend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A database whose LC_CTYPE is C gives Cyrillic no trigrams: pg_trgm would find nothing,
    so the band keys do the work, with one warning per process however many instances open."""
    from storage.backends import postgres

    monkeypatch.setattr(postgres, "_trigram_warned", False)
    name = f"nwt_c_{os.getpid()}"
    admin = await asyncpg.connect(with_database(backend.server, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 LC_CTYPE 'C' LC_COLLATE 'C'"
        )
        url = with_database(backend.server, name)
        with caplog.at_level(logging.WARNING, logger=postgres.__name__):
            async with world(tmp_path, database_url=url) as w, world(tmp_path, database_url=url):
                assert getattr(w.db, "trigram", None) is False
                first = await _paste(w, TITLE)
                near = await _paste(w, TITLE.replace("утвердило", "одобрило"))
                assert [d.id for d in near.duplicates] == [first.article.id]
        warnings = [r for r in caplog.records if "pg_trgm unavailable" in r.getMessage()]
        assert len(warnings) == 1
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
