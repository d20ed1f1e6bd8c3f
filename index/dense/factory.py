"""The dense stores by name: which one a build uses (a setting), which one a load rebuilds."""

from __future__ import annotations

from index.dense.base import VectorStore
from index.dense.faiss_store import FaissFlat, FaissHNSW
from index.dense.numpy_store import NumpyExact

# A new backend: one module with a VectorStore subclass, and its entry here.
BACKENDS: dict[str, type[VectorStore]] = {
    FaissFlat.name: FaissFlat,
    FaissHNSW.name: FaissHNSW,
    NumpyExact.name: NumpyExact,
}
AUTO = "auto"  # FAISS exact below the HNSW threshold, HNSW from it


def choose(setting: str, passages: int, hnsw_threshold: int) -> type[VectorStore]:
    """The backend a build uses for `passages` vectors under the IPQA_DENSE_INDEX setting."""
    if setting == AUTO:
        return FaissHNSW if passages >= hnsw_threshold else FaissFlat
    return backend(setting)


def backend(name: str) -> type[VectorStore]:
    try:
        return BACKENDS[name]
    except KeyError:
        known = ", ".join(BACKENDS)
        raise ValueError(f"unknown dense index {name!r} (known: {known})") from None
