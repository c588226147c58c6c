"""Articles become the exact Telegram messages a channel receives: pure functions, no I/O.

Lengths are counted while the HTML is built, never by re-parsing it. That works because every
piece of article text is cleaned once up front (see :func:`clean_inline`): after cleaning, the
code-point length of the raw string is exactly what Telegram counts for it, since escapes
(``&amp;`` …) and tags cost nothing after entity parsing, and no part starts or ends with
whitespace Telegram would trim.

Cuts happen on the raw strings before escaping, so they can never split an escape sequence, a
tag or an entity; they fall on sentence or word boundaries (whitespace), which never splits a
grapheme cluster; only a part that must keep *something* (a title with no spaces, say) falls back
to a grapheme-safe cut.
"""

from __future__ import annotations

from bot.compose.cleaning import http_url
from bot.compose.drafts import (
    BODY,
    UPDATED,
    Draft,
    Prepared,
    assemble,
    draft_size,
    new_draft,
    prepare,
)
from bot.compose.fitting import fit
from bot.compose.messages import (
    Block,
    body_blocks,
    media_message,
    pack,
    read_more_buttons,
    single_part_block,
    text_block,
    text_messages,
)
from bot.compose.paragraphs import chunks
from bot.compose.rich import rich_message
from bot.domain import ArticleContent, ChannelTemplate, Layout, OutMessage, Photo, Post
from bot.limits import ALBUM_MAX, ALBUM_MIN, CAPTION_LIMIT, ENTITY_LIMIT, TEXT_LIMIT

__all__ = ["AUTO_CAPTION_MAX_CUT", "compose"]

# In auto layout, an article that fits one text message but not a caption is shortened into the
# caption only when the reader loses at most this share of the body (and nothing but the body):
# a second message for a paragraph or two is noisier than the cut. Longer overflows are split,
# so the channel carries the whole text. The template's max_body_cut_ratio caps it further, so
# auto never produces a post that check() flags as "body_shortened".
AUTO_CAPTION_MAX_CUT = 0.2


class _Layouts:
    """The ways one prepared article can be laid out; each returns the finished ``Post``."""

    def __init__(
        self, c: Prepared, template: ChannelTemplate, photos: tuple[Photo, ...], notes: list[str]
    ) -> None:
        self.c = c
        self.photos = photos
        self.notes = notes
        self.body_total = sum(len(p.text) for p in c.paras)
        self.buttons = read_more_buttons(c, template)
        self.silent = template.silent

    def post(self, messages: list[OutMessage], layout: Layout, kept: int, d: Draft) -> Post:
        return Post(
            messages=tuple(messages),
            layout=layout,
            body_chars_total=self.body_total,
            body_chars_kept=kept,
            notes=tuple(dict.fromkeys((*self.notes, *d.shrunk))),
        )

    def single(self, limit: int) -> Draft:
        d = new_draft(self.c)
        # The in-text link is for readers who get no button: albums, or buttons turned off.
        in_text = not self.buttons or (limit == CAPTION_LIMIT and len(self.photos) >= ALBUM_MIN)
        fit(d, self.c, limit, read_more_in_text=in_text)
        return d

    def caption(self) -> tuple[Post, Draft]:
        d = self.single(CAPTION_LIMIT)
        message = media_message(d, self.c, self.photos, self.buttons, self.silent)
        return self.post([message], Layout.CAPTION, d.body_kept, d), d

    def preview(self) -> Post:
        d = self.single(TEXT_LIMIT)
        size, ents, _, out = assemble(d, self.c, True)
        message = OutMessage(
            kind="text",
            html=out,
            visible_length=size,
            entity_count=ents,
            link_preview_url=self.photos[0].ref,
            buttons=self.buttons,
            disable_notification=self.silent,
        )
        return self.post([message], Layout.PREVIEW, d.body_kept, d)

    def split(self) -> Post:
        c = self.c
        d = new_draft(c, body=False)
        moved = fit(d, c, CAPTION_LIMIT, read_more_in_text=False, lead_to_text=True)
        follow = pack(body_blocks(c.paras, moved))
        first = media_message(d, c, self.photos, () if follow else self.buttons, self.silent)
        rest = text_messages(follow, self.buttons, self.silent, first_is_followup=True)
        return self.post([first, *rest], Layout.SPLIT, self.body_total, d)

    def rich(self) -> Post | None:
        """The whole article as one rich message; None (and a note) over a rich limit."""
        message, size = rich_message(self.c, self.photos, self.buttons, self.silent)
        if message is None:
            # Which limit, for the preview and the logs; the post itself goes out ordinary.
            self.notes.extend(f"rich_over_{name}" for name in size.over())
            return None
        total = self.body_total
        return Post((message,), Layout.RICH, total, total, tuple(dict.fromkeys(self.notes)))

    def text_only(self, layout: Layout) -> Post:
        """No photo: one text message in the caption layout, else the parts in text messages."""
        c = self.c
        if layout is Layout.CAPTION:
            d = self.single(TEXT_LIMIT)
            size, ents, _, out = assemble(d, c, True)
            packed = [(out, size, ents)] if size else []
            messages = text_messages(packed, self.buttons, self.silent)
            return self.post(messages, Layout.CAPTION, d.body_kept, d)
        d = new_draft(c)
        # Other formatting in one message is at most 7 entities; keep the hashtags under the cap
        # with them so the tags line is not pushed into a message of its own.
        if len(d.tags) > ENTITY_LIMIT - 8:
            del d.tags[ENTITY_LIMIT - 8 :]
            d.shrunk.append("tags_dropped")
        blocks: list[Block] = []
        for part in (*c.parts, UPDATED):
            if part == BODY:
                blocks.extend(body_blocks(d.paras))
            elif part == "lead":
                blocks.extend(text_block("lead", p, "i") for p in chunks(d.lead, TEXT_LIMIT))
            elif (block := single_part_block(d, c, part)) is not None:
                blocks.append(block)
        messages = text_messages(pack(blocks), self.buttons, self.silent)
        return self.post(messages, Layout.SPLIT, self.body_total, d)


def compose(
    article: ArticleContent, template: ChannelTemplate, *, updated_mark: bool = False
) -> Post:
    """The messages a channel receives for ``article``, laid out per ``template``.

    Every message parses in Telegram's HTML mode, holds at most 1024 (caption) or 4096 (text)
    visible characters and at most 100 entities (hashtags included); see the module docstring
    for how lengths stay exact and ``fit`` for what gives when space runs out. The ``rich``
    layout is one rich message within the rich limits (``bot.compose.rich``), else the ordinary
    layout ``auto`` would choose; ``auto`` itself picks rich only where the template allows it
    and the ordinary post would be more than one message.
    """
    # Only http(s) URL photos can be sent by URL; anything else is reported by check().
    usable = tuple(p for p in article.photos if not p.is_url or http_url(p.ref) is not None)
    photos = usable[:ALBUM_MAX]
    notes: list[str] = []
    if len(usable) > ALBUM_MAX:
        notes.append("photos_truncated")
    if len(usable) < len(article.photos):
        notes.append("photos_unusable")
    c = prepare(article, template, updated_mark, bool(photos))
    layouts = _Layouts(c, template, photos, notes)
    layout = template.layout
    if layout is Layout.RICH:
        # A short article that is one photo with its caption (or one text) whole stays that in
        # every layout: one ordinary message already reads like the original.
        if not _fits_one(c, photos):
            rich = layouts.rich()
            if rich is not None:
                return rich
        layout = Layout.AUTO  # over a rich limit: the ordinary post, attribution whole
    post = _ordinary(layouts, layout, template)
    if layout is Layout.AUTO and template.allow_rich and _telegram_messages(post) > 1:
        rich = layouts.rich()
        if rich is not None:
            return rich
    return post


def _fits_one(c: Prepared, photos: tuple[Photo, ...]) -> bool:
    """Does the whole article fit one ordinary message, uncut (a photo's caption, or a text)?"""
    if len(photos) > 1:
        return False  # an album is several messages
    size, entities = draft_size(new_draft(c), c)
    return size <= (CAPTION_LIMIT if photos else TEXT_LIMIT) and entities <= ENTITY_LIMIT


def _telegram_messages(post: Post) -> int:
    """Messages the post is in the chat: an album is one message per photo."""
    return sum(len(m.photos) if m.kind == "album" else 1 for m in post.messages)


def _ordinary(layouts: _Layouts, layout: Layout, template: ChannelTemplate) -> Post:
    """The post in photo, album and text messages (every layout but rich)."""
    c, photos, notes = layouts.c, layouts.photos, layouts.notes
    if not photos:
        notes.append("text_only")
        return layouts.text_only(layout)
    preview_ok = photos[0].is_url
    if layout is Layout.PREVIEW and not preview_ok:
        notes.append("preview_unavailable")
        layout = Layout.AUTO
    full_len, full_ents = draft_size(new_draft(c), c)
    if (full_len <= CAPTION_LIMIT and full_ents <= ENTITY_LIMIT) or layout is Layout.CAPTION:
        return layouts.caption()[0]
    if layout is Layout.SPLIT:
        return layouts.split()
    if layout is Layout.PREVIEW:
        return layouts.preview()
    # Auto. Several photos stay an album (a preview shows one); a single public photo with a
    # text that fits one message becomes a large preview above it.
    if full_len <= TEXT_LIMIT and full_ents <= ENTITY_LIMIT:
        if preview_ok and len(photos) == 1:
            return layouts.preview()
        max_cut = min(AUTO_CAPTION_MAX_CUT, template.max_body_cut_ratio)
        body_total = layouts.body_total
        # The caption must lose at least the overflow from the body: skip hopeless candidates.
        if body_total and full_len - CAPTION_LIMIT <= max_cut * body_total:
            candidate, d = layouts.caption()
            cut = 1 - candidate.body_chars_kept / body_total
            if not d.shrunk and cut <= max_cut:
                return candidate
    return layouts.split()
