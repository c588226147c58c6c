"""Rich article posts (issue 15) end to end: the real bot over HTTP against the fake Bot API.

A long article in a channel with the ``rich`` layout goes out as one sendRichMessage and reads
back heading, photo with the credit, italic lead, formatted paragraphs and the footer with the
attribution; over a rich limit it falls back to the ordinary messages, attribution whole; a
correction edits the rich post in place; ru and en.
"""

from __future__ import annotations

import asyncio
import dataclasses
import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.domain import ArticleContent, Mark, Photo
from bot.workflow import drafts
from fakegram.harness import ADMIN_CHAT_ID, ADMIN_ID, CHANNEL_ID, EDITOR_ID, Sandbox, WarpClock
from fakegram.records import SentMessage, rich_lines

PHOTO = "https://images.example.org/oecd.jpg"
LABELS = {
    "ru": {"photo": "Фото", "source": "Источник", "via": "со ссылкой на", "updated": "Обновлено"},
    "en": {"photo": "Photo", "source": "Source", "via": "via", "updated": "Updated"},
}


def long_article(paragraphs: int = 14, *, words: int = 60) -> ArticleContent:
    sentence = "Эксперты обсудили взаимодействие госорганов с обществом и реформы службы. "
    body = tuple(
        (f"Абзац {i + 1}. " + sentence * (words // 10)).strip() for i in range(paragraphs)
    )
    return ArticleContent(
        title="ОЭСР проверила добропорядочность госорганов",
        lead="В ходе визита эксперты встретились с представителями ведомств.",
        body=body,
        # The editor's formatting: a bold word in the first paragraph, a link in the second.
        marks=(Mark(0, 0, 5, "bold"), Mark(1, 0, 5, "text_link", "https://el.kz/oecd")),
        photos=(Photo(PHOTO, is_url=True),),
        photo_credit="ТАСС",
        source_name="El.kz",
        source_url="https://el.kz/news/oecd",
        original_source="Антикор РК",
    )


@pytest.fixture
async def warped(tmp_path: Path) -> AsyncIterator[Sandbox]:
    """A sandbox whose short waits pass at once: a fallback post is many messages, which the
    bot spaces three seconds apart in a channel (20 a minute)."""
    async with Sandbox(workdir=tmp_path, clock=WarpClock()) as sandbox:
        yield sandbox


async def _set(sandbox: Sandbox, key: str, value: str) -> None:
    tg = sandbox.tg
    before = len(tg.messages(ADMIN_CHAT_ID))
    tg.send_text(ADMIN_ID, f"/template {key} {value}", chat_id=ADMIN_CHAT_ID)
    reply = await tg.wait_for_message(ADMIN_CHAT_ID, count=before + 1)
    assert key in reply.visible


async def _publish(sandbox: Sandbox, content: ArticleContent) -> int:
    created = await drafts.create_draft(
        sandbox.bot_app.desk, content, author_id=EDITOR_ID, language="ru", origin="text"
    )
    article_id = created.article.id
    sandbox.tg.send_text(ADMIN_ID, f"/publish {article_id}", chat_id=ADMIN_CHAT_ID)
    return article_id


async def _channel_post(sandbox: Sandbox) -> list[SentMessage]:
    tg = sandbox.tg
    await tg.wait_for_message(CHANNEL_ID)
    # Wait until the publication is recorded: then every message of the post is in. The bot's
    # own limiter paces the admin group (20 a minute), so the card's edit with the link may come
    # a few seconds after the post: a generous deadline, not a measure of speed.
    await tg.wait_for(
        lambda: any("t.me/newsroom_demo" in m.visible for m in _admin(sandbox)), timeout=30
    )
    return tg.messages(CHANNEL_ID)


def _admin(sandbox: Sandbox) -> list[SentMessage]:
    return sandbox.tg.messages(ADMIN_CHAT_ID)


def _blocks(message: SentMessage) -> list[dict[str, Any]]:
    assert message.rich is not None, f"not a rich message: {message.method}"
    return list(message.rich["blocks"])


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_long_article_is_one_rich_post_that_reads_like_the_original(
    sandbox: Sandbox, language: str
) -> None:
    labels = LABELS[language]
    await _set(sandbox, "layout", "rich")
    await _set(sandbox, "language", language)
    article = long_article()
    await _publish(sandbox, article)
    (post,) = await _channel_post(sandbox)
    assert post.method == "sendRichMessage"
    blocks = _blocks(post)
    kinds = [b["type"] for b in blocks]
    heading, photo, lead = blocks[:3]
    assert heading == {"type": "heading", "text": article.title, "size": 1}
    # The photo Telegram fetched (PhotoSize sizes), with the credit as its caption.
    assert photo["type"] == "photo" and photo["photo"][-1]["file_id"]
    assert photo["caption"]["text"] == f"{labels['photo']}: ТАСС"
    # The lead set apart as an italic paragraph.
    assert lead == {"type": "paragraph", "text": {"type": "italic", "text": article.lead}}
    paragraphs = blocks[3 : 3 + len(article.body)]
    assert [b["type"] for b in paragraphs] == ["paragraph"] * len(article.body)
    assert paragraphs[0]["text"][0] == {"type": "bold", "text": "Абзац"}
    assert paragraphs[1]["text"][0] == {
        "type": "url",
        "text": "Абзац",
        "url": "https://el.kz/oecd",
    }
    lines = rich_lines(post.rich or {})
    assert all(p in lines for p in article.body)  # the whole body, nothing cut
    footer = [b for b in blocks if b["type"] == "footer"]
    assert kinds[-len(footer) :] == ["footer"] * len(footer)
    attribution = f"{labels['source']}: El.kz {labels['via']} Антикор РК"
    assert attribution in lines and f"{labels['photo']}: ТАСС" in lines[-len(footer) :]
    # The "Read more" button rides on the rich post, as on ordinary ones.
    assert [b.get("url") for b in post.buttons] == ["https://el.kz/news/oecd"]


async def test_editor_preview_and_review_card_show_the_rich_post_exactly(
    sandbox: Sandbox,
) -> None:
    tg = sandbox.tg
    await _set(sandbox, "layout", "rich")
    created = await drafts.create_draft(
        sandbox.bot_app.desk, long_article(), author_id=EDITOR_ID, language="ru", origin="text"
    )
    article_id = created.article.id
    tg.send_text(EDITOR_ID, f"/show {article_id}")
    await tg.wait_for(lambda: any(m.rich for m in tg.messages(EDITOR_ID)))
    tg.send_text(EDITOR_ID, f"/submit {article_id}")
    await tg.wait_for(lambda: any(m.rich for m in _admin(sandbox)))
    tg.send_text(ADMIN_ID, f"/publish {article_id}", chat_id=ADMIN_CHAT_ID)
    (post,) = await _channel_post(sandbox)
    preview = next(m for m in tg.messages(EDITOR_ID) if m.rich)
    card = next(m for m in _admin(sandbox) if m.rich)
    channel = _blocks(post)
    for shown, header in ((preview, f"#{article_id}"), (card, f"#{article_id}")):
        # The post block for block as the channel has it, then a divider and the header, with
        # the draft's (the card's) buttons on the same message: one message, as in issue 14.
        blocks = _blocks(shown)
        assert blocks[: len(channel)] == channel
        assert blocks[len(channel)] == {"type": "divider"}
        assert any(header in line for line in rich_lines({"blocks": blocks[len(channel) :]}))
    assert preview.button_data
    # The card had its decisions until the publish; decided, it keeps none (edited in place).
    assert card.edits and "r:reject" in str(card.edits[0].reply_markup) and not card.button_data
    # Its bold "Материал #N" line (published now, edited in place) kept its formatting.
    first_line = _blocks(preview)[len(channel) + 1]["text"]
    assert first_line[0] == {"type": "bold", "text": f"Материал #{article_id}"}
    assert preview.edits  # the header was brought up to date on the same message


@pytest.mark.parametrize("over", ["blocks", "chars"])
async def test_article_over_a_rich_limit_goes_out_ordinary_with_the_attribution(
    warped: Sandbox, over: str
) -> None:
    sandbox = warped
    await _set(sandbox, "layout", "rich")
    # 520 one-line paragraphs break the 500-block limit; 40 paragraphs of ~900 characters the
    # 32,768-character one.
    article = long_article(520, words=0) if over == "blocks" else long_article(40, words=120)
    await _publish(sandbox, article)
    posts = await _channel_post(sandbox)
    assert sandbox.tg.calls("sendRichMessage") == []
    assert len(posts) > 1 and posts[0].photo  # photo + caption, then the text messages
    # The split layout: the attribution whole in the photo's caption, the body in the texts.
    assert "Источник: El.kz со ссылкой на Антикор РК" in posts[0].visible
    text = "\n\n".join(p.visible for p in posts[1:])
    assert all(paragraph in text for paragraph in article.body)


async def test_correction_edits_the_rich_post_in_place(sandbox: Sandbox) -> None:
    tg = sandbox.tg
    await _set(sandbox, "layout", "rich")
    article_id = await _publish(sandbox, long_article())
    (post,) = await _channel_post(sandbox)
    tg.send_text(ADMIN_ID, f"/edit {article_id} title Исправленный заголовок --updated")
    await tg.wait_for(lambda: bool(tg.messages(CHANNEL_ID)[0].edits))
    (edited,) = tg.messages(CHANNEL_ID)
    assert edited.message_id == post.message_id and not edited.deleted
    blocks = _blocks(edited)
    assert blocks[0]["text"] == "Исправленный заголовок"
    assert "Обновлено" in rich_lines(edited.rich or {})
    (call,) = [c for c in tg.calls("editMessageText") if c.get("chat_id") == str(CHANNEL_ID)]
    assert "rich_message" in call and "text" not in call


async def test_auto_picks_rich_only_when_the_channel_allows_it(sandbox: Sandbox) -> None:
    tg = sandbox.tg
    await _publish(sandbox, long_article())
    posts = await _channel_post(sandbox)
    assert len(posts) > 1 and tg.calls("sendRichMessage") == []  # default: nothing changes
    await _set(sandbox, "allow_rich", "on")
    before = len(tg.messages(CHANNEL_ID))
    await _publish(sandbox, long_article())
    await tg.wait_for_message(CHANNEL_ID, count=before + 1)
    await tg.wait_for(lambda: len(tg.calls("sendRichMessage")) == 1)
    assert tg.messages(CHANNEL_ID)[-1].rich is not None


@pytest.mark.parametrize(
    ("language", "warning"),
    [
        ("ru", "слишком велика для одного rich-сообщения: уйдёт обычными сообщениями"),
        ("en", "too large for one rich post: it goes out as ordinary messages"),
    ],
)
async def test_editor_is_told_when_the_article_is_too_large_for_rich(
    tmp_path: Path, language: str, warning: str
) -> None:
    async with Sandbox(workdir=tmp_path, clock=WarpClock(), editor_language=language) as sandbox:
        tg = sandbox.tg
        await _set(sandbox, "layout", "rich")
        created = await drafts.create_draft(
            sandbox.bot_app.desk,
            long_article(520, words=0),
            author_id=EDITOR_ID,
            language=language,
            origin="text",
        )
        tg.send_text(EDITOR_ID, f"/show {created.article.id}")
        await tg.wait_for(lambda: any(warning in m.visible for m in tg.messages(EDITOR_ID)))
        assert not any(m.rich for m in tg.messages(EDITOR_ID))  # the ordinary post, as sent


async def test_correction_that_changes_the_shape_sends_the_post_again(sandbox: Sandbox) -> None:
    """A rich post corrected into a short article: Telegram cannot turn a rich message into a
    photo, so the old post goes and the new one is sent (the publication keeps its new id)."""
    tg = sandbox.tg
    await _set(sandbox, "layout", "rich")
    article_id = await _publish(sandbox, long_article())
    (post,) = await _channel_post(sandbox)
    tg.send_text(ADMIN_ID, f"/edit {article_id} body Короткий текст.")
    await tg.wait_for(lambda: len(tg.messages(CHANNEL_ID)) == 2)
    old, new = tg.messages(CHANNEL_ID)
    assert old.message_id == post.message_id and old.deleted
    assert new.photo and new.rich is None and "Короткий текст." in new.visible
    # The correction records the new id after Telegram confirmed it: poll, with a deadline.
    deadline = asyncio.get_running_loop().time() + 5
    while True:
        async with sandbox.bot_app.db.read() as uow:
            (publication,) = await uow.publications.for_article(article_id)
        if publication.message_ids == (new.message_id,):
            break
        assert asyncio.get_running_loop().time() < deadline, publication.message_ids
        await asyncio.sleep(0.02)


def _png(width: int = 64, height: int = 48) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * 3 * width for _ in range(height)))
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


async def test_photo_telegram_cannot_fetch_is_uploaded_into_the_rich_post(
    sandbox: Sandbox,
) -> None:
    png = _png()

    async def photo(_request: web.Request) -> web.Response:
        return web.Response(body=png, content_type="image/png")

    app = web.Application()
    app.router.add_get("/photo.png", photo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/photo.png"
        sandbox.tg.mark_url_unfetchable(url)
        await _set(sandbox, "layout", "rich")
        await _publish(sandbox, dataclasses.replace(long_article(), photos=(Photo(url, True),)))
        (post,) = await _channel_post(sandbox)
    finally:
        await runner.cleanup()
    first, second = sandbox.tg.calls("sendRichMessage")
    assert url in first["rich_message"] and url not in second["rich_message"]
    assert png in second.values()  # the downloaded bytes, as an attach:// part
    assert _blocks(post)[1]["photo"][-1]["width"] == 64


async def test_rich_post_telegram_refuses_goes_out_ordinary(warped: Sandbox) -> None:
    """Should Telegram count a limit otherwise than the composer, its 400 posted nothing: the
    ordinary layout goes out instead, with the attribution, rather than a failed publication."""
    sandbox = warped
    tg = sandbox.tg
    await _set(sandbox, "layout", "rich")
    refusal = "Bad Request: RICH_MESSAGE_TOO_LONG"
    tg.fail_next("sendRichMessage", error_code=400, description=refusal)
    await _publish(sandbox, long_article())
    posts = await _channel_post(sandbox)
    assert len(tg.calls("sendRichMessage")) == 1 and all(p.rich is None for p in posts)
    assert posts[0].photo and "Источник: El.kz со ссылкой на Антикор РК" in posts[0].visible


async def test_bad_rich_settings_are_answered_and_change_nothing(sandbox: Sandbox) -> None:
    tg = sandbox.tg
    for key, value in (("layout", "richer"), ("allow_rich", "maybe")):
        before = len(_admin(sandbox))
        tg.send_text(ADMIN_ID, f"/template {key} {value}", chat_id=ADMIN_CHAT_ID)
        reply = await tg.wait_for_message(ADMIN_CHAT_ID, count=before + 1)
        assert reply.visible == f"«{value}» — недопустимое значение для {key}."
    async with sandbox.bot_app.db.read() as uow:
        (channel,) = await uow.channels.all()
    assert "layout" not in channel.template and "allow_rich" not in channel.template
