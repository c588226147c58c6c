"""Feed text constructs → paragraphs of plain text with their inline formatting as marks.

Pure: an HTML fragment is reduced with :class:`html.parser.HTMLParser` (scripts, styles and embeds
dropped); a plain-text construct is split on blank lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any, Final

from bot.domain import Mark
from bot.ingest.links import absolute_http_url

__all__ = ["detail_paragraphs", "detail_text", "html_to_paragraphs", "html_to_rich"]

# ASCII whitespace only: no-break spaces (\xa0 in "2017\xa0года") are deliberate typography.
_SPACES: Final = re.compile(r"[ \t\n\r\f\v]+")


def _collapse_mapped(raw: str) -> tuple[str, list[int]]:
    """``_SPACES.sub(" ", raw).strip()`` and, per index of ``raw`` (and its end), the index in
    the result it lands on, so formatting spans survive the collapsing."""
    out: list[str] = []
    pos: list[int] = []
    space = False
    for ch in raw:
        if ch in " \t\n\r\f\v":
            pos.append(len(out))  # where the one space of this run goes, if any
            space = bool(out)
            continue
        if space:
            out.append(" ")
            space = False
        pos.append(len(out))
        out.append(ch)
    pos.append(len(out))
    text = "".join(out)
    # str.strip() also trims no-break and other Unicode spaces at the ends, as the fast path does.
    cut = len(text) - len(text.lstrip())
    text = text.strip()
    return text, [min(max(p - cut, 0), len(text)) for p in pos]


class _TextCollector(HTMLParser):
    """HTML → paragraphs of plain text with their inline formatting as marks.

    Block tags and <br> end a paragraph; character references are decoded; b/strong, i/em,
    u/ins, s/strike/del, code and http(s) links become :class:`Mark` spans of the paragraph.
    """

    _BLOCKS: Final = frozenset(
        {
            "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
            "blockquote", "pre", "table", "tr", "section", "article", "figure", "figcaption",
            "hr", "dd", "dt", "header", "footer",
        }
    )  # fmt: skip
    # Elements whose text is never article text (all have end tags: a void element here would
    # swallow the rest of the fragment).
    _SKIP: Final = frozenset(
        {"script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg"}
    )
    _INLINE: Final = {
        "b": "bold",
        "strong": "bold",
        "i": "italic",
        "em": "italic",
        "u": "underline",
        "ins": "underline",
        "s": "strikethrough",
        "strike": "strikethrough",
        "del": "strikethrough",
        "code": "code",
        "a": "text_link",
    }

    def __init__(self, base: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.paragraphs: list[str] = []
        self.marks: list[Mark] = []
        self.images: list[str] = []
        self._current: list[str] = []
        self._length = 0
        self._open: list[tuple[str, int, str, str | None]] = []  # tag, start, type, url
        self._spans: list[tuple[int, int, str, str | None]] = []
        self._skip_depth = 0

    def _flush(self) -> None:
        # A span still open runs on into the next paragraph (an <a> around two <p>s).
        self._spans.extend((start, self._length, kind, url) for _, start, kind, url in self._open)
        self._open = [(tag, 0, kind, url) for tag, _, kind, url in self._open]
        raw = "".join(self._current)
        if not self._spans:  # the common case: no per-character bookkeeping
            text = _SPACES.sub(" ", raw).strip()
            if text:
                self.paragraphs.append(text)
        elif (mapped := _collapse_mapped(raw))[0]:
            text, pos = mapped
            para = len(self.paragraphs)
            self.paragraphs.append(text)
            for start, end, kind, url in self._spans:
                a, b = pos[start], pos[end]
                if b > a and text[a:b].strip():
                    self.marks.append(Mark(para, a, b, kind, url))
        self._current = []
        self._spans = []
        self._length = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip_depth += 1
        elif tag in self._BLOCKS:
            self._flush()
        elif tag == "img":
            src = dict(attrs).get("src")
            if src:
                self.images.append(src)
        elif tag in self._INLINE:
            url = None
            if tag == "a":
                url = absolute_http_url(self.base, dict(attrs).get("href") or "") or None
                if url is None:
                    return  # an anchor, a mailto: or javascript: link: its text stays plain
            self._open.append((tag, self._length, self._INLINE[tag], url))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in self._BLOCKS:
            self._flush()
        elif tag in self._INLINE:
            for i in range(len(self._open) - 1, -1, -1):
                if self._open[i][0] == tag:
                    _, start, kind, url = self._open.pop(i)
                    self._spans.append((start, self._length, kind, url))
                    break

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self._current.append(data)
            self._length += len(data)

    def close(self) -> None:
        super().close()
        self._flush()


def html_to_paragraphs(html: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Pure: (paragraphs of text, image sources) of an HTML fragment."""
    paragraphs, _marks, images = html_to_rich(html)
    return paragraphs, images


def html_to_rich(
    html: str, *, base: str = ""
) -> tuple[tuple[str, ...], tuple[Mark, ...], tuple[str, ...]]:
    """Pure: (paragraphs, their formatting, image sources) of an HTML fragment."""
    collector = _TextCollector(base)
    collector.feed(html)
    collector.close()
    return tuple(collector.paragraphs), tuple(collector.marks), tuple(collector.images)


def detail_paragraphs(
    value: str, detail: Mapping[str, Any] | None, base: str = ""
) -> tuple[list[str], tuple[Mark, ...], list[str]]:
    """Paragraphs, their formatting and images of a feedparser text construct."""
    kind = str((detail or {}).get("type") or "text/html")
    if "html" in kind:
        paragraphs, marks, images = html_to_rich(value, base=base)
        return list(paragraphs), marks, list(images)
    lines = (_SPACES.sub(" ", line).strip() for line in re.split(r"\n\s*\n|\r\n\s*\r\n", value))
    return [line for line in lines if line], (), []


def detail_text(value: str, detail: Mapping[str, Any] | None) -> str:
    return " ".join(detail_paragraphs(value, detail)[0])
