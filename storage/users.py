"""Users: editors and admins with their role."""

from __future__ import annotations

from datetime import datetime

from bot.domain import User
from storage.base import Mapper, Repo, to_iso

_user = Mapper(User)
_USER_COLS = _user.columns


class UserRepo(Repo):
    async def get(self, user_id: int) -> User | None:
        row = await self._one(f"SELECT {_USER_COLS} FROM users WHERE id = ?", (user_id,))
        return _user(row) if row else None

    async def put(
        self, user_id: int, *, role: str, now: datetime, added_by: int | None, name: str = ""
    ) -> User:
        await self._exec(
            "INSERT INTO users (id, role, name, added_by, created_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET role = excluded.role, added_by = excluded.added_by",
            (user_id, role, name, added_by, to_iso(now)),
        )
        user = await self.get(user_id)
        assert user is not None
        return user

    async def remove(self, user_id: int) -> bool:
        return bool(await self._exec("DELETE FROM users WHERE id = ?", (user_id,)))

    async def all(self, *, role: str | None = None) -> list[User]:
        if role is None:
            rows = await self._all(f"SELECT {_USER_COLS} FROM users")
        else:
            rows = await self._all(
                f"SELECT {_USER_COLS} FROM users WHERE role = ? ORDER BY id",
                (role,),
            )
        return [_user(r) for r in rows]
