"""The publishing queue and an article's history, as texts."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

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
