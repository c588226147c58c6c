"""What the parser was not sure of, beside the article it made."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ParseReport", "ParseWarning"]


class ParseWarning:
    """Warning codes (strings, so that JSON and the draft card can use them as they are)."""

    NO_SOURCE = "no_source"  # nothing in the copy names its outlet
    SOURCE_CANDIDATES = "source_candidates"  # two or more outlets named: the first was taken
    NO_DATE = "no_date"  # no publication date found
    DERIVED_TITLE = "derived_title"  # no headline line: the title is the first sentence
    NO_BODY = "no_body"  # nothing but a title (or chrome) in the paste


@dataclass(frozen=True, slots=True)
class ParseReport:
    warnings: tuple[str, ...] = ()
    source_candidates: tuple[str, ...] = ()  # outlets in order of strength, the chosen one first
    original_candidates: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "warnings": list(self.warnings),
            "source_candidates": list(self.source_candidates),
            "original_candidates": list(self.original_candidates),
        }
