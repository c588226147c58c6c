"""Security end to end over HTTP: secrets stay out of the logs, URL import stays off private
networks, and only the configured roles change anything.

1. **No secret in the logs.** Logging is configured exactly as ``python -m bot`` does it
   (``load_settings()`` from the environment, then ``setup_logging(settings)``) with
   ``LOG_LEVEL=DEBUG``, in text and in JSON. A busy newsroom then runs through the real handler
   and its token filter: a paste with a photo, a review, a publication through a 429 and a 502,
   one refused with a 403, a failing start-up check whose error echoes the token, and a webhook
   app refusing a request with a wrong secret. The captured output must hold the expected lines
   (so the capture works and the test can fail) and neither the token, nor its secret part, nor
   the webhook secret.
2. **No fetch from private networks**, with ``ALLOW_PRIVATE_URLS`` off as in production. All
   three ways a URL reaches the network go through ``safe_fetch``: an editor's bare link and
   ``/import``, an admin's ``/feed_add``, and the publisher's own download of a photo URL that
   Telegram could not fetch. Loopback (plain and disguised: ``localhost``, ``[::1]``,
   ``127.1``, ``2130706433``, ``0.0.0.0``, ``user@127.0.0.1``...), link-local (cloud metadata)
   and private addresses get the polite refusal in the sender's language (Russian here),
   nothing is stored, and the local web server those URLs point at hears nothing. A redirect
   from an allowed page into another loopback address, link-local or private space is refused
   through the bot as well. The fetcher-level versions are in ``tests/test_ingest_web.py``
   (``test_redirect_into_private_address_is_refused``, ``test_disguised_private_urls_refused``,
   ``test_loopback_refused_without_connecting``, ``test_is_blocked_address``). A safety net
   refuses any non-loopback connection, so a regression fails the test without leaving the
   machine.
3. **Roles summary.** Every state-changing command (the ``Command(...)`` filters of
   ``handlers/admin.py``, ``review.py``, ``drafts.py`` and ``ingest.py``; a guard test fails if
   a new command is not classified here) is sent in private chat by a stranger (all 23) and by
   an editor (the 17 admin-only ones): each of the 40 is refused and every row of every table
   is unchanged; then an admin's ``/reject`` changes them, so the comparison can see a change.

A logged traceback is redacted too: aiohttp puts the request URL with the token in some
exceptions (the last test).

Related coverage, not repeated here: ``tests/test_e2e_roles.py`` (every command of the
catalogue, the admin chat, every button and forged callback data by role),
``tests/test_e2e_webhook.py`` (401 without the secret header), ``tests/test_demo_and_logs.py``
(the redaction filter alone, the demo's output).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import io
import json
import logging
import re
import socket
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path

import aiohttp
import pytest
from aiogram import Router
from aiogram.exceptions import TelegramNetworkError
from aiogram.filters import Command as CommandFilter
from aiogram.methods import GetMe
from aiohttp import web
from yarl import URL

from bot.__main__ import log as main_log
from bot.app import create_app
from bot.config import Settings, load_settings
from bot.domain import ArticleStatus, PublicationStatus
from bot.ingest import fetch as fetch_ingest
from bot.logs import RedactToken, setup_logging
from bot.roles import HasRole, Role
from fakegram.harness import (
    ADMIN_CHAT_ID,
    ADMIN_ID,
    CHANNEL_ID,
    EDITOR_ID,
    STRANGER_ID,
    TOKEN,
)
from fakegram.server import FakeTelegram, SentMessage
from tests.test_e2e_workflow import SHORT_ARTICLE, Desk, flat, open_desk

ROOT = Path(__file__).resolve().parent.parent
TOKEN_SECRET = TOKEN.split(":", 1)[1]
WEBHOOK_SECRET = "wh-secret_7f3a9c1e5b"

# --- 1. no secret in the logs ------------------------------------------------------------------


@pytest.fixture
def app_logging() -> Iterator[Callable[[Settings], io.StringIO]]:
    """Configure logging as the app does; return where its handler writes.

    ``setup_logging`` installs one stream handler (formatter + ``RedactToken`` filter) on the
    root logger: the test keeps that handler and only points it at a buffer, so every record
    goes through the app's own filter and formatter. (A handler on ``sys.stderr`` under capfd
    would break: aiosqlite's worker thread still logs "operation ... completed" after the test
    awaited the close, when pytest has already moved the capture on.) ``setup_logging``
    replaces the root handlers and levels: everything is put back afterwards; pytest's own
    per-phase capture handlers are left to pytest, which removes them itself.
    """
    root = logging.getLogger()
    saved = [h for h in root.handlers if not type(h).__module__.startswith("_pytest")]
    saved_level = root.level
    touched = [logging.getLogger("aiogram.event")]
    saved_levels = [logger.level for logger in touched]
    installed: list[logging.Handler] = []

    def configure(settings: Settings) -> io.StringIO:
        setup_logging(settings)
        [handler] = root.handlers
        assert isinstance(handler, logging.StreamHandler)
        assert any(isinstance(f, RedactToken) for f in handler.filters)
        buffer = io.StringIO()
        handler.setStream(buffer)
        installed.append(handler)
        return buffer

    yield configure
    for handler in installed:
        root.removeHandler(handler)
        handler.close()
    for handler in saved:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(saved_level)
    for logger, level in zip(touched, saved_levels, strict=True):
        logger.setLevel(level)


async def _photo_draft(desk: Desk, caption: str) -> tuple[int, SentMessage]:
    """The editor sends a photo with the article as caption; the draft's id and header."""
    before = {m.message_id for m in desk.tg.messages(EDITOR_ID)}
    desk.tg.send_photo(EDITOR_ID, caption=caption)

    def header() -> SentMessage | None:
        for m in desk.tg.messages(EDITOR_ID):
            if m.message_id not in before and any(d.startswith("d:edit:") for d in flat(m)):
                return m
        return None

    await desk.until(lambda: header() is not None)
    found = header()
    assert found is not None
    return int(next(d for d in flat(found) if d.startswith("d:edit:")).split(":")[2]), found


async def _publication_status(desk: Desk, article_id: int) -> PublicationStatus | None:
    async with desk.sb.bot_app.db.read() as uow:
        pubs = await uow.publications.for_article(article_id)
    return pubs[-1].status if pubs else None


def _more_requests(tg: FakeTelegram) -> Callable[[], bool]:
    seen = len(tg.requests)
    return lambda: len(tg.requests) > seen


async def _until_publication(desk: Desk, article_id: int, status: PublicationStatus) -> None:
    """Wait until the publication settles in ``status`` (re-checked whenever the fake server
    sees a request: the publisher records the outcome right after its last Bot API call)."""
    settled = {PublicationStatus.PUBLISHED, PublicationStatus.FAILED, PublicationStatus.HELD}
    for _ in range(50):
        current = await _publication_status(desk, article_id)
        if current is status:
            return
        assert current not in settled, f"article {article_id}: {current}, expected {status}"
        with contextlib.suppress(TimeoutError):
            await desk.tg.wait_for(_more_requests(desk.tg), timeout=0.5)
    raise AssertionError(f"article {article_id}: publication never became {status}")


async def _busy_newsroom(tmp_path: Path) -> None:
    """Paste, review, publish through a 429 and a 502, a 403, a failed start-up check."""
    async with open_desk(tmp_path) as desk:
        tg = desk.tg
        article_id, header = await _photo_draft(desk, SHORT_ARTICLE)
        card = await desk.submitted(article_id, header)
        # After the review card, the only sendPhoto is the channel post: the faults hit it.
        tg.fail_next("sendPhoto", error_code=429, description="Too Many Requests", retry_after=1)
        tg.fail_next("sendPhoto", error_code=502, description="Bad Gateway")
        answer = await desk.press(ADMIN_ID, card, f"r:publish:{article_id}")
        assert not answer.show_alert, answer.text
        await desk.until(lambda: len(desk.channel()) == 1)
        await _until_publication(desk, article_id, PublicationStatus.PUBLISHED)

        second, header = await _photo_draft(desk, "Tram depot reopens\n\nThe depot is back.")
        await desk.submitted(second, header)
        tg.fail_next(
            "sendPhoto",
            error_code=403,
            description="Forbidden: bot is not a member of the channel chat",
        )
        await desk.say(ADMIN_ID, f"/publish {second}", chat_id=ADMIN_CHAT_ID)
        await _until_publication(desk, second, PublicationStatus.FAILED)
        assert len(desk.channel()) == 1

        # A start-up check fails; the error echoes the request path with the token in it (as a
        # misconfigured proxy in TELEGRAM_API_URL would). Logged the way __main__._run does.
        tg.fail_next("getMe", error_code=404, description=f"Not Found: /bot{TOKEN}/getMe")
        problems = await desk.sb.bot_app.startup_checks()
        assert problems and TOKEN in problems[0]  # the secret does reach the logger...
        for problem in problems:
            main_log.warning("start-up check: %s", problem)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _webhook_with_a_wrong_secret(tmp_path: Path) -> None:
    """Webhook mode (as in tests/test_e2e_webhook.py): a forged request, then a real one."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    async with FakeTelegram(token=TOKEN) as tg:
        tg.add_user(EDITOR_ID, "Elena", language_code="en")
        tg.add_channel(CHANNEL_ID, username="newsroom_demo", title="Demo")
        tg.add_group(ADMIN_CHAT_ID, "Admins")
        settings = Settings(
            _env_file=None,
            bot_token=TOKEN,
            telegram_api_url=tg.api_base,
            channel_id="@newsroom_demo",
            admin_chat_id=ADMIN_CHAT_ID,
            admin_ids=(ADMIN_ID,),
            editor_ids=(EDITOR_ID,),
            database_path=tmp_path / "webhook.sqlite3",
            webhook_url=f"{base}/telegram/webhook",
            webhook_secret=WEBHOOK_SECRET,
            webhook_listen=f"127.0.0.1:{port}",
        )
        app = await create_app(settings)
        task = asyncio.create_task(app.run_webhook(handle_signals=False))
        try:
            await tg.wait_for(lambda: tg.webhook_url.endswith("/telegram/webhook"))
            update = {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": EDITOR_ID, "type": "private"},
                    "from": {"id": EDITOR_ID, "is_bot": False, "first_name": "Forger"},
                    "text": "/help",
                },
            }
            headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET[:-1] + "X"}
            async with (
                aiohttp.ClientSession() as session,
                session.post(f"{base}/telegram/webhook", json=update, headers=headers) as resp,
            ):
                assert resp.status == 401
            tg.send_text(EDITOR_ID, "/help")  # delivered by the fake server with the secret
            reply = await tg.wait_for_message(EDITOR_ID)
            assert "You are an editor" in reply.visible
        finally:
            app.stop_event.set()
            await task
            await app.close()


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_no_secret_in_the_logs_of_a_busy_newsroom(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    app_logging: Callable[[Settings], io.StringIO],
    log_format: str,
) -> None:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("LOG_FORMAT", log_format)
    log = app_logging(load_settings())  # what bot/__main__.py main() does first
    capfd.readouterr()

    await _busy_newsroom(tmp_path)
    await _webhook_with_a_wrong_secret(tmp_path)

    output = log.getvalue()
    out, err = capfd.readouterr()  # anything else printed meanwhile
    # The capture works and saw the whole run, at DEBUG.
    for expected in (
        "applying migration 0001_initial",
        "publishing article=1 publication=1",
        "sendPhoto: flood control, retrying in 1s",
        "sendPhoto: server error (attempt 1)",
        "publication=2 failed: ",
        "start-up check: the token does not work: ",
        "Not Found: /bot<token>/getMe",  # ...and the filter in the app's handler masked it
    ):
        assert expected in output, expected
    lines = output.splitlines()
    if log_format == "json":
        records = [json.loads(line) for line in lines]  # every line is one JSON object
        assert {r["level"] for r in records} >= {"DEBUG", "INFO", "WARNING"}
        assert any(r["logger"] == "aiohttp.access" and " 401 " in r["msg"] for r in records)
    else:
        head = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR) ")
        levels = {m.group(1) for line in lines if (m := head.match(line))}
        assert levels >= {"DEBUG", "INFO", "WARNING"}
        assert any("aiohttp.access" in line and " 401 " in line for line in lines)
    # No secret, in any form, in the log or anywhere else on stdout/stderr.
    for text in (output, out, err):
        assert TOKEN not in text
        assert TOKEN_SECRET not in text
        assert WEBHOOK_SECRET not in text


# --- 2. URL import stays off private networks ------------------------------------------------

BLOCKED_RU = "Этот адрес находится в частной сети, загружать его запрещено."
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


class Site:
    """A local web server that records every request it gets: a page, a PNG (``*.png``) and
    ``/to?url=`` redirecting anywhere."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def _any(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(request.path_qs)
        if request.path == "/to":
            raise web.HTTPFound(request.query["url"])
        if request.path.endswith(".png"):
            return web.Response(body=PNG, content_type="image/png")
        page = "<html><head><title>Internal</title></head><body><p>secret</p></body></html>"
        return web.Response(text=page, content_type="text/html")

    async def start(self, host: str = "127.0.0.1") -> Site:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._any)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.fixture
def outside_attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A safety net, not part of what is tested: ``safe_fetch`` decides in ``_resolve`` and only
    then connects in ``_open``; should that decision ever regress, a connection to a
    non-loopback address is recorded and refused here instead of leaving the machine."""
    attempts: list[str] = []
    real_open = fetch_ingest._open

    async def loopback_only(
        session: aiohttp.ClientSession,
        url: URL,
        addresses: list[fetch_ingest.IPAddress],
        headers: Mapping[str, str],
    ) -> aiohttp.ClientResponse:
        outside = [str(ip) for ip in addresses if not ip.is_loopback]
        if outside:
            attempts.append(f"{url} -> {outside}")
            raise fetch_ingest.FetchError("unreachable", "the test allows loopback only")
        return await real_open(session, url, addresses, headers)

    monkeypatch.setattr(fetch_ingest, "_open", loopback_only)
    return attempts


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    server = await Site().start()
    try:
        yield server
    finally:
        await server.stop()


async def _stored(desk: Desk, sql: str) -> list[tuple[object, ...]]:
    async with desk.sb.bot_app.db.read() as uow, uow.conn.execute(sql) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def _refused(desk: Desk, user: int, text: str, *, chat_id: int | None = None) -> str:
    """``user`` sends ``text``; return what the bot's reply finally says (the "Fetching…"
    progress message is edited into the result)."""
    chat = chat_id if chat_id is not None else user
    before = len(desk.tg.messages(chat))
    desk.tg.send_text(user, text, chat_id=chat_id)
    await desk.until(
        lambda: (
            len(desk.tg.messages(chat)) > before
            and not desk.tg.messages(chat)[-1].visible.startswith("Загружаю")
        )
    )
    await desk.settle()
    return desk.last(chat)


def private_urls(port: int) -> list[str]:
    """Addresses an editor must not make the bot fetch; the loopback ones point at ``site``."""
    return [
        f"http://127.0.0.1:{port}/news",
        f"http://localhost:{port}/news",
        f"http://[::1]:{port}/news",
        f"http://[::ffff:127.0.0.1]:{port}/news",  # IPv4-mapped loopback
        f"http://127.1:{port}/news",  # short form of 127.0.0.1
        f"http://2130706433:{port}/news",  # 127.0.0.1 as one number
        f"http://0.0.0.0:{port}/news",  # "this host": reaches local services on Linux
        f"http://news.example@127.0.0.1:{port}/news",  # userinfo that looks like the host
        "http://169.254.169.254/latest/meta-data/",  # link-local: cloud metadata
        "http://[fe80::1]/",  # IPv6 link-local
        "http://10.0.0.1/",
        "http://192.168.1.1/admin",
        "http://100.64.0.1/",  # shared address space (CGNAT)
    ]


async def test_links_to_private_addresses_are_refused_through_the_bot(
    tmp_path: Path, site: Site, outside_attempts: list[str]
) -> None:
    """Bare links and /import by an editor, /feed_add by an admin: polite refusal in Russian,
    nothing stored, and the local server those addresses point at never hears of it."""
    async with open_desk(tmp_path, allow_private_urls=False) as desk:
        assert desk.sb.bot_app.settings.allow_private_urls is False
        urls = private_urls(site.port)
        answers = {}
        for url in urls:
            answers[url] = await _refused(desk, EDITOR_ID, url)
            answers[f"/import {url}"] = await _refused(desk, EDITOR_ID, f"/import {url}")
            answers[f"/feed_add {url}"] = await _refused(
                desk, ADMIN_ID, f"/feed_add {url} auto", chat_id=ADMIN_CHAT_ID
            )
        assert len(answers) == 3 * len(urls) == 39
        wrong = {sent: reply for sent, reply in answers.items() if reply != BLOCKED_RU}
        assert wrong == {}
        assert outside_attempts == []
        assert site.seen == []
        assert await _stored(desk, "SELECT id FROM articles") == []
        assert await _stored(desk, "SELECT id FROM feeds") == []
        assert await _stored(desk, "SELECT id FROM audit_log") == []


async def test_redirect_into_a_private_address_is_refused_through_the_bot(
    tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch, outside_attempts: list[str]
) -> None:
    """The first hop is allowed (the test server's 127.0.0.1 counts as public here); its
    redirect into another loopback address, link-local or private space is refused before
    connecting: the server behind 127.0.0.2 never gets the request."""
    real = fetch_ingest.is_blocked_address
    monkeypatch.setattr(
        fetch_ingest, "is_blocked_address", lambda ip: str(ip) != "127.0.0.1" and real(ip)
    )
    inner = await Site().start("127.0.0.2")
    try:
        async with open_desk(tmp_path, allow_private_urls=False) as desk:
            targets = [
                f"http://127.0.0.2:{inner.port}/secret",
                "http://169.254.169.254/latest/meta-data/",
                "http://10.0.0.1/admin",
            ]
            for target in targets:
                url = f"http://127.0.0.1:{site.port}/to?url={target}"
                assert await _refused(desk, EDITOR_ID, url) == BLOCKED_RU, target
            assert [path.split("?")[0] for path in site.seen] == ["/to"] * len(targets)
            assert inner.seen == []
            assert outside_attempts == []
            assert await _stored(desk, "SELECT id FROM articles") == []
    finally:
        await inner.stop()


@pytest.mark.parametrize("allow_private", [False, True])
async def test_photo_url_fallback_download_stays_off_private_networks(
    tmp_path: Path, site: Site, allow_private: bool, outside_attempts: list[str]
) -> None:
    """An editor can type any photo URL (/edit N photo URL). When Telegram cannot fetch it,
    the publisher downloads it itself and uploads it: through the same guard. With private
    addresses allowed (the control) the same post does reach the server and the channel."""
    photo = f"http://127.0.0.1:{site.port}/photo.png"
    async with open_desk(tmp_path, allow_private_urls=allow_private) as desk:
        desk.tg.mark_url_unfetchable(photo)  # Telegram "cannot fetch" it: the bot tries
        article_id, _header = await desk.paste(SHORT_ARTICLE)
        await desk.say(EDITOR_ID, f"/edit {article_id} photo {photo}", replies=1)
        await desk.settle()
        await desk.say(ADMIN_ID, f"/publish {article_id}", chat_id=ADMIN_CHAT_ID)
        if allow_private:
            await _until_publication(desk, article_id, PublicationStatus.PUBLISHED)
            assert site.seen == ["/photo.png"]
            assert [bool(m.photo) for m in desk.channel()] == [True]
        else:
            await _until_publication(desk, article_id, PublicationStatus.FAILED)
            assert site.seen == []
            assert desk.channel() == []
        assert outside_attempts == []


# --- 3. only the configured roles change anything --------------------------------------------

# Every command that changes something, by the handler module that registers it, with
# arguments that would act on the newsroom the test sets up (article 1 pending, 2 a draft).
STATE_CHANGING: dict[str, dict[str, str]] = {
    "admin": {
        "editors": f"add {STRANGER_ID}",
        "channel_add": "@another_channel",
        "slots": "09:00 12:00",
        "quiet": "23:00-07:00",
        "template": "language en",
        "feed_add": "http://127.0.0.1:9/feed auto",
        "feed_remove": "1",
    },
    "review": {
        "publish": "1",
        "schedule": "1 +1h",
        "queue_add": "1",
        "unschedule": "1",
        "reject": "1 spam",
        "unpublish": "1",
        "embargo": "1 +1h",
        "breaking": "1",
        "pause": "",
        "resume": "",
    },
    "drafts": {"submit": "2", "delete": "2"},
    "editing": {"edit": "2 title Hijacked"},
    "new_article": {"new": "", "skip": ""},
    "ingest": {"import": "http://127.0.0.1:9/x"},
    "fixes": {"mysource": "Hijacked"},
    "tips": {"tips": "on"},
    "stats": {"weekly_report": "on"},
}
READ_ONLY = {
    "admin": {"channels", "feeds"},
    "drafts": {"drafts", "show", "history", "queue"},
    "start": {"start", "help", "cancel"},
    "stats": {"stats"},
}
ADMIN_MODULES = ("admin", "review", "tips", "stats")  # routers filtered with HasRole(Role.ADMIN)
STRANGER_REFUSAL = "Sorry, this bot works only for the newsroom's editors."
UNKNOWN_RU = "Неизвестная команда. Список команд — /help."


def _commands_in(module: str) -> set[str]:
    """The commands the Command filters of the module's router react to."""
    setup = getattr(importlib.import_module(f"handlers.{module}"), "setup", None)
    if setup is None:  # shared helpers, the error handler: no router of their own
        return set()
    router: Router = setup()
    return {
        name
        for handler in router.message.handlers
        for flt in handler.filters or ()
        if isinstance(flt.callback, CommandFilter)
        for name in flt.callback.commands
        if isinstance(name, str)
    }


def test_every_command_of_the_handlers_is_classified() -> None:
    """A new command must be added above, so the roles test below covers it."""
    modules = set(STATE_CHANGING) | set(READ_ONLY)
    for module in modules:
        classified = set(STATE_CHANGING.get(module, {})) | READ_ONLY.get(module, set())
        assert _commands_in(module) == classified, module
    for module in ADMIN_MODULES:
        # The router itself is filtered (however its setup() builds it), not only a handler.
        router: Router = importlib.import_module(f"handlers.{module}").setup()
        roles = [f.callback for f in router.message._handler.filters or ()]
        assert any(isinstance(r, HasRole) and r.minimum is Role.ADMIN for r in roles), module
    others = {p.stem for p in (ROOT / "handlers").glob("*.py")} - modules - {"__init__"}
    assert all(_commands_in(m) == set() for m in others), others


async def _snapshot(desk: Desk) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, plus what the channel shows."""
    tables = await _stored(
        desk, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    snapshot = {
        str(name): sorted(await _stored(desk, f'SELECT * FROM "{name}"'), key=repr)
        for (name,) in tables
    }
    snapshot["channel posts"] = [(len(desk.channel()),)]
    return snapshot


async def test_strangers_and_editors_change_nothing(tmp_path: Path) -> None:
    """25 state-changing commands from a stranger, the 18 admin-only ones from an editor, in
    private chat: each refused, the database and the channel unchanged; then an admin's
    /reject does change them, so the comparison can see a change."""
    async with open_desk(tmp_path) as desk:
        first, header = await desk.paste(SHORT_ARTICLE)
        await desk.submitted(first, header)
        second, _header = await desk.paste("Tram depot reopens\n\nThe depot is back in use.")
        assert (first, second) == (1, 2)
        before = await _snapshot(desk)
        assert {"articles", "publications", "audit_log", "users", "feeds"} <= set(before)

        everything = {n: a for commands in STATE_CHANGING.values() for n, a in commands.items()}
        admin_only = {n: everything[n] for m in ADMIN_MODULES for n in STATE_CHANGING[m]}
        replies: dict[tuple[int, str], str] = {}
        for user, commands in ((STRANGER_ID, everything), (EDITOR_ID, admin_only)):
            for name, args in commands.items():
                [reply] = await desk.say(user, f"/{name} {args}".rstrip())
                replies[(user, name)] = reply.visible
        await desk.settle()
        assert (len(everything), len(admin_only)) == (26, 19)
        assert len(replies) == 45
        expected = {STRANGER_ID: STRANGER_REFUSAL, EDITOR_ID: UNKNOWN_RU}
        wrong = {k: v for k, v in replies.items() if not v.startswith(expected[k[0]])}
        assert wrong == {}
        assert await _snapshot(desk) == before

        await desk.say(ADMIN_ID, f"/reject {first} spam")
        await desk.settle()
        after = await _snapshot(desk)
        assert after["articles"] != before["articles"]
        assert len(after["audit_log"]) > len(before["audit_log"])
        assert (await desk.article(first)).status is ArticleStatus.REJECTED


# --- tracebacks --------------------------------------------------------------------------------


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_logged_traceback_does_not_carry_the_token(
    monkeypatch: pytest.MonkeyPatch,
    app_logging: Callable[[Settings], io.StringIO],
    log_format: str,
) -> None:
    """aiohttp puts the request URL, ``/bot<token>/`` included, in ``ConnectionTimeoutError``
    and aiogram chains it under its ``TelegramNetworkError`` (``AiohttpSession.make_request``:
    ``raise TelegramNetworkError(...) from e``); any ``log.exception`` site that meets such an
    error prints the chain. Today the app's sites log Telegram errors as one line, so this is
    latent until one does; the filter redacts the formatted traceback as well."""
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("LOG_FORMAT", log_format)
    log = app_logging(load_settings(_env_file=None))
    url = f"http://127.0.0.1:1/bot{TOKEN}/sendMessage"
    try:
        try:
            raise aiohttp.ConnectionTimeoutError(f"Connection timeout to host {url}")
        except TimeoutError as exc:  # what aiogram's AiohttpSession does with it
            raise TelegramNetworkError(method=GetMe(), message="Request timeout error") from exc
    except TelegramNetworkError:
        logging.getLogger("bot.background").exception("review reminders failed")
    output = log.getvalue()
    assert "review reminders failed" in output and "Connection timeout to host" in output
    assert TOKEN_SECRET not in output
