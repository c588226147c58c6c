"""The Mini App's JSON API over HTTP: initData sign-in (forged, stale, non-staff), the queue,
and rescheduling through the same use case as the chat, with the admin chat's card following.

The bot runs in the sandbox (aiogram over HTTP against the fake Bot API); the Mini App is the
aiohttp application ``python -m bot`` serves, on a loopback port of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.domain import ArticleStatus
from bot.timeparse import format_local
from bot.web import make_web_app
from fakegram.harness import ADMIN_ID, EDITOR_ID, SECOND_ADMIN_ID, STRANGER_ID, Sandbox
from tests.webapp_support import auth, card_of, hours, init_data, scheduled, submitted


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[TestClient[Any, Any]]:
    app = sandbox.bot_app
    web_app = make_web_app(app.health, webapp=app.web_app_context())
    async with TestClient(TestServer(web_app)) as http:
        yield http


def now() -> datetime:
    return datetime.now(UTC)


async def _due(sandbox: Sandbox, article_id: int) -> list[tuple[str, datetime]]:
    async with sandbox.bot_app.db.read() as uow:
        pubs = await uow.publications.for_article(article_id)
    return [(p.status.value, p.due_at) for p in pubs]


async def test_queue_lists_scheduled_and_waiting_in_newsroom_time(
    sandbox: Sandbox, client: TestClient[Any, Any]
) -> None:
    due = (now() + hours(3)).replace(microsecond=0)
    later = await scheduled(sandbox, "Budget vote", due)
    waiting = await submitted(sandbox, "Flood warning")
    answer = await client.get("/app/api/queue", headers=auth(ADMIN_ID, at=now()))
    assert answer.status == 200
    assert answer.headers["Cache-Control"] == "no-store"
    body = await answer.json()
    items = {i["article_id"]: i for i in body["items"]}
    item = items[later.id]
    assert {"article_id", "title", "channel", "status", "due_at"} <= item.keys()
    assert (item["title"], item["channel"], item["status"]) == (
        "Budget vote",
        "@newsroom_demo",
        "scheduled",
    )
    # Asia/Almaty (the sandbox's zone) is UTC+5: the offset is spelled, the instant is exact.
    assert item["due_at"].endswith("+05:00")
    assert datetime.fromisoformat(item["due_at"]) == due
    assert items[waiting.id]["status"] == "pending"
    assert items[waiting.id]["due_at"] is None
    assert body["timezone"] == "Asia/Almaty"
    assert [c["ref"] for c in body["channels"]] == ["@newsroom_demo"]


async def test_reschedule_moves_the_publication_and_the_admin_chat_card(
    sandbox: Sandbox, client: TestClient[Any, Any]
) -> None:
    first = (now() + hours(2)).replace(second=0, microsecond=0)
    article = await scheduled(sandbox, "Metro line opens", first)
    tz = sandbox.bot_app.settings.tz
    await sandbox.tg.wait_for(lambda: format_local(first, tz) in card_of(sandbox, "Metro").visible)
    new = first + hours(5)
    local = new.astimezone(tz).replace(tzinfo=None).isoformat(timespec="minutes")
    answer = await client.post(
        f"/app/api/articles/{article.id}/schedule",
        json={"at": local},  # no offset: the newsroom's wall time, as the page sends it
        headers=auth(SECOND_ADMIN_ID, at=now(), name="Daniyar"),
    )
    assert answer.status == 200, await answer.text()
    body = await answer.json()
    assert body["ok"] and datetime.fromisoformat(body["due_at"]) == new
    assert await _due(sandbox, article.id) == [("scheduled", new)]
    # The chat's card says the new time and who chose it, edited in place.
    await sandbox.tg.wait_for(lambda: format_local(new, tz) in card_of(sandbox, "Metro").visible)
    card = card_of(sandbox, "Metro")
    assert "Daniyar" in card.visible and format_local(first, tz) not in card.visible
    async with sandbox.bot_app.db.read() as uow:
        entries = await uow.audit.for_article(article.id)
    assert [e.action for e in entries][-1] == "scheduled"
    assert entries[-1].actor_id == SECOND_ADMIN_ID


async def test_schedule_a_waiting_article_approves_it_like_the_chat(
    sandbox: Sandbox, client: TestClient[Any, Any]
) -> None:
    article = await submitted(sandbox, "Snow closes passes")
    at = (now() + hours(1)).replace(second=0, microsecond=0)
    answer = await client.post(
        f"/app/api/articles/{article.id}/schedule",
        json={"at": at.isoformat(), "channel": "@newsroom_demo"},
        headers=auth(ADMIN_ID, at=now()),
    )
    assert answer.status == 200, await answer.text()
    assert await _due(sandbox, article.id) == [("scheduled", at)]
    async with sandbox.bot_app.db.read() as uow:
        stored = await uow.articles.get(article.id)
    assert stored is not None and stored.status is ArticleStatus.SCHEDULED


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "no header"),
        ({"Authorization": "Bearer abc"}, "another scheme"),
        ({"Authorization": "tma "}, "empty"),
        ({"Authorization": "tma user=%7B%22id%22%3A1001%7D&auth_date=1&hash=00"}, "made up"),
    ],
)
async def test_requests_without_valid_init_data_are_401(
    sandbox: Sandbox, client: TestClient[Any, Any], headers: dict[str, str], why: str
) -> None:
    article = await scheduled(sandbox, "Untouched", now() + hours(4))
    before = await _due(sandbox, article.id)
    for method, path in (
        ("GET", "/app/api/queue"),
        ("POST", f"/app/api/articles/{article.id}/schedule"),
    ):
        answer = await client.request(
            method, path, json={"at": (now() + hours(9)).isoformat()}, headers=headers
        )
        assert answer.status == 401, (why, method)
    assert await _due(sandbox, article.id) == before


async def test_forged_stale_and_non_staff_init_data_change_nothing(
    sandbox: Sandbox, client: TestClient[Any, Any]
) -> None:
    article = await scheduled(sandbox, "Guarded", now() + hours(4))
    before = await _due(sandbox, article.id)
    target = f"/app/api/articles/{article.id}/schedule"
    body = {"at": (now() + hours(9)).isoformat()}
    forged = init_data(ADMIN_ID, at=now(), token="999999:another-bots-token")
    tampered = init_data(STRANGER_ID, at=now()).replace("3001", "1001")  # a stranger as admin
    max_age = sandbox.bot_app.settings.web_app_max_age_seconds
    stale = init_data(ADMIN_ID, at=now() - timedelta(seconds=max_age + 5))
    future = init_data(ADMIN_ID, at=now() + hours(1))
    for data, status, code in (
        (forged, 401, "bad_signature"),
        (tampered, 401, "bad_signature"),
        (stale, 401, "stale"),
        (future, 401, "stale"),
        (init_data(STRANGER_ID, at=now()), 403, "not_staff"),
    ):
        for answer in (
            await client.post(target, json=body, headers={"Authorization": f"tma {data}"}),
            await client.get("/app/api/queue", headers={"Authorization": f"tma {data}"}),
        ):
            assert answer.status == status, code
            reply = await answer.json()
            assert reply["error"] == code
            assert reply["message"]  # a sentence for the page, not a bare code
            assert "items" not in reply
    assert await _due(sandbox, article.id) == before


async def test_editors_read_their_own_articles_and_may_not_act(
    sandbox: Sandbox, client: TestClient[Any, Any]
) -> None:
    mine = await scheduled(sandbox, "Editor's own", now() + hours(4))
    before = await _due(sandbox, mine.id)
    headers = auth(EDITOR_ID, at=now())
    body = await (await client.get("/app/api/queue", headers=headers)).json()
    assert {i["article_id"] for i in body["items"]} == {mine.id}
    session = await (await client.get("/app/api/session", headers=headers)).json()
    assert session["can_act"] is False and session["language"] == "en"
    answer = await client.post(
        f"/app/api/articles/{mine.id}/schedule",
        json={"at": (now() + hours(8)).isoformat()},
        headers=headers,
    )
    assert answer.status == 403
    assert (await answer.json())["message"] == "Only admins can do that."
    assert await _due(sandbox, mine.id) == before


async def test_bad_requests_are_answered_in_the_viewers_language(
    sandbox: Sandbox, client: TestClient[Any, Any]
) -> None:
    article = await scheduled(sandbox, "Kept", now() + hours(4))
    before = await _due(sandbox, article.id)
    target = f"/app/api/articles/{article.id}/schedule"
    ru = auth(ADMIN_ID, at=now())  # Aigerim's Telegram speaks Russian
    cases = [
        ({"data": "at=tomorrow"}, 415),  # a form post (what another site could make) is refused
        ({"data": "{", "headers": {"Content-Type": "application/json"}}, 400),
        ({"json": {"at": "next Tuesday-ish"}}, 400),
        ({"json": {"at": (now() - hours(3)).isoformat()}}, 422),
        ({"json": {"at": (now() + hours(1)).isoformat(), "channel": "@nowhere"}}, 422),
    ]
    for kwargs, status in cases:
        extra = kwargs.pop("headers", {})
        answer = await client.post(target, headers={**ru, **extra}, **kwargs)  # type: ignore[arg-type]
        assert answer.status == status, kwargs
        message = (await answer.json())["message"]
        assert any("а" <= ch <= "я" for ch in message.lower()), message
    missing = await client.post(
        "/app/api/articles/99999/schedule", headers=ru, json={"at": (now() + hours(1)).isoformat()}
    )
    assert missing.status == 404
    assert await _due(sandbox, article.id) == before


async def test_article_sheet_shows_the_composed_post_escaped_and_its_history(
    sandbox: Sandbox, client: TestClient[Any, Any]
) -> None:
    article = await scheduled(sandbox, "Preview me", now() + hours(4))
    answer = await client.get(f"/app/api/articles/{article.id}", headers=auth(ADMIN_ID, at=now()))
    assert answer.status == 200
    sheet = await answer.json()
    html = sheet["previews"][0]["messages"][0]["html"]
    assert "<b>Preview me</b>" in html
    assert "&lt;one&gt; paragraph &amp; more" in html  # the editor's text stays text
    assert [h["action"] for h in sheet["history"]][:2] == ["created", "submitted"]
    assert sheet["history"][-1]["action"] == "scheduled"
    stranger = await client.get(
        f"/app/api/articles/{article.id}", headers=auth(STRANGER_ID, at=now())
    )
    assert stranger.status == 403


async def test_page_is_served_without_any_secret(
    sandbox: Sandbox, client: TestClient[Any, Any]
) -> None:
    page = await client.get("/app")
    assert page.status == 200
    text = await page.text()
    assert "<script" in text and "app.js" in text
    assert "https://" not in text  # nothing is loaded from the internet
    assert sandbox.bot_app.bot.token not in text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    script = await client.get("/app/static/app.js")
    assert script.status == 200
    assert sandbox.bot_app.bot.token not in await script.text()
