"""The bot itself and its updates: getMe, getUpdates (long polling), logOut, close."""

from __future__ import annotations

from fakegram.errors import ApiError
from fakegram.methods.base import Family, accepted
from fakegram.params import Handler, Params
from fakegram.records import JsonDict
from fakegram.webhook import Webhook
from fakegram.world import World


class UpdateMethods(Family):
    def __init__(self, world: World, webhook: Webhook) -> None:
        super().__init__(world)
        self.webhook = webhook  # getUpdates is refused while a webhook is set

    def table(self) -> dict[str, Handler]:
        return {
            "getme": self.get_me,
            "getupdates": self.get_updates,
            "logout": accepted,
            "close": accepted,
        }

    async def get_me(self, params: Params) -> JsonDict:
        return {
            **self.world.bot.to_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def get_updates(self, params: Params) -> list[JsonDict]:
        world = self.world
        if self.webhook.url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.opt_int("offset", 0) or 0
        limit = min(max(params.opt_int("limit", 100) or 100, 1), 100)
        timeout = max(params.opt_int("timeout", 0) or 0, 0)
        allowed = params.json("allowed_updates")
        if isinstance(allowed, list):
            # Telegram remembers allowed_updates until the next call that sets it.
            world.allowed_updates = [str(kind) for kind in allowed] or None
        world.confirm(offset)
        world.poll_generation += 1
        generation = world.poll_generation
        await world.signal.wait_until(
            lambda: (
                bool(world.deliverable()) or world.closing or generation != world.poll_generation
            ),
            timeout,
        )
        if generation != world.poll_generation and not world.closing:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one "
                "bot instance is running",
            )
        return world.deliverable()[:limit]
