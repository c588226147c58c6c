"""/start, /help and /cancel for editors and admins."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.commands import commands_for
from bot.roles import HasRole, Role
from bot.texts import quote


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.EDITOR))

    @router.message(CommandStart())
    @router.message(Command("help"))
    async def cmd_help(message: Message, role: Role) -> None:
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

    @router.message(Command("cancel"))
    async def cmd_cancel(message: Message, state: FSMContext) -> None:
        had_dialog = await state.get_state() is not None
        await state.clear()
        await message.answer(_("Cancelled.") if had_dialog else _("There is nothing to cancel."))

    return router
