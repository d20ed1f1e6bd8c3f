"""The VectorStore base class: what the searcher and the index folder need of a dense index."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

import numpy as np


class VectorStore(ABC):
    """Inner-product search over normalized vectors (cosine), ids 0…n-1 in passage order.

    A backend is one module with one subclass, named in factory.py; the index folder's
    manifest records `name`, and loading asks the factory for that same backend."""

    name: ClassVar[str]  # the factory's key, written into the manifest

    @classmethod
    @abstractmethod
    def build(cls, vectors: np.ndarray) -> VectorStore:
        """A store over `vectors` ([n, dim] float32, normalized)."""

    @classmethod
    @abstractmethod
    def load(cls, folder: Path) -> VectorStore:
        """The store `save` wrote into `folder`."""

    @abstractmethod
    def save(self, folder: Path) -> None:
        """Write the store's own file(s) into the index folder being built."""

    @property
    @abstractmethod
    def size(self) -> int: ...

    @property
    @abstractmethod
    def dim(self) -> int: ...

    @abstractmethod
    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (ids, cosine scores), best first, for one normalized query vector."""
