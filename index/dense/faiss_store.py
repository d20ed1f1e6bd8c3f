"""FAISS inner-product stores: exact (IndexFlatIP) and approximate (HNSW)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from index.dense.base import VectorStore

FILE = "dense.faiss"
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


def _omp_threads(n: int) -> None:
    """FAISS's OpenMP threads. One query at a time gains nothing from them, and on a busy
    machine their barriers slow an exact search many times over (`ipqa bench` measured it):
    searches run on one thread; only building uses every core."""
    import faiss

    faiss.omp_set_num_threads(n)


class FaissFlat(VectorStore):
    """Exact search: every vector compared, best for corpora up to tens of thousands."""

    name = "flat"

    def __init__(self, index):
        self._index = index
        _omp_threads(1)

    @classmethod
    def _new(cls, dim: int):
        import faiss

        return faiss.IndexFlatIP(dim)

    @classmethod
    def build(cls, vectors: np.ndarray) -> VectorStore:
        index = cls._new(vectors.shape[1])
        _omp_threads(max(1, os.cpu_count() or 1))
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    @classmethod
    def load(cls, folder: Path) -> VectorStore:
        import faiss

        return cls(faiss.read_index(str(Path(folder) / FILE)))

    def save(self, folder: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(Path(folder) / FILE))

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.size)
        scores, ids = self._index.search(query.reshape(1, -1).astype(np.float32), k)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]


class FaissHNSW(FaissFlat):
    """Approximate search on an HNSW graph: sublinear, for corpora past the exact one's cost."""

    name = "hnsw"

    def __init__(self, index):
        index.hnsw.efSearch = HNSW_EF_SEARCH
        super().__init__(index)

    @classmethod
    def _new(cls, dim: int):
        import faiss

        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        return index
