"""Everything an editor sends that is not a command becomes (part of) a draft.

Pasted text, a photo with or without caption, albums, forwarded channel posts and bare links.
Included after the command routers, so it only sees what they did not take.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import aiohttp
from aiogram import BaseMiddleware, F, Router
from aiogram.filters import CommandObject
from aiogram.types import CallbackQuery, Message, MessageOriginChannel, TelegramObject
from aiogram.utils.i18n import gettext as _

from bot.albums import AlbumMemo
from bot.domain import Article, ArticleContent
from bot.ingest.entities import keep_formatting
from bot.ingest.fetch import FetchError
from bot.ingest.report import ParseReport
from bot.ingest.text import parse_article_report
from bot.ingest.web import import_url
from bot.limits import ALBUM_MAX, MAX_PHOTO_BYTES_UPLOAD
from bot.middlewares import Data, NextHandler
from bot.presenters.cards import Cards
from bot.roles import HasRole, Role
from bot.texts import echo
from bot.views import commands
from bot.views.replies import fetch_error_text
from bot.workflow import drafts, queries
from bot.workflow.ports import Desk
from handlers.common import STALE_BUTTON, alert, formatting_of, photo_of, show_new_draft

_BARE_URL = r"^\s*https?://\S+\s*$"
# Locks of recent albums kept by one process; an album's photos arrive within seconds.
_ALBUM_LOCKS = 256


class _AlbumInOrder(BaseMiddleware):
    """Handles the items of one album one at a time: they arrive as concurrent updates and must
    land in one draft. (Across instances, Redis's event isolation already does this per sender;
    the group → draft map itself is the dispatcher's ``albums``, see :mod:`bot.albums`.)"""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}

    async def __call__(self, handler: NextHandler, event: TelegramObject, data: Data) -> Any:
        group = event.media_group_id if isinstance(event, Message) else None
        if group is None:
            return await handler(event, data)
        lock = self._locks.setdefault(group, asyncio.Lock())
        async with lock:
            result = await handler(event, data)
        for key in list(self._locks)[: max(0, len(self._locks) - _ALBUM_LOCKS)]:
            self._locks.pop(key, None)
        return result


def parse_message(message: Message, desk: Desk) -> ArticleContent:
    """The article in a message's text or caption, with its bold, italics and links kept."""
    return parse_message_report(message, desk)[0]


def parse_message_report(message: Message, desk: Desk) -> tuple[ArticleContent, ParseReport]:
    """``parse_message`` and what the parser was not sure of (for the draft card, issue 13)."""
    text = message.text or message.caption or ""
    if not text:
        return ArticleContent(), ParseReport()
    content, report = parse_article_report(text, tz=desk.settings.tz, now=desk.clock.now())
    entities = message.entities if message.text else message.caption_entities
    return keep_formatting(content, text, formatting_of(entities)), report


async def _import(
    message: Message,
    url: str,
    desk: Desk,
    cards: Cards,
    role: Role,
    language: str,
) -> None:
    progress = await message.answer(_("Fetching {url}…").format(url=echo(url)))
    try:
        async with aiohttp.ClientSession() as session:
            content = await import_url(
                session, url, allow_private=desk.settings.allow_private_urls
            )
    except FetchError as exc:
        await progress.edit_text(fetch_error_text(exc.code))
        return
    if not content.title and not content.body:
        await progress.edit_text(_("I found no article text on this page."))
        return
    await progress.delete()
    await show_new_draft(message, desk, cards, content, role=role, language=language, origin="url")


async def cmd_import(
    message: Message,
    command: CommandObject,
    desk: Desk,
    cards: Cards,
    role: Role,
    language: str,
) -> None:
    url = (command.args or "").strip()
    if not url:
        await message.answer(_("Usage: /import URL"))
        return
    await _import(message, url, desk, cards, role, language)


async def on_forward(
    message: Message,
    origin: MessageOriginChannel,
    desk: Desk,
    cards: Cards,
    role: Role,
    language: str,
) -> None:
    content = parse_message(message, desk)
    chat = origin.chat
    link = f"https://t.me/{chat.username}/{origin.message_id}" if chat.username else ""
    photo = photo_of(message)
    content = replace(
        content,
        source_name=chat.title or (f"@{chat.username}" if chat.username else ""),
        source_url=link or content.source_url,
        original_url=link,
        canonical_url=link or content.canonical_url,
        photos=(photo,) if photo else content.photos,
    )
    if not content.title and not content.body and not content.photos:
        await message.answer(_("This forwarded post has nothing I can use (no text, no photo)."))
        return
    await show_new_draft(
        message, desk, cards, content, role=role, language=language, origin="forward"
    )


async def on_url(message: Message, desk: Desk, cards: Cards, role: Role, language: str) -> None:
    assert message.text is not None
    await _import(message, message.text.strip(), desk, cards, role, language)


async def on_text(message: Message, desk: Desk, cards: Cards, role: Role, language: str) -> None:
    assert message.text is not None
    text = message.text
    if not text.strip():
        await message.answer(_("The message is empty: paste the article text."))
        return
    if len(text) > desk.settings.max_article_chars:
        await message.answer(
            _("The text is too long ({size} characters, at most {limit}).").format(
                size=len(text), limit=desk.settings.max_article_chars
            )
        )
        return
    if text.startswith("/"):
        await message.answer(_("Unknown command. /help lists what I understand."))
        return
    content, report = parse_message_report(message, desk)
    if not content.title and not content.body:
        await message.answer(_("I could not find any article text in this message."))
        return
    await show_new_draft(
        message, desk, cards, content, role=role, language=language, origin="text", report=report
    )


def _too_large(message: Message) -> bool:
    photo = photo_of(message)
    return photo is not None and photo.file_size > MAX_PHOTO_BYTES_UPLOAD


async def on_photo_too_large(message: Message) -> None:
    await message.answer(
        _("This photo is larger than Telegram allows ({limit} MB).").format(
            limit=MAX_PHOTO_BYTES_UPLOAD // (1024 * 1024)
        )
    )


async def on_photo(
    message: Message,
    desk: Desk,
    cards: Cards,
    role: Role,
    language: str,
    albums: AlbumMemo,
) -> None:
    """A captioned photo starts a draft; one without a caption joins the draft its album
    feeds, the draft replied to, or the sender's latest draft (else it starts one)."""
    assert message.from_user is not None
    photo = photo_of(message)
    assert photo is not None
    group = message.media_group_id
    target_id = await albums.draft(group) if group else None

    async def new_draft(content: ArticleContent, report: ParseReport | None = None) -> Article:
        created = await show_new_draft(
            message,
            desk,
            cards,
            content,
            role=role,
            language=language,
            origin="photo",
            report=report,
        )
        if group:
            await albums.remember(group, created.id)
        return created

    if target_id is None and message.caption:
        parsed, report = parse_message_report(message, desk)
        await new_draft(replace(parsed, photos=(photo,)), report)
        return
    article: Article | None = None
    if target_id is not None:
        article = await drafts.get_live(desk.db, target_id)
        if (
            article is not None
            and message.caption
            and not article.content.title
            and not article.content.body
        ):
            # Any item of an album may carry the caption, not only the first: the draft the
            # earlier items made takes its text.
            parsed, report = parse_message_report(message, desk)
            await drafts.update_content(
                desk,
                article,
                replace(parsed, photos=(*article.content.photos, photo)[:ALBUM_MAX]),
                actor_id=message.from_user.id,
                action="photo",
                report=report,
            )
            return
    elif message.reply_to_message is not None:
        replied = message.reply_to_message.message_id
        shown = await queries.shown_article(desk.db, message.chat.id, replied)
        article = await drafts.get_live(desk.db, shown) if shown else None
    if article is None:
        article = await queries.current_draft(desk.db, message.from_user.id)
    if article is None or (article.author_id != message.from_user.id and role is not Role.ADMIN):
        article = await new_draft(ArticleContent(photos=(photo,)))
        await message.answer(
            _(
                "I made a new draft #{id} with this photo: send its text with /edit {id} body …"
            ).format(id=article.id)
        )
        return
    if group:
        await albums.remember(group, article.id)
    updated = await drafts.attach_photos(
        desk, article, [photo], actor_id=message.from_user.id, replace_all=False
    )
    if updated is not None and not group:
        await message.answer(_("Photo added to draft #{id}.").format(id=article.id))


async def on_other(message: Message) -> None:
    await message.answer(
        _(
            "I can't make an article from this kind of message. Send text, a photo, a link "
            "or forward a channel post."
        )
    )


async def on_unknown_button(query: CallbackQuery) -> None:
    await alert(query, STALE_BUTTON)


def setup() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.EDITOR), F.chat.type == "private")
    router.callback_query.filter(HasRole(Role.EDITOR))
    router.message.middleware(_AlbumInOrder())
    register = router.message.register
    register(cmd_import, commands.IMPORT.filter())
    register(on_forward, F.forward_origin.as_("origin"), F.forward_origin.type == "channel")
    register(on_url, F.text.regexp(_BARE_URL))
    register(on_text, F.text)
    register(on_photo_too_large, F.photo, F.func(_too_large))
    register(on_photo, F.photo)
    register(on_other)
    router.callback_query.register(on_unknown_button)
    return router
