"""Review reminders: an article that waits too long for a decision is brought up once."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.workflow.ports import Desk


async def remind_pending(desk: Desk, now: datetime) -> int:
    """Remind the reviewers of each article waiting longer than the setting; return how many."""
    if desk.settings.admin_chat_id is None:
        return 0  # nobody reviews: nobody to remind
    cutoff = now - timedelta(minutes=desk.settings.review_reminder_minutes)
    async with desk.db.read() as uow:
        waiting = await uow.articles.pending_to_remind(submitted_before=cutoff)
    count = 0
    for article in waiting:
        async with desk.db.transaction() as uow:
            # Conditional: a second process (or a second pass) must not remind twice.
            if not await uow.articles.mark_reminded(article.id, now=now):
                continue
        await desk.notifier.still_waiting(article)
        count += 1
    return count
