"""Telegram side of the workflow ports: cards, previews and notices, sent and refreshed."""
