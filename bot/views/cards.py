"""The editor's draft header, the review card, and the lines that record a decision on them."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.compose import Problem
from bot.domain import Article, ArticleStatus
from bot.texts import quote, shorten
from bot.timeparse import format_local
from bot.views.labels import checks_line, status_text, who
from bot.workflow.results import Decision, DecisionKind, Winner


def draft_header(
    article: Article, problems: tuple[Problem, ...], duplicates: Sequence[Article] = ()
) -> str:
    """The message under the editor's preview: number, status, checks, look-alikes."""
    heading = (
        _("<b>Draft #{id}</b> · {status}")
        if article.status in (ArticleStatus.DRAFT, ArticleStatus.REJECTED)
        else _("<b>Article #{id}</b> · {status}")
    )
    lines = [heading.format(id=article.id, status=status_text(article.status))]
    if problems:
        lines.append(checks_line(problems))
    for dup in duplicates:
        lines.append(
            _("⚠️ Looks like #{id} «{title}» ({status}).").format(
                id=dup.id,
                title=quote(shorten(dup.content.title, 60)),
                status=status_text(dup.status),
            )
        )
    if article.status is ArticleStatus.REJECTED and article.reject_reason:
        lines.append(_("Rejected: {reason}").format(reason=quote(article.reject_reason)))
    return "\n".join(lines)


def card_text(
    article: Article, author_name: str, problems: tuple[Problem, ...], tz: ZoneInfo
) -> str:
    """The review card in the admin chat (under the post as the channel will see it)."""
    lines = [
        _("<b>For review: #{id}</b>").format(id=article.id),
        _("Author: {author}").format(author=quote(author_name or str(article.author_id))),
        checks_line(problems) if problems else _("Checks: all good"),
    ]
    if article.embargo_until:
        lines.append(
            _("Embargo until {when}").format(when=format_local(article.embargo_until, tz))
        )
    return "\n".join(lines)


def decision_line(decision: Decision, tz: ZoneInfo) -> str:
    """What a closed review card says under its text."""
    by = who(decision.actor_name, decision.at, tz)
    if decision.kind is DecisionKind.REJECTED:
        return _("❌ Rejected — {who}: {reason}").format(who=by, reason=quote(decision.reason))
    if decision.immediate:
        return _("🚀 Publishing now — {who}").format(who=by)
    assert decision.due is not None  # every publishing decision has a time
    return _("🗓 Scheduled for {when} — {who}").format(when=format_local(decision.due, tz), who=by)


def author_decision_text(article_id: int, decision: Decision, tz: ZoneInfo) -> str:
    """What the author is told about the decision on their article."""
    if decision.kind is DecisionKind.REJECTED:
        message = _("Your article #{id} was rejected: {reason}").format(
            id=article_id, reason=quote(decision.reason)
        )
        if decision.signed:
            message += "\n— " + quote(decision.actor_name)
        return message
    if decision.immediate:
        return _("Your article #{id} is approved and will be published now.").format(id=article_id)
    assert decision.due is not None  # every publishing decision has a time
    return _("Your article #{id} is scheduled for {when}.").format(
        id=article_id, when=format_local(decision.due, tz)
    )


def winner_text(winner: Winner, tz: ZoneInfo) -> str:
    """Who won a race for the same decision, and what they decided."""
    return _("{status} by {who} at {when}").format(
        status=status_text(winner.status),
        who=quote(winner.name) or winner.actor_id,
        when=format_local(winner.at, tz),
    )
