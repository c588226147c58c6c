"""Parsing article copy that an editor pasted from a news site or a wire (Russian and English).

``parse_article`` turns the paste into an :class:`~bot.domain.ArticleContent` draft: title, lead,
body paragraphs, photo credit, publication time, source attribution and tags, with the site chrome
(rubrics, share and subscribe lines, counters, "read more" links, cookie notices...) dropped.

It is a pure function of the text, the editor's time zone and ``now`` (only used for dates
written without a year or relative to today). The heuristics are line based:

* every non-blank line is classified first (chrome, credit, date, tags, source line, content);
* the title is the first content line that reads like a headline (short, no final period),
  a single-word kicker above it being a rubric; without one the title is derived from the first
  sentence and the body keeps everything;
* the lead is the short line right after the title when a credit/date line separates it from the
  body, or when it has no final period (a subtitle);
* body paragraphs are the remaining content, unchanged. Blank lines separate paragraphs; lines of
  one blank-separated block are kept together (joined by a newline, or by a space when a line
  plainly breaks mid-sentence). A paste without any blank line has one paragraph per line.

HTML-looking text is kept literally: escaping belongs to the composer.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from bot.domain import ArticleContent
from bot.ingest.dates import find_datetime, search_datetime
from bot.strings import shorten_line as shorten

__all__ = [
    "derive_title",
    "detect_language",
    "normalize_text",
    "parse_article",
    "shorten",
]

TITLE_MAX = 200  # a longer line without a final period is a paragraph, not a headline
DERIVED_TITLE_MAX = 120
LEAD_MAX = 400
SUBTITLE_MAX = 250
CHROME_LINE_MAX = 200  # chrome patterns only apply to short lines: real prose is never dropped

# --- normalisation ---------------------------------------------------------------------------

# Invisible characters that come along with copy from web pages and break matching: zero-width
# space, word joiner, BOM, soft hyphen, bidi marks and embeddings. ZWJ/ZWNJ are kept: emoji
# sequences and some scripts need them.
_INVISIBLE_RE = re.compile(
    "[\u200b\u2060\ufeff\u00ad\u180e\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
# Everything str.splitlines() treats as a line break becomes "\n"; U+2029 separates paragraphs.
_LINE_BREAK_RE = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028]")


def normalize_text(text: str) -> str:
    """Unify line breaks and drop invisible characters; visible text is left as it is."""
    text = _INVISIBLE_RE.sub("", text)
    text = _LINE_BREAK_RE.sub("\n", text)
    return text.replace("\u2029", "\n\n")


def _fold(text: str) -> str:
    """Comparison key: case and spacing insensitive, trailing period ignored."""
    return " ".join(text.casefold().split()).rstrip(".")


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


# --- language --------------------------------------------------------------------------------

# Runs, not single characters: summing run lengths allocates one string per word, not per letter.
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]+")
_LATIN_RE = re.compile("[A-Za-z\u00c0-\u024f]+")
# Letters of Kazakh, Ukrainian, Belarusian... that Russian does not use: a text full of them is
# not Russian, even if it is Cyrillic.
_NON_RUSSIAN_CYRILLIC_RE = re.compile("[әғқңөұүһіїєґўӘҒҚҢӨҰҮҺІЇЄҐЎ]+")
_EN_WORD_RE = re.compile(
    r"\b(?:the|and|of|to|in|is|was|for|on|that|with|said|by|from|at|it|as|are)\b", re.IGNORECASE
)
_WORD_RE = re.compile(r"\w+")


def _letters(rx: re.Pattern[str], text: str) -> int:
    return sum(map(len, rx.findall(text)))


def detect_language(text: str) -> str:
    """``"ru"``, ``"en"`` or ``""`` by script and, for Latin text, English function words."""
    sample = text[:6000]  # enough to decide; keeps a huge paste cheap
    cyr = _letters(_CYRILLIC_RE, sample)
    lat = _letters(_LATIN_RE, sample)
    if cyr + lat < 3:
        return ""
    if cyr >= lat:
        if _letters(_NON_RUSSIAN_CYRILLIC_RE, sample) * 50 > cyr:
            return ""
        return "ru"
    words = len(_WORD_RE.findall(sample))
    if words < 12:
        return "en"  # a headline alone has too few words to judge; Latin script means English here
    return "en" if len(_EN_WORD_RE.findall(sample)) * 20 >= words else ""


# --- line classification ---------------------------------------------------------------------


class _Kind(Enum):
    CONTENT = "content"
    CHROME = "chrome"
    READ_MORE = "read_more"  # chrome that also swallows the headline lines under it
    CREDIT = "credit"
    DATE = "date"
    TAGS = "tags"
    SOURCE = "source"


@dataclass(slots=True)
class _Line:
    text: str
    block: int  # index of the blank-line-separated block the line belongs to
    kind: _Kind = _Kind.CONTENT


@dataclass(slots=True)
class _Meta:
    """What the non-content lines told us."""

    credit: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    tags: list[str] = field(default_factory=list)
    source_name: str = ""
    source_url: str = ""
    original_source: str = ""


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_SOCIAL_WORDS = _word_set(
    """telegram telegram-канал телеграм телеграм-канал vk вконтакте вк whatsapp facebook fb
    twitter x ok одноклассники ок viber linkedin email e-mail почта instagram youtube дзен
    яндекс.дзен tiktok reddit pinterest threads mastodon bluesky мой мир copy link скопировать
    копировать ссылку ссылка print печать messenger max rutube"""
)
_SOCIAL_SPLIT_RE = re.compile(r"[\s,|•·/]+")

# Whole-line rubric, navigation and widget labels (compared case-insensitively, without the
# trailing colon). Only exact lines: "Политика" alone is a rubric, a sentence on politics is not.
_RUBRICS = frozenset(
    s.strip().casefold()
    for s in """
    лента новостей|новости|последние новости|главное|главная|главная страница|политика|экономика|
    общество|бизнес|финансы|происшествия|криминал|в мире|мир|спорт|культура|наука|технологии|
    наука и технологии|регионы|здоровье|авто|интервью|мнения|мнение|аналитика|статьи|видео|фото|
    фотогалерея|новости компаний|пресс-релиз|пресс-релизы|эксклюзив|срочно|молния|важно|
    комментарии|оставить комментарий|комментировать|версия для печати|все новости|показать еще|
    показать ещё|загрузить еще|загрузить ещё|наверх|меню|поиск|войти|реклама|на правах рекламы|
    партнерский материал|партнёрский материал|спонсорский материал|новости партнеров|
    новости партнёров|подписаться|поделиться|loading|загрузка|
    news|latest news|latest|top stories|top news|world|business|politics|markets|technology|tech|
    sports|sport|science|health|opinion|analysis|europe|asia|americas|africa|middle east|home|
    breaking news|breaking|press release|exclusive|live|video|photos|comments|advertisement|
    advertising|ad|sponsored|sponsored content|promoted|menu|search|sign in|log in|subscribe|
    share|save|print|back to top|load more|show more|more news|listen|listen to this article|
    слушать|слушать новость|сохранить
    """.replace("\n", "").split("|")
    if s.strip()
)
_BREADCRUMB_SPLIT_RE = re.compile(r"\s+(?:/|>|»|›|→|\\|\||::)\s+")
_BREADCRUMB_ROOTS = frozenset({"главная", "главная страница", "home", "новости", "news"})

_SHARE_RE = re.compile(
    r"^(?:поделит(?:есь|ься|е)|поделись|share(?:\s+(?:this|on|via|article|story|the\s+story))*)\b",
    re.IGNORECASE,
)
_SUBSCRIBE_RE = re.compile(
    r"^(?:подпи(?:шитесь|шись|сывайтесь|сывайся|саться|сться)|subscribe|follow\s+us|"
    r"следите\s+за|читайте\s+нас|присоединяйтесь|join\s+(?:us|our)|sign\s+up|"
    r"больше\s+новостей|еще\s+больше|ещё\s+больше|все\s+новости|узнавайте)\b",
    re.IGNORECASE,
)
_OUR_CHANNEL_RE = re.compile(
    r"\b(?:наш\w*|our)\b.{0,40}?\b(?:telegram|телеграм|vk|вконтакте|whatsapp|viber|youtube|"
    r"дзен|instagram|facebook|twitter|tiktok)",
    re.IGNORECASE,
)
_READ_MORE_RE = re.compile(
    r"^(?:читайте\s+также|читать\s+также|также\s+читайте|смотрите\s+также|см\.\s+также|"
    r"ещ[её]\s+по\s+теме|по\s+теме|новости\s+по\s+теме|материалы\s+по\s+теме|"
    r"похожие\s+(?:новости|материалы|статьи|публикации)|читайте\s+(?:ещ[её]|далее)|"
    r"читать\s+(?:далее|полностью)|подробнее|read\s+(?:more|also|next)|see\s+also|"
    r"also\s+read|related(?:\s+(?:articles?|stories|news|coverage|content|topics))?|"
    r"more\s+(?:from|on|stories|news)|recommended(?:\s+for\s+you)?|you\s+may\s+also\s+like|"
    r"most\s+read|популярное|самое\s+читаемое)\b",
    re.IGNORECASE,
)
# After one of these labels a line is chrome whatever follows: "Читайте также: <headline>".
_READ_MORE_ANY_RE = re.compile(
    r"^(?:читайте\s+также|читать\s+также|смотрите\s+также|read\s+(?:more|also)|see\s+also)\b",
    re.IGNORECASE,
)
_LABEL_END_RE = re.compile(r"\s*(?:[:：—–\-»>]+\s*)?$")
_AD_RE = re.compile(
    r"^(?:реклама\s*[.:]|erid\s*[:：]|advertisement\s*[.:]|sponsored\s+by\b)", re.IGNORECASE
)
_ERID_RE = re.compile(r"(?:^|\s)erid\s*[:：]", re.IGNORECASE)  # Russian ad marking token
_COOKIE_CONTEXT_RE = re.compile(
    r"использ|use[sd]?\b|using|принять|accept|соглас|consent|политик|policy|privacy",
    re.IGNORECASE,
)
_COUNTER_RE = re.compile(
    r"^\W*[0-9][0-9\s.,]*(?:[kKкКMм]|тыс\.?|млн\.?)?\s*"
    r"(?:просмотр\w*|views?|прочтени\w*|прочитал\w*|комментари\w*|comments?|shares?|"
    r"репост\w*|likes?|лайк\w*|reads?)?\W*$",
)
_LABELLED_COUNTER_RE = re.compile(
    r"^\W*(?:просмотр\w*|views?|комментари\w*|comments?|прочтени\w*)\s*[:：]?\s*"
    r"[0-9][0-9\s.,]*[kKкК]?\W*$",
    re.IGNORECASE,
)
_ERROR_REPORT_RE = re.compile(
    r"^(?:our\s+standards\s*:|(?:если\s+вы\s+)?нашли\s+(?:ошибку|опечатку)|"
    r"выделите\s+(?:ее|её|текст))",
    re.IGNORECASE,
)
_CTRL_ENTER_RE = re.compile(r"ctrl\s*\+\s*enter", re.IGNORECASE)
_COPYRIGHT_FOOTER_RE = re.compile(
    r"все\s+права\s+защищены|all\s+rights\s+reserved|при\s+(?:полном\s+или\s+частичном\s+)?"
    r"(?:использовании|копировании|цитировании)|(?:19|20)[0-9]{2}\s*[-–—]\s*(?:19|20)[0-9]{2}",
    re.IGNORECASE,
)
_BYLINE_RE = re.compile(
    r"^(?:автор(?:\s+материала)?|текст|редактор|корреспондент|author|written\s+by|editor|"
    r"reporting\s+by|editing\s+by)\s*[:：—–-]?\s+\S",
    re.IGNORECASE,
)
_BY_NAME_RE = re.compile(r"^By\s+(?P<names>.+)$")
_NAME_WORD_RE = re.compile(r"^(?:[A-ZА-ЯЁ][\w.'’-]*|and|&|и)$")

_TAGS_LINE_RE = re.compile(
    r"^(?:теги|тэги|метки|темы|ключевые\s+слова|tags|topics|keywords)\s*[:：]\s*(?P<tags>.+)$",
    re.IGNORECASE,
)
_HASHTAG_LINE_RE = re.compile(r"^(?:#\w[\w-]*[\s,;.]*)+$")
_HASHTAG_RE = re.compile(r"#(\w[\w-]*)")
_TAG_SPLIT_RE = re.compile(r"\s*[,;#|]\s*|\s{2,}")

_SOURCE_LINE_RE = re.compile(
    r"^(?:источник|первоисточник|source|original\s+source)\s*[:：]\s*(?P<src>.+)$",
    re.IGNORECASE,
)
_PR_SOURCE_RE = re.compile(r"^SOURCE\s+(?P<src>\S.{0,100})$")  # PR Newswire's closing line
_URL_RE = re.compile(r"^(?:https?://)?(?:www\.)?(?P<host>[\w-]+(?:\.[\w-]+)+)(?:[/?#]\S*)?$")

_CREDIT_LABEL_RE = re.compile(
    r"^\(?\s*(?:фото(?:графия|графии)?|фотограф|photo(?:graph)?s?(?:\s+credit)?|"
    r"image(?:\s+credit)?|picture|иллюстрация|illustration|кадр|скриншот|screenshot|коллаж|"
    r"collage|источник\s+фото|фото\s+и\s+видео|credit)\s*(?:[:：—–]|-\s|©)\s*(?P<credit>.+)$",
    re.IGNORECASE,
)
_CREDIT_PHRASE_RE = re.compile(
    r"^\(?\s*(?:фото\s+(?P<ru>(?:пресс-служб\w+|из\s|с\s|со\s|предоставлен\w*|автора|"
    r"[A-ZА-ЯЁ«\"©]).+)|photo\s+(?:by|courtesy(?:\s+of)?)\s+(?P<en>.+)|"
    r"courtesy\s+(?:of\s+)?(?P<courtesy>.+)|(?:©|\(c\))\s*(?P<copy>.+))$",
    re.IGNORECASE,
)
_PRESS_SERVICE_RE = re.compile(r"^пресс-служб\w*", re.IGNORECASE)
_CREDIT_TRIM = " \t,;|·•—–-()©"

_DATE_HINT_RE = re.compile(
    r"[0-9]|сегодня|вчера|позавчера|today|yesterday", re.IGNORECASE
)  # fmt: skip
_DATE_LABEL_RE = re.compile(
    r"\b(?:опубликовано|опубликован[ао]?|обновлено|обновлен[ао]?|изменено|дата\s+публикации|"
    r"дата|published|updated|last\s+updated|posted|modified|on|at|в|от)\b|"
    r"\b(?:просмотр\w*|views?)\b|[0-9]+",
    re.IGNORECASE,
)
_UPDATED_RE = re.compile(r"обновл|изменен|updated|modified", re.IGNORECASE)
_DATE_SEPARATOR_RE = re.compile(r"[,|·•—–/]")
_SENTENCE_END = (".", "!", "?", "…", ";")


def _is_social_line(line: str) -> bool:
    if len(line) > 150:
        return False
    tokens = [t for t in _SOCIAL_SPLIT_RE.split(line.casefold()) if t]
    return bool(tokens) and len(tokens) <= 12 and all(t in _SOCIAL_WORDS for t in tokens)


def _is_rubric(line: str) -> bool:
    key = line.strip(" :：.»>|").casefold()
    if key in _RUBRICS:
        return True
    if len(line) > 150:
        return False
    parts = _BREADCRUMB_SPLIT_RE.split(line)
    if len(parts) < 2 or line.endswith(_SENTENCE_END):
        return False
    if len(parts) == 2 and parts[0].strip().casefold() not in _BREADCRUMB_ROOTS:
        return False  # "Казахстан / Россия: переговоры" is a headline, not a trail
    return all(0 < len(p) <= 30 and len(p.split()) <= 4 for p in parts)


def _is_byline(line: str) -> bool:
    if len(line) > 80 or line.endswith(_SENTENCE_END):
        return False
    if _BYLINE_RE.match(line):
        return True
    m = _BY_NAME_RE.match(line)
    if m is None:
        return False
    words = m["names"].replace(",", " ").split()
    return 0 < len(words) <= 8 and all(_NAME_WORD_RE.match(w) for w in words)


def _is_chrome(line: str) -> bool:
    """Site chrome that carries nothing for the draft."""
    if len(line) > CHROME_LINE_MAX:
        # Long lines are prose, except consent banners which run long.
        return len(line) <= 600 and _is_cookie_notice(line)
    # Substring tests on the folded line gate the unanchored searches: most lines are prose
    # and should cost a few ``in`` checks, not a dozen regex scans.
    low = line.casefold()
    if _is_rubric(line) or _is_social_line(line):
        return True
    if _SHARE_RE.match(line) and len(line) <= 80 and not line.endswith(_SENTENCE_END):
        return True
    if _SUBSCRIBE_RE.match(line) or (
        ("наш" in low or "our" in low) and _OUR_CHANNEL_RE.search(line)
    ):
        return True
    if _AD_RE.match(line) or ("erid" in low and _ERID_RE.search(line)):
        return True
    if _ERROR_REPORT_RE.match(line) or ("ctrl" in low and _CTRL_ENTER_RE.search(line)):
        return True
    if _COUNTER_RE.match(line) or _LABELLED_COUNTER_RE.match(line):
        return True
    if _is_cookie_notice(line) or _is_byline(line):
        return True
    return ("©" in line or "(c)" in low) and bool(_COPYRIGHT_FOOTER_RE.search(line))


def _is_cookie_notice(line: str) -> bool:
    low = line.casefold()
    return ("cookie" in low or "куки" in low) and bool(_COOKIE_CONTEXT_RE.search(line))


def _read_more_kind(line: str) -> _Kind | None:
    if len(line) > CHROME_LINE_MAX:
        return None
    m = _READ_MORE_RE.match(line)
    if m is None:
        return None
    rest = line[m.end() :]
    if _LABEL_END_RE.fullmatch(rest):
        return _Kind.READ_MORE  # a bare label: the headlines under it are links too
    if _READ_MORE_ANY_RE.match(line) or rest.lstrip().startswith((":", "：", "—", "–", "»", ">")):
        return _Kind.CHROME
    return None


def _clean_credit(
    raw: str, tz: zoneinfo.ZoneInfo, now: datetime | None
) -> tuple[str, datetime | None]:
    """Credit text without the date/counter that sites print on the same line."""
    credit = raw.strip()
    when: datetime | None = None
    m = search_datetime(credit, tz=tz, now=now)
    if m is not None and m.start > 0:
        when = m.value
        credit = credit[: m.start]
    credit = credit.strip(_CREDIT_TRIM)
    if credit.endswith(")") and "(" not in credit:
        credit = credit[:-1]
    # Genitive after "Фото": "Фото пресс-службы МВД" credits "пресс-служба МВД".
    credit = _PRESS_SERVICE_RE.sub("пресс-служба", credit, count=1)
    return credit.strip(_CREDIT_TRIM), when


def _credit_of(
    line: str, tz: zoneinfo.ZoneInfo, now: datetime | None
) -> tuple[str, datetime | None] | None:
    if len(line) > CHROME_LINE_MAX or line.endswith(("!", "?")):
        return None
    m = _CREDIT_LABEL_RE.match(line)
    if m is not None:
        return _clean_credit(m["credit"], tz, now)
    m = _CREDIT_PHRASE_RE.match(line)
    if m is None:
        return None
    raw = m["ru"] or m["en"] or m["courtesy"] or m["copy"] or ""
    if m["copy"] and _COPYRIGHT_FOOTER_RE.search(line):
        return None
    return _clean_credit(raw, tz, now)


def _date_line(
    line: str, tz: zoneinfo.ZoneInfo, now: datetime | None
) -> tuple[bool, datetime | None]:
    """Whether the line is a dateline of the page (and its value, when it can be resolved)."""
    if len(line) > 120 or not _DATE_HINT_RE.search(line):
        return False, None
    m = search_datetime(line, tz=tz, now=now)
    if m is None:
        return False, None
    before, after = line[: m.start], line[m.end :]
    # "November 14, 2022 1:33 PM Updated 2 hours ago": further dates on the line are labels too.
    for _ in range(2):
        extra = search_datetime(after, tz=tz, now=now)
        if extra is None:
            break
        after = after[: extra.start] + " " + after[extra.end :]
    rest = _DATE_LABEL_RE.sub(" ", before + " " + after)
    if not _has_letter(rest):
        return True, m.value
    # "Иван Петров, 14 ноября 2022" or "Политика | 14.11.2022 13:33": a short label set off by a
    # separator, next to a full date. "Выборы 14 ноября" stays a headline.
    words = rest.split()
    full = any(ch.isdigit() for ch in line[m.start : m.end]) and (
        ":" in line[m.start : m.end] or len([c for c in line[m.start : m.end] if c.isdigit()]) >= 6
    )
    separated = bool(_DATE_SEPARATOR_RE.search(before[-3:] + after[:3]))
    if full and separated and len(words) <= 3 and len(" ".join(words)) <= 40:
        return True, m.value
    return False, None


def _split_tags(raw: str) -> list[str]:
    if "#" in raw:
        return _HASHTAG_RE.findall(raw)
    return [t.strip(" .") for t in _TAG_SPLIT_RE.split(raw) if t.strip(" .")]


def _source_from_line(raw: str, meta: _Meta) -> None:
    src = raw.strip().rstrip(".")
    url = _URL_RE.match(src)
    if url is not None and "." in src and " " not in src:
        meta.source_url = meta.source_url or (src if "://" in src else "https://" + src)
        meta.source_name = meta.source_name or url["host"]
    else:
        meta.source_name = meta.source_name or src


def _classify(
    lines: list[_Line], tz: zoneinfo.ZoneInfo, now: datetime | None
) -> tuple[list[_Line], _Meta]:
    meta = _Meta()
    # Headline lines still to drop under a bare "Читайте также:" label, and the block they are in:
    # the label's own block when links follow it directly, else the next one.
    swallow = 0
    swallow_block = -1
    for i, line in enumerate(lines):
        text = line.text
        if not any(ch.isalnum() for ch in text):
            line.kind = _Kind.CHROME  # separators, bullets, emoji rows
            continue
        tag_match = _TAGS_LINE_RE.match(text) if len(text) <= 500 else None
        if tag_match is not None or (len(text) <= 500 and _HASHTAG_LINE_RE.match(text)):
            line.kind = _Kind.TAGS
            raw = tag_match["tags"] if tag_match is not None else text
            meta.tags.extend(_split_tags(raw))
            continue
        if (
            swallow
            and line.block == swallow_block
            and len(text) <= TITLE_MAX
            and not text.endswith(_SENTENCE_END)
        ):
            line.kind = _Kind.CHROME
            swallow -= 1
            continue
        swallow = 0
        credit = _credit_of(text, tz, now)
        if credit is not None:
            line.kind = _Kind.CREDIT
            meta.credit = meta.credit or credit[0]
            if credit[1] is not None and meta.published is None:
                meta.published = credit[1]
            continue
        read_more = _read_more_kind(text)
        if read_more is not None:
            line.kind = read_more
            if read_more is _Kind.READ_MORE and i + 1 < len(lines):
                swallow, swallow_block = 3, lines[i + 1].block
            continue
        if _is_chrome(text):
            line.kind = _Kind.CHROME
            continue
        src = _SOURCE_LINE_RE.match(text) if len(text) <= CHROME_LINE_MAX else None
        pr_src = _PR_SOURCE_RE.match(text)
        if src is not None or pr_src is not None:
            line.kind = _Kind.SOURCE
            if src is not None:
                _source_from_line(src["src"], meta)
            elif pr_src is not None:
                meta.original_source = meta.original_source or pr_src["src"].strip()
            continue
        is_date, when = _date_line(text, tz, now)
        if is_date:
            line.kind = _Kind.DATE
            if when is not None:
                if _UPDATED_RE.search(text):
                    meta.updated = meta.updated or when
                else:
                    meta.published = meta.published or when
            continue
        line.kind = _Kind.CONTENT
    return lines, meta


# --- attribution -----------------------------------------------------------------------------

# Outlet or wire a story came through vs. the original source it cites. Russian verbs only count
# where attribution sits: after a comma or dash, or in "как сообщает"/"об этом пишет".
_RU_OUTLET_RE = re.compile(
    r"(?:^|[,—–(:]\s*|\b(?:как|об\s+этом|о\s+ч[её]м|это)\s+)"
    r"(?:передает|передаёт|передают|сообщает|сообщают|пишет|пишут|информирует)\s+",
    re.IGNORECASE,
)
_RU_CITING_RE = re.compile(
    r"\b(?:со\s+ссылкой\s+на|ссылаясь\s+на|по\s+данным|по\s+информации|по\s+сообщению|"
    r"согласно\s+(?:данным|информации|сообщению)|сообщили\s+в|сообщили\s+во|"
    r"рассказали\s+в|пояснили\s+в|уточнили\s+в)\s+",
    re.IGNORECASE,
)
_EN_CITING_RE = re.compile(r"\b(?:according\s+to|citing)\s+", re.IGNORECASE)
_EN_VIA_RE = re.compile(r"(?:^|[(\[,;—–]\s*|\s-\s)via\s+", re.IGNORECASE)
_EN_REPORTS_FWD_RE = re.compile(r",\s*(?:reports|reported|writes|wrote)\s+", re.IGNORECASE)
_EN_REPORTS_BACK_RE = re.compile(
    r"\s(?P<verb>reported|reports|wrote|writes|said\s+in\s+a\s+(?:statement|press\s+release|"
    r"news\s+release|report)|told\s+reporters|announced)(?=\s*(?:[.,;]|$|\son\s|\slate\s|"
    r"\searlier\s|\son\w*day))",
    re.IGNORECASE,
)
_EN_OUTLET_VERBS = frozenset({"reported", "reports", "wrote", "writes"})

_NAME_PREFIX_RE = re.compile(
    r"(?:(?:(?:информационное\s+)?агентств[оа]|информагентств[оа]|ИА|РИА|издани[ея]|"
    r"газет[аы]|журнал[а]?|портал[а]?|сайт[а]?|телеканал[а]?|радиостанци[яи]|"
    r"корреспондент[а]?|news\s+agency|agency|newspaper|outlet|broadcaster|website|"
    r"(?-i:the)|a)\s+)+",
    re.IGNORECASE,
)
_QUOTED_NAME_RE = re.compile(r"[«\"“„]([^«»\"“”„\n]{1,80})[»\"”“]")
_TOKEN_RE = re.compile(r"\S+")
_CONNECTORS = frozenset({"of", "the", "and", "for", "on", "de", "&", "и", "-", "–", "at"})
_ABBREVIATION_RE = re.compile(r"^(?:[A-ZА-ЯЁ]\.){2,}$")
_PRESS_SERVICE_TAIL_RE = re.compile(r"[^,.;:!?()\n]{1,80}")
_STOP_PUNCT = (",", ";", ":", "!", "?", ")", "»", '"', "”")
_KEEP_PREFIX_NAMES = frozenset({"новости"})  # "РИА Новости" is a name, not "ИА" + "Новости"
_MAX_NAME_TOKENS = 7


def _accept_token(token: str) -> bool:
    core = token.strip('«»"“”()')
    if not core:
        return False
    first = core[0]
    if first.isupper() or first.isdigit():
        return True
    # Domains written in lower case ("tengrinews.kz") are names too.
    return "." in core.strip(".") and any(ch.isalpha() for ch in core)


def _take_name(text: str, pos: int) -> str:
    """The outlet/organisation name written at ``pos`` ("ИА El.kz", "«Интерфакс»", "the UN")."""
    prefix = _NAME_PREFIX_RE.match(text, pos)
    start = prefix.end() if prefix else pos
    prefix_text = text[pos:start]
    head = text[start : start + 120]
    press = _PRESS_SERVICE_RE.match(head)
    if press is not None:
        tail = _PRESS_SERVICE_TAIL_RE.match(head, press.end())
        rest = tail.group().strip() if tail else ""
        return f"пресс-служба {rest}".strip() if rest else ""
    quoted = _QUOTED_NAME_RE.match(head)
    if quoted is not None:
        return quoted.group(1).strip()
    tokens = _TOKEN_RE.findall(head)
    name: list[str] = []
    for i, token in enumerate(tokens[:_MAX_NAME_TOKENS]):
        bare = token.rstrip('.,;:!?)»"”')
        if bare.casefold() in _CONNECTORS and name:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if token == bare and _accept_token(nxt):
                name.append(token)
                continue
            break
        if not bare or not _accept_token(bare):
            break
        if token.endswith(".") and _ABBREVIATION_RE.match(token):
            name.append(token)
            continue
        name.append(bare.strip('«»"“”('))
        if token != bare:
            break  # punctuation after the token ends the name
    result = " ".join(name).strip()
    if result.casefold() in _KEEP_PREFIX_NAMES and prefix_text.strip():
        result = f"{prefix_text.split()[-1]} {result}"
    return result if _has_letter(result) and len(result) <= 80 else ""


def _name_before(text: str, end: int) -> str:
    """The capitalised name right before ``end``: "the Kremlin said in a statement" -> Kremlin."""
    words = text[max(0, end - 100) : end].split()
    name: list[str] = []
    for word in reversed(words):
        bare = word.strip('«»"“”(),')
        if bare and (bare[0].isupper() or bare[0].isdigit()) and word == word.rstrip(",;:."):
            name.append(bare)
            continue
        if bare.casefold() in _CONNECTORS and name:
            name.append(bare)
            continue
        break
    while name and name[-1].casefold() in _CONNECTORS:
        name.pop()  # a leading "the"
    while name and name[0].casefold() in _CONNECTORS:
        name.pop(0)
    name.reverse()
    if name and name[0] in {"The", "A"} and len(name) > 1:
        name.pop(0)
    result = " ".join(name)
    return result if _has_letter(result) and len(result) <= 80 else ""


# Each attribution regex runs only on paragraphs containing one of its keywords: scanning every
# word boundary of every paragraph with case-insensitive alternations made long pastes slow.
_RU_OUTLET_KEYS = ("переда", "сообща", "пишет", "пишут", "информирует")
_FORWARD_PATTERNS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    (
        _RU_CITING_RE,
        "original",
        (
            "ссылк",
            "ссылая",
            "данны",
            "информаци",
            "сообщени",
            "сообщил",
            "рассказал",
            "пояснил",
            "уточнил",
        ),
    ),
    (_EN_CITING_RE, "original", ("according", "citing")),
    (_EN_VIA_RE, "outlet", ("via",)),
    (_EN_REPORTS_FWD_RE, "outlet", ("report", "wrote", "writes")),
)
_REPORTS_BACK_KEYS = ("report", "wrote", "writes", "said in a", "told", "announced")


def _attribution(paragraphs: list[str]) -> tuple[str, str]:
    """(outlet, original source) named in the copy; the earliest mention of each wins."""
    outlet = ""
    original = ""
    for para in paragraphs:
        if outlet and original:
            break
        low = para.casefold()
        found: list[tuple[int, str, str]] = []  # (position, field, name)
        if any(key in low for key in _RU_OUTLET_KEYS):
            for m in _RU_OUTLET_RE.finditer(para):
                name = _take_name(para, m.end())
                if name:
                    kind = "original" if name.startswith("пресс-служба") else "outlet"
                    found.append((m.start(), kind, name))
        for rx, kind, keys in _FORWARD_PATTERNS:
            if not any(key in low for key in keys):
                continue
            for m in rx.finditer(para):
                name = _take_name(para, m.end())
                if name:
                    found.append((m.start(), kind, name))
        if any(key in low for key in _REPORTS_BACK_KEYS):
            for m in _EN_REPORTS_BACK_RE.finditer(para):
                name = _name_before(para, m.start())
                if name:
                    verb = m["verb"].split()[0].casefold()
                    kind = "outlet" if verb in _EN_OUTLET_VERBS else "original"
                    found.append((m.start(), kind, name))
        for _, kind, name in sorted(found):
            if kind == "outlet" and not outlet:
                outlet = name
            elif kind == "original" and not original:
                original = name
    return outlet, original


# Wire datelines: "MOSCOW, Nov 14 (Reuters) - ", "NEW YORK, Nov. 14, 2022 /PRNewswire/ -- ",
# "МОСКВА, 14 ноя — РИА Новости. ", "МОСКВА, 14 ноября. /ТАСС/. ", "АСТАНА. КАЗИНФОРМ — ".
_EN_DATELINE_RE = re.compile(
    r"^[A-Z][A-Z.'’ -]{1,40}[A-Z.](?:,\s*(?P<when>[^()/\n]{1,40}?))?\s*"
    r"(?:\((?P<agency>[^()\n]{2,40})\)|/(?P<agency2>[^/\n]{2,40})/)\s*(?:--|[-–—])\s*"
)
_RU_DATELINE_RE = re.compile(
    r"^[А-ЯЁ][А-ЯЁ -]{1,40}[А-ЯЁ],\s*(?P<when>[0-9]{1,2}\s+[а-яё]{3,8}\.?(?:\s+[0-9]{4})?)\s*"
    r"(?:[-–—]\s*(?P<agency>[^.\n]{2,40}?)\.|\.\s*/(?P<agency2>[^/\n]{2,30})/\.?)\s*"
)
_RU_CAPS_DATELINE_RE = re.compile(
    r"^[А-ЯЁ]{3,}[А-ЯЁ -]{0,30}\.\s*(?P<agency>[А-ЯЁA-Z][А-ЯЁA-Z.-]{2,30})\s*[-–—]\s*"
)


def _dateline(para: str) -> tuple[int, str, str]:
    """(length of the dateline prefix, agency, date text) of a wire paragraph, or (0, "", "")."""
    for rx in (_EN_DATELINE_RE, _RU_DATELINE_RE, _RU_CAPS_DATELINE_RE):
        m = rx.match(para)
        if m is not None:
            groups = m.groupdict()
            agency = (groups.get("agency") or groups.get("agency2") or "").strip()
            return m.end(), agency, (groups.get("when") or "")
    return 0, "", ""


# --- title -----------------------------------------------------------------------------------

_SENTENCE_BREAK_RE = re.compile(r"(?<=[.!?…])[\"»”)]*\s+(?=[\"«“(\[A-ZА-ЯЁ0-9—–-])")
_MIN_SENTENCE = 20


def derive_title(paragraph: str, limit: int = DERIVED_TITLE_MAX) -> str:
    """A draft title from the first sentence of a paragraph (dateline and final period dropped)."""
    skip, _, _ = _dateline(paragraph)
    text = paragraph[skip:].strip() or paragraph.strip()
    sentence = text
    for m in _SENTENCE_BREAK_RE.finditer(text):
        if m.start() >= _MIN_SENTENCE:
            sentence = text[: m.start()]
            break
    sentence = sentence.strip()
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]
    return shorten(sentence, limit)


def _is_title_like(text: str) -> bool:
    if len(text) > TITLE_MAX or not _has_letter(text):
        return False
    bare = text.rstrip("»\"”)' ")
    return not bare.endswith((".", "…", ":", ";", ","))


def _starts_lowercase(text: str) -> bool:
    return bool(text) and text[0].isalpha() and text[0].islower()


def _is_wrap(prev: str, nxt: str) -> bool:
    """``nxt`` continues ``prev`` mid-sentence: a hard-wrapped paragraph."""
    return len(prev) >= 40 and not prev.endswith((*_SENTENCE_END, ":")) and _starts_lowercase(nxt)


# --- assembling ------------------------------------------------------------------------------


def _lines_of(text: str) -> tuple[list[_Line], bool]:
    lines: list[_Line] = []
    block = 0
    saw_blank = False
    pending_blank = False
    for raw in text.split("\n"):
        stripped = raw.strip()
        if not stripped:
            pending_blank = bool(lines)
            continue
        if pending_blank:  # only blanks *between* lines count: a final newline is no separator
            block += 1
            saw_blank = True
            pending_blank = False
        lines.append(_Line(stripped, block))
    return lines, saw_blank


def _paragraphs(items: list[_Line], blank_separated: bool) -> list[str]:
    """Merge consecutive content lines of one block into paragraphs."""
    out: list[str] = []
    prev: _Line | None = None
    for item in items:
        if item.kind is not _Kind.CONTENT:
            prev = None
            continue
        if blank_separated and prev is not None and prev.block == item.block and out:
            joiner = " " if _is_wrap(prev.text, item.text) else "\n"
            out[-1] = out[-1] + joiner + item.text
        else:
            out.append(item.text)
        prev = item
    return out


def _dedupe(values: list[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for v in values:
        key = v.casefold()
        if v and key not in seen:
            seen.add(key)
            out.append(v)
    return tuple(out)


def parse_article(
    text: str, *, tz: zoneinfo.ZoneInfo, now: datetime | None = None
) -> ArticleContent:
    """Parse pasted article copy into a draft. Empty or blank input gives ``ArticleContent()``."""
    norm = normalize_text(text)
    if not any(ch.isalnum() for ch in norm):
        return ArticleContent()
    lines, blank_separated = _lines_of(norm)
    lines, meta = _classify(lines, tz, now)

    content_idx = [i for i, ln in enumerate(lines) if ln.kind is _Kind.CONTENT]

    # Title: the first content line that reads like a headline, unless it continues into the next
    # line mid-sentence. A one-word line over a longer headline is a rubric ("Коррупция").
    title = ""
    if content_idx:
        first = lines[content_idx[0]]
        second = lines[content_idx[1]] if len(content_idx) > 1 else None
        if (
            second is not None
            and len(first.text.split()) == 1
            and len(first.text) <= 25
            and _is_title_like(second.text)
            and len(second.text.split()) >= 4
        ):
            first.kind = _Kind.CHROME
            content_idx.pop(0)
            first, second = second, (lines[content_idx[1]] if len(content_idx) > 1 else None)
        wraps = (
            second is not None
            and second.block == first.block
            and content_idx[1] == content_idx[0] + 1
            and _is_wrap(first.text, second.text)
        )
        if _is_title_like(first.text) and not wraps:
            title = first.text
            first.kind = _Kind.CHROME  # consumed
            content_idx.pop(0)

    # A repeat of the title further down (sites print it again under the lead) is chrome.
    if title:
        key = _fold(title)
        for i in content_idx:
            if _fold(lines[i].text) == key:
                lines[i].kind = _Kind.CHROME
        content_idx = [i for i in content_idx if lines[i].kind is _Kind.CONTENT]

    lead = ""
    if title and content_idx:
        cand_pos = content_idx[0]
        cand = lines[cand_pos].text
        next_pos = content_idx[1] if len(content_idx) > 1 else len(lines)
        between = lines[cand_pos + 1 : next_pos]
        meta_follows = any(ln.kind in (_Kind.CREDIT, _Kind.DATE) for ln in between)
        same_block_wrap = (
            next_pos < len(lines)
            and next_pos == cand_pos + 1
            and lines[next_pos].block == lines[cand_pos].block
            and _is_wrap(cand, lines[next_pos].text)
        )
        is_subtitle = (
            len(cand) <= SUBTITLE_MAX
            and _is_title_like(cand)
            and len(content_idx) > 1  # a subtitle has a body under it
        )
        if not same_block_wrap and len(cand) <= LEAD_MAX and (meta_follows or is_subtitle):
            lead = cand
            lines[cand_pos].kind = _Kind.CHROME  # consumed
            content_idx.pop(0)

    body = _paragraphs(lines, blank_separated)

    # Wire dateline of the first paragraph: agency and (often yearless) date.
    first_para = lead or (body[0] if body else "")
    _, agency, when = _dateline(first_para)
    outlet, original = _attribution(([lead] if lead else []) + body)
    source_name = agency or meta.source_name or outlet
    published = meta.published or meta.updated
    if published is None and when:
        published = find_datetime(when, tz=tz, now=now)

    if not title:
        for para in body:
            if _has_letter(para):
                title = derive_title(para)
                break
    if not title:
        # Everything looked like chrome: a draft still needs a title to show the editor.
        for ln in lines:
            if _has_letter(ln.text):
                title = shorten(ln.text, DERIVED_TITLE_MAX)
                break

    language = detect_language("\n".join([title, lead, *body]))
    return ArticleContent(
        title=title,
        lead=lead,
        body=tuple(body),
        photo_credit=meta.credit,
        source_name=source_name,
        source_url=meta.source_url,
        original_source=meta.original_source or original,
        published_at=published,
        tags=_dedupe(meta.tags),
        language=language,
    )
