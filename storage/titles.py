"""Titles folded for duplicate detection, and the FTS5 trigram query that finds look-alikes.

The folded title is stored in ``articles.title_folded`` (written by the repository on every
content write) and indexed by the ``article_titles`` FTS5 table (kept in sync by the triggers of
migration 0005), so the duplicate check asks an index for a few candidates instead of reading
every recent article.
"""

from __future__ import annotations

import unicodedata

# Quote-like marks that Unicode files as symbols (S*) rather than punctuation (P*).
_QUOTE_SYMBOLS = frozenset("`´ʹʺ˝＂＇")


def _is_stripped(char: str) -> bool:
    return unicodedata.category(char).startswith("P") or char in _QUOTE_SYMBOLS


def fold_title(title: str) -> str:
    """The title as duplicates are compared: NFKC, casefolded, ё as е, punctuation and quotes
    gone, whitespace collapsed. «Газпром» снизил добычу. == газпром снизил добычу."""
    text = unicodedata.normalize("NFKC", title).casefold().replace("ё", "е")
    # Punctuation becomes a space, not nothing: "слово,слово" and "слово, слово" fold alike.
    text = "".join(" " if _is_stripped(c) else c for c in text)
    return " ".join(text.split())


def trigram_query(folded: str) -> str:
    """An FTS5 MATCH expression: any of the folded title's trigrams (empty when it has none).

    The trigram tokenizer matches a quoted string of three characters as that trigram; bm25 then
    ranks the rows sharing the most (and the rarest) trigrams first.
    """
    grams = dict.fromkeys(folded[i : i + 3] for i in range(len(folded) - 2))
    return " OR ".join('"' + gram.replace('"', '""') + '"' for gram in grams)
