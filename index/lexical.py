"""BM25 (bm25s) over jieba tokens of normalized text."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from corpus.tokens import tokenize


def _bm25s():
    """bm25s, imported without numba: it loads numba (~80 MB resident, installed for ranx in
    the eval) for a retrieval backend this index never uses; `get_scores` is numpy."""
    if "bm25s" in sys.modules or "numba" in sys.modules:
        import bm25s

        return bm25s
    sys.modules["numba"] = None  # makes bm25s's optional `import numba` fail, as if absent
    try:
        import bm25s
    finally:
        del sys.modules["numba"]  # the eval's ranx still imports the real numba later
    return bm25s


class LexicalIndex:
    def __init__(self, retriever):
        self._bm25 = retriever
        self._vocab: dict[str, int] = retriever.vocab_dict
        self._n_docs = int(retriever.scores["num_docs"])
        self._df = self._document_frequencies()

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        retriever = _bm25s().BM25()
        retriever.index([tokenize(t) or ["∅"] for t in texts], show_progress=False)
        return cls(retriever)

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        return cls(_bm25s().BM25.load(str(path), show_progress=False))

    def save(self, path: Path) -> None:
        self._bm25.save(str(path), show_progress=False)

    def _document_frequencies(self) -> np.ndarray:
        indptr = np.asarray(self._bm25.scores["indptr"])
        return np.diff(indptr)  # CSC by token: non-zeros per token column = document frequency

    def common_tokens(self, share: float) -> frozenset[str]:
        """Tokens found in more than `share` of the documents."""
        limit = share * self._n_docs
        return frozenset(
            t for t, col in self._vocab.items() if col < len(self._df) and self._df[col] > limit
        )

    def document_tokens(self) -> list[frozenset[str]]:
        """Each indexed text's tokens, read back from the index (no second jieba pass)."""
        indptr = np.asarray(self._bm25.scores["indptr"])
        indices = np.asarray(self._bm25.scores["indices"])
        docs: list[set[str]] = [set() for _ in range(self._n_docs)]
        for token, col in self._vocab.items():
            if col + 1 < len(indptr):
                for d in indices[indptr[col] : indptr[col + 1]].tolist():
                    docs[d].add(token)
        return [frozenset(d) for d in docs]

    def known(self, tokens: list[str]) -> list[str]:
        return [t for t in tokens if t in self._vocab]

    def idf(self, token: str) -> float:
        """BM25-style idf; a token the corpus never uses gets the highest idf."""
        col = self._vocab.get(token, len(self._df))
        df = int(self._df[col]) if col < len(self._df) else 0
        return float(np.log(1 + (self._n_docs - df + 0.5) / (df + 0.5)))

    def scores(self, tokens: list[str]) -> np.ndarray:
        known = self.known(tokens)
        if not known:
            return np.zeros(self._n_docs, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)


def title_tokens(passages, indexed: list[frozenset[str]]) -> dict[str, np.ndarray]:
    """Each token of a document's title → the passages of that document whose own text
    lacks it (indexed: each passage's tokens). With several documents loaded, a question's
    words that name a document ("专利质押…变更登记多久") choose it, and they count for each of
    its passages (a list item "（2）变更登记：5个工作日" is about the guide's 专利权质押 as much
    as its heading is), so that its other words rank them. One document: nothing to choose."""
    rows: dict[str, list[int]] = {}
    for i, p in enumerate(passages):
        rows.setdefault(p.doc, []).append(i)
    if len(rows) < 2:
        return {}
    lacking: dict[str, list[int]] = {}
    for mine in rows.values():
        title = passages[mine[0]].doc_title
        for t in sorted(set(tokenize(title))) if title else ():
            lacking.setdefault(t, []).extend(i for i in mine if t not in indexed[i])
    return {t: np.asarray(v, dtype=np.int64) for t, v in lacking.items() if v}
