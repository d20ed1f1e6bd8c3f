"""A per-client-address rate limit for the office's own routes (feedback, staff sign-in),
the same `limits` moving window and IPQA_RATE_LIMIT as the answer routes."""

from __future__ import annotations

import math
import time

from fastapi import Request
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from service.client_address import client_key
from service.errors import ApiError


class RateLimit:
    def __init__(self, rate_limit: str):
        self.items = parse_many(rate_limit) if rate_limit.strip() else []
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, request: Request) -> None:
        """Count this request; 429 with Retry-After when the client is over the limit."""
        if not self.items:
            return
        # the client address ClientAddressMiddleware resolved (trusted proxies), IPv6 by /64
        key = client_key(request.client.host) if request.client else "unknown"
        if all(self.limiter.test(item, key) for item in self.items):
            for item in self.items:
                self.limiter.hit(item, key)
            return
        resets = [self.limiter.get_window_stats(item, key).reset_time for item in self.items]
        wait = max(1, math.ceil(max(resets) - time.time()))
        raise ApiError(
            429,
            "rate_limited",
            f"请求太频繁，请 {wait} 秒后再试。",
            f"Too many requests; try again in {wait} s.",
            {"Retry-After": str(wait)},
        )
