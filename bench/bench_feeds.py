"""Poll-cycle benchmark: 200 local feeds of ~20 items, fetched and parsed with bounded concurrency.

Run: ``/tmp/venv/bin/python bench/bench_feeds.py [--feeds 200] [--items 20] [--concurrency 10]``

Cycle 1 fetches and parses every feed (200 responses); cycle 2 repeats with the ETag /
Last-Modified each feed returned, so every answer is a 304 and nothing is parsed. The server runs
in the same process and event loop on 127.0.0.1, so the figures include its cost too.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.ingest.feeds import FeedFetchResult, FeedState, fetch_feed, parse_feed

_PROSE = (
    "правительство парламент бюджет реформа регион выборы экономика рынок инфляция банк "
    "council budget reform region election economy market inflation bank transport city "
    "school hospital energy water court minister agency report survey"
)
WORDS = _PROSE.split()


def make_feed(index: int, items: int, rng: random.Random) -> bytes:
    """A realistic RSS 2.0 feed: guid, link with tracking, HTML description and content."""
    base = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
    entries = []
    for n in range(items):
        title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
        paragraphs = "".join(
            "<p>" + " ".join(rng.choice(WORDS) for _ in range(40)) + ".</p>" for _ in range(5)
        )
        published = format_datetime(base - timedelta(minutes=17 * n))
        lead = escape("<p>" + " ".join(rng.choice(WORDS) for _ in range(25)) + "</p>")
        entries.append(
            f"""<item>
  <title>{escape(title)}</title>
  <link>https://site{index}.example/news/{n}/?utm_source=rss&amp;utm_medium=feed</link>
  <guid isPermaLink="false">site{index}-{n}</guid>
  <pubDate>{published}</pubDate>
  <category>{rng.choice(WORDS)}</category>
  <description>{lead}</description>
  <content:encoded><![CDATA[{paragraphs}]]></content:encoded>
  <enclosure url="https://site{index}.example/img/{n}.jpg" length="120000" type="image/jpeg"/>
</item>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>Site {index} news</title>
<link>https://site{index}.example/</link>
<description>Feed {index}</description>
<language>ru</language>
{"".join(entries)}
</channel>
</rss>""".encode()


async def start_server(feeds: list[bytes]) -> tuple[web.AppRunner, int]:
    etags = [f'"{hashlib.sha1(feed).hexdigest()[:16]}"' for feed in feeds]
    last_modified = "Tue, 05 Mar 2024 12:00:00 GMT"

    async def handler(request: web.Request) -> web.Response:
        index = int(request.match_info["n"])
        if request.headers.get("If-None-Match") == etags[index]:
            return web.Response(status=304, headers={"ETag": etags[index]})
        return web.Response(
            body=feeds[index],
            headers={
                "Content-Type": "application/rss+xml; charset=utf-8",
                "ETag": etags[index],
                "Last-Modified": last_modified,
            },
        )

    app = web.Application()
    app.router.add_get("/feed/{n}.xml", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, runner.addresses[0][1]


async def poll_cycle(
    session: aiohttp.ClientSession, states: list[FeedState], concurrency: int
) -> tuple[float, list[FeedFetchResult]]:
    limit = asyncio.Semaphore(concurrency)

    async def one(state: FeedState) -> FeedFetchResult:
        async with limit:
            return await fetch_feed(session, state, allow_private=True)

    started = time.perf_counter()
    results = await asyncio.gather(*(one(state) for state in states))
    return time.perf_counter() - started, list(results)


async def main(feed_count: int, items: int, concurrency: int) -> None:
    rng = random.Random(2024)
    feeds = [make_feed(i, items, rng) for i in range(feed_count)]
    size = sum(len(feed) for feed in feeds)
    runner, port = await start_server(feeds)
    try:
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:
            states = [
                FeedState(url=f"http://127.0.0.1:{port}/feed/{i}.xml") for i in range(feed_count)
            ]
            elapsed, results = await poll_cycle(session, states, concurrency)
            total = sum(len(result.items) for result in results)
            print(
                f"cycle 1 (full):  {feed_count} feeds, {total} items, {size / 1e6:.1f} MB "
                f"in {elapsed:.2f} s -> {total / elapsed:,.0f} items/s, "
                f"{feed_count / elapsed:,.1f} feeds/s (concurrency {concurrency})"
            )
            states = [
                FeedState(url=state.url, etag=result.etag, last_modified=result.last_modified)
                for state, result in zip(states, results, strict=True)
            ]
            elapsed, results = await poll_cycle(session, states, concurrency)
            unchanged = sum(result.not_modified for result in results)
            print(
                f"cycle 2 (304):   {feed_count} feeds, {unchanged} not modified "
                f"in {elapsed:.2f} s -> {feed_count / elapsed:,.1f} feeds/s"
            )
    finally:
        await runner.cleanup()
    # Attribution: parsing alone, sequential, no HTTP (the part the GIL serialises anyway).
    started = time.perf_counter()
    for i, feed in enumerate(feeds):
        parse_feed(feed, url=f"https://site{i}.example/rss")
    elapsed = time.perf_counter() - started
    print(
        f"parse only:      {feed_count} feeds in {elapsed:.2f} s -> "
        f"{feed_count * items / elapsed:,.0f} items/s, {1000 * elapsed / feed_count:.1f} ms/feed"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(main(args.feeds, args.items, args.concurrency))
