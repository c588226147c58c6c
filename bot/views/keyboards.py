"""The inline keyboards under previews, review cards and held-publication cards."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callbacks import DraftAction, HeldAction, ReviewAction
from bot.domain import Article, ArticleStatus, Channel
from bot.views.labels import field_labels


def draft_keyboard(article: Article, *, can_publish: bool) -> InlineKeyboardMarkup:
    """Under the editor's preview: what the editor may do with the draft in its status."""

    def button(text: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=text, callback_data=DraftAction(action=action, article_id=article.id).pack()
        )

    rows = [[button(_("🖼 Photo"), "photo"), button(_("✏️ Edit"), "edit")]]
    if article.status in (ArticleStatus.DRAFT, ArticleStatus.REJECTED, ArticleStatus.PENDING):
        rows[0].append(button(_("📢 Channels"), "channels"))
    if article.status in (ArticleStatus.DRAFT, ArticleStatus.REJECTED):
        if can_publish:
            rows.append([button(_("🚀 Publish now"), "publish"), button(_("🗓 Queue"), "queue")])
        else:
            rows.append([button(_("📨 Submit for review"), "submit")])
        rows.append([button(_("🗑 Delete"), "delete")])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def channels_keyboard(
    article_id: int, channels: Sequence[Channel], chosen: Collection[int]
) -> InlineKeyboardMarkup:
    """Toggle buttons, one per registered channel; none chosen means the default."""
    builder = InlineKeyboardBuilder()
    for channel in channels:
        on = channel.id in chosen or (not chosen and channel.is_default)
        label = ("✅ " if on else "▫️ ") + (
            f"@{channel.username}" if channel.username else channel.title or channel.chat_ref
        )
        data = DraftAction(action="chan", article_id=article_id, arg=str(channel.id))
        builder.row(InlineKeyboardButton(text=label, callback_data=data.pack()))
    return builder.as_markup()


def edit_keyboard(article: Article) -> InlineKeyboardMarkup:
    """One button per editable field, three to a row."""
    builder = InlineKeyboardBuilder()
    for key, label in field_labels().items():
        data = DraftAction(action="field", article_id=article.id, arg=key)
        builder.button(text=label, callback_data=data.pack())
    builder.adjust(3)
    return builder.as_markup()


def review_keyboard(article: Article) -> InlineKeyboardMarkup:
    """The decisions on a review card in the admin chat."""

    def button(text: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=text, callback_data=ReviewAction(action=action, article_id=article.id).pack()
        )

    return InlineKeyboardMarkup(
        inline_keyboard=[
            [button(_("🚀 Publish now"), "publish"), button(_("🗓 Schedule…"), "schedule")],
            [button(_("📥 Add to queue"), "queue"), button(_("✏️ Edit"), "edit")],
            [button(_("❌ Reject"), "reject")],
        ]
    )


def held_keyboard(publication_id: int, *, missed: bool) -> InlineKeyboardMarkup:
    """A held publication's choices: missed while down, or sent with an unknown outcome."""
    if missed:
        buttons = [(_("🚀 Send it now"), "resend"), (_("✖️ Cancel"), "cancel")]
    else:
        buttons = [(_("✅ It is in the channel"), "sent"), (_("🔁 Send it again"), "resend")]
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=label,
                    callback_data=HeldAction(action=action, publication_id=publication_id).pack(),
                )
                for label, action in buttons
            ]
        ]
    )
