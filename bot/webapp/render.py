"""A composed post as the page shows it: Telegram's HTML, re-emitted through an allow-list.

The composer's output is Telegram HTML (bot/compose), which is nearly browser HTML; the page
shows it as the channel will. It is still parsed and rebuilt here instead of passed through:
only Telegram's tags survive, every text is escaped again, and a link keeps only an http(s)
or tg: address, so nothing an editor pasted can run in an admin's Mini App.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser

from bot.domain import Post

# Telegram's tags (core.telegram.org/bots/api#html-style) and what the page shows for each.
_TAGS = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "a",
    "tg-spoiler": "span",
    "span": "span",
    "tg-emoji": "span",
}
_SAFE_SCHEMES = ("http://", "https://", "tg://")


class _Rebuild(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = _TAGS.get(tag)
        if name is None:
            return
        values = dict(attrs)
        extra = ""
        if tag == "a":
            href = (values.get("href") or "").strip()
            if href.lower().startswith(_SAFE_SCHEMES):
                extra = f' href="{html.escape(href)}" target="_blank" rel="noopener noreferrer"'
        elif tag == "tg-spoiler" or (tag == "span" and values.get("class") == "tg-spoiler"):
            extra = ' class="spoiler"'
        elif tag == "blockquote" and "expandable" in values:
            extra = ' class="expandable"'
        self.out.append(f"<{name}{extra}>")
        self.open.append(name)

    def handle_endtag(self, tag: str) -> None:
        name = _TAGS.get(tag)
        if name is not None and name in self.open:
            # Close in order: the rebuilt markup stays well-formed whatever came in.
            while self.open:
                last = self.open.pop()
                self.out.append(f"</{last}>")
                if last == name:
                    break

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False).replace("\n", "<br>"))

    def result(self) -> str:
        self.close()
        return "".join(self.out) + "".join(f"</{t}>" for t in reversed(self.open))


def safe_html(telegram_html: str) -> str:
    """Telegram HTML as browser HTML that can only format text and link out."""
    parser = _Rebuild()
    parser.feed(telegram_html)
    return parser.result()


def post_preview(post: Post) -> list[dict[str, object]]:
    """The messages of a post, in order, as the page draws them."""
    return [
        {
            "kind": message.kind,
            "html": safe_html(message.html),
            "photos": [p.ref for p in message.photos if p.is_url],
            "photo_count": len(message.photos),
            "link_preview": message.link_preview_url,
            "buttons": [
                {"text": b.text, "url": b.url}
                for b in message.buttons
                if b.url.lower().startswith(_SAFE_SCHEMES)
            ],
            "silent": message.disable_notification,
        }
        for message in post.messages
    ]
