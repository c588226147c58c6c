"""One-tap fixes on a draft's card of what the parser was not sure of (issue 13), and the
editor's own default source (/mysource).

"Type the source" and "✏️ Title" are the existing field prompts (``handlers.editing``); the
date has its own prompt here because the edit fields have no date.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import FixAction
from bot.config import Settings
from bot.domain import Article
from bot.ingest.dates import find_datetime
from bot.roles import Role
from bot.texts import echo, quote
from bot.timeparse import format_local
from bot.views import commands
from bot.workflow import fixes
from bot.workflow.ports import Desk
from bot.workflow.results import Outcome, Result
from handlers.common import (
    ARTICLE,
    STALE_BUTTON,
    ArticleArg,
    alert,
    article_router,
    on_actions,
    parse_id,
    prompt,
)


class FixDate(StatesGroup):
    value = State()


async def _answer(query: CallbackQuery, result: Result, done: str) -> None:
    """Say what the fix did; a stale button or a vanished draft gets an alert instead."""
    if result.outcome is Outcome.OK:
        await query.answer(done)
    elif result.outcome is Outcome.INVALID:
        await alert(query, STALE_BUTTON)
    else:
        await alert(query, _("That draft no longer exists."))


async def on_pick(
    query: CallbackQuery, callback_data: FixAction, article: Article, desk: Desk
) -> None:
    index = parse_id(callback_data.arg)
    result = await fixes.pick_source(
        desk, article, -1 if index is None else index, actor_id=query.from_user.id
    )
    name = result.article.content.source_name if result.article else ""
    await _answer(query, result, _("Source: {name}.").format(name=name))


async def on_default(query: CallbackQuery, article: Article, desk: Desk) -> None:
    result = await fixes.use_default(desk, article, actor_id=query.from_user.id)
    name = result.article.content.source_name if result.article else ""
    await _answer(query, result, _("Source: {name}.").format(name=name))


async def on_now(query: CallbackQuery, article: Article, desk: Desk, settings: Settings) -> None:
    when = desk.clock.now()
    result = await fixes.set_date(desk, article, when, actor_id=query.from_user.id)
    await _answer(query, result, _("Date: {when}.").format(when=format_local(when, settings.tz)))


async def on_keep(
    query: CallbackQuery, callback_data: FixAction, article: Article, desk: Desk
) -> None:
    result = await fixes.keep(desk, article, callback_data.arg, actor_id=query.from_user.id)
    await _answer(query, result, _("Noted."))


async def on_date(query: CallbackQuery, article: Article, bot: Bot, state: FSMContext) -> None:
    """Ask for the original publication date; the next message is the answer."""
    question = _(
        "Send the date of the original publication for #{id}, e.g. 05.12.2026 14:05, "
        "5 декабря 14:05 or вчера 13:30 (/cancel stops)."
    ).format(id=article.id)
    await prompt(query, bot, state, FixDate.value, question, article_id=article.id)


async def on_date_value(
    message: Message, article: Article, state: FSMContext, desk: Desk, settings: Settings
) -> None:
    assert message.text is not None and message.from_user is not None
    when = find_datetime(message.text, tz=settings.tz, now=desk.clock.now())
    if when is None:
        await message.answer(
            _("I can't read “{value}” as a date: try 05.12.2026 14:05, or /cancel.").format(
                value=echo(message.text)
            )
        )
        return
    await state.clear()
    result = await fixes.set_date(desk, article, when, actor_id=message.from_user.id)
    if result.outcome is not Outcome.OK:
        await message.answer(_("That draft no longer exists."))
        return
    await message.answer(
        _("Date of #{id}: {when}.").format(id=article.id, when=format_local(when, settings.tz))
    )


async def on_date_other(message: Message) -> None:
    await message.answer(_("Send the date as text, or /cancel."))


async def cmd_mysource(message: Message, command: CommandObject, desk: Desk) -> None:
    """/mysource shows the editor's default source, /mysource NAME sets it, /mysource - clears."""
    assert message.from_user is not None
    name = " ".join((command.args or "").split())
    if not name:
        current = await fixes.my_source(desk.db, message.from_user.id)
        await message.answer(
            _("Your default source: {name}.").format(name=quote(current))
            if current
            else _("You have no default source. Set one with /mysource NAME.")
        )
        return
    if len(name) > fixes.MAX_SOURCE:
        await message.answer(_("The value is too long."))
        return
    cleared = name.lower() in commands.OFF_WORDS
    await fixes.set_my_source(desk, message.from_user.id, "" if cleared else name)
    await message.answer(
        _("Your default source is cleared.")
        if cleared
        else _("Your default source is now {name}: pasted copy that names none takes it.").format(
            name=quote(name)
        )
    )


def setup() -> Router:
    router = article_router(__name__, Role.EDITOR)
    router.message.register(cmd_mysource, commands.MYSOURCE.filter())

    article = {ARTICLE: ArticleArg(change=True)}
    on_actions(router, FixAction, article, pick=on_pick, default=on_default, keep=on_keep)
    on_actions(router, FixAction, article, now=on_now, date=on_date)

    value = StateFilter(FixDate.value)
    answer = {ARTICLE: ArticleArg(change=True, from_state=True)}
    router.message.register(on_date_value, value, F.text, flags=answer)
    router.message.register(on_date_other, value)
    return router
