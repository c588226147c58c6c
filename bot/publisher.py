"""Sending posts, and the publishing engine (the outbox scheduler).

``send_post`` is the one code path that turns a composed ``Post`` into Bot API calls: the editor's
preview, the admin's review card and the channel all go through it, so what an editor previews
is byte for byte what the channel gets.

The engine is the only code that posts to channels. Guarantee (see README): a publication is
claimed (``scheduled -> publishing``) in one conditional UPDATE before the send, and marked
``published`` with its message ids after. A crash between the two leaves it in ``publishing``;
since the Bot API has no idempotency key we cannot know whether Telegram got it, so on start-up
such rows are *held* and an admin decides ("It is in the channel" / "Send it again"). Hence:
never sent twice without an admin choosing so, never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    LinkPreviewOptions,
    Message,
)

from bot.clock import Clock
from bot.compose import compose
from bot.config import Settings
from bot.domain import ArticleStatus, OutMessage, Post, PublicationStatus
from bot.retry import UnknownOutcomeError
from bot.templates import template_for
from bot.timeparse import in_quiet_hours, parse_quiet_hours
from storage.db import Database
from storage.rows import Article, Channel, Publication

log = logging.getLogger(__name__)

PAUSED_KEY = "publishing_paused"
_OPEN = (PublicationStatus.SCHEDULED, PublicationStatus.PUBLISHING, PublicationStatus.HELD)
_PHOTO_URL_ERRORS = ("wrong file identifier", "failed to get http url content", "wrong type")


# --- sending ------------------------------------------------------------------------------------


def _markup(
    message: OutMessage, extra: InlineKeyboardMarkup | None
) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    if message.buttons:
        rows.append([InlineKeyboardButton(text=b.text, url=b.url) for b in message.buttons])
    if extra is not None:
        rows.extend(extra.inline_keyboard)
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def _photo_input(ref: str, upload: bytes | None) -> str | BufferedInputFile:
    return BufferedInputFile(upload, filename="photo.jpg") if upload is not None else ref


async def send_post(
    bot: Bot,
    chat_id: int | str,
    post: Post,
    *,
    extra_markup: InlineKeyboardMarkup | None = None,
    silent: bool | None = None,
    upload: bytes | None = None,
) -> list[Message]:
    """Send every message of ``post`` in order; ``extra_markup`` goes on the last one that can
    carry buttons (albums cannot). ``upload`` replaces the first photo by uploaded bytes."""
    sent: list[Message] = []
    last = len(post.messages) - 1
    for index, message in enumerate(post.messages):
        markup = _markup(message, extra_markup if index == last else None)
        quiet = message.disable_notification if silent is None else silent
        if message.kind == "photo":
            sent.append(
                await bot.send_photo(
                    chat_id=chat_id,
                    photo=_photo_input(message.photos[0].ref, upload if index == 0 else None),
                    caption=message.html or None,
                    reply_markup=markup,
                    disable_notification=quiet,
                )
            )
        elif message.kind == "album":
            media = [
                InputMediaPhoto(
                    media=_photo_input(photo.ref, upload if (index, i) == (0, 0) else None),
                    caption=message.html if i == 0 and message.html else None,
                )
                for i, photo in enumerate(message.photos)
            ]
            sent.extend(
                await bot.send_media_group(
                    chat_id=chat_id, media=list(media), disable_notification=quiet
                )
            )
            if markup is not None and index == last and extra_markup is not None:
                # Albums cannot carry buttons: the actions go in a small message of their own.
                sent.append(
                    await bot.send_message(chat_id=chat_id, text="⬆️", reply_markup=extra_markup)
                )
        else:
            preview = (
                LinkPreviewOptions(
                    url=message.link_preview_url, prefer_large_media=True, show_above_text=True
                )
                if message.link_preview_url
                else LinkPreviewOptions(is_disabled=True)
            )
            sent.append(
                await bot.send_message(
                    chat_id=chat_id,
                    text=message.html,
                    reply_markup=markup,
                    disable_notification=quiet,
                    link_preview_options=preview,
                )
            )
    return sent


def _not_modified(exc: TelegramBadRequest) -> bool:
    return "message is not modified" in exc.message


async def update_post(
    bot: Bot,
    chat_id: int | str,
    message_ids: Sequence[int],
    post: Post,
    *,
    extra_markup: InlineKeyboardMarkup | None = None,
) -> list[int]:
    """Bring already sent messages in line with ``post`` (corrections, refreshed previews).

    Edits message by message; when the shape changed (a text became a photo, more or fewer
    messages) the old messages are deleted and the post is sent again. Returns the message ids.
    """
    shape_ok = len(message_ids) == len(post.messages) and all(
        m.kind in ("photo", "text") for m in post.messages
    )
    if shape_ok:
        try:
            last = len(post.messages) - 1
            for index, (message_id, message) in enumerate(
                zip(message_ids, post.messages, strict=True)
            ):
                markup = _markup(message, extra_markup if index == last else None)
                try:
                    if message.kind == "photo":
                        await bot.edit_message_media(
                            chat_id=chat_id,
                            message_id=message_id,
                            media=InputMediaPhoto(
                                media=message.photos[0].ref, caption=message.html or None
                            ),
                            reply_markup=markup,
                        )
                    else:
                        await bot.edit_message_text(
                            chat_id=chat_id,
                            message_id=message_id,
                            text=message.html,
                            reply_markup=markup,
                            link_preview_options=(
                                LinkPreviewOptions(
                                    url=message.link_preview_url,
                                    prefer_large_media=True,
                                    show_above_text=True,
                                )
                                if message.link_preview_url
                                else LinkPreviewOptions(is_disabled=True)
                            ),
                        )
                except TelegramBadRequest as exc:
                    if not _not_modified(exc):  # "not modified" means it already matches
                        raise
            return list(message_ids)
        except TelegramBadRequest as exc:
            log.info("in-place edit impossible (%s), sending again", exc.message)
    for message_id in message_ids:
        with contextlib.suppress(TelegramBadRequest):
            await bot.delete_message(chat_id=chat_id, message_id=message_id)
    sent = await send_post(bot, chat_id, post, extra_markup=extra_markup)
    return [m.message_id for m in sent]


def public_link(channel: Channel, message_id: int) -> str:
    """https://t.me/<username>/<id>, or the members-only t.me/c/<internal id>/<id> form."""
    if channel.username:
        return f"https://t.me/{channel.username}/{message_id}"
    chat_id = channel.chat_id
    if chat_id is None and channel.chat_ref.lstrip("-").isdigit():
        chat_id = int(channel.chat_ref)
    if chat_id is not None:
        internal = str(chat_id).removeprefix("-100").lstrip("-")
        return f"https://t.me/c/{internal}/{message_id}"
    return ""


# --- the engine ---------------------------------------------------------------------------------


class Notifier(Protocol):
    """What the engine tells the newsroom (texts, cards and languages live there)."""

    async def on_published(self, article: Article, pub: Publication, channel: Channel) -> None: ...

    async def on_failed(
        self, article: Article, pub: Publication, channel: Channel, reason: str, detail: str
    ) -> None: ...

    async def on_held(
        self, article: Article, pub: Publication, channel: Channel, reason: str
    ) -> None: ...


class PublishingEngine:
    """One task that sleeps until the earliest due publication, woken when the schedule changes.

    Each channel with due posts gets a worker that publishes them in order, so a channel throttled
    by its 20-a-minute limit does not hold the others back.
    """

    def __init__(self, *, settings: Settings, db: Database, bot: Bot, clock: Clock) -> None:
        self.settings = settings
        self.db = db
        self.bot = bot
        self.clock = clock
        self.notifier: Notifier | None = None
        self._wake = asyncio.Event()
        self._workers: dict[int, asyncio.Task[None]] = {}
        self.alive = False
        self.sent_count = 0

    def wake(self) -> None:
        self._wake.set()

    async def is_paused(self) -> bool:
        async with self.db.read() as uow:
            return await uow.state.get(PAUSED_KEY) == "1"

    async def set_paused(self, paused: bool) -> None:
        async with self.db.transaction() as uow:
            await uow.state.set(PAUSED_KEY, "1" if paused else "0")
        self.wake()

    async def recover_on_startup(self) -> None:
        """Hold what may or may not have been sent, and what was missed beyond the grace period."""
        now = self.clock.now()
        grace = timedelta(minutes=self.settings.missed_grace_minutes)
        held: list[tuple[Publication, str]] = []
        async with self.db.transaction() as uow:
            for pub in await uow.publications.with_status(PublicationStatus.PUBLISHING):
                if await uow.publications.set_status(
                    pub.id,
                    allowed_from=(PublicationStatus.PUBLISHING,),
                    to=PublicationStatus.HELD,
                    now=now,
                    error="unknown_outcome",
                ):
                    held.append((pub, "unknown_outcome"))
            for pub in await uow.publications.due(now=now - grace, limit=10_000):
                if await uow.publications.set_status(
                    pub.id,
                    allowed_from=(PublicationStatus.SCHEDULED,),
                    to=PublicationStatus.HELD,
                    now=now,
                    error="missed",
                ):
                    held.append((pub, "missed"))
            for pub, reason in held:
                await uow.audit.append(
                    now=now,
                    actor_id=None,
                    article_id=pub.article_id,
                    action="publication_held",
                    details={"publication": pub.id, "reason": reason},
                )
        for pub, reason in held:
            await self._notify_held(pub, reason)

    async def run(self) -> None:
        self.alive = True
        try:
            while True:
                self._wake.clear()
                delay = await self._dispatch_due()
                await self._sleep(delay)
        finally:
            self.alive = False
            for task in self._workers.values():
                task.cancel()
            for task in list(self._workers.values()):
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _dispatch_due(self) -> float | None:
        """Start workers for channels with due posts; return seconds until the next due one."""
        if await self.is_paused():
            return None
        now = self.clock.now()
        async with self.db.read() as uow:
            due = await uow.publications.due(now=now, limit=500)
            next_at = await uow.publications.next_due_at()
        for channel_id in dict.fromkeys(p.channel_id for p in due):
            if channel_id not in self._workers:
                task = asyncio.create_task(self._worker(channel_id), name=f"publish-{channel_id}")
                self._workers[channel_id] = task
        if next_at is None:
            return None
        delay = (next_at - now).total_seconds()
        if delay <= 0:
            # Due but its channel's worker is busy: it wakes us when it finishes.
            return None
        return delay

    async def _sleep(self, delay: float | None) -> None:
        tasks: set[asyncio.Task[Any]] = {asyncio.create_task(self._wake.wait())}
        if delay is not None:
            tasks.add(asyncio.create_task(self.clock.sleep(delay)))
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()

    async def _worker(self, channel_id: int) -> None:
        try:
            while not await self.is_paused():
                now = self.clock.now()
                async with self.db.read() as uow:
                    due = [
                        p
                        for p in await uow.publications.due(now=now, limit=500)
                        if p.channel_id == channel_id
                    ][:20]
                if not due:
                    break
                for pub in due:
                    if await self.is_paused():
                        break
                    await self.publish_one(pub.id)
        except Exception:
            log.exception("publishing worker for channel %s failed", channel_id)
        finally:
            self._workers.pop(channel_id, None)
            self.wake()

    async def publish_one(self, pub_id: int, *, force: bool = False) -> Publication | None:
        """Claim, send, record. ``force`` re-sends a held publication (an admin's choice)."""
        now = self.clock.now()
        async with self.db.transaction() as uow:
            pub = await uow.publications.get(pub_id)
            if pub is None:
                return None
            article = await uow.articles.get(pub.article_id)
            channel = await uow.channels.get(pub.channel_id)
            if article is None or channel is None:
                return None
            if article.embargo_until is not None and article.embargo_until > now:
                # The embargo wins over every action: move the due time, never send early.
                await uow.publications.set_status(
                    pub.id,
                    allowed_from=(PublicationStatus.SCHEDULED, PublicationStatus.HELD),
                    to=PublicationStatus.SCHEDULED,
                    now=now,
                    due_at=article.embargo_until,
                )
                self.wake()
                return None
            if force:
                ok = await uow.publications.set_status(
                    pub.id,
                    allowed_from=(PublicationStatus.HELD, PublicationStatus.FAILED),
                    to=PublicationStatus.PUBLISHING,
                    now=now,
                )
                claimed = await uow.publications.get(pub.id) if ok else None
            else:
                claimed = await uow.publications.claim(pub.id, now=now)
            if claimed is None:
                return None
        log.info("publishing article=%s publication=%s", article.id, claimed.id)
        template = template_for(channel, self.settings)
        post = compose(article.content, template)
        silent = claimed.silent or template.silent or self._quiet(channel, now)
        return await self._send(article, claimed, channel, post, silent)

    def _quiet(self, channel: Channel, now: datetime) -> bool:
        quiet = parse_quiet_hours(channel.quiet_hours) if channel.quiet_hours else None
        return in_quiet_hours(now, quiet, self.settings.tz)

    async def _send(
        self,
        article: Article,
        pub: Publication,
        channel: Channel,
        post: Post,
        silent: bool,
        upload: bytes | None = None,
    ) -> Publication | None:
        try:
            sent = await send_post(self.bot, channel.target, post, silent=silent, upload=upload)
        except TelegramRetryAfter as exc:
            # The session middleware already waited; still throttled: come back later.
            await self._retry_later(pub, f"retry_after {exc.retry_after}", exc.retry_after)
            return None
        except UnknownOutcomeError as exc:
            await self._hold(article, pub, channel, "unknown_outcome", str(exc))
            return None
        except TelegramBadRequest as exc:
            lowered = exc.message.lower()
            photo = post.messages[0].photos[0] if post.messages[0].photos else None
            if (
                upload is None
                and photo is not None
                and photo.is_url
                and any(marker in lowered for marker in _PHOTO_URL_ERRORS)
            ):
                data = await self._download(photo.ref)
                if data is not None:
                    return await self._send(article, pub, channel, post, silent, upload=data)
            await self._fail(article, pub, channel, "bad_request", exc.message)
            return None
        except TelegramForbiddenError as exc:
            await self._fail(article, pub, channel, "forbidden", exc.message)
            return None
        except (TelegramServerError, TelegramNetworkError, TelegramAPIError) as exc:
            await self._fail(article, pub, channel, "server_error", str(exc))
            return None
        now = self.clock.now()
        ids = [m.message_id for m in sent]
        link = public_link(channel, ids[0]) if ids else ""
        async with self.db.transaction() as uow:
            await uow.publications.finish(pub.id, message_ids=ids, link=link, now=now)
            remaining = [
                p
                for p in await uow.publications.for_article(article.id)
                if p.status
                in (
                    PublicationStatus.SCHEDULED,
                    PublicationStatus.PUBLISHING,
                    PublicationStatus.HELD,
                )
            ]
            if not remaining:
                await uow.articles.transition(
                    article.id,
                    allowed_from=(
                        ArticleStatus.APPROVED,
                        ArticleStatus.SCHEDULED,
                        ArticleStatus.PENDING,
                        ArticleStatus.DRAFT,
                    ),
                    to=ArticleStatus.PUBLISHED,
                    now=now,
                )
            await uow.audit.append(
                now=now,
                actor_id=None,
                article_id=article.id,
                action="published",
                details={"channel": channel.chat_ref, "message_ids": ids, "link": link},
            )
            done = await uow.publications.get(pub.id)
            fresh = await uow.articles.get(article.id)
        self.sent_count += 1
        if self.notifier is not None and done is not None and fresh is not None:
            await self.notifier.on_published(fresh, done, channel)
        return done

    async def _download(self, url: str) -> bytes | None:
        """Telegram could not fetch the photo URL: try once to fetch it ourselves and upload."""
        import aiohttp

        from bot.ingest.web import FetchError, safe_fetch

        try:
            async with aiohttp.ClientSession() as session:
                page = await safe_fetch(
                    session,
                    url,
                    allow_private=self.settings.allow_private_urls,
                    max_bytes=10_000_000,
                    accept=("image/",),
                )
        except (FetchError, aiohttp.ClientError, TimeoutError) as exc:
            log.info("photo download failed: %s", exc)
            return None
        return page.body

    async def _retry_later(self, pub: Publication, error: str, seconds: float) -> None:
        now = self.clock.now()
        async with self.db.transaction() as uow:
            await uow.publications.set_status(
                pub.id,
                allowed_from=(PublicationStatus.PUBLISHING,),
                to=PublicationStatus.SCHEDULED,
                now=now,
                error=error,
                due_at=now + timedelta(seconds=seconds),
            )
        self.wake()

    async def _fail(
        self, article: Article, pub: Publication, channel: Channel, reason: str, detail: str
    ) -> None:
        now = self.clock.now()
        log.warning("publication=%s failed: %s %s", pub.id, reason, detail)
        async with self.db.transaction() as uow:
            await uow.publications.set_status(
                pub.id,
                allowed_from=(PublicationStatus.PUBLISHING,),
                to=PublicationStatus.FAILED,
                now=now,
                error=f"{reason}: {detail}",
            )
            await uow.audit.append(
                now=now,
                actor_id=None,
                article_id=article.id,
                action="publication_failed",
                details={"channel": channel.chat_ref, "reason": reason, "detail": detail},
            )
            failed = await uow.publications.get(pub.id)
        if self.notifier is not None and failed is not None:
            await self.notifier.on_failed(article, failed, channel, reason, detail)

    async def _hold(
        self, article: Article, pub: Publication, channel: Channel, reason: str, detail: str
    ) -> None:
        now = self.clock.now()
        async with self.db.transaction() as uow:
            await uow.publications.set_status(
                pub.id,
                allowed_from=(PublicationStatus.PUBLISHING,),
                to=PublicationStatus.HELD,
                now=now,
                error=f"{reason}: {detail}",
            )
            await uow.audit.append(
                now=now,
                actor_id=None,
                article_id=article.id,
                action="publication_held",
                details={"publication": pub.id, "reason": reason},
            )
        await self._notify_held(pub, reason)

    async def _notify_held(self, pub: Publication, reason: str) -> None:
        if self.notifier is None:
            return
        async with self.db.read() as uow:
            article = await uow.articles.get(pub.article_id)
            channel = await uow.channels.get(pub.channel_id)
            fresh = await uow.publications.get(pub.id)
        if article is not None and channel is not None and fresh is not None:
            await self.notifier.on_held(article, fresh, channel, reason)

    async def resolve_held(self, pub_id: int, *, sent: bool, actor_id: int) -> bool:
        """An admin's answer for a held publication: it is in the channel, or send it again."""
        now = self.clock.now()
        if sent:
            async with self.db.transaction() as uow:
                ok = await uow.publications.finish(pub_id, message_ids=[], link="", now=now)
                pub = await uow.publications.get(pub_id)
                if ok and pub is not None:
                    await uow.articles.transition(
                        pub.article_id,
                        allowed_from=(ArticleStatus.APPROVED, ArticleStatus.SCHEDULED),
                        to=ArticleStatus.PUBLISHED,
                        now=now,
                    )
                    await uow.audit.append(
                        now=now,
                        actor_id=actor_id,
                        article_id=pub.article_id,
                        action="held_confirmed_sent",
                        details={"publication": pub_id},
                    )
            return ok
        async with self.db.transaction() as uow:
            pub = await uow.publications.get(pub_id)
            if pub is None or pub.status is not PublicationStatus.HELD:
                return False
            await uow.audit.append(
                now=now,
                actor_id=actor_id,
                article_id=pub.article_id,
                action="held_resend",
                details={"publication": pub_id},
            )
        return await self.publish_one(pub_id, force=True) is not None
