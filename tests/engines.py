"""An engine over the plan and a few documents written by a test, indexed with the fake
model: for tests of what the engine does with a kind of document, without the real model."""

from __future__ import annotations

import shutil

from corpus.load import DEFAULT_CORPUS_DIR
from eval.run import NoCache
from index.store import build_index
from service.state import load_engine
from tests.conftest import make_settings
from tests.fakes import FakeEmbedder


def fake_engine(tmp_path, documents: dict[str, str] | None = None):
    """An Engine over the plan and these documents (file name → text), indexed with the fake
    model under tmp_path, with no answer cache."""
    corpus = tmp_path / "corpus"
    shutil.copytree(DEFAULT_CORPUS_DIR, corpus)
    for name, text in (documents or {}).items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = make_settings(
        tmp_path, model=FakeEmbedder.model_id, dense_index="numpy", corpus_dir=corpus
    )
    build_index(
        corpus, FakeEmbedder(), settings.index_dir, hnsw_threshold=10_000, dense_index="numpy"
    )
    return load_engine(settings, FakeEmbedder(), NoCache())
