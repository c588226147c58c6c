"""End to end over HTTP: the draft card says what the parser was not sure of, and fixes it.

Issue 13: no source found, several outlets named, no date; one-tap buttons (a candidate, the
default source, "now", a typed date, "keep it"), per-editor and per-channel default sources,
doubts that survive a restart and that a manual edit of the field settles.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import AuditEntry
from fakegram.harness import ADMIN_ID, CHANNEL_USERNAME, EDITOR_ID
from fakegram.server import SentMessage
from tests.test_e2e_workflow import Desk, flat, open_desk

TWO_OUTLETS = (
    "Власти Астаны закрыли мост на ремонт\n\n"
    "Акимат Астаны закрывает Иртышский мост на два месяца, сообщает Tengrinews.kz. "
    "Как пишет Kazinform, ремонт начнется в понедельник.\n\n"
    "Водителям предлагают объезд по соседним улицам."
)
NO_SOURCE = (
    "City council approves new bus lanes\n\n"
    "The council voted 12 to 3 for dedicated lanes on the ring road.\n\n"
    "Work starts in spring and should take four months."
)


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    async with open_desk(tmp_path, editor_language="en") as d:
        yield d


def buttons(desk: Desk, article_id: int) -> list[str]:
    header = desk.header(EDITOR_ID, article_id)
    assert header is not None
    return flat(header)


def header_text(desk: Desk, article_id: int) -> str:
    header = desk.header(EDITOR_ID, article_id)
    assert header is not None
    return header.visible


async def audit(desk: Desk, article_id: int) -> list[AuditEntry]:
    async with desk.sb.bot_app.db.read() as uow:
        return await uow.audit.for_article(article_id)


async def pressed(desk: Desk, article_id: int, data: str) -> str:
    """Press the header's button ``data``; the answer must not be an alert. Its text."""
    header = desk.header(EDITOR_ID, article_id)
    assert header is not None
    answer = await desk.press(EDITOR_ID, header, data)
    assert not answer.show_alert, answer.text
    return answer.text or ""


async def test_two_outlets_one_button_each_and_the_pick_is_the_source(desk: Desk) -> None:
    article_id, header = await desk.paste(TWO_OUTLETS)
    assert "several outlets" in header.visible
    assert "«Tengrinews.kz», «Kazinform»" in header.visible
    assert f"f:pick:{article_id}:0" in flat(header) and f"f:pick:{article_id}:1" in flat(header)
    stored = await desk.article(article_id)
    assert stored.content.source_name == "Tengrinews.kz"  # the strongest, first
    assert stored.doubts.source_candidates == ("Tengrinews.kz", "Kazinform")

    # The reviewers' card says so too, without the editor's buttons.
    card = await desk.submitted(article_id, header)
    assert "несколько изданий" in card.visible  # the admins' language
    assert not [d for d in flat(card) if d.startswith("f:")]

    said = await pressed(desk, article_id, f"f:pick:{article_id}:1")
    assert "Kazinform" in said
    await desk.until(lambda: "several outlets" not in header_text(desk, article_id))
    assert not [d for d in buttons(desk, article_id) if d.startswith("f:pick:")]
    fixed = await desk.article(article_id)
    assert fixed.content.source_name == "Kazinform"
    assert "source_candidates" not in fixed.doubts.warnings
    assert "no_date" in fixed.doubts.warnings  # the other doubt stays
    entry = [e for e in await audit(desk, article_id) if e.action == "fix:source"]
    assert [(e.actor_id, e.details["source"], e.details["how"]) for e in entry] == [
        (EDITOR_ID, "Kazinform", "candidate")
    ]
    # The preview above the header credits the chosen outlet.
    assert any("Kazinform" in m.visible for m in desk.tg.messages(EDITOR_ID) if not m.deleted)
    # The button is spent: pressing it again is an out-of-date button.
    header_now = desk.header(EDITOR_ID, article_id)
    assert header_now is not None
    again = desk.tg.press_button(
        EDITOR_ID,
        chat_id=EDITOR_ID,
        message_id=header_now.message_id,
        data=f"f:pick:{article_id}:0",
        check=False,  # an old copy of the card still shows it
    )
    answer = await desk.answer(again)
    assert answer.show_alert
    assert (await desk.article(article_id)).content.source_name == "Kazinform"


async def test_editor_default_source_is_taken_and_the_card_says_so(desk: Desk) -> None:
    [none] = await desk.say(EDITOR_ID, "/mysource")
    assert "no default source" in none.visible
    [ok] = await desk.say(EDITOR_ID, "/mysource Vlast.kz")
    assert "Vlast.kz" in ok.visible
    article_id, header = await desk.paste(NO_SOURCE)
    stored = await desk.article(article_id)
    assert stored.content.source_name == "Vlast.kz"
    assert stored.doubts.warnings[0] == "default_source"
    assert stored.doubts.default_from == "editor"
    assert "Source «Vlast.kz» is your default" in header.visible
    [created] = [e for e in await audit(desk, article_id) if e.action == "created"]
    assert created.details["default_source"] == "Vlast.kz"
    assert created.details["default_from"] == "editor"

    await pressed(desk, article_id, f"f:keep:{article_id}:default_source")
    await desk.until(lambda: "your default" not in header_text(desk, article_id))
    assert "default_source" not in (await desk.article(article_id)).doubts.warnings
    assert [
        e.details["doubt"] for e in await audit(desk, article_id) if e.action == "fix:keep"
    ] == ["default_source"]

    [cleared] = await desk.say(EDITOR_ID, "/mysource -")
    assert "cleared" in cleared.visible
    second, header2 = await desk.paste(NO_SOURCE.replace("bus lanes", "tram lines"))
    assert (await desk.article(second)).content.source_name == ""
    assert "names no source" in header2.visible


async def test_channel_default_source_and_the_editor_default_wins(desk: Desk) -> None:
    [set_it] = await desk.say(ADMIN_ID, "/template default_source Kazinform")
    assert "default_source" in set_it.visible
    article_id, header = await desk.paste(NO_SOURCE)
    stored = await desk.article(article_id)
    assert stored.content.source_name == "Kazinform"
    assert stored.doubts.default_from == f"@{CHANNEL_USERNAME}"
    assert f"is the default of @{CHANNEL_USERNAME}" in header.visible

    await desk.say(EDITOR_ID, "/mysource KazTAG")
    second, _header = await desk.paste(NO_SOURCE.replace("bus lanes", "tram lines"))
    assert (await desk.article(second)).content.source_name == "KazTAG"

    # "-" clears the channel's default; without the editor's, nothing is credited.
    await desk.say(EDITOR_ID, "/mysource -")
    await desk.say(ADMIN_ID, "/template default_source -")
    third, header3 = await desk.paste(NO_SOURCE.replace("bus lanes", "bike paths"))
    assert (await desk.article(third)).content.source_name == ""
    assert "names no source" in header3.visible


async def test_no_source_offers_a_default_set_later_and_typing_the_source(desk: Desk) -> None:
    article_id, header = await desk.paste(NO_SOURCE)
    assert "names no source" in header.visible
    assert f"d:field:{article_id}:source" in flat(header)  # the Edit prompt for the source
    assert not [d for d in flat(header) if d.startswith("f:default:")]

    # A default set after the paste: the card offers it (and the draft is not changed by it).
    await desk.say(EDITOR_ID, "/mysource Vlast.kz")
    assert (await desk.article(article_id)).content.source_name == ""
    # A one-message post: /show answers with the post carrying the header and buttons.
    await desk.say(EDITOR_ID, f"/show {article_id}", replies=1)
    await desk.until(lambda: f"f:default:{article_id}:" in buttons(desk, article_id))
    assert "Your default source is «Vlast.kz»" in header_text(desk, article_id)
    await pressed(desk, article_id, f"f:default:{article_id}:")
    await desk.until(lambda: "names no source" not in header_text(desk, article_id))
    fixed = await desk.article(article_id)
    assert fixed.content.source_name == "Vlast.kz"
    assert [
        e.details["how"] for e in await audit(desk, article_id) if e.action == "fix:source"
    ] == ["default:editor"]

    # "Type the source": the existing field prompt; the typed value is the source.
    second, _h = await desk.paste(NO_SOURCE.replace("bus lanes", "tram lines"))
    assert (await desk.article(second)).content.source_name == "Vlast.kz"  # now the default
    await pressed(desk, second, f"d:field:{second}:source")
    await desk.until(lambda: "source" in desk.last(EDITOR_ID))
    await desk.say(EDITOR_ID, "KazTAG")
    await desk.until(lambda: "Saved" in desk.last(EDITOR_ID))
    typed = await desk.article(second)
    assert typed.content.source_name == "KazTAG"
    assert typed.doubts.warnings == ("no_date",)
    await desk.until(lambda: "your default" not in header_text(desk, second))


async def test_no_date_now_and_a_typed_date(desk: Desk) -> None:
    article_id, header = await desk.paste(NO_SOURCE)
    assert "No publication date" in header.visible
    before = desk.sb.bot_app.desk.clock.now()
    await pressed(desk, article_id, f"f:now:{article_id}:")
    await desk.until(lambda: "No publication date" not in header_text(desk, article_id))
    now_fixed = await desk.article(article_id)
    assert now_fixed.content.published_at is not None
    assert now_fixed.content.published_at >= before
    assert [e.action for e in await audit(desk, article_id)].count("fix:date") == 1

    second, _header2 = await desk.paste(NO_SOURCE.replace("bus lanes", "tram lines"))
    await pressed(desk, second, f"f:date:{second}:")
    await desk.until(lambda: "date of the original publication" in desk.last(EDITOR_ID))
    [refused] = await desk.say(EDITOR_ID, "whenever")
    assert "can't read" in refused.visible
    [done] = await desk.say(EDITOR_ID, "05.12.2026 14:05")
    assert f"Date of #{second}" in done.visible
    typed = await desk.article(second)
    # 14:05 in Asia/Almaty (UTC+5), stored in UTC.
    assert typed.content.published_at == datetime(2026, 12, 5, 9, 5, tzinfo=UTC)
    assert "no_date" not in typed.doubts.warnings
    await desk.until(lambda: "No publication date" not in header_text(desk, second))


async def test_a_manual_edit_of_the_source_settles_its_doubt(desk: Desk) -> None:
    article_id, _header = await desk.paste(TWO_OUTLETS)
    [saved] = await desk.say(EDITOR_ID, f"/edit {article_id} source ТАСС")
    assert "Saved" in saved.visible
    await desk.until(lambda: "several outlets" not in header_text(desk, article_id))
    edited = await desk.article(article_id)
    assert edited.content.source_name == "ТАСС"
    assert edited.doubts.warnings == ("no_date",)
    assert not [d for d in buttons(desk, article_id) if d.startswith("f:pick:")]


def control(messages: list[SentMessage], article_id: int) -> SentMessage:
    return next(m for m in messages if f"d:edit:{article_id}:" in "".join(flat(m)))


async def test_doubts_survive_a_restart(tmp_path: Path) -> None:
    async with open_desk(tmp_path, editor_language="en") as first:
        article_id, header = await first.paste(TWO_OUTLETS)
        assert "several outlets" in header.visible
    # A fresh bot on the same database (and a fresh Telegram: the old messages are gone).
    async with open_desk(tmp_path, editor_language="en") as second:
        shown = await second.say(EDITOR_ID, f"/show {article_id}", replies=1)
        card = control(shown, article_id)
        assert "several outlets" in card.visible and "No publication date" in card.visible
        assert f"f:pick:{article_id}:1" in flat(card)
        await pressed(second, article_id, f"f:pick:{article_id}:1")
        await second.until(lambda: "several outlets" not in header_text(second, article_id))
        assert (await second.article(article_id)).content.source_name == "Kazinform"


async def test_the_doubts_speak_the_editors_language(tmp_path: Path) -> None:
    async with open_desk(tmp_path, editor_language="ru") as ru:
        _id, header = await ru.paste(NO_SOURCE)
        assert "В тексте не найден источник" in header.visible
        assert "не найдена дата публикации" in header.visible
        labels = [str(b["text"]) for b in header.buttons]
        assert "🕒 Сейчас" in labels and "✏️ Ввести источник" in labels
        [answer] = await ru.say(EDITOR_ID, "/mysource Vlast.kz")
        assert "Теперь ваш источник по умолчанию" in answer.visible


async def test_an_albums_caption_on_a_later_item_brings_its_doubts(desk: Desk) -> None:
    """The draft made by a caption-less first photo takes the caption's text and its doubts."""
    desk.tg.send_photo(EDITOR_ID, media_group_id="album-doubts")
    desk.tg.send_photo(EDITOR_ID, caption=TWO_OUTLETS, media_group_id="album-doubts")
    await desk.tg.wait_until_updates_consumed()
    await desk.settle()
    stored = await desk.article(1)
    assert stored.content.source_name == "Tengrinews.kz"
    assert stored.doubts.warnings == ("source_candidates", "no_date")
    assert stored.doubts.source_candidates == ("Tengrinews.kz", "Kazinform")
    await desk.until(lambda: "several outlets" in header_text(desk, 1))


@pytest.mark.parametrize(
    ("button", "answer"),
    [("d:field:{id}:source", "KazTAG"), ("f:date:{id}:", "05.12.2026 14:05")],
    ids=["field-prompt", "date-prompt"],
)
async def test_a_prompt_answered_after_the_publication_is_refused(
    desk: Desk, button: str, answer: str
) -> None:
    """With REQUIRE_APPROVAL, a change to a published article is the admins' (issue: a prompt
    opened on the draft must not let the editor change it once it was published)."""
    article_id, _header = await desk.paste(NO_SOURCE)
    await pressed(desk, article_id, button.format(id=article_id))
    card = await desk.submitted(article_id, _header)
    await desk.press(ADMIN_ID, card, f"r:publish:{article_id}")
    await desk.until(lambda: bool(desk.channel()))
    before = await desk.article(article_id)

    [refused] = await desk.say(EDITOR_ID, answer)
    assert "you may not do this" in refused.visible
    after = await desk.article(article_id)
    assert after.content == before.content
    # The prompt is over: the next message is a new paste, not its answer.
    again, _h = await desk.paste(NO_SOURCE.replace("bus lanes", "tram lines"))
    assert again != article_id


@pytest.mark.parametrize("word", ["нет", "-", "off", "—", "OFF"])
async def test_mysource_off_words_clear_it(desk: Desk, word: str) -> None:
    """The words that clear /mysource are those that switch /quiet and /embargo off."""
    await desk.say(EDITOR_ID, "/mysource Vlast.kz")
    [cleared] = await desk.say(EDITOR_ID, f"/mysource {word}")
    assert "cleared" in cleared.visible
    [shown] = await desk.say(EDITOR_ID, "/mysource")
    assert "You have no default source" in shown.visible
