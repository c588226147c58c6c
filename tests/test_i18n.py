"""The message catalogues: complete, faithful to their msgids, compiled, and in step with the code.

The Russian catalogue is the product for most of our editors, so an untranslated or broken
string is a bug: these tests fail when someone adds ``_("...")`` to the code without translating
it, when a translation loses a ``{placeholder}`` (``str.format`` would raise ``KeyError`` at
runtime) or breaks the HTML that Telegram parses, and when the committed ``.mo`` files lag behind
the ``.po`` files (aiogram only reads the compiled ``.mo``).

To fix a failure: ``make i18n`` (re-extract, update, compile), translate the new entries in
``bot/locales/ru/LC_MESSAGES/messages.po``, then compile again.
"""

from __future__ import annotations

import gettext
import io
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "bot" / "locales"
DOMAIN = "messages"
POT = LOCALES / f"{DOMAIN}.pot"
LANGS = ("ru", "en")
# Same keywords as `make i18n` (`-k _ -k __` on top of babel's defaults): `__` is lazy_gettext.
KEYWORDS = {**DEFAULT_KEYWORDS, "__": None}
SOURCE_DIRS = ("bot", "handlers")

HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
# "/edit", "/queue_add" but not the slashes of "http://" or "RSS/Atom".
COMMAND = re.compile(r"(?<![\w/:<])/[a-z_]+")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
# Telegram's limit for a BotCommand description (setMyCommands).
COMMAND_DESCRIPTION_MAX = 256


def po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def load_po(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def entries(catalog: Catalog) -> Iterator[Message]:
    """Real messages: the header entry has an empty id."""
    return (m for m in catalog if m.id)


def singular(msgid: str | Sequence[str]) -> str:
    """A plural entry's id is (singular, plural); catalogues are keyed by the singular."""
    return msgid if isinstance(msgid, str) else msgid[0]


def translations(message: Message) -> list[str]:
    """msgstr as a list: one string, or one per plural form (None when babel left it unset)."""
    if isinstance(message.string, str):
        return [message.string]
    return list(message.string or [""])


def placeholders(text: str) -> Counter[str]:
    """The ``str.format`` field names in ``text`` (a multiset: "{id} ... {id}" counts twice)."""
    return Counter(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


def html_tags(text: str) -> list[str]:
    return HTML_TAG.findall(text)


def emoji(text: str) -> list[str]:
    """Pictographs in order; variation selectors are dropped (they render the same)."""
    return [ch for ch in text if unicodedata.category(ch) == "So"]


def code_msgids() -> dict[str, list[str]]:
    """msgid -> files that use it, extracted from the code the way `make i18n` does."""
    found: dict[str, list[str]] = {}
    for directory in SOURCE_DIRS:
        for filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT / directory, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.setdefault(singular(message), []).append(f"{directory}/{filename}")
    return found


@pytest.fixture(scope="module")
def ru() -> Catalog:
    return load_po("ru")


@pytest.fixture(scope="module")
def pot() -> Catalog:
    with POT.open("rb") as f:
        return read_po(f, domain=DOMAIN)


@pytest.fixture(scope="module")
def in_code() -> dict[str, list[str]]:
    return code_msgids()


# --- (a) completeness ------------------------------------------------------------------------


def test_every_template_string_has_a_russian_translation(pot: Catalog, ru: Catalog) -> None:
    missing = [m.id for m in entries(pot) if m.id not in ru]
    untranslated = [m.id for m in entries(ru) if not all(s.strip() for s in translations(m))]
    fuzzy = [m.id for m in entries(ru) if m.fuzzy]
    assert not missing, f"in messages.pot but not in ru/messages.po: {missing}"
    assert not untranslated, f"empty Russian translations: {untranslated}"
    assert not fuzzy, f"fuzzy Russian entries (review them, then drop the flag): {fuzzy}"


def test_catalogues_hold_no_strings_the_template_dropped(pot: Catalog) -> None:
    template = {m.id for m in entries(pot)}
    for lang in LANGS:
        stale = [m.id for m in entries(load_po(lang)) if m.id not in template]
        assert not stale, f"{lang}: entries no longer in messages.pot (run make i18n): {stale}"


def test_english_catalogue_falls_back_to_the_msgids(pot: Catalog) -> None:
    en = load_po("en")
    assert {m.id for m in entries(en)} == {m.id for m in entries(pot)}
    # An English msgstr would silently fork the English text from the code.
    overridden = [m.id for m in entries(en) if any(translations(m))]
    assert not overridden, f"en/messages.po should keep msgstr empty: {overridden}"


# --- (b) fidelity: what the code and Telegram depend on -----------------------------------------


def test_placeholders_match(ru: Catalog) -> None:
    bad = [
        (m.id, text)
        for m in entries(ru)
        for text in translations(m)
        if placeholders(text) != placeholders(singular(m.id))
    ]
    assert not bad, f"{{placeholders}} differ between msgid and Russian: {bad}"


def test_html_tags_match(ru: Catalog) -> None:
    bad = [
        (m.id, text)
        for m in entries(ru)
        for text in translations(m)
        if html_tags(text) != html_tags(singular(m.id))
    ]
    assert not bad, f"HTML tags differ between msgid and Russian: {bad}"


def test_commands_and_emoji_are_kept(ru: Catalog) -> None:
    bad_commands = []
    bad_emoji = []
    for m in entries(ru):
        source = singular(m.id)
        for text in translations(m):
            if Counter(COMMAND.findall(text)) != Counter(COMMAND.findall(source)):
                bad_commands.append((source, text))
            if emoji(text) != emoji(source):
                bad_emoji.append((source, text))
    assert not bad_commands, f"/commands differ: {bad_commands}"
    assert not bad_emoji, f"emoji differ: {bad_emoji}"


@pytest.mark.parametrize(
    "literal",
    [
        "title, lead, body, credit, source, source_url, tags, photo",
        "--sign",
        "[review|auto]",
        "EDITOR_IDS",
        "/editors add ID",
        "/editors remove ID",
        "/quiet off",
        "/embargo N off",
        "body …",
    ],
)
def test_command_syntax_stays_literal(ru: Catalog, literal: str) -> None:
    """Words the bot parses (field names, flags, modes) must reach the editor untranslated."""
    users = [m for m in entries(ru) if literal in singular(m.id)]
    assert users, f"no msgid contains {literal!r} any more: update this test"
    bad = [(m.id, m.string) for m in users if literal not in "".join(translations(m))]
    assert not bad, f"{literal!r} was translated or dropped: {bad}"


def test_russian_uses_guillemets(ru: Catalog) -> None:
    bad = [
        (m.id, text)
        for m in entries(ru)
        for text in translations(m)
        if any(q in text for q in "\"'“”„‘’")  # straight and curly quotes
    ]
    assert not bad, f"Russian text should quote with «ёлочки»: {bad}"


def test_russian_is_russian(ru: Catalog) -> None:
    """Catches a msgid pasted as its own translation; format-only strings are exempt."""
    copied = [
        m.id
        for m in entries(ru)
        if re.search(r"[A-Za-z]{3}", re.sub(r"\{\w+\}|/\w+|<[^>]+>", "", singular(m.id)))
        and not any(CYRILLIC.search(text) for text in translations(m))
    ]
    assert not copied, f"these look untranslated: {copied}"


def test_command_menu_descriptions_fit_telegram() -> None:
    from bot.views.commands import COMMANDS

    i18n = I18n(path=LOCALES, default_locale="ru", domain=DOMAIN)
    with i18n.context():
        for lang in LANGS:
            with i18n.use_locale(lang):
                for command in COMMANDS:
                    text = str(command.description)
                    assert 1 <= len(text) <= COMMAND_DESCRIPTION_MAX, (command.name, lang, text)
                    if lang == "ru":
                        assert CYRILLIC.search(text), (command.name, text)


# --- (c) the committed .mo files are compiled from the committed .po files --------------------


@pytest.mark.parametrize("lang", LANGS)
def test_mo_is_up_to_date(lang: str, tmp_path: Path) -> None:
    assert mo_path(lang).exists(), f"{mo_path(lang)} is missing: aiogram ignores {lang} without it"
    fresh = tmp_path / f"{DOMAIN}.mo"
    with fresh.open("wb") as f:
        write_mo(f, load_po(lang))
    with fresh.open("rb") as f:
        expected = gettext.GNUTranslations(f)
    with mo_path(lang).open("rb") as f:
        committed = gettext.GNUTranslations(f)
    # Compare what gettext serves, not bytes: hash tables and ordering may differ between
    # compilers. `_catalog` is the only complete view GNUTranslations gives of its contents.
    expected_messages: dict[object, str] = expected._catalog  # type: ignore[attr-defined]
    committed_messages: dict[object, str] = committed._catalog  # type: ignore[attr-defined]
    stale = sorted(
        str(k)
        for k in expected_messages.keys() | committed_messages.keys()
        if expected_messages.get(k) != committed_messages.get(k)
    )
    assert not stale, (
        f"{lang}/{DOMAIN}.mo is out of date for {stale}: "
        "run pybabel compile -d bot/locales -D messages"
    )


def test_mo_round_trip_through_babel_matches_po() -> None:
    """The compile step itself is faithful: every Russian msgstr comes back out of the .mo."""
    catalog = load_po("ru")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    loaded = gettext.GNUTranslations(buffer)
    for m in entries(catalog):
        if isinstance(m.id, str):
            assert loaded.gettext(m.id) == m.string


# --- (d) aiogram sees both languages -------------------------------------------------------------


def test_aiogram_finds_both_locales() -> None:
    i18n = I18n(path=LOCALES, default_locale="ru", domain=DOMAIN)
    assert set(LANGS) <= set(i18n.available_locales)
    assert i18n.gettext("Cancelled.", locale="ru") == "Отменено."
    assert i18n.gettext("<b>Draft #{id}</b> · {status}", locale="ru").startswith(
        "<b>Черновик #{id}</b>"
    )
    # English has empty msgstr, so gettext falls back to the msgid (the code's own text).
    assert i18n.gettext("Cancelled.", locale="en") == "Cancelled."


def test_bot_i18n_helper_uses_these_catalogues() -> None:
    from bot.i18n import LANGUAGES, LOCALES_DIR, make_i18n

    assert LOCALES_DIR.resolve() == LOCALES.resolve()
    i18n = make_i18n("ru")
    assert set(LANGUAGES) <= set(i18n.available_locales)
    assert i18n.gettext("There is nothing to cancel.") == "Отменять нечего."


# --- (e) the code and the catalogues agree ---------------------------------------------------


def test_every_string_in_the_code_is_translated(
    in_code: dict[str, list[str]], ru: Catalog
) -> None:
    assert in_code, "extraction found no strings: is the keyword list right?"
    missing = {msgid: files for msgid, files in in_code.items() if msgid not in ru}
    assert not missing, (
        f"{len(missing)} string(s) in the code have no Russian translation. Run `make i18n`, "
        "translate them in bot/locales/ru/LC_MESSAGES/messages.po and compile:\n"
        + "\n".join(f"  {msgid!r}  ({', '.join(sorted(set(f)))})" for msgid, f in missing.items())
    )


def test_template_is_up_to_date_with_the_code(in_code: dict[str, list[str]], pot: Catalog) -> None:
    template = {m.id for m in entries(pot)}
    missing = sorted(set(in_code) - template)
    unused = sorted(singular(i) for i in template - set(in_code))
    assert not missing, f"messages.pot lacks strings from the code (run make i18n): {missing}"
    assert not unused, f"messages.pot holds strings the code no longer uses: {unused}"
