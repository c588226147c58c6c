"""``python -m bot demo --calendar``: the demo serves the Mini App and prints a local address
with a demo sign-in that works (and no token)."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp

from fakegram.harness import TOKEN

ROOT = Path(__file__).resolve().parent.parent


async def test_demo_prints_a_calendar_address_that_signs_in(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "demo",
        "--calendar",
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    printed: list[str] = []
    try:
        async with asyncio.timeout(120):
            while not any("Ctrl-C" in line for line in printed):
                line = (await proc.stdout.readline()).decode()
                assert line, "the demo ended early:\n" + "".join(printed[-20:])
                printed.append(line)
        address = next(p for p in printed if "/app#tgWebAppData=" in p).split(": ", 1)[1].strip()
        url = urlsplit(address)
        assert url.hostname == "127.0.0.1"
        init_data = parse_qs(url.fragment)["tgWebAppData"][0]
        base = f"{url.scheme}://{url.netloc}"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/app") as page:
                assert page.status == 200
            headers = {"Authorization": f"tma {init_data}"}
            async with http.get(f"{base}/app/api/queue", headers=headers) as answer:
                assert answer.status == 200
                queue = await answer.json()
            async with http.get(f"{base}/app/api/queue") as anonymous:
                assert anonymous.status == 401
        # The demo's article went out: the calendar shows it among the last day's posts.
        assert [i["status"] for i in queue["items"]] == ["published"]
        assert TOKEN not in "".join(printed) and TOKEN.split(":")[1] not in address
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            rest = await proc.stdout.read()
            code = await proc.wait()
    assert code == 0
    assert b"Demo finished" in rest
