"""Per-client rate limits (the `limits` moving window): counted in Redis when IPQA_REDIS_URL
is set, so N replicas admit a client's N/minute once, not N times; in this process otherwise,
and while Redis is down."""

from __future__ import annotations

import asyncio
import math
import time

from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from service.shared.redis_link import RedisLink, client_options

KEY_PREFIX = "ipqa:limits"


class SharedLimiter:
    """`admit(client)`: None when the request may go on, else the seconds to wait. `scope`
    keeps each route family's counters apart (the answers, feedback, staff sign-in)."""

    def __init__(self, rate_limit: str, scope: str, redis: RedisLink | None = None):
        self.items = parse_many(rate_limit) if rate_limit.strip() else []
        self.scope = scope
        self.redis = redis
        self.local = MovingWindowRateLimiter(MemoryStorage())
        self._shared = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __bool__(self) -> bool:
        return bool(self.items)

    def __str__(self) -> str:
        return "; ".join(str(item) for item in self.items)

    def _shared_limiter(self):
        """The asyncio limiter over Redis, made in the running loop (its connections belong
        to it; tests start a loop per client)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            from limits.aio.storage import RedisStorage
            from limits.aio.strategies import MovingWindowRateLimiter as AsyncMovingWindow
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff

            storage = RedisStorage(
                self.redis.url,
                implementation="redispy",
                key_prefix=KEY_PREFIX,
                **client_options(self.redis.timeout_s, Retry, NoBackoff()),
            )
            self._shared, self._loop = AsyncMovingWindow(storage), loop
        return self._shared

    async def admit(self, client: str) -> int | None:
        if not self.items:
            return None
        if self.redis is not None and self.redis.usable():
            try:
                return await self._admit_shared(self._shared_limiter(), client)
            except self.redis.errors as exc:
                self.redis.failed(exc)
        return self._admit_local(client)

    async def _admit_shared(self, limiter, client: str) -> int | None:
        # With several windows, test them all first so one refused request does not use up
        # the others (one window: the hit alone, one round trip). A hit is atomic in Redis,
        # and a refused one takes no slot: replicas racing on the last slot admit one.
        for item in self.items if len(self.items) > 1 else ():
            if not await limiter.test(item, self.scope, client):
                return await self._wait_shared(limiter, client)
        for item in self.items:
            if not await limiter.hit(item, self.scope, client):
                return await self._wait_shared(limiter, client)
        return None

    async def _wait_shared(self, limiter, client: str) -> int:
        resets = [
            (await limiter.get_window_stats(item, self.scope, client)).reset_time
            for item in self.items
        ]
        return _seconds_until(max(resets))

    def _admit_local(self, client: str) -> int | None:
        limiter = self.local
        if all(limiter.test(item, self.scope, client) for item in self.items) and all(
            limiter.hit(item, self.scope, client) for item in self.items
        ):
            return None
        resets = [
            limiter.get_window_stats(item, self.scope, client).reset_time for item in self.items
        ]
        return _seconds_until(max(resets))


def _seconds_until(reset_time: float) -> int:
    return max(1, math.ceil(reset_time - time.time()))
