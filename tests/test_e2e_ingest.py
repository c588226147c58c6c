"""End to end over HTTP: every way an article reaches the newsroom becomes a clean draft.

Photos, albums, forwarded channel posts, links served by a local web server, the /new dialog,
and the bad inputs that must get a polite answer and store nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.domain import Article, ArticleStatus
from fakegram.harness import ADMIN_CHAT_ID, EDITOR_ID
from tests.test_e2e_workflow import SHORT_ARTICLE, Desk, flat, header_of, live, open_desk

PAGE = """<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Harbour bridge reopens after repairs | Coast Gazette</title>
<meta property="og:title" content="Harbour bridge reopens after repairs">
<meta property="og:site_name" content="Coast Gazette">
<meta property="article:published_time" content="2026-03-09T08:30:00+00:00">
<link rel="canonical" href="{base}/news/harbour-bridge">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article>
<h1>Harbour bridge reopens after repairs</h1>
<p>The harbour bridge reopened to traffic on Monday after eight months of repairs that replaced
the deck and both expansion joints, the city's transport department said.</p>
<p>Engineers found corrosion in the steel beams during a routine inspection last spring, and the
bridge was closed to all vehicles in July while contractors worked in two shifts.</p>
<p>Buses will return to their usual routes from Tuesday morning. Cyclists get a separated lane on
the eastern side, which the council says will be finished before the summer season.</p>
<p>The repairs cost 14 million, two million more than planned, mostly because of the price of
steel, according to the department's report published on Friday.</p>
</article>
<footer>© Coast Gazette</footer>
</body></html>
"""


async def stored(desk: Desk) -> list[Article]:
    async with desk.sb.bot_app.db.read() as uow:
        items, _total = await uow.articles.page()
    return items


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    async with open_desk(tmp_path, editor_language="en") as d:
        yield d


@pytest.fixture
async def site() -> AsyncIterator[str]:
    """A local web server: an article page, a 404, and an image."""

    async def article(request: web.Request) -> web.Response:
        base = f"http://{request.host}"
        return web.Response(text=PAGE.replace("{base}", base), content_type="text/html")

    async def image(request: web.Request) -> web.Response:
        return web.Response(body=b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")

    app = web.Application()
    app.router.add_get("/news/harbour-bridge", article)
    app.router.add_get("/photo.png", image)
    runner = web.AppRunner(app)
    await runner.setup()
    server = web.TCPSite(runner, "127.0.0.1", 0)
    await server.start()
    port = server._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


# --- photos -------------------------------------------------------------------------------------


async def test_photo_with_caption_becomes_a_draft_with_that_photo(desk: Desk) -> None:
    tg = desk.tg
    tg.send_photo(EDITOR_ID, caption=SHORT_ARTICLE)
    await desk.until(lambda: desk.header(EDITOR_ID, 1) is not None)
    [article] = await stored(desk)
    assert article.content.title == "City council approves new bus lanes"
    assert len(article.content.photos) == 1
    preview = [m for m in live(tg, EDITOR_ID) if m.photo]
    assert len(preview) == 1
    assert preview[0].photo_file_id == article.content.photos[0].ref
    assert preview[0].html is not None
    assert preview[0].html.startswith("<b>City council approves new bus lanes</b>")


async def test_album_becomes_one_draft_with_three_photos(desk: Desk) -> None:
    tg = desk.tg
    tg.send_photo(EDITOR_ID, caption=SHORT_ARTICLE, media_group_id="album-1")
    tg.send_photo(EDITOR_ID, media_group_id="album-1")
    tg.send_photo(EDITOR_ID, media_group_id="album-1")

    async def three() -> bool:
        items = await stored(desk)
        return len(items) == 1 and len(items[0].content.photos) == 3

    await tg.wait_until_updates_consumed()
    # The preview ends as an album of three photos followed by the header.
    await desk.until(
        lambda: (
            len([m for m in live(tg, EDITOR_ID) if m.media_group_id]) == 3
            and desk.header(EDITOR_ID, 1) is not None
            and desk.header(EDITOR_ID, 1).message_id  # type: ignore[union-attr]
            > max(m.message_id for m in live(tg, EDITOR_ID) if m.media_group_id)
        )
    )
    assert await three()
    [article] = await stored(desk)
    assert article.content.title == "City council approves new bus lanes"
    album = [m for m in live(tg, EDITOR_ID) if m.media_group_id]
    assert len({m.media_group_id for m in album}) == 1
    assert [m.photo_file_id for m in album] == [p.ref for p in article.content.photos]
    assert album[0].caption is not None and album[0].caption.startswith("City council")


# --- forwarded channel posts ------------------------------------------------------------------


async def test_forwarded_public_channel_post(desk: Desk) -> None:
    tg = desk.tg
    tg.forward_channel_post(
        EDITOR_ID,
        channel_id=-1005550001,
        channel_username="citywire",
        channel_title="City Wire",
        message_id=4242,
        text=SHORT_ARTICLE,
    )
    await desk.until(lambda: desk.header(EDITOR_ID, 1) is not None)
    [article] = await stored(desk)
    assert article.origin == "forward"
    assert article.content.title == "City council approves new bus lanes"
    assert article.content.source_name == "City Wire"
    assert article.content.original_url == "https://t.me/citywire/4242"
    assert article.content.source_url == "https://t.me/citywire/4242"


async def test_forwarded_photo_post_from_private_channel_has_no_link(desk: Desk) -> None:
    tg = desk.tg
    tg.forward_channel_post(
        EDITOR_ID,
        channel_id=-1005550002,
        channel_username=None,
        channel_title="Closed Newsroom",
        message_id=7,
        caption=SHORT_ARTICLE,
        photo=True,
    )
    await desk.until(lambda: desk.header(EDITOR_ID, 1) is not None)
    [article] = await stored(desk)
    assert article.content.source_name == "Closed Newsroom"
    assert article.content.original_url == ""
    assert len(article.content.photos) == 1


# --- links --------------------------------------------------------------------------------------


async def test_bare_url_imports_the_page(desk: Desk, site: str) -> None:
    tg = desk.tg
    url = f"{site}/news/harbour-bridge"
    tg.send_text(EDITOR_ID, url)
    await desk.until(lambda: desk.header(EDITOR_ID, 1) is not None)
    [article] = await stored(desk)
    assert article.origin == "url"
    assert article.content.title == "Harbour bridge reopens after repairs"
    assert article.content.source_name == "Coast Gazette"
    assert article.content.canonical_url == url
    assert article.content.source_url == url
    assert any(
        "eight months of repairs" in p for p in (article.content.lead, *article.content.body)
    )
    assert "Home" not in " ".join(article.content.body)
    # The "Fetching…" progress message was replaced by the preview.
    assert not any("Fetching" in m.visible for m in live(tg, EDITOR_ID))


async def test_import_command(desk: Desk, site: str) -> None:
    desk.tg.send_text(EDITOR_ID, f"/import {site}/news/harbour-bridge")
    await desk.until(lambda: desk.header(EDITOR_ID, 1) is not None)
    [article] = await stored(desk)
    assert article.content.title == "Harbour bridge reopens after repairs"


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/missing", "answered with an error"), ("/photo.png", "not a web page")],
)
async def test_bad_url_gets_a_polite_answer(
    desk: Desk, site: str, path: str, expected: str
) -> None:
    tg = desk.tg
    tg.send_text(EDITOR_ID, site + path)
    await desk.until(lambda: expected in desk.last(EDITOR_ID))
    assert await stored(desk) == []


# --- /new ---------------------------------------------------------------------------------------


async def test_new_dialog_end_to_end(desk: Desk) -> None:
    tg = desk.tg
    [ask_title] = await desk.say(EDITOR_ID, "/new")
    assert "title" in ask_title.visible
    [ask_text] = await desk.say(EDITOR_ID, "Night trains return to the coast")
    assert "text" in ask_text.visible
    [ask_photo] = await desk.say(
        EDITOR_ID, "Two routes restart in June.\n\nTickets go on sale next week."
    )
    assert "photo" in ask_photo.visible
    before = len(tg.messages(EDITOR_ID))
    tg.send_photo(EDITOR_ID)
    await desk.until(lambda: len(tg.messages(EDITOR_ID)) > before)
    assert "source" in tg.messages(EDITOR_ID)[-1].visible
    tg.send_text(EDITOR_ID, "Rail Agency https://rail.example.org/night-trains")
    await desk.until(lambda: desk.header(EDITOR_ID, 1) is not None)
    [article] = await stored(desk)
    assert article.origin == "dialog"
    assert article.content.title == "Night trains return to the coast"
    assert article.content.lead == "Two routes restart in June."
    assert article.content.body == ("Tickets go on sale next week.",)
    assert len(article.content.photos) == 1
    assert article.content.source_name == "Rail Agency"
    assert article.content.source_url == "https://rail.example.org/night-trains"


async def test_new_dialog_cancel_stores_nothing(desk: Desk) -> None:
    await desk.say(EDITOR_ID, "/new")
    await desk.say(EDITOR_ID, "A title that goes nowhere")
    [cancelled] = await desk.say(EDITOR_ID, "/cancel")
    assert "Cancelled" in cancelled.visible
    assert await stored(desk) == []


# --- guard rails --------------------------------------------------------------------------------


async def test_near_duplicate_title_mentions_the_first_article(desk: Desk) -> None:
    first, _ = await desk.paste(SHORT_ARTICLE)
    second, header = await desk.paste(
        "City council approves new bus lane\n\nA second wire copy of the same story."
    )
    assert second != first
    assert f"Looks like #{first}" in header.visible
    assert len(await stored(desk)) == 2  # the draft is still created


async def test_document_and_sticker_get_a_polite_answer(desk: Desk) -> None:
    tg = desk.tg
    tg.send_document(EDITOR_ID, "story.docx", "application/msword")
    await desk.until(lambda: "can't make an article" in desk.last(EDITOR_ID))
    tg.send_sticker(EDITOR_ID)
    await desk.until(lambda: len(tg.messages(EDITOR_ID)) == 2)
    assert "can't make an article" in tg.messages(EDITOR_ID)[-1].visible
    assert await stored(desk) == []
    assert tg.messages(ADMIN_CHAT_ID) == []


@pytest.mark.parametrize("text", ["   ", "\n\n\t \n"])
async def test_empty_message_gets_a_polite_answer(desk: Desk, text: str) -> None:
    [reply] = await desk.say(EDITOR_ID, text)
    assert "empty" in reply.visible
    assert await stored(desk) == []


async def test_paste_over_the_size_limit(tmp_path: Path) -> None:
    async with open_desk(tmp_path, editor_language="en", max_article_chars=1000) as desk:
        long_text = "A headline\n\n" + "Word " * 400
        [reply] = await desk.say(EDITOR_ID, long_text)
        assert "too long" in reply.visible and "1000" in reply.visible
        assert await stored(desk) == []
        # Just under the limit is fine.
        _id, header = await desk.paste("A headline\n\n" + "Word " * 150)
        assert header_of(header).startswith("Draft #")


async def test_russian_editor_gets_russian_error(tmp_path: Path) -> None:
    async with open_desk(tmp_path) as desk:
        [reply] = await desk.say(EDITOR_ID, "   ")
        assert "Сообщение пустое" in reply.visible
        article_id, header = await desk.paste(SHORT_ARTICLE)
        assert header_of(header).startswith(f"Черновик #{article_id}")
        assert (await stored(desk))[0].status is ArticleStatus.DRAFT
        assert flat(header)


async def test_photo_too_large_for_telegram(desk: Desk) -> None:
    desk.tg.send_photo(EDITOR_ID, caption=SHORT_ARTICLE, file_size=12_000_000)
    await desk.until(lambda: "larger than Telegram allows" in desk.last(EDITOR_ID))
    assert "(10 MB)" in desk.last(EDITOR_ID)  # the limit, from bot.limits
    assert await stored(desk) == []


async def test_same_url_twice_mentions_the_first_import(desk: Desk, site: str) -> None:
    url = f"{site}/news/harbour-bridge"
    desk.tg.send_text(EDITOR_ID, url)
    await desk.until(lambda: desk.header(EDITOR_ID, 1) is not None)
    desk.tg.send_text(EDITOR_ID, f"/import {url}")
    await desk.until(lambda: desk.header(EDITOR_ID, 2) is not None)
    header = desk.header(EDITOR_ID, 2)
    assert header is not None and "Looks like #1" in header.visible


# --- regressions of bugs these tests found ---------------------------------------------------


async def test_album_with_caption_on_the_second_item_keeps_the_text(desk: Desk) -> None:
    tg = desk.tg
    tg.send_photo(EDITOR_ID, media_group_id="album-2")
    tg.send_photo(EDITOR_ID, caption=SHORT_ARTICLE, media_group_id="album-2")
    await tg.wait_until_updates_consumed()
    await desk.until(
        lambda: (
            len([m for m in live(tg, EDITOR_ID) if m.media_group_id]) == 2
            and desk.header(EDITOR_ID, 1) is not None
        )
    )
    [article] = await stored(desk)
    assert len(article.content.photos) == 2
    assert article.content.title == "City council approves new bus lanes"
