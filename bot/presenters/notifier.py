"""The notifier: what the workflow and the publishing engine tell people, said on Telegram.

It implements both ``bot.workflow.ports.Notifier`` (decisions, edits, reminders, feeds) and the
publishing engine's notifier (``on_outcomes``, ``on_held``).

The admin chat is a group: Telegram allows it 20 messages a minute (issue 14), so a channel post
is told there by editing the article's review card in place, and what has no card (published
without review, and every failure) goes into one digest message per batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from aiogram import Bot

from bot.config import Settings
from bot.domain import Article, Channel, Feed, Publication
from bot.presenters.cards import Cards
from bot.presenters.languages import Languages
from bot.presenters.sending import safe_send
from bot.publishing.ports import ChannelOutcome
from bot.views import cards, keyboards, notices
from bot.workflow.results import Decision


class TelegramNotifier:
    def __init__(
        self, *, settings: Settings, bot: Bot, languages: Languages, cards: Cards
    ) -> None:
        self.settings = settings
        self.bot = bot
        self.languages = languages
        self.cards = cards

    async def notify_author(self, article: Article, text: Callable[[], str]) -> None:
        """Tell the author, in the author's language (``text`` is called in it)."""
        language = article.author_language or self.settings.default_language
        with self.languages.locale(language):
            message = text()
        await safe_send(self.bot, article.author_id, message)

    async def notify_admins(self, text: Callable[[], str]) -> None:
        """Tell the admin chat, if there is one, in its language."""
        if self.settings.admin_chat_id is None:
            return
        with self.languages.admin():
            message = text()
        await safe_send(self.bot, self.settings.admin_chat_id, message)

    # --- the workflow's port ------------------------------------------------------------------

    async def content_changed(self, article: Article) -> None:
        await self.cards.refresh_shown(article)

    async def submitted(self, article: Article, *, author_name: str) -> None:
        await self.cards.send_card(article, author_name=author_name)
        await self.cards.refresh_header(article)

    async def decided(self, article: Article, decision: Decision) -> None:
        tz = self.settings.tz
        with self.languages.admin():
            line = cards.decision_line(decision, tz)
        await self.cards.close_card(article, line)
        await self.cards.refresh_header(article)
        if decision.tell_author:
            await self.notify_author(
                article, lambda: cards.author_decision_text(article.id, decision, tz)
            )

    async def still_waiting(self, article: Article) -> None:
        await self.notify_admins(lambda: notices.reminder_text(article))

    async def feed_failing(self, feed: Feed, error: str) -> None:
        await self.notify_admins(lambda: notices.feed_failing_text(feed, error))

    # --- the publishing engine's notifier -----------------------------------------------------

    async def on_outcomes(self, batch: Sequence[ChannelOutcome]) -> None:
        """One batch of ended publications (see ``bot.publishing.notices``).

        Each author hears about their own post. In the admin chat a post of an article with a
        review card is written on the card; the rest, and every failure, go into one digest:
        a failure is a new message on purpose, so that it is seen and not only edited into a
        card further up the chat.
        """
        published = [o for o in batch if not o.failed]
        for o in published:
            told = partial(notices.published_author_text, o.article, o.pub, o.channel)
            await self.notify_author(o.article, told)
        if self.settings.admin_chat_id is None:
            return
        noted: set[int] = set()
        for article_id in dict.fromkeys(o.article.id for o in published):
            if await self.cards.note_published(article_id):
                noted.add(article_id)
        with self.languages.admin():
            lines = [
                notices.published_admin_text(o.article, o.pub, o.channel)
                for o in published
                if o.article.id not in noted
            ]
            lines += [
                notices.failed_admin_text(o.article, o.channel, o.reason, o.detail)
                for o in batch
                if o.failed
            ]
            texts = notices.digest_texts(lines)
        for text in texts:
            await safe_send(self.bot, self.settings.admin_chat_id, text)

    async def on_held(
        self, article: Article, pub: Publication, channel: Channel, reason: str
    ) -> None:
        if self.settings.admin_chat_id is None:
            return
        missed = reason == "missed"
        with self.languages.admin():
            text = notices.held_text(article, pub, channel, missed=missed, tz=self.settings.tz)
            markup = keyboards.held_keyboard(pub.id, missed=missed)
        # Not safe_send: a held publication waits for this card, so a failure must reach the
        # engine, which asks again later.
        await self.bot.send_message(self.settings.admin_chat_id, text, reply_markup=markup)
