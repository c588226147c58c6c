"""The Telegram side of publishing: send a composed ``Post``, retry and flood control.

Import the modules themselves (``bot.telegram.send``, ``bot.telegram.retry``,
``bot.telegram.ratelimit``); this package re-exports nothing so that importing one does not
pull in the others.
"""
