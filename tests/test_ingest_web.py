"""safe_fetch / extract_article / import_url against a local aiohttp server on 127.0.0.1.

Name resolution for made-up host names is faked by replacing the running loop's getaddrinfo, so
no test touches DNS or any network beyond 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import gzip
import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.domain import Photo
from bot.ingest import fetch as fetch_module
from bot.ingest.fetch import FetchError, is_blocked_address, safe_fetch
from bot.ingest.web import extract_article, import_url, split_lead

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE_HTML = (FIXTURES / "web_article.html").read_bytes()
MINIMAL_HTML = (FIXTURES / "web_minimal.html").read_bytes()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
BIG = 3_000_000


@dataclass
class Server:
    port: int
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # path, Host, hdrs

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


def _app(release: asyncio.Event, state: dict[str, Any]) -> web.Application:
    Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        state["seen"].append((request.path, request.host, dict(request.headers)))
        return await handler(request)

    async def article(_: web.Request) -> web.Response:
        return web.Response(body=ARTICLE_HTML, content_type="text/html", charset="utf-8")

    async def empty(_: web.Request) -> web.Response:
        return web.Response(text="<html><body></body></html>", content_type="text/html")

    async def image(_: web.Request) -> web.Response:
        return web.Response(body=PNG, content_type="image/png")

    async def huge(_: web.Request) -> web.Response:
        return web.Response(body=b"<p>" + b"a" * BIG, content_type="text/html")

    async def huge_stream(request: web.Request) -> web.StreamResponse:
        # Chunked, no Content-Length: only counting while streaming can stop it.
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            for _ in range(BIG // 65536 + 1):
                await response.write(b"a" * 65536)
        except ConnectionError:
            pass  # the client hung up at its cap, as intended
        return response

    async def gzip_bomb(_: web.Request) -> web.Response:
        # ~3 KB on the wire, 3 MB once decompressed: the cap must count decompressed bytes.
        body = gzip.compress(b"<p>" + b"a" * BIG)
        return web.Response(
            body=body, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}
        )

    async def redirect(request: web.Request) -> web.Response:
        left = int(request.match_info["n"])
        target = f"/redirect/{left - 1}" if left > 1 else "/article"
        raise web.HTTPFound(target)  # relative Location, resolved against the current hop

    async def to(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["url"])

    async def no_location(_: web.Request) -> web.Response:
        return web.Response(status=302)

    async def status(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="nope")

    async def hang(_: web.Request) -> web.Response:
        await release.wait()  # released at teardown; the client gives up first
        return web.Response(text="late", content_type="text/html")

    async def echo(_: web.Request) -> web.Response:
        return web.Response(text="<html><body><p>echo</p></body></html>", content_type="text/html")

    app = web.Application(middlewares=[record])
    app.router.add_get("/article", article)
    app.router.add_get("/empty", empty)
    app.router.add_get("/image.png", image)
    app.router.add_get("/huge", huge)
    app.router.add_get("/huge-stream", huge_stream)
    app.router.add_get("/gzip", gzip_bomb)
    app.router.add_get("/redirect/{n}", redirect)
    app.router.add_get("/to", to)
    app.router.add_get("/no-location", no_location)
    app.router.add_get("/status/{code}", status)
    app.router.add_get("/hang", hang)
    app.router.add_get("/echo", echo)
    return app


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    release = asyncio.Event()
    state: dict[str, Any] = {"seen": []}
    runner = web.AppRunner(_app(release, state))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    srv = Server(port=runner.addresses[0][1])
    srv.seen = state["seen"]
    yield srv
    release.set()
    await runner.cleanup()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def fake_dns(monkeypatch: pytest.MonkeyPatch, table: dict[str, list[str]]) -> list[str]:
    """Answer getaddrinfo from ``table``; unknown names fail like NXDOMAIN. Returns the calls."""
    loop = asyncio.get_running_loop()
    calls: list[str] = []

    async def getaddrinfo(
        host: str, port: int, *, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
    ) -> list[tuple[Any, ...]]:
        calls.append(host)
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port, 0, 0))
            if ":" in ip
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in table[host]
        ]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)
    return calls


async def fetch_error(coro: Awaitable[object]) -> FetchError:
    with pytest.raises(FetchError) as info:
        await coro
    return info.value


# --- import / extraction -------------------------------------------------------------------


async def test_import_url_extracts_the_article(
    server: Server, session: aiohttp.ClientSession
) -> None:
    article = await import_url(session, server.url("/article"), allow_private=True)

    assert article.title == "ОЭСР проверила уровень добропорядочности госорганов Казахстана"
    assert article.lead == (
        "В ходе визита эксперты обсудили вопросы взаимодействия госорганов с гражданским обществом"
    )
    assert len(article.body) == 6
    assert article.body[0].startswith("Группа экспертов ОЭСР провела обзор")
    assert article.body[-1].endswith("повышения подотчетности обществу.")
    # Navigation, related links, share buttons and the footer are not article text.
    text = "\n".join(article.body)
    assert "Читайте также" not in text and "Все права защищены" not in text
    assert "Поделиться" not in text and article.title not in article.body
    assert article.photos == (
        Photo(
            ref="https://el.kz/storage/news/2022/11/14/oecd_antikor_1200x630.jpg",
            is_url=True,
            width=1200,
            height=630,
        ),
    )
    assert article.photo_credit == "t.me/antikornews"
    assert article.published_at == datetime(2022, 11, 14, 7, 33, tzinfo=UTC)
    assert article.source_name == "El.kz"
    canonical = (
        "https://el.kz/ru/oesr-proverila-uroven-dobroporyadochnosti-gosorganov-kazahstana_62154/"
    )
    assert article.canonical_url == canonical
    assert article.source_url == canonical
    assert article.tags == ("ОЭСР", "коррупция")
    assert article.language == "ru"


def test_extract_article_uses_json_ld_and_final_url() -> None:
    url = "https://www.riverside-gazette.example/news/lanes"
    article = extract_article(MINIMAL_HTML, url=url)

    assert article.title == "City council approves new cycling lanes"
    # The meta description is the first paragraph cut short: the full paragraph leads.
    assert article.lead.startswith("Twelve kilometres of protected lanes will be built by 2026, ")
    assert article.body[0].startswith("The plan, which passed by nine votes to four")
    assert article.body[-1] == (
        "Construction of the first section is due to start in September & will take about "
        "four months."
    )
    assert not any("Jane Doe" in p or "Privacy" in p for p in article.body)
    assert article.photos == (
        Photo(ref="https://www.riverside-gazette.example/img/lanes.jpg", is_url=True),
    )
    assert article.published_at == datetime(2024, 3, 5, 13, 15, tzinfo=UTC)
    assert article.canonical_url == ""
    assert article.source_url == url
    assert article.source_name == "Riverside Gazette"
    assert article.language == "en"


def test_extract_article_falls_back_to_hostname_and_relative_image() -> None:
    html = """<html><head><title>Water prices rise</title>
    <meta property="og:image" content="/media/tap.jpg">
    <link rel="canonical" href="/2024/water-prices">
    </head><body><article><h1>Water prices rise</h1>
    <p>Households will pay eight per cent more for water from July, the regulator said today
    in a statement published on its website after months of negotiations.</p>
    <p>The increase is the largest in a decade and follows a rise in energy costs that the
    utility says it can no longer absorb without cutting its investment programme.</p>
    </article></body></html>"""
    article = extract_article(html, url="https://www.daily.example.org/x?id=1")

    assert article.source_name == "daily.example.org"
    assert article.photos == (
        Photo(ref="https://www.daily.example.org/media/tap.jpg", is_url=True),
    )
    assert article.canonical_url == "https://www.daily.example.org/2024/water-prices"
    assert article.lead.startswith("Households will pay eight per cent more")
    assert article.body == (
        "The increase is the largest in a decade and follows a rise in energy costs that the "
        "utility says it can no longer absorb without cutting its investment programme.",
    )
    assert article.published_at is None
    assert article.language == ""


@pytest.mark.parametrize("html", [b"", "<html></html>", b"<html><body> \n </body></html>"])
def test_extract_article_of_empty_page(html: bytes | str) -> None:
    article = extract_article(html, url="https://www.example.net/a")
    assert (article.title, article.lead, article.body, article.photos) == ("", "", (), ())
    assert article.source_name == "example.net"
    assert article.source_url == "https://www.example.net/a"


def test_extract_article_never_raises_on_binary() -> None:
    article = extract_article(PNG + bytes(range(256)), url="https://example.net/img")
    assert article.source_url == "https://example.net/img"


def test_split_lead_heuristics() -> None:
    paragraphs = ["First paragraph in full, with detail.", "Second."]
    assert split_lead("First paragraph in full…", paragraphs) == (paragraphs[0], ("Second.",))
    assert split_lead("", paragraphs) == (paragraphs[0], ("Second.",))
    assert split_lead("A separate standfirst.", paragraphs) == (
        "A separate standfirst.",
        tuple(paragraphs),
    )
    assert split_lead("", []) == ("", ())


async def test_import_url_without_article_is_no_content(
    server: Server, session: aiohttp.ClientSession
) -> None:
    error = await fetch_error(import_url(session, server.url("/empty"), allow_private=True))
    assert error.code == "no_content"


# --- fetch guards --------------------------------------------------------------------------


async def test_fetched_page_fields(server: Server, session: aiohttp.ClientSession) -> None:
    page = await safe_fetch(session, server.url("/article#top"), allow_private=True)
    assert page.url == server.url("/article")
    assert (page.status, page.content_type, page.charset) == (200, "text/html", "utf-8")
    assert page.body == ARTICLE_HTML
    assert page.headers["content-type"] == page.headers["Content-Type"]


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/x", "file:///etc/passwd", "javascript:alert(1)", "127.0.0.1/x", "http://"],
)
async def test_bad_scheme(session: aiohttp.ClientSession, url: str) -> None:
    error = await fetch_error(safe_fetch(session, url, allow_private=True))
    assert error.code == "bad_scheme"


async def test_loopback_refused_without_connecting(
    server: Server, session: aiohttp.ClientSession
) -> None:
    error = await fetch_error(safe_fetch(session, server.url("/article")))
    assert error.code == "blocked_address"
    assert error.params["address"] == "127.0.0.1"
    assert server.seen == []  # refused before any connection


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://169.254.169.254/latest/meta-data/",
        "http://2130706433/",  # 127.0.0.1 as one decimal number: resolves to loopback
    ],
)
async def test_disguised_private_urls_refused(session: aiohttp.ClientSession, url: str) -> None:
    error = await fetch_error(safe_fetch(session, url))
    assert error.code == "blocked_address"


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("8.8.8.8", False),
        ("93.184.216.34", False),
        ("2606:4700:4700::1111", False),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("127.0.0.1", True),
        ("100.64.0.1", True),  # shared address space (CGNAT)
        ("169.254.169.254", True),  # cloud metadata
        ("0.0.0.0", True),
        ("224.0.0.251", True),
        ("240.0.0.1", True),
        ("255.255.255.255", True),
        ("::", True),
        ("::1", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("ff02::1", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:10.0.0.1", True),
        ("2002:7f00:1::", True),  # 6to4 around 127.0.0.1
        ("64:ff9b::a00:1", True),  # NAT64 around 10.0.0.1
    ],
)
def test_is_blocked_address(address: str, blocked: bool) -> None:
    assert is_blocked_address(address) is blocked


async def test_name_resolving_to_private_is_refused(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {"intranet.test": ["192.168.0.5"], "mixed.test": ["8.8.8.8", "::1"]})
    error = await fetch_error(safe_fetch(session, "http://intranet.test/"))
    assert (error.code, error.params["address"]) == ("blocked_address", "192.168.0.5")
    # One private record is enough: a later connect could pick it.
    error = await fetch_error(safe_fetch(session, "https://mixed.test/"))
    assert (error.code, error.params["address"]) == ("blocked_address", "::1")


async def test_connects_to_the_validated_address_only(
    server: Server, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = fake_dns(monkeypatch, {"news.test": ["127.0.0.1"]})
    page = await safe_fetch(session, server.url("/article", host="news.test"), allow_private=True)

    assert page.url == server.url("/article", host="news.test")
    # Resolved once, by us: aiohttp was handed the IP, so it could not resolve again (and get
    # a different, rebound answer).
    assert calls == ["news.test"]
    assert [(path, host) for path, host, _ in server.seen] == [
        ("/article", f"news.test:{server.port}")
    ]


async def test_tries_each_validated_address(
    server: Server, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ::1 is refused (the server listens on 127.0.0.1 only); the next address answers.
    fake_dns(monkeypatch, {"dual.test": ["::1", "127.0.0.1"]})
    page = await safe_fetch(session, server.url("/article", host="dual.test"), allow_private=True)
    assert page.status == 200


async def test_dns_failure(
    session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {})
    error = await fetch_error(safe_fetch(session, "https://no-such-host.test/a"))
    assert (error.code, error.params["host"]) == ("dns", "no-such-host.test")


async def test_redirect_chain_is_followed(server: Server, session: aiohttp.ClientSession) -> None:
    page = await safe_fetch(
        session, server.url("/redirect/3"), allow_private=True, max_redirects=3
    )
    assert page.url == server.url("/article")
    assert page.body == ARTICLE_HTML
    assert [path for path, _, _ in server.seen] == [
        "/redirect/3",
        "/redirect/2",
        "/redirect/1",
        "/article",
    ]


async def test_too_many_redirects(server: Server, session: aiohttp.ClientSession) -> None:
    error = await fetch_error(
        safe_fetch(session, server.url("/redirect/4"), allow_private=True, max_redirects=3)
    )
    assert (error.code, error.params["max_redirects"]) == ("too_many_redirects", 3)
    assert len(server.seen) == 4


async def test_redirect_into_private_address_is_refused(
    server: Server, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Treat the test server's 127.0.0.1 as public so the first hop is allowed, while keeping
    # every other rule: the redirect target must still be checked and refused.
    real = is_blocked_address
    monkeypatch.setattr(
        fetch_module, "is_blocked_address", lambda ip: str(ip) != "127.0.0.1" and real(ip)
    )
    fake_dns(monkeypatch, {"router.test": ["192.168.1.1"]})
    for target in ("http://10.0.0.1/admin", "http://router.test/"):
        error = await fetch_error(
            safe_fetch(session, server.url(f"/to?url={target}"), allow_private=False)
        )
        assert error.code == "blocked_address"
    assert [path for path, _, _ in server.seen] == ["/to", "/to"]


async def test_redirect_to_other_scheme_and_without_location(
    server: Server, session: aiohttp.ClientSession
) -> None:
    error = await fetch_error(
        safe_fetch(session, server.url("/to?url=ftp://127.0.0.1/x"), allow_private=True)
    )
    assert error.code == "bad_scheme"
    error = await fetch_error(safe_fetch(session, server.url("/no-location"), allow_private=True))
    assert (error.code, error.params["status"]) == ("http_status", 302)


async def test_credentials_not_forwarded_to_another_origin(
    server: Server, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dns(monkeypatch, {"other.test": ["127.0.0.1"]})
    target = server.url("/echo", host="other.test")
    await safe_fetch(
        session,
        server.url(f"/to?url={target}"),
        allow_private=True,
        extra_headers={"Authorization": "Bearer secret", "X-Trace": "42"},
    )
    (_, _, first), (_, host, second) = server.seen
    assert first["Authorization"] == "Bearer secret"
    assert host == f"other.test:{server.port}"
    assert "Authorization" not in second
    assert second["X-Trace"] == "42"


async def test_not_html(server: Server, session: aiohttp.ClientSession) -> None:
    error = await fetch_error(safe_fetch(session, server.url("/image.png"), allow_private=True))
    assert (error.code, error.params["content_type"]) == ("not_html", "image/png")
    page = await safe_fetch(
        session, server.url("/image.png"), allow_private=True, accept=("image/png",)
    )
    assert page.body == PNG


@pytest.mark.parametrize("path", ["/huge", "/huge-stream", "/gzip"])
async def test_too_large(server: Server, session: aiohttp.ClientSession, path: str) -> None:
    error = await fetch_error(
        safe_fetch(session, server.url(path), allow_private=True, max_bytes=1_000_000)
    )
    assert (error.code, error.params["max_bytes"]) == ("too_large", 1_000_000)


async def test_gzip_under_the_cap_is_decompressed(
    server: Server, session: aiohttp.ClientSession
) -> None:
    page = await safe_fetch(session, server.url("/gzip"), allow_private=True, max_bytes=BIG + 10)
    assert len(page.body) == BIG + 3


@pytest.mark.parametrize("status", [404, 410, 500, 503])
async def test_http_status(server: Server, session: aiohttp.ClientSession, status: int) -> None:
    error = await fetch_error(
        safe_fetch(session, server.url(f"/status/{status}"), allow_private=True)
    )
    assert (error.code, error.params["status"]) == ("http_status", status)


async def test_timeout(server: Server, session: aiohttp.ClientSession) -> None:
    error = await fetch_error(
        safe_fetch(session, server.url("/hang"), allow_private=True, timeout=0.2)
    )
    assert error.code == "timeout"
    assert [path for path, _, _ in server.seen] == ["/hang"]


async def test_unreachable(session: aiohttp.ClientSession) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = await fetch_error(safe_fetch(session, f"http://127.0.0.1:{port}/", allow_private=True))
    assert (error.code, error.params["reason"]) == ("unreachable", "connect")


@pytest.fixture
def tls_cert(tmp_path: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for the name ``secure.test`` (cert, key)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not available to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=secure.test",
            "-addext", "subjectAltName=DNS:secure.test", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


async def test_https_checks_the_certificate_against_the_host_name(
    tls_cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # We connect to the IP we validated, but TLS must still be verified for the *name*.
    cert, key = tls_cert
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    client_ctx = ssl.create_default_context(cafile=str(cert))

    async def article(_: web.Request) -> web.Response:
        return web.Response(body=ARTICLE_HTML, content_type="text/html")

    app = web.Application()
    app.router.add_get("/article", article)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ctx).start()
    port = runner.addresses[0][1]
    fake_dns(monkeypatch, {"secure.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=client_ctx)) as client:
            url = f"https://secure.test:{port}/article"
            page = await safe_fetch(client, url, allow_private=True)
            assert (page.url, page.body) == (url, ARTICLE_HTML)
            # Same IP, a name the certificate does not cover: the handshake must fail.
            for wrong in (f"https://other.test:{port}/article", f"https://127.0.0.1:{port}/"):
                error = await fetch_error(safe_fetch(client, wrong, allow_private=True))
                assert (error.code, error.params["reason"]) == ("unreachable", "tls")
    finally:
        await runner.cleanup()
