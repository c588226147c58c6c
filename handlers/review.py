"""Admins' decisions: review-card buttons and their command equivalents.

Every decision goes through ``Newsroom`` as one conditional status transition; this module only
parses arguments and answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.callbacks import HeldAction, ReviewAction
from bot.domain import ArticleStatus, PublicationStatus
from bot.newsroom import DECIDABLE, Newsroom, Outcome, Result
from bot.publishing import PublishingEngine
from bot.roles import HasRole, Role
from bot.texts import echo, quote
from bot.timeparse import WhenError, format_local, parse_when
from handlers.drafts import outcome_text, parse_id

_CHANNEL_REF = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{3,}|-100\d+)$")


class ReviewInput(StatesGroup):
    when = State()
    reason = State()


def id_and_rest(args: str | None) -> tuple[int | None, str]:
    """``"12 tomorrow 09:00"`` -> ``(12, "tomorrow 09:00")``; the id is None when malformed."""
    parts = (args or "").split(maxsplit=1)
    return (parse_id(parts[0]) if parts else None), (parts[1] if len(parts) > 1 else "")


def when_error_text(error: WhenError) -> str:
    return {
        "in_past": _("That time is already in the past."),
        "nonexistent": _("That local time does not exist (clocks change then)."),
    }.get(
        error.code,
        _(
            "I don't understand this time. Examples: 2026-11-28 09:00, 28.11 09:00, 09:00, "
            "+30m, +2h, +1d, tomorrow 09:00."
        ),
    )


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.ADMIN))
    router.callback_query.filter(HasRole(Role.ADMIN))

    async def answer_result(message: Message, result: Result, article_id: int, ok: str) -> None:
        if result.outcome is Outcome.OK:
            await message.answer(ok)
        else:
            await message.answer(outcome_text(result, article_id))

    async def do_publish(
        message: Message,
        newsroom: Newsroom,
        article_id: int,
        *,
        when_text: str | None = None,
        queue: bool = False,
        from_statuses: Sequence[ArticleStatus] = DECIDABLE,
    ) -> None:
        """Publish now, at ``when_text`` or in the queue, as the message's sender.

        ``from_statuses``: the statuses the article may be decided from; a time typed after a
        review card's button is for a pending article.
        """
        assert message.from_user is not None  # callers checked: commands come from people
        actor_id, actor_name = message.from_user.id, message.from_user.full_name
        # Channels may be named anywhere after the number: /publish 12 @news @sport
        words = (message.text or "").split()[2:]
        refs = [w for w in words if _CHANNEL_REF.match(w)]
        channel_ids: list[int] = []
        for ref in refs:
            async with newsroom.db.read() as uow:
                channel = await uow.channels.by_ref(ref)
            if channel is None:
                await message.answer(
                    _("No such channel: {ref}. /channels lists them.").format(ref=echo(ref))
                )
                return
            channel_ids.append(channel.id)
        when = None
        if when_text is not None:
            when_text = " ".join(w for w in when_text.split() if not _CHANNEL_REF.match(w))
            try:
                when = parse_when(when_text, now=newsroom.clock.now(), tz=newsroom.settings.tz)
            except WhenError as exc:
                await message.answer(when_error_text(exc))
                return
        result = await newsroom.publish(
            article_id,
            actor_id=actor_id,
            actor_name=actor_name,
            when=when,
            queue=queue,
            channel_ids=channel_ids or None,
            from_statuses=from_statuses,
        )
        await answer_result(
            message,
            result,
            article_id,
            _("#{id}: scheduled for {when}.").format(id=article_id, when=result.detail),
        )

    async def require_id(message: Message, args: str | None, usage: str) -> int | None:
        """The article number from the arguments, or None after answering with the usage."""
        article_id = parse_id(args)
        if article_id is None or message.from_user is None:
            await message.answer(usage)
            return None
        return article_id

    @router.message(Command("publish"))
    async def cmd_publish(message: Message, command: CommandObject, newsroom: Newsroom) -> None:
        article_id = await require_id(message, command.args, _("Usage: /publish N"))
        if article_id is None or message.from_user is None:
            return
        await do_publish(message, newsroom, article_id)

    @router.message(Command("schedule"))
    async def cmd_schedule(message: Message, command: CommandObject, newsroom: Newsroom) -> None:
        article_id, when_text = id_and_rest(command.args)
        if article_id is None or not when_text or message.from_user is None:
            await message.answer(_("Usage: /schedule N WHEN (e.g. /schedule 12 tomorrow 09:00)"))
            return
        await do_publish(message, newsroom, article_id, when_text=when_text)

    @router.message(Command("queue_add"))
    async def cmd_queue_add(message: Message, command: CommandObject, newsroom: Newsroom) -> None:
        article_id = await require_id(message, command.args, _("Usage: /queue_add N"))
        if article_id is None or message.from_user is None:
            return
        await do_publish(message, newsroom, article_id, queue=True)

    @router.message(Command("unschedule"))
    async def cmd_unschedule(message: Message, command: CommandObject, newsroom: Newsroom) -> None:
        article_id = await require_id(message, command.args, _("Usage: /unschedule N"))
        if article_id is None or message.from_user is None:
            return
        if await newsroom.get(article_id) is None:
            await message.answer(outcome_text(Result(Outcome.NOT_FOUND), article_id))
            return
        result = await newsroom.unschedule(article_id, actor_id=message.from_user.id)
        await answer_result(
            message, result, article_id, _("#{id}: schedule cancelled.").format(id=article_id)
        )

    @router.message(Command("reject"))
    async def cmd_reject(message: Message, command: CommandObject, newsroom: Newsroom) -> None:
        article_id, reason = id_and_rest(command.args)
        if article_id is None or not reason or message.from_user is None:
            await message.answer(_("Usage: /reject N REASON (add --sign to sign it)"))
            return
        await do_reject(message, newsroom, article_id, reason)

    async def do_reject(message: Message, newsroom: Newsroom, article_id: int, raw: str) -> None:
        assert message.from_user is not None
        signed = "--sign" in raw
        reason = " ".join(raw.replace("--sign", " ").split())
        if not reason:
            await message.answer(_("Please give a reason."))
            return
        result = await newsroom.reject(
            article_id,
            actor_id=message.from_user.id,
            actor_name=message.from_user.full_name,
            reason=reason[:1000],
            signed=signed,
        )
        await answer_result(
            message, result, article_id, _("#{id}: rejected.").format(id=article_id)
        )

    @router.message(Command("unpublish"))
    async def cmd_unpublish(message: Message, command: CommandObject, newsroom: Newsroom) -> None:
        article_id = await require_id(message, command.args, _("Usage: /unpublish N"))
        if article_id is None or message.from_user is None:
            return
        if await newsroom.get(article_id) is None:
            await message.answer(outcome_text(Result(Outcome.NOT_FOUND), article_id))
            return
        async with newsroom.db.read() as uow:
            pubs = await uow.publications.for_article(article_id)
        if not any(p.status is PublicationStatus.PUBLISHED for p in pubs):
            # Nothing to delete: say so without writing "unpublished" into the audit trail.
            await message.answer(_("#{id} has no channel posts.").format(id=article_id))
            return
        deleted, failed = await newsroom.unpublish(article_id, actor_id=message.from_user.id)
        if failed:
            await message.answer(
                _(
                    "#{id}: {failed} message(s) could not be deleted. Telegram only lets bots "
                    "delete channel posts for 48 hours: delete them by hand."
                ).format(id=article_id, failed=failed)
            )
        elif deleted:
            await message.answer(
                _("#{id}: the channel posts were deleted; the article is kept.").format(
                    id=article_id
                )
            )
        else:
            await message.answer(_("#{id} has no channel posts.").format(id=article_id))

    @router.message(Command("embargo"))
    async def cmd_embargo(message: Message, command: CommandObject, newsroom: Newsroom) -> None:
        article_id, when_text = id_and_rest(command.args)
        if article_id is None or not when_text:
            await message.answer(_("Usage: /embargo N WHEN, or /embargo N off"))
            return
        if await newsroom.get(article_id) is None:
            await message.answer(outcome_text(Result(Outcome.NOT_FOUND), article_id))
            return
        until = None
        if when_text.strip().lower() not in ("off", "нет", "-"):
            try:
                until = parse_when(when_text, now=newsroom.clock.now(), tz=newsroom.settings.tz)
            except WhenError as exc:
                await message.answer(when_error_text(exc))
                return
        async with newsroom.db.transaction() as uow:
            await uow.articles.set_embargo(article_id, until, now=newsroom.clock.now())
        newsroom.engine.wake()
        await message.answer(
            _("#{id}: embargo until {when}.").format(
                id=article_id, when=format_local(until, newsroom.settings.tz)
            )
            if until
            else _("#{id}: embargo lifted.").format(id=article_id)
        )

    @router.message(Command("breaking"))
    async def cmd_breaking(message: Message, command: CommandObject, newsroom: Newsroom) -> None:
        article_id = parse_id(command.args)
        if article_id is None:
            await message.answer(_("Usage: /breaking N"))
            return
        if await newsroom.get(article_id) is None:
            await message.answer(outcome_text(Result(Outcome.NOT_FOUND), article_id))
            return
        async with newsroom.db.transaction() as uow:
            await uow.articles.set_breaking(article_id, True, now=newsroom.clock.now())
        await message.answer(
            _("#{id} is breaking news: it jumps the queue.").format(id=article_id)
        )

    @router.message(Command("pause"))
    async def cmd_pause(message: Message, engine: PublishingEngine) -> None:
        await engine.set_paused(True)
        await message.answer(_("⏸ Publishing is paused. /resume to restart."))

    @router.message(Command("resume"))
    async def cmd_resume(message: Message, engine: PublishingEngine) -> None:
        await engine.set_paused(False)
        await message.answer(_("▶️ Publishing resumed."))

    # --- review card buttons -----------------------------------------------------------------

    @router.callback_query(ReviewAction.filter())
    async def on_review_button(
        query: CallbackQuery,
        callback_data: ReviewAction,
        newsroom: Newsroom,
        state: FSMContext,
    ) -> None:
        article_id = callback_data.article_id
        article = await newsroom.get(article_id)
        if article is None or query.message is None:
            await query.answer(
                outcome_text(Result(Outcome.NOT_FOUND), article_id), show_alert=True
            )
            return
        chat_id = query.message.chat.id
        action = callback_data.action
        name = query.from_user.full_name
        if (
            action in ("queue", "schedule", "reject")
            and article.status is not ArticleStatus.PENDING
        ):
            # A card's decisions are for an article in review. Checked before asking for a time
            # or a reason (the next message would be taken as one) and before looking for a
            # queue slot (which would answer "no free slot" for an article already decided).
            await query.answer(
                outcome_text(Result(Outcome.WRONG_STATE, article), article_id), show_alert=True
            )
            return
        if action in ("publish", "queue"):
            result = await newsroom.publish(
                article_id,
                actor_id=query.from_user.id,
                actor_name=name,
                queue=action == "queue",
                from_statuses=(ArticleStatus.PENDING,),
            )
            if result.outcome is Outcome.OK:
                await query.answer(_("Done."))
            else:
                await query.answer(outcome_text(result, article_id), show_alert=True)
        elif action == "schedule":
            await query.answer()
            # The prompt first: if it is lost, the admin's next message must not be taken as
            # an answer to a question they never saw.
            await newsroom.bot.send_message(
                chat_id,
                _("When should #{id} go out? (e.g. 09:00, +2h, tomorrow 09:00; /cancel)").format(
                    id=article_id
                ),
            )
            await state.set_state(ReviewInput.when)
            await state.update_data(article_id=article_id)
        elif action == "reject":
            await query.answer()
            await newsroom.bot.send_message(
                chat_id,
                _(
                    "Why is #{id} rejected? The author will see this (add --sign to sign it)."
                ).format(id=article_id),
            )
            await state.set_state(ReviewInput.reason)
            await state.update_data(article_id=article_id)
        elif action == "edit":
            await query.answer()
            await newsroom.bot.send_message(
                chat_id,
                _("Edit #{id} with /edit {id} FIELD VALUE; the card updates itself.").format(
                    id=article_id
                ),
            )
        else:
            await query.answer(_("This button is out of date or not for you."), show_alert=True)

    @router.message(StateFilter(ReviewInput.when), F.text)
    async def on_when(message: Message, state: FSMContext, newsroom: Newsroom) -> None:
        assert message.text is not None and message.from_user is not None
        data = await state.get_data()
        try:
            parse_when(message.text, now=newsroom.clock.now(), tz=newsroom.settings.tz)
        except WhenError as exc:
            await message.answer(when_error_text(exc))
            return
        await state.clear()
        await do_publish(
            message,
            newsroom,
            int(data["article_id"]),
            when_text=message.text,
            from_statuses=(ArticleStatus.PENDING,),
        )

    @router.message(StateFilter(ReviewInput.reason), F.text)
    async def on_reason(message: Message, state: FSMContext, newsroom: Newsroom) -> None:
        assert message.text is not None
        data = await state.get_data()
        await state.clear()
        await do_reject(message, newsroom, int(data["article_id"]), message.text)

    @router.callback_query(HeldAction.filter())
    async def on_held_button(
        query: CallbackQuery, callback_data: HeldAction, engine: PublishingEngine
    ) -> None:
        if callback_data.action == "cancel":
            now = engine.clock.now()
            async with engine.db.transaction() as uow:
                pub = await uow.publications.get(callback_data.publication_id)
                ok = pub is not None and await uow.publications.set_status(
                    callback_data.publication_id,
                    allowed_from=(PublicationStatus.HELD,),
                    to=PublicationStatus.CANCELLED,
                    now=now,
                )
                if ok and pub is not None:
                    await uow.audit.append(
                        now=now,
                        actor_id=query.from_user.id,
                        article_id=pub.article_id,
                        action="held_cancelled",
                        details={"publication": pub.id},
                    )
                    # Nothing else open: the article is no longer "scheduled".
                    others = await uow.publications.for_article(pub.article_id)
                    if not any(
                        p.status
                        in (
                            PublicationStatus.SCHEDULED,
                            PublicationStatus.PUBLISHING,
                            PublicationStatus.HELD,
                        )
                        for p in others
                    ):
                        await uow.articles.transition(
                            pub.article_id,
                            allowed_from=(ArticleStatus.SCHEDULED,),
                            to=ArticleStatus.APPROVED,
                            now=now,
                        )
        else:
            ok = await engine.resolve_held(
                callback_data.publication_id,
                sent=callback_data.action == "sent",
                actor_id=query.from_user.id,
            )
        if not ok:
            await query.answer(_("Already handled."), show_alert=True)
            return
        await query.answer(_("Done."))
        if query.message is not None:
            await engine.bot.edit_message_reply_markup(
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
                reply_markup=None,
            )
            await engine.bot.send_message(
                query.message.chat.id,
                _("{who}: {choice}").format(
                    who=quote(query.from_user.full_name),
                    choice={
                        "sent": _("it is in the channel"),
                        "resend": _("sent again"),
                        "cancel": _("cancelled"),
                    }.get(callback_data.action, callback_data.action),
                ),
            )

    return router
