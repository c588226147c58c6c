"""Sending notices and changing channel posts; Telegram's refusals are handled here."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup

from bot.domain import Channel, Post
from bot.telegram.send import update_post

log = logging.getLogger(__name__)


async def safe_send(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send a notice that nothing waits for."""
    try:
        await bot.send_message(chat_id, text, reply_markup=markup)
    except TelegramAPIError as exc:
        # An author who blocked the bot must not break publishing.
        log.info("could not notify chat %s: %s", chat_id, exc)


class TelegramChannelPosts:
    """The workflow's ``ChannelPosts`` port: corrections and unpublishing in channels."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def edit(
        self, channel: Channel, message_ids: Sequence[int], post: Post
    ) -> list[int] | None:
        try:
            return list(await update_post(self.bot, channel.target, list(message_ids), post))
        except TelegramAPIError as exc:
            log.warning("correction in %s failed: %s", channel.chat_ref, exc)
            return None

    async def delete(self, channel: Channel, message_id: int) -> bool:
        try:
            await self.bot.delete_message(chat_id=channel.target, message_id=message_id)
        except TelegramAPIError:
            return False
        return True
