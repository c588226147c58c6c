"""Admin set-up commands: editors, channels, queue slots, templates, feeds."""

from __future__ import annotations

import re

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.domain import Channel
from bot.feeds import check_feed
from bot.newsroom import Newsroom
from bot.roles import HasRole, Role
from bot.telegram.rights import can_publish
from bot.templates import EDITABLE_KEYS, TemplateError, parse_template_value
from bot.texts import ECHO_LIMIT, echo, quote, shorten
from bot.timeparse import WhenError, parse_quiet_hours, parse_slots
from handlers.ingest import fetch_error_text

# Telegram user ids have at most 52 significant bits (16 decimal digits); ASCII digits only,
# as str.isdigit() also accepts "²", which int() refuses.
_USER_ID = re.compile(r"[0-9]{1,16}")
_FEED_ID = re.compile(r"[0-9]{1,11}")
# "@username" (Telegram: 5-32 letters, digits, underscores; shorter ones get Telegram's own
# "not found") or a numeric chat id.
_CHANNEL_REF = re.compile(r"@[A-Za-z0-9_]{1,32}|-?[0-9]{1,20}")
# More slots than this a day is a typo or a paste, not a publishing plan (one every 15 min).
MAX_SLOTS = 96


async def _channel_arg(newsroom: Newsroom, ref: str | None) -> Channel | None:
    async with newsroom.db.read() as uow:
        if ref:
            return await uow.channels.by_ref(ref)
        return await uow.channels.default()


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.ADMIN))

    @router.message(Command("editors"))
    async def cmd_editors(message: Message, command: CommandObject, newsroom: Newsroom) -> None:
        assert message.from_user is not None
        parts = (command.args or "").split()
        now = newsroom.clock.now()
        if not parts:
            async with newsroom.db.read() as uow:
                stored = await uow.users.all(role="editor")
            ids = sorted({*newsroom.settings.editor_ids, *(u.id for u in stored)})
            await message.answer(
                _("Editors: {ids}").format(ids=", ".join(map(str, ids)) or "—")
                + "\n"
                + _("Admins: {ids}").format(
                    ids=", ".join(map(str, newsroom.settings.admin_ids)) or "—"
                )
            )
            return
        if (
            len(parts) != 2
            or parts[0] not in ("add", "remove")
            or not _USER_ID.fullmatch(parts[1])
        ):
            await message.answer(_("Usage: /editors, /editors add ID, /editors remove ID"))
            return
        user_id = int(parts[1])
        async with newsroom.db.transaction() as uow:
            if parts[0] == "add":
                await uow.users.put(user_id, role="editor", now=now, added_by=message.from_user.id)
                done = True
            else:
                done = await uow.users.remove(user_id)
            await uow.audit.append(
                now=now,
                actor_id=message.from_user.id,
                article_id=None,
                action=f"editor_{parts[0]}",
                details={"user": user_id},
            )
        if parts[0] == "add":
            await message.answer(_("{id} is now an editor.").format(id=user_id))
        elif done:
            await message.answer(_("{id} is no longer an editor.").format(id=user_id))
        elif user_id in newsroom.settings.editor_ids:
            await message.answer(
                _("{id} is an editor by the EDITOR_IDS setting: change it there.").format(
                    id=user_id
                )
            )
        else:
            await message.answer(_("{id} was not an editor.").format(id=user_id))

    @router.message(Command("channels"))
    async def cmd_channels(message: Message, newsroom: Newsroom) -> None:
        async with newsroom.db.read() as uow:
            channels = await uow.channels.all()
        if not channels:
            await message.answer(_("No channels yet: /channel_add @name"))
            return
        lines = [_("<b>Channels</b>")]
        for c in channels:
            star = " ★" if c.is_default else ""
            slots = " ".join(c.slots) or "—"
            lines.append(
                f"{quote(c.chat_ref)}{star} {quote(c.title)} · "
                + _("slots: {slots}").format(slots=slots)
                + (f" · {quote(c.quiet_hours)}" if c.quiet_hours else "")
            )
        await message.answer("\n".join(lines))

    @router.message(Command("channel_add"))
    async def cmd_channel_add(
        message: Message, command: CommandObject, newsroom: Newsroom
    ) -> None:
        ref = (command.args or "").strip()
        if not _CHANNEL_REF.fullmatch(ref):
            await message.answer(_("Usage: /channel_add @channelname (or -100… id)"))
            return
        bot = newsroom.bot
        try:
            chat = await bot.get_chat(chat_id=ref)
            me = await bot.get_me()
            member = await bot.get_chat_member(chat_id=chat.id, user_id=me.id)
        except TelegramAPIError as exc:
            await message.answer(
                _(
                    "I can't see {ref}: {error}. Add the bot to the channel as an admin first."
                ).format(ref=quote(ref), error=quote(str(exc)))
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
        async with newsroom.db.transaction() as uow:
            channel = await uow.channels.ensure(
                ref,
                now=newsroom.clock.now(),
                chat_id=chat.id,
                username=chat.username or "",
                title=chat.title or "",
            )
        await message.answer(
            _("Channel {ref} added ({title}).").format(
                ref=quote(channel.chat_ref), title=quote(channel.title)
            )
        )

    @router.message(Command("slots"))
    async def cmd_slots(message: Message, command: CommandObject, newsroom: Newsroom) -> None:
        args = (command.args or "").split()
        ref = args[0] if args and args[0].startswith("@") else None
        times = args[1:] if ref else args
        channel = await _channel_arg(newsroom, ref)
        if channel is None:
            await message.answer(_("No such channel. /channels lists them."))
            return
        if not times:
            await message.answer(
                _("Slots of {ref}: {slots}").format(
                    ref=quote(channel.chat_ref), slots=" ".join(channel.slots) or "—"
                )
            )
            return
        try:
            slots = parse_slots(" ".join(times))
        except WhenError:
            await message.answer(_("Usage: /slots [@channel] 09:00 12:00 15:00"))
            return
        if len(slots) > MAX_SLOTS:
            await message.answer(
                _("Too many slots: at most {limit} a day.").format(limit=MAX_SLOTS)
            )
            return
        values = [t.strftime("%H:%M") for t in slots]
        async with newsroom.db.transaction() as uow:
            await uow.channels.update(channel.id, slots=values)
        await message.answer(
            _("Slots of {ref}: {slots}").format(
                ref=quote(channel.chat_ref), slots=" ".join(values)
            )
        )

    @router.message(Command("quiet"))
    async def cmd_quiet(message: Message, command: CommandObject, newsroom: Newsroom) -> None:
        args = (command.args or "").split()
        ref = args[0] if args and args[0].startswith("@") else None
        rest = " ".join(args[1:] if ref else args)
        channel = await _channel_arg(newsroom, ref)
        if channel is None or not rest:
            await message.answer(_("Usage: /quiet [@channel] 23:00-07:00, or /quiet off"))
            return
        value = ""
        if rest.lower() not in ("off", "нет", "-"):
            try:
                if parse_quiet_hours(rest) is None:
                    raise WhenError("malformed")
            except WhenError:
                await message.answer(_("Usage: /quiet [@channel] 23:00-07:00, or /quiet off"))
                return
            value = rest.replace(" ", "")
        async with newsroom.db.transaction() as uow:
            await uow.channels.update(channel.id, quiet_hours=value)
        await message.answer(
            _("Quiet hours of {ref}: {value}").format(
                ref=quote(channel.chat_ref), value=value or "—"
            )
        )

    @router.message(Command("template"))
    async def cmd_template(message: Message, command: CommandObject, newsroom: Newsroom) -> None:
        args = (command.args or "").split(maxsplit=2)
        ref = args[0] if args and args[0].startswith("@") else None
        rest = args[1:] if ref else (command.args or "").split(maxsplit=1)
        channel = await _channel_arg(newsroom, ref)
        if channel is None:
            await message.answer(_("No such channel. /channels lists them."))
            return
        if len(rest) < 2 or rest[0] not in EDITABLE_KEYS:
            current = (
                ", ".join(
                    f"{k}={shorten(str(v), ECHO_LIMIT)}" for k, v in channel.template.items()
                )
                or "—"
            )
            await message.answer(
                _(
                    "Template of {ref}: {current}\nUsage: /template [@channel] KEY VALUE; keys: "
                    "{keys}"
                ).format(
                    ref=quote(channel.chat_ref),
                    current=quote(current),
                    keys=", ".join(EDITABLE_KEYS),
                )
            )
            return
        try:
            value = parse_template_value(rest[0], rest[1])
        except TemplateError:
            await message.answer(
                _("“{value}” is not a valid value for {key}.").format(
                    value=echo(rest[1]), key=rest[0]
                )
            )
            return
        template = {**channel.template, rest[0]: value}
        async with newsroom.db.transaction() as uow:
            await uow.channels.update(channel.id, template=template)
        await message.answer(
            _("Template of {ref} updated: {key}.").format(ref=quote(channel.chat_ref), key=rest[0])
        )

    @router.message(Command("feeds"))
    async def cmd_feeds(message: Message, newsroom: Newsroom) -> None:
        async with newsroom.db.read() as uow:
            feeds = await uow.feeds.all()
        if not feeds:
            await message.answer(_("No feeds yet: /feed_add URL [review|auto]"))
            return
        lines = [_("<b>Feeds</b>")]
        for f in feeds:
            state = _("failing: {error}").format(error=quote(f.last_error)) if f.failures else "ok"
            lines.append(f"{f.id}. {quote(f.title or f.url)} · {f.mode} · {state}")
        await message.answer("\n".join(lines))

    @router.message(Command("feed_add"))
    async def cmd_feed_add(message: Message, command: CommandObject, newsroom: Newsroom) -> None:
        assert message.from_user is not None
        args = (command.args or "").split()
        if not args or not args[0].startswith(("http://", "https://")) or len(args) > 2:
            await message.answer(_("Usage: /feed_add URL [review|auto]"))
            return
        mode = args[1].lower() if len(args) == 2 else "review"
        if mode not in ("review", "auto"):
            await message.answer(_("Usage: /feed_add URL [review|auto]"))
            return
        problem = await check_feed(newsroom, args[0])
        if problem:
            await message.answer(fetch_error_text(problem))
            return
        async with newsroom.db.transaction() as uow:
            feed = await uow.feeds.add(
                args[0],
                mode=mode,
                interval_s=newsroom.settings.feed_interval_minutes * 60,
                added_by=message.from_user.id,
                now=newsroom.clock.now(),
            )
        if feed is None:
            await message.answer(_("This feed is already followed."))
            return
        newsroom.wake()
        await message.answer(_("Feed {id} added ({mode}).").format(id=feed.id, mode=mode))

    @router.message(Command("feed_remove"))
    async def cmd_feed_remove(
        message: Message, command: CommandObject, newsroom: Newsroom
    ) -> None:
        arg = (command.args or "").strip()
        if not _FEED_ID.fullmatch(arg):
            await message.answer(_("Usage: /feed_remove ID"))
            return
        async with newsroom.db.transaction() as uow:
            removed = await uow.feeds.remove(int(arg))
        await message.answer(
            _("Feed {id} removed.").format(id=arg)
            if removed
            else _("There is no feed {id}.").format(id=arg)
        )

    return router
