"""Publications: the article x channel outbox rows the publishing engine claims and records."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from bot.domain import Publication, PublicationStatus
from storage.base import Mapper, Repo, from_iso, placeholders, require_dt, to_iso

_publication = Mapper(
    Publication,
    status=PublicationStatus,
    due_at=require_dt,
    silent=bool,
    message_ids=lambda raw: tuple(json.loads(raw)),
    claimed_at=from_iso,
    published_at=from_iso,
)
_PUB_COLS = _publication.columns


# Status groups the queries below share; the values are bound as parameters, never spelled.
_S = PublicationStatus
_REARMABLE = (_S.SCHEDULED, _S.FAILED, _S.CANCELLED, _S.HELD)  # not sent and not in flight
_UPCOMING = (_S.SCHEDULED, _S.PUBLISHING, _S.HELD)  # still to go out
_TAKEN = (_S.SCHEDULED, _S.PUBLISHING, _S.PUBLISHED)  # holds its slot time
_FINISHABLE = (_S.PUBLISHING, _S.HELD)  # a held post can turn out to have been sent
_CANCELLABLE = (_S.SCHEDULED, _S.HELD, _S.FAILED)


def _values(statuses: Collection[PublicationStatus]) -> list[str]:
    return [s.value for s in statuses]


class PublicationRepo(Repo):
    async def get(self, pub_id: int) -> Publication | None:
        row = await self._one(f"SELECT {_PUB_COLS} FROM publications WHERE id = ?", (pub_id,))
        return _publication(row) if row else None

    async def schedule(
        self, *, article_id: int, channel_id: int, due_at: datetime, silent: bool, now: datetime
    ) -> Publication | None:
        """Create or re-arm the article x channel row; None if published or in flight."""
        await self._exec(
            "INSERT INTO publications (article_id, channel_id, status, due_at, silent,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (article_id, channel_id) DO UPDATE SET"
            " status = excluded.status, due_at = excluded.due_at, silent = excluded.silent,"
            " attempts = 0, last_error = '', updated_at = excluded.updated_at"
            f" WHERE publications.status IN ({placeholders(_REARMABLE)})",
            (
                article_id,
                channel_id,
                _S.SCHEDULED.value,
                to_iso(due_at),
                int(silent),
                to_iso(now),
                to_iso(now),
                *_values(_REARMABLE),
            ),
        )
        row = await self._one(
            f"SELECT {_PUB_COLS} FROM publications WHERE article_id = ? AND channel_id = ?",
            (article_id, channel_id),
        )
        pub = _publication(row) if row else None
        if pub is None or pub.status is not PublicationStatus.SCHEDULED:
            return None
        return pub

    async def for_article(self, article_id: int) -> list[Publication]:
        rows = await self._all(
            f"SELECT {_PUB_COLS} FROM publications WHERE article_id = ? ORDER BY id",
            (article_id,),
        )
        return [_publication(r) for r in rows]

    async def next_due_at(self) -> datetime | None:
        row = await self._one(
            "SELECT MIN(due_at) AS due_at FROM publications WHERE status = ?",
            (_S.SCHEDULED.value,),
        )
        return from_iso(row["due_at"]) if row else None

    async def due(self, *, now: datetime, limit: int = 50) -> list[Publication]:
        rows = await self._all(
            f"SELECT {_PUB_COLS} FROM publications WHERE status = ? AND due_at <= ?"
            " ORDER BY due_at, id LIMIT ?",
            (_S.SCHEDULED.value, to_iso(now), limit),
        )
        return [_publication(r) for r in rows]

    async def next_due_by_channel(self) -> dict[int, datetime]:
        """The earliest scheduled due time of each channel (the scheduler sleeps towards the
        channels that have no worker running)."""
        rows = await self._all(
            "SELECT channel_id, MIN(due_at) AS due_at FROM publications WHERE status = ?"
            " GROUP BY channel_id",
            (_S.SCHEDULED.value,),
        )
        return {int(r["channel_id"]): require_dt(r["due_at"]) for r in rows}

    async def due_in_channel(self, channel_id: int, *, now: datetime, limit: int) -> list[int]:
        """Ids of one channel's due publications: breaking news first, then by due time."""
        rows = await self._all(
            "SELECT p.id FROM publications p JOIN articles a ON a.id = p.article_id"
            " WHERE p.status = ? AND p.channel_id = ? AND p.due_at <= ?"
            " ORDER BY a.breaking DESC, p.due_at, p.id LIMIT ?",
            (_S.SCHEDULED.value, channel_id, to_iso(now), limit),
        )
        return [int(r["id"]) for r in rows]

    async def with_status(self, status: PublicationStatus) -> list[Publication]:
        rows = await self._all(
            f"SELECT {_PUB_COLS} FROM publications WHERE status = ? ORDER BY due_at, id",
            (status.value,),
        )
        return [_publication(r) for r in rows]

    async def unasked_held(self) -> list[Publication]:
        """Held rows whose card has not reached the admins since they were (last) held."""
        rows = await self._all(
            f"SELECT {_PUB_COLS} FROM publications WHERE status = ?"
            " AND (asked_at IS NULL OR asked_at < updated_at) ORDER BY due_at, id",
            (_S.HELD.value,),
        )
        return [_publication(r) for r in rows]

    async def mark_asked(self, pub_id: int, *, now: datetime) -> None:
        """The held row's card reached the admin chat (``updated_at`` is left alone: it says
        when the row was held)."""
        await self._exec(
            "UPDATE publications SET asked_at = ? WHERE id = ? AND status = ?",
            (to_iso(now), pub_id, _S.HELD.value),
        )

    async def orphaned(self, *, owner: str, alive_since: datetime | None) -> list[Publication]:
        """``publishing`` rows claimed by another instance that has not beaten since
        ``alive_since`` (or never did: unknown owner): sends whose process died. With
        ``alive_since`` None no other instance counts as alive (SQLite: one process)."""
        where = "status = ? AND claimed_by <> ?"
        params: list[Any] = [_S.PUBLISHING.value, owner]
        if alive_since is not None:
            where += " AND claimed_by NOT IN (SELECT id FROM instances WHERE heartbeat_at >= ?)"
            params.append(to_iso(alive_since))
        rows = await self._all(
            f"SELECT {_PUB_COLS} FROM publications WHERE {where} ORDER BY due_at, id", params
        )
        return [_publication(r) for r in rows]

    async def upcoming(self, *, limit: int = 50, offset: int = 0) -> tuple[list[Publication], int]:
        """A page of what is still to go out (scheduled, in flight, held) and the total."""
        where = f"WHERE status IN ({placeholders(_UPCOMING)})"
        total = await self._count(
            f"SELECT COUNT(*) AS n FROM publications {where}", _values(_UPCOMING)
        )
        rows = await self._all(
            f"SELECT {_PUB_COLS} FROM publications {where} ORDER BY due_at, id LIMIT ? OFFSET ?",
            (*_values(_UPCOMING), limit, offset),
        )
        return [_publication(r) for r in rows], total

    async def recent_published(self, *, limit: int = 10) -> list[Publication]:
        rows = await self._all(
            f"SELECT {_PUB_COLS} FROM publications WHERE status = ?"
            " ORDER BY published_at DESC, id DESC LIMIT ?",
            (_S.PUBLISHED.value, limit),
        )
        return [_publication(r) for r in rows]

    async def calendar(self, *, published_since: datetime) -> list[Publication]:
        """The Mini App's timeline: every row still to go out (scheduled, in flight, held),
        the failed ones, and what was published since ``published_since``; by due time."""
        open_or_failed = (*_UPCOMING, _S.FAILED)
        rows = await self._all(
            f"SELECT {_PUB_COLS} FROM publications"
            f" WHERE status IN ({placeholders(open_or_failed)})"
            " OR (status = ? AND published_at >= ?) ORDER BY due_at, id",
            (*_values(open_or_failed), _S.PUBLISHED.value, to_iso(published_since)),
        )
        return [_publication(r) for r in rows]

    async def taken_times(self, *, channel_id: int, since: datetime) -> list[datetime]:
        rows = await self._all(
            "SELECT due_at FROM publications WHERE channel_id = ? AND due_at >= ?"
            f" AND status IN ({placeholders(_TAKEN)})",
            (channel_id, to_iso(since), *_values(_TAKEN)),
        )
        return [require_dt(r["due_at"]) for r in rows]

    async def claim(self, pub_id: int, *, now: datetime, owner: str = "") -> Publication | None:
        """scheduled -> publishing, only if still scheduled and due: the exactly-once gate.
        ``owner`` is the claiming instance (``storage.instances``)."""
        changed = await self._exec(
            "UPDATE publications SET status = ?, claimed_at = ?, updated_at = ?,"
            " claimed_by = ?, attempts = attempts + 1"
            " WHERE id = ? AND status = ? AND due_at <= ?",
            (
                _S.PUBLISHING.value,
                to_iso(now),
                to_iso(now),
                owner,
                pub_id,
                _S.SCHEDULED.value,
                to_iso(now),
            ),
        )
        return await self.get(pub_id) if changed else None

    async def finish(
        self, pub_id: int, *, message_ids: Sequence[int], link: str, now: datetime
    ) -> bool:
        return bool(
            await self._exec(
                "UPDATE publications SET status = ?, message_ids = ?, link = ?,"
                " published_at = ?, updated_at = ?, last_error = ''"
                f" WHERE id = ? AND status IN ({placeholders(_FINISHABLE)})",
                (
                    _S.PUBLISHED.value,
                    json.dumps(list(message_ids)),
                    link,
                    to_iso(now),
                    to_iso(now),
                    pub_id,
                    *_values(_FINISHABLE),
                ),
            )
        )

    async def set_status(
        self,
        pub_id: int,
        *,
        allowed_from: Collection[PublicationStatus],
        to: PublicationStatus,
        now: datetime,
        error: str | None = None,
        due_at: datetime | None = None,
        owner: str | None = None,
    ) -> bool:
        sets = ["status = ?", "updated_at = ?"]
        params: list[Any] = [to.value, to_iso(now)]
        if owner is not None:  # an admin's resend claims the row for this instance
            sets.append("claimed_by = ?")
            params.append(owner)
        if error is not None:
            sets.append("last_error = ?")
            params.append(error)
        if due_at is not None:
            sets.append("due_at = ?")
            params.append(to_iso(due_at))
        statuses = _values(allowed_from)
        return bool(
            await self._exec(
                f"UPDATE publications SET {', '.join(sets)}"
                f" WHERE id = ? AND status IN ({placeholders(statuses)})",
                (*params, pub_id, *statuses),
            )
        )

    async def set_message_ids(self, pub_id: int, message_ids: Sequence[int]) -> None:
        await self._exec(
            "UPDATE publications SET message_ids = ? WHERE id = ?",
            (json.dumps(list(message_ids)), pub_id),
        )

    async def cancel_scheduled(self, article_id: int, *, now: datetime) -> int:
        return await self._exec(
            "UPDATE publications SET status = ?, updated_at = ?"
            f" WHERE article_id = ? AND status IN ({placeholders(_CANCELLABLE)})",
            (_S.CANCELLED.value, to_iso(now), article_id, *_values(_CANCELLABLE)),
        )

    async def count_by_status(self) -> dict[str, int]:
        rows = await self._all("SELECT status, COUNT(*) AS n FROM publications GROUP BY status")
        return {str(r["status"]): int(r["n"]) for r in rows}
