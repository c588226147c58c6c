"""The newsroom's set-up as admins list it: editors, channels, feeds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiogram.utils.i18n import gettext as _

from bot.domain import Channel, Feed
from bot.texts import quote


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
