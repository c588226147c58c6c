"""Corrections of what already went out: edit the channel posts, or take them down.

Real SQLite under ``tmp_path``; the channel side is a fake ``ChannelPosts`` port.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.domain import ArticleStatus, PublicationStatus
from bot.workflow import corrections, drafts, review
from tests.workflow_fakes import ADMIN_ID, AUTHOR_ID, World, content, world

# The storage and workflow rules hold on both backends (tests/backends.py).
pytestmark = pytest.mark.usefixtures("backend")


async def published(w: World, *refs: str) -> int:
    """An article published in the channels ``refs`` (as the engine records it)."""
    channels = [await w.channel(ref, default=i == 0) for i, ref in enumerate(refs)]
    created = await drafts.create_draft(
        w.desk, content(), author_id=AUTHOR_ID, language="ru", origin="text"
    )
    article_id = created.article.id
    await review.publish(
        w.desk,
        article_id,
        actor_id=ADMIN_ID,
        actor_name="Aigerim",
        channel_ids=[c.id for c in channels],
    )
    now = w.clock.now()
    async with w.db.transaction() as uow:
        for i, pub in enumerate(await uow.publications.for_article(article_id)):
            assert await uow.publications.claim(pub.id, now=now) is not None
            await uow.publications.finish(
                pub.id, message_ids=[100 + i * 10, 101 + i * 10], link="", now=now
            )
        await uow.articles.transition(
            article_id,
            allowed_from=(ArticleStatus.SCHEDULED,),
            to=ArticleStatus.PUBLISHED,
            now=now,
        )
    return article_id


async def test_an_edit_of_a_published_article_corrects_every_channel(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        article_id = await published(w, "@news", "@sport")
        article = await w.article(article_id)
        fixed = replace(article.content, title="Исправленный заголовок")

        updated = await drafts.update_content(
            w.desk, article, fixed, actor_id=ADMIN_ID, action="edit_title", updated_mark=True
        )

        assert updated is not None
        assert [(ref, ids) for ref, ids, _post in w.posts.edited] == [
            ("@news", (100, 101)),
            ("@sport", (110, 111)),
        ]
        assert all("Исправленный заголовок" in str(post) for _r, _i, post in w.posts.edited)
        entries = [e for e in await w.audit(article_id) if e.action == "correction"]
        assert [e.details for e in entries] == [
            {"channel": "@news", "version": updated.version},
            {"channel": "@sport", "version": updated.version},
        ]


async def test_a_refused_correction_is_skipped_and_new_ids_are_kept(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        article_id = await published(w, "@news", "@sport")
        w.posts.refuse = {"@news"}
        w.posts.reshape_to = [500]  # @sport's post changed shape and was sent again

        count = await corrections.correct_published(
            w.desk, await w.article(article_id), actor_id=ADMIN_ID
        )

        assert count == 1
        async with w.db.read() as uow:
            ids = {
                p.channel_id: p.message_ids for p in await uow.publications.for_article(article_id)
            }
        sport = await w.channel("@sport")
        news = await w.channel("@news")
        assert ids[sport.id] == (500,) and ids[news.id] == (100, 101)
        corrected = [
            e.details["channel"] for e in await w.audit(article_id) if e.action == "correction"
        ]
        assert corrected == ["@sport"]


async def test_unpublish_deletes_everything_and_goes_back_to_approved(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        article_id = await published(w, "@news")

        done = await corrections.unpublish(w.desk, article_id, actor_id=ADMIN_ID)

        assert (done.deleted, done.failed) == (2, 0)
        assert w.posts.deleted == [("@news", 100), ("@news", 101)]
        assert (await w.article(article_id)).status is ArticleStatus.APPROVED
        async with w.db.read() as uow:
            pubs = await uow.publications.for_article(article_id)
        assert [p.status for p in pubs] == [PublicationStatus.CANCELLED]
        entry = (await w.audit(article_id))[-1]
        assert (entry.action, entry.details) == ("unpublished", {"deleted": 2, "failed": 0})


async def test_unpublish_that_telegram_refuses_keeps_the_article_published(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        article_id = await published(w, "@news")
        w.posts.refuse = {"@news"}

        done = await corrections.unpublish(w.desk, article_id, actor_id=ADMIN_ID)

        assert (done.deleted, done.failed) == (0, 2)
        assert (await w.article(article_id)).status is ArticleStatus.PUBLISHED
        entry = (await w.audit(article_id))[-1]
        assert (entry.action, entry.details) == ("unpublished", {"deleted": 0, "failed": 2})


async def test_unpublish_with_nothing_in_a_channel_does_nothing(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        await w.channel("@news", default=True)
        created = await drafts.create_draft(
            w.desk, content(), author_id=AUTHOR_ID, language="ru", origin="text"
        )
        article_id = created.article.id
        before = await w.actions(article_id)

        done = await corrections.unpublish(w.desk, article_id, actor_id=ADMIN_ID)

        assert done.nothing and (done.deleted, done.failed) == (0, 0)
        assert w.posts.deleted == []
        assert (await w.article(article_id)).status is ArticleStatus.DRAFT
        assert await w.actions(article_id) == before  # no "unpublished" in the history


async def test_unpublish_twice_the_second_finds_nothing(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        article_id = await published(w, "@news", "@sport")

        first = await corrections.unpublish(w.desk, article_id, actor_id=ADMIN_ID)
        second = await corrections.unpublish(w.desk, article_id, actor_id=ADMIN_ID)

        assert not first.nothing and (first.deleted, first.failed) == (4, 0)
        assert second.nothing
        assert (await w.actions(article_id)).count("unpublished") == 1
