"""Where dialog state lives: in the process (one instance), or in Redis (``REDIS_URL``: every
instance reads the step a person is at, so a dialog begun on one continues on another).

With Redis the updates of one chat are also handled one at a time across all instances
(aiogram's ``RedisEventIsolation``, a lock per chat and user): two instances behind a balancer
cannot answer the same person's two quick messages at once from two stale steps.
"""

from __future__ import annotations

from datetime import timedelta

from aiogram import Dispatcher
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import MemoryStorage

from bot.config import Settings

# An abandoned dialog's step and answers go after this (the memory storage kept them until the
# next restart).
DIALOG_TTL = timedelta(days=2)
KEY_PREFIX = "newsroom"


def fsm_backends(settings: Settings) -> tuple[BaseStorage, BaseEventIsolation | None]:
    """The FSM storage and event isolation for the dispatcher (None: aiogram's default)."""
    if settings.redis_url is None:
        return MemoryStorage(), None
    from aiogram.fsm.storage.redis import RedisStorage

    url = settings.redis_url.get_secret_value()
    # with_bot_id: two bots (staging and production) may share one Redis.
    keys = DefaultKeyBuilder(prefix=KEY_PREFIX, with_bot_id=True)
    storage = RedisStorage.from_url(
        url, key_builder=keys, state_ttl=DIALOG_TTL, data_ttl=DIALOG_TTL
    )
    # One connection pool for both: the isolation's own close() closes nothing, the storage's
    # closes the pool.
    return storage, storage.create_isolation()


def fsm_kind(settings: Settings) -> str:
    """What health reports: ``"redis"`` or ``"memory"``."""
    return "memory" if settings.redis_url is None else "redis"


def close_storage_last(dp: Dispatcher) -> None:
    """Keep the FSM storage open when polling stops; ``App.close`` closes it at the end.

    aiogram closes it on the dispatcher's shutdown, i.e. as soon as polling stops, while the
    handlers of updates already taken still run (``App.stop_background`` gives them the grace
    period) and a standby that takes the lead again polls anew: with Redis, those would find
    the connection pool closed under them.
    """
    own_close = dp.fsm.close
    dp.shutdown.handlers[:] = [h for h in dp.shutdown.handlers if h.callback != own_close]
