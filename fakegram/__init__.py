"""Offline stand-ins for Telegram: an HTML parse-mode parser and a fake Bot API server."""

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
from fakegram.tg_html import (
    HtmlParseError,
    ParsedText,
    apply_entities,
    parse_html,
    plain_text,
    utf16_len,
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
