"""A whole newsroom on one machine: the fake Bot API, a fresh database and the real bot.

Used by the offline demo, the end-to-end tests and the benchmarks, so all three exercise the
same wiring as production (aiogram over HTTP, polling, middlewares, SQLite).
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

from bot.app import App, create_app
from bot.clock import Clock, FakeClock
from bot.config import Settings
from bot.startup import resolve_channels
from fakegram.server import FakeTelegram

TOKEN = "123456789:SANDBOX-token_for_tests"
ADMIN_ID = 1001
SECOND_ADMIN_ID = 1002
EDITOR_ID = 2001
STRANGER_ID = 3001
ADMIN_CHAT_ID = -1009000000001
CHANNEL_ID = -1001234567890
CHANNEL_USERNAME = "newsroom_demo"


class WarpClock:
    """Real time, except that short waits are skipped by moving the clock forward instead.

    The bot spaces its messages the way Telegram asks (about one a second in a private chat):
    under load that is minutes of waiting. With this clock those waits (rate-limit spacing,
    retry back-off: anything up to ``threshold`` seconds) pass at once while the rate limiter
    still decides the order, and long waits (the background loops) really wait. Each skipped
    wait moves the clock for everyone, so time runs ahead of the wall clock: use it where
    nothing depends on exact times.
    """

    def __init__(self, threshold: float = 120.0) -> None:
        self.offset = 0.0
        self.threshold = threshold

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset)

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    async def sleep(self, seconds: float) -> None:
        if seconds <= self.threshold:
            self.offset += max(0.0, seconds)
            await asyncio.sleep(0)  # still a suspension point, like asyncio.sleep(0)
        else:
            await asyncio.sleep(seconds)


class Sandbox:
    def __init__(
        self,
        *,
        clock: Clock | None = None,
        workdir: Path | None = None,
        start_background: bool = True,
        editor_language: str = "ru",
        extra_editors: Iterable[int] = (),
        **settings: Any,
    ) -> None:
        """``extra_editors``: more editor user ids besides :data:`EDITOR_ID`, each added to
        ``EDITOR_IDS`` and to the fake server as a person who has started the bot (named
        "Editor <id>", speaking ``editor_language``). Other ``settings`` override Settings."""
        self._clock = clock
        self._workdir = workdir
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._start_background = start_background
        self._editor_language = editor_language
        self.extra_editors: tuple[int, ...] = tuple(extra_editors)
        self._overrides = settings
        self.tg = FakeTelegram(token=TOKEN, bot_username="newsroom_bot")
        if isinstance(clock, FakeClock):
            # The server measures rate limits and stamps messages on the bot's fake time, so
            # "sent at the due time" is read from message dates, not from real-time races.
            fake = clock
            self.tg.clock = fake.monotonic
            self.tg.wall_clock = lambda: fake.now().timestamp()
        self.app: App | None = None
        self._polling: asyncio.Task[None] | None = None

    @property
    def bot_app(self) -> App:
        assert self.app is not None, "sandbox not started"
        return self.app

    def settings(self) -> Settings:
        workdir = self._workdir
        if workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="newsroom-")
            workdir = Path(self._tmp.name)
        values: dict[str, Any] = {
            "bot_token": TOKEN,
            "telegram_api_url": self.tg.api_base,
            "channel_id": f"@{CHANNEL_USERNAME}",
            "admin_chat_id": ADMIN_CHAT_ID,
            "admin_ids": (ADMIN_ID, SECOND_ADMIN_ID),
            "editor_ids": (EDITOR_ID, *self.extra_editors),
            "database_path": workdir / "newsroom.sqlite3",
            "timezone": "Asia/Almaty",
            "default_language": "ru",
            "allow_private_urls": True,
        }
        values.update(self._overrides)
        # _env_file=None: a developer's .env must not leak into tests or the demo.
        return Settings(_env_file=None, **values)

    async def __aenter__(self) -> Sandbox:
        await self.tg.start()
        self.tg.add_user(ADMIN_ID, "Aigerim", language_code="ru", username="aigerim")
        self.tg.add_user(SECOND_ADMIN_ID, "Daniyar", language_code="en", username="daniyar")
        self.tg.add_user(EDITOR_ID, "Elena", language_code=self._editor_language)
        self.tg.add_user(STRANGER_ID, "Stranger", language_code="en")
        for user_id in self.extra_editors:
            self.tg.add_user(user_id, f"Editor {user_id}", language_code=self._editor_language)
        self.tg.add_channel(
            CHANNEL_ID,
            username=CHANNEL_USERNAME,
            title="Newsroom Demo",
            can_post=True,
            can_edit=True,
        )
        self.tg.add_group(ADMIN_CHAT_ID, "Newsroom admins")
        try:
            self.app = await create_app(self.settings(), clock=self._clock)
            await resolve_channels(self.app.bot, self.app.db, self.app.clock)
            if self._start_background:
                await self.app.start_background()
            self._polling = asyncio.create_task(
                self.app.dp.start_polling(
                    self.app.bot,
                    handle_signals=False,
                    polling_timeout=1,
                    close_bot_session=False,
                ),
                name="polling",
            )
        except BaseException:
            await self.tg.stop()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def stop(self) -> None:
        if self.app is not None:
            if self._polling is not None:
                with contextlib.suppress(RuntimeError):
                    await self.app.dp.stop_polling()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._polling
            # aiogram does not wait for its handler tasks when polling stops: a handler still
            # running after close() would reopen the bot's HTTP session and leak it (a
            # ResourceWarning, an error under filterwarnings=error, in whichever test GCs it).
            pending = set(self.app.dp._handle_update_tasks)
            if pending:
                await asyncio.wait(pending, timeout=10)
            await self.app.close()
            self.app = None
        await self.tg.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
