"""Sending a composed ``Post``: the one code path that turns it into Bot API calls.

The editor's preview, the admin's review card and the channel all go through :func:`send_post`,
so what an editor previews is byte for byte what the channel gets. Retries and flood control
happen below, in the session middleware (:mod:`bot.telegram.retry`).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    InputRichBlockPhoto,
    InputRichMessage,
    LinkPreviewOptions,
    Message,
)

from bot.domain import Channel, OutMessage, Post

__all__ = ["not_modified", "public_link", "send_post", "update_post"]

log = logging.getLogger(__name__)


def post_markup(
    message: OutMessage, extra: InlineKeyboardMarkup | None
) -> InlineKeyboardMarkup | None:
    """The message's own link buttons ("Read more") on top, then ``extra`` (a card's)."""
    rows: list[list[InlineKeyboardButton]] = []
    if message.buttons:
        rows.append([InlineKeyboardButton(text=b.text, url=b.url) for b in message.buttons])
    if extra is not None:
        rows.extend(extra.inline_keyboard)
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def link_preview(message: OutMessage) -> LinkPreviewOptions:
    """The large preview above the text for the preview layout; no preview otherwise."""
    if message.link_preview_url:
        return LinkPreviewOptions(
            url=message.link_preview_url, prefer_large_media=True, show_above_text=True
        )
    return LinkPreviewOptions(is_disabled=True)


def _photo_input(ref: str, upload: bytes | None) -> str | BufferedInputFile:
    return BufferedInputFile(upload, filename="photo.jpg") if upload is not None else ref


def rich_input(message: OutMessage, upload: bytes | None = None) -> InputRichMessage:
    """The composer's rich blocks (Bot API JSON) as aiogram's ``InputRichMessage``.

    ``upload`` replaces the first photo block's media by uploaded bytes (a photo URL Telegram
    could not fetch); aiogram sends it as an ``attach://`` part of the request.
    """
    rich = InputRichMessage.model_validate(json.loads(message.rich))
    if upload is None or not rich.blocks:
        return rich
    blocks = list(rich.blocks)
    for index, block in enumerate(blocks):
        if isinstance(block, InputRichBlockPhoto):
            photo = block.photo.model_copy(update={"media": _photo_input("", upload)})
            blocks[index] = block.model_copy(update={"photo": photo})
            break
    return rich.model_copy(update={"blocks": blocks})


async def send_post(
    bot: Bot,
    chat_id: int | str,
    post: Post,
    *,
    extra_markup: InlineKeyboardMarkup | None = None,
    silent: bool | None = None,
    upload: bytes | None = None,
    progress: list[Message] | None = None,
) -> list[Message]:
    """Send every message of ``post`` in order; ``extra_markup`` goes on the last one that can
    carry buttons (albums cannot). ``upload`` replaces the first photo by uploaded bytes.

    ``progress``, when given, receives each message as soon as Telegram confirms it: if a later
    message of a multi-message post fails, the caller still knows which ones are in the chat
    (and can delete them, or keep their ids) instead of losing them with the exception.
    """
    sent: list[Message] = progress if progress is not None else []
    last = len(post.messages) - 1
    for index, message in enumerate(post.messages):
        markup = post_markup(message, extra_markup if index == last else None)
        quiet = message.disable_notification if silent is None else silent
        if message.kind == "photo":
            sent.append(
                await bot.send_photo(
                    chat_id=chat_id,
                    photo=_photo_input(message.photos[0].ref, upload if index == 0 else None),
                    caption=message.html or None,
                    reply_markup=markup,
                    disable_notification=quiet,
                )
            )
        elif message.kind == "album":
            media = [
                InputMediaPhoto(
                    media=_photo_input(photo.ref, upload if (index, i) == (0, 0) else None),
                    caption=message.html if i == 0 and message.html else None,
                )
                for i, photo in enumerate(message.photos)
            ]
            sent.extend(
                await bot.send_media_group(
                    chat_id=chat_id, media=list(media), disable_notification=quiet
                )
            )
            if markup is not None and index == last and extra_markup is not None:
                # Albums cannot carry buttons: the actions go in a small message of their own.
                sent.append(
                    await bot.send_message(chat_id=chat_id, text="⬆️", reply_markup=extra_markup)
                )
        elif message.kind == "rich":
            sent.append(
                await bot.send_rich_message(
                    chat_id=chat_id,
                    rich_message=rich_input(message, upload if index == 0 else None),
                    reply_markup=markup,
                    disable_notification=quiet,
                )
            )
        else:
            sent.append(
                await bot.send_message(
                    chat_id=chat_id,
                    text=message.html,
                    reply_markup=markup,
                    disable_notification=quiet,
                    link_preview_options=link_preview(message),
                )
            )
    return list(sent)


def not_modified(exc: TelegramBadRequest) -> bool:
    """Telegram's 400 for an edit that changes nothing: the message already is as wanted."""
    return "message is not modified" in exc.message


async def edit_in_place(
    bot: Bot,
    chat_id: int | str,
    message_id: int,
    message: OutMessage,
    markup: InlineKeyboardMarkup | None,
    *,
    replace_photo: bool = True,
) -> None:
    """Make one sent message read as ``message``; "not modified" means it already does.

    A photo gets its media replaced (a correction may change the picture), or with
    ``replace_photo=False`` only its caption (a card's header and buttons changed); a text is
    edited keeping its link preview; a rich message gets its new blocks with editMessageText's
    ``rich_message`` (https://core.telegram.org/bots/api#editmessagetext).
    """
    try:
        if message.kind == "rich":
            await bot.edit_message_text(
                chat_id=chat_id,
                message_id=message_id,
                rich_message=rich_input(message),
                reply_markup=markup,
            )
        elif message.kind == "photo" and replace_photo:
            await bot.edit_message_media(
                chat_id=chat_id,
                message_id=message_id,
                media=InputMediaPhoto(media=message.photos[0].ref, caption=message.html or None),
                reply_markup=markup,
            )
        elif message.kind == "photo":
            await bot.edit_message_caption(
                chat_id=chat_id, message_id=message_id, caption=message.html, reply_markup=markup
            )
        else:
            await bot.edit_message_text(
                chat_id=chat_id,
                message_id=message_id,
                text=message.html,
                reply_markup=markup,
                link_preview_options=link_preview(message),
            )
    except TelegramBadRequest as exc:
        if not not_modified(exc):
            raise


async def update_post(
    bot: Bot,
    chat_id: int | str,
    message_ids: Sequence[int],
    post: Post,
    *,
    extra_markup: InlineKeyboardMarkup | None = None,
) -> list[int]:
    """Bring already sent messages in line with ``post`` (corrections, refreshed previews).

    Edits message by message; when the shape changed (a text became a photo, more or fewer
    messages) the old messages are deleted and the post is sent again. Returns the message ids.
    """
    shape_ok = len(message_ids) == len(post.messages) and all(
        m.kind in ("photo", "text", "rich") for m in post.messages
    )
    if shape_ok:
        try:
            last = len(post.messages) - 1
            for index, (message_id, message) in enumerate(
                zip(message_ids, post.messages, strict=True)
            ):
                markup = post_markup(message, extra_markup if index == last else None)
                await edit_in_place(bot, chat_id, message_id, message, markup)
            return list(message_ids)
        except TelegramBadRequest as exc:
            log.info("in-place edit impossible (%s), sending again", exc.message)
    for message_id in message_ids:
        with contextlib.suppress(TelegramBadRequest):
            await bot.delete_message(chat_id=chat_id, message_id=message_id)
    sent = await send_post(bot, chat_id, post, extra_markup=extra_markup)
    return [m.message_id for m in sent]


def public_link(channel: Channel, message_id: int) -> str:
    """https://t.me/<username>/<id>, or the members-only t.me/c/<internal id>/<id> form."""
    if channel.username:
        return f"https://t.me/{channel.username}/{message_id}"
    chat_id = channel.chat_id
    if chat_id is None and channel.chat_ref.lstrip("-").isdigit():
        chat_id = int(channel.chat_ref)
    if chat_id is not None:
        internal = str(chat_id).removeprefix("-100").lstrip("-")
        return f"https://t.me/c/{internal}/{message_id}"
    return ""
