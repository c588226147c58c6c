"""pymorphy3 on mapped dictionaries (bot.ingest.dawg_maps) reads every word as it did on copies."""

from __future__ import annotations

import io

import pymorphy3
from dawg_python import wrapper  # type: ignore[import-untyped]

from bot.ingest.dawg_maps import mapped_dawgs

# Known words in several cases, names, and made-up words the suffix predictor has to guess.
WORDS = (
    "Министерстве",
    "энергетики",
    "Казахстана",
    "заявили",
    "журналистам",
    "Ивану",
    "Петрову",
    "вчера",
    "Нурсултанович",
    "Токаев",
    "акимата",
    "Алматы",
    "сообщили",
    "пресс-службе",
    "блокчейнизацию",
    "хрюкозябликами",
    "заявил",
    "сообщает",
    "пишут",
)  # fmt: skip


def _readings(morph: pymorphy3.MorphAnalyzer) -> list[list[tuple[str, str, str, float, str]]]:
    return [
        [
            (p.word, str(p.tag), p.normal_form, p.score, str(p.inflect({"nomn"})))
            for p in morph.parse(word.lower())
        ]
        for word in WORDS
    ]


def test_mapped_dictionaries_read_every_word_the_same() -> None:
    copied = pymorphy3.MorphAnalyzer()
    with mapped_dawgs():
        mapped = pymorphy3.MorphAnalyzer()
    words = mapped.dictionary.words.dct._units
    assert isinstance(words, memoryview) and words.format == "I"
    assert not isinstance(copied.dictionary.words.dct._units, memoryview)
    assert _readings(mapped) == _readings(copied)


def test_readers_are_restored_and_unmappable_files_are_read_as_before() -> None:
    original = wrapper.Dictionary.read
    with mapped_dawgs():
        assert wrapper.Dictionary.read is not original
        dic = wrapper.Dictionary()
        dic.read(io.BytesIO(b"\x02\x00\x00\x00" + b"\x01\x00\x00\x00\x02\x00\x00\x00"))
    assert wrapper.Dictionary.read is original
    assert list(dic._units) == [1, 2]  # no file to map: dawg_python's own array
