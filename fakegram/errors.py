"""Bot API error answers, with Telegram's descriptions for the ones several methods share."""

from __future__ import annotations

from fakegram.records import JsonDict

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
WRONG_FILE = "wrong file identifier/HTTP URL specified"  # after "Bad Request: "


class ApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": …, "description": …}``."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JsonDict:
        out: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            out["parameters"] = {"retry_after": self.retry_after}
        return out


def bad(description: str) -> ApiError:
    """A 400 "Bad Request: <description>"."""
    return ApiError(400, "Bad Request: " + description)
