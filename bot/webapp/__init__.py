"""The newsroom calendar, a Telegram Mini App served by the bot's own aiohttp application.

``GET /app`` is the page (static files under ``static/``, no build step, nothing loaded from
the internet); ``/app/api/...`` the JSON it reads and acts through (:mod:`bot.webapp.api`).
See docs/MINI_APP.md.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.webapp.api import add_api_routes
from bot.webapp.context import CONTEXT, WebAppContext

__all__ = ["STATIC_DIR", "WebAppContext", "add_webapp"]

STATIC_DIR = Path(__file__).parent / "static"
# The page loads only its own files and talks only to this server; Telegram's clients embed it
# in a frame (the web client), so framing is not forbidden.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:;"
        " connect-src 'self'; base-uri 'none'; form-action 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


async def page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html", headers=_PAGE_HEADERS)


def add_webapp(app: web.Application, context: WebAppContext) -> None:
    """Serve the Mini App from ``app`` (the webhook's or a server of its own)."""
    app[CONTEXT] = context
    app.router.add_get("/app", page)
    app.router.add_get("/app/", page)
    app.router.add_static("/app/static", STATIC_DIR, append_version=False)
    add_api_routes(app)
