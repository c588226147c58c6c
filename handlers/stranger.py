"""Everyone who is not an editor or admin: one polite refusal, nothing stored or forwarded.

Included last, so it only sees what the role-filtered routers did not take.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.roles import IsStranger
from handlers.common import MAY_NOT, alert


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
    router.message.register(on_stranger_message, F.chat.type == "private")
    router.callback_query.register(on_stranger_button)
    return router
