"""FAISS inner-product index on normalized vectors: exact when small, HNSW when large."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


def _omp_threads(n: int) -> None:
    """FAISS's OpenMP threads. One query at a time gains nothing from them, and on a busy
    machine their barriers make a 10k exact search ~10× slower (eval/bench.py measured it):
    searches run on one thread; only building uses every core."""
    import faiss

    faiss.omp_set_num_threads(n)


class DenseIndex:
    def __init__(self, index, kind: str):
        self._index = index
        self.kind = kind
        _omp_threads(1)

    @classmethod
    def build(cls, vectors: np.ndarray, hnsw_threshold: int) -> DenseIndex:
        import faiss

        n, dim = vectors.shape
        if n >= hnsw_threshold:
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            kind = "hnsw"
        else:
            index = faiss.IndexFlatIP(dim)
            kind = "flat"
        _omp_threads(max(1, os.cpu_count() or 1))
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, kind)

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        import faiss

        index = faiss.read_index(str(path))
        kind = "hnsw" if isinstance(index, faiss.IndexHNSWFlat) else "flat"
        if kind == "hnsw":
            index.hnsw.efSearch = HNSW_EF_SEARCH
        return cls(index, kind)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (ids, cosine scores) for one normalized query vector."""
        k = min(k, self.size)
        scores, ids = self._index.search(query.reshape(1, -1).astype(np.float32), k)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]
