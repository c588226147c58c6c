"""Repositories: parameterised SQL over the unit of work's connection.

None of them commits: ``Database.transaction()`` does. Every status change is a conditional UPDATE
on the current status, so two admins (or two processes) racing produce exactly one winner; the
methods return ``None`` / ``False`` to the loser.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence, Sized
from datetime import datetime
from typing import Any

import aiosqlite

from bot.domain import ArticleContent, ArticleStatus, PublicationStatus
from storage.rows import (
    Article,
    AuditEntry,
    Channel,
    Feed,
    Publication,
    ShownMessage,
    User,
    from_iso,
    marks_from_json,
    marks_to_json,
    photos_from_json,
    photos_to_json,
    to_iso,
)


def _dt(value: Any) -> datetime:
    parsed = from_iso(value)
    if parsed is None:
        raise ValueError("expected a timestamp")
    return parsed


def _placeholders(values: Sized) -> str:
    return ",".join("?" for _ in range(len(values)))


class _Repo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        async with self._conn.execute(sql, params) as cur:
            row = await cur.fetchone()
        return tuple(row) if row is not None else None

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        async with self._conn.execute(sql, params) as cur:
            rows = await cur.fetchall()
        return [tuple(r) for r in rows]

    async def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; return the number of rows it changed."""
        async with self._conn.execute(sql, params) as cur:
            return cur.rowcount

    async def _insert(self, sql: str, params: Sequence[Any]) -> int:
        async with self._conn.execute(sql, params) as cur:
            if cur.lastrowid is None:  # pragma: no cover - sqlite always sets it for INSERT
                raise RuntimeError("insert returned no row id")
            return cur.lastrowid


# --- articles ---------------------------------------------------------------------------------

_ARTICLE_COLS = (
    "id, title, lead, body, photos, photo_credit, source_name, source_url, original_source,"
    " original_url, canonical_url, source_published_at, tags, language, origin, status,"
    " author_id, decided_by, decided_at, reject_reason, embargo_until, breaking, version,"
    " created_at, updated_at, submitted_at, reminded_at, author_language, marks"
)


def _article(row: tuple[Any, ...]) -> Article:
    content = ArticleContent(
        title=row[1],
        lead=row[2],
        body=tuple(json.loads(row[3])),
        photos=photos_from_json(row[4]),
        photo_credit=row[5],
        source_name=row[6],
        source_url=row[7],
        original_source=row[8],
        original_url=row[9],
        canonical_url=row[10],
        published_at=from_iso(row[11]),
        tags=tuple(json.loads(row[12])),
        language=row[13],
        marks=marks_from_json(row[28]),
    )
    return Article(
        id=row[0],
        content=content,
        origin=row[14],
        status=ArticleStatus(row[15]),
        author_id=row[16],
        decided_by=row[17],
        decided_at=from_iso(row[18]),
        reject_reason=row[19],
        embargo_until=from_iso(row[20]),
        breaking=bool(row[21]),
        version=row[22],
        created_at=_dt(row[23]),
        updated_at=_dt(row[24]),
        submitted_at=from_iso(row[25]),
        reminded_at=from_iso(row[26]),
        author_language=row[27],
    )


def _content_params(c: ArticleContent) -> tuple[Any, ...]:
    return (
        c.title,
        c.lead,
        json.dumps(list(c.body), ensure_ascii=False),
        photos_to_json(c.photos),
        c.photo_credit,
        c.source_name,
        c.source_url,
        c.original_source,
        c.original_url,
        c.canonical_url,
        to_iso(c.published_at),
        json.dumps(list(c.tags), ensure_ascii=False),
        c.language,
        marks_to_json(c.marks),
    )


class ArticleRepo(_Repo):
    async def create(
        self,
        content: ArticleContent,
        *,
        author_id: int,
        origin: str,
        now: datetime,
        author_language: str = "",
        status: ArticleStatus = ArticleStatus.DRAFT,
    ) -> Article:
        article_id = await self._insert(
            "INSERT INTO articles (title, lead, body, photos, photo_credit, source_name,"
            " source_url, original_source, original_url, canonical_url, source_published_at,"
            " tags, language, marks, origin, status, author_id, author_language, created_at,"
            " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                *_content_params(content),
                origin,
                status.value,
                author_id,
                author_language,
                to_iso(now),
                to_iso(now),
            ),
        )
        created = await self.get(article_id)
        assert created is not None
        return created

    async def get(self, article_id: int) -> Article | None:
        row = await self._one(f"SELECT {_ARTICLE_COLS} FROM articles WHERE id = ?", (article_id,))
        return _article(row) if row else None

    async def update_content(
        self, article_id: int, content: ArticleContent, *, now: datetime
    ) -> Article | None:
        changed = await self._exec(
            "UPDATE articles SET title=?, lead=?, body=?, photos=?, photo_credit=?,"
            " source_name=?, source_url=?, original_source=?, original_url=?, canonical_url=?,"
            " source_published_at=?, tags=?, language=?, marks=?, version = version + 1,"
            " updated_at=?"
            " WHERE id = ? AND status <> 'deleted'",
            (*_content_params(content), to_iso(now), article_id),
        )
        return await self.get(article_id) if changed else None

    async def transition(
        self,
        article_id: int,
        *,
        allowed_from: Collection[ArticleStatus],
        to: ArticleStatus,
        now: datetime,
        actor_id: int | None = None,
        reason: str | None = None,
    ) -> Article | None:
        """Move to ``to`` only if the current status is one of ``allowed_from``.

        Returns the updated article, or None when another decision got there first.
        """
        decision = to in (ArticleStatus.APPROVED, ArticleStatus.REJECTED, ArticleStatus.SCHEDULED)
        sets = ["status = ?", "updated_at = ?"]
        params: list[Any] = [to.value, to_iso(now)]
        if decision and actor_id is not None:
            sets += ["decided_by = ?", "decided_at = ?"]
            params += [actor_id, to_iso(now)]
        if to is ArticleStatus.PENDING:
            sets += ["submitted_at = ?", "reminded_at = NULL"]
            params.append(to_iso(now))
        if reason is not None:
            sets.append("reject_reason = ?")
            params.append(reason)
        statuses = [s.value for s in allowed_from]
        changed = await self._exec(
            f"UPDATE articles SET {', '.join(sets)}"
            f" WHERE id = ? AND status IN ({_placeholders(statuses)})",
            (*params, article_id, *statuses),
        )
        return await self.get(article_id) if changed else None

    async def set_embargo(self, article_id: int, until: datetime | None, *, now: datetime) -> None:
        await self._exec(
            "UPDATE articles SET embargo_until = ?, updated_at = ? WHERE id = ?",
            (to_iso(until), to_iso(now), article_id),
        )

    async def set_breaking(self, article_id: int, breaking: bool, *, now: datetime) -> None:
        await self._exec(
            "UPDATE articles SET breaking = ?, updated_at = ? WHERE id = ?",
            (int(breaking), to_iso(now), article_id),
        )

    async def page(
        self,
        *,
        statuses: Iterable[ArticleStatus] | None = None,
        author_id: int | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> tuple[list[Article], int]:
        """A page of articles, newest first, and the total count for pagination."""
        where: list[str] = []
        params: list[Any] = []
        if statuses is not None:
            values = [s.value for s in statuses]
            where.append(f"status IN ({_placeholders(values)})")
            params += values
        if author_id is not None:
            where.append("author_id = ?")
            params.append(author_id)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        total_row = await self._one(f"SELECT COUNT(*) FROM articles {clause}", params)
        rows = await self._all(
            f"SELECT {_ARTICLE_COLS} FROM articles {clause} ORDER BY id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_article(r) for r in rows], int(total_row[0]) if total_row else 0

    async def count_by_status(self) -> dict[str, int]:
        rows = await self._all("SELECT status, COUNT(*) FROM articles GROUP BY status")
        return {str(r[0]): int(r[1]) for r in rows}

    async def recent_similar(
        self, *, canonical_url: str, since: datetime, exclude_id: int | None = None
    ) -> list[Article]:
        """Articles sharing the canonical URL, or created since ``since`` (for title checks)."""
        rows = await self._all(
            f"SELECT {_ARTICLE_COLS} FROM articles WHERE status <> 'deleted' AND id <> ?"
            " AND ((canonical_url <> '' AND canonical_url = ?) OR created_at >= ?)"
            " ORDER BY id DESC LIMIT 500",
            (exclude_id or 0, canonical_url, to_iso(since)),
        )
        return [_article(r) for r in rows]

    async def pending_to_remind(self, *, submitted_before: datetime) -> list[Article]:
        rows = await self._all(
            f"SELECT {_ARTICLE_COLS} FROM articles WHERE status = 'pending'"
            " AND reminded_at IS NULL AND submitted_at <= ? ORDER BY id",
            (to_iso(submitted_before),),
        )
        return [_article(r) for r in rows]

    async def mark_reminded(self, article_id: int, *, now: datetime) -> bool:
        return bool(
            await self._exec(
                "UPDATE articles SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL",
                (to_iso(now), article_id),
            )
        )


# --- publications -----------------------------------------------------------------------------

_PUB_COLS = (
    "id, article_id, channel_id, status, due_at, silent, attempts, message_ids, link,"
    " last_error, claimed_at, published_at"
)


def _publication(row: tuple[Any, ...]) -> Publication:
    return Publication(
        id=row[0],
        article_id=row[1],
        channel_id=row[2],
        status=PublicationStatus(row[3]),
        due_at=_dt(row[4]),
        silent=bool(row[5]),
        attempts=row[6],
        message_ids=tuple(json.loads(row[7])),
        link=row[8],
        last_error=row[9],
        claimed_at=from_iso(row[10]),
        published_at=from_iso(row[11]),
    )


class PublicationRepo(_Repo):
    async def get(self, pub_id: int) -> Publication | None:
        row = await self._one(f"SELECT {_PUB_COLS} FROM publications WHERE id = ?", (pub_id,))
        return _publication(row) if row else None

    async def schedule(
        self, *, article_id: int, channel_id: int, due_at: datetime, silent: bool, now: datetime
    ) -> Publication | None:
        """Create or re-arm the article x channel row; None if published or in flight."""
        await self._exec(
            "INSERT INTO publications (article_id, channel_id, status, due_at, silent,"
            " created_at, updated_at) VALUES (?, ?, 'scheduled', ?, ?, ?, ?)"
            " ON CONFLICT (article_id, channel_id) DO UPDATE SET"
            " status = 'scheduled', due_at = excluded.due_at, silent = excluded.silent,"
            " attempts = 0, last_error = '', updated_at = excluded.updated_at"
            " WHERE publications.status IN ('scheduled', 'failed', 'cancelled', 'held')",
            (article_id, channel_id, to_iso(due_at), int(silent), to_iso(now), to_iso(now)),
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
        row = await self._one("SELECT MIN(due_at) FROM publications WHERE status = 'scheduled'")
        return from_iso(row[0]) if row and row[0] else None

    async def due(self, *, now: datetime, limit: int = 50) -> list[Publication]:
        rows = await self._all(
            f"SELECT {_PUB_COLS} FROM publications WHERE status = 'scheduled' AND due_at <= ?"
            " ORDER BY due_at, id LIMIT ?",
            (to_iso(now), limit),
        )
        return [_publication(r) for r in rows]

    async def next_due_by_channel(self) -> dict[int, datetime]:
        """The earliest scheduled due time of each channel (the scheduler sleeps towards the
        channels that have no worker running)."""
        rows = await self._all(
            "SELECT channel_id, MIN(due_at) FROM publications WHERE status = 'scheduled'"
            " GROUP BY channel_id"
        )
        return {int(r[0]): _dt(r[1]) for r in rows}

    async def due_in_channel(self, channel_id: int, *, now: datetime, limit: int) -> list[int]:
        """Ids of one channel's due publications: breaking news first, then by due time."""
        rows = await self._all(
            "SELECT p.id FROM publications p JOIN articles a ON a.id = p.article_id"
            " WHERE p.status = 'scheduled' AND p.channel_id = ? AND p.due_at <= ?"
            " ORDER BY a.breaking DESC, p.due_at, p.id LIMIT ?",
            (channel_id, to_iso(now), limit),
        )
        return [int(r[0]) for r in rows]

    async def with_status(self, status: PublicationStatus) -> list[Publication]:
        rows = await self._all(
            f"SELECT {_PUB_COLS} FROM publications WHERE status = ? ORDER BY due_at, id",
            (status.value,),
        )
        return [_publication(r) for r in rows]

    async def upcoming(self, *, limit: int = 50, offset: int = 0) -> tuple[list[Publication], int]:
        """A page of what is still to go out (scheduled, in flight, held) and the total."""
        where = "WHERE status IN ('scheduled', 'publishing', 'held')"
        total = await self._one(f"SELECT COUNT(*) FROM publications {where}")
        rows = await self._all(
            f"SELECT {_PUB_COLS} FROM publications {where} ORDER BY due_at, id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_publication(r) for r in rows], int(total[0]) if total else 0

    async def recent_published(self, *, limit: int = 10) -> list[Publication]:
        rows = await self._all(
            f"SELECT {_PUB_COLS} FROM publications WHERE status = 'published'"
            " ORDER BY published_at DESC, id DESC LIMIT ?",
            (limit,),
        )
        return [_publication(r) for r in rows]

    async def taken_times(self, *, channel_id: int, since: datetime) -> list[datetime]:
        rows = await self._all(
            "SELECT due_at FROM publications WHERE channel_id = ? AND due_at >= ?"
            " AND status IN ('scheduled', 'publishing', 'published')",
            (channel_id, to_iso(since)),
        )
        return [_dt(r[0]) for r in rows]

    async def claim(self, pub_id: int, *, now: datetime) -> Publication | None:
        """scheduled -> publishing, only if still scheduled and due: the exactly-once gate."""
        changed = await self._exec(
            "UPDATE publications SET status = 'publishing', claimed_at = ?, updated_at = ?,"
            " attempts = attempts + 1 WHERE id = ? AND status = 'scheduled' AND due_at <= ?",
            (to_iso(now), to_iso(now), pub_id, to_iso(now)),
        )
        return await self.get(pub_id) if changed else None

    async def finish(
        self, pub_id: int, *, message_ids: Sequence[int], link: str, now: datetime
    ) -> bool:
        return bool(
            await self._exec(
                "UPDATE publications SET status = 'published', message_ids = ?, link = ?,"
                " published_at = ?, updated_at = ?, last_error = ''"
                " WHERE id = ? AND status IN ('publishing', 'held')",
                (json.dumps(list(message_ids)), link, to_iso(now), to_iso(now), pub_id),
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
    ) -> bool:
        sets = ["status = ?", "updated_at = ?"]
        params: list[Any] = [to.value, to_iso(now)]
        if error is not None:
            sets.append("last_error = ?")
            params.append(error)
        if due_at is not None:
            sets.append("due_at = ?")
            params.append(to_iso(due_at))
        statuses = [s.value for s in allowed_from]
        return bool(
            await self._exec(
                f"UPDATE publications SET {', '.join(sets)}"
                f" WHERE id = ? AND status IN ({_placeholders(statuses)})",
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
            "UPDATE publications SET status = 'cancelled', updated_at = ?"
            " WHERE article_id = ? AND status IN ('scheduled', 'held', 'failed')",
            (to_iso(now), article_id),
        )

    async def count_by_status(self) -> dict[str, int]:
        rows = await self._all("SELECT status, COUNT(*) FROM publications GROUP BY status")
        return {str(r[0]): int(r[1]) for r in rows}


# --- channels ---------------------------------------------------------------------------------

_CHANNEL_COLS = "id, chat_ref, chat_id, username, title, template, slots, quiet_hours, is_default"


def _channel(row: tuple[Any, ...]) -> Channel:
    return Channel(
        id=row[0],
        chat_ref=row[1],
        chat_id=row[2],
        username=row[3],
        title=row[4],
        template=json.loads(row[5] or "{}"),
        slots=tuple(json.loads(row[6] or "[]")),
        quiet_hours=row[7],
        is_default=bool(row[8]),
    )


class ChannelRepo(_Repo):
    async def ensure(
        self,
        chat_ref: str,
        *,
        now: datetime,
        chat_id: int | None = None,
        username: str = "",
        title: str = "",
        is_default: bool = False,
    ) -> Channel:
        """Insert the channel if new (keyed by the configured reference); return it."""
        await self._exec(
            "INSERT INTO channels (chat_ref, chat_id, username, title, is_default, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_ref) DO UPDATE SET"
            " chat_id = COALESCE(excluded.chat_id, channels.chat_id),"
            " username = CASE WHEN excluded.username <> '' THEN excluded.username"
            " ELSE channels.username END,"
            " title = CASE WHEN excluded.title <> '' THEN excluded.title ELSE channels.title END",
            (chat_ref, chat_id, username, title, int(is_default), to_iso(now)),
        )
        if is_default:
            await self._exec(
                "UPDATE channels SET is_default = (chat_ref = ?)",
                (chat_ref,),
            )
        channel = await self.by_ref(chat_ref)
        assert channel is not None
        return channel

    async def get(self, channel_id: int) -> Channel | None:
        row = await self._one(f"SELECT {_CHANNEL_COLS} FROM channels WHERE id = ?", (channel_id,))
        return _channel(row) if row else None

    async def by_ref(self, chat_ref: str) -> Channel | None:
        row = await self._one(
            f"SELECT {_CHANNEL_COLS} FROM channels WHERE chat_ref = ? OR username = ?"
            " OR CAST(chat_id AS TEXT) = ? ORDER BY id LIMIT 1",
            (chat_ref, chat_ref.lstrip("@"), chat_ref),
        )
        return _channel(row) if row else None

    async def default(self) -> Channel | None:
        row = await self._one(
            f"SELECT {_CHANNEL_COLS} FROM channels ORDER BY is_default DESC, id LIMIT 1"
        )
        return _channel(row) if row else None

    async def all(self) -> list[Channel]:
        rows = await self._all(f"SELECT {_CHANNEL_COLS} FROM channels ORDER BY id")
        return [_channel(r) for r in rows]

    async def update(
        self,
        channel_id: int,
        *,
        template: dict[str, Any] | None = None,
        slots: Sequence[str] | None = None,
        quiet_hours: str | None = None,
    ) -> None:
        if template is not None:
            await self._exec(
                "UPDATE channels SET template = ? WHERE id = ?",
                (json.dumps(template, ensure_ascii=False), channel_id),
            )
        if slots is not None:
            await self._exec(
                "UPDATE channels SET slots = ? WHERE id = ?", (json.dumps(list(slots)), channel_id)
            )
        if quiet_hours is not None:
            await self._exec(
                "UPDATE channels SET quiet_hours = ? WHERE id = ?", (quiet_hours, channel_id)
            )

    async def remove(self, channel_id: int) -> bool:
        return bool(await self._exec("DELETE FROM channels WHERE id = ?", (channel_id,)))

    async def chosen_for(self, article_id: int) -> list[int]:
        """Channel ids chosen for an article; empty means the default channel."""
        rows = await self._all(
            "SELECT channel_id FROM article_channels WHERE article_id = ? ORDER BY channel_id",
            (article_id,),
        )
        return [int(r[0]) for r in rows]

    async def toggle_chosen(self, article_id: int, channel_id: int) -> bool:
        """Choose or un-choose a channel for an article; return whether it is now chosen."""
        removed = await self._exec(
            "DELETE FROM article_channels WHERE article_id = ? AND channel_id = ?",
            (article_id, channel_id),
        )
        if removed:
            return False
        await self._exec(
            "INSERT INTO article_channels (article_id, channel_id) VALUES (?, ?)",
            (article_id, channel_id),
        )
        return True


# --- users ------------------------------------------------------------------------------------


class UserRepo(_Repo):
    async def get(self, user_id: int) -> User | None:
        row = await self._one(
            "SELECT id, role, language, name, added_by FROM users WHERE id = ?", (user_id,)
        )
        return User(*row) if row else None

    async def put(
        self, user_id: int, *, role: str, now: datetime, added_by: int | None, name: str = ""
    ) -> User:
        await self._exec(
            "INSERT INTO users (id, role, name, added_by, created_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET role = excluded.role, added_by = excluded.added_by",
            (user_id, role, name, added_by, to_iso(now)),
        )
        user = await self.get(user_id)
        assert user is not None
        return user

    async def remove(self, user_id: int) -> bool:
        return bool(await self._exec("DELETE FROM users WHERE id = ?", (user_id,)))

    async def all(self, *, role: str | None = None) -> list[User]:
        if role is None:
            rows = await self._all("SELECT id, role, language, name, added_by FROM users")
        else:
            rows = await self._all(
                "SELECT id, role, language, name, added_by FROM users WHERE role = ? ORDER BY id",
                (role,),
            )
        return [User(*r) for r in rows]


# --- feeds ------------------------------------------------------------------------------------

_FEED_COLS = (
    "id, url, title, mode, interval_s, etag, last_modified, next_poll_at, failures, last_error,"
    " error_reported, added_by"
)


def _feed(row: tuple[Any, ...]) -> Feed:
    return Feed(
        id=row[0],
        url=row[1],
        title=row[2],
        mode=row[3],
        interval_s=row[4],
        etag=row[5],
        last_modified=row[6],
        next_poll_at=_dt(row[7]),
        failures=row[8],
        last_error=row[9],
        error_reported=bool(row[10]),
        added_by=row[11],
    )


class FeedRepo(_Repo):
    async def add(
        self, url: str, *, mode: str, interval_s: int, added_by: int, now: datetime
    ) -> Feed | None:
        """None when the URL is already registered."""
        async with self._conn.execute(
            "INSERT OR IGNORE INTO feeds (url, mode, interval_s, next_poll_at, added_by,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (url, mode, interval_s, to_iso(now), added_by, to_iso(now)),
        ) as cur:
            if cur.rowcount == 0 or cur.lastrowid is None:
                return None
            feed_id = cur.lastrowid
        return await self.get(feed_id)

    async def get(self, feed_id: int) -> Feed | None:
        row = await self._one(f"SELECT {_FEED_COLS} FROM feeds WHERE id = ?", (feed_id,))
        return _feed(row) if row else None

    async def all(self) -> list[Feed]:
        return [_feed(r) for r in await self._all(f"SELECT {_FEED_COLS} FROM feeds ORDER BY id")]

    async def remove(self, feed_id: int) -> bool:
        return bool(await self._exec("DELETE FROM feeds WHERE id = ?", (feed_id,)))

    async def due(self, *, now: datetime) -> list[Feed]:
        rows = await self._all(
            f"SELECT {_FEED_COLS} FROM feeds WHERE next_poll_at <= ? ORDER BY next_poll_at",
            (to_iso(now),),
        )
        return [_feed(r) for r in rows]

    async def next_poll_at(self) -> datetime | None:
        row = await self._one("SELECT MIN(next_poll_at) FROM feeds")
        return from_iso(row[0]) if row and row[0] else None

    async def record_success(
        self,
        feed_id: int,
        *,
        title: str,
        etag: str | None,
        last_modified: str | None,
        next_poll_at: datetime,
    ) -> None:
        await self._exec(
            "UPDATE feeds SET title = CASE WHEN ? <> '' THEN ? ELSE title END, etag = ?,"
            " last_modified = ?, next_poll_at = ?, failures = 0, last_error = '',"
            " error_reported = 0 WHERE id = ?",
            (title, title, etag, last_modified, to_iso(next_poll_at), feed_id),
        )

    async def record_failure(self, feed_id: int, *, error: str, next_poll_at: datetime) -> Feed:
        await self._exec(
            "UPDATE feeds SET failures = failures + 1, last_error = ?, next_poll_at = ?"
            " WHERE id = ?",
            (error, to_iso(next_poll_at), feed_id),
        )
        feed = await self.get(feed_id)
        assert feed is not None
        return feed

    async def mark_error_reported(self, feed_id: int) -> None:
        await self._exec("UPDATE feeds SET error_reported = 1 WHERE id = ?", (feed_id,))

    async def mark_seen(
        self, feed_id: int, item_key: str, *, article_id: int | None, now: datetime
    ) -> bool:
        """Record an item; False when it had been seen already."""
        return bool(
            await self._exec(
                "INSERT OR IGNORE INTO feed_items (feed_id, item_key, article_id, seen_at)"
                " VALUES (?, ?, ?, ?)",
                (feed_id, item_key, article_id, to_iso(now)),
            )
        )

    async def seen(self, feed_id: int, item_key: str) -> bool:
        row = await self._one(
            "SELECT 1 FROM feed_items WHERE feed_id = ? AND item_key = ?", (feed_id, item_key)
        )
        return row is not None


# --- audit log, state, shown messages -----------------------------------------------------------


class AuditRepo(_Repo):
    async def append(
        self,
        *,
        now: datetime,
        actor_id: int | None,
        article_id: int | None,
        action: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        await self._exec(
            "INSERT INTO audit_log (at, actor_id, article_id, action, details)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                to_iso(now),
                actor_id,
                article_id,
                action,
                json.dumps(details or {}, ensure_ascii=False, default=str),
            ),
        )

    async def for_article(self, article_id: int, *, limit: int = 200) -> list[AuditEntry]:
        rows = await self._all(
            "SELECT id, at, actor_id, article_id, action, details FROM audit_log"
            " WHERE article_id = ? ORDER BY id LIMIT ?",
            (article_id, limit),
        )
        return [
            AuditEntry(
                id=r[0],
                at=_dt(r[1]),
                actor_id=r[2],
                article_id=r[3],
                action=r[4],
                details=json.loads(r[5]),
            )
            for r in rows
        ]


class StateRepo(_Repo):
    async def get(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM bot_state WHERE key = ?", (key,))
        return str(row[0]) if row else None

    async def set(self, key: str, value: str) -> None:
        await self._exec(
            "INSERT INTO bot_state (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


class MessageRepo(_Repo):
    async def add(
        self, *, article_id: int, kind: str, chat_id: int, message_id: int, now: datetime
    ) -> None:
        await self._exec(
            "INSERT OR IGNORE INTO article_messages (article_id, kind, chat_id, message_id,"
            " created_at) VALUES (?, ?, ?, ?, ?)",
            (article_id, kind, chat_id, message_id, to_iso(now)),
        )

    async def shown(self, article_id: int, kind: str) -> list[ShownMessage]:
        rows = await self._all(
            "SELECT article_id, kind, chat_id, message_id FROM article_messages"
            " WHERE article_id = ? AND kind = ? ORDER BY created_at, message_id",
            (article_id, kind),
        )
        return [ShownMessage(*r) for r in rows]

    async def find(self, *, chat_id: int, message_id: int) -> ShownMessage | None:
        row = await self._one(
            "SELECT article_id, kind, chat_id, message_id FROM article_messages"
            " WHERE chat_id = ? AND message_id = ? LIMIT 1",
            (chat_id, message_id),
        )
        return ShownMessage(*row) if row else None

    async def clear(self, article_id: int, kind: str) -> None:
        await self._exec(
            "DELETE FROM article_messages WHERE article_id = ? AND kind = ?", (article_id, kind)
        )
