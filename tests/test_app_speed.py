"""Start-up wiring that keeps an update cheap (issue 14): magic filters on the event loop, the
start-up heap frozen out of the garbage collector's full passes."""

from __future__ import annotations

import asyncio
import gc
import re
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiogram import F, Router
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.types import Chat, Message

from bot.app_filters import run_magic_filters_inline
from bot.app_heap import freeze_startup_heap
from tests.test_e2e_workflow import SHORT_ARTICLE, Desk, header_of, open_desk


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    async with open_desk(tmp_path, editor_language="en") as d:
        yield d


def _filters(router: Router) -> Iterator[FilterObject]:
    for observer in router.observers.values():
        for handler in (observer._handler, *observer.handlers):
            yield from handler.filters or ()
    for sub in router.sub_routers:
        yield from _filters(sub)


async def test_every_magic_filter_of_the_bot_runs_on_the_event_loop(desk: Desk) -> None:
    magic = [f for f in _filters(desk.sb.bot_app.dp) if f.magic is not None]
    assert magic, "the routers have magic filters (F.text, F.photo, ...)"
    assert all(f.awaitable for f in magic)


async def test_a_pasted_article_reaches_its_handler_without_a_thread_hop(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    hops: list[Callable[..., Any]] = []
    to_thread = asyncio.to_thread

    async def counting(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        hops.append(func)
        return await to_thread(func, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counting)
    _article_id, header = await desk.paste(SHORT_ARTICLE)
    assert "City council approves new bus lanes" in header.visible
    assert "Draft" in header_of(header)
    assert hops == []


def _answer(result: Any) -> Any:
    # A regexp filter answers with a match object, which compares by identity.
    return result.group(0) if isinstance(result, re.Match) else result


def _message(text: str | None) -> Message:
    return Message.model_validate(
        {"message_id": 1, "date": 0, "chat": Chat(id=1, type="private"), "text": text}
    )


@pytest.mark.parametrize(
    "magic",
    [F.text, F.photo, F.text.regexp(r"^https?://"), F.chat.id.as_("chat_id"), ~F.text],
    ids=["text", "photo", "regexp", "as_", "not"],
)
async def test_an_inlined_magic_filter_answers_as_before(magic: Any) -> None:
    router = Router()
    router.message.register(lambda message: None, magic)
    (flt,) = _filters(router)
    events = [_message("hello"), _message("https://example.org"), _message(None)]
    before = [_answer(await flt.call(e)) for e in events]
    assert run_magic_filters_inline(router) == 1
    assert flt.awaitable
    assert [_answer(await flt.call(e)) for e in events] == before
    assert run_magic_filters_inline(router) == 0  # once is enough; a second pass changes nothing


def test_the_frozen_heap_is_kept_and_later_garbage_is_still_collected() -> None:
    class Node:
        other: Any = None

    kept = Node()
    kept.other = kept  # a cycle alive at start-up
    try:
        assert freeze_startup_heap() > 0
        # Frozen: out of every generation the collector walks.
        assert not any(o is kept for o in gc.get_objects())
        later = Node()
        later.other = later  # a cycle made after start-up, then dropped
        ref = weakref.ref(later)
        del later
        gc.collect()
        assert ref() is None
    finally:
        gc.unfreeze()
    assert kept.other is kept
