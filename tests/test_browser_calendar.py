"""The newsroom calendar in a real browser: headless Chromium from the distribution's packages
(``apt-get install chromium chromium-driver``), driven by selenium, against the bot's own
aiohttp server (``App.serve_web_app``, what ``python -m bot`` starts) and the fake Bot API.

Time is a :class:`FakeClock` shared by the bot and the fake server, so "the post goes out at the
new time" is read from the channel message's date. The browser works in a thread while the
test keeps the event loop (the bot, the Mini App's server) and the fake clock going.

Screenshots go to ``tmp_path``, and to ``$NEWSROOM_SCREENSHOTS`` when set (``docs/img`` for
the README: ``NEWSROOM_SCREENSHOTS=docs/img pytest tests/test_browser_calendar.py``).
Without Chromium these tests skip; with ``NEWSROOM_REQUIRE_BROWSER=1`` (CI) they fail instead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.app import App
from bot.clock import FakeClock
from bot.timeparse import format_local
from bot.workflow import flags, queries, setup
from fakegram.harness import ADMIN_ID, CHANNEL_ID, EDITOR_ID, STRANGER_ID, Sandbox
from tests.webapp_support import (
    CHROMEDRIVER,
    CHROMIUM,
    browser_or_skip,
    card_of,
    free_port,
    in_browser,
    init_data,
    page_url,
    scheduled,
    submitted,
    until,
)

# 06:00 UTC is 11:00 in Asia/Almaty (the sandbox's zone, UTC+5).
START = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
T = TypeVar("T")
DESKTOP = (1280, 900)
PHONE = (390, 844)  # a common phone's CSS viewport
DARK = {
    "bg_color": "#17212b",
    "text_color": "#f5f5f5",
    "hint_color": "#708499",
    "link_color": "#6ab3f3",
    "button_color": "#5288c1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#232e3c",
}


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Selenium Manager must not look for (or download) a browser: both paths are given.
    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
    ):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield browser
    finally:
        browser.quit()


@dataclass
class Newsroom:
    sandbox: Sandbox
    clock: FakeClock
    port: int
    driver: Any
    shots: Path

    @property
    def app(self) -> App:
        return self.sandbox.bot_app

    async def run(self, awaitable: Awaitable[T]) -> T:
        """A use case that may wait on the rate limiter, which sleeps on the fake clock."""
        task = asyncio.ensure_future(awaitable)
        await until(self.clock, self.sandbox.tg, task.done)
        return task.result()

    async def browse(self, step: Any) -> Any:
        return await in_browser(self.clock, self.sandbox.tg, step)

    async def open_page(self, data: str, *, size: tuple[int, int] = DESKTOP, **kw: Any) -> None:
        def step() -> None:
            self.driver.set_window_size(*size)
            self.driver.get("about:blank")
            self.driver.get(page_url(self.port, data, **kw))

        await self.browse(step)

    async def wait_js(self, script: str, *, what: str) -> Any:
        """Poll a page condition (a JS expression) until it is truthy; its value."""

        def step() -> Any:
            from selenium.webdriver.support.ui import WebDriverWait

            return WebDriverWait(self.driver, 15, poll_frequency=0.05).until(
                lambda d: d.execute_script(f"return {script};"), message=what
            )

        return await self.browse(step)

    def shot(self, name: str) -> None:
        path = self.shots / name
        self.driver.save_screenshot(str(path))
        target = os.environ.get("NEWSROOM_SCREENSHOTS")
        if target:
            Path(target).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(target) / name)

    async def slots(self, slots: str, quiet: str = "") -> None:
        """Queue slots and quiet hours for the channel, set as /slots and /quiet set them."""
        [channel] = await queries.channels(self.app.db)
        await setup.set_slots(self.app.desk, channel, slots.split(), actor_id=ADMIN_ID)
        if quiet:
            await setup.set_quiet_hours(self.app.desk, channel, quiet, actor_id=ADMIN_ID)

    async def due(self, article_id: int) -> list[tuple[str, datetime]]:
        async with self.app.db.read() as uow:
            pubs = await uow.publications.for_article(article_id)
        return [(p.status.value, p.due_at) for p in pubs]

    async def scheduler_parked(self) -> None:
        engine = self.app.engine
        await until(self.clock, self.sandbox.tg, lambda: not engine._workers, max_fake=5)
        async with self.app.db.read() as uow:
            waiting = await uow.publications.next_due_at() is not None
        await asyncio.wait_for(self.clock.wait_for_sleepers(2 if waiting else 1), timeout=5)


@pytest.fixture
async def newsroom(driver: Any, tmp_path: Path) -> AsyncIterator[Newsroom]:
    clock = FakeClock(START)
    port = free_port()
    sandbox = Sandbox(workdir=tmp_path, clock=clock, default_language="en", web_app_port=port)
    async with sandbox:
        runner = await sandbox.bot_app.serve_web_app()
        assert runner is not None
        try:
            yield Newsroom(sandbox, clock, port, driver, tmp_path)
        finally:
            await runner.cleanup()


ITEMS = """Array.from(document.querySelectorAll('#timeline .item')).map(n => [
    Number(n.dataset.articleId), n.querySelector('.time').textContent,
    n.closest('.day').dataset.day, n.closest('.channel').dataset.channel])"""


async def test_calendar_shows_the_schedule_and_rescheduling_moves_the_post(
    newsroom: Newsroom,
) -> None:
    sb, tz = newsroom.sandbox, newsroom.app.settings.tz
    budget = await newsroom.run(scheduled(sb, "Budget vote passes", START + timedelta(hours=2)))
    metro = await newsroom.run(scheduled(sb, "Metro line opens", START + timedelta(hours=3)))
    flood = await newsroom.run(submitted(sb, "Flood warning for the river towns"))
    await newsroom.slots("09:00 12:00 15:00 18:00", "23:00-07:00")
    await newsroom.open_page(init_data(ADMIN_ID, at=newsroom.clock.now(), language="en"))
    await newsroom.wait_js("document.body.dataset.ready === '1'", what="the calendar loads")

    items = await newsroom.browse(lambda: newsroom.driver.execute_script("return " + ITEMS))
    assert [budget.id, "13:00", "2026-03-10", "@newsroom_demo"] in items
    assert [metro.id, "14:00", "2026-03-10", "@newsroom_demo"] in items
    waiting = await newsroom.browse(
        lambda: newsroom.driver.execute_script(
            "return Array.from(document.querySelectorAll('#waiting .item'))"
            ".map(n => [Number(n.dataset.articleId), n.textContent])"
        )
    )
    assert [w[0] for w in waiting] == [flood.id]
    assert "0 min" in waiting[0][1]  # its age in the queue
    await newsroom.browse(lambda: newsroom.shot("calendar-day.png"))

    # Open the post: its preview is the composer's output, then pick a new time and save.
    await newsroom.browse(
        lambda: newsroom.driver.execute_script(
            f"document.querySelector('#timeline .item[data-article-id=\"{budget.id}\"]').click()"
        )
    )
    await newsroom.wait_js(
        "!document.getElementById('sheet').hidden && document.getElementById('sheet-at')",
        what="the article opens",
    )
    preview = await newsroom.browse(
        lambda: newsroom.driver.execute_script(
            "return document.querySelector('#sheet .bubble .text').innerHTML"
        )
    )
    assert "<b>Budget vote passes</b>" in preview and "&lt;one&gt;" in preview
    await newsroom.browse(lambda: newsroom.shot("calendar-item.png"))
    await newsroom.browse(
        lambda: newsroom.driver.execute_script(
            "document.getElementById('sheet-at').value = '2026-03-10T16:30';"
            "document.getElementById('sheet-schedule').click();"
        )
    )
    moved = f'#timeline .item[data-article-id="{budget.id}"] .time'
    await newsroom.wait_js(
        f"(document.querySelector('{moved}') || {{}}).textContent === '16:30'",
        what="the calendar shows the new time",
    )

    new = START + timedelta(hours=5, minutes=30)  # 16:30 in Almaty
    assert await newsroom.due(budget.id) == [("scheduled", new)]
    await until(
        newsroom.clock, sb.tg, lambda: format_local(new, tz) in card_of(sb, "Budget vote").visible
    )
    assert "Aigerim" in card_of(sb, "Budget vote").visible

    def posts(title: str) -> list[int]:
        return [m.date for m in sb.tg.messages(CHANNEL_ID) if title in m.visible]

    # The old time passes (the other post goes out then), this one waits for the new time.
    await newsroom.clock.advance_to(START + timedelta(hours=3, minutes=1))
    await until(newsroom.clock, sb.tg, lambda: bool(posts("Metro line")))
    await newsroom.clock.advance_to(new - timedelta(seconds=1))
    await newsroom.scheduler_parked()
    assert posts("Budget vote") == []
    await newsroom.clock.advance(1)
    await until(newsroom.clock, sb.tg, lambda: bool(posts("Budget vote")))
    assert posts("Budget vote")[0] - int(new.timestamp()) in (0, 1)


async def test_forged_stale_and_non_staff_sign_ins_are_refused_and_change_nothing(
    newsroom: Newsroom,
) -> None:
    sb = newsroom.sandbox
    article = await newsroom.run(scheduled(sb, "Guarded budget", START + timedelta(hours=2)))
    before, card_before = await newsroom.due(article.id), card_of(sb, "Guarded").visible
    now = newsroom.clock.now()
    max_age = newsroom.app.settings.web_app_max_age_seconds
    cases = [
        (init_data(ADMIN_ID, at=now, token="999:another-bots-token"), 401, "not from Telegram"),
        (init_data(ADMIN_ID, at=now - timedelta(seconds=max_age + 60)), 401, "expired"),
        (init_data(STRANGER_ID, at=now), 403, "editors and admins"),
    ]
    # What the page itself would send with the sign-in it was opened with.
    post = (
        "const done = arguments[arguments.length - 1];"
        "const data = new URLSearchParams(location.hash.slice(1)).get('tgWebAppData');"
        f"fetch('/app/api/articles/{article.id}/schedule', {{method: 'POST', headers: {{"
        "'Authorization': 'tma ' + data, 'Content-Type': 'application/json'},"
        "body: JSON.stringify({at: '2026-03-10T20:00'})})"
        ".then(r => done(r.status), e => done(String(e)));"
    )
    for data, status, words in cases:
        await newsroom.open_page(data)
        text = await newsroom.wait_js(
            "!document.getElementById('error').hidden && "
            "document.getElementById('error').textContent",
            what=f"the refusal ({words})",
        )
        assert words in text
        answer = await newsroom.browse(lambda: newsroom.driver.execute_async_script(post))
        assert answer == status, words
        hidden = await newsroom.browse(
            lambda: newsroom.driver.execute_script(
                "return document.getElementById('calendar').hidden"
            )
        )
        assert hidden is True  # nothing of the newsroom is shown
    await newsroom.browse(lambda: newsroom.shot("calendar-refused.png"))
    assert await newsroom.due(article.id) == before
    assert card_of(sb, "Guarded").visible == card_before


async def test_the_page_works_at_a_phone_width_in_the_dark_theme(newsroom: Newsroom) -> None:
    sb = newsroom.sandbox
    title = "Night session of parliament ends with a long-awaited vote"
    await newsroom.run(scheduled(sb, title, START + timedelta(hours=1)))
    await newsroom.run(submitted(sb, "Airport reopens after the storm"))
    data = init_data(ADMIN_ID, at=newsroom.clock.now(), language="ru")
    await newsroom.open_page(data, size=PHONE, theme=DARK)
    await newsroom.wait_js("document.body.dataset.ready === '1'", what="the calendar loads")
    layout = await newsroom.browse(
        lambda: newsroom.driver.execute_script(
            """const r = s => document.querySelector(s).getBoundingClientRect();
            return {scroll: document.documentElement.scrollWidth, width: window.innerWidth,
                    waiting: r('#waiting').bottom, timeline: r('#timeline').top,
                    item: r('#timeline .item').right,
                    bg: getComputedStyle(document.body).backgroundColor,
                    title: document.getElementById('title').textContent};"""
        )
    )
    assert layout["width"] <= PHONE[0]
    assert layout["scroll"] <= layout["width"]  # nothing sticks out sideways
    assert layout["waiting"] <= layout["timeline"]  # the columns stack on a phone
    assert layout["item"] <= layout["width"]
    assert layout["bg"] == "rgb(23, 33, 43)"  # the client's theme, not the default
    assert layout["title"] == "Календарь редакции"  # the client's language
    await newsroom.browse(lambda: newsroom.shot("calendar-phone-dark.png"))
    await newsroom.browse(
        lambda: newsroom.driver.execute_script("document.querySelector('#timeline .item').click()")
    )
    box = await newsroom.wait_js(
        "!document.getElementById('sheet').hidden && "
        "document.getElementById('sheet-box').getBoundingClientRect().width",
        what="the article opens",
    )
    assert box <= PHONE[0]
    await newsroom.browse(lambda: newsroom.shot("calendar-phone-item.png"))


async def test_editors_see_their_own_articles_read_only(newsroom: Newsroom) -> None:
    sb = newsroom.sandbox
    mine = await newsroom.run(scheduled(sb, "Editor's market report", START + timedelta(hours=2)))
    await newsroom.open_page(init_data(EDITOR_ID, at=newsroom.clock.now(), language="ru"))
    await newsroom.wait_js("document.body.dataset.ready === '1'", what="the calendar loads")
    notice = await newsroom.browse(
        lambda: newsroom.driver.execute_script(
            "return document.getElementById('notice').textContent"
        )
    )
    assert notice == "Вы видите свои статьи; менять их могут только админы."
    await newsroom.browse(
        lambda: newsroom.driver.execute_script(
            f"document.querySelector('.item[data-article-id=\"{mine.id}\"]').click()"
        )
    )
    await newsroom.wait_js(
        "!document.getElementById('sheet').hidden && document.querySelector('#sheet .bubble')",
        what="the article opens",
    )
    actions = await newsroom.browse(
        lambda: newsroom.driver.execute_script(
            "return document.querySelectorAll('#sheet .actions, #sheet-schedule').length"
        )
    )
    assert actions == 0


def test_a_missing_browser_skips_here_and_fails_where_required(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests import webapp_support

    monkeypatch.setattr(webapp_support, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("NEWSROOM_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-chromium"):
        webapp_support.browser_or_skip()
    monkeypatch.setenv("NEWSROOM_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="NEWSROOM_REQUIRE_BROWSER=1"):
        webapp_support.browser_or_skip()


async def test_dragging_a_post_to_a_free_slot_moves_it_there(newsroom: Newsroom) -> None:
    sb, tz = newsroom.sandbox, newsroom.app.settings.tz
    await newsroom.slots("09:00 12:00 15:00 18:00", "23:00-07:00")
    metro = await newsroom.run(scheduled(sb, "Metro line opens", START + timedelta(hours=2)))
    late = await newsroom.run(submitted(sb, "Night train timetable"))
    await flags.mark_breaking(newsroom.app.desk, late.id, actor_id=ADMIN_ID)
    embargo = START + timedelta(days=1)
    await flags.set_embargo(newsroom.app.desk, late.id, embargo, actor_id=ADMIN_ID)
    await newsroom.open_page(init_data(ADMIN_ID, at=newsroom.clock.now(), language="en"))
    await newsroom.wait_js("document.body.dataset.ready === '1'", what="the calendar loads")
    slots = await newsroom.browse(
        lambda: newsroom.driver.execute_script(
            "return Array.from(document.querySelectorAll('.day[data-day=\"2026-03-10\"] .slot'))"
            ".map(n => n.querySelector('.time').textContent)"
        )
    )
    assert slots == ["12:00", "15:00", "18:00"]  # today's slots still ahead (it is 11:00)
    await newsroom.browse(lambda: newsroom.shot("calendar-slots.png"))
    # An HTML5 drop, as the browser fires it when the post is dragged onto the 15:00 slot.
    await newsroom.browse(
        lambda: newsroom.driver.execute_script(
            "const dt = new DataTransfer(); dt.setData('text/plain', arguments[0]);"
            "const slot = document.querySelector('.slot[data-at^=\"2026-03-10T15:00\"]');"
            "slot.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true}));",
            str(metro.id),
        )
    )
    moved = f'#timeline .item[data-article-id="{metro.id}"] .time'
    await newsroom.wait_js(
        f"(document.querySelector('{moved}') || {{}}).textContent === '15:00'",
        what="the post shows at the slot's time",
    )
    slot_time = START + timedelta(hours=4)  # 15:00 in Almaty
    assert await newsroom.due(metro.id) == [("scheduled", slot_time)]
    await until(
        newsroom.clock,
        sb.tg,
        lambda: format_local(slot_time, tz) in card_of(sb, "Metro line").visible,
    )
    # The slot it took is no longer offered.
    left = await newsroom.browse(
        lambda: newsroom.driver.execute_script(
            "return document.querySelectorAll('.slot[data-at^=\"2026-03-10T15:00\"]').length"
        )
    )
    assert left == 0
    # The week: seven days from today, each with its posts and free slots.
    days = await newsroom.browse(
        lambda: newsroom.driver.execute_script(
            "document.getElementById('view-week').click();"
            "return Array.from(document.querySelectorAll('.channel .day')).map(d => d.dataset.day)"
        )
    )
    assert days == [f"2026-03-{d}" for d in range(10, 17)]
    await newsroom.browse(lambda: newsroom.shot("calendar-week.png"))


async def test_a_decision_taken_in_the_chat_shows_in_the_open_calendar(newsroom: Newsroom) -> None:
    sb = newsroom.sandbox
    article = await newsroom.run(scheduled(sb, "Opera season opens", START + timedelta(hours=2)))
    await newsroom.open_page(init_data(ADMIN_ID, at=newsroom.clock.now(), language="en"))
    item = f'#timeline .item[data-article-id="{article.id}"] .time'
    await newsroom.wait_js(
        f"(document.querySelector('{item}') || {{}}).textContent === '13:00'",
        what="the calendar shows the chat's schedule",
    )
    # An admin reschedules it from the chat, as the chat does it.
    before = len(sb.tg.messages(ADMIN_ID))
    sb.tg.send_text(ADMIN_ID, f"/schedule {article.id} 17:45")
    await until(newsroom.clock, sb.tg, lambda: len(sb.tg.messages(ADMIN_ID)) > before)
    assert await newsroom.due(article.id) == [
        ("scheduled", START + timedelta(hours=6, minutes=45))
    ]
    # Coming back to the app (Telegram focuses its view again) shows the new time.
    await newsroom.browse(
        lambda: newsroom.driver.execute_script("window.dispatchEvent(new Event('focus'))")
    )
    await newsroom.wait_js(
        f"(document.querySelector('{item}') || {{}}).textContent === '17:45'",
        what="the calendar follows the chat",
    )


async def test_reject_and_publish_now_from_the_page(newsroom: Newsroom) -> None:
    sb = newsroom.sandbox
    rumour = await newsroom.run(submitted(sb, "Rumour about the mayor"))
    bridge = await newsroom.run(submitted(sb, "Bridge reopens to traffic"))
    await newsroom.open_page(init_data(ADMIN_ID, at=newsroom.clock.now(), language="en"))
    await newsroom.wait_js("document.body.dataset.ready === '1'", what="the calendar loads")

    async def open_item(article_id: int) -> None:
        await newsroom.browse(
            lambda: newsroom.driver.execute_script(
                f"document.querySelector('#waiting .item[data-article-id=\"{article_id}\"]')"
                ".click()"
            )
        )
        await newsroom.wait_js(
            f"document.getElementById('sheet').dataset.articleId === '{article_id}'"
            " && !document.getElementById('sheet').hidden",
            what="the article opens",
        )

    await open_item(rumour.id)
    await newsroom.browse(
        lambda: newsroom.driver.execute_script(
            "document.getElementById('sheet-reason').value = 'No second source';"
            "document.getElementById('sheet-reject').click();"
        )
    )
    await until(newsroom.clock, sb.tg, lambda: "No second source" in card_of(sb, "Rumour").visible)
    await until(
        newsroom.clock,
        sb.tg,
        lambda: any("No second source" in m.visible for m in sb.tg.messages(EDITOR_ID)),
    )
    await open_item(bridge.id)
    await newsroom.browse(
        lambda: newsroom.driver.execute_script("document.getElementById('sheet-approve').click()")
    )
    await until(
        newsroom.clock,
        sb.tg,
        lambda: any("Bridge reopens" in m.visible for m in sb.tg.messages(CHANNEL_ID)),
    )
    # The page shows what happened: the rejected one waits with its author, the other is out.
    await newsroom.wait_js(
        f"!document.querySelector('#waiting .item[data-article-id=\"{bridge.id}\"]')",
        what="the published one leaves the waiting column",
    )
