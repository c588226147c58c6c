"""The doubts kept with a draft (issue 13): which the parser's report gives, what a default
source does to them, and which an edit settles. Pure functions, no database."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain import ArticleContent, Doubts
from bot.ingest.report import ParseReport, ParseWarning
from bot.workflow.doubts import (
    DEFAULT_SOURCE,
    FROM_EDITOR,
    DefaultSource,
    from_report,
    settle,
    with_default,
)


def test_from_report_keeps_what_the_card_shows_and_candidates_only_when_several() -> None:
    report = ParseReport(
        (ParseWarning.NO_DATE, ParseWarning.NO_BODY, ParseWarning.DERIVED_TITLE), ("TASS",)
    )
    assert from_report(report) == Doubts((ParseWarning.NO_DATE, ParseWarning.DERIVED_TITLE))
    two = ParseReport((ParseWarning.SOURCE_CANDIDATES,), ("TASS", "RIA"))
    assert from_report(two).source_candidates == ("TASS", "RIA")


def test_a_default_fills_only_an_empty_source_and_says_whose() -> None:
    doubts = Doubts((ParseWarning.NO_SOURCE, ParseWarning.NO_DATE))
    content, after = with_default(
        ArticleContent(title="T"), doubts, DefaultSource("Vlast.kz", FROM_EDITOR)
    )
    assert content.source_name == "Vlast.kz"
    assert after == Doubts((DEFAULT_SOURCE, ParseWarning.NO_DATE), (), FROM_EDITOR)
    assert with_default(ArticleContent(title="T"), doubts, None) == (
        ArticleContent(title="T"),
        doubts,
    )
    named = ArticleContent(title="T", source_name="TASS")
    assert with_default(named, doubts, DefaultSource("X", "@c")) == (named, doubts)


def test_an_edit_settles_the_doubts_of_its_field_only() -> None:
    doubts = Doubts(
        (ParseWarning.SOURCE_CANDIDATES, ParseWarning.NO_DATE, ParseWarning.DERIVED_TITLE),
        ("TASS", "RIA"),
    )
    before = ArticleContent(title="T", source_name="TASS")
    # The same value typed again still settles it: the editor has looked at the field.
    assert settle(doubts, before, before, "edit:source").warnings == (
        ParseWarning.NO_DATE,
        ParseWarning.DERIVED_TITLE,
    )
    dated = ArticleContent(
        title="T", source_name="TASS", published_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert settle(doubts, before, dated, "fix:date").warnings == (
        ParseWarning.SOURCE_CANDIDATES,
        ParseWarning.DERIVED_TITLE,
    )
    assert settle(doubts, before, before, "edit:tags") == doubts
    retitled = ArticleContent(title="New", source_name="TASS")
    assert (
        ParseWarning.DERIVED_TITLE not in settle(doubts, before, retitled, "edit:title").warnings
    )
