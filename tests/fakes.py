"""A deterministic fake embedder for fast tests: hashed character bigrams, no model."""

from __future__ import annotations

import hashlib

import numpy as np

from index.embed.base import Embedder, Kind


class FakeEmbedder(Embedder):
    """A real Embedder subclass: the base's batching, shared passes, start_query and close."""

    model_id = "fake-bigram-64"
    dim = 64

    def __init__(self, fail_after: int | None = None):
        super().__init__()
        self.calls = 0  # forward passes
        self.fail_after = fail_after  # raise on that call, to test failed builds

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        grams = [text[i : i + 2] for i in range(max(1, len(text) - 1))]
        for g in grams:
            h = int.from_bytes(hashlib.md5(g.encode("utf-8")).digest()[:4], "little")
            v[h % self.dim] += 1.0 if (h >> 31) & 1 else -1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed_batch(self, texts: list[str], kind: Kind) -> np.ndarray:
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise RuntimeError("fake embedder failure (simulated)")
        return np.vstack([self._vec(t) for t in texts]).astype(np.float32)


def fake_searcher(settings, embedder: Embedder):
    """A Searcher over the index the fake_settings fixture built, with this embedder."""
    from index.search import Searcher
    from index.store import load_index

    index = load_index(
        settings.index_dir,
        model=embedder.model_id,
        dim=embedder.dim,
        corpus_dir=settings.corpus_dir,
    )
    return Searcher(index, embedder)
