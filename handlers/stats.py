"""The posts' statistics: reaction counts from Telegram, /stats and /weekly_report (admins).

Telegram sends ``message_reaction_count`` only to a bot that is an admin of the channel and
lists the kind in ``allowed_updates``; registering the handler below puts it in the list aiogram
resolves for getUpdates (polling) and setWebhook (webhook mode) alike.
"""

from __future__ import annotations

from datetime import UTC

from aiogram import Router
from aiogram.filters import CommandObject
from aiogram.types import (
    LinkPreviewOptions,
    Message,
    MessageReactionCountUpdated,
    ReactionCount,
    ReactionTypeCustomEmoji,
    ReactionTypeEmoji,
)
from aiogram.utils.i18n import gettext as _

from bot.background import BackgroundLoop
from bot.roles import HasRole, Role
from bot.texts import echo
from bot.views import commands
from bot.views.stats import stats_text, stats_usage, weekly_text, weekly_usage
from bot.workflow import queries, stats
from bot.workflow.ports import Desk

# The period words /stats takes, in the languages the bot speaks; compared lower-cased.
PERIOD_WORDS: dict[str, str] = {
    "day": "day",
    "today": "day",
    "week": "week",
    "month": "month",
    "день": "day",
    "сегодня": "day",
    "неделя": "week",
    "месяц": "month",
}
ON_WORDS = ("on", "вкл", "да")
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # the answer links posts: no big preview


def reaction_key(item: ReactionCount) -> str:
    """ "👍", "custom:<id>" or "paid": one key per kind of reaction, as stored."""
    kind = item.type
    if isinstance(kind, ReactionTypeEmoji):
        return kind.emoji
    if isinstance(kind, ReactionTypeCustomEmoji):
        return f"custom:{kind.custom_emoji_id}"
    return "paid"  # ReactionTypePaid, the only other kind (Bot API 10.3)


async def on_reaction_count(event: MessageReactionCountUpdated, desk: Desk) -> None:
    counts: dict[str, int] = {}
    for item in event.reactions:
        key = reaction_key(item)
        counts[key] = counts.get(key, 0) + item.total_count
    when = event.date if event.date.tzinfo else event.date.replace(tzinfo=UTC)
    await stats.record_reactions(
        desk,
        chat_id=event.chat.id,
        message_id=event.message_id,
        counts=counts,
        counted_at=when,
    )


def _parse(args: str | None) -> tuple[str | None, str | None] | None:
    """``"@news week"`` -> ``("@news", "week")``, in any order; None if something else."""
    ref: str | None = None
    period: str | None = None
    for word in (args or "").split():
        if period is None and word.lower() in PERIOD_WORDS:
            period = PERIOD_WORDS[word.lower()]
        elif ref is None and commands.CHANNEL_REF.fullmatch(word):
            ref = word
        else:
            return None
    return ref, period


async def cmd_stats(message: Message, command: CommandObject, desk: Desk) -> None:
    parsed = _parse(command.args)
    if parsed is None:
        await message.answer(stats_usage())
        return
    ref, period = parsed
    channel = None
    if ref is not None:
        channel = await queries.channel_or_default(desk.db, ref)
        if channel is None:
            await message.answer(
                _("No such channel: {ref}. /channels lists them.").format(ref=echo(ref))
                + "\n"
                + stats_usage()
            )
            return
    figures = await stats.newsroom_stats(
        desk, period=period or stats.DEFAULT_PERIOD, channel=channel
    )
    await message.answer(stats_text(figures, desk.settings.tz), link_preview_options=_NO_PREVIEW)


async def cmd_weekly_report(
    message: Message, command: CommandObject, desk: Desk, background: BackgroundLoop
) -> None:
    words = (command.args or "").lower().split()
    if not words:
        await message.answer(weekly_text(await stats.weekly_report_state(desk), desk.settings.tz))
        return
    if len(words) != 1 or words[0] not in (*ON_WORDS, *commands.OFF_WORDS):
        await message.answer(weekly_usage())
        return
    assert message.from_user is not None  # the role filter passed: a person sent it
    state = await stats.set_weekly_report(
        desk, words[0] in ON_WORDS, actor_id=message.from_user.id
    )
    background.wake()  # the loop's next wake-up includes the report time now
    await message.answer(weekly_text(state, desk.settings.tz))


def setup() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.ADMIN))
    router.message.register(cmd_stats, commands.STATS.filter())
    router.message.register(cmd_weekly_report, commands.WEEKLY_REPORT.filter())
    # From Telegram itself (no sender): no role filter, the workflow checks the channel.
    router.message_reaction_count.register(on_reaction_count)
    return router
