"""The offline demo runs end to end, and no log line ever carries the bot token."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

from bot.config import Settings
from bot.logs import RedactToken, setup_logging
from fakegram.harness import TOKEN

ROOT = Path(__file__).resolve().parent.parent


def test_demo_runs_offline_and_never_prints_the_token(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "LOG_LEVEL": "DEBUG"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "Demo finished" in result.stdout
    # The channel post, with the parsed fields of the bundled article.
    assert "ОЭСР проверила уровень добропорядочности госорганов Казахстана" in result.stdout
    assert "Источник: El.kz со ссылкой на Антикор РК" in result.stdout
    assert "https://t.me/newsroom_demo/1" in result.stdout
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output


def test_redaction_filter_masks_configured_and_lookalike_tokens() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactToken("777:configured-secret"))
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("calling %s", "https://api.telegram.org/bot777:configured-secret/getMe")
        logger.warning("another bot 1234567:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw leaked")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "configured-secret" not in text
    assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in text
    assert text.count("<token>") == 2


def test_json_log_format_is_one_object_per_line(capsys: object) -> None:
    settings = Settings(_env_file=None, log_format="json", bot_token=TOKEN)
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging(settings)
        stream = io.StringIO()
        root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
        logging.getLogger("bot.test").info("publishing article=%s token=%s", 7, TOKEN)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    import json

    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["msg"] == "publishing article=7 token=<token>"
    assert record["level"] == "INFO"
