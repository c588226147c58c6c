"""The bot as a process the crash test can SIGKILL: a fork server around ``create_app``.

``python -m tests.crash_worker`` imports the whole bot once (aiogram costs seconds), then reads
commands on stdin, one per line:

- ``start [JSON]``: fork a child that runs the real bot (recovery at start-up, the scheduler,
  and ``App.run_polling``, or ``App.run_webhook`` when the settings have a ``webhook_url``)
  against the settings in ``CRASH_SETTINGS`` (JSON) updated with the optional JSON object
  (one replica's own ``webhook_listen``, say); answers ``pid N``.
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
import signal
import sys
from pathlib import Path
from typing import Any

from bot.app import create_app
from bot.config import Settings
from bot.startup import resolve_channels

REPO = Path(__file__).resolve().parent.parent


async def _run_bot(values: dict[str, Any]) -> None:
    settings = Settings(_env_file=None, **values)
    app = await create_app(settings)
    await resolve_channels(app.bot, app.db, app.clock)
    if settings.webhook_url:
        await app.run_webhook(handle_signals=False)
    else:
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
            own = {**values, **(json.loads(arg) if arg else {})}
            pid = os.fork()
            if pid == 0:
                _child(own, log_path)
            print(f"pid {pid}", flush=True)
        elif command == "reap":
            _pid, status = os.waitpid(int(arg), 0)
            print(f"reaped {arg} {status}", flush=True)
        elif command == "quit":
            break
    return 0


class ForkServer:
    """The test's side: starts this module as a process and talks to it over stdin/stdout."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def launch(cls, settings: dict[str, Any], workdir: Path) -> ForkServer:
        """The fork server for bots with ``settings``; their logs go to ``workdir/bot.log``."""
        env = {
            **os.environ,
            "CRASH_SETTINGS": json.dumps(settings),
            "CRASH_LOG": str(workdir / "bot.log"),
            "PYTHONPATH": str(REPO),
        }
        with (workdir / "worker.err").open("wb") as err:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.crash_worker",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=err,
                cwd=REPO,
                env=env,
            )
        assert proc.stdout is not None
        ready = await asyncio.wait_for(proc.stdout.readline(), 60)
        assert ready.strip() == b"ready", (workdir / "worker.err").read_text()
        return cls(proc)

    async def _ask(self, line: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{line}\n".encode())
        await self.proc.stdin.drain()
        return (await asyncio.wait_for(self.proc.stdout.readline(), 30)).decode().strip()

    async def start_bot(self, **overrides: Any) -> int:
        answer = await self._ask(f"start {json.dumps(overrides)}" if overrides else "start")
        assert answer.startswith("pid "), answer
        return int(answer.split()[1])

    async def kill_bot(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)  # only our own child, by its pid
        answer = await self._ask(f"reap {pid}")
        assert answer.startswith(f"reaped {pid}"), answer

    async def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"quit\n")
        await self.proc.stdin.drain()
        await asyncio.wait_for(self.proc.wait(), 10)


if __name__ == "__main__":
    sys.exit(main())
