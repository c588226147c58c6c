"""Draft use cases as plain Python: create (with look-alikes), edit, photos, channels, submit,
delete, reminders; each change leaves its audit entry. Real SQLite under ``tmp_path``, fake ports.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain import ArticleStatus, Photo
from bot.workflow import drafts, reminders
from bot.workflow.results import Outcome
from tests.workflow_fakes import ADMIN_ID, AUTHOR_ID, content, world

# The storage and workflow rules hold on both backends (tests/backends.py).
pytestmark = pytest.mark.usefixtures("backend")


async def test_create_records_the_origin_and_finds_look_alikes(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        first = await drafts.create_draft(
            w.desk, content(), author_id=AUTHOR_ID, language="ru", origin="text"
        )
        other = await drafts.create_draft(
            w.desk, content("Погода на выходные"), author_id=AUTHOR_ID, language="ru", origin="url"
        )
        again = await drafts.create_draft(
            w.desk,
            content("Акимат  открыл новую школу!"),
            author_id=ADMIN_ID,
            language="",
            origin="forward",
        )

        assert first.duplicates == [] and other.duplicates == []
        assert [d.id for d in again.duplicates] == [first.article.id]
        entry = (await w.audit(again.article.id))[0]
        assert (entry.action, entry.actor_id, entry.details) == (
            "created",
            ADMIN_ID,
            {"origin": "forward"},
        )
        # Three days later the same title is news again.
        w.clock.advance(days=4)
        later = await drafts.create_draft(
            w.desk, content(), author_id=AUTHOR_ID, language="ru", origin="text"
        )
        assert later.duplicates == []


async def test_get_for_lets_editors_see_only_their_own(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        mine = await drafts.create_draft(
            w.desk, content(), author_id=AUTHOR_ID, language="ru", origin="text"
        )
        article_id = mine.article.id

        own = await drafts.get_for(w.db, article_id, user_id=AUTHOR_ID, is_admin=False)
        theirs = await drafts.get_for(w.db, article_id, user_id=99, is_admin=False)
        admin = await drafts.get_for(w.db, article_id, user_id=ADMIN_ID, is_admin=True)
        missing = await drafts.get_for(w.db, 404, user_id=ADMIN_ID, is_admin=True)

        assert [own.outcome, theirs.outcome, admin.outcome, missing.outcome] == [
            Outcome.OK,
            Outcome.NOT_YOURS,
            Outcome.OK,
            Outcome.NOT_FOUND,
        ]


async def test_update_content_bumps_the_version_audits_and_refreshes(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        created = await drafts.create_draft(
            w.desk, content(), author_id=AUTHOR_ID, language="ru", origin="text"
        )
        new = replace(created.article.content, title="Новый заголовок")

        updated = await drafts.update_content(
            w.desk, created.article, new, actor_id=AUTHOR_ID, action="edit_title"
        )

        assert updated is not None and updated.content.title == "Новый заголовок"
        assert updated.version == created.article.version + 1
        entry = (await w.audit(updated.id))[-1]
        assert (entry.action, entry.details) == ("edit_title", {"version": updated.version})
        assert w.notifier.named("content_changed") == [updated]
        assert w.posts.edited == []  # not published: no channel post to correct


async def test_attach_photos_keeps_an_album_at_ten(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        created = await drafts.create_draft(
            w.desk, content(), author_id=AUTHOR_ID, language="ru", origin="text"
        )
        photos = [Photo(ref=f"p{i}") for i in range(8)]
        first = await drafts.attach_photos(
            w.desk, created.article, photos, actor_id=AUTHOR_ID, replace_all=False
        )
        assert first is not None
        more = await drafts.attach_photos(
            w.desk, first, photos, actor_id=AUTHOR_ID, replace_all=False
        )
        assert more is not None and len(more.content.photos) == 10
        replaced = await drafts.attach_photos(
            w.desk, more, photos[:1], actor_id=AUTHOR_ID, replace_all=True
        )
        assert replaced is not None and [p.ref for p in replaced.content.photos] == ["p0"]
        assert (await w.actions(created.article.id)).count("photo") == 3


async def test_toggle_channel_audits_both_ways_and_refuses_unknown(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        channel = await w.channel("@sport")
        created = await drafts.create_draft(
            w.desk, content(), author_id=AUTHOR_ID, language="ru", origin="text"
        )
        article = created.article

        assert await drafts.toggle_channel(w.desk, article, channel.id, actor_id=AUTHOR_ID)
        assert await drafts.toggle_channel(w.desk, article, channel.id, actor_id=AUTHOR_ID)
        assert not await drafts.toggle_channel(w.desk, article, 999, actor_id=AUTHOR_ID)

        entries = (await w.audit(article.id))[1:]
        assert [(e.action, e.details) for e in entries] == [
            ("channel_chosen", {"channel": channel.id}),
            ("channel_unchosen", {"channel": channel.id}),
        ]


async def test_submit_needs_reviewers_and_content_and_goes_once(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        empty = await drafts.create_draft(
            w.desk,
            content("", lead="", body=()),
            author_id=AUTHOR_ID,
            language="ru",
            origin="text",
        )
        refused = await drafts.submit(w.desk, empty.article, actor_id=AUTHOR_ID, author_name="E")
        assert (refused.outcome, refused.detail) == (Outcome.INVALID, "empty")

        created = await drafts.create_draft(
            w.desk, content(), author_id=AUTHOR_ID, language="ru", origin="text"
        )
        sent = await drafts.submit(
            w.desk, created.article, actor_id=AUTHOR_ID, author_name="Elena"
        )
        again = await drafts.submit(
            w.desk, created.article, actor_id=AUTHOR_ID, author_name="Elena"
        )

        assert sent.outcome is Outcome.OK and again.outcome is Outcome.WRONG_STATE
        assert sent.article is not None and sent.article.status is ArticleStatus.PENDING
        assert w.notifier.named("submitted") == [(sent.article, "Elena")]
        entry = (await w.audit(created.article.id))[-1]
        assert (entry.action, entry.details) == ("submitted", {"author": "Elena"})

    async with world(tmp_path / "alone", admin_chat_id=None) as w:
        created = await drafts.create_draft(
            w.desk, content(), author_id=AUTHOR_ID, language="ru", origin="text"
        )
        nobody = await drafts.submit(w.desk, created.article, actor_id=AUTHOR_ID, author_name="E")
        assert nobody.outcome is Outcome.NO_CHANNEL
        assert w.notifier.named("submitted") == []


async def test_delete_cancels_what_was_scheduled_and_is_audited(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        created = await drafts.create_draft(
            w.desk, content(), author_id=AUTHOR_ID, language="ru", origin="text"
        )
        result = await drafts.delete(w.desk, created.article, actor_id=AUTHOR_ID)

        assert result.outcome is Outcome.OK
        assert result.article is not None and result.article.status is ArticleStatus.DELETED
        assert await drafts.get_live(w.db, created.article.id) is None
        assert (await w.actions(created.article.id))[-1] == "deleted"
        twice = await drafts.delete(w.desk, created.article, actor_id=AUTHOR_ID)
        assert twice.outcome is Outcome.WRONG_STATE


async def test_reminders_come_once_per_waiting_article(tmp_path: Path) -> None:
    async with world(tmp_path, review_reminder_minutes=30) as w:
        created = await drafts.create_draft(
            w.desk, content(), author_id=AUTHOR_ID, language="ru", origin="text"
        )
        await drafts.submit(w.desk, created.article, actor_id=AUTHOR_ID, author_name="Elena")

        assert await reminders.remind_pending(w.desk, w.clock.now()) == 0  # not yet
        later = w.clock.now() + timedelta(minutes=31)
        assert await reminders.remind_pending(w.desk, later) == 1
        assert await reminders.remind_pending(w.desk, later) == 0
        assert [a.id for a in w.notifier.named("still_waiting")] == [created.article.id]
