"""Articles become Telegram posts: pure layout, length and hashtag logic (no aiogram, no I/O)."""

from bot.compose.checks import Problem, check
from bot.compose.composer import (
    ALBUM_MAX,
    CAPTION_LIMIT,
    ENTITY_LIMIT,
    TEXT_LIMIT,
    clean_inline,
    compose,
    http_url,
)
from bot.compose.hashtags import collect_hashtags, normalize_hashtag

__all__ = [
    "ALBUM_MAX",
    "CAPTION_LIMIT",
    "ENTITY_LIMIT",
    "TEXT_LIMIT",
    "Problem",
    "check",
    "clean_inline",
    "collect_hashtags",
    "compose",
    "http_url",
    "normalize_hashtag",
]
