"""The album → draft memo: bounded in one process, shared and expiring in Redis."""

from __future__ import annotations

import pytest
from aiogram.fsm.storage.memory import MemoryStorage

from bot.albums import MemoryAlbums, album_memo


async def test_memory_albums_forget_the_oldest_group_beyond_their_size() -> None:
    albums = MemoryAlbums(size=2)
    await albums.remember("a", 1)
    await albums.remember("b", 2)
    await albums.draft("a")
    await albums.remember("a", 1)  # touched again: "b" is now the oldest
    await albums.remember("c", 3)
    assert [await albums.draft(g) for g in ("a", "b", "c")] == [1, None, 3]


def test_without_redis_the_memo_lives_in_the_process() -> None:
    assert isinstance(album_memo(MemoryStorage(), "newsroom"), MemoryAlbums)


@pytest.mark.parametrize("group", ["", "13371337"])
async def test_an_unknown_group_feeds_no_draft(group: str) -> None:
    assert await MemoryAlbums().draft(group) is None
