"""Editors' drafts: list, show, history, submit, delete, the queue, and the draft's buttons.

Changing a draft's fields is in ``handlers.editing``, writing one from scratch in
``handlers.new_article``.
"""

from __future__ import annotations

import contextlib

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import DraftAction, Page
from bot.config import Settings
from bot.domain import Article
from bot.presenters.cards import Cards
from bot.roles import Role
from bot.telegram.send import not_modified
from bot.views import commands, keyboards
from bot.views import queue as queue_view
from bot.views.pages import PAGE_SIZE, drafts_page, pager
from bot.views.replies import due_text, fit_lines, outcome_text
from bot.workflow import drafts, queries
from bot.workflow.ports import Desk
from bot.workflow.results import Outcome
from handlers.common import (
    ARTICLE,
    MAY_NOT,
    STALE_BUTTON,
    ArticleArg,
    alert,
    article_router,
    ask,
    chat_of,
    may_publish,
    on_actions,
    parse_id,
    publish_by,
)

# The biggest page number a Page button may ask for: a forged one is clamped, not queried.
_MAX_PAGE = 10_000


async def _drafts(desk: Desk, user_id: int, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    items, total = await queries.articles_page(
        desk.db, author_id=user_id, page=page, size=PAGE_SIZE
    )
    return drafts_page(items, total, page)


async def _queue(desk: Desk, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the queue (pending review, then what is still to go out), with its pager."""
    found = await queries.queue_page(desk.db, page)
    return queue_view.queue_text(found, desk.settings.tz), pager("queue", page, found.more)


async def cmd_drafts(message: Message, desk: Desk) -> None:
    assert message.from_user is not None
    text, markup = await _drafts(desk, message.from_user.id, 0)
    await message.answer(text, reply_markup=markup)


async def cmd_queue(message: Message, desk: Desk, bot: Bot) -> None:
    text, markup = await _queue(desk, 0)
    me = await bot.me()
    markup = queue_view.calendar_button(
        markup,
        url=desk.settings.web_app_url,
        bot_username=me.username or "",
        private=message.chat.type == "private",
    )
    await message.answer(text, reply_markup=markup)


async def on_page(query: CallbackQuery, callback_data: Page, desk: Desk, bot: Bot) -> None:
    page = max(0, min(callback_data.page, _MAX_PAGE))
    if callback_data.listing == "queue":
        text, markup = await _queue(desk, page)
    else:
        text, markup = await _drafts(desk, query.from_user.id, page)
    if query.message is not None:
        try:
            await bot.edit_message_text(
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
    message: Message, article: Article, cards: Cards, role: Role, settings: Settings
) -> None:
    await cards.show_draft(message.chat.id, article, can_publish=may_publish(role, settings))


async def cmd_history(message: Message, article: Article, desk: Desk) -> None:
    entries = await queries.history(desk.db, article.id)
    await message.answer(fit_lines(queue_view.history_text(article.id, entries, desk.settings.tz)))


async def cmd_delete(message: Message, article: Article, desk: Desk) -> None:
    assert message.from_user is not None
    result = await drafts.delete(desk, article, actor_id=message.from_user.id)
    if result.outcome is Outcome.OK:
        await message.answer(_("Draft #{id} deleted.").format(id=article.id))
    else:
        await message.answer(outcome_text(result, article.id, desk.settings.tz))


async def cmd_submit(message: Message, article: Article, desk: Desk) -> None:
    # In a group (the admin chat) the submission is the author's, not the sender's.
    user = message.from_user if message.chat.type == "private" else None
    result = await drafts.submit(
        desk,
        article,
        actor_id=user.id if user else article.author_id,
        author_name=user.full_name if user else "",
    )
    if result.outcome is Outcome.OK:
        await message.answer(_("Article #{id} is sent for review.").format(id=article.id))
    else:
        await message.answer(outcome_text(result, article.id, desk.settings.tz))


# --- the buttons under a draft's preview ----------------------------------------------------


async def _channels_keyboard(desk: Desk, article: Article) -> InlineKeyboardMarkup:
    choice = await queries.channel_choice(desk.db, article.id)
    return keyboards.channels_keyboard(article.id, choice.channels, choice.chosen)


async def on_channels(query: CallbackQuery, article: Article, desk: Desk, bot: Bot) -> None:
    question = _("Where should #{id} go? Tap to choose; none chosen means the default channel.")
    markup = await _channels_keyboard(desk, article)
    await ask(query, bot, question.format(id=article.id), markup)


async def on_channel_toggle(
    query: CallbackQuery, callback_data: DraftAction, article: Article, desk: Desk, bot: Bot
) -> None:
    channel_id = parse_id(callback_data.arg)
    if channel_id is None or not await drafts.toggle_channel(
        desk, article, channel_id, actor_id=query.from_user.id
    ):
        await alert(query, STALE_BUTTON)
        return
    await query.answer()
    assert query.message is not None
    # Unchanged marks (a double tap) are an error to Telegram and nothing to the editor.
    with contextlib.suppress(TelegramBadRequest):
        await bot.edit_message_reply_markup(
            chat_id=query.message.chat.id,
            message_id=query.message.message_id,
            reply_markup=await _channels_keyboard(desk, article),
        )


async def on_submit(query: CallbackQuery, article: Article, desk: Desk, bot: Bot) -> None:
    result = await drafts.submit(
        desk, article, actor_id=query.from_user.id, author_name=query.from_user.full_name
    )
    if result.outcome is not Outcome.OK:
        await alert(query, outcome_text(result, article.id, desk.settings.tz))
        return
    await query.answer(_("Sent for review."))
    await bot.send_message(
        chat_of(query), _("Article #{id} is sent for review.").format(id=article.id)
    )


async def on_publish(
    query: CallbackQuery, article: Article, desk: Desk, bot: Bot, role: Role
) -> None:
    await _publish(query, article, desk, bot, role, queue=False)


async def on_queue(
    query: CallbackQuery, article: Article, desk: Desk, bot: Bot, role: Role
) -> None:
    await _publish(query, article, desk, bot, role, queue=True)


async def _publish(
    query: CallbackQuery, article: Article, desk: Desk, bot: Bot, role: Role, *, queue: bool
) -> None:
    if not may_publish(role, desk.settings):
        await alert(query, MAY_NOT)
        return
    result = await publish_by(query, desk, article, queue=queue)
    tz = desk.settings.tz
    if result.outcome is not Outcome.OK:
        await alert(query, outcome_text(result, article.id, tz))
        return
    await query.answer(_("Done."))
    await bot.send_message(
        chat_of(query),
        _("Article #{id} will be published at {when}.").format(
            id=article.id, when=due_text(result, tz)
        ),
    )


async def on_delete(query: CallbackQuery, article: Article, desk: Desk, bot: Bot) -> None:
    result = await drafts.delete(desk, article, actor_id=query.from_user.id)
    if result.outcome is not Outcome.OK:
        await alert(query, outcome_text(result, article.id, desk.settings.tz))
        return
    await query.answer(_("Deleted."))
    await bot.send_message(chat_of(query), _("Draft #{id} deleted.").format(id=article.id))


def setup() -> Router:
    router = article_router(__name__, Role.EDITOR)
    article = {ARTICLE: ArticleArg()}

    command = router.message.register
    command(cmd_drafts, commands.DRAFTS.filter())
    command(cmd_show, commands.SHOW.filter(), flags=article)
    command(cmd_history, commands.HISTORY.filter(), flags=article)
    command(cmd_delete, commands.DELETE.filter(), flags=article)
    command(cmd_submit, commands.SUBMIT.filter(), flags=article)
    command(cmd_queue, commands.QUEUE.filter())

    router.callback_query.register(on_page, Page.filter())
    on_actions(router, DraftAction, article, channels=on_channels, chan=on_channel_toggle)
    on_actions(router, DraftAction, article, submit=on_submit, delete=on_delete)
    on_actions(router, DraftAction, article, publish=on_publish, queue=on_queue)
    return router
