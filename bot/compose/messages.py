"""Fitted drafts become messages: media with a caption, and text messages packed from blocks."""

from __future__ import annotations

from typing import NamedTuple

from bot.compose import marks
from bot.compose.drafts import BODY, TIGHT, UPDATED, Draft, Prepared, assemble
from bot.compose.fitting import fit
from bot.compose.paragraphs import Para, chunk_spans, chunks, slice_para
from bot.domain import ChannelTemplate, OutMessage, Photo, UrlButton
from bot.limits import ALBUM_MIN, ENTITY_LIMIT, TEXT_LIMIT
from bot.strings import escape

__all__ = [
    "Block",
    "body_blocks",
    "media_message",
    "pack",
    "read_more_buttons",
    "single_part_block",
    "text_block",
    "text_messages",
]

# A body block carrying more entities than this has its formatting dropped (it is sent alone).
_BLOCK_ENTITIES = ENTITY_LIMIT


class Block(NamedTuple):
    """A unit of a text message that is never split across messages."""

    part: str
    html: str
    length: int
    entities: int
    detected: int = 0  # hashtags, links and mentions Telegram detects by itself


def text_block(part: str, text: str, tag: str = "") -> Block:
    inner = escape(text)
    html_ = f"<{tag}>{inner}</{tag}>" if tag else inner
    return Block(part, html_, len(text), 1 if tag else 0, marks.auto_entities(text))


def single_part_block(d: Draft, c: Prepared, part: str) -> Block | None:
    """One non-body part on its own, shrunk to a text message when (absurdly) longer."""
    only = Draft(
        title=d.title if part == "title" else "",
        lead="",
        paras=[],
        credit=d.credit if part == "credit" else "",
        source_name=d.source_name if part == "source" else "",
        original=d.original if part == "source" else "",
        tags=list(d.tags) if part == "tags" else [],
        signature=d.signature if part == "signature" else "",
        updated=d.updated if part == UPDATED else False,
    )
    fit(only, c, TEXT_LIMIT, read_more_in_text=False)
    d.shrunk.extend(only.shrunk)
    size, ents, tags, out = assemble(only, c, True)
    return Block(part, out, size, ents, tags) if size else None


def body_blocks(paras: list[Para] | tuple[Para, ...], lead: str = "") -> list[Block]:
    blocks = [text_block(BODY, piece, "i") for piece in chunks(lead, TEXT_LIMIT)]
    for para in paras:
        if len(para.text) <= TEXT_LIMIT and not para.spans:
            blocks.append(Block(BODY, escape(para.text), len(para.text), 0, para.auto))
            continue
        pieces = (
            [para]
            if len(para.text) <= TEXT_LIMIT
            else [slice_para(para, a, b) for a, b in chunk_spans(para.text, TEXT_LIMIT)]
        )
        for piece in pieces:
            if piece.entities > _BLOCK_ENTITIES:
                # Formatting so dense it would not fit one message: the text matters more.
                piece = piece._replace(spans=())
            text = piece.text
            rendered = marks.render(text, piece.spans)
            blocks.append(Block(BODY, rendered, len(text), len(piece.spans), piece.auto))
    return blocks


def pack(blocks: list[Block]) -> list[tuple[str, int, int]]:
    """Greedily fill text messages (≤ 4096 visible, ≤ 100 entities) with whole blocks."""
    out: list[tuple[str, int, int]] = []
    pieces: list[str] = []
    length = ents = tags = 0
    prev = ""
    for b in blocks:
        tight = prev in TIGHT and b.part in TIGHT
        sep = (1 if tight else 2) if pieces else 0
        if pieces and (
            length + sep + b.length > TEXT_LIMIT
            or ents + tags + b.entities + b.detected > ENTITY_LIMIT
        ):
            out.append(("".join(pieces), length, ents))
            pieces, length, ents, tags, sep = [], 0, 0, 0, 0
        if sep:
            pieces.append("\n" if tight else "\n\n")
        pieces.append(b.html)
        length += sep + b.length
        ents += b.entities
        tags += b.detected
        prev = b.part
    if pieces:
        out.append(("".join(pieces), length, ents))
    return out


def read_more_buttons(c: Prepared, template: ChannelTemplate) -> tuple[UrlButton, ...]:
    if template.read_more_button and c.read_more_url is not None:
        return (UrlButton(c.labels.read_more, c.read_more_url),)
    return ()


def media_message(
    d: Draft,
    c: Prepared,
    photos: tuple[Photo, ...],
    buttons: tuple[UrlButton, ...],
    silent: bool,
) -> OutMessage:
    size, ents, _, out = assemble(d, c, True)
    album = len(photos) >= ALBUM_MIN
    return OutMessage(
        kind="album" if album else "photo",
        html=out,
        visible_length=size,
        entity_count=ents,
        photos=photos,
        buttons=() if album else buttons,  # albums cannot carry a keyboard
        disable_notification=silent,
    )


def text_messages(
    packed: list[tuple[str, int, int]],
    buttons: tuple[UrlButton, ...],
    silent: bool,
    *,
    first_is_followup: bool = False,
) -> list[OutMessage]:
    """Text messages; the button goes on the last one, and only the first may notify."""
    last = len(packed) - 1
    return [
        OutMessage(
            kind="text",
            html=out,
            visible_length=size,
            entity_count=ents,
            buttons=buttons if i == last else (),
            # One notification per post: follow-up messages arrive silently.
            disable_notification=silent or i > 0 or first_is_followup,
        )
        for i, (out, size, ents) in enumerate(packed)
    ]
