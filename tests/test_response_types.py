"""The response models aiogram validates every answer with outlive garbage collections."""

from __future__ import annotations

import gc
import weakref

from aiogram import methods
from aiogram.methods import Response
from aiogram.types import Message, Update

import bot.presenters  # noqa: F401  (the package keeps them, whatever the bot imports first)
from bot.presenters.response_types import KEPT


def test_hot_response_models_survive_collections_and_are_the_ones_aiogram_uses() -> None:
    for returning in (Message, bool, list[Update], methods.EditMessageText.__returning__):
        model = Response[returning]  # type: ignore[valid-type]
        assert model in KEPT
        ref = weakref.ref(model)
        del model
        gc.collect()
        assert ref() is not None
        assert Response[returning] is ref()  # type: ignore[valid-type]


def test_without_holding_pydantic_frees_a_response_model() -> None:
    # Why the module exists: a model nothing holds is built again after a collection.
    ref = weakref.ref(Response[methods.GetMyName.__returning__])  # type: ignore[valid-type]
    gc.collect()
    assert ref() is None
