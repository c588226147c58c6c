"""Drafts: create, edit, choose channels, submit for review, delete."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from rapidfuzz import fuzz

from bot.compose import ALBUM_MAX, Problem, check, compose
from bot.config import Settings
from bot.domain import Article, ArticleContent, ArticleStatus, Doubts, Photo, Post
from bot.ingest.report import ParseReport, ParseWarning
from bot.templates import template_for
from bot.workflow import doubts as doubting
from bot.workflow.audit import record
from bot.workflow.corrections import correct_published
from bot.workflow.ports import Desk
from bot.workflow.results import Outcome, Result
from storage.db import Database, UnitOfWork
from storage.titles import fold_title

DUPLICATE_WINDOW = timedelta(days=3)
# rapidfuzz's ratio (Indel similarity, 0..100) on folded titles from which a title is a
# look-alike: about what difflib's ratio >= 0.9 found before, one changed word in a headline.
SIMILAR_TITLE_RATIO = 90.0
# Statuses a draft may still be deleted from (later ones went out, or are about to).
DELETABLE = (ArticleStatus.DRAFT, ArticleStatus.REJECTED, ArticleStatus.PENDING)


@dataclass(frozen=True, slots=True)
class Created:
    article: Article
    duplicates: list[Article]  # earlier articles it may repeat, at most three


def similar_title(a: str, b: str) -> bool:
    return similar_folded(fold_title(a), fold_title(b))


def similar_folded(a: str, b: str) -> bool:
    """Two titles already folded (``fold_title``) are the same story's."""
    if not a or not b:
        return False
    return a == b or fuzz.ratio(a, b) >= SIMILAR_TITLE_RATIO


async def create_draft(
    desk: Desk,
    content: ArticleContent,
    *,
    author_id: int,
    language: str,
    origin: str,
    report: ParseReport | None = None,
) -> Created:
    """Store a new draft; also find earlier articles it may duplicate.

    ``report``: what the parser of pasted copy was not sure of; kept with the draft, and a copy
    that names no source takes the editor's (else the default channel's) default source.
    """
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        return await create_in(
            uow,
            content,
            author_id=author_id,
            language=language,
            origin=origin,
            report=report,
            now=now,
        )


async def create_in(
    uow: UnitOfWork,
    content: ArticleContent,
    *,
    author_id: int,
    language: str,
    origin: str,
    now: datetime,
    report: ParseReport | None = None,
) -> Created:
    """:func:`create_draft` inside the caller's unit of work (a feed item's, with its
    bookkeeping and its submission)."""
    doubts: Doubts | None = None
    details: dict[str, object] = {}
    if report is not None:
        content, doubts, details = await doubting.parsed(uow, content, report, author_id)
    article = await uow.articles.create(
        content,
        author_id=author_id,
        origin=origin,
        now=now,
        author_language=language,
        doubts=doubts,
    )
    await record(
        uow,
        "created",
        now=now,
        actor_id=author_id,
        article_id=article.id,
        origin=origin,
        **details,
    )
    # A few candidates from the indexes (not the whole window): score them, load three.
    candidates = await uow.articles.duplicate_candidates(
        canonical_url=content.canonical_url,
        title=content.title,
        since=now - DUPLICATE_WINDOW,
        exclude_id=article.id,
    )
    folded = fold_title(content.title)
    matching = [
        c.id
        for c in candidates
        if (content.canonical_url and c.canonical_url == content.canonical_url)
        or similar_folded(c.folded, folded)
    ]
    duplicates = [a for i in matching[:3] if (a := await uow.articles.get(i)) is not None]
    return Created(article, duplicates)


async def get_live(db: Database, article_id: int) -> Article | None:
    """The article, unless it does not exist or was deleted."""
    async with db.read() as uow:
        article = await uow.articles.get(article_id)
    if article is None or article.status is ArticleStatus.DELETED:
        return None
    return article


async def get_for(db: Database, article_id: int, *, user_id: int, is_admin: bool) -> Result:
    """The article if this user may work on it: admins on any, editors on their own."""
    article = await get_live(db, article_id)
    if article is None:
        return Result(Outcome.NOT_FOUND)
    if not is_admin and article.author_id != user_id:
        return Result(Outcome.NOT_YOURS, article)
    return Result(Outcome.OK, article)


@dataclass(frozen=True, slots=True)
class Shown:
    """What a card shows of an article: the post as the default channel will show it, what the
    editor and the reviewers are warned about, and (for a draft whose copy names no source)
    the default source its card offers."""

    post: Post
    problems: tuple[Problem, ...]
    default: doubting.DefaultSource | None = None


async def post_and_checks(db: Database, settings: Settings, article: Article) -> Shown:
    """One read and one compose for everything a shown card needs (a card showing it used to
    read the default channel three times and compose twice, the largest share of a paste's CPU
    after the HTTP calls, issue 14)."""
    async with db.read() as uow:
        channel = await uow.channels.default()
        default = None
        if ParseWarning.NO_SOURCE in article.doubts.warnings:
            own = await uow.prefs.default_source(article.author_id)
            default = doubting.default_of(own, channel)
    template = template_for(channel, settings)
    post = compose(article.content, template)
    return Shown(post, check(article.content, post, template), default)


async def update_content(
    desk: Desk,
    article: Article,
    content: ArticleContent,
    *,
    actor_id: int,
    action: str,
    updated_mark: bool = False,
    details: dict[str, object] | None = None,
    report: ParseReport | None = None,
) -> Article | None:
    """Replace the content; a published article's channel posts are corrected too.

    ``details``: more for the audit entry (what a one-tap fix chose, and why); ``report``:
    the content is a fresh parse (an album's caption), whose doubts replace the draft's."""
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        fresh = None
        if report is not None:
            content, fresh, parse_details = await doubting.parsed(
                uow, content, report, article.author_id
            )
            details = {**parse_details, **(details or {})}
        updated = await uow.articles.update_content(article.id, content, now=now)
        if updated is None:
            return None
        # Issue 13: editing a field the parser was unsure of settles that doubt.
        settled = (
            fresh
            if fresh is not None
            else doubting.settle(updated.doubts, article.content, content, action)
        )
        if settled != updated.doubts:
            await uow.articles.set_doubts(article.id, settled)
            updated = replace(updated, doubts=settled)
        await record(
            uow,
            action,
            now=now,
            actor_id=actor_id,
            article_id=article.id,
            version=updated.version,
            **(details or {}),
        )
    if updated.status is ArticleStatus.PUBLISHED:
        await correct_published(desk, updated, actor_id=actor_id, updated_mark=updated_mark)
    await desk.notifier.content_changed(updated)
    return updated


async def attach_photos(
    desk: Desk, article: Article, photos: Sequence[Photo], *, actor_id: int, replace_all: bool
) -> Article | None:
    kept = () if replace_all else article.content.photos
    merged = (*kept, *photos)[:ALBUM_MAX]  # what one Telegram album holds
    return await update_content(
        desk, article, replace(article.content, photos=merged), actor_id=actor_id, action="photo"
    )


async def delete(desk: Desk, article: Article, *, actor_id: int) -> Result:
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        deleted = await uow.articles.transition(
            article.id, allowed_from=DELETABLE, to=ArticleStatus.DELETED, now=now
        )
        if deleted is None:
            return Result(Outcome.WRONG_STATE, article)
        await uow.publications.cancel_scheduled(article.id, now=now)
        await record(uow, "deleted", now=now, actor_id=actor_id, article_id=article.id)
    return Result(Outcome.OK, deleted)


async def toggle_channel(desk: Desk, article: Article, channel_id: int, *, actor_id: int) -> bool:
    """Choose or unchoose a channel for the article; False when the channel does not exist."""
    async with desk.db.transaction() as uow:
        if await uow.channels.get(channel_id) is None:
            return False
        chosen = await uow.channels.toggle_chosen(article.id, channel_id)
        await record(
            uow,
            "channel_chosen" if chosen else "channel_unchosen",
            now=desk.clock.now(),
            actor_id=actor_id,
            article_id=article.id,
            channel=channel_id,
        )
    return True


async def submit(desk: Desk, article: Article, *, actor_id: int, author_name: str) -> Result:
    """Send a draft for review: the reviewers get a card."""
    refused = submit_refused(desk, article)
    if refused is not None:
        return refused
    now = desk.clock.now()
    async with desk.db.transaction() as uow:
        pending = await submit_in(
            uow, article, actor_id=actor_id, author_name=author_name, now=now
        )
    if pending is None:
        return Result(Outcome.WRONG_STATE, article)
    await desk.notifier.submitted(pending, author_name=author_name)
    return Result(Outcome.OK, pending)


def submit_refused(desk: Desk, article: Article) -> Result | None:
    """Why ``article`` cannot go to review at all (None: it can)."""
    if desk.settings.admin_chat_id is None:
        return Result(Outcome.NO_CHANNEL, article)  # nobody to review it
    if not article.content.title and not article.content.body:
        return Result(Outcome.INVALID, article, detail="empty")
    return None


async def submit_in(
    uow: UnitOfWork, article: Article, *, actor_id: int, author_name: str, now: datetime
) -> Article | None:
    """The submission inside the caller's unit of work: the article now pending, or None when
    it was not a draft (or a rejected one) any more. The caller tells the reviewers after the
    commit (``Notifier.submitted``)."""
    pending = await uow.articles.transition(
        article.id,
        allowed_from=(ArticleStatus.DRAFT, ArticleStatus.REJECTED),
        to=ArticleStatus.PENDING,
        now=now,
        reason="",
    )
    if pending is not None:
        await record(
            uow, "submitted", now=now, actor_id=actor_id, article_id=article.id, author=author_name
        )
    return pending
