"""The editorial workflow: drafts, previews, review cards, decisions and notifications.

Handlers parse an update and call one method here; this module talks to storage through units of
work, composes posts with ``bot.compose`` and shows them with ``bot.publisher.send_post`` (the
same code path the channel gets). Every decision is one conditional status transition, so two
admins pressing at once produce exactly one outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from enum import StrEnum

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.callbacks import DraftAction, HeldAction, ReviewAction
from bot.clock import Clock
from bot.compose import Problem, check, compose
from bot.config import Settings
from bot.domain import (
    Article,
    ArticleContent,
    ArticleStatus,
    Channel,
    Photo,
    Post,
    Publication,
    PublicationStatus,
)
from bot.publisher import PublishingEngine, send_post, update_post
from bot.templates import template_for
from bot.texts import quote, shorten
from bot.timeparse import format_local, next_free_slot, parse_slots
from storage.db import Database, StorageError

log = logging.getLogger(__name__)

# The statuses an admin may publish, schedule or queue an article from.
DECIDABLE: tuple[ArticleStatus, ...] = (
    ArticleStatus.PENDING,
    ArticleStatus.APPROVED,
    ArticleStatus.SCHEDULED,  # a new time or "now" replaces the schedule
    ArticleStatus.DRAFT,
    ArticleStatus.REJECTED,
)

DUPLICATE_WINDOW = timedelta(days=3)
QUEUE_PAGE = 15


class Outcome(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    NOT_YOURS = "not_yours"
    WRONG_STATE = "wrong_state"
    NO_CHANNEL = "no_channel"
    NO_SLOT = "no_slot"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    article: Article | None = None
    detail: str = ""
    winner: str = ""  # for a lost race: who decided, and what


def problem_text(problem: Problem) -> str:
    """A check() finding in the reader's language."""
    texts = {
        "no_photo": _("no photo"),
        "photo_too_large": _("the photo is too large for Telegram"),
        "photo_bad_shape": _("the photo's shape is not accepted by Telegram"),
        "body_shortened": _("the body had to be shortened"),
        "no_source": _("no source"),
        "bad_link": _("a link is not http(s)"),
        "no_title": _("no title"),
        "empty": _("the article is empty"),
    }
    return texts.get(problem.code, problem.code)


def status_text(status: ArticleStatus) -> str:
    texts = {
        ArticleStatus.DRAFT: _("draft"),
        ArticleStatus.PENDING: _("waiting for review"),
        ArticleStatus.APPROVED: _("approved"),
        ArticleStatus.SCHEDULED: _("scheduled"),
        ArticleStatus.PUBLISHED: _("published"),
        ArticleStatus.REJECTED: _("rejected"),
        ArticleStatus.DELETED: _("deleted"),
    }
    return texts[status]


def field_labels() -> dict[str, str]:
    """Editable fields as the editor sees them on the buttons."""
    return {
        "title": _("Title"),
        "lead": _("Lead"),
        "body": _("Body"),
        "credit": _("Photo credit"),
        "source": _("Source"),
        "tags": _("Tags"),
        "photo": _("Photo"),
    }


def similar_title(a: str, b: str) -> bool:
    a, b = " ".join(a.lower().split()), " ".join(b.lower().split())
    if not a or not b:
        return False
    return a == b or SequenceMatcher(None, a, b).ratio() >= 0.9


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
        self._wake = asyncio.Event()
        engine.notifier = self

    # --- set-up and background work -------------------------------------------------------------

    async def bootstrap(self) -> None:
        """Register the default channel from ``CHANNEL_ID``."""
        ref = self.settings.channel_id
        if ref is None:
            return
        now = self.clock.now()
        async with self.db.transaction() as uow:
            await uow.channels.ensure(ref, now=now, is_default=True)

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
        self._wake.set()

    async def run_background(self) -> None:
        """Review reminders and feed polling: sleep until the next one is due."""
        while True:
            self._wake.clear()
            delay = await self.background_step()
            waiter = asyncio.create_task(self._wake.wait())
            sleeper = asyncio.create_task(self.clock.sleep(delay))
            try:
                await asyncio.wait({waiter, sleeper}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
                sleeper.cancel()

    async def background_step(self) -> float:
        """Run what is due; return seconds until something may be due again."""
        now = self.clock.now()
        wait = timedelta(minutes=self.settings.review_reminder_minutes)
        try:
            await self.remind_pending(now)
        except StorageError as exc:  # the database's fault, not a bug: one line, try later
            log.warning("review reminders skipped: %s", exc)
        except Exception:
            log.exception("review reminders failed")
        next_feed = None
        try:
            from bot.feeds import poll_due_feeds

            next_feed = await poll_due_feeds(self, now)
        except StorageError as exc:
            log.warning("feed polling skipped: %s", exc)
        except Exception:
            log.exception("feed polling failed")
        delay = wait.total_seconds() / 4
        if next_feed is not None:
            delay = min(delay, max(1.0, (next_feed - now).total_seconds()))
        return max(1.0, delay)

    async def remind_pending(self, now: datetime) -> int:
        if self.settings.admin_chat_id is None:
            return 0
        cutoff = now - timedelta(minutes=self.settings.review_reminder_minutes)
        async with self.db.read() as uow:
            waiting = await uow.articles.pending_to_remind(submitted_before=cutoff)
        count = 0
        for article in waiting:
            async with self.db.transaction() as uow:
                if not await uow.articles.mark_reminded(article.id, now=now):
                    continue
            with self.admin_locale():
                text = _("⏰ Article #{id} «{title}» is still waiting for a decision.").format(
                    id=article.id, title=quote(shorten(article.content.title, 80))
                )
            await self._safe_send(self.settings.admin_chat_id, text)
            count += 1
        return count

    # --- languages ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def locale(self, language: str) -> Iterator[None]:
        """Texts for someone other than the sender (authors, the admin chat)."""
        with self.i18n.context(), self.i18n.use_locale(language or self.i18n.default_locale):
            yield

    def admin_locale(self) -> contextlib.AbstractContextManager[None]:
        return self.locale(self.settings.default_language)

    # --- channels and templates ---------------------------------------------------------------

    async def default_channel(self) -> Channel | None:
        async with self.db.read() as uow:
            return await uow.channels.default()

    async def compose_for(self, article: Article, channel: Channel | None = None) -> Post:
        if channel is None:
            channel = await self.default_channel()
        return compose(article.content, template_for(channel, self.settings))

    async def checks_for(self, article: Article) -> tuple[Problem, ...]:
        channel = await self.default_channel()
        template = template_for(channel, self.settings)
        return check(article.content, compose(article.content, template), template)

    # --- drafts -------------------------------------------------------------------------------

    async def create_draft(
        self, content: ArticleContent, *, author_id: int, language: str, origin: str
    ) -> tuple[Article, list[Article]]:
        """Store a new draft; also return earlier articles it may duplicate."""
        now = self.clock.now()
        async with self.db.transaction() as uow:
            article = await uow.articles.create(
                content,
                author_id=author_id,
                origin=origin,
                now=now,
                author_language=language,
            )
            await uow.audit.append(
                now=now,
                actor_id=author_id,
                article_id=article.id,
                action="created",
                details={"origin": origin},
            )
            candidates = await uow.articles.recent_similar(
                canonical_url=content.canonical_url,
                since=now - DUPLICATE_WINDOW,
                exclude_id=article.id,
            )
        duplicates = [
            c
            for c in candidates
            if (content.canonical_url and c.content.canonical_url == content.canonical_url)
            or similar_title(c.content.title, content.title)
        ]
        return article, duplicates[:3]

    async def get(self, article_id: int) -> Article | None:
        async with self.db.read() as uow:
            article = await uow.articles.get(article_id)
        if article is None or article.status is ArticleStatus.DELETED:
            return None
        return article

    async def get_for(self, article_id: int, *, user_id: int, is_admin: bool) -> Result:
        article = await self.get(article_id)
        if article is None:
            return Result(Outcome.NOT_FOUND)
        if not is_admin and article.author_id != user_id:
            return Result(Outcome.NOT_YOURS, article)
        return Result(Outcome.OK, article)

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
        now = self.clock.now()
        async with self.db.transaction() as uow:
            updated = await uow.articles.update_content(article.id, content, now=now)
            if updated is None:
                return None
            await uow.audit.append(
                now=now,
                actor_id=actor_id,
                article_id=article.id,
                action=action,
                details={"version": updated.version},
            )
        if updated.status is ArticleStatus.PUBLISHED:
            await self.correct_published(updated, actor_id=actor_id, updated_mark=updated_mark)
        await self.refresh_shown(updated)
        return updated

    async def attach_photos(
        self, article: Article, photos: Sequence[Photo], *, actor_id: int, replace_all: bool
    ) -> Article | None:
        kept = () if replace_all else article.content.photos
        merged = (*kept, *photos)[:10]  # Telegram albums hold at most ten photos
        return await self.update_content(
            article,
            replace(article.content, photos=merged),
            actor_id=actor_id,
            action="photo",
        )

    async def delete(self, article: Article, *, actor_id: int) -> Result:
        now = self.clock.now()
        async with self.db.transaction() as uow:
            deleted = await uow.articles.transition(
                article.id,
                allowed_from=(ArticleStatus.DRAFT, ArticleStatus.REJECTED, ArticleStatus.PENDING),
                to=ArticleStatus.DELETED,
                now=now,
            )
            if deleted is None:
                return Result(Outcome.WRONG_STATE, article)
            await uow.publications.cancel_scheduled(article.id, now=now)
            await uow.audit.append(
                now=now, actor_id=actor_id, article_id=article.id, action="deleted"
            )
        return Result(Outcome.OK, deleted)

    # --- showing articles ---------------------------------------------------------------------

    def draft_keyboard(self, article: Article, *, can_publish: bool) -> InlineKeyboardMarkup:
        def button(text: str, action: str, arg: str = "") -> InlineKeyboardButton:
            return InlineKeyboardButton(
                text=text,
                callback_data=DraftAction(action=action, article_id=article.id, arg=arg).pack(),
            )

        rows = [
            [button(_("🖼 Photo"), "photo"), button(_("✏️ Edit"), "edit")],
        ]
        if article.status in (ArticleStatus.DRAFT, ArticleStatus.REJECTED, ArticleStatus.PENDING):
            rows[0].append(button(_("📢 Channels"), "channels"))
        if article.status in (ArticleStatus.DRAFT, ArticleStatus.REJECTED):
            if can_publish:
                rows.append(
                    [button(_("🚀 Publish now"), "publish"), button(_("🗓 Queue"), "queue")]
                )
            else:
                rows.append([button(_("📨 Submit for review"), "submit")])
            rows.append([button(_("🗑 Delete"), "delete")])
        return InlineKeyboardMarkup(inline_keyboard=rows)

    async def channels_keyboard(self, article: Article) -> InlineKeyboardMarkup:
        """Toggle buttons, one per registered channel; none chosen means the default."""
        async with self.db.read() as uow:
            channels = await uow.channels.all()
            chosen = set(await uow.channels.chosen_for(article.id))
        rows = []
        for channel in channels:
            on = channel.id in chosen or (not chosen and channel.is_default)
            label = ("✅ " if on else "▫️ ") + (
                f"@{channel.username}" if channel.username else channel.title or channel.chat_ref
            )
            data = DraftAction(action="chan", article_id=article.id, arg=str(channel.id))
            rows.append([InlineKeyboardButton(text=label, callback_data=data.pack())])
        return InlineKeyboardMarkup(inline_keyboard=rows)

    async def toggle_channel(self, article: Article, channel_id: int, *, actor_id: int) -> bool:
        """Returns False when the channel does not exist."""
        async with self.db.transaction() as uow:
            if await uow.channels.get(channel_id) is None:
                return False
            chosen = await uow.channels.toggle_chosen(article.id, channel_id)
            await uow.audit.append(
                now=self.clock.now(),
                actor_id=actor_id,
                article_id=article.id,
                action="channel_chosen" if chosen else "channel_unchosen",
                details={"channel": channel_id},
            )
        return True

    def edit_keyboard(self, article: Article) -> InlineKeyboardMarkup:
        labels = field_labels()
        buttons = [
            InlineKeyboardButton(
                text=label,
                callback_data=DraftAction(action="field", article_id=article.id, arg=key).pack(),
            )
            for key, label in labels.items()
        ]
        return InlineKeyboardMarkup(
            inline_keyboard=[buttons[i : i + 3] for i in range(0, len(buttons), 3)]
        )

    async def draft_header(self, article: Article, duplicates: Sequence[Article] = ()) -> str:
        heading = (
            _("<b>Draft #{id}</b> · {status}")
            if article.status in (ArticleStatus.DRAFT, ArticleStatus.REJECTED)
            else _("<b>Article #{id}</b> · {status}")
        )
        lines = [heading.format(id=article.id, status=status_text(article.status))]
        problems = await self.checks_for(article)
        if problems:
            lines.append(
                _("Checks: {problems}").format(
                    problems="; ".join(quote(problem_text(p)) for p in problems)
                )
            )
        for dup in duplicates:
            lines.append(
                _("⚠️ Looks like #{id} «{title}» ({status}).").format(
                    id=dup.id,
                    title=quote(shorten(dup.content.title, 60)),
                    status=status_text(dup.status),
                )
            )
        if article.status is ArticleStatus.REJECTED and article.reject_reason:
            lines.append(_("Rejected: {reason}").format(reason=quote(article.reject_reason)))
        return "\n".join(lines)

    async def show_draft(
        self,
        chat_id: int,
        article: Article,
        *,
        can_publish: bool,
        duplicates: Sequence[Article] = (),
    ) -> None:
        """The post exactly as the channel will see it, then the draft's header and buttons."""
        post = await self.compose_for(article)
        ids: list[int] = []
        try:
            sent = await send_post(self.bot, chat_id, post)
            ids = [m.message_id for m in sent]
        except TelegramBadRequest as exc:
            # Should not happen (the composer keeps to Telegram's rules), but never lose the
            # draft over a preview: say what Telegram said.
            log.warning("preview of article=%s refused: %s", article.id, exc.message)
            await self.bot.send_message(
                chat_id,
                _("Telegram refused the preview: {error}").format(error=quote(exc.message)),
            )
        header = await self.bot.send_message(
            chat_id,
            await self.draft_header(article, duplicates),
            reply_markup=self.draft_keyboard(article, can_publish=can_publish),
        )
        now = self.clock.now()
        async with self.db.transaction() as uow:
            await uow.messages.clear(article.id, "preview")
            for message_id in [*ids, header.message_id]:
                await uow.messages.add(
                    article_id=article.id,
                    kind="preview",
                    chat_id=chat_id,
                    message_id=message_id,
                    now=now,
                )

    async def refresh_shown(self, article: Article) -> None:
        """After an edit: refresh the editor's preview and the review card in place."""
        for kind in ("preview", "card"):
            async with self.db.read() as uow:
                shown = await uow.messages.shown(article.id, kind)
            if not shown:
                continue
            chat_id = shown[0].chat_id
            ids = [m.message_id for m in shown if m.chat_id == chat_id]
            post_ids, control_id = ids[:-1], ids[-1]
            post = await self.compose_for(article)
            try:
                new_ids = await update_post(self.bot, chat_id, post_ids, post)
            except TelegramAPIError as exc:
                log.warning("could not refresh %s of article=%s: %s", kind, article.id, exc)
                continue
            if new_ids != post_ids:
                if kind == "card" and article.status is not ArticleStatus.PENDING:
                    # A decided card keeps its decision and stays without buttons: only the
                    # post above it was sent again.
                    await self._record(article.id, kind, chat_id, [*new_ids, control_id])
                    continue
                # The post changed shape and was sent again: move the control message under it.
                with contextlib.suppress(TelegramAPIError):
                    await self.bot.delete_message(chat_id=chat_id, message_id=control_id)
                if kind == "preview":
                    await self._send_control_preview(chat_id, article, new_ids)
                else:
                    await self._send_card_control(chat_id, article, new_ids)
                continue
            with contextlib.suppress(TelegramBadRequest):
                if kind == "preview":
                    await self.bot.edit_message_text(
                        chat_id=chat_id,
                        message_id=control_id,
                        text=await self.draft_header(article),
                        reply_markup=self.draft_keyboard(
                            article, can_publish=not self.settings.require_approval
                        ),
                    )

    async def refresh_header(self, article: Article) -> None:
        """Bring the editor's draft header (status, buttons) up to date after a decision."""
        async with self.db.read() as uow:
            shown = await uow.messages.shown(article.id, "preview")
        if not shown:
            return
        control = shown[-1]
        language = article.author_language or self.settings.default_language
        with self.locale(language), contextlib.suppress(TelegramBadRequest):
            await self.bot.edit_message_text(
                chat_id=control.chat_id,
                message_id=control.message_id,
                text=await self.draft_header(article),
                reply_markup=self.draft_keyboard(
                    article, can_publish=not self.settings.require_approval
                ),
            )

    async def _send_control_preview(self, chat_id: int, article: Article, ids: list[int]) -> None:
        header = await self.bot.send_message(
            chat_id,
            await self.draft_header(article),
            reply_markup=self.draft_keyboard(
                article, can_publish=not self.settings.require_approval
            ),
        )
        await self._record(article.id, "preview", chat_id, [*ids, header.message_id])

    async def _record(self, article_id: int, kind: str, chat_id: int, ids: list[int]) -> None:
        now = self.clock.now()
        async with self.db.transaction() as uow:
            await uow.messages.clear(article_id, kind)
            for message_id in ids:
                await uow.messages.add(
                    article_id=article_id,
                    kind=kind,
                    chat_id=chat_id,
                    message_id=message_id,
                    now=now,
                )

    # --- review -------------------------------------------------------------------------------

    def review_keyboard(self, article: Article) -> InlineKeyboardMarkup:
        def button(text: str, action: str) -> InlineKeyboardButton:
            return InlineKeyboardButton(
                text=text,
                callback_data=ReviewAction(action=action, article_id=article.id).pack(),
            )

        return InlineKeyboardMarkup(
            inline_keyboard=[
                [button(_("🚀 Publish now"), "publish"), button(_("🗓 Schedule…"), "schedule")],
                [button(_("📥 Add to queue"), "queue"), button(_("✏️ Edit"), "edit")],
                [button(_("❌ Reject"), "reject")],
            ]
        )

    async def card_text(self, article: Article, author_name: str = "") -> str:
        if not author_name:
            # Names are not stored with the article: the submission's audit entry has it.
            author_name = await self._audit_name(article.id, ("submitted",), "author")
        lines = [
            _("<b>For review: #{id}</b>").format(id=article.id),
            _("Author: {author}").format(author=quote(author_name or str(article.author_id))),
        ]
        problems = await self.checks_for(article)
        if problems:
            lines.append(
                _("Checks: {problems}").format(
                    problems="; ".join(quote(problem_text(p)) for p in problems)
                )
            )
        else:
            lines.append(_("Checks: all good"))
        if article.embargo_until:
            lines.append(
                _("Embargo until {when}").format(
                    when=format_local(article.embargo_until, self.settings.tz)
                )
            )
        return "\n".join(lines)

    async def submit(self, article: Article, *, actor_id: int, author_name: str) -> Result:
        if self.settings.admin_chat_id is None:
            return Result(Outcome.NO_CHANNEL, article)
        if not article.content.title and not article.content.body:
            return Result(Outcome.INVALID, article, detail="empty")
        now = self.clock.now()
        async with self.db.transaction() as uow:
            pending = await uow.articles.transition(
                article.id,
                allowed_from=(ArticleStatus.DRAFT, ArticleStatus.REJECTED),
                to=ArticleStatus.PENDING,
                now=now,
                reason="",
            )
            if pending is None:
                return Result(Outcome.WRONG_STATE, article)
            await uow.audit.append(
                now=now,
                actor_id=actor_id,
                article_id=article.id,
                action="submitted",
                details={"author": author_name},
            )
        await self.send_card(pending, author_name=author_name)
        await self.refresh_header(pending)
        return Result(Outcome.OK, pending)

    async def send_card(self, article: Article, *, author_name: str = "") -> None:
        chat_id = self.settings.admin_chat_id
        if chat_id is None:
            return
        with self.admin_locale():
            post = await self.compose_for(article)
            ids: list[int] = []
            try:
                ids = [m.message_id for m in await send_post(self.bot, chat_id, post)]
            except TelegramBadRequest as exc:
                log.warning("review preview of article=%s refused: %s", article.id, exc.message)
            await self._send_card_control(chat_id, article, ids, author_name=author_name)

    async def _send_card_control(
        self, chat_id: int, article: Article, ids: list[int], *, author_name: str = ""
    ) -> None:
        with self.admin_locale():
            control = await self.bot.send_message(
                chat_id,
                await self.card_text(article, author_name),
                reply_markup=self.review_keyboard(article),
            )
        await self._record(article.id, "card", chat_id, [*ids, control.message_id])

    async def _close_card(self, article: Article, decision: str) -> None:
        """Show the decision on the review card and take its buttons away."""
        async with self.db.read() as uow:
            shown = await uow.messages.shown(article.id, "card")
        if not shown:
            return
        control = shown[-1]
        with self.admin_locale():
            text = await self.card_text(article) + "\n\n" + decision
        with contextlib.suppress(TelegramAPIError):
            await self.bot.edit_message_text(
                chat_id=control.chat_id,
                message_id=control.message_id,
                text=text,
                reply_markup=None,
            )

    def _who(self, actor_name: str, when: datetime) -> str:
        return _("{who}, {when}").format(
            who=quote(actor_name), when=format_local(when, self.settings.tz)
        )

    async def _audit_name(self, article_id: int, actions: Sequence[str], key: str) -> str:
        """The name stored with the latest audit entry of one of ``actions`` ("" if none)."""
        async with self.db.read() as uow:
            entries = await uow.audit.for_article(article_id)
        for entry in reversed(entries):
            if entry.action in actions:
                return str(entry.details.get(key) or "")
        return ""

    async def _lost_race(self, article_id: int) -> Result:
        async with self.db.read() as uow:
            current = await uow.articles.get(article_id)
            entries = await uow.audit.for_article(article_id)
        if current is None:
            return Result(Outcome.NOT_FOUND)
        winner = ""
        if current.decided_by is not None and current.decided_at is not None:
            # What the winner decided, by name: the article's status alone says "scheduled"
            # for a "publish now" that the publisher has not finished yet.
            decisions = {
                "publish_now": ArticleStatus.PUBLISHED,
                "scheduled": ArticleStatus.SCHEDULED,
                "queued": ArticleStatus.SCHEDULED,
                "rejected": ArticleStatus.REJECTED,
            }
            decided = next(
                (
                    e
                    for e in reversed(entries)
                    if e.action in decisions and e.actor_id == current.decided_by
                ),
                None,
            )
            winner = _("{status} by {who} at {when}").format(
                status=status_text(decisions[decided.action] if decided else current.status),
                who=quote(str(decided.details.get("by") or "") if decided else "")
                or current.decided_by,
                when=format_local(current.decided_at, self.settings.tz),
            )
        return Result(Outcome.WRONG_STATE, current, winner=winner)

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
        now = self.clock.now()
        async with self.db.transaction() as uow:
            article = await uow.articles.get(article_id)
            if article is None or article.status is ArticleStatus.DELETED:
                return Result(Outcome.NOT_FOUND)
            if not channel_ids:
                channel_ids = await uow.channels.chosen_for(article_id)
            if channel_ids:
                channels = [c for c in await uow.channels.all() if c.id in channel_ids]
            else:
                default = await uow.channels.default()
                channels = [default] if default else []
            if not channels:
                return Result(Outcome.NO_CHANNEL, article)
            due: dict[int, datetime] = {}
            for channel in channels:
                if queue:
                    taken = await uow.publications.taken_times(
                        channel_id=channel.id, since=now - timedelta(minutes=1)
                    )
                    slot = (
                        next_free_slot(
                            parse_slots(" ".join(channel.slots)),
                            taken=taken,
                            now=now,
                            tz=self.settings.tz,
                            not_before=article.embargo_until,
                        )
                        if channel.slots
                        else None
                    )
                    if slot is None:
                        return Result(Outcome.NO_SLOT, article, detail=channel.chat_ref)
                    due[channel.id] = slot
                else:
                    due[channel.id] = when or now
                if article.breaking and queue:
                    due[channel.id] = now  # breaking news jumps the queue
                if article.embargo_until and due[channel.id] < article.embargo_until:
                    due[channel.id] = article.embargo_until
            target = ArticleStatus.SCHEDULED
            decided = await uow.articles.transition(
                article_id,
                allowed_from=from_statuses,
                to=target,
                now=now,
                actor_id=actor_id,
            )
            if decided is not None:
                for channel in channels:
                    await uow.publications.schedule(
                        article_id=article_id,
                        channel_id=channel.id,
                        due_at=due[channel.id],
                        silent=False,
                        now=now,
                    )
                await uow.audit.append(
                    now=now,
                    actor_id=actor_id,
                    article_id=article_id,
                    action="queued" if queue else ("scheduled" if when else "publish_now"),
                    details={
                        "by": actor_name,
                        "channels": [c.chat_ref for c in channels],
                        "due": [d.isoformat() for d in due.values()],
                    },
                )
        if decided is None:
            return await self._lost_race(article_id)
        self.engine.wake()
        first_due = min(due.values())
        when_text = format_local(first_due, self.settings.tz)
        with self.admin_locale():
            if when is None and not queue and first_due <= now:
                decision = _("🚀 Publishing now — {who}").format(who=self._who(actor_name, now))
            else:
                decision = _("🗓 Scheduled for {when} — {who}").format(
                    when=when_text, who=self._who(actor_name, now)
                )
        await self._close_card(decided, decision)
        await self.refresh_header(decided)
        await self._notify_author(
            decided,
            lambda: (
                _("Your article #{id} is approved and will be published now.").format(
                    id=article_id
                )
                if when is None and not queue and first_due <= now
                else _("Your article #{id} is scheduled for {when}.").format(
                    id=article_id, when=when_text
                )
            ),
            skip=actor_id,
        )
        return Result(Outcome.OK, decided, detail=when_text)

    async def reject(
        self, article_id: int, *, actor_id: int, actor_name: str, reason: str, signed: bool
    ) -> Result:
        now = self.clock.now()
        async with self.db.transaction() as uow:
            decided = await uow.articles.transition(
                article_id,
                allowed_from=(ArticleStatus.PENDING,),
                to=ArticleStatus.REJECTED,
                now=now,
                actor_id=actor_id,
                reason=reason,
            )
            if decided is not None:
                await uow.audit.append(
                    now=now,
                    actor_id=actor_id,
                    article_id=article_id,
                    action="rejected",
                    details={"reason": reason, "signed": signed, "by": actor_name},
                )
        if decided is None:
            return await self._lost_race(article_id)
        with self.admin_locale():
            decision = _("❌ Rejected — {who}: {reason}").format(
                who=self._who(actor_name, now), reason=quote(reason)
            )
        await self._close_card(decided, decision)
        await self.refresh_header(decided)

        def text() -> str:
            message = _("Your article #{id} was rejected: {reason}").format(
                id=article_id, reason=quote(reason)
            )
            if signed:
                message += "\n— " + quote(actor_name)
            return message

        await self._notify_author(decided, text, skip=None)
        return Result(Outcome.OK, decided)

    async def unschedule(self, article_id: int, *, actor_id: int) -> Result:
        now = self.clock.now()
        async with self.db.transaction() as uow:
            cancelled = await uow.publications.cancel_scheduled(article_id, now=now)
            if not cancelled:
                return Result(Outcome.WRONG_STATE)
            article = await uow.articles.transition(
                article_id,
                allowed_from=(ArticleStatus.SCHEDULED,),
                to=ArticleStatus.APPROVED,
                now=now,
            )
            await uow.audit.append(
                now=now, actor_id=actor_id, article_id=article_id, action="unscheduled"
            )
        self.engine.wake()
        return Result(Outcome.OK, article)

    async def unpublish(self, article_id: int, *, actor_id: int) -> tuple[int, int]:
        """Delete the channel posts; return (deleted, failed) message counts."""
        async with self.db.read() as uow:
            pubs = [
                p
                for p in await uow.publications.for_article(article_id)
                if p.status is PublicationStatus.PUBLISHED
            ]
            channels = {c.id: c for c in await uow.channels.all()}
        deleted = failed = 0
        now = self.clock.now()
        for pub in pubs:
            channel = channels.get(pub.channel_id)
            if channel is None:
                continue
            ok = True
            for message_id in pub.message_ids:
                try:
                    await self.bot.delete_message(chat_id=channel.target, message_id=message_id)
                    deleted += 1
                except TelegramAPIError:
                    failed += 1
                    ok = False
            if ok:
                async with self.db.transaction() as uow:
                    await uow.publications.set_status(
                        pub.id,
                        allowed_from=(PublicationStatus.PUBLISHED,),
                        to=PublicationStatus.CANCELLED,
                        now=now,
                        error="unpublished",
                    )
        async with self.db.transaction() as uow:
            if pubs and not failed:
                await uow.articles.transition(
                    article_id,
                    allowed_from=(ArticleStatus.PUBLISHED,),
                    to=ArticleStatus.APPROVED,
                    now=now,
                )
            await uow.audit.append(
                now=now,
                actor_id=actor_id,
                article_id=article_id,
                action="unpublished",
                details={"deleted": deleted, "failed": failed},
            )
        return deleted, failed

    async def correct_published(
        self, article: Article, *, actor_id: int, updated_mark: bool = False
    ) -> int:
        """Edit the article's posts in every channel it went to; return how many were updated."""
        async with self.db.read() as uow:
            pubs = [
                p
                for p in await uow.publications.for_article(article.id)
                if p.status is PublicationStatus.PUBLISHED and p.message_ids
            ]
            channels = {c.id: c for c in await uow.channels.all()}
        updated = 0
        now = self.clock.now()
        for pub in pubs:
            channel = channels.get(pub.channel_id)
            if channel is None:
                continue
            post = compose(
                article.content, template_for(channel, self.settings), updated_mark=updated_mark
            )
            try:
                ids = await update_post(self.bot, channel.target, pub.message_ids, post)
            except TelegramAPIError as exc:
                log.warning("correction of publication=%s failed: %s", pub.id, exc)
                continue
            updated += 1
            async with self.db.transaction() as uow:
                if list(ids) != list(pub.message_ids):
                    await uow.publications.set_message_ids(pub.id, ids)
                await uow.audit.append(
                    now=now,
                    actor_id=actor_id,
                    article_id=article.id,
                    action="correction",
                    details={"channel": channel.chat_ref, "version": article.version},
                )
        return updated

    # --- notifications ------------------------------------------------------------------------

    async def _notify_author(self, article: Article, text: object, *, skip: int | None) -> None:
        if skip is not None and skip == article.author_id:
            return
        language = article.author_language or self.settings.default_language
        with self.locale(language):
            message = text() if callable(text) else str(text)
        await self._safe_send(article.author_id, message)

    async def _safe_send(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        try:
            await self.bot.send_message(chat_id, text, reply_markup=markup)
        except TelegramAPIError as exc:
            # An author who blocked the bot must not break publishing.
            log.info("could not notify chat %s: %s", chat_id, exc)

    async def on_published(self, article: Article, pub: Publication, channel: Channel) -> None:
        await self._notify_author(
            article,
            lambda: _("Your article #{id} is published: {link}").format(
                id=article.id, link=pub.link or channel.chat_ref
            ),
            skip=None,
        )
        if self.settings.admin_chat_id is not None:
            with self.admin_locale():
                text = _("✅ #{id} published in {channel}: {link}").format(
                    id=article.id, channel=quote(channel.chat_ref), link=pub.link or "—"
                )
            await self._safe_send(self.settings.admin_chat_id, text)

    async def on_failed(
        self, article: Article, pub: Publication, channel: Channel, reason: str, detail: str
    ) -> None:
        if self.settings.admin_chat_id is None:
            return
        with self.admin_locale():
            reasons = {
                "forbidden": _("the bot lost its rights in that channel"),
                "bad_request": _("Telegram refused the post"),
                "server_error": _("Telegram or the network kept failing"),
            }
            text = _("⚠️ #{id} could not be published in {channel}: {reason} ({detail})").format(
                id=article.id,
                channel=quote(channel.chat_ref),
                reason=reasons.get(reason, reason),
                detail=quote(shorten(detail, 300)),
            )
        await self._safe_send(self.settings.admin_chat_id, text)

    async def on_held(
        self, article: Article, pub: Publication, channel: Channel, reason: str
    ) -> None:
        if self.settings.admin_chat_id is None:
            return
        with self.admin_locale():
            if reason == "missed":
                text = _(
                    "⏸ #{id} «{title}» was due in {channel} at {when} while the bot was down. "
                    "Send it now?"
                )
                buttons = [(_("🚀 Send it now"), "resend"), (_("✖️ Cancel"), "cancel")]
            else:
                text = _(
                    "❓ #{id} «{title}» was being sent to {channel} when the bot stopped. "
                    "Telegram gives no way to know whether it arrived: please check the channel."
                )
                buttons = [
                    (_("✅ It is in the channel"), "sent"),
                    (_("🔁 Send it again"), "resend"),
                ]
            text = text.format(
                id=article.id,
                title=quote(shorten(article.content.title, 80)),
                channel=quote(channel.chat_ref),
                when=format_local(pub.due_at, self.settings.tz),
            )
            markup = InlineKeyboardMarkup(
                inline_keyboard=[
                    [
                        InlineKeyboardButton(
                            text=label,
                            callback_data=HeldAction(action=action, publication_id=pub.id).pack(),
                        )
                        for label, action in buttons
                    ]
                ]
            )
        # Not _safe_send: a held publication waits for this card, so a failure must reach the
        # engine, which asks again later.
        await self.bot.send_message(self.settings.admin_chat_id, text, reply_markup=markup)

    # --- listings -----------------------------------------------------------------------------

    async def history_text(self, article: Article) -> str:
        async with self.db.read() as uow:
            entries = await uow.audit.for_article(article.id)
        lines = [_("<b>History of #{id}</b>").format(id=article.id)]
        for entry in entries:
            who = str(entry.actor_id) if entry.actor_id is not None else _("bot")
            extra = ""
            if entry.action == "rejected":
                extra = ": " + quote(str(entry.details.get("reason", "")))
            elif entry.action == "published":
                extra = " " + quote(str(entry.details.get("link", "")))
            lines.append(
                f"{format_local(entry.at, self.settings.tz)} · {quote(entry.action)}"
                f" · {quote(who)}{extra}"
            )
        return "\n".join(lines)

    async def queue_text(self, page: int = 0) -> tuple[str, bool]:
        """One page of the queue (pending review, then what is still to go out); more pages?"""
        async with self.db.read() as uow:
            pending, total_pending = await uow.articles.page(
                statuses=(ArticleStatus.PENDING,), limit=QUEUE_PAGE, offset=page * QUEUE_PAGE
            )
            upcoming, total_upcoming = await uow.publications.upcoming(
                limit=QUEUE_PAGE, offset=page * QUEUE_PAGE
            )
            channels = {c.id: c for c in await uow.channels.all()}
            titles = {}
            for pub in upcoming:
                art = await uow.articles.get(pub.article_id)
                titles[pub.article_id] = art.content.title if art else ""
            paused = await uow.state.get("publishing_paused") == "1"
        lines = []
        if paused:
            lines.append(_("⏸ Publishing is paused (/resume to restart)."))
        lines.append(_("<b>Waiting for review</b> ({count})").format(count=total_pending))
        for article in pending:
            lines.append(f"#{article.id} {quote(shorten(article.content.title, 60))}")
        lines.append("")
        lines.append(_("<b>Scheduled</b> ({count})").format(count=total_upcoming))
        for pub in upcoming:
            channel = channels.get(pub.channel_id)
            marker = "" if pub.status is PublicationStatus.SCHEDULED else f" [{pub.status}]"
            lines.append(
                f"{format_local(pub.due_at, self.settings.tz)} · "
                f"{quote(channel.chat_ref if channel else '?')} · #{pub.article_id} "
                f"{quote(shorten(titles.get(pub.article_id, ''), 50))}{marker}"
            )
        more = (page + 1) * QUEUE_PAGE < max(total_pending, total_upcoming)
        return "\n".join(lines), more


def render_article_line(article: Article) -> str:
    return f"#{article.id} · {status_text(article.status)} · " + html.escape(
        shorten(article.content.title or "—", 60), quote=False
    )
