"""Fuzzing the whole pure pipeline: any text and any entities → parser → formatting →
composer → messages Telegram accepts. No exception escapes; every invariant of a post holds.

Each stage has its own property tests (test_ingest_text, test_timeparse, test_compose_props,
test_formatting); this one feeds one stage's output into the next, as the bot does.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.compose import check, compose
from bot.domain import ChannelTemplate, Formatting, Layout, Photo
from bot.ingest.entities import keep_formatting
from bot.ingest.text import parse_article
from fakegram.entities import parse_html

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
PHOTO = Photo("AgAC-file", width=800, height=600)

# Article-ish text: words in both languages, markup-looking text, emoji (astral, ZWJ, flags),
# RTL, controls and the separators the cleaners treat specially.
_pieces = st.sampled_from(
    [
        "Заголовок",
        "новости",
        "Headline",
        "words",
        " ",
        " ",
        ". ",
        "\n",
        "\n\n",
        "<b>",
        "&amp;",
        "</i>",
        "😀",
        "👩‍👩‍👧",
        "🇰🇿",
        "שלום",
        "\u200f",
        "\u202e",
        "\x00",
        "\t",
        "\r\n",
        "\u2028",
        "Фото: ТАСС",
        "передает ИА El.kz",
        "#тег",
        "@channel",
        "https://example.org/a",
        "14 ноября 2022, 13:33",
    ]
)
_texts = st.lists(_pieces, max_size=120).map("".join)
_kinds = st.sampled_from(
    ["bold", "italic", "underline", "strikethrough", "spoiler", "code", "text_link", "url", "pre"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _texts,
    st.lists(st.tuples(st.integers(-5, 700), st.integers(-5, 200), _kinds), max_size=25),
    st.sampled_from(list(Layout)),
    st.booleans(),
    st.sampled_from(["ru", "en"]),
)
def test_any_message_becomes_posts_telegram_accepts(
    text: str,
    raw_entities: list[tuple[int, int, str]],
    layout: Layout,
    photo: bool,
    language: str,
) -> None:
    entities = [
        Formatting(kind, offset, length, "https://example.org/x" if kind == "text_link" else None)
        for offset, length, kind in raw_entities
    ]
    content = keep_formatting(parse_article(text, tz=ALMATY, now=NOW), text, entities)
    for mark in content.marks:
        assert 0 <= mark.para < len(content.body)
        assert 0 <= mark.start < mark.end <= len(content.body[mark.para])
    if photo:
        content = replace(content, photos=(PHOTO,))
    template = ChannelTemplate(language=language, layout=layout, signature="Newsroom")
    post = compose(content, template)
    check(content, post, template)  # never raises either
    for message in post.messages:
        parsed = parse_html(message.html)  # raises "can't parse entities" like Telegram
        assert parsed.length == message.visible_length
        assert message.visible_length <= (4096 if message.kind == "text" else 1024)
        assert message.entity_count == len(parsed.entities) <= 100
        if message.kind == "text":
            assert parsed.length >= 1  # Telegram refuses an empty text
