"""End to end over HTTP: fewer messages in the admin chat (issue 14, "Fewer messages").

The admin chat is a group Telegram allows 20 messages a minute. A channel post is written on
its article's review card (edited in place) instead of a notice of its own; what has no card,
and every failure, goes into one digest message per batch of outcomes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.callbacks import ReviewAction
from bot.domain import PublicationStatus
from bot.publishing.ports import ChannelOutcome
from bot.views.combined import SEPARATOR
from bot.workflow import drafts
from fakegram.harness import ADMIN_CHAT_ID, ADMIN_ID, CHANNEL_USERNAME, EDITOR_ID
from tests.test_e2e_publish import World, _card_with, _world
from tests.test_e2e_workflow import SHORT_ARTICLE, flat, header_of, live, open_desk


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async for w in _world(tmp_path):
        yield w


async def test_a_post_from_a_review_card_is_written_on_the_card(world: World) -> None:
    article = await world.article("Card press")
    await world.run(
        drafts.submit(world.app.desk, article, actor_id=EDITOR_ID, author_name="Elena")
    )
    data = ReviewAction(action="publish", article_id=article.id).pack()
    card = await _card_with(world, data)
    before = len(world.admin_chat())
    world.tg.press_button(ADMIN_ID, chat_id=ADMIN_CHAT_ID, message_id=card.message_id, data=data)
    await world.until(lambda: len(world.channel()) == 1)
    link = f"https://t.me/{CHANNEL_USERNAME}/{world.channel()[0].message_id}"

    def on_card() -> str:
        return world.tg.message(ADMIN_CHAT_ID, card.message_id).visible

    await world.until(lambda: link in on_card())
    # The decision and the post are both on the card, which has no buttons any more.
    assert "Publishing now" in on_card() and f"Published in @{CHANNEL_USERNAME} at" in on_card()
    assert not world.tg.message(ADMIN_CHAT_ID, card.message_id).buttons
    # The author still hears about it; the admin chat got no message of its own for it.
    await world.until(lambda: any(link in m.visible for m in world.tg.messages(EDITOR_ID)))
    assert len(world.admin_chat()) == before


async def test_outcomes_without_a_card_go_into_one_digest_with_the_failures(
    world: World,
) -> None:
    first = await world.article("First story")
    second = await world.article("Second story")
    for article in (first, second):
        await world.command(f"/publish {article.id}")
    await world.until(lambda: len(world.channel()) == 2)
    await world.until(
        lambda: all(
            any(f"#{a.id} published" in m.visible for m in world.admin_chat())
            for a in (first, second)
        )
    )
    # One batch of two posts and a failure, told the way the engine's notice queue tells it.
    batch = []
    async with world.app.db.read() as uow:
        channel = await uow.channels.default()
        assert channel is not None
        for article in (first, second):
            [pub] = await uow.publications.for_article(article.id)
            fresh = await uow.articles.get(article.id)
            assert fresh is not None and pub.status is PublicationStatus.PUBLISHED
            batch.append(ChannelOutcome(fresh, pub, channel))
    batch.append(ChannelOutcome(batch[0].article, batch[0].pub, channel, "forbidden", "kicked"))
    before = len(world.admin_chat())
    await world.run(world.app.notifier.on_outcomes(batch))
    [digest] = world.admin_chat()[before:]
    lines = digest.visible.split("\n")
    assert len(lines) == 3
    assert f"#{first.id} published" in lines[0] and f"#{second.id} published" in lines[1]
    assert "could not be published" in lines[2] and "lost its rights" in lines[2]


# --- one message for a one-message post --------------------------------------------------------


async def test_a_photo_post_is_one_message_and_decisions_edit_its_caption(tmp_path: Path) -> None:
    async with open_desk(tmp_path, editor_language="en") as desk:
        tg = desk.tg
        tg.send_photo(EDITOR_ID, caption=SHORT_ARTICLE)
        await desk.until(lambda: desk.header(EDITOR_ID, 1) is not None)
        preview = desk.header(EDITOR_ID, 1)
        assert preview is not None and preview.photo and preview.caption is not None
        # The editor's chat: the post (photo + caption) with the header below a separator and
        # the draft's buttons on it, and no second message.
        assert preview.caption.startswith("City council approves new bus lanes")
        assert header_of(preview).startswith("Draft #1")
        assert [m for m in live(tg, EDITOR_ID) if flat(m) or m.photo] == [preview]

        before = len(tg.messages(ADMIN_CHAT_ID))
        card = await desk.submitted(1, preview)
        # One admin-chat message per submission: the post with the card's text and buttons.
        assert len(tg.messages(ADMIN_CHAT_ID)) == before + 1
        assert card.photo and header_of(card).startswith("На проверку: #1")
        assert flat(card) == ["r:publish:1", "r:schedule:1", "r:queue:1", "r:edit:1", "r:reject:1"]
        # The editor's preview was edited in place: a new status, still one message.
        assert "waiting for review" in header_of(tg.message(EDITOR_ID, preview.message_id))

        await desk.press(ADMIN_ID, card, "r:publish:1")
        await desk.until(lambda: len(desk.channel()) == 1)
        [post] = desk.channel()
        # The channel gets the post alone.
        assert post.caption is not None and SEPARATOR not in post.caption
        assert "На проверку" not in post.caption and "Draft" not in post.caption
        link = f"https://t.me/{CHANNEL_USERNAME}/{post.message_id}"
        await desk.until(lambda: link in tg.message(ADMIN_CHAT_ID, card.message_id).visible)
        closed = tg.message(ADMIN_CHAT_ID, card.message_id)
        # The decision and the post were written into the card's caption, buttons gone.
        assert not closed.buttons and closed.photo
        assert "Публикуется" in header_of(closed) and "Aigerim" in header_of(closed)
        assert closed.caption is not None and closed.caption.startswith("City council")
        edits = [c for c in tg.calls("editMessageCaption") if c["chat_id"] == str(ADMIN_CHAT_ID)]
        assert edits  # a caption is edited as a caption (editMessageText refuses a photo)
        assert len(tg.messages(ADMIN_CHAT_ID)) == before + 1


async def test_a_post_of_several_messages_keeps_its_header_message(tmp_path: Path) -> None:
    long_body = "\n\n".join(
        f"Paragraph {n} of a long report on the ring road and its new bus lanes, "
        "with every figure the council published this week." * 3
        for n in range(40)
    )
    async with open_desk(tmp_path, editor_language="en") as desk:
        tg = desk.tg
        article_id, header = await desk.paste(f"Ring road report\n\n{long_body}")
        # Too long for one message: the post, then the header with the buttons, as before.
        assert header.visible.startswith(f"Draft #{article_id}")
        assert SEPARATOR not in header.visible
        posts = [m for m in live(tg, EDITOR_ID) if m.message_id < header.message_id]
        assert len(posts) >= 2 and not any(flat(m) for m in posts)
        before = len(tg.messages(ADMIN_CHAT_ID))
        card = await desk.submitted(article_id, header)
        assert len(tg.messages(ADMIN_CHAT_ID)) == before + len(posts) + 1
        assert SEPARATOR not in card.visible
