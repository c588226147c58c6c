"""Corrections: changes to what already went out (edit the channel posts, or take them down)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.compose import compose
from bot.domain import Article, ArticleStatus, Channel, Publication, PublicationStatus
from bot.templates import template_for
from bot.workflow.audit import record
from bot.workflow.ports import Desk

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Unpublished:
    deleted: int  # channel messages deleted
    failed: int  # channel messages Telegram would not delete
    nothing: bool = False  # nothing was in a channel: nothing done, nothing recorded


async def _published(desk: Desk, article_id: int) -> list[tuple[Publication, Channel | None]]:
    """The article's publications that are in a channel, with their channels (None: removed)."""
    async with desk.db.read() as uow:
        pubs = [
            p
            for p in await uow.publications.for_article(article_id)
            if p.status is PublicationStatus.PUBLISHED
        ]
        channels = {c.id: c for c in await uow.channels.all()}
    return [(p, channels.get(p.channel_id)) for p in pubs]


async def correct_published(
    desk: Desk, article: Article, *, actor_id: int, updated_mark: bool = False
) -> int:
    """Edit the article's posts in every channel it went to; return how many were updated."""
    now = desk.clock.now()
    updated = 0
    for pub, channel in await _published(desk, article.id):
        if channel is None or not pub.message_ids:
            continue
        post = compose(
            article.content, template_for(channel, desk.settings), updated_mark=updated_mark
        )
        ids = await desk.posts.edit(channel, pub.message_ids, post)
        if ids is None:
            continue  # the port logged why; the other channels are still corrected
        updated += 1
        async with desk.db.transaction() as uow:
            if list(ids) != list(pub.message_ids):
                await uow.publications.set_message_ids(pub.id, ids)
            await record(
                uow,
                "correction",
                now=now,
                actor_id=actor_id,
                article_id=article.id,
                channel=channel.chat_ref,
                version=article.version,
            )
    return updated


async def unpublish(desk: Desk, article_id: int, *, actor_id: int) -> Unpublished:
    """Delete the channel posts; the article goes back to approved when all of them went.

    With nothing in a channel it does nothing (and writes no "unpublished" into the history).
    The bookkeeping is one transaction after the deletes: the publications taken down, the
    article's status and the audit entry are recorded together.
    """
    published = await _published(desk, article_id)
    if not published:
        return Unpublished(0, 0, nothing=True)
    deleted = failed = 0
    gone: list[int] = []  # publications whose every message was deleted
    for pub, channel in published:
        if channel is None:
            continue
        ok = True
        for message_id in pub.message_ids:
            if await desk.posts.delete(channel, message_id):
                deleted += 1
            else:
                failed += 1
                ok = False
        if ok:
            gone.append(pub.id)
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        for pub_id in gone:
            await uow.publications.set_status(
                pub_id,
                allowed_from=(PublicationStatus.PUBLISHED,),
                to=PublicationStatus.CANCELLED,
                now=now,
                error="unpublished",
            )
        if not failed:
            await uow.articles.transition(
                article_id,
                allowed_from=(ArticleStatus.PUBLISHED,),
                to=ArticleStatus.APPROVED,
                now=now,
            )
        await record(
            uow,
            "unpublished",
            now=now,
            actor_id=actor_id,
            article_id=article_id,
            deleted=deleted,
            failed=failed,
        )
    return Unpublished(deleted, failed)
