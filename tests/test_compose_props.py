"""Property tests: whatever the article, every composed message is one Telegram accepts."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.compose import (
    CAPTION_LIMIT,
    ENTITY_LIMIT,
    TEXT_LIMIT,
    clean_inline,
    collect_hashtags,
    compose,
)
from bot.compose.rich_size import measure_rich
from bot.domain import ArticleContent, ChannelTemplate, Layout, OutMessage, Part, Photo
from fakegram.entities import parse_html
from fakegram.records import rich_lines


def _read(message: OutMessage) -> str:
    """What a reader sees of one message: its text, or a rich message's texts (issue 15)."""
    if message.kind == "rich":
        return "\n".join(rich_lines(json.loads(message.rich)))
    return parse_html(message.html).text


NASTY = [
    "<",
    ">",
    "&",
    "&amp;",
    "</b>",
    "<b>",
    '<a href="javascript:alert(1)">',
    '"',
    "'",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "\x00",
    "\x1f",
    "\u00a0",
    "\u200b",
    "\u200d",
    "\u202e",
    "\u2028",
    "\ufeff",
    "\u0301",
    "q\u0301",
    "e\u0301",
    "a\u030a",
    "😀",
    "👨\u200d👩\u200d👧",
    "🇰🇿",
    "👍🏽",
    "𝔘𝔫𝔦",
    "\ud800",
    "#тег",
    ". ",
    "! ",
    "…",
    "。",
    "слово ",
    "Предложение. ",
    "क्ष",
]

fragments = st.one_of(st.text(max_size=30), st.sampled_from(NASTY))
nasty_text = st.lists(fragments, max_size=12).map("".join)


@st.composite
def long_text(draw: st.DrawFn) -> str:
    """Words repeated to lengths around the limits, sprinkled with nasty fragments."""
    unit = draw(nasty_text)
    times = draw(st.integers(min_value=0, max_value=300))
    return (unit + " ") * times if unit.strip() else unit


any_text = st.one_of(nasty_text, long_text())
urls = st.sampled_from(
    ["", "https://el.kz/a?b=1&c=<2>", "javascript:alert(1)", "http://x.kz/\"q'", "ftp://x"]
)
photos = st.lists(
    st.one_of(
        st.just(Photo("AgACAgIAAxkB")),
        st.just(Photo("https://el.kz/p.jpg", is_url=True)),
        st.just(Photo("javascript:x", is_url=True)),
    ),
    max_size=12,
).map(tuple)

articles = st.builds(
    ArticleContent,
    title=any_text,
    lead=any_text,
    body=st.lists(any_text, max_size=8).map(tuple),
    photos=photos,
    photo_credit=nasty_text,
    source_name=any_text,
    source_url=urls,
    original_source=nasty_text,
    original_url=urls,
    tags=st.lists(nasty_text, max_size=130).map(tuple),
)
templates = st.builds(
    ChannelTemplate,
    language=st.sampled_from(["ru", "en", "kk"]),
    parts=st.permutations(list(Part)).flatmap(
        lambda ps: st.integers(1, len(ps)).map(lambda n: tuple(ps[:n]))
    ),
    signature=nasty_text,
    signature_url=urls,
    read_more_button=st.booleans(),
    silent=st.booleans(),
    layout=st.sampled_from(list(Layout)),
    tag_list=st.lists(nasty_text, max_size=5).map(tuple),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article=articles, template=templates, updated=st.booleans())
def test_every_message_parses_and_respects_limits(
    article: ArticleContent, template: ChannelTemplate, updated: bool
) -> None:
    post = compose(article, template, updated_mark=updated)
    assert 0 <= post.body_chars_kept <= post.body_chars_total
    for i, message in enumerate(post.messages):
        if message.kind == "rich":
            # One rich message within the rich limits, its declared size exact.
            size = measure_rich(json.loads(message.rich)["blocks"])
            assert len(post.messages) == 1 and not size.over()
            assert (message.visible_length, message.entity_count) == (size.chars, size.blocks)
            continue
        parsed = parse_html(message.html)
        assert message.visible_length == parsed.length
        assert message.entity_count == len(parsed.entities)
        assert message.entity_count <= ENTITY_LIMIT
        if message.kind == "text":
            assert 1 <= parsed.length <= TEXT_LIMIT
        else:
            assert i == 0
            assert parsed.length <= CAPTION_LIMIT
            assert 1 <= len(message.photos) <= 10
            if message.kind == "album":
                assert len(message.photos) >= 2 and not message.buttons
        for entity in parsed.entities:
            if entity["type"] == "text_link":
                assert entity["url"].startswith(("http://", "https://"))
        for button in message.buttons:
            assert button.url.startswith(("http://", "https://"))
        if message.link_preview_url is not None:
            assert message.link_preview_url.startswith(("http://", "https://"))


def _attribution_len(article: ArticleContent) -> int:
    return len(clean_inline(article.source_name)) + len(clean_inline(article.original_source))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article=articles, template=templates, updated=st.booleans())
def test_title_and_attribution_survive_when_they_fit(
    article: ArticleContent, template: ChannelTemplate, updated: bool
) -> None:
    post = compose(article, template, updated_mark=updated)
    if not post.messages:
        return
    first = _read(post.messages[0])
    title = clean_inline(article.title)
    name = clean_inline(article.source_name)
    signature = clean_inline(template.signature)
    # Labels, separators and the "updated" mark take well under 60 characters.
    fixed = _attribution_len(article) + len(signature) + 60
    if Part.TITLE in template.parts and len(title) + fixed <= CAPTION_LIMIT:
        if post.messages[0].kind == "text":
            # Text-only posts follow the template order, which may put the title later.
            first = "\n".join(_read(m) for m in post.messages)
        assert title in first
    if Part.SOURCE in template.parts and fixed <= CAPTION_LIMIT and name:
        assert name in "\n".join(_read(m) for m in post.messages)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article=articles, template=templates)
def test_hashtags_never_push_past_the_entity_cap(
    article: ArticleContent, template: ChannelTemplate
) -> None:
    tags = collect_hashtags(article, template)
    for message in compose(article, template).messages:
        parsed = parse_html(message.html)
        # Only the hashtags line we add is counted: article text may carry its own "#words".
        added = 0
        for line in parsed.text.split("\n"):
            words = line.split(" ")
            if tags and words == list(tags[: len(words)]):
                added = len(words)
        assert message.entity_count + added <= ENTITY_LIMIT
