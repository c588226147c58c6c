"""The command catalogue: one list feeds /help and the Telegram command menus.

Descriptions are marked with ``__`` (lazy gettext) so they are translated when rendered, for
/help in the reader's language and for setMyCommands once per language.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy

from bot.roles import Role


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    args: str
    description: LazyProxy
    role: Role
    admin_chat: bool = False  # shown in the admin chat's menu (review commands)


COMMANDS: tuple[Command, ...] = (
    Command("start", "", __("Start and see what you can do"), Role.EDITOR),
    Command("help", "", __("List the commands"), Role.EDITOR),
    Command("new", "", __("Write an article step by step"), Role.EDITOR),
    Command("import", "URL", __("Import an article from a web page"), Role.EDITOR),
    Command("drafts", "", __("My drafts"), Role.EDITOR),
    Command("show", "N", __("Show article N as it will be posted"), Role.EDITOR),
    Command("edit", "N FIELD VALUE", __("Change a field of article N"), Role.EDITOR),
    Command("submit", "N", __("Send article N for review"), Role.EDITOR),
    Command("delete", "N", __("Delete draft N"), Role.EDITOR),
    Command("history", "N", __("What happened to article N"), Role.EDITOR),
    Command("queue", "", __("Pending review and scheduled posts"), Role.EDITOR, True),
    Command("cancel", "", __("Cancel the current dialog"), Role.EDITOR),
    Command("publish", "N", __("Publish article N now"), Role.ADMIN, True),
    Command(
        "schedule",
        "N WHEN",
        __("Schedule article N (09:00, +2h, tomorrow 09:00)"),
        Role.ADMIN,
        True,
    ),
    Command("queue_add", "N", __("Put article N into the next free slot"), Role.ADMIN, True),
    Command("unschedule", "N", __("Cancel the schedule of article N"), Role.ADMIN, True),
    Command("reject", "N REASON", __("Reject article N with a reason"), Role.ADMIN, True),
    Command("unpublish", "N", __("Delete the channel posts of article N"), Role.ADMIN, True),
    Command("editors", "add|remove ID", __("Manage editors"), Role.ADMIN, True),
    Command("channels", "", __("List channels"), Role.ADMIN, True),
    Command("channel_add", "@name", __("Register a channel"), Role.ADMIN, True),
    Command("slots", "09:00 12:00 ...", __("Set the queue slots"), Role.ADMIN, True),
    Command("quiet", "[@channel] 23:00-07:00|off", __("Post silently at night"), Role.ADMIN, True),
    Command(
        "template", "[@channel] KEY VALUE", __("How a channel's posts look"), Role.ADMIN, True
    ),
    Command("embargo", "N WHEN|off", __("Not before this time, whatever happens"), Role.ADMIN),
    Command("breaking", "N", __("Breaking news: N jumps the queue"), Role.ADMIN, True),
    Command("pause", "", __("Stop all publishing"), Role.ADMIN, True),
    Command("resume", "", __("Resume publishing"), Role.ADMIN, True),
    Command("feeds", "", __("List feeds"), Role.ADMIN, True),
    Command("feed_add", "URL [review|auto]", __("Follow an RSS/Atom feed"), Role.ADMIN, True),
    Command("feed_remove", "ID", __("Stop following a feed"), Role.ADMIN, True),
)


def commands_for(role: Role) -> tuple[Command, ...]:
    return tuple(c for c in COMMANDS if c.role <= role)
