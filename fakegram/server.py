"""A fake Telegram Bot API server that the real aiogram client talks to over 127.0.0.1.

Tests and the offline demo run the actual bot against it: aiogram serialises requests exactly as
it would for api.telegram.org, and this server answers the way Telegram does where it matters to
a publishing bot (limits counted after entity parsing, "message is not modified", 403 for chats
the bot may not post to, 429 with ``retry_after``, long polling, webhooks). It also plays the
people: users write to the bot, forward channel posts and press inline buttons, and every call the
bot made can be read back.

:class:`FakeTelegram` puts the parts together; each lives in a module of its own:

- ``world``: chats, people, messages with per-chat ids, files, the update queue;
- ``scene``, ``people``, ``reactions``, ``readback``: what a test does (set up, act as people
  and as a channel's audience, read back);
  ``direct``: subscribers writing to a channel's direct messages and suggesting posts;
- ``faults`` and ``limits``: injected faults, seeded chaos, Telegram's limits and 429s;
- ``transport``: the aiohttp app, routing and the JSON envelope; ``webhook``: delivery;
- ``methods``: the Bot API methods by family; ``entities``: the HTML parse mode.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from fakegram.direct import DirectMessages
from fakegram.errors import ApiError
from fakegram.faults import FaultControls, Faults
from fakegram.limits import RateLimits
from fakegram.methods import method_table
from fakegram.params import Params
from fakegram.people import People
from fakegram.reactions import Audience
from fakegram.readback import Readback
from fakegram.records import (
    ApiCall,
    CallbackAnswer,
    CommandsRecord,
    InjectedFault,
    MessageEdit,
    SentMessage,
    ServerStats,
    User,
    WebhookDelivery,
)
from fakegram.scene import Scene
from fakegram.transport import Transport
from fakegram.webhook import Webhook
from fakegram.world import World

__all__ = [
    "ApiCall",
    "ApiError",
    "CallbackAnswer",
    "CommandsRecord",
    "FakeTelegram",
    "InjectedFault",
    "MessageEdit",
    "SentMessage",
    "ServerStats",
    "WebhookDelivery",
]

_TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]+$")


class FakeTelegram(Scene, People, DirectMessages, Audience, Readback, FaultControls):
    """The fake Bot API server; use ``async with FakeTelegram(token=…) as tg``."""

    def __init__(
        self,
        token: str = "123456:TEST-token_for-newsroom",
        *,
        bot_username: str = "newsroom_bot",
        bot_name: str = "Newsroom",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        strict_images: bool = False,
        enforce_delete_window: bool = True,
    ) -> None:
        match = _TOKEN_RE.match(token)
        if match is None:
            raise ValueError("a bot token looks like '<digits>:<letters, digits, _ or ->'")
        self.token = token
        self.bot_id = int(match.group(1))
        self.bot_username = bot_username
        self.world = World(
            User(self.bot_id, bot_name, is_bot=True, username=bot_username),
            clock=clock,
            wall_clock=wall_clock,
            strict_images=strict_images,
            enforce_delete_window=enforce_delete_window,
        )
        self.faults = Faults()
        self.rate_limits = RateLimits(self.world)
        self.webhook = Webhook(self.world, self._call)
        self._transport = Transport(
            self.world,
            self.faults,
            self.rate_limits,
            method_table(self.world, self.webhook),
            token=token,
            host=host,
            port=port,
        )
        self.api_base = ""

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self.api_base = await self._transport.start()
        await self.webhook.start()

    async def stop(self) -> None:
        self.world.closing = True
        self.world.changed()  # long polls return now instead of holding the shutdown
        await self.webhook.stop()
        await self._transport.stop()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------ settings and records

    @property
    def clock(self) -> Callable[[], float]:
        """Monotonic seconds: rate-limit windows."""
        return self.world.clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self.world.clock = clock

    @property
    def wall_clock(self) -> Callable[[], float]:
        """Unix time: message dates, the 48 h delete rule."""
        return self.world.wall_clock

    @wall_clock.setter
    def wall_clock(self, clock: Callable[[], float]) -> None:
        self.world.wall_clock = clock

    @property
    def strict_images(self) -> bool:
        """Reject uploads that are not PNG/GIF/JPEG."""
        return self.world.strict_images

    @strict_images.setter
    def strict_images(self, strict: bool) -> None:
        self.world.strict_images = strict

    @property
    def enforce_delete_window(self) -> bool:
        return self.world.enforce_delete_window

    @enforce_delete_window.setter
    def enforce_delete_window(self, enforce: bool) -> None:
        self.world.enforce_delete_window = enforce

    @property
    def webhook_retry_delay(self) -> float:
        return self.webhook.retry_delay

    @webhook_retry_delay.setter
    def webhook_retry_delay(self, seconds: float) -> None:
        self.webhook.retry_delay = seconds

    @property
    def webhook_url(self) -> str:
        return self.webhook.url

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        return self.webhook.deliveries

    @property
    def requests(self) -> list[ApiCall]:
        return self.world.requests

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        return self.world.callback_answers

    @property
    def commands(self) -> list[CommandsRecord]:
        return self.world.commands

    @property
    def stats(self) -> ServerStats:
        return self.world.stats

    def history(self) -> tuple[object, ...]:
        """The containers that keep everything the server has recorded (requests, messages,
        callback queries and answers, files, command menus, webhook deliveries, chaos faults).

        They grow with the traffic by design, as Telegram's own storage would: a load test that
        measures the bot's memory leaves whatever is reachable from them out.
        """
        world = self.world
        return (
            world.requests,
            world.messages,
            world.callbacks,
            world.callback_answers,
            world.files,
            world.url_cache,
            world.commands,
            self.webhook.deliveries,
            self.faults.chaos_log,
        )

    def _changed(self) -> None:
        """Wake whoever waits (``wait_for``): for tests whose predicates read their own state."""
        self.world.changed()

    async def _call(self, key: str, params: Params) -> Any:
        return await self._transport.call(key, params)
