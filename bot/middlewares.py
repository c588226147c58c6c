"""Dispatcher-wide message middlewares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import Message, TelegramObject

# The update's handler data (the workflow data, and what filters and middlewares added), and
# what a middleware's ``__call__`` goes on with: the next middleware, or the handler.
Data = dict[str, Any]
NextHandler = Callable[[TelegramObject, Data], Awaitable[Any]]
# Commands that belong to an open dialog and must not close it.
DIALOG_COMMANDS = ("/skip", "/cancel")


class CommandClosesPrompt(BaseMiddleware):
    """A new command abandons any open prompt (a reason, a time, a field value).

    Without this, an admin who pressed "Reject" and then typed /queue would have their next
    plain message taken as the rejection reason.
    """

    async def __call__(self, handler: NextHandler, event: TelegramObject, data: Data) -> Any:
        if isinstance(event, Message) and event.text and event.text.startswith("/"):
            command = event.text.split(maxsplit=1)[0].split("@", 1)[0].lower()
            state: FSMContext | None = data.get("state")
            if command not in DIALOG_COMMANDS and state is not None:
                await state.clear()
                # State filters read the state resolved earlier for this update.
                data["raw_state"] = None
        return await handler(event, data)
