"""Channel direct messages and suggested posts (Bot API 9.2): approveSuggestedPost,
declineSuggestedPost, and what the direct messages chat changes in sendMessage, getChat,
getChatMember and deleteMessage.

The checks are the ones https://core.telegram.org/bots/api documents: approving needs the
bot's ``can_post_messages`` in the channel, declining its ``can_manage_direct_messages``; a
send date at most 2678400 seconds ahead; a decline comment of 0-128 characters; only a pending
suggested post can be decided; a message to a direct messages chat needs its
``direct_messages_topic_id``; a paid post must not be deleted for 24 hours. The error texts are
the fake's own wording (Telegram does not document them), each a 400 "Bad Request: ...".

The methods that exist elsewhere are wrapped, not rewritten: for any other chat they answer
exactly as before.
"""

from __future__ import annotations

from fakegram.errors import bad
from fakegram.methods.base import Family
from fakegram.methods.chats import ChatMethods
from fakegram.methods.edits import EditMethods
from fakegram.methods.messages import MessageMethods
from fakegram.params import Handler, Params
from fakegram.records import Chat, JsonDict, SentMessage
from fakegram.world import World

# "the date must be not more than 2678400 seconds (30 days) in the future"
SEND_DATE_WINDOW = 2_678_400
# "Comment for the creator of the suggested post; 0-128 characters"
COMMENT_MAX = 128
# "such posts must not be deleted for 24 hours to receive the payment"
PAID_POST_KEEP = 24 * 3600
# How far in the past a send date may be (clock skew between the bot and Telegram).
PAST_SLACK = 60


class SuggestedMethods(Family):
    def __init__(self, world: World) -> None:
        super().__init__(world)
        self._messages = MessageMethods(world)
        self._chats = ChatMethods(world)
        self._edits = EditMethods(world)

    def table(self) -> dict[str, Handler]:
        return {
            "approvesuggestedpost": self.approve_suggested_post,
            "declinesuggestedpost": self.decline_suggested_post,
            "sendmessage": self.send_message,
            "getchat": self.get_chat,
            "getchatmember": self.get_chat_member,
            "deletemessage": self.delete_message,
        }

    # --- the direct messages chat and its channel ------------------------------------------

    def _direct(self, chat_id: str) -> tuple[Chat, Chat]:
        chat = self.world.chat(chat_id)
        if not chat.is_direct_messages or chat.parent_id is None:
            raise bad("the chat is not a channel direct messages chat")
        return chat, self.world.chats[chat.parent_id]

    def _pending(self, chat: Chat, params: Params) -> tuple[SentMessage, JsonDict]:
        msg = self.world.messages.get(chat.id, {}).get(params.required_int("message_id"))
        if msg is None or msg.deleted:
            raise bad("message not found")
        info = msg.extra.get("suggested_post_info")
        if not isinstance(info, dict):
            raise bad("the message is not a suggested post")
        if info.get("state") != "pending":
            raise bad(f"the suggested post was already {info.get('state')}")
        return msg, info

    async def approve_suggested_post(self, params: Params) -> bool:
        chat, channel = self._direct(params.required("chat_id"))
        if not channel.bot_member or not channel.can_post:
            raise bad("not enough rights to approve the suggested post")
        msg, info = self._pending(chat, params)
        now = self.world.now()
        send_date = params.opt_int("send_date")
        if send_date is not None:
            if send_date > now + SEND_DATE_WINDOW:
                raise bad("the send date is too far in the future")
            if send_date < now - PAST_SLACK:
                raise bad("the send date is in the past")
        due = send_date if send_date is not None else int(info.get("send_date") or now)
        info["state"] = "approved"
        self._service(chat, channel, "suggested_post_approved", msg, send_date=due)
        if due <= now:
            publish_suggested(self.world, chat, msg)
        else:
            self.world.suggested_due.append((due, chat.id, msg.message_id))
        self.world.changed()
        return True

    async def decline_suggested_post(self, params: Params) -> bool:
        chat, channel = self._direct(params.required("chat_id"))
        if not channel.bot_member or not channel.can_manage_direct_messages:
            raise bad("not enough rights to decline the suggested post")
        comment = params.opt("comment") or ""
        if len(comment) > COMMENT_MAX:
            raise bad("the comment is too long")
        msg, info = self._pending(chat, params)
        info["state"] = "declined"
        self._service(chat, channel, "suggested_post_declined", msg, comment=comment or None)
        self.world.changed()
        return True

    def _service(
        self, chat: Chat, channel: Chat, kind: str, post: SentMessage, **fields: object
    ) -> None:
        """The service message Telegram adds to the direct messages chat, as an update."""
        service = self.world.new_message(chat, "service", outgoing=False)
        service.service = True
        body: JsonDict = {
            "suggested_post_message": self.world.message_dict(post, with_reply=False)
        }
        body.update({k: v for k, v in fields.items() if v is not None})
        service.extra = {"sender_chat": channel.to_dict(), kind: body}
        self.world.push_update({"message": self.world.message_dict(service)})

    # --- wrapped methods: unchanged for every other chat -------------------------------------

    async def send_message(self, params: Params) -> JsonDict:
        chat = self.world.chats.get(_int_or_none(params.opt("chat_id")) or 0)
        if chat is None or not chat.is_direct_messages or chat.parent_id is None:
            return await self._messages.send_message(params)
        channel = self.world.chats[chat.parent_id]
        if not channel.bot_member or not channel.can_manage_direct_messages:
            raise bad("not enough rights to send messages to the direct messages chat")
        topic_id = params.opt_int("direct_messages_topic_id")
        if topic_id is None:
            raise bad("direct messages topic must be specified")
        topic = _topic(self.world, chat, topic_id)
        if topic is None:
            raise bad("direct messages topic not found")
        sent = await self._messages.send_message(params)
        msg = self.world.messages[chat.id][int(sent["message_id"])]
        # In a channel's direct messages the bot writes as the channel, in the sender's topic.
        msg.extra["direct_messages_topic"] = topic
        msg.extra["sender_chat"] = channel.to_dict()
        return self.world.message_dict(msg)

    async def get_chat(self, params: Params) -> JsonDict:
        out = await self._chats.get_chat(params)
        chat = self.world.chat(params.required("chat_id"))
        if chat.is_direct_messages and chat.parent_id is not None:
            out["parent_chat"] = self.world.chats[chat.parent_id].to_dict()
        return out

    async def get_chat_member(self, params: Params) -> JsonDict:
        out = await self._chats.get_chat_member(params)
        chat = self.world.chat(params.required("chat_id"))
        bot = params.required_int("user_id") == self.world.bot.id
        if bot and chat.type == "channel" and out.get("status") == "administrator":
            out["can_manage_direct_messages"] = chat.can_manage_direct_messages
        return out

    async def delete_message(self, params: Params) -> bool:
        chat = self.world.chats.get(_int_or_none(params.opt("chat_id")) or 0)
        msg_id = _int_or_none(params.opt("message_id"))
        msg = self.world.messages.get(chat.id, {}).get(msg_id or 0) if chat else None
        paid = msg is not None and bool(msg.extra.get("is_paid_post"))
        if paid and msg is not None and self.world.now() - msg.date < PAID_POST_KEEP:
            raise bad("message can't be deleted: a paid post must be kept for 24 hours")
        return await self._edits.delete_message(params)


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _topic(world: World, chat: Chat, topic_id: int) -> JsonDict | None:
    """The topic of the direct messages chat with this id, as a message carries it."""
    for msg in world.messages.get(chat.id, {}).values():
        topic = msg.extra.get("direct_messages_topic")
        if isinstance(topic, dict) and topic.get("topic_id") == topic_id:
            return topic
    return None


def publish_suggested(world: World, chat: Chat, post: SentMessage) -> SentMessage:
    """Telegram publishes an approved suggested post in the channel: a ``channel_post``."""
    assert chat.parent_id is not None
    channel = world.chats[chat.parent_id]
    msg = world.new_message(channel, "suggested", outgoing=False)
    msg.text, msg.caption, msg.photo = post.text, post.caption, list(post.photo)
    msg.entities = list(post.entities)
    info = post.extra.get("suggested_post_info") or {}
    if info.get("price"):
        msg.extra["is_paid_post"] = True
    world.push_update({"channel_post": world.message_dict(msg)})
    return msg
