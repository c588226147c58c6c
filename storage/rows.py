"""Frozen dataclasses the repositories return (never aiogram types, never sqlite rows)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain import ArticleContent, ArticleStatus, Mark, Photo, PublicationStatus


def to_iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not stored: pass an aware UTC datetime")
    return value.isoformat()


def from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


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


@dataclass(frozen=True, slots=True)
class Article:
    id: int
    content: ArticleContent
    status: ArticleStatus
    author_id: int
    origin: str
    decided_by: int | None
    decided_at: datetime | None
    reject_reason: str
    embargo_until: datetime | None
    breaking: bool
    version: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None
    reminded_at: datetime | None = None
    author_language: str = ""


@dataclass(frozen=True, slots=True)
class Publication:
    id: int
    article_id: int
    channel_id: int
    status: PublicationStatus
    due_at: datetime
    silent: bool
    attempts: int
    message_ids: tuple[int, ...]
    link: str
    last_error: str
    claimed_at: datetime | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class Channel:
    id: int
    chat_ref: str
    chat_id: int | None
    username: str
    title: str
    template: dict[str, Any]
    slots: tuple[str, ...]
    quiet_hours: str
    is_default: bool

    @property
    def target(self) -> int | str:
        """What to pass as ``chat_id`` to the Bot API."""
        return self.chat_id if self.chat_id is not None else self.chat_ref


@dataclass(frozen=True, slots=True)
class User:
    id: int
    role: str
    language: str
    name: str
    added_by: int | None


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    url: str
    title: str
    mode: str
    interval_s: int
    etag: str | None
    last_modified: str | None
    next_poll_at: datetime
    failures: int
    last_error: str
    error_reported: bool
    added_by: int


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor_id: int | None
    article_id: int | None
    action: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ShownMessage:
    article_id: int
    kind: str
    chat_id: int
    message_id: int
