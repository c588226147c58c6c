"""The lists admins and editors ask for: their drafts, channels, feeds, editors; page buttons."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.callbacks import Page
from bot.newsroom import render_article_line
from bot.texts import quote
from bot.workflow.queries import Article, Channel, Feed

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


def editors_text(editor_ids: Iterable[int], admin_ids: Iterable[int]) -> str:
    return (
        _("Editors: {ids}").format(ids=", ".join(map(str, sorted(editor_ids))) or "—")
        + "\n"
        + _("Admins: {ids}").format(ids=", ".join(map(str, admin_ids)) or "—")
    )


def channels_text(channels: Sequence[Channel]) -> str:
    if not channels:
        return _("No channels yet: /channel_add @name")
    lines = [_("<b>Channels</b>")]
    for c in channels:
        star = " ★" if c.is_default else ""
        slots = " ".join(c.slots) or "—"
        lines.append(
            f"{quote(c.chat_ref)}{star} {quote(c.title)} · "
            + _("slots: {slots}").format(slots=slots)
            + (f" · {quote(c.quiet_hours)}" if c.quiet_hours else "")
        )
    return "\n".join(lines)


def feeds_text(feeds: Sequence[Feed]) -> str:
    if not feeds:
        return _("No feeds yet: /feed_add URL [review|auto]")
    lines = [_("<b>Feeds</b>")]
    for f in feeds:
        state = _("failing: {error}").format(error=quote(f.last_error)) if f.failures else "ok"
        lines.append(f"{f.id}. {quote(f.title or f.url)} · {f.mode} · {state}")
    return "\n".join(lines)
