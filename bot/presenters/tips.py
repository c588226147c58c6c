"""Reader tips on Telegram: the tip card in the admin chat, and the workflow's
``SuggestedPosts`` port (approveSuggestedPost, declineSuggestedPost, replies to the sender)."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.config import Settings
from bot.presenters.languages import Languages
from bot.tips import Tip, TipKind
from bot.views import tips as views
from bot.workflow import tips as workflow
from bot.workflow.ports import Desk

log = logging.getLogger(__name__)


class TelegramSuggestedPosts:
    """The workflow's ``SuggestedPosts``: each call says None when done, else why not."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def approve(self, tip: Tip, send_at: datetime | None) -> str | None:
        try:
            await self.bot.approve_suggested_post(
                chat_id=tip.chat_id, message_id=tip.message_id, send_date=send_at
            )
        except TelegramAPIError as exc:
            return exc.message
        return None

    async def decline(self, tip: Tip, comment: str) -> str | None:
        try:
            await self.bot.decline_suggested_post(
                chat_id=tip.chat_id, message_id=tip.message_id, comment=comment or None
            )
        except TelegramAPIError as exc:
            return exc.message
        return None

    async def reply(self, tip: Tip, text: str) -> str | None:
        """In the sender's direct messages topic (or their private chat), as plain text: what
        the admin typed is not HTML."""
        topic = tip.topic_id if tip.kind is not TipKind.PRIVATE else None
        try:
            await self.bot.send_message(
                chat_id=tip.chat_id,
                text=text,
                direct_messages_topic_id=topic,
                parse_mode=None,
            )
        except TelegramAPIError as exc:
            return exc.message
        return None


class TipCards:
    """The tip's card in the admin chat: sent when the tip arrives, edited when decided."""

    def __init__(self, bot: Bot, desk: Desk, languages: Languages) -> None:
        self.bot = bot
        self.desk = desk
        self.languages = languages

    @property
    def settings(self) -> Settings:
        return self.desk.settings

    async def _text(self, tip: Tip, decision: str = "") -> str:
        channel = await workflow.channel_of(self.desk.db, tip)
        return views.card_text(tip, channel, self.settings.tz, decision)

    async def send(self, tip: Tip) -> None:
        chat_id = self.settings.admin_chat_id
        if chat_id is None:
            return
        with self.languages.admin():
            text = await self._text(tip)
            markup = views.card_keyboard(tip)
        try:
            if tip.photo:
                sent = await self.bot.send_photo(
                    chat_id, tip.photo[0].ref, caption=text, reply_markup=markup
                )
            else:
                sent = await self.bot.send_message(chat_id, text, reply_markup=markup)
        except TelegramAPIError as exc:
            log.warning("tip %s: the card could not be sent: %s", tip.id, exc)
            return
        await workflow.remember_card(self.desk, tip, chat_id, sent.message_id)

    async def close(self, tip: Tip) -> None:
        """Write the decision on the card; only the reply button stays."""
        if tip.card_chat_id is None or tip.card_message_id is None:
            return
        with self.languages.admin():
            text = await self._text(tip, views.decision_line(tip, self.settings.tz))
            markup = views.card_keyboard(tip)
        try:
            if tip.photo:
                await self.bot.edit_message_caption(
                    chat_id=tip.card_chat_id,
                    message_id=tip.card_message_id,
                    caption=text,
                    reply_markup=markup,
                )
            else:
                await self.bot.edit_message_text(
                    text=text,
                    chat_id=tip.card_chat_id,
                    message_id=tip.card_message_id,
                    reply_markup=markup,
                )
        except TelegramAPIError as exc:
            log.info("tip %s: the card could not be updated: %s", tip.id, exc)
