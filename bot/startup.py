"""What the bot does once at start-up, before it takes updates: channels registered and named.

Kept out of ``bot/app.py`` (which wires objects) because both are reads and writes of channels
that the harness, the benches and the crash worker also run on their own.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.clock import Clock
from bot.config import Settings
from storage.db import Database


async def bootstrap(db: Database, settings: Settings, clock: Clock) -> None:
    """Register the default channel from ``CHANNEL_ID``."""
    ref = settings.channel_id
    if ref is None:
        return
    async with db.transaction() as uow:
        await uow.channels.ensure(ref, now=clock.now(), is_default=True)


async def resolve_channels(bot: Bot, db: Database, clock: Clock) -> list[str]:
    """Ask Telegram for each channel's id, username and title; return problems found."""
    problems: list[str] = []
    async with db.read() as uow:
        channels = await uow.channels.all()
    for channel in channels:
        try:
            chat = await bot.get_chat(chat_id=channel.target)
        except TelegramAPIError as exc:
            problems.append(f"{channel.chat_ref}: {exc}")
            continue
        async with db.transaction() as uow:
            await uow.channels.ensure(
                channel.chat_ref,
                now=clock.now(),
                chat_id=chat.id,
                username=chat.username or "",
                title=chat.title or "",
            )
    return problems
