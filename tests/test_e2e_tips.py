"""End to end over HTTP: reader tips (issue 15), in Russian and English.

Subscribers write to the channel's direct messages and suggest posts there (the fake Bot API's
direct messages chat); the bot shows each tip to the admins as a card whose buttons take it as
a draft, publish it with approveSuggestedPost, decline it with declineSuggestedPost or reply in
the sender's topic. The private-chat tip box (READER_TIPS) is the fallback. Every step is a real
update through the fake server and the real bot polling it.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram.exceptions import TelegramBadRequest

from bot.domain import ArticleStatus
from bot.tips import Tip, TipStatus
from fakegram.harness import (
    ADMIN_CHAT_ID,
    ADMIN_ID,
    CHANNEL_ID,
    SECOND_ADMIN_ID,
    STRANGER_ID,
)
from fakegram.server import CallbackAnswer, SentMessage
from tests.test_e2e_workflow import Desk, flat, open_desk

READER_RU, READER_EN = 5001, 5002
PIPE = (
    "На улице Абая прорвало трубу\n\n"
    "Вода затопила три двора, жители ждут аварийную службу с самого утра."
)
BRIDGE = "Bridge on Main Street closed\n\nThe city closed the bridge after cracks were found."


@contextlib.asynccontextmanager
async def newsroom(tmp_path: Path, *, tips: bool = True, **settings: Any) -> AsyncIterator[Desk]:
    """A sandbox whose channel takes direct messages, with two subscribers; ``tips``: the
    channel's tips switched on by an admin (``/tips on`` in the admin chat)."""
    async with open_desk(tmp_path, **settings) as desk:
        tg = desk.tg
        tg.enable_direct_messages(CHANNEL_ID)
        tg.add_user(READER_RU, "Асель", language_code="ru", username="asel")
        tg.add_user(READER_EN, "John", language_code="en", username="john")
        if tips:
            answer = await desk.say(ADMIN_ID, "/tips on", chat_id=ADMIN_CHAT_ID)
            assert "newsroom_demo" in answer[0].visible
            assert "⚠️" not in answer[0].visible  # the bot has the rights tips need
        yield desk


def dm_chat(desk: Desk) -> int:
    return desk.tg.direct_chat_id(CHANNEL_ID)


def cards(desk: Desk) -> list[SentMessage]:
    """The tip cards in the admin chat, oldest first."""
    return [
        m
        for m in desk.tg.messages(ADMIN_CHAT_ID)
        if any(d.startswith("t:") for d in flat(m))  # every card keeps its reply button
    ]


async def card(desk: Desk, count: int = 1) -> SentMessage:
    """Wait for the ``count``-th tip card; return it."""
    await desk.until(lambda: len(cards(desk)) >= count)
    return cards(desk)[count - 1]


async def press(desk: Desk, user: int, message: SentMessage, prefix: str) -> CallbackAnswer:
    return await desk.press(user, message, prefix, chat_id=ADMIN_CHAT_ID)


async def stored(desk: Desk) -> list[Tip]:
    async with desk.sb.bot_app.db.read() as uow:
        return await uow.tips.all()


async def audit(desk: Desk) -> list[tuple[str, dict[str, Any]]]:
    async with desk.sb.bot_app.db.read() as uow:
        rows = await (await uow.conn.execute("SELECT action, details FROM audit_log")).fetchall()
    return [(r["action"], json.loads(r["details"])) for r in rows]


def topic_messages(desk: Desk, user: int) -> list[SentMessage]:
    """What the bot wrote in ``user``'s topic of the direct messages chat."""
    return [
        m
        for m in desk.tg.messages(dm_chat(desk))
        if m.extra.get("direct_messages_topic", {}).get("topic_id") == user
    ]


# --- direct messages → card → decisions -------------------------------------------------------


async def test_direct_message_becomes_a_card_and_a_draft_that_goes_through_review(
    tmp_path: Path,
) -> None:
    async with newsroom(tmp_path) as desk:
        desk.tg.send_direct_message(READER_RU, CHANNEL_ID, PIPE)
        tip_card = await card(desk)
        assert tip_card.visible.startswith("💡 Наводка читателя #1 · сообщение в @newsroom_demo")
        assert "От: Асель @asel · id 5001" in tip_card.visible
        assert tip_card.html is not None and 'href="tg://user?id=5001"' in tip_card.html
        assert "прорвало трубу" in tip_card.visible
        assert flat(tip_card) == ["t:draft:1", "t:dismiss:1", "t:reply:1"]  # not a suggestion

        answer = await press(desk, ADMIN_ID, tip_card, "t:draft:1")
        assert (
            not answer.show_alert and answer.text == "Черновик #1 готов: /show 1, затем /submit 1."
        )
        await desk.until(lambda: bool(desk.tg.message(ADMIN_CHAT_ID, tip_card.message_id).edits))
        closed = desk.tg.message(ADMIN_CHAT_ID, tip_card.message_id)
        assert "📝 Aigerim взял(а) в черновик #1." in closed.visible
        assert flat(closed) == ["t:reply:1"]
        article = await desk.article(1)
        assert article.origin == "tip" and article.status is ArticleStatus.DRAFT
        assert article.content.source_name == "Читатель"
        assert article.content.title == "На улице Абая прорвало трубу"
        # The admin has the draft's preview in private, like a paste of their own.
        await desk.until(lambda: desk.header(ADMIN_ID, 1) is not None)

        # The normal review: submitted, the other admin publishes it from the review card.
        await desk.say(ADMIN_ID, "/submit 1")
        await desk.until(lambda: desk.card(1) is not None)
        review = desk.card(1)
        assert review is not None
        await desk.press(SECOND_ADMIN_ID, review, "r:publish:1")
        await desk.until(lambda: bool(desk.channel()))
        assert "Читатель" in desk.channel()[-1].visible
        assert (await desk.article(1)).status is ArticleStatus.PUBLISHED
        actions = [a for a, _d in await audit(desk)]
        assert actions.index("tip_received") < actions.index("tip_drafted")


async def test_suggested_paid_post_is_published_now_and_kept_24_hours(tmp_path: Path) -> None:
    async with newsroom(tmp_path, default_language="en") as desk:
        tg = desk.tg
        tg.send_direct_message(READER_EN, CHANNEL_ID, BRIDGE, suggested=True, price=("XTR", 100))
        tip_card = await card(desk)
        assert tip_card.visible.startswith("💡 Reader's tip #1 · suggested post to @newsroom_demo")
        assert "💰 Paid post: 100 XTR." in tip_card.visible
        assert flat(tip_card) == ["t:draft:1", "t:publish:1", "t:at:1", "t:decline:1", "t:reply:1"]

        answer = await press(desk, SECOND_ADMIN_ID, tip_card, "t:publish:1")
        assert answer.text == "Approved." and not answer.show_alert
        call = tg.calls("approveSuggestedPost")[0]
        assert call["chat_id"] == str(dm_chat(desk)) and "send_date" not in call
        assert tg.suggested_state(CHANNEL_ID, 1) == "approved"
        post = tg.messages(CHANNEL_ID, include_incoming=True)[-1]
        assert post.text == BRIDGE and post.extra.get("is_paid_post") is True
        await desk.until(lambda: bool(tg.message(ADMIN_CHAT_ID, tip_card.message_id).edits))
        assert "📢 Approved by Daniyar" in tg.message(ADMIN_CHAT_ID, tip_card.message_id).visible
        approved = [d for a, d in await audit(desk) if a == "tip_approved"]
        assert [d["tip"] for d in approved] == [1]
        # A paid post must stay 24 hours: Telegram (the fake) refuses to delete it.
        with pytest.raises(TelegramBadRequest, match="paid post"):
            await desk.sb.bot_app.bot.delete_message(CHANNEL_ID, post.message_id)


async def test_publish_at_a_time_within_30_days_only(tmp_path: Path) -> None:
    async with newsroom(tmp_path) as desk:
        tg = desk.tg
        tg.send_direct_message(READER_RU, CHANNEL_ID, PIPE, suggested=True)
        tip_card = await card(desk)
        await press(desk, ADMIN_ID, tip_card, "t:at:1")
        await desk.until(
            lambda: "Когда Telegram опубликовать наводку #1" in desk.last(ADMIN_CHAT_ID)
        )
        unclear = await desk.say(ADMIN_ID, "когда-нибудь", chat_id=ADMIN_CHAT_ID)
        assert unclear[0].visible.startswith("Не удалось разобрать время.")
        refused = await desk.say(ADMIN_ID, "+40d", chat_id=ADMIN_CHAT_ID)
        assert "не позже чем через 30 дней" in refused[0].visible
        assert tg.calls("approveSuggestedPost") == []  # refused before Telegram was asked
        before = int(time.time())
        done = await desk.say(ADMIN_ID, "+2h", chat_id=ADMIN_CHAT_ID)
        assert done[0].visible == "Одобрено."
        send_date = int(tg.calls("approveSuggestedPost")[0]["send_date"])
        # Two hours ahead of the bot's clock (which the sandbox warps forward, never back).
        assert send_date >= before + 7200
        assert [(chat, msg) for _due, chat, msg in tg.world.suggested_due] == [(dm_chat(desk), 1)]
        assert tg.suggested_state(CHANNEL_ID, 1) == "approved"
        assert tg.messages(CHANNEL_ID, include_incoming=True) == []  # not yet: at its time
        assert tg.publish_due_suggested() == []
        # Two hours later (Telegram's clock), Telegram publishes it in the channel itself.
        tg.wall_clock = lambda: time.time() + 3 * 3600
        [post] = tg.publish_due_suggested()
        assert post.chat_id == CHANNEL_ID and post.text == PIPE
        assert "is_paid_post" not in post.extra  # an unpaid suggestion


async def test_decline_with_a_comment_of_at_most_128_characters(tmp_path: Path) -> None:
    async with newsroom(tmp_path, default_language="en") as desk:
        tg = desk.tg
        tg.send_direct_message(READER_EN, CHANNEL_ID, BRIDGE, suggested=True)
        tip_card = await card(desk)
        await press(desk, ADMIN_ID, tip_card, "t:decline:1")
        await desk.until(lambda: "/skip" in desk.last(ADMIN_CHAT_ID))
        # The admin (Aigerim) speaks Russian: her answers are in Russian.
        too_long = await desk.say(ADMIN_ID, "ж" * 129, chat_id=ADMIN_CHAT_ID)
        assert "В комментарии 129 символов, а Telegram принимает не больше 128" in (
            too_long[0].visible
        )
        assert tg.calls("declineSuggestedPost") == []
        comment = "ж" * 128
        done = await desk.say(ADMIN_ID, comment, chat_id=ADMIN_CHAT_ID)
        assert done[0].visible == "Отклонено."
        assert tg.calls("declineSuggestedPost")[0]["comment"] == comment
        assert tg.suggested_state(CHANNEL_ID, 1) == "declined"
        await desk.until(lambda: bool(tg.message(ADMIN_CHAT_ID, tip_card.message_id).edits))
        assert "🚫 Declined by Aigerim." in tg.message(ADMIN_CHAT_ID, tip_card.message_id).visible
        assert [d["comment"] for a, d in await audit(desk) if a == "tip_declined"] == [comment]
        # A decided tip's buttons are gone; a forged press is told who decided it.
        forged = tg.press_button(
            SECOND_ADMIN_ID,
            chat_id=ADMIN_CHAT_ID,
            message_id=tip_card.message_id,
            data="t:publish:1",
            check=False,
        )
        lost = await desk.answer(forged)
        assert lost.show_alert and lost.text == "Tip #1 was already decided by Aigerim."


async def test_the_fake_refuses_what_telegram_refuses(tmp_path: Path) -> None:
    async with newsroom(tmp_path) as desk:
        tg, bot = desk.tg, desk.sb.bot_app.bot
        dm = dm_chat(desk)
        tg.send_direct_message(READER_RU, CHANNEL_ID, PIPE, suggested=True)
        tg.send_direct_message(READER_RU, CHANNEL_ID, "просто сообщение")
        await card(desk, 2)
        with pytest.raises(TelegramBadRequest, match="comment is too long"):
            await bot.decline_suggested_post(chat_id=dm, message_id=1, comment="x" * 129)
        with pytest.raises(TelegramBadRequest, match="too far in the future"):
            await bot.approve_suggested_post(
                chat_id=dm, message_id=1, send_date=int(time.time()) + 2_678_400 + 3600
            )
        with pytest.raises(TelegramBadRequest, match="not a suggested post"):
            await bot.approve_suggested_post(chat_id=dm, message_id=2)
        with pytest.raises(TelegramBadRequest, match="not a channel direct messages chat"):
            await bot.approve_suggested_post(chat_id=ADMIN_CHAT_ID, message_id=1)
        with pytest.raises(TelegramBadRequest, match="topic must be specified"):
            await bot.send_message(dm, "hi")
        tg.set_direct_messages_rights(CHANNEL_ID, can_manage=False)
        with pytest.raises(TelegramBadRequest, match="not enough rights to decline"):
            await bot.decline_suggested_post(chat_id=dm, message_id=1)
        tg.set_channel_rights(CHANNEL_ID, can_post=False)
        with pytest.raises(TelegramBadRequest, match="not enough rights to approve"):
            await bot.approve_suggested_post(chat_id=dm, message_id=1)
        tg.set_channel_rights(CHANNEL_ID, can_post=True)
        assert await bot.approve_suggested_post(chat_id=dm, message_id=1)
        with pytest.raises(TelegramBadRequest, match="already approved"):
            await bot.approve_suggested_post(chat_id=dm, message_id=1)
        member = await bot.get_chat_member(CHANNEL_ID, (await bot.get_me()).id)
        assert getattr(member, "can_manage_direct_messages", None) is False
        chat = await bot.get_chat(dm)
        assert chat.is_direct_messages and chat.parent_chat is not None
        assert chat.parent_chat.id == CHANNEL_ID


async def test_a_telegram_refusal_is_told_and_the_tip_stays_open(tmp_path: Path) -> None:
    async with newsroom(tmp_path, default_language="en") as desk:
        tg = desk.tg
        tg.send_direct_message(READER_EN, CHANNEL_ID, BRIDGE, suggested=True)
        tip_card = await card(desk)
        tg.set_channel_rights(CHANNEL_ID, can_post=False)
        answer = await press(desk, SECOND_ADMIN_ID, tip_card, "t:publish:1")
        assert answer.show_alert and answer.text is not None
        assert answer.text.startswith("Telegram refused: Bad Request: not enough rights")
        assert (await stored(desk))[0].status is TipStatus.NEW
        tg.set_channel_rights(CHANNEL_ID, can_post=True)
        again = await press(desk, SECOND_ADMIN_ID, tip_card, "t:publish:1")
        assert again.text == "Approved."
        assert [a for a, _d in await audit(desk) if a.startswith("tip_approved")] == [
            "tip_approved_refused",
            "tip_approved",
        ]


async def test_reply_arrives_in_the_senders_topic(tmp_path: Path) -> None:
    async with newsroom(tmp_path) as desk:
        tg = desk.tg
        tg.send_direct_message(READER_RU, CHANNEL_ID, PIPE)
        tip_card = await card(desk)
        await press(desk, ADMIN_ID, tip_card, "t:reply:1")
        await desk.until(lambda: "Ваш ответ автору наводки #1" in desk.last(ADMIN_CHAT_ID))
        done = await desk.say(ADMIN_ID, "Спасибо, <проверим> & перезвоним", chat_id=ADMIN_CHAT_ID)
        assert done[0].visible == "Ответ автору наводки #1 отправлен."
        replies = topic_messages(desk, READER_RU)
        assert [m.text for m in replies] == ["Спасибо, <проверим> & перезвоним"]  # plain text
        calls = [c for c in tg.calls("sendMessage") if c["chat_id"] == str(dm_chat(desk))]
        assert [c["direct_messages_topic_id"] for c in calls] == [str(READER_RU)]
        assert "parse_mode" not in calls[0]  # what the admin typed is not read as HTML
        assert [d["text"] for a, d in await audit(desk) if a == "tip_replied"] == [
            "Спасибо, <проверим> & перезвоним"
        ]
        assert (await stored(desk))[0].status is TipStatus.NEW  # a reply decides nothing


async def test_two_admins_pressing_at_once_one_wins(tmp_path: Path) -> None:
    async with newsroom(tmp_path) as desk:
        tg = desk.tg
        tg.send_direct_message(READER_RU, CHANNEL_ID, PIPE, suggested=True)
        tip_card = await card(desk)
        # Both presses are queued before the bot takes either.
        first = tg.press_button(
            ADMIN_ID, chat_id=ADMIN_CHAT_ID, message_id=tip_card.message_id, data="t:draft:1"
        )
        second = tg.press_button(
            SECOND_ADMIN_ID,
            chat_id=ADMIN_CHAT_ID,
            message_id=tip_card.message_id,
            data="t:publish:1",
        )
        answers = [await desk.answer(first), await desk.answer(second)]
        lost = [a for a in answers if a.show_alert]
        assert len(lost) == 1 and lost[0].text is not None
        # Told in the loser's own language who took the tip (Aigerim: ru, Daniyar: en).
        said = ("уже решил(а)", "решает её прямо сейчас")
        if lost[0].user_id == SECOND_ADMIN_ID:
            said = ("was already decided by Aigerim", "Aigerim is deciding it right now")
        assert any(words in lost[0].text for words in said), lost[0].text
        tips = await stored(desk)
        assert tips[0].status in (TipStatus.DRAFTED, TipStatus.APPROVED)
        drafted = tips[0].status is TipStatus.DRAFTED
        assert len(tg.calls("approveSuggestedPost")) == (0 if drafted else 1)
        decisions = [a for a, _d in await audit(desk) if a in ("tip_drafted", "tip_approved")]
        assert len(decisions) == 1


# --- bad inputs and limits --------------------------------------------------------------------


async def test_stickers_and_floods_in_direct_messages(tmp_path: Path) -> None:
    async with newsroom(tmp_path, tips_per_hour=3) as desk:
        tg = desk.tg
        tg.send_direct_message(READER_EN, CHANNEL_ID, sticker=True)
        await desk.settle()
        assert cards(desk) == [] and await stored(desk) == []
        assert topic_messages(desk, READER_EN) == []  # a sticker is no tip: left unanswered
        for n in range(3):
            tg.send_direct_message(READER_EN, CHANNEL_ID, f"{BRIDGE} ({n})")
        await card(desk, 3)
        tg.send_direct_message(READER_EN, CHANNEL_ID, f"{BRIDGE} (3)")
        await desk.until(lambda: bool(topic_messages(desk, READER_EN)))
        told = topic_messages(desk, READER_EN)
        assert told[0].text is not None and "you have sent 3 tips in the last hour" in told[0].text
        tg.send_direct_message(READER_EN, CHANNEL_ID, f"{BRIDGE} (4)")
        await desk.settle()
        assert len(topic_messages(desk, READER_EN)) == 1  # told once
        assert len(cards(desk)) == 3
        # Another sender is not held back by this one, and is answered in Russian.
        tg.send_direct_message(READER_RU, CHANNEL_ID, "x" * 3001)
        await desk.until(lambda: bool(topic_messages(desk, READER_RU)))
        assert "Наводка слишком длинная (3001 символов" in (
            topic_messages(desk, READER_RU)[0].visible
        )


async def test_direct_messages_are_left_alone_when_tips_are_off(tmp_path: Path) -> None:
    async with newsroom(tmp_path, tips=False) as desk:
        desk.tg.send_direct_message(READER_RU, CHANNEL_ID, PIPE, suggested=True)
        await desk.settle()
        assert cards(desk) == [] and await stored(desk) == []
        answer = await desk.say(ADMIN_ID, "/tips", chat_id=ADMIN_CHAT_ID)
        assert answer[0].visible == "Личные сообщения в @newsroom_demo не становятся наводками."
        bad = await desk.say(ADMIN_ID, "/tips maybe", chat_id=ADMIN_CHAT_ID)
        assert bad[0].visible == "Формат: /tips [@канал] on|off"
        # Switched on without the right to manage direct messages: the admin is told.
        desk.tg.set_direct_messages_rights(CHANNEL_ID, can_manage=False)
        warned = await desk.say(ADMIN_ID, "/tips @newsroom_demo on", chat_id=ADMIN_CHAT_ID)
        assert warned[0].visible.endswith(
            "⚠️ У бота нет этих прав в канале: «Управление личными сообщениями»."
        )


async def test_reader_tips_off_strangers_are_refused_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    async with newsroom(tmp_path, tips=False) as desk:
        before = await audit(desk)
        refused = await desk.say(STRANGER_ID, "Tip: the mayor resigned, see https://x.example")
        assert "only for the newsroom's editors" in refused[0].visible
        desk.tg.send_photo(STRANGER_ID, caption="a photo tip")
        await desk.settle()
        assert await stored(desk) == [] and await audit(desk) == before
        assert cards(desk) == []


async def test_the_tip_box_thanks_caps_and_refuses_politely(tmp_path: Path) -> None:
    async with newsroom(tmp_path, reader_tips=True, tips_per_hour=2) as desk:
        tg = desk.tg
        intro = await desk.say(STRANGER_ID, "/start")
        assert intro[0].visible.startswith("Hello! This is the newsroom's tip box")
        sticker_before = len(tg.messages(STRANGER_ID))
        tg.send_sticker(STRANGER_ID)
        await desk.until(lambda: len(tg.messages(STRANGER_ID)) > sticker_before)
        assert "stickers and other messages can't be" in desk.last(STRANGER_ID)
        thanks = await desk.say(STRANGER_ID, "The mayor resigned: https://news.example/mayor")
        assert thanks[0].visible == "Thank you! Your tip went to the editors."
        tip_card = await card(desk)
        assert "ящик для наводок (личный чат)" in tip_card.visible
        assert "От: Stranger · id 3001" in tip_card.visible
        tg.send_photo(STRANGER_ID, caption="Flooded underpass on Abay")
        await card(desk, 2)
        assert cards(desk)[1].photo  # the photo tip's card is the photo
        limited = await desk.say(STRANGER_ID, "one more")
        assert "you have sent 2 tips in the last hour" in limited[0].visible
        again = await desk.say(STRANGER_ID, "and another")
        assert "you have sent 2 tips" in again[0].visible  # a private chat is always answered
        assert len([t for t in await stored(desk) if t.status is not TipStatus.REFUSED]) == 2
        # A private tip is taken as a draft or dismissed, never published as suggested.
        assert flat(tip_card) == ["t:draft:1", "t:dismiss:1", "t:reply:1"]
        answer = await press(desk, ADMIN_ID, cards(desk)[1], "t:dismiss:2")
        assert answer.text == "Закрыто."
        await press(desk, ADMIN_ID, tip_card, "t:reply:1")
        await desk.until(lambda: "Ваш ответ автору наводки #1" in desk.last(ADMIN_CHAT_ID))
        await desk.say(ADMIN_ID, "Thank you, we are checking", chat_id=ADMIN_CHAT_ID)
        await desk.until(lambda: desk.last(STRANGER_ID) == "Thank you, we are checking")
        actions = [a for a, _d in await audit(desk)]
        assert actions.count("tip_received") == 2
        assert "tip_dismissed" in actions and "tip_replied" in actions


async def test_the_tip_box_speaks_russian(tmp_path: Path) -> None:
    async with newsroom(tmp_path, tips=False, reader_tips=True) as desk:
        desk.tg.add_user(3002, "Дана", language_code="ru")
        thanks = await desk.say(3002, "На Абая ДТП, пробка до Сейфуллина")
        assert thanks[0].visible == "Спасибо! Ваша наводка передана редакторам."
        tip_card = await card(desk)
        answer = await press(desk, SECOND_ADMIN_ID, tip_card, "t:draft:1")
        assert answer.text == "Draft #1 made: /show 1, then /submit 1."
        assert (await desk.article(1)).content.source_name == "Читатель"
