"""The editor's preview (post + header) and the reviewers' card (post + card text), kept current.

Which messages show which article is stored (``messages`` table), so a reply to a preview finds
its article and an edit refreshes every copy in place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Sequence

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.clock import Clock
from bot.config import Settings
from bot.domain import Article, ArticleStatus
from bot.ingest.report import ParseWarning
from bot.presenters.card_notes import card_notes
from bot.presenters.languages import Languages
from bot.telegram.send import not_modified, send_post, update_post
from bot.views import cards, keyboards, notices
from bot.views.doubts import doubt_lines, fix_rows
from bot.workflow.audit import submitter_name
from bot.workflow.drafts import checks_for, preview_post
from bot.workflow.fixes import card_default
from storage.db import Database

log = logging.getLogger(__name__)


class Cards:
    def __init__(
        self, *, db: Database, settings: Settings, bot: Bot, clock: Clock, languages: Languages
    ) -> None:
        self.db = db
        self.settings = settings
        self.bot = bot
        self.clock = clock
        self.languages = languages
        # Weak: a lock lives while an edit holds it, so the map does not grow with history.
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    # --- texts --------------------------------------------------------------------------------

    async def draft_header(self, article: Article, duplicates: Sequence[Article] = ()) -> str:
        problems = await checks_for(self.db, self.settings, article)
        header = cards.draft_header(article, problems, duplicates)
        lines, _rows = await self._doubts(article)
        return "\n".join([header, *lines]) if lines else header

    async def card_text(self, article: Article, author_name: str = "") -> str:
        if not author_name:
            author_name = await submitter_name(self.db, article.id)
        problems = await checks_for(self.db, self.settings, article)
        text = cards.card_text(article, author_name, problems, self.settings.tz)
        # Reviewers see what the parser was not sure of too (the fixes are the editor's).
        lines = doubt_lines(article, None)
        return "\n".join([text, *lines]) if lines else text

    async def _header_keyboard(
        self, article: Article, *, can_publish: bool | None = None
    ) -> InlineKeyboardMarkup:
        if can_publish is None:
            can_publish = not self.settings.require_approval
        markup = keyboards.draft_keyboard(article, can_publish=can_publish)
        _lines, rows = await self._doubts(article)
        return InlineKeyboardMarkup(inline_keyboard=[*rows, *markup.inline_keyboard])

    # --- doubts (issue 13): what the parser was not sure of, with one-tap fixes ---------------

    async def _doubts(
        self, article: Article
    ) -> tuple[list[str], list[list[InlineKeyboardButton]]]:
        if not article.doubts:
            return [], []
        default = (
            await card_default(self.db, article)
            if ParseWarning.NO_SOURCE in article.doubts.warnings
            else None
        )
        return doubt_lines(article, default), fix_rows(article, default)

    # --- the editor's preview -----------------------------------------------------------------

    async def show_draft(
        self,
        chat_id: int,
        article: Article,
        *,
        can_publish: bool,
        duplicates: Sequence[Article] = (),
    ) -> None:
        """The post exactly as the channel will see it, then the draft's header and buttons."""
        post = await preview_post(self.db, self.settings, article)
        ids: list[int] = []
        try:
            ids = [m.message_id for m in await send_post(self.bot, chat_id, post)]
        except TelegramBadRequest as exc:
            # Should not happen (the composer keeps to Telegram's rules), but never lose the
            # draft over a preview: say what Telegram said.
            log.warning("preview of article=%s refused: %s", article.id, exc.message)
            await self.bot.send_message(chat_id, notices.preview_refused_text(exc.message))
        header = await self.bot.send_message(
            chat_id,
            await self.draft_header(article, duplicates),
            reply_markup=await self._header_keyboard(article, can_publish=can_publish),
        )
        await self._record(article.id, "preview", chat_id, [*ids, header.message_id])

    async def refresh_header(self, article: Article) -> None:
        """Bring the editor's draft header (status, buttons) up to date after a decision."""
        async with self.db.read() as uow:
            shown = await uow.messages.shown(article.id, "preview")
        if not shown:
            return
        control = shown[-1]
        language = article.author_language or self.settings.default_language
        with self.languages.locale(language), contextlib.suppress(TelegramBadRequest):
            await self.bot.edit_message_text(
                chat_id=control.chat_id,
                message_id=control.message_id,
                text=await self.draft_header(article),
                reply_markup=await self._header_keyboard(article),
            )

    async def _send_control_preview(self, chat_id: int, article: Article, ids: list[int]) -> None:
        header = await self.bot.send_message(
            chat_id,
            await self.draft_header(article),
            reply_markup=await self._header_keyboard(article),
        )
        await self._record(article.id, "preview", chat_id, [*ids, header.message_id])

    # --- the reviewers' card ------------------------------------------------------------------

    async def send_card(self, article: Article, *, author_name: str = "") -> None:
        chat_id = self.settings.admin_chat_id
        if chat_id is None:
            return
        with self.languages.admin():
            post = await preview_post(self.db, self.settings, article)
            ids: list[int] = []
            try:
                ids = [m.message_id for m in await send_post(self.bot, chat_id, post)]
            except TelegramBadRequest as exc:
                log.warning("review preview of article=%s refused: %s", article.id, exc.message)
            await self._send_card_control(chat_id, article, ids, author_name=author_name)

    async def _send_card_control(
        self, chat_id: int, article: Article, ids: list[int], *, author_name: str = ""
    ) -> None:
        with self.languages.admin():
            control = await self.bot.send_message(
                chat_id,
                await self.card_text(article, author_name),
                reply_markup=keyboards.review_keyboard(article),
            )
        await self._record(article.id, "card", chat_id, [*ids, control.message_id])

    async def close_card(self, article: Article, decision: str) -> None:
        """Show the decision on the review card and take its buttons away."""
        await self._write_card(article.id, decision)

    async def note_published(self, article_id: int) -> bool:
        """Write the article's channel posts on its review card (issue 14: one edit instead of
        a notice each); False when there is no card to write them on."""
        return await self._write_card(article_id, None)

    async def _write_card(self, article_id: int, decision: str | None) -> bool:
        """Rebuild a decided card from the database: its text, the decision, the posts.

        One lock per article: a "publish now" decision and its channel post may reach the card
        at once, and each must read what the other wrote before editing, or the later edit
        would drop the earlier one's line.
        """
        lock = self._locks.get(article_id)
        if lock is None:
            lock = self._locks[article_id] = asyncio.Lock()
        async with lock:
            async with self.db.read() as uow:
                shown = await uow.messages.shown(article_id, "card")
                article = await uow.articles.get(article_id)
            if not shown or article is None:
                return False
            control = shown[-1]
            with self.languages.admin():
                notes = await card_notes(self.db, article_id, self.settings.tz, decision)
                text = "\n\n".join(filter(None, [await self.card_text(article), "\n".join(notes)]))
            try:
                await self.bot.edit_message_text(
                    chat_id=control.chat_id,
                    message_id=control.message_id,
                    text=text,
                    reply_markup=None,
                )
            except TelegramBadRequest as exc:
                return not_modified(exc)
            except TelegramAPIError:
                return False
        return True

    # --- after an edit ------------------------------------------------------------------------

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
            post = await preview_post(self.db, self.settings, article)
            try:
                new_ids = await update_post(self.bot, chat_id, post_ids, post)
            except TelegramAPIError as exc:
                log.warning("could not refresh %s of article=%s: %s", kind, article.id, exc)
                continue
            if new_ids == post_ids:
                if kind == "preview":
                    with contextlib.suppress(TelegramBadRequest):
                        await self.bot.edit_message_text(
                            chat_id=chat_id,
                            message_id=control_id,
                            text=await self.draft_header(article),
                            reply_markup=await self._header_keyboard(article),
                        )
            elif kind == "card" and article.status is not ArticleStatus.PENDING:
                # A decided card keeps its decision and stays without buttons: only the post
                # above it was sent again.
                await self._record(article.id, kind, chat_id, [*new_ids, control_id])
            else:
                await self._move_control(kind, chat_id, article, control_id, new_ids)

    async def _move_control(
        self, kind: str, chat_id: int, article: Article, control_id: int, new_ids: list[int]
    ) -> None:
        """The post changed shape and was sent again: move the control message under it."""
        with contextlib.suppress(TelegramAPIError):
            await self.bot.delete_message(chat_id=chat_id, message_id=control_id)
        if kind == "preview":
            await self._send_control_preview(chat_id, article, new_ids)
        else:
            await self._send_card_control(chat_id, article, new_ids)

    async def _record(self, article_id: int, kind: str, chat_id: int, ids: list[int]) -> None:
        """Remember which messages show the article (replaces what was shown before)."""
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
