"""Settings: every malformed value names its variable in one line; the token never leaks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parent.parent
ENV_KEYS = (
    "BOT_TOKEN",
    "CHANNEL_ID",
    "ADMIN_CHAT_ID",
    "ADMIN_IDS",
    "EDITOR_IDS",
    "TIMEZONE",
    "DEFAULT_LANGUAGE",
    "TELEGRAM_API_URL",
    "LOG_LEVEL",
    "DATABASE_PATH",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_and_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "1, 2,3")
    monkeypatch.setenv("EDITOR_IDS", "")
    monkeypatch.setenv("default_language", "EN")
    settings = load_settings()
    assert settings.admin_ids == (1, 2, 3)
    assert settings.editor_ids == ()
    assert settings.default_language == "en"
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert str(settings.tz) == "UTC"
    assert settings.missing_for_run()  # no token, channel, admin chat


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("ADMIN_IDS", "1,x", "ADMIN_IDS: expected comma-separated numeric user ids"),
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE: unknown IANA time zone"),
        ("DEFAULT_LANGUAGE", "de", "DEFAULT_LANGUAGE:"),
        ("CHANNEL_ID", "news", "CHANNEL_ID: expected @channelusername"),
        ("ADMIN_CHAT_ID", "abc", "ADMIN_CHAT_ID:"),
        ("TELEGRAM_API_URL", "ftp://x", "TELEGRAM_API_URL: must start with http"),
        ("BOT_TOKEN", "not-a-token", "BOT_TOKEN: does not look like a bot token"),
    ],
)
def test_malformed_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert str(info.value).startswith(expected)
    assert "\n" not in str(info.value)


def test_run_without_settings_names_what_is_missing(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "BOT_TOKEN is not set" in result.stderr
    assert "CHANNEL_ID is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_token_is_not_echoed(tmp_path: Path) -> None:
    secret = "12345:has spaces and secrets"
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "BOT_TOKEN": secret},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "BOT_TOKEN" in result.stderr
    assert secret not in result.stderr and "secrets" not in result.stderr
