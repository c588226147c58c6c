"""The Mini App's actions as calls of the chat's use cases, with the viewer as the actor."""

from __future__ import annotations

from typing import Any

from bot.webapp.auth import Viewer
from bot.webapp.context import WebAppContext
from bot.webapp.errors import RequestError
from bot.workflow import calendar, corrections, flags, queries, review
from bot.workflow.corrections import Unpublished
from bot.workflow.results import Result

HELD_DECISIONS = ("sent", "resend", "cancel")


async def channel_id(ctx: WebAppContext, ref: Any) -> int | None:
    """The channel a request names (its @name, -100… id or our id); None when none is named."""
    if ref is None or ref == "":
        return None
    if not isinstance(ref, str | int) or len(str(ref)) > 64:
        raise RequestError(400, "no_channel")
    wanted = str(ref).strip()
    for channel in await queries.channels(ctx.desk.db):
        names = {channel.chat_ref, str(channel.id), str(channel.chat_id or "")}
        if channel.username:
            names.add("@" + channel.username.lstrip("@"))
        if wanted in names:
            return channel.id
    raise RequestError(422, "no_channel")


async def reschedule(
    ctx: WebAppContext, viewer: Viewer, article_id: int, at: Any, channel: int | None
) -> Result:
    return await calendar.reschedule(
        ctx.desk,
        article_id,
        actor_id=viewer.user_id,
        actor_name=viewer.name,
        when=at,
        channel_id=channel,
    )


async def approve(ctx: WebAppContext, viewer: Viewer, article_id: int) -> Result:
    """ "Publish now", as the review card's button."""
    return await review.publish(
        ctx.desk, article_id, actor_id=viewer.user_id, actor_name=viewer.name
    )


async def reject(ctx: WebAppContext, viewer: Viewer, article_id: int, reason: str) -> Result:
    return await review.reject(
        ctx.desk,
        article_id,
        actor_id=viewer.user_id,
        actor_name=viewer.name,
        reason=reason,
        signed=False,
    )


async def unpublish(ctx: WebAppContext, viewer: Viewer, article_id: int) -> Unpublished:
    return await corrections.unpublish(ctx.desk, article_id, actor_id=viewer.user_id)


async def decide_held(
    ctx: WebAppContext, viewer: Viewer, publication_id: int, choice: str
) -> bool:
    """The held card's three answers; False when another admin answered first."""
    if choice == "cancel":
        return await flags.cancel_held(ctx.desk, publication_id, actor_id=viewer.user_id)
    return await ctx.engine.resolve_held(
        publication_id, sent=choice == "sent", actor_id=viewer.user_id
    )
