"""Titles folded for duplicate detection, and the band keys that find look-alikes from an index.

Each article's folded title gets up to BANDS keys (MinHash over its character trigrams, one
permutation, BINS bins, two bins per band), stored in ``title_keys``. Two titles share a key with
probability about 1 - (1 - J^2)^BANDS for trigram Jaccard similarity J: ~1 for one changed word
(J ~ 0.75), rare for unrelated titles. Looking a title up is BANDS B-tree seeks, whatever the
size of the history; only what shares a key is scored.

Why not FTS5's trigram tokenizer (this SQLite has it): measured on 100,000 stored titles, a
ranked MATCH over a title's trigrams took ~18 ms against ~5 ms at 10,000, even restricted to the
window by rowid: bm25 reads each phrase's statistics over the whole table, and unranked OR/phrase
queries still walk doclists that grow with history.
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from hashlib import blake2b
from typing import NamedTuple

BINS = 32
BANDS = BINS // 2
# Quote-like marks that Unicode files as symbols (S*) rather than punctuation (P*).
_QUOTE_SYMBOLS = frozenset("`´ʹʺ˝＂＇")


class Candidate(NamedTuple):
    """An article a new one may repeat: what scoring it needs, nothing more."""

    id: int
    title: str
    canonical_url: str
    folded: str  # the stored fold_title(title): scoring folds nothing again


def _is_stripped(char: str) -> bool:
    return unicodedata.category(char).startswith("P") or char in _QUOTE_SYMBOLS


class _PunctuationToSpace(dict[int, int | str]):
    """A ``str.translate`` table filled on first sight of each character: punctuation and
    quotes map to a space, everything else to itself. Asking Unicode for each character's
    category on every fold was most of a paste's duplicate-check CPU; a title repeats few
    distinct characters, so the table stays small."""

    def __missing__(self, code: int) -> int | str:
        value: int | str = " " if _is_stripped(chr(code)) else code
        self[code] = value
        return value


_TO_SPACE = _PunctuationToSpace()


# A paste folds its title and computes its band keys several times (the stored columns, the
# candidates' lookup, the scoring): a small cache of the latest answers keeps that to once.
_RECENT = 256


@lru_cache(maxsize=_RECENT)
def fold_title(title: str) -> str:
    """The title as duplicates are compared: NFKC, casefolded, ё as е, punctuation and quotes
    gone, whitespace collapsed. «Газпром» снизил добычу. == газпром снизил добычу."""
    text = unicodedata.normalize("NFKC", title).casefold().replace("ё", "е")
    # Punctuation becomes a space, not nothing: "слово,слово" and "слово, слово" fold alike.
    return " ".join(text.translate(_TO_SPACE).split())


def _hash64(data: str) -> int:
    return int.from_bytes(blake2b(data.encode(), digest_size=8).digest(), "big")


def band_keys(folded: str) -> list[int]:
    """The folded title's band keys (none under three characters: those match exactly only)."""
    return list(_band_keys(folded))


@lru_cache(maxsize=_RECENT)
def _band_keys(folded: str) -> tuple[int, ...]:
    """:func:`band_keys`, kept for the latest titles.

    One-permutation MinHash: each trigram's hash picks a bin and competes for that bin's
    minimum; a band is two bins' minima, skipped while either bin is empty. Keys fit SQLite's
    signed 64-bit integers.
    """
    minima: dict[int, int] = {}
    for gram in {folded[i : i + 3] for i in range(len(folded) - 2)}:
        h = _hash64(gram)
        slot, value = h % BINS, h // BINS
        if value < minima.get(slot, 1 << 64):
            minima[slot] = value
    keys = []
    for band in range(BANDS):
        a, b = minima.get(2 * band), minima.get(2 * band + 1)
        if a is not None and b is not None:
            keys.append(_hash64(f"{band}:{a}:{b}") >> 1)
    return tuple(keys)


def band_keys_json(title: str) -> str:
    """``band_keys(fold_title(title))`` as a JSON array: the SQL function migration 0007 uses
    to backfill ``title_keys`` with ``json_each``."""
    return json.dumps(band_keys(fold_title(title)))
