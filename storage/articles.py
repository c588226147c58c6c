"""Articles: the editorial content and its status (drafts, review decisions, reminders)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from bot.domain import Article, ArticleContent, ArticleStatus, Doubts, Mark, Photo
from storage.base import Repo, Row, from_iso, placeholders, require_dt, to_iso
from storage.titles import Candidate, band_keys, fold_title

# How many look-alike candidates the band keys hand over to be scored.
TITLE_CANDIDATES = 32


def photos_to_json(photos: tuple[Photo, ...]) -> str:
    return json.dumps(
        [
            {
                "ref": p.ref,
                "is_url": p.is_url,
                "width": p.width,
                "height": p.height,
                "file_size": p.file_size,
            }
            for p in photos
        ],
        ensure_ascii=False,
    )


def photos_from_json(raw: str) -> tuple[Photo, ...]:
    items: list[dict[str, Any]] = json.loads(raw or "[]")
    return tuple(
        Photo(
            ref=str(i["ref"]),
            is_url=bool(i.get("is_url", False)),
            width=int(i.get("width", 0)),
            height=int(i.get("height", 0)),
            file_size=int(i.get("file_size", 0)),
        )
        for i in items
    )


def marks_to_json(marks: tuple[Mark, ...]) -> str:
    return json.dumps([[m.para, m.start, m.end, m.type, m.url] for m in marks], ensure_ascii=False)


def marks_from_json(raw: str) -> tuple[Mark, ...]:
    items: list[list[Any]] = json.loads(raw or "[]")
    return tuple(Mark(int(p), int(s), int(e), str(t), u) for p, s, e, t, u in items)


def doubts_to_json(doubts: Doubts) -> str:
    return json.dumps(
        {
            "warnings": list(doubts.warnings),
            "source_candidates": list(doubts.source_candidates),
            "default_from": doubts.default_from,
        },
        ensure_ascii=False,
    )


def doubts_from_json(raw: str) -> Doubts:
    item: dict[str, Any] = json.loads(raw or "{}")
    return Doubts(
        warnings=tuple(str(w) for w in item.get("warnings", ())),
        source_candidates=tuple(str(c) for c in item.get("source_candidates", ())),
        default_from=str(item.get("default_from", "")),
    )


_ARTICLE_COLS = (
    "id, title, lead, body, photos, photo_credit, source_name, source_url, original_source,"
    " original_url, canonical_url, source_published_at, tags, language, origin, status,"
    " author_id, decided_by, decided_at, reject_reason, embargo_until, breaking, version,"
    " created_at, updated_at, submitted_at, reminded_at, author_language, marks, doubts"
)


def _article(row: Row) -> Article:
    content = ArticleContent(
        title=row["title"],
        lead=row["lead"],
        body=tuple(json.loads(row["body"])),
        photos=photos_from_json(row["photos"]),
        photo_credit=row["photo_credit"],
        source_name=row["source_name"],
        source_url=row["source_url"],
        original_source=row["original_source"],
        original_url=row["original_url"],
        canonical_url=row["canonical_url"],
        published_at=from_iso(row["source_published_at"]),
        tags=tuple(json.loads(row["tags"])),
        language=row["language"],
        marks=marks_from_json(row["marks"]),
    )
    return Article(
        id=row["id"],
        content=content,
        origin=row["origin"],
        status=ArticleStatus(row["status"]),
        author_id=row["author_id"],
        decided_by=row["decided_by"],
        decided_at=from_iso(row["decided_at"]),
        reject_reason=row["reject_reason"],
        embargo_until=from_iso(row["embargo_until"]),
        breaking=bool(row["breaking"]),
        version=row["version"],
        created_at=require_dt(row["created_at"]),
        updated_at=require_dt(row["updated_at"]),
        submitted_at=from_iso(row["submitted_at"]),
        reminded_at=from_iso(row["reminded_at"]),
        author_language=row["author_language"],
        doubts=doubts_from_json(row["doubts"]),
    )


def _content_columns(c: ArticleContent) -> dict[str, Any]:
    """The content's columns and values: the one place both INSERT and UPDATE take them from."""
    return {
        "title": c.title,
        "title_folded": fold_title(c.title),  # the duplicate check's exact match (0007)
        "lead": c.lead,
        "body": json.dumps(list(c.body), ensure_ascii=False),
        "photos": photos_to_json(c.photos),
        "photo_credit": c.photo_credit,
        "source_name": c.source_name,
        "source_url": c.source_url,
        "original_source": c.original_source,
        "original_url": c.original_url,
        "canonical_url": c.canonical_url,
        "source_published_at": to_iso(c.published_at),
        "tags": json.dumps(list(c.tags), ensure_ascii=False),
        "language": c.language,
        "marks": marks_to_json(c.marks),
    }


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
        doubts: Doubts | None = None,
    ) -> Article:
        columns = {
            **_content_columns(content),
            "doubts": doubts_to_json(doubts or Doubts()),
            "origin": origin,
            "status": status.value,
            "author_id": author_id,
            "author_language": author_language,
            "created_at": to_iso(now),
            "updated_at": to_iso(now),
        }
        # Column names come from the code above, never from input; the values stay parameters.
        # RETURNING: the stored row (with the defaults the schema fills in) comes back with the
        # insert, not from a second statement (each one a trip to the database, issue 14).
        row = await self._one(
            f"INSERT INTO articles ({', '.join(columns)}) VALUES ({placeholders(columns)})"
            f" RETURNING {_ARTICLE_COLS}",
            tuple(columns.values()),
        )
        if row is None:
            raise RuntimeError("insert returned no row")
        created = _article(row)
        # A new id has no keys yet: nothing to replace.
        await self._write_keys(created.id, str(columns["title_folded"]), fresh=True)
        return created

    async def _write_keys(self, article_id: int, folded: str, *, fresh: bool = False) -> None:
        """Replace the article's band keys (what the duplicate check looks it up by); ``fresh``:
        the article was just inserted, so it has none to delete."""
        if not fresh:
            await self._exec("DELETE FROM title_keys WHERE article_id = ?", (article_id,))
        await self._executemany(
            "INSERT INTO title_keys (key, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(key, article_id) for key in band_keys(folded)],
        )

    async def get(self, article_id: int) -> Article | None:
        row = await self._one(f"SELECT {_ARTICLE_COLS} FROM articles WHERE id = ?", (article_id,))
        return _article(row) if row else None

    async def titles(self, article_ids: Collection[int]) -> dict[int, str]:
        """The titles of the articles named, in one query (a list shows many at once)."""
        ids = sorted(set(article_ids))
        if not ids:
            return {}
        rows = await self._all(
            f"SELECT id, title FROM articles WHERE id IN ({placeholders(ids)})", ids
        )
        return {int(r["id"]): str(r["title"]) for r in rows}

    async def update_content(
        self, article_id: int, content: ArticleContent, *, now: datetime
    ) -> Article | None:
        content_columns = _content_columns(content)
        sets = ", ".join(f"{name} = ?" for name in content_columns)
        changed = await self._exec(
            f"UPDATE articles SET {sets}, version = version + 1, updated_at = ?"
            " WHERE id = ? AND status <> ?",
            (*content_columns.values(), to_iso(now), article_id, ArticleStatus.DELETED.value),
        )
        if not changed:
            return None
        await self._write_keys(article_id, str(content_columns["title_folded"]))
        return await self.get(article_id)

    async def set_doubts(self, article_id: int, doubts: Doubts) -> None:
        """What is still unsure about the draft (no version bump: the content did not change)."""
        await self._exec(
            "UPDATE articles SET doubts = ? WHERE id = ?", (doubts_to_json(doubts), article_id)
        )

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
        total = await self._count(f"SELECT COUNT(*) AS n FROM articles {clause}", params)
        rows = await self._all(
            f"SELECT {_ARTICLE_COLS} FROM articles {clause} ORDER BY id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_article(r) for r in rows], total

    async def count_by_status(self) -> dict[str, int]:
        rows = await self._all("SELECT status, COUNT(*) AS n FROM articles GROUP BY status")
        return {str(r["status"]): int(r["n"]) for r in rows}

    async def duplicate_candidates(
        self, *, canonical_url: str, title: str, since: datetime, exclude_id: int
    ) -> list[Candidate]:
        """The few articles ``title``/``canonical_url`` may repeat, newest first, from indexes.

        Any time: the same canonical URL. Created since ``since``: the same folded title, and
        the titles most like it (at most TITLE_CANDIDATES, :meth:`_look_alikes`). Only what
        scoring needs is read; the caller loads the few it keeps.
        """
        found: dict[int, Candidate] = {}
        cols = "SELECT id, title, canonical_url, title_folded FROM articles"
        live = f"status <> '{ArticleStatus.DELETED.value}' AND id <> ?"
        if canonical_url:
            rows = await self._all(
                f"{cols} WHERE canonical_url <> '' AND canonical_url = ? AND {live}"
                " ORDER BY id DESC LIMIT ?",
                (canonical_url, exclude_id, TITLE_CANDIDATES),
            )
            found.update((r["id"], Candidate(*r)) for r in rows)
        folded = fold_title(title)
        first_id = await self._first_id_since(since) if folded else None
        if first_id is not None:
            rows = await self._all(
                f"{cols} WHERE title_folded <> '' AND title_folded = ? AND id >= ?"
                f" AND created_at >= ? AND {live} ORDER BY id DESC LIMIT ?",
                (folded, first_id, to_iso(since), exclude_id, TITLE_CANDIDATES),
            )
            found.update((r["id"], Candidate(*r)) for r in rows)
            rows = await self._look_alikes(
                folded, first_id=first_id, since=since, live=live, exclude_id=exclude_id
            )
            found.update((r["id"], Candidate(*r)) for r in rows)
        return [found[i] for i in sorted(found, reverse=True)]

    async def _look_alikes(
        self, folded: str, *, first_id: int, since: datetime, live: str, exclude_id: int
    ) -> list[Row]:
        """Inside the window, the (at most TITLE_CANDIDATES) titles most like ``folded``:
        by trigram similarity where PostgreSQL has pg_trgm (``articles_title_trgm``), else by
        shared band keys. Either way the caller scores them with the same rapidfuzz ratio."""
        cols = "SELECT id, title, canonical_url, title_folded FROM articles"
        # PgSql says whether the extension and its index were set up (storage.backends.postgres);
        # SQLite's connection has no such attribute.
        if getattr(self._conn, "trigram", False):
            # ``%``: similarity above pg_trgm.similarity_threshold (0.3 by default; one changed
            # word in a headline is ~0.8), from the GIN index; ``title_folded <> ''`` lets the
            # planner use that partial index.
            return await self._all(
                f"{cols} WHERE title_folded % ? AND title_folded <> '' AND id >= ?"
                f" AND created_at >= ? AND {live}"
                " ORDER BY similarity(title_folded, ?) DESC, id DESC LIMIT ?",
                (folded, first_id, to_iso(since), exclude_id, folded, TITLE_CANDIDATES),
            )
        if not (keys := band_keys(folded)):
            return []
        # The articles sharing most band keys; article_id >= first_id keeps each key's seek
        # inside the window, so the cost does not follow the history's size.
        return await self._all(
            f"{cols} WHERE id IN (SELECT article_id FROM title_keys"
            f" WHERE key IN ({placeholders(keys)}) AND article_id >= ? AND article_id <> ?"
            " GROUP BY article_id ORDER BY COUNT(*) DESC, article_id DESC LIMIT ?)"
            f" AND created_at >= ? AND {live}",
            (*keys, first_id, exclude_id, TITLE_CANDIDATES, to_iso(since), exclude_id),
        )

    async def _first_id_since(self, since: datetime) -> int | None:
        """The lowest id among articles created since ``since`` (ids mostly follow time, but a
        clock set back must not hide a row, hence MIN over the window, not the first row)."""
        row = await self._one(
            # INDEXED BY: SQLite would otherwise walk the primary key from the oldest row up
            # (PostgreSQL's planner needs no hint: the statement drops it there).
            "SELECT MIN(id) AS id FROM articles INDEXED BY articles_created WHERE created_at >= ?",
            (to_iso(since),),
        )
        return None if row is None or row["id"] is None else int(row["id"])

    async def pending_to_remind(self, *, submitted_before: datetime) -> list[Article]:
        rows = await self._all(
            f"SELECT {_ARTICLE_COLS} FROM articles WHERE status = ?"
            " AND reminded_at IS NULL AND submitted_at <= ? ORDER BY id",
            (ArticleStatus.PENDING.value, to_iso(submitted_before)),
        )
        return [_article(r) for r in rows]

    async def mark_reminded(self, article_id: int, *, now: datetime) -> bool:
        return bool(
            await self._exec(
                "UPDATE articles SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL",
                (to_iso(now), article_id),
            )
        )
