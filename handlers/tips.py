"""Reader tips (issue 15): direct messages and suggested posts to a channel, the private-chat
tip box, the tip card's buttons and ``/tips @channel on|off``.

A message in a channel's direct messages chat (``chat.is_direct_messages``; its channel is the
chat's ``parent_chat``, read with getChat) becomes a tip when the channel's tips are on; the
workflow (``bot.workflow.tips``) keeps the limits and takes the decisions, this module reads the
update and answers. Tips reach the channel only by an admin's decision.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import CommandObject, Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, ChatMemberAdministrator, Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.presenters.cards import Cards
from bot.presenters.tips import TelegramSuggestedPosts, TipCards
from bot.roles import HasRole, Role
from bot.timeparse import WhenError, parse_when
from bot.tips import IncomingTip, TipKind
from bot.views import commands
from bot.views import tips as views
from bot.views.replies import when_error_text
from bot.views.tips import TipAction
from bot.workflow import queries
from bot.workflow import setup as setup_workflow
from bot.workflow import tips as workflow
from bot.workflow.ports import Desk
from bot.workflow.results import Outcome
from bot.workflow.tips import DECLINE_COMMENT_MAX, Intake, Received, TipResult
from handlers.common import alert, formatting_of, photo_of, prompt

# What ends a decline prompt without a comment.
_NO_COMMENT = ("/skip", "-", "—")


class TipInput(StatesGroup):
    when = State()
    comment = State()
    reply = State()


class ReaderTipsOn(Filter):
    """READER_TIPS=on: the private-chat tip box is open to people who are not staff."""

    async def __call__(self, event: TelegramObject, settings: Settings) -> bool:
        return settings.reader_tips


def incoming_of(message: Message, kind: TipKind, channel_id: int | None = None) -> IncomingTip:
    """What the message offers as a tip: text or caption (with its formatting), photo, sender,
    the direct messages topic, and a suggested post's price and proposed date."""
    assert message.from_user is not None  # the filters passed a person's message
    user = message.from_user
    info = message.suggested_post_info
    proposed = info.send_date if info is not None else None
    if proposed is not None and proposed.tzinfo is None:
        proposed = proposed.replace(tzinfo=UTC)
    price = info.price if info is not None else None
    return IncomingTip(
        kind=kind,
        chat_id=message.chat.id,
        message_id=message.message_id,
        sender_id=user.id,
        sender_name=user.full_name,
        sender_username=user.username or "",
        sender_language=user.language_code or "",
        text=message.text or message.caption or "",
        entities=tuple(
            formatting_of(message.entities if message.text else message.caption_entities)
        ),
        photo=photo_of(message),
        topic_id=message.direct_messages_topic.topic_id if message.direct_messages_topic else None,
        channel_id=channel_id,
        price_currency=price.currency if price else "",
        price_amount=price.amount if price else 0,
        proposed_at=proposed,
    )


# --- tips coming in ---------------------------------------------------------------------------


async def on_direct_message(message: Message, bot: Bot, desk: Desk, cards: Cards) -> None:
    """A message to a channel's direct messages: a tip when that channel's tips are on."""
    try:
        parent = (await bot.get_chat(message.chat.id)).parent_chat
    except TelegramAPIError:
        return  # the chat is gone or the bot lost its rights there: nothing to take
    channel = await workflow.channel_for_tips(desk.db, parent.id) if parent else None
    if channel is None or message.from_user is None:
        return  # tips are off there: the channel's admins answer their messages themselves
    kind = TipKind.SUGGESTED if message.suggested_post_info is not None else TipKind.DIRECT
    received = await workflow.receive(desk, incoming_of(message, kind, channel.id))
    refusal = _refusal(received, desk.settings, message)
    if received.tip is not None:
        await TipCards(bot, desk, cards.languages).send(received.tip)
    elif refusal and received.intake is not Intake.EMPTY:
        # Said in the sender's topic, as the channel; anything that is no tip at all (a
        # sticker, a reaction to a reply) is left to the channel's admins, unanswered.
        topic = message.direct_messages_topic
        await bot.send_message(
            message.chat.id, refusal, direct_messages_topic_id=topic.topic_id if topic else None
        )


async def on_private_tip(message: Message, bot: Bot, desk: Desk, cards: Cards) -> None:
    """The tip box: a person who is not staff sends a tip (READER_TIPS=on)."""
    received = await workflow.receive(desk, incoming_of(message, TipKind.PRIVATE))
    if received.tip is not None:
        await message.answer(views.tip_thanks())
        await TipCards(bot, desk, cards.languages).send(received.tip)
        return
    refusal = _refusal(received, desk.settings, message)
    if refusal:
        await message.answer(refusal)


async def on_tip_box_command(message: Message) -> None:
    """/start (or any command) in the tip box: what it is for."""
    await message.answer(views.tip_box_intro())


def _refusal(received: Received, settings: Settings, message: Message) -> str:
    """The polite answer to a message that did not become a tip ("" for none)."""
    if received.intake is Intake.EMPTY:
        return views.tip_empty()
    if received.intake is Intake.TOO_LONG:
        size = len(message.text or message.caption or "")
        return views.tip_too_long(size, settings.tip_max_chars)
    # Over the limit: in a direct messages topic only the first refusal is said (a flood gets
    # one answer); the tip box, a private chat, answers every message as it does today.
    told = received.intake is Intake.LIMITED_AGAIN and message.chat.type != "private"
    if received.intake in (Intake.LIMITED, Intake.LIMITED_AGAIN) and not told:
        return views.tip_limited(settings.tips_per_hour)
    return ""


# --- the card's buttons ------------------------------------------------------------------------


def _actor(query: CallbackQuery) -> tuple[int, str]:
    return query.from_user.id, query.from_user.full_name


async def _after(
    query: CallbackQuery, result: TipResult, bot: Bot, desk: Desk, cards: Cards, done: str
) -> None:
    """Answer the button; a decision taken is written on the card."""
    if not result.ok or result.tip is None:
        await alert(query, views.result_text(result, result.tip.id if result.tip else 0))
        return
    await TipCards(bot, desk, cards.languages).close(result.tip)
    await query.answer(done)


async def on_draft(
    query: CallbackQuery,
    callback_data: TipAction,
    bot: Bot,
    desk: Desk,
    cards: Cards,
    language: str,
) -> None:
    actor_id, name = _actor(query)
    result = await workflow.take_as_draft(
        desk, callback_data.tip_id, actor_id=actor_id, actor_name=name, author_language=language
    )
    if not result.ok or result.article is None:
        await _after(query, result, bot, desk, cards, "")
        return
    article = result.article
    if result.tip is not None:
        await TipCards(bot, desk, cards.languages).close(result.tip)
    await query.answer(_("Draft #{id} made: /show {id}, then /submit {id}.").format(id=article.id))
    with contextlib.suppress(TelegramAPIError):
        # The draft's preview with its buttons, in the admin's private chat, like a paste (an
        # admin who never started the bot there has it with /show N).
        await cards.show_draft(actor_id, article, can_publish=True)


async def on_publish(
    query: CallbackQuery, callback_data: TipAction, bot: Bot, desk: Desk, cards: Cards
) -> None:
    actor_id, name = _actor(query)
    result = await workflow.approve(
        desk, TelegramSuggestedPosts(bot), callback_data.tip_id, actor_id=actor_id, actor_name=name
    )
    await _after(query, result, bot, desk, cards, _("Approved."))


async def on_dismiss(
    query: CallbackQuery, callback_data: TipAction, bot: Bot, desk: Desk, cards: Cards
) -> None:
    actor_id, name = _actor(query)
    result = await workflow.dismiss(desk, callback_data.tip_id, actor_id=actor_id, actor_name=name)
    await _after(query, result, bot, desk, cards, _("Dismissed."))


async def _ask(
    query: CallbackQuery,
    callback_data: TipAction,
    desk: Desk,
    bot: Bot,
    state: FSMContext,
    waiting: State,
    question: str,
) -> None:
    tip = await workflow.get(desk.db, callback_data.tip_id)
    if tip is None:
        await alert(query, views.result_text(TipResult(Outcome.NOT_FOUND), callback_data.tip_id))
        return
    await prompt(query, bot, state, waiting, question.format(id=tip.id), tip_id=tip.id)


async def on_at(
    query: CallbackQuery, callback_data: TipAction, desk: Desk, bot: Bot, state: FSMContext
) -> None:
    question = _(
        "When should Telegram publish tip #{id}? (e.g. 18:00, +2h, tomorrow 09:00; at most 30 "
        "days ahead; /cancel)"
    )
    await _ask(query, callback_data, desk, bot, state, TipInput.when, question)


async def on_decline(
    query: CallbackQuery, callback_data: TipAction, desk: Desk, bot: Bot, state: FSMContext
) -> None:
    question = _(
        "A comment for the sender of tip #{id} (at most {limit} characters), or /skip for none."
    ).replace("{limit}", str(DECLINE_COMMENT_MAX))
    await _ask(query, callback_data, desk, bot, state, TipInput.comment, question)


async def on_reply(
    query: CallbackQuery, callback_data: TipAction, desk: Desk, bot: Bot, state: FSMContext
) -> None:
    question = _("Your reply to the sender of tip #{id} (/cancel to stop):")
    await _ask(query, callback_data, desk, bot, state, TipInput.reply, question)


# --- the prompts' answers ----------------------------------------------------------------------


async def _prompted_tip(state: FSMContext) -> int:
    return int((await state.get_data()).get("tip_id", 0))


def _sender(message: Message) -> tuple[int, str]:
    assert message.from_user is not None  # the role filter passed a person
    return message.from_user.id, message.from_user.full_name


async def _told(
    message: Message, result: TipResult, bot: Bot, desk: Desk, cards: Cards, done: str
) -> None:
    if result.ok and result.tip is not None:
        await TipCards(bot, desk, cards.languages).close(result.tip)
        await message.answer(done)
    else:
        await message.answer(views.result_text(result, result.tip.id if result.tip else 0))


async def on_when(message: Message, state: FSMContext, bot: Bot, desk: Desk, cards: Cards) -> None:
    assert message.text is not None
    try:
        when = parse_when(message.text, now=desk.clock.now(), tz=desk.settings.tz)
    except WhenError as exc:
        await message.answer(when_error_text(exc))  # asked again: the prompt stays open
        return
    tip_id = await _prompted_tip(state)
    actor_id, name = _sender(message)
    result = await workflow.approve(
        desk, TelegramSuggestedPosts(bot), tip_id, actor_id=actor_id, actor_name=name, send_at=when
    )
    if result.detail == "too_far":
        await message.answer(views.result_text(result, tip_id))  # asked again
        return
    await state.clear()
    await _told(message, result, bot, desk, cards, _("Approved."))


async def on_comment(
    message: Message, state: FSMContext, bot: Bot, desk: Desk, cards: Cards
) -> None:
    assert message.text is not None
    text = message.text.strip()
    comment = "" if text.lower() in _NO_COMMENT else text
    if len(comment) > DECLINE_COMMENT_MAX:
        # Refused here, before Telegram is asked; the prompt stays open for a shorter one.
        await message.answer(views.comment_too_long_text(len(comment)))
        return
    tip_id = await _prompted_tip(state)
    await state.clear()
    actor_id, name = _sender(message)
    result = await workflow.decline(
        desk,
        TelegramSuggestedPosts(bot),
        tip_id,
        actor_id=actor_id,
        actor_name=name,
        comment=comment,
    )
    await _told(message, result, bot, desk, cards, _("Declined."))


async def on_reply_text(
    message: Message, state: FSMContext, bot: Bot, desk: Desk, cards: Cards
) -> None:
    assert message.text is not None
    tip_id = await _prompted_tip(state)
    await state.clear()
    actor_id, _name = _sender(message)
    result = await workflow.reply(
        desk, TelegramSuggestedPosts(bot), tip_id, actor_id=actor_id, text=message.text
    )
    if result.ok:
        await message.answer(_("Reply sent to the sender of tip #{id}.").format(id=tip_id))
    else:
        await message.answer(views.result_text(result, tip_id))


# --- /tips @channel on|off ----------------------------------------------------------------------


async def _missing_rights(bot: Bot, chat_id: int | str) -> list[str]:
    """The channel rights tips need that the bot lacks (getChatMember on the channel)."""
    try:
        member = await bot.get_chat_member(chat_id=chat_id, user_id=(await bot.get_me()).id)
    except TelegramAPIError:
        return [_("“Manage direct messages”"), _("“Post messages”")]
    admin = member if isinstance(member, ChatMemberAdministrator) else None
    missing = []
    if admin is None or not admin.can_manage_direct_messages:
        missing.append(_("“Manage direct messages”"))
    if admin is None or not admin.can_post_messages:
        missing.append(_("“Post messages”"))
    return missing


async def cmd_tips(message: Message, command: CommandObject, desk: Desk, bot: Bot) -> None:
    words = (command.args or "").split()
    ref = words[0] if words and words[0].startswith("@") else None
    rest = words[1:] if ref else words
    channel = await queries.channel_or_default(desk.db, ref)
    if channel is None:
        await message.answer(_("No such channel. /channels lists them."))
        return
    if not rest:
        await message.answer(views.tips_setting_text(channel, workflow.tips_enabled(channel)))
        return
    value = rest[0].lower()
    if len(rest) != 1 or value not in ("on", "off", "да", "нет", "вкл", "выкл"):
        await message.answer(_("Usage: /tips [@channel] on|off"))
        return
    on = value in ("on", "да", "вкл")
    actor_id, _name = _sender(message)
    await setup_workflow.set_tips(desk, channel, on, actor_id=actor_id)
    text = views.tips_setting_text(channel, on)
    missing = await _missing_rights(bot, channel.target) if on else []
    if missing:
        text += "\n\n" + _("⚠️ The bot lacks these rights in the channel: {rights}.").format(
            rights=", ".join(missing)
        )
    await message.answer(text)


def setup_direct() -> Router:
    """Direct messages come from subscribers (any role); the channel's own messages there (an
    admin writing as the channel, Telegram's service messages) carry sender_chat: not tips."""
    router = Router(name=f"{__name__}.direct")
    router.message.register(
        on_direct_message, F.chat.is_direct_messages, F.sender_chat.is_(None), F.from_user
    )
    return router


def setup() -> Router:
    """The admins' side: ``/tips``, the card's buttons and the answers to their prompts."""
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.ADMIN))
    router.callback_query.filter(HasRole(Role.ADMIN))
    router.message.register(cmd_tips, commands.TIPS.filter())
    router.message.register(on_when, StateFilter(TipInput.when), F.text)
    router.message.register(on_comment, StateFilter(TipInput.comment), F.text)
    router.message.register(on_reply_text, StateFilter(TipInput.reply), F.text)
    buttons: dict[str, Callable[..., Awaitable[None]]] = {
        "draft": on_draft,
        "publish": on_publish,
        "at": on_at,
        "decline": on_decline,
        "dismiss": on_dismiss,
        "reply": on_reply,
    }
    for action, handler in buttons.items():
        router.callback_query.register(handler, TipAction.filter(F.action == action))
    return router
