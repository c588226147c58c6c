"""The newsroom's set-up: who edits, which channels, how and when they post, which feeds.

Each change and its audit entry are one transaction. Set-up entries belong to no article
(``article_id`` None): they answer "who changed the slots of @news, and when".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain import Channel, Feed
from bot.workflow.audit import record
from storage.db import Database


async def add_editor(db: Database, user_id: int, *, actor_id: int, now: datetime) -> None:
    async with db.transaction() as uow:
        await uow.users.put(user_id, role="editor", now=now, added_by=actor_id)
        await record(uow, "editor_add", now=now, actor_id=actor_id, user=user_id)


async def remove_editor(db: Database, user_id: int, *, actor_id: int, now: datetime) -> bool:
    """False when ``user_id`` was not a stored editor (the request is audited all the same)."""
    async with db.transaction() as uow:
        removed = await uow.users.remove(user_id)
        await record(uow, "editor_remove", now=now, actor_id=actor_id, user=user_id)
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
        await record(
            uow, "channel_add", now=now, actor_id=actor_id, channel=channel.chat_ref, title=title
        )
    return channel


async def set_slots(
    db: Database, channel: Channel, slots: Sequence[str], *, actor_id: int, now: datetime
) -> None:
    """The channel's queue slots ("09:00", ...)."""
    async with db.transaction() as uow:
        await uow.channels.update(channel.id, slots=slots)
        await record(
            uow,
            "channel_slots",
            now=now,
            actor_id=actor_id,
            channel=channel.chat_ref,
            slots=list(slots),
        )


async def set_quiet_hours(
    db: Database, channel: Channel, value: str, *, actor_id: int, now: datetime
) -> None:
    """Silent posting at night ("23:00-07:00"; "" turns it off)."""
    async with db.transaction() as uow:
        await uow.channels.update(channel.id, quiet_hours=value)
        await record(
            uow, "channel_quiet", now=now, actor_id=actor_id, channel=channel.chat_ref, quiet=value
        )


async def set_template_key(
    db: Database, channel: Channel, key: str, value: object, *, actor_id: int, now: datetime
) -> None:
    """One key of the channel's post template, the others kept."""
    async with db.transaction() as uow:
        # Read inside the transaction: two admins changing two keys at once both win.
        current = await uow.channels.get(channel.id)
        template = {**(current or channel).template, key: value}
        await uow.channels.update(channel.id, template=template)
        await record(
            uow,
            "channel_template",
            now=now,
            actor_id=actor_id,
            channel=channel.chat_ref,
            key=key,
            value=value,
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
            await record(
                uow, "feed_add", now=now, actor_id=actor_id, feed=feed.id, url=url, mode=mode
            )
    return feed


async def remove_feed(db: Database, feed_id: int, *, actor_id: int, now: datetime) -> bool:
    """False when there is no such feed (nothing changed, nothing audited)."""
    async with db.transaction() as uow:
        removed = await uow.feeds.remove(feed_id)
        if removed:
            await record(uow, "feed_remove", now=now, actor_id=actor_id, feed=feed_id)
    return removed
