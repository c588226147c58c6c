"""Everything an editor sends that is not a command becomes (part of) a draft.

Pasted text, a photo with or without caption, albums, forwarded channel posts and bare links.
Included after the command routers, so it only sees what they did not take.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import aiohttp
from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message, MessageEntity, MessageOriginChannel
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain import Article, ArticleContent, Formatting, Photo
from bot.ingest.entities import keep_formatting
from bot.ingest.fetch import FetchError
from bot.ingest.text import parse_article
from bot.ingest.web import import_url
from bot.newsroom import Newsroom
from bot.roles import HasRole, Role
from bot.texts import echo

_BARE_URL = r"^\s*https?://\S+\s*$"
# Albums arrive as one update per photo: remember which draft a media group feeds.
_ALBUM_CACHE_SIZE = 256


def photo_of(message: Message) -> Photo | None:
    if not message.photo:
        return None
    best = max(message.photo, key=lambda p: p.width * p.height)
    return Photo(
        ref=best.file_id, width=best.width, height=best.height, file_size=best.file_size or 0
    )


def parse_message(message: Message, settings: Settings, newsroom: Newsroom) -> ArticleContent:
    """The article in a message's text or caption, with its bold, italics and links kept."""
    text = message.text or message.caption or ""
    if not text:
        return ArticleContent()
    content = parse_article(text, tz=settings.tz, now=newsroom.clock.now())
    entities = message.entities if message.text else message.caption_entities
    return keep_formatting(content, text, formatting_of(entities))


def formatting_of(entities: list[MessageEntity] | None) -> list[Formatting]:
    """aiogram's entities as the plain values the pure ingest functions take."""
    return [Formatting(e.type, e.offset, e.length, e.url) for e in entities or ()]


def can_publish(role: Role, settings: Settings) -> bool:
    return role is Role.ADMIN or not settings.require_approval


def fetch_error_text(code: str) -> str:
    texts = {
        "bad_scheme": _("Only http:// and https:// links can be imported."),
        "blocked_address": _("This address is on a private network, so I may not fetch it."),
        "unreachable": _("I could not reach this site."),
        "dns": _("This site's name does not resolve."),
        "timeout": _("The site took too long to answer."),
        "too_large": _("The page is too large to import."),
        "not_html": _("The link is not a web page (HTML)."),
        "http_status": _("The site answered with an error."),
        "too_many_redirects": _("The link redirects too many times."),
        "not_a_feed": _("This address is not an RSS or Atom feed."),
        "no_content": _("I found no article text on this page."),
    }
    return texts.get(code, _("The page could not be imported."))


async def _created(
    message: Message,
    newsroom: Newsroom,
    content: ArticleContent,
    *,
    origin: str,
    role: Role,
    language: str,
    settings: Settings,
) -> Article:
    assert message.from_user is not None
    article, duplicates = await newsroom.create_draft(
        content, author_id=message.from_user.id, language=language, origin=origin
    )
    await newsroom.show_draft(
        message.chat.id,
        article,
        can_publish=can_publish(role, settings),
        duplicates=duplicates,
    )
    return article


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.EDITOR), F.chat.type == "private")
    router.callback_query.filter(HasRole(Role.EDITOR))
    albums: dict[str, int] = {}
    album_locks: dict[str, asyncio.Lock] = {}

    async def do_import(
        message: Message, url: str, newsroom: Newsroom, settings: Settings, **kw: Any
    ) -> None:
        progress = await message.answer(_("Fetching {url}…").format(url=echo(url)))
        try:
            async with aiohttp.ClientSession() as session:
                content = await import_url(session, url, allow_private=settings.allow_private_urls)
        except FetchError as exc:
            await progress.edit_text(fetch_error_text(exc.code))
            return
        if not content.title and not content.body:
            await progress.edit_text(_("I found no article text on this page."))
            return
        await progress.delete()
        await _created(message, newsroom, content, origin="url", settings=settings, **kw)

    @router.message(Command("import"))
    async def cmd_import(
        message: Message,
        command: CommandObject,
        newsroom: Newsroom,
        settings: Settings,
        role: Role,
        language: str,
    ) -> None:
        url = (command.args or "").strip()
        if not url:
            await message.answer(_("Usage: /import URL"))
            return
        await do_import(message, url, newsroom, settings, role=role, language=language)

    @router.message(F.forward_origin.as_("origin"), F.forward_origin.type == "channel")
    async def on_forward(
        message: Message,
        origin: MessageOriginChannel,
        newsroom: Newsroom,
        settings: Settings,
        role: Role,
        language: str,
    ) -> None:
        content = parse_message(message, settings, newsroom)
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
            await message.answer(
                _("This forwarded post has nothing I can use (no text, no photo).")
            )
            return
        await _created(
            message,
            newsroom,
            content,
            origin="forward",
            role=role,
            language=language,
            settings=settings,
        )

    @router.message(F.text.regexp(_BARE_URL))
    async def on_url(
        message: Message, newsroom: Newsroom, settings: Settings, role: Role, language: str
    ) -> None:
        assert message.text is not None
        await do_import(
            message, message.text.strip(), newsroom, settings, role=role, language=language
        )

    @router.message(F.text)
    async def on_text(
        message: Message, newsroom: Newsroom, settings: Settings, role: Role, language: str
    ) -> None:
        assert message.text is not None
        text = message.text
        if not text.strip():
            await message.answer(_("The message is empty: paste the article text."))
            return
        if len(text) > settings.max_article_chars:
            await message.answer(
                _("The text is too long ({size} characters, at most {limit}).").format(
                    size=len(text), limit=settings.max_article_chars
                )
            )
            return
        if text.startswith("/"):
            await message.answer(_("Unknown command. /help lists what I understand."))
            return
        content = parse_message(message, settings, newsroom)
        if not content.title and not content.body:
            await message.answer(_("I could not find any article text in this message."))
            return
        await _created(
            message,
            newsroom,
            content,
            origin="text",
            role=role,
            language=language,
            settings=settings,
        )

    @router.message(F.photo)
    async def on_photo(
        message: Message, newsroom: Newsroom, settings: Settings, role: Role, language: str
    ) -> None:
        assert message.from_user is not None
        photo = photo_of(message)
        assert photo is not None
        if photo.file_size > 10_000_000:
            await message.answer(_("This photo is larger than Telegram allows (10 MB)."))
            return
        group = message.media_group_id
        lock = album_locks.setdefault(group, asyncio.Lock()) if group else asyncio.Lock()
        async with lock:
            target_id = albums.get(group) if group else None
            if target_id is None and message.caption:
                content = replace(parse_message(message, settings, newsroom), photos=(photo,))
                created = await _created(
                    message,
                    newsroom,
                    content,
                    origin="photo",
                    role=role,
                    language=language,
                    settings=settings,
                )
                if group:
                    albums[group] = created.id
                return
            article: Article | None = None
            if target_id is not None:
                article = await newsroom.get(target_id)
                if (
                    article is not None
                    and message.caption
                    and not article.content.title
                    and not article.content.body
                ):
                    # Any item of an album may carry the caption, not only the first: the
                    # draft the earlier items made takes its text.
                    parsed = parse_message(message, settings, newsroom)
                    await newsroom.update_content(
                        article,
                        replace(parsed, photos=(*article.content.photos, photo)[:10]),
                        actor_id=message.from_user.id,
                        action="photo",
                    )
                    return
            elif message.reply_to_message is not None:
                shown = await newsroom.shown_article(
                    message.chat.id, message.reply_to_message.message_id
                )
                article = await newsroom.get(shown) if shown else None
            if article is None:
                article = await newsroom.current_draft(message.from_user.id)
            if article is None or (
                article.author_id != message.from_user.id and role is not Role.ADMIN
            ):
                article = await _created(
                    message,
                    newsroom,
                    ArticleContent(photos=(photo,)),
                    origin="photo",
                    role=role,
                    language=language,
                    settings=settings,
                )
                if group:
                    albums[group] = article.id
                await message.answer(
                    _(
                        "I made a new draft #{id} with this photo: send its text with /edit "
                        "{id} body …"
                    ).format(id=article.id)
                )
                return
            if group:
                albums[group] = article.id
            updated = await newsroom.attach_photos(
                article, [photo], actor_id=message.from_user.id, replace_all=False
            )
            if updated is not None and not group:
                await message.answer(_("Photo added to draft #{id}.").format(id=article.id))
        if len(albums) > _ALBUM_CACHE_SIZE:
            for key in list(albums)[: len(albums) - _ALBUM_CACHE_SIZE]:
                albums.pop(key, None)
                album_locks.pop(key, None)

    @router.message()
    async def on_other(message: Message) -> None:
        await message.answer(
            _(
                "I can't make an article from this kind of message. Send text, a photo, a link "
                "or forward a channel post."
            )
        )

    @router.callback_query()
    async def on_unknown_button(query: CallbackQuery) -> None:
        await query.answer(_("This button is out of date or not for you."), show_alert=True)

    return router
