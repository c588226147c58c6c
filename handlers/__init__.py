"""The handlers' routers, in a deliberate order: commands first, catch-alls last.

Each module's ``setup()`` makes a fresh router (a router can be attached to one dispatcher
only), so several dispatchers, one per test for instance, can each have their own.
"""

from __future__ import annotations

from aiogram import Router

from handlers import (
    admin,
    drafts,
    editing,
    fixes,
    held,
    ingest,
    new_article,
    review,
    start,
    stats,
    stranger,
    tips,
)


def build_routers() -> list[Router]:
    return [
        start.setup(),  # /cancel must reach every open dialog
        # Channel direct messages are tips before anything reads them as commands or drafts,
        # and the tips' buttons and prompts are the admins' (issue 15). Before the catch-alls.
        tips.setup_direct(),
        tips.setup(),
        admin.setup(),
        stats.setup(),  # /stats, /weekly_report, and the channels' reaction counts
        review.setup(),
        held.setup(),
        drafts.setup(),
        editing.setup(),
        fixes.setup(),  # the draft card's one-tap fixes (issue 13)
        new_article.setup(),
        ingest.setup(),  # takes any remaining text/photo from editors: keep it late
        stranger.setup(),  # everything from people without a role: keep it last
    ]
