"""Small helpers for HTML text the bot writes to people (not channel posts: see bot.compose)."""

from __future__ import annotations

import html


def quote(text: str) -> str:
    """Escape a user-supplied string for Telegram's HTML parse mode."""
    return html.escape(text, quote=False)


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary with an ellipsis; for list items and button labels."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"
