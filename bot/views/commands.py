"""The command catalogue: one list feeds /help, the Telegram command menus and the routers.

Each command is named once here; handlers register with ``SHOW.filter()`` and the menus are
built from the same entries, so a command cannot be in a menu without a handler or the other
way round (tests/test_reliability_inputs.py checks it). Descriptions are marked with ``__``
(lazy gettext) so they are translated when rendered: /help in the reader's language, and
setMyCommands once per language.
"""

from __future__ import annotations

import re
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


def _admin(name: str, args: str, description: LazyProxy, *, admin_chat: bool = True) -> Command:
    """An admin's command: in the admin chat's menu too, unless it is not for reviewing there."""
    return Command(name, args, description, Role.ADMIN, admin_chat)


PUBLISH = _admin("publish", "N", __("Publish article N now"))
SCHEDULE = _admin("schedule", "N WHEN", __("Schedule article N (09:00, +2h, tomorrow 09:00)"))
QUEUE_ADD = _admin("queue_add", "N", __("Put article N into the next free slot"))
UNSCHEDULE = _admin("unschedule", "N", __("Cancel the schedule of article N"))
REJECT = _admin("reject", "N REASON", __("Reject article N with a reason"))
UNPUBLISH = _admin("unpublish", "N", __("Delete the channel posts of article N"))
EDITORS = _admin("editors", "add|remove ID", __("Manage editors"))
CHANNELS = _admin("channels", "", __("List channels"))
CHANNEL_ADD = _admin("channel_add", "@name", __("Register a channel"))
SLOTS = _admin("slots", "09:00 12:00 ...", __("Set the queue slots"))
QUIET = _admin("quiet", "[@channel] 23:00-07:00|off", __("Post silently at night"))
TEMPLATE = _admin("template", "[@channel] KEY VALUE", __("How a channel's posts look"))
EMBARGO = _admin(
    "embargo", "N WHEN|off", __("Not before this time, whatever happens"), admin_chat=False
)
BREAKING = _admin("breaking", "N", __("Breaking news: N jumps the queue"))
PAUSE = _admin("pause", "", __("Stop all publishing"))
RESUME = _admin("resume", "", __("Resume publishing"))
FEEDS = _admin("feeds", "", __("List feeds"))
FEED_ADD = _admin("feed_add", "URL [review|auto]", __("Follow an RSS/Atom feed"))
FEED_REMOVE = _admin("feed_remove", "ID", __("Stop following a feed"))
STATS = _admin("stats", "[@channel] [day|week|month]", __("Top posts by reactions, posts per day"))
WEEKLY_REPORT = _admin("weekly_report", "on|off", __("The weekly report with a chart"))
TIPS = _admin("tips", "[@channel] on|off", __("Take a channel's direct messages as tips"))

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
    STATS,
    WEEKLY_REPORT,
    TIPS,
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


# The words that switch a setting off or clear a value ("/quiet off", "/embargo 12 нет",
# "/mysource -"), in the languages the bot speaks; compared lower-cased.
OFF_WORDS: tuple[str, ...] = ("off", "нет", "-", "—")

# A word that names a channel: "@username" or a channel's numeric id (-100…). Any length, so
# that "/publish 12 @typo_too_long…" says "no such channel" instead of ignoring the word;
# /channel_add also checks MAX_CHANNEL_REF. Whole words only: use ``fullmatch``.
CHANNEL_REF = re.compile(r"@[A-Za-z0-9_]+|-100[0-9]+")
# "@" and Telegram's longest username (32); a -100… id has fewer characters (52-bit ids).
MAX_CHANNEL_REF = 33
