"""The post preview the Mini App shows: Telegram's HTML through an allow-list, so the
composer's formatting survives and nothing an editor pasted can run in an admin's browser."""

from __future__ import annotations

import pytest

from bot.compose import compose
from bot.domain import ArticleContent, ChannelTemplate
from bot.webapp.render import post_preview, safe_html


@pytest.mark.parametrize(
    ("telegram", "shown"),
    [
        ("<b>Bold</b> <i>it</i> <u>u</u> <s>s</s>", "<b>Bold</b> <i>it</i> <u>u</u> <s>s</s>"),
        ("<strong>a</strong><em>b</em><del>c</del>", "<b>a</b><i>b</i><s>c</s>"),
        (
            '<a href="https://example.org/?a=1&amp;b=2">link</a>',
            '<a href="https://example.org/?a=1&amp;b=2" target="_blank"'
            ' rel="noopener noreferrer">link</a>',
        ),
        ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
        ('<a href=" JavaScript:alert(1)">x</a>', "<a>x</a>"),
        ("<script>alert(1)</script>", "alert(1)"),
        ('<img src=x onerror="alert(1)">after', "after"),
        ('<b onclick="steal()">b</b>', "<b>b</b>"),
        ("&lt;script&gt; 1 &lt; 2 &amp; 3", "&lt;script&gt; 1 &lt; 2 &amp; 3"),
        ('<span class="tg-spoiler">hidden</span>', '<span class="spoiler">hidden</span>'),
        ("<tg-spoiler>hidden</tg-spoiler>", '<span class="spoiler">hidden</span>'),
        ("<blockquote expandable>q</blockquote>", '<blockquote class="expandable">q</blockquote>'),
        ("<b><i>unclosed", "<b><i>unclosed</i></b>"),
        ("</b>stray<i>x</b>", "stray<i>x</i>"),
        ("line one\nline two", "line one<br>line two"),
    ],
)
def test_safe_html_keeps_formatting_and_drops_everything_else(telegram: str, shown: str) -> None:
    assert safe_html(telegram) == shown


def test_preview_is_the_composers_post() -> None:
    content = ArticleContent(
        title="Title <with> & signs",
        lead="Lead.",
        body=("A paragraph.",),
        source_name="Wire",
        source_url="javascript:alert(1)",
    )
    post = compose(content, ChannelTemplate(language="en"))
    [message] = post_preview(post)
    assert message["kind"] == post.messages[0].kind
    html = str(message["html"])
    assert "<b>Title &lt;with&gt; &amp; signs</b>" in html
    assert "javascript:" not in html
    assert all(str(b["url"]).startswith(("http", "tg:")) for b in message["buttons"])  # type: ignore[attr-defined]
