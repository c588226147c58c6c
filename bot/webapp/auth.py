"""Who is asking: the Mini App's ``initData``, verified as Telegram specifies.

Every API request carries ``Authorization: tma <initData>``, the string Telegram hands the page
(``Telegram.WebApp.initData``). It is signed with HMAC-SHA256 under the key
HMAC-SHA256("WebAppData", bot token) (core.telegram.org/bots/webapps#validating-data-received-
via-the-mini-app); aiogram's ``safe_parse_webapp_init_data`` checks that. A sign-in older than
``WEB_APP_MAX_AGE_SECONDS`` is refused, because initData does not expire by itself: a copy
leaked from a log or a screenshot would otherwise work forever.

CSRF: the credential travels in a header that a browser never adds by itself (no cookie), and
actions require a JSON body, so another site can neither replay nor forge a request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiogram.utils.web_app import safe_parse_webapp_init_data

from bot.config import Settings
from bot.i18n import pick_language
from bot.roles import Role, resolve_role
from storage.db import Database

log = logging.getLogger(__name__)

SCHEME = "tma"
# A signature stamped this far in our future is a clock skew we accept, not a forgery.
_SKEW = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person: their Telegram id and name, language, and role here."""

    user_id: int
    name: str
    language: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


class AuthError(Exception):
    """Not signed in (401) or not staff (403); ``code`` names why, for the page and the log."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


def init_data_of(header: str | None) -> str:
    """The initData of an ``Authorization: tma <initData>`` header, or AuthError(401)."""
    scheme, _, value = (header or "").strip().partition(" ")
    if scheme.lower() != SCHEME or not value.strip():
        raise AuthError(401, "no_credentials")
    return value.strip()


async def authenticate(
    header: str | None, *, token: str, settings: Settings, db: Database, now: datetime
) -> Viewer:
    init_data = init_data_of(header)
    try:
        data = safe_parse_webapp_init_data(token, init_data)
    except ValueError:
        # Never log the initData itself: it is a credential until it goes stale.
        raise AuthError(401, "bad_signature") from None
    auth_date = data.auth_date
    age = now - auth_date
    if age > timedelta(seconds=settings.web_app_max_age_seconds) or age < -_SKEW:
        raise AuthError(401, "stale")
    user = data.user
    if user is None:
        raise AuthError(401, "no_user")
    role = await resolve_role(user.id, settings, db)
    if role is Role.STRANGER:
        raise AuthError(403, "not_staff")
    name = " ".join(p for p in (user.first_name, user.last_name) if p) or str(user.id)
    language = pick_language(user.language_code, settings.default_language)
    return Viewer(user_id=user.id, name=name, language=language, role=role)
