"""The Telegram side of publishing: send a composed ``Post``, retry, flood control, rights.

Import the modules themselves (``bot.telegram.send``, ``bot.telegram.retry``,
``bot.telegram.ratelimit``, ``bot.telegram.rights``); this package re-exports nothing, so that
importing one does not pull in the others. Telegram's numeric limits are in :mod:`bot.limits`,
where the pure layers can read them too.
"""
