"""Settings from the environment and ``.env`` (pydantic-settings).

Created inside ``main()`` or a test fixture, never at import time. Every key is documented in
``.env.example``; the names are a contract with deployments, so keep them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.limits import GROUP_MESSAGES_PER_MINUTE, MESSAGES_PER_SECOND

_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{1,}$")
_CHANNEL = re.compile(r"^(@[A-Za-z][A-Za-z0-9_]{3,}|-?\d+)$")
_HOST_PORT = re.compile(r"^(?P<host>[^:\s]+|\[[0-9a-fA-F:]+\]):(?P<port>\d{1,5})$")

DEFAULT_WEB_APP_PORT = 8080
IdList = Annotated[tuple[int, ...], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        frozen=True,
    )

    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    channel_id: str | None = None
    admin_chat_id: int | None = None
    admin_ids: IdList = ()
    editor_ids: IdList = ()
    timezone: str = "UTC"
    database_path: Path = Path("data/newsroom.sqlite3")
    # sqlite:///path or postgresql://user:password@host:port/dbname; unset: DATABASE_PATH.
    # A secret: the URL may carry the password.
    database_url: SecretStr | None = None
    # redis://host:port/db: FSM state and event isolation shared by every instance.
    redis_url: SecretStr | None = None
    default_language: Literal["ru", "en"] = "ru"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    log_format: Literal["text", "json"] = "text"

    require_approval: bool = True
    review_reminder_minutes: int = Field(default=60, ge=1)
    missed_grace_minutes: int = Field(default=30, ge=0)
    shutdown_grace_seconds: float = Field(default=8.0, ge=0, le=300)
    channel_posts_per_minute: int = Field(default=GROUP_MESSAGES_PER_MINUTE, ge=1, le=60)
    global_requests_per_second: int = Field(default=MESSAGES_PER_SECOND, ge=1, le=100)
    max_article_chars: int = Field(default=50_000, ge=1000)
    allow_private_urls: bool = False
    feed_interval_minutes: int = Field(default=15, ge=1)
    # Reader tips (issue 15): the private-chat tip box for people who are not staff (off: they
    # are refused and nothing of theirs is stored), and the limits every tip is held to.
    reader_tips: bool = False
    tips_per_hour: int = Field(default=3, ge=1, le=60)
    tip_max_chars: int = Field(default=3000, ge=100, le=4096)

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1:8080"
    health_listen: str | None = None

    # The Mini App (issue 16): served on WEB_APP_HOST:WEB_APP_PORT whenever the port is set (or
    # WEB_APP_URL is); WEB_APP_URL is the public HTTPS address the buttons open. See
    # web_app_listen.
    web_app_host: str = "127.0.0.1"
    web_app_port: int | None = Field(default=DEFAULT_WEB_APP_PORT, ge=1, le=65535)
    web_app_url: str | None = None
    web_app_max_age_seconds: int = Field(default=3600, ge=10)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("default_language", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("admin_ids", "editor_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, int):
            return (value,)
        if not isinstance(value, str):
            return value
        ids: list[int] = []
        for part in value.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.lstrip("-").isdigit():
                raise ValueError(f"expected comma-separated numeric user ids, got {part!r}")
            ids.append(int(part))
        return tuple(ids)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        # Never echo the token back, not even in the error message.
        if not _TOKEN.match(value.get_secret_value().strip()):
            raise ValueError("does not look like a bot token (expected <digits>:<letters>)")
        return SecretStr(value.get_secret_value().strip())

    @field_validator("channel_id")
    @classmethod
    def _channel_shape(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not _CHANNEL.match(value):
            raise ValueError("expected @channelusername or a numeric id like -1001234567890")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: SecretStr | None) -> SecretStr | None:
        text = value.get_secret_value().strip() if value is not None else ""
        if not text:
            return None
        if text.startswith("sqlite:///") and len(text) > len("sqlite:///"):
            return SecretStr(text)
        if text.startswith(("postgresql://", "postgres://")):
            return SecretStr(text)
        raise ValueError("expected sqlite:///path/to/file or postgresql://user@host/dbname")

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        text = value.get_secret_value().strip() if value is not None else ""
        if not text:
            return None
        if not text.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected redis://host:port/db (or rediss://, unix://)")
        return SecretStr(text)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r} (e.g. Asia/Almaty)") from exc
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return _check_http_url(value) or "https://api.telegram.org"

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        return _check_http_url(value) if value is not None else None

    @field_validator("web_app_url")
    @classmethod
    def _web_app_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        # Telegram opens Mini Apps over HTTPS only (core.telegram.org/bots/webapps).
        if not value.strip().startswith("https://"):
            raise ValueError("must start with https:// (Telegram opens Mini Apps over HTTPS)")
        return value.strip()

    @field_validator("web_app_port", mode="before")
    @classmethod
    def _web_app_port(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_listen", "health_listen")
    @classmethod
    def _listen(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        match = _HOST_PORT.match(value.strip())
        if not match or not 0 < int(match["port"]) < 65536:
            raise ValueError("expected host:port, e.g. 127.0.0.1:8080")
        return value.strip()

    @property
    def web_app_listen(self) -> str | None:
        """Where the Mini App is served: "host:port" when WEB_APP_PORT is given (or WEB_APP_URL
        is: then on the default port), else None. An empty WEB_APP_PORT counts as not given;
        the bare default alone must not take a port nobody asked for."""
        given = "web_app_port" in self.model_fields_set and self.web_app_port is not None
        if not given and self.web_app_url is None:
            return None
        port = self.web_app_port or DEFAULT_WEB_APP_PORT
        host = self.web_app_host.strip() or "127.0.0.1"
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    @property
    def database(self) -> str | Path:
        """What ``Database.open`` takes: DATABASE_URL when set, else the DATABASE_PATH file."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return self.database_path

    @property
    def sqlite_file(self) -> Path | None:
        """The SQLite file the database lives in; None on PostgreSQL."""
        if self.database_url is None:
            return self.database_path
        url = self.database_url.get_secret_value()
        return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:") else None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def missing_for_run(self) -> list[str]:
        """Settings the real bot cannot run without, each with what it is for."""
        missing = []
        if self.bot_token is None:
            missing.append("BOT_TOKEN is not set (the token from @BotFather)")
        if self.channel_id is None:
            missing.append("CHANNEL_ID is not set (the channel to publish to: @name or -100… id)")
        if self.admin_chat_id is None:
            missing.append("ADMIN_CHAT_ID is not set (the chat where admins review posts)")
        if not self.admin_ids:
            missing.append("ADMIN_IDS is not set (comma-separated Telegram user ids of admins)")
        if self.webhook_url and self.webhook_secret is None:
            missing.append("WEBHOOK_SECRET is not set (required with WEBHOOK_URL)")
        return missing


def _check_http_url(value: str) -> str | None:
    value = value.strip().rstrip("/")
    if not value:
        return None
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value


class ConfigError(Exception):
    """A setting is missing or malformed; ``str()`` is one line per problem, no traceback."""


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "settings"
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{name}: {message}")
        raise ConfigError("\n".join(lines)) from None
