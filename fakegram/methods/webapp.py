"""Mini Apps on Telegram's side: the menu button that opens one, and the signed ``initData``
a Telegram client hands the page it opens (what tests and the demo sign in with).

initData is signed as core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app
says: the fields but ``hash``, sorted, as ``key=value`` lines; HMAC-SHA256 of them under the key
HMAC-SHA256(key="WebAppData", message=bot token), in hex.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlencode

from fakegram.errors import bad
from fakegram.methods.base import Family
from fakegram.params import Handler, Params
from fakegram.records import JsonDict
from fakegram.world import World


def sign_init_data(
    token: str,
    *,
    user: dict[str, Any],
    auth_date: int,
    query_id: str = "AAHdF6IQAAAAAN0XohDhrOrc",
    extra: dict[str, str] | None = None,
) -> str:
    """The query string a Telegram client passes as ``Telegram.WebApp.initData``."""
    fields = {
        "auth_date": str(auth_date),
        "query_id": query_id,
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
        **(extra or {}),
    }
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


class WebAppMethods(Family):
    """set/getChatMenuButton, kept per chat (and the default), checked as Telegram does."""

    def table(self) -> dict[str, Handler]:
        return {
            "setchatmenubutton": self.set_chat_menu_button,
            "getchatmenubutton": self.get_chat_menu_button,
        }

    def __init__(self, world: World) -> None:
        super().__init__(world)
        # By private chat (None: the default); tests read the calls in ``requests``.
        self._buttons: dict[int | None, JsonDict] = {}

    async def set_chat_menu_button(self, params: Params) -> bool:
        chat_id = params.opt_int("chat_id")
        if chat_id is not None and chat_id not in self.world.users:
            raise bad("chat not found")
        button = params.json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise bad("can't parse menu button")
        if button["type"] == "web_app":
            url = str((button.get("web_app") or {}).get("url", ""))
            if not button.get("text"):
                raise bad("BUTTON_TEXT_INVALID")
            # Mini Apps open over HTTPS only.
            if not url.startswith("https://"):
                raise bad("BUTTON_URL_INVALID")
        self._buttons[chat_id] = button
        return True

    async def get_chat_menu_button(self, params: Params) -> JsonDict:
        chat_id = params.opt_int("chat_id")
        return self._buttons.get(chat_id) or self._buttons.get(None) or {"type": "default"}
