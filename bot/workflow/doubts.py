"""What the parser was not sure of (issue 13): kept with the draft, filled from defaults,
settled by the editor's fixes and edits.

A pasted draft's source is never a silent guess: when the copy names none, the draft takes the
editor's default source, else the default channel's, and its doubts say which.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.domain import ArticleContent, Channel, Doubts
from bot.ingest.report import ParseReport, ParseWarning
from storage.db import UnitOfWork

# The source came from a default; ``Doubts.default_from`` says whose.
DEFAULT_SOURCE = "default_source"
FROM_EDITOR = "editor"
SOURCE_DOUBTS = (ParseWarning.NO_SOURCE, ParseWarning.SOURCE_CANDIDATES, DEFAULT_SOURCE)
# What the card shows and offers a fix for; the parser's other codes are for tools.
SHOWN = (*SOURCE_DOUBTS, ParseWarning.NO_DATE, ParseWarning.DERIVED_TITLE)
# The doubts an edit of a field settles (the field names of bot.editing, and "date").
_SETTLED_BY = {
    "source": SOURCE_DOUBTS,
    "title": (ParseWarning.DERIVED_TITLE,),
    "date": (ParseWarning.NO_DATE,),
}


@dataclass(frozen=True, slots=True)
class DefaultSource:
    name: str
    origin: str  # FROM_EDITOR, or the chat_ref of the default channel whose template set it


def from_report(report: ParseReport) -> Doubts:
    """The doubts worth keeping: candidates only matter when there are two or more."""
    warnings = tuple(w for w in report.warnings if w in SHOWN)
    candidates = report.source_candidates if ParseWarning.SOURCE_CANDIDATES in warnings else ()
    return Doubts(warnings, tuple(candidates))


async def default_source(uow: UnitOfWork, author_id: int) -> DefaultSource | None:
    """The editor's own default source, else the default channel's, else None."""
    own = await uow.prefs.default_source(author_id)
    return default_of(own, None if own else await uow.channels.default())


def default_of(own: str, channel: Channel | None) -> DefaultSource | None:
    """:func:`default_source` from what was read already: the editor's own default source
    (``own``, "" for none) and the default channel."""
    if own:
        return DefaultSource(own, FROM_EDITOR)
    name = str(channel.template.get("default_source") or "") if channel else ""
    return DefaultSource(name, channel.chat_ref) if channel and name else None


def with_default(
    content: ArticleContent, doubts: Doubts, default: DefaultSource | None
) -> tuple[ArticleContent, Doubts]:
    """No source in the copy: take the default (and say so), or leave the doubt open."""
    if ParseWarning.NO_SOURCE not in doubts.warnings or content.source_name or default is None:
        return content, doubts
    warnings = tuple(DEFAULT_SOURCE if w == ParseWarning.NO_SOURCE else w for w in doubts.warnings)
    return replace(content, source_name=default.name), Doubts(
        warnings, doubts.source_candidates, default.origin
    )


async def parsed(
    uow: UnitOfWork, content: ArticleContent, report: ParseReport, author_id: int
) -> tuple[ArticleContent, Doubts, dict[str, object]]:
    """A fresh parse's content and doubts (the default source taken when the copy names none),
    and what the audit entry says of them."""
    doubts = from_report(report)
    details: dict[str, object] = {}
    if ParseWarning.NO_SOURCE in doubts.warnings:
        default = await default_source(uow, author_id)
        content, doubts = with_default(content, doubts, default)
        if default is not None:
            details = {"default_source": default.name, "default_from": default.origin}
    if doubts:
        details["doubts"] = list(doubts.warnings)
    return content, doubts, details


def edited_field(action: str) -> str:
    """``"edit:source"`` -> ``"source"``; the fixes' own actions (``"fix:date"``) likewise."""
    return action.split(":", 1)[1] if action.startswith(("edit:", "fix:")) else ""


def settle(doubts: Doubts, before: ArticleContent, after: ArticleContent, action: str) -> Doubts:
    """The doubts left after an edit: editing a field (even to the same value: the editor has
    looked at it), or any change of the source or the date, settles that field's doubts."""
    if not doubts:
        return doubts
    fields = {edited_field(action)}
    if before.source_name != after.source_name:
        fields.add("source")
    if before.published_at != after.published_at:
        fields.add("date")
    if before.title != after.title:
        fields.add("title")
    codes = [code for name in fields for code in _SETTLED_BY.get(name, ())]
    return doubts.without(*codes) if codes else doubts
