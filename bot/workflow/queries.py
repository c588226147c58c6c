"""The reads behind the bot's lists and lookups: plain values out, no transaction held.

Handlers call these instead of opening the database themselves; each is one read of committed
data. ``StorageError`` is named from here too, for the error handler, so that nothing under
``handlers/`` imports ``storage``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.domain import Article, ArticleStatus, Channel, Feed, PublicationStatus
from storage.db import Database, StorageError

__all__ = [
    "MY_ARTICLES",
    "StorageError",
    "articles_page",
    "channel_or_default",
    "channels",
    "channels_by_ref",
    "feeds",
    "has_channel_posts",
    "stored_editor_ids",
]

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


async def stored_editor_ids(db: Database) -> list[int]:
    """Editors added with /editors (the EDITOR_IDS setting names the others)."""
    async with db.read() as uow:
        return [u.id for u in await uow.users.all(role="editor")]


async def has_channel_posts(db: Database, article_id: int) -> bool:
    """Whether any of the article's publications is in a channel now."""
    async with db.read() as uow:
        pubs = await uow.publications.for_article(article_id)
    return any(p.status is PublicationStatus.PUBLISHED for p in pubs)
