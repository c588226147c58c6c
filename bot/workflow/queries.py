"""The reads behind the bot's lists and lookups: plain values out, no transaction held.

Handlers and presenters call these instead of opening the database themselves; each is one
read of committed data (the queue page, an article's history, which article a message shows,
an author's articles, channels and feeds). ``StorageError`` is named from here too, for the
error handler, so that nothing under ``handlers/`` imports ``storage``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain import (
    PAUSED_KEY,
    Article,
    ArticleStatus,
    AuditEntry,
    Channel,
    Feed,
    Publication,
    PublicationStatus,
)
from storage.db import Database, StorageError

__all__ = [
    "MY_ARTICLES",
    "QUEUE_PAGE",
    "ArticleSheet",
    "Calendar",
    "ChannelChoice",
    "QueuePage",
    "StorageError",
    "article_sheet",
    "articles_page",
    "calendar",
    "channel_choice",
    "channel_or_default",
    "channels",
    "channels_by_ref",
    "current_draft",
    "due_feeds",
    "feeds",
    "has_channel_posts",
    "history",
    "next_feed_poll",
    "queue_page",
    "shown_article",
    "stored_editor_ids",
]

QUEUE_PAGE = 15

# What an editor's /drafts lists: everything still theirs to follow (not published, deleted).
MY_ARTICLES: tuple[ArticleStatus, ...] = (
    ArticleStatus.DRAFT,
    ArticleStatus.PENDING,
    ArticleStatus.REJECTED,
    ArticleStatus.APPROVED,
    ArticleStatus.SCHEDULED,
)


async def articles_page(
    db: Database,
    *,
    author_id: int,
    page: int,
    size: int,
    statuses: Iterable[ArticleStatus] = MY_ARTICLES,
) -> tuple[list[Article], int]:
    """Page ``page`` (from 0) of an author's articles, newest first, and how many there are."""
    async with db.read() as uow:
        return await uow.articles.page(
            statuses=statuses, author_id=author_id, limit=size, offset=page * size
        )


async def channel_or_default(db: Database, ref: str | None) -> Channel | None:
    """The channel ``ref`` names ("@name", "-100…"), or the default one when ``ref`` is None."""
    async with db.read() as uow:
        if ref:
            return await uow.channels.by_ref(ref)
        return await uow.channels.default()


async def channels_by_ref(db: Database, refs: Sequence[str]) -> tuple[list[int], str | None]:
    """The ids of the channels ``refs`` name, in order, and the first ref that names none."""
    ids: list[int] = []
    async with db.read() as uow:
        for ref in refs:
            channel = await uow.channels.by_ref(ref)
            if channel is None:
                return ids, ref
            ids.append(channel.id)
    return ids, None


async def channels(db: Database) -> list[Channel]:
    async with db.read() as uow:
        return await uow.channels.all()


async def feeds(db: Database) -> list[Feed]:
    async with db.read() as uow:
        return await uow.feeds.all()


async def due_feeds(db: Database, now: datetime) -> list[Feed]:
    """The feeds whose next poll is due at ``now``."""
    async with db.read() as uow:
        return await uow.feeds.due(now=now)


async def next_feed_poll(db: Database) -> datetime | None:
    """When the next feed is due (None: no feeds)."""
    async with db.read() as uow:
        return await uow.feeds.next_poll_at()


async def stored_editor_ids(db: Database) -> list[int]:
    """Editors added with /editors (the EDITOR_IDS setting names the others)."""
    async with db.read() as uow:
        return [u.id for u in await uow.users.all(role="editor")]


async def has_channel_posts(db: Database, article_id: int) -> bool:
    """Whether any of the article's publications is in a channel now."""
    async with db.read() as uow:
        pubs = await uow.publications.for_article(article_id)
    return any(p.status is PublicationStatus.PUBLISHED for p in pubs)


# --- an editor's articles and what a message shows -------------------------------------------


async def current_draft(db: Database, user_id: int) -> Article | None:
    """The author's newest draft: where a photo sent on its own goes."""
    async with db.read() as uow:
        items, _total = await uow.articles.page(
            statuses=(ArticleStatus.DRAFT,), author_id=user_id, limit=1
        )
    return items[0] if items else None


async def shown_article(db: Database, chat_id: int, message_id: int) -> int | None:
    """Which article a preview or card message belongs to (for replies to it)."""
    async with db.read() as uow:
        shown = await uow.messages.find(chat_id=chat_id, message_id=message_id)
    return shown.article_id if shown else None


@dataclass(frozen=True, slots=True)
class ChannelChoice:
    """The registered channels and those chosen for one article (none: the default)."""

    channels: Sequence[Channel]
    chosen: frozenset[int]


async def channel_choice(db: Database, article_id: int) -> ChannelChoice:
    async with db.read() as uow:
        found = await uow.channels.all()
        chosen = frozenset(await uow.channels.chosen_for(article_id))
    return ChannelChoice(found, chosen)


# --- the queue and an article's history -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of the queue: pending review, then what is still to go out."""

    page: int
    pending: Sequence[Article]
    total_pending: int
    upcoming: Sequence[Publication]
    total_upcoming: int
    channels: Mapping[int, Channel]
    titles: Mapping[int, str]  # article titles of the upcoming publications
    paused: bool

    @property
    def more(self) -> bool:
        return (self.page + 1) * QUEUE_PAGE < max(self.total_pending, self.total_upcoming)


async def queue_page(db: Database, page: int = 0) -> QueuePage:
    async with db.read() as uow:
        pending, total_pending = await uow.articles.page(
            statuses=(ArticleStatus.PENDING,), limit=QUEUE_PAGE, offset=page * QUEUE_PAGE
        )
        upcoming, total_upcoming = await uow.publications.upcoming(
            limit=QUEUE_PAGE, offset=page * QUEUE_PAGE
        )
        channels = {c.id: c for c in await uow.channels.all()}
        # One query for the titles of the whole page, not one per publication.
        found = await uow.articles.titles({p.article_id for p in upcoming})
        titles = {p.article_id: found.get(p.article_id, "") for p in upcoming}
        paused = await uow.state.get(PAUSED_KEY) == "1"
    return QueuePage(
        page=page,
        pending=pending,
        total_pending=total_pending,
        upcoming=upcoming,
        total_upcoming=total_upcoming,
        channels=channels,
        titles=titles,
        paused=paused,
    )


async def history(db: Database, article_id: int) -> list[AuditEntry]:
    async with db.read() as uow:
        return await uow.audit.for_article(article_id)


# --- the newsroom calendar (the Mini App, issue 16) -------------------------------------------

CALENDAR_ARTICLES = 200  # the most pending (or an editor's own) articles one calendar lists


@dataclass(frozen=True, slots=True)
class Calendar:
    """What the Mini App's timeline shows: publications by time, articles waiting for review.

    For an editor (``author_id`` given) only their own articles and publications, and their
    drafts and rejected articles among the waiting ones.
    """

    waiting: Sequence[Article]
    publications: Sequence[Publication]
    articles: Mapping[int, Article]  # every article named above, by id
    channels: Mapping[int, Channel]
    chosen: Mapping[int, Sequence[int]]  # a waiting article's chosen channels (none: default)
    names: Mapping[int, str]  # authors' names, where the bot knows them


async def calendar(db: Database, *, published_since: datetime, author_id: int | None) -> Calendar:
    async with db.read() as uow:
        statuses: tuple[ArticleStatus, ...] = (
            MY_ARTICLES if author_id is not None else (ArticleStatus.PENDING,)
        )
        waiting, _total = await uow.articles.page(
            statuses=statuses, author_id=author_id, limit=CALENDAR_ARTICLES
        )
        articles = {a.id: a for a in waiting}
        pubs = []
        for pub in await uow.publications.calendar(published_since=published_since):
            article = articles.get(pub.article_id) or await uow.articles.get(pub.article_id)
            if article is None or (author_id is not None and article.author_id != author_id):
                continue
            articles[article.id] = article
            pubs.append(pub)
        # What is scheduled shows on the timeline, not among the waiting ones.
        waiting = [a for a in waiting if a.status is not ArticleStatus.SCHEDULED]
        chosen = {a.id: tuple(await uow.channels.chosen_for(a.id)) for a in waiting}
        names: dict[int, str] = {}
        for author in {a.author_id for a in articles.values()}:
            user = await uow.users.get(author)
            if user is not None and user.name:
                names[author] = user.name
        channels = {c.id: c for c in await uow.channels.all()}
    return Calendar(waiting, pubs, articles, channels, chosen, names)


@dataclass(frozen=True, slots=True)
class ArticleSheet:
    """One article as the Mini App opens it: the article, its publications, its history."""

    article: Article
    publications: Sequence[Publication]
    channels: Mapping[int, Channel]
    chosen: Sequence[int]
    history: Sequence[AuditEntry]
    author_name: str


async def article_sheet(db: Database, article_id: int) -> ArticleSheet | None:
    async with db.read() as uow:
        article = await uow.articles.get(article_id)
        if article is None or article.status is ArticleStatus.DELETED:
            return None
        pubs = await uow.publications.for_article(article_id)
        channels = {c.id: c for c in await uow.channels.all()}
        chosen = await uow.channels.chosen_for(article_id)
        entries = await uow.audit.for_article(article_id)
        author = await uow.users.get(article.author_id)
    return ArticleSheet(article, pubs, channels, chosen, entries, author.name if author else "")
