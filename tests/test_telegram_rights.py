"""The one channel-rights check: an administrator who may both post and edit messages."""

from __future__ import annotations

import pytest
from aiogram.types import ChatMemberAdministrator, ChatMemberMember, ChatMemberOwner, User

from bot.telegram.rights import can_publish

BOT = User(id=42, is_bot=True, first_name="bot")
_FLAGS: dict[str, object] = dict.fromkeys(
    (
        "can_be_edited",
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
    ),
    False,
)


def _admin(*, post: bool | None, edit: bool | None) -> ChatMemberAdministrator:
    fields = {**_FLAGS, "user": BOT, "can_post_messages": post, "can_edit_messages": edit}
    return ChatMemberAdministrator.model_validate(fields)


@pytest.mark.parametrize(
    ("post", "edit", "expected"),
    [(True, True, True), (True, False, False), (False, True, False), (None, None, False)],
)
def test_an_administrator_needs_both_post_and_edit(
    post: bool | None, edit: bool | None, expected: bool
) -> None:
    assert can_publish(_admin(post=post, edit=edit)) is expected


def test_other_memberships_cannot_publish() -> None:
    assert not can_publish(ChatMemberMember(user=BOT))
    assert not can_publish(ChatMemberOwner(user=BOT, is_anonymous=False))
