"""The newsroom calendar's own decision: reschedule, optionally into another channel.

The Mini App's "schedule / reschedule" and "move to another channel" are :func:`review.publish`
at a time, in the channel named; moving also takes the article off the channels it was
scheduled in before, in the same unit of work, so a move is never a copy. The same status
transition decides races with the chat's buttons (one winner, the loser learns who).
"""

from __future__ import annotations

from datetime import datetime

from bot.domain import PublicationStatus
from bot.workflow.audit import record
from bot.workflow.ports import Desk
from bot.workflow.results import DECIDABLE, Result
from bot.workflow.review import publish_in, settle
from storage.db import UnitOfWork

# Rows of the article that a move takes off their channel (the ones not yet sent).
_MOVABLE = (PublicationStatus.SCHEDULED, PublicationStatus.HELD, PublicationStatus.FAILED)


async def reschedule(
    desk: Desk,
    article_id: int,
    *,
    actor_id: int,
    actor_name: str,
    when: datetime,
    channel_id: int | None = None,
) -> Result:
    """Publish the article at ``when`` (in ``channel_id`` alone when given, else where it was
    going); the review card and the author are told as for the chat's /schedule."""
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        result = await publish_in(
            desk,
            uow,
            article_id,
            actor_id=actor_id,
            actor_name=actor_name,
            when=when,
            channel_ids=[channel_id] if channel_id is not None else None,
            from_statuses=DECIDABLE,
            now=now,
        )
        if result.ok and channel_id is not None:
            await _choose_only(uow, article_id, channel_id)
            moved_from = []
            for pub in await uow.publications.for_article(article_id):
                if pub.channel_id == channel_id or pub.status not in _MOVABLE:
                    continue
                if await uow.publications.set_status(
                    pub.id, allowed_from=_MOVABLE, to=PublicationStatus.CANCELLED, now=now
                ):
                    moved_from.append(pub.channel_id)
            if moved_from:
                await record(
                    uow,
                    "moved",
                    now=now,
                    actor_id=actor_id,
                    article_id=article_id,
                    by=actor_name,
                    channel=channel_id,
                    from_channels=moved_from,
                )
    return await settle(desk, article_id, result)


async def _choose_only(uow: UnitOfWork, article_id: int, channel_id: int) -> None:
    """The article's chosen channels become just ``channel_id``: a later /schedule without a
    channel keeps it where it was moved."""
    chosen = await uow.channels.chosen_for(article_id)
    for other in chosen:
        if other != channel_id:
            await uow.channels.toggle_chosen(article_id, other)
    if channel_id not in chosen:
        await uow.channels.toggle_chosen(article_id, channel_id)
