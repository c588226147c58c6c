"""/start, /help and /cancel for editors and admins."""

from __future__ import annotations

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.roles import HasRole, Role
from bot.texts import quote
from bot.views.commands import CANCEL, HELP, START, commands_for


async def cmd_help(message: Message, role: Role) -> None:
    """/start and /help: who you are here and what you can do."""
    name = message.from_user.first_name if message.from_user else ""
    lines = [
        _("Hello, {name}! You are an admin of this newsroom.").format(name=quote(name))
        if role is Role.ADMIN
        else _("Hello, {name}! You are an editor of this newsroom.").format(name=quote(name)),
        "",
        _(
            "Paste an article, send a photo with a caption, forward a channel post or send a "
            "link, and I will make a draft of it."
        ),
        "",
        _("<b>Commands</b>"),
    ]
    for command in commands_for(role):
        usage = f"/{command.name} {command.args}".rstrip()
        lines.append(f"{quote(usage)} — {quote(str(command.description))}")
    await message.answer("\n".join(lines))


async def cmd_cancel(message: Message, state: FSMContext) -> None:
    had_dialog = await state.get_state() is not None
    await state.clear()
    await message.answer(_("Cancelled.") if had_dialog else _("There is nothing to cancel."))


def setup() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.EDITOR))
    router.message.register(cmd_help, START.filter())
    router.message.register(cmd_help, HELP.filter())
    router.message.register(cmd_cancel, CANCEL.filter())
    return router
