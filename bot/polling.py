"""Long polling with several instances: exactly one polls, the others wait to take over.

Telegram hands each update to one ``getUpdates`` caller and answers a second concurrent caller
with 409 Conflict, so instances elect the poller through the database
(``Database.leadership``: a PostgreSQL advisory lock; with SQLite the one process leads). The
poller checks every ``CHECK_S`` that it still holds the lead and stops polling when it does
not; a standby asks every ``RETRY_S``. An instance that dies frees the lock with its database
session, so another polls within ``RETRY_S`` (about nine seconds when its machine vanished
without closing the connection: TCP keepalives).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Iterator

from aiogram import Bot, Dispatcher

from storage.core import Leadership
from storage.db import Database

log = logging.getLogger(__name__)

LEAD = "long-polling"
RETRY_S = 2.0
CHECK_S = 2.0


async def poll_while_leading(
    dp: Dispatcher,
    bot: Bot,
    db: Database,
    *,
    stop: asyncio.Event,
    polling_timeout: int,
    on_role: Callable[[str], None],
    handle_signals: bool = True,
) -> None:
    """Poll whenever this instance leads, until ``stop`` (or SIGINT/SIGTERM) is set."""
    lead = db.leadership(LEAD)
    with _stop_on_signals(stop, enabled=handle_signals):
        try:
            while not stop.is_set():
                if await lead.try_acquire():
                    on_role("poller")
                    log.info("this instance polls Telegram for updates")
                    if await _poll_until_lost(dp, bot, lead, stop, polling_timeout):
                        # Polling ended by itself while this instance led: someone called
                        # ``dp.stop_polling()`` (a test, an embedding program), which has
                        # always meant "stop the bot", not "poll again".
                        stop.set()
                    if not stop.is_set():
                        log.warning("no longer the poller; waiting to take over again")
                on_role("standby")
                await _wait(stop, RETRY_S)
        finally:
            await lead.release()


async def _poll_until_lost(
    dp: Dispatcher, bot: Bot, lead: Leadership, stop: asyncio.Event, polling_timeout: int
) -> bool:
    """Poll while the lead holds; True when polling ended by itself (not lost, not stopped)."""
    polling = asyncio.create_task(
        dp.start_polling(
            bot, handle_signals=False, polling_timeout=polling_timeout, close_bot_session=False
        ),
        name="polling",
    )
    ended_by_itself = False
    try:
        while not polling.done() and not stop.is_set() and await lead.still_held():
            await _wait(stop, CHECK_S, also=polling)
        ended_by_itself = polling.done() and not stop.is_set()
    finally:
        if not polling.done():
            with contextlib.suppress(RuntimeError):  # not started yet: nothing to stop
                await dp.stop_polling()
        await polling
    return ended_by_itself


async def _wait(
    stop: asyncio.Event, seconds: float, also: asyncio.Task[None] | None = None
) -> None:
    """Up to ``seconds``, less if ``stop`` is set or ``also`` ends (real time: a lock's
    lifetime is the database server's, not the bot's clock)."""
    waiter = asyncio.create_task(stop.wait())
    pending = {waiter} if also is None else {waiter, also}
    try:
        await asyncio.wait(pending, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiter


@contextlib.contextmanager
def _stop_on_signals(stop: asyncio.Event, *, enabled: bool) -> Iterator[None]:
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM) if enabled else ()
    for sig in signals:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        yield
    finally:
        for sig in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
