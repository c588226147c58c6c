"""What the Mini App's handlers need from the running bot, stored on the aiohttp app."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.presenters.languages import Languages
from bot.publishing import PublishingEngine
from bot.workflow.ports import Desk


@dataclass(frozen=True, slots=True)
class WebAppContext:
    """The workflow's Desk (the same the chat's handlers get: one notifier path, so the admin
    chat's cards follow what the app decides), the engine (held decisions), the languages, and
    the bot token that signs initData (kept here, never put in a page or a log)."""

    desk: Desk
    engine: PublishingEngine
    languages: Languages
    token: str


CONTEXT: web.AppKey[WebAppContext] = web.AppKey("newsroom_webapp", WebAppContext)
