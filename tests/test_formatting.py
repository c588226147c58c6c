"""Formatting kept from captions and forwarded posts: entities → marks → Telegram HTML.

Pure functions only; tests/test_e2e_formatting.py covers the same path over HTTP.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.compose import compose
from bot.compose.cleaning import clean_mapped, clean_paragraphs
from bot.compose.marks import Span, clip, nest, render
from bot.compose.paragraphs import rich_paragraphs
from bot.domain import ArticleContent, ChannelTemplate, Formatting, Layout, Mark, Photo
from bot.ingest.entities import carry_marks, keep_formatting, utf16_to_index
from bot.ingest.feed_text import html_to_rich
from bot.ingest.feeds import parse_feed
from bot.ingest.text import parse_article
from fakegram.entities import parse_html

UTC = zoneinfo.ZoneInfo("UTC")
PHOTO = Photo("AgAC-file-id", width=1280, height=720)


def u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entity(text: str, part: str, kind: str = "bold", url: str | None = None) -> Formatting:
    """The entity Telegram would send for the first ``part`` of ``text``."""
    at = text.index(part)
    return Formatting(kind, u16(text[:at]), u16(part), url)


def formatted(html: str) -> list[tuple[str, str]]:
    """(type, covered text) of every entity of a Telegram HTML string, as the server parses."""
    parsed = parse_html(html)
    units = parsed.text.encode("utf-16-le")
    out = []
    for e in parsed.entities:
        covered = units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        out.append((e["type"], covered))
    return out


CAPTION = (
    "Мэрия утвердила новые автобусные полосы 🚌\n\n"
    "Совет проголосовал 12 голосами против 3 за выделенные полосы на кольцевой дороге.\n"
    "Работы начнутся весной 🌱 и займут четыре месяца, сообщили в мэрии.\n\n"
    "Подробности на сайте мэрии."
)


def test_caption_entities_become_body_formatting_in_the_post() -> None:
    ents = [
        entity(CAPTION, "Мэрия утвердила новые автобусные полосы 🚌"),  # the title: bold anyway
        entity(CAPTION, "12 голосами против 3"),
        entity(CAPTION, "весной 🌱", "italic"),
        entity(CAPTION, "на сайте мэрии", "text_link", "https://example.org/news?id=1&x=2"),
        entity(CAPTION, "кольцевой", "url"),  # auto-detected kinds are Telegram's to redo
    ]
    content = keep_formatting(parse_article(CAPTION, tz=UTC), CAPTION, ents)
    assert content.title == "Мэрия утвердила новые автобусные полосы 🚌"
    assert {m.type for m in content.marks} == {"bold", "italic", "text_link"}
    post = compose(replace(content, photos=(PHOTO,)), ChannelTemplate())
    [message] = post.messages
    got = formatted(message.html)
    assert ("bold", "12 голосами против 3") in got
    assert ("italic", "весной 🌱") in got
    assert ("text_link", "на сайте мэрии") in got
    assert 'href="https://example.org/news?id=1&amp;x=2"' in message.html
    assert message.entity_count == len(got)


def test_offsets_after_astral_characters_are_utf16() -> None:
    text = "Title line here\n\n😀😀 then bold word, and more text follows."
    content = keep_formatting(parse_article(text, tz=UTC), text, [entity(text, "bold word")])
    [mark] = content.marks
    assert content.body[mark.para][mark.start : mark.end] == "bold word"
    assert utf16_to_index("a😀b") == [0, 1, 2, 2, 3]


def test_paragraph_the_parser_rejoined_keeps_its_marks() -> None:
    # A hard-wrapped paragraph is joined with a space; indentation and invisible characters go.
    text = (
        "Headline of the wrapped story\n\n"
        "The first line of a paragraph that was hard wrapped by\n"
        "   some mail client, with \u200bbold text on the second line."
    )
    content = keep_formatting(parse_article(text, tz=UTC), text, [entity(text, "bold text")])
    [mark] = content.marks
    assert content.body[mark.para][mark.start : mark.end] == "bold text"


def test_entities_outside_the_text_or_over_chrome_are_ignored() -> None:
    text = "Short headline for a test\n\nBody paragraph with some words in it.\n\nПоделитесь:"
    ents = [
        Formatting("bold", 10_000, 5),
        Formatting("bold", u16(text) - 3, 50),  # runs past the end (share line is chrome)
        Formatting("italic", 0, 0),
    ]
    content = keep_formatting(parse_article(text, tz=UTC), text, ents)
    assert content.marks == ()


def test_overlapping_and_nested_spans_render_well_formed() -> None:
    spans = nest(
        [Span(0, 10, "b"), Span(5, 15, "i"), Span(2, 4, "b"), Span(6, 8, "code"), Span(7, 8, "u")],
        12,
    )
    # The partly overlapping italic is cut at the bold's end; bold in bold and anything inside
    # code add nothing.
    assert spans == (Span(0, 10, "b"), Span(5, 10, "i"), Span(6, 8, "code"))
    html = render("abcdefghijkl", spans)
    assert html == "<b>abcde<i>f<code>gh</code>ij</i></b>kl"
    assert parse_html(html).text == "abcdefghijkl"
    assert clip(spans, 7, 12) == (Span(0, 3, "b"), Span(0, 3, "i"), Span(0, 1, "code"))


def test_unsafe_link_keeps_its_text_without_the_link() -> None:
    content = ArticleContent(
        title="T",
        body=("Click here now",),
        marks=(Mark(0, 6, 10, "text_link", "javascript:alert(1)"), Mark(0, 0, 5, "bold")),
    )
    [message] = compose(content, ChannelTemplate()).messages
    assert "javascript" not in message.html
    assert formatted(message.html)[-1] == ("bold", "Click")


def test_cut_inside_a_bold_span_clips_it() -> None:
    body = ("Intro sentence. " + "Bold words go on and on. " * 60,)
    content = ArticleContent(
        title="A headline", body=body, marks=(Mark(0, 16, len(body[0]) - 1, "bold"),)
    )
    post = compose(replace(content, photos=(PHOTO,)), ChannelTemplate(layout=Layout.CAPTION))
    [message] = post.messages
    assert message.visible_length <= 1024
    kinds = formatted(message.html)
    bold_body = [text for kind, text in kinds if kind == "bold" and text.startswith("Bold")]
    assert bold_body and len(bold_body[0]) < len(body[0]) - 16


def test_long_formatted_paragraph_split_across_messages_keeps_formatting() -> None:
    para = " ".join(f"Sentence number {i} has a bold bit." for i in range(400))
    marks = tuple(
        Mark(0, at, at + 8, "bold") for at in range(0, len(para), 60) if para[at : at + 8].strip()
    )
    content = ArticleContent(title="Long story", body=(para,), marks=marks)
    post = compose(content, ChannelTemplate())
    assert len(post.messages) > 1
    seen = 0
    for message in post.messages:
        parsed = parse_html(message.html)
        assert parsed.length == message.visible_length <= 4096
        assert message.entity_count == len(parsed.entities) <= 100
        seen += sum(e["type"] == "bold" for e in parsed.entities)
    assert seen >= len(marks) - 10  # a few are cut in two by a message break, none lost


def test_too_many_marks_for_a_caption_drop_formatting_not_text() -> None:
    words = [f"w{i}" for i in range(150)]
    para = " ".join(words)
    marks, at = [], 0
    for w in words:
        marks.append(Mark(0, at, at + len(w), "bold"))
        at += len(w) + 1
    content = ArticleContent(title="Dense", body=(para,), marks=tuple(marks))
    post = compose(replace(content, photos=(PHOTO,)), ChannelTemplate(layout=Layout.CAPTION))
    [message] = post.messages
    assert "formatting_dropped" in post.notes
    assert message.entity_count <= 100
    assert para in parse_html(message.html).text


def test_detected_links_and_hashtags_count_towards_the_entity_cap() -> None:
    para = " ".join(f"#tag{i} site{i}.kz" for i in range(80))  # 160 entities Telegram detects
    post = compose(ArticleContent(title="Tags", body=(para,)), ChannelTemplate())
    # One paragraph with more detected entities than a message may carry is sent alone; the
    # composer never packs it with other parts.
    assert len(post.messages) >= 2


# --- properties -------------------------------------------------------------------------------

_chars = st.sampled_from([*list("ab cd\n\t\u200b\xa0😀é\r"), "  ", "\n\n", "x", "\u202e"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_chars, max_size=40).map("".join))
def test_mapped_cleaning_agrees_with_cleaning(raw: str) -> None:
    mapped = clean_mapped(raw)
    expected = clean_paragraphs((raw,))
    if mapped is None:
        return
    text, pos = mapped
    assert expected == ((text,) if text else ())
    assert pos == sorted(pos) and pos[-1] == len(text)
    for i, ch in enumerate(raw):
        if not ch.isspace() and ch.isprintable() and pos[i] < len(text):
            assert text[pos[i]] == ch or pos[i + 1] == pos[i]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["Word", "слово", "😀", " ", " ", "\n", ".", "<&>"]), max_size=300),
    st.lists(
        st.tuples(
            st.integers(0, 400),
            st.integers(0, 60),
            st.sampled_from(["bold", "italic", "code", "text_link", "spoiler"]),
        ),
        max_size=30,
    ),
    st.sampled_from(list(Layout)),
    st.booleans(),
)
def test_any_marks_compose_to_valid_posts(
    words: list[str], raw_marks: list[tuple[int, int, str]], layout: Layout, photo: bool
) -> None:
    body = "".join(words)
    marks = tuple(
        Mark(0, s, s + n, kind, "https://example.org/" if kind == "text_link" else None)
        for s, n, kind in raw_marks
    )
    content = ArticleContent(title="Headline", body=(body,), marks=marks)
    plain = replace(content, marks=())
    if photo:
        content = replace(content, photos=(PHOTO,))
        plain = replace(plain, photos=(PHOTO,))
    template = ChannelTemplate(layout=layout)
    post, bare = compose(content, template), compose(plain, template)
    # Formatting never changes what the reader sees, only how it looks.
    assert [parse_html(m.html).text for m in post.messages] == [
        parse_html(m.html).text for m in bare.messages
    ]
    for m in post.messages:
        parsed = parse_html(m.html)
        assert parsed.length == m.visible_length
        assert m.entity_count == len(parsed.entities) <= 100
        assert m.visible_length <= (1024 if m.kind != "text" else 4096)


def test_rich_paragraphs_without_marks_equal_clean_paragraphs() -> None:
    body = ("  one  \n two ", "three\n\nfour")
    assert tuple(p.text for p in rich_paragraphs(body, ())) == clean_paragraphs(body)


# --- feeds ------------------------------------------------------------------------------------


def test_feed_html_formatting_becomes_marks() -> None:
    paragraphs, marks, _images = html_to_rich(
        '<p>Hello <b>bold\n  text</b> and <a href="/x?a=1&amp;b=2">a link</a>.</p>'
        '<p><i>Second</i> <a href="javascript:alert(1)">unsafe</a> <b> </b>end</p>',
        base="https://site.kz/news/",
    )
    assert paragraphs == ("Hello bold text and a link.", "Second unsafe end")
    assert [(m.para, paragraphs[m.para][m.start : m.end], m.type, m.url) for m in marks] == [
        (0, "bold text", "bold", None),
        (0, "a link", "text_link", "https://site.kz/x?a=1&b=2"),
        (1, "Second", "italic", None),
    ]


def test_feed_item_formatting_follows_the_body_past_the_lead() -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title>
    <link>https://site.kz</link><item><title>Item one</title><link>https://site.kz/1</link>
    <guid>1</guid><description><![CDATA[<p>Lead with <b>bold</b>.</p>
    <p>Body with <a href="https://site.kz/more">a link</a> and <em>stress</em>.</p>]]>
    </description></item></channel></rss>"""
    _title, [item] = parse_feed(rss, url="https://site.kz/rss")
    content = item.content
    assert content.lead == "Lead with bold."
    assert content.body == ("Body with a link and stress.",)
    [message] = compose(content, ChannelTemplate()).messages
    assert ("text_link", "a link") in formatted(message.html)
    assert ("italic", "stress") in formatted(message.html)


def test_carry_marks_follows_paragraphs_that_remain() -> None:
    marks = (Mark(0, 0, 1, "bold"), Mark(1, 0, 2, "italic"), Mark(2, 1, 2, "code"))
    assert carry_marks(["a", "bb", "cc"], marks, ["bb", "cc"]) == (
        Mark(0, 0, 2, "italic"),
        Mark(1, 1, 2, "code"),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "bc", " ", "\n", "\t", "\xa0", "<b>", "</b>"]), max_size=30))
def test_feed_paragraphs_are_the_same_with_or_without_formatting(pieces: list[str]) -> None:
    html = "<p>" + "".join(pieces) + "</p>"
    plain = html.replace("<b>", "").replace("</b>", "")
    paragraphs, marks, _ = html_to_rich(html)
    assert paragraphs == html_to_rich(plain)[0]
    for m in marks:
        assert 0 <= m.start < m.end <= len(paragraphs[m.para])
