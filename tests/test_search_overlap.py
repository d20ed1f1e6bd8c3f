"""The searcher starts a model in another process on the question before its lexical work,
and collects the vector even when that work fails (the pass holds a slot until then)."""

from __future__ import annotations

import pytest

import index.search as search_module
from index.search import Searcher
from index.store import load_index
from tests.fakes import FakeEmbedder


class StartingEmbedder(FakeEmbedder):
    """A FakeEmbedder with start_query, recording the order of events."""

    def __init__(self):
        super().__init__()
        self.events: list[str] = []

    def start_query(self, text: str):
        self.events.append("start")

        def collect():
            self.events.append("collect")
            return self.encode_queries([text])[0]

        return collect


@pytest.fixture
def searcher(fake_settings):
    embedder = StartingEmbedder()
    index = load_index(
        fake_settings.index_dir,
        model=embedder.model_id,
        dim=embedder.dim,
        corpus_dir=fake_settings.corpus_dir,
    )
    return Searcher(index, embedder), embedder


def test_the_model_starts_before_the_lexical_work(searcher, monkeypatch):
    s, embedder = searcher
    plain = Searcher(s.index, FakeEmbedder()).search("专利质押融资", top_k=3)
    real_tokenize = search_module.tokenize

    def tokenize(*args, **kwargs):
        embedder.events.append("tokenize")
        return real_tokenize(*args, **kwargs)

    monkeypatch.setattr(search_module, "tokenize", tokenize)
    result = s.search("专利质押融资", top_k=3)
    assert embedder.events == ["start", "tokenize", "collect"]
    assert [h.passage.id for h in result.hits] == [h.passage.id for h in plain.hits]


def test_a_started_pass_is_collected_when_the_lexical_work_fails(searcher, monkeypatch):
    s, embedder = searcher

    def broken(*args, **kwargs):
        raise RuntimeError("tokenizer broke")

    monkeypatch.setattr(search_module, "tokenize", broken)
    with pytest.raises(RuntimeError, match="tokenizer broke"):
        s.search("专利质押融资")
    assert embedder.events == ["start", "collect"]


def test_a_given_vector_starts_nothing(searcher):
    s, embedder = searcher
    s.search("专利质押融资", query_vector=FakeEmbedder().encode_queries(["专利质押融资"])[0])
    assert embedder.events == []
