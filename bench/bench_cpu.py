"""CPU per update and peak RSS of the bot's own process: newsroom-bot vs a bare aiogram echo bot.

Issue 14's figure: each bot runs as a process of its own (newsroom-bot exactly as deployed,
``python -m bot`` with a settings environment; the echo bot as a child of this script), both
polling the same fake Bot API server, which runs here in the parent, so the server's cost is
in neither figure. 50 editors (``--editors``) send, in rounds, ``/start`` and then a pasted
article of fixture size (bench/bench_load.py's copy: a title, a lead, three paragraphs). A
round is over when every editor has their answer and the bot has been quiet for a moment; the
child's CPU (utime + stime from /proc/PID/stat) is read before and after the rounds of each
kind, so idle long polling between rounds is in both bots' figures alike.

    python bench/bench_cpu.py [--editors 50] [--rounds 4]

Linux only (/proc). Telegram's real limits stay on in the newsroom bot (a paste waits a second
for its second message in a private chat): they cost wall time, not CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_load import FIRST_USER, article
from loadkit import cpu_seconds

from fakegram.harness import ADMIN_CHAT_ID, ADMIN_ID, CHANNEL_ID, CHANNEL_USERNAME, TOKEN
from fakegram.server import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300.0
QUIET = 0.5  # seconds without a new message that end a round (a benchmark may sleep)

ECHO = """
import asyncio, sys
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

async def main(base: str, token: str) -> None:
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(base)))
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    await dp.start_polling(bot, handle_signals=True, polling_timeout=1)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_newsroom(tg: FakeTelegram, users: list[int], workdir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": tg.api_base,
        "CHANNEL_ID": f"@{CHANNEL_USERNAME}",
        "ADMIN_CHAT_ID": str(ADMIN_CHAT_ID),
        "ADMIN_IDS": str(ADMIN_ID),
        "EDITOR_IDS": ",".join(map(str, users)),
        "DATABASE_PATH": str(workdir / "newsroom.sqlite3"),
        "TIMEZONE": "Asia/Almaty",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen([sys.executable, "-m", "bot"], cwd=workdir, env=env)


def start_echo(tg: FakeTelegram) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", ECHO, tg.api_base, TOKEN])


async def _round(tg: FakeTelegram, users: list[int], text: str, n: int) -> None:
    before = {u: len(tg.messages(u)) for u in users}
    for user in users:
        tg.send_text(user, text.replace("{n}", str(n)).replace("{u}", str(user)))
    await tg.wait_for(lambda: all(len(tg.messages(u)) > before[u] for u in users), TIMEOUT)
    await tg.wait_until_updates_consumed(timeout=TIMEOUT)
    total = -1
    while total != (now := sum(len(tg.messages(u)) for u in users)):  # then quiet for a moment
        total = now
        await asyncio.sleep(QUIET)


async def measure(kind: str, editors: int, rounds: int) -> dict[str, float]:
    users = list(range(FIRST_USER, FIRST_USER + editors))
    paste = article(FIRST_USER, 0).replace(f"({FIRST_USER}-0)", "({u}-{n})")
    async with FakeTelegram(token=TOKEN, bot_username="newsroom_bot") as tg:
        tg.add_user(ADMIN_ID, "Admin", language_code="ru")
        for user in users:
            tg.add_user(user, f"Editor {user}", language_code="ru")
        tg.add_channel(CHANNEL_ID, username=CHANNEL_USERNAME, title="Newsroom", can_post=True)
        tg.add_group(ADMIN_CHAT_ID, "Admins")
        with tempfile.TemporaryDirectory() as tmp:
            child = start_newsroom(tg, users, Path(tmp)) if kind == "newsroom" else start_echo(tg)
            try:
                await _round(tg, users, "/help", 0)  # warm-up: imports, caches, connections
                await _round(tg, users, paste, 0)
                figures: dict[str, float] = {}
                for label, text in (("/start", "/start"), ("paste", paste)):
                    cpu0 = cpu_seconds(child.pid)
                    for n in range(1, rounds + 1):
                        await _round(tg, users, text, n)
                    figures[label] = (cpu_seconds(child.pid) - cpu0) / (editors * rounds)
                figures["rss"] = peak_rss_mb(child.pid)
                return figures
            finally:
                child.terminate()
                child.wait(timeout=30)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editors", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    echo = await measure("echo", args.editors, args.rounds)
    news = await measure("newsroom", args.editors, args.rounds)
    print(f"CPU per update of the bot process, {args.editors} editors x {args.rounds} rounds")
    print(f"{'':24}{'echo bot':>12}{'newsroom':>12}{'ratio':>9}  target")
    for label, target in (("/start", "2x"), ("paste", "4x")):
        e, n = echo[label] * 1000, news[label] * 1000
        print(f"{label:24}{e:9.2f} ms{n:9.2f} ms{n / e:8.2f}x  <= {target}")
    e, n = echo["rss"], news["rss"]
    print(f"{'peak RSS':24}{e:9.1f} MB{n:9.1f} MB{n / e:8.2f}x  <= 1.2x")


if __name__ == "__main__":
    asyncio.run(main())
