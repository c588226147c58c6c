"""Setting the scene: the people, channels and groups a test's world starts with."""

from __future__ import annotations

from collections.abc import Iterable

from fakegram.records import Chat, JsonDict, User
from fakegram.world import World


class Scene:
    """World set-up, mixed into :class:`~fakegram.server.FakeTelegram`."""

    world: World

    @property
    def bot_user(self) -> JsonDict:
        return self.world.bot.to_dict()

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        language_code: str | None = "en",
        username: str | None = None,
        last_name: str | None = None,
    ) -> JsonDict:
        """A person who has started the bot (so the bot may write to them); returns the User."""
        user = User(user_id, first_name, username=username, language_code=language_code)
        user.last_name = last_name
        self.world.users[user_id] = user
        self.world.chats[user_id] = Chat(
            user_id, "private", username=username, first_name=first_name, last_name=last_name
        )
        self.world.messages.setdefault(user_id, {})
        return user.to_dict()

    def block_bot(self, user_id: int, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: sends then fail with 403."""
        self.world.chat(user_id).blocked = blocked

    def add_channel(
        self,
        chat_id: int,
        *,
        title: str,
        username: str | None = None,
        can_post: bool = True,
        can_edit: bool = True,
        can_delete: bool = True,
        member: bool = True,
        admins: Iterable[int] = (),
    ) -> JsonDict:
        """A channel; the bot is an administrator with the given rights (``member=False``: the
        bot is not in it). ``admins`` are users reported as administrators by getChatMember."""
        chat = Chat(
            chat_id,
            "channel",
            title=title,
            username=username,
            can_post=can_post,
            can_edit=can_edit,
            can_delete=can_delete,
            bot_member=member,
        )
        for user_id in admins:
            chat.members[user_id] = {"status": "administrator"}
        self.world.chats[chat_id] = chat
        self.world.messages.setdefault(chat_id, {})
        return chat.to_dict()

    def set_channel_rights(
        self,
        chat_id: int | str,
        *,
        can_post: bool | None = None,
        can_edit: bool | None = None,
        can_delete: bool | None = None,
        member: bool | None = None,
    ) -> None:
        chat = self.world.chat(chat_id)
        if can_post is not None:
            chat.can_post = can_post
        if can_edit is not None:
            chat.can_edit = can_edit
        if can_delete is not None:
            chat.can_delete = can_delete
        if member is not None:
            chat.bot_member = member

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        supergroup: bool = True,
        members: Iterable[int] = (),
        admins: Iterable[int] = (),
        username: str | None = None,
    ) -> JsonDict:
        """A group the bot is a member of."""
        chat = Chat(
            chat_id, "supergroup" if supergroup else "group", title=title, username=username
        )
        for user_id in members:
            chat.members[user_id] = {"status": "member"}
        for user_id in admins:
            chat.members[user_id] = {"status": "administrator"}
        self.world.chats[chat_id] = chat
        self.world.messages.setdefault(chat_id, {})
        return chat.to_dict()

    def set_chat_member(self, chat_id: int | str, user_id: int, status: str) -> None:
        """What getChatMember reports for a user: creator/administrator/member/left/kicked."""
        self.world.chat(chat_id).members[user_id] = {"status": status}

    def add_photo_url(
        self, url: str, *, width: int = 1280, height: int = 720, file_size: int = 150_000
    ) -> None:
        """Describe what an http(s) photo URL serves (unregistered URLs serve 1280x720)."""
        self.world.url_photos[url] = (width, height, file_size)

    def mark_url_unfetchable(self, url: str) -> None:
        """Telegram cannot download this URL: sendPhoto answers 400 wrong file identifier."""
        self.world.unfetchable.add(url)
