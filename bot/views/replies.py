"""What the bot answers to commands and buttons: outcomes, usage errors, long texts cut to fit.

Pure functions of plain values, translated in the current locale.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.limits import TEXT_LIMIT
from bot.texts import visible_length
from bot.timeparse import WhenError, format_local
from bot.views.cards import winner_text
from bot.workflow.results import Outcome, Result


def outcome_text(result: Result, article_id: int | None, tz: ZoneInfo) -> str:
    """Why a use case did nothing (and, after a lost race, who decided first), for a reply."""
    texts = {
        Outcome.NOT_FOUND: _("There is no article #{id}."),
        Outcome.NOT_YOURS: _("Article #{id} is not yours."),
        Outcome.WRONG_STATE: _("Article #{id} can't do that in its current state."),
        Outcome.NO_CHANNEL: _("No channel or admin chat is configured for that."),
        Outcome.NO_SLOT: _("No free queue slot: set slots with /slots 09:00 12:00 …"),
        Outcome.INVALID: _("Article #{id} is empty: add a title or text first."),
    }
    text = texts.get(result.outcome, "").format(id=article_id if article_id is not None else "?")
    if result.winner is not None:
        winner = winner_text(result.winner, tz)
        text += "\n" + _("Already decided: {winner}.").format(winner=winner)
    return text


def due_text(result: Result, tz: ZoneInfo) -> str:
    """When a publishing decision takes effect, in local time ("" when there is none)."""
    if result.decision is not None and result.decision.due is not None:
        return format_local(result.decision.due, tz)
    return result.detail


def edit_error_text(code: str) -> str:
    return {
        "unknown_field": _(
            "Unknown field. Fields: title, lead, body, credit, source, source_url, tags, photo."
        ),
        "empty": _("The value is empty."),
        "bad_url": _("That is not an http(s) link."),
        "too_long": _("The value is too long."),
    }.get(code, code)


def fetch_error_text(code: str) -> str:
    texts = {
        "bad_scheme": _("Only http:// and https:// links can be imported."),
        "blocked_address": _("This address is on a private network, so I may not fetch it."),
        "unreachable": _("I could not reach this site."),
        "dns": _("This site's name does not resolve."),
        "timeout": _("The site took too long to answer."),
        "too_large": _("The page is too large to import."),
        "not_html": _("The link is not a web page (HTML)."),
        "http_status": _("The site answered with an error."),
        "too_many_redirects": _("The link redirects too many times."),
        "not_a_feed": _("This address is not an RSS or Atom feed."),
        "no_content": _("I found no article text on this page."),
    }
    return texts.get(code, _("The page could not be imported."))


def when_error_text(error: WhenError) -> str:
    return {
        "in_past": _("That time is already in the past."),
        "nonexistent": _("That local time does not exist (clocks change then)."),
    }.get(
        error.code,
        _(
            "I don't understand this time. Examples: 2026-11-28 09:00, 28.11 09:00, 09:00, "
            "+30m, +2h, +1d, tomorrow 09:00."
        ),
    )


def fit_lines(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text`` cut to fit one message: the first line (the heading) and as many of the latest
    lines as fit, with "…" where lines were left out. Long audit trails (a reason of 1000
    characters per rejection, hundreds of edits) would otherwise make Telegram refuse it."""
    if visible_length(text) <= limit:
        return text
    head, *lines = text.split("\n")
    kept: list[str] = []
    room = limit - len(head) - 4  # the heading, "\n…\n"
    for line in reversed(lines):
        size = visible_length(line) + 1
        if size > room:
            break
        kept.append(line)
        room -= size
    return "\n".join([head, "…", *reversed(kept)])
