"""The JSON the Mini App reads: plain dicts of the calendar's values, times in the newsroom's
zone with their offset (ISO 8601), so the page never guesses a zone."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.compose import compose
from bot.config import Settings
from bot.domain import Article, AuditEntry, Channel, Publication, PublicationStatus
from bot.templates import template_for
from bot.timeparse import WhenError, local_to_utc, parse_slots
from bot.webapp.render import post_preview
from bot.workflow.queries import ArticleSheet, Calendar

JsonDict = dict[str, Any]
SLOT_DAYS = 8  # free queue slots are listed for today and the week after
# A slot is taken by any post due in the same minute (as bot.timeparse.next_free_slot says).
_HOLDS_SLOT = (
    PublicationStatus.SCHEDULED,
    PublicationStatus.PUBLISHING,
    PublicationStatus.PUBLISHED,
)


def iso(at: datetime | None, tz: ZoneInfo) -> str | None:
    return at.astimezone(tz).isoformat() if at is not None else None


def _article_fields(article: Article, cal: Calendar | None, tz: ZoneInfo) -> JsonDict:
    names = cal.names if cal is not None else {}
    return {
        "article_id": article.id,
        "title": article.content.title,
        "author_id": article.author_id,
        "author": names.get(article.author_id, ""),
        "breaking": article.breaking,
        "embargo_until": iso(article.embargo_until, tz),
    }


def publication_item(pub: Publication, cal: Calendar, tz: ZoneInfo) -> JsonDict:
    channel = cal.channels.get(pub.channel_id)
    return {
        **_article_fields(cal.articles[pub.article_id], cal, tz),
        "kind": "publication",
        "publication_id": pub.id,
        "channel": channel.chat_ref if channel else "",
        "channel_id": pub.channel_id,
        "status": pub.status.value,
        "due_at": iso(pub.due_at, tz),
        "published_at": iso(pub.published_at, tz),
        "link": pub.link,
        "error": pub.last_error,
    }


def waiting_item(
    article: Article, cal: Calendar, default: Channel | None, tz: ZoneInfo
) -> JsonDict:
    chosen = [cal.channels[c] for c in cal.chosen.get(article.id, ()) if c in cal.channels]
    channel = chosen[0] if chosen else default
    return {
        **_article_fields(article, cal, tz),
        "kind": "article",
        "publication_id": None,
        "channel": channel.chat_ref if channel else "",
        "channel_id": channel.id if channel else None,
        "status": article.status.value,
        "due_at": None,
        "submitted_at": iso(article.submitted_at, tz),
        "reject_reason": article.reject_reason,
    }


def free_slots(
    channel: Channel, taken: Iterable[datetime], *, now: datetime, tz: ZoneInfo
) -> list[str]:
    """The channel's queue slots from today for :data:`SLOT_DAYS` days that no post holds."""
    try:
        slots = parse_slots(" ".join(channel.slots)) if channel.slots else ()
    except WhenError:
        return []
    occupied = {t.replace(second=0, microsecond=0) for t in taken}
    today = now.astimezone(tz).date()
    found = []
    for offset in range(SLOT_DAYS):
        for slot in slots:
            local = datetime.combine(today + timedelta(days=offset), slot.replace(tzinfo=None))
            at = local_to_utc(local, tz, nonexistent="shift")
            if at > now and at.replace(second=0, microsecond=0) not in occupied:
                found.append(iso(at, tz) or "")
    return found


def channel_info(channel: Channel, cal: Calendar, *, now: datetime, tz: ZoneInfo) -> JsonDict:
    taken = [
        p.due_at
        for p in cal.publications
        if p.channel_id == channel.id and p.status in _HOLDS_SLOT
    ]
    return {
        "id": channel.id,
        "ref": channel.chat_ref,
        "title": channel.title or channel.chat_ref,
        "slots": list(channel.slots),
        "quiet_hours": channel.quiet_hours,
        "free_slots": free_slots(channel, taken, now=now, tz=tz),
        "is_default": channel.is_default,
    }


def calendar_json(cal: Calendar, *, now: datetime, settings: Settings) -> JsonDict:
    tz = settings.tz
    default = next((c for c in cal.channels.values() if c.is_default), None)
    items = [waiting_item(a, cal, default, tz) for a in cal.waiting]
    items += [publication_item(p, cal, tz) for p in cal.publications]
    editors = sorted(
        {(a.author_id, cal.names.get(a.author_id, "")) for a in cal.articles.values()},
        key=lambda e: (e[1] or str(e[0])).lower(),
    )
    return {
        "items": items,
        "channels": [channel_info(c, cal, now=now, tz=tz) for c in cal.channels.values()],
        "editors": [{"id": i, "name": n or f"#{i}"} for i, n in editors],
        "timezone": settings.timezone,
        "now": iso(now, tz),
    }


def _history_entry(entry: AuditEntry, tz: ZoneInfo) -> JsonDict:
    details = {k: v for k, v in entry.details.items() if isinstance(v, str | int | float | bool)}
    return {
        "at": iso(entry.at, tz),
        "action": entry.action,
        "actor_id": entry.actor_id,
        "by": str(entry.details.get("by") or ""),
        "details": details,
    }


def _targets(sheet: ArticleSheet) -> Sequence[Channel]:
    """Where the article goes (or went): its publications' channels, else the chosen ones,
    else the default channel."""
    ids = [p.channel_id for p in sheet.publications if p.status is not PublicationStatus.CANCELLED]
    ids = ids or list(sheet.chosen)
    found = [sheet.channels[i] for i in dict.fromkeys(ids) if i in sheet.channels]
    default = [c for c in sheet.channels.values() if c.is_default]
    return found or default


def sheet_json(sheet: ArticleSheet, *, settings: Settings) -> JsonDict:
    tz = settings.tz
    article = sheet.article
    previews = []
    for channel in _targets(sheet):
        post = compose(article.content, template_for(channel, settings))
        previews.append({"channel": channel.chat_ref, "messages": post_preview(post)})
    return {
        "article": {
            **_article_fields(article, None, tz),
            "author": sheet.author_name,
            "status": article.status.value,
            "reject_reason": article.reject_reason,
            "submitted_at": iso(article.submitted_at, tz),
        },
        "publications": [
            {
                "publication_id": p.id,
                "channel": sheet.channels[p.channel_id].chat_ref
                if p.channel_id in sheet.channels
                else "",
                "status": p.status.value,
                "due_at": iso(p.due_at, tz),
                "link": p.link,
                "error": p.last_error,
            }
            for p in sheet.publications
        ],
        "previews": previews,
        "history": [_history_entry(e, tz) for e in sheet.history],
        "channels": [{"id": c.id, "ref": c.chat_ref} for c in sheet.channels.values()],
    }
