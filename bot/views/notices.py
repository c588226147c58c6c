"""Notices to authors and to the admin chat: publications, failures, held posts, reminders."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.domain import Article, Channel, Feed, Publication
from bot.limits import TEXT_LIMIT
from bot.texts import quote, shorten, visible_length
from bot.timeparse import format_local


def published_author_text(article: Article, pub: Publication, channel: Channel) -> str:
    return _("Your article #{id} is published: {link}").format(
        id=article.id, link=pub.link or channel.chat_ref
    )


def published_admin_text(article: Article, pub: Publication, channel: Channel) -> str:
    return _("✅ #{id} published in {channel}: {link}").format(
        id=article.id, channel=quote(channel.chat_ref), link=pub.link or "—"
    )


def failed_admin_text(article: Article, channel: Channel, reason: str, detail: str) -> str:
    reasons = {
        "forbidden": _("the bot lost its rights in that channel"),
        "bad_request": _("Telegram refused the post"),
        "server_error": _("Telegram or the network kept failing"),
    }
    return _("⚠️ #{id} could not be published in {channel}: {reason} ({detail})").format(
        id=article.id,
        channel=quote(channel.chat_ref),
        reason=reasons.get(reason, reason),
        detail=quote(shorten(detail, 300)),
    )


def held_text(
    article: Article, pub: Publication, channel: Channel, *, missed: bool, tz: ZoneInfo
) -> str:
    """The question on a held publication's card (see ``keyboards.held_keyboard``)."""
    if missed:
        text = _(
            "⏸ #{id} «{title}» was due in {channel} at {when} while the bot was down. Send it now?"
        )
    else:
        text = _(
            "❓ #{id} «{title}» was being sent to {channel} when the bot stopped. "
            "Telegram gives no way to know whether it arrived: please check the channel."
        )
    return text.format(
        id=article.id,
        title=quote(shorten(article.content.title, 80)),
        channel=quote(channel.chat_ref),
        when=format_local(pub.due_at, tz),
    )


def reminder_text(article: Article) -> str:
    return _("⏰ Article #{id} «{title}» is still waiting for a decision.").format(
        id=article.id, title=quote(shorten(article.content.title, 80))
    )


def feed_failing_text(feed: Feed, error: str) -> str:
    return _("⚠️ Feed {id} ({url}) fails: {error}. I will keep retrying.").format(
        id=feed.id, url=quote(feed.url), error=error
    )


def preview_refused_text(error: str) -> str:
    return _("Telegram refused the preview: {error}").format(error=quote(error))


def published_card_line(pub: Publication, channel: Channel, tz: ZoneInfo) -> str:
    """A channel post written on the article's review card (instead of a notice of its own)."""
    when = pub.published_at.astimezone(tz).strftime("%H:%M") if pub.published_at else "—"
    return _("✅ Published in {channel} at {when}: {link}").format(
        channel=quote(channel.chat_ref), when=when, link=pub.link or "—"
    )


def digest_texts(lines: Sequence[str], limit: int = TEXT_LIMIT) -> list[str]:
    """Notice lines joined into as few messages as Telegram's text limit allows (none lost)."""
    texts: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        length = visible_length(line)
        if current and size + 1 + length > limit:
            texts.append("\n".join(current))
            current, size = [], 0
        current.append(line)
        size += length + (1 if size else 0)
    if current:
        texts.append("\n".join(current))
    return texts
