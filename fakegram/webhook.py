"""Webhook delivery: setWebhook & co, and the loop that POSTs queued updates to the bot.

Updates go one at a time, in order; a failed delivery is retried after ``retry_delay`` and
shows in getWebhookInfo's ``last_error_message``, as on Telegram. A webhook answer may itself
be a Bot API call, which is carried out like a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import ClientSession, ClientTimeout

from fakegram.errors import ApiError, bad
from fakegram.params import Handler, Params
from fakegram.records import ApiCall, JsonDict, WebhookDelivery
from fakegram.world import World

_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class Webhook:
    """The bot's webhook, if it set one, and the task delivering to it."""

    def __init__(self, world: World, call: Callable[[str, Params], Awaitable[Any]]) -> None:
        self.world = world
        self._call = call  # carries out a Bot API call that a webhook answer makes
        self.url = ""
        self.secret: str | None = None
        self.last_error: tuple[int, str] | None = None
        self.retry_delay = 0.2
        self.deliveries: list[WebhookDelivery] = []
        self._task: asyncio.Task[None] | None = None
        self._client: ClientSession | None = None

    async def start(self) -> None:
        self._client = ClientSession(timeout=ClientTimeout(total=10))

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
        allowed = params.json("allowed_updates")
        if isinstance(allowed, list):
            world.allowed_updates = [str(kind) for kind in allowed] or None
        if params.flag("drop_pending_updates"):
            world.updates.clear()
        self.url = url
        self.secret = secret
        self.last_error = None
        world.poll_generation += 1  # a pending getUpdates ends with 409 like on Telegram
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
            info["max_connections"] = 40
            if self.world.allowed_updates is not None:
                info["allowed_updates"] = self.world.allowed_updates
        if self.last_error is not None:
            info["last_error_date"], info["last_error_message"] = self.last_error
        return info

    # ------------------------------------------------------------------ delivery

    async def _loop(self, url: str, secret: str | None) -> None:
        """Deliver queued updates one at a time, in order; retry failures after a delay."""
        world = self.world
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        while not world.closing:
            await world.signal.wait_until(lambda: bool(world.deliverable()), None)
            pending = world.deliverable()
            if not pending or self._client is None:
                continue
            update = pending[0]
            status, error, reply = await self._post(self._client, url, update, headers)
            self.deliveries.append(WebhookDelivery(update["update_id"], status, error))
            if error is None:
                if world.updates and world.updates[0] is update:
                    world.updates.popleft()
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
