"""The command line: preview, stats and backup (subprocesses, like an admin would run them)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.domain import ArticleContent
from storage.db import Database

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "oecd_kazakhstan_integrity.txt"


def _run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_preview_prints_each_message_with_its_length(tmp_path: Path) -> None:
    result = _run("preview", str(FIXTURE), "--photo", "https://e.org/p.jpg", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "<b>ОЭСР проверила уровень добропорядочности госорганов Казахстана</b>" in result.stdout
    assert "of 4096 characters" in result.stdout or "/4096 characters" in result.stdout


def test_preview_json_caption_layout(tmp_path: Path) -> None:
    result = _run(
        "preview",
        str(FIXTURE),
        "--layout",
        "caption",
        "--photo",
        "AgACfile",
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["layout"] == "caption"
    assert len(data["messages"]) == 1
    message = data["messages"][0]
    assert message["kind"] == "photo" and message["visible_length"] <= 1024
    assert "body_shortened" in {p["code"] for p in data["problems"]}


def test_preview_of_a_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    result = _run("preview", str(tmp_path / "nope.txt"), cwd=tmp_path)
    assert result.returncode == 2
    assert "Cannot read" in result.stderr and "Traceback" not in result.stderr


def test_stats_and_backup(tmp_path: Path) -> None:
    path = tmp_path / "data" / "newsroom.sqlite3"

    async def seed() -> None:
        db = await Database.open(path)
        try:
            async with db.transaction() as uow:
                for title in ("One", "Two"):
                    await uow.articles.create(
                        ArticleContent(title=title),
                        author_id=1,
                        origin="text",
                        now=datetime.now(UTC),
                    )
        finally:
            await db.close()

    asyncio.run(seed())
    stats = _run("stats", cwd=tmp_path, DATABASE_PATH=str(path))
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout.split("\n}\n")[0] + "\n}")["articles"] == {"draft": 2}
    copy = tmp_path / "backup.sqlite3"
    backup = _run("backup", str(copy), cwd=tmp_path, DATABASE_PATH=str(path))
    assert backup.returncode == 0, backup.stderr
    again = _run("stats", cwd=tmp_path, DATABASE_PATH=str(copy))
    assert '"draft": 2' in again.stdout
