"""What several handler modules share: the article loader and the routers that use it, the
answers and questions several of them give, who may change what, message parts.

The loader: a handler that acts on "article N" declares it with a flag,

    router.message.register(cmd_show, SHOW.filter(), flags={ARTICLE: ArticleArg()})

and receives ``article`` (and ``rest``, the words after N) as parameters. The middleware
parses N (from the command, or from the button's callback data), loads the article as the
sender may see it and answers the usage or "there is no article N" itself, so the handler never
runs without its article. ``ArticleArg(change=True)`` also checks that the sender may change it
now; ``ArticleArg(from_state=True)`` is for the message that answers a prompt: the article is
the one the prompt kept in the FSM state, checked again as it is now.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import BaseMiddleware, Bot, F, Router
from aiogram.dispatcher.flags import get_flag
from aiogram.filters import CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    TelegramObject,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy

from bot.config import Settings
from bot.domain import Article, ArticleContent, ArticleStatus, Formatting, Photo
from bot.ingest.report import ParseReport
from bot.middlewares import Data, NextHandler
from bot.presenters.cards import Cards
from bot.roles import HasRole, Role
from bot.views.replies import outcome_text
from bot.workflow import drafts, review
from bot.workflow.ports import Desk
from bot.workflow.results import DECIDABLE, Outcome, Result

# The handler flag that asks for the article: ``flags={ARTICLE: ArticleArg(...)}``.
ARTICLE = "article"
# Answers several handlers give in the same words: one message each, so they cannot drift apart.
STALE_BUTTON = __("This button is out of date or not for you.")
MAY_NOT = __("Sorry, you may not do this.")
# Article numbers are ASCII digits: str.isdigit() also accepts "²" (which int() refuses) and
# other scripts' digits; eleven digits keep every number inside SQLite's 64-bit integers.
_ARTICLE_NUMBER = re.compile(r"[0-9]{1,11}")


def parse_id(args: str | None) -> int | None:
    """The number at the start of ``args`` ("12", "#12 …"), or None when there is none."""
    head = (args or "").strip().split(maxsplit=1)
    if not head:
        return None
    token = head[0].lstrip("#")
    return int(token) if _ARTICLE_NUMBER.fullmatch(token) else None


def id_and_rest(args: str | None) -> tuple[int | None, str]:
    """``"12 tomorrow 09:00"`` -> ``(12, "tomorrow 09:00")``; the id is None when malformed."""
    parts = (args or "").split(maxsplit=1)
    return (parse_id(parts[0]) if parts else None), (parts[1] if len(parts) > 1 else "")


@dataclass(frozen=True, slots=True)
class ArticleArg:
    """What a handler needs of "article N", and what to answer when it is not there.

    ``usage``: the answer when N or the words after it are missing (lazy: translated when
    answered; None: "give the article number");
    ``words``: how many words the command needs after N;
    ``bad_id``: the answer when the words are there but N is malformed (None: ``usage``);
    ``statuses``: the states the article must be in, else "can't do that in its current state"
    (checked before the handler asks a question whose answer could not be used);
    ``change``: the handler changes the article, so the sender must be allowed to now
    (``may_change``), else "you may not do this";
    ``from_state``: the message answers a prompt: N is the ``article_id`` the prompt kept in
    the FSM state, loaded and checked afresh (the article may have been approved or deleted
    since the button), and the state is cleared when the article is refused.
    """

    usage: LazyProxy | None = None
    words: int = 0
    bad_id: LazyProxy | None = None
    statuses: tuple[ArticleStatus, ...] | None = None
    change: bool = False
    from_state: bool = False

    def usage_text(self) -> str:
        return str(self.usage) if self.usage else _("Give the article number, e.g. /show 12")

    def bad_id_text(self) -> str:
        return str(self.bad_id) if self.bad_id else self.usage_text()


class LoadArticle(BaseMiddleware):
    """Inner middleware (after the filters chose the handler) for handlers flagged ARTICLE."""

    async def __call__(self, handler: NextHandler, event: TelegramObject, data: Data) -> Any:
        spec: ArticleArg | None = get_flag(data, ARTICLE)
        if spec is None:
            return await handler(event, data)
        if isinstance(event, Message) and spec.from_state:
            loaded = await _for_answer(event, data, spec)
        elif isinstance(event, Message):
            loaded = await _for_command(event, data, spec)
        elif isinstance(event, CallbackQuery):
            loaded = await _for_button(event, data, spec)
        else:
            loaded = None
        if loaded is None:
            return None
        data.update(loaded)
        return await handler(event, data)


async def _load(data: dict[str, Any], article_id: int, user_id: int) -> Result:
    desk: Desk = data["desk"]
    role: Role = data.get("role", Role.STRANGER)
    return await drafts.get_for(desk.db, article_id, user_id=user_id, is_admin=role is Role.ADMIN)


def _in_state(result: Result, spec: ArticleArg) -> Result:
    article = result.article
    if result.outcome is not Outcome.OK or article is None or not spec.statuses:
        return result
    if article.status not in spec.statuses:
        return Result(Outcome.WRONG_STATE, article)
    return result


def _may_not(result: Result, spec: ArticleArg, data: dict[str, Any]) -> bool:
    """Whether a changing handler's sender may not change the loaded article now."""
    if not spec.change or result.outcome is not Outcome.OK or result.article is None:
        return False
    desk: Desk = data["desk"]
    return not may_change(result.article, data.get("role", Role.STRANGER), desk.settings)


async def _for_command(
    message: Message, data: dict[str, Any], spec: ArticleArg
) -> dict[str, Any] | None:
    command: CommandObject | None = data.get("command")
    args = command.args if command else None
    if len((args or "").split()) < 1 + spec.words or message.from_user is None:
        await message.answer(spec.usage_text())
        return None
    article_id, rest = id_and_rest(args)
    if article_id is None:
        await message.answer(spec.bad_id_text())
        return None
    result = _in_state(await _load(data, article_id, message.from_user.id), spec)
    if result.outcome is not Outcome.OK or result.article is None:
        await message.answer(outcome_text(result, article_id, _tz(data)))
        return None
    if _may_not(result, spec, data):
        await message.answer(str(MAY_NOT))
        return None
    return {"article": result.article, "rest": rest}


async def _for_answer(
    message: Message, data: dict[str, Any], spec: ArticleArg
) -> dict[str, Any] | None:
    """The article a prompt asked about, for the message that answers it."""
    state: FSMContext = data["state"]
    article_id = (await state.get_data()).get("article_id")
    result = (
        _in_state(await _load(data, article_id, message.from_user.id), spec)
        if isinstance(article_id, int) and message.from_user is not None
        else Result(Outcome.NOT_FOUND)
    )
    if result.outcome is not Outcome.OK or result.article is None:
        await state.clear()
        await message.answer(_("That draft no longer exists."))
        return None
    if _may_not(result, spec, data):
        # The prompt is over: the next message must not be taken for its answer again.
        await state.clear()
        await message.answer(
            _("Sorry, you may not do this: #{id} was approved or published since.").format(
                id=article_id
            )
        )
        return None
    return {"article": result.article}


async def _for_button(
    query: CallbackQuery, data: dict[str, Any], spec: ArticleArg
) -> dict[str, Any] | None:
    callback_data: CallbackData | None = data.get("callback_data")
    article_id = getattr(callback_data, "article_id", None)
    if not isinstance(article_id, int):
        await alert(query, STALE_BUTTON)
        return None
    result = _in_state(await _load(data, article_id, query.from_user.id), spec)
    # Without the message the button was on, there is no chat to answer in.
    if result.outcome is not Outcome.OK or result.article is None or query.message is None:
        await alert(query, outcome_text(result, article_id, _tz(data)))
        return None
    if _may_not(result, spec, data):
        await alert(query, MAY_NOT)
        return None
    return {"article": result.article}


def _tz(data: dict[str, Any]) -> ZoneInfo:
    desk: Desk = data["desk"]
    return desk.settings.tz


def article_router(name: str, role: Role) -> Router:
    """A router for ``role`` whose handlers may ask for "article N": the role filter on its
    messages and buttons, and the loader after them (it answers for the handler it chose)."""
    router = Router(name=name)
    router.message.filter(HasRole(role))
    router.callback_query.filter(HasRole(role))
    router.message.middleware(LoadArticle())
    router.callback_query.middleware(LoadArticle())
    return router


def on_actions(
    router: Router,
    action: type[CallbackData],
    flags: dict[str, ArticleArg],
    **handlers: Callable[..., Awaitable[None]],
) -> None:
    """One handler per callback action: ``on_actions(router, FixAction, flags, pick=on_pick)``
    registers ``on_pick`` for ``FixAction.filter(F.action == "pick")``."""
    for name, handler in handlers.items():
        router.callback_query.register(handler, action.filter(F.action == name), flags=flags)


async def alert(query: CallbackQuery, text: LazyProxy | str) -> None:
    """Answer a button with an alert to dismiss: a refusal, a stale button, a failed decision."""
    await query.answer(str(text), show_alert=True)


async def ask(
    query: CallbackQuery, bot: Bot, question: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Answer a button with a question (or a choice) in the chat its message is in."""
    await query.answer()
    await bot.send_message(chat_of(query), question, reply_markup=markup)


async def prompt(
    query: CallbackQuery,
    bot: Bot,
    state: FSMContext,
    waiting: State,
    question: str,
    **kept: int | str,
) -> None:
    """Ask, and take the next message as the answer (``waiting``; ``kept``: the FSM data the
    answer's handler reads, such as the article's id).

    The question first: if it is lost, the next message must not be taken as the answer to a
    question never seen.
    """
    await ask(query, bot, question)
    await state.set_state(waiting)
    await state.update_data(kept)


async def show_new_draft(
    message: Message,
    desk: Desk,
    cards: Cards,
    content: ArticleContent,
    *,
    role: Role,
    language: str,
    origin: str,
    report: ParseReport | None = None,
) -> Article:
    """A new draft of ``content`` by the sender, with the look-alikes found, shown to them."""
    assert message.from_user is not None  # the role filter passed: a person sent it
    created = await drafts.create_draft(
        desk,
        content,
        author_id=message.from_user.id,
        language=language,
        origin=origin,
        report=report,
    )
    await cards.show_draft(
        message.chat.id,
        created.article,
        can_publish=may_publish(role, desk.settings),
        duplicates=created.duplicates,
    )
    return created.article


async def publish_by(
    query: CallbackQuery,
    desk: Desk,
    article: Article,
    *,
    queue: bool,
    from_statuses: Sequence[ArticleStatus] = DECIDABLE,
) -> Result:
    """The decision of a draft's or a review card's "Publish" / "Queue" button, as its presser."""
    return await review.publish(
        desk,
        article.id,
        actor_id=query.from_user.id,
        actor_name=query.from_user.full_name,
        queue=queue,
        from_statuses=from_statuses,
    )


def chat_of(query: CallbackQuery) -> int:
    """The chat of the message a button was on (the loader checked that there is one)."""
    assert query.message is not None
    return query.message.chat.id


def may_publish(role: Role, settings: Settings) -> bool:
    """Whether ``role`` may publish without review (admins; everyone without REQUIRE_APPROVAL)."""
    return role is Role.ADMIN or not settings.require_approval


def may_change(article: Article, role: Role, settings: Settings) -> bool:
    """Whether ``role`` may change ``article`` now.

    Once approved, scheduled or published, a change reaches the channel without review: with
    REQUIRE_APPROVAL that is publishing, so it is for admins only.
    """
    return may_publish(role, settings) or article.status in (
        ArticleStatus.DRAFT,
        ArticleStatus.PENDING,
        ArticleStatus.REJECTED,
    )


def photo_of(message: Message) -> Photo | None:
    if not message.photo:
        return None
    best = max(message.photo, key=lambda p: p.width * p.height)
    return Photo(
        ref=best.file_id, width=best.width, height=best.height, file_size=best.file_size or 0
    )


def formatting_of(entities: list[MessageEntity] | None) -> list[Formatting]:
    """aiogram's entities as the plain values the pure ingest functions take."""
    return [Formatting(e.type, e.offset, e.length, e.url) for e in entities or ()]
