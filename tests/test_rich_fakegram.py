"""The fake Bot API's rich messages (issue 15): sendRichMessage and the rich editMessageText,
driven by the real aiogram client; bad structures and over-limit messages get Telegram's 400."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InputRichMessage
from aiohttp import ClientSession

from bot.compose.rich_size import measure_rich
from fakegram import FakeTelegram
from fakegram.methods.rich import RichMethods as _Rich
from fakegram.methods.rich import _Checker

TOKEN = "4242:TEST_token-abc"
CHANNEL = -100500
PHOTO = "https://images.example.org/a.jpg"


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, bot_username="newsroom_bot") as server:
        server.add_channel(CHANNEL, title="Daily", username="daily_news")
        yield server


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    client = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.api_base)))
    try:
        yield client
    finally:
        await client.session.close()


def para(text: Any) -> dict[str, Any]:
    return {"type": "paragraph", "text": text}


def rich(*blocks: dict[str, Any]) -> InputRichMessage:
    return InputRichMessage.model_validate({"blocks": list(blocks)})


def photo(ref: str = PHOTO) -> dict[str, Any]:
    return {"type": "photo", "photo": {"type": "photo", "media": ref}}


def quoted(depth: int, text: Any = "deep") -> dict[str, Any]:
    """A paragraph inside ``depth - 1`` block quotes: a block nested ``depth`` deep."""
    block = para(text)
    for _ in range(depth - 1):
        block = {"type": "blockquote", "blocks": [block]}
    return block


def cell(text: str = "x") -> dict[str, Any]:
    return {"align": "left", "valign": "top", "text": text}


async def test_send_and_read_back_a_rich_message(bot: Bot, tg: FakeTelegram) -> None:
    message = await bot.send_rich_message(
        chat_id=CHANNEL,
        rich_message=rich(
            {"type": "heading", "text": "Title", "size": 1},
            {**photo(), "caption": {"text": "Photo: AP"}},
            para(["A ", {"type": "bold", "text": "bold"}, " word"]),
            {"type": "list", "items": [{"blocks": [para("one")]}, {"blocks": [para("two")]}]},
            {"type": "table", "cells": [[cell("a"), cell("b")]]},
            {"type": "footer", "text": "Source: AP"},
        ),
    )
    assert message.rich_message is not None  # aiogram parses what the fake answers
    (stored,) = tg.messages(CHANNEL)
    assert stored.method == "sendRichMessage" and stored.text is None
    blocks = (stored.rich or {})["blocks"]
    assert blocks[1]["photo"][-1]["file_id"]  # PhotoSize sizes, as Telegram answers
    assert blocks[3]["items"][0]["label"]  # list items read back with a label
    assert stored.visible.splitlines() == [
        "Title", "Photo: AP", "A bold word", "one", "two", "Source: AP"
    ]  # fmt: skip


async def test_limits_are_accepted_exactly_at_the_edge(bot: Bot, tg: FakeTelegram) -> None:
    # 500 blocks with 32,768 characters between them, 50 photos, depth 16, 20 columns.
    texts = [para("x" * 65) for _ in range(447)] + [para("x" * (32_768 - 447 * 65))]
    blocks = [*texts, *[photo() for _ in range(50)], {"type": "divider"}, {"type": "divider"}]
    assert len(blocks) == 500
    await bot.send_rich_message(chat_id=CHANNEL, rich_message=rich(*blocks))
    await bot.send_rich_message(chat_id=CHANNEL, rich_message=rich(quoted(16)))
    table = {"type": "table", "cells": [[cell() for _ in range(20)]]}
    await bot.send_rich_message(chat_id=CHANNEL, rich_message=rich(table))
    assert len(tg.messages(CHANNEL)) == 3


OVER: list[tuple[str, list[dict[str, Any]], str]] = [
    ("text", [para("x" * 16_384), para("y" * 16_385)], "RICH_MESSAGE_TOO_LONG"),
    ("caption counts", [para("x" * 32_768), {**photo(), "caption": {"text": "c"}}],
     "RICH_MESSAGE_TOO_LONG"),
    ("blocks", [para("p") for _ in range(501)], "RICH_MESSAGE_TOO_MANY_BLOCKS"),
    # 1 list + 250 items + 250 paragraphs: list items count as blocks.
    ("list items", [{"type": "list", "items": [{"blocks": [para("i")]} for _ in range(250)]}],
     "RICH_MESSAGE_TOO_MANY_BLOCKS"),
    # 1 table + 499 rows... + 1 paragraph: table rows count as blocks.
    ("table rows", [{"type": "table", "cells": [[cell()] for _ in range(499)]}, para("p")],
     "RICH_MESSAGE_TOO_MANY_BLOCKS"),
    ("depth", [quoted(17)], "RICH_MESSAGE_TOO_DEEP"),
    # A paragraph 15 blocks deep whose text is bold italic: 15 + 2 rich-text levels.
    ("text depth", [quoted(15, {"type": "bold", "text": {"type": "italic", "text": "x"}})],
     "RICH_MESSAGE_TOO_DEEP"),
    ("media", [photo() for _ in range(51)], "RICH_MESSAGE_TOO_MANY_MEDIA"),
    ("columns", [{"type": "table", "cells": [[cell() for _ in range(21)]]}],
     "RICH_TABLE_TOO_MANY_COLUMNS"),
    ("colspan", [{"type": "table", "cells": [[{**cell(), "colspan": 19}, cell(), cell()]]}],
     "RICH_TABLE_TOO_MANY_COLUMNS"),
    ("empty", [], "RICH_MESSAGE_EMPTY"),
    ("heading size", [{"type": "heading", "text": "H", "size": 7}], "RICH_HEADING_SIZE_INVALID"),
    ("bad cell", [{"type": "table", "cells": [[{"align": "justify", "valign": "top"}]]}],
     "RICH_TABLE_CELL_INVALID"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "blocks", "error"), OVER, ids=[c[0] for c in OVER])
async def test_over_limit_or_invalid_message_is_refused(
    bot: Bot, tg: FakeTelegram, name: str, blocks: list[dict[str, Any]], error: str
) -> None:
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.send_rich_message(chat_id=CHANNEL, rich_message=rich(*blocks))
    assert caught.value.message == f"Bad Request: {error}"
    assert tg.messages(CHANNEL) == []  # nothing was posted


async def _raw(tg: FakeTelegram, method: str, **fields: str) -> dict[str, Any]:
    async with (
        ClientSession() as http,
        http.post(f"{tg.api_base}/bot{TOKEN}/{method}", data=fields) as resp,
    ):
        body: dict[str, Any] = await resp.json()
    assert resp.status == body.get("error_code", 200)
    return body


@pytest.mark.parametrize(
    ("rich_message", "error"),
    [
        ({"blocks": [{"type": "cover", "text": "x"}]}, "RICH_VALIDATE_CTOR_NOT_ALLOWED"),
        ({"blocks": [para({"type": "cloud", "text": "x"})]}, "RICH_VALIDATE_CTOR_NOT_ALLOWED"),
        ({"blocks": [{"type": "paragraph"}]}, "RICH_MESSAGE_INVALID"),
        ({"blocks": [para({"type": "url", "text": "x", "url": "javascript:"})]},
         "RICH_URL_INVALID"),
        ({"blocks": [{"type": "photo", "photo": {"type": "photo", "media": "nope"}}]},
         "wrong file identifier/HTTP URL specified"),
        ({"html": "<p>x</p>", "blocks": [para("x")]}, "RICH_MESSAGE_INVALID"),
        ({}, "RICH_MESSAGE_INVALID"),
        ([], "can't parse rich_message JSON object"),
    ],
)  # fmt: skip
async def test_structure_aiogram_would_not_build_is_refused_too(
    tg: FakeTelegram, rich_message: Any, error: str
) -> None:
    body = await _raw(
        tg, "sendRichMessage", chat_id=str(CHANNEL), rich_message=json.dumps(rich_message)
    )
    assert body == {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"}


async def test_posting_rights_apply(bot: Bot, tg: FakeTelegram) -> None:
    tg.set_channel_rights(CHANNEL, can_post=False)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_rich_message(chat_id=CHANNEL, rich_message=rich(para("x")))


async def test_rich_edit_in_place_and_its_refusals(bot: Bot, tg: FakeTelegram) -> None:
    sent = await bot.send_rich_message(chat_id=CHANNEL, rich_message=rich(para("first")))
    edited = await bot.edit_message_text(
        chat_id=CHANNEL, message_id=sent.message_id, rich_message=rich(para("second"))
    )
    assert not isinstance(edited, bool) and edited.message_id == sent.message_id
    (stored,) = tg.messages(CHANNEL)
    assert stored.visible == "second" and [e.method for e in stored.edits] == ["editMessageText"]
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            chat_id=CHANNEL, message_id=sent.message_id, rich_message=rich(para("second"))
        )
    with pytest.raises(TelegramBadRequest, match="RICH_MESSAGE_TOO_MANY_MEDIA"):
        await bot.edit_message_text(
            chat_id=CHANNEL,
            message_id=sent.message_id,
            rich_message=rich(*[photo() for _ in range(51)]),
        )
    assert tg.messages(CHANNEL)[0].visible == "second"  # a refused edit changes nothing
    text = await bot.send_message(chat_id=CHANNEL, text="plain")
    with pytest.raises(TelegramBadRequest, match="there is no rich message to edit"):
        await bot.edit_message_text(
            chat_id=CHANNEL, message_id=text.message_id, rich_message=rich(para("x"))
        )
    # A plain text edit still goes to the ordinary editMessageText.
    await bot.edit_message_text(chat_id=CHANNEL, message_id=text.message_id, text="plainer")
    assert tg.messages(CHANNEL)[1].visible == "plainer"


@pytest.mark.parametrize(
    "blocks",
    [
        [para(["a", {"type": "bold", "text": ["b", {"type": "italic", "text": "c"}]}])],
        [quoted(5), {**photo(), "caption": {"text": "cap", "credit": "AP"}}],
        [{"type": "table", "cells": [[cell("ab"), {**cell("c"), "colspan": 3}]] * 4}],
        [{"type": "list", "items": [{"blocks": [quoted(3)]}] * 3}],
    ],
)
def test_the_composer_counts_as_the_fake_does(blocks: list[dict[str, Any]]) -> None:
    """The bot's count (bot.compose.rich_size) and the fake's own agree on what both build."""
    checker = _Checker(_Rich.__new__(_Rich), {})
    checker.family.resolve_photo = lambda ref, files: []  # type: ignore[method-assign]  # no world
    depth = max(checker.block(b, 1)[1] for b in blocks)
    size = measure_rich(blocks)
    assert (size.chars, size.blocks, size.media, size.depth) == (
        checker.chars,
        checker.blocks,
        checker.media,
        depth,
    )
