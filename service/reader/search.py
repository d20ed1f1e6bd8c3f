"""Finding passages by their words, for staff citing them: the index's BM25 scores, with the
passages that hold every word of the query as written first. No embedding, no answer path."""

from __future__ import annotations

import re

import numpy as np

from corpus.normalize import normalize_text
from corpus.records import Passage
from corpus.tokens import tokenize
from service.reader.library import library_of

PASSAGE_ID = re.compile(r"p-[0-9a-f]{6,16}")
MAX_QUERY = 100


def _plain(text: str) -> str:
    return normalize_text(text).lower()


def find_passages(searcher, query: str, limit: int = 10) -> list[Passage]:
    """The passages best matching `query`: a passage id finds that passage; else those holding
    every word (space-separated) of the query, then the rest by BM25 over their words."""
    query = " ".join(query.split())[:MAX_QUERY]
    if not query:
        return []
    library = library_of(searcher)
    if PASSAGE_ID.fullmatch(query):
        found = library.passages.get(query)
        return [found] if found is not None else []
    if library.plain is None:  # each passage's searchable text, normalized once per build
        library.plain = [_plain(f"{p.doc_title} {p.search_text}") for p in searcher.passages]
    plain = library.plain
    words = _plain(query).split()
    bm25 = np.asarray(searcher.index.lexical.scores(tokenize(query)), dtype=np.float64)
    whole = [all(w in text for w in words) for text in plain]
    order = sorted(range(len(plain)), key=lambda i: (not whole[i], -bm25[i], i))
    return [searcher.passages[i] for i in order[:limit] if whole[i] or bm25[i] > 0]
