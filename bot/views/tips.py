"""Reader tips (issue 15): the admin chat's tip card, its buttons, and the answers about tips."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.callbacks import RowId
from bot.domain import Channel
from bot.limits import CAPTION_LIMIT, TEXT_LIMIT
from bot.texts import quote, visible_length
from bot.timeparse import format_local
from bot.tips import Tip, TipKind, TipStatus
from bot.workflow.results import Outcome
from bot.workflow.tips import DECLINE_COMMENT_MAX, TipResult

# Room kept on a card for the decision line written on it later.
DECISION_RESERVE = 300


class TipAction(CallbackData, prefix="t"):
    """Buttons on a tip card in the admin chat."""

    action: str  # draft | publish | at | decline | dismiss | reply
    tip_id: RowId


def _channel_name(channel: Channel | None) -> str:
    if channel is None:
        return ""
    return f"@{channel.username}" if channel.username else channel.title or channel.chat_ref


def sender_line(tip: Tip) -> str:
    """The sender as Telegram shows them to the channel's admins: name, @username, id."""
    name = f'<a href="tg://user?id={tip.sender_id}">{quote(tip.sender_name or "?")}</a>'
    username = f" @{quote(tip.sender_username)}" if tip.sender_username else ""
    return _("From: {name}{username} · id {id}").format(
        name=name, username=username, id=tip.sender_id
    )


def _heading(tip: Tip, channel: Channel | None) -> str:
    where = quote(_channel_name(channel))
    if tip.kind is TipKind.SUGGESTED:
        kind = _("suggested post to {channel}").format(channel=where)
    elif tip.kind is TipKind.DIRECT:
        kind = _("message to {channel}").format(channel=where)
    else:
        kind = _("tip box (private chat)")
    return _("💡 <b>Reader's tip #{id}</b> · {kind}").format(id=tip.id, kind=kind)


def _cut(text: str, room: int) -> str:
    """At most ``room`` characters of the tip's text (escaped afterwards)."""
    return text if len(text) <= room else text[: max(0, room - 1)].rstrip() + "…"


def card_text(tip: Tip, channel: Channel | None, tz: ZoneInfo, decision: str = "") -> str:
    """The card: who sent what, the price and date of a suggested post, and the text."""
    lines = [_heading(tip, channel), sender_line(tip)]
    if tip.paid:
        lines.append(
            _("💰 Paid post: {amount} {currency}. Once published it must stay 24 hours.").format(
                amount=tip.price_amount, currency=quote(tip.price_currency)
            )
        )
    if tip.proposed_at is not None:
        lines.append(_("🕒 Proposed time: {when}").format(when=format_local(tip.proposed_at, tz)))
    if tip.photo and not tip.text:
        lines.append(_("(a photo without text)"))
    head = "\n".join(lines)
    limit = CAPTION_LIMIT if tip.photo else TEXT_LIMIT
    room = limit - visible_length(head) - DECISION_RESERVE
    body = quote(_cut(tip.text, room)) if tip.text else ""
    return "\n\n".join(part for part in (head, body, decision) if part)


def card_keyboard(tip: Tip) -> InlineKeyboardMarkup:
    """Decisions while the tip is new; afterwards only the reply to the sender."""

    def button(text: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=text, callback_data=TipAction(action=action, tip_id=tip.id).pack()
        )

    reply = [button(_("💬 Reply"), "reply")]
    if tip.status is not TipStatus.NEW:
        return InlineKeyboardMarkup(inline_keyboard=[reply])
    rows = [[button(_("📝 Take as draft"), "draft")]]
    if tip.kind is TipKind.SUGGESTED:
        rows.append(
            [button(_("📢 Publish as suggested"), "publish"), button(_("🗓 At a time…"), "at")]
        )
        rows.append([button(_("🚫 Decline"), "decline")])
    else:
        rows.append([button(_("🗂 Dismiss"), "dismiss")])
    rows.append(reply)
    return InlineKeyboardMarkup(inline_keyboard=rows)


def decision_line(tip: Tip, tz: ZoneInfo) -> str:
    who = quote(tip.decided_name or str(tip.decided_by or "?"))
    if tip.status is TipStatus.DRAFTED:
        return _("📝 Taken as draft #{id} by {who}.").format(id=tip.article_id, who=who)
    if tip.status is TipStatus.APPROVED:
        when = format_local(tip.send_at, tz) if tip.send_at else ""
        return _("📢 Approved by {who}: Telegram publishes it {when}.").format(who=who, when=when)
    if tip.status is TipStatus.DECLINED:
        line = _("🚫 Declined by {who}.").format(who=who)
        return line + (f" «{quote(tip.comment)}»" if tip.comment else "")
    if tip.status is TipStatus.DISMISSED:
        return _("🗂 Dismissed by {who}.").format(who=who)
    return ""


def result_text(result: TipResult, tip_id: int) -> str:
    """Why a decision on a tip was not taken (a lost race says who took it)."""
    tip = result.tip
    if result.outcome is Outcome.NOT_FOUND or tip is None:
        return _("There is no tip #{id}.").format(id=tip_id)
    if result.outcome is Outcome.WRONG_STATE:
        if tip.status is TipStatus.DECIDING:
            return _("Tip #{id}: {who} is deciding it right now.").format(
                id=tip_id, who=quote(tip.decided_name)
            )
        return _("Tip #{id} was already decided by {who}.").format(
            id=tip_id, who=quote(tip.decided_name or "?")
        )
    texts = {
        "too_far": _(
            "Telegram publishes a suggested post at most 30 days ahead: choose an earlier time."
        ),
        "too_long": _("That is longer than Telegram takes (at most {limit} characters)."),
        "empty": _("Tip #{id} has nothing a draft can be made of."),
        "not_suggested": _("Tip #{id} is not a suggested post: only those can be published."),
        "telegram": _(
            "Telegram refused: {error}. The bot needs “Post messages” (to publish) and “Manage "
            "direct messages” (to decline and reply) in the channel."
        ),
    }
    return texts.get(result.detail, _("Tip #{id} can't do that now.")).format(
        id=tip_id, error=quote(result.error), limit=DECLINE_COMMENT_MAX
    )


def comment_too_long_text(size: int) -> str:
    return _(
        "The comment has {size} characters: Telegram takes at most {limit}. "
        "Send a shorter one, or /skip for none."
    ).format(size=size, limit=DECLINE_COMMENT_MAX)


def tips_setting_text(channel: Channel, on: bool) -> str:
    if on:
        return _(
            "Direct messages and suggested posts to {channel} become tips in the admin chat. "
            "The bot needs “Manage direct messages” and “Post messages” there."
        ).format(channel=quote(_channel_name(channel)))
    return _("Direct messages to {channel} are not taken as tips.").format(
        channel=quote(_channel_name(channel))
    )


def tip_box_intro() -> str:
    return _(
        "Hello! This is the newsroom's tip box: send a tip as text, a photo (with a caption) "
        "or a link, and the editors will see it."
    )


def tip_thanks() -> str:
    return _("Thank you! Your tip went to the editors.")


def tip_empty() -> str:
    return _("I can take a tip as text, a photo or a link: stickers and other messages can't be.")


def tip_too_long(size: int, limit: int) -> str:
    return _(
        "This tip is too long ({size} characters, at most {limit}): please shorten it."
    ).format(size=size, limit=limit)


def tip_limited(limit: int) -> str:
    return _(
        "Thank you, but you have sent {limit} tips in the last hour: please wait a little "
        "before sending more."
    ).format(limit=limit)
