"""A temporary facade over the workflow and the presenters, for the handlers of today.

The decisions live in ``bot.workflow`` (plain Python, audited, testable without Telegram), what
people see in ``bot.views``, and sending it in ``bot.presenters``. This class wires them and keeps
the methods the handlers call; new code should call the workflow and a presenter directly.
It is also a :class:`bot.workflow.ports.Desk` (db, settings, clock, notifier, schedule, posts).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n

from bot.background import BackgroundLoop
from bot.clock import Clock
from bot.compose import Problem
from bot.config import Settings
from bot.domain import Article, ArticleContent, ArticleStatus, Channel, Photo, Post, Publication
from bot.ingest.report import ParseReport
from bot.presenters.cards import Cards
from bot.presenters.languages import Languages
from bot.presenters.notifier import TelegramNotifier
from bot.presenters.sending import TelegramChannelPosts
from bot.publishing import PublishingEngine
from bot.timeparse import format_local
from bot.views import cards, keyboards
from bot.views import queue as queue_view
from bot.views.labels import field_labels, problem_text, render_article_line, status_text
from bot.workflow import corrections, drafts, reminders, review
from bot.workflow import listings as lists
from bot.workflow import results as wf
from bot.workflow.results import DECIDABLE, Outcome
from storage.db import Database

__all__ = [
    "DECIDABLE",
    "Newsroom",
    "Outcome",
    "Result",
    "field_labels",
    "problem_text",
    "render_article_line",
    "status_text",
]


@dataclass(frozen=True, slots=True)
class Result:
    """A workflow result as the handlers answer it (texts in the sender's language)."""

    outcome: Outcome
    article: Article | None = None
    detail: str = ""
    winner: str = ""  # for a lost race: who decided, and what


class Newsroom:
    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        bot: Bot,
        clock: Clock,
        engine: PublishingEngine,
        i18n: I18n,
    ) -> None:
        self.settings = settings
        self.db = db
        self.bot = bot
        self.clock = clock
        self.engine = engine
        self.i18n = i18n
        self.languages = Languages(i18n, settings.default_language)
        self.cards = Cards(
            db=db, settings=settings, bot=bot, clock=clock, languages=self.languages
        )
        self.notifier = TelegramNotifier(
            settings=settings, bot=bot, languages=self.languages, cards=self.cards
        )
        self.schedule = engine
        self.posts = TelegramChannelPosts(bot)
        self.background = BackgroundLoop(self, clock)

    def _answer(self, result: wf.Result) -> Result:
        winner = cards.winner_text(result.winner, self.settings.tz) if result.winner else ""
        detail = result.detail
        if result.decision is not None and result.decision.due is not None:
            detail = format_local(result.decision.due, self.settings.tz)
        return Result(result.outcome, result.article, detail=detail, winner=winner)

    # --- set-up and background work -------------------------------------------------------------

    async def bootstrap(self) -> None:
        """Register the default channel from ``CHANNEL_ID``."""
        ref = self.settings.channel_id
        if ref is None:
            return
        async with self.db.transaction() as uow:
            await uow.channels.ensure(ref, now=self.clock.now(), is_default=True)

    async def resolve_channels(self) -> list[str]:
        """Ask Telegram for each channel's id, username and title; return problems found."""
        problems: list[str] = []
        async with self.db.read() as uow:
            channels = await uow.channels.all()
        for channel in channels:
            try:
                chat = await self.bot.get_chat(chat_id=channel.target)
            except TelegramAPIError as exc:
                problems.append(f"{channel.chat_ref}: {exc}")
                continue
            async with self.db.transaction() as uow:
                await uow.channels.ensure(
                    channel.chat_ref,
                    now=self.clock.now(),
                    chat_id=chat.id,
                    username=chat.username or "",
                    title=chat.title or "",
                )
        return problems

    def wake(self) -> None:
        self.background.wake()

    async def run_background(self) -> None:
        await self.background.run()

    async def background_step(self) -> float:
        return await self.background.step()

    async def remind_pending(self, now: datetime) -> int:
        return await reminders.remind_pending(self, now)

    # --- languages ----------------------------------------------------------------------------

    def locale(self, language: str) -> contextlib.AbstractContextManager[None]:
        """Texts for someone other than the sender (authors, the admin chat)."""
        return self.languages.locale(language)

    def admin_locale(self) -> contextlib.AbstractContextManager[None]:
        return self.languages.admin()

    # --- channels and templates ---------------------------------------------------------------

    async def default_channel(self) -> Channel | None:
        async with self.db.read() as uow:
            return await uow.channels.default()

    async def compose_for(self, article: Article, channel: Channel | None = None) -> Post:
        return await drafts.preview_post(self.db, self.settings, article, channel)

    async def checks_for(self, article: Article) -> tuple[Problem, ...]:
        return await drafts.checks_for(self.db, self.settings, article)

    # --- drafts -------------------------------------------------------------------------------

    async def create_draft(
        self,
        content: ArticleContent,
        *,
        author_id: int,
        language: str,
        origin: str,
        report: ParseReport | None = None,
    ) -> tuple[Article, list[Article]]:
        """Store a new draft; also return earlier articles it may duplicate."""
        created = await drafts.create_draft(
            self, content, author_id=author_id, language=language, origin=origin, report=report
        )
        return created.article, created.duplicates

    async def get(self, article_id: int) -> Article | None:
        return await drafts.get_live(self.db, article_id)

    async def get_for(self, article_id: int, *, user_id: int, is_admin: bool) -> Result:
        found = await drafts.get_for(self.db, article_id, user_id=user_id, is_admin=is_admin)
        return self._answer(found)

    async def shown_article(self, chat_id: int, message_id: int) -> int | None:
        """Which article a preview or card message belongs to (for replies to it)."""
        async with self.db.read() as uow:
            shown = await uow.messages.find(chat_id=chat_id, message_id=message_id)
        return shown.article_id if shown else None

    async def current_draft(self, user_id: int) -> Article | None:
        async with self.db.read() as uow:
            items, _total = await uow.articles.page(
                statuses=(ArticleStatus.DRAFT,), author_id=user_id, limit=1
            )
        return items[0] if items else None

    async def update_content(
        self,
        article: Article,
        content: ArticleContent,
        *,
        actor_id: int,
        action: str,
        updated_mark: bool = False,
    ) -> Article | None:
        return await drafts.update_content(
            self, article, content, actor_id=actor_id, action=action, updated_mark=updated_mark
        )

    async def attach_photos(
        self, article: Article, photos: Sequence[Photo], *, actor_id: int, replace_all: bool
    ) -> Article | None:
        return await drafts.attach_photos(
            self, article, photos, actor_id=actor_id, replace_all=replace_all
        )

    async def delete(self, article: Article, *, actor_id: int) -> Result:
        return self._answer(await drafts.delete(self, article, actor_id=actor_id))

    async def toggle_channel(self, article: Article, channel_id: int, *, actor_id: int) -> bool:
        """Returns False when the channel does not exist."""
        return await drafts.toggle_channel(self, article, channel_id, actor_id=actor_id)

    async def submit(self, article: Article, *, actor_id: int, author_name: str) -> Result:
        return self._answer(
            await drafts.submit(self, article, actor_id=actor_id, author_name=author_name)
        )

    # --- showing articles ---------------------------------------------------------------------

    def draft_keyboard(self, article: Article, *, can_publish: bool) -> InlineKeyboardMarkup:
        return keyboards.draft_keyboard(article, can_publish=can_publish)

    async def channels_keyboard(self, article: Article) -> InlineKeyboardMarkup:
        """Toggle buttons, one per registered channel; none chosen means the default."""
        async with self.db.read() as uow:
            channels = await uow.channels.all()
            chosen = set(await uow.channels.chosen_for(article.id))
        return keyboards.channels_keyboard(article.id, channels, chosen)

    def edit_keyboard(self, article: Article) -> InlineKeyboardMarkup:
        return keyboards.edit_keyboard(article)

    def review_keyboard(self, article: Article) -> InlineKeyboardMarkup:
        return keyboards.review_keyboard(article)

    async def draft_header(self, article: Article, duplicates: Sequence[Article] = ()) -> str:
        return await self.cards.draft_header(article, duplicates)

    async def card_text(self, article: Article, author_name: str = "") -> str:
        return await self.cards.card_text(article, author_name)

    async def show_draft(
        self,
        chat_id: int,
        article: Article,
        *,
        can_publish: bool,
        duplicates: Sequence[Article] = (),
    ) -> None:
        await self.cards.show_draft(
            chat_id, article, can_publish=can_publish, duplicates=duplicates
        )

    async def refresh_shown(self, article: Article) -> None:
        await self.cards.refresh_shown(article)

    async def refresh_header(self, article: Article) -> None:
        await self.cards.refresh_header(article)

    async def send_card(self, article: Article, *, author_name: str = "") -> None:
        await self.cards.send_card(article, author_name=author_name)

    # --- review -------------------------------------------------------------------------------

    async def publish(
        self,
        article_id: int,
        *,
        actor_id: int,
        actor_name: str,
        when: datetime | None = None,
        queue: bool = False,
        channel_ids: Sequence[int] | None = None,
        from_statuses: Sequence[ArticleStatus] = DECIDABLE,
    ) -> Result:
        """Approve and publish now (``when`` None), at ``when``, or in the next queue slot."""
        decided = await review.publish(
            self,
            article_id,
            actor_id=actor_id,
            actor_name=actor_name,
            when=when,
            queue=queue,
            channel_ids=channel_ids,
            from_statuses=from_statuses,
        )
        return self._answer(decided)

    async def reject(
        self, article_id: int, *, actor_id: int, actor_name: str, reason: str, signed: bool
    ) -> Result:
        decided = await review.reject(
            self,
            article_id,
            actor_id=actor_id,
            actor_name=actor_name,
            reason=reason,
            signed=signed,
        )
        return self._answer(decided)

    async def unschedule(self, article_id: int, *, actor_id: int) -> Result:
        return self._answer(await review.unschedule(self, article_id, actor_id=actor_id))

    async def set_paused(self, paused: bool, *, actor_id: int | None) -> None:
        await review.set_paused(self, paused, actor_id=actor_id)

    async def unpublish(self, article_id: int, *, actor_id: int) -> tuple[int, int]:
        """Delete the channel posts; return (deleted, failed) message counts."""
        done = await corrections.unpublish(self, article_id, actor_id=actor_id)
        return done.deleted, done.failed

    async def correct_published(
        self, article: Article, *, actor_id: int, updated_mark: bool = False
    ) -> int:
        """Edit the article's posts in every channel it went to; return how many were updated."""
        return await corrections.correct_published(
            self, article, actor_id=actor_id, updated_mark=updated_mark
        )

    # --- the publishing engine's notifier (kept for callers of the old names) -----------------

    async def on_published(self, article: Article, pub: Publication, channel: Channel) -> None:
        await self.notifier.on_published(article, pub, channel)

    async def on_failed(
        self, article: Article, pub: Publication, channel: Channel, reason: str, detail: str
    ) -> None:
        await self.notifier.on_failed(article, pub, channel, reason, detail)

    async def on_held(
        self, article: Article, pub: Publication, channel: Channel, reason: str
    ) -> None:
        await self.notifier.on_held(article, pub, channel, reason)

    # --- listings -----------------------------------------------------------------------------

    async def history_text(self, article: Article) -> str:
        entries = await lists.history(self.db, article.id)
        return queue_view.history_text(article.id, entries, self.settings.tz)

    async def queue_text(self, page: int = 0) -> tuple[str, bool]:
        """One page of the queue (pending review, then what is still to go out); more pages?"""
        found = await lists.queue_page(self.db, page)
        return queue_view.queue_text(found, self.settings.tz), found.more
