"""Small helpers for HTML text the bot writes to people (not channel posts: see bot.compose).

``quote`` and ``shorten`` are :func:`bot.strings.escape` and :func:`bot.strings.shorten_line`
under the names the bot's messages use: one escape and one cut for the whole package.
"""

from __future__ import annotations

import html
import re

from bot.strings import escape as quote
from bot.strings import shorten_line as shorten

__all__ = ["ECHO_LIMIT", "echo", "quote", "shorten", "visible_length"]

# How much of a value a person typed is quoted back in an answer: a pasted 4000-character
# argument would otherwise push the answer past Telegram's 4096 characters.
ECHO_LIMIT = 64
_TAG = re.compile(r"<[^>]+>")


def echo(text: str) -> str:
    """A value the person typed, quoted back: escaped and at most :data:`ECHO_LIMIT` long."""
    return quote(shorten(text, ECHO_LIMIT))


def visible_length(html_text: str) -> int:
    """The length Telegram counts for bot-written HTML (tags cost nothing, ``&amp;`` one)."""
    return len(html.unescape(_TAG.sub("", html_text)))
