"""The people in the fake world: they write to the bot, forward posts and press buttons.

Each act stores the person's message like Telegram would and queues the update the bot then
receives by long polling or webhook.
"""

from __future__ import annotations

import re

from fakegram.records import JsonDict, PendingCallback, SentMessage
from fakegram.world import World

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")


class People:
    """Acting as people, mixed into :class:`~fakegram.server.FakeTelegram`."""

    world: World

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | str | None = None,
        reply_to_message_id: int | None = None,
        entities: list[JsonDict] | None = None,
    ) -> JsonDict:
        """The user writes ``text``; a leading /command gets its bot_command entity."""
        if entities is None:
            entities = []
            command = _COMMAND_RE.match(text)
            if command is not None:
                entities = [{"type": "bot_command", "offset": 0, "length": len(command.group())}]
        msg = self._incoming(user_id, chat_id, reply_to_message_id)
        msg.text = text
        msg.entities = list(entities)
        return self._push_message_update(msg)

    def send_photo(
        self,
        user_id: int,
        *,
        caption: str | None = None,
        caption_entities: list[JsonDict] | None = None,
        chat_id: int | str | None = None,
        media_group_id: str | None = None,
        width: int = 1280,
        height: int = 720,
        file_size: int = 150_000,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        """The user sends a photo (Telegram's sizes, with file_ids this server knows)."""
        msg = self._incoming(user_id, chat_id, reply_to_message_id)
        msg.photo = self.world.new_photo_set(width, height, file_size, None)
        msg.caption = caption
        msg.entities = list(caption_entities or [])
        msg.media_group_id = media_group_id
        return self._push_message_update(msg)

    def send_document(
        self,
        user_id: int,
        file_name: str,
        mime_type: str,
        *,
        chat_id: int | str | None = None,
        caption: str | None = None,
        file_size: int = 25_000,
        data: bytes | None = None,
    ) -> JsonDict:
        msg = self._incoming(user_id, chat_id, None)
        file = self.world.new_file("document", len(data) if data is not None else file_size, data)
        msg.extra["document"] = {
            "file_id": file.file_id,
            "file_unique_id": file.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": file.file_size,
        }
        msg.caption = caption
        return self._push_message_update(msg)

    def send_sticker(
        self, user_id: int, *, emoji: str = "👍", chat_id: int | str | None = None
    ) -> JsonDict:
        msg = self._incoming(user_id, chat_id, None)
        msg.extra["sticker"] = self.world.new_sticker(emoji)
        return self._push_message_update(msg)

    def forward_channel_post(
        self,
        user_id: int,
        *,
        channel_id: int,
        channel_username: str | None,
        channel_title: str,
        message_id: int,
        text: str | None = None,
        caption: str | None = None,
        photo: bool = False,
        entities: list[JsonDict] | None = None,
        author_signature: str | None = None,
        date: int | None = None,
    ) -> JsonDict:
        """The user forwards a post of some channel to the bot (``forward_origin`` channel)."""
        msg = self._incoming(user_id, None, None)
        chat: JsonDict = {"id": channel_id, "type": "channel", "title": channel_title}
        if channel_username is not None:
            chat["username"] = channel_username
        origin: JsonDict = {
            "type": "channel",
            "date": date if date is not None else msg.date - 60,
            "chat": chat,
            "message_id": message_id,
        }
        if author_signature is not None:
            origin["author_signature"] = author_signature
        msg.forward_origin = origin
        if photo:
            msg.photo = self.world.new_photo_set(1280, 720, 150_000, None)
            msg.caption = caption if caption is not None else text
        else:
            msg.text = text if text is not None else (caption or "")
        msg.entities = list(entities or [])
        return self._push_message_update(msg)

    def send_edited_message(
        self, user_id: int, *, message_id: int, text: str, chat_id: int | str | None = None
    ) -> JsonDict:
        """The user edits one of their messages: an ``edited_message`` update."""
        msg = self.world.message(chat_id if chat_id is not None else user_id, message_id)
        msg.edits.append(self.world.snapshot(msg, "user"))
        msg.text = text
        msg.edit_date = self.world.now()
        payload = self.world.message_dict(msg)
        self.world.push_update({"edited_message": payload})
        return payload

    def send_channel_post(
        self,
        chat_id: int | str,
        text: str | None = None,
        *,
        caption: str | None = None,
        photo: bool = False,
        author_signature: str | None = None,
    ) -> JsonDict:
        """An admin posts in a channel by hand: a ``channel_post`` update."""
        chat = self.world.chat(chat_id)
        msg = self.world.new_message(chat, "channel", outgoing=False)
        if photo:
            msg.photo = self.world.new_photo_set(1280, 720, 150_000, None)
            msg.caption = caption
        else:
            msg.text = text or ""
        if author_signature is not None:
            msg.extra["author_signature"] = author_signature
        payload = self.world.message_dict(msg)
        self.world.push_update({"channel_post": payload})
        return payload

    def press_button(
        self, user_id: int, *, chat_id: int | str, message_id: int, data: str, check: bool = True
    ) -> str:
        """The user presses an inline button; returns the callback query id.

        With ``check`` the message must currently show a button with this callback_data, as in
        a real client (catches tests pressing buttons that are not there).
        """
        world = self.world
        msg = world.message(chat_id, message_id)
        if check and not any(b.get("callback_data") == data for b in msg.buttons):
            raise ValueError(f"message {chat_id}/{message_id} has no button with data {data!r}")
        query_id = f"{world.bot.id}{next(world.callback_counter):09d}"
        world.callbacks[query_id] = PendingCallback(user_id, data)
        world.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": world.user(user_id).to_dict(),
                    "message": world.message_dict(msg),
                    "chat_instance": str(abs(msg.chat_id) * 7919 % 10**15),
                    "data": data,
                }
            }
        )
        return query_id

    def send_raw_update(self, update: JsonDict) -> JsonDict:
        """Queue any update dict (an ``update_id`` is assigned when it has none)."""
        body = {k: v for k, v in update.items() if k != "update_id"}
        return self.world.push_update(body, update.get("update_id"))

    def _incoming(
        self, user_id: int, chat_id: int | str | None, reply_to_message_id: int | None
    ) -> SentMessage:
        self.world.user(user_id)
        chat = self.world.chat(chat_id if chat_id is not None else user_id)
        msg = self.world.new_message(chat, "user", outgoing=False)
        msg.from_user_id = user_id
        msg.reply_to_message_id = reply_to_message_id
        return msg

    def _push_message_update(self, msg: SentMessage) -> JsonDict:
        payload = self.world.message_dict(msg)
        self.world.push_update({"message": payload})
        return payload
