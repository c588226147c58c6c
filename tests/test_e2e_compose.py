"""Every layout of the fixture article, sent by the real aiogram client to the fake Bot API.

The fake server parses the HTML and enforces Telegram's limits, so "accepted" here means
Telegram would accept it; the channel then shows the expected text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot.compose import compose
from bot.domain import ArticleContent, ChannelTemplate, Layout, Photo
from bot.ingest.text import parse_article
from bot.telegram.send import send_post
from fakegram.server import FakeTelegram

TOKEN = "42:compose-e2e"
CHANNEL = -1001000000042
PHOTO_URL = "https://cdn.example.org/oecd.jpg"


@pytest.fixture
async def tg_bot() -> AsyncIterator[tuple[FakeTelegram, Bot]]:
    async with FakeTelegram(token=TOKEN) as tg:
        tg.add_channel(CHANNEL, username="compose_test", title="Compose Test")
        tg.add_photo_url(PHOTO_URL, width=1200, height=800)
        bot = Bot(
            TOKEN,
            session=AiohttpSession(api=TelegramAPIServer.from_base(tg.api_base)),
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        try:
            yield tg, bot
        finally:
            await bot.session.close()


@pytest.fixture
def article(oecd_text: str) -> ArticleContent:
    return parse_article(oecd_text, tz=ZoneInfo("Asia/Almaty"))


@pytest.mark.parametrize("layout", list(Layout))
@pytest.mark.parametrize("photo_is_url", [True, False])
async def test_every_layout_is_accepted_and_reads_right(
    tg_bot: tuple[FakeTelegram, Bot], article: ArticleContent, layout: Layout, photo_is_url: bool
) -> None:
    tg, bot = tg_bot
    if photo_is_url:
        photo = Photo(ref=PHOTO_URL, is_url=True, width=1200, height=800)
    else:
        # A file_id Telegram knows: upload once, reuse the id like the bot does.
        sent = await bot.send_photo(CHANNEL, photo=PHOTO_URL)
        assert sent.photo is not None
        photo = Photo(ref=sent.photo[-1].file_id, width=1200, height=800)
        await bot.delete_message(CHANNEL, sent.message_id)
    content = replace(
        article, photos=(photo,), source_url="https://el.kz/news/oecd", tags=("ОЭСР",)
    )
    template = ChannelTemplate(
        language="ru",
        layout=layout,
        signature="Compose Test",
        signature_url="https://t.me/compose_test",
        tag_list=("Казахстан",),
    )
    post = compose(content, template)
    messages = await send_post(bot, CHANNEL, post)
    assert len(messages) == len(post.messages)

    shown = [m for m in tg.messages(CHANNEL) if not m.deleted]
    visible = "\n".join(m.visible for m in shown)
    first = shown[0]
    # The title in bold opens the first message, and attribution and signature are there.
    assert first.visible.startswith("ОЭСР проверила уровень добропорядочности госорганов")
    # (A rich post, issue 15, opens with the title as its heading block instead.)
    heading = first.rich is not None and first.rich["blocks"][0]["type"] == "heading"
    assert heading or any(e["type"] == "bold" and e["offset"] == 0 for e in first.entities)
    assert "Источник: El.kz со ссылкой на Антикор РК" in visible
    assert "Compose Test" in visible
    assert "#Казахстан" in visible and "#ОЭСР" in visible
    for sent_message, planned in zip(shown, post.messages, strict=True):
        if planned.kind == "rich":
            continue  # its limits are the rich ones: tests/test_e2e_rich.py
        limit = 1024 if sent_message.photo else 4096
        assert len(sent_message.visible) == planned.visible_length <= limit
    if post.layout is Layout.PREVIEW:
        assert len(shown) == 1 and not first.photo
        assert first.link_preview_options is not None
        assert first.link_preview_options["url"] == PHOTO_URL
        assert first.link_preview_options.get("show_above_text") is True
    else:
        assert first.photo or (first.rich is not None and first.rich["blocks"][1]["photo"])
    if post.layout in (Layout.SPLIT, Layout.RICH):
        # The whole body is delivered, in order, in the follow-up messages.
        assert "свободной рыночной экономики." in visible
        assert visible.index("Группа экспертов ОЭСР") < visible.index("свободной рыночной")
    if post.layout is Layout.CAPTION:
        assert len(shown) == 1 and len(first.visible) <= 1024
        assert first.buttons and first.buttons[0]["url"] == "https://el.kz/news/oecd"


async def test_hostile_title_is_literal_text(tg_bot: tuple[FakeTelegram, Bot]) -> None:
    tg, bot = tg_bot
    title = '<script>alert(1)</script> </b> & <a href="javascript:alert(1)">x</a>'
    content = ArticleContent(title=title, body=("Body & <i>more</i>.",), source_name="A&B")
    await send_post(bot, CHANNEL, compose(content, ChannelTemplate()))
    shown = tg.messages(CHANNEL)[-1]
    assert shown.visible.startswith(title)
    assert not any(e["type"] == "text_link" for e in shown.entities)
