"""The rich layout as the composer builds it (issue 15): pure functions, no Telegram."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.compose import check, compose
from bot.compose.marks import Span
from bot.compose.rich import rich_text
from bot.compose.rich_header import header_blocks, with_rich_header
from bot.compose.rich_size import measure_rich
from bot.domain import ArticleContent, ChannelTemplate, Layout, Mark, Part, Photo
from bot.limits import RICH_BLOCK_LIMIT, RICH_TEXT_LIMIT
from bot.templates import TemplateError, parse_template_value

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "oecd_kazakhstan_integrity.txt"
PHOTO = Photo("AgACAgIAAxkBAAIBOGVx", width=1280, height=720)
RICH = ChannelTemplate(layout=Layout.RICH)


def article(paragraphs: int = 12, size: int = 400, **changes: Any) -> ArticleContent:
    body = tuple(f"Paragraph {i}. " + "w" * (size - 14) for i in range(paragraphs))
    base = ArticleContent(
        title="Title",
        lead="The lead.",
        body=body,
        photos=(PHOTO,),
        photo_credit="Photo: AP",
        source_name="Reuters",
        source_url="https://reuters.com/a",
        original_source="Ministry",
        tags=("economy",),
    )
    return dataclasses.replace(base, **changes)


def blocks_of(post_rich: str) -> list[dict[str, Any]]:
    return list(json.loads(post_rich)["blocks"])


def test_rich_layout_is_the_whole_article_in_order() -> None:
    template = dataclasses.replace(
        RICH, language="en", signature="Daily", signature_url="https://t.me/daily"
    )
    post = compose(article(), template)
    (message,) = post.messages
    assert (post.layout, message.kind, post.body_chars_kept) == (
        Layout.RICH, "rich", post.body_chars_total
    )  # fmt: skip
    blocks = blocks_of(message.rich)
    kinds = [b["type"] for b in blocks]
    assert kinds == ["heading", "photo", "paragraph", *["paragraph"] * 12, "paragraph",
                     "footer", "footer", "footer"]  # fmt: skip
    assert blocks[1]["caption"] == {"text": "Photo: AP"}  # "Photo: " is not doubled
    assert blocks[2]["text"] == {"type": "italic", "text": "The lead."}
    assert blocks[-4]["text"] == "#economy"
    assert blocks[-3]["text"] == "Photo: AP"
    assert blocks[-2]["text"] == [
        "Source: ",
        {"type": "url", "text": "Reuters", "url": "https://reuters.com/a"},
        " via ",
        "Ministry",
    ]
    assert blocks[-1]["text"] == {"type": "url", "text": "Daily", "url": "https://t.me/daily"}
    # The "Read more" button rides on the message; no in-text link then.
    assert [b.url for b in message.buttons] == ["https://reuters.com/a"]
    size = measure_rich(blocks)
    assert (message.visible_length, message.entity_count) == (size.chars, size.blocks)


def test_read_more_is_a_link_without_the_button_and_parts_follow_the_template() -> None:
    template = dataclasses.replace(
        RICH, read_more_button=False, parts=(Part.TITLE, Part.BODY, Part.SOURCE)
    )
    post = compose(article(), template)
    blocks = blocks_of(post.messages[0].rich)
    assert not post.messages[0].buttons
    texts = json.dumps(blocks, ensure_ascii=False)
    assert "The lead." not in texts and "#economy" not in texts and "Фото" not in texts
    read_more = {"type": "url", "text": "Читать далее", "url": "https://reuters.com/a"}
    assert {"type": "paragraph", "text": read_more} in blocks
    assert "caption" not in blocks[1]  # no credit part: the photo has no caption


def test_article_without_photo_is_rich_too() -> None:
    post = compose(article(photos=()), RICH)
    blocks = blocks_of(post.messages[0].rich)
    assert "photo" not in [b["type"] for b in blocks]
    assert not post.messages[0].photos
    assert "Фото: AP" not in json.dumps(blocks, ensure_ascii=False)  # credits nothing


def test_short_article_stays_one_caption_even_in_rich() -> None:
    post = compose(article(paragraphs=1, size=100), RICH)
    assert [m.kind for m in post.messages] == ["photo"]


def test_nested_formatting_becomes_nested_rich_text() -> None:
    spans = (Span(0, 9, "b"), Span(4, 9, "i"), Span(10, 14, "a", "https://x.org"))
    assert rich_text("bold italic link", spans) == [
        {"type": "bold", "text": ["bold", {"type": "italic", "text": " ital"}]},
        "i",
        {"type": "url", "text": "c li", "url": "https://x.org"},
        "nk",
    ]
    marked = article(marks=(Mark(0, 0, 9, "bold"), Mark(0, 0, 4, "italic")))
    first = blocks_of(compose(marked, RICH).messages[0].rich)[3]
    assert first["text"][0] == {"type": "bold", "text": [{"type": "italic", "text": "Para"},
                                                          "graph"]}  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "limit"),
    [
        ({"paragraphs": RICH_BLOCK_LIMIT, "size": 20}, "blocks"),
        ({"paragraphs": 40, "size": RICH_TEXT_LIMIT // 40 + 10}, "chars"),
    ],
)
def test_over_a_rich_limit_falls_back_with_the_attribution_whole(
    changes: dict[str, int], limit: str
) -> None:
    content = article(**changes)
    post = compose(content, RICH)
    assert post.layout is Layout.SPLIT and f"rich_over_{limit}" in post.notes
    assert "Источник: Reuters со ссылкой на Ministry" in post.messages[0].html.replace(
        '<a href="https://reuters.com/a">Reuters</a>', "Reuters"
    )
    (warning,) = [p for p in check(content, post, RICH) if p.code == "rich_too_large"]
    assert warning.params["limit"] == limit


def test_just_under_the_block_limit_is_rich() -> None:
    # heading, photo, lead, tags, credit and source footers: 6 blocks around the body.
    post = compose(article(paragraphs=RICH_BLOCK_LIMIT - 6, size=20), RICH)
    assert post.layout is Layout.RICH
    assert post.messages[0].entity_count == RICH_BLOCK_LIMIT
    one_more = compose(article(paragraphs=RICH_BLOCK_LIMIT - 5, size=20), RICH)
    assert one_more.layout is Layout.SPLIT and "rich_over_blocks" in one_more.notes


def test_auto_picks_rich_only_when_allowed_and_more_than_one_message() -> None:
    long = article()
    assert compose(long, ChannelTemplate()).layout is Layout.SPLIT  # the default is unchanged
    allowed = ChannelTemplate(allow_rich=True)
    assert compose(long, allowed).layout is Layout.RICH
    # One message already (a caption, a text under a large preview): auto keeps it.
    assert compose(article(paragraphs=1, size=100), allowed).layout is Layout.CAPTION
    url_photo = (Photo("https://e.org/p.jpg", is_url=True),)
    assert compose(article(paragraphs=5, photos=url_photo), allowed).layout is Layout.PREVIEW
    # Over a rich limit, auto stays ordinary without a fuss.
    huge = compose(article(paragraphs=RICH_BLOCK_LIMIT), allowed)
    assert huge.layout is Layout.SPLIT


def test_template_flag_and_layout_parse() -> None:
    assert parse_template_value("layout", "RICH") == "rich"
    assert parse_template_value("allow_rich", "да") is True
    assert parse_template_value("allow_rich", "off") is False
    with pytest.raises(TemplateError):
        parse_template_value("allow_rich", "maybe")


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_preview_layout_rich_prints_the_rich_post(tmp_path: Path) -> None:
    result = _run(
        "preview", str(FIXTURE), "--layout", "rich", "--photo", "https://e.org/p.jpg",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("--- message 1/1: rich, ") and "/32768 characters" in lines[0]
    assert lines[1] == "# ОЭСР проверила уровень добропорядочности госорганов Казахстана"
    assert lines[2] == "[photo https://e.org/p.jpg] Фото: t.me/antikornews"
    assert "[footer] Источник: El.kz со ссылкой на Антикор РК" in lines
    english = _run(
        "preview", str(FIXTURE), "--layout", "rich", "--channel-language", "en", "--json",
        "--photo", "AgACAgIAAxkB",
        cwd=tmp_path,
    )  # fmt: skip
    data = json.loads(english.stdout)
    (message,) = data["messages"]
    assert data["layout"] == "rich" and message["kind"] == "rich"
    footer = message["rich_message"]["blocks"][-1]
    assert footer == {"type": "footer", "text": ["Source: ", "El.kz", " via ", "Антикор РК"]}


def test_header_becomes_paragraphs_below_a_divider() -> None:
    header = (
        "<b>Черновик #7</b> · черновик\n⚠️ нет фото &amp; <i>нет <b>источника</b></i>\n\n"
        '<a href="https://t.me/x/1">пост</a> <blockquote>q</blockquote> <a>bare</a>'
    )
    assert header_blocks(header) == [
        {"type": "divider"},
        {"type": "paragraph", "text": [{"type": "bold", "text": "Черновик #7"}, " · черновик"]},
        {"type": "paragraph", "text": [
            "⚠️ нет фото & ",
            {"type": "italic", "text": ["нет ", {"type": "bold", "text": "источника"}]},
        ]},
        {"type": "paragraph", "text": [
            {"type": "url", "text": "пост", "url": "https://t.me/x/1"}, " ", "q", " ", "bare",
        ]},
    ]  # fmt: skip


def test_header_rides_on_the_rich_post_unless_it_breaks_a_limit() -> None:
    post = compose(article(), RICH)
    one = with_rich_header(post, "<b>Черновик #1</b>")
    assert one is not None
    blocks = blocks_of(one.messages[0].rich)
    assert blocks[:-2] == blocks_of(post.messages[0].rich)
    assert one.messages[0].entity_count == post.messages[0].entity_count + 2
    full = compose(article(paragraphs=RICH_BLOCK_LIMIT - 6, size=20), RICH)
    assert full.layout is Layout.RICH and with_rich_header(full, "<b>#1</b>") is None
    assert with_rich_header(compose(article(), ChannelTemplate()), "x") is None  # not rich


def test_empty_article_in_rich_is_an_empty_article_not_a_too_large_one() -> None:
    empty = ArticleContent()
    post = compose(empty, RICH)
    codes = {p.code for p in check(empty, post, RICH)}
    assert "empty" in codes and "rich_too_large" not in codes
    # A link span without a URL keeps its words, plain.
    assert rich_text("see here", (Span(4, 8, "a", None),)) == ["see ", "here"]
