"""Channel templates: defaults that need no configuration, overridden per channel in the DB."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from bot.config import Settings
from bot.domain import Channel, ChannelTemplate, Layout, Part

# Keys an admin may set with /template, with how to read the value.
EDITABLE_KEYS = (
    "language",
    "parts",
    "signature",
    "signature_url",
    "read_more_button",
    "silent",
    "layout",
    "tag_list",
    "default_source",  # the source of pasted copy that names none (issue 13); "-" clears
    # Issue 15: may auto choose one rich message for a long article (off by default); the
    # layout "rich" asks for it outright.
    "allow_rich",
)


class TemplateError(ValueError):
    def __init__(self, key: str, value: str) -> None:
        super().__init__(f"{key}={value}")
        self.key = key
        self.value = value


def _parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on", "да", "вкл"):
        return True
    if lowered in ("0", "false", "no", "off", "нет", "выкл"):
        return False
    raise ValueError(value)


def parse_template_value(key: str, raw: str) -> Any:
    """Turn ``/template KEY VALUE`` text into the JSON value stored for the channel."""
    try:
        if key == "language":
            if raw.strip().lower() not in ("ru", "en"):
                raise ValueError(raw)
            return raw.strip().lower()
        if key == "parts":
            parts = [Part(p.strip().lower()).value for p in raw.replace(",", " ").split()]
            if not parts:
                raise ValueError(raw)
            return parts
        if key in ("read_more_button", "silent", "allow_rich"):
            return _parse_bool(raw)
        if key == "layout":
            return Layout(raw.strip().lower()).value
        if key == "tag_list":
            return [t.strip().lstrip("#") for t in raw.split(",") if t.strip().lstrip("#")]
        if key == "signature_url":
            value = raw.strip()
            if value and not value.startswith(("https://", "http://")):
                raise ValueError(raw)
            return value
        if key == "signature":
            return raw.strip()
        if key == "default_source":
            value = " ".join(raw.split())
            if len(value) > 200:
                raise ValueError(raw)
            return "" if value in ("-", "—") else value
    except ValueError as exc:
        raise TemplateError(key, raw) from exc
    raise TemplateError(key, raw)


def template_for(channel: Channel | None, settings: Settings) -> ChannelTemplate:
    base = ChannelTemplate(language=settings.default_language)
    if channel is None:
        return base
    if channel.username:
        title = channel.title or f"@{channel.username}"
        base = replace(base, signature=title, signature_url=f"https://t.me/{channel.username}")
    elif channel.title:
        base = replace(base, signature=channel.title)
    known = {f.name for f in fields(ChannelTemplate)}
    overrides: dict[str, Any] = {}
    for key, value in channel.template.items():
        if key not in known:
            continue
        if key == "parts":
            overrides[key] = tuple(Part(v) for v in value)
        elif key == "layout":
            overrides[key] = Layout(value)
        elif key == "tag_list":
            overrides[key] = tuple(value)
        else:
            overrides[key] = value
    return replace(base, **overrides)
