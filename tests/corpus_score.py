"""Score ``parse_article`` on the article corpus (issue 13): one row per field, then the misses.

``python -m tests.corpus_score [--set articles|holdout|blind|unseen|fresh|novel] [--stem PREFIX]``

Each article is ``<outlet>_<slug>.txt`` (the copy as pasted) beside ``<outlet>_<slug>.json`` (the
expected fields, see tests/fixtures/CORPUS_FORMAT.md). Strings are compared after whitespace
normalisation, dates as instants; ``keep`` prefixes must start a body paragraph or the lead;
``chrome`` strings must appear neither in the title, lead or body nor in the composed post.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.compose import compose
from bot.domain import ArticleContent, ChannelTemplate
from bot.ingest.text import parse_article

FIXTURES = Path(__file__).parent / "fixtures"
SETS = {
    "articles": FIXTURES / "articles",
    "holdout": FIXTURES / "holdout",
    "blind": FIXTURES / "blind",
    "unseen": FIXTURES / "unseen",
    "fresh": FIXTURES / "fresh",
    "novel": FIXTURES / "novel",
}

STRING_FIELDS = ("title", "lead", "source_name", "original_source", "photo_credit", "language")
FIELDS = (*STRING_FIELDS, "published_at", "keep", "chrome")
REQUIRED = (
    "outlet",
    "language",
    "now",
    "tz",
    *STRING_FIELDS,
    "published_at",
    "keep",
    "chrome",
)
LANGUAGES = ("ru", "en", "kk")
KEEP_MIN = 25  # a keep prefix shorter than this could match by accident

_INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
_TAG_RE = re.compile(r"<[^>]+>")


class CorpusError(ValueError):
    """An article's files are missing or its JSON does not follow the corpus format."""


@dataclass(frozen=True, slots=True)
class Case:
    stem: str
    text: str
    expected: dict[str, Any]

    @property
    def now(self) -> datetime:
        return datetime.fromisoformat(self.expected["now"])

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.expected["tz"])

    @property
    def traits(self) -> tuple[str, ...]:
        return tuple(self.expected.get("traits", ()))


@dataclass(frozen=True, slots=True)
class Miss:
    stem: str
    field: str
    expected: str
    got: str


@dataclass(slots=True)
class Report:
    total: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    misses: list[Miss] = field(default_factory=list)

    def percent(self, name: str) -> float:
        return 100.0 * self.right[name] / self.total if self.total else 100.0

    def scores(self) -> dict[str, float]:
        return {name: self.percent(name) for name in FIELDS}


def norm(text: str) -> str:
    """Whitespace-insensitive comparison form (invisible characters dropped)."""
    return " ".join(_INVISIBLE_RE.sub("", text).split())


def _check_json(stem: str, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise CorpusError(f"{stem}: the JSON is not an object")
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise CorpusError(f"{stem}: missing keys {missing}")
    for key in ("outlet", "now", "tz", *STRING_FIELDS):
        if not isinstance(data[key], str):
            raise CorpusError(f"{stem}: {key} must be a string")
    if data["language"] not in LANGUAGES:
        raise CorpusError(f"{stem}: language {data['language']!r} not in {LANGUAGES}")
    if not stem.startswith(data["outlet"] + "_"):
        raise CorpusError(f"{stem}: the file name does not start with the outlet {data['outlet']}")
    for key in ("now", "published_at"):
        value = data[key]
        if key == "published_at" and value is None:
            continue
        if not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is None:
            raise CorpusError(f"{stem}: {key} must be an ISO 8601 date with an offset")
    ZoneInfo(data["tz"])
    for key in ("keep", "chrome", *(("traits",) if "traits" in data else ())):
        if not isinstance(data[key], list) or not all(isinstance(s, str) for s in data[key]):
            raise CorpusError(f"{stem}: {key} must be a list of strings")
    short = [k for k in data["keep"] if len(norm(k)) < KEEP_MIN]
    if short:
        raise CorpusError(f"{stem}: keep prefixes shorter than {KEEP_MIN}: {short}")
    return data


def _check_against_text(case: Case) -> None:
    """Expected strings must come from the copy itself: a typo in the JSON is not a parser miss."""
    text = norm(case.text)
    for key in ("title", "lead"):
        if case.expected[key] and norm(case.expected[key]) not in text:
            raise CorpusError(f"{case.stem}: expected {key} is not in the copy")
    for key in ("keep", "chrome"):
        for item in case.expected[key]:
            if norm(item) not in text:
                raise CorpusError(f"{case.stem}: {key} {item!r} is not in the copy")
    # Inside a real paragraph only the dateline (before the kept text) may be chrome.
    for line in case.text.splitlines():
        line = norm(line)
        for keep in case.expected["keep"]:
            at = line.find(norm(keep))
            if at < 0:
                continue
            leaked = [c for c in case.expected["chrome"] if norm(c) in line[at:]]
            if leaked:
                raise CorpusError(f"{case.stem}: chrome {leaked} inside a kept paragraph")
    wanted = [norm(case.expected[k]) for k in ("title", "lead", "source_name", "original_source")]
    wanted += [norm(case.expected["photo_credit"]), *(norm(k) for k in case.expected["keep"])]
    for item in case.expected["chrome"]:
        clash = [w for w in wanted if w and norm(item) in w]
        if clash:
            raise CorpusError(f"{case.stem}: chrome {item!r} is part of an expected value {clash}")


def load_cases(directory: Path) -> list[Case]:
    """Every article of a set, checked for format; an absent directory is an empty set."""
    if not directory.is_dir():
        return []
    cases = []
    for txt in sorted(directory.glob("*.txt")):
        js = txt.with_suffix(".json")
        if not js.exists():
            raise CorpusError(f"{txt.name}: no {js.name} beside it")
        try:
            data = json.loads(js.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{js.name}: invalid JSON: {exc}") from exc
        case = Case(txt.stem, txt.read_text(encoding="utf-8"), _check_json(txt.stem, data))
        _check_against_text(case)
        cases.append(case)
    orphans = {p.stem for p in directory.glob("*.json")} - {c.stem for c in cases}
    if orphans:
        raise CorpusError(f"JSON without copy: {sorted(orphans)}")
    return cases


def post_text(art: ArticleContent) -> str:
    """The visible text of the post the default template makes of the article."""
    post = compose(art, ChannelTemplate())
    return "\n\n".join(html.unescape(_TAG_RE.sub("", m.html)) for m in post.messages)


def _date_str(value: datetime | None) -> str:
    return "null" if value is None else value.isoformat()


def _same_instant(expected: str | None, got: datetime | None) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    return got.tzinfo is not None and datetime.fromisoformat(expected) == got


Parser = Callable[[Case], ArticleContent]


def run_parser(case: Case) -> ArticleContent:
    """The parser under test, called as the bot calls it."""
    return parse_article(case.text, tz=case.tz, now=case.now)


def score_case(case: Case, parse: Parser = run_parser) -> list[Miss]:
    """The fields of one article the parser got wrong (empty when all are right)."""
    exp = case.expected
    art = parse(case)
    misses = []
    for name in STRING_FIELDS:
        got = str(getattr(art, name))
        if norm(got) != norm(exp[name]):
            misses.append(Miss(case.stem, name, exp[name], got))
    if not _same_instant(exp["published_at"], art.published_at):
        misses.append(
            Miss(case.stem, "published_at", str(exp["published_at"]), _date_str(art.published_at))
        )
    starts = [norm(p) for p in (art.lead, *art.body) if p]
    lost = [k for k in exp["keep"] if not any(s.startswith(norm(k)) for s in starts)]
    if lost:
        misses.append(Miss(case.stem, "keep", " | ".join(lost), "not the start of a paragraph"))
    where = norm("\n".join([art.title, art.lead, *art.body, post_text(art)]))
    leaked = [c for c in exp["chrome"] if norm(c) in where]
    if leaked:
        misses.append(Miss(case.stem, "chrome", "absent", " | ".join(leaked)))
    return misses


def score(cases: Iterable[Case], parse: Parser = run_parser) -> Report:
    report = Report()
    for case in cases:
        report.total += 1
        misses = score_case(case, parse)
        wrong = {m.field for m in misses}
        for name in FIELDS:
            report.right[name] += name not in wrong
        report.misses.extend(misses)
    return report


def field_scores(set_name: str = "articles") -> dict[str, float]:
    """Per-field percentage of articles right in a set (100.0 for every field of an empty set)."""
    return score(load_cases(SETS[set_name])).scores()


def format_report(report: Report, *, set_name: str) -> str:
    out = [f"corpus {set_name}: {report.total} articles", f"{'field':<16}{'right':>7}{'%':>8}"]
    for name in FIELDS:
        right = report.right[name]
        out.append(f"{name:<16}{right:>4}/{report.total:<3}{report.percent(name):>7.1f}")
    if report.misses:
        out.append("")
        out.append(f"misses ({len(report.misses)}):")
        for m in report.misses:
            out.append(f"- {m.stem} [{m.field}]")
            out.append(f"    expected: {m.expected!r}")
            out.append(f"    got:      {m.got!r}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.corpus_score", description=__doc__)
    parser.add_argument("--set", choices=sorted(SETS), default="articles", dest="set_name")
    parser.add_argument("--stem", default="", help="score only articles whose name starts so")
    args = parser.parse_args(argv)
    try:
        cases = [c for c in load_cases(SETS[args.set_name]) if c.stem.startswith(args.stem)]
    except CorpusError as exc:
        print(f"corpus error: {exc}", file=sys.stderr)
        return 2
    print(format_report(score(cases), set_name=args.set_name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
