"""A request the API refuses: the HTTP status and the code of its text (bot.webapp.strings)."""

from __future__ import annotations

from typing import Any


class RequestError(Exception):
    def __init__(self, status: int, code: str, **fmt: Any) -> None:
        super().__init__(code)
        self.status, self.code, self.fmt = status, code, fmt
