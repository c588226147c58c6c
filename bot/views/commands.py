"""The command catalogue: one list feeds /help, the Telegram command menus and the routers.

Each command is named once here; handlers register with ``SHOW.filter()`` and the menus are
built from the same entries, so a command cannot be in a menu without a handler or the other
way round (tests/test_reliability_inputs.py checks it). Descriptions are marked with ``__``
(lazy gettext) so they are translated when rendered: /help in the reader's language, and
setMyCommands once per language.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.filters import Command as CommandFilter
from aiogram.types import BotCommand
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

    def filter(self) -> CommandFilter:
        """The router filter for this command (a fresh one: filters belong to one handler)."""
        return CommandFilter(self.name)


START = Command("start", "", __("Start and see what you can do"), Role.EDITOR)
HELP = Command("help", "", __("List the commands"), Role.EDITOR)
NEW = Command("new", "", __("Write an article step by step"), Role.EDITOR)
IMPORT = Command("import", "URL", __("Import an article from a web page"), Role.EDITOR)
DRAFTS = Command("drafts", "", __("My drafts"), Role.EDITOR)
SHOW = Command("show", "N", __("Show article N as it will be posted"), Role.EDITOR)
EDIT = Command("edit", "N FIELD VALUE", __("Change a field of article N"), Role.EDITOR)
SUBMIT = Command("submit", "N", __("Send article N for review"), Role.EDITOR)
DELETE = Command("delete", "N", __("Delete draft N"), Role.EDITOR)
HISTORY = Command("history", "N", __("What happened to article N"), Role.EDITOR)
QUEUE = Command("queue", "", __("Pending review and scheduled posts"), Role.EDITOR, True)
MYSOURCE = Command(
    "mysource", "NAME|-", __("My default source for copy that names none"), Role.EDITOR
)
CANCEL = Command("cancel", "", __("Cancel the current dialog"), Role.EDITOR)
PUBLISH = Command("publish", "N", __("Publish article N now"), Role.ADMIN, True)
SCHEDULE = Command(
    "schedule",
    "N WHEN",
    __("Schedule article N (09:00, +2h, tomorrow 09:00)"),
    Role.ADMIN,
    True,
)
QUEUE_ADD = Command(
    "queue_add", "N", __("Put article N into the next free slot"), Role.ADMIN, True
)
UNSCHEDULE = Command("unschedule", "N", __("Cancel the schedule of article N"), Role.ADMIN, True)
REJECT = Command("reject", "N REASON", __("Reject article N with a reason"), Role.ADMIN, True)
UNPUBLISH = Command(
    "unpublish", "N", __("Delete the channel posts of article N"), Role.ADMIN, True
)
EDITORS = Command("editors", "add|remove ID", __("Manage editors"), Role.ADMIN, True)
CHANNELS = Command("channels", "", __("List channels"), Role.ADMIN, True)
CHANNEL_ADD = Command("channel_add", "@name", __("Register a channel"), Role.ADMIN, True)
SLOTS = Command("slots", "09:00 12:00 ...", __("Set the queue slots"), Role.ADMIN, True)
QUIET = Command(
    "quiet", "[@channel] 23:00-07:00|off", __("Post silently at night"), Role.ADMIN, True
)
TEMPLATE = Command(
    "template", "[@channel] KEY VALUE", __("How a channel's posts look"), Role.ADMIN, True
)
EMBARGO = Command(
    "embargo", "N WHEN|off", __("Not before this time, whatever happens"), Role.ADMIN
)
BREAKING = Command("breaking", "N", __("Breaking news: N jumps the queue"), Role.ADMIN, True)
PAUSE = Command("pause", "", __("Stop all publishing"), Role.ADMIN, True)
RESUME = Command("resume", "", __("Resume publishing"), Role.ADMIN, True)
FEEDS = Command("feeds", "", __("List feeds"), Role.ADMIN, True)
FEED_ADD = Command(
    "feed_add", "URL [review|auto]", __("Follow an RSS/Atom feed"), Role.ADMIN, True
)
FEED_REMOVE = Command("feed_remove", "ID", __("Stop following a feed"), Role.ADMIN, True)

# In this order in /help and in the menus.
COMMANDS: tuple[Command, ...] = (
    START,
    HELP,
    NEW,
    IMPORT,
    DRAFTS,
    SHOW,
    EDIT,
    SUBMIT,
    DELETE,
    HISTORY,
    QUEUE,
    MYSOURCE,
    CANCEL,
    PUBLISH,
    SCHEDULE,
    QUEUE_ADD,
    UNSCHEDULE,
    REJECT,
    UNPUBLISH,
    EDITORS,
    CHANNELS,
    CHANNEL_ADD,
    SLOTS,
    QUIET,
    TEMPLATE,
    EMBARGO,
    BREAKING,
    PAUSE,
    RESUME,
    FEEDS,
    FEED_ADD,
    FEED_REMOVE,
)


def skip_filter() -> CommandFilter:
    """/skip: an answer inside the /new dialog ("no photo", "no source"), not a command of its
    own, so it is in no menu and not in /help."""
    return CommandFilter("skip")


def commands_for(role: Role) -> tuple[Command, ...]:
    return tuple(c for c in COMMANDS if c.role <= role)


def menu(role: Role, *, admin_chat: bool = False) -> list[BotCommand]:
    """The setMyCommands list for ``role`` (in the current locale); the admin chat's menu has
    only the commands meant for it."""
    return [
        BotCommand(command=c.name, description=str(c.description))
        for c in commands_for(role)
        if c.admin_chat or not admin_chat
    ]
