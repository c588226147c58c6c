"""End to end over HTTP: the editorial loop an editor and two admins play through Telegram.

Paste → preview → photo → submit → review card → publish → the channel; reject with a reason;
two admins pressing Publish at once; corrections after publishing; draft commands and lists.
Every step is a real update through the fake Bot API and the real bot polling it.

The bot spaces its messages the way Telegram asks (about one a second in a private chat, one
every three seconds in a group after a short burst). A :class:`WarpClock` lets those short
waits pass instantly by moving the bot's clock forward instead of sleeping, so the tests stay
fast without disabling the rate limiter they exercise.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.domain import Article, ArticleContent, ArticleStatus, PublicationStatus
from bot.views.combined import SEPARATOR
from bot.workflow import drafts
from bot.workflow.ports import Ports
from fakegram.harness import (
    ADMIN_CHAT_ID,
    ADMIN_ID,
    CHANNEL_ID,
    CHANNEL_USERNAME,
    EDITOR_ID,
    SECOND_ADMIN_ID,
    Sandbox,
    WarpClock,
)
from fakegram.server import CallbackAnswer, FakeTelegram, SentMessage

OECD_TITLE = "ОЭСР проверила уровень добропорядочности госорганов Казахстана"
OECD_LEAD = (
    "В ходе визита эксперты обсудили вопросы взаимодействия госорганов с гражданским обществом"
)

SHORT_ARTICLE = (
    "City council approves new bus lanes\n\n"
    "The council voted 12 to 3 for dedicated lanes on the ring road.\n\n"
    "Work starts in spring and should take four months, the mayor's office said."
)


def flat(message: SentMessage) -> list[str]:
    return [data for row in message.button_data for data in row]


def header_of(message: SentMessage) -> str:
    """The visible header of a control message: below the separator when it rides on the post
    (a one-message post), the whole message when it is a message of its own."""
    return message.visible.split(SEPARATOR + "\n", 1)[-1]


def live(tg: FakeTelegram, chat_id: int) -> list[SentMessage]:
    """What the chat shows now: the bot's messages that were not deleted."""
    return [m for m in tg.messages(chat_id) if not m.deleted]


class Desk:
    """The sandbox and the few steps every test repeats, each waiting on the fake server."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox
        self.tg = sandbox.tg

    @property
    def ports(self) -> Ports:
        return self.sb.bot_app.desk

    async def settle(self) -> None:
        """Wait until the bot has taken every update and finished handling it.

        aiogram does not wait for its handler tasks when polling stops; one still running when
        the sandbox closes the bot's HTTP session would open a new session and leak it.
        """
        await self.tg.wait_until_updates_consumed()
        tasks = self.sb.bot_app.dp._handle_update_tasks
        for _ in range(100):
            if not tasks:
                return
            await asyncio.wait(set(tasks), timeout=10)
        raise AssertionError("the bot is still handling updates")

    def last(self, chat_id: int) -> str:
        """The visible text of the bot's latest message in a chat ("" before any)."""
        sent = self.tg.messages(chat_id)
        return sent[-1].visible if sent else ""

    async def until(self, predicate: Callable[[], bool]) -> None:
        await self.tg.wait_for(predicate, timeout=10)

    async def say(
        self, user: int, text: str, *, chat_id: int | None = None, replies: int = 1
    ) -> list[SentMessage]:
        """``user`` writes ``text``; wait for ``replies`` new bot messages there, return them."""
        chat = chat_id if chat_id is not None else user
        before = len(self.tg.messages(chat))
        self.tg.send_text(user, text, chat_id=chat_id)
        await self.until(lambda: len(self.tg.messages(chat)) >= before + replies)
        return self.tg.messages(chat)[before:]

    def header(self, chat_id: int, article_id: int) -> SentMessage | None:
        """The live control message (header + buttons) of a draft preview."""
        found = [
            m
            for m in live(self.tg, chat_id)
            if any(d.startswith(f"d:edit:{article_id}:") for d in flat(m))
        ]
        return found[-1] if found else None

    async def paste(self, text: str, *, user: int = EDITOR_ID) -> tuple[int, SentMessage]:
        """Paste an article; return the new draft's id and its header message."""
        before = {m.message_id for m in self.tg.messages(user)}
        self.tg.send_text(user, text)

        def new_header() -> SentMessage | None:
            for m in live(self.tg, user):
                if m.message_id not in before and any(d.startswith("d:edit:") for d in flat(m)):
                    return m
            return None

        await self.until(lambda: new_header() is not None)
        header = new_header()
        assert header is not None
        article_id = int(next(d for d in flat(header) if d.startswith("d:edit:")).split(":")[2])
        return article_id, header

    async def press(
        self, user: int, message: SentMessage, prefix: str, *, chat_id: int | None = None
    ) -> CallbackAnswer:
        """Press the button whose callback_data starts with ``prefix``; return the answer."""
        data = next(d for d in flat(message) if d.startswith(prefix))
        query_id = self.tg.press_button(
            user, chat_id=chat_id or message.chat_id, message_id=message.message_id, data=data
        )
        return await self.answer(query_id)

    async def answer(self, query_id: str) -> CallbackAnswer:
        await self.until(lambda: any(a.query_id == query_id for a in self.tg.callback_answers))
        return next(a for a in self.tg.callback_answers if a.query_id == query_id)

    def card(self, article_id: int) -> SentMessage | None:
        """The control message of the review card of ``article_id`` in the admin chat (the post
        itself when it is one message)."""
        found = [
            m
            for m in self.tg.messages(ADMIN_CHAT_ID)
            if f"#{article_id}" in header_of(m)
            # A card of its own, or one riding on a one-message post (below the separator).
            and (m.method == "sendMessage" or SEPARATOR in m.visible)
            and (m.edits or flat(m))
        ]
        return found[-1] if found else None

    async def submitted(self, article_id: int, header: SentMessage) -> SentMessage:
        """The editor presses Submit; return the review card's control message."""
        before = len(self.tg.messages(EDITOR_ID))
        answer = await self.press(EDITOR_ID, header, f"d:submit:{article_id}")
        assert not answer.show_alert, answer.text
        await self.until(lambda: self.card(article_id) is not None)
        # The editor's confirmation ("sent for review") comes after the card.
        await self.until(lambda: len(self.tg.messages(EDITOR_ID)) > before)
        card = self.card(article_id)
        assert card is not None
        return card

    async def article(self, article_id: int) -> Article:
        async with self.sb.bot_app.db.read() as uow:
            article = await uow.articles.get(article_id)
        assert article is not None
        return article

    def channel(self) -> list[SentMessage]:
        return self.tg.messages(CHANNEL_ID)


@contextlib.asynccontextmanager
async def open_desk(tmp_path: Path, **settings: Any) -> AsyncIterator[Desk]:
    """A sandbox newsroom on a :class:`WarpClock`; waits for the bot to finish before closing."""
    async with Sandbox(workdir=tmp_path, clock=WarpClock(), **settings) as sandbox:
        desk = Desk(sandbox)
        try:
            yield desk
        except BaseException:
            with contextlib.suppress(Exception):  # the test's own failure is the news
                await desk.settle()
            raise
        await desk.settle()


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    async with open_desk(tmp_path) as d:
        yield d


@pytest.fixture
async def en_desk(tmp_path: Path) -> AsyncIterator[Desk]:
    async with open_desk(tmp_path, editor_language="en") as d:
        yield d


# --- the whole loop -------------------------------------------------------------------------


async def test_paste_photo_submit_publish(desk: Desk, oecd_text: str) -> None:
    tg = desk.tg
    article_id, header = await desk.paste(oecd_text)
    assert article_id == 1
    # The post is one message: it is the preview, exactly as the channel will see it, and it
    # carries the header (below a separator) and the buttons itself (issue 14).
    assert live(tg, EDITOR_ID) == [header]
    assert header_of(header).startswith("Черновик #1")
    assert header.html is not None and "<b>Черновик #1</b>" in header.html
    assert header.html.startswith(f"<b>{OECD_TITLE}</b>")
    assert OECD_LEAD in header.visible
    assert "1091" not in header.visible  # the view counter is dropped
    buttons = flat(header)
    assert "d:submit:1:" in buttons and "d:delete:1:" in buttons
    assert not any(d.startswith("d:publish") for d in buttons)  # editors need approval

    # A photo without caption attaches to the current draft; the preview is refreshed.
    tg.send_photo(EDITOR_ID)
    await desk.until(lambda: "Фото добавлено в черновик #1" in tg.messages(EDITOR_ID)[-1].visible)
    draft = await desk.article(1)
    assert len(draft.content.photos) == 1
    shown = live(tg, EDITOR_ID)
    photo_preview = [m for m in shown if m.photo]
    assert len(photo_preview) == 1
    assert photo_preview[0].caption is not None and photo_preview[0].caption.startswith(OECD_TITLE)
    header = desk.header(EDITOR_ID, 1)  # type: ignore[assignment]
    assert header is not None and header.message_id > photo_preview[0].message_id
    assert "нет фото" not in header.visible  # the "no photo" check is gone

    # Submit: a review card in the admin chat with the preview, the author, checks, buttons.
    card = await desk.submitted(1, header)
    assert "Elena" in card.visible
    assert "Замечаний нет" in card.visible or "Замечания" in card.visible
    assert flat(card) == ["r:publish:1", "r:schedule:1", "r:queue:1", "r:edit:1", "r:reject:1"]
    admin_preview = [m for m in tg.messages(ADMIN_CHAT_ID) if m.message_id < card.message_id]
    assert admin_preview[0].photo and admin_preview[0].caption is not None
    assert admin_preview[0].caption.startswith(OECD_TITLE)
    assert (await desk.article(1)).status is ArticleStatus.PENDING
    await desk.until(lambda: "на проверку" in tg.messages(EDITOR_ID)[-1].visible)

    # Publish now: the channel gets photo + caption, then the body in follow-up text.
    answer = await desk.press(ADMIN_ID, card, "r:publish:1")
    assert not answer.show_alert
    await desk.until(lambda: len(desk.channel()) >= 2)
    first, *rest = desk.channel()
    assert first.photo and first.photo_file_id == photo_preview[0].photo_file_id
    assert first.html is not None and first.html.startswith(f"<b>{OECD_TITLE}</b>")
    # The channel gets the post alone: no separator, no header.
    assert not any(SEPARATOR in m.visible or "Черновик" in m.visible for m in desk.channel())
    body = "\n\n".join(m.visible for m in rest)
    assert body.startswith("Группа экспертов ОЭСР")
    assert "свободной рыночной экономики." in body
    # The author hears "published" with the t.me link; the card shows the decision, no buttons.
    link = f"https://t.me/{CHANNEL_USERNAME}/{first.message_id}"
    await desk.until(lambda: any(link in m.visible for m in tg.messages(EDITOR_ID)))
    await desk.until(lambda: not tg.message(ADMIN_CHAT_ID, card.message_id).buttons)
    closed = tg.message(ADMIN_CHAT_ID, card.message_id)
    assert "Aigerim" in closed.visible and "Публикуется" in closed.visible
    assert (await desk.article(1)).status is ArticleStatus.PUBLISHED


# --- reject -----------------------------------------------------------------------------------


async def test_reject_button_asks_for_a_reason_and_the_author_sees_it(desk: Desk) -> None:
    tg = desk.tg
    article_id, header = await desk.paste(SHORT_ARTICLE)
    card = await desk.submitted(article_id, header)
    before = len(tg.messages(ADMIN_CHAT_ID))
    answer = await desk.press(ADMIN_ID, card, f"r:reject:{article_id}")
    assert not answer.show_alert
    await desk.until(lambda: len(tg.messages(ADMIN_CHAT_ID)) > before)
    prompt = tg.messages(ADMIN_CHAT_ID)[-1]
    assert f"#{article_id}" in prompt.visible and "причину" in prompt.visible
    assert (await desk.article(article_id)).status is ArticleStatus.PENDING  # not yet
    replies = await desk.say(ADMIN_ID, "Нужен второй источник", chat_id=ADMIN_CHAT_ID)
    assert any(f"#{article_id}" in m.visible for m in replies)
    rejected = await desk.article(article_id)
    assert rejected.status is ArticleStatus.REJECTED
    assert rejected.reject_reason == "Нужен второй источник"
    await desk.until(lambda: "отклонён" in tg.messages(EDITOR_ID)[-1].visible)
    note = tg.messages(EDITOR_ID)[-1]
    assert "Нужен второй источник" in note.visible
    assert "Aigerim" not in note.visible  # unsigned: the author does not see who
    await desk.until(lambda: not tg.message(ADMIN_CHAT_ID, card.message_id).buttons)
    closed = tg.message(ADMIN_CHAT_ID, card.message_id)
    assert "Нужен второй источник" in closed.visible and "Aigerim" in closed.visible
    assert desk.channel() == []


async def test_reject_command_and_signed_reason(desk: Desk) -> None:
    tg = desk.tg
    first, header1 = await desk.paste(SHORT_ARTICLE)
    await desk.submitted(first, header1)
    second, header2 = await desk.paste("Another story about trams\n\nTrams are back in town.")
    await desk.submitted(second, header2)

    await desk.say(ADMIN_ID, f"/reject {first} Слишком коротко")
    await desk.until(lambda: "Слишком коротко" in tg.messages(EDITOR_ID)[-1].visible)
    assert "Aigerim" not in tg.messages(EDITOR_ID)[-1].visible

    await desk.say(ADMIN_ID, f"/reject {second} Нет фото --sign")
    await desk.until(lambda: "Нет фото" in tg.messages(EDITOR_ID)[-1].visible)
    signed = tg.messages(EDITOR_ID)[-1]
    assert "Aigerim" in signed.visible and "--sign" not in signed.visible
    assert (await desk.article(second)).reject_reason == "Нет фото"

    # A decided article cannot be rejected again; the admin is told why.
    [again] = await desk.say(ADMIN_ID, f"/reject {first} ещё раз")
    assert f"#{first}" in again.visible
    assert (await desk.article(first)).reject_reason == "Слишком коротко"
    # The rejected draft can be fixed and resubmitted with /submit: a new review card.
    await desk.say(EDITOR_ID, f"/edit {first} lead A longer version with quotes.")
    [sent] = await desk.say(EDITOR_ID, f"/submit {first}")
    assert f"#{first}" in sent.visible
    # Both earlier cards lost their buttons; the new one has them.
    await desk.until(lambda: f"r:publish:{first}" in flat(tg.messages(ADMIN_CHAT_ID)[-1]))
    assert len([m for m in tg.messages(ADMIN_CHAT_ID) if flat(m)]) == 1
    assert (await desk.article(first)).status is ArticleStatus.PENDING
    assert desk.channel() == []


# --- two admins at once ------------------------------------------------------------------------


async def test_simultaneous_approvals_publish_exactly_once(desk: Desk) -> None:
    tg = desk.tg
    article_id, header = await desk.paste(SHORT_ARTICLE)
    card = await desk.submitted(article_id, header)
    data = f"r:publish:{article_id}"
    # Both presses are queued before the bot sees either: one getUpdates carries both.
    q1 = tg.press_button(ADMIN_ID, chat_id=ADMIN_CHAT_ID, message_id=card.message_id, data=data)
    q2 = tg.press_button(
        SECOND_ADMIN_ID, chat_id=ADMIN_CHAT_ID, message_id=card.message_id, data=data
    )
    answers = [await desk.answer(q1), await desk.answer(q2)]
    winners = [a for a in answers if not a.show_alert]
    losers = [a for a in answers if a.show_alert]
    assert len(winners) == 1 and len(losers) == 1, answers
    loser = losers[0]
    assert loser.text is not None
    assert "Решение уже принято" in loser.text or "Already decided" in loser.text
    await desk.until(lambda: any("t.me/" in m.visible for m in tg.messages(EDITOR_ID)))
    assert len(desk.channel()) == 1
    async with desk.sb.bot_app.db.read() as uow:
        pubs = await uow.publications.for_article(article_id)
        audit = await uow.audit.for_article(article_id)
    assert len(pubs) == 1 and pubs[0].status is PublicationStatus.PUBLISHED
    assert [e.action for e in audit].count("publish_now") == 1


# --- corrections after publishing ----------------------------------------------------------------


async def test_edit_after_publishing_corrects_the_channel_post(desk: Desk) -> None:
    tg = desk.tg
    article_id, header = await desk.paste(SHORT_ARTICLE)
    card = await desk.submitted(article_id, header)
    await desk.press(ADMIN_ID, card, f"r:publish:{article_id}")
    await desk.until(lambda: len(desk.channel()) == 1)
    await desk.until(lambda: any("t.me/" in m.visible for m in tg.messages(EDITOR_ID)))
    post = desk.channel()[0]
    assert "City council approves new bus lanes" in post.visible

    replies = await desk.say(ADMIN_ID, f"/edit {article_id} title Bus lanes approved 12-3")
    assert any("исправлены" in m.visible for m in replies)
    edited = tg.message(CHANNEL_ID, post.message_id)
    assert edited.edits, "the channel post was not edited"
    assert edited.html is not None and "<b>Bus lanes approved 12-3</b>" in edited.html
    assert "City council approves" not in edited.visible
    assert len(desk.channel()) == 1  # corrected in place, nothing re-posted

    [history] = await desk.say(ADMIN_ID, f"/history {article_id}")
    for action in ("created", "submitted", "publish_now", "edit:title", "correction"):
        assert action in history.visible, action


# --- draft commands -----------------------------------------------------------------------------


async def test_edit_command_refreshes_the_preview_in_place(en_desk: Desk) -> None:
    desk, tg = en_desk, en_desk.tg
    article_id, header = await desk.paste(SHORT_ARTICLE)
    # A one-message post: the preview carries the header and the buttons.
    assert header_of(header).startswith("Draft #1")
    assert live(tg, EDITOR_ID) == [header] and header.method == "sendMessage"

    replies = await desk.say(EDITOR_ID, f"/edit {article_id} title Bus lanes: council says yes")
    assert any("Saved" in m.visible for m in replies)
    refreshed = tg.message(EDITOR_ID, header.message_id)
    assert not refreshed.deleted and refreshed.edits
    assert refreshed.html is not None
    assert refreshed.html.startswith("<b>Bus lanes: council says yes</b>")
    # Edited in place with its header and buttons.
    assert header_of(refreshed).startswith("Draft #1") and f"d:edit:{article_id}:" in "".join(
        flat(refreshed)
    )
    assert (await desk.article(article_id)).content.title == "Bus lanes: council says yes"

    [error] = await desk.say(EDITOR_ID, f"/edit {article_id} colour red")
    assert "Unknown field" in error.visible and "title" in error.visible
    [usage] = await desk.say(EDITOR_ID, "/edit 1")
    assert "Usage: /edit N FIELD VALUE" in usage.visible
    [missing] = await desk.say(EDITOR_ID, "/edit 77 title Nothing")
    assert "no article #77" in missing.visible
    assert (await desk.article(article_id)).version == 2  # one successful edit


async def test_edit_buttons_prompt_for_a_field(en_desk: Desk) -> None:
    desk, tg = en_desk, en_desk.tg
    article_id, header = await desk.paste(SHORT_ARTICLE)
    await desk.press(EDITOR_ID, header, f"d:edit:{article_id}")
    # The header has a field button too ("Type the source", a fix of the parser's doubts):
    # wait for the menu itself.
    await desk.until(lambda: f"d:field:{article_id}:lead" in flat(tg.messages(EDITOR_ID)[-1]))
    menu = tg.messages(EDITOR_ID)[-1]
    await desk.press(EDITOR_ID, menu, f"d:field:{article_id}:lead")
    await desk.until(lambda: "lead" in tg.messages(EDITOR_ID)[-1].visible)
    await desk.say(EDITOR_ID, "Ring road gets bus lanes next spring.")
    await desk.until(lambda: "Saved" in tg.messages(EDITOR_ID)[-1].visible)
    assert (await desk.article(article_id)).content.lead == "Ring road gets bus lanes next spring."


async def test_show_drafts_delete_history_queue(en_desk: Desk) -> None:
    desk, tg = en_desk, en_desk.tg
    first, _h1 = await desk.paste(SHORT_ARTICLE)
    second, header2 = await desk.paste("Library opens on Sundays\n\nFrom May, all week long.")
    await desk.submitted(second, header2)

    [listing] = await desk.say(EDITOR_ID, "/drafts")
    assert "Your articles" in listing.visible
    assert f"#{first}" in listing.visible and f"#{second}" in listing.visible
    assert "waiting for review" in listing.visible

    before = len(tg.messages(EDITOR_ID))
    tg.send_text(EDITOR_ID, f"/show {first}")
    await desk.until(
        lambda: (
            desk.header(EDITOR_ID, first) is not None and len(tg.messages(EDITOR_ID)) >= before + 1
        )
    )
    # One message: the post with the header and buttons on it.
    [shown] = tg.messages(EDITOR_ID)[before:]
    assert shown.html is not None and shown.html.startswith("<b>City council approves")
    assert header_of(shown).startswith(f"Draft #{first}")

    [queue] = await desk.say(EDITOR_ID, "/queue")
    assert "Waiting for review" in queue.visible and f"#{second}" in queue.visible

    [history] = await desk.say(EDITOR_ID, f"/history {second}")
    assert f"History of #{second}" in history.visible and "submitted" in history.visible

    [deleted] = await desk.say(EDITOR_ID, f"/delete {first}")
    assert f"#{first} deleted" in deleted.visible
    assert (await desk.article(first)).status is ArticleStatus.DELETED
    [gone] = await desk.say(EDITOR_ID, f"/show {first}")
    assert f"no article #{first}" in gone.visible
    [listing] = await desk.say(EDITOR_ID, "/drafts")
    assert f"#{first} " not in listing.visible

    # Someone else's article is not shown to an editor.
    created = await drafts.create_draft(
        desk.ports,
        ArticleContent(title="Admin's own", body=("Text.",)),
        author_id=ADMIN_ID,
        language="ru",
        origin="text",
    )
    [refused] = await desk.say(EDITOR_ID, f"/show {created.article.id}")
    assert "not yours" in refused.visible


async def test_drafts_are_paginated(en_desk: Desk) -> None:
    desk, tg = en_desk, en_desk.tg
    for n in range(12):
        await drafts.create_draft(
            desk.ports,
            ArticleContent(title=f"Story number {n:02d} of the day", body=("Text.",)),
            author_id=EDITOR_ID,
            language="en",
            origin="text",
        )
    [page1] = await desk.say(EDITOR_ID, "/drafts")
    assert "(12)" in page1.visible
    assert page1.visible.count("\n#") == 10
    assert flat(page1) == ["p:drafts:1"]
    answer = await desk.press(EDITOR_ID, page1, "p:drafts:1")
    assert not answer.show_alert
    page2 = tg.message(EDITOR_ID, page1.message_id)
    assert page2.edits and page2.visible.count("\n#") == 2
    assert flat(page2) == ["p:drafts:0"]


# --- languages ---------------------------------------------------------------------------------


async def test_english_editor_gets_english_texts(en_desk: Desk) -> None:
    desk, tg = en_desk, en_desk.tg
    article_id, header = await desk.paste(SHORT_ARTICLE)
    assert header_of(header).startswith(f"Draft #{article_id}")
    assert "Черновик" not in header.visible
    labels = [b["text"] for b in header.buttons]
    assert any("Submit for review" in label for label in labels)
    card = await desk.submitted(article_id, header)
    await desk.until(lambda: "sent for review" in tg.messages(EDITOR_ID)[-1].visible)
    # The admin chat speaks DEFAULT_LANGUAGE (ru); the English author is notified in English.
    assert "На проверку" in card.visible
    await desk.press(ADMIN_ID, card, f"r:publish:{article_id}")
    await desk.until(lambda: any("is published" in m.visible for m in tg.messages(EDITOR_ID)))


async def test_russian_editor_gets_russian_texts(desk: Desk) -> None:
    article_id, header = await desk.paste(SHORT_ARTICLE)
    assert header_of(header).startswith(f"Черновик #{article_id}")
    labels = [b["text"] for b in header.buttons]
    assert any("На проверку" in label or "проверк" in label for label in labels), labels
    [listing] = await desk.say(EDITOR_ID, "/drafts")
    assert "Draft" not in listing.visible and "Your articles" not in listing.visible


# --- regressions of bugs these tests found ---------------------------------------------------


async def publish_short(desk: Desk) -> tuple[int, SentMessage]:
    """An editor's article, submitted and published by ADMIN; returns its id and closed card."""
    tg = desk.tg
    article_id, header = await desk.paste(SHORT_ARTICLE)
    card = await desk.submitted(article_id, header)
    answer = await desk.press(ADMIN_ID, card, f"r:publish:{article_id}")
    assert not answer.show_alert
    await desk.until(lambda: any("t.me/" in m.visible for m in tg.messages(EDITOR_ID)))
    await desk.until(lambda: not tg.message(ADMIN_CHAT_ID, card.message_id).buttons)
    return article_id, tg.message(ADMIN_CHAT_ID, card.message_id)


async def test_decided_card_keeps_the_author_name(desk: Desk) -> None:
    _article_id, closed = await publish_short(desk)
    assert "Elena" in closed.visible


async def test_race_loser_is_told_who_won(desk: Desk) -> None:
    tg = desk.tg
    article_id, closed = await publish_short(desk)
    # The second admin's client still showed the buttons: their press arrives late.
    query = tg.press_button(
        SECOND_ADMIN_ID,
        chat_id=ADMIN_CHAT_ID,
        message_id=closed.message_id,
        data=f"r:publish:{article_id}",
        check=False,
    )
    answer = await desk.answer(query)
    assert answer.show_alert and answer.text is not None
    assert "Already decided" in answer.text  # Daniyar reads English
    assert "Aigerim" in answer.text
    assert str(ADMIN_ID) not in answer.text


async def test_correction_with_a_new_photo_keeps_the_card_closed(desk: Desk) -> None:
    tg = desk.tg
    article_id, closed = await publish_short(desk)
    replies = await desk.say(
        ADMIN_ID, f"/edit {article_id} photo https://img.example.org/bus-lanes.jpg"
    )
    assert any("исправлены" in m.visible for m in replies)
    assert [m.photo != [] for m in desk.channel() if not m.deleted] == [True]
    live_cards = [m for m in live(tg, ADMIN_CHAT_ID) if any(d.startswith("r:") for d in flat(m))]
    assert live_cards == []  # a published article must not get a fresh review card
    # The closed card was one text message, and a text cannot become a photo: it is shown
    # again as the photo post, still closed, and the decision and the channel post stay on it.
    [card] = [m for m in live(tg, ADMIN_CHAT_ID) if "Aigerim" in m.visible]
    assert card.photo and not card.buttons
    decision, posted = closed.visible.split("\n")[-2:]
    assert "Aigerim" in decision and "t.me/" in posted
    assert card.visible.endswith(f"{decision}\n{posted}")


# --- a time with a channel beside it ----------------------------------------------------------


@pytest.mark.parametrize("via", ["card", "command"])
@pytest.mark.parametrize("when", ["tomorrow 09:00", "+1h"])
async def test_a_time_with_a_channel_is_read_alike_from_the_card_and_schedule(
    desk: Desk, via: str, when: str
) -> None:
    tg = desk.tg
    article_id, header = await desk.paste(SHORT_ARTICLE)
    card = await desk.submitted(article_id, header)
    typed = f"{when} @{CHANNEL_USERNAME}"
    if via == "card":
        before = len(tg.messages(ADMIN_CHAT_ID))
        answer = await desk.press(ADMIN_ID, card, f"r:schedule:{article_id}")
        assert not answer.show_alert
        await desk.until(lambda: len(tg.messages(ADMIN_CHAT_ID)) > before)
        await desk.say(ADMIN_ID, typed, chat_id=ADMIN_CHAT_ID)
    else:
        await desk.say(ADMIN_ID, f"/schedule {article_id} {typed}", chat_id=ADMIN_CHAT_ID)
    # The reply: "#N: запланировано на …" (the admin chat speaks Russian).
    await desk.until(lambda: desk.last(ADMIN_CHAT_ID).startswith(f"#{article_id}: "))
    assert "запланировано" in desk.last(ADMIN_CHAT_ID)
    assert (await desk.article(article_id)).status is ArticleStatus.SCHEDULED
