"""The composer: layouts, labels, escaping, exact Telegram lengths, cuts, hashtags, checks."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bot.compose import (
    CAPTION_LIMIT,
    ENTITY_LIMIT,
    TEXT_LIMIT,
    check,
    collect_hashtags,
    compose,
    normalize_hashtag,
)
from bot.domain import (
    ArticleContent,
    ChannelTemplate,
    Layout,
    OutMessage,
    Part,
    Photo,
    Post,
)
from fakegram.entities import ParsedText, parse_html

FIXTURE = Path(__file__).parent / "fixtures" / "oecd_kazakhstan_integrity.txt"
TITLE = "ОЭСР проверила уровень добропорядочности госорганов Казахстана"
LEAD = "В ходе визита эксперты обсудили вопросы взаимодействия госорганов с гражданским обществом"
FILE_PHOTO = Photo("AgACAgIAAxkBAAIBOGVx", width=1280, height=720, file_size=200_000)
URL_PHOTO = Photo("https://el.kz/static/oecd.jpg", is_url=True)
SOURCE_URL = "https://el.kz/news/oecd-integrity"
HASHTAG = re.compile(r"(?<![\w#])#\w+")


def _body_paragraphs() -> tuple[str, ...]:
    lines = [line.strip() for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    start = next(i for i, line in enumerate(lines) if line.startswith("Группа экспертов ОЭСР"))
    end = next(i for i, line in enumerate(lines) if line.startswith("Поделитесь"))
    return tuple(lines[start:end])


BODY = _body_paragraphs()


def oecd(**changes: object) -> ArticleContent:
    article = ArticleContent(
        title=TITLE,
        lead=LEAD,
        body=BODY,
        photos=(FILE_PHOTO,),
        photo_credit="t.me/antikornews",
        source_name="El.kz",
        source_url=SOURCE_URL,
        original_source="Антикор РК",
        language="ru",
    )
    return dataclasses.replace(article, **changes)  # type: ignore[arg-type]


def parsed(message: OutMessage) -> ParsedText:
    return parse_html(message.html)


def assert_valid(post: Post) -> list[ParsedText]:
    """Every message is one Telegram accepts, and its declared counts are exact."""
    out = []
    assert post.messages, "a post has at least one message"
    for i, message in enumerate(post.messages):
        result = parse_html(message.html)  # raises on malformed HTML
        assert message.visible_length == result.length
        assert message.entity_count == len(result.entities)
        hashtags = len(HASHTAG.findall(result.text))
        assert message.entity_count + hashtags <= ENTITY_LIMIT
        if message.kind == "text":
            assert 1 <= result.length <= TEXT_LIMIT
            assert not message.photos
        else:
            assert message.kind in ("photo", "album")
            assert i == 0, "media comes first"
            assert result.length <= CAPTION_LIMIT
            if message.kind == "album":
                assert 2 <= len(message.photos) <= 10
                assert not message.buttons
            else:
                assert len(message.photos) == 1
        if message.link_preview_url is not None:
            assert message.kind == "text"
        out.append(result)
    assert 0 <= post.body_chars_kept <= post.body_chars_total
    return out


def test_fixture_has_ten_paragraphs() -> None:
    assert len(BODY) == 10
    assert BODY[-1].startswith("ОЭСР - международная")


# ------------------------------------------------------------------ layouts


def test_auto_with_file_photo_splits_caption_and_full_body() -> None:
    post = compose(oecd(), ChannelTemplate())
    first, rest = assert_valid(post)[0], assert_valid(post)[1:]
    assert post.layout is Layout.SPLIT
    assert post.messages[0].kind == "photo"
    assert post.messages[0].photos == (FILE_PHOTO,)
    assert first.text == (
        f"{TITLE}\n\n{LEAD}\n\nФото: t.me/antikornews\nИсточник: El.kz со ссылкой на Антикор РК"
    )
    assert {"type": "bold", "offset": 0, "length": len(TITLE)} in first.entities
    assert {"type": "text_link", "offset": first.text.index("El.kz"), "length": 5,
            "url": SOURCE_URL} in first.entities  # fmt: skip
    assert "\n\n".join(p.text for p in rest) == "\n\n".join(BODY)
    assert post.body_chars_kept == post.body_chars_total == sum(map(len, BODY))
    # The button goes under the last message; follow-ups do not ping subscribers again.
    assert post.messages[0].buttons == ()
    assert post.messages[-1].buttons[0].url == SOURCE_URL
    assert post.messages[-1].buttons[0].text == "Читать далее"
    assert post.messages[0].disable_notification is False
    assert all(m.disable_notification for m in post.messages[1:])


def test_auto_with_public_photo_uses_a_large_preview() -> None:
    post = compose(oecd(photos=(URL_PHOTO,)), ChannelTemplate())
    (text,) = assert_valid(post)
    assert post.layout is Layout.PREVIEW
    (message,) = post.messages
    assert message.kind == "text"
    assert message.link_preview_url == URL_PHOTO.ref
    assert text.text.startswith(TITLE + "\n\n" + LEAD + "\n\n" + BODY[0])
    assert all(p in text.text for p in BODY)
    assert text.text.endswith("Источник: El.kz со ссылкой на Антикор РК")
    assert post.body_chars_kept == post.body_chars_total


def test_caption_layout_shortens_only_the_body_at_a_sentence() -> None:
    template = ChannelTemplate(layout=Layout.CAPTION, tag_list=("Казахстан",))
    post = compose(oecd(), template)
    (caption,) = assert_valid(post)
    assert post.layout is Layout.CAPTION
    assert post.messages[0].kind == "photo"
    text = caption.text
    assert text.startswith(f"{TITLE}\n\n{LEAD}\n\n{BODY[0]}")
    assert "Фото: t.me/antikornews\nИсточник: El.kz со ссылкой на Антикор РК" in text
    assert text.endswith("#Казахстан")
    body_end = text.index("\n\nФото:")
    shown = text[:body_end]
    assert shown.endswith(" …")
    assert shown[:-2].endswith((".", "!", "?"))  # a sentence (here a paragraph) boundary
    assert 0 < post.body_chars_kept < post.body_chars_total
    # The read-more button carries the link, so the caption does not repeat it.
    assert post.messages[0].buttons[0].url == SOURCE_URL
    assert "Читать далее" not in text
    problems = check(oecd(), post, template)
    assert [p.code for p in problems] == ["body_shortened"]
    assert problems[0].severity == "warning"
    relaxed = dataclasses.replace(template, max_body_cut_ratio=0.9)
    assert check(oecd(), post, relaxed) == ()


def test_caption_without_button_links_read_more_in_text() -> None:
    template = ChannelTemplate(layout=Layout.CAPTION, read_more_button=False)
    post = compose(oecd(), template)
    (caption,) = assert_valid(post)
    assert post.messages[0].buttons == ()
    assert "…\nЧитать далее" in caption.text
    start = caption.text.index("Читать далее")
    assert {"type": "text_link", "offset": start, "length": 12, "url": SOURCE_URL} in (
        caption.entities
    )


def test_split_layout_and_several_photos_make_an_album() -> None:
    photos = (FILE_PHOTO, URL_PHOTO, Photo("AgACAgIAAxkBAAIBOWVy"))
    post = compose(oecd(photos=photos), ChannelTemplate(layout=Layout.SPLIT))
    texts = assert_valid(post)
    assert post.layout is Layout.SPLIT
    assert post.messages[0].kind == "album"
    assert post.messages[0].photos == photos
    assert [m.kind for m in post.messages[1:]] == ["text"]
    assert texts[1].text == "\n\n".join(BODY)


def test_album_caption_layout_has_read_more_in_text() -> None:
    photos = (FILE_PHOTO, FILE_PHOTO)
    post = compose(oecd(photos=photos), ChannelTemplate(layout=Layout.CAPTION))
    (caption,) = assert_valid(post)
    assert post.messages[0].kind == "album"
    assert "Читать далее" in caption.text


def test_more_than_ten_photos_are_truncated_and_reported() -> None:
    article = oecd(photos=(FILE_PHOTO,) * 12)
    post = compose(article, ChannelTemplate())
    assert_valid(post)
    assert len(post.messages[0].photos) == 10
    assert "photos_truncated" in post.notes
    assert "too_many_photos" in [p.code for p in check(article, post, ChannelTemplate())]


def test_no_photo_gives_text_without_credit() -> None:
    post = compose(oecd(photos=()), ChannelTemplate())
    (text,) = assert_valid(post)
    assert post.messages[0].kind == "text"
    assert "Фото:" not in text.text
    assert all(p in text.text for p in BODY)
    assert "no_photo" in [p.code for p in check(oecd(photos=()), post, ChannelTemplate())]


def test_preview_without_public_photo_falls_back() -> None:
    post = compose(oecd(), ChannelTemplate(layout=Layout.PREVIEW))
    assert_valid(post)
    assert post.layout is Layout.SPLIT
    assert "preview_unavailable" in post.notes


def test_short_article_is_one_caption_in_every_layout() -> None:
    article = oecd(body=BODY[:1])
    for layout in Layout:
        post = compose(article, ChannelTemplate(layout=layout))
        (caption,) = assert_valid(post)
        assert post.messages[0].kind == "photo"
        assert BODY[0] in caption.text


def test_auto_prefers_a_small_cut_to_a_second_message() -> None:
    # Just over one caption: the body loses a few words rather than spilling into a text.
    words = " ".join(["слово"] * 400)
    article = ArticleContent(title="Заголовок", body=(words,), photos=(FILE_PHOTO,))
    base = len("Заголовок") + 2
    fits = dataclasses.replace(article, body=(words[: CAPTION_LIMIT - base],))
    assert compose(fits, ChannelTemplate()).messages[0].visible_length == CAPTION_LIMIT
    over = dataclasses.replace(article, body=(words[: CAPTION_LIMIT - base + 6],))
    post = compose(over, ChannelTemplate())
    (caption,) = assert_valid(post)
    assert post.layout is Layout.CAPTION
    assert caption.text.endswith("слово…")
    far_over = dataclasses.replace(article, body=(words[:1500],))
    assert compose(far_over, ChannelTemplate()).layout is Layout.SPLIT


# ------------------------------------------------------------------ labels and parts


def test_english_labels_follow_the_channel_not_the_article() -> None:
    template = ChannelTemplate(language="en", layout=Layout.CAPTION, read_more_button=False)
    post = compose(oecd(language="ru"), template, updated_mark=True)
    (caption,) = assert_valid(post)
    assert "Photo: t.me/antikornews\nSource: El.kz via Антикор РК" in caption.text
    assert "Read more" in caption.text
    assert caption.text.endswith("Updated")
    assert "Фото" not in caption.text and "Источник" not in caption.text


def test_updated_mark_in_russian() -> None:
    post = compose(oecd(body=BODY[:1]), ChannelTemplate(), updated_mark=True)
    (caption,) = assert_valid(post)
    assert caption.text.endswith("Обновлено")


def test_signature_links_and_parts_order() -> None:
    template = ChannelTemplate(
        parts=(Part.SOURCE, Part.TITLE, Part.SIGNATURE),
        signature="Newsroom KZ",
        signature_url="https://t.me/newsroom_kz",
        silent=True,
    )
    post = compose(oecd(), template)
    (caption,) = assert_valid(post)
    assert caption.text == f"Источник: El.kz со ссылкой на Антикор РК\n\n{TITLE}\n\nNewsroom KZ"
    assert caption.entities[-1] == {
        "type": "text_link",
        "offset": len(caption.text) - len("Newsroom KZ"),
        "length": len("Newsroom KZ"),
        "url": "https://t.me/newsroom_kz",
    }
    assert post.messages[0].disable_notification is True
    assert post.body_chars_total == 0


def test_original_url_links_the_original_source_and_credit_prefix_is_not_doubled() -> None:
    article = oecd(
        body=BODY[:1], original_url="https://t.me/antikor/123", photo_credit="Фото: Антикор РК"
    )
    (caption,) = assert_valid(compose(article, ChannelTemplate()))
    assert "\nФото: Антикор РК\n" in caption.text
    urls = [e.get("url") for e in caption.entities]
    assert SOURCE_URL in urls and "https://t.me/antikor/123" in urls


def test_source_from_url_only_uses_the_host() -> None:
    article = oecd(body=BODY[:1], source_name="", original_source="", source_url=SOURCE_URL)
    (caption,) = assert_valid(compose(article, ChannelTemplate()))
    assert "Источник: el.kz" in caption.text
    assert "no_source" not in [
        p.code for p in check(article, Post((), Layout.AUTO), ChannelTemplate())
    ]


# ------------------------------------------------------------------ escaping and links

NASTY = [
    '<script>alert("x")</script>',
    "</b> & <b>",
    '<a href="javascript:alert(1)">click</a>',
    "&amp; &lt; &#x27; &",
    "Tom & Jerry <3 > 2",
]


@pytest.mark.parametrize("nasty", NASTY)
def test_article_strings_are_literal_text(nasty: str) -> None:
    article = oecd(
        title=nasty, lead=nasty, body=(nasty,), photo_credit=nasty, source_name=nasty,
        original_source=nasty + "!", source_url='https://el.kz/?a=1&b="2"<x>',
    )  # fmt: skip
    template = ChannelTemplate(signature=nasty, signature_url="https://t.me/x?y=1&z=2")
    for layout in Layout:
        post = compose(article, dataclasses.replace(template, layout=layout))
        (caption,) = assert_valid(post)
        assert caption.text.startswith(f"{nasty}\n\n{nasty}\n\n{nasty}\n\n")
        assert f"Источник: {nasty} со ссылкой на {nasty}!" in caption.text
        urls = {e.get("url") for e in caption.entities} - {None}
        assert urls == {'https://el.kz/?a=1&b="2"<x>', "https://t.me/x?y=1&z=2"}


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://el.kz/x", "el.kz/news", "https://", "http://a b.kz/"]
)
def test_only_http_links_are_linked_and_others_are_errors(url: str) -> None:
    article = oecd(body=BODY[:1], source_url=url)
    post = compose(article, ChannelTemplate())
    (caption,) = assert_valid(post)
    assert all(e["type"] != "text_link" for e in caption.entities)
    assert "Источник: El.kz" in caption.text
    assert post.messages[0].buttons == ()
    bad = [p for p in check(article, post, ChannelTemplate()) if p.code == "bad_link"]
    assert bad and bad[0].severity == "error" and bad[0].params["field"] == "source_url"


def test_control_and_direction_characters_are_cleaned() -> None:
    title = "Line\rbreak\x00and\u202eRTL\u2028sep\u200d"
    post = compose(oecd(title=title, body=BODY[:1]), ChannelTemplate())
    (caption,) = assert_valid(post)
    # \r and U+202E vanish (as in Telegram), NUL and U+2028 become spaces, the ZWJ is trimmed.
    assert caption.text.startswith("Linebreak andRTL sep\n\n")


# ------------------------------------------------------------------ boundaries


def _exact_article(unit: str, total: int, title: str = "T") -> ArticleContent:
    """An article whose caption is exactly ``total`` code points, body made of ``unit`` words."""
    room = total - len(title) - 2
    words = (unit + " ") * (room // (len(unit) + 1) + 1)
    body = words[:room]
    if body.endswith(" "):
        body = body[:-1] + "x"
    # Replace a partial unit at the end with filler so the body is whole units + "x"s.
    head, _, _ = body.rpartition(" ")
    body = head + " " + "x" * (room - len(head) - 1)
    assert len(body) == room
    return ArticleContent(title=title, body=(body,), photos=(FILE_PHOTO,))


@pytest.mark.parametrize(
    "unit",
    [
        "word",
        "😀😀",  # astral: 1 code point each, 2 UTF-16 units
        "👨\u200d👩\u200d👧",  # emoji ZWJ sequence
        "q\u0301q\u0304",  # combining marks without a precomposed form
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",  # mathematical letters, astral plane
        "🇰🇿🇰🇿",  # flags: pairs of regional indicators
    ],
)
def test_exactly_1024_fits_and_1025_is_cut_between_words(unit: str) -> None:
    article = _exact_article(unit, CAPTION_LIMIT)
    post = compose(article, ChannelTemplate())
    (caption,) = assert_valid(post)
    assert post.layout is Layout.CAPTION
    assert caption.length == CAPTION_LIMIT
    assert post.body_chars_kept == post.body_chars_total

    over = _exact_article(unit, CAPTION_LIMIT + 1)
    for layout in (Layout.AUTO, Layout.CAPTION):
        post = compose(over, ChannelTemplate(layout=layout))
        (caption,) = assert_valid(post)
        assert caption.length <= CAPTION_LIMIT
        assert post.body_chars_kept < post.body_chars_total
        body = caption.text.split("\n\n", 1)[1]
        assert body.endswith("…")
        kept_words = body[:-1].split(" ")
        # Only whole units survive: no emoji, mark or surrogate pair was split.
        normalized = __import__("unicodedata").normalize("NFC", unit)
        assert set(kept_words) == {normalized}
    split = compose(over, ChannelTemplate(layout=Layout.SPLIT))
    texts = assert_valid(split)
    assert texts[0].text == "T"
    assert texts[1].length == len(over.body[0])


def test_title_without_spaces_is_cut_between_graphemes_and_attribution_stays() -> None:
    title = "👨\u200d👩\u200d👧" * 400  # 2000 code points, no word boundary anywhere
    article = oecd(title=title, lead="Лид " * 300, body=BODY)
    template = ChannelTemplate(layout=Layout.CAPTION, signature="Newsroom")
    post = compose(article, template)
    (caption,) = assert_valid(post)
    assert caption.text.endswith("Источник: El.kz со ссылкой на Антикор РК\n\nNewsroom")
    head = caption.text.split("\n\n", 1)[0]
    assert head.endswith("…")
    assert len(head[:-1]) % 5 == 0
    assert head[:-1] == "👨\u200d👩\u200d👧" * (len(head[:-1]) // 5)
    assert "title_shortened" in post.notes and "lead_shortened" in post.notes


def test_huge_lead_is_shortened_before_the_title() -> None:
    article = oecd(lead="Очень длинный лид. " * 100)
    post = compose(article, ChannelTemplate(layout=Layout.CAPTION))
    (caption,) = assert_valid(post)
    assert caption.text.startswith(TITLE + "\n\nОчень длинный лид.")
    assert "Источник: El.kz со ссылкой на Антикор РК" in caption.text
    assert "lead_shortened" in post.notes


def test_split_moves_a_huge_lead_to_the_text() -> None:
    lead = "Очень длинный лид. " * 100
    post = compose(oecd(lead=lead), ChannelTemplate(layout=Layout.SPLIT))
    texts = assert_valid(post)
    assert texts[0].text.startswith(TITLE + "\n\nФото:")
    assert texts[1].text.startswith(lead.strip())
    assert texts[1].entities[0]["type"] == "italic"


def test_long_article_without_photo_is_split_on_paragraphs() -> None:
    long_body = BODY * 15  # ~31 KB
    post = compose(oecd(photos=(), body=long_body), ChannelTemplate())
    texts = assert_valid(post)
    assert len(texts) >= 8
    assert texts[0].text.startswith(TITLE)
    assert texts[-1].text.endswith("Источник: El.kz со ссылкой на Антикор РК")
    joined = "\n\n".join(t.text for t in texts)
    assert joined == f"{TITLE}\n\n{LEAD}\n\n" + "\n\n".join(long_body) + (
        "\n\nИсточник: El.kz со ссылкой на Антикор РК"
    )
    assert post.messages[-1].buttons and not post.messages[0].buttons


def test_paragraph_longer_than_a_message_is_split_at_sentences() -> None:
    paragraph = " ".join(f"Предложение номер {i}." for i in range(400))  # ~9 KB
    post = compose(oecd(body=(paragraph,)), ChannelTemplate(layout=Layout.SPLIT))
    texts = assert_valid(post)
    assert len(texts) == 4
    assert all(t.text.endswith(".") for t in texts[1:])
    assert " ".join(t.text for t in texts[1:]) == paragraph


def test_word_longer_than_a_message_is_still_delivered() -> None:
    word = "ж" * 9000
    post = compose(oecd(photos=(), body=(word,)), ChannelTemplate())
    texts = assert_valid(post)
    assert "ж" * 9000 in "".join(t.text for t in texts)


# ------------------------------------------------------------------ entity cap and hashtags


def test_many_hashtags_stay_under_the_entity_cap() -> None:
    tags = tuple(f"тег{i}" for i in range(150))
    for photos in ((FILE_PHOTO,), ()):
        article = oecd(body=BODY[:1], tags=tags, photos=photos)
        template = ChannelTemplate(signature="S", signature_url="https://t.me/s")
        post = compose(article, template)
        texts = assert_valid(post)
        shown = [tag for t in texts for tag in HASHTAG.findall(t.text)]
        assert 80 < len(shown) <= ENTITY_LIMIT - post.messages[0].entity_count
        assert shown == [f"#тег{i}" for i in range(len(shown))]
        assert "tags_dropped" in post.notes


def test_many_links_stay_under_the_entity_cap() -> None:
    tags = tuple(f"tag{i}" for i in range(300))
    template = ChannelTemplate(signature="S", signature_url="https://t.me/s", layout=Layout.SPLIT)
    article = oecd(tags=tags, original_url="https://t.me/a/1")
    post = compose(article, template, updated_mark=True)
    assert_valid(post)
    assert post.messages[0].entity_count == 6  # title, lead, two links, signature, updated


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("#Казахстан", "#Казахстан"),
        ("Казахстан", "#Казахстан"),
        ("Central Asia", "#CentralAsia"),
        ("central-asia!", "#centralAsia"),
        ("##ОЭСР,", "#ОЭСР"),
        ("COVID_19", "#COVID_19"),
        ("2022", None),
        ("#", None),
        ("  ", None),
        ("!!!", None),
        ("___", None),
        ("_1", None),
        ("Кафе\u0301", "#Кафе"),  # NFC: е + acute has no precomposed Cyrillic form; mark dropped
        ("naïve", "#naïve"),
        ("x" * 100, "#" + "x" * 64),
    ],
)
def test_normalize_hashtag(raw: str, expected: str | None) -> None:
    assert normalize_hashtag(raw) == expected


def test_channel_tags_matched_in_the_text() -> None:
    template = ChannelTemplate(
        tag_list=("Казахстан", "#ОЭСР", "Россия", "коррупции", "ОЭС", "Central Asia")
    )
    tags = collect_hashtags(oecd(), template)
    # "Казахстан" occurs only inflected (Казахстана); "коррупция" forms; "ОЭС" is not a word here.
    assert tags == ("#Казахстан", "#ОЭСР", "#коррупции")
    english = oecd(title="Talks in central  asia", lead="", body=())
    assert collect_hashtags(english, template) == ("#CentralAsia",)
    russia = oecd(title="Визит в Россию", lead="", body=())
    assert collect_hashtags(russia, template) == ("#Россия",)


def test_editor_tags_first_and_deduplicated() -> None:
    article = oecd(tags=("казахстан", "ОЭСР", "#ОЭСР", "2022"))
    template = ChannelTemplate(tag_list=("Казахстан", "Алматы"))
    assert collect_hashtags(article, template) == ("#казахстан", "#ОЭСР")


def test_channel_tag_shows_up_in_the_post() -> None:
    template = ChannelTemplate(tag_list=("Казахстан",))
    post = compose(oecd(), template)
    first = assert_valid(post)[0]
    assert first.text.endswith("Источник: El.kz со ссылкой на Антикор РК\n\n#Казахстан")


# ------------------------------------------------------------------ check()


def codes(article: ArticleContent, template: ChannelTemplate | None = None) -> list[str]:
    template = template or ChannelTemplate()
    return [p.code for p in check(article, compose(article, template), template)]


def test_check_clean_fixture_has_no_problems() -> None:
    assert codes(oecd()) == []


def test_check_empty_and_missing_parts() -> None:
    empty = ArticleContent()
    assert compose(empty, ChannelTemplate()).messages == ()
    problems = check(empty, compose(empty, ChannelTemplate()), ChannelTemplate())
    assert [(p.code, p.severity) for p in problems] == [
        ("empty", "error"),
        ("no_photo", "warning"),
        ("no_source", "warning"),
    ]
    assert codes(oecd(title="  \u200b ")) == ["no_title"]
    assert codes(oecd(source_name="", source_url="", original_source="")) == ["no_source"]


def test_check_photos() -> None:
    big = Photo("AgAD", width=1000, height=800, file_size=11 * 1024 * 1024)
    big_url = Photo("https://x.kz/a.jpg", is_url=True, file_size=6 * 1024 * 1024)
    tall = Photo("AgAE", width=100, height=2500)
    huge = Photo("AgAF", width=6000, height=5000)
    ok_unknown = Photo("https://x.kz/b.jpg", is_url=True)
    bad_url = Photo("javascript:alert(1)", is_url=True)
    article = oecd(photos=(big, big_url, tall, huge, ok_unknown, bad_url))
    problems = check(article, compose(article, ChannelTemplate()), ChannelTemplate())
    found = [(p.code, p.params.get("index")) for p in problems]
    assert found == [
        ("photo_too_large", 0),
        ("photo_too_large", 1),
        ("photo_bad_shape", 2),
        ("photo_bad_shape", 3),
        ("bad_link", 5),
    ]
    assert all(p.severity == "error" for p in problems)
    assert problems[1].params["limit"] == 5 * 1024 * 1024
    # The unusable photo is not sent.
    assert bad_url not in compose(article, ChannelTemplate()).messages[0].photos


def test_check_bad_links() -> None:
    article = oecd(original_url="javascript:x", canonical_url="data:text/html,x")
    template = ChannelTemplate(signature="S", signature_url="tg://resolve?domain=x")
    problems = check(article, compose(article, template), template)
    assert [(p.code, p.severity, p.params["field"]) for p in problems] == [
        ("bad_link", "error", "original_url"),
        ("bad_link", "error", "canonical_url"),
        ("bad_link", "warning", "signature_url"),
    ]


def test_caption_cut_is_within_the_limit_at_every_size() -> None:
    # Sweep the body size across the caption limit so every cut branch (whole paragraphs,
    # a sentence, words) meets the limit exactly at some point.
    template = ChannelTemplate(layout=Layout.CAPTION, read_more_button=False)
    for first in range(850, 1030):
        para = ("Слово. " * 200)[:first].strip()
        article = oecd(title="T", lead="", body=(para, "Второй абзац. Ещё одно предложение."))
        post = compose(article, template)
        (caption,) = assert_valid(post)
        assert caption.text.startswith("T\n\n")
        assert "Источник: El.kz со ссылкой на Антикор РК" in caption.text
        # Only the body gave way: the in-text read-more link and everything else stayed.
        assert post.notes == ()
        if post.body_chars_kept < post.body_chars_total:
            assert caption.text.endswith("…\nЧитать далее\n\nФото: t.me/antikornews\n"
                                         "Источник: El.kz со ссылкой на Антикор РК")  # fmt: skip
