"""Retry and flood control for every Bot API call: an aiogram session request middleware.

Registered once with ``bot.session.middleware(RetryMiddleware(...))``; every method the Bot
calls passes through :meth:`RetryMiddleware.__call__`. aiogram has no retry of its own
(``AiohttpSession.make_request`` wraps every aiohttp failure in ``TelegramNetworkError`` and
``BaseSession.check_response`` maps error answers to exception classes), so the policy lives
here:

=======================================  ==================================================
``TelegramRetryAfter`` (429)             wait exactly ``retry_after`` and retry; does not
                                         count as a failed attempt, but bounded by
                                         ``max_flood_retries`` and ``max_flood_wait``, after
                                         which the 429 is re-raised (the publisher
                                         reschedules instead of blocking a worker for ages)
``TelegramServerError`` (5xx)            exponential backoff with full jitter, at most
                                         ``max_attempts`` attempts, then re-raise: Telegram
                                         answered, it did not post
``TelegramNetworkError``, request never  same backoff: nothing reached Telegram
sent (connection refused, DNS, connect
timeout)
``TelegramNetworkError``, request may    idempotent methods (reads, edits, deletes): backoff;
have been sent (timeout, disconnect,     sends: ``UnknownOutcomeError`` unless
reset)                                   ``retry_unsafe_on_network_error`` (a retry may post
                                         twice: the Bot API has no idempotency key)
400, 401, 403, 404, 409, 413, others     re-raised at once: retrying cannot change the answer
=======================================  ==================================================

Uploads: each attempt goes through ``make_request`` again, which rebuilds the form and calls
``InputFile.read()`` anew. ``BufferedInputFile`` reads from its ``bytes`` each time and
``FSInputFile`` reopens the file, so a retried upload re-sends the full bytes (tested with
``BufferedInputFile``). ``URLInputFile`` downloads again on each attempt. A custom InputFile
over a one-shot stream would send an empty file on retry: do not use one.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import random
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

import aiohttp
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods.base import TelegramType

from bot.clock import Clock, SystemClock
from bot.telegram.priority import priority_for

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import Response, TelegramMethod

    from bot.telegram.ratelimit import RateLimiter

__all__ = [
    "RetryMiddleware",
    "SendTracker",
    "UnknownOutcomeError",
    "is_flood_limited",
    "is_message_edit",
    "is_message_send",
    "is_unsafe_to_repeat",
    "request_was_not_sent",
]

logger = logging.getLogger(__name__)


class UnknownOutcomeError(TelegramNetworkError):
    """A non-idempotent request failed in transit: Telegram may or may not have executed it.

    Raised instead of retrying a send whose connection died after the request was (or may
    have been) written. The caller decides: check the channel, ask a human, or accept a
    possible duplicate. ``__cause__`` is the original ``TelegramNetworkError``.
    """

    label = "Outcome unknown"


# Methods that create something each time they succeed: repeating one after an unknown outcome
# may duplicate a post. Everything else (get*, edit*, delete*, pin*, set*, answer*...) either
# reads or converges to the same state when repeated.
_UNSAFE_EXTRA = frozenset(
    {
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
        "createChatInviteLink",
        "createChatSubscriptionInviteLink",
        "createForumTopic",
        "createInvoiceLink",
        "postStory",
    }
)
# send* methods whose repetition is harmless (a typing indicator shown twice).
_SAFE_SENDS = frozenset({"sendChatAction"})

# Flood limits. Telegram's broadcast limit (about 30 a second, Bot FAQ) counts messages sent:
# every send* that posts something (sendChatAction shows a status and posts nothing), copies and
# forwards. Methods that create something that is not a message (invite links, forum topics,
# invoice links, stories) are not messages: they pass free, like getUpdates, getChatMember,
# getFile, answerCallbackQuery, setMyCommands and every other read or setting.
_MESSAGE_EXTRA = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})
_NOT_MESSAGES = frozenset({"sendChatAction"})
# Edits change a message in place: no one is notified, so they are not broadcast, but Telegram
# paces edits per chat like sends (a bot editing one chat's messages faster than the per-chat
# rate gets 429s), so they take their chat's lane only. Deletes, pins and reactions post nothing
# and have no published limit: they are free (a 429 on one is still waited out and retried).
_EDITS_EXTRA = frozenset({"stopPoll", "stopMessageLiveLocation"})

# aiohttp exceptions raised before a single byte of the request was written: the TCP/TLS
# connection was never established. ConnectionTimeoutError is aiohttp's "timed out while
# connecting" (a subclass of asyncio.TimeoutError that aiogram reports as "Request timeout
# error" like any other timeout, so the cause must be inspected).
_NOT_SENT: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    ConnectionRefusedError,
)


class SendTracker:
    """Whether a request that creates something is on the wire right now (see :func:`track`).

    A task cancelled while one is (shutdown after its grace period) cannot know whether
    Telegram carried it out; cancelled at any other moment (waiting for a rate limit, a
    retry_after, a backoff) it knows nothing of its current request was sent.
    """

    __slots__ = ("in_flight",)

    def __init__(self) -> None:
        self.in_flight = False


_TRACKER: contextvars.ContextVar[SendTracker | None] = contextvars.ContextVar(
    "send_tracker", default=None
)


@contextlib.contextmanager
def track(tracker: SendTracker) -> Iterator[SendTracker]:
    """Record in ``tracker`` when this task's unsafe requests are in flight."""
    token = _TRACKER.set(tracker)
    try:
        yield tracker
    finally:
        _TRACKER.reset(token)


def is_unsafe_to_repeat(api_method: str) -> bool:
    """Whether repeating ``api_method`` after an unknown outcome may duplicate its effect."""
    if api_method.startswith("send"):
        return api_method not in _SAFE_SENDS
    return api_method in _UNSAFE_EXTRA


def is_message_send(api_method: str) -> bool:
    """Whether ``api_method`` posts a message: it counts against the global broadcast limit."""
    if api_method.startswith("send"):
        return api_method not in _NOT_MESSAGES
    return api_method in _MESSAGE_EXTRA


def is_message_edit(api_method: str) -> bool:
    """Whether ``api_method`` changes a message in place: its chat's limit only."""
    return api_method.startswith("editMessage") or api_method in _EDITS_EXTRA


def is_flood_limited(api_method: str) -> bool:
    """Whether ``api_method`` takes a chat's (or the global) flood limit at all."""
    return is_message_send(api_method) or is_message_edit(api_method)


def request_was_not_sent(exc: TelegramNetworkError) -> bool:
    """Whether a network error happened before the request could reach Telegram."""
    cause: BaseException | None = exc.__cause__ or exc.__context__
    return isinstance(cause, _NOT_SENT)


def _chat_id(method: TelegramMethod[TelegramType]) -> int | str | None:
    chat_id = getattr(method, "chat_id", None)
    return chat_id if isinstance(chat_id, int | str) else None


def _weight(method: TelegramMethod[TelegramType]) -> int:
    # Telegram counts each item of an album, and each message copied or forwarded in bulk, as
    # a message.
    name = method.__api_method__
    items: object = None
    if name == "sendMediaGroup":
        items = getattr(method, "media", None)
    elif name in ("copyMessages", "forwardMessages"):
        items = getattr(method, "message_ids", None)
    return max(1, len(items)) if isinstance(items, list) else 1


class RetryMiddleware(BaseRequestMiddleware):
    """See the module docstring for the policy. All waits go through ``clock.sleep``."""

    def __init__(
        self,
        *,
        limiter: RateLimiter | None = None,
        clock: Clock | None = None,
        max_attempts: int = 5,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        max_flood_retries: int = 5,
        max_flood_wait: float = 300.0,
        retry_unsafe_on_network_error: bool = False,
        rng: Callable[[], float] = random.random,
        on_success: Callable[[str], object] | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self.limiter = limiter
        self.clock: Clock = clock or SystemClock()
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_flood_retries = max_flood_retries
        self.max_flood_wait = max_flood_wait
        self.retry_unsafe_on_network_error = retry_unsafe_on_network_error
        self.rng = rng
        self.on_success = on_success
        #: Retries performed, by kind: "retry_after", "server", "network".
        self.retries: Counter[str] = Counter()
        #: Calls that ended in an error after the policy gave up, by kind (adds
        #: "unknown_outcome" for sends not repeated).
        self.gave_up: Counter[str] = Counter()
        self.last_success_at: datetime | None = None
        self.last_success_method: str | None = None

    def backoff(self, failures: int) -> float:
        """Full jitter: uniform in ``[0, min(cap, base * 2**(failures-1))]``.

        Full jitter rather than "exponential plus a little noise" so that many workers failing
        together (Telegram hiccups hit every channel at once) spread their retries out.
        """
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (failures - 1))
        return self.rng() * ceiling

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = method.__api_method__
        limited = self.limiter is not None and is_flood_limited(name)
        broadcast = is_message_send(name)
        chat_id = _chat_id(method)
        weight = _weight(method)
        # Read once, before any wait: the request keeps the priority of the moment it was made.
        priority = priority_for(chat_id)
        failures = 0
        flood_retries = 0
        flood_waited = 0.0
        while True:
            if limited and self.limiter is not None:
                # Every attempt is a real request that Telegram counts, retries included.
                await self.limiter.acquire(
                    chat_id, weight=weight, broadcast=broadcast, priority=priority
                )
            tracker = _TRACKER.get() if is_unsafe_to_repeat(name) else None
            try:
                if tracker is not None:
                    tracker.in_flight = True
                try:
                    response = await make_request(bot, method)
                except asyncio.CancelledError:
                    raise  # still in flight as far as anyone can tell: the tracker says so
                except BaseException:
                    if tracker is not None:
                        tracker.in_flight = False  # Telegram answered (or nothing was sent)
                    raise
                if tracker is not None:
                    tracker.in_flight = False
            except TelegramRetryAfter as exc:
                wait = float(exc.retry_after)
                if (
                    flood_retries >= self.max_flood_retries
                    or flood_waited + wait > self.max_flood_wait
                ):
                    self.gave_up["retry_after"] += 1
                    raise
                flood_retries += 1
                flood_waited += wait
                self.retries["retry_after"] += 1
                if limited and self.limiter is not None:
                    # Other tasks sending to the same chat would hit the same 429. (A 429 on a
                    # read says nothing about sends, so it does not hold them back.)
                    self.limiter.penalize(chat_id, wait)
                logger.warning("%s: flood control, retrying in %ss", name, exc.retry_after)
                await self.clock.sleep(wait)
                continue
            except TelegramServerError:
                failures += 1
                if failures >= self.max_attempts:
                    self.gave_up["server"] += 1
                    raise
                await self._back_off(name, "server", failures)
                continue
            except TelegramEntityTooLarge:
                # A TelegramNetworkError subclass in aiogram, but a deterministic 413.
                raise
            except UnknownOutcomeError:
                raise  # from an inner middleware: already classified
            except TelegramNetworkError as exc:
                if (
                    is_unsafe_to_repeat(name)
                    and not self.retry_unsafe_on_network_error
                    and not request_was_not_sent(exc)
                ):
                    self.gave_up["unknown_outcome"] += 1
                    raise UnknownOutcomeError(
                        method=method,
                        message=f"{name} may or may not have been executed: {exc.message}",
                    ) from exc
                failures += 1
                if failures >= self.max_attempts:
                    self.gave_up["network"] += 1
                    raise
                await self._back_off(name, "network", failures)
                continue
            self._succeeded(name)
            return response

    async def _back_off(self, name: str, kind: str, failures: int) -> None:
        delay = self.backoff(failures)
        self.retries[kind] += 1
        logger.warning("%s: %s error (attempt %d), retrying in %.2fs", name, kind, failures, delay)
        await self.clock.sleep(delay)

    def _succeeded(self, name: str) -> None:
        self.last_success_at = self.clock.now()
        self.last_success_method = name
        if self.on_success is None:
            return
        try:
            self.on_success(name)
        except Exception:
            # The request succeeded: raising now would make the caller believe a published
            # post failed, and retry it into a duplicate. A broken hook is only logged.
            logger.exception("on_success hook failed after %s", name)
