"""The album → draft memo: bounded in one process, shared and expiring in Redis."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from aiogram.fsm.storage.memory import MemoryStorage

from bot.albums import MemoryAlbums, album_memo

ROOT = Path(__file__).resolve().parent.parent


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


async def test_with_redis_the_memo_is_shared_in_redis() -> None:
    from aiogram.fsm.storage.redis import RedisStorage

    from bot.albums import RedisAlbums

    storage = RedisStorage.from_url("redis://127.0.0.1:1/0")  # never connected: no command sent
    try:
        assert isinstance(album_memo(storage, "newsroom"), RedisAlbums)
    finally:
        await storage.close()


def test_a_bot_without_redis_never_imports_it() -> None:
    # redis and aiogram's RedisStorage cost ~7 MB of a process that has no REDIS_URL (issue
    # 14's memory figure); a fresh interpreter, since this test process may have them loaded.
    code = "import sys, bot.app, handlers\nprint('redis' in sys.modules)\n"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"
