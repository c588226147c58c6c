"""One publication: claim it, compose it, send it, and record how it ended.

The claim (``scheduled -> publishing``) is one conditional UPDATE before the send; the ids are
recorded after. Telegram's answer decides the end: in the channel (``published``), refused
(``failed``: parts already sent are deleted first, so "failed" means *not in the channel*),
throttled (back to the schedule, likewise without torn parts), or unknown (``held`` for an
admin: the Bot API has no idempotency key, so the bot never resends on its own).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

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
from aiogram.types import Message

from bot.clock import Clock
from bot.compose import compose
from bot.config import Settings
from bot.domain import (
    PAUSED_KEY,
    Article,
    Channel,
    Layout,
    Post,
    Publication,
    PublicationStatus,
)
from bot.limits import MAX_PHOTO_BYTES_UPLOAD
from bot.publishing.bookkeeping import Change, Entry, Ledger, held_change
from bot.publishing.notices import failed_notice, published_notice
from bot.telegram.retry import SendTracker, UnknownOutcomeError, track
from bot.telegram.send import public_link, send_post
from bot.templates import template_for
from bot.timeparse import in_quiet_hours, parse_quiet_hours
from storage.db import Database, StorageError

__all__ = ["ERROR_BACKOFF_SECONDS", "Delivery"]

log = logging.getLogger(__name__)

#: Pause after an unexpected error (database locked, a bug) before trying again, so a lasting
#: fault is logged every few seconds instead of spinning.
ERROR_BACKOFF_SECONDS = 5.0
_PHOTO_URL_ERRORS = ("wrong file identifier", "failed to get http url content", "wrong type")
#: Image types accepted when we download a photo Telegram could not fetch (exact media types:
#: ``safe_fetch`` compares them literally).
_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


class Delivery:
    """Publishes one publication at a time for the engine's channel workers.

    ``wake`` tells the scheduler the schedule changed; ``stopping`` says whether the engine is
    shutting down (then nothing new is claimed).
    """

    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        bot: Bot,
        clock: Clock,
        ledger: Ledger,
        wake: Callable[[], None],
        stopping: Callable[[], bool],
        instance_id: str = "",
    ) -> None:
        self.settings = settings
        self.db = db
        self.bot = bot
        self.clock = clock
        self.ledger = ledger
        self._wake = wake
        self._stopping = stopping
        #: Written on every claim: recovery holds only the claims of dead instances.
        self.instance_id = instance_id

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
                self._wake()
                return await uow.publications.get(pub.id) if moved else None
            if force:
                ok = await uow.publications.set_status(
                    pub.id,
                    allowed_from=(PublicationStatus.HELD,),
                    to=PublicationStatus.PUBLISHING,
                    now=now,
                    owner=self.instance_id,
                )
                claimed = await uow.publications.get(pub.id) if ok else None
            elif self._stopping() or await uow.state.get(PAUSED_KEY) == "1":
                # Checked in the claiming transaction: once /pause has committed, no new send
                # starts (one already on the wire still completes). The same on shutdown.
                return None
            else:
                claimed = await uow.publications.claim(pub.id, now=now, owner=self.instance_id)
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
            return await self._hold(pub, "unknown_outcome", str(exc), progress)
        except TelegramRetryAfter as exc:
            # The session middleware already waited as told; still throttled: come back later.
            return await self._retry_later(pub, channel, exc.retry_after, progress)
        except TelegramBadRequest as exc:
            if post.layout is Layout.RICH and not progress and "rich" in exc.message.lower():
                # Issue 15: Telegram refused the rich message (a limit it counts otherwise, a
                # block it does not take). Nothing was posted: the ordinary layout goes instead.
                log.warning("rich post refused (%s), sending it ordinary", exc.message)
                template = template_for(channel, self.settings)
                ordinary = replace(template, layout=Layout.AUTO, allow_rich=False)
                post = compose(article.content, ordinary)
                return await self._send(article, pub, channel, post, silent, upload)
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
        return await self._record_until_saved(pub, channel, [m.message_id for m in progress])

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
                await self._hold(pub, "unknown_outcome", "stopped mid-send", progress)
            else:
                log.info("publication=%s stopped before it was sent: rescheduled", pub.id)
                await self._retry_later(pub, channel, 0, progress, reason="shutdown")
        except Exception:
            # Left as "publishing": the next start holds it, which is safe.
            log.exception("could not record the interrupted publication=%s", pub.id)

    async def _record_until_saved(
        self, pub: Publication, channel: Channel, ids: list[int]
    ) -> Publication | None:
        """The post is in the channel and Telegram gave its ids: a database that is locked,
        read-only or full for a while must not lose that. Retried until it is recorded; if the
        bot stops meanwhile the row stays "publishing" and the next start holds it (never
        resent blindly)."""
        link = public_link(channel, ids[0]) if ids else ""
        change = Change(
            to=PublicationStatus.PUBLISHED,
            message_ids=tuple(ids),
            link=link,
            entry=Entry(
                "published", {"channel": channel.chat_ref, "message_ids": ids, "link": link}
            ),
        )
        while True:
            try:
                return await self.ledger.settle(
                    pub, change, notice=lambda a, p: published_notice(a, p, channel)
                )
            except StorageError as exc:
                log.warning(
                    "publication=%s is in %s as %s but cannot be recorded yet: %s",
                    pub.id,
                    channel.chat_ref,
                    ids,
                    exc,
                )
                await self.clock.sleep(ERROR_BACKOFF_SECONDS)

    async def _download(self, url: str) -> bytes | None:
        """Telegram could not fetch the photo URL: try once to fetch it ourselves and upload."""
        import aiohttp

        from bot.ingest.fetch import FetchError, safe_fetch

        try:
            async with aiohttp.ClientSession() as session:
                page = await safe_fetch(
                    session,
                    url,
                    allow_private=self.settings.allow_private_urls,
                    max_bytes=MAX_PHOTO_BYTES_UPLOAD,  # what we could upload again
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
        due_at = self.clock.now() + timedelta(seconds=seconds)
        change = Change(
            to=PublicationStatus.SCHEDULED,
            error=reason or f"retry_after {seconds}",
            due_at=due_at,
        )
        again = await self.ledger.settle(pub, change)
        self._wake()
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
        log.warning("publication=%s failed: %s %s", pub.id, reason, detail)
        change = Change(
            to=PublicationStatus.FAILED,
            error=f"{reason}: {detail}",
            entry=Entry(
                "publication_failed",
                {"channel": channel.chat_ref, "reason": reason, "detail": detail},
            ),
        )
        return await self.ledger.settle(
            pub,
            change,
            notice=lambda _, p: failed_notice(article, p, channel, reason, detail),
        )

    async def _hold(
        self, pub: Publication, reason: str, detail: str, progress: list[Message]
    ) -> Publication | None:
        return await self.ledger.settle(
            pub,
            held_change(pub, reason, detail),
            notice=lambda _, p: self.ledger.notices.held_card(p, reason),
            keep_ids=[m.message_id for m in progress],
        )
