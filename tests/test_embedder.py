"""The Embedder base class and the one factory: batching written once, abilities declared."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.embed.base import Embedder
from index.embed.factory import RUNTIMES, EmbedderSpec, create_embedder
from service.settings import Settings
from tests.fakes import FakeEmbedder


class Recording(FakeEmbedder):
    """Records each forward pass the base class makes."""

    def __init__(self):
        super().__init__()
        self.batches: list[tuple[str, list[str]]] = []

    def embed_batch(self, texts, kind):
        self.batches.append((kind, list(texts)))
        return super().embed_batch(texts, kind)


def test_a_runtime_writes_one_forward_pass_and_the_base_batches():
    model = Recording()
    texts = [f"第{i}段" + "字" * (i % 7) for i in range(40)]
    vectors = model.encode_passages(texts)
    assert vectors.shape == (40, model.dim) and vectors.dtype == np.float32
    assert [len(b) for _, b in model.batches] == [16, 16, 8]  # Embedder.batch_sizes["passage"]
    lengths = [len(t) for _, b in model.batches for t in b]
    assert lengths == sorted(lengths)  # similar lengths share a pass: less padding
    for i, text in enumerate(texts):  # each vector still belongs to its own text
        np.testing.assert_array_equal(vectors[i], FakeEmbedder().encode_passages([text])[0])
    model.batches.clear()
    model.encode_queries(texts)
    assert [len(b) for _, b in model.batches] == [32, 8]
    assert {kind for kind, _ in model.batches} == {"query"}
    assert model.encode_queries([]).shape == (0, model.dim)


def test_start_query_and_close_need_nothing_from_a_runtime():
    model = Recording()
    pending = model.start_query("地理标志怎么保护")
    assert model.batches == []  # in-process, the work waits for the call
    np.testing.assert_array_equal(pending(), model.encode_queries(["地理标志怎么保护"])[0])
    model.close()  # nothing to release, and no error


def test_an_embedder_must_write_its_forward_pass():
    class Nothing(Embedder):
        model_id, dim = "none", 2

    with pytest.raises(TypeError, match="embed_batch"):
        Nothing()


def test_the_factory_knows_the_runtimes_and_refuses_others(tmp_path):
    assert set(RUNTIMES) == {"onnx", "torch"}
    with pytest.raises(ValueError, match=r"backend must be one of \('onnx', 'torch'\)"):
        create_embedder(EmbedderSpec("m", tmp_path, backend="tensorflow"))


def test_the_settings_are_a_config_the_factory_reads(tmp_path):
    from index.model.folder import ModelNotFound

    settings = Settings(models_dir=tmp_path, backend="onnx")  # nothing provisioned there
    with pytest.raises(ModelNotFound, match="ipqa setup"):
        create_embedder(settings)
    spec = EmbedderSpec(settings.model, Path(settings.models_dir))
    assert (spec.backend, spec.vocab, spec.threads, spec.batch) == ("onnx", "trimmed", None, None)
