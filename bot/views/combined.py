"""One message for a one-message post: the post as the channel will see it, then the header.

Issue 14: a preview followed by a header message is two messages per draft in the editor's
chat and two per review card in the admin chat, a group Telegram allows 20 messages a minute.
When the post is a single text or a single photo with caption, the header and the buttons ride
on it instead.

The header goes *below* the post: the post then reads from its first line exactly as the channel
shows it (a large link preview or the photo on top, the title first), and the header sits next
to the buttons it explains, which Telegram always draws under the message. A separator line
keeps the two apart; only the preview is built this way, the channel gets the post alone
(``bot.compose`` composes it, and ``bot.publishing`` sends that).

Whether it fits is counted as Telegram counts, after entity parsing (``bot.limits``): the
composer's visible length of the post, plus the separator and the header's visible text, within
the caption or the text limit; the post's entities plus the header's within the entity limit.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.domain import OutMessage, Post
from bot.limits import CAPTION_LIMIT, ENTITY_LIMIT, TEXT_LIMIT
from bot.texts import visible_length

__all__ = ["SEPARATOR", "join_html", "with_header"]

#: Between the post and the header: a line no post starts or ends with (the composer writes
#: none), so that nobody reads the header as part of the post.
SEPARATOR = "──────────"
_JOIN = "\n\n" + SEPARATOR + "\n"
# What costs an entity in the header: a tag, and what Telegram detects by itself (hashtags,
# mentions, cashtags, commands, links). Counted generously: a false "does not fit" only keeps
# the two-message layout.
_TAG = re.compile(r"<[a-zA-Z]")
_ANY_TAG = re.compile(r"<[^>]+>")
_DETECTED = re.compile(r"[#@$/]\w|https?://|\w\.[a-zA-Z]{2,}")


def join_html(post_html: str, header: str) -> str:
    """The text or caption of the one message: the post, the separator, the header."""
    return f"{post_html}{_JOIN}{header}" if post_html else f"{SEPARATOR}\n{header}"


def _entities(html: str) -> int:
    text = _ANY_TAG.sub("", html)
    return len(_TAG.findall(html)) + len(_DETECTED.findall(text))


def with_header(post: Post, header: str, *, reserve: int = 0) -> Post | None:
    """``post`` as one message that carries ``header`` below it, or None when it cannot.

    None when the post is several messages (or an album, which cannot carry buttons), or when
    the header would not fit within Telegram's limits with ``reserve`` characters to spare (the
    room a review card keeps for its decision and its channel posts).
    """
    if len(post.messages) != 1 or post.messages[0].kind not in ("text", "photo"):
        return None
    message: OutMessage = post.messages[0]
    limit = CAPTION_LIMIT if message.kind == "photo" else TEXT_LIMIT
    html = join_html(message.html, header)
    size = message.visible_length + visible_length(html[len(message.html) :])
    entities = message.entity_count + _entities(header)
    if size + reserve > limit or entities > ENTITY_LIMIT:
        return None
    one = replace(message, html=html, visible_length=size, entity_count=entities)
    return replace(post, messages=(one,))
