"""Compose throughput on one core: the OECD fixture article and a ~30 KB one.

Run: ``python bench/bench_compose.py`` (from the repository root). Prints articles/s per layout.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.compose import check, compose  # noqa: E402
from bot.domain import ArticleContent, ChannelTemplate, Layout, Photo  # noqa: E402


def fixture_article() -> ArticleContent:
    path = ROOT / "tests" / "fixtures" / "oecd_kazakhstan_integrity.txt"
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Группа экспертов ОЭСР"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("Поделитесь"))
    return ArticleContent(
        title="ОЭСР проверила уровень добропорядочности госорганов Казахстана",
        lead="В ходе визита эксперты обсудили вопросы взаимодействия госорганов с гражданским "
        "обществом",
        body=tuple(lines[start:end]),
        photos=(Photo("AgACAgIAAxkBAAIBOGVx", width=1280, height=720),),
        photo_credit="t.me/antikornews",
        source_name="El.kz",
        source_url="https://el.kz/news/oecd",
        original_source="Антикор РК",
    )


def rate(article: ArticleContent, template: ChannelTemplate, seconds: float = 1.0) -> float:
    n = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(100):
            compose(article, template)
        n += 100
        now = time.perf_counter()
        if now >= deadline:
            return n / (now - start)


def main() -> None:
    article = fixture_article()
    body = article.body * 15
    long = ArticleContent(**{**{f: getattr(article, f) for f in article.__slots__}, "body": body})
    print(f"fixture body: {sum(map(len, article.body))} chars; long body: {sum(map(len, body))}")
    url_photo = (Photo("https://el.kz/p.jpg", is_url=True),)
    cases = [
        ("fixture, auto (file photo -> split)", article, ChannelTemplate()),
        ("fixture, auto (URL photo -> preview)",
         ArticleContent(**{**{f: getattr(article, f) for f in article.__slots__},
                           "photos": url_photo}),
         ChannelTemplate()),
        ("fixture, caption (cut at a sentence)", article, ChannelTemplate(layout=Layout.CAPTION)),
        ("fixture, channel tags", article, ChannelTemplate(tag_list=("Казахстан", "ОЭСР"))),
        ("~30 KB, auto (split)", long, ChannelTemplate()),
        ("~30 KB, caption", long, ChannelTemplate(layout=Layout.CAPTION)),
        ("~30 KB, no photo (text messages)",
         ArticleContent(**{**{f: getattr(long, f) for f in long.__slots__}, "photos": ()}),
         ChannelTemplate()),
    ]  # fmt: skip
    for name, a, template in cases:
        print(f"{name:42s} {rate(a, template):>10,.0f} articles/s")
    post = compose(article, ChannelTemplate())
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < 1.0:
        for _ in range(100):
            check(article, post, ChannelTemplate())
        n += 100
    print(f"{'check(), fixture':42s} {n / (time.perf_counter() - start):>10,.0f} calls/s")


if __name__ == "__main__":
    main()
