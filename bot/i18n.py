"""Translations: aiogram's gettext-based i18n with catalogues in ``bot/locales``.

Texts are written in English in the code (``_("...")``) and translated in
``bot/locales/<lang>/LC_MESSAGES/messages.po`` (compiled ``.mo`` files are committed, so an install
needs no build step; ``make i18n`` re-extracts and recompiles them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("ru", "en")


def make_i18n(default_language: str) -> I18n:
    return I18n(path=LOCALES_DIR, default_locale=default_language, domain="messages")


def pick_language(language_code: str | None, default: str) -> str:
    """The user's Telegram language when we speak it ("ru-RU" -> "ru"), else the default."""
    if language_code:
        base = language_code.replace("_", "-").split("-", 1)[0].lower()
        if base in LANGUAGES:
            return base
    return default


class UserLanguageMiddleware(I18nMiddleware):
    """Chooses the locale from the sender's Telegram language, else ``DEFAULT_LANGUAGE``."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        locale = pick_language(user.language_code if user else None, self.i18n.default_locale)
        data["language"] = locale
        return locale
