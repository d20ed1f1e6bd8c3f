"""The answer cache in Redis, shared by the replicas: keyed by the index build (a new build
never serves an old answer), kept IPQA_CACHE_TTL seconds, with this process's LRU in front
of it and in its place while Redis is down. Answers travel as JSON, never pickle."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import fields

from corpus.records import Indicator, Passage
from index.store import package_version
from service.qa.lru import LRU
from service.qa.result import Answer, Source
from service.shared.redis_link import RedisLink

log = logging.getLogger("ipqa")
KEY_PREFIX = "ipqa:answer"


def _shallow(record) -> dict:
    """A dataclass of plain values as a dict, without asdict's deep copy (5× slower here)."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def encode(answer: Answer) -> bytes:
    plain = _shallow(answer)
    plain["sources"] = [{"passage": _shallow(s.passage), "score": s.score} for s in answer.sources]
    plain["indicators"] = [i.to_dict() for i in answer.indicators]
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()


def decode(data: bytes) -> Answer | None:
    """The answer, or None for anything this version cannot read (one written by another
    version of ipqa during a rolling upgrade, say): a miss, never an error."""
    try:
        d = json.loads(data)
        return Answer(
            question=d["question"],
            normalized_question=d["normalized_question"],
            outcome=d["outcome"],
            text=d["text"],
            sources=tuple(Source(Passage(**s["passage"]), s["score"]) for s in d["sources"]),
            indicators=tuple(Indicator(**i) for i in d["indicators"]),
            suggestions=tuple(d["suggestions"]),
            qualifiers=tuple(d["qualifiers"]),
            took_ms=d["took_ms"],
            extra=d["extra"],
        )
    except (ValueError, KeyError, TypeError):
        return None


class SharedAnswerCache:
    """What `Engine(cache=…)` takes: `get(key)` and `put(key, answer)`."""

    def __init__(self, redis: RedisLink, build_id: str, ttl_s: int, local_size: int):
        self.redis = redis
        self.ttl_s = ttl_s
        self.local = LRU(local_size)
        self.prefix = f"{KEY_PREFIX}:{package_version()}:{build_id}:"
        self._last: tuple[Answer, bytes] | None = None

    def key(self, key) -> str:
        """The engine's key (a tuple of the request's parts) as a Redis key of fixed length."""
        raw = json.dumps(key, ensure_ascii=False, separators=(",", ":"), default=str)
        return self.prefix + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()

    def get(self, key):
        hit = self.local.get(key)
        if hit is not None or not self.redis.usable():
            return hit
        try:
            data = self.redis.client.get(self.key(key))
        except self.redis.errors as exc:
            self.redis.failed(exc)
            return None
        hit = decode(data) if data is not None else None
        if hit is not None:
            self.local.put(key, hit)
        return hit

    def put(self, key, value: Answer) -> None:
        self.local.put(key, value)
        if not self.redis.usable():
            return
        last = self._last  # the engine puts one answer under two keys: encode it once
        try:
            data = last[1] if last is not None and last[0] is value else encode(value)
        except (TypeError, ValueError) as exc:  # something JSON cannot carry: this process only
            log.debug("answer not shared through Redis: %s", exc)
            return
        self._last = (value, data)
        self.redis.set_later(self.key(key), data, self.ttl_s)
