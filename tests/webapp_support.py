"""What the Mini App's tests share: a seeded newsroom, signed initData, the card in the chat."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain import Article, ArticleContent
from bot.workflow import drafts, review
from fakegram.harness import ADMIN_CHAT_ID, ADMIN_ID, EDITOR_ID, TOKEN, Sandbox
from fakegram.methods.webapp import sign_init_data
from fakegram.server import SentMessage

USERS = {
    ADMIN_ID: {"first_name": "Aigerim", "username": "aigerim", "language_code": "ru"},
    EDITOR_ID: {"first_name": "Elena", "language_code": "en"},
}


def init_data(
    user_id: int,
    *,
    at: datetime,
    token: str = TOKEN,
    language: str | None = None,
    name: str = "",
) -> str:
    """initData as a Telegram client would hand the page, signed with ``token``."""
    user = {"id": user_id, "first_name": name or f"User {user_id}", **USERS.get(user_id, {})}
    if language is not None:
        user["language_code"] = language
    return sign_init_data(token, user=user, auth_date=int(at.timestamp()))


def auth(user_id: int, *, at: datetime, **kw: object) -> dict[str, str]:
    return {"Authorization": "tma " + init_data(user_id, at=at, **kw)}  # type: ignore[arg-type]


async def submitted(sandbox: Sandbox, title: str) -> Article:
    """An editor's article waiting for review (its card is in the admin chat)."""
    app = sandbox.bot_app
    content = ArticleContent(
        title=title,
        lead=f"Lead of {title}.",
        body=(f"Body of {title}, <one> paragraph & more.",),
        source_name="Newsroom",
    )
    created = await drafts.create_draft(
        app.desk, content, author_id=EDITOR_ID, language="en", origin="text"
    )
    result = await drafts.submit(
        app.desk, created.article, actor_id=EDITOR_ID, author_name="Elena"
    )
    assert result.ok and result.article is not None
    return result.article


async def scheduled(sandbox: Sandbox, title: str, due: datetime) -> Article:
    """A submitted article an admin scheduled for ``due`` from the chat's use case."""
    article = await submitted(sandbox, title)
    result = await review.publish(
        sandbox.bot_app.desk, article.id, actor_id=ADMIN_ID, actor_name="Aigerim", when=due
    )
    assert result.ok, result
    return article


def card_of(sandbox: Sandbox, title: str) -> SentMessage:
    """The review card of the article titled ``title`` in the admin chat."""
    cards = [m for m in sandbox.tg.messages(ADMIN_CHAT_ID) if title in m.visible]
    assert cards, f"no card for {title!r}"
    return cards[-1]


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
