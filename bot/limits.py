"""Telegram's limits, named once: what the composer fits posts into, what checks warn about.

A pure module (no aiogram, no I/O) at the top of the package so that ``bot/compose``,
``bot/ingest`` and the Telegram side can all import it without a layer reaching upwards. The
fake Bot API keeps its own copy on purpose: it plays Telegram, and a shared constant would let a
wrong limit agree with itself.

Sources: https://core.telegram.org/bots/api (sendMessage, sendPhoto, sendMediaGroup,
sendRichMessage) and https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ALBUM_MAX",
    "ALBUM_MIN",
    "CAPTION_LIMIT",
    "ENTITY_LIMIT",
    "GROUP_MESSAGES_PER_MINUTE",
    "MAX_PHOTO_ASPECT",
    "MAX_PHOTO_BYTES_UPLOAD",
    "MAX_PHOTO_BYTES_URL",
    "MAX_PHOTO_SIDES",
    "MESSAGES_PER_SECOND",
    "PRIVATE_BURST",
    "PRIVATE_MESSAGES_PER_SECOND",
    "RICH_BLOCK_LIMIT",
    "RICH_DEPTH_LIMIT",
    "RICH_MEDIA_LIMIT",
    "RICH_TABLE_COLUMN_LIMIT",
    "RICH_TEXT_LIMIT",
    "TEXT_LIMIT",
]

#: Visible characters (after entity parsing) of a message text.
TEXT_LIMIT: Final = 4096
#: Visible characters of a photo's or an album's caption.
CAPTION_LIMIT: Final = 1024
#: Formatting entities a message may carry, the ones Telegram detects (links, #tags) included.
ENTITY_LIMIT: Final = 100
#: Items of a media group (sendMediaGroup): fewer than two is a single photo.
ALBUM_MIN: Final = 2
ALBUM_MAX: Final = 10

# sendPhoto: uploads up to 10 MB, by URL up to 5 MB, width + height at most 10000, aspect
# ratio at most 20.
MAX_PHOTO_BYTES_UPLOAD: Final = 10 * 1024 * 1024
MAX_PHOTO_BYTES_URL: Final = 5 * 1024 * 1024
MAX_PHOTO_SIDES: Final = 10_000
MAX_PHOTO_ASPECT: Final = 20

# Flood limits from the Bot FAQ: about one message a second in a private chat, 20 a minute in
# a group or channel, about 30 a second overall.
PRIVATE_MESSAGES_PER_SECOND: Final = 1.0
# "In a single chat, avoid sending more than one message per second. We may allow short bursts
# that go over this limit" (Bot FAQ; /work/shared/TELEGRAM_NOTES.md, "Rates"): a private chat
# takes this many back to back, then the one-a-second pace. 3 covers one answer (a preview, its
# buttons, a warning) without reaching for Telegram's undocumented ceiling.
PRIVATE_BURST: Final = 3
GROUP_MESSAGES_PER_MINUTE: Final = 20
MESSAGES_PER_SECOND: Final = 30

# Rich messages (sendRichMessage, Bot API 10.1+; issue 15). The Bot API's "Rich message
# formatting options" section (https://core.telegram.org/bots/api#rich-message-formatting-options)
# gives the figures, as quoted by the telegram-rich crate's Limits::TELEGRAM
# (https://docs.rs/telegram-rich, src/limits.rs); tdlib's InputRichMessage documents what each
# one counts, as the options rich_message_text_length_max, _block_count_max, _depth_max,
# _media_count_max and _table_column_count_max (https://core.telegram.org/tdlib/docs, class
# inputRichMessage): "Total length of all texts ...; the total number of all blocks, list items
# and table rows ...; the maximum allowed depth of nested blocks and rich texts ...; the total
# number of media in all blocks ...; the maximum allowed number of table columns".
#: Characters of all the texts of a rich message together (captions, credits, cells included).
RICH_TEXT_LIMIT: Final = 32_768
#: Blocks of a rich message, nested ones, list items and table rows included.
RICH_BLOCK_LIMIT: Final = 500
#: Depth of nested blocks and rich texts.
RICH_DEPTH_LIMIT: Final = 16
#: Media (photos, videos, ...) in all the blocks of a rich message.
RICH_MEDIA_LIMIT: Final = 50
#: Columns of a table block.
RICH_TABLE_COLUMN_LIMIT: Final = 20
