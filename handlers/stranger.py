"""Everyone who is not an editor or admin: one polite refusal, nothing stored or forwarded.

Included last, so it only sees what the role-filtered routers did not take. With READER_TIPS=on
(issue 15) a private message is a reader's tip instead (``handlers.tips``): thanked, capped per
hour, shown to the admins; with it off (the default) nothing of a stranger's is stored.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.roles import IsStranger
from handlers.common import MAY_NOT, alert
from handlers.tips import ReaderTipsOn, on_private_tip, on_tip_box_command


async def on_stranger_message(message: Message) -> None:
    await message.answer(
        _(
            "Sorry, this bot works only for the newsroom's editors. "
            "If you should have access, ask an admin to add you."
        )
    )


async def on_stranger_button(query: CallbackQuery) -> None:
    await alert(query, MAY_NOT)


def setup() -> Router:
    router = Router(name=__name__)
    router.message.filter(IsStranger())
    router.callback_query.filter(IsStranger())
    # Only private chats get an answer: in groups the bot keeps quiet instead of spamming.
    private = F.chat.type == "private"
    router.message.register(on_tip_box_command, private, ReaderTipsOn(), F.text.startswith("/"))
    router.message.register(on_private_tip, private, ReaderTipsOn())
    router.message.register(on_stranger_message, private)
    router.callback_query.register(on_stranger_button)
    return router
