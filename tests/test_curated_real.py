"""Curated answers with the real model: the calibrated cut, a reworded question matched by
its own search vector (no second encode), a different question left to the plan."""

from __future__ import annotations

import pytest

from service.office.matcher import DEFAULT_THRESHOLD, CuratedEntry, CuratedMatcher, threshold_for

pytestmark = pytest.mark.real_model


class _Counting:
    """The real embedder, counting query encodes however they are asked for."""

    def __init__(self, inner):
        self.inner, self.calls = inner, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def encode_queries(self, texts):
        self.calls += 1
        return self.inner.encode_queries(texts)

    def start_query(self, text):  # the search's way in: the encode starts before BM25 runs
        self.calls += 1
        return self.inner.start_query(text)


def test_the_threshold_is_the_calibrated_one(real_engine):
    from eval.curated_threshold import calibrate, labelled_vectors

    keys, vectors, texts = labelled_vectors(real_engine)
    result = calibrate(keys, vectors, texts)
    assert result["threshold"] == DEFAULT_THRESHOLD
    assert result["same_matched"] > 0  # it does admit rewordings


def test_curated_answers_come_first_and_reuse_the_search_vector(real_engine):
    from service.qa.engine import Engine

    counting = _Counting(real_engine.searcher.embedder)
    matcher = CuratedMatcher(threshold_for(counting.model_id))
    searcher = real_engine.searcher
    original = searcher.embedder
    searcher.embedder = counting
    try:
        engine = Engine(searcher, cache_size=0, curated=matcher)
        # as the office loads them: embedded the way the engine embeds a question
        entry = CuratedEntry(1, "2025年海外发明专利授权量目标是多少？", (), "人工答案：9万件。", ())
        matcher.load([entry], engine.question_vectors)
        before = counting.calls
        reworded = engine.ask("2025年海外发明专利授权量的目标是多少")
        assert counting.calls == before + 1  # the search's one encode, nothing more
        other = engine.ask("2030年海外发明专利授权量的目标是多少？")
        plain = engine.ask("地理标志怎么保护？")
    finally:
        searcher.embedder = original
    assert reworded.outcome == "curated" and reworded.text == "人工答案：9万件。"
    assert reworded.found is True
    assert other.outcome != "curated" and plain.outcome != "curated"
