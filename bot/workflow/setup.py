"""The newsroom's set-up: who edits, which channels, how and when they post, which feeds.

Each use case takes the :class:`~bot.workflow.ports.Desk`, like the rest of the workflow, and
reads the time from its clock. Each change and its audit entry are one transaction. Set-up
entries belong to no article (``article_id`` None): they answer "who changed the slots of
@news, and when".
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from bot.domain import Channel, Feed
from bot.workflow.audit import record
from bot.workflow.ports import Desk
from bot.workflow.tips import TIPS_KEY
from storage.db import UnitOfWork


async def add_editor(desk: Desk, user_id: int, *, actor_id: int) -> None:
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        await uow.users.put(user_id, role="editor", now=now, added_by=actor_id)
        await record(uow, "editor_add", now=now, actor_id=actor_id, user=user_id)


async def remove_editor(desk: Desk, user_id: int, *, actor_id: int) -> bool:
    """False when ``user_id`` was not a stored editor (the request is audited all the same)."""
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        removed = await uow.users.remove(user_id)
        await record(uow, "editor_remove", now=now, actor_id=actor_id, user=user_id)
    return removed


async def add_channel(
    desk: Desk, ref: str, *, chat_id: int, username: str, title: str, actor_id: int
) -> Channel:
    """Register (or refresh) the channel ``ref``; the caller checked the bot's rights there."""
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        channel = await uow.channels.ensure(
            ref, now=now, chat_id=chat_id, username=username, title=title
        )
        await record(
            uow, "channel_add", now=now, actor_id=actor_id, channel=channel.chat_ref, title=title
        )
    return channel


async def set_slots(desk: Desk, channel: Channel, slots: Sequence[str], *, actor_id: int) -> None:
    """The channel's queue slots ("09:00", ...)."""
    async with _changing(desk, channel, "channel_slots", actor_id, slots=list(slots)) as uow:
        await uow.channels.update(channel.id, slots=slots)


async def set_quiet_hours(desk: Desk, channel: Channel, value: str, *, actor_id: int) -> None:
    """Silent posting at night ("23:00-07:00"; "" turns it off)."""
    async with _changing(desk, channel, "channel_quiet", actor_id, quiet=value) as uow:
        await uow.channels.update(channel.id, quiet_hours=value)


async def set_template_key(
    desk: Desk, channel: Channel, key: str, value: object, *, actor_id: int
) -> None:
    """One key of the channel's post template, the others kept."""
    async with _changing(desk, channel, "channel_template", actor_id, key=key, value=value) as uow:
        # Read inside the transaction: two admins changing two keys at once both win.
        current = await uow.channels.get(channel.id)
        await uow.channels.update(
            channel.id, template={**(current or channel).template, key: value}
        )


async def set_tips(desk: Desk, channel: Channel, on: bool, *, actor_id: int) -> None:
    """Whether the channel's direct messages and suggested posts become tips (issue 15); kept
    with the channel's other settings, under a key the post template does not read."""
    async with _changing(desk, channel, "channel_tips", actor_id, on=on) as uow:
        current = await uow.channels.get(channel.id)
        await uow.channels.update(
            channel.id, template={**(current or channel).template, TIPS_KEY: on}
        )


@asynccontextmanager
async def _changing(
    desk: Desk, channel: Channel, action: str, actor_id: int, **details: Any
) -> AsyncIterator[UnitOfWork]:
    """The transaction of one change of a channel's settings, audited with ``details``."""
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        yield uow
        await record(uow, action, now=now, actor_id=actor_id, channel=channel.chat_ref, **details)


async def add_feed(
    desk: Desk, url: str, *, mode: str, interval_s: int, actor_id: int
) -> Feed | None:
    """Follow ``url`` ("review": items become drafts, "auto": they are published); None when
    it is followed already."""
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        feed = await uow.feeds.add(
            url, mode=mode, interval_s=interval_s, added_by=actor_id, now=now
        )
        if feed is not None:
            await record(
                uow, "feed_add", now=now, actor_id=actor_id, feed=feed.id, url=url, mode=mode
            )
    return feed


async def remove_feed(desk: Desk, feed_id: int, *, actor_id: int) -> bool:
    """False when there is no such feed (nothing changed, nothing audited)."""
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        removed = await uow.feeds.remove(feed_id)
        if removed:
            await record(uow, "feed_remove", now=now, actor_id=actor_id, feed=feed_id)
    return removed
