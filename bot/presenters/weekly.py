"""The weekly report in the admin chat: one photo (the chart) with the figures as its caption.

Implements ``bot.workflow.stats.Reporter``. The chart is drawn in a worker thread so that the
event loop keeps answering people meanwhile.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BufferedInputFile

from bot.config import Settings
from bot.presenters.chart import render_chart
from bot.presenters.languages import Languages
from bot.views.stats import chart_labels, report_caption
from bot.workflow.stats import Stats

log = logging.getLogger(__name__)


class TelegramWeeklyReport:
    def __init__(self, *, settings: Settings, bot: Bot, languages: Languages) -> None:
        self.settings = settings
        self.bot = bot
        self.languages = languages

    async def weekly(self, stats: Stats) -> bool:
        chat_id = self.settings.admin_chat_id
        if chat_id is None:
            return False
        with self.languages.admin():
            caption = report_caption(stats, self.settings.tz)
            title, posts, reactions = chart_labels()
        png = await asyncio.to_thread(
            render_chart, stats.per_day, title=title, posts=posts, reactions=reactions
        )
        first = stats.start.astimezone(self.settings.tz).date()
        try:
            await self.bot.send_photo(
                chat_id,
                BufferedInputFile(png, filename=f"week-{first.isoformat()}.png"),
                caption=caption,
            )
        except TelegramAPIError as exc:
            log.warning("weekly report not sent: %s", exc)
            return False
        return True
