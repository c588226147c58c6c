"""Dialog state in Redis (``REDIS_URL``): a dialog begun on one instance continues on another.

Two instances of the real bot share the database and a Redis server. The first takes ``/new``
and asks for the title, then stops taking updates (as an instance that dies); the second,
polling the same fake Bot API, gets the title and asks for the text: it read the step from
Redis. With each instance's own memory, the second would take the title for a pasted article
and answer with a draft instead. The same holds for an album whose photos reach two instances:
they join one draft.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import redis.asyncio as redis
from aiogram.fsm.storage.base import StorageKey

from bot.app import create_app
from bot.fsm import KEY_PREFIX
from fakegram.harness import EDITOR_ID, Sandbox
from tests.backends import REDIS_ENV, server_url, stop_polling

ALBUM_CAPTION = (
    "Tram depot reopens after repairs\n\n"
    "The city's oldest tram depot reopened on Monday after two years of repairs, the transport "
    "department said."
)


async def _clean_redis() -> str:
    url = server_url(REDIS_ENV, "Redis")
    client = redis.from_url(url)
    try:
        # A throwaway server, but no test may see another's dialog keys.
        for key in await client.keys(f"{KEY_PREFIX}:*"):
            await client.delete(key)
    finally:
        await client.aclose()
    return url


async def test_a_dialog_begun_on_one_instance_continues_on_another(tmp_path: Path) -> None:
    url = await _clean_redis()
    async with Sandbox(workdir=tmp_path, redis_url=url, editor_language="en") as sandbox:
        tg, first = sandbox.tg, sandbox.bot_app
        assert (await first.health())["dialogs"] == "redis"
        tg.send_text(EDITOR_ID, "/new")
        asked = await tg.wait_for_message(EDITOR_ID)
        assert "Send the title" in asked.visible

        # The first instance takes no more updates (bounded: a hang must fail, not stall).
        await asyncio.wait_for(first.dp.stop_polling(), 10)
        await asyncio.wait_for(sandbox._polling, 10)  # type: ignore[arg-type]
        second = await create_app(sandbox.settings())
        polling = asyncio.create_task(
            second.dp.start_polling(
                second.bot, handle_signals=False, polling_timeout=1, close_bot_session=False
            )
        )
        try:
            tg.send_text(EDITOR_ID, "Tram depot reopens after repairs")
            reply = await tg.wait_for_message(EDITOR_ID, count=2)
            assert "Now the text" in reply.visible
            key = StorageKey(bot_id=second.bot.id, chat_id=EDITOR_ID, user_id=EDITOR_ID)
            data = await second.dp.fsm.storage.get_data(key)
            assert data == {"title": "Tram depot reopens after repairs"}
            # And the first instance's storage reads the same step: one shared state.
            assert await first.dp.fsm.storage.get_state(key) == "NewArticle:text"
        finally:
            await stop_polling(second, polling)
            await second.close()


async def test_an_album_split_between_two_instances_is_one_draft(tmp_path: Path) -> None:
    url = await _clean_redis()
    async with Sandbox(workdir=tmp_path, redis_url=url, editor_language="en") as sandbox:
        tg, first = sandbox.tg, sandbox.bot_app
        tg.send_photo(EDITOR_ID, caption=ALBUM_CAPTION, media_group_id="album-split")
        await tg.wait_for_message(EDITOR_ID)  # the draft's preview: the first photo is handled
        await asyncio.wait_for(first.dp.stop_polling(), 10)
        await asyncio.wait_for(sandbox._polling, 10)  # type: ignore[arg-type]
        async with first.db.read() as uow:
            (made,), _total = await uow.articles.page()
        second = await create_app(sandbox.settings())
        polling = asyncio.create_task(
            second.dp.start_polling(
                second.bot, handle_signals=False, polling_timeout=1, close_bot_session=False
            )
        )
        try:
            # The rest of the album reaches the second instance, which never saw its first photo.
            tg.send_photo(EDITOR_ID, media_group_id="album-split")
            tg.send_photo(EDITOR_ID, media_group_id="album-split")
            await tg.wait_until_updates_consumed()
            # The refreshed preview is an album of all three photos.
            await tg.wait_for(
                lambda: (
                    len({m.photo_file_id for m in tg.messages(EDITOR_ID) if m.media_group_id}) >= 3
                ),
                timeout=10,
            )
            async with second.db.read() as uow:
                articles, _total = await uow.articles.page()
            (article,) = articles
            assert article.id == made.id
            assert len(article.content.photos) == 3
            assert article.content.title == "Tram depot reopens after repairs"
        finally:
            await stop_polling(second, polling)
            await second.close()
