"""Articles become Telegram posts: pure layout, length and hashtag logic (no aiogram, no I/O).

``composer.compose`` lays a post out; ``cleaning`` makes text count as Telegram counts it;
``paragraphs`` cuts and chunks the body; ``drafts`` measures and renders a message's parts;
``fitting`` decides what gives when space runs out; ``messages`` packs the result into
messages; ``checks`` reports what an editor should fix. The limits live in :mod:`bot.limits`.
"""

from bot.compose.checks import Problem, check
from bot.compose.cleaning import clean_inline, http_url
from bot.compose.composer import compose
from bot.compose.hashtags import collect_hashtags, normalize_hashtag
from bot.limits import ALBUM_MAX, CAPTION_LIMIT, ENTITY_LIMIT, TEXT_LIMIT

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
