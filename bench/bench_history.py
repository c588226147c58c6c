"""A paste as history grows: CPU time and latency of the create-draft path with 0, 10,000 and
100,000 articles already stored.

The path is the one a pasted article takes minus Telegram: parse the text, then the workflow's
``create_draft`` (store the draft, its audit entry, the duplicate check) on a real SQLite file.
History is generated at a steady ~300 articles a day ending now, so the duplicate window (three
days) holds about as many articles at 10,000 as at 100,000: what may grow is the cost of the
history itself. Titles are ru/en headlines built from a few pools, so stories recur as
near-duplicates of each other (a changed word, quotes, a final period, another number). The
pastes are the same for every size: half repeat an earlier paste's story, half are new (and may
meet a look-alike in the stored history).

    python bench/bench_history.py [PASTES]

Prints one row per history size (CPU per paste, latency p50/p95, the duplicate query alone,
how many pastes were told of a look-alike, and how many a full scan of the window would have
matched but the index missed) and the ratios 100k/0. A benchmark, not a test: nothing here
asserts a time.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.ingest.text import parse_article  # noqa: E402
from bot.workflow import drafts  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.titles import band_keys, fold_title  # noqa: E402
from tests.workflow_fakes import AUTHOR_ID, START, world  # noqa: E402

SIZES = (0, 10_000, 100_000)
PER_DAY = 300
TZ = ZoneInfo("Asia/Almaty")

RU = (
    (
        "Правительство",
        "Акимат Алматы",
        "Минздрав",
        "Нацбанк",
        "Мажилис",
        "Мэрия Астаны",
        "Минтранс",
        "Акимат Шымкента",
        "Минэнерго",
        "Генпрокуратура",
        "Минобразования",
        "КТЖ",
    ),
    (
        "утвердило",
        "объявило",
        "отложило",
        "обсудило",
        "раскритиковало",
        "одобрило",
        "представило",
        "проверило",
    ),
    (
        "новую программу развития туризма",
        "повышение тарифов на электроэнергию",
        "ремонт дорог в центре города",
        "строительство трёх новых школ",
        "закупку автобусов",
        "реформу пенсионной системы",
        "план по борьбе со смогом",
        "субсидии для фермеров",
        "запуск электричек в пригород",
        "проект нового аэропорта",
        "ставки по ипотеке",
        "правила въезда для туристов",
        "снос аварийного жилья",
        "цифровизацию поликлиник",
        "выпуск облигаций",
    ),
    (
        "до 2030 года",
        "в 2027 году",
        "на следующей неделе",
        "после жалоб жителей",
        "на заседании в среду",
        "вопреки протестам",
        "по поручению президента",
        "ещё на год",
        "в Туркестанской области",
        "на 12 процентов",
    ),
)
EN = (
    (
        "The government",
        "City council",
        "The central bank",
        "Parliament",
        "The health ministry",
        "Almaty mayor",
        "The energy regulator",
        "Kazakhstan Railways",
        "Prosecutors",
        "Air Astana",
    ),
    ("approves", "announces", "delays", "debates", "criticises", "unveils", "reviews", "backs"),
    (
        "new tourism development programme",
        "higher electricity tariffs",
        "downtown road repairs",
        "three new schools",
        "an electric bus fleet",
        "pension reform",
        "an anti-smog plan",
        "subsidies for farmers",
        "suburban commuter trains",
        "a new airport terminal",
        "mortgage rate cuts",
        "visa-free entry rules",
        "demolition of unsafe housing",
    ),
    (
        "until 2030",
        "in 2027",
        "next week",
        "after residents complain",
        "on Wednesday",
        "despite protests",
        "for another year",
        "in Turkestan region",
        "by 12 percent",
    ),
)
SWAPS = {"новую": "свою", "трёх": "пяти", "2030": "2035", "2027": "2028", "12": "15",
         "new": "fresh", "three": "five", "2030 ": "2035 ", "next": "this"}  # fmt: skip
LEAD_RU = "Решение приняли после долгого обсуждения, сообщает пресс-служба ведомства."
LEAD_EN = "The decision came after a long debate, the press office said on Tuesday."


def story(rng: random.Random) -> str:
    pools = RU if rng.random() < 0.7 else EN
    return " ".join(rng.choice(pool) for pool in pools)


def variant(title: str, rng: random.Random) -> str:
    """The same story as another desk or a later wire copy writes it."""
    words = title.split()
    roll = rng.random()
    if roll < 0.3:
        words = [SWAPS.get(w, w) for w in words]
    elif roll < 0.5:
        words[0] = f"«{words[0]}»"
    elif roll < 0.7:
        words.insert(rng.randrange(1, len(words)), rng.choice(("срочно:", "официально", "now")))
    text = " ".join(words)
    return text + rng.choice(("", "", ".", "!", " — источник"))


def history(n: int, rng: random.Random) -> Iterator[tuple[object, ...]]:
    """Rows for executemany, oldest first, the newest just before the bench's clock."""
    stories: list[str] = []
    for i in range(n):
        if stories and rng.random() < 0.6:
            title = variant(rng.choice(stories[-2000:]), rng)
        else:
            title = story(rng)
            stories.append(title)
        at = (START - timedelta(days=(n - i) / PER_DAY)).isoformat()
        url = f"https://news.example.kz/{i}" if rng.random() < 0.5 else ""
        status = "published" if rng.random() < 0.8 else rng.choice(("draft", "rejected"))
        lead = LEAD_RU if title[0] in "«АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ" else LEAD_EN
        yield (title, fold_title(title), lead, '["Текст."]', url, url, status, 1, at, at)


async def fill(path: Path, n: int, rng: random.Random) -> float:
    """Store ``n`` generated articles in one transaction; the seconds it took."""
    db = await Database.open(path)
    start = time.perf_counter()
    rows = list(history(n, rng))
    try:
        async with db.transaction() as uow:
            await uow.conn.executemany(
                "INSERT INTO articles (title, title_folded, lead, body, source_url,"
                " canonical_url, status, author_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            # A fresh file: the articles got ids 1..n in order.
            await uow.conn.executemany(
                "INSERT OR IGNORE INTO title_keys (key, article_id) VALUES (?, ?)",
                ((key, i) for i, row in enumerate(rows, 1) for key in band_keys(str(row[1]))),
            )
    finally:
        await db.close()
    return time.perf_counter() - start


def pastes_for(count: int) -> list[str]:
    """The same pastes whatever the history: every other one repeats an earlier paste's story
    (so duplicates are found at 0 stored too), the others are new stories."""
    rng = random.Random(7)
    titles: list[str] = []
    for i in range(count):
        titles.append(variant(rng.choice(titles), rng) if titles and i % 2 else story(rng))
    return [
        f"{t}\n\n{LEAD_EN if t[0].isascii() else LEAD_RU}\n\n{LEAD_RU} {rng.randrange(1000)}"
        for t in titles
    ]


async def scan_finds(db: Database, title: str, since: datetime) -> bool:
    """Whether the old way, scoring every live title of the window, finds a look-alike."""
    async with (
        db.read() as uow,
        uow.conn.execute(
            "SELECT title FROM articles WHERE created_at >= ? AND status <> 'deleted'"
            " ORDER BY id DESC LIMIT -1 OFFSET 1",  # the paste itself is the newest
            (since.isoformat(),),
        ) as cur,
    ):
        titles = [str(r[0]) for r in await cur.fetchall()]
    return any(drafts.similar_title(t, title) for t in titles)


@dataclass(frozen=True, slots=True)
class Row:
    stored: int
    fill_s: float
    cpu_ms: float  # mean CPU time of the process per paste
    p50_ms: float
    p95_ms: float
    check_ms: float  # mean wall time of the duplicate query alone
    found: float  # share of pastes that were told of a look-alike
    missed: int  # pastes with a look-alike in the window (by a full scan) that were not told


async def measure(n: int, pastes: int, tmp: Path) -> Row:
    rng = random.Random(n)
    workdir = tmp / str(n)
    workdir.mkdir()
    fill_s = await fill(workdir / "workflow.sqlite3", n, rng)
    async with world(workdir) as w:
        texts = pastes_for(pastes + 20)
        latencies: list[float] = []
        cpu = checks = 0.0
        found = missed = 0
        for i, text in enumerate(texts):
            w.clock.advance(seconds=20)
            cpu0, wall0 = time.process_time(), time.perf_counter()
            content = parse_article(text, tz=TZ, now=w.clock.now())
            created = await drafts.create_draft(
                w.desk, content, author_id=AUTHOR_ID, language="ru", origin="text"
            )
            cpu1, wall1 = time.process_time(), time.perf_counter()
            since = w.clock.now() - drafts.DUPLICATE_WINDOW
            async with w.db.read() as uow:
                await uow.articles.duplicate_candidates(
                    canonical_url=content.canonical_url,
                    title=content.title,
                    since=since,
                    exclude_id=created.article.id,
                )
            wall2 = time.perf_counter()
            missed += not created.duplicates and await scan_finds(w.db, content.title, since)
            if i < 20:
                continue  # warm up: imports, the parser's caches, SQLite's page cache
            latencies.append(wall1 - wall0)
            cpu += cpu1 - cpu0
            checks += wall2 - wall1
            found += bool(created.duplicates)
    cuts = statistics.quantiles(latencies, n=20)
    return Row(
        n, fill_s, cpu / pastes * 1000, cuts[9] * 1000, cuts[18] * 1000,
        checks / pastes * 1000, found / pastes, missed,
    )  # fmt: skip


async def main(pastes: int) -> None:
    print(f"create-draft path (parse + duplicate check + store), {pastes} pastes per size")
    print(f"{'stored':>8} {'fill s':>7} {'CPU ms':>7} {'p50 ms':>7} {'p95 ms':>7}"
          f" {'check ms':>9} {'dup found':>9} {'missed':>6}")  # fmt: skip
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in SIZES:
            row = await measure(n, pastes, Path(tmp))
            rows.append(row)
            print(f"{row.stored:>8} {row.fill_s:>7.2f} {row.cpu_ms:>7.2f} {row.p50_ms:>7.2f}"
                  f" {row.p95_ms:>7.2f} {row.check_ms:>9.3f} {row.found:>9.0%}"
                  f" {row.missed:>6}")  # fmt: skip
    first, last = rows[0], rows[-1]
    print(
        f"ratio {last.stored // 1000}k/0: CPU {last.cpu_ms / first.cpu_ms:.2f}x,"
        f" p50 {last.p50_ms / first.p50_ms:.2f}x, p95 {last.p95_ms / first.p95_ms:.2f}x"
        f" (target within 1.2x); duplicate check alone {last.check_ms / first.check_ms:.2f}x"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
