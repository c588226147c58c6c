"""The Mini App's other actions over HTTP, each through the chat's use case: publish now,
reject with a reason, move to another channel, unpublish, decide a held publication; races
between admins; the buttons that open the app (the /queue row and the menu button)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.callbacks import HeldAction
from bot.domain import ArticleStatus
from bot.web import make_web_app
from bot.webapp.buttons import set_menu_buttons
from fakegram.harness import (
    ADMIN_CHAT_ID,
    ADMIN_ID,
    CHANNEL_ID,
    EDITOR_ID,
    SECOND_ADMIN_ID,
    Sandbox,
)
from tests.webapp_support import auth, card_of, hours, scheduled, submitted

SECOND = -1002222222222
URL = "https://news.example.org/app"


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    async with Sandbox(workdir=tmp_path, web_app_url=URL) as world:
        yield world


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[TestClient[Any, Any]]:
    app = sandbox.bot_app
    async with TestClient(TestServer(make_web_app(app.health, webapp=app.web_app_context()))) as c:
        yield c


def now() -> datetime:
    return datetime.now(UTC)


async def _status(sandbox: Sandbox, article_id: int) -> ArticleStatus:
    async with sandbox.bot_app.db.read() as uow:
        article = await uow.articles.get(article_id)
    assert article is not None
    return article.status


def _posts(sandbox: Sandbox, title: str) -> list[Any]:
    return [m for m in sandbox.tg.messages(CHANNEL_ID) if title in m.visible]


async def test_publish_now_posts_and_closes_the_card(
    sandbox: Sandbox, client: TestClient[Any, Any]
) -> None:
    article = await submitted(sandbox, "Bridge reopens")
    answer = await client.post(
        f"/app/api/articles/{article.id}/approve", json={}, headers=auth(ADMIN_ID, at=now())
    )
    assert answer.status == 200, await answer.text()
    await sandbox.tg.wait_for(lambda: bool(_posts(sandbox, "Bridge reopens")), timeout=10)
    await sandbox.tg.wait_for(lambda: "Aigerim" in card_of(sandbox, "Bridge").visible)
    assert await _status(sandbox, article.id) is ArticleStatus.PUBLISHED


async def test_reject_needs_a_reason_and_one_of_two_admins_wins(
    sandbox: Sandbox, client: TestClient[Any, Any]
) -> None:
    article = await submitted(sandbox, "Rumour about the mayor")
    target = f"/app/api/articles/{article.id}/reject"
    empty = await client.post(target, json={"reason": "  "}, headers=auth(ADMIN_ID, at=now()))
    assert empty.status == 400
    assert await _status(sandbox, article.id) is ArticleStatus.PENDING
    first, second = await asyncio.gather(
        client.post(target, json={"reason": "No second source"}, headers=auth(ADMIN_ID, at=now())),
        client.post(
            target,
            json={"reason": "Unverified"},
            headers=auth(SECOND_ADMIN_ID, at=now(), name="Daniyar"),
        ),
    )
    assert sorted([first.status, second.status]) == [200, 409]
    loser = second if second.status == 409 else first
    told = (await loser.json())["message"]
    assert "Aigerim" in told or "Daniyar" in told  # who decided first
    assert await _status(sandbox, article.id) is ArticleStatus.REJECTED
    async with sandbox.bot_app.db.read() as uow:
        entries = await uow.audit.for_article(article.id)
    assert [e.action for e in entries].count("rejected") == 1
    # The author hears the reason, the card in the admin chat shows it.
    reason = entries[-1].details["reason"]
    await sandbox.tg.wait_for(
        lambda: any(reason in m.visible for m in sandbox.tg.messages(EDITOR_ID))
    )
    await sandbox.tg.wait_for(lambda: reason in card_of(sandbox, "Rumour").visible)


async def test_move_to_another_channel_takes_it_off_the_first(
    sandbox: Sandbox, client: TestClient[Any, Any]
) -> None:
    sandbox.tg.add_channel(SECOND, username="second_news", title="Second News", can_post=True)
    app = sandbox.bot_app
    async with app.db.transaction() as uow:
        second = await uow.channels.ensure(
            "@second_news", now=now(), chat_id=SECOND, username="second_news", title="Second"
        )
    at = (now() + hours(6)).replace(second=0, microsecond=0)
    article = await scheduled(sandbox, "Regional weather", now() + hours(2))
    answer = await client.post(
        f"/app/api/articles/{article.id}/schedule",
        json={"at": at.isoformat(), "channel": "@second_news"},
        headers=auth(ADMIN_ID, at=now()),
    )
    assert answer.status == 200, await answer.text()
    async with app.db.read() as uow:
        pubs = {
            p.channel_id: (p.status.value, p.due_at)
            for p in await uow.publications.for_article(article.id)
        }
        chosen = await uow.channels.chosen_for(article.id)
        actions = [e.action for e in await uow.audit.for_article(article.id)]
    assert pubs[second.id] == ("scheduled", at)
    assert [s for c, (s, _due) in pubs.items() if c != second.id] == ["cancelled"]
    assert chosen == [second.id]
    assert actions[-2:] == ["scheduled", "moved"]
    queue = await (await client.get("/app/api/queue", headers=auth(ADMIN_ID, at=now()))).json()
    mine = [i for i in queue["items"] if i["article_id"] == article.id]
    assert [(i["channel"], i["status"]) for i in mine] == [("@second_news", "scheduled")]


async def test_unpublish_deletes_the_post_once(
    sandbox: Sandbox, client: TestClient[Any, Any]
) -> None:
    article = await submitted(sandbox, "Wrong figures")
    headers = auth(ADMIN_ID, at=now())
    await client.post(f"/app/api/articles/{article.id}/approve", json={}, headers=headers)
    await _published(sandbox)
    target = f"/app/api/articles/{article.id}/unpublish"
    answer = await client.post(target, json={}, headers=headers)
    assert answer.status == 200, await answer.text()
    assert all(m.deleted for m in _posts(sandbox, "Wrong figures"))
    assert await _status(sandbox, article.id) is ArticleStatus.APPROVED
    again = await client.post(target, json={}, headers=headers)
    assert again.status == 409


async def _published(sandbox: Sandbox) -> None:
    """The author is told last, with the post's link: then the bookkeeping is done."""
    link = "t.me/newsroom_demo/"
    await sandbox.tg.wait_for(
        lambda: any(link in m.visible for m in sandbox.tg.messages(EDITOR_ID)), timeout=10
    )


async def test_a_held_publication_is_decided_once(
    sandbox: Sandbox, client: TestClient[Any, Any]
) -> None:
    article = await submitted(sandbox, "Answer lost in transit")
    sandbox.tg.drop_next("sendMessage", after=True)  # posted, but the answer never arrives
    await client.post(
        f"/app/api/articles/{article.id}/approve", json={}, headers=auth(ADMIN_ID, at=now())
    )

    # The engine holds it and puts a card with the three answers in the admin chat.
    async with sandbox.bot_app.db.read() as uow:
        [pub] = await uow.publications.for_article(article.id)
    held = [HeldAction(action=a, publication_id=pub.id).pack() for a in ("sent", "resend")]
    await sandbox.tg.wait_for(
        lambda: any(held in m.button_data for m in sandbox.tg.messages(ADMIN_CHAT_ID)),
        timeout=15,
    )
    body = await (await client.get("/app/api/queue", headers=auth(ADMIN_ID, at=now()))).json()
    found = [i for i in body["items"] if i["article_id"] == article.id]
    assert [i["status"] for i in found] == ["held"]
    pub_id = found[0]["publication_id"]
    target = f"/app/api/publications/{pub_id}/held"
    editor = await client.post(
        target, json={"decision": "sent"}, headers=auth(EDITOR_ID, at=now())
    )
    assert editor.status == 403
    bad = await client.post(target, json={"decision": "maybe"}, headers=auth(ADMIN_ID, at=now()))
    assert bad.status == 400
    answer = await client.post(target, json={"decision": "sent"}, headers=auth(ADMIN_ID, at=now()))
    assert answer.status == 200, await answer.text()
    assert await _status(sandbox, article.id) is ArticleStatus.PUBLISHED
    late = await client.post(
        target, json={"decision": "resend"}, headers=auth(SECOND_ADMIN_ID, at=now())
    )
    assert late.status == 409
    assert len(_posts(sandbox, "Answer lost")) == 1  # never sent twice


async def test_queue_and_menu_buttons_open_the_calendar(sandbox: Sandbox) -> None:
    before = len(sandbox.tg.messages(ADMIN_CHAT_ID))
    sandbox.tg.send_text(ADMIN_ID, "/queue", chat_id=ADMIN_CHAT_ID)
    await sandbox.tg.wait_for(lambda: len(sandbox.tg.messages(ADMIN_CHAT_ID)) > before)
    rows = sandbox.tg.messages(ADMIN_CHAT_ID)[-1].reply_markup["inline_keyboard"]  # type: ignore[index]
    # A group cannot have web_app buttons (Bot API): the row opens the bot's Main Mini App.
    assert rows[-1][0]["url"] == "https://t.me/newsroom_bot?startapp=calendar"
    sandbox.tg.send_text(ADMIN_ID, "/queue")
    await sandbox.tg.wait_for(lambda: bool(sandbox.tg.messages(ADMIN_ID)))
    private = sandbox.tg.messages(ADMIN_ID)[-1].reply_markup["inline_keyboard"]  # type: ignore[index]
    assert private[-1][0]["web_app"] == {"url": URL}
    app = sandbox.bot_app
    done = await set_menu_buttons(app.bot, app.settings, app.languages)
    calls = sandbox.tg.calls("setChatMenuButton")
    assert done == len(calls) == 3  # both admins and the editor
    assert {c["chat_id"] for c in calls} == {str(ADMIN_ID), str(SECOND_ADMIN_ID), str(EDITOR_ID)}
    assert all(URL in c["menu_button"] for c in calls)
