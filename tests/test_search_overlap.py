"""The searcher starts a model in another process on the question before its lexical work,
and collects the vector even when that work fails (the pass holds a slot until then)."""

from __future__ import annotations

import pytest

import index.search as search_module
from index.search import Searcher
from tests.fakes import FakeEmbedder, fake_searcher


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
    return fake_searcher(fake_settings, embedder), embedder


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


class AtOnceEmbedder(StartingEmbedder):
    """As a model in its own process: the pass begins when started and must be collected."""

    starts_at_once = True

    def start_query(self, text: str):
        from index.embed.base import Pending

        return Pending(super().start_query(text), begun=True)


def _engine(fake_settings, embedder):
    from service.qa.engine import Engine

    return Engine(fake_searcher(fake_settings, embedder), cache_size=0)


def test_the_engine_starts_the_model_before_reading_the_question(fake_settings, monkeypatch):
    embedder = AtOnceEmbedder()
    engine = _engine(fake_settings, embedder)
    real_read = engine.reader.read

    def read(*args, **kwargs):
        embedder.events.append("read")
        return real_read(*args, **kwargs)

    monkeypatch.setattr(engine.reader, "read", read)
    engine.ask("专利质押融资有什么要求")
    assert embedder.events == ["start", "read", "collect"]


def test_a_question_the_table_answers_still_frees_the_model(fake_settings):
    import time

    embedder = AtOnceEmbedder()
    answer = _engine(fake_settings, embedder).ask("使用费进出口总额的目标是2020年的几倍？")
    assert "3500 ÷ 3194.4" in answer.text  # answered from the table, without the vector
    deadline = time.monotonic() + 5
    while embedder.events != ["start", "collect"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert embedder.events == ["start", "collect"]  # collected off the request: slot freed


def test_a_runtime_that_starts_nothing_is_not_started_early(fake_settings):
    embedder = StartingEmbedder()  # work happens when collected: nothing to gain early
    _engine(fake_settings, embedder).ask("使用费进出口总额的目标是2020年的几倍？")
    assert embedder.events == []


def test_a_conditional_boost_counts_what_earlier_boosts_added():
    from index.boosts import apply_plan

    fused: dict = {}
    apply_plan(fused, [(1, "title", 1.0, False), (1, "demote", -1.0, True), (2, "x", 1.0, True)])
    assert list(fused) == [1] and fused[1].why == ["title", "demote"]


def test_a_begun_pass_is_collected_when_the_mode_is_wrong(fake_settings):
    embedder = AtOnceEmbedder()
    searcher = _engine(fake_settings, embedder).searcher
    with pytest.raises(ValueError, match="mode"):
        searcher.search("专利质押融资", mode="fuzzy", started=searcher.start("专利质押融资"))
    assert embedder.events == ["start", "collect"]
