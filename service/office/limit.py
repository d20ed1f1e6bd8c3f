"""A per-client-address rate limit for the office's own routes (feedback, staff sign-in),
the same `limits` moving window and IPQA_RATE_LIMIT as the answer routes, shared by the
replicas through Redis when IPQA_REDIS_URL is set."""

from __future__ import annotations

from fastapi import Request

from service.client_address import client_key
from service.errors import ApiError
from service.shared.ratelimit import SharedLimiter


class RateLimit:
    def __init__(self, rate_limit: str, scope: str, redis=None):
        self.limiter = SharedLimiter(rate_limit, scope, redis)

    async def check(self, request: Request) -> None:
        """Count this request; 429 with Retry-After when the client is over the limit."""
        # the client address ClientAddressMiddleware resolved (trusted proxies), IPv6 by /64
        key = client_key(request.client.host) if request.client else "unknown"
        wait = await self.limiter.admit(key)
        if wait is None:
            return
        raise ApiError(
            429,
            "rate_limited",
            f"请求太频繁，请 {wait} 秒后再试。",
            f"Too many requests; try again in {wait} s.",
            {"Retry-After": str(wait)},
        )
