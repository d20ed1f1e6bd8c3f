"""One Redis (IPQA_REDIS_URL) for this process, and what it knows of its health: while Redis
is down, callers use their per-process fallbacks and only a background ping retries it."""

from __future__ import annotations

import logging
import queue
import threading
import time
from datetime import UTC, datetime

log = logging.getLogger("ipqa")
# Redis answers in well under a millisecond on a LAN; a call that takes longer than this is
# one from a Redis that is hung or unreachable, and the request must not wait for it.
TIMEOUT_S = 0.25
PING_EVERY_S = 2.0  # how soon /healthz notices an outage, or a recovery, with no traffic
WRITES_QUEUED = 1000  # answers waiting to be written; past this they are not shared
WRITES_PER_TRIP = 100
# The writer gathers for this long after a first answer: one wake-up and one round trip per
# batch, and fewer turns at the GIL taken from requests in flight.
WRITE_GATHER_S = 0.05


def client_options(timeout_s: float, retry_cls, backoff) -> dict:
    """redis-py's options for both clients (sync, asyncio): short timeouts, and one retry,
    which renews a pooled connection that a Redis restart broke."""
    return {
        "socket_timeout": timeout_s,
        "socket_connect_timeout": timeout_s,
        "retry": retry_cls(backoff, 1),
    }


class RedisLink:
    """The sync client (the answer cache), the URL (the rate limiter's own asyncio client),
    and a switch: after a failure Redis is left alone until a ping succeeds."""

    def __init__(self, url: str, timeout_s: float = TIMEOUT_S, ping_every_s: float = PING_EVERY_S):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.url = url
        self.timeout_s = timeout_s
        self.ping_every_s = ping_every_s
        self.client = redis.Redis.from_url(url, **client_options(timeout_s, Retry, NoBackoff()))
        self.errors = (redis.RedisError, OSError)
        self.error: str | None = None
        self.down_since: str | None = None
        self.fallbacks = 0  # calls that went to the per-process fallback for want of Redis
        self._up = True
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._writes: queue.Queue = queue.Queue(WRITES_QUEUED)
        self._writer: threading.Thread | None = None

    # ---- the request path -------------------------------------------------------------------

    def usable(self) -> bool:
        """False while Redis is known to be down: callers go straight to their fallback."""
        if not self._up:
            self.fallbacks += 1
        return self._up

    def failed(self, exc: BaseException) -> None:
        message = f"{type(exc).__name__}: {exc}"[:300]
        self.fallbacks += 1
        if self._up:
            self.down_since = datetime.now(UTC).isoformat(timespec="seconds")
            log.warning(
                "ipqa: Redis unavailable (%s): rate limits and the answer cache are per "
                "process until it is back",
                message,
            )
        self._up, self.error = False, message

    def _recovered(self) -> None:
        if not self._up:
            log.warning("ipqa: Redis is back: rate limits and the answer cache are shared again")
        self._up, self.error, self.down_since = True, None, None

    def set_later(self, key: str, value: bytes, ttl_s: int) -> None:
        """SET key value EX ttl, off the request path: a thread sends what is queued in one
        pipelined round trip. A full queue drops the write (the answer stays local)."""
        try:
            self._writes.put_nowait((key, value, ttl_s))
        except queue.Full:
            self.fallbacks += 1

    def _write(self) -> None:
        while True:
            batch = [self._writes.get()]
            until = time.monotonic() + WRITE_GATHER_S
            while len(batch) < WRITES_PER_TRIP and batch[-1] is not None:
                try:
                    batch.append(self._writes.get(timeout=max(0.0, until - time.monotonic())))
                except queue.Empty:
                    break
            if any(item is None for item in batch):
                return
            if not self._up:
                continue  # Redis is down: these answers stay in this process
            try:
                pipe = self.client.pipeline(transaction=False)
                for key, value, ttl_s in batch:
                    pipe.set(key, value, ex=ttl_s)
                pipe.execute()
            except self.errors as exc:
                self.failed(exc)

    # ---- the background ping ----------------------------------------------------------------

    def ping(self) -> bool:
        try:
            self.client.ping()
        except self.errors as exc:
            self.failed(exc)
            return False
        self._recovered()
        return True

    def start(self) -> None:
        self.ping()
        self._thread = threading.Thread(target=self._run, name="ipqa-redis-ping", daemon=True)
        self._thread.start()
        self._writer = threading.Thread(target=self._write, name="ipqa-redis-write", daemon=True)
        self._writer.start()

    def _run(self) -> None:
        while not self._stop.wait(self.ping_every_s):
            self.ping()

    def close(self) -> None:
        self._stop.set()
        if self._writer is not None:
            try:
                self._writes.put(None, timeout=1)
            except queue.Full:
                pass
            self._writer.join(timeout=2 * self.timeout_s + 1)
        if self._thread is not None:
            self._thread.join(timeout=2 * self.timeout_s + 1)
        self.client.close()

    def health(self) -> dict:
        return {
            "status": "ok" if self._up else "down",
            "error": self.error,
            "down_since": self.down_since,
            "fallbacks": self.fallbacks,
        }

    def warning(self) -> str | None:
        if self._up:
            return None
        return (
            f"Redis unavailable since {self.down_since} ({self.error}): rate limits and the "
            "answer cache are per process"
        )
