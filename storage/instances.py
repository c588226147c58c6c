"""Bot instances and their heartbeats: which claims belong to a live process (issue 17).

Every process makes an instance id at start and refreshes its row every few seconds while its
publishing engine runs. A ``publishing`` row whose ``claimed_by`` has no row here, or a row
older than the timeout, belongs to a process that died (or a claim made before 0010): that is
the only kind of in-flight send recovery may hold for an admin.
"""

from __future__ import annotations

from datetime import datetime

from storage.base import Repo, to_iso


class InstanceRepo(Repo):
    async def beat(self, instance_id: str, *, now: datetime) -> None:
        """Create or refresh this instance's heartbeat."""
        await self._exec(
            "INSERT INTO instances (id, started_at, heartbeat_at) VALUES (?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at",
            (instance_id, to_iso(now), to_iso(now)),
        )

    async def forget(self, instance_id: str) -> None:
        """A clean stop: its claims (none should be left) are orphans at once."""
        await self._exec("DELETE FROM instances WHERE id = ?", (instance_id,))

    async def forget_dead(self, *, before: datetime) -> int:
        """Drop the rows of instances silent since ``before`` (the table stays small)."""
        return await self._exec("DELETE FROM instances WHERE heartbeat_at < ?", (to_iso(before),))

    async def alive(self, *, since: datetime) -> set[str]:
        rows = await self._all(
            "SELECT id FROM instances WHERE heartbeat_at >= ?", (to_iso(since),)
        )
        return {str(r["id"]) for r in rows}
