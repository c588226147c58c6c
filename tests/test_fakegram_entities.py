"""Telegram HTML parse mode as the fake server applies it (fakegram/entities.py)."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fakegram.entities import HtmlParseError, ParsedText, parse_html, plain_text, utf16_len


def test_plain_text_has_no_entities() -> None:
    assert parse_html("hello world") == ParsedText("hello world", ())


def test_nested_entities_are_ordered_outer_first() -> None:
    parsed = parse_html("<b>bold <i>both</i></b> <u>under</u>")
    assert parsed.text == "bold both under"
    assert parsed.entities == (
        {"type": "bold", "offset": 0, "length": 9},
        {"type": "italic", "offset": 5, "length": 4},
        {"type": "underline", "offset": 10, "length": 5},
    )


@pytest.mark.parametrize(
    ("tag", "kind"),
    [
        ("b", "bold"),
        ("strong", "bold"),
        ("i", "italic"),
        ("em", "italic"),
        ("u", "underline"),
        ("ins", "underline"),
        ("s", "strikethrough"),
        ("strike", "strikethrough"),
        ("del", "strikethrough"),
        ("tg-spoiler", "spoiler"),
        ("code", "code"),
        ("pre", "pre"),
        ("blockquote", "blockquote"),
        ("B", "bold"),  # tag names are case-insensitive
    ],
)
def test_every_simple_tag(tag: str, kind: str) -> None:
    parsed = parse_html(f"x <{tag}>y</{tag}>")
    assert parsed.entities == ({"type": kind, "offset": 2, "length": 1},)


def test_attribute_tags() -> None:
    parsed = parse_html(
        '<span class="tg-spoiler">s</span><a href="https://e.com/?a=1&amp;b=2">l</a>'
        "<blockquote expandable>q</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    assert parsed.text == "slq👍"
    assert parsed.entities == (
        {"type": "spoiler", "offset": 0, "length": 1},
        {"type": "text_link", "offset": 1, "length": 1, "url": "https://e.com/?a=1&b=2"},
        {"type": "expandable_blockquote", "offset": 2, "length": 1},
        {
            "type": "custom_emoji",
            "offset": 3,
            "length": 2,
            "custom_emoji_id": "5368324170671202286",
        },
    )


def test_pre_with_language_is_one_entity() -> None:
    parsed = parse_html('<pre><code class="language-python">print(1 &lt; 2)</code></pre>')
    assert parsed.text == "print(1 < 2)"
    assert parsed.entities == ({"type": "pre", "offset": 0, "length": 12, "language": "python"},)


def test_entities_inside_code_are_dropped() -> None:
    parsed = parse_html("<b>a<code>b<i>c</i></code></b>")
    assert parsed.entities == (
        {"type": "bold", "offset": 0, "length": 3},
        {"type": "code", "offset": 1, "length": 2},
    )


def test_user_link_becomes_text_mention_and_bare_host_gets_scheme() -> None:
    parsed = parse_html('<a href="tg://user?id=42">Ann</a> <a href="example.com">e</a>')
    assert parsed.entities[0]["type"] == "text_mention"
    assert parsed.entities[0]["user"]["id"] == 42
    assert parsed.entities[1]["url"] == "http://example.com"


def test_escapes_count_as_one_character() -> None:
    parsed = parse_html("&lt;a&gt; &amp; &quot;q&quot; &#65;&#x42;")
    assert parsed.text == '<a> & "q" AB'
    assert parsed.length == 12


def test_unknown_named_entity_stays_literal() -> None:
    assert parse_html("fish &chips; &nbsp &").text == "fish &chips; &nbsp &"


def test_astral_characters_utf16_offsets_vs_code_point_length() -> None:
    parsed = parse_html("😀😀 <b>𝕏 y</b>")
    assert parsed.text == "😀😀 𝕏 y"
    # Two emoji are four UTF-16 units but two code points.
    assert parsed.entities == ({"type": "bold", "offset": 5, "length": 4},)
    assert parsed.length == 6
    assert utf16_len(parsed.text) == 9


def test_trimming_moves_and_clips_entities() -> None:
    parsed = parse_html("\n  <b>  bold </b> tail \n")
    assert parsed.text == "bold  tail"
    assert parsed.entities == ({"type": "bold", "offset": 0, "length": 5},)


def test_whitespace_only_entity_is_dropped_by_trimming() -> None:
    assert parse_html("x<b>   </b>") == ParsedText("x", ())


def test_empty_entities_are_dropped() -> None:
    assert parse_html("<b></b>a<i></i>") == ParsedText("a", ())


def test_plain_text_helper_trims_only() -> None:
    assert plain_text("  <b>a</b> &amp; ") == ParsedText("<b>a</b> &amp;", ())


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<script>x</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("é<br/>", 'Unsupported start tag "br/" at byte offset 2'),  # UTF-8 byte offset
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x', "Unclosed start tag at byte offset 0"),
        ("<b class=x>y</b>", 'Unsupported attribute "class" in the tag "b" at byte offset 0'),
        ("<a>x</a>", 'Tag "a" must have a non-empty "href" attribute at byte offset 0'),
        ('<a href="">x</a>', 'Tag "a" must have a non-empty "href" attribute at byte offset 0'),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<tg-emoji>x</tg-emoji>", "Invalid custom emoji identifier specified"),
    ],
)
def test_malformed_html_is_rejected_like_telegram(source: str, reason: str) -> None:
    with pytest.raises(HtmlParseError) as info:
        parse_html(source)
    assert info.value.reason == reason
    assert str(info.value) == "Bad Request: can't parse entities: " + reason
    assert isinstance(info.value, ValueError)


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=60,
)


@given(_text)
def test_escaped_text_round_trips(s: str) -> None:
    parsed = parse_html(html.escape(s, quote=False))
    assert parsed.text == s.strip(" \t\r\n\v\f")
    assert parsed.entities == ()


@given(_text, _text, _text)
def test_bold_entity_covers_exactly_its_text(before: str, inner: str, after: str) -> None:
    esc = html.escape
    parsed = parse_html(f"x{esc(before)}<b>{esc(inner)}</b>{esc(after)}x")
    assert parsed.text == f"x{before}{inner}{after}x"
    expected = (
        ({"type": "bold", "offset": 1 + utf16_len(before), "length": utf16_len(inner)},)
        if inner
        else ()
    )
    assert parsed.entities == expected
