"""Small helpers for HTML text the bot writes to people (not channel posts: see bot.compose)."""

from __future__ import annotations

import html

from bot.compose.composer import shorten as compose_shorten


def quote(text: str) -> str:
    """Escape a user-supplied string for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def shorten(text: str, limit: int) -> str:
    """One line, cut at a word boundary with an ellipsis; for list items and button labels."""
    return compose_shorten(" ".join(text.split()), limit)
