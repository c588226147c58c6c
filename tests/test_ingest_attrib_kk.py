"""Kazakh originals (issue 13, attrib): an outlet by its type word in the genitive, a
lower-case press service after "деп хабарлады", a long lower-case body after "Бұл туралы", a
quoted outlet told in the dative after "деді", a body named after the paper's own place; and
Kazakh names kept out of Russian morphology. Examples are made up."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import ArticleContent
from bot.ingest.attribution import attribution
from bot.ingest.mastheads import masthead_name
from bot.ingest.text import parse_article

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def parse(text: str) -> ArticleContent:
    return parse_article(text, tz=ALMATY, now=NOW)


@pytest.mark.parametrize(
    ("para", "original"),
    [
        (
            "Алтын бағасы апта ішінде өсті. Reuters агенттігінің мәліметінше, бұған доллардың "
            "әлсіреуі әсер еткен.",
            "Reuters",
        ),
        (
            "Қалаға 40 жаңа автобус жеткізілді, деп хабарлады қала әкімінің баспасөз қызметі.",
            "қала әкімінің баспасөз қызметі",
        ),
        (
            "Облыста жаңа жол салынды. Бұл туралы облыстық жолаушылар көлігі және автомобиль "
            "жолдары басқармасынан хабарлады.",
            "облыстық жолаушылар көлігі және автомобиль жолдары басқармасы",
        ),
        (
            "Облыста жаңа аурухана ашылды. Бұл туралы Steppe агенттігіне сілтеме жасап "
            "хабарлайды.",
            "Steppe",
        ),
    ],
)
def test_kazakh_original(para: str, original: str) -> None:
    assert attribution([para]).originals[:1] == [original]


def test_quoted_outlet_told_after_speech_verb() -> None:
    found = attribution(
        [
            "Биыл облыста 12 мектеп салынады, деді «Жайық таңына» облыстық білім "
            "басқармасының басшысы Асқар Нұрланов."
        ]
    )
    assert found.told == ["Жайық таңы"]
    assert found.originals == ["Асқар Нұрланов"]


def test_kazakh_copyright_name_is_not_inflected() -> None:
    assert masthead_name("© «Жайық өңірі» газеті, 2026") == "Жайық өңірі"


def test_body_named_after_the_papers_place_is_the_original() -> None:
    art = parse(
        "Ақтауда контрабанда тәркіленді\n"
        "Жайық облыстық полиция департаментінің хабарлауынша, теңіз портында 10 мың қорап "
        "темекі тәркіленді.\n\n"
        "Іс бойынша сотқа дейінгі тергеу басталды, күдіктілер анықталып жатыр.\n\n"
        "© «Жайық» газеті, 2026\n"
    )
    assert art.source_name == "Жайық"
    assert art.original_source == "Жайық облыстық полиция департаменті"


@pytest.mark.parametrize(
    ("para", "told", "original"),
    [
        (
            "Көпір көктемде жабылады, деді Steppe.kz тілшісіне облыс әкімі Асқар Нұрланов.",
            "Steppe.kz",
            "Асқар Нұрланов",
        ),
        (
            "Көпір көктемде жабылады. Бұл туралы «Жайық таңы» газетіне облыс әкімдігі хабарлады.",
            "Жайық таңы",
            "облыс әкімдігі",
        ),
    ],
)
def test_outlet_told_then_the_speaker(para: str, told: str, original: str) -> None:
    found = attribution([para])
    assert (found.told, found.originals) == ([told], [original])
