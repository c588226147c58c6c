"""Telegram's limits shared by every instance of the bot, in Redis (issue 17, ``REDIS_URL``).

Telegram counts per bot, not per process: two instances each keeping its own 20-a-minute
window for a channel would post 40. So with Redis every admission also passes one atomic Lua
script that holds, per chat, the same rules as :mod:`bot.telegram.ratelimit`:

* groups and channels: a sliding-window log (a sorted set of admission times, ``limit``
  members in any ``window`` seconds, half-open like ``ratelimit.SlidingWindow``);
* private chats: the pace as a GCRA key (one "theoretical arrival time", burst ``private_burst``);
* the whole bot: a sorted set of the last second's messages (30, plus the margin);
* a 429's ``retry_after``: a per-chat (or bot-wide) "paused until" key with an expiry, so every
  instance that would write to that chat waits it out;
* who goes first across instances: a request a person caused (made while handling their
  update: a review card after Submit, a card edited after a press) that has to wait for a group's
  window raises that chat's "someone is waiting" flag (its token, expiring soon after its wait
  ends); background requests (digests, held cards, reminders) to that chat wait while the flag
  is up, and the waiting request takes the next slot. Without it three instances' digests could
  fill the admin chat's 20 a minute and keep a review card waiting for half a minute (the
  in-process :class:`bot.telegram.priority.PriorityGate` orders only its own process's waiters).

The script answers "go" (and records the admission on every key at once) or "wait s seconds";
the caller sleeps that long on its clock and asks again. The in-process limiter still runs
first: it orders this process's waiters by priority and shapes its own bursts, and it holds
the chat's gate while the shared answer is awaited, so local order is kept.

Time: the script is given the caller's wall clock (``clock.now()``), which is also what lets the
tests run it on a fake clock. Instances must keep their clocks in sync (NTP: milliseconds), as
the heartbeat of :mod:`bot.publishing.engine` already assumes. If Redis is unreachable the
request goes on under the local limiter alone (one warning a minute): a Redis outage slows
nothing down but lets N instances exceed the shared rates by up to N times until it is back.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any, Protocol

from bot.config import Settings
from bot.limits import (
    GROUP_MESSAGES_PER_MINUTE,
    MESSAGES_PER_SECOND,
    PRIVATE_BURST,
    PRIVATE_MESSAGES_PER_SECOND,
)
from bot.telegram.priority import chat_key

__all__ = ["ADMIT_SCRIPT", "RedisLimits", "WallTimer"]

log = logging.getLogger(__name__)

#: KEYS: chat window, chat pace, global window, chat pause, global pause, chat's "a person's
#: request waits" flag ('' = not used).
#: ARGV: now, weight, chat limit, chat window s, pace interval s, pace burst, global limit,
#: global window s, member prefix, the waiting person's token ('' for background work).
#: Returns '0' (admitted and recorded) or the seconds to wait.
ADMIT_SCRIPT = """
local now = tonumber(ARGV[1])
local weight = tonumber(ARGV[2])
local token = ARGV[10]
local wait = 0
if KEYS[6] ~= '' and token == '' then
  local left = redis.call('PTTL', KEYS[6])
  if left > 0 then wait = math.min(left / 1000, 0.25) end
end
for i = 4, 5 do
  if KEYS[i] ~= '' then
    local until_ = tonumber(redis.call('GET', KEYS[i]) or '0')
    if until_ > now then wait = math.max(wait, until_ - now) end
  end
end
local function window_wait(key, limit, span)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
  local w = math.min(weight, limit)
  local excess = redis.call('ZCARD', key) + w - limit
  if excess > 0 then
    local oldest = redis.call('ZRANGE', key, excess - 1, excess - 1, 'WITHSCORES')
    return tonumber(oldest[2]) + span - now
  end
  return 0
end
local function record(key, limit, span)
  for i = 1, math.min(weight, limit) do
    redis.call('ZADD', key, ARGV[1], ARGV[9] .. ':' .. i)
  end
  redis.call('PEXPIRE', key, math.ceil(span * 1000) + 1000)
end
if KEYS[1] ~= '' then
  wait = math.max(wait, window_wait(KEYS[1], tonumber(ARGV[3]), tonumber(ARGV[4])))
end
if KEYS[3] ~= '' then
  wait = math.max(wait, window_wait(KEYS[3], tonumber(ARGV[7]), tonumber(ARGV[8])))
end
local tat = nil
if KEYS[2] ~= '' then
  local interval = tonumber(ARGV[5])
  local burst = tonumber(ARGV[6])
  tat = tonumber(redis.call('GET', KEYS[2]) or tostring(now - burst * interval))
  local ready = tat - (burst - math.min(weight, burst)) * interval
  if ready > now then wait = math.max(wait, ready - now) end
end
if wait > 0 then
  if KEYS[6] ~= '' and token ~= '' then
    redis.call('SET', KEYS[6], token, 'PX', math.ceil(wait * 1000) + 1000)
  end
  return string.format('%.6f', wait)
end
if KEYS[6] ~= '' and token ~= '' and redis.call('GET', KEYS[6]) == token then
  redis.call('DEL', KEYS[6])
end
if KEYS[1] ~= '' then record(KEYS[1], tonumber(ARGV[3]), tonumber(ARGV[4])) end
if KEYS[3] ~= '' then record(KEYS[3], tonumber(ARGV[7]), tonumber(ARGV[8])) end
if tat ~= nil then
  local next_tat = math.max(tat, now) + weight * tonumber(ARGV[5])
  redis.call('SET', KEYS[2], string.format('%.6f', next_tat),
             'PX', math.ceil((next_tat - now) * 1000) + 1000)
end
return '0'
"""

#: KEYS: the pause key. ARGV: now, until. Keeps the later of two pauses.
PAUSE_SCRIPT = """
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
local until_ = tonumber(ARGV[2])
if until_ > old then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', math.ceil((until_ - tonumber(ARGV[1])) * 1000) + 1)
end
return 1
"""


class WallTimer(Protocol):
    """Wall time (shared across machines) and sleeping: what the shared limiter needs."""

    def now(self) -> Any: ...

    async def sleep(self, seconds: float) -> None: ...


def _is_private(chat_id: int | str) -> bool:
    if isinstance(chat_id, int):
        return chat_id > 0
    return chat_id.lstrip().isdigit()


class RedisLimits:
    """The shared half of :class:`bot.telegram.ratelimit.RateLimiter` (its ``shared``)."""

    def __init__(
        self,
        redis: Any,
        *,
        clock: WallTimer,
        per_chat_per_minute: int = GROUP_MESSAGES_PER_MINUTE,
        global_per_second: int = MESSAGES_PER_SECOND,
        private_per_second: float = PRIVATE_MESSAGES_PER_SECOND,
        private_burst: int = PRIVATE_BURST,
        global_margin: float = 0.0,
        prefix: str = "newsroom:limits",
    ) -> None:
        self.redis = redis
        self.clock = clock
        self.per_chat_per_minute = per_chat_per_minute
        self.global_per_second = global_per_second
        self.private_interval = 1.0 / private_per_second
        self.private_burst = private_burst
        self.global_window = 1.0 + global_margin
        self.prefix = prefix
        self._admit = redis.register_script(ADMIT_SCRIPT)
        self._pause = redis.register_script(PAUSE_SCRIPT)
        self._pending: set[asyncio.Task[None]] = set()
        self._warned_at = -1e18
        #: Seconds spent waiting for the other instances' share, summed (a stats figure).
        self.total_wait = 0.0

    @classmethod
    def from_settings(
        cls, settings: Settings, bot_id: int, clock: WallTimer
    ) -> RedisLimits | None:
        """With ``REDIS_URL``, the limits every instance shares; None without."""
        if settings.redis_url is None:
            return None
        from redis.asyncio import Redis

        return cls(
            Redis.from_url(settings.redis_url.get_secret_value()),
            clock=clock,
            per_chat_per_minute=settings.channel_posts_per_minute,
            global_per_second=settings.global_requests_per_second,
            global_margin=0.1,  # as the local limiter's (bot/app.py)
            prefix=f"newsroom:limits:{bot_id}",  # two bots may share one Redis
        )

    def _key(self, kind: str, chat_id: int | str | None) -> str:
        return f"{self.prefix}:{kind}" if chat_id is None else f"{self.prefix}:{kind}:{chat_id}"

    def _keys(self, chat_id: int | str | None, broadcast: bool) -> list[str]:
        window = pace = pause = flag = ""
        if chat_id is not None:
            key = chat_key(chat_id)
            pause = self._key("pause", key)
            if _is_private(chat_id):
                pace = self._key("pace", key)  # one person's chat: nobody to go ahead of
            else:
                window = self._key("window", key)
                flag = self._key("waiting", key)
        glob = self._key("window", None) if broadcast else ""
        return [window, pace, glob, pause, self._key("pause", None), flag]

    async def admit(
        self, chat_id: int | str | None, *, weight: int, broadcast: bool, person: bool = False
    ) -> float:
        """Wait until every instance's share allows this request, and record it; return the
        seconds waited. ``person``: a person's action caused it (it goes ahead of background
        requests of every instance, see the module docstring)."""
        keys = self._keys(chat_id, broadcast)
        token = uuid.uuid4().hex if person else ""
        waited = 0.0
        while True:
            args = [
                f"{self.clock.now().timestamp():.6f}",
                weight,
                self.per_chat_per_minute,
                60.0,
                self.private_interval,
                self.private_burst,
                self.global_per_second,
                self.global_window,
                uuid.uuid4().hex,
                token,
            ]
            try:
                answer = float(await self._admit(keys=keys, args=args))
            except (OSError, ConnectionError, TimeoutError) as exc:
                self._unavailable(exc)
                return waited
            except Exception as exc:  # redis.exceptions.RedisError and kin
                if type(exc).__module__.startswith("redis"):
                    self._unavailable(exc)
                    return waited
                raise
            if answer <= 0:
                self.total_wait += waited
                return waited
            await self.clock.sleep(answer)
            waited += answer

    def pause(self, chat_id: int | str | None, seconds: float) -> None:
        """A 429's ``retry_after`` for every instance: written in the background (the caller,
        a sync ``penalize``, is about to sleep that long anyway); :meth:`flush` awaits it."""
        task = asyncio.get_running_loop().create_task(self.pause_now(chat_id, seconds))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def pause_now(self, chat_id: int | str | None, seconds: float) -> None:
        now = self.clock.now().timestamp()
        key = self._key("pause", None if chat_id is None else chat_key(chat_id))
        try:
            await self._pause(keys=[key], args=[f"{now:.6f}", f"{now + max(0.0, seconds):.6f}"])
        except Exception as exc:
            if not isinstance(exc, OSError) and not type(exc).__module__.startswith("redis"):
                raise
            self._unavailable(exc)

    async def flush(self) -> None:
        """Wait for the pauses being written (tests; a clean stop)."""
        if self._pending:
            await asyncio.gather(*self._pending, return_exceptions=True)

    async def close(self) -> None:
        await self.flush()
        await self.redis.aclose()

    def _unavailable(self, exc: BaseException) -> None:
        # Real time, not the bot's clock: this only spaces log lines.
        if time.monotonic() - self._warned_at >= 60:
            self._warned_at = time.monotonic()
            log.warning("shared rate limits unavailable (%s): local limits only", exc)
