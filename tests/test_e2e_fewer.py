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
from bot.workflow import drafts
from fakegram.harness import ADMIN_CHAT_ID, ADMIN_ID, CHANNEL_USERNAME, EDITOR_ID
from tests.test_e2e_publish import World, _card_with, _world


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
