"""The page's appeals to its reader at the end of the copy: "Если вы заметили ошибку, выделите
её и нажмите Ctrl+Enter", "Хотите сообщить новость? Пишите нам", a card number for donations,
"To contact the reporter on this story:" with the addresses under it.

They are told from the copy by shape, not by phrase: the reader is addressed (a verb in the
second person plural or the imperative, as pymorphy3 reads it), a payment card or an e-mail
address stands in the line, and they close the copy. Quoted speech is never an appeal.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from bot.ingest.attribution import attribution
from bot.ingest.lexicon import lexicon
from bot.ingest.lines import Kind, Line
from bot.ingest.names import _parse

__all__ = ["drop_tail_appeals"]

_APPEAL_MAX_WORDS = 30
_TAIL_LINES = 6  # content lines looked at from the end
_LABEL_MAX_WORDS = 12
_WORD_RE = re.compile(r"[а-яё]+", re.IGNORECASE)
_DIALOGUE_RE = re.compile(r"^\s*[—–-]\s")
# A quoted span: speech, or an outlet's name («Новая газета»); what the page says outside it
# is what may address the reader.
_QUOTED_RE = re.compile(r"«[^«»]*»|“[^“”]*”|\"[^\"]*\"")
_QUOTE_MARK_RE = re.compile(r"[«»“”\"]")
_CARD_RE = re.compile(r"(?<!\d)\d{4}(?:[ -]?\d{4}){3}(?!\d)")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


_EN_YOU_RE = re.compile(r"\b(?:you|your|please)\b", re.IGNORECASE)
_EN_US_RE = re.compile(r"\b(?:us|our|we)\b", re.IGNORECASE)
_EN_PROMO_RE = re.compile(
    r"^(?:do|did|are|want|looking)\b[^.?!]*\byou\b[^.?!]*\?\s+(?:get|sign\s+up|subscribe|download|"
    r"join|try|discover|explore|find|read|listen|watch)\b",
    re.IGNORECASE,
)
_KK_POLITE_RE = re.compile(r"\w(?:ңыз|ңіз)\b", re.IGNORECASE)


@functools.cache
def _contact_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A way to reach the newsroom (us, the editors, a messenger, a phone, an address) and the
    Kazakh "біз/сіз" or a messenger: the platforms are the lexicon's messengers."""
    apps = lexicon().messengers
    i = re.IGNORECASE
    return (
        re.compile(
            rf"\b(?:нам|нас|наш\w*|мы|редакци\w*|us|our|we|біз\w*)\b|\b(?:{apps})|ctrl|\+\d|@|"
            r"e-?mail|почт",
            i,
        ),
        re.compile(rf"\b(?:біз|сіз)\w*|\b(?:{apps})", i),
    )


def _addresses_reader(text: str) -> bool:
    """A Russian verb in the imperative or the second person plural: "напишите", "хотите"; a
    Kazakh polite imperative with "біз"/"сіз" or a messenger ("бізге WhatsApp-қа жазыңыз")."""
    if _KK_POLITE_RE.search(text) and _contact_res()[1].search(text):
        return True
    if _EN_YOU_RE.search(text) and _EN_US_RE.search(text):
        return True  # "If you value our journalism, please …", "Send us your tips"
    return any(_addresses_word(word) for word in _WORD_RE.findall(text.lower()))


@functools.lru_cache(maxsize=16384)
def _addresses_word(word: str) -> bool:
    """A reading of the word is a verb in the imperative or the 2nd person plural; cached per
    word, as reading the tags costs more than the parse pymorphy3 itself caches."""
    return any(
        p.tag.POS == "VERB" and "plur" in p.tag and ("impr" in p.tag or "2per" in p.tag)
        for p in _parse(word)
    )


def is_appeal(text: str) -> bool:
    """A call to the reader, a donation card or a contact address; never quoted speech."""
    if len(text.split()) > _APPEAL_MAX_WORDS:
        return False
    if _CARD_RE.search(text):
        return True
    if _EMAIL_RE.search(text) and len(text.split()) <= 10:
        return ": " not in text  # "Media contact: press@…" is a press release's labelled copy
    if _DIALOGUE_RE.search(text) is not None:
        return False
    text = _QUOTED_RE.sub(" ", text)
    if _QUOTE_MARK_RE.search(text) is not None:
        return False  # an unbalanced quote: a quotation running over lines
    if _EN_PROMO_RE.search(text):
        return True  # "Do you have questions about …? Get the answers with X Knowledge."
    if _exclaims_to_reader(text):
        return True  # "Thank you for subscribing!": a widget's message to the reader
    # The reader is asked to do something for the outlet: write to it, report an error.
    return _addresses_reader(text) and _contact_res()[0].search(text) is not None


_EXCLAIM_WORDS = 8
_THANKS_RE = re.compile(r"\b(?:thank|thanks|спасибо|благодарим|рахмет)\b", re.IGNORECASE)


def _exclaims_to_reader(text: str) -> bool:
    """A short exclamation that thanks or addresses the reader, closing the copy."""
    if not text.rstrip().endswith("!") or len(text.split()) > _EXCLAIM_WORDS:
        return False
    return bool(_THANKS_RE.search(text) or _EN_YOU_RE.search(text)) or _addresses_reader(text)


def _bylined(lines: list[Line]) -> tuple[str, ...]:
    """The names the page's byline lines sign with ("By Mark Landsberg")."""
    names = []
    for ln in lines:
        m = _BYLINE_RE.match(ln.text) if ln.kind is not Kind.CONTENT else None
        if m is not None:
            names.append(m["name"])
    return tuple(names)


_BYLINE_RE = re.compile(
    r"^(?:By|Автор|Author|Текст)\s*:?\s+(?P<name>[A-ZА-ЯЁ][\w'’-]+(?:\s+[A-ZА-ЯЁ][\w'’.-]+){1,2})$"
)


_MISSION_HINT_RE = re.compile(r"\s(?:is|are|работает|существует|живе?ё?т)\s", re.IGNORECASE)


@functools.cache
def _mission_re() -> re.Pattern[str]:
    return re.compile(lexicon().raw["chrome"]["mission_re"], re.IGNORECASE)


def _tail_note(text: str, authors: tuple[str, ...], own: Callable[[str], bool]) -> bool:
    """An author's note ("Mark Landsberg is a Times reporter …"), a print-edition note, or
    the outlet's note on itself ("X is committed to …", X being the page's outlet: "Johnson is
    committed to the plan" is copy)."""
    if any(text.startswith(name + " ") for name in authors):
        return len(text.split()) <= _APPEAL_MAX_WORDS
    mission = (
        _mission_re().search(text)
        if _MISSION_HINT_RE.search(text) and len(text.split()) <= _APPEAL_MAX_WORDS
        else None
    )
    if mission is not None and own(mission["name"] or mission["name2"]):
        return True
    return len(text) <= 300 and lexicon().donation_any_re.search(text) is not None


def _own_outlet(lines: list[Line], mastheads: Sequence[str]) -> Callable[[str], bool]:
    """Whether a name is the page's outlet: a masthead, or an outlet the copy names (found
    only when asked: few pages close with a note on themselves)."""
    named: list[str] = []

    def own(name: str) -> bool:
        if not named:
            copy = [ln.text for ln in lines if ln.kind is Kind.CONTENT]
            found = attribution(copy)
            named.extend([*mastheads, *found.outlets, *found.told, ""])
        key = name.casefold()
        return any(n and (n.casefold() == key or key.startswith(n.casefold())) for n in named)

    return own


def drop_tail_appeals(lines: list[Line], mastheads: Sequence[str] = ()) -> None:
    """Appeals among the last content lines, and a label line ending with a colon over them
    ("To contact the reporter on this story:"), are chrome; the walk stops at real copy."""
    content = [ln for ln in lines if ln.kind is Kind.CONTENT]
    authors = _bylined(lines)
    own = _own_outlet(lines, mastheads)
    dropped = False
    for ln in reversed(content[-_TAIL_LINES:]):
        label = dropped and ln.text.endswith(":") and len(ln.text.split()) <= _LABEL_MAX_WORDS
        if label or is_appeal(ln.text) or _tail_note(ln.text, authors, own):
            ln.kind = Kind.CHROME
            dropped = True
        else:
            break
