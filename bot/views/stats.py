"""/stats and the weekly report as texts: top posts by reactions, posts per day and editor."""

from __future__ import annotations

import html
from datetime import timedelta
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.domain import Channel
from bot.telegram.send import public_link
from bot.texts import quote, shorten
from bot.timeparse import format_local
from bot.workflow.stats import PublishedPost, Stats, WeeklyState

TITLE_CHARS = 60
CAPTION_TITLE_CHARS = 40
CAPTION_TOP = 3  # a photo caption holds 1024 characters: the report's caption is the short form
EDITORS_SHOWN = 10


def stats_usage() -> str:
    return _("Usage: /stats [@channel] [day|week|month]")


def weekly_usage() -> str:
    return _("Usage: /weekly_report on|off")


def period_name(period: str) -> str:
    names = {"day": _("today"), "week": _("the last 7 days"), "month": _("the last 30 days")}
    return names.get(period, period)


def duration_text(span: timedelta) -> str:
    """``1 h 05 min``, ``12 min``, ``2 d 3 h``: how long a paste waited to be posted."""
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("{days} d {hours} h").format(days=days, hours=hours)
    if hours:
        return _("{hours} h {minutes:02d} min").format(hours=hours, minutes=mins)
    return _("{minutes} min").format(minutes=mins)


def _link(post: PublishedPost, channels: dict[int, Channel] | None) -> str:
    if post.link:
        return post.link
    channel = (channels or {}).get(post.channel_id)
    if channel is None or not post.message_ids:
        return ""
    return public_link(channel, post.message_ids[0])


def _post_line(
    n: int, post: PublishedPost, stats: Stats, *, chars: int, with_channel: bool
) -> str:
    title = quote(shorten(post.title or f"#{post.article_id}", chars))
    link = _link(post, dict(stats.channels))
    shown = f'<a href="{html.escape(link, quote=True)}">{title}</a>' if link else title
    where = ""
    if with_channel and (channel := stats.channels.get(post.channel_id)) is not None:
        where = f" · {quote(channel.chat_ref)}"
    return f"{n}. {shown} — {post.reactions}{where}"


def _headline(stats: Stats, tz: ZoneInfo) -> str:
    where = quote(stats.channel.chat_ref) if stats.channel else _("all channels")
    first = stats.start.astimezone(tz).date()
    last = (stats.end - timedelta(microseconds=1)).astimezone(tz).date()
    span = f"{first:%d.%m}" if first == last else f"{first:%d.%m}–{last:%d.%m.%Y}"
    return _("<b>Statistics</b> · {where} · {period} ({span})").format(
        where=where, period=period_name(stats.period), span=span
    )


def _totals(stats: Stats) -> str:
    median = duration_text(stats.median_to_post) if stats.median_to_post is not None else "—"
    return _("Posts: {posts} · reactions: {reactions} · median paste → post: {median}").format(
        posts=len(stats.posts), reactions=stats.total_reactions, median=median
    )


def stats_text(stats: Stats, tz: ZoneInfo) -> str:
    lines = [_headline(stats, tz), _totals(stats)]
    if not stats.posts:
        lines.append(_("No posts in this period."))
        return "\n".join(lines)
    lines += ["", _("<b>Top posts by reactions</b>")]
    many_channels = stats.channel is None and len({p.channel_id for p in stats.posts}) > 1
    for n, post in enumerate(stats.top, 1):
        lines.append(_post_line(n, post, stats, chars=TITLE_CHARS, with_channel=many_channels))
    if not stats.top:
        lines.append(_("No reactions yet (the bot must be a channel admin to see them)."))
    lines += ["", _("<b>Posts per day</b>")]
    for day in stats.per_day:
        if day.posts:
            lines.append(
                _("{day}: {posts} (reactions: {reactions})").format(
                    day=f"{day.day:%d.%m}", posts=day.posts, reactions=day.reactions
                )
            )
    lines += ["", _("<b>Posts per editor</b>")]
    for name, count in stats.per_editor[:EDITORS_SHOWN]:
        lines.append(f"{quote(shorten(name, 40))}: {count}")
    if len(stats.per_editor) > EDITORS_SHOWN:
        lines.append(_("… and {count} more").format(count=len(stats.per_editor) - EDITORS_SHOWN))
    return "\n".join(lines)


def report_caption(stats: Stats, tz: ZoneInfo) -> str:
    """The weekly report's photo caption: the headline, the totals and the top three."""
    first = stats.start.astimezone(tz).date()
    last = (stats.end - timedelta(microseconds=1)).astimezone(tz).date()
    lines = [
        _("📊 <b>Weekly report</b> · {first}–{last}").format(
            first=f"{first:%d.%m}", last=f"{last:%d.%m.%Y}"
        ),
        _totals(stats),
    ]
    for n, post in enumerate(stats.top[:CAPTION_TOP], 1):
        lines.append(_post_line(n, post, stats, chars=CAPTION_TITLE_CHARS, with_channel=False))
    if stats.per_editor:
        lines.append(
            _("Most posts: {name} ({count})").format(
                name=quote(shorten(stats.per_editor[0][0], 40)), count=stats.per_editor[0][1]
            )
        )
    lines.append(_("Details: /stats week"))
    return "\n".join(lines)


def chart_labels() -> tuple[str, str, str]:
    """The chart's title and its two series, in the admin chat's language."""
    return _("Posts and reactions per day"), _("posts"), _("reactions")


def weekly_text(state: WeeklyState, tz: ZoneInfo) -> str:
    if state.on:
        return _(
            "Weekly report: on. The next one comes to the admin chat on {when}, with a chart."
        ).format(when=format_local(state.next_at, tz))
    return _("Weekly report: off. /weekly_report on sends one every Monday to the admin chat.")
