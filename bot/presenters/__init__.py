"""Telegram side of the workflow ports: cards, previews and notices, sent and refreshed."""

# Imported for its effect: aiogram's hot response models stay built (see the module, issue 14).
from bot.presenters.response_types import KEPT as KEPT
