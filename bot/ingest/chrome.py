"""Telling site chrome from copy, one line at a time, by the lexicon's phrases.

Only short lines are ever chrome by phrase (``CHROME_LINE_MAX``): real prose is never dropped for
containing a word. :mod:`bot.ingest.structure` adds the judgement by shape and position.
"""

from __future__ import annotations

import functools
import re

from bot.ingest.lexicon import lexicon

__all__ = [
    "CHROME_LINE_MAX",
    "SENTENCE_END",
    "is_byline",
    "is_chrome",
    "is_cookie_notice",
    "is_marker",
    "is_rubric",
    "is_share",
    "is_summary_label",
    "read_more_kind",
]

CHROME_LINE_MAX = 200
SENTENCE_END = (".", "!", "?", "…", ";")

_SOCIAL_SPLIT_RE = re.compile(r"[\s,|•·/]+")
_BREADCRUMB_SPLIT_RE = re.compile(r"\s+(?:/|>|»|›|→|\\|::)\s+|\s*\|\s*")
_BREADCRUMB_ROOTS = frozenset({"главная", "главная страница", "home", "новости", "news", "басты"})
_LABEL_END_RE = re.compile(r"\s*(?:[:：—–\-»>]+\s*)?$")
_ERID_RE = re.compile(r"(?:^|\s)erid\s*[:：]", re.IGNORECASE)  # Russian ad marking token
_COOKIE_CONTEXT_RE = re.compile(
    r"использ|use[sd]?\b|using|принять|accept|соглас|consent|политик|policy|privacy",
    re.IGNORECASE,
)
_COPYRIGHT_FOOTER_RE = re.compile(
    r"все\s+права\s+защищены|all\s+rights\s+reserved|барлық\s+құқықтар|при\s+(?:полном\s+или\s+"
    r"частичном\s+)?(?:использовании|копировании|цитировании)|"
    r"(?:19|20)[0-9]{2}\s*[-–—]\s*(?:19|20)[0-9]{2}",
    re.IGNORECASE,
)
_BY_NAME_RE = re.compile(r"^(?:By|BY|Автор|Авторы)\s+(?P<names>.+)$")
_NAME_WORD_RE = re.compile(r"^(?:[A-ZА-ЯЁ][\w.'’-]*|and|with|&|и|in|в)$")
_NO_LETTER_MAX = 30
# A rating widget: a row of stars ("★★★★☆ 4.2 (15 votes)").
_RATING_RE = re.compile(r"[★☆⭐✩✪]{2,}")
_NUMBER = r"[0-9][0-9\s.,]*(?:[kKкКMм]|тыс\.?|млн\.?)?"


@functools.cache
def _counter_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    words = lexicon().counter_words
    bare = re.compile(rf"^\W*{_NUMBER}\s*(?:(?:{words})\w*)?\W*$", re.IGNORECASE)
    labelled = re.compile(rf"^\W*(?:{words})\w*\s*[:：]?\s*{_NUMBER}\W*$", re.IGNORECASE)
    return bare, labelled


def _is_social_line(line: str) -> bool:
    if len(line) > 150:
        return False
    words = lexicon().social_words
    tokens = [t for t in _SOCIAL_SPLIT_RE.split(line.casefold()) if t]
    return bool(tokens) and len(tokens) <= 12 and all(t in words for t in tokens)


def is_rubric(line: str) -> bool:
    key = line.strip(" :：.»>|").casefold()
    if key in lexicon().whole_lines:
        return True
    if len(line) > 150:
        return False
    parts = _BREADCRUMB_SPLIT_RE.split(line)
    if len(parts) < 2 or line.endswith(SENTENCE_END):
        return False
    if len(parts) == 2 and parts[0].strip().casefold() not in _BREADCRUMB_ROOTS:
        return False  # "Казахстан / Россия: переговоры" is a headline, not a trail
    return all(0 < len(p) <= 30 and len(p.split()) <= 4 for p in parts)


@functools.cache
def _summary_labels() -> frozenset[str]:
    return frozenset(w.casefold() for w in lexicon().raw["chrome"]["summary_labels"])


def is_summary_label(line: str) -> bool:
    """ "Key points:", "Кратко": the label of the page's summary list under the headline."""
    return line.strip(" :：.").casefold() in _summary_labels()


def is_share(line: str) -> bool:
    """A share button or a row of social networks."""
    return bool(lexicon().share_re.match(line)) or _is_social_line(line)


def is_byline(line: str) -> bool:
    if len(line) > 80 or line.endswith(SENTENCE_END):
        return False
    if lexicon().byline_re.match(line) and not line.casefold().startswith("by "):
        return True
    m = _BY_NAME_RE.match(line)
    if m is None:
        return False
    words = m["names"].replace(",", " ").replace(";", " ").split()
    return 0 < len(words) <= 8 and all(_NAME_WORD_RE.match(w) for w in words)


def is_marker(line: str) -> bool:
    """Updated/Published stamps, reading times, audio players, contributor lines."""
    if len(line) > CHROME_LINE_MAX:
        return False
    line = line.lstrip("•·●▪◦ ")  # "•Updated 15:02"
    lex = lexicon()
    key = line.strip(" :：.»>|▶►").casefold()
    if key in lex.listen or lex.reading_time_re.match(line.strip()):
        return True
    if len(line) <= 80 and any(key.startswith(w + " ") for w in lex.listen if " " in w):
        return True  # "Listen to this article · 5:12 min Learn more"
    if lex.updated_re.match(line) and len(line) <= 80 and not line.endswith(("!", "?")):
        return True
    return len(line) <= 160 and bool(lex.contributors_re.search(line)) and not line.endswith("?")


def is_cookie_notice(line: str) -> bool:
    low = line.casefold()
    return ("cookie" in low or "куки" in low) and bool(_COOKIE_CONTEXT_RE.search(line))


@functools.cache
def _link_re() -> re.Pattern[str]:
    return re.compile(
        rf"(?:https?://|www\.)\S+|[\w-]+(?:\.[\w-]+)*\.(?:{lexicon().tlds})/\S*", re.IGNORECASE
    )


# "jsi/rc (Reuters, dpa)": editors' initials and the wires, DW's sign-off.
# "Jeanna Smialek covers the Federal Reserve for The Times.": the author's note at the end.
_BIO_RE = re.compile(
    r"^[A-Z][a-z]+(?:\s[A-Z]\.)?\s[A-Z][\w'’-]+\s(?:covers|reports\s+on|writes\s+about|is\s+a\s+"
    r"(?:reporter|correspondent|writer|journalist|columnist|senior|staff))\b"
)
# A gallery's counter: "3 of 12", "Photo 2 of 8", "Фото 1 из 5".
_GALLERY_RE = re.compile(
    r"^(?:(?:photo|image|slide|фото|слайд|сурет)\s+)?[0-9]{1,3}\s*(?:of|из|/)\s*[0-9]{1,3}$",
    re.IGNORECASE,
)
_DURATION_RE = re.compile(r"^\W*[0-9]{1,2}:[0-5][0-9](?::[0-5][0-9])?\W*$")  # an audio player
_SIGN_OFF_RE = re.compile(r"^[a-z]{2,4}(?:/[a-z]{2,4})+(?:\s*\([^()]{2,60}\))?$")


# "Support public radio — donate to NPR today.": the imperative to give opens a clause (in
# prose "donate" follows its subject: "urged residents to donate blood").
_DONATE_RE = re.compile(
    r"(?:^|[—–]\s*|[.!]\s+)(?:please\s+)?(?:donate|give|contribute)\s+(?:to\s+[A-Z]|now\b|today\b)"
)
_CALL_TO_ACTION_RE = re.compile(
    r"^(?:watch|listen|follow|download|subscribe|join|get|sign\s+up|install|add|смотрите|слушайте|"
    r"скачайте|установите|присоединяйтесь|тыңдаңыз|көріңіз|жүктеп\s+алыңыз)\s",
    re.IGNORECASE,
)


@functools.cache
def _platform_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """ "наш Telegram-канал" (the page's own channel) and a platform, an app or a newsletter
    named in an appeal."""
    apps = lexicon().messengers
    i = re.IGNORECASE
    return (
        re.compile(rf"\b(?:наш\w*|our|біздің)\b.{{0,40}}?\b(?:{apps})", i),
        re.compile(rf"\b(?:{apps}|newsletter|рассылк|app\b|приложени)", i),
    )


def _is_call_to_action(line: str) -> bool:
    """ "Watch Sky News live on TV": a short imperative with no sentence, an app's button;
    "Join ST's Telegram channel and get the latest news.": an imperative naming a platform,
    an appeal whatever its punctuation (copy does not address the reader so)."""
    if _CALL_TO_ACTION_RE.match(line) is None:
        return False
    if len(line.split()) <= 8 and not line.rstrip('»"”)').endswith(SENTENCE_END):
        return True
    return len(line) <= 160 and _platform_res()[1].search(line) is not None


# "Log in, register or subscribe to save articles for later.", "Войдите или зарегистрируйтесь":
# the account actions a page offers, two of them in a row.
_ACCOUNT = (
    r"(?:log\s*in|sign\s*in|register|subscribe|sign\s*up|create\s+an\s+account|войдите|"
    r"зарегистрируйтесь|авторизуйтесь|подпишитесь|кіріңіз|тіркеліңіз)"
)
_ACCOUNT_RE = re.compile(rf"^{_ACCOUNT}\s*(?:,|or|and|или|и|/|немесе)\s*{_ACCOUNT}\b", re.I)


def is_link(line: str) -> bool:
    """A bare address: never copy."""
    return len(line) <= 150 and _link_re().fullmatch(line.strip()) is not None


def is_chrome(line: str) -> bool:
    """Site chrome that carries nothing for the draft."""
    if len(line) > CHROME_LINE_MAX:
        # Long lines are prose, except consent banners which run long.
        return len(line) <= 600 and is_cookie_notice(line)
    lex = lexicon()
    low = line.casefold()
    if is_rubric(line) or _is_social_line(line) or is_marker(line) or is_link(line):
        return True
    if len(line) <= _NO_LETTER_MAX and not any(ch.isalpha() for ch in line):
        return True  # "👍 12 👎 3", "★ 4.5": a widget's numbers, never a paragraph
    if _SIGN_OFF_RE.match(line) or _is_call_to_action(line) or _DURATION_RE.match(line):
        return True
    if len(line) <= 160 and _ACCOUNT_RE.match(line):
        return True
    if len(line) <= 30 and _GALLERY_RE.match(line):
        return True
    if len(line) <= 200 and _BIO_RE.match(line):
        return True
    short_label = len(line) <= 80 and not line.endswith(SENTENCE_END)
    if lex.share_re.match(line) and short_label:
        return True
    if lex.subscribe_re.match(line) or lex.donation_re.match(line):
        return len(line) <= 160
    if len(line) <= 160 and _DONATE_RE.search(line):
        return True
    if ("наш" in low or "our" in low or "біздің" in low) and _platform_res()[0].search(line):
        return True
    if lex.ads_re.match(line) or ("erid" in low and _ERID_RE.search(line)):
        return True
    if len(line) <= 120 and lex.chrome_starts_re.match(line):
        return True
    if len(line) <= 300 and (lex.donation_any_re.search(line) or lex.legal_any_re.search(line)):
        return True
    bare, labelled = _counter_res()
    if bare.match(line) or labelled.match(line) or _RATING_RE.search(line):
        return True
    if is_cookie_notice(line) or is_byline(line):
        return True
    if ("©" in line or "(c)" in low) and bool(_COPYRIGHT_FOOTER_RE.search(line)):
        return True
    return _chrome_sentences(line)


_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?…])\s+(?=[\"«“A-ZА-ЯЁӘҒҚҢӨҰҮҺІ$0-9])")
_PITCH_SENTENCES = 4
_PITCH_WORDS = 8


def _chrome_sentences(line: str) -> bool:
    """ "Enjoying this article? Click here to subscribe for full access. Just $5 a month.": a line
    of a few short sentences, one of them chrome by itself, is a widget's pitch (a paragraph's
    sentences run longer, and none of them is a button)."""
    parts = _SENTENCE_SPLIT_RE.split(line)
    if not 2 <= len(parts) <= _PITCH_SENTENCES:
        return False
    if any(len(p.split()) > _PITCH_WORDS for p in parts):
        return False
    return any(is_chrome(p) for p in parts)


def read_more_kind(line: str) -> str:
    """``"label"`` for a bare "read also" label (headlines follow), ``"line"`` for a labelled
    link, ``""`` for anything else."""
    if len(line) > CHROME_LINE_MAX:
        return ""
    lex = lexicon()
    m = lex.read_more_re.match(line)
    if m is None:
        return ""
    rest = line[m.end() :]
    if _LABEL_END_RE.fullmatch(rest):
        return "label"
    if lex.read_more_any_re.match(line) or rest.lstrip().startswith(
        (":", "：", "—", "–", "»", ">")
    ):
        return "line"
    return ""
