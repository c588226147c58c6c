"""Chrome by shape and position, for sites whose labels the lexicon does not know.

Lines are scored the way a reader skims a page: menus and tag lists are short, carry no
sentence punctuation, cluster before the headline or after the last paragraph, and repeat.
Only such lines go: a line that reads as a sentence is never dropped here.
"""

from __future__ import annotations

import re
from collections import Counter

from bot.ingest.chrome import is_byline, is_rubric, is_share, is_summary_label
from bot.ingest.kickers import ends_with_verb
from bot.ingest.language import fold
from bot.ingest.lines import Kind, Line

__all__ = ["drop_structural_chrome"]

_SENTENCE_END_RE = re.compile(r"[.!?…;:][»\"”)’']*$")
_CLOCK_START_RE = re.compile(r"^(?:[01]?[0-9]|2[0-3]):[0-5][0-9]\s+\S")
_SHORT = 40  # characters of a menu item or a tag


def _sentence(text: str) -> bool:
    """Reads as a sentence: ends with its punctuation (a short question is a widget's title,
    "Что это было?"), or is long enough to be prose anyway."""
    if len(text) >= 120 and len(text.split()) >= 15:
        return True
    if _SENTENCE_END_RE.search(text) is None:
        return False
    return not (text.rstrip("»\"”)’'").endswith("?") and len(text.split()) <= 5)


def _label(text: str) -> bool:
    """ "Сюжет:", "Related:": a widget's one- or two-word label, which announces no list of
    copy the way a sentence ending with a colon does."""
    return text.endswith((":", "：")) and len(text.split()) <= 2 and len(text) <= 30


def _short(text: str) -> bool:
    return len(text) <= _SHORT and len(text.split()) <= 4 and not _sentence(text)


_NAME_WORD_RE = re.compile(r"^[A-ZÀ-ÖØ-ÞА-ЯЁӘҒҚҢӨҰҮҺІ][\w'’.-]*$")
_ROLE_RE = re.compile(
    r"\b(?:correspondent|editor|reporter|writer|columnist|корреспондент|редактор|обозреватель|"
    r"журналист|тілші|шолушы)\b",
    re.IGNORECASE,
)


def _byline_like(text: str, *, strict: bool = False) -> bool:
    """A person's name ("Claire Marshall", "Гүлнар ЖАҚЫП") or a role line ("Fiona Harvey
    Environment editor"): the byline block between the headline and the copy."""
    words = text.split()
    if _sentence(text) or any(ch.isdigit() for ch in text):
        return False
    if 2 <= len(words) <= 3 and all(_NAME_WORD_RE.match(w) for w in words):
        return True
    if not strict and len(words) <= 4 and len(text) <= 40:
        # "London", "CNN", "ҚР Төтенше жағдайлар министрлігі": a split dateline, a place or
        # an author's tag under the headline (a standfirst runs longer); "Итоги конкурса
        # подведены" closes with its verb: a clause, the standfirst.
        return not (len(words) >= 3 and ends_with_verb(text))
    return len(words) <= 6 and _ROLE_RE.search(text) is not None


def _drop_header_bylines(content: list[Line]) -> None:
    """Byline lines after the headline, before the first sentence of copy."""
    past_standfirst = False
    for pos, ln in enumerate(content[1:], 1):
        # A standfirst may sit between the headline and the byline: look past it, for names
        # and roles only ("Tom Clarke", "Science editor").
        if _sentence(ln.text):
            if pos > 1 or len(ln.text) > 300 or ln.text.endswith(":"):
                break
            past_standfirst = True
            continue
        if _byline_like(ln.text, strict=past_standfirst):
            ln.kind = Kind.CHROME


_FUNCTION_WORDS = frozenset({"A", "An", "The", "Is", "Are", "Of", "For", "And", "To", "In", "On"})
_HEAD_LINES = 12


def _badge(text: str) -> bool:
    """ "Harbor Radio Is A Trust Project Member": every word capitalised, its function words
    too (a headline in title case keeps "a", "of", "to" small or runs longer)."""
    words = text.split()
    return (
        2 <= len(words) <= 8
        and not _sentence(text)
        and all(w[:1].isupper() for w in words)
        and any(w in _FUNCTION_WORDS for w in words[1:])
    )


def _drop_header_badges(lines: list[Line]) -> None:
    """A badge line under the byline, over the copy, when the headline stands above the byline."""
    head = lines[:_HEAD_LINES]
    by = next(
        (i for i, ln in enumerate(head) if ln.kind is Kind.CHROME and is_byline(ln.text)), None
    )
    if by is None or not any(
        ln.kind is Kind.CONTENT and len(ln.text.split()) >= 4 for ln in head[:by]
    ):
        return
    for ln in lines[by + 1 :]:
        if ln.kind is not Kind.CONTENT:
            continue
        if _sentence(ln.text):
            break
        if _badge(ln.text):
            ln.kind = Kind.CHROME


def _drop_nav_tail(lines: list[Line]) -> None:
    """ "News / UK / Home News / <headline>": a one- or two-word line that ends a cluster of
    navigation chrome at the top of the paste is navigation too, when a headline follows."""
    i = 0
    while i < len(lines) and lines[i].kind is not Kind.CONTENT:
        i += 1
    if i == 0 or i + 1 >= len(lines):
        return
    first = lines[i]
    nxt = next((ln for ln in lines[i + 1 :] if ln.kind is Kind.CONTENT), None)
    if (
        _short(first.text)
        and len(first.text.split()) <= 2
        and lines[i - 1].kind is not Kind.CONTENT
        and nxt is not None
        and not _sentence(nxt.text)
        and len(nxt.text.split()) >= 4
    ):
        first.kind = Kind.CHROME


_AD_WORDS = frozenset({"ad", "ads", "advertisement", "реклама", "жарнама", "sponsored"})


def _drop_ad_slots(content: list[Line]) -> None:
    """ "Ad Feedback", "Реклама 16+" between paragraphs: a short line with an ad word, once the
    copy has begun (over the headline such a line may be a short headline)."""
    started = False
    for ln in content:
        if started and _short(ln.text) and len(ln.text.split()) <= 3:
            words = {w.strip(":.,·|").casefold() for w in ln.text.split()}
            if words & _AD_WORDS:
                ln.kind = Kind.CHROME
        started = started or _sentence(ln.text)


def _drop_dated_links(lines: list[Line]) -> None:
    """ "Цены на бензин заморозят до конца зимы / 5 декабря, 18:02" inside the copy: a headline
    over its date is a link to another item, once the copy has begun."""
    started = False
    for i, ln in enumerate(lines[:-1]):
        if ln.kind is not Kind.CONTENT:
            continue
        nxt = lines[i + 1]
        if (
            started
            and nxt.kind is Kind.DATE
            and nxt.block == ln.block
            and not _sentence(ln.text)
            and not _name_line(ln.text)  # "Jane Roe / 5 Dec 2026": the byline over our stamp
        ):
            ln.kind = nxt.kind = Kind.CHROME  # the item's date is no meta line of ours
        started = started or _sentence(ln.text)


def _name_line(text: str) -> bool:
    """Two or three capitalised words and nothing else: a person's name."""
    words = text.split()
    return 2 <= len(words) <= 3 and all(w[:1].isupper() and w.isalpha() for w in words)


def _chrome_between(lines: list[Line], first: Line, second: Line) -> bool:
    """A line that is neither copy nor meta (dropped chrome) stands between two lines."""
    start, end = next(i for i, ln in enumerate(lines) if ln is first), len(lines)
    end = next(i for i in range(start, end) if lines[i] is second)
    return any(ln.kind in (Kind.CHROME, Kind.READ_MORE) for ln in lines[start + 1 : end])


def _drop_site_header(lines: list[Line]) -> None:
    """ "The Straits Times / Asia / East Asia / <headline>", "POLITICO / Newsletters /
    Podcasts / ...": a short line over the site's navigation is the site's header, when a
    headline (not a sentence) comes after the navigation. The navigation is rubric chrome, with
    at most one- or two-word section names among it ("News / Kyrgyzstan")."""
    idx = [i for i, ln in enumerate(lines) if ln.kind is Kind.CONTENT]
    if len(idx) < 3:
        return
    first = lines[idx[0]]
    pos, sections, rubrics = idx[0] + 1, [], 0
    while pos < len(lines):
        ln = lines[pos]
        if (
            ln.kind is Kind.CHROME
            and is_rubric(ln.text)
            and not is_share(ln.text)
            and not is_summary_label(ln.text)  # "Key points:" heads a list, not navigation
        ):
            rubrics += 1
        elif ln.kind is Kind.CONTENT and len(ln.text.split()) <= 2 and _short(ln.text):
            sections.append(ln)
        else:
            break
        pos += 1
    heading = lines[pos].text if pos < len(lines) and lines[pos].kind is Kind.CONTENT else ""
    if (
        rubrics
        and len(first.text) <= 60
        and len(first.text.split()) <= 6
        and not _sentence(first.text)
        and not _sentence(heading)
        and len(heading.split()) >= 4
    ):
        for ln in (first, *sections):
            ln.kind = Kind.CHROME


def _drop_after_copyright(lines: list[Line]) -> None:
    """ "© 2005–2026 ООО «НТВ.Ру»" over "Телефон: +7 …": under the page's copyright line only the
    footer is left (the line is a masthead only once the copy has ended)."""
    # From the end up: the copyright line, with no paragraph of prose under it ("© Reuters"
    # over a photo, "© 2022 Acme" mid-copy: the copy goes on).
    for at in range(len(lines) - 1, -1, -1):
        ln = lines[at]
        if _prose(ln):
            return
        if ln.kind is Kind.MASTHEAD and _COPYRIGHT_RE.match(ln.text):
            break
    else:
        return
    if not any(_prose(ln) for ln in lines[:at]):
        return  # no copy of prose at all: nothing tells the foot from the copy
    for ln in lines[at + 1 :]:
        if ln.kind is Kind.CONTENT and len(ln.text) <= _FOOTER_LINE_MAX:
            ln.kind = Kind.CHROME


def _prose(ln: Line) -> bool:
    return ln.kind is Kind.CONTENT and len(ln.text) >= 80 and _sentence(ln.text)


_COPYRIGHT_RE = re.compile(r"^(?:©|\(c\)|copyright\b)", re.IGNORECASE)
_FOOTER_LINE_MAX = 200


# "PTI ABC NKD RT": the agency's and its desk editors' codes closing a wire story, short
# capitalised tokens only.
_DESK_CODES_RE = re.compile(r"^[A-Z]{2,4}(?:\s+[A-Z]{2,4}){1,7}$")


def _drop_desk_codes(lines: list[Line]) -> None:
    """Desk codes after the last sentence of copy."""
    codes = []
    for ln in reversed(lines):
        if ln.kind is not Kind.CONTENT:
            continue
        if _DESK_CODES_RE.match(ln.text):
            codes.append(ln)
        elif len(ln.text) >= 120 or _SENTENCE_END_RE.search(ln.text[-12:]):
            for code in codes:  # the copy's last sentence (a long line is prose anyway)
                code.kind = Kind.CHROME
            return


def drop_structural_chrome(lines: list[Line]) -> None:
    """Mark as chrome the content lines that only chrome's shape and place explain."""
    _drop_site_header(lines)
    _drop_header_badges(lines)
    _drop_desk_codes(lines)
    content = [ln for ln in lines if ln.kind is Kind.CONTENT]
    if len(content) < 3:
        return
    # Short lines repeated in the paste: menus and widgets printed twice.
    counts = Counter(fold(ln.text) for ln in content if _short(ln.text))
    for ln in content:
        if _short(ln.text) and counts[fold(ln.text)] > 1:
            ln.kind = Kind.CHROME
    # (After the repeats: a footer line may repeat a kicker over the headline.)
    _drop_after_copyright(lines)
    content = [ln for ln in lines if ln.kind is Kind.CONTENT]
    _drop_header_bylines(content)
    content = [ln for ln in lines if ln.kind is Kind.CONTENT]
    # The head: two or more short lines before the first longer one are navigation.
    head = 0
    while head < len(content) and _short(content[head].text):
        head += 1
    if head >= 2 and head < len(content):
        # The last short line over the first paragraph is the headline ("Басты жаңалықтар /
        # Шымкентте жаңа мектеп ашылды / <copy>"), unless a headline-like line follows.
        keep_last = _sentence(content[head].text)
        for ln in content[: head - 1 if keep_last else head]:
            ln.kind = Kind.CHROME
    _drop_nav_tail(lines)
    _drop_ad_slots(content)
    _drop_dated_links(lines)
    # The tail: after the last sentence, lines without sentence punctuation are links, tags and
    # widgets (a real paragraph ends with its punctuation). A long line with none reads as prose,
    # unless chrome already stands between it and the last punctuated paragraph (a paywall's
    # pitch under "This article is part of X Pro").
    last = max(
        (i for i, ln in enumerate(content) if _sentence(ln.text) and not _label(ln.text)),
        default=-1,
    )
    if last >= 1 and _SENTENCE_END_RE.search(content[last].text) is None:
        ended = max(
            (i for i, ln in enumerate(content) if _SENTENCE_END_RE.search(ln.text)), default=-1
        )
        if ended >= 1 and _chrome_between(lines, content[ended], content[last]):
            last = ended
    # A sentence ending with a colon announces a list: what follows it is copy.
    if last >= 1 and not content[last].text.rstrip().endswith(":"):
        tail = content[last + 1 :]
        if all(len(ln.text) <= 200 for ln in tail):
            for ln in tail:
                # "Media contact: ..." is labelled copy; "15:45 Курс тенге: ..." a news feed item.
                if ": " not in ln.text or _CLOCK_START_RE.match(ln.text):
                    ln.kind = Kind.CHROME
