"""A model process started without waiting (`ipqa serve`'s cold start, issue 23): the server
loads its index and engine while the child loads the model; what the child reports is still
checked against the index, and a child still loading is ended at once when nobody needs it.
(The time it saves is measured by `ipqa bench`: docs/benchmark.md, "Cold start".)"""

from __future__ import annotations

import numpy as np
import pytest

from index.embed.model_process import ModelProcess, ModelUnavailable
from index.model.folder import DEFAULT_MODEL, ModelNotFound
from tests.serverproc import MODELS_DIR, gone_within, require_model

pytestmark = pytest.mark.real_model
QUESTIONS = ["专利质押融资金额是多少", "地理标志怎么保护？"]


def test_it_returns_while_loading_and_gives_the_same_vectors(real_embedder):
    require_model()
    m = ModelProcess(DEFAULT_MODEL, MODELS_DIR, wait=False)
    try:
        assert m.loading  # the child has not reported yet
        assert m.dim == real_embedder.dim  # waits for it
        assert not m.loading
        assert m.model_id == DEFAULT_MODEL and m.fingerprint == m.ready()["fingerprint"]
        np.testing.assert_array_equal(
            m.encode_queries(QUESTIONS), real_embedder.encode_queries(QUESTIONS)
        )
        np.testing.assert_array_equal(m.start_query(QUESTIONS[0])(), m.encode_queries(QUESTIONS)[0])
    finally:
        m.close()


def test_the_first_pass_waits_for_the_model_too(real_embedder):
    require_model()
    m = ModelProcess(DEFAULT_MODEL, MODELS_DIR, wait=False)
    try:
        np.testing.assert_array_equal(
            m.start_query(QUESTIONS[1])(), real_embedder.encode_queries(QUESTIONS[1:])[0]
        )
    finally:
        m.close()


def test_closing_it_while_it_loads_ends_the_child_at_once():
    require_model()
    m = ModelProcess(DEFAULT_MODEL, MODELS_DIR, wait=False)
    pid = m.pid
    m.close()
    assert gone_within(pid, 5)
    with pytest.raises(ModelUnavailable):
        m.encode_queries(["专利"])


def test_a_missing_model_still_fails_in_the_constructor(tmp_path):
    with pytest.raises(ModelNotFound, match="not provisioned"):
        ModelProcess(DEFAULT_MODEL, tmp_path, wait=False)


def test_a_model_that_fails_to_load_fails_where_it_is_first_needed(tmp_path):
    require_model()
    m = ModelProcess(DEFAULT_MODEL, MODELS_DIR, wait=False, precision="no-such-precision")
    pid = m.pid
    with pytest.raises(ModelNotFound, match="precision"):
        m.ready()
    assert gone_within(pid, 10)
    m.close()  # nothing left to close: no error


def test_serving_loads_the_index_meanwhile_and_still_refuses_a_mismatched_one(monkeypatch):
    """`open_engine(serving=True)` with a model process: a fingerprint the index does not
    record is refused, as when the model was loaded first."""
    require_model()
    import index.embed.model_process as mp
    from service.settings import Settings
    from service.state import LoadError, open_engine

    settings = Settings()
    real = mp.ModelProcess._ready_with

    def other_copy(self, info):
        real(self, {**info, "fingerprint": "int4:0000000000000000"})

    monkeypatch.setattr(mp.ModelProcess, "_ready_with", other_copy)
    started: list[ModelProcess] = []
    real_init = mp.ModelProcess.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        started.append(self)
        assert self.loading, "serving should not wait for the model process"

    monkeypatch.setattr(mp.ModelProcess, "__init__", init)
    with pytest.raises(LoadError, match="question model"):
        open_engine(settings.model_copy(update={"model_process": True}), serving=True)
    assert started and gone_within(started[0].pid, 10)
