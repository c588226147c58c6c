"""A channel's audience reacting to posts: ``message_reaction_count`` updates, as Telegram sends
them.

What Telegram does, and so what this does:

- the counts are anonymous and per message: each update carries the whole list of reactions
  now on the message (``reactions``, each ``{"type": …, "total_count": n}``), not the change;
- they come only to a bot that is an administrator of the channel, and only when the bot named
  ``message_reaction_count`` in ``allowed_updates`` (the world's delivery drops them otherwise);
- they are grouped (several messages' counts at once) and late, so an update can carry a
  ``date`` older than one already delivered for the same message.

Anything can be reacted to here, also a message the bot never posted or a channel the bot knows
nothing of: the bot must take those calmly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fakegram.records import JsonDict
from fakegram.world import World

Counts = Mapping[str, int]  # "👍" -> 3; "custom:<id>" for a custom emoji, "paid" for stars


def reaction_type(key: str) -> JsonDict:
    """The ReactionType object for a key ("👍", "custom:5368324170671202286", "paid")."""
    if key == "paid":
        return {"type": "paid"}
    if key.startswith("custom:"):
        return {"type": "custom_emoji", "custom_emoji_id": key.removeprefix("custom:")}
    return {"type": "emoji", "emoji": key}


class Audience:
    """The subscribers' reactions, mixed into :class:`~fakegram.server.FakeTelegram`."""

    world: World

    def reaction_counts(
        self, chat_id: int, message_id: int, counts: Counts, *, date: int | None = None
    ) -> JsonDict | None:
        """Queue the counts now on one message of a channel; returns the update, or None when
        Telegram would send nothing (a known channel where the bot is not an admin)."""
        updates = self.reaction_batch(chat_id, {message_id: counts}, date=date)
        return updates[0] if updates else None

    def reaction_batch(
        self, chat_id: int, counts: Mapping[int, Counts], *, date: int | None = None
    ) -> list[JsonDict]:
        """Several messages' counts at once, as Telegram groups them (one update each, queued
        together); ``date`` defaults to now, an older one is a late update."""
        world = self.world
        chat = world.chats.get(chat_id)
        if chat is not None and not chat.bot_member:
            return []  # only a channel's admins hear of its reactions
        chat_dict = (
            chat.to_dict()
            if chat is not None
            else {"id": chat_id, "type": "channel", "title": f"Channel {chat_id}"}
        )
        when = world.now() if date is None else date
        return [
            world.push_update(
                {
                    "message_reaction_count": {
                        "chat": chat_dict,
                        "message_id": message_id,
                        "date": when,
                        "reactions": _reactions(per_message.items()),
                    }
                }
            )
            for message_id, per_message in counts.items()
        ]


def _reactions(counts: Iterable[tuple[str, int]]) -> list[JsonDict]:
    # Telegram lists the present reactions only, the most used first.
    present = sorted(((k, n) for k, n in counts if n > 0), key=lambda item: -item[1])
    return [{"type": reaction_type(k), "total_count": n} for k, n in present]
