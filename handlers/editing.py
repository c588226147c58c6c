"""Changing a field of an article: /edit N FIELD VALUE, or a draft's "Edit" buttons and the
value typed (or the photo sent) after them."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from bot.callbacks import DraftAction
from bot.domain import Article, ArticleStatus
from bot.editing import EditError, apply_edit, normalise_field
from bot.ingest.entities import keep_formatting
from bot.roles import Role
from bot.texts import quote
from bot.views import commands, keyboards
from bot.views.labels import field_labels
from bot.views.replies import edit_error_text, outcome_text
from bot.workflow import drafts
from bot.workflow.ports import Desk
from bot.workflow.results import Outcome, Result
from handlers.common import (
    ARTICLE,
    ArticleArg,
    alert,
    article_router,
    ask,
    formatting_of,
    on_actions,
    photo_of,
    prompt,
)


class EditField(StatesGroup):
    value = State()


async def cmd_edit(message: Message, article: Article, rest: str, desk: Desk) -> None:
    field, value = rest.split(maxsplit=1)
    await _apply_and_report(message, desk, article, field, value)


async def _apply_and_report(
    message: Message, desk: Desk, article: Article, field: str, value: str
) -> bool:
    """Apply ``field = value`` and say so; False (after saying why) when it was refused."""
    assert message.from_user is not None
    # "--updated" asks for a visible "Updated" mark on the corrected channel posts.
    updated_mark = "--updated" in value.split()
    value = " ".join(w for w in value.split(" ") if w != "--updated")
    try:
        content = apply_edit(article.content, field, value)
    except EditError as exc:
        await message.answer(edit_error_text(exc.code))
        return False
    if normalise_field(field) == "body" and message.text:
        # The new text's bold and links are kept, as for a pasted article.
        content = keep_formatting(content, message.text, formatting_of(message.entities))
    updated = await drafts.update_content(
        desk,
        article,
        content,
        updated_mark=updated_mark,
        actor_id=message.from_user.id,
        action=f"edit:{normalise_field(field)}",
    )
    if updated is None:
        await message.answer(outcome_text(Result(Outcome.NOT_FOUND), article.id, desk.settings.tz))
        return False
    note = (
        _("Saved. The channel posts were corrected too.")
        if updated.status is ArticleStatus.PUBLISHED
        else _("Saved.")
    )
    await message.answer(note + " " + _("Draft #{id}.").format(id=article.id))
    return True


async def on_edit(query: CallbackQuery, article: Article, bot: Bot) -> None:
    question = _("What do you want to change in #{id}?").format(id=article.id)
    await ask(query, bot, question, keyboards.edit_keyboard(article))


async def on_field(
    query: CallbackQuery,
    callback_data: DraftAction,
    article: Article,
    bot: Bot,
    state: FSMContext,
) -> None:
    await _ask_for(query, callback_data.arg, article, bot, state)


async def on_photo(query: CallbackQuery, article: Article, bot: Bot, state: FSMContext) -> None:
    await _ask_for(query, "photo", article, bot, state)


async def _ask_for(
    query: CallbackQuery, field: str, article: Article, bot: Bot, state: FSMContext
) -> None:
    """Ask for the new value of ``field``; the next message (or photo) is the answer."""
    if normalise_field(field) is None:
        await alert(query, edit_error_text("unknown_field"))
        return
    question = (
        _("Send the photo for #{id} (or a public image link; '-' removes photos).")
        if field == "photo"
        else _("Send the new {field} for #{id} ('-' clears it, /cancel stops).")
    )
    label = field_labels().get(field, field).lower()
    question = question.format(id=article.id, field=quote(label))
    await prompt(query, bot, state, EditField.value, question, article_id=article.id, field=field)


async def on_edit_photo(message: Message, article: Article, state: FSMContext, desk: Desk) -> None:
    await state.clear()
    photo = photo_of(message)
    if photo is None or message.from_user is None:
        await message.answer(_("That draft no longer exists."))
        return
    await drafts.attach_photos(
        desk, article, [photo], actor_id=message.from_user.id, replace_all=True
    )
    await message.answer(_("Photo replaced in #{id}.").format(id=article.id))


async def on_edit_value(message: Message, article: Article, state: FSMContext, desk: Desk) -> None:
    data = await state.get_data()
    assert message.text is not None
    if await _apply_and_report(message, desk, article, str(data["field"]), message.text):
        await state.clear()


async def on_edit_other(message: Message) -> None:
    await message.answer(_("Send text (or a photo for the photo field), or /cancel."))


def setup() -> Router:
    router = article_router(__name__, Role.EDITOR)
    edit_usage = __(
        "Usage: /edit N FIELD VALUE (fields: title, lead, body, credit, source, "
        "source_url, tags, photo; '-' clears)"
    )
    router.message.register(
        cmd_edit,
        commands.EDIT.filter(),
        flags={
            ARTICLE: ArticleArg(
                usage=edit_usage,
                words=2,
                bad_id=__("Give the article number, e.g. /show 12"),
                change=True,
            )
        },
    )
    on_actions(router, DraftAction, {ARTICLE: ArticleArg()}, edit=on_edit)
    change = {ARTICLE: ArticleArg(change=True)}
    on_actions(router, DraftAction, change, field=on_field, photo=on_photo)

    value = StateFilter(EditField.value)
    answer = {ARTICLE: ArticleArg(change=True, from_state=True)}
    router.message.register(on_edit_photo, value, F.photo, flags=answer)
    router.message.register(on_edit_value, value, F.text, flags=answer)
    router.message.register(on_edit_other, value)
    return router
