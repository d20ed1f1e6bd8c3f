"""txtai (an optional extra) over ipqa's passages, with ipqa's own embedder as its vectors.

Every configuration gets the passages as ipqa indexes them (`normalize_text(search_text)`,
from the built index) and the same question text. The vectors are ipqa's: txtai's "external"
vectors call a transform function, here ipqa's Embedder. txtai prepends the model's own prompts
through its `instructions` setting ("query: " / "passage: " for E5); External hands the
transform no category, so the transform reads the prefix to tell a question from a passage
and passes the rest to `Embedder.encode(texts, kind)`, which puts the same prompt back: the
model reads exactly what it reads inside ipqa, and the vectors are ipqa's to the bit.

txtai's BM25 splits text by Unicode word boundaries, which cut Chinese into single
characters. `JiebaBM25` is txtai's BM25 with ipqa's jieba tokens instead (corpus/tokens.py);
the rows that use it say so.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

# Nothing here may fetch a model: txtai falls back to a hub model when a config names none.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from txtai import Embeddings  # noqa: E402
from txtai.scoring import BM25  # noqa: E402

from corpus.normalize import normalize_text  # noqa: E402
from corpus.records import Passage  # noqa: E402
from corpus.tokens import tokenize  # noqa: E402
from eval.peers.score import Ranker  # noqa: E402
from eval.run import TOP_K  # noqa: E402
from index.embed.base import Embedder  # noqa: E402
from index.model.folder import resolve_model  # noqa: E402

JIEBA = f"{__name__}.JiebaBM25"  # txtai resolves a scoring method given as a class path


class JiebaBM25(BM25):
    """txtai's BM25 (its k1, b, term index and score normalization) over ipqa's tokens."""

    def tokenize(self, text):
        return tokenize(text)


def model_prompts(model: str, models_dir: Path) -> dict[str, str]:
    """The model's own query and passage prompts (config_sentence_transformers.json), as
    txtai's `instructions`: {"query": ..., "data": ...}."""
    folder = Path(resolve_model(model, models_dir))
    config = folder / "config_sentence_transformers.json"
    prompts = (
        json.loads(config.read_text(encoding="utf-8")).get("prompts", {})
        if config.is_file()
        else {}
    )
    query, passage = prompts.get("query") or "", prompts.get("passage") or ""
    if not query or not passage or query.startswith(passage) or passage.startswith(query):
        raise ValueError(
            f"{model}: the comparison needs distinct query and passage prompts, not "
            f"{query!r} and {passage!r}"
        )
    return {"query": query, "data": passage}


def ipqa_vectors(embedder: Embedder, instructions: dict[str, str]):
    """txtai's transform: texts with txtai's prefix → ipqa's vectors for them. A plain function
    (txtai instantiates anything else it is given). Passages are encoded once and kept, since
    three configurations index the same ones; questions are encoded on every search."""
    kinds = {instructions["query"]: "query", instructions["data"]: "passage"}
    kept: dict[str, np.ndarray] = {}

    def transform(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), embedder.dim), dtype=np.float32)
        todo: dict[str, list[int]] = {"query": [], "passage": []}
        for i, text in enumerate(texts):
            prefix = next((p for p in kinds if text.startswith(p)), None)
            if prefix is None:
                raise ValueError(f"txtai sent a text without an instruction prefix: {text[:40]!r}")
            if kinds[prefix] == "passage" and text in kept:
                out[i] = kept[text]
            else:
                todo[kinds[prefix]].append(i)
        for kind, rows in todo.items():
            if rows:
                prefix = instructions["query" if kind == "query" else "data"]
                vectors = embedder.encode([texts[i][len(prefix) :] for i in rows], kind)
                out[rows] = vectors
                if kind == "passage":
                    kept.update((texts[i], v) for i, v in zip(rows, vectors, strict=True))
        return out

    return transform


def configurations(transform, instructions: dict[str, str]) -> dict[str, dict]:
    """label → txtai config. Dense: exact search (faiss IDMap,Flat below 5,000 rows, as ipqa's
    flat index). Hybrid: txtai's default, BM25 scores normalized and added to the cosine
    with weights 0.5 / 0.5. Keyword alone: BM25 without vectors."""
    dense = {"method": "external", "transform": transform, "instructions": instructions}
    return {
        "txtai dense (ipqa's vectors)": dense,
        "txtai bm25, own tokenizer": {"keyword": True},
        "txtai hybrid, own tokenizer": {**dense, "hybrid": True},
        "txtai bm25, jieba tokens": {"keyword": JIEBA},
        "txtai hybrid, jieba tokens": {**dense, "hybrid": JIEBA},
    }


class TxtaiPeer:
    """The txtai indexes over one set of passages; `rankers()` searches them."""

    def __init__(self, passages: Sequence[Passage], embedder: Embedder, prompts: dict[str, str]):
        self.ids = [p.id for p in passages]
        texts = [normalize_text(p.search_text) for p in passages]  # as index/store.py indexes
        transform = ipqa_vectors(embedder, prompts)
        self.indexes: dict[str, Embeddings] = {}
        self.build_seconds: dict[str, float] = {}
        for label, config in configurations(transform, prompts).items():
            started = time.perf_counter()
            embeddings = Embeddings(dict(config))
            embeddings.index([(i, text, None) for i, text in enumerate(texts)])
            self.build_seconds[label] = time.perf_counter() - started
            self.indexes[label] = embeddings

    def search(self, label: str, text: str) -> list[str]:
        return [self.ids[int(i)] for i, _ in self.indexes[label].search(text, TOP_K)]

    def rankers(self) -> dict[str, Ranker]:
        out: dict[str, Ranker] = {
            label: (lambda p, label=label: self.search(label, p.text)) for label in self.indexes
        }
        # txtai as it comes, also for the question: as typed, not read by ipqa first
        out["txtai hybrid, own tok., as typed"] = lambda p: self.search(
            "txtai hybrid, own tokenizer", p.typed
        )
        return out

    def close(self) -> None:
        for embeddings in self.indexes.values():
            embeddings.close()


def version() -> str:
    from importlib.metadata import version as installed

    return installed("txtai")
