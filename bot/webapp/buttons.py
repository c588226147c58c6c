"""The buttons that open the Mini App: the bot's menu button for staff, and the calendar
button under the admin chat's /queue (bot/views/queue.py builds it)."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import MenuButtonWebApp, WebAppInfo
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.presenters.languages import Languages

log = logging.getLogger(__name__)


async def set_menu_buttons(bot: Bot, settings: Settings, languages: Languages) -> int:
    """The menu button of each staff member's private chat opens the calendar (WEB_APP_URL).

    Per chat rather than the bot's default: a stranger's menu would only open a refusal.
    Returns how many chats took it (one who never started the bot cannot: skipped).
    """
    if settings.web_app_url is None:
        return 0
    with languages.locale(settings.default_language):
        text = _("Calendar")
    button = MenuButtonWebApp(text=text, web_app=WebAppInfo(url=settings.web_app_url))
    done = 0
    for user_id in dict.fromkeys((*settings.admin_ids, *settings.editor_ids)):
        with contextlib.suppress(TelegramAPIError):
            await bot.set_chat_menu_button(chat_id=user_id, menu_button=button)
            done += 1
    log.info("mini app menu button set for %d of the staff's chats", done)
    return done
