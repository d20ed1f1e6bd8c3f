"""Scale: BM25 and FAISS (exact against HNSW) on synthetic corpora; the bench's small helpers."""

from __future__ import annotations

import json
import random
import re
import time
from pathlib import Path

import numpy as np


def percentiles(values: list[float], points=(50, 95, 99)) -> dict[str, float]:
    """Nearest-rank-interpolated percentiles (numpy's linear method), rounded to 0.01."""
    if not values:
        return {f"p{p}": float("nan") for p in points}
    arr = np.asarray(values, dtype=np.float64)
    return {f"p{p}": round(float(np.percentile(arr, p)), 2) for p in points}


def split_sentences(texts: list[str]) -> list[str]:
    parts = (s.strip() for t in texts for s in re.split(r"(?<=[。；！？])", t))
    return sorted({s for s in parts if len(s) >= 6})


def synthetic_corpus(sentences: list, n: int, seed: int = 0, per_doc=(2, 5)) -> list[list]:
    """n documents, each a random recombination of 2–4 of the plan's sentences (or of their
    token lists: recombining tokens avoids running jieba 100,000 times)."""
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        picks = rng.sample(range(len(sentences)), min(len(sentences), rng.randrange(*per_doc)))
        doc: list = []
        for i in picks:
            item = sentences[i]
            doc.extend(item if isinstance(item, list) else [item])
        docs.append(doc)
    return docs


def unit_vectors(n: int, dim: int = 384, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, dim), dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def noisy_queries(base: np.ndarray, n: int, noise: float = 0.5, seed: int = 1) -> np.ndarray:
    """Queries near stored vectors, so they have real nearest neighbours to find."""
    rng = np.random.default_rng(seed)
    picks = base[rng.integers(0, len(base), n)]
    q = picks + noise * rng.standard_normal(picks.shape, dtype=np.float32) / np.sqrt(base.shape[1])
    return (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32)


def recall_at_k(exact: np.ndarray, approx: np.ndarray, k: int = 10) -> float:
    hits = sum(len(set(e[:k]) & set(a[:k])) for e, a in zip(exact, approx, strict=True))
    return hits / (k * len(exact))


def compare_dense(vectors: np.ndarray, queries: np.ndarray, k: int = 10) -> dict:
    """FAISS exact against HNSW (index/dense/faiss_store.py) on the same vectors: build, p50,
    recall."""
    from index.dense.faiss_store import FaissFlat, FaissHNSW

    out: dict = {"n": len(vectors)}
    results = {}
    for store in (FaissFlat, FaissHNSW):
        started = time.perf_counter()
        index = store.build(vectors)
        build = time.perf_counter() - started
        times, ids = [], []
        for q in queries:
            t = time.perf_counter()
            found, _ = index.search(q, k)
            times.append((time.perf_counter() - t) * 1000)
            ids.append(found)
        results[store.name] = ids
        out[store.name] = {"build_s": round(build, 3), "search_ms": percentiles(times, (50, 95))}
    out["hnsw_recall_at_10"] = round(recall_at_k(results["flat"], results["hnsw"], k), 4)
    return out


def suggest_threshold(scale: list[dict], budget_ms: float) -> int | None:
    """Smallest corpus at which exact search would cost more than `budget_ms` a query:
    exact search is linear in n, so extrapolate from the largest size measured."""
    if not scale:
        return None
    last = max(scale, key=lambda r: r["n"])
    per_vector = last["dense"]["flat"]["search_ms"]["p50"] / last["n"]
    return int(round(budget_ms / per_vector, -3)) if per_vector > 0 else None


def timed(fn, items) -> list[float]:
    out = []
    for x in items:
        t = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - t) * 1000)
    return out


def bench_scale(sizes, settings, questions: list[str], queries_n: int = 200) -> list[dict]:
    import bm25s

    from corpus.tokens import tokenize

    texts = [
        json.loads(line)["text"]
        for line in (Path(settings.index_dir) / "passages.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
        if line.strip()
    ]
    sentences = split_sentences(texts)
    tokenized = [tokenize(s) for s in sentences]
    tokenized_questions = [tokenize(q) for q in questions[:queries_n]]
    rows = []
    for n in sizes:
        docs = synthetic_corpus(tokenized, n, seed=n)
        started = time.perf_counter()
        retriever = bm25s.BM25()
        retriever.index(docs, show_progress=False)
        build = time.perf_counter() - started
        vocab = retriever.vocab_dict
        qs = [[t for t in q if t in vocab] or [next(iter(vocab))] for q in tokenized_questions]
        times = timed(retriever.get_scores, qs)
        row = {
            "n": n,
            "bm25": {"build_s": round(build, 3), "score_ms": percentiles(times, (50, 95))},
        }
        vectors = unit_vectors(n, seed=n)
        row["dense"] = compare_dense(vectors, noisy_queries(vectors, queries_n))
        rows.append(row)
    return rows
