"""Every text the Mini App shows, through the bot's gettext catalogues (ru, en).

The page is static; it asks for these once signed in (``GET /app/api/session``), in the
language of the Telegram client (the ``language_code`` of initData's user).
"""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _


def page_strings() -> dict[str, str]:
    """The page's texts in the current locale (call inside ``Languages.locale``)."""
    return {
        "title": _("Newsroom calendar"),
        "day": _("Day"),
        "week": _("Week"),
        "today": _("Today"),
        "all_channels": _("All channels"),
        "all_editors": _("All editors"),
        "waiting": _("Waiting for review"),
        "nothing_waiting": _("Nothing is waiting."),
        "nothing_scheduled": _("Nothing scheduled."),
        "age_m": _("{n} min"),
        "age_h": _("{n} h"),
        "age_d": _("{n} d"),
        "free_slot": _("free slot"),
        "quiet": _("quiet hours"),
        "slots": _("queue slots"),
        "breaking": _("breaking"),
        "embargo": _("embargo until {time}"),
        "st_scheduled": _("scheduled"),
        "st_publishing": _("publishing"),
        "st_published": _("published"),
        "st_failed": _("failed"),
        "st_held": _("held"),
        "st_cancelled": _("cancelled"),
        "st_pending": _("waiting for review"),
        "st_draft": _("draft"),
        "st_rejected": _("rejected"),
        "st_approved": _("approved"),
        "preview": _("As the channel will see it"),
        "history": _("History"),
        "close": _("Close"),
        "approve": _("Publish now"),
        "schedule": _("Schedule"),
        "time_label": _("Time ({zone})"),
        "channel_label": _("Channel"),
        "reject": _("Reject"),
        "reason": _("Reason"),
        "unpublish": _("Unpublish"),
        "confirm_unpublish": _("Delete this post from the channel?"),
        "held_sent": _("It is in the channel"),
        "held_resend": _("Send it again"),
        "held_cancel": _("Cancel it"),
        "held_note": _("The outcome of this send is unknown: check the channel, then decide."),
        "saved": _("Saved."),
        "read_only": _("You see your own articles; only admins can change them."),
        "drag_hint": _("Drag a post to a free slot to move it there."),
        "loading": _("Loading…"),
        "err_network": _("The bot did not answer. Try again."),
        "by": _("by {name}"),
    }


def auth_error_text(code: str) -> str:
    """Why a request was refused, for the page (in the client's language when known)."""
    texts = {
        "no_credentials": _("Not signed in: open the calendar from the bot in Telegram."),
        "bad_signature": _("This sign-in is not from Telegram. Reopen the calendar from the bot."),
        "stale": _("The sign-in has expired: close the calendar and open it again."),
        "no_user": _("Not signed in: open the calendar from the bot in Telegram."),
        "not_staff": _("Only the newsroom's editors and admins may open the calendar."),
    }
    return texts.get(code, texts["no_credentials"])


def request_error_text(code: str) -> str:
    texts = {
        "admins_only": _("Only admins can do that."),
        "bad_json": _("The request is not valid JSON."),
        "bad_time": _("Give a time as YYYY-MM-DDTHH:MM (the newsroom's time zone)."),
        "time_past": _("That time has passed: pick a later one."),
        "no_channel": _("There is no such channel."),
        "not_found": _("There is no such article."),
        "reason_required": _("Give a reason (up to 1000 characters)."),
        "bad_decision": _("Unknown decision."),
        "already_handled": _("Already handled."),
        "nothing_published": _("Nothing of this article is in a channel."),
        "unpublish_failed": _("Telegram would not delete {n} message(s): see the history."),
    }
    return texts.get(code, code)
