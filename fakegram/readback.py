"""Reading back what the bot did, and waiting for it without sleeping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fakegram.records import JsonDict, SentMessage
from fakegram.world import World


class Readback:
    """Queries and waits over the recorded world, mixed into
    :class:`~fakegram.server.FakeTelegram`."""

    world: World

    def messages(
        self, chat_id: int | str, *, include_incoming: bool = False, include_service: bool = False
    ) -> list[SentMessage]:
        """Messages the bot sent to a chat, oldest first, in their current state."""
        chat = self.world.chat(chat_id)
        return [
            m
            for m in self.world.messages.get(chat.id, {}).values()
            if (m.outgoing or include_incoming) and (include_service or not m.service)
        ]

    def last_message(self, chat_id: int | str) -> SentMessage | None:
        sent = self.messages(chat_id)
        return sent[-1] if sent else None

    def message(self, chat_id: int | str, message_id: int) -> SentMessage:
        """Any stored message (the bot's or a person's) by id; KeyError if there is none."""
        return self.world.message(chat_id, message_id)

    def calls(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of ``method`` (case-insensitive), in order."""
        return [c.params for c in self.world.requests if c.method.lower() == method.lower()]

    @property
    def pending_updates(self) -> list[JsonDict]:
        return list(self.world.updates)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``predicate()`` holds, re-checked on every change the server records."""
        if not await self.world.signal.wait_until(predicate, timeout):
            raise TimeoutError(f"condition not met within {timeout} s")

    async def wait_for_message(
        self,
        chat_id: int | str,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SentMessage:
        """Wait until the bot has sent ``count`` messages to the chat; return the count-th."""
        try:
            await self.wait_for(lambda: len(self.messages(chat_id)) >= count, timeout)
        except TimeoutError:
            got = len(self.messages(chat_id))
            raise TimeoutError(
                f"chat {chat_id}: {got} bot message(s) after {timeout} s, wanted {count}"
            ) from None
        return self.messages(chat_id)[count - 1]

    async def wait_for_call(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        """Wait until ``method`` was called ``count`` times; return that call's parameters."""
        await self.wait_for(lambda: len(self.calls(method)) >= count, timeout)
        return self.calls(method)[count - 1]

    async def wait_until_updates_consumed(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has confirmed (or received by webhook) every queued update."""
        await self.wait_for(lambda: not self.world.updates, timeout)
