"""Paginated lists: the page buttons, and an editor's /drafts one page at a time."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.callbacks import Page
from bot.domain import Article
from bot.views.labels import render_article_line

# Articles on one page of /drafts.
PAGE_SIZE = 10


def pager(listing: str, page: int, more: bool) -> InlineKeyboardMarkup | None:
    """◀️ ▶️ buttons for a paginated list (None when it fits one page)."""
    buttons = []
    if page > 0:
        data = Page(listing=listing, page=page - 1).pack()
        buttons.append(InlineKeyboardButton(text="◀️", callback_data=data))
    if more:
        data = Page(listing=listing, page=page + 1).pack()
        buttons.append(InlineKeyboardButton(text="▶️", callback_data=data))
    return InlineKeyboardMarkup(inline_keyboard=[buttons]) if buttons else None


def drafts_page(
    items: Sequence[Article], total: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page ``page`` of an editor's /drafts: its text and its page buttons."""
    if not total:
        return _("You have no drafts. Paste an article to make one."), None
    lines = [_("<b>Your articles</b> ({total})").format(total=total)]
    lines += [render_article_line(a) for a in items]
    return "\n".join(lines), pager("drafts", page, (page + 1) * PAGE_SIZE < total)
