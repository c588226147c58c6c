"""bot.workflow.setup, .flags and .queries on a real SQLite database: every change is made
together with its audit entry, a refused one leaves neither; no Telegram involved."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.domain import ArticleContent, ArticleStatus, PublicationStatus
from bot.workflow import flags, queries, setup
from bot.workflow.ports import Ports
from storage.articles import ArticleRepo
from storage.db import Database
from tests.backends import Backend
from tests.workflow_fakes import FakeClock, FakeNotifier, FakePosts, FakeSchedule, world

# The storage and workflow rules hold on both backends (tests/backends.py).
pytestmark = pytest.mark.usefixtures("backend")

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ADMIN = 1001
AUTHOR = 2001


@pytest.fixture
async def db(backend: Backend) -> AsyncIterator[Database]:
    database = await Database.open(await backend.new("newsroom"))
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def desk(db: Database, tmp_path: Path) -> Ports:
    """The use cases' Desk over ``db``, its clock stopped at NOW."""
    settings = Settings(_env_file=None, database_path=tmp_path / "newsroom.sqlite3")
    return Ports(db, settings, FakeClock(NOW), FakeNotifier(), FakeSchedule(), FakePosts())


async def audit(db: Database) -> list[tuple[Any, ...]]:
    """(action, actor, article, details) of every audit entry, oldest first."""
    async with db.read() as uow:
        rows = await uow.sql.all(
            "SELECT action, actor_id, article_id, details FROM audit_log ORDER BY id"
        )
    return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]


async def article(db: Database, status: ArticleStatus = ArticleStatus.DRAFT) -> int:
    async with db.transaction() as uow:
        created = await uow.articles.create(
            ArticleContent(title="Tram depot reopens", body=("The depot is back.",)),
            author_id=AUTHOR,
            origin="text",
            now=NOW,
            status=status,
        )
    return created.id


async def channel(db: Database, ref: str = "@news") -> int:
    async with db.transaction() as uow:
        return (await uow.channels.ensure(ref, now=NOW, chat_id=-100123, is_default=True)).id


# --- set-up ----------------------------------------------------------------------------------


async def test_editors_added_and_removed_with_their_entries(db: Database, desk: Ports) -> None:
    await setup.add_editor(desk, 42, actor_id=ADMIN)
    assert await queries.stored_editor_ids(db) == [42]
    assert await setup.remove_editor(desk, 42, actor_id=ADMIN)
    assert await queries.stored_editor_ids(db) == []
    # Removing someone who is not stored changes nothing; the request is on record.
    assert not await setup.remove_editor(desk, 42, actor_id=ADMIN)
    assert await audit(db) == [
        ("editor_add", ADMIN, None, {"user": 42}),
        ("editor_remove", ADMIN, None, {"user": 42}),
        ("editor_remove", ADMIN, None, {"user": 42}),
    ]


async def test_channel_settings_are_audited(db: Database, desk: Ports) -> None:
    added = await setup.add_channel(
        desk, "@news", chat_id=-100123, username="news", title="News", actor_id=ADMIN
    )
    assert (added.chat_ref, added.chat_id, added.title) == ("@news", -100123, "News")
    await setup.set_slots(desk, added, ["09:00", "12:00"], actor_id=ADMIN)
    await setup.set_quiet_hours(desk, added, "23:00-07:00", actor_id=ADMIN)
    await setup.set_template_key(desk, added, "signature", "Our news", actor_id=ADMIN)
    await setup.set_template_key(desk, added, "language", "en", actor_id=ADMIN)
    # ``added`` is stale by now: the second key must not drop the first.
    [stored] = await queries.channels(db)
    assert stored.slots == ("09:00", "12:00")
    assert stored.quiet_hours == "23:00-07:00"
    assert stored.template == {"signature": "Our news", "language": "en"}
    assert await queries.channel_or_default(db, None) == stored
    assert await queries.channel_or_default(db, "@news") == stored
    assert await queries.channel_or_default(db, "@other") is None
    assert await audit(db) == [
        ("channel_add", ADMIN, None, {"channel": "@news", "title": "News"}),
        ("channel_slots", ADMIN, None, {"channel": "@news", "slots": ["09:00", "12:00"]}),
        ("channel_quiet", ADMIN, None, {"channel": "@news", "quiet": "23:00-07:00"}),
        (
            "channel_template",
            ADMIN,
            None,
            {"channel": "@news", "key": "signature", "value": "Our news"},
        ),
        ("channel_template", ADMIN, None, {"channel": "@news", "key": "language", "value": "en"}),
    ]


async def test_feeds_added_once_and_removed(db: Database, desk: Ports) -> None:
    url = "https://example.org/feed.xml"
    feed = await setup.add_feed(desk, url, mode="auto", interval_s=900, actor_id=ADMIN)
    assert feed is not None and (feed.url, feed.mode, feed.interval_s) == (url, "auto", 900)
    again = await setup.add_feed(desk, url, mode="review", interval_s=60, actor_id=ADMIN)
    assert again is None
    assert [f.id for f in await queries.feeds(db)] == [feed.id]
    assert await setup.remove_feed(desk, feed.id, actor_id=ADMIN)
    assert not await setup.remove_feed(desk, feed.id, actor_id=ADMIN)
    assert await queries.feeds(db) == []
    # The refused add and the second remove changed nothing and left no entry.
    assert await audit(db) == [
        ("feed_add", ADMIN, None, {"feed": feed.id, "url": url, "mode": "auto"}),
        ("feed_remove", ADMIN, None, {"feed": feed.id}),
    ]


# --- flags -----------------------------------------------------------------------------------


async def test_embargo_and_breaking_are_in_the_articles_history(tmp_path: Path) -> None:
    async with world(tmp_path / "flags") as w:
        w.clock.at = NOW
        article_id = await article(w.db, ArticleStatus.PENDING)
        until = NOW + timedelta(hours=3)
        await flags.set_embargo(w.desk, article_id, until, actor_id=ADMIN)
        assert (await w.article(article_id)).embargo_until == until
        # The schedule re-plans after each mark (an embargo lifted, a story that jumps ahead).
        assert w.schedule.wakes == 1
        await flags.set_embargo(w.desk, article_id, None, actor_id=ADMIN)
        await flags.mark_breaking(w.desk, article_id, actor_id=ADMIN)
        assert w.schedule.wakes == 3
        stored = await w.article(article_id)
        history = await w.audit(article_id)
    assert stored.embargo_until is None and stored.breaking
    assert [(e.action, e.actor_id, e.details, e.at) for e in history] == [
        ("embargo", ADMIN, {"until": until.isoformat()}, NOW),
        ("embargo", ADMIN, {"until": None}, NOW),
        ("breaking", ADMIN, {}, NOW),
    ]


async def held(db: Database, article_id: int, channel_id: int) -> int:
    async with db.transaction() as uow:
        await uow.articles.transition(
            article_id, allowed_from=(ArticleStatus.DRAFT,), to=ArticleStatus.SCHEDULED, now=NOW
        )
        pub = await uow.publications.schedule(
            article_id=article_id, channel_id=channel_id, due_at=NOW, silent=False, now=NOW
        )
        assert pub is not None
        await uow.publications.set_status(
            pub.id, allowed_from=(PublicationStatus.SCHEDULED,), to=PublicationStatus.HELD, now=NOW
        )
    return pub.id


async def test_cancelling_a_held_publication_once(db: Database, desk: Ports) -> None:
    article_id = await article(db)
    pub_id = await held(db, article_id, await channel(db))
    assert await flags.cancel_held(desk, pub_id, actor_id=ADMIN)
    # A second admin's late "cancel", and one for a publication that never was: no effect.
    assert not await flags.cancel_held(desk, pub_id, actor_id=ADMIN + 1)
    assert not await flags.cancel_held(desk, pub_id + 100, actor_id=ADMIN)
    async with db.read() as uow:
        [pub] = await uow.publications.for_article(article_id)
        stored = await uow.articles.get(article_id)
        history = await uow.audit.for_article(article_id)
    assert pub.status is PublicationStatus.CANCELLED
    # Nothing else on its way to a channel: the article is approved, no longer scheduled.
    assert stored is not None and stored.status is ArticleStatus.APPROVED
    assert [(e.action, e.actor_id, e.details) for e in history] == [
        ("held_cancelled", ADMIN, {"publication": pub_id})
    ]


async def test_cancelling_one_of_two_keeps_the_article_scheduled(
    db: Database, desk: Ports
) -> None:
    article_id = await article(db)
    first = await held(db, article_id, await channel(db, "@news"))
    other = await channel(db, "@sport")
    async with db.transaction() as uow:
        await uow.publications.schedule(
            article_id=article_id, channel_id=other, due_at=NOW, silent=False, now=NOW
        )
    assert await flags.cancel_held(desk, first, actor_id=ADMIN)
    async with db.read() as uow:
        stored = await uow.articles.get(article_id)
    assert stored is not None and stored.status is ArticleStatus.SCHEDULED


# --- queries ---------------------------------------------------------------------------------


async def test_channels_by_ref_stops_at_the_first_unknown(db: Database) -> None:
    news, sport = await channel(db, "@news"), await channel(db, "@sport")
    assert await queries.channels_by_ref(db, ["@sport", "@news"]) == ([sport, news], None)
    assert await queries.channels_by_ref(db, ["@news", "@nope", "@sport"]) == ([news], "@nope")
    assert await queries.channels_by_ref(db, []) == ([], None)


async def test_articles_page_and_channel_posts(db: Database) -> None:
    ids = [await article(db) for _ in range(3)]
    published = await article(db, ArticleStatus.PUBLISHED)
    items, total = await queries.articles_page(db, author_id=AUTHOR, page=0, size=2)
    # Newest first; a published article is no longer in the author's /drafts.
    assert ([a.id for a in items], total) == ([ids[2], ids[1]], 3)
    items, total = await queries.articles_page(db, author_id=AUTHOR, page=1, size=2)
    assert ([a.id for a in items], total) == ([ids[0]], 3)
    assert await queries.articles_page(db, author_id=AUTHOR + 1, page=0, size=2) == ([], 0)
    channel_id = await channel(db)
    async with db.transaction() as uow:
        pub = await uow.publications.schedule(
            article_id=published, channel_id=channel_id, due_at=NOW, silent=False, now=NOW
        )
        assert pub is not None
    assert not await queries.has_channel_posts(db, published)
    async with db.transaction() as uow:
        assert await uow.publications.claim(pub.id, now=NOW) is not None
        assert await uow.publications.finish(pub.id, message_ids=[7], link="", now=NOW)
    assert await queries.has_channel_posts(db, published)


async def test_what_a_message_shows_and_the_authors_current_draft(db: Database) -> None:
    """Replies to a preview find its article; a photo on its own goes to the newest draft."""
    older, newer = await article(db), await article(db)
    await article(db, ArticleStatus.PENDING)  # not a draft: never "the current draft"
    async with db.transaction() as uow:
        await uow.messages.add(
            article_id=older, kind="preview", chat_id=AUTHOR, message_id=7, now=NOW
        )
    assert await queries.shown_article(db, AUTHOR, 7) == older
    assert await queries.shown_article(db, AUTHOR, 8) is None
    assert await queries.shown_article(db, ADMIN, 7) is None  # same id, another chat
    current = await queries.current_draft(db, AUTHOR)
    assert current is not None and current.id == newer
    assert await queries.current_draft(db, ADMIN) is None


async def test_channel_choice_lists_every_channel_and_the_chosen_ones(db: Database) -> None:
    news, sport = await channel(db), await channel(db, "@sport")
    article_id = await article(db)
    choice = await queries.channel_choice(db, article_id)
    assert [c.id for c in choice.channels] == [news, sport] and choice.chosen == frozenset()
    async with db.transaction() as uow:
        await uow.channels.toggle_chosen(article_id, sport)
    assert (await queries.channel_choice(db, article_id)).chosen == frozenset({sport})


async def test_set_up_changes_take_their_time_from_the_desks_clock(
    db: Database, desk: Ports
) -> None:
    """Like every use case, set-up reads the Desk's clock: no ``now`` passed in."""
    clock = desk.clock
    assert isinstance(clock, FakeClock)
    clock.advance(minutes=5)
    await setup.add_editor(desk, 42, actor_id=ADMIN)
    feed = await setup.add_feed(
        desk, "https://example.org/a.xml", mode="review", interval_s=60, actor_id=ADMIN
    )
    assert feed is not None and feed.next_poll_at == NOW + timedelta(minutes=5)
    async with db.read() as uow:
        stamps = [
            datetime.fromisoformat(r[0])
            for r in await uow.sql.all("SELECT at FROM audit_log ORDER BY id")
        ]
    assert stamps == [NOW + timedelta(minutes=5)] * 2


async def test_the_queue_page_reads_its_titles_in_one_query(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    news = await channel(db)
    first, second = await article(db), await article(db)
    async with db.transaction() as uow:
        for article_id in (first, second):
            await uow.publications.schedule(
                article_id=article_id, channel_id=news, due_at=NOW, silent=False, now=NOW
            )
    asked: list[set[int]] = []
    titles = ArticleRepo.titles

    async def counted(repo: ArticleRepo, ids: set[int]) -> dict[int, str]:
        asked.append(set(ids))
        return await titles(repo, ids)

    async def one_by_one(repo: ArticleRepo, article_id: int) -> None:
        raise AssertionError("the queue must not load its articles one by one")

    monkeypatch.setattr(ArticleRepo, "titles", counted)
    monkeypatch.setattr(ArticleRepo, "get", one_by_one)
    page = await queries.queue_page(db)
    assert [p.article_id for p in page.upcoming] == [first, second]
    assert page.titles == {first: "Tram depot reopens", second: "Tram depot reopens"}
    assert asked == [{first, second}]
