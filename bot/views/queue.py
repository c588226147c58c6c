"""The publishing queue and an article's history, as texts."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo
from aiogram.utils.i18n import gettext as _

from bot.domain import AuditEntry, PublicationStatus
from bot.texts import quote, shorten
from bot.timeparse import format_local
from bot.workflow.queries import QueuePage


def history_text(article_id: int, entries: Sequence[AuditEntry], tz: ZoneInfo) -> str:
    lines = [_("<b>History of #{id}</b>").format(id=article_id)]
    for entry in entries:
        who = str(entry.actor_id) if entry.actor_id is not None else _("bot")
        extra = ""
        if entry.action == "rejected":
            extra = ": " + quote(str(entry.details.get("reason", "")))
        elif entry.action == "published":
            extra = " " + quote(str(entry.details.get("link", "")))
        lines.append(f"{format_local(entry.at, tz)} · {quote(entry.action)} · {quote(who)}{extra}")
    return "\n".join(lines)


def queue_text(queue: QueuePage, tz: ZoneInfo) -> str:
    """Pending review, then what is still to go out."""
    lines = []
    if queue.paused:
        lines.append(_("⏸ Publishing is paused (/resume to restart)."))
    lines.append(_("<b>Waiting for review</b> ({count})").format(count=queue.total_pending))
    for article in queue.pending:
        lines.append(f"#{article.id} {quote(shorten(article.content.title, 60))}")
    lines.append("")
    lines.append(_("<b>Scheduled</b> ({count})").format(count=queue.total_upcoming))
    for pub in queue.upcoming:
        channel = queue.channels.get(pub.channel_id)
        marker = "" if pub.status is PublicationStatus.SCHEDULED else f" [{pub.status}]"
        lines.append(
            f"{format_local(pub.due_at, tz)} · "
            f"{quote(channel.chat_ref if channel else '?')} · #{pub.article_id} "
            f"{quote(shorten(queue.titles.get(pub.article_id, ''), 50))}{marker}"
        )
    return "\n".join(lines)


def calendar_button(
    markup: InlineKeyboardMarkup | None, *, url: str | None, bot_username: str, private: bool
) -> InlineKeyboardMarkup | None:
    """The queue's markup with a row that opens the calendar (the Mini App at WEB_APP_URL).

    A ``web_app`` button works in private chats only (Bot API, InlineKeyboardButton); in the
    admin group the row is a t.me link that opens the bot's Main Mini App, which BotFather
    points at the same WEB_APP_URL (docs/MINI_APP.md).
    """
    if url is None:
        return markup
    text = _("🗓 Open the calendar")
    if private:
        button = InlineKeyboardButton(text=text, web_app=WebAppInfo(url=url))
    else:
        button = InlineKeyboardButton(
            text=text, url=f"https://t.me/{bot_username}?startapp=calendar"
        )
    rows = list(markup.inline_keyboard) if markup is not None else []
    return InlineKeyboardMarkup(inline_keyboard=[*rows, [button]])
