"""A loopback HTTP balancer for tests and benches: what deploy/nginx.conf does in production.

Each request goes to the next upstream in turn (round robin). An upstream that refuses or
drops the connection before answering is skipped for ``fail_timeout`` seconds and the request
goes to the next one (nginx's ``proxy_next_upstream error`` with ``max_fails=1``); when none
answers, the client gets 502, and Telegram (here, the fake server's webhook loop) delivers the
update again later. A request an upstream received and then died on is not resent to another:
nginx does not resend a POST (no ``non_idempotent``), the client retries instead.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence

from aiohttp import ClientConnectorError, ClientError, ClientSession, ClientTimeout, web

# Headers that describe one hop, not the request (RFC 9110 section 7.6.1).
_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


class Balancer:
    """``async with Balancer(["127.0.0.1:8081", …]) as lb:`` then point clients at ``lb.url``."""

    def __init__(self, upstreams: Sequence[str], *, fail_timeout: float = 2.0) -> None:
        self.upstreams = list(upstreams)
        self.fail_timeout = fail_timeout
        self.url = ""
        #: How many requests each upstream answered (any status), by its address.
        self.answered: dict[str, int] = dict.fromkeys(self.upstreams, 0)
        self._down_until: dict[str, float] = {}
        self._turn = itertools.count()
        self._client: ClientSession | None = None
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> Balancer:
        self._client = ClientSession(timeout=ClientTimeout(total=60, connect=2))
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    def _order(self) -> list[str]:
        """The upstreams from the next one in turn, those marked down last."""
        start = next(self._turn) % len(self.upstreams)
        ring = self.upstreams[start:] + self.upstreams[:start]
        now = asyncio.get_running_loop().time()
        up = [u for u in ring if self._down_until.get(u, 0.0) <= now]
        return up + [u for u in ring if u not in up]

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._client is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        for upstream in self._order():
            url = f"http://{upstream}{request.rel_url}"
            try:
                async with self._client.request(
                    request.method, url, data=body, headers=headers
                ) as resp:
                    payload = await resp.read()
                    self.answered[upstream] += 1
                    out = {k: v for k, v in resp.headers.items() if k.lower() not in _HOP}
                    return web.Response(status=resp.status, body=payload, headers=out)
            except ClientConnectorError:
                # Refused before the request went out: safe to try the next one.
                self._down_until[upstream] = asyncio.get_running_loop().time() + self.fail_timeout
                continue
            except (ClientError, OSError, TimeoutError) as exc:
                # Received, then lost mid-way: not resent (the client delivers it again).
                self._down_until[upstream] = asyncio.get_running_loop().time() + self.fail_timeout
                return web.Response(status=502, text=f"upstream {upstream} failed: {exc}")
        return web.Response(status=502, text="no upstream answered")
