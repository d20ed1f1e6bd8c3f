"""Waiting in tests for something another process or thread does."""

from __future__ import annotations

import time


def until(check, timeout: float, every: float):
    """check()'s first true value, asked every `every` seconds; AssertionError after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout} s")
