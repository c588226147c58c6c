"""The start-up heap is frozen out of the cyclic garbage collector's sight.

By the time the bot takes its first update it holds a few hundred thousand long-lived objects
(aiogram's pydantic models and their schemas, the routers, the lexicons) that will never be
garbage. CPython's full (generation 2) collection walks every one of them: about 140 ms each
time one comes due, and under a stream of pastes one came due every few hundred updates, which
was about a tenth of a paste's CPU when it fell among them (issue 14). ``gc.freeze()`` moves
what is alive now into the permanent generation, which collections skip; new objects are
collected as before. Collect first, so nothing that is already garbage is frozen with them.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> int:
    """Collect, then freeze every object alive now; how many were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
