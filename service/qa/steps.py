"""An answer's steps (Engine.ask_steps) as the server runs them, with no thread hand-over on
the way to the response: the question read up to the model's start on the event loop, the
reading the model overlaps (the table, the lexical search) on a thread, and the rest on the
event loop as soon as the vector's socket is readable.

With `Engine.ask` on a thread (before), an uncached /ask crossed threads twice on its critical
path: the event loop woke a thread to begin, and that thread, once the model's vector arrived
and the answer was made, woke the loop to respond (~0.12–0.16 ms each, docs/benchmark.md).
Now both hand-overs happen while the model is working. Steps that yield a vector no loop can
wait for (the model in this process, or every pass slot busy) are run on the thread, which
waits for it as before."""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import Executor, ThreadPoolExecutor

import numpy as np

from index.embed.base import Pending, Steps, T
from index.embed.model_process import PASS_TIMEOUT_S

_DONE, _WAIT, _THREAD = range(3)
_LET_GO = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ipqa-unused-vector")


def let_go(started: Pending | None) -> None:
    """A vector begun for a question answered without it is still collected (that frees the
    model's slot), off the request."""
    if started is not None and started.begun:
        _LET_GO.submit(started)


async def run_steps(steps: Steps[T], threads: Executor | None) -> T:
    """The steps' result, worked out between the event loop and `threads`."""
    loop = asyncio.get_running_loop()
    state, item = _advance(steps, None)
    while state != _DONE:
        if state == _THREAD:
            work = loop.run_in_executor(threads, _on_thread, steps, item)
            try:
                state, item = await asyncio.shield(work)
            except asyncio.CancelledError:  # the thread goes on: its vector is still collected
                work.add_done_callback(_abandoned)
                raise
        else:
            state, item = _advance(steps, await _vector(item, loop, threads))
    return item


def _advance(steps: Steps[T], value: np.ndarray | None):
    """One step on, with the vector asked for last (None when none was)."""
    try:
        pending = steps.send(value)
    except StopIteration as stop:
        return _DONE, stop.value
    if pending is not None and pending.fileno is not None:
        return _WAIT, pending
    return _THREAD, pending  # the model has started (None), or a vector to compute


def _on_thread(steps: Steps[T], pending: Pending | None):
    """The steps run here until they are done or wait for a vector on a socket."""
    state = _THREAD
    while state == _THREAD:
        state, pending = _advance(steps, pending() if pending is not None else None)
    return state, pending


def _abandoned(work: asyncio.Future) -> None:
    if not work.cancelled() and work.exception() is None:
        state, item = work.result()
        if state == _WAIT:
            let_go(item)


async def _vector(pending: Pending, loop: asyncio.AbstractEventLoop, threads) -> np.ndarray:
    """The vector, read here once its socket is readable; a model process that has died or
    hangs is replaced by the call on a thread (that takes a while), not on the loop."""
    fd = pending.fileno
    readable = loop.create_future()  # True: the socket is readable; False: PASS_TIMEOUT_S passed
    loop.add_reader(fd, _set, readable, True)
    # a plain timer, not asyncio.timeout: its context costs the loop ~0.02 ms after the wait
    timer = loop.call_later(PASS_TIMEOUT_S, _set, readable, False)
    try:
        in_time = await readable
    except BaseException:  # cancelled: the vector is still collected, off the loop
        let_go(pending)
        raise
    finally:
        timer.cancel()
        loop.remove_reader(fd)
    if not in_time:  # a stuck child: the call on a thread waits as long again, then replaces it
        vector = None
    elif pending.ready is not None:  # read as it is (the model process's), in one system call
        vector = pending.ready()
    else:
        vector = None if _closed(fd) else pending()
    return vector if vector is not None else await loop.run_in_executor(threads, pending)


def _set(readable: asyncio.Future, value: bool) -> None:
    if not readable.done():
        readable.set_result(value)


def _closed(fd: int) -> bool:
    """Whether the peer has closed the socket (readable with nothing to read)."""
    s = socket.socket(fileno=fd)
    try:
        return not s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        s.detach()
