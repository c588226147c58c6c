"""Small helpers for HTML text the bot writes to people (not channel posts: see bot.compose)."""

from __future__ import annotations

import html
import re

from bot.compose.composer import shorten as compose_shorten

# How much of a value a person typed is quoted back in an answer: a pasted 4000-character
# argument would otherwise push the answer past Telegram's 4096 characters.
ECHO_LIMIT = 64
_TAG = re.compile(r"<[^>]+>")


def quote(text: str) -> str:
    """Escape a user-supplied string for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def echo(text: str) -> str:
    """A value the person typed, quoted back: escaped and at most :data:`ECHO_LIMIT` long."""
    return quote(shorten(text, ECHO_LIMIT))


def visible_length(html_text: str) -> int:
    """The length Telegram counts for bot-written HTML (tags cost nothing, ``&amp;`` one)."""
    return len(html.unescape(_TAG.sub("", html_text)))


def shorten(text: str, limit: int) -> str:
    """One line, cut at a word boundary with an ellipsis; for list items and button labels."""
    return compose_shorten(" ".join(text.split()), limit)
