"""A fake Telegram Bot API for the demo, the tests and the benchmarks (not shipped to run the
bot): an HTML parse-mode parser, a fake Bot API server and the harness that runs the bot on it."""

from fakegram.entities import (
    HtmlParseError,
    ParsedText,
    apply_entities,
    parse_html,
    plain_text,
    utf16_len,
)
from fakegram.server import (
    ApiCall,
    ApiError,
    CallbackAnswer,
    CommandsRecord,
    FakeTelegram,
    MessageEdit,
    SentMessage,
    ServerStats,
    WebhookDelivery,
)

__all__ = [
    "ApiCall",
    "ApiError",
    "CallbackAnswer",
    "CommandsRecord",
    "FakeTelegram",
    "HtmlParseError",
    "MessageEdit",
    "ParsedText",
    "SentMessage",
    "ServerStats",
    "WebhookDelivery",
    "apply_entities",
    "parse_html",
    "plain_text",
    "utf16_len",
]
