"""Which draft each recent album feeds: in the process, or in Redis shared by every instance.

Telegram sends an album as one update per photo, sharing a ``media_group_id``; the first photo
(or the captioned one) makes the draft and the others join it. Behind a balancer the photos of one
album reach different instances, so with ``REDIS_URL`` the group → draft map lives in Redis
beside the dialog state, and aiogram's ``RedisEventIsolation`` (a lock per chat and user) hands
the photos of one sender to one instance at a time; without Redis a lock per group in the
process does that (``handlers.ingest``).
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from typing import TYPE_CHECKING, Protocol

from aiogram.fsm.storage.base import BaseStorage

if TYPE_CHECKING:  # redis costs ~7 MB of memory: imported only where REDIS_URL is set
    from redis.asyncio import Redis

# An album's photos arrive within seconds of each other; a late one (a slow upload) still joins
# within this.
ALBUM_TTL_SECONDS = 600
# Albums remembered by one process: more than one newsroom sends within ten minutes.
MEMORY_ALBUMS = 256


class AlbumMemo(Protocol):
    async def draft(self, group: str) -> int | None:
        """The draft album ``group`` feeds, or None when it is new (or long past)."""
        ...

    async def remember(self, group: str, article_id: int) -> None: ...


class MemoryAlbums:
    """One instance: the latest albums in a bounded map."""

    def __init__(self, size: int = MEMORY_ALBUMS) -> None:
        self._drafts: OrderedDict[str, int] = OrderedDict()
        self._size = size

    async def draft(self, group: str) -> int | None:
        return self._drafts.get(group)

    async def remember(self, group: str, article_id: int) -> None:
        self._drafts[group] = article_id
        self._drafts.move_to_end(group)
        while len(self._drafts) > self._size:
            self._drafts.popitem(last=False)


class RedisAlbums:
    """Every instance: one key per album, gone after ``ALBUM_TTL_SECONDS``."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, group: str) -> str:
        return f"{self._prefix}:album:{group}"

    async def draft(self, group: str) -> int | None:
        value = await self._redis.get(self._key(group))
        return None if value is None else int(value)

    async def remember(self, group: str, article_id: int) -> None:
        await self._redis.set(self._key(group), article_id, ex=ALBUM_TTL_SECONDS)


def album_memo(storage: BaseStorage, prefix: str) -> AlbumMemo:
    """Albums where the dialogs are: Redis when the FSM storage is Redis, else the process."""
    # A RedisStorage exists only if its module was imported (bot.fsm does so for REDIS_URL):
    # looking it up there keeps redis out of a process that never uses it.
    module = sys.modules.get("aiogram.fsm.storage.redis")
    if module is not None and isinstance(storage, module.RedisStorage):
        return RedisAlbums(storage.redis, prefix)
    return MemoryAlbums()
