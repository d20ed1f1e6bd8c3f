"""The Embedder base class: a runtime writes one forward pass, the base does the rest."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Generator
from typing import ClassVar, Literal, TypeVar

import numpy as np

from index.embed.passes import model_passes

Kind = Literal["query", "passage"]
T = TypeVar("T")
# A question's token budget, its prompt and special tokens included: the longest allowed
# question (500 characters, up to ~500 tokens) cost ~16 typical ones; with int4 questions the
# model's cost is linear in tokens: a long one costs 2.85 typical ones at 56 (48: 2.5, 64: 3.2,
# 96: 4.9). A few eval questions are longer than 56; every set's figures were identical at 96,
# 64, 56 and 48 (docs/benchmark.md, "The 500-character question").
QUERY_TOKENS = 56


def keep_ends(n: int, budget: int) -> tuple[int, int]:
    """Of n tokens, how many to keep from the start and from the end within `budget`: a long
    question keeps both ends (a preamble, then the question; or the question, then context),
    and the middle goes. (n, 0) when it fits."""
    if n <= budget:
        return n, 0
    head = budget // 2
    return head, budget - head


class Pending:
    """A question's vector on its way; call it for the vector. `begun`: the work started
    elsewhere and the call must be made even if the vector is no longer wanted (it frees the
    model's slot); not begun: nothing has happened yet, and it may simply be dropped.
    `fileno`: the socket the vector arrives on, when an event loop can wait for it (the
    model process's); the call then reads it. `ready`, if given: what the loop calls instead
    once that socket is readable — the vector, read without waiting, or None if the socket
    was closed (the call, made on a thread, then deals with it)."""

    __slots__ = ("_get", "begun", "fileno", "ready")

    def __init__(
        self,
        get: Callable[[], np.ndarray],
        begun: bool,
        fileno: int | None = None,
        ready: Callable[[], np.ndarray | None] | None = None,
    ):
        self._get = get
        self.begun = begun
        self.fileno = fileno
        self.ready = ready

    def __call__(self) -> np.ndarray:
        return self._get()


# Work that needs a question's vector on the way: it yields the Pending where it waits for it.
Steps = Generator[Pending | None, np.ndarray | None, T]


def drive(steps: Steps[T]) -> T:
    """Run steps (a search's, an answer's) to their end here, waiting for each vector they
    yield. A step yields a Pending when it needs that vector (sent back to it), or None where
    the model has started and the rest could move to another thread (service/qa/steps.py)."""
    value = None
    try:
        while True:
            pending = steps.send(value)
            value = pending() if pending is not None else None
    except StopIteration as stop:
        return stop.value


class Embedder(ABC):
    """Texts → L2-normalized float32 vectors, for questions (`query`) and passages.

    A runtime implements `embed_batch`, one forward pass over a few texts of one kind. Every
    call goes through the shared passes (passes.py), in batches of similar length. The base's
    `start_query` and `close` ask nothing of a runtime; the model process overrides both, so
    callers use them on any embedder without asking first."""

    model_id: str
    dim: int
    vocab: str | None = None  # the vocabulary the onnx runtime serves, "trimmed" or "full"
    # The weights' precision (index/model/quantize.py) and what the index manifest records
    # of the file: "fp32", or a quantized copy's "<precision>:<hash>".
    precision: str = "fp32"
    fingerprint: str = "fp32"
    batch_sizes: ClassVar[dict[str, int]] = {"query": 32, "passage": 16}  # texts per pass

    def __init__(self, threads: int | None = None, batch: int | None = None):
        self.passes = model_passes(self.embed_batch, threads, batch)

    @abstractmethod
    def embed_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        """One forward pass: a [len(texts), dim] array of normalized float32 vectors."""

    def encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        """Any number of texts, in passes of similar length (less padding)."""
        texts = list(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        size = self.batch_sizes[kind]
        for start in range(0, len(order), size):
            chunk = order[start : start + size]
            out[chunk] = self.passes([texts[i] for i in chunk], kind)
        return out

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts, "query")

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts, "passage")

    # Whether start_query begins the work at once (elsewhere), so starting early pays off.
    starts_at_once = False
    # Whether the model is still loading elsewhere (a model process just started): reading
    # model_id, dim, precision or fingerprint waits for it.
    loading = False

    def start_query(self, text: str) -> Pending:
        """Begin on one question; calling what is returned gives its vector. Here the work
        waits for that call; a model in another process starts at once."""
        return Pending(lambda: self.encode_queries([text])[0], begun=False)

    def close(self) -> None:  # noqa: B027 - optional: most runtimes hold nothing outside
        """Let go of what the runtime holds outside this process (the model process)."""
