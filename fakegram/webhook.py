"""Webhook delivery: setWebhook & co, and the loop that POSTs queued updates to the bot.

Up to ``max_connections`` updates are in flight at once (setWebhook's parameter, 1-100, 40 by
default, as on Telegram), one chat's updates one at a time and in order (a bot sees a person's
messages in the order they were sent). An update is gone only once the bot answered 2xx: a
failed delivery (an error status, a refused or reset connection, an instance killed mid-way)
is retried after ``retry_delay`` and shows in getWebhookInfo's ``last_error_message``, as on
Telegram. A webhook answer may itself be a Bot API call, which is carried out like a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from aiohttp import ClientSession, ClientTimeout

from fakegram.errors import ApiError, bad
from fakegram.params import Handler, Params
from fakegram.records import ApiCall, JsonDict, WebhookDelivery
from fakegram.world import World

_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DEFAULT_MAX_CONNECTIONS = 40
ANSWER_TIMEOUT_SECONDS = 60  # Telegram's default; setWebhook accepts 1-100


def chat_key(update: JsonDict) -> int | None:
    """The chat whose order an update keeps (None: it may go beside anything)."""
    body = next((v for k, v in update.items() if k != "update_id"), None)
    if not isinstance(body, dict):
        return None
    for holder in (body, body.get("message")):
        if isinstance(holder, dict) and isinstance(holder.get("chat"), dict):
            return int(holder["chat"]["id"])
    sender = body.get("from") or body.get("user")
    return int(sender["id"]) if isinstance(sender, dict) else None


def _landed(
    tasks: set[asyncio.Task[None]],
    flying: set[int],
    busy: set[int | None],
    update: JsonDict,
    key: int | None,
    world: World,
    task: asyncio.Task[None],
) -> None:
    """A delivery ended (either way): its connection and its chat are free again."""
    tasks.discard(task)
    flying.discard(update["update_id"])
    busy.discard(key)
    world.changed()


class Webhook:
    """The bot's webhook, if it set one, and the task delivering to it."""

    def __init__(self, world: World, call: Callable[[str, Params], Awaitable[Any]]) -> None:
        self.world = world
        self._call = call  # carries out a Bot API call that a webhook answer makes
        self.url = ""
        self.secret: str | None = None
        self.last_error: tuple[int, str] | None = None
        self.retry_delay = 0.2
        self.max_connections = DEFAULT_MAX_CONNECTIONS
        self.deliveries: list[WebhookDelivery] = []
        self._task: asyncio.Task[None] | None = None
        self._client: ClientSession | None = None

    async def start(self) -> None:
        # Telegram waits about a minute for the answer before it gives the update up as failed
        # and delivers it again (aiogram moves a handler past 55 s to the background for that).
        self._client = ClientSession(timeout=ClientTimeout(total=ANSWER_TIMEOUT_SECONDS))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._client is not None:
            await self._client.close()
            self._client = None

    def table(self) -> dict[str, Handler]:
        return {
            "setwebhook": self.set_webhook,
            "deletewebhook": self.delete_webhook,
            "getwebhookinfo": self.get_webhook_info,
        }

    # ------------------------------------------------------------------ Bot API methods

    async def set_webhook(self, params: Params) -> bool:
        world = self.world
        url = params.opt("url") or ""
        if url and not url.startswith(("http://", "https://")):
            raise bad("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = params.opt("secret_token")
        if secret is not None and not _SECRET_RE.match(secret):
            raise bad("bad webhook: secret token contains unallowed characters")
        connections = params.opt_int("max_connections")
        if connections is not None and not 1 <= connections <= 100:
            raise bad("bad webhook: max_connections must be between 1 and 100")
        allowed = params.json("allowed_updates")
        if isinstance(allowed, list):
            world.allowed_updates = [str(kind) for kind in allowed] or None
        if params.flag("drop_pending_updates"):
            world.updates.clear()
        running = (self.url, self.secret)
        self.url = url
        self.secret = secret
        self.max_connections = connections or DEFAULT_MAX_CONNECTIONS
        self.last_error = None
        world.poll_generation += 1  # a pending getUpdates ends with 409 like on Telegram
        if self._task is not None and not self._task.done() and (url, secret) == running:
            return True  # every replica sets the same webhook at its start: nothing changes
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if url:
            self._task = asyncio.create_task(self._loop(url, secret))
        return True

    async def delete_webhook(self, params: Params) -> bool:
        if params.flag("drop_pending_updates"):
            self.world.updates.clear()
        self.url = ""
        self.secret = None
        if self._task is not None:
            self._task.cancel()
            self._task = None
        return True

    async def get_webhook_info(self, params: Params) -> JsonDict:
        info: JsonDict = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
        }
        if self.url:
            info["max_connections"] = self.max_connections
            if self.world.allowed_updates is not None:
                info["allowed_updates"] = self.world.allowed_updates
        if self.last_error is not None:
            info["last_error_date"], info["last_error_message"] = self.last_error
        return info

    # ------------------------------------------------------------------ delivery

    async def _loop(self, url: str, secret: str | None) -> None:
        """Start deliveries while connections are free: the oldest update of a chat with
        nothing in flight, in queue order."""
        world = self.world
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        busy: set[int | None] = set()  # chats with an update in flight (None: never blocks)
        flying: set[int] = set()  # ids of the updates in flight
        tasks: set[asyncio.Task[None]] = set()

        def next_update() -> JsonDict | None:
            if len(flying) >= self.max_connections or self._client is None:
                return None
            blocked: set[int | None] = set(busy)
            for update in world.deliverable():
                key = chat_key(update)
                if update["update_id"] not in flying and (key is None or key not in blocked):
                    return update
                blocked.add(key)  # a later update of this chat waits for this one
            return None

        try:
            while not world.closing:
                await world.signal.wait_until(lambda: next_update() is not None, None)
                update = next_update()
                if update is None:
                    continue
                key = chat_key(update)
                flying.add(update["update_id"])
                if key is not None:
                    busy.add(key)
                task = asyncio.create_task(self._deliver(url, update, headers))
                tasks.add(task)
                task.add_done_callback(partial(_landed, tasks, flying, busy, update, key, world))
        finally:
            for task in tasks:
                task.cancel()

    async def _deliver(self, url: str, update: JsonDict, headers: dict[str, str]) -> None:
        """POST one update; gone from the queue on a 2xx, else retried after a delay."""
        world = self.world
        assert self._client is not None
        status, error, reply = await self._post(self._client, url, update, headers)
        self.deliveries.append(WebhookDelivery(update["update_id"], status, error))
        if error is None:
            with contextlib.suppress(ValueError):
                world.updates.remove(update)
            world.changed()
            await self._reply(reply)
        else:
            self.last_error = (world.now(), error)
            world.changed()
            await world.signal.wait_until(lambda: world.closing, self.retry_delay)

    @staticmethod
    async def _post(
        client: ClientSession, url: str, update: JsonDict, headers: dict[str, str]
    ) -> tuple[int | None, str | None, Any]:
        """POST one update: the HTTP status (None if unreachable), the error, the JSON answer."""
        status: int | None = None
        error: str | None = None
        reply: Any = None
        try:
            async with client.post(url, json=update, headers=headers) as resp:
                status = resp.status
                if 200 <= status < 300:
                    text = await resp.text()
                    with contextlib.suppress(ValueError):
                        reply = json.loads(text) if text else None
                else:
                    error = f"Wrong response from the webhook: {status} {resp.reason}"
        except (OSError, TimeoutError) as exc:
            error = f"Connection failed: {type(exc).__name__}"
        except Exception as exc:  # aiohttp's ClientError family and friends
            error = f"Connection failed: {type(exc).__name__}: {exc}"
        return status, error, reply

    async def _reply(self, reply: Any) -> None:
        """A webhook answer may itself be a Bot API call ({"method": …, params…})."""
        if not isinstance(reply, dict) or not isinstance(reply.get("method"), str):
            return
        method = reply["method"]
        fields = {
            k: v if isinstance(v, str) else json.dumps(v)
            for k, v in reply.items()
            if k != "method" and v is not None
        }
        self.world.requests.append(ApiCall(method, dict(fields)))
        with contextlib.suppress(ApiError):
            await self._call(method.lower(), Params(fields, {}))
