"""Inline button payloads (aiogram CallbackData: typed, packed under Telegram's 64-byte limit)."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class DraftAction(CallbackData, prefix="d"):
    """Buttons under an editor's draft preview."""

    action: str  # photo | edit | field | channels | submit | publish | queue | delete | confirm
    article_id: int
    arg: str = ""


class ReviewAction(CallbackData, prefix="r"):
    """Buttons on a review card in the admin chat."""

    action: str  # publish | schedule | queue | edit | reject
    article_id: int


class HeldAction(CallbackData, prefix="h"):
    """A publication whose outcome is unknown (crash mid-send) or that was missed."""

    action: str  # sent | resend | cancel
    publication_id: int


class Page(CallbackData, prefix="p"):
    """Pagination of long lists."""

    listing: str  # drafts | queue
    page: int
