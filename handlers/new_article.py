"""/new: an article written from scratch, one question at a time (title, text, photo, source)."""

from __future__ import annotations

from dataclasses import replace

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.domain import ArticleContent, Photo
from bot.editing import EditError, apply_edit, split_paragraphs
from bot.presenters.cards import Cards
from bot.roles import HasRole, Role
from bot.views import commands
from bot.views.replies import edit_error_text
from bot.workflow.ports import Desk
from handlers.common import photo_of, show_new_draft


class NewArticle(StatesGroup):
    title = State()
    text = State()
    photo = State()
    source = State()


async def cmd_new(message: Message, state: FSMContext) -> None:
    await state.set_state(NewArticle.title)
    await message.answer(_("New article. Send the title (/cancel to stop)."))


async def on_title(message: Message, state: FSMContext) -> None:
    assert message.text is not None
    title = " ".join(message.text.split())
    if not title or title.startswith("/"):
        await message.answer(_("Send the title as plain text."))
        return
    await state.update_data(title=title[:500])
    await state.set_state(NewArticle.text)
    await message.answer(_("Now the text: the first paragraph becomes the lead."))


async def on_text(message: Message, state: FSMContext) -> None:
    assert message.text is not None
    paragraphs = split_paragraphs(message.text)
    if not paragraphs:
        await message.answer(_("The text is empty: send the article text."))
        return
    await state.update_data(paragraphs=list(paragraphs))
    await state.set_state(NewArticle.photo)
    await message.answer(_("Send a photo, or /skip."))


async def on_photo(message: Message, state: FSMContext) -> None:
    photo = photo_of(message)
    assert photo is not None
    await state.update_data(photo=[photo.ref, photo.width, photo.height, photo.file_size])
    await state.set_state(NewArticle.source)
    await message.answer(_("The source (name and link), or /skip."))


async def on_photo_skip(message: Message, state: FSMContext) -> None:
    await state.set_state(NewArticle.source)
    await message.answer(_("The source (name and link), or /skip."))


async def on_source(
    message: Message,
    state: FSMContext,
    desk: Desk,
    cards: Cards,
    role: Role,
    language: str,
) -> None:
    """The last answer: the draft is made and shown."""
    assert message.text is not None and message.from_user is not None
    data = await state.get_data()
    await state.clear()
    paragraphs = list(data.get("paragraphs", []))
    content = ArticleContent(
        title=str(data.get("title", "")),
        lead=paragraphs[0] if len(paragraphs) > 1 else "",
        body=tuple(paragraphs[1:] if len(paragraphs) > 1 else paragraphs),
        language=language,
    )
    if data.get("photo"):
        ref, width, height, size = data["photo"]
        content = replace(content, photos=(Photo(ref, False, width, height, size),))
    if not message.text.startswith("/skip"):
        try:
            content = apply_edit(content, "source", message.text)
        except EditError as exc:
            await message.answer(edit_error_text(exc.code))
    await show_new_draft(
        message, desk, cards, content, role=role, language=language, origin="dialog"
    )


async def on_other(message: Message) -> None:
    await message.answer(_("Please answer the question above, or /cancel."))


def setup() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.EDITOR))
    register = router.message.register
    register(cmd_new, commands.NEW.filter(), F.chat.type == "private")
    register(on_title, StateFilter(NewArticle.title), F.text)
    register(on_text, StateFilter(NewArticle.text), F.text)
    register(on_photo, StateFilter(NewArticle.photo), F.photo)
    register(on_photo_skip, StateFilter(NewArticle.photo), commands.skip_filter())
    register(on_source, StateFilter(NewArticle.source), F.text)
    register(on_other, StateFilter(NewArticle))
    return router
