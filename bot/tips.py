"""Reader tips (issue 15): the stored entity and what it was made of.

Plain data like ``bot.domain``: the tip repository returns :class:`Tip`, the workflow decides on
it, the views show it. A tip comes from a channel's direct messages (a plain message, or a
suggested post with ``suggested_post_info``) or from the private-chat tip box (``READER_TIPS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain import Formatting, Photo


class TipKind(StrEnum):
    DIRECT = "direct"  # a message to the channel's direct messages
    SUGGESTED = "suggested"  # a suggested post there: it can be approved or declined
    PRIVATE = "private"  # the private-chat tip box (READER_TIPS=on)


class TipStatus(StrEnum):
    NEW = "new"  # waiting for an admin's decision
    DECIDING = "deciding"  # an admin's approve/decline is on its way to Telegram
    DRAFTED = "drafted"  # taken as a draft (``article_id``)
    APPROVED = "approved"  # approveSuggestedPost went through (``send_at``)
    DECLINED = "declined"  # declineSuggestedPost went through (``comment``)
    DISMISSED = "dismissed"  # closed without a post (a plain message or a private tip)
    REFUSED = "refused"  # not a tip: marks that a sender over the limit was told once


#: The statuses a decision has been taken in (a card in them shows who took it).
DECIDED = (TipStatus.DRAFTED, TipStatus.APPROVED, TipStatus.DECLINED, TipStatus.DISMISSED)


@dataclass(frozen=True, slots=True)
class IncomingTip:
    """What a message offered as a tip carries, read off the update by the handler."""

    kind: TipKind
    chat_id: int
    message_id: int
    sender_id: int
    sender_name: str
    sender_username: str = ""
    sender_language: str = ""
    text: str = ""
    entities: tuple[Formatting, ...] = ()
    photo: Photo | None = None
    topic_id: int | None = None
    channel_id: int | None = None  # our channel row, for direct messages and suggested posts
    price_currency: str = ""
    price_amount: int = 0
    proposed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Tip:
    id: int
    kind: TipKind
    channel_id: int | None
    chat_id: int
    message_id: int
    topic_id: int | None
    sender_id: int
    sender_name: str
    sender_username: str
    sender_language: str
    text: str
    entities: tuple[Formatting, ...]
    photo: tuple[Photo, ...]
    price_currency: str
    price_amount: int
    proposed_at: datetime | None
    status: TipStatus
    decided_by: int | None
    decided_name: str
    decided_at: datetime | None
    comment: str
    send_at: datetime | None
    article_id: int | None
    replies: int
    card_chat_id: int | None
    card_message_id: int | None
    created_at: datetime

    @property
    def paid(self) -> bool:
        """A paid suggested post: Telegram forbids deleting it for 24 hours once published."""
        return self.price_amount > 0
