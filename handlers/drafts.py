"""Editors' drafts: list, show, history, submit, delete, the queue, and the draft's buttons.

Changing a draft's fields is in ``handlers.editing``, writing one from scratch in
``handlers.new_article``.
"""

from __future__ import annotations

import contextlib

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import DraftAction, Page
from bot.config import Settings
from bot.domain import Article
from bot.newsroom import Newsroom, Outcome
from bot.roles import HasRole, Role
from bot.telegram.send import not_modified
from bot.views import commands
from bot.views.pages import PAGE_SIZE, drafts_page, pager
from bot.views.replies import fit_lines, outcome_text
from bot.workflow import queries
from handlers.common import ARTICLE, ArticleArg, LoadArticle, chat_of, may_publish, parse_id

# The biggest page number a Page button may ask for: a forged one is clamped, not queried.
_MAX_PAGE = 10_000


async def _drafts(
    newsroom: Newsroom, user_id: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    items, total = await queries.articles_page(
        newsroom.db, author_id=user_id, page=page, size=PAGE_SIZE
    )
    return drafts_page(items, total, page)


async def cmd_drafts(message: Message, newsroom: Newsroom) -> None:
    assert message.from_user is not None
    text, markup = await _drafts(newsroom, message.from_user.id, 0)
    await message.answer(text, reply_markup=markup)


async def cmd_queue(message: Message, newsroom: Newsroom) -> None:
    text, more = await newsroom.queue_text(0)
    await message.answer(text, reply_markup=pager("queue", 0, more))


async def on_page(query: CallbackQuery, callback_data: Page, newsroom: Newsroom) -> None:
    page = max(0, min(callback_data.page, _MAX_PAGE))
    if callback_data.listing == "queue":
        text, more = await newsroom.queue_text(page)
        markup = pager("queue", page, more)
    else:
        text, markup = await _drafts(newsroom, query.from_user.id, page)
    if query.message is not None:
        try:
            await newsroom.bot.edit_message_text(
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
                text=text,
                reply_markup=markup,
            )
        except TelegramBadRequest as exc:
            # The page shown already (a double tap, a forged page number clamped to the last
            # one): Telegram calls that an error, the reader sees nothing wrong.
            if not not_modified(exc):
                raise
    await query.answer()


async def cmd_show(
    message: Message, article: Article, newsroom: Newsroom, role: Role, settings: Settings
) -> None:
    await newsroom.show_draft(message.chat.id, article, can_publish=may_publish(role, settings))


async def cmd_history(message: Message, article: Article, newsroom: Newsroom) -> None:
    await message.answer(fit_lines(await newsroom.history_text(article)))


async def cmd_delete(message: Message, article: Article, newsroom: Newsroom) -> None:
    assert message.from_user is not None
    result = await newsroom.delete(article, actor_id=message.from_user.id)
    if result.outcome is Outcome.OK:
        await message.answer(_("Draft #{id} deleted.").format(id=article.id))
    else:
        await message.answer(outcome_text(result, article.id))


async def cmd_submit(message: Message, article: Article, newsroom: Newsroom) -> None:
    # In a group (the admin chat) the submission is the author's, not the sender's.
    user = message.from_user if message.chat.type == "private" else None
    result = await newsroom.submit(
        article,
        actor_id=user.id if user else article.author_id,
        author_name=user.full_name if user else "",
    )
    if result.outcome is Outcome.OK:
        await message.answer(_("Article #{id} is sent for review.").format(id=article.id))
    else:
        await message.answer(outcome_text(result, article.id))


# --- the buttons under a draft's preview ----------------------------------------------------


async def on_channels(query: CallbackQuery, article: Article, newsroom: Newsroom) -> None:
    await query.answer()
    await newsroom.bot.send_message(
        chat_of(query),
        _("Where should #{id} go? Tap to choose; none chosen means the default channel.").format(
            id=article.id
        ),
        reply_markup=await newsroom.channels_keyboard(article),
    )


async def on_channel_toggle(
    query: CallbackQuery, callback_data: DraftAction, article: Article, newsroom: Newsroom
) -> None:
    channel_id = parse_id(callback_data.arg)
    if channel_id is None or not await newsroom.toggle_channel(
        article, channel_id, actor_id=query.from_user.id
    ):
        await query.answer(_("This button is out of date or not for you."), show_alert=True)
        return
    await query.answer()
    assert query.message is not None
    # Unchanged marks (a double tap) are an error to Telegram and nothing to the editor.
    with contextlib.suppress(TelegramBadRequest):
        await newsroom.bot.edit_message_reply_markup(
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
            reply_markup=await newsroom.channels_keyboard(article),
        )


async def on_submit(query: CallbackQuery, article: Article, newsroom: Newsroom) -> None:
    result = await newsroom.submit(
        article, actor_id=query.from_user.id, author_name=query.from_user.full_name
    )
    if result.outcome is not Outcome.OK:
        await query.answer(outcome_text(result, article.id), show_alert=True)
        return
    await query.answer(_("Sent for review."))
    await newsroom.bot.send_message(
        chat_of(query), _("Article #{id} is sent for review.").format(id=article.id)
    )


async def on_publish(
    query: CallbackQuery, article: Article, newsroom: Newsroom, role: Role, settings: Settings
) -> None:
    await _publish(query, article, newsroom, role, settings, queue=False)


async def on_queue(
    query: CallbackQuery, article: Article, newsroom: Newsroom, role: Role, settings: Settings
) -> None:
    await _publish(query, article, newsroom, role, settings, queue=True)


async def _publish(
    query: CallbackQuery,
    article: Article,
    newsroom: Newsroom,
    role: Role,
    settings: Settings,
    *,
    queue: bool,
) -> None:
    if not may_publish(role, settings):
        await query.answer(_("Sorry, you may not do this."), show_alert=True)
        return
    result = await newsroom.publish(
        article.id,
        actor_id=query.from_user.id,
        actor_name=query.from_user.full_name,
        queue=queue,
    )
    if result.outcome is not Outcome.OK:
        await query.answer(outcome_text(result, article.id), show_alert=True)
        return
    await query.answer(_("Done."))
    await newsroom.bot.send_message(
        chat_of(query),
        _("Article #{id} will be published at {when}.").format(id=article.id, when=result.detail),
    )


async def on_delete(query: CallbackQuery, article: Article, newsroom: Newsroom) -> None:
    result = await newsroom.delete(article, actor_id=query.from_user.id)
    if result.outcome is not Outcome.OK:
        await query.answer(outcome_text(result, article.id), show_alert=True)
        return
    await query.answer(_("Deleted."))
    await newsroom.bot.send_message(
        chat_of(query), _("Draft #{id} deleted.").format(id=article.id)
    )


def setup() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.EDITOR))
    router.callback_query.filter(HasRole(Role.EDITOR))
    router.message.middleware(LoadArticle())
    router.callback_query.middleware(LoadArticle())
    article = {ARTICLE: ArticleArg()}

    command = router.message.register
    command(cmd_drafts, commands.DRAFTS.filter())
    command(cmd_show, commands.SHOW.filter(), flags=article)
    command(cmd_history, commands.HISTORY.filter(), flags=article)
    command(cmd_delete, commands.DELETE.filter(), flags=article)
    command(cmd_submit, commands.SUBMIT.filter(), flags=article)
    command(cmd_queue, commands.QUEUE.filter())

    button = router.callback_query.register
    button(on_page, Page.filter())
    button(on_channels, DraftAction.filter(F.action == "channels"), flags=article)
    button(on_channel_toggle, DraftAction.filter(F.action == "chan"), flags=article)
    button(on_submit, DraftAction.filter(F.action == "submit"), flags=article)
    button(on_publish, DraftAction.filter(F.action == "publish"), flags=article)
    button(on_queue, DraftAction.filter(F.action == "queue"), flags=article)
    button(on_delete, DraftAction.filter(F.action == "delete"), flags=article)
    return router
