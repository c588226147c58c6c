"""Showing a post with its header and buttons, and keeping it current, in one or two parts.

A post of one message carries its header and buttons itself (``bot.views.combined``; a rich
post: ``bot.compose.rich_header``); a longer
post is followed by a message of its own for them, as before. Which messages show an article is
stored (``messages`` table) as a list of ids, and the list says the shape: **one id** is a
message that carries the header (the post with the header below it, or the header alone when
Telegram refused the post); **several** are the post's messages, then the header's.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup

from bot.compose.rich_header import with_rich_header
from bot.domain import OutMessage, Post
from bot.telegram.send import edit_in_place, post_markup, send_post, update_post
from bot.views.combined import with_header

__all__ = ["Shown", "send_shown", "update_shown"]

log = logging.getLogger(__name__)

#: Called with Telegram's reason when it refuses a post (the editor is told; reviewers are not).
Refused = Callable[[str], Awaitable[None]]


class Shown:
    """What one preview or card shows now: its post, its header, its buttons."""

    def __init__(self, post: Post, header: str, markup: InlineKeyboardMarkup | None) -> None:
        self.post = post
        self.header = header
        self.markup = markup

    def as_one(self, reserve: int = 0) -> Post | None:
        if len(self.post.messages) == 1 and self.post.messages[0].kind == "rich":
            # A rich post carries the header too, below a divider (bot.compose.rich_header);
            # its limits leave room to spare, so no reserve is needed.
            return with_rich_header(self.post, self.header)
        return with_header(self.post, self.header, reserve=reserve)


async def send_shown(
    bot: Bot, chat_id: int, shown: Shown, *, reserve: int, refused: Refused | None = None
) -> list[int]:
    """Send it, in one message when the post is one and the header fits; return the ids.

    ``reserve`` keeps room in the one message for what the header will say later.
    """
    one = shown.as_one(reserve)
    if one is not None:
        try:
            sent = await send_post(bot, chat_id, one, extra_markup=shown.markup)
            return [m.message_id for m in sent]
        except TelegramBadRequest as exc:
            # Should not happen (the composer and the fit keep to Telegram's rules): the two
            # parts below say what Telegram refuses, if it was the post.
            log.warning("one-message preview refused (%s), sending it in two", exc.message)
    return await _send_pair(bot, chat_id, shown, refused)


async def _send_pair(bot: Bot, chat_id: int, shown: Shown, refused: Refused | None) -> list[int]:
    ids: list[int] = []
    try:
        ids = [m.message_id for m in await send_post(bot, chat_id, shown.post)]
    except TelegramBadRequest as exc:
        # Never lose the draft over a preview: the header still comes, with its buttons.
        log.warning("preview refused: %s", exc.message)
        if refused is not None:
            await refused(exc.message)
    return [*ids, await _send_header(bot, chat_id, shown)]


async def _send_header(bot: Bot, chat_id: int, shown: Shown) -> int:
    header = await bot.send_message(chat_id, shown.header, reply_markup=shown.markup)
    return header.message_id


async def update_shown(
    bot: Bot, chat_id: int, ids: Sequence[int], shown: Shown, *, content: bool, moves: bool = True
) -> list[int]:
    """Bring the messages ``ids`` in line with ``shown``; return the ids it is shown in now.

    ``content`` False: only the header and buttons changed (a decision, a status), so the post
    is not edited. ``moves`` False keeps a separate header where it is when the post had to be
    sent again (a decided review card stays put, without buttons, above the new post).
    """
    one = shown.as_one()
    if len(ids) == 1:
        if one is not None:
            if content:
                return await update_post(bot, chat_id, ids, one, extra_markup=shown.markup)
            await _edit_one(bot, chat_id, ids[0], one.messages[0], shown.markup)
            return list(ids)
        # The header no longer fits on the post: the post, then the header, as two.
        await _delete(bot, chat_id, ids[0])
        return await _send_pair(bot, chat_id, shown, None)
    post_ids, control = list(ids[:-1]), ids[-1]
    if content and one is not None:
        # The post became one message with room for the header: one message from now on.
        await _delete(bot, chat_id, control)
        return await update_post(bot, chat_id, post_ids, one, extra_markup=shown.markup)
    new_ids = await update_post(bot, chat_id, post_ids, shown.post) if content else post_ids
    if new_ids == post_ids or not moves:
        with contextlib.suppress(TelegramBadRequest):  # "not modified" and the like
            await bot.edit_message_text(
                chat_id=chat_id, message_id=control, text=shown.header, reply_markup=shown.markup
            )
        return [*new_ids, control]
    # The post changed shape and was sent again: move the header under it.
    await _delete(bot, chat_id, control)
    return [*new_ids, await _send_header(bot, chat_id, shown)]


async def _delete(bot: Bot, chat_id: int, message_id: int) -> None:
    with contextlib.suppress(TelegramBadRequest):  # already gone, or too old to delete
        await bot.delete_message(chat_id=chat_id, message_id=message_id)


async def _edit_one(
    bot: Bot,
    chat_id: int,
    message_id: int,
    message: OutMessage,
    extra: InlineKeyboardMarkup | None,
) -> None:
    """The text or caption and the buttons of a one-message preview, edited in place.

    A photo's caption is edited with editMessageCaption (editMessageText refuses a photo), a
    text with editMessageText keeping its link preview; "not modified" means it already is.
    """
    markup = post_markup(message, extra)
    await edit_in_place(bot, chat_id, message_id, message, markup, replace_photo=False)
