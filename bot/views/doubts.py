"""The draft card's doubts (issue 13): what the parser was not sure of, and one-tap fixes."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _

from bot.callbacks import DraftAction, FixAction
from bot.domain import Article
from bot.ingest.report import ParseWarning
from bot.texts import quote, shorten
from bot.workflow.doubts import DEFAULT_SOURCE, FROM_EDITOR, DefaultSource

# Button texts: long outlet names are cut, the whole name is in the card's text.
_BUTTON_NAME = 32


def doubt_lines(article: Article, default: DefaultSource | None) -> list[str]:
    """One line per open doubt, in the reader's language."""
    doubts = article.doubts
    lines: list[str] = []
    for code in doubts.warnings:
        if code == ParseWarning.NO_SOURCE:
            lines.append(_("❓ The copy names no source: nothing is credited."))
            if default is not None:
                lines.append(
                    _("Your default source is «{name}».").format(name=quote(default.name))
                )
        elif code == ParseWarning.SOURCE_CANDIDATES:
            names = ", ".join(f"«{quote(n)}»" for n in doubts.source_candidates)
            lines.append(
                _("❓ The copy names several outlets ({names}): I took «{name}».").format(
                    names=names, name=quote(article.content.source_name)
                )
            )
        elif code == DEFAULT_SOURCE:
            text = (
                _("ℹ️ Source «{name}» is your default: the copy names none.")
                if doubts.default_from == FROM_EDITOR
                else _("ℹ️ Source «{name}» is the default of {channel}: the copy names none.")
            )
            lines.append(
                text.format(
                    name=quote(article.content.source_name), channel=quote(doubts.default_from)
                )
            )
        elif code == ParseWarning.NO_DATE:
            lines.append(_("❓ No publication date found in the copy."))
        elif code == ParseWarning.DERIVED_TITLE:
            lines.append(_("❓ No headline line: the title is the first sentence."))
    return lines


def fix_rows(article: Article, default: DefaultSource | None) -> list[list[InlineKeyboardButton]]:
    """Button rows under the card, one group per open doubt."""

    def fix(text: str, action: str, arg: str = "") -> InlineKeyboardButton:
        data = FixAction(action=action, article_id=article.id, arg=arg)
        return InlineKeyboardButton(text=text, callback_data=data.pack())

    def edit(text: str, field: str) -> InlineKeyboardButton:
        # The existing "Edit" prompt for the field: the next message is its new value.
        data = DraftAction(action="field", article_id=article.id, arg=field)
        return InlineKeyboardButton(text=text, callback_data=data.pack())

    type_source = edit(_("✏️ Type the source"), "source")
    rows: list[list[InlineKeyboardButton]] = []
    doubts = article.doubts
    for code in doubts.warnings:
        if code == ParseWarning.NO_SOURCE:
            use = (
                [
                    fix(
                        _("Use «{name}»").format(name=shorten(default.name, _BUTTON_NAME)),
                        "default",
                    )
                ]
                if default is not None
                else []
            )
            rows.append([*use, type_source])
        elif code == ParseWarning.SOURCE_CANDIDATES:
            for index, name in enumerate(doubts.source_candidates):
                rows.append([fix("📰 " + shorten(name, _BUTTON_NAME), "pick", str(index))])
            rows.append([type_source])
        elif code == DEFAULT_SOURCE:
            rows.append([fix(_("✅ Keep it"), "keep", DEFAULT_SOURCE), type_source])
        elif code == ParseWarning.NO_DATE:
            rows.append([fix(_("🕒 Now"), "now"), fix(_("📅 Set date"), "date")])
        elif code == ParseWarning.DERIVED_TITLE:
            rows.append(
                [
                    fix(_("✅ Title is fine"), "keep", ParseWarning.DERIVED_TITLE),
                    edit(_("✏️ Title"), "title"),
                ]
            )
    return rows
