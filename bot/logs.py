"""Logging: one line per event, text or JSON, and the bot token never printed.

aiogram logs request URLs on some errors, and those contain ``/bot<token>/``: a filter masks
the token in every record, whatever logger produced it.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from bot.config import Settings

_TOKEN_RE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


class RedactToken(logging.Filter):
    def __init__(self, secret: str | None) -> None:
        super().__init__()
        self._secret = secret

    def _redact(self, text: str) -> str:
        if self._secret:
            text = text.replace(self._secret, "<token>")
        return _TOKEN_RE.sub("<token>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self._redact(record.getMessage()), None
        # A traceback carries exception messages too, and aiohttp puts the request URL (with
        # /bot<token>/) in some: format it here, redacted, so no formatter prints it raw.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_text:  # set (redacted) by RedactToken
            payload["exc"] = record.exc_text
        elif record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


def setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    secret = settings.bot_token.get_secret_value() if settings.bot_token else None
    handler.addFilter(RedactToken(secret))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    logging.getLogger("aiogram.event").setLevel(max(logging.INFO, root.level))
