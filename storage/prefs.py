"""Per-editor settings (the default source of pasted copy that names none)."""

from __future__ import annotations

from datetime import datetime

from storage.base import Repo, to_iso


class PrefsRepo(Repo):
    async def default_source(self, user_id: int) -> str:
        row = await self._one(
            "SELECT default_source FROM editor_prefs WHERE user_id = ?", (user_id,)
        )
        return str(row["default_source"]) if row else ""

    async def set_default_source(self, user_id: int, name: str, *, now: datetime) -> None:
        """``name`` "" clears it."""
        await self._exec(
            "INSERT INTO editor_prefs (user_id, default_source, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET default_source = excluded.default_source,"
            " updated_at = excluded.updated_at",
            (user_id, name, to_iso(now)),
        )
