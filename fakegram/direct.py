"""Subscribers writing to a channel's direct messages, and suggesting posts there (Bot API 9.2).

Mixed into :class:`~fakegram.server.FakeTelegram` beside ``Scene`` and ``People``: a channel
gets a direct messages chat (``enable_direct_messages``), and a person writes into their own
topic of it (``send_direct_message``), optionally as a suggested post with a price and a date.
"""

from __future__ import annotations

from fakegram.methods.suggested import publish_suggested
from fakegram.records import Chat, JsonDict, SentMessage
from fakegram.world import World


class DirectMessages:
    """Acting as subscribers of a channel, mixed into :class:`~fakegram.server.FakeTelegram`."""

    world: World

    def enable_direct_messages(
        self, channel_id: int | str, *, chat_id: int | None = None, can_manage: bool = True
    ) -> JsonDict:
        """The channel takes direct messages; the bot may manage them (``can_manage``)."""
        channel = self.world.chat(channel_id)
        dm_id = chat_id if chat_id is not None else channel.id - 1_000_000
        chat = Chat(dm_id, "supergroup", title=channel.title, is_direct_messages=True)
        chat.parent_id = channel.id
        self.world.chats[dm_id] = chat
        self.world.messages.setdefault(dm_id, {})
        channel.direct_messages_id = dm_id
        channel.can_manage_direct_messages = can_manage
        return chat.to_dict()

    def set_direct_messages_rights(self, channel_id: int | str, *, can_manage: bool) -> None:
        self.world.chat(channel_id).can_manage_direct_messages = can_manage

    def direct_chat_id(self, channel_id: int | str) -> int:
        dm_id = self.world.chat(channel_id).direct_messages_id
        if dm_id is None:
            raise KeyError(f"channel {channel_id} takes no direct messages")
        return dm_id

    def send_direct_message(
        self,
        user_id: int,
        channel_id: int | str,
        text: str | None = None,
        *,
        photo: bool = False,
        caption: str | None = None,
        entities: list[JsonDict] | None = None,
        sticker: bool = False,
        suggested: bool = False,
        price: tuple[str, int] | None = None,
        send_date: int | None = None,
    ) -> JsonDict:
        """``user_id`` writes to the channel's direct messages (their own topic); with
        ``suggested`` the message is a suggested post (``price``: ("XTR", 100))."""
        chat = self.world.chat(self.direct_chat_id(channel_id))
        user = self.world.user(user_id)
        msg = self.world.new_message(chat, "user", outgoing=False)
        msg.from_user_id = user_id
        msg.extra["direct_messages_topic"] = {"topic_id": user_id, "user": user.to_dict()}
        if photo:
            msg.photo = self.world.new_photo_set(1280, 720, 150_000, None)
            msg.caption = caption if caption is not None else text
        elif sticker:
            msg.extra["sticker"] = self.world.new_sticker("👍")
        else:
            msg.text = text or ""
        msg.entities = list(entities or [])
        if suggested:
            info: JsonDict = {"state": "pending"}
            if price is not None:
                info["price"] = {"currency": price[0], "amount": price[1]}
            if send_date is not None:
                info["send_date"] = send_date
            msg.extra["suggested_post_info"] = info
        payload = self.world.message_dict(msg)
        self.world.push_update({"message": payload})
        return payload

    def suggested_state(self, channel_id: int | str, message_id: int) -> str:
        """``pending`` / ``approved`` / ``declined`` of a suggested post."""
        msg = self.world.message(self.direct_chat_id(channel_id), message_id)
        return str(msg.extra["suggested_post_info"]["state"])

    def publish_due_suggested(self) -> list[SentMessage]:
        """Telegram publishes the approved suggested posts whose send date has come."""
        now = self.world.now()
        due = [entry for entry in self.world.suggested_due if entry[0] <= now]
        self.world.suggested_due = [e for e in self.world.suggested_due if e[0] > now]
        published = []
        for _date, chat_id, message_id in due:
            chat = self.world.chats[chat_id]
            published.append(
                publish_suggested(self.world, chat, self.world.message(chat_id, message_id))
            )
        return published
