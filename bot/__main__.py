"""Command line: ``python -m bot [run|demo|preview|backup|stats|migrate|copy-db]``."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.logs import setup_logging

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="newsroom-bot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot by long polling (the default)")
    demo = sub.add_parser("demo", help="the whole flow offline against a fake Telegram")
    demo.add_argument("article", nargs="?", type=Path, help="a pasted-article text file")
    demo.add_argument(
        "--calendar", action="store_true", help="keep the calendar (Mini App) open after it"
    )
    preview = sub.add_parser("preview", help="print the Telegram messages for an article file")
    preview.add_argument("file", type=Path)
    preview.add_argument("--channel-language", choices=("ru", "en"), default=None)
    preview.add_argument(
        "--layout", choices=("auto", "caption", "split", "preview", "rich"), default="auto"
    )
    preview.add_argument("--photo", default="", help="a photo URL or file_id to include")
    preview.add_argument("--json", action="store_true", help="machine-readable output")
    backup = sub.add_parser("backup", help="consistent online copy of the database")
    backup.add_argument("path", type=Path)
    sub.add_parser("stats", help="counts by status and the last publications")
    sub.add_parser("migrate", help="bring the database's schema to this version, then exit")
    copy = sub.add_parser("copy-db", help="copy the SQLite database into an empty PostgreSQL one")
    copy.add_argument("target", help="postgresql://user:password@host:5432/dbname")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
    except ConfigError as exc:
        for line in str(exc).splitlines():
            print(f"Configuration error: {line}", file=sys.stderr)
        return 2
    setup_logging(settings)
    if command == "demo":
        from bot.demo import run_demo

        if args.article is not None and not args.article.is_file():
            print(f"No such article file: {args.article}", file=sys.stderr)
            return 2
        return asyncio.run(run_demo(args.article, keep_calendar=args.calendar))
    if command == "preview":
        from bot.preview import run_preview

        return run_preview(
            args.file,
            settings=settings,
            language=args.channel_language,
            layout=args.layout,
            photo=args.photo,
            as_json=args.json,
        )
    if command == "backup":
        return asyncio.run(_backup(settings, args.path))
    if command == "stats":
        return asyncio.run(_stats(settings))
    if command == "migrate":
        return asyncio.run(_migrate(settings))
    if command == "copy-db":
        return asyncio.run(_copy_db(settings, args.target))
    missing = settings.missing_for_run()
    if missing:
        for line in missing:
            print(f"Configuration error: {line}", file=sys.stderr)
        print("Copy .env.example to .env and fill it in (see README).", file=sys.stderr)
        return 2
    return asyncio.run(_run(settings))


async def _run(settings: Settings) -> int:
    from bot.app import create_app
    from bot.app_heap import freeze_startup_heap
    from storage.db import StorageError

    try:
        app = await create_app(settings)
    except StorageError as exc:
        log.error("storage: %s", exc)
        return 1
    try:
        problems = await app.startup_checks()
        for problem in problems:
            log.warning("start-up check: %s", problem)
        # Everything built so far lives as long as the process (bot/app_heap.py).
        log.debug("start-up heap frozen: %d objects", freeze_startup_heap())
        if settings.webhook_url:
            await app.run_webhook()
        else:
            await app.run_polling()
    finally:
        await app.close()
    return 0


async def _backup(settings: Settings, target: Path) -> int:
    from storage.db import Database, StorageError

    file = settings.sqlite_file
    if file is not None and not file.exists():
        print(f"No database at {file}", file=sys.stderr)
        return 1
    try:
        db = await Database.open(settings.database, migrate=False)
    except StorageError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    try:
        await db.backup(target)
    finally:
        await db.close()
    print(f"Backup written to {target}")
    return 0


async def _migrate(settings: Settings) -> int:
    """Apply the pending migrations (before starting new replicas; the bot also does it)."""
    from storage.db import Database, StorageError

    try:
        db = await Database.open(settings.database, migrate=False)
    except StorageError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    try:
        before = await db.schema_version()
        after = await db.migrate()
    finally:
        await db.close()
    print(f"{db.dialect} {db.path}: schema version {before} -> {after}")
    return 0


async def _copy_db(settings: Settings, target_url: str) -> int:
    """DATABASE_PATH (or a sqlite:/// DATABASE_URL) into ``target_url``; stop the bot first."""
    from storage.copy import CopyError, copy_database, summary
    from storage.db import Database, StorageError

    file = settings.sqlite_file
    if file is None or not file.exists():
        print(f"No SQLite database at {file or settings.database}", file=sys.stderr)
        return 1
    if not target_url.startswith(("postgresql://", "postgres://")):
        print("The target must be a postgresql:// URL", file=sys.stderr)
        return 2
    try:
        source = await Database.open(file, migrate=False)
        try:
            target = await Database.open(target_url, migrate=False)
            try:
                copied = await copy_database(source, target)
            finally:
                await target.close()
        finally:
            await source.close()
    except (StorageError, CopyError) as exc:
        print(f"Not copied: {exc}", file=sys.stderr)
        return 1
    print(f"Copied {summary(copied.items())}")
    return 0


async def _stats(settings: Settings) -> int:
    from storage.db import Database

    file = settings.sqlite_file
    if file is not None and not file.exists():
        print(f"No database at {file}", file=sys.stderr)
        return 1
    db = await Database.open(settings.database, migrate=False)
    try:
        async with db.read() as uow:
            articles = await uow.articles.count_by_status()
            publications = await uow.publications.count_by_status()
            recent = await uow.publications.recent_published(limit=10)
    finally:
        await db.close()
    print(json.dumps({"articles": articles, "publications": publications}, indent=2))
    for pub in recent:
        when = pub.published_at.isoformat() if pub.published_at else "?"
        print(f"{when}  article #{pub.article_id}  {pub.link}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
