"""Inline button payloads (aiogram CallbackData: typed, packed under Telegram's 64-byte limit)."""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# A row id as SQLite stores it (a signed 64-bit integer). Anyone can send any callback data, so
# a forged "r:publish:99999999999999999999" must fail to unpack, like other malformed data, and
# be answered as an out-of-date button, instead of overflowing in a query.
RowId = Annotated[int, Field(ge=0, le=2**63 - 1)]


class DraftAction(CallbackData, prefix="d"):
    """Buttons under an editor's draft preview."""

    action: str  # photo | edit | field | channels | submit | publish | queue | delete | confirm
    article_id: RowId
    arg: str = ""


class FixAction(CallbackData, prefix="f"):
    """One-tap fixes on a draft's card of what the parser was not sure of (issue 13)."""

    action: str  # pick | default | now | date | keep
    article_id: RowId
    arg: str = ""  # pick: the candidate's index; keep: the doubt's code


class ReviewAction(CallbackData, prefix="r"):
    """Buttons on a review card in the admin chat."""

    action: str  # publish | schedule | queue | edit | reject
    article_id: RowId


class HeldAction(CallbackData, prefix="h"):
    """A publication whose outcome is unknown (crash mid-send) or that was missed."""

    action: str  # sent | resend | cancel
    publication_id: RowId


class Page(CallbackData, prefix="p"):
    """Pagination of long lists."""

    listing: str  # drafts | queue
    page: int
