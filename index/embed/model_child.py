"""The model process's own side (`python -m index.embed.model_child`): load, then answer passes."""

from __future__ import annotations

import json
import signal
import sys
import threading
from multiprocessing.connection import Connection

from index.embed.base import Embedder
from index.embed.factory import EmbedderSpec, create_embedder
from index.embed.wire import error_reply, vectors_reply
from index.model.folder import ModelNotFound


def _encode(embedder: Embedder, texts: list[str], kind: str):
    """One text (a question on its way): its forward pass alone, the vector `encode` gives. The
    server has already scheduled the pass (its shared passes, one pass per socket at a time),
    and `encode` here would sort one text, allocate its output and take a slot of a scheduler
    that never waits: ~0.14 ms of a question's critical path (docs/benchmark.md, eighth
    session). Several texts go through `encode` as before."""
    if len(texts) == 1:
        return embedder.embed_batch(texts, kind)
    return embedder.encode(texts, kind)


def _serve(embedder: Embedder, conn: Connection) -> None:
    while True:
        try:
            texts, kind = conn.recv()
        except (EOFError, OSError):  # the server closed the socket, or has gone
            return
        try:  # raw float32 bytes, not pickled (wire.py)
            reply = vectors_reply(_encode(embedder, texts, kind))
        except Exception as exc:  # noqa: BLE001 - the server gets the message, not a hang
            reply = error_reply(f"{type(exc).__name__}: {exc}")
        try:
            conn.send_bytes(reply)
        except OSError:
            return


def main(argv: list[str]) -> int:
    """argv: the ModelProcess's spec as JSON, then one socket's file descriptor per pass slot."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole process group
    spec, connections = json.loads(argv[0]), [Connection(int(fd)) for fd in argv[1:]]
    try:
        embedder = create_embedder(EmbedderSpec(**spec))
    except Exception as exc:  # noqa: BLE001 - every load failure goes back as one line
        message = str(exc) if isinstance(exc, ModelNotFound) else f"{type(exc).__name__}: {exc}"
        connections[0].send(("error", message))
        return 2
    info = {
        "model_id": embedder.model_id,
        "dim": embedder.dim,
        "vocab": embedder.vocab,
        "precision": embedder.precision,
        "fingerprint": embedder.fingerprint,
    }
    connections[0].send(("ready", info))
    workers = [
        threading.Thread(target=_serve, args=(embedder, c), daemon=True) for c in connections
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
