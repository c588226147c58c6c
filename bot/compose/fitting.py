"""Shrinking a draft until it fits a message: what gives first when space runs out."""

from __future__ import annotations

from bot.compose.drafts import UPDATED, Draft, Prepared, draft_size
from bot.compose.paragraphs import Para, cut_body
from bot.limits import ENTITY_LIMIT
from bot.strings import shorten

__all__ = [
    "fit",
]


def fit(
    d: Draft, c: Prepared, limit: int, *, read_more_in_text: bool, lead_to_text: bool = False
) -> str:
    """Shrink the draft until it fits ``limit`` and the entity cap. Returns a lead moved out.

    What gives, in order: the body (sentence, then word boundary), hashtags from the end, the
    in-text read-more link, the credit, the lead (shortened, or moved to the follow-up text in
    the split layout), the title, the "updated" mark, and only then the attribution and the
    signature, which are shortened but never dropped.
    """
    n = _fit_entities(d, c)
    if n <= limit:
        return ""
    n = _shrink_body_and_tags(d, c, n, limit, read_more_in_text)
    if n <= limit:
        return ""
    return _give_up_parts(d, c, n, limit, lead_to_text)


def _fit_entities(d: Draft, c: Prepared) -> int:
    """Bring the entities under the cap (hashtags first, then the body's formatting); the
    length after."""
    n, ents = draft_size(d, c)
    if ents > ENTITY_LIMIT and d.tags:
        # Hashtags are entities too (Telegram detects them): they go first.
        keep = max(0, len(d.tags) - (ents - ENTITY_LIMIT))
        del d.tags[keep:]
        d.shrunk.append("tags_dropped")
        n, ents = draft_size(d, c)
    if ents > ENTITY_LIMIT and any(p.spans for p in d.paras):
        # Then the body's formatting: its words matter more than its bold.
        d.paras = [p._replace(spans=()) for p in d.paras]
        d.shrunk.append("formatting_dropped")
        n, ents = draft_size(d, c)
    return n


def _shrink_body_and_tags(
    d: Draft, c: Prepared, n: int, limit: int, read_more_in_text: bool
) -> int:
    """Cut the body, then drop hashtags from the end, then the in-text link; the length after."""
    if d.paras:
        full = d.paras
        # Measure everything else with a one-character body to learn the body's budget.
        d.paras = [Para("x")]
        d.read_more = read_more_in_text
        n, _ = draft_size(d, c)
        d.paras, d.body_kept = cut_body(full, limit - (n - 1))
        n, _ = draft_size(d, c)
        if n <= limit:
            return n

    if d.tags:
        while d.tags and n > limit:
            d.tags.pop()
            n, _ = draft_size(d, c)
        d.shrunk.append("tags_dropped")
        if n <= limit:
            return n

    if d.read_more:
        d.read_more = False
        d.shrunk.append("read_more_dropped")
        n, _ = draft_size(d, c)
    return n


def _give_up_parts(d: Draft, c: Prepared, n: int, limit: int, lead_to_text: bool) -> str:
    """Drop or shorten the other parts in their order until the draft fits; the lead moved."""
    moved = ""
    steps = ("credit", "lead", "title", UPDATED, "original", "source_name", "signature")
    if lead_to_text:
        # Moving the lead to the follow-up text loses nothing, so it goes before the credit.
        steps = ("lead", "credit", *steps[2:])
    for step in steps:
        excess = n - limit
        if excess <= 0:
            break
        if step == "credit" and d.credit:
            d.credit = ""
            d.shrunk.append("credit_dropped")
        elif step == "lead" and d.lead:
            if lead_to_text:
                moved, d.lead = d.lead, ""
                d.shrunk.append("lead_moved")
            else:
                short = shorten(d.lead, len(d.lead) - excess, hard=False)
                # A lead cut to a word or two says nothing: drop it instead.
                d.lead = short if len(short) >= min(12, len(d.lead)) else ""
                d.shrunk.append("lead_shortened")
        elif step == "title" and d.title:
            d.title = shorten(d.title, len(d.title) - excess)
            d.shrunk.append("title_shortened")
        elif step == UPDATED and d.updated:
            d.updated = False
            d.shrunk.append("updated_dropped")
        elif step == "original" and d.original:
            d.original = shorten(d.original, len(d.original) - excess)
            d.shrunk.append("source_shortened")
        elif step == "source_name" and d.source_name:
            d.source_name = shorten(d.source_name, len(d.source_name) - excess)
            d.shrunk.append("source_shortened")
        elif step == "signature" and d.signature:
            d.signature = shorten(d.signature, len(d.signature) - excess)
            d.shrunk.append("signature_shortened")
        else:
            continue
        n, _ = draft_size(d, c)
    return moved
