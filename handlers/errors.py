"""Last line of defence: an unexpected error is logged once and the person gets a polite answer.

Errors people can cause are answered where they happen; this catches what slipped through (a
bug, the database briefly unavailable) so nobody is left without a reply.
"""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.i18n import pick_language
from storage.db import StorageError

log = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, i18n: I18n, settings: Settings) -> bool:
    """Registered on the dispatcher itself: errors bubble up to parents, never to siblings.

    The i18n middleware's context is gone by the time an error reaches the dispatcher, so the
    reader's language is worked out again here.
    """
    update = event.update
    source = update.message or update.callback_query
    user = source.from_user if source is not None else None
    language = pick_language(user.language_code if user else None, settings.default_language)
    with i18n.context(), i18n.use_locale(language):
        await _report(event)
    return True


async def _report(event: ErrorEvent) -> None:
    exc = event.exception
    update = event.update
    if isinstance(exc, StorageError):
        log.error("storage unavailable while handling update %s: %s", update.update_id, exc)
        text = _(
            "The newsroom's database is unavailable right now; nothing was changed. "
            "Please try again in a minute."
        )
    else:
        log.exception("update %s failed", update.update_id, exc_info=exc)
        text = _("Something went wrong on my side; nothing was lost. Please try again.")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.message is not None:
            await update.message.answer(text)
    except TelegramAPIError:
        pass
