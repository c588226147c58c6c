"""``python -m bot preview FILE``: the exact messages an article becomes, without Telegram."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from bot.compose import check, compose
from bot.config import Settings
from bot.domain import ArticleContent, ChannelTemplate, Layout, OutMessage, Photo
from bot.ingest.report import ParseReport
from bot.ingest.text import parse_article_report
from bot.limits import CAPTION_LIMIT, RICH_BLOCK_LIMIT, RICH_TEXT_LIMIT, TEXT_LIMIT


def article_json(content: ArticleContent, tz: tzinfo) -> dict[str, object]:
    """The parsed fields editors' tools read; the date in ISO 8601 with the newsroom's offset."""
    when = content.published_at
    return {
        "title": content.title,
        "lead": content.lead,
        "body": list(content.body),
        "source_name": content.source_name,
        "original_source": content.original_source,
        "photo_credit": content.photo_credit,
        "published_at": when.astimezone(tz).isoformat() if when is not None else None,
        "language": content.language,
    }


def report_json(report: ParseReport) -> dict[str, object]:
    """What the parser was not sure of: warning codes and the candidates behind them."""
    return {
        "warnings": list(report.warnings),
        "source_candidates": list(report.source_candidates),
        "original_candidates": list(report.original_candidates),
    }


def _plain(value: object) -> str:
    """A rich text as the reader sees it, with **bold**, _italic_ and [links](url) marked."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(_plain(v) for v in value)
    if isinstance(value, dict):
        inner = _plain(value.get("text", ""))
        kind = value.get("type")
        if kind == "url":
            return f"[{inner}]({value.get('url', '')})"
        mark = {"bold": "**", "italic": "_", "code": "`", "strikethrough": "~~"}.get(str(kind))
        return f"{mark}{inner}{mark}" if mark else inner
    return ""


def rich_outline(rich_json: str) -> list[str]:
    """One line per block of a rich message: its kind, then its text (the photo's reference
    and caption for a photo)."""
    lines: list[str] = []
    for block in json.loads(rich_json).get("blocks", []):
        kind = block.get("type", "?")
        if kind == "photo":
            caption = _plain((block.get("caption") or {}).get("text", ""))
            lines.append(f"[photo {block['photo']['media']}] {caption}".rstrip())
        elif kind == "heading":
            lines.append("#" * int(block.get("size", 1)) + " " + _plain(block.get("text", "")))
        else:
            lines.append(f"[{kind}] {_plain(block.get('text', ''))}")
    return lines


def _message_json(m: OutMessage) -> dict[str, object]:
    return {
        "kind": m.kind,
        "html": m.html,
        "visible_length": m.visible_length,
        "entities": m.entity_count,
        "photos": [p.ref for p in m.photos],
        "link_preview_url": m.link_preview_url,
        "buttons": [{"text": b.text, "url": b.url} for b in m.buttons],
        # The rich message exactly as sendRichMessage gets it (blocks form).
        "rich_message": json.loads(m.rich) if m.rich else None,
    }


def _print_message(index: int, count: int, message: OutMessage) -> None:
    if message.kind == "rich":
        print(
            f"--- message {index}/{count}: rich, {message.visible_length}/{RICH_TEXT_LIMIT} "
            f"characters, {message.entity_count}/{RICH_BLOCK_LIMIT} blocks, "
            f"{len(message.photos)} photos"
        )
        print("\n".join(rich_outline(message.rich)))
    else:
        limit = TEXT_LIMIT if message.kind == "text" else CAPTION_LIMIT
        print(
            f"--- message {index}/{count}: {message.kind}, "
            f"{message.visible_length}/{limit} characters, "
            f"{message.entity_count} entities"
            + (f", photo {message.photos[0].ref}" if message.photos else "")
            + (f", preview {message.link_preview_url}" if message.link_preview_url else "")
        )
        print(message.html)
    for button in message.buttons:
        print(f"[{button.text}]({button.url})")


def run_preview(
    path: Path,
    *,
    settings: Settings,
    language: str | None,
    layout: str,
    photo: str,
    as_json: bool,
) -> int:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"Cannot read {path}: {exc}", file=sys.stderr)
        return 2
    content, report = parse_article_report(text, tz=settings.tz, now=datetime.now(UTC))
    if photo:
        content = replace(
            content, photos=(Photo(ref=photo, is_url=photo.startswith(("http://", "https://"))),)
        )
    template = ChannelTemplate(
        language=language or content.language or settings.default_language,
        layout=Layout(layout),
    )
    post = compose(content, template)
    problems = check(content, post, template)
    if as_json:
        print(
            json.dumps(
                {
                    "layout": post.layout.value,
                    "messages": [_message_json(m) for m in post.messages],
                    "notes": list(post.notes),
                    "problems": [{"code": p.code, "severity": p.severity} for p in problems],
                    "article": article_json(content, settings.tz),
                    **report_json(report),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    for index, message in enumerate(post.messages, 1):
        _print_message(index, len(post.messages), message)
    if post.notes:
        # Why the post looks as it does (e.g. "rich_over_blocks": the rich layout fell back).
        print("--- notes: " + ", ".join(post.notes))
    if problems:
        print("--- checks: " + ", ".join(f"{p.code} ({p.severity})" for p in problems))
    return 0
