"""Routers in a deliberate order: specific commands first, catch-alls (ingest, strangers) last."""

from __future__ import annotations

from aiogram import Router

from handlers import admin, common, drafts, ingest, review, stranger


def build_routers() -> list[Router]:
    """Fresh routers for each dispatcher (a Router can be attached to one dispatcher only)."""
    return [
        common.build_router(),
        admin.build_router(),
        review.build_router(),
        drafts.build_router(),
        ingest.build_router(),  # takes any remaining text/photo from editors: keep it late
        stranger.build_router(),  # everything from people without a role: keep it last
    ]
