"""Views are pure: the same plain data gives the same text and buttons, in each language."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup

from bot.callbacks import DraftAction
from bot.domain import (
    Article,
    ArticleContent,
    ArticleStatus,
    Channel,
    Layout,
    OutMessage,
    Photo,
    Post,
    Publication,
    PublicationStatus,
)
from bot.i18n import make_i18n
from bot.limits import CAPTION_LIMIT, TEXT_LIMIT
from bot.texts import visible_length
from bot.views import cards, combined, keyboards, notices
from bot.views.combined import SEPARATOR
from bot.workflow.results import Decision, DecisionKind, Winner

TZ = ZoneInfo("Asia/Almaty")
AT = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


BASE = Article(
    id=7,
    content=ArticleContent(title="<Школа>"),
    status=ArticleStatus.DRAFT,
    author_id=11,
    origin="text",
    decided_by=None,
    decided_at=None,
    reject_reason="",
    embargo_until=None,
    breaking=False,
    version=1,
    created_at=AT,
    updated_at=AT,
)


def article(status: ArticleStatus, **kw: Any) -> Article:
    return replace(BASE, status=status, **kw)


def texts(markup: InlineKeyboardMarkup) -> list[list[str]]:
    return [[b.text for b in row] for row in markup.inline_keyboard]


def test_decision_lines_and_author_notices_in_both_languages() -> None:
    i18n = make_i18n("en")
    scheduled = Decision(
        DecisionKind.SCHEDULED, actor_id=1, actor_name="A<b>", at=AT, due=AT, immediate=False
    )
    rejected = Decision(
        DecisionKind.REJECTED, actor_id=1, actor_name="Aigerim", at=AT, reason="a & b", signed=True
    )
    with i18n.context(), i18n.use_locale("en"):
        assert cards.decision_line(scheduled, TZ) == (
            "🗓 Scheduled for 2026-11-28 11:00 (Asia/Almaty)"
            " — A&lt;b&gt;, 2026-11-28 11:00 (Asia/Almaty)"
        )
        assert cards.author_decision_text(7, rejected, TZ) == (
            "Your article #7 was rejected: a &amp; b\n— Aigerim"
        )
    with i18n.context(), i18n.use_locale("ru"):
        assert cards.decision_line(scheduled, TZ).startswith("🗓 Запланировано на ")
        winner = Winner(ArticleStatus.PUBLISHED, name="", actor_id=21, at=AT)
        # No name stored: the winner's id stands in for it.
        assert "21" in cards.winner_text(winner, TZ)


def test_draft_keyboard_follows_status_and_role() -> None:
    i18n = make_i18n("en")
    with i18n.context(), i18n.use_locale("en"):
        editor = keyboards.draft_keyboard(article(ArticleStatus.DRAFT), can_publish=False)
        admin = keyboards.draft_keyboard(article(ArticleStatus.REJECTED), can_publish=True)
        published = keyboards.draft_keyboard(article(ArticleStatus.PUBLISHED), can_publish=True)
        edit = keyboards.edit_keyboard(article(ArticleStatus.DRAFT))
    assert texts(editor) == [
        ["🖼 Photo", "✏️ Edit", "📢 Channels"],
        ["📨 Submit for review"],
        ["🗑 Delete"],
    ]
    assert texts(admin)[1] == ["🚀 Publish now", "🗓 Queue"]
    assert texts(published) == [["🖼 Photo", "✏️ Edit"]]
    assert [len(row) for row in texts(edit)] == [3, 3, 1]
    first = edit.inline_keyboard[0][0].callback_data
    assert first is not None
    assert DraftAction.unpack(first) == DraftAction(action="field", article_id=7, arg="title")


def test_draft_header_escapes_and_names_the_rejection() -> None:
    i18n = make_i18n("en")
    rejected = article(ArticleStatus.REJECTED, reject_reason="no <source>")
    dup = article(ArticleStatus.PUBLISHED, id=3)
    with i18n.context(), i18n.use_locale("en"):
        header = cards.draft_header(rejected, (), [dup])
    assert header.splitlines() == [
        "<b>Draft #7</b> · rejected",
        "⚠️ Looks like #3 «&lt;Школа&gt;» (published).",
        "Rejected: no &lt;source&gt;",
    ]


def test_digest_joins_notice_lines_into_as_few_messages_as_fit() -> None:
    lines = [f"✅ #{i} published in @news: https://t.me/news/{i}" for i in range(200)]
    texts = notices.digest_texts(lines)
    assert 1 < len(texts) < 10  # ~40 characters a line: a few messages, not 200
    assert all(visible_length(t) <= TEXT_LIMIT for t in texts)
    assert "\n".join(texts).split("\n") == lines  # none lost, in order
    assert notices.digest_texts([]) == []
    # Tags cost nothing and &amp; is one character: the limit is counted as Telegram counts it.
    assert len(notices.digest_texts(["<b>a&amp;b</b>"] * 2, limit=7)) == 1


def test_published_card_line_gives_the_local_time_and_the_link() -> None:
    i18n = make_i18n("en")
    pub = Publication(
        id=1,
        article_id=7,
        channel_id=1,
        status=PublicationStatus.PUBLISHED,
        due_at=AT,
        silent=False,
        attempts=1,
        message_ids=(5,),
        link="https://t.me/news/5",
        last_error="",
        claimed_at=AT,
        published_at=AT,
    )
    channel = Channel(
        id=1,
        chat_ref="@news",
        chat_id=-1001,
        username="news",
        title="News",
        template={},
        slots=(),
        quiet_hours="",
        is_default=True,
    )
    with i18n.context(), i18n.use_locale("en"):
        line = notices.published_card_line(pub, channel, TZ)
    assert line == "✅ Published in @news at 11:00: https://t.me/news/5"


def _post(*messages: OutMessage) -> Post:
    return Post(messages=messages, layout=Layout.AUTO)


def _text(visible: int, *, entities: int = 1) -> OutMessage:
    # "&amp;" is five characters of markup and one that Telegram counts.
    return OutMessage(
        kind="text",
        html=f"<b>{'&amp;' * visible}</b>",
        visible_length=visible,
        entity_count=entities,
    )


def test_the_header_rides_on_a_one_message_post_when_it_fits_as_telegram_counts() -> None:
    header = "<b>Draft #7</b> · draft"  # 16 visible characters; bold, and "#7" counted
    joined = len("\n\n" + SEPARATOR + "\n") + 16
    # The markup is 20 000 characters, the visible text 4000: it fits.
    fits = combined.with_header(_post(_text(TEXT_LIMIT - joined)), header)
    assert fits is not None
    [one] = fits.messages
    assert one.html == f"{_text(TEXT_LIMIT - joined).html}\n\n{SEPARATOR}\n{header}"
    assert one.visible_length == TEXT_LIMIT and one.entity_count == 3
    assert combined.with_header(_post(_text(TEXT_LIMIT - joined + 1)), header) is None
    # Room kept for later (a card's decision) counts too.
    assert combined.with_header(_post(_text(TEXT_LIMIT - joined)), header, reserve=1) is None
    # A caption has 1024.
    photo = Photo(ref="file-1")
    caption = replace(_text(CAPTION_LIMIT - joined), kind="photo", photos=(photo,))
    assert combined.with_header(_post(caption), header) is not None
    too_long = replace(caption, visible_length=CAPTION_LIMIT - joined + 1)
    assert combined.with_header(_post(too_long), header) is None
    # Entities: the post's and the header's (a hashtag Telegram detects counts).
    assert combined.with_header(_post(_text(10, entities=98)), header) is not None
    assert combined.with_header(_post(_text(10, entities=98)), header + " #tag") is None


def test_several_messages_or_an_album_keep_the_header_apart() -> None:
    header = "<b>Draft #7</b>"
    assert combined.with_header(_post(_text(10), _text(10)), header) is None
    album = OutMessage(
        kind="album",
        html="x",
        visible_length=1,
        entity_count=0,
        photos=(Photo(ref="a"), Photo(ref="b")),
    )
    assert combined.with_header(_post(album), header) is None
