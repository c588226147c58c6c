"""Last line of defence: an unexpected error is logged once and the person gets a polite answer.

Errors people can cause are answered where they happen; this catches what slipped through (a
bug, the database briefly unavailable, Telegram failing while the bot answered) so nobody is
left without a reply. Causes outside the bot (the database, Telegram) are one log line each;
only a bug gets a traceback.
"""

from __future__ import annotations

import logging

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.i18n import pick_language
from bot.workflow.queries import StorageError

log = logging.getLogger(__name__)

# A callback query can be answered once: when the connection died after Telegram took the
# answer, the retry is told the query is gone. Nothing is wrong with the bot.
_STALE_QUERY = "query is too old"


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


def storage_error_text(error: StorageError) -> str:
    """What the person is told when the database let them down (in the current locale)."""
    if error.kind == "busy":
        return _(
            "The database is busy right now, so nothing was saved. Please try again in a moment."
        )
    if error.kind in ("readonly", "full"):
        return _(
            "The newsroom's database cannot save anything right now (the disk is full or "
            "read-only); nothing was changed. Please try again later and tell an admin."
        )
    return _(
        "The newsroom's database is unavailable right now; nothing was changed. "
        "Please try again in a minute."
    )


def is_telegram_trouble(exc: BaseException) -> bool:
    """Telegram (or the way to it) failed after the bot's own retries: not a bug here."""
    if isinstance(exc, TelegramNetworkError | TelegramServerError | TelegramRetryAfter):
        return True
    return isinstance(exc, TelegramBadRequest) and _STALE_QUERY in exc.message


async def _report(event: ErrorEvent) -> None:
    exc = event.exception
    update = event.update
    if isinstance(exc, StorageError):
        log.error("update %s not handled, %s", update.update_id, exc)
        text = storage_error_text(exc)
    elif is_telegram_trouble(exc):
        # The work was done or rolled back by the handler; what got lost is (part of) the
        # reply. The answer below may be lost too: that is all one can do.
        log.warning(
            "update %s: Telegram call failed, the reply may be incomplete: %s: %s",
            update.update_id,
            type(exc).__name__,
            exc,
        )
        text = _("Something went wrong on my side; nothing was lost. Please try again.")
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
