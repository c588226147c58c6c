"""The fake Bot API server, driven by the real aiogram client (fakegram/)."""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    LinkPreviewOptions,
    Message,
)
from aiohttp import ClientSession, web

from fakegram import FakeTelegram

TOKEN = "4242:TEST_token-abc"
USER = 501
CHANNEL = -100500


def _png(width: int, height: int) -> bytes:
    """A tiny valid PNG header (enough for the server to read dimensions)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


def _keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=d[:10] or "x", callback_data=d) for d in data]]
    )


def _bot_for(tg: FakeTelegram, token: str = TOKEN) -> Bot:
    return Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.api_base)))


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, bot_username="newsroom_bot") as server:
        server.add_user(USER, "Ann", username="ann")
        server.add_channel(CHANNEL, title="Daily", username="daily_news")
        yield server


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    client = _bot_for(tg)
    try:
        yield client
    finally:
        await client.session.close()


# ---------------------------------------------------------------- sending


async def test_get_me_reports_the_bot(bot: Bot, tg: FakeTelegram) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (4242, True, "newsroom_bot")
    assert tg.calls("getMe") == [{}]


async def test_wrong_token_is_unauthorized(tg: FakeTelegram) -> None:
    intruder = _bot_for(tg, "4242:other")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await intruder.get_me()
    finally:
        await intruder.session.close()


async def test_unknown_method_is_not_found(tg: FakeTelegram) -> None:
    async with (
        ClientSession() as http,
        http.post(f"{tg.api_base}/bot{TOKEN}/sendTelepathy", data={"x": "1"}) as resp,
    ):
        body = await resp.json()
    assert resp.status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_send_message_records_parsed_text_and_markup(bot: Bot, tg: FakeTelegram) -> None:
    sent = await bot.send_message(
        "@daily_news",
        "<b>Breaking</b> &amp; more",
        parse_mode="HTML",
        reply_markup=_keyboard("pub:1"),
        disable_notification=True,
        link_preview_options=LinkPreviewOptions(url="https://e.com/a", prefer_large_media=True),
    )
    assert sent.chat.id == CHANNEL
    assert sent.text == "Breaking & more"
    record = tg.last_message(CHANNEL)
    assert record is not None
    assert record.message_id == sent.message_id == 1
    assert record.text == "Breaking & more"
    assert record.html == "<b>Breaking</b> &amp; more"
    assert record.entities == [{"type": "bold", "offset": 0, "length": 8}]
    assert record.disable_notification is True
    assert record.link_preview_options == {"url": "https://e.com/a", "prefer_large_media": True}
    assert record.buttons == [{"text": "pub:1", "callback_data": "pub:1"}]
    assert record.button_data == [["pub:1"]]
    assert record.photos == []


async def test_message_ids_are_per_chat(bot: Bot, tg: FakeTelegram) -> None:
    tg.add_group(-7, "Editors")
    ids = [(await bot.send_message(chat, "x")).message_id for chat in (CHANNEL, -7, CHANNEL, USER)]
    assert ids == [1, 1, 2, 1]
    assert [m.message_id for m in tg.messages(CHANNEL)] == [1, 2]


async def test_text_limit_is_counted_after_entities(bot: Bot, tg: FakeTelegram) -> None:
    # 4095 letters + "&amp;" is 4096 visible characters: accepted although the source is longer.
    ok = "<b>" + "a" * 4095 + "</b>&amp;"
    sent = await bot.send_message(USER, ok, parse_mode="HTML")
    assert len(sent.text or "") == 4096
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, ok + "b", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "a" * 4097)


async def test_text_limit_counts_code_points_not_utf16(bot: Bot) -> None:
    sent = await bot.send_message(USER, "😀" * 4096)
    assert sent.text == "😀" * 4096


async def test_empty_text_after_trimming_is_rejected(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER, "<b>  </b>\n", parse_mode="HTML")


async def test_malformed_html_is_rejected(bot: Bot, tg: FakeTelegram) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Unsupported start tag"):
        await bot.send_message(USER, "1 < 2", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(USER, "<b>open <i>x</b>", parse_mode="HTML")
    assert tg.messages(USER) == []


async def test_too_many_entities_are_rejected(bot: Bot) -> None:
    await bot.send_message(USER, "<b>x</b> " * 100, parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="too many entities"):
        await bot.send_message(USER, "<b>x</b> " * 101, parse_mode="HTML")


async def test_callback_data_is_limited_to_64_bytes(bot: Bot) -> None:
    await bot.send_message(USER, "ok", reply_markup=_keyboard("x" * 64))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "no", reply_markup=_keyboard("x" * 65))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "no", reply_markup=_keyboard("й" * 33))  # 66 bytes


async def test_url_buttons_need_http_or_tg(bot: Bot) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="open", url="javascript:alert(1)")]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_URL_INVALID"):
        await bot.send_message(USER, "x", reply_markup=markup)


async def test_unknown_chat_and_username(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999, "x")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message("@nobody_here", "x")


async def test_forbidden_chats(bot: Bot, tg: FakeTelegram) -> None:
    tg.add_channel(-2, title="Read only", can_post=False)
    tg.add_channel(-3, title="Left", member=False)
    tg.block_bot(USER)
    for chat in (-2, -3, USER):
        with pytest.raises(TelegramForbiddenError):
            await bot.send_message(chat, "x")
    assert tg.messages(-2) == tg.messages(-3) == tg.messages(USER) == []


# ---------------------------------------------------------------- photos


async def test_photo_upload_file_id_and_url(bot: Bot, tg: FakeTelegram) -> None:
    uploaded = await bot.send_photo(
        CHANNEL,
        BufferedInputFile(_png(2000, 1000), "p.png"),
        caption="<i>one</i>",
        parse_mode="HTML",
    )
    assert uploaded.photo is not None
    largest = uploaded.photo[-1]
    assert (largest.width, largest.height) == (2000, 1000)
    assert [p.width for p in uploaded.photo] == sorted(p.width for p in uploaded.photo)
    again = await bot.send_photo(USER, largest.file_id, caption="two")
    assert again.photo is not None
    assert again.photo[-1].file_id == largest.file_id
    by_url = await bot.send_photo(USER, "https://example.org/pic.jpg")
    assert by_url.photo is not None
    assert by_url.caption is None
    record = tg.last_message(CHANNEL)
    assert record is not None
    assert record.caption == "one"
    assert record.entities == [{"type": "italic", "offset": 0, "length": 3}]
    assert record.photo_file_id == largest.file_id == record.photos[-1]
    assert record.text is None
    assert record.visible == "one"
    upload_params = tg.calls("sendPhoto")[0]
    assert upload_params["photo"].startswith("attach://")
    assert isinstance(upload_params[upload_params["photo"][len("attach://") :]], bytes)


async def test_bad_photo_references(bot: Bot, tg: FakeTelegram) -> None:
    tg.mark_url_unfetchable("https://example.org/gone.jpg")
    with pytest.raises(TelegramBadRequest, match="wrong file identifier/HTTP URL specified"):
        await bot.send_photo(USER, "https://example.org/gone.jpg")
    with pytest.raises(TelegramBadRequest, match="wrong file identifier/HTTP URL specified"):
        await bot.send_photo(USER, "AgACAgIAAxkBAAIunknown")
    with pytest.raises(TelegramBadRequest, match="PHOTO_INVALID_DIMENSIONS"):
        await bot.send_photo(USER, BufferedInputFile(_png(6000, 200), "wide.png"))
    assert tg.messages(USER) == []


async def test_caption_limit(bot: Bot) -> None:
    await bot.send_photo(
        USER, "https://e.org/1.jpg", caption="<b>" + "c" * 1024 + "</b>", parse_mode="HTML"
    )
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(USER, "https://e.org/1.jpg", caption="c" * 1025)


async def test_media_group(bot: Bot, tg: FakeTelegram) -> None:
    first = await bot.send_photo(USER, BufferedInputFile(_png(800, 600), "a.png"))
    assert first.photo is not None
    album = await bot.send_media_group(
        CHANNEL,
        [
            InputMediaPhoto(media=first.photo[-1].file_id, caption="<b>A</b>", parse_mode="HTML"),
            InputMediaPhoto(media=BufferedInputFile(_png(640, 480), "b.png"), caption="B"),
            InputMediaPhoto(media="https://e.org/c.jpg"),
        ],
    )
    assert [m.message_id for m in album] == [1, 2, 3]
    assert len({m.media_group_id for m in album}) == 1
    records = tg.messages(CHANNEL)
    assert [r.caption for r in records] == ["A", "B", None]
    assert records[0].entities == [{"type": "bold", "offset": 0, "length": 1}]
    with pytest.raises(TelegramBadRequest):
        await bot.send_media_group(CHANNEL, [InputMediaPhoto(media="https://e.org/c.jpg")])
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_media_group(
            CHANNEL,
            [InputMediaPhoto(media="https://e.org/c.jpg", caption="x" * 1025)] * 2,
        )
    assert len(tg.messages(CHANNEL)) == 3


async def test_copy_message_returns_id_and_overrides_caption(bot: Bot, tg: FakeTelegram) -> None:
    incoming = tg.send_photo(USER, caption="from a reporter")
    copied = await bot.copy_message(
        CHANNEL, USER, incoming["message_id"], caption="<b>Edited</b>", parse_mode="HTML"
    )
    record = tg.message(CHANNEL, copied.message_id)
    assert record.caption == "Edited"
    assert record.photo_file_id == incoming["photo"][-1]["file_id"]
    assert record.copied_from == (USER, incoming["message_id"])
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(CHANNEL, USER, 999)


# ---------------------------------------------------------------- edit, delete, pin


async def test_edit_text_semantics(bot: Bot, tg: FakeTelegram) -> None:
    sent = await bot.send_message(CHANNEL, "v1", reply_markup=_keyboard("a"))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "v1", chat_id=CHANNEL, message_id=sent.message_id, reply_markup=_keyboard("a")
        )
    edited = await bot.edit_message_text(
        "<b>v2</b>", chat_id=CHANNEL, message_id=sent.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, Message)
    assert edited.edit_date is not None
    record = tg.message(CHANNEL, sent.message_id)
    assert record.text == "v2"
    assert record.reply_markup is None  # an edit without reply_markup drops the keyboard
    assert [(e.method, e.text) for e in record.edits] == [("editMessageText", "v1")]
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=CHANNEL, message_id=77)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.edit_message_text("x" * 4097, chat_id=CHANNEL, message_id=sent.message_id)


async def test_edit_caption_media_and_markup(bot: Bot, tg: FakeTelegram) -> None:
    sent = await bot.send_photo(CHANNEL, "https://e.org/1.jpg", caption="old")
    await bot.edit_message_caption(chat_id=CHANNEL, message_id=sent.message_id, caption="new")
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await bot.edit_message_caption(chat_id=CHANNEL, message_id=sent.message_id, caption="new")
    await bot.edit_message_media(
        InputMediaPhoto(media="https://e.org/2.jpg", caption="newer"),
        chat_id=CHANNEL,
        message_id=sent.message_id,
    )
    await bot.edit_message_reply_markup(
        chat_id=CHANNEL, message_id=sent.message_id, reply_markup=_keyboard("k")
    )
    with pytest.raises(TelegramBadRequest, match="not modified"):
        await bot.edit_message_reply_markup(
            chat_id=CHANNEL, message_id=sent.message_id, reply_markup=_keyboard("k")
        )
    record = tg.message(CHANNEL, sent.message_id)
    assert record.caption == "newer"
    assert [e.caption for e in record.edits] == ["old", "new", "newer"]
    assert record.photo_file_id == tg.messages(CHANNEL)[0].photo_file_id
    assert record.edits[0].photo_file_id != record.photo_file_id
    text_msg = await bot.send_message(CHANNEL, "text")
    with pytest.raises(TelegramBadRequest, match="no caption"):
        await bot.edit_message_caption(
            chat_id=CHANNEL, message_id=text_msg.message_id, caption="c"
        )


async def test_delete_and_the_48_hour_rule(tg: FakeTelegram) -> None:
    now = [1_700_000_000.0]
    async with FakeTelegram(token=TOKEN, wall_clock=lambda: now[0]) as server:
        server.add_user(USER, "Ann")
        server.add_channel(CHANNEL, title="Daily")
        client = _bot_for(server)
        try:
            old_dm = await client.send_message(USER, "dm")
            old_post = await client.send_message(CHANNEL, "post")
            fresh = await client.send_message(USER, "fresh")
            now[0] += 48 * 3600 + 1
            with pytest.raises(TelegramBadRequest, match="can't be deleted"):
                await client.delete_message(USER, old_dm.message_id)
            assert await client.delete_message(CHANNEL, old_post.message_id) is True
            with pytest.raises(TelegramBadRequest, match="message to delete not found"):
                await client.delete_message(CHANNEL, old_post.message_id)
            assert [m.deleted for m in server.messages(CHANNEL)] == [True]
            assert server.message(USER, fresh.message_id).deleted is False
        finally:
            await client.session.close()


async def test_pin_needs_edit_rights_and_adds_a_service_message(
    bot: Bot, tg: FakeTelegram
) -> None:
    post = await bot.send_message(CHANNEL, "pin me")
    assert await bot.pin_chat_message(CHANNEL, post.message_id, disable_notification=True)
    assert tg.message(CHANNEL, post.message_id).pinned
    assert len(tg.messages(CHANNEL)) == 1
    assert len(tg.messages(CHANNEL, include_service=True)) == 2
    follow = await bot.send_message(CHANNEL, "next")
    assert follow.message_id == 3  # the service message took id 2, as on Telegram
    tg.set_channel_rights(CHANNEL, can_edit=False)
    with pytest.raises(TelegramBadRequest, match="not enough rights"):
        await bot.pin_chat_message(CHANNEL, follow.message_id)


# ---------------------------------------------------------------- chat info, commands


async def test_get_chat_member_reports_bot_rights(bot: Bot, tg: FakeTelegram) -> None:
    tg.add_channel(-9, title="No edit", can_edit=False)
    tg.add_channel(-8, title="Not in", member=False)
    me = await bot.get_chat_member(CHANNEL, 4242)
    assert me.status == "administrator"
    assert getattr(me, "can_post_messages", None) is True
    assert getattr(me, "can_edit_messages", None) is True
    limited = await bot.get_chat_member(-9, 4242)
    assert getattr(limited, "can_edit_messages", None) is False
    assert (await bot.get_chat_member(-8, 4242)).status == "left"
    assert (await bot.get_chat_member(CHANNEL, USER)).status == "left"
    tg.set_chat_member(CHANNEL, USER, "administrator")
    assert (await bot.get_chat_member("@daily_news", USER)).status == "administrator"
    chat = await bot.get_chat("@daily_news")
    assert (chat.id, chat.type, chat.title) == (CHANNEL, "channel", "Daily")


async def test_commands_are_recorded_per_scope(bot: Bot, tg: FakeTelegram) -> None:
    commands = [BotCommand(command="new", description="Новая статья")]
    await bot.set_my_commands(commands, scope=BotCommandScopeAllPrivateChats(), language_code="ru")
    assert await bot.get_my_commands() == []
    got = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="ru")
    assert [c.command for c in got] == ["new"]
    assert tg.commands[-1].scope == {"type": "all_private_chats"}
    assert tg.commands[-1].language_code == "ru"


# ---------------------------------------------------------------- faults and limits


async def test_injected_429_surfaces_as_retry_after(bot: Bot, tg: FakeTelegram) -> None:
    tg.fail_next(
        "sendMessage",
        error_code=429,
        description="Too Many Requests: retry after 7",
        retry_after=7,
    )
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(USER, "x")
    assert info.value.retry_after == 7
    assert tg.stats.too_many_requests == 1
    await bot.send_message(USER, "x")  # the fault was used up
    tg.fail_next("*", error_code=500, description="Internal Server Error", times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.get_me()
    assert len(tg.messages(USER)) == 1


async def test_dropped_connections(bot: Bot, tg: FakeTelegram) -> None:
    tg.drop_next("sendMessage")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(USER, "lost request")
    tg.drop_next("sendMessage", after=True)
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(USER, "lost answer")
    # Only the second one reached the chat: the bot cannot tell the two apart.
    assert [m.text for m in tg.messages(USER)] == ["lost answer"]
    assert tg.stats.dropped == 2


async def test_rate_limits_use_the_injected_clock(tg: FakeTelegram) -> None:
    now = [1000.0]
    async with FakeTelegram(token=TOKEN, clock=lambda: now[0]) as server:
        server.add_channel(CHANNEL, title="Daily")
        server.add_user(USER, "Ann")
        server.enforce_rate_limits(per_chat_per_minute=20, global_per_second=30)
        client = _bot_for(server)
        try:
            for i in range(20):
                now[0] += 0.1
                await client.send_message(CHANNEL, f"post {i}")
            with pytest.raises(TelegramRetryAfter) as info:
                await client.send_message(CHANNEL, "one too many")
            assert info.value.retry_after == 59  # ceil(1000.1 + 60 - 1002.0): oldest leaves then
            await client.send_message(USER, "a private chat has limits of its own")
            now[0] += info.value.retry_after
            await client.send_message(CHANNEL, "fits again")
            assert server.stats.too_many_requests == 1
            now[0] += 1  # a fresh second for the global limit
            for i in range(30):
                server.add_user(USER + 1 + i, f"Reader {i}")
                await client.send_message(USER + 1 + i, f"broadcast {i}")
            with pytest.raises(TelegramRetryAfter):
                await client.send_message(USER, "over 30/s")
        finally:
            await client.session.close()


async def test_chaos_is_repeatable_for_a_seed(tg: FakeTelegram) -> None:
    async def outcomes(seed: int) -> list[str]:
        async with FakeTelegram(token=TOKEN) as server:
            server.add_user(USER, "Ann")
            server.set_chaos(0.5, seed, kinds=(429, 500, "drop"))
            client = _bot_for(server)
            result: list[str] = []
            try:
                for _ in range(12):
                    try:
                        await client.send_message(USER, "x")
                        result.append("ok")
                    except (TelegramRetryAfter, TelegramServerError, TelegramNetworkError) as e:
                        result.append(type(e).__name__)
                await client.get_me()  # not subject to chaos
            finally:
                await client.session.close()
            assert result.count("ok") == len(server.messages(USER))
            return result

    first, second = await outcomes(3), await outcomes(3)
    assert first == second
    assert "ok" in first
    assert len(set(first)) > 1


# ---------------------------------------------------------------- updates


async def test_long_poll_returns_an_update_pushed_while_waiting(
    bot: Bot, tg: FakeTelegram
) -> None:
    poll = asyncio.create_task(bot.get_updates(offset=0, timeout=30))
    await tg.wait_for_call("getUpdates")
    assert not poll.done()
    pushed = tg.send_text(USER, "/start@newsroom_bot hello")
    updates = await asyncio.wait_for(poll, 5)
    assert len(updates) == 1
    message = updates[0].message
    assert message is not None
    assert message.message_id == pushed["message_id"]
    assert message.text == "/start@newsroom_bot hello"
    assert message.entities is not None
    assert (message.entities[0].type, message.entities[0].length) == ("bot_command", 19)
    # Confirming with offset drops it; the next short poll is empty.
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == []
    assert tg.pending_updates == []


async def test_allowed_updates_filter(bot: Bot, tg: FakeTelegram) -> None:
    tg.send_text(USER, "hi")
    post = await bot.send_message(USER, "tap", reply_markup=_keyboard("go"))
    tg.press_button(USER, chat_id=USER, message_id=post.message_id, data="go")
    updates = await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    assert [u.callback_query is not None for u in updates] == [True]
    query = updates[0].callback_query
    assert query is not None
    assert query.data == "go"
    assert isinstance(query.message, Message)
    assert query.message.message_id == post.message_id


async def test_stop_wakes_a_pending_poll(tg: FakeTelegram) -> None:
    server = FakeTelegram(token=TOKEN)
    await server.start()
    client = _bot_for(server)
    try:
        poll = asyncio.create_task(client.get_updates(timeout=60))
        await server.wait_for_call("getUpdates")
        async with asyncio.timeout(10):  # a guard: stop() must not wait for the 60 s poll
            await server.stop()
            assert await poll == []
    finally:
        await client.session.close()


async def test_press_button_requires_the_button(bot: Bot, tg: FakeTelegram) -> None:
    post = await bot.send_message(USER, "tap", reply_markup=_keyboard("yes"))
    with pytest.raises(ValueError, match="no button"):
        tg.press_button(USER, chat_id=USER, message_id=post.message_id, data="no")


async def test_dispatcher_polling_end_to_end(bot: Bot, tg: FakeTelegram) -> None:
    """Real aiogram polling: a command, a button press and the callback answer."""
    router = Router()

    @router.message(F.text == "/start")
    async def start(message: Message) -> None:
        await message.answer("<b>Hello</b>", parse_mode="HTML", reply_markup=_keyboard("hi"))

    @router.callback_query(F.data == "hi")
    async def pressed(query: CallbackQuery) -> None:
        await query.answer("Hi back", show_alert=True)

    dp = Dispatcher()
    dp.include_router(router)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=5))
    try:
        tg.send_text(USER, "/start")
        reply = await tg.wait_for_message(USER)
        assert reply.text == "Hello"
        query_id = tg.press_button(USER, chat_id=USER, message_id=reply.message_id, data="hi")
        await tg.wait_for(lambda: len(tg.callback_answers) == 1)
        answer = tg.callback_answers[0]
        assert (answer.query_id, answer.text, answer.show_alert) == (query_id, "Hi back", True)
    finally:
        await dp.stop_polling()
        await polling


async def test_forwarded_channel_post_carries_forward_origin(bot: Bot, tg: FakeTelegram) -> None:
    tg.forward_channel_post(
        USER,
        channel_id=-100777,
        channel_username="source",
        channel_title="Source",
        message_id=55,
        caption="Photo story",
        photo=True,
        author_signature="Ann",
    )
    (update,) = await bot.get_updates(timeout=0)
    message = update.message
    assert message is not None
    assert message.caption == "Photo story"
    assert message.photo is not None
    origin = message.forward_origin
    assert origin is not None
    assert origin.type == "channel"
    assert getattr(origin, "message_id", None) == 55
    assert getattr(origin, "author_signature", None) == "Ann"


async def test_webhook_delivery_with_secret(bot: Bot, tg: FakeTelegram) -> None:
    received: list[tuple[dict[str, Any], str | None]] = []
    got_one = asyncio.Event()

    async def receive(request: web.Request) -> web.Response:
        received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        got_one.set()
        # Answering with a method call is how aiogram replies inside a webhook response.
        return web.json_response({"method": "sendMessage", "chat_id": USER, "text": "pong"})

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        url = f"http://127.0.0.1:{port}/hook"
        await bot.set_webhook(url, secret_token="s3cret_TOKEN")
        info = await bot.get_webhook_info()
        assert info.url == url
        with pytest.raises(TelegramConflictError):
            await bot.get_updates(timeout=0)
        tg.send_text(USER, "ping")
        await asyncio.wait_for(got_one.wait(), 5)
        update, secret = received[0]
        assert secret == "s3cret_TOKEN"
        assert update["message"]["text"] == "ping"
        reply = await tg.wait_for_message(USER)
        assert reply.text == "pong"
        await tg.wait_until_updates_consumed()
        assert (await bot.get_webhook_info()).pending_update_count == 0
        await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == []
    finally:
        await runner.cleanup()


async def test_wait_for_times_out_with_a_clear_error(tg: FakeTelegram) -> None:
    with pytest.raises(TimeoutError, match="0 bot message"):
        await tg.wait_for_message(USER, timeout=0.05)
