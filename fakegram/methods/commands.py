"""The bot's command menus (set/get/deleteMyCommands, by scope and language) and the other
profile settings (descriptions, menu button), which are accepted and not kept."""

from __future__ import annotations

import re

from fakegram.errors import bad
from fakegram.methods.base import Family, accepted
from fakegram.params import Handler, Params
from fakegram.records import CommandsRecord, JsonDict


class CommandMethods(Family):
    def table(self) -> dict[str, Handler]:
        return {
            "setmycommands": self.set_my_commands,
            "getmycommands": self.get_my_commands,
            "deletemycommands": self.delete_my_commands,
            "setmydescription": accepted,
            "setmyshortdescription": accepted,
            "setchatmenubutton": accepted,
        }

    async def set_my_commands(self, params: Params) -> bool:
        commands = params.json("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad("commands are invalid")
        for command in commands:
            name = command.get("command", "") if isinstance(command, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        scope, language = _scope(params)
        self.world.commands.append(CommandsRecord(commands, scope, language))
        return True

    async def get_my_commands(self, params: Params) -> list[JsonDict]:
        return self._current_commands(*_scope(params))

    async def delete_my_commands(self, params: Params) -> bool:
        scope, language = _scope(params)
        self.world.commands.append(CommandsRecord([], scope, language))
        return True

    def _current_commands(self, scope: JsonDict, language: str) -> list[JsonDict]:
        for record in reversed(self.world.commands):
            if record.scope == scope and record.language_code == language:
                return record.commands
        return []


def _scope(params: Params) -> tuple[JsonDict, str]:
    scope = params.json("scope")
    if not isinstance(scope, dict):
        scope = {"type": "default"}
    return scope, params.opt("language_code") or ""
