"""Feed parsing (pure) and polling with conditional GET against a local aiohttp server."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import Photo
from bot.ingest.feed_text import html_to_paragraphs
from bot.ingest.feeds import (
    MAX_POLL_DELAY_S,
    FeedError,
    FeedState,
    discover_feed_links,
    fetch_feed,
    next_poll_delay,
    parse_feed,
)
from bot.ingest.links import normalise_link

FIXTURES = Path(__file__).parent / "fixtures"
RSS = (FIXTURES / "feed_rss.xml").read_bytes()
ATOM = (FIXTURES / "feed_atom.xml").read_bytes()
ARTICLE_HTML = (FIXTURES / "web_article.html").read_bytes()
ETAG = '"rss-v1"'
LAST_MODIFIED = "Mon, 14 Nov 2022 10:05:00 GMT"


# --- parsing -------------------------------------------------------------------------------


def test_parse_rss() -> None:
    title, items = parse_feed(RSS, url="https://el.kz/ru/rss.xml")

    assert title == "El.kz — Лента новостей"
    assert [item.key for item in items[:3]] == [
        "el-kz-62154",
        "https://el.kz/ru/kurs-tenge-na-14-noyabrya_62150/",
        "https://el.kz/ru/most-astana_62140?a=1&b=2",  # no guid: normalised link
    ]
    assert items[3].key.startswith("sha256:")  # neither guid nor link

    first = items[0].content
    assert first.title == "ОЭСР проверила уровень добропорядочности госорганов Казахстана"
    # HTML stripped, entities (&amp; &nbsp; &laquo;) decoded.
    assert first.lead == (
        "В ходе визита эксперты обсудили вопросы взаимодействия госорганов с гражданским "
        "обществом & НПО\xa0«Атамекен»"
    )
    assert len(first.body) == 3
    assert first.body[1].endswith("принятой в январе 2017\xa0года.")
    assert not any("alert" in p for p in first.body)  # <script> dropped
    assert first.photos == (
        Photo(
            ref="https://el.kz/storage/news/2022/11/14/oecd_antikor.jpg",
            is_url=True,
            file_size=183245,
        ),
    )
    assert first.published_at == datetime(2022, 11, 14, 7, 33, tzinfo=UTC)
    assert first.published_at.tzinfo is UTC
    assert first.tags == ("Общество", "ОЭСР")
    assert first.source_name == title
    assert items[0].link == first.source_url
    assert first.source_url.startswith("https://EL.kz/ru/oesr-proverila-uroven_62154/?utm_source")
    assert first.canonical_url == "https://el.kz/ru/oesr-proverila-uroven_62154"
    assert first.language == "ru"

    rate = items[1].content
    assert rate.photos == (
        Photo(
            ref="https://el.kz/storage/news/2022/11/14/kase.png",
            is_url=True,
            width=800,
            height=450,
        ),
    )
    assert rate.body == () and rate.lead.startswith("Средневзвешенный курс")

    bridge = items[2].content
    # A description split by <br><br>: first part leads, the rest is body.
    assert (bridge.lead, bridge.body) == (
        "Мост через Ишим соединил левый и правый берег.",
        ("Движение открыто с 20:00.",),
    )
    assert bridge.photos[0].ref.endswith("most_thumb.jpg")  # media:thumbnail fallback
    assert bridge.published_at == datetime(2022, 11, 13, 18, 20, tzinfo=UTC)

    bare = items[3]
    assert (bare.link, bare.content.source_url, bare.content.published_at) == ("", "", None)


def test_parse_atom_resolves_relative_links() -> None:
    url = "https://www.riverside-gazette.example/feed.atom"
    title, items = parse_feed(ATOM, url=url)

    assert title == "Riverside Gazette"
    lanes, library = items
    assert lanes.key == "tag:riverside-gazette.example,2024:article-1041"
    assert lanes.link == "https://www.riverside-gazette.example/news/2024/03/05/cycling-lanes/"
    assert lanes.content.title == "City council approves new cycling lanes & parking changes"
    # The summary is the first content paragraph cut short: the full paragraph leads.
    assert lanes.content.lead == (
        "Twelve kilometres of protected lanes will be built by 2026, the city council decided "
        "on Monday."
    )
    assert lanes.content.body == (
        "The plan passed by nine votes to four — opponents worried about parking.",
    )
    assert lanes.content.photos == (
        Photo(
            ref="https://www.riverside-gazette.example/img/lanes-thumb.jpg",
            is_url=True,
            width=400,
            height=225,
        ),
    )
    assert lanes.content.published_at == datetime(2024, 3, 5, 13, 15, tzinfo=UTC)
    assert lanes.content.tags == ("transport", "council")
    assert lanes.content.language == "en"
    # XHTML content, no summary (feedparser copies content into it): not repeated.
    assert library.content.lead == "The central library will open until 9\xa0pm on weekdays."
    assert library.content.body == ("Sunday opening starts in April.",)
    assert library.content.published_at == datetime(2024, 3, 4, 12, 0, tzinfo=UTC)


def test_keys_are_stable_across_parses() -> None:
    first = parse_feed(RSS, url="https://el.kz/ru/rss.xml")[1]
    second = parse_feed(RSS, url="https://el.kz/ru/rss.xml")[1]
    assert [item.key for item in first] == [item.key for item in second]
    assert len({item.key for item in first}) == len(first)


def test_duplicate_guids_keep_the_first_entry() -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>One</title><guid isPermaLink="false">g1</guid></item>
    <item><title>One again</title><guid isPermaLink="false">g1</guid></item>
    <item><title>Two</title><link>https://x.example/two</link></item>
    </channel></rss>"""
    _, items = parse_feed(feed, url="https://x.example/rss")
    assert [(item.key, item.content.title) for item in items] == [
        ("g1", "One"),
        ("https://x.example/two", "Two"),
    ]


def test_inline_image_is_the_photo_fallback_and_resolved() -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>Pic</title><link>/news/1</link>
    <description>&lt;p&gt;Text&lt;/p&gt;
    &lt;img src="../img/a.jpg"&gt;&lt;img src="data:x"&gt;</description>
    </item></channel></rss>"""
    _, (item,) = parse_feed(feed, url="https://x.example/feeds/rss.xml")
    assert item.link == "https://x.example/news/1"
    assert item.content.photos == (Photo(ref="https://x.example/img/a.jpg", is_url=True),)
    assert item.content.lead == "Text"


def test_empty_feed_is_a_feed() -> None:
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    assert parse_feed(feed, url="https://quiet.example/rss") == ("Quiet", ())


@pytest.mark.parametrize(
    "data",
    [ARTICLE_HTML, b"", b"\x00\x01garbage\xff", b"{}", b"Just some text."],
)
def test_not_a_feed(data: bytes) -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(data, url="https://example.com/feed")
    assert info.value.code == "not_a_feed"


def test_feed_body_naming_a_local_file_is_not_read(tmp_path: Path) -> None:
    # feedparser open()s bytes/str arguments as file names; the body must never be one.
    local = tmp_path / "secret.xml"
    local.write_bytes(RSS)
    with pytest.raises(FeedError) as info:
        parse_feed(str(local).encode(), url="https://example.com/feed")
    assert info.value.code == "not_a_feed"


def test_html_to_paragraphs() -> None:
    paragraphs, images = html_to_paragraphs(
        "<div>One &amp; <b>two</b><br>three</div><script>x()</script>"
        "<style>p{}</style><p>&laquo;four&raquo;&#8203;</p><img src='/a.jpg'>"
    )
    assert paragraphs == ("One & two", "three", "«four»\u200b")
    assert images == ("/a.jpg",)


def test_discover_feed_links() -> None:
    assert discover_feed_links(ARTICLE_HTML, url="https://el.kz/ru/62154") == (
        "https://el.kz/ru/rss.xml",
    )
    assert discover_feed_links(b"<html><body>x</body></html>", url="https://a.example/") == ()


# --- normalise_link / next_poll_delay ------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://Example.COM/News/", "https://example.com/News"),
        ("https://example.com/", "https://example.com"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a?b=2&a=1#top", "https://example.com/a?a=1&b=2"),
        (
            "https://example.com/a/?utm_source=tg&utm_medium=x&id=7&fbclid=AB&gclid=C&UTM_Term=z",
            "https://example.com/a?id=7",
        ),
        (
            "https://example.com/a?q=hello%20world&flag",
            "https://example.com/a?flag&q=hello%20world",
        ),
        ("https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x"),
        ("  https://example.com/a  ", "https://example.com/a"),
    ],
)
def test_normalise_link(raw: str, expected: str) -> None:
    assert normalise_link(raw) == expected


_segment = st.text(alphabet="abcXYZ019-_.~%", min_size=0, max_size=8)
_param = st.tuples(
    st.sampled_from(["a", "b", "utm_source", "utm_x", "fbclid", "gclid", "id", "Q"]), _segment
)


@given(
    scheme=st.sampled_from(["http", "HTTP", "https", "HttpS"]),
    host=st.sampled_from(["Example.com", "news.example.org", "EL.KZ", "127.0.0.1"]),
    port=st.sampled_from(["", ":80", ":443", ":8080"]),
    path=st.lists(_segment, max_size=4).map(lambda parts: "/" + "/".join(parts)),
    trailing=st.sampled_from(["", "/", "//"]),
    params=st.lists(_param, max_size=5),
    fragment=st.sampled_from(["", "#x", "#"]),
)
def test_normalise_link_properties(
    scheme: str,
    host: str,
    port: str,
    path: str,
    trailing: str,
    params: list[tuple[str, str]],
    fragment: str,
) -> None:
    query = "&".join(f"{k}={v}" for k, v in params)
    url = f"{scheme}://{host}{port}{path}{trailing}" + (f"?{query}" if query else "") + fragment
    once = normalise_link(url)
    assert normalise_link(once) == once  # idempotent
    assert "#" not in once
    assert "utm_" not in once and "fbclid" not in once and "gclid" not in once
    assert once.startswith(("http://", "https://"))
    assert once.split("?")[0] == once.split("?")[0].rstrip("/")
    # Parameter order does not matter.
    shuffled = "&".join(f"{k}={v}" for k, v in reversed(params))
    other = f"{scheme}://{host}{port}{path}" + (f"?{shuffled}" if shuffled else "")
    assert normalise_link(other) == once


def test_next_poll_delay_healthy_feed_jitters_around_the_interval() -> None:
    rng = random.Random(7)
    delays = [next_poll_delay(interval_s=600, failures=0, rng=rng) for _ in range(200)]
    assert all(540 <= d <= 660 for d in delays)
    assert len({round(d) for d in delays}) > 20  # actually jittered


def test_next_poll_delay_backs_off_to_the_cap() -> None:
    rng = random.Random(1)
    low = [next_poll_delay(interval_s=300, failures=1, rng=rng) for _ in range(50)]
    high = [next_poll_delay(interval_s=300, failures=4, rng=rng) for _ in range(50)]
    assert all(480 <= d <= 720 for d in low)  # 2 × 300 ± 20 %
    assert all(3840 <= d <= 5760 for d in high)  # 16 × 300 ± 20 %
    capped = [next_poll_delay(interval_s=300, failures=1000, rng=rng) for _ in range(50)]
    assert all(0.8 * MAX_POLL_DELAY_S <= d <= MAX_POLL_DELAY_S for d in capped)


def test_next_poll_delay_is_reproducible_and_validates() -> None:
    a = next_poll_delay(interval_s=60, failures=3, rng=random.Random(42))
    b = next_poll_delay(interval_s=60, failures=3, rng=random.Random(42))
    assert a == b
    with pytest.raises(ValueError):
        next_poll_delay(interval_s=0, failures=0, rng=random.Random(0))


@given(
    interval=st.floats(min_value=1, max_value=2 * 86400),
    failures=st.integers(min_value=0, max_value=10_000),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_next_poll_delay_bounds(interval: float, failures: int, seed: int) -> None:
    delay = next_poll_delay(interval_s=interval, failures=failures, rng=random.Random(seed))
    cap = max(MAX_POLL_DELAY_S, interval)
    assert delay <= cap
    assert delay >= (0.9 * interval if failures == 0 else interval)


# --- fetching ------------------------------------------------------------------------------


@dataclass
class FeedServer:
    port: int
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    seen: list[tuple[str, dict[str, str]]] = []

    async def rss(request: web.Request) -> web.Response:
        seen.append((request.path, dict(request.headers)))
        if request.headers.get("If-None-Match") == ETAG:
            return web.Response(status=304, headers={"ETag": ETAG})
        return web.Response(
            body=RSS,
            headers={
                "Content-Type": "application/rss+xml; charset=utf-8",
                "ETag": ETAG,
                "Last-Modified": LAST_MODIFIED,
            },
        )

    async def atom_lm_only(request: web.Request) -> web.Response:
        # Honours If-Modified-Since only, and sends no validators with its 304.
        seen.append((request.path, dict(request.headers)))
        if request.headers.get("If-Modified-Since") == LAST_MODIFIED:
            return web.Response(status=304)
        return web.Response(
            body=ATOM,
            headers={"Content-Type": "application/atom+xml", "Last-Modified": LAST_MODIFIED},
        )

    async def page(request: web.Request) -> web.Response:
        seen.append((request.path, dict(request.headers)))
        return web.Response(body=ARTICLE_HTML, content_type="text/html", charset="utf-8")

    async def image(request: web.Request) -> web.Response:
        seen.append((request.path, dict(request.headers)))
        return web.Response(body=b"\x89PNG\r\n\x1a\n", content_type="image/png")

    app = web.Application()
    app.router.add_get("/rss.xml", rss)
    app.router.add_get("/atom", atom_lm_only)
    app.router.add_get("/news/62154", page)
    app.router.add_get("/logo.png", image)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield FeedServer(port=runner.addresses[0][1], seen=seen)
    await runner.cleanup()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def test_fetch_then_not_modified_by_etag(
    server: FeedServer, session: aiohttp.ClientSession
) -> None:
    url = server.url("/rss.xml")
    first = await fetch_feed(session, FeedState(url=url), allow_private=True)
    assert not first.not_modified
    assert (first.etag, first.last_modified) == (ETAG, LAST_MODIFIED)
    assert first.title == "El.kz — Лента новостей"
    assert len(first.items) == 4 and first.items[0].key == "el-kz-62154"
    assert "If-None-Match" not in server.seen[0][1]

    state = FeedState(url=url, etag=first.etag, last_modified=first.last_modified)
    second = await fetch_feed(session, state, allow_private=True)
    assert second.not_modified and second.items == () and second.title == ""
    assert (second.etag, second.last_modified) == (ETAG, LAST_MODIFIED)
    sent = server.seen[1][1]
    assert (sent["If-None-Match"], sent["If-Modified-Since"]) == (ETAG, LAST_MODIFIED)


async def test_not_modified_by_date_keeps_known_validators(
    server: FeedServer, session: aiohttp.ClientSession
) -> None:
    url = server.url("/atom")
    first = await fetch_feed(session, FeedState(url=url), allow_private=True)
    assert (first.etag, first.last_modified) == (None, LAST_MODIFIED)
    assert [item.content.title for item in first.items][1] == "Library extends opening hours"
    # A relative entry link resolves against the document's own URL.
    assert first.items[0].link == server.url("/news/2024/03/05/cycling-lanes/")

    second = await fetch_feed(
        session, FeedState(url=url, last_modified=first.last_modified), allow_private=True
    )
    assert second.not_modified
    assert (second.etag, second.last_modified) == (None, LAST_MODIFIED)
    assert "If-None-Match" not in server.seen[1][1]


async def test_web_page_is_not_a_feed_and_names_its_feed(
    server: FeedServer, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(FeedError) as info:
        await fetch_feed(session, FeedState(url=server.url("/news/62154")), allow_private=True)
    assert info.value.code == "not_a_feed"
    assert info.value.params["feed_url"] == server.url("/ru/rss.xml")


@pytest.mark.parametrize(
    ("path", "allow_private", "code"),
    [
        ("/logo.png", True, "not_a_feed"),
        ("/missing.xml", True, "http_status"),
        ("/rss.xml", False, "blocked_address"),
    ],
)
async def test_fetch_feed_errors(
    server: FeedServer,
    session: aiohttp.ClientSession,
    path: str,
    allow_private: bool,
    code: str,
) -> None:
    with pytest.raises(FeedError) as info:
        await fetch_feed(session, FeedState(url=server.url(path)), allow_private=allow_private)
    assert info.value.code == code


async def test_fetch_feed_bad_scheme(session: aiohttp.ClientSession) -> None:
    with pytest.raises(FeedError) as info:
        await fetch_feed(session, FeedState(url="file:///etc/passwd"))
    assert info.value.code == "bad_scheme"
