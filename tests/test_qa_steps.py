"""An answer's steps as the server runs them (service/qa/steps.py): the same result as run in
one thread (index.embed.base.drive), the vector read on the event loop when its socket is
readable, and every vector begun collected, whatever happens to the request."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from index.embed.base import Pending, drive
from service.qa import steps as steps_module
from service.qa.steps import run_steps
from tests.fakes import FakeEmbedder, fake_searcher


def _socket_pending(vector: np.ndarray, delay_s: float = 0.02, close: bool = False):
    """A Pending whose vector 'arrives' on a socket after delay_s (or whose peer closes)."""
    ours, theirs = socket.socketpair()
    calls = []

    def arrive():
        time.sleep(delay_s)
        if close:
            theirs.close()
        else:
            theirs.send(b"x")

    threading.Thread(target=arrive, daemon=True).start()

    def collect():
        calls.append(threading.current_thread().name)
        if not close:
            ours.recv(1)
        return vector

    return Pending(collect, begun=True, fileno=ours.fileno()), calls, ours


def _steps(pending, where: list):
    where.append(("start", threading.current_thread().name))
    yield None  # the model has started
    where.append(("lexical", threading.current_thread().name))
    vector = yield pending
    where.append(("after", threading.current_thread().name))
    return float(vector.sum())


def _run(coro):
    with ThreadPoolExecutor(1, thread_name_prefix="answers") as threads:
        return asyncio.run(coro(threads))


def test_the_loop_reads_the_vector_and_finishes_with_the_same_result_as_drive():
    vector = np.arange(4, dtype=np.float32)
    assert drive(_steps(Pending(lambda: vector, begun=False), [])) == 6.0
    where = []
    pending, calls, ours = _socket_pending(vector)

    async def main(threads):
        loop_thread = threading.current_thread().name
        return loop_thread, await run_steps(_steps(pending, where), threads)

    loop_thread, result = _run(main)
    ours.close()
    assert result == 6.0
    assert [w for w, _ in where] == ["start", "lexical", "after"]
    assert where[0][1] == loop_thread and where[2][1] == loop_thread  # no hand-over on the path
    assert where[1][1].startswith("answers")
    assert calls == [loop_thread]


def test_a_vector_no_loop_can_wait_for_is_computed_on_the_thread():
    vector = np.ones(3, dtype=np.float32)
    where, calls = [], []

    def compute():
        calls.append(threading.current_thread().name)
        return vector

    result = _run(lambda threads: run_steps(_steps(Pending(compute, begun=False), where), threads))
    assert result == 3.0 and calls[0].startswith("answers")
    assert where[2][1].startswith("answers")


def test_a_closed_socket_is_handed_to_a_thread_which_replaces_the_model_process():
    vector = np.ones(2, dtype=np.float32)
    pending, calls, ours = _socket_pending(vector, close=True)
    result = _run(lambda threads: run_steps(_steps(pending, []), threads))
    ours.close()
    assert result == 2.0 and calls[0].startswith("answers")


def test_a_cancelled_request_still_collects_its_vector(monkeypatch):
    vector = np.ones(2, dtype=np.float32)
    pending, calls, ours = _socket_pending(vector, delay_s=0.3)
    collected = threading.Event()
    monkeypatch.setattr(steps_module, "let_go", lambda p: (p(), collected.set()))

    async def main(threads):
        task = asyncio.ensure_future(run_steps(_steps(pending, []), threads))
        await asyncio.sleep(0.1)  # waiting for the vector's socket by now
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    _run(main)
    assert collected.wait(5) and len(calls) == 1
    ours.close()


def test_the_engine_answers_alike_through_its_steps(fake_settings):
    from service.qa.engine import Engine
    from service.qa.lru import LRU

    embedder = FakeEmbedder()
    for question in ("地理标志怎么保护？", "使用费进出口总额的目标是2020年的几倍？", "它呢？"):
        by_drive = Engine(fake_searcher(fake_settings, embedder), cache=LRU(0)).ask(question)
        engine = Engine(fake_searcher(fake_settings, embedder), cache=LRU(0))
        by_steps = _run(lambda threads, e=engine, q=question: run_steps(e.ask_steps(q), threads))
        assert (by_steps.outcome, by_steps.text, by_steps.sources) == (
            by_drive.outcome,
            by_drive.text,
            by_drive.sources,
        )


def test_a_vector_late_past_the_timeout_is_waited_for_on_a_thread(monkeypatch):
    monkeypatch.setattr(steps_module, "PASS_TIMEOUT_S", 0.05)
    vector = np.ones(2, dtype=np.float32)
    pending, calls, ours = _socket_pending(vector, delay_s=0.3)
    result = _run(lambda threads: run_steps(_steps(pending, []), threads))
    ours.close()
    assert result == 2.0 and calls[0].startswith("answers")
