"""Over HTTP: bold, italics and links of a caption or a forwarded post reach the channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fakegram.harness import ADMIN_CHAT_ID, ADMIN_ID, EDITOR_ID
from fakegram.server import SentMessage
from tests.test_e2e_workflow import Desk, live, open_desk

CAPTION = (
    "Мэрия утвердила новые автобусные полосы 🚌\n\n"
    "Совет проголосовал 12 голосами против 3 за выделенные полосы на кольцевой дороге.\n\n"
    "Работы начнутся весной 🌱 и займут четыре месяца, сообщили в мэрии. Подробности на сайте."
)


def u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entity(part: str, kind: str = "bold", url: str | None = None) -> dict[str, object]:
    at = CAPTION.index(part)
    out: dict[str, object] = {"type": kind, "offset": u16(CAPTION[:at]), "length": u16(part)}
    if url is not None:
        out["url"] = url
    return out


ENTITIES = [
    entity("12 голосами против 3"),
    entity("весной 🌱", "italic"),
    entity("на сайте", "text_link", "https://example.org/bus-lanes"),
]


def covered(message: SentMessage) -> list[tuple[str, str]]:
    """(type, covered text) of a sent message's entities."""
    units = message.visible.encode("utf-16-le")
    return [
        (e["type"], units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le"))
        for e in message.entities
    ]


EXPECTED = {
    ("bold", "12 голосами против 3"),
    ("italic", "весной 🌱"),
    ("text_link", "на сайте"),
}


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    async with open_desk(tmp_path) as d:
        yield d


async def publish(desk: Desk, article_id: int) -> SentMessage:
    """Submit the editor's draft, publish it from the admin chat; the channel post."""
    header = desk.header(EDITOR_ID, article_id)
    assert header is not None
    card = await desk.submitted(article_id, header)
    answer = await desk.press(ADMIN_ID, card, f"r:publish:{article_id}", chat_id=ADMIN_CHAT_ID)
    assert not answer.show_alert, answer.text
    await desk.until(lambda: bool(desk.channel()))
    return desk.channel()[-1]


async def test_caption_formatting_reaches_the_preview_and_the_channel(desk: Desk) -> None:
    desk.tg.send_photo(EDITOR_ID, caption=CAPTION, caption_entities=ENTITIES)
    await desk.until(lambda: desk.header(EDITOR_ID, 1) is not None)
    article = await desk.article(1)
    assert {m.type for m in article.content.marks} == {"bold", "italic", "text_link"}
    preview = next(m for m in desk.tg.messages(EDITOR_ID) if m.photo)
    assert set(covered(preview)) >= EXPECTED

    post = await publish(desk, 1)
    assert post.photo
    assert set(covered(post)) >= EXPECTED
    link = next(e for e in post.entities if e["type"] == "text_link")
    assert link["url"] == "https://example.org/bus-lanes"


async def test_forwarded_post_keeps_its_formatting(desk: Desk) -> None:
    desk.tg.forward_channel_post(
        EDITOR_ID,
        channel_id=-1005550001,
        channel_username="citywire",
        channel_title="City Wire",
        message_id=77,
        text=CAPTION,
        entities=ENTITIES,
    )
    await desk.until(lambda: desk.header(EDITOR_ID, 1) is not None)
    post = await publish(desk, 1)
    assert set(covered(post)) >= EXPECTED
    # The attribution links to the original post.
    assert ("text_link", "City Wire") in covered(post)


async def test_editing_the_body_drops_stale_formatting(desk: Desk) -> None:
    desk.tg.send_photo(EDITOR_ID, caption=CAPTION, caption_entities=ENTITIES)
    await desk.until(lambda: desk.header(EDITOR_ID, 1) is not None)
    await desk.say(EDITOR_ID, "/edit 1 body Совсем другой текст без выделения.")
    await desk.until(lambda: preview_shows(desk, "Совсем другой"))
    article = await desk.article(1)
    assert article.content.body == ("Совсем другой текст без выделения.",)
    assert article.content.marks == ()
    preview = next(m for m in live(desk.tg, EDITOR_ID) if m.photo)
    assert {kind for kind, _text in covered(preview)} == {"bold", "text_link"}  # title, signature


def preview_shows(desk: Desk, text: str) -> bool:
    return any(text in m.visible for m in live(desk.tg, EDITOR_ID))


async def test_edit_body_keeps_the_new_texts_formatting(desk: Desk) -> None:
    desk.tg.send_photo(EDITOR_ID, caption=CAPTION)
    await desk.until(lambda: desk.header(EDITOR_ID, 1) is not None)
    command = "/edit 1 body Новый текст с важным словом и ссылкой."
    at = command.index("важным")
    link_at = command.index("ссылкой")
    desk.tg.send_text(
        EDITOR_ID,
        command,
        entities=[
            {"type": "bot_command", "offset": 0, "length": 5},
            {"type": "bold", "offset": at, "length": len("важным")},
            {"type": "text_link", "offset": link_at, "length": 7, "url": "https://example.org/"},
        ],
    )
    await desk.until(lambda: preview_shows(desk, "Новый текст"))
    article = await desk.article(1)
    [body] = article.content.body
    assert [(body[m.start : m.end], m.type) for m in article.content.marks] == [
        ("важным", "bold"),
        ("ссылкой", "text_link"),
    ]
    preview = next(m for m in live(desk.tg, EDITOR_ID) if m.photo)
    assert ("bold", "важным") in covered(preview)
