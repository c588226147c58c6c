"""The bot as a process the crash test can SIGKILL: a fork server around ``create_app``.

``python -m tests.crash_worker`` imports the whole bot once (aiogram costs seconds), then reads
commands on stdin, one per line:

- ``start``: fork a child that runs the real bot (``App.run_polling``: recovery at start-up, the
  scheduler, polling) against the settings in ``CRASH_SETTINGS`` (JSON); answers ``pid N``.
- ``reap N``: wait for child ``N`` to end (the test kills it with SIGKILL); answers
  ``reaped N STATUS``.

Each child is a separate process with its own event loop, database connection and memory,
exactly as after a fresh start; forking only saves the import time. The fork happens with no
event loop and no threads running in this process, so the child starts clean.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

from bot.app import create_app
from bot.config import Settings
from bot.startup import resolve_channels


async def _run_bot(values: dict[str, Any]) -> None:
    settings = Settings(_env_file=None, **values)
    app = await create_app(settings)
    await resolve_channels(app.bot, app.db, app.clock)
    await app.run_polling(handle_signals=False, polling_timeout=1)


def _child(values: dict[str, Any], log_path: str) -> None:
    # Logs to a file: a pipe nobody reads would fill up and block the bot.
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    import logging

    logging.basicConfig(level=logging.INFO, format="%(process)d %(name)s %(message)s")
    try:
        asyncio.run(_run_bot(values))
    finally:
        os._exit(0)


def main() -> int:
    values: dict[str, Any] = json.loads(os.environ["CRASH_SETTINGS"])
    log_path = os.environ.get("CRASH_LOG", os.devnull)
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "start":
            pid = os.fork()
            if pid == 0:
                _child(values, log_path)
            print(f"pid {pid}", flush=True)
        elif command == "reap":
            _pid, status = os.waitpid(int(arg), 0)
            print(f"reaped {arg} {status}", flush=True)
        elif command == "quit":
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
