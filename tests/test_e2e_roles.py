"""End to end over HTTP: every command and button is reachable only by the roles it is for.

A stranger walks every command of the catalogue and presses every kind of button; an editor
walks every admin command and presses the admins' buttons; forged and stale callback data get
an alert. After each walk the database, the channel and the admin chat show that nothing
changed.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.callbacks import DraftAction, HeldAction, Page, ReviewAction
from bot.domain import ArticleStatus, PublicationStatus
from bot.roles import Role
from bot.views.commands import COMMANDS
from fakegram.harness import (
    ADMIN_CHAT_ID,
    ADMIN_ID,
    CHANNEL_ID,
    EDITOR_ID,
    STRANGER_ID,
)
from fakegram.server import CallbackAnswer, SentMessage
from tests.test_e2e_workflow import SHORT_ARTICLE, Desk, flat, open_desk

OTHER_EDITOR_ID = 2002
REFUSAL = "only for the newsroom's editors"
SAMPLE_ARGS = {
    "N": "1",
    "N WHEN": "1 +1h",
    "N FIELD VALUE": "1 title Hijacked",
    "N REASON": "1 spam",
    "URL": "http://127.0.0.1:9/x",
    "URL [review|auto]": "http://127.0.0.1:9/feed auto",
    "ID": "1",
    "add|remove ID": f"add {STRANGER_ID}",
    "@name": "@newsroom_demo",
    "09:00 12:00 ...": "09:00 12:00",
}


def command_line(name: str, args: str) -> str:
    return f"/{name} {SAMPLE_ARGS.get(args, '')}".rstrip()


class Snapshot:
    """Everything a command or button could change, to compare before and after."""

    @staticmethod
    async def take(desk: Desk) -> tuple[object, ...]:
        app = desk.sb.bot_app
        async with app.db.read() as uow:
            articles, _total = await uow.articles.page()
            pubs = [p for a in articles for p in await uow.publications.for_article(a.id)]
            users = await uow.users.all()
            feeds = await uow.feeds.all()
            channels = await uow.channels.all()
            paused = await uow.state.get("publishing_paused")
        return (
            [(a.id, a.status, a.version, a.content, a.reject_reason) for a in articles],
            [(p.id, p.status, p.due_at) for p in pubs],
            users,
            feeds,
            channels,
            paused,
            len(desk.tg.messages(CHANNEL_ID)),
        )


@contextlib.asynccontextmanager
async def newsroom(tmp_path: Path, **settings: Any) -> AsyncIterator[Desk]:
    async with open_desk(tmp_path, editor_language="en", **settings) as desk:
        desk.tg.add_user(OTHER_EDITOR_ID, "Olga", language_code="en")
        yield desk


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    async with newsroom(tmp_path, editor_ids=(EDITOR_ID, OTHER_EDITOR_ID)) as d:
        yield d


async def pending_article(desk: Desk) -> tuple[int, SentMessage]:
    """Article #1 by the editor, submitted: its review card is in the admin chat."""
    article_id, header = await desk.paste(SHORT_ARTICLE)
    card = await desk.submitted(article_id, header)
    return article_id, card


async def press(desk: Desk, user: int, chat_id: int, message_id: int, data: str) -> CallbackAnswer:
    query_id = desk.tg.press_button(
        user, chat_id=chat_id, message_id=message_id, data=data, check=False
    )
    return await desk.answer(query_id)


# --- commands -----------------------------------------------------------------------------------


async def test_stranger_walks_every_command_and_is_refused(desk: Desk) -> None:
    tg = desk.tg
    await pending_article(desk)
    before = await Snapshot.take(desk)
    admin_chat = len(tg.messages(ADMIN_CHAT_ID))
    for command in COMMANDS:
        [reply] = await desk.say(STRANGER_ID, command_line(command.name, command.args))
        assert REFUSAL in reply.visible, command.name
    # And a paste, a photo and a link: refused the same way, nothing stored.
    await desk.say(STRANGER_ID, SHORT_ARTICLE)
    before_photo = len(tg.messages(STRANGER_ID))
    tg.send_photo(STRANGER_ID, caption=SHORT_ARTICLE)
    await desk.until(lambda: len(tg.messages(STRANGER_ID)) > before_photo)
    assert REFUSAL in desk.last(STRANGER_ID)
    # A stranger in the admin chat gets no answer at all (the bot keeps quiet in groups).
    tg.send_text(STRANGER_ID, "/publish 1", chat_id=ADMIN_CHAT_ID)
    await tg.wait_until_updates_consumed()
    await desk.say(ADMIN_ID, "/queue")  # a round trip after it: the stranger's update is done
    assert len(tg.messages(ADMIN_CHAT_ID)) == admin_chat
    assert await Snapshot.take(desk) == before
    assert len(tg.messages(STRANGER_ID)) == len(COMMANDS) + 2


async def test_editor_walks_every_admin_command_without_effect(desk: Desk) -> None:
    tg = desk.tg
    await pending_article(desk)
    before = await Snapshot.take(desk)
    admin_only = [c for c in COMMANDS if c.role is Role.ADMIN]
    assert {"publish", "reject", "editors", "pause", "feed_add"} <= {c.name for c in admin_only}
    for command in admin_only:
        [reply] = await desk.say(EDITOR_ID, command_line(command.name, command.args))
        assert "Unknown command" in reply.visible, (command.name, reply.visible)
    # The same commands typed in the admin chat by an editor: ignored.
    admin_chat = len(tg.messages(ADMIN_CHAT_ID))
    for command in admin_only:
        tg.send_text(EDITOR_ID, command_line(command.name, command.args), chat_id=ADMIN_CHAT_ID)
    await tg.wait_until_updates_consumed()
    await desk.say(ADMIN_ID, "/channels")  # a round trip after them
    assert len(tg.messages(ADMIN_CHAT_ID)) == admin_chat
    after = await Snapshot.take(desk)
    assert after == before
    async with desk.sb.bot_app.db.read() as uow:
        article = await uow.articles.get(1)
    assert article is not None and article.status is ArticleStatus.PENDING


async def test_editor_cannot_touch_someone_elses_draft(desk: Desk) -> None:
    article_id, header = await desk.paste(SHORT_ARTICLE)
    before = await Snapshot.take(desk)
    for line in (
        f"/show {article_id}",
        f"/edit {article_id} title Mine now",
        f"/submit {article_id}",
        f"/delete {article_id}",
        f"/history {article_id}",
    ):
        [reply] = await desk.say(OTHER_EDITOR_ID, line)
        assert "not yours" in reply.visible, line
    for action in ("photo", "edit", "submit", "delete"):
        data = DraftAction(action=action, article_id=article_id).pack()
        answer = await press(desk, OTHER_EDITOR_ID, EDITOR_ID, header.message_id, data)
        assert answer.show_alert and "not yours" in (answer.text or ""), action
    assert await Snapshot.take(desk) == before


# --- buttons ------------------------------------------------------------------------------------


async def _held_notice(desk: Desk, article_id: int) -> tuple[int, int]:
    """A held publication and its notice with buttons in the admin chat: (pub id, message id)."""
    app = desk.sb.bot_app
    now = app.clock.now()
    async with app.db.transaction() as uow:
        channel = await uow.channels.default()
        assert channel is not None
        pub = await uow.publications.schedule(
            article_id=article_id,
            channel_id=channel.id,
            due_at=now + timedelta(days=30),
            silent=False,
            now=now,
        )
        assert pub is not None
        assert await uow.publications.set_status(
            pub.id,
            allowed_from=(PublicationStatus.SCHEDULED,),
            to=PublicationStatus.HELD,
            now=now,
        )
        article = await uow.articles.get(article_id)
        pub = await uow.publications.get(pub.id)
    assert article is not None and pub is not None
    await app.notifier.on_held(article, pub, channel, "unknown")
    notice = desk.tg.messages(ADMIN_CHAT_ID)[-1]
    assert any(d.startswith("h:") for d in flat(notice))
    return pub.id, notice.message_id


@pytest.mark.parametrize("user", [EDITOR_ID, STRANGER_ID])
async def test_review_and_held_buttons_alert_and_change_nothing(desk: Desk, user: int) -> None:
    tg = desk.tg
    article_id, card = await pending_article(desk)
    pub_id, notice_id = await _held_notice(desk, article_id)
    before = await Snapshot.take(desk)
    admin_chat = len(tg.messages(ADMIN_CHAT_ID))
    presses = [
        (card.message_id, ReviewAction(action=a, article_id=article_id).pack())
        for a in ("publish", "schedule", "queue", "edit", "reject")
    ] + [
        (notice_id, HeldAction(action=a, publication_id=pub_id).pack())
        for a in ("sent", "resend", "cancel")
    ]
    for message_id, data in presses:
        answer = await press(desk, user, ADMIN_CHAT_ID, message_id, data)
        assert answer.show_alert and answer.text, data
    # The reject / schedule buttons did not open a prompt for them: their next words in the
    # admin chat are not taken as a reason or a time.
    tg.send_text(user, "tomorrow 09:00", chat_id=ADMIN_CHAT_ID)
    await tg.wait_until_updates_consumed()
    await desk.say(ADMIN_ID, "/queue", chat_id=ADMIN_CHAT_ID)
    assert len(tg.messages(ADMIN_CHAT_ID)) == admin_chat + 1
    assert await Snapshot.take(desk) == before
    assert flat(tg.message(ADMIN_CHAT_ID, card.message_id))  # the card still has its buttons


async def test_stranger_presses_draft_and_page_buttons(desk: Desk) -> None:
    article_id, header = await desk.paste(SHORT_ARTICLE)
    before = await Snapshot.take(desk)
    datas = [
        DraftAction(action=a, article_id=article_id).pack()
        for a in ("photo", "edit", "submit", "publish", "queue", "delete")
    ] + [Page(listing="drafts", page=1).pack()]
    for data in datas:
        answer = await press(desk, STRANGER_ID, EDITOR_ID, header.message_id, data)
        assert answer.show_alert, data
    assert await Snapshot.take(desk) == before
    assert desk.tg.messages(ADMIN_CHAT_ID) == []


async def test_editor_cannot_publish_own_draft_when_approval_is_required(desk: Desk) -> None:
    article_id, header = await desk.paste(SHORT_ARTICLE)
    assert not any(d.startswith(("d:publish", "d:queue")) for d in flat(header))
    for action in ("publish", "queue"):
        data = DraftAction(action=action, article_id=article_id).pack()
        answer = await press(desk, EDITOR_ID, EDITOR_ID, header.message_id, data)
        assert answer.show_alert, action
    [reply] = await desk.say(EDITOR_ID, f"/publish {article_id}")
    assert "Unknown command" in reply.visible
    assert desk.channel() == []
    async with desk.sb.bot_app.db.read() as uow:
        article = await uow.articles.get(article_id)
    assert article is not None and article.status is ArticleStatus.DRAFT


FORGED = ("r:publish:999999", "d:submit", "d:submit:1", "h:sent", "p:drafts", "garbage", "r:")


@pytest.mark.parametrize("user", [ADMIN_ID, EDITOR_ID, STRANGER_ID])
async def test_forged_callback_data_gets_an_alert(desk: Desk, user: int) -> None:
    tg = desk.tg
    await pending_article(desk)
    [reply] = await desk.say(ADMIN_ID, "/queue", chat_id=ADMIN_CHAT_ID)
    before = await Snapshot.take(desk)
    for data in FORGED:
        answer = await press(desk, user, ADMIN_CHAT_ID, reply.message_id, data)
        assert answer.show_alert and answer.text, data
    assert await Snapshot.take(desk) == before
    # No crash: the bot still answers.
    [again] = await desk.say(ADMIN_ID, "/queue", chat_id=ADMIN_CHAT_ID)
    assert "#1" in again.visible
    assert tg.messages(CHANNEL_ID) == []


async def test_button_of_a_deleted_article_gets_an_alert(desk: Desk) -> None:
    article_id, header = await desk.paste(SHORT_ARTICLE)
    [deleted] = await desk.say(EDITOR_ID, f"/delete {article_id}")
    assert "deleted" in deleted.visible
    for action in ("submit", "edit", "photo", "delete"):
        answer = await desk.press(EDITOR_ID, header, f"d:{action}:{article_id}")
        assert answer.show_alert and f"#{article_id}" in (answer.text or ""), action
    # An admin pressing a review button for it is told the same.
    data = ReviewAction(action="publish", article_id=article_id).pack()
    answer = await press(desk, ADMIN_ID, EDITOR_ID, header.message_id, data)
    assert answer.show_alert
    assert desk.channel() == []
    assert desk.tg.messages(ADMIN_CHAT_ID) == []


# --- without approval ---------------------------------------------------------------------------


async def test_without_approval_an_editor_publishes_directly(tmp_path: Path) -> None:
    async with newsroom(tmp_path, require_approval=False) as desk:
        tg = desk.tg
        article_id, header = await desk.paste(SHORT_ARTICLE)
        assert f"d:publish:{article_id}:" in flat(header)
        assert not any(d.startswith("d:submit") for d in flat(header))
        answer = await desk.press(EDITOR_ID, header, f"d:publish:{article_id}")
        assert not answer.show_alert, answer.text
        await desk.until(lambda: len(desk.channel()) == 1)
        assert "City council approves new bus lanes" in desk.channel()[0].visible
        await desk.until(lambda: any("t.me/" in m.visible for m in tg.messages(ADMIN_CHAT_ID)))
        async with desk.sb.bot_app.db.read() as uow:
            article = await uow.articles.get(article_id)
        assert article is not None and article.status is ArticleStatus.PUBLISHED


# --- regressions of bugs these tests found ---------------------------------------------------


async def test_editor_cannot_rewrite_a_published_post(desk: Desk) -> None:
    tg = desk.tg
    article_id, card = await pending_article(desk)
    await desk.press(ADMIN_ID, card, f"r:publish:{article_id}")
    await desk.until(lambda: any("t.me/" in m.visible for m in tg.messages(EDITOR_ID)))
    post = desk.channel()[0]
    [reply] = await desk.say(EDITOR_ID, f"/edit {article_id} title Something else entirely")
    assert "Saved" not in reply.visible
    assert tg.message(CHANNEL_ID, post.message_id).edits == []
    async with desk.sb.bot_app.db.read() as uow:
        article = await uow.articles.get(article_id)
    assert article is not None and article.content.title == "City council approves new bus lanes"
