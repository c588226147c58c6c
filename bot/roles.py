"""Who may do what: roles resolved once per update, checked by router filters.

Handlers never check roles themselves: each router declares the role it needs with
``router.message.filter(HasRole(...))``, so a handler cannot be reached by the wrong person even
if someone forgets a check inside it.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from aiogram import BaseMiddleware
from aiogram.filters import Filter
from aiogram.types import TelegramObject, User

from bot.config import Settings
from bot.middlewares import Data, NextHandler
from storage.db import Database


class Role(IntEnum):
    """Ordered: a higher role may do everything a lower one may."""

    STRANGER = 0
    EDITOR = 1
    ADMIN = 2


async def resolve_role(user_id: int, settings: Settings, db: Database) -> Role:
    if user_id in settings.admin_ids:
        return Role.ADMIN
    if user_id in settings.editor_ids:
        return Role.EDITOR
    async with db.read() as uow:
        user = await uow.users.get(user_id)
    if user is None:
        return Role.STRANGER
    return Role.ADMIN if user.role == "admin" else Role.EDITOR


class RoleMiddleware(BaseMiddleware):
    """Puts ``role`` (and ``user_id``) into the handler data for every update with a sender."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self._settings = settings
        self._db = db

    async def __call__(self, handler: NextHandler, event: TelegramObject, data: Data) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:
            data["role"] = Role.STRANGER
        else:
            data["role"] = await resolve_role(user.id, self._settings, self._db)
        return await handler(event, data)


class HasRole(Filter):
    """Passes when the sender's role is at least ``minimum``."""

    def __init__(self, minimum: Role) -> None:
        self.minimum = minimum

    async def __call__(self, event: TelegramObject, role: Role = Role.STRANGER) -> bool:
        return role >= self.minimum


class IsStranger(Filter):
    async def __call__(self, event: TelegramObject, role: Role = Role.STRANGER) -> bool:
        return role is Role.STRANGER
