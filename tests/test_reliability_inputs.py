"""Bad input catalogue (issue #7, reliability): everything a person can throw at the bot.

Every case goes over the real HTTP path: the fake Bot API delivers an update, the real bot polls
it and answers through the fake server. For each case the bot must answer sensibly (a reply of the
expected kind, in the sender's language; silence where silence is right, e.g. a command addressed
to another bot in a group), no handler may crash (no ERROR log, no "something went wrong" reply)
and a rejected input must leave the database exactly as it was. After every case the database is
checked for partial rows (publications, shown messages or channel choices without their article,
an article never shown to its author, a decided article without its publication...).

Languages: the editor (2001) and the first admin (1001) speak Russian, the second admin (1002)
English (see ``fakegram/harness.py``). The catalogue runs as the editor in the private chat,
as the English admin in the admin chat and as the Russian admin in the private chat.

"Oversized" arguments fill the message up to 4096 characters, the longest text Telegram delivers:
the realistic worst case for a reply that echoes what was typed.

Counts (``test_catalogue_summary`` checks this table against the catalogue itself):

======================  ========  =========  ==========  ===========  ========
section                 missing   extra      malformed   oversized    total
======================  ========  =========  ==========  ===========  ========
editor commands (ru)    7         21         62          18           108
admin commands (x2)     34        56         264         76           430
callback presses        -         -          -           -            246
update kinds            -         -          -           -            20
texts                   -         -          -           -            15
======================  ========  =========  ==========  ===========  ========
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import re
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiogram.filters import Command as CommandFilter
from aiogram.types import Update

import handlers
from bot.callbacks import ReviewAction
from bot.i18n import make_i18n
from bot.views.combined import SEPARATOR
from bot.views.commands import COMMANDS
from fakegram.harness import (
    ADMIN_CHAT_ID,
    ADMIN_ID,
    CHANNEL_ID,
    EDITOR_ID,
    SECOND_ADMIN_ID,
    STRANGER_ID,
    TOKEN,
)
from fakegram.server import CallbackAnswer, SentMessage
from tests.test_e2e_workflow import SHORT_ARTICLE, Desk, flat, open_desk

TEXT_LIMIT = 4096  # the longest message text Telegram delivers to a bot
BIG = "99999999999999999999"  # 20 digits: larger than SQLite's 64-bit integers
OTHER_EDITOR_ID = 2002
BOT_ID = int(TOKEN.split(":", 1)[0])
CHATS = (EDITOR_ID, ADMIN_ID, SECOND_ADMIN_ID, STRANGER_ID, OTHER_EDITOR_ID, ADMIN_CHAT_ID)

SECOND_ARTICLE = "Second story about trams\n\nTrams are back in town after ten years."
THIRD_ARTICLE = "The city library reopens\n\nThe reading rooms open again on Monday."

_I18N = make_i18n("ru")
_CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)

# --- what the bot says (English msgids; each is checked in the reader's language) ----------------

HELLO_EDITOR = "Hello, {name}! You are an editor of this newsroom."
HELLO_ADMIN = "Hello, {name}! You are an admin of this newsroom."
NEW_TITLE = "New article. Send the title (/cancel to stop)."
IMPORT_USAGE = "Usage: /import URL"
BAD_SCHEME = "Only http:// and https:// links can be imported."
UNREACHABLE = "I could not reach this site."
FETCHING = "Fetching {url}…"
YOUR_ARTICLES = "<b>Your articles</b> ({total})"
GIVE_N = "Give the article number, e.g. /show 12"
NO_ARTICLE = "There is no article #{id}."
NOT_YOURS = "Article #{id} is not yours."
WRONG_STATE = "Article #{id} can't do that in its current state."
ALREADY_DECIDED = "Already decided: {winner}."
DRAFT_HEADER = "<b>Draft #{id}</b> · {status}"
ARTICLE_HEADER = "<b>Article #{id}</b> · {status}"
HISTORY = "<b>History of #{id}</b>"
SENT_FOR_REVIEW = "Article #{id} is sent for review."
DRAFT_DELETED = "Draft #{id} deleted."
EDIT_USAGE = (
    "Usage: /edit N FIELD VALUE (fields: title, lead, body, credit, source, source_url, tags, "
    "photo; '-' clears)"
)
UNKNOWN_FIELD = (
    "Unknown field. Fields: title, lead, body, credit, source, source_url, tags, photo."
)
BAD_URL = "That is not an http(s) link."
EMPTY_VALUE = "The value is empty."
SAVED = "Saved."
WAITING = "<b>Waiting for review</b> ({count})"
NOTHING_TO_CANCEL = "There is nothing to cancel."
UNKNOWN_COMMAND = "Unknown command. /help lists what I understand."
PUBLISH_USAGE = "Usage: /publish N"
NO_SUCH_CHANNEL_REF = "No such channel: {ref}. /channels lists them."
SCHEDULED_FOR = "#{id}: scheduled for {when}."
SCHEDULE_USAGE = "Usage: /schedule N WHEN (e.g. /schedule 12 tomorrow 09:00)"
BAD_TIME = (
    "I don't understand this time. Examples: 2026-11-28 09:00, 28.11 09:00, 09:00, "
    "+30m, +2h, +1d, tomorrow 09:00."
)
IN_PAST = "That time is already in the past."
QUEUE_ADD_USAGE = "Usage: /queue_add N"
NO_SLOT = "No free queue slot: set slots with /slots 09:00 12:00 …"
UNSCHEDULE_USAGE = "Usage: /unschedule N"
REJECT_USAGE = "Usage: /reject N REASON (add --sign to sign it)"
GIVE_REASON = "Please give a reason."
REJECTED = "#{id}: rejected."
UNPUBLISH_USAGE = "Usage: /unpublish N"
NO_POSTS = "#{id} has no channel posts."
EDITORS_USAGE = "Usage: /editors, /editors add ID, /editors remove ID"
CHANNELS = "<b>Channels</b>"
CHANNEL_ADD_USAGE = "Usage: /channel_add @channelname (or -100… id)"
CANT_SEE = "I can't see {ref}: {error}. Add the bot to the channel as an admin first."
SLOTS_USAGE = "Usage: /slots [@channel] 09:00 12:00 15:00"
NO_SUCH_CHANNEL = "No such channel. /channels lists them."
SLOTS_OF = "Slots of {ref}: {slots}"
TOO_MANY_SLOTS = "Too many slots: at most {limit} a day."
QUIET_USAGE = "Usage: /quiet [@channel] 23:00-07:00, or /quiet off"
TIPS_USAGE = "Usage: /tips [@channel] on|off"
TIPS_OFF = "Direct messages to {channel} are not taken as tips."
TIPS_ON = (
    "Direct messages and suggested posts to {channel} become tips in the admin chat. "
    "The bot needs “Manage direct messages” and “Post messages” there."
)
TEMPLATE_SHOW = "Template of {ref}: {current}\nUsage: /template [@channel] KEY VALUE; keys: {keys}"
INVALID_VALUE = "“{value}” is not a valid value for {key}."
TEMPLATE_UPDATED = "Template of {ref} updated: {key}."
EMBARGO_USAGE = "Usage: /embargo N WHEN, or /embargo N off"
BREAKING_USAGE = "Usage: /breaking N"
BREAKING = "#{id} is breaking news: it jumps the queue."
PAUSED = "⏸ Publishing is paused. /resume to restart."
RESUMED = "▶️ Publishing resumed."
NO_FEEDS = "No feeds yet: /feed_add URL [review|auto]"
FEED_ADD_USAGE = "Usage: /feed_add URL [review|auto]"
FEED_REMOVE_USAGE = "Usage: /feed_remove ID"
NO_FEED = "There is no feed {id}."
STATS_USAGE = "Usage: /stats [@channel] [day|week|month]"
STATS_HEADLINE = "<b>Statistics</b> · {where} · {period} ({span})"
WEEKLY_USAGE = "Usage: /weekly_report on|off"
WEEKLY_ON = "Weekly report: on. The next one comes to the admin chat on {when}, with a chart."
WEEKLY_OFF = "Weekly report: off. /weekly_report on sends one every Monday to the admin chat."
OUT_OF_DATE = "This button is out of date or not for you."
MAY_NOT = "Sorry, you may not do this."
STRANGER_REFUSAL = (
    "Sorry, this bot works only for the newsroom's editors. "
    "If you should have access, ask an admin to add you."
)
DONE = "Done."
NO_MY_SOURCE = "You have no default source. Set one with /mysource NAME."
MY_SOURCE_SET = "Your default source is now {name}: pasted copy that names none takes it."
MY_SOURCE_CLEARED = "Your default source is cleared."
VALUE_TOO_LONG = "The value is too long."
SENT_FOR_REVIEW_SHORT = "Sent for review."
DELETED_SHORT = "Deleted."
NO_TEXT = "I could not find any article text in this message."
EMPTY_MESSAGE = "The message is empty: paste the article text."
TOO_LONG = "The text is too long ({size} characters, at most {limit})."
OTHER_KIND = (
    "I can't make an article from this kind of message. Send text, a photo, a link "
    "or forward a channel post."
)
CRASH_TEXTS = (
    "Something went wrong on my side; nothing was lost. Please try again.",
    "The newsroom's database is unavailable right now; nothing was changed. "
    "Please try again in a minute.",
)

# A command addressed to another bot: "unknown command" in private, silence in a group.
FOREIGN = "<foreign>"


def expected(msgid: str, language: str) -> re.Pattern[str]:
    """A pattern for ``msgid`` as the bot renders it in ``language`` (placeholders match any)."""
    text = _I18N.gettext(msgid, locale=language)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    pieces = re.split(r"\{[^}]*\}", text)
    return re.compile(".*?".join(re.escape(p) for p in pieces), re.DOTALL)


def speaks(language: str, text: str, typed: str = "") -> bool:
    """Whether ``text`` (with what the person typed taken out) is in ``language``."""
    for word in sorted(typed.split(), key=len, reverse=True):
        text = text.replace(word, " ")
    has_cyrillic = _CYRILLIC.search(text) is not None
    return has_cyrillic if language == "ru" else not has_cyrillic


def shown(text: str, limit: int = 70) -> str:
    return repr(text if len(text) <= limit else text[: limit - 10] + "…" + text[-8:])


def visible(messages: list[SentMessage]) -> list[str]:
    return [shown(m.visible, 120) for m in messages]


# --- the catalogue of commands ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Case:
    kind: str  # missing | extra | malformed | oversized
    args: str
    expect: str | None  # msgid of the answer; None: the bot must stay silent
    fill: str = ""  # pad the message with this up to TEXT_LIMIT characters
    # An accepted input: it may change the database. These run after the rejected ones, in
    # their listed order (so a case can look at what an earlier accepted one did).
    changes: bool = False
    text: str = ""  # the whole message when it is not "/command args" ({cmd}: the command)
    bug: str = ""  # a known bug in a file this suite may not touch: runs as a strict xfail

    def line(self, command: str) -> str:
        line = self.text.format(cmd=command) if self.text else f"/{command} {self.args}"
        if not self.fill:
            return line.rstrip()
        return line + self.fill * ((TEXT_LIMIT - len(line)) // len(self.fill))

    def expectation(self, seat: Seat) -> str | None:
        if self.expect == FOREIGN:
            return UNKNOWN_COMMAND if seat.private else None
        return self.expect


def missing(expect: str | None, **kw: Any) -> Case:
    return Case("missing", "", expect, **kw)


def extra(args: str, expect: str | None, **kw: Any) -> Case:
    return Case("extra", args, expect, **kw)


def malformed(args: str, expect: str | None, **kw: Any) -> Case:
    return Case("malformed", args, expect, **kw)


def oversized(args: str, expect: str | None, fill: str = "x", **kw: Any) -> Case:
    return Case("oversized", args, expect, fill=fill, **kw)


def foreign() -> Case:
    """The command addressed to another bot (``/queue@other_bot``)."""
    return malformed("", FOREIGN, text="/{cmd}@other_newsroom_bot")


def no_arg_command(answer: str, *, changes: bool = False) -> list[Case]:
    """A command without arguments: extra words are ignored, the answer is the usual one."""
    return [
        extra("now please", answer, changes=changes),
        extra("42", answer, changes=changes),
        foreign(),
        oversized("", answer, changes=changes),
    ]


def article_number(
    usage: str,
    *,
    known_id: str | None = None,
    known: str | None = None,
    known_changes: bool = False,
    refused: bool = True,
) -> list[Case]:
    """A command taking an article number: every way to get the number wrong.

    ``known_id``: the number of an existing article (perhaps with more words), ``known``: what
    the bot says for it, ``known_changes``: whether that answer changes the database,
    ``refused``: whether it is a refusal (a wrong state, an unknown channel), which makes it one
    more malformed input; either way it is tried with 4000 characters of junk after it.
    """
    cases = [
        missing(usage),
        malformed("abc", usage),
        malformed("-1", usage),
        malformed("1.5", usage),
        malformed("#", usage),
        malformed("²", usage),  # str.isdigit() says yes, int() says no
        malformed("١", usage),  # an Arabic-Indic digit: numbers are ASCII digits
        malformed(BIG, usage),
        malformed("999", NO_ARTICLE),
        malformed("0", NO_ARTICLE),
        oversized("", usage, fill="1"),
    ]
    if known_id is not None and known is not None:
        if refused:
            cases.append(malformed(known_id, known, changes=known_changes))
        cases.append(oversized(f"{known_id} ", known, changes=known_changes))
    return cases


EDITOR_CASES: dict[str, list[Case]] = {
    "start": [
        extra("deep-link-payload", HELLO_EDITOR),
        extra("two words", HELLO_EDITOR),
        foreign(),
        oversized("", HELLO_EDITOR),
    ],
    "help": no_arg_command(HELLO_EDITOR),
    "new": no_arg_command(NEW_TITLE),
    "import": [
        missing(IMPORT_USAGE),
        malformed("ftp://127.0.0.1/feed.xml", BAD_SCHEME),
        malformed("not-a-link", BAD_SCHEME),
        malformed("javascript:alert(1)", BAD_SCHEME),
        malformed("http://", BAD_SCHEME),
        malformed("http://[::1", BAD_SCHEME),
        malformed("http://127.0.0.1:9/closed-port", UNREACHABLE),
        extra("http://127.0.0.1:9/page and some words", UNREACHABLE),
        oversized(
            "http://127.0.0.1:9/",
            UNREACHABLE,
            fill="a",
        ),
    ],
    "drafts": [
        extra("2", YOUR_ARTICLES),
        extra("abc", YOUR_ARTICLES),
        foreign(),
        oversized("", YOUR_ARTICLES),
    ],
    # Showing records which messages show the article: an accepted /show changes rows.
    "show": [
        *article_number(
            GIVE_N, known_id="2", known=ARTICLE_HEADER, known_changes=True, refused=False
        ),
        extra("1 and more words", DRAFT_HEADER, changes=True),
    ],
    "history": [
        *article_number(GIVE_N, known_id="2", known=HISTORY, refused=False),
        extra("1 x", HISTORY),
    ],
    "submit": [
        *article_number(GIVE_N, known_id="2", known=WRONG_STATE),
        extra("1 please", SENT_FOR_REVIEW, changes=True),
    ],
    "delete": [
        *article_number(GIVE_N),
        extra("1 now", DRAFT_DELETED, changes=True),
    ],
    "edit": [
        missing(EDIT_USAGE),
        malformed("1", EDIT_USAGE),
        malformed("1 title", EDIT_USAGE),
        malformed("abc title X", GIVE_N),
        malformed("-1 title X", GIVE_N),
        malformed(f"{BIG} title X", GIVE_N),
        malformed("² title X", GIVE_N),
        malformed("999 title X", NO_ARTICLE),
        malformed("1 nosuchfield X", UNKNOWN_FIELD),
        malformed("1 source_url not-a-link", BAD_URL),
        malformed("1 photo not-a-link", BAD_URL),
        malformed("1 title -", EMPTY_VALUE),
        oversized("1 nosuchfield ", UNKNOWN_FIELD),
        extra("1 title A new title --updated with extra words", SAVED, changes=True),
        oversized("1 title ", SAVED, changes=True),
        oversized("1 body ", SAVED, fill="word ", changes=True),
    ],
    "queue": no_arg_command(WAITING),
    "cancel": no_arg_command(NOTHING_TO_CANCEL),
    "mysource": [
        missing(NO_MY_SOURCE),
        foreign(),
        oversized("", VALUE_TOO_LONG),
        extra("Tengrinews.kz", MY_SOURCE_SET, changes=True),
        extra("-", MY_SOURCE_CLEARED, changes=True),
    ],
    # Not a menu command: it only means something inside the /new dialog.
    "skip": [malformed("", UNKNOWN_COMMAND), extra("this", UNKNOWN_COMMAND)],
}

# 681 distinct HH:MM slots: as many as fit in one 4096-character message.
MANY_SLOTS = " ".join(f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 24 * 60, 2))
MANY_SLOTS = MANY_SLOTS[: TEXT_LIMIT - len("/slots ")].rsplit(" ", 1)[0]

ADMIN_CASES: dict[str, list[Case]] = {
    "publish": [
        *article_number(PUBLISH_USAGE, known_id="2 @no_such_channel", known=NO_SUCH_CHANNEL_REF),
        oversized("3 @", NO_SUCH_CHANNEL_REF, fill="a"),
        extra("2 and some words", SCHEDULED_FOR, changes=True),
    ],
    "schedule": [
        missing(SCHEDULE_USAGE),
        malformed("2", SCHEDULE_USAGE),
        malformed("abc +1h", SCHEDULE_USAGE),
        malformed(f"{BIG} +1h", SCHEDULE_USAGE),
        malformed("² +1h", SCHEDULE_USAGE),
        malformed("999 +1h", NO_ARTICLE),
        malformed("2 25:99", BAD_TIME),
        malformed("2 yesterday", BAD_TIME),
        malformed("2 -5m", BAD_TIME),
        malformed("2 +99999999d", BAD_TIME),
        malformed("2 +1h2h", BAD_TIME),
        malformed("2 2026-02-30 09:00", BAD_TIME),
        malformed("2 31.13 09:00", BAD_TIME),
        malformed("2 завтра 99:00", BAD_TIME),
        malformed("2 tomorrow", BAD_TIME),
        malformed("2 2000-01-01 09:00", IN_PAST),
        malformed("2 +1h @no_such_channel", NO_SUCH_CHANNEL_REF),
        extra("2 +1h and more words", BAD_TIME),
        oversized("2 ", BAD_TIME),
        oversized("2 +1h @", NO_SUCH_CHANNEL_REF, fill="a"),
    ],
    "queue_add": [
        *article_number(QUEUE_ADD_USAGE, known_id="2", known=NO_SLOT),
        extra("2 soon please", NO_SLOT),
    ],
    "unschedule": [
        *article_number(UNSCHEDULE_USAGE, known_id="2", known=WRONG_STATE),
        extra("2 now", WRONG_STATE),
    ],
    "reject": [
        missing(REJECT_USAGE),
        malformed("2", REJECT_USAGE),
        malformed("2 --sign", GIVE_REASON),
        malformed("abc spam", REJECT_USAGE),
        malformed("-1 spam", REJECT_USAGE),
        malformed(f"{BIG} spam", REJECT_USAGE),
        malformed("² spam", REJECT_USAGE),
        malformed("999 spam", NO_ARTICLE),
        malformed("1 not in review", WRONG_STATE),
        oversized("", REJECT_USAGE, fill="1"),
        extra("2 needs a second source --sign and more", REJECTED, changes=True),
        oversized("3 ", REJECTED, fill="reason ", changes=True),
    ],
    "unpublish": [
        *article_number(UNPUBLISH_USAGE, known_id="2", known=NO_POSTS),
        extra("2 now", NO_POSTS),
    ],
    "editors": [
        extra("list please", EDITORS_USAGE),
        malformed("add", EDITORS_USAGE),
        malformed("add abc", EDITORS_USAGE),
        malformed("remove -5", EDITORS_USAGE),
        malformed("add 1 2", EDITORS_USAGE),
        malformed(f"add {BIG}", EDITORS_USAGE),
        malformed(f"remove {BIG}", EDITORS_USAGE),
        malformed("add ²", EDITORS_USAGE),
        malformed("frobnicate 5", EDITORS_USAGE),
        oversized("add ", EDITORS_USAGE, fill="9"),
        oversized("add 5 ", EDITORS_USAGE),
    ],
    "channels": no_arg_command(CHANNELS),
    "channel_add": [
        missing(CHANNEL_ADD_USAGE),
        malformed("newsroom_demo", CHANNEL_ADD_USAGE),
        malformed("-100abc", CHANNEL_ADD_USAGE),
        malformed("@", CHANNEL_ADD_USAGE),
        malformed("@no_such_channel", CANT_SEE),
        malformed("-1001", CANT_SEE),
        # Not a channel's id (those are -100…), as the usage says.
        malformed("-1", CHANNEL_ADD_USAGE),
        malformed(f"-{BIG}", CHANNEL_ADD_USAGE),
        extra("@newsroom_demo and more", CHANNEL_ADD_USAGE),
        oversized("@", CHANNEL_ADD_USAGE, fill="a"),
        oversized("-100", CHANNEL_ADD_USAGE, fill="1"),
    ],
    "slots": [
        malformed("25:00", SLOTS_USAGE),
        malformed("abc", SLOTS_USAGE),
        malformed("9", SLOTS_USAGE),
        malformed("@no_such_channel 09:00", NO_SUCH_CHANNEL),
        malformed("@newsroom_demo 09:00 junk", SLOTS_USAGE),
        extra("09:00 12:00 and words", SLOTS_USAGE),
        oversized("", TOO_MANY_SLOTS, fill="", text="/slots " + MANY_SLOTS),
        oversized("", SLOTS_USAGE, fill="9"),
        oversized("", SLOTS_OF, fill="09:00 ", changes=True),
    ],
    "quiet": [
        missing(QUIET_USAGE),
        malformed("25:00-07:00", QUIET_USAGE),
        malformed("23:00-23:00", QUIET_USAGE),
        malformed("@no_such_channel 23:00-07:00", QUIET_USAGE),
        extra("23:00-07:00 and more", QUIET_USAGE),
        oversized("", QUIET_USAGE),
    ],
    "template": [
        missing(TEMPLATE_SHOW),
        malformed("nosuchkey value", TEMPLATE_SHOW),
        malformed("language xx", INVALID_VALUE),
        malformed("parts bogus", INVALID_VALUE),
        malformed("layout bogus", INVALID_VALUE),
        malformed("signature_url ftp://x", INVALID_VALUE),
        malformed("read_more_button maybe", INVALID_VALUE),
        malformed("@no_such_channel language ru", NO_SUCH_CHANNEL),
        extra("language ru and more", INVALID_VALUE),
        oversized("language ", INVALID_VALUE),
        oversized("@newsroom_demo layout ", INVALID_VALUE),
        oversized("signature ", TEMPLATE_UPDATED, changes=True),
        # Shown after the 4000-character signature was set (accepted cases run in order).
        missing(TEMPLATE_SHOW, changes=True),
    ],
    "embargo": [
        missing(EMBARGO_USAGE),
        malformed("2", EMBARGO_USAGE),
        malformed("abc off", EMBARGO_USAGE),
        malformed(f"{BIG} off", EMBARGO_USAGE),
        malformed("² off", EMBARGO_USAGE),
        malformed("999 off", NO_ARTICLE),
        malformed("2 garbage", BAD_TIME),
        malformed("2 2000-01-01 09:00", IN_PAST),
        extra("2 off and more", BAD_TIME),
        oversized("2 ", BAD_TIME),
    ],
    "breaking": [
        *article_number(
            BREAKING_USAGE, known_id="2", known=BREAKING, known_changes=True, refused=False
        ),
        extra("3 now please", BREAKING, changes=True),
    ],
    "pause": no_arg_command(PAUSED, changes=True),
    "resume": no_arg_command(RESUMED, changes=True),
    "feeds": no_arg_command(NO_FEEDS),
    "feed_add": [
        missing(FEED_ADD_USAGE),
        malformed("ftp://127.0.0.1/feed.xml", FEED_ADD_USAGE),
        malformed("not-a-link", FEED_ADD_USAGE),
        malformed("http://127.0.0.1:9/feed bogus", FEED_ADD_USAGE),
        malformed("http://127.0.0.1:9/feed", UNREACHABLE),
        extra("http://127.0.0.1:9/feed auto more", FEED_ADD_USAGE),
        oversized("http://127.0.0.1:9/", UNREACHABLE, fill="a"),
    ],
    "tips": [
        missing(TIPS_OFF),
        malformed("maybe", TIPS_USAGE),
        malformed("@no_such_channel on", NO_SUCH_CHANNEL),
        extra("on and more", TIPS_USAGE),
        oversized("", TIPS_USAGE),
        oversized("@newsroom_demo ", TIPS_USAGE),
        malformed("off", TIPS_OFF, changes=True),
    ],
    "feed_remove": [
        missing(FEED_REMOVE_USAGE),
        malformed("abc", FEED_REMOVE_USAGE),
        malformed("-1", FEED_REMOVE_USAGE),
        malformed(BIG, FEED_REMOVE_USAGE),
        malformed("²", FEED_REMOVE_USAGE),
        malformed("999", NO_FEED),
        extra("1 2", FEED_REMOVE_USAGE),
        oversized("", FEED_REMOVE_USAGE, fill="9"),
    ],
    "stats": [
        missing(STATS_HEADLINE),
        malformed("year", STATS_USAGE),
        malformed("week month", STATS_USAGE),
        malformed("-100abc", STATS_USAGE),
        malformed("@no_such_channel", NO_SUCH_CHANNEL_REF),
        malformed("@newsroom_demo day", STATS_HEADLINE),
        extra("week and more", STATS_USAGE),
        oversized("", STATS_USAGE),
        oversized("@", NO_SUCH_CHANNEL_REF, fill="a"),
    ],
    "weekly_report": [
        missing(WEEKLY_OFF),
        malformed("maybe", WEEKLY_USAGE),
        extra("on please", WEEKLY_USAGE),
        oversized("", WEEKLY_USAGE),
        extra("on", WEEKLY_ON, changes=True),
        extra("off", WEEKLY_OFF, changes=True),
    ],
}


@dataclass(frozen=True, slots=True)
class Seat:
    """Who types, where, and the language the answers must be in."""

    name: str
    user: int
    chat: int
    language: str

    @property
    def private(self) -> bool:
        return self.chat == self.user

    def send(self, desk: Desk, text: str) -> None:
        desk.tg.send_text(self.user, text, chat_id=None if self.private else self.chat)


EDITOR_RU = Seat("editor-ru-private", EDITOR_ID, EDITOR_ID, "ru")
ADMIN_EN_GROUP = Seat("admin-en-adminchat", SECOND_ADMIN_ID, ADMIN_CHAT_ID, "en")
ADMIN_RU_PRIVATE = Seat("admin-ru-private", ADMIN_ID, ADMIN_ID, "ru")
KINDS = ("missing", "extra", "malformed", "oversized")


def tally(cases: list[Case]) -> dict[str, int]:
    return {kind: sum(1 for c in cases if c.kind == kind) for kind in KINDS}


def command_params() -> Iterator[Any]:
    """One test per command and seat. The admin seats share a sandbox for commands whose
    cases are all rejected (nothing changes, so the second seat finds the same world): each
    sandbox costs a quarter of a second to close (aiogram waits for its HTTP session)."""
    for seats, catalogue in (
        ((EDITOR_RU,), EDITOR_CASES),
        ((ADMIN_EN_GROUP, ADMIN_RU_PRIVATE), ADMIN_CASES),
    ):
        for command, cases in catalogue.items():
            good = [c for c in cases if not c.bug]
            counts = ",".join(f"{k}={n}" for k, n in tally(good).items() if n)
            groups = [seats] if not any(c.changes for c in good) else [(s,) for s in seats]
            for group in groups:
                name = "+".join(s.name for s in group)
                yield pytest.param(group, command, good, id=f"{name}:/{command}[{counts}]")
            for case in cases:
                if case.bug:
                    for seat in seats:
                        yield pytest.param(
                            (seat,),
                            command,
                            [case],
                            id=f"{seat.name}:/{command}[known-bug:{case.kind}]",
                            marks=pytest.mark.xfail(strict=True, reason=case.bug),
                        )


# --- the world every test starts from ---------------------------------------------------------


Dump = dict[str, list[tuple[Any, ...]]]
_SEEN: weakref.WeakKeyDictionary[Desk, tuple[int, Dump]] = weakref.WeakKeyDictionary()


async def db_mark(desk: Desk) -> tuple[int, Dump]:
    """The database now: how many rows the bot's connection has written so far (SQLite's
    ``total_changes``) and every row of every table. Equal counts mean nothing was written, so
    the tables are only read again when the count moved since the last look."""
    async with desk.sb.bot_app.db.read() as uow:
        count = uow.conn.total_changes
        seen = _SEEN.get(desk)
        if seen is not None and seen[0] == count:
            return seen
        dump: Dump = {}
        async with uow.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ) as cur:
            tables = [str(row[0]) for row in await cur.fetchall()]
        for table in sorted(tables):
            async with uow.conn.execute(f'SELECT * FROM "{table}"') as cur:
                dump[table] = sorted((tuple(row) for row in await cur.fetchall()), key=repr)
    _SEEN[desk] = (count, dump)
    return count, dump


async def db_changes(desk: Desk, mark: tuple[int, Dump]) -> str:
    """What was written since ``mark`` ("" for nothing at all)."""
    after = await db_mark(desk)
    if after[0] == mark[0]:
        return ""
    return dump_diff(mark[1], after[1]) or f"{after[0] - mark[0]} row(s) rewritten as they were"


def dump_diff(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> str:
    changed = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, []), after.get(table, [])
        if old != new:
            gone = [r for r in old if r not in new][:2]
            came = [r for r in new if r not in old][:2]
            changed.append(f"{table}: -{shown(repr(gone), 160)} +{shown(repr(came), 160)}")
    return "; ".join(changed)


# Partial rows: each query lists what should not exist after any handler has finished.
INTEGRITY = {
    "publication without its article": (
        "SELECT p.id FROM publications p LEFT JOIN articles a ON a.id = p.article_id "
        "WHERE a.id IS NULL"
    ),
    "shown message without its article": (
        "SELECT m.article_id FROM article_messages m "
        "LEFT JOIN articles a ON a.id = m.article_id WHERE a.id IS NULL"
    ),
    "channel choice without its article or channel": (
        "SELECT c.article_id FROM article_channels c "
        "LEFT JOIN articles a ON a.id = c.article_id "
        "LEFT JOIN channels ch ON ch.id = c.channel_id WHERE a.id IS NULL OR ch.id IS NULL"
    ),
    "article without its 'created' audit entry": (
        "SELECT a.id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM audit_log l "
        "WHERE l.article_id = a.id AND l.action = 'created')"
    ),
    "article never shown to its author": (
        "SELECT a.id FROM articles a WHERE a.status <> 'deleted' AND NOT EXISTS "
        "(SELECT 1 FROM article_messages m WHERE m.article_id = a.id AND m.kind = 'preview')"
    ),
    "pending article without a review card": (
        "SELECT a.id FROM articles a WHERE a.status = 'pending' AND NOT EXISTS "
        "(SELECT 1 FROM article_messages m WHERE m.article_id = a.id AND m.kind = 'card')"
    ),
    "scheduled or published article without a publication": (
        "SELECT a.id FROM articles a WHERE a.status IN ('scheduled', 'published') "
        "AND NOT EXISTS (SELECT 1 FROM publications p WHERE p.article_id = a.id)"
    ),
    "open publication of an undecided article": (
        "SELECT p.id FROM publications p JOIN articles a ON a.id = p.article_id "
        "WHERE p.status IN ('scheduled', 'publishing') "
        "AND a.status IN ('draft', 'pending', 'rejected', 'deleted')"
    ),
    "empty article": (
        "SELECT id FROM articles WHERE title = '' AND body = '[]' AND photos = '[]'"
    ),
}


async def integrity(desk: Desk) -> list[str]:
    problems = []
    async with desk.sb.bot_app.db.read() as uow:
        for what, query in INTEGRITY.items():
            async with uow.conn.execute(query) as cur:
                rows = [row[0] for row in await cur.fetchall()]
            if rows:
                problems.append(f"{what}: {rows}")
    return problems


class Watch:
    """What the bot did while one input was handled: new messages, answers, error logs."""

    def __init__(self, desk: Desk, caplog: pytest.LogCaptureFixture) -> None:
        self.desk = desk
        self.caplog = caplog
        self.counts = {chat: len(desk.tg.messages(chat)) for chat in CHATS}
        self.answers = len(desk.tg.callback_answers)
        self.logs = len(caplog.records)

    def new(self, chat: int) -> list[SentMessage]:
        return self.desk.tg.messages(chat)[self.counts[chat] :]

    def new_answers(self) -> list[CallbackAnswer]:
        return self.desk.tg.callback_answers[self.answers :]

    def crashes(self) -> list[str]:
        """Signs of a handler that crashed: ERROR logs and the error handler's apology."""
        problems = [
            f"logged {r.levelname} {r.name}: {shown(r.getMessage(), 160)}"
            + (f" ({r.exc_info[1]!r})" if r.exc_info else "")
            for r in self.caplog.records[self.logs :]
            if r.levelno >= logging.ERROR
        ]
        sorry = [expected(t, lang) for t in CRASH_TEXTS for lang in ("ru", "en")]
        said = [m.visible for chat in CHATS for m in self.new(chat)]
        said += [a.text or "" for a in self.new_answers()]
        problems += [f"apologised: {shown(s)}" for s in said if any(p.search(s) for p in sorry)]
        return problems


async def prepare(desk: Desk) -> None:
    """#1 a draft, #2 and #3 in review, all by the editor; the default channel, no slots."""
    await desk.paste(SHORT_ARTICLE)
    for text in (SECOND_ARTICLE, THIRD_ARTICLE):
        article_id, header = await desk.paste(text)
        await desk.submitted(article_id, header)
    await desk.settle()


@contextlib.asynccontextmanager
async def newsroom(tmp_path: Path, **settings: Any) -> AsyncIterator[Desk]:
    settings.setdefault("editor_ids", (EDITOR_ID, OTHER_EDITOR_ID))
    async with open_desk(tmp_path, **settings) as desk:
        desk.tg.add_user(OTHER_EDITOR_ID, "Olga", language_code="en")
        await prepare(desk)
        yield desk


# --- commands -----------------------------------------------------------------------------------


async def run_command_case(
    desk: Desk, seat: Seat, command: str, case: Case, caplog: pytest.LogCaptureFixture
) -> list[str]:
    line = case.line(command)
    label = f"{seat.name} {shown(line)} [{case.kind}]"
    mark = None if case.changes else await db_mark(desk)
    watch = Watch(desk, caplog)
    seat.send(desk, line)
    await desk.settle()
    problems: list[str] = []
    replies = watch.new(seat.chat)
    expect = case.expectation(seat)
    if expect is None:
        if replies:
            problems.append(f"should stay silent, said {visible(replies)}")
    else:
        pattern = expected(expect, seat.language)
        hits = [m for m in replies if pattern.search(m.visible)]
        if not hits:
            problems.append(f"no answer like {expect!r}; got {visible(replies)}")
        elif not speaks(seat.language, hits[0].visible, line):
            problems.append(f"answer not in {seat.language}: {shown(hits[0].visible, 120)}")
    problems += watch.crashes()
    if mark is not None and (changed := await db_changes(desk, mark)):
        problems.append(f"database changed: {changed}")
    problems += await integrity(desk)
    return [f"{label}: {p}" for p in problems]


@pytest.mark.parametrize(("seats", "command", "cases"), list(command_params()))
async def test_command_catalogue(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    seats: tuple[Seat, ...],
    command: str,
    cases: list[Case],
) -> None:
    caplog.set_level(logging.WARNING)
    async with newsroom(tmp_path) as desk:
        problems: list[str] = []
        for seat in seats:
            # Rejected inputs first: an accepted one may set the publisher going in the
            # background, and "nothing changed" only means something while nothing else runs.
            for case in sorted(cases, key=lambda c: c.changes):
                problems += await run_command_case(desk, seat, command, case, caplog)
            # Whatever happened, the bot still answers.
            watch = Watch(desk, caplog)
            seat.send(desk, "/help")
            await desk.settle()
            hello = expected(
                HELLO_EDITOR if seat.user == EDITOR_ID else HELLO_ADMIN, seat.language
            )
            if not any(hello.search(m.visible) for m in watch.new(seat.chat)):
                problems.append(f"{seat.name}: /help after the catalogue got no answer")
        assert not problems, "\n".join(problems)


def registered_commands() -> set[str]:
    """Every command a Command filter of the bot's routers reacts to."""
    found: set[str] = set()
    for router in handlers.build_routers():
        for handler in router.message.handlers:
            for flt in handler.filters or ():
                if isinstance(flt.callback, CommandFilter):
                    found |= {c for c in flt.callback.commands if isinstance(c, str)}
    return found


def test_catalogue_covers_every_command() -> None:
    """A new command cannot slip past the catalogue: each one has its bad inputs listed."""
    registered = registered_commands()
    assert {c.name for c in COMMANDS} <= registered
    editor_level = {c.name for c in COMMANDS if c.name in EDITOR_CASES}
    assert set(EDITOR_CASES) | set(ADMIN_CASES) >= registered, (
        registered - set(EDITOR_CASES) - set(ADMIN_CASES)
    )
    assert editor_level == {c.name for c in COMMANDS if c.role.name == "EDITOR"}
    for catalogue in (EDITOR_CASES, ADMIN_CASES):
        for command, cases in catalogue.items():
            counts = tally(cases)
            assert counts["malformed"] + counts["extra"] >= 1, command
            takes_args = any(c.kind == "missing" for c in cases)
            if takes_args:
                assert counts["malformed"] >= 1, command


# --- buttons ------------------------------------------------------------------------------------


async def press(
    desk: Desk, user: int, chat_id: int, message_id: int, data: str
) -> CallbackAnswer | None:
    """Press a button with any data on any message; the bot's answer (None: no answer)."""
    query_id = desk.tg.press_button(
        user, chat_id=chat_id, message_id=message_id, data=data, check=False
    )
    await desk.settle()
    return next((a for a in desk.tg.callback_answers if a.query_id == query_id), None)


# (label, data, must the answer be an alert with a text?)
FORGED: tuple[tuple[str, str, bool], ...] = (
    ("random", "zzz", True),
    ("random-rtl-override", "\u202e", True),
    ("random-nul", "d:\x00:1:", True),
    ("garbage-id", "d:submit:abc:", True),
    ("garbage-id", "r:publish:abc", True),
    ("garbage-id", "h:sent:abc", True),
    ("garbage-page", "p:drafts:abc", True),
    ("too-many-fields", "d:submit:1:x:y", True),
    ("too-many-fields", "r:publish:2:", True),
    ("too-few-fields", "r:publish", True),
    ("unknown-action", "d:nosuch:1:", True),
    ("unknown-action", "r:nosuch:2", True),
    ("unknown-action", "h:nosuch:1", True),
    ("unknown-listing", "p:nosuch:0", False),
    ("huge-id", f"d:submit:{BIG}:", True),
    ("huge-id", f"r:publish:{BIG}", True),
    ("huge-id", f"h:sent:{BIG}", True),
    ("huge-id", f"d:chan:1:{BIG}", True),
    ("huge-page", f"p:drafts:{BIG}", False),
    ("odd-digit", "d:chan:1:²", True),
    ("negative-id", "r:publish:-1", True),
    ("negative-id", "d:submit:-1:", True),
    ("negative-page", "p:queue:-1", False),
    ("unknown-id", "r:publish:999", True),
    ("unknown-id", "d:delete:999:", True),
    ("unknown-id", "h:resend:999", True),
    ("unknown-channel", "d:chan:1:999", True),
    ("unknown-field", "d:field:1:nosuch", True),
    ("over-64-bytes", "d:edit:1:" + "x" * 60, False),
)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    user: int
    language: str


@dataclass(frozen=True, slots=True)
class Presser(Person):
    where: Callable[[Desk], SentMessage]  # the message the buttons are pressed on


def _header(desk: Desk) -> SentMessage:
    header = desk.header(EDITOR_ID, 1)
    assert header is not None
    return header


def _card(desk: Desk) -> SentMessage:
    card = desk.card(2)
    assert card is not None
    return card


def _last_in(chat: int) -> Callable[[Desk], SentMessage]:
    def find(desk: Desk) -> SentMessage:
        message = desk.tg.last_message(chat)
        assert message is not None
        return message

    return find


PRESSERS = (
    Presser("editor-ru-on-own-draft", EDITOR_ID, "ru", _header),
    Presser("admin-en-on-review-card", SECOND_ADMIN_ID, "en", _card),
    Presser("admin-ru-in-private", ADMIN_ID, "ru", _last_in(ADMIN_ID)),
    Presser("stranger-en-in-private", STRANGER_ID, "en", _last_in(STRANGER_ID)),
)


# The real buttons' data cut two ways: the draft header's (with its one-tap fixes of what the
# parser was not sure of, issue 13) and the review card's.
TRUNCATED = 26


def real_buttons(desk: Desk) -> list[str]:
    return flat(_header(desk)) + flat(_card(desk))


def truncations(data: list[str]) -> list[str]:
    """Real buttons' data cut in half and cut by one character."""
    cut = [d[: len(d) // 2] for d in data] + [d[:-1] for d in data]
    return list(dict.fromkeys(cut))


async def check_press(
    desk: Desk,
    caplog: pytest.LogCaptureFixture,
    presser: Person,
    message: SentMessage,
    data: str,
    *,
    alert: bool,
) -> list[str]:
    label = f"{presser.name} pressed {data!r}"
    mark = await db_mark(desk)
    watch = Watch(desk, caplog)
    answer = await press(desk, presser.user, message.chat_id, message.message_id, data)
    problems = []
    if answer is None:
        problems.append("no answerCallbackQuery")
    else:
        if alert and not (answer.show_alert and answer.text):
            problems.append(f"expected an alert with a text, got {answer}")
        if answer.text and not speaks(presser.language, answer.text):
            problems.append(f"answer not in {presser.language}: {answer.text!r}")
    problems += watch.crashes()
    if changed := await db_changes(desk, mark):
        problems.append(f"database changed: {changed}")
    return [f"{label}: {p}" for p in problems]


@pytest.mark.parametrize(
    "presser",
    PRESSERS,
    ids=[f"{p.name}[{len(FORGED)}-forged+{TRUNCATED}-truncated]" for p in PRESSERS],
)
async def test_forged_and_truncated_callback_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, presser: Presser
) -> None:
    caplog.set_level(logging.WARNING)
    async with newsroom(tmp_path) as desk:
        # Something in the private chats to press buttons on.
        for user in (ADMIN_ID, STRANGER_ID):
            desk.tg.send_text(user, "/help")
        await desk.settle()
        message = presser.where(desk)
        cut = truncations(real_buttons(desk))
        assert len(cut) == TRUNCATED
        problems: list[str] = []
        for _label, data, alert in FORGED:
            problems += await check_press(desk, caplog, presser, message, data, alert=alert)
        for data in cut:
            problems += await check_press(desk, caplog, presser, message, data, alert=True)
        assert not problems, "\n".join(problems)
        # Still responsive.
        [hello] = await desk.say(EDITOR_ID, "/start")
        assert expected(HELLO_EDITOR, "ru").search(hello.visible)


async def test_buttons_pressed_from_another_chat_or_by_someone_else(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """5 presses: review buttons outside the admin chat, draft buttons by other people."""
    caplog.set_level(logging.WARNING)
    async with newsroom(tmp_path) as desk:
        tg = desk.tg
        for user in (STRANGER_ID, OTHER_EDITOR_ID, SECOND_ADMIN_ID):
            tg.send_text(user, "/start")
        await desk.settle()
        header = _header(desk)
        publish2 = ReviewAction(action="publish", article_id=2).pack()
        refusals = [
            # The editor presses a review button under their own draft: not theirs to press.
            (Person("editor", EDITOR_ID, "ru"), header, publish2, OUT_OF_DATE),
            # The editor presses the review button on the card in the admin chat.
            (Person("editor", EDITOR_ID, "ru"), _card(desk), publish2, OUT_OF_DATE),
            # A stranger presses a draft button in their own chat.
            (
                Person("stranger", STRANGER_ID, "en"),
                _last_in(STRANGER_ID)(desk),
                "d:delete:1:",
                MAY_NOT,
            ),
            # Another editor presses the first editor's draft button in their own chat.
            (
                Person("other-editor", OTHER_EDITOR_ID, "en"),
                _last_in(OTHER_EDITOR_ID)(desk),
                "d:delete:1:",
                NOT_YOURS,
            ),
        ]
        problems: list[str] = []
        for presser, message, data, answer_text in refusals:
            found = await check_press(desk, caplog, presser, message, data, alert=True)
            problems += found
            answer = tg.callback_answers[-1]
            if not expected(answer_text, presser.language).search(answer.text or ""):
                problems.append(f"{presser.name} {data}: answered {answer.text!r}")
        assert not problems, "\n".join(problems)

        # An admin presses a review button in their private chat: admins may publish from
        # anywhere, so it works, exactly once, and the card in the admin chat is closed.
        watch = Watch(desk, caplog)
        own = _last_in(SECOND_ADMIN_ID)(desk)
        done = await press(desk, SECOND_ADMIN_ID, SECOND_ADMIN_ID, own.message_id, publish2)
        assert done is not None and done.text == "Done." and not done.show_alert
        assert watch.crashes() == []
        card = _card(desk)
        await desk.until(lambda: not tg.message(ADMIN_CHAT_ID, card.message_id).buttons)
        await desk.until(lambda: len(desk.channel()) == 1)
        await desk.settle()
        async with desk.sb.bot_app.db.read() as uow:
            pubs = await uow.publications.for_article(2)
        assert len(pubs) == 1
        assert await integrity(desk) == []


async def _decided(desk: Desk, scenario: str) -> tuple[list[tuple[int, int, int, str]], str]:
    """Bring an article into ``scenario``'s state; the presses to try on it afterwards.

    Each press: (user, chat, message id, data); and the msgid every alert must match.
    """
    header1 = _header(desk)
    card2 = _card(desk)
    if scenario == "deleted-draft":
        await desk.say(EDITOR_ID, "/delete 1")
        presses = [(EDITOR_ID, EDITOR_ID, header1.message_id, d) for d in flat(header1)]
        # An admin presses the review button of the deleted article.
        presses.append((SECOND_ADMIN_ID, EDITOR_ID, header1.message_id, "r:publish:1"))
        return presses, NO_ARTICLE
    if scenario == "rejected-in-review":
        answer = await desk.press(SECOND_ADMIN_ID, card2, "r:reject:2")
        assert not answer.show_alert
        # The admin answers the prompt once it is shown (the bot waits for the answer after it).
        await desk.until(
            lambda: "#2" in desk.last(ADMIN_CHAT_ID) and "--sign" in desk.last(ADMIN_CHAT_ID)
        )
        await desk.say(SECOND_ADMIN_ID, "Needs a second source", chat_id=ADMIN_CHAT_ID)
        data = ["r:publish:2", "r:queue:2", "r:schedule:2", "r:reject:2"]
        return [(SECOND_ADMIN_ID, ADMIN_CHAT_ID, card2.message_id, d) for d in data], WRONG_STATE
    if scenario == "published":
        first = await desk.press(SECOND_ADMIN_ID, card2, "r:publish:2")
        assert first.text == "Done."
        await desk.until(lambda: len(desk.channel()) == 1)
        header2 = desk.header(EDITOR_ID, 2)
        assert header2 is not None
        data = ["r:publish:2", "r:queue:2", "r:schedule:2", "r:reject:2"]
        presses = [(ADMIN_ID, ADMIN_CHAT_ID, card2.message_id, d) for d in data]
        presses += [
            (EDITOR_ID, EDITOR_ID, header2.message_id, d) for d in ("d:submit:2:", "d:delete:2:")
        ]
        return presses, WRONG_STATE
    if scenario == "submitted-twice":
        first = await desk.press(EDITOR_ID, header1, "d:submit:1:")
        assert first.text is not None and not first.show_alert
        await desk.until(lambda: desk.card(1) is not None)
        return [(EDITOR_ID, EDITOR_ID, header1.message_id, "d:submit:1:")], WRONG_STATE
    assert scenario == "deleted-twice"
    first = await desk.press(EDITOR_ID, header1, "d:delete:1:")
    assert first.text is not None and not first.show_alert
    return [(EDITOR_ID, EDITOR_ID, header1.message_id, "d:delete:1:")], NO_ARTICLE


DECIDED = ("deleted-draft", "rejected-in-review", "published", "submitted-twice", "deleted-twice")
DECIDED_PRESSES = {
    "deleted-draft": 9,  # with the fixes of the draft's doubts (issue 13)
    "rejected-in-review": 4,
    "published": 6,
    "submitted-twice": 1,
    "deleted-twice": 1,
}


@pytest.mark.parametrize(
    "scenario", DECIDED, ids=[f"{s}[{DECIDED_PRESSES[s]}-presses]" for s in DECIDED]
)
async def test_buttons_of_a_decided_article(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, scenario: str
) -> None:
    """Stale buttons (deleted, rejected, published, pressed twice): an alert, nothing changes,
    and no prompt is opened that would take the next message as a time or a reason."""
    caplog.set_level(logging.WARNING)
    async with newsroom(tmp_path) as desk:
        tg = desk.tg
        presses, alert = await _decided(desk, scenario)
        await desk.settle()
        assert len(presses) == DECIDED_PRESSES[scenario]
        languages = {EDITOR_ID: "ru", ADMIN_ID: "ru", SECOND_ADMIN_ID: "en"}
        problems: list[str] = []
        cards_before = sum(1 for m in tg.messages(ADMIN_CHAT_ID) if flat(m))
        for user, chat, message_id, data in presses:
            presser = Person(f"{scenario}:{user}", user, languages[user])
            message = tg.message(chat, message_id)
            problems += await check_press(desk, caplog, presser, message, data, alert=True)
            answer = tg.callback_answers[-1]
            if not expected(alert, languages[user]).search(answer.text or ""):
                problems.append(f"{presser.name} {data}: answered {answer.text!r}")
        # No prompt was opened: the admins' next words in the admin chat are nobody's answer.
        watch = Watch(desk, caplog)
        mark = await db_mark(desk)
        for user in (ADMIN_ID, SECOND_ADMIN_ID):
            tg.send_text(user, "+1h", chat_id=ADMIN_CHAT_ID)
        await desk.settle()
        if watch.new(ADMIN_CHAT_ID):
            problems.append(f"a prompt was open: {visible(watch.new(ADMIN_CHAT_ID))}")
        if changed := await db_changes(desk, mark):
            problems.append(f"the admins' '+1h' changed the database: {changed}")
        # No second review card, no second post.
        if sum(1 for m in tg.messages(ADMIN_CHAT_ID) if flat(m)) > cards_before:
            problems.append("a new card with buttons appeared in the admin chat")
        problems += await integrity(desk)
        assert not problems, "\n".join(problems)
        assert len(desk.channel()) == (1 if scenario == "published" else 0)


async def test_history_of_a_long_lived_article_fits_one_message(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Five rejections with 1000-character reasons: the audit trail is longer than a message."""
    caplog.set_level(logging.WARNING)
    async with newsroom(tmp_path) as desk:
        watch = Watch(desk, caplog)
        for round_ in range(5):
            reason = f"Round {round_}: " + "too thin " * 120
            [rejected] = await desk.say(
                SECOND_ADMIN_ID, f"/reject 2 {reason}", chat_id=ADMIN_CHAT_ID
            )
            assert expected(REJECTED, "en").search(rejected.visible)
            [sent] = await desk.say(EDITOR_ID, "/submit 2")
            assert expected(SENT_FOR_REVIEW, "ru").search(sent.visible)
        await desk.settle()
        [history] = await desk.say(EDITOR_ID, "/history 2")
        assert expected(HISTORY, "ru").search(history.visible)
        assert "Round 4" in history.visible  # the latest entries are the ones kept
        assert len(history.visible) <= TEXT_LIMIT
        assert watch.crashes() == []


# --- update kinds the bot does not handle -------------------------------------------------------


def _user(user_id: int, name: str = "Someone", *, bot: bool = False) -> dict[str, Any]:
    return {"id": user_id, "is_bot": bot, "first_name": name}


def _chat(chat_id: int) -> dict[str, Any]:
    if chat_id == ADMIN_CHAT_ID:
        return {"id": chat_id, "type": "supergroup", "title": "Newsroom admins"}
    if chat_id == CHANNEL_ID:
        return {"id": chat_id, "type": "channel", "title": "Newsroom Demo"}
    return {"id": chat_id, "type": "private", "first_name": "Someone"}


def _member(user: dict[str, Any], status: str) -> dict[str, Any]:
    out: dict[str, Any] = {"status": status, "user": user}
    if status == "kicked":
        out["until_date"] = 0
    return out


def _member_update(chat: int, who: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    return {
        "chat": _chat(chat),
        "from": _user(ADMIN_ID, "Aigerim"),
        "date": 1_700_000_000,
        "old_chat_member": _member(who, old),
        "new_chat_member": _member(who, new),
    }


def _message(chat: int, sender: int, **fields: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"message_id": 9000, "date": 1_700_000_000, "chat": _chat(chat)}
    out["from"] = {**_user(sender, "Elena"), "language_code": "ru"}
    out.update(fields)
    return {"message": out}


_POLL = {
    "id": "5001",
    "question": "Lunch?",
    "options": [
        {"persistent_id": "a", "text": "Yes", "voter_count": 1},
        {"persistent_id": "b", "text": "No", "voter_count": 0},
    ],
    "total_voter_count": 1,
    "is_closed": False,
    "is_anonymous": False,
    "type": "regular",
    "allows_multiple_answers": False,
    "allows_revoting": False,
    "members_only": False,
}
_BOT = _user(BOT_ID, "Newsroom", bot=True)
_REACTION = [{"type": "emoji", "emoji": "👍"}]


def _edit_last(chat: int, user: int, new_text: str) -> Callable[[Desk], None]:
    """The user edits the last message they wrote in ``chat`` into ``new_text``."""

    def send(desk: Desk) -> None:
        mine = [
            m
            for m in desk.tg.messages(chat, include_incoming=True)
            if not m.outgoing and m.from_user_id == user
        ]
        desk.tg.send_edited_message(
            user, message_id=mine[-1].message_id, text=new_text, chat_id=chat
        )

    return send


def _channel_post(desk: Desk) -> None:
    desk.tg.send_channel_post(CHANNEL_ID, "/publish 2")


def _edited_channel_post(desk: Desk) -> None:
    post = dict(desk.tg.send_channel_post(CHANNEL_ID, "original"))
    post["text"], post["edit_date"] = "/publish 2", post["date"] + 5
    desk.tg.send_raw_update({"edited_channel_post": post})


def _raw(update: dict[str, Any]) -> Callable[[Desk], None]:
    def send(desk: Desk) -> None:
        desk.tg.send_raw_update(update)

    return send


# (name, how to send it, the answer expected in the editor's chat: None = silence)
UPDATE_KINDS: tuple[tuple[str, Callable[[Desk], None], str | None], ...] = (
    # An edit is not a new command: "/start" edited into "/delete 1" deletes nothing.
    ("edited_message-into-a-command", _edit_last(EDITOR_ID, EDITOR_ID, "/delete 1"), None),
    (
        "edited_message-in-admin-chat",
        _edit_last(ADMIN_CHAT_ID, SECOND_ADMIN_ID, "/publish 2"),
        None,
    ),
    ("channel_post", _channel_post, None),
    ("edited_channel_post", _edited_channel_post, None),
    (
        "my_chat_member-bot-left-admin-chat",
        _raw({"my_chat_member": _member_update(ADMIN_CHAT_ID, _BOT, "member", "left")}),
        None,
    ),
    (
        "my_chat_member-editor-blocked-bot",
        _raw({"my_chat_member": _member_update(EDITOR_ID, _BOT, "member", "kicked")}),
        None,
    ),
    (
        "chat_member-stranger-joined",
        _raw({"chat_member": _member_update(ADMIN_CHAT_ID, _user(STRANGER_ID), "left", "member")}),
        None,
    ),
    (
        "chat_join_request",
        _raw(
            {
                "chat_join_request": {
                    "chat": _chat(ADMIN_CHAT_ID),
                    "from": _user(STRANGER_ID),
                    "user_chat_id": STRANGER_ID,
                    "date": 1_700_000_000,
                }
            }
        ),
        None,
    ),
    ("poll", _raw({"poll": _POLL}), None),
    (
        "poll_answer",
        _raw(
            {
                "poll_answer": {
                    "poll_id": "5001",
                    "user": _user(EDITOR_ID, "Elena"),
                    "option_ids": [0],
                    "option_persistent_ids": ["a"],
                }
            }
        ),
        None,
    ),
    (
        "message_reaction",
        _raw(
            {
                "message_reaction": {
                    "chat": _chat(ADMIN_CHAT_ID),
                    "message_id": 1,
                    "user": _user(SECOND_ADMIN_ID, "Daniyar"),
                    "date": 1_700_000_000,
                    "old_reaction": [],
                    "new_reaction": _REACTION,
                }
            }
        ),
        None,
    ),
    (
        "message_reaction_count",
        _raw(
            {
                "message_reaction_count": {
                    "chat": _chat(CHANNEL_ID),
                    "message_id": 1,
                    "date": 1_700_000_000,
                    "reactions": [{"type": _REACTION[0], "total_count": 3}],
                }
            }
        ),
        None,
    ),
    (
        "inline_query",
        _raw({"inline_query": {"id": "77", "from": _user(EDITOR_ID), "query": "", "offset": ""}}),
        None,
    ),
    (
        "pre_checkout_query",
        _raw(
            {
                "pre_checkout_query": {
                    "id": "78",
                    "from": _user(STRANGER_ID),
                    "currency": "XTR",
                    "total_amount": 1,
                    "invoice_payload": "x",
                }
            }
        ),
        None,
    ),
    # Messages of kinds there is no article in: the editor is told so.
    (
        "message-location",
        _raw(_message(EDITOR_ID, EDITOR_ID, location={"latitude": 43.2, "longitude": 76.9})),
        OTHER_KIND,
    ),
    (
        "message-contact",
        _raw(_message(EDITOR_ID, EDITOR_ID, contact={"phone_number": "+1", "first_name": "A"})),
        OTHER_KIND,
    ),
    (
        "message-dice",
        _raw(_message(EDITOR_ID, EDITOR_ID, dice={"emoji": "🎲", "value": 6})),
        OTHER_KIND,
    ),
    ("message-poll", _raw(_message(EDITOR_ID, EDITOR_ID, poll=_POLL)), OTHER_KIND),
    # Service messages in the admin chat: not commands, not articles, nothing to say.
    (
        "service-new-chat-members",
        _raw(_message(ADMIN_CHAT_ID, ADMIN_ID, new_chat_members=[_user(STRANGER_ID, "Stranger")])),
        None,
    ),
    (
        "unknown-future-kind",
        _raw({"stopped_message_generation_v99": {"anything": [1, 2, 3]}}),
        None,
    ),
)


async def _poll_every_kind(desk: Desk) -> None:
    """Restart polling asking for every update kind, as a bot whose allowed_updates were set
    by an older deployment (or by hand) would get them."""
    sandbox = desk.sb
    app = sandbox.bot_app
    await app.dp.stop_polling()
    polling = sandbox._polling  # the harness owns the task: we swap it for one of ours
    assert polling is not None
    with contextlib.suppress(asyncio.CancelledError):
        await polling
    every = [k for k in Update.model_fields if k != "update_id"]
    every.append("stopped_message_generation_v99")
    sandbox._polling = asyncio.create_task(
        app.dp.start_polling(
            app.bot,
            handle_signals=False,
            polling_timeout=1,
            close_bot_session=False,
            allowed_updates=every,
        ),
        name="polling-every-kind",
    )
    # Polling again; and something of each person's to edit later.
    await desk.say(EDITOR_ID, "/start")
    await desk.say(SECOND_ADMIN_ID, "/queue", chat_id=ADMIN_CHAT_ID)


@pytest.mark.parametrize(
    ("kind", "send", "answer"), UPDATE_KINDS, ids=[k[0] for k in UPDATE_KINDS]
)
async def test_update_kinds_the_bot_does_not_handle(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    send: Callable[[Desk], None],
    answer: str | None,
) -> None:
    caplog.set_level(logging.WARNING)
    caplog.set_level(logging.INFO, logger="aiogram.event")
    async with newsroom(tmp_path) as desk:
        tg = desk.tg
        # By default the bot only subscribes to what it handles: Telegram drops the rest.
        asked = json.loads(tg.calls("getUpdates")[-1].get("allowed_updates") or "[]")
        assert "message" in asked and "poll" not in asked and "chat_member" not in asked
        await _poll_every_kind(desk)
        mark = await db_mark(desk)
        watch = Watch(desk, caplog)
        if kind == "unknown-future-kind":
            # aiogram warns about update kinds newer than itself, and skips them.
            with pytest.warns(RuntimeWarning, match="unknown update type"):
                send(desk)
                update_id = tg.pending_updates[-1]["update_id"]
                await desk.settle()
        else:
            send(desk)
            update_id = tg.pending_updates[-1]["update_id"]
            await desk.settle()
        problems = watch.crashes()
        # It reached the dispatcher (aiogram logs every update it processed), so silence below
        # is the bot's choice, not the update lost on the way.
        seen = f"Update id={update_id} is "
        if not any(r.getMessage().startswith(seen) for r in caplog.records[watch.logs :]):
            problems.append(f"update {update_id} never reached the dispatcher")
        said = {chat: watch.new(chat) for chat in CHATS}
        if answer is None:
            problems += [f"said in {c}: {visible(m)}" for c, m in said.items() if m]
        else:
            pattern = expected(answer, "ru")
            if not any(pattern.search(m.visible) for m in said[EDITOR_ID]):
                problems.append(f"no {answer!r} for the editor: {visible(said[EDITOR_ID])}")
            problems += [
                f"said in {c}: {visible(m)}" for c, m in said.items() if m and c != EDITOR_ID
            ]
        if changed := await db_changes(desk, mark):
            problems.append(f"database changed: {changed}")
        # Still responsive, in both chats.
        [hello] = await desk.say(EDITOR_ID, "/start")
        if not expected(HELLO_EDITOR, "ru").search(hello.visible):
            problems.append(f"/start answered {hello.visible!r}")
        [queue] = await desk.say(SECOND_ADMIN_ID, "/queue", chat_id=ADMIN_CHAT_ID)
        if not expected(WAITING, "en").search(queue.visible):
            problems.append(f"/queue answered {queue.visible!r}")
        problems += watch.crashes()
        assert not problems, "\n".join(problems)


# --- text ---------------------------------------------------------------------------------------

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one emoji of 7 code points (11 UTF-16 units, 25 bytes)
RAINBOW_FLAG = "🏳️\u200d🌈"

# (name, text, what the editor is told: a draft header or a refusal; for a draft, a piece of
# the title that must be stored and shown)
TEXTS: tuple[tuple[str, str, str, str], ...] = (
    (
        "control-characters",
        "\x00\x01\x02 Title\x07 here\n\nBody \x1b[31m text\x7f\x0b\x0c.",
        DRAFT_HEADER,
        "Title",
    ),
    ("only-control-characters", "\x00\x01\x02\x1f", NO_TEXT, ""),
    ("only-zero-width-and-marks", "\u200b\u200b\u200f\u200e\u2060", NO_TEXT, ""),
    ("whitespace-only", "  \n\t  \n ", EMPTY_MESSAGE, ""),
    (
        "rtl-override",
        "\u202eevil title\u202c here\n\nThe body text \u202eis\u202c fine.",
        DRAFT_HEADER,
        "evil title",
    ),
    (
        "arabic",
        "مرحبا بالعالم هذا عنوان\n\nنص المقال هنا وهو طويل بما فيه الكفاية.",
        DRAFT_HEADER,
        "مرحبا بالعالم هذا عنوان",
    ),
    (
        "hebrew-with-rlm",
        "\u200fשלום עולם כותרת\u200f\n\nגוף המאמר כאן.",
        DRAFT_HEADER,
        "שלום עולם כותרת",
    ),
    (
        "mixed-bidi",
        "Breaking: مرحبا 123 שלום news\n\nBody (ٱلنص) with 456 digits.",
        DRAFT_HEADER,
        "مرحبا 123 שלום",
    ),
    ("64KiB-of-emoji", "😀" * 16384, NO_TEXT, ""),
    ("64KiB-of-zwj-sequences", (FAMILY + RAINBOW_FLAG) * 1700, NO_TEXT, ""),
    (
        "emoji-article-over-4096-utf16",
        f"{FAMILY} Emoji title {RAINBOW_FLAG}\n\n" + ("Body 😀 " + FAMILY + " ") * 400,
        DRAFT_HEADER,
        "Emoji title",
    ),
    (
        "zalgo",
        "Z\u0334\u0321a\u0335\u0322l\u0338g\u0337o " * 30 + "title\n\nBody text.",
        DRAFT_HEADER,
        "l\u0338g\u0337o",  # the marks are kept (a 30-word title is shortened)
    ),
    (
        "html-lookalike",
        "<b>bold</b> & <script>x</script>\n\nBody & <i>more</i> </a>",
        DRAFT_HEADER,
        "<b>bold</b> & <script>x</script>",
    ),
    ("over-max-article-chars", "a " * 30_000, TOO_LONG, ""),
    ("unknown-command-with-controls", "/frobnicate\x00 \u202e now", UNKNOWN_COMMAND, ""),
)


@pytest.mark.parametrize(("name", "text", "answer", "title"), TEXTS, ids=[t[0] for t in TEXTS])
async def test_odd_text_from_an_editor(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    name: str,
    text: str,
    answer: str,
    title: str,
) -> None:
    """None crashes; a refusal stores nothing; a draft keeps its title (RTL text, emoji, markup
    as typed) and its preview is within Telegram's limits (the fake server refuses longer
    messages, which would show as an error)."""
    caplog.set_level(logging.WARNING)
    async with newsroom(tmp_path) as desk:
        tg = desk.tg
        mark = await db_mark(desk)
        watch = Watch(desk, caplog)
        tg.send_text(EDITOR_ID, text)
        await desk.settle()
        replies = watch.new(EDITOR_ID)
        problems = watch.crashes()
        pattern = expected(answer, "ru")
        hits = [m for m in replies if pattern.search(m.visible)]
        if not hits:
            problems.append(f"no {answer!r}: {visible(replies)}")
        elif not speaks("ru", hits[-1].visible, text):
            problems.append(f"not in Russian: {hits[-1].visible!r}")
        async with desk.sb.bot_app.db.read() as uow:
            articles, _total = await uow.articles.page()
        new = [a for a in articles if a.id > 3]
        if answer == DRAFT_HEADER:
            # The post's messages: without buttons, or the one message that carries them
            # below the separator (a one-message post, issue 14).
            previews = [m for m in replies if not flat(m) or SEPARATOR in m.visible]
            if len(new) != 1:
                problems.append(f"expected one new draft, found {[a.id for a in new]}")
            elif title not in new[0].content.title:
                problems.append(f"stored title {new[0].content.title!r} lacks {title!r}")
            if not previews or title not in previews[0].visible:
                problems.append(f"the preview does not show {title!r}: {visible(previews)}")
            for m in replies:
                if len(m.visible) > (1024 if m.photo else TEXT_LIMIT):
                    problems.append(f"a preview message of {len(m.visible)} characters")
        else:
            if changed := await db_changes(desk, mark):
                problems.append(f"refused, but the database changed: {changed}")
        problems += await integrity(desk)
        assert not problems, "\n".join(problems)


# --- the summary -------------------------------------------------------------------------------


def catalogue_summary() -> dict[str, dict[str, int]]:
    def row(cases: list[Case]) -> dict[str, int]:
        counts = tally(cases)
        return {**counts, "total": sum(counts.values())}

    editor = [c for cases in EDITOR_CASES.values() for c in cases]
    admin = [c for cases in ADMIN_CASES.values() for c in cases] * 2  # two seats
    presses = len(PRESSERS) * (len(FORGED) + TRUNCATED) + sum(DECIDED_PRESSES.values()) + 5
    return {
        "editor commands (ru)": row(editor),
        "admin commands (x2)": row(admin),
        "callback presses": {"total": presses},
        "update kinds": {"total": len(UPDATE_KINDS)},
        "texts": {"total": len(TEXTS)},
    }


def test_catalogue_summary() -> None:
    """The table in the module docstring is the catalogue's real size."""
    assert __doc__ is not None
    documented: dict[str, dict[str, int]] = {}
    for line in __doc__.splitlines():
        match = re.match(r"^(.+?)\s{2,}(.+)$", line)
        if match is None or line.startswith(("=", "section")):
            continue
        name, cells = match[1].strip(), match[2].split()
        numbers = [int(c) if c.isdigit() else None for c in cells]
        if len(numbers) == 5:
            keys = (*KINDS, "total")
            documented[name] = {k: n for k, n in zip(keys, numbers, strict=True) if n is not None}
    actual = catalogue_summary()
    print("\nbad input catalogue:", actual)  # the counts the issue asks for, with -s
    assert documented == actual
