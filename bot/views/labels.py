"""Names of things as the reader sees them: statuses, check findings, fields, list lines."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.compose import Problem
from bot.domain import Article, ArticleStatus
from bot.texts import quote, shorten
from bot.timeparse import format_local


def problem_text(problem: Problem) -> str:
    """A check() finding in the reader's language."""
    texts = {
        "no_photo": _("no photo"),
        "photo_too_large": _("the photo is too large for Telegram"),
        "photo_bad_shape": _("the photo's shape is not accepted by Telegram"),
        "body_shortened": _("the body had to be shortened"),
        "no_source": _("no source"),
        "bad_link": _("a link is not http(s)"),
        "no_title": _("no title"),
        "empty": _("the article is empty"),
        # Issue 15: over a rich-message limit, so the channel gets ordinary messages.
        "rich_too_large": _("too large for one rich post: it goes out as ordinary messages"),
    }
    return texts.get(problem.code, problem.code)


def status_text(status: ArticleStatus) -> str:
    texts = {
        ArticleStatus.DRAFT: _("draft"),
        ArticleStatus.PENDING: _("waiting for review"),
        ArticleStatus.APPROVED: _("approved"),
        ArticleStatus.SCHEDULED: _("scheduled"),
        ArticleStatus.PUBLISHED: _("published"),
        ArticleStatus.REJECTED: _("rejected"),
        ArticleStatus.DELETED: _("deleted"),
    }
    return texts[status]


def field_labels() -> dict[str, str]:
    """Editable fields as the editor sees them on the buttons."""
    return {
        "title": _("Title"),
        "lead": _("Lead"),
        "body": _("Body"),
        "credit": _("Photo credit"),
        "source": _("Source"),
        "tags": _("Tags"),
        "photo": _("Photo"),
    }


def render_article_line(article: Article) -> str:
    return f"#{article.id} · {status_text(article.status)} · " + quote(
        shorten(article.content.title or "—", 60)
    )


def checks_line(problems: tuple[Problem, ...]) -> str:
    """The "Checks: ..." line of a header or card ("" when nothing was found)."""
    if not problems:
        return ""
    return _("Checks: {problems}").format(
        problems="; ".join(quote(problem_text(p)) for p in problems)
    )


def who(actor_name: str, when: datetime, tz: ZoneInfo) -> str:
    """Who decided and when, as the decision lines and race answers show it."""
    return _("{who}, {when}").format(who=quote(actor_name), when=format_local(when, tz))
