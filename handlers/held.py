"""Held publications: the outcome of a send is unknown (a crash mid-send) or it was missed.

An admin answers on the card the publishing engine sent: it is in the channel, send it again,
or cancel it. The first answer wins; a late one is told "already handled".
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from bot.callbacks import HeldAction
from bot.publishing import PublishingEngine
from bot.roles import HasRole, Role
from bot.texts import quote
from bot.workflow import flags
from bot.workflow.ports import Desk
from handlers.common import alert


async def on_held_sent(
    query: CallbackQuery, callback_data: HeldAction, engine: PublishingEngine
) -> None:
    await _resolve(query, callback_data, engine, sent=True, choice=_("it is in the channel"))


async def on_held_resend(
    query: CallbackQuery, callback_data: HeldAction, engine: PublishingEngine
) -> None:
    await _resolve(query, callback_data, engine, sent=False, choice=_("sent again"))


async def _resolve(
    query: CallbackQuery,
    callback_data: HeldAction,
    engine: PublishingEngine,
    *,
    sent: bool,
    choice: str,
) -> None:
    """The engine records the answer (sent: it is in the channel; else: send it again)."""
    pub_id, actor_id = callback_data.publication_id, query.from_user.id
    ok = await engine.resolve_held(pub_id, sent=sent, actor_id=actor_id)
    await _held_answered(query, engine, ok, choice)


async def on_held_cancel(
    query: CallbackQuery, callback_data: HeldAction, engine: PublishingEngine, desk: Desk
) -> None:
    ok = await flags.cancel_held(desk, callback_data.publication_id, actor_id=query.from_user.id)
    await _held_answered(query, engine, ok, _("cancelled"))


async def _held_answered(
    query: CallbackQuery, engine: PublishingEngine, ok: bool, choice: str
) -> None:
    """The card loses its buttons and the chat sees who chose what; a late tap is told."""
    if not ok:
        await alert(query, _("Already handled."))
        return
    await query.answer(_("Done."))
    if query.message is None:
        return
    await engine.bot.edit_message_reply_markup(
        chat_id=query.message.chat.id, message_id=query.message.message_id, reply_markup=None
    )
    await engine.bot.send_message(
        query.message.chat.id,
        _("{who}: {choice}").format(who=quote(query.from_user.full_name), choice=choice),
    )


def setup() -> Router:
    router = Router(name=__name__)
    router.callback_query.filter(HasRole(Role.ADMIN))
    router.callback_query.register(on_held_sent, HeldAction.filter(F.action == "sent"))
    router.callback_query.register(on_held_resend, HeldAction.filter(F.action == "resend"))
    router.callback_query.register(on_held_cancel, HeldAction.filter(F.action == "cancel"))
    return router
