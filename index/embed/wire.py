"""The model process's replies on its sockets: a pass's vectors as raw float32 bytes.

A reply is one `Connection.send_bytes` message: b"\\x00" and the vectors' bytes (rows × dim
float32, row-major), or b"\\x01" and an error message. The request stays pickled
(`(texts, kind)`), and so does the child's first message (what it loaded).

Pickling the vectors (a tuple holding an ndarray) and reading them through `Connection.poll`
and `Connection.recv` cost an uncached /ask ~0.2 ms between the vector's arrival and the
dense search, on the event loop (a new selector per poll, two reads, NumPy's reconstruction,
all of it cold after the wait; docs/benchmark.md, eighth session). The event loop already
knows the socket is readable: `read_ready` reads the reply in one system call."""

from __future__ import annotations

import os

import numpy as np

OK, ERROR = b"\x00", b"\x01"
_HEADER = 4  # Connection.send_bytes's length prefix: a signed 32-bit big-endian int


class ModelError(RuntimeError):
    """The model process could not encode the texts it was sent."""


def vectors_reply(vectors: np.ndarray) -> bytes:
    return OK + np.ascontiguousarray(vectors, dtype=np.float32).tobytes()


def error_reply(message: str) -> bytes:
    return ERROR + message.encode("utf-8", "replace")


def decode(payload: bytes, rows: int) -> np.ndarray:
    """A reply's [rows, dim] vectors (a writable copy, as unpickling gave); ModelError with
    the child's message for an error reply."""
    if payload[:1] != OK:
        raise ModelError(payload[1:].decode("utf-8", "replace"))
    return np.frombuffer(payload, dtype=np.float32, offset=1).reshape(rows, -1).copy()


def read_ready(fd: int, expected: int) -> bytes | None:
    """One reply's payload from a socket that is readable now, read as `Connection.recv_bytes`
    would (a query's reply arrives in one write, so one read takes it whole); `expected` is
    the payload size of a vectors reply. None when the peer closed the socket first: the
    caller then collects the usual way, which replaces the process (and so on an OSError).
    Only one reply is ever outstanding on a socket: reading up to its size never takes the
    next."""
    try:
        return _read(fd, expected)
    except OSError:
        return None


def _read(fd: int, expected: int) -> bytes | None:
    data = os.read(fd, _HEADER + expected)
    while len(data) < _HEADER:
        more = os.read(fd, _HEADER - len(data)) if data else b""
        if not more:  # closed (before the reply, or in its middle): the usual collect sees it
            return None
        data += more
    size = int.from_bytes(data[:_HEADER], "big")  # replies are far under Connection's 2 GiB
    while len(data) < _HEADER + size:
        more = os.read(fd, _HEADER + size - len(data))
        if not more:
            return None
        data += more
    return data[_HEADER:]
