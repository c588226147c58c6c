"""Feeds end to end: /feed_add checks the URL, the poller turns new items into drafts once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.domain import Article
from fakegram.harness import ADMIN_CHAT_ID, ADMIN_ID, Sandbox

FIXTURES = Path(__file__).parent / "fixtures"
RSS = (FIXTURES / "feed_rss.xml").read_bytes()


class FeedSite:
    """A local site serving one RSS feed with an ETag, an HTML page, and a broken feed."""

    def __init__(self) -> None:
        self.hits = 0
        self.not_modified = 0
        self.broken = False
        self.base = ""

    async def feed(self, request: web.Request) -> web.Response:
        self.hits += 1
        if self.broken:
            return web.Response(status=503)
        if request.headers.get("If-None-Match") == '"v1"':
            self.not_modified += 1
            return web.Response(status=304, headers={"ETag": '"v1"'})
        return web.Response(body=RSS, content_type="application/rss+xml", headers={"ETag": '"v1"'})

    async def page(self, request: web.Request) -> web.Response:
        return web.Response(text="<html><body>not a feed</body></html>", content_type="text/html")


@pytest.fixture
async def site() -> AsyncIterator[FeedSite]:
    state = FeedSite()
    app = web.Application()
    app.router.add_get("/rss.xml", state.feed)
    app.router.add_get("/page", state.page)
    runner = web.AppRunner(app)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = runner.addresses[0][1]
    state.base = f"http://127.0.0.1:{port}"
    try:
        yield state
    finally:
        await runner.cleanup()


async def _feed_articles(sandbox: Sandbox) -> list[Article]:
    async with sandbox.bot_app.db.read() as uow:
        items, _total = await uow.articles.page(limit=100)
    return [a for a in items if a.origin == "feed"]


async def test_feed_items_become_drafts_for_review_once(sandbox: Sandbox, site: FeedSite) -> None:
    tg = sandbox.tg
    tg.send_text(ADMIN_ID, f"/feed_add {site.base}/rss.xml review", chat_id=ADMIN_CHAT_ID)
    await tg.wait_for(lambda: any("Лента 1" in m.visible for m in tg.messages(ADMIN_CHAT_ID)))
    # Adding wakes the poller: every item becomes an article sent for review, with a card.
    # (Cards then trickle in at the admin chat's 20-a-minute limit; the first one is enough.)
    await tg.wait_for(
        lambda: any("r:publish" in str(m.button_data) for m in tg.messages(ADMIN_CHAT_ID)),
        timeout=10,
    )
    articles = await _feed_articles(sandbox)
    assert len(articles) == 4
    oecd = next(a for a in articles if a.content.title.startswith("ОЭСР"))
    assert {a.status.value for a in articles} <= {"draft", "pending"}
    assert oecd.status.value == "pending"  # the first item's card is the one we saw
    assert oecd.content.photos and oecd.content.photos[0].is_url
    assert "<script>" not in " ".join(oecd.content.body)

    # The next poll sends If-None-Match and creates nothing new.
    ports = sandbox.bot_app.desk
    async with ports.db.transaction() as uow:
        feed = (await uow.feeds.all())[0]
        await uow.feeds.record_success(
            feed.id,
            title="",
            etag=feed.etag,
            last_modified=feed.last_modified,
            next_poll_at=ports.clock.now(),
        )
    from bot.feeds import poll_due_feeds

    await poll_due_feeds(ports, ports.clock.now())
    assert site.not_modified >= 1
    assert len(await _feed_articles(sandbox)) == 4


async def test_not_a_feed_is_refused_politely(sandbox: Sandbox, site: FeedSite) -> None:
    tg = sandbox.tg
    tg.send_text(ADMIN_ID, f"/feed_add {site.base}/page", chat_id=ADMIN_CHAT_ID)
    reply = await tg.wait_for_message(ADMIN_CHAT_ID)
    assert "RSS" in reply.visible
    async with sandbox.bot_app.db.read() as uow:
        assert await uow.feeds.all() == []


async def test_failing_feed_is_reported_once(sandbox: Sandbox, site: FeedSite) -> None:
    from bot.feeds import poll_due_feeds

    ports = sandbox.bot_app.desk
    now = ports.clock.now()
    async with ports.db.transaction() as uow:
        feed = await uow.feeds.add(
            f"{site.base}/rss.xml", mode="review", interval_s=60, added_by=ADMIN_ID, now=now
        )
    assert feed is not None
    site.broken = True
    for _ in range(3):
        async with ports.db.transaction() as uow:
            await uow.conn.execute("UPDATE feeds SET next_poll_at = ?", (now.isoformat(),))
        await poll_due_feeds(ports, now)
    alerts = [m for m in sandbox.tg.messages(ADMIN_CHAT_ID) if "Лента 1" in m.visible]
    assert len(alerts) == 1
    async with ports.db.read() as uow:
        failed = await uow.feeds.get(feed.id)
    assert failed is not None and failed.failures == 3 and failed.next_poll_at > now
