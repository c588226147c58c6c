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
from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.clock import Clock
from bot.compose import Problem
from bot.config import Settings
from bot.domain import Article, ArticleStatus
from bot.presenters.card_notes import card_notes
from bot.presenters.languages import Languages
from bot.presenters.shown import Shown, send_shown, update_shown
from bot.views import cards, keyboards, notices
from bot.views.doubts import doubt_lines, fix_rows
from bot.workflow.audit import submitter_name
from bot.workflow.doubts import DefaultSource
from bot.workflow.drafts import post_and_checks
from storage.db import Database

log = logging.getLogger(__name__)


#: Room a one-message preview keeps for what its header will say later: the status and the
#: checks change as the draft moves on.
PREVIEW_RESERVE = 120
#: Room a one-message review card keeps for its decision and a few channel posts (about 60
#: characters each); past that, the edit that does not fit sends the card in two parts.
CARD_RESERVE = 320


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

    def draft_header(
        self,
        article: Article,
        problems: tuple[Problem, ...],
        duplicates: Sequence[Article],
        doubts: Sequence[str],
    ) -> str:
        header = cards.draft_header(article, problems, duplicates)
        return "\n".join([header, *doubts]) if doubts else header

    async def card_text(
        self, article: Article, problems: tuple[Problem, ...], author_name: str = ""
    ) -> str:
        if not author_name:
            author_name = await submitter_name(self.db, article.id)
        text = cards.card_text(article, author_name, problems, self.settings.tz)
        # Reviewers see what the parser was not sure of too (the fixes are the editor's).
        lines = doubt_lines(article, None)
        return "\n".join([text, *lines]) if lines else text

    def _header_keyboard(
        self,
        article: Article,
        fixes: Sequence[list[InlineKeyboardButton]],
        *,
        can_publish: bool | None = None,
    ) -> InlineKeyboardMarkup:
        if can_publish is None:
            can_publish = not self.settings.require_approval
        markup = keyboards.draft_keyboard(article, can_publish=can_publish)
        return InlineKeyboardMarkup(inline_keyboard=[*fixes, *markup.inline_keyboard])

    # --- doubts (issue 13): what the parser was not sure of, with one-tap fixes ---------------

    @staticmethod
    def _doubts(
        article: Article, default: DefaultSource | None
    ) -> tuple[list[str], list[list[InlineKeyboardButton]]]:
        """``default``: the default source the card offers (read with the post)."""
        if not article.doubts:
            return [], []
        return doubt_lines(article, default), fix_rows(article, default)

    async def _shown(
        self,
        kind: str,
        article: Article,
        *,
        can_publish: bool | None = None,
        duplicates: Sequence[Article] = (),
        author_name: str = "",
        decision: str | None = None,
    ) -> Shown:
        """The post and, for ``kind``, its header and buttons, as they should look now.

        A card pending review has its decisions; a decided one has none, and says the decision
        and where the article went (rebuilt from the database, see ``card_notes``).
        """
        # One read and one compose for the post and its checks, the doubts once for the header
        # and the buttons: a shown card is on every paste and every button press (issue 14).
        parts = await post_and_checks(self.db, self.settings, article)
        post, problems = parts.post, parts.problems
        if kind == "preview":
            lines, rows = self._doubts(article, parts.default)
            header = self.draft_header(article, problems, duplicates, lines)
            markup = self._header_keyboard(article, rows, can_publish=can_publish)
            return Shown(post, header, markup)
        text = await self.card_text(article, problems, author_name)
        if article.status is ArticleStatus.PENDING and decision is None:
            return Shown(post, text, keyboards.review_keyboard(article))
        notes = await card_notes(self.db, article.id, self.settings.tz, decision)
        return Shown(post, "\n\n".join(filter(None, [text, "\n".join(notes)])), None)

    def _locale(self, kind: str, article: Article) -> contextlib.AbstractContextManager[None]:
        """The reviewers' language for a card, the author's for their preview."""
        if kind == "card":
            return self.languages.admin()
        return self.languages.locale(article.author_language or self.settings.default_language)

    # --- the editor's preview -----------------------------------------------------------------

    async def show_draft(
        self,
        chat_id: int,
        article: Article,
        *,
        can_publish: bool,
        duplicates: Sequence[Article] = (),
    ) -> None:
        """The post exactly as the channel will see it, with the draft's header and buttons
        (on the post when it is one message and they fit, else in a message under it)."""
        shown = await self._shown(
            "preview", article, can_publish=can_publish, duplicates=duplicates
        )

        async def refused(error: str) -> None:
            await self.bot.send_message(chat_id, notices.preview_refused_text(error))

        ids = await send_shown(self.bot, chat_id, shown, reserve=PREVIEW_RESERVE, refused=refused)
        await self._record(article.id, "preview", chat_id, ids)

    async def refresh_header(self, article: Article) -> None:
        """Bring the editor's draft header (status, buttons) up to date after a decision."""
        await self._update("preview", article.id, content=False)

    # --- the reviewers' card ------------------------------------------------------------------

    async def send_card(self, article: Article, *, author_name: str = "") -> None:
        chat_id = self.settings.admin_chat_id
        if chat_id is None:
            return
        with self.languages.admin():
            shown = await self._shown("card", article, author_name=author_name)
            ids = await send_shown(self.bot, chat_id, shown, reserve=CARD_RESERVE)
        await self._record(article.id, "card", chat_id, ids)

    async def close_card(self, article: Article, decision: str) -> None:
        """Show the decision on the review card and take its buttons away."""
        await self._update("card", article.id, content=False, decision=decision)

    async def note_published(self, article_id: int) -> bool:
        """Write the article's channel posts on its review card (issue 14: one edit instead of
        a notice each); False when there is no card to write them on."""
        return await self._update("card", article_id, content=False)

    # --- after an edit ------------------------------------------------------------------------

    async def refresh_shown(self, article: Article) -> None:
        """After an edit: refresh the editor's preview and the review card in place."""
        for kind in ("preview", "card"):
            await self._update(kind, article.id, content=True)

    async def _update(
        self, kind: str, article_id: int, *, content: bool, decision: str | None = None
    ) -> bool:
        """Bring what shows the article in line with the database; False when nothing shows it
        or Telegram refused.

        One lock per article: a "publish now" decision and its channel post may reach the card
        at once, and each must read what the other wrote before editing, or the later edit
        would drop the earlier one's line.
        """
        lock = self._locks.get(article_id)
        if lock is None:
            lock = self._locks[article_id] = asyncio.Lock()
        async with lock:
            async with self.db.read() as uow:
                found = await uow.messages.shown(article_id, kind)
                article = await uow.articles.get(article_id)
            if not found or article is None:
                return False
            chat_id = found[0].chat_id
            ids = [m.message_id for m in found if m.chat_id == chat_id]
            with self._locale(kind, article):
                shown = await self._shown(kind, article, decision=decision)
                # A decided card stays where it is: only the post above it is sent again.
                moves = kind == "preview" or article.status is ArticleStatus.PENDING
                try:
                    new_ids = await update_shown(
                        self.bot, chat_id, ids, shown, content=content, moves=moves
                    )
                except TelegramAPIError as exc:
                    log.warning("could not refresh %s of article=%s: %s", kind, article_id, exc)
                    return False
            if new_ids != ids:
                await self._record(article_id, kind, chat_id, new_ids)
        return True

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
