"""Whether the bot may publish in a channel: the one rights check, at start-up and on /channel_add.

Publishing needs "Post messages" (sending) and "Edit messages of others" (corrections, the
"updated" mark). Only an administrator's membership carries these flags (a bot cannot own a
channel), so any other kind of membership is a no.
"""

from __future__ import annotations

from aiogram.types import ChatMemberAdministrator, ResultChatMemberUnion

__all__ = ["can_publish"]


def can_publish(member: ResultChatMemberUnion) -> bool:
    """The bot's membership lets it post and edit messages in the channel."""
    return (
        isinstance(member, ChatMemberAdministrator)
        and bool(member.can_post_messages)
        and bool(member.can_edit_messages)
    )
