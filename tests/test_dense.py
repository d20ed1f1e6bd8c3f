"""The dense stores: each finds what exact search finds, the manifest names the one a build
used and loading rebuilds it, and a new backend is one class and one factory entry."""

from __future__ import annotations

import json

import numpy as np
import pytest

from corpus.load import DEFAULT_CORPUS_DIR
from eval.bench.scale import noisy_queries, unit_vectors
from index.dense.factory import BACKENDS, backend, choose
from index.dense.faiss_store import FaissFlat, FaissHNSW
from index.dense.numpy_store import NumpyExact
from index.search import Searcher
from index.store import InvalidIndex, build_index, load_index
from tests.fakes import FakeEmbedder


def _exact_top(vectors: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    return list(np.argsort(-(vectors @ query), kind="stable")[:k])


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_every_backend_finds_the_nearest_vectors_and_survives_a_save(name, tmp_path):
    vectors = unit_vectors(400, dim=32, seed=7)
    queries = noisy_queries(vectors, 20)
    store = backend(name).build(vectors)
    assert (store.size, store.dim, store.name) == (400, 32, name)
    store.save(tmp_path)
    loaded = backend(name).load(tmp_path)
    found = 0
    for q in queries:
        ids, scores = loaded.search(q, 10)
        assert list(ids) == list(store.search(q, 10)[0])  # the same after a round trip
        assert np.all(np.diff(scores) <= 1e-6)  # best first
        np.testing.assert_allclose(scores, vectors[ids] @ q, rtol=1e-5, atol=1e-5)
        found += len(set(ids) & set(_exact_top(vectors, q, 10)))
    assert found / (10 * len(queries)) >= (0.9 if name == "hnsw" else 1.0)


def test_a_search_for_more_than_there_is_returns_all():
    vectors = unit_vectors(3, dim=8)
    for store in BACKENDS.values():
        ids, _ = store.build(vectors).search(vectors[0], 50)
        assert sorted(ids) == [0, 1, 2] and ids[0] == 0


def test_auto_is_exact_below_the_threshold_and_hnsw_from_it():
    assert choose("auto", 19_999, 20_000) is FaissFlat
    assert choose("auto", 20_000, 20_000) is FaissHNSW
    assert choose("numpy", 10**6, 20_000) is NumpyExact
    with pytest.raises(
        ValueError, match=r"unknown dense index 'annoy' \(known: flat, hnsw, numpy\)"
    ):
        choose("annoy", 10, 20_000)


def test_the_manifest_names_the_backend_and_a_load_rebuilds_it(tmp_path):
    for name, file in (("numpy", "dense.npy"), ("flat", "dense.faiss")):
        index_dir = tmp_path / name
        build_index(
            DEFAULT_CORPUS_DIR, FakeEmbedder(), index_dir, hnsw_threshold=10**6, dense_index=name
        )
        assert json.loads((index_dir / "manifest.json").read_text())["dense_index"] == name
        assert (index_dir / file).is_file()
        loaded = load_index(index_dir, model=FakeEmbedder.model_id)
        assert type(loaded.dense) is BACKENDS[name]


def test_numpy_and_faiss_exact_find_the_same_neighbours(fake_settings, tmp_path):
    """The fast tests' NumPy store stands in for FAISS: over the fake index, the same passages
    with the same scores (the fake's hashed vectors tie often; tied ones may swap places)."""
    flat_dir = tmp_path / "flat"
    build_index(DEFAULT_CORPUS_DIR, FakeEmbedder(), flat_dir, hnsw_threshold=10**6)
    model = FakeEmbedder.model_id
    stores = [load_index(d, model=model).dense for d in (fake_settings.index_dir, flat_dir)]
    assert [s.name for s in stores] == ["numpy", "flat"]
    for question in ("地理标志怎么保护", "专栏5是什么", "海外发明专利授权量2025年目标", "版权产业"):
        vector = FakeEmbedder().encode_queries([question])[0]
        (ids_a, scores_a), (ids_b, scores_b) = (s.search(vector, 50) for s in stores)
        np.testing.assert_allclose(scores_a, scores_b, atol=1e-6)
        by_score = [{}, {}]
        for found, ids, scores in zip(by_score, (ids_a, ids_b), (scores_a, scores_b), strict=True):
            for i, score in zip(ids, scores, strict=True):
                found.setdefault(round(float(score), 5), set()).add(int(i))
        last = round(float(scores_a[-1]), 5)  # the cut at 50 may split a tie
        assert {k: v for k, v in by_score[0].items() if k != last} == {
            k: v for k, v in by_score[1].items() if k != last
        }


def test_an_unknown_backend_in_the_manifest_is_refused_with_the_fix(tmp_path):
    index_dir = tmp_path / "index"
    build_index(DEFAULT_CORPUS_DIR, FakeEmbedder(), index_dir, hnsw_threshold=10**6)
    manifest = json.loads((index_dir / "manifest.json").read_text())
    manifest["dense_index"] = "annoy"
    (index_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InvalidIndex, match=r"unknown dense index 'annoy'.*ipqa build"):
        load_index(index_dir, model=FakeEmbedder.model_id)


class Reversed(NumpyExact):
    """A backend written for this test: a subclass and an entry in BACKENDS are all it takes."""

    name = "reversed"

    def search(self, query, k):
        ids, scores = super().search(query, self.size)
        return ids[::-1][:k], scores[::-1][:k]  # worst first: visibly this backend's answers


def test_a_new_backend_is_one_class_and_one_factory_entry(monkeypatch, tmp_path):
    monkeypatch.setitem(BACKENDS, Reversed.name, Reversed)
    index_dir = tmp_path / "index"
    build_index(
        DEFAULT_CORPUS_DIR, FakeEmbedder(), index_dir, hnsw_threshold=10**6, dense_index="reversed"
    )
    loaded = load_index(index_dir, model=FakeEmbedder.model_id)
    assert loaded.manifest["dense_index"] == "reversed" and isinstance(loaded.dense, Reversed)
    hits = Searcher(loaded, FakeEmbedder()).search("地理标志怎么保护", mode="dense", top_k=3).hits
    dense = [h.dense for h in hits]
    assert dense == sorted(dense)  # the searcher took this backend's order
