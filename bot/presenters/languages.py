"""Texts for people other than the sender of the update being handled."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from aiogram.utils.i18n import I18n


class Languages:
    """Switches the gettext locale for an author's or the admin chat's language."""

    def __init__(self, i18n: I18n, admin_language: str) -> None:
        self.i18n = i18n
        self.admin_language = admin_language

    @contextlib.contextmanager
    def locale(self, language: str) -> Iterator[None]:
        with self.i18n.context(), self.i18n.use_locale(language or self.i18n.default_locale):
            yield

    def admin(self) -> contextlib.AbstractContextManager[None]:
        """The admin chat's language (the default language)."""
        return self.locale(self.admin_language)
