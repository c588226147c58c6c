"""Sending posts, and the publishing engine (the outbox scheduler).

``send_post`` is the one code path that turns a composed ``Post`` into Bot API calls: the editor's
preview, the admin's review card and the channel all go through it, so what an editor previews
is byte for byte what the channel gets.

The engine is the only code that posts to channels. Guarantee (see README): a publication is
claimed (``scheduled -> publishing``) in one conditional UPDATE before the send, and marked
``published`` with its message ids after. A crash between the two leaves it in ``publishing``;
since the Bot API has no idempotency key we cannot know whether Telegram got it, so on start-up
such rows are *held* and an admin decides ("It is in the channel" / "Send it again"). Hence:
never sent twice without an admin choosing so, never lost. The same holds at run time when the
session middleware reports an unknown outcome (the connection died after the request left).

Two details keep that promise for posts of several messages and for the admins' cards:
``failed`` and "retry later" mean *not in the channel* (parts already sent are deleted first),
and every held publication gets its card again at each start-up, so a card lost in a crash is
asked again rather than forgotten. ``tests/test_crash.py`` SIGKILLs the bot at random points to
check all of this.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
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
from bot.domain import (
    Article,
    ArticleStatus,
    Channel,
    OutMessage,
    Post,
    Publication,
    PublicationStatus,
)
from bot.retry import SendTracker, UnknownOutcomeError, track
from bot.templates import template_for
from bot.timeparse import in_quiet_hours, parse_quiet_hours
from storage.db import Database, StorageError, UnitOfWork

log = logging.getLogger(__name__)

PAUSED_KEY = "publishing_paused"
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
    progress: list[Message] | None = None,
) -> list[Message]:
    """Send every message of ``post`` in order; ``extra_markup`` goes on the last one that can
    carry buttons (albums cannot). ``upload`` replaces the first photo by uploaded bytes.

    ``progress``, when given, receives each message as soon as Telegram confirms it: if a later
    message of a multi-message post fails, the caller still knows which ones are in the chat
    (and can delete them, or keep their ids) instead of losing them with the exception.
    """
    sent: list[Message] = progress if progress is not None else []
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
    return list(sent)


def not_modified(exc: TelegramBadRequest) -> bool:
    """Telegram's 400 for an edit that changes nothing: the message already is as wanted."""
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
                    if not not_modified(exc):  # "not modified" means it already matches
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

#: Longest single sleep of the scheduler. Due times are wall-clock instants but sleeps are
#: monotonic, so a wall-clock step (NTP, a VM resumed) would otherwise go unnoticed until the
#: next wake-up; re-reading the schedule every few minutes bounds that error at no real cost.
MAX_SLEEP_SECONDS = 300.0
#: Pause after an unexpected error (database locked, a bug) before trying again, so a lasting
#: fault is logged every few seconds instead of spinning.
ERROR_BACKOFF_SECONDS = 5.0
#: Wait before asking again about a held publication whose card did not reach the admin chat.
HELD_CARD_RETRY_SECONDS = 60.0
#: Due publications a channel worker takes per query (it queries again when done).
WORKER_BATCH = 20
#: Image types accepted when we download a photo Telegram could not fetch (exact media types:
#: ``safe_fetch`` compares them literally).
_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")

_Notice = Callable[["Notifier"], Awaitable[None]]


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
    by its 20-a-minute limit does not hold the others back. The scheduler only sleeps towards
    channels that have no worker: a busy channel's worker picks up what falls due while it runs
    and wakes the scheduler when it stops.

    Notifications (published, failed, held cards) go through a queue drained by a task of their
    own: the admin chat is limited to 20 messages a minute like any group, and a worker waiting
    on it would slow every channel down to that rate.
    """

    def __init__(self, *, settings: Settings, db: Database, bot: Bot, clock: Clock) -> None:
        self.settings = settings
        self.db = db
        self.bot = bot
        self.clock = clock
        self.notifier: Notifier | None = None
        self._wake = asyncio.Event()
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._notices: deque[_Notice] = deque()
        self._notice_task: asyncio.Task[None] | None = None
        # Held publications whose card did not reach the admin chat, asked again a little later
        # (a held publication is only ever resolved by an admin: it must not go unasked).
        self._unasked: dict[int, tuple[Publication, str]] = {}
        self._ask_timer: asyncio.Task[None] | None = None
        self.alive = False
        self.sent_count = 0
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def is_paused(self) -> bool:
        async with self.db.read() as uow:
            return await uow.state.get(PAUSED_KEY) == "1"

    async def set_paused(self, paused: bool) -> None:
        async with self.db.transaction() as uow:
            await uow.state.set(PAUSED_KEY, "1" if paused else "0")
        self.wake()

    async def shutdown(self, grace: float) -> None:
        """Stop claiming publications and give the ones being sent ``grace`` seconds to finish.

        The caller then cancels :meth:`run`, which cancels what is left: a publication still
        waiting (for a rate limit, a retry_after, a backoff) returns to the schedule, one whose
        request is on the wire is held for an admin (see :meth:`_interrupted`). ``grace`` is
        wall-clock time even under a fake clock: it bounds how long a stop may take.
        """
        self._stopping = True
        self._wake.set()
        workers = [w for w in self._workers.values() if not w.done()]
        if workers and grace > 0:
            log.info("shutting down: waiting up to %ss for %d send(s)", grace, len(workers))
            await asyncio.wait(workers, timeout=grace)

    # --- start-up ---------------------------------------------------------------------------

    async def recover_on_startup(self) -> None:
        """Hold what may or may not have been sent, and what was missed beyond the grace period.

        Every held publication then gets a card, including ones held before this start: the
        card of a publication held just before a crash may never have gone out, and a held
        publication is only resolved by an admin, so asking again after a restart is the way to
        make sure someone is asked at least once.
        """
        now = self.clock.now()
        grace = timedelta(minutes=self.settings.missed_grace_minutes)
        async with self.db.transaction() as uow:
            for pub in await uow.publications.with_status(PublicationStatus.PUBLISHING):
                await self._mark_held(uow, pub, "unknown_outcome", "the bot stopped mid-send", now)
            while missed := await uow.publications.due(now=now - grace, limit=500):
                changed = False
                for pub in missed:
                    late = int((now - pub.due_at).total_seconds() // 60)
                    changed |= await self._mark_held(uow, pub, "missed", f"{late} min late", now)
                if not changed:  # cannot happen inside one transaction; never spin regardless
                    break
            held = await uow.publications.with_status(PublicationStatus.HELD)
        for pub in held:
            reason = pub.last_error.split(":", 1)[0] or "unknown_outcome"
            self._queue_held(pub, reason)

    async def _mark_held(
        self, uow: UnitOfWork, pub: Publication, reason: str, detail: str, now: datetime
    ) -> bool:
        ok = await uow.publications.set_status(
            pub.id,
            allowed_from=(pub.status,),
            to=PublicationStatus.HELD,
            now=now,
            error=f"{reason}: {detail}",
        )
        if ok:
            await uow.audit.append(
                now=now,
                actor_id=None,
                article_id=pub.article_id,
                action="publication_held",
                details={"publication": pub.id, "reason": reason, "detail": detail},
            )
        return ok

    # --- the scheduler ----------------------------------------------------------------------

    async def run(self) -> None:
        self.alive = True
        try:
            while True:
                self._wake.clear()
                try:
                    delay = await self._dispatch_due()
                except StorageError as exc:
                    log.warning("publishing scheduler waits: %s", exc)
                    delay = ERROR_BACKOFF_SECONDS
                except Exception:
                    # The scheduler must outlive a locked database or a bug in one row: log,
                    # back off, look again.
                    log.exception("publishing scheduler failed; retrying")
                    delay = ERROR_BACKOFF_SECONDS
                await self._sleep(delay)
        finally:
            self.alive = False
            tasks = [*self._workers.values()]
            if self._notice_task is not None:
                tasks.append(self._notice_task)
            if self._ask_timer is not None:
                tasks.append(self._ask_timer)
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self._workers.clear()

    async def _dispatch_due(self) -> float | None:
        """Start workers for idle channels with due posts; return seconds until the next due
        post of an idle channel (None: nothing to wait for but a wake-up)."""
        if self._unasked and (self._ask_timer is None or self._ask_timer.done()):
            unasked, self._unasked = list(self._unasked.values()), {}
            for pub, reason in unasked:
                self._queue_held(pub, reason)
        if self._stopping or await self.is_paused():
            return None
        async with self.db.read() as uow:
            heads = await uow.publications.next_due_by_channel()
        # Read the clock after the query: the time it took is not slept on top.
        now = self.clock.now()
        delay: float | None = None
        for channel_id, due_at in heads.items():
            if channel_id in self._workers:
                continue  # its worker takes what falls due and wakes us when it stops
            wait = (due_at - now).total_seconds()
            if wait <= 0:
                self._workers[channel_id] = asyncio.create_task(
                    self._worker(channel_id), name=f"publish-{channel_id}"
                )
            elif delay is None or wait < delay:
                delay = wait
        return None if delay is None else min(delay, MAX_SLEEP_SECONDS)

    async def _sleep(self, delay: float | None) -> None:
        tasks: set[asyncio.Task[Any]] = {asyncio.create_task(self._wake.wait())}
        if delay is not None:
            # An absolute deadline: the sleeping task starts a loop turn later, and that turn
            # must not push the wake-up back.
            deadline = self.clock.monotonic() + delay
            tasks.add(asyncio.create_task(self._sleep_until(deadline)))
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()

    async def _sleep_until(self, deadline: float) -> None:
        await self.clock.sleep(deadline - self.clock.monotonic())

    async def _worker(self, channel_id: int) -> None:
        try:
            while not self._stopping:
                async with self.db.read() as uow:
                    if await uow.state.get(PAUSED_KEY) == "1":
                        break
                    due = await uow.publications.due_in_channel(
                        channel_id, now=self.clock.now(), limit=WORKER_BATCH
                    )
                if not due:
                    break
                for pub_id in due:
                    await self.publish_one(pub_id)
        except StorageError as exc:
            # The database's fault (locked, read-only, full), not a bug: one line, no traceback.
            log.warning(
                "publishing in channel %s waits: %s; retrying in %ss",
                channel_id,
                exc,
                ERROR_BACKOFF_SECONDS,
            )
            await self.clock.sleep(ERROR_BACKOFF_SECONDS)
        except Exception:
            log.exception("publishing worker for channel %s failed", channel_id)
            # Stay registered while backing off, or the scheduler would restart us at once.
            await self.clock.sleep(ERROR_BACKOFF_SECONDS)
        finally:
            self._workers.pop(channel_id, None)
            self.wake()

    # --- one publication --------------------------------------------------------------------

    async def publish_one(self, pub_id: int, *, force: bool = False) -> Publication | None:
        """Claim, send, record; return the publication as it ended (published, failed, held,
        or rescheduled), or None when there was nothing to do (not due, already claimed,
        publishing paused). ``force`` re-sends a held publication: an admin's choice."""
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
                moved = await uow.publications.set_status(
                    pub.id,
                    allowed_from=(PublicationStatus.SCHEDULED, PublicationStatus.HELD),
                    to=PublicationStatus.SCHEDULED,
                    now=now,
                    due_at=article.embargo_until,
                )
                self.wake()
                return await uow.publications.get(pub.id) if moved else None
            if force:
                ok = await uow.publications.set_status(
                    pub.id,
                    allowed_from=(PublicationStatus.HELD,),
                    to=PublicationStatus.PUBLISHING,
                    now=now,
                )
                claimed = await uow.publications.get(pub.id) if ok else None
            elif self._stopping or await uow.state.get(PAUSED_KEY) == "1":
                # Checked in the claiming transaction: once /pause has committed, no new send
                # starts (one already on the wire still completes). The same on shutdown.
                return None
            else:
                claimed = await uow.publications.claim(pub.id, now=now)
            if claimed is None:
                return None
            if claimed.message_ids:
                await uow.publications.set_message_ids(claimed.id, [])
        log.info("publishing article=%s publication=%s", article.id, claimed.id)
        if claimed.message_ids:
            # A resend after a partly known outcome: the parts known to be in the channel go
            # first, so "Send it again" gives one whole post rather than a torn duplicate.
            await self._delete_quietly(channel, claimed.message_ids)
        try:
            template = template_for(channel, self.settings)
            post = compose(article.content, template)
        except Exception as exc:
            # Nothing was sent: say so now rather than leave the row looking "in flight".
            log.exception("cannot compose publication=%s", claimed.id)
            return await self._fail(article, claimed, channel, "compose_error", str(exc), [])
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
        progress: list[Message] = []
        tracker = SendTracker()
        try:
            with track(tracker):
                await send_post(
                    self.bot, channel.target, post, silent=silent, upload=upload, progress=progress
                )
        except asyncio.CancelledError:
            # Shut down past the grace period. Record what happened before going: finishing
            # the bookkeeping is what keeps "exactly once" true across the restart.
            await asyncio.shield(self._interrupted(article, pub, channel, progress, tracker))
            raise
        except UnknownOutcomeError as exc:
            # The request may have been carried out: never resend on our own.
            return await self._hold(article, pub, channel, "unknown_outcome", str(exc), progress)
        except TelegramRetryAfter as exc:
            # The session middleware already waited as told; still throttled: come back later.
            return await self._retry_later(pub, channel, exc.retry_after, progress)
        except TelegramBadRequest as exc:
            photo = post.messages[0].photos[0] if post.messages[0].photos else None
            if (
                upload is None
                and not progress
                and photo is not None
                and photo.is_url
                and any(marker in exc.message.lower() for marker in _PHOTO_URL_ERRORS)
            ):
                data = await self._download(photo.ref)
                if data is not None:
                    return await self._send(article, pub, channel, post, silent, upload=data)
            return await self._fail(article, pub, channel, "bad_request", exc.message, progress)
        except TelegramForbiddenError as exc:
            return await self._fail(article, pub, channel, "forbidden", exc.message, progress)
        except TelegramEntityTooLarge as exc:  # a TelegramNetworkError subclass, but a 413
            return await self._fail(article, pub, channel, "bad_request", exc.message, progress)
        except (TelegramServerError, TelegramNetworkError) as exc:
            # The middleware retried with backoff and gave up.
            return await self._fail(article, pub, channel, "server_error", str(exc), progress)
        except TelegramAPIError as exc:
            return await self._fail(article, pub, channel, "bad_request", str(exc), progress)
        return await self._record_until_saved(
            article, pub, channel, [m.message_id for m in progress]
        )

    async def _interrupted(
        self,
        article: Article,
        pub: Publication,
        channel: Channel,
        progress: list[Message],
        tracker: SendTracker,
    ) -> None:
        try:
            if tracker.in_flight:
                log.warning("publication=%s stopped with a request in flight: held", pub.id)
                await self._hold(
                    article, pub, channel, "unknown_outcome", "stopped mid-send", progress
                )
            else:
                log.info("publication=%s stopped before it was sent: rescheduled", pub.id)
                await self._retry_later(pub, channel, 0, progress, reason="shutdown")
        except Exception:
            # Left as "publishing": the next start holds it, which is safe.
            log.exception("could not record the interrupted publication=%s", pub.id)

    async def _record_until_saved(
        self, article: Article, pub: Publication, channel: Channel, ids: list[int]
    ) -> Publication | None:
        """The post is in the channel and Telegram gave its ids: a database that is locked,
        read-only or full for a while must not lose that. Retried until it is recorded; if the
        bot stops meanwhile the row stays "publishing" and the next start holds it (never
        resent blindly)."""
        while True:
            try:
                return await self._record_sent(article, pub, channel, ids)
            except StorageError as exc:
                log.warning(
                    "publication=%s is in %s as %s but cannot be recorded yet: %s",
                    pub.id,
                    channel.chat_ref,
                    ids,
                    exc,
                )
                await self.clock.sleep(ERROR_BACKOFF_SECONDS)

    async def _record_sent(
        self, article: Article, pub: Publication, channel: Channel, ids: list[int]
    ) -> Publication | None:
        now = self.clock.now()
        link = public_link(channel, ids[0]) if ids else ""
        async with self.db.transaction() as uow:
            if not await uow.publications.finish(pub.id, message_ids=ids, link=link, now=now):
                log.warning("publication=%s changed state while it was being sent", pub.id)
            await self._maybe_article_published(uow, article.id, now)
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
        if done is not None and fresh is not None:
            self._queue(lambda n: n.on_published(fresh, done, channel))
        return done

    @staticmethod
    async def _maybe_article_published(uow: UnitOfWork, article_id: int, now: datetime) -> None:
        """The article is published once none of its publications is still open."""
        open_ = (
            PublicationStatus.SCHEDULED,
            PublicationStatus.PUBLISHING,
            PublicationStatus.HELD,
        )
        pubs = await uow.publications.for_article(article_id)
        if any(p.status in open_ for p in pubs):
            return
        if not any(p.status is PublicationStatus.PUBLISHED for p in pubs):
            return
        await uow.articles.transition(
            article_id,
            allowed_from=(
                ArticleStatus.APPROVED,
                ArticleStatus.SCHEDULED,
                ArticleStatus.PENDING,
                ArticleStatus.DRAFT,
            ),
            to=ArticleStatus.PUBLISHED,
            now=now,
        )

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
                    accept=_IMAGE_TYPES,
                )
        except (FetchError, aiohttp.ClientError, TimeoutError) as exc:
            log.info("photo download failed: %s", exc)
            return None
        return page.body

    async def _delete_quietly(self, channel: Channel, message_ids: Sequence[int]) -> None:
        for message_id in message_ids:
            try:
                await self.bot.delete_message(chat_id=channel.target, message_id=message_id)
            except TelegramAPIError as exc:
                log.warning("could not delete %s/%s: %s", channel.chat_ref, message_id, exc)

    async def _retry_later(
        self,
        pub: Publication,
        channel: Channel,
        seconds: float,
        progress: list[Message],
        *,
        reason: str = "",
    ) -> Publication | None:
        # Parts already sent would be sent again with the whole post: take them back first.
        await self._delete_quietly(channel, [m.message_id for m in progress])
        now = self.clock.now()
        async with self.db.transaction() as uow:
            await uow.publications.set_status(
                pub.id,
                allowed_from=(PublicationStatus.PUBLISHING,),
                to=PublicationStatus.SCHEDULED,
                now=now,
                error=reason or f"retry_after {seconds}",
                due_at=now + timedelta(seconds=seconds),
            )
            again = await uow.publications.get(pub.id)
        self.wake()
        return again

    async def _fail(
        self,
        article: Article,
        pub: Publication,
        channel: Channel,
        reason: str,
        detail: str,
        progress: list[Message],
    ) -> Publication | None:
        # "failed" must mean "not in the channel": a torn post (first part sent, second refused)
        # is taken back, so that scheduling it again gives one whole post.
        await self._delete_quietly(channel, [m.message_id for m in progress])
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
        if failed is not None:
            self._queue(lambda n: n.on_failed(article, failed, channel, reason, detail))
        return failed

    async def _hold(
        self,
        article: Article,
        pub: Publication,
        channel: Channel,
        reason: str,
        detail: str,
        progress: list[Message],
    ) -> Publication | None:
        now = self.clock.now()
        async with self.db.transaction() as uow:
            await self._mark_held(uow, pub, reason, detail, now)
            if progress:
                # Known parts of a torn post: "It is in the channel" keeps them, "Send it
                # again" deletes them before sending the whole post.
                await uow.publications.set_message_ids(pub.id, [m.message_id for m in progress])
            held = await uow.publications.get(pub.id)
        if held is not None:
            self._queue_held(held, reason)
        return held

    # --- notifications ----------------------------------------------------------------------

    def _queue(self, notice: _Notice) -> None:
        if self.notifier is None:
            return
        self._notices.append(notice)
        if self._notice_task is None or self._notice_task.done():
            self._notice_task = asyncio.create_task(self._deliver(), name="publish-notices")

    def _queue_held(self, pub: Publication, reason: str) -> None:
        async def notice(notifier: Notifier) -> None:
            async with self.db.read() as uow:
                article = await uow.articles.get(pub.article_id)
                channel = await uow.channels.get(pub.channel_id)
                fresh = await uow.publications.get(pub.id)
            if article is None or channel is None or fresh is None:
                return
            if fresh.status is not PublicationStatus.HELD:  # resolved meanwhile
                return
            try:
                await notifier.on_held(article, fresh, channel, reason)
            except TelegramAPIError as exc:
                log.warning(
                    "card for held publication=%s not sent (%s); asking later", pub.id, exc
                )
                self._unasked[pub.id] = (fresh, reason)
                if self._ask_timer is None or self._ask_timer.done():
                    self._ask_timer = asyncio.create_task(self._ask_later(), name="ask-held")

        self._queue(notice)

    async def _ask_later(self) -> None:
        await self.clock.sleep(HELD_CARD_RETRY_SECONDS)
        self.wake()

    async def _deliver(self) -> None:
        while self._notices:
            notice = self._notices.popleft()
            if self.notifier is None:
                continue
            try:
                await notice(self.notifier)
            except Exception:
                # A notification must never stop the others (nor publishing).
                log.exception("publishing notification failed")

    # --- admins' answers --------------------------------------------------------------------

    async def resolve_held(self, pub_id: int, *, sent: bool, actor_id: int) -> bool:
        """An admin's answer for a held publication: it is in the channel, or send it again.

        True when this answer was acted on; False when the publication was no longer held
        (another admin answered first).
        """
        now = self.clock.now()
        async with self.db.transaction() as uow:
            pub = await uow.publications.get(pub_id)
            if pub is None or pub.status is not PublicationStatus.HELD:
                return False
            if not sent:
                await uow.audit.append(
                    now=now,
                    actor_id=actor_id,
                    article_id=pub.article_id,
                    action="held_resend",
                    details={"publication": pub_id},
                )
            else:
                channel = await uow.channels.get(pub.channel_id)
                ids = list(pub.message_ids)
                link = public_link(channel, ids[0]) if ids and channel is not None else ""
                if not await uow.publications.finish(pub_id, message_ids=ids, link=link, now=now):
                    return False
                await self._maybe_article_published(uow, pub.article_id, now)
                await uow.audit.append(
                    now=now,
                    actor_id=actor_id,
                    article_id=pub.article_id,
                    action="held_confirmed_sent",
                    details={"publication": pub_id},
                )
                return True
        return await self.publish_one(pub_id, force=True) is not None
