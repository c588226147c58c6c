"""The newsroom's set-up: who edits, which channels, how and when they post, which feeds.

Each change and its audit entry are one transaction. Set-up entries belong to no article
(``article_id`` None): they answer "who changed the slots of @news, and when".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain import Channel, Feed
from storage.db import Database, UnitOfWork


async def add_editor(db: Database, user_id: int, *, actor_id: int, now: datetime) -> None:
    async with db.transaction() as uow:
        await uow.users.put(user_id, role="editor", now=now, added_by=actor_id)
        await uow.audit.append(
            now=now,
            actor_id=actor_id,
            article_id=None,
            action="editor_add",
            details={"user": user_id},
        )


async def remove_editor(db: Database, user_id: int, *, actor_id: int, now: datetime) -> bool:
    """False when ``user_id`` was not a stored editor (the request is audited all the same)."""
    async with db.transaction() as uow:
        removed = await uow.users.remove(user_id)
        await uow.audit.append(
            now=now,
            actor_id=actor_id,
            article_id=None,
            action="editor_remove",
            details={"user": user_id},
        )
    return removed


async def add_channel(
    db: Database,
    ref: str,
    *,
    chat_id: int,
    username: str,
    title: str,
    actor_id: int,
    now: datetime,
) -> Channel:
    """Register (or refresh) the channel ``ref``; the caller checked the bot's rights there."""
    async with db.transaction() as uow:
        channel = await uow.channels.ensure(
            ref, now=now, chat_id=chat_id, username=username, title=title
        )
        await _audit_channel(uow, channel, "channel_add", {"title": title}, actor_id, now)
    return channel


async def set_slots(
    db: Database, channel: Channel, slots: Sequence[str], *, actor_id: int, now: datetime
) -> None:
    """The channel's queue slots ("09:00", ...)."""
    async with db.transaction() as uow:
        await uow.channels.update(channel.id, slots=slots)
        await _audit_channel(uow, channel, "channel_slots", {"slots": list(slots)}, actor_id, now)


async def set_quiet_hours(
    db: Database, channel: Channel, value: str, *, actor_id: int, now: datetime
) -> None:
    """Silent posting at night ("23:00-07:00"; "" turns it off)."""
    async with db.transaction() as uow:
        await uow.channels.update(channel.id, quiet_hours=value)
        await _audit_channel(uow, channel, "channel_quiet", {"quiet": value}, actor_id, now)


async def set_template_key(
    db: Database, channel: Channel, key: str, value: object, *, actor_id: int, now: datetime
) -> None:
    """One key of the channel's post template, the others kept."""
    async with db.transaction() as uow:
        # Read inside the transaction: two admins changing two keys at once both win.
        current = await uow.channels.get(channel.id)
        template = {**(current or channel).template, key: value}
        await uow.channels.update(channel.id, template=template)
        await _audit_channel(
            uow, channel, "channel_template", {"key": key, "value": value}, actor_id, now
        )


async def add_feed(
    db: Database, url: str, *, mode: str, interval_s: int, actor_id: int, now: datetime
) -> Feed | None:
    """Follow ``url`` ("review": items become drafts, "auto": they are published); None when
    it is followed already."""
    async with db.transaction() as uow:
        feed = await uow.feeds.add(
            url, mode=mode, interval_s=interval_s, added_by=actor_id, now=now
        )
        if feed is not None:
            await uow.audit.append(
                now=now,
                actor_id=actor_id,
                article_id=None,
                action="feed_add",
                details={"feed": feed.id, "url": url, "mode": mode},
            )
    return feed


async def remove_feed(db: Database, feed_id: int, *, actor_id: int, now: datetime) -> bool:
    """False when there is no such feed (nothing changed, nothing audited)."""
    async with db.transaction() as uow:
        removed = await uow.feeds.remove(feed_id)
        if removed:
            await uow.audit.append(
                now=now,
                actor_id=actor_id,
                article_id=None,
                action="feed_remove",
                details={"feed": feed_id},
            )
    return removed


async def _audit_channel(
    uow: UnitOfWork,
    channel: Channel,
    action: str,
    details: dict[str, Any],
    actor_id: int,
    now: datetime,
) -> None:
    await uow.audit.append(
        now=now,
        actor_id=actor_id,
        article_id=None,
        action=action,
        details={"channel": channel.chat_ref, **details},
    )
