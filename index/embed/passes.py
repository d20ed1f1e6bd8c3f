"""Shared forward passes: at most `slots` at once, texts that arrive meanwhile riding along."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import numpy as np

DEFAULT_BATCH = 8  # texts one pass may carry when requests queue up


class _Job:
    __slots__ = ("texts", "kind", "result", "error", "taken", "done")

    def __init__(self, texts: list[str], kind: str | None):
        self.texts = texts
        self.kind = kind
        self.result: np.ndarray | None = None
        self.error: BaseException | None = None
        self.taken = False  # in a pass that is running
        self.done = False


class PassScheduler:
    """Runs `run(texts, kind)` on at most `slots` threads at once.

    A question is ~20 tokens: a pass over it alone leaves the core's vector units half idle,
    so questions that share a pass cost less each (`ipqa bench` shows it, four threads at
    once). When every slot is busy, the texts that arrive meanwhile wait; the thread that
    gets the next free slot runs its own texts together with the waiting ones, up to
    `max_batch`. Nobody waits for a batch to fill: a lone request runs at once, exactly as
    without batching."""

    def __init__(
        self,
        run: Callable[[list[str], str | None], np.ndarray],
        slots: int,
        max_batch: int = DEFAULT_BATCH,
    ):
        if slots < 1 or max_batch < 1:
            raise ValueError("slots and max_batch must be at least 1")
        self._run = run
        self.slots = slots
        self.max_batch = max_batch
        self._free = slots
        self._waiting: list[_Job] = []
        self._cond = threading.Condition()
        self.passes = 0  # forward passes run, and texts encoded: the batching rate for the bench
        self.texts = 0

    def __call__(self, texts: list[str], kind: str | None = None) -> np.ndarray:
        """Vectors of `texts`, run as `run(texts, kind)`; only jobs of one kind share a pass."""
        job = _Job(list(texts), kind)
        with self._cond:
            self._waiting.append(job)
            while not job.done and (job.taken or self._free == 0):
                self._cond.wait()
            if job.done:  # another thread's pass carried these texts
                return self._outcome(job)
            self._free -= 1
            batch = self._take(job)
        try:
            vectors = self._run([t for j in batch for t in j.texts], job.kind)
        except BaseException as exc:  # every job in the pass gets the error, not a hang
            vectors, error = None, exc
        else:
            error = None
        with self._cond:
            start = 0
            for j in batch:
                if error is None:
                    j.result = vectors[start : start + len(j.texts)]
                    start += len(j.texts)
                j.error, j.done = error, True
            self._free += 1
            self.passes += 1
            self.texts += start
            self._cond.notify_all()
        return self._outcome(job)

    def reserve(self) -> bool:
        """A slot for a pass the caller runs itself and ends with `release`: only when one is
        free and nobody waits, so it never jumps the queue. False: use the scheduler."""
        with self._cond:
            if self._free == 0 or self._waiting:
                return False
            self._free -= 1
            return True

    def release(self, texts: int) -> None:
        with self._cond:
            self._free += 1
            self.passes += 1
            self.texts += texts
            self._cond.notify_all()

    def _take(self, own: _Job) -> list[_Job]:
        """Own job first (whatever its size), then waiting jobs of the same kind while they
        fit, oldest first."""
        self._waiting.remove(own)
        batch, size, keep = [own], len(own.texts), []
        for j in self._waiting:
            if j.kind == own.kind and size + len(j.texts) <= self.max_batch:
                batch.append(j)
                size += len(j.texts)
            else:
                keep.append(j)
        self._waiting = keep
        for j in batch:
            j.taken = True
        return batch

    @staticmethod
    def _outcome(job: _Job) -> np.ndarray:
        if job.error is not None:
            raise job.error
        return job.result


def model_threads(threads: int | None) -> int:
    """Threads per forward pass. One by default: a question is ~20 tokens, too little work to
    split, and on a busy machine a pass that waits for two cores at once stalls; requests
    run side by side instead, one pass per core (`ipqa bench` measures both)."""
    return threads or 1


def model_passes(
    run: Callable[[list[str], str | None], np.ndarray],
    threads: int | None,
    batch: int | None = None,
) -> PassScheduler:
    """Cores ÷ threads per pass at once (more only oversubscribes the cores and slows every
    request), each carrying up to `batch` texts that arrived while every pass was busy."""
    cores = max(1, os.cpu_count() or 1)
    return PassScheduler(run, max(1, cores // model_threads(threads)), batch or DEFAULT_BATCH)
