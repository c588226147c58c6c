"""The Bot API methods the fake server knows, by family."""

from __future__ import annotations

from fakegram.methods.callbacks import CallbackMethods
from fakegram.methods.chats import ChatMethods
from fakegram.methods.commands import CommandMethods
from fakegram.methods.edits import EditMethods
from fakegram.methods.media import MediaMethods
from fakegram.methods.messages import MessageMethods
from fakegram.methods.rich import RichMethods
from fakegram.methods.suggested import SuggestedMethods
from fakegram.methods.updates import UpdateMethods
from fakegram.params import Handler
from fakegram.webhook import Webhook
from fakegram.world import World

__all__ = ["method_table"]


def method_table(world: World, webhook: Webhook) -> dict[str, Handler]:
    """Every method by its lower-case name (Telegram's method names are case-insensitive)."""
    table: dict[str, Handler] = {}
    edits = EditMethods(world)
    for family in (
        UpdateMethods(world, webhook),
        MessageMethods(world),
        MediaMethods(world),
        edits,
        # After the edits: its editMessageText takes the rich edits, and hands the others on.
        RichMethods(world, edits),
        CallbackMethods(world),
        CommandMethods(world),
        ChatMethods(world),
        # Last: it wraps sendMessage, getChat, getChatMember and deleteMessage for channel
        # direct messages (and answers exactly as they do for every other chat).
        SuggestedMethods(world),
    ):
        table.update(family.table())
    table.update(webhook.table())
    return table
