"""The form fields of one Bot API request, read with Telegram's parsing rules."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fakegram.errors import bad


class Params:
    """Form fields of one request, with Telegram's parsing rules (every value is a string)."""

    def __init__(self, fields: dict[str, str], files: dict[str, bytes]) -> None:
        self.fields = fields
        self.files = files

    def opt(self, name: str) -> str | None:
        return self.fields.get(name)

    def required(self, name: str) -> str:
        value = self.fields.get(name)
        if value is None or value == "":
            raise bad(f"{name} is empty")
        return value

    def opt_int(self, name: str, default: int | None = None) -> int | None:
        value = self.fields.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise bad(f"invalid {name} specified") from None

    def required_int(self, name: str) -> int:
        value = self.opt_int(name)
        if value is None:
            raise bad(f"{name} is empty")
        return value

    def flag(self, name: str) -> bool:
        return (self.fields.get(name) or "").lower() in ("true", "1")

    def json(self, name: str) -> Any:
        value = self.fields.get(name)
        if value is None or value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise bad(f"can't parse {name} JSON object") from None


#: A Bot API method: the request's parameters in, the ``result`` out (or an ApiError raised).
Handler = Callable[[Params], Awaitable[Any]]
