"""The answer cache's pieces: a small thread-safe LRU and the key of a conversation."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from threading import Lock


def _digest(history: list[tuple[str, str]] | None) -> str:
    """A cache key for a conversation: its hash, not its text (20 turns may be 40 KB)."""
    if not history:
        return ""
    h = hashlib.blake2b(digest_size=16)
    for role, content in history:
        h.update(role.encode() + b"\0" + content.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


class LRU:
    """A small thread-safe LRU of finished answers, keyed by what was asked."""

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = Lock()

    def get(self, key):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key, value) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
