"""Chats and their members: getChat, getChatMember (the bot's own rights included),
sendChatAction."""

from __future__ import annotations

from fakegram.errors import bad
from fakegram.methods.base import Family, accepted
from fakegram.params import Handler, Params
from fakegram.records import Chat, JsonDict

_ADMIN_RIGHTS_FALSE = (
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
)


class ChatMethods(Family):
    def table(self) -> dict[str, Handler]:
        return {
            "getchat": self.get_chat,
            "getchatmember": self.get_chat_member,
            "sendchataction": accepted,
        }

    async def get_chat(self, params: Params) -> JsonDict:
        chat = self.world.chat(params.required("chat_id"))
        return {
            **chat.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def get_chat_member(self, params: Params) -> JsonDict:
        chat = self.world.chat(params.required("chat_id"))
        user_id = params.required_int("user_id")
        if user_id == self.world.bot.id:
            return self._bot_member(chat)
        known = self.world.users.get(user_id)
        if known is None:
            raise bad("user not found")
        user = known.to_dict()
        if chat.type == "private":
            return {"status": "member", "user": user}
        status = chat.members.get(user_id, {}).get("status", "left")
        if status == "administrator":
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                **dict.fromkeys(_ADMIN_RIGHTS_FALSE, False),
                "can_manage_chat": True,
                "can_post_messages": True,
                "can_edit_messages": True,
            }
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        return {"status": status, "user": user}

    def _bot_member(self, chat: Chat) -> JsonDict:
        """The bot's own membership: in a channel, an administrator with the chat's rights."""
        user = self.world.bot.to_dict()
        if not chat.bot_member:
            return {"status": "left", "user": user}
        if chat.type == "channel":
            rights: JsonDict = dict.fromkeys(_ADMIN_RIGHTS_FALSE, False)
            rights["can_delete_messages"] = chat.can_delete
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                **rights,
                "can_manage_chat": True,
                "can_post_messages": chat.can_post,
                "can_edit_messages": chat.can_edit,
            }
        return {"status": "member", "user": user}
