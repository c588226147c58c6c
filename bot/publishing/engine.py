"""The publishing engine (the outbox scheduler): the only code that posts to channels.

Guarantee (see README): a publication is claimed (``scheduled -> publishing``) in one
conditional UPDATE before the send, and marked ``published`` with its message ids after. A
crash between the two leaves it in ``publishing``; since the Bot API has no idempotency key we
cannot know whether Telegram got it, so on start-up such rows are *held* and an admin decides
("It is in the channel" / "Send it again"). Hence: never sent twice without an admin choosing
so, never lost. The same holds at run time when the session middleware reports an unknown
outcome (the connection died after the request left).

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
import uuid
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot

from bot.clock import Clock
from bot.config import Settings
from bot.domain import PAUSED_KEY, Publication, PublicationStatus
from bot.publishing.bookkeeping import Change, Entry, Ledger, held_change
from bot.publishing.delivery import ERROR_BACKOFF_SECONDS, Delivery
from bot.publishing.notices import Notices
from bot.publishing.ports import Notifier
from bot.telegram.send import public_link
from storage.db import Database, StorageError

__all__ = [
    "DEAD_AFTER_SECONDS",
    "HEARTBEAT_SECONDS",
    "MAX_SLEEP_SECONDS",
    "WORKER_BATCH",
    "PublishingEngine",
]

log = logging.getLogger(__name__)

#: Longest single sleep of the scheduler. Due times are wall-clock instants but sleeps are
#: monotonic, so a wall-clock step (NTP, a VM resumed) would otherwise go unnoticed until the
#: next wake-up; re-reading the schedule every few minutes bounds that error at no real cost.
MAX_SLEEP_SECONDS = 300.0
#: Due publications a channel worker takes per query (it queries again when done).
WORKER_BATCH = 20
#: How often a shared-database instance refreshes its heartbeat and looks for dead claims.
HEARTBEAT_SECONDS = 5.0
#: An instance silent this long is dead: its in-flight claims are held for an admin. Three
#: missed beats, so a slow transaction or a GC pause is not taken for a death.
DEAD_AFTER_SECONDS = 15.0


class PublishingEngine:
    """One task that sleeps until the earliest due publication, woken when the schedule changes.

    Each channel with due posts gets a worker that publishes them in order, so a channel throttled
    by its 20-a-minute limit does not hold the others back. The scheduler only sleeps towards
    channels that have no worker: a busy channel's worker picks up what falls due while it runs
    and wakes the scheduler when it stops.

    Notifications (published, failed, held cards) go through a queue drained by a task of their
    own (:mod:`bot.publishing.notices`), told to the :class:`Notifier` given with
    :meth:`set_notifier`; until then nothing is told.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        bot: Bot,
        clock: Clock,
        instance_id: str | None = None,
    ) -> None:
        self.settings = settings
        #: This process among the instances on one database (a new one at every start).
        self.instance_id = instance_id or uuid.uuid4().hex
        self.db = db
        self.bot = bot
        self.clock = clock
        self._wake = asyncio.Event()
        self._workers: dict[int, asyncio.Task[None]] = {}
        self.notices = Notices(db=db, clock=clock, wake=self.wake)
        self.ledger = Ledger(db=db, clock=clock, notices=self.notices)
        self.delivery = Delivery(
            settings=settings,
            db=db,
            bot=bot,
            clock=clock,
            ledger=self.ledger,
            wake=self.wake,
            stopping=lambda: self._stopping,
            instance_id=self.instance_id,
        )
        self.alive = False
        self._stopping = False

    def set_notifier(self, notifier: Notifier) -> None:
        """Who is told about publications; set once by the composition root."""
        self.notices.notifier = notifier

    @property
    def sent_count(self) -> int:
        """Publications that reached their channel since start (for the benchmarks)."""
        return self.ledger.sent_count

    def wake(self) -> None:
        self._wake.set()

    async def is_paused(self) -> bool:
        async with self.db.read() as uow:
            return await uow.state.get(PAUSED_KEY) == "1"

    async def shutdown(self, grace: float) -> None:
        """Stop claiming publications and give the ones being sent ``grace`` seconds to finish.

        The caller then cancels :meth:`run`, which cancels what is left: a publication still
        waiting (for a rate limit, a retry_after, a backoff) returns to the schedule, one whose
        request is on the wire is held for an admin (see ``Delivery._interrupted``). ``grace``
        is wall-clock time even under a fake clock: it bounds how long a stop may take.
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

        Every held publication whose card has not reached the admin chat since it was held
        then gets one, including ones held before this start: the card of a publication held
        just before a crash may never have gone out, and a held publication is only resolved by
        an admin, so someone must be asked at least once. One that was asked is not asked again
        at every start (N replicas restarting would send N copies of every card).
        """
        now = self.clock.now()
        grace = timedelta(minutes=self.settings.missed_grace_minutes)
        mark = self.ledger.mark
        async with self.db.transaction() as uow:
            await uow.instances.beat(self.instance_id, now=now)
            for pub in await uow.publications.orphaned(
                owner=self.instance_id, alive_since=self._alive_since(now)
            ):
                stopped = held_change(pub, "unknown_outcome", "the bot stopped mid-send")
                await mark(uow, pub, stopped, now)
            while missed := await uow.publications.due(now=now - grace, limit=500):
                changed = False
                for pub in missed:
                    late = int((now - pub.due_at).total_seconds() // 60)
                    missed_change = held_change(pub, "missed", f"{late} min late")
                    changed |= await mark(uow, pub, missed_change, now)
                if not changed:  # cannot happen inside one transaction; never spin regardless
                    break
            held_pubs = await uow.publications.unasked_held()
        for pub in held_pubs:
            reason = pub.last_error.split(":", 1)[0] or "unknown_outcome"
            self.notices.queue(self.notices.held_card(pub, reason))

    # --- instances on one database ----------------------------------------------------------

    @property
    def shared(self) -> bool:
        """Several processes may use this database (PostgreSQL); SQLite is one process."""
        return self.db.dialect != "sqlite"

    def _alive_since(self, now: datetime) -> datetime | None:
        """Heartbeats at or after this are alive; None: no other instance is (SQLite: one
        process per file, so a claim not made by this process is a previous run's)."""
        return now - timedelta(seconds=DEAD_AFTER_SECONDS) if self.shared else None

    async def sweep_dead_claims(self) -> list[Publication]:
        """Beat, then hold the in-flight claims of instances that stopped beating (the same
        "held, ask an admin" rule as at start-up) and ask the admins about each."""
        now = self.clock.now()
        held: list[Publication] = []
        async with self.db.transaction() as uow:
            await uow.instances.beat(self.instance_id, now=now)
            for pub in await uow.publications.orphaned(
                owner=self.instance_id, alive_since=self._alive_since(now)
            ):
                stopped = held_change(pub, "unknown_outcome", "its instance stopped mid-send")
                if await self.ledger.mark(uow, pub, stopped, now):
                    held.append(pub)
            # Rows of instances long dead only grow the table; their claims are held by now.
            await uow.instances.forget_dead(before=now - timedelta(days=1))
        for pub in held:
            log.warning("publication=%s held: its instance stopped mid-send", pub.id)
            self.notices.queue(self.notices.held_card(pub, "unknown_outcome"))
        return held

    async def _heartbeat(self) -> None:
        while True:
            await self.clock.sleep(HEARTBEAT_SECONDS)
            try:
                await self.sweep_dead_claims()
            except StorageError as exc:
                log.warning("instance heartbeat waits: %s", exc)
            except Exception:
                log.exception("instance heartbeat failed; retrying")

    async def _forget_instance(self) -> None:
        """A clean stop: no claim of ours is left in flight, so drop our heartbeat row."""
        try:
            async with self.db.transaction() as uow:
                await uow.instances.forget(self.instance_id)
        except Exception as exc:  # the database may be gone already; the timeout covers it
            log.info("instance row not removed: %s", exc)

    # --- the scheduler ----------------------------------------------------------------------

    async def run(self) -> None:
        self.alive = True
        # Only a shared database has other instances to watch; SQLite stays as it was.
        beating = asyncio.create_task(self._heartbeat(), name="heartbeat") if self.shared else None
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
            tasks = [*self._workers.values(), *self.notices.tasks()]
            if beating is not None:
                tasks.append(beating)
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self._workers.clear()
            if beating is not None:
                await asyncio.shield(self._forget_instance())

    async def _dispatch_due(self) -> float | None:
        """Start workers for idle channels with due posts; return seconds until the next due
        post of an idle channel (None: nothing to wait for but a wake-up)."""
        self.notices.ask_again()
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

    async def publish_one(self, pub_id: int, *, force: bool = False) -> Publication | None:
        """See :meth:`bot.publishing.delivery.Delivery.publish_one`."""
        return await self.delivery.publish_one(pub_id, force=force)

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
            details = {"publication": pub_id}
            if not sent:
                entry = Entry("held_resend", details, actor_id=actor_id)
                await self.ledger.audit(uow, pub.article_id, entry, now)
            else:
                channel = await uow.channels.get(pub.channel_id)
                ids = pub.message_ids
                link = public_link(channel, ids[0]) if ids and channel is not None else ""
                change = Change(
                    to=PublicationStatus.PUBLISHED,
                    message_ids=tuple(ids),
                    link=link,
                    entry=Entry("held_confirmed_sent", details, actor_id=actor_id),
                )
                return await self.ledger.mark(uow, pub, change, now)
        return await self.publish_one(pub_id, force=True) is not None
