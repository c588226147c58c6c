"""One instance against three, on one PostgreSQL and Redis (issue 17): the figures of scale-out.

Each configuration runs the real bot as deployed for several instances: processes forked by
``tests/crash_worker.py`` (``create_app`` + ``run_webhook``: start-up recovery, heartbeats, the
scheduler with LISTEN/NOTIFY wake-ups, Redis-shared limits, FSM and albums) behind the loopback
balancer of ``fakegram/balancer.py`` (what ``deploy/nginx.conf`` does), against the fake Bot API
server in this process. Per configuration, on a database of its own:

1. **Updates**: 50 editors (``--editors``) each paste ``--pastes`` articles at the same moment;
   the clock stops when every editor has every draft (its preview and buttons). Updates per
   second, and the instances' CPU per update (utime + stime of every replica, /proc/PID/stat).
   Telegram's broadcast limit is raised to the most the settings allow (100 a second), as in
   ``bench_updates.py``; the private chats keep their real pace (a burst of 3, then 1 a second).
2. **Lateness**: 10,000 publications (``--scheduled``) are scheduled; ``--channels`` channels
   each have one due every 4 s (15 a minute, under Telegram's 20) for ``--window`` seconds, the
   rest are due tomorrow. Lateness = published_at - due_at of each due post (p50, p99, max),
   with Telegram's real limits (30 a second overall, 20 a minute per channel).
3. **Failover** (three instances): one replica is SIGKILLed in the middle of the lateness
   window (its claims in flight are recovered by the others, see docs/SCALE_OUT.md), and
   afterwards, in long-polling mode, the elected poller is killed and the time until a standby
   answers an editor is measured. With one instance the figure is its restart: a forked,
   already-imported process until it answers (a real restart adds Python's imports).

The fake server and the balancer run in this process and share the machine's cores with the
replicas: on a 2-core machine three replicas do not get three cores, so compare CPU per update
(the cost) more than updates per second (bounded by the cores and by Telegram's pace).

    python bench/bench_scale.py [--editors 50] [--pastes 4] [--scheduled 10000] [--channels 40]

Needs the test servers' URLs (``NEWSROOM_TEST_POSTGRES_URL``, ``NEWSROOM_TEST_REDIS_URL``;
``.ci/servers.sh`` starts both); without them it says so and exits 0 (``make bench``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import asyncpg  # noqa: E402
from bench_load import FIRST_USER, article  # noqa: E402
from loadkit import cpu_seconds, schedule_story  # noqa: E402

from bot.wakeups import OUTBOX  # noqa: E402
from fakegram.balancer import Balancer  # noqa: E402
from fakegram.harness import ADMIN_CHAT_ID  # noqa: E402
from fakegram.server import FakeTelegram  # noqa: E402
from storage.db import Database  # noqa: E402
from tests.crash_worker import ForkServer  # noqa: E402
from tests.test_e2e_webhook import _free_port  # noqa: E402

ADMIN = 5201
SECRET = "bench-scale-secret"
FIRST_CHANNEL = -1007800000001
EVERY = 4.0  # seconds between the due posts of one channel: 15 a minute
LEAD_IN = 6.0  # seconds from the seeding to the first due post
TAKEOVERS = 5  # kills of the poller: a standby asks for the lead every 2 s, so they vary


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Figures:
    instances: int
    updates_per_second: float = 0.0
    cpu_ms_per_update: float = 0.0
    late_p50: float = 0.0
    late_p99: float = 0.0
    late_max: float = 0.0
    due: int = 0
    held: int = 0
    failover: dict[str, float] = field(default_factory=dict)
    spread: list[int] = field(default_factory=list)  # updates each replica answered


async def _new_database(server: str, name: str) -> str:
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    finally:
        await conn.close()
    url = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    db = await Database.open(url)  # migrates
    await db.close()
    return url


async def _drop_database(server: str, name: str) -> None:
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _channels(count: int) -> list[tuple[int, str]]:
    return [(FIRST_CHANNEL - n, f"bench_scale_{n:02d}") for n in range(count)]


async def _seed(url: str, args: argparse.Namespace) -> datetime:
    """The channels and ``args.scheduled`` publications; returns when the first is due."""
    db = await Database.open(url)
    now = datetime.now(UTC)
    channels = _channels(args.channels)
    per_channel = int(args.window / EVERY)
    due_soon = min(args.scheduled, per_channel * len(channels))
    try:
        async with db.transaction() as uow:
            ids = []
            for n, (chat_id, name) in enumerate(channels):
                channel = await uow.channels.ensure(
                    f"@{name}", now=now, chat_id=chat_id, username=name, is_default=n == 0
                )
                ids.append(channel.id)

            async def one(n: int, due: datetime) -> None:
                await schedule_story(
                    uow,
                    f"Scheduled story {n:05d}",
                    channel_id=ids[n % len(ids)],
                    due_at=due,
                    now=now,
                    author_id=FIRST_USER,
                    silent=True,
                )

            for n in range(due_soon, args.scheduled):  # tomorrow's: the bulk of the schedule
                await one(n, now + timedelta(days=1, seconds=n))
            # Timed from here: the soon-due rows take about a second to write.
            start = datetime.now(UTC) + timedelta(seconds=LEAD_IN)
            for n in range(due_soon):
                slot, index = divmod(n, len(ids))
                # Staggered within each 4 s so that the channels do not all fire at once.
                await one(n, start + timedelta(seconds=(slot + index / len(ids)) * EVERY))
    finally:
        await db.close()
    # What a schedule made on any instance does: every instance's engine looks again.
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SELECT pg_notify($1, '')", OUTBOX)
    finally:
        await conn.close()
    return start


def _people(tg: FakeTelegram, editors: list[int], channels: int) -> None:
    tg.add_user(ADMIN, "Admin", language_code="en")
    for user in editors:
        tg.add_user(user, f"Editor {user}", language_code="ru")
    for chat_id, name in _channels(channels):
        tg.add_channel(chat_id, title=name, username=name)
    tg.add_group(ADMIN_CHAT_ID, "Newsroom admins")


def _settings(
    tg: FakeTelegram, url: str, redis_url: str, editors: list[int], channels: int
) -> dict[str, Any]:
    return {
        "bot_token": tg.token,
        "telegram_api_url": tg.api_base,
        "channel_id": f"@{_channels(channels)[0][1]}",
        "admin_chat_id": ADMIN_CHAT_ID,
        "admin_ids": [ADMIN],
        "editor_ids": editors,
        "database_url": url,
        "redis_url": redis_url,
        "default_language": "en",
        "shutdown_grace_seconds": 0,
    }


def _drafts(tg: FakeTelegram, user: int) -> int:
    return sum(
        1
        for m in tg.messages(user)
        if any(d.startswith("d:submit:") for row in m.button_data for d in row)
    )


async def _updates(tg: FakeTelegram, pids: list[int], editors: list[int], pastes: int) -> Any:
    """All editors paste at once; (updates per second, CPU ms per update)."""
    # Warm every replica on the measured path: the balancer's round robin gives each two of
    # these, and a process's first paste loads the morphology models (seconds of CPU, once).
    warm = editors[:6]
    for user in warm:
        tg.send_text(user, article(user, 9))
    await tg.wait_for(lambda: all(_drafts(tg, u) for u in warm), timeout=120)
    await asyncio.sleep(1.5)  # a benchmark: let the private chats' pace refill
    before = {u: _drafts(tg, u) for u in editors}
    cpu0 = sum(cpu_seconds(p) for p in pids)
    t0 = time.perf_counter()
    for n in range(pastes):
        for user in editors:
            tg.send_text(user, article(user, n))
    await tg.wait_for(
        lambda: all(_drafts(tg, u) - before[u] >= pastes for u in editors), timeout=600
    )
    elapsed = time.perf_counter() - t0
    # The last handlers are still returning their webhook answers: count their CPU too.
    await tg.wait_until_updates_consumed(timeout=60)
    updates = len(editors) * pastes
    cpu = sum(cpu_seconds(p) for p in pids) - cpu0
    return updates / elapsed, cpu / updates * 1000


async def _lateness(
    url: str, start: datetime, window: float, wait: float
) -> tuple[list[float], int]:
    """Lateness (s) of every post due in the window, once all of them are out; and how many
    are held for an admin (an unknown outcome after a kill)."""
    end = start + timedelta(seconds=window)
    deadline = time.monotonic() + wait
    conn = await asyncpg.connect(url)
    try:
        while True:
            rows = await conn.fetch(
                "SELECT status, due_at, published_at FROM publications WHERE due_at < $1",
                end.isoformat(),
            )
            settled = all(r["status"] in ("published", "held") for r in rows)
            if (settled and rows) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)  # polling the database for a result, with a deadline
    finally:
        await conn.close()
    late = [
        (
            datetime.fromisoformat(r["published_at"]) - datetime.fromisoformat(r["due_at"])
        ).total_seconds()
        for r in rows
        if r["status"] == "published"
    ]
    return late, sum(1 for r in rows if r["status"] == "held")


async def _listening(ports: list[int]) -> None:
    """Every replica accepts connections (else the balancer skips it for a while)."""
    deadline = time.monotonic() + 60
    for port in ports:
        while True:
            try:
                _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                assert time.monotonic() < deadline, f"replica on {port} never listened"
                await asyncio.sleep(0.1)  # a process starting up, polled with a deadline
                continue
            writer.close()
            await writer.wait_closed()
            break


async def _role(port: int) -> str:
    async with aiohttp.ClientSession() as session:
        try:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as resp:
                role: str = (await resp.json()).get("role", "")
                return role
        except aiohttp.ClientError:
            return ""


async def _answered_after(tg: FakeTelegram, user: int, text: str) -> float:
    seen = len(tg.messages(user))
    t0 = time.perf_counter()
    tg.send_text(user, text)
    await tg.wait_for(lambda: len(tg.messages(user)) > seen, timeout=60)
    return time.perf_counter() - t0


class Replicas:
    """The fork server's bots, by index: their ports and current pids."""

    def __init__(self, server: ForkServer, ports: list[int]) -> None:
        self.server = server
        self.ports = ports
        self.pids: dict[int, int] = {}

    async def start(self, index: int, **overrides: Any) -> None:
        self.pids[index] = await self.server.start_bot(**overrides)

    async def kill(self, index: int) -> None:
        await self.server.kill_bot(self.pids.pop(index))

    async def kill_all(self) -> None:
        for index in list(self.pids):
            await self.kill(index)


async def _failover_polling(tg: FakeTelegram, replicas: Replicas, editor: int) -> dict[str, float]:
    """Long polling: the poller dies; seconds until an editor is answered again."""
    count = len(replicas.ports)
    for index in range(count):
        await replicas.start(
            index, webhook_url=None, health_listen=f"127.0.0.1:{replicas.ports[index]}"
        )
    await _answered_after(tg, editor, "/help")  # someone polls
    waits: list[float] = []
    for _attempt in range(TAKEOVERS):
        roles = {i: await _role(replicas.ports[i]) for i in replicas.pids}
        poller = next((i for i, role in roles.items() if role == "poller"), None)
        assert poller is not None, roles
        await replicas.kill(poller)
        if count == 1:  # nobody to take over: the figure is a restart
            await replicas.start(
                poller, webhook_url=None, health_listen=f"127.0.0.1:{replicas.ports[poller]}"
            )
        waits.append(await _answered_after(tg, editor, "/help"))
        if count > 1:
            await replicas.start(
                poller, webhook_url=None, health_listen=f"127.0.0.1:{replicas.ports[poller]}"
            )
    figures = {
        "poller killed: answered again, mean": statistics.mean(waits),
        "poller killed: answered again, max": max(waits),
    }
    await replicas.kill_all()
    return figures


async def run(count: int, args: argparse.Namespace, server: str, redis_url: str) -> Figures:
    figures = Figures(count)
    editors = list(range(FIRST_USER, FIRST_USER + args.editors))
    name = f"bench_scale_{count}_{os.getpid()}"
    url = await _new_database(server, name)
    token = f"{7800000 + count * 1000 + os.getpid() % 1000}:BENCH-scale-token"
    try:
        async with FakeTelegram(token=token) as tg:
            _people(tg, editors, args.channels)
            tg.enforce_rate_limits(global_per_second=100)
            ports = [_free_port() for _ in range(count)]
            async with Balancer([f"127.0.0.1:{p}" for p in ports]) as balancer:
                settings = {
                    **_settings(tg, url, redis_url, editors, args.channels),
                    "webhook_url": f"{balancer.url}/telegram/webhook",
                    "webhook_secret": SECRET,
                }
                with tempfile.TemporaryDirectory() as tmp:
                    fork = await ForkServer.launch(settings, Path(tmp))
                    replicas = Replicas(fork, ports)
                    try:
                        for i in range(count):
                            await replicas.start(
                                i,
                                webhook_listen=f"127.0.0.1:{ports[i]}",
                                global_requests_per_second=100,
                            )
                        await _listening(ports)
                        ups, cpu = await _updates(
                            tg, list(replicas.pids.values()), editors, args.pastes
                        )
                        figures.updates_per_second, figures.cpu_ms_per_update = ups, cpu
                        figures.spread = list(balancer.answered.values())
                        # The schedule, under Telegram's real limits from here on.
                        await replicas.kill_all()
                        tg.enforce_rate_limits()
                        for i in range(count):
                            await replicas.start(i, webhook_listen=f"127.0.0.1:{ports[i]}")
                        start = await _seed(url, args)
                        if count > 1:
                            # Kill one replica in the middle of the window and leave it dead.
                            middle = (start - datetime.now(UTC)).total_seconds() + args.window / 2
                            await asyncio.sleep(max(0.0, middle))  # the moment of the crash
                            killed_at = datetime.now(UTC)
                            await replicas.kill(0)
                        late, held = await _lateness(url, start, args.window, args.window + 120)
                        figures.due, figures.held = len(late) + held, held
                        figures.late_p50 = statistics.median(late)
                        figures.late_p99 = _pct(late, 0.99)
                        figures.late_max = max(late)
                        if count > 1:
                            figures.failover[
                                "posts due after the kill, max late"
                            ] = await _late_after(url, killed_at)
                        await replicas.kill_all()
                        figures.failover.update(await _failover_polling(tg, replicas, editors[0]))
                    finally:
                        await replicas.kill_all()
                        await fork.close()
    finally:
        await _drop_database(server, name)
    return figures


async def _late_after(url: str, since: datetime) -> float:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT due_at, published_at FROM publications"
            " WHERE status = 'published' AND due_at >= $1",
            since.isoformat(),
        )
    finally:
        await conn.close()
    return max(
        (
            datetime.fromisoformat(r["published_at"]) - datetime.fromisoformat(r["due_at"])
        ).total_seconds()
        for r in rows
    )


def _table(rows: list[Figures], args: argparse.Namespace) -> None:
    print(
        f"bench_scale: {args.editors} editors x {args.pastes} pastes; {args.scheduled} scheduled,"
        f" {rows[0].due} due over {args.window:.0f} s in {args.channels} channels;"
        f" {os.cpu_count()} cores"
    )
    print(f"{'':38}" + "".join(f"{f'{r.instances} instance(s)':>16}" for r in rows))

    def line(label: str, values: list[str]) -> None:
        print(f"  {label:36}" + "".join(f"{v:>16}" for v in values))

    line("updates/s (all drafts answered)", [f"{r.updates_per_second:.1f}" for r in rows])
    line("CPU ms per update (all replicas)", [f"{r.cpu_ms_per_update:.1f}" for r in rows])
    line("webhook requests per replica", ["/".join(map(str, r.spread)) for r in rows])
    line("lateness p50 s", [f"{r.late_p50:.2f}" for r in rows])
    line("lateness p99 s", [f"{r.late_p99:.2f}" for r in rows])
    line("lateness max s", [f"{r.late_max:.2f}" for r in rows])
    line("held for an admin", [str(r.held) for r in rows])
    keys = sorted({k for r in rows for k in r.failover})
    for key in keys:
        line(f"{key} s", [f"{r.failover[key]:.2f}" if key in r.failover else "-" for r in rows])
    base = rows[0]
    for r in rows[1:]:
        print(
            f"  ratio {r.instances}/{base.instances}: updates/s"
            f" {r.updates_per_second / base.updates_per_second:.2f}x,"
            f" CPU per update {r.cpu_ms_per_update / base.cpu_ms_per_update:.2f}x"
        )


async def main(args: argparse.Namespace) -> int:
    server = os.environ.get("NEWSROOM_TEST_POSTGRES_URL", "").strip()
    redis_url = os.environ.get("NEWSROOM_TEST_REDIS_URL", "").strip()
    if not server or not redis_url:
        print(
            "bench_scale: needs NEWSROOM_TEST_POSTGRES_URL and NEWSROOM_TEST_REDIS_URL"
            " (source .ci/servers.sh; ci_servers_start); skipped"
        )
        return 0
    rows = [await run(count, args, server, redis_url) for count in args.instances]
    _table(rows, args)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editors", type=int, default=50)
    parser.add_argument("--pastes", type=int, default=4)
    parser.add_argument("--scheduled", type=int, default=10_000)
    parser.add_argument("--channels", type=int, default=40)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 3])
    sys.exit(asyncio.run(main(parser.parse_args())))
