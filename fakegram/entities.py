"""Telegram's HTML parse mode, as the Bot API applies it to ``parse_mode=HTML`` text.

This mirrors tdlib's ``parse_html`` (td/telegram/MessageEntity.cpp) closely enough that the fake
Bot API server rejects what Telegram rejects, with the same descriptions, and counts length the
way Telegram does (visible text after entity parsing, trimmed, in code points). It is deliberately
*stricter* than Telegram in two places, because a bot that relies on Telegram's leniency there
produces posts that silently lose formatting:

* an attribute a tag does not support (``<b class="x">``) is an error, where tdlib ignores it;
* ``<a>`` without a non-empty ``href`` is an error, where tdlib silently drops the link.

Pure: no I/O, no clock, no aiogram.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "HtmlParseError",
    "ParsedText",
    "apply_entities",
    "parse_html",
    "plain_text",
    "utf16_len",
]

_PREFIX = "Bad Request: can't parse entities: "

# tdlib's is_space(): the characters that end a tag name or separate attributes.
_SPACE = frozenset(" \t\r\n\0\v\f")
# What Telegram trims from both ends of a message after parsing entities.
_TRIM = " \t\r\n\v\f"

# The tags tdlib knows. Closing with a different (known or unknown) name is an error too.
_TAG_TYPES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
# Attributes each tag may carry (everything else is rejected, see module docstring).
_TAG_ATTRS: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "span": frozenset({"class"}),
    "blockquote": frozenset({"expandable"}),
    "tg-emoji": frozenset({"emoji-id"}),
}
# Entities that may not contain other entities: Telegram drops whatever is nested inside them.
_ATOMIC_TAGS = frozenset({"code", "pre", "tg-emoji"})

_SPECIAL = re.compile(r"[<&]")
_NUMERIC_ENTITY = re.compile(r"&#(?:([0-9]{1,10})|[xX]([0-9a-fA-F]{1,8}));")
_NAMED_ENTITY = re.compile(r"&([a-zA-Z]{2,8});")
_NAMED: dict[str, str] = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_USER_LINK = re.compile(r"tg://user\?id=([0-9]{1,20})$")
_URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_ALLOWED_SCHEMES = frozenset({"http", "https", "tg", "ftp", "ton"})


class HtmlParseError(ValueError):
    """Telegram's 400 for bad HTML; ``str(e)`` is the Bot API description."""

    def __init__(self, reason: str) -> None:
        super().__init__(_PREFIX + reason)
        self.reason = reason

    @property
    def description(self) -> str:
        return str(self)


@dataclass(frozen=True, slots=True)
class ParsedText:
    """Visible text and Bot API ``MessageEntity`` dicts (offsets in UTF-16 code units)."""

    text: str
    entities: tuple[dict[str, Any], ...]

    @property
    def length(self) -> int:
        """What Telegram compares with 4096 (text) or 1024 (caption): code points."""
        return len(self.text)


def utf16_len(s: str) -> int:
    """Length of ``s`` in UTF-16 code units (astral characters count 2)."""
    # Fast path: most text is in the BMP and then the two lengths agree.
    if s.isascii():
        return len(s)
    return len(s.encode("utf-16-le")) // 2


def _byte_offset(html: str, pos: int) -> int:
    # Telegram reports positions in UTF-8 bytes of the original string.
    return len(html[:pos].encode("utf-8"))


@dataclass(slots=True)
class _Open:
    tag: str
    attrs: dict[str, str | None]
    offset: int  # UTF-16 offset in the output where the entity starts
    byte_pos: int  # index in html of '<', for messages


def _decode_entity(html: str, pos: int) -> tuple[str, int]:
    """Decode an HTML entity at ``html[pos] == '&'``; unknown ones stay literal like tdlib."""
    m = _NUMERIC_ENTITY.match(html, pos)
    if m is not None:
        code = int(m.group(1)) if m.group(1) is not None else int(m.group(2), 16)
        # tdlib rejects code points outside Unicode (and surrogates) by keeping the '&' literal.
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), m.end()
        return "&", pos + 1
    m = _NAMED_ENTITY.match(html, pos)
    if m is not None and m.group(1) in _NAMED:
        return _NAMED[m.group(1)], m.end()
    return "&", pos + 1


def _parse_start_tag(html: str, lt: int) -> tuple[_Open, int]:
    """Parse ``<tag attr="v" ...>`` at ``html[lt] == '<'``; returns the open tag and next index."""
    n = len(html)
    i = lt + 1
    while i < n and html[i] not in _SPACE and html[i] != ">":
        i += 1
    if i >= n:
        raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(html, lt)}")
    tag = html[lt + 1 : i].lower()
    if tag not in _TAG_TYPES:
        raise HtmlParseError(
            f'Unsupported start tag "{tag}" at byte offset {_byte_offset(html, lt)}'
        )
    allowed = _TAG_ATTRS.get(tag, frozenset())
    attrs: dict[str, str | None] = {}
    while True:
        while i < n and html[i] in _SPACE:
            i += 1
        if i >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(html, lt)}")
        if html[i] == ">":
            i += 1
            break
        name_start = i
        while i < n and html[i] not in _SPACE and html[i] not in "=>":
            i += 1
        name = html[name_start:i].lower()
        if not name:
            raise HtmlParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(html, lt)}'
            )
        while i < n and html[i] in _SPACE:
            i += 1
        value: str | None = None
        if i < n and html[i] == "=":
            value, i = _parse_attr_value(html, i + 1, lt, tag)
        if name not in allowed:
            raise HtmlParseError(
                f'Unsupported attribute "{name}" in the tag "{tag}" at byte offset '
                f"{_byte_offset(html, lt)}"
            )
        attrs[name] = value
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise HtmlParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(html, lt)}'
        )
    if tag == "a" and not attrs.get("href"):
        raise HtmlParseError(
            f'Tag "a" must have a non-empty "href" attribute at byte offset '
            f"{_byte_offset(html, lt)}"
        )
    if tag == "tg-emoji":
        emoji_id = attrs.get("emoji-id") or ""
        if not emoji_id.isdigit() or int(emoji_id) == 0:
            raise HtmlParseError("Invalid custom emoji identifier specified")
    return _Open(tag, attrs, 0, lt), i


def _parse_attr_value(html: str, i: int, lt: int, tag: str) -> tuple[str, int]:
    """Parse an attribute's value after its ``=`` (``html[i:]``, spaces allowed before it);
    returns the value and the next index. ``lt`` is the tag's '<', for error messages."""
    n = len(html)
    while i < n and html[i] in _SPACE:
        i += 1
    if i >= n:
        raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(html, lt)}")
    quote = html[i]
    if quote in "\"'":
        i += 1
        parts: list[str] = []
        while i < n and html[i] != quote:
            if html[i] == "&":
                decoded, i = _decode_entity(html, i)
                parts.append(decoded)
            else:
                parts.append(html[i])
                i += 1
        if i >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_byte_offset(html, lt)}")
        return "".join(parts), i + 1
    # An unquoted value is an HTML5 "name token", as tdlib reads it.
    v_start = i
    while i < n and (html[i].isalnum() or html[i] in ".-"):
        i += 1
    value = html[v_start:i]
    if not value:
        raise HtmlParseError(
            f'Expected equal sign in declaration of an attribute of the tag "{tag}"'
            f" at byte offset {_byte_offset(html, lt)}"
        )
    return value, i


def _close_entity(opened: _Open, end_offset: int, entities: list[dict[str, Any]]) -> None:
    """Turn a closed tag into an entity (or nothing, when it covers no text)."""
    length = end_offset - opened.offset
    if length <= 0:
        return
    tag = opened.tag
    entity: dict[str, Any] = {"type": _TAG_TYPES[tag], "offset": opened.offset, "length": length}
    if tag == "a":
        url = (opened.attrs.get("href") or "").strip()
        user = _USER_LINK.match(url)
        if user is not None:
            # Telegram turns a link to a user into a mention of that user.
            entity["type"] = "text_mention"
            entity["user"] = {"id": int(user.group(1)), "is_bot": False, "first_name": ""}
        else:
            scheme = _URL_SCHEME.match(url)
            if scheme is None:
                url = "http://" + url  # Telegram completes scheme-less links the same way
            elif scheme.group(1).lower() not in _ALLOWED_SCHEMES:
                return  # Telegram drops links it does not consider URLs; the text stays
            entity["url"] = url
    elif tag == "code":
        cls = opened.attrs.get("class") or ""
        if cls.startswith("language-") and len(cls) > len("language-"):
            entity["language"] = cls[len("language-") :]
    elif tag == "pre":
        # <pre><code class="language-x">…</code></pre> is one pre entity with a language.
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == opened.offset
            and last["length"] == length
        ):
            entities.pop()
            if "language" in last:
                entity["language"] = last["language"]
    elif tag == "blockquote":
        if "expandable" in opened.attrs:
            entity["type"] = "expandable_blockquote"
    elif tag == "tg-emoji":
        entity["custom_emoji_id"] = opened.attrs["emoji-id"]
    entities.append(entity)


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace like Telegram and clip entities to what remains."""
    stripped = text.strip(_TRIM)
    if stripped == text:
        return text, entities
    if not stripped:
        return "", []
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIM))])
    total = utf16_len(stripped)
    out: list[dict[str, Any]] = []
    for e in entities:
        start = max(e["offset"] - lead, 0)
        end = min(e["offset"] + e["length"] - lead, total)
        if end > start:
            out.append({**e, "offset": start, "length": end - start})
    return stripped, out


def _may_hold_entities(stack: list[_Open], tag: str) -> bool:
    """False when an enclosing tag is code/pre/emoji: Telegram drops entities nested in those."""
    for depth, ancestor in enumerate(reversed(stack)):
        if ancestor.tag in _ATOMIC_TAGS:
            # The one exception: <pre><code class="language-x"> names the pre block's language.
            return depth == 0 and ancestor.tag == "pre" and tag == "code"
    return True


def parse_html(html: str) -> ParsedText:
    """Parse Telegram HTML into visible text and entities, or raise :class:`HtmlParseError`."""
    out: list[str] = []
    offset = 0  # UTF-16 length of the output so far
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    n = len(html)
    pos = 0
    while pos < n:
        m = _SPECIAL.search(html, pos)
        end = m.start() if m is not None else n
        if end > pos:
            chunk = html[pos:end]
            out.append(chunk)
            offset += utf16_len(chunk)
        if m is None:
            break
        pos = end
        if html[pos] == "&":
            decoded, pos = _decode_entity(html, pos)
            out.append(decoded)
            offset += utf16_len(decoded)
            continue
        # html[pos] == "<"
        if pos + 1 < n and html[pos + 1] == "/":
            lt = pos
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {_byte_offset(html, lt)}")
            i = lt + 2
            while i < n and html[i] not in _SPACE and html[i] != ">":
                i += 1
            end_name = html[lt + 2 : i].lower()
            while i < n and html[i] in _SPACE:
                i += 1
            if i >= n or html[i] != ">":
                raise HtmlParseError(f"Unclosed end tag at byte offset {_byte_offset(html, lt)}")
            opened = stack.pop()
            if end_name and end_name != opened.tag:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(html, lt)}, "
                    f'expected "</{opened.tag}>", found "</{end_name}>"'
                )
            if _may_hold_entities(stack, opened.tag):
                _close_entity(opened, offset, entities)
            pos = i + 1
            continue
        opened, pos = _parse_start_tag(html, pos)
        opened.offset = offset
        stack.append(opened)
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    text, ents = _trim("".join(out), entities)
    # Bot API lists entities by offset; an outer entity comes before the ones nested in it.
    ents.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText(text=text, entities=tuple(ents))


def plain_text(text: str) -> ParsedText:
    """A message sent without ``parse_mode``: no entities, trimmed like Telegram."""
    return ParsedText(text=text.strip(_TRIM), entities=())


def apply_entities(text: str, entities: list[dict[str, Any]]) -> ParsedText:
    """A message sent with explicit ``entities``: check their bounds, then trim like Telegram.

    Raises :class:`ValueError` with Telegram's description for an entity that does not fit the
    text (Telegram answers 400 for those).
    """
    total = utf16_len(text)
    checked: list[dict[str, Any]] = []
    for e in entities:
        offset, length = e.get("offset"), e.get("length")
        if (
            not isinstance(e.get("type"), str)
            or not isinstance(offset, int)
            or not isinstance(length, int)
        ):
            raise ValueError("Bad Request: can't parse entities: invalid entity")
        if offset < 0 or length < 0 or offset + length > total:
            raise ValueError(
                "Bad Request: can't parse entities: entity beyond the end of the text at "
                f"UTF-16 offset {offset}"
            )
        if length > 0:
            checked.append(dict(e))
    stripped, ents = _trim(text, checked)
    ents.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText(text=stripped, entities=tuple(ents))
