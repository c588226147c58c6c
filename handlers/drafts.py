"""Editors' drafts in the private chat: list, show, edit, submit, delete, history, /new."""

from __future__ import annotations

import contextlib
import re
from dataclasses import replace

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import DraftAction, Page
from bot.config import Settings
from bot.domain import Article, ArticleContent, ArticleStatus, Photo
from bot.editing import EditError, apply_edit, normalise_field, split_paragraphs
from bot.ingest.entities import keep_formatting
from bot.newsroom import Newsroom, Outcome, Result, field_labels, render_article_line
from bot.roles import HasRole, Role
from bot.telegram.send import not_modified
from bot.texts import quote, visible_length
from handlers.ingest import can_publish, formatting_of, photo_of

PAGE_SIZE = 10
# Article numbers are ASCII digits: str.isdigit() also accepts "²" (which int() refuses) and
# other scripts' digits; eleven digits keep every number inside SQLite's 64-bit integers.
_ARTICLE_NUMBER = re.compile(r"[0-9]{1,11}")
# The longest text Telegram accepts in one message (counted after entity parsing).
MESSAGE_LIMIT = 4096


class EditField(StatesGroup):
    value = State()


class NewArticle(StatesGroup):
    title = State()
    text = State()
    photo = State()
    source = State()


def parse_id(args: str | None) -> int | None:
    head = (args or "").strip().split(maxsplit=1)
    if not head:
        return None
    token = head[0].lstrip("#")
    return int(token) if _ARTICLE_NUMBER.fullmatch(token) else None


def fit_lines(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` cut to fit one message: the first line (the heading) and as many of the latest
    lines as fit, with "…" where lines were left out. Long audit trails (a reason of 1000
    characters per rejection, hundreds of edits) would otherwise make Telegram refuse it."""
    if visible_length(text) <= limit:
        return text
    head, *lines = text.split("\n")
    kept: list[str] = []
    room = limit - len(head) - 4  # the heading, "\n…\n"
    for line in reversed(lines):
        size = visible_length(line) + 1
        if size > room:
            break
        kept.append(line)
        room -= size
    return "\n".join([head, "…", *reversed(kept)])


def outcome_text(result: Result, article_id: int | None = None) -> str:
    texts = {
        Outcome.NOT_FOUND: _("There is no article #{id}."),
        Outcome.NOT_YOURS: _("Article #{id} is not yours."),
        Outcome.WRONG_STATE: _("Article #{id} can't do that in its current state."),
        Outcome.NO_CHANNEL: _("No channel or admin chat is configured for that."),
        Outcome.NO_SLOT: _("No free queue slot: set slots with /slots 09:00 12:00 …"),
        Outcome.INVALID: _("Article #{id} is empty: add a title or text first."),
    }
    text = texts.get(result.outcome, "").format(id=article_id if article_id is not None else "?")
    if result.winner:
        text += "\n" + _("Already decided: {winner}.").format(winner=result.winner)
    return text


def edit_error_text(code: str) -> str:
    return {
        "unknown_field": _(
            "Unknown field. Fields: title, lead, body, credit, source, source_url, tags, photo."
        ),
        "empty": _("The value is empty."),
        "bad_url": _("That is not an http(s) link."),
        "too_long": _("The value is too long."),
    }.get(code, code)


def may_change(article: Article, role: Role, settings: Settings) -> bool:
    """Whether ``role`` may change ``article`` now.

    Once approved, scheduled or published, a change reaches the channel without review: with
    REQUIRE_APPROVAL that is publishing, so it is for admins only.
    """
    return can_publish(role, settings) or article.status in (
        ArticleStatus.DRAFT,
        ArticleStatus.PENDING,
        ArticleStatus.REJECTED,
    )


def pager(listing: str, page: int, more: bool) -> InlineKeyboardMarkup | None:
    """◀️ ▶️ buttons for a paginated list (None when it fits one page)."""
    buttons = []
    if page > 0:
        data = Page(listing=listing, page=page - 1).pack()
        buttons.append(InlineKeyboardButton(text="◀️", callback_data=data))
    if more:
        data = Page(listing=listing, page=page + 1).pack()
        buttons.append(InlineKeyboardButton(text="▶️", callback_data=data))
    return InlineKeyboardMarkup(inline_keyboard=[buttons]) if buttons else None


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.EDITOR))
    router.callback_query.filter(HasRole(Role.EDITOR))

    async def load(
        message: Message, newsroom: Newsroom, role: Role, article_id: int | None
    ) -> Article | None:
        if article_id is None:
            await message.answer(_("Give the article number, e.g. /show 12"))
            return None
        assert message.from_user is not None
        result = await newsroom.get_for(
            article_id, user_id=message.from_user.id, is_admin=role is Role.ADMIN
        )
        if result.outcome is not Outcome.OK or result.article is None:
            await message.answer(outcome_text(result, article_id))
            return None
        return result.article

    async def drafts_page(
        newsroom: Newsroom, user_id: int, page: int
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        async with newsroom.db.read() as uow:
            items, total = await uow.articles.page(
                statuses=(
                    ArticleStatus.DRAFT,
                    ArticleStatus.PENDING,
                    ArticleStatus.REJECTED,
                    ArticleStatus.APPROVED,
                    ArticleStatus.SCHEDULED,
                ),
                author_id=user_id,
                limit=PAGE_SIZE,
                offset=page * PAGE_SIZE,
            )
        if not total:
            return _("You have no drafts. Paste an article to make one."), None
        lines = [_("<b>Your articles</b> ({total})").format(total=total)]
        lines += [render_article_line(a) for a in items]
        return "\n".join(lines), pager("drafts", page, (page + 1) * PAGE_SIZE < total)

    @router.message(Command("drafts"))
    async def cmd_drafts(message: Message, newsroom: Newsroom) -> None:
        assert message.from_user is not None
        text, markup = await drafts_page(newsroom, message.from_user.id, 0)
        await message.answer(text, reply_markup=markup)

    @router.callback_query(Page.filter())
    async def on_page(query: CallbackQuery, callback_data: Page, newsroom: Newsroom) -> None:
        page = max(0, min(callback_data.page, 10_000))
        if callback_data.listing == "queue":
            text, more = await newsroom.queue_text(page)
            markup = pager("queue", page, more)
        else:
            text, markup = await drafts_page(newsroom, query.from_user.id, page)
        if query.message is not None:
            try:
                await query.bot.edit_message_text(  # type: ignore[union-attr]
                    chat_id=query.message.chat.id,
                    message_id=query.message.message_id,
                    text=text,
                    reply_markup=markup,
                )
            except TelegramBadRequest as exc:
                # The page shown already (a double tap, a forged page number clamped to the
                # last one): Telegram calls that an error, the reader sees nothing wrong.
                if not not_modified(exc):
                    raise
        await query.answer()

    @router.message(Command("show"))
    async def cmd_show(
        message: Message,
        command: CommandObject,
        newsroom: Newsroom,
        role: Role,
        settings: Settings,
    ) -> None:
        article = await load(message, newsroom, role, parse_id(command.args))
        if article is not None:
            await newsroom.show_draft(
                message.chat.id, article, can_publish=can_publish(role, settings)
            )

    @router.message(Command("history"))
    async def cmd_history(
        message: Message, command: CommandObject, newsroom: Newsroom, role: Role
    ) -> None:
        article = await load(message, newsroom, role, parse_id(command.args))
        if article is not None:
            await message.answer(fit_lines(await newsroom.history_text(article)))

    @router.message(Command("delete"))
    async def cmd_delete(
        message: Message, command: CommandObject, newsroom: Newsroom, role: Role
    ) -> None:
        article_id = parse_id(command.args)
        article = await load(message, newsroom, role, article_id)
        if article is None:
            return
        assert message.from_user is not None
        result = await newsroom.delete(article, actor_id=message.from_user.id)
        if result.outcome is Outcome.OK:
            await message.answer(_("Draft #{id} deleted.").format(id=article.id))
        else:
            await message.answer(outcome_text(result, article.id))

    @router.message(Command("edit"))
    async def cmd_edit(
        message: Message,
        command: CommandObject,
        newsroom: Newsroom,
        role: Role,
        settings: Settings,
    ) -> None:
        parts = (command.args or "").split(maxsplit=2)
        if len(parts) < 3:
            await message.answer(
                _(
                    "Usage: /edit N FIELD VALUE (fields: title, lead, body, credit, source, "
                    "source_url, tags, photo; '-' clears)"
                )
            )
            return
        article = await load(message, newsroom, role, parse_id(parts[0]))
        if article is None:
            return
        if not may_change(article, role, settings):
            await message.answer(_("Sorry, you may not do this."))
            return
        await apply_and_report(message, newsroom, article, parts[1], parts[2])

    async def apply_and_report(
        message: Message, newsroom: Newsroom, article: Article, field: str, value: str
    ) -> bool:
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
        updated = await newsroom.update_content(
            article,
            content,
            updated_mark=updated_mark,
            actor_id=message.from_user.id,
            action=f"edit:{normalise_field(field)}",
        )
        if updated is None:
            await message.answer(outcome_text(Result(Outcome.NOT_FOUND), article.id))
            return False
        note = (
            _("Saved. The channel posts were corrected too.")
            if updated.status is ArticleStatus.PUBLISHED
            else _("Saved.")
        )
        await message.answer(note + " " + _("Draft #{id}.").format(id=article.id))
        return True

    @router.message(Command("submit"))
    async def cmd_submit(
        message: Message, command: CommandObject, newsroom: Newsroom, role: Role
    ) -> None:
        article = await load(message, newsroom, role, parse_id(command.args))
        if article is not None:
            await submit(message, newsroom, article)

    async def submit(message: Message, newsroom: Newsroom, article: Article) -> None:
        user = message.from_user if message.chat.type == "private" else None
        actor_id = user.id if user else article.author_id
        result = await newsroom.submit(
            article, actor_id=actor_id, author_name=user.full_name if user else ""
        )
        if result.outcome is Outcome.OK:
            await message.answer(_("Article #{id} is sent for review.").format(id=article.id))
        else:
            await message.answer(outcome_text(result, article.id))

    @router.message(Command("queue"))
    async def cmd_queue(message: Message, newsroom: Newsroom) -> None:
        text, more = await newsroom.queue_text(0)
        await message.answer(text, reply_markup=pager("queue", 0, more))

    # --- draft buttons --------------------------------------------------------------------

    @router.callback_query(DraftAction.filter())
    async def on_draft_button(
        query: CallbackQuery,
        callback_data: DraftAction,
        newsroom: Newsroom,
        role: Role,
        settings: Settings,
        state: FSMContext,
    ) -> None:
        result = await newsroom.get_for(
            callback_data.article_id, user_id=query.from_user.id, is_admin=role is Role.ADMIN
        )
        article = result.article
        if result.outcome is not Outcome.OK or article is None or query.message is None:
            await query.answer(outcome_text(result, callback_data.article_id), show_alert=True)
            return
        chat_id = query.message.chat.id
        action = callback_data.action
        bot = newsroom.bot
        if action == "edit":
            await query.answer()
            await bot.send_message(
                chat_id,
                _("What do you want to change in #{id}?").format(id=article.id),
                reply_markup=newsroom.edit_keyboard(article),
            )
        elif action == "channels":
            await query.answer()
            await bot.send_message(
                chat_id,
                _(
                    "Where should #{id} go? Tap to choose; none chosen means the default channel."
                ).format(id=article.id),
                reply_markup=await newsroom.channels_keyboard(article),
            )
        elif action == "chan":
            channel_id = parse_id(callback_data.arg)
            if channel_id is None or not await newsroom.toggle_channel(
                article, channel_id, actor_id=query.from_user.id
            ):
                await query.answer(
                    _("This button is out of date or not for you."), show_alert=True
                )
                return
            await query.answer()
            with contextlib.suppress(TelegramBadRequest):
                await bot.edit_message_reply_markup(
                    chat_id=chat_id,
                    message_id=query.message.message_id,
                    reply_markup=await newsroom.channels_keyboard(article),
                )
        elif action in ("field", "photo"):
            if not may_change(article, role, settings):
                await query.answer(_("Sorry, you may not do this."), show_alert=True)
                return
            field = "photo" if action == "photo" else callback_data.arg
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
            await bot.send_message(chat_id, prompt.format(id=article.id, field=quote(label)))
            await state.set_state(EditField.value)
            await state.update_data(article_id=article.id, field=field)
        elif action == "submit":
            result = await newsroom.submit(
                article, actor_id=query.from_user.id, author_name=query.from_user.full_name
            )
            if result.outcome is Outcome.OK:
                await query.answer(_("Sent for review."))
                await bot.send_message(
                    chat_id, _("Article #{id} is sent for review.").format(id=article.id)
                )
            else:
                await query.answer(outcome_text(result, article.id), show_alert=True)
        elif action in ("publish", "queue"):
            if not can_publish(role, settings):
                await query.answer(_("Sorry, you may not do this."), show_alert=True)
                return
            result = await newsroom.publish(
                article.id,
                actor_id=query.from_user.id,
                actor_name=query.from_user.full_name,
                queue=action == "queue",
            )
            if result.outcome is Outcome.OK:
                await query.answer(_("Done."))
                await bot.send_message(
                    chat_id,
                    _("Article #{id} will be published at {when}.").format(
                        id=article.id, when=result.detail
                    ),
                )
            else:
                await query.answer(outcome_text(result, article.id), show_alert=True)
        elif action == "delete":
            result = await newsroom.delete(article, actor_id=query.from_user.id)
            if result.outcome is Outcome.OK:
                await query.answer(_("Deleted."))
                await bot.send_message(chat_id, _("Draft #{id} deleted.").format(id=article.id))
            else:
                await query.answer(outcome_text(result, article.id), show_alert=True)
        else:
            await query.answer(_("This button is out of date or not for you."), show_alert=True)

    @router.message(StateFilter(EditField.value), F.photo)
    async def on_edit_photo(message: Message, state: FSMContext, newsroom: Newsroom) -> None:
        data = await state.get_data()
        await state.clear()
        article = await newsroom.get(int(data["article_id"]))
        photo = photo_of(message)
        if article is None or photo is None or message.from_user is None:
            await message.answer(_("That draft no longer exists."))
            return
        await newsroom.attach_photos(
            article, [photo], actor_id=message.from_user.id, replace_all=True
        )
        await message.answer(_("Photo replaced in #{id}.").format(id=article.id))

    @router.message(StateFilter(EditField.value), F.text)
    async def on_edit_value(message: Message, state: FSMContext, newsroom: Newsroom) -> None:
        data = await state.get_data()
        article = await newsroom.get(int(data["article_id"]))
        if article is None:
            await state.clear()
            await message.answer(_("That draft no longer exists."))
            return
        assert message.text is not None
        if await apply_and_report(message, newsroom, article, str(data["field"]), message.text):
            await state.clear()

    @router.message(StateFilter(EditField.value))
    async def on_edit_other(message: Message) -> None:
        await message.answer(_("Send text (or a photo for the photo field), or /cancel."))

    # --- /new: an article written from scratch ---------------------------------------------

    @router.message(Command("new"), F.chat.type == "private")
    async def cmd_new(message: Message, state: FSMContext) -> None:
        await state.set_state(NewArticle.title)
        await message.answer(_("New article. Send the title (/cancel to stop)."))

    @router.message(StateFilter(NewArticle.title), F.text)
    async def on_new_title(message: Message, state: FSMContext) -> None:
        assert message.text is not None
        title = " ".join(message.text.split())
        if not title or title.startswith("/"):
            await message.answer(_("Send the title as plain text."))
            return
        await state.update_data(title=title[:500])
        await state.set_state(NewArticle.text)
        await message.answer(_("Now the text: the first paragraph becomes the lead."))

    @router.message(StateFilter(NewArticle.text), F.text)
    async def on_new_text(message: Message, state: FSMContext) -> None:
        assert message.text is not None
        paragraphs = split_paragraphs(message.text)
        if not paragraphs:
            await message.answer(_("The text is empty: send the article text."))
            return
        await state.update_data(paragraphs=list(paragraphs))
        await state.set_state(NewArticle.photo)
        await message.answer(_("Send a photo, or /skip."))

    @router.message(StateFilter(NewArticle.photo), F.photo)
    async def on_new_photo(message: Message, state: FSMContext) -> None:
        photo = photo_of(message)
        assert photo is not None
        await state.update_data(photo=[photo.ref, photo.width, photo.height, photo.file_size])
        await state.set_state(NewArticle.source)
        await message.answer(_("The source (name and link), or /skip."))

    @router.message(StateFilter(NewArticle.photo), Command("skip"))
    async def on_new_photo_skip(message: Message, state: FSMContext) -> None:
        await state.set_state(NewArticle.source)
        await message.answer(_("The source (name and link), or /skip."))

    @router.message(StateFilter(NewArticle.source), F.text)
    async def on_new_source(
        message: Message,
        state: FSMContext,
        newsroom: Newsroom,
        role: Role,
        settings: Settings,
        language: str,
    ) -> None:
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
        article, duplicates = await newsroom.create_draft(
            content, author_id=message.from_user.id, language=language, origin="dialog"
        )
        await newsroom.show_draft(
            message.chat.id,
            article,
            can_publish=can_publish(role, settings),
            duplicates=duplicates,
        )

    @router.message(StateFilter(NewArticle))
    async def on_new_other(message: Message) -> None:
        await message.answer(_("Please answer the question above, or /cancel."))

    return router
