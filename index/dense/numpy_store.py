"""Exact search with NumPy alone: a matrix product; no FAISS needed (the fast tests use it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.dense.base import VectorStore

FILE = "dense.npy"


class NumpyExact(VectorStore):
    name = "numpy"

    def __init__(self, vectors: np.ndarray):
        self._vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    @classmethod
    def build(cls, vectors: np.ndarray) -> VectorStore:
        return cls(vectors)

    @classmethod
    def load(cls, folder: Path) -> VectorStore:
        return cls(np.load(Path(folder) / FILE, allow_pickle=False))

    def save(self, folder: Path) -> None:
        np.save(Path(folder) / FILE, self._vectors, allow_pickle=False)

    @property
    def size(self) -> int:
        return int(self._vectors.shape[0])

    @property
    def dim(self) -> int:
        return int(self._vectors.shape[1])

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        scores = self._vectors @ np.asarray(query, dtype=np.float32).reshape(-1)
        ids = np.argsort(-scores, kind="stable")[: min(k, self.size)]  # ties: lower id first
        return ids, scores[ids]
