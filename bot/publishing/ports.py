"""What the publishing engine needs from the outside, as protocols (ports).

The engine decides and records; telling people is someone else's job. Whatever implements
:class:`Notifier` (``bot.presenters.notifier.TelegramNotifier``) satisfies it structurally: no base
class, no registration, just these methods. The composition root (``bot/app.py``) hands it to
the engine with :meth:`bot.publishing.PublishingEngine.set_notifier`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.domain import Article, Channel, Publication

__all__ = ["ChannelOutcome", "Notifier"]


@dataclass(frozen=True, slots=True)
class ChannelOutcome:
    """How one publication ended in its channel: published, or failed with ``reason``."""

    article: Article
    pub: Publication
    channel: Channel
    reason: str = ""  # empty: published
    detail: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.reason)


class Notifier(Protocol):
    """What the engine tells people about publications (texts, cards and languages live there).

    Called from the engine's notice queue, one at a time, after the database has recorded what
    the notice is about. ``on_outcomes`` gets every publication that ended (published or failed)
    since the last call, so that the admin chat, which Telegram allows 20 messages a minute,
    hears about a batch in one message rather than one each (issue 14). ``on_held`` may raise
    ``TelegramAPIError``: the card is then asked again later, since a held publication is only
    ever resolved by an admin.
    """

    async def on_outcomes(self, batch: Sequence[ChannelOutcome]) -> None: ...

    async def on_held(
        self, article: Article, pub: Publication, channel: Channel, reason: str
    ) -> None: ...
