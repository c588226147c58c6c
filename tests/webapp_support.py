"""What the Mini App's tests share: a seeded newsroom, signed initData, the card in the chat."""

from __future__ import annotations

import asyncio
import json
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, urlencode

import pytest

from bot.clock import FakeClock
from bot.domain import Article, ArticleContent
from bot.workflow import drafts, review
from fakegram.harness import ADMIN_CHAT_ID, ADMIN_ID, EDITOR_ID, TOKEN, Sandbox
from fakegram.methods.webapp import sign_init_data
from fakegram.server import FakeTelegram, SentMessage

USERS = {
    ADMIN_ID: {"first_name": "Aigerim", "username": "aigerim", "language_code": "ru"},
    EDITOR_ID: {"first_name": "Elena", "language_code": "en"},
}


def init_data(
    user_id: int,
    *,
    at: datetime,
    token: str = TOKEN,
    language: str | None = None,
    name: str = "",
) -> str:
    """initData as a Telegram client would hand the page, signed with ``token``."""
    user = {"id": user_id, "first_name": name or f"User {user_id}", **USERS.get(user_id, {})}
    if language is not None:
        user["language_code"] = language
    return sign_init_data(token, user=user, auth_date=int(at.timestamp()))


def auth(user_id: int, *, at: datetime, **kw: object) -> dict[str, str]:
    return {"Authorization": "tma " + init_data(user_id, at=at, **kw)}  # type: ignore[arg-type]


async def submitted(sandbox: Sandbox, title: str) -> Article:
    """An editor's article waiting for review (its card is in the admin chat)."""
    app = sandbox.bot_app
    content = ArticleContent(
        title=title,
        lead=f"Lead of {title}.",
        body=(f"Body of {title}, <one> paragraph & more.",),
        source_name="Newsroom",
    )
    created = await drafts.create_draft(
        app.desk, content, author_id=EDITOR_ID, language="en", origin="text"
    )
    result = await drafts.submit(
        app.desk, created.article, actor_id=EDITOR_ID, author_name="Elena"
    )
    assert result.ok and result.article is not None
    return result.article


async def scheduled(sandbox: Sandbox, title: str, due: datetime) -> Article:
    """A submitted article an admin scheduled for ``due`` from the chat's use case."""
    article = await submitted(sandbox, title)
    result = await review.publish(
        sandbox.bot_app.desk, article.id, actor_id=ADMIN_ID, actor_name="Aigerim", when=due
    )
    assert result.ok, result
    return article


def card_of(sandbox: Sandbox, title: str) -> SentMessage:
    """The review card of the article titled ``title`` in the admin chat."""
    cards = [m for m in sandbox.tg.messages(ADMIN_CHAT_ID) if title in m.visible]
    assert cards, f"no card for {title!r}"
    return cards[-1]


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


# --- a browser, and the fake clock while it works ----------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
REQUIRE_BROWSER = "NEWSROOM_REQUIRE_BROWSER"
T = TypeVar("T")


def browser_or_skip() -> None:
    """Skip without the distribution's Chromium; fail instead where CI requires it."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    try:
        import selenium  # noqa: F401  # only whether it is installed
    except ImportError:
        missing.append("selenium")
    if not missing:
        return
    reason = "no browser for the Mini App tests: " + ", ".join(missing)
    if os.environ.get(REQUIRE_BROWSER) == "1":
        pytest.fail(reason + f" ({REQUIRE_BROWSER}=1)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def page_url(port: int, data: str, *, theme: dict[str, str] | None = None) -> str:
    """The address a Telegram client opens: the app, with initData in the fragment."""
    fields = {"tgWebAppData": data, "tgWebAppVersion": "8.0", "tgWebAppPlatform": "web"}
    if theme is not None:
        fields["tgWebAppThemeParams"] = json.dumps(theme)
    return f"http://127.0.0.1:{port}/app#" + urlencode(fields, quote_via=quote)


async def until(
    clock: FakeClock, tg: FakeTelegram, predicate: Callable[[], bool], *, max_fake: float = 120
) -> None:
    """Wait for ``predicate``; while the bot is quiet, move the fake clock a second at a time
    (its rate limiter and retries sleep on it), never past the next sleeper's deadline."""
    spent = 0.0
    while True:
        try:
            await tg.wait_for(predicate, timeout=0.25)
            return
        except TimeoutError:
            if spent >= max_fake:
                raise AssertionError(f"not reached after {spent} fake seconds") from None
            deadline = clock.next_deadline()
            hop = 1.0
            if deadline is not None:
                hop = min(hop, max(0.001, deadline - clock.monotonic()))
            await clock.advance(hop)
            spent += hop


async def in_browser(clock: FakeClock, tg: FakeTelegram, step: Callable[[], T]) -> T:
    """Run a (blocking) browser step in a thread while the bot and the fake clock go on."""
    task = asyncio.ensure_future(asyncio.to_thread(step))
    await until(clock, tg, task.done, max_fake=600)
    return task.result()
