"""The outbox: publications claimed, sent, recorded and, when the outcome is unknown, held.

``engine`` schedules and runs channel workers; ``delivery`` takes one publication through
claim, send and record; ``bookkeeping`` is the one step that sets a status, writes its audit
entry and queues the notice; ``notices`` tells people, through the ``ports.Notifier``.
"""

from bot.publishing.engine import PublishingEngine
from bot.publishing.ports import Notifier

__all__ = ["Notifier", "PublishingEngine"]
