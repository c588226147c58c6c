"""Who goes first when several requests wait for the same Telegram limit.

Issue 14: an editor who just pasted an article or pressed a button should not wait behind a
queue of background work (publishing engine posts, admin notices, reminders, feed items) that
happens to use the same chat's limit or the bot's global one. So every limited request has a
:class:`Priority`:

* ``INTERACTIVE``: the answer to what a person just did, i.e. a request made while the bot
  handles that person's update and sent to the chat the update came from (the handler's
  reply, a callback-triggered edit of the card the person pressed). :class:`InteractiveMiddleware`
  marks the handling of an update in a context variable, and :func:`priority_for` compares the
  request's chat with it. A review card or a channel post that the same handler causes goes to
  another chat: it is a notice to someone else, hence background.
* ``BACKGROUND``: everything else, and the default (tasks started at start-up never see an
  update's context).

Context variables are copied into tasks created while they are set, so a task a handler spawns
inherits the mark; it still only lifts requests to the person's own chat.

Fairness (:class:`PriorityGate`): among waiters the interactive ones go first, each class in
arrival order, except that after :data:`INTERACTIVE_RUN` interactive admissions in a row
*while background work was waiting*, the oldest background waiter goes next. So under a
stream of interactive traffic background work still gets at least one turn in
``INTERACTIVE_RUN + 1`` of the contended limit, and never starves.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import enum
import itertools
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User

__all__ = [
    "INTERACTIVE_RUN",
    "InteractiveMiddleware",
    "Priority",
    "PriorityGate",
    "Ticket",
    "chat_key",
    "for_a_person",
    "priority_for",
    "replying_to",
]

#: Interactive admissions in a row a waiting background request lets pass before its turn.
INTERACTIVE_RUN = 4


class Priority(enum.IntEnum):
    """Lower goes first."""

    INTERACTIVE = 0
    BACKGROUND = 1


def chat_key(chat_id: int | str) -> int | str:
    """One key per chat: "-1001234" and -1001234 are the same chat (aiogram accepts both and
    Telegram counts one); "@Name" and "@name" too (usernames are case-insensitive)."""
    if isinstance(chat_id, str):
        stripped = chat_id.strip()
        if stripped.lstrip("-").isdigit():
            return int(stripped)
        return stripped.lower()
    return chat_id


# The chat of the update being handled in this context, None outside update handling.
_ORIGIN: contextvars.ContextVar[int | str | None] = contextvars.ContextVar(
    "update_origin_chat", default=None
)


@contextlib.contextmanager
def replying_to(chat_id: int | str) -> Iterator[None]:
    """Requests to ``chat_id`` made inside this block answer a person (``INTERACTIVE``)."""
    token = _ORIGIN.set(chat_key(chat_id))
    try:
        yield
    finally:
        _ORIGIN.reset(token)


def for_a_person() -> bool:
    """Whether the current context handles a person's update (whatever chat it writes to)."""
    return _ORIGIN.get() is not None


def priority_for(chat_id: int | str | None) -> Priority:
    """The priority of a request to ``chat_id`` made in the current context."""
    origin = _ORIGIN.get()
    if origin is not None and chat_id is not None and chat_key(chat_id) == origin:
        return Priority.INTERACTIVE
    return Priority.BACKGROUND


class InteractiveMiddleware(BaseMiddleware):
    """Outer ``dp.update`` middleware: the handling of a person's update is interactive.

    Registered after aiogram's own ``UserContextMiddleware`` (the Dispatcher adds that one
    first), so ``event_chat`` and ``event_from_user`` are in ``data``. Updates without a human
    sender (channel posts, a bot's messages) stay background: no one is waiting for an answer.
    """

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        chat = data.get("event_chat")
        user = data.get("event_from_user")
        if isinstance(chat, Chat) and isinstance(user, User) and not user.is_bot:
            with replying_to(chat.id):
                return await handler(event, data)
        return await handler(event, data)


@dataclass(eq=False)
class Ticket:
    """One request waiting at a :class:`PriorityGate`."""

    priority: Priority
    seq: int
    turn: asyncio.Event = field(default_factory=asyncio.Event)


class PriorityGate:
    """The queue in front of one limit: which waiter may take it next (see module docstring).

    The gate only orders; the caller waits for the limit itself. Protocol: :meth:`enter`,
    then loop { :meth:`is_next`? wait for the limit : ``await ticket.turn.wait()`` }, then
    :meth:`hold` once the limit is met (the order is frozen while the holder finishes, so no
    newcomer can take a limit the holder was promised), and always :meth:`leave`.
    """

    def __init__(self, interactive_run: int = INTERACTIVE_RUN) -> None:
        if interactive_run < 1:
            raise ValueError("interactive_run must be at least 1")
        self.interactive_run = interactive_run
        self._waiting: list[Ticket] = []
        self._seq = itertools.count()
        self._next: Ticket | None = None
        self._holder: Ticket | None = None
        self._run = 0  # interactive admissions in a row while background work waited

    def __len__(self) -> int:
        return len(self._waiting)

    def enter(self, priority: Priority) -> Ticket:
        ticket = Ticket(priority, next(self._seq))
        self._waiting.append(ticket)
        self._choose()
        return ticket

    def is_next(self, ticket: Ticket) -> bool:
        return self._next is ticket

    def hold(self, ticket: Ticket) -> None:
        """``ticket`` (the next one) met the limit and is about to be charged."""
        assert self._next is ticket, "only the next ticket may hold the gate"
        self._holder = ticket

    def leave(self, ticket: Ticket) -> None:
        """``ticket`` is done: charged after :meth:`hold`, or given up (cancelled)."""
        self._waiting.remove(ticket)
        if self._holder is ticket:
            self._holder = None
            if ticket.priority is Priority.BACKGROUND:
                self._run = 0
            elif any(t.priority is Priority.BACKGROUND for t in self._waiting):
                self._run += 1
        self._choose()

    def _choose(self) -> None:
        if self._holder is not None:
            return
        best: Ticket | None = None
        if self._run >= self.interactive_run:
            background = [t for t in self._waiting if t.priority is Priority.BACKGROUND]
            best = min(background, key=lambda t: t.seq, default=None)
        if best is None:
            best = min(self._waiting, key=lambda t: (t.priority, t.seq), default=None)
        if best is self._next:
            return
        if self._next is not None:
            self._next.turn.clear()
        self._next = best
        if best is not None:
            best.turn.set()
