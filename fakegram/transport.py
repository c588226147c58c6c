"""The HTTP side: the aiohttp app, routing ``/bot<token>/<method>``, reading the request's
fields, applying a test's faults, and answering in the Bot API's JSON envelope."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from fakegram.errors import ApiError
from fakegram.faults import Faults
from fakegram.limits import RateLimits
from fakegram.params import Handler, Params
from fakegram.records import ApiCall
from fakegram.world import World


class Transport:
    """Serves the Bot API methods of ``methods`` (keys in lower case) on one loopback port."""

    def __init__(
        self,
        world: World,
        faults: Faults,
        rate_limits: RateLimits,
        methods: Mapping[str, Handler],
        *,
        token: str,
        host: str,
        port: int,
    ) -> None:
        self.world = world
        self.faults = faults
        self.rate_limits = rate_limits
        self.methods = methods
        self._token = token
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Listen; returns the API base URL (``http://127.0.0.1:<port>``)."""
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # Pending long polls are woken in stop(), so a short shutdown grace is enough.
        self._runner = web.AppRunner(app, shutdown_timeout=2.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        port = self._runner.addresses[0][1]
        return f"http://{self._host}:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def call(self, key: str, params: Params) -> Any:
        """Carry out method ``key`` (lower case): the result, or an ApiError raised."""
        handler = self.methods.get(key)
        if handler is None:
            raise ApiError(404, "Not Found")
        self.rate_limits.check(key, params)
        result = await handler(params)
        self.world.changed()
        return result

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.world.stats.requests += 1
        method = request.match_info["method"]
        key = method.lower()
        fields, files = await _read_fields(request)
        self.world.requests.append(ApiCall(method, {**fields, **files}))
        self.world.changed()
        if request.match_info["token"] != self._token:
            return self._error_response(ApiError(401, "Unauthorized"))
        fault = self.faults.take(key, fields.get("chat_id") or "")
        if fault is not None:
            if fault.kind == "error":
                error = ApiError(fault.error_code, fault.description, fault.retry_after)
                return self._error_response(error)
            if fault.kind == "drop":
                return self._drop(request)
            if fault.kind == "slow":
                self.world.stats.slowed += 1
                await asyncio.sleep(fault.seconds)
            if fault.kind == "hold" and fault.release is not None:
                await fault.release.wait()
        try:
            result = await self.call(key, Params(fields, files))
        except ApiError as error:
            return self._error_response(error)
        if fault is not None and fault.kind == "drop_after":
            return self._drop(request)
        return web.json_response({"ok": True, "result": result})

    def _error_response(self, error: ApiError) -> web.Response:
        self.world.stats.errors += 1
        if error.error_code == 429:
            self.world.stats.too_many_requests += 1
        self.world.changed()
        return web.json_response(error.body(), status=error.error_code)

    def _drop(self, request: web.Request) -> web.StreamResponse:
        self.world.stats.dropped += 1
        self.world.changed()
        transport = request.transport
        if transport is not None:
            transport.close()
        # aiohttp has nothing to write to any more; the client sees a disconnect.
        raise web.HTTPServiceUnavailable()

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self._token:
            raise web.HTTPUnauthorized()
        path = request.match_info["path"]
        for file in self.world.files.values():
            if file.file_path == path:
                return web.Response(body=file.data or b"\xff\xd8\xff\xd9")
        raise web.HTTPNotFound()


async def _read_fields(request: web.Request) -> tuple[dict[str, str], dict[str, bytes]]:
    """The query string and the body (JSON, urlencoded or multipart) as string fields and
    uploaded parts; JSON values that are not strings are kept as their JSON text."""
    fields: dict[str, str] = dict(request.query)
    files: dict[str, bytes] = {}
    if request.method == "POST":
        if request.content_type == "application/json":
            body = await request.json()
            fields.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
        else:
            post = await request.post()
            for name, value in post.items():
                if isinstance(value, web.FileField):
                    files[name] = value.file.read()
                elif isinstance(value, str):
                    fields[name] = value
                else:
                    files[name] = bytes(value)
    return fields, files
