"""Magic filters (``F.text``, ``F.photo``, ``F.forward_origin.as_("origin")``) run on the event
loop, not in a worker thread.

aiogram calls every synchronous filter through ``asyncio.to_thread`` (``CallableObject.call``),
and a magic filter's ``resolve`` is synchronous: each one a pasted article passes on its way to
its handler was a thread-pool hop (submit, a worker's wake-up, the loop's wake-up through its
self-pipe). Five of them on a paste were about a tenth of its CPU (issue 14). A magic filter
only reads attributes of the update and compares them (no I/O, nothing that blocks), so it can
run where the update already is; the answer is the same, so is the order of the filters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject


def _on_the_loop(resolve: Callable[..., Any]) -> Callable[..., Any]:
    async def run(*args: Any, **kwargs: Any) -> Any:
        return resolve(*args, **kwargs)

    return run


def _inline(flt: FilterObject) -> bool:
    if flt.magic is None or flt.awaitable:
        return False
    # ``params`` and ``varkw`` were read from ``resolve``'s signature and stay as they are, so
    # the filter is still called with exactly the arguments it was.
    flt.callback = _on_the_loop(flt.callback)
    flt.awaitable = True
    return True


def run_magic_filters_inline(router: Router) -> int:
    """Make every magic filter of ``router`` and the routers under it run on the event loop
    (both the observers' own filters and their handlers'); how many were changed."""
    changed = 0
    for observer in router.observers.values():
        # ``_handler`` holds the observer's own filters (``router.message.filter(...)``).
        for handler in (observer._handler, *observer.handlers):
            changed += sum(_inline(flt) for flt in handler.filters or ())
    for sub in router.sub_routers:
        changed += run_magic_filters_inline(sub)
    return changed
