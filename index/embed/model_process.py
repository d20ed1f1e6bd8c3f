"""The model in a child process of its own, so the server's GIL never holds up a pass."""

from __future__ import annotations

import json
import logging
import os
import pickle
import queue
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from index.embed.base import QUERY_TOKENS, Embedder, Kind, Pending
from index.embed.wire import decode, read_ready
from index.model.folder import ModelNotFound, resolve_model

log = logging.getLogger("ipqa")
READY_TIMEOUT_S = 120.0  # the first start may export and trim the model: a minute here
PASS_TIMEOUT_S = 60.0  # a pass of ≤ 32 questions takes well under a second: longer is a hang
ROOT = Path(__file__).resolve().parents[2]
CHILD = "index.embed.model_child"  # the module the child runs


class ModelUnavailable(RuntimeError):
    """The model process stopped and a new one could not be started."""


class ModelProcess(Embedder):
    """An Embedder whose forward passes run in a child process (model_child.py).

    ONNX Runtime lets go of the GIL while it computes, but a pass takes it back to tokenize,
    to return its output and to pool, and the server's own Python (event loop, jieba, BM25,
    the answer) holds it in stretches of about a millisecond: under concurrent requests an
    in-process pass waits for the GIL while a core sits idle. Here the server keeps the
    shared passes (passes.py) and sends each pass's texts down one socket per pass slot; the
    child, which loads the same files with the same runtime, answers with the vectors
    (identical to in-process, tested).

    The child ignores Ctrl+C: the server closes the sockets on shutdown and the child ends on
    end-of-file, as it does when the server is killed. If the child dies, or leaves a pass
    unanswered for PASS_TIMEOUT_S, it is replaced and the pass sent again; if no new one
    will start, `ModelUnavailable`.
    """

    def __init__(
        self,
        model: str,
        models_dir: Path,
        threads: int | None = None,
        backend: str = "onnx",
        batch: int | None = None,
        vocab: str = "trimmed",
        query_tokens: int = QUERY_TOKENS,
        precision: str = "fp32",
        wait: bool = True,
    ):
        self._spec = {
            "model": str(model),
            "models_dir": str(Path(models_dir).resolve()),
            "threads": threads,
            "backend": backend,
            "vocab": vocab,
            "query_tokens": query_tokens,
            "precision": precision,
        }
        # The same pass slots (cores ÷ threads) and batching as the model would have in-process.
        super().__init__(threads, batch)
        self.slots = self.passes.slots
        self._lock = threading.Lock()
        self._free: queue.SimpleQueue = queue.SimpleQueue()  # (generation, connection or None)
        self._generation = 0
        self._closed = False
        self._info: dict | None = None
        # A model that is not there fails here, in a millisecond, as it would in the child.
        resolve_model(str(model), Path(models_dir))
        # With `wait=False` the child loads while the caller goes on (the server loads its
        # index and engine on the other core meanwhile: the cold start overlaps the two); the
        # first use of the model, or of what the child reports (model_id, dim…), waits for
        # it to be ready.
        self._defer = not wait
        self._proc, self._loading, info = self._spawn()
        self._defer = False
        if info is not None:
            self._ready_with(info)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def ready(self) -> dict:
        """What the child reported once loaded (model_id, dim, vocab, precision, fingerprint),
        waiting for it if it is still loading; ModelNotFound with its words if it failed."""
        if self._info is None:
            with self._lock:
                if self._info is None:
                    if self._closed:
                        raise ModelUnavailable("the model process has been shut down")
                    try:
                        info = self._await(self._proc, self._loading)
                    except ModelNotFound:
                        self._closed = True  # nothing left to serve with; close() is a no-op
                        raise
                    self._ready_with(info)
        return self._info

    def _ready_with(self, info: dict) -> None:
        for conn in self._loading:
            self._free.put((0, conn))
        self._loading = []
        self._info = {
            "model_id": info["model_id"],
            "dim": info["dim"],
            "vocab": info.get("vocab"),
            "precision": info.get("precision", "fp32"),
            "fingerprint": info.get("fingerprint", "fp32"),
        }

    @property
    def loading(self) -> bool:  # type: ignore[override]
        return self._info is None and not self._closed

    model_id = property(lambda self: self.ready()["model_id"])  # type: ignore[assignment]
    dim = property(lambda self: self.ready()["dim"])  # type: ignore[assignment]
    vocab = property(lambda self: self.ready()["vocab"])  # type: ignore[assignment]
    precision = property(lambda self: self.ready()["precision"])  # type: ignore[assignment]
    fingerprint = property(lambda self: self.ready()["fingerprint"])  # type: ignore[assignment]

    starts_at_once = True

    def start_query(self, text: str) -> Pending:
        """Send one question to the model now if a pass slot is free; the call returned waits
        for its vector. The engine does its lexical work meanwhile, on the other core. When
        every slot is busy the question goes through the shared passes when called instead.
        The call must be made (it frees the slot)."""
        if not self.passes.reserve():
            return super().start_query(text)
        try:
            sent = self._send([text], "query")
        except BaseException:
            self.passes.release(0)
            raise

        def collect() -> np.ndarray:
            try:
                return self._finish([text], "query", *sent)[0]
            finally:
                self.passes.release(1)

        generation, conn = sent
        if conn is None:  # no process to send it to: collect() starts one
            return Pending(collect, begun=True)
        size = 1 + 4 * self._info["dim"]  # a vectors reply's payload (wire.py)

        def ready() -> np.ndarray | None:
            """The vector, its socket being readable (an event loop saw it); None if the
            process closed it instead: then collect(), on a thread, replaces the process."""
            payload = read_ready(conn.fileno(), size)
            if payload is None:
                return None
            try:
                return self._settle(generation, conn, payload, 1)[0]
            finally:
                self.passes.release(1)

        return Pending(collect, begun=True, fileno=conn.fileno(), ready=ready)

    def close(self) -> None:
        """End the child: it sees end-of-file on every socket and exits."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._generation += 1  # connections still out are stale now
            if self._info is None:  # still loading: nothing to finish, end it now
                for conn in self._loading:
                    conn.close()
                self._loading = []
                self._proc.kill()
            while True:
                try:
                    _, conn = self._free.get_nowait()
                except queue.Empty:
                    break
                if conn is not None:
                    conn.close()
            for _ in range(self.slots):  # wake anyone waiting for a connection
                self._free.put((self._generation, None))
            _stop(self._proc)

    _defer = False  # set while __init__ starts the first child

    def _spawn(self) -> tuple[subprocess.Popen, list[Connection], dict | None]:
        """Start a child: (process, connections, what it reported once loaded); the first
        child's report is not waited for here (None: `ready` reads it from the first
        connection)."""
        pairs = [socket.socketpair() for _ in range(self.slots)]
        theirs = [child.fileno() for _, child in pairs]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p
            ),
        }
        try:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    CHILD,
                    json.dumps(self._spec),
                    *map(str, theirs),
                ],
                pass_fds=theirs,
                env=env,
                stdin=subprocess.DEVNULL,
            )
        except OSError as exc:
            for ours, _ in pairs:
                ours.close()
            raise ModelNotFound(f"cannot start the model process: {exc}") from exc
        finally:
            for _, child in pairs:
                child.close()
        connections = [Connection(ours.detach()) for ours, _ in pairs]
        if self._defer:
            return proc, connections, None
        return proc, connections, self._await(proc, connections)

    @staticmethod
    def _await(proc: subprocess.Popen, connections: list[Connection]) -> dict:
        """The child's report once it has loaded the model; ModelNotFound with its words, the
        child ended, if it could not."""
        try:
            loaded = connections[0].poll(READY_TIMEOUT_S)
            status, info = (
                connections[0].recv()
                if loaded
                else (
                    "error",
                    f"the model process did not load the model in {READY_TIMEOUT_S:.0f} s",
                )
            )
        except (EOFError, OSError):  # it died first; its traceback went to our stderr
            status, info = "error", None
        if status != "ready":
            for conn in connections:
                conn.close()
            code = _stop(proc)
            raise ModelNotFound(
                info
                or f"the model process exited while loading the model "
                f"(exit code {code}); its error is above in the server's log"
            )
        return info

    def _take(self) -> tuple[int, Connection | None]:
        while True:
            generation, conn = self._free.get()
            if generation == self._generation:
                return generation, conn
            if conn is not None:  # from a process that has been replaced
                conn.close()

    def embed_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        return self._finish(texts, kind, *self._send(texts, kind))

    def _send(self, texts: list[str], kind: str | None) -> tuple[int, Connection | None]:
        """The texts on their way to the child: (generation, connection), or no connection
        when there is no process to send them to (`_finish` restarts it)."""
        if self._info is None:
            self.ready()
        if self._closed:
            raise ModelUnavailable("the model process has been shut down")
        generation, conn = self._take()
        if conn is not None:
            try:
                # Connection.send's pickler copies its reducers' table per message: ~15 us
                conn.send_bytes(pickle.dumps((texts, kind), pickle.HIGHEST_PROTOCOL))
            except OSError:
                conn.close()
                conn = None
        return generation, conn

    def _finish(
        self,
        texts: list[str],
        kind: str | None,
        generation: int,
        conn: Connection | None,
        retry: bool = True,
    ) -> np.ndarray:
        """The vectors of texts already sent; after a failure, once more on a new process."""
        if conn is not None:
            try:
                if not conn.poll(PASS_TIMEOUT_S):
                    raise TimeoutError  # a stuck child is replaced like a dead one
                payload = conn.recv_bytes()
            except (EOFError, OSError):  # TimeoutError included
                conn.close()
                conn = None
        if conn is None:
            if not retry:  # leave a marker: the next pass starts another process
                self._free.put((generation, None))
                raise ModelUnavailable("the model process stopped twice in a row")
            self._restart(generation)
            return self._finish(texts, kind, *self._send(texts, kind), retry=False)
        return self._settle(generation, conn, payload, len(texts))

    def _settle(self, generation: int, conn: Connection, payload: bytes, rows: int) -> np.ndarray:
        """A reply read whole: its connection back to the free ones, then its vectors
        (ModelError if the child could not encode the texts)."""
        if generation == self._generation:
            self._free.put((generation, conn))
        else:  # closed or replaced while this pass ran
            conn.close()
        return decode(payload, rows)

    def _restart(self, generation: int) -> None:
        with self._lock:
            if generation != self._generation or self._closed:
                return  # another thread has restarted it already
            self._generation += 1
            code = _stop(self._proc, wait_s=1.0)  # dead already, or stuck: no use waiting
            log.warning(
                "ipqa: the model process ended or hung (exit code %s); starting a new one", code
            )
            try:
                self._proc, connections, _ = self._spawn()
            except ModelNotFound as exc:
                for _ in range(self.slots):  # the next requests try again
                    self._free.put((self._generation, None))
                raise ModelUnavailable(f"the model process could not be restarted: {exc}") from exc
            for conn in connections:
                self._free.put((self._generation, conn))


def _stop(proc: subprocess.Popen, wait_s: float = 5.0) -> int | None:
    """Wait for a child whose sockets are closed; kill it if it does not end."""
    try:
        return proc.wait(wait_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()
