"""aiogram's response models for the methods the bot calls all the time, built once and kept.

aiogram validates every answer with ``Response[method.__returning__]``, a parametrised pydantic
model. pydantic caches those in a ``WeakValueDictionary``: nothing else holds the class, so the
next garbage collection frees it and the next request builds it again (about 5 ms of CPU each
time, several times a minute under load; issue 14 measured ~0.7 ms per pasted article). Holding
them here keeps pydantic's cache warm for the life of the process; the answers are the same
classes and validate the same way.
"""

from __future__ import annotations

from typing import Any, Final

from aiogram import methods
from aiogram.methods import Response

__all__ = ["KEPT"]

# Polling, previews, cards, notices, button answers: every update involves some of these.
_HOT: Final = (
    methods.GetUpdates,
    methods.SendMessage,
    methods.SendPhoto,
    methods.SendMediaGroup,
    methods.EditMessageText,
    methods.EditMessageCaption,
    methods.EditMessageReplyMarkup,
    methods.EditMessageMedia,
    methods.DeleteMessage,
    methods.AnswerCallbackQuery,
    methods.GetChatMember,
)

#: The response models, held for the life of the process (see the module's docstring).
KEPT: Final[tuple[Any, ...]] = tuple(
    {repr(m.__returning__): Response[m.__returning__] for m in _HOT}.values()  # type: ignore[name-defined]
)
