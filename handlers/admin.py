"""Admin set-up commands: editors, channels, queue slots, quiet hours, templates, feeds.

The changes themselves (and their audit entries) are in ``bot.workflow.setup``; this module
parses arguments, checks what only Telegram can tell (the bot's rights in a channel, whether a
feed answers) and answers.
"""

from __future__ import annotations

import re

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.background import BackgroundLoop
from bot.domain import Channel
from bot.feeds import check_feed
from bot.roles import HasRole, Role
from bot.telegram.rights import can_publish
from bot.templates import EDITABLE_KEYS, TemplateError, parse_template_value
from bot.texts import ECHO_LIMIT, echo, quote, shorten
from bot.timeparse import WhenError, parse_quiet_hours, parse_slots
from bot.views import commands
from bot.views.replies import fetch_error_text
from bot.views.setup import channels_text, editors_text, feeds_text
from bot.workflow import queries
from bot.workflow import setup as workflow
from bot.workflow.ports import Desk

# Telegram user ids have at most 52 significant bits (16 decimal digits); ASCII digits only,
# as str.isdigit() also accepts "²", which int() refuses.
_USER_ID = re.compile(r"[0-9]{1,16}")
_FEED_ID = re.compile(r"[0-9]{1,11}")
# More slots than this a day is a typo or a paste, not a publishing plan (one every 15 min).
MAX_SLOTS = 96


def _actor(message: Message) -> int:
    assert message.from_user is not None  # the role filter passed: a person sent it
    return message.from_user.id


async def cmd_editors(message: Message, command: CommandObject, desk: Desk) -> None:
    parts = (command.args or "").split()
    settings = desk.settings
    if not parts:
        stored = await queries.stored_editor_ids(desk.db)
        await message.answer(editors_text({*settings.editor_ids, *stored}, settings.admin_ids))
        return
    if len(parts) != 2 or parts[0] not in ("add", "remove") or not _USER_ID.fullmatch(parts[1]):
        await message.answer(_("Usage: /editors, /editors add ID, /editors remove ID"))
        return
    user_id = int(parts[1])
    if parts[0] == "add":
        await workflow.add_editor(desk, user_id, actor_id=_actor(message))
        await message.answer(_("{id} is now an editor.").format(id=user_id))
    elif await workflow.remove_editor(desk, user_id, actor_id=_actor(message)):
        await message.answer(_("{id} is no longer an editor.").format(id=user_id))
    elif user_id in settings.editor_ids:
        await message.answer(
            _("{id} is an editor by the EDITOR_IDS setting: change it there.").format(id=user_id)
        )
    else:
        await message.answer(_("{id} was not an editor.").format(id=user_id))


async def cmd_channels(message: Message, desk: Desk) -> None:
    await message.answer(channels_text(await queries.channels(desk.db)))


async def cmd_channel_add(message: Message, command: CommandObject, desk: Desk, bot: Bot) -> None:
    ref = (command.args or "").strip()
    if len(ref) > commands.MAX_CHANNEL_REF or not commands.CHANNEL_REF.fullmatch(ref):
        await message.answer(_("Usage: /channel_add @channelname (or -100… id)"))
        return
    try:
        chat = await bot.get_chat(chat_id=ref)
        me = await bot.get_me()
        member = await bot.get_chat_member(chat_id=chat.id, user_id=me.id)
    except TelegramAPIError as exc:
        await message.answer(
            _("I can't see {ref}: {error}. Add the bot to the channel as an admin first.").format(
                ref=quote(ref), error=quote(str(exc))
            )
        )
        return
    if not can_publish(member):
        await message.answer(
            _(
                "The bot must be an admin of {ref} with “Post messages” and “Edit messages of "
                "others”. Fix the rights and try again."
            ).format(ref=quote(ref))
        )
        return
    channel = await workflow.add_channel(
        desk,
        ref,
        chat_id=chat.id,
        username=chat.username or "",
        title=chat.title or "",
        actor_id=_actor(message),
    )
    await message.answer(
        _("Channel {ref} added ({title}).").format(
            ref=quote(channel.chat_ref), title=quote(channel.title)
        )
    )


def _channel_and_rest(args: str | None) -> tuple[str | None, list[str]]:
    """``"@news 09:00 12:00"`` -> ``("@news", ["09:00", "12:00"])``; no "@…": the default."""
    words = (args or "").split()
    ref = words[0] if words and words[0].startswith("@") else None
    return ref, words[1:] if ref else words


async def cmd_slots(message: Message, command: CommandObject, desk: Desk) -> None:
    ref, times = _channel_and_rest(command.args)
    channel = await queries.channel_or_default(desk.db, ref)
    if channel is None:
        await message.answer(_("No such channel. /channels lists them."))
        return
    if not times:
        await message.answer(_slots_text(channel, channel.slots))
        return
    try:
        slots = parse_slots(" ".join(times))
    except WhenError:
        await message.answer(_("Usage: /slots [@channel] 09:00 12:00 15:00"))
        return
    if len(slots) > MAX_SLOTS:
        await message.answer(_("Too many slots: at most {limit} a day.").format(limit=MAX_SLOTS))
        return
    values = [t.strftime("%H:%M") for t in slots]
    await workflow.set_slots(desk, channel, values, actor_id=_actor(message))
    await message.answer(_slots_text(channel, values))


def _slots_text(channel: Channel, slots: tuple[str, ...] | list[str]) -> str:
    return _("Slots of {ref}: {slots}").format(
        ref=quote(channel.chat_ref), slots=" ".join(slots) or "—"
    )


async def cmd_quiet(message: Message, command: CommandObject, desk: Desk) -> None:
    ref, words = _channel_and_rest(command.args)
    rest = " ".join(words)
    usage = _("Usage: /quiet [@channel] 23:00-07:00, or /quiet off")
    channel = await queries.channel_or_default(desk.db, ref)
    if channel is None or not rest:
        await message.answer(usage)
        return
    value = ""
    if rest.lower() not in commands.OFF_WORDS:
        try:
            if parse_quiet_hours(rest) is None:
                raise WhenError("malformed")
        except WhenError:
            await message.answer(usage)
            return
        value = rest.replace(" ", "")
    await workflow.set_quiet_hours(desk, channel, value, actor_id=_actor(message))
    await message.answer(
        _("Quiet hours of {ref}: {value}").format(ref=quote(channel.chat_ref), value=value or "—")
    )


async def cmd_template(message: Message, command: CommandObject, desk: Desk) -> None:
    args = (command.args or "").split(maxsplit=2)
    ref = args[0] if args and args[0].startswith("@") else None
    # KEY VALUE: the value keeps its spaces ("signature Our news, every day").
    rest = args[1:] if ref else (command.args or "").split(maxsplit=1)
    channel = await queries.channel_or_default(desk.db, ref)
    if channel is None:
        await message.answer(_("No such channel. /channels lists them."))
        return
    if len(rest) < 2 or rest[0] not in EDITABLE_KEYS:
        current = (
            ", ".join(f"{k}={shorten(str(v), ECHO_LIMIT)}" for k, v in channel.template.items())
            or "—"
        )
        await message.answer(
            _(
                "Template of {ref}: {current}\nUsage: /template [@channel] KEY VALUE; keys: {keys}"
            ).format(
                ref=quote(channel.chat_ref), current=quote(current), keys=", ".join(EDITABLE_KEYS)
            )
        )
        return
    key, raw = rest
    try:
        value = parse_template_value(key, raw)
    except TemplateError:
        await message.answer(
            _("“{value}” is not a valid value for {key}.").format(value=echo(raw), key=key)
        )
        return
    await workflow.set_template_key(desk, channel, key, value, actor_id=_actor(message))
    await message.answer(
        _("Template of {ref} updated: {key}.").format(ref=quote(channel.chat_ref), key=key)
    )


async def cmd_feeds(message: Message, desk: Desk) -> None:
    await message.answer(feeds_text(await queries.feeds(desk.db)))


async def cmd_feed_add(
    message: Message, command: CommandObject, desk: Desk, background: BackgroundLoop
) -> None:
    args = (command.args or "").split()
    mode = args[1].lower() if len(args) == 2 else "review"
    if (
        not args
        or not args[0].startswith(("http://", "https://"))
        or len(args) > 2
        or mode not in ("review", "auto")
    ):
        await message.answer(_("Usage: /feed_add URL [review|auto]"))
        return
    problem = await check_feed(desk, args[0])
    if problem:
        await message.answer(fetch_error_text(problem))
        return
    feed = await workflow.add_feed(
        desk,
        args[0],
        mode=mode,
        interval_s=desk.settings.feed_interval_minutes * 60,
        actor_id=_actor(message),
    )
    if feed is None:
        await message.answer(_("This feed is already followed."))
        return
    background.wake()  # the new feed's first poll is due now
    await message.answer(_("Feed {id} added ({mode}).").format(id=feed.id, mode=mode))


async def cmd_feed_remove(message: Message, command: CommandObject, desk: Desk) -> None:
    arg = (command.args or "").strip()
    if not _FEED_ID.fullmatch(arg):
        await message.answer(_("Usage: /feed_remove ID"))
        return
    removed = await workflow.remove_feed(desk, int(arg), actor_id=_actor(message))
    await message.answer(
        _("Feed {id} removed.").format(id=arg)
        if removed
        else _("There is no feed {id}.").format(id=arg)
    )


def setup() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.ADMIN))
    router.message.register(cmd_editors, commands.EDITORS.filter())
    router.message.register(cmd_channels, commands.CHANNELS.filter())
    router.message.register(cmd_channel_add, commands.CHANNEL_ADD.filter())
    router.message.register(cmd_slots, commands.SLOTS.filter())
    router.message.register(cmd_quiet, commands.QUIET.filter())
    router.message.register(cmd_template, commands.TEMPLATE.filter())
    router.message.register(cmd_feeds, commands.FEEDS.filter())
    router.message.register(cmd_feed_add, commands.FEED_ADD.filter())
    router.message.register(cmd_feed_remove, commands.FEED_REMOVE.filter())
    return router
