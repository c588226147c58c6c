"""handlers.common.LoadArticle: "article N" parsed, loaded and refused in one place.

Updates go through a real Dispatcher (filters, flags, the inner middleware) and the real
newsroom over a fresh SQLite database; the bot's requests are recorded instead of sent, so the
answers can be read back without any HTTP.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.base import BaseSession
from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod
from aiogram.types import CallbackQuery, Chat, Message, Update
from aiogram.utils.i18n import lazy_gettext as __

from bot.app import App, create_app
from bot.callbacks import DraftAction
from bot.config import Settings
from bot.domain import Article, ArticleContent, ArticleStatus
from bot.i18n import make_i18n
from bot.roles import Role
from bot.views.commands import EDIT, REJECT, SHOW
from bot.workflow import drafts
from handlers.common import ARTICLE, ArticleArg, LoadArticle

AUTHOR = 2001
OTHER = 2002
ADMIN = 1001


class Recorder(BaseSession):
    """A bot session that keeps each request and answers it as Telegram would, minimally."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []

    async def close(self) -> None:
        pass

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 - the signature BaseSession declares
    ) -> Any:
        self.requests.append(method)
        if isinstance(method, SendMessage):
            chat = Chat(id=int(method.chat_id), type="private")
            return Message(message_id=len(self.requests), date=datetime.now(UTC), chat=chat)
        return True

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - the signature BaseSession declares
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise AssertionError("nothing is downloaded here")
        yield b""  # pragma: no cover


class Desk:
    def __init__(self, app: App) -> None:
        self.app = app
        self.session = Recorder()
        self.bot = Bot("42:loader-test", session=self.session)
        self.seen: list[tuple[str, int, str]] = []  # (handler, article id, rest)
        self.dp = Dispatcher()
        self.dp.include_router(self.router())
        self.updates = 0

    def router(self) -> Router:
        router = Router()
        router.message.middleware(LoadArticle())
        router.callback_query.middleware(LoadArticle())

        async def cmd_show(message: Message, article: Article, rest: str) -> None:
            self.seen.append(("show", article.id, rest))

        async def cmd_edit(message: Message, article: Article, rest: str) -> None:
            self.seen.append(("edit", article.id, rest))

        async def cmd_reject(message: Message, article: Article, rest: str) -> None:
            self.seen.append(("reject", article.id, rest))

        async def on_submit(query: CallbackQuery, article: Article) -> None:
            self.seen.append(("submit", article.id, ""))

        router.message.register(cmd_show, SHOW.filter(), flags={ARTICLE: ArticleArg()})
        edit = ArticleArg(usage=__("The edit usage"), words=2, bad_id=__("A bad number"))
        router.message.register(cmd_edit, EDIT.filter(), flags={ARTICLE: edit})
        pending = ArticleArg(
            usage=__("The reject usage"), words=1, statuses=(ArticleStatus.PENDING,)
        )
        router.message.register(cmd_reject, REJECT.filter(), flags={ARTICLE: pending})
        router.callback_query.register(
            on_submit, DraftAction.filter(F.action == "submit"), flags={ARTICLE: ArticleArg()}
        )
        return router

    async def feed(self, update: dict[str, Any], user: int, role: Role) -> list[str]:
        """Feed one update; what the bot answered to it."""
        before = len(self.session.requests)
        self.updates += 1
        i18n = make_i18n("en")
        with i18n.context(), i18n.use_locale("en"):
            await self.dp.feed_update(
                self.bot,
                Update.model_validate({"update_id": self.updates, **update}),
                desk=self.app.desk,
                role=role,
            )
        return [
            (m.text or "") if isinstance(m, SendMessage | AnswerCallbackQuery) else repr(m)
            for m in self.session.requests[before:]
        ]

    async def say(self, text: str, user: int = AUTHOR, role: Role = Role.EDITOR) -> list[str]:
        message = {
            "message_id": self.updates + 1,
            "date": 0,
            "chat": {"id": user, "type": "private"},
            "from": {"id": user, "is_bot": False, "first_name": "Elena"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        }
        return await self.feed({"message": message}, user, role)

    async def tap(self, data: str, user: int = AUTHOR, role: Role = Role.EDITOR) -> list[str]:
        query = {
            "id": str(self.updates + 1),
            "from": {"id": user, "is_bot": False, "first_name": "Elena"},
            "chat_instance": "1",
            "data": data,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": user, "type": "private"},
                "text": "preview",
            },
        }
        return await self.feed({"callback_query": query}, user, role)

    async def draft(self, author: int = AUTHOR) -> int:
        created = await drafts.create_draft(
            self.app.desk,
            ArticleContent(title=f"Tram depot reopens {self.updates}", body=("Back in use.",)),
            author_id=author,
            language="en",
            origin="text",
        )
        return created.article.id


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    settings = Settings(
        _env_file=None,
        bot_token="42:loader-test",
        database_path=tmp_path / "newsroom.sqlite3",
        admin_ids=(ADMIN,),
        editor_ids=(AUTHOR, OTHER),
        default_language="en",
    )
    app = await create_app(settings)
    desk = Desk(app)
    try:
        yield desk
    finally:
        await desk.bot.session.close()
        await app.close()


GIVE_N = "Give the article number, e.g. /show 12"


async def test_the_handler_gets_the_article_and_the_words_after_it(desk: Desk) -> None:
    article_id = await desk.draft()
    assert await desk.say(f"/show {article_id}") == []
    assert await desk.say(f"/show #{article_id} and more words") == []
    assert desk.seen == [("show", article_id, ""), ("show", article_id, "and more words")]


@pytest.mark.parametrize("args", ["", "abc", "-1", "1.5", "#", "²", "99999999999999"])
async def test_no_number_is_answered_with_the_usage(desk: Desk, args: str) -> None:
    assert await desk.say(f"/show {args}".rstrip()) == [GIVE_N]
    assert desk.seen == []


async def test_missing_and_foreign_articles_are_refused(desk: Desk) -> None:
    foreign = await desk.draft(author=OTHER)
    assert await desk.say("/show 999") == ["There is no article #999."]
    assert await desk.say(f"/show {foreign}") == [f"Article #{foreign} is not yours."]
    # A deleted article is gone for everyone.
    async with desk.app.db.transaction() as uow:
        await uow.articles.transition(
            foreign,
            allowed_from=(ArticleStatus.DRAFT,),
            to=ArticleStatus.DELETED,
            now=datetime.now(UTC),
        )
    assert await desk.say(f"/show {foreign}", user=ADMIN, role=Role.ADMIN) == [
        f"There is no article #{foreign}."
    ]
    assert desk.seen == []


async def test_an_admin_loads_anyones_article(desk: Desk) -> None:
    article_id = await desk.draft(author=OTHER)
    assert await desk.say(f"/show {article_id}", user=ADMIN, role=Role.ADMIN) == []
    assert desk.seen == [("show", article_id, "")]


async def test_words_are_counted_before_the_number_is_read(desk: Desk) -> None:
    article_id = await desk.draft()
    assert await desk.say(f"/edit {article_id} title") == ["The edit usage"]
    assert await desk.say("/edit abc title X") == ["A bad number"]
    assert await desk.say("/edit 999 title X") == ["There is no article #999."]
    assert await desk.say(f"/edit {article_id} title  A new\ntitle") == []
    assert desk.seen == [("edit", article_id, "title  A new\ntitle")]


async def test_a_required_state_is_checked_before_the_handler(desk: Desk) -> None:
    article_id = await desk.draft()
    assert await desk.say(f"/reject {article_id} spam", user=ADMIN, role=Role.ADMIN) == [
        f"Article #{article_id} can't do that in its current state."
    ]
    async with desk.app.db.transaction() as uow:
        await uow.articles.transition(
            article_id,
            allowed_from=(ArticleStatus.DRAFT,),
            to=ArticleStatus.PENDING,
            now=datetime.now(UTC),
        )
    assert await desk.say(f"/reject {article_id} spam", user=ADMIN, role=Role.ADMIN) == []
    assert desk.seen == [("reject", article_id, "spam")]
    # Whose it is comes before what state it is in.
    foreign = await desk.draft(author=OTHER)
    assert await desk.say(f"/reject {foreign} spam") == [f"Article #{foreign} is not yours."]


async def test_buttons_load_the_article_of_their_callback_data(desk: Desk) -> None:
    article_id = await desk.draft()
    foreign = await desk.draft(author=OTHER)
    assert await desk.tap(DraftAction(action="submit", article_id=article_id).pack()) == []
    assert await desk.tap(DraftAction(action="submit", article_id=foreign).pack()) == [
        f"Article #{foreign} is not yours."
    ]
    assert await desk.tap(DraftAction(action="submit", article_id=999).pack()) == [
        "There is no article #999."
    ]
    assert desk.seen == [("submit", article_id, "")]
