"""Reader tips (issue 15): take a tip in, and the admins' decisions on it.

A tip is a message to a channel's direct messages (a plain one, or a suggested post), or one
sent to the bot's private chat by a person who is not staff (``READER_TIPS=on``). Nothing of it
reaches the channel without an admin's decision, and every decision is one conditional status
change with its audit entry (of two admins pressing at once exactly one wins):

- *take as draft*: the text through the normal parser into a draft attributed to the reader,
  which then goes through the normal review;
- *publish as suggested*: ``approveSuggestedPost`` (now, or at a time within Telegram's window);
- *decline*: ``declineSuggestedPost`` with an optional comment of at most 128 characters;
- *dismiss*: close a plain message or a private tip without a post;
- *reply*: a message back to the sender (in the direct messages topic); not a decision.

Telegram is reached through the :class:`SuggestedPosts` port: the workflow imports no aiogram.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, cast

from bot.domain import Article, ArticleContent, Channel
from bot.ingest.entities import keep_formatting
from bot.ingest.report import ParseReport, ParseWarning
from bot.ingest.text import parse_article_report
from bot.limits import TEXT_LIMIT
from bot.templates import template_for
from bot.tips import IncomingTip, Tip, TipKind, TipStatus
from bot.workflow.audit import record
from bot.workflow.drafts import create_in
from bot.workflow.ports import Desk
from bot.workflow.results import Outcome
from storage.db import Database
from storage.tips import TipRepo

# Telegram takes a send date "not more than 2678400 seconds (30 days)" ahead
# (https://core.telegram.org/bots/api#approvesuggestedpost); 2678400 s are 31 days, so the bot
# keeps to the 30 days it promises the admin and never meets Telegram's own refusal.
SUGGESTED_WINDOW = timedelta(days=30)
# declineSuggestedPost: "Comment for the creator of the suggested post; 0-128 characters".
DECLINE_COMMENT_MAX = 128
# A tip claimed for Telegram's answer longer ago than this was left by a process that died
# mid-request: another decision may take it (Telegram refuses a second approve or decline).
DECIDING_TIMEOUT = timedelta(minutes=10)
# The window of the per-sender limit (TIPS_PER_HOUR).
LIMIT_WINDOW = timedelta(hours=1)
# The template key of the channel setting ``/tips @channel on|off``.
TIPS_KEY = "reader_tips"
# The source of a draft taken from a tip, in the channel's language (as bot.compose labels it).
READER_SOURCE = {"ru": "Читатель", "en": "Reader"}
# Doubts the tip's attribution settles: its source is the reader, not a guess or a default.
_SOURCE_WARNINGS = (ParseWarning.NO_SOURCE, ParseWarning.SOURCE_CANDIDATES)


class SuggestedPosts(Protocol):
    """Telegram's side of the decisions; each returns None when done, else Telegram's refusal."""

    async def approve(self, tip: Tip, send_at: datetime | None) -> str | None: ...

    async def decline(self, tip: Tip, comment: str) -> str | None: ...

    async def reply(self, tip: Tip, text: str) -> str | None: ...


class Intake(StrEnum):
    """What became of a message offered as a tip."""

    STORED = "stored"
    EMPTY = "empty"  # nothing a tip can be made of (a sticker, a voice message, ...)
    TOO_LONG = "too_long"  # over TIP_MAX_CHARS
    LIMITED = "limited"  # over TIPS_PER_HOUR: tell the sender (the first time in the window)
    LIMITED_AGAIN = "limited_again"  # over the limit and told already
    DUPLICATE = "duplicate"  # the same message again (a redelivered update)


@dataclass(frozen=True, slots=True)
class Received:
    intake: Intake
    tip: Tip | None = None


@dataclass(frozen=True, slots=True)
class TipResult:
    outcome: Outcome
    tip: Tip | None = None
    # INVALID: "too_far" | "too_long" | "empty" | "not_suggested" | "telegram" (``error``)
    detail: str = ""
    article: Article | None = None  # the draft taken
    error: str = ""  # what Telegram answered when it refused

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK


def tips_enabled(channel: Channel) -> bool:
    return bool(channel.template.get(TIPS_KEY))


async def channel_for_tips(db: Database, channel_chat_id: int) -> Channel | None:
    """Our channel with this Telegram id, when its direct messages are taken as tips."""
    async with db.read() as uow:
        channel = await uow.channels.by_ref(str(channel_chat_id))
    return channel if channel is not None and tips_enabled(channel) else None


async def channel_of(db: Database, tip: Tip) -> Channel | None:
    """The channel a direct message or a suggested post was sent to (None: the tip box)."""
    if tip.channel_id is None:
        return None
    async with db.read() as uow:
        return await uow.channels.get(tip.channel_id)


async def get(db: Database, tip_id: int) -> Tip | None:
    async with db.read() as uow:
        return await uow.tips.get(tip_id)


async def receive(desk: Desk, incoming: IncomingTip) -> Received:
    """Take a message in as a tip, within the size and per-sender limits."""
    if not incoming.text.strip() and incoming.photo is None:
        return Received(Intake.EMPTY)
    if len(incoming.text) > desk.settings.tip_max_chars:
        return Received(Intake.TOO_LONG)
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        repo = uow.tips
        if await repo.by_message(incoming.chat_id, incoming.message_id) is not None:
            return Received(Intake.DUPLICATE)
        recent, told = await repo.count_since(incoming.sender_id, now - LIMIT_WINDOW)
        if recent >= desk.settings.tips_per_hour:
            if told:
                return Received(Intake.LIMITED_AGAIN)
            await repo.refusal(incoming, now=now)
            return Received(Intake.LIMITED)
        tip = await repo.add(incoming, now=now)
        if tip is None:
            return Received(Intake.DUPLICATE)
        await record(
            uow,
            "tip_received",
            now=now,
            actor_id=incoming.sender_id,
            tip=tip.id,
            kind=tip.kind.value,
            channel=tip.channel_id,
        )
    return Received(Intake.STORED, tip)


async def remember_card(desk: Desk, tip: Tip, chat_id: int, message_id: int) -> None:
    """Which admin-chat message shows the tip (edited in place when it is decided)."""
    async with desk.db.transaction() as uow:
        await uow.tips.set_card(tip.id, chat_id, message_id)


def _draft_content(
    desk: Desk, tip: Tip, now: datetime, language: str
) -> tuple[ArticleContent, ParseReport]:
    """The tip's text through the normal parser, attributed to the reader."""
    content, report = ArticleContent(), ParseReport()
    if tip.text.strip():
        content, report = parse_article_report(tip.text, tz=desk.settings.tz, now=now)
        content = keep_formatting(content, tip.text, tip.entities)
    # The outlet the copy names (a reader pasting a report) stays as the original source.
    content = replace(
        content,
        source_name=READER_SOURCE.get(language, READER_SOURCE["en"]),
        source_url="",
        original_source=content.source_name or content.original_source,
        photos=tip.photo or content.photos,
    )
    warnings = tuple(w for w in report.warnings if w not in _SOURCE_WARNINGS)
    return content, replace(report, warnings=warnings, source_candidates=())


async def take_as_draft(
    desk: Desk, tip_id: int, *, actor_id: int, actor_name: str, author_language: str
) -> TipResult:
    """A draft by the admin from the tip, attributed to the reader; it then goes to review."""
    now = desk.clock.now()
    async with desk.db.read() as uow:
        default = await uow.channels.default()
    language = template_for(default, desk.settings).language
    async with desk.db.transaction() as uow:
        repo = uow.tips
        tip = await repo.get(tip_id)
        if tip is None or tip.status is TipStatus.REFUSED:
            return TipResult(Outcome.NOT_FOUND)
        content, report = _draft_content(desk, tip, now, language)
        if not content.title and not content.body and not content.photos:
            return TipResult(Outcome.INVALID, tip, "empty")
        claimed = await _take(repo, tip_id, TipStatus.DRAFTED, actor_id, actor_name, now)
        if claimed is None:
            return TipResult(Outcome.WRONG_STATE, await repo.get(tip_id))
        created = await create_in(
            uow,
            content,
            author_id=actor_id,
            language=author_language,
            origin="tip",
            now=now,
            report=report,
        )
        await repo.set_article(tip_id, created.article.id)
        await record(
            uow,
            "tip_drafted",
            now=now,
            actor_id=actor_id,
            article_id=created.article.id,
            tip=tip_id,
            sender=tip.sender_id,
        )
        drafted = await repo.get(tip_id)
    return TipResult(Outcome.OK, drafted, article=created.article)


def approve_refused(tip: Tip, send_at: datetime | None, now: datetime) -> TipResult | None:
    """Why the tip cannot be published as suggested at ``send_at`` (None: it can)."""
    if tip.kind is not TipKind.SUGGESTED:
        return TipResult(Outcome.INVALID, tip, "not_suggested")
    if send_at is not None and send_at > now + SUGGESTED_WINDOW:
        return TipResult(Outcome.INVALID, tip, "too_far")
    return None


async def approve(
    desk: Desk,
    telegram: SuggestedPosts,
    tip_id: int,
    *,
    actor_id: int,
    actor_name: str,
    send_at: datetime | None = None,
) -> TipResult:
    """Publish a suggested post (``approveSuggestedPost``): now, or at ``send_at``."""
    now = desk.clock.now()
    tip = await get(desk.db, tip_id)
    if tip is None or tip.status is TipStatus.REFUSED:
        return TipResult(Outcome.NOT_FOUND)
    refused = approve_refused(tip, send_at, now)
    if refused is not None:
        return refused
    return await _decide_on_telegram(
        desk,
        tip,
        lambda claimed: telegram.approve(claimed, send_at),
        to=TipStatus.APPROVED,
        action="tip_approved",
        actor_id=actor_id,
        actor_name=actor_name,
        send_at=send_at or tip.proposed_at or now,
    )


async def decline(
    desk: Desk,
    telegram: SuggestedPosts,
    tip_id: int,
    *,
    actor_id: int,
    actor_name: str,
    comment: str = "",
) -> TipResult:
    """Decline a suggested post (``declineSuggestedPost``) with an optional comment."""
    tip = await get(desk.db, tip_id)
    if tip is None or tip.status is TipStatus.REFUSED:
        return TipResult(Outcome.NOT_FOUND)
    if tip.kind is not TipKind.SUGGESTED:
        return TipResult(Outcome.INVALID, tip, "not_suggested")
    if len(comment) > DECLINE_COMMENT_MAX:
        return TipResult(Outcome.INVALID, tip, "too_long")
    return await _decide_on_telegram(
        desk,
        tip,
        lambda claimed: telegram.decline(claimed, comment),
        to=TipStatus.DECLINED,
        action="tip_declined",
        actor_id=actor_id,
        actor_name=actor_name,
        comment=comment,
    )


async def _decide_on_telegram(
    desk: Desk,
    tip: Tip,
    call: _Call,
    *,
    to: TipStatus,
    action: str,
    actor_id: int,
    actor_name: str,
    **fields: Any,
) -> TipResult:
    """Claim the tip (NEW → DECIDING: the race is won here), ask Telegram, then record the
    outcome; a refusal puts the tip back to NEW so that it can be decided again."""
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        claimed = await _take(uow.tips, tip.id, TipStatus.DECIDING, actor_id, actor_name, now)
        if claimed is None:
            return TipResult(Outcome.WRONG_STATE, await uow.tips.get(tip.id))
    refusal = await call(claimed)
    async with desk.db.transaction() as uow:
        repo = uow.tips
        if refusal is not None:
            await repo.release(tip.id, actor_id)
            await record(
                uow, f"{action}_refused", now=now, actor_id=actor_id, tip=tip.id, error=refusal
            )
            return TipResult(Outcome.INVALID, await repo.get(tip.id), "telegram", error=refusal)
        decided = await repo.claim(
            tip.id,
            allowed_from=(TipStatus.DECIDING,),
            to=to,
            actor_id=actor_id,
            actor_name=actor_name,
            now=now,
            **fields,
        )
        details: dict[str, Any] = {
            k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()
        }
        await record(uow, action, now=now, actor_id=actor_id, tip=tip.id, **details)
    return TipResult(Outcome.OK, decided)


class _Call(Protocol):
    async def __call__(self, tip: Tip) -> str | None: ...


async def dismiss(desk: Desk, tip_id: int, *, actor_id: int, actor_name: str) -> TipResult:
    """Close a tip without a post and without telling Telegram (a plain message, a private
    tip: there is nothing to decline)."""
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        repo = uow.tips
        if await repo.get(tip_id) is None:
            return TipResult(Outcome.NOT_FOUND)
        dismissed = await _take(repo, tip_id, TipStatus.DISMISSED, actor_id, actor_name, now)
        if dismissed is None:
            return TipResult(Outcome.WRONG_STATE, await repo.get(tip_id))
        await record(uow, "tip_dismissed", now=now, actor_id=actor_id, tip=tip_id)
    return TipResult(Outcome.OK, dismissed)


async def reply(
    desk: Desk, telegram: SuggestedPosts, tip_id: int, *, actor_id: int, text: str
) -> TipResult:
    """A message back to the sender (in the direct messages topic, or the private chat)."""
    tip = await get(desk.db, tip_id)
    if tip is None or tip.status is TipStatus.REFUSED:
        return TipResult(Outcome.NOT_FOUND)
    if not text.strip() or len(text) > TEXT_LIMIT:
        return TipResult(Outcome.INVALID, tip, "reply_too_long" if text.strip() else "empty")
    refusal = await telegram.reply(tip, text)
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        if refusal is None:
            await uow.tips.count_reply(tip_id)
        await record(
            uow,
            "tip_replied" if refusal is None else "tip_reply_refused",
            now=now,
            actor_id=actor_id,
            tip=tip_id,
            text=text,
            **cast(dict[str, Any], {"error": refusal} if refusal else {}),
        )
    if refusal is not None:
        return TipResult(Outcome.INVALID, tip, "telegram", error=refusal)
    return TipResult(Outcome.OK, await get(desk.db, tip_id))


async def _take(
    repo: TipRepo, tip_id: int, to: TipStatus, actor_id: int, actor_name: str, now: datetime
) -> Tip | None:
    """A new tip moved to ``to`` by this admin, or None when another was first (or it was
    decided already); a tip left DECIDING by a crash counts as new again after the timeout."""
    return await repo.claim(
        tip_id,
        allowed_from=(TipStatus.NEW,),
        to=to,
        actor_id=actor_id,
        actor_name=actor_name,
        now=now,
        stale_before=now - DECIDING_TIMEOUT,
    )
