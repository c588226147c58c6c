"""The app factory: the only place where settings, storage, bot, dispatcher and tasks meet.

Nothing here runs at import time. ``create_app()`` builds a fresh object graph (tests build one
per test, against the fake Bot API server); ``App.run_polling()`` runs it until stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommandScopeChat, BotCommandScopeDefault
from aiohttp import web

import handlers
from bot.albums import album_memo
from bot.app_filters import run_magic_filters_inline
from bot.background import BackgroundLoop
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.fsm import KEY_PREFIX, close_storage_last, fsm_backends, fsm_kind
from bot.i18n import LANGUAGES, UserLanguageMiddleware, make_i18n
from bot.middlewares import CommandClosesPrompt
from bot.polling import poll_while_leading
from bot.presenters.cards import Cards
from bot.presenters.languages import Languages
from bot.presenters.notifier import TelegramNotifier
from bot.presenters.sending import TelegramChannelPosts
from bot.presenters.weekly import TelegramWeeklyReport
from bot.publishing import PublishingEngine
from bot.roles import Role, RoleMiddleware
from bot.startup import bootstrap, resolve_channels
from bot.telegram.priority import InteractiveMiddleware
from bot.telegram.ratelimit import RateLimiter
from bot.telegram.retry import RetryMiddleware
from bot.telegram.rights import can_publish
from bot.telegram.shared_limits import RedisLimits
from bot.texts import quote
from bot.views.commands import menu
from bot.wakeups import OUTBOX, schedule_for
from bot.web import database_ok, make_web_app, serve, wait_for_stop_signal, webhook_path
from bot.webapp import WebAppContext
from bot.webapp.buttons import set_menu_buttons
from bot.workflow.ports import Ports
from bot.workflow.stats import WeeklyReports
from handlers.errors import on_error
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    db: Database
    bot: Bot
    dp: Dispatcher
    clock: Clock
    engine: PublishingEngine
    retry: RetryMiddleware
    # The workflow's ports (db, settings, clock, notifier, schedule, channel posts) and the
    # presenters: what the handlers get from the dispatcher's workflow data.
    desk: Ports
    cards: Cards
    notifier: TelegramNotifier
    languages: Languages
    background: BackgroundLoop
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)
    #: How this instance takes updates: "poller", "standby" (another instance polls),
    #: "webhook" (every instance behind the balancer), or "" before it runs.
    role: str = ""
    _unlisten: Callable[[], Awaitable[None]] | None = None

    async def health(self) -> dict[str, Any]:
        return {
            "database": await database_ok(self.db),
            "scheduler": self.engine.alive,
            "last_api_success": self.retry.last_success_at,
            "backend": self.db.dialect,
            "dialogs": fsm_kind(self.settings),
            "role": self.role,
        }

    async def start_background(self) -> None:
        """Start the scheduler (and the feed poller): publications survive restarts via the DB."""
        await self.engine.recover_on_startup()
        # Other instances' schedules wake this engine too (no-op with SQLite).
        self._unlisten = await self.db.listen(OUTBOX, self.engine.wake)
        self.tasks.append(asyncio.create_task(self.engine.run(), name="publisher"))
        self.tasks.append(asyncio.create_task(self.background.run(), name="background"))

    async def set_commands(self) -> None:
        """Command menus per scope and language: editors in private, admins in the admin chat."""
        i18n = make_i18n(self.settings.default_language)
        for language in LANGUAGES:
            with i18n.context(), i18n.use_locale(language):
                editor = menu(Role.EDITOR)
                admin = menu(Role.ADMIN, admin_chat=True)
            await self.bot.set_my_commands(
                editor, scope=BotCommandScopeDefault(), language_code=language
            )
            if self.settings.admin_chat_id is not None:
                await self.bot.set_my_commands(
                    admin,
                    scope=BotCommandScopeChat(chat_id=self.settings.admin_chat_id),
                    language_code=language,
                )

    async def startup_checks(self) -> list[str]:
        """The token works, each channel lets the bot post and edit, the admin chat answers.

        Each failure is one log line (and an admin-chat message when that chat works).
        """
        problems: list[str] = []
        try:
            me = await self.bot.get_me()
        except TelegramAPIError as exc:
            return [f"the token does not work: {exc}"]
        problems += await resolve_channels(self.bot, self.db, self.clock)
        async with self.db.read() as uow:
            channels = await uow.channels.all()
        for channel in channels:
            try:
                member = await self.bot.get_chat_member(chat_id=channel.target, user_id=me.id)
            except TelegramAPIError as exc:
                problems.append(f"{channel.chat_ref}: {exc}")
                continue
            if not can_publish(member):
                problems.append(
                    f"{channel.chat_ref}: the bot needs admin rights to post and edit messages"
                )
        admin_ok = False
        if self.settings.admin_chat_id is not None:
            try:
                await self.bot.get_chat(chat_id=self.settings.admin_chat_id)
                admin_ok = True
            except TelegramAPIError as exc:
                problems.append(f"admin chat {self.settings.admin_chat_id}: {exc}")
        if admin_ok and problems and self.settings.admin_chat_id is not None:
            with contextlib.suppress(TelegramAPIError):
                await self.bot.send_message(
                    self.settings.admin_chat_id,
                    "⚠️ " + "\n".join(quote(p) for p in problems),
                )
        with contextlib.suppress(TelegramAPIError):
            await self.set_commands()
        await set_menu_buttons(self.bot, self.settings, self.languages)
        return problems

    def web_app_context(self) -> WebAppContext:
        """The Mini App's view of this bot: the same Desk, engine and languages as the chat."""
        return WebAppContext(self.desk, self.engine, self.languages, self.bot.token)

    async def serve_web_app(self) -> web.AppRunner | None:
        """The Mini App on WEB_APP_HOST:WEB_APP_PORT (with /healthz), when the port is set."""
        listen = self.settings.web_app_listen
        if listen is None:
            return None
        runner = await serve(make_web_app(self.health, webapp=self.web_app_context()), listen)
        log.info("mini app served on http://%s/app", listen)
        return runner

    async def run_polling(self, *, handle_signals: bool = True, polling_timeout: int = 10) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        await self.start_background()
        health = None
        if self.settings.health_listen:
            health = await serve(make_web_app(self.health), self.settings.health_listen)
        mini_app = await self.serve_web_app()
        try:
            # With several instances on one PostgreSQL, only the elected one polls.
            await poll_while_leading(
                self.dp,
                self.bot,
                self.db,
                stop=self.stop_event,
                polling_timeout=polling_timeout,
                on_role=self._set_role,
                handle_signals=handle_signals,
            )
        finally:
            if mini_app is not None:
                await mini_app.cleanup()
            if health is not None:
                await health.cleanup()
            await self.stop_background()

    def _set_role(self, role: str) -> None:
        self.role = role

    async def run_webhook(self, *, handle_signals: bool = True) -> None:
        """Serve the webhook (and /healthz) until SIGINT/SIGTERM or ``stop_event``."""
        url = self.settings.webhook_url
        secret = self.settings.webhook_secret
        if url is None or secret is None:
            raise ValueError("WEBHOOK_URL and WEBHOOK_SECRET are required for webhook mode")
        self.role = "webhook"
        # The Mini App shares the webhook's server when it listens on the same address.
        shared = self.settings.web_app_listen == self.settings.webhook_listen
        web_app = make_web_app(
            self.health,
            dispatcher=self.dp,
            bot=self.bot,
            webhook_path=webhook_path(url),
            secret=secret.get_secret_value(),
            webapp=self.web_app_context() if shared else None,
        )
        runner = await serve(web_app, self.settings.webhook_listen)
        mini_app = None if shared else await self.serve_web_app()
        health = None
        if (
            self.settings.health_listen
            and self.settings.health_listen != self.settings.webhook_listen
        ):
            health = await serve(make_web_app(self.health), self.settings.health_listen)
        await self.start_background()
        try:
            await self.bot.set_webhook(
                url,
                secret_token=secret.get_secret_value(),
                allowed_updates=self.dp.resolve_used_update_types(),
            )
            if handle_signals:
                await wait_for_stop_signal(self.stop_event)
            else:
                await self.stop_event.wait()
        finally:
            # Stop taking updates first, then let the work in progress finish.
            await runner.cleanup()
            if mini_app is not None:
                await mini_app.cleanup()
            await self.stop_background()
            if health is not None:
                await health.cleanup()

    async def stop_background(self) -> None:
        """Graceful stop: sends in progress get the grace period, handlers their last word."""
        grace = self.settings.shutdown_grace_seconds
        if self.tasks:
            await self.engine.shutdown(grace)
        # aiogram does not wait for the handler tasks of updates it already took.
        handling = set(getattr(self.dp, "_handle_update_tasks", ()))
        if handling and grace > 0:
            await asyncio.wait(handling, timeout=grace)
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks.clear()
        if self._unlisten is not None:
            await self._unlisten()
            self._unlisten = None

    async def close(self) -> None:
        await self.stop_background()
        await self.bot.session.close()
        # aiogram leaves the FSM storage open (Redis connections; nothing for memory).
        await self.dp.fsm.storage.close()
        await self.dp.fsm.events_isolation.close()
        shared = self.retry.limiter.shared if self.retry.limiter is not None else None
        if shared is not None:
            await shared.close()
        await self.db.close()


def build_bot(settings: Settings, *, token: str | None = None) -> Bot:
    api = TelegramAPIServer.from_base(settings.telegram_api_url)
    secret = token or (settings.bot_token.get_secret_value() if settings.bot_token else None)
    if secret is None:
        raise ValueError("BOT_TOKEN is not set")
    return Bot(
        token=secret,
        session=AiohttpSession(api=api),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


def build_dispatcher(settings: Settings, db: Database, **workflow: Any) -> Dispatcher:
    # Only dialog steps live in the FSM storage (the process's memory, or Redis shared by every
    # instance); everything that matters is in the database.
    i18n = make_i18n(settings.default_language)
    storage, isolation = fsm_backends(settings)
    dp = Dispatcher(
        storage=storage,
        events_isolation=isolation,
        albums=album_memo(storage, KEY_PREFIX),
        settings=settings,
        db=db,
        i18n=i18n,
        **workflow,
    )
    close_storage_last(dp)
    i18n_middleware = UserLanguageMiddleware(i18n)
    role_middleware = RoleMiddleware(settings, db)
    for observer in (dp.message, dp.callback_query, dp.edited_message, dp.channel_post):
        observer.outer_middleware(i18n_middleware)
        observer.outer_middleware(role_middleware)
    dp.message.outer_middleware(CommandClosesPrompt())
    # After aiogram's own user-context middleware: replies to a person's update go ahead of
    # background sends waiting for the same rate limit (bot/telegram/priority.py).
    dp.update.outer_middleware(InteractiveMiddleware())
    dp.include_routers(*handlers.build_routers())
    dp.errors.register(on_error)
    run_magic_filters_inline(dp)
    return dp


async def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    token: str | None = None,
) -> App:
    clock = clock or SystemClock()
    db = await Database.open(settings.database)
    try:
        bot = build_bot(settings, token=token)
        limiter = RateLimiter(
            per_chat_per_minute=settings.channel_posts_per_minute,
            global_per_second=settings.global_requests_per_second,
            # Short bursts keep the admin chat snappy; the sliding 20-per-minute window still
            # caps every group and channel exactly.
            chat_burst=3,
            # The sliding window caps the whole bot at exactly 30 in any second; a bucket of 1
            # on top would also space every message 1/30 s apart, putting a preview's buttons
            # behind the preview (and a crowd's replies behind each other) for nothing.
            global_burst=settings.global_requests_per_second,
            # A burst of 30 leaves the process within milliseconds but arrives spread out:
            # 0.1 s of slack on the one-second window keeps the 31st clear of the first.
            global_margin=0.1,
            clock=clock,
            shared=RedisLimits.from_settings(settings, bot.id, clock),
        )
        retry = RetryMiddleware(limiter=limiter, clock=clock)
        bot.session.middleware(retry)
        engine = PublishingEngine(settings=settings, db=db, bot=bot, clock=clock)
        languages = Languages(make_i18n(settings.default_language), settings.default_language)
        cards = Cards(db=db, settings=settings, bot=bot, clock=clock, languages=languages)
        notifier = TelegramNotifier(settings=settings, bot=bot, languages=languages, cards=cards)
        desk = Ports(
            db=db,
            settings=settings,
            clock=clock,
            notifier=notifier,
            schedule=schedule_for(engine, db),
            posts=TelegramChannelPosts(bot),
        )
        weekly = TelegramWeeklyReport(settings=settings, bot=bot, languages=languages)
        background = BackgroundLoop(desk, clock, jobs=(WeeklyReports(desk, weekly),))
        # The engine tells people what happened to publications (Notifier protocol, presenter).
        engine.set_notifier(notifier)
        await bootstrap(db, settings, clock)
        dp = build_dispatcher(
            settings,
            db,
            clock=clock,
            engine=engine,
            desk=desk,
            cards=cards,
            notifier=notifier,
            background=background,
        )
    except BaseException:
        await db.close()
        raise
    return App(
        settings=settings,
        db=db,
        bot=bot,
        dp=dp,
        clock=clock,
        engine=engine,
        retry=retry,
        desk=desk,
        cards=cards,
        notifier=notifier,
        languages=languages,
        background=background,
    )
