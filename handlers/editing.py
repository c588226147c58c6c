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
from bot.config import Settings
from bot.domain import Article, ArticleStatus
from bot.editing import EditError, apply_edit, normalise_field
from bot.ingest.entities import keep_formatting
from bot.roles import HasRole, Role
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
    LoadArticle,
    chat_of,
    formatting_of,
    may_change,
    photo_of,
)


class EditField(StatesGroup):
    value = State()


async def cmd_edit(
    message: Message,
    article: Article,
    rest: str,
    desk: Desk,
    role: Role,
    settings: Settings,
) -> None:
    if not may_change(article, role, settings):
        await message.answer(_("Sorry, you may not do this."))
        return
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
    await query.answer()
    await bot.send_message(
        chat_of(query),
        _("What do you want to change in #{id}?").format(id=article.id),
        reply_markup=keyboards.edit_keyboard(article),
    )


async def on_field(
    query: CallbackQuery,
    callback_data: DraftAction,
    article: Article,
    bot: Bot,
    role: Role,
    settings: Settings,
    state: FSMContext,
) -> None:
    await _ask_for(query, callback_data.arg, article, bot, role, settings, state)


async def on_photo(
    query: CallbackQuery,
    article: Article,
    bot: Bot,
    role: Role,
    settings: Settings,
    state: FSMContext,
) -> None:
    await _ask_for(query, "photo", article, bot, role, settings, state)


async def _ask_for(
    query: CallbackQuery,
    field: str,
    article: Article,
    bot: Bot,
    role: Role,
    settings: Settings,
    state: FSMContext,
) -> None:
    """Ask for the new value of ``field``; the next message (or photo) is the answer."""
    if not may_change(article, role, settings):
        await query.answer(_("Sorry, you may not do this."), show_alert=True)
        return
    if normalise_field(field) is None:
        await query.answer(edit_error_text("unknown_field"), show_alert=True)
        return
    await query.answer()
    prompt = (
        _("Send the photo for #{id} (or a public image link; '-' removes photos).")
        if field == "photo"
        else _("Send the new {field} for #{id} ('-' clears it, /cancel stops).")
    )
    label = field_labels().get(field, field).lower()
    # The prompt first: a lost prompt must not turn the next message into this field.
    await bot.send_message(chat_of(query), prompt.format(id=article.id, field=quote(label)))
    await state.set_state(EditField.value)
    await state.update_data(article_id=article.id, field=field)


async def on_edit_photo(message: Message, state: FSMContext, desk: Desk) -> None:
    data = await state.get_data()
    await state.clear()
    article = await drafts.get_live(desk.db, int(data["article_id"]))
    photo = photo_of(message)
    if article is None or photo is None or message.from_user is None:
        await message.answer(_("That draft no longer exists."))
        return
    await drafts.attach_photos(
        desk, article, [photo], actor_id=message.from_user.id, replace_all=True
    )
    await message.answer(_("Photo replaced in #{id}.").format(id=article.id))


async def on_edit_value(message: Message, state: FSMContext, desk: Desk) -> None:
    data = await state.get_data()
    article = await drafts.get_live(desk.db, int(data["article_id"]))
    if article is None:
        await state.clear()
        await message.answer(_("That draft no longer exists."))
        return
    assert message.text is not None
    if await _apply_and_report(message, desk, article, str(data["field"]), message.text):
        await state.clear()


async def on_edit_other(message: Message) -> None:
    await message.answer(_("Send text (or a photo for the photo field), or /cancel."))


def setup() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.EDITOR))
    router.callback_query.filter(HasRole(Role.EDITOR))
    router.message.middleware(LoadArticle())
    router.callback_query.middleware(LoadArticle())
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
            )
        },
    )
    article = {ARTICLE: ArticleArg()}
    button = router.callback_query.register
    button(on_edit, DraftAction.filter(F.action == "edit"), flags=article)
    button(on_field, DraftAction.filter(F.action == "field"), flags=article)
    button(on_photo, DraftAction.filter(F.action == "photo"), flags=article)

    value = StateFilter(EditField.value)
    router.message.register(on_edit_photo, value, F.photo)
    router.message.register(on_edit_value, value, F.text)
    router.message.register(on_edit_other, value)
    return router
