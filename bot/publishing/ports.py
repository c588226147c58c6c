"""What the publishing engine needs from the outside, as protocols (ports).

The engine decides and records; telling people is someone else's job. Whatever implements
:class:`Notifier` (``bot.presenters.notifier.TelegramNotifier``) satisfies it structurally: no base
class, no registration, just these methods. The composition root (``bot/app.py``) hands it to
the engine with :meth:`bot.publishing.PublishingEngine.set_notifier`.
"""

from __future__ import annotations

from typing import Protocol

from bot.domain import Article, Channel, Publication

__all__ = ["Notifier"]


class Notifier(Protocol):
    """What the engine tells people about publications (texts, cards and languages live there).

    Called from the engine's notice queue, one at a time, after the database has recorded what
    the notice is about. ``on_held`` may raise ``TelegramAPIError``: the card is then asked
    again later, since a held publication is only ever resolved by an admin.
    """

    async def on_published(self, article: Article, pub: Publication, channel: Channel) -> None: ...

    async def on_failed(
        self, article: Article, pub: Publication, channel: Channel, reason: str, detail: str
    ) -> None: ...

    async def on_held(
        self, article: Article, pub: Publication, channel: Channel, reason: str
    ) -> None: ...
