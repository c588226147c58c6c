"""Throughput of the pasted-article parser: articles per second on the reference article, on a
~20 KB article (the reference body repeated, chrome lines mixed in) and on one 100 KB line.

Run: /tmp/venv/bin/python bench/bench_parser.py
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.ingest.text import parse_article  # noqa: E402

TZ = ZoneInfo("Asia/Almaty")
NOW = datetime(2022, 11, 15, 6, 0, tzinfo=UTC)


def big_article(reference: str, target_bytes: int = 20_000) -> str:
    paragraphs = [p for p in reference.split("\n\n") if p.strip()]
    body = paragraphs[3:-1]
    chrome = ["Читайте также: Другая новость дня", "Реклама", "👁 1 024", "Telegram"]
    out = paragraphs[:3]
    i = 0
    while len("\n\n".join(out).encode()) < target_bytes:
        out.append(body[i % len(body)])
        if i % 4 == 3:
            out.append(chrome[(i // 4) % len(chrome)])
        i += 1
    return "\n\n".join(out + paragraphs[-1:])


def rate(text: str, min_seconds: float = 1.5) -> tuple[float, int]:
    parse_article(text, tz=TZ, now=NOW)  # warm up: regex caches, imports
    count = 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < min_seconds:
        for _ in range(20):
            parse_article(text, tz=TZ, now=NOW)
        count += 20
        elapsed = time.perf_counter() - start
    return count / elapsed, count


def main() -> None:
    reference = (ROOT / "tests" / "fixtures" / "oecd_kazakhstan_integrity.txt").read_text("utf-8")
    cases = {
        "reference (OECD)": reference,
        "~20 KB article": big_article(reference),
        "single 100 KB line": ("Очень длинный текст без разбивки на абзацы, " * 2300).strip(),
    }
    print(f"{'input':<22}{'size':>10}{'articles/s':>14}{'ms/article':>12}")
    for name, text in cases.items():
        per_second, _ = rate(text)
        size = len(text.encode())
        print(f"{name:<22}{size:>9,}B{per_second:>14,.0f}{1000 / per_second:>12.3f}")


if __name__ == "__main__":
    main()
