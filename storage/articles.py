"""Articles: the editorial content and its status (drafts, review decisions, reminders)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from bot.domain import ArticleContent, ArticleStatus
from storage.base import Repo, placeholders, require_dt
from storage.rows import (
    Article,
    from_iso,
    marks_from_json,
    marks_to_json,
    photos_from_json,
    photos_to_json,
    to_iso,
)

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
        created_at=require_dt(row[23]),
        updated_at=require_dt(row[24]),
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


class ArticleRepo(Repo):
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
            f" WHERE id = ? AND status IN ({placeholders(statuses)})",
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
            where.append(f"status IN ({placeholders(values)})")
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
