"""Admins' decisions: review-card buttons and their command equivalents.

Every decision goes through ``bot.workflow`` (``review``, ``corrections``, ``flags``) as one
conditional status transition with its audit entry; this module only parses arguments and
answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, User
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy

from bot.callbacks import ReviewAction
from bot.domain import Article, ArticleStatus
from bot.roles import Role
from bot.texts import echo
from bot.timeparse import WhenError, format_local, parse_when
from bot.views import commands
from bot.views.commands import Command
from bot.views.replies import due_text, outcome_text, when_error_text
from bot.workflow import corrections, flags, queries, review
from bot.workflow.ports import Desk
from bot.workflow.results import DECIDABLE, Outcome, Result
from handlers.common import (
    ARTICLE,
    ArticleArg,
    alert,
    article_router,
    ask,
    on_actions,
    prompt,
    publish_by,
)

# A card's decisions are for an article in review.
_PENDING = (ArticleStatus.PENDING,)
# The longest rejection reason kept: it is quoted in the author's notice, on the review card
# and in the history, so a pasted essay must not crowd those out.
REASON_MAX = 1000


class ReviewInput(StatesGroup):
    when = State()
    reason = State()


def _sender(message: Message) -> User:
    assert message.from_user is not None  # the loader or the role filter saw a person
    return message.from_user


async def _answer_result(
    message: Message, desk: Desk, result: Result, article_id: int, ok: str
) -> None:
    if result.outcome is Outcome.OK:
        await message.answer(ok)
    else:
        await message.answer(outcome_text(result, article_id, desk.settings.tz))


def _refs_and_rest(words: str) -> tuple[list[str], str]:
    """``"tomorrow 09:00 @news"`` -> ``(["@news"], "tomorrow 09:00")``: channels may be named
    anywhere among the words."""
    refs = [w for w in words.split() if commands.CHANNEL_REF.fullmatch(w)]
    rest = " ".join(w for w in words.split() if not commands.CHANNEL_REF.fullmatch(w))
    return refs, rest


async def _publish(
    message: Message,
    desk: Desk,
    article_id: int,
    words: str,
    *,
    timed: bool = False,
    queue: bool = False,
    from_statuses: Sequence[ArticleStatus] = DECIDABLE,
) -> None:
    """Publish now, at the time in ``words`` (``timed``) or in the queue, as the sender.

    ``words``: what follows the article number (or a card's typed time), with any channels:
    /publish 12 @news @sport; ``from_statuses``: the statuses the article may be decided from;
    a time typed after a review card's button is for a pending article.
    """
    user = _sender(message)
    refs, when_text = _refs_and_rest(words)
    channel_ids, unknown = await queries.channels_by_ref(desk.db, refs)
    if unknown is not None:
        await message.answer(
            _("No such channel: {ref}. /channels lists them.").format(ref=echo(unknown))
        )
        return
    when = None
    if timed and (when := await _time_or_answer(message, desk, when_text)) is None:
        return
    result = await review.publish(
        desk,
        article_id,
        actor_id=user.id,
        actor_name=user.full_name,
        when=when,
        queue=queue,
        channel_ids=channel_ids or None,
        from_statuses=from_statuses,
    )
    done = _("#{id}: scheduled for {when}.").format(
        id=article_id, when=due_text(result, desk.settings.tz)
    )
    await _answer_result(message, desk, result, article_id, done)


async def _time_or_answer(message: Message, desk: Desk, text: str) -> datetime | None:
    """The time ``text`` names (09:00, +2h, tomorrow 09:00), or None once told why not."""
    try:
        return parse_when(text, now=desk.clock.now(), tz=desk.settings.tz)
    except WhenError as exc:
        await message.answer(when_error_text(exc))
        return None


async def _reject(message: Message, desk: Desk, article_id: int, raw: str) -> None:
    user = _sender(message)
    signed = "--sign" in raw
    reason = " ".join(raw.replace("--sign", " ").split())
    if not reason:
        await message.answer(_("Please give a reason."))
        return
    result = await review.reject(
        desk,
        article_id,
        actor_id=user.id,
        actor_name=user.full_name,
        reason=reason[:REASON_MAX],
        signed=signed,
    )
    await _answer_result(
        message, desk, result, article_id, _("#{id}: rejected.").format(id=article_id)
    )


# --- commands -------------------------------------------------------------------------------


async def cmd_publish(message: Message, article: Article, rest: str, desk: Desk) -> None:
    await _publish(message, desk, article.id, rest)


async def cmd_schedule(message: Message, article: Article, rest: str, desk: Desk) -> None:
    await _publish(message, desk, article.id, rest, timed=True)


async def cmd_queue_add(message: Message, article: Article, rest: str, desk: Desk) -> None:
    await _publish(message, desk, article.id, rest, queue=True)


async def cmd_unschedule(message: Message, article: Article, desk: Desk) -> None:
    result = await review.unschedule(desk, article.id, actor_id=_sender(message).id)
    await _answer_result(
        message, desk, result, article.id, _("#{id}: schedule cancelled.").format(id=article.id)
    )


async def cmd_reject(message: Message, article: Article, rest: str, desk: Desk) -> None:
    await _reject(message, desk, article.id, rest)


async def cmd_unpublish(message: Message, article: Article, desk: Desk) -> None:
    done = await corrections.unpublish(desk, article.id, actor_id=_sender(message).id)
    deleted, failed = done.deleted, done.failed
    if done.nothing:
        await message.answer(_("#{id} has no channel posts.").format(id=article.id))
    elif failed:
        await message.answer(
            _(
                "#{id}: {failed} message(s) could not be deleted. Telegram only lets bots "
                "delete channel posts for 48 hours: delete them by hand."
            ).format(id=article.id, failed=failed)
        )
    elif deleted:
        await message.answer(
            _("#{id}: the channel posts were deleted; the article is kept.").format(id=article.id)
        )
    else:
        await message.answer(_("#{id} has no channel posts.").format(id=article.id))


async def cmd_embargo(message: Message, article: Article, rest: str, desk: Desk) -> None:
    until = None
    if rest.strip().lower() not in commands.OFF_WORDS and (
        (until := await _time_or_answer(message, desk, rest)) is None
    ):
        return
    await flags.set_embargo(desk, article.id, until, actor_id=_sender(message).id)
    await message.answer(
        _("#{id}: embargo until {when}.").format(
            id=article.id, when=format_local(until, desk.settings.tz)
        )
        if until
        else _("#{id}: embargo lifted.").format(id=article.id)
    )


async def cmd_breaking(message: Message, article: Article, desk: Desk) -> None:
    await flags.mark_breaking(desk, article.id, actor_id=_sender(message).id)
    await message.answer(_("#{id} is breaking news: it jumps the queue.").format(id=article.id))


async def cmd_pause(message: Message, desk: Desk) -> None:
    await review.set_paused(desk, True, actor_id=_sender(message).id)
    await message.answer(_("⏸ Publishing is paused. /resume to restart."))


async def cmd_resume(message: Message, desk: Desk) -> None:
    await review.set_paused(desk, False, actor_id=_sender(message).id)
    await message.answer(_("▶️ Publishing resumed."))


# --- review card buttons and the questions they ask ---------------------------------------


async def on_publish(query: CallbackQuery, article: Article, desk: Desk) -> None:
    await _decide_now(query, article, desk, queue=False)


async def on_queue(query: CallbackQuery, article: Article, desk: Desk) -> None:
    await _decide_now(query, article, desk, queue=True)


async def _decide_now(query: CallbackQuery, article: Article, desk: Desk, *, queue: bool) -> None:
    result = await publish_by(query, desk, article, queue=queue, from_statuses=_PENDING)
    if result.outcome is Outcome.OK:
        await query.answer(_("Done."))
    else:
        await alert(query, outcome_text(result, article.id, desk.settings.tz))


async def on_schedule(query: CallbackQuery, article: Article, bot: Bot, state: FSMContext) -> None:
    question = _("When should #{id} go out? (e.g. 09:00, +2h, tomorrow 09:00; /cancel)")
    await prompt(
        query, bot, state, ReviewInput.when, question.format(id=article.id), article_id=article.id
    )


async def on_reject(query: CallbackQuery, article: Article, bot: Bot, state: FSMContext) -> None:
    question = _("Why is #{id} rejected? The author will see this (add --sign to sign it).")
    await prompt(
        query,
        bot,
        state,
        ReviewInput.reason,
        question.format(id=article.id),
        article_id=article.id,
    )


async def on_edit(query: CallbackQuery, article: Article, bot: Bot) -> None:
    how = _("Edit #{id} with /edit {id} FIELD VALUE; the card updates itself.")
    await ask(query, bot, how.format(id=article.id))


async def on_when(message: Message, state: FSMContext, desk: Desk) -> None:
    """The time asked for by a card's "Schedule": a wrong one is answered and asked again."""
    assert message.text is not None
    data = await state.get_data()
    # The time is read as /schedule reads it: without the channels named beside it.
    _refs, when_text = _refs_and_rest(message.text)
    if await _time_or_answer(message, desk, when_text) is None:
        return
    await state.clear()
    await _publish(
        message, desk, int(data["article_id"]), message.text, timed=True, from_statuses=_PENDING
    )


async def on_reason(message: Message, state: FSMContext, desk: Desk) -> None:
    assert message.text is not None
    data = await state.get_data()
    await state.clear()
    await _reject(message, desk, int(data["article_id"]), message.text)


def setup() -> Router:
    router = article_router(__name__, Role.ADMIN)

    register = router.message.register
    # The commands on "article N" (and as many words after it), with their usage.
    on_article: tuple[tuple[Callable[..., Awaitable[None]], Command, LazyProxy, int], ...] = (
        (cmd_publish, commands.PUBLISH, __("Usage: /publish N"), 0),
        (
            cmd_schedule,
            commands.SCHEDULE,
            __("Usage: /schedule N WHEN (e.g. /schedule 12 tomorrow 09:00)"),
            1,
        ),
        (cmd_queue_add, commands.QUEUE_ADD, __("Usage: /queue_add N"), 0),
        (cmd_unschedule, commands.UNSCHEDULE, __("Usage: /unschedule N"), 0),
        (cmd_reject, commands.REJECT, __("Usage: /reject N REASON (add --sign to sign it)"), 1),
        (cmd_unpublish, commands.UNPUBLISH, __("Usage: /unpublish N"), 0),
        (cmd_embargo, commands.EMBARGO, __("Usage: /embargo N WHEN, or /embargo N off"), 1),
        (cmd_breaking, commands.BREAKING, __("Usage: /breaking N"), 0),
    )
    for handler, command, usage, words in on_article:
        register(handler, command.filter(), flags={ARTICLE: ArticleArg(usage=usage, words=words)})
    register(cmd_pause, commands.PAUSE.filter())
    register(cmd_resume, commands.RESUME.filter())
    register(on_when, StateFilter(ReviewInput.when), F.text)
    register(on_reason, StateFilter(ReviewInput.reason), F.text)

    card = {ARTICLE: ArticleArg()}
    on_actions(router, ReviewAction, card, publish=on_publish, edit=on_edit)
    # Checked before asking for a time or a reason (the next message would be taken as one)
    # and before looking for a queue slot ("no free slot" for an article already decided).
    pending = {ARTICLE: ArticleArg(statuses=_PENDING)}
    on_actions(
        router, ReviewAction, pending, queue=on_queue, schedule=on_schedule, reject=on_reject
    )
    return router
